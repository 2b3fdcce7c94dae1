import { builtinCalendarSpecs, compileCalendar, type CompiledCalendar } from '../../core/calendar/index.js';
import { computeOla, nextOlaWake, type OlaClock, type OlaEvent, type OlaMinutes } from '../../core/sla/index.js';
import type { DbOrTx } from '../../db/index.js';
import { iso } from '../../platform/http/zod.js';
import { cancelJob, enqueueJob } from '../../platform/jobs/scheduler.js';
import { findCalendar } from '../sla/calendars.repo.js';
import type { NewEntry } from './events.js';
import type * as repo from './repo.js';
import type { TicketOut } from './schema.js';

/**
 * The service desk's OLA clocks on tickets (REQ T11; rules in core/sla/ola.ts), fed from the
 * timeline like the SLA clocks, and one scheduler job per ticket (key `ola:ticket:<id>`) that
 * wakes when the next clock falls due and fires each breach once: an internal `ola.breached`
 * entry (which is also the marker: a job that runs twice finds it and fires nothing) and a
 * warning to the service desk's members.
 */
export const OLA_JOB = 'tickets.ola';
export const olaJobKey = (ticketId: number) => `ola:ticket:${ticketId}`;

// OLA_ENTRY_TYPES lives with the timeline's types (events.ts), so that repo.ts reads it without importing this file, which imports repo's types.
export { OLA_ENTRY_TYPES } from './events.js';

/** A desk team without service hours of its own works around the clock: the built-in 7×24 calendar. */
export const OLA_CALENDAR: CompiledCalendar = compileCalendar(builtinCalendarSpecs().find((c) => c.id === '24x7')!);

type SourceEvent = Pick<repo.EventRow, 'at' | 'type' | 'data'>;

/** What the desk's clocks of a ticket count from and on: the call's reported time (受理), and the desk team's service hours. */
export interface OlaBasis {
  reportedAt: number;
  calendar: CompiledCalendar;
}

/** Compiled desk calendars, by id and version (a pure function of the row). */
const compiled = new Map<string, { version: number; calendar: CompiledCalendar }>();

/**
 * The basis of a ticket's OLA clocks: its reported time and the calendar of the service desk team
 * serving its customer (the first desk team by id, the one whose queue it waits in; its
 * `calendarId`), else 7×24. Reads with the caller's connection (a transaction's, too).
 */
export async function olaBasisOf(db: DbOrTx, ticket: { reported_at: number; customer_id: number }): Promise<OlaBasis> {
  const desk = await db
    .selectFrom('team_customers')
    .innerJoin('teams', 'teams.id', 'team_customers.team_id')
    .select('teams.calendar_id')
    .where('team_customers.customer_id', '=', Number(ticket.customer_id))
    .where('teams.kind', '=', 'desk')
    .orderBy('teams.id')
    .limit(1)
    .executeTakeFirst();
  const id = desk?.calendar_id ?? null;
  let calendar = OLA_CALENDAR;
  if (id !== null) {
    const row = await findCalendar(db, id);
    if (row) {
      const hit = compiled.get(id);
      if (hit && hit.version === row.version) calendar = hit.calendar;
      else {
        calendar = compileCalendar(row.spec);
        compiled.set(id, { version: row.version, calendar });
      }
    }
  }
  return { reportedAt: ticket.reported_at, calendar };
}

/**
 * The OLA history of a ticket from its timeline: logged (at the call's reported time: "受理后10
 * 分钟内完成分派" counts from the intake, not from when the record was typed), dispatched (any
 * assignment, automatic or by hand, including an escalation's), accepted, declined ("cannot
 * attend"), an abnormal event a field engineer escalated (a manual escalation by the ticket's
 * assignee), reported to the project manager (an escalation that told him), and ended (resolved,
 * closed, cancelled).
 */
