import { crc32 } from 'node:zlib';
import { AppError } from '../../platform/http/errors.js';

/**
 * The customer's on-screen signature: a PNG data URL from the signature pad. It is printed on
 * the report and kept with it, so it must be what it claims: the PNG signature bytes, an IHDR
 * chunk with a correct CRC and sensible dimensions, and an IEND chunk at the end (a truncated
 * upload fails). The pixels themselves are not inspected.
 */
export const MAX_SIGNATURE_BYTES = 300 * 1024;
export const SIGNATURE_LIMIT_LABEL = '300 KB';
const MIN_WIDTH = 64;
const MIN_HEIGHT = 32;
const MAX_SIDE = 4096;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const DATA_URL_RE = /^data:image\/png;base64,/i;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export interface Signature {
  png: Buffer;
  width: number;
  height: number;
}

const FIELD = 'signaturePng';

export function parseSignature(dataUrl: string): Signature {
  const trimmed = dataUrl.trim();
  if (!trimmed || /^data:[^,]*,$/i.test(trimmed)) throw AppError.field(FIELD, 'fieldservice.signature.empty');
  if (!DATA_URL_RE.test(trimmed)) throw AppError.field(FIELD, 'fieldservice.signature.format');
  const payload = trimmed.slice(trimmed.indexOf(',') + 1);
  if (!BASE64_RE.test(payload) || payload.length % 4 === 1) throw AppError.field(FIELD, 'fieldservice.signature.format');
  // Checked on the encoded length first, so an oversized payload is never decoded.
  if (Math.floor((payload.length * 3) / 4) - (payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0) > MAX_SIGNATURE_BYTES) {
    throw AppError.field(FIELD, 'fieldservice.signature.tooLarge', { limit: SIGNATURE_LIMIT_LABEL });
  }
  const png = Buffer.from(payload, 'base64');
  if (png.length === 0) throw AppError.field(FIELD, 'fieldservice.signature.empty');
  const { width, height } = pngDimensions(png);
  if (width < MIN_WIDTH || height < MIN_HEIGHT || width > MAX_SIDE || height > MAX_SIDE) {
    throw AppError.field(FIELD, 'fieldservice.signature.dimensions', { width, height, minWidth: MIN_WIDTH, minHeight: MIN_HEIGHT, max: MAX_SIDE });
  }
  return { png, width, height };
}

/** Width and height from a PNG's IHDR chunk, after checking the file's structure. */
function pngDimensions(png: Buffer): { width: number; height: number } {
  const bad = () => AppError.field(FIELD, 'fieldservice.signature.notPng');
  // magic (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC) + IEND (12)
  if (png.length < 8 + 25 + 12 || !png.subarray(0, 8).equals(PNG_MAGIC)) throw bad();
  if (png.readUInt32BE(8) !== 13 || png.toString('latin1', 12, 16) !== 'IHDR') throw bad();
  if (crc32(png.subarray(12, 29)) !== png.readUInt32BE(29)) throw bad();
  if (!png.subarray(png.length - 12).equals(IEND)) throw bad();
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
