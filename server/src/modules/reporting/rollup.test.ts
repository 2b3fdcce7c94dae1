import { afterAll, beforeAll, expect, it } from 'vitest';
import { MEASURES, emptySums, addSums } from '../../core/reporting/kpis.js';
import { addEncodedHist } from '../../core/reporting/histogram.js';
import { contributions, rollupRows } from '../../core/reporting/contributions.js';
import { describeDb } from '../../test/harness.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import * as repo from './metrics.repo.js';
import { MetricsService } from './metrics.service.js';
import { RollupService } from './rollup.service.js';

/**
 * The incremental rollup equals a full recomputation: a random (seeded) sequence of creates,
 * dispatches, resolutions, reopenings, cancellations, ratings, duplicate links, edits that move
 * a ticket between dimensions and backdated edits written straight to the rows, with the
 * rollup run at random points (watermark kept exact: no lag, so only real change detection
 * finds the changes), ends with `kpi_daily` identical to the sums of every ticket's
 * contributions computed afresh.
 */

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function fullRecomputation(w: TicketWorld) {
  const db = w.t.database.db;
  const ids = (await db.selectFrom('tickets').select('id').execute()).map((r) => Number(r.id));
  const rows = new Map<string, Record<string, number | string>>();
  for (const f of await repo.loadFacts(db, ids)) {
    for (const r of rollupRows(f, contributions(f))) {
      const k = [r.dim, r.customerId, r.day, r.contractId, r.key].join('|');
      const row = rows.get(k) ?? { dim: r.dim, customer_id: r.customerId, day: r.day, contract_id: r.contractId, key: r.key, ...emptySums() };
      addSums(row as never, r.measures);
      rows.set(k, row);
    }
  }
  return [...rows.entries()]
    .filter(([, r]) => MEASURES.some((m) => r[m] !== 0))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => r);
}

/** A stored row as plain numbers: its appended histogram entries added up into bucket keys (`h:reso:17`), as readers do. */
function plain<T extends { customer_id: number; contract_id: number; resp_hist: string | null; reso_hist: string | null }>(r: T) {
  const { resp_hist, reso_hist, ...rest } = r;
  const buckets: Record<string, number> = {};
  addEncodedHist(buckets, 'resp', resp_hist);
  addEncodedHist(buckets, 'reso', reso_hist);
  return { ...rest, customer_id: Number(r.customer_id), contract_id: Number(r.contract_id), ...Object.fromEntries(MEASURES.map((m) => [m, Number(r[m as keyof T])])), ...buckets };
}

async function stored(w: TicketWorld) {
  const rows = await repo.allDaily(w.t.database.db);
  return rows
    .map(plain)
    .sort((a, b) => ([a.dim, a.customer_id, a.day, a.contract_id, a.key].join('|') < [b.dim, b.customer_id, b.day, b.contract_id, b.key].join('|') ? -1 : 1));
}

