import { CoreError } from '../problem.js';

/** 响应, 诊断 (remote diagnosis, REQ T6), 到场, 解决. */
export type SlaMetric = 'response' | 'diagnosis' | 'onsite' | 'resolution';
export const SLA_METRICS: readonly SlaMetric[] = ['response', 'diagnosis', 'onsite', 'resolution'];

/** What starts a metric's clock: the report (default) or the first diagnosis (确诊后, REQ #46, #49). */
export type StartEvent = 'reported' | 'diagnosed';
export const START_EVENTS: readonly StartEvent[] = ['reported', 'diagnosed'];
/** The metrics whose clock may start at the diagnosis. */
export const DIAGNOSIS_STARTED: readonly SlaMetric[] = ['onsite', 'resolution'];

/** A ticket state name as the tickets module defines it (e.g. `waiting_customer`, `waiting_vendor`). */
export type TicketState = string;

export type TargetUnit = 'minutes' | 'hours' | 'workdays';
export const TARGET_UNITS: readonly TargetUnit[] = ['minutes', 'hours', 'workdays'];

/**
 * "Within `amount` `unit`" on a calendar. Minutes and hours are working time on the calendar
 * (on `24x7` that is plain clock time); workdays follow CompiledCalendar.addWorkingDays.
 */
export interface SlaTarget {
  amount: number;
  unit: TargetUnit;
  calendarId: string;
  /**
   * Two-stage targets ("一般在1小时内解决，最迟在3小时内", REQ #60, #63): the latest target. The
   * target above is then the usual one: missing it is a warning (目标未达成), the breach is at
   * `latest` (its calendar: the target's unless given).
   */
  latest?: { amount: number; unit: TargetUnit; calendarId?: string };
  /** When the clock starts (onsite and resolution only): at the report (default) or at the first diagnosis. */
  startEvent?: StartEvent;
}

export type MetricTargets = Partial<Record<SlaMetric, SlaTarget>>;

/** Key of `SlaPolicy.targets` that applies to every priority without an entry of its own. */
export const ANY_PRIORITY = '*';

export type EscalationAction = 'notify' | 'reassign' | 'raise_priority';
export const ESCALATION_ACTIONS: readonly EscalationAction[] = ['notify', 'reassign', 'raise_priority'];

/**
 * One step of an escalation chain. It triggers when the metric's elapsed working time reaches
 * `afterPercent` of the target (100 = at the breach, 150 = half the target again after it) or
 * `afterMinutes` working minutes; exactly one of the two is given. Without `metric` it applies
 * to every metric.
 */
export interface EscalationStep {
  metric?: SlaMetric;
  afterPercent?: number;
  afterMinutes?: number;
  notify: { roles?: string[]; userIds?: number[] };
  action: EscalationAction;
}

export interface SlaPolicy {
  id: string;
  name: string;
  /** Targets per priority level code (or ANY_PRIORITY). */
  targets: Record<string, MetricTargets>;
  /** Ticket states that stop each metric's clock. */
  pauseOn: Partial<Record<SlaMetric, TicketState[]>>;
  /** Warning thresholds in percent of the target, ascending, each > 0 and < 100. */
  warnings: number[];
  escalation: EscalationStep[];
}

/** What happened to a ticket, as far as SLA clocks care. Instants are UTC epoch ms. */
export type TicketEvent =
  | { type: 'reported'; at: number; priority: string }
  | { type: 'priority_changed'; at: number; priority: string }
  | { type: 'state_changed'; at: number; from: TicketState; to: TicketState }
  | { type: 'responded' | 'diagnosed' | 'onsite_arrived' | 'resolved' | 'reopened' | 'cancelled' | 'closed'; at: number };

/** `pending`: the clock waits for its start event (on site 确诊后: the diagnosis). */
export type ClockState = 'running' | 'paused' | 'pending' | 'met' | 'breached' | 'cancelled';

/** The usual target of a two-stage metric: missing it is a warning, not a breach. */
export interface GoalClock {
  targetMs: number;
  /** The usual target's due instant (null while paused, pending or cancelled). */
  dueAt: number | null;
  state: 'running' | 'paused' | 'pending' | 'met' | 'missed' | 'cancelled';
  /** When the usual target was missed. */
  missedAt?: number;
}

/** One metric's clock as of `nowMs`; "working" means on the target's calendar. */
export interface MetricClock {
  metric: SlaMetric;
  /** The priority whose target applies (see docs/sla-rules.md: re-prioritising). */
  priority: string;
  calendarId: string;
  /** The target in working ms. */
  targetMs: number;
  state: ClockState;
  startedAt: number;
  /**
   * When the target is (or was) reached: for a running clock the deadline; for a breached one
   * the instant of the breach; for a clock met on time the deadline as it stood then. Null while
   * paused (no deadline runs) and for a cancelled clock.
   */
  dueAt: number | null;
  /** Working ms counted so far (pauses excluded). */
  elapsedMs: number;
  /** targetMs − elapsedMs; negative when overdue. */
  remainingMs: number;
  /** Working ms the clock stood still in pause states. */
  pausedMs: number;
  metAt?: number;
  breachedAt?: number;
  cancelledAt?: number;
  /** Warning thresholds (percent) already passed. */
  warningsFired: number[];
  /** When the next warning threshold is passed, for a running clock. */
  nextWarningAt?: number;
  /** Indices into policy.escalation of the steps for this metric already triggered. */
  escalationsFired: number[];
  /** When the next escalation step triggers, for a clock still counting (running or breached and open). */
  nextEscalationAt?: number;
  /** The pause state the clock is standing still in. */
  pausedReason?: TicketState;
  /** Pending: the event the clock waits for to start. */
  waitingFor?: StartEvent;
  /** Two-stage targets: the usual one (the fields above follow the latest target, where the breach is). */
  goal?: GoalClock;
  /**
   * A breach that happened under an earlier priority's target (REQ #83: it stays, whatever the
   * priority became). `breachedAt` is that breach; `priority`, `targetMs` and `dueAt` above
   * are the new ones, shown beside it.
   */
  keptBreach?: { priority: string; targetMs: number; dueAt: number };
}

export type SlaCode =
  | 'sla.type.invalid'
  | 'sla.required'
  | 'sla.target.metric.invalid'
  | 'sla.target.unit.invalid'
  | 'sla.target.amount.invalid'
  | 'sla.target.calendar.unknown'
  | 'sla.target.latest.notLater'
  | 'sla.target.startEvent.invalid'
  | 'sla.target.priority.unknown'
  | 'sla.pause.metric.invalid'
  | 'sla.pause.state.invalid'
  | 'sla.warning.invalid'
  | 'sla.warning.pastTarget'
  | 'sla.warning.notAscending'
  | 'sla.escalation.metric.invalid'
  | 'sla.escalation.trigger.missing'
  | 'sla.escalation.trigger.both'
  | 'sla.escalation.percent.invalid'
  | 'sla.escalation.minutes.invalid'
  | 'sla.escalation.action.invalid'
  | 'sla.escalation.notify.empty'
  | 'sla.events.reported'
  | 'sla.event.invalid'
  | 'sla.event.beforeReported'
  | 'sla.calendar.missing'
  | 'sla.unit.minutes'
  | 'sla.unit.hours'
  | 'sla.unit.workdays';

export class SlaError extends CoreError {
  declare readonly code: SlaCode;

  constructor(code: SlaCode, params: Record<string, string | number> = {}) {
    super(code, params);
  }
}
