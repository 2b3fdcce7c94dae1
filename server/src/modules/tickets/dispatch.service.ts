import type { Updateable } from 'kysely';
import { lockForChain } from '../../db/dialect.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import type { Db, Tx } from '../../db/index.js';
import type { DispatchRulesTable } from '../../db/schema.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import type { Team } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import * as repo from './repo.js';
import type { DispatchRuleCreate, DispatchRuleOut, DispatchRulePatch, TicketKind } from './schema.js';
import { SYSTEM } from './sla.js';

/** Advisory lock (PostgreSQL) serialising the writers of the rules' order; SQLite has one writer. */
const ORDER_LOCK = 0x5977_0009;

/** A member counts as on duty when he used Yunwei within this many minutes (no duty roster yet). */
export const ON_DUTY_MINUTES = 30;

export interface TeamWorkload {
  teamId: number;
  teamName: string;
  assignment: string;
  onDutyMinutes: number;
  members: Array<{ userId: number; displayName: string; isLead: boolean; disabled: boolean; open: number; onDuty: boolean; lastSeenAt: string | null }>;
}

/** The latest activity of each user's unexpired sessions (index `sessions(user_id)`). */
async function lastSeen(db: Db, userIds: number[], now: number): Promise<Map<number, number>> {
  if (!userIds.length) return new Map();
  const rows = await db
    .selectFrom('sessions')
    .select((eb) => ['user_id', eb.fn.max('last_seen_at').as('seen')])
    .where('user_id', 'in', userIds)
    .where('expires_at', '>', now)
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.user_id), Number(r.seen)]));
}

/** What dispatch needs of a team: where, who, and how it assigns. */
export type PlacedTeam = Pick<Team, 'id' | 'assignment' | 'memberIds'>;

/** Where dispatch puts a new ticket. */
export interface Placement {
  team: PlacedTeam | null;
  /** The rule that chose the team; null for the fallback. */
  rule: { id: number; name: string } | null;
  /**
   * True when no rule took the ticket and it waits, undispatched (state `new`), in the service
   * desk's queue: dispatching it is the desk's job, timed by the dispatch OLA.
   */
  queued: boolean;
}

export interface TicketFacts {
  kind: TicketKind;
  service: string | null;
  category: string | null;
  priority: string;
}

/**
 * Dispatch rules (REQ §2.1): which team a new ticket goes to, by customer, service, category,
 * priority and kind. The first enabled rule in order whose criteria all match and whose team
 * serves the customer wins; with none, a complaint goes to the quality management team serving
 * the customer and anything else waits in the service desk's queue (the first desk team serving
 * the customer). A last rule without criteria sends everything else to a team of one's choosing.
 *
 * Rules for one customer are seen and managed by whoever has that customer in scope; rules for
 * every customer need scope `all` to create, change or delete.
 */
export class DispatchRuleService {
  constructor(
    private readonly db: Db,
    private readonly organisation: OrganisationService,
  ) {}

  // ------------------------------------------------------------ workload

  /**
   * A team's members with their open tickets (new … waiting, by the `(assignee_id, state,
   * sla_due_at)` index) and whether they are at work as far as Yunwei can tell: there is no duty
   * roster, so "on duty" means an active account that used Yunwei in the last ON_DUTY_MINUTES
   * (a session seen then, not expired). Nothing else is claimed.
   */
  async workload(actor: Actor, teamId: number, now = Date.now()): Promise<TeamWorkload> {
    const team = await this.organisation.getTeam(actor, teamId);
    const [dir, leads, loads, seen] = await Promise.all([
      this.organisation.directory({ users: team.memberIds }),
      this.organisation.teamMemberIds({ teamIds: [teamId], leadsOnly: true }),
      repo.openLoads(this.db, team.memberIds, OPEN_STATES),
      lastSeen(this.db, team.memberIds, now),
    ]);
    const members = team.memberIds.map((userId) => {
      const user = dir.users.get(userId);
      const seenAt = seen.get(userId) ?? null;
      const disabled = user?.disabled ?? true;
      return {
        userId,
        displayName: user?.displayName ?? String(userId),
        isLead: leads.includes(userId),
        disabled,
        open: loads.get(userId) ?? 0,
        onDuty: !disabled && seenAt !== null && now - seenAt <= ON_DUTY_MINUTES * 60_000,
        lastSeenAt: seenAt === null ? null : iso(seenAt),
      };
    });
    return { teamId, teamName: team.name, assignment: team.assignment, onDutyMinutes: ON_DUTY_MINUTES, members };
  }

