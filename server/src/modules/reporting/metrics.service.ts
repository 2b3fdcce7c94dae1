import type { Db } from '../../db/index.js';
import { KPIS, emptySums, addSums, kpiDef, kpiValue, type KpiDef, type Measure, type PartialSums, type Special, type Sums } from '../../core/reporting/kpis.js';
import { contributions, dimKey, ROLLUP_DIMS, type RollupDim } from '../../core/reporting/contributions.js';
import { addDays, bucketLastDay, dayStart, daysBetween, isLocalDate, localDayOf, rangeEnded, timeKey, timeKeyLabel, timeKeys } from '../../core/reporting/periods.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import * as repo from './metrics.repo.js';
import { RollupService } from './rollup.service.js';
import { directRecords, instantRange, overdueAt, standinsOut } from './metrics.cmdb.js';

/**
 * KPI figures for any period, customers and grouping (issue #11 items 1 and 7). One entry point
 * for the dashboards, the report generator, the API and the evidence pack, so they agree.
 *
 * Additive KPIs come from the daily rollup plus the delta its next run will apply (the tickets
 * changed since its watermark: stored contribution out, current one in), so they are exact as of
 * the query; both go through the same per-ticket contribution function. Before the rollup has
 * been built once (and for groupings it does not keep: site, service) everything is computed
 * from the tickets. The backlog is a running sum of the rollup's opened − resolved; its ageing is
 * not a sum and is computed from the tickets. The 90th percentiles are read off duration
 * histograms whose bucket counts the rollup adds up like any measure (core/reporting/histogram.ts).
 */

export type Dimension = 'total' | 'day' | 'week' | 'month' | 'customer' | 'priority' | 'tier' | 'category' | 'channel' | 'kind' | 'service' | 'team' | 'assignee' | 'site';
export const DIMENSIONS: Dimension[] = ['total', 'day', 'week', 'month', 'customer', 'priority', 'tier', 'category', 'channel', 'kind', 'service', 'team', 'assignee', 'site'];

export interface MetricQuery {
  kpis: string[];
  /** null = all (within the caller's scope). */
  customerIds: number[] | null;
  /** YYYY-MM-DD local, inclusive. */
  from: string;
  to: string;
  groupBy?: Dimension;
  contractId?: number;
}
export interface MetricValue {
  value: number | null;
  numerator: number;
  denominator: number;
}
export interface MetricResult {
  rows: { key: string; label: string; values: Record<string, MetricValue> }[];
  totals: Record<string, MetricValue>;
}

export interface DrillQuery {
  kpi: string;
  part: 'numerator' | 'denominator';
  from: string;
  to: string;
  customerIds: number[] | null;
  groupBy?: Dimension;
  key?: string;
  contractId?: number;
  cursor?: string;
  limit?: number;
}
export interface DrillItem {
  id: number;
  number: string;
  title: string;
  customerName: string;
  priority: string;
  state: string;
  reportedAt: string;
  resolvedAt: string | null;
  slaStatus: string;
}

/** Longest range a query may cover (the bench's three years of history). */
export const MAX_RANGE_DAYS = 3 * 366;
const TIME_DIMS = new Set<Dimension>(['day', 'week', 'month']);
/** Before any ticket: the backlog sums everything opened and resolved up to its end. */
const HISTORY_START = '1970-01-01';
/** Groupings that name the provider's people and teams: not for a customer's staff. */
const PROVIDER_ONLY_DIMS = new Set<Dimension>(['team', 'assignee']);

function isRollupDim(d: Dimension): d is RollupDim {
  return (ROLLUP_DIMS as readonly string[]).includes(d);
}

