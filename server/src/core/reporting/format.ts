import type { KpiUnit } from './kpis.js';

/**
 * A KPI value as printed in a report, a table cell or an Excel sheet: '96.4%', '2小时15分',
 * '4.3', '1,234', and '—' when there is no value (a zero denominator), never 'NaN' or '100%'.
 */
export const NO_VALUE = '—';

export function formatDuration(ms: number, locale: 'zh-CN' | 'en-US' = 'zh-CN'): string {
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (locale === 'zh-CN') {
    if (d > 0) return `${d}天${h > 0 ? `${h}小时` : ''}`;
    if (h > 0) return `${h}小时${m > 0 ? `${m}分` : ''}`;
    return `${m}分钟`;
  }
  if (d > 0) return `${d} d${h > 0 ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m > 0 ? ` ${m} min` : ''}`;
  return `${m} min`;
}

export function formatKpi(value: number | null, unit: KpiUnit, locale: 'zh-CN' | 'en-US' = 'zh-CN'): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE;
  switch (unit) {
    case 'percent':
      return `${value.toFixed(1)}%`;
    case 'duration_ms':
      return formatDuration(value, locale);
    case 'score':
      return value.toFixed(2);
    case 'count':
      return Math.round(value).toLocaleString('en-US');
  }
}
