import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

type Cell = string | number | boolean | null;

/** An .xlsx file with these rows on its first sheet. */
async function xlsx(rows: Cell[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sheet1');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A multipart/form-data body with one file part. */
function multipart(content: Buffer, filename = 'contacts.xlsx', field = 'file') {
  const boundary = `----yunwei${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const HEADER = ['姓名', '电话', '手机', '邮箱', '职务', '服务地点', 'VIP'];

describeDb('contacts import', (kind) => {
  let t: TestApp;
  let admin: Session;
  let customerId: number;
  let otherId: number;

  const upload = (s: Session, id: number, file: Buffer, filename?: string) => s.request({ method: 'POST', url: `/api/v1/customers/${id}/contacts/import`, ...multipart(file, filename) });
  const contactCount = async (id: number) =>
    Number((await t.database.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', id).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    admin = await login(t.app, 'admin');
    customerId = (await admin.request({ method: 'POST', url: '/api/v1/customers', payload: { code: 'IMP', name: '导入客户', tier: 2 } })).json().id;
    otherId = (await admin.request({ method: 'POST', url: '/api/v1/customers', payload: { code: 'IMP-B', name: '别的客户', tier: 2 } })).json().id;
    await admin.request({ method: 'POST', url: `/api/v1/customers/${customerId}/sites`, payload: { name: '总部机房' } });
    await admin.request({ method: 'POST', url: `/api/v1/customers/${customerId}/sites`, payload: { name: '分部' } });
    await admin.request({ method: 'POST', url: `/api/v1/customers/${customerId}/sites`, payload: { name: '分部' } });
    await admin.request({ method: 'POST', url: `/api/v1/customers/${otherId}/sites`, payload: { name: '别家机房' } });
  });
  afterAll(() => t.close());

  it('imports every row of a good file in one audited step', async () => {
    const file = await xlsx([
      HEADER,
      ['张伟', '010-8888 6666', 13800138000, 'zhangwei@example.com', '主任', '总部机房', '是'],
      ['李娜', null, '139 1234 5678', null, null, null, null],
      [null, null, null, null, null, null, null],
      ['王强', '0755-12345678', null, 'WANG@EXAMPLE.COM', '网管', '总部机房', 'N'],
    ]);
    const before = await contactCount(customerId);
    const res = await upload(admin, customerId, file);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ imported: 3 });
    expect(await contactCount(customerId)).toBe(before + 3);

    const list = (await admin.request({ method: 'GET', url: `/api/v1/customers/${customerId}/contacts?q=${encodeURIComponent('张伟')}` })).json().items;
    expect(list[0]).toMatchObject({ name: '张伟', phone: '010-8888 6666', mobile: '13800138000', email: 'zhangwei@example.com', title: '主任', isVip: true });
    expect(list[0].siteId).not.toBeNull();
    const found = (await admin.request({ method: 'GET', url: '/api/v1/contacts/search?q=1391234' })).json().items;
    expect(found.map((c: { name: string }) => c.name)).toEqual(['李娜']);

    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'import').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'contacts', actor_name: 'admin' });
    expect(Number(audit[0].customer_id)).toBe(customerId);
    expect(JSON.parse(audit[0].after!)).toEqual({ imported: 3, file: 'contacts.xlsx' });
  });

  it('reads English headers in any order and ignores other columns', async () => {
    const file = await xlsx([
      ['Remarks', 'Mobile', 'NAME', 'vip', 'Site'],
      ['第一行', '13700000001', 'Alice', 'yes', '总部机房'],
      ['', '13700000002', 'Bob', '', ''],
    ]);
    const res = await upload(admin, customerId, file);
    expect(res.json()).toEqual({ imported: 2 });
  });

  it('reports every bad row with its row number and column, and imports nothing', async () => {
    const before = await contactCount(customerId);
    const file = await xlsx([
      HEADER,
      ['好人', null, '13800000000', null, null, null, null],
      ['坏电话', 'abc-defg', null, null, null, null, null],
      ['好人二', null, null, null, null, '总部机房', '否'],
      ['', null, null, 'not-an-email', null, '不存在的地点', '也许'],
      ['重名地点', null, null, null, null, '分部', null],
    ]);
    const res = await upload(admin, customerId, file);
    expect(res.statusCode).toBe(400);
    const errors = res.json().errors;
    expect(errors).toEqual([
      { field: 'rows[3].phone', row: 3, column: '电话', code: 'org.phoneFormat', message: expect.stringContaining('电话') },
      { field: 'rows[5].name', row: 5, column: '姓名', code: 'required', message: '名称不能为空' },
      { field: 'rows[5].email', row: 5, column: '邮箱', code: 'email', message: expect.any(String) },
      { field: 'rows[5].isVip', row: 5, column: 'VIP', code: 'org.import.vip', message: expect.any(String) },
      { field: 'rows[6].site', row: 6, column: '服务地点', code: 'org.import.siteAmbiguous', message: '有多个服务地点名为“分部”' },
    ]);
    expect(await contactCount(customerId)).toBe(before);
  });

  it('names an unknown site by its value', async () => {
    const res = await upload(admin, customerId, await xlsx([HEADER, ['赵六', null, null, null, null, '别家机房', null]]));
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'rows[2].site', column: '服务地点', code: 'org.import.siteUnknown', message: '服务地点“别家机房”不存在' })]);
  });

  describe('refuses a file that is not a usable sheet, with an error on file', () => {
    it.each([
      ['a text file', async () => Buffer.from('姓名,电话\n张三,123456\n'), 'org.import.notXlsx'],
      ['an old .xls (OLE2) file', async () => Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'org.import.notXlsx'],
      ['an empty file', async () => Buffer.alloc(0), 'org.import.notXlsx'],
      ['a truncated file', async () => (await xlsx([HEADER, ['张三']])).subarray(0, 900), 'org.import.corrupt'],
      [
        'a file with damaged contents',
        async () => {
          const buf = Buffer.from(await xlsx([HEADER, ['张三']]));
          buf.fill(0x41, 200, 1200);
          return buf;
        },
        'org.import.corrupt',
      ],
      ['an empty sheet', async () => xlsx([]), 'org.import.empty'],
      ['a sheet without a header row', async () => xlsx([['张三', '13800000000']]), 'org.import.noHeader'],
      ['a header with no data', async () => xlsx([HEADER]), 'org.import.noRows'],
      ['a repeated header', async () => xlsx([['姓名', 'name'], ['张三', '张三']]), 'org.import.duplicateHeader'],
      ['more than 5000 rows', async () => xlsx([HEADER, ...Array.from({ length: 5001 }, (_, i) => [`联系人${i}`])]), 'org.import.tooManyRows'],
    ])('%s', async (_label, make, code) => {
      const before = await contactCount(customerId);
      const res = await upload(admin, customerId, await make());
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'file', code })]);
      expect(await contactCount(customerId)).toBe(before);
    });

    it('a request without the file part', async () => {
      const res = await admin.request({ method: 'POST', url: `/api/v1/customers/${customerId}/contacts/import`, ...multipart(await xlsx([HEADER]), 'x.xlsx', 'attachment') });
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'file', code: 'org.import.required' })]);
      const json = await admin.request({ method: 'POST', url: `/api/v1/customers/${customerId}/contacts/import`, payload: { file: 'x' } });
      expect(json.json().errors).toEqual([expect.objectContaining({ field: 'file', code: 'org.import.required' })]);
    });
  });

  it('answers 404 for a customer outside the caller\'s scope and imports nothing', async () => {
    await insertUser(t.database, { username: 'imp-b-admin', roles: ['customer_admin'], customerId: otherId });
    const s = await login(t.app, 'imp-b-admin');
    const before = await contactCount(customerId);
    const res = await upload(s, customerId, await xlsx([HEADER, ['混入者']]));
    expect(res.statusCode).toBe(404);
    expect(await contactCount(customerId)).toBe(before);
    expect((await upload(s, otherId, await xlsx([HEADER, ['自己人', null, null, null, null, '别家机房']]))).json()).toEqual({ imported: 1 });
  });

  it('serves a template with the Chinese headers that imports as is', async () => {
    const res = await admin.request({ method: 'GET', url: '/api/v1/contacts/import-template.xlsx' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('attachment');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    const sheet = workbook.worksheets[0];
    expect((sheet.getRow(1).values as Cell[]).slice(1)).toEqual(HEADER);
    expect(sheet.actualRowCount).toBe(2);
    expect((await upload(admin, customerId, res.rawPayload)).json()).toEqual({ imported: 1 });
  });

  describe('with a small upload limit', () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await createTestApp(kind, { UPLOAD_LIMIT_BYTES: '4096' });
      await insertUser(small.database, { username: 'admin', roles: ['admin'] });
    });
    afterAll(() => small.close());

    it('refuses an oversized file with 413 and an error on file', async () => {
      const s = await login(small.app, 'admin');
      const id = (await s.request({ method: 'POST', url: '/api/v1/customers', payload: { code: 'BIG', name: '大文件', tier: 1 } })).json().id;
      const big = await xlsx([HEADER, ...Array.from({ length: 2000 }, (_, i) => [`联系人${i}`, `010-${String(i).padStart(8, '0')}`])]);
      expect(big.length).toBeGreaterThan(4096);
      const res = await s.request({ method: 'POST', url: `/api/v1/customers/${id}/contacts/import`, ...multipart(big) });
      expect(res.statusCode).toBe(413);
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'file', code: 'org.import.tooLarge', message: '文件过大（上限 4 KB）' })]);
    });
  });
});
