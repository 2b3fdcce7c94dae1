import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../db/migrate.js';
import * as m0028 from '../../db/migrations/0028_kpi_histograms.js';
import * as m0029 from '../../db/migrations/0029_report_answer_files.js';
import { parseQuery } from '../../core/search/query.js';
import { insertBareTicket } from '../../test/bare-rows.js';
import { describeDb, emptyDatabase } from '../../test/harness.js';
import { searchKind } from './engine.js';
import { indexIfEmpty } from './reindex.js';

describeDb('0027_search_scope on an installation already past 0028 and 0029', (kind) => {
  it('is applied late, empties the old-shape index and its progress, and the index is rebuilt', async () => {
    const { database, close: drop } = await emptyDatabase(kind);
    try {
      const db = database.db;
      await migrateTo(database, '0026_evidence_exports');
      const now = Date.now();
      const { ticketId } = await insertBareTicket(db, now);
      // The old index: one entry in 0024's shape, and an interrupted rebuild's progress.
      await sql`insert into search_docs (id, kind, ref_id, customer_id, audience, state, open, at, title, body, staff_body, extra, indexed_at${kind === 'postgres' ? sql`, tsv` : sql``})
        values (${1_000_000_000_000 + ticketId}, 'ticket', ${ticketId}, null, 'customers', 'new', 1, ${now}, '宕机', '宕机', '', '', ${now}${kind === 'postgres' ? sql`, '宕机:1A'::tsvector` : sql``})`.execute(db);
      if (kind === 'sqlite') await sql`insert into search_fts (rowid, title, body, staff, extra) values (${1_000_000_000_000 + ticketId}, '宕机', '宕机', '', '')`.execute(db);
      await db.insertInto('settings').values({ key: 'search.reindex.ticket', value: '{"startedAt":1,"afterId":5,"done":5}', updated_at: now }).execute();
      // 0028 and 0029 were numbered after 0027 but applied before it existed here.
      await m0028.up(db);
      await m0029.up(db);
      const at = new Date().toISOString();
      await sql`insert into kysely_migration (name, timestamp) values ('0028_kpi_histograms', ${at}), ('0029_report_answer_files', ${at})`.execute(db);

      // 0027 comes first, then whatever was numbered after 0029 since.
      const applied = await migrateToLatest(database);
      expect(applied[0]).toBe('0027_search_scope');
      expect(applied.slice(1).every((name) => name > '0029')).toBe(true);
      expect(Number((await db.selectFrom('search_docs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
      expect(await db.selectFrom('settings').select('key').where('key', 'like', 'search.reindex.%').execute()).toEqual([]);
      if (kind === 'sqlite') {
        const tables = (await sql<{ name: string }>`select name from sqlite_master where name like 'search_fts%' and type = 'table' and sql like 'create virtual%'`.execute(db)).rows.map((r) => r.name);
        expect(tables.sort()).toEqual(['search_fts_article', 'search_fts_ci', 'search_fts_contact', 'search_fts_customer', 'search_fts_ticket']);
      }
      // What `migrate` / `serve` do next for a small installation: index it there and then.
      expect((await indexIfEmpty(db)).indexed).toContain('ticket');
      const found = await searchKind(db, parseQuery('宕机'), { staff: true, scope: { kind: 'all' } }, { kind: 'ticket' }, { limit: 5, offset: 0, cap: 100, now });
      expect(found.hits.map((h) => h.ref_id)).toEqual([ticketId]);
    } finally {
      await drop();
    }
  });
});
