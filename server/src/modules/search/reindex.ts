import type { Kysely } from 'kysely';
import type { Db, DbOrTx } from '../../db/index.js';
import { deleteSetting, getSetting, setSetting } from '../../platform/settings/index.js';
import { prepareDoc, type PreparedDoc, type SearchDoc, type SearchKind } from './indexer.js';
import * as repo from './repo.js';
import { CONTACT_COLUMNS, contactDoc, CUSTOMER_COLUMNS, customerDoc, ticketDocs } from './sources.js';

/**
 * Rebuilding the index from the records (`yunwei search reindex`, docs/SEARCH.md): kind by kind,
 * in id order, in batches of one transaction each, replacing each record's entry in place (search
 * keeps answering throughout). Progress is saved after every batch (setting
 * `search.reindex.<kind>`), so an interrupted run resumes where it stopped; entries not
 * refreshed by a finished run (their record is gone) are removed at its end.
 */

/** Where a kind's records come from. Other modules (knowledge: articles; #13: CIs) register theirs. */
export interface SearchSource {
  kind: SearchKind;
  count(db: DbOrTx): Promise<number>;
  /** Up to `limit` docs of records with id > afterId, in id order, and the last id read. */
  batch(db: DbOrTx, afterId: number, limit: number): Promise<{ docs: SearchDoc[]; lastId: number | null }>;
}

const SOURCES = new Map<SearchKind, SearchSource>();
export function registerSearchSource(source: SearchSource): void {
  SOURCES.set(source.kind, source);
}
export function searchSources(): SearchSource[] {
  return [...SOURCES.values()];
}

