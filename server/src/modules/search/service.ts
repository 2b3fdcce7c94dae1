import type { Db } from '../../db/index.js';
import { parseQuery, MAX_QUERY_TERMS, type ParsedQuery } from '../../core/search/query.js';
import { snippet, highlight } from '../../core/search/snippet.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { ALL_SCOPE } from '../../platform/auth/permissions.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { t } from '../../platform/i18n/index.js';
import type { SearchKind } from './indexer.js';
import { searchKind, type Filters, type Hit } from './engine.js';
import * as repo from './repo.js';
import type { SearchQuery, SearchResult } from './schema.js';

/**
 * One search over every kind (docs/SEARCH.md). The route is open to every signed-in user
 * (`self: 'identity'`); each kind is searched only for a caller holding its read permission
 * (and, for an API token, that scope), and inside the SQL only the docs the caller may see
 * are matched, counted and cut into snippets.
 */

/** The permission that lets a caller find a kind. CIs: until the CMDB (#13) brings its own, whoever reads customers. */
export const KIND_PERMISSION: Record<SearchKind, string> = {
  ticket: 'tickets.read',
  article: 'knowledge.read',
  ci: 'cmdb.read',
  contact: 'customers.read',
  customer: 'customers.read',
};
/** Groups in this order (tickets first: what the desk looks for most). */
const ORDER: SearchKind[] = ['ticket', 'article', 'ci', 'contact', 'customer'];
/** Hits are counted up to this many per kind ("1,000+": a count of 100,000 helps nobody and costs a scan). */
export const COUNT_CAP = 1000;

function mayUse(actor: Actor, permission: string): boolean {
  if (!can(actor, permission)) return false;
  const scopes = actor.tokenScopes;
  return !scopes || scopes.includes(ALL_SCOPE) || scopes.includes(permission);
}

export function viewerOf(actor: Actor): repo.Viewer {
  return actor.customerId !== null ? { staff: false, customerId: actor.customerId } : { staff: true, scope: actor.scope };
}

/** The page of a record for this caller (customers' users live in the portal). */
export function urlOf(kind: SearchKind, refId: number, customerId: number | null, staff: boolean): string {
  switch (kind) {
    case 'ticket':
      return staff ? `/tickets/${refId}` : `/portal/tickets/${refId}`;
    case 'article':
      return staff ? `/knowledge/${refId}` : `/portal/knowledge/${refId}`;
    case 'ci':
      return staff ? `/cmdb/${refId}` : `/portal/cmdb/${refId}`;
    case 'contact':
      return `/admin/customers/${customerId}?contact=${refId}`;
    case 'customer':
      return `/admin/customers/${refId}`;
  }
}

export class SearchService {
  constructor(private readonly db: Db) {}

  async search(actor: Actor, query: SearchQuery): Promise<SearchResult> {
    const started = performance.now();
    if (query.from !== undefined && query.to !== undefined && query.to <= query.from) throw AppError.field('to', 'search.rangeOrder');
    const kinds = (query.kinds ?? ORDER).filter((k) => mayUse(actor, KIND_PERMISSION[k]));
    const parsed = parseQuery(query.q);
    const base = { q: query.q, truncated: parsed.truncated, note: parsed.truncated ? t(actor.locale, 'search.truncated', { count: MAX_QUERY_TERMS }) : null };
    if (!parsed.terms.length) return { ...base, note: t(actor.locale, 'search.nothingToSearch'), groups: [], tookMs: performance.now() - started };
    if (!kinds.length) return { ...base, note: t(actor.locale, 'search.noKinds'), groups: [], tookMs: performance.now() - started };
    const viewer = viewerOf(actor);
    const now = Date.now();
    // The kinds at once: on PostgreSQL each on its own pooled connection (SQLite runs them in turn).
    const found = await Promise.all(
      ORDER.filter((k) => kinds.includes(k)).map(async (kind) => {
        const filters: Filters = { kind, customerId: query.customerId, state: query.state, from: query.from, to: query.to };
        const { hits, total } = await searchKind(this.db, parsed, viewer, filters, { limit: query.limit, offset: query.offset, cap: COUNT_CAP, now });
        return { kind, total, capped: total >= COUNT_CAP, hits };
      }),
    );
    const groups = found.filter((g) => g.hits.length || query.offset > 0);
    const names = await repo.customerNames(this.db, [...new Set(groups.flatMap((g) => g.hits.map((h) => h.customer_id)).filter((c): c is number => c !== null))]);
    return {
      ...base,
      groups: groups.map((g) => ({ kind: g.kind, total: g.total, capped: g.capped, items: g.hits.map((h) => this.item(h, parsed, viewer.staff, names)) })),
      tookMs: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  private item(h: Hit, q: ParsedQuery, staff: boolean, names: Map<number, string>) {
    const kind = h.kind as SearchKind;
    // Staff-only text is read (and cut into a snippet) only for staff: searchKind returns '' for others.
    const texts = staff ? [h.body, h.extra, h.staff_body] : [h.body, h.extra];
    return {
      kind,
      id: h.ref_id,
      title: h.title,
      titleHtml: highlight(h.title, q.highlight),
      snippetHtml: snippet(texts, q.highlight),
      customerId: h.customer_id,
      customerName: h.customer_id === null ? null : (names.get(h.customer_id) ?? null),
      state: h.state,
      at: iso(h.at),
      url: urlOf(kind, h.ref_id, h.customer_id, staff),
    };
  }
}
