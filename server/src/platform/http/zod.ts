import { z } from 'zod';

/**
 * Shared zod building blocks for the edge. Text is trimmed; "blank" (only whitespace) and
 * "too long" get their own codes so messages name the field and the rule.
 */
export function text(max = 200) {
  return z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().min(1).max(max));
}

/** Optional text: absent, null or empty-after-trim all become null. */
export function optionalText(max = 2000) {
  return z
    .string()
    .max(max)
    .nullish()
    .transform((s) => {
      const v = s?.trim();
      return v ? v : null;
    });
}

export const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
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

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** An ISO-8601 instant with an explicit offset (a local time without offset is ambiguous). */
export const instant = z
  .string()
  .refine((s) => INSTANT_RE.test(s) && !Number.isNaN(Date.parse(s)), { params: { code: 'instant' } })
  .transform((s) => Date.parse(s));

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
