import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Flex, Input, Modal, Rate, Typography } from 'antd';
import { CheckOutlined, CloseOutlined, FileProtectOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../api/client';
import type { Ticket } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { Timeline } from '../../components/tickets/Timeline';
import { ReplyBox } from '../../components/tickets/ReplyBox';
import { ProgressTag, ticketKey, useApiHasPath, useTicket } from '../../components/tickets/ticketShared';
import { TicketConflictAlert, TicketLoadState } from '../../components/tickets/TicketPageStates';
import { TicketRepairPanel } from '../repairs/TicketRepairPanel';

type Ask = 'reject' | 'cancel' | null;

/**
 * A ticket in the portal: progress in plain words, the public timeline, the reply box; when
 * resolved, 确认解决 or 未解决 (with a reason); once resolved or closed, a 1–5 star rating, and
 * for a poor one the offer to complain. The repair report, when there is one.
 */
export default function PortalTicketPage() {
  const { id } = useParams();
  const { t, fmtDateTime, errorText } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const query = useTicket(id);
  const ticket = query.data;
  const [ask, setAsk] = useState<Ask>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const created = (location.state as { created?: string } | null)?.created;
  const hasRating = useApiHasPath('/tickets/{id}/rating');
  const hasComplaint = useApiHasPath('/tickets/{id}/complaint');
  const hasReportApi = useApiHasPath('/tickets/{id}/repair-report', 'get');
  const report = useQuery({
    queryKey: ['/tickets', Number(id), 'repair-report'],
    queryFn: () => api.get<{ id: number; state: string }>(`/tickets/${id}/repair-report`).catch((e) => (isApiError(e) && e.status === 404 ? null : Promise.reject(e))),
    enabled: hasReportApi && !!ticket,
    retry: false,
  });

  const afterChange = async (next?: Ticket) => {
    if (next) qc.setQueryData(ticketKey(next.id), next);
    void qc.invalidateQueries({ queryKey: ['/tickets', 'list'] });
    if (!next) await query.refetch();
  };

  const act = async (what: 'confirm' | 'reject' | 'cancel') => {
    if (!ticket) return;
    setBusy(what);
    try {
      const next =
        what === 'confirm'
          ? await api.post<Ticket>(`/tickets/${ticket.id}/confirm`, { version: ticket.version })
          : what === 'reject'
            ? await api.post<Ticket>(`/tickets/${ticket.id}/reject`, { reason, version: ticket.version })
            : await api.post<Ticket>(`/tickets/${ticket.id}/actions/cancel`, { reason, version: ticket.version });
      message.success(t(`portal.done.${what}` as MessageKey));
      setAsk(null);
      setReason('');
      await afterChange(next);
    } catch (e) {
      if (isApiError(e) && e.status === 409) {
        setAsk(null);
        setConflict(errorText(e));
      } else message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  if (query.isPending || query.isError)
    return <TicketLoadState query={query} notFoundTestid="portal-ticket-not-found" backTo="/portal" backLabel={t('portal.backToPortal')} />;
  if (!ticket) return null;
  const allowed = new Set(ticket.allowedActions);
  const done = ticket.state === 'resolved' || ticket.state === 'closed';
  const canReply = ticket.state !== 'closed' && ticket.state !== 'cancelled';

  return (
    <div data-testid="page-portal-ticket">
      <PageHeader
        onBack={() => navigate('/portal')}
        title={<span data-testid="ticket-title">{ticket.title}</span>}
        tags={<ProgressTag state={ticket.state} />}
        subtitle={
          <span>
            <span data-testid="ticket-number">{ticket.number}</span> · {t('tickets.reportedAtShort', { at: fmtDateTime(ticket.reportedAt) })}
          </span>
        }
        extra={<Button icon={<ReloadOutlined />} onClick={() => query.refetch()} aria-label={t('common.refresh')} />}
      />
      {created === ticket.number && <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t('portal.report.done', { number: ticket.number })} data-testid="portal-created" />}
      {conflict && (
        <TicketConflictAlert
          text={conflict}
          onReload={() => {
            setConflict(null);
            void query.refetch();
          }}
        />
      )}
      <Flex vertical gap={16}>
        {(allowed.has('confirm') || allowed.has('reject')) && (
          <Card data-testid="portal-resolution" style={{ borderColor: '#b7eb8f', background: '#f6ffed' }}>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {ticket.state === 'resolved' ? t('portal.resolvedAsk') : t('portal.closedAsk')}
            </Typography.Title>
            {ticket.resolution && (
              <Typography.Paragraph className="yw-ev-text" data-testid="portal-resolution-text">
                <Typography.Text type="secondary">{t('tickets.labeled', { label: t('tickets.resolution') })}</Typography.Text>
                {ticket.resolution}
              </Typography.Paragraph>
            )}
            <Flex gap={8} wrap>
              {allowed.has('confirm') && (
                <Button type="primary" icon={<CheckOutlined />} loading={busy === 'confirm'} onClick={() => act('confirm')} data-testid="portal-confirm">
                  {t('portal.confirm')}
                </Button>
              )}
              {allowed.has('reject') && (
                <Button icon={<CloseOutlined />} onClick={() => setAsk('reject')} data-testid="portal-reject">
                  {t('portal.reject')}
                </Button>
              )}
            </Flex>
          </Card>
        )}
        {done && hasRating && <RatingCard ticket={ticket} hasComplaint={hasComplaint} onRated={() => afterChange()} />}
        <Card size="small" data-testid="portal-ticket-summary">
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2 }}
            items={[
              { key: 'contact', label: t('tickets.contact'), children: ticket.contactName },
              { key: 'site', label: t('tickets.site'), children: ticket.siteName ?? '—' },
              { key: 'kind', label: t('tickets.kind'), children: t(`tickets.kind.${ticket.kind}` as MessageKey) },
              { key: 'engineer', label: t('portal.engineer'), children: ticket.assigneeName ?? t('portal.notYetAssigned') },
              ...(ticket.resolvedAt ? [{ key: 'resolved', label: t('tickets.resolvedAt'), children: fmtDateTime(ticket.resolvedAt) }] : []),
            ]}
          />
          <Typography.Paragraph className="yw-ev-text" style={{ marginTop: 8, marginBottom: 0 }} data-testid="ticket-description">
            {ticket.description}
          </Typography.Paragraph>
          {report.data && (
            <Link to={`/portal/tickets/${ticket.id}/report`} data-testid="portal-report-link" style={{ display: 'inline-block', marginTop: 8 }}>
              <FileProtectOutlined /> {report.data.state === 'signed' ? t('portal.reportSigned') : t('portal.reportToSign')}
            </Link>
          )}
        </Card>
        <TicketRepairPanel ticket={ticket} />
        <Card size="small" title={t('portal.progressTitle')}>
          <Timeline ticket={ticket} customerView />
        </Card>
        {canReply && (
          <Card size="small" title={t('portal.reply.title')}>
            <ReplyBox ticket={ticket} allowInternal={false} prefix="portal" onPosted={() => afterChange()} />
          </Card>
        )}
        {allowed.has('cancel') && (
          <Flex justify="flex-end">
            <Button type="link" danger icon={<StopOutlined />} onClick={() => setAsk('cancel')} data-testid="portal-cancel">
              {t('portal.cancel')}
            </Button>
          </Flex>
        )}
      </Flex>
      <Modal
        open={ask !== null}
        title={ask === 'reject' ? t('portal.reject') : t('portal.cancel')}
        onCancel={() => setAsk(null)}
        onOk={() => ask && reason.trim() && act(ask)}
        okText={ask === 'reject' ? t('portal.rejectSubmit') : t('portal.cancelSubmit')}
        okButtonProps={{ disabled: !reason.trim(), loading: busy === ask, danger: ask === 'cancel', 'data-testid': `portal-${ask}-submit` }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{ask === 'reject' ? t('portal.rejectHelp') : t('portal.cancelHelp')}</Typography.Paragraph>
        <Input.TextArea autoFocus autoSize={{ minRows: 3, maxRows: 8 }} value={reason} onChange={(e) => setReason(e.target.value)} data-testid={`portal-${ask}-reason`} />
      </Modal>
    </div>
  );
}

/** 1–5 stars with a comment; a poor rating offers a complaint (when the server suggests it). */
function RatingCard({ ticket, hasComplaint, onRated }: { ticket: Ticket; hasComplaint: boolean; onRated: () => Promise<unknown> }) {
  const { t, errorText, fmtDateTime } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [complaint, setComplaint] = useState<string | null>(null);
  const [complaining, setComplaining] = useState(false);

  if (ticket.rating) {
    return (
      <Card size="small" title={t('portal.rating.title')} data-testid="portal-rating-done">
        <Rate disabled value={ticket.rating.score} />
        <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
          {t('portal.rating.thanks', { at: fmtDateTime(ticket.rating.ratedAt) })}
        </Typography.Text>
        {ticket.rating.comment && <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>{ticket.rating.comment}</Typography.Paragraph>}
      </Card>
    );
  }

  const rate = async () => {
    setBusy(true);
    try {
      const res = await api.post<{ suggestComplaint?: boolean } | null>(`/tickets/${ticket.id}/rating`, { score, comment: comment.trim() ? comment : null });
      message.success(t('portal.rating.saved'));
      const suggest = typeof res?.suggestComplaint === 'boolean' ? res.suggestComplaint : score <= 2;
      if (suggest && hasComplaint) setComplaint('');
      await onRated();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const lodge = async () => {
    setComplaining(true);
    try {
      const res = await api.post<{ id?: number; number?: string } | null>(`/tickets/${ticket.id}/complaint`, { text: complaint });
      message.success(res?.number ? t('portal.complaint.doneNumber', { number: res.number }) : t('portal.complaint.done'));
      setComplaint(null);
      await onRated();
      if (res?.id) navigate(`/portal/tickets/${res.id}`);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setComplaining(false);
    }
  };

  return (
    <Card size="small" title={t('portal.rating.title')} data-testid="portal-rating">
      <Flex vertical gap={8}>
        <Flex align="center" gap={8} wrap>
          <span data-testid="portal-rating-stars">
            <Rate value={score} onChange={setScore} />
          </span>
          {score > 0 && <Typography.Text type="secondary">{t(`portal.rating.score.${score}` as MessageKey)}</Typography.Text>}
        </Flex>
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 6 }}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder={t('portal.rating.commentPlaceholder')}
          maxLength={2000}
          data-testid="portal-rating-comment"
        />
        <Flex justify="flex-end">
          <Button type="primary" disabled={score === 0} loading={busy} onClick={() => void rate()} data-testid="portal-rating-submit">
            {t('portal.rating.submit')}
          </Button>
        </Flex>
      </Flex>
      <Modal
        open={complaint !== null}
        title={t('portal.complaint.ask')}
        onCancel={() => setComplaint(null)}
        onOk={() => complaint?.trim() && void lodge()}
        okText={t('portal.complaint.submit')}
        cancelText={t('portal.complaint.no')}
        okButtonProps={{ disabled: !complaint?.trim(), loading: complaining, 'data-testid': 'portal-complaint-submit' }}
        cancelButtonProps={{ 'data-testid': 'portal-complaint-no' }}
        data-testid="portal-complaint-modal"
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('portal.complaint.help')}</Typography.Paragraph>
        <Input.TextArea autoFocus autoSize={{ minRows: 3, maxRows: 8 }} value={complaint ?? ''} onChange={(e) => setComplaint(e.target.value)} data-testid="portal-complaint-text" />
      </Modal>
    </Card>
  );
}
