import { useEffect, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, List, Row, Select, Spin, Tabs, Tag, Typography } from 'antd';
import { FileProtectOutlined, LinkOutlined, PaperClipOutlined, PhoneOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, asPage, isApiError, type Page } from '../../api/client';
import type { Contact, Id, Site, Ticket, TicketListItem } from '../../api/types';
import { OPEN_TICKET_STATES } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { isCustomerStaff, useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { useIsMobile } from '../../components/useIsMobile';
import { SlaPanel } from '../../components/tickets/SlaPanel';
import { Timeline } from '../../components/tickets/Timeline';
import { ReplyBox } from '../../components/tickets/ReplyBox';
import { WorklogForm } from '../../components/tickets/WorklogForm';
import { TicketActions, useTicketOps } from '../../components/tickets/TicketActions';
import { TicketConflictAlert, TicketLoadState } from '../../components/tickets/TicketPageStates';
import { KindTag, PriorityTag, StateTag, attachmentUrl, fmtSize, shortAxis, ticketKey, useAxisName, useDuration, useNow, useTicket } from '../../components/tickets/ticketShared';
import { TicketKnowledgePanel } from '../knowledge/TicketKnowledgePanel';
import { TicketPartsPanel } from '../parts/TicketPartsPanel';
import { TicketRepairPanel } from '../repairs/TicketRepairPanel';
import { TicketCisPanel } from '../cmdb/TicketCisPanel';

/** tel: links dial the digits (and a leading +). */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

/** The customer's staff see their tickets in the portal. */
export default function TicketRoute() {
  const me = useCurrentUser();
  const { id } = useParams();
  if (isCustomerStaff(me)) return <Navigate to={`/portal/tickets/${id}`} replace />;
  return <TicketPage />;
}

function TicketPage() {
  const { id } = useParams();
  const { t, fmtDateTime, errorText } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const can = useCan();
  const mobile = useIsMobile();
  const query = useTicket(id);
  const ticket = query.data;
  const [conflict, setConflict] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(() => (location.state as { created?: string } | null)?.created ?? null);
  const ops = useTicketOps(ticket);
  const canWrite = can('tickets.write');

  useEffect(() => setConflict(null), [id]);

  const refresh = async (next?: Ticket) => {
    if (next) qc.setQueryData(ticketKey(next.id), next);
    void qc.invalidateQueries({ queryKey: ['/tickets', 'list'] });
    if (!next) await query.refetch();
  };
  const reload = async () => {
    setConflict(null);
    await query.refetch();
  };
  const onConflict = (e: unknown) => setConflict(isApiError(e) ? errorText(e) : String(e));

  if (query.isPending || query.isError)
    return <TicketLoadState query={query} notFoundTestid="ticket-not-found" backTo="/tickets" backLabel={t('tickets.backToList')} />;
  if (!ticket) return null;
  const open = OPEN_TICKET_STATES.includes(ticket.state);
  const acceptsReplies = ticket.state !== 'closed' && ticket.state !== 'cancelled';

  const header = (
    <PageHeader
      onBack={() => (window.history.length > 1 ? navigate(-1) : navigate('/workspace'))}
      title={
        <span>
          <Typography.Text type="secondary" style={{ fontWeight: 500, marginInlineEnd: 8 }} data-testid="ticket-number">
            {ticket.number}
          </Typography.Text>
          <span data-testid="ticket-title">{ticket.title}</span>
        </span>
      }
      tags={
        <>
          <PriorityTag code={ticket.priority} rank={ticket.priorityRank} name={ticket.priorityName} />
          <StateTag state={ticket.state} />
          <KindTag kind={ticket.kind} />
        </>
      }
      subtitle={
        <span data-testid="ticket-subtitle">
          {ticket.customerName} · {ticket.contactName ?? ticket.callerName} · {t('tickets.reportedAtShort', { at: fmtDateTime(ticket.reportedAt) })}
        </span>
      }
      extra={<Button icon={<ReloadOutlined />} onClick={() => reload()} aria-label={t('common.refresh')} data-testid="ticket-refresh" />}
    />
  );

  return (
    <div data-testid="page-ticket" className={mobile && ops.length ? 'yw-ticket-with-bar' : undefined}>
      {header}
      {created && created === ticket.number && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setCreated(null) }}
          style={{ marginBottom: 16 }}
          title={t('tickets.call.created', { number: ticket.number })}
          data-testid="ticket-created"
        />
      )}
      {conflict !== null && <TicketConflictAlert text={conflict} onReload={() => void reload()} />}
      {!mobile && ops.length > 0 && (
        <Card size="small" style={{ marginBottom: 16 }}>
          <TicketActions ticket={ticket} onChanged={refresh} onConflict={onConflict} />
        </Card>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Flex vertical gap={16}>
            <SlaPanel ticket={ticket} />
            <TicketKnowledgePanel ticket={ticket} onChanged={refresh} />
            <TicketPartsPanel ticket={ticket} onChanged={refresh} />
            <TicketRepairPanel ticket={ticket} onChanged={refresh} />
            <Card size="small" title={t('tickets.description')} data-testid="ticket-description">
              <div className="yw-ev-text">{ticket.description}</div>
              {ticket.resolution && (
                <Alert
                  type="success"
                  style={{ marginTop: 12 }}
                  title={t('tickets.resolution')}
                  description={<div className="yw-ev-text">{ticket.resolution}</div>}
                  data-testid="ticket-resolution"
                />
              )}
            </Card>
            <Card size="small" title={t('tickets.timeline')}>
              <Timeline ticket={ticket} />
            </Card>
            {canWrite && (
              <Card size="small" styles={{ body: { paddingTop: 0 } }}>
                <Tabs
                  items={[
                    {
                      key: 'reply',
                      label: <span data-testid="ticket-tab-reply">{t('tickets.reply.tab')}</span>,
                      children: acceptsReplies ? (
                        <ReplyBox ticket={ticket} allowInternal onPosted={() => refresh()} />
                      ) : (
                        <Typography.Text type="secondary">{t('tickets.reply.closed')}</Typography.Text>
                      ),
                    },
                    ...(ticket.state !== 'cancelled'
                      ? [
                          {
                            key: 'worklog',
                            label: <span data-testid="ticket-tab-worklog">{t('tickets.worklog.tab')}</span>,
                            children: <WorklogForm ticket={ticket} onPosted={() => refresh()} />,
                          },
                        ]
                      : []),
                  ]}
                />
              </Card>
            )}
          </Flex>
        </Col>
        <Col xs={24} lg={8}>
          <SidePanel ticket={ticket} open={open} onChanged={refresh} />
        </Col>
      </Row>
      {mobile && ops.length > 0 && <TicketActions ticket={ticket} onChanged={refresh} onConflict={onConflict} mobileBar />}
    </div>
  );
}

