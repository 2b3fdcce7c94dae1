import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';
import { ftsMatch, tsQuery, type ParsedQuery } from '../../core/search/query.js';
import { TS_WEIGHT } from '../../core/search/rank.js';
import { timeTokens, viewerGroups, type ScopeViewer } from '../../core/search/tokens.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import type { PreparedDoc } from './indexer.js';

/** Up to this many customers of a staff scope are matched as index tokens; a wider one is checked on the rows (docs/SEARCH.md). */
export const SCOPE_TOKENS_MAX = 16;

/**
 * Writing search_docs, search_audience and the engine behind them, and what reading shares
 * (engine.ts reads). The one dialect split of search: FTS5 (a table per kind, `search_fts_<kind>`,
 * rowid = search_docs.id, detail=column) on SQLite, the `tsv` column with its GIN index on PostgreSQL.
 * Both index each term once per column, and the scope tokens of core/search/tokens.ts, so what
 * a viewer may not see is excluded by the engine itself (docs/SEARCH.md, "Who sees what").
 */

export function any(db: DbOrTx): Kysely<any> {
  return db as unknown as Kysely<any>;
}

export const isPostgres = (db: DbOrTx) => dialectOf(any(db)) === 'postgres';

// ---------------------------------------------------------------------------------- doc ids

/**
 * A doc's id is its kind's range plus the record's id (ticket 1 → 1,000,000,000,001): the FTS5
 * rowid and the PostgreSQL key order a kind's docs by record id (≈ newest last), so "newest
 * matches first" is a walk from the end that stops early (docs/SEARCH.md).
 */
export const KIND_CODE: Record<string, number> = { ticket: 1, article: 2, ci: 3, contact: 4, customer: 5 };
const KIND_SPAN = 1_000_000_000_000;
export function docId(kind: string, refId: number): number {
  const code = KIND_CODE[kind];
  if (code === undefined || !Number.isSafeInteger(refId) || refId < 0 || refId >= KIND_SPAN) throw new Error(`search: no doc id for ${kind} ${refId}`);
  return code * KIND_SPAN + refId;
}
export function kindRange(kind: string): [number, number] {
  const lo = docId(kind, 0);
  return [lo, lo + KIND_SPAN - 1];
}
function kindOfId(id: number): string {
  const code = Math.floor(id / KIND_SPAN);
  const kind = Object.keys(KIND_CODE).find((k) => KIND_CODE[k] === code);
  if (!kind) throw new Error(`search: no kind for doc id ${id}`);
  return kind;
}

/**
 * SQLite: one FTS5 table per kind (migration 0027), so a term's doclist holds one kind's docs
 * only: FTS5 seeks a doclist by walking it, and tickets' hundreds of thousands of entries would
 * otherwise lie in the way of every article or contact query.
 */
export function ftsTable(kind: string) {
  if (KIND_CODE[kind] === undefined) throw new Error(`search: unknown kind ${kind}`);
  return sql.table(`search_fts_${kind}`);
}

// ---------------------------------------------------------------------------------- writing

const WEIGHT_POSITION: Record<string, number> = { A: 1, B: 2, C: 3, D: 4 };

/**
 * The tsvector literal of a doc (cast with ::tsvector, which takes lexemes as given): each term
 * once, with the weight label of every column it is in (title A, extra B, body C, staff-only D)
 * on one nominal position per label — ranking reads the text (core/search/rank.ts), so positions
 * would only make the vector bigger; then the scope and time tokens (label D, never asked for
 * with a label).
 */