export function olaEventsOf(rows: readonly SourceEvent[], reportedAt?: number): OlaEvent[] {
  const out: OlaEvent[] = [];
  for (const row of rows) {
    switch (row.type) {
      case 'created':
        out.push({ type: 'logged', at: Math.min(row.at, reportedAt ?? row.at) });
        break;
      case 'assigned':
        out.push({ type: 'dispatched', at: row.at });
        break;
      case 'state_changed': {
        const action = (JSON.parse(row.data) as { action?: string }).action;
        if (action === 'accept') out.push({ type: 'accepted', at: row.at });
        else if (action === 'decline') out.push({ type: 'declined', at: row.at });
        else if (action === 'resolve' || action === 'close' || action === 'cancel') out.push({ type: 'ended', at: row.at });
        break;
      }
      case 'escalated': {
        const d = JSON.parse(row.data) as { toProjectManager?: boolean; trigger?: string; byAssignee?: boolean };
        if (d.trigger === 'manual' && d.byAssignee) out.push({ type: 'abnormal', at: row.at });
        if (d.toProjectManager) out.push({ type: 'reported_pm', at: row.at });
        break;
      }
    }
  }
  return out;
}

/** Whether a new timeline entry can move an OLA clock (so the ticket's OLA job must be set again). */
export function movesOla(e: NewEntry): boolean {
  switch (e.type) {
    case 'assigned':
      return true;
    case 'escalated':
      return e.data.toProjectManager === true || e.data.byAssignee === true;
    case 'state_changed':
      return ['accept', 'decline', 'resolve', 'close', 'cancel'].includes(e.data.action);
    default:
      return false;
  }
}

export function olaClocksOf(rows: readonly SourceEvent[], minutes: OlaMinutes, now: number, basis?: OlaBasis): OlaClock[] {
  return computeOla(olaEventsOf(rows, basis?.reportedAt), minutes, basis?.calendar ?? OLA_CALENDAR, now);
}

/** A breach's identity: the target and the instant its clock started. */
export function breachKey(target: string, startedAt: number | string): string {
  return `${target}@${typeof startedAt === 'number' ? iso(startedAt) : startedAt}`;
}

/** The breaches already fired (their `ola.breached` entries). */
export function firedBreaches(rows: readonly SourceEvent[]): Set<string> {
  const out = new Set<string>();
  for (const row of rows) {
    if (row.type !== 'ola.breached') continue;
    const d = JSON.parse(row.data) as { target: string; startedAt: string };
    out.add(breachKey(d.target, d.startedAt));
  }
  return out;
}

/** Breached clocks the job has not fired yet. */
export function unfiredBreaches(clocks: readonly OlaClock[], fired: ReadonlySet<string>): OlaClock[] {
  return clocks.filter((c) => c.state === 'breached' && !fired.has(breachKey(c.target, c.startedAt)));
}

/**
 * Sets the ticket's OLA job inside the caller's transaction: now if a breach is waiting to be
 * fired, else when the next running clock falls due, or none.
 */
export async function scheduleOla(trx: DbOrTx, ticketId: number, rows: readonly SourceEvent[], minutes: OlaMinutes, now: number, basis?: OlaBasis): Promise<void> {
  const clocks = olaClocksOf(rows, minutes, now, basis);
  const wakeAt = unfiredBreaches(clocks, firedBreaches(rows)).length ? now : nextOlaWake(clocks);
  if (wakeAt === null) await cancelJob(trx, olaJobKey(ticketId));
  else await enqueueJob(trx, { kind: OLA_JOB, key: olaJobKey(ticketId), payload: { ticketId }, runAt: wakeAt }, now);
}

/** The clocks as the API shows them (cancelled ones left out), as of `now`. */
export function olaView(clocks: readonly OlaClock[]): TicketOut['ola'] {
  const out: TicketOut['ola'] = [];
  for (const c of clocks) {
    if (c.state === 'cancelled') continue;
    out.push({ target: c.target, state: c.state, startedAt: iso(c.startedAt), dueAt: iso(c.dueAt), remainingMinutes: Math.floor(c.remainingMs / 60_000), metAt: c.metAt === undefined ? null : iso(c.metAt) });
  }
  return out;
}

