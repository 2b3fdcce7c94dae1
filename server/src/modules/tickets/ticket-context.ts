import type { Config } from '../../config.js';
import { PriorityError, priorityOf } from '../../core/priority.js';
import { isAutomatic, pickAssignee } from '../../core/tickets/assignment.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import type { Db, Tx } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, inScope, type Actor } from '../../platform/auth/actor.js';
import type { AuthService } from '../../platform/auth/service.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import type { Contract, Team } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import { queueContactMail } from './contact-mail.js';
import type { DispatchRuleService, PlacedTeam } from './dispatch.service.js';
import type { NewEntry } from './events.js';
import { notifyTicketEvent } from './notify.js';
import { movesOla, olaBasisOf, scheduleOla } from './ola.js';
import * as repo from './repo.js';
import type { TicketOut } from './schema.js';
import { clocksOf, loadSlaContext, persistClocks, SYSTEM, type Fired, type SlaContext } from './sla.js';
import type { SlaMetric } from '../../core/sla/index.js';
import { timelineItem, type Dir, type TicketQueryService, type TimelineItem } from './ticket-view.js';
import type { Change } from './transitions.js';
import { indexTickets, touchesTicketSearch } from '../search/sources.js';

/*
 * What the ticket services share (as Immich's services share a BaseService): the module's
 * dependencies, running one command on one ticket (scope, version, row lock, one transaction
 * with its timeline, clocks, mail, audit entry and notifications), and the assignment helpers.
 * Each service (intake, lifecycle, escalation, conversation, attachments, jobs) extends it and
 * imports no other service's file, so the services form no import circle.
 */

/** reportedAt may run a little ahead of the server's clock (a desk PC's clock); later is refused. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** The ticket module's dependencies, built once (service.ts) and shared by its services. */
export interface TicketDeps {
  db: Db;
  config: Config;
  organisation: OrganisationService;
  calendars: CalendarService;
  auth: AuthService;
  dispatch: DispatchRuleService;
  query: TicketQueryService;
}

export abstract class TicketBase {
  protected readonly db: Db;
  protected readonly config: Config;
  protected readonly organisation: OrganisationService;
  protected readonly calendars: CalendarService;
  protected readonly auth: AuthService;
  protected readonly dispatch: DispatchRuleService;
  protected readonly query: TicketQueryService;

  constructor(deps: TicketDeps) {
    this.db = deps.db;
    this.config = deps.config;
    this.organisation = deps.organisation;
    this.calendars = deps.calendars;
    this.auth = deps.auth;
    this.dispatch = deps.dispatch;
    this.query = deps.query;
  }

  protected context(contractOrId: number | Contract): Promise<SlaContext> {
    return loadSlaContext(this.organisation, this.calendars, contractOrId);
  }

  /** The ticket as its caller sees it now (commands answer with it). */
  protected get(actor: Actor, id: number): Promise<TicketOut> {
    return this.query.get(actor, id);
  }

