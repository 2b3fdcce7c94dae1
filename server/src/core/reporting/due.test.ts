import { describe, expect, it } from 'vitest';
import { compileBuiltinCalendars } from '../calendar/index.js';
import { daysLeft, dueDate, dueEnd, lastEndedPeriod, nominalDueDate, parsePeriod, periodEnded, periodInstants, periodsOverlapping } from './due.js';
import { REPORT_TYPES } from './templates.js';

const cn5x8 = compileBuiltinCalendars().get('cn-5x8')!;
const x24 = compileBuiltinCalendars().get('24x7')!;
const working = (c: typeof cn5x8) => (d: string) => c.intervalsOn(d).length > 0;

describe('report periods', () => {
  it('parses month, quarter and year keys and refuses others', () => {
    expect(parsePeriod('month', '2026-02')).toEqual({ cadence: 'month', key: '2026-02', from: '2026-02-01', to: '2026-02-28' });
    expect(parsePeriod('quarter', '2026-Q4')).toEqual({ cadence: 'quarter', key: '2026-Q4', from: '2026-10-01', to: '2026-12-31' });
    expect(parsePeriod('year', '2026')).toEqual({ cadence: 'year', key: '2026', from: '2026-01-01', to: '2026-12-31' });
    for (const [c, k] of [['month', '2026-13'], ['month', '2026-1'], ['quarter', '2026-Q5'], ['year', '26']] as const) expect(parsePeriod(c, k)).toBeNull();
  });

  it('a month ends at local midnight in the customer zone (23:30 on the 31st belongs to it)', () => {
    const oct = parsePeriod('month', '2026-10')!;
    const { start, end } = periodInstants(oct, 'Asia/Shanghai');
    expect(new Date(start).toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(new Date(end).toISOString()).toBe('2026-10-31T16:00:00.000Z');
    const t2330 = Date.parse('2026-10-31T23:30:00+08:00');
    expect(t2330 >= start && t2330 < end).toBe(true);
    // Not over at 23:59 local, over at local midnight; in UTC it would still be October then.
    expect(periodEnded(oct, Date.parse('2026-10-31T23:59:00+08:00'), 'Asia/Shanghai')).toBe(false);
    expect(periodEnded(oct, Date.parse('2026-11-01T00:00:00+08:00'), 'Asia/Shanghai')).toBe(true);
    expect(periodEnded(oct, Date.parse('2026-11-01T00:00:00+08:00'), 'UTC')).toBe(false);
    expect(lastEndedPeriod('month', Date.parse('2026-11-01T00:30:00+08:00'), 'Asia/Shanghai').key).toBe('2026-10');
    expect(lastEndedPeriod('month', Date.parse('2026-11-01T00:30:00+08:00'), 'Europe/London').key).toBe('2026-09');
    expect(lastEndedPeriod('quarter', Date.parse('2026-12-07T00:00:00Z'), 'Asia/Shanghai').key).toBe('2026-Q3');
    expect(lastEndedPeriod('year', Date.parse('2026-12-07T00:00:00Z'), 'Asia/Shanghai').key).toBe('2025');
  });

  it('lists the periods overlapping a range', () => {
    expect(periodsOverlapping('quarter', '2026-02-15', '2026-07-01').map((p) => p.key)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3']);
  });
});

describe('due rules', () => {
  it('the 5th / the 10th of the next month, and N days after the quarter (R16, R17)', () => {
    const nov = parsePeriod('month', '2026-11')!;
    expect(nominalDueDate(REPORT_TYPES.monthly_service.due, nov)).toBe('2026-12-05');
    expect(nominalDueDate(REPORT_TYPES.monthly_repair.due, nov)).toBe('2026-12-10');
    expect(nominalDueDate(REPORT_TYPES.quarterly_om.due, parsePeriod('quarter', '2026-Q3')!)).toBe('2026-10-15');
    expect(nominalDueDate({ kind: 'day_of_next_month', day: 31 }, parsePeriod('month', '2026-01')!)).toBe('2026-02-28');
  });

  it('a due day on a public holiday moves to the next working day of the contract calendar (国庆 2026)', () => {
    const sep = parsePeriod('month', '2026-09')!;
    // 2026-10-05 falls in the National Day holiday (1–7 October): the next working day is the 8th.
    expect(dueDate(REPORT_TYPES.monthly_service.due, sep, working(cn5x8))).toBe('2026-10-08');
    // A 7×24 contract works every day: the 5th stands.
    expect(dueDate(REPORT_TYPES.monthly_service.due, sep, working(x24))).toBe('2026-10-05');
    // A Saturday on a 5×8 calendar moves to Monday.
    expect(dueDate(REPORT_TYPES.monthly_service.due, parsePeriod('month', '2026-11')!, working(cn5x8))).toBe('2026-12-07');
  });

  it('on time means issued before the end of the due day, local', () => {
    expect(new Date(dueEnd('2026-12-05', 'Asia/Shanghai')).toISOString()).toBe('2026-12-05T16:00:00.000Z');
    expect(daysLeft('2026-12-05', '2026-12-07')).toBe(-2);
    expect(daysLeft('2026-12-10', '2026-12-08')).toBe(2);
  });
});
