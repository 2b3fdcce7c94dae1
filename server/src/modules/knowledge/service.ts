import { Readable } from 'node:stream';
import type { Db, DbOrTx, Tx } from '../../db/index.js';
import type { KbArticlesTable } from '../../db/schema.js';
import type { Updateable } from 'kysely';
import { diffTexts } from '../../core/knowledge/diff.js';
import { FILE_URL_PREFIX, dataImagesOf, htmlToText, sanitizeArticleHtml } from '../../core/knowledge/sanitize.js';
import { detect } from '../../core/knowledge/extract.js';
import {
  allowedActions,
  DEFAULT_REVIEW_MONTHS,
  editable,
  isReviewDue,
  reviewDueAt,
  transition,
  type ArticleKind,
  type ArticleState,
  type Audience,
  type WorkflowAction,
} from '../../core/knowledge/workflow.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, systemActor, type Actor } from '../../platform/auth/actor.js';
import { claimBlob, writeBlob } from '../../platform/files/store.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { t } from '../../platform/i18n/index.js';
import { enqueueJob } from '../../platform/jobs/scheduler.js';
import { emit } from '../../platform/notify/service.js';
import { getSetting } from '../../platform/settings/index.js';
import * as repo from './repo.js';
import type { ArticleInput, ArticleOut, ArticlePatch, ArticleSummaryOut, ListQuery } from './schema.js';
import { indexArticle, matchArticles } from './search.js';

export const REVIEW_JOB = 'knowledge.review_due';
export const reviewJobKey = (id: number) => `kb-review:${id}`;
export const REVIEW_MONTHS_KEY = 'knowledge.reviewMonths';

/** An article's content: what a version holds and what a restore brings back. */
export interface Content {
  kind: ArticleKind;
  title: string;
  symptom: string | null;
  cause: string | null;
  appliesTo: string | null;
  bodyHtml: string;
  category: string | null;
  tags: string[];
  linkedServices: string[];
  ciTypes: string[];
  audience: Audience;
  audienceCustomerIds: number[];
  customerId: number | null;
}

/** Fields compared in a diff, with the label the page shows. */
const DIFF_FIELDS: Array<[keyof Content, string]> = [
  ['title', 'title'],
  ['symptom', 'symptom'],
  ['cause', 'cause'],
  ['bodyHtml', 'body'],
  ['appliesTo', 'appliesTo'],
  ['category', 'category'],
  ['tags', 'tags'],
  ['audience', 'audience'],
];

export const numberOf = (id: number) => `KB-${String(id).padStart(5, '0')}`;

function contentOf(row: repo.ArticleRow, named: number[]): Content {
  return {
    kind: row.kind as ArticleKind,
    title: row.title,
    symptom: row.symptom,
    cause: row.cause,
    appliesTo: row.applies_to,
    bodyHtml: row.body_html,
    category: row.category,
    tags: JSON.parse(row.tags) as string[],
    linkedServices: JSON.parse(row.services) as string[],
    ciTypes: JSON.parse(row.ci_types) as string[],
    audience: row.audience as Audience,
    audienceCustomerIds: named,
    customerId: row.customer_id === null ? null : Number(row.customer_id),
  };
}

function columnsOf(c: Content) {
  return {
    kind: c.kind,
    title: c.title,
    symptom: c.symptom,
    cause: c.cause,
    applies_to: c.appliesTo,
    body_html: c.bodyHtml,
    body_text: htmlToText(c.bodyHtml),
    category: c.category,
    tags: JSON.stringify(c.tags),
    services: JSON.stringify(c.linkedServices),
    ci_types: JSON.stringify(c.ciTypes),
    audience: c.audience,
    customer_id: c.customerId,
  };
}

export function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'knowledge.providerOnly');
}

/**
 * Knowledge articles (docs/KNOWLEDGE.md): writing with versions, the review workflow, votes,
 * views and feedback. The only writer of the kb_* tables besides the uses (suggest.ts) and the
 * files (files.ts). Every write is one transaction with its version row, its audit entry and
 * its search index entry.
 */
export class ArticleService {
  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------ reads

