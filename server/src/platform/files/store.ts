import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DbOrTx } from '../../db/index.js';
import { AppError } from '../http/errors.js';
import './messages.js';
import * as repo from './repo.js';

/**
 * The content of uploaded and generated files (attachments, paper scans, signed PDFs), kept in
 * the database so that every process on it and every backup of it sees the same bytes. A blob
 * is a row of `file_blobs` (sha256, size, media type) and its content in `file_blob_chunks`,
 * 256 KiB a row; modules keep names and meaning in their own tables and point at the blob.
 *
 * Lifecycle: `writeBlob` streams the content in as a *pending* blob; the module's transaction
 * that inserts the row pointing at it calls `claimBlob`, so the reference and the claim commit
 * together. A blob left pending (the module refused the file, its transaction failed, the
 * process died) is removed by `discardBlob` at once or swept a day later.
 *
 * Writing is deliberately not one transaction: the upload arrives at the client's pace, and on
 * SQLite a transaction holds the only connection (every other request would wait for the
 * slowest upload). Each chunk is a short statement of its own instead.
 */
export const CHUNK_BYTES = 256 * 1024;
/** Chunks fetched per query while reading: a download holds at most this many in memory. */
const READ_AHEAD = 4;
/** A pending blob this old was abandoned: no upload takes a day. */
const ABANDONED_AFTER_MS = 24 * 3_600_000;

export interface WrittenBlob {
  id: number;
  sha256: string;
  size: number;
  /** The first `headBytes` bytes (for sniffing the type), empty unless asked for. */
  head: Buffer;
}

export interface WriteOptions {
  /** Stop reading and discard the blob once the content exceeds this many bytes. */
  limit?: number;
  /** The error thrown past the limit (default: a 413 naming it). */
  tooLarge?: () => Error;
  headBytes?: number;
}

export interface OpenedBlob {
  size: number;
  sha256: string;
  mediaType: string;
  /** The content, fetched a few chunks at a time as it is consumed. */
  stream: Readable;
}

/**
 * Streams `source` into a new pending blob, chunk by chunk, hashing and counting as it goes.
 * Anything that stops it (the limit, a failing source, the database) deletes what was written.
 */
export async function writeBlob(db: DbOrTx, source: AsyncIterable<Buffer | string>, opts: WriteOptions = {}): Promise<WrittenBlob> {
  await sweepAbandoned(db);
  const id = await repo.insertPending(db, Date.now());
  try {
    const written = await writeChunks(db, id, source, opts);
    await repo.finishWrite(db, id, written.sha256, written.size);
    return { id, ...written };
  } catch (err) {
    await discardBlob(db, id).catch(() => {});
    throw err;
  }
}

async function writeChunks(db: DbOrTx, id: number, source: AsyncIterable<Buffer | string>, opts: WriteOptions): Promise<Omit<WrittenBlob, 'id'>> {
  const hash = createHash('sha256');
  const headBytes = opts.headBytes ?? 0;
  let head = Buffer.alloc(0);
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    size += buf.length;
    if (opts.limit !== undefined && size > opts.limit) throw (opts.tooLarge ?? defaultTooLarge(opts.limit))();
    hash.update(buf);
    if (head.length < headBytes) head = Buffer.concat([head, buf.subarray(0, headBytes - head.length)]);
    pending.push(buf);
    pendingBytes += buf.length;
    // Whole chunks go out as soon as they are complete; at most one partial chunk stays here.
    while (pendingBytes >= CHUNK_BYTES) {
      const all = Buffer.concat(pending, pendingBytes);
      await repo.insertChunk(db, id, seq++, all.subarray(0, CHUNK_BYTES));
      const rest = all.subarray(CHUNK_BYTES);
      // A copy, so the (up to a piece larger) buffer just written can be freed.
      pending = rest.length ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
    }
  }
  if (pendingBytes > 0) await repo.insertChunk(db, id, seq, Buffer.concat(pending, pendingBytes));
  return { sha256: hash.digest('hex'), size, head };
}

function defaultTooLarge(limit: number): () => Error {
  return () => new AppError(413, 'too_large', 'http.tooLarge', { limit: `${Math.round(limit / 1024 / 1024)} MB` });
}

/** Inside the transaction that stores the row pointing at the blob: from now on it is kept. */
export async function claimBlob(trx: DbOrTx, id: number, mediaType: string): Promise<void> {
  // Only a blob pending for a day (swept) or claimed twice gets here: a bug, not a user error.
  if (!(await repo.claim(trx, id, mediaType))) throw new Error(`file blob ${id} is not pending (swept or already claimed)`);
}

/** Removes a blob that was never claimed (a refused or failed upload); a claimed one is left alone. */
export async function discardBlob(db: DbOrTx, id: number | null | undefined): Promise<void> {
  if (id != null) await repo.remove(db, id, true);
}

/** Removes a blob with the row that pointed at it: call it in that row's deleting transaction. */
export async function deleteBlob(trx: DbOrTx, id: number | null | undefined): Promise<void> {
  if (id != null) await repo.remove(trx, id, false);
}

/** The content of a blob; 404 `file_missing` when there is none (bytes lost before the upgrade). */
export async function openBlob(db: DbOrTx, id: number | null | undefined): Promise<OpenedBlob> {
  const row = id == null ? undefined : await repo.findStored(db, id);
  if (!row) throw new AppError(404, 'file_missing', 'files.missing');
  const size = Number(row.size);
  return { size, sha256: row.sha256, mediaType: row.media_type, stream: Readable.from(readChunks(db, Number(row.id), size, row.sha256), { objectMode: false, highWaterMark: CHUNK_BYTES }) };
}

/** Yields the chunks in order, a query per READ_AHEAD chunks; damage (a gap, a wrong length or hash) fails the stream. */
async function* readChunks(db: DbOrTx, id: number, size: number, sha256: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let seq = 0;
  let sent = 0;
  for (;;) {
    const rows = await repo.chunksFrom(db, id, seq, READ_AHEAD);
    for (const row of rows) {
      if (Number(row.seq) !== seq) throw new Error(`file blob ${id} is damaged: chunk ${seq} is missing`);
      const bytes = row.bytes;
      hash.update(bytes);
      sent += bytes.length;
      seq++;
      yield bytes;
    }
    if (rows.length < READ_AHEAD) break;
  }
  if (sent !== size || hash.digest('hex') !== sha256) throw new Error(`file blob ${id} is damaged: ${sent} bytes read, ${size} expected, or the sha256 differs`);
}

/** Deletes a few blobs abandoned while pending; called before each write, so no job is needed. */
async function sweepAbandoned(db: DbOrTx): Promise<void> {
  for (const id of await repo.abandoned(db, Date.now() - ABANDONED_AFTER_MS, 10)) await repo.remove(db, id, true);
}
