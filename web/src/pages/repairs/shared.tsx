import { Tag, Tooltip, Typography } from 'antd';
import { useI18n, type MessageKey } from '../../i18n';
import { SLA_COLORS, useDuration, useNow } from '../../components/tickets/ticketShared';
import type { OrderSummary, RepairState } from './api';

const STATE_COLORS: Record<RepairState, string> = { draft: 'default', sent: 'processing', returned: 'gold', accepted: 'success', rejected: 'volcano', cancelled: 'default' };

export function RepairStateTag({ state }: { state: RepairState }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="repair-state" data-state={state}>
      {t(`rp.state.${state}` as MessageKey)}
    </Tag>
  );
}

/**
 * The progress clock of an order as a live countdown: normal, amber on the day the report falls
 * due, red once overdue; the due instant on hover.
 */
export function ReportCountdown({ order, testid = 'repair-countdown' }: { order: Pick<OrderSummary, 'nextReportDueAt' | 'reportRemindAt' | 'reportStatus'>; testid?: string }) {
  const { t, fmtDateTime } = useI18n();
  const now = useNow();
  const dur = useDuration();
  if (!order.nextReportDueAt) return <Typography.Text type="secondary" data-testid={testid} data-status="none">{t('rp.report.none')}</Typography.Text>;
  const due = Date.parse(order.nextReportDueAt);
  const remind = order.reportRemindAt ? Date.parse(order.reportRemindAt) : null;
  const status = now >= due ? 'overdue' : remind !== null && now >= remind ? 'due' : 'running';
  const color = status === 'overdue' ? SLA_COLORS.breached : status === 'due' ? SLA_COLORS.warning : undefined;
  const text = status === 'overdue' ? t('rp.report.overdue', { d: dur(now - due, false) }) : status === 'due' ? t('rp.report.dueToday', { d: dur(due - now, false) }) : t('rp.report.remaining', { d: dur(due - now, false) });
  return (
    <Tooltip title={t('rp.report.dueAt', { at: fmtDateTime(order.nextReportDueAt) })}>
      <Typography.Text style={{ color, fontWeight: color ? 500 : undefined, whiteSpace: 'nowrap' }} data-testid={testid} data-status={status}>
        {text}
      </Typography.Text>
    </Tooltip>
  );
}

/** "2026-10-10", coloured once the device is back: on time or late. */
export function TargetReturn({ order }: { order: Pick<OrderSummary, 'targetReturn' | 'targetMet'> }) {
  const { t, fmtDate } = useI18n();
  if (!order.targetReturn) return <>—</>;
  return (
    <span data-testid="repair-target">
      {fmtDate(`${order.targetReturn}T12:00:00`)}
      {order.targetMet !== null && (
        <Tag color={order.targetMet ? 'success' : 'error'} style={{ marginInlineStart: 6 }}>
          {t(order.targetMet ? 'rp.target.met' : 'rp.target.missed')}
        </Tag>
      )}
    </span>
  );
}
