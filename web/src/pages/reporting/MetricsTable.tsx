import { Button, Card, Empty, Skeleton, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useIsMobile } from '../../components/useIsMobile';
import { ErrorAlert } from '../../components/ErrorAlert';
import { metricsXlsxUrl, useMetrics, type KpiDef, type MetricRow, type MetricsQuery } from '../../api/reporting';
import type { DrillTarget } from './KpiChart';
import { MISSED_COLOR, judge, useFormatKpi, valueOf } from './reportingShared';

/**
 * Figures as a table (one row per group, one column per KPI) where a chart would hide the
 * comparison, e.g. engineers' workload next to their quality. Each cell opens its tickets.
 */
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
  const fmt = useFormatKpi();
  const metrics = useMetrics(query);
  const kpis = (query?.kpis ?? []).filter((k) => defs?.has(k));
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
        <Table<MetricRow>
          size="small"
          rowKey="key"
          pagination={false}
          scroll={{ x: 'max-content', y: 360 }}
          dataSource={metrics.data?.rows ?? []}
          locale={{ emptyText: <Empty description={t('rep.empty')} /> }}
          columns={[
            { key: 'label', title: '', dataIndex: 'label', fixed: 'left', width: 120, ellipsis: true },
            ...kpis.map((k) => {
              const def = defs!.get(k)!;
              return {
                key: k,
                title: def.label,
                align: 'right' as const,
                sorter: (a: MetricRow, b: MetricRow) => (valueOf(a.values[k]) ?? -Infinity) - (valueOf(b.values[k]) ?? -Infinity),
                render: (_: unknown, r: MetricRow) => {
                  const f = r.values[k];
                  const v = valueOf(f);
                  return (
                    <Typography.Link
                      onClick={() => f && onDrill({ kpi: k, groupBy: query!.groupBy, key: r.key, pointLabel: r.label, figure: f })}
                      disabled={!f}
                      style={{ color: judge(def, v) === false ? MISSED_COLOR : undefined }}
                      data-testid={`${testid}-cell`}
                    >
                      {fmt(def, v)}
                    </Typography.Link>
                  );
                },
              };
            }),
          ]}
        />
      )}
    </Card>
  );
}
