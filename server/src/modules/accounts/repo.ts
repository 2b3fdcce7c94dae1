import type { Selectable, SelectQueryBuilder } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { DB, UsersTable } from '../../db/schema.js';
import { ilike } from '../../db/dialect.js';
import type { Actor } from '../../platform/auth/actor.js';

/** Kysely queries of users, roles and their links. Every user query applies the caller's scope. */

export type UserRow = Selectable<UsersTable>;

/**
 * Which users an actor may see or touch: a customer's staff only their own customer's users;
 * provider staff limited to some customers the provider's own users and those customers' users;
 * everyone else all users.
 */
function scoped<O>(qb: SelectQueryBuilder<DB, 'users', O>, actor: Actor): SelectQueryBuilder<DB, 'users', O> {
  if (actor.customerId !== null) return qb.where('users.customer_id', '=', actor.customerId);
  if (actor.scope.kind === 'all') return qb;
  const ids = actor.scope.ids;
  return qb.where((eb) => (ids.length ? eb.or([eb('users.customer_id', 'is', null), eb('users.customer_id', 'in', ids)]) : eb('users.customer_id', 'is', null)));
}

export interface UserFilter {
  q?: string;
  role?: string;
  customerId?: number;
  teamId?: number;
  disabled?: boolean;
  afterId?: number;
}

export function listUsers(db: DbOrTx, actor: Actor, f: UserFilter, limit: number): Promise<UserRow[]> {
  let q = scoped(db.selectFrom('users').selectAll('users'), actor);
  if (f.q) {
    const text = f.q;
    q = q.where((eb) => eb.or([ilike('users.username', text), ilike('users.display_name', text)]));
  }
  if (f.role !== undefined) {
    const role = f.role;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles')
          .innerJoin('roles', 'roles.id', 'user_roles.role_id')
          .select('user_roles.user_id')
          .whereRef('user_roles.user_id', '=', 'users.id')
          .where('roles.code', '=', role),
      ),
    );
  }
  if (f.teamId !== undefined) {
    const teamId = f.teamId;
    q = q.where((eb) => eb.exists(eb.selectFrom('team_members').select('team_members.user_id').whereRef('team_members.user_id', '=', 'users.id').where('team_members.team_id', '=', teamId)));
  }
  if (f.customerId !== undefined) q = q.where('users.customer_id', '=', f.customerId);
  if (f.disabled !== undefined) q = q.where('users.disabled', '=', f.disabled ? 1 : 0);
  if (f.afterId !== undefined) q = q.where('users.id', '>', f.afterId);
  return q.orderBy('users.id').limit(limit).execute();
}

export function findUser(db: DbOrTx, actor: Actor, id: number): Promise<UserRow | undefined> {
  return scoped(db.selectFrom('users').selectAll('users'), actor).where('users.id', '=', id).executeTakeFirst();
}

/** Usernames are unique regardless of case: "Admin" next to "admin" invites mistakes and spoofing. */
export function findUsernameIgnoringCase(db: DbOrTx, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username'])
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst();
}

export async function roleCodesOfUsers(db: DbOrTx, userIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(userIds.map((i) => [i, []]));
  if (!userIds.length) return out;
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select(['user_roles.user_id', 'roles.code'])
    .where('user_roles.user_id', 'in', userIds)
    .orderBy('roles.code')
    .execute();
  for (const r of rows) out.get(Number(r.user_id))?.push(r.code);
  return out;
}

export async function teamIdsOfUsers(db: DbOrTx, userIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(userIds.map((i) => [i, []]));
  if (!userIds.length) return out;
  const rows = await db.selectFrom('team_members').select(['user_id', 'team_id']).where('user_id', 'in', userIds).orderBy('team_id').execute();
  for (const r of rows) out.get(Number(r.user_id))?.push(Number(r.team_id));
  return out;
}

export interface NewUser {
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  locale: string;
  customer_id: number | null;
  contact_id: number | null;
  password_hash: string;
}

export async function insertUser(db: DbOrTx, u: NewUser, now: number): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ ...u, disabled: 0, failed_logins: 0, locked_until: null, password_changed_at: now, created_at: now, updated_at: now, version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export type UserChanges = Partial<Pick<UserRow, 'display_name' | 'email' | 'phone' | 'locale' | 'customer_id' | 'contact_id' | 'disabled'>>;

