import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Select, Space, Table, Typography } from 'antd';
import { ApartmentOutlined, DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { fetchAll } from '../../api/client';
import type { Site } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { RemoteSelect } from '../../components/RemoteSelect';
import { useIsMobile } from '../../components/useIsMobile';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { CIS, CI_STATUSES, CRITICALITIES, ciPath, fileUrl, criticalityKey, statusKey, typeLabel, useCiTypes, type CiSummary } from './api';
import { CiStatusTag, CriticalityTag } from './shared';
import { CiEditDrawer } from './CiEditDrawer';
import './cmdb.css';

const KEYS = ['q', 'customerId', 'siteId', 'typeId', 'status', 'criticality'] as const;

/** The sites of one customer, for filters and the CI form. */
export function useCustomerSites(customerId: number | null | undefined) {
  const can = useCan();
  return useQuery({
    queryKey: ['/sites', 'of', customerId],
    queryFn: () => fetchAll<Site>(`/customers/${customerId}/sites`),
    enabled: !!customerId && can('customers.read'),
    staleTime: 5 * 60_000,
  });
}

/**
 * 配置项 (CMDB): every CI in the user's scope with filters kept in the URL, keyset "load more",
 * Excel of the filtered list and the import. In the portal (`portal`), the customer's own CIs, read-only.
 */
export default function CiListPage({ portal = false }: { portal?: boolean }) {
  const { t, locale } = useI18n();
  const me = useCurrentUser();
  const can = useCan();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const staff = me.customerId == null;
  const canWrite = staff && !portal && can('cmdb.write');
  const customerId = staff ? (v.customerId ? Number(v.customerId) : undefined) : (me.customerId ?? undefined);
  const query = useMemo(
    () => ({
      q: v.q || undefined,
      customerId: staff ? v.customerId || undefined : undefined,
      siteId: v.siteId || undefined,
      typeId: v.typeId || undefined,
      status: v.status || undefined,
      criticality: v.criticality || undefined,
    }),
    [v.q, v.customerId, v.siteId, v.typeId, v.status, v.criticality, staff],
  );
  const list = useKeysetList<CiSummary>(CIS, query, { limit: 50 });
  const types = useCiTypes(true);
  const sites = useCustomerSites(customerId);
  const [creating, setCreating] = useState(false);
  const filtered = Object.values(query).some((x) => x !== undefined);

  return (
    <div data-testid="page-cmdb">
      <PageHeader
        title={t(portal ? 'cmdb.portal.title' : 'cmdb.title')}
        subtitle={t(portal ? 'cmdb.portal.subtitle' : 'cmdb.subtitle')}
        extra={
          <Space wrap>
            <Button icon={<DownloadOutlined />} href={fileUrl(`${CIS}/export.xlsx`, query)} data-testid="cmdb-export">
              {t('cmdb.export')}
            </Button>
            {canWrite && (
              <Button icon={<UploadOutlined />} onClick={() => navigate('/cmdb/import')} data-testid="cmdb-import">
                {t('cmdb.import')}
              </Button>
            )}
            {!portal && can('cmdb.manage') && (
              <Button icon={<ApartmentOutlined />} onClick={() => navigate('/cmdb/types')} data-testid="cmdb-types">
                {t('cmdb.types.title')}
              </Button>
            )}
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="cmdb-new">
                {t('cmdb.new')}
              </Button>
            )}
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={8} align="center">
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('cmdb.search')} testid="cmdb-search" width={mobile ? '100%' : 300} />
          {staff && !portal && (
            <RemoteSelect
              resource="customers"
              value={customerId}
              onChange={(id) => filters.set({ customerId: id ? String(id) : null, siteId: null })}
              placeholder={t('cmdb.filter.customer')}
              style={{ width: 220 }}
              testid="cmdb-filter-customer"
            />
          )}
          {customerId && sites.data && (
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('cmdb.filter.site')}
              value={v.siteId ? Number(v.siteId) : undefined}
              onChange={(siteId?: number) => filters.set({ siteId: siteId ? String(siteId) : null })}
              options={sites.data.map((s) => ({ value: s.id, label: s.name }))}
              style={{ width: 180 }}
              data-testid="cmdb-filter-site"
            />
          )}
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('cmdb.filter.type')}
            value={v.typeId ? Number(v.typeId) : undefined}
            onChange={(typeId?: number) => filters.set({ typeId: typeId ? String(typeId) : null })}
            options={(types.data ?? []).map((ty) => ({ value: ty.id, label: typeLabel(ty, locale) }))}
            style={{ width: 150 }}
            data-testid="cmdb-filter-type"
          />
          <Select
            allowClear
            placeholder={t('cmdb.filter.status')}
            value={v.status || undefined}
            onChange={(status?: string) => filters.set({ status })}
            options={CI_STATUSES.map((s) => ({ value: s, label: t(statusKey(s)) }))}
            style={{ width: 120 }}
            data-testid="cmdb-filter-status"
          />
          <Select
            allowClear
            placeholder={t('cmdb.filter.criticality')}
            value={v.criticality || undefined}
            onChange={(criticality?: string) => filters.set({ criticality })}
            options={CRITICALITIES.map((c) => ({ value: String(c), label: t(criticalityKey(c)) }))}
            style={{ width: 120 }}
            data-testid="cmdb-filter-criticality"
          />
          {filtered && (
            <Button type="link" onClick={() => filters.clear()} data-testid="cmdb-filter-clear">
              {t('cmdb.filter.clear')}
            </Button>
          )}
        </Flex>
      </Card>
      <Table<CiSummary>
        rowKey="id"
        size="middle"
        loading={list.isPending}
        dataSource={list.items}
        pagination={false}
        scroll={mobile ? undefined : { x: 960 }}
        locale={{ emptyText: filtered ? t('cmdb.emptyFiltered') : t(portal ? 'cmdb.portal.empty' : 'cmdb.empty') }}
        onRow={(r) => ({ onClick: () => navigate(ciPath(r.id, portal)), style: { cursor: 'pointer' }, 'data-testid': `ci-row-${r.code}` }) as React.HTMLAttributes<HTMLElement>}
        columns={
          mobile
            ? [
                {
                  title: t('cmdb.col.ci'),
                  key: 'ci',
                  render: (_, r) => (
                    <div>
                      <Typography.Text strong>{r.code}</Typography.Text>
                      <div>{r.name}</div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {[r.typeName, r.ip, r.siteName].filter(Boolean).join(' · ')}
                      </Typography.Text>
                    </div>
                  ),
                },
                { title: t('cmdb.col.status'), dataIndex: 'status', width: 76, render: (s: CiSummary['status']) => <CiStatusTag status={s} /> },
              ]
            : [
              {
                title: t('cmdb.col.ci'),
                key: 'ci',
                fixed: 'left',
                width: 260,
                render: (_, r) => (
                  <div>
                    <Typography.Text strong>{r.code}</Typography.Text>
                    <div>{r.name}</div>
                  </div>
                ),
              },
              { title: t('cmdb.col.type'), dataIndex: 'typeName', width: 110 },
              { title: t('cmdb.col.status'), dataIndex: 'status', width: 90, render: (s: CiSummary['status']) => <CiStatusTag status={s} /> },
              { title: t('cmdb.col.criticality'), dataIndex: 'criticality', width: 90, render: (c: number) => <CriticalityTag value={c} /> },
              { title: t('cmdb.col.ip'), dataIndex: 'ip', width: 140, render: (x: string | null) => x ?? '—' },
              ...(staff && !portal ? [{ title: t('cmdb.col.customer'), dataIndex: 'customerName', width: 150 }] : []),
              { title: t('cmdb.col.site'), dataIndex: 'siteName', width: 130, render: (x: string | null) => x ?? '—' },
              { title: t('cmdb.col.model'), key: 'model', width: 170, render: (_, r) => [r.brand, r.model].filter(Boolean).join(' ') || '—' },
              { title: t('cmdb.col.owner'), dataIndex: 'ownerName', width: 100, render: (x: string | null) => x ?? '—' },
              ]
        }
      />
      <LoadMore list={list} testid="cmdb" />
      {canWrite && <CiEditDrawer open={creating} onClose={() => setCreating(false)} initialCustomerId={customerId} onSaved={(ci) => navigate(ciPath(ci.id))} />}
    </div>
  );
}
