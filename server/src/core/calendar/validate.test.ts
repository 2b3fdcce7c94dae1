import { describe, expect, it } from 'vitest';
import { compileCalendar } from './compile.js';
import type { CalendarSpec } from './types.js';
import { validateCalendar } from './validate.js';

const office = [
  { start: '08:00', end: '12:00' },
  { start: '13:00', end: '17:00' },
];

function spec(over: Partial<CalendarSpec> = {}): CalendarSpec {
  return { id: 'c', name: 'C', timeZone: 'Asia/Shanghai', weekly: { 1: office, 2: office, 3: office, 4: office, 5: office, 6: [], 7: [] }, holidays: [], workdays: [], ...over };
}

const codes = (input: unknown) => validateCalendar(input).map((p) => `${p.field} ${p.code}`);

describe('validateCalendar', () => {
  it('accepts a valid calendar, touching intervals and 24:00', () => {
    expect(validateCalendar(spec())).toEqual([]);
    expect(validateCalendar(spec({ weekly: { ...spec().weekly, 6: [{ start: '00:00', end: '12:00' }, { start: '12:00', end: '24:00' }] } }))).toEqual([]);
  });

  it('reports each interval problem at its field path', () => {
    const weekly = { ...spec().weekly };
    weekly[1] = [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '17:00' }];
    weekly[2] = [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '12:00' }];
    weekly[3] = [{ start: '17:00', end: '08:00' }];
    weekly[4] = [{ start: '08:00', end: '24:30' }];
    weekly[5] = [{ start: '8:00', end: '12:00' }];
    weekly[6] = [{ start: '09:00', end: '09:00' }];
    expect(codes(spec({ weekly }))).toEqual([
      'weekly.1[1].start calendar.interval.overlap',
      'weekly.2[1].start calendar.interval.unsorted',
      'weekly.3[0].end calendar.interval.backwards',
      'weekly.4[0].end calendar.interval.beyond24',
      'weekly.5[0].start calendar.time.invalid',
      'weekly.6[0].end calendar.interval.backwards',
    ]);
  });

  it('checks zone, names, weekdays and dates', () => {
    const weekly = { ...spec().weekly, 8: [] } as unknown as CalendarSpec['weekly'];
    delete (weekly as Partial<CalendarSpec['weekly']>)[7];
    expect(
      codes({
        ...spec({ weekly }),
        id: '',
        timeZone: 'China/Beijing',
        holidays: [{ date: '2025-10-01' }, { date: '2025-02-30' }, { date: '2025-10-01' }, { date: '2025-12-31', intervals: [{ start: '13:00', end: '12:00' }] }],
        workdays: [{ date: '2025-10-01' }, { date: 20251011 }],
      }),
    ).toEqual([
      'id calendar.required',
      'timeZone calendar.timezone.unknown',
      'weekly.8 calendar.weekday.invalid',
      'weekly.7 calendar.required',
      'holidays[1].date calendar.date.invalid',
      'holidays[2].date calendar.date.duplicate',
      'holidays[3].intervals[0].end calendar.interval.backwards',
      'workdays[1].date calendar.date.invalid',
      'workdays[0].date calendar.date.holidayAndWorkday',
    ]);
  });

  it('rejects a calendar without any working time', () => {
    const none = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
    expect(codes(spec({ weekly: none }))).toEqual(['weekly calendar.noWorkingTime']);
    // Other problems come first; "no working time" is only said of an otherwise valid calendar.
    expect(codes(spec({ weekly: none, workdays: [{ date: '2025-10-11' }] }))).toEqual(['workdays[0] calendar.workday.noIntervals']);
    // A make-up day with its own hours is working time enough.
    expect(codes(spec({ weekly: none, workdays: [{ date: '2025-10-11', intervals: [{ start: '09:00', end: '10:00' }] }] }))).toEqual([]);
  });

  it('reports wrong types instead of crashing', () => {
    expect(codes(null)).toEqual([' calendar.type.invalid']);
    expect(codes({ ...spec(), weekly: [], holidays: {}, workdays: [1] })).toEqual([
      'weekly calendar.type.invalid',
      'holidays calendar.type.invalid',
      'workdays[0] calendar.type.invalid',
    ]);
    expect(codes(spec({ weekly: { ...spec().weekly, 1: [{ start: 8, end: '12:00' }] as never } }))).toEqual(['weekly.1[0].start calendar.type.invalid']);
  });

  it('compileCalendar throws the problems', () => {
    expect(() => compileCalendar(spec({ timeZone: 'Nowhere' }))).toThrowError(expect.objectContaining({ code: 'calendar.invalid', problems: [{ field: 'timeZone', code: 'calendar.timezone.unknown', params: { value: 'Nowhere' } }] }));
  });
});
