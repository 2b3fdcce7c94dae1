import { z } from 'zod';
import { actorOf, type ZApp } from '../../../platform/http/context.js';
import { idParams } from '../../../platform/http/zod.js';
import { exportCreate, exportList, exportListQuery, exportOut } from './schema.js';
import type { EvidenceService } from './service.js';

const V1 = '/api/v1';
const tags = ['evidence'];
const perm = { permission: 'evidence.export' };

/** HTTP for evidence packs (docs/EVIDENCE.md): start an export, watch its progress, download the zip, cancel. */
export function evidenceRoutes(app: ZApp, service: EvidenceService) {
  app.post(
    `${V1}/evidence-exports`,
    { config: perm, schema: { tags, summary: 'Start building a customer\'s evidence pack for an ended period (a background job; poll the export for progress)', body: exportCreate, response: { 202: exportOut } } },
    async (request, reply) => reply.status(202).send(await service.start(actorOf(request), request.body)),
  );

  app.get(
    `${V1}/evidence-exports`,
    { config: perm, schema: { tags, summary: 'Evidence exports in the caller\'s customer scope, newest first', querystring: exportListQuery, response: { 200: exportList } } },
    async (request) => service.list(actorOf(request), request.query),
  );

  app.get(
    `${V1}/evidence-exports/:id`,
    { config: perm, schema: { tags, summary: 'One export: its state and progress (done of total files)', params: idParams, response: { 200: exportOut } } },
    async (request) => service.get(actorOf(request), request.params.id),
  );

  app.post(
    `${V1}/evidence-exports/:id/cancel`,
    { config: perm, schema: { tags, summary: 'Stop an export that is queued or running', params: idParams, response: { 200: exportOut } } },
    async (request) => service.cancel(actorOf(request), request.params.id),
  );

  app.get(
    `${V1}/evidence-exports/:id/download`,
    {
      config: perm,
      schema: { tags, summary: 'The finished pack (zip); 409 while it is being built', params: idParams, produces: ['application/zip'], response: { 200: z.string().describe('the zip') } },
    },
    async (request, reply) => {
      const file = await service.download(actorOf(request), request.params.id);
      return (
        reply
          .type('application/zip')
          .header('content-length', String(file.size))
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
          .header('cache-control', 'private, no-store')
          // A stream is sent as is (no serializer runs); the schema's string type only documents it.
          .send(file.stream as unknown as string)
      );
    },
  );
}
