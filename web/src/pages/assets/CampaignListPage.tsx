import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { App, Button, DatePicker, Form, Input, Modal, Progress, Select, Table, Tag, Typography, type ButtonProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, applyFieldErrors, fetchAll } from '../../api/client';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { RemoteSelect } from '../../components/RemoteSelect';
import { LoadMore, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { CAMPAIGNS, STATE_COLOR, stateKey, type Campaign, type CampaignState } from './api';

const STATES: CampaignState[] = ['open', 'review', 'closed', 'cancelled'];

/** 资产盘点: the campaigns in scope with their progress; staff create one for a customer or site. */
export default function CampaignListPage() {
  const { t, fmtDate } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const filters = useUrlFilters(['state'] as const);
  const list = useKeysetList<Campaign>(CAMPAIGNS, { state: filters.values.state || undefined }, { limit: 50 });
  const [creating, setCreating] = useState(false);
  return (
    <div data-testid="page-campaigns">
      <PageHeader
        title={t('campaigns.title')}
        subtitle={t('campaigns.subtitle')}
        extra={
          can('cmdb.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="campaigns-new">
              {t('campaigns.new')}
            </Button>
          )
        }
      />
      <Select allowClear placeholder={t('campaigns.col.progress')} value={filters.values.state || undefined} onChange={(state) => filters.set({ state })} options={STATES.map((s) => ({ value: s, label: t(stateKey(s)) }))} style={{ width: 140, marginBottom: 12 }} />
      <Table<Campaign>
        rowKey="id"
        loading={list.isPending}
        dataSource={list.items}
        pagination={false}
        scroll={{ x: 760 }}
        locale={{ emptyText: t('campaigns.empty') }}
        onRow={(r) => ({ onClick: () => navigate(`/asset-campaigns/${r.id}`), style: { cursor: 'pointer' }, 'data-testid': `campaign-row-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('campaigns.col.name'),
            key: 'name',
            render: (_, r) => (
              <div>
                <Typography.Text strong>{r.name}</Typography.Text>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.customerName}
                    {r.siteName ? ` · ${r.siteName}` : ''}
                  </Typography.Text>
                </div>
              </div>
            ),
          },
          { title: t('campaigns.col.period'), dataIndex: 'period', width: 100 },
          { title: t('campaigns.col.progress'), key: 'p', width: 200, render: (_, r) => <Progress percent={r.total ? Math.round((r.checked / r.total) * 100) : 0} size="small" format={() => `${r.checked}/${r.total}`} /> },
          { title: '', key: 'state', width: 90, render: (_, r) => <Tag color={STATE_COLOR[r.state]}>{t(stateKey(r.state))}</Tag> },
          { title: t('campaigns.col.due'), dataIndex: 'dueDate', width: 120, render: (x: string | null) => (x ? fmtDate(x) : '—') },
          { title: t('campaigns.col.assignee'), dataIndex: 'assigneeName', width: 110, render: (x: string | null) => x ?? '—' },
        ]}
      />
      <LoadMore list={list} testid="campaigns" />
      <CreateModal open={creating} onClose={() => setCreating(false)} onCreated={(c) => navigate(`/asset-campaigns/${c.id}`)} />
    </div>
  );
}

function CreateModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (c: Campaign) => void }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const customerId = Form.useWatch('customerId', form) as number | undefined;
  const sites = useQuery({ queryKey: ['/customers', customerId, 'sites'], queryFn: () => fetchAll<{ id: number; name: string }>(`/customers/${customerId}/sites`, {}, 500), enabled: !!customerId, retry: false });
  const submit = async () => {
    const v = await form.validateFields();
    try {
      const c = await api.post<Campaign>(CAMPAIGNS, { customerId: v.customerId, siteId: v.siteId ?? null, name: v.name || null, dueDate: v.dueDate ? (v.dueDate as dayjs.Dayjs).format('YYYY-MM-DD') : null, assigneeId: v.assigneeId ?? null });
      await qc.invalidateQueries({ queryKey: [CAMPAIGNS] });
      onClose();
      onCreated(c);
    } catch (e) {
      if (!applyFieldErrors(form, e).length) message.error(errorText(e));
    }
  };
  return (
    <Modal open={open} title={t('campaigns.new')} onCancel={onClose} onOk={submit} okButtonProps={{ 'data-testid': 'campaign-create-ok' } as ButtonProps} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="customerId" label={t('campaigns.field.customer')} rules={[{ required: true }]}>
          <RemoteSelect resource="customers" testid="campaign-customer" />
        </Form.Item>
        <Form.Item name="siteId" label={t('campaigns.field.site')}>
          <Select allowClear options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
        </Form.Item>
        <Form.Item name="name" label={t('campaigns.field.name')}>
          <Input />
        </Form.Item>
        <Form.Item name="assigneeId" label={t('campaigns.field.assignee')}>
          <RemoteSelect resource="users" testid="campaign-assignee" />
        </Form.Item>
        <Form.Item name="dueDate" label={t('campaigns.field.due')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
