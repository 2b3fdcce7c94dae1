import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, type Session } from '../../test/harness.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { dataUrl, multipart, png, sha256 } from '../../test/uploads.js';
import { bundledFont, findCjkFont, SYSTEM_FONTS } from '../../platform/pdf/fonts.js';
import { renderReportPdf, type ReportDocument } from './pdf.js';

// ------------------------------------------------------------ helpers

/** The text of every page, as a PDF reader extracts it. */
async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}

const errorFields = (res: LightMyRequestResponse) => (res.json().errors ?? []).map((e: { field: string }) => e.field);

// ------------------------------------------------------------ the API, on both databases

describeDb('repair service reports', (kind) => {
  let w: TicketWorld;
  let dataDir: string;
  let ticket: { id: number; number: string; description: string };
  const url = (id: number, suffix = '') => `/api/v1/tickets/${id}/repair-report${suffix}`;
  const get = (s: Session, id: number) => s.request({ method: 'GET', url: url(id) });
  const pdfOf = async (s: Session, id: number) => {
    const res = await s.request({ method: 'GET', url: url(id, '/pdf') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    return res.rawPayload;
  };
  const arrived = new Date(Date.now() - 40 * 60_000).toISOString();
  const left = new Date(Date.now() - 10 * 60_000).toISOString();

  /** A ticket of customer A assigned to the engineer 李强, who went on site and resolved it. */
  async function repairedTicket(title: string) {
    const t = await createTicket(w.desk, report(w.a, { title, teamId: w.teams.line1, assigneeId: w.users.eng }, 60));
    ok(await act(w.eng, t.id, 'accept'));
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${t.id}/visits`, payload: { event: 'arrive', at: arrived } }), 201);
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${t.id}/visits`, payload: { event: 'leave', at: left, result: '已恢复' } }), 201);
    ok(await act(w.eng, t.id, 'resolve', { resolution: '更换核心交换机 3 号端口模块后登录恢复正常' }));
    return t;
  }

  const complete = {
    diagnosis: '核心交换机 3 号端口模块故障，财务 VLAN 丢包',
    cause: '光模块老化',
    partsUsed: [{ name: '光模块', model: 'SFP-10G-SR', quantity: 1, serial: 'SN20260305' }],
    result: 'fixed',
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-reports-'));
    w = await ticketWorld(kind, { DATA_DIR: dataDir, PROVIDER_NAME: '华信运维服务有限公司' });
    ticket = await repairedTicket('财务系统无法登录');
  });
  afterAll(async () => {
    await w.t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('drafts the report from the ticket: customer, site, contact, fault, times from the visits, engineer', async () => {
    const none = await get(w.eng, ticket.id);
    expect(none.statusCode).toBe(200); // no report yet is an answer, not a 404 in the browser's console
    expect(none.json()).toBeNull();
    const res = await w.eng.request({ method: 'POST', url: url(ticket.id) });
    const draft = ok(res, 201);
    expect(draft).toMatchObject({
      ticketId: ticket.id,
      number: `${ticket.number}-R1`,
      state: 'draft',
      customerId: w.a.customerId,
      customerName: '客户A',
      siteName: 'A 机房',
      contactName: 'A 联系人',
      contactPhone: '010-88886666',
      fault: ticket.description,
      actions: '更换核心交换机 3 号端口模块后登录恢复正常',
      diagnosis: null,
      partsUsed: [],
      engineerId: w.users.eng,
      engineerName: '李强',
      result: null,
      signedAt: null,
      signaturePng: null,
      version: 1,
      allowedActions: ['edit', 'sign', 'sign_paper'],
    });
    expect(Date.parse(draft.startedAt)).toBe(Date.parse(arrived));
    expect(Date.parse(draft.finishedAt)).toBe(Date.parse(left));
    // one report per ticket
    const again = await w.eng.request({ method: 'POST', url: url(ticket.id) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'report_exists', title: `该工单已有维修服务报告（${ticket.number}-R1）` });
    // the ticket's customer reads it and may sign; he does not draft
    expect(ok(await get(w.custA, ticket.id)).allowedActions).toEqual(['sign']);
    expect((await w.custA.request({ method: 'POST', url: url(ticket.id) })).statusCode).toBe(403);
  });

  it('hides the report from the staff of another customer (404, as if there were no ticket)', async () => {
    const res = await get(w.custB, ticket.id);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
    expect((await w.custB.request({ method: 'GET', url: url(ticket.id, '/pdf') })).statusCode).toBe(404);
    const sign = await w.custB.request({ method: 'POST', url: url(ticket.id, '/sign'), payload: { version: 1, signerName: '外单位', signaturePng: dataUrl(png(300, 120)) } });
    expect(sign.statusCode).toBe(404);
  });

  it('edits the draft at the version read; a stale version is a 409 and changes nothing', async () => {
    const patched = ok(await w.eng.request({ method: 'PATCH', url: url(ticket.id), payload: { version: 1, ...complete } }));
    expect(patched).toMatchObject({ ...complete, version: 2 });
    const stale = await w.eng.request({ method: 'PATCH', url: url(ticket.id), payload: { version: 1, cause: '另一个原因' } });
    expect(stale.statusCode).toBe(409);
    expect(ok(await get(w.eng, ticket.id))).toMatchObject({ cause: '光模块老化', version: 2 });
    const backwards = await w.eng.request({ method: 'PATCH', url: url(ticket.id), payload: { version: 2, finishedAt: new Date(Date.parse(arrived) - 60_000).toISOString() } });
    expect(backwards.statusCode).toBe(400);
    expect(errorFields(backwards)).toEqual(['finishedAt']);
    const badPart = await w.eng.request({ method: 'PATCH', url: url(ticket.id), payload: { version: 2, partsUsed: [{ name: '', quantity: 0 }] } });
    expect(badPart.statusCode).toBe(400);
    expect(errorFields(badPart)).toEqual(expect.arrayContaining(['partsUsed[0].name', 'partsUsed[0].quantity']));
    expect((await w.custA.request({ method: 'PATCH', url: url(ticket.id), payload: { version: 2, cause: '客户改的' } })).statusCode).toBe(403);
  });

  it('refuses a signature that is not a real PNG of sensible size, naming signaturePng', async () => {
    const cases: Array<[string, string]> = [
      ['empty data URL', 'data:image/png;base64,'],
      ['empty string', ''],
      ['not a data URL', 'iVBORw0KGgo='],
      ['a JPEG', dataUrl(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]), 'image/jpeg')],
      ['text posing as PNG', dataUrl(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))],
      ['a truncated PNG', dataUrl(png(300, 120).subarray(0, 60))],
      ['too big (over 300 KB)', dataUrl(png(400, 400, true))],
      ['a 1×1 dot', dataUrl(png(1, 1))],
    ];
    for (const [what, signaturePng] of cases) {
      const res = await w.custA.request({ method: 'POST', url: url(ticket.id, '/sign'), payload: { version: 2, signerName: '林晓燕', signaturePng } });
      expect(res.statusCode, what).toBe(400);
      expect(errorFields(res), what).toEqual(['signaturePng']);
    }
    const tooBig = await w.custA.request({ method: 'POST', url: url(ticket.id, '/sign'), payload: { version: 2, signerName: '林晓燕', signaturePng: dataUrl(png(400, 400, true)) } });
    expect(tooBig.json().errors[0].message).toBe('签名不能超过 300 KB');
    expect(ok(await get(w.eng, ticket.id))).toMatchObject({ state: 'draft', version: 2 });
  });

  it('the customer\'s staff sign in the portal; the signed PDF is stored and its sha256 kept', async () => {
    const signature = png(600, 200);
    const signed = ok(
      await w.custA.request({ method: 'POST', url: url(ticket.id, '/sign'), payload: { version: 2, signerName: '林晓燕', signaturePng: dataUrl(signature), customerOpinion: '处理及时，非常满意' } }),
    );
    expect(signed).toMatchObject({ state: 'signed', signerName: '林晓燕', signedVia: 'portal', signedOnPaper: false, customerOpinion: '处理及时，非常满意', version: 3, allowedActions: [] });
    expect(signed.signaturePng).toBe(dataUrl(signature));
    expect(Date.now() - Date.parse(signed.signedAt)).toBeLessThan(60_000);
    const bytes = await pdfOf(w.custA, ticket.id);
    expect(sha256(bytes)).toBe(signed.pdfSha256);
    // the stored PDF is served from then on: the same bytes every time, to everyone allowed
    expect(sha256(await pdfOf(w.eng, ticket.id))).toBe(signed.pdfSha256);
    // kept in the database's file store, not under DATA_DIR
    const row = await w.t.database.db.selectFrom('repair_reports').select(['pdf_blob_id', 'pdf_sha256']).where('id', '=', signed.id).executeTakeFirstOrThrow();
    const blob = await w.t.database.db.selectFrom('file_blobs').select(['state', 'sha256', 'size', 'media_type']).where('id', '=', row.pdf_blob_id!).executeTakeFirstOrThrow();
    expect(blob).toEqual({ state: 'stored', sha256: signed.pdfSha256, size: bytes.length, media_type: 'application/pdf' });
    expect(fs.existsSync(path.join(dataDir, 'files'))).toBe(false);
    // the ticket's timeline shows the draft and the signing, to the customer too
    const seen = ok(await w.custA.request({ method: 'GET', url: `/api/v1/tickets/${ticket.id}` }));
    const reportEvents = seen.timeline.filter((e: { type: string }) => e.type === 'repair_report').map((e: { data: { action: string } }) => e.data.action);
    expect(reportEvents).toEqual(['drafted', 'signed']);
  });

  it('the labour is the ticket\'s worklogs, summed (#10 item 20)', async () => {
    const t = await repairedTicket('打印机卡纸');
    for (const minutes of [90, 60]) ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${t.id}/worklogs`, payload: { minutes, mode: 'onsite' } }), 201);
    ok(await w.eng.request({ method: 'POST', url: url(t.id) }), 201);
    expect(await pdfText(await pdfOf(w.eng, t.id))).toContain('2.5 小时（按工作记录合计）');
  });

  it('the signed PDF embeds a Chinese font and carries the report\'s text', async () => {
    const bytes = await pdfOf(w.eng, ticket.id);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = bytes.toString('latin1');
    expect(raw).toMatch(/\/FontFile[23]/);
    expect(raw).toMatch(/\/CIDFontType[02]/);
    const text = await pdfText(bytes);
    for (const s of ['维修服务报告', `${ticket.number}-R1`, '客户A', 'A 机房', 'A 联系人', '010-88886666', '李强', '光模块老化', 'SFP-10G-SR', '修复', '处理及时，非常满意', '林晓燕', '华信运维服务有限公司', '第 1 页']) {
      expect(text, s).toContain(s);
    }
    expect(text).not.toContain('草稿');
    // the provider's side (#10 item 20): its name, the engineer's signature line, the seal area;
    // the labour (no worklogs on this ticket: the 30 minutes on site); whose clock the times are
    for (const s of ['服务单位：', '服务方确认', '工程师签字', '盖章处', '（服务单位公章）', '工时', '0.5 小时（按到场至离场时间）', '客户所在时区 UTC+08:00']) {
      expect(text, s).toContain(s);
    }
    // times in the customer's zone (Asia/Shanghai), as 2026年3月5日 14:30
    const local = new Date(Date.parse(arrived) + 8 * 3_600_000);
    const expected = `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月${local.getUTCDate()}日 ${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
    expect(text).toContain(expected);
  });

  it('a signed report can no longer change: every write is a 409 and nothing is written', async () => {
    const before = await w.t.database.db.selectFrom('repair_reports').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    const attempts = [
      await w.eng.request({ method: 'PATCH', url: url(ticket.id), payload: { version: 3, cause: '改过的原因' } }),
      await w.custA.request({ method: 'POST', url: url(ticket.id, '/sign'), payload: { version: 3, signerName: '再签一次', signaturePng: dataUrl(png(300, 120)) } }),
      await w.eng.request({ method: 'POST', url: url(ticket.id, '/sign'), payload: { version: 3, signerName: '再签一次', signaturePng: dataUrl(png(300, 120)) } }),
      await w.eng.request({ method: 'POST', url: url(ticket.id, '/paper-signed'), ...multipart({ version: '3', signerName: '纸上' }, { name: 'scan.pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n') }) }),
      await w.eng.request({ method: 'POST', url: url(ticket.id) }),
    ];
    for (const res of attempts) expect(res.statusCode, res.body).toBe(409);
    expect(attempts[0].json()).toMatchObject({ code: 'signed', title: `维修服务报告 ${ticket.number}-R1 已签字，不能再修改` });
    const after = await w.t.database.db.selectFrom('repair_reports').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    const files = await w.t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'repair_reports').where('entity_id', '=', String(before.id)).orderBy('id').execute();
    expect(files.map((r) => r.action)).toEqual(['create', 'update', 'sign']);
  });

  it('audits every write with who did it', async () => {
    const rows = await w.t.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'customer_id', 'after'])
      .where('entity', '=', 'repair_reports')
      .orderBy('id')
      .execute();
    const [created, updated, signed] = rows;
    expect(created).toMatchObject({ action: 'create', actor_id: w.users.eng, customer_id: w.a.customerId });
    expect(JSON.parse(updated.after!)).toMatchObject({ diagnosis: complete.diagnosis, result: 'fixed' });
    expect(signed).toMatchObject({ action: 'sign', actor_id: w.users.custA });
    const after = JSON.parse(signed.after!);
    expect(after).toMatchObject({ state: 'signed', signerName: '林晓燕', signedVia: 'portal', signature: { width: 600, height: 200 } });
    expect(after.pdfSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a draft PDF is rendered on request and marked as a draft; signing needs the fault, the actions and the result', async () => {
    const t = await repairedTicket('打印机卡纸');
    const draft = ok(await w.eng.request({ method: 'POST', url: url(t.id) }), 201);
    const text = await pdfText(await pdfOf(w.eng, t.id));
    expect(text).toContain('草稿（未签字）');
    expect(text).toContain('（待签字）');
    const cleared = ok(await w.eng.request({ method: 'PATCH', url: url(t.id), payload: { version: draft.version, fault: '  ', actions: null } }));
    expect(cleared).toMatchObject({ fault: null, actions: null });
    const incomplete = await w.eng.request({ method: 'POST', url: url(t.id, '/sign'), payload: { version: cleared.version, signerName: 'A 联系人', signaturePng: dataUrl(png(300, 120)) } });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().errors).toEqual([
      expect.objectContaining({ field: 'fault', message: '签字前请填写故障现象' }),
      expect.objectContaining({ field: 'actions', message: '签字前请填写处理过程/维修措施' }),
      expect.objectContaining({ field: 'result', message: '签字前请填写维修结果' }),
    ]);
    const filled = ok(await w.eng.request({ method: 'PATCH', url: url(t.id), payload: { version: cleared.version, fault: '打印机卡纸', actions: '清理搓纸轮', result: 'temporary' } }));
    // the engineer's device, in front of the customer
    const signed = ok(await w.eng.request({ method: 'POST', url: url(t.id, '/sign'), payload: { version: filled.version, signerName: 'A 联系人', signaturePng: dataUrl(png(300, 120)) } }));
    expect(signed).toMatchObject({ state: 'signed', signedVia: 'onsite', result: 'temporary' });
    expect(await pdfText(await pdfOf(w.eng, t.id))).toContain('临时恢复');
  });

  it('the engineer records a paper signing with the scan; bad uploads are refused and leave the draft as it was', async () => {
    const t = await repairedTicket('门禁系统离线');
    let r = ok(await w.eng.request({ method: 'POST', url: url(t.id) }), 201);
    r = ok(await w.eng.request({ method: 'PATCH', url: url(t.id), payload: { version: r.version, result: 'not_fixed', diagnosis: '门禁控制器主板损坏，需厂商送修' } }));
    const scanBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2048)]);
    const post = (fields: Record<string, string>, file?: { name: string; bytes: Buffer }, s: Session = w.eng) => s.request({ method: 'POST', url: url(t.id, '/paper-signed'), ...multipart(fields, file) });

    const noFile = await post({ version: String(r.version), signerName: 'A 联系人' });
    expect(noFile.statusCode).toBe(400);
    expect(errorFields(noFile)).toEqual(['file']);
    const wrongType = await post({ version: String(r.version), signerName: 'A 联系人' }, { name: 'scan.jpg', bytes: Buffer.from('MZ this is no scan') });
    expect(wrongType.statusCode).toBe(400);
    expect(errorFields(wrongType)).toEqual(['file']);
    const noName = await post({ version: String(r.version) }, { name: 'scan.jpg', bytes: scanBytes });
    expect(noName.statusCode).toBe(400);
    expect(errorFields(noName)).toEqual(['signerName']);
    expect((await post({ version: String(r.version), signerName: 'A 联系人' }, { name: 'scan.jpg', bytes: scanBytes }, w.custA)).statusCode).toBe(403);
    const tooLarge = await post({ version: String(r.version), signerName: 'A 联系人' }, { name: 'scan.pdf', bytes: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024)]) });
    expect(tooLarge.statusCode).toBe(413);
    expect(errorFields(tooLarge)).toEqual(['file']);
    // nothing of the refused uploads was kept
    expect(await w.t.database.db.selectFrom('file_blobs').select('id').where('state', '=', 'pending').execute()).toEqual([]);
    expect(ok(await get(w.eng, t.id))).toMatchObject({ state: 'draft', version: r.version, scan: null });

    const signed = ok(await post({ version: String(r.version), signerName: 'A 联系人' }, { name: '签字单.jpeg', bytes: scanBytes }));
    expect(signed).toMatchObject({ state: 'signed', signedVia: 'paper', signedOnPaper: true, signerName: 'A 联系人', signaturePng: null, scan: { name: '签字单.jpg', mime: 'image/jpeg', size: scanBytes.length } });
    const scan = await w.custA.request({ method: 'GET', url: url(t.id, '/scan') });
    expect(scan.statusCode).toBe(200);
    expect(scan.headers['content-type']).toBe('image/jpeg');
    expect(scan.rawPayload.equals(scanBytes)).toBe(true);
    const text = await pdfText(await pdfOf(w.custA, t.id));
    expect(text).toContain('纸质签字，扫描件已上传');
    expect(text).toContain('未修复');
    const audit = await w.t.database.db.selectFrom('audit_log').select(['action', 'after']).where('entity', '=', 'repair_reports').where('entity_id', '=', String(signed.id)).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.action).toBe('sign_paper');
    expect(JSON.parse(audit.after!).scan).toMatchObject({ mime: 'image/jpeg', sha256: sha256(scanBytes) });
  });

  it('two signings at the same moment: one wins, the other is told the report is signed', async () => {
    const t = await repairedTicket('两人同时签字');
    const draft = ok(await w.eng.request({ method: 'POST', url: url(t.id) }), 201);
    const ready = ok(await w.eng.request({ method: 'PATCH', url: url(t.id), payload: { version: draft.version, result: 'fixed' } }));
    const sign = (s: Session, signerName: string) => s.request({ method: 'POST', url: url(t.id, '/sign'), payload: { version: ready.version, signerName, signaturePng: dataUrl(png(300, 120)) } });
    const results = await Promise.all([sign(w.custA, '门户签字人'), sign(w.eng, '现场签字人')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    expect(ok(await get(w.eng, t.id))).toMatchObject({ state: 'signed', signerName: winner.signerName, pdfSha256: winner.pdfSha256 });
    expect(sha256(await pdfOf(w.eng, t.id))).toBe(winner.pdfSha256);
  });

  it('refuses drafts for cancelled tickets', async () => {
    const t = await createTicket(w.desk, report(w.a, { title: '重复报障' }));
    ok(await act(w.desk, t.id, 'cancel', { reason: '重复' }));
    const res = await w.eng.request({ method: 'POST', url: url(t.id) });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ticket_cancelled');
  });
});

