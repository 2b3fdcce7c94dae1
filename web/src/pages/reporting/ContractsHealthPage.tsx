import { useMemo, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Badge, Card, Descriptions, Empty, Flex, Segmented, Skeleton, Table, Tooltip, Typography } from 'antd';
import { useIsMobile } from '../../components/useIsMobile';
import dayjs from 'dayjs';
import { useI18n } from '../../i18n';
import { isCustomerStaff, useCurrentUser } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { api, fetchAll, isApiError } from '../../api/client';
import { REPORTING, metricsParams, useKpis, type Figure, type KpiDef, type MetricsQuery, type MetricsResult } from '../../api/reporting';
import type { Contract, Customer, Id } from '../../api/types';
import { KPI, MISSED_COLOR, judge, presetPeriod, useFormatKpi, valueOf } from './reportingShared';
import { DrillDrawer } from './DrillDrawer';
import type { DrillTarget } from './KpiChart';

/** The figures of each contract row, this month. */
const ROW_KPIS = [KPI.slaResponse, KPI.slaResolution, KPI.responseBreaches, KPI.resolutionBreaches, KPI.backlog, KPI.satisfaction];
/** Counts where anything above zero is red. */
const BREACHES: string[] = [KPI.responseBreaches, KPI.resolutionBreaches];

interface ContractRow {
  id: Id;
  code: string;
  name: string;
  customerId: Id;
  customerName: string;
  projectManagerId: Id | null;
}

/** A report on the board (GET /reporting/reports/board, issue #11 item 5): one per report owed, started or not. */
interface BoardItem {
  id: Id | null;
  contractId: Id;
  contractCode: string;
  contractName: string;
  customerId: Id;
  customerName: string;
  projectManagerId: Id | null;
  type: string;
  typeName: string;
  periodLabel: string;
  state: string;
  dueOn: string;
  overdue: boolean;
}

/** Reports the customer has: nothing left to do for the PM. */
const DELIVERED = new Set(['issued', 'signed']);

/** The report board between two due days; null when this installation has no board (404). */
function useBoard(from: string, to: string) {
  return useQuery({
    queryKey: [REPORTING, 'reports', 'board', from, to],
    queryFn: async () => {
      try {
        return (await api.get<{ items: BoardItem[] }>(`${REPORTING}/reports/board`, { from, to })).items;
      } catch (e) {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }
    },
    retry: false,
    staleTime: 60_000,
  });
}

/**
 * The contracts in the caller's scope that run this month: those the board lists (every running
 * contract owes a monthly report), or — without a board — his customers' contracts.
 */
