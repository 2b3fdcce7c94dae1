import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../platform/http/errors.js';

/**
 * The bytes of signed reports (the PDF rendered at the signing, the scan of a paper form) under
 * DATA_DIR/files, content-addressed like the tickets' attachments (files/ab/cd/<sha256>): equal
 * bytes are stored once and a stored file is never overwritten. Back up DATA_DIR/files with the
 * database.
 */
export const MAX_SCAN_BYTES = 10 * 1024 * 1024;
export const SCAN_LIMIT_LABEL = '10 MB';

export interface StoredBytes {
  sha256: string;
  size: number;
  /** Relative to DATA_DIR. */
  storagePath: string;
  /** False when equal bytes were already there (so a rollback must not remove them). */
  created: boolean;
}

function addressOf(sha256: string): string {
  return path.join('files', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

async function moveIntoPlace(dataDir: string, tmp: string, sha256: string, size: number): Promise<StoredBytes> {
  const storagePath = addressOf(sha256);
  const target = path.join(dataDir, storagePath);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  if (fs.existsSync(target)) {
    await fs.promises.rm(tmp, { force: true });
    return { sha256, size, storagePath, created: false };
  }
  await fs.promises.rename(tmp, target);
  return { sha256, size, storagePath, created: true };
}

async function tmpFile(dataDir: string): Promise<string> {
  const dir = path.join(dataDir, 'files', 'tmp');
  await fs.promises.mkdir(dir, { recursive: true });
  return path.join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
}

export async function storeBytes(dataDir: string, bytes: Buffer): Promise<StoredBytes> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const tmp = await tmpFile(dataDir);
  await fs.promises.writeFile(tmp, bytes);
  return moveIntoPlace(dataDir, tmp, sha256, bytes.length);
}

/** Undoes a store whose database change did not commit (only bytes this store wrote). */
export async function discardStored(dataDir: string, stored: StoredBytes | null): Promise<void> {
  if (stored?.created) await fs.promises.rm(path.join(dataDir, stored.storagePath), { force: true });
}

export function readStored(dataDir: string, storagePath: string): fs.ReadStream {
  return fs.createReadStream(path.join(dataDir, storagePath));
}

export interface StoredScan extends StoredBytes {
  name: string;
  mime: string;
}

const SCAN_TYPES: Array<{ magic: Buffer; mime: string; ext: string }> = [
  { magic: Buffer.from('%PDF-', 'latin1'), mime: 'application/pdf', ext: 'pdf' },
  { magic: Buffer.from([0xff, 0xd8, 0xff]), mime: 'image/jpeg', ext: 'jpg' },
  { magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), mime: 'image/png', ext: 'png' },
];

/**
 * Streams the scan of a paper form to disk while hashing it; the type is read from the first
 * bytes (PDF, JPEG, PNG), never from the name. `truncated()` tells whether the multipart parser
 * cut the stream at the limit. Nothing is left on disk when the scan is refused.
 */
export async function storeScan(dataDir: string, rawName: string, stream: Readable, truncated: () => boolean): Promise<StoredScan> {
  const tmp = await tmpFile(dataDir);
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, tap, fs.createWriteStream(tmp));
    if (truncated() || size > MAX_SCAN_BYTES) {
      throw new AppError(413, 'too_large', 'http.tooLarge', { limit: SCAN_LIMIT_LABEL }, [{ field: 'file', code: 'fieldservice.scan.tooLarge', params: { limit: SCAN_LIMIT_LABEL } }]);
    }
    if (size === 0) throw AppError.field('file', 'fieldservice.scan.empty');
    const type = SCAN_TYPES.find((t) => head.length >= t.magic.length && head.subarray(0, t.magic.length).equals(t.magic));
    if (!type) throw AppError.field('file', 'fieldservice.scan.type', { detected: head.length ? `0x${head.subarray(0, 4).toString('hex')}` : '—' });
    const stored = await moveIntoPlace(dataDir, tmp, hash.digest('hex'), size);
    return { ...stored, name: scanName(rawName, type.ext), mime: type.mime };
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

/** The name shown and downloaded: no directories or control characters, the extension of the real type. */
function scanName(raw: string, ext: string): string {
  const base = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(-150);
  const stem = base.replace(/\.[^.]*$/, '') || 'scan';
  return `${stem}.${ext}`;
}
