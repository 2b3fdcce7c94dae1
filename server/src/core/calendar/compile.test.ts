import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBuiltinCalendars } from './builtin.js';
import { compileCalendar, HORIZON_DAYS, MAX_MINUTES } from './compile.js';
import { instantToZoned, zonedToInstant } from './tz.js';
import type { CalendarSpec, Interval, IsoWeekday } from './types.js';

const MIN = 60_000;
const H = 3_600_000;
const SH = 'Asia/Shanghai';
const at = (date: string, time: string, tz = SH) => zonedToInstant(date, time, tz);
const local = (ms: number, tz = SH) => {
  const z = instantToZoned(ms, tz);
  return `${z.date} ${z.time}`;
};

const builtins = compileBuiltinCalendars();
const cn = builtins.get('cn-5x8')!;
const plain = builtins.get('5x8')!;
const allHours = builtins.get('24x7')!;

function nineToFive(timeZone: string, days: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7]): CalendarSpec {
  const weekly = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] } as Record<IsoWeekday, Interval[]>;
  for (const d of days) weekly[d] = [{ start: '09:00', end: '17:00' }];
  return { id: `9-17-${timeZone}`, name: '9–17', timeZone, weekly, holidays: [], workdays: [] };
}

describe('addWorkingMinutes on cn-5x8', () => {
  it('counts from inside working time, skipping lunch, nights and weekends', () => {
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '10:00'), 60))).toBe('2025-11-03 11:00');
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '11:30'), 60))).toBe('2025-11-03 13:30');
    expect(local(cn.addWorkingMinutes(at('2025-11-07', '16:00'), 120))).toBe('2025-11-10 09:00');
  });

  it('ends on an interval end rather than the next start', () => {
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '11:00'), 60))).toBe('2025-11-03 12:00');
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '16:00'), 60))).toBe('2025-11-03 17:00');
  });

  it('starts outside working time at the next working instant', () => {
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '07:00'), 30))).toBe('2025-11-03 08:30');
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '12:15'), 30))).toBe('2025-11-03 13:30');
    expect(local(cn.addWorkingMinutes(at('2025-11-08', '10:00'), 30))).toBe('2025-11-10 08:30');
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '17:00'), 1))).toBe('2025-11-04 08:01');
  });

  it('returns the start itself for 0 minutes inside working time, else the next working instant', () => {
    expect(cn.addWorkingMinutes(at('2025-11-03', '10:17'), 0)).toBe(at('2025-11-03', '10:17'));
    expect(local(cn.addWorkingMinutes(at('2025-11-03', '12:00'), 0))).toBe('2025-11-03 13:00');
    expect(local(cn.addWorkingMinutes(at('2025-09-30', '17:00'), 0))).toBe('2025-10-09 08:00');
  });

  it('crosses midnight, month ends and year ends', () => {
    // 2026-01-01…03 are off and Sunday 01-04 is a make-up day.
    expect(local(cn.addWorkingMinutes(at('2025-12-31', '16:00'), 120))).toBe('2026-01-04 09:00');
    expect(local(plain.addWorkingMinutes(at('2025-12-31', '16:00'), 120))).toBe('2026-01-01 09:00');
    expect(local(cn.addWorkingMinutes(at('2026-01-30', '16:30'), 60))).toBe('2026-02-02 08:30');
    expect(local(allHours.addWorkingMinutes(at('2025-12-31', '23:30'), 60))).toBe('2026-01-01 00:30');
  });

  it('skips the 2025 National Day holiday and counts its make-up days (example of docs/sla-rules.md)', () => {
    // Tue 2025-09-30 16:00 + 4 working hours: 1 h on the 30th, Oct 1–8 off, 3 h on Thu Oct 9.
    expect(local(cn.addWorkingMinutes(at('2025-09-30', '16:00'), 240))).toBe('2025-10-09 11:00');
    // Without holidays the same ticket is due the next morning.
    expect(local(plain.addWorkingMinutes(at('2025-09-30', '16:00'), 240))).toBe('2025-10-01 11:00');
    // Fri Oct 10 15:00 + 4 h: 2 h on Friday, 2 h on the make-up Saturday Oct 11.
    expect(local(cn.addWorkingMinutes(at('2025-10-10', '15:00'), 240))).toBe('2025-10-11 10:00');
    // Make-up Sunday Sep 28 counts too.
    expect(local(cn.addWorkingMinutes(at('2025-09-27', '12:00'), 60))).toBe('2025-09-28 09:00');
  });

  it('skips the 2026 Mid-Autumn and National Day holidays and counts Sep 20 and Oct 10', () => {
    expect(local(cn.addWorkingMinutes(at('2026-09-18', '16:00'), 240))).toBe('2026-09-20 11:00');
    expect(local(cn.addWorkingMinutes(at('2026-09-30', '16:00'), 240))).toBe('2026-10-08 11:00');
    expect(local(cn.addWorkingMinutes(at('2026-10-09', '16:00'), 120))).toBe('2026-10-10 09:00');
    expect(local(cn.addWorkingDays(at('2026-09-30', '10:00'), 5))).toBe('2026-10-13 17:00');
  });

  it('skips the 2025 Spring Festival and counts Jan 26 and Feb 8', () => {
    expect(local(cn.addWorkingMinutes(at('2025-01-24', '16:00'), 240))).toBe('2025-01-26 11:00');
    expect(local(cn.addWorkingDays(at('2025-01-24', '10:00'), 3))).toBe('2025-02-05 17:00');
    expect(local(cn.addWorkingMinutes(at('2025-02-07', '16:00'), 120))).toBe('2025-02-08 09:00');
  });

  it('skips the 2026 Spring Festival and counts Feb 14 and Feb 28', () => {
    expect(local(cn.addWorkingMinutes(at('2026-02-13', '15:00'), 480))).toBe('2026-02-14 15:00');
    expect(local(cn.addWorkingMinutes(at('2026-02-14', '16:00'), 120))).toBe('2026-02-24 09:00');
    expect(local(cn.addWorkingMinutes(at('2026-02-27', '16:00'), 120))).toBe('2026-02-28 09:00');
  });

  it('costs the same whichever distance (sixty working days)', () => {
    // 2025-09-01 08:00 + 60 × 8 h: 23 working days in September (with Sunday the 28th), Oct 1–8 off,
    // Oct 9–11 (with Saturday the 11th), then five-day weeks: the 60th is Thursday Nov 27.
    const due = cn.addWorkingMinutes(at('2025-09-01', '08:00'), 60 * 8 * 60);
    expect(cn.workingMinutesBetween(at('2025-09-01', '08:00'), due)).toBe(60 * 8 * 60);
    expect(local(due)).toBe('2025-11-27 17:00');
  });
});

