import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, loginUI, stamp, type Api, type CustomerOut } from '../support/app.js';

/**
 * Configuration items (docs/CMDB.md) seen from the screen. Each journey makes the CIs it needs
 * through the API (unique codes and addresses: the tests share one database), then:
 * 1. the desk logs a fault on a server found by its IP address in 登记来电, and the new ticket
 *    names it under 受影响配置项;
 * 2. the server's impact graph (direction up) shows the application that runs on its database,
 *    in the graph and in the list of affected applications, and a click on its node opens it;
 * 3. the hospital's user sees his own CIs in the portal, read-only; the tax office's CI is not found;
 * 4. an Excel sheet with a bad row shows every row/column error and imports nothing.
 * Screenshots in artifacts/cmdb-*.png.
 */

interface CiOut {
  id: number;
  code: string;
  name: string;
}
interface CiType {
  id: number;
  code: string;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `cmdb-${name}.png`), fullPage: true });
const byte = () => 1 + Math.floor(Math.random() * 250);

/** The CMDB of one journey: types by code, and CIs created through the API. */
async function cmdbOf(api: Api) {
  const types = await api.get<CiType[]>('/ci-types');
  const type = (code: string) => {
    const found = types.find((x) => x.code === code);
    if (!found) throw new Error(`CI type ${code} missing`);
    return found.id;
  };
  return {
    type,
    ci: (customerId: number, typeCode: string, body: Record<string, unknown>) => api.post<CiOut>('/cis', { customerId, typeId: type(typeCode), criticality: 2, ...body }),
    relate: (source: CiOut, relation: string, target: CiOut) => api.post(`/cis/${source.id}/relations`, { type: relation, targetId: target.id }),
  };
}

describe('cmdb: the desk logs a fault on a CI found by its IP address', () => {
  const b = useBrowser();
  let admin: Api;
  let hospital: CustomerOut;
  let server: CiOut;
  const mark = stamp();
  const ip = `10.${byte()}.${byte()}.${byte()}`;
  const title = `HIS 数据库服务器无法访问 ${mark}`;

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    hospital = await customerByCode(admin, DEMO.hospital.code);
    const cmdb = await cmdbOf(admin);
    server = await cmdb.ci(hospital.id, 'server_physical', { code: `SRV-E2E-${mark}`, name: `HIS 数据库服务器 ${mark}`, ip, attributes: { memoryGb: 256, os: 'CentOS 7.9' } });
  });
  afterAll(() => admin?.dispose());

  test('in 登记来电 the server is found by its IP address (the option says the IP matched) and picked', async () => {
    const { page } = b;
    await loginUI(page, 'desk');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('n');
    await page.getByTestId('call-drawer').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.type('13905761002');
    const caller = page.getByTestId('call-search-option').filter({ hasText: '林晓燕' });
    await caller.waitFor({ timeout: UI_TIMEOUT });
    await caller.click();
    expect((await page.getByTestId('call-customer').innerText()).trim()).toBe(DEMO.hospital.name);
    await page.getByTestId('call-title').fill(title);
    await page.getByTestId('call-description').fill('信息科电话：HIS 系统报数据库连接超时，ping 不通该服务器。');

    const picker = page.getByTestId('call-cis');
    await picker.scrollIntoViewIfNeeded();
    await picker.click();
    await page.keyboard.type(ip);
    const option = page.getByTestId('call-cis-option').filter({ hasText: server.code });
    await option.waitFor({ timeout: UI_TIMEOUT });
    expect(await option.getByTestId('call-cis-matched').innerText()).toContain(ip);
    // the only CI with this address is the first option: Enter takes it, as the desk would
    await page.keyboard.press('Enter');
    await expect.poll(() => picker.innerText(), { timeout: UI_TIMEOUT }).toContain(server.code);
    await shot(page, 'call-drawer');
  });

  test('the ticket is logged with the CI and its page lists it under 受影响配置项, linking to the CI', async () => {
    const { page } = b;
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST');
    await page.getByTestId('call-form-submit').click();
    const res = await created;
    expect(res.status()).toBe(201);
    expect(JSON.parse(res.request().postData() ?? '{}').ciIds).toEqual([server.id]);
    const ticket = (await res.json()) as { id: number; number: string };
    await page.waitForURL(`**/tickets/${ticket.id}`, { timeout: UI_TIMEOUT });
    const panel = page.getByTestId('ticket-cis');
    await panel.getByTestId(`ticket-ci-${server.code}`).waitFor({ timeout: UI_TIMEOUT });
    expect(await panel.innerText()).toContain(ip);
    const named = await admin.get<{ items: CiOut[] }>(`/tickets/${ticket.id}/cis`);
    expect(named.items.map((c) => c.id)).toEqual([server.id]);
    await shot(page, 'ticket-cis');

    // the CI's page lists the ticket
    await panel.getByTestId('ticket-ci-link').click();
    await page.waitForURL(`**/cmdb/${server.id}`, { timeout: UI_TIMEOUT });
    await page.getByTestId('ci-tab-tickets').click();
    await page.getByTestId('ci-tickets').getByText(ticket.number).waitFor({ timeout: UI_TIMEOUT });
  });
});