  /**
   * Runs a command: finds the ticket in the caller's scope (404) and checks the version the
   * caller read (409); `prepare` does the lookups through other modules (before the transaction:
   * on SQLite a read outside it would wait for it); then, in one transaction, the ticket is read
   * again under a row lock, `build` decides from that row and `apply` writes the change.
   */
  protected async command<P>(
    actor: Actor,
    id: number,
    opts: { version?: number; sla?: (pre: repo.TicketRow) => boolean },
    prepare: (ticket: repo.TicketRow, ctx: SlaContext | null) => Promise<P>,
    /** Null: nothing changes (no write, no audit entry, no new version). */
    build: (ticket: repo.TicketRow, c: { prepared: P; ctx: SlaContext | null; now: number; trx: Tx }) => Change | null | Promise<Change | null>,
  ): Promise<Applied> {
    const version = opts.version;
    const pre = await repo.findTicket(this.db, actor.scope, id);
    if (!pre) throw AppError.notFound();
    if (version !== undefined && pre.version !== version) throw AppError.conflict();
    // The SLA context (contract, calendars) only when the command may move a clock.
    const ctx = (opts.sla?.(pre) ?? true) ? await this.context(pre.contract_id) : null;
    const prepared = await prepare(pre, ctx);
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ticket = await repo.findTicket(trx, actor.scope, id, true);
      if (!ticket) throw AppError.notFound();
      if (version !== undefined && ticket.version !== version) throw AppError.conflict();
      const change = await build(ticket, { prepared, ctx, now, trx });
      return change ? this.apply(trx, actor, ticket, ctx, change, now) : { ticket, eventIds: [], events: [], now };
    });
  }

  /** Writes a change: the ticket (at its version), the timeline, the clocks, the audit entry, the notifications. */
  protected async apply(trx: Tx, actor: Actor, ticket: repo.TicketRow, ctx: SlaContext | null, change: Change, now: number): Promise<Applied> {
    if (!(await repo.updateTicket(trx, ticket.id, ticket.version, { ...change.set, updated_at: now }))) throw AppError.conflict();
    const after = { ...ticket, ...change.set, updated_at: now, version: ticket.version + 1 } as repo.TicketRow;
    const rows = change.entries.map((e) => eventRow(ticket.id, actor, e, now));
    const eventIds = await repo.insertEvents(trx, rows);
    if (change.sla) {
      if (!ctx) throw new Error(`ticket ${ticket.id}: a change that moves the SLA clocks was prepared without the SLA context`);
      await this.recompute(trx, after, ctx, now);
    }
    if (change.entries.some(movesOla)) await this.rescheduleOla(trx, ticket, now);
    await change.after?.(trx, eventIds);
    if (touchesTicketSearch(change.set ?? {}, change.entries.map((e) => e.type))) await indexTickets(trx, [ticket.id]);
    await queueContactMail(trx, this.config, after, change.entries, eventIds, now);
    await recordAudit(trx, auditActorOf(actor), { action: change.audit.action, entity: 'tickets', entityId: ticket.id, customerId: ticket.customer_id, before: change.audit.before, after: change.audit.after }, now);
    for (const n of change.notices ?? []) await notifyTicketEvent(trx, { ...n, ticket: after, actorId: actor.userId || null, occurredAt: now });
    return { ticket: after, eventIds, events: rows.map((r, i) => ({ ...r, id: eventIds[i] }) as repo.EventRow), now };
  }

  /** Recomputes the ticket's clocks from its timeline (in the transaction) and sets its SLA job. */
  protected async recompute(trx: Tx, ticket: repo.TicketRow, ctx: SlaContext, now: number, justFired?: Map<SlaMetric, Fired>): Promise<void> {
    const sources = await repo.listSlaRelevantEvents(trx, ticket.id);
    const stored = await repo.slaRows(trx, ticket.id);
    const clocks = ctx.sla ? clocksOf(ticket.reported_at, sources, ctx.sla.policy, ctx.calendars, now) : [];
    await persistClocks(trx, ticket.id, clocks, stored, now, justFired);
  }

  /** Sets the ticket's OLA job from its timeline as it now stands (in the transaction). */
  protected async rescheduleOla(trx: Tx, ticket: Pick<repo.TicketRow, 'id' | 'reported_at' | 'customer_id'>, now: number): Promise<void> {
    await scheduleOla(trx, ticket.id, await repo.listOlaRelevantEvents(trx, ticket.id), this.config.tickets.ola, now, await olaBasisOf(trx, ticket));
  }

  /**
   * Who may be given tickets of these customers: a team that serves them all (its members see
   * only the customers it serves), an active provider-side user who works on tickets and has them
   * in his scope (else he could not even open the ticket), a member of the team when both are named.
   */
  protected async checkAssignment(teamId: number | null, assigneeId: number | null, customerIds: number[], problems: FieldProblem[]): Promise<Team | null> {
    let team: Team | null = null;
    if (teamId !== null) {
      team = await orNull(this.organisation.getTeam(SYSTEM, teamId));
      if (!team) problems.push({ field: 'teamId', code: 'tickets.teamNotFound' });
      else if (customerIds.some((c) => !team!.customerIds.includes(c))) problems.push({ field: 'teamId', code: 'tickets.teamNotServing' });
      else if (assigneeId !== null && !team.memberIds.includes(assigneeId)) problems.push({ field: 'assigneeId', code: 'tickets.notTeamMember' });
    }
    if (assigneeId !== null && !problems.some((p) => p.field === 'assigneeId')) {
      const assignee = await this.auth.actorForUser(assigneeId, 'system', null);
      if (!assignee || assignee.customerId !== null) problems.push({ field: 'assigneeId', code: 'tickets.notProviderUser' });
      else if (!can(assignee, 'tickets.write') || customerIds.some((c) => !inScope(assignee.scope, c))) problems.push({ field: 'assigneeId', code: 'tickets.assigneeOutOfScope' });
    }
    return team;
  }

  /**
   * A team's automatic assignment, prepared before the transaction: its mode and the members
   * who may be given tickets (active, provider-side, working on tickets; serving the team's
   * customers makes the ticket's customer theirs). Null for a manual team.
   */
  protected async autoAssignFor(team: PlacedTeam): Promise<AutoAssign | null> {
    if (!isAutomatic(team.assignment)) return null;
    return { teamId: team.id, mode: team.assignment, candidates: await this.auth.activeProvidersWith(team.memberIds, 'tickets.write') };
  }

  /**
   * Picks the assignee inside the assigning transaction: the team's rotation row is locked (on
   * PostgreSQL) until commit, so concurrent assignments to one team take turns; least-loaded
   * counts open tickets after the lock, seeing the ones just given. Null: nobody to pick.
   */
  protected async pick(trx: Tx, auto: AutoAssign | null, now: number): Promise<number | null> {
    if (!auto || !auto.candidates.length) return null;
    const last = await repo.lockRotation(trx, auto.teamId, now);
    const loads = auto.mode === 'least_loaded' ? await repo.openLoads(trx, auto.candidates, OPEN_STATES) : undefined;
    const chosen = pickAssignee(auto.mode, auto.candidates, last, loads);
    if (chosen !== null) await repo.setRotation(trx, auto.teamId, chosen, now);
    return chosen;
  }

  protected async assignedToOther(userId: number): Promise<AppError> {
    const dir = await this.organisation.directory({ users: [userId] });
    return new AppError(409, 'conflict', 'tickets.assignedToOther', { name: dir.users.get(userId)?.displayName ?? String(userId) });
  }

  /** When something on the ticket happened: not in the future (beyond the tolerance), not before the report. */
  protected instantOnTicket(t: repo.TicketRow, at: number | undefined, now: number): number {
    if (at === undefined) return now;
    if (at > now + FUTURE_TOLERANCE_MS) throw AppError.field('at', 'tickets.reportedInFuture');
    if (at < t.reported_at) throw AppError.field('at', 'tickets.atBeforeReported');
    return Math.min(at, now);
  }

  /** The entry a command just wrote, as the timeline shows it (written by the caller himself). */
  protected createdItem(actor: Actor, applied: Applied): TimelineItem {
    const dir: Dir = { customers: new Map(), contacts: new Map(), sites: new Map(), contracts: new Map(), teams: new Map(), users: new Map([[actor.userId, { displayName: actor.displayName, customerId: actor.customerId, disabled: false }]]) };
    return timelineItem(applied.events[0], dir, actor.customerId !== null);
  }
}

