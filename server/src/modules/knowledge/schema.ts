import { z } from 'zod';
import { ARTICLE_KINDS, ARTICLE_STATES, AUDIENCES, WORKFLOW_ACTIONS } from '../../core/knowledge/workflow.js';
import { id, localDate, optionalText, text, timeZone } from '../../platform/http/zod.js';

/** The knowledge base's contracts at the edge (docs/KNOWLEDGE.md). */

export const BODY_MAX = 500_000;
const version = z.number().int().positive();
const strings = (max: number, each = 50) => z.array(text(each)).max(max).default([]);

export const articleInput = z.strictObject({
  kind: z.enum(ARTICLE_KINDS),
  title: text(200),
  symptom: optionalText(5000),
  cause: optionalText(5000),
  appliesTo: optionalText(1000),
  /** HTML from the editor; sanitized on the server (what is stored is what every reader gets). */
  bodyHtml: z.string().max(BODY_MAX).default(''),
  category: optionalText(50),
  tags: strings(20),
  linkedServices: strings(20, 100),
  ciTypes: strings(20, 100),
  audience: z.enum(AUDIENCES).default('internal'),
  audienceCustomerIds: z.array(id).max(100).default([]),
  /** The customer the article is about (null: general). */
  customerId: id.nullish(),
  /** Documents and images uploaded before (POST /knowledge/files) to attach. */
  fileIds: z.array(id).max(50).default([]),
});
export type ArticleInput = z.output<typeof articleInput>;

export const articlePatch = articleInput.partial().extend({ version });
export type ArticlePatch = z.output<typeof articlePatch>;

export const transitionBody = z.strictObject({ version, action: z.enum(WORKFLOW_ACTIONS), note: optionalText(2000) });
export const restoreBody = z.strictObject({ version });
export const voteBody = z.strictObject({ useful: z.boolean() });
export const feedbackBody = z.strictObject({ body: text(2000) });

export const listQuery = z.object({
  q: z.string().max(200).optional(),
  kind: z.enum(ARTICLE_KINDS).optional(),
  state: z.enum(ARTICLE_STATES).optional(),
  category: z.string().max(50).optional(),
  tag: z.string().max(50).optional(),
  audience: z.enum(AUDIENCES).optional(),
  customerId: id.optional(),
  mine: z.enum(['1', '0']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});
export type ListQuery = z.output<typeof listQuery>;

export const suggestQuery = z.object({
  text: z.string().max(2000).default(''),
  customerId: id.optional(),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});

export const weekQuery = z.object({ week: localDate.optional(), timeZone: timeZone.optional() });
export const weeklyReportQuery = z.object({
  weeks: z.coerce.number().int().min(1).max(53).default(8),
  until: localDate.optional(),
  timeZone: timeZone.optional(),
  customerId: id.optional(),
});
export const deflectionQuery = z.object({ customerId: id.optional(), from: localDate.optional(), to: localDate.optional() });

export const deflectBody = z.strictObject({ articleId: id, query: optionalText(500) });
export const solutionBody = z.strictObject({ articleId: id });
export const solvedBody = z.strictObject({ articleId: id });

const fileOut = z.object({ id: z.number(), name: z.string(), mime: z.string(), size: z.number(), inline: z.boolean(), hasText: z.boolean() });

export const articleSummaryOut = z.object({
  id: z.number(),
  number: z.string(),
  kind: z.enum(ARTICLE_KINDS),
  title: z.string(),
  excerpt: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  audience: z.enum(AUDIENCES),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  state: z.enum(ARTICLE_STATES),
  ownerId: z.number().nullable(),
  ownerName: z.string().nullable(),
  views: z.number(),
  useful: z.number(),
  notUseful: z.number(),
  version: z.number(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  reviewDueAt: z.string().nullable(),
});
export type ArticleSummaryOut = z.input<typeof articleSummaryOut>;

export const articleOut = articleSummaryOut.extend({
  symptom: z.string().nullable(),
  cause: z.string().nullable(),
  appliesTo: z.string().nullable(),
  bodyHtml: z.string(),
  linkedServices: z.array(z.string()),
  ciTypes: z.array(z.string()),
  audienceCustomerIds: z.array(z.number()),
  reviewerId: z.number().nullable(),
  reviewerName: z.string().nullable(),
  sourceTicketId: z.number().nullable(),
  sourceTicketNumber: z.string().nullable(),
  submittedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.number().nullable(),
  files: z.array(fileOut),
  /** The caller's own vote (null: none). */
  myVote: z.boolean().nullable(),
  /** Workflow actions the caller may take now; `edit` when he may edit. */
  allowedActions: z.array(z.enum([...WORKFLOW_ACTIONS, 'edit'])),
});
export type ArticleOut = z.input<typeof articleOut>;

export const articlePageOut = z.object({ items: z.array(articleSummaryOut), nextCursor: z.string().nullable() });

export const versionOut = z.object({
  version: z.number(),
  change: z.string(),
  restoredFrom: z.number().nullable(),
  authorId: z.number().nullable(),
  authorName: z.string(),
  createdAt: z.string(),
  title: z.string(),
});
export const diffOut = z.object({
  from: z.number(),
  to: z.number(),
  fields: z.array(z.object({ field: z.string(), parts: z.array(z.object({ op: z.enum(['same', 'added', 'removed']), text: z.string() })) })),
});
export const feedbackOut = z.object({ id: z.number(), userName: z.string(), body: z.string(), createdAt: z.string() });
export const uploadOut = fileOut;

export const suggestionOut = z.object({
  /** `sendable`: the article may go to the caller (not internal; named: names his customer). */
  articles: z.array(z.object({ id: z.number(), number: z.string(), kind: z.enum(ARTICLE_KINDS), title: z.string(), excerpt: z.string(), useful: z.number(), sendable: z.boolean() })),
  /** Open tickets of the same customer that look alike (possible duplicates); staff only. */
  tickets: z.array(z.object({ id: z.number(), number: z.string(), title: z.string(), state: z.string(), reportedAt: z.string() })),
});

export const submissionsOut = z.object({
  week: z.string(),
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  people: z.array(z.object({
    userId: z.number().nullable(),
    name: z.string(),
    created: z.number(),
    updated: z.number(),
    articles: z.array(z.object({ id: z.number(), number: z.string(), title: z.string(), kind: z.enum(ARTICLE_KINDS), state: z.enum(ARTICLE_STATES), action: z.enum(['created', 'updated']), at: z.string() })),
  })),
  reviewQueue: z.array(articleSummaryOut),
});

export const weeklyReportOut = z.object({
  timeZone: z.string(),
  weeks: z.array(z.string()),
  rows: z.array(z.object({ customerId: z.number().nullable(), customerName: z.string(), created: z.array(z.number()), updated: z.array(z.number()), total: z.number() })),
});

export const deflectionsOut = z.object({ count: z.number(), byArticle: z.array(z.object({ articleId: z.number(), title: z.string(), count: z.number() })) });
export const useOut = z.object({ ok: z.boolean(), ticketState: z.string(), firstLine: z.boolean() });
