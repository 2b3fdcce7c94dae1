import { compileCalendar } from './compile.js';
import { CN_HOLIDAYS, CN_WORKDAYS } from './holidays-cn.js';
import type { CalendarSpec, CompiledCalendar, Interval, IsoWeekday } from './types.js';

const ALL_DAY: Interval[] = [{ start: '00:00', end: '24:00' }];
/** 早8点至下午5点 with a lunch break: the 8 working hours of "5*8" (REQUIREMENTS T2, C5). */
const OFFICE_HOURS: Interval[] = [
  { start: '08:00', end: '12:00' },
  { start: '13:00', end: '17:00' },
];
/** 早8点至下午5点 read literally: 9 hours without a break (the phone line of C5 is staffed through lunch). */
const CONTINUOUS_HOURS: Interval[] = [{ start: '08:00', end: '17:00' }];

function week(weekdays: Interval[], weekend: Interval[]): Record<IsoWeekday, Interval[]> {
  return { 1: weekdays, 2: weekdays, 3: weekdays, 4: weekdays, 5: weekdays, 6: weekend, 7: weekend };
}

/** Stable ids of the calendars every installation has. */
export const BUILTIN_CALENDAR_IDS = ['24x7', 'cn-5x8', 'cn-5x8-continuous', '5x8'] as const;
export type BuiltinCalendarId = (typeof BUILTIN_CALENDAR_IDS)[number];

/**
 * Names that say the hours, so an admin tells the two 5×8 calendars apart (the seeds' "5*8,
 * 早8点至下午5点" is read both ways: 8 hours with a lunch hour, or 9 hours straight).
 */
export const BUILTIN_CALENDAR_NAMES: Record<BuiltinCalendarId, string> = {
  '24x7': '7×24小时',
  'cn-5x8': '5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）',
  'cn-5x8-continuous': '5×8 工作日 08:00–17:00（连续，中国法定节假日）',
  '5x8': '5×8 周一至周五 08:00–12:00、13:00–17:00（午休，不含节假日）',
};

/** Names the built-ins were shipped with before; a built-in still carrying one is renamed at start-up. */
export const FORMER_BUILTIN_NAMES: Partial<Record<BuiltinCalendarId, string[]>> = {
  'cn-5x8': ['5×8小时（中国法定节假日）'],
  '5x8': ['5×8小时（不含节假日）'],
};

/** The built-in calendars as specs (copies: callers may edit them into their own calendars). */
export function builtinCalendarSpecs(): CalendarSpec[] {
  return structuredClone([
    { id: '24x7', name: BUILTIN_CALENDAR_NAMES['24x7'], timeZone: 'Asia/Shanghai', weekly: week(ALL_DAY, ALL_DAY), holidays: [], workdays: [] },
    {
      id: 'cn-5x8',
      name: BUILTIN_CALENDAR_NAMES['cn-5x8'],
      timeZone: 'Asia/Shanghai',
      weekly: week(OFFICE_HOURS, []),
      holidays: [...CN_HOLIDAYS],
      workdays: [...CN_WORKDAYS],
    },
    {
      id: 'cn-5x8-continuous',
      name: BUILTIN_CALENDAR_NAMES['cn-5x8-continuous'],
      timeZone: 'Asia/Shanghai',
      weekly: week(CONTINUOUS_HOURS, []),
      holidays: [...CN_HOLIDAYS],
      workdays: [...CN_WORKDAYS],
    },
    { id: '5x8', name: BUILTIN_CALENDAR_NAMES['5x8'], timeZone: 'Asia/Shanghai', weekly: week(OFFICE_HOURS, []), holidays: [], workdays: [] },
  ]);
}

/** The built-in calendars compiled, by id. */
export function compileBuiltinCalendars(): Map<string, CompiledCalendar> {
  return new Map(builtinCalendarSpecs().map((spec) => [spec.id, compileCalendar(spec)]));
}