describe('addWorkingDays', () => {
  it('ends at the end of the Nth working day after the start day', () => {
    expect(local(cn.addWorkingDays(at('2025-11-03', '10:00'), 3))).toBe('2025-11-06 17:00');
    expect(local(cn.addWorkingDays(at('2025-11-03', '07:00'), 3))).toBe('2025-11-06 17:00');
    expect(local(cn.addWorkingDays(at('2025-11-07', '18:00'), 3))).toBe('2025-11-12 17:00');
    expect(local(cn.addWorkingDays(at('2025-11-08', '10:00'), 3))).toBe('2025-11-12 17:00');
  });

  it('knows holidays and make-up days', () => {
    expect(local(cn.addWorkingDays(at('2025-09-30', '10:00'), 3))).toBe('2025-10-11 17:00');
    expect(local(cn.addWorkingDays(at('2026-02-13', '10:00'), 5))).toBe('2026-02-27 17:00');
    expect(local(cn.addWorkingDays(at('2026-09-30', '18:00'), 1))).toBe('2026-10-08 17:00');
    expect(local(cn.addWorkingDays(at('2025-12-31', '09:00'), 1))).toBe('2026-01-04 17:00');
  });

  it('0 days means the end of the same working day', () => {
    expect(local(cn.addWorkingDays(at('2025-11-03', '10:00'), 0))).toBe('2025-11-03 17:00');
    expect(local(cn.addWorkingDays(at('2025-11-03', '17:00'), 0))).toBe('2025-11-04 17:00');
    expect(local(cn.addWorkingDays(at('2025-11-08', '10:00'), 0))).toBe('2025-11-10 17:00');
  });

  it('ends at midnight on 24x7', () => {
    expect(local(allHours.addWorkingDays(at('2025-11-03', '10:00'), 2))).toBe('2025-11-06 00:00');
  });
});