describe('cmdb: the impact graph of a database server shows the application it carries', () => {
  const b = useBrowser();
  let admin: Api;
  let app: CiOut;
  let db: CiOut;
  let server: CiOut;
  const mark = stamp();

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    const hospital = await customerByCode(admin, DEMO.hospital.code);
    const cmdb = await cmdbOf(admin);
    app = await cmdb.ci(hospital.id, 'application', { code: `APP-HIS-${mark}`, name: `HIS 医院信息系统 ${mark}`, criticality: 1 });
    db = await cmdb.ci(hospital.id, 'database', { code: `DB-HIS-${mark}`, name: `HIS Oracle 数据库 ${mark}`, attributes: { port: 1521 } });
    server = await cmdb.ci(hospital.id, 'server_physical', { code: `SRV-DB-${mark}`, name: `数据库服务器 ${mark}`, ip: `10.${byte()}.${byte()}.${byte()}` });
    await cmdb.relate(app, 'depends_on', db);
    await cmdb.relate(db, 'runs_on', server);
  });
  afterAll(() => admin?.dispose());

  test('the server page: 影响分析, direction up (the default), shows the database and the HIS application', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await page.goto(`/cmdb/${server.id}`);
    expect((await page.getByTestId('ci-code').innerText({ timeout: UI_TIMEOUT })).trim()).toBe(server.code);
    await page.getByTestId('ci-tab-impact').click();
    const graph = page.getByTestId('impact-graph');
    await graph.waitFor({ timeout: UI_TIMEOUT });
    // the graph's nodes: the server itself, the database on it and the application on the database
    await expect.poll(async () => (await graph.getAttribute('data-nodes'))?.split(' ').sort(), { timeout: UI_TIMEOUT }).toEqual([app.code, db.code, server.code].sort());
    await expect.poll(() => graph.locator('svg').innerHTML(), { timeout: UI_TIMEOUT }).toContain(app.code);
    // and the lists: the application among the services affected, both CIs with their level
    await page.getByTestId(`impact-service-${app.code}`).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId(`impact-row-${db.code}`).innerText()).toContain('第 1 层');
    expect(await page.getByTestId(`impact-row-${app.code}`).innerText()).toContain('第 2 层');
    await shot(page, 'impact');
  });

  test('direction down from the application reaches the server; depth 1 stops at the database', async () => {
    const { page } = b;
    await page.goto(`/cmdb/${app.id}`);
    await page.getByTestId('ci-tab-impact').click();
    await page.getByTestId('impact-dir-up').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('impact-empty').waitFor({ timeout: UI_TIMEOUT }); // nothing relies on the application
    await page.getByTestId('impact-dir-down').click();
    const graph = page.getByTestId('impact-graph');
    await expect.poll(async () => (await graph.getAttribute('data-nodes').catch(() => ''))?.split(' ').sort(), { timeout: UI_TIMEOUT }).toEqual([app.code, db.code, server.code].sort());
    await page.getByTestId('impact-depth').click();
    await page.locator('.ant-select-item-option').filter({ hasText: /^1 层$/ }).click();
    await expect.poll(async () => (await graph.getAttribute('data-nodes'))?.split(' ').sort(), { timeout: UI_TIMEOUT }).toEqual([app.code, db.code].sort());
  });

  test('a click on a node of the graph opens that CI', async () => {
    const { page } = b;
    const graph = page.getByTestId('impact-graph');
    // the node's place on the screen, from the chart (its option's position converted to pixels)
    await expect.poll(() => page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').count(), { timeout: UI_TIMEOUT }).toBe(0);
    const at = await graph.locator('div').first().evaluate((box, code) => {
      type Chart = { getOption(): { series: Array<{ data: Array<{ name: string; x: number; y: number }> }> }; convertToPixel(finder: { seriesIndex: number }, value: number[]): number[] };
      const chartEl = box.querySelector('div') as HTMLElement & { ywChart?: Chart };
      const chart = chartEl.ywChart!;
      const node = chart.getOption().series[0].data.find((d) => d.name === code)!;
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [node.x, node.y]);
      const r = chartEl.getBoundingClientRect();
      return { x: r.left + x, y: r.top + y };
    }, db.code);
    await page.mouse.move(at.x, at.y);
    await page.mouse.click(at.x, at.y);
    await page.waitForURL(`**/cmdb/${db.id}`, { timeout: UI_TIMEOUT });
    await expect.poll(async () => (await page.getByTestId('ci-code').innerText()).trim(), { timeout: UI_TIMEOUT }).toBe(db.code);
    // the impact tab stays open: the walk goes on from the database (up again: the application)
    await expect.poll(async () => (await page.getByTestId('impact-graph').getAttribute('data-nodes'))?.split(' ').sort(), { timeout: UI_TIMEOUT }).toEqual([app.code, db.code].sort());
  });
});

