/**
 * Duration histograms for the 90th percentiles (pure).
 *
 * A percentile is not a sum, so it cannot be read from the daily rollup's sums; reading every
 * stopped clock of a year instead costs a scan of a third of a million rows at a million
 * tickets. Each elapsed time is therefore counted in a bucket, and a bucket count is a sum: the
 * rollup keeps them per (customer, day, dimension key) like any other measure, and the
 * percentile of any set of rows is read off their added buckets.
 *
 * Buckets: the elapsed time rounded up to the whole minute up to 4 hours (240 buckets), above
 * that 1 % wide (a bucket's value is the largest whole minute in it). The percentile is the
 * nearest-rank percentile of the durations so rounded: exact to the minute below 4 hours and
 * within 1 % above (docs/KPIS.md).
 */

export type HistMetric = 'resp' | 'reso';
/** A bucket count among the measures of a day: `h:resp:17` = response clocks stopped after 17 minutes. */
export type HistKey = `h:${HistMetric}:${number}`;

const MINUTE = 60_000;
const LINEAR_MINUTES = 240;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

/** The bucket of an elapsed time in ms (negative counts as 0). */
export function bucketOf(ms: number): number {
  const minutes = Math.ceil(Math.max(0, ms) / MINUTE);
  if (minutes <= LINEAR_MINUTES) return minutes;
  // Smallest b with LINEAR·GROWTH^(b−LINEAR) ≥ minutes; the epsilon keeps exact powers in their own bucket.
  return LINEAR_MINUTES + Math.ceil(Math.log(minutes / LINEAR_MINUTES) / LOG_GROWTH - 1e-9);
}

/** The value a bucket stands for, in ms: the largest whole minute in it (durations are rounded up to minutes first). */
export function bucketValue(bucket: number): number {
  if (bucket <= LINEAR_MINUTES) return bucket * MINUTE;
  return Math.floor(LINEAR_MINUTES * GROWTH ** (bucket - LINEAR_MINUTES) + 1e-9) * MINUTE;
}

export function histKey(metric: HistMetric, ms: number): HistKey {
  return `h:${metric}:${bucketOf(ms)}`;
}

/** The bucket counts of a metric among a sums object's keys. */
export function bucketsOf(sums: Readonly<Record<string, number>>, metric: HistMetric): Map<number, number> {
  const prefix = `h:${metric}:`;
  const out = new Map<number, number>();
  for (const k in sums) {
    if (!k.startsWith(prefix)) continue;
    const n = sums[k];
    if (n) out.set(Number(k.slice(prefix.length)), n);
  }
  return out;
}

/** Nearest-rank percentile (rank ⌈p·n⌉) of the bucketed durations, in ms; null when there are none. */
export function histPercentile(buckets: ReadonlyMap<number, number>, p: number): { value: number | null; n: number } {
  const sorted = [...buckets].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return { value: null, n: 0 };
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const [b, c] of sorted) {
    seen += c;
    if (seen >= rank) return { value: bucketValue(b), n };
  }
  return { value: bucketValue(sorted[sorted.length - 1][0]), n };
}

/**
 * The stored form of a row's buckets: `bucket:count;` entries, possibly repeated and negative —
 * the rollup appends each change's delta instead of rewriting (an append is an addition the
 * database does in the upsert, with no read first), and readers add them up.
 */
export function encodeHist(sums: Readonly<Record<string, number>>, metric: HistMetric): string | null {
  let out = '';
  for (const [b, n] of bucketsOf(sums, metric)) out += `${b}:${n};`;
  return out || null;
}

/** Adds a stored histogram (see encodeHist) into a sums object's bucket keys. */
export function addEncodedHist(into: Record<string, number>, metric: HistMetric, text: string | null | undefined): void {
  if (!text) return;
  const prefix = `h:${metric}:`;
  let start = 0;
  while (start < text.length) {
    const colon = text.indexOf(':', start);
    let end = text.indexOf(';', colon);
    if (colon < 0) break;
    if (end < 0) end = text.length;
    const k = prefix + text.slice(start, colon);
    const v = Number(text.slice(colon + 1, end));
    const next = (into[k] ?? 0) + v;
    if (next === 0) delete into[k];
    else into[k] = next;
    start = end + 1;
  }
}
