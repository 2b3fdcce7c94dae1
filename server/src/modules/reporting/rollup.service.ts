import type { Selectable } from 'kysely';
import type { Db, DbOrTx } from '../../db/index.js';
import type { KpiRollupStateTable } from '../../db/schema.js';
import { addSums, type Measure } from '../../core/reporting/kpis.js';
import { contributions, rollupRows, type DayMeasures, type TicketFacts } from '../../core/reporting/contributions.js';
import { enqueueJob } from '../../platform/jobs/scheduler.js';
import { yieldToIo } from '../../platform/jobs/yield.js';
import * as repo from './metrics.repo.js';

/**
 * The daily KPI rollup (`kpi_daily`), maintained incrementally so the management dashboard
 * reads a few thousand pre-added rows instead of a year of tickets (docs/KPIS.md).
 *
 * Each ticket's contribution (core/reporting/contributions.ts) is stored in `kpi_facts`. A run
 * finds the tickets changed since the watermark — a newer timeline entry (by id: also rows a
 * loader wrote with old timestamps), a ticket, clock, rating or repair report written since the
 * watermark instant, a customer whose time zone changed — and for each subtracts its stored
 * contribution from `kpi_daily` and adds its new one, in one transaction with the new
 * watermark. Only the (customer, day) rows a ticket touches change. Processing a ticket twice
 * changes nothing (the subtraction and the addition cancel), so the watermark instant is kept
 * LAG_MS behind the run: a transaction that committed late with an earlier timestamp is still
 * seen by the next run.
 *
 * With no watermark yet (a new installation, or after a bulk change) the rollup is rebuilt:
 * tickets in id order, REBUILD_CHUNK per transaction, until all are done; meanwhile the metrics
 * service computes from the tickets directly.
 */
export const ROLLUP_JOB = 'reporting.rollup';
export const ROLLUP_EVERY_MS = 60_000;
/** How far behind the run the watermark instant stays (longest transaction we expect). */
export const LAG_MS = 5 * 60_000;
/** Tickets per rebuild transaction: their deltas are added up before writing (fewer, fuller upserts); a few seconds of work at most. */
export const REBUILD_CHUNK = 5000;
/** More changed tickets than this in one run: rebuild instead (a bulk load, not a minute's work). */
export const MAX_INCREMENTAL = 20_000;

interface StoredFacts {
  c: number;
  z: string;
  k: [string, string, string | null, string, number | null, number | null];
  d: [string, Partial<Record<Measure, number>>][];
}

function encode(f: TicketFacts, days: DayMeasures): string {
  const s: StoredFacts = { c: f.contractId, z: f.timeZone, k: [f.priority, f.kind, f.category, f.channel, f.teamId, f.assigneeId], d: [...days] };
  return JSON.stringify(s);
}

function decode(ticketId: number, customerId: number, json: string): { facts: TicketFacts; days: DayMeasures } {
  const s = JSON.parse(json) as StoredFacts;
  const facts = {
    id: ticketId,
    customerId,
    contractId: s.c,
    timeZone: s.z,
    priority: s.k[0],
    kind: s.k[1],
    category: s.k[2],
    channel: s.k[3],
    teamId: s.k[4],
    assigneeId: s.k[5],
  } as TicketFacts;
  return { facts, days: new Map(s.d) };
}

export interface RunResult {
  mode: 'rebuild' | 'incremental';
  tickets: number;
  /** A rebuild has more chunks to do: run again at once. */
  more: boolean;
}

export class RollupService {
  /** `lagMs`: how far behind the run the watermark instant stays (tests set 0 to prove change detection is exact). */
  constructor(
    private readonly db: Db,
    private readonly lagMs = LAG_MS,
  ) {}

