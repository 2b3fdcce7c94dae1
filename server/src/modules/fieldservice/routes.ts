import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams } from '../../platform/http/zod.js';
import { reportOut, reportPatch, signBody } from './schema.js';
import type { RepairReportService } from './service.js';
import { MAX_SCAN_BYTES, SCAN_LIMIT_LABEL, type StoredScan } from './storage.js';

const V1 = '/api/v1';
const tags = ['repair reports'];
const read = { permission: 'tickets.read' };
const write = { permission: 'tickets.write' };
const BASE = `${V1}/tickets/:id/repair-report`;

/** HTTP for repair service reports (docs/REPAIR-REPORTS.md). */
export function repairReportRoutes(app: ZApp, service: RepairReportService) {
  app.get(
    BASE,
    { config: read, schema: { tags, summary: 'The ticket\'s repair service report, or null when it has none yet', params: idParams, response: { 200: reportOut.nullable() } } },
    // "No report yet" is an ordinary answer, not an error: the pages that ask it stay free of failed requests.
    async (request) => {
      try {
        return await service.get(actorOf(request), request.params.id);
      } catch (err) {
        if (err instanceof AppError && err.code === 'no_report') return null;
        throw err;
      }
    },
  );

  app.post(
    BASE,
    {
      config: write,
      schema: { tags, summary: 'Draft the report from the ticket (provider staff; one per ticket)', params: idParams, response: { 201: reportOut } },
    },
    async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.params.id)),
  );

  app.patch(
    BASE,
    { config: write, schema: { tags, summary: 'Edit the draft (send the version read); a signed report answers 409', params: idParams, body: reportPatch, response: { 200: reportOut } } },
    async (request) => service.patch(actorOf(request), request.params.id, request.body),
  );

  app.post(
    `${BASE}/sign`,
    {
      // A 300 KB PNG is 400 KB as base64; leave room so an oversized signature gets its own message, not a bare 413.
      bodyLimit: 2 * 1024 * 1024,
      config: { ...write, bodyLimitLabel: '2 MB' },
      schema: {
        tags,
        summary: 'The customer signs on screen: {version, signerName, signaturePng: PNG data URL ≤ 300 KB, customerOpinion?}',
        params: idParams,
        body: signBody,
        response: { 200: reportOut },
      },
    },
    async (request) => service.sign(actorOf(request), request.params.id, request.body),
  );

  app.post(
    `${BASE}/paper-signed`,
    {
      config: { ...write, uploadLimit: MAX_SCAN_BYTES, bodyLimitLabel: SCAN_LIMIT_LABEL },
      schema: {
        tags,
        summary: 'Signed on paper: multipart with fields version, signerName, customerOpinion? and the scan "file" (PDF, JPEG or PNG, ≤ 10 MB)',
        consumes: ['multipart/form-data'],
        params: idParams,
        response: { 200: reportOut },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!request.isMultipart()) throw AppError.field('file', 'fieldservice.scan.required');
      await service.checkPaperSignable(actor, request.params.id);
      const fields: Record<string, string> = {};
      let scan: StoredScan | null = null;
      try {
        for await (const part of request.parts({ limits: { fileSize: MAX_SCAN_BYTES, files: 1 } })) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file' || scan) {
              part.file.resume();
              continue;
            }
            scan = await service.storeScan(part.filename, part.file, () => part.file.truncated);
          } else if (typeof part.value === 'string') {
            fields[part.fieldname] = part.value;
          }
        }
      } catch (err) {
        // The signing never ran: the scan stored so far goes with it.
        await service.discardScan(scan);
        throw err;
      }
      return service.signOnPaper(actor, request.params.id, fields, scan);
    },
  );

  app.get(
    `${BASE}/pdf`,
    { config: read, schema: { tags, summary: 'The report as PDF: the one stored at the signing, or the draft rendered now', params: idParams, produces: ['application/pdf'], response: { 200: z.string().describe('the PDF') } } },
    async (request, reply) => {
      const pdf = await service.pdf(actorOf(request), request.params.id);
      return (
        reply
          .type('application/pdf')
          .header('content-length', String(pdf.size))
          // inline: the report page previews it in a frame; the name is used when saved.
          .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(pdf.name)}`)
          .header('cache-control', 'private, no-store')
          // A stream or buffer is sent as is (no serializer runs); the schema's string type only documents it.
          .send(pdf.body as unknown as string)
      );
    },
  );

  app.get(
    `${BASE}/scan`,
    { config: read, schema: { tags, summary: 'The scan of the paper form (reports signed on paper)', params: idParams, produces: ['application/pdf', 'image/jpeg', 'image/png'], response: { 200: z.string().describe('the scan as uploaded (PDF, JPEG or PNG)') } } },
    async (request, reply) => {
      const file = await service.scan(actorOf(request), request.params.id);
      return reply
        .type(file.mime)
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .header('x-content-type-options', 'nosniff')
        .send(file.stream as unknown as string);
    },
  );
}