function SidePanel({ ticket, open, onChanged }: { ticket: Ticket; open: boolean; onChanged: (next?: Ticket) => Promise<unknown> }) {
  const { t, fmtDateTime } = useI18n();
  const can = useCan();
  const axisName = useAxisName();
  const contact = useQuery({
    queryKey: ['/contacts', 'byId', ticket.contactId],
    queryFn: () => api.get<Contact>(`/contacts/${ticket.contactId}`),
    enabled: can('customers.read') && ticket.contactId != null,
    staleTime: 60_000,
    retry: false,
  });
  const site = useQuery({
    queryKey: ['/sites', 'byId', ticket.siteId],
    queryFn: () => api.get<Site>(`/sites/${ticket.siteId}`),
    enabled: can('customers.read') && ticket.siteId != null,
    staleTime: 60_000,
    retry: false,
  });
  const c = contact.data;
  // A caller logged by name and number only has no contact record: his number is on the ticket.
  const phones = c ? [c.mobile, c.phone].filter((p): p is string => !!p) : ticket.contactId == null && ticket.callerPhone ? [ticket.callerPhone] : [];
  const when = (v: string | null) => (v ? fmtDateTime(v) : '—');

  return (
    <Flex vertical gap={16}>
      <Card size="small" title={t('tickets.contact')} data-testid="ticket-contact">
        <Typography.Text strong style={{ fontSize: 15 }}>
          {ticket.contactName ?? ticket.callerName}
        </Typography.Text>
        {ticket.contactId == null && (
          <Tag style={{ marginInlineStart: 6 }} data-testid="ticket-caller-only">
            {t('desk.callerOnlyTag')}
          </Tag>
        )}
        {c?.isVip && (
          <Tag color="gold" style={{ marginInlineStart: 6 }}>
            VIP
          </Tag>
        )}
        {c?.title && <Typography.Text type="secondary"> · {c.title}</Typography.Text>}
        {phones.length > 0 && (
          <Flex vertical gap={4} style={{ marginTop: 8 }}>
            {phones.map((p) => (
              <a key={p} href={telHref(p)} data-testid="ticket-contact-phone">
                <PhoneOutlined /> {p}
              </a>
            ))}
          </Flex>
        )}
        {c?.email && (
          <div style={{ marginTop: 4 }}>
            <a href={`mailto:${c.email}`}>{c.email}</a>
          </div>
        )}
      </Card>
      <Card size="small" data-testid="ticket-details">
        <Descriptions
          size="small"
          column={1}
          items={[
            {
              key: 'customer',
              label: t('tickets.customer'),
              children: can('customers.read') ? (
                <Link to={`/admin/customers/${ticket.customerId}`} data-testid="ticket-customer">
                  {ticket.customerName}
                </Link>
              ) : (
                <span data-testid="ticket-customer">{ticket.customerName}</span>
              ),
            },
            {
              key: 'site',
              label: t('tickets.site'),
              children: (
                <span data-testid="ticket-site">
                  {ticket.siteName ?? '—'}
                  {site.data?.address && (
                    <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                      {site.data.address}
                    </Typography.Text>
                  )}
                </span>
              ),
            },
            {
              key: 'contract',
              label: t('tickets.contract'),
              children: can('sla.read') ? (
                <Link to={`/admin/contracts/${ticket.contractId}/sla`} data-testid="ticket-contract">
                  {ticket.contractName}
                </Link>
              ) : (
                <span data-testid="ticket-contract">{ticket.contractName}</span>
              ),
            },
            {
              key: 'assignee',
              label: t('tickets.assignee'),
              children: (
                <span data-testid="ticket-assignee">
                  {ticket.assigneeName ?? t('tickets.unassignedShort')}
                  {ticket.teamName && <Typography.Text type="secondary"> · {ticket.teamName}</Typography.Text>}
                </span>
              ),
            },
            {
              key: 'impact',
              label: `${t('tickets.impact')} / ${t('tickets.urgency')}`,
              children: (
                <span title={`${axisName('impact', ticket.impact)} / ${axisName('urgency', ticket.urgency)}`}>
                  {shortAxis(axisName('impact', ticket.impact))} / {shortAxis(axisName('urgency', ticket.urgency))}
                </span>
              ),
            },
            { key: 'channel', label: t('tickets.channel'), children: t(`tickets.channel.${ticket.channel}` as MessageKey) },
            ...(ticket.service ? [{ key: 'service', label: t('tickets.service'), children: ticket.service }] : []),
            ...(ticket.category ? [{ key: 'category', label: t('tickets.category'), children: ticket.category }] : []),
            { key: 'reported', label: t('tickets.reportedAt'), children: when(ticket.reportedAt) },
            { key: 'responded', label: t('tickets.respondedAt'), children: when(ticket.respondedAt) },
            ...(ticket.onsiteAt ? [{ key: 'onsite', label: t('tickets.onsiteAt'), children: when(ticket.onsiteAt) }] : []),
            ...(ticket.resolvedAt ? [{ key: 'resolved', label: t('tickets.resolvedAt'), children: when(ticket.resolvedAt) }] : []),
            ...(ticket.closedAt ? [{ key: 'closed', label: t('tickets.closedAt'), children: when(ticket.closedAt) }] : []),
            ...(ticket.closure
              ? [
                  {
                    key: 'consent',
                    label: t('tickets.closure.label'),
                    children: (
                      <span data-testid="ticket-closure">
                        {ticket.closure.consent === 'confirmed'
                          ? t('tickets.closure.confirmed') + (ticket.closure.emailLink ? ` · ${t('tickets.viaEmailLink', { name: ticket.closure.emailLink.name })}` : '')
                          : ticket.closure.consent === 'no_objection'
                            ? t('tickets.closure.noObjection', { n: ticket.closure.workdays ?? 0, mail: ticket.closure.mailSentAt ? when(ticket.closure.mailSentAt) : t('tickets.closure.noMail') })
                            : t('tickets.closure.provider', { reason: ticket.closure.reason ?? '' })}
                      </span>
                    ),
                  },
                ]
              : []),
          ]}
        />
        <Link to={`/tickets/${ticket.id}/report`} data-testid="ticket-report-link">
          <FileProtectOutlined /> {t('tickets.repairReport')}
        </Link>
      </Card>
      <TicketCisPanel ticket={ticket} />
      {ticket.ola && ticket.ola.length > 0 && <OlaCard ticket={ticket} />}
      <LinksCard ticket={ticket} open={open} onChanged={onChanged} />
      <Card size="small" title={t('tickets.attachments')} data-testid="ticket-attachments">
        {ticket.attachments.length === 0 ? (
          <Typography.Text type="secondary">{t('tickets.noAttachments')}</Typography.Text>
        ) : (
          <List
            size="small"
            dataSource={ticket.attachments}
            renderItem={(a) => (
              <List.Item style={{ paddingInline: 0 }}>
                <a href={attachmentUrl(ticket.id, a.id)} download={a.name} data-testid="ticket-attachment-link">
                  <PaperClipOutlined /> {a.name}
                </a>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {fmtSize(a.size)}
                </Typography.Text>
              </List.Item>
            )}
          />
        )}
      </Card>
    </Flex>
  );
}

