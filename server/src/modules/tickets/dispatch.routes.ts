import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { idParams, page, pageQuery } from '../../platform/http/zod.js';
import type { DispatchRuleService } from './dispatch.service.js';
import { dispatchMatchOut, dispatchMatchQuery, dispatchReorderBody, dispatchRuleCreate, dispatchRuleOut, dispatchRulePatch } from './schema.js';

const V1 = '/api/v1';
const tags = ['dispatch'];
const manage = { permission: 'dispatch.manage' };

const workloadOut = z.object({
  teamId: z.number(),
  teamName: z.string(),
  assignment: z.string(),
  /** "On duty": used Yunwei within this many minutes. */
  onDutyMinutes: z.number(),
  members: z.array(
    z.object({
      userId: z.number(),
      displayName: z.string(),
      isLead: z.boolean(),
      disabled: z.boolean(),
      /** Open tickets assigned (new … waiting). */
      open: z.number(),
      onDuty: z.boolean(),
      lastSeenAt: z.string().nullable(),
    }),
  ),
});

/** HTTP for dispatch rules (docs/TICKETS.md, "Dispatch"). */
export function dispatchRoutes(app: ZApp, service: DispatchRuleService) {
  app.get(
    `${V1}/dispatch-rules`,
    {
      config: { permission: 'tickets.dispatch' },
      schema: { tags, summary: 'Dispatch rules in the order they are tried (those for every customer and for the customers in scope)', querystring: pageQuery.omit({ q: true }), response: { 200: page(dispatchRuleOut) } },
    },
    async (request) => service.list(actorOf(request), request.query),
  );

  app.get(
    `${V1}/teams/:id/workload`,
    {
      config: { permission: 'tickets.dispatch' },
      schema: {
        tags,
        summary: 'A team\'s members with their open tickets and whether they are on duty (an active account that used Yunwei in the last 30 minutes; there is no duty roster)',
        params: idParams,
        response: { 200: workloadOut },
      },
    },
    async (request) => service.workload(actorOf(request), request.params.id),
  );

  app.get(
    `${V1}/dispatch-rules/match`,
    {
      config: { permission: 'tickets.dispatch' },
      schema: { tags, summary: 'Where a ticket with these facts would go: the rule and team, or the service desk\'s queue', querystring: dispatchMatchQuery, response: { 200: dispatchMatchOut } },
    },
    async (request) => {
      const { customerId, kind, service: svc, category, priority } = request.query;
      return service.match(actorOf(request), customerId, { kind, service: svc || null, category: category || null, priority: priority ?? '' });
    },
  );

  app.get(
    `${V1}/dispatch-rules/:id`,
    { config: { permission: 'tickets.dispatch' }, schema: { tags, summary: 'A dispatch rule', params: idParams, response: { 200: dispatchRuleOut } } },
    async (request) => service.get(actorOf(request), request.params.id),
  );

  app.post(
    `${V1}/dispatch-rules`,
    { config: manage, schema: { tags, summary: 'Add a rule (last, or at `position`)', body: dispatchRuleCreate, response: { 201: dispatchRuleOut } } },
    async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
  );

  app.patch(
    `${V1}/dispatch-rules/:id`,
    { config: manage, schema: { tags, summary: 'Change a rule (send the version read)', params: idParams, body: dispatchRulePatch, response: { 200: dispatchRuleOut } } },
    async (request) => service.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    `${V1}/dispatch-rules/:id`,
    { config: manage, schema: { tags, summary: 'Delete a rule', params: idParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${V1}/dispatch-rules/reorder`,
    {
      config: manage,
      schema: { tags, summary: 'Put every rule in a new order (all ids, each once; a rule added or removed meanwhile → 409)', body: dispatchReorderBody, response: { 200: page(dispatchRuleOut) } },
    },
    async (request) => service.reorder(actorOf(request), request.body.ids),
  );
}
