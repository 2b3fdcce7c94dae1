import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { id, idParams } from '../../platform/http/zod.js';
import type { KnowledgeFileService } from './files.js';
import { FILE_LIMIT_LABEL, MAX_FILE_BYTES } from './files.js';
import {
  articleInput,
  articleOut,
  articlePageOut,
  articlePatch,
  deflectBody,
  deflectionQuery,
  deflectionsOut,
  diffOut,
  feedbackBody,
  feedbackOut,
  listQuery,
  restoreBody,
  solutionBody,
  solvedBody,
  submissionsOut,
  suggestionOut,
  suggestQuery,
  transitionBody,
  uploadOut,
  useOut,
  versionOut,
  voteBody,
  weeklyReportOut,
  weeklyReportQuery,
  weekQuery,
} from './schema.js';
import type { ArticleService } from './service.js';
import type { KnowledgeUseService } from './suggest.js';
import type { KnowledgeWorkService } from './work.js';

const V1 = '/api/v1';
const tags = ['knowledge'];
const read = { permission: 'knowledge.read' };
const write = { permission: 'knowledge.write' };
const A = `${V1}/knowledge/articles`;

export interface KnowledgeServices {
  articles: ArticleService;
  files: KnowledgeFileService;
  work: KnowledgeWorkService;
  uses: KnowledgeUseService;
}

