import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * Full-text search at a million tickets (issue #12, docs/SEARCH.md). The index changes shape, so
 * it is emptied here and rebuilt from the records:
 *
 * - Scope tokens (`_c<customer>`, `_u<customer>`; core/search/tokens.ts) are indexed with each
 *   doc, so the engine itself matches only what a scoped engineer or a customer's user may see;
 *   on PostgreSQL also kind and recency-bucket tokens, so "the newest matches" is a GIN lookup.
 * - Each term is indexed once per column, without positions: the application ranks the few
 *   hundred newest matches from their text (core/search/rank.ts). SQLite's FTS5 tables get a
 *   fifth column `scope` and `detail=column` (which columns hold a term, no positions: a
 *   smaller index, faster to write); PostgreSQL's tsvector keeps one nominal position per weight.
 * - SQLite: one FTS5 table per kind (`search_fts_ticket`, `_article`, `_ci`, `_contact`,
 *   `_customer`) instead of one: FTS5 seeks a doclist by walking it, so a contact query on one
 *   shared table walked past every ticket holding the word (10 ms for 网络 at a million tickets).
 * - A Han run's last character is indexed as a unigram, so a 1-character query finds it.
 *
 * Emptying is instant; filling is `yunwei search reindex`, which `migrate`/`serve` run by
 * themselves for a kind of up to 20,000 records and ask for (on stderr) above that
 * (modules/search/reindex.ts indexIfEmpty). An interrupted earlier rebuild's progress is dropped
 * with the entries it described.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`truncate search_audience, search_docs`.execute(db);
  } else {
    await sql`drop table if exists search_fts`.execute(db);
    await sql`delete from search_audience`.execute(db);
    await sql`delete from search_docs`.execute(db);
    for (const kind of ['ticket', 'article', 'ci', 'contact', 'customer']) {
      await sql`create virtual table ${sql.table(`search_fts_${kind}`)} using fts5(title, body, staff, extra, scope, content='', contentless_delete=1, detail=column, tokenize="unicode61 remove_diacritics 0 tokenchars '.-_@'")`.execute(db);
    }
  }
  await sql`delete from settings where key like 'search.reindex.%'`.execute(db);
}
