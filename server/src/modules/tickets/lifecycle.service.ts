import type { Updateable } from 'kysely';
import type { CompiledCalendar } from '../../core/calendar/index.js';
import type { TicketAction, TicketState } from '../../core/tickets/lifecycle.js';
import type { TicketsTable } from '../../db/schema.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import type { EmailLink, NewEntry } from './events.js';
import * as repo from './repo.js';
import type { ActionBody, RatingBody, RatingOut, TicketOut, TicketPatch } from './schema.js';
import type { SlaContext } from './sla.js';
import { assertWritable, levelOf, orNull, requireProvider, TicketBase, type AutoAssign } from './ticket-context.js';
import { ratingOf } from './ticket-view.js';
import { assignChange, diagnoseChange, lifecycle, transitionChange, type Change } from './transitions.js';

/**
 * The lifecycle of a ticket (docs/TICKETS.md): edits and re-prioritising, the actions of the
 * state machine (assign, accept, decline, diagnose, resolve, close, reopen, cancel ...), the
 * customer's confirmation, rejection and rating of a resolution, and assigning many at once.
 */
export class TicketLifecycleService extends TicketBase {
  /** Re-prioritising (impact × urgency through the contract's matrix) and editing the ticket's text fields. */
  async patch(actor: Actor, id: number, input: TicketPatch): Promise<TicketOut> {
    requireProvider(actor);
    const { version, ...fields } = input;
    await this.command(
      actor,
      id,
      { version },
      async (pre) => {
        if (fields.siteId != null && fields.siteId !== pre.site_id) {
          const site = await orNull(this.organisation.getSite(actor, fields.siteId));
          if (!site || site.customerId !== pre.customer_id) throw AppError.field('siteId', 'tickets.siteNotOfCustomer');
        }
      },
      (t, { ctx }) => {
        assertWritable(t);
        const set: Updateable<TicketsTable> = {};
        const entries: NewEntry[] = [];
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        const columns = { title: 'title', description: 'description', service: 'service', category: 'category', siteId: 'site_id' } as const;
        for (const field of Object.keys(columns) as Array<keyof typeof columns>) {
          const value = fields[field];
          const column = columns[field];
          if (value === undefined || value === t[column]) continue;
          (set as Record<string, unknown>)[column] = value;
          changes[field] = { from: t[column], to: value };
          before[field] = t[column];
          after[field] = value;
        }
        if (Object.keys(changes).length) entries.push({ type: 'updated', visibility: 'public', data: { changes } });
        const impact = fields.impact ?? t.impact;
        const urgency = fields.urgency ?? t.urgency;
        let sla = false;
        if (impact !== t.impact || urgency !== t.urgency) {
          const problems: FieldProblem[] = [];
          const level = levelOf(ctx!, impact, urgency, problems);
          if (!level) throw AppError.validation(problems);
          Object.assign(set, { impact, urgency, priority: level.code, priority_rank: level.rank });
          Object.assign(before, { impact: t.impact, urgency: t.urgency, priority: t.priority });
          Object.assign(after, { impact, urgency, priority: level.code });
          entries.push({ type: 'priority_changed', visibility: 'public', data: { from: t.priority, to: level.code, impact, urgency, previousImpact: t.impact, previousUrgency: t.urgency } });
          sla = level.code !== t.priority;
        }
        return entries.length ? { set, entries, sla, audit: { action: 'update', before, after } } : null;
      },
    );
    return this.get(actor, id);
  }

