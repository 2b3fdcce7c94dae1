import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { zonedToInstant } from '../../core/calendar/tz.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { t } from '../../platform/i18n/index.js';
import type { TicketService } from '../tickets/service.js';
import * as repo from './repo.js';
import { excerptOf, numberOf, requireProvider } from './service.js';
import { matchArticles, matchTickets, rankByWords, SUGGEST_WINDOW, suggestWords } from './search.js';

/**
 * Knowledge where the work happens (docs/KNOWLEDGE.md, "Suggestions"): articles and known errors
 * that match what the desk types while logging a call (and open tickets of the same customer
 * that look alike: possible duplicates), a solution sent to the caller as the first reply, the
 * call resolved on the first line when the caller confirms it worked, and the portal's
 * "这能解决您的问题吗？" with its deflections counted.
 */
export class KnowledgeUseService {
  constructor(
    private readonly db: Db,
    private readonly tickets: TicketService,
  ) {}

  async suggest(actor: Actor, text: string, customerId: number | undefined, limit: number) {
    const words = suggestWords(text);
    if (!words.length) return { articles: [], tickets: [] };
    const findTickets = customerId !== undefined && actor.customerId === null && can(actor, 'tickets.read') && (actor.scope.kind === 'all' || actor.scope.ids.includes(customerId));
    // The articles' and the tickets' word searches at once (on PostgreSQL, on several connections).
    const [ids, ticketIds] = await Promise.all([
      // Suggestions are answers: only what is published (or due for review), whoever asks.
      rankByWords(words, (word) => matchArticles(this.db, actor, word, 20, undefined, SUGGEST_WINDOW), limit * 3),
      findTickets ? rankByWords(words.slice(0, 4), (w) => matchTickets(this.db, actor, customerId, w, 10), 30) : Promise.resolve([]),
    ]);
    const rows = (await repo.articlesByIds(this.db, actor, ids)).filter((r) => r.state === 'published' || r.state === 'needs_review');
    // For a call being logged for a customer: what that customer's users could be sent.
    const named = await repo.namedCustomers(this.db, rows.map((r) => Number(r.id)));
    const fits = (r: repo.ArticleRow) =>
      customerId === undefined || actor.customerId !== null || r.audience !== 'named' || (named.get(Number(r.id)) ?? []).includes(customerId);
    // Internal articles help the desk read; only the others may be sent to a caller.
    const sendable = (r: repo.ArticleRow) => r.audience !== 'internal' && (r.audience !== 'named' || customerId === undefined || (named.get(Number(r.id)) ?? []).includes(customerId));
    const order = new Map(ids.map((id, i) => [id, i]));
    const articles = rows
      .filter(fits)
      .sort((a, b) => order.get(Number(a.id))! - order.get(Number(b.id))!)
      .slice(0, limit)
      .map((r) => ({ id: Number(r.id), number: numberOf(Number(r.id)), kind: r.kind as never, title: r.title, excerpt: excerptOf(r.symptom ? `${r.symptom} ${r.body_text}` : r.body_text, 120), useful: Number(r.useful), sendable: sendable(r) }));
    let tickets: Array<{ id: number; number: string; title: string; state: string; reportedAt: string }> = [];
    if (findTickets && customerId !== undefined) {
      if (ticketIds.length) {
        const rowsT = await this.db
          .selectFrom('tickets')
          .select(['id', 'number', 'title', 'state', 'reported_at'])
          .where('id', 'in', ticketIds)
          .where('customer_id', '=', customerId)
          .where('state', 'in', [...OPEN_STATES])
          .execute();
        const orderT = new Map(ticketIds.map((id, i) => [id, i]));
        tickets = rowsT
          .sort((a, b) => orderT.get(Number(a.id))! - orderT.get(Number(b.id))!)
          .slice(0, 5)
          .map((r) => ({ id: Number(r.id), number: r.number, title: r.title, state: r.state, reportedAt: iso(Number(r.reported_at)) }));
      }
    }
    return { articles, tickets };
  }

  /** The article must be published and readable by the ticket's customer (never an internal one). */
  private async sendable(actor: Actor, articleId: number, customerId: number): Promise<repo.ArticleRow> {
    const row = await repo.findArticle(this.db, actor, articleId);
    if (!row) throw AppError.field('articleId', 'http.notFound');
    const forCustomer = await repo.findArticle(this.db, { customerId, scope: { kind: 'customers', ids: [customerId] } }, articleId);
    if (!forCustomer) throw AppError.field('articleId', 'knowledge.notSolution');
    return row;
  }

  /**
   * Sends the solution to the caller as a public reply (it is the first response when none was
   * given yet, with the SLA clock that goes with it), and records the use.
   */
  async sendSolution(actor: Actor, ticketId: number, articleId: number) {
    requireProvider(actor);
    const ticket = await this.tickets.get(actor, ticketId);
    const article = await this.sendable(actor, articleId, ticket.customerId);
    const steps = [article.symptom ? `${t(actor.locale, 'knowledge.draft.symptom')}：${article.symptom}` : '', article.body_text].filter(Boolean).join('\n');
    const body = `${t(actor.locale, 'knowledge.solution.reply', { id: numberOf(articleId).slice(3), title: article.title })}\n\n${steps}`.slice(0, 20_000);
    await this.tickets.reply(actor, ticketId, { body, visibility: 'public', mentions: [] });
    await this.recordUse(actor, ticketId, article, 'sent', false, ticket.customerId);
    const after = await this.tickets.get(actor, ticketId);
    return { ok: true, ticketState: after.state, firstLine: false };
  }

