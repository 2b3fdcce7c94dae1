import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { ftsMatch, tsQuery, type ParsedQuery } from '../../core/search/query.js';
import { score } from '../../core/search/rank.js';
import { BUCKET_LEVELS, kindToken, newestBuckets, staffToken, viewerGroups } from '../../core/search/tokens.js';
import { any, FTS_COLUMNS, ftsTable, isPostgres, KIND_CODE, kindRange, PUBLIC_WEIGHTS, SCOPE_TOKENS_MAX, scopeViewer, visible, type Viewer } from './repo.js';

/**
 * Reading the index: a kind's first page of hits for a viewer, and how many there are
 * (docs/SEARCH.md, "Ranking" and "Who sees what"). The engine matches the words and the viewer's
 * scope tokens together, so it never yields a doc the viewer may not see; of those matches it
 * yields the newest RANK_WINDOW (by doc id, ≈ record order), which the application ranks
 * (core/search/rank.ts); the count stops at a cap.
 *
 * - SQLite: FTS5 (a table per kind) walks its doclists in descending rowid and stops after the window.
 * - PostgreSQL: a GIN index answers a set, not an order, so "the newest" is asked as the newest
 *   bucket tokens of the kind (core/search/tokens.ts): first the buckets holding the newest
 *   4,096–8,192 ids, then a wider level (each 4 times the last, chosen from the density just
 *   seen) until the window holds enough matches or is the whole kind.
 */

/**
 * How many of a kind's newest matches the viewer may see are ranked for the first page. Ranking
 * every match of a common word (网络: 10 % of a million tickets) costs a read per match; the
 * newest few hundred are enough to rank a first page, and a next page (offset) widens the window.
 */
export const RANK_WINDOW = 200;

export interface Filters {
  kind: string;
  customerId?: number;
  state?: string;
  from?: number;
  to?: number;
}

export interface Hit {
  id: number;
  kind: string;
  ref_id: number;
  customer_id: number | null;
  state: string | null;
  at: number;
  open: number;
  title: string;
  body: string;
  staff_body: string;
  extra: string;
  score: number;
}

/** The filters the engine cannot answer (state, dates): checked on the rows, before the window's limit. */
function rowFilters(f: Filters): RawBuilder<SqlBool> | null {
  const parts: RawBuilder<unknown>[] = [];
  if (f.state !== undefined) parts.push(sql`d.state = ${f.state}`);
  if (f.from !== undefined) parts.push(sql`d.at >= ${f.from}`);
  if (f.to !== undefined) parts.push(sql`d.at < ${f.to}`);
  return parts.length ? sql<SqlBool>`${sql.join(parts, sql` and `)}` : null;
}

const and = (filter: RawBuilder<SqlBool> | null) => (filter ? sql` and ${filter}` : sql``);

/**
 * How the viewer's scope is applied: token groups for the engine, or — a staff scope of more than
 * SCOPE_TOKENS_MAX customers, e.g. a second-line engineer serving most of them — a predicate on
 * the rows: an OR of dozens of terms costs the engine more than reading the rows of the matches it
 * then rejects (docs/SEARCH.md, "Who sees what").
 */
export function scopeGroups(viewer: Viewer): { groups: string[][]; rows: RawBuilder<SqlBool> | null } {
  const sv = scopeViewer(viewer);
  if (sv.staff && !sv.all && sv.customerIds.length > SCOPE_TOKENS_MAX) return { groups: [], rows: visible(viewer) };
  return { groups: viewerGroups(sv), rows: null };
}

/** What the engine is asked: the words, where they may match, the scope (and customer filter) token groups. */
interface Ask {
  q: ParsedQuery;
  staff: boolean;
  groups: string[][];
  kind: string;
  range: [number, number];
  filter: RawBuilder<SqlBool> | null;
}

const COLUMNS = (staff: boolean) => sql`d.id, d.kind, d.ref_id, d.customer_id, d.state, d.open, d.at, d.title, d.body, ${staff ? sql`d.staff_body` : sql`''`} as staff_body, d.extra`;

type Row = Omit<Hit, 'score'>;

