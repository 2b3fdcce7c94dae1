import type { ParsedMail } from 'mailparser';
import { scrubText } from '../../platform/http/hygiene.js';

/**
 * A parsed message's text made storable on both databases (docs/MAIL-IN.md): NUL removed and
 * lone surrogates replaced by U+FFFD in every string — headers, addresses, subject, body,
 * attachment names — wherever they came from (raw bytes, `=00` in quoted-printable, an
 * encoded word, a UTF-16 part). Mail is not refused for it: the sender cannot be asked to
 * resend. Attachment contents (Buffers) are left alone. Changes the message in place.
 */
export function scrubMail(parsed: ParsedMail): ParsedMail {
  const seen = new Set<object>();
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v);
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date || seen.has(v)) return v;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) v.set(k, visit(x));
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = visit(v[i]);
    } else {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = visit(o[k]);
    }
    return v;
  };
  return visit(parsed) as ParsedMail;
}