/** Input checks shared by the API and the in-process callers: each problem names its field. */
export function validateQuery(q: { kpis?: string[]; kpi?: string; from: string; to: string; groupBy?: string }): void {
  if (!isLocalDate(q.from)) throw AppError.field('from', 'date');
  if (!isLocalDate(q.to)) throw AppError.field('to', 'date');
  if (q.from > q.to) throw AppError.field('from', 'reporting.fromAfterTo', { from: q.from, to: q.to });
  if (daysBetween(q.from, q.to) + 1 > MAX_RANGE_DAYS) throw AppError.field('to', 'reporting.rangeTooLong', { days: MAX_RANGE_DAYS });
  if (q.groupBy !== undefined && !DIMENSIONS.includes(q.groupBy as Dimension)) throw AppError.field('groupBy', 'reporting.unknownGroupBy', { value: q.groupBy, allowed: DIMENSIONS.join(', ') });
  const codes = q.kpis ?? (q.kpi !== undefined ? [q.kpi] : []);
  const field = q.kpis ? 'kpis' : 'kpi';
  if (!codes.length) throw AppError.field(field, 'required');
  for (const c of codes) if (!kpiDef(c)) throw AppError.field(field, 'reporting.unknownKpi', { value: c });
  // The CMDB family's KPIs are not tickets: they group by time, customer and tier only.
  const direct = codes.find((c) => kpiDef(c)!.direct);
  if (direct && q.groupBy !== undefined && !DIRECT_DIMS.includes(q.groupBy as Dimension)) throw AppError.field('groupBy', 'reporting.groupByNotForKpi', { kpi: direct, value: q.groupBy, allowed: DIRECT_DIMS.join(', ') });
}

/** The groupings of the `direct` KPIs (parts, vendor repairs). */
export const DIRECT_DIMS: Dimension[] = ['total', 'day', 'week', 'month', 'customer', 'tier'];

interface Scope {
  customers: repo.CustomerInfo[];
  filter: repo.TicketFilter;
}

/** What a group key is made of for one contribution. */
interface KeySource {
  customerId: number;
  priority: string;
  kind: string;
  category: string | null;
  channel: string;
  teamId: number | null;
  assigneeId: number | null;
  siteId: number | null;
  service: string | null;
}

export class MetricsService {
  readonly rollup: RollupService;

  constructor(private readonly db: Db) {
    this.rollup = new RollupService(db);
  }

  /** Figures for the scope the caller may see: customer staff their customer, scoped staff their customers. */
  async query(actor: Actor, q: MetricQuery): Promise<MetricResult> {
    validateQuery(q);
    this.checkDimension(actor, q.groupBy);
    const scope = await this.scopeFor(actor, q.customerIds, q.contractId);
    return this.computeIn(scope, q, actor.locale);
  }

  /**
   * Whether the period is over for every customer the caller asks about: its last day has
   * ended at local midnight in each of their zones (a China-only query is over at midnight
   * Beijing time, not when the last zone on earth finishes the day).
   */
  async periodEnded(actor: Actor, q: MetricQuery, now = Date.now()): Promise<boolean> {
    const scope = await this.scopeFor(actor, q.customerIds, q.contractId);
    const zones = new Set(scope.customers.map((c) => c.timeZone));
    if (!zones.size) zones.add(DEFAULT_ZONE);
    return [...zones].every((z) => rangeEnded(q, now, z));
  }

  /** Unscoped (jobs, the report generator, the evidence pack). */
  async compute(q: MetricQuery, locale: Locale = 'zh-CN'): Promise<MetricResult> {
    validateQuery(q);
    const customers = await repo.customers(this.db, q.customerIds);
    if (q.customerIds && customers.length !== new Set(q.customerIds).size) throw new AppError(404, 'not_found', 'reporting.customerNotFound', {}, [{ field: 'customerId', code: 'reporting.customerNotFound' }]);
    let list = customers;
    if (q.contractId !== undefined) {
      const contract = await repo.contractOf(this.db, q.contractId);
      if (!contract) throw new AppError(404, 'not_found', 'reporting.contractNotFound', {}, [{ field: 'contractId', code: 'reporting.contractNotFound' }]);
      list = customers.filter((c) => c.id === contract.customerId);
    }
    // Every customer: no id list in the SQL (a list of all ids steers the planner to a per-customer index and a scan).
    const customerIds = q.customerIds === null && q.contractId === undefined ? null : list.map((c) => c.id);
    return this.computeIn({ customers: list, filter: { customerIds, contractId: q.contractId } }, q, locale);
  }

  private checkDimension(actor: Actor, groupBy: Dimension | undefined) {
    if (actor.customerId !== null && groupBy && PROVIDER_ONLY_DIMS.has(groupBy)) throw new AppError(403, 'forbidden', 'reporting.groupByProviderOnly', { value: groupBy }, [{ field: 'groupBy', code: 'reporting.groupByProviderOnly', params: { value: groupBy } }]);
  }