// ------------------------------------------------------------ the font lookup

describe('the CJK font for PDFs', () => {
  const none = { font: null, fontFamily: null };

  it('takes PDF_FONT first, and refuses one that does not exist or a collection without a family', () => {
    const wqy = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
    expect(() => findCjkFont({ font: '/nonexistent/font.ttf', fontFamily: null })).toThrow(/PDF_FONT: \/nonexistent\/font.ttf does not exist/);
    const notAFont = path.join(os.tmpdir(), `yunwei-notafont-${process.pid}.woff2`);
    fs.writeFileSync(notAFont, 'wOF2 not embeddable');
    try {
      expect(() => findCjkFont({ font: notAFont, fontFamily: null })).toThrow(/not a TrueType\/OpenType/);
    } finally {
      fs.rmSync(notAFont);
    }
    if (fs.existsSync(wqy)) {
      expect(() => findCjkFont({ font: wqy, fontFamily: null })).toThrow(/PDF_FONT_FAMILY/);
      expect(findCjkFont({ font: wqy, fontFamily: 'WenQuanYiMicroHei' })).toEqual({ path: wqy, family: 'WenQuanYiMicroHei', source: 'env' });
    }
  });

  it('then the system\'s fonts in order, then the font shipped with the product', () => {
    const installed = SYSTEM_FONTS.find((c) => fs.existsSync(c.path));
    if (installed) expect(findCjkFont(none)).toMatchObject({ ...installed, source: 'system' });
    const bundled = bundledFont();
    expect(bundled).toMatch(/NotoSansHans-Regular\.otf$/);
    expect(findCjkFont(none, [{ path: '/nonexistent/a.ttc', family: 'A' }])).toEqual({ path: bundled, family: null, source: 'bundled' });
    expect(() => findCjkFont(none, [], null)).toThrow(/No Chinese font for PDFs/);
  });

  it('the bundled font alone renders Chinese a reader can extract (a server without any CJK font)', async () => {
    const doc: ReportDocument = {
      number: 'INC-2026-000001-R1',
      draft: false,
      customerName: '江州市人民医院',
      siteName: '门诊楼机房',
      contactName: '林晓燕',
      contactPhone: '13905761002',
      reportedAt: Date.UTC(2026, 2, 5, 6, 30),
      engineerName: '李强',
      startedAt: Date.UTC(2026, 2, 5, 7, 0),
      finishedAt: null,
      fault: '放射科 PACS 工作站无法调阅影像',
      diagnosis: null,
      cause: null,
      actions: '重启影像服务',
      parts: [],
      result: 'fixed',
      customerOpinion: null,
      signerName: null,
      signedAt: null,
      signature: null,
      signedOnPaper: true,
      timeZone: 'Asia/Shanghai',
      providerName: null,
      labour: { minutes: 150, source: 'worklogs' },
    };
    const bytes = await renderReportPdf(doc, { path: bundledFont()!, family: null, source: 'bundled' });
    const raw = bytes.toString('latin1');
    expect(raw).toMatch(/\/FontFile3/);
    const text = await pdfText(bytes);
    for (const s of ['维修服务报告', '江州市人民医院', '放射科 PACS 工作站无法调阅影像', '2026年3月5日 14:30', '2026年3月5日 15:00', '纸质签字，扫描件已上传', 'Yunwei', '2.5 小时（按工作记录合计）', '盖章处']) expect(text, s).toContain(s);
  });
});
