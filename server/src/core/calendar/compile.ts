import { DAY_MS, MINUTE_MS, isoWeekday, parseDate, parseTime, zoneOffsets, type ZoneOffsets } from './tz.js';
import { CalendarError, type CalendarSpec, type CompiledCalendar, type Interval } from './types.js';
import { validateCalendar } from './validate.js';

/**
 * How it is fast. Local days are grouped in blocks of 128 (about four months). A block is built
 * once, on first use, and holds, as typed arrays: the UTC instant of each local midnight, the
 * day's working intervals as UTC [start, end) pairs, the cumulative working time before each
 * interval and the number of working days before each day. Every operation is then a block
 * lookup plus binary searches: an hour, five working days or sixty working days away cost about
 * the same, and no Intl call happens after the blocks exist (tz.ts caches offsets by transition).
 */
const BLOCK_DAYS = 128;
const BLOCK_MS = BLOCK_DAYS * DAY_MS;

/** "Ten years": the longest amount accepted and the longest stretch searched for working time. */
export const HORIZON_DAYS = 3653;
export const MAX_MINUTES = HORIZON_DAYS * 1440;
const MAX_MS = MAX_MINUTES * MINUTE_MS;
const HORIZON_BLOCKS = Math.ceil(HORIZON_DAYS / BLOCK_DAYS);

/** Instants accepted by the operations (1900-01-01 … 2400-01-01 UTC). */
const MIN_INSTANT = Date.UTC(1900, 0, 1);
const MAX_INSTANT = Date.UTC(2400, 0, 1);

interface Block {
  index: number;
  /** UTC instants of the block's first local midnight and of the one after its last day. */
  start: number;
  end: number;
  /** dayStart[i]: UTC instant of local midnight of day i (i = 0 … BLOCK_DAYS). */
  dayStart: Float64Array;
  /** dayIv[i]: index of day i's first interval; dayIv[BLOCK_DAYS] = interval count. */
  dayIv: Int32Array;
  ivStart: Float64Array;
  ivEnd: Float64Array;
  /** cum[k]: working ms of intervals 0 … k − 1. */
  cum: Float64Array;
  /** workdays[i]: working days (days with any working time) among days 0 … i − 1. */
  workdays: Int32Array;
  total: number;
}

/** Largest k in [0, n) with a[k] ≤ x, or −1. */
function lastAtOrBefore(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Smallest k in [from, n) with a[k] ≥ x, or n. */
function firstAtOrAbove(a: Float64Array | Int32Array, from: number, n: number, x: number): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function minutePairs(intervals: Interval[]): number[] {
  const out: number[] = [];
  for (const iv of intervals) out.push(parseTime(iv.start) as number, parseTime(iv.end) as number);
  return out;
}

/** Minute pairs of `base` minus those of `off` (both sorted and non-overlapping). */
function subtract(base: number[], off: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < base.length; i += 2) {
    let s = base[i];
    const e = base[i + 1];
    for (let j = 0; j < off.length && s < e; j += 2) {
      if (off[j + 1] <= s || off[j] >= e) continue;
      if (off[j] > s) out.push(s, off[j]);
      s = Math.max(s, off[j + 1]);
    }
    if (s < e) out.push(s, e);
  }
  return out;
}

function checkInstant(ms: number, name: string): void {
  if (!(ms >= MIN_INSTANT && ms <= MAX_INSTANT)) throw new CalendarError('calendar.instant.invalid', { name, value: String(ms) });
}

class BusinessCalendar implements CompiledCalendar {
  readonly id: string;
  readonly timeZone: string;
  private readonly zone: ZoneOffsets;
  /** Minute pairs per ISO weekday (index 1 … 7). */
  private readonly weekly: number[][] = [];
  /** Effective minute pairs of holidays and make-up days, by day number. */
  private readonly special = new Map<number, number[]>();
  private readonly blocks = new Map<number, Block>();
  private lastBlock: Block | null = null;

  constructor(readonly spec: CalendarSpec) {
    this.id = spec.id;
    this.timeZone = spec.timeZone;
    this.zone = zoneOffsets(spec.timeZone);
    for (let d = 1; d <= 7; d++) this.weekly[d] = minutePairs(spec.weekly[d as 1]);
    for (const h of spec.holidays) {
      const day = parseDate(h.date)!;
      this.special.set(day, h.intervals ? subtract(this.weekly[isoWeekday(day)], minutePairs(h.intervals)) : []);
    }
    for (const w of spec.workdays) this.special.set(parseDate(w.date)!, w.intervals ? minutePairs(w.intervals) : this.weekly[1]);
  }

