import type { CompiledCalendar } from '../../core/calendar/index.js';
import type { SlaMetric } from '../../core/sla/index.js';
import { isOpen, type TicketState } from '../../core/tickets/lifecycle.js';
import type { Db } from '../../db/index.js';
import type { BatchOutcome, JobContext } from '../../platform/jobs/scheduler.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import type { NewEntry } from './events.js';
import { notifyTicketEvent, type TicketNotice } from './notify.js';
import * as repo from './repo.js';
import { clocksOf, firedOf, firingsOf, isOpenClock, loadSlaContext, persistClocksMany, unfired, type ClockUpdate, type Fired, type SlaContext } from './sla.js';

export interface SlaJobOptions {
  /** Tickets per transaction (SQLite has one writer: a long transaction holds up every request). */
  ticketsPerTransaction: number;
}

/** What the SLA batch needs of a ticket before its transaction: the contract's SLA and who works the ticket. */
interface Prepared {
  ctx: SlaContext;
  /** The ticket's team's members (empty without a team). */
  team: number[];
}

/**
 * The SLA job (`tickets.sla`, one per ticket, key `sla:ticket:<id>`) run in batches: the same
 * work as TicketService.runSlaJob for many tickets at once, with the same result — the clocks
 * recomputed from each ticket's timeline as of now, each warning and breach they passed and the
 * markers do not hold yet fired once (an internal timeline entry and a notification to whoever
 * works the ticket while it is open), the markers stored with the clocks in the same
 * transaction, the next wake set.
 *
 * Shared work is done once per batch: the contract, its SLA policy and compiled calendars per
 * contract, the service desk's and each team's members; in each transaction the tickets, their
 * clocks and their SLA timelines are read with one query each, and the entries, clocks,
 * summaries and jobs written with a few statements for all of them.
 *
 * A ticket with an escalation step to fire is left to runSlaJob after the batch (the step may
 * reassign the ticket or raise its priority, with its audit entry): steps are rare, warnings are
 * not. A transaction that fails is retried one ticket at a time, so a bad ticket fails alone
 * (its job is retried with backoff, then parked) and the others fire.
 *
 * The clocks are recomputed from the timeline, not fired from the stored row (ticket_sla) when
 * nothing changed since it was computed: the batch's timelines are one indexed query and a
 * ticket's clocks take about 10 µs to compute (docs/BENCHMARKS.md, "SLA core") — a few percent
 * of the job — while firing from the stored row would need a second implementation of the clock
 * rules (pauses, calendars, re-prioritising) that agrees with computeClocks to the millisecond.
 */
export class SlaJobRunner {
  constructor(
    private readonly db: Db,
    private readonly organisation: OrganisationService,
    private readonly calendars: CalendarService,
    /** One ticket's SLA job on its own (TicketService.runSlaJob). */
    private readonly runOne: (ticketId: number) => Promise<void>,
    private readonly opts: SlaJobOptions,
  ) {}

