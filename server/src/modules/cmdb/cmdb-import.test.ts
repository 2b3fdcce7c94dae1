import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../../test/harness.js';
import { ok, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { multipart } from '../../test/uploads.js';

const C = '/api/v1/cis';
type Problem = { field: string; message: string; row?: number; column?: string };

async function workbook(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describeDb('cmdb: Excel import and export', (kind) => {
  let w: TicketWorld;
  const upload = (bytes: Buffer, query = '', headers: Record<string, string> = {}) => {
    const m = multipart({}, { name: 'cis.xlsx', bytes, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    return w.admin.request({ method: 'POST', url: `${C}/import${query}`, ...m, headers: { ...(m.headers as Record<string, string>), ...headers } });
  };
  const count = async () => Number((await w.t.database.db.selectFrom('cis').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    w = await ticketWorld(kind);
  }, 60_000);
  afterAll(() => w?.t.close());

  it('imports one sheet per type, columns by header, attributes by label, all in one go', async () => {
    const bytes = await workbook({
      说明: [['这一页不导入']],
      物理服务器: [
        ['编号', '名称', '客户', '服务地点', '状态', '重要程度', '序列号', '管理IP', '主机名', '内存（GB）', 'CPU 核数', '其他 IP 地址', '无关列'],
        ['IMP-SRV-01', 'HIS 数据库服务器', 'A', 'A 机房', '在用', '关键', 'IMP-SN-1', '10.8.0.1', 'IMP-DB01', 256, '32', '10.8.1.1, 10.8.2.1', 'x'],
        ['IMP-SRV-02', 'HIS 应用服务器', '客户A', '', '', '', '', '10.8.0.2', '', '128', '', '', ''],
      ],
      network: [
        ['code', 'name', 'customer', '设备角色', '端口数'],
        ['IMP-SW-01', '核心交换机', 'A', '核心交换机', 48],
      ],
    });
    const res = ok(await upload(bytes));
    expect(res).toMatchObject({ imported: 3, dryRun: false });
    expect(res.bySheet).toEqual([{ sheet: '物理服务器', typeCode: 'server_physical', rows: 2 }, { sheet: 'network', typeCode: 'network', rows: 1 }]);
    const db01 = ok(await w.admin.request({ method: 'GET', url: `${C}?q=IMP-SRV-01` })).items[0];
    const full = ok(await w.admin.request({ method: 'GET', url: `${C}/${db01.id}` }));
    expect(full).toMatchObject({ criticality: 1, status: 'in_use', hostname: 'imp-db01', siteName: 'A 机房', attributes: { memoryGb: 256, cpuCores: 32, ips: ['10.8.1.1', '10.8.2.1'] } });
    expect(full.addresses.sort()).toEqual(['10.8.0.1', '10.8.1.1', '10.8.2.1']);
    const hist = ok(await w.admin.request({ method: 'GET', url: `${C}/${db01.id}/history` }));
    expect(hist.items[0].changes.import).toBe('物理服务器!2');
    // Found by IP in the drawer right after.
    expect(ok(await w.desk.request({ method: 'GET', url: `${C}/lookup?customerId=${w.a.customerId}&q=10.8.2.1` })).items[0].code).toBe('IMP-SRV-01');
  });

  it('a sheet with bad rows imports nothing and names every bad cell', async () => {
    const before = await count();
    const bytes = await workbook({
      物理服务器: [
        ['编号', '名称', '客户', '服务地点', '内存（GB）', '序列号', '管理IP', '状态'],
        ['BAD-01', '好的一行', 'A', '', 64, '', '', ''],
        ['BAD-02', '内存不是数字', 'A', '', '很多', '', '', ''],
        ['', '没有编号', 'A', '', '', '', '', ''],
        ['BAD-04', '别人的地点', 'A', 'B 机房', '', '', '', ''],
        ['BAD-05', '重复序列号', 'A', '', '', 'IMP-SN-1', '', ''],
        ['BAD-06', '坏 IP', 'A', '', '', '', '10.0.0.300', '报废中'],
        ['imp-srv-02', '编号已存在', 'A', '', '', '', '', ''],
        ['BAD-01', '文件内重复', '不存在的客户', '', '', '', '', ''],
        ['BAD-09', 'x'.repeat(300), 'A', '', '', '', '', ''],
      ],
      类型混合: [
        ['类型', '编号', '名称', '客户'],
        ['打印机', 'BAD-P1', '好的打印机', 'A'],
        ['复印机', 'BAD-P2', '没有这种类型', 'A'],
      ],
    });
    const res = await upload(bytes);
    expect(res.statusCode).toBe(400);
    const problems = res.json().errors as Problem[];
    const byCell = Object.fromEntries(problems.map((p) => [p.message.match(/单元格 ([A-Z]+\d+)/)?.[1] + '@' + p.message.match(/工作表“([^”]+)”/)?.[1], p.message]));
    expect(Object.keys(byCell).sort()).toEqual(
      ['E3@物理服务器', 'A4@物理服务器', 'D5@物理服务器', 'F6@物理服务器', 'G7@物理服务器', 'H7@物理服务器', 'A8@物理服务器', 'A9@物理服务器', 'C9@物理服务器', 'B10@物理服务器', 'A3@类型混合'].sort(),
    );
    expect(byCell['E3@物理服务器']).toBe('工作表“物理服务器”单元格 E3：属性“内存”应为数字');
    expect(byCell['F6@物理服务器']).toContain('IMP-SRV-01');
    expect(byCell['A8@物理服务器']).toContain('已被配置项 IMP-SRV-02 使用');
    expect(byCell['A9@物理服务器']).toContain('物理服务器!A2');
    expect(problems.find((p) => p.message.includes('E3'))).toMatchObject({ row: 3, column: '内存（GB）' });
    expect(res.json().title).toContain('未导入任何配置项');
    expect(await count()).toBe(before);
  });

  it('dry run, customer chosen for the file, refused without rights, not a spreadsheet', async () => {
    const bytes = await workbook({ pc: [['编号', '名称', '使用人'], ['IMP-PC-01', '护士站电脑', '王芳']] });
    const dry = ok(await upload(bytes, `?dryRun=1&customerId=${w.a.customerId}`));
    expect(dry).toMatchObject({ imported: 0, dryRun: true });
    expect((await upload(bytes)).json().errors[0].message).toContain('客户');
    ok(await upload(bytes, `?customerId=${w.a.customerId}`));
    const m = multipart({}, { name: 'x.xlsx', bytes, type: 'application/octet-stream' });
    expect((await w.custA.request({ method: 'POST', url: `${C}/import`, ...m })).statusCode).toBe(403);
    const notXlsx = await upload(Buffer.from('code,name\nX,Y\n'));
    expect(notXlsx.statusCode).toBe(400);
    expect(notXlsx.json().errors[0].field).toBe('file');
    const noSheet = await upload(await workbook({ Sheet1: [['a', 'b'], [1, 2]] }));
    expect(noSheet.json().errors[0].field).toBe('file');
  });

  it('streams progress as JSON lines with Accept: application/x-ndjson', async () => {
    const rows: unknown[][] = [['编号', '名称', '客户', '管理IP']];
    for (let i = 1; i <= 1200; i++) rows.push([`NDJ-${i}`, `终端 ${i}`, 'A', `10.9.${Math.floor(i / 250)}.${i % 250}`]);
    const res = await upload(await workbook({ PC: rows }), '', { accept: 'application/x-ndjson' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ phase: 'read' });
    expect(lines.some((l) => l.phase === 'check' && l.done === 500)).toBe(true);
    expect(lines.filter((l) => l.phase === 'write').length).toBeGreaterThanOrEqual(6);
    expect(lines[lines.length - 1]).toMatchObject({ done: true, result: { imported: 1200 } });
    const bad = await upload(await workbook({ PC: [['编号', '名称', '客户'], ['NDJ-1', '重复', 'A']] }), '', { accept: 'application/x-ndjson' });
    expect(bad.body.trim().split('\n').map((l) => JSON.parse(l)).pop()).toMatchObject({ done: true, error: { status: 400 } });
  });

  it('a 10,000-row sheet imports whole (its time is measured in bench/src/cmdb.bench.ts, not here)', async () => {
    const rows: unknown[][] = [['编号', '名称', '客户', '服务地点', '管理IP', '序列号', '内存（GB）', 'CPU 核数', '操作系统', '其他 IP 地址']];
    for (let i = 1; i <= 10_000; i++) rows.push([`BIG-${String(i).padStart(5, '0')}`, `服务器 ${i}`, 'A', 'A 机房', `10.${100 + Math.floor(i / 60000)}.${Math.floor(i / 250) % 250}.${i % 250}`, `BIGSN${i}`, 64, 16, '麒麟 V10', `172.16.${Math.floor(i / 250) % 250}.${i % 250}`]);
    const file = await workbook({ 物理服务器: rows });
    const res = ok(await upload(file));
    expect(res.imported).toBe(10_000);
    const n = await w.t.database.db.selectFrom('cis').select((eb) => eb.fn.countAll<number>().as('n')).where('code', 'like', 'BIG-%').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(10_000);
  }, 300_000);

  it('template and export: one sheet per type; an export imports again', async () => {
    const types = ok(await w.admin.request({ method: 'GET', url: '/api/v1/ci-types' }));
    const server = types.find((t: { code: string }) => t.code === 'server_physical');
    const tpl = await w.admin.request({ method: 'GET', url: `${C}/import-template?typeId=${server.id}` });
    expect(tpl.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['说明', '物理服务器']);
    const header = (wb.getWorksheet('物理服务器')!.getRow(1).values as string[]).filter(Boolean);
    expect(header.slice(0, 3)).toEqual(['编号', '名称', '客户']);
    expect(header).toContain('内存（GB）');
    const exp = await w.admin.request({ method: 'GET', url: `${C}/export.xlsx?customerId=${w.a.customerId}&q=IMP-` });
    expect(exp.statusCode).toBe(200);
    const out = new ExcelJS.Workbook();
    await out.xlsx.load(exp.rawPayload as unknown as ArrayBuffer);
    const ws = out.getWorksheet('物理服务器')!;
    expect(ws.getRow(2).getCell(1).value).toBe('IMP-SRV-01');
    // Rename the codes and serials: the exported file imports again.
    ws.eachRow((row, n) => {
      if (n === 1) return;
      row.getCell(1).value = `RE-${String(row.getCell(1).value)}`;
      row.getCell(10).value = row.getCell(10).value ? `RE-${String(row.getCell(10).value)}` : '';
    });
    for (const other of out.worksheets.filter((s) => s.name !== '物理服务器')) out.removeWorksheet(other.id);
    const again = ok(await upload(Buffer.from(await out.xlsx.writeBuffer())));
    expect(again.imported).toBe(2);
    // A customer's user exports his own only.
    const mine = await w.custA.request({ method: 'GET', url: `${C}/export.xlsx?customerId=${w.b.customerId}` });
    expect(mine.statusCode).toBe(200);
  });
});