/** `kpi_monthly` must be the sums of `kpi_daily` by month. */
async function expectMonthlyMatchesDaily(w: TicketWorld) {
  const byMonth = new Map<string, Record<string, number | string>>();
  for (const r of await stored(w)) {
    const month = String(r.day).slice(0, 7);
    const k = [r.dim, r.customer_id, month, r.contract_id, r.key].join('|');
    const row = byMonth.get(k) ?? { dim: r.dim, customer_id: r.customer_id, month, contract_id: r.contract_id, key: r.key, ...emptySums() };
    for (const m of Object.keys(r)) if (MEASURES.includes(m as never) || m.startsWith('h:')) row[m] = Number(row[m] ?? 0) + Number((r as Record<string, unknown>)[m]);
    byMonth.set(k, row);
  }
  const expected = [...byMonth.entries()].filter(([, r]) => MEASURES.some((m) => r[m] !== 0)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
  const monthly = (await repo.allMonthly(w.t.database.db))
    .map(plain)
    .sort((a, b) => ([a.dim, a.customer_id, a.month, a.contract_id, a.key].join('|') < [b.dim, b.customer_id, b.month, b.contract_id, b.key].join('|') ? -1 : 1));
  expect(monthly).toEqual(expected);
}

describeDb('reporting rollup', (kind) => {
  let w: TicketWorld;
  beforeAll(async () => {
    w = await ticketWorld(kind);
  });
  afterAll(async () => w?.t.close());

  it('equals a full recomputation after a random sequence of changes', { timeout: 180_000 }, async () => {
    const rand = rng(kind === 'sqlite' ? 11 : 23);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const rollup = new RollupService(w.t.database.db, 0);
    const db = w.t.database.db;
    const ids: number[] = [];
    const state = new Map<number, string>();
    const refresh = async (id: number) => state.set(id, (await db.selectFrom('tickets').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state);
    await rollup.catchUp();
    for (let step = 0; step < 70; step++) {
      const r = rand();
      if (r < 0.25 || ids.length < 3) {
        const org = rand() < 0.7 ? w.a : w.b;
        const t = await createTicket(w.desk, report(org, { kind: pick(['incident', 'incident', 'request', 'complaint', 'consultation']), category: pick(['网络', '服务器', null]), teamId: org === w.a ? pick([w.teams.desk, w.teams.line1]) : w.teams.desk }, Math.floor(rand() * 4 * 1440)));
        ids.push(t.id);
        await refresh(t.id);
      } else {
        const id = pick(ids);
        const s = state.get(id)!;
        const session = s === 'assigned' ? w.desk : w.desk;
        if (s === 'new' || s === 'assigned') await act(session, id, 'assign', { teamId: w.teams.desk, assigneeId: w.users.desk }).then(() => act(w.desk, id, 'accept'));
        else if (s === 'accepted' || s === 'in_progress') {
          const choice = rand();
          if (choice < 0.6) await act(w.desk, id, 'resolve', { resolution: '已处理' });
          else if (choice < 0.8) await act(w.desk, id, 'cancel', { reason: '重复报障' });
          else await act(w.desk, id, 'wait_customer', { reason: '等客户' });
        } else if (s === 'waiting_customer') await act(w.desk, id, 'resume');
        else if (s === 'resolved') {
          const choice = rand();
          const customer = (await db.selectFrom('tickets').select('customer_id').where('id', '=', id).executeTakeFirstOrThrow()).customer_id;
          const cust = Number(customer) === w.a.customerId ? w.custA : w.custB;
          if (choice < 0.4) await cust.request({ method: 'POST', url: `/api/v1/tickets/${id}/rating`, payload: { score: 1 + Math.floor(rand() * 5) } });
          else if (choice < 0.7) await act(w.desk, id, 'reopen', { reason: '未解决' });
          else await act(w.desk, id, 'close', { reason: '客户电话确认' });
        } else if (s === 'closed' && rand() < 0.5) {
          const other = pick(ids.filter((x) => x !== id));
          await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${other}/links`, payload: { otherId: id, kind: 'duplicated_by' } });
        }
        await refresh(id);
      }
      if (rand() < 0.15 && ids.length) {
        // A backdated edit written straight to the row (an import, a correction by SQL): the reported day moves back.
        const id = pick(ids);
        await db.updateTable('tickets').set({ reported_at: Date.now() - Math.floor(rand() * 20) * 86_400_000 - 3_600_000, updated_at: Date.now() }).where('id', '=', id).where('resolved_at', 'is', null).execute();
      }
      if (rand() < 0.1 && ids.length) {
        // An edit that moves the ticket to another category (and, by impact, priority).
        const id = pick(ids);
        const t = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));
        if (!['closed', 'cancelled'].includes(t.state)) await w.desk.request({ method: 'PATCH', url: `/api/v1/tickets/${id}`, payload: { version: t.version, category: pick(['存储', '桌面', '网络']), impact: pick(['high', 'low']) } });
      }
      if (rand() < 0.3) await rollup.run();
      if (rand() < 0.1) await w.t.app.scheduler.drain();
    }
    await rollup.catchUp();
    const expected = await fullRecomputation(w);
    expect(expected.length).toBeGreaterThan(20);
    expect(await stored(w)).toEqual(expected);
    // Changes that leave no timeline entry are found by their row's time: a backdated edit, and
    // a clock recomputed (as after a policy change) that now says breached.
    const [open] = ids.filter((id) => !['resolved', 'closed', 'cancelled'].includes(state.get(id)!));
    const lastResolved = ids.filter((id) => state.get(id) === 'resolved' || state.get(id) === 'closed').pop()!;
    await db.updateTable('tickets').set({ reported_at: Date.now() - 9 * 86_400_000, updated_at: Date.now() }).where('id', '=', open).execute();
    await db.updateTable('ticket_sla').set({ state: 'breached', breached_at: Date.now() - 3_600_000, computed_at: Date.now() }).where('ticket_id', '=', lastResolved).where('metric', '=', 'resolution').execute();
    await rollup.run();
    expect(await stored(w)).toEqual(await fullRecomputation(w));
    await expectMonthlyMatchesDaily(w);

    // The metrics read through the rollup agree with the tickets (a fresh service on an unbuilt
    // rollup), also with changes the rollup has not run for yet (read as its pending delta).
    const late = await createTicket(w.desk, report(w.a, { category: '存储' }, 90));
    await act(w.desk, late.id, 'assign', { teamId: w.teams.desk, assigneeId: w.users.desk });
    await act(w.desk, ids[0], 'cancel', { reason: '重复报障' });
    const q = { kpis: ['tickets.opened', 'tickets.resolved', 'tickets.cancelled', 'sla.response.met_rate', 'sla.resolution.met_rate', 'satisfaction.mean', 'reopen.rate', 'flr.rate'], customerIds: null, from: new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10), to: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10), groupBy: 'day' as const };
    // By day (daily rows), and by kind over 40 days (the days before the first whole month, the whole month, the days after).
    const q2 = { ...q, groupBy: 'kind' as const };
    const viaRollup = await new MetricsService(db).compute(q);
    const viaRollup2 = await new MetricsService(db).compute(q2);
    await db.deleteFrom('kpi_rollup_state').execute();
    const live = await new MetricsService(db).compute(q);
    expect(viaRollup).toEqual(live);
    expect(viaRollup2).toEqual(await new MetricsService(db).compute(q2));
    expect(live.totals['tickets.opened'].value).toBeGreaterThan(0);
  });

  it('rebuilds in chunks and then follows changes', async () => {
    const db = w.t.database.db;
    const rollup = new RollupService(db, 0);
    await rollup.rebuild();
    expect(await rollup.isBuilt()).toBe(false);
    await rollup.catchUp();
    expect(await rollup.isBuilt()).toBe(true);
    expect(await stored(w)).toEqual(await fullRecomputation(w));
    const t = await createTicket(w.desk, report(w.a, {}, 5));
    const r = await rollup.run();
    expect(r).toMatchObject({ mode: 'incremental', more: false });
    expect(r.tickets).toBeGreaterThanOrEqual(1);
    expect((await repo.factsOf(db, [t.id])).has(t.id)).toBe(true);
    expect(await stored(w)).toEqual(await fullRecomputation(w));
  });
});
