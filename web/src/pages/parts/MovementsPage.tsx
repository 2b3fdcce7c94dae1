import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Button, Card, DatePicker, Empty, Flex, Modal, Select, Space, Table, Typography } from 'antd';
import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useI18n } from '../../i18n';
import { buildUrl } from '../../api/client';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect } from '../../components/RemoteSelect';
import { MOVEMENT_KINDS, thisMonth, type Movement, type MovementKind } from './api';
import { KindTag, PartsFrame, WarehouseSelect } from './shared';

const KEYS = ['customerId', 'warehouseId', 'kind', 'from', 'to', 'q'] as const;

/** 出入库台账: every movement in the caller's scope, newest first, with filters; the monthly list per customer to download. */
export default function MovementsPage() {
  const { t, fmtDateTime } = useI18n();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const query = useMemo(
    () => ({ customerId: v.customerId || undefined, warehouseId: v.warehouseId || undefined, kind: v.kind || undefined, from: v.from || undefined, to: v.to || undefined, q: v.q || undefined }),
    [v.customerId, v.warehouseId, v.kind, v.from, v.to, v.q],
  );
  const list = useKeysetList<Movement>('/part-movements', query);
  const [monthly, setMonthly] = useState(false);

  return (
    <PartsFrame
      testid="page-parts-movements"
      extra={
        <Button icon={<DownloadOutlined />} onClick={() => setMonthly(true)} data-testid="parts-monthly">
          {t('pt.monthly')}
        </Button>
      }
    >
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={12} align="center">
          <div style={{ width: 220, maxWidth: '100%' }}>
            <RemoteSelect resource="customers" value={v.customerId ? Number(v.customerId) : undefined} onChange={(id) => filters.set({ customerId: id ? String(id) : null })} placeholder={t('pt.customer')} testid="ledger-customer" />
          </div>
          <div style={{ width: 220, maxWidth: '100%' }}>
            <WarehouseSelect value={v.warehouseId ? Number(v.warehouseId) : undefined} onChange={(id) => filters.set({ warehouseId: id ? String(id) : null })} allowClear testid="ledger-warehouse" />
          </div>
          <Select<MovementKind | ''>
            value={(v.kind as MovementKind) || ''}
            onChange={(k) => filters.set({ kind: k || null })}
            style={{ width: 140 }}
            options={[{ value: '', label: t('pt.allKinds') }, ...MOVEMENT_KINDS.map((k) => ({ value: k, label: t(`pt.kind.${k}`) }))]}
            data-testid="ledger-kind"
          />
          <DatePicker.RangePicker
            value={v.from && v.to ? [dayjs(v.from), dayjs(v.to)] : null}
            onChange={(r) => filters.set({ from: r?.[0]?.format('YYYY-MM-DD') ?? null, to: r?.[1]?.format('YYYY-MM-DD') ?? null })}
            data-testid="ledger-range"
          />
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('pt.col.number')} testid="ledger-search" width={180} />
        </Flex>
      </Card>
      <Table<Movement>
        size="small"
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Empty description={t('pt.emptyMovements')} /> }}
        data-testid="parts-ledger"
        columns={[
          { title: t('pt.col.at'), dataIndex: 'at', render: (at: string) => fmtDateTime(at) },
          { title: t('pt.col.number'), dataIndex: 'number', render: (n: string, r) => (r.kind === 'requisition' ? <a href={`/api/v1/part-requisitions/${r.id}/pdf`} target="_blank" rel="noreferrer">{n}</a> : n) },
          { title: t('pt.col.kind'), dataIndex: 'kind', render: (k: MovementKind) => <KindTag kind={k} /> },
          { title: t('pt.col.part'), dataIndex: 'modelLabel', render: (l: string, r) => <Space direction="vertical" size={0}><span>{l}</span>{r.serial && <Typography.Text type="secondary" style={{ fontSize: 12 }}>SN {r.serial}</Typography.Text>}</Space> },
          { title: t('pt.quantity'), dataIndex: 'quantity', align: 'right', render: (q: number, r) => `${q} ${r.unit}` },
          { title: t('pt.col.place'), key: 'place', render: (_, r) => (r.fromWarehouseName && r.toWarehouseName ? `${r.fromWarehouseName} → ${r.toWarehouseName}` : (r.fromWarehouseName ?? r.toWarehouseName ?? '—')) },
          { title: t('pt.customer'), dataIndex: 'customerName', responsive: ['md'], render: (c: string | null) => c ?? '—' },
          { title: t('pt.col.ticket'), dataIndex: 'ticketNumber', render: (n: string | null, r) => (n ? <Link to={`/tickets/${r.ticketId}`}>{n}</Link> : '—') },
          { title: t('pt.col.by'), dataIndex: 'byName', responsive: ['lg'], render: (b: string, r) => [b, r.note].filter(Boolean).join(' · ') },
        ]}
      />
      <LoadMore list={list} testid="ledger" />
      <MonthlyModal open={monthly} onClose={() => setMonthly(false)} customerId={v.customerId ? Number(v.customerId) : undefined} />
    </PartsFrame>
  );
}

/** The monthly list (配置清单 topped up monthly) of one customer: Excel or PDF. */
function MonthlyModal({ open, onClose, customerId: initial }: { open: boolean; onClose: () => void; customerId?: number }) {
  const { t } = useI18n();
  const [customerId, setCustomerId] = useState<number | undefined>(initial);
  const [month, setMonth] = useState(thisMonth());
  const q = { customerId, month };
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('pt.monthly')} data-testid="parts-monthly-modal">
      <Typography.Paragraph type="secondary">{t('pt.monthlyHint')}</Typography.Paragraph>
      <Flex vertical gap={12}>
        <RemoteSelect resource="customers" value={customerId} onChange={(id) => setCustomerId(id ? Number(id) : undefined)} placeholder={t('pt.chooseCustomer')} testid="monthly-customer" />
        <DatePicker picker="month" value={dayjs(`${month}-01`)} onChange={(d) => d && setMonth(d.format('YYYY-MM'))} allowClear={false} data-testid="monthly-month" />
        <Space wrap>
          <Button type="primary" icon={<DownloadOutlined />} disabled={!customerId} href={buildUrl('/part-movements/monthly.xlsx', q)} data-testid="monthly-xlsx">{t('pt.downloadXlsx')}</Button>
          <Button icon={<FilePdfOutlined />} disabled={!customerId} href={buildUrl('/part-movements/monthly.pdf', q)} target="_blank" data-testid="monthly-pdf">{t('pt.downloadPdf')}</Button>
        </Space>
      </Flex>
    </Modal>
  );
}
