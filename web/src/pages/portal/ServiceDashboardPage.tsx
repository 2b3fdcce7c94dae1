import { useMemo, useState } from 'react';
import { Card, Col, Flex, Row, Typography } from 'antd';
import { useI18n, type MessageKey } from '../../i18n';
import { useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useKpis, type GroupBy, type MetricsQuery } from '../../api/reporting';
import { KpiCards } from '../reporting/KpiCards';
import { KpiChart, type ChartSpec, type DrillTarget } from '../reporting/KpiChart';
import { DrillDrawer } from '../reporting/DrillDrawer';
import { PeriodFilter, useReportFilters } from '../reporting/PeriodFilter';
import { KPI, SLA_KPIS, availabilityKpi, trendGrain } from '../reporting/reportingShared';

const CARDS = [KPI.slaResponse, KPI.slaResolution, KPI.opened, KPI.resolved, KPI.satisfaction];

/**
 * 服务概况 in the portal: the service the customer's own organisation received — SLA met,
 * tickets reported and resolved, satisfaction, availability once it is measured. The server
 * answers a customer's staff with their own customer's figures only; no customer filter here.
 */
export default function ServiceDashboardPage() {
  const { t } = useI18n();
  const me = useCurrentUser();
  const filters = useReportFilters('last3');
  const { period } = filters;
  const kpis = useKpis();
  const defs = kpis.data;
  const grain = trendGrain(period);
  const availability = availabilityKpi(defs);
  const [drill, setDrill] = useState<DrillTarget | null>(null);

  const charts = useMemo(() => {
    const only = (codes: readonly string[]) => (defs ? codes.filter((c) => defs.has(c)) : []);
    const q = (spec: ChartSpec, groupBy: GroupBy): MetricsQuery | null =>
      spec.kpis.length ? { kpis: spec.kpis, groupBy, from: period.from, to: period.to } : null;
    const sla: ChartSpec = { kind: 'line', kpis: only(SLA_KPIS), targets: true };
    const volume: ChartSpec = { kind: 'bar', kpis: only([KPI.opened, KPI.resolved]) };
    const satisfaction: ChartSpec = { kind: 'line', kpis: only([KPI.satisfaction]), targets: true };
    return [
      { key: 'sla', title: 'rep.portal.slaTrend' as MessageKey, spec: sla, query: q(sla, grain) },
      { key: 'volume', title: 'rep.chart.volumeTrend' as MessageKey, spec: volume, query: q(volume, grain) },
      { key: 'satisfaction', title: 'rep.portal.satisfaction' as MessageKey, spec: satisfaction, query: q(satisfaction, grain) },
    ];
  }, [defs, period, grain]);

  return (
    <div data-testid="page-portal-dashboard">
      <PageHeader
        title={t('rep.portal.title')}
        subtitle={t('rep.portal.subtitle', { customer: me.customerName ?? '' })}
        extra={<PeriodFilter filters={filters} />}
      />
      <ErrorAlert error={kpis.error} onRetry={() => kpis.refetch()} />
      <KpiCards kpis={availability ? [...CARDS, availability] : CARDS} defs={defs} query={defs ? { from: period.from, to: period.to } : null} onDrill={setDrill} testid="portal-kpi-cards" />
      {defs && !availability && (
        <Card size="small" style={{ marginTop: 12 }} data-testid="portal-availability-none">
          <Flex justify="space-between" wrap gap={8}>
            <Typography.Text type="secondary">{t('rep.portal.availability')}</Typography.Text>
            <Typography.Text type="secondary">{t('rep.portal.noAvailability')}</Typography.Text>
          </Flex>
        </Card>
      )}
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        {charts.map((c) => (
          <Col xs={24} lg={c.key === 'sla' ? 24 : 12} key={c.key}>
            <KpiChart title={t(c.title)} testid={`portal-chart-${c.key}`} query={c.query} spec={c.spec} defs={defs} onDrill={setDrill} height={260} />
          </Col>
        ))}
      </Row>
      <DrillDrawer target={drill} defs={defs} period={period} ticketPath={(id) => `/portal/tickets/${id}`} onClose={() => setDrill(null)} />
    </div>
  );
}
