import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { Checkbox, Spin, Table, Typography } from 'antd';
import type { Id, TicketListItem } from '../../api/types';
import { useI18n } from '../../i18n';
import { useIsMobile } from '../useIsMobile';
import { PriorityTag, SlaCountdown, StateTag } from './ticketShared';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, monospace';

interface TicketTableProps {
  items: TicketListItem[];
  loading: boolean;
  /** `<testid>-table`, rows `<testid>-row`. */
  testid: string;
  empty: ReactNode;
  selected?: Id[];
  onSelect?: (ids: Id[]) => void;
}

/**
 * The queue on a phone: one card per ticket, the number and the SLA countdown on top, the title,
 * then priority, state, customer and assignee — nothing hidden off-screen to the right.
 */
function TicketCards({ items, loading, testid, empty, selected, onSelect }: TicketTableProps) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const selectable = !!(selected && onSelect);
  const toggle = (id: Id, on: boolean) => onSelect?.(on ? [...(selected ?? []), id] : (selected ?? []).filter((x) => x !== id));
  return (
    <Spin spinning={loading}>
      <div className="yw-ticket-cards" data-testid={`${testid}-table`} data-layout="cards">
        {items.length === 0 && !loading ? <div style={{ padding: '16px 0' }}>{empty}</div> : null}
        {items.map((r) => (
          <div
            key={r.id}
            className="yw-ticket-card"
            role="link"
            tabIndex={0}
            data-testid={`${testid}-row`}
            data-ticket-id={r.id}
            data-number={r.number}
            onClick={(e) => {
              if ((e.target as HTMLElement).closest('.ant-checkbox-wrapper, a, button')) return;
              navigate(`/tickets/${r.id}`);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') navigate(`/tickets/${r.id}`);
            }}
          >
            <div className="yw-ticket-card-top">
              {selectable && (
                <Checkbox checked={selected!.includes(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} aria-label={r.number} />
              )}
              <Typography.Text style={{ fontFamily: MONO, fontSize: 12 }} data-testid="ticket-number">
                {r.number}
              </Typography.Text>
              <span className="yw-ticket-card-sla">
                <SlaCountdown dueAt={r.slaDueAt} status={r.slaStatus} state={r.state} />
              </span>
            </div>
            <Link to={`/tickets/${r.id}`} className="yw-ticket-card-title">
              {r.title}
            </Link>
            <div className="yw-ticket-card-meta">
              <PriorityTag code={r.priority} rank={r.priorityRank} />
              <StateTag state={r.state} />
              <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, minWidth: 0, flex: 1 }}>
                {[r.customerName, r.assigneeName ?? r.teamName ?? t('tickets.unassignedShort')].filter(Boolean).join(' · ')}
              </Typography.Text>
            </div>
          </div>
        ))}
      </div>
    </Spin>
  );
}

/**
 * The queue table: number, title, customer, priority, state, assignee and the live SLA
 * countdown; a row opens the ticket. With `selected`, rows get checkboxes (bulk assign) and a
 * click on a checkbox does not open the ticket.
 */
export function TicketTable(props: TicketTableProps) {
  const { items, loading, testid, empty, selected, onSelect } = props;
  const { t } = useI18n();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  if (mobile) return <TicketCards {...props} />;
  return (
    <Table<TicketListItem>
      rowKey="id"
      size="middle"
      data-testid={`${testid}-table`}
      dataSource={items}
      loading={loading}
      pagination={false}
      scroll={{ x: 980 }}
      rowSelection={
        selected && onSelect
          ? {
              selectedRowKeys: selected,
              onChange: (keys) => onSelect(keys as Id[]),
              columnWidth: 40,
            }
          : undefined
      }
      onRow={(r) =>
        ({
          onClick: (e: React.MouseEvent) => {
            if ((e.target as HTMLElement).closest('.ant-table-selection-column, a, button')) return;
            navigate(`/tickets/${r.id}`);
          },
          style: { cursor: 'pointer' },
          'data-testid': `${testid}-row`,
          'data-ticket-id': r.id,
          'data-number': r.number,
        }) as React.HTMLAttributes<HTMLElement>
      }
      locale={{ emptyText: empty }}
      // Narrow fixed columns: the title takes what is left (it was ≈ 100 px at 1366 px).
      columns={[
        {
          title: t('tickets.number'),
          dataIndex: 'number',
          width: 150,
          render: (v: string) => (
            <Typography.Text style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', whiteSpace: 'nowrap' }} data-testid="ticket-number">
              {v}
            </Typography.Text>
          ),
        },
        {
          title: t('tickets.title'),
          dataIndex: 'title',
          ellipsis: true,
          render: (v: string, r) => <Link to={`/tickets/${r.id}`}>{v}</Link>,
        },
        { title: t('tickets.customer'), dataIndex: 'customerName', width: 140, ellipsis: true },
        {
          title: t('tickets.priority'),
          dataIndex: 'priority',
          width: 96,
          render: (_: string, r) => <PriorityTag code={r.priority} rank={r.priorityRank} />,
        },
        { title: t('tickets.state'), dataIndex: 'state', width: 110, render: (_: string, r) => <StateTag state={r.state} /> },
        {
          title: t('tickets.assignee'),
          key: 'assignee',
          width: 124,
          ellipsis: true,
          render: (_: unknown, r) =>
            r.assigneeName || r.teamName ? (
              <span>
                {r.assigneeName ?? <Typography.Text type="secondary">{t('tickets.unassignedShort')}</Typography.Text>}
                {r.teamName && (
                  <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                    {r.teamName}
                  </Typography.Text>
                )}
              </span>
            ) : (
              <Typography.Text type="secondary">{t('tickets.unassignedShort')}</Typography.Text>
            ),
        },
        {
          title: t('tickets.slaRemaining'),
          key: 'sla',
          width: 156,
          render: (_: unknown, r) => <SlaCountdown dueAt={r.slaDueAt} status={r.slaStatus} state={r.state} />,
        },
      ]}
    />
  );
}
