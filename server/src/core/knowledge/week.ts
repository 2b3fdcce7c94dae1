import { instantToZoned, zonedToInstant } from '../calendar/tz.js';

/**
 * Weeks for the weekly submissions (REQ #122) and the "updated weekly" record (R12): Monday
 * 00:00 to the next Monday 00:00 in a zone (the provider's, Asia/Shanghai unless asked).
 */
export const DEFAULT_WEEK_ZONE = 'Asia/Shanghai';

export interface Week {
  /** The Monday, YYYY-MM-DD in the zone. */
  start: string;
  from: number;
  to: number;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The week holding `ms` in `timeZone`. */
export function weekOf(ms: number, timeZone = DEFAULT_WEEK_ZONE): Week {
  const local = instantToZoned(ms, timeZone);
  return weekStarting(addDays(local.date, 1 - local.weekday), timeZone);
}

/** The week that starts on the Monday of `date` (any day of it). */
export function weekStarting(date: string, timeZone = DEFAULT_WEEK_ZONE): Week {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  const start = addDays(date, 1 - weekday);
  return { start, from: zonedToInstant(start, '00:00', timeZone), to: zonedToInstant(addDays(start, 7), '00:00', timeZone) };
}

/** `count` consecutive weeks ending with the one holding `ms`, oldest first. */
export function weeksEnding(ms: number, count: number, timeZone = DEFAULT_WEEK_ZONE): Week[] {
  const last = weekOf(ms, timeZone);
  const out: Week[] = [];
  for (let i = count - 1; i >= 0; i--) out.push(weekStarting(addDays(last.start, -7 * i), timeZone));
  return out;
}

/** The weeks that hold any day of the local dates `from`…`to` (both inclusive), oldest first. */
export function weeksCovering(from: string, to: string, timeZone = DEFAULT_WEEK_ZONE): Week[] {
  const out: Week[] = [];
  for (let w = weekStarting(from, timeZone); w.start <= to; w = weekStarting(addDays(w.start, 7), timeZone)) out.push(w);
  return out;
}
