import { sql, type Kysely } from 'kysely';
import { BIGINT, dialectOf } from '../dialect.js';

/**
 * Full-text search (modules/search, docs/SEARCH.md). `search_docs` holds one row per searchable
 * record (ticket, article, CI, contact, customer): who may see it (customer, audience), its state
 * and instant for filters and ranking, and the text snippets are cut from. The text is segmented
 * in the application (core/search/segment.ts) and indexed:
 *
 * - SQLite: the FTS5 table `search_fts` (rowid = search_docs.id), unicode61 with . - _ @ as token
 *   characters so 10.1.2.3 and INC-2026-000123 stay one term; contentless (the text is in
 *   search_docs already) with contentless_delete so rows can be replaced.
 * - PostgreSQL: `search_docs.tsv`, a tsvector built from the same terms with weight labels
 *   (title A, extra B, body C, staff-only D), under a GIN index.
 *
 * The migration creates the structures only: filling them for existing records is
 * `yunwei search reindex` (resumable, with progress), which `migrate` runs by itself when it
 * finds the index empty and records present (modules/search/reindex.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('search_docs')
    // The kind's range plus the record's id (modules/search/repo.ts docId): not generated, so the
    // FTS5 rowid and this key order a kind's docs by record id and a kind is one id range.
    .addColumn('id', pg ? 'bigint' : 'integer', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('ref_id', BIGINT, (c) => c.notNull())
    // Null: not one customer's (an article for all, a customer record itself is its own).
    .addColumn('customer_id', BIGINT)
    // internal (staff only) | customers (the customer's users too) | public
    .addColumn('audience', 'varchar(16)', (c) => c.notNull())
    .addColumn('state', 'varchar(32)')
    .addColumn('open', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('staff_body', 'text', (c) => c.notNull())
    .addColumn('extra', 'text', (c) => c.notNull())
    .addColumn('indexed_at', BIGINT, (c) => c.notNull())
    .$call((t) => (pg ? t.addColumn('tsv', sql`tsvector`, (c) => c.notNull()) : t))
    .execute();
  // No other index: every read starts from the engine's match (and a kind's id range); scope,
  // state and dates are checked on the few rows it yields.
  // Articles visible to named customers: one row per (doc, customer).
  await db.schema
    .createTable('search_audience')
    .addColumn('doc_id', BIGINT, (c) => c.notNull().references('search_docs.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('search_audience_pk', ['doc_id', 'customer_id'])
    .execute();
  await db.schema.createIndex('search_audience_customer').on('search_audience').columns(['customer_id', 'doc_id']).execute();
  if (pg) {
    await sql`create index search_docs_tsv on search_docs using gin (tsv)`.execute(db);
  } else {
    await sql`create virtual table search_fts using fts5(title, body, staff, extra, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 0 tokenchars '.-_@'")`.execute(db);
  }
}
