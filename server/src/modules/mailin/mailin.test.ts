import net from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo } from '../../db/migrate.js';
import { describeDb, emptyDatabase, insertUser, login, type Session } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';

/**
 * Inbound email end to end: a real SMTP listener started by the app on a free port, real mail
 * sent to it with nodemailer, and the raw-message API; tickets and replies checked through the
 * tickets API, the outcome of every message through the mail log.
 */

// A 1×1 PNG and a Windows executable's first bytes.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
// "打印机卡纸，请尽快处理" in GBK.
const GBK_TEXT = Buffer.from('b4f2d3a1bbfabfa8d6bda3acc7ebbea1bfecb4a6c0ed', 'hex');

interface LogItem {
  id: number;
  result: string;
  reason: string | null;
  reasonText: string | null;
  ticketId: number | null;
  ticketNumber: string | null;
  fromAddress: string;
  messageId: string;
  mailboxId: number | null;
  customerId: number | null;
  subject: string;
  detail: string | null;
}

describeDb('inbound email', (kind) => {
  let w: TicketWorld;
  let admin: Session;
  let smtp: Transporter;
  let port: number;
  let contactA: number;
  let contactB: number;
  const boxes: Record<string, number> = {};
  let seq = 0;
  const mid = () => `<t${Date.now()}.${++seq}@client.example.cn>`;

  beforeAll(async () => {
    w = await ticketWorld(kind, { MAIL_IN_SMTP_PORT: '0', SMTP_FROM: 'Yunwei 服务台 <yunwei@desk.example.cn>', MAIL_IN_MAX_BYTES: String(200 * 1024) });
    admin = w.admin;
    const bound = await w.t.app.mailIn.listener!.start();
    port = bound.port;
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    contactA = ok(await admin.request({ method: 'POST', url: `/api/v1/customers/${w.a.customerId}/contacts`, payload: { name: '王芳', email: 'WangFang@Hospital.example.cn', siteId: w.a.siteId } }), 201).id;
    contactB = ok(await admin.request({ method: 'POST', url: `/api/v1/customers/${w.b.customerId}/contacts`, payload: { name: '李雷', email: 'lilei@bank.example.cn' } }), 201).id;
    const box = async (payload: Record<string, unknown>) => ok(await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload }), 201);
    boxes.hospital = (await box({ address: 'Hospital@Desk.example.cn', name: '医院报障邮箱', customerId: w.a.customerId, service: '服务器运维', category: '邮件报障' })).id;
    boxes.bank = (await box({ address: 'bank@desk.example.cn', customerId: w.b.customerId, kind: 'request', unknownSenders: 'accept', fallbackContactId: w.b.contactId, impact: 'low', urgency: 'low' })).id;
    boxes.desk = (await box({ address: 'desk@desk.example.cn', name: '服务台（回复）' })).id;
  });

  afterAll(async () => {
    smtp?.close();
    await w?.t.close();
  });

  async function logOf(messageId: string): Promise<LogItem[]> {
    const items = ok(await admin.request({ method: 'GET', url: `/api/v1/mail/log?limit=200&q=${encodeURIComponent(messageId.replace(/[<>]/g, ''))}` })).items as LogItem[];
    return items.filter((i) => i.messageId === messageId);
  }

  async function ticket(id: number) {
    return ok(await admin.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));
  }

  async function post(raw: string | Buffer, opts: { token?: string; recipient?: string; session?: Session } = {}) {
    const url = `/api/v1/mail/inbound${opts.recipient ? `?recipient=${encodeURIComponent(opts.recipient)}` : ''}`;
    const payload = typeof raw === 'string' ? Buffer.from(raw.replace(/\r?\n/g, '\r\n')) : raw;
    if (opts.session) return opts.session.request({ method: 'POST', url, payload, headers: { 'content-type': 'message/rfc822' } });
    return w.t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${opts.token}` } });
  }

  it('opens a ticket for a contact\'s mail: customer, contact, site, channel, defaults, attachments', async () => {
    const messageId = mid();
    const date = new Date(Date.now() - 2 * 3_600_000);
    const info = await smtp.sendMail({
      from: '"王芳" <wangfang@hospital.example.cn>',
      to: 'hospital@desk.example.cn',
      subject: '门诊收费系统打印机卡纸',
      text: '门诊二楼收费处的打印机从早上开始卡纸，已重启无效。\n\n王芳\n信息科',
      date,
      messageId,
      attachments: [
        { filename: '现场照片.png', content: PNG },
        { filename: '错误日志.txt', content: 'ERROR 0x0012 paper jam\n' },
        { filename: 'driver.exe', content: EXE },
      ],
    });
    expect(info.response).toMatch(/^250 .*created INC-\d{4}-\d{6}/);
    const [entry] = await logOf(messageId);
    expect(entry).toMatchObject({ result: 'created', reason: null, fromAddress: 'wangfang@hospital.example.cn', mailboxId: boxes.hospital, customerId: w.a.customerId, subject: '门诊收费系统打印机卡纸' });
    const t = await ticket(entry.ticketId!);
    expect(t).toMatchObject({
      number: entry.ticketNumber,
      customerId: w.a.customerId,
      contactId: contactA,
      siteId: w.a.siteId,
      kind: 'incident',
      channel: 'email',
      title: '门诊收费系统打印机卡纸',
      service: '服务器运维',
      category: '邮件报障',
      impact: 'medium',
      urgency: 'medium',
      createdBy: null,
    });
    expect(Math.abs(Date.parse(t.reportedAt) - date.getTime())).toBeLessThan(1000);
    expect(t.description).toContain('门诊二楼收费处的打印机从早上开始卡纸');
    expect(t.description).toContain('未保存的附件：driver.exe');
    const files = t.timeline.filter((e: { type: string }) => e.type === 'attachment').map((e: { data: { name: string; mime: string; size: number } }) => e.data);
    expect(files).toEqual(
      expect.arrayContaining([
        { fileId: expect.any(Number), name: '现场照片.png', mime: 'image/png', size: PNG.length },
        { fileId: expect.any(Number), name: '错误日志.txt', mime: 'text/plain; charset=utf-8', size: 23 },
      ]),
    );
    expect(files).toHaveLength(2);
    // the attachment's bytes are the ones sent
    const png = files.find((f: { name: string }) => f.name === '现场照片.png');
    const dl = await admin.request({ method: 'GET', url: `/api/v1/tickets/${t.id}/attachments/${png.fileId}` });
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(PNG)).toBe(true);
  });

  it('clamps an old Date header to a week before receipt', async () => {
    const messageId = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: '旧邮件', text: '上个月的问题', date: new Date(Date.now() - 30 * 86_400_000), messageId });
    const [entry] = await logOf(messageId);
    const t = await ticket(entry.ticketId!);
    expect(Math.abs(Date.parse(t.reportedAt) - (Date.now() - 7 * 86_400_000))).toBeLessThan(60_000);
  });

  it('adds a reply to the ticket named in the subject, without the quoted mail; by References too', async () => {
    const first = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: '内网无法访问', text: '三楼内网断了', messageId: first });
    const [created] = await logOf(first);
    const reply = mid();
    const info = await smtp.sendMail({
      from: 'wangfang@hospital.example.cn',
      to: 'hospital@desk.example.cn',
      subject: `回复：[${created.ticketNumber}] 内网无法访问`,
      text: '四楼也断了，请尽快。\n\n在 2026年3月5日 14:30，服务台 写道：\n> 已收到，正在处理',
      messageId: reply,
      attachments: [{ filename: '拓扑.png', content: PNG }],
    });
    expect(info.response).toMatch(/replied/);
    const [entry] = await logOf(reply);
    expect(entry).toMatchObject({ result: 'replied', reason: 'subject_number', ticketId: created.ticketId, customerId: w.a.customerId });
    let t = await ticket(created.ticketId!);
    const replies = t.timeline.filter((e: { type: string }) => e.type === 'reply');
    expect(replies).toHaveLength(1);
    // The contact is its author (the timeline shows 王芳（邮件）).
    expect(replies[0]).toMatchObject({ visibility: 'public', data: { body: '四楼也断了，请尽快。', provider: false, email: { contactId: expect.any(Number), name: expect.any(String) } } });
    expect(t.timeline.filter((e: { type: string }) => e.type === 'attachment')).toHaveLength(1);
    // a customer's reply is not the provider's response
    expect(t.respondedAt).toBeNull();

    // In-Reply-To naming an outbound ticket mail's Message-ID, no number in the subject
    const viaRefs = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: 'Re: 您的工单已受理', text: '好的', messageId: viaRefs, inReplyTo: `<ticket-${created.ticketId}.created.1a2b@yunwei>`, references: [`<ticket-${created.ticketId}.created.1a2b@yunwei>`] });
    expect((await logOf(viaRefs))[0]).toMatchObject({ result: 'replied', reason: 'references', ticketId: created.ticketId });
    // References naming a mail we received earlier
    const viaOurs = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: '补充', text: '补充一点', messageId: viaOurs, references: [first] });
    expect((await logOf(viaOurs))[0]).toMatchObject({ result: 'replied', reason: 'references', ticketId: created.ticketId });
    t = await ticket(created.ticketId!);
    expect(t.timeline.filter((e: { type: string }) => e.type === 'reply').map((e: { data: { body: string } }) => e.data.body)).toEqual(['四楼也断了，请尽快。', '好的', '补充一点']);
  });

  it('never adds a reply to another customer\'s ticket, whatever number the mail claims', async () => {
    const other = await createTicket(admin, report(w.b, { contactId: contactB, title: '网银前置机宕机' }));
    const before = (await ticket(other.id)).timeline.length;
    const messageId = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: `Re: [${other.number}] 网银前置机宕机`, text: '我想看看这个工单', messageId, references: [`<ticket-${other.id}.created.x@yunwei>`] });
    const [entry] = await logOf(messageId);
    // the ticket is not the mailbox's customer's: treated as a new mail to that mailbox
    expect(entry).toMatchObject({ result: 'created', reason: 'reference_other_mailbox', customerId: w.a.customerId });
    expect(entry.ticketId).not.toBe(other.id);
    expect((await ticket(entry.ticketId!)).customerId).toBe(w.a.customerId);
    expect((await ticket(other.id)).timeline.length).toBe(before);
    // the reply-only mailbox takes it no further either: the sender is not a contact of that ticket's customer
    const viaDesk = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'desk@desk.example.cn', subject: `[${other.number}]`, text: 'x', messageId: viaDesk });
    expect((await logOf(viaDesk))[0]).toMatchObject({ result: 'rejected', reason: 'reference_ignored', ticketId: null, detail: '该邮箱只接收对已有工单的回复' });
    expect((await ticket(other.id)).timeline.length).toBe(before);
    // while its own contact's reply to the desk address lands
    const own = mid();
    await smtp.sendMail({ from: 'lilei@bank.example.cn', to: 'desk@desk.example.cn', subject: `回复: [${other.number}] 网银前置机宕机`, text: '已恢复，谢谢', messageId: own });
    expect((await logOf(own))[0]).toMatchObject({ result: 'replied', ticketId: other.id, customerId: w.b.customerId });
  });

  describe('a reply stays with its customer: mailbox, sender and caller scope', () => {
    // hospital = customer A (mailbox hospital@, rejects non-contacts); tax and school: two more.
    let tax: Org;
    let school: Org;
    let taxTicket: { id: number; number: string };
    let schoolTicket: { id: number; number: string };
    /** A mail.inbound token of a user serving hospital and tax only. */
    let scopedToken: string;
    /** A mail.inbound token with scope all (the administrator's). */
    let allToken: string;
    const TAX = 'zhangsan@tax.example.cn';
    const SCHOOL = 'lisi@school.example.cn';

    beforeAll(async () => {
      tax = await customerWithContract(admin, 'TAX', null);
      school = await customerWithContract(admin, 'SCH', null);
      const taxContact = ok(await admin.request({ method: 'POST', url: `/api/v1/customers/${tax.customerId}/contacts`, payload: { name: '张三', email: TAX } }), 201).id;
      const schoolContact = ok(await admin.request({ method: 'POST', url: `/api/v1/customers/${school.customerId}/contacts`, payload: { name: '李四', email: SCHOOL } }), 201).id;
      boxes.tax = ok(await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'tax@desk.example.cn', customerId: tax.customerId } }), 201).id;
      boxes.school = ok(await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'school@desk.example.cn', customerId: school.customerId } }), 201).id;
      taxTicket = await createTicket(admin, report(tax, { contactId: taxContact, title: '税控盘无法开票' }));
      schoolTicket = await createTicket(admin, report(school, { contactId: schoolContact, title: '机房空调告警' }));

      const role = ok(await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'mailbot', nameZh: '收信程序', nameEn: 'Mail bot', permissions: ['mail.inbound'] } }), 201);
      const bot = await insertUser(w.t.database, { username: 'mailbot', roles: [] });
      await w.t.database.db.insertInto('user_roles').values({ user_id: bot, role_id: role.id }).execute();
      ok(await admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: '收信', kind: 'line1', memberIds: [bot], customerIds: [w.a.customerId, tax.customerId] } }), 201);
      const botSession = await login(w.t.app, 'mailbot');
      scopedToken = ok(await botSession.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'fetchmail-hospital-tax', scopes: ['mail.inbound'] } }), 201).token as string;
      allToken = ok(await admin.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'fetchmail-all', scopes: ['mail.inbound'] } }), 201).token as string;
    });

    const replies = async (id: number) => (await ticket(id)).timeline.filter((e: { type: string }) => e.type === 'reply').length;
    const raw = (from: string, to: string, subject: string, messageId: string) =>
      `From: <${from}>\nTo: ${to}\nSubject: ${subject}\nMessage-ID: ${messageId}\nDate: ${new Date().toUTCString()}\nContent-Type: text/plain; charset=utf-8\n\n回复内容\n`;

    it('a token scoped to hospital and tax cannot reply to a school ticket, nor open school tickets', async () => {
      const before = await replies(schoolTicket.id);
      // through the hospital's mailbox, from the school ticket's own contact
      const viaHospital = mid();
      const res = await post(raw(SCHOOL, 'hospital@desk.example.cn', `Re: [${schoolTicket.number}] 机房空调告警`, viaHospital), { token: scopedToken, recipient: 'hospital@desk.example.cn' });
      expect(res.statusCode, res.body).toBe(200);
      // not a contact of the hospital, whose mailbox rejects non-contacts: refused
      expect(res.json()).toMatchObject({ result: 'rejected', reason: 'reference_out_of_scope', ticketId: null, ticketNumber: null });
      expect((await logOf(viaHospital))[0]).toMatchObject({ result: 'rejected', reason: 'reference_out_of_scope', mailboxId: boxes.hospital, customerId: w.a.customerId, ticketId: null, detail: expect.stringContaining('不是该客户的联系人') });
      // with References instead of the number
      const viaRefs = mid();
      const refs = await post(raw(SCHOOL, 'tax@desk.example.cn', 'Re: 机房空调告警', viaRefs).replace('Subject:', `In-Reply-To: <ticket-${schoolTicket.id}.created.x@yunwei>\nSubject:`), { token: scopedToken });
      expect(refs.json()).toMatchObject({ result: 'rejected', reason: 'reference_out_of_scope', ticketId: null });
      // the school's own mailbox is out of the token's reach: not found, for a reply or a new mail
      for (const recipient of ['school@desk.example.cn', undefined]) {
        const r = await post(raw(SCHOOL, 'school@desk.example.cn', `Re: [${schoolTicket.number}] 机房空调告警`, mid()), { token: scopedToken, recipient });
        expect(r.json()).toMatchObject({ result: 'rejected', reason: 'no_mailbox', ticketId: null });
        const fresh = await post(raw(SCHOOL, 'school@desk.example.cn', '新的报障', mid()), { token: scopedToken, recipient });
        expect(fresh.json()).toMatchObject({ result: 'rejected', reason: 'no_mailbox', ticketId: null });
      }
      // nor through the reply-only mailbox (scope all only)
      const viaDesk = await post(raw(SCHOOL, 'desk@desk.example.cn', `Re: [${schoolTicket.number}]`, mid()), { token: scopedToken, recipient: 'desk@desk.example.cn' });
      expect(viaDesk.json()).toMatchObject({ result: 'rejected', reason: 'no_mailbox' });
      expect(await replies(schoolTicket.id)).toBe(before);
    });

    it('a forged From of a tax contact through the hospital\'s mailbox never lands on the tax ticket (API)', async () => {
      const before = await replies(taxTicket.id);
      // the token covers both customers: the mailbox decides
      for (const token of [scopedToken, allToken]) {
        const messageId = mid();
        const res = await post(raw(TAX, 'hospital@desk.example.cn', `回复：[${taxTicket.number}] 税控盘无法开票`, messageId), { token, recipient: 'hospital@desk.example.cn' });
        expect(res.json()).toMatchObject({ result: 'rejected', reason: 'reference_other_mailbox', ticketId: null });
        expect((await logOf(messageId))[0]).toMatchObject({ result: 'rejected', reason: 'reference_other_mailbox', reasonText: expect.stringContaining('未追加'), mailboxId: boxes.hospital, customerId: w.a.customerId, ticketId: null });
      }
      expect(await replies(taxTicket.id)).toBe(before);
    });

    it('the same through the SMTP listener; a mailbox taking non-contacts opens its own customer\'s ticket instead', async () => {
      const before = await replies(taxTicket.id);
      const messageId = mid();
      const info = await smtp.sendMail({ from: `"张三" <${TAX}>`, to: 'hospital@desk.example.cn', subject: `Re: [${taxTicket.number}] 税控盘无法开票`, text: '请把发票寄到新地址', messageId, references: [`<ticket-${taxTicket.id}.created.x@yunwei>`] });
      expect(info.response).toMatch(/^250 .*rejected/);
      expect((await logOf(messageId))[0]).toMatchObject({ result: 'rejected', reason: 'reference_other_mailbox', mailboxId: boxes.hospital, customerId: w.a.customerId, ticketId: null, detail: expect.stringContaining('不是该客户的联系人') });
      // the bank's mailbox takes mail from non-contacts: a new bank ticket, as any new mail from that sender would be
      const viaBank = mid();
      await smtp.sendMail({ from: `"张三" <${TAX}>`, to: 'bank@desk.example.cn', subject: `Re: [${taxTicket.number}] 税控盘无法开票`, text: '请把发票寄到新地址', messageId: viaBank });
      const [entry] = await logOf(viaBank);
      expect(entry).toMatchObject({ result: 'created', reason: 'reference_other_mailbox', mailboxId: boxes.bank, customerId: w.b.customerId });
      const created = await ticket(entry.ticketId!);
      expect(created).toMatchObject({ customerId: w.b.customerId, contactId: w.b.contactId });
      expect(created.description).toMatch(/^来信人：张三 <zhangsan@tax\.example\.cn>（不是该客户登记的联系人）/);
      expect(await replies(taxTicket.id)).toBe(before);
    });

    it('the legitimate reply still lands: through its customer\'s mailbox, the reply-only address, or with its mailbox among the recipients', async () => {
      const before = await replies(taxTicket.id);
      const viaApi = await post(raw(TAX, 'tax@desk.example.cn', `Re: [${taxTicket.number}] 税控盘无法开票`, mid()), { token: scopedToken, recipient: 'tax@desk.example.cn' });
      expect(viaApi.json()).toMatchObject({ result: 'replied', reason: 'subject_number', ticketId: taxTicket.id });
      const viaSmtp = mid();
      await smtp.sendMail({ from: TAX, to: 'tax@desk.example.cn', subject: `Re: [${taxTicket.number}] 税控盘无法开票`, text: '已恢复', messageId: viaSmtp });
      expect((await logOf(viaSmtp))[0]).toMatchObject({ result: 'replied', reason: 'subject_number', ticketId: taxTicket.id, mailboxId: boxes.tax, customerId: tax.customerId });
      const viaDesk = mid();
      await smtp.sendMail({ from: TAX, to: 'desk@desk.example.cn', subject: 'Re: 您的工单已受理', text: '谢谢', messageId: viaDesk, inReplyTo: `<ticket-${taxTicket.id}.created.1a2b@yunwei>` });
      expect((await logOf(viaDesk))[0]).toMatchObject({ result: 'replied', reason: 'references', ticketId: taxTicket.id, mailboxId: boxes.desk });
      // delivered to the hospital's and the tax mailbox at once (one SMTP transaction): the tax mailbox takes it
      const both = mid();
      await smtp.sendMail({ envelope: { from: TAX, to: ['hospital@desk.example.cn', 'tax@desk.example.cn'] }, from: TAX, to: 'hospital@desk.example.cn, tax@desk.example.cn', subject: `Re: [${taxTicket.number}]`, text: '抄送两个邮箱', messageId: both });
      expect((await logOf(both))[0]).toMatchObject({ result: 'replied', ticketId: taxTicket.id, mailboxId: boxes.tax, customerId: tax.customerId });
      expect(await replies(taxTicket.id)).toBe(before + 4);
    });
  });

  it('rejects unknown senders, or opens their ticket under the fallback contact when the mailbox says so', async () => {
    const rejected = mid();
    const info = await smtp.sendMail({ from: 'stranger@gmail.example.com', to: 'hospital@desk.example.cn', subject: '你好', text: '推销', messageId: rejected });
    // answered 250 all the same (no bounce to a possibly forged sender); the log says why
    expect(info.response).toMatch(/^250 .*rejected/);
    expect((await logOf(rejected))[0]).toMatchObject({ result: 'rejected', reason: 'unknown_sender', ticketId: null, reasonText: '发件人不是该客户的联系人（邮箱设置为拒收）' });

    const accepted = mid();
    await smtp.sendMail({ from: '"赵六" <zhaoliu@bank.example.cn>', to: 'bank@desk.example.cn', subject: '申请开通 VPN 账号', text: '新员工入职，需要 VPN', messageId: accepted });
    const [entry] = await logOf(accepted);
    expect(entry).toMatchObject({ result: 'created', reason: 'unknown_sender_accepted', customerId: w.b.customerId });
    const t = await ticket(entry.ticketId!);
    expect(t).toMatchObject({ customerId: w.b.customerId, contactId: w.b.contactId, kind: 'request', impact: 'low', urgency: 'low', channel: 'email' });
    expect(t.description).toMatch(/^来信人：赵六 <zhaoliu@bank\.example\.cn>（不是该客户登记的联系人）\n\n新员工入职，需要 VPN/);
  });

  it('ignores auto-replies, bulk mail and bounces, and refuses unknown recipients at RCPT TO', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ headers: { 'Auto-Submitted': 'auto-replied' }, subject: '自动回复：外出' }, 'auto_submitted'],
      [{ headers: { Precedence: 'bulk' } }, 'precedence'],
      [{ from: 'MAILER-DAEMON@mx.hospital.example.cn' }, 'mailer_daemon'],
      [{ envelope: { from: '', to: 'hospital@desk.example.cn' } }, 'null_sender'],
      [{ from: 'yunwei@desk.example.cn' }, 'own_address'],
    ];
    for (const [extra, reason] of cases) {
      const messageId = mid();
      await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: '测试', text: 'x', messageId, ...extra });
      expect((await logOf(messageId))[0], reason).toMatchObject({ result: 'ignored', reason, ticketId: null });
    }
    await expect(smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'nobody@desk.example.cn', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
  });

  it('handles a message once however often it is delivered', async () => {
    const messageId = mid();
    const mail = { from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: '重复投递', text: '同一封信', messageId };
    await smtp.sendMail(mail);
    const again = await smtp.sendMail(mail);
    expect(again.response).toMatch(/ignored/);
    const entries = await logOf(messageId);
    expect(entries.map((e) => e.result).sort()).toEqual(['created', 'ignored']);
    const dup = entries.find((e) => e.result === 'ignored')!;
    const first = entries.find((e) => e.result === 'created')!;
    expect(dup).toMatchObject({ reason: 'duplicate', ticketId: first.ticketId });
    const list = ok(await admin.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('重复投递')}` }));
    expect(list.items).toHaveLength(1);
  });

  it('decodes RFC 2047 subjects and GBK bodies', async () => {
    expect(new TextDecoder('gbk').decode(GBK_TEXT)).toBe('打印机卡纸，请尽快处理');
    const messageId = mid();
    const raw = Buffer.concat([
      Buffer.from(
        [
          'From: =?UTF-8?B?546L6Iqz?= <wangfang@hospital.example.cn>',
          'To: =?GBK?B?0r3UurGovM/Tys/k?= <hospital@desk.example.cn>',
          `Subject: =?UTF-8?B?${Buffer.from('【紧急】住院部打印机故障').toString('base64')}?=`,
          `Message-ID: ${messageId}`,
          `Date: ${new Date().toUTCString()}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=GBK',
          'Content-Transfer-Encoding: 8bit',
          '',
          '',
        ].join('\r\n'),
      ),
      GBK_TEXT,
      Buffer.from('\r\n'),
    ]);
    await smtp.sendMail({ envelope: { from: 'wangfang@hospital.example.cn', to: ['hospital@desk.example.cn'] }, raw });
    const [entry] = await logOf(messageId);
    expect(entry).toMatchObject({ result: 'created', subject: '【紧急】住院部打印机故障' });
    const t = await ticket(entry.ticketId!);
    expect(t.title).toBe('【紧急】住院部打印机故障');
    expect(t.description).toBe('打印机卡纸，请尽快处理');
    expect(t.contactName).toBe('王芳');
  });

  it('takes HTML-only mail as text', async () => {
    const messageId = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: 'HTML 邮件', html: '<p>第一段<b>加粗</b></p><script>alert(1)</script><p>第二段</p>', messageId });
    const t = await ticket((await logOf(messageId))[0].ticketId!);
    expect(t.description).toContain('第一段加粗');
    expect(t.description).toContain('第二段');
    expect(t.description).not.toContain('<p>');
    expect(t.description).not.toContain('alert');
  });

  it('opens a linked ticket when the mail answers a closed one', async () => {
    const old = await createTicket(admin, report(w.a, { contactId: contactA, title: '旧问题' }));
    expect((await act(admin, old.id, 'cancel', { reason: '重复登记' })).statusCode).toBe(200);
    const messageId = mid();
    await smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: `Re: [${old.number}] 旧问题`, text: '又出现了', messageId });
    const [entry] = await logOf(messageId);
    expect(entry).toMatchObject({ result: 'created', reason: 'follow_up' });
    const t = await ticket(entry.ticketId!);
    expect(t.description).toContain(`来信回复的工单 ${old.number} 已关闭或已取消`);
    expect(t.links).toEqual([expect.objectContaining({ otherId: old.id, number: old.number, kind: 'related' })]);
  });

  it('takes raw messages by POST with a mail.inbound token, and says which field is wrong', async () => {
    const token = ok(await admin.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'fetchmail', scopes: ['mail.inbound'] } }), 201).token as string;
    const messageId = mid();
    const raw = `From: 王芳 <wangfang@hospital.example.cn>\nTo: hospital@desk.example.cn\nSubject: 经 API 投递\nMessage-ID: ${messageId}\nDate: ${new Date().toUTCString()}\nContent-Type: text/plain; charset=utf-8\n\n管道投递的来信\n`;
    const res = await post(raw, { token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'created', reason: null, messageId, ticketNumber: expect.stringMatching(/^INC-/) });
    expect((await ticket(res.json().ticketId)).channel).toBe('email');
    // the envelope recipient wins over the headers
    const viaRecipient = mid();
    const r2 = await post(raw.replace(messageId, viaRecipient).replace('hospital@desk', 'someone-else@desk'), { token, recipient: 'Hospital@desk.example.cn' });
    expect(r2.json()).toMatchObject({ result: 'created' });
    // the same message again: ignored
    expect((await post(raw, { token })).json()).toMatchObject({ result: 'ignored', reason: 'duplicate', ticketId: res.json().ticketId });

    // a token without the scope, a user without the permission
    const other = ok(await admin.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'reader', scopes: ['tickets.read'] } }), 201).token as string;
    expect((await post(raw, { token: other })).statusCode).toBe(403);
    expect((await post(raw, { session: w.desk })).statusCode).toBe(403);
    expect((await w.t.app.inject({ method: 'POST', url: '/api/v1/mail/inbound', payload: Buffer.from(raw), headers: { 'content-type': 'message/rfc822' } })).statusCode).toBe(401);

    // not a message: 400 naming the body, and a line in the log
    const bad = await post(Buffer.from('\u0000\u0001 this is not a mail'), { token });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'body', message: expect.stringContaining('不是可识别的邮件') })]);
    const noFrom = await post('To: hospital@desk.example.cn\nSubject: 没有发件人\n\n正文\n', { token });
    expect(noFrom.statusCode).toBe(400);
    const rejected = ok(await admin.request({ method: 'GET', url: '/api/v1/mail/log?result=rejected&limit=200' })).items as LogItem[];
    expect(rejected.filter((e) => e.reason === 'malformed').length).toBeGreaterThanOrEqual(2);
    // no body, JSON instead of a message
    const empty = await w.t.app.inject({ method: 'POST', url: '/api/v1/mail/inbound', payload: { a: 1 }, headers: { authorization: `Bearer ${token}` } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body');
    // over MAIL_IN_MAX_BYTES
    const big = await post(Buffer.alloc(210 * 1024, 0x61), { token });
    expect(big.statusCode).toBe(413);
  });

  it('answers 550 for an unreadable message and 552 for an oversized one over SMTP', async () => {
    await expect(smtp.sendMail({ envelope: { from: 'x@hospital.example.cn', to: ['hospital@desk.example.cn'] }, raw: 'Subject: no from\r\n\r\nbody\r\n' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(
      smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'hospital@desk.example.cn', subject: '大附件', text: 'x', attachments: [{ filename: 'big.txt', content: 'a'.repeat(250 * 1024) }] }),
    ).rejects.toMatchObject({ responseCode: 552 });
    const rejected = ok(await admin.request({ method: 'GET', url: '/api/v1/mail/log?result=rejected&limit=200' })).items as LogItem[];
    expect(rejected.some((e) => e.reason === 'too_large')).toBe(true);
  });

  describe('administration', () => {
    it('keeps mailboxes per customer with checked settings and an audit trail', async () => {
      const dup = await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'HOSPITAL@desk.example.cn', customerId: w.a.customerId } });
      expect(dup.statusCode).toBe(409);
      const noFallback = await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'x@desk.example.cn', customerId: w.a.customerId, unknownSenders: 'accept' } });
      expect(noFallback.statusCode).toBe(400);
      expect(noFallback.json().errors).toEqual([expect.objectContaining({ field: 'fallbackContactId', message: expect.stringContaining('默认联系人') })]);
      const wrongContact = await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'y@desk.example.cn', customerId: w.a.customerId, unknownSenders: 'accept', fallbackContactId: contactB } });
      expect(wrongContact.json().errors).toEqual([expect.objectContaining({ field: 'fallbackContactId' })]);
      const badAddress = await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'not an address', customerId: w.a.customerId } });
      expect(badAddress.json().errors).toEqual([expect.objectContaining({ field: 'address' })]);

      const created = ok(await admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'ward@desk.example.cn', customerId: w.a.customerId } }), 201);
      expect(created).toMatchObject({ address: 'ward@desk.example.cn', kind: 'incident', impact: 'medium', urgency: 'medium', unknownSenders: 'reject', fallbackContactId: null, enabled: true, version: 1 });
      const patched = ok(await admin.request({ method: 'PATCH', url: `/api/v1/mail/mailboxes/${created.id}`, payload: { version: 1, enabled: false, category: '病房' } }));
      expect(patched).toMatchObject({ enabled: false, category: '病房', version: 2 });
      expect((await admin.request({ method: 'PATCH', url: `/api/v1/mail/mailboxes/${created.id}`, payload: { version: 1, enabled: true } })).statusCode).toBe(409);
      // a disabled mailbox takes no mail
      await expect(smtp.sendMail({ from: 'wangfang@hospital.example.cn', to: 'ward@desk.example.cn', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
      expect((await admin.request({ method: 'DELETE', url: `/api/v1/mail/mailboxes/${created.id}` })).statusCode).toBe(204);
      const audit = await w.t.database.db.selectFrom('audit_log').select(['action', 'entity_id']).where('entity', '=', 'mail_mailboxes').where('entity_id', '=', String(created.id)).orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
    });

    it('pages the log newest first', async () => {
      const first = ok(await admin.request({ method: 'GET', url: '/api/v1/mail/log?limit=3' }));
      expect(first.items).toHaveLength(3);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = ok(await admin.request({ method: 'GET', url: `/api/v1/mail/log?limit=3&cursor=${first.nextCursor}` }));
      const ids = [...first.items, ...second.items].map((i: LogItem) => i.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(ids.length);
      expect((await admin.request({ method: 'GET', url: '/api/v1/mail/log?cursor=garbage' })).statusCode).toBe(400);
      const byBox = ok(await admin.request({ method: 'GET', url: `/api/v1/mail/log?mailboxId=${boxes.bank}&limit=200` })).items as LogItem[];
      expect(byBox.length).toBeGreaterThan(0);
      expect(byBox.every((i) => i.mailboxId === boxes.bank)).toBe(true);
    });

    it('shows a scoped administrator only his customers\' mailboxes and mail', async () => {
      const role = ok(await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'mail_admin', nameZh: '邮件管理员', nameEn: 'Mail admin', permissions: ['mail.manage'] } }), 201);
      // eng works in the first-line team, which serves customer A only
      await w.t.database.db.insertInto('user_roles').values({ user_id: w.users.eng, role_id: role.id }).execute();
      const eng = await login(w.t.app, 'eng');
      const mine = ok(await eng.request({ method: 'GET', url: '/api/v1/mail/mailboxes' })).items as Array<{ id: number }>;
      expect(mine.map((m) => m.id)).toEqual([boxes.hospital]);
      expect((await eng.request({ method: 'GET', url: `/api/v1/mail/mailboxes/${boxes.bank}` })).statusCode).toBe(404);
      expect((await eng.request({ method: 'PATCH', url: `/api/v1/mail/mailboxes/${boxes.bank}`, payload: { version: 1, enabled: false } })).statusCode).toBe(404);
      expect((await eng.request({ method: 'DELETE', url: `/api/v1/mail/mailboxes/${boxes.desk}` })).statusCode).toBe(404);
      const forB = await eng.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'b2@desk.example.cn', customerId: w.b.customerId } });
      expect(forB.json().errors).toEqual([expect.objectContaining({ field: 'customerId' })]);
      expect((await eng.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'any@desk.example.cn' } })).statusCode).toBe(403);
      const log = ok(await eng.request({ method: 'GET', url: '/api/v1/mail/log?limit=200' })).items as LogItem[];
      expect(log.length).toBeGreaterThan(0);
      expect(log.every((i) => i.customerId === w.a.customerId)).toBe(true);
      const bLog = ok(await admin.request({ method: 'GET', url: `/api/v1/mail/log?customerId=${w.b.customerId}&limit=1` })).items as LogItem[];
      expect((await eng.request({ method: 'GET', url: `/api/v1/mail/log/${bLog[0].id}` })).statusCode).toBe(404);
      // without the permission at all
      expect((await w.desk.request({ method: 'GET', url: '/api/v1/mail/log' })).statusCode).toBe(403);
      expect((await w.custA.request({ method: 'GET', url: '/api/v1/mail/mailboxes' })).statusCode).toBe(403);
    });
  });

  it('stops listening when the app closes', async () => {
    const listener = w.t.app.mailIn.listener!;
    await listener.stop();
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    expect(listener.address()).toBeNull();
  });
});

describeDb('0012_mail_in on an existing installation', (kind) => {
  it('grants mail.manage and mail.inbound to the built-in administrator role only', async () => {
    const { database, close } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0011_alert_sources');
      const now = Date.now();
      await database.db
        .insertInto('roles')
        .values([
          { code: 'admin', name_zh: '系统管理员', name_en: 'Administrator', builtin: 1, permissions: '["users.read"]', created_at: now, updated_at: now },
          { code: 'helper', name_zh: '助手', name_en: 'Helper', builtin: 0, permissions: '["users.read"]', created_at: now, updated_at: now },
        ])
        .execute();
      expect(await migrateTo(database, '0012_mail_in')).toContain('0012_mail_in');
      const roles = await database.db.selectFrom('roles').select(['code', 'permissions']).orderBy('code').execute();
      expect(roles.map((r) => [r.code, JSON.parse(r.permissions)])).toEqual([
        ['admin', ['users.read', 'mail.manage', 'mail.inbound']],
        ['helper', ['users.read']],
      ]);
    } finally {
      await close();
    }
  });
});
