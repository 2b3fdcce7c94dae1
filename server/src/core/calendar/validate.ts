import { isRecord, type Problem } from '../problem.js';
import { isKnownTimeZone, parseDate, parseTime } from './tz.js';
import type { CalendarCode } from './types.js';

type Add = (field: string, code: CalendarCode, params?: Record<string, string | number>) => void;

/**
 * Checks a list of intervals; returns them as minute pairs [s0, e0, s1, e1, …] when valid, null
 * otherwise (the problems are reported through `add`).
 */
export function checkIntervals(value: unknown, field: string, add: Add): number[] | null {
  if (!Array.isArray(value)) {
    add(field, 'calendar.type.invalid', { expected: 'array' });
    return null;
  }
  const out: number[] = [];
  let ok = true;
  value.forEach((iv: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(iv)) {
      add(at, 'calendar.type.invalid', { expected: 'object' });
      ok = false;
      return;
    }
    const start = checkTime(iv.start, `${at}.start`, add);
    const end = checkTime(iv.end, `${at}.end`, add);
    if (start === null || end === null) {
      ok = false;
      return;
    }
    if (start >= end) {
      add(`${at}.end`, 'calendar.interval.backwards', { start: String(iv.start), end: String(iv.end) });
      ok = false;
      return;
    }
    if (out.length > 0) {
      const prevStart = out[out.length - 2];
      const prevEnd = out[out.length - 1];
      if (start < prevStart) {
        add(`${at}.start`, 'calendar.interval.unsorted', { index: i });
        ok = false;
        return;
      }
      if (start < prevEnd) {
        add(`${at}.start`, 'calendar.interval.overlap', { index: i, previous: i - 1 });
        ok = false;
        return;
      }
    }
    out.push(start, end);
  });
  return ok ? out : null;
}

function checkTime(value: unknown, field: string, add: Add): number | null {
  if (typeof value !== 'string') {
    add(field, 'calendar.type.invalid', { expected: 'string' });
    return null;
  }
  const minutes = parseTime(value);
  if (minutes === 'beyond24') {
    add(field, 'calendar.interval.beyond24', { value });
    return null;
  }
  if (minutes === null) {
    add(field, 'calendar.time.invalid', { value });
    return null;
  }
  return minutes;
}

interface CheckedDay {
  index: number;
  date: string;
  day: number;
  /** Whether the entry has its own intervals. */
  hasIntervals: boolean;
  /** Its intervals as minute pairs; null when absent or invalid. */
  intervals: number[] | null;
}

function checkSpecialDays(value: unknown, field: 'holidays' | 'workdays', add: Add): CheckedDay[] {
  if (!Array.isArray(value)) {
    add(field, 'calendar.type.invalid', { expected: 'array' });
    return [];
  }
  const out: CheckedDay[] = [];
  const seen = new Map<number, number>();
  value.forEach((entry: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(entry)) {
      add(at, 'calendar.type.invalid', { expected: 'object' });
      return;
    }
    if (entry.name !== undefined && typeof entry.name !== 'string') add(`${at}.name`, 'calendar.type.invalid', { expected: 'string' });
    const day = typeof entry.date === 'string' ? parseDate(entry.date) : null;
    if (day === null) {
      add(`${at}.date`, 'calendar.date.invalid', { value: String(entry.date) });
      return;
    }
    const first = seen.get(day);
    if (first !== undefined) {
      add(`${at}.date`, 'calendar.date.duplicate', { date: String(entry.date), first });
      return;
    }
    seen.set(day, i);
    const hasIntervals = entry.intervals !== undefined;
    const intervals = hasIntervals ? checkIntervals(entry.intervals, `${at}.intervals`, add) : null;
    out.push({ index: i, date: entry.date as string, day, hasIntervals, intervals });
  });
  return out;
}

/**
 * All problems of a calendar spec (empty when valid). Takes `unknown` so that services can check
 * parsed JSON directly; field paths look like `weekly.1[0].end` or `holidays[3].date`.
 */
export function validateCalendar(input: unknown): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (field, code, params = {}) => problems.push({ field, code, params });
  if (!isRecord(input)) {
    add('', 'calendar.type.invalid', { expected: 'object' });
    return problems;
  }
  for (const key of ['id', 'name'] as const) {
    if (typeof input[key] !== 'string' || (input[key] as string).trim() === '') add(key, 'calendar.required');
  }
  if (typeof input.timeZone !== 'string' || !isKnownTimeZone(input.timeZone)) add('timeZone', 'calendar.timezone.unknown', { value: String(input.timeZone) });

  let weeklyBounds = 0;
  let monday: number[] | null = null;
  if (!isRecord(input.weekly)) add('weekly', 'calendar.type.invalid', { expected: 'object' });
  else {
    const weekly = input.weekly;
    for (const key of Object.keys(weekly)) {
      if (!/^[1-7]$/.test(key)) add(`weekly.${key}`, 'calendar.weekday.invalid', { value: key });
    }
    for (let d = 1; d <= 7; d++) {
      if (weekly[d] === undefined) {
        add(`weekly.${d}`, 'calendar.required');
        continue;
      }
      const iv = checkIntervals(weekly[d], `weekly.${d}`, add);
      if (d === 1) monday = iv;
      if (iv) weeklyBounds += iv.length;
    }
  }

  const holidays = checkSpecialDays(input.holidays, 'holidays', add);
  const workdays = checkSpecialDays(input.workdays, 'workdays', add);
  const holidayDays = new Set(holidays.map((h) => h.day));
  let makeUpTime = false;
  for (const w of workdays) {
    const field = `workdays[${w.index}]`;
    if (holidayDays.has(w.day)) add(`${field}.date`, 'calendar.date.holidayAndWorkday', { date: w.date });
    const effective = w.hasIntervals ? w.intervals : monday;
    if (effective && effective.length > 0) makeUpTime = true;
    else if (effective) add(w.hasIntervals ? `${field}.intervals` : field, 'calendar.workday.noIntervals', { date: w.date });
  }
  if (isRecord(input.weekly) && weeklyBounds === 0 && !makeUpTime && problems.length === 0) add('weekly', 'calendar.noWorkingTime');
  return problems;
}
