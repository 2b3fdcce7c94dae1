import type { Config } from '../../config.js';
import type { Db, DbOrTx } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { entityNumbers, searchAudit } from '../../platform/audit/repo.js';
import { inScope, type Actor } from '../../platform/auth/actor.js';
import { checkPasswordPolicy, hashPassword } from '../../platform/auth/password.js';
import { CUSTOMER_ROLES, PERMISSIONS } from '../../platform/auth/permissions.js';
import { AppError, isUniqueViolation, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import * as repo from './repo.js';
import type { AuditItem, AuditQuery, RoleCreate, RoleOut, RolePatch, UserCreate, UserListQuery, UserOut, UserPatch } from './schema.js';
import './messages.js';

/** The permission whose last holder must never go: without it nobody can fix roles again. */
const ROLES_WRITE = 'roles.write';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function sameSet<T>(a: T[], b: T[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function unionPermissions(roles: repo.RoleRow[]): Set<string> {
  return new Set(roles.flatMap((r) => r.permissions));
}

/**
 * Permissions that give no power over anyone else's data: `portal.use` only opens the customer
 * portal to a customer's own staff, who are confined to their customer anyway; `reports.signoff`
 * is the customer's acceptance of his own reports (the reports module refuses it to provider
 * staff). The provider's administrators do not hold them, yet must be able to set up customer users.
 */
const NOT_A_POWER = new Set(['portal.use', 'reports.signoff']);

/** Nobody grants, takes away or manages more than he holds himself. */
function assertHolds(actor: Actor, permissions: Iterable<string>): void {
  for (const p of permissions) {
    if (!actor.permissions.has(p) && !NOT_A_POWER.has(p)) throw new AppError(403, 'forbidden', 'accounts.exceedsOwn', { permission: p });
  }
}

function stale(): AppError {
  return AppError.conflict();
}

/**
 * Users and roles administration and the audit log search. Users are never deleted (the audit
 * log names them): "delete" disables. Every write is audited in its own transaction; role and
 * team membership changes as `permission_change`.
 */
export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  // ---- users ----

  private async viewUsers(db: DbOrTx, rows: repo.UserRow[], now = Date.now()): Promise<UserOut[]> {
    const ids = rows.map((r) => Number(r.id));
    const [roles, teams] = await Promise.all([repo.roleCodesOfUsers(db, ids), repo.teamIdsOfUsers(db, ids)]);
    return rows.map((r) => ({
      id: Number(r.id),
      username: r.username,
      displayName: r.display_name,
      email: r.email,
      phone: r.phone,
      locale: r.locale,
      roleCodes: roles.get(Number(r.id)) ?? [],
      customerId: r.customer_id === null ? null : Number(r.customer_id),
      contactId: r.contact_id === null ? null : Number(r.contact_id),
      teamIds: teams.get(Number(r.id)) ?? [],
      disabled: r.disabled === 1,
      lockedUntil: r.locked_until !== null && r.locked_until > now ? iso(r.locked_until) : null,
      passwordChangedAt: iso(r.password_changed_at),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      version: r.version,
    }));
  }

  private async userInScope(db: DbOrTx, actor: Actor, id: number): Promise<repo.UserRow> {
    const row = await repo.findUser(db, actor, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  private async view(db: DbOrTx, actor: Actor, id: number): Promise<UserOut> {
    return (await this.viewUsers(db, [await this.userInScope(db, actor, id)]))[0];
  }

  async listUsers(actor: Actor, query: UserListQuery): Promise<Page<UserOut>> {
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listUsers(
      this.db,
      actor,
      { q: query.q || undefined, role: query.role, customerId: query.customerId, teamId: query.teamId, disabled: query.disabled, afterId: cursor ? Number(cursor[0]) : undefined },
      query.limit + 1,
    );
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return { items: await this.viewUsers(this.db, page.items), nextCursor: page.nextCursor };
  }

  getUser(actor: Actor, id: number): Promise<UserOut> {
    return this.view(this.db, actor, id);
  }

  /**
   * The customer a created or edited user belongs to. A customer's staff work inside their own
   * customer only; another customer (or none) is "not found" to them, as is a customer outside
   * a provider user's scope.
   */
  private async resolveCustomer(actor: Actor, requested: number | null | undefined, problems: FieldProblem[]): Promise<number | null> {
    if (actor.customerId !== null) {
      if (requested === undefined || requested === actor.customerId) return actor.customerId;
      throw AppError.notFound();
    }
    if (requested === undefined || requested === null) return null;
    if (!inScope(actor.scope, requested)) throw AppError.notFound();
    if (!(await repo.activeCustomerExists(this.db, requested))) problems.push({ field: 'customerId', code: 'accounts.unknownCustomer' });
    return requested;
  }

  /** Resolves role codes and checks they fit the user's kind (customer staff or provider staff). */
  private async resolveRoles(codes: string[], customerId: number | null, problems: FieldProblem[]): Promise<repo.RoleRow[]> {
    const roles = await repo.rolesByCodes(this.db, codes);
    codes.forEach((code, i) => {
      const field = `roleCodes[${i}]`;
      if (!roles.some((r) => r.code === code)) problems.push({ field, code: 'accounts.unknownRole', params: { value: code } });
      else if (customerId !== null && !CUSTOMER_ROLES.has(code)) problems.push({ field, code: 'accounts.customerRolesOnly', params: { value: code } });
      else if (customerId === null && CUSTOMER_ROLES.has(code)) problems.push({ field, code: 'accounts.customerRoleNeedsCustomer', params: { value: code } });
    });
    return roles;
  }

  /**
   * The contact a customer user is: one of his own customer's contacts. Provider staff are
   * nobody's contact (they report on behalf of the contact they name on each ticket).
   */
  private async checkContact(contactId: number | null, customerId: number | null, problems: FieldProblem[]): Promise<void> {
    if (contactId === null) return;
    if (customerId === null) problems.push({ field: 'contactId', code: 'accounts.contactCustomerOnly' });
    else if (!(await repo.contactOfCustomerExists(this.db, contactId, customerId))) problems.push({ field: 'contactId', code: 'accounts.contactNotOfCustomer' });
  }

  private async checkTeams(teamIds: number[], customerId: number | null, problems: FieldProblem[]): Promise<void> {
    if (customerId !== null && teamIds.length) {
      problems.push({ field: 'teamIds', code: 'accounts.teamsStaffOnly' });
      return;
    }
    const known = await repo.existingTeamIds(this.db, teamIds);
    teamIds.forEach((id, i) => {
      if (!known.has(id)) problems.push({ field: `teamIds[${i}]`, code: 'accounts.unknownTeam', params: { value: id } });
    });
  }

  /** Managing a user who holds more than the caller would let the caller become him. */
  private async assertCanManage(actor: Actor, target: repo.UserRow, roleCodes: string[]): Promise<repo.RoleRow[]> {
    const roles = await repo.rolesByCodes(this.db, roleCodes);
    if (Number(target.id) !== actor.userId) assertHolds(actor, unionPermissions(roles));
    return roles;
  }

  private async assertAdminRemains(trx: DbOrTx): Promise<void> {
    if ((await repo.countActiveHolders(trx, ROLES_WRITE)) === 0) throw AppError.conflict('accounts.lastAdmin');
  }

  async createUser(actor: Actor, input: UserCreate): Promise<UserOut> {
    const problems: FieldProblem[] = [];
    const customerId = await this.resolveCustomer(actor, input.customerId, problems);
    problems.push(...checkPasswordPolicy(this.config.password, input.password, input.username));
    const roleCodes = dedupe(input.roleCodes);
    const teamIds = dedupe(input.teamIds);
    const roles = await this.resolveRoles(roleCodes, customerId, problems);
    await this.checkTeams(teamIds, customerId, problems);
    const contactId = input.contactId ?? null;
    await this.checkContact(contactId, customerId, problems);
    if (problems.length) throw AppError.validation(problems);
    assertHolds(actor, unionPermissions(roles));
    if (await repo.findUsernameIgnoringCase(this.db, input.username)) throw AppError.duplicate('username', input.username);

    const passwordHash = await hashPassword(input.password);
    const now = Date.now();
    const who = auditActorOf(actor);
    try {
      return await this.db.transaction().execute(async (trx) => {
        const id = await repo.insertUser(
          trx,
          { username: input.username, display_name: input.displayName, email: input.email ?? null, phone: input.phone ?? null, locale: input.locale, customer_id: customerId, contact_id: contactId, password_hash: passwordHash },
          now,
        );
        await repo.setUserRoles(trx, id, roles.map((r) => r.id));
        await repo.setUserTeams(trx, id, [], teamIds);
        const after = { username: input.username, displayName: input.displayName, email: input.email ?? null, phone: input.phone ?? null, locale: input.locale, customerId, contactId, roleCodes, teamIds };
        await recordAudit(trx, who, { action: 'create', entity: 'users', entityId: id, customerId, after }, now);
        // Every grant shows up under permission_change, the first one included.
        await recordAudit(trx, who, { action: 'permission_change', entity: 'users', entityId: id, customerId, before: { roleCodes: [], teamIds: [] }, after: { roleCodes, teamIds } }, now);
        return this.view(trx, actor, id);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('username', input.username);
      throw err;
    }
  }

  async patchUser(actor: Actor, id: number, input: UserPatch): Promise<UserOut> {
    const row = await this.userInScope(this.db, actor, id);
    const current = await this.viewUsers(this.db, [row]);
    const { roleCodes: curRoles, teamIds: curTeams } = current[0];
    const curRoleRows = await this.assertCanManage(actor, row, curRoles);
    if (input.version !== row.version) throw stale();

    const problems: FieldProblem[] = [];
    const customerChanged = input.customerId !== undefined && input.customerId !== row.customer_id;
    const customerId = customerChanged ? await this.resolveCustomer(actor, input.customerId, problems) : row.customer_id;
    const roleCodes = input.roleCodes ? dedupe(input.roleCodes) : curRoles;
    const teamIds = input.teamIds ? dedupe(input.teamIds) : curTeams;
    const rolesChanged = !sameSet(roleCodes, curRoles);
    const teamsChanged = !sameSet(teamIds, curTeams);
    const roles = rolesChanged || customerChanged ? await this.resolveRoles(roleCodes, customerId, problems) : curRoleRows;
    if (teamsChanged || customerChanged) await this.checkTeams(teamIds, customerId, problems);
    // A link to the old customer's contact would point outside the user's customer: it goes.
    const curContact = row.contact_id === null ? null : Number(row.contact_id);
    const contactId = input.contactId !== undefined ? input.contactId : customerChanged ? null : curContact;
    const contactChanged = contactId !== curContact;
    if (contactChanged || customerChanged) await this.checkContact(contactId, customerId, problems);
    if (problems.length) throw AppError.validation(problems);
    if (rolesChanged) {
      const touched = [...roles.filter((r) => !curRoles.includes(r.code)), ...curRoleRows.filter((r) => !roleCodes.includes(r.code))];
      assertHolds(actor, unionPermissions(touched));
    }

    const changes: repo.UserChanges = {};
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const fields = [
      ['displayName', 'display_name', input.displayName],
      ['email', 'email', input.email],
      ['phone', 'phone', input.phone],
      ['locale', 'locale', input.locale],
      ['customerId', 'customer_id', customerChanged ? customerId : undefined],
      ['contactId', 'contact_id', contactChanged ? contactId : undefined],
    ] as const;
    for (const [apiName, column, value] of fields) {
      if (value === undefined || value === row[column]) continue;
      (changes as Record<string, unknown>)[column] = value;
      before[apiName] = row[column];
      after[apiName] = value;
    }
    if (!Object.keys(changes).length && !rolesChanged && !teamsChanged) return current[0];

    const now = Date.now();
    const who = auditActorOf(actor);
    const auditCustomer = customerId ?? row.customer_id;
    return this.db.transaction().execute(async (trx) => {
      if (!(await repo.updateUserAtVersion(trx, id, row.version, changes, now))) throw stale();
      if (Object.keys(changes).length) await recordAudit(trx, who, { action: 'update', entity: 'users', entityId: id, customerId: auditCustomer, before, after }, now);
      if (rolesChanged || teamsChanged) {
        if (rolesChanged) await repo.setUserRoles(trx, id, roles.map((r) => r.id));
        if (teamsChanged) await repo.setUserTeams(trx, id, curTeams, teamIds);
        await recordAudit(trx, who, { action: 'permission_change', entity: 'users', entityId: id, customerId: auditCustomer, before: { roleCodes: curRoles, teamIds: curTeams }, after: { roleCodes, teamIds } }, now);
      }
      if (rolesChanged && unionPermissions(curRoleRows).has(ROLES_WRITE)) await this.assertAdminRemains(trx);
      return this.view(trx, actor, id);
    });
  }

  /** Disabling ends the user's sessions at once; his API tokens stop working with him. */
  async setDisabled(actor: Actor, id: number, disabled: boolean): Promise<UserOut> {
    const row = await this.userInScope(this.db, actor, id);
    const roleCodes = (await repo.roleCodesOfUsers(this.db, [id])).get(id) ?? [];
    const roles = await this.assertCanManage(actor, row, roleCodes);
    if (disabled && id === actor.userId) throw AppError.conflict('accounts.selfDisable');
    if ((row.disabled === 1) === disabled) return this.view(this.db, actor, id);
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      if (!(await repo.updateUserAtVersion(trx, id, row.version, { disabled: disabled ? 1 : 0 }, now))) throw stale();
      const after: Record<string, unknown> = { disabled };
      if (disabled) after.sessionsEnded = await repo.endSessions(trx, id);
      await recordAudit(trx, auditActorOf(actor), { action: disabled ? 'disable' : 'enable', entity: 'users', entityId: id, customerId: row.customer_id, before: { disabled: !disabled }, after }, now);
      if (disabled && unionPermissions(roles).has(ROLES_WRITE)) await this.assertAdminRemains(trx);
      return this.view(trx, actor, id);
    });
  }

  /** Ends a lockout after failed logins before it runs out. */
  async unlockUser(actor: Actor, id: number): Promise<UserOut> {
    const row = await this.userInScope(this.db, actor, id);
    await this.assertCanManage(actor, row, (await repo.roleCodesOfUsers(this.db, [id])).get(id) ?? []);
    return this.db.transaction().execute(async (trx) => {
      await repo.clearLockout(trx, id);
      await recordAudit(trx, auditActorOf(actor), {
        action: 'unlock',
        entity: 'users',
        entityId: id,
        customerId: row.customer_id,
        before: { lockedUntil: iso(row.locked_until), failedLogins: row.failed_logins },
        after: { lockedUntil: null, failedLogins: 0 },
      });
      return this.view(trx, actor, id);
    });
  }

  /** An administrator sets a new password: it also ends the lockout and the user's sessions. */
  async resetPassword(actor: Actor, id: number, newPassword: string): Promise<void> {
    const row = await this.userInScope(this.db, actor, id);
    await this.assertCanManage(actor, row, (await repo.roleCodesOfUsers(this.db, [id])).get(id) ?? []);
    const problems = checkPasswordPolicy(this.config.password, newPassword, row.username, 'newPassword');
    if (problems.length) throw AppError.validation(problems);
    const passwordHash = await hashPassword(newPassword);
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await repo.setPassword(trx, id, passwordHash, now);
      const sessionsEnded = await repo.endSessions(trx, id, id === actor.userId ? actor.sessionId : undefined);
      await recordAudit(trx, auditActorOf(actor), { action: 'password_reset', entity: 'users', entityId: id, customerId: row.customer_id, after: { sessionsEnded } }, now);
    });
  }

  // ---- roles ----

  private async viewRoles(db: DbOrTx, locale: Locale, rows: repo.RoleRow[]): Promise<RoleOut[]> {
    const counts = await repo.userCountsByRole(db, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: locale === 'en-US' ? r.name_en : r.name_zh,
      nameZh: r.name_zh,
      nameEn: r.name_en,
      builtin: r.builtin === 1,
      permissions: r.permissions,
      userCount: counts.get(r.id) ?? 0,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      version: r.version,
    }));
  }

  private async roleOrNotFound(db: DbOrTx, id: number): Promise<repo.RoleRow> {
    const role = await repo.findRole(db, id);
    if (!role) throw AppError.notFound();
    return role;
  }

  async listRoles(actor: Actor, query: { limit: number; cursor?: string }): Promise<Page<RoleOut>> {
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listRoles(this.db, cursor ? Number(cursor[0]) : undefined, query.limit + 1);
    const page = pageOf(rows, query.limit, (r) => [r.id]);
    return { items: await this.viewRoles(this.db, actor.locale, page.items), nextCursor: page.nextCursor };
  }

  async getRole(actor: Actor, id: number): Promise<RoleOut> {
    return (await this.viewRoles(this.db, actor.locale, [await this.roleOrNotFound(this.db, id)]))[0];
  }

  async createRole(actor: Actor, input: RoleCreate): Promise<RoleOut> {
    if ((await repo.rolesByCodes(this.db, [input.code])).length) throw AppError.duplicate('code', input.code);
    const now = Date.now();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const id = await repo.insertRole(trx, { code: input.code, name_zh: input.nameZh, name_en: input.nameEn, permissions: input.permissions }, now);
        await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'roles', entityId: id, after: input }, now);
        return (await this.viewRoles(trx, actor.locale, [await this.roleOrNotFound(trx, id)]))[0];
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('code', input.code);
      throw err;
    }
  }

  /** Built-in roles may be edited too; `migrate` never overwrites an edited role. */
  async patchRole(actor: Actor, id: number, input: RolePatch): Promise<RoleOut> {
    const role = await this.roleOrNotFound(this.db, id);
    if (input.version !== role.version) throw stale();
    const changes: { name_zh?: string; name_en?: string; permissions?: string[] } = {};
    const before: Record<string, unknown> = { code: role.code };
    const after: Record<string, unknown> = { code: role.code };
    if (input.nameZh !== undefined && input.nameZh !== role.name_zh) {
      changes.name_zh = after.nameZh = input.nameZh;
      before.nameZh = role.name_zh;
    }
    if (input.nameEn !== undefined && input.nameEn !== role.name_en) {
      changes.name_en = after.nameEn = input.nameEn;
      before.nameEn = role.name_en;
    }
    if (input.permissions !== undefined && !sameSet(input.permissions, role.permissions)) {
      changes.permissions = after.permissions = input.permissions;
      before.permissions = role.permissions;
    }
    const permissionsChanged = changes.permissions !== undefined;
    if (!Object.keys(changes).length) return this.getRole(actor, id);

    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      if (!(await repo.updateRoleAtVersion(trx, id, role.version, changes, now))) throw stale();
      await recordAudit(trx, auditActorOf(actor), { action: permissionsChanged ? 'permission_change' : 'update', entity: 'roles', entityId: id, before, after }, now);
      if (role.permissions.includes(ROLES_WRITE) && changes.permissions && !changes.permissions.includes(ROLES_WRITE)) await this.assertAdminRemains(trx);
      return (await this.viewRoles(trx, actor.locale, [await this.roleOrNotFound(trx, id)]))[0];
    });
  }

  async deleteRole(actor: Actor, id: number): Promise<void> {
    const role = await this.roleOrNotFound(this.db, id);
    if (role.builtin) throw AppError.conflict('accounts.builtinRole', { code: role.code });
    await this.db.transaction().execute(async (trx) => {
      const users = (await repo.userCountsByRole(trx, [id])).get(id) ?? 0;
      if (users > 0) throw new AppError(409, 'in_use', 'http.inUse', { entity: t(actor.locale, 'accounts.entity.role') });
      await repo.deleteRole(trx, id);
      await recordAudit(trx, auditActorOf(actor), {
        action: 'delete',
        entity: 'roles',
        entityId: id,
        before: { code: role.code, nameZh: role.name_zh, nameEn: role.name_en, permissions: role.permissions },
      });
    });
  }

  /** The permission catalogue, named in the caller's language. */
  permissions(locale: Locale): Array<{ code: string; group: string; name: string }> {
    return PERMISSIONS.map((p) => ({ code: p.code, group: p.group, name: locale === 'en-US' ? p.en : p.zh }));
  }

  // ---- audit log ----

  async searchAudit(actor: Actor, query: AuditQuery): Promise<Page<AuditItem>> {
    if (query.from !== undefined && query.to !== undefined && query.to <= query.from) throw AppError.field('to', 'dateOrder');
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await searchAudit(
      this.db,
      actor.scope,
      { entity: query.entity, entityId: query.entityId, actorId: query.actorId, action: query.action, from: query.from, to: query.to, beforeId: cursor ? Number(cursor[0]) : undefined },
      query.limit + 1,
    );
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    const numbers = await entityNumbers(this.db, page.items);
    return {
      items: page.items.map((r) => ({
        id: Number(r.id),
        at: iso(r.at),
        actorId: r.actor_id === null ? null : Number(r.actor_id),
        actorName: r.actor_name,
        actorDisplayName: r.actor_display_name ?? null,
        entityNumber: r.entity_id === null ? null : (numbers.get(`${r.entity}:${r.entity_id}`) ?? null),
        ip: r.ip,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        customerId: r.customer_id === null ? null : Number(r.customer_id),
        before: r.before === null ? null : (JSON.parse(r.before) as unknown),
        after: r.after === null ? null : (JSON.parse(r.after) as unknown),
      })),
      nextCursor: page.nextCursor,
    };
  }
}
