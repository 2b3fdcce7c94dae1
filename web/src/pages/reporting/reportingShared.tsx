// What every dashboard shares: the period presets, the grain of a trend, how a figure is written
// in the user's language ("96.4%", "2小时15分", "—" for a zero denominator) and judged against
// its target or band. The KPI definitions themselves come from GET /reporting/kpis; this file
// only chooses which codes each chart shows (KPI below), so the server stays the one source.
import { useCallback, useMemo } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n, type MessageKey } from '../../i18n';
import { useDuration, SLA_COLORS } from '../../components/tickets/ticketShared';
import type { Figure, GroupBy, KpiDef } from '../../api/reporting';

/**
 * The KPI codes each chart asks for (server/src/core/reporting/kpis.ts defines them). A code the
 * server does not list is left out of its chart, so a renamed or removed KPI shows as missing,
 * never as a made-up figure.
 */
export const KPI = {
  slaResponse: 'sla.response.met_rate',
  slaOnsite: 'sla.onsite.met_rate',
  slaResolution: 'sla.resolution.met_rate',
  slaDiagnosis: 'sla.diagnosis.met_rate',
  responseBreaches: 'sla.response.breached',
  resolutionBreaches: 'sla.resolution.breached',
  firstLine: 'flr.rate',
  satisfaction: 'satisfaction.mean',
  satisfiedShare: 'satisfaction.good_rate',
  complaints: 'complaints.count',
  complaintTimeliness: 'complaints.timely_rate',
  backlog: 'backlog.open',
  opened: 'tickets.opened',
  resolved: 'tickets.resolved',
  mttRespond: 'time.respond.mean',
  mttRestore: 'time.restore.mean',
} as const;

/** The backlog's age buckets, youngest first (a stacked bar). */
export const AGEING_KPIS = ['backlog.age.lt1d', 'backlog.age.1to3d', 'backlog.age.3to7d', 'backlog.age.7to30d', 'backlog.age.gt30d'];

/** The cards at the top of the management dashboard, in order. */
export const CARD_KPIS = [KPI.slaResponse, KPI.slaResolution, KPI.firstLine, KPI.satisfaction, KPI.complaintTimeliness, KPI.backlog];
export const SLA_KPIS = [KPI.slaResponse, KPI.slaOnsite, KPI.slaResolution, KPI.slaDiagnosis];

/**
 * A rate's misses are another KPI's count: the breached clocks of an SLA met rate. The drill-down
 * lists them as that KPI's numerator.
 */
export function missKpiOf(code: string): string | null {
  const m = /^sla\.(\w+)\.met_rate$/.exec(code);
  return m ? `sla.${m[1]}.breached` : null;
}

/** Availability, once a module measures it: the first KPI of its group (none yet). */
export function availabilityKpi(defs: Map<string, KpiDef> | undefined): string | null {
  for (const d of defs?.values() ?? []) if (d.group === 'availability' || d.code.startsWith('availability.')) return d.code;
  return null;
}

export type PeriodPreset = 'thisMonth' | 'lastMonth' | 'last3' | 'last12' | 'custom';
export const PERIOD_PRESETS: PeriodPreset[] = ['thisMonth', 'lastMonth', 'last3', 'last12', 'custom'];

export interface Period {
  /** Local calendar dates, inclusive (the server counts them in each customer's time zone). */
  from: string;
  to: string;
}

const D = 'YYYY-MM-DD';

/** The dates of a preset; "this month" runs to today (the rest of the month has not happened). */
export function presetPeriod(preset: PeriodPreset, today: Dayjs = dayjs()): Period {
  switch (preset) {
    case 'lastMonth': {
      const m = today.subtract(1, 'month');
      return { from: m.startOf('month').format(D), to: m.endOf('month').format(D) };
    }
    case 'last3':
      return { from: today.subtract(2, 'month').startOf('month').format(D), to: today.format(D) };
    case 'last12':
      return { from: today.subtract(11, 'month').startOf('month').format(D), to: today.format(D) };
    default:
      return { from: today.startOf('month').format(D), to: today.format(D) };
  }
}

/** A trend's buckets: days up to a month, weeks up to a quarter, months beyond. */
export function trendGrain(p: Period): GroupBy {
  const days = dayjs(p.to).diff(dayjs(p.from), 'day') + 1;
  if (days <= 31) return 'day';
  if (days <= 92) return 'week';
  return 'month';
}

