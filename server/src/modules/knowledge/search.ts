import type { DbOrTx } from '../../db/index.js';
import { parseQuery } from '../../core/search/query.js';
import { runsOf, wordsOf } from '../../core/search/segment.js';
import { READABLE_STATES, type ArticleState } from '../../core/knowledge/workflow.js';
import type { Actor } from '../../platform/auth/actor.js';
import { indexDoc, removeDoc, type SearchDoc } from '../search/indexer.js';
import { registerSearchSource } from '../search/reindex.js';
import { searchKind } from '../search/engine.js';
import type { Viewer } from '../search/repo.js';
import * as repo from './repo.js';
import type { ArticleRow } from './repo.js';

/**
 * The knowledge base in the one full-text search (modules/search, docs/SEARCH.md): every write
 * of an article re-indexes it in the same transaction, archived articles leave the index, and
 * the list's search box, the suggestions while a call is logged and the portal's search all ask
 * the same engine. Only published articles (and those due for review) reach customers'
 * users; drafts and internal articles are indexed for staff only.
 */
/** The search entry of an article (null: archived, out of search). */
export function articleDoc(row: ArticleRow, namedIds: number[], filesText: string[]): SearchDoc | null {
  if (row.state === 'archived') return null;
  const id = Number(row.id);
  const readable = READABLE_STATES.includes(row.state as ArticleState);
  const forCustomers = readable && row.audience !== 'internal';
  const tags = JSON.parse(row.tags) as string[];
  const services = JSON.parse(row.services) as string[];
  // A named article belongs to its customer in the index (scoped staff of others must not find it).
  const customerId = row.customer_id !== null ? Number(row.customer_id) : row.audience === 'named' && namedIds.length === 1 ? namedIds[0] : null;
  return {
    kind: 'article',
    refId: id,
    customerId,
    audience: forCustomers ? 'customers' : 'internal',
    audienceCustomerIds: forCustomers && row.audience === 'named' ? namedIds : undefined,
    title: row.title,
    body: [row.symptom, row.cause, row.body_text, row.applies_to, ...filesText].filter(Boolean).join('\n'),
    extra: [`KB-${String(id).padStart(5, '0')}`, row.category, ...tags, ...services].filter(Boolean).join(' '),
    state: row.state,
    open: readable,
    at: Number(row.updated_at),
  };
}

/** The entries of these articles as they now are (their named customers and attachments' text read here). */
export async function articleDocs(db: DbOrTx, ids: number[]): Promise<Array<{ id: number; doc: SearchDoc | null }>> {
  if (!ids.length) return [];
  const [rows, named, files] = await Promise.all([
    db.selectFrom('kb_articles').selectAll().where('id', 'in', ids).orderBy('id').execute(),
    repo.namedCustomers(db, ids),
    repo.filesOf(db, ids),
  ]);
  return rows.map((row) => {
    const id = Number(row.id);
    const texts = files.filter((f) => Number(f.article_id) === id && f.text).map((f) => f.text!);
    return { id, doc: articleDoc(row, named.get(id) ?? [], texts) };
  });
}

/** Re-indexes one article in the caller's transaction (removed from search when archived). */
export async function indexArticle(trx: DbOrTx, id: number): Promise<void> {
  const [one] = await articleDocs(trx, [id]);
  if (!one || !one.doc) return removeDoc(trx, 'article', id);
  await indexDoc(trx, one.doc);
}

// `yunwei search reindex` rebuilds articles from the same function the writes use.
registerSearchSource({
  kind: 'article',
  count: async (db) => Number((await db.selectFrom('kb_articles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  async batch(db, afterId, limit) {
    const ids = (await db.selectFrom('kb_articles').select('id').where('id', '>', afterId).orderBy('id').limit(limit).execute()).map((r) => Number(r.id));
    const docs = (await articleDocs(db, ids)).map((x) => x.doc).filter((d): d is SearchDoc => d !== null);
    return { docs, lastId: ids.length ? ids[ids.length - 1] : null };
  },
});

/**
 * How many of each suggestion word's newest matches are ranked (modules/search/engine.ts ranks
 * the newest 200 for a search page): the suggestions ask one query per word, up to 8 articles'
 * and 4 tickets' words a keystroke pause, so each reads fewer rows.
 */
export const SUGGEST_WINDOW = 60;

/** Article ids matching `text` for this caller, best first (empty when the text has nothing to search). */
export async function matchArticles(db: DbOrTx, actor: Pick<Actor, 'customerId' | 'scope'>, text: string, limit: number, state?: string, window?: number): Promise<number[]> {
  const parsed = parseQuery(text);
  if (!parsed.terms.length) return [];
  const viewer: Viewer = actor.customerId !== null ? { staff: false, customerId: actor.customerId } : { staff: true, scope: actor.scope };
  const { hits } = await searchKind(db, parsed, viewer, { kind: 'article', state }, { limit, offset: 0, cap: limit, now: Date.now(), window });
  return hits.map((h) => h.ref_id);
}

/** Open tickets of one customer that look like `text` (possible duplicates of the call being logged). */
export async function matchTickets(db: DbOrTx, actor: Pick<Actor, 'scope'>, customerId: number, text: string, limit: number): Promise<number[]> {
  const parsed = parseQuery(text);
  if (!parsed.terms.length) return [];
  const { hits } = await searchKind(db, parsed, { staff: true, scope: actor.scope }, { kind: 'ticket', customerId }, { limit: limit * 3, offset: 0, cap: limit * 3, now: Date.now(), window: SUGGEST_WINDOW });
  return hits.map((h) => h.ref_id);
}

/** Words too common in fault reports to tell one article from another. */
const STOP = new Set(['无法', '不能', '问题', '出现', '一下', '怎么', '如何', '可以', '没有', '需要', '现在', '今天', '电脑', '用户', '请问', '帮忙', '一直', '还是', '已经', '我们', '你们', '他们', '这个', '那个']);
export const MAX_SUGGEST_WORDS = 8;

/**
 * The words of what the desk is typing, each asked of the engine on its own (the engine requires
 * every term of a query; a call's description holds words no article has). jieba's words of 2+
 * characters and Latin words of 2+ letters, common words left out, first ones first.
 */
export function suggestWords(text: string): string[] {
  const out: string[] = [];
  for (const run of runsOf(text)) {
    const words = run.kind === 'han' ? wordsOf(run.text) : [run.text];
    for (const w of words) {
      if (Array.from(w).length < 2 || STOP.has(w) || out.includes(w)) continue;
      out.push(w);
      if (out.length >= MAX_SUGGEST_WORDS) return out;
    }
  }
  return out;
}

/**
 * Ids ranked by how many of the words find them (ties: the better rank in the engine): one
 * query per word, so "3楼打印机卡纸了" still finds the article on 打印机 卡纸.
 */
export async function rankByWords(words: string[], search: (word: string) => Promise<number[]>, limit: number): Promise<number[]> {
  const score = new Map<number, number>();
  // Asked at once: PostgreSQL runs them on several connections; SQLite's one connection takes them in turn.
  for (const ids of await Promise.all(words.map(search))) {
    ids.forEach((id, i) => score.set(id, (score.get(id) ?? 0) + 1 + 1 / (i + 2)));
  }
  return [...score.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([id]) => id);
}
