import { instantToZoned } from '../calendar/tz.js';
import { addDays, dayStart, daysBetween, periodContaining as rangeContaining, rangeEnded, rangeInstants } from './periods.js';

export { addDays };

/**
 * Report periods and due dates, pure. A report covers one period of the customer's calendar
 * (a month, a quarter or a year, local dates in the customer's IANA zone) and is due on a day
 * computed from that period by its type's rule, on the contract's business calendar.
 *
 * Due rules are data (REQ R16 "每月5日前", R17 "每月10日前", issue #11 "15 days after quarter end"):
 * - `day_of_next_month`: day N of the month after the period ends (the 5th, the 10th);
 * - `days_after_end`: N calendar days after the period's last day.
 * A due day that is not a working day of the contract's calendar (a weekend on a 5×8
 * calendar, a public holiday such as 国庆) moves to the next working day (顺延), the usual
 * reading of a Chinese deadline; a 7×24 calendar never moves it. The report is on time when
 * issued before the end of the due day (local midnight after it).
 */

export type Cadence = 'month' | 'quarter' | 'year';

export type DueRule = { kind: 'day_of_next_month'; day: number } | { kind: 'days_after_end'; days: number };

export interface Period {
  cadence: Cadence;
  /** '2026-11', '2026-Q4', '2026'. */
  key: string;
  /** First and last local day, inclusive, YYYY-MM-DD. */
  from: string;
  to: string;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER_RE = /^(\d{4})-Q([1-4])$/;
const YEAR_RE = /^(\d{4})$/;

/** The period a key names, or null when the key is not one of the cadence ('2026-13', '2026-Q5'). */
export function parsePeriod(cadence: Cadence, key: string): Period | null {
  if (cadence === 'month') {
    const m = MONTH_RE.exec(key);
    return m ? { cadence, key, ...rangeContaining('month', `${m[1]}-${m[2]}-01`) } : null;
  }
  if (cadence === 'quarter') {
    const m = QUARTER_RE.exec(key);
    return m ? { cadence, key, ...rangeContaining('quarter', `${m[1]}-${String((Number(m[2]) - 1) * 3 + 1).padStart(2, '0')}-01`) } : null;
  }
  const m = YEAR_RE.exec(key);
  return m ? { cadence, key, ...rangeContaining('year', `${m[1]}-01-01`) } : null;
}

/** The period of the cadence that contains a local date. */
export function periodContaining(cadence: Cadence, date: string): Period {
  const month = Number(date.slice(5, 7));
  const key = cadence === 'month' ? date.slice(0, 7) : cadence === 'quarter' ? `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}` : date.slice(0, 4);
  return { cadence, key, ...rangeContaining(cadence, date) };
}

/** The period right after this one. */
export function nextPeriod(p: Period): Period {
  return periodContaining(p.cadence, addDays(p.to, 1));
}

export function previousPeriod(p: Period): Period {
  return periodContaining(p.cadence, addDays(p.from, -1));
}

/** The instant the period starts and the instant it ends (exclusive: local midnight after its last day). */
export function periodInstants(p: Period, timeZone: string): { start: number; end: number } {
  return rangeInstants(p, timeZone);
}

/** Whether the period is over at `now` in the zone (the month ends at local midnight). */
export function periodEnded(p: Period, now: number, timeZone: string): boolean {
  return rangeEnded(p, now, timeZone);
}

/** The latest period of the cadence that has ended by `now` in the zone. */
export function lastEndedPeriod(cadence: Cadence, now: number, timeZone: string): Period {
  return previousPeriod(periodContaining(cadence, instantToZoned(now, timeZone).date));
}

/** Periods of the cadence overlapping [from, to] (local dates, inclusive), oldest first. At most `max`. */
export function periodsOverlapping(cadence: Cadence, from: string, to: string, max = 500): Period[] {
  const out: Period[] = [];
  for (let p = periodContaining(cadence, from); p.from <= to && out.length < max; p = nextPeriod(p)) out.push(p);
  return out;
}

/** Working-day test of the contract's calendar for a local date. */
export type IsWorkingDay = (date: string) => boolean;

/** Furthest a due day moves looking for a working day (a calendar with none is a data error, not a hang). */
const MAX_SHIFT_DAYS = 60;

/** The nominal due day of a rule for a period, before moving off non-working days. */
export function nominalDueDate(rule: DueRule, p: Period): string {
  if (rule.kind === 'days_after_end') return addDays(p.to, rule.days);
  const next = rangeContaining('month', addDays(p.to, 1));
  return addDays(next.from, Math.min(rule.day, Number(next.to.slice(8))) - 1);
}

/** The due day: the nominal day, moved to the next working day of the calendar when it is not one. */
export function dueDate(rule: DueRule, p: Period, isWorkingDay: IsWorkingDay): string {
  const nominal = nominalDueDate(rule, p);
  for (let i = 0; i <= MAX_SHIFT_DAYS; i++) {
    const d = addDays(nominal, i);
    if (isWorkingDay(d)) return d;
  }
  return nominal;
}

/** The instant the due day ends: issued before it is on time. */
export function dueEnd(due: string, timeZone: string): number {
  return dayStart(addDays(due, 1), timeZone);
}

/** Whole local days from `today` to the due day (negative when overdue). */
export function daysLeft(due: string, today: string): number {
  return daysBetween(today, due);
}
