/*
 * THE SEARCH INDEXER — the one way records get into full-text search (docs/SEARCH.md).
 *
 * For the knowledge-base module (and #13's CIs): call these INSIDE the transaction that writes
 * the record, so the index never lags and a rolled-back write leaves no hit behind:
 *
 *   import { indexDoc, removeDoc } from '../search/indexer.js';
 *   await indexDoc(trx, {
 *     kind: 'article', refId: article.id,
 *     customerId: null,                  // null: not one customer's record
 *     audience: 'customers',             // 'internal' (staff only) | 'customers' | 'public'
 *     audienceCustomerIds: [3, 7],       // optional: only these customers' users (audience 'customers')
 *     title, body: bodyText + attachmentsText,   // plain text, not HTML
 *     staffBody: internalNotes,          // optional, staff only: never matched or shown to customers
 *     extra: tags.join(' '),             // optional: codes, numbers, IPs, phones
 *     state: 'published', open: true,    // optional; open = ranking boost
 *     at: article.updated_at,            // epoch ms, recency
 *   });
 *   await removeDoc(trx, 'article', article.id);   // archived / deleted: gone from search
 *
 * indexDoc replaces the record's previous entry (call it on every change). Only records a
 * customer's user may read should carry audience 'customers' / 'public': drafts and internal
 * articles are 'internal' (or removed). Staff see a doc when customer_id is null or in their scope.
 */
import type { DbOrTx } from '../../db/index.js';
import { documentTerms } from '../../core/search/segment.js';
import { scopeTokens } from '../../core/search/tokens.js';
import * as repo from './repo.js';

export type SearchKind = 'ticket' | 'article' | 'ci' | 'contact' | 'customer';
export const SEARCH_KINDS: readonly SearchKind[] = ['ticket', 'article', 'ci', 'contact', 'customer'];

export interface SearchDoc {
  kind: SearchKind;
  refId: number;
  /** null = not customer-specific. */
  customerId: number | null;
  /** Who may see it besides staff in scope; an article may instead name customers (audienceCustomerIds). */
  audience: 'internal' | 'customers' | 'public';
  audienceCustomerIds?: number[];
  title: string;
  body: string;
  /** Internal notes: staff only, never matched or shown for a customer's user. */
  staffBody?: string;
  /** Codes, numbers, IPs, phones. */
  extra?: string;
  state?: string;
  /** Open work (ranking boost). */
  open?: boolean;
  /** Recency, epoch ms; also what the date filter reads. */
  at: number;
}

/** How much of each text is kept for snippets and indexed (a 1 MB paste must not make a 1 MB row). */
export const MAX_BODY_CHARS = 32_000;
const MAX_TITLE_CHARS = 500;
const MAX_EXTRA_CHARS = 4_000;

/** A doc's stored text and its segmented terms per column, ready for either engine. */
export interface PreparedDoc {
  doc: SearchDoc;
  audience: 'internal' | 'customers' | 'public' | 'named';
  title: string;
  body: string;
  staffBody: string;
  extra: string;
  /** Each term once per column: the engines answer which docs hold a term, ranking reads the text. */
  terms: { title: string[]; body: string[]; staff: string[]; extra: string[] };
  /** Who may see it, as index tokens (core/search/tokens.ts). */
  scope: string[];
}

const distinct = (text: string) => [...new Set(documentTerms(text))];

export function prepareDoc(doc: SearchDoc): PreparedDoc {
  const title = doc.title.slice(0, MAX_TITLE_CHARS);
  const body = doc.body.slice(0, MAX_BODY_CHARS);
  const staffBody = (doc.staffBody ?? '').slice(0, MAX_BODY_CHARS);
  const extra = (doc.extra ?? '').slice(0, MAX_EXTRA_CHARS);
  const named = doc.audience === 'customers' && (doc.audienceCustomerIds?.length ?? 0) > 0;
  return {
    doc,
    audience: named ? 'named' : doc.audience,
    title,
    body,
    staffBody,
    extra,
    terms: { title: distinct(title), body: distinct(body), staff: distinct(staffBody), extra: distinct(extra) },
    scope: scopeTokens(doc),
  };
}

/** Puts (or replaces) the record's entry, in the caller's transaction. */
export async function indexDoc(trx: DbOrTx, doc: SearchDoc): Promise<void> {
  await repo.putDocs(trx, [prepareDoc(doc)], Date.now());
}

/** Several at once (reindex, imports): one statement per table per batch. */
export async function indexDocs(trx: DbOrTx, docs: SearchDoc[]): Promise<void> {
  if (docs.length) await repo.putDocs(trx, docs.map(prepareDoc), Date.now());
}

/** Takes the record out of search (deleted, archived, no longer searchable). */
export async function removeDoc(trx: DbOrTx, kind: SearchKind, refId: number): Promise<void> {
  await repo.removeDocs(trx, kind, [refId]);
}
