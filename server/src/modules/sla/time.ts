import { zoneOffsets } from '../../core/calendar/tz.js';

/** An instant as ISO-8601 with the zone's offset at that instant: 2026-10-09T17:00:00+08:00. */
export function isoInZone(ms: number, timeZone: string): string {
  const wall = zoneOffsets(timeZone).toWall(ms);
  const offsetMin = Math.round((wall - ms) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const local = new Date(wall).toISOString().replace(/\.000Z$/, '').replace(/Z$/, '');
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
