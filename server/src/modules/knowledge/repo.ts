import { sql, type Expression, type Insertable, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf, likeContains } from '../../db/dialect.js';
import type { KbArticlesTable } from '../../db/schema.js';
import type { Actor } from '../../platform/auth/actor.js';
import { READABLE_STATES } from '../../core/knowledge/workflow.js';

/**
 * Queries of the knowledge tables. Who may read an article is decided here, in SQL, for every
 * read (docs/KNOWLEDGE.md, "Who sees what"):
 * - a customer's user: published (or due for review) articles for all customers, or naming his
 *   customer; never internal ones, drafts or another customer's named article;
 * - provider staff with every customer in scope: everything;
 * - scoped staff: articles about no customer or one in scope, and named articles only when they
 *   name a customer in scope.
 * An article outside this is "not found", like any record outside the caller's scope.
 */
export type ArticleRow = Selectable<KbArticlesTable>;
export type NewArticle = Omit<Insertable<KbArticlesTable>, 'id'>;

const namedFor = (ids: readonly number[]) =>
  sql<SqlBool>`exists (select 1 from kb_article_customers kc where kc.article_id = ${sql.ref('kb_articles.id')} and kc.customer_id in (${sql.join(ids)}))`;

export function readable(actor: Pick<Actor, 'customerId' | 'scope'>): Expression<SqlBool> {
  if (actor.customerId !== null) {
    const states = sql.join(READABLE_STATES.map((s) => sql.lit(s)));
    return sql<SqlBool>`(${sql.ref('kb_articles.state')} in (${states}) and (${sql.ref('kb_articles.audience')} = 'customers' or (${sql.ref('kb_articles.audience')} = 'named' and ${namedFor([actor.customerId])})))`;
  }
  if (actor.scope.kind === 'all') return sql<SqlBool>`1 = 1`;
  const ids = actor.scope.ids;
  if (ids.length === 0) return sql<SqlBool>`(${sql.ref('kb_articles.customer_id')} is null and ${sql.ref('kb_articles.audience')} <> 'named')`;
  return sql<SqlBool>`((${sql.ref('kb_articles.customer_id')} is null or ${sql.ref('kb_articles.customer_id')} in (${sql.join(ids)})) and (${sql.ref('kb_articles.audience')} <> 'named' or ${namedFor(ids)}))`;
}

export async function findArticle(db: DbOrTx, actor: Pick<Actor, 'customerId' | 'scope'>, id: number, lock = false): Promise<ArticleRow | undefined> {
  let q = db.selectFrom('kb_articles').selectAll().where('id', '=', id).where(readable(actor));
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function articlesByIds(db: DbOrTx, actor: Pick<Actor, 'customerId' | 'scope'>, ids: number[]): Promise<ArticleRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('kb_articles').selectAll().where('id', 'in', ids).where(readable(actor)).execute();
}

