import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db, DbOrTx, Tx } from '../../db/index.js';
import { DEFAULT_LOCALE, isLocale, registerMessages, t, type Locale } from '../../platform/i18n/index.js';
import { enqueueJob, type Scheduler } from '../../platform/jobs/scheduler.js';
import { absoluteLink, Mailer } from '../../platform/notify/channels.js';
import { linkToken } from './contact-link.js';
import * as mails from './contact-mail.repo.js';
import type { NewEntry } from './events.js';
import * as repo from './repo.js';
import { providerNameOf } from '../../platform/settings/index.js';

/**
 * Mail to a ticket's contact (REQ #35, #36, #37): the contact record of the customer the ticket
 * was reported for, whether or not a user account is linked to it, hears that the ticket was
 * logged (with its number), of the provider's public replies, and of its resolution, with two
 * signed links to confirm it or say it is not solved (contact-confirm.ts).
 *
 * The tickets service calls `queueContactMail` in the transaction of the change (an outbox):
 * one `contact_mails` row and one `tickets.contact_mail` job per mail, so a change that rolls
 * back sends nothing, and sending (with the scheduler's retries) never happens inside a request.
 * Subjects read `[INC-2026-000123] 标题` and each mail has a Message-ID `<ticket-<id>.<random>@yunwei>`
 * kept in `contact_mails.message_id`, so replies can be matched to their ticket.
 * Which events mail the contact: CONTACT_MAIL_EVENTS (default created,reply,resolved); a contact
 * with `email_notify` off, or without an address, gets none. Without SMTP_URL nothing is queued.
 */
export const CONTACT_MAIL_JOB = 'tickets.contact_mail';
export const contactMailJobKey = (mailId: number) => `contact-mail:${mailId}`;
/** Attempts before a mail is given up (the job is parked where an administrator sees it). */
export const CONTACT_MAIL_ATTEMPTS = 8;

/** `closed`: the provider closed the ticket without the customer's confirmation; the contact is told why (REQ #36). */
export type ContactMailKind = 'created' | 'reply' | 'resolved' | 'closed';

/** What the hook needs of the ticket (the row as the change leaves it). */
export interface MailTicket {
  id: number | string;
  /** Null: a caller logged by name and number only, who gets no mail. */
  contact_id: number | string | null;
  resolved_at?: number | string | null;
}

/** `<ticket-<id>.<random>@yunwei>` */
export function newMessageId(ticketId: number): string {
  return `<ticket-${ticketId}.${randomBytes(8).toString('hex')}@yunwei>`;
}

/** `[INC-2026-000123] 标题`: the number in brackets first, as inbound mail matching expects. */
export function mailSubject(number: string, title: string): string {
  return `[${number}] ${title.replace(/\s+/g, ' ').trim()}`;
}

/** The entries of a change that mail the contact, with their timeline ids. */
function mailableEntries(entries: NewEntry[], eventIds: number[], events: readonly ContactMailKind[]): Array<{ kind: ContactMailKind; eventId: number }> {
  const out: Array<{ kind: ContactMailKind; eventId: number }> = [];
  entries.forEach((e, i) => {
    const eventId = Number(eventIds[i]);
    if (!Number.isFinite(eventId)) return;
    let kind: ContactMailKind | null = null;
    if (e.type === 'created') kind = 'created';
    else if (e.type === 'reply' && e.visibility === 'public' && e.data.provider) kind = 'reply';
    else if (e.type === 'state_changed' && e.data.to === 'resolved') kind = 'resolved';
    else if (e.type === 'state_changed' && e.data.to === 'closed' && e.data.consent === 'provider') kind = 'closed';
    // A closing without the customer's word is always told (while contact mail is on at all).
    if (kind && (kind === 'closed' || events.includes(kind))) out.push({ kind, eventId });
  });
  return out;
}

/**
 * Queues the mails a change sends the ticket's contact: for a `created` entry (the
 * acknowledgement), a provider's public `reply`, and a `state_changed` to resolved (with the
 * confirmation links). Call it in the change's transaction, after its timeline entries are
 * written (`eventIds` in the order of `entries`). Costs nothing without SMTP or a relevant entry;
 * calling it twice for the same entries queues each mail once.
 */
