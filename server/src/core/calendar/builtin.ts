import { compileCalendar } from './compile.js';
import { CN_HOLIDAYS, CN_WORKDAYS } from './holidays-cn.js';
import type { CalendarSpec, CompiledCalendar, Interval, IsoWeekday } from './types.js';

const ALL_DAY: Interval[] = [{ start: '00:00', end: '24:00' }];
/** 早8点至下午5点 with a lunch break: the 8 working hours of "5*8" (REQUIREMENTS T2, C5). */
const OFFICE_HOURS: Interval[] = [
  { start: '08:00', end: '12:00' },
  { start: '13:00', end: '17:00' },
];

function week(weekdays: Interval[], weekend: Interval[]): Record<IsoWeekday, Interval[]> {
  return { 1: weekdays, 2: weekdays, 3: weekdays, 4: weekdays, 5: weekdays, 6: weekend, 7: weekend };
}

/** Stable ids of the calendars every installation has. */
export const BUILTIN_CALENDAR_IDS = ['24x7', 'cn-5x8', '5x8'] as const;
export type BuiltinCalendarId = (typeof BUILTIN_CALENDAR_IDS)[number];

/** The built-in calendars as specs (copies: callers may edit them into their own calendars). */
export function builtinCalendarSpecs(): CalendarSpec[] {
  return structuredClone([
    { id: '24x7', name: '7×24小时', timeZone: 'Asia/Shanghai', weekly: week(ALL_DAY, ALL_DAY), holidays: [], workdays: [] },
    {
      id: 'cn-5x8',
      name: '5×8小时（中国法定节假日）',
      timeZone: 'Asia/Shanghai',
      weekly: week(OFFICE_HOURS, []),
      holidays: [...CN_HOLIDAYS],
      workdays: [...CN_WORKDAYS],
    },
    { id: '5x8', name: '5×8小时（不含节假日）', timeZone: 'Asia/Shanghai', weekly: week(OFFICE_HOURS, []), holidays: [], workdays: [] },
  ]);
}

/** The built-in calendars compiled, by id. */
export function compileBuiltinCalendars(): Map<string, CompiledCalendar> {
  return new Map(builtinCalendarSpecs().map((spec) => [spec.id, compileCalendar(spec)]));
}
