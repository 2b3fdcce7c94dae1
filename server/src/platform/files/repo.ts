import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { FileBlobsTable } from '../../db/schema.js';

/** Queries of `file_blobs` and `file_blob_chunks` (platform/files is their only writer). */
export type BlobRow = Selectable<FileBlobsTable>;

export async function insertPending(db: DbOrTx, now: number): Promise<number> {
  const row = await db
    .insertInto('file_blobs')
    .values({ state: 'pending', sha256: '', size: 0, media_type: 'application/octet-stream', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function insertChunk(db: DbOrTx, blobId: number, seq: number, bytes: Buffer): Promise<void> {
  await db.insertInto('file_blob_chunks').values({ blob_id: blobId, seq, bytes }).execute();
}

export async function finishWrite(db: DbOrTx, id: number, sha256: string, size: number): Promise<void> {
  await db.updateTable('file_blobs').set({ sha256, size }).where('id', '=', id).execute();
}

/** Marks a pending blob as owned by the caller's row; false when it is gone (swept) or already claimed. */
export async function claim(db: DbOrTx, id: number, mediaType: string): Promise<boolean> {
  const res = await db.updateTable('file_blobs').set({ state: 'stored', media_type: mediaType }).where('id', '=', id).where('state', '=', 'pending').executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function findStored(db: DbOrTx, id: number): Promise<BlobRow | undefined> {
  return db.selectFrom('file_blobs').selectAll().where('id', '=', id).where('state', '=', 'stored').executeTakeFirst();
}

/** The chunks from `fromSeq` on, at most `limit` of them, in order. */
export async function chunksFrom(db: DbOrTx, blobId: number, fromSeq: number, limit: number): Promise<Array<{ seq: number; bytes: Buffer }>> {
  return db.selectFrom('file_blob_chunks').select(['seq', 'bytes']).where('blob_id', '=', blobId).where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
}

/**
 * Deletes a blob; its chunks go by the foreign key's cascade, in the same statement. With
 * `onlyPending` a blob claimed meanwhile is left alone (the condition is re-checked under the
 * row lock, so a concurrent claim either wins or finds nothing).
 */
export async function remove(db: DbOrTx, id: number, onlyPending: boolean): Promise<void> {
  let q = db.deleteFrom('file_blobs').where('id', '=', id);
  if (onlyPending) q = q.where('state', '=', 'pending');
  await q.execute();
}

/** Pending blobs created before `before`: uploads abandoned by a crash or a lost connection. */
export async function abandoned(db: DbOrTx, before: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('file_blobs').select('id').where('state', '=', 'pending').where('created_at', '<', before).orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}
