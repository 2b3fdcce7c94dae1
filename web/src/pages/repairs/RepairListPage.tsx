import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { Button, Card, Checkbox, Empty, Flex, Segmented, Space, Table, Typography } from 'antd';
import { DownloadOutlined, ShopOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { buildUrl } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { ORDERS, type OrderSummary } from './api';
import './repairs.css';
import { RepairStateTag, ReportCountdown, TargetReturn } from './shared';

const KEYS = ['q', 'view', 'overdue'] as const;
const VIEWS = { open: 'open', all: '', accepted: 'accepted', cancelled: 'cancelled' } as const;
type View = keyof typeof VIEWS;

/** 设备送修: the orders in the caller's scope; overdue progress reports in red, filters by state. */
export default function RepairListPage() {
  const { t, fmtDateTime } = useI18n();
  const navigate = useNavigate();
  const can = useCan();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const view = ((v.view as View) || 'open') as View;
  const query = useMemo(() => ({ q: v.q || undefined, state: VIEWS[view] || undefined, overdue: v.overdue === '1' ? '1' : undefined }), [v.q, view, v.overdue]);
  const list = useKeysetList<OrderSummary>(ORDERS, query);

  return (
    <div data-testid="page-repairs">
      <PageHeader
        title={t('rp.title')}
        subtitle={t('rp.subtitle')}
        extra={
          <Space wrap>
            {can('repairs.read') && (
              <Button icon={<ShopOutlined />} onClick={() => navigate('/repairs/vendors')} data-testid="repairs-vendors">
                {t('nav.vendors')}
              </Button>
            )}
            <Button icon={<DownloadOutlined />} href={buildUrl('/repair-orders.xlsx', query)} data-testid="repairs-export">
              {t('rp.export')}
            </Button>
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={12} align="center">
          <Segmented<View>
            value={view}
            onChange={(x) => filters.set({ view: x === 'open' ? null : x })}
            options={(Object.keys(VIEWS) as View[]).map((k) => ({ value: k, label: t(`rp.filter.${k}`) }))}
            data-testid="repairs-view"
          />
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('rp.search')} testid="repairs-search" width={300} />
          <Checkbox checked={v.overdue === '1'} onChange={(e) => filters.set({ overdue: e.target.checked ? '1' : null })} data-testid="repairs-overdue">
            {t('rp.filter.overdue')}
          </Checkbox>
        </Flex>
      </Card>
      <Card size="small">
        <Table<OrderSummary>
          rowKey="id"
          size="middle"
          loading={list.isLoading}
          dataSource={list.items}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{ emptyText: <Empty description={t('rp.empty')} /> }}
          onRow={(r) => ({ onClick: () => navigate(`/repairs/${r.id}`), style: { cursor: 'pointer' }, 'data-testid': `repair-row-${r.number}`, 'data-report-status': r.reportStatus } as React.HTMLAttributes<HTMLElement>)}
          rowClassName={(r) => (r.reportStatus === 'overdue' ? 'yw-repair-overdue' : '')}
          columns={[
            { title: t('rp.col.number'), dataIndex: 'number', width: 150, render: (n: string) => <Typography.Text strong>{n}</Typography.Text> },
            {
              title: t('rp.col.device'),
              render: (_: unknown, r) => (
                <div style={{ minWidth: 160 }}>
                  <div>{r.device}</div>
                  {r.serial && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.serial}</Typography.Text>}
                </div>
              ),
            },
            { title: t('rp.col.customer'), dataIndex: 'customerName', width: 160 },
            { title: t('rp.col.vendor'), dataIndex: 'vendorName', width: 120 },
            { title: t('rp.col.state'), dataIndex: 'state', width: 130, render: (_: unknown, r) => <RepairStateTag state={r.state} /> },
            { title: t('rp.col.sent'), dataIndex: 'sentAt', width: 160, render: (s: string | null) => (s ? fmtDateTime(s) : '—') },
            { title: t('rp.col.target'), width: 170, render: (_: unknown, r) => <TargetReturn order={r} /> },
            {
              title: t('rp.col.next'),
              width: 170,
              render: (_: unknown, r) => (
                <Space direction="vertical" size={0}>
                  <ReportCountdown order={r} testid={`repair-countdown-${r.number}`} />
                  {r.reportsOverdue > 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('rp.overdueCount', { count: r.reportsOverdue })}</Typography.Text>}
                </Space>
              ),
            },
          ]}
        />
        <LoadMore list={list} testid="repairs" />
      </Card>
    </div>
  );
}
