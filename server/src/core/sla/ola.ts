import type { CompiledCalendar } from '../calendar/types.js';
import { MINUTE_MS } from '../calendar/tz.js';
import { SERVICE_DESK_LIMITS } from './templates.js';

/**
 * The service desk's own time limits (REQ T11) as internal OLA clocks: pure, recomputed from a
 * ticket's history like the SLA clocks, so every process gets the same answer.
 *
 * - `dispatch`: from the intake (the call's reported time, "受理后") to the first dispatch (to a
 *   team or a person);
 * - `execution_check`: from each dispatch to the assignee's acceptance (the desk has made sure
 *   the work is being done); a newer dispatch or a "cannot attend" before it supersedes it;
 * - `redispatch`: from each "cannot attend" to the next dispatch (or someone taking the ticket);
 * - `report_pm`: from each abnormal event a field engineer escalates ("现场工程师异常事件") to a
 *   report to the project manager (an escalation that reached him; one that reaches him at once
 *   meets it at once).
 *
 * A clock still running when the ticket is resolved, closed or cancelled is cancelled (nothing
 * is left to dispatch or check); one met after its due instant stays breached. Targets are
 * working minutes on the given calendar: the desk team's service hours (7×24 when it has none);
 * 0 turns one off.
 */
export type OlaTarget = 'dispatch' | 'execution_check' | 'redispatch' | 'report_pm';
export const OLA_TARGETS: readonly OlaTarget[] = ['dispatch', 'execution_check', 'redispatch', 'report_pm'];

/** Minutes per target; 0: the target is not tracked. */
export type OlaMinutes = Record<OlaTarget, number>;

/** REQ T11: dispatch within 10 minutes, check execution within 30, re-dispatch within 10, report to the PM within 20. */
export const DESK_OLA_MINUTES: OlaMinutes = {
  dispatch: SERVICE_DESK_LIMITS.dispatchWithinMinutes,
  execution_check: SERVICE_DESK_LIMITS.confirmExecutionWithinMinutes,
  redispatch: SERVICE_DESK_LIMITS.redispatchWithinMinutes,
  report_pm: SERVICE_DESK_LIMITS.escalateToProjectManagerWithinMinutes,
};

/** What happened to a ticket, as far as the desk's OLA cares. Instants are UTC epoch ms. */
export type OlaEvent = { type: 'logged' | 'dispatched' | 'accepted' | 'declined' | 'abnormal' | 'reported_pm' | 'ended'; at: number };

export type OlaState = 'running' | 'met' | 'breached' | 'cancelled';

export interface OlaClock {
  target: OlaTarget;
  startedAt: number;
  dueAt: number;
  state: OlaState;
  metAt?: number;
  cancelledAt?: number;
  /** Working ms left as of now (running), or at the meeting (met, or breached and then met); negative when late. */
  remainingMs: number;
}

interface Open {
  target: OlaTarget;
  startedAt: number;
  dueAt: number;
}

/**
 * The OLA clocks of one ticket as of `nowMs`, in the order they started. Events after `nowMs`
 * have not happened yet. Events must be in time order (the timeline's order).
 */
export function computeOla(events: readonly OlaEvent[], minutes: OlaMinutes, calendar: CompiledCalendar, nowMs: number): OlaClock[] {
  const out: OlaClock[] = [];
  const open: Open[] = [];
  const start = (target: OlaTarget, at: number) => {
    if (minutes[target] > 0) open.push({ target, startedAt: at, dueAt: calendar.addWorkingMs(at, minutes[target] * MINUTE_MS) });
  };
  /** Stops the open clocks of these targets at `at`: met, or cancelled. */
  const stop = (targets: readonly OlaTarget[], at: number, how: 'met' | 'cancelled') => {
    for (let i = 0; i < open.length; ) {
      const c = open[i];
      if (!targets.includes(c.target)) {
        i++;
        continue;
      }
      open.splice(i, 1);
      if (how === 'met') out.push({ ...c, state: at > c.dueAt ? 'breached' : 'met', metAt: at, remainingMs: remaining(calendar, at, c.dueAt) });
      // A clock superseded or cancelled after its due instant was breached all the same.
      else out.push({ ...c, state: at > c.dueAt ? 'breached' : 'cancelled', cancelledAt: at, remainingMs: remaining(calendar, at, c.dueAt) });
    }
  };
  let logged = false;
  let dispatched = false;
  for (const e of events) {
    if (e.at > nowMs) break;
    switch (e.type) {
      case 'logged':
        if (!logged) start('dispatch', e.at);
        logged = true;
        break;
      case 'dispatched':
        if (!dispatched) stop(['dispatch'], e.at, 'met');
        dispatched = true;
        stop(['redispatch'], e.at, 'met');
        stop(['execution_check'], e.at, 'cancelled');
        start('execution_check', e.at);
        break;
      case 'accepted':
        stop(['execution_check', 'redispatch'], e.at, 'met');
        break;
      case 'declined':
        stop(['execution_check'], e.at, 'cancelled');
        start('redispatch', e.at);
        break;
      case 'abnormal':
        start('report_pm', e.at);
        break;
      case 'reported_pm':
        stop(['report_pm'], e.at, 'met');
        break;
      case 'ended':
        stop(OLA_TARGETS, e.at, 'cancelled');
        break;
    }
  }
  for (const c of open) {
    const state: OlaState = nowMs >= c.dueAt ? 'breached' : 'running';
    out.push({ ...c, state, remainingMs: remaining(calendar, nowMs, c.dueAt) });
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || OLA_TARGETS.indexOf(a.target) - OLA_TARGETS.indexOf(b.target));
}

function remaining(calendar: CompiledCalendar, at: number, dueAt: number): number {
  return at <= dueAt ? calendar.workingMsBetween(at, dueAt) : -calendar.workingMsBetween(dueAt, at);
}

/** Still open (neither met nor cancelled): running, or breached and still waiting. */
export function isOpenOla(c: OlaClock): boolean {
  return c.metAt === undefined && c.cancelledAt === undefined && (c.state === 'running' || c.state === 'breached');
}

/** When the next clock falls due (the instant to wake the OLA job), or null if none runs. */
export function nextOlaWake(clocks: readonly OlaClock[]): number | null {
  let next = Infinity;
  for (const c of clocks) if (c.state === 'running') next = Math.min(next, c.dueAt);
  return next === Infinity ? null : next;
}
