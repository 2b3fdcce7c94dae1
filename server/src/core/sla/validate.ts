import { HORIZON_DAYS, MAX_MINUTES } from '../calendar/compile.js';
import { isRecord, type Problem } from '../problem.js';
import { ANY_PRIORITY, DIAGNOSIS_STARTED, ESCALATION_ACTIONS, SLA_METRICS, START_EVENTS, TARGET_UNITS, type SlaCode, type SlaMetric } from './types.js';

/** An array param lists message keys the edge translates (a unit's name in the reader's language). */
type Add = (field: string, code: SlaCode, params?: Record<string, string | number | string[]>) => void;

/** Largest amount per unit: ten years of working time, as the calendars accept. */
const MAX_AMOUNT: Record<string, number> = { minutes: MAX_MINUTES, hours: MAX_MINUTES / 60, workdays: HORIZON_DAYS };

const isMetric = (v: string): v is SlaMetric => (SLA_METRICS as readonly string[]).includes(v);

function checkAmount(t: Record<string, unknown>, field: string, add: Add): boolean {
  const unit = t.unit;
  if (typeof unit !== 'string' || !(TARGET_UNITS as readonly string[]).includes(unit)) {
    add(`${field}.unit`, 'sla.target.unit.invalid', { value: String(unit), values: TARGET_UNITS.join(', ') });
    return false;
  }
  const amount = t.amount;
  // Minutes and working days are whole; hours may be fractional but must come to whole minutes.
  const whole = typeof amount === 'number' && (unit === 'hours' ? Math.abs(amount * 60 - Math.round(amount * 60)) < 1e-9 : Number.isInteger(amount));
  if (typeof amount !== 'number' || !whole || amount <= 0 || amount > MAX_AMOUNT[unit]) {
    add(`${field}.amount`, 'sla.target.amount.invalid', { value: String(amount), unit, max: MAX_AMOUNT[unit] });
    return false;
  }
  return true;
}

function checkCalendar(id: unknown, field: string, add: Add, calendarIds: readonly string[] | undefined): void {
  if (typeof id !== 'string' || id === '') add(field, 'sla.required');
  else if (calendarIds && !calendarIds.includes(id)) add(field, 'sla.target.calendar.unknown', { value: id });
}

/** Minutes of a target when its length does not depend on the calendar (minutes, hours); null for working days. */
function fixedMinutes(t: Record<string, unknown>): number | null {
  return t.unit === 'minutes' ? (t.amount as number) : t.unit === 'hours' ? (t.amount as number) * 60 : null;
}

function checkTarget(t: unknown, field: string, add: Add, calendarIds: readonly string[] | undefined, metric: SlaMetric): void {
  if (!isRecord(t)) return add(field, 'sla.type.invalid', { expected: 'object' });
  const valid = checkAmount(t, field, add);
  checkCalendar(t.calendarId, `${field}.calendarId`, add, calendarIds);
  if (t.latest !== undefined) {
    const latest = t.latest;
    if (!isRecord(latest)) add(`${field}.latest`, 'sla.type.invalid', { expected: 'object' });
    else {
      const latestValid = checkAmount(latest, `${field}.latest`, add);
      if (latest.calendarId !== undefined) checkCalendar(latest.calendarId, `${field}.latest.calendarId`, add, calendarIds);
      // "Usually 1 h, at the latest 3 h": the latest must come after the usual target (comparable when both are clock lengths, or both working days).
      if (valid && latestValid) {
        const a = fixedMinutes(t);
        const b = fixedMinutes(latest);
        const later = a !== null && b !== null ? b > a : a === null && b === null ? (latest.amount as number) > (t.amount as number) : true;
        if (!later) add(`${field}.latest`, 'sla.target.latest.notLater', { value: String(latest.amount), valueUnit: [`sla.unit.${String(latest.unit)}`], target: String(t.amount), targetUnit: [`sla.unit.${String(t.unit)}`] });
      }
    }
  }
  if (t.startEvent !== undefined) {
    const ok = typeof t.startEvent === 'string' && (START_EVENTS as readonly string[]).includes(t.startEvent) && (t.startEvent === 'reported' || DIAGNOSIS_STARTED.includes(metric));
    if (!ok) add(`${field}.startEvent`, 'sla.target.startEvent.invalid', { value: String(t.startEvent), metrics: DIAGNOSIS_STARTED.join(', ') });
  }
}

function checkWarnings(warnings: unknown, add: Add): void {
  if (!Array.isArray(warnings)) return add('warnings', 'sla.type.invalid', { expected: 'array' });
  warnings.forEach((w: unknown, i) => {
    const field = `warnings[${i}]`;
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) add(field, 'sla.warning.invalid', { value: String(w) });
    else if (w >= 100) add(field, 'sla.warning.pastTarget', { value: w });
    else if (i > 0 && typeof warnings[i - 1] === 'number' && w <= warnings[i - 1]) add(field, 'sla.warning.notAscending', { value: w, previous: warnings[i - 1] as number });
  });
}