export interface Applied {
  ticket: repo.TicketRow;
  eventIds: number[];
  /** The timeline entries written, with their ids. */
  events: repo.EventRow[];
  now: number;
}

/** A team's automatic assignment, prepared before the transaction: who may be given its tickets. */
export interface AutoAssign {
  teamId: number;
  mode: 'round_robin' | 'least_loaded';
  candidates: number[];
}

/** A 404 from another module's service as "not there" (the caller turns it into a field problem). */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  }
}

export function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'tickets.providerOnly');
}

export function readOnly(t: repo.TicketRow): AppError {
  return new AppError(409, 'read_only', t.state === 'cancelled' ? 'tickets.readOnly.cancelled' : 'tickets.readOnly.closed');
}

/** Closed and cancelled tickets take no replies, visits, attachments or edits (reopen first). */
export function assertWritable(t: repo.TicketRow): void {
  if (t.state === 'closed' || t.state === 'cancelled') throw readOnly(t);
}

/** The priority level of impact × urgency on the contract's matrix, or a problem naming the unknown axis value. */
export function levelOf(ctx: SlaContext, impact: string, urgency: string, problems: FieldProblem[]): { code: string; rank: number } | null {
  try {
    const code = priorityOf(ctx.matrix, impact, urgency);
    return { code, rank: ctx.matrix.levels.find((l) => l.code === code)?.rank ?? ctx.matrix.levels.length + 1 };
  } catch (err) {
    if (!(err instanceof PriorityError)) throw err;
    const field = err.code === 'priority.impact.unknown' ? 'impact' : 'urgency';
    const axis = field === 'impact' ? ctx.matrix.impacts : ctx.matrix.urgencies;
    problems.push({ field, code: 'tickets.levelUnknown', params: { value: field === 'impact' ? impact : urgency, values: axis.map((a) => a.code).join(', ') } });
    return null;
  }
}

export function eventRow(ticketId: number, actor: Actor, e: NewEntry, now: number): repo.NewEvent {
  return { ticket_id: ticketId, at: now, type: e.type, actor_id: actor.userId || null, visibility: e.visibility, data: JSON.stringify(e.data) };
}
