import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { App, Button, DatePicker, Empty, Flex, Form, Input, Popconfirm, Radio, Select, Table, Tag, Typography } from 'antd';
import { FieldTimeOutlined, PlusOutlined } from '@ant-design/icons';
import { api, asPage, type Page } from '../../api/client';
import type { Contract, Customer, Id } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { FormDrawer } from '../../components/FormDrawer';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore, SearchBox, useKeysetList } from '../../components/KeysetList';
import { RemoteSelect, useNames } from '../../components/RemoteSelect';

export const DEFAULT_CALENDAR = 'cn-5x8';
const HOURS = ['7x24', '5x8'] as const;
/** The calendar that fits the service hours (as the server defaults it), used until the user picks one. */
const CALENDAR_FOR_HOURS: Record<string, string> = { '7x24': '24x7', '5x8': DEFAULT_CALENDAR };

interface CalendarOption {
  id: string;
  name: string;
}

/** Built-in calendars, plus the server's list when the calendars module answers. */
function useCalendarOptions(current?: string | null) {
  const { t } = useI18n();
  const can = useCan();
  const remote = useQuery({
    queryKey: ['/calendars', 'options'],
    queryFn: () =>
      api.get<Page<CalendarOption> | CalendarOption[]>('/calendars', { limit: 200 }, { noAuthRedirect: true }).then((d) => asPage(d).items),
    enabled: can('calendars.read'),
    retry: false,
    staleTime: 5 * 60_000,
  });
  return useMemo(() => {
    const opts = new Map<string, string>([
      [DEFAULT_CALENDAR, t('contracts.calendar.cn-5x8')],
      ['24x7', t('contracts.calendar.24x7')],
      ['5x8', t('contracts.calendar.5x8')],
    ]);
    for (const c of remote.data ?? []) if (c?.id) opts.set(c.id, c.name || c.id);
    if (current && !opts.has(current)) opts.set(current, current);
    return [...opts].map(([value, label]) => ({ value, label }));
  }, [remote.data, current, t]);
}

export function hoursLabel(t: (k: 'contracts.hours.7x24' | 'contracts.hours.5x8') => string, h: string): string {
  return h === '7x24' || h === '5x8' ? t(`contracts.hours.${h}`) : h;
}

interface ContractValues {
  code: string;
  name: string;
  period: [Dayjs, Dayjs];
  services: string[];
  serviceHours: string;
  calendarId: string;
  projectManagerId?: Id | null;
  notes?: string;
}

