import { bigrams, cutWords, MAX_TERM_LENGTH, runsOf, wordsOf } from './segment.js';

/**
 * A user's search text → the terms both engines are asked for, never the raw text (docs/SEARCH.md).
 * Everything that is not a letter, digit or term joiner (. - _ @) is a separator, so FTS5's
 * syntax (" * ( ) : ^ {}) and SQL fragments (' ; --) are gone before a query is built; words
 * like NEAR, OR, AND, NOT become ordinary lower-cased terms inside quotes, never operators.
 *
 * Matching: every term is required (AND). A Han run of 2+ characters is cut into words by jieba
 * and asks for the bigrams of each word of 2+ characters (the documents hold every bigram, so a
 * word matches whatever jieba made of the text, and the words need not be adjacent); a single Han character asks for the terms that start with it (prefix: its unigram
 * and the bigrams it begins; a character that only ends a run is not found — documented); a
 * Latin/number compound asks for itself whole (10.1.2.3, inc-2026-000123).
 */

/** The characters of a query we read; the API refuses more than MAX_QUERY_CHARS (field q). */
export const MAX_QUERY_CHARS = 1000;
/** Required terms kept; the rest of a long query is dropped and the answer says so. */
export const MAX_QUERY_TERMS = 24;

export interface QueryTerm {
  term: string;
  /** Match terms starting with it (a single Han character). */
  prefix: boolean;
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** What the snippet marks: the Han runs, their jieba words and bigrams, the Latin compounds. */
  highlight: string[];
  /**
   * The words ranking counts in a hit's text (core/search/rank.ts): each jieba word of a Han run
   * (the run itself when jieba leaves only single characters), a lone character, a Latin compound.
   */
  words: string[];
  /** Terms beyond MAX_QUERY_TERMS were dropped. */
  truncated: boolean;
}

export function parseQuery(raw: string | null | undefined): ParsedQuery {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  const highlight = new Set<string>();
  const words = new Set<string>();
  let truncated = false;
  const add = (term: string, prefix: boolean) => {
    if (!term || term.length > MAX_TERM_LENGTH || seen.has(term)) return;
    if (terms.length >= MAX_QUERY_TERMS) {
      truncated = true;
      return;
    }
    seen.add(term);
    terms.push({ term, prefix });
  };
  for (const run of runsOf((raw ?? '').slice(0, MAX_QUERY_CHARS))) {
    if (run.kind === 'han') {
      const chars = Array.from(run.text);
      if (chars.length === 1) {
        add(run.text, true);
        words.add(run.text);
      } else {
        // Each word jieba cuts from the run asks for its own bigrams; a bigram straddling two
        // words (机卡 of 打印机卡纸) is not required, so 打印机卡纸 also finds 打印机经常卡纸.
        // Single characters between words (的, 了) are dropped unless nothing else is left.
        const cut = cutWords(run.text).filter((w) => Array.from(w).length > 1);
        for (const w of cut.length ? cut : [run.text]) {
          for (const b of bigrams(w)) add(b, false);
          words.add(w);
        }
      }
      highlight.add(run.text);
      if (chars.length > 1) for (const w of wordsOf(run.text)) if (Array.from(w).length > 1) highlight.add(w);
      for (const b of bigrams(run.text)) highlight.add(b);
    } else {
      add(run.text, false);
      highlight.add(run.text);
      words.add(run.text);
    }
  }
  return { terms, highlight: [...highlight], words: [...words], truncated };
}

/** A term as a quoted FTS5 string (a term holds no quote; doubling one is belt and braces). */
function ftsTerm(t: QueryTerm): string {
  return `"${t.term.replace(/"/g, '""')}"${t.prefix ? ' *' : ''}`;
}

/** What besides the words a match must have (core/search/tokens.ts). */
export interface MatchOptions {
  /** Match the words only in these columns / weight labels (customers' users: never the staff-only text). */
  columns?: string[];
  weights?: string;
  /** Token groups, all required, each satisfied by any of its tokens (scope, recency buckets). */
  groups?: string[][];
}

/** A token (ours, from core/search/tokens.ts: `_`, letters, digits, dots) checked before it goes into a query. */
function checkedToken(t: string): string {
  if (!/^_[a-z0-9.]+$/.test(t)) throw new Error(`search: not an index token: ${t}`);
  return t;
}

/**
 * The FTS5 MATCH expression: all terms required, in `columns` when given; every token group in
 * the column `scope` (where the tokens are, and no word ever is).
 */
export function ftsMatch(q: ParsedQuery, opts: MatchOptions = {}): string {
  const expr = q.terms.map(ftsTerm).join(' AND ');
  const words = opts.columns ? `{${opts.columns.join(' ')}} : (${expr})` : expr;
  const groups = (opts.groups ?? []).map((g) => `{scope} : (${g.map((t) => `"${checkedToken(t)}"`).join(' OR ')})`);
  return [words, ...groups].join(' AND ');
}

/**
 * The PostgreSQL tsquery text (cast with ::tsquery, which takes lexemes as given: to_tsquery
 * would run them through the parser again and split 10.1.2.3). `weights` restricts the words to
 * those weight labels (customers' users: A, B, C — never D, the staff-only text); each token
 * group is an OR of its tokens.
 */
export function tsQuery(q: ParsedQuery, opts: MatchOptions = {}): string {
  const w = opts.weights ?? '';
  const words = q.terms.map((t) => `'${t.term.replace(/['\\]/g, (c) => `\\${c}`)}'${t.prefix || w ? ':' : ''}${t.prefix ? '*' : ''}${w}`);
  const groups = (opts.groups ?? []).map((g) => (g.length === 1 ? `'${checkedToken(g[0])}'` : `(${g.map((t) => `'${checkedToken(t)}'`).join(' | ')})`));
  return [...words, ...groups].join(' & ');
}
