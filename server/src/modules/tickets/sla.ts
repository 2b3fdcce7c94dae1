import type { CompiledCalendar } from '../../core/calendar/index.js';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrix } from '../../core/priority.js';
import { ANY_PRIORITY, computeClocks, nextWakeAt, type MetricClock, type SlaMetric, type SlaPolicy, type SlaTarget, type TicketEvent } from '../../core/sla/index.js';
import type { DbOrTx } from '../../db/index.js';
import { systemActor } from '../../platform/auth/actor.js';
import { cancelJob, cancelJobs, enqueueJob, enqueueJobs } from '../../platform/jobs/scheduler.js';
import type { Contract } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import type { ContractSla } from '../sla/policies.service.js';
import * as repo from './repo.js';
import type { SlaStatus } from './schema.js';

/**
 * The live SLA of tickets: the clocks of core/sla fed from a ticket's timeline, persisted in
 * `ticket_sla` (and summarised on the ticket for the queues), and one scheduler job per ticket
 * (key `sla:ticket:<id>`) that wakes at the next warning, breach or escalation instant.
 *
 * Firing is the job's alone: recomputing after a change keeps the fired markers
 * (warnings_fired, escalations_fired, breached_at) as they were, and the job fires whatever the
 * clocks have passed that the markers do not yet hold, then stores the markers in the same
 * transaction. A job that runs twice finds them stored and fires nothing: exactly once.
 */
export const SLA_JOB = 'tickets.sla';
export const slaJobKey = (ticketId: number) => `sla:ticket:${ticketId}`;

/** Lookups of other modules are made with the system's eyes: the ticket was already found in the caller's scope. */
export const SYSTEM = systemActor('system');

export interface SlaContext {
  contract: Contract;
  sla: ContractSla | null;
  matrix: PriorityMatrix;
  /** Every calendar the policy's targets name, compiled. */
  calendars: Map<string, CompiledCalendar>;
}

/** The contract's SLA as the SLA module stores it on the contract (null: no SLA, no clocks). */
export function contractSla(contract: Contract): ContractSla | null {
  return contract.slaPolicy as ContractSla | null;
}

/**
 * Loads what computing a ticket's clocks needs. Call it outside a transaction (it reads through
 * other modules' services). `shared`: calendars already looked up for other contracts of the
 * same batch (the SLA job's), so each is looked up once per batch.
 */
export async function loadSlaContext(
  organisation: OrganisationService,
  calendars: CalendarService,
  contractOrId: number | Contract,
  shared?: Map<string, Promise<CompiledCalendar>>,
): Promise<SlaContext> {
  const contract = typeof contractOrId === 'number' ? await organisation.getContract(SYSTEM, contractOrId) : contractOrId;
  const sla = contractSla(contract);
  const compiled = new Map<string, CompiledCalendar>();
  const lookup = (id: string) => {
    if (!shared) return calendars.compiled(id);
    if (!shared.has(id)) shared.set(id, calendars.compiled(id));
    return shared.get(id)!;
  };
  if (sla) {
    for (const targets of Object.values(sla.policy.targets)) {
      for (const target of Object.values(targets)) if (target && !compiled.has(target.calendarId)) compiled.set(target.calendarId, await lookup(target.calendarId));
    }
  }
  return { contract, sla, matrix: sla?.matrix ?? DEFAULT_PRIORITY_MATRIX, calendars: compiled };
}

type SourceEvent = Pick<repo.EventRow, 'at' | 'type' | 'visibility' | 'data'>;

/**
 * The SLA history of a ticket from its timeline (docs/TICKETS.md, "SLA events"): reported (at
 * the reported instant, with the first priority), state changes, priority changes, the first
 * response (acceptance or the provider's first public reply), on-site arrival (an engineer's
 * check-in, at the instant he gave), resolved, reopened, cancelled, closed. Nothing precedes
 * the report: instants before it count from it.
 */
