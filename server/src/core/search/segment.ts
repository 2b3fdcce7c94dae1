import { createRequire } from 'node:module';
import type { Jieba as JiebaT } from '@node-rs/jieba';

/**
 * Chinese-aware segmentation for full-text search, the same function for documents and queries
 * (docs/SEARCH.md). Neither database can segment Chinese (FTS5 unicode61 takes a whole Han run
 * as one token, its trigram tokenizer never matches 2-character words, Debian's PostgreSQL has
 * no zhparser), so the application turns text into space-separated terms that both engines
 * index verbatim:
 *
 * - a Han run → jieba's search-mode words (打印机 → 打印, 打印机) plus every character bigram
 *   of the run (卡纸, 纸无 …), so any 2+ character substring of the text is findable even where
 *   jieba's dictionary cuts elsewhere; plus the run's last character as a unigram (a 1-character
 *   run is just that), so every character of the text begins a term: a 1-character query asks
 *   for the terms starting with it and finds the 网 of 上网 at the end of a sentence too;
 * - Latin letters and digits → lower-cased terms; a compound joined by . - _ @ (10.1.2.3,
 *   inc-2026-000123, li.wei@example.cn) kept whole and in parts; a hyphen/dot-joined number
 *   (138-1234-5678) also as its digits (13812345678); leading zeros dropped as another part
 *   (000123 → 123) so a ticket's sequence number finds it.
 *
 * Pure: no IO; jieba's dictionary is loaded once, on first use.
 */

const require = createRequire(import.meta.url);
let jieba: JiebaT | null = null;
function cutter(): JiebaT {
  if (!jieba) {
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/** Characters a term may hold besides letters and digits (FTS5 is told they are token characters). */
export const TERM_JOINERS = '.-_@';

const HAN = /\p{Script=Han}/u;
/**
 * A Han run, or a Latin/number compound (parts of non-Han letters/digits joined by . - _ @).
 * Han characters are letters too: without the exclusion "UPS旁路告警" would be one Latin term.
 */
const RUN = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+(?:[.\-_@](?:(?!\p{Script=Han})[\p{L}\p{N}])+)*)/gu;
/** Longest term kept: a longer "word" is noise (a hash, base64) that would bloat the index. */
export const MAX_TERM_LENGTH = 64;

/** One run of the text: Han (with its bigrams and jieba words) or a Latin/number compound. */
export interface Run {
  kind: 'han' | 'latin';
  /** The run as written (lower-cased, NFKC-normalised). */
  text: string;
}

/** NFKC folds full-width ＨＩＳ５０２ to HIS502; lower-casing makes Latin case-insensitive. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export function runsOf(text: string): Run[] {
  const out: Run[] = [];
  for (const m of normalize(text).matchAll(RUN)) {
    if (m[1]) out.push({ kind: 'han', text: m[1] });
    else if (m[2]) out.push({ kind: 'latin', text: m[2] });
  }
  return out;
}

/** Character bigrams of a Han run; a single character is its own unigram. */
export function bigrams(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/** The parts of a Latin compound, besides the whole: its pieces, its digits, numbers without leading zeros. */
export function latinParts(compound: string): string[] {
  const pieces = compound.split(/[.\-_@]/).filter(Boolean);
  const out = pieces.length > 1 ? [...pieces] : [];
  if (pieces.length > 1 && /^\d+(?:[-.]\d+)+$/.test(compound) && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(compound)) out.push(pieces.join(''));
  for (const p of pieces) if (/^0+\d/.test(p)) out.push(p.replace(/^0+/, ''));
  return out;
}

function keep(term: string): boolean {
  return term.length > 0 && term.length <= MAX_TERM_LENGTH;
}

/**
 * The terms of a text, in text order, repetitions kept (the indexer keeps each once per column:
 * the engines only answer which docs hold a term; ranking counts words in the text itself).
 */
export function documentTerms(text: string, maxChars = 32_000): string[] {
  const out: string[] = [];
  for (const run of runsOf(text.length > maxChars ? text.slice(0, maxChars) : text)) {
    if (run.kind === 'han') {
      for (const w of cutter().cutForSearch(run.text, true)) if (HAN.test(w) && Array.from(w).length > 1) out.push(w);
      const chars = Array.from(run.text);
      out.push(...bigrams(run.text));
      // The last character begins no bigram: its unigram lets a 1-character query find it.
      if (chars.length > 1) out.push(chars[chars.length - 1]);
    } else {
      if (keep(run.text)) out.push(run.text);
      for (const p of latinParts(run.text)) if (keep(p)) out.push(p);
    }
  }
  return out;
}

/** The document's terms as the engines index them: space-separated. */
export function segment(text: string, maxChars?: number): string {
  return documentTerms(text, maxChars).join(' ');
}

/** jieba's words for a Han run (search mode), for query hints and highlighting. */
export function wordsOf(run: string): string[] {
  return cutter().cutForSearch(run, true).filter((w) => HAN.test(w));
}

/**
 * jieba's plain cut of a Han run (each character in exactly one word): how a query is split
 * into the words it asks for (打印机卡纸 → 打印机, 卡纸).
 */
export function cutWords(run: string): string[] {
  return cutter().cut(run, true).filter((w) => HAN.test(w));
}
