import { useMemo, useState, type ReactNode } from 'react';
import { Button, Card, Empty, Flex, Skeleton, Tooltip } from 'antd';
import { BarChartOutlined, DownloadOutlined, QuestionCircleOutlined, TableOutlined } from '@ant-design/icons';
import { FiguresTable } from './MetricsTable';
import { echarts } from './echarts';
import { EChart } from './EChart';
import { useI18n } from '../../i18n';
import { useIsMobile } from '../../components/useIsMobile';
import { ErrorAlert } from '../../components/ErrorAlert';
import { metricsXlsxUrl, useMetrics, type Figure, type GroupBy, type KpiDef, type MetricRow, type MetricsQuery } from '../../api/reporting';
import { PALETTE, axisUnit, chartValue, useBucketLabel, useFormatKpi } from './reportingShared';

/** What a click on a chart point asks the drill-down for. */
export interface DrillTarget {
  kpi: string;
  groupBy: GroupBy;
  /** The row's key; null for a total. */
  key: string | null;
  /** The point as the user saw it ("11月", "江州市人民医院"). */
  pointLabel: string;
  figure: Figure | undefined;
}

export type ChartKind = 'line' | 'bar' | 'hbar' | 'pie';

export interface ChartSpec {
  kind: ChartKind;
  /** KPI codes drawn (already filtered to those the server defines). */
  kpis: string[];
  stacked?: boolean;
  /** Extra horizontal reference lines in the chart's unit (e.g. the 2/4/8 h tier targets). */
  marks?: { label: string; value: number }[];
  /** Draw each KPI's own target (or band) as a mark line / area (percent charts). */
  targets?: boolean;
  /** Keep only the first n rows by the first KPI's value (top categories). */
  top?: number;
  /** KPIs drawn as a line in a bar chart (a score over bars of counts). */
  lines?: string[];
}

interface Props {
  title: ReactNode;
  help?: ReactNode;
  testid: string;
  /** The chart's figures: what 导出 Excel downloads. */
  query: MetricsQuery | null;
  /**
   * What is fetched, when several charts of a page share a grouping: the same query with the
   * union of their KPIs (one request instead of several; each chart draws its own).
   */
  fetch?: MetricsQuery | null;
  spec: ChartSpec;
  defs: Map<string, KpiDef> | undefined;
  onDrill: (t: DrillTarget) => void;
  /** Controls shown next to the export button (a switch between groupings). */
  extra?: ReactNode;
  height?: number;
}

interface PointData {
  value: number | null;
  name?: string;
  yw: DrillTarget;
}

/**
 * A card with one chart of the metrics API: loading and empty states, a click on any point or
 * bar opens the tickets behind it (onDrill), and 导出 Excel downloads the same query as a workbook.
 */
export function KpiChart({ title, help, testid, query, fetch, spec, defs, onDrill, extra, height = 300 }: Props) {
  const { t } = useI18n();
  const mobile = useIsMobile();
  const metrics = useMetrics(fetch ?? query);
  const bucket = useBucketLabel();
  // the same figures as a table: for the keyboard and screen readers, and to read exact values
  const [asTable, setAsTable] = useState(false);
  const option = useChartOption(spec, defs, metrics.data?.rows, query?.groupBy ?? 'total', mobile);
  // a failed request shows its error (with 重试), not "no data"
  const failed = metrics.isError && !metrics.data;
  const empty = !metrics.isPending && !failed && (!option || metrics.data?.rows.length === 0);
  const exportBtn = query && (
    <Button
      size="small"
      icon={<DownloadOutlined />}
      href={metricsXlsxUrl(query)}
      download
      data-testid={`${testid}-export`}
      aria-label={t('rep.export')}
    >
      {mobile ? null : t('rep.export')}
    </Button>
  );
  return (
    <Card
      size="small"
      title={
        <Flex align="center" gap={6} style={{ minWidth: 0 }}>
          <span style={{ whiteSpace: 'normal' }}>{title}</span>
          {help && (
            <Tooltip title={help}>
              <QuestionCircleOutlined style={{ color: '#8c8c8c' }} />
            </Tooltip>
          )}
        </Flex>
      }
      extra={
        <Flex gap={8} align="center" wrap justify="flex-end">
          {extra}
          <Tooltip title={asTable ? t('rep.showChart') : t('rep.showTable')}>
            <Button
              size="small"
              icon={asTable ? <BarChartOutlined /> : <TableOutlined />}
              onClick={() => setAsTable((x) => !x)}
              aria-label={asTable ? t('rep.showChart') : t('rep.showTable')}
              aria-pressed={asTable}
              data-testid={`${testid}-as-table`}
            />
          </Tooltip>
          {exportBtn}
        </Flex>
      }
      data-testid={testid}
      data-state={metrics.isPending ? 'loading' : failed ? 'error' : empty ? 'empty' : 'ready'}
      styles={{ body: { minHeight: height } }}
    >
      <ErrorAlert error={metrics.error} onRetry={() => metrics.refetch()} />
      {metrics.isPending && query ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : failed ? null : !query || spec.kpis.length === 0 ? (
        <Empty description={t('rep.kpiMissing')} style={{ paddingTop: 48 }} />
      ) : asTable && metrics.data && defs ? (
        <FiguresTable
          rows={metrics.data.rows}
          kpis={spec.kpis}
          defs={defs}
          groupBy={query.groupBy}
          onDrill={onDrill}
          testid={testid}
          label={(r) => bucket(query.groupBy, r.key, r.label)}
        />
      ) : empty ? (
        <Empty description={`${t('rep.empty')} — ${t('rep.emptyHelp')}`} style={{ paddingTop: 48 }} data-testid={`${testid}-empty`} />
      ) : (
        <EChart
          option={option as Record<string, unknown>}
          className="yw-chart"
          style={{ height, width: '100%' }}
          onClick={(p) => {
            const d = p.data as PointData | number | null | undefined;
            if (d && typeof d === 'object' && d.yw) onDrill(d.yw);
          }}
        />
      )}
    </Card>
  );
}

