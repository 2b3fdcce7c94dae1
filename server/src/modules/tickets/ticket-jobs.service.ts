import type { Updateable } from 'kysely';
import { isOpenOla, type EscalationStep, type SlaMetric } from '../../core/sla/index.js';
import { isOpen, type TicketState } from '../../core/tickets/lifecycle.js';
import type { Tx } from '../../db/index.js';
import type { TicketsTable } from '../../db/schema.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { enqueueJob } from '../../platform/jobs/scheduler.js';
import { resolutionMailSentAt } from './contact-mail.js';
import type { EscalatedData, NewEntry } from './events.js';
import { notifyTicketEvent } from './notify.js';
import { firedBreaches, movesOla, olaBasisOf, olaClocksOf, scheduleOla, unfiredBreaches } from './ola.js';
import * as repo from './repo.js';
import { clocksOf, firedOf, firingsOf, isOpenClock, persistClocks, SYSTEM, type Fired, type SlaContext } from './sla.js';
import { eventRow, orNull, TicketBase, type AutoAssign } from './ticket-context.js';
import { indexTickets, touchesTicketSearch } from '../search/sources.js';
import { assignChange, AUTO_CLOSE_JOB, autoCloseJobKey, transitionChange, type Change } from './transitions.js';

/**
 * The scheduler's jobs on one ticket: the SLA job (warnings, breaches and the policy's
 * escalation chain), the desk's OLA job, and the auto-close of a resolved ticket nobody
 * objected to. Idempotent: each reads what it already fired from the ticket's rows.
 */