export function slaEventsOf(reportedAt: number, rows: readonly SourceEvent[]): TicketEvent[] {
  const out: TicketEvent[] = [];
  const at = (ms: number) => Math.max(ms, reportedAt);
  let responded = false;
  const respond = (ms: number) => {
    if (responded) return;
    responded = true;
    out.push({ type: 'responded', at: at(ms) });
  };
  for (const row of rows) {
    const d = JSON.parse(row.data) as Record<string, unknown>;
    switch (row.type) {
      case 'created':
        out.unshift({ type: 'reported', at: reportedAt, priority: String(d.priority) });
        break;
      case 'assigned':
        if (d.from !== d.to) out.push({ type: 'state_changed', at: at(row.at), from: String(d.from), to: String(d.to) });
        break;
      case 'state_changed':
        out.push({ type: 'state_changed', at: at(row.at), from: String(d.from), to: String(d.to) });
        switch (d.action) {
          case 'accept':
            respond(row.at);
            break;
          case 'resolve':
            out.push({ type: 'resolved', at: at(row.at) });
            break;
          case 'close':
            out.push({ type: 'closed', at: at(row.at) });
            break;
          case 'reopen':
            out.push({ type: 'reopened', at: at(row.at) });
            break;
          case 'cancel':
            out.push({ type: 'cancelled', at: at(row.at) });
            break;
        }
        break;
      case 'priority_changed':
        out.push({ type: 'priority_changed', at: at(row.at), priority: String(d.to) });
        break;
      case 'reply':
        if (row.visibility === 'public' && d.provider === true) respond(row.at);
        break;
      case 'visit':
        if (d.event === 'arrived') out.push({ type: 'onsite_arrived', at: at(Date.parse(String(d.at))) });
        break;
    }
  }
  return out;
}

export function clocksOf(reportedAt: number, rows: readonly SourceEvent[], policy: SlaPolicy, calendars: ReadonlyMap<string, CompiledCalendar>, now: number): MetricClock[] {
  return computeClocks(slaEventsOf(reportedAt, rows), policy, calendars, now);
}

/** Still counting: running, or breached and neither met, cancelled nor paused. */
export function isCounting(c: MetricClock): boolean {
  return c.state === 'running' || (c.state === 'breached' && c.metAt === undefined && c.cancelledAt === undefined && c.pausedReason === undefined);
}

/** Open: not met and not cancelled (escalating or warning about a met metric helps nobody). */
export function isOpenClock(c: MetricClock): boolean {
  return c.metAt === undefined && c.cancelledAt === undefined;
}

export interface Fired {
  warnings: number[];
  escalations: number[];
  breachedAt: number | null;
}

export function firedOf(row: repo.SlaRow | undefined): Fired {
  return row ? { warnings: JSON.parse(row.warnings_fired) as number[], escalations: JSON.parse(row.escalations_fired) as number[], breachedAt: row.breached_at } : { warnings: [], escalations: [], breachedAt: null };
}

/** What the clocks have passed that the markers do not hold yet. */
export function unfired(c: MetricClock, fired: Fired): { warnings: number[]; breach: boolean; escalations: number[] } {
  return {
    warnings: c.warningsFired.filter((w) => !fired.warnings.includes(w)),
    breach: c.breachedAt !== undefined && fired.breachedAt === null,
    escalations: c.escalationsFired.filter((i) => !fired.escalations.includes(i)),
  };
}

function hasUnfired(c: MetricClock, fired: Fired): boolean {
  const u = unfired(c, fired);
  return u.breach || u.warnings.length > 0 || u.escalations.length > 0;
}

export function summaryOf(clocks: readonly MetricClock[]): { dueAt: number | null; status: SlaStatus } {
  let dueAt: number | null = null;
  let counting = false;
  let warning = false;
  let paused = false;
  let breached = false;
  for (const c of clocks) {
    if (c.state === 'breached') breached = true;
    if (c.state === 'paused') paused = true;
    if (isCounting(c)) {
      counting = true;
      if (c.warningsFired.length) warning = true;
      if (c.dueAt !== null && (dueAt === null || c.dueAt < dueAt)) dueAt = c.dueAt;
    }
  }
  const status: SlaStatus = breached ? 'breached' : warning ? 'warning' : counting ? 'ok' : paused ? 'paused' : 'none';
  return { dueAt, status };
}

/** The `ticket_sla` rows of a ticket's clocks (keeping the fired markers, adding `justFired`), and whether something is due to fire. */
export function clockRows(ticketId: number, clocks: readonly MetricClock[], stored: readonly repo.SlaRow[], now: number, justFired?: Map<SlaMetric, Fired>): { rows: repo.SlaRow[]; fireNow: boolean } {
  const byMetric = new Map(stored.map((r) => [r.metric, r]));
  let fireNow = false;
  const rows: repo.SlaRow[] = clocks.map((c) => {
    const fired = justFired?.get(c.metric) ?? firedOf(byMetric.get(c.metric));
    if (hasUnfired(c, fired)) fireNow = true;
    return {
      ticket_id: ticketId,
      metric: c.metric,
      priority: c.priority,
      calendar_id: c.calendarId,
      target_ms: c.targetMs,
      state: c.state,
      counting: isCounting(c) ? 1 : 0,
      due_at: c.dueAt,
      remaining_ms: c.remainingMs,
      computed_at: now,
      paused_reason: c.pausedReason ?? null,
      warnings_fired: JSON.stringify(fired.warnings),
      escalations_fired: JSON.stringify(fired.escalations),
      breached_at: fired.breachedAt,
      met_at: c.metAt ?? null,
    };
  });
  return { rows, fireNow };
}