  async list(actor: Actor, q: ListQuery): Promise<{ items: ArticleSummaryOut[]; nextCursor: string | null }> {
    const text = q.q?.trim();
    const filter: repo.ListFilter = {
      kind: q.kind,
      state: q.state,
      category: q.category,
      tag: q.tag,
      audience: q.audience,
      customerId: q.customerId,
      ownerId: q.mine === '1' ? actor.userId : undefined,
      limit: q.limit + 1,
    };
    if (text) {
      // Full-text: ranked by the engine, one page (the filters still apply, in scope).
      const ids = await matchArticles(this.db, actor, text, 200);
      const rows = await repo.listArticles(this.db, actor, { ...filter, ids, limit: 200 });
      const rank = new Map(ids.map((id, i) => [id, i]));
      rows.sort((a, b) => rank.get(Number(a.id))! - rank.get(Number(b.id))!);
      return { items: await this.summaries(rows.slice(0, q.limit)), nextCursor: null };
    }
    const after = decodeCursor(q.cursor, ['number', 'number']) as [number, number] | null;
    const rows = await repo.listArticles(this.db, actor, { ...filter, after: after ?? undefined });
    const page = pageOf(rows, q.limit, (r) => [Number(r.updated_at), Number(r.id)]);
    return { items: await this.summaries(page.items), nextCursor: page.nextCursor };
  }

  async summaries(rows: repo.ArticleRow[]): Promise<ArticleSummaryOut[]> {
    const [users, customers] = await Promise.all([
      repo.userNames(this.db, rows.map((r) => (r.owner_id === null ? null : Number(r.owner_id)))),
      repo.customerNames(this.db, rows.map((r) => (r.customer_id === null ? null : Number(r.customer_id)))),
    ]);
    return rows.map((r) => summaryOf(r, users, customers));
  }

  /** The article for reading; `view`: count it as a view (the article page, not the editor). */
  async get(actor: Actor, id: number, opts: { view?: boolean } = {}): Promise<ArticleOut> {
    const row = await this.find(actor, id);
    if (opts.view) await repo.countView(this.db, id);
    return this.out(actor, opts.view ? { ...row, views: Number(row.views) + 1 } : row);
  }

