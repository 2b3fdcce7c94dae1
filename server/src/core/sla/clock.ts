import type { CompiledCalendar } from '../calendar/types.js';
import { MINUTE_MS } from '../calendar/tz.js';
import { ANY_PRIORITY, SLA_METRICS, SlaError, type MetricClock, type SlaMetric, type SlaPolicy, type SlaTarget, type TicketEvent } from './types.js';

/**
 * SLA clocks recomputed from a ticket's whole event history: a pure function, so pausing,
 * re-prioritising and reopening always give the same answer whichever process asks. The rules
 * are spelled out with examples in docs/sla-rules.md; in short:
 *
 * - every metric starts at `reported`; only working time on the target's calendar counts, and
 *   none while the ticket is in one of the metric's pause states;
 * - the target is that of the priority in force when the metric stopped (met or cancelled), or
 *   now if it still runs, measured from the original start: re-prioritising keeps the elapsed time;
 * - `responded` / `onsite_arrived` meet response / on-site; `resolved` and `closed` meet
 *   resolution, also response if still open, and cancel an on-site clock still open (no visit was
 *   needed); `cancelled` cancels whatever is open; `reopened` resumes a met resolution clock;
 * - met on time means met at or before the due instant; a clock still open at its due instant is
 *   breached there, and a breach stays a breach;
 * - events after `nowMs` have not happened yet and are ignored.
 */

/** Event kinds as small integers, so the walks below read typed arrays rather than event objects of several shapes. */
const REPORTED = 0;
const PRIORITY_CHANGED = 1;
const STATE_CHANGED = 2;
const RESPONDED = 3;
const ONSITE_ARRIVED = 4;
const RESOLVED = 5;
const REOPENED = 6;
const CANCELLED = 7;
const CLOSED = 8;
const KINDS: Record<string, number> = {
  reported: REPORTED,
  priority_changed: PRIORITY_CHANGED,
  state_changed: STATE_CHANGED,
  responded: RESPONDED,
  onsite_arrived: ONSITE_ARRIVED,
  resolved: RESOLVED,
  reopened: REOPENED,
  cancelled: CANCELLED,
  closed: CLOSED,
};

/** How an event ends an open clock: not at all, met, or cancelled. */
const NO_STOP = 0;
const MET = 1;
const CANCEL = 2;
function stopTable(met: number[], cancel: number[]): Uint8Array {
  const table = new Uint8Array(CLOSED + 1);
  for (const k of met) table[k] = MET;
  for (const k of cancel) table[k] = CANCEL;
  return table;
}
/** STOPS[metric][kind]: resolving or closing also meets response and makes an on-site visit unnecessary. */
const STOPS: Record<SlaMetric, Uint8Array> = {
  response: stopTable([RESPONDED, RESOLVED, CLOSED], [CANCELLED]),
  onsite: stopTable([ONSITE_ARRIVED], [RESOLVED, CLOSED, CANCELLED]),
  resolution: stopTable([RESOLVED, CLOSED], [CANCELLED]),
};

/** A validated history, sorted by time, cut at `nowMs`. */
interface History {
  /** Events at or before now. */
  n: number;
  at: Float64Array;
  kind: Uint8Array;
  /** The priority of reported / priority_changed, the new state of state_changed. */
  text: string[];
  /** The state at the report: the `from` of the first state change (none: ''). */
  initialState: string;
}

function invalid(index: number): never {
  throw new SlaError('sla.event.invalid', { index });
}

/** Reads a history in one pass; null if it turns out not to be sorted (`reported` first among equals). */
function read(events: readonly TicketEvent[], nowMs: number): History | null {
  const length = events.length;
  const at = new Float64Array(length);
  const kind = new Uint8Array(length);
  const text: string[] = [];
  let initialState: string | null = null;
  let reported = 0;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const e = events[i];
    if (typeof e !== 'object' || e === null) invalid(i);
    const t = e.at;
    const k = KINDS[e.type];
    if (typeof t !== 'number' || !Number.isFinite(t) || k === undefined) invalid(i);
    if (i > 0 && (t < at[i - 1] || (t === at[i - 1] && k === REPORTED && kind[i - 1] !== REPORTED))) return null;
    let s = '';
    if (k === STATE_CHANGED) {
      const { from, to } = e as { from?: unknown; to?: unknown };
      if (typeof from !== 'string' || typeof to !== 'string') invalid(i);
      initialState ??= from;
      s = to;
    } else if (k === REPORTED || k === PRIORITY_CHANGED) {
      const priority = (e as { priority?: unknown }).priority;
      if (typeof priority !== 'string') invalid(i);
      if (k === REPORTED) reported++;
      s = priority;
    }
    at[i] = t;
    kind[i] = k;
    text.push(s);
    if (t <= nowMs) n = i + 1;
  }
  if (reported !== 1) throw new SlaError('sla.events.reported', { count: reported });
  if (kind[0] !== REPORTED) throw new SlaError('sla.event.beforeReported', { type: events[0].type });
  return { n, at, kind, text, initialState: initialState ?? '' };
}

