/**
 * Time-zone offsets without a tz database of our own: the offsets come from Intl (Node's ICU),
 * and each zone's offset transitions are found once per 32-day chunk and cached, so converting
 * between wall-clock time and instants costs a map lookup, not an Intl call.
 *
 * "Wall" values below are local wall-clock times written as if they were UTC epoch milliseconds
 * (local 2025-10-01 08:00 → Date.UTC(2025, 9, 1, 8, 0)).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Sampling step when looking for transitions; two transitions closer than this would be missed (none exist since 1900). */
const SAMPLE_MS = 6 * HOUR_MS;
const CHUNK_MS = 32 * DAY_MS;
/** Larger than any UTC offset since 1900 (the extremes are −12:00 and +14:00). */
const MAX_OFFSET_MS = 16 * HOUR_MS;

interface Chunk {
  end: number;
  /** Instants inside the chunk at which the offset changes, ascending. */
  times: number[];
  /** offsets[0] applies from the chunk start, offsets[k + 1] from times[k]. */
  offsets: number[];
}

function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly chunks = new Map<number, Chunk>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset (wall − UTC, ms) at a UTC instant, straight from Intl. Offsets are whole seconds. */
  private intlOffset(utc: number): number {
    const second = utc - floorMod(utc, 1000);
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    for (const part of this.format.formatToParts(second)) {
      switch (part.type) {
        case 'year': y = Number(part.value); break;
        case 'month': mo = Number(part.value); break;
        case 'day': d = Number(part.value); break;
        case 'hour': h = Number(part.value); break;
        case 'minute': mi = Number(part.value); break;
        case 'second': s = Number(part.value); break;
      }
    }
    return Date.UTC(y, mo - 1, d, h, mi, s) - second;
  }

  private chunk(index: number): Chunk {
    const cached = this.chunks.get(index);
    if (cached) return cached;
    const start = index * CHUNK_MS;
    const end = start + CHUNK_MS;
    const times: number[] = [];
    const offsets = [this.intlOffset(start)];
    let prevAt = start;
    let prevOffset = offsets[0];
    for (let at = start + SAMPLE_MS; at <= end; at += SAMPLE_MS) {
      const offset = this.intlOffset(at);
      if (offset !== prevOffset) {
        // Bisect to the first second with the new offset.
        let lo = prevAt;
        let hi = at;
        let hiOffset = offset;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          const o = this.intlOffset(mid);
          if (o === prevOffset) lo = mid;
          else {
            hi = mid;
            hiOffset = o;
          }
        }
        if (hi < end) {
          times.push(hi);
          offsets.push(hiOffset);
        }
        prevOffset = offset;
      }
      prevAt = at;
    }
    const built = { end, times, offsets };
    this.chunks.set(index, built);
    return built;
  }

  /** Offset (wall − UTC, ms) in force at a UTC instant. */
  offsetAt(utc: number): number {
    const c = this.chunk(Math.floor(utc / CHUNK_MS));
    let k = 0;
    while (k < c.times.length && c.times[k] <= utc) k++;
    return c.offsets[k];
  }

  /** The wall-clock reading at a UTC instant. */
  toWall(utc: number): number {
    return utc + this.offsetAt(utc);
  }

  /**
   * The earliest instant whose wall-clock reading is at or after `wall`. This is the instant of
   * `wall` when it exists once; the first of the two when it is ambiguous (clocks turned back);
   * and the instant of the jump when it does not exist (clocks turned forward). It is monotone in
   * `wall`, so mapped intervals keep their order, and local 24:00 equals the next day's 00:00.
   */
  fromWall(wall: number): number {
    // Before wall − MAX_OFFSET every reading is below `wall`; walk the constant-offset pieces from there.
    let t = wall - MAX_OFFSET_MS;
    for (;;) {
      const c = this.chunk(Math.floor(t / CHUNK_MS));
      let k = 0;
      while (k < c.times.length && c.times[k] <= t) k++;
      const offset = c.offsets[k];
      const pieceEnd = k < c.times.length ? c.times[k] : c.end;
      // Within a piece the reading grows with t; does it reach `wall` before the piece ends?
      if (pieceEnd - 1 + offset >= wall) return Math.max(t, wall - offset);
      t = pieceEnd;
    }
  }
}

const zones = new Map<string, ZoneOffsets>();

/** The (shared, cached) offsets of an IANA zone; throws RangeError for an unknown zone. */
export function zoneOffsets(timeZone: string): ZoneOffsets {
  let z = zones.get(timeZone);
  if (!z) {
    z = new ZoneOffsets(timeZone);
    zones.set(timeZone, z);
  }
  return z;
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

/** "YYYY-MM-DD" → days since 1970-01-01, or null if it is not a real date. */
export function parseDate(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (y < 1900 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** Days since 1970-01-01 → "YYYY-MM-DD". */
export function formatDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a day number; 1970-01-01 was a Thursday. */
export function isoWeekday(day: number): number {
  return floorMod(day + 3, 7) + 1;
}

/**
 * "HH:MM" → minutes after midnight (0 … 1440, "24:00" allowed); 'beyond24' for later times such
 * as "24:30" or "25:00"; null when it is not a time at all.
 */
export function parseTime(time: string): number | 'beyond24' | null {
  const m = TIME_RE.exec(time);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (mi > 59) return null;
  const minutes = h * 60 + mi;
  return minutes > 1440 ? 'beyond24' : minutes;
}

/** Local date and time in a zone → instant (see ZoneOffsets.fromWall for gaps and overlaps). */
export function zonedToInstant(date: string, time: string, timeZone: string): number {
  const day = parseDate(date);
  const minutes = parseTime(time);
  if (day === null || typeof minutes !== 'number') throw new RangeError(`not a local date and time: ${date} ${time}`);
  return zoneOffsets(timeZone).fromWall(day * DAY_MS + minutes * MINUTE_MS);
}

/** Instant → local "YYYY-MM-DD", "HH:MM" and ISO weekday in a zone. */
export function instantToZoned(ms: number, timeZone: string): { date: string; time: string; weekday: number } {
  const wall = zoneOffsets(timeZone).toWall(ms);
  const day = Math.floor(wall / DAY_MS);
  const minutes = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return { date: formatDate(day), time: `${hh}:${mm}`, weekday: isoWeekday(day) };
}
