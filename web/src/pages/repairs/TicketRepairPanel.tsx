import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, DatePicker, Flex, Form, Input, List, Radio, Select, Space, Typography } from 'antd';
import { ToolOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { api } from '../../api/client';
import type { Ticket } from '../../api/types';
import { FormDrawer } from '../../components/FormDrawer';
import { useDebounced } from '../../components/useDebounced';
import { useApiHasPath } from '../../components/tickets/ticketShared';
import { DATA_HANDLING, ORDERS, VENDORS, type Order, type OrderSummary, type Vendor } from './api';
import { RepairStateTag, ReportCountdown } from './shared';

const OPEN = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'];

interface NewOrder {
  ciId?: number;
  device?: string;
  serial?: string;
  vendorId?: number;
  fault: string;
  coverage: 'warranty' | 'paid';
  rma?: string;
  dataHandling?: string;
  expectedReturn?: Dayjs | null;
  send: boolean;
  sentAt?: Dayjs | null;
}

/**
 * 设备送修 on the ticket page: the ticket's orders with their state and progress clock, and (for
 * staff who may) 送修 — the create drawer, where the user-data confirmation is an explicit
 * required choice. On the portal's ticket page the customer sees the same list, read-only.
 */
export function TicketRepairPanel({ ticket, onChanged }: { ticket: Ticket; onChanged?: () => unknown }) {
  const { t } = useI18n();
  const can = useCan();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const has = useApiHasPath('/tickets/{id}/repair-orders', 'get');
  const staff = me.customerId == null;
  const [open, setOpen] = useState(false);
  const key = ['/tickets', ticket.id, 'repair-orders'];
  const orders = useQuery({ queryKey: key, queryFn: () => api.get<OrderSummary[]>(`/tickets/${ticket.id}/repair-orders`), enabled: has && (!staff || can('repairs.read')) });
  const mayCreate = staff && can('repairs.write') && OPEN.includes(ticket.state);
  if (!has || (staff && !can('repairs.read'))) return null;
  const items = orders.data ?? [];
  if (!items.length && !mayCreate) return null;

  return (
    <Card
      size="small"
      title={<span><ToolOutlined /> {t('rp.panel.title')}</span>}
      extra={mayCreate && <Button size="small" icon={<ToolOutlined />} onClick={() => setOpen(true)} data-testid="ticket-repair-new">{t('rp.panel.new')}</Button>}
      data-testid="ticket-repairs"
    >
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t('rp.panel.none')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(o) => (
            <List.Item key={o.id} data-testid={`ticket-repair-${o.number}`}>
              <Flex justify="space-between" wrap gap={8} style={{ width: '100%' }}>
                <Space wrap size={6}>
                  {staff ? <Link to={`/repairs/${o.id}`}>{o.number}</Link> : <Typography.Text strong>{o.number}</Typography.Text>}
                  <RepairStateTag state={o.state} />
                  <span>{o.device}</span>
                  <Typography.Text type="secondary">{o.vendorName}</Typography.Text>
                </Space>
                <Space size={12}>
                  {o.targetReturn && <Typography.Text type="secondary">{t('rp.col.target')} {o.targetReturn}</Typography.Text>}
                  {staff && <ReportCountdown order={o} testid={`ticket-repair-countdown-${o.number}`} />}
                </Space>
              </Flex>
            </List.Item>
          )}
        />
      )}
      {mayCreate && (
        <NewOrderDrawer
          ticket={ticket}
          open={open}
          onClose={() => setOpen(false)}
          onCreated={(o) => {
            void qc.invalidateQueries({ queryKey: key });
            void qc.invalidateQueries({ queryKey: [ORDERS, 'list'] });
            void onChanged?.();
            navigate(`/repairs/${o.id}`);
          }}
        />
      )}
    </Card>
  );
}