  async run(jobs: ReadonlyArray<JobContext<{ ticketId: number }>>): Promise<BatchOutcome> {
    const failed = new Map<number, unknown>();
    const jobsOf = new Map<number, number[]>();
    for (const j of jobs) jobsOf.set(j.payload.ticketId, [...(jobsOf.get(j.payload.ticketId) ?? []), j.id]);
    const failTicket = (ticketId: number, err: unknown) => {
      for (const id of jobsOf.get(ticketId) ?? []) failed.set(id, err);
    };

    // Before the transactions (reads through other modules' services), shared across the batch.
    const tickets = await repo.findTicketsForJob(this.db, [...jobsOf.keys()]);
    const contexts = new Map<number, Promise<SlaContext>>();
    const calendars = new Map<string, Promise<CompiledCalendar>>();
    const teams = new Map<number, Promise<number[]>>();
    const prepared = new Map<number, Prepared>();
    for (const t of tickets) {
      const contractId = Number(t.contract_id);
      if (!contexts.has(contractId)) contexts.set(contractId, settled(loadSlaContext(this.organisation, this.calendars, contractId, calendars)));
      const teamId = t.team_id === null ? null : Number(t.team_id);
      if (teamId !== null && !teams.has(teamId)) teams.set(teamId, settled(this.organisation.teamMemberIds({ teamIds: [teamId] })));
      try {
        prepared.set(t.id, { ctx: await contexts.get(contractId)!, team: teamId === null ? [] : await teams.get(teamId)! });
      } catch (err) {
        failTicket(t.id, err);
      }
    }
    // The service desk hears of a ticket nobody works (one query per batch, as runSlaJob reads it before its transaction).
    const desk = tickets.length ? await this.organisation.teamMemberIds({ kind: 'desk' }) : [];

    const ready = tickets.filter((t) => prepared.has(t.id)).map((t) => t.id);
    const escalating: number[] = [];
    const size = Math.max(1, this.opts.ticketsPerTransaction);
    for (let i = 0; i < ready.length; i += size) {
      const part = ready.slice(i, i + size);
      try {
        escalating.push(...(await this.fire(part, prepared, desk)));
      } catch (err) {
        if (part.length === 1) {
          failTicket(part[0], err);
          continue;
        }
        // One of them is bad: each alone, so the others still fire.
        for (const id of part) {
          try {
            escalating.push(...(await this.fire([id], prepared, desk)));
          } catch (e) {
            failTicket(id, e);
          }
        }
      }
    }
    // Escalation steps: the ticket service runs these tickets' jobs whole, one by one.
    for (const id of escalating) {
      try {
        await this.runOne(id);
      } catch (err) {
        failTicket(id, err);
      }
    }
    return { failed };
  }

  /** One transaction for these tickets; returns those left to runSlaJob (an escalation step is due). */
  private fire(ids: number[], prepared: ReadonlyMap<number, Prepared>, desk: number[]): Promise<number[]> {
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const tickets = await repo.findTicketsForJob(trx, ids, true);
      const stored = await repo.slaRowsOf(trx, ids);
      const withSla = tickets.filter((t) => prepared.get(t.id)!.ctx.sla !== null).map((t) => t.id);
      const sources = withSla.length ? await repo.listSlaRelevantEventsOf(trx, withSla) : new Map();
      const escalating: number[] = [];
      const updates: ClockUpdate[] = [];
      const entries: repo.NewEvent[] = [];
      const notices: TicketNotice[] = [];
      for (const ticket of tickets) {
        const { ctx, team } = prepared.get(ticket.id)!;
        const rows = stored.get(ticket.id) ?? [];
        if (!ctx.sla) {
          updates.push({ ticketId: ticket.id, clocks: [], stored: rows });
          continue;
        }
        const clocks = clocksOf(ticket.reported_at, sources.get(ticket.id) ?? [], ctx.sla.policy, ctx.calendars, now);
        const byMetric = new Map(rows.map((r) => [r.metric, r]));
        if (clocks.some((c) => unfired(c, firedOf(byMetric.get(c.metric))).escalations.length > 0)) {
          escalating.push(ticket.id);
          continue;
        }
        // Who works the ticket: its assignee, else its team, else the service desk.
        const working = ticket.assignee_id !== null ? [Number(ticket.assignee_id)] : team.length ? team : desk;
        const justFired = new Map<SlaMetric, Fired>();
        const own: NewEntry[] = [];
        for (const c of clocks) {
          const open = isOpenClock(c) && isOpen(ticket.state as TicketState);
          const done = firingsOf(c, firedOf(byMetric.get(c.metric)), open);
          for (const f of done.firings) {
            own.push(f.entry);
            if (f.notice) notices.push({ ...f.notice, ticket, recipients: working, actorId: null, occurredAt: now });
          }
          justFired.set(c.metric, done.fired);
        }
        for (const e of own) entries.push({ ticket_id: ticket.id, at: now, type: e.type, actor_id: null, visibility: e.visibility, data: JSON.stringify(e.data) });
        // The entries written are not SLA sources: the clocks stay as computed.
        updates.push({ ticketId: ticket.id, clocks, stored: rows, justFired });
      }
      for (let i = 0; i < entries.length; i += 500) await repo.insertEvents(trx, entries.slice(i, i + 500));
      await persistClocksMany(trx, updates, now);
      for (const n of notices) await notifyTicketEvent(trx, n);
      return escalating;
    });
  }
}

/** The promise, marked handled (it is awaited later, maybe by no one if an earlier lookup failed). */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