function countOf(table: 'tickets' | 'contacts' | 'customers') {
  return async (db: DbOrTx) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

registerSearchSource({
  kind: 'ticket',
  count: countOf('tickets'),
  async batch(db, afterId, limit) {
    const ids = (await db.selectFrom('tickets').select('id').where('id', '>', afterId).orderBy('id').limit(limit).execute()).map((r) => Number(r.id));
    return { docs: await ticketDocs(db, ids), lastId: ids.length ? ids[ids.length - 1] : null };
  },
});
/** A kind whose docs come from one table's rows, in id order. */
function rowSource<R extends { id: number }>(kind: SearchKind, table: 'contacts' | 'customers', columns: readonly string[], toDoc: (row: R) => SearchDoc): SearchSource {
  return {
    kind,
    count: countOf(table),
    async batch(db, afterId, limit) {
      const rows = (await (db as Kysely<any>).selectFrom(table).select([...columns]).where('id', '>', afterId).orderBy('id').limit(limit).execute()) as R[];
      return { docs: rows.map(toDoc), lastId: rows.length ? Number(rows[rows.length - 1].id) : null };
    },
  };
}
registerSearchSource(rowSource('contact', 'contacts', CONTACT_COLUMNS, contactDoc));
registerSearchSource(rowSource('customer', 'customers', CUSTOMER_COLUMNS, customerDoc));

interface Progress {
  startedAt: number;
  afterId: number;
  done: number;
}

export interface ReindexOptions {
  kinds?: SearchKind[];
  batchSize?: number;
  /** Start over even when an interrupted run left progress. */
  restart?: boolean;
  onProgress?: (p: { kind: SearchKind; done: number; total: number }) => void;
}

export interface ReindexSummary {
  kind: SearchKind;
  indexed: number;
  removed: number;
  resumedFrom: number | null;
  ms: number;
}

const progressKey = (kind: SearchKind) => `search.reindex.${kind}`;

/** Records per transaction by default: big enough that a round trip is a small part of a batch. */
export const DEFAULT_BATCH = 1000;

/**
 * A rebuild from the start of this many records (and at least half the index) drops PostgreSQL's
 * GIN index first and builds it once at the end (repo.dropTextIndex): several times faster than
 * maintaining it per batch. Smaller runs (an upgrade's articles, one customer's contacts) keep it.
 */
export const BIG_REBUILD = 50_000;

export async function reindex(db: Db, opts: ReindexOptions = {}): Promise<ReindexSummary[]> {
  const out: ReindexSummary[] = [];
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const plan: Array<{ source: SearchSource; saved: Progress | null; total: number }> = [];
  for (const source of searchSources()) {
    if (opts.kinds && !opts.kinds.includes(source.kind)) continue;
    const saved = opts.restart ? null : await getSetting<Progress | null>(db, progressKey(source.kind));
    plan.push({ source, saved, total: await source.count(db) });
  }
  const fresh = plan.filter((p) => !p.saved).reduce((n, p) => n + p.total, 0);
  const big = fresh >= BIG_REBUILD && fresh >= (await repo.countDocs(db)) / 2;
  if (big) await repo.dropTextIndex(db);
  for (const { source, saved, total } of plan) {
    const started = Date.now();
    let p: Progress = saved ?? { startedAt: started, afterId: 0, done: 0 };
    opts.onProgress?.({ kind: source.kind, done: p.done, total });
    // A pipeline of two: the next batch is read and segmented (CPU here) while the database
    // writes this one (on PostgreSQL, another process; SQLite's calls are synchronous anyway).
    const read = async (afterId: number) => {
      const { docs, lastId } = await source.batch(db, afterId, batchSize);
      return { prepared: docs.map(prepareDoc), lastId };
    };
    let next = read(p.afterId);
    for (;;) {
      const { prepared, lastId } = await next;
      if (lastId === null) break;
      const step: Progress = { ...p, afterId: lastId, done: p.done + prepared.length };
      const write = db.transaction().execute(async (trx) => {
        await putPrepared(trx, prepared);
        await setSetting(trx, progressKey(source.kind), step);
      });
      next = read(lastId);
      // The read must not fail unobserved while the write is awaited (it is awaited next round).
      next.catch(() => {});
      await write;
      p = step;
      opts.onProgress?.({ kind: source.kind, done: p.done, total });
    }
    // Entries this run did not refresh belong to records that are gone (or skipped, e.g. an archived article).
    const stale = await db.selectFrom('search_docs').select('id').where('kind', '=', source.kind).where('indexed_at', '<', p.startedAt).execute();
    await repo.removeDocIds(db, stale.map((r) => Number(r.id)));
    // Done: no progress row is left (it would otherwise travel in backups as derived state).
    await deleteSetting(db, progressKey(source.kind));
    out.push({ kind: source.kind, indexed: p.done, removed: stale.length, resumedFrom: saved ? saved.afterId : null, ms: Date.now() - started });
  }
  // After a big rebuild (or one interrupted before it finished): the GIN index in one pass; the
  // index compacted and the statistics fresh. Part of the last kind's time.
  const t0 = Date.now();
  await repo.ensureTextIndex(db);
  if (big) await repo.optimizeTextIndex(db);
  if (out.length) out[out.length - 1].ms += Date.now() - t0;
  return out;
}

async function putPrepared(trx: DbOrTx, prepared: PreparedDoc[]): Promise<void> {
  if (prepared.length) await repo.putDocs(trx, prepared, Date.now());
}

/**
 * After `migrate`: an installation upgraded to search (0024) has records but an empty index.
 * Small ones (up to `limit` records) are indexed there and then; larger ones are told to run
 * `yunwei search reindex` (minutes at a million tickets), returned as the kinds left to do.
 */
export async function indexIfEmpty(db: Db, limit = 20_000): Promise<{ indexed: SearchKind[]; pending: SearchKind[] }> {
  // A big rebuild interrupted after it dropped PostgreSQL's GIN index: search is right but slow without it.
  await repo.ensureTextIndex(db);
  const indexed: SearchKind[] = [];
  const pending: SearchKind[] = [];
  for (const source of searchSources()) {
    if ((await repo.countDocs(db, source.kind)) > 0) continue;
    const n = await source.count(db);
    if (n === 0) continue;
    if (n <= limit) {
      await reindex(db, { kinds: [source.kind], restart: true });
      indexed.push(source.kind);
    } else pending.push(source.kind);
  }
  return { indexed, pending };
}
