/**
 * The rules of assets and verification campaigns (docs/ASSETS.md), free of IO: money in fen,
 * warranty status and reminder thresholds, the half-yearly campaign periods, and what a
 * campaign needs before it may close. Civil dates are `YYYY-MM-DD` text.
 */

export const DISPOSALS = ['scrapped', 'sold', 'returned', 'donated'] as const;
export type Disposal = (typeof DISPOSALS)[number];

export const CHECK_RESULTS = ['found', 'missing', 'wrong_location', 'wrong_attributes'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];
export type ItemResult = CheckResult | 'pending';

export const CAMPAIGN_STATES = ['open', 'review', 'closed', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const DECISIONS = ['accepted', 'rejected'] as const;
export type Decision = (typeof DECISIONS)[number];

export const WARRANTY_STATUSES = ['none', 'expired', 'expiring', 'valid'] as const;
export type WarrantyStatus = (typeof WARRANTY_STATUSES)[number];

/** Reminders before the warranty ends, in days (setting `assets.warrantyReminderDays`). */
export const DEFAULT_REMINDER_DAYS = [90, 30];
/** Month-day each verification period starts (setting `assets.campaignDays`): twice a year. */
export const DEFAULT_CAMPAIGN_DAYS = ['01-01', '07-01'];
/** Days an engineer has to finish a campaign (setting `assets.campaignDueDays`). */
export const DEFAULT_CAMPAIGN_DUE_DAYS = 30;
/** The largest price accepted, in yuan (a billion yuan: a typo beyond it). */
export const MAX_PRICE_YUAN = 1_000_000_000;

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** `date` plus `days` days. */
export function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/**
 * A price in yuan as the API carries it → fen for the database; null when it is not a price:
 * negative, more than two decimals, not finite, or beyond MAX_PRICE_YUAN.
 */
export function yuanToFen(yuan: number): number | null {
  if (!Number.isFinite(yuan) || yuan < 0 || yuan > MAX_PRICE_YUAN) return null;
  const fen = Math.round(yuan * 100);
  // The JSON text 12345.67 and 1234567 / 100 are the same double; 1.005 is not 100.5 / 100 (or 101 / 100).
  if (fen / 100 !== yuan) return null;
  return fen;
}

export function fenToYuan(fen: number | null): number | null {
  return fen === null ? null : fen / 100;
}

/** How the warranty stands on `today`: expiring within `soonDays` (the first reminder threshold). */
export function warrantyStatus(warrantyEnd: string | null, today: string, soonDays = DEFAULT_REMINDER_DAYS[0]): WarrantyStatus {
  if (!warrantyEnd) return 'none';
  const left = daysBetween(today, warrantyEnd);
  if (left < 0) return 'expired';
  return left <= soonDays ? 'expiring' : 'valid';
}

/**
 * The reminder threshold due on `today` for a warranty ending on `warrantyEnd`: the smallest
 * threshold not below the days left (20 days left with [90, 30] → 30, so one reminder says the
 * most urgent thing), or null when the warranty has ended or is further off than every threshold.
 * The caller records each (asset, end, threshold) sent, so each is sent once.
 */
export function dueThreshold(warrantyEnd: string, today: string, thresholds: readonly number[] = DEFAULT_REMINDER_DAYS): number | null {
  const left = daysBetween(today, warrantyEnd);
  if (left < 0) return null;
  const fitting = thresholds.filter((t) => t >= left);
  return fitting.length ? Math.min(...fitting) : null;
}

/** Valid reminder thresholds: 1–3650 days, distinct, largest first. */
export function normaliseThresholds(v: unknown): number[] {
  if (!Array.isArray(v)) return DEFAULT_REMINDER_DAYS;
  const days = [...new Set(v.filter((x): x is number => Number.isInteger(x) && x > 0 && x <= 3650))].sort((a, b) => b - a);
  return days.length ? days : DEFAULT_REMINDER_DAYS;
}

const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/** Valid period start days (`MM-DD`, a day every year has), sorted; the default when none is. */
export function normaliseCampaignDays(v: unknown): string[] {
  if (!Array.isArray(v)) return DEFAULT_CAMPAIGN_DAYS;
  const days = [
    ...new Set(
      v.filter((x): x is string => {
        if (typeof x !== 'string') return false;
        const m = MONTH_DAY.exec(x);
        if (!m) return false;
        const [mo, d] = [Number(m[1]), Number(m[2])];
        return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(2025, mo, 0)).getUTCDate();
      }),
    ),
  ].sort();
  return days.length ? days : DEFAULT_CAMPAIGN_DAYS;
}

export interface CampaignPeriod {
  /** `2026-H1`, `2026-H2` (two periods a year), `2026-Q3` (four), else `2026-03-01` (the start). */
  key: string;
  /** The first day of the period. */
  start: string;
}

/** The verification period `today` falls in, given the days periods start on (normalised). */
export function campaignPeriod(today: string, days: readonly string[] = DEFAULT_CAMPAIGN_DAYS): CampaignPeriod {
  const year = Number(today.slice(0, 4));
  const md = today.slice(5);
  let index = -1;
  for (let i = 0; i < days.length; i++) if (days[i] <= md) index = i;
  const y = index === -1 ? year - 1 : year;
  const i = index === -1 ? days.length - 1 : index;
  const start = `${String(y).padStart(4, '0')}-${days[i]}`;
  const key = days.length === 2 ? `${y}-H${i + 1}` : days.length === 4 ? `${y}-Q${i + 1}` : start;
  return { key, start };
}

/** A difference the reviewer decides on (every result but found). */
export function isDifference(result: ItemResult): boolean {
  return result === 'missing' || result === 'wrong_location' || result === 'wrong_attributes';
}

export interface CampaignTally {
  total: number;
  pending: number;
  /** Differences not yet accepted or rejected. */
  undecided: number;
}

/** Why a campaign cannot close yet, or null when it can: every item checked, every difference decided. */
export function closeBlocker(state: CampaignState, tally: CampaignTally): 'state' | 'pending' | 'undecided' | null {
  if (state !== 'open' && state !== 'review') return 'state';
  if (tally.pending > 0) return 'pending';
  if (tally.undecided > 0) return 'undecided';
  return null;
}

/** The state a campaign being worked is in: review once nothing is pending. */
export function workingState(checked: number, total: number): 'open' | 'review' {
  return total > 0 && checked >= total ? 'review' : 'open';
}
