import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { AuthService } from '../../platform/auth/service.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { DEFAULT_LOCALE, isLocale, registerMessages } from '../../platform/i18n/index.js';
import { linkKey, signature } from './contact-link.js';
import * as mails from './contact-mail.repo.js';
import type { EmailLink } from './events.js';
import * as repo from './repo.js';
import type { TicketService } from './service.js';

/**
 * The confirmation links of a resolution mail (REQ #35, #36): `/c/<token>` opens a public page
 * (no login) where the ticket's contact confirms the resolution (optionally rating it, and
 * lodging a complaint after a poor rating) or says it is not solved, with a reason (the ticket
 * reopens). The token is `<mail id>.<expiry, base 36 seconds>.<HMAC-SHA256>`: the HMAC, keyed
 * with SECRET_KEY (or DATA_DIR/secret.key, generated once), covers the mail, its ticket, its
 * contact and the resolution it was sent for (tickets.resolved_at) and the expiry, so a token
 * cannot be altered, moved to another ticket or outlive CONFIRM_LINK_DAYS. It is used once
 * (contact_mails.used_at, taken atomically) and only while the ticket is still in that
 * resolution. The decision goes through TicketService (confirm, reject, rate, complain) as the
 * contact: his linked active user account if he has one, else the contact himself; the timeline
 * and the audit log record `emailLink` (contact id and name).
 */

// The key and the token: contact-link.ts (linkToken stays exported here for the page's callers).
export { linkKey, linkToken } from './contact-link.js';

const TOKEN_RE = /^([1-9]\d{0,15})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The mail a token names, if the token is exactly what was issued for it (else null: invalid). */
async function verifiedMail(db: Db, config: Config, token: string): Promise<mails.ContactMailRow | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const mail = await mails.findMail(db, Number(m[1]));
  if (!mail || mail.kind !== 'resolved' || mail.resolved_at === null || mail.expires_at === null) return null;
  const exp = parseInt(m[2], 36);
  if (exp !== Math.floor(Number(mail.expires_at) / 1000)) return null;
  const expected = Buffer.from(signature(linkKey(config), mail, exp));
  const given = Buffer.from(m[3]);
  return expected.length === given.length && timingSafeEqual(expected, given) ? mail : null;
}

// ---------------------------------------------------------------- the page's reads and decisions

export interface ConfirmView {
  number: string;
  title: string;
  resolution: string | null;
  resolvedAt: string;
  contactName: string;
  expiresAt: string;
  /** A rating may be given with the confirmation (none given yet). */
  canRate: boolean;
  /** Working days after which the ticket closes by itself (0: never). */
  autoCloseWorkdays: number;
}

export interface ConfirmDecision {
  decision: 'confirm' | 'reject';
  reason?: string | null;
  rating?: number | null;
  comment?: string | null;
  complaint?: string | null;
}

export interface ConfirmResult {
  decision: 'confirm' | 'reject';
  number: string;
  state: string;
  rated: boolean;
  /** A score of 1 or 2 was given: the page suggests a complaint (if none was lodged with it). */
  suggestComplaint: boolean;
  /** The complaint ticket lodged with the confirmation. */
  complaintNumber: string | null;
}

const RATE_WINDOW_MS = 60_000;

