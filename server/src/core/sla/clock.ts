import type { CompiledCalendar } from '../calendar/types.js';
import { MINUTE_MS } from '../calendar/tz.js';
import { ANY_PRIORITY, SLA_METRICS, SlaError, type GoalClock, type MetricClock, type SlaMetric, type SlaPolicy, type SlaTarget, type TargetUnit, type TicketEvent } from './types.js';

/**
 * SLA clocks recomputed from a ticket's whole event history: a pure function, so pausing,
 * re-prioritising and reopening always give the same answer whichever process asks. The rules
 * are spelled out with examples in docs/sla-rules.md; in short:
 *
 * - every metric starts at `reported`, or (startEvent `diagnosed`) at the first diagnosis: until
 *   then it is `pending`; only working time on the target's calendar counts, and none while the
 *   ticket is in one of the metric's pause states;
 * - the target is that of the priority in force when the metric stopped (met or cancelled), or
 *   now if it still runs, measured from the original start: re-prioritising keeps the elapsed time;
 * - `responded` / `onsite_arrived` meet response / on-site; `resolved` and `closed` meet
 *   resolution, also response if still open, and cancel an on-site clock still open (no visit was
 *   needed); `cancelled` cancels whatever is open; `reopened` resumes a met resolution clock;
 * - met on time means met at or before the due instant; a clock still open at its due instant is
 *   breached there, and a breach stays a breach — also one that happened under an earlier
 *   priority's target when the priority was lowered since (`keptBreach`);
 * - two-stage targets: the breach is at the latest target; the usual one (`goal`) carries the
 *   warnings and its own "missed";
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
const DIAGNOSED = 9;
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
  diagnosed: DIAGNOSED,
};

/** How an event ends an open clock: not at all, met, or cancelled. */
const NO_STOP = 0;
const MET = 1;
const CANCEL = 2;
function stopTable(met: number[], cancel: number[]): Uint8Array {
  const table = new Uint8Array(DIAGNOSED + 1);
  for (const k of met) table[k] = MET;
  for (const k of cancel) table[k] = CANCEL;
  return table;
}
/**
 * STOPS[metric][kind]: resolving or closing also meets response and diagnosis (the fault was
 * understood) and makes an on-site visit unnecessary.
 */
