import { z } from 'zod';
import { PassThrough } from 'node:stream';
import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError, problemFromAppError } from '../../platform/http/errors.js';
import { idParams } from '../../platform/http/zod.js';
import type { CiService } from './cis.service.js';
import type { CiImportService } from './import.js';
import type { ImpactService } from './impact.service.js';
import type { CiLinkService } from './links.service.js';
import type { RelationService } from './relations.service.js';
import {
  ciCreate,
  ciListQuery,
  ciOut,
  ciPageOut,
  ciPatch,
  exportQuery,
  importOut,
  importQuery,
  templateQuery,
  historyOut,
  historyQuery,
  impactOut,
  impactQuery,
  lookupOut,
  lookupQuery,
  relatedOut,
  relationCreate,
  relationOut,
  relationsOut,
  retireBody,
  ticketCiParams,
  ticketCisBody,
  ticketCisOut,
  typeCreate,
  typeListQuery,
  typeOut,
  typePatch,
} from './schema.js';
import type { CiTypeService } from './types.service.js';

const V1 = '/api/v1';
const tags = ['cmdb'];
const read = { permission: 'cmdb.read' };
const write = { permission: 'cmdb.write' };
const manage = { permission: 'cmdb.manage' };
const noContent = { 204: z.null().describe('done') };
const versionBody = z.strictObject({ version: z.number().int().positive() });

