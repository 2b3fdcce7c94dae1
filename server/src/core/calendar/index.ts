export type { CalendarSpec, CompiledCalendar, Interval, IsoWeekday, SpecialDay, CalendarCode, IcsCode } from './types.js';
export { CalendarError } from './types.js';
export { validateCalendar } from './validate.js';
export { compileCalendar, HORIZON_DAYS, MAX_MINUTES } from './compile.js';
export { BUILTIN_CALENDAR_IDS, BUILTIN_CALENDAR_NAMES, FORMER_BUILTIN_NAMES, builtinCalendarSpecs, compileBuiltinCalendars, type BuiltinCalendarId } from './builtin.js';
export { CN_HOLIDAYS, CN_WORKDAYS, CN_HOLIDAY_YEARS, CN_HOLIDAY_NOTICES } from './holidays-cn.js';
export { calendarToIcs, parseIcsHolidays } from './ics.js';
export { zonedToInstant, instantToZoned, isKnownTimeZone, DAY_MS, HOUR_MS, MINUTE_MS } from './tz.js';
export {
  FESTIVALS,
  FESTIVAL_NAMES,
  festivalsToDays,
  normalizeNoticeText,
  noticeYear,
  parseHolidayNotice,
  type DateRange,
  type FestivalKey,
  type FestivalSchedule,
  type NoticeCode,
  type NoticeProblem,
  type ParsedFestival,
  type ParsedNotice,
} from './notice.js';
export { holidayYears, type HolidayYearStatus } from './years.js';
