import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import type { Config } from '../../config.js';
import {
  answeredIds,
  autoReason,
  cut,
  normaliseAddress,
  normaliseMessageId,
  reportedAtOf,
  stripQuoted,
  ticketIdsIn,
  ticketNumberIn,
  tidyText,
  titleOf,
} from '../../core/mail/inbound.js';
import type { Db, DbOrTx } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { inScope, systemActor, type Actor, type CustomerScope } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { fieldLabel, t, type Locale } from '../../platform/i18n/index.js';
import type { Contact } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import { cleanFileName, MAX_ATTACHMENT_BYTES, sniff, ATTACHMENT_LIMIT_LABEL } from '../tickets/files.js';
import { listQuery, TEXT_MAX, TITLE_MAX, type TicketKind, type TicketOut } from '../tickets/schema.js';
import type { TicketService } from '../tickets/service.js';
import * as repo from './repo.js';
import { scrubMail } from './scrub.js';
import type { InboundOut, MailboxCreate, MailboxOut, MailboxPatch, MailboxQuery, MailLogOut, MailLogQuery, MailResult, UnknownSenders } from './schema.js';

/** How a message reached Yunwei. */
export interface Envelope {
  via: 'smtp' | 'api';
  /** SMTP MAIL FROM ('' for the null sender of a bounce); undefined on the API path. */
  mailFrom?: string;
  /** SMTP RCPT TO, or the API's `recipient`; empty: taken from the headers. */
  rcptTo: string[];
  /** The API caller's customer scope: a mailbox of a customer outside it is not found. */
  scope?: CustomerScope;
  /** Bytes received (an oversized SMTP message is not kept whole). */
  size?: number;
}

/** A "processing" claim older than this is taken to be cut off (the process died) and may be taken over. */
const STALE_CLAIM_MS = 10 * 60_000;
/** The language of what the mail handling writes into tickets and the log's details. */
const DATA_LOCALE: Locale = 'zh-CN';
const MIME_EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/zip': 'zip',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

interface Outcome {
  result: Exclude<MailResult, 'processing'>;
  reason: string | null;
  detail?: string | null;
  ticket?: { id: number; number: string } | null;
  customerId?: number | null;
  contactId?: number | null;
  /** The mailbox a reply came through, when another of the message's mailboxes than the first. */
  mailbox?: Mailbox;
}

/** Why a message naming a ticket was not added to it (mail_in_log.reason). */
type RefusedReference = 'reference_out_of_scope' | 'reference_other_mailbox' | 'reference_ignored';

interface Upload {
  filename: string;
  content: Buffer;
}

/** A mailbox's fields as the service uses them. */
interface Mailbox {
  id: number;
  address: string;
  customerId: number | null;
  kind: TicketKind;
  service: string | null;
  category: string | null;
  impact: string;
  urgency: string;
  unknownSenders: UnknownSenders;
  fallbackContactId: number | null;
}

function mailboxOf(r: repo.MailboxRow): Mailbox {
  return {
    id: Number(r.id),
    address: r.address,
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    kind: r.kind as TicketKind,
    service: r.service,
    category: r.category,
    impact: r.impact,
    urgency: r.urgency,
    unknownSenders: r.unknown_senders as UnknownSenders,
    fallbackContactId: r.fallback_contact_id === null ? null : Number(r.fallback_contact_id),
  };
}

export function mailboxOut(r: repo.MailboxRow): MailboxOut {
  return {
    id: Number(r.id),
    address: r.address,
    name: r.name,
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    kind: r.kind as TicketKind,
    service: r.service,
    category: r.category,
    impact: r.impact,
    urgency: r.urgency,
    unknownSenders: r.unknown_senders as UnknownSenders,
    fallbackContactId: r.fallback_contact_id === null ? null : Number(r.fallback_contact_id),
    enabled: r.enabled === 1,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    version: r.version,
  };
}

function reasonText(locale: Locale, reason: string | null): string | null {
  return reason ? t(locale, `mailin.reason.${reason}`) : null;
}