/**
 * Persists the clocks (keeping the fired markers, adding `justFired`) and the ticket's summary,
 * and sets the ticket's SLA job: now if something is due to fire, else at the next wake, or
 * none. Runs inside the caller's transaction.
 */
export async function persistClocks(
  trx: DbOrTx,
  ticketId: number,
  clocks: readonly MetricClock[],
  stored: readonly repo.SlaRow[],
  now: number,
  justFired?: Map<SlaMetric, Fired>,
  /** False when the caller writes the ticket's summary itself (a new ticket is inserted with it). */
  writeSummary = true,
): Promise<repo.SlaRow[]> {
  const { rows, fireNow } = clockRows(ticketId, clocks, stored, now, justFired);
  await repo.replaceSlaRows(trx, ticketId, rows, stored.length > 0);
  if (writeSummary) {
    const summary = summaryOf(clocks);
    await repo.setSlaSummary(trx, ticketId, summary.dueAt, summary.status);
  }
  const wakeAt = fireNow ? now : nextWakeAt(clocks);
  if (wakeAt === null) await cancelJob(trx, slaJobKey(ticketId));
  else await enqueueJob(trx, { kind: SLA_JOB, key: slaJobKey(ticketId), payload: { ticketId }, runAt: wakeAt }, now);
  return rows;
}

export interface ClockUpdate {
  ticketId: number;
  clocks: readonly MetricClock[];
  stored: readonly repo.SlaRow[];
  justFired?: Map<SlaMetric, Fired>;
}

/**
 * `persistClocks` for many tickets at once (the SLA job's batches), with the same result, in a
 * few statements: the clocks replaced in one delete and one insert, the summaries in one
 * update, the jobs set in one upsert and one delete.
 */
export async function persistClocksMany(trx: DbOrTx, updates: readonly ClockUpdate[], now: number): Promise<void> {
  const rows: repo.SlaRow[] = [];
  const replaced: number[] = [];
  const summaries: repo.SlaSummary[] = [];
  const wake: Array<{ kind: string; key: string; payload: { ticketId: number }; runAt: number }> = [];
  const cancel: string[] = [];
  for (const u of updates) {
    const built = clockRows(u.ticketId, u.clocks, u.stored, now, u.justFired);
    rows.push(...built.rows);
    if (u.stored.length) replaced.push(u.ticketId);
    summaries.push({ id: u.ticketId, ...summaryOf(u.clocks) });
    const wakeAt = built.fireNow ? now : nextWakeAt(u.clocks);
    if (wakeAt === null) cancel.push(slaJobKey(u.ticketId));
    else wake.push({ kind: SLA_JOB, key: slaJobKey(u.ticketId), payload: { ticketId: u.ticketId }, runAt: wakeAt });
  }
  await repo.replaceSlaRowsOf(trx, replaced, rows);
  await repo.setSlaSummaries(trx, summaries);
  if (cancel.length) await cancelJobs(trx, cancel);
  if (wake.length) await enqueueJobs(trx, wake, now);
}

/** The policy's target of a stored clock (its amount and unit: "5 working days" is shown as days, not as the hours it spans). */
export function targetOf(ctx: Pick<SlaContext, 'sla'>, row: Pick<repo.SlaRow, 'metric' | 'priority'>): Pick<SlaTarget, 'amount' | 'unit'> | null {
  const targets = ctx.sla?.policy.targets;
  const t = targets?.[row.priority]?.[row.metric as SlaMetric] ?? targets?.[ANY_PRIORITY]?.[row.metric as SlaMetric];
  return t ? { amount: t.amount, unit: t.unit } : null;
}

/** One clock as the API shows it, as of `now`, from the stored state; null for a cancelled clock. */
export function clockView(row: repo.SlaRow, calendar: CompiledCalendar | undefined, now: number, target: Pick<SlaTarget, 'amount' | 'unit'> | null = null) {
  if (row.state === 'cancelled') return null;
  const elapsedSince = row.counting && calendar ? calendar.workingMsBetween(row.computed_at, now) : 0;
  const remaining = row.remaining_ms - elapsedSince;
  // A running clock whose due instant passed since it was stored is breached (the job records it).
  const state = (row.state === 'running' && row.due_at !== null && row.due_at <= now ? 'breached' : row.state) as 'running' | 'paused' | 'met' | 'breached';
  return {
    metric: row.metric as SlaMetric,
    state,
    dueAt: row.due_at === null ? null : new Date(row.due_at).toISOString(),
    remainingMinutes: Math.floor(remaining / 60_000),
    priority: row.priority,
    targetMinutes: Math.round(row.target_ms / 60_000),
    target,
    metAt: row.met_at === null ? null : new Date(row.met_at).toISOString(),
    pausedReason: row.paused_reason,
  };
}
