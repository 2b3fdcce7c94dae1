export type { CalendarSpec, CompiledCalendar, Interval, IsoWeekday, SpecialDay, CalendarCode, IcsCode } from './types.js';
export { CalendarError } from './types.js';
export { validateCalendar } from './validate.js';
export { compileCalendar, HORIZON_DAYS, MAX_MINUTES } from './compile.js';
export { BUILTIN_CALENDAR_IDS, builtinCalendarSpecs, compileBuiltinCalendars, type BuiltinCalendarId } from './builtin.js';
export { CN_HOLIDAYS, CN_WORKDAYS, CN_HOLIDAY_YEARS, CN_HOLIDAY_NOTICES } from './holidays-cn.js';
export { calendarToIcs, parseIcsHolidays } from './ics.js';
export { zonedToInstant, instantToZoned, isKnownTimeZone, DAY_MS, HOUR_MS, MINUTE_MS } from './tz.js';
