import type { Db } from '../../db/index.js';
import { BUILTIN_ROLES } from './permissions.js';

/**
 * Ensures the built-in roles exist. Run after every migrate; never overwrites a role an
 * administrator has edited, only adds missing ones.
 */
export async function seedBuiltinRoles(db: Db, now = Date.now()): Promise<void> {
  const existing = new Set((await db.selectFrom('roles').select('code').execute()).map((r) => r.code));
  const missing = BUILTIN_ROLES.filter((r) => !existing.has(r.code));
  if (!missing.length) return;
  await db
    .insertInto('roles')
    .values(missing.map((r) => ({ code: r.code, name_zh: r.zh, name_en: r.en, builtin: 1, permissions: JSON.stringify(r.permissions), created_at: now, updated_at: now })))
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}
