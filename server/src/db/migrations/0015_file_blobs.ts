import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { claimBlob, writeBlob } from '../../platform/files/store.js';
import { BIGINT, bytesType, dialectOf, notNull, withId } from '../dialect.js';
import type { DbOrTx } from '../index.js';
import type { MigrationContext } from '../migrate.js';

/**
 * File content moves into the database (platform/files): `file_blobs` holds each file's sha256,
 * size and media type, `file_blob_chunks` its bytes in 256 KiB rows. Until now the bytes of
 * attachments, paper scans and signed PDFs lay under DATA_DIR/files, where a backup did not
 * see them and another process (its own DATA_DIR) could not read them.
 *
 * The files already under DATA_DIR/files (`ctx.dataDir`, the installation's DATA_DIR) are
 * imported here, in the migration's transaction: the upgrade either moves every file that is
 * there or nothing. A file that is missing on disk cannot be moved: its row keeps its name and
 * sha256 with no content (downloads answer 404 file_missing) and the migration prints a warning.
 * The old files are left in place; delete DATA_DIR/files once the upgrade is verified
 * (docs/OPERATIONS.md). The path columns go: nothing reads the disk any more.
 */
export async function up(db: Kysely<any>, ctx: MigrationContext = {}): Promise<void> {
  await withId(db, db.schema.createTable('file_blobs'))
    // pending (being written, or not yet claimed by a module's row) | stored
    .addColumn('state', 'text', notNull)
    .addColumn('sha256', 'text', notNull)
    .addColumn('size', BIGINT, notNull)
    .addColumn('media_type', 'text', notNull)
    .addColumn('created_at', BIGINT, notNull)
    .execute();
  // The sweep of abandoned uploads: pending blobs by age.
  await db.schema.createIndex('file_blobs_state_created').on('file_blobs').columns(['state', 'created_at']).execute();
  await db.schema
    .createTable('file_blob_chunks')
    .addColumn('blob_id', BIGINT, (c) => c.notNull().references('file_blobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', notNull)
    .addColumn('bytes', bytesType(db), notNull)
    .addPrimaryKeyConstraint('file_blob_chunks_pk', ['blob_id', 'seq'])
    .execute();
  if (dialectOf(db) === 'postgres') {
    // PDFs, JPEGs and Office files are compressed already: keep TOAST from trying again.
    await sql`alter table file_blob_chunks alter column bytes set storage external`.execute(db);
  }
  await db.schema.alterTable('files').addColumn('blob_id', BIGINT, (c) => c.references('file_blobs.id')).execute();
  await db.schema.alterTable('repair_reports').addColumn('scan_blob_id', BIGINT, (c) => c.references('file_blobs.id')).execute();
  await db.schema.alterTable('repair_reports').addColumn('pdf_blob_id', BIGINT, (c) => c.references('file_blobs.id')).execute();

  const lost: string[] = [];
  const move = (table: string, pathColumn: string, blobColumn: string, mime: string) => importFiles(db, ctx.dataDir, { table, pathColumn, blobColumn, mime }, lost);
  await move('files', 'storage_path', 'blob_id', 'mime');
  await move('repair_reports', 'scan_path', 'scan_blob_id', 'scan_mime');
  await move('repair_reports', 'pdf_path', 'pdf_blob_id', `'application/pdf'`);
  if (lost.length) {
    console.warn(`migration 0015_file_blobs: ${lost.length} file(s) were not found under DATA_DIR (${ctx.dataDir ?? 'unknown'}) and have no content now: ${lost.slice(0, 20).join(', ')}${lost.length > 20 ? ' …' : ''}`);
  }

  await db.schema.alterTable('files').dropColumn('storage_path').execute();
  await db.schema.alterTable('repair_reports').dropColumn('scan_path').execute();
  await db.schema.alterTable('repair_reports').dropColumn('pdf_path').execute();
}

interface Source {
  table: string;
  /** Relative to DATA_DIR (files/ab/cd/<sha256>). */
  pathColumn: string;
  blobColumn: string;
  /** An SQL expression for the media type of the row's file. */
  mime: string;
}

/** Streams each row's file from disk into a blob of its own, in id order, a batch of rows at a time. */
async function importFiles(db: Kysely<any>, dataDir: string | undefined, src: Source, lost: string[]): Promise<void> {
  let last = 0;
  for (;;) {
    const rows = await db
      .selectFrom(src.table)
      .select(['id', sql.ref(src.pathColumn).as('path'), sql.raw(src.mime).as('mime')])
      .where(src.pathColumn, 'is not', null)
      .where('id', '>', last)
      .orderBy('id')
      .limit(500)
      .execute();
    for (const row of rows) {
      const file = dataDir ? path.join(dataDir, String(row.path)) : null;
      if (!file || !fs.existsSync(file)) {
        lost.push(`${src.table} ${row.id}: ${row.path}`);
        continue;
      }
      const blob = await writeBlob(db as DbOrTx, fs.createReadStream(file));
      await claimBlob(db as DbOrTx, blob.id, String(row.mime ?? 'application/octet-stream'));
      await db.updateTable(src.table).set({ [src.blobColumn]: blob.id }).where('id', '=', row.id).execute();
    }
    if (rows.length < 500) return;
    last = Number(rows[rows.length - 1].id);
  }
}