function history(events: readonly TicketEvent[], nowMs: number): History {
  // Stored histories come sorted; anything else is sorted here (stable: input order among equals).
  return (
    read(events, nowMs) ??
    read(
      [...events].sort((a, b) => a.at - b.at || (a.type === 'reported' ? -1 : b.type === 'reported' ? 1 : 0)),
      nowMs,
    )!
  );
}

/** The instant whose priority governs the metric: when it last stopped, or now if it runs. */
function governingInstant(stops: Uint8Array, reopens: boolean, h: History, nowMs: number): number {
  let open = true;
  let metStop = false;
  let stoppedAt = nowMs;
  for (let i = 1; i < h.n; i++) {
    const kind = h.kind[i];
    if (open) {
      const stop = stops[kind];
      if (stop !== NO_STOP) {
        open = false;
        metStop = stop === MET;
        stoppedAt = h.at[i];
      }
    } else if (kind === REOPENED && reopens && metStop) open = true;
  }
  return open ? nowMs : stoppedAt;
}

function priorityAt(h: History, instant: number): string {
  let priority = '';
  for (let i = 0; i < h.n && h.at[i] <= instant; i++) {
    if (h.kind[i] === REPORTED || h.kind[i] === PRIORITY_CHANGED) priority = h.text[i];
  }
  return priority;
}

function targetMs(target: SlaTarget, calendar: CompiledCalendar, startedAt: number): number {
  switch (target.unit) {
    case 'minutes':
      return target.amount * MINUTE_MS;
    case 'hours':
      return Math.round(target.amount * 60) * MINUTE_MS;
    case 'workdays':
      // The working time from the start to the end of the Nth working day; pauses then shift it like any other target.
      return calendar.workingMsBetween(startedAt, calendar.addWorkingDays(startedAt, target.amount));
  }
}

/** Threshold in working ms for a percentage of the target (rounded up: a warning at 80% fires at or after 80%). */
function percentOf(total: number, percent: number): number {
  return Math.ceil((total * percent) / 100);
}

/** The working-time accounting of one metric along the history, segment by segment. */
class Tally {
  elapsed = 0;
  pausedMs = 0;
  /** Where the elapsed time reached the target, once it has. */
  crossing: number | null = null;

  constructor(
    private readonly calendar: CompiledCalendar,
    private readonly total: number,
    public segmentStart: number,
    public paused: boolean,
  ) {}

  /** Ends the current segment (counting or paused) at `at`. */
  close(at: number): void {
    const worked = this.calendar.workingMsBetween(this.segmentStart, at);
    if (this.paused) this.pausedMs += worked;
    else {
      if (this.crossing === null && this.elapsed + worked >= this.total) this.crossing = this.calendar.addWorkingMs(this.segmentStart, this.total - this.elapsed);
      this.elapsed += worked;
    }
    this.segmentStart = at;
  }
}

