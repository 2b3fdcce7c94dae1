import { useMemo, useState } from 'react';
import { Col, Flex, Row, Segmented } from 'antd';
import { useI18n, type MessageKey } from '../../i18n';
import { Navigate } from 'react-router';
import { isCustomerStaff, useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RemoteSelect } from '../../components/RemoteSelect';
import { useKpis, type GroupBy, type KpiDef, type MetricsQuery } from '../../api/reporting';
import type { Id } from '../../api/types';
import { KpiChart, sharedFetches, type ChartSpec, type DrillTarget } from './KpiChart';
import { KpiCards } from './KpiCards';
import { MetricsTable } from './MetricsTable';
import { DrillDrawer } from './DrillDrawer';
import { PeriodFilter, useReportFilters } from './PeriodFilter';
import { AGEING_KPIS, CARD_KPIS, KPI, SLA_KPIS, tierMarks, trendGrain, type Period } from './reportingShared';

/**
 * Engineers' figures name people: shown to those who lead or dispatch the work or write the
 * reports (reports.write or tickets.dispatch), not to every reader of the KPIs (an auditor).
 */
export function canSeeEngineers(can: (p: string) => boolean): boolean {
  return can('reports.write') || can('tickets.dispatch');
}

const VOLUME_GROUPS = ['kind', 'category', 'channel'] as const;
type VolumeGroup = (typeof VOLUME_GROUPS)[number];

/** The query of one chart: the page's period and customer, the chart's KPIs and grouping. */
function useQueryOf(defs: Map<string, KpiDef> | undefined, period: Period, customerId: Id | null) {
  return (kpis: readonly string[], groupBy: GroupBy): MetricsQuery | null => {
    if (!defs) return null;
    const known = kpis.filter((k) => defs.has(k));
    return known.length ? { kpis: known, groupBy, from: period.from, to: period.to, customerId } : null;
  };
}

/**
 * 服务指标: the provider management's dashboard (issue #11 item 2) — KPI cards against their
 * targets and charts over the period and customer chosen; any point opens the tickets behind it,
 * any chart downloads its figures as Excel.
 */
export default function DashboardRoute() {
  const me = useCurrentUser();
  if (isCustomerStaff(me)) return <Navigate to="/portal/dashboard" replace />;
  return <DashboardPage />;
}

