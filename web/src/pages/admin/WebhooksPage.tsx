import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Flex, Form, Input, Modal, Popconfirm, Select, Switch, Table, Tag, Typography } from 'antd';
import { ApiOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import { DELIVERY_STATUSES, WEBHOOK_KINDS, type Delivery, type DeliveryStatus, type Id, type Locale, type NotificationPrefs, type Webhook, type WebhookKind } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadMore, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect, useNames } from '../../components/RemoteSelect';

const KIND_COLOR: Record<WebhookKind, string> = { generic: 'default', wecom: 'green', dingtalk: 'blue', feishu: 'cyan' };
export const DELIVERY_COLOR: Record<DeliveryStatus, string> = { pending: 'default', retrying: 'orange', sent: 'green', failed: 'red', skipped: 'default' };

interface Values {
  name: string;
  kind: WebhookKind;
  url: string;
  secret?: string;
  clearSecret?: boolean;
  events: string[];
  customerId?: Id | null;
  locale: Locale;
  enabled: boolean;
}

/** Event names from the preferences catalogue (the server's list of events, in the user's language). */
function useEventNames() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ['/notifications', 'prefs'], queryFn: () => api.get<NotificationPrefs>('/notifications/prefs'), staleTime: 5 * 60_000 });
  return useMemo(() => {
    const names = new Map<string, string>((q.data?.events ?? []).map((e) => [e.event, e.name]));
    names.set('webhook.test', t('deliveries.testEvent'));
    return { list: q.data?.events ?? [], name: (code: string) => names.get(code) ?? code };
  }, [q.data, t]);
}

export function DeliveryStatusTag({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={DELIVERY_COLOR[status]} data-testid={`delivery-status-${status}`}>
      {t(`deliveries.status.${status}` as MessageKey)}
    </Tag>
  );
}

function Deliveries({ webhooks, events }: { webhooks: Webhook[]; events: (code: string) => string }) {
  const { t, fmtDateTime } = useI18n();
  const filters = useUrlFilters(['status', 'webhookId'] as const);
  const list = useKeysetList<Delivery>('/deliveries', { status: filters.values.status || undefined, webhookId: filters.values.webhookId || undefined });
  const hookName = (id: Id | null) => (id == null ? '' : (webhooks.find((w) => w.id === id)?.name ?? `#${id}`));
  return (
    <Card
      title={t('deliveries.title')}
      extra={<Button icon={<ReloadOutlined />} size="small" onClick={() => list.refetch()} aria-label={t('common.refresh')} data-testid="deliveries-refresh" />}
      data-testid="deliveries"
    >
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('common.status')}
          style={{ width: 160 }}
          value={filters.values.status || undefined}
          onChange={(v) => filters.set({ status: v ?? null })}
          options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`deliveries.status.${s}` as MessageKey) }))}
          data-testid="deliveries-filter-status"
        />
        <Select
          allowClear
          placeholder={t('deliveries.allWebhooks')}
          style={{ width: 220 }}
          value={filters.values.webhookId ? Number(filters.values.webhookId) : undefined}
          onChange={(v) => filters.set({ webhookId: v ? String(v) : null })}
          options={webhooks.map((w) => ({ value: w.id, label: w.name }))}
          data-testid="deliveries-filter-webhook"
        />
      </Flex>
      <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      <Table<Delivery>
        rowKey="id"
        size="small"
        data-testid="deliveries-table"
        dataSource={list.items}
        loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={() => ({ 'data-testid': 'deliveries-row' }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          rowExpandable: (d) => !!d.lastError,
          expandedRowRender: (d) => <pre style={{ whiteSpace: 'pre-wrap', margin: 0, fontSize: 12 }}>{d.lastError}</pre>,
        }}
        locale={{ emptyText: <Empty description={t('deliveries.empty')} data-testid="deliveries-empty" /> }}
        columns={[
          { title: t('common.time'), dataIndex: 'createdAt', width: 170, render: (v: string) => fmtDateTime(v) },
          {
            title: t('deliveries.channel'),
            dataIndex: 'channel',
            width: 150,
            render: (v: Delivery['channel'], d) => (
              <Flex vertical>
                <span>{t(`deliveries.channel.${v}` as MessageKey)}</span>
                {d.webhookId != null && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {hookName(d.webhookId)}
                  </Typography.Text>
                )}
              </Flex>
            ),
          },
          { title: t('deliveries.event'), dataIndex: 'event', width: 140, render: (v: string) => events(v) },
          { title: t('deliveries.target'), dataIndex: 'target', ellipsis: true },
          { title: t('common.status'), dataIndex: 'status', width: 100, render: (v: DeliveryStatus) => <DeliveryStatusTag status={v} /> },
          { title: t('deliveries.attempts'), dataIndex: 'attempts', width: 80 },
          {
            title: t('deliveries.lastError'),
            dataIndex: 'lastError',
            ellipsis: true,
            render: (v: string | null) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : '—'),
          },
          { title: t('deliveries.deliveredAt'), dataIndex: 'deliveredAt', width: 170, render: (v: string | null) => (v ? fmtDateTime(v) : '—') },
        ]}
      />
      <LoadMore list={list} testid="deliveries" />
    </Card>
  );
}

