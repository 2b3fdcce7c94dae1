import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, DatePicker, Empty, Flex, Form, Input, InputNumber, Progress, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { api, asPage, type Page } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { FormDrawer } from '../../components/FormDrawer';
import { VENDORS, type OlaMeasure, type Vendor, type VendorContact, type VendorOla } from './api';

interface VendorForm {
  name: string;
  hotline?: string;
  email?: string;
  address?: string;
  contacts: VendorContact[];
  responseHours?: number | null;
  repairDays?: number | null;
  contractNo?: string;
  contractEnd?: Dayjs | null;
  calendarId?: string;
  note?: string;
  disabled?: boolean;
}

/** 厂商: the vendors, their underpinning contracts and how well they kept them (last 12 months, like an OLA). */
export default function VendorsPage() {
  const { t } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const vendors = useQuery({ queryKey: [VENDORS, 'all'], queryFn: () => api.get<Vendor[]>(VENDORS, { includeDisabled: '1' }) });
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(364, 'day'), dayjs()]);
  const period = { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') };
  const ola = useQuery({ queryKey: [VENDORS, 'ola', period], queryFn: () => api.get<VendorOla[]>(`${VENDORS}/ola`, period) });
  const calendars = useQuery({ queryKey: ['/calendars', 'pick'], queryFn: () => api.get<Page<{ id: string; name: string }> | Array<{ id: string; name: string }>>('/calendars', { limit: 200 }).then((d) => asPage(d).items), enabled: can('calendars.read') });
  const [editing, setEditing] = useState<Vendor | 'new' | null>(null);
  const olaOf = new Map((ola.data ?? []).map((o) => [o.vendorId, o]));
  const write = can('repairs.write');

  const rate = (m: OlaMeasure | undefined, unit: string, testid: string) => {
    if (!m || m.target === null) return <Typography.Text type="secondary">—</Typography.Text>;
    const n = m.met + m.missed;
    return (
      <Tooltip title={`${m.target} ${unit}`}>
        <div style={{ minWidth: 130 }} data-testid={testid}>
          {m.rate === null ? (
            <Typography.Text type="secondary">{t('vd.ola.none')}</Typography.Text>
          ) : (
            <>
              <Progress percent={Math.round(m.rate * 100)} size="small" status={m.rate < 0.9 ? 'exception' : 'success'} format={() => ''} style={{ marginBottom: 0 }} />
              <Typography.Text style={{ fontSize: 12 }}>{t('vd.ola.cell', { rate: `${Math.round(m.rate * 1000) / 10}%`, met: m.met, n })}</Typography.Text>
            </>
          )}
        </div>
      </Tooltip>
    );
  };

  return (
    <div data-testid="page-vendors">
      <PageHeader
        title={t('vd.title')}
        subtitle={t('vd.subtitle')}
        onBack={() => navigate('/repairs')}
        extra={write && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="vendor-new">{t('vd.new')}</Button>}
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex gap={8} align="center" wrap>
          <Typography.Text>{t('vd.ola.period')}</Typography.Text>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
            disabledDate={(d) => d.isAfter(dayjs())}
            data-testid="vendors-ola-period"
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('vd.ola.help')}</Typography.Text>
        </Flex>
      </Card>
      <Card size="small">
        <Table<Vendor>
          rowKey="id"
          loading={vendors.isLoading}
          dataSource={vendors.data ?? []}
          pagination={false}
          scroll={{ x: 1200 }}
          locale={{ emptyText: <Empty description={t('vd.empty')} /> }}
          onRow={(v) => ({ onClick: () => setEditing(v), style: { cursor: 'pointer' }, 'data-testid': `vendor-row-${v.name}` } as React.HTMLAttributes<HTMLElement>)}
          columns={[
            {
              title: t('vd.name'),
              width: 160,
              render: (_: unknown, v) => (
                <Space size={4} wrap>
                  <Typography.Text strong>{v.name}</Typography.Text>
                  {v.disabled && <Tag>{t('vd.disabled')}</Tag>}
                </Space>
              ),
            },
            { title: t('vd.hotline'), dataIndex: 'hotline', width: 140 },
            { title: t('vd.contacts'), width: 160, render: (_: unknown, v) => v.contacts.map((c) => `${c.name}${c.phone ? ` ${c.phone}` : ''}`).join('；') || '—' },
            { title: t('vd.responseHours'), dataIndex: 'responseHours', width: 110, render: (x: number | null) => x ?? '—' },
            { title: t('vd.repairDays'), dataIndex: 'repairDays', width: 110, render: (x: number | null) => x ?? '—' },
            { title: t('vd.open'), dataIndex: 'openOrders', width: 70 },
            { title: t('vd.ola.response'), width: 170, render: (_: unknown, v) => rate(olaOf.get(v.id)?.response, t('vd.responseHours'), `vendor-ola-response-${v.id}`) },
            { title: t('vd.ola.repair'), width: 170, render: (_: unknown, v) => rate(olaOf.get(v.id)?.repair, t('vd.repairDays'), `vendor-ola-repair-${v.id}`) },
            { title: t('vd.contractEnd'), dataIndex: 'contractEnd', width: 110, render: (x: string | null) => x ?? '—' },
          ]}
        />
      </Card>
      <FormDrawer<VendorForm>
        open={editing !== null}
        title={editing === 'new' ? t('vd.new') : t('vd.edit')}
        testid="vendor-form"
        recordKey={editing === 'new' ? 'new' : (editing?.id ?? null)}
        readOnly={!write}
        initialValues={
          editing && editing !== 'new'
            ? { ...editing, hotline: editing.hotline ?? undefined, email: editing.email ?? undefined, address: editing.address ?? undefined, contractNo: editing.contractNo ?? undefined, note: editing.note ?? undefined, contractEnd: editing.contractEnd ? dayjs(editing.contractEnd) : null }
            : { contacts: [], calendarId: 'cn-5x8' }
        }
        onClose={() => setEditing(null)}
        successMessage={t('vd.saved')}
        onSubmit={async (v) => {
          const body = {
            name: v.name,
            hotline: v.hotline || null,
            email: v.email || null,
            address: v.address || null,
            contacts: (v.contacts ?? []).map((c) => ({ name: c.name, phone: c.phone || null, email: c.email || null, role: c.role || null })),
            responseHours: v.responseHours ?? null,
            repairDays: v.repairDays ?? null,
            contractNo: v.contractNo || null,
            contractEnd: v.contractEnd ? v.contractEnd.format('YYYY-MM-DD') : null,
            calendarId: v.calendarId,
            note: v.note || null,
          };
          if (editing === 'new') await api.post(VENDORS, body);
          else if (editing) await api.patch(`${VENDORS}/${editing.id}`, { ...body, version: editing.version, disabled: !!v.disabled });
          await qc.invalidateQueries({ queryKey: [VENDORS] });
        }}
      >
        <Form.Item name="name" label={t('vd.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={100} data-testid="vendor-name" />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="hotline" label={t('vd.hotline')} style={{ flex: '1 1 160px' }}>
            <Input maxLength={50} data-testid="vendor-hotline" />
          </Form.Item>
          <Form.Item name="email" label={t('vd.email')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={254} />
          </Form.Item>
        </Flex>
        <Form.Item name="address" label={t('vd.address')}>
          <Input maxLength={300} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="responseHours" label={t('vd.responseHours')} style={{ flex: '1 1 160px' }}>
            <InputNumber min={1} max={8760} style={{ width: '100%' }} data-testid="vendor-response-hours" />
          </Form.Item>
          <Form.Item name="repairDays" label={t('vd.repairDays')} style={{ flex: '1 1 160px' }}>
            <InputNumber min={1} max={365} style={{ width: '100%' }} data-testid="vendor-repair-days" />
          </Form.Item>
          <Form.Item name="calendarId" label={t('vd.calendar')} style={{ flex: '1 1 160px' }}>
            <Select options={(calendars.data ?? [{ id: 'cn-5x8', name: 'cn-5x8' }]).map((c) => ({ value: c.id, label: c.name }))} />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap>
          <Form.Item name="contractNo" label={t('vd.contractNo')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="contractEnd" label={t('vd.contractEnd')} style={{ flex: '1 1 160px' }}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
        <Typography.Text strong>{t('vd.contacts')}</Typography.Text>
        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <div style={{ marginTop: 8 }}>
              {fields.map((f) => (
                <Flex key={f.key} gap={8} align="baseline" wrap>
                  <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true }]} style={{ flex: '1 1 100px' }}>
                    <Input placeholder={t('vd.contact.name')} maxLength={100} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'phone']} style={{ flex: '1 1 120px' }}>
                    <Input placeholder={t('vd.contact.phone')} maxLength={50} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'email']} style={{ flex: '1 1 150px' }}>
                    <Input placeholder={t('vd.contact.email')} maxLength={254} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'role']} style={{ flex: '1 1 90px' }}>
                    <Input placeholder={t('vd.contact.role')} maxLength={50} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Flex>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '' })} block style={{ marginBottom: 16 }}>
                {t('vd.contact.add')}
              </Button>
            </div>
          )}
        </Form.List>
        <Form.Item name="note" label={t('vd.note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        {editing !== 'new' && (
          <Form.Item name="disabled" label={t('vd.disabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </FormDrawer>
    </div>
  );
}
