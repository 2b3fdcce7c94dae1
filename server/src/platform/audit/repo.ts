import type { DbOrTx } from '../../db/index.js';
import type { CustomerScope } from '../auth/actor.js';

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actorId?: number;
  action?: string;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** Only rows with an id below this one (the keyset cursor; newest first). */
  beforeId?: number;
}

/**
 * Audit log search, newest first. An actor limited to some customers sees only the rows of
 * those customers: rows about no customer (logins, roles, provider staff) are the provider's.
 */
export function searchAudit(db: DbOrTx, scope: CustomerScope, f: AuditFilter, limit: number) {
  let q = db.selectFrom('audit_log').select(['id', 'at', 'actor_id', 'actor_name', 'ip', 'action', 'entity', 'entity_id', 'customer_id', 'before', 'after']);
  if (scope.kind === 'customers') {
    if (!scope.ids.length) return Promise.resolve([]);
    q = q.where('customer_id', 'in', scope.ids);
  }
  if (f.entity !== undefined) q = q.where('entity', '=', f.entity);
  if (f.entityId !== undefined) q = q.where('entity_id', '=', f.entityId);
  if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}
