import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantToZoned } from '../../../core/calendar/index.js';
import { EVIDENCE_REQUIREMENTS } from '../../../core/reporting/evidence-map.js';
import { recordAudit } from '../../../platform/audit/service.js';
import { claimBlob, writeBlob } from '../../../platform/files/store.js';
import { findCjkFont } from '../../../platform/pdf/fonts.js';
import { describeDb, insertUser, login, type Session } from '../../../test/harness.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../../test/tickets-fixture.js';
import { dataUrl, png, sha256 } from '../../../test/uploads.js';
import { checkPeriod, EvidenceService } from './service.js';

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const localDay = (ms: number) => instantToZoned(ms, TZ).date;

/** The text of a PDF as poppler's pdftotext reads it (what a reader's search and copy see). */
function pdfText(bytes: Buffer): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString('utf8').replace(/\s+/g, '');
}

async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(bytes);
  const out = new Map<string, Buffer>();
  for (const name of Object.keys(zip.files).sort()) if (!zip.files[name].dir) out.set(name, await zip.files[name].async('nodebuffer'));
  return out;
}

describe('checkPeriod (bad input)', () => {
  const now = Date.parse('2026-07-01T02:00:00Z'); // 10:00 on 1 July in Shanghai
  const fields = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { fields: Array<{ field: string; code: string }> }).fields.map((f) => `${f.field}:${f.code}`);
    }
    return [];
  };
  const c = { timeZone: TZ };
  it('takes an ended period as local midnights of the customer\'s zone', () => {
    const p = checkPeriod(c, '2026-01-01', '2026-06-30', now);
    expect(new Date(p.start).toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(new Date(p.end).toISOString()).toBe('2026-06-30T16:00:00.000Z');
  });
  it('refuses impossible dates, reversed periods, periods not ended and periods too long, naming the field', () => {
    expect(fields(() => checkPeriod(c, '2026-02-30', '2026-06-30', now))).toEqual(['from:evidence.date.invalid']);
    expect(fields(() => checkPeriod(c, '2026-01-01', '30/06/2026', now))).toEqual(['to:evidence.date.invalid']);
    expect(fields(() => checkPeriod(c, '2026-06-30', '2026-01-01', now))).toEqual(['to:evidence.period.reversed']);
    // today (1 July in Shanghai, though still 30 June in UTC at 02:00) has not ended; nor has the future
    expect(fields(() => checkPeriod(c, '2026-06-01', '2026-07-01', now))).toEqual(['to:evidence.period.notEnded']);
    expect(fields(() => checkPeriod(c, '2026-06-01', '2027-01-31', now))).toEqual(['to:evidence.period.notEnded']);
    expect(fields(() => checkPeriod(c, '2023-01-01', '2026-06-30', now))).toEqual(['from:evidence.period.tooLong']);
  });
});

describe('the evidence map', () => {
  it('covers R1–R55 once each and gives every requirement evidence, a pending module or says it is kept offline', () => {
    const reports = EVIDENCE_REQUIREMENTS.filter((r) => r.group === 'report').map((r) => r.id);
    expect(reports).toEqual(Array.from({ length: 55 }, (_, i) => `R${i + 1}`));
    for (const r of EVIDENCE_REQUIREMENTS) expect(r.pack?.length || r.pending?.length || r.offline, r.id).toBeTruthy();
  });
});