/** Whether a value meets its KPI's target (or lies in its band); null with no value or no target. */
export function judge(def: KpiDef | undefined, value: number | null | undefined): boolean | null {
  if (!def || value === null || value === undefined || !Number.isFinite(value)) return null;
  if (def.band) return value >= def.band.min && value <= def.band.max;
  if (def.target === null) return null;
  return def.better === 'lower' ? value <= def.target : value >= def.target;
}

export const MET_COLOR = SLA_COLORS.met;
export const MISSED_COLOR = SLA_COLORS.breached;

/**
 * Series colours that stay apart for the common colour-vision deficiencies (after Okabe & Ito),
 * dark enough on white for the 3:1 contrast of graphics.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7f7f7f', '#B8860B', '#332288', '#117733'];

/** Writes a value of a KPI in the user's language; "—" when there is none. Stable per language (charts memoise on it). */
export function useFormatKpi() {
  const { t, locale } = useI18n();
  const duration = useDuration();
  return useMemo(() => {
    // percent values arrive as 0–100
    const percent = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    const score = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    return (def: Pick<KpiDef, 'unit'> | undefined, value: number | null | undefined): string => {
      if (value === null || value === undefined || !Number.isFinite(value)) return t('rep.noValue');
      switch (def?.unit) {
        case 'percent':
          return `${percent.format(value)}%`;
        case 'duration_ms':
          return duration(value, false);
        case 'score':
          return score.format(value);
        default:
          return count.format(value);
      }
    };
    // useDuration's function is new every render but depends on t alone
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [t, locale]);
}

/** The target as written: "≥ 95%", "≤ 4小时", "30%–50%". */
export function useTargetText() {
  const { t } = useI18n();
  const fmt = useFormatKpi();
  return (def: KpiDef | undefined): string | null => {
    if (!def) return null;
    if (def.band) return t('rep.band', { min: fmt(def, def.band.min), max: fmt(def, def.band.max) });
    if (def.target === null) return null;
    return t('rep.target', { target: `${def.better === 'lower' ? '≤' : '≥'} ${fmt(def, def.target)}` });
  };
}

/** A figure's value, or null (a zero denominator never becomes 0 or 100 %). */
export function valueOf(f: Figure | undefined): number | null {
  if (!f || f.value === null || f.value === undefined || !Number.isFinite(f.value)) return null;
  return f.value;
}

/** The value a chart draws for a KPI in its unit: hours for durations (axis in h), else as is. */
export function chartValue(def: KpiDef | undefined, f: Figure | undefined): number | null {
  const v = valueOf(f);
  if (v === null) return null;
  return def?.unit === 'duration_ms' ? Math.round((v / 3_600_000) * 100) / 100 : v;
}

/** Axis label suffix per unit. */
export function axisUnit(def: KpiDef | undefined, hoursLabel: string): string {
  if (!def) return '';
  if (def.unit === 'percent') return '%';
  if (def.unit === 'duration_ms') return hoursLabel;
  return '';
}

/** Bucket key "2026-11" / "2026-11-03" / "2026-W45" written short for an axis. */
export function useBucketLabel() {
  const { locale } = useI18n();
  return useCallback(
    (groupBy: GroupBy, key: string, label: string): string => {
      const zh = locale === 'zh-CN';
      if (groupBy === 'month' && /^\d{4}-\d{2}$/.test(key)) return zh ? `${Number(key.slice(5))}月` : dayjs(`${key}-01`).format('MMM YY');
      if (groupBy === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(key)) return zh ? `${Number(key.slice(5, 7))}/${Number(key.slice(8))}` : dayjs(key).format('M/D');
      const w = groupBy === 'week' ? /^\d{4}-W(\d{2})$/.exec(key) : null;
      if (w) return zh ? `第${Number(w[1])}周` : `W${Number(w[1])}`;
      return label || key;
    },
    [locale],
  );
}

/** Reference lines of a KPI's per-tier targets (mean time to restore: 2/4/8 h), in hours. */
export function tierMarks(def: KpiDef | undefined, t: (k: MessageKey) => string) {
  return Object.entries(def?.targetByTier ?? {}).map(([tier, ms]) => ({
    label: `${t(`customers.tier.${tier}` as MessageKey)} ${Math.round((ms / 3_600_000) * 10) / 10}h`,
    value: ms / 3_600_000,
  }));
}
