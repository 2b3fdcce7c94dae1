import { describe, expect, it } from 'vitest';
import { BUILTIN_CALENDAR_IDS, BUILTIN_CALENDAR_NAMES, builtinCalendarSpecs, compileBuiltinCalendars } from './builtin.js';
import { zonedToInstant } from './tz.js';
import { CN_HOLIDAY_NOTICES, CN_HOLIDAY_YEARS, CN_HOLIDAYS, CN_WORKDAYS } from './holidays-cn.js';
import { validateCalendar } from './validate.js';

const dates = (days: readonly { date: string }[], year: number) => days.filter((d) => d.date.startsWith(`${year}-`)).map((d) => d.date);

describe('China public holidays', () => {
  it('ships 2025 as in 国办发明电〔2024〕12号', () => {
    expect(CN_HOLIDAY_NOTICES[2025]).toBe('国办发明电〔2024〕12号');
    expect(dates(CN_HOLIDAYS, 2025)).toEqual([
      '2025-01-01',
      '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04',
      '2025-04-04', '2025-04-05', '2025-04-06',
      '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05',
      '2025-05-31', '2025-06-01', '2025-06-02',
      '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08',
    ]);
    expect(dates(CN_WORKDAYS, 2025)).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
  });

  it('ships 2026 as in 国办发明电〔2025〕7号', () => {
    expect(CN_HOLIDAY_NOTICES[2026]).toBe('国办发明电〔2025〕7号');
    expect(dates(CN_HOLIDAYS, 2026)).toEqual([
      '2026-01-01', '2026-01-02', '2026-01-03',
      '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23',
      '2026-04-04', '2026-04-05', '2026-04-06',
      '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05',
      '2026-06-19', '2026-06-20', '2026-06-21',
      '2026-09-25', '2026-09-26', '2026-09-27',
      '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07',
    ]);
    expect(dates(CN_WORKDAYS, 2026)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  });

  it('make-up days are all weekends and names are set', () => {
    expect(CN_HOLIDAY_YEARS).toEqual([2025, 2026]);
    for (const w of CN_WORKDAYS) expect([0, 6]).toContain(new Date(`${w.date}T00:00:00Z`).getUTCDay());
    expect(CN_HOLIDAYS.find((h) => h.date === '2026-02-17')?.name).toBe('春节');
    expect(CN_WORKDAYS.find((h) => h.date === '2025-10-11')?.name).toBe('国庆节、中秋节调休上班');
  });
});

describe('built-in calendars', () => {
  it('are valid, have stable ids and compile', () => {
    const specs = builtinCalendarSpecs();
    expect(specs.map((s) => s.id)).toEqual([...BUILTIN_CALENDAR_IDS]);
    for (const s of specs) expect(validateCalendar(s)).toEqual([]);
    expect([...compileBuiltinCalendars().keys()]).toEqual(['24x7', 'cn-5x8', 'cn-5x8-continuous', '5x8']);
  });

  it('hand out copies', () => {
    const a = builtinCalendarSpecs();
    a[1].holidays.pop();
    a[1].weekly[1].pop();
    const b = builtinCalendarSpecs();
    expect(b[1].holidays.length).toBe(CN_HOLIDAYS.length);
    expect(b[1].weekly[1]).toHaveLength(2);
  });
});

describe('the two 5×8 calendars', () => {
  const cals = compileBuiltinCalendars();
  const at = (date: string, time: string) => zonedToInstant(date, time, 'Asia/Shanghai');
  const split = cals.get('cn-5x8')!;
  const continuous = cals.get('cn-5x8-continuous')!;

  it('are named by their hours', () => {
    expect(BUILTIN_CALENDAR_NAMES['cn-5x8']).toBe('5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）');
    expect(BUILTIN_CALENDAR_NAMES['cn-5x8-continuous']).toBe('5×8 工作日 08:00–17:00（连续，中国法定节假日）');
    expect(new Set(Object.values(BUILTIN_CALENDAR_NAMES)).size).toBe(BUILTIN_CALENDAR_IDS.length);
  });

  it('count lunch or not, and share the holidays', () => {
    // Mon 2025-11-03 11:30 + 60 min: 13:30 with the lunch hour off, 12:30 without.
    expect(split.addWorkingMinutes(at('2025-11-03', '11:30'), 60)).toBe(at('2025-11-03', '13:30'));
    expect(continuous.addWorkingMinutes(at('2025-11-03', '11:30'), 60)).toBe(at('2025-11-03', '12:30'));
    expect(split.workingMinutesBetween(at('2025-11-03', '00:00'), at('2025-11-04', '00:00'))).toBe(480);
    expect(continuous.workingMinutesBetween(at('2025-11-03', '00:00'), at('2025-11-04', '00:00'))).toBe(540);
    // Working days end at 17:00 on both: Wed 2026-09-30 10:00 + 5 working days = Tue 10-13 17:00 (国庆, make-up Sat 10/10).
    expect(continuous.addWorkingDays(at('2026-09-30', '10:00'), 5)).toBe(at('2026-10-13', '17:00'));
    expect(split.addWorkingDays(at('2026-09-30', '10:00'), 5)).toBe(at('2026-10-13', '17:00'));
    expect(continuous.isWorking(at('2026-10-10', '12:30'))).toBe(true);
  });
});
