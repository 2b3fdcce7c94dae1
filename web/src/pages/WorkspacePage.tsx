import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Button, Card, Empty, Flex, Tabs, Typography } from 'antd';
import { PhoneOutlined, ReloadOutlined, TeamOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { useCan, useCurrentUser } from '../auth/session';
import { PageHeader } from '../components/PageHeader';
import { ErrorAlert } from '../components/ErrorAlert';
import { LoadMore, useKeysetList, useUrlFilters } from '../components/KeysetList';
import { NAV, isGroup, navAllowed, navTestId } from '../layouts/nav';
import { OPEN_TICKET_STATES, type Id, type TicketListItem } from '../api/types';
import type { Query } from '../api/client';
import { TicketTable } from '../components/tickets/TicketTable';
import { BulkAssignModal } from '../components/tickets/BulkAssignModal';
import { useLogCall } from '../components/tickets/LogCallDrawer';
import { TICKETS } from '../components/tickets/ticketShared';

type Queue = 'mine' | 'team' | 'unassigned' | 'breaching' | 'contractDue' | 'contractBreached' | 'contractOpen' | 'complaints' | 'lowRatings' | 'allComplaints';
/** The agents' queues: an engineer's own work first. */
const DESK_QUEUES: Queue[] = ['mine', 'team', 'unassigned', 'breaching'];
/** The service desk dispatches: its team's queue (the calls it has taken and not yet handed on) first, its own tickets last. */
const DISPATCH_QUEUES: Queue[] = ['team', 'unassigned', 'breaching', 'mine'];
/** A project manager's contracts first: what is about to break, what broke, what is open. */
const PM_QUEUES: Queue[] = ['contractDue', 'contractBreached', 'contractOpen', 'mine'];
/** Quality management: complaints to handle, low ratings to follow up. */
const QUALITY_QUEUES: Queue[] = ['complaints', 'lowRatings', 'allComplaints'];

const OPEN = OPEN_TICKET_STATES.join(',');
const QUEUE_QUERY: Record<Queue, Query> = {
  mine: { mine: 'true', state: OPEN, sort: 'sla' },
  team: { team: 'mine', state: OPEN, sort: 'sla' },
  unassigned: { unassigned: 'true', state: OPEN, sort: 'sla' },
  breaching: { breachingWithinMinutes: 60, state: OPEN, sort: 'sla' },
  contractDue: { contract: 'mine', breachingWithinMinutes: 240, state: OPEN, sort: 'sla' },
  contractBreached: { contract: 'mine', slaStatus: 'breached', sort: '-reported' },
  contractOpen: { contract: 'mine', state: OPEN, sort: 'sla' },
  complaints: { kind: 'complaint', state: OPEN, sort: 'sla' },
  lowRatings: { ratingAtMost: 3, sort: '-reported' },
  allComplaints: { kind: 'complaint', sort: '-reported' },
};

/** Which queues a user's home shows, by role (the desk's and engineers' by default). */
function queuesOf(roles: string[]): Queue[] {
  if (roles.includes('engineer') || roles.includes('admin')) return DESK_QUEUES;
  if (roles.includes('desk')) return DISPATCH_QUEUES;
  if (roles.includes('pm')) return PM_QUEUES;
  if (roles.includes('quality')) return QUALITY_QUEUES;
  return DESK_QUEUES;
}

/**
 * Agent home "我的工作": the queues (mine, my team's, unassigned, breaching within the hour)
 * sorted by remaining SLA time with live countdowns, bulk assignment, and "log a call"
 * (button or `n`). A project manager's home shows the tickets of the contracts they manage
 * (breaching soon, breached, open); quality management's the complaints and low ratings.
 */
export default function WorkspacePage() {
  const me = useCurrentUser();
  const { t } = useI18n();
  const can = useCan();
  const filters = useUrlFilters(['queue'] as const);
  const queues = queuesOf(me.roles);
  const queue: Queue = (queues as string[]).includes(filters.values.queue) ? (filters.values.queue as Queue) : queues[0];
  const list = useKeysetList<TicketListItem>(TICKETS, QUEUE_QUERY[queue]);
  const logCall = useLogCall();
  const canWrite = can('tickets.write');
  const canDispatch = can('tickets.dispatch');
  const [selected, setSelected] = useState<Id[]>([]);
  const [bulkOpen, setBulkOpen] = useState(false);
  useEffect(() => setSelected([]), [queue]);
  const selectedTickets = useMemo(() => list.items.filter((x) => selected.includes(x.id)), [list.items, selected]);
  const shortcuts = NAV.flatMap((x) => (isGroup(x) ? x.items : [])).filter((i) => navAllowed(i, me));

  const emptyText =
    queue === 'breaching' || queue === 'contractDue'
      ? t('workspace.emptyBreaching')
      : queue === 'unassigned'
        ? t('workspace.emptyUnassigned')
        : queue === 'mine' || queue === 'team'
          ? t('workspace.emptyQueue')
          : t('workspace.emptyList');

  return (
    <div data-testid="page-workspace">
      <PageHeader
        title={t('workspace.title')}
        subtitle={t('workspace.greeting', { name: me.displayName || me.username })}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()} aria-label={t('common.refresh')} data-testid="workspace-refresh" />
            {canWrite && (
              <Button type="primary" icon={<PhoneOutlined />} onClick={logCall.open} data-testid="workspace-log-call">
                {t('workspace.logCall')} <span className="yw-kbd" style={{ marginInlineStart: 6, color: 'inherit', borderColor: 'rgba(255,255,255,.5)' }}>N</span>
              </Button>
            )}
          </>
        }
      />
      <Card data-testid="workspace-my-tickets" styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={queue}
          onChange={(k) => filters.set({ queue: k === queues[0] ? null : k })}
          items={queues.map((q) => ({
            key: q,
            label: <span data-testid={q === 'breaching' ? 'workspace-breaching' : `workspace-tab-${q}`}>{t(`workspace.queue.${q}`)}</span>,
          }))}
        />
        {canDispatch && selected.length > 0 && (
          <Flex align="center" gap={12} wrap style={{ marginBottom: 12, padding: '8px 12px', background: '#e6f4ff', borderRadius: 6 }} data-testid="workspace-bulk-bar">
            <Typography.Text>{t('tickets.bulk.selected', { count: selected.length })}</Typography.Text>
            <Button type="primary" size="small" icon={<TeamOutlined />} onClick={() => setBulkOpen(true)} data-testid="workspace-bulk-assign">
              {t('tickets.bulk.assign')}
            </Button>
            <Button size="small" type="link" onClick={() => setSelected([])}>
              {t('tickets.bulk.clear')}
            </Button>
          </Flex>
        )}
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        <TicketTable
          items={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          testid="workspace"
          selected={canDispatch ? selected : undefined}
          onSelect={canDispatch ? setSelected : undefined}
          empty={
            <Empty description={emptyText} data-testid="workspace-empty">
              {canWrite && (queue === 'mine' || queue === 'team' || queue === 'unassigned') && (
                <Button type="primary" icon={<PhoneOutlined />} onClick={logCall.open}>
                  {t('workspace.logCall')}
                </Button>
              )}
            </Empty>
          }
        />
        <LoadMore list={list} testid="workspace" />
      </Card>
      {shortcuts.length > 0 && (
        <Card title={t('workspace.shortcuts')} size="small" style={{ marginTop: 16 }}>
          <Flex gap={16} wrap>
            {shortcuts.map((s) => (
              <Link key={s.path} to={s.path} data-testid={`shortcut-${navTestId(s.path).slice(4)}`}>
                <Typography.Text>
                  {s.icon} <span style={{ marginInlineStart: 6 }}>{t(s.label)}</span>
                </Typography.Text>
              </Link>
            ))}
          </Flex>
        </Card>
      )}
      <BulkAssignModal
        open={bulkOpen}
        tickets={selectedTickets}
        onClose={() => setBulkOpen(false)}
        onDone={() => {
          setBulkOpen(false);
          setSelected([]);
        }}
      />
      {logCall.drawer}
    </div>
  );
}
