import { Link } from 'react-router';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { Table, Tag, Typography, type TableProps } from 'antd';
import { api } from '../../api/client';
import { useI18n, type MessageKey } from '../../i18n';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CIS, type Related } from './api';

export function useRelated(id: number, enabled: boolean) {
  return useQuery({ queryKey: [CIS, 'related', id], queryFn: () => api.get<Related>(`${CIS}/${id}/related`), enabled });
}

type RelatedQuery = UseQueryResult<Related>;

/** A translated word for a code, or the code itself when the catalogue has none. */
function useWord() {
  const { t } = useI18n();
  return (prefix: string, code: string) => {
    const key = `${prefix}.${code}` as MessageKey;
    const s = t(key);
    return s === key ? code : s;
  };
}

/** One list of the CI page's related records: its load error, or a small table with the common settings. */
function RelatedTable<T extends object>({ related, rows, empty, testid, ...rest }: { related: RelatedQuery; rows: (r: Related) => T[]; empty: MessageKey; testid: string } & Omit<TableProps<T>, 'dataSource'>) {
  const { t } = useI18n();
  if (related.isError) return <ErrorAlert error={related.error} onRetry={() => void related.refetch()} />;
  return <Table<T> size="small" loading={related.isPending} dataSource={related.data ? rows(related.data) : []} pagination={false} locale={{ emptyText: t(empty) }} data-testid={testid} {...rest} />;
}

/** The CI's tickets (newest first) and the on-site visits of those tickets. */
export function RelatedTickets({ related, portal }: { related: RelatedQuery; portal?: boolean }) {
  const { t, fmtDateTime } = useI18n();
  const word = useWord();
  const r = related.data;
  const ticketPath = (id: number) => (portal ? `/portal/tickets/${id}` : `/tickets/${id}`);
  return (
    <>
      <RelatedTable
        related={related}
        rows={(x) => x.tickets}
        empty="cmdb.related.noTickets"
        testid="ci-tickets"
        rowKey="id"
        scroll={{ x: 720 }}
        columns={[
          { title: t('cmdb.related.number'), dataIndex: 'number', width: 150, render: (n: string, x) => <Link to={ticketPath(x.id)} data-testid="ci-ticket-link">{n}</Link> },
          { title: t('cmdb.related.title'), dataIndex: 'title' },
          { title: t('cmdb.related.state'), dataIndex: 'state', width: 130, render: (s: string) => <Tag>{word('tickets.state', s)}</Tag> },
          { title: t('cmdb.related.priority'), dataIndex: 'priority', width: 80 },
          { title: t('cmdb.related.reportedAt'), dataIndex: 'reportedAt', width: 170, render: (v: string) => fmtDateTime(v) },
        ]}
      />
      {r?.moreTickets && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {t('cmdb.related.moreTickets')}
        </Typography.Text>
      )}
      {r && r.visits.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('cmdb.related.visits')}
          </Typography.Title>
          <RelatedTable
            related={related}
            rows={(x) => x.visits}
            empty="cmdb.related.noTickets"
            testid="ci-visits"
            rowKey={(v) => `${v.ticketId}-${v.at}-${v.event}`}
            columns={[
              { title: t('cmdb.related.at'), dataIndex: 'at', width: 170, render: (v: string) => fmtDateTime(v) },
              { title: t('cmdb.related.number'), dataIndex: 'ticketNumber', width: 150, render: (n: string, x) => <Link to={ticketPath(x.ticketId)}>{n}</Link> },
              { title: t('cmdb.related.event'), dataIndex: 'event', render: (e: string) => word('cmdb.visit', e) },
              { title: t('cmdb.related.engineer'), dataIndex: 'engineer', render: (e: string | null) => e ?? '—' },
            ]}
          />
        </>
      )}
    </>
  );
}

/** 维修服务报告 of the CI's tickets. */
export function RelatedRepairReports({ related, portal }: { related: RelatedQuery; portal?: boolean }) {
  const { t, fmtDateTime } = useI18n();
  const word = useWord();
  return (
    <RelatedTable
      related={related}
      rows={(x) => x.repairReports}
      empty="cmdb.related.noReports"
      testid="ci-reports"
      rowKey="ticketId"
      columns={[
        { title: t('cmdb.related.number'), dataIndex: 'ticketNumber', render: (n: string, x) => <Link to={portal ? `/portal/tickets/${x.ticketId}/report` : `/tickets/${x.ticketId}/report`}>{n}</Link> },
        { title: t('cmdb.related.state'), dataIndex: 'state', render: (s: string) => <Tag>{word('report.state', s)}</Tag> },
        { title: t('cmdb.related.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => fmtDateTime(v) },
      ]}
    />
  );
}

/** 设备送修单 naming the CI. */
export function RelatedRepairOrders({ related }: { related: RelatedQuery }) {
  const { t, fmtDateTime } = useI18n();
  const word = useWord();
  return (
    <RelatedTable
      related={related}
      rows={(x) => x.repairOrders}
      empty="cmdb.related.noRepairs"
      testid="ci-repairs"
      rowKey="id"
      scroll={{ x: 640 }}
      columns={[
        { title: t('cmdb.related.number'), dataIndex: 'number', width: 170, render: (n: string, x) => <Link to={`/repairs/${x.id}`}>{n}</Link> },
        { title: t('cmdb.related.fault'), dataIndex: 'fault' },
        { title: t('cmdb.related.state'), dataIndex: 'state', width: 110, render: (s: string) => <Tag>{word('rp.state', s)}</Tag> },
        { title: t('cmdb.related.sentAt'), dataIndex: 'sentAt', width: 170, render: (v: string | null) => (v ? fmtDateTime(v) : '—') },
      ]}
    />
  );
}

/** Spare-part movements naming the CI (fitted, faulty part returned, stand-in lent). */
export function RelatedPartMovements({ related }: { related: RelatedQuery }) {
  const { t, fmtDateTime } = useI18n();
  const word = useWord();
  return (
    <RelatedTable
      related={related}
      rows={(x) => x.partMovements}
      empty="cmdb.related.noParts"
      testid="ci-parts"
      rowKey="id"
      columns={[
        { title: t('cmdb.related.at'), dataIndex: 'at', width: 170, render: (v: string) => fmtDateTime(v) },
        { title: t('cmdb.related.slip'), dataIndex: 'number', width: 170 },
        { title: t('cmdb.related.kind'), dataIndex: 'kind', render: (k: string) => <Tag>{word('pt.kind', k)}</Tag> },
        { title: t('cmdb.related.quantity'), dataIndex: 'quantity', width: 80, align: 'right' },
        { title: t('cmdb.related.ticket'), dataIndex: 'ticketId', width: 100, render: (id: number | null) => (id ? <Link to={`/tickets/${id}`}>{t('cmdb.related.open')}</Link> : '—') },
      ]}
    />
  );
}
