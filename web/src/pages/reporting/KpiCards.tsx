import { Card, Col, Flex, Row, Skeleton, Tooltip, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useMetrics, type Figure, type KpiDef, type MetricsQuery } from '../../api/reporting';
import type { DrillTarget } from './KpiChart';
import { MET_COLOR, MISSED_COLOR, judge, useFormatKpi, useTargetText, valueOf } from './reportingShared';

/**
 * One card per KPI over the whole period: the figure, its target or band, and met / not met in
 * words and colour (colour alone would not reach everyone). A click lists the tickets behind it.
 */
export function KpiCards({
  kpis,
  defs,
  query,
  onDrill,
  testid = 'kpi-cards',
}: {
  kpis: string[];
  defs: Map<string, KpiDef> | undefined;
  /** The period and customer; kpis and groupBy are this component's. */
  query: Omit<MetricsQuery, 'kpis' | 'groupBy'> | null;
  onDrill: (t: DrillTarget) => void;
  testid?: string;
}) {
  const { t, fmtDate } = useI18n();
  const fmt = useFormatKpi();
  const targetText = useTargetText();
  const shown = defs ? kpis.filter((k) => defs.has(k)) : [];
  const metrics = useMetrics(query && shown.length ? { ...query, kpis: shown, groupBy: 'total' } : null);
  const open = (code: string, f: Figure | undefined) =>
    f && onDrill({ kpi: code, groupBy: 'total', key: null, pointLabel: query ? t('rep.period.range', { from: fmtDate(query.from), to: fmtDate(query.to) }) : '', figure: f });
  return (
    <div data-testid={testid}>
      <ErrorAlert error={metrics.error} onRetry={() => metrics.refetch()} />
      <Row gutter={[12, 12]}>
        {shown.map((code) => {
          const def = defs!.get(code)!;
          const f = metrics.data?.totals[code];
          const v = valueOf(f);
          const ok = judge(def, v);
          const target = targetText(def);
          return (
            // as many in a row as fit at 170 px or more: six on a laptop, two on a phone
            <Col key={code} flex="1 1 170px">
              <Card
                size="small"
                hoverable={!!f}
                onClick={() => open(code, f)}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), open(code, f))}
                role="button"
                tabIndex={f ? 0 : -1}
                aria-label={`${def.label} ${fmt(def, v)}`}
                style={{ height: '100%', borderTop: `3px solid ${ok === null ? '#d9d9d9' : ok ? MET_COLOR : MISSED_COLOR}` }}
                data-testid="kpi-card"
                data-kpi={code}
                data-ok={ok === null ? '' : String(ok)}
              >
                <Tooltip title={def.description}>
                  <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                    {def.label}
                  </Typography.Text>
                </Tooltip>
                {metrics.isPending ? (
                  <Skeleton active paragraph={false} title={{ width: '60%' }} />
                ) : (
                  <>
                    <Tooltip title={v === null ? t('rep.noValueHelp') : undefined}>
                      <div
                        style={{ fontSize: 26, fontWeight: 600, lineHeight: 1.3, color: ok === false ? MISSED_COLOR : undefined }}
                        data-testid="kpi-card-value"
                      >
                        {fmt(def, v)}
                      </div>
                    </Tooltip>
                    <Flex gap={6} wrap align="center" style={{ fontSize: 12 }}>
                      {ok !== null && (
                        <span style={{ color: ok ? MET_COLOR : MISSED_COLOR }} data-testid="kpi-card-judgement">
                          {ok ? <CheckCircleFilled /> : <CloseCircleFilled />} {ok ? t('rep.met') : t('rep.notMet')}
                        </span>
                      )}
                      {target && <Typography.Text type="secondary">{target}</Typography.Text>}
                      {f && def.unit === 'percent' && (
                        <Typography.Text type="secondary">{t('rep.ratio', { numerator: f.numerator, denominator: f.denominator })}</Typography.Text>
                      )}
                    </Flex>
                  </>
                )}
              </Card>
            </Col>
          );
        })}
      </Row>
    </div>
  );
}
