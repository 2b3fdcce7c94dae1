import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Drawer, Empty, Flex, List, Segmented, Skeleton, Tag, Typography } from 'antd';
import { RightOutlined } from '@ant-design/icons';
import { useI18n, type MessageKey } from '../../i18n';
import { useIsMobile } from '../../components/useIsMobile';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore } from '../../components/KeysetList';
import { SLA_COLORS, StateTag, usePriorityNames } from '../../components/tickets/ticketShared';
import { useDrill, type DrillPart, type KpiDef } from '../../api/reporting';
import type { Id } from '../../api/types';
import type { DrillTarget } from './KpiChart';
import { useFormatKpi, missKpiOf, MET_COLOR, MISSED_COLOR } from './reportingShared';

/** The ticket's SLA state (tickets.sla_status) in words and colour. */
const SLA_TAG: Record<string, { color: string; key: MessageKey }> = {
  ok: { color: MET_COLOR, key: 'rep.sla.ok' },
  warning: { color: SLA_COLORS.warning, key: 'rep.sla.warning' },
  breached: { color: MISSED_COLOR, key: 'rep.sla.breached' },
  paused: { color: SLA_COLORS.paused, key: 'rep.sla.paused' },
  none: { color: SLA_COLORS.paused, key: 'rep.sla.none' },
};

/**
 * The lists a figure can open: a rate's misses first when it has them (the breached clocks of an
 * SLA rate, what the user came for), then what counted as met, then all; a count its tickets; a
 * mean or a score the tickets averaged (its denominator).
 */
function partsOf(def: KpiDef | undefined): DrillPart[] {
  if (!def) return ['numerator'];
  if (def.unit === 'percent') return missKpiOf(def.code) ? ['miss', 'numerator', 'denominator'] : ['numerator', 'denominator'];
  if (def.unit === 'count') return ['numerator'];
  return ['denominator'];
}

/**
 * The tickets behind one figure (GET /reporting/drill, keyset "load more"), each opening its
 * ticket. Full screen on a phone.
 */
export function DrillDrawer({
  target,
  defs,
  period,
  customerId,
  contractId,
  ticketPath,
  onClose,
}: {
  target: DrillTarget | null;
  defs: Map<string, KpiDef> | undefined;
  period: { from: string; to: string };
  customerId?: Id | null;
  contractId?: Id | null;
  ticketPath: (id: Id) => string;
  onClose: () => void;
}) {
  const { t, fmtDateTime } = useI18n();
  const mobile = useIsMobile();
  const fmt = useFormatKpi();
  const priorityName = usePriorityNames();
  const def = target ? defs?.get(target.kpi) : undefined;
  const parts = partsOf(def);
  const [part, setPart] = useState<DrillPart>(parts[0]);
  useEffect(() => setPart(partsOf(target ? defs?.get(target.kpi) : undefined)[0]), [target, defs]);
  const miss = target && part === 'miss' ? missKpiOf(target.kpi) : null;
  const drill = useDrill(
    target && {
      kpi: miss ?? target.kpi,
      part: miss || part === 'miss' ? 'numerator' : part,
      groupBy: target.groupBy,
      key: target.key,
      from: period.from,
      to: period.to,
      customerId,
      contractId,
    },
  );
  const f = target?.figure;
  return (
    <Drawer
      open={target !== null}
      onClose={onClose}
      size={mobile ? '100%' : 640}
      placement={mobile ? 'bottom' : 'right'}
      styles={mobile ? { wrapper: { height: '100%' } } : undefined}
      title={
        target && (
          <span data-testid="drill-title">
            {t('rep.drill.title', { kpi: def?.label ?? target.kpi, point: target.pointLabel })}
          </span>
        )
      }
      destroyOnHidden
      data-testid="drill-drawer"
    >
      {target && (
        <Flex vertical gap={12}>
          <Flex align="baseline" gap={12} wrap>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="drill-value">
              {fmt(def, f?.value)}
            </Typography.Title>
            {f && def?.unit === 'percent' && (
              <Typography.Text type="secondary">{t('rep.drill.partHelp', { numerator: f.numerator, denominator: f.denominator })}</Typography.Text>
            )}
          </Flex>
          {parts.length > 1 && (
            <Segmented
              value={part}
              onChange={(v) => setPart(v as DrillPart)}
              options={parts.map((p) => ({
                value: p,
                label: <span data-testid={`drill-part-${p}`}>{t(p === 'numerator' && parts.includes('miss') ? 'rep.drill.part.met' : (`rep.drill.part.${p}` as MessageKey))}</span>,
              }))}
            />
          )}
          <ErrorAlert error={drill.error} onRetry={() => drill.refetch()} />
          {drill.isPending ? (
            <Skeleton active />
          ) : drill.items.length === 0 ? (
            <Empty description={t('rep.drill.empty')} data-testid="drill-empty" />
          ) : (
            <List
              size="small"
              dataSource={drill.items}
              data-testid="drill-list"
              renderItem={(x) => {
                const sla = x.slaStatus ? SLA_TAG[x.slaStatus] : undefined;
                return (
                  <List.Item data-testid="drill-row" data-ticket-id={x.id} data-sla={x.slaStatus ?? ''} extra={<RightOutlined style={{ color: '#bfbfbf' }} />}>
                    <List.Item.Meta
                      title={
                        <Link to={ticketPath(x.id)} data-testid="drill-ticket-link">
                          <Typography.Text type="secondary" style={{ marginInlineEnd: 8 }}>
                            {x.number}
                          </Typography.Text>
                          {x.title}
                        </Link>
                      }
                      description={
                        <Flex gap={6} wrap align="center">
                          <StateTag state={x.state} testid="drill-state" />
                          {x.priority && <Tag title={x.priority}>{priorityName(x.priority)}</Tag>}
                          {sla && (
                            <Tag color={sla.color} data-testid="drill-sla">
                              {t(sla.key)}
                            </Tag>
                          )}
                          {x.customerName && <span>{x.customerName}</span>}
                          <span>
                            {t('rep.drill.reported')} {fmtDateTime(x.reportedAt)}
                          </span>
                          {x.resolvedAt && (
                            <span>
                              {t('rep.drill.resolved')} {fmtDateTime(x.resolvedAt)}
                            </span>
                          )}
                        </Flex>
                      }
                    />
                  </List.Item>
                );
              }}
            />
          )}
          <LoadMore list={drill} testid="drill" />
        </Flex>
      )}
    </Drawer>
  );
}
