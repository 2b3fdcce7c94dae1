import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Flex, Input, Space, Typography } from 'antd';
import { DislikeOutlined, FileTextOutlined, LikeOutlined, PaperClipOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { api, API_BASE } from '../../api/client';
import { KB, type Article } from '../../api/knowledge';
import { ArticleBody } from './kbShared';

/**
 * What every reader sees of an article — the symptom, cause, body, applies-to, its files — and
 * the vote and feedback under it. Shared by the agents' page and the portal's.
 */
export function ArticleContent({ article }: { article: Article }) {
  const { t } = useI18n();
  const files = article.files.filter((f) => !f.inline);
  return (
    <>
      {(article.symptom || article.cause) && (
        <Descriptions column={1} size="small" bordered style={{ marginBottom: 16 }} data-testid="kb-symptom-cause">
          {article.symptom && <Descriptions.Item label={t('kb.symptom')}>{<span style={{ whiteSpace: 'pre-wrap' }}>{article.symptom}</span>}</Descriptions.Item>}
          {article.cause && <Descriptions.Item label={t('kb.cause')}>{<span style={{ whiteSpace: 'pre-wrap' }}>{article.cause}</span>}</Descriptions.Item>}
        </Descriptions>
      )}
      {article.bodyHtml && (
        <>
          {article.kind === 'solution' && <Typography.Title level={5}>{t('kb.steps')}</Typography.Title>}
          <ArticleBody html={article.bodyHtml} />
        </>
      )}
      {article.appliesTo && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('kb.appliesTo')}：{article.appliesTo}
        </Typography.Paragraph>
      )}
      {files.length > 0 && (
        <div style={{ marginTop: 12 }} data-testid="kb-files">
          <Typography.Text strong>
            <PaperClipOutlined /> {t('kb.files')}
          </Typography.Text>
          <ul style={{ paddingLeft: 20, marginTop: 4 }}>
            {files.map((f) => (
              <li key={f.id}>
                <a href={`${API_BASE}/knowledge/files/${f.id}`} target="_blank" rel="noreferrer">
                  <FileTextOutlined /> {f.name}
                </a>{' '}
                <Typography.Text type="secondary">({Math.max(1, Math.round(f.size / 1024))} KB{f.hasText ? ` · ${t('kb.searchable')}` : ''})</Typography.Text>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** Useful / not useful (one vote per user, changeable) and a feedback box that reaches the owner. */
export function VoteAndFeedback({ article }: { article: Article }) {
  const { t, errorText } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const vote = useMutation({
    mutationFn: (useful: boolean) => api.put<Article>(`${KB}/${article.id}/vote`, { useful }),
    onSuccess: (a) => {
      qc.setQueryData([KB, article.id], a);
      message.success(t('kb.thanks'));
    },
    onError: (e) => message.error(errorText(e)),
  });
  const feedback = useMutation({
    mutationFn: () => api.post(`${KB}/${article.id}/feedback`, { body: text }),
    onSuccess: () => {
      setText('');
      message.success(t('kb.feedbackSent'));
      void qc.invalidateQueries({ queryKey: [KB, article.id, 'feedback'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <Card size="small" style={{ marginTop: 16 }} data-testid="kb-vote">
      <Flex gap={12} align="center" wrap>
        <Typography.Text>{t('kb.wasUseful')}</Typography.Text>
        <Space>
          <Button icon={<LikeOutlined />} type={article.myVote === true ? 'primary' : 'default'} onClick={() => vote.mutate(true)} loading={vote.isPending && vote.variables === true} data-testid="kb-vote-useful">
            {t('kb.useful')} {article.useful}
          </Button>
          <Button icon={<DislikeOutlined />} type={article.myVote === false ? 'primary' : 'default'} onClick={() => vote.mutate(false)} loading={vote.isPending && vote.variables === false} data-testid="kb-vote-not-useful">
            {t('kb.notUseful')} {article.notUseful}
          </Button>
        </Space>
      </Flex>
      <Flex gap={8} style={{ marginTop: 12 }} wrap>
        <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} placeholder={t('kb.feedbackPlaceholder')} autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} style={{ flex: '1 1 260px' }} data-testid="kb-feedback-text" />
        <Button onClick={() => feedback.mutate()} disabled={!text.trim()} loading={feedback.isPending} data-testid="kb-feedback-send">
          {t('kb.feedbackSend')}
        </Button>
      </Flex>
    </Card>
  );
}
