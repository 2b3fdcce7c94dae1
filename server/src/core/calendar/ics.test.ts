import { describe, expect, it } from 'vitest';
import { builtinCalendarSpecs } from './builtin.js';
import { calendarToIcs, parseIcsHolidays } from './ics.js';
import type { CalendarSpec } from './types.js';

const cn = builtinCalendarSpecs()[1];

function ics(...events: string[][]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events.flatMap((e) => ['BEGIN:VEVENT', ...e, 'END:VEVENT']), 'END:VCALENDAR'].join('\r\n');
}

describe('calendarToIcs', () => {
  it('writes one all-day event per run of days, with CRLF lines of at most 75 octets', () => {
    const text = calendarToIcs(cn);
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text).toContain('DTSTART;VALUE=DATE:20251001\r\nDTEND;VALUE=DATE:20251009\r\nSUMMARY:国庆节、中秋节\r\nCATEGORIES:HOLIDAY');
    expect(text).toContain('DTSTART;VALUE=DATE:20251011\r\nDTEND;VALUE=DATE:20251012\r\nSUMMARY:国庆节、中秋节调休上班\r\nCATEGORIES:WORKDAY');
    for (const line of text.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(13 + 11);
  });

  it('round-trips holidays, make-up days, names and part-day hours', () => {
    const spec: CalendarSpec = {
      ...cn,
      name: '很长的名字，'.repeat(10),
      holidays: [...cn.holidays, { date: '2026-12-31', name: '跨年; 下午, 放假\\', intervals: [{ start: '13:00', end: '17:00' }] }],
      workdays: [...cn.workdays, { date: '2026-12-26', name: '年终盘点', intervals: [{ start: '09:00', end: '12:00' }] }],
    };
    const back = parseIcsHolidays(calendarToIcs(spec));
    expect(back.holidays).toEqual(spec.holidays);
    expect(back.workdays).toEqual(spec.workdays);
  });
});

describe('parseIcsHolidays', () => {
  it('reads public holiday feeds: 休 / 班 summaries, multi-day events, DURATION, folding', () => {
    const text = ics(
      ['DTSTART;VALUE=DATE:20260215', 'DTEND;VALUE=DATE:20260224', 'SUMMARY:春节 休'],
      ['DTSTART;VALUE=DATE:20260214', 'SUMMARY:春节 班'],
      ['DTSTART;VALUE=DATE:20260228', 'SUMMARY:春节补班'],
      ['DTSTART;VALUE=DATE:20261001', 'DURATION:P1W', 'SUMMARY:国庆节放假调休'],
      ['DTSTART:20260920', 'SUMMARY:国庆', ' 节调休'],
      ['DTSTART;VALUE=DATE:20261010', 'SUMMARY:Make-up workday'],
      ['DTSTART;VALUE=DATE:20260509', 'SUMMARY:劳动节', 'CATEGORIES:中国节假日,班'],
      ['DTSTART;VALUE=DATE:20260101', 'SUMMARY:元旦（班）', 'CATEGORIES:HOLIDAY'],
    );
    const { holidays, workdays } = parseIcsHolidays(text);
    expect(holidays.map((h) => h.date)).toEqual([
      '2026-01-01',
      ...['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => `2026-02-${d}`),
      ...['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-10-${d}`),
    ]);
    expect(holidays[1]).toEqual({ date: '2026-02-15', name: '春节 休' });
    expect(workdays).toEqual([
      { date: '2026-02-14', name: '春节 班' },
      { date: '2026-02-28', name: '春节补班' },
      { date: '2026-05-09', name: '劳动节' },
      { date: '2026-09-20', name: '国庆节调休' },
      { date: '2026-10-10', name: 'Make-up workday' },
    ]);
  });

  it('ignores cancelled events, nested alarms and repeated days', () => {
    const text = ics(
      ['DTSTART;VALUE=DATE:20260101', 'SUMMARY:元旦', 'BEGIN:VALARM', 'TRIGGER:-PT15M', 'DTSTART:20251231T090000', 'END:VALARM'],
      ['DTSTART;VALUE=DATE:20260101', 'SUMMARY:New Year'],
      ['DTSTART;VALUE=DATE:20260102', 'STATUS:CANCELLED'],
    );
    expect(parseIcsHolidays(text)).toEqual({ holidays: [{ date: '2026-01-01', name: '元旦' }], workdays: [] });
  });

  it('rejects malformed input with a code and the line', () => {
    const code = (text: string) => {
      try {
        parseIcsHolidays(text);
        return 'ok';
      } catch (e) {
        const err = e as { code: string; params: Record<string, unknown> };
        return `${err.code}${err.params.line !== undefined ? `@${err.params.line}` : ''}`;
      }
    };
    expect(code('hello')).toBe('ics.notCalendar');
    expect(code('')).toBe('ics.notCalendar');
    expect(code('x'.repeat(2_000_001))).toBe('ics.tooLarge');
    expect(code('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT')).toBe('ics.unterminated');
    expect(code('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR')).toBe('ics.structure.invalid@3');
    expect(code(ics(['SUMMARY:no start']))).toBe('ics.event.noStart@4');
    expect(code(ics(['DTSTART:20260101T090000Z']))).toBe('ics.event.notAllDay@5');
    expect(code(ics(['DTSTART;VALUE=DATE-TIME:20260101']))).toBe('ics.event.notAllDay@5');
    expect(code(ics(['DTSTART;VALUE=DATE:20260230']))).toBe('ics.date.invalid@5');
    expect(code(ics(['DTSTART;VALUE=DATE:20260105', 'DTEND;VALUE=DATE:20260105']))).toBe('ics.event.endBeforeStart@6');
    expect(code(ics(['DTSTART;VALUE=DATE:20260101', 'DTEND;VALUE=DATE:20280101']))).toBe('ics.event.tooLong@4');
    expect(code(ics(['DTSTART;VALUE=DATE:20260101', 'DURATION:PT1H']))).toBe('ics.duration.invalid@6');
    expect(code(ics(['DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=YEARLY']))).toBe('ics.event.recurring@4');
    expect(code(ics(['DTSTART;VALUE=DATE:20260101', 'X-YUNWEI-INTERVALS:17:00-09:00']))).toBe('ics.intervals.invalid@6');
    expect(code(ics(['no colon here']))).toBe('ics.line.invalid@5');
    expect(code(ics(['DTSTART;VALUE=DATE:20260101', 'SUMMARY:休'], ['DTSTART;VALUE=DATE:20260101', 'SUMMARY:班']))).toBe('ics.date.conflict@8');
  });
});
