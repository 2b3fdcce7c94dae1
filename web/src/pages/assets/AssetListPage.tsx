import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import dayjs from 'dayjs';
import { Button, Card, DatePicker, Dropdown, Flex, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { RemoteSelect } from '../../components/RemoteSelect';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { ASSETS, WARRANTY_COLOR, disposalKey, fileUrl, warrantyKey, type AssetListItem, type WarrantyStatus } from './api';

const KEYS = ['q', 'customerId', 'warranty', 'warrantyBefore', 'disposed'] as const;
const WARRANTIES: WarrantyStatus[] = ['expiring', 'expired', 'valid', 'none'];

/** 资产台账: assets in scope with filters, warranty status, and tags printed for the selection or the filter. */
export default function AssetListPage() {
  const { t, fmtDate, fmtNumber } = useI18n();
  const me = useCurrentUser();
  const navigate = useNavigate();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const query = useMemo(
    () => ({ q: v.q || undefined, customerId: v.customerId || undefined, warranty: v.warranty || undefined, warrantyBefore: v.warrantyBefore || undefined, disposed: v.disposed || undefined }),
    [v.q, v.customerId, v.warranty, v.warrantyBefore, v.disposed],
  );
  const list = useKeysetList<AssetListItem>(ASSETS, query, { limit: 50 });
  const [selected, setSelected] = useState<number[]>([]);
  const staff = me.customerId == null;

  const print = (layout: 'label' | 'a4') => {
    const url = selected.length ? fileUrl(`${ASSETS}/labels.pdf`, { ciIds: selected.join(','), layout }) : fileUrl(`${ASSETS}/labels.pdf`, { ...query, layout });
    window.open(url, '_blank', 'noopener');
  };

  return (
    <div data-testid="page-assets">
      <PageHeader
        title={t('assets.title')}
        subtitle={t('assets.subtitle')}
        extra={
          <Space wrap>
            <Button icon={<DownloadOutlined />} href={fileUrl(`${ASSETS}/export.xlsx`, query)} data-testid="assets-export">
              {t('assets.export')}
            </Button>
            <Dropdown
              menu={{
                items: [
                  { key: 'label', label: t('assets.labels.roll'), onClick: () => print('label') },
                  { key: 'a4', label: t('assets.labels.a4'), onClick: () => print('a4') },
                ],
              }}
            >
              <Button type="primary" icon={<PrinterOutlined />} data-testid="assets-print">
                {t('assets.labels.print')}
                {selected.length ? `（${t('assets.labels.selected', { count: selected.length })}）` : ''}
              </Button>
            </Dropdown>
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={8} align="center">
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('assets.search')} testid="assets-search" width={300} />
          {staff && (
            <RemoteSelect resource="customers" value={v.customerId ? Number(v.customerId) : undefined} onChange={(id) => filters.set({ customerId: id ? String(id) : null })} placeholder={t('assets.filter.customer')} style={{ width: 220 }} testid="assets-filter-customer" />
          )}
          <Select allowClear placeholder={t('assets.filter.warranty')} value={v.warranty || undefined} onChange={(warranty) => filters.set({ warranty })} options={WARRANTIES.map((w) => ({ value: w, label: t(warrantyKey(w)) }))} style={{ width: 140 }} data-testid="assets-filter-warranty" />
          <DatePicker
            placeholder={t('assets.filter.warrantyBefore')}
            value={v.warrantyBefore ? dayjs(v.warrantyBefore) : null}
            onChange={(d) => filters.set({ warrantyBefore: d ? d.format('YYYY-MM-DD') : null })}
            style={{ width: 170 }}
            data-testid="assets-filter-warranty-before"
          />
          <Select
            allowClear
            placeholder={t('assets.filter.disposed')}
            value={v.disposed || undefined}
            onChange={(disposed) => filters.set({ disposed })}
            options={[
              { value: '0', label: t('assets.filter.inUse') },
              { value: '1', label: t('assets.filter.disposedOnly') },
            ]}
            style={{ width: 120 }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('assets.labels.hint')}
          </Typography.Text>
        </Flex>
      </Card>
      <Table<AssetListItem>
        rowKey="ciId"
        size="middle"
        loading={list.isPending}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: t('assets.empty') }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
        onRow={(r) => ({ onClick: () => navigate(`/assets/${r.ciId}`), style: { cursor: 'pointer' }, 'data-testid': `asset-row-${r.assetNo}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('assets.col.assetNo'), dataIndex: 'assetNo', width: 130, render: (x: string) => <Typography.Text strong>{x}</Typography.Text> },
          {
            title: t('assets.col.ci'),
            key: 'ci',
            render: (_, r) => (
              <div>
                <div>{r.ciName}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {r.ciCode}
                  {r.serial ? ` · ${r.serial}` : ''}
                </Typography.Text>
              </div>
            ),
          },
          { title: t('assets.col.customer'), dataIndex: 'customerName', width: 160 },
          { title: t('assets.col.location'), key: 'loc', width: 180, render: (_, r) => [r.siteName, r.location].filter(Boolean).join(' / ') || '—' },
          {
            title: t('assets.col.warrantyEnd'),
            key: 'warranty',
            width: 150,
            render: (_, r) =>
              r.disposal ? (
                <Tag>{t(disposalKey(r.disposal))}</Tag>
              ) : (
                <Space size={4}>
                  {r.warrantyEnd ? fmtDate(r.warrantyEnd) : ''}
                  <Tag color={WARRANTY_COLOR[r.warrantyStatus]}>{t(warrantyKey(r.warrantyStatus))}</Tag>
                </Space>
              ),
          },
          { title: t('assets.col.responsible'), dataIndex: 'responsibleName', width: 100, render: (x: string | null) => x ?? '—' },
          { title: t('assets.col.price'), dataIndex: 'price', width: 120, align: 'right', render: (x: number | null) => (x === null ? '—' : fmtNumber(x)) },
        ]}
      />
      <LoadMore list={list} testid="assets" />
    </div>
  );
}