  /**
   * The customers a caller asks about, within what he may see. A customer outside his scope is
   * answered exactly like one that does not exist (404), so nothing tells them apart.
   */
  private async scopeFor(actor: Actor, requested: number[] | null, contractId: number | undefined): Promise<Scope> {
    const allowed: number[] | null = actor.customerId !== null ? [actor.customerId] : actor.scope.kind === 'customers' ? actor.scope.ids : null;
    const notFound = (field: string, key: string) => new AppError(404, 'not_found', key, {}, [{ field, code: key }]);
    let ids = requested ? [...new Set(requested)] : allowed;
    if (requested && allowed && requested.some((id) => !allowed.includes(id))) throw notFound('customerId', 'reporting.customerNotFound');
    const customers = await repo.customers(this.db, ids);
    if (requested && customers.length !== ids!.length) throw notFound('customerId', 'reporting.customerNotFound');
    let list = customers;
    if (contractId !== undefined) {
      const contract = await repo.contractOf(this.db, contractId);
      if (!contract || (allowed && !allowed.includes(contract.customerId)) || (requested && !requested.includes(contract.customerId))) throw notFound('contractId', 'reporting.contractNotFound');
      list = customers.filter((c) => c.id === contract.customerId);
      ids = [contract.customerId];
    }
    return { customers: list, filter: { customerIds: ids === null ? null : list.map((c) => c.id), contractId } };
  }

  private async computeIn(scope: Scope, q: MetricQuery, locale: Locale): Promise<MetricResult> {
    const groupBy = q.groupBy ?? 'total';
    const defs = q.kpis.map((c) => kpiDef(c)!);
    const additive = defs.filter((d) => !d.special && !d.direct);
    const special = defs.filter((d) => d.special);
    const byCustomer = new Map(scope.customers.map((c) => [c.id, c]));
    const keyOf = (src: KeySource, day: string): string => groupKeyOf(groupBy, src, day, byCustomer);

    const groups = new Map<string, Sums>();
    const totals = emptySums();
    const wanted: repo.Wanted = {
      measures: [...new Set(additive.flatMap((d) => [...(d.num ?? []), ...(d.den ?? [])]))],
      hist: [...new Set(additive.flatMap((d) => (d.percentileOf ? [d.percentileOf] : [])))],
    };
    if (additive.length && scope.customers.length) await this.addAdditive(scope, q, groupBy, keyOf, groups, totals, wanted);

    const specials = new Map<string, Map<string, MetricValue>>();
    // The ageing buckets are five KPIs over one read of the candidate tickets.
    const memo: SpecialMemo = {};
    const specialTotals: Record<string, MetricValue> = {};
    for (const def of special) {
      const { perGroup, total } = await this.special(def.special!, scope, q, groupBy, keyOf, memo);
      specials.set(def.code, perGroup);
      specialTotals[def.code] = total;
    }
    for (const def of defs.filter((d) => d.direct)) {
      const { perGroup, total } = await this.direct(def, scope, q, groupBy, byCustomer);
      specials.set(def.code, perGroup);
      specialTotals[def.code] = total;
    }

    let keys: string[];
    if (groupBy === 'total') keys = [''];
    else if (TIME_DIMS.has(groupBy)) keys = timeKeys(groupBy as 'day', q);
    else {
      const seen = new Set<string>(groups.keys());
      for (const m of specials.values()) for (const k of m.keys()) seen.add(k);
      keys = [...seen];
    }
    const labels = await this.labels(groupBy, keys, byCustomer, locale);
    if (!TIME_DIMS.has(groupBy) && groupBy !== 'total') keys.sort((a, b) => (labels.get(a) ?? a).localeCompare(labels.get(b) ?? b, 'zh-CN') || a.localeCompare(b));

    const valueOf = (def: KpiDef, key: string | null): MetricValue => {
      // A group with no record: a count is 0, a rate or mean has nothing measured (null, never 0 %).
      if (def.special || def.direct) return key === null ? specialTotals[def.code] : (specials.get(def.code)!.get(key) ?? (def.direct && def.unit !== 'count' ? { value: null, numerator: 0, denominator: 0 } : emptySpecial()));
      return kpiValue(def, key === null ? totals : (groups.get(key) ?? emptySums()));
    };
    return {
      rows: keys.map((key) => ({ key, label: labels.get(key) ?? key, values: Object.fromEntries(defs.map((d) => [d.code, valueOf(d, key)])) })),
      totals: Object.fromEntries(defs.map((d) => [d.code, valueOf(d, null)])),
    };
  }

