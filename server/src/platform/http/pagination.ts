import { AppError } from './errors.js';

/**
 * Keyset pagination cursors: an opaque base64url JSON of the last row's sort key.
 * A tampered cursor is a validation error on `cursor`, never a server error.
 */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, shape: Array<'number' | 'string'>): unknown[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === shape.length && v.every((x, i) => typeof x === shape[i])) return v;
  } catch {
    /* fall through */
  }
  throw AppError.field('cursor', 'invalid');
}

/** Given limit+1 fetched rows, returns the page and the next cursor. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => unknown[]): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1])) };
}