  // ------------------------------------------------------------ matching

  async placement(customerId: number, facts: TicketFacts): Promise<Placement> {
    const teams = new Map<number, Team | null>();
    for (const rule of await repo.matchingRules(this.db, { customerId, ...facts })) {
      const teamId = Number(rule.team_id);
      if (!teams.has(teamId)) teams.set(teamId, await this.team(teamId));
      const team = teams.get(teamId)!;
      if (team?.customerIds.includes(customerId)) return { team, rule: { id: Number(rule.id), name: rule.name }, queued: false };
    }
    if (facts.kind === 'complaint') {
      const [quality] = await this.organisation.teamIdsServing(customerId, 'quality');
      if (quality !== undefined) return { team: await this.team(quality), rule: null, queued: false };
    }
    // The desk's queue only needs who to tell (nobody is picked there).
    const [desk] = await this.organisation.teamIdsServing(customerId, 'desk');
    if (desk === undefined) return { team: null, rule: null, queued: true };
    return { team: { id: desk, assignment: 'manual', memberIds: await this.organisation.teamMemberIds({ teamIds: [desk] }) }, rule: null, queued: true };
  }

  private async team(id: number): Promise<Team | null> {
    try {
      return await this.organisation.getTeam(SYSTEM, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
  }

  /** Where a ticket with these facts would go (for the "log a call" form, and to check the rules). */
  async match(actor: Actor, customerId: number, facts: TicketFacts) {
    await this.organisation.getCustomer(actor, customerId);
    const p = await this.placement(customerId, facts);
    const teamId = p.team?.id ?? null;
    const dir = await this.organisation.directory({ teams: teamId === null ? [] : [teamId] });
    return { ruleId: p.rule?.id ?? null, ruleName: p.rule?.name ?? null, teamId, teamName: teamId === null ? null : dir.teams.get(teamId) ?? null, queued: p.queued };
  }

  // ------------------------------------------------------------ reads

  async list(actor: Actor, page: { limit: number; cursor?: string }): Promise<{ items: DispatchRuleOut[]; nextCursor: string | null }> {
    const rows = await repo.listRules(this.db, actor.scope, page);
    return { items: await this.out(rows.items), nextCursor: rows.nextCursor };
  }

  async get(actor: Actor, id: number): Promise<DispatchRuleOut> {
    const row = await repo.findRule(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return (await this.out([row]))[0];
  }

  private async out(rows: repo.DispatchRuleRow[]): Promise<DispatchRuleOut[]> {
    const dir = await this.organisation.directory({ customers: rows.flatMap((r) => (r.customer_id === null ? [] : [Number(r.customer_id)])), teams: rows.map((r) => Number(r.team_id)) });
    return rows.map((r) => ({
      id: Number(r.id),
      position: r.position,
      name: r.name,
      customerId: r.customer_id === null ? null : Number(r.customer_id),
      customerName: r.customer_id === null ? null : dir.customers.get(Number(r.customer_id)) ?? null,
      service: r.service,
      category: r.category,
      priority: r.priority,
      kind: r.kind as TicketKind | null,
      teamId: Number(r.team_id),
      teamName: dir.teams.get(Number(r.team_id)) ?? null,
      enabled: r.enabled === 1,
      version: r.version,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    }));
  }

  // ------------------------------------------------------------ commands

  async create(actor: Actor, input: DispatchRuleCreate): Promise<DispatchRuleOut> {
    const customerId = input.customerId ?? null;
    await this.check(actor, customerId, input.teamId);
    const id = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await lockForChain(trx, ORDER_LOCK);
      const order = (await repo.ruleOrder(trx)).map((r) => Number(r.id));
      const values: repo.NewDispatchRule = {
        position: order.length + 1,
        name: input.name,
        customer_id: customerId,
        service: input.service,
        category: input.category,
        priority: input.priority,
        kind: input.kind ?? null,
        team_id: input.teamId,
        enabled: input.enabled ? 1 : 0,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      const ruleId = await repo.insertRule(trx, values);
      if (input.position !== undefined && input.position <= order.length) {
        order.splice(input.position - 1, 0, ruleId);
        await this.renumber(trx, order, now);
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'dispatch_rules', entityId: ruleId, customerId, after: { id: ruleId, ...values, position: input.position ?? values.position } }, now);
      return ruleId;
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, patch: DispatchRulePatch): Promise<DispatchRuleOut> {
    const before = await repo.findRule(this.db, actor.scope, id);
    if (!before) throw AppError.notFound();
    if (before.version !== patch.version) throw AppError.conflict();
    const { version, ...fields } = patch;
    const customerId = fields.customerId !== undefined ? fields.customerId : before.customer_id === null ? null : Number(before.customer_id);
    const teamId = fields.teamId ?? Number(before.team_id);
    // The caller must be allowed both the rule as it is and as it will be.
    if (before.customer_id === null && actor.scope.kind !== 'all') throw AppError.forbidden('scope.all');
    await this.check(actor, customerId, teamId);
    const set: Updateable<DispatchRulesTable> = {};
    const columns = { name: 'name', customerId: 'customer_id', service: 'service', category: 'category', priority: 'priority', kind: 'kind', teamId: 'team_id' } as const;
    const changedBefore: Record<string, unknown> = {};
    const changedAfter: Record<string, unknown> = {};
    for (const field of Object.keys(columns) as Array<keyof typeof columns>) {
      const value = fields[field];
      const column = columns[field];
      const current = before[column];
      if (value === undefined || value === current) continue;
      (set as Record<string, unknown>)[column] = value;
      changedBefore[field] = current;
      changedAfter[field] = value;
    }
    if (fields.enabled !== undefined && (fields.enabled ? 1 : 0) !== before.enabled) {
      set.enabled = fields.enabled ? 1 : 0;
      changedBefore.enabled = before.enabled === 1;
      changedAfter.enabled = fields.enabled;
    }
    if (!Object.keys(set).length) return this.get(actor, id);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      if (!(await repo.updateRule(trx, id, version, { ...set, updated_at: now }))) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'dispatch_rules', entityId: id, customerId, before: changedBefore, after: changedAfter }, now);
    });
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: number): Promise<void> {
    const before = await repo.findRule(this.db, actor.scope, id);
    if (!before) throw AppError.notFound();
    if (before.customer_id === null && actor.scope.kind !== 'all') throw AppError.forbidden('scope.all');
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await lockForChain(trx, ORDER_LOCK);
      await repo.deleteRule(trx, id);
      await this.renumber(
        trx,
        (await repo.ruleOrder(trx)).map((r) => Number(r.id)),
        now,
      );
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'dispatch_rules', entityId: id, customerId: before.customer_id, before }, now);
    });
  }

  /**
   * Puts the rules in a new order. The list must name every rule exactly once (a rule added or
   * removed since the caller read them → 409), so only a caller who sees them all (scope `all`)
   * may reorder.
   */
  async reorder(actor: Actor, ids: number[]): Promise<{ items: DispatchRuleOut[]; nextCursor: string | null }> {
    if (actor.scope.kind !== 'all') throw AppError.forbidden('scope.all');
    const problems: FieldProblem[] = [];
    ids.forEach((ruleId, i) => {
      if (ids.indexOf(ruleId) !== i) problems.push({ field: `ids[${i}]`, code: 'dispatch.duplicateId' });
    });
    if (problems.length) throw AppError.validation(problems);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await lockForChain(trx, ORDER_LOCK);
      const current = (await repo.ruleOrder(trx)).map((r) => Number(r.id));
      if (current.length !== ids.length || current.some((r) => !ids.includes(r))) throw AppError.conflict('dispatch.orderStale');
      await this.renumber(trx, ids, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'reorder', entity: 'dispatch_rules', entityId: null, customerId: null, before: { ids: current }, after: { ids } }, now);
    });
    return this.list(actor, { limit: 200 });
  }

  /** Positions 1…n in the given order (only the rules that move are written). */
  private async renumber(trx: Tx, order: number[], now: number): Promise<void> {
    for (const [i, ruleId] of order.entries()) await repo.setRulePosition(trx, ruleId, i + 1, now);
  }

  /**
   * A rule for one customer: the customer in the caller's scope, and a team serving him. A rule
   * for every customer: scope `all`. The team must exist.
   */
  private async check(actor: Actor, customerId: number | null, teamId: number): Promise<void> {
    if (customerId === null && actor.scope.kind !== 'all') throw AppError.forbidden('scope.all');
    const problems: FieldProblem[] = [];
    if (customerId !== null) {
      try {
        await this.organisation.getCustomer(actor, customerId);
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 404) throw err;
        problems.push({ field: 'customerId', code: 'dispatch.customerNotFound' });
      }
    }
    const team = await this.team(teamId);
    if (!team) problems.push({ field: 'teamId', code: 'tickets.teamNotFound' });
    else if (customerId !== null && !team.customerIds.includes(customerId)) problems.push({ field: 'teamId', code: 'tickets.teamNotServing' });
    if (problems.length) throw AppError.validation(problems);
  }
}
