import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, InputNumber, Modal, Popconfirm, Select, Switch, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, KeyOutlined, PlusOutlined, QuestionCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, asPage, type Page } from '../../api/client';
import type { Contact, Id, Locale, Site } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadMore, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect } from '../../components/RemoteSelect';

// ---------------------------------------------------------------- the API's shapes (docs/ALERTS.md)

export const ALERT_FORMATS = ['alertmanager', 'zabbix', 'generic'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
export const ALERT_OUTCOMES = ['created', 'noted', 'deduplicated', 'resolved', 'ignored', 'failed', 'rejected'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];
type Levels = { impact: string; urgency: string };

export interface AlertSource {
  id: Id;
  customerId: Id;
  customerName: string | null;
  name: string;
  format: AlertFormat;
  tokenHint: string;
  intakePath: string;
  enabled: boolean;
  autoResolve: boolean;
  contactId: Id | null;
  contactName: string | null;
  siteId: Id | null;
  siteName: string | null;
  service: string | null;
  category: string | null;
  severityMap: Record<string, Levels>;
  repeatNoteMinutes: number;
  locale: Locale;
  lastAlertAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface AlertLogItem {
  id: Id;
  sourceId: Id;
  sourceName: string | null;
  customerId: Id;
  receivedAt: string;
  fingerprint: string | null;
  status: 'firing' | 'resolved' | null;
  severity: string | null;
  title: string | null;
  outcome: AlertOutcome;
  ticketId: Id | null;
  ticketNumber: string | null;
  message: string | null;
  payload: string;
}

/** The server's defaults (core/alerts.ts), in a readable order. */
const DEFAULT_MAP: Array<{ severity: string } & Levels> = [
  { severity: 'critical', impact: 'high', urgency: 'high' },
  { severity: 'disaster', impact: 'high', urgency: 'high' },
  { severity: 'high', impact: 'high', urgency: 'medium' },
  { severity: 'major', impact: 'high', urgency: 'medium' },
  { severity: 'error', impact: 'high', urgency: 'medium' },
  { severity: 'average', impact: 'medium', urgency: 'medium' },
  { severity: 'warning', impact: 'medium', urgency: 'low' },
  { severity: 'minor', impact: 'medium', urgency: 'low' },
  { severity: 'info', impact: 'low', urgency: 'low' },
  { severity: 'information', impact: 'low', urgency: 'low' },
  { severity: 'not_classified', impact: 'low', urgency: 'low' },
  { severity: '*', impact: 'medium', urgency: 'medium' },
];
const LEVELS = ['high', 'medium', 'low'];

const FORMAT_COLOR: Record<AlertFormat, string> = { alertmanager: 'orange', zabbix: 'red', generic: 'blue' };
export const OUTCOME_COLOR: Record<AlertOutcome, string> = {
  created: 'blue',
  noted: 'cyan',
  deduplicated: 'default',
  resolved: 'green',
  ignored: 'default',
  failed: 'red',
  rejected: 'volcano',
};

interface Values {
  name: string;
  customerId?: Id | null;
  format: AlertFormat;
  contactId?: Id | null;
  siteId?: Id | null;
  service?: string;
  category?: string;
  severities: Array<{ severity: string } & Levels>;
  autoResolve: boolean;
  repeatNoteMinutes: number;
  locale: Locale;
  enabled: boolean;
}

function rowsOf(map: Record<string, Levels>): Values['severities'] {
  const rows = Object.entries(map).map(([severity, l]) => ({ severity, ...l }));
  // `*` last, the rest as the server keeps them
  return [...rows.filter((r) => r.severity !== '*'), ...rows.filter((r) => r.severity === '*')];
}

// ---------------------------------------------------------------- how to connect (examples per format)

function intakeUrl(s: AlertSource): string {
  return `${window.location.origin}${s.intakePath}`;
}

function examples(s: AlertSource, token: string) {
  const url = intakeUrl(s);
  const now = new Date().toISOString();
  const curl = (body: object) =>
    [`curl -X POST '${url}' \\`, `  -H 'Authorization: Bearer ${token}' \\`, `  -H 'Content-Type: application/json' \\`, `  -d '${JSON.stringify(body)}'`].join('\n');
  return {
    alertmanager: {
      curl: curl({
        version: '4',
        status: 'firing',
        receiver: 'yunwei',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'YunweiTest', instance: 'test-host:9100', severity: 'warning' },
            annotations: { summary: '测试告警（可忽略）' },
            startsAt: now,
            fingerprint: 'yunwei-test-0001',
          },
        ],
      }),
      config: [
        'receivers:',
        '  - name: yunwei',
        '    webhook_configs:',
        `      - url: '${url}'`,
        '        send_resolved: true',
        '        max_alerts: 500',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: '${token}'`,
      ].join('\n'),
    },
    zabbix: {
      curl: curl({ eventId: '10001', triggerId: '20001', status: 'PROBLEM', severity: 'Warning', name: '测试告警（可忽略）', host: 'test-host', eventTime: now }),
      config: [
        `URL       ${url}`,
        `Token     ${token}`,
        'eventId   {EVENT.ID}',
        'triggerId {TRIGGER.ID}',
        'status    {EVENT.STATUS}',
        'value     {EVENT.VALUE}',
        'severity  {EVENT.SEVERITY}',
        'name      {EVENT.NAME}',
        'host      {HOST.NAME}',
        'message   {ALERT.MESSAGE}',
        'eventTime {EVENT.DATE} {EVENT.TIME}',
        'recoveryTime {EVENT.RECOVERY.DATE} {EVENT.RECOVERY.TIME}',
        'tags      {EVENT.TAGS}',
      ].join('\n'),
    },
    generic: {
      curl: curl({ fingerprint: 'yunwei-test-0001', status: 'firing', title: '测试告警（可忽略）', severity: 'warning', host: 'test-host', startsAt: now }),
      config: JSON.stringify(
        {
          fingerprint: 'db01-disk-full',
          status: 'firing',
          title: '磁盘空间不足',
          description: '/data 使用率 96%',
          severity: 'critical',
          host: 'db01',
          startsAt: now,
          url: 'https://monitor.example/db01',
          labels: { env: 'prod' },
        },
        null,
        2,
      ),
    },
  } satisfies Record<AlertFormat, { curl: string; config: string }>;
}

function Snippet({ text, testid }: { text: string; testid: string }) {
  return (
    <div style={{ position: 'relative' }}>
      <Typography.Paragraph copyable={{ text }} style={{ marginBottom: 0, position: 'absolute', right: 8, top: 4 }} data-testid={`${testid}-copy`}>
        {''}
      </Typography.Paragraph>
      <pre data-testid={testid} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', background: '#f6f8fa', padding: '10px 36px 10px 12px', borderRadius: 6, fontSize: 12, margin: 0 }}>
        {text}
      </pre>
    </div>
  );
}

/** The token (once, after creation or rotation) and, for every format, a receiver config and a test curl. */
function ConnectModal({ source, token, onClose }: { source: AlertSource | null; token: string | null; onClose: () => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<AlertFormat | null>(null);
  if (!source) return null;
  const shownToken = token ?? t('alerts.tokenPlaceholder');
  const ex = examples(source, shownToken);
  const active = tab ?? source.format;
  return (
    <Modal
      open
      width={760}
      title={token ? t('alerts.tokenTitle', { name: source.name }) : t('alerts.howToTitle', { name: source.name })}
      onCancel={() => {
        setTab(null);
        onClose();
      }}
      footer={
        <Button
          type="primary"
          onClick={() => {
            setTab(null);
            onClose();
          }}
          data-testid="alerts-connect-close"
        >
          {t('common.close')}
        </Button>
      }
    >
      <div data-testid="alerts-connect">
        {token && (
          <>
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('alerts.showOnce')} />
            <Typography.Text type="secondary">{t('alerts.token')}</Typography.Text>
            <Typography.Paragraph copyable={{ text: token }} code data-testid="alerts-token" style={{ fontSize: 14, wordBreak: 'break-all' }}>
              {token}
            </Typography.Paragraph>
          </>
        )}
        {!token && <Typography.Paragraph type="secondary">{t('alerts.tokenHint', { hint: source.tokenHint })}</Typography.Paragraph>}
        <Typography.Text type="secondary">{t('alerts.intakeUrl')}</Typography.Text>
        <Typography.Paragraph copyable={{ text: intakeUrl(source) }} code data-testid="alerts-intake-url" style={{ wordBreak: 'break-all' }}>
          {intakeUrl(source)}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('alerts.authHelp')}
        </Typography.Paragraph>
        <Tabs
          activeKey={active}
          onChange={(k) => setTab(k as AlertFormat)}
          items={ALERT_FORMATS.map((f) => ({
            key: f,
            label: <span data-testid={`alerts-example-tab-${f}`}>{t(`alerts.format.${f}` as MessageKey)}</span>,
            children: (
              <Flex vertical gap={8}>
                <Typography.Text strong>{t(`alerts.exampleConfig.${f}` as MessageKey)}</Typography.Text>
                <Snippet text={ex[f].config} testid={`alerts-example-config-${f}`} />
                <Typography.Text strong>{t('alerts.exampleCurl')}</Typography.Text>
                <Snippet text={ex[f].curl} testid={`alerts-example-curl-${f}`} />
              </Flex>
            ),
          }))}
        />
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------- received alerts

function AlertLog({ sources }: { sources: AlertSource[] }) {
  const { t, fmtDateTime } = useI18n();
  const filters = useUrlFilters(['sourceId', 'outcome'] as const);
  const list = useKeysetList<AlertLogItem>('/alerts', { sourceId: filters.values.sourceId || undefined, outcome: filters.values.outcome || undefined });
  return (
    <Card
      title={t('alerts.log.title')}
      extra={<Button icon={<ReloadOutlined />} size="small" onClick={() => list.refetch()} aria-label={t('common.refresh')} data-testid="alerts-log-refresh" />}
      data-testid="alerts-log"
    >
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('alerts.log.allSources')}
          style={{ width: 240 }}
          value={filters.values.sourceId ? Number(filters.values.sourceId) : undefined}
          onChange={(v) => filters.set({ sourceId: v ? String(v) : null })}
          options={sources.map((s) => ({ value: s.id, label: s.name }))}
          data-testid="alerts-log-filter-source"
        />
        <Select
          allowClear
          placeholder={t('alerts.log.outcome')}
          style={{ width: 180 }}
          value={filters.values.outcome || undefined}
          onChange={(v) => filters.set({ outcome: v ?? null })}
          options={ALERT_OUTCOMES.map((o) => ({ value: o, label: t(`alerts.outcome.${o}` as MessageKey) }))}
          data-testid="alerts-log-filter-outcome"
        />
      </Flex>
      <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      <Table<AlertLogItem>
        rowKey="id"
        size="small"
        data-testid="alerts-log-table"
        dataSource={list.items}
        loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
        pagination={false}
        scroll={{ x: 1100 }}
        onRow={(a) => ({ 'data-testid': 'alerts-log-row', 'data-outcome': a.outcome }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          expandedRowRender: (a) => (
            <Flex vertical gap={6}>
              {a.message && <Typography.Text type={a.outcome === 'failed' || a.outcome === 'rejected' ? 'danger' : undefined}>{a.message}</Typography.Text>}
              <Typography.Text type="secondary">{t('alerts.log.payload')}</Typography.Text>
              <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0, fontSize: 12 }} data-testid="alerts-log-payload">
                {pretty(a.payload)}
              </pre>
            </Flex>
          ),
        }}
        locale={{ emptyText: <Empty description={t('alerts.log.empty')} data-testid="alerts-log-empty" /> }}
        columns={[
          { title: t('alerts.log.receivedAt'), dataIndex: 'receivedAt', width: 170, render: (v: string) => fmtDateTime(v, true) },
          { title: t('alerts.log.source'), dataIndex: 'sourceName', width: 160, ellipsis: true },
          {
            title: t('alerts.log.status'),
            dataIndex: 'status',
            width: 100,
            render: (v: AlertLogItem['status']) => (v ? <Tag color={v === 'firing' ? 'red' : 'green'}>{t(`alerts.log.status.${v}` as MessageKey)}</Tag> : '—'),
          },
          {
            title: t('alerts.log.alert'),
            key: 'alert',
            render: (_: unknown, a) => (
              <Flex vertical>
                <span>{a.title ?? '—'}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {[a.severity, a.fingerprint].filter(Boolean).join(' · ')}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t('alerts.log.outcome'),
            dataIndex: 'outcome',
            width: 150,
            render: (v: AlertOutcome, a) => (
              <Tooltip title={a.message ?? undefined}>
                <Tag color={OUTCOME_COLOR[v]} data-testid={`alerts-outcome-${v}`}>
                  {t(`alerts.outcome.${v}` as MessageKey)}
                </Tag>
              </Tooltip>
            ),
          },
          {
            title: t('alerts.log.ticket'),
            dataIndex: 'ticketNumber',
            width: 170,
            render: (v: string | null, a) =>
              v && a.ticketId ? (
                <Link to={`/tickets/${a.ticketId}`} data-testid="alerts-log-ticket">
                  {v}
                </Link>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <LoadMore list={list} testid="alerts-log" />
    </Card>
  );
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

// ---------------------------------------------------------------- the page

/** Contacts and sites of the chosen customer, for the pickers. */
function useCustomerPicks(customerId: Id | null | undefined) {
  const contacts = useQuery({
    queryKey: ['/customers', customerId, 'contacts', 'pick'],
    queryFn: () => api.get<Page<Contact> | Contact[]>(`/customers/${customerId}/contacts`, { limit: 200 }).then((d) => asPage(d).items),
    enabled: !!customerId,
    staleTime: 30_000,
  });
  const sites = useQuery({
    queryKey: ['/customers', customerId, 'sites', 'pick'],
    queryFn: () => api.get<Page<Site> | Site[]>(`/customers/${customerId}/sites`, { limit: 200 }).then((d) => asPage(d).items),
    enabled: !!customerId,
    staleTime: 30_000,
  });
  return { contacts: contacts.data ?? [], sites: sites.data ?? [], loading: contacts.isFetching || sites.isFetching };
}

export default function AlertSourcesPage() {
  const { t, errorText, fmtDateTime } = useI18n();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const list = useKeysetList<AlertSource>('/alert-sources');
  const [drawer, setDrawer] = useState<{ open: boolean; record: AlertSource | null }>({ open: false, record: null });
  const [connect, setConnect] = useState<{ source: AlertSource; token: string | null } | null>(null);
  const r = drawer.record;
  const customerId = Form.useWatch('customerId', form) ?? r?.customerId ?? null;
  const format = (Form.useWatch('format', form) ?? 'alertmanager') as AlertFormat;
  const picks = useCustomerPicks(customerId);
  const levelOptions = useMemo(() => LEVELS.map((l) => ({ value: l, label: `${t(`alerts.level.${l}` as MessageKey)}（${l}）` })), [t]);

  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['/alert-sources'] }), qc.invalidateQueries({ queryKey: ['/alerts'] })]);

  const submit = async (v: Values) => {
    const severityMap = Object.fromEntries(v.severities.filter((s) => s.severity?.trim()).map((s) => [s.severity.trim(), { impact: s.impact, urgency: s.urgency }]));
    const body = {
      name: v.name.trim(),
      format: v.format,
      contactId: v.contactId,
      siteId: v.siteId ?? null,
      service: v.service?.trim() || null,
      category: v.category?.trim() || null,
      severityMap,
      autoResolve: v.autoResolve,
      repeatNoteMinutes: v.repeatNoteMinutes,
      locale: v.locale,
      enabled: v.enabled,
    };
    if (r) {
      await api.patch(`/alert-sources/${r.id}`, { ...body, version: r.version });
      await refresh();
      return;
    }
    const created = await api.post<AlertSource & { token: string }>('/alert-sources', { ...body, customerId: v.customerId });
    await refresh();
    const { token, ...source } = created;
    setConnect({ source, token });
  };
  const remove = async (s: AlertSource) => {
    try {
      await api.del(`/alert-sources/${s.id}`);
      message.success(t('common.deleted'));
      await refresh();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const rotate = async (s: AlertSource) => {
    try {
      const rotated = await api.post<AlertSource & { token: string }>(`/alert-sources/${s.id}/rotate-token`, {});
      await refresh();
      const { token, ...source } = rotated;
      setConnect({ source, token });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const open = (s: AlertSource | null) => setDrawer({ open: true, record: s });

  return (
    <div data-testid="page-alerts">
      <PageHeader
        title={t('alerts.title')}
        subtitle={t('alerts.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void refresh()} aria-label={t('common.refresh')} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open(null)} data-testid="alerts-new">
              {t('alerts.new')}
            </Button>
          </>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<AlertSource>
          rowKey="id"
          data-testid="alerts-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 1000 }}
          onRow={(s) => ({ onClick: () => open(s), style: { cursor: 'pointer' }, 'data-testid': 'alerts-row' }) as React.HTMLAttributes<HTMLElement>}
          locale={{
            emptyText: (
              <Empty description={t('alerts.empty')} data-testid="alerts-empty">
                <Button type="primary" onClick={() => open(null)}>
                  {t('alerts.new')}
                </Button>
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('alerts.name'),
              key: 'name',
              render: (_: unknown, s) => (
                <Flex vertical gap={2}>
                  <Flex gap={6} align="center" wrap>
                    <Typography.Link>{s.name}</Typography.Link>
                    {!s.enabled && <Tag data-testid="alerts-disabled">{t('common.disabled')}</Tag>}
                    {s.autoResolve && <Tag color="green">{t('alerts.autoResolveTag')}</Tag>}
                  </Flex>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {s.intakePath} · {t('alerts.tokenHint', { hint: s.tokenHint })}
                  </Typography.Text>
                </Flex>
              ),
            },
            { title: t('alerts.format'), dataIndex: 'format', width: 190, render: (f: AlertFormat) => <Tag color={FORMAT_COLOR[f]}>{t(`alerts.format.${f}` as MessageKey)}</Tag> },
            {
              title: t('alerts.customer'),
              key: 'customer',
              width: 200,
              render: (_: unknown, s) => (
                <Flex vertical>
                  <span>{s.customerName ?? `#${s.customerId}`}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {[s.contactName, s.siteName].filter(Boolean).join(' · ')}
                  </Typography.Text>
                </Flex>
              ),
            },
            { title: t('alerts.lastAlertAt'), dataIndex: 'lastAlertAt', width: 170, render: (v: string | null) => (v ? fmtDateTime(v) : <Typography.Text type="secondary">{t('alerts.never')}</Typography.Text>) },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 300,
              align: 'right',
              render: (_: unknown, s) => (
                <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()} wrap>
                  <Button size="small" icon={<QuestionCircleOutlined />} onClick={() => setConnect({ source: s, token: null })} data-testid="alerts-howto">
                    {t('alerts.howTo')}
                  </Button>
                  <Popconfirm title={t('alerts.rotateConfirm', { name: s.name })} onConfirm={() => rotate(s)} okButtonProps={{ danger: true, 'data-testid': 'alerts-rotate-confirm' }}>
                    <Button size="small" icon={<KeyOutlined />} data-testid="alerts-rotate">
                      {t('alerts.rotate')}
                    </Button>
                  </Popconfirm>
                  <Popconfirm title={t('common.deleteConfirm', { name: s.name })} onConfirm={() => remove(s)} okButtonProps={{ danger: true, 'data-testid': 'alerts-delete-confirm' }}>
                    <Button size="small" type="link" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} data-testid="alerts-delete" />
                  </Popconfirm>
                </Flex>
              ),
            },
          ]}
        />
        <LoadMore list={list} testid="alerts" />
      </Card>
      <AlertLog sources={list.items} />

      <FormDrawer<Values>
        open={drawer.open}
        form={form}
        width={680}
        title={r ? t('alerts.edit') : t('alerts.new')}
        testid="alert-form"
        recordKey={r?.id ?? 'new'}
        initialValues={
          r
            ? {
                name: r.name,
                customerId: r.customerId,
                format: r.format,
                contactId: r.contactId,
                siteId: r.siteId,
                service: r.service ?? '',
                category: r.category ?? '',
                severities: rowsOf(r.severityMap),
                autoResolve: r.autoResolve,
                repeatNoteMinutes: r.repeatNoteMinutes,
                locale: r.locale,
                enabled: r.enabled,
              }
            : { format: 'alertmanager', severities: DEFAULT_MAP, autoResolve: false, repeatNoteMinutes: 60, locale: 'zh-CN', enabled: true }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
        successMessage={r ? t('common.saved') : t('common.created')}
        onValuesChange={(changed) => {
          // another customer: its contacts and sites
          if ('customerId' in changed) form.setFieldsValue({ contactId: null, siteId: null });
        }}
      >
        <Form.Item name="name" label={t('alerts.name')} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('alerts.name') }) }]}>
          <Input maxLength={100} autoFocus placeholder="Prometheus 生产环境" data-testid="alert-form-name" />
        </Form.Item>
        <Form.Item name="format" label={t('alerts.format')} extra={t(`alerts.formatHelp.${format}` as MessageKey)} rules={[{ required: true }]}>
          <Select
            data-testid="alert-form-format"
            options={ALERT_FORMATS.map((f) => ({ value: f, label: <span data-testid={`alert-form-format-${f}`}>{t(`alerts.format.${f}` as MessageKey)}</span> }))}
          />
        </Form.Item>
        <Form.Item name="customerId" label={t('alerts.customer')} rules={[{ required: true, message: t('common.requiredSelect', { field: t('alerts.customer') }) }]}>
          <RemoteSelect resource="customers" testid="alert-form-customer" disabled={!!r} allowClear={false} />
        </Form.Item>
        <Typography.Title level={5} style={{ marginTop: 4 }}>
          {t('alerts.defaults')}
        </Typography.Title>
        <Flex gap={12} wrap>
          <Form.Item
            name="contactId"
            label={t('alerts.contact')}
            extra={t('alerts.contactHelp')}
            style={{ flex: '1 1 260px' }}
            rules={[{ required: true, message: t('common.requiredSelect', { field: t('alerts.contact') }) }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              disabled={!customerId}
              loading={picks.loading}
              options={picks.contacts.map((c) => ({ value: c.id, label: c.name }))}
              data-testid="alert-form-contact"
            />
          </Form.Item>
          <Form.Item name="siteId" label={t('alerts.site')} style={{ flex: '1 1 200px' }}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} disabled={!customerId} options={picks.sites.map((s) => ({ value: s.id, label: s.name }))} data-testid="alert-form-site" />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap>
          <Form.Item name="service" label={t('alerts.service')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={100} placeholder="服务器运维" data-testid="alert-form-service" />
          </Form.Item>
          <Form.Item name="category" label={t('alerts.category')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={100} placeholder="监控告警" data-testid="alert-form-category" />
          </Form.Item>
        </Flex>
        <Form.Item label={t('alerts.severityMap')} extra={t('alerts.severityMapHelp')} required>
          <Form.List name="severities">
            {(fields, { add, remove: drop }) => (
              <Flex vertical gap={6} data-testid="alert-form-severities">
                <Flex gap={8} style={{ fontSize: 12, color: '#888' }}>
                  <span style={{ flex: '1 1 160px' }}>{t('alerts.severity')}</span>
                  <span style={{ flex: '1 1 140px' }}>{t('alerts.impact')}</span>
                  <span style={{ flex: '1 1 140px' }}>{t('alerts.urgency')}</span>
                  <span style={{ width: 32 }} />
                </Flex>
                {fields.map((f) => {
                  const other = form.getFieldValue(['severities', f.name, 'severity']) === '*';
                  return (
                    <Flex key={f.key} gap={8} align="start" data-testid="alert-form-severity-row">
                      <Form.Item name={[f.name, 'severity']} style={{ flex: '1 1 160px', marginBottom: 0 }} rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('alerts.severity') }) }]}>
                        {other ? <Input disabled suffix={t('alerts.otherSeverities')} /> : <Input maxLength={40} placeholder="critical" data-testid="alert-form-severity" />}
                      </Form.Item>
                      <Form.Item name={[f.name, 'impact']} style={{ flex: '1 1 140px', marginBottom: 0 }} rules={[{ required: true }]}>
                        <Select options={levelOptions} data-testid="alert-form-impact" />
                      </Form.Item>
                      <Form.Item name={[f.name, 'urgency']} style={{ flex: '1 1 140px', marginBottom: 0 }} rules={[{ required: true }]}>
                        <Select options={levelOptions} data-testid="alert-form-urgency" />
                      </Form.Item>
                      <Button type="text" icon={<DeleteOutlined />} disabled={other} onClick={() => drop(f.name)} aria-label={t('common.delete')} style={{ width: 32 }} />
                    </Flex>
                  );
                })}
                <Flex gap={8}>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ severity: '', impact: 'medium', urgency: 'medium' }, Math.max(0, fields.length - 1))} data-testid="alert-form-add-severity">
                    {t('alerts.addSeverity')}
                  </Button>
                  <Button size="small" type="link" onClick={() => form.setFieldsValue({ severities: DEFAULT_MAP })} data-testid="alert-form-reset-severities">
                    {t('alerts.resetSeverities')}
                  </Button>
                </Flex>
              </Flex>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="repeatNoteMinutes" label={t('alerts.repeatNoteMinutes')} extra={t('alerts.repeatNoteMinutesHelp')} rules={[{ required: true }]}>
          <InputNumber min={1} max={10080} precision={0} style={{ width: 160 }} data-testid="alert-form-repeat" />
        </Form.Item>
        <Form.Item name="autoResolve" label={t('alerts.autoResolve')} extra={t('alerts.autoResolveHelp')} valuePropName="checked">
          <Switch data-testid="alert-form-auto-resolve" />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="locale" label={t('alerts.locale')} style={{ flex: '1 1 220px' }}>
            <Select
              data-testid="alert-form-locale"
              options={[
                { value: 'zh-CN', label: '中文' },
                { value: 'en-US', label: 'English' },
              ]}
            />
          </Form.Item>
          <Form.Item name="enabled" label={t('alerts.enabled')} valuePropName="checked" style={{ flex: '1 1 120px' }}>
            <Switch data-testid="alert-form-enabled" />
          </Form.Item>
        </Flex>
      </FormDrawer>

      <ConnectModal source={connect?.source ?? null} token={connect?.token ?? null} onClose={() => setConnect(null)} />
    </div>
  );
}
