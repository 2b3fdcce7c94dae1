import { useQuery } from '@tanstack/react-query';
import { api, asPage, type Page } from '../../../api/client';
import {
  ANY_PRIORITY,
  SLA_METRICS,
  type PriorityLevel,
  type SlaMetric,
  type SlaPolicy,
  type SlaTarget,
  type SlaTemplate,
} from '../../../api/types';
import { useI18n, type MessageKey } from '../../../i18n';
import { useCalendarShortNames } from '../calendars/calendarShared';
import { DEFAULT_MATRIX } from '../../../components/tickets/ticketShared';

export const PAUSE_STATES = ['waiting_customer', 'waiting_vendor'] as const;

/** The server's default 3×3 matrix (core/priority.ts), for an SLA started without a template: the tickets' copy. */
export { DEFAULT_MATRIX };

export function useSlaTemplates() {
  return useQuery({
    queryKey: ['/sla/templates'],
    queryFn: () => api.get<Page<SlaTemplate> | SlaTemplate[]>('/sla/templates').then((d) => asPage(d).items),
    staleTime: 10 * 60_000,
  });
}

export const metricKey = (m: SlaMetric) => `sla.metric.${m}` as MessageKey;

/** "30分钟", "2小时", "5个工作日". */
export function useTargetText() {
  const { t } = useI18n();
  return (target: Pick<SlaTarget, 'amount' | 'unit'>) => t(`sla.unit.${target.unit}` as MessageKey, { n: target.amount });
}

/** "响应 30分钟 / 解决 2小时（7×24）" — the calendar once when all targets share it. */
export function useMetricsText(calendarNames?: ReadonlyMap<string, string>) {
  const { t } = useI18n();
  const amount = useTargetText();
  const savedName = useCalendarShortNames();
  // A calendar that exists only in a template so far is named from the template, never by its id.
  const calName = (id: string) => {
    const saved = savedName(id);
    return saved === id ? (calendarNames?.get(id) ?? id) : saved;
  };
  const paren = (text: string) => t('common.paren', { text });
  return (metrics: Partial<Record<SlaMetric, SlaTarget>> | undefined) => {
    const list = SLA_METRICS.filter((m) => metrics?.[m]).map((m) => ({ m, target: metrics![m]! }));
    if (list.length === 0) return t('sla.notMeasured');
    const cals = new Set(list.map((x) => x.target.calendarId));
    const one = cals.size === 1;
    const parts = list.map((x) => `${t(metricKey(x.m))} ${amount(x.target)}${one ? '' : paren(calName(x.target.calendarId))}`);
    return parts.join(' / ') + (one ? paren(calName(list[0].target.calendarId)) : '');
  };
}

const ZH_NUMERALS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/**
 * How a priority level's code is shown: P1–P9 (the default matrix's codes, as on tickets) as
 * they are; a template's own codes (`emergency`, `urgent`, `A` …) are internal keys, shown by rank
 * as 一级, 二级 … (Level 1, Level 2 … in English).
 */
export function useLevelCode() {
  const { t, locale } = useI18n();
  return (level: Pick<PriorityLevel, 'code' | 'rank'>) =>
    /^P\d+$/.test(level.code) || !(level.rank >= 1 && level.rank <= 10)
      ? level.code
      : t('sla.rankLabel', { n: locale === 'zh-CN' ? ZH_NUMERALS[level.rank] : level.rank });
}

/** Lines "紧急：响应 15分钟 / 解决 8小时（7×24）" per priority of a policy, in rank order; `*` last. */
export function usePolicyLines(calendarNames?: ReadonlyMap<string, string>) {
  const { t } = useI18n();
  const text = useMetricsText(calendarNames);
  return (policy: SlaPolicy, levels: PriorityLevel[]) => {
    const order = [...levels].sort((a, b) => a.rank - b.rank).map((l) => l.code);
    const keys = Object.keys(policy.targets).sort((a, b) => {
      const ia = a === ANY_PRIORITY ? 1e9 : order.indexOf(a) === -1 ? 1e8 : order.indexOf(a);
      const ib = b === ANY_PRIORITY ? 1e9 : order.indexOf(b) === -1 ? 1e8 : order.indexOf(b);
      return ia - ib;
    });
    return keys.map((k) => ({
      key: k,
      label: k === ANY_PRIORITY ? t('sla.anyPriority') : (levels.find((l) => l.code === k)?.name ?? k),
      text: text(policy.targets[k]),
    }));
  };
}

/** The name of an impact or urgency; the server's default names (Chinese) in the UI language. */
export function useAxisName() {
  const { t, locale } = useI18n();
  return (axis: 'impact' | 'urgency', v: { code: string; name: string }) => {
    if (locale === 'zh-CN') return v.name;
    const defaults = axis === 'impact' ? DEFAULT_MATRIX.impacts : DEFAULT_MATRIX.urgencies;
    const d = defaults.find((x) => x.code === v.code);
    return d && d.name === v.name ? t(`sla.axis.${axis}.${v.code}` as MessageKey) : v.name;
  };
}
