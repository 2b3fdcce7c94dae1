import { histKey, type HistMetric } from './histogram.js';
import { REPAIR_SIGN_WITHIN_MS, type Measure, type PartialSums } from './kpis.js';
import { localDayOf } from './periods.js';

/**
 * What one ticket adds to the KPI measures, per local day of its customer (pure). Each figure
 * is attributed to the day of its defining event — opened: the reported day; resolved: the
 * resolved day; an SLA clock: the day it was met or breached; a rating: the rated day; a repair
 * report: the day its work finished or it was signed — so a change to a ticket changes the
 * days it touches, and old days stay as they were.
 *
 * The same function feeds the daily rollup (stored per ticket, so a later change subtracts the
 * old contribution exactly) and the live computation for today and for the drill-down: the
 * numbers cannot disagree.
 */

export interface ClockFact {
  metric: string;
  /** As the SLA engine stored it: running | paused | pending | met | breached | cancelled. */
  state: string;
  metAt: number | null;
  breachedAt: number | null;
  dueAt: number | null;
  targetMs: number;
  remainingMs: number;
}

export interface TicketFacts {
  id: number;
  customerId: number;
  contractId: number;
  timeZone: string;
  kind: string;
  priority: string;
  category: string | null;
  channel: string;
  teamId: number | null;
  assigneeId: number | null;
  state: string;
  reportedAt: number;
  resolvedAt: number | null;
  closedAt: number | null;
  cancelledAt: number | null;
  /** Linked as a duplicate of another ticket (link kind `duplicates`). */
  duplicate: boolean;
  /** The timeline has a reopen: resolved or closed → back to work. */
  reopened: boolean;
  /** Never dispatched to a team other than a service desk team, never escalated functionally. */
  firstLine: boolean;
  clocks: ClockFact[];
  rating: { score: number; ratedAt: number } | null;
  repairReports: { finishedAt: number | null; signedAt: number | null }[];
}