describe('time zones with daylight saving time', () => {
  it('keeps a 09:00–17:00 day at 8 hours on the DST days of Berlin and New York', () => {
    for (const [tz, dates] of [
      ['Europe/Berlin', ['2025-03-30', '2025-10-26', '2026-03-29', '2026-10-25']],
      ['America/New_York', ['2025-03-09', '2025-11-02', '2026-03-08', '2026-11-01']],
    ] as const) {
      const cal = compileCalendar(nineToFive(tz));
      for (const date of dates) {
        const [[s, e]] = cal.intervalsOn(date);
        expect(e - s).toBe(8 * H);
        expect(local(s, tz)).toBe(`${date} 09:00`);
      }
    }
  });

  it('gives a whole day its real length: 23 h in spring, 25 h in autumn', () => {
    const spec = nineToFive('Europe/Berlin');
    spec.weekly[7] = [{ start: '00:00', end: '24:00' }];
    const cal = compileCalendar(spec);
    expect(cal.workingMsBetween(at('2025-03-30', '00:00', 'Europe/Berlin'), at('2025-03-31', '00:00', 'Europe/Berlin'))).toBe(23 * H);
    expect(cal.workingMsBetween(at('2025-10-26', '00:00', 'Europe/Berlin'), at('2025-10-27', '00:00', 'Europe/Berlin'))).toBe(25 * H);
    // 20 working hours from Sunday 00:00 in spring end at 21:00 local (one hour skipped).
    expect(local(cal.addWorkingMinutes(at('2025-03-30', '00:00', 'Europe/Berlin'), 20 * 60), 'Europe/Berlin')).toBe('2025-03-30 21:00');
    expect(local(cal.addWorkingMinutes(at('2025-10-26', '00:00', 'Europe/Berlin'), 20 * 60), 'Europe/Berlin')).toBe('2025-10-26 19:00');
  });

  it('shrinks intervals that touch a skipped hour and keeps the first of a repeated one', () => {
    const spec = nineToFive('America/New_York');
    spec.weekly[7] = [{ start: '01:30', end: '03:30' }];
    const cal = compileCalendar(spec);
    // 2025-03-09: 02:00 → 03:00, so 01:30–03:30 lasts 1 h.
    const [[s1, e1]] = cal.intervalsOn('2025-03-09');
    expect(e1 - s1).toBe(H);
    // 2025-11-02: 02:00 → 01:00; from the first 01:30 (EDT) to 03:30 EST is 3 h.
    const [[s2, e2]] = cal.intervalsOn('2025-11-02');
    expect(s2).toBe(Date.UTC(2025, 10, 2, 5, 30));
    expect(e2 - s2).toBe(3 * H);
  });

  it('counts working time across the transition in working hours', () => {
    const cal = compileCalendar(nineToFive('America/New_York', [1, 2, 3, 4, 5]));
    // Fri 2025-03-07 16:00 EST + 2 h → Mon 2025-03-10 10:00 EDT.
    const due = cal.addWorkingMinutes(at('2025-03-07', '16:00', 'America/New_York'), 120);
    expect(local(due, 'America/New_York')).toBe('2025-03-10 10:00');
    expect(due - at('2025-03-07', '16:00', 'America/New_York')).toBe(66 * H - H);
  });
});

