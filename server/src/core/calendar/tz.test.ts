import { describe, expect, it } from 'vitest';
import { formatDate, instantToZoned, isKnownTimeZone, isoWeekday, parseDate, parseTime, zoneOffsets, zonedToInstant } from './tz.js';

const H = 3_600_000;

describe('zone offsets', () => {
  it('gives the offset in force, across DST transitions', () => {
    const berlin = zoneOffsets('Europe/Berlin');
    expect(berlin.offsetAt(Date.UTC(2025, 2, 30, 0, 59, 59))).toBe(H);
    expect(berlin.offsetAt(Date.UTC(2025, 2, 30, 1, 0, 0))).toBe(2 * H);
    expect(berlin.offsetAt(Date.UTC(2025, 9, 26, 0, 59, 59))).toBe(2 * H);
    expect(berlin.offsetAt(Date.UTC(2025, 9, 26, 1, 0, 0))).toBe(H);
    const ny = zoneOffsets('America/New_York');
    expect(ny.offsetAt(Date.UTC(2025, 2, 9, 7, 0, 0))).toBe(-4 * H);
    expect(ny.offsetAt(Date.UTC(2025, 2, 9, 6, 59, 59))).toBe(-5 * H);
    expect(zoneOffsets('Asia/Shanghai').offsetAt(Date.UTC(2026, 5, 1))).toBe(8 * H);
    // China observed DST from 1986 to 1991.
    expect(zoneOffsets('Asia/Shanghai').offsetAt(Date.UTC(1990, 6, 1))).toBe(9 * H);
    expect(zoneOffsets('Asia/Kolkata').offsetAt(Date.UTC(2025, 0, 1))).toBe(5.5 * H);
  });

  it('maps wall time to the earliest instant at or after it (gaps → the jump, overlaps → the first)', () => {
    // Berlin, 2025-03-30: 02:00 → 03:00. 02:30 does not exist.
    expect(zonedToInstant('2025-03-30', '02:30', 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 1, 0));
    expect(zonedToInstant('2025-03-30', '03:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 1, 0));
    expect(zonedToInstant('2025-03-30', '01:59', 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 0, 59));
    // Berlin, 2025-10-26: 03:00 → 02:00. 02:30 happens twice; the first is CEST.
    expect(zonedToInstant('2025-10-26', '02:30', 'Europe/Berlin')).toBe(Date.UTC(2025, 9, 26, 0, 30));
    expect(zonedToInstant('2025-10-26', '03:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 9, 26, 2, 0));
    // New York, 2025-11-02: 02:00 → 01:00.
    expect(zonedToInstant('2025-11-02', '01:30', 'America/New_York')).toBe(Date.UTC(2025, 10, 2, 5, 30));
    expect(zonedToInstant('2025-11-02', '24:00', 'America/New_York')).toBe(zonedToInstant('2025-11-03', '00:00', 'America/New_York'));
  });

  it('reads instants back as local date, time and weekday', () => {
    expect(instantToZoned(Date.UTC(2025, 8, 30, 8, 0), 'Asia/Shanghai')).toEqual({ date: '2025-09-30', time: '16:00', weekday: 2 });
    expect(instantToZoned(Date.UTC(2025, 11, 31, 16, 0), 'Asia/Shanghai')).toEqual({ date: '2026-01-01', time: '00:00', weekday: 4 });
  });

  it('parses dates, times and zones strictly', () => {
    expect(parseDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(parseDate('2025-02-29')).toBeNull();
    expect(parseDate('2025-13-01')).toBeNull();
    expect(parseDate('2025-1-01')).toBeNull();
    expect(parseDate('1899-12-31')).toBeNull();
    expect(formatDate(parseDate('2026-10-10')!)).toBe('2026-10-10');
    expect(isoWeekday(parseDate('2026-10-10')!)).toBe(6);
    expect(parseTime('24:00')).toBe(1440);
    expect(parseTime('24:01')).toBe('beyond24');
    expect(parseTime('25:00')).toBe('beyond24');
    expect(parseTime('08:60')).toBeNull();
    expect(parseTime('8:00')).toBeNull();
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
