import { DAY_MS, instantToZoned, zonedToInstant } from '../calendar/tz.js';

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

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Last day of a month (1-based month). */
function lastDayOf(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function monthSpan(year: number, firstMonth: number, months: number): { from: string; to: string } {
  const lastMonth = firstMonth + months - 1;
  return { from: `${year}-${pad(firstMonth)}-01`, to: `${year}-${pad(lastMonth)}-${pad(lastDayOf(year, lastMonth))}` };
}

/** The period a key names, or null when the key is not one of the cadence ('2026-13', '2026-Q5'). */
export function parsePeriod(cadence: Cadence, key: string): Period | null {
  if (cadence === 'month') {
    const m = MONTH_RE.exec(key);
    return m ? { cadence, key, ...monthSpan(Number(m[1]), Number(m[2]), 1) } : null;
  }
  if (cadence === 'quarter') {
    const m = QUARTER_RE.exec(key);
    return m ? { cadence, key, ...monthSpan(Number(m[1]), (Number(m[2]) - 1) * 3 + 1, 3) } : null;
  }
  const m = YEAR_RE.exec(key);
  return m ? { cadence, key, ...monthSpan(Number(m[1]), 1, 12) } : null;
}

/** The period of the cadence that contains a local date. */
export function periodContaining(cadence: Cadence, date: string): Period {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const key = cadence === 'month' ? `${year}-${pad(month)}` : cadence === 'quarter' ? `${year}-Q${Math.floor((month - 1) / 3) + 1}` : `${year}`;
  return parsePeriod(cadence, key)!;
}

/** Adds days to a local date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
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
  return { start: zonedToInstant(p.from, '00:00', timeZone), end: zonedToInstant(addDays(p.to, 1), '00:00', timeZone) };
}

/** Whether the period is over at `now` in the zone (the month ends at local midnight). */
export function periodEnded(p: Period, now: number, timeZone: string): boolean {
  return now >= periodInstants(p, timeZone).end;
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
  const next = addDays(p.to, 1);
  const year = Number(next.slice(0, 4));
  const month = Number(next.slice(5, 7));
  return `${year}-${pad(month)}-${pad(Math.min(rule.day, lastDayOf(year, month)))}`;
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
  return zonedToInstant(addDays(due, 1), '00:00', timeZone);
}

/** Whole local days from `today` to the due day (negative when overdue). */
export function daysLeft(due: string, today: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
}
