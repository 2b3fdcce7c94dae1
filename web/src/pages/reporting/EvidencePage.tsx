import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Form, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, FileZipOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n, type MessageKey } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { API_BASE, api, applyFieldErrors, fetchAll, isApiError, type Page } from '../../api/client';
import type { Customer, Id } from '../../api/types';
import { useIsMobile } from '../../components/useIsMobile';

/** An export as GET /evidence-exports answers it (docs/EVIDENCE.md). */
interface EvidenceExport {
  id: Id;
  customerId: Id;
  customerName: string;
  from: string;
  to: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total: number;
  fileName: string | null;
  size: number | null;
  tickets: number | null;
  chainOk: boolean | null;
  error: string | null;
  requestedBy: string | null;
  requestedAt: string;
}

const KEY = ['/evidence-exports'];
const STATE_COLOR: Record<EvidenceExport['state'], string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error', cancelled: 'default' };
const LIVE = new Set(['queued', 'running']);

/** Ended periods only (the server refuses the rest): every preset ends yesterday at the latest. */
function presets(t: (k: MessageKey) => string): Array<{ label: string; value: [Dayjs, Dayjs] }> {
  const lastMonth = dayjs().subtract(1, 'month');
  const q = Math.floor(dayjs().month() / 3);
  const quarterStart = dayjs().month(q * 3).startOf('month').subtract(3, 'month');
  const half = dayjs().month() < 6 ? dayjs().subtract(1, 'year').month(6).startOf('month') : dayjs().month(0).startOf('month');
  const lastYear = dayjs().subtract(1, 'year');
  return [
    { label: t('evidence.preset.lastMonth'), value: [lastMonth.startOf('month'), lastMonth.endOf('month')] },
    { label: t('evidence.preset.lastQuarter'), value: [quarterStart, quarterStart.add(2, 'month').endOf('month')] },
    { label: t('evidence.preset.lastHalf'), value: [half, half.add(5, 'month').endOf('month')] },
    { label: t('evidence.preset.lastYear'), value: [lastYear.startOf('year'), lastYear.endOf('year')] },
  ];
}