describeDb('evidence pack', (kind) => {
  let w: TicketWorld;
  let dataDir: string;
  let service: EvidenceService;
  let clerk: Session;
  let repaired: { id: number; number: string };
  let complaint: { id: number; number: string };
  let todays: { id: number; number: string };
  let otherCustomers: { id: number; number: string };
  let storedRepairPdf: Buffer;
  const serviceReportPdf = Buffer.from('%PDF-1.7\n% 月度服务报告 as the reports module stored it at the issue\n%%EOF\n');
  const signedReportPdf = Buffer.from('%PDF-1.7\n% 月度服务报告 drawn again with the sign-off, stored at the signing\n%%EOF\n');
  const from = localDay(Date.now() - 5 * DAY);
  const to = localDay(Date.now() - DAY);
  const threeDaysAgo = Date.now() - 3 * DAY;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-evidence-'));
    w = await ticketWorld(kind, { DATA_DIR: dataDir, PROVIDER_NAME: '华信运维服务有限公司' });
    service = new EvidenceService(w.t.database.db, findCjkFont({ font: null, fontFamily: null }));
    const minutesAgo = 3 * 24 * 60;
    // A repaired incident with a signed repair report.
    repaired = await createTicket(w.desk, report(w.a, { title: '核心交换机故障导致财务系统无法登录', teamId: w.teams.line1, assigneeId: w.users.eng }, minutesAgo));
    ok(await act(w.eng, repaired.id, 'accept'));
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${repaired.id}/visits`, payload: { event: 'arrive', at: new Date(Date.now() - 40 * 60_000).toISOString() } }), 201);
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${repaired.id}/visits`, payload: { event: 'leave', at: new Date(Date.now() - 10 * 60_000).toISOString(), result: '已恢复' } }), 201);
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${repaired.id}/replies`, payload: { body: '内部：光模块批次需向厂商追溯', visibility: 'internal' } }), 201);
    ok(await act(w.eng, repaired.id, 'resolve', { resolution: '更换核心交换机 3 号端口光模块后恢复' }));
    const rr = `/api/v1/tickets/${repaired.id}/repair-report`;
    ok(await w.eng.request({ method: 'POST', url: rr }), 201);
    ok(await w.eng.request({ method: 'PATCH', url: rr, payload: { version: 1, diagnosis: '光模块故障', cause: '光模块老化', result: 'fixed' } }));
    ok(await w.custA.request({ method: 'POST', url: `${rr}/sign`, payload: { version: 2, signerName: '林晓燕', signaturePng: dataUrl(png(300, 120)) } }));
    const pdfRes = await w.admin.request({ method: 'GET', url: `${rr}/pdf` });
    expect(pdfRes.statusCode).toBe(200);
    storedRepairPdf = pdfRes.rawPayload;
    // A complaint, rated.
    complaint = await createTicket(w.desk, report(w.a, { kind: 'complaint', title: '投诉：工程师未按约定时间到场' }, minutesAgo - 30));
    // Outside the pack: today's ticket, and another customer's.
    todays = await createTicket(w.desk, report(w.a, { title: '今天的打印机卡纸' }, 5));
    otherCustomers = await createTicket(w.desk, report(w.b, { title: 'MARK-B 客户B的工单' }, minutesAgo));
    // Audit rows of the period (the API writes its rows now, after the period): one of A's, one of B's.
    await w.t.database.db.transaction().execute(async (trx) => {
      await recordAudit(trx, { userId: null, name: 'test', ip: null }, { action: 'update', entity: 'tickets', entityId: repaired.id, customerId: w.a.customerId, after: { note: 'MARK-A 审计' } }, threeDaysAgo);
      await recordAudit(trx, { userId: null, name: 'test', ip: null }, { action: 'update', entity: 'tickets', entityId: otherCustomers.id, customerId: w.b.customerId, after: { note: 'MARK-B 审计' } }, threeDaysAgo);
    });
    // Service reports of customer A as the reports module stores them: one signed (in the pack), one draft (not).
    const db = w.t.database.db;
    const blob = await writeBlob(db, Readable.from([serviceReportPdf]));
    const signedBlob = await writeBlob(db, Readable.from([signedReportPdf]));
    await db.transaction().execute(async (trx) => {
      await claimBlob(trx, blob.id, 'application/pdf');
      await claimBlob(trx, signedBlob.id, 'application/pdf');
      const now = Date.now();
      const base = { contract_id: w.a.contractId, customer_id: w.a.customerId, period_from: from, period_to: to, due_on: to, due_at: now, time_zone: TZ, current_seq: 1, created_at: now, updated_at: now, version: 1 };
      const signed = await trx.insertInto('service_reports').values({ ...base, type: 'monthly_service', period: 'P1', number: 'RPT-MS-TEST-A', state: 'signed', issued_at: now, first_issued_at: now, signed_at: now, signer_name: '陈志远' }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('service_report_versions').values({ report_id: Number(signed.id), seq: 1, figures: '{}', narratives: '{}', generated_at: now, pdf_blob_id: blob.id, pdf_sha256: blob.sha256, pdf_size: blob.size, issued_at: now, created_at: now, answered_state: 'signed', answered_at: now, answered_pdf_blob_id: signedBlob.id, answered_pdf_sha256: signedBlob.sha256, answered_pdf_size: signedBlob.size }).execute();
      await trx.insertInto('service_reports').values({ ...base, type: 'monthly_repair', period: 'P1', number: 'RPT-MR-DRAFT-A', state: 'draft' }).execute();
    });
    // Knowledge saves (R12): A's article written 3 days ago and retitled 2 days ago, a general one 4
    // days ago; B's article and one of A's written today are not in A's pack.
    const article = async (title: string, customerId: number | null) => ok(await w.admin.request({ method: 'POST', url: '/api/v1/knowledge/articles', payload: { kind: 'solution', title, bodyHtml: '<p>处理步骤</p>', customerId } }), 201);
    const printer = await article('打印机卡纸处理办法', w.a.customerId);
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/knowledge/articles/${printer.id}`, payload: { version: printer.version, title: '打印机卡纸处理办法（修订）' } }));
    const vpn = await article('VPN 809 错误处理', null);
    const bs = await article('MARK-B 客户B的知识', w.b.customerId);
    await article('今天写的知识', w.a.customerId);
    const savedAt = (articleId: number, version: number, at: number) => db.updateTable('kb_article_versions').set({ created_at: at }).where('article_id', '=', articleId).where('version', '=', version).execute();
    await savedAt(printer.id, 1, threeDaysAgo);
    await savedAt(printer.id, 2, Date.now() - 2 * DAY);
    await savedAt(vpn.id, 1, Date.now() - 4 * DAY);
    await savedAt(bs.id, 1, threeDaysAgo);
    // A staff member holding evidence.export whose teams serve customer A only.
    ok(await w.admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'evidence_clerk', nameZh: '证据导出', nameEn: 'Evidence clerk', permissions: ['evidence.export'] } }), 201);
    const clerkId = await insertUser(w.t.database, { username: 'clerk', roles: ['engineer', 'evidence_clerk'], displayName: '周审' });
    await w.t.database.db.insertInto('team_members').values({ team_id: w.teams.line1, user_id: clerkId, is_lead: 0 }).execute();
    clerk = await login(w.t.app, 'clerk');
    // The SLA jobs due for these tickets run now, not between two exports compared below.
    await w.t.app.scheduler.drain(() => Date.now());
  });
  afterAll(async () => {
    await w.t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const exportFile = async (name: string) => {
    const customer = await service.customerByRef('A');
    const file = path.join(dataDir, name);
    const summary = await service.exportToFile({ userId: null, name: 'cli', ip: null }, customer, checkPeriod(customer, from, to, Date.now()), file);
    return { summary, bytes: fs.readFileSync(file) };
  };

  let first: { summary: Awaited<ReturnType<EvidenceService['exportToFile']>>; bytes: Buffer };
  let files: Map<string, Buffer>;

  it('packs the period\'s tickets of the customer, with an index that maps the requirements to them', async () => {
    first = await exportFile('first.zip');
    files = await unzip(first.bytes);
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['index.html', 'index.xlsx', 'tickets.xlsx', 'satisfaction.xlsx', 'audit/audit-log.csv', 'audit/chain-verification.txt', 'manifest.json', `tickets/${repaired.number}.pdf`, `tickets/${complaint.number}.pdf`, `repair-reports/${repaired.number}-R1.pdf`]),
    );
    expect(names.filter((n) => n.startsWith('tickets/'))).toHaveLength(2);
    const html = files.get('index.html')!.toString('utf8');
    expect(html).toContain('运维服务证据包：客户A');
    expect(html).toContain(`href="tickets/${repaired.number}.pdf"`);
    expect(html).toContain('核心交换机故障导致财务系统无法登录');
    expect(html).toContain(`href="repair-reports/${repaired.number}-R1.pdf"`);
    for (const absent of [todays.number, otherCustomers.number, 'MARK-B']) expect(html).not.toContain(absent);
    // every requirement is a row; modules that do not exist are said to record nothing, never faked
    for (const r of EVIDENCE_REQUIREMENTS) expect(html).toContain(`<td>${r.id}</td>`);
    expect(html).toContain('巡检记录：本系统尚未记录（对应模块未启用）');
    expect(html).toContain('变更记录：本系统尚未记录（对应模块未启用）');
    expect(html).not.toMatch(/href="(inspections|changes|emergenc|drills)/);
    expect(html).not.toMatch(/<script/i);
    // the issued service report is there byte for byte, the draft is not
    expect(sha256(files.get('reports/RPT-MS-TEST-A-v1.pdf')!)).toBe(sha256(serviceReportPdf));
    expect(html).toContain('href="reports/RPT-MS-TEST-A-v1.pdf"');
    // and, signed off, the PDF drawn with the sign-off as stored at the signing, beside the issued one
    expect(sha256(files.get('reports/RPT-MS-TEST-A-v1-signed.pdf')!)).toBe(sha256(signedReportPdf));
    expect(html).toContain('href="reports/RPT-MS-TEST-A-v1-signed.pdf"');
    expect(html).not.toContain('RPT-MR-DRAFT-A');
    expect(html).toContain('服务报告：期间内无已签发的此类报告'); // R17, the monthly repair summary: only a draft
  });

  it('draws each ticket as a PDF with its Chinese title, the whole timeline (internal notes marked) and the SLA outcome', () => {
    const text = pdfText(files.get(`tickets/${repaired.number}.pdf`)!);
    expect(text).toContain('核心交换机故障导致财务系统无法登录');
    expect(text).toContain(repaired.number);
    expect(text).toContain('内部备注：内部：光模块批次需向厂商追溯');
    expect(text).toContain('SLA达成情况');
    expect(text).toMatch(/响应.*(达标|超时)/);
    expect(text).toContain('维修服务报告');
  });

  it('carries the knowledge base\'s weekly record (R12): the period\'s weeks, A\'s and general saves with their titles as saved', async () => {
    expect(files.has('knowledge-weekly.xlsx')).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(files.get('knowledge-weekly.xlsx')! as unknown as ArrayBuffer);
    const values = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const weeks = values('每周更新');
    expect(weeks[0]).toEqual(['周（周一）', '起', '止', '新增文章', '更新文章', '合计', '本周已更新', '说明']);
    const weekRows = weeks.slice(1).filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(String(r[0])));
    // five days of the period fall in one or two Monday weeks; the first starts at `from`, the last ends at `to`
    expect(weekRows.length).toBeGreaterThanOrEqual(1);
    expect(weekRows[0][1]).toBe(from);
    expect(weekRows[weekRows.length - 1][2]).toBe(to);
    expect(weekRows.reduce((n, r) => n + Number(r[3]), 0)).toBe(2); // 打印机卡纸处理办法 and the general VPN article
    expect(weekRows.reduce((n, r) => n + Number(r[4]), 0)).toBe(1); // the retitling
    const detail = values('更新明细').map((r) => r.join('|'));
    expect(detail.some((r) => r.includes('|打印机卡纸处理办法|解决方案|本客户|1|新增|新建|'))).toBe(true);
    expect(detail.some((r) => r.includes('|打印机卡纸处理办法（修订）|解决方案|本客户|2|更新|修改|'))).toBe(true);
    expect(detail.some((r) => r.includes('|VPN 809 错误处理|解决方案|通用|1|新增|'))).toBe(true);
    expect(detail.join('\n')).not.toMatch(/MARK-B|今天写的知识/);
    const html = files.get('index.html')!.toString('utf8');
    const r12 = html.split('<tr>').find((row) => row.startsWith('<td>R12</td>'))!;
    expect(r12).toContain('href="knowledge-weekly.xlsx"');
    expect(r12).toContain('已提供');
    expect(JSON.parse(files.get('manifest.json')!.toString('utf8')).counts.knowledgeSaves).toBe(3);
  });

  it('carries the signed repair report byte for byte as stored at the signing', () => {
    const packed = files.get(`repair-reports/${repaired.number}-R1.pdf`)!;
    expect(sha256(packed)).toBe(sha256(storedRepairPdf));
  });

  it('lists every file with its sha256 in manifest.json; the audit extract is the customer\'s and the chain verifies', () => {
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.counts.tickets).toBe(2);
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual([...files.keys()].filter((n) => n !== 'manifest.json').sort());
    for (const f of manifest.files) expect(sha256(files.get(f.path)!), f.path).toBe(f.sha256);
    const csv = files.get('audit/audit-log.csv')!.toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('MARK-A 审计');
    expect(csv).not.toContain('MARK-B');
    const chain = files.get('audit/chain-verification.txt')!.toString('utf8');
    expect(chain).toContain('结果：通过');
    expect(manifest.auditChain.ok).toBe(true);
    expect(first.summary.plan.chainAtExport.ok).toBe(true);
  });

  it('is deterministic: the same period exported again gives the same bytes (PDFs drawn on threads this time)', async () => {
    process.env.EVIDENCE_PDF_THREADS = '2';
    const again = await exportFile('second.zip').finally(() => delete process.env.EVIDENCE_PDF_THREADS);
    expect(sha256(again.bytes)).toBe(sha256(first.bytes));
    expect(again.summary.result.manifestSha256).toBe(first.summary.result.manifestSha256);
  });

  it('runs as a background job from the API with progress, and the download is the same pack', async () => {
    const started = await w.admin.request({ method: 'POST', url: '/api/v1/evidence-exports', payload: { customerId: w.a.customerId, from, to } });
    const job = ok(started, 202);
    expect(job).toMatchObject({ state: 'queued', customerName: '客户A', from, to, done: 0 });
    expect((await w.admin.request({ method: 'GET', url: `/api/v1/evidence-exports/${job.id}/download` })).statusCode).toBe(409);
    await w.t.app.scheduler.drain(() => Date.now());
    const done = ok(await w.admin.request({ method: 'GET', url: `/api/v1/evidence-exports/${job.id}` }));
    expect(done).toMatchObject({ state: 'done', tickets: 2, chainOk: true, error: null, fileName: `evidence-A-${from}-${to}.zip` });
    expect(done.done).toBe(done.total);
    expect(done.total).toBe(files.size);
    const dl = await w.admin.request({ method: 'GET', url: `/api/v1/evidence-exports/${job.id}/download` });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/zip');
    expect(sha256(dl.rawPayload)).toBe(sha256(first.bytes));
    expect(done.sha256).toBe(sha256(first.bytes));
    const list = ok(await w.admin.request({ method: 'GET', url: `/api/v1/evidence-exports?customerId=${w.a.customerId}` }));
    expect(list.items.map((i: { id: number }) => i.id)).toContain(job.id);
  });

  it('refuses bad periods with the field named, and an unknown customer with 404', async () => {
    const post = (payload: Record<string, unknown>) => w.admin.request({ method: 'POST', url: '/api/v1/evidence-exports', payload });
    const bad = await post({ customerId: w.a.customerId, from: to, to: from });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['to']);
    const future = await post({ customerId: w.a.customerId, from, to: localDay(Date.now() + 30 * DAY) });
    expect(future.statusCode).toBe(400);
    expect(future.json().errors[0].message).toContain('期间尚未结束');
    const impossible = await post({ customerId: w.a.customerId, from: '2026-02-30', to });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.json().errors.map((e: { field: string }) => e.field)).toEqual(['from']);
    expect((await post({ customerId: 999999, from, to })).statusCode).toBe(404);
    expect(await w.t.database.db.selectFrom('evidence_exports').select('id').where('customer_id', '=', 999999).execute()).toEqual([]);
  });

  it('keeps to the caller\'s scope: another customer is not found, customer users may not export', async () => {
    expect(ok(await clerk.request({ method: 'POST', url: '/api/v1/evidence-exports', payload: { customerId: w.a.customerId, from, to } }), 202).customerId).toBe(w.a.customerId);
    const other = await clerk.request({ method: 'POST', url: '/api/v1/evidence-exports', payload: { customerId: w.b.customerId, from, to } });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('客户B');
    const admins = ok(await w.admin.request({ method: 'POST', url: '/api/v1/evidence-exports', payload: { customerId: w.b.customerId, from, to } }), 202);
    expect((await clerk.request({ method: 'GET', url: `/api/v1/evidence-exports/${admins.id}` })).statusCode).toBe(404);
    expect((await clerk.request({ method: 'GET', url: `/api/v1/evidence-exports/${admins.id}/download` })).statusCode).toBe(404);
    expect(ok(await clerk.request({ method: 'GET', url: '/api/v1/evidence-exports' })).items.every((i: { customerId: number }) => i.customerId === w.a.customerId)).toBe(true);
    expect((await w.custA.request({ method: 'POST', url: '/api/v1/evidence-exports', payload: { customerId: w.a.customerId, from, to } })).statusCode).toBe(403);
    expect((await w.custA.request({ method: 'GET', url: '/api/v1/evidence-exports' })).statusCode).toBe(403);
  });

  it('cancels an export that has not run', async () => {
    const job = ok(await w.admin.request({ method: 'POST', url: '/api/v1/evidence-exports', payload: { customerId: w.a.customerId, from, to } }), 202);
    expect(ok(await w.admin.request({ method: 'POST', url: `/api/v1/evidence-exports/${job.id}/cancel` })).state).toBe('cancelled');
    await w.t.app.scheduler.drain(() => Date.now());
    expect(ok(await w.admin.request({ method: 'GET', url: `/api/v1/evidence-exports/${job.id}` })).state).toBe('cancelled');
    expect((await w.admin.request({ method: 'POST', url: `/api/v1/evidence-exports/${job.id}/cancel` })).statusCode).toBe(409);
  });
});
