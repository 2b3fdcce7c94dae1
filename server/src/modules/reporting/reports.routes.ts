import { z } from 'zod';
import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams, page } from '../../platform/http/zod.js';
import { CalendarService } from '../sla/calendars.service.js';
import { MetricsService } from './metrics.service.js';
import { ReportDue, ensureReportJobs, registerReportJobs } from './reports.due.js';
import { ReportGenerator } from './reports.generate.service.js';
import { ReportLifecycle } from './reports.lifecycle.service.js';
import './reports.messages.js';
import {
  boardOut,
  boardQuery,
  fileParams,
  fileQuery,
  generateBody,
  issueBody,
  letterheadBody,
  letterheadOut,
  listQuery,
  narrativesBody,
  newVersionBody,
  planBody,
  planOut,
  recipientsOut,
  reportListItem,
  reportOut,
  type ReportOut,
  returnBody,
  reviewBody,
  signoffBody,
  versionBody,
  REPORT_FORMATS,
} from './reports.schema.js';
import { MAX_LOGO_BYTES, ReportTemplates } from './reports.templates.service.js';

const BASE = '/api/v1/reporting/reports';
const tags = ['service reports'];
const read = { permission: 'reports.read' };
const write = { permission: 'reports.write' };
const manage = { permission: 'reports.manage' };
const signoff = { permission: 'reports.signoff' };

/**
 * HTTP for service reports (docs/REPORTS.md): generation, editing, review, issue, the
 * customer's sign-off, versions and their files, the due board, per-contract plans and the
 * letterhead. Also registers the generation and reminder jobs.
 */
