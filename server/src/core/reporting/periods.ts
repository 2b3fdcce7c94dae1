import { DAY_MS, formatDate, parseDate, zonedToInstant, zoneOffsets } from '../calendar/tz.js';

/**
 * Reporting periods, pure. A period is a range of local dates [from, to] (inclusive) in one
 * customer's IANA zone; it covers the UTC instants [start, end), where end is local midnight
 * after its last day. A ticket at 23:30 on 31 October in Asia/Shanghai (15:30 UTC) belongs to
 * October there. Months, quarters and years are such ranges; anything else is "custom".
 */

export type PeriodKind = 'month' | 'quarter' | 'year' | 'custom';

export interface LocalRange {
  from: string;
  to: string;
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isLocalDate(s: string): boolean {
  return parseDate(s) !== null;
}

export function addDays(date: string, days: number): string {
  const d = parseDate(date);
  if (d === null) throw new RangeError(`not a date: ${date}`);
  return formatDate(d + days);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return (parseDate(b)! - parseDate(a)!);
}

/** The local date of an instant in a zone. */
export function localDayOf(ms: number, timeZone: string): string {
  return formatDate(Math.floor(zoneOffsets(timeZone).toWall(ms) / DAY_MS));
}

/** The instant a local date starts (local midnight) in a zone. */
export function dayStart(date: string, timeZone: string): number {
  return zonedToInstant(date, '00:00', timeZone);
}

/** [start, end) of a local range in a zone. */
export function rangeInstants(r: LocalRange, timeZone: string): { start: number; end: number } {
  return { start: dayStart(r.from, timeZone), end: dayStart(addDays(r.to, 1), timeZone) };
}

/** Whether the range is over at `now` in the zone: its last day has ended at local midnight. */
export function rangeEnded(r: LocalRange, now: number, timeZone: string): boolean {
  return now >= rangeInstants(r, timeZone).end;
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The month, quarter or year a range is exactly, else custom. */
export function kindOf(r: LocalRange): PeriodKind {
  const y1 = Number(r.from.slice(0, 4));
  const m1 = Number(r.from.slice(5, 7));
  const y2 = Number(r.to.slice(0, 4));
  const m2 = Number(r.to.slice(5, 7));
  if (r.from.slice(8) !== '01' || y1 !== y2 || Number(r.to.slice(8)) !== lastDayOfMonth(y2, m2)) return 'custom';
  if (m1 === m2) return 'month';
  if (m1 === 1 && m2 === 12) return 'year';
  if ((m1 - 1) % 3 === 0 && m2 === m1 + 2) return 'quarter';
  return 'custom';
}

const QUARTERS_ZH = ['一', '二', '三', '四'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** As printed on a report: 2026年11月 / 2026年第四季度 / 2026年度 / 2026-11-01 至 2026-11-15. */
export function periodLabel(r: LocalRange, locale: 'zh-CN' | 'en-US' = 'zh-CN'): string {
  const y = Number(r.from.slice(0, 4));
  const m = Number(r.from.slice(5, 7));
  const zh = locale === 'zh-CN';
  switch (kindOf(r)) {
    case 'month':
      return zh ? `${y}年${m}月` : `${MONTHS_EN[m - 1]} ${y}`;
    case 'quarter':
      return zh ? `${y}年第${QUARTERS_ZH[(m - 1) / 3]}季度` : `Q${(m - 1) / 3 + 1} ${y}`;
    case 'year':
      return zh ? `${y}年度` : `${y}`;
    default:
      return r.from === r.to ? r.from : zh ? `${r.from} 至 ${r.to}` : `${r.from} – ${r.to}`;
  }
}

/** The month, quarter or year of a local date as a range. */
export function periodContaining(kind: Exclude<PeriodKind, 'custom'>, date: string): LocalRange {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const first = kind === 'month' ? m : kind === 'quarter' ? Math.floor((m - 1) / 3) * 3 + 1 : 1;
  const last = kind === 'month' ? m : kind === 'quarter' ? first + 2 : 12;
  return { from: `${y}-${pad(first)}-01`, to: `${y}-${pad(last)}-${pad(lastDayOfMonth(y, last))}` };
}

/** ISO week key of a local date: 2026-W45 (the week's Thursday decides its year). */
export function isoWeekKey(date: string): string {
  const d = parseDate(date)!;
  const weekday = ((d + 3) % 7 + 7) % 7; // 0 = Monday
  const thursday = d - weekday + 3;
  const year = Number(formatDate(thursday).slice(0, 4));
  const jan1 = parseDate(`${year}-01-01`)!;
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${year}-W${pad(week)}`;
}

/** The Monday that starts an ISO week key's week. */
export function isoWeekStart(key: string): string {
  const year = Number(key.slice(0, 4));
  const week = Number(key.slice(6));
  const jan4 = parseDate(`${year}-01-04`)!;
  const monday1 = jan4 - ((((jan4 + 3) % 7) + 7) % 7);
  return formatDate(monday1 + (week - 1) * 7);
}

/** Bucket key of a local date for a time dimension. */
export function timeKey(dim: 'day' | 'week' | 'month', date: string): string {
  return dim === 'day' ? date : dim === 'week' ? isoWeekKey(date) : date.slice(0, 7);
}

/** Every bucket key of a range for a time dimension, oldest first (charts show empty buckets too). */
export function timeKeys(dim: 'day' | 'week' | 'month', r: LocalRange): string[] {
  const out: string[] = [];
  for (let d = r.from; d <= r.to; d = addDays(d, 1)) {
    const k = timeKey(dim, d);
    if (out[out.length - 1] !== k) out.push(k);
  }
  return out;
}

/** The last local day a time bucket covers, clipped to the range (the backlog is read at its end). */
export function bucketLastDay(dim: 'day' | 'week' | 'month', key: string, r: LocalRange): string {
  let last: string;
  if (dim === 'day') last = key;
  else if (dim === 'week') last = addDays(isoWeekStart(key), 6);
  else last = `${key}-${pad(lastDayOfMonth(Number(key.slice(0, 4)), Number(key.slice(5, 7))))}`;
  return last > r.to ? r.to : last;
}

/** Label of a time bucket: 2026-11-03 / 2026年第45周 / 2026年11月. */
export function timeKeyLabel(dim: 'day' | 'week' | 'month', key: string, locale: 'zh-CN' | 'en-US' = 'zh-CN'): string {
  if (dim === 'day') return key;
  const zh = locale === 'zh-CN';
  if (dim === 'week') return zh ? `${key.slice(0, 4)}年第${Number(key.slice(6))}周` : `${key.slice(0, 4)} week ${Number(key.slice(6))}`;
  const y = key.slice(0, 4);
  const m = Number(key.slice(5, 7));
  return zh ? `${y}年${m}月` : `${MONTHS_EN[m - 1]} ${y}`;
}
