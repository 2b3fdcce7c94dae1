import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../db/index.js';
import { recordAudit, type AuditActor } from '../audit/service.js';

/**
 * Security events that an attacker can produce in floods. Each is audited, but aggregated: the
 * events are counted per kind, client address and minute (table security_events), and the audit
 * log gets a row at the 1st, 10th, 100th, 1000th … event of each such window, saying how many so
 * far. A flood from one address thus writes a handful of rows a minute, and one from many
 * addresses at most ADDRESSES_PER_WINDOW addresses' rows plus those of one shared bucket.
 */
export type SecurityEventKind = 'login_rate_limited' | 'csrf_refused' | 'token_invalid';

export const EVENT_WINDOW_MS = 60_000;
/** Client addresses a kind gets counters of its own for in one window; later ones share "*". */
export const ADDRESSES_PER_WINDOW = 20;
const SHARED_BUCKET = '*';
/** Counters are kept a day (the audit rows keep what they said for good). */
const KEEP_MS = 86_400_000;

/** 1, 10, 100, …: the counts at which a window writes an audit row. */
export function isMilestone(count: number): boolean {
  let n = count;
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** The address's own counter while the window has room for it (or already has it), else the shared one. */
async function bucketFor(trx: DbOrTx, kind: SecurityEventKind, ip: string, windowStart: number): Promise<string> {
  const rows = await trx
    .selectFrom('security_events')
    .select('ip')
    .where('kind', '=', kind)
    .where('window_start', '=', windowStart)
    .where('ip', '!=', SHARED_BUCKET)
    .limit(ADDRESSES_PER_WINDOW + 1)
    .execute();
  return rows.length < ADDRESSES_PER_WINDOW || rows.some((r) => r.ip === ip) ? ip : SHARED_BUCKET;
}

/** Counts the event atomically (one upsert, on both databases) and answers the count so far. */
async function countEvent(trx: DbOrTx, kind: SecurityEventKind, ip: string, windowStart: number): Promise<number> {
  const row = await trx
    .insertInto('security_events')
    .values({ kind, ip, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['kind', 'window_start', 'ip']).doUpdateSet({ count: sql<number>`${sql.ref('security_events.count')} + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Records one security event: counted always, audited (through recordAudit, so hash-chained)
 * at the window's milestones. `detail` describes the event that wrote the row.
 */
export async function noteSecurityEvent(db: Db, kind: SecurityEventKind, who: AuditActor, detail: Record<string, unknown> = {}, now = Date.now()): Promise<void> {
  const windowStart = now - (now % EVENT_WINDOW_MS);
  await db.transaction().execute(async (trx) => {
    const bucket = await bucketFor(trx, kind, who.ip ?? 'unknown', windowStart);
    const count = await countEvent(trx, kind, bucket, windowStart);
    if (count === 1) await trx.deleteFrom('security_events').where('window_start', '<', now - KEEP_MS).execute();
    if (!isMilestone(count)) return;
    const window = { windowStart: new Date(windowStart).toISOString(), windowSeconds: EVENT_WINDOW_MS / 1000, countInWindow: count };
    const shared = bucket === SHARED_BUCKET ? { addresses: 'many' } : {};
    await recordAudit(trx, who, { action: kind, entity: 'security', after: { ...detail, ...window, ...shared } }, now);
  });
}
