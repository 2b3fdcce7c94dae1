import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Empty, Form, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { api } from '../../api/client';
import { FormDrawer } from '../../components/FormDrawer';
import { RemoteSelect } from '../../components/RemoteSelect';
import type { Item } from './api';
import { ModelSelect, PartsFrame, SerialSelect, StateTag, useRefreshParts, WarehouseSelect } from './shared';
import './parts.css';

/** 备机: stand-in machines lent to customers (due and overdue first) and those on the shelf; lend and take back. */
export default function StandinsPage() {
  const { t, fmtDate } = useI18n();
  const can = useCan();
  const [view, setView] = useState<'lent' | 'in_stock'>('lent');
  const items = useQuery({ queryKey: ['/part-items', 'standins', view], queryFn: () => api.get<Item[]>('/part-items', { standin: '1', state: view, limit: 500 }) });
  const [lend, setLend] = useState(false);
  const [back, setBack] = useState<Item | null>(null);
  const write = can('parts.write');

  return (
    <PartsFrame testid="page-parts-standins" extra={write && <Button type="primary" onClick={() => setLend(true)} data-testid="standin-lend">{t('pt.standins.lend')}</Button>}>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Segmented value={view} onChange={(x) => setView(x as typeof view)} options={[{ value: 'lent', label: t('pt.standins.out') }, { value: 'in_stock', label: t('pt.standins.onShelf') }]} data-testid="standins-view" />
      </Card>
      <Table<Item>
        size="small"
        rowKey="id"
        loading={items.isLoading}
        dataSource={items.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        rowClassName={(r) => (r.overdueDays > 0 ? 'yw-parts-overdue' : '')}
        locale={{ emptyText: <Empty description={t('pt.standins.none')} /> }}
        data-testid="standins-table"
        columns={[
          { title: t('pt.model'), dataIndex: 'modelLabel' },
          { title: t('pt.serials'), dataIndex: 'serial' },
          { title: t('pt.customer'), key: 'where', render: (_, r) => r.customerName ?? r.warehouseName ?? '—' },
          { title: t('pt.col.ticket'), dataIndex: 'ticketNumber', render: (n: string | null, r) => (n ? <Link to={`/tickets/${r.ticketId}`}>{n}</Link> : '—') },
          {
            title: t('pt.standins.dueBack'),
            dataIndex: 'dueBack',
            render: (d: string | null, r) =>
              d ? (
                <Space size={4}>
                  <span>{fmtDate(d)}</span>
                  {r.overdueDays > 0 && <Tag color="red" data-testid={`standin-overdue-${r.serial}`}>{t('pt.standins.overdue', { days: r.overdueDays })}</Tag>}
                </Space>
              ) : '—',
          },
          { title: '', dataIndex: 'state', render: (s: Item['state']) => <StateTag state={s} /> },
          { title: '', key: 'actions', render: (_, r) => write && r.state === 'lent' && <Button size="small" onClick={() => setBack(r)} data-testid={`standin-return-${r.serial}`}>{t('pt.standins.return')}</Button> },
        ]}
      />
      <LendDrawer open={lend} onClose={() => setLend(false)} />
      <ReturnModal item={back} onClose={() => setBack(null)} />
    </PartsFrame>
  );
}

interface LendValues {
  warehouseId?: number;
  modelId?: number;
  serial?: string;
  customerId?: number;
  dueBack?: Dayjs;
  note?: string;
}

export function LendDrawer({ open, onClose, ticket }: { open: boolean; onClose: () => void; ticket?: { id: number; customerId: number } }) {
  const { t } = useI18n();
  const [form] = Form.useForm<LendValues>();
  const warehouseId = Form.useWatch('warehouseId', form);
  const modelId = Form.useWatch('modelId', form);
  const refresh = useRefreshParts();
  return (
    <FormDrawer<LendValues>
      open={open}
      title={t('pt.standins.lend')}
      testid="lend-form"
      form={form}
      initialValues={{ customerId: ticket?.customerId, dueBack: dayjs().add(14, 'day') }}
      onClose={onClose}
      onSubmit={async (v) => {
        await api.post('/part-movements/lend', { warehouseId: v.warehouseId, modelId: v.modelId, serial: v.serial, customerId: v.customerId, ticketId: ticket?.id ?? null, dueBack: v.dueBack?.format('YYYY-MM-DD'), note: v.note || null });
        refresh();
      }}
    >
      <Form.Item name="warehouseId" label={t('pt.warehouse')} rules={[{ required: true, message: t('common.required', { field: t('pt.warehouse') }) }]}>
        <WarehouseSelect testid="lend-warehouse" />
      </Form.Item>
      <Form.Item name="modelId" label={t('pt.model')} rules={[{ required: true, message: t('common.required', { field: t('pt.model') }) }]}>
        <ModelSelect only={(m) => m.standin} testid="lend-model" />
      </Form.Item>
      <Form.Item name="serial" label={t('pt.serials')} rules={[{ required: true, message: t('common.required', { field: t('pt.serials') }) }]}>
        <SerialSelect warehouseId={warehouseId} modelId={modelId} multiple={false} testid="lend-serial" />
      </Form.Item>
      {!ticket && (
        <Form.Item name="customerId" label={t('pt.customer')} rules={[{ required: true, message: t('common.required', { field: t('pt.customer') }) }]}>
          <RemoteSelect resource="customers" testid="lend-customer" />
        </Form.Item>
      )}
      <Form.Item name="dueBack" label={t('pt.standins.dueBack')} rules={[{ required: true, message: t('common.required', { field: t('pt.standins.dueBack') }) }]}>
        <DatePicker style={{ width: '100%' }} data-testid="lend-due" />
      </Form.Item>
      <Form.Item name="note" label={t('pt.note')}>
        <Input maxLength={500} />
      </Form.Item>
    </FormDrawer>
  );
}

function ReturnModal({ item, onClose }: { item: Item | null; onClose: () => void }) {
  const { t, errorText } = useI18n();
  const refresh = useRefreshParts();
  const [warehouseId, setWarehouseId] = useState<number | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open={item !== null}
      title={`${t('pt.standins.return')} ${item?.modelLabel ?? ''} ${item?.serial ?? ''}`}
      onCancel={onClose}
      okButtonProps={{ disabled: !warehouseId, loading: busy, 'data-testid': 'standin-return-ok' } as React.ComponentProps<typeof Button>}
      onOk={async () => {
        setBusy(true);
        setError(null);
        try {
          await api.post(`/part-items/${item!.id}/return`, { warehouseId });
          refresh();
          onClose();
        } catch (e) {
          setError(errorText(e));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph>{t('pt.standins.returnTo')}</Typography.Paragraph>
      <WarehouseSelect value={warehouseId} onChange={setWarehouseId} only={(w) => w.customerId === null || w.customerId === item?.customerId} testid="standin-return-warehouse" />
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
    </Modal>
  );
}
