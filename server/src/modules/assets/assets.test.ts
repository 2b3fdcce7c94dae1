import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import jsQRModule from 'jsqr';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPagePath } from '../../app.js';
import { addDays } from '../../core/assets/rules.js';
import { describeDb, fanOutQueued, login, type Session } from '../../test/harness.js';
import { ok, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { multipart, png } from '../../test/uploads.js';
import { CampaignService } from './campaigns.js';
import { AssetService, localToday } from './service.js';
import { insertCi } from './testing.js';

const A = '/api/v1/assets';
const C = '/api/v1/asset-campaigns';
const fields = (res: LightMyRequestResponse) => (res.json().errors ?? []).map((e: { field: string }) => e.field);
/** jsqr is CommonJS with an ES default in its types: take the function whichever way it arrives. */
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const today = () => localToday(Date.now(), 'Asia/Shanghai');

/** Renders a PDF's first page to pixels and reads the QR codes on it. */
function qrTextsOf(pdf: Buffer): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'labels-'));
  try {
    fs.writeFileSync(path.join(dir, 'l.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', '300', '-f', '1', '-l', '1', '-gray', path.join(dir, 'l.pdf'), path.join(dir, 'p')]);
    const file = fs.readdirSync(dir).find((f) => f.startsWith('p'))!;
    const raw = fs.readFileSync(path.join(dir, file));
    // PGM (P5): header "P5\n<w> <h>\n255\n", then one byte a pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(raw.subarray(0, 50).toString('latin1'))!;
    const [w, h] = [Number(header[1]), Number(header[2])];
    const gray = raw.subarray(header[0].length);
    const texts: string[] = [];
    // Each label on its own: cut the page into tiles the size of one label (the whole page for a roll label).
    const tiles = w > 2000 ? { cols: 3, rows: 8 } : { cols: 1, rows: 1 };
    const tw = Math.floor(w / tiles.cols);
    const th = Math.floor(h / tiles.rows);
    for (let ty = 0; ty < tiles.rows; ty++) {
      for (let tx = 0; tx < tiles.cols; tx++) {
        const rgba = new Uint8ClampedArray(tw * th * 4);
        for (let y = 0; y < th; y++) {
          for (let x = 0; x < tw; x++) {
            const v = gray[(ty * th + y) * w + tx * tw + x];
            rgba.set([v, v, v, 255], (y * tw + x) * 4);
          }
        }
        const code = jsQR(rgba, tw, th);
        if (code) texts.push(code.data);
      }
    }
    return texts;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('asset pages are web app pages', () => {
  it('/assets and /assets/{id} (the QR code\'s address) get the web app; the build\'s files under /assets/ do not', () => {
    expect(isPagePath('/assets')).toBe(true);
    expect(isPagePath('/assets/42')).toBe(true);
    expect(isPagePath('/asset-campaigns/7/review')).toBe(true);
    expect(isPagePath('/assets/index-B6nro9hO.js')).toBe(false);
    expect(isPagePath('/api/v1/assets/42')).toBe(false);
  });
});

describeDb('assets', (kind) => {
  let w: TicketWorld;
  let pm: Session;
  const ci: Record<string, number> = {};
  const body = (over: Record<string, unknown> = {}) => ({ assetNo: 'ZC-0001', supplier: '联想（北京）有限公司', purchaseDate: '2024-03-01', purchaseOrder: 'PO-2024-031', price: 45800.5, warrantyEnd: '2029-02-28', maintenanceContract: 'WB-2026-08', location: '信息中心机房 A 排 3 柜', responsibleName: '张伟', installedDate: '2024-03-10', ...over });
  const put = (s: Session, id: number, payload: Record<string, unknown>) => s.request({ method: 'PUT', url: `${A}/${id}`, payload });

  beforeAll(async () => {
    w = await ticketWorld(kind, { PUBLIC_URL: 'https://yunwei.example.cn' });
    pm = await login(w.t.app, 'pm');
    const db = w.t.database.db;
    ci.his = await insertCi(db, { customerId: w.a.customerId, siteId: w.a.siteId, code: 'A-SRV-001', name: 'HIS 数据库服务器', serial: 'SN-HIS-01', brand: '华为', model: 'RH2288' });
    ci.pacs = await insertCi(db, { customerId: w.a.customerId, siteId: w.a.siteId, code: 'A-SRV-002', name: 'PACS 存储', serial: 'SN-PACS-01' });
    ci.sw = await insertCi(db, { customerId: w.a.customerId, siteId: w.a.siteId, code: 'A-NET-001', name: '核心交换机' });
    ci.pc = await insertCi(db, { customerId: w.a.customerId, siteId: null, code: 'A-PC-001', name: '护士站电脑' });
    ci.b = await insertCi(db, { customerId: w.b.customerId, siteId: w.b.siteId, code: 'B-SRV-001', name: 'B 服务器' });
  }, 90_000);
  afterAll(() => w?.t.close());

  it('creates, reads and updates an asset record; price in yuan, fen in the database; history and audit written', async () => {
    const created = ok(await put(w.admin, ci.his, body()));
    expect(created.asset).toMatchObject({ assetNo: 'ZC-0001', price: 45800.5, warrantyEnd: '2029-02-28', version: 1 });
    expect(created.url).toBe(`https://yunwei.example.cn/assets/${ci.his}`);
    expect(created.ci).toMatchObject({ code: 'A-SRV-001', customerId: w.a.customerId, siteName: 'A 机房' });
    const row = await w.t.database.db.selectFrom('ci_assets').selectAll().where('ci_id', '=', ci.his).executeTakeFirstOrThrow();
    expect(Number(row.price_cents)).toBe(4580050);
    const updated = ok(await put(w.admin, ci.his, body({ version: 1, location: '信息中心机房 B 排 1 柜', price: 45000 })));
    expect(updated.asset).toMatchObject({ location: '信息中心机房 B 排 1 柜', price: 45000, version: 2 });
    const history = ok(await w.admin.request({ method: 'GET', url: `${A}/${ci.his}/history` }));
    expect(history.map((h: { action: string }) => h.action)).toEqual(['asset', 'asset']);
    expect(history[0].changes.changes.location).toEqual(['信息中心机房 A 排 3 柜', '信息中心机房 B 排 1 柜']);
    const audit = await w.t.database.db.selectFrom('audit_log').select(['action']).where('entity', '=', 'ci_assets').where('entity_id', '=', String(ci.his)).execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update']);
  });

  it('refuses a stale version, a create over an existing record, and one of two concurrent edits (409)', async () => {
    expect((await put(w.admin, ci.his, body({ version: 1 }))).statusCode).toBe(409);
    expect((await put(w.admin, ci.his, body())).statusCode).toBe(409);
    const [r1, r2] = await Promise.all([put(w.admin, ci.his, body({ version: 2, location: '一' })), put(pm, ci.his, body({ version: 2, location: '二' }))]);
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
    const now = ok(await w.admin.request({ method: 'GET', url: `${A}/${ci.his}` }));
    expect(now.asset.version).toBe(3);
  });

  it('a duplicate asset number is a field error on assetNo', async () => {
    const res = await put(w.admin, ci.pacs, body({ assetNo: 'ZC-0001' }));
    expect(res.statusCode).toBe(409);
    expect(fields(res)).toEqual(['assetNo']);
    expect(res.json().errors[0].message).toContain('ZC-0001');
  });

  it('bad prices and dates are refused naming the field; nothing is written', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ purchaseDate: '2026-02-30' }, 'purchaseDate'],
      [{ warrantyEnd: '2026-13-01' }, 'warrantyEnd'],
      [{ installedDate: '20260301' }, 'installedDate'],
      [{ price: 1.005 }, 'price'],
      [{ price: -1 }, 'price'],
      [{ price: 'a lot' }, 'price'],
      [{ warrantyEnd: '2023-01-01' }, 'warrantyEnd'],
      [{ assetNo: '   ' }, 'assetNo'],
    ];
    for (const [over, field] of cases) {
      const res = await put(w.admin, ci.pacs, body({ assetNo: 'ZC-0002', ...over }));
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(fields(res), JSON.stringify(over)).toEqual([field]);
    }
    const named = await put(w.admin, ci.pacs, body({ assetNo: 'ZC-0002', purchaseDate: '2026-02-30' }));
    expect(named.json().errors[0].message).toContain('采购日期');
    expect(await w.t.database.db.selectFrom('ci_assets').select('ci_id').where('ci_id', '=', ci.pacs).executeTakeFirst()).toBeUndefined();
    ok(await put(w.admin, ci.pacs, body({ assetNo: 'ZC-0002', warrantyEnd: addDays(today(), 20) })));
    ok(await put(w.admin, ci.sw, body({ assetNo: 'ZC-0003', warrantyEnd: addDays(today(), 80), price: null })));
    ok(await put(w.admin, ci.pc, body({ assetNo: 'ZC-0004', warrantyEnd: addDays(today(), 400) })));
    ok(await put(w.admin, ci.b, body({ assetNo: 'ZC-B-0001', warrantyEnd: addDays(today(), 10) })));
  });

  it('another customer\'s CI is not found; a customer\'s user reads his own assets only and cannot write', async () => {
    // eng serves customer A only.
    expect((await w.eng.request({ method: 'GET', url: `${A}/${ci.b}` })).statusCode).toBe(404);
    expect((await put(w.eng, ci.b, body({ assetNo: 'X-1', version: 1 }))).statusCode).toBe(404);
    expect((await w.eng.request({ method: 'POST', url: `${A}/${ci.b}/dispose`, payload: { version: 1, disposal: 'scrapped', date: today() } })).statusCode).toBe(404);
    expect((await w.eng.request({ method: 'GET', url: `${A}/labels.pdf?ciIds=${ci.his},${ci.b}` })).statusCode).toBe(404);
    const own = ok(await w.custA.request({ method: 'GET', url: `${A}/${ci.his}` }));
    expect(own.asset.assetNo).toBe('ZC-0001');
    expect((await w.custA.request({ method: 'GET', url: `${A}/${ci.b}` })).statusCode).toBe(404);
    expect((await put(w.custA, ci.his, body({ version: 3 }))).statusCode).toBe(403);
    const list = ok(await w.custB.request({ method: 'GET', url: A }));
    expect(list.items.map((i: { assetNo: string }) => i.assetNo)).toEqual(['ZC-B-0001']);
  });

  it('lists with filters and keyset pages; exports xlsx', async () => {
    const all = ok(await w.admin.request({ method: 'GET', url: `${A}?customerId=${w.a.customerId}` }));
    expect(all.items.map((i: { assetNo: string }) => i.assetNo)).toEqual(['ZC-0001', 'ZC-0002', 'ZC-0003', 'ZC-0004']);
    expect(all.items[1].warrantyStatus).toBe('expiring');
    const soon = ok(await w.admin.request({ method: 'GET', url: `${A}?warrantyBefore=${addDays(today(), 90)}` }));
    expect(soon.items.map((i: { assetNo: string }) => i.assetNo)).toEqual(['ZC-0002', 'ZC-0003', 'ZC-B-0001']);
    const site = ok(await w.admin.request({ method: 'GET', url: `${A}?siteId=${w.a.siteId}&q=PACS` }));
    expect(site.items.map((i: { assetNo: string }) => i.assetNo)).toEqual(['ZC-0002']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ assetNo: string }>; nextCursor: string | null } = ok(await w.admin.request({ method: 'GET', url: `${A}?limit=2${cursor ? `&cursor=${cursor}` : ''}` }));
      seen.push(...page.items.map((i) => i.assetNo));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['ZC-0001', 'ZC-0002', 'ZC-0003', 'ZC-0004', 'ZC-B-0001']);
    expect((await w.admin.request({ method: 'GET', url: `${A}?cursor=bogus` })).statusCode).toBe(400);
    const x = await w.admin.request({ method: 'GET', url: `${A}/export.xlsx?customerId=${w.a.customerId}` });
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('资产编号');
    expect(sheet.rowCount).toBe(5);
    expect(sheet.getRow(2).getCell(10).value).toBe(45800.5);
  });

  it('prints asset tags whose QR codes hold the asset pages\' addresses (label roll and A4)', async () => {
    const roll = await w.admin.request({ method: 'GET', url: `${A}/labels.pdf?ciIds=${ci.pacs},${ci.his}&layout=label` });
    expect(roll.statusCode, roll.body).toBe(200);
    expect(roll.headers['content-type']).toBe('application/pdf');
    expect(qrTextsOf(roll.rawPayload)).toEqual([`https://yunwei.example.cn/assets/${ci.pacs}`]);
    const sheet = await w.admin.request({ method: 'GET', url: `${A}/labels.pdf?customerId=${w.a.customerId}&layout=a4` });
    expect(sheet.statusCode).toBe(200);
    expect(qrTextsOf(sheet.rawPayload).sort()).toEqual([ci.his, ci.pacs, ci.sw, ci.pc].map((id) => `https://yunwei.example.cn/assets/${id}`).sort());
    const text = execFileSync('pdftotext', ['-', '-'], { input: sheet.rawPayload }).toString();
    expect(text).toContain('ZC-0001');
    expect(text).toContain('HIS 数据库服务器');
    expect(text).toContain('客户A');
  });

  it('sends each warranty reminder exactly once per asset and threshold, across runs', async () => {
    const db = w.t.database.db;
    const service = new AssetService(db);
    const before = await db.selectFrom('jobs').select('id').where('kind', '=', 'notify.fanout').execute();
    // ZC-0002 (20 days: the 30-day reminder), ZC-0003 (80 days: the 90-day one) and B's (10 days, but B has no PM and no responsible user: nobody to tell).
    expect(await service.runWarrantyReminders()).toBe(2);
    expect(await service.runWarrantyReminders()).toBe(0);
    expect(await service.runWarrantyReminders(Date.now() + 3_600_000)).toBe(0);
    const claims = await db.selectFrom('asset_reminders').select('reminder_key').orderBy('reminder_key').execute();
    expect(claims.map((c) => c.reminder_key)).toEqual([`warranty:${ci.pacs}:${addDays(today(), 20)}:30`, `warranty:${ci.sw}:${addDays(today(), 80)}:90`]);
    // 60 days on, ZC-0003 is 20 days from its end: its 30-day reminder, once.
    const later = Date.now() + 60 * 86_400_000;
    expect(await service.runWarrantyReminders(later)).toBe(1);
    expect(await service.runWarrantyReminders(later)).toBe(0);
    const after = await db.selectFrom('jobs').select('id').where('kind', '=', 'notify.fanout').execute();
    expect(after.length - before.length).toBe(3);
    await fanOutQueued(w.t.database);
    const inbox = await db.selectFrom('notifications').select(['title', 'link']).where('user_id', '=', w.users.pm).where('event', '=', 'asset.warranty').orderBy('id').execute();
    expect(inbox.length).toBe(3);
    expect(inbox[0].title).toContain('保修将于');
    expect(inbox[0].link).toMatch(/^\/assets\/\d+$/);
  });

  it('disposal retires the CI and freezes the record', async () => {
    const cur = ok(await w.admin.request({ method: 'GET', url: `${A}/${ci.pc}` }));
    expect((await w.admin.request({ method: 'POST', url: `${A}/${ci.pc}/dispose`, payload: { version: cur.asset.version, disposal: 'thrown away', date: today() } })).statusCode).toBe(400);
    const bad = await w.admin.request({ method: 'POST', url: `${A}/${ci.pc}/dispose`, payload: { version: cur.asset.version, disposal: 'scrapped', date: '2026-02-29' } });
    expect(fields(bad)).toEqual(['date']);
    const done = ok(await w.admin.request({ method: 'POST', url: `${A}/${ci.pc}/dispose`, payload: { version: cur.asset.version, disposal: 'scrapped', date: today(), note: '主板损坏，无维修价值' } }));
    expect(done.asset).toMatchObject({ disposal: 'scrapped', disposedDate: today(), disposalNote: '主板损坏，无维修价值' });
    expect(done.ci.status).toBe('retired');
    expect((await put(w.admin, ci.pc, body({ assetNo: 'ZC-0004', version: done.asset.version }))).statusCode).toBe(409);
    const disposed = ok(await w.admin.request({ method: 'GET', url: `${A}?disposed=1` }));
    expect(disposed.items.map((i: { assetNo: string }) => i.assetNo)).toEqual(['ZC-0004']);
    const kept = ok(await w.admin.request({ method: 'GET', url: `${A}?disposed=0&customerId=${w.a.customerId}` }));
    expect(kept.items.length).toBe(3);
  });

  it('runs a verification campaign: snapshot, checks, close refused while pending and undecided, review updates the register', async () => {
    const db = w.t.database.db;
    const site2 = ok(await w.admin.request({ method: 'POST', url: `/api/v1/customers/${w.a.customerId}/sites`, payload: { name: 'A 门诊楼' } }), 201);
    const c = ok(await w.eng.request({ method: 'POST', url: C, payload: { customerId: w.a.customerId, assigneeId: w.users.eng } }), 201);
    // The disposed PC is not on the register any more.
    expect(c).toMatchObject({ state: 'open', total: 3, checked: 0, assigneeId: w.users.eng });
    expect(c.name).toContain('资产盘点');
    expect((await w.eng.request({ method: 'POST', url: C, payload: { customerId: w.b.customerId } })).statusCode).toBe(400);
    const close = () => w.admin.request({ method: 'POST', url: `${C}/${c.id}/close`, payload: { version: c.version } });
    const refused = await close();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('items_pending');
    const check = (ciId: number, payload: Record<string, unknown>) => w.eng.request({ method: 'POST', url: `${C}/${c.id}/items/${ciId}/check`, payload });
    expect((await check(ci.pc, { result: 'found' })).statusCode).toBe(404);
    expect(fields(await check(ci.his, { result: 'wrong_location' }))).toEqual(['proposed']);
    expect(fields(await check(ci.his, { result: 'wrong_location', proposed: { siteId: w.b.siteId } }))).toEqual(['proposed.siteId']);
    ok(await check(ci.his, { result: 'wrong_location', note: '已搬到门诊楼', proposed: { siteId: site2.id, location: '门诊楼 2 层弱电间' } }));
    ok(await check(ci.pacs, { result: 'found' }));
    const photo = await w.eng.request({ method: 'PUT', url: `${C}/${c.id}/items/${ci.pacs}/photo`, ...multipart({}, { name: 'p.png', bytes: png(40, 20), type: 'image/png' }) });
    expect(photo.statusCode, photo.body).toBe(200);
    expect(photo.json().hasPhoto).toBe(true);
    const notImage = await w.eng.request({ method: 'PUT', url: `${C}/${c.id}/items/${ci.pacs}/photo`, ...multipart({}, { name: 'p.png', bytes: Buffer.from('not an image'), type: 'image/png' }) });
    expect(fields(notImage)).toEqual(['file']);
    const img = await w.custA.request({ method: 'GET', url: `${C}/${c.id}/items/${ci.pacs}/photo` });
    expect(img.headers['content-type']).toBe('image/png');
    const last = ok(await check(ci.sw, { result: 'missing', note: '机柜内未找到' }));
    expect(last.campaign).toMatchObject({ state: 'review', checked: 3, undecided: 2 });
    expect(last.campaign.counts).toMatchObject({ found: 1, missing: 1, wrong_location: 1, pending: 0 });
    const undecided = await w.admin.request({ method: 'POST', url: `${C}/${c.id}/close`, payload: { version: last.campaign.version } });
    expect(undecided.json().code).toBe('differences_undecided');
    const diffs = ok(await w.admin.request({ method: 'GET', url: `${C}/${c.id}/items?differences=1` }));
    expect(diffs.items.map((i: { ciCode: string }) => i.ciCode)).toEqual(['A-NET-001', 'A-SRV-001']);
    expect((await w.admin.request({ method: 'POST', url: `${C}/${c.id}/items/${ci.pacs}/decide`, payload: { decision: 'accepted' } })).statusCode).toBe(409);
    ok(await w.admin.request({ method: 'POST', url: `${C}/${c.id}/items/${ci.his}/decide`, payload: { decision: 'accepted' } }));
    const decided = ok(await w.admin.request({ method: 'POST', url: `${C}/${c.id}/items/${ci.sw}/decide`, payload: { decision: 'rejected', note: '复查后在备件库找到' } }));
    expect((await check(ci.his, { result: 'found' })).json().code).toBe('decided');
    const moved = await db.selectFrom('cis').select(['site_id']).where('id', '=', ci.his).executeTakeFirstOrThrow();
    expect(Number(moved.site_id)).toBe(site2.id);
    const asset = await db.selectFrom('ci_assets').select(['location']).where('ci_id', '=', ci.his).executeTakeFirstOrThrow();
    expect(asset.location).toBe('门诊楼 2 层弱电间');
    const closed = ok(await w.admin.request({ method: 'POST', url: `${C}/${c.id}/close`, payload: { version: decided.campaign.version } }));
    expect(closed).toMatchObject({ state: 'closed', checked: 3, undecided: 0 });
    const verified = await db.selectFrom('ci_history').select(['ci_id', 'changes']).where('action', '=', 'verified').orderBy('id').execute();
    expect(verified.map((v) => Number(v.ci_id)).sort()).toEqual([ci.his, ci.pacs, ci.sw].sort());
    expect(JSON.parse(verified.find((v) => Number(v.ci_id) === ci.his)!.changes).changes.siteId).toEqual([w.a.siteId, site2.id]);
    expect((await check(ci.pacs, { result: 'found' })).json().code).toBe('invalid_state');
    // The customer receives the record: PDF in Chinese and Excel.
    const pdf = await w.custA.request({ method: 'GET', url: `${C}/${c.id}/report.pdf` });
    expect(pdf.statusCode).toBe(200);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf.rawPayload }).toString();
    for (const s of ['资产盘点记录', '位置不符', '已确认', '缺失', '已驳回', 'HIS 数据库服务器', '门诊楼 2 层弱电间']) expect(text).toContain(s);
    // One page with its footer (a footer written below the margin would have added a blank page).
    expect(text).toContain('第 1 / 1 页');
    expect(text.split('\f').filter((p) => p.trim()).length).toBe(1);
    const xlsx = await w.custA.request({ method: 'GET', url: `${C}/${c.id}/report.xlsx` });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.getWorksheet('盘点明细')!.rowCount).toBe(4);
    // B's user never reaches A's campaign.
    expect((await w.custB.request({ method: 'GET', url: `${C}/${c.id}` })).statusCode).toBe(404);
    expect((await w.custB.request({ method: 'GET', url: `${C}/${c.id}/report.pdf` })).statusCode).toBe(404);
    expect(ok(await w.custB.request({ method: 'GET', url: C })).items).toEqual([]);
    expect((await w.custA.request({ method: 'POST', url: `${C}/${c.id}/cancel`, payload: { version: closed.version } })).statusCode).toBe(403);
  });

  it('the asset page shows the open campaign listing the CI', async () => {
    const c = ok(await w.admin.request({ method: 'POST', url: C, payload: { customerId: w.a.customerId, siteId: w.a.siteId, name: '门诊楼抽查' } }), 201);
    const page = ok(await w.eng.request({ method: 'GET', url: `${A}/${ci.pacs}` }));
    expect(page.campaigns).toEqual([{ id: c.id, name: '门诊楼抽查', state: 'open', result: 'pending', decision: null }]);
    ok(await w.admin.request({ method: 'POST', url: `${C}/${c.id}/cancel`, payload: { version: c.version } }));
    expect(ok(await w.eng.request({ method: 'GET', url: `${A}/${ci.pacs}` })).campaigns).toEqual([]);
  });

  it('the scheduler makes each customer\'s half-yearly campaign exactly once and tells the PM', async () => {
    const db = w.t.database.db;
    const service = new CampaignService(db);
    const first = await service.runScheduled();
    // A and B have assets; A's manual campaign of this period (made above, not for one site) counts as its own.
    expect(first).toBe(1);
    expect(await service.runScheduled()).toBe(0);
    const made = await db.selectFrom('asset_campaigns').select(['customer_id', 'period', 'created_by']).where('created_by', 'is', null).execute();
    expect(made.map((m) => Number(m.customer_id))).toEqual([w.b.customerId]);
    expect(made[0].period).toMatch(/^\d{4}-H[12]$/);
    // Half a year on: the next period, once each.
    const later = Date.now() + 190 * 86_400_000;
    expect(await service.runScheduled(later)).toBe(2);
    expect(await service.runScheduled(later)).toBe(0);
    await fanOutQueued(w.t.database);
    const told = await db.selectFrom('notifications').select('title').where('user_id', '=', w.users.pm).where('event', '=', 'asset.campaign').execute();
    expect(told.length).toBe(1);
    expect(told[0].title).toContain('资产盘点');
  });
});