  /** The additive KPIs: rollup rows for settled days, contributions of the tickets for the rest. */
  private async addAdditive(scope: Scope, q: MetricQuery, groupBy: Dimension, keyOf: (s: KeySource, day: string) => string, groups: Map<string, Sums>, totals: Sums, wanted: repo.Wanted) {
    const add = (key: string, s: PartialSums) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = emptySums()));
      addSums(g, s);
      addSums(totals, s);
    };
    const rollupDim: RollupDim | null = isRollupDim(groupBy) ? groupBy : groupBy === 'site' || groupBy === 'service' ? null : 'total';
    const pending = rollupDim === null ? null : await this.rollup.pending();
    const inRange = (day: string) => day >= q.from && day <= q.to;
    const inScope = (customerId: number, contractId: number) => (!scope.filter.customerIds || scope.filter.customerIds.includes(customerId)) && (scope.filter.contractId === undefined || scope.filter.contractId === contractId);
    if (pending) {
      // The rollup, brought up to this instant by the changes its next run will apply.
      const group = groupBy === 'total' ? 'none' : groupBy === 'month' ? 'month' : TIME_DIMS.has(groupBy) ? 'day' : groupBy === 'customer' || groupBy === 'tier' ? 'customer' : 'key';
      for (const r of await repo.readDaily(this.db, rollupDim!, scope.filter, q.from, q.to, group, wanted)) {
        const key =
          group === 'none' ? '' : group === 'day' || group === 'month' ? timeKey(groupBy as 'day', r.g) : group === 'customer' ? (groupBy === 'tier' ? String(scope.customers.find((c) => c.id === Number(r.g))?.tier ?? '') : r.g) : r.g;
        add(key, r.sums);
      }
      for (const { facts, days } of pending.old) {
        if (!inScope(facts.customerId, facts.contractId)) continue;
        for (const [day, m] of days) if (inRange(day)) add(keyOf({ ...facts, siteId: null, service: null }, day), negate(m));
      }
      for (const f of pending.current) {
        if (!inScope(f.customerId, f.contractId)) continue;
        for (const [day, m] of contributions(f)) if (inRange(day)) add(keyOf(f, day), m);
      }
      return;
    }
    // No rollup to read (not built yet, or a grouping it does not keep): from the tickets.
    const since = Math.min(...scope.customers.map((c) => dayStart(q.from, c.timeZone)));
    const before = Math.max(...scope.customers.map((c) => dayStart(addDays(q.to, 1), c.timeZone)));
    const ids = await repo.touchedSince(this.db, since, scope.filter, before);
    for (const part of repo.chunks(ids, 2000)) {
      for (const f of await repo.loadFacts(this.db, part)) {
        for (const [day, m] of contributions(f)) if (inRange(day)) add(keyOf(f, day), m);
      }
    }
  }

  /** The backlog and its ageing, from the tickets. */
  private async special(kind: Special, scope: Scope, q: MetricQuery, groupBy: Dimension, keyOf: (s: KeySource, day: string) => string, memo: SpecialMemo = {}): Promise<{ perGroup: Map<string, MetricValue>; total: MetricValue }> {
    const perGroup = new Map<string, MetricValue>();
    if (!scope.customers.length) return { perGroup, total: emptySpecial() };
    if (kind === 'backlog') return this.backlog(scope, q, groupBy, keyOf);
    // Backlog and ageing: counted at each bucket's end (time groupings) or at the period's end.
    const time = TIME_DIMS.has(groupBy);
    const ends = time ? timeKeys(groupBy as 'day', q).map((k) => ({ key: k, last: bucketLastDay(groupBy as 'day', k, q) })) : [{ key: null as string | null, last: q.to }];
    const endOf = (last: string, tz: string) => dayStart(addDays(last, 1), tz);
    const minEnd = Math.min(...scope.customers.map((c) => endOf(ends[0].last, c.timeZone)));
    const maxEnd = Math.max(...scope.customers.map((c) => endOf(ends[ends.length - 1].last, c.timeZone)));
    const rows = await (memo.candidates ??= repo.backlogCandidates(this.db, scope.filter, minEnd, maxEnd));
    const byCustomer = new Map(scope.customers.map((c) => [c.id, c]));
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of rows) {
      const c = byCustomer.get(r.customer_id);
      if (!c) continue;
      for (const e of ends) {
        const end = endOf(e.last, c.timeZone);
        if (!(r.reported_at < end && (r.resolved_at === null || r.resolved_at >= end))) continue;
        if (!inAgeBucket(kind, end - r.reported_at)) continue;
        const src: KeySource = {
          customerId: r.customer_id,
          priority: String(r.dims.priority),
          kind: String(r.dims.kind),
          category: (r.dims.category as string | null) ?? null,
          channel: String(r.dims.channel),
          teamId: r.dims.team === null ? null : Number(r.dims.team),
          assigneeId: r.dims.assignee === null ? null : Number(r.dims.assignee),
          siteId: r.dims.site === null ? null : Number(r.dims.site),
          service: (r.dims.service as string | null) ?? null,
        };
        const key = time ? e.key! : keyOf(src, e.last);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (e === ends[ends.length - 1]) total++;
      }
    }
    for (const [k, n] of counts) perGroup.set(k, { value: n, numerator: n, denominator: 1 });
    return { perGroup, total: { value: total, numerator: total, denominator: 1 } };
  }

  /**
   * The backlog at each end: counted tickets opened up to it minus those resolved up to it (a
   * ticket is resolved after it is reported, so this is the count of those reported before the
   * end and not resolved before it). Read as running sums of the additive measures, so the rollup
   * answers it for any number of bucket ends.
   */
  private async backlog(scope: Scope, q: MetricQuery, groupBy: Dimension, keyOf: (s: KeySource, day: string) => string): Promise<{ perGroup: Map<string, MetricValue>; total: MetricValue }> {
    const groups = new Map<string, Sums>();
    const totals = emptySums();
    await this.addAdditive(scope, { ...q, from: HISTORY_START }, groupBy, keyOf, groups, totals, { measures: ['opened', 'resolved'], hist: [] });
    const open = (s: Sums | undefined) => (s ? s.opened - s.resolved : 0);
    const perGroup = new Map<string, MetricValue>();
    const count = (n: number): MetricValue => ({ value: n, numerator: n, denominator: 1 });
    if (TIME_DIMS.has(groupBy)) {
      // Buckets before the period carry into its first one; keys sort in time order (YYYY-MM-DD, YYYY-Www, YYYY-MM).
      let running = 0;
      const inPeriod = new Set(timeKeys(groupBy as 'day', q));
      for (const key of [...new Set([...groups.keys(), ...inPeriod])].sort()) {
        running += open(groups.get(key));
        if (inPeriod.has(key)) perGroup.set(key, count(running));
      }
    } else for (const [key, s] of groups) perGroup.set(key, count(open(s)));
    return { perGroup, total: count(open(totals)) };
  }

  /**
   * A `direct` KPI (spare parts, vendor repairs) from its own tables (metrics.cmdb.ts): its
   * records' contributions on their local days, summed per group; the overdue stand-ins counted at
   * each bucket's end (or now, whichever is earlier) like the backlog.
   */
  private async direct(def: KpiDef, scope: Scope, q: MetricQuery, groupBy: Dimension, byCustomer: Map<number, repo.CustomerInfo>, now = Date.now()): Promise<{ perGroup: Map<string, MetricValue>; total: MetricValue; tickets?: Map<string, number[]> }> {
    const perGroup = new Map<string, MetricValue>();
    const count = (n: number): MetricValue => ({ value: n, numerator: n, denominator: 1 });
    if (!scope.customers.length) return { perGroup, total: def.unit === 'count' ? count(0) : { value: null, numerator: 0, denominator: 0 } };
    const keyOf = (customerId: number, day: string) =>
      groupBy === 'total' ? '' : TIME_DIMS.has(groupBy) ? timeKey(groupBy as 'day', day) : groupBy === 'customer' ? String(customerId) : String(byCustomer.get(customerId)?.tier ?? '');
    if (def.direct === 'standins_overdue') {
      const time = TIME_DIMS.has(groupBy);
      const ends = time ? timeKeys(groupBy as 'day', q).map((k) => ({ key: k, last: bucketLastDay(groupBy as 'day', k, q) })) : [{ key: '', last: q.to }];
      // At the end of a bucket's last day, or now when that is still to come (a stand-in is overdue the day after its due-back date).
      const at = (last: string, tz: string) => {
        const end = dayStart(addDays(last, 1), tz);
        return end <= now ? { end, date: addDays(last, 1) } : { end: now, date: localDayOf(now, tz) };
      };
      const { since, before } = instantRange(scope.customers, ends[0].last, ends[ends.length - 1].last);
      const list = await standinsOut(this.db, scope.filter, since, before);
      const counts = new Map<string, number>();
      let total = 0;
      for (const s of list) {
        const c = byCustomer.get(s.customerId);
        if (!c) continue;
        for (const e of ends) {
          const { end, date } = at(e.last, c.timeZone);
          if (!overdueAt(s, end, date)) continue;
          const key = time ? e.key : keyOf(s.customerId, e.last);
          counts.set(key, (counts.get(key) ?? 0) + 1);
          if (e === ends[ends.length - 1]) total++;
        }
      }
      for (const [k, n] of counts) perGroup.set(k, count(n));
      return { perGroup, total: count(total) };
    }
    const records = await directRecords(this.db, def.direct!, scope.filter, scope.customers, q.from, q.to, now);
    const sums = new Map<string, { num: number; den: number }>();
    const all = { num: 0, den: 0 };
    for (const r of records) {
      const k = keyOf(r.customerId, r.day);
      const s = sums.get(k) ?? { num: 0, den: 0 };
      s.num += r.num;
      s.den += r.den;
      sums.set(k, s);
      all.num += r.num;
      all.den += r.den;
    }
    const valueOf = (s: { num: number; den: number }): MetricValue => {
      if (def.unit === 'count') return count(s.num);
      if (s.den === 0) return { value: null, numerator: s.num, denominator: 0 };
      return { value: def.unit === 'percent' ? (s.num / s.den) * 100 : s.num / s.den, numerator: s.num, denominator: s.den };
    };
    for (const [k, s] of sums) perGroup.set(k, valueOf(s));
    return { perGroup, total: valueOf(all) };
  }

  /** The tickets behind a figure: those whose contribution in the period has the KPI's numerator (or denominator). */
  async drill(actor: Actor, d: DrillQuery): Promise<{ items: DrillItem[]; nextCursor: string | null }> {
    validateQuery({ kpi: d.kpi, from: d.from, to: d.to, groupBy: d.groupBy });
    this.checkDimension(actor, d.groupBy);
    const scope = await this.scopeFor(actor, d.customerIds, d.contractId);
    return this.drillIn(scope, d);
  }

  private async drillIn(scope: Scope, d: DrillQuery): Promise<{ items: DrillItem[]; nextCursor: string | null }> {
    const def = kpiDef(d.kpi)!;
    const limit = Math.min(Math.max(d.limit ?? 50, 1), 200);
    const after = d.cursor === undefined ? 0 : Number(d.cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw AppError.field('cursor', 'invalid');
    if (!scope.customers.length) return { items: [], nextCursor: null };
    const groupBy = d.groupBy ?? 'total';
    const byCustomer = new Map(scope.customers.map((c) => [c.id, c]));
    const wanted = (src: KeySource, day: string) => d.key === undefined || groupBy === 'total' || groupKeyOf(groupBy, src, day, byCustomer) === d.key;
    const matched: number[] = [];

    if (def.direct) {
      // The tickets the parts' and repairs' records were written against (a record without a ticket has none to list).
      const ids = await this.directTickets(def, scope, d, groupBy, byCustomer);
      matched.push(...[...new Set(ids)].filter((id) => id > after).sort((a, b) => a - b).slice(0, limit + 1));
    } else if (def.special === 'backlog' || def.special?.startsWith('age_')) {
      const last = TIME_DIMS.has(groupBy) && d.key !== undefined ? bucketLastDay(groupBy as 'day', d.key, d) : d.to;
      const ends = new Map(scope.customers.map((c) => [c.id, dayStart(addDays(last, 1), c.timeZone)]));
      const rows = await repo.backlogCandidates(this.db, scope.filter, Math.min(...ends.values()), Math.max(...ends.values()));
      const facts = new Map((await repo.loadFacts(this.db, rows.filter((r) => r.id > after).map((r) => r.id))).map((f) => [f.id, f]));
      for (const r of rows.sort((a, b) => a.id - b.id)) {
        const f = facts.get(r.id);
        const end = ends.get(r.customer_id);
        if (!f || end === undefined || r.id <= after) continue;
        if (!(r.reported_at < end && (r.resolved_at === null || r.resolved_at >= end)) || !inAgeBucket(def.special!, end - r.reported_at)) continue;
        if (!TIME_DIMS.has(groupBy) && !wanted(f, last)) continue;
        matched.push(r.id);
        if (matched.length > limit) break;
      }
    } else {
      const measures: Measure[] = def.percentileOf ? def.den! : d.part === 'denominator' && def.den ? def.den : def.num!;
      const since = Math.min(...scope.customers.map((c) => dayStart(d.from, c.timeZone)));
      const before = Math.max(...scope.customers.map((c) => dayStart(addDays(d.to, 1), c.timeZone)));
      // Each candidate is checked against its contributions (the same function as the figure), so only the tickets behind it are listed.
      const take = async (ids: number[]): Promise<boolean> => {
        for (const part of repo.chunks(ids, 500)) {
          for (const f of await repo.loadFacts(this.db, part)) {
            for (const [day, m] of contributions(f)) {
              if (day < d.from || day > d.to || !wanted(f, day)) continue;
              if (measures.some((x) => (m[x] ?? 0) > 0)) {
                matched.push(f.id);
                break;
              }
            }
            if (matched.length > limit) return true;
          }
        }
        return false;
      };
      let cursor = after;
      for (;;) {
        const batch = await repo.drillCandidates(this.db, measures, scope.filter, since, before, cursor, 1000);
        if (!batch) {
          // No indexed source for these measures: every ticket written since the period began.
          await take((await repo.touchedSince(this.db, since, scope.filter, before)).filter((id) => id > after));
          break;
        }
        if ((await take(batch.ids)) || batch.exhausted || !batch.ids.length) break;
        cursor = batch.ids[batch.ids.length - 1];
      }
    }
    const page = matched.slice(0, limit);
    const rows = await repo.drillRows(this.db, page);
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        number: r.number,
        title: r.title,
        customerName: r.customer_name,
        priority: r.priority,
        state: r.state,
        reportedAt: new Date(Number(r.reported_at)).toISOString(),
        resolvedAt: r.resolved_at === null ? null : new Date(Number(r.resolved_at)).toISOString(),
        slaStatus: r.sla_status,
      })),
      nextCursor: matched.length > limit ? String(page[page.length - 1]) : null,
    };
  }

  private async directTickets(def: KpiDef, scope: Scope, d: DrillQuery, groupBy: Dimension, byCustomer: Map<number, repo.CustomerInfo>): Promise<number[]> {
    const keyOf = (customerId: number, day: string) => groupKeyOf(groupBy, { customerId } as KeySource, day, byCustomer);
    const wanted = (customerId: number, day: string) => d.key === undefined || groupBy === 'total' || keyOf(customerId, day) === d.key;
    if (def.direct === 'standins_overdue') {
      const last = TIME_DIMS.has(groupBy) && d.key !== undefined ? bucketLastDay(groupBy as 'day', d.key, d) : d.to;
      const now = Date.now();
      const { since, before } = instantRange(scope.customers, last, last);
      const out: number[] = [];
      for (const s of await standinsOut(this.db, scope.filter, since, before)) {
        const c = byCustomer.get(s.customerId);
        if (!c || s.ticketId === null) continue;
        const end = dayStart(addDays(last, 1), c.timeZone);
        const at = end <= now ? { end, date: addDays(last, 1) } : { end: now, date: localDayOf(now, c.timeZone) };
        if (overdueAt(s, at.end, at.date) && (TIME_DIMS.has(groupBy) || wanted(s.customerId, last))) out.push(s.ticketId);
      }
      return out;
    }
    const records = await directRecords(this.db, def.direct!, scope.filter, scope.customers, d.from, d.to, Date.now());
    return records.filter((r) => r.ticketId !== null && wanted(r.customerId, r.day) && (d.part === 'denominator' && def.unit !== 'count' ? r.den > 0 : r.num > 0)).map((r) => r.ticketId!);
  }

  /** Row labels in the reader's language. */
  private async labels(groupBy: Dimension, keys: string[], customers: Map<number, repo.CustomerInfo>, locale: Locale): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ids = keys.filter((k) => k !== '').map(Number);
    const none = (what: string) => t(locale, `reporting.none.${what}`);
    switch (groupBy) {
      case 'total':
        out.set('', t(locale, 'reporting.total'));
        break;
      case 'day':
      case 'week':
      case 'month':
        for (const k of keys) out.set(k, timeKeyLabel(groupBy, k, locale));
        break;
      case 'customer':
        for (const k of keys) out.set(k, customers.get(Number(k))?.name ?? k);
        break;
      case 'tier':
        for (const k of keys) out.set(k, t(locale, 'reporting.tier', { tier: k }));
        break;
      case 'team':
      case 'site': {
        const names = await repo.namesOf(this.db, groupBy === 'team' ? 'teams' : 'sites', ids);
        for (const k of keys) out.set(k, k === '' ? none(groupBy) : (names.get(Number(k)) ?? k));
        break;
      }
      case 'assignee': {
        const names = await repo.userNames(this.db, ids);
        for (const k of keys) out.set(k, k === '' ? none('assignee') : (names.get(Number(k)) ?? k));
        break;
      }
      case 'kind':
      case 'channel':
        for (const k of keys) out.set(k, t(locale, `reporting.${groupBy}.${k}`) ?? k);
        break;
      case 'priority': {
        // The level's name as the contract's matrix gives it, with the code: 紧急（P1）.
        const names = await repo.priorityNames(this.db, keys);
        for (const k of keys) out.set(k, k === '' ? none('priority') : names.has(k) ? (locale === 'zh-CN' ? `${names.get(k)}（${k}）` : `${names.get(k)} (${k})`) : k);
        break;
      }
      default:
        for (const k of keys) out.set(k, k === '' ? none(groupBy) : k);
    }
    return out;
  }

  /** The catalogue in the reader's language. */
  catalogue(locale: Locale) {
    const pick = (x: { zh: string; en: string } | null) => (x === null ? null : locale === 'en-US' ? x.en : x.zh);
    return KPIS.map((k) => ({
      code: k.code,
      group: k.group,
      label: pick(k.label)!,
      description: pick(k.description)!,
      unit: k.unit,
      better: k.better,
      target: k.target ? { min: k.target.min ?? null, max: k.target.max ?? null, source: k.target.source } : null,
      targetByTier: k.targetByTier ? Object.entries(k.targetByTier).map(([tier, value]) => ({ tier: Number(tier), value })) : null,
      numerator: pick(k.numerator)!,
      denominator: pick(k.denominator),
      attribution: pick(k.attribution)!,
      additive: !k.special && !k.direct,
    }));
  }
}

