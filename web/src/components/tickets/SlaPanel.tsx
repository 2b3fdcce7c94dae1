import { Card, Col, Empty, Row, Tag, Tooltip, Typography } from 'antd';
import { CheckCircleFilled, ClockCircleOutlined, ExclamationCircleFilled, PauseCircleOutlined } from '@ant-design/icons';
import type { SlaClock, Ticket } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { SLA_COLORS, pausedText, useDuration, useNow } from './ticketShared';

type Look = 'running' | 'warning' | 'paused' | 'pending' | 'met' | 'breached';

/** Is a running clock in its warning band? The ticket's status says so for its earliest clock; else past 80 % of the target. */
function inWarning(c: SlaClock, ticket: Pick<Ticket, 'slaStatus' | 'slaDueAt'>): boolean {
  if (c.state !== 'running') return false;
  // Two-stage: the usual target missed (目标未达成) is the warning level.
  if (c.goal?.state === 'missed') return true;
  if (ticket.slaStatus === 'warning' && c.dueAt && ticket.slaDueAt && new Date(c.dueAt).getTime() === new Date(ticket.slaDueAt).getTime()) return true;
  return c.targetMinutes > 0 && c.remainingMinutes / c.targetMinutes <= 0.2;
}

/** A target in words: 30分钟, 4小时, 2天3小时 (a target in working days is shown as written: 5个工作日). */
function useTarget() {
  const { t } = useI18n();
  return (minutes: number) => {
    if (minutes < 60) return t('common.minutesShort', { n: minutes });
    if (minutes % 60 === 0 && minutes < 24 * 60) return t('common.hoursShort', { n: minutes / 60 });
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? t('tickets.dur.hm', { h, m }) : t('common.hoursShort', { n: h });
  };
}

/**
 * The SLA clocks of a ticket as a panel: for each metric (响应/到场/解决) its state and live
 * countdown, or 已达成 / 已超时, and the due instant.
 */