function NewOrderDrawer({ ticket, open, onClose, onCreated }: { ticket: Ticket; open: boolean; onClose: () => void; onCreated: (o: Order) => void }) {
  const { t } = useI18n();
  const hasCis = useApiHasPath('/cis', 'get');
  const [ciQ, setCiQ] = useState('');
  const q = useDebounced(ciQ, 250);
  const cis = useQuery({
    queryKey: ['/cis', 'pick', ticket.customerId, q],
    queryFn: () => api.get<{ items: Array<{ id: number; code: string; name: string; serial?: string | null }> }>('/cis', { customerId: ticket.customerId, q: q || undefined, limit: 20 }),
    enabled: open && hasCis,
  });
  const vendors = useQuery({ queryKey: [VENDORS, 'pick'], queryFn: () => api.get<Vendor[]>(VENDORS), enabled: open });
  const working = ['accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'].includes(ticket.state);
  return (
    <FormDrawer<NewOrder>
      open={open}
      title={`${t('rp.new.title')} · ${ticket.number}`}
      testid="repair-new"
      onClose={onClose}
      width={600}
      initialValues={{ fault: ticket.title, coverage: 'warranty', send: working }}
      onSubmit={async (v) => {
        const o = await api.post<Order>(ORDERS, {
          ticketId: ticket.id,
          ciId: v.ciId ?? null,
          device: v.device || null,
          serial: v.serial || null,
          vendorId: v.vendorId,
          fault: v.fault,
          coverage: v.coverage,
          rma: v.rma || null,
          dataHandling: v.dataHandling,
          expectedReturn: v.expectedReturn ? v.expectedReturn.format('YYYY-MM-DD') : null,
          send: v.send,
          ...(v.send && v.sentAt ? { sentAt: v.sentAt.toISOString() } : {}),
        });
        onCreated(o);
      }}
    >
      {hasCis && (
        <Form.Item name="ciId" label={t('rp.new.ci')}>
          <Select
            showSearch
            allowClear
            filterOption={false}
            onSearch={setCiQ}
            loading={cis.isFetching}
            options={(cis.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.code} · ${c.name}` }))}
            data-testid="repair-new-ci"
          />
        </Form.Item>
      )}
      <Flex gap={12} wrap>
        <Form.Item name="device" label={hasCis ? t('rp.new.orText') : t('rp.new.device')} style={{ flex: '2 1 260px' }}>
          <Input maxLength={200} placeholder={t('rp.new.devicePlaceholder')} data-testid="repair-new-device" />
        </Form.Item>
        <Form.Item name="serial" label={t('rp.order.serial')} style={{ flex: '1 1 160px' }}>
          <Input maxLength={100} data-testid="repair-new-serial" />
        </Form.Item>
      </Flex>
      <Form.Item name="vendorId" label={t('rp.new.vendor')} rules={[{ required: true }]}>
        <Select options={(vendors.data ?? []).map((v) => ({ value: v.id, label: v.name }))} loading={vendors.isLoading} data-testid="repair-new-vendor" />
      </Form.Item>
      <Form.Item name="fault" label={t('rp.order.fault')} rules={[{ required: true, whitespace: true }]}>
        <Input.TextArea rows={3} maxLength={4000} data-testid="repair-new-fault" />
      </Form.Item>
      <Flex gap={12} wrap>
        <Form.Item name="coverage" label={t('rp.order.coverage')} style={{ flex: '1 1 200px' }}>
          <Radio.Group optionType="button" options={[{ value: 'warranty', label: t('rp.coverage.warranty') }, { value: 'paid', label: t('rp.coverage.paid') }]} data-testid="repair-new-coverage" />
        </Form.Item>
        <Form.Item name="rma" label={t('rp.order.rma')} style={{ flex: '1 1 160px' }}>
          <Input maxLength={100} data-testid="repair-new-rma" />
        </Form.Item>
        <Form.Item name="expectedReturn" label={t('rp.order.expected')} style={{ flex: '1 1 160px' }}>
          <DatePicker style={{ width: '100%' }} data-testid="repair-new-expected" />
        </Form.Item>
      </Flex>
      <Alert type="warning" showIcon title={t('rp.new.dataHelp')} style={{ marginBottom: 12 }} />
      <Form.Item name="dataHandling" label={t('rp.new.data')} rules={[{ required: true, message: t('rp.new.dataRequired') }]}>
        <Radio.Group data-testid="repair-new-data">
          <Space direction="vertical">
            {DATA_HANDLING.map((d) => (
              <Radio key={d} value={d} data-testid={`repair-new-data-${d}`}>
                {t(`rp.data.${d}`)}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </Form.Item>
      <Flex gap={12} wrap align="center">
        <Form.Item name="send" valuePropName="checked" style={{ flex: '1 1 260px' }}>
          <Checkbox disabled={!working} data-testid="repair-new-send">{t('rp.new.sendNow')}</Checkbox>
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.send !== b.send}>
          {({ getFieldValue }) =>
            getFieldValue('send') ? (
              <Form.Item name="sentAt" label={t('rp.new.sentAt')} style={{ flex: '1 1 220px' }}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" placeholder={t('rp.new.sentAtNow')} disabledDate={(d) => d.isAfter(dayjs())} style={{ width: '100%' }} data-testid="repair-new-sent-at" />
              </Form.Item>
            ) : null
          }
        </Form.Item>
      </Flex>
    </FormDrawer>
  );
}
