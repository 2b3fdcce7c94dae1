import { useMemo, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import dayjs from 'dayjs';
import { App, Button, Card, DatePicker, Dropdown, Empty, Flex, Input, Modal, Segmented, Select, Typography } from 'antd';
import { ClearOutlined, PhoneOutlined, ReloadOutlined, StarOutlined } from '@ant-design/icons';
import { useI18n, type MessageKey } from '../../i18n';
import { isCustomerStaff, useCan, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore, SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { RemoteSelect } from '../../components/RemoteSelect';
import { TICKET_KINDS, TICKET_STATES, type Id, type TicketListItem } from '../../api/types';
import { TicketTable } from '../../components/tickets/TicketTable';
import { AssigneeSelect } from '../../components/tickets/AssignFields';
import { useLogCall } from '../../components/tickets/LogCallDrawer';
import { DEFAULT_MATRIX, TICKETS, usePriorityNames } from '../../components/tickets/ticketShared';

const KEYS = ['q', 'customerId', 'state', 'kind', 'priority', 'teamId', 'assigneeId', 'from', 'to', 'sort'] as const;

interface SavedFilter {
  name: string;
  search: string;
}

function savedKey(userId: number) {
  return `yw_ticket_filters_${userId}`;
}

function loadSaved(userId: number): SavedFilter[] {
  try {
    const v = JSON.parse(localStorage.getItem(savedKey(userId)) ?? '[]') as SavedFilter[];
    return Array.isArray(v) ? v.filter((x) => x && typeof x.name === 'string' && typeof x.search === 'string') : [];
  } catch {
    return [];
  }
}

const num = (s: string): Id | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);

/**
 * 工单: every ticket the user may see, filtered on the server (customer, state, kind, priority,
 * team, assignee, words or number, reported range), newest first or by remaining SLA time. The
 * filter lives in the URL (shareable, survives reload); named filters are kept per user.
 */
export default function TicketListRoute() {
  const me = useCurrentUser();
  if (isCustomerStaff(me)) return <Navigate to="/portal" replace />;
  return <TicketListPage />;
}

function TicketListPage() {
  const { t } = useI18n();
  const me = useCurrentUser();
  const can = useCan();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const logCall = useLogCall();
  const priorityName = usePriorityNames();
  const [saved, setSaved] = useState<SavedFilter[]>(() => loadSaved(me.id));
  const [naming, setNaming] = useState<string | null>(null);

  const query = useMemo(() => {
    const from = v.from && dayjs(v.from).isValid() ? dayjs(v.from).startOf('day').format() : undefined;
    const to = v.to && dayjs(v.to).isValid() ? dayjs(v.to).add(1, 'day').startOf('day').format() : undefined;
    return {
      q: v.q || undefined,
      customerId: v.customerId || undefined,
      state: v.state || undefined,
      kind: v.kind || undefined,
      priority: v.priority || undefined,
      teamId: v.teamId || undefined,
      assigneeId: v.assigneeId || undefined,
      reportedFrom: from,
      reportedTo: to,
      sort: v.sort === 'sla' ? 'sla' : '-reported',
    };
  }, [v.q, v.customerId, v.state, v.kind, v.priority, v.teamId, v.assigneeId, v.from, v.to, v.sort]);
  const list = useKeysetList<TicketListItem>(TICKETS, query);
  const states = v.state ? v.state.split(',').filter(Boolean) : [];
  const filtered = KEYS.some((k) => k !== 'sort' && v[k]);

  const priorityOptions = useMemo(() => {
    const codes = new Set<string>(DEFAULT_MATRIX.levels.map((l) => l.code));
    for (const x of list.items) codes.add(x.priority);
    if (v.priority) codes.add(v.priority);
    return [...codes].map((c) => ({ value: c, label: priorityName(c) === c ? c : `${priorityName(c)}（${c}）` }));
  }, [list.items, v.priority, priorityName]);

  const persist = (next: SavedFilter[]) => {
    setSaved(next);
    try {
      localStorage.setItem(savedKey(me.id), JSON.stringify(next));
    } catch {
      /* storage full or unavailable: the URL still holds the filter */
    }
  };
  const saveCurrent = (name: string) => {
    const search = location.search;
    persist([...saved.filter((s) => s.name !== name), { name, search }]);
    message.success(t('tickets.filters.savedDone', { name }));
  };

  return (
    <div data-testid="page-tickets">
      <PageHeader
        title={t('tickets.listTitle')}
        subtitle={t('tickets.listSubtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} />
            {can('tickets.write') && (
              <Button type="primary" icon={<PhoneOutlined />} onClick={logCall.open} data-testid="tickets-log-call">
                {t('workspace.logCall')}
              </Button>
            )}
          </>
        }
      />
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="tickets-filters">
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('tickets.filters.q')} testid="tickets-search" width={260} />
          <div style={{ width: 220 }}>
            <RemoteSelect
              resource="customers"
              value={num(v.customerId) ?? null}
              onChange={(x) => filters.set({ customerId: x ? String(x) : null })}
              placeholder={t('tickets.customer')}
              testid="tickets-filter-customer"
            />
          </div>
          <Select
            mode="multiple"
            allowClear
            value={states}
            onChange={(x: string[]) => filters.set({ state: x.join(',') })}
            placeholder={t('tickets.state')}
            options={TICKET_STATES.map((s) => ({ value: s, label: t(`tickets.state.${s}` as MessageKey) }))}
            style={{ minWidth: 200 }}
            maxTagCount="responsive"
            data-testid="tickets-filter-state"
          />
          <Select
            allowClear
            value={v.kind || undefined}
            onChange={(x?: string) => filters.set({ kind: x ?? null })}
            placeholder={t('tickets.kind')}
            options={TICKET_KINDS.map((k) => ({ value: k, label: t(`tickets.kind.${k}` as MessageKey) }))}
            style={{ width: 130 }}
            data-testid="tickets-filter-kind"
          />
          <Select
            allowClear
            value={v.priority || undefined}
            onChange={(x?: string) => filters.set({ priority: x ?? null })}
            placeholder={t('tickets.priority')}
            options={priorityOptions}
            style={{ width: 150 }}
            data-testid="tickets-filter-priority"
          />
          {can('teams.read') && (
            <div style={{ width: 170 }}>
              <RemoteSelect
                resource="teams"
                value={num(v.teamId) ?? null}
                onChange={(x) => filters.set({ teamId: x ? String(x) : null })}
                placeholder={t('tickets.team')}
                testid="tickets-filter-team"
              />
            </div>
          )}
          {can('users.read') && (
            <div style={{ width: 170 }}>
              <AssigneeSelect
                value={num(v.assigneeId) ?? null}
                onChange={(x) => filters.set({ assigneeId: x ? String(x) : null })}
                placeholder={t('tickets.assignee')}
                testid="tickets-filter-assignee"
              />
            </div>
          )}
          <DatePicker.RangePicker
            value={[v.from ? dayjs(v.from) : null, v.to ? dayjs(v.to) : null]}
            onChange={(r) => filters.set({ from: r?.[0]?.format('YYYY-MM-DD') ?? null, to: r?.[1]?.format('YYYY-MM-DD') ?? null })}
            placeholder={[t('tickets.filters.reportedFrom'), t('tickets.filters.reportedTo')]}
            allowEmpty={[true, true]}
            data-testid="tickets-filter-reported"
          />
        </Flex>
        <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 12 }}>
          <Segmented
            value={v.sort === 'sla' ? 'sla' : '-reported'}
            onChange={(x) => filters.set({ sort: x === 'sla' ? 'sla' : null })}
            options={[
              { value: '-reported', label: <span data-testid="tickets-sort-reported">{t('tickets.sort.reported')}</span> },
              { value: 'sla', label: <span data-testid="tickets-sort-sla">{t('tickets.sort.sla')}</span> },
            ]}
          />
          <Flex gap={8} wrap>
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  ...saved.map((s) => ({
                    key: `apply:${s.name}`,
                    label: <span data-testid="tickets-saved-item">{s.name}</span>,
                    extra: (
                      <Typography.Link
                        type="danger"
                        onClick={(e) => {
                          e.stopPropagation();
                          persist(saved.filter((x) => x.name !== s.name));
                        }}
                      >
                        {t('common.delete')}
                      </Typography.Link>
                    ),
                  })),
                  ...(saved.length ? [{ type: 'divider' as const }] : []),
                  { key: 'save', label: <span data-testid="tickets-save-filter">{t('tickets.filters.save')}</span>, disabled: !filtered },
                ],
                onClick: ({ key }) => {
                  if (key === 'save') setNaming('');
                  else if (key.startsWith('apply:')) {
                    const s = saved.find((x) => x.name === key.slice(6));
                    if (s) navigate({ pathname: '/tickets', search: s.search }, { replace: true });
                  }
                },
              }}
            >
              <Button icon={<StarOutlined />} data-testid="tickets-saved-filters">
                {t('tickets.filters.saved')}
              </Button>
            </Dropdown>
            <Button icon={<ClearOutlined />} disabled={!filtered} onClick={() => filters.clear()} data-testid="tickets-filter-reset">
              {t('common.reset')}
            </Button>
          </Flex>
        </Flex>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <TicketTable
          items={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          testid="tickets"
          empty={
            <Empty description={filtered ? t('tickets.emptyFiltered') : t('workspace.emptyQueue')} data-testid="tickets-empty">
              {!filtered && can('tickets.write') && (
                <Button type="primary" icon={<PhoneOutlined />} onClick={logCall.open}>
                  {t('workspace.logCall')}
                </Button>
              )}
            </Empty>
          }
        />
        <LoadMore list={list} testid="tickets" />
      </Card>
      <Modal
        open={naming !== null}
        title={t('tickets.filters.save')}
        onCancel={() => setNaming(null)}
        onOk={() => {
          const name = (naming ?? '').trim();
          if (!name) return;
          saveCurrent(name);
          setNaming(null);
        }}
        okButtonProps={{ disabled: !(naming ?? '').trim(), 'data-testid': 'tickets-save-filter-ok' }}
        destroyOnHidden
      >
        <Input
          autoFocus
          value={naming ?? ''}
          onChange={(e) => setNaming(e.target.value)}
          placeholder={t('tickets.filters.namePlaceholder')}
          maxLength={40}
          data-testid="tickets-save-filter-name"
        />
      </Modal>
      {logCall.drawer}
    </div>
  );
}
