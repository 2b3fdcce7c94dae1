import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import { ftsMatch, tsQuery, type ParsedQuery } from '../../core/search/query.js';
import { BM25_WEIGHTS, OPEN_BOOST, RECENT_BOOST, RECENT_DAYS, TS_RANK_WEIGHTS, TS_WEIGHT } from '../../core/search/rank.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import type { PreparedDoc } from './indexer.js';

/**
 * Queries of search_docs, search_audience and the engine behind them. The one dialect split of
 * search lives here: FTS5 (`search_fts`, rowid = search_docs.id) on SQLite, the `tsv` column
 * with its GIN index on PostgreSQL. Everything a viewer may not see is excluded inside the SQL
 * (`visible`), before ranking, counting or snippets: no hit, count or text leaks.
 */

function any(db: DbOrTx): Kysely<any> {
  return db as unknown as Kysely<any>;
}

// ---------------------------------------------------------------------------------- writing

/** Most positions PostgreSQL keeps per lexeme, and the largest position it stores. */
const PG_MAX_POSITIONS = 256;
const PG_MAX_POSITION = 16383;

/**
 * The tsvector literal of a doc's terms (cast with ::tsvector, which takes lexemes as given):
 * positions in reading order across title, extra, body, staff, each with its weight label.
 */
export function tsvectorLiteral(p: PreparedDoc): string {
  const lexemes = new Map<string, string[]>();
  let pos = 0;
  const columns: Array<[string[], string]> = [
    [p.terms.title, TS_WEIGHT.title],
    [p.terms.extra, TS_WEIGHT.extra],
    [p.terms.body, TS_WEIGHT.body],
    [p.terms.staff, TS_WEIGHT.staff],
  ];
  for (const [terms, weight] of columns) {
    for (const t of terms) {
      pos = Math.min(pos + 1, PG_MAX_POSITION);
      const list = lexemes.get(t) ?? [];
      if (list.length < PG_MAX_POSITIONS) list.push(`${pos}${weight}`);
      lexemes.set(t, list);
    }
  }
  let out = '';
  for (const [t, positions] of lexemes) out += `'${t.replace(/['\\]/g, (c) => `\\${c}`)}':${[...new Set(positions)].join(',')} `;
  return out;
}

function row(p: PreparedDoc, now: number) {
  const d = p.doc;
  return {
    kind: d.kind,
    ref_id: d.refId,
    customer_id: d.customerId,
    audience: p.audience,
    state: d.state ?? null,
    open: d.open ? 1 : 0,
    at: d.at,
    title: p.title,
    body: p.body,
    staff_body: p.staffBody,
    extra: p.extra,
    indexed_at: now,
  };
}

/**
 * A doc's id is its kind's range plus the record's id (ticket 1 → 1,000,000,000,001): the FTS5
 * rowid and the PostgreSQL key order a kind's docs by record id (≈ newest last), so one kind is
 * a rowid range the engines seek to, and "newest matches first" stops early (docs/SEARCH.md).
 */
export const KIND_CODE: Record<string, number> = { ticket: 1, article: 2, ci: 3, contact: 4, customer: 5 };
const KIND_SPAN = 1_000_000_000_000;
export function docId(kind: string, refId: number): number {
  const code = KIND_CODE[kind];
  if (code === undefined || !Number.isSafeInteger(refId) || refId < 0 || refId >= KIND_SPAN) throw new Error(`search: no doc id for ${kind} ${refId}`);
  return code * KIND_SPAN + refId;
}
function kindRange(kind: string): [number, number] {
  const lo = docId(kind, 0);
  return [lo, lo + KIND_SPAN - 1];
}

/** Puts or replaces docs (one batch). */
export async function putDocs(db: DbOrTx, docs: PreparedDoc[], now: number): Promise<void> {
  const x = any(db);
  // The last version of a record wins within a batch.
  docs = [...new Map(docs.map((p) => [docId(p.doc.kind, p.doc.refId), p])).values()];
  const ids = docs.map((p) => docId(p.doc.kind, p.doc.refId));
  const pg = dialectOf(x) === 'postgres';
  const values = docs.map((p, i) => ({ id: ids[i], ...row(p, now), ...(pg ? { tsv: sql`${tsvectorLiteral(p)}::tsvector` } : {}) }));
  await x
    .insertInto('search_docs')
    .values(values)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        customer_id: eb.ref('excluded.customer_id'),
        audience: eb.ref('excluded.audience'),
        state: eb.ref('excluded.state'),
        open: eb.ref('excluded.open'),
        at: eb.ref('excluded.at'),
        title: eb.ref('excluded.title'),
        body: eb.ref('excluded.body'),
        staff_body: eb.ref('excluded.staff_body'),
        extra: eb.ref('excluded.extra'),
        indexed_at: eb.ref('excluded.indexed_at'),
        ...(pg ? { tsv: eb.ref('excluded.tsv') } : {}),
      })),
    )
    .execute();
  if (!pg) {
    // contentless_delete: deleting a rowid that is not there is a no-op, so no look-up first.
    await sql`delete from search_fts where rowid in (${sql.join(ids)})`.execute(x);
    const rows = docs.map((p, i) => sql`(${ids[i]}, ${p.terms.title.join(' ')}, ${p.terms.body.join(' ')}, ${p.terms.staff.join(' ')}, ${p.terms.extra.join(' ')})`);
    await sql`insert into search_fts (rowid, title, body, staff, extra) values ${sql.join(rows)}`.execute(x);
  }
  const named = docs.flatMap((p, i) => (p.audience === 'named' ? [...new Set(p.doc.audienceCustomerIds)].map((c) => ({ doc_id: ids[i], customer_id: c })) : []));
  // Only docs that name customers ever have rows here (a doc that stopped naming them is cleared too).
  const mayHave = docs.filter((p) => p.doc.kind === 'article').map((p) => docId(p.doc.kind, p.doc.refId));
  if (mayHave.length) await x.deleteFrom('search_audience').where('doc_id', 'in', mayHave).execute();
  if (named.length) await x.insertInto('search_audience').values(named).execute();
}

