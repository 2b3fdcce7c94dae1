import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { Button, Card, Col, Empty, List, Row, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, LeftOutlined, RightOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { api, API_BASE } from '../../api/client';
import type { Submissions, WeeklyReport } from '../../api/knowledge';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { KindTag, StateTag } from './kbShared';

/**
 * 每周提交 (REQ #122): who wrote or updated which articles in a week (Monday to Sunday, Asia/Shanghai),
 * the desk's review queue, and the "updated weekly" record per customer (R12) with its Excel export.
 */
export default function SubmissionsPage() {
  const { t, fmtDateTime } = useI18n();
  const navigate = useNavigate();
  const [week, setWeek] = useState<string | undefined>(undefined);
  const q = useQuery({ queryKey: ['/knowledge/submissions', week], queryFn: () => api.get<Submissions>('/knowledge/submissions', { week }) });
  const report = useQuery({ queryKey: ['/knowledge/reports/weekly'], queryFn: () => api.get<WeeklyReport>('/knowledge/reports/weekly', { weeks: 8 }) });
  const shift = (days: number) => setWeek(dayjs(q.data?.week ?? undefined).add(days, 'day').format('YYYY-MM-DD'));
  return (
    <div data-testid="page-kb-submissions">
      <PageHeader title={t('kb.submissions')} onBack={() => navigate('/knowledge')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card
            size="small"
            title={q.data ? t('kb.weekOf', { week: q.data.week }) : t('kb.week')}
            extra={
              <Space>
                <Button size="small" icon={<LeftOutlined />} onClick={() => shift(-7)} aria-label={t('kb.prevWeek')} data-testid="kb-week-prev" />
                <Button size="small" onClick={() => setWeek(undefined)}>
                  {t('kb.week')}
                </Button>
                <Button size="small" icon={<RightOutlined />} onClick={() => shift(7)} aria-label={t('kb.nextWeek')} />
              </Space>
            }
          >
            {q.error && <ErrorAlert error={q.error} onRetry={() => q.refetch()} />}
            <List
              loading={q.isLoading}
              dataSource={q.data?.people ?? []}
              locale={{ emptyText: <Empty description={t('kb.noSubmissions')} /> }}
              data-testid="kb-submissions-people"
              renderItem={(p) => (
                <List.Item>
                  <div style={{ width: '100%' }}>
                    <Space wrap>
                      <Typography.Text strong>{p.name}</Typography.Text>
                      <Tag color="blue">
                        {t('kb.createdCount')} {p.created}
                      </Tag>
                      <Tag>
                        {t('kb.updatedCount')} {p.updated}
                      </Tag>
                    </Space>
                    <ul style={{ paddingLeft: 20, margin: '4px 0 0' }}>
                      {p.articles.map((a) => (
                        <li key={a.id}>
                          <Link to={`/knowledge/${a.id}`}>{a.title}</Link> <KindTag kind={a.kind} />
                          <StateTag state={a.state} /> <Typography.Text type="secondary">{fmtDateTime(a.at)}</Typography.Text>
                        </li>
                      ))}
                    </ul>
                  </div>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('kb.reviewQueue')} data-testid="kb-review-queue">
            <List
              loading={q.isLoading}
              dataSource={q.data?.reviewQueue ?? []}
              locale={{ emptyText: <Empty description={t('kb.reviewQueueEmpty')} /> }}
              renderItem={(a) => (
                <List.Item>
                  <Space wrap>
                    <Link to={`/knowledge/${a.id}`}>{a.title}</Link>
                    <StateTag state={a.state} />
                    <Typography.Text type="secondary">{a.ownerName}</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col span={24}>
          <Card
            size="small"
            title={t('kb.weeklyRecord')}
            extra={
              <Button size="small" icon={<DownloadOutlined />} href={`${API_BASE}/knowledge/reports/weekly.xlsx?weeks=8`} data-testid="kb-weekly-export">
                {t('kb.export')}
              </Button>
            }
          >
            <Typography.Paragraph type="secondary">{t('kb.weeklyRecordHelp')}</Typography.Paragraph>
            {report.error && <ErrorAlert error={report.error} />}
            <Table
              size="small"
              rowKey={(r) => String(r.customerId)}
              loading={report.isLoading}
              dataSource={report.data?.rows ?? []}
              pagination={false}
              scroll={{ x: true }}
              data-testid="kb-weekly-table"
              columns={[
                { title: t('kb.customer'), dataIndex: 'customerName', fixed: 'left', width: 160 },
                ...(report.data?.weeks ?? []).map((w, i) => ({
                  title: w.slice(5),
                  key: w,
                  align: 'center' as const,
                  render: (_: unknown, r: WeeklyReport['rows'][number]) => (r.created[i] || r.updated[i] ? `${r.created[i]} / ${r.updated[i]}` : '—'),
                })),
                { title: t('kb.total'), dataIndex: 'total', align: 'center' as const },
              ]}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('kb.createdCount')} / {t('kb.updatedCount')}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
