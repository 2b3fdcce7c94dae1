import { createHash } from 'node:crypto';
import type { Db, DbOrTx } from '../../db/index.js';
import { lockForChain } from '../../db/dialect.js';
import type { Actor } from '../auth/actor.js';

/**
 * The append-only audit log. Every row carries the hash of the previous row, so editing or
 * deleting any row breaks the chain from that row on; `verifyChain` names the first bad row.
 */
export interface AuditEntry {
  action: string; // create | update | delete | login | login_failed | lockout | logout | permission_change | ...
  entity: string; // users, customers, contracts, ...
  entityId?: string | number | null;
  customerId?: number | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditActor {
  userId: number | null;
  name: string;
  ip: string | null;
}

export function auditActorOf(actor: Actor): AuditActor {
  return { userId: actor.userId || null, name: actor.username, ip: actor.ip };
}

const GENESIS = '0'.repeat(64);
const CHAIN_LOCK = 0x5977_0001; // advisory lock key for the audit chain on PostgreSQL

/** Secrets never reach the log, whatever a caller passes. */
const REDACT = new Set(['password', 'password_hash', 'passwordHash', 'token', 'token_hash', 'tokenHash', 'newPassword', 'currentPassword']);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = REDACT.has(k) ? '[redacted]' : redact(v);
    return out;
  }
  return value;
}

/** Canonical JSON (sorted keys) so the hash does not depend on property order. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

interface HashedFields {
  at: number;
  actor_id: number | null;
  actor_name: string;
  ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  customer_id: number | null;
  before: string | null;
  after: string | null;
}

export function rowHash(prevHash: string, f: HashedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(f)).digest('hex');
}

/**
 * Appends one entry. Call it inside the transaction of the change it records, so the change
 * and its audit row commit (or roll back) together.
 */
export async function recordAudit(trx: DbOrTx, who: AuditActor, entry: AuditEntry, now = Date.now()): Promise<void> {
  await lockForChain(trx, CHAIN_LOCK);
  const last = await trx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prev = last?.hash ?? GENESIS;
  const fields: HashedFields = {
    at: now,
    actor_id: who.userId,
    actor_name: who.name,
    ip: who.ip,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
    customer_id: entry.customerId ?? null,
    before: entry.before === undefined ? null : JSON.stringify(redact(entry.before)),
    after: entry.after === undefined ? null : JSON.stringify(redact(entry.after)),
  };
  await trx.insertInto('audit_log').values({ ...fields, prev_hash: prev, hash: rowHash(prev, fields) }).execute();
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first row whose content or link is wrong, or after which a row is missing. */
  firstBadId: number | null;
  reason: 'altered' | 'removed' | null;
}

/** Walks the chain in id order, in batches, and reports the first row that does not verify. */
export async function verifyChain(db: Db, batch = 5000): Promise<VerifyResult> {
  let prev = GENESIS;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', lastId).orderBy('id').limit(batch).execute();
    if (rows.length === 0) return { ok: true, checked, firstBadId: null, reason: null };
    for (const r of rows) {
      const { id, prev_hash, hash, ...fields } = r;
      if (prev_hash !== prev) return { ok: false, checked, firstBadId: id, reason: 'removed' };
      if (rowHash(prev_hash, fields) !== hash) return { ok: false, checked, firstBadId: id, reason: 'altered' };
      prev = hash;
      lastId = id;
      checked++;
    }
  }
}
