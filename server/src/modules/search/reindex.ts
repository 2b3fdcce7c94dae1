import type { Kysely } from 'kysely';
import type { Db, DbOrTx } from '../../db/index.js';
import { deleteSetting, getSetting, setSetting } from '../../platform/settings/index.js';
import { indexDocs, type SearchDoc, type SearchKind } from './indexer.js';
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

export async function reindex(db: Db, opts: ReindexOptions = {}): Promise<ReindexSummary[]> {
  const out: ReindexSummary[] = [];
  const batchSize = opts.batchSize ?? 500;
  for (const source of searchSources()) {
    if (opts.kinds && !opts.kinds.includes(source.kind)) continue;
    const started = Date.now();
    const saved = opts.restart ? null : await getSetting<Progress | null>(db, progressKey(source.kind));
    let p: Progress = saved ?? { startedAt: started, afterId: 0, done: 0 };
    const total = await source.count(db);
    opts.onProgress?.({ kind: source.kind, done: p.done, total });
    for (;;) {
      const { docs, lastId } = await source.batch(db, p.afterId, batchSize);
      if (lastId === null) break;
      p = { ...p, afterId: lastId, done: p.done + docs.length };
      await db.transaction().execute(async (trx) => {
        await indexDocs(trx, docs);
        await setSetting(trx, progressKey(source.kind), p);
      });
      opts.onProgress?.({ kind: source.kind, done: p.done, total });
    }
    // Entries this run did not refresh belong to records that are gone (or skipped, e.g. an archived article).
    const stale = await db.selectFrom('search_docs').select('ref_id').where('kind', '=', source.kind).where('indexed_at', '<', p.startedAt).execute();
    await repo.removeDocs(db, source.kind, stale.map((r) => Number(r.ref_id)));
    // Done: no progress row is left (it would otherwise travel in backups as derived state).
    await deleteSetting(db, progressKey(source.kind));
    out.push({ kind: source.kind, indexed: p.done, removed: stale.length, resumedFrom: saved ? saved.afterId : null, ms: Date.now() - started });
  }
  return out;
}

/**
 * After `migrate`: an installation upgraded to search (0024) has records but an empty index.
 * Small ones (up to `limit` records) are indexed there and then; larger ones are told to run
 * `yunwei search reindex` (minutes at a million tickets), returned as the kinds left to do.
 */
export async function indexIfEmpty(db: Db, limit = 20_000): Promise<{ indexed: SearchKind[]; pending: SearchKind[] }> {
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
