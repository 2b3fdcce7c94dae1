import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Popconfirm, Result, Skeleton, Tabs, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, InboxOutlined, UndoOutlined } from '@ant-design/icons';
import { api, isApiError } from '../../api/client';
import type { Customer } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { utcOffset } from '../../components/timezones';
import { CustomerFormDrawer, TierTag } from './customerShared';
import { SitesTab } from './CustomerSitesTab';
import { ContactsTab } from './CustomerContactsTab';
import { ContractsTab } from './CustomerContractsTab';

const TABS = ['basic', 'sites', 'contacts', 'contracts'] as const;
type TabKey = (typeof TABS)[number];

export default function CustomerDetailPage() {
  const { id: idParam = '' } = useParams();
  const id = /^\d+$/.test(idParam) ? Number(idParam) : null;
  const { t, errorText } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [sp, setSp] = useSearchParams();
  const [editing, setEditing] = useState(false);
  const q = useQuery({
    queryKey: ['/customers', 'byId', id],
    queryFn: () => api.get<Customer>(`/customers/${id}`),
    retry: false,
    enabled: id !== null,
  });
  const tabParam = sp.get('tab') as TabKey | null;
  const tab: TabKey = tabParam && TABS.includes(tabParam) ? tabParam : 'basic';
  const canWrite = can('customers.write');

  if (id !== null && q.isPending) return <Skeleton active />;
  if (id === null || q.isError) {
    if (id === null || (isApiError(q.error) && q.error.status === 404))
      return (
        <Result
          status="404"
          title={t('customers.notFound')}
          data-testid="customer-not-found"
          extra={<Button onClick={() => navigate('/admin/customers')}>{t('common.back')}</Button>}
        />
      );
    return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  }
  const c = q.data;
  if (!c) return null;

  const remove = async () => {
    try {
      await api.del(`/customers/${c.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: ['/customers'] });
      navigate('/admin/customers', { replace: true });
    } catch (e) {
      // a customer others refer to cannot be deleted: the server says so (409), archive instead
      message.error(isApiError(e) && e.status === 409 ? `${errorText(e)} ${t('customers.archiveInstead')}` : errorText(e));
    }
  };
  const setArchived = async (archived: boolean) => {
    try {
      const saved = await api.post<Customer>(`/customers/${c.id}/${archived ? 'archive' : 'unarchive'}`);
      message.success(archived ? t('customers.archivedDone') : t('customers.unarchivedDone'));
      if (saved?.id) qc.setQueryData(['/customers', 'byId', id], saved);
      await qc.invalidateQueries({ queryKey: ['/customers'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const items = [
    {
      key: 'basic',
      label: <span data-testid="customer-tab-basic">{t('customers.tab.basic')}</span>,
      children: (
        <Descriptions
          bordered
          column={{ xs: 1, md: 2 }}
          size="middle"
          data-testid="customer-basic"
          items={[
            { key: 'name', label: t('customers.name'), children: c.name },
            { key: 'code', label: t('customers.code'), children: c.code },
            { key: 'tier', label: t('customers.tier'), children: <TierTag tier={c.tier} /> },
            {
              key: 'tz',
              label: t('customers.timeZone'),
              children: (
                <span>
                  {c.timeZone} <Typography.Text type="secondary">{utcOffset(c.timeZone)}</Typography.Text>
                </span>
              ),
            },
            { key: 'address', label: t('customers.address'), children: c.address || '—', span: 2 },
            {
              key: 'notes',
              label: t('customers.notes'),
              children: <span style={{ whiteSpace: 'pre-wrap' }}>{c.notes || '—'}</span>,
              span: 2,
            },
          ]}
        />
      ),
    },
    {
      key: 'sites',
      label: <span data-testid="customer-tab-sites">{t('customers.tab.sites')}</span>,
      children: <SitesTab customer={c} />,
    },
    {
      key: 'contacts',
      label: <span data-testid="customer-tab-contacts">{t('customers.tab.contacts')}</span>,
      children: <ContactsTab customer={c} />,
    },
    ...(can('contracts.read')
      ? [
          {
            key: 'contracts',
            label: <span data-testid="customer-tab-contracts">{t('customers.tab.contracts')}</span>,
            children: <ContractsTab customer={c} />,
          },
        ]
      : []),
  ];

  return (
    <div data-testid="page-customer-detail">
      <PageHeader
        title={c.name}
        tags={
          <>
            <TierTag tier={c.tier} />
            {c.archivedAt && <Tag>{t('customers.archived')}</Tag>}
            <Typography.Text type="secondary">{c.code}</Typography.Text>
          </>
        }
        onBack={() => navigate('/admin/customers')}
        extra={
          canWrite && (
            <>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="customer-edit">
                {t('common.edit')}
              </Button>
              {c.archivedAt ? (
                <Button icon={<UndoOutlined />} onClick={() => setArchived(false)} data-testid="customer-unarchive">
                  {t('customers.unarchive')}
                </Button>
              ) : (
                <Popconfirm
                  title={t('customers.archiveConfirm', { name: c.name })}
                  onConfirm={() => setArchived(true)}
                  okButtonProps={{ 'data-testid': 'customer-archive-confirm' }}
                >
                  <Button icon={<InboxOutlined />} data-testid="customer-archive">
                    {t('customers.archive')}
                  </Button>
                </Popconfirm>
              )}
              <Popconfirm
                title={t('common.deleteConfirm', { name: c.name })}
                onConfirm={remove}
                okButtonProps={{ danger: true, 'data-testid': 'customer-delete-confirm' }}
              >
                <Button danger icon={<DeleteOutlined />} data-testid="customer-delete">
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            </>
          )
        }
      />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) =>
            setSp(
              (prev) => {
                const n = new URLSearchParams(prev);
                if (k === 'basic') n.delete('tab');
                else n.set('tab', k);
                return n;
              },
              { replace: true },
            )
          }
          items={items}
          destroyOnHidden={false}
        />
      </Card>
      <CustomerFormDrawer
        open={editing}
        record={c}
        onClose={() => setEditing(false)}
        onSaved={(saved) => {
          if (saved && typeof saved === 'object' && 'id' in saved) qc.setQueryData(['/customers', 'byId', id], saved);
        }}
      />
    </div>
  );
}
