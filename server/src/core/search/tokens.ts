/**
 * Index terms that say who may see a document and where it sits in time, indexed beside its
 * words so the engine itself filters by them (docs/SEARCH.md, "Who sees what"). Each starts with
 * `_`, which segmentation never produces from user text (a term starts with a letter, a digit or
 * a Han character; `_` is a joiner only between parts), so no query can ask for one and no text
 * can forge one.
 *
 * - `_c<id>`: the doc's customer for staff scope (`_c0`: no one customer's). A scoped engineer
 *   asks for `_c0 OR _c<each customer in scope>`.
 * - `_u<id>`: a customer whose users may read the doc (`_u0`: every customer's users). Internal
 *   docs have none. A customer's user asks for `_u0 OR _u<his customer>`.
 * - PostgreSQL only: `_k<kind>` and `_b<kind>.<level>.<bucket>` (the record id's bucket of
 *   2^level ids), so "the newest matches" is a GIN lookup of a few buckets (modules/search/engine.ts).
 *
 * Pure: the same function gives the tokens at write time and the viewer's side at query time.
 */

/** The prefix no segmented term can start with. */
export const TOKEN_PREFIX = '_';

export interface ScopeInput {
  customerId: number | null;
  audience: 'internal' | 'customers' | 'public';
  /** Audience 'customers' limited to these customers' users (a named article). */
  audienceCustomerIds?: number[];
}

export const staffToken = (customerId: number | null) => `_c${customerId ?? 0}`;
export const readerToken = (customerId: number | null) => `_u${customerId ?? 0}`;

/**
 * Which customers' users may read the doc: none (internal); every customer's (`null`) when it is
 * for customers and belongs to none; else its customer, or the named ones (only those that are
 * also its customer, when it has one) — exactly the SQL predicate `visible` of the repository.
 */
export function readers(d: ScopeInput): Array<number | null> {
  if (d.audience === 'internal') return [];
  const named = d.audience === 'customers' && (d.audienceCustomerIds?.length ?? 0) > 0 ? [...new Set(d.audienceCustomerIds)] : null;
  if (named) return d.customerId === null ? named : named.filter((c) => c === d.customerId);
  return [d.customerId];
}

/** The doc's scope tokens: its staff token and its readers' tokens. */
export function scopeTokens(d: ScopeInput): string[] {
  return [staffToken(d.customerId), ...readers(d).map(readerToken)];
}

/** Who is searching, as the engines see it. */
export type ScopeViewer = { staff: true; all: true } | { staff: true; all: false; customerIds: number[] } | { staff: false; customerId: number };

/**
 * The token groups a viewer's matches must have (each group: at least one of its tokens);
 * no group for staff with every customer in scope.
 */
export function viewerGroups(v: ScopeViewer): string[][] {
  if (v.staff) return v.all ? [] : [[staffToken(null), ...[...new Set(v.customerIds)].map(staffToken)]];
  return [[readerToken(null), readerToken(v.customerId)]];
}

/**
 * Bucket levels (2^level record ids a bucket): each 4 times the one before, up to 2^24 ids a kind
 * (beyond, the whole kind is the next window). A window too small by a little is followed by one
 * at most 4–8 times larger, so the rows read past the 200 needed stay few.
 */
export const BUCKET_LEVELS = [12, 14, 16, 18, 20, 22, 24] as const;

export const kindToken = (kindCode: number) => `_k${kindCode}`;
export const bucketToken = (kindCode: number, level: number, bucket: number) => `_b${kindCode}.${level}.${bucket}`;

/** A record's kind token and its bucket at every level (PostgreSQL's index only). */
export function timeTokens(kindCode: number, refId: number): string[] {
  return [kindToken(kindCode), ...BUCKET_LEVELS.map((l) => bucketToken(kindCode, l, Math.floor(refId / 2 ** l)))];
}

/**
 * The buckets of one level that hold the newest ids of a kind whose highest id is `maxId`: the
 * two buckets from `maxId − 2^level` up, a contiguous range to the end, so a match in them
 * is newer than every match outside them. `null` when they would reach back to the kind's first
 * bucket (then the window is the whole kind).
 */
export function newestBuckets(kindCode: number, level: number, maxId: number): { tokens: string[]; firstId: number } | null {
  const size = 2 ** level;
  const lo = Math.floor((maxId - size) / size);
  if (lo <= 0) return null;
  // maxId − 2^level and maxId are exactly one bucket apart: always two buckets.
  return { tokens: [bucketToken(kindCode, level, lo), bucketToken(kindCode, level, lo + 1)], firstId: lo * size };
}
