import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Popconfirm, Radio, Select, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { MailOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, asPage, type Page } from '../../api/client';
import { TICKET_KINDS, type Contact, type Id, type TicketKind } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect, useNames } from '../../components/RemoteSelect';

// Inbound email (docs/MAIL-IN.md; server/src/modules/mailin/schema.ts).
type UnknownSenders = 'reject' | 'accept';
type MailResult = 'processing' | 'created' | 'replied' | 'rejected' | 'ignored' | 'failed';
const MAIL_RESULTS: MailResult[] = ['created', 'replied', 'rejected', 'ignored', 'failed', 'processing'];
const RESULT_COLOR: Record<MailResult, string> = { created: 'green', replied: 'blue', rejected: 'red', ignored: 'default', failed: 'volcano', processing: 'gold' };
/** The default priority matrix's codes; a contract with its own matrix may use others (typed in). */
const LEVELS = ['high', 'medium', 'low'] as const;

export interface Mailbox {
  id: Id;
  address: string;
  name: string | null;
  customerId: Id | null;
  kind: TicketKind;
  service: string | null;
  category: string | null;
  impact: string;
  urgency: string;
  unknownSenders: UnknownSenders;
  fallbackContactId: Id | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface MailLogEntry {
  id: Id;
  receivedAt: string;
  via: 'smtp' | 'api';
  messageId: string;
  fromAddress: string;
  fromName: string | null;
  toAddress: string;
  subject: string;
  size: number;
  mailboxId: Id | null;
  customerId: Id | null;
  contactId: Id | null;
  result: MailResult;
  reason: string | null;
  reasonText: string | null;
  detail: string | null;
  ticketId: Id | null;
  ticketNumber: string | null;
}

interface Values {
  address: string;
  name?: string;
  customerId?: Id | null;
  kind: TicketKind;
  service?: string;
  category?: string;
  impact: string;
  urgency: string;
  unknownSenders: UnknownSenders;
  fallbackContactId?: Id | null;
  enabled: boolean;
}

function ResultTag({ result }: { result: MailResult }) {
  const { t } = useI18n();
  return (
    <Tag color={RESULT_COLOR[result]} data-testid={`mail-log-result-${result}`}>
      {t(`mailin.result.${result}` as MessageKey)}
    </Tag>
  );
}

/** The contacts of a customer with an email address (the fallback contact picker). */
function ContactSelect({ customerId, value, onChange, id }: { customerId: Id | null | undefined; value?: Id | null; onChange?: (v: Id | null) => void; id?: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ['/customers', customerId, 'contacts', 'all'],
    queryFn: () => api.get<Page<Contact> | Contact[]>(`/customers/${customerId}/contacts`, { limit: 200 }).then((d) => asPage(d).items),
    enabled: customerId != null,
    staleTime: 30_000,
  });
  return (
    <Select
      id={id}
      allowClear
      value={value ?? undefined}
      onChange={(v: Id | undefined) => onChange?.(v ?? null)}
      loading={q.isFetching}
      disabled={customerId == null}
      placeholder={customerId == null ? t('mailin.pickCustomerFirst') : undefined}
      showSearch={{ optionFilterProp: 'label' }}
      options={(q.data ?? []).map((c) => ({ value: c.id, label: c.email ? `${c.name}（${c.email}）` : c.name }))}
      data-testid="mailbox-form-fallback"
    />
  );
}

