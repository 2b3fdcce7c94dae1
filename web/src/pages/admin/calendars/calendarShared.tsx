import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, asPage, type Page } from '../../../api/client';
import type { Calendar, Interval } from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { useCan } from '../../../auth/session';

export const BUILTIN_CALENDARS = ['cn-5x8', 'cn-5x8-continuous', '24x7', '5x8'] as const;
export const CALENDAR_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
export const CALENDARS_KEY = ['/calendars', 'list'] as const;

/** All calendars (a short list, not paged). */
export function useCalendars(enabled = true) {
  const can = useCan();
  return useQuery({
    queryKey: CALENDARS_KEY,
    queryFn: () => api.get<Page<Calendar> | Calendar[]>('/calendars').then((d) => asPage(d).items),
    enabled: enabled && can('calendars.read'),
    staleTime: 60_000,
  });
}

/** The name to show: built-ins in the UI language (their stored names are Chinese), others as stored. */
export function useCalendarLabel() {
  const { t, locale } = useI18n();
  return (c: Pick<Calendar, 'id' | 'name' | 'builtin'>) =>
    c.builtin && locale !== 'zh-CN' && (BUILTIN_CALENDARS as readonly string[]).includes(c.id)
      ? t(`contracts.calendar.${c.id}` as MessageKey)
      : c.name || c.id;
}

/** id → short label for sentences like "响应 30分钟（7×24）". */
export function useCalendarShortNames() {
  const { t } = useI18n();
  const cals = useCalendars();
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const c of cals.data ?? []) names.set(c.id, c.name);
    return (id: string) =>
      (BUILTIN_CALENDARS as readonly string[]).includes(id) ? t(`calendars.short.${id}` as MessageKey) : (names.get(id) ?? id);
  }, [cals.data, t]);
}

export function intervalsText(list: Interval[] | undefined, sep = '、'): string {
  return (list ?? []).map((i) => `${i.start}–${i.end}`).join(sep);
}

/** "周一至周五 08:00–12:00、13:00–17:00；周六、周日 休息" — consecutive days with the same hours grouped. */
export function useWeeklySummary() {
  const { t, locale } = useI18n();
  const sep = locale === 'zh-CN' ? '；' : '; ';
  const day = (d: number) => t(`calendars.weekday.${d}` as MessageKey);
  return (weekly: Record<string, Interval[]> | undefined): string => {
    const texts = [1, 2, 3, 4, 5, 6, 7].map((d) => intervalsText(weekly?.[String(d)], locale === 'zh-CN' ? '、' : ', '));
    if (texts.every((x) => x === texts[0])) return `${t('calendars.everyDay')} ${texts[0] || t('calendars.off')}`;
    const groups: { from: number; to: number; text: string }[] = [];
    texts.forEach((text, i) => {
      const last = groups[groups.length - 1];
      if (last && last.text === text) last.to = i + 1;
      else groups.push({ from: i + 1, to: i + 1, text });
    });
    return groups
      .map((g) => {
        const days =
          g.from === g.to
            ? day(g.from)
            : g.to === g.from + 1
              ? `${day(g.from)}${locale === 'zh-CN' ? '、' : ', '}${day(g.to)}`
              : t('calendars.through', { from: day(g.from), to: day(g.to) });
        return `${days} ${g.text || t('calendars.off')}`;
      })
      .join(sep);
  };
}