function normalise(r: Row): Row {
  return { ...r, id: Number(r.id), ref_id: Number(r.ref_id), customer_id: r.customer_id === null ? null : Number(r.customer_id), at: Number(r.at), open: Number(r.open) };
}

// ------------------------------------------------------------------------------ SQLite (FTS5)

async function sqliteWindow(db: DbOrTx, a: Ask, viewer: Viewer, need: number): Promise<Row[]> {
  const t = ftsTable(a.kind);
  const match = sql`${t} match ${ftsMatch(a.q, { columns: a.staff ? FTS_COLUMNS.staff : FTS_COLUMNS.customer, groups: a.groups })}`;
  if (!a.filter) {
    // The engine alone picks the window (scope tokens), walking the kind's doclists from their
    // newest end; the window's rows are read and checked again.
    const rows = await sql<Row>`select ${COLUMNS(a.staff)} from (select ${t}.rowid as id from ${t} where ${match} order by ${t}.rowid desc limit ${need}) m
      cross join search_docs d on d.id = m.id where ${visible(viewer)} order by d.id desc`.execute(any(db));
    return rows.rows;
  }
  // Row filters (state, dates, a wide staff scope) before the limit: CROSS JOIN keeps FTS5 the outer loop.
  const rows = await sql<Row>`select ${COLUMNS(a.staff)} from ${t} cross join search_docs d on d.id = ${t}.rowid
    where ${match} and ${visible(viewer)} and ${a.filter} order by ${t}.rowid desc limit ${need}`.execute(any(db));
  return rows.rows;
}

async function sqliteCount(db: DbOrTx, a: Ask, cap: number): Promise<number> {
  const t = ftsTable(a.kind);
  const match = sql`${t} match ${ftsMatch(a.q, { columns: a.staff ? FTS_COLUMNS.staff : FTS_COLUMNS.customer, groups: a.groups })}`;
  const from = a.filter ? sql`${t} cross join search_docs d on d.id = ${t}.rowid where ${match} and ${a.filter}` : sql`${t} where ${match}`;
  const r = await sql<{ n: number }>`select count(*) as n from (select 1 from ${from} limit ${cap}) s`.execute(any(db));
  return Number(r.rows[0]!.n);
}

// ------------------------------------------------------------------------- PostgreSQL (GIN)

/** A window of the kind's newest ids: its bucket tokens (null: the whole kind) and how many ids it spans. */
interface Window {
  level: number | null;
  tokens: string[];
  span: number;
}

function windows(kind: string, maxRef: number): Window[] {
  const code = KIND_CODE[kind];
  const out: Window[] = [];
  for (const level of BUCKET_LEVELS) {
    const b = newestBuckets(code, level, maxRef);
    if (!b) break;
    out.push({ level, tokens: b.tokens, span: maxRef - b.firstId + 1 });
  }
  out.push({ level: null, tokens: [kindToken(code)], span: maxRef + 1 });
  return out;
}

/**
 * The first window after `from` expected to hold `want` matches at the density `seen / span`
 * (the next one at least), with a margin `factor`.
 */
function nextWindow(ws: Window[], from: number, seen: number, span: number, want: number, factor: number): number {
  const density = (seen + 1) / span;
  let i = from + 1;
  while (i < ws.length - 1 && density * ws[i].span < factor * want) i++;
  return i;
}

function pgText(a: Ask, w: Window): string {
  return tsQuery(a.q, { weights: a.staff ? undefined : PUBLIC_WEIGHTS, groups: [...a.groups, w.tokens] });
}

/**
 * The window's newest matches, and how many matches the window holds (`count(*) over ()`: the
 * sort reads them all anyway). `d.id + 0`: ordering by the bare key lets the planner walk the
 * primary key backwards testing every row's tsvector (it guesses matches are dense among the
 * newest ids); the window is sized so that the GIN bitmap of its matches is the cheap way, and
 * at a million tickets the walk took 0.1–1 s where the bitmap takes a few ms. A window short of
 * `need` is followed by one expected to hold twice as many: one more round trip costs more than
 * the few extra rows (for a small customer's tickets it saves several).
 */
