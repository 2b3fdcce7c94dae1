import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, type TestApp } from '../../test/harness.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../test/peers.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { ContactMailSender, queueContactMail } from './contact-mail.js';
import { linkToken } from './contact-confirm.js';

/**
 * Mail to a ticket's contact and the confirmation links in the resolution mail, through the
 * real SMTP peer and the job scheduler, on SQLite and PostgreSQL.
 */

/**
 * The acknowledgement is queued by one line in TicketService.createTicket (the same call as the
 * reply and resolution hook). This does what that line does for a ticket already created; once
 * the line is in, it finds the mail queued and adds nothing (one mail per timeline entry).
 */
async function queueCreated(t: TestApp, ticketId: number) {
  await t.database.db.transaction().execute(async (trx) => {
    const ticket = await trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow();
    const ev = await trx.selectFrom('ticket_events').select(['id', 'data']).where('ticket_id', '=', ticketId).where('type', '=', 'created').executeTakeFirstOrThrow();
    await queueContactMail(trx, t.config, ticket, [{ type: 'created', visibility: 'public', data: JSON.parse(ev.data) }], [Number(ev.id)], Date.now());
  });
}

const addressOf = (m: ReceivedMail) => m.rcptTo[0];
/** The latest resolution mail (the one with the links), to this address if given. */
const resolutionMail = (smtp: SmtpSink, to?: string) => {
  const found = smtp.messages.filter((m) => /\?d=confirm/.test(m.mail.text ?? '') && (!to || addressOf(m) === to)).at(-1);
  if (!found) throw new Error(`no resolution mail among ${smtp.messages.length}`);
  return found;
};
const linkIn = (m: ReceivedMail, decision: 'confirm' | 'reject') => {
  const found = new RegExp(`https://desk\\.example\\.com/c/([^?\\s]+)\\?d=${decision}`).exec(m.mail.text ?? '');
  if (!found) throw new Error(`no ${decision} link in:\n${m.mail.text}`);
  return found[1];
};

