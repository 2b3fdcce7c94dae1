import { useEffect, useMemo, useState } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Select, Spin } from 'antd';
import { api, asPage, type Page } from '../api/client';
import type { Customer, Id, Team, User } from '../api/types';
import { useI18n } from '../i18n';

export type Resource = 'users' | 'customers' | 'teams';

type Rec = User | Customer | Team;

export function labelOf(resource: Resource, r: Rec): string {
  switch (resource) {
    case 'users': {
      const u = r as User;
      return u.displayName && u.displayName !== u.username ? `${u.displayName}（${u.username}）` : u.username;
    }
    case 'customers': {
      const c = r as Customer;
      return c.code ? `${c.name}（${c.code}）` : c.name;
    }
    case 'teams':
      return (r as Team).name;
  }
}

export function shortName(resource: Resource, r: Rec): string {
  if (resource === 'users') return (r as User).displayName || (r as User).username;
  return (r as Customer | Team).name;
}

/** Cached single-record fetches, e.g. to show names for ids in a table. */
export function useNames(resource: Resource, ids: (Id | null | undefined)[], enabled = true) {
  const key = ids.filter((x) => x != null).join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const unique = useMemo(() => [...new Set(ids.filter((x): x is Id => x != null))], [key]);
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: [`/${resource}`, 'byId', id],
      queryFn: () => api.get<Rec>(`/${resource}/${id}`),
      staleTime: 5 * 60_000,
      retry: false,
      enabled,
    })),
  });
  return useMemo(() => {
    const m = new Map<Id, { short: string; label: string }>();
    unique.forEach((id, i) => {
      const d = results[i]?.data;
      if (d) m.set(id, { short: shortName(resource, d), label: labelOf(resource, d) });
    });
    return {
      map: m,
      /** The name, or a shortened id while loading / when not readable. */
      name: (id: Id | null | undefined) => (id != null ? (m.get(id)?.short ?? `#${id}`) : ''),
      label: (id: Id | null | undefined) => (id != null ? (m.get(id)?.label ?? `#${id}`) : ''),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [unique, resource, results.map((r) => r.dataUpdatedAt).join(',')]);
}

interface Props {
  resource: Resource;
  value?: Id | Id[] | null;
  onChange?: (v: Id | Id[] | null) => void;
  multiple?: boolean;
  placeholder?: string;
  testid?: string;
  disabled?: boolean;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
}

/** Picker that searches the server (`q`) as you type; shows names for already-chosen ids. */
export function RemoteSelect({ resource, value, onChange, multiple, placeholder, testid, disabled, allowClear = true, style, id }: Props) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(h);
  }, [text]);

  const search = useQuery({
    queryKey: [`/${resource}`, 'pick', q],
    queryFn: ({ signal }) => api.get<Page<Rec> | Rec[]>(`/${resource}`, { q, limit: 20 }, { signal }).then((d) => asPage(d)),
    staleTime: 30_000,
  });

  const selected = useMemo(() => (Array.isArray(value) ? value : value ? [value] : []), [value]);
  const names = useNames(resource, selected);

  const options = useMemo(() => {
    const seen = new Set<Id>();
    const out: { value: Id; label: string }[] = [];
    for (const r of search.data?.items ?? []) {
      seen.add(r.id);
      out.push({ value: r.id, label: labelOf(resource, r) });
    }
    for (const id of selected) if (!seen.has(id)) out.push({ value: id, label: names.label(id) });
    return out;
  }, [search.data, selected, names, resource]);

  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={multiple ? selected : (value ?? undefined)}
      onChange={(v: Id | Id[] | undefined) => onChange?.(v === undefined ? (multiple ? [] : null) : v)}
      options={options}
      placeholder={placeholder}
      allowClear={allowClear}
      disabled={disabled}
      showSearch={{ onSearch: setText, filterOption: false }}
      onOpenChange={(o) => !o && setText('')}
      notFoundContent={search.isFetching ? <Spin size="small" /> : t('common.none')}
      loading={search.isFetching}
      style={{ width: '100%', ...style }}
      data-testid={testid}
      maxTagCount="responsive"
    />
  );
}
