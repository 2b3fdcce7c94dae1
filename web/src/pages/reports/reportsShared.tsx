import { Card, Col, Empty, Flex, Row, Select, Table, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useI18n, type MessageKey } from '../../i18n';
import type { ChartSpec, RecipientChoice, ReportBlock, ReportSection, ReportState } from '../../api/reports';
import type { Id } from '../../api/types';
import { EChart } from '../reporting/EChart';

/** Tag colours of report states: red is kept for lateness. */
const STATE_COLOR: Record<ReportState, string> = {
  not_started: 'default',
  draft: 'gold',
  in_review: 'blue',
  approved: 'cyan',
  issued: 'geekblue',
  signed: 'green',
  returned: 'orange',
};

export function StateTag({ state }: { state: ReportState }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLOR[state]} data-testid="report-state" data-state={state}>
      {t(`rpt.state.${state}` as MessageKey)}
    </Tag>
  );
}

/** 剩 3 天 / 今天到期 / 逾期 2 天 (red) / 按时 / 迟交 once issued. */
export function DueText({ overdue, daysLeft, onTime }: { overdue: boolean; daysLeft: number; onTime: boolean | null }) {
  const { t } = useI18n();
  if (onTime !== null)
    return (
      <Typography.Text type={onTime ? 'success' : 'danger'} data-testid="report-ontime" data-ontime={onTime ? 'true' : 'false'}>
        {t(onTime ? 'rpt.onTime' : 'rpt.late')}
      </Typography.Text>
    );
  if (overdue)
    return (
      <Typography.Text type="danger" strong data-testid="report-overdue">
        {t('rpt.overdueDays', { n: Math.max(1, -daysLeft) })}
      </Typography.Text>
    );
  return <Typography.Text type="secondary">{daysLeft === 0 ? t('rpt.dueToday') : t('rpt.daysLeft', { n: daysLeft })}</Typography.Text>;
}

function chartOption(c: ChartSpec): Record<string, unknown> {
  if (c.kind === 'pie') {
    return {
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['35%', '65%'], data: c.categories.map((name, i) => ({ name, value: c.series[0]?.data[i] ?? 0 })) }],
    };
  }
  return {
    tooltip: { trigger: 'axis' },
    legend: c.series.length > 1 ? { bottom: 0 } : undefined,
    grid: { left: 48, right: 16, top: 24, bottom: c.series.length > 1 ? 48 : 32 },
    xAxis: { type: 'category', data: c.categories },
    yAxis: { type: 'value', name: c.unit },
    series: c.series.map((s) => ({
      type: c.kind,
      name: s.name,
      data: s.data,
      stack: c.stacked ? 'all' : undefined,
      markLine: c.marks?.length ? { symbol: 'none', data: c.marks.map((m) => ({ yAxis: m.value, name: m.label })) } : undefined,
    })),
  };
}

/** One generated block as the editor and the portal show it (the files are drawn by the server's renderers). */
export function Block({ block }: { block: ReportBlock }) {
  const { t } = useI18n();
  switch (block.type) {
    case 'text':
      return (
        <div>
          {block.text.split(/\n\s*\n/).map((p, i) => (
            <Typography.Paragraph key={i} style={{ whiteSpace: 'pre-wrap' }}>
              {p}
            </Typography.Paragraph>
          ))}
        </div>
      );
    case 'kpis':
      return (
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {block.items.map((k) => (
            <Col key={k.code} xs={12} md={8} lg={6}>
              <Card size="small" data-testid={`report-kpi-${k.code}`}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {k.label}
                </Typography.Text>
                <div style={{ fontSize: 20, fontWeight: 600 }}>{k.text}</div>
                {k.target && (
                  <Typography.Text type={k.ok === false ? 'danger' : k.ok ? 'success' : 'secondary'} style={{ fontSize: 12 }}>
                    {t('rep.target', { target: k.target })} {k.ok === true ? `· ${t('rep.met')}` : k.ok === false ? `· ${t('rep.notMet')}` : ''}
                  </Typography.Text>
                )}
              </Card>
            </Col>
          ))}
        </Row>
      );
    case 'table':
      return (
        <div style={{ marginBottom: 12 }}>
          {block.title && <Typography.Text strong>{block.title}</Typography.Text>}
          <Table
            size="small"
            pagination={false}
            scroll={{ x: true }}
            rowKey={(_, i) => String(i)}
            dataSource={block.rows}
            columns={block.columns.map((c) => ({
              key: c.key,
              dataIndex: c.key,
              title: <span style={{ whiteSpace: 'nowrap' }}>{c.label}</span>,
              align: c.align,
              // short cells (numbers, names, times) stay on one line; long text wraps
              render: (v: unknown) => <span style={{ whiteSpace: typeof v === 'string' && v.length > 24 ? 'normal' : 'nowrap' }}>{v === null || v === undefined ? '—' : String(v)}</span>,
            }))}
          />
          {block.note && <Typography.Text type="secondary">{block.note}</Typography.Text>}
        </div>
      );
    case 'chart':
      return (
        <div style={{ marginBottom: 12 }}>
          <Typography.Text strong>{block.title}</Typography.Text>
          <EChart option={chartOption(block.chart)} style={{ height: 260 }} />
        </div>
      );
  }
}

/** A section's generated content (data sections), or the honest "not enabled" line. */
export function SectionBody({ section, children }: { section: ReportSection; children?: ReactNode }) {
  const { t } = useI18n();
  if (section.kind === 'data' && !section.blocks.length) return <Empty description={t('rep.empty')} />;
  return (
    <Flex vertical>
      {section.blocks.map((b, i) => (
        <Block key={i} block={b} />
      ))}
      {children}
    </Flex>
  );
}

/**
 * The customer's users to tell of an issued report: name, 管理员 for those who sign reports off,
 * and the e-mail the notice goes to (or that it reaches them in the app only). Used where the PM
 * issues a report and in the contract's report plan (its default recipients).
 */
export function RecipientSelect({ choice, value, onChange, placeholder, testId }: { choice: RecipientChoice | undefined; value?: Id[]; onChange?: (ids: Id[]) => void; placeholder?: string; testId: string }) {
  const { t } = useI18n();
  return (
    <Select
      mode="multiple"
      allowClear
      style={{ width: '100%' }}
      loading={!choice}
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      showSearch={{ optionFilterProp: 'label' }}
      data-testid={testId}
      options={(choice?.candidates ?? []).map((c) => ({
        value: c.id,
        label: `${c.name}${c.admin ? `（${t('rpt.issue.admin')}）` : ''} · ${c.email ?? t('rpt.issue.noEmail')}`,
      }))}
    />
  );
}