export async function insertArticle(trx: DbOrTx, values: NewArticle): Promise<number> {
  const row = await trx.insertInto('kb_articles').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Applies the change to the article still at `version`; false when someone changed it meanwhile. */
export async function updateArticle(trx: DbOrTx, id: number, version: number, changes: Updateable<KbArticlesTable>): Promise<boolean> {
  const res = await trx.updateTable('kb_articles').set(changes).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function namedCustomers(db: DbOrTx, articleIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (!articleIds.length) return out;
  const rows = await db.selectFrom('kb_article_customers').select(['article_id', 'customer_id']).where('article_id', 'in', articleIds).orderBy('customer_id').execute();
  for (const r of rows) {
    const list = out.get(Number(r.article_id)) ?? [];
    list.push(Number(r.customer_id));
    out.set(Number(r.article_id), list);
  }
  return out;
}

export async function setNamedCustomers(trx: DbOrTx, articleId: number, customerIds: number[]): Promise<void> {
  await trx.deleteFrom('kb_article_customers').where('article_id', '=', articleId).execute();
  if (customerIds.length) await trx.insertInto('kb_article_customers').values(customerIds.map((c) => ({ article_id: articleId, customer_id: c }))).execute();
}

export interface ListFilter {
  kind?: string;
  state?: string;
  category?: string;
  tag?: string;
  audience?: string;
  customerId?: number;
  ownerId?: number;
  ids?: number[];
  /** Keyset: rows strictly after (updated_at, id) in newest-first order. */
  after?: [number, number];
  limit: number;
}

export async function listArticles(db: DbOrTx, actor: Pick<Actor, 'customerId' | 'scope'>, f: ListFilter): Promise<ArticleRow[]> {
  let q = db.selectFrom('kb_articles').selectAll().where(readable(actor));
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.category) q = q.where('category', '=', f.category);
  if (f.audience) q = q.where('audience', '=', f.audience);
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.ownerId !== undefined) q = q.where('owner_id', '=', f.ownerId);
  // Tags are a JSON array of strings: the quoted tag inside it.
  if (f.tag) q = q.where(sql<SqlBool>`${sql.ref('kb_articles.tags')} like ${likeContains(JSON.stringify(f.tag))} escape '\\'`);
  if (f.ids) q = f.ids.length ? q.where('id', 'in', f.ids) : q.where(sql<SqlBool>`1 = 0`);
  if (f.after) {
    const [at, id] = f.after;
    q = q.where((eb) => eb.or([eb('updated_at', '<', at), eb.and([eb('updated_at', '=', at), eb('id', '<', id)])]));
  }
  return q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export async function nextVersion(trx: DbOrTx, articleId: number): Promise<number> {
  const row = await trx.selectFrom('kb_article_versions').select(sql<number>`coalesce(max(version), 0)`.as('v')).where('article_id', '=', articleId).executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertVersion(trx: DbOrTx, v: { article_id: number; version: number; content: string; change: string; restored_from: number | null; author_id: number | null; author_name: string; created_at: number }): Promise<void> {
  await trx.insertInto('kb_article_versions').values(v).execute();
}

export async function versionsOf(db: DbOrTx, articleId: number) {
  return db.selectFrom('kb_article_versions').selectAll().where('article_id', '=', articleId).orderBy('version', 'desc').execute();
}

export async function versionOf(db: DbOrTx, articleId: number, version: number) {
  return db.selectFrom('kb_article_versions').selectAll().where('article_id', '=', articleId).where('version', '=', version).executeTakeFirst();
}

export async function filesOf(db: DbOrTx, articleIds: number[]) {
  if (!articleIds.length) return [];
  return db.selectFrom('kb_article_files').select(['id', 'article_id', 'name', 'mime', 'size', 'inline', 'text']).where('article_id', 'in', articleIds).orderBy('id').execute();
}

export async function userNames(db: DbOrTx, ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [Number(r.id), r.display_name]));
}

export async function customerNames(db: DbOrTx, ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom('customers').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** Sets the user's vote (replacing an earlier one) and the article's counters, in the caller's transaction. */
export async function putVote(trx: DbOrTx, articleId: number, userId: number, useful: boolean, now: number): Promise<void> {
  await trx
    .insertInto('kb_votes')
    .values({ article_id: articleId, user_id: userId, useful: useful ? 1 : 0, created_at: now })
    .onConflict((oc) => oc.columns(['article_id', 'user_id']).doUpdateSet({ useful: useful ? 1 : 0, created_at: now }))
    .execute();
  const counts = await trx
    .selectFrom('kb_votes')
    .select([sql<number>`sum(case when useful = 1 then 1 else 0 end)`.as('yes'), sql<number>`sum(case when useful = 0 then 1 else 0 end)`.as('no')])
    .where('article_id', '=', articleId)
    .executeTakeFirst();
  await trx.updateTable('kb_articles').set({ useful: Number(counts?.yes ?? 0), not_useful: Number(counts?.no ?? 0) }).where('id', '=', articleId).execute();
}

export async function myVote(db: DbOrTx, articleId: number, userId: number): Promise<boolean | null> {
  const row = await db.selectFrom('kb_votes').select('useful').where('article_id', '=', articleId).where('user_id', '=', userId).executeTakeFirst();
  return row ? row.useful === 1 : null;
}

/** One more view; a single-row counter update (no read, no lock held beyond the statement). */
export async function countView(db: DbOrTx, articleId: number): Promise<void> {
  await db.updateTable('kb_articles').set({ views: sql<number>`views + 1` }).where('id', '=', articleId).execute();
}