export async function queueContactMail(trx: Tx, config: Config, ticket: MailTicket, entries: NewEntry[], eventIds: number[], now: number): Promise<void> {
  if (!config.smtp.url || config.contactMail.events.length === 0) return;
  const wanted = mailableEntries(entries, eventIds, config.contactMail.events);
  if (!wanted.length || ticket.contact_id === null) return;
  const contact = await mails.findMailContact(trx, Number(ticket.contact_id));
  if (!contact || !contact.email || !contact.emailNotify) return;
  const ticketId = Number(ticket.id);
  const locale = isLocale(contact.locale) ? contact.locale : DEFAULT_LOCALE;
  for (const w of wanted) {
    const resolved = w.kind === 'resolved';
    const resolvedAt = resolved && ticket.resolved_at != null ? Number(ticket.resolved_at) : null;
    const id = await mails.insertMail(trx, {
      ticket_id: ticketId,
      contact_id: contact.id,
      kind: w.kind,
      source_event_id: w.eventId,
      to_address: contact.email,
      locale,
      message_id: newMessageId(ticketId),
      subject: null,
      status: 'pending',
      attempts: 0,
      last_error: null,
      created_at: now,
      sent_at: null,
      resolved_at: resolvedAt,
      expires_at: resolvedAt !== null ? now + config.contactMail.linkDays * 86_400_000 : null,
      used_at: null,
      decision: null,
    });
    if (id !== null) await enqueueJob(trx, { kind: CONTACT_MAIL_JOB, key: contactMailJobKey(id), payload: { mailId: id }, maxAttempts: CONTACT_MAIL_ATTEMPTS }, now);
  }
}

// ---------------------------------------------------------------- composing

/** A mail as blocks, rendered to plain text and to simple HTML alike. */
type Block = { p: string } | { quote: string } | { buttons: Array<{ label: string; href: string; color: string }> } | { small: string };

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function render(locale: Locale, subject: string, blocks: Block[]): ComposedMail {
  const colon = locale === 'en-US' ? ': ' : '：';
  const text: string[] = [];
  const html: string[] = [];
  for (const b of blocks) {
    if ('p' in b) {
      text.push(b.p);
      html.push(`<p style="margin:0 0 12px">${escapeHtml(b.p).replace(/\n/g, '<br>')}</p>`);
    } else if ('quote' in b) {
      text.push(b.quote);
      html.push(`<div style="margin:0 0 12px;padding:8px 12px;border-left:3px solid #d9d9d9;background:#fafafa;white-space:pre-wrap">${escapeHtml(b.quote)}</div>`);
    } else if ('buttons' in b) {
      text.push(b.buttons.map((x) => `${x.label}${colon}${x.href}`).join('\n'));
      const links = b.buttons.map(
        (x) => `<a href="${escapeHtml(x.href)}" style="display:inline-block;margin:0 12px 8px 0;padding:10px 22px;border-radius:4px;background:${x.color};color:#ffffff;text-decoration:none;font-weight:bold">${escapeHtml(x.label)}</a>`,
      );
      html.push(`<p style="margin:0 0 12px">${links.join('')}</p>`);
    } else {
      text.push(`--\n${b.small}`);
      html.push(`<p style="margin:24px 0 0;color:#8c8c8c;font-size:12px">${escapeHtml(b.small)}</p>`);
    }
  }
  return {
    subject,
    text: `${text.join('\n\n')}\n`,
    html: `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head><body style="margin:0;padding:16px;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6;color:#262626">${html.join('')}</body></html>`,
  };
}

export interface ComposeInput {
  kind: ContactMailKind;
  locale: Locale;
  contactName: string;
  ticket: { number: string; title: string; kind: string; description: string };
  /** The reply's text and author, or the resolution. */
  body: string | null;
  author: string | null;
  /** Resolution mails: the two links (absent without PUBLIC_URL) and their expiry as the reader reads it. */
  links: { confirm: string; reject: string; expires: string } | null;
  autoCloseWorkdays: number;
  providerName: string | null;
}

/** Subject, plain text and HTML of a mail to a contact, in his language. */
export function composeContactMail(m: ComposeInput): ComposedMail {
  const l = m.locale;
  const tt = (key: string, params: Record<string, unknown> = {}) => t(l, `tickets.contactMail.${key}`, params);
  const title = m.ticket.title;
  const blocks: Block[] = [{ p: tt('greeting', { name: m.contactName }) }];
  switch (m.kind) {
    case 'created':
      blocks.push({ p: tt('created.lead', { kind: tt(`kind.${m.ticket.kind}`), number: m.ticket.number }) }, { p: tt('titleLine', { title }) });
      if (m.ticket.description.trim()) blocks.push({ p: tt('description') }, { quote: m.ticket.description.trim() });
      blocks.push({ p: `${tt('created.next')}\n${tt('replyHint')}` });
      break;
    case 'reply':
      blocks.push({ p: tt('reply.lead', { number: m.ticket.number, title }) }, { quote: (m.body ?? '').trim() });
      if (m.author) blocks.push({ p: tt('reply.by', { name: m.author }) });
      blocks.push({ p: tt('replyHint') });
      break;
    case 'resolved':
      blocks.push({ p: tt('resolved.lead', { number: m.ticket.number, title }) });
      if (m.body?.trim()) blocks.push({ p: tt('resolved.resolution') }, { quote: m.body.trim() });
      if (m.links) {
        blocks.push(
          { p: tt('resolved.ask') },
          {
            buttons: [
              { label: tt('resolved.confirm'), href: m.links.confirm, color: '#389e0d' },
              { label: tt('resolved.reject'), href: m.links.reject, color: '#cf1322' },
            ],
          },
          { p: tt('resolved.validity', { expires: m.links.expires }) },
        );
      } else {
        blocks.push({ p: tt('resolved.noLink') });
      }
      if (m.autoCloseWorkdays > 0) blocks.push({ p: tt('resolved.autoClose', { days: m.autoCloseWorkdays }) });
      break;
    case 'closed':
      blocks.push({ p: tt('closed.lead', { number: m.ticket.number, title }) }, { p: tt('closed.reason') }, { quote: (m.body ?? '').trim() }, { p: tt('closed.object') });
      break;
  }
  const provider = m.providerName ?? (l === 'en-US' ? 'the' : '');
  blocks.push({ small: tt('footer', { provider }) });
  return render(l, mailSubject(m.ticket.number, title), blocks);
}

