import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Drawer, Empty, Flex, List, Modal, Row, Space, Spin, Tag, Typography } from 'antd';
import { EditOutlined, HistoryOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { api, isApiError } from '../../api/client';
import { KB, type Article, type ArticleVersion, type DiffPart, type WorkflowAction } from '../../api/knowledge';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { NotFoundPage } from '../../components/StatusPages';
import { AudienceTag, KindTag, StateTag } from './kbShared';
import { ArticleContent, VoteAndFeedback } from './ArticleView';

const PRIMARY: WorkflowAction[] = ['submit', 'publish', 'confirm'];

/** One article for the provider's staff: the text, the workflow, versions with diff and restore, feedback. */
export default function ArticlePage() {
  const id = Number(useParams().id);
  const { t, fmtDateTime, fmtDate, errorText } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [history, setHistory] = useState(false);
  const q = useQuery({ queryKey: [KB, id], queryFn: () => api.get<Article>(`${KB}/${id}`, { view: 1 }) });
  const step = useMutation({
    mutationFn: (action: WorkflowAction) => api.post<Article>(`${KB}/${id}/transition`, { version: q.data!.version, action }),
    onSuccess: (a, action) => {
      qc.setQueryData([KB, id], a);
      void qc.invalidateQueries({ queryKey: [KB, 'list'] });
      message.success(t('kb.done', { action: t(`kb.action.${action}`) }));
    },
    onError: (e) => message.error(errorText(e)),
  });
  if (q.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (q.error && isApiError(q.error) && q.error.status === 404) return <NotFoundPage />;
  if (q.error || !q.data) return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  const a = q.data;
  const actions = a.allowedActions.filter((x): x is WorkflowAction => x !== 'edit');
  return (
    <div data-testid="page-kb-article">
      <PageHeader
        onBack={() => navigate('/knowledge')}
        title={<span data-testid="kb-article-title">{a.title}</span>}
        subtitle={a.number}
        tags={
          <Space size={4} wrap>
            <KindTag kind={a.kind} />
            <StateTag state={a.state} />
            <AudienceTag audience={a.audience} />
          </Space>
        }
        extra={
          <Space wrap>
            {a.allowedActions.includes('edit') && (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/knowledge/${id}/edit`)} data-testid="kb-edit">
                {t('kb.action.edit')}
              </Button>
            )}
            <Button icon={<HistoryOutlined />} onClick={() => setHistory(true)} data-testid="kb-history">
              {t('kb.versions')}
            </Button>
            {actions.map((x) => (
              <Button
                key={x}
                type={PRIMARY.includes(x) ? 'primary' : 'default'}
                danger={x === 'archive'}
                loading={step.isPending && step.variables === x}
                onClick={() => step.mutate(x)}
                data-testid={`kb-action-${x}`}
              >
                {t(`kb.action.${x}`)}
              </Button>
            ))}
          </Space>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={17}>
          <Card>
            <ArticleContent article={a} />
          </Card>
          <VoteAndFeedback article={a} />
        </Col>
        <Col xs={24} lg={7}>
          <Card size="small">
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('kb.owner')}>{a.ownerName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('kb.reviewer')}>{a.reviewerName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('kb.customer')}>{a.customerName ?? t('kb.customerNone')}</Descriptions.Item>
              <Descriptions.Item label={t('kb.updated')}>{fmtDateTime(a.updatedAt)}</Descriptions.Item>
              {a.reviewDueAt && <Descriptions.Item label={t('kb.reviewDue')}>{fmtDate(a.reviewDueAt)}</Descriptions.Item>}
              {a.sourceTicketId && (
                <Descriptions.Item label={t('kb.fromTicket')}>
                  <Link to={`/tickets/${a.sourceTicketId}`}>{a.sourceTicketNumber}</Link>
                </Descriptions.Item>
              )}
              {a.category && <Descriptions.Item label={t('kb.category')}>{a.category}</Descriptions.Item>}
              {a.linkedServices.length > 0 && <Descriptions.Item label={t('kb.services')}>{a.linkedServices.join('、')}</Descriptions.Item>}
              {a.ciTypes.length > 0 && <Descriptions.Item label={t('kb.ciTypes')}>{a.ciTypes.join('、')}</Descriptions.Item>}
              <Descriptions.Item label={t('kb.views', { count: '' }).trim()}>{a.views}</Descriptions.Item>
            </Descriptions>
            {a.tags.length > 0 && (
              <Flex gap={4} wrap style={{ marginTop: 8 }}>
                {a.tags.map((tag) => (
                  <Tag key={tag}>{tag}</Tag>
                ))}
              </Flex>
            )}
          </Card>
          <FeedbackList id={id} />
        </Col>
      </Row>
      <VersionsDrawer open={history} onClose={() => setHistory(false)} article={a} />
    </div>
  );
}

function FeedbackList({ id }: { id: number }) {
  const { t, fmtDateTime } = useI18n();
  const q = useQuery({ queryKey: [KB, id, 'feedback'], queryFn: () => api.get<Array<{ id: number; userName: string; body: string; createdAt: string }>>(`${KB}/${id}/feedback`) });
  if (!q.data?.length) return null;
  return (
    <Card size="small" title={t('kb.feedback')} style={{ marginTop: 16 }} data-testid="kb-feedback-list">
      <List
        size="small"
        dataSource={q.data}
        renderItem={(f) => (
          <List.Item>
            <div>
              <Typography.Text strong>{f.userName}</Typography.Text> <Typography.Text type="secondary">{fmtDateTime(f.createdAt)}</Typography.Text>
              <div style={{ whiteSpace: 'pre-wrap' }}>{f.body}</div>
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}

function VersionsDrawer({ open, onClose, article }: { open: boolean; onClose: () => void; article: Article }) {
  const { t, fmtDateTime, errorText } = useI18n();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const [diffFrom, setDiffFrom] = useState<number | null>(null);
  const versions = useQuery({ queryKey: [KB, article.id, 'versions', article.version], queryFn: () => api.get<ArticleVersion[]>(`${KB}/${article.id}/versions`), enabled: open });
  const current = versions.data?.[0]?.version;
  const diff = useQuery({
    queryKey: [KB, article.id, 'diff', diffFrom, current],
    queryFn: () => api.get<{ from: number; to: number; fields: Array<{ field: string; parts: DiffPart[] }> }>(`${KB}/${article.id}/diff`, { from: diffFrom!, to: current! }),
    enabled: diffFrom !== null && current !== undefined,
  });
  const restore = useMutation({
    mutationFn: (n: number) => api.post<Article>(`${KB}/${article.id}/versions/${n}/restore`, { version: article.version }),
    onSuccess: (a) => {
      qc.setQueryData([KB, article.id], a);
      message.success(t('kb.restored'));
    },
    onError: (e) => message.error(errorText(e)),
  });
  const changeText = (v: ArticleVersion) => (v.change === 'restored' ? t('kb.change.restored', { from: v.restoredFrom ?? '' }) : t(`kb.change.${v.change as 'created' | 'edited' | 'from_ticket'}`));
  return (
    <Drawer open={open} onClose={onClose} title={t('kb.versions')} width={480} data-testid="kb-versions">
      {versions.error && <ErrorAlert error={versions.error} />}
      <List<ArticleVersion>
        loading={versions.isLoading}
        dataSource={versions.data ?? []}
        renderItem={(v) => (
          <List.Item
            data-testid={`kb-version-${v.version}`}
            actions={
              v.version === current
                ? []
                : [
                    <a key="diff" onClick={() => setDiffFrom(v.version)} data-testid={`kb-diff-${v.version}`}>
                      {t('kb.compare')}
                    </a>,
                    ...(article.allowedActions.includes('edit')
                      ? [
                          <a key="restore" data-testid={`kb-restore-${v.version}`} onClick={() => modal.confirm({ content: t('kb.restoreConfirm', { version: v.version }), onOk: () => restore.mutateAsync(v.version) })}>
                            {t('kb.restore')}
                          </a>,
                        ]
                      : []),
                  ]
            }
          >
            <List.Item.Meta title={`${t('kb.version', { version: v.version })} · ${changeText(v)}`} description={`${v.authorName} · ${fmtDateTime(v.createdAt)}`} />
          </List.Item>
        )}
      />
      <Modal open={diffFrom !== null} onCancel={() => setDiffFrom(null)} footer={null} width={720} title={diffFrom !== null && current ? t('kb.diffTitle', { from: diffFrom, to: current }) : ''}>
        {diff.isLoading && <Spin />}
        {diff.error && <ErrorAlert error={diff.error} />}
        {diff.data && diff.data.fields.length === 0 && <Empty description={t('kb.diffSame')} />}
        {diff.data?.fields.map((f) => (
          <div key={f.field} style={{ marginBottom: 12 }} data-testid={`kb-diff-field-${f.field}`}>
            <Typography.Text strong>{t(`kb.field.${f.field as 'title'}`)}</Typography.Text>
            <div className="kb-diff">
              {f.parts.map((p, i) => (p.op === 'same' ? <span key={i}>{p.text}</span> : p.op === 'added' ? <ins key={i} className="kb-diff-added">{p.text}</ins> : <del key={i} className="kb-diff-removed">{p.text}</del>))}
            </div>
          </div>
        ))}
      </Modal>
    </Drawer>
  );
}