export class TicketJobService extends TicketBase {
  /**
   * The SLA job of one ticket (key `sla:ticket:<id>`): recomputes the clocks now and fires, once
   * each, the warnings, breaches and escalation steps they have passed (a timeline entry, the
   * escalation's action, a notification), stores what it fired and sets the next wake.
   */
  async runSlaJob(ticketId: number): Promise<void> {
    const pre = await repo.findTicketForJob(this.db, ticketId);
    if (!pre) return;
    const ctx = await this.context(pre.contract_id);
    const people = await this.people(ctx, pre);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ticket = await repo.findTicketForJob(trx, ticketId, true);
      if (!ticket) return;
      const stored = await repo.slaRows(trx, ticketId);
      if (!ctx.sla) return persistClocks(trx, ticketId, [], stored, now);
      const policy = ctx.sla.policy;
      const clocks = clocksOf(ticket.reported_at, await repo.listSlaRelevantEvents(trx, ticketId), policy, ctx.calendars, now);
      const byMetric = new Map(stored.map((r) => [r.metric, r]));
      const justFired = new Map<SlaMetric, Fired>();
      const entries: NewEntry[] = [];
      const notices: NonNullable<Change['notices']> = [];
      let current = ticket;
      const changes: Change[] = [];
      for (const c of clocks) {
        const open = isOpenClock(c) && isOpen(current.state as TicketState);
        const metric = { key: `tickets.metric.${c.metric}` };
        const done = firingsOf(c, firedOf(byMetric.get(c.metric)), open);
        for (const f of done.firings) {
          entries.push(f.entry);
          if (f.notice) notices.push({ ...f.notice, recipients: working(people, current) });
        }
        for (const step of done.escalations) {
          const rule = policy.escalation[step];
          const recipients = recipientsOf(rule, people, current);
          let result: NonNullable<EscalatedData['result']> = 'not_open';
          const stepEntries: NewEntry[] = [];
          if (open) {
            const escalated = await this.escalationStep(trx, rule, { metric: c.metric, step }, current, ctx, people, now);
            result = escalated.result;
            if (escalated.change) {
              changes.push(escalated.change);
              stepEntries.push(...escalated.change.entries);
              current = { ...current, ...escalated.change.set } as repo.TicketRow;
            }
            notices.push({ type: 'ticket.escalated', recipients, titleKey: 'tickets.notify.slaEscalated', params: { metric, title: current.title } });
          }
          // The same entry a manual escalation writes (docs/TICKETS.md): reassigning is functional, telling people hierarchical.
          const data: EscalatedData = {
            kind: rule.action === 'reassign' ? 'functional' : 'hierarchical',
            trigger: 'sla',
            reason: null,
            recipients,
            metric: c.metric,
            step,
            action: rule.action,
            result,
            toProjectManager: open && people.pm !== null && recipients.includes(people.pm),
          };
          entries.push({ type: 'escalated', visibility: 'internal', data }, ...stepEntries);
        }
        justFired.set(c.metric, done.fired);
      }
      if (changes.length) {
        const set = Object.assign({}, ...changes.map((ch) => ch.set)) as Updateable<TicketsTable>;
        if (!(await repo.updateTicket(trx, ticketId, ticket.version, { ...set, updated_at: now }))) throw AppError.conflict();
        current = { ...current, updated_at: now, version: ticket.version + 1 };
        if (touchesTicketSearch(set, [])) await indexTickets(trx, [ticketId]);
        for (const ch of changes) await recordAudit(trx, auditActorOf(SYSTEM), { action: ch.audit.action, entity: 'tickets', entityId: ticketId, customerId: ticket.customer_id, before: ch.audit.before, after: ch.audit.after }, now);
      }
      await repo.insertEvents(trx, entries.map((e) => eventRow(ticketId, SYSTEM, e, now)));
      await this.recompute(trx, current, ctx, now, justFired);
      if (entries.some(movesOla)) await this.rescheduleOla(trx, current, now);
      for (const n of [...notices, ...changes.flatMap((ch) => ch.notices ?? [])]) await notifyTicketEvent(trx, { ...n, ticket: current, actorId: null, occurredAt: now });
    });
  }

  /**
   * One escalation step's action on the ticket: reassign to the step's user, or to the step's
   * team (which picks an assignee by its setting), or raise the priority one level.
   */
  private async escalationStep(
    trx: Tx,
    rule: EscalationStep,
    marker: { metric: SlaMetric; step: number },
    t: repo.TicketRow,
    ctx: SlaContext,
    people: People,
    now: number,
  ): Promise<{ result: 'notified' | 'reassigned' | 'priority_raised' | 'no_target' | 'top_priority'; change?: Change }> {
    switch (rule.action) {
      case 'notify':
        return { result: 'notified' };
      case 'reassign': {
        const userId = (rule.notify.userIds ?? []).find((u) => isActiveProvider(people.users.get(u)));
        const teamId = stepTeamId(rule);
        if (userId === undefined && teamId === undefined) return { result: 'no_target' };
        const auto = userId === undefined && teamId !== undefined ? people.autos.get(teamId) ?? null : null;
        const picked = userId ?? (await this.pick(trx, auto, now)) ?? undefined;
        return { result: 'reassigned', change: assignChange(t, { teamId, assigneeId: picked }, [], now, { escalation: marker, auto: userId === undefined && picked !== undefined ? auto!.mode : undefined }) };
      }
      case 'raise_priority': {
        const levels = [...ctx.matrix.levels].sort((a, b) => a.rank - b.rank);
        const higher = levels.filter((l) => l.rank < t.priority_rank).pop();
        if (!higher) return { result: 'top_priority' };
        return {
          result: 'priority_raised',
          change: {
            set: { priority: higher.code, priority_rank: higher.rank },
            entries: [{ type: 'priority_changed', visibility: 'public', data: { from: t.priority, to: higher.code, impact: t.impact, urgency: t.urgency, previousImpact: t.impact, previousUrgency: t.urgency, escalation: marker } }],
            audit: { action: 'escalate', before: { priority: t.priority }, after: { priority: higher.code, escalation: marker } },
          },
        };
      }
    }
  }

  /** Who the SLA job may tell or hand a ticket to, looked up before its transaction. */
  private async people(ctx: SlaContext, t: repo.TicketRow): Promise<People> {
    const steps = ctx.sla?.policy.escalation ?? [];
    const stepUsers = steps.flatMap((s) => s.notify.userIds ?? []);
    const stepTeams = [...new Set(steps.filter((s) => s.action === 'reassign').flatMap((s) => (stepTeamId(s) === undefined ? [] : [stepTeamId(s)!])))];
    const teamIds = t.team_id === null ? [] : [Number(t.team_id)];
    const [desk, team, leads, dir, teams] = await Promise.all([
      this.organisation.teamMemberIds({ kind: 'desk' }),
      this.organisation.teamMemberIds({ teamIds }),
      this.organisation.teamMemberIds({ teamIds, leadsOnly: true }),
      this.organisation.directory({ users: stepUsers }),
      Promise.all(stepTeams.map((id) => orNull(this.organisation.getTeam(SYSTEM, id)))),
    ]);
    const autos = new Map<number, AutoAssign>();
    for (const found of teams) {
      const auto = found ? await this.autoAssignFor(found) : null;
      if (auto) autos.set(auto.teamId, auto);
    }
    return { pm: ctx.contract.projectManagerId, desk, team, leads, users: dir.users, autos };
  }

  /**
   * The OLA job of one ticket (key `ola:ticket:<id>`): recomputes the desk's OLA clocks now and
   * fires each breach once: an internal `ola.breached` entry, and a warning to the service
   * desk's members while the clock is still open on an open ticket. Sets the next wake.
   */
  async runOlaJob(ticketId: number): Promise<void> {
    const desk = await this.organisation.teamMemberIds({ kind: 'desk' });
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ticket = await repo.findTicketForJob(trx, ticketId, true);
      if (!ticket) return;
      const rows = await repo.listOlaRelevantEvents(trx, ticketId);
      const basis = await olaBasisOf(trx, ticket);
      const clocks = olaClocksOf(rows, this.config.tickets.ola, now, basis);
      const entries: NewEntry[] = [];
      const open = isOpen(ticket.state as TicketState);
      for (const c of unfiredBreaches(clocks, firedBreaches(rows))) {
        entries.push({ type: 'ola.breached', visibility: 'internal', data: { target: c.target, startedAt: iso(c.startedAt), dueAt: iso(c.dueAt) } });
        if (open && isOpenOla(c)) {
          const target = { key: `tickets.ola.${c.target}` };
          await notifyTicketEvent(trx, { type: 'ola.breached', ticket, actorId: null, recipients: desk, titleKey: 'tickets.notify.olaBreached', params: { target, title: ticket.title }, occurredAt: now });
        }
      }
      const written = entries.map((e) => eventRow(ticketId, SYSTEM, e, now));
      await repo.insertEvents(trx, written);
      await scheduleOla(trx, ticketId, [...rows, ...written], this.config.tickets.ola, now, basis);
    });
  }

  /**
   * Closes a resolved ticket nobody objected to within N working days of the contract's
   * calendar (TICKET_AUTO_CLOSE_WORKDAYS). A ticket reopened, closed or resolved again since
   * is left alone; run early, the job puts itself back at the deadline.
   */
  async runAutoClose(ticketId: number, resolvedAt: number): Promise<void> {
    const pre = await repo.findTicketForJob(this.db, ticketId);
    if (!pre || pre.state !== 'resolved' || pre.resolved_at !== resolvedAt) return;
    const ctx = await this.context(pre.contract_id);
    const calendar = await this.calendars.compiled(ctx.contract.calendarId);
    const deadline = calendar.addWorkingDays(resolvedAt, this.config.tickets.autoCloseWorkdays);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      if (now < deadline) return enqueueJob(trx, { kind: AUTO_CLOSE_JOB, key: autoCloseJobKey(ticketId), payload: { ticketId, resolvedAt }, runAt: deadline }, now);
      const t = await repo.findTicketForJob(trx, ticketId, true);
      if (!t || t.state !== 'resolved' || t.resolved_at !== resolvedAt) return;
      const noObjection = { mailSentAt: await resolutionMailSentAt(trx, ticketId, resolvedAt), workdays: this.config.tickets.autoCloseWorkdays };
      await this.apply(trx, SYSTEM, t, ctx, transitionChange(this.config.tickets, SYSTEM, t, 'close', { reason: null }, now, { via: 'auto', noObjection }), now);
    });
  }
}