async function pgWindow(db: DbOrTx, a: Ask, viewer: Viewer, need: number, ws: Window[]): Promise<{ rows: Row[]; at: number; matches: number }> {
  const x = any(db);
  for (let i = 0; ; ) {
    const rows = (
      await sql<Row & { matches: number }>`select ${COLUMNS(a.staff)}, count(*) over () as matches from search_docs d
        where d.tsv @@ ${pgText(a, ws[i])}::tsquery and d.id between ${a.range[0]} and ${a.range[1]} and ${visible(viewer)}${and(a.filter)}
        order by d.id + 0 desc limit ${need}`.execute(x)
    ).rows;
    const matches = rows.length ? Number(rows[0].matches) : 0;
    if (rows.length >= need || i === ws.length - 1) return { rows: rows.map(({ matches: _m, ...r }) => r), at: i, matches };
    i = nextWindow(ws, i, matches, ws[i].span, need, 2);
  }
}

/**
 * Matches counted up to `cap`: the window the ranking stopped in held `seen`; the count starts in
 * the window expected to hold `cap` (no margin: a count stops at `cap`, but every window's GIN
 * lists are read whole). No row column is read without filters, so PostgreSQL may count from the
 * index and the visibility map alone.
 */
async function pgCount(db: DbOrTx, a: Ask, cap: number, ws: Window[], start: number, seen: number): Promise<number> {
  const x = any(db);
  if (seen >= cap || start === ws.length - 1) return Math.min(seen, cap);
  for (let i = nextWindow(ws, start, seen, ws[start].span, cap, 1); ; ) {
    const r = await sql<{ n: number }>`select count(*) as n from (select 1 from search_docs d where d.tsv @@ ${pgText(a, ws[i])}::tsquery${and(a.filter)} limit ${cap}) s`.execute(x);
    const n = Number(r.rows[0]!.n);
    if (n >= cap || i === ws.length - 1) return n;
    i = nextWindow(ws, i, n, ws[i].span, cap, 1);
  }
}

// ------------------------------------------------------------------------------------- both

/** The first page of a kind's hits, best first, and their number (counted up to `cap`). */
export async function searchKind(
  db: DbOrTx,
  q: ParsedQuery,
  viewer: Viewer,
  f: Filters,
  /** `window`: how many of the newest matches to rank (default RANK_WINDOW; suggestions ask fewer). */
  page: { limit: number; offset: number; cap: number; now: number; window?: number },
): Promise<{ hits: Hit[]; total: number }> {
  const scope = scopeGroups(viewer);
  const groups = [...scope.groups];
  if (f.customerId !== undefined) groups.push([staffToken(f.customerId)]);
  const filters = [rowFilters(f), scope.rows].filter((x): x is RawBuilder<SqlBool> => x !== null);
  const a: Ask = { q, staff: viewer.staff, groups, kind: f.kind, range: kindRange(f.kind), filter: filters.length ? sql<SqlBool>`${sql.join(filters, sql` and `)}` : null };
  const need = Math.max(page.window ?? RANK_WINDOW, page.offset + page.limit);
  let rows: Row[];
  let total: number;
  if (isPostgres(db)) {
    const max = await any(db).selectFrom('search_docs').select((eb) => eb.fn.max('id').as('m')).where('id', '>=', a.range[0]).where('id', '<=', a.range[1]).executeTakeFirst();
    if (max?.m === null || max?.m === undefined) return { hits: [], total: 0 };
    const ws = windows(f.kind, Number(max.m) - a.range[0]);
    const found = await pgWindow(db, a, viewer, need, ws);
    rows = found.rows;
    total = rows.length < need ? rows.length : rows.length >= page.cap ? page.cap : await pgCount(db, a, page.cap, ws, found.at, found.matches);
  } else {
    rows = await sqliteWindow(db, a, viewer, need);
    total = rows.length < need ? rows.length : rows.length >= page.cap ? page.cap : await sqliteCount(db, a, page.cap);
  }
  const hits = rows
    .map(normalise)
    .map((r) => ({ ...r, score: score({ title: r.title, extra: r.extra, body: r.body, staff: r.staff_body }, q.words, r.open === 1, r.at, page.now) }))
    .sort((x, y) => y.score - x.score || y.at - x.at || y.id - x.id)
    .slice(page.offset, page.offset + page.limit);
  return { hits, total: Math.min(total, page.cap) };
}
