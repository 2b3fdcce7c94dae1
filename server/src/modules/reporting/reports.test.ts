import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { instantToZoned } from '../../core/calendar/tz.js';
import { describeDb, fanOutQueued, insertUser, login, type Session } from '../../test/harness.js';
import { createTicket, customerWithContract, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { Scheduler } from '../../platform/jobs/scheduler.js';
import { CalendarService } from '../sla/calendars.service.js';
import { MetricsService } from './metrics.service.js';
import { ensureReportJobs, GENERATE_JOB, registerReportJobs, ReportDue } from './reports.due.js';
import { ReportGenerator } from './reports.generate.service.js';

/**
 * Service reports end to end through the API (docs/REPORTS.md): generation and its refusals,
 * the time-zone edge, narratives with optimistic versions, review, issue with the three files,
 * the customer's sign-off and return in the portal, versions, the due board with a holiday,
 * reminders and the generation job across two schedulers. On SQLite and PostgreSQL.
 */
const BASE = '/api/v1/reporting/reports';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A PDF's text as poppler's pdftotext reads it (what a reader's search and copy see), whitespace removed. */
const pdfText = (b: Buffer) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: b }).toString('utf8').replace(/\s+/g, '');

describeDb('service reports', (kind) => {
  let w: TicketWorld;
  let pm: Session;
  let pm2: Session;
  let reviewer: Session;
  let custAdminA: Session;
  let custAdminB: Session;
  let ids: { pm2: number; reviewer: number; custAdminA: number };
  let octId: number;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    const pm2Id = await insertUser(w.t.database, { username: 'pm2', roles: ['pm'], displayName: '赵敏' });
    ok(await w.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: '项目组', kind: 'line2', memberIds: [pm2Id, w.users.pm], customerIds: [w.a.customerId] } }), 201);
    const reviewerId = await insertUser(w.t.database, { username: 'qa', roles: ['quality'], displayName: '质量经理' });
    const custAdminAId = await insertUser(w.t.database, { username: 'cadm_a', roles: ['customer_admin'], customerId: w.a.customerId, displayName: 'A 信息科' });
    await insertUser(w.t.database, { username: 'cadm_b', roles: ['customer_admin'], customerId: w.b.customerId, displayName: 'B 信息科' });
    ids = { pm2: pm2Id, reviewer: reviewerId, custAdminA: custAdminAId };
    pm = await login(w.t.app, 'pm');
    pm2 = await login(w.t.app, 'pm2');
    reviewer = await login(w.t.app, 'qa');
    custAdminA = await login(w.t.app, 'cadm_a');
    custAdminB = await login(w.t.app, 'cadm_b');
  }, 120_000);
  afterAll(() => w?.t.close());

  const generate = (s: Session, payload: Record<string, unknown>) => s.request({ method: 'POST', url: BASE, payload });
  const get = (s: Session, id: number) => s.request({ method: 'GET', url: `${BASE}/${id}` });

  it('refuses a period that has not ended, one before the contract, a malformed one and a type the plan does not owe', async () => {
    const notEnded = await generate(pm, { contractId: w.a.contractId, type: 'monthly_service', period: '2099-01' });
    expect(notEnded.statusCode).toBe(400);
    expect(notEnded.json().errors[0]).toMatchObject({ field: 'period' });
    expect(notEnded.json().errors[0].message).toContain('2099年1月 尚未结束');

    const late = await customerWithContract(w.admin, 'LATE', w.users.pm, null);
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/contracts/${late.contractId}`, payload: { startsOn: '2026-06-01', version: 1 } }));
    const before = await generate(pm, { contractId: late.contractId, type: 'monthly_service', period: '2026-05' });
    expect(before.statusCode).toBe(400);
    expect(before.json().errors[0]).toMatchObject({ field: 'period' });
    expect(before.json().errors[0].message).toContain('早于合同 HT-LATE 的开始日期 2026-06-01');

    const malformed = await generate(pm, { contractId: w.a.contractId, type: 'quarterly_om', period: '2026-11' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].message).toContain('2026-Q4');

    const notOwed = await generate(pm, { contractId: w.a.contractId, type: 'satisfaction_annual', period: '2025' });
    expect(notOwed.statusCode).toBe(400);
    expect(notOwed.json().errors[0]).toMatchObject({ field: 'type' });
    // Nothing was written by any of them.
    expect(await w.t.database.db.selectFrom('service_reports').select('id').execute()).toEqual([]);
  });

  it('generates October with a ticket at 23:30 on the 31st (Asia/Shanghai) in it, and not the one after midnight', async () => {
    const inOct = await createTicket(w.desk, report(w.a, { title: '核心交换机宕机', impact: 'high', urgency: 'high' }));
    const inNov = await createTicket(w.desk, report(w.a, { title: '十一月一日凌晨的故障', impact: 'high', urgency: 'high' }));
    const db = w.t.database.db;
    await db.updateTable('tickets').set({ reported_at: Date.parse('2026-10-31T23:30:00+08:00'), priority_rank: 1 }).where('id', '=', inOct.id).execute();
    await db.updateTable('tickets').set({ reported_at: Date.parse('2026-11-01T00:10:00+08:00'), priority_rank: 1 }).where('id', '=', inNov.id).execute();

    const res = await generate(pm, { contractId: w.a.contractId, type: 'monthly_service', period: '2026-10' });
    const rep = ok(res, 201);
    octId = rep.id;
    expect(rep).toMatchObject({ number: 'RPT-MS-202610-A', state: 'draft', dueOn: '2026-11-05', seq: 1, version: 1, periodLabel: '2026年10月', title: '客户A 2026年10月 月度服务报告' });
    const major = rep.sections.find((s: { key: string }) => s.key === 'major_incidents');
    const rows = major.blocks.find((b: { type: string }) => b.type === 'table').rows as Array<{ number: string; reportedAt: string }>;
    expect(rows.map((r) => r.number)).toEqual([inOct.number]);
    expect(rows[0].reportedAt).toBe('2026-10-31 23:30');
    const volume = rep.sections.find((s: { key: string }) => s.key === 'volume');
    expect(volume.blocks[0].text).toContain('本期共受理工单 1 件');
    // Modules not enabled: hidden by default, their line honest.
    expect(rep.sections.find((s: { key: string }) => s.key === 'inspections')).toMatchObject({ hidden: true, unavailable: true, blocks: [{ type: 'text', text: '本期无相关记录（该模块尚未启用）' }] });

    const nov = ok(await generate(pm, { contractId: w.a.contractId, type: 'monthly_service', period: '2026-11' }), 201);
    const novRows = nov.sections.find((s: { key: string }) => s.key === 'major_incidents').blocks[0].rows as Array<{ number: string }>;
    expect(novRows.map((r) => r.number)).toEqual([inNov.number]);

    const again = await generate(pm2, { contractId: w.a.contractId, type: 'monthly_service', period: '2026-10' });
    expect(again.statusCode).toBe(409);
    expect(again.json().title).toContain('RPT-MS-202610-A');
    const audit = await db.selectFrom('audit_log').select(['action']).where('entity', '=', 'service_reports').where('entity_id', '=', String(octId)).execute();
    expect(audit.map((a) => a.action)).toEqual(['generate']);
  });

  it("customers never see drafts, and another customer's report is a 404 that says nothing", async () => {
    expect((await get(custAdminA, octId)).statusCode).toBe(404);
    const other = await get(custAdminB, octId);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('RPT-MS');
    expect(ok(await custAdminB.request({ method: 'GET', url: BASE })).items).toEqual([]);
    // B's staff cannot generate on A's contract either.
    expect((await generate(custAdminB, { contractId: w.a.contractId, type: 'monthly_service', period: '2026-09' })).statusCode).toBe(403);
  });

  it('two PMs edit the same narrative: the stale one is refused naming the report and who changed it', async () => {
    const rep = ok(await get(pm, octId));
    const first = await pm.request({ method: 'PATCH', url: `${BASE}/${octId}/narratives`, payload: { version: rep.version, narratives: { summary: '十月份系统运行总体平稳。' } } });
    expect(ok(first).sections.find((s: { key: string }) => s.key === 'summary').narrative).toBe('十月份系统运行总体平稳。');
    const stale = await pm2.request({ method: 'PATCH', url: `${BASE}/${octId}/narratives`, payload: { version: rep.version, narratives: { summary: '另一版本' } } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('stale');
    expect(stale.json().title).toContain('RPT-MS-202610-A');
    expect(stale.json().title).toContain('王磊');
    expect(ok(await get(pm, octId)).sections.find((s: { key: string }) => s.key === 'summary').narrative).toBe('十月份系统运行总体平稳。');

    const dataSection = await pm.request({ method: 'PATCH', url: `${BASE}/${octId}/narratives`, payload: { version: rep.version + 1, narratives: { sla: '手写数字' } } });
    expect(dataSection.statusCode).toBe(400);
    expect(dataSection.json().errors[0].field).toBe('narratives.sla');
  });

  it('refresh figures recomputes the data sections and keeps the narratives; a preview renders the draft for the provider only', async () => {
    let rep = ok(await get(pm, octId));
    const late = await createTicket(w.desk, report(w.a, { title: '十月补录的重大故障', impact: 'high', urgency: 'high' }));
    await w.t.database.db.updateTable('tickets').set({ reported_at: Date.parse('2026-10-15T10:00:00+08:00'), priority_rank: 1 }).where('id', '=', late.id).execute();
    const frozen = rep.sections.find((s: { key: string }) => s.key === 'major_incidents').blocks[0].rows.length;
    expect(frozen).toBe(1);
    rep = ok(await pm.request({ method: 'POST', url: `${BASE}/${octId}/refresh`, payload: { version: rep.version } }));
    const rows = rep.sections.find((s: { key: string }) => s.key === 'major_incidents').blocks[0].rows as Array<{ number: string }>;
    expect(rows.map((r) => r.number)).toContain(late.number);
    expect(rows.length).toBe(2);
    expect(rep.sections.find((s: { key: string }) => s.key === 'summary').narrative).toBe('十月份系统运行总体平稳。');
    const preview = await pm.request({ method: 'GET', url: `${BASE}/${octId}/preview/pdf` });
    expect(preview.statusCode).toBe(200);
    expect(preview.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await custAdminA.request({ method: 'GET', url: `${BASE}/${octId}/preview/pdf` })).statusCode).toBe(403);
  });

  it('a reviewer returns a report with a comment: back to draft, the preparer told', async () => {
    const nov = ok(await w.t.app.inject({ method: 'GET', url: `${BASE}?contractId=${w.a.contractId}&type=monthly_service`, headers: { cookie: pm.cookie } })).items.find((r: { period: string }) => r.period === '2026-11');
    let rep = ok(await get(pm, nov.id));
    rep = ok(await pm.request({ method: 'POST', url: `${BASE}/${nov.id}/submit`, payload: { version: rep.version } }));
    const noComment = await reviewer.request({ method: 'POST', url: `${BASE}/${nov.id}/review`, payload: { version: rep.version, approve: false } });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json().errors[0].field).toBe('reviewComment');
    rep = ok(await reviewer.request({ method: 'POST', url: `${BASE}/${nov.id}/review`, payload: { version: rep.version, approve: false, reviewComment: '请补充重大事件的原因分析' } }));
    expect(rep).toMatchObject({ state: 'draft', reviewComment: '请补充重大事件的原因分析' });
    await fanOutQueued(w.t.database);
    const told = await w.t.database.db.selectFrom('notifications').select(['user_id', 'title']).where('event', '=', 'report.review').execute();
    // No reviewer is named in the plan yet: anyone allowed may review, the preparer hears the outcome.
    expect(told.some((n) => Number(n.user_id) === w.users.pm && n.title.includes('请补充重大事件的原因分析'))).toBe(true);
  });

  it('review where the plan asks for it, then issue: three files stored and the customer told', async () => {
    const plan = ok(await w.admin.request({ method: 'GET', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-plan` }));
    expect(plan).toMatchObject({ stored: false, version: 0, types: ['monthly_service', 'monthly_repair', 'quarterly_om', 'annual_om'] });
    const bad = await w.admin.request({ method: 'PUT', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-plan`, payload: { version: 0, types: plan.types, layouts: { monthly_service: [{ key: 'nope' }] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('layouts.monthly_service[0].key');
    // the plan's recipients: users of the contract's customer only, the bad one named by its index
    const foreign = await w.admin.request({ method: 'PUT', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-plan`, payload: { version: 0, types: plan.types, recipients: [ids.custAdminA, w.users.custB] } });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors.map((e: { field: string }) => e.field)).toEqual(['recipients[1]']);
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-plan`, payload: { version: 0, types: plan.types, reviewRequired: true, reviewerId: ids.reviewer } }));

    let rep = ok(await get(pm, octId));
    const early = await pm.request({ method: 'POST', url: `${BASE}/${octId}/issue`, payload: { version: rep.version } });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('review_required');
    rep = ok(await pm.request({ method: 'POST', url: `${BASE}/${octId}/submit`, payload: { version: rep.version } }));
    expect(rep.state).toBe('in_review');
    await fanOutQueued(w.t.database);
    const asked = await w.t.database.db.selectFrom('notifications').select(['user_id', 'title']).where('event', '=', 'report.review').where('user_id', '=', ids.reviewer).execute();
    expect(asked.map((n) => n.title)).toEqual(['请复核报告 RPT-MS-202610-A']);
    expect((await pm.request({ method: 'POST', url: `${BASE}/${octId}/review`, payload: { version: rep.version, approve: true } })).statusCode).toBe(403);
    rep = ok(await reviewer.request({ method: 'POST', url: `${BASE}/${octId}/review`, payload: { version: rep.version, approve: true } }));
    expect(rep).toMatchObject({ state: 'approved', reviewedBy: { name: '质量经理' } });

    rep = ok(await pm.request({ method: 'POST', url: `${BASE}/${octId}/issue`, payload: { version: rep.version } }));
    expect(rep).toMatchObject({ state: 'issued', onTime: false, overdue: false });
    const files = rep.versions[0].files;
    for (const f of ['pdf', 'docx', 'xlsx']) expect(files[f].sha256).toMatch(/^[0-9a-f]{64}$/);

    await fanOutQueued(w.t.database);
    const told = await w.t.database.db.selectFrom('notifications').select(['user_id', 'title', 'link']).where('event', '=', 'report.issued').execute();
    expect(told.map((n) => Number(n.user_id))).toEqual([ids.custAdminA]);
    expect(told[0].title).toContain('客户A 2026年10月 月度服务报告');

    // The customer now sees it, and downloads exactly what was stored.
    const seen = ok(await get(custAdminA, octId));
    expect(seen).toMatchObject({ state: 'issued', allowedActions: ['signoff', 'return'], reviewComment: null });
    expect(seen.sections.every((s: { hidden: boolean }) => !s.hidden)).toBe(true);
    const pdf = await custAdminA.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/pdf` });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const docx = await custAdminA.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/docx` });
    expect(docx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await custAdminB.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/pdf` })).statusCode).toBe(404);
  });

  it('the customer signs it off; an edit after sign-off is refused until a new version is started', async () => {
    let rep = ok(await get(custAdminA, octId));
    const stale = await custAdminA.request({ method: 'POST', url: `${BASE}/${octId}/signoff`, payload: { version: rep.version - 1, signerName: '刘主任' } });
    expect(stale.statusCode).toBe(409);
    expect((await pm.request({ method: 'POST', url: `${BASE}/${octId}/signoff`, payload: { version: rep.version, signerName: '冒名' } })).statusCode).toBe(403);
    const issuedPdf = (await custAdminA.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/pdf` })).rawPayload;
    expect(pdfText(issuedPdf)).not.toContain('已签收确认');
    rep = ok(await custAdminA.request({ method: 'POST', url: `${BASE}/${octId}/signoff`, payload: { version: rep.version, signerName: '刘主任', opinion: '同意' } }));
    expect(rep).toMatchObject({ state: 'signed', signerName: '刘主任', customerComment: '同意' });

    // The files downloaded from now on carry the sign-off: 已签收确认, the signer, the time in the customer's zone, the opinion.
    const v1 = rep.versions[0];
    expect(v1.answer).toMatchObject({ state: 'signed', at: rep.signedAt });
    expect(v1.answer.files.pdf.sha256).not.toBe(v1.files.pdf.sha256);
    const signedRes = await custAdminA.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/pdf` });
    expect(signedRes.headers['content-disposition']).toContain('RPT-MS-202610-A-v1-signed.pdf');
    const signedPdf = signedRes.rawPayload;
    expect(sha256(signedPdf)).toBe(v1.answer.files.pdf.sha256);
    const local = instantToZoned(Date.parse(rep.signedAt), 'Asia/Shanghai');
    const text = pdfText(signedPdf);
    for (const expected of ['已签收确认', '刘主任', `${local.date}${local.time}`, 'Asia/Shanghai，UTC+08:00', '意见：同意']) expect(text, expected).toContain(expected);
    // the cover says it too (before the contents), not only the last page
    expect(text.indexOf('已签收确认')).toBeLessThan(text.indexOf('目录'));
    // The bytes as issued are kept and still served on request, unchanged.
    const asIssued = (await pm.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/pdf?as=issued` })).rawPayload;
    expect(sha256(asIssued)).toBe(v1.files.pdf.sha256);
    expect(sha256(asIssued)).toBe(sha256(issuedPdf));
    const docx = await JSZip.loadAsync((await pm.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/docx` })).rawPayload);
    const docXml = await docx.file('word/document.xml')!.async('string');
    for (const expected of ['已签收确认', '刘主任', `${local.date} ${local.time}`]) expect(docXml, expected).toContain(expected);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await pm.request({ method: 'GET', url: `${BASE}/${octId}/versions/1/xlsx` })).rawPayload as unknown as ArrayBuffer);
    const overview: string[] = [];
    wb.worksheets[0].eachRow((row) => overview.push((row.values as unknown[]).slice(1).join('|')));
    expect(overview).toEqual(expect.arrayContaining(['客户签字确认|已签收确认', '签字人|刘主任']));
    await fanOutQueued(w.t.database);
    const signed = await w.t.database.db.selectFrom('notifications').select(['user_id', 'title']).where('event', '=', 'report.signed').execute();
    expect(signed.map((n) => Number(n.user_id))).toContain(w.users.pm);

    const pmView = ok(await get(pm, octId));
    const refused = await pm.request({ method: 'PATCH', url: `${BASE}/${octId}/narratives`, payload: { version: pmView.version, narratives: { summary: '签收后修改' } } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('not_editable');
    expect(refused.json().title).toContain('已签收');

    const v2 = ok(await pm.request({ method: 'POST', url: `${BASE}/${octId}/versions`, payload: { version: pmView.version, note: '客户要求补充' } }));
    expect(v2).toMatchObject({ state: 'draft', seq: 2 });
    expect(v2.versions.map((v: { seq: number }) => v.seq)).toEqual([2, 1]);
    expect(v2.versions[1].files.pdf).not.toBeNull();
    // every file of the signed version is kept: as issued and as signed
    expect(v2.versions[1].answer.files.pdf.sha256).toBe(v1.answer.files.pdf.sha256);
    // The customer keeps seeing nothing of the draft (the report is back in the provider's hands).
    expect((await get(custAdminA, octId)).statusCode).toBe(404);
    const audit = await w.t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'service_reports').where('entity_id', '=', String(octId)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['generate', 'update', 'refresh', 'submit', 'approve', 'issue', 'signoff', 'new_version']);
  });

  it("issue recipients: the customer's administrators by default; another customer's user is refused naming the field; the PM's choice is who is told", async () => {
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-plan`, payload: { version: 1, types: ['monthly_service', 'monthly_repair', 'quarterly_om', 'annual_om'] } }));
    const nov = ok(await w.t.app.inject({ method: 'GET', url: `${BASE}?contractId=${w.a.contractId}`, headers: { cookie: pm.cookie } })).items.find((r: { period: string }) => r.period === '2026-11');
    const choice = ok(await pm.request({ method: 'GET', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-recipients` }));
    expect(choice).toMatchObject({ customerId: w.a.customerId, customerName: '客户A', source: 'admins', selected: [ids.custAdminA] });
    // the customer's users only, administrators first and marked; B's never
    expect(choice.candidates.map((c: { id: number; admin: boolean }) => [c.id, c.admin])).toEqual([
      [ids.custAdminA, true],
      [w.users.custA, false],
    ]);
    expect((await custAdminA.request({ method: 'GET', url: `/api/v1/reporting/contracts/${w.a.contractId}/report-recipients` })).statusCode).toBe(403);
    expect((await pm.request({ method: 'GET', url: `/api/v1/reporting/contracts/${w.b.contractId}/report-recipients` })).statusCode).toBe(404);

    let rep = ok(await get(pm, nov.id));
    const bUser = (await w.t.database.db.selectFrom('users').select('id').where('username', '=', 'cadm_b').executeTakeFirstOrThrow()).id;
    const other = await pm.request({ method: 'POST', url: `${BASE}/${nov.id}/issue`, payload: { version: rep.version, recipients: [ids.custAdminA, Number(bUser)] } });
    expect(other.statusCode).toBe(400);
    expect(other.json().errors).toHaveLength(1);
    expect(other.json().errors[0].field).toBe('recipients[1]');
    expect(other.json().errors[0].message).toBe(`接收人（用户 ${bUser}）不是“客户A”的在用账号，不能接收该客户的报告`);
    // provider staff are no recipients either; an empty list is refused on the field
    expect((await pm.request({ method: 'POST', url: `${BASE}/${nov.id}/issue`, payload: { version: rep.version, recipients: [w.users.eng] } })).json().errors[0].field).toBe('recipients[0]');
    expect((await pm.request({ method: 'POST', url: `${BASE}/${nov.id}/issue`, payload: { version: rep.version, recipients: [] } })).json().errors[0].field).toBe('recipients');
    // nothing was issued by the refusals
    expect(ok(await get(pm, nov.id))).toMatchObject({ state: 'draft', version: rep.version });

    rep = ok(await pm.request({ method: 'POST', url: `${BASE}/${nov.id}/issue`, payload: { version: rep.version, recipients: [w.users.custA] } }));
    expect(rep.state).toBe('issued');
    await fanOutQueued(w.t.database);
    const told = await w.t.database.db.selectFrom('notifications').select('user_id').where('event', '=', 'report.issued').where('link', '=', `/portal/reports/${nov.id}`).execute();
    expect(told.map((n) => Number(n.user_id))).toEqual([w.users.custA]);
    const audit = await w.t.database.db.selectFrom('audit_log').select('after').where('entity', '=', 'service_reports').where('entity_id', '=', String(nov.id)).where('action', '=', 'issue').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.after!).recipients).toEqual([w.users.custA]);
  });

  it('the customer returns a report with comments: the PM is told, the state is returned', async () => {
    const nov = ok(await w.t.app.inject({ method: 'GET', url: `${BASE}?contractId=${w.a.contractId}`, headers: { cookie: pm.cookie } })).items.find((r: { period: string }) => r.period === '2026-11');
    let rep = ok(await get(custAdminA, nov.id));
    const noComment = await custAdminA.request({ method: 'POST', url: `${BASE}/${nov.id}/return`, payload: { version: rep.version, signerName: '刘主任' } });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json().errors[0].field).toBe('opinion');
    rep = ok(await custAdminA.request({ method: 'POST', url: `${BASE}/${nov.id}/return`, payload: { version: rep.version, signerName: '刘主任', opinion: '重大事件分析不够详细' } }));
    expect(rep.state).toBe('returned');
    // The returned report's files carry the comments (and say it was returned), for the PM to work from.
    expect(rep.versions[0].answer).toMatchObject({ state: 'returned' });
    const returned = pdfText((await pm.request({ method: 'GET', url: `${BASE}/${nov.id}/versions/1/pdf` })).rawPayload);
    for (const expected of ['客户已退回', '退回日期', '重大事件分析不够详细']) expect(returned, expected).toContain(expected);
    expect(returned).not.toContain('已签收确认');
    await fanOutQueued(w.t.database);
    const back = await w.t.database.db.selectFrom('notifications').select(['user_id', 'body']).where('event', '=', 'report.returned').execute();
    expect(back.some((n) => Number(n.user_id) === w.users.pm && n.body?.includes('重大事件分析不够详细'))).toBe(true);
  });

  it('the board shows every owed report with due day, state and lateness; a due day on a holiday moves', async () => {
    const board = ok(await pm.request({ method: 'GET', url: `${BASE}/board?from=2026-11-01&to=2026-12-31&customerId=${w.a.customerId}` }));
    const oct = board.items.find((i: { type: string; period: string }) => i.type === 'monthly_service' && i.period === '2026-10');
    expect(oct).toMatchObject({ state: 'draft', number: 'RPT-MS-202610-A', dueOn: '2026-11-05', onTime: false });
    const repairNov = board.items.find((i: { type: string; period: string }) => i.type === 'monthly_repair' && i.period === '2026-11');
    expect(repairNov).toMatchObject({ id: null, state: 'not_started', dueOn: '2026-12-10', periodEnded: true });
    expect(board.items.some((i: { customerId: number }) => i.customerId !== w.a.customerId)).toBe(false);
    // The customer's admin sees only what was issued to him, never the not-started ones; B sees none of A's.
    const custBoard = ok(await custAdminA.request({ method: 'GET', url: `${BASE}/board?from=2026-11-01&to=2026-12-31` }));
    expect(custBoard.items.every((i: { state: string }) => ['issued', 'signed', 'returned'].includes(i.state))).toBe(true);
    expect(ok(await custAdminB.request({ method: 'GET', url: `${BASE}/board?from=2026-11-01&to=2026-12-31` })).items).toEqual([]);

    // A 5×8 contract on China's calendar: September's report, due 5 October (国庆), is due on the 8th.
    const cn = await customerWithContract(w.admin, 'CN', w.users.pm, null);
    const contract = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${cn.contractId}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/contracts/${cn.contractId}`, payload: { calendarId: 'cn-5x8', version: contract.version } }));
    const cnBoard = ok(await w.admin.request({ method: 'GET', url: `${BASE}/board?from=2026-10-01&to=2026-10-31&customerId=${cn.customerId}` }));
    expect(cnBoard.items.find((i: { type: string; period: string }) => i.type === 'monthly_service' && i.period === '2026-09')).toMatchObject({ dueOn: '2026-10-08', state: 'not_started', overdue: true });

    const tooLong = await pm.request({ method: 'GET', url: `${BASE}/board?from=2025-01-01&to=2026-12-31` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors[0].field).toBe('to');
  });

  it('the generation job runs once across two schedulers and creates each draft once', async () => {
    const db = w.t.database.db;
    const closed = Date.parse('2026-12-01T00:30:00+08:00');
    const generator = new ReportGenerator(db, new CalendarService(db), new MetricsService(db));
    const due = new ReportDue(db, generator);
    const count = async () => (await db.selectFrom('service_reports').select('id').where('period', '=', '2026-11').where('type', '=', 'monthly_repair').execute()).length;
    const before = await count();
    expect(before).toBe(0);
    // Just before November closes in Shanghai nothing for November is generated.
    expect(await due.runGeneration(Date.parse('2026-11-30T23:30:00+08:00'))).toBe(0);

    const s1 = new Scheduler(db);
    const s2 = new Scheduler(db);
    registerReportJobs(s1, db, due, () => closed);
    registerReportJobs(s2, db, due, () => closed);
    await ensureReportJobs(db, closed);
    await ensureReportJobs(db, closed);
    expect((await db.selectFrom('jobs').select('id').where('key', '=', GENERATE_JOB).execute()).length).toBe(1);
    await Promise.all([s1.runDue(closed), s2.runDue(closed)]);
    const after = await count();
    // Every running contract owes November's repair summary (due 10 December): A, B, LATE, CN.
    expect(after).toBe(4);
    // Again (a lease expired, another process): nothing new.
    expect(await due.runGeneration(closed)).toBe(0);
    expect(await count()).toBe(4);
    const job = await db.selectFrom('jobs').select(['run_at', 'status']).where('key', '=', GENERATE_JOB).executeTakeFirstOrThrow();
    expect(job.status).toBe('pending');
    expect(Number(job.run_at)).toBeGreaterThan(closed);
  });

  it('reminds the PM two days before the due day and once when overdue, exactly once', async () => {
    const db = w.t.database.db;
    const generator = new ReportGenerator(db, new CalendarService(db), new MetricsService(db));
    const due = new ReportDue(db, generator);
    const twoDaysBefore = Date.parse('2026-12-08T09:00:00+08:00');
    const [a, b] = await Promise.all([due.runReminders(twoDaysBefore), due.runReminders(twoDaysBefore)]);
    expect(a + b).toBeGreaterThan(0);
    expect(await due.runReminders(twoDaysBefore)).toBe(0);
    await fanOutQueued(w.t.database);
    const told = await db.selectFrom('notifications').select(['user_id', 'title']).where('event', '=', 'report.due').execute();
    expect(told.some((n) => Number(n.user_id) === w.users.pm && n.title.includes('RPT-MR-202611-A') && n.title.includes('2026-12-10'))).toBe(true);
    expect(new Set(told.map((n) => n.title)).size).toBe(told.length);
    const overdue = await due.runReminders(Date.parse('2026-12-11T09:00:00+08:00'));
    expect(overdue).toBeGreaterThan(0);
  });

  it('the on-time issue rate: October issued after its due day counts late; no report due is "no value", not 100 %', async () => {
    const db = w.t.database.db;
    const due = new ReportDue(db, new ReportGenerator(db, new CalendarService(db), new MetricsService(db)));
    expect(await due.onTimeIssueRate({ customerIds: [w.a.customerId], from: '2026-11-01', to: '2026-11-30' })).toEqual({ value: 0, numerator: 0, denominator: 1 });
    expect(await due.onTimeIssueRate({ customerIds: [w.a.customerId], from: '2027-03-01', to: '2027-03-31' })).toEqual({ value: null, numerator: 0, denominator: 0 });
  });

  it('letterhead text and logo (PNG only), audited', async () => {
    ok(await w.admin.request({ method: 'PUT', url: '/api/v1/reporting/letterhead', payload: { letterheadText: '某某信息技术有限公司 服务热线 400-800-1234' } }));
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000000000500010d0a2db40000000049454e44ae426082', 'hex');
    const boundary = 'XyZ';
    const multipart = (name: string, bytes: Buffer) =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="logo.png"\r\nContent-Type: image/png\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const bad = await w.admin.request({ method: 'PUT', url: '/api/v1/reporting/letterhead/logo', headers, payload: multipart('logo', Buffer.from('GIF89a not a png')) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('logo');
    const lh = ok(await w.admin.request({ method: 'PUT', url: '/api/v1/reporting/letterhead/logo', headers, payload: multipart('logo', png) }));
    expect(lh).toMatchObject({ text: '某某信息技术有限公司 服务热线 400-800-1234', hasLogo: true, logoMime: 'image/png', logoDataUrl: `data:image/png;base64,${png.toString('base64')}` });
    expect((await pm.request({ method: 'PUT', url: '/api/v1/reporting/letterhead', payload: { letterheadText: 'x' } })).statusCode).toBe(403);
    const audit = await w.t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'settings').where('entity_id', '=', 'reports.letterhead').execute();
    expect(audit.length).toBe(2);
  });
});

