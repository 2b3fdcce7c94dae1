import type { CompiledCalendar } from '../../core/calendar/index.js';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrix } from '../../core/priority.js';
import { ANY_PRIORITY, computeClocks, nextWakeAt, type MetricClock, type SlaMetric, type SlaPolicy, type SlaTarget, type TicketEvent } from '../../core/sla/index.js';
import type { DbOrTx } from '../../db/index.js';
import { systemActor } from '../../platform/auth/actor.js';
import { iso } from '../../platform/http/zod.js';
import { cancelJob, cancelJobs, enqueueJob, enqueueJobs } from '../../platform/jobs/scheduler.js';
import type { Contract } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import type { ContractSla } from '../sla/policies.service.js';
import type { NewEntry } from './events.js';
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
      for (const target of Object.values(targets)) {
        if (!target) continue;
        for (const id of [target.calendarId, target.latest?.calendarId]) if (id && !compiled.has(id)) compiled.set(id, await lookup(id));
      }
    }
  }
  return { contract, sla, matrix: sla?.matrix ?? DEFAULT_PRIORITY_MATRIX, calendars: compiled };
}

type SourceEvent = Pick<repo.EventRow, 'at' | 'type' | 'visibility' | 'data'>;

/**
 * The SLA history of a ticket from its timeline (docs/TICKETS.md, "SLA events"): reported (at
 * the reported instant, with the first priority), state changes, priority changes, the first
 * response (acceptance or the provider's first public reply), on-site arrival (an engineer's
 * check-in, at the instant he gave), the first diagnosis (`diagnosed`, the "diagnose" action),
 * resolved, reopened, cancelled, closed. Nothing precedes the report: instants before it count
 * from it.
 */
export function slaEventsOf(reportedAt: number, rows: readonly SourceEvent[]): TicketEvent[] {
  const out: TicketEvent[] = [];
  const at = (ms: number) => Math.max(ms, reportedAt);
  let responded = false;
  let diagnosed = false;
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
      case 'diagnosed':
        if (!diagnosed) out.push({ type: 'diagnosed', at: at(row.at) });
        diagnosed = true;
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
  /** Two-stage targets: when the "target missed" warning was recorded. */
  goalMissedAt: number | null;
}

export function firedOf(row: repo.SlaRow | undefined): Fired {
  return row
    ? { warnings: JSON.parse(row.warnings_fired) as number[], escalations: JSON.parse(row.escalations_fired) as number[], breachedAt: row.breached_at, goalMissedAt: row.goal_missed_at ?? null }
    : { warnings: [], escalations: [], breachedAt: null, goalMissedAt: null };
}

/** What the clocks have passed that the markers do not hold yet. */
export function unfired(c: MetricClock, fired: Fired): { warnings: number[]; breach: boolean; escalations: number[]; goalMissed: boolean } {
  return {
    warnings: c.warningsFired.filter((w) => !fired.warnings.includes(w)),
    breach: c.breachedAt !== undefined && fired.breachedAt === null,
    escalations: c.escalationsFired.filter((i) => !fired.escalations.includes(i)),
    goalMissed: c.goal?.missedAt !== undefined && fired.goalMissedAt === null,
  };
}

function hasUnfired(c: MetricClock, fired: Fired): boolean {
  const u = unfired(c, fired);
  return u.breach || u.goalMissed || u.warnings.length > 0 || u.escalations.length > 0;
}

/** A timeline entry and a notice the SLA job writes for what a clock passed (the notice only while the clock and the ticket are open). */
export interface Firing {
  entry: NewEntry;
  notice: { type: 'sla.warning' | 'sla.breached'; titleKey: string; params: Record<string, string | number | { key: string }> } | null;
}

/**
 * The warnings (percent of the target, or of the usual target of a two-stage metric), the
 * "target missed" warning (目标未达成: a two-stage metric's usual target passed) and the breach
 * a clock passed that the markers lack, and the markers with them: the SLA job's and the batch's
 * shared rule. `open`: the clock and the ticket are still open (warnings only then).
 */
export function firingsOf(c: MetricClock, fired: Fired, open: boolean): { firings: Firing[]; fired: Fired; escalations: number[] } {
  const u = unfired(c, fired);
  const metric = { key: `tickets.metric.${c.metric}` };
  const firings: Firing[] = [];
  if (open) {
    for (const percent of u.warnings) {
      firings.push({ entry: { type: 'sla.warning', visibility: 'internal', data: { metric: c.metric, percent, dueAt: iso(c.goal?.dueAt ?? c.dueAt) } }, notice: { type: 'sla.warning', titleKey: 'tickets.notify.slaWarning', params: { metric, percent } } });
    }
  }
  if (u.goalMissed) {
    // A fact like the breach: recorded whatever happened since; told only while open.
    firings.push({
      entry: { type: 'sla.warning', visibility: 'internal', data: { metric: c.metric, percent: 100, dueAt: iso(c.goal!.missedAt!), goalMissed: true } },
      notice: open ? { type: 'sla.warning', titleKey: 'tickets.notify.slaGoalMissed', params: { metric } } : null,
    });
  }
  if (u.breach) {
    firings.push({ entry: { type: 'sla.breached', visibility: 'internal', data: { metric: c.metric, breachedAt: iso(c.breachedAt!) } }, notice: open ? { type: 'sla.breached', titleKey: 'tickets.notify.slaBreached', params: { metric } } : null });
  }
  return {
    firings,
    escalations: u.escalations,
    fired: {
      // Warnings passed on a closed clock are marked anyway (never told late).
      warnings: [...fired.warnings, ...u.warnings],
      escalations: [...fired.escalations, ...u.escalations],
      breachedAt: fired.breachedAt ?? c.breachedAt ?? null,
      goalMissedAt: fired.goalMissedAt ?? c.goal?.missedAt ?? null,
    },
  };
}

