// The reporting API (docs/KPIS.md): KPI definitions, figures grouped by one dimension, the
// tickets behind a figure (drill-down) and the same figures as an Excel file. Every call is
// `reports.read` and answered within the caller's customers by the server.
import { useQuery, useInfiniteQuery, keepPreviousData } from '@tanstack/react-query';
import { API_BASE, api, buildUrl, type Page, type Query } from './client';
import type { Id, TicketState } from './types';
import { useI18n } from '../i18n';

export type KpiUnit = 'percent' | 'duration_ms' | 'count' | 'score';

/** A KPI definition as the UI uses it (normalised from the server's, see normaliseKpi). */
export interface KpiDef {
  code: string;
  /** Dashboard grouping on the server: volume, backlog, sla, time, quality (others may come). */
  group?: string;
  label: string;
  description: string;
  unit: KpiUnit;
  /** Which way is good; 'band': inside [band.min, band.max]; 'none': a plain volume. */
  better: 'higher' | 'lower' | 'band' | 'none';
  /** The value judged against (percent 0–100, ms, score): at least it when higher is better, at most when lower. */
  target: number | null;
  /** An acceptable range, e.g. first-line resolution 30–50 %. */
  band: { min: number; max: number } | null;
  /** Targets by customer tier (1, 2, 3) in the KPI's unit, e.g. mean time to restore 2/4/8 h. */
  targetByTier: Record<string, number> | null;
}

/** What GET /reporting/kpis answers: a target as a number or as {min?, max?, source}. */
interface KpiWire {
  code: string;
  group?: string;
  label: string | { zh: string; en: string };
  description: string | { zh: string; en: string };
  unit: KpiUnit;
  better: KpiDef['better'];
  target?: number | { min?: number | null; max?: number | null; source?: string } | null;
  band?: { min: number; max: number } | [number, number] | null;
  targetByTier?: Array<{ tier: number; value: number }> | Record<string, number> | null;
}

function text(v: string | { zh: string; en: string }, locale: string): string {
  return typeof v === 'string' ? v : locale === 'en-US' ? v.en : v.zh;
}

export function normaliseKpi(k: KpiWire, locale: string): KpiDef {
  let target: number | null = null;
  let band: KpiDef['band'] = null;
  if (Array.isArray(k.band)) band = { min: k.band[0], max: k.band[1] };
  else if (k.band) band = k.band;
  if (typeof k.target === 'number') target = k.target;
  else if (k.target) {
    const { min, max } = k.target;
    if (min != null && max != null) band = { min, max };
    else target = min ?? max ?? null;
  }
  const byTier = Array.isArray(k.targetByTier) ? Object.fromEntries(k.targetByTier.map((x) => [String(x.tier), x.value])) : (k.targetByTier ?? null);
  return {
    code: k.code,
    group: k.group,
    label: text(k.label, locale),
    description: text(k.description, locale),
    unit: k.unit,
    better: band ? 'band' : k.better,
    target,
    band,
    targetByTier: byTier,
  };
}

export type GroupBy =
  | 'total'
  | 'day'
  | 'week'
  | 'month'
  | 'customer'
  | 'priority'
  | 'tier'
  | 'category'
  | 'channel'
  | 'kind'
  | 'service'
  | 'team'
  | 'assignee'
  | 'site';

/** One figure: value is null when the denominator is zero (shown as "—", never 0 or 100 %). */
export interface Figure {
  value: number | null;
  numerator: number;
  denominator: number;
}

export interface MetricRow {
  key: string;
  label: string;
  values: Record<string, Figure | undefined>;
}

export interface MetricsResult {
  rows: MetricRow[];
  totals: Record<string, Figure | undefined>;
}

export interface MetricsQuery {
  kpis: string[];
  from: string;
  to: string;
  groupBy: GroupBy;
  customerId?: Id | null;
  contractId?: Id | null;
}

export interface DrillItem {
  id: Id;
  number: string;
  title: string;
  customerName: string | null;
  priority: string | null;
  state: TicketState;
  reportedAt: string;
  resolvedAt: string | null;
  /** The ticket's SLA state now: ok, warning, breached, paused, none. */
  slaStatus: string | null;
}

/** What the server lists (numerator, denominator) and the UI's 'miss' (a rate's misses, asked as another KPI's numerator). */
export type DrillPart = 'numerator' | 'denominator' | 'miss';

export interface DrillQuery {
  kpi: string;
  part: 'numerator' | 'denominator';
  from: string;
  to: string;
  groupBy: GroupBy;
  key?: string | null;
  customerId?: Id | null;
  contractId?: Id | null;
}

export const REPORTING = '/reporting';

export function metricsParams(q: MetricsQuery): Query {
  return {
    kpis: q.kpis.join(','),
    from: q.from,
    to: q.to,
    groupBy: q.groupBy,
    customerId: q.customerId ?? undefined,
    contractId: q.contractId ?? undefined,
  };
}

/** The KPI catalogue, in the user's language (the server answers by Accept-Language). */
export function useKpis(enabled = true) {
  const { locale } = useI18n();
  return useQuery({
    queryKey: [REPORTING, 'kpis', locale],
    queryFn: ({ signal }) => api.get<KpiWire[] | { items: KpiWire[] }>(`${REPORTING}/kpis`, undefined, { signal }),
    select: (d): Map<string, KpiDef> => new Map((Array.isArray(d) ? d : d.items).map((k) => [k.code, normaliseKpi(k, locale)])),
    staleTime: 10 * 60_000,
    enabled,
  });
}

export function useMetrics(q: MetricsQuery | null) {
  return useQuery({
    queryKey: [REPORTING, 'metrics', q],
    queryFn: ({ signal }) => api.get<MetricsResult>(`${REPORTING}/metrics`, metricsParams(q!), { signal }),
    enabled: q != null && q.kpis.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** Same query as the chart: the browser downloads the workbook with the session cookie. */
export function metricsXlsxUrl(q: MetricsQuery): string {
  return buildUrl(`${API_BASE}${REPORTING}/metrics.xlsx`, metricsParams(q));
}

export function useDrill(q: DrillQuery | null, limit = 30) {
  const params: Query | null = q && {
    kpi: q.kpi,
    part: q.part,
    from: q.from,
    to: q.to,
    groupBy: q.groupBy,
    key: q.key ?? undefined,
    customerId: q.customerId ?? undefined,
    contractId: q.contractId ?? undefined,
  };
  const query = useInfiniteQuery({
    queryKey: [REPORTING, 'drill', params],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<DrillItem>>(`${REPORTING}/drill`, { ...params, limit, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: params != null,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { ...query, items };
}
