import { api } from './client';

/** GET /api/v1/search (docs/SEARCH.md). */
export type SearchKind = 'ticket' | 'article' | 'ci' | 'contact' | 'customer';

export interface SearchItem {
  kind: SearchKind;
  id: number;
  title: string;
  /** Escaped by the server; only <mark> is markup. */
  titleHtml: string;
  snippetHtml: string;
  customerId: number | null;
  customerName: string | null;
  state: string | null;
  at: string;
  url: string;
}

export interface SearchResult {
  q: string;
  truncated: boolean;
  note: string | null;
  groups: Array<{ kind: SearchKind; total: number; capped: boolean; items: SearchItem[] }>;
  tookMs: number;
}

export function search(q: string, opts: { kinds?: SearchKind[]; limit?: number } = {}, signal?: AbortSignal): Promise<SearchResult> {
  return api.get<SearchResult>('/search', { q, kinds: opts.kinds?.join(','), limit: opts.limit ?? 5 }, { signal });
}

/**
 * The server's highlighted text, made inert once more on this side: every '<' that does not
 * open or close a <mark> is escaped, so nothing but <mark> can ever become markup here.
 */
export function markOnly(html: string): string {
  return html.replace(/<(?!\/?mark>)/g, '&lt;');
}
