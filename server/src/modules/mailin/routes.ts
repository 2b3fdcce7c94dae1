import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams, page } from '../../platform/http/zod.js';
import { inboundOut, inboundQuery, mailboxCreate, mailboxOut, mailboxPatch, mailboxQuery, mailLogOut, mailLogQuery } from './schema.js';
import type { MailInService } from './service.js';

const V1 = '/api/v1';
/** Raw messages are taken under these types (an MTA pipe posts the message as it is). */
const RAW_TYPES = ['message/rfc822', 'application/octet-stream'];

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/** HTTP of inbound email: the raw-message intake (mail.inbound), mailboxes and the log (mail.manage). */
export function mailInRoutes(app: ZApp, service: MailInService, maxBytes: number) {
  const manage = { permission: 'mail.manage' };
  const tags = ['mail-in'];

  app.get(`${V1}/mail/mailboxes`, { config: manage, schema: { tags, summary: 'Service mailboxes (inbound email addresses) in the caller\'s scope', querystring: mailboxQuery, response: { 200: page(mailboxOut) } } }, async (request) =>
    service.listMailboxes(actorOf(request), request.query),
  );
  app.post(`${V1}/mail/mailboxes`, { config: manage, schema: { tags, summary: 'Add a service mailbox', body: mailboxCreate, response: { 201: mailboxOut } } }, async (request, reply) =>
    reply.status(201).send(await service.createMailbox(actorOf(request), request.body)),
  );
  app.get(`${V1}/mail/mailboxes/:id`, { config: manage, schema: { tags, summary: 'One service mailbox', params: idParams, response: { 200: mailboxOut } } }, async (request) =>
    service.getMailbox(actorOf(request), request.params.id),
  );
  app.patch(
    `${V1}/mail/mailboxes/:id`,
    { config: manage, schema: { tags, summary: 'Change a service mailbox (send the version you read)', params: idParams, body: mailboxPatch, response: { 200: mailboxOut } } },
    async (request) => service.updateMailbox(actorOf(request), request.params.id, request.body),
  );
  app.delete(`${V1}/mail/mailboxes/:id`, { config: manage, schema: { tags, summary: 'Delete a service mailbox (its mail stays in the log)', params: idParams, response: { 204: z.null() } } }, async (request, reply) => {
    await service.deleteMailbox(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  app.get(`${V1}/mail/log`, { config: manage, schema: { tags, summary: 'Received mail and what came of it, newest first', querystring: mailLogQuery, response: { 200: page(mailLogOut) } } }, async (request) =>
    service.listLog(actorOf(request), request.query),
  );
  app.get(`${V1}/mail/log/:id`, { config: manage, schema: { tags, summary: 'One received mail', params: idParams, response: { 200: mailLogOut } } }, async (request) => service.getLog(actorOf(request), request.params.id));

  // The raw-message intake, for an MTA or fetchmail pipe: its own body parser and size limit.
  app.register(async (raw) => {
    raw.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    (raw as unknown as ZApp).post(
      `${V1}/mail/inbound`,
      {
        bodyLimit: maxBytes,
        config: { permission: 'mail.inbound', bodyLimitLabel: megabytes(maxBytes) },
        schema: {
          tags,
          summary: 'Deliver one raw RFC 822 message (Content-Type: message/rfc822), as the SMTP listener would receive it',
          description: 'For an MTA or fetchmail pipe, with an API token limited to the `mail.inbound` scope. The answer says what came of the message (docs/MAIL-IN.md); a message that cannot be read is a 400 naming `body`.',
          querystring: inboundQuery,
          response: { 200: inboundOut },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw AppError.field('body', 'mailin.rawRequired');
        const actor = actorOf(request);
        const out = await service.receive(body, { via: 'api', rcptTo: request.query.recipient ? [request.query.recipient] : [], scope: actor.scope }, request.locale);
        if (out.reason === 'malformed') throw AppError.field('body', 'mailin.malformed', { detail: out.reasonText ?? '' });
        return out;
      },
    );
  });
}
