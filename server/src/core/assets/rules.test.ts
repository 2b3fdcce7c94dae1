import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, campaignPeriod, closeBlocker, dueThreshold, normaliseCampaignDays, normaliseThresholds, warrantyStatus, workingState, yuanToFen } from './rules.js';

describe('asset rules', () => {
  it('prices: yuan with at most two decimals become fen exactly', () => {
    expect(yuanToFen(12345.67)).toBe(1234567);
    expect(yuanToFen(0)).toBe(0);
    expect(yuanToFen(1.005)).toBeNull();
    expect(yuanToFen(-1)).toBeNull();
    expect(yuanToFen(Number.NaN)).toBeNull();
    expect(yuanToFen(2_000_000_000)).toBeNull();
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000_000_000 }), (fen) => yuanToFen(fen / 100) === fen));
  });

  it('warranty status around the first threshold', () => {
    expect(warrantyStatus(null, '2026-12-01')).toBe('none');
    expect(warrantyStatus('2026-11-30', '2026-12-01')).toBe('expired');
    expect(warrantyStatus('2026-12-01', '2026-12-01')).toBe('expiring');
    expect(warrantyStatus(addDays('2026-12-01', 90), '2026-12-01')).toBe('expiring');
    expect(warrantyStatus(addDays('2026-12-01', 91), '2026-12-01')).toBe('valid');
  });

  it('the due reminder threshold is the smallest one not below the days left', () => {
    const today = '2026-12-01';
    expect(dueThreshold(addDays(today, 120), today)).toBeNull();
    expect(dueThreshold(addDays(today, 90), today)).toBe(90);
    expect(dueThreshold(addDays(today, 45), today)).toBe(90);
    expect(dueThreshold(addDays(today, 30), today)).toBe(30);
    expect(dueThreshold(addDays(today, 2), today)).toBe(30);
    expect(dueThreshold(addDays(today, -1), today)).toBeNull();
    expect(normaliseThresholds([30, 90, 30, -1, 'x'])).toEqual([90, 30]);
    expect(normaliseThresholds('nope')).toEqual([90, 30]);
  });

  it('campaign periods: halves by default, wrapping into the previous year', () => {
    expect(campaignPeriod('2026-01-01')).toEqual({ key: '2026-H1', start: '2026-01-01' });
    expect(campaignPeriod('2026-06-30')).toEqual({ key: '2026-H1', start: '2026-01-01' });
    expect(campaignPeriod('2026-07-01')).toEqual({ key: '2026-H2', start: '2026-07-01' });
    expect(campaignPeriod('2026-03-01', ['04-01', '10-01'])).toEqual({ key: '2025-H2', start: '2025-10-01' });
    expect(campaignPeriod('2026-05-02', ['01-01', '04-01', '07-01', '10-01'])).toEqual({ key: '2026-Q2', start: '2026-04-01' });
    expect(campaignPeriod('2026-05-02', ['03-15'])).toEqual({ key: '2026-03-15', start: '2026-03-15' });
    expect(normaliseCampaignDays(['07-01', '02-30', '13-01', '01-01'])).toEqual(['01-01', '07-01']);
  });

  it('closing needs every item checked and every difference decided', () => {
    expect(closeBlocker('open', { total: 3, pending: 1, undecided: 0 })).toBe('pending');
    expect(closeBlocker('review', { total: 3, pending: 0, undecided: 1 })).toBe('undecided');
    expect(closeBlocker('review', { total: 3, pending: 0, undecided: 0 })).toBeNull();
    expect(closeBlocker('closed', { total: 3, pending: 0, undecided: 0 })).toBe('state');
    expect(workingState(2, 3)).toBe('open');
    expect(workingState(3, 3)).toBe('review');
  });
});
