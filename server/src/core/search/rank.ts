/**
 * How hits are ordered (docs/SEARCH.md): the engine's text relevance (FTS5 bm25 with column
 * weights, PostgreSQL ts_rank_cd over weight labels) multiplied by a boost for open work and
 * for recent records, so "打印机" shows this week's open ticket before a closed one from 2023
 * with the same words. The repository turns these numbers into SQL on both databases.
 */

/** Column weights: title, body, staff-only notes, extra (codes, numbers). FTS5 bm25 takes them in column order. */
export const BM25_WEIGHTS = { title: 10, body: 3, staff: 2, extra: 6 } as const;

/** PostgreSQL weight labels of the same columns (ts_rank_cd's default weights favour A over D). */
export const TS_WEIGHT = { title: 'A', extra: 'B', body: 'C', staff: 'D' } as const;
/** ts_rank_cd weights for {D, C, B, A}. */
export const TS_RANK_WEIGHTS = '{0.2, 0.4, 0.7, 1.0}';

/** A hit in open work (search_docs.open: a ticket still being worked on) counts this much more. */
export const OPEN_BOOST = 0.3;
/** A hit from the last RECENT_DAYS counts up to RECENT_BOOST more, fading linearly. */
export const RECENT_BOOST = 0.5;
export const RECENT_DAYS = 90;

/** The boost factor of a hit (the SQL computes the same from its columns; kept here for tests and the doc). */
export function boost(open: boolean, at: number, now: number): number {
  const ageDays = Math.max(0, (now - at) / 86_400_000);
  const recent = ageDays >= RECENT_DAYS ? 0 : RECENT_BOOST * (1 - ageDays / RECENT_DAYS);
  return 1 + (open ? OPEN_BOOST : 0) + recent;
}
