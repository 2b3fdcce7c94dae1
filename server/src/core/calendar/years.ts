import { instantToZoned } from './tz.js';
import type { CalendarSpec } from './types.js';

/** A holiday named after one of China's festivals (the shipped schedule, a pasted notice and most .ics feeds name them so). */
const FESTIVAL_NAME = /元旦|春节|清明|劳动节|五一|端午|中秋|国庆/;

export interface HolidayYearStatus {
  /** The calendar follows China's public holidays: it has days off named after the festivals. */
  china: boolean;
  /** Years with festival days off, ascending (元旦 days in late December count for the year they open). */
  years: number[];
  /**
   * The year whose schedule is missing and needed: the current year (local, in the calendar's
   * zone) when it has none, else from 1 November the next year when it has none; null otherwise
   * and for calendars that do not follow China's holidays.
   */
  missingYear: number | null;
}

/**
 * Which years of China's holiday schedule a calendar holds and which one it lacks as of `nowMs`.
 * The State Council publishes next year's notice in late October or November; from 1 November a
 * calendar without next year counts 1 January as a working day, so the admin is warned.
 */
export function holidayYears(spec: Pick<CalendarSpec, 'holidays' | 'timeZone'>, nowMs: number): HolidayYearStatus {
  const years = new Set<number>();
  for (const d of spec.holidays) {
    if (!d.name || !FESTIVAL_NAME.test(d.name)) continue;
    const y = Number(d.date.slice(0, 4));
    years.add(d.date.slice(5, 7) === '12' && d.name.includes('元旦') ? y + 1 : y);
  }
  const china = years.size > 0;
  const sorted = [...years].sort((a, b) => a - b);
  if (!china) return { china, years: sorted, missingYear: null };
  const local = instantToZoned(nowMs, spec.timeZone).date;
  const year = Number(local.slice(0, 4));
  const month = Number(local.slice(5, 7));
  const missingYear = !years.has(year) ? year : month >= 11 && !years.has(year + 1) ? year + 1 : null;
  return { china, years: sorted, missingYear };
}