export function SlaPanel({ ticket, compact }: { ticket: Ticket; compact?: boolean }) {
  const { t, fmtDateTime } = useI18n();
  const now = useNow();
  const dur = useDuration();
  const target = useTarget();
  if (ticket.sla.length === 0) {
    return (
      <Card size="small" title={t('tickets.sla.title')} data-testid="ticket-sla">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.sla.none')} data-testid="ticket-sla-none" />
      </Card>
    );
  }
  return (
    <Card size="small" title={t('tickets.sla.title')} data-testid="ticket-sla">
      <Row gutter={[12, 12]}>
        {ticket.sla.map((c) => {
          const due = c.dueAt ? new Date(c.dueAt).getTime() : null;
          let look: Look;
          let main: string;
          let sub: string | null = null;
          if (c.state === 'met') {
            look = 'met';
            main = t('tickets.sla.met');
            sub = c.metAt ? t('tickets.sla.metAt', { at: fmtDateTime(c.metAt) }) : null;
          } else if (c.state === 'breached') {
            look = 'breached';
            const end = c.metAt ? new Date(c.metAt).getTime() : now;
            const breachedAt = c.breachedAt ? new Date(c.breachedAt).getTime() : due;
            main = breachedAt !== null ? t('tickets.sla.overdue', { d: dur(end - breachedAt, false) }) : t('tickets.sla.breachedShort');
            // A breach that stays after the priority was lowered or the rules changed: the original and the new deadline side by side.
            if (c.breachedAt && c.dueAt && breachedAt !== due) sub = t('tickets.sla.keptBreach', { was: fmtDateTime(c.breachedAt), now: fmtDateTime(c.dueAt) });
            if (c.metAt) sub = [sub, t('tickets.sla.metLateAt', { at: fmtDateTime(c.metAt) })].filter(Boolean).join(' · ');
          } else if (c.state === 'pending') {
            look = 'pending';
            main = t('tickets.sla.pendingDiagnosis');
          } else if (c.state === 'paused') {
            look = 'paused';
            main = pausedText(t, c.pausedReason ?? ticket.state);
            sub = t('tickets.sla.remainingWork', { d: target(Math.max(0, c.remainingMinutes)) });
          } else if (due !== null && due < now) {
            look = 'breached';
            main = t('tickets.sla.overdue', { d: dur(now - due, false) });
          } else {
            look = inWarning(c, ticket) ? 'warning' : 'running';
            main = due !== null ? t('tickets.sla.remaining', { d: dur(due - now) }) : '—';
          }
          const color = look === 'running' || look === 'pending' ? undefined : SLA_COLORS[look];
          const goal = c.goal
            ? c.goal.state === 'missed'
              ? t('tickets.sla.goalMissed', { at: c.goal.missedAt ? fmtDateTime(c.goal.missedAt) : '' })
              : c.goal.state === 'met'
                ? t('tickets.sla.goalMet')
                : c.goal.dueAt
                  ? t('tickets.sla.goalDue', { at: fmtDateTime(c.goal.dueAt) })
                  : null
            : null;
          const icon =
            look === 'met' ? (
              <CheckCircleFilled />
            ) : look === 'breached' ? (
              <ExclamationCircleFilled />
            ) : look === 'paused' || look === 'pending' ? (
              <PauseCircleOutlined />
            ) : (
              <ClockCircleOutlined />
            );
          return (
            <Col key={c.metric} xs={24} sm={compact ? 24 : ticket.sla.length >= 4 ? 6 : 8}>
              <div
                className={`yw-sla-clock yw-sla-${look}`}
                data-testid={`ticket-sla-${c.metric}`}
                data-state={c.state}
                data-look={look}
                style={{ borderColor: color ?? '#d9d9d9' }}
              >
                <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8 }}>
                  <Typography.Text strong>{t(`sla.metric.${c.metric}` as MessageKey)}</Typography.Text>
                  <Tag color={look === 'met' ? 'success' : look === 'breached' ? 'error' : look === 'warning' ? 'warning' : look === 'paused' || look === 'pending' ? 'default' : 'processing'} data-testid={`ticket-sla-${c.metric}-state`}>
                    {t(`tickets.sla.state.${look}` as MessageKey)}
                  </Tag>
                </div>
                <Tooltip title={c.dueAt ? t('tickets.sla.dueAt', { at: fmtDateTime(c.dueAt) }) : undefined}>
                  <div style={{ color, fontSize: 18, fontWeight: 600, margin: '6px 0 2px', fontVariantNumeric: 'tabular-nums' }} data-testid={`ticket-sla-${c.metric}-text`}>
                    {icon} {main}
                  </div>
                </Tooltip>
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} data-testid={`ticket-sla-${c.metric}-sub`}>
                  {c.state === 'breached' && c.breachedAt && c.dueAt && c.breachedAt !== c.dueAt ? sub : c.dueAt && c.state !== 'met' ? t('tickets.sla.dueAt', { at: fmtDateTime(c.dueAt) }) : sub}
                  {!(c.state === 'breached' && c.breachedAt && c.dueAt && c.breachedAt !== c.dueAt) && c.dueAt && c.state !== 'met' && sub ? ` · ${sub}` : ''}
                </Typography.Text>
                {goal && (
                  <Typography.Text type={c.goal?.state === 'missed' ? 'warning' : 'secondary'} style={{ fontSize: 12, display: 'block' }} data-testid={`ticket-sla-${c.metric}-goal`}>
                    {goal}
                  </Typography.Text>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.goal?.target
                    ? t('tickets.sla.targetTwoStage', { usual: t(`sla.unit.${c.goal.target.unit}` as MessageKey, { n: c.goal.target.amount }), latest: c.target ? t(`sla.unit.${c.target.unit}` as MessageKey, { n: c.target.amount }) : target(c.targetMinutes) })
                    : t('tickets.sla.target', { d: c.target ? t(`sla.unit.${c.target.unit}` as MessageKey, { n: c.target.amount }) : target(c.targetMinutes) })}
                </Typography.Text>
              </div>
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}