  private block(index: number): Block {
    const cached = this.blocks.get(index);
    if (cached) return cached;
    const firstDay = index * BLOCK_DAYS;
    const dayStart = new Float64Array(BLOCK_DAYS + 1);
    const dayIv = new Int32Array(BLOCK_DAYS + 1);
    const workdays = new Int32Array(BLOCK_DAYS + 1);
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < BLOCK_DAYS; i++) {
      const day = firstDay + i;
      const midnight = day * DAY_MS;
      dayStart[i] = this.zone.fromWall(midnight);
      dayIv[i] = starts.length;
      const wall = this.special.get(day) ?? this.weekly[isoWeekday(day)];
      for (let k = 0; k < wall.length; k += 2) {
        const s = this.zone.fromWall(midnight + wall[k] * MINUTE_MS);
        const e = this.zone.fromWall(midnight + wall[k + 1] * MINUTE_MS);
        // An interval inside a skipped hour (clocks turned forward) is empty.
        if (e > s) {
          starts.push(s);
          ends.push(e);
        }
      }
      workdays[i + 1] = workdays[i] + (starts.length > dayIv[i] ? 1 : 0);
    }
    dayStart[BLOCK_DAYS] = this.zone.fromWall((firstDay + BLOCK_DAYS) * DAY_MS);
    dayIv[BLOCK_DAYS] = starts.length;
    const cum = new Float64Array(starts.length + 1);
    for (let k = 0; k < starts.length; k++) cum[k + 1] = cum[k] + ends[k] - starts[k];
    const built: Block = {
      index,
      start: dayStart[0],
      end: dayStart[BLOCK_DAYS],
      dayStart,
      dayIv,
      ivStart: Float64Array.from(starts),
      ivEnd: Float64Array.from(ends),
      cum,
      workdays,
      total: cum[starts.length],
    };
    this.blocks.set(index, built);
    return built;
  }

  /** The block whose local days contain the instant (UTC and local blocks differ by the offset, less than a day). */
  private blockAt(ms: number): Block {
    const last = this.lastBlock;
    if (last !== null && ms >= last.start && ms < last.end) return last;
    let b = this.block(Math.floor(ms / BLOCK_MS));
    if (ms < b.start) b = this.block(b.index - 1);
    else if (ms >= b.end) b = this.block(b.index + 1);
    this.lastBlock = b;
    return b;
  }

  /** Working ms inside block `b` before instant `ms`. */
  private position(b: Block, ms: number): number {
    const k = lastAtOrBefore(b.ivStart, b.ivStart.length, ms);
    if (k < 0) return 0;
    return b.cum[k] + Math.min(ms, b.ivEnd[k]) - b.ivStart[k];
  }

  private noWorkingTime(fromMs: number): never {
    throw new CalendarError('calendar.noWorkingTime', { calendar: this.id, from: new Date(fromMs).toISOString(), days: HORIZON_DAYS });
  }

  isWorking(ms: number): boolean {
    checkInstant(ms, 'ms');
    const b = this.blockAt(ms);
    const k = lastAtOrBefore(b.ivStart, b.ivStart.length, ms);
    return k >= 0 && ms < b.ivEnd[k];
  }

  nextWorkingInstant(ms: number): number {
    checkInstant(ms, 'ms');
    let b = this.blockAt(ms);
    // The first interval ending after ms.
    const k = lastAtOrBefore(b.ivEnd, b.ivEnd.length, ms) + 1;
    if (k < b.ivEnd.length) return Math.max(b.ivStart[k], ms);
    for (let searched = 0; searched <= HORIZON_BLOCKS; searched++) {
      b = this.block(b.index + 1);
      if (b.ivStart.length > 0) return b.ivStart[0];
    }
    return this.noWorkingTime(ms);
  }

  addWorkingMinutes(startMs: number, minutes: number): number {
    if (!(Number.isInteger(minutes) && minutes >= 0 && minutes <= MAX_MINUTES)) {
      throw new CalendarError('calendar.minutes.invalid', { value: String(minutes), max: MAX_MINUTES });
    }
    return this.addWorkingMs(startMs, minutes * MINUTE_MS);
  }

  addWorkingMs(startMs: number, ms: number): number {
    checkInstant(startMs, 'startMs');
    if (!(Number.isInteger(ms) && ms >= 0 && ms <= MAX_MS)) {
      throw new CalendarError('calendar.minutes.invalid', { value: String(ms / MINUTE_MS), max: MAX_MINUTES });
    }
    if (ms === 0) return this.nextWorkingInstant(startMs);
    let b = this.blockAt(startMs);
    let target = this.position(b, startMs) + ms;
    let emptyBlocks = 0;
    while (target > b.total) {
      target -= b.total;
      b = this.block(b.index + 1);
      emptyBlocks = b.total === 0 ? emptyBlocks + 1 : 0;
      if (emptyBlocks > HORIZON_BLOCKS) this.noWorkingTime(startMs);
    }
    // The earliest instant with that much working time behind it: inside the first interval whose cumulative end reaches it.
    const n = b.ivStart.length;
    const k = firstAtOrAbove(b.cum, 1, n + 1, target) - 1;
    return b.ivStart[k] + (target - b.cum[k]);
  }

  workingMsBetween(fromMs: number, toMs: number): number {
    checkInstant(fromMs, 'fromMs');
    checkInstant(toMs, 'toMs');
    if (toMs < fromMs) return 0 - this.workingMsBetween(toMs, fromMs); // 0 − x: never −0
    const a = this.blockAt(fromMs);
    const z = this.blockAt(toMs);
    if (a === z) return this.position(a, toMs) - this.position(a, fromMs);
    let sum = a.total - this.position(a, fromMs);
    for (let i = a.index + 1; i < z.index; i++) sum += this.block(i).total;
    return sum + this.position(z, toMs);
  }

  workingMinutesBetween(fromMs: number, toMs: number): number {
    return this.workingMsBetween(fromMs, toMs) / MINUTE_MS;
  }

  addWorkingDays(startMs: number, days: number): number {
    checkInstant(startMs, 'startMs');
    if (!(Number.isInteger(days) && days >= 0 && days <= HORIZON_DAYS)) {
      throw new CalendarError('calendar.days.invalid', { value: String(days), max: HORIZON_DAYS });
    }
    let b = this.blockAt(startMs);
    const day = lastAtOrBefore(b.dayStart, BLOCK_DAYS, startMs);
    let n = days;
    if (n === 0) {
      const last = b.dayIv[day + 1] - 1;
      if (last >= b.dayIv[day] && startMs < b.ivEnd[last]) return b.ivEnd[last];
      n = 1;
    }
    let target = b.workdays[day + 1] + n;
    let emptyBlocks = 0;
    while (target > b.workdays[BLOCK_DAYS]) {
      target -= b.workdays[BLOCK_DAYS];
      b = this.block(b.index + 1);
      emptyBlocks = b.workdays[BLOCK_DAYS] === 0 ? emptyBlocks + 1 : 0;
      if (emptyBlocks > HORIZON_BLOCKS) this.noWorkingTime(startMs);
    }
    const d = firstAtOrAbove(b.workdays, 1, BLOCK_DAYS + 1, target) - 1;
    return b.ivEnd[b.dayIv[d + 1] - 1];
  }

  intervalsOn(date: string): Array<[number, number]> {
    const day = parseDate(date);
    if (day === null) throw new CalendarError('calendar.date.invalid', { value: date });
    const b = this.block(Math.floor(day / BLOCK_DAYS));
    const i = day - b.index * BLOCK_DAYS;
    const out: Array<[number, number]> = [];
    for (let k = b.dayIv[i]; k < b.dayIv[i + 1]; k++) out.push([b.ivStart[k], b.ivEnd[k]]);
    return out;
  }
}

/** Validates a spec and compiles it; throws CalendarError('calendar.invalid') with the problems. */
export function compileCalendar(spec: CalendarSpec): CompiledCalendar {
  const problems = validateCalendar(spec);
  if (problems.length > 0) throw new CalendarError('calendar.invalid', { count: problems.length }, problems);
  return new BusinessCalendar(structuredClone(spec));
}
