import { normalize } from './segment.js';

/**
 * How hits are ordered (docs/SEARCH.md, "Ranking"). The engines only find the candidates (the
 * newest matches the caller may see); the application ranks those few hundred by the query's
 * words in their text — a BM25-like saturated term frequency per column, weighted by column —
 * multiplied by a boost for open work and for recent records, so "打印机" shows this week's open
 * ticket before a closed one from 2023 with the same words. The same numbers on SQLite and
 * PostgreSQL: neither engine's own rank (FTS5 bm25 counts every match of every term of the
 * query over the whole index to weigh it; ts_rank_cd reads every candidate's tsvector) is used.
 */

/** Column weights: a word in the title counts most, then codes/numbers, the body, staff-only notes. */
export const COLUMN_WEIGHTS = { title: 10, extra: 6, body: 3, staff: 2 } as const;

/** PostgreSQL weight labels of the same columns (customers' users match A, B, C only; D is staff-only text). */
export const TS_WEIGHT = { title: 'A', extra: 'B', body: 'C', staff: 'D' } as const;

/** BM25's saturation and length normalisation (k1, b) and the typical length of each column, in characters. */
const K1 = 1.2;
const B = 0.5;
const TYPICAL_CHARS = { title: 20, extra: 30, body: 300, staff: 120 } as const;

/** A hit in open work (search_docs.open: a ticket still being worked on) counts this much more. */
export const OPEN_BOOST = 0.3;
/** A hit from the last RECENT_DAYS counts up to RECENT_BOOST more, fading linearly. */
export const RECENT_BOOST = 0.5;
export const RECENT_DAYS = 90;

/** The boost factor of a hit. */
export function boost(open: boolean, at: number, now: number): number {
  const ageDays = Math.max(0, (now - at) / 86_400_000);
  const recent = ageDays >= RECENT_DAYS ? 0 : RECENT_BOOST * (1 - ageDays / RECENT_DAYS);
  return 1 + (open ? OPEN_BOOST : 0) + recent;
}

/** How often `word` occurs in `text` (both normalised), counting up to 20. */
function occurrences(text: string, word: string): number {
  let n = 0;
  for (let i = text.indexOf(word); i >= 0 && n < 20; i = text.indexOf(word, i + word.length)) n++;
  return n;
}

export interface RankText {
  title: string;
  extra: string;
  body: string;
  /** Empty for a customer's user (staff-only text is never read for him). */
  staff: string;
}

/**
 * Text relevance of a hit to the query's words: for each word and column, tf / (tf + k1 · (1 −
 * b + b · length / typical length)), times the column's weight, summed. Every candidate holds
 * every term of the query, so this orders by how much and where, not whether.
 */
export function relevance(text: RankText, words: string[]): number {
  let score = 0;
  for (const column of ['title', 'extra', 'body', 'staff'] as const) {
    const raw = text[column];
    if (!raw) continue;
    const hay = normalize(raw);
    const norm = K1 * (1 - B + (B * hay.length) / TYPICAL_CHARS[column]);
    for (const w of words) {
      const tf = occurrences(hay, w);
      if (tf) score += (COLUMN_WEIGHTS[column] * tf) / (tf + norm);
    }
  }
  return score;
}

/** A hit's score: relevance × boost (a hit whose words are only in parts of terms still scores the boost). */
export function score(text: RankText, words: string[], open: boolean, at: number, now: number): number {
  return (0.1 + relevance(text, words)) * boost(open, at, now);
}
