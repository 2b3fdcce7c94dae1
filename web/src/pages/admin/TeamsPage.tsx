import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, Flex, Form, Input, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import { TEAM_KINDS, type Assignment, type Id, type Team, type TeamKind } from '../../api/types';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect, useNames } from '../../components/RemoteSelect';
import { useCalendarLabel, useCalendarShortNames, useCalendars } from './calendars/calendarShared';

const KIND_COLORS: Record<TeamKind, string> = {
  desk: 'blue',
  line1: 'cyan',
  line2: 'geekblue',
  project: 'purple',
  quality: 'gold',
  other: 'default',
};

export function TeamKindTag({ kind }: { kind: TeamKind }) {
  const { t } = useI18n();
  return <Tag color={KIND_COLORS[kind] ?? 'default'}>{TEAM_KINDS.includes(kind) ? t(`teams.kind.${kind}`) : kind}</Tag>;
}

function Names({ ids, name, max = 3 }: { ids: Id[]; name: (id: Id) => string; max?: number }) {
  if (!ids?.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex gap={4} wrap>
      {ids.slice(0, max).map((id) => (
        <Tag key={id}>{name(id)}</Tag>
      ))}
      {ids.length > max && <Tag>+{ids.length - max}</Tag>}
    </Flex>
  );
}

interface TeamValues {
  name: string;
  kind: TeamKind;
  description?: string;
  assignment: Assignment;
  memberIds: Id[];
  customerIds: Id[];
  calendarId?: string | null;
}