  async find(actor: Actor, id: number): Promise<repo.ArticleRow> {
    const row = await repo.findArticle(this.db, actor, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  private async out(actor: Actor, row: repo.ArticleRow): Promise<ArticleOut> {
    const id = Number(row.id);
    const [named, files, users, customers, vote, ticket] = await Promise.all([
      repo.namedCustomers(this.db, [id]),
      repo.filesOf(this.db, [id]),
      repo.userNames(this.db, [row.owner_id, row.reviewer_id].map((x) => (x === null ? null : Number(x)))),
      repo.customerNames(this.db, [row.customer_id === null ? null : Number(row.customer_id)]),
      actor.userId ? repo.myVote(this.db, id, actor.userId) : Promise.resolve(null),
      row.source_ticket_id === null ? Promise.resolve(undefined) : this.db.selectFrom('tickets').select('number').where('id', '=', Number(row.source_ticket_id)).executeTakeFirst(),
    ]);
    const staff = actor.customerId === null;
    const mayWrite = staff && can(actor, 'knowledge.write');
    const mayReview = staff && can(actor, 'knowledge.review');
    const actions: ArticleOut['allowedActions'] = mayWrite || mayReview ? allowedActions(row.state as ArticleState, mayReview).filter((a) => mayWrite || (a !== 'submit' && a !== 'reopen')) : [];
    if (mayWrite && editable(row.state as ArticleState)) actions.push('edit');
    const c = contentOf(row, named.get(id) ?? []);
    return {
      ...summaryOf(row, users, customers),
      symptom: c.symptom,
      cause: c.cause,
      appliesTo: c.appliesTo,
      bodyHtml: c.bodyHtml,
      linkedServices: c.linkedServices,
      ciTypes: c.ciTypes,
      // Which other customers an article names is the provider's business.
      audienceCustomerIds: staff ? c.audienceCustomerIds : [],
      reviewerId: row.reviewer_id === null ? null : Number(row.reviewer_id),
      reviewerName: row.reviewer_id === null ? null : (users.get(Number(row.reviewer_id)) ?? null),
      sourceTicketId: staff && row.source_ticket_id !== null ? Number(row.source_ticket_id) : null,
      sourceTicketNumber: staff ? (ticket?.number ?? null) : null,
      submittedAt: iso(row.submitted_at === null ? null : Number(row.submitted_at)),
      reviewedAt: iso(row.reviewed_at === null ? null : Number(row.reviewed_at)),
      createdAt: iso(Number(row.created_at)),
      createdBy: staff && row.created_by !== null ? Number(row.created_by) : null,
      files: files.map((f) => ({ id: Number(f.id), name: f.name, mime: f.mime, size: Number(f.size), inline: f.inline === 1, hasText: !!f.text })),
      myVote: vote,
      allowedActions: actions,
    };
  }

  // ------------------------------------------------------------ writing

  async create(actor: Actor, input: ArticleInput, opts: { sourceTicketId?: number; change?: 'created' | 'from_ticket' } = {}): Promise<ArticleOut> {
    requireProvider(actor);
    const content = await this.checkContent(actor, inputContent(input));
    const id = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const { html, imageIds } = await storeDataImages(trx, actor, content.bodyHtml, now);
      content.bodyHtml = sanitizeArticleHtml(html);
      const values: repo.NewArticle = {
        ...columnsOf(content),
        state: 'draft',
        owner_id: actor.userId || null,
        reviewer_id: null,
        submitted_at: null,
        published_at: null,
        reviewed_at: null,
        review_due_at: null,
        source_ticket_id: opts.sourceTicketId ?? null,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.userId || null,
        updated_by: actor.userId || null,
      };
      const id = await repo.insertArticle(trx, values);
      await repo.setNamedCustomers(trx, id, content.audience === 'named' ? content.audienceCustomerIds : []);
      await this.attachFiles(trx, actor, id, [...input.fileIds, ...imageIds]);
      await repo.insertVersion(trx, { article_id: id, version: 1, content: JSON.stringify(content), change: opts.change ?? 'created', restored_from: null, author_id: actor.userId || null, author_name: actor.displayName, created_at: now });
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'kb_articles', entityId: id, customerId: content.customerId, after: { id, ...content, sourceTicketId: opts.sourceTicketId ?? null } }, now);
      await this.reindex(trx, id);
      return id;
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, patch: ArticlePatch): Promise<ArticleOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    if (pre.version !== patch.version) throw AppError.conflict();
    if (!editable(pre.state as ArticleState)) throw new AppError(409, 'archived', 'knowledge.archived');
    const before = contentOf(pre, (await repo.namedCustomers(this.db, [id])).get(id) ?? []);
    const { version, fileIds, ...fields } = patch;
    const next = await this.checkContent(actor, { ...before, ...definedOnly(fields) } as Content);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const { html, imageIds } = await storeDataImages(trx, actor, next.bodyHtml, now);
      next.bodyHtml = sanitizeArticleHtml(html);
      const set: Updateable<KbArticlesTable> = { ...columnsOf(next), version: version + 1, updated_at: now, updated_by: actor.userId || null };
      if (!(await repo.updateArticle(trx, id, version, set))) throw AppError.conflict();
      await repo.setNamedCustomers(trx, id, next.audience === 'named' ? next.audienceCustomerIds : []);
      await this.attachFiles(trx, actor, id, [...(fileIds ?? []), ...imageIds]);
      await this.saveVersion(trx, actor, id, next, 'edited', null, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'kb_articles', entityId: id, customerId: next.customerId, before, after: next }, now);
      await this.reindex(trx, id);
    });
    return this.get(actor, id);
  }

  /** A workflow step (docs/KNOWLEDGE.md): refused with 409 naming the state, or 403 for a writer who may not review. */
  async transition(actor: Actor, id: number, body: { version: number; action: WorkflowAction; note: string | null }): Promise<ArticleOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    if (pre.version !== body.version) throw AppError.conflict();
    const actionName = t(actor.locale, `knowledge.action.${body.action}`);
    if (!can(actor, 'knowledge.write') && !can(actor, 'knowledge.review')) throw AppError.forbidden('knowledge.write');
    const result = transition(pre.state as ArticleState, body.action, can(actor, 'knowledge.review'));
    if (result.ok && !can(actor, 'knowledge.write') && (body.action === 'submit' || body.action === 'reopen')) throw AppError.forbidden('knowledge.write');
    if (!result.ok && result.reason === 'permission') throw new AppError(403, 'forbidden', 'knowledge.reviewOnly', { action: actionName, permission: 'knowledge.review' });
    if (!result.ok) throw new AppError(409, 'invalid_transition', 'knowledge.transition', { from: t(actor.locale, `knowledge.state.${pre.state}`), action: actionName });
    const months = (await getSetting<number>(this.db, REVIEW_MONTHS_KEY)) ?? DEFAULT_REVIEW_MONTHS;
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const set: Updateable<KbArticlesTable> = { state: result.to, version: body.version + 1, updated_at: now, updated_by: actor.userId || null };
      if (body.action === 'submit') set.submitted_at = now;
      if (body.action === 'publish' || body.action === 'confirm') {
        Object.assign(set, { reviewer_id: actor.userId || null, reviewed_at: now, review_due_at: reviewDueAt(now, months) });
        if (body.action === 'publish') set.published_at = now;
        await enqueueJob(trx, { kind: REVIEW_JOB, key: reviewJobKey(id), payload: { articleId: id }, runAt: set.review_due_at as number }, now);
      }
      if (!(await repo.updateArticle(trx, id, body.version, set))) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: body.action, entity: 'kb_articles', entityId: id, customerId: pre.customer_id, before: { state: pre.state }, after: { state: result.to, ...(body.note ? { note: body.note } : {}) } }, now);
      await this.notifyTransition(trx, actor, pre, body.action, now);
      await this.reindex(trx, id);
    });
    return this.get(actor, id);
  }

  /** Submitted: the reviewers hear of it; decided: the owner does. */
  private async notifyTransition(trx: Tx, actor: Actor, pre: repo.ArticleRow, action: WorkflowAction, now: number): Promise<void> {
    const id = Number(pre.id);
    let recipients: number[] = [];
    let title: { key: string; params: Record<string, unknown> };
    if (action === 'submit') {
      recipients = await reviewers(trx);
      title = { key: 'knowledge.notify.submitted', params: { title: pre.title } };
    } else if (action === 'publish' || action === 'reject') {
      recipients = pre.owner_id === null ? [] : [Number(pre.owner_id)];
      title = { key: 'knowledge.notify.decided', params: { title: pre.title, action: { zh: t('zh-CN', `knowledge.action.${action}`), en: t('en-US', `knowledge.action.${action}`) } } };
    } else return;
    recipients = recipients.filter((u) => u !== actor.userId);
    if (!recipients.length) return;
    await emit(trx, { type: 'knowledge.review', recipients, customerId: null, entity: 'kb_articles', entityId: id, title: bilingual(title.key, title.params), link: `/knowledge/${id}`, occurredAt: now }, now);
  }

  // ------------------------------------------------------------ versions

  async versions(actor: Actor, id: number) {
    requireProvider(actor);
    await this.find(actor, id);
    const rows = await repo.versionsOf(this.db, id);
    return rows.map((v) => ({
      version: Number(v.version),
      change: v.change,
      restoredFrom: v.restored_from === null ? null : Number(v.restored_from),
      authorId: v.author_id === null ? null : Number(v.author_id),
      authorName: v.author_name,
      createdAt: iso(Number(v.created_at)),
      title: (JSON.parse(v.content) as Content).title,
    }));
  }

  async diff(actor: Actor, id: number, from: number, to: number) {
    requireProvider(actor);
    await this.find(actor, id);
    const [a, b] = await Promise.all([this.version(id, from, 'from'), this.version(id, to, 'to')]);
    const fields = [];
    for (const [key, label] of DIFF_FIELDS) {
      const before = fieldText(a, key);
      const after = fieldText(b, key);
      if (before !== after) fields.push({ field: label, parts: diffTexts(before, after) });
    }
    return { from, to, fields };
  }

  /** Restore = a new version with the old one's content (the history keeps both). */
  async restore(actor: Actor, id: number, fromVersion: number, version: number): Promise<ArticleOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    if (pre.version !== version) throw AppError.conflict();
    if (!editable(pre.state as ArticleState)) throw new AppError(409, 'archived', 'knowledge.archived');
    const old = await this.version(id, fromVersion, 'version');
    const content = await this.checkContent(actor, old);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      if (!(await repo.updateArticle(trx, id, version, { ...columnsOf(content), version: version + 1, updated_at: now, updated_by: actor.userId || null }))) throw AppError.conflict();
      await repo.setNamedCustomers(trx, id, content.audience === 'named' ? content.audienceCustomerIds : []);
      await this.saveVersion(trx, actor, id, content, 'restored', fromVersion, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'restore', entity: 'kb_articles', entityId: id, customerId: content.customerId, before: { version }, after: { restoredFrom: fromVersion } }, now);
      await this.reindex(trx, id);
    });
    return this.get(actor, id);
  }

  private async version(id: number, version: number, field: string): Promise<Content> {
    const row = await repo.versionOf(this.db, id, version);
    if (!row) throw AppError.field(field, 'knowledge.versionNotFound', { version });
    return JSON.parse(row.content) as Content;
  }

  private async saveVersion(trx: Tx, actor: Actor, id: number, content: Content, change: string, restoredFrom: number | null, now: number): Promise<void> {
    const n = await repo.nextVersion(trx, id);
    await repo.insertVersion(trx, { article_id: id, version: n, content: JSON.stringify(content), change, restored_from: restoredFrom, author_id: actor.userId || null, author_name: actor.displayName, created_at: now });
  }

  // ------------------------------------------------------------ votes and feedback

  /** One vote per user and article; voting again changes it. Readers only (a customer's user or staff). */
  async vote(actor: Actor, id: number, useful: boolean): Promise<ArticleOut> {
    const row = await this.find(actor, id);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await repo.putVote(trx, id, actor.userId, useful, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'vote', entity: 'kb_articles', entityId: id, customerId: actor.customerId, after: { useful } }, now);
    });
    return this.out(actor, { ...row, ...(await this.db.selectFrom('kb_articles').select(['useful', 'not_useful']).where('id', '=', id).executeTakeFirstOrThrow()) });
  }

  async feedback(actor: Actor, id: number) {
    requireProvider(actor);
    await this.find(actor, id);
    const rows = await this.db.selectFrom('kb_feedback').selectAll().where('article_id', '=', id).orderBy('id', 'desc').limit(200).execute();
    return rows.map((r) => ({ id: Number(r.id), userName: r.user_name, body: r.body, createdAt: iso(Number(r.created_at)) }));
  }

  /** A comment on the article; the owner is told (in the app and by mail, by his preferences). */
  async addFeedback(actor: Actor, id: number, body: string): Promise<{ id: number; userName: string; body: string; createdAt: string }> {
    const row = await this.find(actor, id);
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ins = await trx.insertInto('kb_feedback').values({ article_id: id, user_id: actor.userId || null, user_name: actor.displayName, customer_id: actor.customerId, body, created_at: now }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, auditActorOf(actor), { action: 'feedback', entity: 'kb_articles', entityId: id, customerId: actor.customerId, after: { body } }, now);
      const owner = row.owner_id === null ? null : Number(row.owner_id);
      if (owner !== null && owner !== actor.userId) {
        await emit(trx, { type: 'knowledge.feedback', recipients: [owner], customerId: actor.customerId, entity: 'kb_articles', entityId: id, title: bilingual('knowledge.notify.feedback', { title: row.title }), body: `${actor.displayName}：${body}`, link: `/knowledge/${id}`, occurredAt: now }, now);
      }
      return { id: Number(ins.id), userName: actor.displayName, body, createdAt: iso(now) };
    });
  }

  // ------------------------------------------------------------ the review-due job

  /** Published articles whose review is due become needs_review, and the owner is told. Idempotent. */
  async runReviewDue(articleId: number, now = Date.now()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await repo.findArticle(trx, systemActor(), articleId, true);
      if (!row || !isReviewDue(row.state as ArticleState, row.review_due_at === null ? null : Number(row.review_due_at), now)) return;
      await repo.updateArticle(trx, articleId, row.version, { state: 'needs_review', version: row.version + 1, updated_at: now });
      await recordAudit(trx, { userId: null, name: 'system', ip: null }, { action: 'review_due', entity: 'kb_articles', entityId: articleId, customerId: row.customer_id, before: { state: row.state }, after: { state: 'needs_review' } }, now);
      const recipients = row.owner_id === null ? await reviewers(trx) : [Number(row.owner_id)];
      if (recipients.length) await emit(trx, { type: 'knowledge.review', recipients, customerId: null, entity: 'kb_articles', entityId: articleId, title: bilingual('knowledge.notify.reviewDue', { title: row.title }), link: `/knowledge/${articleId}`, occurredAt: now }, now);
      await this.reindex(trx, articleId);
    });
  }

  // ------------------------------------------------------------ helpers

  /** The search entry of the article as it now is (its attachments' text included). */
  async reindex(trx: DbOrTx, id: number): Promise<void> {
    await indexArticle(trx, id);
  }

  private async checkContent(actor: Actor, c: Content): Promise<Content> {
    const problems: FieldProblem[] = [];
    const customerIds = [...new Set(c.audience === 'named' ? c.audienceCustomerIds : [])];
    if (c.audience === 'named' && customerIds.length === 0) problems.push({ field: 'audienceCustomerIds', code: 'knowledge.namedNeedsCustomers' });
    const wanted = [...customerIds, ...(c.customerId != null ? [c.customerId] : [])];
    if (wanted.length) {
      const found = new Set((await this.db.selectFrom('customers').select('id').where('id', 'in', wanted).execute()).map((r) => Number(r.id)));
      const inScope = (x: number) => found.has(x) && (actor.scope.kind === 'all' || actor.scope.ids.includes(x));
      customerIds.forEach((x, i) => {
        if (!inScope(x)) problems.push({ field: `audienceCustomerIds[${i}]`, code: 'knowledge.customerNotFound' });
      });
      if (c.customerId != null && !inScope(c.customerId)) problems.push({ field: 'customerId', code: 'knowledge.customerNotFound' });
    }
    if (problems.length) throw AppError.validation(problems);
    return { ...c, audienceCustomerIds: customerIds, customerId: c.customerId ?? null, tags: [...new Set(c.tags)], linkedServices: [...new Set(c.linkedServices)], ciTypes: [...new Set(c.ciTypes)] };
  }

  /** Files uploaded by this caller and not yet attached (or already on this article) join it. */
  private async attachFiles(trx: Tx, actor: Actor, articleId: number, fileIds: number[]): Promise<void> {
    const ids = [...new Set(fileIds)];
    if (!ids.length) return;
    const rows = await trx.selectFrom('kb_article_files').select(['id', 'article_id', 'created_by']).where('id', 'in', ids).execute();
    const problems: FieldProblem[] = [];
    ids.forEach((fid, i) => {
      const r = rows.find((x) => Number(x.id) === fid);
      const ok = r && (r.article_id === null ? Number(r.created_by) === actor.userId : Number(r.article_id) === articleId);
      if (!ok) problems.push({ field: `fileIds[${i}]`, code: 'http.notFound' });
    });
    if (problems.length) throw AppError.validation(problems);
    await trx.updateTable('kb_article_files').set({ article_id: articleId }).where('id', 'in', ids).where('article_id', 'is', null).execute();
  }
}