  /** A lifecycle action (docs/TICKETS.md): the customer's staff may only cancel. */
  async action(actor: Actor, id: number, action: TicketAction, body: ActionBody): Promise<TicketOut> {
    if (actor.customerId !== null && action !== 'cancel') throw new AppError(403, 'forbidden', 'tickets.providerOnly');
    if (action === 'assign') {
      if (!can(actor, 'tickets.dispatch')) throw AppError.forbidden('tickets.dispatch');
      if (body.teamId == null && body.assigneeId == null) throw AppError.field('teamId', 'tickets.assignTargetRequired');
    }
    await this.command(
      actor,
      id,
      { version: body.version },
      async (pre, ctx): Promise<{ teamMembers?: number[]; auto?: AutoAssign | null; calendar?: CompiledCalendar; decline?: { teamId: number | null; recipients: number[] } }> => {
        if (action === 'assign') {
          const problems: FieldProblem[] = [];
          const team = await this.checkAssignment(body.teamId ?? null, body.assigneeId ?? null, [Number(pre.customer_id)], problems);
          if (problems.length) throw AppError.validation(problems);
          return { teamMembers: team && body.assigneeId == null ? team.memberIds : [], auto: team && body.assigneeId == null ? await this.autoAssignFor(team) : null };
        }
        if (action === 'accept' && pre.assignee_id !== null && Number(pre.assignee_id) !== actor.userId && !can(actor, 'tickets.dispatch')) {
          throw await this.assignedToOther(Number(pre.assignee_id));
        }
        if (action === 'decline') return { decline: await this.declineTarget(actor, pre) };
        if (action === 'resolve') return { calendar: await this.calendars.compiled(ctx!.contract.calendarId) };
        return {};
      },
      async (t, { prepared, now, trx }) => {
        if (action === 'assign') {
          const previousTeamId = t.team_id === null ? null : Number(t.team_id);
          // Re-dispatch to a team without naming anyone: the team picks, if it assigns automatically.
          const teamId = body.teamId !== undefined ? body.teamId : previousTeamId;
          const assigneeLeft = body.assigneeId == null && (teamId !== previousTeamId || t.assignee_id === null);
          const picked = assigneeLeft ? await this.pick(trx, prepared.auto ?? null, now) : null;
          const target = { teamId: body.teamId, assigneeId: picked ?? body.assigneeId };
          return assignChange(t, target, prepared.teamMembers ?? [], now, { auto: picked !== null ? prepared.auto!.mode : undefined });
        }
        if (action === 'accept' && t.assignee_id !== null && Number(t.assignee_id) !== actor.userId && !can(actor, 'tickets.dispatch')) throw AppError.conflict();
        if (action === 'decline' && (t.assignee_id === null || Number(t.assignee_id) !== actor.userId)) throw new AppError(403, 'forbidden', 'tickets.declineNotAssignee');
        if (action === 'diagnose') return diagnoseChange(t, body, now);
        return transitionChange(this.config.tickets, actor, t, action, body, now, { calendar: prepared.calendar, decline: prepared.decline });
      },
    );
    return this.get(actor, id);
  }

  /**
   * Where a declined ticket goes and who hears of it: back to its team's queue (no team: the
   * service desk's), and the service desk and that team are told (the desk must re-dispatch
   * within the OLA).
   */
  private async declineTarget(actor: Actor, pre: repo.TicketRow): Promise<{ teamId: number | null; recipients: number[] }> {
    if (pre.assignee_id === null || Number(pre.assignee_id) !== actor.userId) throw new AppError(403, 'forbidden', 'tickets.declineNotAssignee');
    const teamId = pre.team_id !== null ? Number(pre.team_id) : (await this.organisation.teamIdsServing(Number(pre.customer_id), 'desk'))[0] ?? null;
    const [desk, team] = await Promise.all([this.organisation.teamMemberIds({ kind: 'desk' }), this.organisation.teamMemberIds({ teamIds: teamId === null ? [] : [teamId] })]);
    return { teamId, recipients: [...new Set([...desk, ...team])].sort((a, b) => a - b) };
  }

  /** The customer confirms the resolution: the ticket closes. `link`: through the link in the resolution mail. */
  async confirm(actor: Actor, id: number, version?: number, link?: EmailLink): Promise<TicketOut> {
    return this.customerDecision(actor, id, 'close', null, 'confirm', version, link);
  }

  /** The customer rejects the resolution with a reason: the ticket is reopened. `link`: through the link in the resolution mail. */
  async reject(actor: Actor, id: number, reason: string, version?: number, link?: EmailLink): Promise<TicketOut> {
    return this.customerDecision(actor, id, 'reopen', reason, 'reject', version, link);
  }

