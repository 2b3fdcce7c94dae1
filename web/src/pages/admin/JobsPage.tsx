import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Empty, Flex, Row, Statistic, Table, Tag, Typography } from 'antd';
import { ReloadOutlined, RedoOutlined } from '@ant-design/icons';
import { api } from '../../api/client';
import { JOB_STATUSES, type Job, type JobStatus } from '../../api/types';
import { useI18n, type MessageKey } from '../../i18n';
import { zhCN } from '../../i18n/zh-CN';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore, useKeysetList, useUrlFilters } from '../../components/KeysetList';

const STATUS_COLOR: Record<JobStatus, string> = { failed: 'red', pending: 'blue', running: 'processing', done: 'green' };

export default function JobsPage() {
  const { t, fmtDateTime, errorText } = useI18n();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const filters = useUrlFilters(['status'] as const);
  const status: JobStatus = (JOB_STATUSES as string[]).includes(filters.values.status) ? (filters.values.status as JobStatus) : 'failed';
  const list = useKeysetList<Job>('/jobs', { status });
  const counts = useQuery({
    queryKey: ['/jobs', 'counts'],
    queryFn: () => api.get<{ counts: Record<string, number> }>('/jobs', { status: 'failed', limit: 1 }).then((d) => d.counts ?? {}),
    refetchInterval: 30_000,
  });
  const kindName = (kind: string) => {
    const key = `jobs.kind.${kind}` as MessageKey;
    return key in zhCN ? t(key) : kind;
  };
  const retry = async (job: Job) => {
    try {
      await api.post(`/jobs/${job.id}/retry`);
      message.success(t('jobs.retried'));
      await qc.invalidateQueries({ queryKey: ['/jobs'] });
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const refresh = () => void qc.invalidateQueries({ queryKey: ['/jobs'] });

  return (
    <div data-testid="page-jobs">
      <PageHeader
        title={t('jobs.title')}
        subtitle={t('jobs.subtitle')}
        extra={<Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t('common.refresh')} data-testid="jobs-refresh" />}
      />
      <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
        {JOB_STATUSES.map((s) => (
          <Col key={s} xs={12} md={6}>
            <Card
              size="small"
              hoverable
              onClick={() => filters.set({ status: s === 'failed' ? null : s })}
              style={{ borderColor: s === status ? '#1677ff' : undefined }}
              data-testid={`jobs-count-${s}`}
            >
              <Statistic
                title={t(`jobs.status.${s}` as MessageKey)}
                value={counts.data?.[s] ?? 0}
                styles={{ content: { color: s === 'failed' && (counts.data?.failed ?? 0) > 0 ? '#cf1322' : undefined } }}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Card title={<Tag color={STATUS_COLOR[status]}>{t(`jobs.status.${status}` as MessageKey)}</Tag>}>
        <ErrorAlert error={list.error ?? counts.error} onRetry={refresh} />
        <Table<Job>
          rowKey="id"
          data-testid="jobs-table"
          dataSource={list.items}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 900 }}
          onRow={() => ({ 'data-testid': 'jobs-row' }) as React.HTMLAttributes<HTMLElement>}
          expandable={{
            expandRowByClick: true,
            rowExpandable: (j) => !!j.lastError,
            expandedRowRender: (j) => (
              <pre data-testid="jobs-error" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', margin: 0, fontSize: 12, maxHeight: 320, overflow: 'auto' }}>
                {j.lastError}
              </pre>
            ),
          }}
          locale={{
            emptyText: <Empty description={status === 'failed' ? t('jobs.emptyFailed') : t('jobs.empty')} data-testid="jobs-empty" />,
          }}
          columns={[
            { title: '#', dataIndex: 'id', width: 80 },
            {
              title: t('jobs.kind'),
              dataIndex: 'kind',
              width: 200,
              render: (k: string) => (
                <Flex vertical>
                  <span>{kindName(k)}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} code>
                    {k}
                  </Typography.Text>
                </Flex>
              ),
            },
            { title: t('jobs.key'), dataIndex: 'key', width: 140, render: (v: string | null) => v ?? '—' },
            { title: t('jobs.attempts'), key: 'attempts', width: 100, render: (_: unknown, j) => `${j.attempts} / ${j.maxAttempts}` },
            {
              title: t('jobs.lastError'),
              dataIndex: 'lastError',
              ellipsis: true,
              render: (v: string | null) =>
                v ? <Typography.Text type="danger">{v.split('\n')[0]}</Typography.Text> : <Typography.Text type="secondary">{t('jobs.noError')}</Typography.Text>,
            },
            {
              title: status === 'pending' ? t('jobs.runAt') : t('common.updatedAt'),
              key: 'at',
              width: 170,
              render: (_: unknown, j) => fmtDateTime(status === 'pending' ? j.runAt : j.updatedAt),
            },
            ...(status === 'failed'
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    width: 100,
                    align: 'right' as const,
                    render: (_: unknown, j: Job) => (
                      <Button
                        size="small"
                        icon={<RedoOutlined />}
                        onClick={(e) => {
                          e.stopPropagation();
                          void retry(j);
                        }}
                        data-testid="jobs-retry"
                      >
                        {t('jobs.retry')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
        <LoadMore list={list} testid="jobs" />
      </Card>
    </div>
  );
}