function logOut(r: repo.MailLogRow, locale: Locale): MailLogOut {
  return {
    id: Number(r.id),
    receivedAt: iso(r.received_at),
    via: r.via as MailLogOut['via'],
    messageId: r.message_id,
    fromAddress: r.from_address,
    fromName: r.from_name,
    toAddress: r.to_address,
    subject: r.subject,
    size: r.size,
    mailboxId: r.mailbox_id === null ? null : Number(r.mailbox_id),
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    contactId: r.contact_id === null ? null : Number(r.contact_id),
    result: r.result as MailResult,
    reason: r.reason,
    reasonText: reasonText(locale, r.reason),
    detail: r.detail,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
    ticketNumber: r.ticket_number,
  };
}

/** The message text of an error, in the data language (for the log's detail). */
function describeError(err: unknown): string {
  if (err instanceof AppError) {
    const fields = err.fields.map((f) => `${fieldLabel(DATA_LOCALE, f.field)}: ${t(DATA_LOCALE, f.code.includes('.') ? f.code : `validation.${f.code}`, { ...f.params, field: fieldLabel(DATA_LOCALE, f.field) })}`);
    return [t(DATA_LOCALE, err.messageKey, err.params), ...fields].join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Inbound email (REQ #1, #2, #5: requests by e-mail, the fault mailbox 报障邮箱, a published
 * intake channel): the service mailboxes and the handling of every message received by the
 * SMTP listener or the raw-message API. A message opens a ticket (channel `email`) for the
 * mailbox's customer, or becomes a public reply on the ticket it answers, through the tickets
 * module's public commands; every message gets a row in the log with what came of it.
 */
export class MailInService {
  /** Who opens tickets from mail (provider side: channel `email`, any customer). */
  private readonly mailActor: Actor;
  private readonly ownAddresses: string[];

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly organisation: OrganisationService,
    private readonly tickets: TicketService,
  ) {
    this.mailActor = { ...systemActor('mail', ['tickets.read', 'tickets.write']), displayName: '邮件接入' };
    const from = /<([^>]+)>/.exec(config.smtp.from)?.[1] ?? config.smtp.from;
    this.ownAddresses = [normaliseAddress(from)].filter((a) => a.includes('@'));
  }

  // ------------------------------------------------------------ mailboxes

  async listMailboxes(actor: Actor, query: MailboxQuery): Promise<{ items: MailboxOut[]; nextCursor: string | null }> {
    const cursor = decodeCursor(query.cursor, ['number']) as [number] | null;
    const rows = await repo.listMailboxes(this.db, actor.scope, { customerId: query.customerId, afterId: cursor?.[0], limit: query.limit + 1 });
    return pageOf(rows.map(mailboxOut), query.limit, (m) => [m.id]);
  }

  async getMailbox(actor: Actor, id: number): Promise<MailboxOut> {
    return mailboxOut(await this.findMailbox(this.db, actor, id));
  }

  private async findMailbox(db: DbOrTx, actor: Actor, id: number): Promise<repo.MailboxRow> {
    const row = await repo.findMailbox(db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  /** The customer (in the caller's scope, not archived) and the fallback contact (of that customer) a mailbox names. */
  private async checkMailbox(actor: Actor, v: { customerId: number | null; unknownSenders: UnknownSenders; fallbackContactId: number | null }): Promise<void> {
    const problems: FieldProblem[] = [];
    if (v.customerId === null) {
      if (actor.scope.kind !== 'all') throw AppError.forbidden('scope.all');
      if (v.unknownSenders === 'accept') problems.push({ field: 'unknownSenders', code: 'mailin.replyOnlyNoDefaults' });
      if (v.fallbackContactId !== null) problems.push({ field: 'fallbackContactId', code: 'mailin.replyOnlyNoDefaults' });
    } else {
      const customer = await this.organisation.getCustomer(actor, v.customerId).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return null;
        throw err;
      });
      if (!customer) problems.push({ field: 'customerId', code: 'mailin.customerNotFound' });
      if (v.fallbackContactId !== null) {
        const contact = await this.organisation.getContact(actor, v.fallbackContactId).catch(() => null);
        if (!contact || contact.customerId !== v.customerId) problems.push({ field: 'fallbackContactId', code: 'mailin.contactNotOfCustomer' });
      } else if (v.unknownSenders === 'accept') problems.push({ field: 'fallbackContactId', code: 'mailin.fallbackRequired' });
    }
    if (problems.length) throw AppError.validation(problems);
  }

  async createMailbox(actor: Actor, input: MailboxCreate): Promise<MailboxOut> {
    const values: repo.MailboxValues = {
      address: input.address,
      name: input.name,
      customer_id: input.customerId ?? null,
      kind: input.kind,
      service: input.service,
      category: input.category,
      impact: input.impact,
      urgency: input.urgency,
      unknown_senders: input.unknownSenders,
      fallback_contact_id: input.fallbackContactId ?? null,
      enabled: input.enabled ? 1 : 0,
    };
    await this.checkMailbox(actor, { customerId: values.customer_id ?? null, unknownSenders: input.unknownSenders, fallbackContactId: values.fallback_contact_id ?? null });
    const now = Date.now();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await repo.insertMailbox(trx, values, now);
        await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'mail_mailboxes', entityId: Number(row.id), customerId: row.customer_id, after: mailboxOut(row) }, now);
        return mailboxOut(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('address', input.address);
      throw err;
    }
  }

  async updateMailbox(actor: Actor, id: number, patch: MailboxPatch): Promise<MailboxOut> {
    const current = await this.findMailbox(this.db, actor, id);
    const set: Partial<repo.MailboxValues> = {};
    if (patch.address !== undefined) set.address = patch.address;
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.customerId !== undefined) set.customer_id = patch.customerId;
    if (patch.kind !== undefined) set.kind = patch.kind;
    if (patch.service !== undefined) set.service = patch.service;
    if (patch.category !== undefined) set.category = patch.category;
    if (patch.impact !== undefined) set.impact = patch.impact;
    if (patch.urgency !== undefined) set.urgency = patch.urgency;
    if (patch.unknownSenders !== undefined) set.unknown_senders = patch.unknownSenders;
    if (patch.fallbackContactId !== undefined) set.fallback_contact_id = patch.fallbackContactId;
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    const next = { ...current, ...set };
    if (set.customer_id !== undefined || set.unknown_senders !== undefined || set.fallback_contact_id !== undefined) {
      await this.checkMailbox(actor, {
        customerId: next.customer_id === null ? null : Number(next.customer_id),
        unknownSenders: next.unknown_senders as UnknownSenders,
        fallbackContactId: next.fallback_contact_id === null || next.fallback_contact_id === undefined ? null : Number(next.fallback_contact_id),
      });
    }
    const now = Date.now();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const before = await this.findMailbox(trx, actor, id);
        const row = await repo.updateMailbox(trx, id, patch.version, set, now);
        if (!row) throw AppError.conflict();
        await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'mail_mailboxes', entityId: id, customerId: row.customer_id, before: mailboxOut(before), after: mailboxOut(row) }, now);
        return mailboxOut(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('address', patch.address);
      throw err;
    }
  }

  async deleteMailbox(actor: Actor, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.findMailbox(trx, actor, id);
      await repo.deleteMailbox(trx, id);
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'mail_mailboxes', entityId: id, customerId: row.customer_id, before: mailboxOut(row) });
    });
  }

  /** Whether the listener takes mail for this address (RCPT TO): an enabled mailbox's. */
  async acceptsRecipient(address: string): Promise<boolean> {
    return (await repo.enabledMailboxes(this.db, [normaliseAddress(address)])).length > 0;
  }

  // ------------------------------------------------------------ the log

  async listLog(actor: Actor, query: MailLogQuery): Promise<{ items: MailLogOut[]; nextCursor: string | null }> {
    const cursor = decodeCursor(query.cursor, ['number']) as [number] | null;
    const rows = await repo.listLog(this.db, actor.scope, { result: query.result, mailboxId: query.mailboxId, customerId: query.customerId, q: query.q || undefined, beforeId: cursor?.[0], limit: query.limit + 1 });
    return pageOf(
      rows.map((r) => logOut(r, actor.locale)),
      query.limit,
      (r) => [r.id],
    );
  }

  async getLog(actor: Actor, id: number): Promise<MailLogOut> {
    const row = await repo.findLog(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return logOut(row, actor.locale);
  }

  // ------------------------------------------------------------ receiving

  /**
   * Handles one message, whichever way it came: parse, route to a mailbox, drop automatic mail,
   * claim its Message-ID (a redelivery is ignored), then reply to the ticket it answers or open
   * a ticket. Answers what came of it (also written to the log). Throws only when the message
   * could not be handled for a reason that may pass (the database): the sender should retry.
   */
  async receive(raw: Buffer, envelope: Envelope, locale: Locale = DATA_LOCALE): Promise<InboundOut> {
    const now = Date.now();
    const size = envelope.size ?? raw.length;
    const base = {
      received_at: now,
      via: envelope.via,
      size,
      updated_at: now,
      contact_id: null,
      ticket_id: null,
      ticket_number: null,
      detail: null,
    };
    const envelopeTo = envelope.rcptTo.map(normaliseAddress).filter(Boolean);
    const hash = `<sha256.${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@yunwei.invalid>`;
    const finish = (id: number, o: Outcome, messageId: string): InboundOut => ({
      logId: id,
      result: o.result,
      reason: o.reason,
      reasonText: reasonText(locale, o.reason),
      ticketId: o.ticket?.id ?? null,
      ticketNumber: o.ticket?.number ?? null,
      messageId,
    });

    if (size > this.config.mailIn.maxBytes) {
      const id = await repo.insertLog(this.db, { ...base, message_id: hash, dedupe_key: null, from_address: normaliseAddress(envelope.mailFrom), from_name: null, to_address: envelopeTo[0] ?? '', subject: '', mailbox_id: null, customer_id: null, result: 'rejected', reason: 'too_large', in_reply_to: null });
      return finish(id!, { result: 'rejected', reason: 'too_large' }, hash);
    }

    let parsed: ParsedMail | null = null;
    let parseError: string | null = null;
    try {
      parsed = scrubMail(await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true })); // NUL stripped (docs/MAIL-IN.md)
    } catch (err) {
      parseError = err instanceof Error ? err.message : String(err);
    }
    const fromValue = parsed ? firstAddress(parsed.from) : null;
    const from = normaliseAddress(fromValue?.address);
    const subject = (parsed?.subject ?? '').slice(0, 1000);
    const messageId = normaliseMessageId(parsed?.messageId) ?? hash;
    const answers = parsed ? answeredIds(parsed.inReplyTo, parsed.references) : [];
    const row = {
      ...base,
      message_id: messageId,
      from_address: from || normaliseAddress(envelope.mailFrom),
      from_name: fromValue?.name?.slice(0, 200) || null,
      subject,
      in_reply_to: answers.length ? answers.join(' ').slice(0, 4000) : null,
    };

    if (!parsed || !/^[^@\s]+@[^@\s]+$/.test(from)) {
      const detail = parseError ?? (parsed && parsed.headers.size === 0 ? 'no header lines' : 'no From address');
      const id = await repo.insertLog(this.db, { ...row, dedupe_key: null, to_address: envelopeTo[0] ?? '', mailbox_id: null, customer_id: null, result: 'rejected', reason: 'malformed', detail });
      return finish(id!, { result: 'rejected', reason: 'malformed', detail }, messageId);
    }

    // The mailbox: the envelope's recipients (SMTP, or the API's `recipient`), else the headers'.
    const headerTo = [
      ...headerAddresses(parsed, 'delivered-to'),
      ...headerAddresses(parsed, 'x-original-to'),
      ...addressesOf(parsed.to),
      ...addressesOf(parsed.cc),
    ];
    const candidates = envelopeTo.length ? envelopeTo : [...new Set(headerTo)];
    const boxes = await repo.enabledMailboxes(this.db, candidates);
    // A caller's scope must cover the mailbox's customer (a reply-only mailbox: scope all).
    const inReach = (b: repo.MailboxRow | undefined): b is repo.MailboxRow => !!b && (b.customer_id === null ? envelope.scope?.kind !== 'customers' : !envelope.scope || inScope(envelope.scope, Number(b.customer_id)));
    const reachable = candidates.map((a) => boxes.find((b) => b.address === a)).filter(inReach);
    const boxRow = reachable[0];
    const toAddress = boxRow?.address ?? candidates[0] ?? '';
    if (!boxRow) {
      const id = await repo.insertLog(this.db, { ...row, dedupe_key: null, to_address: toAddress, mailbox_id: null, customer_id: null, result: 'rejected', reason: 'no_mailbox' });
      return finish(id!, { result: 'rejected', reason: 'no_mailbox' }, messageId);
    }
    const mailbox = mailboxOf(boxRow);
    // The mailboxes the message was delivered to: each envelope recipient's (the MTA relays one
    // message for several in one transaction); from headers, which anyone can write, the first only.
    const delivered = (envelopeTo.length ? reachable : [boxRow]).map(mailboxOf);
    const routed = { ...row, to_address: toAddress, mailbox_id: mailbox.id, customer_id: mailbox.customerId };

    const auto = autoReason({
      header: (name) => headerText(parsed, name),
      from,
      envelopeFrom: envelope.mailFrom === undefined ? undefined : normaliseAddress(envelope.mailFrom),
      ownAddresses: this.ownAddresses,
      contentType: headerText(parsed, 'content-type'),
    });
    if (auto) {
      const id = await repo.insertLog(this.db, { ...routed, dedupe_key: null, result: 'ignored', reason: auto });
      return finish(id!, { result: 'ignored', reason: auto }, messageId);
    }

    // Claim the Message-ID: one handling per message, however often it is delivered.
    let logId = await repo.insertLog(this.db, { ...routed, dedupe_key: messageId, result: 'processing', reason: null });
    if (logId === undefined) {
      const held = await repo.findClaim(this.db, messageId);
      const takeOver = held && (held.result === 'failed' || (held.result === 'processing' && held.updated_at < now - STALE_CLAIM_MS));
      if (held && takeOver && (await repo.reclaim(this.db, Number(held.id), held, { ...routed, result: 'processing', reason: null }))) logId = Number(held.id);
      else {
        const id = await repo.insertLog(this.db, { ...routed, dedupe_key: null, result: 'ignored', reason: 'duplicate', ticket_id: held?.ticket_id ?? null, ticket_number: held?.ticket_number ?? null });
        return finish(id!, { result: 'ignored', reason: 'duplicate', ticket: held?.ticket_id ? { id: Number(held.ticket_id), number: held.ticket_number ?? '' } : null }, messageId);
      }
    }

    let outcome: Outcome;
    try {
      outcome = await this.handle(parsed, mailbox, { delivered, scope: envelope.scope, from, fromName: fromValue?.name ?? '', subject, answers, receivedAt: now });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) {
        await repo.finishLog(this.db, logId, { result: 'failed', reason: 'error', detail: describeError(err).slice(0, 2000), updated_at: Date.now() }).catch(() => undefined);
        throw err;
      }
      outcome = { result: 'rejected', reason: 'ticket_invalid', detail: describeError(err) };
    }
    await repo.finishLog(this.db, logId, {
      result: outcome.result,
      reason: outcome.reason,
      detail: outcome.detail?.slice(0, 4000) ?? null,
      ticket_id: outcome.ticket?.id ?? null,
      ticket_number: outcome.ticket?.number ?? null,
      customer_id: outcome.customerId === undefined ? mailbox.customerId : outcome.customerId,
      contact_id: outcome.contactId ?? null,
      ...(outcome.mailbox ? { mailbox_id: outcome.mailbox.id, to_address: outcome.mailbox.address } : {}),
      updated_at: Date.now(),
    });
    return finish(logId, outcome, messageId);
  }

  /**
   * Reply to the ticket the message answers, or a new ticket for the mailbox's customer. A
   * message naming a ticket it may not answer is never added to it, and is handled as a new
   * mail to its mailbox (so it can do nothing a mail without the reference could not), logged
   * with the reason the reference was refused.
   */
  private async handle(
    parsed: ParsedMail,
    mailbox: Mailbox,
    m: { delivered: Mailbox[]; scope?: CustomerScope; from: string; fromName: string; subject: string; answers: string[]; receivedAt: number },
  ): Promise<Outcome> {
    const text = tidyText(parsed.text ?? '');
    const { uploads, skipped } = this.attachmentsOf(parsed);

    // A reply: the ticket named in the subject, else the one an answered Message-ID belongs to.
    let refused: RefusedReference | null = null;
    for (const { ticketId, how } of await this.referencedTickets(m.subject, m.answers)) {
      const ticket = await this.tickets.get(this.mailActor, ticketId).catch(() => null);
      if (!ticket) continue;
      const verdict = await this.mayAnswer(ticket.customerId, m);
      if ('refused' in verdict) {
        refused ??= verdict.refused;
        continue;
      }
      const { contact, via } = verdict;
      const through = via.id === mailbox.id ? {} : { mailbox: via };
      if (ticket.state === 'closed' || ticket.state === 'cancelled') return { ...(await this.followUp(ticket, contact, parsed, text, uploads, skipped, m)), ...through };
      let body = stripQuoted(text);
      if (!body) {
        if (!uploads.length) return { result: 'rejected', reason: 'empty', customerId: ticket.customerId, contactId: contact.id, ...through };
        body = t(DATA_LOCALE, 'mailin.note.attachmentsOnly');
      }
      body = cut([body, ...skipped].join('\n\n'), TEXT_MAX, t(DATA_LOCALE, 'mailin.note.cut'));
      const actor = this.contactActor(ticket.customerId, contact, m.from);
      await this.tickets.reply(actor, ticket.id, { body, visibility: 'public', mentions: [] }, { viaEmail: { contactId: contact.id, name: contact.name } });
      const failed = await this.attach(actor, ticket.id, uploads);
      return { result: 'replied', reason: how, detail: failed.join('\n') || null, ticket: { id: ticket.id, number: ticket.number }, customerId: ticket.customerId, contactId: contact.id, ...through };
    }

    if (!refused) return this.newTicket(parsed, mailbox, text, uploads, skipped, m);
    const outcome = await this.newTicket(parsed, mailbox, text, uploads, skipped, m).catch((err: unknown): Outcome => {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return { result: 'rejected', reason: 'ticket_invalid', detail: describeError(err) };
    });
    // The refused reference is the reason; what the new mail's handling said goes to the detail.
    const said = [reasonText(DATA_LOCALE, outcome.reason), outcome.detail].filter(Boolean).join('\n');
    return { ...outcome, reason: refused, detail: said || null };
  }

  /**
   * Whether a message may answer a ticket of this customer, and as which contact through which
   * of its mailboxes: the caller's scope covers the customer, the message came through a mailbox
   * of that customer (or a reply-only one, which serves every customer), and the sender is one
   * of the customer's contacts. Otherwise the reason it may not.
   */
  private async mayAnswer(customerId: number, m: { delivered: Mailbox[]; scope?: CustomerScope; from: string }): Promise<{ contact: Contact; via: Mailbox } | { refused: RefusedReference }> {
    if (m.scope && !inScope(m.scope, customerId)) return { refused: 'reference_out_of_scope' };
    const via = m.delivered.find((b) => b.customerId === customerId) ?? m.delivered.find((b) => b.customerId === null);
    if (!via) return { refused: 'reference_other_mailbox' };
    const contact = await this.contactByEmail(customerId, m.from);
    if (!contact) return { refused: 'reference_ignored' };
    return { contact, via };
  }

  /** A new ticket for the mailbox's customer, reported by the sender's contact (or the fallback contact). */
  private async newTicket(parsed: ParsedMail, mailbox: Mailbox, text: string, uploads: Upload[], skipped: string[], m: { from: string; fromName: string; subject: string; receivedAt: number }): Promise<Outcome> {
    const notes: string[] = [];
    if (mailbox.customerId === null) return { result: 'rejected', reason: 'reply_only', customerId: null };
    let contact = await this.contactByEmail(mailbox.customerId, m.from);
    let reason: string | null = null;
    if (!contact) {
      if (mailbox.unknownSenders !== 'accept' || mailbox.fallbackContactId === null) return { result: 'rejected', reason: 'unknown_sender' };
      contact = await this.organisation.getContact(this.mailActor, mailbox.fallbackContactId).catch(() => null);
      if (!contact || contact.customerId !== mailbox.customerId) return { result: 'rejected', reason: 'unknown_sender', detail: 'fallback contact missing' };
      notes.push(t(DATA_LOCALE, 'mailin.note.unknownSender', { sender: m.fromName ? `${m.fromName} <${m.from}>` : m.from }));
      reason = 'unknown_sender_accepted';
    }
    const title = titleOf(m.subject, TITLE_MAX) ?? titleOf(text.split('\n')[0], TITLE_MAX) ?? t(DATA_LOCALE, 'mailin.note.noSubject');
    if (!text && !uploads.length && !titleOf(m.subject, TITLE_MAX)) return { result: 'rejected', reason: 'empty', contactId: contact.id };
    const description = cut([...notes, text || title || t(DATA_LOCALE, 'mailin.note.noText'), ...skipped].join('\n\n'), TEXT_MAX, t(DATA_LOCALE, 'mailin.note.cut'));
    const ticket = await this.tickets.create(this.mailActor, {
      customerId: mailbox.customerId,
      contactId: contact.id,
      siteId: contact.siteId,
      kind: mailbox.kind,
      title,
      description,
      impact: mailbox.impact,
      urgency: mailbox.urgency,
      reportedAt: reportedAtOf(parsed.date, m.receivedAt),
      service: mailbox.service,
      category: mailbox.category,
      channel: 'email',
    });
    const failed = await this.attach(this.mailActor, ticket.id, uploads);
    return { result: 'created', reason, detail: failed.join('\n') || null, ticket: { id: ticket.id, number: ticket.number }, customerId: mailbox.customerId, contactId: contact.id };
  }

  /** A mail answering a closed (or cancelled) ticket opens a new one like it, linked to it. */
  private async followUp(old: TicketOut, contact: Contact, parsed: ParsedMail, text: string, uploads: Upload[], skipped: string[], m: { subject: string; receivedAt: number }): Promise<Outcome> {
    const title = titleOf(m.subject, TITLE_MAX) ?? old.title;
    const description = cut([t(DATA_LOCALE, 'mailin.note.followUp', { number: old.number }), stripQuoted(text) || t(DATA_LOCALE, 'mailin.note.noText'), ...skipped].join('\n\n'), TEXT_MAX, t(DATA_LOCALE, 'mailin.note.cut'));
    const ticket = await this.tickets.create(this.mailActor, {
      customerId: old.customerId,
      contactId: contact.id,
      siteId: contact.siteId ?? old.siteId,
      kind: old.kind,
      title,
      description,
      impact: old.impact,
      urgency: old.urgency,
      reportedAt: reportedAtOf(parsed.date, m.receivedAt),
      service: old.service,
      category: old.category,
      channel: 'email',
    });
    await this.tickets.addLink(this.mailActor, ticket.id, old.id, 'related');
    const failed = await this.attach(this.mailActor, ticket.id, uploads);
    return { result: 'created', reason: 'follow_up', detail: failed.join('\n') || null, ticket: { id: ticket.id, number: ticket.number }, customerId: old.customerId, contactId: contact.id };
  }

  /** Tickets the message refers to: the subject's number first, then the answered Message-IDs (ours, then outbound ticket mail's). */
  private async referencedTickets(subject: string, answers: string[]): Promise<Array<{ ticketId: number; how: 'subject_number' | 'references' }>> {
    const out: Array<{ ticketId: number; how: 'subject_number' | 'references' }> = [];
    const number = ticketNumberIn(subject);
    if (number) {
      const page = await this.tickets.list(this.mailActor, listQuery.parse({ q: number, limit: 1 }));
      const hit = page.items.find((i) => i.number === number);
      if (hit) out.push({ ticketId: hit.id, how: 'subject_number' });
    }
    const ids = [...(await repo.ticketOfMessages(this.db, answers)), ...ticketIdsIn(answers)];
    for (const id of ids) if (!out.some((o) => o.ticketId === id)) out.push({ ticketId: id, how: 'references' });
    return out.slice(0, 5);
  }

  /** The customer's contact with this address (the first one when several share it), or null. */
  private async contactByEmail(customerId: number, email: string): Promise<Contact | null> {
    let cursor: string | undefined;
    do {
      const page = await this.organisation.listContacts(this.mailActor, customerId, { q: email, limit: 200, cursor });
      const hit = page.items.find((c) => normaliseAddress(c.email) === email);
      if (hit) return hit;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return null;
  }

  /** A customer's contact writing by mail: customer staff for the tickets module (public replies only, no first response). */
  private contactActor(customerId: number, contact: Contact, from: string): Actor {
    return {
      ...systemActor(`mail:${from}`, ['tickets.read', 'tickets.write']),
      displayName: contact.name,
      roles: ['customer_contact'],
      customerId,
      scope: { kind: 'customers', ids: [customerId] },
    };
  }

  /**
   * The attachments worth keeping (inline images included: screenshots pasted into a mail are
   * the report), with a note for each one the tickets module would refuse (type, size), decided
   * before any ticket is written.
   */
  private attachmentsOf(parsed: ParsedMail): { uploads: Upload[]; skipped: string[] } {
    const uploads: Upload[] = [];
    const skipped: string[] = [];
    parsed.attachments.forEach((a: Attachment, i) => {
      const name = attachmentName(a, i);
      const why = refusal(name, a.content);
      if (why) skipped.push(t(DATA_LOCALE, 'mailin.note.skipped', { name, why }));
      else uploads.push({ filename: name, content: a.content });
    });
    return { uploads: uploads.slice(0, 20), skipped: [...skipped, ...uploads.slice(20).map((u) => t(DATA_LOCALE, 'mailin.note.skipped', { name: u.filename, why: '> 20' }))] };
  }

  /** Stores the attachments on the ticket (one timeline entry each); answers the ones that failed. */
  private async attach(actor: Actor, ticketId: number, uploads: Upload[]): Promise<string[]> {
    const failed: string[] = [];
    for (const u of uploads) {
      try {
        await this.tickets.addAttachment(actor, ticketId, 'public', { filename: u.filename, stream: Readable.from([u.content]), truncated: () => false });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failed.push(t(DATA_LOCALE, 'mailin.note.skipped', { name: u.filename, why: describeError(err) }));
      }
    }
    return failed;
  }
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null {
  for (const obj of Array.isArray(a) ? a : a ? [a] : []) {
    for (const v of obj.value) {
      if (v.address) return { address: v.address, name: v.name ?? '' };
      for (const g of v.group ?? []) if (g.address) return { address: g.address, name: g.name ?? '' };
    }
  }
  return null;
}

function addressesOf(a: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  for (const obj of Array.isArray(a) ? a : a ? [a] : []) {
    for (const v of obj.value) {
      if (v.address) out.push(normaliseAddress(v.address));
      for (const g of v.group ?? []) if (g.address) out.push(normaliseAddress(g.address));
    }
  }
  return out;
}

/** A header as text (mailparser keeps structured values for some). */
function headerText(parsed: ParsedMail, name: string): string | undefined {
  const v = parsed.headers.get(name) as unknown;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'value' in v) {
    const value = (v as { value: unknown; params?: Record<string, string> }).value;
    if (typeof value === 'string') return value;
  }
  if (typeof v === 'object' && v !== null && 'text' in v) return String((v as { text: unknown }).text);
  return String(v);
}

