import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Empty, Flex, Form, Input, InputNumber, Modal, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { CheckCircleOutlined, ClockCircleOutlined, DesktopOutlined, FilePdfOutlined, RollbackOutlined, SendOutlined, StopOutlined } from '@ant-design/icons';
import { useI18n, type MessageKey } from '../../i18n';
import { api, buildUrl, isApiError } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { NotFoundPage } from '../../components/StatusPages';
import { ORDERS, type Order, type StandinItem } from './api';
import { useCan } from '../../auth/session';
import { RepairStateTag, ReportCountdown, TargetReturn } from './shared';
import './repairs.css';

type Ask = null | 'send' | 'respond' | 'return' | 'accept' | 'reject' | 'cancel' | 'standin';

/** One 设备送修单: where the device is, the progress clock, the reports and history, the next steps. */
export default function RepairOrderPage() {
  const { id } = useParams();
  const { t, fmtDateTime, errorText } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const key = [ORDERS, 'one', Number(id)];
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => api.get<Order>(`${ORDERS}/${id}`, undefined, { signal }), retry: false });
  const [text, setText] = useState('');
  const [ask, setAsk] = useState<Ask>(null);
  const [form] = Form.useForm<{ testResult?: string; cost?: number; reason?: string; rma?: string; item?: number; dueBack?: Dayjs | null }>();
  const can_ = useCan();
  const customerId = query.data?.customerId;
  const standins = useQuery({
    queryKey: ['/part-items', 'standin', customerId],
    queryFn: () => api.get<StandinItem[]>('/part-items', { standin: 1, limit: 500 }),
    enabled: !!customerId && can_('parts.read'),
  });

  const done = (o: Order, msg?: string) => {
    qc.setQueryData(key, o);
    void qc.invalidateQueries({ queryKey: [ORDERS, 'list'] });
    if (msg) message.success(msg);
  };
  const report = useMutation({
    mutationFn: () => api.post<Order>(`${ORDERS}/${id}/progress`, { text }),
    onSuccess: (o) => {
      setText('');
      done(o, t('rp.progress.done'));
    },
    onError: (e) => message.error(errorText(e)),
  });
  const step = useMutation({
    mutationFn: async (a: Exclude<Ask, null>) => {
      const o = query.data!;
      const v = await form.validateFields();
      const path = a === 'respond' ? 'vendor-response' : a;
      const body: Record<string, unknown> = { version: o.version };
      if (a === 'accept' || a === 'reject') body.testResult = v.testResult;
      if (a === 'accept' && v.cost != null) body.costCents = Math.round(v.cost * 100);
      if (a === 'cancel') body.reason = v.reason;
      if ((a === 'respond' || a === 'send') && v.rma) body.rma = v.rma;
      if (a === 'standin') {
        const item = (standins.data ?? []).find((i) => i.id === v.item)!;
        Object.assign(body, { warehouseId: item.warehouseId, modelId: item.modelId, serial: item.serial, ...(v.dueBack ? { dueBack: v.dueBack.format('YYYY-MM-DD') } : {}) });
      }
      return api.post<Order>(`${ORDERS}/${id}/${path}`, body);
    },
    onSuccess: (o) => {
      setAsk(null);
      form.resetFields();
      done(o, t('rp.action.done'));
      void standins.refetch();
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 409) void query.refetch();
      if (isApiError(e) || e instanceof Error) message.error(errorText(e));
    },
  });

  if (query.isError && isApiError(query.error) && query.error.status === 404) return <NotFoundPage />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  const o = query.data;
  if (!o) return <Card loading />;
  const can = (a: Order['allowedActions'][number]) => o.allowedActions.includes(a);
  const evText = (type: string, data: Record<string, unknown>) => {
    const s = (k: string) => String(data[k] ?? '');
    switch (type) {
      case 'created':
        return t('rp.ev.created', { data: t(`rp.data.${s('dataHandling')}` as MessageKey) });
      case 'sent':
        return t('rp.ev.sent', { target: s('targetReturn') });
      case 'rejected':
        return t('rp.ev.rejected', { result: s('testResult') });
      case 'accepted':
        return t('rp.ev.accepted', { result: s('testResult') });
      case 'cancelled':
        return t('rp.ev.cancelled', { reason: s('reason') });
      case 'overdue':
        return t('rp.ev.overdue', { at: fmtDateTime(s('dueAt')) });
      case 'standin':
        return t('rp.ev.standin', { serial: s('serial'), slip: s('slip'), dueBack: s('dueBack') });
      default:
        return t(`rp.ev.${type}` as MessageKey);
    }
  };
  const items = [
    ...o.progress.map((p) => ({
      at: p.at,
      key: `p${p.id}`,
      color: p.late ? 'red' : 'blue',
      children: (
        <div data-testid="repair-progress-item">
          <Space size={6} wrap>
            <Typography.Text strong>{t('rp.progress.label')}</Typography.Text>
            <Tag color={p.late ? 'error' : 'success'}>{t(p.late ? 'rp.progress.late' : 'rp.progress.onTime')}</Tag>
            <Typography.Text type="secondary">{fmtDateTime(p.at)} · {p.byName}</Typography.Text>
          </Space>
          <div className="yw-repair-text" style={{ marginTop: 4 }}>{p.text}</div>
          {p.mailedTo && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('rp.progress.mailed', { to: p.mailedTo })}</Typography.Text>}
        </div>
      ),
    })),
    // An event's own instant (when the device left, came back …) where it names one; else when it was recorded.
    ...o.events.map((e) => ({
      // A device recorded as sent earlier than its order was written: the writing goes first anyway.
      at: typeof e.data.at === 'string' ? e.data.at : e.type === 'created' && o.sentAt && o.sentAt < e.at ? o.sentAt : e.at,
      key: `e${e.id}`,
      color: e.type === 'overdue' ? 'red' : 'gray',
      children: (
        <div data-testid={`repair-event-${e.type}`}>
          <Typography.Text>{evText(e.type, e.data)}</Typography.Text>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fmtDateTime(typeof e.data.at === 'string' ? e.data.at : e.at)} · {e.byName}
            </Typography.Text>
          </div>
        </div>
      ),
    })),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.key.startsWith('e') && b.key.startsWith('e') ? Number(b.key.slice(1)) - Number(a.key.slice(1)) : 0));

  const askTitle: Record<Exclude<Ask, null>, MessageKey> = { send: 'rp.action.send', respond: 'rp.action.respond', return: 'rp.action.return', accept: 'rp.action.accept', reject: 'rp.action.reject', cancel: 'rp.action.cancel', standin: 'rp.action.standin' };
  const lentItem = o.standinItemId !== null ? (standins.data ?? []).find((i) => i.id === o.standinItemId) : undefined;
  const shelf = (standins.data ?? []).filter((i) => i.state === 'in_stock' && i.warehouseId !== null);
  const immediate = (a: 'return') => step.mutate(a);

  return (
    <div data-testid="page-repair">
      <PageHeader
        title={`${t('rp.new.title')} ${o.number}`}
        tags={<RepairStateTag state={o.state} />}
        subtitle={`${o.device}${o.serial ? ` · ${o.serial}` : ''} · ${o.vendorName ?? ''}`}
        onBack={() => navigate('/repairs')}
        extra={
          <Space wrap>
            <Button icon={<FilePdfOutlined />} href={buildUrl(`${ORDERS}/${o.id}/pdf`)} target="_blank" data-testid="repair-pdf">
              {t('rp.order.pdf')}
            </Button>
            {can('send') && <Button type="primary" icon={<SendOutlined />} onClick={() => setAsk('send')} data-testid="repair-send">{t('rp.action.send')}</Button>}
            {can('respond') && !o.vendorRespondedAt && <Button onClick={() => setAsk('respond')} data-testid="repair-respond">{t('rp.action.respond')}</Button>}
            {can('return') && <Button icon={<RollbackOutlined />} onClick={() => immediate('return')} loading={step.isPending} data-testid="repair-return">{t('rp.action.return')}</Button>}
            {can('accept') && <Button type="primary" icon={<CheckCircleOutlined />} onClick={() => setAsk('accept')} data-testid="repair-accept">{t('rp.action.accept')}</Button>}
            {can('reject') && <Button danger onClick={() => setAsk('reject')} data-testid="repair-reject">{t('rp.action.reject')}</Button>}
            {can('standin') && <Button icon={<DesktopOutlined />} onClick={() => setAsk('standin')} data-testid="repair-standin">{t('rp.action.standin')}</Button>}
            {can('cancel') && <Button icon={<StopOutlined />} onClick={() => setAsk('cancel')} data-testid="repair-cancel">{t('rp.action.cancel')}</Button>}
          </Space>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Flex vertical gap={16}>
            {o.nextReportDueAt && (
              <Card size="small" title={<span><ClockCircleOutlined /> {t('rp.order.clock')}</span>} data-testid="repair-clock">
                <Flex justify="space-between" align="center" wrap gap={8}>
                  <span>
                    {t('rp.order.nextReport')}：<ReportCountdown order={o} />
                  </span>
                  <Typography.Text type="secondary">{t('rp.report.dueAt', { at: fmtDateTime(o.nextReportDueAt) })}</Typography.Text>
                </Flex>
                <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0', fontSize: 12 }}>{t('rp.order.clockHelp')}</Typography.Paragraph>
              </Card>
            )}
            {can('report') && (
              <Card size="small" title={t('rp.progress.label')}>
                <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={4000} placeholder={t('rp.progress.placeholder')} data-testid="repair-progress-text" />
                <Flex justify="flex-end" style={{ marginTop: 8 }}>
                  <Button type="primary" disabled={!text.trim()} loading={report.isPending} onClick={() => report.mutate()} data-testid="repair-progress-submit">
                    {t('rp.progress.submit')}
                  </Button>
                </Flex>
              </Card>
            )}
            <Card size="small" title={t('rp.order.timeline')} data-testid="repair-timeline">
              {o.progress.length === 0 && <Alert type="info" showIcon title={t('rp.order.noProgress')} style={{ marginBottom: 12 }} />}
              {items.length ? <Timeline items={items.map(({ key, color, children }) => ({ key, color, children }))} /> : <Empty />}
            </Card>
          </Flex>
        </Col>
        <Col xs={24} lg={9}>
          <Card size="small" data-testid="repair-details">
            <Descriptions column={1} size="small" styles={{ label: { width: 120 } }}>
              <Descriptions.Item label={t('rp.col.customer')}>{o.customerName}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.ticket')}>{o.ticketId ? <Link to={`/tickets/${o.ticketId}`}>{o.ticketNumber}</Link> : '—'} {o.ticketTitle}</Descriptions.Item>
              {o.ciCode && <Descriptions.Item label={t('rp.order.ci')}>{o.ciCode} {o.ciName}</Descriptions.Item>}
              <Descriptions.Item label={t('rp.order.serial')}>{o.serial ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('rp.col.vendor')}>{o.vendorName} {o.vendorHotline && <Typography.Text type="secondary">{o.vendorHotline}</Typography.Text>}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.fault')}><span className="yw-repair-text">{o.fault}</span></Descriptions.Item>
              <Descriptions.Item label={t('rp.order.coverage')}>{t(`rp.coverage.${o.coverage}`)}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.rma')}>{o.rma ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.data')}>
                <Tag color="green" data-testid="repair-data">{t(`rp.data.${o.dataHandling}`)}</Tag>
                <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('rp.order.dataBy', { name: o.dataConfirmedByName ?? '—', at: fmtDateTime(o.dataConfirmedAt) })}</Typography.Text></div>
              </Descriptions.Item>
              <Descriptions.Item label={t('rp.order.sentAt')}>{o.sentAt ? fmtDateTime(o.sentAt) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.target')}><TargetReturn order={o} /></Descriptions.Item>
              <Descriptions.Item label={t('rp.order.expected')}>{o.expectedReturn ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.vendorResponded')}>{o.vendorRespondedAt ? fmtDateTime(o.vendorRespondedAt) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('rp.order.returnedAt')}>{o.returnedAt ? fmtDateTime(o.returnedAt) : '—'}</Descriptions.Item>
              {o.testResult && <Descriptions.Item label={t('rp.order.testResult')}>{o.testResult}</Descriptions.Item>}
              {o.acceptedAt && <Descriptions.Item label={t('rp.order.acceptedAt')}>{fmtDateTime(o.acceptedAt)}</Descriptions.Item>}
              {o.standinItemId !== null && (
                <Descriptions.Item label={t('rp.order.standin')}>
                  <span data-testid="repair-standin-item">{lentItem ? `${lentItem.modelLabel} · ${lentItem.serial}${lentItem.dueBack ? ` · ${t('rp.order.dueBack', { date: lentItem.dueBack })}` : ''}` : t('rp.order.standinLent')}</span>
                </Descriptions.Item>
              )}
              {o.costCents !== null && <Descriptions.Item label={t('rp.order.cost')}>¥{(o.costCents / 100).toFixed(2)}</Descriptions.Item>}
            </Descriptions>
          </Card>
        </Col>
      </Row>
      <Modal
        open={ask !== null}
        title={ask ? t(askTitle[ask]) : ''}
        onCancel={() => setAsk(null)}
        onOk={() => ask && step.mutate(ask)}
        confirmLoading={step.isPending}
        okButtonProps={{ 'data-testid': 'repair-ask-ok' } as Record<string, string>}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          {(ask === 'accept' || ask === 'reject') && (
            <Form.Item name="testResult" label={t('rp.ask.testResult')} rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea rows={3} maxLength={2000} data-testid="repair-ask-test" />
            </Form.Item>
          )}
          {ask === 'accept' && o.coverage === 'paid' && (
            <Form.Item name="cost" label={t('rp.ask.cost')} rules={[{ required: true }]}>
              <InputNumber min={0} precision={2} style={{ width: 200 }} data-testid="repair-ask-cost" />
            </Form.Item>
          )}
          {ask === 'cancel' && (
            <Form.Item name="reason" label={t('rp.ask.reason')} rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="repair-ask-reason" />
            </Form.Item>
          )}
          {ask === 'standin' && (
            <>
              <Form.Item name="item" label={t('rp.ask.standin')} rules={[{ required: true }]}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  options={shelf.map((i) => ({ value: i.id, label: `${i.modelLabel} · ${i.serial} · ${i.warehouseName ?? ''}` }))}
                  notFoundContent={t('rp.ask.noStandin')}
                  data-testid="repair-ask-standin"
                />
              </Form.Item>
              <Form.Item name="dueBack" label={t('rp.ask.dueBack')} extra={t('rp.ask.dueBackHelp')}>
                <DatePicker style={{ width: 200 }} />
              </Form.Item>
            </>
          )}
          {(ask === 'respond' || ask === 'send') && (
            <Form.Item name="rma" label={t('rp.ask.rma')}>
              <Input maxLength={100} data-testid="repair-ask-rma" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </div>
  );
}
