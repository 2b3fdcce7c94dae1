import type { Readable } from 'node:stream';
import type { DbOrTx } from '../../db/index.js';
import { discardBlob, writeBlob } from '../../platform/files/store.js';
import { AppError } from '../../platform/http/errors.js';

/**
 * The scan of a paper form a report was signed on, stored in the database's file store
 * (platform/files) like the PDF rendered at the signing, so every process and every backup
 * has it. The scan is stored pending; the signing's transaction claims it.
 */
export const MAX_SCAN_BYTES = 10 * 1024 * 1024;
export const SCAN_LIMIT_LABEL = '10 MB';

export interface StoredScan {
  blobId: number;
  sha256: string;
  size: number;
  name: string;
  mime: string;
}

const SCAN_TYPES: Array<{ magic: Buffer; mime: string; ext: string }> = [
  { magic: Buffer.from('%PDF-', 'latin1'), mime: 'application/pdf', ext: 'pdf' },
  { magic: Buffer.from([0xff, 0xd8, 0xff]), mime: 'image/jpeg', ext: 'jpg' },
  { magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), mime: 'image/png', ext: 'png' },
];

const tooLarge = () =>
  new AppError(413, 'too_large', 'http.tooLarge', { limit: SCAN_LIMIT_LABEL }, [{ field: 'file', code: 'fieldservice.scan.tooLarge', params: { limit: SCAN_LIMIT_LABEL } }]);

/**
 * Streams the scan into the file store while hashing it; the type is read from the first bytes
 * (PDF, JPEG, PNG), never from the name. `truncated()` tells whether the multipart parser cut
 * the stream at the limit. Nothing is kept when the scan is refused.
 */
export async function storeScan(db: DbOrTx, rawName: string, stream: Readable, truncated: () => boolean): Promise<StoredScan> {
  const blob = await writeBlob(db, stream, { limit: MAX_SCAN_BYTES, tooLarge, headBytes: 8 });
  try {
    if (truncated()) throw tooLarge();
    if (blob.size === 0) throw AppError.field('file', 'fieldservice.scan.empty');
    const head = blob.head;
    const type = SCAN_TYPES.find((t) => head.length >= t.magic.length && head.subarray(0, t.magic.length).equals(t.magic));
    if (!type) throw AppError.field('file', 'fieldservice.scan.type', { detected: head.length ? `0x${head.subarray(0, 4).toString('hex')}` : '—' });
    return { blobId: blob.id, sha256: blob.sha256, size: blob.size, name: scanName(rawName, type.ext), mime: type.mime };
  } catch (err) {
    await discardBlob(db, blob.id);
    throw err;
  }
}

/** The name shown and downloaded: no directories or control characters, the extension of the real type. */
function scanName(raw: string, ext: string): string {
  const base = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(-150);
  const stem = base.replace(/\.[^.]*$/, '') || 'scan';
  return `${stem}.${ext}`;
}