export interface CmdbServices {
  types: CiTypeService;
  cis: CiService;
  relations: RelationService;
  impact: ImpactService;
  links: CiLinkService;
  imports: CiImportService;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const NDJSON = 'application/x-ndjson';

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
const attachment = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;

/** HTTP for the CMDB (docs/CMDB.md, "API"). Routes parse and shape; the services hold the rules. */
export function cmdbRoutes(app: ZApp, s: CmdbServices, ctx: ModuleContext) {
  // ------------------------------------------------------------ types
  const T = `${V1}/ci-types`;
  app.get(T, { config: read, schema: { tags, summary: 'CI types with their attribute definitions (includeDisabled=1: disabled ones too)', querystring: typeListQuery, response: { 200: z.array(typeOut) } } }, async (request) =>
    s.types.list(request.query.includeDisabled === '1'),
  );
  app.get(`${T}/:id`, { config: read, schema: { tags, summary: 'One CI type', params: idParams, response: { 200: typeOut } } }, async (request) => s.types.get(request.params.id));
  app.post(T, { config: manage, schema: { tags, summary: 'A new CI type with its attributes', body: typeCreate, response: { 201: typeOut } } }, async (request, reply) =>
    reply.status(201).send(await s.types.create(actorOf(request), request.body)),
  );
  app.patch(`${T}/:id`, {
    config: manage,
    schema: { tags, summary: 'Edit a CI type (send the version read); a rule that would make existing CIs invalid is refused with 409 naming them', params: idParams, body: typePatch, response: { 200: typeOut } },
  }, async (request) => s.types.update(actorOf(request), request.params.id, request.body));
  app.post(`${T}/:id/disable`, { config: manage, schema: { tags, summary: 'Disable a CI type: no new CIs of it (existing ones stay)', params: idParams, body: versionBody, response: { 200: typeOut } } }, async (request) =>
    s.types.setDisabled(actorOf(request), request.params.id, request.body.version, true),
  );
  app.post(`${T}/:id/enable`, { config: manage, schema: { tags, summary: 'Enable a disabled CI type again', params: idParams, body: versionBody, response: { 200: typeOut } } }, async (request) =>
    s.types.setDisabled(actorOf(request), request.params.id, request.body.version, false),
  );

  // ------------------------------------------------------------ CIs
  const C = `${V1}/cis`;
  app.get(C, {
    config: read,
    schema: { tags, summary: 'CIs in the caller\'s scope, newest first (keyset); q: code or IP beginning, serial, or words of the name', querystring: ciListQuery, response: { 200: ciPageOut } },
  }, async (request) => s.cis.list(actorOf(request), request.query));
  app.get(`${C}/lookup`, {
    config: read,
    schema: { tags, summary: 'The log-a-call drawer\'s CI search within one customer: code beginning, IP (exact or beginning), serial, host name, name contains; at most 20', querystring: lookupQuery, response: { 200: lookupOut } },
  }, async (request) => s.links.lookup(actorOf(request), request.query.customerId, request.query.q, request.query.limit));
  app.get(`${C}/import-template`, {
    config: write,
    schema: { tags, summary: 'The .xlsx import template: one sheet per CI type (or the one asked), common columns and the type\'s attributes with notes, an example row', querystring: templateQuery, produces: [XLSX], response: { 200: z.string().describe('.xlsx file') } },
  }, async (request, reply) => reply.type(XLSX).header('content-disposition', attachment('配置项导入模板.xlsx')).send((await s.imports.template(request.query.typeId)) as unknown as string));
  app.get(`${C}/export.xlsx`, {
    config: read,
    schema: { tags, summary: 'The filtered list as .xlsx (one sheet per CI type, importable again)', querystring: exportQuery, produces: [XLSX], response: { 200: z.string().describe('.xlsx file') } },
  }, async (request, reply) => reply.type(XLSX).header('content-disposition', attachment('配置项.xlsx')).send((await s.imports.export(actorOf(request), request.query)) as unknown as string));
  app.post(`${C}/import`, {
    config: { ...write, uploadLimit: ctx.config.uploadLimit, bodyLimitLabel: formatLimit(ctx.config.uploadLimit) },
    schema: {
      tags,
      summary: 'Import CIs from .xlsx (multipart "file"): one sheet per type or a 类型 column; every row or none, each problem naming its cell. Accept: application/x-ndjson streams progress lines and the result',
      consumes: ['multipart/form-data'],
      querystring: importQuery,
      produces: ['application/json', NDJSON],
      response: { 200: importOut },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    if (!request.isMultipart()) throw AppError.field('file', 'cmdb.import.required');
    const part = await request.file();
    if (!part || part.fieldname !== 'file') throw AppError.field('file', 'cmdb.import.required');
    let buf: Buffer;
    try {
      buf = await part.toBuffer();
    } catch (err) {
      if ((err as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw err;
      const limit = formatLimit(ctx.config.uploadLimit);
      throw new AppError(413, 'too_large', 'http.tooLarge', { limit }, [{ field: 'file', code: 'org.import.tooLarge', params: { limit } }]);
    }
    const opts = { customerId: request.query.customerId, dryRun: request.query.dryRun === '1' };
    if (!(request.headers.accept ?? '').includes(NDJSON)) return s.imports.import(actor, buf, opts);
    // Progress as JSON lines, then the result or the problem: no state kept between requests.
    const out = new PassThrough();
    const line = (v: unknown) => out.write(`${JSON.stringify(v)}\n`);
    void s.imports
      .import(actor, buf, opts, (p) => line(p))
      .then((result) => line({ done: true, result }))
      .catch((err: unknown) => {
        if (err instanceof AppError) line({ done: true, error: problemFromAppError(err, actor.locale) });
        else {
          request.log.error(err);
          line({ done: true, error: { status: 500, code: 'internal', title: 'internal' } });
        }
      })
      .finally(() => out.end());
    return reply.type(NDJSON).header('cache-control', 'no-store').send(out as unknown as z.input<typeof importOut>);
  });
  app.post(C, { config: write, schema: { tags, summary: 'A new CI (attributes checked against its type; unique code and serial)', body: ciCreate, response: { 201: ciOut } } }, async (request, reply) =>
    reply.status(201).send(await s.cis.create(actorOf(request), request.body)),
  );
  app.get(`${C}/:id`, { config: read, schema: { tags, summary: 'One CI with its attributes and addresses', params: idParams, response: { 200: ciOut } } }, async (request) => s.cis.get(actorOf(request), request.params.id));
  app.patch(`${C}/:id`, {
    config: write,
    schema: { tags, summary: 'Change a CI (send the version read; a stale one is a 409); attributes: the keys sent change, null removes', params: idParams, body: ciPatch, response: { 200: ciOut } },
  }, async (request) => s.cis.update(actorOf(request), request.params.id, request.body));
  app.post(`${C}/:id/retire`, {
    config: write,
    schema: { tags, summary: 'Retire a CI (kept with its history; assignees of open tickets naming it are told)', params: idParams, body: retireBody, response: { 200: ciOut } },
  }, async (request) => s.cis.retire(actorOf(request), request.params.id, request.body.version));
  app.delete(`${C}/:id`, {
    config: write,
    schema: { tags, summary: 'Delete a CI nothing names (tickets, relationships, assets, movements, repair orders); else 409 suggesting to retire it', params: idParams, response: noContent },
  }, async (request, reply) => {
    await s.cis.remove(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });
  app.get(`${C}/:id/history`, { config: read, schema: { tags, summary: 'Every change of the CI, newest first (who, when, before/after per field)', params: idParams, querystring: historyQuery, response: { 200: historyOut } } }, async (request) =>
    s.cis.history(actorOf(request), request.params.id, request.query),
  );

  // ------------------------------------------------------------ relations
  app.get(`${C}/:id/relations`, { config: read, schema: { tags, summary: 'The CI\'s relationships: outgoing (it is the source) and incoming', params: idParams, response: { 200: relationsOut } } }, async (request) =>
    s.relations.list(actorOf(request), request.params.id),
  );
  app.post(`${C}/:id/relations`, {
    config: write,
    schema: { tags, summary: 'Relate the CI to another CI of the same customer (direction out: it is the source); duplicates and cycles of runs_on/hosted_in/part_of refused', params: idParams, body: relationCreate, response: { 201: relationOut } },
  }, async (request, reply) => reply.status(201).send(await s.relations.add(actorOf(request), request.params.id, request.body)));
  app.delete(`${V1}/ci-relations/:id`, { config: write, schema: { tags, summary: 'Remove a relationship', params: idParams, response: noContent } }, async (request, reply) => {
    await s.relations.remove(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  // ------------------------------------------------------------ impact, related
  app.get(`${C}/:id/impact`, {
    config: read,
    schema: { tags, summary: 'Impact analysis: CIs affected if it fails (up), what it relies on (down) or both, to a depth; services, customers and open tickets concerned', params: idParams, querystring: impactQuery, response: { 200: impactOut } },
  }, async (request) => s.impact.impact(actorOf(request), request.params.id, request.query));
  app.get(`${C}/:id/related`, {
    config: read,
    schema: { tags, summary: 'The CI page\'s related records: its tickets (newest first), their repair reports and visits, repair orders and part movements naming it', params: idParams, response: { 200: relatedOut } },
  }, async (request) => s.links.related(actorOf(request), request.params.id));

  // ------------------------------------------------------------ tickets
  app.get(`${V1}/tickets/:id/cis`, { config: { permission: 'tickets.read' }, schema: { tags, summary: 'The CIs a ticket names (affected CIs)', params: idParams, response: { 200: ticketCisOut } } }, async (request) =>
    s.links.ticketCis(actorOf(request), request.params.id),
  );
  app.post(`${V1}/tickets/:id/cis`, {
    config: { permission: 'tickets.write' },
    schema: { tags, summary: 'Name more affected CIs on a ticket (CIs of the ticket\'s customer only)', params: idParams, body: ticketCisBody, response: { 200: ticketCisOut } },
  }, async (request) => s.links.addTicketCis(actorOf(request), request.params.id, request.body.ciIds));
  app.delete(`${V1}/tickets/:id/cis/:ciId`, { config: { permission: 'tickets.write' }, schema: { tags, summary: 'Stop naming a CI on a ticket', params: ticketCiParams, response: noContent } }, async (request, reply) => {
    await s.links.removeTicketCi(actorOf(request), request.params.id, request.params.ciId);
    return reply.status(204).send(null);
  });
}

