import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { idParams, page, parseId } from '../../platform/http/zod.js';
import { isLocale } from '../../platform/i18n/index.js';
import type { SourceRow } from './repo.js';
import { alertLogOut, alertLogQuery, intakeOut, intakeParams, intakeQuery, rotateBody, sourceCreate, sourceListQuery, sourceOut, sourcePatch, sourceWithToken } from './schema.js';
import type { AlertService } from './service.js';

const V1 = '/api/v1';
const config = { permission: 'alerts.manage' };

/** A post of 1000 alerts with their labels and annotations fits comfortably. */
export const INTAKE_BODY_LIMIT = 8 * 1024 * 1024;

/** The token of a post: `Authorization: Bearer <token>`, else `?token=`. */
function tokenOf(request: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (m) return m[1];
  const q = (request.query as { token?: unknown } | undefined)?.token;
  return typeof q === 'string' && q ? q : undefined;
}

/** HTTP for monitoring alert intake (docs/ALERTS.md) and its administration (docs/API.md). */
export function alertRoutes(app: ZApp, service: AlertService) {
  const sources = new WeakMap<FastifyRequest, SourceRow>();

  app.post(
    `${V1}/alerts/:sourceId`,
    {
      // Authenticated by the source's token alone (no session, no CSRF), before the body is read.
      config: { public: true, bodyLimitLabel: '8 MB', textInput: 'strip' }, // NUL stripped by the parser, not refused (docs/ALERTS.md)
      bodyLimit: INTAKE_BODY_LIMIT,
      onRequest: async (request) => {
        const source = await service.authenticate(parseId((request.params as unknown as { sourceId?: string }).sourceId) ?? 0, tokenOf(request));
        if (isLocale(source.locale)) request.locale = source.locale;
        sources.set(request, source);
      },
      schema: {
        tags: ['alerts'],
        summary: 'Receive alerts from a monitoring system (Alertmanager webhook v4, Zabbix webhook, generic JSON; token of the source as Bearer or ?token=)',
        security: [],
        params: intakeParams,
        querystring: intakeQuery,
        response: { 200: intakeOut },
      },
    },
    async (request) => service.receive(sources.get(request)!, request.body),
  );

  const tags = ['alert sources'];

  app.get(
    `${V1}/alert-sources`,
    { config, schema: { tags, summary: 'Alert sources in the caller\'s scope', querystring: sourceListQuery, response: { 200: page(sourceOut) } } },
    async (request) => service.list(actorOf(request), request.query),
  );

  app.post(
    `${V1}/alert-sources`,
    { config, schema: { tags, summary: 'Add an alert source (the answer carries its token, shown this once)', body: sourceCreate, response: { 201: sourceWithToken } } },
    async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
  );

  app.get(`${V1}/alert-sources/:id`, { config, schema: { tags, summary: 'One alert source', params: idParams, response: { 200: sourceOut } } }, async (request) =>
    service.get(actorOf(request), request.params.id),
  );

  app.patch(
    `${V1}/alert-sources/:id`,
    { config, schema: { tags, summary: 'Change an alert source (send the version you read)', params: idParams, body: sourcePatch, response: { 200: sourceOut } } },
    async (request) => service.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    `${V1}/alert-sources/:id`,
    { config, schema: { tags, summary: 'Delete an alert source with its log (its tickets stay)', params: idParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${V1}/alert-sources/:id/rotate-token`,
    { config, schema: { tags, summary: 'Issue a new token (shown this once); the old one stops working', params: idParams, body: rotateBody, response: { 200: sourceWithToken } } },
    async (request) => service.rotateToken(actorOf(request), request.params.id, request.body.version),
  );

  app.get(
    `${V1}/alerts`,
    { config, schema: { tags, summary: 'Alerts received, newest first, with what was done about each (keyset pages)', querystring: alertLogQuery, response: { 200: page(alertLogOut) } } },
    async (request) => service.log(actorOf(request), request.query),
  );
}