export async function removeDocs(db: DbOrTx, kind: string, refIds: number[]): Promise<void> {
  if (!refIds.length) return;
  const x = any(db);
  const ids = refIds.map((r) => docId(kind, r));
  if (dialectOf(x) === 'sqlite') await sql`delete from search_fts where rowid in (${sql.join(ids)})`.execute(x);
  await x.deleteFrom('search_audience').where('doc_id', 'in', ids).execute();
  await x.deleteFrom('search_docs').where('id', 'in', ids).execute();
}

export async function countDocs(db: DbOrTx, kind?: string): Promise<number> {
  let q = any(db).selectFrom('search_docs').select((eb) => eb.fn.countAll<number>().as('n'));
  if (kind) q = q.where('kind', '=', kind);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

// ---------------------------------------------------------------------------------- reading

/** Who is searching: a provider's staff member (with his customer scope) or a customer's user. */
export type Viewer = { staff: true; scope: CustomerScope } | { staff: false; customerId: number };

/** The docs the viewer may see, as a predicate on `d` (search_docs). */
export function visible(v: Viewer): RawBuilder<SqlBool> {
  if (v.staff) {
    if (v.scope.kind === 'all') return sql<SqlBool>`1 = 1`;
    if (!v.scope.ids.length) return sql<SqlBool>`d.customer_id is null`;
    return sql<SqlBool>`(d.customer_id is null or d.customer_id in (${sql.join(v.scope.ids)}))`;
  }
  const c = v.customerId;
  return sql<SqlBool>`((d.customer_id is null or d.customer_id = ${c}) and (d.audience in ('public', 'customers') or (d.audience = 'named' and exists (select 1 from search_audience a where a.doc_id = d.id and a.customer_id = ${c}))))`;
}

export interface Filters {
  kind: string;
  customerId?: number;
  state?: string;
  from?: number;
  to?: number;
}

function filtered(f: Filters): RawBuilder<SqlBool> {
  const parts = [sql`d.kind = ${f.kind}`];
  if (f.customerId !== undefined) parts.push(sql`d.customer_id = ${f.customerId}`);
  if (f.state !== undefined) parts.push(sql`d.state = ${f.state}`);
  if (f.from !== undefined) parts.push(sql`d.at >= ${f.from}`);
  if (f.to !== undefined) parts.push(sql`d.at < ${f.to}`);
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/**
 * How many of a kind's newest matches the viewer may see are ranked for the first page. Ranking
 * every match of a common word (打印机: 15 % of a million tickets) costs a score and a row read per
 * match; the newest few hundred are read newest-first and stop early, and relevance × recency
 * orders them. A next page (offset) widens the window. Documented in docs/SEARCH.md ("Ranking").
 */
export const RANK_WINDOW = 200;

interface Engine {
  /** FROM clause: the matches of the kind, joined to search_docs as `d`. */
  from: RawBuilder<unknown>;
  /** The matches alone (no join), for counting when nothing else restricts them. */
  bare: RawBuilder<unknown>;
  match: RawBuilder<SqlBool>;
  /** The kind's id range, on the engine's own key (the FTS5 rowid / d.id). */
  range: RawBuilder<SqlBool>;
  order: RawBuilder<unknown>;
  relevance: RawBuilder<number>;
}

/** The engine's match of the parsed query in one kind; customers' users match no staff-only text. */
function engine(db: DbOrTx, q: ParsedQuery, staff: boolean, kind: string): Engine {
  const [lo, hi] = kindRange(kind);
  if (dialectOf(any(db)) === 'postgres') {
    const text = tsQuery(q, staff ? undefined : 'ABC');
    return {
      from: sql`search_docs d`,
      bare: sql`search_docs d`,
      match: sql<SqlBool>`d.tsv @@ ${text}::tsquery`,
      range: sql<SqlBool>`d.id between ${lo} and ${hi}`,
      order: sql`d.id desc`,
      relevance: sql<number>`ts_rank_cd(${TS_RANK_WEIGHTS}::float4[], d.tsv, ${text}::tsquery)`,
    };
  }
  const w = BM25_WEIGHTS;
  return {
    from: sql`search_fts join search_docs d on d.id = search_fts.rowid`,
    bare: sql`search_fts`,
    match: sql<SqlBool>`search_fts match ${ftsMatch(q, staff ? undefined : ['title', 'body', 'extra'])}`,
    range: sql<SqlBool>`search_fts.rowid between ${lo} and ${hi}`,
    order: sql`search_fts.rowid desc`,
    // bm25 is negative, more negative = better.
    relevance: sql<number>`(-bm25(search_fts, ${w.title}, ${w.body}, ${w.staff}, ${w.extra}))`,
  };
}

export interface Hit {
  id: number;
  kind: string;
  ref_id: number;
  customer_id: number | null;
  state: string | null;
  at: number;
  title: string;
  body: string;
  staff_body: string;
  extra: string;
  score: number;
}

/** The first page of a kind's hits, best first, and their number (counted up to `cap`). */
export async function searchKind(db: DbOrTx, q: ParsedQuery, viewer: Viewer, f: Filters, page: { limit: number; offset: number; cap: number; now: number }): Promise<{ hits: Hit[]; total: number }> {
  const x = any(db);
  const e = engine(db, q, viewer.staff, f.kind);
  const day = 86_400_000;
  // Our own numbers (not input) inlined as literals: a bound 0.3 next to an integer column would be typed integer on PostgreSQL.
  const span = RECENT_DAYS * day;
  const recentSince = sql.lit(Math.trunc(page.now - span));
  const boost = sql<number>`(1 + ${sql.lit(OPEN_BOOST)} * c.open + case when c.at > ${recentSince} then ${sql.lit(RECENT_BOOST)} * (c.at - ${recentSince}) / ${sql.lit(span)}.0 else 0 end)`;
  const restricted = sql`${filtered(f)} and ${visible(viewer)}`;
  const window = Math.max(RANK_WINDOW, page.offset + page.limit);
  const staffCol = viewer.staff ? sql`d.staff_body` : sql`''`;
  // The window reads only what ranking needs; the text of the page's few hits is read after.
  const hits = await sql<Hit>`select p.id, p.score, d.kind, d.ref_id, d.customer_id, d.state, d.at, d.title, d.body, ${staffCol} as staff_body, d.extra from (
      select c.id, c.rel * ${boost} as score, c.at from (
        select d.id, d.open, d.at, ${e.relevance} as rel
        from ${e.from} where ${e.match} and ${e.range} and ${restricted} order by ${e.order} limit ${window}
      ) c order by score desc, c.at desc limit ${page.limit} offset ${page.offset}
    ) p join search_docs d on d.id = p.id order by p.score desc, p.at desc`.execute(x);
  const items = hits.rows.map((h) => ({ ...h, id: Number(h.id), ref_id: Number(h.ref_id), customer_id: h.customer_id === null ? null : Number(h.customer_id), at: Number(h.at), score: Number(h.score) }));
  // Counting: the matches alone when nothing restricts them (an administrator's unfiltered search), else joined.
  const unrestricted = viewer.staff && viewer.scope.kind === 'all' && f.customerId === undefined && f.state === undefined && f.from === undefined && f.to === undefined;
  const total =
    items.length < page.limit && page.offset === 0
      ? items.length
      : Number(
          (
            await sql<{ n: number }>`select count(*) as n from (select 1 as one from ${unrestricted ? e.bare : e.from} where ${e.match} and ${e.range}${unrestricted ? sql`` : sql` and ${restricted}`} limit ${page.cap}) s`.execute(x)
          ).rows[0]!.n,
        );
  return { hits: items, total };
}

/**
 * The ticket ids matching the query for the ticket list's full-text filter (a subquery the
 * list ANDs with its own scope, filters and keyset). Read from the engine's key alone (no
 * join): the ticket id is the doc id minus the kind's base. Customers' users match no staff-only text.
 */
export function ticketIdsMatching(db: DbOrTx, q: ParsedQuery, staff: boolean): RawBuilder<number> {
  const e = engine(db, q, staff, 'ticket');
  const base = docId('ticket', 0);
  const key = dialectOf(any(db)) === 'postgres' ? sql`d.id` : sql`search_fts.rowid`;
  return sql<number>`(select ${key} - ${base} as ref_id from ${e.bare} where ${e.match} and ${e.range})`;
}

/** Customers' names for the hits shown (read-only lookup of the organisation's table). */
export async function customerNames(db: DbOrTx, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('customers').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** Docs of these kinds belonging to a customer (a customer deleted with its contacts). */
export async function removeDocsOfCustomer(db: DbOrTx, customerId: number, kinds: string[]): Promise<void> {
  const x = any(db);
  const rows = await x.selectFrom('search_docs').select(['kind', 'ref_id']).where('customer_id', '=', customerId).where('kind', 'in', kinds).execute();
  for (const kind of kinds) await removeDocs(db, kind, rows.filter((r) => r.kind === kind).map((r) => Number(r.ref_id)));
}
