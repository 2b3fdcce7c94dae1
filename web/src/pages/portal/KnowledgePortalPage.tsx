import { Link, useNavigate } from 'react-router';
import { Card, List, Typography } from 'antd';
import { useI18n } from '../../i18n';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { KB, type ArticleSummary } from '../../api/knowledge';
import { ArticleListCard, KindTag } from '../knowledge/kbShared';

/** The portal's self-service knowledge (REQ #123, #132): published articles for this customer, searchable. */
export default function KnowledgePortalPage() {
  const { t, fmtDate } = useI18n();
  const navigate = useNavigate();
  const filters = useUrlFilters(['q'] as const);
  const list = useKeysetList<ArticleSummary>(KB, { q: filters.values.q || undefined }, { limit: 20 });
  return (
    <div data-testid="page-portal-knowledge">
      <PageHeader title={t('kb.portal.title')} subtitle={t('kb.portal.subtitle')} onBack={() => navigate('/portal')} />
      <Card size="small" style={{ marginBottom: 12 }}>
        <SearchBox value={filters.values.q} onChange={(q) => filters.set({ q })} placeholder={t('kb.portal.search')} testid="portal-kb-search" width="100%" />
      </Card>
      <ArticleListCard
        list={list}
        testid="portal-kb-list"
        renderItem={(a) => (
          <List.Item data-testid={`portal-kb-item-${a.id}`}>
            <div style={{ minWidth: 0 }}>
              <KindTag kind={a.kind} />
              <Link to={`/portal/knowledge/${a.id}`} style={{ fontWeight: 600 }} data-testid="portal-kb-item-title">
                {a.title}
              </Link>
              <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: '4px 0 0' }}>
                {a.excerpt}
              </Typography.Paragraph>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {fmtDate(a.updatedAt)} · {t('kb.views', { count: a.views })}
              </Typography.Text>
            </div>
          </List.Item>
        )}
      />
    </div>
  );
}
