import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams, page } from '../../platform/http/zod.js';
import { ATTACHMENT_LIMIT_LABEL, MAX_ATTACHMENT_BYTES } from './files.js';
import {
  actionBody,
  actionParams,
  bulkAssignBody,
  complaintBody,
  confirmBody,
  escalateBody,
  fileParams,
  linkBody,
  linkParams,
  listQuery,
  ratingBody,
  ratingOut,
  rejectBody,
  replyBody,
  ticketCreate,
  ticketListItemOut,
  ticketOut,
  ticketPatch,
  timelineEventOut,
  VISIBILITIES,
  visitBody,
  worklogBody,
} from './schema.js';
import type { TicketService } from './service.js';

const V1 = '/api/v1';
const tags = ['tickets'];
const read = { permission: 'tickets.read' };
const write = { permission: 'tickets.write' };

/** HTTP for tickets (docs/TICKETS.md, docs/API.md). */
export function ticketRoutes(app: ZApp, service: TicketService) {
  app.post(
    `${V1}/tickets`,
    {
      config: write,
      schema: {
        tags,
        summary: 'Report a ticket (number, priority from the contract\'s matrix, SLA clocks from its policy)',
        body: ticketCreate,
        response: { 201: ticketOut },
      },
    },
    async (request, reply) => reply.status(201).send(await service.create(actorOf(request), request.body)),
  );

  app.get(
    `${V1}/tickets`,
    {
      config: read,
      schema: {
        tags,
        summary: 'Queues and searches: filters, sort by SLA due instant (sla) or newest first (-reported), keyset pages',
        querystring: listQuery,
        response: { 200: page(ticketListItemOut) },
      },
    },
    async (request) => service.list(actorOf(request), request.query),
  );

  app.post(
    `${V1}/tickets/bulk-assign`,
    {
      config: { permission: 'tickets.dispatch' },
      schema: {
        tags,
        summary: 'Assign many tickets to a team and/or a person: all or none (409 names each ticket that cannot be assigned)',
        body: bulkAssignBody,
        response: { 200: z.object({ items: z.array(z.object({ id: z.number(), number: z.string(), state: z.string(), version: z.number() })) }) },
      },
    },
    async (request) => service.bulkAssign(actorOf(request), request.body),
  );

  app.get(
    `${V1}/tickets/:id`,
    { config: read, schema: { tags, summary: 'A ticket with its SLA clocks, allowed actions, timeline, links and attachments', params: idParams, response: { 200: ticketOut } } },
    async (request) => service.get(actorOf(request), request.params.id),
  );

  app.patch(
    `${V1}/tickets/:id`,
    {
      config: write,
      schema: { tags, summary: 'Re-prioritise (impact, urgency) or edit a ticket (send the version read)', params: idParams, body: ticketPatch, response: { 200: ticketOut } },
    },
    async (request) => service.patch(actorOf(request), request.params.id, request.body),
  );

  app.post(
    `${V1}/tickets/:id/actions/:action`,
    {
      config: write,
      schema: {
        tags,
        summary:
          'A lifecycle action: accept, decline {reason} (the assignee cannot attend: back to the team\'s queue), start, wait_customer, wait_vendor, resume, resolve {resolution}, close, reopen {reason}, cancel {reason}, assign {teamId?, assigneeId?}',
        params: actionParams,
        body: actionBody,
        response: { 200: ticketOut },
      },
    },
    async (request) => service.action(actorOf(request), request.params.id, request.params.action, request.body),
  );

  app.post(
    `${V1}/tickets/:id/confirm`,
    { config: write, schema: { tags, summary: 'The customer confirms the resolution: the ticket closes', params: idParams, body: confirmBody, response: { 200: ticketOut } } },
    async (request) => service.confirm(actorOf(request), request.params.id, request.body.version),
  );

  app.post(
    `${V1}/tickets/:id/reject`,
    { config: write, schema: { tags, summary: 'The customer rejects the resolution with a reason: the ticket is reopened', params: idParams, body: rejectBody, response: { 200: ticketOut } } },
    async (request) => service.reject(actorOf(request), request.params.id, request.body.reason, request.body.version),
  );

  app.post(
    `${V1}/tickets/:id/escalate`,
    {
      config: write,
      schema: {
        tags,
        summary: 'Escalate by hand with a reason: functional (to a team or person, default the second line; or to a vendor) or hierarchical (tells the project manager or a named manager)',
        params: idParams,
        body: escalateBody,
        response: { 200: ticketOut },
      },
    },
    async (request) => service.escalate(actorOf(request), request.params.id, request.body),
  );

  app.post(
    `${V1}/tickets/:id/rating`,
    {
      config: write,
      schema: {
        tags,
        summary: 'The customer rates a resolved or closed ticket 1–5, once; a score of 1 or 2 suggests a complaint',
        params: idParams,
        body: ratingBody,
        response: { 201: ratingOut.extend({ suggestComplaint: z.boolean() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.rate(actorOf(request), request.params.id, request.body)),
  );

  app.post(
    `${V1}/tickets/:id/complaint`,
    {
      config: write,
      schema: {
        tags,
        summary: 'The customer lodges a complaint about a ticket: a complaint ticket linked to it, routed to quality management',
        params: idParams,
        body: complaintBody,
        response: { 201: ticketOut },
      },
    },
    async (request, reply) => reply.status(201).send(await service.complain(actorOf(request), request.params.id, request.body.text)),
  );

  app.post(
    `${V1}/tickets/:id/replies`,
    {
      config: write,
      schema: { tags, summary: 'A public reply or an internal note, with @mentions (a customer\'s staff: public only)', params: idParams, body: replyBody, response: { 201: timelineEventOut } },
    },
    async (request, reply) => reply.status(201).send(await service.reply(actorOf(request), request.params.id, request.body)),
  );

  app.post(
    `${V1}/tickets/:id/worklogs`,
    { config: write, schema: { tags, summary: 'Time spent (1–1440 minutes) and how (phone, remote, onsite)', params: idParams, body: worklogBody, response: { 201: timelineEventOut } } },
    async (request, reply) => reply.status(201).send(await service.worklog(actorOf(request), request.params.id, request.body)),
  );

  app.post(
    `${V1}/tickets/:id/visits`,
    {
      config: write,
      schema: { tags, summary: 'An on-site visit: depart, arrive (check-in: meets the on-site metric), leave with a result', params: idParams, body: visitBody, response: { 201: timelineEventOut } },
    },
    async (request, reply) => reply.status(201).send(await service.visit(actorOf(request), request.params.id, request.body)),
  );

  app.post(
    `${V1}/tickets/:id/links`,
    { config: write, schema: { tags, summary: 'Link another ticket (related, duplicates, caused_by, parent_of …; stored both ways)', params: idParams, body: linkBody, response: { 200: ticketOut } } },
    async (request) => service.addLink(actorOf(request), request.params.id, request.body.otherId, request.body.kind),
  );

  app.delete(
    `${V1}/tickets/:id/links/:otherId`,
    { config: write, schema: { tags, summary: 'Remove a link (both ways)', params: linkParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await service.removeLink(actorOf(request), request.params.id, request.params.otherId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${V1}/tickets/:id/attachments`,
    {
      config: { ...write, uploadLimit: MAX_ATTACHMENT_BYTES, bodyLimitLabel: ATTACHMENT_LIMIT_LABEL },
      schema: {
        tags,
        summary: 'Attach a file (multipart field "file", at most 20 MB; the type is read from the content)',
        consumes: ['multipart/form-data'],
        params: idParams,
        querystring: z.object({ visibility: z.enum(VISIBILITIES).default('public') }),
        response: { 201: timelineEventOut },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw AppError.field('file', 'tickets.attachment.required');
      const part = await request.file({ limits: { fileSize: MAX_ATTACHMENT_BYTES }, throwFileSizeLimit: false });
      if (!part || part.fieldname !== 'file') {
        part?.file.resume();
        throw AppError.field('file', 'tickets.attachment.required');
      }
      try {
        const item = await service.addAttachment(actorOf(request), request.params.id, request.query.visibility, { filename: part.filename, stream: part.file, truncated: () => part.file.truncated });
        return reply.status(201).send(item);
      } finally {
        // Refused before reading (no such ticket, closed …): the rest of the upload is discarded.
        part.file.resume();
      }
    },
  );

  app.get(
    `${V1}/tickets/:id/attachments/:fileId`,
    { config: read, schema: { tags, summary: 'Download an attachment', params: fileParams, produces: ['*/*'], response: { 200: z.string().describe('the file, with the media type read from its content at the upload') } } },
    async (request, reply) => {
      const file = await service.attachment(actorOf(request), request.params.id, request.params.fileId);
      return (
        reply
          .type(file.mime)
          .header('content-length', String(file.size))
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
          .header('x-content-type-options', 'nosniff')
          // A stream is sent as is (no serializer runs); the schema's string type only documents it.
          .send(file.stream as unknown as string)
      );
    },
  );
}