export function tsvectorLiteral(p: PreparedDoc): string {
  const weights = new Map<string, string>();
  const columns: Array<[string[], string]> = [
    [p.terms.title, TS_WEIGHT.title],
    [p.terms.extra, TS_WEIGHT.extra],
    [p.terms.body, TS_WEIGHT.body],
    [p.terms.staff, TS_WEIGHT.staff],
  ];
  for (const [terms, weight] of columns) for (const t of terms) weights.set(t, (weights.get(t) ?? '') + weight);
  let out = '';
  for (const [t, ws] of weights) {
    let positions = '';
    for (const w of new Set(ws)) positions += `${positions ? ',' : ''}${WEIGHT_POSITION[w]}${w}`;
    out += `'${t.replace(/['\\]/g, (c) => `\\${c}`)}':${positions} `;
  }
  for (const t of [...p.scope, ...timeTokens(KIND_CODE[p.doc.kind], p.doc.refId)]) out += `'${t}':5 `;
  return out;
}

/** Puts or replaces docs (one batch), one statement per table. */
export async function putDocs(db: DbOrTx, docs: PreparedDoc[], now: number): Promise<void> {
  const x = any(db);
  // The last version of a record wins within a batch.
  docs = [...new Map(docs.map((p) => [docId(p.doc.kind, p.doc.refId), p])).values()];
  if (!docs.length) return;
  const ids = docs.map((p) => docId(p.doc.kind, p.doc.refId));
  const d = docs.map((p) => p.doc);
  if (isPostgres(x)) {
    // One statement of 14 arrays (not 14 parameters a row): parsed once, sent at once.
    await sql`insert into search_docs (id, kind, ref_id, customer_id, audience, state, open, at, title, body, staff_body, extra, indexed_at, tsv)
      select * from unnest(${ids}::bigint[], ${d.map((x) => x.kind)}::text[], ${d.map((x) => x.refId)}::bigint[], ${d.map((x) => x.customerId)}::bigint[],
        ${docs.map((p) => p.audience)}::text[], ${d.map((x) => x.state ?? null)}::text[], ${d.map((x) => (x.open ? 1 : 0))}::int[], ${d.map((x) => x.at)}::bigint[],
        ${docs.map((p) => p.title)}::text[], ${docs.map((p) => p.body)}::text[], ${docs.map((p) => p.staffBody)}::text[], ${docs.map((p) => p.extra)}::text[],
        ${docs.map(() => now)}::bigint[], ${docs.map(tsvectorLiteral)}::tsvector[])
      on conflict (id) do update set customer_id = excluded.customer_id, audience = excluded.audience, state = excluded.state, open = excluded.open,
        at = excluded.at, title = excluded.title, body = excluded.body, staff_body = excluded.staff_body, extra = excluded.extra,
        indexed_at = excluded.indexed_at, tsv = excluded.tsv`.execute(x);
  } else {
    // SQLite takes at most 32,766 parameters a statement: 1,000 rows of 13 at a time.
    for (let from = 0; from < docs.length; from += 1000) {
      const part = docs.slice(from, from + 1000);
      const partIds = ids.slice(from, from + 1000);
      const rows = part.map((p, i) => sql`(${partIds[i]}, ${p.doc.kind}, ${p.doc.refId}, ${p.doc.customerId}, ${p.audience}, ${p.doc.state ?? null}, ${p.doc.open ? 1 : 0}, ${p.doc.at}, ${p.title}, ${p.body}, ${p.staffBody}, ${p.extra}, ${now})`);
      await sql`insert into search_docs (id, kind, ref_id, customer_id, audience, state, open, at, title, body, staff_body, extra, indexed_at) values ${sql.join(rows)}
        on conflict (id) do update set customer_id = excluded.customer_id, audience = excluded.audience, state = excluded.state, open = excluded.open,
          at = excluded.at, title = excluded.title, body = excluded.body, staff_body = excluded.staff_body, extra = excluded.extra, indexed_at = excluded.indexed_at`.execute(x);
      for (const kind of new Set(part.map((p) => p.doc.kind))) {
        const mine = part.map((p, i) => [p, partIds[i]] as const).filter(([p]) => p.doc.kind === kind);
        // contentless_delete: deleting a rowid that is not there is a no-op, so no look-up first.
        await sql`delete from ${ftsTable(kind)} where rowid in (${sql.join(mine.map(([, id]) => id))})`.execute(x);
        const fts = mine.map(([p, id]) => sql`(${id}, ${p.terms.title.join(' ')}, ${p.terms.body.join(' ')}, ${p.terms.staff.join(' ')}, ${p.terms.extra.join(' ')}, ${p.scope.join(' ')})`);
        await sql`insert into ${ftsTable(kind)} (rowid, title, body, staff, extra, scope) values ${sql.join(fts)}`.execute(x);
      }
    }
  }
  const named = docs.flatMap((p, i) => (p.audience === 'named' ? [...new Set(p.doc.audienceCustomerIds)].map((c) => ({ doc_id: ids[i], customer_id: c })) : []));
  // Only docs that name customers ever have rows here (a doc that stopped naming them is cleared too).
  const mayHave = docs.filter((p) => p.doc.kind === 'article').map((p) => docId(p.doc.kind, p.doc.refId));
  if (mayHave.length) await x.deleteFrom('search_audience').where('doc_id', 'in', mayHave).execute();
  if (named.length) await x.insertInto('search_audience').values(named).execute();
}