  /**
   * The caller confirmed the solution worked: the desk takes the ticket (if nobody else has it),
   * and resolves it with the article as the resolution. First line when nobody else ever had it.
   */
  async solved(actor: Actor, ticketId: number, articleId: number) {
    requireProvider(actor);
    let ticket = await this.tickets.get(actor, ticketId);
    const article = await this.sendable(actor, articleId, ticket.customerId);
    const sent = await this.db.selectFrom('kb_ticket_uses').select('id').where('ticket_id', '=', ticketId).where('article_id', '=', articleId).where('action', '=', 'sent').executeTakeFirst();
    if (!sent) throw AppError.field('articleId', 'knowledge.notSent');
    if (!['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'].includes(ticket.state)) {
      throw new AppError(409, 'ticket_closed', 'knowledge.ticketClosed', { number: ticket.number, state: ticket.state });
    }
    // First line: nobody else worked on it — no one else accepted it, logged work or went on site
    // (a dispatch rule naming an engineer at creation does not count: he never touched it).
    const workedByOthers = ticket.timeline.some(
      (e) => e.actorId !== actor.userId && ((e.type === 'state_changed' && (e.data as { action?: string }).action === 'accept') || e.type === 'worklog' || e.type === 'visit' || e.type === 'escalated'),
    );
    const firstLine = !workedByOthers;
    if (ticket.state === 'new' || (ticket.state === 'assigned' && ticket.assigneeId !== actor.userId)) {
      ticket = await this.tickets.action(actor, ticketId, 'assign', { version: ticket.version, reason: null, assigneeId: actor.userId, teamId: ticket.teamId });
    }
    if (ticket.state === 'assigned') ticket = await this.tickets.action(actor, ticketId, 'accept', { version: ticket.version, reason: null });
    const resolution = t(actor.locale, 'knowledge.solution.resolution', { id: numberOf(articleId).slice(3), title: article.title });
    ticket = await this.tickets.action(actor, ticketId, 'resolve', { version: ticket.version, reason: null, resolution });
    await this.recordUse(actor, ticketId, article, 'solved', firstLine, ticket.customerId);
    return { ok: true, ticketState: ticket.state, firstLine };
  }

  private async recordUse(actor: Actor, ticketId: number, article: repo.ArticleRow, action: 'sent' | 'solved', firstLine: boolean, customerId: number): Promise<void> {
    const articleId = Number(article.id);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await trx.insertInto('kb_ticket_uses').values({ article_id: articleId, ticket_id: ticketId, customer_id: customerId, action, first_line: firstLine ? 1 : 0, user_id: actor.userId || null, created_at: now }).execute();
      await this.tickets.recordEntry(trx, actor, ticketId, { type: 'knowledge', visibility: 'internal', data: { articleId, number: numberOf(articleId), title: article.title, action, ...(action === 'solved' ? { firstLine } : {}) } }, now);
      await recordAudit(trx, auditActorOf(actor), { action: `knowledge_${action}`, entity: 'tickets', entityId: ticketId, customerId, after: { articleId, firstLine } }, now);
    });
  }

  /** A customer's user found the answer before reporting: counted (no ticket was logged). */
  async deflect(actor: Actor, articleId: number, query: string | null) {
    const row = await repo.findArticle(this.db, actor, articleId);
    if (!row) throw AppError.field('articleId', 'http.notFound');
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await trx.insertInto('kb_deflections').values({ article_id: articleId, user_id: actor.userId || null, customer_id: actor.customerId, query, created_at: now }).execute();
      await recordAudit(trx, auditActorOf(actor), { action: 'deflect', entity: 'kb_articles', entityId: articleId, customerId: actor.customerId, after: { query } }, now);
    });
    return { ok: true };
  }

  /** Deflections counted in the caller's scope (a customer's user: his customer's), optionally by customer and dates (Asia/Shanghai days). */
  async deflections(actor: Actor, q: { customerId?: number; from?: string; to?: string }) {
    let query = this.db.selectFrom('kb_deflections').innerJoin('kb_articles', 'kb_articles.id', 'kb_deflections.article_id');
    if (actor.customerId !== null) query = query.where('kb_deflections.customer_id', '=', actor.customerId);
    else if (actor.scope.kind === 'customers') query = actor.scope.ids.length ? query.where('kb_deflections.customer_id', 'in', actor.scope.ids) : query.where(sql<boolean>`1 = 0`);
    if (q.customerId !== undefined) query = query.where('kb_deflections.customer_id', '=', q.customerId);
    if (q.from) query = query.where('kb_deflections.created_at', '>=', zonedToInstant(q.from, '00:00', 'Asia/Shanghai'));
    if (q.to) query = query.where('kb_deflections.created_at', '<', zonedToInstant(q.to, '24:00', 'Asia/Shanghai'));
    const total = await query.select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    const rows = await query
      .select(['kb_deflections.article_id', 'kb_articles.title', sql<number>`count(*)`.as('n')])
      .groupBy(['kb_deflections.article_id', 'kb_articles.title'])
      .orderBy(sql`count(*)`, 'desc')
      .limit(100)
      .execute();
    const byArticle = rows.map((r) => ({ articleId: Number(r.article_id), title: r.title, count: Number(r.n) }));
    return { count: Number(total?.n ?? 0), byArticle };
  }
}