/** `2026-03-05 14:30` in the customer's time zone. */
function localDateTime(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

// ---------------------------------------------------------------- sending

/**
 * Makes one attempt at a mail and records it. Idempotent per mail: one already sent or skipped
 * is not sent again. Skipped (not failed): no SMTP_URL, the contact turned mail off or lost his
 * address since, or the ticket is no longer in the resolution a confirmation mail is about.
 * A failure is recorded and rethrown, so the scheduler retries with backoff.
 */
export class ContactMailSender {
  private mailer: Mailer | null = null;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  async attempt(mailId: number, final: boolean): Promise<void> {
    const m = await mails.findMail(this.db, mailId);
    // A failed mail is tried again when an administrator retries its parked job.
    if (!m || m.status === 'sent' || m.status === 'skipped') return;
    const skip = (reason: string) => mails.recordSend(this.db, mailId, { status: 'skipped', error: reason, attempted: false }, Date.now());
    if (!this.config.smtp.url) return skip('SMTP_URL is not configured');
    const [ticket, contact, source] = await Promise.all([repo.findTicketForJob(this.db, Number(m.ticket_id)), mails.findMailContact(this.db, Number(m.contact_id)), mails.sourceEvent(this.db, Number(m.source_event_id))]);
    if (!ticket || !contact || !source) return skip('ticket, contact or timeline entry deleted');
    if (!contact.emailNotify) return skip('the contact turned ticket mail off');
    if (!contact.email) return skip('the contact has no email address');
    if (m.kind === 'resolved' && (ticket.state !== 'resolved' || Number(ticket.resolved_at) !== Number(m.resolved_at))) return skip('the ticket is no longer in this resolution');

    const locale: Locale = isLocale(m.locale) ? m.locale : DEFAULT_LOCALE;
    const data = JSON.parse(source.data) as { body?: string; resolution?: string; reason?: string };
    let links: ComposeInput['links'] = null;
    if (m.kind === 'resolved' && this.config.publicUrl) {
      const token = linkToken(this.config, m);
      const page = absoluteLink(`/c/${token}`, this.config.publicUrl)!;
      const customer = await mails.customerOf(this.db, Number(ticket.customer_id));
      links = { confirm: `${page}?d=confirm`, reject: `${page}?d=reject`, expires: localDateTime(Number(m.expires_at), customer?.timeZone ?? 'Asia/Shanghai') };
    }
    const composed = composeContactMail({
      kind: m.kind as ContactMailKind,
      locale,
      contactName: contact.name,
      ticket: { number: ticket.number, title: ticket.title, kind: ticket.kind, description: ticket.description },
      body: m.kind === 'reply' ? data.body ?? '' : m.kind === 'resolved' ? data.resolution ?? ticket.resolution : m.kind === 'closed' ? data.reason ?? '' : null,
      author: m.kind === 'reply' ? source.actorName : null,
      links,
      autoCloseWorkdays: this.config.tickets.autoCloseWorkdays,
      providerName: await providerNameOf(this.db, this.config),
    });
    // Later mails of a ticket thread under the first one queued for this contact (its Message-ID is fixed).
    const first = (await mails.mailsOfTicket(this.db, Number(m.ticket_id), Number(m.contact_id))).find((x) => Number(x.id) < Number(m.id) && x.status !== 'skipped' && x.status !== 'failed');
    const thread = first ? { inReplyTo: first.message_id, references: [first.message_id] } : {};
    try {
      this.mailer ??= new Mailer(this.config.smtp.url, this.config.smtp.from);
      await this.mailer.send(contact.email, composed.subject, composed.text, {
        html: composed.html,
        messageId: m.message_id,
        ...thread,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Yunwei-Ticket': ticket.number },
      });
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      await mails.recordSend(this.db, mailId, { status: final ? 'failed' : 'pending', error: message, attempted: true }, Date.now());
      throw err;
    }
    await mails.recordSend(this.db, mailId, { status: 'sent', error: null, attempted: true, subject: composed.subject }, Date.now());
  }
}

export function registerContactMailJob(scheduler: Scheduler, sender: ContactMailSender): void {
  scheduler.register<{ mailId: number }>(CONTACT_MAIL_JOB, (job) => sender.attempt(job.payload.mailId, job.attempt >= CONTACT_MAIL_ATTEMPTS));
}

registerMessages({
  'tickets.contactMail.greeting': { zh: '{name}，您好：', en: 'Dear {name},' },
  'tickets.contactMail.created.lead': { zh: '我们已收到您的{kind}，工单号为 {number}。', en: 'We have received your {kind}; its ticket number is {number}.' },
  'tickets.contactMail.kind.incident': { zh: '故障报告', en: 'incident report' },
  'tickets.contactMail.kind.request': { zh: '服务请求', en: 'service request' },
  'tickets.contactMail.kind.consultation': { zh: '咨询', en: 'question' },
  'tickets.contactMail.kind.complaint': { zh: '投诉', en: 'complaint' },
  'tickets.contactMail.titleLine': { zh: '标题：{title}', en: 'Title: {title}' },
  'tickets.contactMail.description': { zh: '问题描述：', en: 'Description:' },
  'tickets.contactMail.created.next': { zh: '服务台会尽快处理，处理进展将通过邮件告知您。', en: 'The service desk will deal with it as soon as possible and keep you informed by mail.' },
  'tickets.contactMail.replyHint': { zh: '如需补充信息，请直接回复本邮件，并保留主题中的工单号。', en: 'To add anything, reply to this mail and keep the ticket number in the subject.' },
  'tickets.contactMail.reply.lead': { zh: '您的工单 {number}（{title}）有新的回复：', en: 'There is a new reply on your ticket {number} ({title}):' },
  'tickets.contactMail.reply.by': { zh: '—— {name}', en: '— {name}' },
  'tickets.contactMail.resolved.lead': { zh: '您的工单 {number}（{title}）已处理完毕。', en: 'Your ticket {number} ({title}) has been resolved.' },
  'tickets.contactMail.resolved.resolution': { zh: '解决方案：', en: 'Resolution:' },
  'tickets.contactMail.resolved.ask': { zh: '问题是否已经解决？请点击下面的链接告诉我们：', en: 'Is the problem solved? Please tell us with one of these links:' },
  'tickets.contactMail.resolved.confirm': { zh: '确认已解决', en: 'Yes, it is solved' },
  'tickets.contactMail.resolved.reject': { zh: '未解决', en: 'No, not solved' },
  'tickets.contactMail.resolved.validity': { zh: '链接在 {expires} 前有效，只能使用一次。', en: 'The links are valid until {expires} and can be used once.' },
  'tickets.contactMail.resolved.noLink': { zh: '请登录服务门户确认，或直接回复本邮件告诉我们。', en: 'Please confirm in the service portal, or reply to this mail.' },
  'tickets.contactMail.resolved.autoClose': { zh: '如 {days} 个工作日内没有收到您的反馈，工单将自动关闭。', en: 'If we do not hear from you within {days} working days, the ticket closes by itself.' },
  'tickets.contactMail.closed.lead': { zh: '您的工单 {number}（{title}）已由服务方关闭。', en: 'Your ticket {number} ({title}) has been closed by the service provider.' },
  'tickets.contactMail.closed.reason': { zh: '关闭原因：', en: 'Reason:' },
  'tickets.contactMail.closed.object': { zh: '如有异议，请直接回复本邮件或联系服务台，我们将重新处理。', en: 'If you disagree, reply to this mail or call the service desk and we will take it up again.' },
  'tickets.contactMail.footer': {
    zh: '此邮件由{provider}运维服务平台自动发送。如不希望再收到工单邮件，请联系服务台。',
    en: 'This mail was sent automatically by {provider} IT service desk. To stop receiving ticket mail, contact the service desk.',
  },
});

/** When the mail about this resolution went out to the contact (the "no objection" closing's mail date), or null. */
export async function resolutionMailSentAt(db: DbOrTx, ticketId: number, resolvedAt: number): Promise<number | null> {
  const row = await db
    .selectFrom('contact_mails')
    .select('sent_at')
    .where('ticket_id', '=', ticketId)
    .where('kind', '=', 'resolved')
    .where('resolved_at', '=', resolvedAt)
    .where('status', '=', 'sent')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.sent_at == null ? null : Number(row.sent_at);
}
