import { z } from 'zod';
import type { ZApp } from '../http/context.js';
import { actorOf } from '../http/context.js';
import { idParams, page } from '../http/zod.js';
import { deliveryOut, deliveryQuery, inboxQuery, notificationOut, prefsBody, prefsOut, webhookCreate, webhookOut, webhookPatch } from './schema.js';
import type { NotificationService, WebhookService } from './service.js';

/** The caller's inbox and preferences (any logged-in user), webhooks and deliveries (integrations.manage). */
export function notificationRoutes(app: ZApp, inbox: NotificationService) {
  // The caller's own inbox: sessions, and API tokens with the `account` scope (docs/SECURITY.md).
  const config = { self: 'account' } as const;
  const tags = ['notifications'];

  app.get(
    '/api/v1/notifications',
    { config, schema: { tags, summary: 'My notifications, newest first (`unread=true`: unread only)', querystring: inboxQuery, response: { 200: page(notificationOut) } } },
    async (request) => inbox.list(actorOf(request), request.query),
  );

  app.get('/api/v1/notifications/unread-count', { config, schema: { tags, summary: 'How many of my notifications are unread', response: { 200: z.object({ count: z.number() }) } } }, async (request) => ({
    count: await inbox.unreadCount(actorOf(request)),
  }));

  app.post(
    '/api/v1/notifications/read-all',
    { config, schema: { tags, summary: 'Mark all my notifications read', response: { 200: z.object({ updated: z.number() }) } } },
    async (request) => ({ updated: await inbox.markAllRead(actorOf(request)) }),
  );

  app.get('/api/v1/notifications/prefs', { config, schema: { tags, summary: 'My channels per event (defaults: every channel)', response: { 200: prefsOut } } }, async (request) => inbox.prefs(actorOf(request)));

  app.put(
    '/api/v1/notifications/prefs',
    { config, schema: { tags, summary: 'Set my channels for the events given (an empty list turns an event off)', body: prefsBody, response: { 200: prefsOut } } },
    async (request) => inbox.setPrefs(actorOf(request), request.body),
  );

  app.post(
    '/api/v1/notifications/:id/read',
    { config, schema: { tags, summary: 'Mark one of my notifications read', params: idParams, response: { 200: notificationOut } } },
    async (request) => inbox.markRead(actorOf(request), request.params.id),
  );
}

export function webhookRoutes(app: ZApp, webhooks: WebhookService) {
  const config = { permission: 'integrations.manage' };
  const tags = ['webhooks'];

  app.get(
    '/api/v1/webhooks',
    { config, schema: { tags, summary: 'Outbound webhooks', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() }), response: { 200: page(webhookOut) } } },
    async (request) => webhooks.list(actorOf(request), request.query),
  );

  app.get('/api/v1/webhooks/:id', { config, schema: { tags, summary: 'One webhook', params: idParams, response: { 200: webhookOut } } }, async (request) => webhooks.get(actorOf(request), request.params.id));

  app.post('/api/v1/webhooks', { config, schema: { tags, summary: 'Add a webhook', body: webhookCreate, response: { 201: webhookOut } } }, async (request, reply) =>
    reply.status(201).send(await webhooks.create(actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/webhooks/:id',
    { config, schema: { tags, summary: 'Change a webhook (send the version you read; `secret: null` removes the secret)', params: idParams, body: webhookPatch, response: { 200: webhookOut } } },
    async (request) => webhooks.update(actorOf(request), request.params.id, request.body),
  );

  app.delete('/api/v1/webhooks/:id', { config, schema: { tags, summary: 'Delete a webhook (its deliveries stay in the log)', params: idParams, response: { 204: z.null() } } }, async (request, reply) => {
    await webhooks.remove(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  app.post(
    '/api/v1/webhooks/:id/test',
    { config, schema: { tags, summary: 'Send a test message now and answer with its delivery', params: idParams, response: { 200: deliveryOut } } },
    async (request) => webhooks.test(actorOf(request), request.params.id),
  );

  app.get(
    '/api/v1/deliveries',
    { config, schema: { tags, summary: 'Recent mail and webhook deliveries with their status, newest first', querystring: deliveryQuery, response: { 200: page(deliveryOut) } } },
    async (request) => webhooks.deliveries(actorOf(request), request.query),
  );
}
