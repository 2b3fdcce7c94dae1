import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, fanOutQueued } from '../../test/harness.js';
import { createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { localDay } from '../../core/parts/index.js';
import { zonedToInstant } from '../../core/calendar/index.js';
import { PartsService, STANDIN_JOB, standinJobKey } from './service.js';

const V1 = '/api/v1';
const fields = (res: LightMyRequestResponse) => (res.json().errors ?? []).map((e: { field: string }) => e.field);
const pdfText = (bytes: Buffer) => {
  const file = path.join(os.tmpdir(), `parts-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.unlinkSync(file);
  }
};

describeDb('spare parts', (kind) => {
  let w: TicketWorld;
  let depot: number;
  let storeA: number;
  let storeB: number;
  let disk: { id: number; version: number };
  let memory: { id: number };
  let toner: { id: number };
  let laptop: { id: number };
  let ticketA: number;
  let ticketB: number;
  const post = (s = w.admin, url: string, payload: unknown) => s.request({ method: 'POST', url: `${V1}${url}`, payload: payload as Record<string, unknown> });
  const get = (s = w.admin, url: string) => s.request({ method: 'GET', url: `${V1}${url}` });
  const stockOf = async (warehouseId: number, modelId: number) => (ok(await get(w.admin, `/part-stock?warehouseId=${warehouseId}&modelId=${modelId}`)) as Array<{ quantity: number }>)[0]?.quantity ?? 0;
  const notified = async (event: string) => {
    await fanOutQueued(w.t.database);
    return w.t.database.db.selectFrom('notifications').select(['user_id', 'title']).where('event', '=', event).execute();
  };

  beforeAll(async () => {
    w = await ticketWorld(kind);
    depot = ok(await post(w.admin, '/warehouses', { name: '总部备件库', kind: 'depot' }), 201).id;
    storeA = ok(await post(w.admin, '/warehouses', { name: 'A 现场库', kind: 'customer', customerId: w.a.customerId, siteId: w.a.siteId }), 201).id;
    storeB = ok(await post(w.admin, '/warehouses', { name: 'B 现场库', kind: 'customer', customerId: w.b.customerId }), 201).id;
    disk = ok(await post(w.admin, '/part-models', { type: '硬盘', brand: 'HPE', model: '600G SAS 10K', unit: '块', serialTracked: true }), 201);
    memory = ok(await post(w.admin, '/part-models', { type: '内存', brand: '金士顿', model: '32G DDR4', unit: '条' }), 201);
    toner = ok(await post(w.admin, '/part-models', { type: '硒鼓', brand: 'HP', model: 'CF228A', unit: '个' }), 201);
    laptop = ok(await post(w.admin, '/part-models', { type: '备机', brand: '联想', model: 'ThinkPad E14', unit: '台', standin: true }), 201);
    ticketA = (await createTicket(w.desk, report(w.a))).id;
    ticketB = (await createTicket(w.desk, report(w.b))).id;
  }, 90_000);
  afterAll(() => w?.t.close());

  it('models: unique type + brand + model, NUL bytes and missing fields refused naming the field, desk may only read', async () => {
    const dup = await post(w.admin, '/part-models', { type: '硬盘', brand: 'HPE', model: '600G SAS 10K', unit: '块' });
    expect(dup.statusCode).toBe(409);
    expect(fields(dup)).toEqual(['model']);
    expect(dup.json().title).toContain('已存在');
    const nul = await post(w.admin, '/part-models', { type: '硬\u0000盘', model: 'X', unit: '块' });
    expect(nul.statusCode).toBe(400);
    expect(fields(nul)).toContain('type');
    const missing = await post(w.admin, '/part-models', { type: '硬盘', unit: '块' });
    expect(fields(missing)).toEqual(['model']);
    expect((await post(w.desk, '/part-models', { type: '键盘', model: 'K1', unit: '个' })).statusCode).toBe(403);
    expect(ok(await get(w.desk, '/part-models')).length).toBe(4);
    // A stand-in is always serial-tracked.
    expect(ok(await get(w.admin, '/part-models?q=ThinkPad'))[0]).toMatchObject({ standin: true, serialTracked: true });
    const patched = ok(await w.admin.request({ method: 'PATCH', url: `${V1}/part-models/${toner.id}`, payload: { version: 1, description: '打印机 M427 用' } }));
    expect(patched.version).toBe(2);
    expect((await w.admin.request({ method: 'PATCH', url: `${V1}/part-models/${toner.id}`, payload: { version: 1, description: '旧' } })).statusCode).toBe(409);
  });

  it('warehouses: a store needs its customer; scoped staff see the depot and their customers\' stores only; customers see no parts', async () => {
    const noCustomer = await post(w.admin, '/warehouses', { name: '无主库', kind: 'customer' });
    expect(fields(noCustomer)).toEqual(['customerId']);
    const depotWithCustomer = await post(w.admin, '/warehouses', { name: '错', kind: 'depot', customerId: w.a.customerId });
    expect(fields(depotWithCustomer)).toEqual(['customerId']);
    const wrongSite = await post(w.admin, '/warehouses', { name: 'B 库', kind: 'customer', customerId: w.b.customerId, siteId: w.a.siteId });
    expect(fields(wrongSite)).toEqual(['siteId']);
    const seen = (ok(await get(w.eng, '/warehouses')) as Array<{ id: number }>).map((x) => x.id);
    expect(seen).toContain(depot);
    expect(seen).toContain(storeA);
    expect(seen).not.toContain(storeB);
    expect((await w.eng.request({ method: 'PATCH', url: `${V1}/warehouses/${storeB}`, payload: { name: '改' } })).statusCode).toBe(404);
    expect((await get(w.custA, '/part-stock')).statusCode).toBe(403);
    expect((await get(w.custA, '/part-movements')).statusCode).toBe(403);
  });

  it('stock in: serials for tracked models (count, repeats and duplicates named), zero, negative and huge quantities refused', async () => {
    const wrongCount = await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: disk.id, quantity: 2, serials: ['D-1'] });
    expect(fields(wrongCount)).toEqual(['serials']);
    const repeated = await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: disk.id, quantity: 2, serials: ['D-1', 'D-1'] });
    expect(fields(repeated)).toEqual(['serials[1]']);
    const untracked = await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: memory.id, quantity: 1, serials: ['M-1'] });
    expect(fields(untracked)).toEqual(['serials']);
    for (const quantity of [0, -1, 1_000_000_000, 1.5, '3']) {
      const bad = await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: memory.id, quantity });
      expect(bad.statusCode, String(quantity)).toBe(400);
      expect(fields(bad)).toEqual(['quantity']);
    }
    const nul = await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: memory.id, quantity: 1, note: 'a\u0000b' });
    expect(fields(nul)).toEqual(['note']);
    const slip = ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: disk.id, quantity: 3, serials: ['D-1', 'D-2', 'D-3'] }), 201);
    expect(slip.number).toMatch(/^RK-\d{6}-\d{4}$/);
    expect(slip.movements).toHaveLength(3);
    const dup = await post(w.admin, '/part-movements/stock-in', { warehouseId: storeA, modelId: disk.id, quantity: 2, serials: ['D-9', 'D-2'] });
    expect(dup.statusCode).toBe(400);
    expect(fields(dup)).toEqual(['serials[1]']);
    expect(dup.json().errors[0].message).toContain('D-2');
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: memory.id, quantity: 10 }), 201);
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: storeA, modelId: toner.id, quantity: 5 }), 201);
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: storeB, modelId: toner.id, quantity: 5 }), 201);
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: laptop.id, quantity: 1, serials: ['PF-0001'] }), 201);
    expect(await stockOf(depot, disk.id)).toBe(3);
    expect(await stockOf(depot, memory.id)).toBe(10);
  });

  it('requisition (备件领用单): LY number, serials fitted, more than in stock refused naming the line, nothing half-taken', async () => {
    const slip = ok(await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: disk.id, quantity: 1, serials: ['D-1'] }, { modelId: memory.id, quantity: 2 }] }), 201);
    expect(slip.number).toMatch(/^LY-\d{6}-0001$/);
    expect(slip.movements.map((m: { kind: string; quantity: number; serial: string | null }) => [m.kind, m.quantity, m.serial])).toEqual([['requisition', 1, 'D-1'], ['requisition', 2, null]]);
    expect(slip.movements[0].customerId).toBe(w.a.customerId);
    const item = (ok(await get(w.eng, '/part-items?q=D-1')) as Array<{ state: string; ticketId: number }>)[0];
    expect(item).toMatchObject({ state: 'fitted', ticketId: ticketA });
    const tooMany = await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: disk.id, quantity: 1, serials: ['D-2'] }, { modelId: memory.id, quantity: 9 }] });
    expect(tooMany.statusCode).toBe(400);
    expect(fields(tooMany)).toEqual(['lines[1].quantity']);
    expect(tooMany.json().errors[0].message).toContain('现有 8');
    // The disk of line 0 was not taken either.
    expect(await stockOf(depot, disk.id)).toBe(2);
    expect(await stockOf(depot, memory.id)).toBe(8);
    for (const quantity of [0, -2, 100_001, 2 ** 53]) {
      const bad = await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: memory.id, quantity }] });
      expect(bad.statusCode, String(quantity)).toBe(400);
      expect([...new Set(fields(bad))]).toEqual(['lines[0].quantity']);
    }
    const nulSerial = await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: disk.id, quantity: 1, serials: ['D-\u00002'] }] });
    expect(nulSerial.statusCode).toBe(400);
    expect(fields(nulSerial)).toEqual(['lines[0].serials[0]']);
    expect(fields(await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: depot, lines: [] }))).toEqual(['lines']);
    const notThere = await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: disk.id, quantity: 1, serials: ['D-1'] }] });
    expect(fields(notThere)).toEqual(['lines[0].serials[0]']);
    const second = ok(await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: storeA, lines: [{ modelId: toner.id, quantity: 1 }] }), 201);
    expect(second.number).toMatch(/-0002$/);
    const pdf = await get(w.eng, `/part-requisitions/${slip.movements[0].id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('备件领用单');
    expect(text).toContain(slip.number);
    expect(text).toContain('D-1');
    expect(text).toContain('客户签字确认');
  });

  it("another customer's ticket or warehouse is refused naming the field", async () => {
    const foreignTicket = await post(w.eng, '/part-requisitions', { ticketId: ticketB, warehouseId: depot, lines: [{ modelId: memory.id, quantity: 1 }] });
    expect(foreignTicket.statusCode).toBe(400);
    expect(fields(foreignTicket)).toEqual(['ticketId']);
    const foreignStore = await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: storeB, lines: [{ modelId: toner.id, quantity: 1 }] });
    expect(fields(foreignStore)).toEqual(['warehouseId']);
    // Staff who see both customers still cannot take B's store's parts for A's ticket.
    const otherStore = await post(w.admin, '/part-requisitions', { ticketId: ticketA, warehouseId: storeB, lines: [{ modelId: toner.id, quantity: 1 }] });
    expect(fields(otherStore)).toEqual(['warehouseId']);
    expect(otherStore.json().errors[0].message).toContain('其他客户');
    const crossTransfer = await post(w.admin, '/part-movements/transfer', { fromWarehouseId: storeA, toWarehouseId: storeB, modelId: toner.id, quantity: 1 });
    expect(fields(crossTransfer)).toEqual(['toWarehouseId']);
    expect(await stockOf(storeB, toner.id)).toBe(5);
    // B's movements are not in the engineer's ledger.
    const ledger = ok(await get(w.eng, '/part-movements?limit=200')).items as Array<{ customerId: number | null }>;
    expect(ledger.every((m) => m.customerId === null || m.customerId === w.a.customerId)).toBe(true);
    expect((await get(w.eng, `/tickets/${ticketB}/part-movements`)).statusCode).toBe(404);
  });

  it('the last unit requisitioned twice at once: exactly one wins, the stock never goes negative', async () => {
    const model = ok(await post(w.admin, '/part-models', { type: '电源模块', brand: 'Dell', model: '750W', unit: '个' }), 201);
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: model.id, quantity: 1 }), 201);
    const body = { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: model.id, quantity: 1 }] };
    const results = await Promise.all([post(w.eng, '/part-requisitions', body), post(w.eng2, '/part-requisitions', body)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
    const loser = results.find((r) => r.statusCode === 400)!;
    expect(fields(loser)).toEqual(['lines[0].quantity']);
    expect(await stockOf(depot, model.id)).toBe(0);
    const numbers = results.filter((r) => r.statusCode === 201).map((r) => r.json().number);
    expect(new Set(numbers).size).toBe(1);
    // And two at once for a serial-tracked last unit.
    const single = ok(await post(w.admin, '/part-models', { type: '硬盘', brand: 'Dell', model: '1.2T SAS', unit: '块', serialTracked: true }), 201);
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: depot, modelId: single.id, quantity: 1, serials: ['ONLY-1'] }), 201);
    const b2 = { ticketId: ticketA, warehouseId: depot, lines: [{ modelId: single.id, quantity: 1, serials: ['ONLY-1'] }] };
    const r2 = await Promise.all([post(w.eng, '/part-requisitions', b2), post(w.eng2, '/part-requisitions', b2)]);
    expect(r2.map((r) => r.statusCode).sort()).toEqual([201, 400]);
    expect(await stockOf(depot, single.id)).toBe(0);
  });

  it('minimum stock: told once when it goes under, again only after it was topped up', async () => {
    const min = ok(await w.eng.request({ method: 'PUT', url: `${V1}/part-stock/minimum`, payload: { warehouseId: storeA, modelId: toner.id, minQuantity: 4 } }));
    expect(min).toMatchObject({ quantity: 4, minQuantity: 4, low: false });
    const before = (await notified('parts.low_stock')).length;
    ok(await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: storeA, lines: [{ modelId: toner.id, quantity: 1 }] }), 201);
    const first = await notified('parts.low_stock');
    const users = first.slice(before).map((n) => n.user_id);
    // The parts managers (admin: parts.write with every customer) and A's project manager.
    expect(users.sort()).toEqual([w.users.pm, (await w.t.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id].map(Number).sort());
    expect(first[first.length - 1].title).toContain('A 现场库');
    ok(await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: storeA, lines: [{ modelId: toner.id, quantity: 1 }] }), 201);
    expect((await notified('parts.low_stock')).length).toBe(first.length);
    const low = ok(await get(w.eng, `/part-stock?low=1&warehouseId=${storeA}`)) as Array<{ modelId: number; alertedAt: string | null; low: boolean }>;
    expect(low.find((s) => s.modelId === toner.id)).toMatchObject({ low: true });
    ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: storeA, modelId: toner.id, quantity: 5 }), 201);
    const topped = (ok(await get(w.eng, `/part-stock?warehouseId=${storeA}&modelId=${toner.id}`)) as Array<{ alertedAt: string | null; quantity: number }>)[0];
    expect(topped).toMatchObject({ alertedAt: null, quantity: 7 });
    ok(await post(w.eng, '/part-requisitions', { ticketId: ticketA, warehouseId: storeA, lines: [{ modelId: toner.id, quantity: 4 }] }), 201);
    expect((await notified('parts.low_stock')).length).toBe(first.length + users.length);
  });

  it('returns, transfer, adjustment and scrap keep the books right', async () => {
    // The faulty disk taken out of A's server comes back: state faulty, not usable stock.
    const faulty = ok(await post(w.eng, '/part-movements/return-faulty', { ticketId: ticketA, warehouseId: depot, modelId: disk.id, quantity: 1, serials: ['OLD-77'] }), 201);
    expect(faulty.number).toMatch(/^HS-/);
    const old = (ok(await get(w.eng, '/part-items?q=OLD-77')) as Array<{ state: string }>)[0];
    expect(old.state).toBe('faulty');
    expect(await stockOf(depot, disk.id)).toBe(2);
    // Unused memory goes back; more than the ticket holds is refused.
    const tooMuch = await post(w.eng, '/part-movements/return-unused', { ticketId: ticketA, warehouseId: depot, modelId: memory.id, quantity: 3 });
    expect(fields(tooMuch)).toEqual(['quantity']);
    ok(await post(w.eng, '/part-movements/return-unused', { ticketId: ticketA, warehouseId: depot, modelId: memory.id, quantity: 1 }), 201);
    expect(await stockOf(depot, memory.id)).toBe(9);
    // Transfer the depot's disk D-2 to A's store.
    const tr = ok(await post(w.eng, '/part-movements/transfer', { fromWarehouseId: depot, toWarehouseId: storeA, modelId: disk.id, quantity: 1, serials: ['D-2'] }), 201);
    expect(tr.movements[0]).toMatchObject({ fromWarehouseId: depot, toWarehouseId: storeA, customerId: w.a.customerId });
    expect(await stockOf(storeA, disk.id)).toBe(1);
    // A count finds 7 memory modules, not 9: the books follow, with the reason.
    const noReason = await post(w.eng, '/part-movements/adjust', { warehouseId: depot, modelId: memory.id, counted: 7 });
    expect(fields(noReason)).toEqual(['reason']);
    const adj = ok(await post(w.eng, '/part-movements/adjust', { warehouseId: depot, modelId: memory.id, counted: 7, reason: '季度盘点短缺 2 条' }), 201);
    expect(adj.movements[0].quantity).toBe(-2);
    expect(await stockOf(depot, memory.id)).toBe(7);
    expect(fields(await post(w.eng, '/part-movements/adjust', { warehouseId: depot, modelId: memory.id, counted: -1, reason: 'x' }))).toEqual(['counted']);
    expect(fields(await post(w.eng, '/part-movements/adjust', { warehouseId: depot, modelId: disk.id, counted: 1, reason: 'x' }))).toEqual(['modelId']);
    // Scrap the faulty disk and one memory module.
    ok(await post(w.eng, '/part-movements/scrap', { warehouseId: depot, modelId: disk.id, quantity: 1, serials: ['OLD-77'], reason: '无法修复' }), 201);
    expect(await stockOf(depot, disk.id)).toBe(1);
    const scrapTooMany = await post(w.eng, '/part-movements/scrap', { warehouseId: depot, modelId: memory.id, quantity: 8, reason: '损坏' });
    expect(fields(scrapTooMany)).toEqual(['quantity']);
    ok(await post(w.eng, '/part-movements/scrap', { warehouseId: depot, modelId: memory.id, quantity: 1, reason: '损坏' }), 201);
    expect(await stockOf(depot, memory.id)).toBe(6);
    // Every movement is audited in its transaction.
    const audits = await w.t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'part_movements').execute();
    expect(new Set(audits.map((a) => a.action))).toEqual(new Set(['stock_in', 'requisition', 'return_faulty', 'return_unused', 'transfer', 'adjust', 'scrap']));
  });

  it('stand-in machines (备机): lent until a date, reminded once a day when overdue, returned', async () => {
    const past = await post(w.eng, '/part-movements/lend', { warehouseId: depot, modelId: laptop.id, serial: 'PF-0001', customerId: w.a.customerId, ticketId: ticketA, dueBack: '2020-01-01' });
    expect(fields(past)).toEqual(['dueBack']);
    const notStandin = await post(w.eng, '/part-movements/lend', { warehouseId: depot, modelId: disk.id, serial: 'D-3', customerId: w.a.customerId, dueBack: '2099-01-01' });
    expect(fields(notStandin)).toEqual(['modelId']);
    const foreign = await post(w.eng, '/part-movements/lend', { warehouseId: depot, modelId: laptop.id, serial: 'PF-0001', customerId: w.b.customerId, dueBack: '2099-01-01' });
    expect(fields(foreign)).toEqual(['customerId']);
    const dueBack = localDay(Date.now() + 3 * 86_400_000, 'Asia/Shanghai');
    const lent = ok(await post(w.eng, '/part-movements/lend', { warehouseId: depot, modelId: laptop.id, serial: 'PF-0001', customerId: w.a.customerId, ticketId: ticketA, dueBack, note: '送修期间备用' }), 201);
    expect(lent.number).toMatch(/^JC-/);
    const itemId = lent.movements[0].itemId as number;
    const job = await w.t.database.db.selectFrom('jobs').select(['kind', 'run_at']).where('key', '=', standinJobKey(itemId)).executeTakeFirstOrThrow();
    expect(job.kind).toBe(STANDIN_JOB);
    const dayAfter = localDay(Date.now() + 4 * 86_400_000, 'Asia/Shanghai');
    expect(Number(job.run_at)).toBe(zonedToInstant(dayAfter, '09:00', 'Asia/Shanghai'));
    const out = (ok(await get(w.eng, '/part-items?standin=1&state=lent')) as Array<{ id: number; dueBack: string; customerId: number }>).find((i) => i.id === itemId);
    expect(out).toMatchObject({ dueBack, customerId: w.a.customerId });
    const parts = new PartsService(w.t.database.db);
    const morning = (d: number) => zonedToInstant(localDay(Date.now() + d * 86_400_000, 'Asia/Shanghai'), '09:05', 'Asia/Shanghai');
    expect(await parts.runStandinReminder(itemId, morning(2))).toBe(false);
    const before = (await notified('parts.standin_overdue')).length;
    expect(await parts.runStandinReminder(itemId, morning(5))).toBe(true);
    expect(await parts.runStandinReminder(itemId, morning(5) + 3_600_000)).toBe(false);
    const told = (await notified('parts.standin_overdue')).slice(before);
    expect(told.map((n) => n.user_id)).toContain(w.users.eng);
    expect(told[0].title).toContain('已逾期 2 天');
    expect(await parts.runStandinReminder(itemId, morning(6))).toBe(true);
    const back = ok(await post(w.eng, `/part-items/${itemId}/return`, { warehouseId: depot, note: '原机已修复' }), 201);
    expect(back.number).toMatch(/^GH-/);
    expect(await stockOf(depot, laptop.id)).toBe(1);
    expect(await parts.runStandinReminder(itemId, morning(7))).toBe(false);
    expect(await w.t.database.db.selectFrom('jobs').select('id').where('key', '=', standinJobKey(itemId)).executeTakeFirst()).toBeUndefined();
    expect((await post(w.eng, `/part-items/${itemId}/return`, { warehouseId: depot })).statusCode).toBe(409);
  });

  it('a faulty part goes to the vendor and comes back repaired as usable stock (for modules/repairs)', async () => {
    ok(await post(w.eng, '/part-movements/return-faulty', { ticketId: ticketA, warehouseId: depot, modelId: disk.id, quantity: 1, serials: ['OLD-88'] }), 201);
    const item = (ok(await get(w.eng, '/part-items?q=OLD-88')) as Array<{ id: number }>)[0];
    const parts = new PartsService(w.t.database.db);
    const { AuthService } = await import('../../platform/auth/service.js');
    const auth = new AuthService(w.t.database.db, w.t.config);
    const eng = (await auth.actorForUser(w.users.eng, 'system', null))!;
    await parts.sendToRepair(eng, item.id);
    expect(ok(await get(w.eng, `/part-items/${item.id}`)).state).toBe('in_repair');
    await expect(parts.sendToRepair(eng, item.id)).rejects.toMatchObject({ fields: [{ field: 'itemId', code: 'parts.notFaulty' }] });
    const before = await stockOf(depot, disk.id);
    await parts.backFromRepair(eng, { itemId: item.id, warehouseId: depot, repaired: true });
    expect(ok(await get(w.eng, `/part-items/${item.id}`)).state).toBe('in_stock');
    expect(await stockOf(depot, disk.id)).toBe(before + 1);
  });

  it('the monthly list of a customer: movements in his month, totals, stock to top up, as JSON, Excel and PDF', async () => {
    const month = localDay(Date.now(), 'Asia/Shanghai').slice(0, 7);
    const list = ok(await get(w.eng, `/part-movements/monthly?customerId=${w.a.customerId}&month=${month}`));
    expect(list.movements.length).toBeGreaterThan(5);
    expect(list.movements.every((m: { customerId: number }) => m.customerId === w.a.customerId)).toBe(true);
    expect(list.summary.find((s: { modelId: number }) => s.modelId === toner.id).byKind.requisition).toBe(7);
    expect(list.stock.find((s: { modelId: number; warehouseId: number }) => s.modelId === toner.id && s.warehouseId === storeA)).toMatchObject({ quantity: 3, minQuantity: 4, topUp: 1 });
    expect(fields(await get(w.eng, `/part-movements/monthly?customerId=${w.a.customerId}&month=2026-13`))).toEqual(['month']);
    expect((await get(w.eng, `/part-movements/monthly?customerId=${w.b.customerId}&month=${month}`)).statusCode).toBe(404);
    const xlsx = await get(w.eng, `/part-movements/monthly.xlsx?customerId=${w.a.customerId}&month=${month}`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['出入库明细', '汇总', '库存与补充']);
    expect(wb.getWorksheet('出入库明细')!.rowCount).toBe(list.movements.length + 2);
    const pdf = await get(w.eng, `/part-movements/monthly.pdf?customerId=${w.a.customerId}&month=${month}`);
    expect(pdf.statusCode).toBe(200);
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('备品备件月度清单');
    expect(text).toContain('需补充');
    expect(text).toContain('客户A');
  });

  it("the repair report's parts list: drafted from the ticket's requisitions less what went back", async () => {
    const parts = ok(await get(w.eng, `/tickets/${ticketA}/parts-used`)) as Array<{ name: string; model: string; quantity: number; serial: string | null }>;
    expect(parts).toContainEqual(expect.objectContaining({ name: '硬盘 HPE', model: '600G SAS 10K', quantity: 1, serial: 'D-1' }));
    expect(parts).toContainEqual(expect.objectContaining({ name: '内存 金士顿', model: '32G DDR4', quantity: 1, serial: null }));
    const rep = ok(await post(w.eng, `/tickets/${ticketA}/repair-report`, {}), 201);
    expect(rep.partsUsed).toContainEqual({ name: '硬盘 HPE', model: '600G SAS 10K', quantity: 1, serial: 'D-1' });
    expect(rep.partsUsed).toContainEqual({ name: '内存 金士顿', model: '32G DDR4', quantity: 1, serial: null });
  });
});

