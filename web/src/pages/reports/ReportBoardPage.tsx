import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { App, Button, DatePicker, Flex, Select, Table, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useQueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/PageHeader';
import { useIsMobile } from '../../components/useIsMobile';
import { useCan } from '../../auth/session';
import { isApiError } from '../../api/client';
import { REPORTS, reportsApi, useBoard, type BoardItem, type ReportState } from '../../api/reports';
import { useI18n, type MessageKey } from '../../i18n';
import { DueText, StateTag } from './reportsShared';
import { LetterheadModal } from './LetterheadModal';

const STATES: ReportState[] = ['not_started', 'draft', 'in_review', 'approved', 'issued', 'signed', 'returned'];

/**
 * 报告看板: every report each contract in scope owes with its due day in the range — generated
 * or not — with its state, days left or overdue (red), and on time once issued. A report not
 * started whose period has ended can be generated from here.
 */
export default function ReportBoardPage() {
  const { t } = useI18n();
  const mobile = useIsMobile();
  const can = useCan();
  const nav = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [range, setRange] = useState<[string, string]>(() => [dayjs().subtract(1, 'month').startOf('month').format('YYYY-MM-DD'), dayjs().add(1, 'month').endOf('month').format('YYYY-MM-DD')]);
  const [state, setState] = useState<ReportState | undefined>();
  const board = useBoard({ from: range[0], to: range[1], state });
  const [busy, setBusy] = useState<string | null>(null);
  const items = useMemo(() => board.data?.items ?? [], [board.data]);
  const [letterhead, setLetterhead] = useState(false);

  const generate = async (r: BoardItem) => {
    const key = `${r.contractId}:${r.type}:${r.period}`;
    setBusy(key);
    try {
      const rep = await reportsApi.generate(r.contractId, r.type, r.period);
      message.success(t('rpt.generated', { number: rep.number }));
      await qc.invalidateQueries({ queryKey: [REPORTS] });
      nav(`/reports/${rep.id}`);
    } catch (e) {
      message.error(isApiError(e) ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageHeader
        title={t('rpt.board.title')}
        subtitle={t('rpt.board.subtitle')}
        extra={can('reports.manage') ? <Button onClick={() => setLetterhead(true)} data-testid="board-letterhead">{t('rpt.letterhead.title')}</Button> : undefined}
      />
      <LetterheadModal open={letterhead} onClose={() => setLetterhead(false)} />
      <Flex gap={12} wrap style={{ marginBottom: 16 }}>
        <DatePicker.RangePicker
          aria-label={t('rpt.board.range')}
          value={[dayjs(range[0]), dayjs(range[1])]}
          allowClear={false}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0].format('YYYY-MM-DD'), v[1].format('YYYY-MM-DD')])}
          data-testid="board-range"
        />
        <Select
          allowClear
          placeholder={t('rpt.board.allStates')}
          style={{ minWidth: 140 }}
          value={state}
          onChange={setState}
          options={STATES.map((s) => ({ value: s, label: t(`rpt.state.${s}` as MessageKey) }))}
          data-testid="board-state"
        />
      </Flex>
      <Table<BoardItem>
        size={mobile ? 'small' : 'middle'}
        loading={board.isPending}
        dataSource={items}
        rowKey={(r) => `${r.contractId}:${r.type}:${r.period}`}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: t('rpt.board.empty') }}
        rowClassName={(r) => (r.overdue ? 'yw-row-overdue' : '')}
        onRow={(r) => ({ 'data-testid': 'board-row', 'data-number': r.number ?? '', 'data-type': r.type, 'data-period': r.period, 'data-customer': r.customerName }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'customer', title: t('rpt.col.customer'), render: (_, r) => <span>{r.customerName}</span> },
          ...(mobile
            ? []
            : [
                {
                  key: 'contract',
                  title: t('rpt.col.contract'),
                  render: (_: unknown, r: BoardItem) =>
                    can('reports.manage') ? (
                      <Tooltip title={t('rpt.plan.link')}>
                        <Link to={`/reports/contracts/${r.contractId}/plan`}>{r.contractCode}</Link>
                      </Tooltip>
                    ) : (
                      <Typography.Text type="secondary">{r.contractCode}</Typography.Text>
                    ),
                },
              ]),
          { key: 'report', title: t('rpt.col.report'), render: (_, r) => (r.id ? <Link to={`/reports/${r.id}`}>{r.typeName}</Link> : r.typeName) },
          { key: 'period', title: t('rpt.col.period'), dataIndex: 'periodLabel' },
          {
            key: 'due',
            title: t('rpt.col.due'),
            render: (_, r) => (
              <Flex vertical>
                <span style={{ color: r.overdue ? '#cf1322' : undefined }}>{r.dueOn}</span>
                <DueText overdue={r.overdue} daysLeft={r.daysLeft} onTime={r.onTime} />
              </Flex>
            ),
          },
          { key: 'state', title: t('rpt.col.state'), render: (_, r) => <StateTag state={r.state} /> },
          {
            key: 'actions',
            title: t('rpt.col.actions'),
            render: (_, r) =>
              r.id ? (
                <Link to={`/reports/${r.id}`} data-testid="board-open">
                  {t('rpt.open')}
                </Link>
              ) : can('reports.write') ? (
                <Tooltip title={r.periodEnded ? undefined : t('rpt.notEnded')}>
                  <Button size="small" disabled={!r.periodEnded} loading={busy === `${r.contractId}:${r.type}:${r.period}`} onClick={() => generate(r)} data-testid="board-generate">
                    {t('rpt.generate')}
                  </Button>
                </Tooltip>
              ) : null,
          },
        ]}
      />
    </>
  );
}