/** The desk's own time limits (REQ T11), when the server reports them. */
function OlaCard({ ticket }: { ticket: Ticket }) {
  const { t, fmtDateTime } = useI18n();
  const now = useNow();
  const dur = useDuration();
  return (
    <Card size="small" title={t('tickets.ola.title')} data-testid="ticket-ola">
      <Flex vertical gap={6}>
        {(ticket.ola ?? []).map((o, i) => {
          const key = `tickets.ola.${o.target}` as MessageKey;
          const name = t(key) === key ? o.target : t(key);
          const due = new Date(o.dueAt).getTime();
          const text =
            o.state === 'met'
              ? t('tickets.sla.met')
              : o.state === 'breached' || due < now
                ? t('tickets.sla.overdue', { d: dur((o.metAt ? new Date(o.metAt).getTime() : now) - due, false) })
                : t('tickets.sla.remaining', { d: dur(due - now) });
          const color = o.state === 'met' ? '#389e0d' : o.state === 'breached' || due < now ? '#cf1322' : undefined;
          return (
            <Flex key={`${o.target}-${i}`} justify="space-between" gap={8} data-testid={`ticket-ola-${o.target}`} data-state={o.state}>
              <Typography.Text>{name}</Typography.Text>
              <Typography.Text style={{ color }} title={t('tickets.sla.dueAt', { at: fmtDateTime(o.dueAt) })}>
                {text}
              </Typography.Text>
            </Flex>
          );
        })}
      </Flex>
    </Card>
  );
}

