import { useEffect, useRef, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Result, Spin } from 'antd';
import { api, ApiError, isApiError } from '../api/client';
import type { Locale, Me } from '../api/types';
import { useI18n } from '../i18n';
import { ForbiddenPage } from '../components/StatusPages';

export const ME_KEY = ['auth', 'me'] as const;

/**
 * The logged-in user. Asks GET /auth/session, which answers `{user: null}` when logged out, so a
 * logged-out browser (the login page) never logs a failed request; "logged out" becomes the same
 * 401 error the callers handle.
 */
export async function fetchMe(): Promise<Me> {
  const { user } = await api.get<{ user: Me | null }>('/auth/session', undefined, { noAuthRedirect: true });
  if (!user) throw new ApiError(401, { title: 'unauthorized', code: 'unauthorized', status: 401 });
  return user;
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
}

/** The logged-in user; only inside <RequireAuth>. */
export function useCurrentUser(): Me {
  const { data } = useMe();
  if (!data) throw new Error('useCurrentUser outside RequireAuth');
  return data;
}

export function useCan() {
  const { data } = useMe();
  const perms = data?.permissions;
  return (perm: string | undefined | null) => !perm || !!perms?.includes(perm);
}

export function homePathFor(me: Me): string {
  return me.customerId != null ? '/portal' : '/workspace';
}

export function isCustomerStaff(me: Me | undefined): boolean {
  return !!me && me.customerId != null;
}

/** Loads /auth/me; sends to /login when there is no session; applies the user's language. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const { locale, setLocale, t, errorText } = useI18n();
  const synced = useRef<number | null>(null);

  useEffect(() => {
    const l = me.data?.locale;
    // Take the saved preference once per user (later switches update the cache themselves).
    if (me.data && synced.current !== me.data.id) {
      synced.current = me.data.id;
      if (l && l !== locale) setLocale(l);
    }
  }, [me.data, locale, setLocale]);

  if (me.isPending) {
    return (
      <div style={{ display: 'grid', placeItems: 'center', minHeight: '100vh' }}>
        <Spin size="large" />
      </div>
    );
  }
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      const next = location.pathname + location.search;
      return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
    }
    return (
      <Result
        status="warning"
        title={errorText(me.error)}
        extra={
          <Button type="primary" onClick={() => me.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  return <>{children}</>;
}

/** Shows the 403 page when the user lacks the permission (or the predicate fails). */
export function RequirePerm({
  perm,
  when,
  children,
}: {
  perm?: string;
  when?: (me: Me) => boolean;
  children: ReactNode;
}) {
  const { data: me } = useMe();
  const can = useCan();
  if (!me) return null;
  if (!can(perm) || (when && !when(me))) return <ForbiddenPage />;
  return <>{children}</>;
}

/** Switch the UI language; saved to the account when logged in. */
export function useSwitchLocale() {
  const qc = useQueryClient();
  const { setLocale, t, errorText } = useI18n();
  const { message } = App.useApp();
  const save = useMutation({
    mutationFn: (locale: Locale) => api.patch<Me | undefined>('/auth/me', { locale }, { noAuthRedirect: true }),
    onSuccess: (data, locale) => {
      qc.setQueryData<Me>(ME_KEY, (old) => (data && typeof data === 'object' && 'id' in data ? data : old ? { ...old, locale } : old));
      // names the server localises (roles, permissions, calendars) follow the new language
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
    },
    onError: (e) => message.warning(t('shell.localeSaveFailed', { message: errorText(e) })),
  });
  return (locale: Locale) => {
    setLocale(locale);
    const me = qc.getQueryData<Me>(ME_KEY);
    if (me) {
      qc.setQueryData<Me>(ME_KEY, { ...me, locale });
      save.mutate(locale);
    }
  };
}

export function useLogout() {
  const qc = useQueryClient();
  return async (everywhere = false) => {
    try {
      await api.post(everywhere ? '/auth/logout-all' : '/auth/logout', undefined, { noAuthRedirect: true });
    } catch {
      /* the session may already be gone */
    }
    qc.clear();
  };
}
