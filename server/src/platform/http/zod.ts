import { z } from 'zod';
import { textProblem } from './hygiene.js';

/**
 * Shared zod building blocks for the edge. Text is trimmed; "blank" (only whitespace) and
 * "too long" get their own codes so messages name the field and the rule.
 */
/**
 * NUL and lone surrogates refused (docs/API.md, "Input rules"): the edge hook does it for JSON
 * and queries; this keeps it true for text read elsewhere (multipart fields, spreadsheet rows).
 */
const storable = z.string().superRefine((s, ctx) => {
  const code = textProblem(s);
  if (code) ctx.addIssue({ code: 'custom', params: { code } });
});

export function text(max = 200) {
  return storable
    .transform((s) => s.trim())
    .pipe(z.string().min(1).max(max));
}

/** Optional text: absent, null or empty-after-trim all become null. */
export function optionalText(max = 2000) {
  return storable
    .max(max)
    .nullish()
    .transform((s) => {
      const v = s?.trim();
      return v ? v : null;
    });
}

/** Canonical decimal text of a record id: no sign, leading zero, fraction, exponent or hex. */
const ID_RE = /^[1-9]\d{0,15}$/;

/** A record id from text (a path or query parameter), or null when it is not one: `01`, `1.0`, `0x1`, `1e3`, ` 1` are not ids. */
export function parseId(s: unknown): number | null {
  if (typeof s !== 'string' || !ID_RE.test(s)) return null;
  const n = Number(s);
  return n <= Number.MAX_SAFE_INTEGER ? n : null;
}

/**
 * A record id: a JSON integer in a body, its canonical decimal text in a path or query
 * (docs/API.md, "Input rules"). A path parameter that is not one answers 404 (errors.ts).
 */
export const id = z.preprocess((v, ctx) => {
  if (typeof v !== 'string') return v;
  const n = parseId(v);
  if (n === null) ctx.addIssue({ code: 'custom', params: { code: 'id' }, input: v });
  return n ?? v;
}, z.int().positive().max(Number.MAX_SAFE_INTEGER));
export const idParams = z.object({ id });

export function isTimeZone(tz: string): boolean {
  if (!tz || /\s/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z.string().refine(isTimeZone, { params: { code: 'timeZone' } });

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/** Whether year-month-day names a day of the proleptic Gregorian calendar (any year 0000–9999). */
function dateExists(y: string, mo: string, d: string): boolean {
  const day = new Date(0);
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  return day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(mo) - 1 && day.getUTCDate() === Number(d);
}

/**
 * An ISO-8601 instant with an explicit offset → epoch ms, or null. Strict where Date.parse is
 * lenient: a date that does not exist (02-30, month 13), hour 24 or more, minute or second 60
 * or more, an offset beyond ±23:59 are refused rather than rolled over.
 */
export function parseInstant(s: string): number | null {
  const m = INSTANT_RE.exec(s);
  if (!m || !dateExists(m[1], m[2], m[3])) return null;
  const [h, mi, sec, oh, om] = [m[4], m[5], m[6] ?? '0', m[9] ?? '0', m[10] ?? '0'].map(Number);
  if (h > 23 || mi > 59 || sec > 59 || oh > 23 || om > 59) return null;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const wall = new Date(0);
  wall.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  wall.setUTCHours(h, mi, sec, ms);
  return wall.getTime() - (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
}

/**
 * False when text that starts like an ISO date (and time) names one that does not exist
 * (2026-02-30, 25:00, minute 60): for parsers that otherwise accept what Date.parse reads.
 */
export function calendarFieldsValid(s: string): boolean {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(s);
  if (!m) return true;
  if (!dateExists(m[1], m[2], m[3])) return false;
  return m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6] ?? 0) <= 59);
}

/** An ISO-8601 instant with an explicit offset (a local time without offset is ambiguous). */
export const instant = z
  .string()
  .refine((s) => parseInstant(s) !== null, { params: { code: 'instant' } })
  .transform((s) => parseInstant(s)!);

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isLocalDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}
export const localDate = z.string().refine(isLocalDate, { params: { code: 'date' } });

export const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .nullish()
  .or(z.literal('').transform(() => null));

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  q: z.string().trim().max(100).optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function page<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Instants go out as ISO-8601 UTC strings. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
