import { describe, expect, it } from 'vitest';
import { addEncodedHist, bucketOf, bucketValue, bucketsOf, encodeHist, histKey, histPercentile } from './histogram.js';

const MIN = 60_000;

describe('duration histogram', () => {
  it('rounds up to the whole minute up to 4 hours', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(1)).toBe(1);
    expect(bucketOf(MIN)).toBe(1);
    expect(bucketOf(MIN + 1)).toBe(2);
    expect(bucketValue(bucketOf(37 * MIN - 1))).toBe(37 * MIN);
    expect(bucketValue(bucketOf(240 * MIN))).toBe(240 * MIN);
  });

  it('is at most 1 % (and one minute) above the duration beyond 4 hours, never below', () => {
    for (const ms of [240 * MIN + 1, 5 * 3_600_000, 8 * 3_600_000 + 123_456, 3 * 86_400_000, 40 * 86_400_000]) {
      const v = bucketValue(bucketOf(ms));
      expect(v).toBeGreaterThanOrEqual(ms);
      expect(v).toBeLessThanOrEqual(Math.ceil((ms * 1.01) / MIN) * MIN + MIN);
    }
    // Buckets are increasing and each value falls in its own bucket.
    for (let b = 230; b < 800; b++) {
      expect(bucketValue(b + 1)).toBeGreaterThanOrEqual(bucketValue(b));
      expect(bucketOf(bucketValue(b))).toBe(b);
    }
  });

  it('gives the nearest-rank 90th percentile of the rounded durations', () => {
    const sums: Record<string, number> = {};
    // 1 … 20 minutes: rank ⌈0.9 × 20⌉ = 18 → 18 minutes.
    for (let m = 1; m <= 20; m++) sums[histKey('reso', m * MIN - 30_000)] = 1;
    expect(histPercentile(bucketsOf(sums, 'reso'), 0.9)).toEqual({ value: 18 * MIN, n: 20 });
    expect(histPercentile(bucketsOf(sums, 'resp'), 0.9)).toEqual({ value: null, n: 0 });
  });

  it('stores appended signed entries that add up when read', () => {
    const a = encodeHist({ 'h:resp:3': 2, 'h:resp:9': 1, 'h:reso:4': 1 }, 'resp');
    const b = encodeHist({ 'h:resp:3': -1, 'h:resp:12': 1 }, 'resp');
    const into: Record<string, number> = {};
    addEncodedHist(into, 'resp', `${a}${b}`);
    expect(into).toEqual({ 'h:resp:3': 1, 'h:resp:9': 1, 'h:resp:12': 1 });
    addEncodedHist(into, 'resp', encodeHist({ 'h:resp:9': -1 }, 'resp'));
    expect(into).toEqual({ 'h:resp:3': 1, 'h:resp:12': 1 });
    expect(encodeHist({ 'h:resp:3': 0 }, 'resp')).toBeNull();
  });
});