interface People {
  pm: number | null;
  desk: number[];
  team: number[];
  leads: number[];
  users: Map<number, { customerId: number | null; disabled: boolean }>;
  /** The automatic assignment of each team the policy's reassign steps name. */
  autos: Map<number, AutoAssign>;
}

/** The team a reassign step names (`teamId`, stored with the policy as given). */
function stepTeamId(rule: EscalationStep): number | undefined {
  const named = (rule as unknown as { teamId?: unknown }).teamId;
  return typeof named === 'number' ? named : undefined;
}

function isActiveProvider(u: { customerId: number | null; disabled: boolean } | undefined): boolean {
  return !!u && u.customerId === null && !u.disabled;
}

/** Who works the ticket: its assignee, else its team, else the service desk. */
function working(p: People, t: repo.TicketRow): number[] {
  if (t.assignee_id !== null) return [Number(t.assignee_id)];
  return p.team.length ? p.team : p.desk;
}

/**
 * Recipients of an escalation step: roles by code (pm / project_manager: the contract's project
 * manager; desk: the service desk teams; assignee; team: the ticket's team; team_lead: its
 * leads) and named users (active provider-side users only).
 */
function recipientsOf(rule: EscalationStep, p: People, t: repo.TicketRow): number[] {
  const out = new Set<number>();
  for (const role of rule.notify.roles ?? []) {
    switch (role) {
      case 'pm':
      case 'project_manager':
        if (p.pm !== null) out.add(p.pm);
        break;
      case 'desk':
        p.desk.forEach((u) => out.add(u));
        break;
      case 'assignee':
        if (t.assignee_id !== null) out.add(Number(t.assignee_id));
        break;
      case 'team':
        p.team.forEach((u) => out.add(u));
        break;
      case 'team_lead':
        p.leads.forEach((u) => out.add(u));
        break;
    }
  }
  for (const u of rule.notify.userIds ?? []) if (isActiveProvider(p.users.get(u))) out.add(u);
  return [...out].sort((a, b) => a - b);
}