describe("cmdb: a customer's user sees only his own CIs in the portal", () => {
  const b = useBrowser();
  let admin: Api;
  let own: CiOut;
  let other: CiOut;
  const mark = stamp();

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    const hospital = await customerByCode(admin, DEMO.hospital.code);
    const tax = await customerByCode(admin, DEMO.tax.code);
    const cmdb = await cmdbOf(admin);
    own = await cmdb.ci(hospital.id, 'printer', { code: `PRN-YY-${mark}`, name: `门诊收费处打印机 ${mark}` });
    other = await cmdb.ci(tax.id, 'printer', { code: `PRN-SW-${mark}`, name: `办税大厅打印机 ${mark}` });
  });
  afterAll(() => admin?.dispose());

  test('the hospital user opens 我的设备 and finds his printer, not the tax office one', async () => {
    const { page } = b;
    await loginUI(page, 'hospital_user');
    await page.getByTestId('portal-cis-link').click();
    await page.getByTestId('page-cmdb').waitFor({ timeout: UI_TIMEOUT });
    // both printers' codes begin with PRN-: only the hospital's is listed
    await page.getByTestId('cmdb-search').fill('PRN-');
    await page.getByTestId(`ci-row-${own.code}`).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId(`ci-row-${other.code}`).count()).toBe(0);
    expect(await page.getByTestId('cmdb-new').count()).toBe(0);
    expect(await page.getByTestId('cmdb-import').count()).toBe(0);
    await shot(page, 'portal-list');
  });

  test('his CI page is read-only; the tax office CI is not found (page and API)', async () => {
    const { page } = b;
    await page.getByTestId(`ci-row-${own.code}`).click();
    await page.waitForURL(`**/portal/cis/${own.id}`, { timeout: UI_TIMEOUT });
    expect((await page.getByTestId('ci-code').innerText({ timeout: UI_TIMEOUT })).trim()).toBe(own.code);
    for (const id of ['ci-edit', 'ci-retire', 'ci-delete']) expect(await page.getByTestId(id).count()).toBe(0);
    await page.getByTestId('ci-tab-relations').click();
    expect(await page.getByTestId('ci-rel-form').count()).toBe(0);

    await page.goto(`/portal/cis/${other.id}`);
    await page.getByTestId('ci-not-found').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('body').innerText()).not.toContain(other.name);
    const res = await page.request.get(`/api/v1/cis/${other.id}`);
    expect(res.status()).toBe(404);
  });
});