describe('other operations', () => {
  it('isWorking and nextWorkingInstant respect half-open intervals', () => {
    expect(cn.isWorking(at('2025-11-03', '08:00'))).toBe(true);
    expect(cn.isWorking(at('2025-11-03', '12:00'))).toBe(false);
    expect(cn.isWorking(at('2025-11-03', '11:59') + 59_999)).toBe(true);
    expect(cn.isWorking(at('2025-10-01', '10:00'))).toBe(false);
    expect(cn.isWorking(at('2025-10-11', '10:00'))).toBe(true);
    expect(local(cn.nextWorkingInstant(at('2025-09-30', '17:00')))).toBe('2025-10-09 08:00');
    expect(cn.nextWorkingInstant(at('2025-11-03', '09:13'))).toBe(at('2025-11-03', '09:13'));
    expect(allHours.isWorking(at('2026-02-17', '03:00'))).toBe(true);
  });

  it('workingMsBetween is signed and spans years', () => {
    const a = at('2025-11-03', '10:00');
    const b = at('2025-11-04', '10:00');
    expect(cn.workingMsBetween(a, b)).toBe(8 * H);
    expect(cn.workingMsBetween(b, a)).toBe(-8 * H);
    expect(cn.workingMinutesBetween(a, a + 30_000)).toBe(0.5);
    // 2025 on cn-5x8: 248 working days (365 − 104 weekend days − 18 holidays on weekdays + 5 make-up days).
    expect(cn.workingMsBetween(at('2025-01-01', '00:00'), at('2026-01-01', '00:00'))).toBe(248 * 8 * H);
    expect(allHours.workingMsBetween(Date.UTC(2000, 0, 1), Date.UTC(2030, 0, 1))).toBe(Date.UTC(2030, 0, 1) - Date.UTC(2000, 0, 1));
  });

  it('lists the working intervals of a date', () => {
    expect(cn.intervalsOn('2025-10-11').map(([s, e]) => `${local(s)}–${local(e).slice(11)}`)).toEqual(['2025-10-11 08:00–12:00', '2025-10-11 13:00–17:00']);
    expect(cn.intervalsOn('2025-10-08')).toEqual([]);
    expect(() => cn.intervalsOn('2025-10-32')).toThrowError(expect.objectContaining({ code: 'calendar.date.invalid' }));
  });

  it('applies part-day holidays and make-up days with their own hours', () => {
    const cal = compileCalendar({
      ...nineToFive(SH, [1, 2, 3, 4, 5]),
      holidays: [{ date: '2025-12-31', name: '跨年', intervals: [{ start: '12:00', end: '17:00' }] }],
      workdays: [{ date: '2026-01-03', intervals: [{ start: '10:00', end: '12:00' }] }],
    });
    expect(cal.intervalsOn('2025-12-31').map(([s, e]) => [local(s), local(e)])).toEqual([['2025-12-31 09:00', '2025-12-31 12:00']]);
    expect(cal.intervalsOn('2026-01-03').map(([s, e]) => [local(s), local(e)])).toEqual([['2026-01-03 10:00', '2026-01-03 12:00']]);
  });
});

describe('bad input and exhausted calendars', () => {
  const s = at('2025-11-03', '10:00');

  it('rejects negative, fractional, non-numeric and huge amounts', () => {
    for (const m of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_MINUTES + 1]) {
      expect(() => cn.addWorkingMinutes(s, m)).toThrowError(expect.objectContaining({ code: 'calendar.minutes.invalid' }));
    }
    expect(() => cn.addWorkingMs(s, 0.5)).toThrowError(expect.objectContaining({ code: 'calendar.minutes.invalid' }));
    for (const d of [-1, 0.5, Number.NaN, HORIZON_DAYS + 1]) {
      expect(() => cn.addWorkingDays(s, d)).toThrowError(expect.objectContaining({ code: 'calendar.days.invalid' }));
    }
    expect(() => allHours.addWorkingMinutes(s, MAX_MINUTES)).not.toThrow();
  });

  it('rejects instants that are not numbers or out of range', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Date.UTC(1899, 0, 1), Date.UTC(2401, 0, 1)]) {
      expect(() => cn.isWorking(bad)).toThrowError(expect.objectContaining({ code: 'calendar.instant.invalid' }));
      expect(() => cn.addWorkingMinutes(bad, 1)).toThrowError(expect.objectContaining({ code: 'calendar.instant.invalid' }));
      expect(() => cn.workingMsBetween(s, bad)).toThrowError(expect.objectContaining({ code: 'calendar.instant.invalid' }));
    }
  });

  it('throws calendar.noWorkingTime instead of searching forever', () => {
    // Working time only on one make-up day.
    const once = compileCalendar({
      id: 'once',
      name: 'once',
      timeZone: SH,
      weekly: { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] },
      holidays: [],
      workdays: [{ date: '2025-10-11', intervals: [{ start: '09:00', end: '10:00' }] }],
    });
    expect(local(once.addWorkingMinutes(at('2025-01-01', '00:00'), 60))).toBe('2025-10-11 10:00');
    const t0 = performance.now();
    for (const op of [
      () => once.addWorkingMinutes(at('2025-01-01', '00:00'), 61),
      () => once.nextWorkingInstant(at('2025-10-11', '10:00')),
      () => once.addWorkingDays(at('2025-10-11', '10:00'), 1),
    ]) {
      expect(op).toThrowError(expect.objectContaining({ code: 'calendar.noWorkingTime' }));
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const instant2024to2027 = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) });
const workingMinutes = fc.integer({ min: 0, max: 80 * 8 * 60 });