export function registerReports(app: ZApp, ctx: ModuleContext): void {
  const db = ctx.database.db;
  const generator = new ReportGenerator(db, new CalendarService(db), new MetricsService(db));
  const lifecycle = new ReportLifecycle(db, ctx.config, generator);
  const due = new ReportDue(db, generator);
  const templates = new ReportTemplates(db);
  registerReportJobs(ctx.scheduler, db, due);
  // Started by a serving process only (tests and one-shot commands build the app without listening).
  app.addHook('onListen', async () => {
    await ensureReportJobs(db);
  });

  app.get(BASE, { config: read, schema: { tags, summary: 'Reports in scope, newest first (customers: those issued to them)', querystring: listQuery, response: { 200: page(reportListItem) } } }, async (request) =>
    lifecycle.list(actorOf(request), request.query),
  );

  app.get(
    `${BASE}/board`,
    {
      config: read,
      schema: { tags, summary: 'Due board: every report each contract in scope owes with its due day in [from, to] (default ±31 days), not-started ones included', querystring: boardQuery, response: { 200: boardOut } },
    },
    async (request) => due.board(actorOf(request), request.query),
  );

  app.post(
    BASE,
    { config: write, schema: { tags, summary: 'Generate a report for an ended period: {contractId, type, period: 2026-11 | 2026-Q4 | 2026}', body: generateBody, response: { 201: reportOut } } },
    async (request, reply) => reply.status(201).send(await lifecycle.generate(actorOf(request), request.body)),
  );

  app.get(`${BASE}/:id`, { config: read, schema: { tags, summary: 'A report with its sections (figures frozen at generation), narratives and versions', params: idParams, response: { 200: reportOut } } }, async (request) =>
    lifecycle.get(actorOf(request), request.params.id),
  );

  app.patch(
    `${BASE}/:id/narratives`,
    { config: write, schema: { tags, summary: 'Edit narrative sections (send the version read; stale: 409 naming who changed it)', params: idParams, body: narrativesBody, response: { 200: reportOut } } },
    async (request) => lifecycle.editNarratives(actorOf(request), request.params.id, request.body.version, request.body.narratives),
  );

  const command = (path: string, summary: string, run: (actor: ReturnType<typeof actorOf>, id: number, version: number) => Promise<ReportOut>) =>
    app.post(`${BASE}/:id/${path}`, { config: write, schema: { tags, summary, params: idParams, body: versionBody, response: { 200: reportOut } } }, async (request) =>
      run(actorOf(request), request.params.id, request.body.version),
    );
  command('refresh', 'Recompute the figures now, keeping the narratives (draft or approved)', (a, id, v) => lifecycle.refresh(a, id, v));
  command('submit', 'Submit for review (draft → in_review)', (a, id, v) => lifecycle.submit(a, id, v));

  app.post(
    `${BASE}/:id/issue`,
    {
      config: write,
      schema: {
        tags,
        summary: "Issue: render PDF, Word and Excel, store them and tell the recipients (draft, or approved when review is required); recipients: the customer's users to tell, else the plan's, else the customer's administrators",
        params: idParams,
        body: issueBody,
        response: { 200: reportOut },
      },
    },
    async (request) => lifecycle.issue(actorOf(request), request.params.id, request.body.version, request.body.recipients),
  );

  app.post(
    `${BASE}/:id/review`,
    { config: write, schema: { tags, summary: 'The reviewer approves (→ approved) or returns it to draft with a comment', params: idParams, body: reviewBody, response: { 200: reportOut } } },
    async (request) => lifecycle.review(actorOf(request), request.params.id, request.body.version, request.body.approve, request.body.reviewComment),
  );

  app.post(
    `${BASE}/:id/versions`,
    { config: write, schema: { tags, summary: 'Start a new version of an issued, signed or returned report (a draft copy; issued versions stay)', params: idParams, body: newVersionBody, response: { 200: reportOut } } },
    async (request) => lifecycle.newVersion(actorOf(request), request.params.id, request.body.version, request.body.note),
  );

  app.post(
    `${BASE}/:id/signoff`,
    { config: signoff, schema: { tags, summary: "The customer's admin signs the issued report off (portal)", params: idParams, body: signoffBody, response: { 200: reportOut } } },
    async (request) => lifecycle.signoff(actorOf(request), request.params.id, request.body.version, request.body.signerName, request.body.opinion),
  );

  app.post(
    `${BASE}/:id/return`,
    { config: signoff, schema: { tags, summary: "The customer's admin returns the issued report with comments (back to the PM)", params: idParams, body: returnBody, response: { 200: reportOut } } },
    async (request) => lifecycle.returnReport(actorOf(request), request.params.id, request.body.version, request.body.signerName, request.body.opinion),
  );

  app.get(
    `${BASE}/:id/versions/:seq/:format`,
    {
      config: read,
      schema: { tags, summary: 'A file of an issued version: pdf, docx or xlsx; once the customer signed it off or returned it, rendered with the answer (as=issued: the bytes as issued)', params: fileParams, querystring: fileQuery, produces: ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], response: { 200: z.string().describe('the file') } },
    },
    async (request, reply) => {
      const f = await lifecycle.file(actorOf(request), request.params.id, request.params.seq, request.params.format, request.query.as);
      return reply
        .type(f.mime)
        .header('content-length', String(f.size))
        .header('content-disposition', `${request.params.format === 'pdf' ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(f.name)}`)
        .header('cache-control', 'private, no-store')
        .send(f.stream as unknown as string);
    },
  );

  app.get(
    `${BASE}/:id/preview/:format`,
    { config: write, schema: { tags, summary: 'The current version rendered now (not stored), for the editor', params: idParams.extend({ format: z.enum(REPORT_FORMATS) }), response: { 200: z.string().describe('the file') } } },
    async (request, reply) => {
      const f = await lifecycle.preview(actorOf(request), request.params.id, request.params.format);
      return reply.type(f.mime).header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(f.name)}`).header('cache-control', 'private, no-store').send(f.body as unknown as string);
    },
  );

  // ------------------------------------------------------------ plans and letterhead

  const PLAN = '/api/v1/reporting/contracts/:id/report-plan';
  app.get(PLAN, { config: manage, schema: { tags, summary: "The contract's report plan (stored or the defaults) and every report type's sections for it", params: idParams, response: { 200: planOut } } }, async (request) =>
    templates.getPlan(actorOf(request), request.params.id),
  );
  app.put(
    PLAN,
    { config: manage, schema: { tags, summary: "Replace the contract's report plan: types owed, section layout per type, review, recipients (send the version read; 0: none stored)", params: idParams, body: planBody, response: { 200: planOut } } },
    async (request) => templates.putPlan(actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/reporting/contracts/:id/report-recipients',
    { config: write, schema: { tags, summary: "Who may receive the contract's reports (the customer's enabled users, administrators marked) and who is told by default", params: idParams, response: { 200: recipientsOut } } },
    async (request) => templates.recipients(actorOf(request), request.params.id),
  );

  const LH = '/api/v1/reporting/letterhead';
  app.get(LH, { config: manage, schema: { tags, summary: "The provider's letterhead printed on every report (the logo as a data URL)", response: { 200: letterheadOut } } }, async () => templates.getLetterhead());
  app.put(LH, { config: manage, schema: { tags, summary: 'Set the letterhead text (provider name, hotline …)', body: letterheadBody, response: { 200: letterheadOut } } }, async (request) =>
    templates.setLetterheadText(actorOf(request), request.body.letterheadText),
  );
  app.put(
    `${LH}/logo`,
    { config: { ...manage, uploadLimit: MAX_LOGO_BYTES, bodyLimitLabel: '512 KB' }, schema: { tags, summary: 'Upload the logo: multipart with the file "logo" (PNG or JPEG, ≤ 512 KB)', consumes: ['multipart/form-data'], response: { 200: letterheadOut } } },
    async (request) => {
      if (!request.isMultipart()) throw AppError.field('logo', 'required');
      const file = await request.file({ limits: { fileSize: MAX_LOGO_BYTES + 1, files: 1 } });
      if (!file || file.fieldname !== 'logo') throw AppError.field('logo', 'required');
      const bytes = await file.toBuffer();
      return templates.setLogo(actorOf(request), bytes);
    },
  );
  app.delete(`${LH}/logo`, { config: manage, schema: { tags, summary: 'Remove the logo', response: { 200: letterheadOut } } }, async (request) => templates.removeLogo(actorOf(request)));
}
