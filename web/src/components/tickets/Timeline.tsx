import type { ReactNode } from 'react';
import { Empty, Tag, Typography } from 'antd';
import {
  AlertOutlined,
  ArrowUpOutlined,
  CarOutlined,
  ClockCircleOutlined,
  EditOutlined,
  EnvironmentOutlined,
  FieldTimeOutlined,
  LinkOutlined,
  LockOutlined,
  MessageOutlined,
  PaperClipOutlined,
  PlusCircleOutlined,
  SwapOutlined,
  TeamOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { Id, Ticket, TimelineEvent } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';
import { useNames } from '../RemoteSelect';
import { attachmentUrl, fmtSize, usePriorityNames } from './ticketShared';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): Id | null => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/**
 * The ticket's timeline, oldest first (newest last): replies (public) and notes (internal) styled
 * apart, worklogs, visits, state changes, assignments, priority changes, SLA warnings, breaches
 * and escalations, attachments with their download links. `customerView`: the portal's words.
 */
export function Timeline({ ticket, customerView }: { ticket: Ticket; customerView?: boolean }) {
  const { t, fmtDateTime } = useI18n();
  const can = useCan();
  const priorityName = usePriorityNames();

  // Names for ids in assignment entries: people who acted on the ticket, the current assignee,
  // and (when the caller may read them) users and teams by id.
  const known = new Map<Id, string>();
  for (const e of ticket.timeline) if (e.actorId != null && e.actorName) known.set(e.actorId, e.actorName);
  if (ticket.assigneeId != null && ticket.assigneeName) known.set(ticket.assigneeId, ticket.assigneeName);
  const userIds: Id[] = [];
  const teamIds: Id[] = [];
  for (const e of ticket.timeline) {
    if (e.type === 'assigned') {
      for (const k of ['assigneeId', 'previousAssigneeId']) {
        const id = idOf(e.data[k]);
        if (id != null && !known.has(id)) userIds.push(id);
      }
      for (const k of ['teamId', 'previousTeamId']) {
        const id = idOf(e.data[k]);
        if (id != null) teamIds.push(id);
      }
    }
    if (e.type === 'escalated') {
      const u = idOf(e.data.toUserId);
      if (u != null && !known.has(u)) userIds.push(u);
      const tm = idOf(e.data.toTeamId);
      if (tm != null) teamIds.push(tm);
    }
    if (e.type === 'reply' || e.type === 'note') for (const m of (e.data.mentions as unknown[]) ?? []) if (idOf(m) != null && !known.has(idOf(m)!)) userIds.push(idOf(m)!);
  }
  const users = useNames('users', userIds, !customerView && can('users.read'));
  const teams = useNames('teams', teamIds, !customerView && can('teams.read'));
  const userName = (id: Id | null) => (id == null ? null : (known.get(id) ?? users.name(id)));
  const teamName = (id: Id | null) => (id == null ? null : id === ticket.teamId && ticket.teamName ? ticket.teamName : teams.name(id));
  const stateName = (s: unknown) => (str(s) ? t(`${customerView ? 'portal.progress' : 'tickets.state'}.${s}` as MessageKey) : '');
  const metric = (m: unknown) => (str(m) ? t(`sla.metric.${m}` as MessageKey) : '');

  const describe = (e: TimelineEvent): { icon: ReactNode; color: string; title: ReactNode; body?: ReactNode; kind: string } => {
    const d = e.data;
    switch (e.type) {
      case 'created':
        return {
          icon: <PlusCircleOutlined />,
          color: '#1677ff',
          kind: 'created',
          title: customerView
            ? t('tickets.ev.createdPortal')
            : t('tickets.ev.created', { channel: str(d.channel) ? t(`tickets.channel.${d.channel}` as MessageKey) : '', priority: priorityName(String(d.priority ?? '')) }),
        };
      case 'assigned': {
        if (customerView) return { icon: <TeamOutlined />, color: '#722ed1', kind: 'assigned', title: t('tickets.ev.assignedPortal') };
        const who = [teamName(idOf(d.teamId)), userName(idOf(d.assigneeId))].filter(Boolean).join(' / ');
        return {
          icon: <TeamOutlined />,
          color: '#722ed1',
          kind: 'assigned',
          title: d.escalation ? t('tickets.ev.assignedEscalation', { who }) : t('tickets.ev.assigned', { who: who || '—' }),
        };
      }
      case 'state_changed': {
        const via = str(d.via);
        const title =
          via === 'confirm'
            ? t('tickets.ev.confirmed')
            : via === 'reject'
              ? t('tickets.ev.rejected')
              : via === 'auto'
                ? t('tickets.ev.autoClosed')
                : t('tickets.ev.stateChanged', { from: stateName(d.from), to: stateName(d.to) });
        const text = str(d.resolution) ?? str(d.reason);
        return {
          icon: <SwapOutlined />,
          color: d.to === 'resolved' || d.to === 'closed' ? '#389e0d' : d.to === 'cancelled' ? '#8c8c8c' : '#1677ff',
          kind: 'state',
          title,
          body: text ? (
            <div className="yw-ev-text">
              <Typography.Text type="secondary">{t('tickets.labeled', { label: str(d.resolution) ? t('tickets.resolution') : t('tickets.reason') })}</Typography.Text>
              {text}
            </div>
          ) : undefined,
        };
      }
      case 'priority_changed':
        return {
          icon: <ArrowUpOutlined />,
          color: '#fa541c',
          kind: 'priority',
          title: t(d.escalation ? 'tickets.ev.priorityRaised' : 'tickets.ev.priorityChanged', { from: priorityName(String(d.from ?? '')), to: priorityName(String(d.to ?? '')) }),
        };
      case 'updated': {
        const fields = Object.keys((d.changes as Record<string, unknown>) ?? {})
          .map((f) => {
            const key = `tickets.field.${f}` as MessageKey;
            const v = t(key);
            return v === key ? f : v;
          })
          .join('、');
        return { icon: <EditOutlined />, color: '#8c8c8c', kind: 'updated', title: t('tickets.ev.updated', { fields }) };
      }
      case 'reply':
      case 'note': {
        const mentions = ((d.mentions as unknown[]) ?? []).map(idOf).filter((x): x is Id => x != null);
        const internal = e.type === 'note';
        return {
          icon: internal ? <LockOutlined /> : <MessageOutlined />,
          color: internal ? '#d48806' : d.provider === false ? '#13c2c2' : '#1677ff',
          kind: internal ? 'note' : d.provider === false ? 'reply-customer' : 'reply',
          title: internal ? t('tickets.ev.note') : d.provider === false ? t('tickets.ev.replyCustomer') : t('tickets.ev.reply'),
          body: (
            <div className={`yw-ev-bubble ${internal ? 'yw-ev-internal' : d.provider === false ? 'yw-ev-customer' : 'yw-ev-public'}`}>
              <div className="yw-ev-text">{String(d.body ?? '')}</div>
              {mentions.length > 0 && (
                <div style={{ marginTop: 4 }}>
                  {mentions.map((m) => (
                    <Tag key={m} color="blue" bordered={false}>
                      @{userName(m)}
                    </Tag>
                  ))}
                </div>
              )}
            </div>
          ),
        };
      }
      case 'worklog':
        return {
          icon: <FieldTimeOutlined />,
          color: '#08979c',
          kind: 'worklog',
          title: t('tickets.ev.worklog', { minutes: Number(d.minutes ?? 0), mode: str(d.mode) ? t(`tickets.mode.${d.mode}` as MessageKey) : '' }),
          body: str(d.note) ? <div className="yw-ev-text">{String(d.note)}</div> : undefined,
        };
      case 'visit': {
        const ev = str(d.event) ?? '';
        return {
          icon: ev === 'departed' ? <CarOutlined /> : <EnvironmentOutlined />,
          color: '#389e0d',
          kind: `visit-${ev}`,
          title: t(`tickets.ev.visit.${ev === 'departed' || ev === 'arrived' || ev === 'left' ? ev : 'other'}` as MessageKey, { at: fmtDateTime(str(d.at)) }),
          body: str(d.result) ? (
            <div className="yw-ev-text">
              <Typography.Text type="secondary">{t('tickets.labeled', { label: t('tickets.visit.result') })}</Typography.Text>
              {String(d.result)}
            </div>
          ) : undefined,
        };
      }
      case 'diagnosed':
        return {
          icon: <EnvironmentOutlined />,
          color: '#1677ff',
          kind: 'diagnosed',
          title: t(d.remote ? 'tickets.ev.diagnosedRemote' : 'tickets.ev.diagnosed'),
          body: str(d.result) ? <div className="yw-ev-text">{String(d.result)}</div> : undefined,
        };
      case 'attachment': {
        const fileId = idOf(d.fileId);
        return {
          icon: <PaperClipOutlined />,
          color: '#595959',
          kind: 'attachment',
          title: t('tickets.ev.attachment'),
          body:
            fileId != null ? (
              <a href={attachmentUrl(ticket.id, fileId)} download={String(d.name ?? '')} data-testid="ticket-attachment-link">
                <PaperClipOutlined /> {String(d.name ?? '')} <Typography.Text type="secondary">({fmtSize(Number(d.size ?? 0))})</Typography.Text>
              </a>
            ) : undefined,
        };
      }
      case 'link_added':
      case 'link_removed':
        return {
          icon: <LinkOutlined />,
          color: '#8c8c8c',
          kind: 'link',
          title: t(e.type === 'link_added' ? 'tickets.ev.linkAdded' : 'tickets.ev.linkRemoved', { number: String(d.number ?? '') }),
        };
      case 'sla.warning':
        return {
          icon: <WarningOutlined />,
          color: '#d48806',
          kind: 'sla-warning',
          title: t('tickets.ev.slaWarning', { metric: metric(d.metric), percent: Number(d.percent ?? 0), at: fmtDateTime(str(d.dueAt)) }),
        };
      case 'sla.breached':
        return { icon: <AlertOutlined />, color: '#cf1322', kind: 'sla-breached', title: t('tickets.ev.slaBreached', { metric: metric(d.metric), at: fmtDateTime(str(d.breachedAt)) }) };
      case 'sla.escalated': {
        const action = str(d.action);
        const result = str(d.result);
        const resultKey = `tickets.ev.escalationResult.${result}` as MessageKey;
        const resultText = result ? t(resultKey) : '';
        return {
          icon: <ArrowUpOutlined />,
          color: '#cf1322',
          kind: 'sla-escalated',
          title: t('tickets.ev.slaEscalated', {
            metric: metric(d.metric),
            step: Number(d.step ?? 0) + 1,
            action: action ? t(`sla.action.${action}` as MessageKey) : '',
          }),
          body: resultText && resultText !== resultKey ? <Typography.Text type="secondary">{resultText}</Typography.Text> : undefined,
        };
      }
      case 'escalated': {
        if (d.trigger === 'sla') {
          const action = str(d.action);
          return {
            icon: <ArrowUpOutlined />,
            color: '#cf1322',
            kind: 'escalated',
            title: t('tickets.ev.slaEscalated', { metric: metric(d.metric), step: Number(d.step ?? 0) + 1, action: action ? t(`sla.action.${action}` as MessageKey) : '' }),
          };
        }
        const kind = d.kind === 'hierarchical' ? 'hierarchical' : 'functional';
        const to = [
          teamName(idOf(d.toTeamId)),
          userName(idOf(d.toUserId)),
          str(d.vendor) ? t('tickets.ev.escalatedVendor', { vendor: String(d.vendor) }) : null,
          d.toProjectManager ? t('tickets.ev.escalatedPm') : null,
        ].filter(Boolean);
        return {
          icon: <ArrowUpOutlined />,
          color: '#cf1322',
          kind: 'escalated',
          title: `${t('tickets.ev.escalated', { kind: t(`tickets.escalate.kindShort.${kind}`) })}${to.length ? ` → ${to.join(' / ')}` : ''}`,
          body: str(d.reason) ? (
            <div className="yw-ev-text">
              <Typography.Text type="secondary">{t('tickets.labeled', { label: t('tickets.reason') })}</Typography.Text>
              {String(d.reason)}
            </div>
          ) : undefined,
        };
      }
      case 'ola.breached': {
        const key = `tickets.ola.${d.target}` as MessageKey;
        return { icon: <AlertOutlined />, color: '#cf1322', kind: 'ola-breached', title: t('tickets.ev.olaBreached', { target: t(key) === key ? String(d.target) : t(key) }) };
      }
      case 'rated':
        return {
          icon: <MessageOutlined />,
          color: '#faad14',
          kind: 'rated',
          title: t('tickets.ev.rated', { score: Number(d.score ?? 0) }),
          body: str(d.comment) ? <div className="yw-ev-text">{String(d.comment)}</div> : undefined,
        };
      case 'repair_report':
        return {
          icon: <MessageOutlined />,
          color: '#389e0d',
          kind: 'repair-report',
          title: t(d.action === 'drafted' ? 'tickets.ev.reportDrafted' : d.action === 'signed_on_paper' ? 'tickets.ev.reportSignedOnPaper' : 'tickets.ev.reportSigned', { number: String(d.number ?? ''), signer: String(d.signerName ?? '') }),
        };
      case 'knowledge':
        // A knowledge article sent to the caller, or the call solved with it (docs/KNOWLEDGE.md).
        return {
          icon: <MessageOutlined />,
          color: '#1677ff',
          kind: 'knowledge',
          title: t(d.action === 'solved' ? (d.firstLine ? 'kb.ev.solvedFirstLine' : 'kb.ev.solved') : 'kb.ev.sent', { number: String(d.number ?? ''), title: String(d.title ?? '') }),
        };
      default: {
        const text = str(d.reason) ?? str(d.comment) ?? str(d.body);
        const key = `tickets.ev.type.${e.type}` as MessageKey;
        const label = t(key);
        return {
          icon: e.type.includes('escalat') ? <ArrowUpOutlined /> : <ClockCircleOutlined />,
          color: '#8c8c8c',
          kind: e.type,
          title: label === key ? e.type : label,
          body: text ? <div className="yw-ev-text">{text}</div> : undefined,
        };
      }
    }
  };

  if (ticket.timeline.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.timelineEmpty')} />;

  return (
    <ol className="yw-timeline" data-testid={customerView ? 'portal-timeline' : 'ticket-timeline'}>
      {ticket.timeline.map((e) => {
        const x = describe(e);
        return (
          <li
            key={e.id}
            className={`yw-tl-item${e.visibility === 'internal' ? ' yw-tl-internal' : ''}`}
            data-testid="ticket-event"
            data-type={e.type}
            data-visibility={e.visibility}
          >
            <span className="yw-tl-dot" style={{ color: x.color, borderColor: x.color }}>
              {x.icon}
            </span>
            <div className="yw-tl-body">
              <div className="yw-tl-head">
                <Typography.Text strong>{x.title}</Typography.Text>
                {e.visibility === 'internal' && (
                  <Tag color="gold" bordered={false} style={{ marginInlineStart: 6 }}>
                    {t('tickets.internal')}
                  </Tag>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 'auto', whiteSpace: 'nowrap' }}>
                  {viaLink(e) ? t('tickets.viaEmailLink', { name: e.actorName ?? viaLink(e)! }) : viaMail(e) ? t('tickets.viaEmail', { name: viaMail(e)! }) : (e.actorName ?? (e.type.startsWith('sla.') || e.actorId == null ? t('tickets.system') : ''))} · {fmtDateTime(e.at)}
                </Typography.Text>
              </div>
              {x.body}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** The contact whose mail a reply is (inbound mail). */
function viaMail(e: { data: unknown }): string | null {
  const mail = (e.data as { email?: { name?: unknown } } | null)?.email;
  return mail && typeof mail.name === 'string' ? mail.name : null;
}

/** The contact who acted through the link in a resolution mail (confirm, reject, rate). */
function viaLink(e: { data: unknown }): string | null {
  const link = (e.data as { emailLink?: { name?: unknown } } | null)?.emailLink;
  return link && typeof link.name === 'string' ? link.name : null;
}
