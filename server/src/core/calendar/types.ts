import { CoreError, type Problem } from '../problem.js';

/** A local wall-clock span of one day, "HH:MM" to "HH:MM", start inclusive, end exclusive; end may be "24:00". */
export interface Interval {
  start: string;
  end: string;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * A dated exception. On a holiday, `intervals` (if present) are the hours that are OFF (a part-day
 * holiday); without them the whole day is off. On a make-up working day (调休), `intervals` are the
 * working hours; without them the day has Monday's hours.
 */
export interface SpecialDay {
  /** Local date, "YYYY-MM-DD". */
  date: string;
  name?: string;
  intervals?: Interval[];
}

/** A business calendar as stored and edited. */
export interface CalendarSpec {
  id: string;
  name: string;
  /** IANA zone, e.g. Asia/Shanghai; all wall-clock times above are in this zone. */
  timeZone: string;
  /** Working intervals per ISO weekday; sorted, non-overlapping, start < end. */
  weekly: Record<IsoWeekday, Interval[]>;
  holidays: SpecialDay[];
  /** Make-up working days (调休上班). */
  workdays: SpecialDay[];
}

/** Problem and error codes of calendars; each has zh-CN / en-US text in core/messages.ts. */
export type CalendarCode =
  | 'calendar.invalid'
  | 'calendar.required'
  | 'calendar.type.invalid'
  | 'calendar.timezone.unknown'
  | 'calendar.weekday.invalid'
  | 'calendar.time.invalid'
  | 'calendar.interval.beyond24'
  | 'calendar.interval.backwards'
  | 'calendar.interval.unsorted'
  | 'calendar.interval.overlap'
  | 'calendar.date.invalid'
  | 'calendar.date.duplicate'
  | 'calendar.date.holidayAndWorkday'
  | 'calendar.workday.noIntervals'
  | 'calendar.noWorkingTime'
  | 'calendar.minutes.invalid'
  | 'calendar.days.invalid'
  | 'calendar.instant.invalid';

export type IcsCode =
  | 'ics.tooLarge'
  | 'ics.notCalendar'
  | 'ics.line.invalid'
  | 'ics.structure.invalid'
  | 'ics.unterminated'
  | 'ics.event.noStart'
  | 'ics.event.notAllDay'
  | 'ics.event.endBeforeStart'
  | 'ics.event.tooLong'
  | 'ics.event.recurring'
  | 'ics.date.invalid'
  | 'ics.duration.invalid'
  | 'ics.intervals.invalid'
  | 'ics.date.conflict';

/** Thrown by calendar operations and by compileCalendar / parseIcsHolidays on invalid input. */
export class CalendarError extends CoreError {
  declare readonly code: CalendarCode | IcsCode;

  constructor(code: CalendarCode | IcsCode, params: Record<string, string | number> = {}, problems: Problem[] = []) {
    super(code, params, problems);
  }
}

/** The operations of a compiled calendar. Instants are UTC epoch milliseconds. */
export interface CompiledCalendar {
  readonly spec: CalendarSpec;
  readonly id: string;
  readonly timeZone: string;
  /** True if the instant lies inside a working interval (start inclusive, end exclusive). */
  isWorking(ms: number): boolean;
  /** `ms` itself if it is working time, else the start of the next working interval. */
  nextWorkingInstant(ms: number): number;
  /**
   * The deadline `minutes` working minutes after `startMs`: the earliest instant at which that much
   * working time has passed since `startMs` (so a deadline can fall on the end of an interval,
   * e.g. 17:00, never on the start of the next one). `minutes = 0` returns `startMs` if it is
   * working time, else the next working instant. Minutes must be an integer from 0 to ten years.
   */
  addWorkingMinutes(startMs: number, minutes: number): number;
  /** As addWorkingMinutes, in milliseconds (integer, 0 … ten years). */
  addWorkingMs(startMs: number, ms: number): number;
  /** Working milliseconds in [fromMs, toMs); negative if toMs < fromMs. */
  workingMsBetween(fromMs: number, toMs: number): number;
  /** workingMsBetween / 60 000 (may be fractional). */
  workingMinutesBetween(fromMs: number, toMs: number): number;
  /**
   * "Within N working days": the end of the Nth working day after the local day of `startMs`. The
   * day of the start never counts, whatever the hour. `days = 0` means "the same working day": the
   * end of the start's day if it is a working day not yet over, else the end of the next one.
   */
  addWorkingDays(startMs: number, days: number): number;
  /** The working intervals of a local date ("YYYY-MM-DD") as UTC [start, end) pairs. */
  intervalsOn(date: string): Array<[number, number]>;
}