describeDb('spare parts demo', (kind) => {
  let w: TicketWorld;
  beforeAll(async () => {
    w = await ticketWorld(kind);
  }, 90_000);
  afterAll(() => w?.t.close());

  it('loads a depot, a store with toner under its minimum, a requisition and a stand-in lent, once', async () => {
    const { loadParts } = await import('../../ops/demo-parts.js');
    const { AuthService } = await import('../../platform/auth/service.js');
    const auth = new AuthService(w.t.database.db, w.t.config);
    const ids = async (name: string) => Number((await w.t.database.db.selectFrom('users').select('id').where('username', '=', name).executeTakeFirstOrThrow()).id);
    const input = {
      customerIds: { hospital: w.a.customerId, tax: w.a.customerId, school: w.b.customerId },
      userIds: new Map([['admin', await ids('admin')], ['engineer', await ids('eng')]]),
      actorOf: async (id: number) => (await auth.actorForUser(id, 'system', null))!,
    };
    const n = await loadParts(w.t.database.db, w.t.config, input);
    expect(n).toBeGreaterThan(10);
    expect(await loadParts(w.t.database.db, w.t.config, input)).toBe(0);
    const low = ok(await w.eng.request({ method: 'GET', url: `${V1}/part-stock?low=1` })) as Array<{ modelLabel: string; quantity: number; minQuantity: number }>;
    expect(low.map((s) => s.modelLabel)).toEqual(['硒鼓 HP CF228A']);
    const lent = ok(await w.eng.request({ method: 'GET', url: `${V1}/part-items?standin=1&state=lent` })) as Array<{ serial: string }>;
    expect(lent.map((i) => i.serial)).toEqual(['PF3KX001']);
    const ledger = ok(await w.eng.request({ method: 'GET', url: `${V1}/part-movements?kind=requisition` })).items as Array<{ number: string }>;
    expect(ledger.length).toBe(3);
  });
});
