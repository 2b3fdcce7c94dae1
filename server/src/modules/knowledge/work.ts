import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { escapeHtml, textToHtml } from '../../core/knowledge/sanitize.js';
import { DEFAULT_WEEK_ZONE, weekOf, weekStarting, weeksEnding } from '../../core/knowledge/week.js';
import type { ArticleKind, ArticleState } from '../../core/knowledge/workflow.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import { findCurrent as findRepairReport } from '../fieldservice/repo.js';
import type { TicketService } from '../tickets/service.js';
import * as repo from './repo.js';
import { numberOf, requireProvider, type ArticleService } from './service.js';
import type { ArticleOut } from './schema.js';

/**
 * From work to knowledge (docs/KNOWLEDGE.md): a resolved ticket drafted into a solution
 * article; the weekly submissions (REQ #122: who wrote what this week, and the desk's review
 * queue); the "updated weekly" record (R12: articles created and updated per week per customer).
 */
export class KnowledgeWorkService {
  constructor(
    private readonly db: Db,
    private readonly articles: ArticleService,
    private readonly tickets: TicketService,
  ) {}

  /**
   * One click on a resolved ticket: a draft solution with the ticket's title, the description as
   * the symptom, the diagnosis (the repair report's, else the 确诊 entry) as the cause, and the
   * steps from the resolution, the report's actions and the worklogs' notes. An article already
   * drafted from the ticket (not archived) is returned instead of a second one.
   */
  async fromTicket(actor: Actor, ticketId: number): Promise<{ created: boolean; article: ArticleOut }> {
    requireProvider(actor);
    const ticket = await this.tickets.get(actor, ticketId);
    if (ticket.state !== 'resolved' && ticket.state !== 'closed') throw new AppError(409, 'not_resolved', 'knowledge.ticketNotResolved', { number: ticket.number });
    const existing = await this.db.selectFrom('kb_articles').select('id').where('source_ticket_id', '=', ticketId).where('state', '<>', 'archived').orderBy('id', 'desc').executeTakeFirst();
    if (existing) return { created: false, article: await this.articles.get(actor, Number(existing.id)) };
    const report = await findRepairReport(this.db, actor.scope, ticketId);
    const diagnosed = ticket.timeline.filter((e) => e.type === 'diagnosed').map((e) => String((e.data as { result?: unknown }).result ?? '')).filter(Boolean);
    const worklogs = ticket.timeline
      .filter((e) => e.type === 'worklog')
      .map((e) => (e.data as { note?: string | null }).note?.trim())
      .filter((n): n is string => !!n);
    const L = actor.locale;
    const section = (key: string, text: string | null | undefined) => (text?.trim() ? `<h3>${escapeHtml(t(L, key))}</h3>${textToHtml(text)}` : '');
    const body = [
      section('knowledge.draft.resolution', ticket.resolution),
      section('knowledge.draft.steps', report?.actions),
      section('knowledge.draft.diagnosis', report?.diagnosis),
      worklogs.length ? `<h3>${escapeHtml(t(L, 'knowledge.draft.worklogs'))}</h3><ul>${worklogs.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : '',
    ].join('');
    const article = await this.articles.create(
      actor,
      {
        kind: 'solution',
        title: ticket.title,
        symptom: (report?.fault ?? ticket.description).slice(0, 5000) || null,
        cause: (report?.cause ?? report?.diagnosis ?? diagnosed.join('\n')).slice(0, 5000) || null,
        appliesTo: null,
        bodyHtml: body,
        category: ticket.category,
        tags: [],
        linkedServices: ticket.service ? [ticket.service] : [],
        ciTypes: [],
        audience: 'internal',
        audienceCustomerIds: [],
        customerId: ticket.customerId,
        fileIds: [],
      },
      { sourceTicketId: ticketId, change: 'from_ticket' },
    );
    return { created: true, article };
  }

  /** Who wrote or updated what in the week (versions by author), and what waits for review. */
  async submissions(actor: Actor, week: string | undefined, timeZone = DEFAULT_WEEK_ZONE) {
    requireProvider(actor);
    const w = week ? weekStarting(week, timeZone) : weekOf(Date.now(), timeZone);
    const rows = await this.db
      .selectFrom('kb_article_versions as v')
      .innerJoin('kb_articles', 'kb_articles.id', 'v.article_id')
      .select(['v.article_id', 'v.version', 'v.change', 'v.author_id', 'v.author_name', 'v.created_at', 'kb_articles.title', 'kb_articles.kind', 'kb_articles.state'])
      .where('v.created_at', '>=', w.from)
      .where('v.created_at', '<', w.to)
      .where(repo.readable(actor))
      .orderBy('v.created_at', 'desc')
      .limit(5000)
      .execute();
    const people = new Map<string, { userId: number | null; name: string; created: number; updated: number; articles: Map<number, { id: number; number: string; title: string; kind: ArticleKind; state: ArticleState; action: 'created' | 'updated'; at: string }> }>();
    for (const r of rows) {
      const key = r.author_id === null ? `name:${r.author_name}` : `id:${r.author_id}`;
      const p = people.get(key) ?? { userId: r.author_id === null ? null : Number(r.author_id), name: r.author_name, created: 0, updated: 0, articles: new Map() };
      people.set(key, p);
      const id = Number(r.article_id);
      const action = Number(r.version) === 1 ? 'created' : 'updated';
      const seen = p.articles.get(id);
      // One line per article: created this week beats updated.
      if (!seen || (action === 'created' && seen.action === 'updated')) {
        if (seen) p.updated--;
        p.articles.set(id, { id, number: numberOf(id), title: r.title, kind: r.kind as ArticleKind, state: r.state as ArticleState, action, at: iso(Number(r.created_at)) });
        if (action === 'created') p.created++;
        else p.updated++;
      }
    }
    const queue = await this.db.selectFrom('kb_articles').selectAll().where('state', 'in', ['in_review', 'needs_review']).where(repo.readable(actor)).orderBy('submitted_at', 'asc').orderBy('id', 'asc').limit(200).execute();
    return {
      week: w.start,
      from: iso(w.from),
      to: iso(w.to),
      timeZone,
      people: [...people.values()]
        .sort((a, b) => b.created + b.updated - (a.created + a.updated) || a.name.localeCompare(b.name, 'zh'))
        .map((p) => ({ ...p, articles: [...p.articles.values()] })),
      reviewQueue: await this.articles.summaries(queue),
    };
  }

  /** Per customer (the article's customer; none: 通用) and week: articles created and updated. */
  async weeklyReport(actor: Actor, q: { weeks: number; until?: string; timeZone?: string; customerId?: number }) {
    requireProvider(actor);
    const tz = q.timeZone ?? DEFAULT_WEEK_ZONE;
    const until = q.until ? weekStarting(q.until, tz).from : Date.now();
    const weeks = weeksEnding(until, q.weeks, tz);
    let query = this.db
      .selectFrom('kb_article_versions as v')
      .innerJoin('kb_articles', 'kb_articles.id', 'v.article_id')
      .select(['kb_articles.customer_id', 'v.created_at', sql<number>`case when v.version = 1 then 1 else 0 end`.as('created')])
      .where('v.created_at', '>=', weeks[0].from)
      .where('v.created_at', '<', weeks[weeks.length - 1].to)
      .where(repo.readable(actor));
    if (q.customerId !== undefined) query = query.where('kb_articles.customer_id', '=', q.customerId);
    const rows = await query.execute();
    const byCustomer = new Map<number | null, { created: number[]; updated: number[] }>();
    for (const r of rows) {
      const at = Number(r.created_at);
      const i = weeks.findIndex((w) => at >= w.from && at < w.to);
      if (i < 0) continue;
      const c = r.customer_id === null ? null : Number(r.customer_id);
      const e = byCustomer.get(c) ?? { created: weeks.map(() => 0), updated: weeks.map(() => 0) };
      byCustomer.set(c, e);
      if (Number(r.created) === 1) e.created[i]++;
      else e.updated[i]++;
    }
    const names = await repo.customerNames(this.db, [...byCustomer.keys()]);
    const general = t(actor.locale, 'knowledge.report.general');
    const out = [...byCustomer.entries()].map(([customerId, e]) => ({
      customerId,
      customerName: customerId === null ? general : (names.get(customerId) ?? `#${customerId}`),
      created: e.created,
      updated: e.updated,
      total: e.created.reduce((a, b) => a + b, 0) + e.updated.reduce((a, b) => a + b, 0),
    }));
    out.sort((a, b) => (a.customerId === null ? -1 : b.customerId === null ? 1 : a.customerName.localeCompare(b.customerName, 'zh')));
    return { timeZone: tz, weeks: weeks.map((w) => w.start), rows: out };
  }

  /** The weekly record as a workbook: one row per customer, created / updated per week. */
  async weeklyReportXlsx(actor: Actor, q: { weeks: number; until?: string; timeZone?: string; customerId?: number }): Promise<Buffer> {
    const report = await this.weeklyReport(actor, q);
    const L: Locale = actor.locale;
    const zh = L === 'zh-CN';
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet(zh ? '知识库每周更新' : 'Knowledge weekly');
    sheet.addRow([zh ? '客户' : 'Customer', ...report.weeks.flatMap((w) => [`${w} ${zh ? '新增' : 'created'}`, `${w} ${zh ? '更新' : 'updated'}`]), zh ? '合计' : 'Total']);
    sheet.getRow(1).font = { bold: true };
    for (const r of report.rows) sheet.addRow([r.customerName, ...report.weeks.flatMap((_, i) => [r.created[i], r.updated[i]]), r.total]);
    sheet.getColumn(1).width = 24;
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
}