/** HTTP for the knowledge base (docs/KNOWLEDGE.md). */
export function knowledgeRoutes(app: ZApp, s: KnowledgeServices) {
  app.get(A, { config: read, schema: { tags, summary: 'Articles the caller may read, newest first (keyset), or ranked by full-text `q`', querystring: listQuery, response: { 200: articlePageOut } } }, async (request) =>
    s.articles.list(actorOf(request), request.query),
  );

  app.post(A, { config: write, schema: { tags, summary: 'A new draft article (HTML sanitized on the server)', body: articleInput, response: { 201: articleOut } } }, async (request, reply) =>
    reply.status(201).send(await s.articles.create(actorOf(request), request.body)),
  );

  app.get(
    `${A}/:id`,
    { config: read, schema: { tags, summary: 'One article; `view=1` counts a view (the reading page)', params: idParams, querystring: z.object({ view: z.enum(['1', '0']).optional() }), response: { 200: articleOut } } },
    async (request) => s.articles.get(actorOf(request), request.params.id, { view: request.query.view === '1' }),
  );

  app.patch(`${A}/:id`, { config: write, schema: { tags, summary: 'Edit (send the version read; a stale one is a 409); saved as a new version', params: idParams, body: articlePatch, response: { 200: articleOut } } }, async (request) =>
    s.articles.update(actorOf(request), request.params.id, request.body),
  );

  app.post(
    `${A}/:id/transition`,
    // Writers submit and reopen, reviewers (who may not write) publish, reject, confirm, archive: the service checks which.
    { config: read, schema: { tags, summary: 'A workflow step: submit, publish, reject, confirm (reviewed again), archive, reopen', params: idParams, body: transitionBody, response: { 200: articleOut } } },
    async (request) => s.articles.transition(actorOf(request), request.params.id, request.body),
  );

  app.get(`${A}/:id/versions`, { config: write, schema: { tags, summary: 'The saved versions, newest first', params: idParams, response: { 200: z.array(versionOut) } } }, async (request) =>
    s.articles.versions(actorOf(request), request.params.id),
  );

  app.get(
    `${A}/:id/diff`,
    { config: write, schema: { tags, summary: 'Word-level differences between two versions (Chinese segmented)', params: idParams, querystring: z.object({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() }), response: { 200: diffOut } } },
    async (request) => s.articles.diff(actorOf(request), request.params.id, request.query.from, request.query.to),
  );

  app.post(
    `${A}/:id/versions/:n/restore`,
    { config: write, schema: { tags, summary: 'Restore version n: a new version with its content (send the current version)', params: z.object({ id, n: z.coerce.number().int().positive() }), body: restoreBody, response: { 200: articleOut } } },
    async (request) => s.articles.restore(actorOf(request), request.params.id, request.params.n, request.body.version),
  );

  app.put(`${A}/:id/vote`, { config: read, schema: { tags, summary: 'Useful or not: one vote per user (voting again changes it)', params: idParams, body: voteBody, response: { 200: articleOut } } }, async (request) =>
    s.articles.vote(actorOf(request), request.params.id, request.body.useful),
  );

  app.get(`${A}/:id/feedback`, { config: write, schema: { tags, summary: 'Readers\' comments, newest first (provider staff)', params: idParams, response: { 200: z.array(feedbackOut) } } }, async (request) =>
    s.articles.feedback(actorOf(request), request.params.id),
  );

  app.post(`${A}/:id/feedback`, { config: read, schema: { tags, summary: 'A comment on the article; the owner is notified', params: idParams, body: feedbackBody, response: { 201: feedbackOut } } }, async (request, reply) =>
    reply.status(201).send(await s.articles.addFeedback(actorOf(request), request.params.id, request.body.body)),
  );

  app.post(
    `${A}/from-ticket/:id`,
    { config: write, schema: { tags, summary: 'Draft a solution article from a resolved ticket (an existing draft from it is returned)', params: idParams, response: { 200: articleOut, 201: articleOut } } },
    async (request, reply) => {
      const { created, article } = await s.work.fromTicket(actorOf(request), request.params.id);
      return reply.status(created ? 201 : 200).send(article);
    },
  );

  app.post(
    `${V1}/knowledge/files`,
    {
      config: { ...write, uploadLimit: MAX_FILE_BYTES, bodyLimitLabel: FILE_LIMIT_LABEL },
      schema: { tags, summary: 'Upload a document (PDF, docx, xlsx, text; text extracted for search) or an image: multipart "file", ≤ 20 MB', consumes: ['multipart/form-data'], response: { 201: uploadOut } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (!request.isMultipart()) throw AppError.field('file', 'knowledge.file.required');
      let out: z.input<typeof uploadOut> | null = null;
      for await (const part of request.parts({ limits: { fileSize: MAX_FILE_BYTES, files: 1 } })) {
        if (part.type !== 'file') continue;
        if (part.fieldname !== 'file' || out) {
          part.file.resume();
          continue;
        }
        out = await s.files.upload(actor, part.filename, part.file, () => part.file.truncated);
      }
      if (!out) throw AppError.field('file', 'knowledge.file.required');
      return reply.status(201).send(out);
    },
  );

  app.get(
    `${V1}/knowledge/files/:id`,
    { config: read, schema: { tags, summary: 'A file of an article the caller may read', params: idParams, produces: ['application/octet-stream'], response: { 200: z.string().describe('the file') } } },
    async (request, reply) => {
      const f = await s.files.download(actorOf(request), request.params.id);
      const image = f.mime.startsWith('image/');
      return reply
        .type(f.mime)
        .header('content-length', String(f.size))
        .header('content-disposition', `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(f.name)}`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600')
        .send(f.stream as unknown as string);
    },
  );

  app.get(
    `${V1}/knowledge/suggest`,
    { config: read, schema: { tags, summary: 'Articles and known errors matching what is being typed (and, for staff with customerId, open tickets of that customer that look alike)', querystring: suggestQuery, response: { 200: suggestionOut } } },
    async (request) => s.uses.suggest(actorOf(request), request.query.text, request.query.customerId, request.query.limit),
  );

  app.get(
    `${V1}/knowledge/submissions`,
    { config: write, schema: { tags, summary: 'Weekly submissions (REQ #122): who wrote or updated which articles in the week (Monday, in timeZone, default Asia/Shanghai) and the review queue', querystring: weekQuery, response: { 200: submissionsOut } } },
    async (request) => s.work.submissions(actorOf(request), request.query.week, request.query.timeZone),
  );

  app.get(
    `${V1}/knowledge/reports/weekly`,
    { config: write, schema: { tags, summary: 'The "updated weekly" record (R12): articles created and updated per week per customer', querystring: weeklyReportQuery, response: { 200: weeklyReportOut } } },
    async (request) => s.work.weeklyReport(actorOf(request), request.query),
  );

  app.get(
    `${V1}/knowledge/reports/weekly.xlsx`,
    { config: write, schema: { tags, summary: 'The weekly record as an Excel workbook', querystring: weeklyReportQuery, produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: { 200: z.string().describe('the workbook') } } },
    async (request, reply) => {
      const bytes = await s.work.weeklyReportXlsx(actorOf(request), request.query);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent('知识库每周更新.xlsx')}`)
        .send(bytes as unknown as string);
    },
  );

  app.post(`${V1}/knowledge/deflections`, { config: read, schema: { tags, summary: 'The article solved it before a report was made (portal): counted', body: deflectBody, response: { 201: z.object({ ok: z.boolean() }) } } }, async (request, reply) =>
    reply.status(201).send(await s.uses.deflect(actorOf(request), request.body.articleId, request.body.query)),
  );

  app.get(`${V1}/knowledge/deflections`, { config: read, schema: { tags, summary: 'Reports deflected by articles, in the caller\'s scope (dates are days in Asia/Shanghai)', querystring: deflectionQuery, response: { 200: deflectionsOut } } }, async (request) =>
    s.uses.deflections(actorOf(request), request.query),
  );

  app.post(
    `${V1}/tickets/:id/knowledge/send`,
    { config: { permission: 'tickets.write' }, schema: { tags, summary: 'Send a published article to the caller as a public reply (the first response when none was given)', params: idParams, body: solutionBody, response: { 200: useOut } } },
    async (request) => s.uses.sendSolution(actorOf(request), request.params.id, request.body.articleId),
  );

  app.post(
    `${V1}/tickets/:id/knowledge/solved`,
    { config: { permission: 'tickets.write' }, schema: { tags, summary: 'The caller confirmed the sent article solved it: the ticket is resolved (first line when nobody else had it)', params: idParams, body: solvedBody, response: { 200: useOut } } },
    async (request) => s.uses.solved(actorOf(request), request.params.id, request.body.articleId),
  );
}
