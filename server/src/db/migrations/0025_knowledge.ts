import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * The knowledge base (知识库, modules/knowledge, docs/KNOWLEDGE.md).
 *
 * - `kb_articles`: the current text of each article (sanitized HTML in `body_html`, its plain
 *   text in `body_text` for search and snippets), its kind, audience and review state. `customer_id`
 *   is the customer the article is about (null: general); `audience` is who may read it once
 *   published: internal (provider staff only), customers (every customer's staff) or named (the
 *   customers in `kb_article_customers`). `views`, `useful`, `not_useful` are counters.
 * - `kb_article_versions`: every saved content as a JSON snapshot, numbered per article; a restore
 *   is a new version carrying an old one's content.
 * - `kb_article_files`: images in the body and attached documents (bytes in platform/files), with
 *   the text extracted from PDF, docx, xlsx and txt for search.
 * - `kb_votes`: one useful / not useful vote per user and article (changing it replaces it).
 * - `kb_feedback`: comments that go to the owner.
 * - `kb_deflections`: a portal user's "this solved it" before reporting (no ticket was logged).
 * - `kb_ticket_uses`: a solution sent to a caller as the first reply, and the call resolved by it on
 *   the first line (the first-line KPI reads `first_line = 1` rows; see docs/KNOWLEDGE.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('kb_articles'))
    // solution | howto | faq | known_error | document
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('symptom', 'text')
    .addColumn('cause', 'text')
    .addColumn('applies_to', 'text')
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    // JSON arrays of strings
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('services', 'text', (c) => c.notNull())
    .addColumn('ci_types', 'text', (c) => c.notNull())
    // internal | customers | named
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id'))
    // draft | in_review | published | needs_review | archived
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('owner_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('reviewer_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('submitted_at', BIGINT)
    .addColumn('published_at', BIGINT)
    .addColumn('reviewed_at', BIGINT)
    .addColumn('review_due_at', BIGINT)
    .addColumn('source_ticket_id', BIGINT, (c) => c.references('tickets.id').onDelete('set null'))
    .addColumn('views', BIGINT, (c) => c.notNull().defaultTo(0))
    .addColumn('useful', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_useful', 'integer', (c) => c.notNull().defaultTo(0))
    // the number of the latest kb_article_versions row
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .addColumn('updated_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  // Lists are newest first, keyset on (updated_at, id); the review queue and the due check by state.
  await db.schema.createIndex('kb_articles_updated').on('kb_articles').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('kb_articles_state').on('kb_articles').columns(['state', 'review_due_at']).execute();
  await db.schema.createIndex('kb_articles_created').on('kb_articles').columns(['created_at', 'created_by']).execute();
  await db.schema.createIndex('kb_articles_ticket').on('kb_articles').column('source_ticket_id').execute();

  await db.schema
    .createTable('kb_article_customers')
    .addColumn('article_id', BIGINT, (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addPrimaryKeyConstraint('kb_article_customers_pk', ['article_id', 'customer_id'])
    .execute();
  await db.schema.createIndex('kb_article_customers_customer').on('kb_article_customers').columns(['customer_id', 'article_id']).execute();

  await withId(db, db.schema.createTable('kb_article_versions'))
    .addColumn('article_id', BIGINT, (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // JSON: {title, kind, symptom, cause, appliesTo, bodyHtml, bodyText, category, tags, services, ciTypes, audience, customerIds}
    .addColumn('content', 'text', (c) => c.notNull())
    // what the version is: created | edited | restored (from `restored_from`) | from_ticket
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('restored_from', 'integer')
    .addColumn('author_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_article_versions_no').on('kb_article_versions').columns(['article_id', 'version']).unique().execute();
  await db.schema.createIndex('kb_article_versions_author').on('kb_article_versions').columns(['created_at', 'author_id']).execute();

  await withId(db, db.schema.createTable('kb_article_files'))
    .addColumn('article_id', BIGINT, (c) => c.references('kb_articles.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', BIGINT, (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('blob_id', BIGINT, (c) => c.references('file_blobs.id'))
    // 1: an image shown in the body; 0: an attached document
    .addColumn('inline', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('text', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('created_by', BIGINT, (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('kb_article_files_article').on('kb_article_files').column('article_id').execute();

  await db.schema
    .createTable('kb_votes')
    .addColumn('article_id', BIGINT, (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id'))
    .addColumn('useful', BOOL, (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_votes_pk', ['article_id', 'user_id'])
    .execute();

  await withId(db, db.schema.createTable('kb_feedback'))
    .addColumn('article_id', BIGINT, (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('user_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_feedback_article').on('kb_feedback').columns(['article_id', 'id']).execute();

  await withId(db, db.schema.createTable('kb_deflections'))
    .addColumn('article_id', BIGINT, (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('user_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id'))
    .addColumn('query', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_deflections_customer').on('kb_deflections').columns(['customer_id', 'created_at']).execute();

  await withId(db, db.schema.createTable('kb_ticket_uses'))
    .addColumn('article_id', BIGINT, (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('ticket_id', BIGINT, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    // sent: the solution went to the caller as a reply; solved: the caller confirmed it solved the problem
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('first_line', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('user_id', BIGINT, (c) => c.references('users.id'))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_ticket_uses_ticket').on('kb_ticket_uses').columns(['ticket_id', 'action']).execute();
  await db.schema.createIndex('kb_ticket_uses_customer').on('kb_ticket_uses').columns(['customer_id', 'created_at']).execute();
}