function DashboardPage() {
  const { t } = useI18n();
  const can = useCan();
  const filters = useReportFilters('last12');
  const { period, customerId } = filters;
  const kpis = useKpis();
  const defs = kpis.data;
  const q = useQueryOf(defs, period, customerId);
  const grain = trendGrain(period);
  const [drill, setDrill] = useState<DrillTarget | null>(null);
  const [volumeBy, setVolumeBy] = useState<VolumeGroup>('kind');
  const [timesBy, setTimesBy] = useState<'priority' | 'tier'>('priority');

  const specs = useMemo(() => {
    const only = (codes: readonly string[]) => (defs ? codes.filter((c) => defs.has(c)) : []);
    return {
      slaTrend: { kind: 'line', kpis: only(SLA_KPIS), targets: true } as ChartSpec,
      slaByCustomer: { kind: 'hbar', kpis: only([KPI.slaResponse, KPI.slaResolution]), targets: true } as ChartSpec,
      volume: (volumeBy === 'category'
        ? { kind: 'hbar', kpis: only([KPI.opened]), top: 12 }
        : { kind: 'pie', kpis: only([KPI.opened]) }) as ChartSpec,
      volumeTrend: { kind: 'bar', kpis: only([KPI.opened, KPI.resolved]) } as ChartSpec,
      backlog: { kind: 'bar', kpis: only(AGEING_KPIS), stacked: true } as ChartSpec,
      times: {
        kind: 'bar',
        kpis: only([KPI.mttRespond, KPI.mttRestore]),
        marks: timesBy === 'tier' && defs ? tierMarks(defs.get(KPI.mttRestore), t) : undefined,
      } as ChartSpec,
      firstLine: { kind: 'line', kpis: only([KPI.firstLine]), targets: true } as ChartSpec,
      satisfaction: { kind: 'bar', kpis: only([KPI.complaints, KPI.satisfaction]), lines: [KPI.satisfaction] } as ChartSpec,
      topCategories: { kind: 'hbar', kpis: only([KPI.opened]), top: 10 } as ChartSpec,
    };
  }, [defs, volumeBy, timesBy, t]);

  // each chart's query, and what is fetched for it (one request per grouping)
  const groupOf: Record<keyof typeof specs, GroupBy> = {
    slaTrend: grain,
    slaByCustomer: 'customer',
    volume: volumeBy,
    volumeTrend: grain,
    backlog: 'priority',
    times: timesBy,
    firstLine: grain,
    satisfaction: grain,
    topCategories: 'category',
  };
  const keys = Object.keys(specs) as (keyof typeof specs)[];
  const queries = keys.map((k) => q(specs[k].kpis, groupOf[k]));
  const fetches = sharedFetches(queries);
  const chart = (key: keyof typeof specs, title: MessageKey, extra?: React.ReactNode) => (
    <Col xs={24} xl={12} key={key}>
      <KpiChart
        title={t(title)}
        testid={`chart-${key}`}
        query={queries[keys.indexOf(key)]}
        fetch={fetches[keys.indexOf(key)]}
        spec={specs[key]}
        defs={defs}
        onDrill={setDrill}
        extra={extra}
      />
    </Col>
  );
  const segmented = <T extends string>(value: T, set: (v: T) => void, options: readonly T[], label: (v: T) => string, testid: string) => (
    <Segmented
      size="small"
      value={value}
      onChange={(v) => set(v as T)}
      options={options.map((o) => ({ value: o, label: <span data-testid={`${testid}-${o}`}>{label(o)}</span> }))}
    />
  );

  return (
    <div data-testid="page-reporting">
      <PageHeader
        title={t('rep.title')}
        subtitle={t('rep.subtitle')}
        extra={
          <Flex gap={8} wrap>
            <PeriodFilter filters={filters} />
            {can('customers.read') && (
              <div style={{ width: 220, maxWidth: '100%' }}>
                <RemoteSelect
                  resource="customers"
                  value={customerId}
                  onChange={(v) => filters.setCustomer(typeof v === 'number' ? v : null)}
                  placeholder={t('rep.allCustomers')}
                  testid="rep-customer"
                />
              </div>
            )}
          </Flex>
        }
      />
      <ErrorAlert error={kpis.error} onRetry={() => kpis.refetch()} />
      <KpiCards kpis={CARD_KPIS} defs={defs} query={defs ? { from: period.from, to: period.to, customerId } : null} onDrill={setDrill} />
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        {chart('slaTrend', 'rep.chart.slaTrend', <span>{t(`rep.grain.${grain}` as MessageKey)}</span>)}
        {chart('slaByCustomer', 'rep.chart.slaByCustomer')}
        {chart(
          'volume',
          'rep.chart.volume',
          segmented(volumeBy, setVolumeBy, VOLUME_GROUPS, (v) => t(`rep.chart.volume.${v}` as MessageKey), 'volume-by'),
        )}
        {chart('volumeTrend', 'rep.chart.volumeTrend')}
        {chart('backlog', 'rep.chart.backlog')}
        {chart(
          'times',
          'rep.chart.times',
          segmented(timesBy, setTimesBy, ['priority', 'tier'] as const, (v) => t(`rep.chart.times.${v}` as MessageKey), 'times-by'),
        )}
        {chart('firstLine', 'rep.chart.firstLine')}
        {chart('satisfaction', 'rep.chart.satisfaction')}
        {chart('topCategories', 'rep.chart.topCategories')}
        {canSeeEngineers(can) && (
          <Col xs={24} xl={12}>
            <MetricsTable
              title={t('rep.chart.engineers')}
              help={t('rep.chart.engineersHelp')}
              testid="table-engineers"
              query={q([KPI.resolved, KPI.backlog, KPI.slaResolution, KPI.resolutionBreaches, KPI.firstLine, KPI.satisfaction], 'assignee')}
              defs={defs}
              onDrill={setDrill}
            />
          </Col>
        )}
      </Row>
      <DrillDrawer
        target={drill}
        defs={defs}
        period={period}
        customerId={customerId}
        ticketPath={(id) => `/tickets/${id}`}
        onClose={() => setDrill(null)}
      />
    </div>
  );
}