const STOPS: Record<SlaMetric, Uint8Array> = {
  response: stopTable([RESPONDED, RESOLVED, CLOSED], [CANCELLED]),
  diagnosis: stopTable([DIAGNOSED, RESOLVED, CLOSED], [CANCELLED]),
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
function governingInstant(stops: Uint8Array, reopens: boolean, h: History, n: number, nowMs: number): number {
  let open = true;
  let metStop = false;
  let stoppedAt = nowMs;
  for (let i = 1; i < n; i++) {
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

function priorityAt(h: History, n: number, instant: number): string {
  let priority = '';
  for (let i = 0; i < n && h.at[i] <= instant; i++) {
    if (h.kind[i] === REPORTED || h.kind[i] === PRIORITY_CHANGED) priority = h.text[i];
  }
  return priority;
}

type Amount = { amount: number; unit: TargetUnit };

function targetMs(target: Amount, calendar: CompiledCalendar, startedAt: number): number {
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

/** One metric measured against one target along the first `n` events, as of `nowMs`. */
interface Run {
  /** Null: the clock has not started (it waits for the diagnosis). */
  tally: Tally | null;
  startedAt: number;
  total: number;
  open: boolean;
  breachedAt: number | null;
  metAt?: number;
  cancelledAt?: number;
  state: string;
  calendar: CompiledCalendar;
}

interface Rule {
  stops: Uint8Array;
  reopens: boolean;
  pauseStates: readonly string[];
  /** The clock starts at the first diagnosis (or at a stop that comes first). */
  afterDiagnosis: boolean;
}

function run(rule: Rule, h: History, n: number, spec: Amount, calendar: CompiledCalendar, nowMs: number): Run {
  const { stops, reopens, pauseStates } = rule;
  let state = h.initialState;
  let tally: Tally | null = null;
  let total = 0;
  let startedAt = h.at[0];
  const begin = (at: number) => {
    startedAt = at;
    total = targetMs(spec, calendar, at);
    tally = new Tally(calendar, total, at, pauseStates.includes(state));
  };
  if (!rule.afterDiagnosis) begin(startedAt);
  let open = true;
  let metStop = false;
  let breachedAt: number | null = null;
  let metAt: number | undefined;
  let cancelledAt: number | undefined;

  for (let i = 1; i < n; i++) {
    const kind = h.kind[i];
    const at = h.at[i];
    if (kind === STATE_CHANGED) {
      state = h.text[i];
      const t = tally as Tally | null;
      if (t) {
        const paused = pauseStates.includes(state);
        if (open && paused !== t.paused) t.close(at);
        t.paused = paused;
      }
      continue;
    }
    if (tally === null) {
      if (kind !== DIAGNOSED && stops[kind] === NO_STOP) continue;
      begin(at);
    }
    const t = tally as unknown as Tally;
    if (open) {
      const stop = stops[kind];
      if (stop === NO_STOP) continue;
      t.close(at);
      // Reached before the stop: a breach. Met exactly at the due instant is on time.
      if (t.crossing !== null && breachedAt === null && t.crossing < at) breachedAt = t.crossing;
      open = false;
      metStop = stop === MET;
      if (metStop) metAt = at;
      else cancelledAt = at;
    } else if (kind === REOPENED && reopens && metStop) {
      open = true;
      metAt = undefined;
      t.segmentStart = at;
      // Reopened with the target already used up (it was met right at its due instant).
      if (breachedAt === null && t.elapsed >= total) breachedAt = at;
    }
  }
  const t = tally as Tally | null;
  if (t === null) total = targetMs(spec, calendar, nowMs);
  else if (open) {
    t.close(nowMs);
    if (t.crossing !== null && breachedAt === null) breachedAt = t.crossing;
  }
  return { tally: t, startedAt, total, open, breachedAt, metAt, cancelledAt, state, calendar };
}

/** The due instant: where the target was reached, else the deadline while counting, else as it stood when met. */
function dueOf(r: Run, nowMs: number): number | null {
  const t = r.tally;
  if (t === null) return null;
  const remaining = r.total - t.elapsed;
  if (t.crossing !== null) return t.crossing;
  if (r.open && !t.paused) return r.calendar.addWorkingMs(nowMs, remaining);
  if (r.metAt !== undefined) return r.calendar.addWorkingMs(r.metAt, remaining);
  return null;
}

function targetOf(policy: SlaPolicy, priority: string, metric: SlaMetric): SlaTarget | undefined {
  return policy.targets[priority]?.[metric] ?? policy.targets[ANY_PRIORITY]?.[metric];
}

function calendarOf(calendars: ReadonlyMap<string, CompiledCalendar>, id: string, metric: SlaMetric): CompiledCalendar {
  const calendar = calendars.get(id);
  if (!calendar) throw new SlaError('sla.calendar.missing', { calendarId: id, metric });
  return calendar;
}

/** The target the breach is measured against: the latest of a two-stage target, else the target. */
function breachTarget(target: SlaTarget): { spec: Amount; calendarId: string } {
  return target.latest ? { spec: target.latest, calendarId: target.latest.calendarId ?? target.calendarId } : { spec: target, calendarId: target.calendarId };
}

function ruleOf(metric: SlaMetric, policy: SlaPolicy, target: SlaTarget): Rule {
  return { stops: STOPS[metric], reopens: metric === 'resolution', pauseStates: policy.pauseOn[metric] ?? [], afterDiagnosis: target.startEvent === 'diagnosed' && metric !== 'diagnosis' && metric !== 'response' };
}

/**
 * The earliest breach under an earlier priority's target: the clock as it stood just before
 * each priority change (the events before it, as of its instant), under the priority then in force.
 */
function earlierBreach(metric: SlaMetric, h: History, policy: SlaPolicy, calendars: ReadonlyMap<string, CompiledCalendar>): { priority: string; targetMs: number; at: number } | null {
  let found: { priority: string; targetMs: number; at: number } | null = null;
  for (let j = 1; j < h.n; j++) {
    if (h.kind[j] !== PRIORITY_CHANGED) continue;
    const cut = h.at[j];
    const priority = priorityAt(h, j, cut);
    const target = targetOf(policy, priority, metric);
    if (!target) continue;
    const { spec, calendarId } = breachTarget(target);
    const r = run(ruleOf(metric, policy, target), h, j, spec, calendarOf(calendars, calendarId, metric), cut);
    if (r.breachedAt !== null && (found === null || r.breachedAt < found.at)) found = { priority, targetMs: r.total, at: r.breachedAt };
  }
  return found;
}

function goalOf(r: Run, nowMs: number): GoalClock {
  const t = r.tally;
  const dueAt = dueOf(r, nowMs);
  let state: GoalClock['state'];
  if (t === null) state = 'pending';
  else if (r.breachedAt !== null) state = 'missed';
  else if (r.metAt !== undefined) state = 'met';
  else if (r.cancelledAt !== undefined) state = 'cancelled';
  else state = t.paused ? 'paused' : 'running';
  const goal: GoalClock = { targetMs: r.total, dueAt: state === 'paused' || state === 'cancelled' ? null : dueAt, state };
  if (r.breachedAt !== null) goal.missedAt = r.breachedAt;
  return goal;
}

function clockFor(
  metric: SlaMetric,
  h: History,
  policy: SlaPolicy,
  calendars: ReadonlyMap<string, CompiledCalendar>,
  nowMs: number,
): MetricClock | null {
  const stops = STOPS[metric];
  const priority = priorityAt(h, h.n, governingInstant(stops, metric === 'resolution', h, h.n, nowMs));
  const target = targetOf(policy, priority, metric);
  if (!target) return null;
  const rule = ruleOf(metric, policy, target);
  const { spec, calendarId } = breachTarget(target);
  const calendar = calendarOf(calendars, calendarId, metric);
  const main = run(rule, h, h.n, spec, calendar, nowMs);
  const total = main.total;
  const t = main.tally;
  const elapsed = t?.elapsed ?? 0;
  const pausedMs = t?.pausedMs ?? 0;
  const paused = t?.paused ?? false;
  const counting = t !== null && main.open && !paused;
  const remainingMs = total - elapsed;
  const dueAt = dueOf(main, nowMs);

  // Warnings count on the usual target of a two-stage metric, else on the target.
  const goal = target.latest ? run(rule, h, h.n, target, calendarOf(calendars, target.calendarId, metric), nowMs) : null;
  const warnedOn = goal ?? main;
  const warnedElapsed = warnedOn.tally?.elapsed ?? 0;
  const warnedCounting = warnedOn.tally !== null && warnedOn.open && !warnedOn.tally.paused;
  const warningsFired: number[] = [];
  let nextWarningAt: number | undefined;
  if (warnedOn.tally !== null) {
    for (const w of policy.warnings) {
      const at = percentOf(warnedOn.total, w);
      if (at <= warnedElapsed) warningsFired.push(w);
      else if (nextWarningAt === undefined && warnedCounting) nextWarningAt = warnedOn.calendar.addWorkingMs(nowMs, at - warnedElapsed);
    }
  }

  const escalationsFired: number[] = [];
  let nextEscalation = Infinity;
  if (t !== null) {
    for (let index = 0; index < policy.escalation.length; index++) {
      const step = policy.escalation[index];
      if (step.metric !== undefined && step.metric !== metric) continue;
      const at = step.afterPercent !== undefined ? percentOf(total, step.afterPercent) : (step.afterMinutes ?? 0) * MINUTE_MS;
      if (at <= elapsed) escalationsFired.push(index);
      else if (counting) nextEscalation = Math.min(nextEscalation, at);
    }
  }

  // A breach under an earlier (stricter) priority's target stays when the new target has not been breached as early.
  let breachedAt = main.breachedAt;
  let kept: MetricClock['keptBreach'];
  const earlier = earlierBreach(metric, h, policy, calendars);
  if (earlier && (breachedAt === null || earlier.at < breachedAt)) {
    breachedAt = earlier.at;
    if (earlier.priority !== priority || earlier.targetMs !== total) kept = { priority: earlier.priority, targetMs: earlier.targetMs, dueAt: earlier.at };
  }

  const state: MetricClock['state'] =
    breachedAt !== null ? 'breached' : main.metAt !== undefined ? 'met' : main.cancelledAt !== undefined ? 'cancelled' : t === null ? 'pending' : paused ? 'paused' : 'running';
  const clock: MetricClock = {
    metric,
    priority,
    calendarId,
    targetMs: total,
    state,
    startedAt: main.startedAt,
    dueAt,
    elapsedMs: elapsed,
    remainingMs,
    pausedMs,
    warningsFired,
    escalationsFired,
  };
  if (main.metAt !== undefined) clock.metAt = main.metAt;
  if (breachedAt !== null) clock.breachedAt = breachedAt;
  if (main.cancelledAt !== undefined) clock.cancelledAt = main.cancelledAt;
  if (nextWarningAt !== undefined) clock.nextWarningAt = nextWarningAt;
  if (nextEscalation !== Infinity) clock.nextEscalationAt = calendar.addWorkingMs(nowMs, nextEscalation - elapsed);
  if (main.open && paused) clock.pausedReason = main.state;
  if (t === null && main.open) clock.waitingFor = 'diagnosed';
  if (goal) clock.goal = goalOf(goal, nowMs);
  if (kept) clock.keptBreach = kept;
  return clock;
}

/**
 * The clocks of a ticket as of `nowMs`, one per metric that has a target at the governing
 * priority, in the order response, diagnosis, onsite, resolution. The policy must be valid
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
    if (c.goal?.state === 'running' && c.goal.dueAt !== null) next = Math.min(next, c.goal.dueAt);
    if (c.nextWarningAt !== undefined) next = Math.min(next, c.nextWarningAt);
    if (c.nextEscalationAt !== undefined) next = Math.min(next, c.nextEscalationAt);
  }
  return next === Infinity ? null : next;
}