export default function EvidencePage() {
  const { t, fmtDateTime } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<{ customerId?: Id; period?: [Dayjs, Dayjs] }>();
  const [formError, setFormError] = useState<unknown>(null);
  const customers = useQuery({ queryKey: ['/customers', 'all-for-evidence'], queryFn: () => fetchAll<Customer>('/customers', {}, 2000) });
  const exports = useQuery({
    queryKey: KEY,
    queryFn: () => api.get<Page<EvidenceExport>>('/evidence-exports', { limit: 50 }),
    // Polled while an export is being built: the progress bar moves, the download appears when done.
    refetchInterval: (q) => (q.state.data?.items.some((e) => LIVE.has(e.state)) ? 1000 : false),
  });
  const start = useMutation({
    mutationFn: (v: { customerId: Id; from: string; to: string }) => api.post<EvidenceExport>('/evidence-exports', v),
    onSuccess: () => {
      setFormError(null);
      message.success(t('evidence.started'));
      return qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => {
      // Problems with a field show on it; anything else (404, a problem of no field) above the form.
      const rest = applyFieldErrors(form, err, { from: 'period', to: 'period' });
      setFormError(isApiError(err) && err.errors.length > 0 && rest.length === 0 ? null : err);
    },
  });
  const cancel = useMutation({
    mutationFn: (id: Id) => api.post<EvidenceExport>(`/evidence-exports/${id}/cancel`),
    onSuccess: () => {
      message.success(t('evidence.cancelled'));
      return qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => setFormError(err),
  });

  const submit = (v: { customerId?: Id; period?: [Dayjs, Dayjs] }) => {
    if (!v.customerId || !v.period) return;
    start.mutate({ customerId: v.customerId, from: v.period[0].format('YYYY-MM-DD'), to: v.period[1].format('YYYY-MM-DD') });
  };

  return (
    <div>
      <PageHeader title={t('evidence.title')} subtitle={t('evidence.subtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Form form={form} layout={isMobile ? 'vertical' : 'inline'} onFinish={submit} initialValues={{ period: presets(t)[0].value }} data-testid="evidence-form">
          <Form.Item name="customerId" label={t('evidence.customer')} rules={[{ required: true }]} style={{ minWidth: 260 }}>
            <Select
              showSearch
              optionFilterProp="label"
              loading={customers.isLoading}
              options={(customers.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
              data-testid="evidence-customer"
            />
          </Form.Item>
          <Form.Item name="period" label={t('evidence.period')} rules={[{ required: true }]} extra={t('evidence.periodHelp')}>
            <DatePicker.RangePicker presets={presets(t)} disabledDate={(d) => !d.isBefore(dayjs(), 'day')} allowClear={false} data-testid="evidence-period" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<FileZipOutlined />} loading={start.isPending} data-testid="evidence-start">
              {t('evidence.start')}
            </Button>
          </Form.Item>
        </Form>
        {formError ? <div style={{ marginTop: 12 }}><ErrorAlert error={formError} /></div> : null}
      </Card>

      <Card title={t('evidence.list')}>
        {exports.error ? <ErrorAlert error={exports.error} onRetry={() => exports.refetch()} /> : null}
        <Table<EvidenceExport>
          rowKey="id"
          size="middle"
          loading={exports.isLoading}
          dataSource={exports.data?.items ?? []}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: t('evidence.empty') }}
          data-testid="evidence-list"
          columns={[
            { title: t('evidence.col.customer'), dataIndex: 'customerName', width: 180 },
            { title: t('evidence.col.period'), key: 'period', width: 200, render: (_, e) => `${e.from} ~ ${e.to}` },
            {
              title: t('evidence.col.state'),
              key: 'state',
              width: 100,
              render: (_, e) => (
                <Tag color={STATE_COLOR[e.state]} data-testid="evidence-state">
                  {t(`evidence.state.${e.state}` as MessageKey)}
                </Tag>
              ),
            },
            {
              title: t('evidence.col.progress'),
              key: 'progress',
              width: 220,
              render: (_, e) =>
                e.state === 'failed' ? (
                  <Typography.Text type="danger">{e.error}</Typography.Text>
                ) : e.total === 0 && LIVE.has(e.state) ? (
                  <Typography.Text type="secondary">{t('evidence.preparing')}</Typography.Text>
                ) : (
                  <div data-testid="evidence-progress">
                    <Progress percent={e.total ? Math.floor((e.done / e.total) * 100) : 0} size="small" status={e.state === 'done' ? 'success' : e.state === 'running' ? 'active' : 'normal'} />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('evidence.files', { done: e.done, total: e.total })}
                    </Typography.Text>
                  </div>
                ),
            },
            { title: t('evidence.col.tickets'), dataIndex: 'tickets', width: 80, render: (v: number | null) => v ?? '—' },
            {
              title: t('evidence.col.chain'),
              key: 'chain',
              width: 110,
              render: (_, e) => (e.chainOk === null ? '—' : e.chainOk ? <Tag color="success">{t('evidence.chain.ok')}</Tag> : <Tag color="error">{t('evidence.chain.bad')}</Tag>),
            },
            { title: t('evidence.col.requested'), key: 'requested', width: 180, render: (_, e) => `${e.requestedBy ?? '—'} · ${fmtDateTime(e.requestedAt)}` },
            {
              title: t('evidence.col.actions'),
              key: 'actions',
              width: 160,
              fixed: isMobile ? undefined : 'right',
              render: (_, e) => (
                <Space>
                  {e.state === 'done' ? (
                    <a href={`${API_BASE}/evidence-exports/${e.id}/download`} download={e.fileName ?? undefined} data-testid="evidence-download">
                      <DownloadOutlined /> {t('evidence.download')}
                      {e.size ? ` (${t('evidence.size', { size: (e.size / 1024 / 1024).toFixed(1) })})` : ''}
                    </a>
                  ) : null}
                  {LIVE.has(e.state) ? (
                    <Button size="small" onClick={() => cancel.mutate(e.id)} loading={cancel.isPending && cancel.variables === e.id}>
                      {t('evidence.cancel')}
                    </Button>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