describeDb('mail to the ticket\'s contact and confirmation links', (kind) => {
  let w: TicketWorld;
  let smtp: SmtpSink;
  let contactVersion: number;

  const db = () => w.t.database.db;
  const view = (token: string, lang = 'zh-CN') => w.t.app.inject({ method: 'GET', url: `/api/v1/public/confirm/${token}`, headers: { 'accept-language': lang } });
  const decide = (token: string, body: Record<string, unknown>, lang = 'zh-CN') =>
    w.t.app.inject({ method: 'POST', url: `/api/v1/public/confirm/${token}`, payload: body, headers: { 'accept-language': lang } });

  async function patchContact(id: number, body: Record<string, unknown>) {
    const current = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contacts/${id}` }));
    return ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/contacts/${id}`, payload: { version: current.version, ...body } }));
  }

  /** A ticket logged by the desk: customer A's goes to the engineer, customer B's to the desk himself; work starts. */
  async function working(overrides: Record<string, unknown> = {}, org = w.a) {
    const forA = org === w.a;
    const by = forA ? w.eng : w.desk;
    const tk = await createTicket(w.desk, report(org, { ...(forA ? { teamId: w.teams.line1 } : {}), assigneeId: forA ? w.users.eng : w.users.desk, ...overrides }));
    // Every ticket here has its acknowledgement, as with the create hook in place.
    await queueCreated(w.t, tk.id);
    ok(await act(by, tk.id, 'accept'));
    ok(await act(by, tk.id, 'start'));
    return tk as { id: number; number: string; title: string };
  }

  async function resolve(id: number, resolution = '更换交换机端口后恢复', by = w.eng) {
    return ok(await act(by, id, 'resolve', { resolution }));
  }

  async function drain() {
    await w.t.app.scheduler.drain();
  }

  beforeAll(async () => {
    smtp = await startSmtpSink();
    w = await ticketWorld(kind, { SMTP_URL: smtp.url, SMTP_FROM: '运维服务台 <desk@yunwei.test>', PUBLIC_URL: 'https://desk.example.com', CONFIRM_RATE_PER_MINUTE: '1000' });
    // Customer A's contact has no user account; he has an address.
    const c = await patchContact(w.a.contactId, { email: 'a.contact@hospital.example.cn' });
    expect(c).toMatchObject({ emailNotify: true, locale: null });
    contactVersion = c.version;
    await patchContact(w.b.contactId, { email: 'b.contact@tax.example.cn' });
  });
  afterAll(async () => {
    await w.t.close();
    await smtp.close();
  });
  beforeEach(async () => {
    await drain();
    smtp.messages.length = 0;
  });

  it('a contact without a user account gets the acknowledgement, the provider\'s public replies and the resolution, each with the number in the subject', async () => {
    const tk = await working();
    // A reply from the provider in public, an internal note, and a reply of the customer's own staff.
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: '请重启一下您的电脑再试。', visibility: 'public' } }), 201);
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: '疑似交换机端口故障', visibility: 'internal' } }), 201);
    await resolve(tk.id);
    // Nothing is sent inside the requests: one job per mail.
    expect(smtp.messages).toHaveLength(0);
    const jobs = await db().selectFrom('jobs').select(['key', 'max_attempts']).where('kind', '=', 'tickets.contact_mail').where('status', '=', 'pending').execute();
    expect(jobs).toHaveLength(3);
    await drain();

    // In the order queued (the jobs may run side by side).
    const order = (await db().selectFrom('contact_mails').select('message_id').where('ticket_id', '=', tk.id).orderBy('id').execute()).map((r) => r.message_id);
    const toContact = smtp.messages.filter((m) => addressOf(m) === 'a.contact@hospital.example.cn').sort((x, y) => order.indexOf(x.mail.messageId!) - order.indexOf(y.mail.messageId!));
    expect(toContact).toHaveLength(3);
    const [created, reply, resolved] = toContact;
    const subject = `[${tk.number}] ${tk.title}`;
    expect(tk.number).toMatch(/^INC-\d{4}-\d{6}$/);
    for (const m of toContact) {
      expect(m.mail.subject).toBe(subject);
      expect(m.mail.messageId).toMatch(new RegExp(`^<ticket-${tk.id}\\.[0-9a-f]{16}@yunwei>$`));
      expect(m.mail.from?.value[0]).toMatchObject({ address: 'desk@yunwei.test', name: '运维服务台' });
      expect(m.mail.html).toBeTruthy();
    }
    expect(created.mail.text).toContain('A 联系人，您好：');
    expect(created.mail.text).toContain(`我们已收到您的故障报告，工单号为 ${tk.number}。`);
    expect(created.mail.text).toContain('上午 9 点起财务部所有电脑无法登录财务系统');
    expect(reply.mail.text).toContain('请重启一下您的电脑再试。');
    expect(reply.mail.text).toContain('—— 李强');
    expect(reply.mail.text).not.toContain('疑似交换机端口故障');
    // Later mails thread under the acknowledgement.
    expect(reply.mail.inReplyTo).toBe(created.mail.messageId);
    expect(resolved.mail.text).toContain('更换交换机端口后恢复');
    expect(resolved.mail.text).toMatch(/确认已解决：https:\/\/desk\.example\.com\/c\/\S+\?d=confirm/);
    expect(resolved.mail.text).toMatch(/未解决：https:\/\/desk\.example\.com\/c\/\S+\?d=reject/);
    expect(resolved.mail.text).toContain('如 3 个工作日内没有收到您的反馈，工单将自动关闭。');
    expect(resolved.mail.html).toContain(`href="https://desk.example.com/c/${linkIn(resolved, 'confirm')}?d=confirm"`);

    // The Message-IDs sent are kept, for matching replies to the ticket.
    const rows = await db().selectFrom('contact_mails').select(['kind', 'message_id', 'status', 'subject', 'to_address']).where('ticket_id', '=', tk.id).orderBy('id').execute();
    expect(rows).toEqual(toContact.map((m, i) => ({ kind: ['created', 'reply', 'resolved'][i], message_id: m.mail.messageId, status: 'sent', subject, to_address: 'a.contact@hospital.example.cn' })));

    // A mail sent is not sent again when its job runs once more; queueing the same entry again adds nothing.
    await new ContactMailSender(db(), w.t.config).attempt(Number((await db().selectFrom('contact_mails').select('id').where('ticket_id', '=', tk.id).executeTakeFirstOrThrow()).id), false);
    await queueCreated(w.t, tk.id);
    await drain();
    expect(smtp.messages).toHaveLength(3);
  });

  it('a contact who turned ticket mail off gets none; the setting is on the contact', async () => {
    const c = await patchContact(w.a.contactId, { emailNotify: false });
    expect(c.emailNotify).toBe(false);
    try {
      const tk = await working();
      await resolve(tk.id);
      await drain();
      expect(smtp.messages.filter((m) => addressOf(m) === 'a.contact@hospital.example.cn')).toHaveLength(0);
      expect(await db().selectFrom('contact_mails').select('id').where('ticket_id', '=', tk.id).execute()).toEqual([]);
    } finally {
      await patchContact(w.a.contactId, { emailNotify: true });
    }
  });

  it('mails a contact in his language (en-US)', async () => {
    await patchContact(w.a.contactId, { locale: 'en-US' });
    try {
      const tk = await working({ title: 'Mail server down' });
      await resolve(tk.id, 'Restarted the mail service.');
      await drain();
      const m = resolutionMail(smtp);
      expect(m.mail.subject).toBe(`[${tk.number}] Mail server down`);
      expect(m.mail.text).toContain(`Your ticket ${tk.number} (Mail server down) has been resolved.`);
      expect(m.mail.text).toMatch(/Yes, it is solved: https:\/\/desk\.example\.com\/c\/\S+\?d=confirm/);
    } finally {
      await patchContact(w.a.contactId, { locale: null });
    }
  });

  it('the confirmation link shows the ticket, closes it with a rating and records the contact who did', async () => {
    const tk = await working();
    await resolve(tk.id);
    await drain();
    const token = linkIn(resolutionMail(smtp), 'confirm');

    const shown = ok(await view(token));
    expect(shown).toMatchObject({ number: tk.number, title: tk.title, resolution: '更换交换机端口后恢复', contactName: 'A 联系人', canRate: true, autoCloseWorkdays: 3 });
    // Nothing beyond that ticket.
    expect(Object.keys(shown).sort()).toEqual(['autoCloseWorkdays', 'canRate', 'contactName', 'expiresAt', 'number', 'resolution', 'resolvedAt', 'title']);

    const done = ok(await decide(token, { decision: 'confirm', rating: 5, comment: '响应很快' }));
    expect(done).toMatchObject({ decision: 'confirm', number: tk.number, state: 'closed', rated: true, suggestComplaint: false, complaintNumber: null });

    const ticket = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` }));
    expect(ticket.state).toBe('closed');
    const closed = ticket.timeline.find((e: { type: string; data: { to?: string } }) => e.type === 'state_changed' && e.data.to === 'closed');
    expect(closed).toMatchObject({ actorId: null, data: { via: 'confirm', emailLink: { contactId: w.a.contactId, name: 'A 联系人' } } });
    expect(ticket.rating).toMatchObject({ score: 5, comment: '响应很快', ratedBy: null, ratedByName: 'A 联系人' });
    const rating = await db().selectFrom('ticket_ratings').selectAll().where('ticket_id', '=', tk.id).executeTakeFirstOrThrow();
    expect(rating).toMatchObject({ rated_by: null, score: 5 });
    expect(Number(rating.rated_by_contact_id)).toBe(w.a.contactId);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&entityId=${tk.id}` }));
    const close = audit.items.find((a: { action: string }) => a.action === 'close');
    expect(close.actorName).toContain('(email link)');
    expect(close.after).toMatchObject({ via: 'confirm', emailLink: { contactId: w.a.contactId } });

    // Single use: the same link again, and the reject link of the same mail.
    const again = await decide(token, { decision: 'confirm' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'link_used', title: `此链接已经使用过：工单 ${tk.number} 的处理结果已确认。` });
    expect((await view(token)).statusCode).toBe(409);
    expect((await decide(linkIn(resolutionMail(smtp), 'reject'), { decision: 'reject', reason: 'x' })).json().code).toBe('link_used');
  });

  it('a contact linked to a user account acts as that user; a rating of 1 with a complaint lodges it', async () => {
    await db().updateTable('users').set({ contact_id: w.a.contactId }).where('id', '=', w.users.custA).execute();
    try {
      const tk = await working();
      await resolve(tk.id);
      await drain();
      const token = linkIn(resolutionMail(smtp), 'confirm');
      const done = ok(await decide(token, { decision: 'confirm', rating: 1, comment: '拖了两天', complaint: '工程师迟到两个小时。' }));
      expect(done).toMatchObject({ state: 'closed', rated: true, suggestComplaint: false });
      expect(done.complaintNumber).toMatch(/^CMP-\d{4}-\d{6}$/);
      const ticket = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` }));
      expect(ticket.rating).toMatchObject({ score: 1, ratedBy: w.users.custA, ratedByName: 'A 报障人' });
      const closed = ticket.timeline.find((e: { type: string; data: { to?: string } }) => e.type === 'state_changed' && e.data.to === 'closed');
      expect(closed).toMatchObject({ actorId: w.users.custA, data: { via: 'confirm', emailLink: { contactId: w.a.contactId } } });
      expect(ticket.links).toEqual([expect.objectContaining({ number: done.complaintNumber, kind: 'complaint' })]);
    } finally {
      await db().updateTable('users').set({ contact_id: null }).where('id', '=', w.users.custA).execute();
    }
  });

  it('the reject link needs a reason and reopens the ticket with it; the ticket is then worked on again', async () => {
    const tk = await working();
    await resolve(tk.id);
    await drain();
    const token = linkIn(resolutionMail(smtp), 'reject');
    const noReason = await decide(token, { decision: 'reject', reason: '  ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0]).toMatchObject({ field: 'reason' });
    const en = await decide(token, { decision: 'reject' }, 'en-US');
    expect(en.json().errors[0].message).toBe('Please say why the problem is not solved (Reason)');
    // Nothing was used up by refused requests.
    const done = ok(await decide(token, { decision: 'reject', reason: '还是登录不了' }));
    expect(done).toMatchObject({ decision: 'reject', state: 'in_progress', rated: false });
    const ticket = ok(await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` }));
    expect(ticket.state).toBe('in_progress');
    expect(ticket.timeline.at(-1)).toMatchObject({ type: 'state_changed', data: { from: 'resolved', to: 'in_progress', via: 'reject', reason: '还是登录不了', emailLink: { name: 'A 联系人' } } });

    // Resolved again: the old link is refused as used; the new mail's link works.
    await resolve(tk.id, '更换了网线');
    await drain();
    const second = resolutionMail(smtp);
    expect(second.mail.text).toContain('更换了网线');
    expect((await view(token)).json().code).toBe('link_used');
    expect(ok(await view(linkIn(second, 'confirm'))).resolution).toBe('更换了网线');
  });

  it('refuses a tampered link, and a link of ticket A cannot act on ticket B', async () => {
    const a = await working();
    await resolve(a.id);
    // B: the other customer's ticket, resolved too.
    const b = await working({}, w.b);
    await resolve(b.id, '已处理', w.desk);
    await drain();
    const tokenA = linkIn(resolutionMail(smtp, 'a.contact@hospital.example.cn'), 'confirm');
    const [id, exp, sig] = tokenA.split('.');
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');

    for (const bad of [`${id}.${exp}.${flip(sig)}`, `${id}.${(parseInt(exp, 36) + 86_400).toString(36)}.${sig}`, `${Number(id) + 1}.${exp}.${sig}`, 'abc', `${id}.${exp}`]) {
      const r = await view(bad);
      expect(r.statusCode, bad).toBe(404);
      expect(r.json()).toMatchObject({ code: 'link_invalid', title: '链接无效：可能复制不完整或已被修改。请使用邮件中的原始链接，或联系服务台。' });
      expect((await decide(bad, { decision: 'confirm' })).statusCode).toBe(404);
    }
    const en = await view(`${id}.${exp}.${flip(sig)}`, 'en-US');
    expect(en.json().title).toMatch(/^This link is not valid/);

    // A resolution mail for B exists: A's signature on B's mail id is refused, B stays as it was.
    const bTicket = await db().selectFrom('tickets').select(['state', 'version']).where('id', '=', b.id).executeTakeFirstOrThrow();
    const bMail = await db().selectFrom('contact_mails').selectAll().where('ticket_id', '=', b.id).where('kind', '=', 'resolved').executeTakeFirstOrThrow();
    expect((await decide(`${Number(bMail.id)}.${exp}.${sig}`, { decision: 'confirm' })).statusCode).toBe(404);
    expect((await decide(`${Number(bMail.id)}.${Math.floor(Number(bMail.expires_at) / 1000).toString(36)}.${sig}`, { decision: 'confirm' })).statusCode).toBe(404);
    expect(await db().selectFrom('tickets').select(['state', 'version']).where('id', '=', b.id).executeTakeFirstOrThrow()).toEqual(bTicket);
    // And A's own link still works.
    expect(ok(await decide(tokenA, { decision: 'confirm' })).state).toBe('closed');
  });

  it('refuses an expired link, and one whose ticket is no longer in that resolution', async () => {
    const tk = await working();
    await resolve(tk.id);
    await drain();
    const token = linkIn(resolutionMail(smtp), 'confirm');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 15 * 86_400_000);
      const r = await view(token);
      expect(r.statusCode).toBe(410);
      expect(r.json()).toMatchObject({ code: 'link_expired', title: `工单 ${tk.number} 的确认链接已过期。如问题仍未解决，请联系服务台或登录服务门户。` });
      expect((await decide(token, { decision: 'confirm' })).statusCode).toBe(410);
    } finally {
      vi.useRealTimers();
    }

    // The desk reopens it: the link no longer applies.
    ok(await act(w.eng, tk.id, 'reopen', { reason: '客户电话说又坏了' }));
    const reopened = await view(token);
    expect(reopened.statusCode).toBe(409);
    expect(reopened.json()).toMatchObject({ code: 'link_stale', title: `工单 ${tk.number} 正在重新处理中，此链接已失效。处理完毕后您会收到新的确认邮件。` });
    // Resolved again and closed by the desk: the old link speaks of the newer resolution, the new one of the closure.
    await resolve(tk.id, '第二次处理');
    expect((await view(token)).json().title).toBe(`工单 ${tk.number} 有了新的处理结果，请使用最新一封邮件中的链接。`);
    await drain();
    const newer = linkIn(resolutionMail(smtp), 'confirm');
    ok(await act(w.eng, tk.id, 'close', { reason: '客户电话确认已恢复' }));
    const closed = await decide(newer, { decision: 'confirm' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().title).toBe(`工单 ${tk.number} 已关闭，无需再确认。如问题再次出现，请联系服务台。`);
  });

  it('a mail the SMTP server refuses is retried by its job and recorded, even after it was given up', async () => {
    const tk = await working();
    await resolve(tk.id);
    const mail = await db().selectFrom('contact_mails').selectAll().where('ticket_id', '=', tk.id).where('kind', '=', 'resolved').executeTakeFirstOrThrow();
    const down = { ...w.t.config, smtp: { url: 'smtp://127.0.0.1:9', from: 'x@yunwei.test' } };
    await expect(new ContactMailSender(db(), down).attempt(Number(mail.id), false)).rejects.toThrow();
    expect(await db().selectFrom('contact_mails').select(['status', 'attempts']).where('id', '=', mail.id).executeTakeFirstOrThrow()).toMatchObject({ status: 'pending', attempts: 1 });
    // The last attempt marks it failed (its job is parked); an administrator's retry sends it after all.
    await expect(new ContactMailSender(db(), down).attempt(Number(mail.id), true)).rejects.toThrow();
    const failed = await db().selectFrom('contact_mails').select(['status', 'attempts', 'last_error']).where('id', '=', mail.id).executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed.last_error).toBeTruthy();
    await drain();
    const sent = await db().selectFrom('contact_mails').select(['status', 'attempts', 'last_error']).where('id', '=', mail.id).executeTakeFirstOrThrow();
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    expect(linkToken(w.t.config, mail)).toBe(linkIn(resolutionMail(smtp), 'confirm'));
  });

  it('the contact\'s mail settings are set in the customer admin API, with their field names', async () => {
    const bad = await w.admin.request({ method: 'PATCH', url: `/api/v1/contacts/${w.a.contactId}`, payload: { version: contactVersion + 100, locale: 'fr-FR' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('locale');
    const created = ok(await w.admin.request({ method: 'POST', url: `/api/v1/customers/${w.a.customerId}/contacts`, payload: { name: '赵六', email: 'zhao@hospital.example.cn', emailNotify: false, locale: 'en-US' } }), 201);
    expect(created).toMatchObject({ emailNotify: false, locale: 'en-US' });
  });
});

describeDb('mail to the contact without SMTP, and the public endpoints\' rate limit', (kind) => {
  let w: TicketWorld;
  beforeAll(async () => {
    w = await ticketWorld(kind, { PUBLIC_URL: 'https://desk.example.com', CONFIRM_RATE_PER_MINUTE: '3' });
    const c = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contacts/${w.a.contactId}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/contacts/${w.a.contactId}`, payload: { version: c.version, email: 'a.contact@hospital.example.cn' } }));
  });
  afterAll(async () => {
    await w?.t.close();
  });

  it('tickets are created, answered and resolved as usual; nothing is queued', async () => {
    const tk = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
    await queueCreated(w.t, tk.id);
    ok(await act(w.eng, tk.id, 'accept'));
    ok(await act(w.eng, tk.id, 'start'));
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: '处理中', visibility: 'public' } }), 201);
    expect(ok(await act(w.eng, tk.id, 'resolve', { resolution: '已处理' })).state).toBe('resolved');
    expect(await w.t.database.db.selectFrom('contact_mails').select('id').execute()).toEqual([]);
    expect(await w.t.database.db.selectFrom('jobs').select('id').where('kind', '=', 'tickets.contact_mail').execute()).toEqual([]);
  });

  it('answers 429 with Retry-After past CONFIRM_RATE_PER_MINUTE requests a minute from one address', async () => {
    const codes: number[] = [];
    let last: LightMyRequestResponse | null = null;
    for (let i = 0; i < 4; i++) {
      last = await w.t.app.inject({ method: 'GET', url: '/api/v1/public/confirm/1.abc.0123456789012345678901234567890123456789012', remoteAddress: '198.51.100.7' });
      codes.push(last.statusCode);
    }
    expect(codes).toEqual([404, 404, 404, 429]);
    expect(last!.headers['retry-after']).toBe('60');
    // Another address is not held back.
    expect((await w.t.app.inject({ method: 'GET', url: '/api/v1/public/confirm/1.abc.x', remoteAddress: '198.51.100.8' })).statusCode).toBe(404);
  });
});

describe('CONTACT_MAIL_EVENTS', () => {
  it('is validated and "none" turns contact mail off', async () => {
    const { loadConfig } = await import('../../config.js');
    expect(loadConfig({ CONTACT_MAIL_EVENTS: 'resolved, created' }).contactMail.events).toEqual(['resolved', 'created']);
    expect(loadConfig({ CONTACT_MAIL_EVENTS: 'none' }).contactMail.events).toEqual([]);
    expect(loadConfig({}).contactMail.events).toEqual(['created', 'reply', 'resolved']);
    expect(() => loadConfig({ CONTACT_MAIL_EVENTS: 'closed' })).toThrow(/CONTACT_MAIL_EVENTS: unknown event closed/);
  });
});