export class ContactConfirmService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly tickets: TicketService,
    private readonly auth: AuthService,
  ) {}

  /** Per client address, shared by every process through the database (429 with Retry-After). */
  private async limit(ip: string | null, now: number): Promise<void> {
    const n = await mails.countHit(this.db, `ip:${ip ?? 'unknown'}`, now, RATE_WINDOW_MS);
    if (n > this.config.contactMail.ratePerMinute) throw new AppError(429, 'rate_limited', 'http.rateLimited', { seconds: 60 }, [], { 'retry-after': '60' });
  }

  /** The link's mail, ticket and contact, or the reason the link cannot be used (in this order: invalid, used, expired, stale). */
  private async check(token: string, now: number) {
    const mail = await verifiedMail(this.db, this.config, token);
    if (!mail) throw new AppError(404, 'link_invalid', 'tickets.link.invalid');
    const ticket = await repo.findTicketForJob(this.db, Number(mail.ticket_id));
    if (!ticket) throw new AppError(404, 'link_invalid', 'tickets.link.invalid');
    if (mail.used_at !== null) {
      throw new AppError(409, 'link_used', mail.decision === 'reject' ? 'tickets.link.usedReject' : 'tickets.link.usedConfirm', { number: ticket.number, at: iso(Number(mail.used_at)) });
    }
    if (now >= Number(mail.expires_at)) throw new AppError(410, 'link_expired', 'tickets.link.expired', { number: ticket.number });
    if (ticket.state !== 'resolved' || Number(ticket.resolved_at) !== Number(mail.resolved_at)) {
      const key = ticket.state === 'closed' || ticket.state === 'cancelled' ? 'tickets.link.staleClosed' : ticket.state === 'resolved' ? 'tickets.link.staleResolution' : 'tickets.link.staleReopened';
      throw new AppError(409, 'link_stale', key, { number: ticket.number, state: ticket.state });
    }
    const contact = await mails.findMailContact(this.db, Number(mail.contact_id));
    if (!contact) throw new AppError(404, 'link_invalid', 'tickets.link.invalid');
    return { mail, ticket, contact };
  }

  async view(token: string, ip: string | null): Promise<ConfirmView> {
    const now = Date.now();
    await this.limit(ip, now);
    const { mail, ticket, contact } = await this.check(token, now);
    const rating = await repo.findRating(this.db, Number(ticket.id));
    return {
      number: ticket.number,
      title: ticket.title,
      resolution: ticket.resolution,
      resolvedAt: iso(Number(ticket.resolved_at)),
      contactName: contact.name,
      expiresAt: iso(Number(mail.expires_at)),
      canRate: !rating,
      autoCloseWorkdays: this.config.tickets.autoCloseWorkdays,
    };
  }

  async decide(token: string, body: ConfirmDecision, ip: string | null): Promise<ConfirmResult> {
    const now = Date.now();
    await this.limit(ip, now);
    const reason = body.reason?.trim() || null;
    if (body.decision === 'reject' && !reason) throw AppError.field('reason', 'tickets.link.reasonRequired');
    if (body.decision === 'reject' && (body.rating != null || body.complaint)) throw AppError.field(body.rating != null ? 'rating' : 'complaint', 'tickets.link.confirmOnly');
    const { mail, ticket, contact } = await this.check(token, now);
    if (!(await mails.claimLink(this.db, Number(mail.id), body.decision, now))) {
      throw new AppError(409, 'link_used', 'tickets.link.usedConfirm', { number: ticket.number, at: iso(now) });
    }
    const ticketId = Number(ticket.id);
    const link: EmailLink = { contactId: contact.id, name: contact.name };
    const actor = await this.actorFor(contact, Number(ticket.customer_id), ip);
    let state: string;
    try {
      const after = body.decision === 'confirm' ? await this.tickets.confirm(actor, ticketId, undefined, link) : await this.tickets.reject(actor, ticketId, reason!, undefined, link);
      state = after.state;
    } catch (err) {
      // Nothing was decided: the link stays usable (e.g. the ticket changed at that very moment).
      await mails.releaseLink(this.db, Number(mail.id), now);
      throw err;
    }
    const result: ConfirmResult = { decision: body.decision, number: ticket.number, state, rated: false, suggestComplaint: false, complaintNumber: null };
    if (body.decision !== 'confirm') return result;
    if (body.rating != null) {
      try {
        const r = await this.tickets.rate(actor, ticketId, { score: body.rating, comment: body.comment?.trim() || null }, link);
        result.rated = true;
        result.suggestComplaint = r.suggestComplaint;
      } catch (err) {
        // Rated meanwhile (in the portal): the confirmation stands.
        if (!(err instanceof AppError && err.code === 'duplicate')) throw err;
      }
    }
    const complaint = body.complaint?.trim();
    if (complaint) {
      const lodged = await this.tickets.complain(actor, ticketId, complaint);
      result.complaintNumber = lodged.number;
      result.suggestComplaint = false;
    }
    return result;
  }

  /**
   * Who acts: the contact's linked active user account of the ticket's customer, else the
   * contact himself (no user id; a customer-side actor limited to that customer's tickets).
   */
  private async actorFor(contact: mails.MailContact, customerId: number, ip: string | null): Promise<Actor> {
    if (contact.userId !== null) {
      const user = await this.auth.actorForUser(contact.userId, 'system', ip);
      if (user && user.customerId === customerId) return user;
    }
    return {
      userId: 0,
      username: `contact#${contact.id} ${contact.name} (email link)`,
      displayName: contact.name,
      locale: isLocale(contact.locale) ? contact.locale : DEFAULT_LOCALE,
      roles: [],
      permissions: new Set(['tickets.read', 'tickets.write']),
      customerId,
      scope: { kind: 'customers', ids: [customerId] },
      via: 'system',
      ip,
    };
  }
}

registerMessages(
  {
    'tickets.link.invalid': {
      zh: '链接无效：可能复制不完整或已被修改。请使用邮件中的原始链接，或联系服务台。',
      en: 'This link is not valid: it may be incomplete or altered. Use the link exactly as it is in the mail, or contact the service desk.',
    },
    'tickets.link.expired': {
      zh: '工单 {number} 的确认链接已过期。如问题仍未解决，请联系服务台或登录服务门户。',
      en: 'The confirmation link of ticket {number} has expired. If the problem persists, contact the service desk or use the service portal.',
    },
    'tickets.link.usedConfirm': { zh: '此链接已经使用过：工单 {number} 的处理结果已确认。', en: 'This link has already been used: the resolution of ticket {number} was confirmed.' },
    'tickets.link.usedReject': { zh: '此链接已经使用过：工单 {number} 已退回重新处理。', en: 'This link has already been used: ticket {number} was sent back to be worked on again.' },
    'tickets.link.staleClosed': { zh: '工单 {number} 已关闭，无需再确认。如问题再次出现，请联系服务台。', en: 'Ticket {number} is closed; there is nothing left to confirm. If the problem comes back, contact the service desk.' },
    'tickets.link.staleReopened': { zh: '工单 {number} 正在重新处理中，此链接已失效。处理完毕后您会收到新的确认邮件。', en: 'Ticket {number} is being worked on again, so this link no longer applies. You will get a new mail once it is resolved.' },
    'tickets.link.staleResolution': { zh: '工单 {number} 有了新的处理结果，请使用最新一封邮件中的链接。', en: 'Ticket {number} has a newer resolution: use the link in the latest mail.' },
    'tickets.link.reasonRequired': { zh: '请说明问题为什么没有解决（{field}）', en: 'Please say why the problem is not solved ({field})' },
    'tickets.link.confirmOnly': { zh: '{field}只能在确认已解决时填写', en: '{field} can only be given when confirming the resolution' },
  },
  {
    decision: { zh: '确认结果', en: 'Decision' },
    rating: { zh: '满意度评分', en: 'Rating' },
    complaint: { zh: '投诉内容', en: 'Complaint' },
  },
);
