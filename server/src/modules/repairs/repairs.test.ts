import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileBuiltinCalendars } from '../../core/calendar/index.js';
import { nextReportDue } from '../../core/repairs/index.js';
import { describeDb, fanOutQueued } from '../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../test/peers.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { REPORT_JOB, reportJobKey } from './service.js';

/**
 * Vendor repairs (docs/REPAIRS.md) through the API on both databases: vendors and their OLA,
 * the send-for-repair order from a ticket (the data confirmation required, another customer's
 * ticket or CI refused), the target "before the second weekend", the progress clock on the
 * contract's calendar (a weekend, a holiday and a 调休 working Saturday), the scheduler's reminder
 * and overdue notice exactly once, reports mailed to the ticket's contact, the ticket waiting on
 * the vendor and resumed, the portal's read-only view and another customer's refusal.
 */
const cn = compileBuiltinCalendars().get('cn-5x8')!;
const cst = (s: string) => `${s}+08:00`;
const local = (isoString: string) => new Date(Date.parse(isoString) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describeDb('vendor repairs', (kind) => {
  let w: TicketWorld;
  let smtp: SmtpSink;
  let vendorId: number;
  let ciA: number;
  let ciB: number;
  const db = () => w.t.database.db;
  const post = (s = w.eng, url: string, payload: unknown) => s.request({ method: 'POST', url: `/api/v1${url}`, payload: payload as object });
  const get = (s = w.eng, url: string) => s.request({ method: 'GET', url: `/api/v1${url}` });

  /** A ticket of A, accepted and being worked on by the engineer, reported at `reportedAt`. */
  async function working(reportedAt?: string) {
    const tk = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng, title: '财务部电脑硬盘故障', ...(reportedAt ? { reportedAt } : {}) }));
    ok(await act(w.eng, tk.id, 'accept'));
    ok(await act(w.eng, tk.id, 'start'));
    return tk as { id: number; number: string };
  }

  const order = (ticketId: number, extra: Record<string, unknown> = {}) => ({ ticketId, ciId: ciA, vendorId, fault: '硬盘 SMART 报错，系统频繁蓝屏', coverage: 'warranty', dataHandling: 'backed_up', ...extra });

  beforeAll(async () => {
    smtp = await startSmtpSink();
    w = await ticketWorld(kind, { SMTP_URL: smtp.url, SMTP_FROM: '运维服务台 <desk@yunwei.test>' });
    // A's contract counts on China's 5×8 calendar; its contact has an address.
    const contract = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${w.a.contractId}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/contracts/${w.a.contractId}`, payload: { version: contract.version, calendarId: 'cn-5x8' } }));
    const contact = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contacts/${w.a.contactId}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/contacts/${w.a.contactId}`, payload: { version: contact.version, email: 'a.contact@hospital.example.cn' } }));
    // One CI each for A and B (the CMDB's own module is not what is tested here).
    const now = Date.now();
    const type = await db().insertInto('ci_types').values({ code: 'test_repairs_pc', name_zh: '台式机', name_en: 'PC', attributes: '[]', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    const ci = (customerId: number, code: string) =>
      db().insertInto('cis').values({ customer_id: customerId, type_id: type.id, code, name: `${code} 财务部电脑`, status: 'in_use', criticality: 3, serial: `SN-${code}`, attributes: '{}', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    ciA = Number((await ci(w.a.customerId, 'PC-A-001')).id);
    ciB = Number((await ci(w.b.customerId, 'PC-B-001')).id);
    vendorId = ok(await post(w.desk, '/vendors', { name: '联想服务', hotline: '400-990-8888', contacts: [{ name: '刘工', phone: '13800000001', email: 'liu@lenovo.example.cn', role: '工程师' }], responseHours: 4, repairDays: 5, contractNo: 'UC-2026-01', contractEnd: '2027-06-30' }), 201).id;
  });
  afterAll(async () => {
    await w?.t.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    await w.t.app.scheduler.drain();
    smtp.messages.length = 0;
  });

  describe('vendors', () => {
    it('are unique by name, provider-wide, with contacts and commitments', async () => {
      const dup = await post(w.desk, '/vendors', { name: '联想服务' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().errors[0]).toMatchObject({ field: 'name' });
      const v = ok(await get(w.eng, `/vendors/${vendorId}`));
      expect(v).toMatchObject({ name: '联想服务', responseHours: 4, repairDays: 5, calendarId: 'cn-5x8', contacts: [{ name: '刘工', role: '工程师' }] });
      // A customer's staff have no repairs.read.
      expect((await get(w.custA, '/vendors')).statusCode).toBe(403);
      const bad = await post(w.desk, '/vendors', { name: '华为\u0000服务', calendarId: 'no-such' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ field: 'name', code: 'nul' });
      // A contact with a name only: every field answered (null when not given).
      const bare = ok(await post(w.desk, '/vendors', { name: '戴尔服务', contacts: [{ name: '赵工' }] }), 201);
      expect(bare.contacts).toEqual([{ name: '赵工', phone: null, email: null, role: null }]);
      const cal = await post(w.desk, '/vendors', { name: '华为企业服务', calendarId: 'no-such' });
      expect(cal.statusCode).toBe(400);
      expect(cal.json().errors[0]).toMatchObject({ field: 'calendarId' });
    });
  });

  describe('the send-for-repair order', () => {
    it('is refused without the user-data confirmation, naming the field; nothing is written', async () => {
      const tk = await working();
      const before = await db().selectFrom('repair_orders').select('id').execute();
      const { dataHandling: _, ...rest } = order(tk.id);
      const res = await post(w.eng, '/repair-orders', { ...rest, send: true });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'dataHandling' })]);
      expect(res.json().errors[0].message).toContain('用户数据确认');
      const wrong = await post(w.eng, '/repair-orders', order(tk.id, { dataHandling: 'maybe' }));
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().errors[0]).toMatchObject({ field: 'dataHandling', code: 'enum' });
      expect(await db().selectFrom('repair_orders').select('id').execute()).toHaveLength(before.length);
    });

    it('refuses another customer\'s ticket and CI, NUL and huge input, naming the field', async () => {
      const tk = await working();
      const tkB = await createTicket(w.desk, report(w.b));
      // The engineer serves A only: B's ticket is not there for him.
      const other = await post(w.eng, '/repair-orders', order(tkB.id, { ciId: null, device: '打印机' }));
      expect(other.statusCode).toBe(400);
      expect(other.json().errors[0]).toMatchObject({ field: 'ticketId' });
      // The desk sees both customers, but B's CI is not A's ticket's device.
      const ci = await post(w.desk, '/repair-orders', order(tk.id, { ciId: ciB }));
      expect(ci.statusCode).toBe(400);
      expect(ci.json().errors[0]).toMatchObject({ field: 'ciId' });
      const nul = await post(w.eng, '/repair-orders', order(tk.id, { fault: '硬盘\u0000故障' }));
      expect(nul.json().errors[0]).toMatchObject({ field: 'fault', code: 'nul' });
      const huge = await post(w.eng, '/repair-orders', order(tk.id, { fault: '坏'.repeat(4001) }));
      expect(huge.statusCode).toBe(400);
      expect(huge.json().errors[0]).toMatchObject({ field: 'fault', code: 'tooLong' });
      const noDevice = await post(w.eng, '/repair-orders', order(tk.id, { ciId: null }));
      expect(noDevice.json().errors[0]).toMatchObject({ field: 'device' });
      // A customer's user cannot send anything.
      expect((await post(w.custA, '/repair-orders', order(tk.id))).statusCode).toBe(403);
    });

    it('a new ticket must be accepted first; a draft is sent later', async () => {
      const tk = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
      // Sent at once from a ticket nobody accepted: refused before anything is written.
      const before = (await db().selectFrom('repair_orders').select('id').execute()).length;
      expect((await post(w.eng, '/repair-orders', order(tk.id, { send: true }))).statusCode).toBe(409);
      const future = await post(w.eng, '/repair-orders', order(tk.id, { send: true, sentAt: new Date(Date.now() + 86_400_000).toISOString() }));
      expect(future.statusCode).toBe(409);
      expect((await db().selectFrom('repair_orders').select('id').execute()).length).toBe(before);
      const draft = ok(await post(w.eng, '/repair-orders', order(tk.id, { ciId: null, device: '联想 ThinkCentre M920', serial: 'PC0XYZ12' })), 201);
      expect(draft).toMatchObject({ state: 'draft', number: expect.stringMatching(/^SX-\d{6}-\d{4,}$/), device: '联想 ThinkCentre M920', reportStatus: 'none', allowedActions: expect.arrayContaining(['send', 'cancel']) });
      const refused = await post(w.eng, `/repair-orders/${draft.id}/send`, { version: draft.version });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().detail ?? refused.json().title).toContain('请先受理工单');
      ok(await act(w.eng, tk.id, 'accept'));
      const tomorrow = await post(w.eng, `/repair-orders/${draft.id}/send`, { version: draft.version, sentAt: new Date(Date.now() + 86_400_000).toISOString() });
      expect(tomorrow.statusCode).toBe(400);
      expect(tomorrow.json().errors[0]).toMatchObject({ field: 'sentAt' });
      const sent = ok(await post(w.eng, `/repair-orders/${draft.id}/send`, { version: draft.version }));
      expect(sent.state).toBe('sent');
      // Sent now: the next report is due three working days on, on A's 5×8 calendar.
      expect(Date.parse(sent.nextReportDueAt)).toBe(nextReportDue(cn, Date.parse(sent.sentAt)));
      expect(sent.reportStatus).toBe('running');
      const job = await db().selectFrom('jobs').select(['kind', 'run_at', 'status']).where('key', '=', reportJobKey(draft.id)).executeTakeFirstOrThrow();
      expect(job).toMatchObject({ kind: REPORT_JOB, status: 'pending' });
      expect(Number(job.run_at)).toBe(Date.parse(sent.reportRemindAt));
      const ticket = ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` }));
      expect(ticket.state).toBe('waiting_vendor');
    });

    it('runs the progress clock across a holiday, a 调休 Saturday and a weekend; the target is before the second weekend; the ticket waits, then resumes', async () => {
      const tk = await working(cst('2026-09-29T09:00:00'));
      // Sent Wed 2026-09-30 10:00: 国庆 Oct 1–7 off, Sat Oct 10 a make-up working day.
      const o = ok(await post(w.eng, '/repair-orders', order(tk.id, { send: true, sentAt: cst('2026-09-30T10:00:00'), rma: 'RMA-778899' })), 201);
      expect(o).toMatchObject({ state: 'sent', targetReturn: '2026-10-10', device: 'PC-A-001 财务部电脑（PC-A-001）', serial: 'SN-PC-A-001', dataHandling: 'backed_up' });
      expect(local(o.nextReportDueAt)).toBe('2026-10-10 17:00');
      expect(local(o.reportRemindAt)).toBe('2026-10-10 08:00');
      expect(o.reportStatus).toBe('overdue');
      const ticket = ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` }));
      expect(ticket.state).toBe('waiting_vendor');
      const waited = ticket.timeline.find((e: { type: string; data: { to?: string } }) => e.type === 'state_changed' && e.data.to === 'waiting_vendor');
      expect(waited.data.reason).toContain(o.number);

      // The vendor answers within its 4 working hours.
      let cur = ok(await post(w.eng, `/repair-orders/${o.id}/vendor-response`, { version: o.version, at: cst('2026-09-30T13:30:00') }));
      // A report on Fri Oct 9, before it is due: on time; the next is due Tue Oct 13 (Sat 10/10 worked, Sun off, Mon 12, Tue 13).
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/progress`, { text: '厂商已确认硬盘故障，已申请备件。', at: cst('2026-10-09T15:00:00') }), 201);
      expect(cur.progress.at(-1)).toMatchObject({ late: false, mailedTo: 'a.contact@hospital.example.cn' });
      expect(local(cur.progress.at(-1).dueAt)).toBe('2026-10-10 17:00');
      expect(local(cur.nextReportDueAt)).toBe('2026-10-13 17:00');
      // One after it was due: late; counted again from it (Thu 15 → Fri 16, Mon 19, Tue 20).
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/progress`, { text: '备件已到厂商，正在更换。', at: cst('2026-10-15T10:00:00') }), 201);
      expect(cur.progress.at(-1).late).toBe(true);
      expect(local(cur.nextReportDueAt)).toBe('2026-10-20 17:00');
      // Friday → across the weekend: Mon 26, Tue 27, Wed 28.
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/progress`, { text: '维修完成，厂商测试中。', at: cst('2026-10-23T10:00:00') }), 201);
      expect(local(cur.nextReportDueAt)).toBe('2026-10-28 17:00');
      // Not before the last report.
      const early = await post(w.eng, `/repair-orders/${o.id}/progress`, { text: 'x', at: cst('2026-10-22T10:00:00') });
      expect(early.statusCode).toBe(400);
      expect(early.json().errors[0]).toMatchObject({ field: 'at' });

      // Each report is a public reply on the ticket, mailed to its contact.
      await w.t.app.scheduler.drain();
      const mails = smtp.messages.filter((m) => m.rcptTo.includes('a.contact@hospital.example.cn'));
      expect(mails.map((m) => m.mail.text).join('\n')).toContain('厂商已确认硬盘故障，已申请备件。');
      expect(mails.some((m) => m.mail.text?.includes(`【设备送修进度】${o.number}`))).toBe(true);
      const timeline = ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` })).timeline;
      expect(timeline.filter((e: { type: string; visibility: string; data: { body?: string } }) => e.type === 'reply' && e.visibility === 'public' && e.data.body?.includes(o.number))).toHaveLength(3);

      // Back on Wed Oct 28: after the target (Sat Oct 10).
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/return`, { version: cur.version, at: cst('2026-10-28T11:00:00') }));
      expect(cur).toMatchObject({ state: 'returned', targetMet: false, nextReportDueAt: null, reportStatus: 'none' });
      expect(await db().selectFrom('jobs').select('id').where('key', '=', reportJobKey(o.id)).where('status', '=', 'pending').execute()).toHaveLength(0);
      // The test fails: back to the vendor, the clock runs again.
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/reject`, { version: cur.version, at: cst('2026-10-28T15:00:00'), testResult: '开机仍报硬盘错误' }));
      expect(cur.state).toBe('rejected');
      expect(local(cur.nextReportDueAt)).toBe('2026-11-02 17:00');
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/return`, { version: cur.version, at: cst('2026-11-02T10:00:00') }));
      expect(ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` })).state).toBe('waiting_vendor');
      cur = ok(await post(w.eng, `/repair-orders/${o.id}/accept`, { version: cur.version, testResult: '更换硬盘后开机正常，数据已恢复' }));
      expect(cur).toMatchObject({ state: 'accepted', testResult: '更换硬盘后开机正常，数据已恢复', allowedActions: [] });
      const types = cur.events.map((e: { type: string }) => e.type);
      expect(types.filter((x: string) => x !== 'overdue')).toEqual(['created', 'sent', 'responded', 'returned', 'rejected', 'returned', 'accepted']);
      // The last report's due instant (Oct 28) had passed when the scheduler ran: noted once.
      expect(types.filter((x: string) => x === 'overdue')).toHaveLength(1);
      // The ticket resumes; the engineer resolves it.
      expect(ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` })).state).toBe('in_progress');

      // The vendor's UC: answered in time (met), returned after 5 working days (missed).
      const ola = ok(await get(w.desk, `/vendors/${vendorId}/ola?from=2026-09-01&to=2026-10-31`));
      expect(ola).toMatchObject({ orders: 1, response: { target: 4, met: 1, missed: 0, rate: 1 }, repair: { target: 5, met: 0, missed: 1, rate: 0 } });
      const all = ok(await get(w.desk, '/vendors/ola?from=2026-09-01&to=2026-10-31'));
      expect(all.find((v: { vendorId: number }) => v.vendorId === vendorId).orders).toBe(1);
    });

    it('reminds the desk and tells it when overdue, exactly once; a paid repair needs its cost', async () => {
      const tk = await working(cst('2026-11-02T09:00:00'));
      const o = ok(await post(w.eng, '/repair-orders', order(tk.id, { coverage: 'paid', send: true, sentAt: cst('2026-11-02T10:00:00') })), 201);
      expect(local(o.nextReportDueAt)).toBe('2026-11-05 17:00');
      await w.t.app.scheduler.drain();
      await w.t.app.scheduler.drain();
      await fanOutQueued(w.t.database);
      const row = await db().selectFrom('repair_orders').select(['reports_overdue']).where('id', '=', o.id).executeTakeFirstOrThrow();
      expect(Number(row.reports_overdue)).toBe(1);
      const notes = await db().selectFrom('notifications').select(['user_id', 'event as type', 'title']).where('entity_id', '=', String(o.id)).execute();
      const overdue = notes.filter((n) => n.type === 'repair.report_overdue');
      // The desk, the engineer who wrote it and the contract's project manager: once each.
      expect(new Set(overdue.map((n) => Number(n.user_id)))).toEqual(new Set([w.users.desk, w.users.eng, w.users.pm]));
      expect(overdue).toHaveLength(3);
      expect(overdue[0].title).toContain('进度报告已逾期');
      const listed = ok(await get(w.desk, '/repair-orders?overdue=1'));
      expect(listed.items.map((i: { id: number }) => i.id)).toContain(o.id);
      // The same job again (another process after a crash) changes nothing.
      await w.t.database.db.insertInto('jobs').values({ kind: REPORT_JOB, key: null, payload: JSON.stringify({ orderId: o.id, dueAt: Date.parse(o.nextReportDueAt), stage: 'overdue' }), run_at: Date.now(), status: 'pending', attempts: 0, max_attempts: 1, locked_by: null, locked_until: null, last_error: null, created_at: Date.now(), updated_at: Date.now(), finished_at: null }).execute();
      await w.t.app.scheduler.drain();
      expect(Number((await db().selectFrom('repair_orders').select('reports_overdue').where('id', '=', o.id).executeTakeFirstOrThrow()).reports_overdue)).toBe(1);
      const back = ok(await post(w.eng, `/repair-orders/${o.id}/return`, { version: o.version }));
      const noCost = await post(w.eng, `/repair-orders/${o.id}/accept`, { version: back.version, testResult: '正常' });
      expect(noCost.statusCode).toBe(400);
      expect(noCost.json().errors[0]).toMatchObject({ field: 'costCents' });
      const done = ok(await post(w.eng, `/repair-orders/${o.id}/accept`, { version: back.version, testResult: '正常', costCents: 45000 }));
      expect(done.costCents).toBe(45000);
    });

    it('on the morning a report falls due the desk is reminded once, and the job comes back at the due instant', async () => {
      const tk = await working();
      const o = ok(await post(w.eng, '/repair-orders', order(tk.id, { send: true })), 201);
      // The clock as it stands on the due day's morning: reminded a minute ago, due in an hour.
      const dueAt = Date.now() + 3_600_000;
      await db().updateTable('repair_orders').set({ next_report_due_at: dueAt, report_remind_at: Date.now() - 60_000 }).where('id', '=', o.id).execute();
      await db().updateTable('jobs').set({ payload: JSON.stringify({ orderId: o.id, dueAt, stage: 'remind' }), run_at: Date.now() - 60_000 }).where('key', '=', reportJobKey(o.id)).execute();
      await w.t.app.scheduler.drain();
      await w.t.app.scheduler.drain();
      await fanOutQueued(w.t.database);
      const due = await db().selectFrom('notifications').select(['user_id', 'title']).where('entity_id', '=', String(o.id)).where('event', '=', 'repair.report_due').execute();
      expect(new Set(due.map((n) => Number(n.user_id)))).toEqual(new Set([w.users.desk, w.users.eng]));
      expect(due).toHaveLength(2);
      expect(due[0].title).toContain('今天须提交书面进度报告');
      const job = await db().selectFrom('jobs').select(['run_at', 'payload', 'status']).where('key', '=', reportJobKey(o.id)).executeTakeFirstOrThrow();
      expect(job.status).toBe('pending');
      expect(Number(job.run_at)).toBe(dueAt);
      expect(JSON.parse(job.payload)).toMatchObject({ stage: 'overdue', dueAt });
      const cur = ok(await get(w.eng, `/repair-orders/${o.id}`));
      expect(cur).toMatchObject({ reportStatus: 'due', reportsOverdue: 0 });
    });

    it('records two reports sent at once, one after the other', async () => {
      const tk = await working();
      const o = ok(await post(w.eng, '/repair-orders', order(tk.id, { send: true })), 201);
      const [r1, r2] = await Promise.all([
        post(w.eng, `/repair-orders/${o.id}/progress`, { text: '第一份进度' }),
        post(w.desk, `/repair-orders/${o.id}/progress`, { text: '第二份进度' }),
      ]);
      expect([r1.statusCode, r2.statusCode]).toEqual([201, 201]);
      const cur = ok(await get(w.eng, `/repair-orders/${o.id}`));
      expect(cur.progress.map((p: { text: string }) => p.text).sort()).toEqual(['第一份进度', '第二份进度']);
      expect(cur.version).toBe(o.version + 2);
      expect(cur.progress.every((p: { late: boolean }) => !p.late)).toBe(true);
      const last = Math.max(...cur.progress.map((p: { at: string }) => Date.parse(p.at)));
      expect(Date.parse(cur.nextReportDueAt)).toBe(nextReportDue(cn, last));
      expect(await db().selectFrom('jobs').select('id').where('key', '=', reportJobKey(o.id)).execute()).toHaveLength(1);
      const nul = await post(w.eng, `/repair-orders/${o.id}/progress`, { text: '进度\u0000' });
      expect(nul.json().errors[0]).toMatchObject({ field: 'text', code: 'nul' });
      const huge = await post(w.eng, `/repair-orders/${o.id}/progress`, { text: 'x'.repeat(4001) });
      expect(huge.json().errors[0]).toMatchObject({ field: 'text', code: 'tooLong' });
      // A cancelled order resumes the ticket.
      const cancelled = ok(await post(w.eng, `/repair-orders/${o.id}/cancel`, { version: cur.version, reason: '用户改用备机，不再送修' }));
      expect(cancelled.state).toBe('cancelled');
      expect(ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` })).state).toBe('in_progress');
    });
  });

  describe('a stand-in machine (备机) while the device is away', () => {
    it('is lent through the parts module in the order\'s transaction, once; it needs parts.write', async () => {
      const tk = await working();
      const o = ok(await post(w.eng, '/repair-orders', order(tk.id, { send: true })), 201);
      expect(o.allowedActions).toContain('standin');
      const model = ok(await post(w.admin, '/part-models', { type: '台式机', brand: '联想', model: 'M720 备机', unit: '台', standin: true }), 201);
      const depot = ok(await post(w.admin, '/warehouses', { name: '备机库', kind: 'depot' }), 201);
      ok(await post(w.admin, '/part-movements/stock-in', { warehouseId: depot.id, modelId: model.id, quantity: 1, serials: ['BJ-0001'] }), 201);
      const body = { version: o.version, warehouseId: depot.id, modelId: model.id, serial: 'BJ-0001' };
      // The desk sends devices for repair but does not hand out parts.
      expect((await post(w.desk, `/repair-orders/${o.id}/standin`, body)).statusCode).toBe(403);
      const lent = ok(await post(w.eng, `/repair-orders/${o.id}/standin`, body));
      expect(lent.standinItemId).toEqual(expect.any(Number));
      expect(lent.allowedActions).not.toContain('standin');
      expect(lent.events.at(-1)).toMatchObject({ type: 'standin', data: { serial: 'BJ-0001', dueBack: o.targetReturn } });
      const item = await db().selectFrom('part_items').select(['state', 'customer_id', 'ticket_id']).where('id', '=', lent.standinItemId).executeTakeFirstOrThrow();
      expect(item).toMatchObject({ state: 'lent' });
      expect(Number(item.customer_id)).toBe(w.a.customerId);
      expect(Number(item.ticket_id)).toBe(tk.id);
      expect((await post(w.eng, `/repair-orders/${o.id}/standin`, { ...body, version: lent.version })).statusCode).toBe(409);
    });
  });

  describe('who sees what', () => {
    it('a customer\'s user reads his own orders only, read-only; the list exports to Excel; the order prints as a PDF', async () => {
      const tk = await working();
      const o = ok(await post(w.eng, '/repair-orders', order(tk.id, { send: true })), 201);
      const mine = ok(await get(w.custA, '/repair-orders'));
      expect(mine.items.length).toBeGreaterThan(0);
      expect(mine.items.every((i: { customerId: number }) => i.customerId === w.a.customerId)).toBe(true);
      const seen = ok(await get(w.custA, `/repair-orders/${o.id}`));
      expect(seen).toMatchObject({ number: o.number, allowedActions: [] });
      expect(seen.progress.every((p: { mailedTo: string | null }) => p.mailedTo === null)).toBe(true);
      expect(ok(await get(w.custA, `/tickets/${tk.id}/repair-orders`)).map((x: { id: number }) => x.id)).toContain(o.id);
      expect((await post(w.custA, `/repair-orders/${o.id}/progress`, { text: 'x' })).statusCode).toBe(403);
      // B never sees A's.
      expect((await get(w.custB, `/repair-orders/${o.id}`)).statusCode).toBe(404);
      expect((await get(w.custB, `/tickets/${tk.id}/repair-orders`)).statusCode).toBe(404);
      expect(ok(await get(w.custB, '/repair-orders')).items).toEqual([]);
      expect((await get(w.custB, `/repair-orders/${o.id}/pdf`)).statusCode).toBe(404);

      const pdf = await get(w.eng, `/repair-orders/${o.id}/pdf`);
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toContain('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      const xlsx = await get(w.desk, '/repair-orders.xlsx?state=open');
      expect(xlsx.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const sheet = wb.getWorksheet('设备送修单')!;
      expect(sheet.getRow(1).getCell(1).value).toBe('送修单号');
      const numbers = sheet.getColumn(1).values.slice(2);
      expect(numbers).toContain(o.number);
    });
  });
});
