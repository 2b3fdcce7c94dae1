import { useEffect, useState, type ReactNode } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App, Button, DatePicker, Dropdown, Flex, Form, Input, Modal, Radio, Switch } from 'antd';
import {
  ArrowUpOutlined,
  CheckOutlined,
  EnvironmentOutlined,
  ExportOutlined,
  LockOutlined,
  MoreOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  RedoOutlined,
  SearchOutlined,
  StopOutlined,
  TeamOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import { api, applyFieldErrors, isApiError } from '../../api/client';
import type { Id, Ticket } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';
import { RemoteSelect } from '../RemoteSelect';
import { AssignFormItems, AssigneeSelect } from './AssignFields';
import { useApiHasPath } from './ticketShared';

/** What a button does: a lifecycle action, a visit, or an escalation. */
type Op =
  | 'accept'
  | 'diagnose'
  | 'start'
  | 'resume'
  | 'visit-arrive'
  | 'visit-leave'
  | 'resolve'
  | 'wait_customer'
  | 'wait_vendor'
  | 'escalate'
  | 'assign'
  | 'decline'
  | 'close'
  | 'reopen'
  | 'cancel';

const ORDER: Op[] = ['accept', 'diagnose', 'start', 'resume', 'visit-arrive', 'visit-leave', 'resolve', 'wait_customer', 'wait_vendor', 'escalate', 'assign', 'decline', 'close', 'reopen', 'cancel'];
/** Which of the shown buttons is the next right action. */
const PRIMARY: Op[] = ['accept', 'start', 'resume', 'resolve', 'close'];
/** Actions that ask for something first. */
const WITH_FORM: Op[] = ['diagnose', 'close', 'visit-arrive', 'visit-leave', 'resolve', 'wait_customer', 'wait_vendor', 'escalate', 'assign', 'decline', 'reopen', 'cancel'];
const VISIT_STATES = ['assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'];

const ICONS: Record<Op, ReactNode> = {
  accept: <CheckOutlined />,
  diagnose: <SearchOutlined />,
  start: <PlayCircleOutlined />,
  resume: <PlayCircleOutlined />,
  'visit-arrive': <EnvironmentOutlined />,
  'visit-leave': <ExportOutlined />,
  resolve: <CheckOutlined />,
  wait_customer: <PauseCircleOutlined />,
  wait_vendor: <PauseCircleOutlined />,
  escalate: <ArrowUpOutlined />,
  assign: <TeamOutlined />,
  decline: <UserSwitchOutlined />,
  close: <LockOutlined />,
  reopen: <RedoOutlined />,
  cancel: <StopOutlined />,
};

interface OpValues {
  reason?: string;
  resolution?: string;
  teamId?: Id | null;
  assigneeId?: Id | null;
  at?: Dayjs;
  result?: string;
  kind?: 'functional' | 'hierarchical';
  toTeamId?: Id | null;
  toUserId?: Id | null;
  vendor?: string;
  waitVendor?: boolean;
  /** diagnose: whether the cause was found remotely (the cause itself in `result`). */
  remote?: boolean;
}

/** Is an engineer of this ticket on site now (checked in, not yet left)? */
export function onSiteNow(ticket: Ticket): boolean {
  const visits = ticket.timeline.filter((e) => e.type === 'visit');
  return visits.length > 0 && visits[visits.length - 1].data.event === 'arrived';
}

/** The buttons the caller may press now, in order (provider staff). */
export function useTicketOps(ticket: Ticket | undefined): Op[] {
  const can = useCan();
  const canEscalate = useApiHasPath('/tickets/{id}/escalate');
  if (!ticket) return [];
  const allowed = new Set(ticket.allowedActions);
  const ops: Op[] = [];
  for (const op of ORDER) {
    if (op === 'visit-arrive' || op === 'visit-leave') {
      if (!can('tickets.write') || !VISIT_STATES.includes(ticket.state)) continue;
      if ((op === 'visit-arrive') === onSiteNow(ticket)) continue;
      ops.push(op);
    } else if (op === 'escalate') {
      // shown only when the server offers the endpoint (another build may not have it yet)
      if (canEscalate && allowed.has(op)) ops.push(op);
    } else if (allowed.has(op)) ops.push(op);
  }
  return ops;
}

/**
 * The ticket's next allowed actions as buttons (from `allowedActions`, plus on-site check-in and
 * leaving, and escalation where the server offers it). Actions that need words ask in a dialog.
 * A stale version or a state someone else changed (409) goes to `onConflict`.
 */
export function TicketActions({
  ticket,
  onChanged,
  onConflict,
  mobileBar,
}: {
  ticket: Ticket;
  onChanged: (next?: Ticket) => Promise<unknown> | void;
  onConflict: (e: unknown) => void;
  /** Render as the phone's sticky bottom bar: the first actions as buttons, the rest under "更多". */
  mobileBar?: boolean;
}) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const ops = useTicketOps(ticket);
  const [busy, setBusy] = useState<Op | null>(null);
  const [asking, setAsking] = useState<Op | null>(null);
  const [form] = Form.useForm<OpValues>();
  const [problem, setProblem] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form);
  const can = useCan();
  const canPickUsers = can('users.read');

  useEffect(() => {
    if (!asking) return;
    form.resetFields();
    setProblem(null);
    if (asking === 'visit-arrive') form.setFieldsValue({ at: dayjs().second(0).millisecond(0) });
    if (asking === 'assign') form.setFieldsValue({ teamId: ticket.teamId, assigneeId: ticket.assigneeId });
    if (asking === 'escalate') form.setFieldsValue({ kind: 'functional', waitVendor: false });
    if (asking === 'diagnose') form.setFieldsValue({ remote: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [asking]);

  const label = (op: Op) => t(`tickets.op.${op}` as MessageKey);

  const perform = async (op: Op, v: OpValues = {}) => {
    const id = ticket.id;
    if (op === 'visit-arrive') return api.post(`/tickets/${id}/visits`, { event: 'arrive', at: (v.at ?? dayjs()).format() });
    if (op === 'visit-leave') return api.post(`/tickets/${id}/visits`, { event: 'leave', result: v.result?.trim() ? v.result : null });
    if (op === 'escalate') {
      return api.post<Ticket>(`/tickets/${id}/escalate`, {
        kind: v.kind ?? 'functional',
        reason: v.reason,
        toTeamId: v.toTeamId ?? null,
        toUserId: v.toUserId ?? null,
        vendor: v.vendor?.trim() ? v.vendor.trim() : null,
        waitVendor: !!v.waitVendor,
        version: ticket.version,
      });
    }
    const body: Record<string, unknown> = { version: ticket.version };
    if (v.reason !== undefined) body.reason = v.reason?.trim() ? v.reason : null;
    if (op === 'resolve') body.resolution = v.resolution;
    if (op === 'diagnose') {
      body.result = v.result;
      body.remote = !!v.remote;
    }
    if (op === 'assign') {
      body.teamId = v.teamId ?? null;
      body.assigneeId = v.assigneeId ?? null;
    }
    return api.post<Ticket>(`/tickets/${id}/actions/${op}`, body);
  };

  const run = async (op: Op, v?: OpValues) => {
    setBusy(op);
    setProblem(null);
    try {
      const res = await perform(op, v);
      message.success(t('tickets.op.done', { action: label(op) }));
      setAsking(null);
      const next = res && typeof res === 'object' && 'allowedActions' in (res as object) ? (res as Ticket) : undefined;
      await onChanged(next);
    } catch (e) {
      if (isApiError(e) && e.status === 409) {
        setAsking(null);
        onConflict(e);
      } else if (asking && isApiError(e) && e.errors.length) {
        const unmatched = applyFieldErrors(form, e, { resolution: 'resolution', reason: 'reason', result: 'result' });
        if (unmatched.length) setProblem(unmatched.map((u) => u.message).join('；'));
      } else if (asking) setProblem(errorText(e));
      else message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const press = (op: Op) => (WITH_FORM.includes(op) ? setAsking(op) : void run(op));

  if (ops.length === 0) return null;
  const primary = ops.find((op) => PRIMARY.includes(op));
  const button = (op: Op, opts: { block?: boolean } = {}) => (
    <Button
      key={op}
      type={op === primary ? 'primary' : 'default'}
      danger={op === 'cancel'}
      icon={ICONS[op]}
      loading={busy === op}
      disabled={busy !== null && busy !== op}
      onClick={() => press(op)}
      block={opts.block}
      data-testid={`ticket-action-${op}`}
    >
      {label(op)}
    </Button>
  );

  let content: ReactNode;
  if (mobileBar) {
    const head = primary ? [primary, ...ops.filter((o) => o !== primary)] : ops;
    const shown = head.slice(0, 2);
    const rest = head.slice(shown.length);
    content = (
      <Flex gap={8} className="yw-ticket-bottom-bar" data-testid="ticket-actions">
        {shown.map((op) => (
          <div key={op} style={{ flex: 1 }}>
            {button(op, { block: true })}
          </div>
        ))}
        {rest.length > 0 && (
          <Dropdown
            trigger={['click']}
            placement="topRight"
            menu={{
              items: rest.map((op) => ({
                key: op,
                icon: ICONS[op],
                danger: op === 'cancel',
                label: <span data-testid={`ticket-action-${op}`}>{label(op)}</span>,
              })),
              onClick: ({ key }) => press(key as Op),
            }}
          >
            <Button icon={<MoreOutlined />} data-testid="ticket-actions-more" style={{ flex: shown.length ? undefined : 1 }}>
              {t('common.more')}
            </Button>
          </Dropdown>
        )}
      </Flex>
    );
  } else {
    content = (
      <Flex gap={8} wrap data-testid="ticket-actions">
        {ops.map((op) => button(op))}
      </Flex>
    );
  }

  // Closing without the customer's confirmation needs a reason the contact is told (REQ #36).
  const needsReason = asking === 'reopen' || asking === 'cancel' || asking === 'decline' || asking === 'escalate' || asking === 'close';

  return (
    <>
      {content}
      <Modal
        open={asking !== null}
        title={asking ? label(asking) : ''}
        onCancel={() => setAsking(null)}
        onOk={() => form.submit()}
        okText={asking ? label(asking) : undefined}
        okButtonProps={{ loading: busy !== null, danger: asking === 'cancel', 'data-testid': 'ticket-action-submit' }}
        cancelButtonProps={{ 'data-testid': 'ticket-action-cancel' }}
        forceRender
        data-testid="ticket-action-modal"
      >
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} data-testid="ticket-action-error" />}
        <Form<OpValues>
          form={form}
          layout="vertical"
          onFinish={(v) => asking && run(asking, v)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              form.submit();
            }
          }}
        >
          {asking === 'resolve' && (
            <Form.Item
              name="resolution"
              label={t('tickets.resolution')}
              extra={t('tickets.op.resolveHelp')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('tickets.resolution') }) }]}
            >
              <Input.TextArea autoFocus autoSize={{ minRows: 3, maxRows: 10 }} data-testid="ticket-action-resolution" />
            </Form.Item>
          )}
          {asking === 'assign' && <AssignFormItems prefix="ticket-action" />}
          {asking === 'diagnose' && (
            <>
              <Form.Item
                name="result"
                label={t('tickets.diagnose.result')}
                extra={t('tickets.diagnose.help')}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('tickets.diagnose.result') }) }]}
              >
                <Input.TextArea autoFocus autoSize={{ minRows: 2, maxRows: 8 }} data-testid="ticket-diagnose-result" />
              </Form.Item>
              <Form.Item name="remote" label={t('tickets.diagnose.remote')} valuePropName="checked">
                <Switch data-testid="ticket-diagnose-remote" />
              </Form.Item>
            </>
          )}
          {asking === 'close' && <Alert type="info" showIcon title={t('tickets.close.providerHelp')} style={{ marginBottom: 16 }} />}
          {asking === 'escalate' && (
            <>
              <Form.Item name="kind" label={t('tickets.escalate.kind')}>
                <Radio.Group>
                  <Radio value="functional">
                    <span data-testid="ticket-escalate-functional">{t('tickets.escalate.functional')}</span>
                  </Radio>
                  <Radio value="hierarchical">
                    <span data-testid="ticket-escalate-hierarchical">{t('tickets.escalate.hierarchical')}</span>
                  </Radio>
                </Radio.Group>
              </Form.Item>
              {kind !== 'hierarchical' && (
                <>
                  <Form.Item name="toTeamId" label={t('tickets.escalate.toTeam')} extra={t('tickets.escalate.toTeamHelp')}>
                    <RemoteSelect resource="teams" testid="ticket-escalate-team" />
                  </Form.Item>
                  <Form.Item name="vendor" label={t('tickets.escalate.vendor')}>
                    <Input maxLength={100} data-testid="ticket-escalate-vendor" />
                  </Form.Item>
                  <Form.Item name="waitVendor" label={t('tickets.escalate.waitVendor')} valuePropName="checked">
                    <Switch />
                  </Form.Item>
                </>
              )}
              {canPickUsers ? (
                <Form.Item name="toUserId" label={kind === 'hierarchical' ? t('tickets.escalate.toManager') : t('tickets.escalate.toUser')} extra={kind === 'hierarchical' ? t('tickets.escalate.pmHelp') : undefined}>
                  <AssigneeSelect testid="ticket-escalate-user" />
                </Form.Item>
              ) : (
                kind === 'hierarchical' && <Alert type="info" showIcon title={t('tickets.escalate.pmHelp')} style={{ marginBottom: 16 }} />
              )}
            </>
          )}
          {asking === 'visit-arrive' && (
            <Form.Item name="at" label={t('tickets.visit.arrivedAt')} extra={t('tickets.visit.arrivedHelp')} rules={[{ required: true }]}>
              <DatePicker
                showTime={{ format: 'HH:mm' }}
                format={(d) => d.format(t('tickets.call.dateTimeFormat'))}
                allowClear={false}
                disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
                style={{ width: '100%' }}
                data-testid="ticket-visit-at"
              />
            </Form.Item>
          )}
          {asking === 'visit-leave' && (
            <Form.Item name="result" label={t('tickets.visit.result')}>
              <Input.TextArea autoFocus autoSize={{ minRows: 2, maxRows: 8 }} placeholder={t('tickets.visit.resultPlaceholder')} data-testid="ticket-visit-result" />
            </Form.Item>
          )}
          {(needsReason || asking === 'wait_customer' || asking === 'wait_vendor') && (
            <Form.Item
              name="reason"
              label={t('tickets.reason')}
              rules={needsReason ? [{ required: true, whitespace: true, message: t('common.required', { field: t('tickets.reason') }) }] : []}
            >
              <Input.TextArea autoFocus={asking !== 'escalate'} autoSize={{ minRows: 2, maxRows: 8 }} data-testid="ticket-action-reason" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