/** Applies changes if the row is still at `version`; false when someone else changed it first. */
export async function updateUserAtVersion(db: DbOrTx, id: number, version: number, changes: UserChanges, now: number): Promise<boolean> {
  const res = await db
    .updateTable('users')
    .set({ ...changes, updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function clearLockout(db: DbOrTx, id: number): Promise<void> {
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', id).execute();
}

export async function setPassword(db: DbOrTx, id: number, passwordHash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, password_changed_at: now, failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', id).execute();
}

/** Ends the user's sessions, except the caller's own when he acts on himself. */
export async function endSessions(db: DbOrTx, userId: number, keepSessionId?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function setUserRoles(db: DbOrTx, userId: number, roleIds: number[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length) await db.insertInto('user_roles').values(roleIds.map((role_id) => ({ user_id: userId, role_id }))).execute();
}

/**
 * Team membership as seen from the user. The organisation module owns teams; this keeps a
 * retained membership's lead flag and only adds or removes the links that changed.
 */
export async function setUserTeams(db: DbOrTx, userId: number, before: number[], after: number[]): Promise<void> {
  const removed = before.filter((t) => !after.includes(t));
  const added = after.filter((t) => !before.includes(t));
  if (removed.length) await db.deleteFrom('team_members').where('user_id', '=', userId).where('team_id', 'in', removed).execute();
  if (added.length) await db.insertInto('team_members').values(added.map((team_id) => ({ team_id, user_id: userId, is_lead: 0 }))).execute();
}

export async function existingTeamIds(db: DbOrTx, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('teams').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => Number(r.id)));
}

/** A customer users may be attached to: it exists and is not archived. */
export async function activeCustomerExists(db: DbOrTx, id: number): Promise<boolean> {
  const row = await db.selectFrom('customers').select('id').where('id', '=', id).where('archived_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/** A contact users of `customerId` may be linked to: it exists and belongs to that customer. */
export async function contactOfCustomerExists(db: DbOrTx, contactId: number, customerId: number): Promise<boolean> {
  const row = await db.selectFrom('contacts').select('id').where('id', '=', contactId).where('customer_id', '=', customerId).executeTakeFirst();
  return row !== undefined;
}

// roles

export interface RoleRow {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
  builtin: number;
  permissions: string[];
  created_at: number;
  updated_at: number;
  version: number;
}

function parseRole(r: Omit<RoleRow, 'permissions'> & { permissions: string }): RoleRow {
  return { ...r, id: Number(r.id), permissions: JSON.parse(r.permissions) as string[] };
}

const ROLE_COLUMNS = ['id', 'code', 'name_zh', 'name_en', 'builtin', 'permissions', 'created_at', 'updated_at', 'version'] as const;

export async function listRoles(db: DbOrTx, afterId: number | undefined, limit: number): Promise<RoleRow[]> {
  let q = db.selectFrom('roles').select(ROLE_COLUMNS);
  if (afterId !== undefined) q = q.where('id', '>', afterId);
  return (await q.orderBy('id').limit(limit).execute()).map(parseRole);
}

export async function findRole(db: DbOrTx, id: number): Promise<RoleRow | undefined> {
  const r = await db.selectFrom('roles').select(ROLE_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r && parseRole(r);
}

export async function rolesByCodes(db: DbOrTx, codes: string[]): Promise<RoleRow[]> {
  if (!codes.length) return [];
  return (await db.selectFrom('roles').select(ROLE_COLUMNS).where('code', 'in', codes).execute()).map(parseRole);
}

export async function allRoles(db: DbOrTx): Promise<RoleRow[]> {
  return (await db.selectFrom('roles').select(ROLE_COLUMNS).execute()).map(parseRole);
}

export async function userCountsByRole(db: DbOrTx, roleIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>(roleIds.map((i) => [i, 0]));
  if (!roleIds.length) return out;
  const rows = await db
    .selectFrom('user_roles')
    .select((eb) => ['role_id', eb.fn.countAll<number>().as('n')])
    .where('role_id', 'in', roleIds)
    .groupBy('role_id')
    .execute();
  for (const r of rows) out.set(Number(r.role_id), Number(r.n));
  return out;
}

export async function insertRole(db: DbOrTx, r: { code: string; name_zh: string; name_en: string; permissions: string[] }, now: number): Promise<number> {
  const row = await db
    .insertInto('roles')
    .values({ code: r.code, name_zh: r.name_zh, name_en: r.name_en, builtin: 0, permissions: JSON.stringify(r.permissions), created_at: now, updated_at: now, version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateRoleAtVersion(db: DbOrTx, id: number, version: number, changes: { name_zh?: string; name_en?: string; permissions?: string[] }, now: number): Promise<boolean> {
  const { permissions, ...names } = changes;
  const res = await db
    .updateTable('roles')
    .set({ ...names, ...(permissions ? { permissions: JSON.stringify(permissions) } : {}), updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function deleteRole(db: DbOrTx, id: number): Promise<void> {
  await db.deleteFrom('roles').where('id', '=', id).execute();
}

/** Enabled users holding `permission` through any of their roles. */
export async function countActiveHolders(db: DbOrTx, permission: string): Promise<number> {
  const roleIds = (await allRoles(db)).filter((r) => r.permissions.includes(permission)).map((r) => r.id);
  if (!roleIds.length) return 0;
  const row = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select((eb) => eb.fn.count<number>('users.id').distinct().as('n'))
    .where('user_roles.role_id', 'in', roleIds)
    .where('users.disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
