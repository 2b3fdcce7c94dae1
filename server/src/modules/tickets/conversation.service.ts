import type { Tx } from '../../db/index.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/auth/actor.js';
import { iso } from '../../platform/http/zod.js';
import type { NewEntry } from './events.js';
import { queueContactMail } from './contact-mail.js';
import * as repo from './repo.js';
import { LINK_INVERSE, VISIT_EVENTS, type LinkKind, type ReplyBody, type TicketOut, type VisitBody, type WorklogBody } from './schema.js';
import { assertWritable, eventRow, readOnly, requireProvider, TicketBase } from './ticket-context.js';
import type { TimelineItem } from './ticket-view.js';
import type { Change } from './transitions.js';

/**
 * What people write on a ticket: public replies and internal notes (with mentions), worklogs,
 * on-site visits, links between tickets, and entries other modules add in their own transaction.
 */
export class TicketConversationService extends TicketBase {
  /** `viaEmail`: the contact whose mail this reply is (inbound mail), shown as its author. */
  async reply(actor: Actor, id: number, body: ReplyBody, opts: { viaEmail?: { contactId: number; name: string } } = {}): Promise<TimelineItem> {
    const fromCustomer = actor.customerId !== null;
    if (fromCustomer && body.visibility !== 'public') throw AppError.field('visibility', 'tickets.customerPublicOnly');
    const mentions = [...new Set(body.mentions)];
    const applied = await this.command(
      actor,
      id,
      { sla: (pre) => !fromCustomer && body.visibility === 'public' && pre.responded_at === null },
      async (pre) => {
        const dir = await this.organisation.directory({ users: [...mentions, ...(pre.created_by === null ? [] : [Number(pre.created_by)])] });
        const problems: FieldProblem[] = [];
        body.mentions.forEach((u, i) => {
          const user = dir.users.get(u);
          if (!user || user.customerId !== null || user.disabled) problems.push({ field: `mentions[${i}]`, code: 'tickets.mentionNotFound' });
        });
        if (problems.length) throw AppError.validation(problems);
        // The portal user who reported hears of the provider's public replies.
        const reporter = pre.created_by === null ? undefined : dir.users.get(Number(pre.created_by));
        return { reporterIsCustomer: !!reporter && reporter.customerId !== null };
      },
      (t, { prepared, now }) => {
        assertWritable(t);
        const isPublic = body.visibility === 'public';
        const firstResponse = !fromCustomer && isPublic && t.responded_at === null;
        const notices: Change['notices'] = [];
        if (mentions.length) notices.push({ type: 'ticket.mention', recipients: mentions, titleKey: 'tickets.notify.mentioned', params: { actor: actor.displayName }, body: body.body });
        if (fromCustomer && t.assignee_id !== null) notices.push({ type: 'ticket.reply', recipients: [Number(t.assignee_id)], titleKey: 'tickets.notify.reply', params: { title: t.title }, body: body.body });
        if (!fromCustomer && isPublic && prepared.reporterIsCustomer) notices.push({ type: 'ticket.reply', recipients: [Number(t.created_by)], titleKey: 'tickets.notify.reply', params: { title: t.title }, body: body.body });
        return {
          set: firstResponse ? { responded_at: now } : {},
          entries: [{ type: isPublic ? 'reply' : 'note', visibility: body.visibility, data: { body: body.body, mentions, provider: !fromCustomer, ...(opts.viaEmail ? { email: opts.viaEmail } : {}) } }],
          sla: firstResponse,
          notices,
          audit: { action: isPublic ? 'reply' : 'note', after: { visibility: body.visibility, body: body.body, mentions } },
        };
      },
    );
    return this.createdItem(actor, applied);
  }