  /** The customer's staff deciding on a resolution: only the ticket customer's own, recorded with how they decided. */
  private async customerDecision(actor: Actor, id: number, action: 'close' | 'reopen', reason: string | null, via: 'confirm' | 'reject', version?: number, link?: EmailLink): Promise<TicketOut> {
    await this.command(
      actor,
      id,
      { version },
      async () => undefined,
      (t, { now }) => {
        if (actor.customerId === null || Number(t.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.customerOnly');
        return transitionChange(this.config.tickets, actor, t, action, { reason }, now, { via, link });
      },
    );
    return this.get(actor, id);
  }

  /** Assigns many tickets at once: all or none; each ticket that cannot be assigned is named. */
  async bulkAssign(actor: Actor, input: { ids: number[]; teamId?: number | null; assigneeId?: number | null }): Promise<{ items: Array<{ id: number; number: string; state: string; version: number }> }> {
    requireProvider(actor);
    if (input.teamId == null && input.assigneeId == null) throw AppError.field('teamId', 'tickets.assignTargetRequired');
    const ids = [...new Set(input.ids)];
    const pre = await repo.findTickets(this.db, actor.scope, ids);
    const problems: FieldProblem[] = [];
    const team = await this.checkAssignment(input.teamId ?? null, input.assigneeId ?? null, [...new Set(pre.map((t) => Number(t.customer_id)))], problems);
    if (problems.length) throw AppError.validation(problems);
    const contexts = new Map<number, SlaContext>();
    for (const contractId of new Set(pre.map((t) => Number(t.contract_id)))) contexts.set(contractId, await this.context(contractId));
    const teamMembers = team && input.assigneeId == null ? team.memberIds : [];
    // To a team without naming anyone: the team picks for each ticket in turn.
    const auto = team && input.assigneeId == null ? await this.autoAssignFor(team) : null;
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const rows = new Map((await repo.findTickets(trx, actor.scope, ids, true)).map((t) => [Number(t.id), t]));
      const failures: FieldProblem[] = [];
      input.ids.forEach((id, i) => {
        if (input.ids.indexOf(id) !== i) return;
        const t = rows.get(id);
        if (!t || !contexts.has(Number(t.contract_id))) return failures.push({ field: `ids[${i}]`, code: 'tickets.ticketNotFound' });
        try {
          lifecycle(t.state as TicketState, 'assign', { now });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          failures.push({ field: `ids[${i}]`, code: err.messageKey, params: err.params });
        }
      });
      if (failures.length) throw new AppError(409, 'bulk_failed', 'tickets.bulkFailed', { count: failures.length }, failures);
      const items = [];
      for (const id of ids) {
        const t = rows.get(id)!;
        const picked = await this.pick(trx, auto, now);
        const change = assignChange(t, { teamId: input.teamId, assigneeId: picked ?? input.assigneeId }, teamMembers, now, { auto: picked !== null ? auto!.mode : undefined });
        const applied = await this.apply(trx, actor, t, contexts.get(Number(t.contract_id))!, change, now);
        items.push({ id, number: applied.ticket.number, state: applied.ticket.state, version: applied.ticket.version });
      }
      return { items };
    });
  }

  /**
   * The customer's satisfaction rating (REQ §2.16): by the ticket customer's staff, once the
   * ticket is resolved or closed, once (409 after). A score of 1 or 2 suggests a complaint.
   */
  async rate(actor: Actor, id: number, body: RatingBody, link?: EmailLink): Promise<RatingOut & { suggestComplaint: boolean }> {
    if (actor.customerId === null) throw new AppError(403, 'forbidden', 'tickets.rating.customerOnly');
    const applied = await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      async (t, { now, trx }): Promise<Change> => {
        if (Number(t.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.rating.customerOnly');
        if (t.state !== 'resolved' && t.state !== 'closed') throw new AppError(409, 'not_resolved', 'tickets.rating.notResolved');
        if (await repo.findRating(trx, t.id)) throw new AppError(409, 'duplicate', 'tickets.rating.exists');
        const row: repo.RatingRow = { ticket_id: t.id, customer_id: Number(t.customer_id), score: body.score, comment: body.comment, rated_by: actor.userId || null, rated_at: now, rated_by_contact_id: link?.contactId ?? null };
        const notices: Change['notices'] = t.assignee_id === null ? [] : [{ type: 'ticket.rated', recipients: [Number(t.assignee_id)], titleKey: 'tickets.notify.rated', params: { title: t.title, score: body.score }, body: body.comment }];
        return {
          entries: [{ type: 'rated', visibility: 'public', data: { score: body.score, comment: body.comment, ...(link ? { emailLink: link } : {}) } }],
          after: (tx) => repo.insertRating(tx, row),
          notices,
          audit: { action: 'rate', after: { score: body.score, comment: body.comment, ...(link ? { emailLink: link } : {}) } },
        };
      },
    );
    return { ...ratingOf({ ticket_id: id, customer_id: actor.customerId, score: body.score, comment: body.comment, rated_by: actor.userId || null, rated_at: applied.now, rated_by_contact_id: link?.contactId ?? null }, actor.displayName), suggestComplaint: body.score <= 2 };
  }
}
