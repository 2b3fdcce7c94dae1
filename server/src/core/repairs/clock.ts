import type { CompiledCalendar } from '../calendar/index.js';
import { instantToZoned } from '../calendar/tz.js';

/**
 * The progress clock of a device sent for repair (REQ #168: 每3个工作日以书面形式向最终用户和
 * 信息主管部门反馈进度). Pure functions of the contract's business calendar (core/calendar):
 *
 * - A written progress report is due REPORT_WORKDAYS working days after the clock's start: the
 *   sending, then each report (a late one too: the next is counted from when it was written).
 *   "Within 3 working days" is the calendar's `addWorkingDays`: the end of the third working day
 *   after the start's local day (the start day never counts; holidays skipped, 调休 make-up days
 *   worked). Sent Mon 10:00 on cn-5x8 → due Thu 17:00.
 * - The desk is reminded at the start of the due day's first working interval (the morning the
 *   report falls due), and told again at the due instant if no report came (overdue).
 */
export const REPORT_WORKDAYS = 3;

export function nextReportDue(calendar: CompiledCalendar, fromMs: number, workdays = REPORT_WORKDAYS): number {
  return calendar.addWorkingDays(fromMs, workdays);
}

/** The morning the report falls due: the first working instant of the due instant's local day (never after the due instant). */
export function reminderAt(calendar: CompiledCalendar, dueMs: number): number {
  // The due instant is the end of a working interval: the day is the one just before it.
  const { date } = instantToZoned(dueMs - 1, calendar.timeZone);
  const first = calendar.intervalsOn(date)[0];
  return first ? Math.min(first[0], dueMs) : dueMs;
}

export type ReportStatus = 'none' | 'running' | 'due' | 'overdue';

/**
 * Where the clock stands at `now`: `none` (no clock: not out for repair), `running` (before
 * the reminder), `due` (the report falls due today: reminded, not yet late), `overdue`.
 */
export function reportStatus(dueMs: number | null, remindMs: number | null, now: number): ReportStatus {
  if (dueMs === null) return 'none';
  if (now >= dueMs) return 'overdue';
  if (remindMs !== null && now >= remindMs) return 'due';
  return 'running';
}