/** The dimensions the rollup keeps per row (besides customer, contract and day). */
export const ROLLUP_DIMS = ['total', 'priority', 'kind', 'category', 'channel', 'team', 'assignee'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

export function dimKey(f: Pick<TicketFacts, 'priority' | 'kind' | 'category' | 'channel' | 'teamId' | 'assigneeId'>, dim: RollupDim): string {
  switch (dim) {
    case 'total':
      return '';
    case 'priority':
      return f.priority;
    case 'kind':
      return f.kind;
    case 'category':
      return f.category ?? '';
    case 'channel':
      return f.channel;
    case 'team':
      return f.teamId === null ? '' : String(f.teamId);
    case 'assignee':
      return f.assigneeId === null ? '' : String(f.assigneeId);
  }
}

/** Measures by local day. */
export type DayMeasures = Map<string, PartialSums>;

/** Tickets that count in every KPI but the cancelled count: not cancelled, not a duplicate. */
export function isCounted(f: Pick<TicketFacts, 'state' | 'cancelledAt' | 'duplicate'>): boolean {
  return f.state !== 'cancelled' && f.cancelledAt === null && !f.duplicate;
}

/** First-line resolution counts the "fault support requests" of REQ §5.2: incidents and service requests. */
export const FIRST_LINE_KINDS = ['incident', 'request'];

const SLA_MEASURES: Record<string, { met: Measure; breached: Measure; ms?: Measure; n?: Measure; hist?: HistMetric }> = {
  response: { met: 'resp_met', breached: 'resp_breached', ms: 'resp_ms', n: 'resp_n', hist: 'resp' },
  resolution: { met: 'reso_met', breached: 'reso_breached', ms: 'reso_ms', n: 'reso_n', hist: 'reso' },
  onsite: { met: 'onsite_met', breached: 'onsite_breached' },
  diagnosis: { met: 'diag_met', breached: 'diag_breached' },
};

/** The SLA engine's elapsed working time of a clock that stopped (pauses excluded): target − remaining. */
export function elapsedOf(c: ClockFact): number {
  return c.targetMs - c.remainingMs;
}

/** When a clock's outcome was decided: met → the met instant; breached → the breach instant. Null: no outcome yet. */
export function outcomeOf(c: ClockFact): { met: boolean; at: number } | null {
  if (c.state === 'met' && c.metAt !== null) return { met: true, at: c.metAt };
  if (c.state === 'breached') {
    const at = c.breachedAt ?? c.dueAt;
    return at === null ? null : { met: false, at };
  }
  return null;
}

export function contributions(f: TicketFacts): DayMeasures {
  const out: DayMeasures = new Map();
  const add = (at: number, m: Measure | `h:${string}`, v = 1) => {
    const day = localDayOf(at, f.timeZone);
    let row = out.get(day) as Record<string, number> | undefined;
    if (!row) out.set(day, (row = {}));
    row[m] = (row[m] ?? 0) + v;
  };
  if (f.cancelledAt !== null) add(f.cancelledAt, 'cancelled');
  if (!isCounted(f)) return out;

  add(f.reportedAt, 'opened');
  if (f.kind === 'complaint') {
    add(f.reportedAt, 'complaints');
    if (f.resolvedAt !== null || f.closedAt !== null) add(f.reportedAt, 'complaints_done');
  }
  if (f.resolvedAt !== null) {
    add(f.resolvedAt, 'resolved');
    if (f.reopened) add(f.resolvedAt, 'resolved_reopened');
    if (FIRST_LINE_KINDS.includes(f.kind)) {
      add(f.resolvedAt, 'flr_den');
      if (f.firstLine) add(f.resolvedAt, 'flr_num');
    }
  }
  if (f.closedAt !== null) add(f.closedAt, 'closed');

  for (const c of f.clocks) {
    const m = SLA_MEASURES[c.metric];
    if (!m) continue;
    const outcome = outcomeOf(c);
    if (outcome) {
      add(outcome.at, outcome.met ? m.met : m.breached);
      if (c.metric === 'resolution' && f.kind === 'complaint') {
        add(outcome.at, 'cmp_timed');
        if (outcome.met) add(outcome.at, 'cmp_timely');
      }
    }
    // Durations: every clock that stopped (met on time or late), on the day it stopped.
    if (m.ms && m.n && c.metAt !== null && (c.state === 'met' || c.state === 'breached')) {
      add(c.metAt, m.ms, elapsedOf(c));
      add(c.metAt, m.n);
      // The same duration in its histogram bucket, for the 90th percentile (core/reporting/histogram.ts).
      if (m.hist) add(c.metAt, histKey(m.hist, elapsedOf(c)));
    }
  }

  if (f.rating) {
    add(f.rating.ratedAt, 'rating_n');
    add(f.rating.ratedAt, 'rating_sum', f.rating.score);
    if (f.rating.score >= 4) add(f.rating.ratedAt, 'rating_good');
  }
  for (const r of f.repairReports) {
    if (r.finishedAt !== null) {
      add(r.finishedAt, 'rr_done');
      if (r.signedAt !== null && r.signedAt - r.finishedAt <= REPAIR_SIGN_WITHIN_MS) add(r.finishedAt, 'rr_ontime');
    }
    if (r.signedAt !== null) add(r.signedAt, 'rr_signed');
  }
  return out;
}

/** One row of the rollup: a dimension's key on a customer's contract's local day, with its measures. */
export interface RollupRow {
  dim: RollupDim;
  customerId: number;
  contractId: number;
  day: string;
  key: string;
  measures: PartialSums;
}

/** A ticket's contributions spread over the rollup's dimensions. */
export function rollupRows(f: TicketFacts, days: DayMeasures = contributions(f)): RollupRow[] {
  const out: RollupRow[] = [];
  for (const [day, measures] of days) {
    for (const dim of ROLLUP_DIMS) out.push({ dim, customerId: f.customerId, contractId: f.contractId, day, key: dimKey(f, dim), measures });
  }
  return out;
}