describe('properties', () => {
  it('working time from the start to the deadline is exactly the minutes asked for', () => {
    fc.assert(
      fc.property(instant2024to2027, workingMinutes, (s, m) => {
        const due = cn.addWorkingMinutes(s, m);
        expect(cn.workingMsBetween(s, due)).toBe(m * MIN);
        expect(cn.workingMsBetween(cn.nextWorkingInstant(s), due)).toBe(m * MIN);
        expect(due).toBeGreaterThanOrEqual(s);
        // A deadline never sits at the start of a working interval after a gap: the ms before it was working.
        if (m > 0) expect(cn.isWorking(due - 1)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('the deadline is monotone in the minutes and in the start', () => {
    fc.assert(
      fc.property(instant2024to2027, instant2024to2027, workingMinutes, workingMinutes, (s1, s2, m1, m2) => {
        const [sa, sb] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const [ma, mb] = m1 <= m2 ? [m1, m2] : [m2, m1];
        expect(cn.addWorkingMinutes(sa, ma)).toBeLessThanOrEqual(cn.addWorkingMinutes(sa, mb));
        expect(cn.addWorkingMinutes(sa, ma)).toBeLessThanOrEqual(cn.addWorkingMinutes(sb, ma));
      }),
      { numRuns: 1000 },
    );
  });

  it('working time is additive', () => {
    fc.assert(
      fc.property(instant2024to2027, instant2024to2027, instant2024to2027, (a, b, c) => {
        expect(cn.workingMsBetween(a, b) + cn.workingMsBetween(b, c)).toBe(cn.workingMsBetween(a, c));
      }),
      { numRuns: 500 },
    );
  });

  it('on 24x7 deadlines are plain clock arithmetic', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1980, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.integer({ min: 0, max: MAX_MINUTES }), (s, m) => {
        expect(allHours.addWorkingMinutes(s, m)).toBe(s + m * MIN);
        expect(allHours.workingMsBetween(s, s + m * MIN)).toBe(m * MIN);
        expect(allHours.isWorking(s)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('addWorkingDays ends a working day, strictly later for each extra day', () => {
    fc.assert(
      fc.property(instant2024to2027, fc.integer({ min: 0, max: 120 }), (s, n) => {
        const end = cn.addWorkingDays(s, n);
        expect(cn.isWorking(end - 1)).toBe(true);
        expect(cn.isWorking(end)).toBe(false);
        // Day 0 at or after the end of a working day is the next day's end, the same as day 1.
        if (n > 0) expect(cn.addWorkingDays(s, n + 1)).toBeGreaterThan(end);
        else expect(cn.addWorkingDays(s, 1)).toBeGreaterThanOrEqual(end);
        expect(end).toBeGreaterThan(s);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// An independent oracle: minute by minute, with the local time read from Intl directly.

const oracleFormats = new Map<string, Intl.DateTimeFormat>();
function oracleWall(ms: number, timeZone: string): { date: string; weekday: number; minute: number } {
  let f = oracleFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
    oracleFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday) + 1;
  return { date: `${p.year}-${p.month}-${p.day}`, weekday, minute: Number(p.hour) * 60 + Number(p.minute) };
}

function oracleIsWorking(spec: CalendarSpec, ms: number): boolean {
  const w = oracleWall(ms, spec.timeZone);
  const toMin = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const inside = (ivs: Interval[]) => ivs.some((iv) => w.minute >= toMin(iv.start) && w.minute < toMin(iv.end));
  const workday = spec.workdays.find((d) => d.date === w.date);
  if (workday) return inside(workday.intervals ?? spec.weekly[1]);
  const holiday = spec.holidays.find((d) => d.date === w.date);
  if (holiday) return holiday.intervals ? inside(spec.weekly[w.weekday as IsoWeekday]) && !inside(holiday.intervals) : false;
  return inside(spec.weekly[w.weekday as IsoWeekday]);
}

/**
 * Interval boundaries avoid 01:00–03:00, where the repeated hour of a fall-back lies: there the
 * calendar deliberately keeps only the first occurrence of a boundary, which a minute-by-minute
 * reading of wall time cannot express. Skipped (spring-forward) hours are fine.
 */
const boundary = fc.integer({ min: 0, max: 1440 }).map((m) => (m >= 60 && m < 180 ? m + 120 : m)).map((m) => Math.min(m, 1440));
const intervals = fc
  .uniqueArray(boundary, { maxLength: 6 })
  .map((bs) => bs.sort((a, b) => a - b))
  .map((bs) => {
    const out: Interval[] = [];
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    for (let i = 0; i + 1 < bs.length; i += 2) out.push({ start: hhmm(bs[i]), end: hhmm(bs[i + 1]) });
    return out;
  });
const zone = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Shanghai', 'UTC', 'Australia/Lord_Howe');
const windowStart = fc.constantFrom('2025-03-08', '2025-03-29', '2025-10-04', '2025-10-25', '2025-11-01', '2025-09-29', '2026-02-13');

describe('oracle', () => {
  it('agrees with a minute-by-minute count on random calendars around DST and holidays', () => {
    fc.assert(
      fc.property(
        zone,
        fc.array(intervals, { minLength: 7, maxLength: 7 }),
        windowStart,
        fc.integer({ min: 0, max: 3 * 24 * 60 }),
        fc.integer({ min: 1, max: 3 * 24 * 60 }),
        fc.subarray([1, 2, 3, 4]),
        (timeZone, week, start, offsetMinutes, lengthMinutes, specialDays) => {
          const weekly = Object.fromEntries(week.map((ivs, i) => [i + 1, ivs])) as Record<IsoWeekday, Interval[]>;
          if (week.every((d) => d.length === 0)) weekly[1] = [{ start: '09:00', end: '17:00' }];
          const day = (k: number) => new Date(Date.parse(`${start}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);
          const spec: CalendarSpec = {
            id: 'r',
            name: 'r',
            timeZone,
            weekly,
            holidays: specialDays.filter((k) => k % 2 === 1).map((k) => ({ date: day(k), ...(k === 3 ? { intervals: [{ start: '10:00', end: '15:00' }] } : {}) })),
            // Day 2 is a make-up day with Monday's hours (if Monday has any), day 4 one with its own.
            workdays: specialDays
              .filter((k) => k % 2 === 0)
              .map((k) => (k === 2 && weekly[1].length > 0 ? { date: day(k) } : { date: day(k), intervals: [{ start: '07:00', end: '11:30' }] })),
          };
          const cal = compileCalendar(spec);
          const a = zonedToInstant(start, '00:00', timeZone) + offsetMinutes * MIN;
          const b = a + lengthMinutes * MIN;
          let expected = 0;
          let reached: number | null = null;
          const want = Math.floor(lengthMinutes / 3);
          for (let t = a; t < b; t += MIN) {
            const working = oracleIsWorking(spec, t);
            expect(cal.isWorking(t)).toBe(working);
            if (working) expected++;
            if (reached === null && expected === want && want > 0) reached = t + MIN;
          }
          expect(cal.workingMsBetween(a, b)).toBe(expected * MIN);
          if (reached !== null) expect(cal.addWorkingMinutes(a, want)).toBe(reached);
        },
      ),
      { numRuns: 60 },
    );
  });
});
