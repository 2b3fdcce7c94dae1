import { sql } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { CustomerScope } from './actor.js';

/** Queries of platform/auth: users' credentials, sessions, tokens, login attempts, scope. */

export function findUserByUsername(db: DbOrTx, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserById(db: DbOrTx, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function rolesOfUser(db: DbOrTx, userId: number): Promise<Array<{ code: string; permissions: string[] }>> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select(['roles.code', 'roles.permissions'])
    .where('user_roles.user_id', '=', userId)
    .execute();
  return rows.map((r) => ({ code: r.code, permissions: JSON.parse(r.permissions) as string[] }));
}

/** Of these users, the active provider-side ones whose roles grant `permission`, by id. */
export async function activeProvidersWith(db: DbOrTx, userIds: number[], permission: string): Promise<number[]> {
  if (!userIds.length) return [];
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['user_roles.user_id', 'roles.permissions'])
    .where('user_roles.user_id', 'in', userIds)
    .where('users.disabled', '=', 0)
    .where('users.customer_id', 'is', null)
    .execute();
  const ids = rows.filter((r) => (JSON.parse(r.permissions) as string[]).includes(permission)).map((r) => Number(r.user_id));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * The customers a provider-side user serves: those of his teams plus those whose contracts
 * he manages as project manager.
 */
export async function servedCustomerIds(db: DbOrTx, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('team_members')
    .innerJoin('team_customers', 'team_customers.team_id', 'team_members.team_id')
    .select('team_customers.customer_id as id')
    .where('team_members.user_id', '=', userId)
    .union(db.selectFrom('contracts').select('contracts.customer_id as id').where('contracts.project_manager_id', '=', userId))
    .execute();
  return [...new Set(rows.map((r) => Number(r.id)))].sort((a, b) => a - b);
}

export async function scopeOf(db: DbOrTx, user: { id: number; customer_id: number | null }, permissions: Set<string>): Promise<CustomerScope> {
  if (user.customer_id !== null) return { kind: 'customers', ids: [user.customer_id] };
  if (permissions.has('scope.all')) return { kind: 'all' };
  return { kind: 'customers', ids: await servedCustomerIds(db, user.id) };
}

export function findSession(db: DbOrTx, id: string) {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findToken(db: DbOrTx, tokenHash: string) {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function countAttempts(db: DbOrTx, key: string, since: number): Promise<number> {
  const r = await db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', key).where('at', '>=', since).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Counts a login attempt on an account before its password is checked, in one statement, so
 * that parallel guesses cannot all pass a check made before any of them was counted (on
 * PostgreSQL the row lock orders them and each sees the others' counts). The attempt that
 * reaches `maxFailures` locks the account at once (lifted again if its password is right); a
 * locked account gets no attempt: null.
 */
export async function reserveLoginAttempt(db: DbOrTx, userId: number, login: { maxFailures: number; lockMs: number }, now: number): Promise<{ failures: number; locks: boolean } | null> {
  const reaches = sql<boolean>`${sql.ref('failed_logins')} + 1 >= ${login.maxFailures}`;
  const until = now + login.lockMs;
  const row = await db
    .updateTable('users')
    .set({
      failed_logins: sql<number>`case when ${reaches} then 0 else ${sql.ref('failed_logins')} + 1 end`,
      locked_until: sql<number | null>`case when ${reaches} then ${until} else ${sql.ref('locked_until')} end`,
    })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning(['failed_logins', 'locked_until'])
    .executeTakeFirst();
  if (!row) return null;
  const locks = row.locked_until !== null && Number(row.locked_until) === until;
  return { failures: locks ? login.maxFailures : Number(row.failed_logins), locks };
}