function headerAddresses(parsed: ParsedMail, name: string): string[] {
  return parsed.headerLines
    .filter((l) => l.key === name)
    .map((l) => normaliseAddress(/<([^>]+)>/.exec(l.line)?.[1] ?? l.line.slice(l.line.indexOf(':') + 1)))
    .filter((a) => a.includes('@'));
}

function attachmentName(a: Attachment, i: number): string {
  const given = (a.filename ?? '').trim();
  if (given) {
    try {
      return cleanFileName(given);
    } catch {
      /* a name of nothing but separators: make one up */
    }
  }
  const ext = MIME_EXT[(a.contentType ?? '').toLowerCase()];
  return `attachment-${i + 1}${ext ? `.${ext}` : ''}`;
}

/** Why the tickets module would refuse this file (the checks of tickets/files.ts, up front), or null. */
function refusal(name: string, content: Buffer): string | null {
  if (content.length === 0) return t(DATA_LOCALE, 'tickets.attachment.empty');
  if (content.length > MAX_ATTACHMENT_BYTES) return t(DATA_LOCALE, 'tickets.attachment.tooLarge', { limit: ATTACHMENT_LIMIT_LABEL });
  const head = content.subarray(0, 4100);
  const type = sniff(head, content.length);
  if (!type) {
    const detected = head[0] === 0x4d && head[1] === 0x5a ? 'Windows executable' : head[0] === 0x7f && head[1] === 0x45 ? 'ELF executable' : 'binary';
    return t(DATA_LOCALE, 'tickets.attachment.type', { detected });
  }
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (ext && !Object.hasOwn(type.exts, ext)) return t(DATA_LOCALE, 'tickets.attachment.extension', { ext, detected: type.label });
  return null;
}