function summaryOf(r: repo.ArticleRow, users: Map<number, string>, customers: Map<number, string>): ArticleSummaryOut {
  const id = Number(r.id);
  const owner = r.owner_id === null ? null : Number(r.owner_id);
  const customer = r.customer_id === null ? null : Number(r.customer_id);
  return {
    id,
    number: numberOf(id),
    kind: r.kind as ArticleKind,
    title: r.title,
    excerpt: excerptOf(r.symptom ? `${r.symptom}\n${r.body_text}` : r.body_text),
    category: r.category,
    tags: JSON.parse(r.tags) as string[],
    audience: r.audience as Audience,
    customerId: customer,
    customerName: customer === null ? null : (customers.get(customer) ?? null),
    state: r.state as ArticleState,
    ownerId: owner,
    ownerName: owner === null ? null : (users.get(owner) ?? null),
    views: Number(r.views),
    useful: Number(r.useful),
    notUseful: Number(r.not_useful),
    version: Number(r.version),
    updatedAt: iso(Number(r.updated_at)),
    publishedAt: iso(r.published_at === null ? null : Number(r.published_at)),
    reviewDueAt: iso(r.review_due_at === null ? null : Number(r.review_due_at)),
  };
}

export function excerptOf(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function inputContent(i: ArticleInput): Content {
  return {
    kind: i.kind,
    title: i.title,
    symptom: i.symptom,
    cause: i.cause,
    appliesTo: i.appliesTo,
    bodyHtml: i.bodyHtml,
    category: i.category,
    tags: i.tags,
    linkedServices: i.linkedServices,
    ciTypes: i.ciTypes,
    audience: i.audience,
    audienceCustomerIds: i.audienceCustomerIds,
    customerId: i.customerId ?? null,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fieldText(c: Content, key: keyof Content): string {
  const v = c[key];
  if (key === 'bodyHtml') return htmlToText(String(v ?? ''));
  if (Array.isArray(v)) return v.join('、');
  return v === null || v === undefined ? '' : String(v);
}

export function bilingual(key: string, params: Record<string, unknown>): { zh: string; en: string } {
  const pick = (locale: 'zh-CN' | 'en-US') =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v && typeof v === 'object' && 'zh' in v ? (locale === 'zh-CN' ? (v as { zh: string }).zh : (v as unknown as { en: string }).en) : v]));
  return { zh: t('zh-CN', key, pick('zh-CN')), en: t('en-US', key, pick('en-US')) };
}