  async worklog(actor: Actor, id: number, body: WorklogBody): Promise<TimelineItem> {
    requireProvider(actor);
    const applied = await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      (t, { now }) => {
        if (t.state === 'cancelled') throw readOnly(t);
        const at = this.instantOnTicket(t, body.at, now);
        const data = { minutes: body.minutes, mode: body.mode, note: body.note, at: iso(at) };
        return { entries: [{ type: 'worklog', visibility: 'internal', data }], audit: { action: 'worklog', after: data } };
      },
    );
    return this.createdItem(actor, applied);
  }

  /** On-site visits: depart, arrive (the check-in that meets the on-site metric), leave with a result. */
  async visit(actor: Actor, id: number, body: VisitBody): Promise<TimelineItem> {
    requireProvider(actor);
    const applied = await this.command(
      actor,
      id,
      { sla: () => body.event === 'arrive' },
      async () => undefined,
      (t, { now }) => {
        assertWritable(t);
        const at = this.instantOnTicket(t, body.at, now);
        const event = VISIT_EVENTS[body.event];
        const data = { event, at: iso(at), result: body.result };
        const arrived = event === 'arrived';
        return {
          set: arrived && (t.onsite_at === null || at < t.onsite_at) ? { onsite_at: at } : {},
          entries: [{ type: 'visit', visibility: 'public', data }],
          sla: arrived,
          audit: { action: 'visit', after: data },
        };
      },
    );
    return this.createdItem(actor, applied);
  }

  async addLink(actor: Actor, id: number, otherId: number, kind: LinkKind): Promise<TicketOut> {
    requireProvider(actor);
    if (otherId === id) throw AppError.field('otherId', 'tickets.linkSelf');
    await this.command(
      actor,
      id,
      { sla: () => false },
      async () => {
        const other = await repo.findTicket(this.db, actor.scope, otherId);
        if (!other) throw AppError.field('otherId', 'tickets.linkTargetNotFound');
        return other;
      },
      async (t, { prepared: other, now, trx }) => {
        if (await repo.findLink(trx, t.id, otherId)) throw new AppError(409, 'duplicate', 'tickets.linkExists');
        await repo.insertLinkPair(trx, t.id, otherId, kind, LINK_INVERSE[kind], now);
        await repo.insertEvents(trx, [eventRow(otherId, actor, { type: 'link_added', visibility: 'internal', data: { otherId: t.id, number: t.number, kind: LINK_INVERSE[kind] } }, now)]);
        return { entries: [{ type: 'link_added', visibility: 'internal', data: { otherId, number: other.number, kind } }], audit: { action: 'link', after: { otherId, kind } } };
      },
    );
    return this.get(actor, id);
  }

  async removeLink(actor: Actor, id: number, otherId: number): Promise<void> {
    requireProvider(actor);
    await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      async (t, { now, trx }) => {
        const link = await repo.findLink(trx, t.id, otherId);
        const other = link ? await repo.findTicket(trx, actor.scope, otherId) : undefined;
        if (!link || !other) throw AppError.notFound();
        await repo.deleteLinkPair(trx, t.id, otherId);
        await repo.insertEvents(trx, [eventRow(otherId, actor, { type: 'link_removed', visibility: 'internal', data: { otherId: t.id, number: t.number, kind: LINK_INVERSE[link.kind as LinkKind] } }, now)]);
        return { entries: [{ type: 'link_removed', visibility: 'internal', data: { otherId, number: other.number, kind: link.kind } }], audit: { action: 'unlink', before: { otherId, kind: link.kind } } };
      },
    );
  }

  /**
   * Adds an entry to a ticket's timeline inside another module's transaction (the repair
   * report), so the entry commits or rolls back with that module's change. The caller has
   * already read the ticket through this service, in the actor's scope. `mailContact`: the
   * entry mails the ticket's contact as the tickets' own entries do (a provider's public reply:
   * the vendor repair's progress reports), queued in the same transaction.
   */
  async recordEntry(trx: Tx, actor: Actor, ticketId: number, entry: NewEntry, now = Date.now(), opts: { mailContact?: boolean } = {}): Promise<void> {
    const eventIds = await repo.insertEvents(trx, [eventRow(ticketId, actor, entry, now)]);
    if (!opts.mailContact) return;
    const ticket = await repo.findTicketForJob(trx, ticketId);
    if (ticket) await queueContactMail(trx, this.config, ticket, [entry], eventIds, now);
  }
}