function useContractRows(board: BoardItem[] | null | undefined, period: { from: string; to: string }) {
  const fallback = board === null;
  const customers = useQuery({
    queryKey: ['/customers', 'all-for-contracts'],
    queryFn: () => fetchAll<Customer>('/customers', {}, 500),
    staleTime: 5 * 60_000,
    enabled: fallback,
  });
  const contracts = useQueries({
    queries: (fallback ? (customers.data ?? []) : []).map((c) => ({
      queryKey: ['/customers', c.id, 'contracts'],
      queryFn: () => fetchAll<Contract>(`/customers/${c.id}/contracts`),
      staleTime: 5 * 60_000,
    })),
  });
  const stamp = contracts.map((q) => q.dataUpdatedAt).join(',');
  const rows = useMemo<ContractRow[]>(() => {
    if (board) {
      const m = new Map<Id, ContractRow>();
      for (const r of board)
        if (!m.has(r.contractId))
          m.set(r.contractId, { id: r.contractId, code: r.contractCode, name: r.contractName, customerId: r.customerId, customerName: r.customerName, projectManagerId: r.projectManagerId });
      return [...m.values()];
    }
    return (customers.data ?? []).flatMap((c, i) =>
      (contracts[i]?.data ?? [])
        .filter((k) => k.startsOn <= period.to && k.endsOn >= period.from)
        .map((k) => ({ id: k.id, code: k.code, name: k.name, customerId: c.id, customerName: c.name, projectManagerId: k.projectManagerId })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [board, customers.data, stamp, period]);
  const isPending = board === undefined || (fallback && (customers.isPending || contracts.some((q) => q.isPending)));
  return { rows, isPending, error: customers.error ?? contracts.find((q) => q.error)?.error };
}

/**
 * 合同概况: the project manager's contracts at a glance — this month's SLA, breaches, open
 * tickets, satisfaction and the reports due; red marks what breaches or is overdue.
 */
export default function ContractsHealthPage() {
  const me = useCurrentUser();
  if (isCustomerStaff(me)) return <Navigate to="/portal/dashboard" replace />;
  return <ContractsHealth />;
}

function ContractsHealth() {
  const { t, fmtDate } = useI18n();
  const me = useCurrentUser();
  const mobile = useIsMobile();
  const fmt = useFormatKpi();
  const kpis = useKpis();
  const defs = kpis.data;
  const period = useMemo(() => presetPeriod('thisMonth'), []);
  const board = useBoard(
    dayjs(period.from).subtract(1, 'month').format('YYYY-MM-DD'),
    dayjs(period.from).endOf('month').format('YYYY-MM-DD'),
  );
  const contracts = useContractRows(board.isError ? null : board.data, period);
  const mine = contracts.rows.filter((c) => c.projectManagerId === me.id);
  const [whose, setWhose] = useState<'mine' | 'all'>('mine');
  const showMine = whose === 'mine' && mine.length > 0;
  const rows = showMine ? mine : contracts.rows;
  const [drill, setDrill] = useState<{ target: DrillTarget; contractId: Id } | null>(null);

  const known = defs ? ROW_KPIS.filter((k) => defs.has(k)) : [];
  const figures = useQueries({
    queries: rows.map((c) => {
      const q: MetricsQuery = { kpis: known, groupBy: 'total', from: period.from, to: period.to, contractId: c.id };
      return {
        queryKey: [REPORTING, 'metrics', q],
        queryFn: () => api.get<MetricsResult>(`${REPORTING}/metrics`, metricsParams(q)),
        enabled: known.length > 0,
        staleTime: 60_000,
      };
    }),
  });

  const figuresOf = new Map(rows.map((c, i) => [c.id, figures[i]]));
  const cell = (c: ContractRow, code: string, def: KpiDef | undefined) => {
    const res = figuresOf.get(c.id);
    if (!def) return <Typography.Text type="secondary">{t('rep.noValue')}</Typography.Text>;
    if (res?.isPending) return <Skeleton.Button active size="small" />;
    const f: Figure | undefined = res?.data?.totals[code];
    const v = valueOf(f);
    // a breach count above zero is red as much as a rate under its target
    const bad = BREACHES.includes(code) ? (v ?? 0) > 0 : judge(def, v) === false;
    return (
      <Typography.Link
        onClick={() => f && setDrill({ contractId: c.id, target: { kpi: code, groupBy: 'total', key: null, pointLabel: c.name, figure: f } })}
        disabled={!f}
        style={{ color: bad ? MISSED_COLOR : undefined, fontWeight: bad ? 600 : undefined }}
        data-testid={`contract-${code}`}
        data-bad={bad ? 'true' : 'false'}
      >
        {fmt(def, v)}
      </Typography.Link>
    );
  };

  const reportsOf = (c: ContractRow) => {
    if (board.isPending) return <Skeleton.Button active size="small" />;
    if (!board.data) return <Typography.Text type="secondary">{t('rep.contracts.reportsUnavailable')}</Typography.Text>;
    // what the PM still owes: due this month, or overdue from before
    const open = board.data.filter((r) => r.contractId === c.id && !DELIVERED.has(r.state) && (r.overdue || r.dueOn >= period.from));
    if (!open.length) return <Typography.Text type="secondary">{t('rep.contracts.noReports')}</Typography.Text>;
    return (
      <Flex vertical gap={2}>
        {open.map((r) => (
          <div key={`${r.type}-${r.periodLabel}`} data-testid="contract-report" data-overdue={r.overdue ? 'true' : 'false'}>
            <Badge status={r.overdue ? 'error' : 'processing'} />{' '}
            <span style={{ color: r.overdue ? MISSED_COLOR : undefined, fontWeight: r.overdue ? 600 : undefined }}>
              {r.typeName}（{r.periodLabel}）
            </span>
            <Typography.Text type={r.overdue ? 'danger' : 'secondary'} style={{ display: 'block', fontSize: 12, paddingInlineStart: 14 }}>
              {r.overdue ? t('rep.contracts.overdueSince', { date: fmtDate(r.dueOn) }) : t('rep.contracts.dueOn', { date: fmtDate(r.dueOn) })}
            </Typography.Text>
          </div>
        ))}
      </Flex>
    );
  };

  return (
    <div data-testid="page-reporting-contracts">
      <PageHeader
        title={t('rep.contracts.title')}
        subtitle={t('rep.contracts.subtitle')}
        extra={
          mine.length > 0 && (
            <Segmented
              value={whose}
              onChange={(v) => setWhose(v as 'mine' | 'all')}
              options={[
                { value: 'mine', label: <span data-testid="contracts-mine">{t('rep.contracts.mine')}</span> },
                { value: 'all', label: <span data-testid="contracts-all">{t('rep.contracts.all')}</span> },
              ]}
            />
          )
        }
      />
      <ErrorAlert error={kpis.error ?? board.error ?? contracts.error} />
      {mobile ? (
        <Flex vertical gap={12} data-testid="contract-cards">
          {contracts.isPending && <Skeleton active />}
          {!contracts.isPending && rows.length === 0 && <Empty description={t('rep.contracts.empty')} />}
          {rows.map((c) => (
            <Card key={c.id} size="small" data-testid="contract-row">
              <Link to={`/reporting?customerId=${c.customerId}&period=thisMonth`} style={{ display: 'block', fontWeight: 600 }}>
                {c.name}
              </Link>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {c.customerName} · {c.code}
              </Typography.Text>
              <Descriptions
                size="small"
                column={2}
                style={{ marginTop: 8 }}
                items={ROW_KPIS.map((code) => ({ key: code, label: defs?.get(code)?.label ?? code, children: cell(c, code, defs?.get(code)) }))}
              />
              <Typography.Text strong style={{ display: 'block', margin: '8px 0 4px' }}>
                {t('rep.contracts.reportsDue')}
              </Typography.Text>
              {reportsOf(c)}
            </Card>
          ))}
        </Flex>
      ) : (
        <Card>
          <Table<ContractRow>
            rowKey="id"
            size="middle"
            loading={contracts.isPending}
            dataSource={rows}
            pagination={rows.length > 50 ? { pageSize: 50 } : false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: <Empty description={t('rep.contracts.empty')} /> }}
            onRow={() => ({ 'data-testid': 'contract-row' }) as React.HTMLAttributes<HTMLTableRowElement>}
            columns={[
              {
                key: 'contract',
                title: t('rep.contracts.contract'),
                fixed: 'left',
                width: 240,
                render: (_, c) => (
                  <Flex vertical>
                    <Link to={`/reporting?customerId=${c.customerId}&period=thisMonth`}>{c.name}</Link>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.customerName} · {c.code}
                    </Typography.Text>
                  </Flex>
                ),
              },
              ...ROW_KPIS.map((code) => ({
                key: code,
                title: (
                  <Tooltip title={defs?.get(code)?.description}>
                    <span>{defs?.get(code)?.label ?? code}</span>
                  </Tooltip>
                ),
                align: 'right' as const,
                render: (_: unknown, c: ContractRow) => cell(c, code, defs?.get(code)),
              })),
              { key: 'reports', title: t('rep.contracts.reportsDue'), width: 280, render: (_, c) => reportsOf(c) },
            ]}
          />
        </Card>
      )}
      <DrillDrawer
        target={drill?.target ?? null}
        defs={defs}
        period={period}
        contractId={drill?.contractId}
        ticketPath={(id) => `/tickets/${id}`}
        onClose={() => setDrill(null)}
      />
    </div>
  );
}