/** Users who may review (the desk and quality by default): whoever holds knowledge.review. */
export async function reviewers(db: DbOrTx): Promise<number[]> {
  const roles = await db.selectFrom('roles').select(['id', 'permissions']).execute();
  const ids = roles.filter((r) => (JSON.parse(r.permissions) as string[]).includes('knowledge.review')).map((r) => Number(r.id));
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select('users.id')
    .distinct()
    .where('user_roles.role_id', 'in', ids)
    .where('users.customer_id', 'is', null)
    .where('users.disabled', '=', 0)
    .orderBy('users.id')
    .limit(50)
    .execute();
  return rows.map((r) => Number(r.id));
}

/**
 * Pasted images (data: URLs) become stored files of the article, linked by our own file URL;
 * anything that is not the image it claims to be is refused.
 */
async function storeDataImages(trx: Tx, actor: Actor, html: string, now: number): Promise<{ html: string; imageIds: number[] }> {
  const images = dataImagesOf(html);
  const imageIds: number[] = [];
  for (const img of images) {
    const kind = detect(img.bytes);
    if (`image/${kind}` !== img.mime) throw AppError.field('bodyHtml', 'knowledge.image.invalid', { mime: img.mime });
    const blob = await writeBlob(trx, Readable.from([img.bytes]), { limit: 10 * 1024 * 1024 });
    await claimBlob(trx, blob.id, img.mime);
    const ext = img.mime.split('/')[1] === 'jpeg' ? 'jpg' : img.mime.split('/')[1];
    const row = await trx
      .insertInto('kb_article_files')
      .values({ article_id: null, name: `image-${blob.sha256.slice(0, 8)}.${ext}`, mime: img.mime, size: blob.size, sha256: blob.sha256, blob_id: blob.id, inline: 1, text: null, created_at: now, created_by: actor.userId || null })
      .returning('id')
      .executeTakeFirstOrThrow();
    imageIds.push(Number(row.id));
    html = html.split(img.url).join(`${FILE_URL_PREFIX}${Number(row.id)}`);
  }
  return { html, imageIds };
}