export async function removeDocs(db: DbOrTx, kind: string, refIds: number[]): Promise<void> {
  await removeDocIds(db, refIds.map((r) => docId(kind, r)));
}

/** Removes docs by their ids (in batches of 1,000: a parameter each). */
export async function removeDocIds(db: DbOrTx, ids: number[]): Promise<void> {
  const x = any(db);
  for (let from = 0; from < ids.length; from += 1000) {
    const part = ids.slice(from, from + 1000);
    if (!isPostgres(x)) {
      for (const kind of new Set(part.map(kindOfId))) await sql`delete from ${ftsTable(kind)} where rowid in (${sql.join(part.filter((id) => kindOfId(id) === kind))})`.execute(x);
    }
    await x.deleteFrom('search_audience').where('doc_id', 'in', part).execute();
    await x.deleteFrom('search_docs').where('id', 'in', part).execute();
  }
}

export async function countDocs(db: DbOrTx, kind?: string): Promise<number> {
  let q = any(db).selectFrom('search_docs').select((eb) => eb.fn.countAll<number>().as('n'));
  if (kind) q = q.where('kind', '=', kind);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

// -------------------------------------------------------------- the text index around a rebuild

/** PostgreSQL's GIN index of the tsvectors (migration 0024); SQLite's FTS5 table is the index itself. */
const GIN = 'search_docs_tsv';

/**
 * Drops the GIN index before a rebuild that rewrites most of the index (reindex.ts): maintaining
 * it row by row costs more than building it once at the end. Search keeps answering meanwhile,
 * without the index (slowly). No-op on SQLite.
 */
export async function dropTextIndex(db: DbOrTx): Promise<void> {
  if (isPostgres(db)) await sql`drop index if exists ${sql.id(GIN)}`.execute(any(db));
}

/**
 * (Re)builds the GIN index when it is missing (after a rebuild, or a rebuild that was
 * interrupted: `prepareDatabase` calls this at every start). Built with more memory than a
 * query gets, in one pass over the table. No-op on SQLite and when the index is there.
 */
export async function ensureTextIndex(db: DbOrTx): Promise<boolean> {
  if (!isPostgres(db)) return false;
  const x = any(db);
  const found = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where schemaname = current_schema() and indexname = ${GIN}`.execute(x);
  if (found.rows[0]!.n > 0) return false;
  await x.transaction().execute(async (trx) => {
    await sql`set local maintenance_work_mem = '512MB'`.execute(trx);
    await sql`create index if not exists ${sql.id(GIN)} on search_docs using gin (tsv)`.execute(trx);
  });
  await sql`analyze search_docs`.execute(x);
  return true;
}

/**
 * After a big rebuild: PostgreSQL's table vacuumed (the replaced rows' old versions gone, the
 * visibility map set, so a count can skip the rows) and analysed; SQLite's FTS5 tables' segments
 * merged into one each (fewer segments to walk per term) and the statistics fresh.
 */
export async function optimizeTextIndex(db: DbOrTx): Promise<void> {
  const x = any(db);
  if (isPostgres(x)) await sql`vacuum (analyze) search_docs`.execute(x);
  else {
    for (const kind of Object.keys(KIND_CODE)) await sql`insert into ${ftsTable(kind)} (${ftsTable(kind)}) values ('optimize')`.execute(x);
    await sql`analyze search_docs`.execute(x);
  }
}

// ---------------------------------------------------------------------------------- viewers

/** Who is searching: a provider's staff member (with his customer scope) or a customer's user. */
export type Viewer = { staff: true; scope: CustomerScope } | { staff: false; customerId: number };

export function scopeViewer(v: Viewer): ScopeViewer {
  if (!v.staff) return { staff: false, customerId: v.customerId };
  return v.scope.kind === 'all' ? { staff: true, all: true } : { staff: true, all: false, customerIds: v.scope.ids };
}

/**
 * The docs the viewer may see, as a predicate on `d` (search_docs). The engines already match
 * only these (scope tokens); this is checked again on the few rows a page reads, so a token
 * written wrong could hide a hit but never show one.
 */
export function visible(v: Viewer): RawBuilder<SqlBool> {
  if (v.staff) {
    if (v.scope.kind === 'all') return sql<SqlBool>`1 = 1`;
    if (!v.scope.ids.length) return sql<SqlBool>`d.customer_id is null`;
    return sql<SqlBool>`(d.customer_id is null or d.customer_id in (${sql.join(v.scope.ids)}))`;
  }
  const c = v.customerId;
  return sql<SqlBool>`((d.customer_id is null or d.customer_id = ${c}) and (d.audience in ('public', 'customers') or (d.audience = 'named' and exists (select 1 from search_audience a where a.doc_id = d.id and a.customer_id = ${c}))))`;
}

/** The columns a viewer's words may match: a customer's user never matches staff-only text. */
export const FTS_COLUMNS = { staff: ['title', 'body', 'staff', 'extra'], customer: ['title', 'body', 'extra'] };
export const PUBLIC_WEIGHTS = `${TS_WEIGHT.title}${TS_WEIGHT.extra}${TS_WEIGHT.body}`;

/**
 * The ticket ids matching the query for the ticket list's full-text filter (a subquery the
 * list ANDs with its own scope, filters and keyset). Read from the engine alone: the ticket id is
 * the doc id minus the kind's base. The viewer's scope tokens narrow it inside the engine.
 */
export function ticketIdsMatching(db: DbOrTx, q: ParsedQuery, viewer: Viewer): RawBuilder<number> {
  // A wide staff scope is left to the list's own scope filter (engine.ts SCOPE_TOKENS_MAX).
  const sv = scopeViewer(viewer);
  const groups = sv.staff && !sv.all && sv.customerIds.length > SCOPE_TOKENS_MAX ? [] : viewerGroups(sv);
  const [lo, hi] = kindRange('ticket');
  if (isPostgres(db)) {
    const text = tsQuery(q, { weights: viewer.staff ? undefined : PUBLIC_WEIGHTS, groups });
    return sql<number>`(select d.id - ${lo} as ref_id from search_docs d where d.tsv @@ ${text}::tsquery and d.id between ${lo} and ${hi})`;
  }
  const match = ftsMatch(q, { columns: viewer.staff ? FTS_COLUMNS.staff : FTS_COLUMNS.customer, groups });
  const t = ftsTable('ticket');
  return sql<number>`(select rowid - ${lo} as ref_id from ${t} where ${t} match ${match})`;
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
