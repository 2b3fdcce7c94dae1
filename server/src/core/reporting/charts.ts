import type { ChartSpec } from './document.js';

/**
 * A report chart as an ECharts option, one function for every place that draws it: the PDF and
 * Word renderers (ECharts' server-side SVG) and the web's preview, so a figure looks the same
 * in the browser and in the file the customer signs. Pure data in, plain object out: no ECharts
 * import, no formatter functions (string templates only), so the option is also JSON.
 *
 * Conventions the reports rely on:
 * - null is "no value" (a month without tickets): a gap in a line, no bar, no slice. Never 0.
 * - marks are targets and bands (availability 95 %, first-line resolution 30–50 %): dashed
 *   horizontal lines with their label at the right end, drawn over the first series.
 * - '%' values are percentage points (96.4 means 96.4 %), the same as the marks.
 */

/** Office-like colours that stay distinguishable when printed in grey. */
export const CHART_PALETTE = ['#2f5597', '#c55a11', '#548235', '#7f6000', '#7030a0', '#1f9bb5', '#a5a5a5', '#bf4b7a'];
export const MARK_COLOR = '#c00000';

export interface ChartOptionStyle {
  /** The font the renderer has (the SVG names it; the PDF and PNG renderers map it to the embedded font). */
  fontFamily: string;
  /** Base text size in px of the chart's own coordinate system. */
  fontSize?: number;
  /** The chart's width in px (decides whether category labels must turn). */
  width?: number;
}

type Option = Record<string, unknown>;

function finite(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/**
 * The value axis for percentages: availability and SLA rates live between 90 and 100, where an
 * axis from 0 would flatten every difference the customer cares about. Starts at the nearest 5
 * below the lowest value or mark (never below 0) and ends at 100 when nothing exceeds it.
 */
export function percentAxisRange(spec: ChartSpec): { min?: number; max?: number; interval?: number } {
  const values = [...spec.series.flatMap((s) => finite(s.data)), ...(spec.marks ?? []).map((m) => m.value)];
  if (values.length === 0 || spec.kind === 'bar' || spec.stacked) return {};
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo < 0 || hi > 100) return {};
  const min = Math.max(0, Math.floor((lo - 5) / 5) * 5);
  if (min < 50) return hi > 90 ? { max: 100 } : {};
  // Round steps (85, 90, 95, 100), not ECharts' own split of an odd span (87, 90, 93 …).
  return { min, max: 100, interval: 100 - min <= 20 ? 5 : 10 };
}

/** Whether there is anything to draw: a chart of gaps only is shown as "no data", not as empty axes. */
export function chartHasData(spec: ChartSpec): boolean {
  return spec.categories.length > 0 && spec.series.some((s) => finite(s.data).length > 0);
}

/** Whether the category labels would collide when set side by side (CJK ≈ 1 em, Latin ≈ 0.55 em). */
function crowdedLabels(categories: string[], fontSize: number, plotWidth: number): boolean {
  const em = (text: string) => [...text].reduce((w, ch) => w + (/[\u2e80-\uffff]/.test(ch) ? 1 : 0.55), 0);
  const widest = Math.max(0, ...categories.map(em)) * fontSize;
  return categories.length > 0 && (widest + fontSize) * categories.length > plotWidth;
}

function unitTemplate(unit: string | undefined): string {
  if (!unit) return '{value}';
  return unit === '%' ? '{value}%' : `{value} ${unit}`;
}

function markLine(spec: ChartSpec, fontSize: number): Option | undefined {
  if (!spec.marks?.length) return undefined;
  const unit = spec.unit === '%' ? '%' : spec.unit ? ` ${spec.unit}` : '';
  return {
    silent: true,
    symbol: 'none',
    lineStyle: { type: 'dashed', color: MARK_COLOR, width: 1.2 },
    label: { position: 'insideEndTop', color: MARK_COLOR, fontSize: fontSize - 1, textBorderWidth: 0 },
    data: spec.marks.map((m) => ({ yAxis: m.value, name: m.label, label: { formatter: `${m.label} ${m.value}${unit}` } })),
  };
}

function pieOption(spec: ChartSpec, base: Option, fontSize: number): Option {
  const series = spec.series[0] ?? { name: '', data: [] };
  const data = spec.categories
    .map((name, i) => ({ name, value: series.data[i] ?? null }))
    .filter((d): d is { name: string; value: number } => d.value !== null && d.value > 0);
  return {
    ...base,
    series: [
      {
        type: 'pie',
        name: series.name,
        radius: ['38%', '68%'],
        center: ['50%', '52%'],
        percentPrecision: 1,
        avoidLabelOverlap: true,
        // No halo around the labels: PDF converters ignore SVG's paint-order and would paint the white halo over the text.
        label: { formatter: '{b}\n{d}%', fontSize: fontSize - 1, textBorderWidth: 0 },
        labelLine: { length: 8, length2: 8 },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
        data,
      },
    ],
  };
}

export function chartOption(spec: ChartSpec, style: ChartOptionStyle): Option {
  const fontSize = style.fontSize ?? 12;
  const base: Option = {
    animation: false,
    color: CHART_PALETTE,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: style.fontFamily, fontSize, color: '#333333' },
  };
  if (spec.kind === 'pie') return pieOption(spec, base, fontSize);

  const many = spec.series.length > 1;
  // The plot is about 85 % of the chart's width once the value axis has its labels.
  const crowded = crowdedLabels(spec.categories, fontSize - 1, (style.width ?? 640) * 0.85);
  const range = spec.unit === '%' ? percentAxisRange(spec) : {};
  // Counts (tickets, ratings) step by whole numbers: no '0.2 件' on the axis of a quiet month.
  const counts = spec.unit !== '%' && spec.series.every((s) => finite(s.data).every((v) => Number.isInteger(v)));
  const marks = markLine(spec, fontSize);
  const series = spec.series.map((s, i) => ({
    type: spec.kind,
    name: s.name,
    data: s.data.map((v) => (v === null || !Number.isFinite(v) ? null : v)),
    ...(spec.stacked ? { stack: 'total' } : {}),
    ...(spec.kind === 'line'
      ? // A gap stays a gap; a lone point between two gaps still shows (as its symbol).
        { connectNulls: false, showSymbol: true, symbol: 'circle', symbolSize: 5, lineStyle: { width: 2 } }
      : { barMaxWidth: 28 }),
    ...(i === 0 && marks ? { markLine: marks } : {}),
  }));
  return {
    ...base,
    // Turned labels reach further down than ECharts reserves for them: more room at the bottom then.
    grid: { left: 12, right: spec.marks?.length ? 24 : 16, top: many ? 36 : 20, bottom: crowded ? 18 : 8, containLabel: true },
    ...(many ? { legend: { top: 4, textStyle: { fontSize: fontSize - 1 }, itemWidth: 16, itemHeight: 9 } } : {}),
    xAxis: {
      type: 'category',
      data: spec.categories,
      axisTick: { alignWithLabel: true },
      axisLabel: { interval: 0, rotate: crowded ? 35 : 0, fontSize: fontSize - 1, hideOverlap: true },
      axisLine: { lineStyle: { color: '#7f7f7f' } },
    },
    yAxis: {
      type: 'value',
      ...range,
      ...(counts ? { minInterval: 1 } : {}),
      axisLabel: { formatter: unitTemplate(spec.unit), fontSize: fontSize - 1 },
      splitLine: { lineStyle: { color: '#e3e6eb' } },
    },
    series,
  };
}