function checkEscalation(steps: unknown, add: Add): void {
  if (!Array.isArray(steps)) return add('escalation', 'sla.type.invalid', { expected: 'array' });
  steps.forEach((s: unknown, i) => {
    const field = `escalation[${i}]`;
    if (!isRecord(s)) return add(field, 'sla.type.invalid', { expected: 'object' });
    if (s.metric !== undefined && (typeof s.metric !== 'string' || !isMetric(s.metric))) add(`${field}.metric`, 'sla.escalation.metric.invalid', { value: String(s.metric) });
    const hasPercent = s.afterPercent !== undefined;
    const hasMinutes = s.afterMinutes !== undefined;
    if (!hasPercent && !hasMinutes) add(field, 'sla.escalation.trigger.missing');
    else if (hasPercent && hasMinutes) add(field, 'sla.escalation.trigger.both');
    else if (hasPercent && !(typeof s.afterPercent === 'number' && Number.isFinite(s.afterPercent) && s.afterPercent > 0)) {
      add(`${field}.afterPercent`, 'sla.escalation.percent.invalid', { value: String(s.afterPercent) });
    } else if (hasMinutes && !(typeof s.afterMinutes === 'number' && Number.isInteger(s.afterMinutes) && s.afterMinutes > 0 && s.afterMinutes <= MAX_MINUTES)) {
      add(`${field}.afterMinutes`, 'sla.escalation.minutes.invalid', { value: String(s.afterMinutes), max: MAX_MINUTES });
    }
    if (typeof s.action !== 'string' || !(ESCALATION_ACTIONS as readonly string[]).includes(s.action)) {
      add(`${field}.action`, 'sla.escalation.action.invalid', { value: String(s.action), values: ESCALATION_ACTIONS.join(', ') });
    }
    const notify = isRecord(s.notify) ? s.notify : null;
    if (!notify) return add(`${field}.notify`, 'sla.type.invalid', { expected: 'object' });
    const roles = notify.roles ?? [];
    const userIds = notify.userIds ?? [];
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || r === '')) add(`${field}.notify.roles`, 'sla.type.invalid', { expected: 'string[]' });
    else if (!Array.isArray(userIds) || userIds.some((u) => !Number.isInteger(u))) add(`${field}.notify.userIds`, 'sla.type.invalid', { expected: 'integer[]' });
    // Whoever is told must be named; reassigning or raising the priority may happen silently.
    else if (s.action === 'notify' && roles.length === 0 && userIds.length === 0) add(`${field}.notify`, 'sla.escalation.notify.empty');
  });
}

/**
 * All problems of an SLA policy (empty when valid); takes `unknown` so services can check parsed
 * JSON. With `priorities` / `calendarIds`, target keys and calendars must be among them.
 */
export function validatePolicy(input: unknown, known: { priorities?: readonly string[]; calendarIds?: readonly string[] } = {}): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (field, code, params = {}) => {
    problems.push({ field, code, params });
  };
  if (!isRecord(input)) {
    add('', 'sla.type.invalid', { expected: 'object' });
    return problems;
  }
  for (const key of ['id', 'name'] as const) {
    if (typeof input[key] !== 'string' || (input[key] as string).trim() === '') add(key, 'sla.required');
  }
  if (!isRecord(input.targets)) add('targets', 'sla.type.invalid', { expected: 'object' });
  else {
    for (const [priority, metrics] of Object.entries(input.targets)) {
      const field = `targets.${priority}`;
      if (priority !== ANY_PRIORITY && known.priorities && !known.priorities.includes(priority)) add(field, 'sla.target.priority.unknown', { value: priority });
      if (!isRecord(metrics)) {
        add(field, 'sla.type.invalid', { expected: 'object' });
        continue;
      }
      for (const [metric, target] of Object.entries(metrics)) {
        if (!isMetric(metric)) add(`${field}.${metric}`, 'sla.target.metric.invalid', { value: metric });
        else if (target !== undefined) checkTarget(target, `${field}.${metric}`, add, known.calendarIds, metric);
      }
    }
  }
  if (!isRecord(input.pauseOn)) add('pauseOn', 'sla.type.invalid', { expected: 'object' });
  else {
    for (const [metric, states] of Object.entries(input.pauseOn)) {
      const field = `pauseOn.${metric}`;
      if (!isMetric(metric)) add(field, 'sla.pause.metric.invalid', { value: metric });
      else if (!Array.isArray(states)) add(field, 'sla.type.invalid', { expected: 'array' });
      else states.forEach((s: unknown, i) => {
        if (typeof s !== 'string' || s === '') add(`${field}[${i}]`, 'sla.pause.state.invalid', { value: String(s) });
      });
    }
  }
  checkWarnings(input.warnings, add);
  checkEscalation(input.escalation, add);
  return problems;
}
