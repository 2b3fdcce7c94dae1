import type { CompiledCalendar } from '../calendar/index.js';
import { formatDate, instantToZoned, isoWeekday, parseDate } from '../calendar/tz.js';

/**
 * "Back before the second weekend" (REQ #169: 送修后第二个周末前设备修复并送抵最终用户现场),
 * made precise (docs/REPAIRS.md):
 *
 * - Weeks run Monday to Sunday in the customer's time zone; W is the week of the sending day.
 *   W's weekend is the first weekend after sending, whatever the day of sending (a device sent
 *   on Saturday or Sunday has its first weekend behind it the same day).
 * - The target is the LAST WORKING DAY of week W+1 on the business calendar: normally its
 *   Friday; a make-up working Saturday (调休上班) in W+1 makes it that Saturday (the weekend then
 *   is Sunday alone); a holiday on the Friday moves it to the Thursday (the weekend starts with
 *   the holiday).
 * - A week without any working day (the Spring Festival week) does not count as a week: the
 *   target moves to the last working day of the next week that has one (at most 8 weeks on).
 *
 * Dates are the customer's local dates; each is asked of the calendar as a date
 * (`isWorkingDate`). Pure: no clock, no database.
 */
export function targetReturnDate(sentAtMs: number, timeZone: string, isWorkingDate: (date: string) => boolean): string {
  const day = parseDate(instantToZoned(sentAtMs, timeZone).date)!;
  const monday = day - (isoWeekday(day) - 1);
  for (let week = 1; week <= 8; week++) {
    const start = monday + 7 * week;
    for (let d = start + 6; d >= start; d--) if (isWorkingDate(formatDate(d))) return formatDate(d);
  }
  // A calendar with no working day for two months: the Friday of W+1.
  return formatDate(monday + 11);
}

/** A calendar works every day of the week (7×24, 7×12): it has no weekend to count by. */
export function hasWeekend(calendar: CompiledCalendar): boolean {
  return Object.values(calendar.spec.weekly).some((intervals) => !intervals || intervals.length === 0) || Object.keys(calendar.spec.weekly).length < 7;
}

/**
 * Which calendar's working days count the weeks: the contract's when it has weekends (5×8),
 * else `fallback` (the built-in cn-5x8: China's weekends, public holidays and make-up days), so a
 * 7×24 contract still has a "second weekend".
 */
export function weekCalendar(contract: CompiledCalendar, fallback: CompiledCalendar): CompiledCalendar {
  return hasWeekend(contract) ? contract : fallback;
}

export function isWorkingDateOn(calendar: CompiledCalendar): (date: string) => boolean {
  return (date) => calendar.intervalsOn(date).length > 0;
}

/** Whether a return on `returnedAtMs` met the target date (the customer's local date of the return ≤ the target). */
export function returnedByTarget(returnedAtMs: number, timeZone: string, target: string): boolean {
  return instantToZoned(returnedAtMs, timeZone).date <= target;
}
