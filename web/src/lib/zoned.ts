// Wall-clock time in a calendar's time zone (the server answers instants with the calendar's
// offset, e.g. 2026-10-09T17:00:00+08:00; the UI shows them as that wall time, not the browser's).
import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Minutes east of UTC of an ISO string's offset (`Z` → 0); null when it has none. */
export function offsetMinutes(iso: string): number | null {
  const m = /(Z|[+-]\d{2}:?\d{2})$/.exec(iso.trim());
  if (!m) return null;
  if (m[1] === 'Z') return 0;
  const s = m[1].replace(':', '');
  const sign = s.startsWith('-') ? -1 : 1;
  return sign * (Number(s.slice(1, 3)) * 60 + Number(s.slice(3, 5)));
}

/** The instant as a Dayjs showing the wall time of its own offset. */
export function atOwnOffset(iso: string): Dayjs {
  const off = offsetMinutes(iso);
  const d = dayjs(iso);
  return off === null ? d : d.utcOffset(off);
}

/** The wall time shown by `wall` (date and time fields) as an instant in `tz`, ISO with offset. */
export function wallToIso(wall: Dayjs, tz: string): string {
  try {
    return dayjs.tz(wall.format('YYYY-MM-DDTHH:mm:ss'), tz).format();
  } catch {
    return wall.format();
  }
}

/** "now" in the zone, as a Dayjs whose fields read the zone's wall time (for pickers). */
export function nowWallIn(tz: string): Dayjs {
  try {
    const s = dayjs().tz(tz).format('YYYY-MM-DDTHH:mm:00');
    return dayjs(s);
  } catch {
    return dayjs().second(0).millisecond(0);
  }
}

/** "08:00" for an epoch-ms instant in `tz`; `endOfDay` turns a midnight end into "24:00". */
export function hhmm(ms: number, tz: string, endOfDay = false): string {
  let s: string;
  try {
    s = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
  } catch {
    s = dayjs(ms).format('HH:mm');
  }
  return endOfDay && s === '00:00' ? '24:00' : s;
}

/** The UTC offset label of an ISO string: "UTC+08:00". */
export function offsetLabel(iso: string): string {
  const off = offsetMinutes(iso);
  if (off === null) return '';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

export { dayjs };