function groupKeyOf(groupBy: Dimension, src: KeySource, day: string, customers: Map<number, repo.CustomerInfo>): string {
  switch (groupBy) {
    case 'total':
      return '';
    case 'day':
    case 'week':
    case 'month':
      return timeKey(groupBy, day);
    case 'customer':
      return String(src.customerId);
    case 'tier':
      return String(customers.get(src.customerId)?.tier ?? '');
    case 'site':
      return src.siteId === null ? '' : String(src.siteId);
    case 'service':
      return src.service ?? '';
    default:
      return dimKey(src, groupBy);
  }
}

const AGE_BOUNDS: Partial<Record<Special, [number, number]>> = {
  age_lt1d: [0, 1],
  age_1to3d: [1, 3],
  age_3to7d: [3, 7],
  age_7to30d: [7, 30],
  age_gt30d: [30, Infinity],
};

function inAgeBucket(kind: Special, ageMs: number): boolean {
  const b = AGE_BOUNDS[kind];
  if (!b) return true;
  const days = ageMs / 86_400_000;
  return days >= b[0] && days < b[1];
}

/** The zone a query with no customers in scope is judged in (the product's default). */
const DEFAULT_ZONE = 'Asia/Shanghai';

/** What the special KPIs of one query share. */
interface SpecialMemo {
  candidates?: ReturnType<typeof repo.backlogCandidates>;
}

/** A backlog count with no tickets. */
function emptySpecial(): MetricValue {
  return { value: 0, numerator: 0, denominator: 1 };
}

function negate(m: PartialSums): PartialSums {
  return addSums({}, m, -1);
}