// ---------------------------------------------------------------- a small .xlsx, written here

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const octet of data) c = CRC_TABLE[(c ^ octet) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of stored (uncompressed) files: all an .xlsx needs. */
function zip(files: Array<[string, string]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text, 'utf8');
    const fname = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fname.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    centrals.push(central, fname);
    offset += local.length + fname.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One sheet of strings and numbers as an .xlsx workbook (inline strings, no styles). */
function xlsx(sheet: string, rows: Array<Array<string | number>>): Buffer {
  const col = (i: number) => String.fromCharCode(65 + i);
  const body = rows
    .map((r, ri) => `<row r="${ri + 1}">${r.map((v, ci) => (typeof v === 'number' ? `<c r="${col(ci)}${ri + 1}"><v>${v}</v></c>` : `<c r="${col(ci)}${ri + 1}" t="inlineStr"><is><t>${xml(v)}</t></is></c>`)).join('')}</row>`)
    .join('');
  return zip([
    [
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ],
    ['_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'],
    [
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xml(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    ['xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'],
    ['xl/worksheets/sheet1.xml', `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData></worksheet>`],
  ]);
}

describe('cmdb: an Excel sheet with a bad row imports nothing and names every error', () => {
  const b = useBrowser();
  let admin: Api;
  const mark = stamp();
  const codes = [`SRV-IMP-${mark}-1`, `SRV-IMP-${mark}-2`, `SRV-IMP-${mark}-3`];
  let file = '';

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    // 物理服务器: two good rows around a bad one (内存 not a number, 管理IP not an address)
    file = path.join(os.tmpdir(), `cmdb-import-${mark}.xlsx`);
    fs.writeFileSync(
      file,
      xlsx('物理服务器', [
        ['编号', '名称', '客户', '管理IP', '内存'],
        [codes[0], `PACS 影像服务器 ${mark}`, DEMO.hospital.code, `10.${byte()}.${byte()}.${byte()}`, 128],
        [codes[1], `LIS 检验服务器 ${mark}`, DEMO.hospital.code, '10.300.1.1', '很大'],
        [codes[2], `EMR 电子病历服务器 ${mark}`, DEMO.hospital.code, `10.${byte()}.${byte()}.${byte()}`, 64],
      ]),
    );
  });
  afterAll(() => admin?.dispose());

  test('the admin uploads the sheet on 导入配置项: the errors name row 3 and its columns; nothing is imported', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.goto('/cmdb');
    await page.getByTestId('cmdb-import').click();
    await page.getByTestId('page-ci-import').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('ci-import-template').getAttribute('href')).toContain('/api/v1/cis/import-template');
    await page.getByTestId('ci-import-upload').locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('ci-import-failed').waitFor({ timeout: 60_000 });
    const errors = page.getByTestId('ci-import-error');
    await expect.poll(() => errors.count(), { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(2);
    const rows = await errors.allInnerTexts();
    // every problem is on row 3 of 物理服务器: the memory and the address
    for (const r of rows) expect(r).toContain('物理服务器');
    expect(rows.some((r) => r.includes('内存'))).toBe(true);
    expect(rows.some((r) => /IP/.test(r))).toBe(true);
    expect(await page.getByTestId('ci-import-failed').innerText()).toContain('没有导入');
    await shot(page, 'import-errors');
    // all or nothing: not even the good rows are there
    for (const code of codes) {
      const found = await admin.get<{ items: CiOut[] }>(`/cis?q=${encodeURIComponent(code)}`);
      expect(found.items.filter((c) => c.code === code)).toEqual([]);
    }
  });
});
