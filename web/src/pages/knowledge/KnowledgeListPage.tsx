import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, Card, Flex, List, Select, Space, Typography } from 'antd';
import { CalendarOutlined, EditOutlined, EyeOutlined, LikeOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';
import { useCan } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox, useKeysetList, useUrlFilters } from '../../components/KeysetList';
import { ARTICLE_KINDS, ARTICLE_STATES, AUDIENCES, KB, type ArticleSummary } from '../../api/knowledge';
import { ArticleListCard, AudienceTag, KindTag, StateTag } from './kbShared';

const KEYS = ['q', 'kind', 'state', 'audience', 'tag', 'mine'] as const;

/** 知识库: every article the user may read, with filters and full-text search (the one search engine). */
export default function KnowledgeListPage() {
  const { t, fmtDate } = useI18n();
  const can = useCan();
  const navigate = useNavigate();
  const filters = useUrlFilters(KEYS);
  const v = filters.values;
  const query = useMemo(
    () => ({ q: v.q || undefined, kind: v.kind || undefined, state: v.state || undefined, audience: v.audience || undefined, tag: v.tag || undefined, mine: v.mine === '1' ? '1' : undefined }),
    [v.q, v.kind, v.state, v.audience, v.tag, v.mine],
  );
  const list = useKeysetList<ArticleSummary>(KB, query, { limit: 25 });
  const options = <T extends string>(values: readonly T[], prefix: string) => values.map((x) => ({ value: x, label: t(`${prefix}.${x}` as never) }));

  return (
    <div data-testid="page-knowledge">
      <PageHeader
        title={t('kb.title')}
        subtitle={t('kb.subtitle')}
        extra={
          <Space wrap>
            {can('knowledge.write') && (
              <Button icon={<CalendarOutlined />} onClick={() => navigate('/knowledge/submissions')} data-testid="kb-submissions">
                {t('kb.submissions')}
              </Button>
            )}
            {can('knowledge.write') && (
              <Button type="primary" icon={<EditOutlined />} onClick={() => navigate('/knowledge/new')} data-testid="kb-new">
                {t('kb.new')}
              </Button>
            )}
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Flex wrap gap={8}>
          <SearchBox value={v.q} onChange={(q) => filters.set({ q })} placeholder={t('kb.searchPlaceholder')} testid="kb-search" width={360} />
          <Select allowClear placeholder={t('kb.filter.kind')} value={v.kind || undefined} onChange={(kind) => filters.set({ kind })} options={options(ARTICLE_KINDS, 'kb.kind')} style={{ width: 130 }} data-testid="kb-filter-kind" />
          <Select allowClear placeholder={t('kb.filter.state')} value={v.state || undefined} onChange={(state) => filters.set({ state })} options={options(ARTICLE_STATES, 'kb.state')} style={{ width: 130 }} data-testid="kb-filter-state" />
          <Select allowClear placeholder={t('kb.filter.audience')} value={v.audience || undefined} onChange={(audience) => filters.set({ audience })} options={options(AUDIENCES, 'kb.audience')} style={{ width: 130 }} />
          {v.tag && (
            <Button onClick={() => filters.set({ tag: null })}>
              {t('kb.filter.tag')}：{v.tag} ✕
            </Button>
          )}
          <Select
            value={v.mine === '1' ? '1' : '0'}
            onChange={(mine) => filters.set({ mine: mine === '1' ? '1' : null })}
            options={[
              { value: '0', label: t('common.all') },
              { value: '1', label: t('kb.mine') },
            ]}
            style={{ width: 110 }}
          />
        </Flex>
      </Card>
      <ArticleListCard
        list={list}
        testid="kb-list"
        renderItem={(a) => (
          <List.Item data-testid={`kb-item-${a.id}`}>
            <div style={{ minWidth: 0, width: '100%' }}>
              <Flex gap={6} wrap align="center">
                <KindTag kind={a.kind} />
                <Link to={`/knowledge/${a.id}`} style={{ fontWeight: 600, fontSize: 15 }} data-testid="kb-item-title">
                  {a.title}
                </Link>
                <StateTag state={a.state} />
                <AudienceTag audience={a.audience} />
              </Flex>
              <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: '4px 0' }}>
                {a.excerpt}
              </Typography.Paragraph>
              <Flex gap={12} wrap style={{ fontSize: 12, color: '#8c8c8c' }}>
                <span>{a.number}</span>
                {a.customerName && <span>{a.customerName}</span>}
                {a.ownerName && <span>{a.ownerName}</span>}
                <span>{fmtDate(a.updatedAt)}</span>
                <span>
                  <EyeOutlined /> {a.views}
                </span>
                <span>
                  <LikeOutlined /> {a.useful}
                </span>
                {a.tags.map((tag) => (
                  <a key={tag} onClick={() => filters.set({ tag })}>
                    #{tag}
                  </a>
                ))}
              </Flex>
            </div>
          </List.Item>
        )}
      />
    </div>
  );
}
