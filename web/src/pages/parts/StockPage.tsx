import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Checkbox, Dropdown, Empty, Flex, Space, Table, Tag, Typography } from 'antd';
import { ImportOutlined, MoreOutlined, WarningOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { api } from '../../api/client';
import { SearchBox, useUrlFilters } from '../../components/KeysetList';
import { useIsMobile } from '../../components/useIsMobile';
import type { Stock } from './api';
import { PartsFrame, StockActionDrawer, WarehouseSelect, type StockAction } from './shared';
import { WarehouseDrawer } from './WarehouseDrawer';
import './parts.css';

const KEYS = ['warehouseId', 'low', 'q'] as const;

/** 库存: stock by warehouse and model; rows under their minimum in red; the keeper's movements from each row. */
export default function StockPage() {
  const { t } = useI18n();
  const can = useCan();
  const mobile = useIsMobile();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const query = useMemo(() => ({ warehouseId: v.warehouseId || undefined, low: v.low === '1' ? '1' : undefined, q: v.q || undefined }), [v.warehouseId, v.low, v.q]);
  const stock = useQuery({ queryKey: ['/part-stock', query], queryFn: () => api.get<Stock[]>('/part-stock', query) });
  const [action, setAction] = useState<{ kind: StockAction; row?: Stock } | null>(null);
  const [newWarehouse, setNewWarehouse] = useState(false);
  const write = can('parts.write');
  const rows = stock.data ?? [];
  const lowCount = rows.filter((r) => r.low).length;

  return (
    <PartsFrame
      testid="page-parts-stock"
      extra={
        write && (
          <Space wrap>
            <Button onClick={() => setNewWarehouse(true)} data-testid="parts-new-warehouse">{t('pt.newWarehouse')}</Button>
            <Button type="primary" icon={<ImportOutlined />} onClick={() => setAction({ kind: 'stockIn' })} data-testid="parts-stock-in">{t('pt.stockIn')}</Button>
          </Space>
        )
      }
    >
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={12} align="center">
          <div style={{ width: 260, maxWidth: '100%' }}>
            <WarehouseSelect value={v.warehouseId ? Number(v.warehouseId) : undefined} onChange={(id) => filters.set({ warehouseId: id ? String(id) : null })} allowClear testid="parts-filter-warehouse" />
          </div>
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('pt.searchModel')} testid="parts-search" width={240} />
          <Checkbox checked={v.low === '1'} onChange={(e) => filters.set({ low: e.target.checked ? '1' : null })} data-testid="parts-low-only">
            {t('pt.lowOnly')}
          </Checkbox>
          {lowCount > 0 && (
            <Tag color="red" icon={<WarningOutlined />} data-testid="parts-low-count">
              {t('pt.low')} · {lowCount}
            </Tag>
          )}
        </Flex>
      </Card>
      <Table<Stock>
        size="small"
        rowKey={(r) => `${r.warehouseId}:${r.modelId}`}
        loading={stock.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: true }}
        rowClassName={(r) => (r.low ? 'yw-parts-low' : '')}
        locale={{ emptyText: <Empty description={t('pt.emptyStock')} /> }}
        data-testid="parts-stock-table"
        onRow={(r) => ({ 'data-testid': `stock-row-${r.warehouseId}-${r.modelId}` } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: t('pt.warehouse'), dataIndex: 'warehouseName', render: (name: string, r) => <Space direction="vertical" size={0}><span>{name}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.customerName ?? t('pt.depot')}</Typography.Text></Space> },
          { title: t('pt.model'), dataIndex: 'modelLabel', render: (label: string, r) => <Space size={4} wrap><span>{label}</span>{r.standin && <Tag color="gold">{t('pt.standin')}</Tag>}{r.serialTracked && !r.standin && <Tag>{t('pt.serials')}</Tag>}</Space> },
          { title: t('pt.quantity'), dataIndex: 'quantity', align: 'right', render: (q: number, r) => <Typography.Text strong type={r.low ? 'danger' : undefined} data-testid="stock-quantity">{q} {r.unit}</Typography.Text> },
          { title: t('pt.minQuantity'), dataIndex: 'minQuantity', align: 'right', responsive: ['sm'], render: (q: number, r) => (q ? `${q} ${r.unit}` : '—') },
          { title: t('pt.faulty'), dataIndex: 'faulty', align: 'right', responsive: ['md'], render: (q: number) => q || '—' },
          {
            title: '',
            key: 'actions',
            width: mobile ? 48 : 120,
            render: (_, r) =>
              write && (
                <Dropdown
                  trigger={['click']}
                  menu={{
                    items: (['stockIn', 'transfer', 'adjust', 'scrap', 'setMin'] as StockAction[])
                      .filter((k) => !(k === 'adjust' && r.serialTracked))
                      .map((k) => ({ key: k, label: t(k === 'setMin' ? 'pt.setMin' : (`pt.${k}` as 'pt.stockIn')) })),
                    onClick: ({ key }) => setAction({ kind: key as StockAction, row: r }),
                  }}
                >
                  <Button size="small" icon={<MoreOutlined />} data-testid={`stock-actions-${r.warehouseId}-${r.modelId}`}>{!mobile && t('common.actions')}</Button>
                </Dropdown>
              ),
          },
        ]}
      />
      <StockActionDrawer action={action?.kind ?? null} initial={action?.row} onClose={() => setAction(null)} />
      <WarehouseDrawer open={newWarehouse} onClose={() => setNewWarehouse(false)} />
    </PartsFrame>
  );
}