export default function WebhooksPage() {
  const { t, errorText, fmtDateTime } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const list = useKeysetList<Webhook>('/webhooks');
  const events = useEventNames();
  const customers = useNames('customers', list.items.map((w) => w.customerId), can('customers.read'));
  const [drawer, setDrawer] = useState<{ open: boolean; record: Webhook | null }>({ open: false, record: null });
  const [testing, setTesting] = useState<Id | null>(null);
  const [tested, setTested] = useState<{ hook: Webhook; delivery: Delivery } | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'generic';
  const clearSecret = Form.useWatch('clearSecret', form);
  const r = drawer.record;

  const submit = async (v: Values) => {
    // the server masks token-like parts of the address: send it only when it was changed
    const url = v.url.trim();
    const body = {
      name: v.name.trim(),
      kind: v.kind,
      ...(!r || url !== r.url ? { url } : {}),
      events: v.events,
      customerId: v.customerId ?? null,
      locale: v.locale,
      enabled: v.enabled,
    };
    const secret = v.secret?.trim();
    if (r) {
      await api.patch(`/webhooks/${r.id}`, { ...body, version: r.version, ...(v.clearSecret ? { secret: null } : secret ? { secret } : {}) });
    } else await api.post('/webhooks', { ...body, ...(secret ? { secret } : {}) });
    await qc.invalidateQueries({ queryKey: ['/webhooks'] });
  };
  const remove = async (w: Webhook) => {
    try {
      await api.del(`/webhooks/${w.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: ['/webhooks'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const test = async (w: Webhook) => {
    setTesting(w.id);
    try {
      const delivery = await api.post<Delivery>(`/webhooks/${w.id}/test`);
      setTested({ hook: w, delivery });
      await qc.invalidateQueries({ queryKey: ['/deliveries'] });
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setTesting(null);
    }
  };
  const open = (w: Webhook | null) => setDrawer({ open: true, record: w });

  return (
    <div data-testid="page-webhooks">
      <PageHeader
        title={t('webhooks.title')}
        subtitle={t('webhooks.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open(null)} data-testid="webhooks-new">
              {t('webhooks.new')}
            </Button>
          </>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<Webhook>
          rowKey="id"
          data-testid="webhooks-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 1000 }}
          onRow={(w) =>
            ({ onClick: () => open(w), style: { cursor: 'pointer' }, 'data-testid': 'webhooks-row' }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <Empty description={t('webhooks.empty')} data-testid="webhooks-empty">
                <Button type="primary" onClick={() => open(null)}>
                  {t('webhooks.new')}
                </Button>
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('webhooks.name'),
              key: 'name',
              render: (_: unknown, w) => (
                <Flex vertical gap={2}>
                  <Flex gap={6} align="center" wrap>
                    <Typography.Link>{w.name}</Typography.Link>
                    {!w.enabled && <Tag data-testid="webhooks-disabled">{t('common.disabled')}</Tag>}
                  </Flex>
                  <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
                    {w.url}
                  </Typography.Text>
                </Flex>
              ),
            },
            { title: t('webhooks.kind'), dataIndex: 'kind', width: 160, render: (k: WebhookKind) => <Tag color={KIND_COLOR[k]}>{t(`webhooks.kind.${k}` as MessageKey)}</Tag> },
            {
              title: t('webhooks.events'),
              dataIndex: 'events',
              width: 260,
              render: (ev: string[]) => (
                <Flex gap={4} wrap>
                  {ev.slice(0, 3).map((e) => (
                    <Tag key={e}>{events.name(e)}</Tag>
                  ))}
                  {ev.length > 3 && <Tag>+{ev.length - 3}</Tag>}
                </Flex>
              ),
            },
            {
              title: t('webhooks.customer'),
              dataIndex: 'customerId',
              width: 160,
              render: (v: Id | null) => (v == null ? <Tag color="purple">{t('webhooks.allCustomers')}</Tag> : customers.name(v)),
            },
            { title: t('common.updatedAt'), dataIndex: 'updatedAt', width: 170, render: (v: string) => fmtDateTime(v) },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 220,
              align: 'right',
              render: (_: unknown, w) => (
                <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                  <Button size="small" icon={<SendOutlined />} loading={testing === w.id} onClick={() => void test(w)} data-testid="webhooks-test">
                    {t('webhooks.test')}
                  </Button>
                  <Button type="link" size="small" onClick={() => open(w)} data-testid="webhooks-edit">
                    {t('common.edit')}
                  </Button>
                  <Popconfirm
                    title={t('common.deleteConfirm', { name: w.name })}
                    onConfirm={() => remove(w)}
                    okButtonProps={{ danger: true, 'data-testid': 'webhooks-delete-confirm' }}
                  >
                    <Button type="link" size="small" danger data-testid="webhooks-delete">
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Flex>
              ),
            },
          ]}
        />
        <LoadMore list={list} testid="webhooks" />
      </Card>
      <Deliveries webhooks={list.items} events={events.name} />

      <FormDrawer<Values>
        open={drawer.open}
        form={form}
        width={620}
        title={r ? t('webhooks.edit') : t('webhooks.new')}
        testid="webhook-form"
        recordKey={r?.id ?? 'new'}
        initialValues={
          r
            ? { name: r.name, kind: r.kind, url: r.url, secret: '', clearSecret: false, events: r.events, customerId: r.customerId, locale: r.locale, enabled: r.enabled }
            : { kind: 'generic', events: ['sla.warning', 'sla.breached'], locale: 'zh-CN', enabled: true, customerId: null }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
        successMessage={r ? t('common.saved') : t('common.created')}
        extraFooter={
          r && (
            <Button icon={<SendOutlined />} loading={testing === r.id} onClick={() => void test(r)} data-testid="webhook-form-test">
              {t('webhooks.test')}
            </Button>
          )
        }
      >
        <Form.Item name="name" label={t('webhooks.name')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('webhooks.name') }) }]}>
          <Input maxLength={100} autoFocus data-testid="webhook-form-name" placeholder="运维群机器人" />
        </Form.Item>
        <Form.Item name="kind" label={t('webhooks.kind')} rules={[{ required: true }]}>
          <Select
            data-testid="webhook-form-kind"
            options={WEBHOOK_KINDS.map((k) => ({ value: k, label: <span data-testid={`webhook-form-kind-${k}`}>{t(`webhooks.kind.${k}` as MessageKey)}</span> }))}
          />
        </Form.Item>
        <Form.Item
          name="url"
          label={t('webhooks.url')}
          extra={
            <>
              <div>{t(`webhooks.urlHelp.${kind}` as MessageKey)}</div>
              {r && r.url.includes('****') && <div>{t('webhooks.urlMasked')}</div>}
            </>
          }
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('webhooks.url') }) },
            { pattern: /^https?:\/\/\S+$/i, message: t('webhooks.urlHelp.generic') },
          ]}
        >
          <Input maxLength={2000} prefix={<ApiOutlined />} placeholder="https://" data-testid="webhook-form-url" />
        </Form.Item>
        <Form.Item
          name="secret"
          label={t('webhooks.secret')}
          extra={
            <>
              {r?.hasSecret && !clearSecret && <div>{t('webhooks.secretSet', { hint: r.secretHint ?? '****' })}</div>}
              <div>{t('webhooks.secretHelp')}</div>
            </>
          }
        >
          <Input.Password
            maxLength={200}
            autoComplete="new-password"
            disabled={!!clearSecret}
            placeholder={r?.hasSecret ? (r.secretHint ?? '****') : ''}
            data-testid="webhook-form-secret"
          />
        </Form.Item>
        {r?.hasSecret && (
          <Form.Item name="clearSecret" valuePropName="checked" style={{ marginTop: -12 }}>
            <Checkbox data-testid="webhook-form-clear-secret">{t('webhooks.clearSecret')}</Checkbox>
          </Form.Item>
        )}
        <Form.Item
          name="events"
          label={t('webhooks.events')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.requiredSelect', { field: t('webhooks.events') }) }]}
        >
          <Select mode="multiple" options={events.list.map((e) => ({ value: e.event, label: e.name }))} data-testid="webhook-form-events" showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item name="customerId" label={t('webhooks.customer')} extra={t('webhooks.customerHelp')}>
          <RemoteSelect resource="customers" testid="webhook-form-customer" placeholder={t('webhooks.allCustomers')} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="locale" label={t('webhooks.locale')} style={{ flex: '1 1 200px' }}>
            <Select
              data-testid="webhook-form-locale"
              options={[
                { value: 'zh-CN', label: '中文' },
                { value: 'en-US', label: 'English' },
              ]}
            />
          </Form.Item>
          <Form.Item name="enabled" label={t('webhooks.enabled')} valuePropName="checked" style={{ flex: '1 1 120px' }}>
            <Switch data-testid="webhook-form-enabled" />
          </Form.Item>
        </Flex>
      </FormDrawer>

      <Modal
        open={!!tested}
        title={tested ? t('webhooks.testResult', { name: tested.hook.name }) : ''}
        onCancel={() => setTested(null)}
        footer={
          <Button type="primary" onClick={() => setTested(null)} data-testid="webhooks-test-close">
            {t('common.close')}
          </Button>
        }
      >
        {tested && (
          <div data-testid="webhooks-test-result">
            <Alert
              type={tested.delivery.status === 'sent' ? 'success' : 'error'}
              showIcon
              style={{ marginBottom: 12 }}
              title={tested.delivery.status === 'sent' ? t('webhooks.testSent') : t('webhooks.testFailed')}
              description={tested.delivery.lastError ?? undefined}
            />
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { key: 'status', label: t('common.status'), children: <DeliveryStatusTag status={tested.delivery.status} /> },
                { key: 'target', label: t('deliveries.target'), children: <span style={{ wordBreak: 'break-all' }}>{tested.delivery.target}</span> },
                { key: 'attempts', label: t('deliveries.attempts'), children: tested.delivery.attempts },
                { key: 'at', label: t('common.time'), children: fmtDateTime(tested.delivery.deliveredAt ?? tested.delivery.updatedAt) },
              ]}
            />
          </div>
        )}
      </Modal>
    </div>
  );
}