export default function TeamsPage() {
  const { t, errorText } = useI18n();
  const can = useCan();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const filters = useUrlFilters(['q'] as const);
  const list = useKeysetList<Team>('/teams', { q: filters.values.q });
  const [drawer, setDrawer] = useState<{ open: boolean; record: Team | null }>({ open: false, record: null });
  const canWrite = can('teams.write');
  const memberIds = useMemo(() => list.items.flatMap((x) => x.memberIds?.slice(0, 3) ?? []), [list.items]);
  const customerIds = useMemo(() => list.items.flatMap((x) => x.customerIds?.slice(0, 3) ?? []), [list.items]);
  const users = useNames('users', memberIds, can('users.read'));
  const customers = useNames('customers', customerIds, can('customers.read'));
  const calendars = useCalendars();
  const calendarLabel = useCalendarLabel();
  const calendarShort = useCalendarShortNames();
  const calendarOptions = useMemo(() => {
    const opts = (calendars.data ?? []).map((c) => ({ value: c.id, label: calendarLabel(c) }));
    // A calendar the list does not hold (not readable, or gone) stays selectable under its id.
    const current = drawer.record?.calendarId;
    if (current && !opts.some((o) => o.value === current)) opts.push({ value: current, label: current });
    return opts;
  }, [calendars.data, calendarLabel, drawer.record]);

  const submit = async (v: TeamValues) => {
    const body = {
      name: v.name.trim(),
      kind: v.kind,
      description: v.description?.trim() || null,
      assignment: v.assignment,
      memberIds: v.memberIds ?? [],
      customerIds: v.customerIds ?? [],
      calendarId: v.calendarId || null,
    };
    const r = drawer.record;
    if (r) await api.patch(`/teams/${r.id}`, { ...body, version: r.version });
    else await api.post('/teams', body);
    await qc.invalidateQueries({ queryKey: ['/teams'] });
  };
  const remove = async (team: Team) => {
    try {
      await api.del(`/teams/${team.id}`);
      message.success(t('common.deleted'));
      await qc.invalidateQueries({ queryKey: ['/teams'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const r = drawer.record;

  return (
    <div data-testid="page-teams">
      <PageHeader
        title={t('teams.title')}
        subtitle={t('teams.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, record: null })} data-testid="teams-new">
                {t('teams.new')}
              </Button>
            )}
          </>
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <SearchBox value={filters.values.q} onChange={(q) => filters.set({ q })} testid="teams-search" />
        </Flex>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <Table<Team>
          rowKey="id"
          data-testid="teams-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 800 }}
          onRow={(rec) =>
            ({
              onClick: () => setDrawer({ open: true, record: rec }),
              style: { cursor: 'pointer' },
              'data-testid': 'teams-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          locale={{
            emptyText: (
              <Empty description={t('teams.empty')} data-testid="teams-empty">
                {canWrite && !filters.values.q && (
                  <Button type="primary" onClick={() => setDrawer({ open: true, record: null })}>
                    {t('teams.new')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            { title: t('teams.name'), dataIndex: 'name', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
            { title: t('teams.kind'), dataIndex: 'kind', width: 120, render: (k: TeamKind) => <TeamKindTag kind={k} /> },
            {
              title: t('teams.members'),
              dataIndex: 'memberIds',
              render: (ids: Id[]) => (
                <Flex vertical gap={2}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('teams.membersCount', { count: ids?.length ?? 0 })}
                  </Typography.Text>
                  <Names ids={ids} name={users.name} />
                </Flex>
              ),
            },
            { title: t('teams.customers'), dataIndex: 'customerIds', render: (ids: Id[]) => <Names ids={ids} name={customers.name} /> },
            {
              title: t('teams.calendar'),
              dataIndex: 'calendarId',
              width: 120,
              render: (id: string | null | undefined) => (id ? calendarShort(id) : <Typography.Text type="secondary">{t('calendars.short.24x7')}</Typography.Text>),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 130,
              align: 'right',
              render: (_: unknown, team) =>
                canWrite && (
                  <Flex gap={4} justify="flex-end" onClick={(e) => e.stopPropagation()}>
                    <Button type="link" size="small" onClick={() => setDrawer({ open: true, record: team })}>
                      {t('common.edit')}
                    </Button>
                    <Popconfirm
                      title={t('common.deleteConfirm', { name: team.name })}
                      onConfirm={() => remove(team)}
                      okButtonProps={{ danger: true, 'data-testid': 'teams-delete-confirm' }}
                    >
                      <Button type="link" size="small" danger data-testid="teams-delete">
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  </Flex>
                ),
            },
          ]}
        />
        <LoadMore list={list} testid="teams" />
      </Card>
      <FormDrawer<TeamValues>
        open={drawer.open}
        title={r ? t('teams.edit') : t('teams.new')}
        testid="team-form"
        recordKey={r?.id ?? 'new'}
        initialValues={
          r
            ? {
                name: r.name,
                kind: r.kind,
                description: r.description ?? '',
                assignment: r.assignment ?? 'round_robin',
                memberIds: r.memberIds ?? [],
                customerIds: r.customerIds ?? [],
                calendarId: r.calendarId ?? null,
              }
            : { kind: 'line1', assignment: 'round_robin', memberIds: [], customerIds: [], calendarId: null }
        }
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSubmit={submit}
        readOnly={!canWrite}
      >
        <Form.Item
          name="name"
          label={t('teams.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('teams.name') }) }]}
        >
          <Input maxLength={100} data-testid="team-form-name" autoFocus />
        </Form.Item>
        <Form.Item name="kind" label={t('teams.kind')} rules={[{ required: true }]}>
          <Select
            data-testid="team-form-kind"
            options={TEAM_KINDS.map((k) => ({ value: k, label: <span data-testid={`team-form-kind-${k}`}>{t(`teams.kind.${k}`)}</span> }))}
          />
        </Form.Item>
        <Form.Item name="assignment" label={t('teams.assignment')} extra={t('teams.assignmentHelp')}>
          <Select
            data-testid="team-form-assignment"
            options={(['round_robin', 'least_loaded', 'manual'] as const).map((a) => ({ value: a, label: t(`teams.assignment.${a}`) }))}
          />
        </Form.Item>
        <Form.Item name="calendarId" label={t('teams.calendar')} extra={t('teams.calendarHelp')}>
          <Select
            allowClear
            placeholder={t('teams.calendarNone')}
            loading={calendars.isPending && calendars.fetchStatus !== 'idle'}
            options={calendarOptions}
            popupMatchSelectWidth={false}
            data-testid="team-form-calendar"
          />
        </Form.Item>
        <Form.Item name="memberIds" label={t('teams.members')}>
          <RemoteSelect resource="users" multiple testid="team-form-members" />
        </Form.Item>
        <Form.Item name="customerIds" label={t('teams.customers')}>
          <RemoteSelect resource="customers" multiple testid="team-form-customers" />
        </Form.Item>
        <Form.Item name="description" label={t('teams.description')}>
          <Input.TextArea rows={3} maxLength={1000} data-testid="team-form-description" />
        </Form.Item>
      </FormDrawer>
    </div>
  );
}
