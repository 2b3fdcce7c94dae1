import { z } from 'zod';
import { MAX_QUERY_CHARS } from '../../core/search/query.js';
import { id, instant } from '../../platform/http/zod.js';
import { SEARCH_KINDS } from './indexer.js';

/** The search API's contracts (docs/SEARCH.md). */

export const searchKind = z.enum(SEARCH_KINDS as unknown as ['ticket', 'article', 'ci', 'contact', 'customer']);

export const searchQuery = z.object({
  // Not trimmed to nothing-refused: an empty or all-punctuation query answers no groups, no error.
  q: z.string().max(MAX_QUERY_CHARS).default(''),
  /** Comma-separated kinds (default: every kind the caller may read). */
  kinds: z
    .string()
    .max(100)
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
      for (const p of parts) if (!(SEARCH_KINDS as readonly string[]).includes(p)) {
        ctx.addIssue({ code: 'custom', params: { code: 'search.kindUnknown', value: p, values: SEARCH_KINDS.join(', ') } });
        return z.NEVER;
      }
      return parts as z.infer<typeof searchKind>[];
    }),
  customerId: id.optional(),
  state: z.string().trim().min(1).max(32).optional(),
  from: instant.optional(),
  to: instant.optional(),
  /** Hits per kind on the first page. */
  limit: z.coerce.number().int().min(1).max(50).default(5),
  offset: z.coerce.number().int().min(0).max(200).default(0),
});
export type SearchQuery = z.output<typeof searchQuery>;

export const searchItem = z.object({
  kind: searchKind,
  id: z.number().int(),
  title: z.string(),
  /** HTML-escaped text with <mark> around the matched words; nothing else is markup. */
  snippetHtml: z.string(),
  /** Also escaped, with <mark>. */
  titleHtml: z.string(),
  customerId: z.number().int().nullable(),
  customerName: z.string().nullable(),
  state: z.string().nullable(),
  at: z.string(),
  /** The web app's page of the record for this caller. */
  url: z.string(),
});

export const searchResult = z.object({
  q: z.string(),
  /** The query's words beyond the first 24 were ignored. */
  truncated: z.boolean(),
  /** Why nothing was searched (empty, only punctuation or symbols), in the caller's language; null when searched. */
  note: z.string().nullable(),
  groups: z.array(
    z.object({
      kind: searchKind,
      /** Hits counted up to `capped` (then "1000+"). */
      total: z.number().int(),
      capped: z.boolean(),
      items: z.array(searchItem),
    }),
  ),
  tookMs: z.number(),
});
export type SearchResult = z.infer<typeof searchResult>;
