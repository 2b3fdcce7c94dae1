import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../../test/harness.js';
import { createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { recordAudit } from '../../platform/audit/service.js';
import { findCjkFont } from '../../platform/pdf/fonts.js';
import { MetricsService } from './metrics.service.js';
import { EvidenceService, checkPeriod } from './evidence/service.js';
import { fixPdf } from './evidence/cmdb.js';

/**
 * The CMDB family in the reporting module (issue #13, docs/KPIS.md, REPORTS.md, EVIDENCE.md):
 * the parts and vendor-repair KPIs from their tables, the 备件与厂商维修 section, the faults by
 * CI, the assets section, and the evidence pack's new files, twice to the same bytes. The worked
 * examples of docs/KPIS.md are this test's October 2026 at 客户A (Asia/Shanghai).
 */
const H = 3_600_000;
const sh = (local: string) => Date.parse(`${local}+08:00`);
const pdfText = (b: Buffer) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: b }).toString('utf8').replace(/\s+/g, '');
const KPIS = ['parts.requisitions', 'parts.standins.overdue', 'vendor.reports.ontime_rate', 'vendor.returns.target_rate', 'vendor.turnaround.mean'];

describeDb('the CMDB family in reports, KPIs and the evidence pack', (kind) => {
  let w: TicketWorld;
  let dataDir: string;
  const tk: Record<string, { id: number; number: string }> = {};
  let campaignId: number;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-cmdb-rep-'));
    w = await ticketWorld(kind, { DATA_DIR: dataDir, PROVIDER_NAME: '华信运维服务有限公司' });
    const db = w.t.database.db;
    const now = Date.now();
    const ticket = async (key: string, org: typeof w.a, title: string, reported: string) => {
      tk[key] = await createTicket(w.desk, report(org, { title }));
      await db.updateTable('tickets').set({ reported_at: sh(reported) }).where('id', '=', tk[key].id).execute();
    };
    await ticket('t1', w.a, 'HIS 服务器硬盘告警', '2026-10-09T09:00:00');
    await ticket('t2', w.a, 'HIS 服务器宕机', '2026-10-25T08:00:00');
    await ticket('t3', w.a, '核心交换机端口故障', '2026-10-31T23:30:00');
    await ticket('tb', w.b, 'MARK-B 客户B的故障', '2026-10-10T10:00:00');

    // CI types (built-in rows when the CMDB module seeded them) and CIs.
    const typeId = async (code: string, zh: string, en: string) => {
      const row = await db.selectFrom('ci_types').select('id').where('code', '=', code).executeTakeFirst();
      if (row) return Number(row.id);
      const r = await db.insertInto('ci_types').values({ code, name_zh: zh, name_en: en, attributes: '[]', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      return Number(r.id);
    };
    const server = await typeId('server_physical', '物理服务器', 'Physical server');
    const network = await typeId('network', '网络设备', 'Network device');
    const room = await typeId('machine_room', '机房', 'Machine room');
    const pc = await typeId('pc', 'PC/终端', 'PC / terminal');
    const ci = async (customerId: number, siteId: number, type: number, code: string, name: string) =>
      Number((await db.insertInto('cis').values({ customer_id: customerId, site_id: siteId, type_id: type, code, name, status: 'in_use', criticality: 2, attributes: '{"cpu":"2×16核"}', serial: `SN-${code}`, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id);
    const srv = await ci(w.a.customerId, w.a.siteId, server, 'SRV-HIS-01', 'HIS 数据库服务器');
    const sw = await ci(w.a.customerId, w.a.siteId, network, 'SW-CORE-01', '核心交换机');
    const mr = await ci(w.a.customerId, w.a.siteId, room, 'MR-01', '一号机房');
    const pc1 = await ci(w.a.customerId, w.a.siteId, pc, 'PC-0001', '收费处电脑');
    const srvB = await ci(w.b.customerId, w.b.siteId, server, 'SRV-B-01', 'MARK-B 服务器');
    const link = (t: string, c: number) => db.insertInto('ticket_cis').values({ ticket_id: tk[t].id, ci_id: c, created_at: now }).execute();
    await link('t1', srv);
    await link('t2', srv);
    await link('t3', sw);
    await link('tb', srvB);

    // Assets: on the register since August; the PC disposed in September. A campaign in September.
    const asset = (ciId: number, no: string, extra: Record<string, unknown> = {}) => db.insertInto('ci_assets').values({ ci_id: ciId, customer_id: w.a.customerId, asset_no: no, created_at: sh('2026-08-01T10:00:00'), updated_at: now, ...extra }).execute();
    await asset(srv, 'ZC-0001', { warranty_end: '2026-11-15' });
    await asset(sw, 'ZC-0002');
    await asset(mr, 'ZC-0003');
    await asset(pc1, 'ZC-0004', { disposed_date: '2026-09-10', disposal: 'scrapped' });
    const camp = await db.insertInto('asset_campaigns').values({ customer_id: w.a.customerId, name: '2026年下半年资产盘点', period: '2026-H2', state: 'closed', total: 4, checked: 4, closed_at: sh('2026-09-20T17:00:00'), created_at: sh('2026-09-01T09:00:00'), updated_at: now }).returning('id').executeTakeFirstOrThrow();
    campaignId = Number(camp.id);
    const item = (ciId: number, result: string) => db.insertInto('asset_campaign_items').values({ campaign_id: campaignId, ci_id: ciId, result, checked_at: sh('2026-09-15T10:00:00') }).execute();
    await item(srv, 'found');
    await item(sw, 'found');
    await item(mr, 'wrong_location');
    await item(pc1, 'missing');

    // Spare parts: a depot and A's own store (a disk under its minimum there).
    const model = async (type: string, m: string, extra: Record<string, unknown> = {}) => Number((await db.insertInto('part_models').values({ type, brand: '联想', model: m, unit: '个', created_at: now, updated_at: now, ...extra }).returning('id').executeTakeFirstOrThrow()).id);
    const disk = await model('硬盘', 'ST2000 2TB');
    const mem = await model('内存', 'DDR4 16G', { unit: '条' });
    const standin = await model('台式机', 'M920t', { unit: '台', standin: 1, serial_tracked: 1 });
    const depot = Number((await db.insertInto('warehouses').values({ name: '总部备件库', kind: 'depot', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id);
    const store = Number((await db.insertInto('warehouses').values({ name: 'A 现场备件柜', kind: 'customer', customer_id: w.a.customerId, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id);
    await db.insertInto('part_stock').values({ warehouse_id: store, model_id: disk, quantity: 1, min_quantity: 3, updated_at: now }).execute();
    await db.insertInto('part_stock').values({ warehouse_id: store, model_id: mem, quantity: 5, min_quantity: 2, updated_at: now }).execute();
    const move = (v: Record<string, unknown>) => db.insertInto('part_movements').values({ quantity: 1, by_name: '李强', model_id: disk, ...v } as never).returning('id').executeTakeFirstOrThrow();
    await move({ number: 'LY-202610-0001', kind: 'requisition', quantity: 2, from_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t1.id, at: sh('2026-10-10T10:00:00') });
    await move({ number: 'LY-202610-0001', kind: 'requisition', model_id: mem, from_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t1.id, at: sh('2026-10-10T10:00:00') });
    await move({ number: 'LY-202610-0002', kind: 'requisition', from_warehouse_id: store, customer_id: w.a.customerId, ticket_id: tk.t2.id, at: sh('2026-10-31T23:30:00') });
    await move({ number: 'LY-202611-0001', kind: 'requisition', from_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t3.id, at: sh('2026-11-01T00:10:00') });
    await move({ number: 'LY-202610-0003', kind: 'requisition', from_warehouse_id: depot, customer_id: w.b.customerId, ticket_id: tk.tb.id, at: sh('2026-10-11T10:00:00') });
    // Stand-ins: S1 lent 10-05 due 10-20, back 10-25 (late); S2 lent 10-15 due 10-28, still out; S3 lent 10-20 due 11-15, still out.
    const itemRow = async (serial: string, state: string, dueBack: string | null) =>
      Number((await db.insertInto('part_items').values({ model_id: standin, serial, state, warehouse_id: state === 'lent' ? null : depot, customer_id: w.a.customerId, due_back: dueBack, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id);
    const s1 = await itemRow('PC-STANDIN-1', 'in_stock', null);
    const s2 = await itemRow('PC-STANDIN-2', 'lent', '2026-10-28');
    const s3 = await itemRow('PC-STANDIN-3', 'lent', '2026-11-15');
    await move({ number: 'JC-202610-0001', kind: 'lend', model_id: standin, item_id: s1, from_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t1.id, at: sh('2026-10-05T10:00:00') });
    await move({ number: 'GH-202610-0001', kind: 'lend_return', model_id: standin, item_id: s1, to_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t1.id, at: sh('2026-10-25T10:00:00') });
    await move({ number: 'JC-202610-0002', kind: 'lend', model_id: standin, item_id: s2, from_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t2.id, at: sh('2026-10-15T10:00:00') });
    await move({ number: 'JC-202610-0003', kind: 'lend', model_id: standin, item_id: s3, from_warehouse_id: depot, customer_id: w.a.customerId, ticket_id: tk.t2.id, at: sh('2026-10-20T10:00:00') });
    // The parts module records the due-back date of a returned stand-in in the return's audit entry.
    await db.transaction().execute((trx) => recordAudit(trx, { userId: null, name: 'test', ip: null }, { action: 'lend_return', entity: 'part_movements', entityId: 'GH-202610-0001', customerId: w.a.customerId, after: { number: 'GH-202610-0001', itemId: s1, dueBack: '2026-10-20' } }, sh('2026-10-25T10:00:00')));

    // Vendor repairs.
    const vendor = Number((await db.insertInto('vendors').values({ name: '联想服务', contacts: '[{"name":"刘工","phone":"400-990-8888"}]', hotline: '400-990-8888', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id);
    const order = async (v: Record<string, unknown>) =>
      Number(
        (
          await db
            .insertInto('repair_orders')
            .values({ customer_id: w.a.customerId, vendor_id: vendor, fault: '硬盘故障', coverage: 'warranty', data_handling: 'backed_up', data_confirmed_at: now, created_at: now, updated_at: now, time_zone: 'Asia/Shanghai', calendar_id: 'cn-5x8', ...v } as never)
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
    // O1: sent Mon 10-12, target Fri 10-23, back 10-22 (on time), accepted; reports due 10-15 (on time) and 10-20 (missed, written late 10-21).
    const o1 = await order({ number: 'SX-202610-0001', ticket_id: tk.t1.id, ci_id: srv, device: 'HIS 数据库服务器 硬盘', state: 'accepted', sent_at: sh('2026-10-12T10:00:00'), target_return: '2026-10-23', returned_at: sh('2026-10-22T15:00:00'), accepted_at: sh('2026-10-23T10:00:00'), reports_overdue: 1 });
    // O2: sent Mon 10-26, target 11-06, still at the vendor; its report due 10-29 written on time.
    const o2 = await order({ number: 'SX-202610-0002', ticket_id: tk.t2.id, device: 'HIS 服务器 电源模块', state: 'sent', sent_at: sh('2026-10-26T10:00:00'), target_return: '2026-11-06', next_report_due_at: sh('2026-11-03T17:00:00') });
    // O3: sent 10-05, target 10-16, back 10-19 (late), not yet tested.
    await order({ number: 'SX-202610-0003', ticket_id: tk.t3.id, device: '核心交换机 光模块', state: 'returned', sent_at: sh('2026-10-05T10:00:00'), target_return: '2026-10-16', returned_at: sh('2026-10-19T10:00:00') });
    // B's order: never in A's figures.
    await order({ number: 'SX-202610-0004', customer_id: w.b.customerId, ticket_id: tk.tb.id, device: 'MARK-B 设备', state: 'returned', sent_at: sh('2026-10-05T10:00:00'), target_return: '2026-10-16', returned_at: sh('2026-10-10T10:00:00') });
    const progress = (orderId: number, at: string, due: string, late: 0 | 1, text: string) => db.insertInto('repair_progress').values({ order_id: orderId, at: sh(at), by_name: '张敏', text, due_at: sh(due), late }).execute();
    await progress(o1, '2026-10-14T16:00:00', '2026-10-15T17:00:00', 0, '厂商已确认故障，备件在途');
    await progress(o1, '2026-10-21T09:00:00', '2026-10-20T17:00:00', 1, '更换硬盘完成，测试中');
    await progress(o2, '2026-10-28T11:00:00', '2026-10-29T17:00:00', 0, '厂商检测中');
    await db.insertInto('repair_events').values({ order_id: o1, at: sh('2026-10-20T17:00:00'), by_name: '系统', type: 'overdue', data: JSON.stringify({ dueAt: new Date(sh('2026-10-20T17:00:00')).toISOString() }) }).execute();
  }, 180_000);
  afterAll(async () => {
    await w?.t.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('computes the parts and vendor-repair KPIs from their tables (the worked examples of docs/KPIS.md)', async () => {
    const m = new MetricsService(w.t.database.db);
    const oct = await m.compute({ kpis: KPIS, customerIds: [w.a.customerId], from: '2026-10-01', to: '2026-10-31' });
    expect(oct.totals['parts.requisitions']).toEqual({ value: 2, numerator: 2, denominator: 1 });
    expect(oct.totals['parts.standins.overdue']).toEqual({ value: 1, numerator: 1, denominator: 1 });
    expect(oct.totals['vendor.reports.ontime_rate'].numerator).toBe(2);
    expect(oct.totals['vendor.reports.ontime_rate'].denominator).toBe(3);
    expect(oct.totals['vendor.reports.ontime_rate'].value).toBeCloseTo(66.667, 2);
    expect(oct.totals['vendor.returns.target_rate']).toEqual({ value: 50, numerator: 1, denominator: 2 });
    expect(oct.totals['vendor.turnaround.mean']).toEqual({ value: ((245 + 336) / 2) * H, numerator: (245 + 336) * H, denominator: 2 });
    // The contract's figures are the customer's (every record is on its one contract); B's alone are B's.
    const byContract = await m.compute({ kpis: KPIS, customerIds: [w.a.customerId], contractId: w.a.contractId, from: '2026-10-01', to: '2026-10-31' });
    expect(byContract.totals).toEqual(oct.totals);
    const b = await m.compute({ kpis: ['parts.requisitions', 'vendor.returns.target_rate'], customerIds: [w.b.customerId], from: '2026-10-01', to: '2026-10-31' });
    expect(b.totals['parts.requisitions'].value).toBe(1);
    expect(b.totals['vendor.returns.target_rate']).toEqual({ value: 100, numerator: 1, denominator: 1 });
    // By month: the slip at 00:10 on 1 November is November's; the overdue stand-ins at each month's end; nothing measured is '—' (null), never 0 %.
    const months = await m.compute({ kpis: KPIS, customerIds: [w.a.customerId], from: '2026-09-01', to: '2026-11-30', groupBy: 'month' });
    const row = (k: string) => months.rows.find((r) => r.key === k)!.values;
    expect([row('2026-09'), row('2026-10'), row('2026-11')].map((v) => v['parts.requisitions'].value)).toEqual([0, 2, 1]);
    expect(row('2026-09')['parts.standins.overdue'].value).toBe(0);
    expect(row('2026-10')['parts.standins.overdue'].value).toBe(1);
    // At the end of November (or now, if earlier) S2 and S3 are both past due (S3 from 16 November).
    expect(row('2026-11')['parts.standins.overdue'].value).toBe(Date.now() >= sh('2026-11-16T00:00:00') ? 2 : 1);
    expect(row('2026-09')['vendor.returns.target_rate'].value).toBeNull();
    expect(row('2026-09')['vendor.turnaround.mean'].value).toBeNull();
    // O2's target (6 November) passed without a return: missed in November.
    expect(row('2026-11')['vendor.returns.target_rate']).toEqual({ value: 0, numerator: 0, denominator: 1 });
  });

  it('serves them through the API with the catalogue, refuses a ticket grouping naming groupBy, and drills to the tickets behind', async () => {
    const cat = ok(await w.admin.request({ method: 'GET', url: '/api/v1/reporting/kpis' }));
    const codes = cat.items.map((k: { code: string }) => k.code);
    for (const c of KPIS) expect(codes).toContain(c);
    expect(cat.items.find((k: { code: string }) => k.code === 'vendor.reports.ontime_rate')).toMatchObject({ label: '送修进度报告及时率', unit: 'percent', additive: false, target: { min: 100 } });
    const q = `from=2026-10-01&to=2026-10-31&customerId=${w.a.customerId}`;
    const res = ok(await w.admin.request({ method: 'GET', url: `/api/v1/reporting/metrics?kpis=${KPIS.join(',')}&${q}` }));
    expect(res.totals['vendor.returns.target_rate'].value).toBe(50);
    const bad = await w.admin.request({ method: 'GET', url: `/api/v1/reporting/metrics?kpis=parts.requisitions,tickets.opened&groupBy=priority&${q}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'groupBy' });
    expect(bad.json().errors[0].message).toContain('parts.requisitions');
    const drill = ok(await w.admin.request({ method: 'GET', url: `/api/v1/reporting/drill?kpi=parts.requisitions&part=numerator&${q}` }));
    expect(drill.items.map((i: { number: string }) => i.number).sort()).toEqual([tk.t1.number, tk.t2.number].sort());
    const late = ok(await w.admin.request({ method: 'GET', url: `/api/v1/reporting/drill?kpi=vendor.returns.target_rate&part=denominator&${q}` }));
    expect(late.items.map((i: { number: string }) => i.number).sort()).toEqual([tk.t1.number, tk.t3.number].sort());
  });

  it('prints the 备件与厂商维修 section and the faults by CI in the monthly repair summary, in PDF, Word and Excel', async () => {
    const pm = w.admin;
    const rep = ok(await pm.request({ method: 'POST', url: '/api/v1/reporting/reports', payload: { contractId: w.a.contractId, type: 'monthly_repair', period: '2026-10' } }), 201);
    const section = rep.sections.find((s: { key: string }) => s.key === 'parts_vendor');
    expect(section).toMatchObject({ hidden: false, unavailable: false, title: '备件与厂商维修' });
    type Block = { type: string; text?: string; title?: string; rows?: Array<Record<string, unknown>>; items?: Array<{ code: string; text: string; ok: boolean | null }> };
    const blocks = section.blocks as Block[];
    expect(blocks[0].text).toBe('本期开具备件领用单 2 张，领用备件 4 件；备机借出 3 台、归还 1 台，期末逾期未还 1 台。本期送修设备 3 台，返回 2 台（按目标日返回 1 台），验收 1 台；期末仍在厂商处 1 台。进度报告应报 3 次，按时 2 次。');
    const kpis = blocks.find((b) => b.type === 'kpis')!.items!;
    expect(Object.fromEntries(kpis.map((k) => [k.code, k.text]))).toEqual({
      'parts.requisitions': '2',
      'parts.standins.overdue': '1',
      'vendor.reports.ontime_rate': '66.7%',
      'vendor.returns.target_rate': '50.0%',
      'vendor.turnaround.mean': '12天2小时',
    });
    expect(kpis.find((k) => k.code === 'vendor.returns.target_rate')!.ok).toBe(false);
    const table = (title: string) => blocks.find((b) => b.type === 'table' && b.title === title)!.rows!;
    expect(table('备件领用单').map((r) => r.number)).toEqual(['LY-202610-0001', 'LY-202610-0002']);
    expect(table('备件领用单')[0]).toMatchObject({ ticket: tk.t1.number, parts: '硬盘 联想 ST2000 2TB ×2；内存 联想 DDR4 16G ×1', at: '2026-10-10 10:00' });
    expect(table('备件领用（按型号）')[0]).toMatchObject({ model: '硬盘 联想 ST2000 2TB', quantity: 3, slips: 2 });
    expect(table('备机借用').map((r) => [r.serial, r.status])).toEqual([
      ['PC-STANDIN-1', '逾期归还'],
      ['PC-STANDIN-2', '逾期 4 天'],
      ['PC-STANDIN-3', '借用中'],
    ]);
    expect(table('客户备件库低于最低库存（生成报告时）')).toEqual([{ warehouse: 'A 现场备件柜', model: '硬盘 联想 ST2000 2TB', quantity: 1, min: 3, topUp: 2 }]);
    const orders = table('设备送修单');
    expect(orders.map((r) => [r.number, r.onTime, r.reports])).toEqual([
      ['SX-202610-0003', '逾期', '0 份'],
      ['SX-202610-0001', '按期', '2 份（逾期 1）；逾期未报 1 次'],
      ['SX-202610-0002', '—', '1 份'],
    ]);
    expect(table('期末仍在厂商处的设备').map((r) => [r.number, r.vendor, r.target, r.days])).toEqual([['SX-202610-0002', '联想服务', '2026-11-06', 5]]);
    expect(blocks.some((b) => b.type === 'chart' && b.title === '厂商维修')).toBe(true);
    expect(JSON.stringify(section)).not.toContain('MARK-B');

    const faults = rep.sections.find((s: { key: string }) => s.key === 'faults').blocks as Block[];
    expect(faults.find((b) => b.title === '故障（按配置项类型）')).toMatchObject({ chart: { categories: ['物理服务器', '网络设备'], series: [{ data: [2, 1] }] } });
    expect(faults.find((b) => b.title === '故障次数最多的配置项')!.rows).toEqual([
      { code: 'SRV-HIS-01', name: 'HIS 数据库服务器', site: 'A 机房', n: 2 },
      { code: 'SW-CORE-01', name: '核心交换机', site: 'A 机房', n: 1 },
    ]);

    const file = async (format: string) => {
      const r = await pm.request({ method: 'GET', url: `/api/v1/reporting/reports/${rep.id}/preview/${format}` });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
      return r.rawPayload;
    };
    const pdf = pdfText(await file('pdf'));
    for (const s of ['备件与厂商维修', 'LY-202610-0001', 'SX-202610-0002', '送修进度报告及时率', '故障次数最多的配置项', 'SRV-HIS-01']) expect(pdf).toContain(s);
    const docx = await (await JSZip.loadAsync(await file('docx'))).file('word/document.xml')!.async('string');
    for (const s of ['备件与厂商维修', 'LY-202610-0002', 'SX-202610-0003', '故障次数最多的配置项']) expect(docx).toContain(s);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await file('xlsx')) as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => cells.push(String(c.value)))));
    for (const s of ['LY-202610-0001', 'SX-202610-0001', 'SW-CORE-01']) expect(cells.join('\n')).toContain(s);
  });

  it('states the asset register by type and the verification campaigns in the quarterly O&M report', async () => {
    const rep = ok(await w.admin.request({ method: 'POST', url: '/api/v1/reporting/reports', payload: { contractId: w.a.contractId, type: 'quarterly_om', period: '2026-Q3' } }), 201);
    const section = rep.sections.find((s: { key: string }) => s.key === 'assets');
    expect(section).toMatchObject({ hidden: false, title: '资产与盘点' });
    expect(section.blocks[0].text).toBe('期末资产台账共 3 项（未处置），其中保修将于期末后 90 天内到期 1 项；本期资产盘点 1 次。');
    expect(section.blocks[1].rows).toEqual([
      { type: '机房', n: 1 },
      { type: '网络设备', n: 1 },
      { type: '物理服务器', n: 1 },
    ]);
    const campaigns = section.blocks.find((b: { title?: string }) => b.title === '资产盘点');
    expect(campaigns.rows).toEqual([{ name: '2026年下半年资产盘点', site: '全部地点', state: '已结束', total: 4, found: 2, missing: 1, differences: 1, pending: 0, closed: '2026-09-20 17:00' }]);
  });

  it('packs the asset register, the campaign, the machine-room devices, the requisition slips and the repair orders, to the same bytes twice', async () => {
    const db = w.t.database.db;
    const service = new EvidenceService(db, findCjkFont({ font: null, fontFamily: null }), { providerName: '华信运维服务有限公司' });
    const customer = await service.customerByRef('A');
    // September and October: the campaign closed in September, the slips and orders are October's.
    const period = checkPeriod(customer, '2026-09-01', '2026-10-31', Date.now());
    const who = { userId: null, name: 'test', ip: null };
    const one = await service.exportToFile(who, customer, period, path.join(dataDir, 'one.zip'));
    // Over a second later: every document drawn again with a new time of drawing.
    await new Promise((r) => setTimeout(r, 1100));
    const two = await service.exportToFile(who, customer, period, path.join(dataDir, 'two.zip'));
    const differ = two.result.files.filter((f, i) => f.sha256 !== one.result.files[i]?.sha256).map((f) => f.path);
    expect(differ).toEqual([]);
    expect(two.result.manifestSha256).toBe(one.result.manifestSha256);
    expect(fs.readFileSync(two.file).equals(fs.readFileSync(one.file))).toBe(true);
    const zip = await JSZip.loadAsync(fs.readFileSync(one.file));
    const names = Object.keys(zip.files);
    for (const f of [
      'assets/asset-register.xlsx',
      `assets/campaign-${campaignId}.pdf`,
      `assets/campaign-${campaignId}.xlsx`,
      'cmdb/machine-room-devices.xlsx',
      'parts/requisitions.xlsx',
      'parts/LY-202610-0001.pdf',
      'parts/LY-202610-0002.pdf',
      'repairs/repair-orders.xlsx',
      'repairs/SX-202610-0001.pdf',
      'repairs/SX-202610-0002.pdf',
      'repairs/SX-202610-0003.pdf',
    ])
      expect(names).toContain(f);
    expect(names).not.toContain('parts/LY-202610-0003.pdf');
    expect(names).not.toContain('parts/LY-202611-0001.pdf');
    expect(names).not.toContain('repairs/SX-202610-0004.pdf');
    const slip = pdfText(await zip.file('parts/LY-202610-0001.pdf')!.async('nodebuffer'));
    expect(slip).toContain('备件领用单');
    expect(slip).toContain('ST2000');
    const order = pdfText(await zip.file('repairs/SX-202610-0001.pdf')!.async('nodebuffer'));
    expect(order).toContain('更换硬盘完成，测试中');
    const sheetText = async (file: string) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await zip.file(file)!.async('nodebuffer')) as unknown as ArrayBuffer);
      const out: string[] = [];
      wb.eachSheet((ws) => ws.eachRow((r) => out.push(r.values ? (r.values as unknown[]).slice(1).map(String).join('|') : '')));
      return out.join('\n');
    };
    const devices = await sheetText('cmdb/machine-room-devices.xlsx');
    expect(devices).toContain('MR-01|一号机房|机房');
    expect(devices).toContain('SRV-HIS-01');
    expect(devices).not.toContain('PC-0001');
    expect(devices).not.toContain('MARK-B');
    expect(await sheetText('assets/asset-register.xlsx')).toContain('ZC-0004');
    expect(await sheetText(`assets/campaign-${campaignId}.xlsx`)).toContain('2026年下半年资产盘点');
    const orders = await sheetText('repairs/repair-orders.xlsx');
    expect(orders).toContain('SX-202610-0002|HIS 服务器 电源模块|联想服务');
    expect(orders).toContain('厂商检测中');
    const index = await zip.file('index.html')!.async('string');
    expect(index).toContain('repairs/repair-orders.xlsx（3 张送修单）');
    expect(index).toContain('cmdb/machine-room-devices.xlsx（3 台）');
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.counts).toMatchObject({ assets: 4, campaigns: 1, devices: 3, requisitionSlips: 2, repairOrders: 3 });
  }, 120_000);

  it('dates a PDF drawn by another module at the pack\'s instant, leaving its length and everything else as it was', () => {
    const at = new Date('2026-11-01T00:00:00Z');
    const raw = Buffer.from('%PDF-1.3\n1 0 obj\n<< /CreationDate 2 0 R /Title (x) >>\nendobj\n2 0 obj\n(D:20261208013045Z)\nendobj\ntrailer\n<< /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\n%%EOF\n', 'latin1');
    const fixed = fixPdf(raw, at);
    expect(fixed.length).toBe(raw.length);
    expect(fixed.toString('latin1')).toContain('2 0 obj\n(D:20261101000000Z)');
    expect(fixed.toString('latin1')).not.toContain('0123456789abcdef0123456789abcdef');
    expect(fixPdf(raw, at).equals(fixed)).toBe(true);
  });
});