function clockFor(
  metric: SlaMetric,
  h: History,
  policy: SlaPolicy,
  calendars: ReadonlyMap<string, CompiledCalendar>,
  nowMs: number,
): MetricClock | null {
  const stops = STOPS[metric];
  const reopens = metric === 'resolution';
  const priority = priorityAt(h, governingInstant(stops, reopens, h, nowMs));
  const target = policy.targets[priority]?.[metric] ?? policy.targets[ANY_PRIORITY]?.[metric];
  if (!target) return null;
  const calendar = calendars.get(target.calendarId);
  if (!calendar) throw new SlaError('sla.calendar.missing', { calendarId: target.calendarId, metric });

  const startedAt = h.at[0];
  const total = targetMs(target, calendar, startedAt);
  const pauseStates = policy.pauseOn[metric] ?? [];
  let state = h.initialState;
  const tally = new Tally(calendar, total, startedAt, pauseStates.includes(state));
  let open = true;
  let metStop = false;
  let breachedAt: number | null = null;
  let metAt: number | undefined;
  let cancelledAt: number | undefined;

  for (let i = 1; i < h.n; i++) {
    const kind = h.kind[i];
    const at = h.at[i];
    if (kind === STATE_CHANGED) {
      state = h.text[i];
      const paused = pauseStates.includes(state);
      if (open && paused !== tally.paused) tally.close(at);
      tally.paused = paused;
      continue;
    }
    if (open) {
      const stop = stops[kind];
      if (stop === NO_STOP) continue;
      tally.close(at);
      // Reached before the stop: a breach. Met exactly at the due instant is on time.
      if (tally.crossing !== null && breachedAt === null && tally.crossing < at) breachedAt = tally.crossing;
      open = false;
      metStop = stop === MET;
      if (metStop) metAt = at;
      else cancelledAt = at;
    } else if (kind === REOPENED && reopens && metStop) {
      open = true;
      metAt = undefined;
      tally.segmentStart = at;
      // Reopened with the target already used up (it was met right at its due instant).
      if (breachedAt === null && tally.elapsed >= total) breachedAt = at;
    }
  }
  if (open) {
    tally.close(nowMs);
    if (tally.crossing !== null && breachedAt === null) breachedAt = tally.crossing;
  }
  const { elapsed, pausedMs, crossing, paused } = tally;

  const remainingMs = total - elapsed;
  const counting = open && !paused;
  let dueAt: number | null;
  if (crossing !== null) dueAt = crossing;
  else if (counting) dueAt = calendar.addWorkingMs(nowMs, remainingMs);
  else if (metAt !== undefined) dueAt = calendar.addWorkingMs(metAt, remainingMs);
  else dueAt = null;

  const warningsFired: number[] = [];
  let nextWarningAt: number | undefined;
  for (const w of policy.warnings) {
    const at = percentOf(total, w);
    if (at <= elapsed) warningsFired.push(w);
    else if (nextWarningAt === undefined && counting) nextWarningAt = calendar.addWorkingMs(nowMs, at - elapsed);
  }

  const escalationsFired: number[] = [];
  let nextEscalation = Infinity;
  for (let index = 0; index < policy.escalation.length; index++) {
    const step = policy.escalation[index];
    if (step.metric !== undefined && step.metric !== metric) continue;
    const at = step.afterPercent !== undefined ? percentOf(total, step.afterPercent) : (step.afterMinutes ?? 0) * MINUTE_MS;
    if (at <= elapsed) escalationsFired.push(index);
    else if (counting) nextEscalation = Math.min(nextEscalation, at);
  }

  const clock: MetricClock = {
    metric,
    priority,
    calendarId: target.calendarId,
    targetMs: total,
    state: breachedAt !== null ? 'breached' : metAt !== undefined ? 'met' : cancelledAt !== undefined ? 'cancelled' : paused ? 'paused' : 'running',
    startedAt,
    dueAt,
    elapsedMs: elapsed,
    remainingMs,
    pausedMs,
    warningsFired,
    escalationsFired,
  };
  if (metAt !== undefined) clock.metAt = metAt;
  if (breachedAt !== null) clock.breachedAt = breachedAt;
  if (cancelledAt !== undefined) clock.cancelledAt = cancelledAt;
  if (nextWarningAt !== undefined) clock.nextWarningAt = nextWarningAt;
  if (nextEscalation !== Infinity) clock.nextEscalationAt = calendar.addWorkingMs(nowMs, nextEscalation - elapsed);
  if (open && paused) clock.pausedReason = state;
  return clock;
}

/**
 * The clocks of a ticket as of `nowMs`, one per metric that has a target at the governing
 * priority, in the order response, onsite, resolution. The policy must be valid
 * (validatePolicy); `calendars` must hold every calendar its targets name.
 */
export function computeClocks(
  events: readonly TicketEvent[],
  policy: SlaPolicy,
  calendars: ReadonlyMap<string, CompiledCalendar>,
  nowMs: number,
): MetricClock[] {
  const h = history(events, nowMs);
  const out: MetricClock[] = [];
  for (const metric of SLA_METRICS) {
    const clock = clockFor(metric, h, policy, calendars, nowMs);
    if (clock) out.push(clock);
  }
  return out;
}

/**
 * The next instant at which any of the clocks changes by itself (a warning, a breach or an
 * escalation); null when none will. The scheduler sets one timer per ticket at this instant.
 */
export function nextWakeAt(clocks: readonly MetricClock[]): number | null {
  let next = Infinity;
  for (const c of clocks) {
    if (c.state === 'running' && c.dueAt !== null) next = Math.min(next, c.dueAt);
    if (c.nextWarningAt !== undefined) next = Math.min(next, c.nextWarningAt);
    if (c.nextEscalationAt !== undefined) next = Math.min(next, c.nextEscalationAt);
  }
  return next === Infinity ? null : next;
}
