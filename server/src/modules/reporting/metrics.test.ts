import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';
import { MetricsService } from './metrics.service.js';

/**
 * The KPI definitions against a hand-built set of tickets (rows written directly, so every
 * instant is chosen): the 23:30-on-the-31st time-zone edge, cancelled and duplicate tickets
 * excluded, durations from the SLA engine's outcome (pauses excluded), zero denominators; the
 * API's scope and bad input; the Excel export.
 */

const Z = (s: string) => Date.parse(s);
const MIN = 60_000;
const H = 3_600_000;

interface Built {
  shanghai: number;
  berlin: number;
  contractS: number;
  contractB: number;
  desk: number;
  line1: number;
  tickets: Record<string, number>;
}

async function build(db: Db): Promise<Built> {
  const now = Date.now();
  const customer = async (code: string, tz: string, tier: number) =>
    Number((await db.insertInto('customers').values({ code, name: `客户${code}`, tier, time_zone: tz, address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow()).id);
  const shanghai = await customer('SH', 'Asia/Shanghai', 1);
  const berlin = await customer('BE', 'Europe/Berlin', 2);
  const contract = async (customerId: number, code: string) =>
    Number(
      (
        await db
          .insertInto('contracts')
          .values({ customer_id: customerId, code, name: code, starts_on: '2026-01-01', ends_on: '2027-12-31', services: '[]', service_hours: '7x24', calendar_id: '24x7', project_manager_id: null, sla_policy: null, notes: null, created_at: now, updated_at: now, version: 1 })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
  const contractS = await contract(shanghai, 'HT-SH');
  const contractB = await contract(berlin, 'HT-BE');
  const team = async (name: string, kind: string) => Number((await db.insertInto('teams').values({ name, kind, description: null, assignment: 'manual', created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow()).id);
  const desk = await team('服务台', 'desk');
  const line1 = await team('一线', 'line1');
  let seq = 0;
  const tickets: Record<string, number> = {};
  const ticket = async (name: string, v: { customer?: number; contract?: number; kind?: string; priority?: string; reported: string; resolved?: string; closed?: string; cancelled?: string; team?: number | null; state?: string }) => {
    seq++;
    const state = v.state ?? (v.cancelled ? 'cancelled' : v.closed ? 'closed' : v.resolved ? 'resolved' : 'in_progress');
    const id = Number(
      (
        await db
          .insertInto('tickets')
          .values({
            number: `INC-2026-${String(seq).padStart(6, '0')}`,
            kind: v.kind ?? 'incident',
            customer_id: v.customer ?? shanghai,
            contract_id: v.contract ?? contractS,
            contact_id: null,
            site_id: null,
            service: null,
            category: '网络',
            impact: 'high',
            urgency: 'high',
            priority: v.priority ?? 'P2',
            priority_rank: 2,
            title: name,
            description: name,
            channel: 'phone',
            state,
            team_id: v.team === undefined ? desk : v.team,
            assignee_id: null,
            resolution: null,
            reported_at: Z(v.reported),
            created_at: Z(v.reported),
            updated_at: now,
            responded_at: null,
            onsite_at: null,
            resolved_at: v.resolved ? Z(v.resolved) : v.closed ? Z(v.closed) : null,
            closed_at: v.closed ? Z(v.closed) : null,
            cancelled_at: v.cancelled ? Z(v.cancelled) : null,
            sla_due_at: null,
            sla_status: 'none',
            version: 1,
            created_by: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
    tickets[name] = id;
    return id;
  };
  const clock = async (ticketId: number, metric: string, c: { state: string; met?: string; breached?: string; targetMs: number; remainingMs: number }) =>
    db
      .insertInto('ticket_sla')
      .values({
        ticket_id: ticketId,
        metric,
        priority: 'P2',
        calendar_id: '24x7',
        target_ms: c.targetMs,
        state: c.state,
        counting: 0,
        due_at: c.breached ? Z(c.breached) : null,
        remaining_ms: c.remainingMs,
        computed_at: now,
        paused_reason: null,
        warnings_fired: '[]',
        escalations_fired: '[]',
        breached_at: c.breached ? Z(c.breached) : null,
        met_at: c.met ? Z(c.met) : null,
      })
      .execute();
  const event = (ticketId: number, type: string, data: unknown, at = now) => db.insertInto('ticket_events').values({ ticket_id: ticketId, at, type, actor_id: null, visibility: 'internal', data: JSON.stringify(data) }).execute();

  // 23:30 on 31 October in Shanghai is 15:30 UTC: October. Resolved 01:00 on 1 November (local).
  const edge = await ticket('edge', { reported: '2026-10-31T15:30:00Z', resolved: '2026-10-31T17:00:00Z', team: line1 });
  await clock(edge, 'response', { state: 'met', met: '2026-10-31T15:40:00Z', targetMs: 30 * MIN, remainingMs: 20 * MIN });
  await clock(edge, 'resolution', { state: 'met', met: '2026-10-31T17:00:00Z', targetMs: 2 * H, remainingMs: 30 * MIN });
  await event(edge, 'assigned', { teamId: line1 });
  // Cancelled: counts only as cancelled.
  const cancelled = await ticket('cancelled', { reported: '2026-10-10T02:00:00Z', cancelled: '2026-10-10T03:00:00Z' });
  await clock(cancelled, 'response', { state: 'breached', breached: '2026-10-10T02:30:00Z', targetMs: 30 * MIN, remainingMs: -30 * MIN });
  // A duplicate of the edge ticket: not counted at all.
  const dup = await ticket('dup', { reported: '2026-10-12T02:00:00Z', resolved: '2026-10-12T03:00:00Z' });
  await db.insertInto('ticket_links').values([{ ticket_id: dup, other_id: edge, kind: 'duplicates', created_at: now }, { ticket_id: edge, other_id: dup, kind: 'duplicated_by', created_at: now }]).execute();
  // Response breached; resolution met after 1.5 h of SLA time although 25 h passed on the wall
  // clock (the SLA engine paused it while waiting for the customer): the outcome is used as is.
  const paused = await ticket('paused', { reported: '2026-10-15T01:00:00Z', closed: '2026-10-16T02:00:00Z' });
  await clock(paused, 'response', { state: 'breached', breached: '2026-10-15T01:30:00Z', targetMs: 30 * MIN, remainingMs: -60 * MIN });
  await clock(paused, 'resolution', { state: 'met', met: '2026-10-16T02:00:00Z', targetMs: 2 * H, remainingMs: 30 * MIN });
  await event(paused, 'state_changed', { from: 'resolved', to: 'in_progress', action: 'reopen' });
  await db.insertInto('ticket_ratings').values({ ticket_id: paused, customer_id: shanghai, score: 5, comment: null, rated_by: null, rated_at: Z('2026-10-17T02:00:00Z') }).execute();
  // A complaint, resolved on time and rated 2.
  const complaint = await ticket('complaint', { kind: 'complaint', reported: '2026-10-20T02:00:00Z', resolved: '2026-10-20T04:00:00Z' });
  await clock(complaint, 'resolution', { state: 'met', met: '2026-10-20T04:00:00Z', targetMs: 4 * H, remainingMs: 2 * H });
  await db.insertInto('ticket_ratings').values({ ticket_id: complaint, customer_id: shanghai, score: 2, comment: null, rated_by: null, rated_at: Z('2026-10-21T02:00:00Z') }).execute();
  // Berlin: 23:30 on 31 October local is 22:30 UTC (CET since 25 October): October there too.
  await ticket('berlin', { customer: berlin, contract: contractB, reported: '2026-10-31T22:30:00Z' });
  // 00:30 on 1 November in Berlin (23:30 UTC on 31 October): November.
  await ticket('berlinNov', { customer: berlin, contract: contractB, reported: '2026-10-31T23:30:00Z' });
  return { shanghai, berlin, contractS, contractB, desk, line1, tickets };
}

describeDb('reporting metrics', (kind) => {
  let t: TestApp;
  let b: Built;
  let service: MetricsService;
  let adminS: Session;
  let shAdmin: Session;

  beforeAll(async () => {
    t = await createTestApp(kind);
    b = await build(t.database.db);
    service = new MetricsService(t.database.db);
    await insertUser(t.database, { username: 'boss', roles: ['admin'] });
    await insertUser(t.database, { username: 'boss_en', roles: ['admin'], locale: 'en-US' });
    await insertUser(t.database, { username: 'sh_admin', roles: ['customer_admin'], customerId: b.shanghai });
    adminS = await login(t.app, 'boss');
    shAdmin = await login(t.app, 'sh_admin');
  });
  afterAll(async () => t?.close());

  const october = { from: '2026-10-01', to: '2026-10-31' };

  it('computes every definition for October in each customer\'s zone, from the tickets and from the rollup alike', async () => {
    const kpis = ['tickets.opened', 'tickets.cancelled', 'tickets.resolved', 'tickets.closed', 'sla.response.met_rate', 'sla.response.breached', 'sla.resolution.met_rate', 'time.respond.mean', 'time.restore.mean', 'time.restore.p90', 'satisfaction.mean', 'satisfaction.good_rate', 'complaints.count', 'complaints.timely_rate', 'complaints.completion_rate', 'reopen.rate', 'flr.rate', 'backlog.open', 'repair.signed_ontime_rate'];
    const check = async () => {
      const sh = await service.compute({ kpis, customerIds: [b.shanghai], ...october });
      const v = (code: string) => sh.totals[code];
      // edge (23:30 on the 31st), paused, complaint; not the cancelled one, not the duplicate.
      expect(v('tickets.opened')).toEqual({ value: 3, numerator: 3, denominator: 1 });
      expect(v('tickets.cancelled').value).toBe(1);
      // The edge ticket was resolved on 1 November local time: not October's.
      expect(v('tickets.resolved').value).toBe(2);
      expect(v('tickets.closed').value).toBe(1);
      // edge met (23:40 on the 31st local), paused breached; the cancelled ticket's breach does not count.
      expect(v('sla.response.met_rate')).toEqual({ value: 50, numerator: 1, denominator: 2 });
      expect(v('sla.response.breached').value).toBe(1);
      // Resolution clocks that ended in October: paused and complaint (edge's ended 1 November local).
      expect(v('sla.resolution.met_rate')).toEqual({ value: 100, numerator: 2, denominator: 2 });
      expect(v('time.respond.mean')).toEqual({ value: 10 * MIN, numerator: 10 * MIN, denominator: 1 });
      // 1.5 h (paused: the SLA engine's time, not the 25 h on the wall clock) and 2 h.
      expect(v('time.restore.mean')).toEqual({ value: 1.75 * H, numerator: 3.5 * H, denominator: 2 });
      expect(v('time.restore.p90').value).toBe(2 * H);
      expect(v('satisfaction.mean')).toEqual({ value: 3.5, numerator: 7, denominator: 2 });
      expect(v('satisfaction.good_rate').value).toBe(50);
      expect(v('complaints.count').value).toBe(1);
      expect(v('complaints.timely_rate').value).toBe(100);
      expect(v('complaints.completion_rate').value).toBe(100);
      expect(v('reopen.rate')).toEqual({ value: 50, numerator: 1, denominator: 2 });
      // Of the incidents resolved in October (paused), resolved at the desk: 1 of 1.
      expect(v('flr.rate')).toEqual({ value: 100, numerator: 1, denominator: 1 });
      // Unresolved at local midnight after 31 October: the edge ticket (resolved 1 November, 01:00).
      expect(v('backlog.open').value).toBe(1);
      // Zero denominator: null, never NaN or 100 %.
      expect(v('repair.signed_ontime_rate')).toEqual({ value: null, numerator: 0, denominator: 0 });

      const be = await service.compute({ kpis: ['tickets.opened'], customerIds: [b.berlin], ...october });
      expect(be.totals['tickets.opened'].value).toBe(1);
      const months = await service.compute({ kpis: ['tickets.opened', 'tickets.resolved', 'satisfaction.mean'], customerIds: null, from: '2026-09-01', to: '2026-11-30', groupBy: 'month' });
      expect(months.rows.map((r) => [r.key, r.label, r.values['tickets.opened'].value, r.values['tickets.resolved'].value])).toEqual([
        ['2026-09', '2026年9月', 0, 0],
        ['2026-10', '2026年10月', 4, 2],
        ['2026-11', '2026年11月', 1, 1],
      ]);
      expect(months.rows[0].values['satisfaction.mean'].value).toBeNull();
      // The backlog at each month's end: edge and Berlin's October ticket at the end of October; both Berlin tickets at the end of November.
      const backlog = await service.compute({ kpis: ['backlog.open', 'backlog.age.gt30d'], customerIds: null, from: '2026-09-01', to: '2026-11-30', groupBy: 'month' });
      expect(backlog.rows.map((r) => r.values['backlog.open'].value)).toEqual([0, 2, 2]);
      expect(backlog.totals['backlog.open'].value).toBe(2);
      const aged = await service.compute({ kpis: ['backlog.open', 'backlog.age.lt1d', 'backlog.age.gt30d'], customerIds: null, from: '2026-12-01', to: '2026-12-31', groupBy: 'customer' });
      expect(aged.totals['backlog.open'].value).toBe(2);
      expect(aged.totals['backlog.age.gt30d'].value).toBe(2);
      expect(aged.totals['backlog.age.lt1d'].value).toBe(0);
      const byCustomer = await service.compute({ kpis: ['tickets.opened'], customerIds: null, ...october, groupBy: 'customer' });
      expect(Object.fromEntries(byCustomer.rows.map((r) => [r.label, r.values['tickets.opened'].value]))).toEqual({ 客户SH: 3, 客户BE: 1 });
    };
    await check(); // from the tickets (no rollup yet)
    await service.rollup.catchUp();
    expect(await service.rollup.isBuilt()).toBe(true);
    await check(); // from the rollup for these old days
  });

  it('names priority rows by the contract matrix\'s level, with the code (codes differ between contracts)', async () => {
    const contracts = t.database.db.updateTable('contracts').where('id', '=', b.contractS);
    await contracts.set({ sla_policy: JSON.stringify({ matrix: { levels: [{ code: 'P2', name: '高', rank: 2 }] } }) }).execute();
    try {
      const r = await service.compute({ kpis: ['tickets.opened'], customerIds: null, ...october, groupBy: 'priority' });
      expect(r.rows.map((row) => [row.key, row.label])).toEqual([['P2', '高（P2）']]);
    } finally {
      await contracts.set({ sla_policy: null }).execute();
    }
  });

  it('drills down to the tickets behind a figure', async () => {
    const breached = await service.drill(await systemLike(t), { kpi: 'sla.response.met_rate', part: 'denominator', customerIds: [b.shanghai], ...october });
    expect(breached.items.map((i) => i.title).sort()).toEqual(['edge', 'paused']);
    const numerator = await service.drill(await systemLike(t), { kpi: 'sla.response.breached', part: 'numerator', customerIds: null, ...october });
    expect(numerator.items.map((i) => i.title)).toEqual(['paused']);
    const page1 = await service.drill(await systemLike(t), { kpi: 'tickets.opened', part: 'numerator', customerIds: null, ...october, limit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await service.drill(await systemLike(t), { kpi: 'tickets.opened', part: 'numerator', customerIds: null, ...october, limit: 2, cursor: page1.nextCursor! });
    expect([...page1.items, ...page2.items].map((i) => i.title).sort()).toEqual(['berlin', 'complaint', 'edge', 'paused']);
    expect(page2.nextCursor).toBeNull();
    // Read from the source columns' ranges (clocks met, resolutions), checked against the contributions.
    const met = await service.drill(await systemLike(t), { kpi: 'sla.response.met_rate', part: 'numerator', customerIds: [b.shanghai], ...october });
    expect(met.items.map((i) => i.title)).toEqual(['edge']);
    const resolved = await service.drill(await systemLike(t), { kpi: 'tickets.resolved', part: 'numerator', customerIds: null, ...october });
    expect(resolved.items.map((i) => i.title).sort()).toEqual(['complaint', 'paused']);
  });

  it('answers the API within the caller\'s scope, and refuses bad input naming the field', async () => {
    const url = (q: string) => `/api/v1/reporting/metrics?${q}`;
    const ok = await adminS.request({ method: 'GET', url: url('kpis=tickets.opened,satisfaction.mean&from=2026-10-01&to=2026-10-31&groupBy=customer') });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().totals['tickets.opened'].value).toBe(4);
    expect(ok.json().kpis[0]).toEqual({ code: 'tickets.opened', label: '新增工单', unit: 'count' });

    // The customer's admin sees his own customer only, without naming it.
    const own = await shAdmin.request({ method: 'GET', url: url('kpis=tickets.opened&from=2026-10-01&to=2026-10-31') });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().totals['tickets.opened'].value).toBe(3);
    // Another customer's id is answered like one that does not exist.
    const other = await shAdmin.request({ method: 'GET', url: url(`kpis=tickets.opened&from=2026-10-01&to=2026-10-31&customerId=${b.berlin}`) });
    const missing = await shAdmin.request({ method: 'GET', url: url('kpis=tickets.opened&from=2026-10-01&to=2026-10-31&customerId=999999') });
    expect(other.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(other.json().detail).toBe(missing.json().detail);
    expect(other.body).not.toContain('客户BE');
    const otherContract = await shAdmin.request({ method: 'GET', url: url(`kpis=tickets.opened&from=2026-10-01&to=2026-10-31&contractId=${b.contractB}`) });
    expect(otherContract.statusCode).toBe(404);
    const drillOther = await shAdmin.request({ method: 'GET', url: `/api/v1/reporting/drill?kpi=tickets.opened&from=2026-10-01&to=2026-10-31&customerId=${b.berlin}` });
    expect(drillOther.statusCode).toBe(404);
    const drillOwn = await shAdmin.request({ method: 'GET', url: '/api/v1/reporting/drill?kpi=tickets.opened&from=2026-10-01&to=2026-10-31' });
    expect(drillOwn.json().items.map((i: { title: string }) => i.title).sort()).toEqual(['complaint', 'edge', 'paused']);
    expect((await shAdmin.request({ method: 'GET', url: url('kpis=tickets.opened&from=2026-10-01&to=2026-10-31&groupBy=assignee') })).statusCode).toBe(403);

    // A period that has not ended is fine (partial figures).
    const partial = await adminS.request({ method: 'GET', url: url(`kpis=tickets.opened&from=2026-12-01&to=2099-12-31`) });
    expect(partial.statusCode).toBe(400); // longer than three years
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const thisMonth = await adminS.request({ method: 'GET', url: url(`kpis=tickets.opened&from=${tomorrow.slice(0, 8)}01&to=${tomorrow}`) });
    expect(thisMonth.statusCode, thisMonth.body).toBe(200);
    expect(thisMonth.json().period.ended).toBe(false);

    const bad = async (q: string, field: string) => {
      const res = await adminS.request({ method: 'GET', url: url(q) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field), q).toContain(field);
      return res.json();
    };
    expect((await bad('kpis=tickets.opened&from=2026-11-01&to=2026-10-01', 'from')).errors[0].message).toContain('晚于');
    await bad('kpis=tickets.opened&from=2026-02-30&to=2026-03-31', 'from');
    await bad('kpis=tickets.opened&from=2020-01-01&to=2026-03-31', 'to');
    expect((await bad('kpis=tickets.opened,nope&from=2026-01-01&to=2026-03-31', 'kpis')).errors[0].message).toContain('nope');
    await bad('kpis=tickets.opened&from=2026-01-01&to=2026-03-31&groupBy=planet', 'groupBy');
    await bad('kpis=tickets.opened&from=2026-01-01&to=2026-03-31&customerId=abc', 'customerId');
  });

  it('says a period is over once it has ended in the zones of the customers asked about', async () => {
    const actor = await systemLike(t);
    const q = { kpis: ['tickets.opened'], from: '2026-10-01', to: '2026-10-31' };
    // 00:30 on 1 November in Shanghai is 16:30 UTC on 31 October; Berlin's October has 7.5 hours to go.
    const at = Date.parse('2026-10-31T16:30:00Z');
    expect(await service.periodEnded(actor, { ...q, customerIds: [b.shanghai] }, at)).toBe(true);
    expect(await service.periodEnded(actor, { ...q, customerIds: [b.berlin] }, at)).toBe(false);
    expect(await service.periodEnded(actor, { ...q, customerIds: null }, at)).toBe(false);
    expect(await service.periodEnded(actor, { ...q, customerIds: null }, Date.parse('2026-10-31T23:00:00Z'))).toBe(true);
    expect(await service.periodEnded(actor, { ...q, customerIds: [b.shanghai] }, Date.parse('2026-10-31T15:59:00Z'))).toBe(false);
  });

  it('serves the catalogue and the Excel export with the same figures', async () => {
    const cat = await (await login(t.app, 'boss_en')).request({ method: 'GET', url: '/api/v1/reporting/kpis' });
    expect(cat.statusCode).toBe(200);
    const flr = cat.json().items.find((k: { code: string }) => k.code === 'flr.rate');
    expect(flr).toMatchObject({ label: 'First-line resolution rate', unit: 'percent', better: 'band', target: { min: 30, max: 50 } });

    const res = await adminS.request({ method: 'GET', url: '/api/v1/reporting/metrics.xlsx?kpis=tickets.opened,sla.response.met_rate,satisfaction.good_rate,repair.signed_ontime_rate&from=2026-10-01&to=2026-10-31&groupBy=customer' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('指标')!;
    const rows = ws.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(rows[0]).toEqual(['统计期间', '2026年10月']);
    const header = rows.find((r) => r[0] === '分组')!;
    expect(header).toContain('新增工单');
    expect(header).toContain('响应达标率（%）');
    const sh = rows.find((r) => r[0] === '客户SH')!;
    expect(sh.slice(1, 4)).toEqual([3, 3, 1]);
    expect(sh.slice(4, 7)).toEqual([50, 1, 2]);
    const total = rows.find((r) => r[0] === '合计')!;
    expect(total[total.length - 3]).toBe('—');
    expect(wb.getWorksheet('指标定义')).toBeDefined();
  });
});

/** An actor who sees every customer (the service's scoped entry points need one). */
async function systemLike(_t: TestApp) {
  const { systemActor } = await import('../../platform/auth/actor.js');
  return systemActor('test', ['reports.read']);
}
