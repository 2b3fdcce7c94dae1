import type { Readable } from 'node:stream';
import type { DbOrTx } from '../../db/index.js';
import { discardBlob, writeBlob } from '../../platform/files/store.js';
import { AppError } from '../../platform/http/errors.js';

/**
 * Attachments: the name, type and size in `files`, the bytes in the database's file store
 * (platform/files), stored pending and claimed by the transaction that records the attachment.
 * The type is decided from the content (magic numbers), never from the name or the
 * declared MIME type; the name's extension must agree with it. HTML, SVG, scripts and
 * executables are not on the list: an attachment is downloaded, never rendered in the app.
 */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const ATTACHMENT_LIMIT_LABEL = '20 MB';
const SNIFF_BYTES = 4100;

interface FileType {
  label: string;
  /** Extension → MIME type; the first is the canonical one. */
  exts: Record<string, string>;
}

const OFFICE_ZIP: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  zip: 'application/zip',
};
const OFFICE_CFB: Record<string, string> = { doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint' };
const TEXT: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  json: 'application/json',
  conf: 'text/plain; charset=utf-8',
  cfg: 'text/plain; charset=utf-8',
  ini: 'text/plain; charset=utf-8',
  yaml: 'text/plain; charset=utf-8',
  yml: 'text/plain; charset=utf-8',
};

function startsWith(head: Buffer, bytes: number[] | string, offset = 0): boolean {
  const sig = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return head.length >= offset + sig.length && head.subarray(offset, offset + sig.length).equals(sig);
}

/** Text: no NUL and no control characters other than tab, newlines, form feed and escape (UTF-8 and GBK logs both pass). */
function looksLikeText(head: Buffer): boolean {
  for (const b of head) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f) return false;
  return true;
}

/** The type of a file from its first bytes (and size), or null when it is not an allowed one. */
export function sniff(head: Buffer, size: number): FileType | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { label: 'PNG', exts: { png: 'image/png' } };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { label: 'JPEG', exts: { jpg: 'image/jpeg', jpeg: 'image/jpeg' } };
  if (startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a')) return { label: 'GIF', exts: { gif: 'image/gif' } };
  if (startsWith(head, 'RIFF') && startsWith(head, 'WEBP', 8)) return { label: 'WebP', exts: { webp: 'image/webp' } };
  if (startsWith(head, 'BM') && head.length >= 6 && head.readUInt32LE(2) === size) return { label: 'BMP', exts: { bmp: 'image/bmp' } };
  if (startsWith(head, 'ftyp', 4)) return { label: 'MP4/MOV', exts: { mp4: 'video/mp4', mov: 'video/quicktime', m4v: 'video/mp4' } };
  if (startsWith(head, '%PDF-')) return { label: 'PDF', exts: { pdf: 'application/pdf' } };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return { label: 'ZIP/Office', exts: OFFICE_ZIP };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { label: 'Office 97–2003', exts: OFFICE_CFB };
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { label: '7z', exts: { '7z': 'application/x-7z-compressed' } };
  if (startsWith(head, 'Rar!\x1a\x07')) return { label: 'RAR', exts: { rar: 'application/vnd.rar' } };
  if (startsWith(head, [0x1f, 0x8b])) return { label: 'gzip', exts: { gz: 'application/gzip', tgz: 'application/gzip' } };
  if (looksLikeText(head)) return { label: 'text', exts: TEXT };
  return null;
}

function describe(head: Buffer): string {
  if (startsWith(head, 'MZ')) return 'Windows executable';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'ELF executable';
  return 'binary';
}

/** The name as shown and downloaded: no directories, no control characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const name = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!name || name === '.' || name === '..') throw AppError.field('file', 'tickets.attachment.name');
  return name.length > 200 ? name.slice(name.length - 200) : name;
}

export interface StoredFile {
  name: string;
  mime: string;
  size: number;
  sha256: string;
  /** The pending blob (platform/files) the attachment's row claims. */
  blobId: number;
}

const tooLarge = () =>
  new AppError(413, 'too_large', 'http.tooLarge', { limit: ATTACHMENT_LIMIT_LABEL }, [{ field: 'file', code: 'tickets.attachment.tooLarge', params: { limit: ATTACHMENT_LIMIT_LABEL } }]);

/**
 * Streams an upload into the file store while hashing it, then checks its size and type; a
 * refused upload is discarded. `truncated()` tells whether the multipart parser cut the stream
 * at the limit.
 */
export async function storeUpload(db: DbOrTx, rawName: string, stream: Readable, truncated: () => boolean): Promise<StoredFile> {
  const name = cleanFileName(rawName);
  const blob = await writeBlob(db, stream, { limit: MAX_ATTACHMENT_BYTES, tooLarge, headBytes: SNIFF_BYTES });
  try {
    if (truncated()) throw tooLarge();
    if (blob.size === 0) throw AppError.field('file', 'tickets.attachment.empty');
    const type = sniff(blob.head, blob.size);
    if (!type) throw AppError.field('file', 'tickets.attachment.type', { detected: describe(blob.head) });
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
    if (ext && !Object.hasOwn(type.exts, ext)) throw AppError.field('file', 'tickets.attachment.extension', { ext, detected: type.label });
    const mime = ext ? type.exts[ext] : Object.values(type.exts)[0];
    return { name, mime, size: blob.size, sha256: blob.sha256, blobId: blob.id };
  } catch (err) {
    await discardBlob(db, blob.id);
    throw err;
  }
}
