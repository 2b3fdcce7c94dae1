import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Button, Card, Empty, Flex, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Customer } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { CustomerFormDrawer, TierTag } from './customerShared';
import { utcOffset } from '../../components/timezones';

export default function CustomersPage() {
  const { t } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const filters = useUrlFilters(['q', 'archived'] as const);
  const list = useKeysetList<Customer>('/customers', { q: filters.values.q, archived: filters.values.archived === 'true' ? 'true' : undefined });
  const [drawer, setDrawer] = useState<{ open: boolean; record: Customer | null }>({ open: false, record: null });
  const canWrite = can('customers.write');
  const open = (c: Customer) => navigate(`/admin/customers/${c.id}`);

  return (
    <div data-testid="page-customers">
      <PageHeader
        title={t('customers.title')}
        subtitle={t('customers.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            {canWrite && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setDrawer({ open: true, record: null })}
                data-testid="customers-new"
              >
                {t('customers.new')}
              </Button>
            )}
          </>
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <SearchBox value={filters.values.q} onChange={(q) => filters.set({ q })} testid="customers-search" />
          <Flex align="center" gap={6}>
            <Switch
              size="small"
              checked={filters.values.archived === 'true'}
              onChange={(on) => filters.set({ archived: on ? 'true' : null })}
              data-testid="customers-show-archived"
            />
            <Typography.Text>{t('customers.showArchived')}</Typography.Text>
          </Flex>
        </Flex>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<Customer>
          rowKey="id"
          data-testid="customers-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 720 }}
          onRow={(r) => ({
            onClick: () => open(r),
            style: { cursor: 'pointer' },
            'data-testid': 'customers-row',
          } as React.HTMLAttributes<HTMLElement>)}
          locale={{
            emptyText: (
              <Empty description={filters.values.q ? t('customers.emptySearch') : t('customers.empty')} data-testid="customers-empty">
                {!filters.values.q && canWrite && (
                  <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                    {t('customers.new')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('customers.name'),
              dataIndex: 'name',
              render: (v: string, c) => (
                <span>
                  <Typography.Link>{v}</Typography.Link> {c.archivedAt && <Tag>{t('customers.archived')}</Tag>}
                </span>
              ),
            },
            { title: t('customers.code'), dataIndex: 'code', width: 140 },
            { title: t('customers.tier'), dataIndex: 'tier', width: 100, render: (v: number) => <TierTag tier={v} /> },
            {
              title: t('customers.timeZone'),
              dataIndex: 'timeZone',
              width: 220,
              render: (v: string) => (
                <span>
                  {v} <Typography.Text type="secondary">{utcOffset(v)}</Typography.Text>
                </span>
              ),
            },
            { title: t('customers.address'), dataIndex: 'address', ellipsis: true, responsive: ['lg'] },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 110,
              align: 'right',
              render: (_: unknown, r) =>
                canWrite && (
                  <Button
                    type="link"
                    size="small"
                    onClick={(e) => {
                      e.stopPropagation();
                      setDrawer({ open: true, record: r });
                    }}
                    data-testid="customers-edit"
                  >
                    {t('common.edit')}
                  </Button>
                ),
            },
          ]}
        />
        <LoadMore list={list} testid="customers" />
      </Card>
      <CustomerFormDrawer
        open={drawer.open}
        record={drawer.record}
        onClose={() => setDrawer({ open: false, record: drawer.record })}
        onSaved={(c) => {
          if (!drawer.record && c?.id) navigate(`/admin/customers/${c.id}`);
        }}
      />
    </div>
  );
}