function MailLog({ mailboxes }: { mailboxes: Mailbox[] }) {
  const { t, fmtDateTime } = useI18n();
  const filters = useUrlFilters(['result', 'mailboxId', 'q'] as const);
  const list = useKeysetList<MailLogEntry>('/mail/log', {
    result: filters.values.result || undefined,
    mailboxId: filters.values.mailboxId || undefined,
    q: filters.values.q || undefined,
  });
  return (
    <Card
      title={t('mailin.log')}
      extra={<Button icon={<ReloadOutlined />} size="small" onClick={() => list.refetch()} aria-label={t('common.refresh')} data-testid="mail-log-refresh" />}
      data-testid="mail-log"
    >
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <SearchBox value={filters.values.q} onChange={(v) => filters.set({ q: v })} placeholder={t('mailin.searchPlaceholder')} testid="mail-log-search" />
        <Select
          allowClear
          placeholder={t('mailin.result')}
          style={{ width: 160 }}
          value={filters.values.result || undefined}
          onChange={(v) => filters.set({ result: v ?? null })}
          options={MAIL_RESULTS.map((r) => ({ value: r, label: t(`mailin.result.${r}` as MessageKey) }))}
          data-testid="mail-log-filter-result"
        />
        <Select
          allowClear
          placeholder={t('mailin.allMailboxes')}
          style={{ width: 240 }}
          value={filters.values.mailboxId ? Number(filters.values.mailboxId) : undefined}
          onChange={(v) => filters.set({ mailboxId: v ? String(v) : null })}
          options={mailboxes.map((m) => ({ value: m.id, label: m.address }))}
          data-testid="mail-log-filter-mailbox"
        />
      </Flex>
      <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      <Table<MailLogEntry>
        rowKey="id"
        size="small"
        data-testid="mail-log-table"
        dataSource={list.items}
        loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
        pagination={false}
        scroll={{ x: 1100 }}
        onRow={(e) => ({ 'data-testid': 'mail-log-row', 'data-result': e.result }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          rowExpandable: (e) => !!e.detail || !!e.messageId,
          expandedRowRender: (e) => (
            <Flex vertical gap={4} style={{ fontSize: 12 }} data-testid="mail-log-detail">
              <Typography.Text type="secondary" copyable={{ text: e.messageId }}>
                Message-ID: {e.messageId}
              </Typography.Text>
              <Typography.Text type="secondary">
                {t('mailin.via')}: {e.via === 'smtp' ? 'SMTP' : 'API'} · {Math.max(1, Math.round(e.size / 1024))} KB
              </Typography.Text>
              {e.detail && <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{e.detail}</pre>}
            </Flex>
          ),
        }}
        locale={{ emptyText: <Empty description={t('mailin.logEmpty')} data-testid="mail-log-empty" /> }}
        columns={[
          { title: t('mailin.receivedAt'), dataIndex: 'receivedAt', width: 160, render: (v: string) => fmtDateTime(v) },
          {
            title: t('mailin.from'),
            key: 'from',
            width: 190,
            render: (_: unknown, e) => (
              <Flex vertical>
                <span>{e.fromName || e.fromAddress || '—'}</span>
                {e.fromName && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {e.fromAddress}
                  </Typography.Text>
                )}
              </Flex>
            ),
          },
          { title: t('mailin.to'), dataIndex: 'toAddress', width: 170, ellipsis: true },
          { title: t('mailin.subject'), dataIndex: 'subject', width: 220, ellipsis: true, render: (v: string) => v || <Typography.Text type="secondary">{t('mailin.noSubject')}</Typography.Text> },
          {
            title: t('mailin.result'),
            key: 'result',
            render: (_: unknown, e) => (
              <Flex gap={4} align="center" wrap>
                <ResultTag result={e.result} />
                {e.reasonText && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="mail-log-reason">
                    {e.reasonText}
                  </Typography.Text>
                )}
              </Flex>
            ),
          },
          {
            title: t('mailin.ticket'),
            key: 'ticket',
            width: 150,
            fixed: 'right',
            render: (_: unknown, e) =>
              e.ticketId != null ? (
                <Link to={`/tickets/${e.ticketId}`} data-testid="mail-log-ticket" onClick={(ev) => ev.stopPropagation()}>
                  {e.ticketNumber ?? `#${e.ticketId}`}
                </Link>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <LoadMore list={list} testid="mail-log" />
    </Card>
  );
}

export default function MailInPage() {
  const { t, errorText, fmtDateTime } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const list = useKeysetList<Mailbox>('/mail/mailboxes');
  const customers = useNames('customers', list.items.map((m) => m.customerId), can('customers.read'));
  const [drawer, setDrawer] = useState<{ open: boolean; record: Mailbox | null }>({ open: false, record: null });
  const customerId = Form.useWatch('customerId', form);
  const unknownSenders = Form.useWatch('unknownSenders', form) ?? 'reject';
  const r = drawer.record;

  const submit = async (v: Values) => {
    const body = {
      address: v.address.trim(),
      name: v.name?.trim() || null,
      customerId: v.customerId ?? null,
      kind: v.kind,
      service: v.service?.trim() || null,
      category: v.category?.trim() || null,
      impact: (v.impact ?? 'medium').trim(),
      urgency: (v.urgency ?? 'medium').trim(),
      unknownSenders: v.customerId == null ? 'reject' : v.unknownSenders,
      fallbackContactId: v.customerId == null || v.unknownSenders !== 'accept' ? null : (v.fallbackContactId ?? null),
      enabled: v.enabled,
    };
    if (r) await api.patch(`/mail/mailboxes/${r.id}`, { ...body, version: r.version });
    else await api.post('/mail/mailboxes', body);
    await qc.invalidateQueries({ queryKey: ['/mail/mailboxes'] });
  };
  const remove = async (m: Mailbox) => {
    try {
      await api.del(`/mail/mailboxes/${m.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: ['/mail/mailboxes'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const open = (m: Mailbox | null) => setDrawer({ open: true, record: m });
  const levelName = (code: string) => ((LEVELS as readonly string[]).includes(code) ? t(`mailin.level.${code}` as MessageKey) : code);
  // The default matrix's codes, and a contract matrix's own code already set (through the API).
  const levelOptions = (current: string | undefined) =>
    [...new Set([...LEVELS, ...(current ? [current] : [])])].map((l) => ({ value: l, label: (LEVELS as readonly string[]).includes(l) ? `${levelName(l)}（${l}）` : l }));

  return (
    <div data-testid="page-mail-in">
      <PageHeader
        title={t('mailin.title')}
        subtitle={t('mailin.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open(null)} data-testid="mailboxes-new">
              {t('mailin.new')}
            </Button>
          </>
        }
      />
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('mailin.howTitle')} description={t('mailin.howText')} data-testid="mail-in-help" />
      <Card title={t('mailin.mailboxes')} style={{ marginBottom: 16 }}>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<Mailbox>
          rowKey="id"
          data-testid="mailboxes-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 1000 }}
          onRow={(m) => ({ onClick: () => open(m), style: { cursor: 'pointer' }, 'data-testid': 'mailboxes-row' }) as React.HTMLAttributes<HTMLElement>}
          locale={{
            emptyText: (
              <Empty description={t('mailin.empty')} data-testid="mailboxes-empty">
                <Button type="primary" onClick={() => open(null)}>
                  {t('mailin.new')}
                </Button>
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('mailin.address'),
              key: 'address',
              render: (_: unknown, m) => (
                <Flex vertical gap={2}>
                  <Flex gap={6} align="center" wrap>
                    <MailOutlined />
                    <Typography.Link>{m.address}</Typography.Link>
                    {!m.enabled && <Tag data-testid="mailboxes-disabled">{t('common.disabled')}</Tag>}
                  </Flex>
                  {m.name && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {m.name}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t('mailin.customer'),
              dataIndex: 'customerId',
              width: 200,
              render: (v: Id | null) =>
                v == null ? (
                  <Tooltip title={t('mailin.replyOnlyHelp')}>
                    <Tag color="purple" data-testid="mailboxes-reply-only">
                      {t('mailin.replyOnly')}
                    </Tag>
                  </Tooltip>
                ) : (
                  customers.name(v)
                ),
            },
            {
              title: t('mailin.defaults'),
              key: 'defaults',
              width: 260,
              render: (_: unknown, m) =>
                m.customerId == null ? (
                  '—'
                ) : (
                  <Flex gap={4} wrap>
                    <Tag>{t(`tickets.kind.${m.kind}` as MessageKey)}</Tag>
                    {m.service && <Tag>{m.service}</Tag>}
                    {m.category && <Tag>{m.category}</Tag>}
                    <Tag bordered={false}>
                      {t('mailin.impact')} {levelName(m.impact)} · {t('mailin.urgency')} {levelName(m.urgency)}
                    </Tag>
                  </Flex>
                ),
            },
            {
              title: t('mailin.unknownSenders'),
              dataIndex: 'unknownSenders',
              width: 150,
              render: (v: UnknownSenders, m) => (m.customerId == null ? '—' : <Tag color={v === 'accept' ? 'orange' : 'default'}>{t(`mailin.unknown.${v}.short` as MessageKey)}</Tag>),
            },
            { title: t('common.updatedAt'), dataIndex: 'updatedAt', width: 170, render: (v: string) => fmtDateTime(v) },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 140,
              align: 'right',
              render: (_: unknown, m) => (
                <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                  <Button type="link" size="small" onClick={() => open(m)} data-testid="mailboxes-edit">
                    {t('common.edit')}
                  </Button>
                  <Popconfirm title={t('common.deleteConfirm', { name: m.address })} onConfirm={() => remove(m)} okButtonProps={{ danger: true, 'data-testid': 'mailboxes-delete-confirm' }}>
                    <Button type="link" size="small" danger data-testid="mailboxes-delete">
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Flex>
              ),
            },
          ]}
        />
        <LoadMore list={list} testid="mailboxes" />
      </Card>
      <MailLog mailboxes={list.items} />

      <FormDrawer<Values>
        open={drawer.open}
        form={form}
        width={620}
        title={r ? t('mailin.edit') : t('mailin.new')}
        testid="mailbox-form"
        recordKey={r?.id ?? 'new'}
        initialValues={
          r
            ? {
                address: r.address,
                name: r.name ?? '',
                customerId: r.customerId,
                kind: r.kind,
                service: r.service ?? '',
                category: r.category ?? '',
                impact: r.impact,
                urgency: r.urgency,
                unknownSenders: r.unknownSenders,
                fallbackContactId: r.fallbackContactId,
                enabled: r.enabled,
              }
            : { kind: 'incident', impact: 'medium', urgency: 'medium', unknownSenders: 'reject', enabled: true, customerId: null }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
        successMessage={r ? t('common.saved') : t('common.created')}
      >
        <Form.Item
          name="address"
          label={t('mailin.address')}
          extra={t('mailin.addressHelp')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('mailin.address') }) },
            { type: 'email', message: t('mailin.addressInvalid') },
          ]}
        >
          <Input maxLength={254} prefix={<MailOutlined />} placeholder="hospital@desk.example.cn" autoFocus data-testid="mailbox-form-address" />
        </Form.Item>
        <Form.Item name="name" label={t('mailin.name')}>
          <Input maxLength={100} placeholder={t('mailin.namePlaceholder')} data-testid="mailbox-form-name" />
        </Form.Item>
        <Form.Item name="customerId" label={t('mailin.customer')} extra={t('mailin.customerHelp')}>
          <RemoteSelect resource="customers" testid="mailbox-form-customer" placeholder={t('mailin.replyOnly')} />
        </Form.Item>
        {customerId != null && (
          <>
            <Flex gap={12} wrap>
              <Form.Item name="kind" label={t('mailin.kind')} style={{ flex: '1 1 160px' }}>
                <Select data-testid="mailbox-form-kind" options={TICKET_KINDS.map((k) => ({ value: k, label: t(`tickets.kind.${k}` as MessageKey) }))} />
              </Form.Item>
              <Form.Item name="service" label={t('mailin.service')} style={{ flex: '1 1 160px' }}>
                <Input maxLength={100} data-testid="mailbox-form-service" />
              </Form.Item>
              <Form.Item name="category" label={t('mailin.category')} style={{ flex: '1 1 160px' }}>
                <Input maxLength={100} data-testid="mailbox-form-category" />
              </Form.Item>
            </Flex>
            <Flex gap={12} wrap>
              <Form.Item name="impact" label={t('mailin.impact')} style={{ flex: '1 1 200px' }} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('mailin.impact') }) }]}>
                <Select options={levelOptions(r?.impact)} data-testid="mailbox-form-impact" />
              </Form.Item>
              <Form.Item name="urgency" label={t('mailin.urgency')} style={{ flex: '1 1 200px' }} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('mailin.urgency') }) }]}>
                <Select options={levelOptions(r?.urgency)} data-testid="mailbox-form-urgency" />
              </Form.Item>
            </Flex>
            <Form.Item name="unknownSenders" label={t('mailin.unknownSenders')} extra={t('mailin.unknownSendersHelp')}>
              <Radio.Group>
                <Flex vertical gap={4}>
                  <Radio value="reject">
                    <span data-testid="mailbox-form-unknown-reject">{t('mailin.unknown.reject')}</span>
                  </Radio>
                  <Radio value="accept">
                    <span data-testid="mailbox-form-unknown-accept">{t('mailin.unknown.accept')}</span>
                  </Radio>
                </Flex>
              </Radio.Group>
            </Form.Item>
            {unknownSenders === 'accept' && (
              <Form.Item name="fallbackContactId" label={t('mailin.fallbackContact')} rules={[{ required: true, message: t('common.requiredSelect', { field: t('mailin.fallbackContact') }) }]}>
                <ContactSelect customerId={customerId} />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="enabled" label={t('mailin.enabled')} valuePropName="checked">
          <Switch data-testid="mailbox-form-enabled" />
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