/**
 * The clock as the ticket keeps it: a breach recorded (the SLA job fired it) stays a breach
 * whatever the clock says now — the priority lowered, the policy or a calendar changed since
 * (REQ #83: a recorded breach is a verifiable fact). The clock's own due instant, under the new
 * rules, is kept beside it.
 */
export function withRecordedBreach(c: MetricClock, fired: Fired): MetricClock {
  if (fired.breachedAt === null || (c.breachedAt !== undefined && c.breachedAt <= fired.breachedAt)) return c;
  return { ...c, state: 'breached', breachedAt: fired.breachedAt };
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
export function clockRows(ticketId: number, clocks: readonly MetricClock[], stored: readonly repo.SlaRow[], now: number, justFired?: Map<SlaMetric, Fired>): { rows: repo.SlaRow[]; fireNow: boolean; clocks: MetricClock[] } {
  const byMetric = new Map(stored.map((r) => [r.metric, r]));
  let fireNow = false;
  const kept: MetricClock[] = [];
  const rows: repo.SlaRow[] = clocks.map((computed) => {
    const fired = justFired?.get(computed.metric) ?? firedOf(byMetric.get(computed.metric));
    if (hasUnfired(computed, fired)) fireNow = true;
    const c = withRecordedBreach(computed, fired);
    kept.push(c);
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
      goal_target_ms: c.goal?.targetMs ?? null,
      goal_due_at: c.goal?.dueAt ?? null,
      goal_state: c.goal?.state ?? null,
      goal_missed_at: fired.goalMissedAt,
    };
  });
  return { rows, fireNow, clocks: kept };
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
  const { rows, fireNow, clocks: kept } = clockRows(ticketId, clocks, stored, now, justFired);
  await repo.replaceSlaRows(trx, ticketId, rows, stored.length > 0);
  if (writeSummary) {
    const summary = summaryOf(kept);
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
    summaries.push({ id: u.ticketId, ...summaryOf(built.clocks) });
    const wakeAt = built.fireNow ? now : nextWakeAt(u.clocks);
    if (wakeAt === null) cancel.push(slaJobKey(u.ticketId));
    else wake.push({ kind: SLA_JOB, key: slaJobKey(u.ticketId), payload: { ticketId: u.ticketId }, runAt: wakeAt });
  }
  await repo.replaceSlaRowsOf(trx, replaced, rows);
  await repo.setSlaSummaries(trx, summaries);
  if (cancel.length) await cancelJobs(trx, cancel);
  if (wake.length) await enqueueJobs(trx, wake, now);
}

/** The policy's target of a stored clock as written ("5 working days" is shown as days, not as the hours it spans): the breach's (the latest of a two-stage target), and the usual one. */
export function targetOf(ctx: Pick<SlaContext, 'sla'>, row: Pick<repo.SlaRow, 'metric' | 'priority'>): Pick<SlaTarget, 'amount' | 'unit'> | null {
  const t = policyTarget(ctx, row);
  if (!t) return null;
  return t.latest ? { amount: t.latest.amount, unit: t.latest.unit } : { amount: t.amount, unit: t.unit };
}

function policyTarget(ctx: Pick<SlaContext, 'sla'>, row: Pick<repo.SlaRow, 'metric' | 'priority'>): SlaTarget | undefined {
  const targets = ctx.sla?.policy.targets;
  return targets?.[row.priority]?.[row.metric as SlaMetric] ?? targets?.[ANY_PRIORITY]?.[row.metric as SlaMetric];
}

/** The usual target of a two-stage metric as written, and what the policy says starts the clock. */
export function targetRulesOf(ctx: Pick<SlaContext, 'sla'>, row: Pick<repo.SlaRow, 'metric' | 'priority'>): { goal: Pick<SlaTarget, 'amount' | 'unit'> | null; startEvent: 'reported' | 'diagnosed' } {
  const t = policyTarget(ctx, row);
  return { goal: t?.latest ? { amount: t.amount, unit: t.unit } : null, startEvent: t?.startEvent ?? 'reported' };
}

/** One clock as the API shows it, as of `now`, from the stored state; null for a cancelled clock. */
export function clockView(row: repo.SlaRow, calendar: CompiledCalendar | undefined, now: number, target: Pick<SlaTarget, 'amount' | 'unit'> | null = null, goalTarget: Pick<SlaTarget, 'amount' | 'unit'> | null = null) {
  if (row.state === 'cancelled') return null;
  const elapsedSince = row.counting && calendar ? calendar.workingMsBetween(row.computed_at, now) : 0;
  const remaining = row.remaining_ms - elapsedSince;
  // A running clock whose due instant passed since it was stored is breached (the job records it).
  const state = (row.state === 'running' && row.due_at !== null && row.due_at <= now ? 'breached' : row.state) as 'running' | 'paused' | 'pending' | 'met' | 'breached';
  const goalState = row.goal_state == null ? null : row.goal_state === 'running' && row.goal_due_at != null && row.goal_due_at <= now ? 'missed' : row.goal_state;
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
    breachedAt: iso(row.breached_at ?? (state === 'breached' ? row.due_at : null)),
    goal:
      goalState === null
        ? null
        : {
            state: goalState as 'running' | 'paused' | 'pending' | 'met' | 'missed' | 'cancelled',
            dueAt: iso(row.goal_due_at ?? null),
            targetMinutes: Math.round((row.goal_target_ms ?? 0) / 60_000),
            target: goalTarget,
            missedAt: iso(row.goal_missed_at ?? (goalState === 'missed' ? (row.goal_due_at ?? null) : null)),
          },
  };
}
