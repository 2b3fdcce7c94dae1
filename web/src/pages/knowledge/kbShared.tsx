import type { ReactNode } from 'react';
import { Card, Empty, List, Tag } from 'antd';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadMore } from '../../components/KeysetList';
import { useI18n } from '../../i18n';
import type { ArticleKind, ArticleState, ArticleSummary, Audience } from '../../api/knowledge';
import './knowledge.css';

const STATE_COLOR: Record<ArticleState, string> = { draft: 'default', in_review: 'processing', published: 'success', needs_review: 'warning', archived: 'default' };
const KIND_COLOR: Record<ArticleKind, string> = { solution: 'blue', howto: 'cyan', faq: 'geekblue', known_error: 'volcano', document: 'purple' };

export function StateTag({ state }: { state: ArticleState }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLOR[state]} data-testid="kb-state">
      {t(`kb.state.${state}`)}
    </Tag>
  );
}

export function KindTag({ kind }: { kind: ArticleKind }) {
  const { t } = useI18n();
  return <Tag color={KIND_COLOR[kind]}>{t(`kb.kind.${kind}`)}</Tag>;
}

export function AudienceTag({ audience }: { audience: Audience }) {
  const { t } = useI18n();
  return <Tag>{t(`kb.audience.${audience}`)}</Tag>;
}

/**
 * The article's body. The HTML was sanitized by the server when it was stored (a strict
 * allowlist: no scripts, handlers, styles or foreign images), so it is rendered as it is.
 */
export function ArticleBody({ html, testid = 'kb-body' }: { html: string; testid?: string }) {
  return <div className="kb-body" data-testid={testid} dangerouslySetInnerHTML={{ __html: html }} />;
}

interface ArticleListState {
  items: ArticleSummary[];
  error: unknown;
  isLoading: boolean;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
  refetch: () => unknown;
}

/** A keyset list of articles in a card, with its error, empty text and "load more" (agents' list and the portal's). */
export function ArticleListCard({ list, testid, renderItem }: { list: ArticleListState; testid: string; renderItem: (a: ArticleSummary) => ReactNode }) {
  const { t } = useI18n();
  if (list.error) return <ErrorAlert error={list.error} onRetry={() => list.refetch()} />;
  return (
    <Card size="small">
      <List<ArticleSummary> loading={list.isLoading} dataSource={list.items} locale={{ emptyText: <Empty description={t('kb.empty')} /> }} data-testid={testid} renderItem={renderItem} />
      <LoadMore list={list} testid={testid} />
    </Card>
  );
}