/** Related tickets, and (provider staff) linking another one by number or title. */
function LinksCard({ ticket, open, onChanged }: { ticket: Ticket; open: boolean; onChanged: (next?: Ticket) => Promise<unknown> }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const can = useCan();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(h);
  }, [text]);
  const search = useQuery({
    queryKey: ['/tickets', 'pick', q],
    queryFn: () => api.get<Page<TicketListItem>>('/tickets', { q, limit: 10 }).then((d) => asPage(d).items),
    enabled: q.length > 0,
    staleTime: 10_000,
  });
  const add = async (otherId: Id) => {
    try {
      const next = await api.post<Ticket>(`/tickets/${ticket.id}/links`, { otherId, kind: 'related' });
      setText('');
      await onChanged(next);
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const canLink = can('tickets.write') && open;
  return (
    <Card size="small" title={t('tickets.links')} data-testid="ticket-links">
      {ticket.links.length === 0 ? (
        <Typography.Text type="secondary">{t('tickets.noLinks')}</Typography.Text>
      ) : (
        <Flex vertical gap={6}>
          {ticket.links.map((l) => (
            <Link key={`${l.kind}-${l.otherId}`} to={`/tickets/${l.otherId}`} data-testid="ticket-link">
              <LinkOutlined /> {l.number} {l.title}{' '}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                · {t(`tickets.linkKind.${l.kind}` as MessageKey) === `tickets.linkKind.${l.kind}` ? l.kind : t(`tickets.linkKind.${l.kind}` as MessageKey)} ·{' '}
                {t(`tickets.state.${l.state}` as MessageKey)}
              </Typography.Text>
            </Link>
          ))}
        </Flex>
      )}
      {canLink && (
        <Select<Id>
          style={{ width: '100%', marginTop: 8 }}
          size="small"
          value={null as unknown as Id}
          placeholder={t('tickets.linkAdd')}
          showSearch={{ onSearch: setText, filterOption: false }}
          notFoundContent={search.isFetching ? <Spin size="small" /> : q ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : null}
          options={(search.data ?? [])
            .filter((x) => x.id !== ticket.id && !ticket.links.some((l) => l.otherId === x.id))
            .map((x) => ({ value: x.id, label: `${x.number} ${x.title}` }))}
          onChange={(v) => v && void add(v)}
          data-testid="ticket-link-add"
        />
      )}
    </Card>
  );
}
