import { Button, Card, Empty, Skeleton, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useIsMobile } from '../../components/useIsMobile';
import { ErrorAlert } from '../../components/ErrorAlert';
import { metricsXlsxUrl, useMetrics, type GroupBy, type KpiDef, type MetricRow, type MetricsQuery } from '../../api/reporting';
import type { DrillTarget } from './KpiChart';
import { MISSED_COLOR, judge, useFormatKpi, valueOf } from './reportingShared';

/**
 * Figures as a table: one row per group, one column per KPI, each cell a button that opens its
 * tickets (reachable by keyboard, read by a screen reader — what a chart's points are not).
 */
export function FiguresTable({
  rows,
  kpis,
  defs,
  groupBy,
  onDrill,
  testid,
  label = (r) => r.label,
}: {
  rows: MetricRow[];
  kpis: string[];
  defs: Map<string, KpiDef>;
  groupBy: GroupBy;
  onDrill: (t: DrillTarget) => void;
  testid: string;
  label?: (r: MetricRow) => string;
}) {
  const { t } = useI18n();
  const fmt = useFormatKpi();
  return (
    <Table<MetricRow>
      size="small"
      rowKey="key"
      pagination={false}
      scroll={{ x: 'max-content', y: 360 }}
      dataSource={rows}
      locale={{ emptyText: <Empty description={t('rep.empty')} /> }}
      data-testid={`${testid}-table`}
      columns={[
        { key: 'label', title: '', fixed: 'left', width: 120, ellipsis: true, render: (_: unknown, r: MetricRow) => label(r) },
        ...kpis
          .filter((k) => defs.has(k))
          .map((k) => {
            const def = defs.get(k)!;
            return {
              key: k,
              title: def.label,
              align: 'right' as const,
              sorter: (a: MetricRow, b: MetricRow) => (valueOf(a.values[k]) ?? -Infinity) - (valueOf(b.values[k]) ?? -Infinity),
              render: (_: unknown, r: MetricRow) => {
                const f = r.values[k];
                const v = valueOf(f);
                return (
                  <Button
                    type="link"
                    size="small"
                    onClick={() => f && onDrill({ kpi: k, groupBy, key: r.key, pointLabel: label(r), figure: f })}
                    disabled={!f}
                    style={{ padding: 0, color: judge(def, v) === false ? MISSED_COLOR : undefined }}
                    data-testid={`${testid}-cell`}
                  >
                    {fmt(def, v)}
                  </Button>
                );
              },
            };
          }),
      ]}
    />
  );
}

/** A card with a table of the metrics API, e.g. engineers' workload next to their quality, and its Excel export. */
export function MetricsTable({
  title,
  help,
  testid,
  query,
  defs,
  onDrill,
}: {
  title: string;
  help?: string;
  testid: string;
  query: MetricsQuery | null;
  defs: Map<string, KpiDef> | undefined;
  onDrill: (t: DrillTarget) => void;
}) {
  const { t } = useI18n();
  const mobile = useIsMobile();
  const metrics = useMetrics(query);
  return (
    <Card
      size="small"
      title={title}
      data-testid={testid}
      extra={
        query && (
          <Button size="small" icon={<DownloadOutlined />} href={metricsXlsxUrl(query)} download data-testid={`${testid}-export`} aria-label={t('rep.export')}>
            {mobile ? null : t('rep.export')}
          </Button>
        )
      }
    >
      {help && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {help}
        </Typography.Paragraph>
      )}
      <ErrorAlert error={metrics.error} onRetry={() => metrics.refetch()} />
      {metrics.isPending && query ? (
        <Skeleton active />
      ) : (
        query && defs && !(metrics.isError && !metrics.data) && <FiguresTable rows={metrics.data?.rows ?? []} kpis={query.kpis} defs={defs} groupBy={query.groupBy} onDrill={onDrill} testid={testid} />
      )}
    </Card>
  );
}