  /**
   * One step: a chunk of a rebuild, or the changes since the watermark. The reads and the
   * arithmetic happen before the write transaction, yielding to the event loop between parts
   * (on SQLite a transaction holds the only connection and never yields: the server would not
   * answer meanwhile); the transaction writes the deltas and the new watermark only if the
   * state is still the one the step started from (another run would have moved it).
   */
  async run(now = Date.now()): Promise<RunResult> {
    const state = await this.state(now);
    if (!state.built) {
      const after = Number(state.rebuild_after ?? 0);
      const ids = await repo.ticketIdsAfter(this.db, after, REBUILD_CHUNK);
      const prepared = await this.prepare(ids);
      const done = ids.length < REBUILD_CHUNK;
      const startedAt = Number(state.rebuild_started_at ?? now);
      const wrote = await this.db.transaction().execute(async (trx) => {
        if (!(await this.unchanged(trx, state))) return false;
        await this.write(trx, prepared);
        await trx
          .updateTable('kpi_rollup_state')
          .set(done ? { built: 1, rebuild_after: null, rebuild_started_at: null, changed_at: startedAt - this.lagMs, updated_at: now } : { rebuild_after: ids.length ? ids[ids.length - 1] : after, updated_at: now })
          .where('id', '=', 1)
          .execute();
        return true;
      });
      return { mode: 'rebuild', tickets: wrote ? ids.length : 0, more: !wrote || !done };
    }
    const since = Number(state.changed_at);
    const { ids: changed, maxEventId } = await this.changedSince(this.db, since, Number(state.event_id));
    if (changed.size > MAX_INCREMENTAL) {
      await this.db.transaction().execute((trx) => this.startRebuild(trx, now));
      return { mode: 'incremental', tickets: 0, more: true };
    }
    const prepared = await this.prepare([...changed]);
    const wrote = await this.db.transaction().execute(async (trx) => {
      if (!(await this.unchanged(trx, state))) return false;
      await this.write(trx, prepared);
      await trx.updateTable('kpi_rollup_state').set({ event_id: maxEventId, changed_at: Math.max(since, now - this.lagMs), updated_at: now }).where('id', '=', 1).execute();
      return true;
    });
    return { mode: 'incremental', tickets: wrote ? changed.size : 0, more: !wrote };
  }

