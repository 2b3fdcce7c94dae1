import { useNavigate, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Card, Space, Spin } from 'antd';
import { useI18n } from '../../i18n';
import { api, isApiError } from '../../api/client';
import { KB, type Article } from '../../api/knowledge';
import { PageHeader } from '../../components/PageHeader';
import { ErrorAlert } from '../../components/ErrorAlert';
import { NotFoundPage } from '../../components/StatusPages';
import { KindTag } from '../knowledge/kbShared';
import { ArticleContent, VoteAndFeedback } from '../knowledge/ArticleView';

/** One article in the portal: the text, the vote and feedback. */
export default function KnowledgePortalArticlePage() {
  const id = Number(useParams().id);
  const { t, fmtDate } = useI18n();
  const navigate = useNavigate();
  const q = useQuery({ queryKey: [KB, id], queryFn: () => api.get<Article>(`${KB}/${id}`, { view: 1 }) });
  if (q.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (q.error && isApiError(q.error) && q.error.status === 404) return <NotFoundPage />;
  if (q.error || !q.data) return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  const a = q.data;
  return (
    <div data-testid="page-portal-kb-article">
      <PageHeader
        onBack={() => navigate('/portal/knowledge')}
        title={<span data-testid="kb-article-title">{a.title}</span>}
        subtitle={`${a.number} · ${fmtDate(a.updatedAt)}`}
        tags={
          <Space size={4}>
            <KindTag kind={a.kind} />
          </Space>
        }
      />
      <Card>
        <ArticleContent article={a} />
      </Card>
      <VoteAndFeedback article={a} />
      <div style={{ marginTop: 12 }}>
        <a onClick={() => navigate('/portal/knowledge')}>{t('kb.portal.back')}</a>
      </div>
    </div>
  );
}