export function ContractsTab({ customer }: { customer: Customer }) {
  const { t, errorText, fmtDate, formats } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<ContractValues>();
  const [q, setQ] = useState('');
  const path = `/customers/${customer.id}/contracts`;
  const list = useKeysetList<Contract>(path, { q });
  const pms = useNames('users', list.items.map((c) => c.projectManagerId), can('users.read'));
  const [drawer, setDrawer] = useState<{ open: boolean; record: Contract | null }>({ open: false, record: null });
  const canWrite = can('contracts.write');
  const r = drawer.record;
  const navigate = useNavigate();
  const canSla = can('sla.read');
  const openSla = (c: Contract) => navigate(`/admin/contracts/${c.id}/sla`);
  const calendarOptions = useCalendarOptions(r?.calendarId);

  const submit = async (v: ContractValues) => {
    const body = {
      code: v.code.trim(),
      name: v.name.trim(),
      startsOn: v.period[0].format('YYYY-MM-DD'),
      endsOn: v.period[1].format('YYYY-MM-DD'),
      services: (v.services ?? []).map((s) => s.trim()).filter(Boolean),
      serviceHours: v.serviceHours,
      // omitted when empty: the server then takes the calendar of the service hours
      calendarId: v.calendarId || undefined,
      projectManagerId: v.projectManagerId ?? null,
      notes: v.notes?.trim() || null,
    };
    if (r) await api.patch(`/contracts/${r.id}`, { ...body, version: r.version });
    else await api.post(path, body);
    await qc.invalidateQueries({ queryKey: [path] });
  };
  const remove = async (c: Contract) => {
    try {
      await api.del(`/contracts/${c.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: [path] });
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const status = (c: Contract) => {
    const today = dayjs().format('YYYY-MM-DD');
    if (c.endsOn && c.endsOn < today) return <Tag>{t('contracts.status.expired')}</Tag>;
    if (c.startsOn && c.startsOn > today) return <Tag color="blue">{t('contracts.status.future')}</Tag>;
    return <Tag color="green">{t('contracts.status.active')}</Tag>;
  };

  return (
    <div data-testid="customer-contracts">
      <Flex justify="space-between" gap={12} wrap style={{ marginBottom: 12 }}>
        <SearchBox value={q} onChange={setQ} testid="contracts-search" />
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, record: null })} data-testid="contracts-new">
            {t('contracts.new')}
          </Button>
        )}
      </Flex>
      <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      <Table<Contract>
        rowKey="id"
        data-testid="contracts-table"
        dataSource={list.items}
        loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
        pagination={false}
        // Fits the content area of a 1440 px screen (navigation open); narrower screens scroll the table, not the page.
        scroll={{ x: 1040 }}
        tableLayout="fixed"
        onRow={(rec) =>
          ({
            onClick: () => setDrawer({ open: true, record: rec }),
            style: { cursor: 'pointer' },
            'data-testid': 'contracts-row',
          }) as React.HTMLAttributes<HTMLElement>
        }
        locale={{
          emptyText: (
            <Empty description={t('contracts.empty')} data-testid="contracts-empty">
              {canWrite && !q && (
                <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                  {t('contracts.new')}
                </Button>
              )}
            </Empty>
          ),
        }}
        columns={[
          {
            title: t('contracts.name'),
            dataIndex: 'name',
            width: 220,
            render: (name: string, c) => (
              <div style={{ overflowWrap: 'anywhere' }}>
                <div>{name}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }} data-testid="contracts-code">
                  {c.code}
                </Typography.Text>
              </div>
            ),
          },
          {
            title: t('contracts.period'),
            key: 'period',
            width: 190,
            render: (_: unknown, c) => (
              <Flex vertical gap={2} align="flex-start">
                <span style={{ whiteSpace: 'nowrap' }}>{fmtDate(c.startsOn)} –</span>
                <span style={{ whiteSpace: 'nowrap' }}>{fmtDate(c.endsOn)}</span>
                {status(c)}
              </Flex>
            ),
          },
          {
            title: t('contracts.services'),
            dataIndex: 'services',
            render: (v: string[]) => (
              <Flex gap={4} wrap>
                {(v ?? []).map((s) => (
                  <Tag key={s}>{s}</Tag>
                ))}
              </Flex>
            ),
          },
          {
            title: t('contracts.serviceHours'),
            dataIndex: 'serviceHours',
            width: 100,
            render: (v: string) => <Tag color={v === '7x24' ? 'magenta' : 'geekblue'}>{hoursLabel(t, v)}</Tag>,
          },
          {
            title: t('contracts.projectManager'),
            dataIndex: 'projectManagerId',
            width: 100,
            render: (v: Id | null) => (v != null ? pms.name(v) : '—'),
          },
          ...(canSla
            ? [
                {
                  title: t('contracts.slaPolicy'),
                  key: 'sla',
                  width: 140,
                  render: (_: unknown, c: Contract) =>
                    c.slaPolicy ? (
                      <Tag color="green" data-testid="contracts-sla-set" style={{ whiteSpace: 'normal' }}>
                        {c.slaPolicy.policy?.name ?? t('sla.pageTitle')}
                      </Tag>
                    ) : (
                      <Tag data-testid="contracts-sla-none">{t('sla.notSet')}</Tag>
                    ),
                },
              ]
            : []),
          {
            title: t('common.actions'),
            key: 'actions',
            width: 130,
            align: 'right',
            render: (_: unknown, c) =>
              (canWrite || canSla) && (
                <Flex gap={0} justify="flex-end" wrap onClick={(e) => e.stopPropagation()}>
                  {canSla && (
                    <Button type="link" size="small" icon={<FieldTimeOutlined />} onClick={() => openSla(c)} data-testid="contracts-sla">
                      {t('sla.open')}
                    </Button>
                  )}
                  {canWrite && (
                    <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: c })}>
                      {t('common.edit')}
                    </Button>
                  )}
                  {canWrite && (
                    <Popconfirm title={t('common.deleteConfirm', { name: c.name })} onConfirm={() => remove(c)} okButtonProps={{ danger: true }}>
                      <Button type="link" size="small" danger data-testid="contracts-delete">
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  )}
                </Flex>
              ),
          },
        ]}
      />
      <LoadMore list={list} testid="contracts" />
      <FormDrawer<ContractValues>
        open={drawer.open}
        form={form}
        width={640}
        title={r ? t('contracts.edit') : t('contracts.new')}
        testid="contract-form"
        readOnly={!canWrite}
        recordKey={r?.id ?? 'new'}
        aliases={{ startsOn: 'period', endsOn: 'period' }}
        initialValues={
          r
            ? {
                code: r.code,
                name: r.name,
                period: [dayjs(r.startsOn), dayjs(r.endsOn)],
                services: r.services ?? [],
                serviceHours: r.serviceHours,
                calendarId: r.calendarId ?? DEFAULT_CALENDAR,
                projectManagerId: r.projectManagerId,
                notes: r.notes ?? '',
              }
            : {
                services: [],
                serviceHours: '5x8',
                calendarId: DEFAULT_CALENDAR,
                period: [dayjs().startOf('day'), dayjs().add(1, 'year').subtract(1, 'day').startOf('day')],
              }
        }
        onValuesChange={(changed) => {
          // the contract's calendar follows the service hours until the user picks one
          if (changed.serviceHours && !form.isFieldTouched('calendarId')) {
            const cal = CALENDAR_FOR_HOURS[changed.serviceHours];
            if (cal) form.setFieldValue('calendarId', cal);
          }
        }}
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
      >
        <Flex gap={12} wrap>
          <Form.Item
            name="code"
            label={t('contracts.code')}
            style={{ flex: '1 1 160px' }}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('contracts.code') }) }]}
          >
            <Input maxLength={50} data-testid="contract-form-code" autoFocus />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('contracts.name')}
            style={{ flex: '2 1 260px' }}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('contracts.name') }) }]}
          >
            <Input maxLength={200} data-testid="contract-form-name" />
          </Form.Item>
        </Flex>
        <Form.Item
          name="period"
          label={t('contracts.period')}
          rules={[{ required: true, message: t('common.requiredSelect', { field: t('contracts.period') }) }]}
        >
          <DatePicker.RangePicker
            format={formats.date}
            style={{ width: '100%' }}
            placeholder={[t('contracts.startsOn'), t('contracts.endsOn')]}
            data-testid="contract-form-period"
          />
        </Form.Item>
        <Form.Item
          name="services"
          label={t('contracts.services')}
          extra={t('contracts.servicesHelp')}
          rules={[{ required: true, type: 'array', min: 1, message: t('common.required', { field: t('contracts.services') }) }]}
        >
          <Select mode="tags" tokenSeparators={[',', '，', '、']} suffixIcon={null} notFoundContent={null} data-testid="contract-form-services" />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="serviceHours" label={t('contracts.serviceHours')} rules={[{ required: true }]} style={{ flex: '1 1 200px' }}>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              data-testid="contract-form-hours"
              options={[...HOURS, ...(r && !HOURS.includes(r.serviceHours as '5x8') ? [r.serviceHours] : [])].map((h) => ({
                value: h,
                label: <span data-testid={`contract-form-hours-${h}`}>{hoursLabel(t, h)}</span>,
              }))}
            />
          </Form.Item>
          <Form.Item name="calendarId" label={t('contracts.calendar')} style={{ flex: '2 1 280px' }}>
            <Select options={calendarOptions} data-testid="contract-form-calendar" />
          </Form.Item>
        </Flex>
        <Form.Item name="projectManagerId" label={t('contracts.projectManager')}>
          <RemoteSelect resource="users" testid="contract-form-pm" />
        </Form.Item>
        <Form.Item name="notes" label={t('common.notes')}>
          <Input.TextArea rows={2} maxLength={2000} data-testid="contract-form-notes" />
        </Form.Item>
        <Form.Item label={t('contracts.slaPolicy')}>
          {r && canSla ? (
            <Flex gap={8} align="center" wrap data-testid="contract-form-sla">
              {r.slaPolicy ? <Tag color="green">{r.slaPolicy.policy?.name ?? t('sla.pageTitle')}</Tag> : <Tag>{t('sla.notSet')}</Tag>}
              <Button size="small" icon={<FieldTimeOutlined />} onClick={() => openSla(r)} disabled={false}>
                {t('sla.open')}
              </Button>
            </Flex>
          ) : (
            <Typography.Text type="secondary" data-testid="contract-form-sla">
              {t('contracts.slaPlaceholder')}
            </Typography.Text>
          )}
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