function useChartOption(spec: ChartSpec, defs: Map<string, KpiDef> | undefined, rowsIn: MetricRow[] | undefined, groupBy: GroupBy, mobile: boolean) {
  const { t } = useI18n();
  const fmt = useFormatKpi();
  const bucket = useBucketLabel();
  const hours = t('rep.hours', { n: '' }).trim();
  return useMemo(() => {
    if (!rowsIn || !defs) return null;
    let kpis = spec.kpis.filter((k) => defs.has(k));
    if (kpis.length === 0) return null;
    let rows = rowsIn;
    if (spec.top) {
      const first = kpis[0];
      rows = [...rows]
        .filter((r) => (r.values[first]?.value ?? 0) > 0)
        .sort((a, b) => (b.values[first]?.value ?? 0) - (a.values[first]?.value ?? 0))
        .slice(0, spec.top);
    }
    if (rows.length === 0) return null;
    const labels = rows.map((r) => bucket(groupBy, r.key, r.label));
    const point = (kpi: string, r: MetricRow, i: number): PointData => ({
      value: chartValue(defs.get(kpi), r.values[kpi]),
      name: labels[i],
      yw: { kpi, groupBy, key: r.key, pointLabel: r.label || labels[i], figure: r.values[kpi] },
    });
    // every value null (zero denominators everywhere), or counts that are all 0, is "no data", not a flat line at 0
    const nothing = (k: string, r: MetricRow) => {
      const v = chartValue(defs.get(k), r.values[k]);
      return v === null || (v === 0 && defs.get(k)!.unit === 'count');
    };
    if (rows.every((r) => kpis.every((k) => nothing(k, r)))) return null;
    // a series with no value at all (e.g. diagnosis where no contract sets a diagnosis target) is left out, not drawn as an empty legend entry
    if (kpis.length > 1) kpis = kpis.filter((k) => rows.some((r) => chartValue(defs.get(k), r.values[k]) !== null));

    // tooltips are HTML: names from the records (customers, categories) are escaped
    const esc = echarts.format.encodeHTML;
    const tooltipLine = (kpi: string, f: Figure | undefined, marker = '') => {
      const def = defs.get(kpi);
      const ratio = f && def?.unit === 'percent' ? `（${t('rep.ratio', { numerator: f.numerator, denominator: f.denominator })}）` : '';
      return `${marker}${esc(def?.label ?? kpi)}：<b>${esc(fmt(def, f?.value))}</b>${ratio}`;
    };
    const base = {
      color: PALETTE,
      aria: { enabled: true },
      animation: false,
    };

    if (spec.kind === 'pie') {
      const kpi = kpis[0];
      return {
        ...base,
        tooltip: { trigger: 'item', formatter: (p: { data: PointData; marker: string; percent: number }) => `${esc(p.data.name ?? '')}<br/>${tooltipLine(kpi, p.data.yw.figure, p.marker)}（${p.percent}%）` },
        legend: { type: 'scroll', bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: ['35%', '65%'],
            center: ['50%', '45%'],
            avoidLabelOverlap: true,
            // a phone has no room for labels outside the ring: the share inside, the names in the legend
            label: mobile ? { position: 'inside', formatter: '{d}%', color: '#fff', fontSize: 11 } : { formatter: '{b}\n{d}%' },
            data: rows.map((r, i) => point(kpi, r, i)).filter((d) => d.value !== null && d.value > 0),
          },
        ],
      };
    }

    // one y axis per unit (at most two: e.g. a score on the left, a count on the right)
    const units = [...new Set(kpis.map((k) => defs.get(k)!.unit))].slice(0, 2);
    const horizontal = spec.kind === 'hbar';
    const valueAxes = units.map((u, i) => {
      const def = defs.get(kpis.find((k) => defs.get(k)!.unit === u)!);
      const suffix = axisUnit(def, hours);
      return {
        type: 'value',
        position: horizontal ? (i === 0 ? 'bottom' : 'top') : i === 0 ? 'left' : 'right',
        max: u === 'percent' ? 100 : undefined,
        axisLabel: { formatter: (v: number) => `${v}${suffix}` },
        splitLine: { show: i === 0 },
      };
    });
    const categoryAxis = {
      type: 'category',
      data: labels,
      axisLabel: horizontal ? { formatter: (v: string) => (v.length > 9 ? `${v.slice(0, 8)}…` : v) } : { hideOverlap: true },
      inverse: horizontal,
    };
    // series of one family ("积压账龄 不足1天", "积压账龄 1–3天" …) are named by what differs
    const names = legendNames(kpis.map((k) => defs.get(k)!.label));
    const series = kpis.map((kpi, si) => {
      const def = defs.get(kpi)!;
      const axisIndex = Math.max(0, units.indexOf(def.unit));
      const marks: { name: string; yAxis?: number; xAxis?: number; lineStyle: object; label: object }[] = [];
      const markArea: object[] = [];
      if (spec.targets) {
        const band = def.band;
        const color = PALETTE[si % PALETTE.length];
        if (band) markArea.push([{ [horizontal ? 'xAxis' : 'yAxis']: band.min, name: t('rep.band', { min: fmt(def, band.min), max: fmt(def, band.max) }) }, { [horizontal ? 'xAxis' : 'yAxis']: band.max }]);
        else if (def.target != null) {
          const v = def.unit === 'duration_ms' ? def.target / 3_600_000 : def.target;
          marks.push({ name: t('rep.target', { target: fmt(def, def.target) }), [horizontal ? 'xAxis' : 'yAxis']: v, lineStyle: { color, type: 'dashed' }, label: { formatter: fmt(def, def.target), color, position: 'insideEndTop' } });
        }
      }
      if (si === 0)
        for (const m of spec.marks ?? [])
          marks.push({ name: m.label, [horizontal ? 'xAxis' : 'yAxis']: m.value, lineStyle: { color: '#595959', type: 'dotted' }, label: { formatter: m.label, color: '#595959', position: 'insideEndTop' } });
      return {
        type: spec.kind === 'line' || spec.lines?.includes(kpi) ? 'line' : 'bar',
        id: kpi,
        name: names[si],
        [horizontal ? 'xAxisIndex' : 'yAxisIndex']: axisIndex,
        stack: spec.stacked ? 'all' : undefined,
        connectNulls: false,
        symbolSize: 9,
        showAllSymbol: true,
        triggerLineEvent: true,
        barMaxWidth: 36,
        emphasis: { focus: 'series' },
        data: rows.map((r, i) => point(kpi, r, i)),
        markLine: marks.length ? { symbol: 'none', silent: true, data: marks } : undefined,
        markArea: markArea.length ? { silent: true, itemStyle: { color: 'rgba(0,158,115,0.10)' }, label: { position: 'insideTopRight', color: '#3f6600' }, data: markArea } : undefined,
      };
    });
    return {
      ...base,
      grid: { left: 8, right: 16, top: kpis.length > 1 || spec.marks?.length ? 36 : 16, bottom: 8, containLabel: true },
      legend: { type: 'scroll', top: 0, show: kpis.length > 1 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: spec.kind === 'line' ? 'line' : 'shadow' },
        formatter: (ps: { data: PointData; marker: string }[]) =>
          ps.length ? [esc(ps[0].data.name ?? ''), ...ps.map((p) => tooltipLine(p.data.yw.kpi, p.data.yw.figure, p.marker))].join('<br/>') : '',
      },
      xAxis: horizontal ? valueAxes : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxes,
      series,
    };
  }, [spec, defs, rowsIn, groupBy, mobile, t, fmt, bucket, hours]);
}

/**
 * One fetch per grouping for the charts of a page: each query widened to the (sorted) union of
 * the KPIs of every query with the same grouping, period and customer, so equal fetches share
 * one request (TanStack Query keys them alike).
 */
export function sharedFetches(queries: (MetricsQuery | null)[]): (MetricsQuery | null)[] {
  const keyOf = (q: MetricsQuery) => JSON.stringify([q.groupBy, q.from, q.to, q.customerId ?? null, q.contractId ?? null]);
  const union = new Map<string, Set<string>>();
  for (const q of queries) if (q) for (const k of q.kpis) (union.get(keyOf(q)) ?? union.set(keyOf(q), new Set()).get(keyOf(q))!).add(k);
  return queries.map((q) => (q ? { ...q, kpis: [...union.get(keyOf(q))!].sort() } : null));
}

/** Labels without the words they all start with, when that is a whole word ("积压账龄 "). */
export function legendNames(labels: string[]): string[] {
  if (labels.length < 3) return labels;
  let p = labels[0];
  for (const l of labels) while (!l.startsWith(p)) p = p.slice(0, -1);
  const cut = p.lastIndexOf(' ');
  return cut > 0 ? labels.map((l) => l.slice(cut + 1)) : labels;
}