  /** The watermark row, created (rebuild from the start) on the first run. */
  private async state(now: number): Promise<StateRow> {
    const existing = await this.db.selectFrom('kpi_rollup_state').selectAll().where('id', '=', 1).executeTakeFirst();
    if (existing) return existing;
    const eventId = await repo.maxEventId(this.db);
    await this.db
      .insertInto('kpi_rollup_state')
      .values({ id: 1, event_id: eventId, changed_at: 0, rebuild_after: 0, rebuild_started_at: now, built: 0, updated_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return this.db.selectFrom('kpi_rollup_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  }

  private async unchanged(trx: DbOrTx, before: StateRow): Promise<boolean> {
    const now = await trx.selectFrom('kpi_rollup_state').selectAll().where('id', '=', 1).executeTakeFirst();
    return !!now && (['event_id', 'changed_at', 'rebuild_after', 'rebuild_started_at', 'built', 'updated_at'] as const).every((k) => String(now[k]) === String(before[k]));
  }

  /** The tickets changed since a watermark (see the class comment), and the highest timeline entry id seen. */
  private async changedSince(db: DbOrTx, since: number, eventId: number): Promise<{ ids: Set<number>; maxEventId: number }> {
    const events = await repo.ticketsWithEventsAfter(db, eventId);
    const ids = new Set<number>(events.ids);
    for (const id of await repo.touchedSince(db, since, { customerIds: null })) ids.add(id);
    for (const c of await repo.customersChangedSince(db, since)) {
      const zone = await repo.anyFactsZone(db, c.id);
      if (zone !== null && zone !== c.timeZone) for (const id of await repo.ticketIdsOfCustomer(db, c.id)) ids.add(id);
    }
    return { ids, maxEventId: events.maxId };
  }

  /**
   * What the next run will change, without writing: for each ticket changed since the
   * watermark, its stored contribution (to subtract) and its current one (to add). The metrics
   * service adds these to the rollup's rows, so its figures are those of the rollup brought up
   * to this instant. Null when the rollup cannot be read (not built, or rebuilding).
   */
  async pending(db: DbOrTx = this.db): Promise<Pending | null> {
    const state = await db.selectFrom('kpi_rollup_state').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!state?.built) return null;
    // The pending set changes only when one of the records it is read from does: the highest
    // timeline id and the latest write instants (index ends, a few µs) say whether the last
    // answer still holds — a dashboard's eleven panels asked at once load the changed tickets once.
    const signature = JSON.stringify([state, await repo.changeSignature(db)]);
    if (db === this.db && this.lastPending?.signature === signature) return this.lastPending.value;
    const { ids } = await this.changedSince(db, Number(state.changed_at), Number(state.event_id));
    const list = [...ids];
    const old: { facts: TicketFacts; days: DayMeasures }[] = [];
    for (const [id, f] of await repo.factsOf(db, list)) old.push(decode(id, f.customerId, f.facts));
    const value = { old, current: await repo.loadFacts(db, list) };
    if (db === this.db) this.lastPending = { signature, value };
    return value;
  }

  private lastPending: { signature: string; value: Pending } | null = null;

  /** Runs until the rollup has caught up (the CLI, the demo loader and tests). */
  async catchUp(now = Date.now()): Promise<void> {
    for (;;) {
      const r = await this.run(now);
      if (!r.more) return;
    }
  }

  /** Starts over: the rollup is emptied and rebuilt from the tickets by the next runs. */
  async rebuild(now = Date.now()): Promise<void> {
    await this.db.transaction().execute((trx) => this.startRebuild(trx, now));
  }

  private async startRebuild(trx: DbOrTx, now: number) {
    await trx.deleteFrom('kpi_daily').execute();
    await trx.deleteFrom('kpi_monthly').execute();
    await trx.deleteFrom('kpi_facts').execute();
    const eventId = await repo.maxEventId(trx);
    await trx.deleteFrom('kpi_rollup_state').execute();
    await trx.insertInto('kpi_rollup_state').values({ id: 1, event_id: eventId, changed_at: 0, rebuild_after: 0, rebuild_started_at: now, built: 0, updated_at: now }).execute();
  }

  /** Whether the rollup can be read (built at least once and not rebuilding). */
  async isBuilt(db: DbOrTx = this.db): Promise<boolean> {
    const s = await db.selectFrom('kpi_rollup_state').select('built').where('id', '=', 1).executeTakeFirst();
    return !!s?.built;
  }

  /**
   * What replacing these tickets' contributions writes: old ones subtracted, new ones added. The
   * deltas of all the tickets are added up first, so a (customer, day, key) row many of them
   * touch is written once: most of a rebuild's cost is these upserts.
   */
  private async prepare(ids: number[]): Promise<Prepared> {
    const deltas = new Map<string, repo.DailyDelta>();
    const addRows = (f: TicketFacts, days: DayMeasures, sign: number) => {
      for (const r of rollupRows(f, days)) {
        const k = `${r.dim}\u0000${r.customerId}\u0000${r.day}\u0000${r.contractId}\u0000${r.key}`;
        let d = deltas.get(k);
        if (!d) deltas.set(k, (d = { dim: r.dim, customer_id: r.customerId, day: r.day, contract_id: r.contractId, key: r.key, sums: {} }));
        addSums(d.sums, r.measures, sign);
      }
    };
    const stored: { ticket_id: number; customer_id: number; facts: string }[] = [];
    const gone: number[] = [];
    for (const part of repo.chunks(ids)) {
      await yieldToIo();
      const old = await repo.factsOf(this.db, part);
      const current = await repo.loadFacts(this.db, part);
      const seen = new Set<number>();
      for (const f of current) {
        seen.add(f.id);
        const days = contributions(f);
        const json = encode(f, days);
        const before = old.get(f.id);
        if (before?.facts === json && before.customerId === f.customerId) continue;
        if (before) {
          const prev = decode(f.id, before.customerId, before.facts);
          addRows(prev.facts, prev.days, -1);
        }
        addRows(f, days, 1);
        stored.push({ ticket_id: f.id, customer_id: f.customerId, facts: json });
      }
      // A ticket that no longer exists (its customer deleted): its contribution goes.
      for (const [id, before] of old) {
        if (seen.has(id)) continue;
        const prev = decode(id, before.customerId, before.facts);
        addRows(prev.facts, prev.days, -1);
        gone.push(id);
      }
    }
    await yieldToIo();
    return { deltas: [...deltas.values()].filter((d) => Object.values(d.sums).some((v) => v !== 0)), stored, gone };
  }

  private async write(trx: DbOrTx, p: Prepared): Promise<void> {
    for (const part of repo.chunks(p.gone)) await trx.deleteFrom('kpi_facts').where('ticket_id', 'in', part).execute();
    await repo.addDaily(trx, p.deltas);
    await repo.saveFacts(trx, p.stored);
  }
}

interface Pending {
  old: { facts: TicketFacts; days: DayMeasures }[];
  current: repo.FactsWithExtras[];
}

interface Prepared {
  deltas: repo.DailyDelta[];
  stored: { ticket_id: number; customer_id: number; facts: string }[];
  gone: number[];
}

type StateRow = Selectable<KpiRollupStateTable>;

/** Runs the rollup every minute on one process (the scheduler's keyed job: one live job across processes). */
export async function scheduleRollup(db: DbOrTx, runAt = Date.now()): Promise<void> {
  await enqueueJob(db, { kind: ROLLUP_JOB, key: ROLLUP_JOB, runAt, maxAttempts: 1_000_000 });
}
