import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { idParams } from '../../platform/http/zod.js';
import { providerNameOf } from '../../platform/settings/index.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import { renderOrderPdf } from './pdf.js';
import * as repo from './repo.js';
import {
  acceptBody,
  cancelBody,
  olaQuery,
  orderCreate,
  orderListQuery,
  orderOut,
  orderPageOut,
  orderPatch,
  orderSummaryOut,
  progressBody,
  rejectBody,
  responseBody,
  returnBody,
  sendBody,
  standinBody,
  vendorInput,
  vendorListQuery,
  vendorOlaOut,
  vendorOut,
  vendorPatch,
} from './schema.js';
import type { RepairOrderService } from './service.js';
import type { VendorService } from './vendors.js';

const V1 = '/api/v1';
const tags = ['repairs'];
/** Orders are read by provider staff with repairs.read and by a customer's staff (their own, read-only): the service tells them apart. */
const readOrders = { permission: 'tickets.read' };
const read = { permission: 'repairs.read' };
const write = { permission: 'repairs.write' };
const O = `${V1}/repair-orders`;
const VEN = `${V1}/vendors`;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface RepairServices {
  orders: RepairOrderService;
  vendors: VendorService;
  db: Db;
  config: Config;
  font: FontChoice;
}

/** HTTP for vendor repairs (docs/REPAIRS.md). */
export function repairRoutes(app: ZApp, s: RepairServices) {
  // ---------------------------------------------------------------- vendors
  app.get(VEN, { config: read, schema: { tags, summary: 'Vendors (provider-wide), by name', querystring: vendorListQuery, response: { 200: z.array(vendorOut) } } }, async (request) =>
    s.vendors.list(actorOf(request), request.query),
  );
  app.post(VEN, { config: write, schema: { tags, summary: 'A vendor with its contacts and commitments (response hours, repair working days: its underpinning contract); the name is unique', body: vendorInput, response: { 201: vendorOut } } }, async (request, reply) =>
    reply.status(201).send(await s.vendors.create(actorOf(request), request.body)),
  );
  app.get(
    `${VEN}/ola`,
    { config: read, schema: { tags, summary: 'Every vendor\'s commitments measured like an OLA over a period (orders by their sending; local days in Asia/Shanghai): share answered and returned within target', querystring: olaQuery, response: { 200: z.array(vendorOlaOut) } } },
    async (request) => s.vendors.ola(actorOf(request), request.query),
  );
  app.get(`${VEN}/:id`, { config: read, schema: { tags, summary: 'One vendor', params: idParams, response: { 200: vendorOut } } }, async (request) => s.vendors.get(actorOf(request), request.params.id));
  app.patch(`${VEN}/:id`, { config: write, schema: { tags, summary: 'Edit a vendor (send the version read; a stale one is a 409); `disabled` hides it from new orders', params: idParams, body: vendorPatch, response: { 200: vendorOut } } }, async (request) =>
    s.vendors.update(actorOf(request), request.params.id, request.body),
  );
  app.get(
    `${VEN}/:id/ola`,
    { config: read, schema: { tags, summary: 'One vendor\'s commitments measured like an OLA over a period', params: idParams, querystring: olaQuery, response: { 200: vendorOlaOut } } },
    async (request) => (await s.vendors.ola(actorOf(request), { ...request.query, vendorId: request.params.id }))[0],
  );

  // ---------------------------------------------------------------- orders
  app.get(O, { config: readOrders, schema: { tags, summary: 'Send-for-repair orders in the caller\'s scope, newest first (keyset); `state` (comma-separated, `open`), `overdue=1`', querystring: orderListQuery, response: { 200: orderPageOut } } }, async (request) =>
    s.orders.list(actorOf(request), request.query),
  );
  app.get(
    `${V1}/repair-orders.xlsx`,
    { config: readOrders, schema: { tags, summary: 'The filtered list as an Excel workbook (at most 10,000 orders)', querystring: orderListQuery.omit({ limit: true, cursor: true }), produces: [XLSX], response: { 200: z.string().describe('the workbook') } } },
    async (request, reply) => {
      const bytes = await s.orders.xlsx(actorOf(request), { ...request.query, limit: 200 });
      return reply.type(XLSX).header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent('设备送修单.xlsx')}`).send(bytes as unknown as string);
    },
  );
  app.post(
    O,
    { config: write, schema: { tags, summary: 'A send-for-repair order (设备送修单) from a ticket: refused without the user-data confirmation `dataHandling`; `send: true` sends it at once', body: orderCreate, response: { 201: orderOut } } },
    async (request, reply) => reply.status(201).send(await s.orders.create(actorOf(request), request.body)),
  );
  app.get(`${O}/:id`, { config: readOrders, schema: { tags, summary: 'One order with its progress reports and history', params: idParams, response: { 200: orderOut } } }, async (request) => s.orders.get(actorOf(request), request.params.id));
  app.get(
    `${O}/:id/pdf`,
    { config: readOrders, schema: { tags, summary: 'The 设备送修单 as a PDF (Chinese, A4) to hand over with the device', params: idParams, produces: ['application/pdf'], response: { 200: z.string().describe('the PDF') } } },
    async (request, reply) => {
      const actor = actorOf(request);
      const order = await s.orders.get(actor, request.params.id);
      const vendor = await repo.findVendor(s.db, order.vendorId);
      const contacts = vendor ? (JSON.parse(vendor.contacts) as Array<{ name: string; phone: string | null }>) : [];
      const pdf = await renderOrderPdf(order, { providerName: await providerNameOf(s.db, s.config), vendorAddress: vendor?.address ?? null, vendorContact: contacts[0] ? `${contacts[0].name} ${contacts[0].phone ?? ''}`.trim() : null }, s.font);
      return reply.type('application/pdf').header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(`设备送修单-${order.number}.pdf`)}`).send(pdf as unknown as string);
    },
  );
  app.patch(`${O}/:id`, { config: write, schema: { tags, summary: 'Edit an order (fault, RMA, expected return, coverage, serial; the vendor of a draft)', params: idParams, body: orderPatch, response: { 200: orderOut } } }, async (request) =>
    s.orders.patch(actorOf(request), request.params.id, request.body),
  );
  app.post(`${O}/:id/send`, { config: write, schema: { tags, summary: 'Send the device (draft → sent): the target return and the progress clock start; the ticket waits on the vendor', params: idParams, body: sendBody, response: { 200: orderOut } } }, async (request) =>
    s.orders.send(actorOf(request), request.params.id, request.body),
  );
  app.post(`${O}/:id/vendor-response`, { config: write, schema: { tags, summary: 'The vendor answered (its first answer is the UC\'s response measure)', params: idParams, body: responseBody, response: { 200: orderOut } } }, async (request) =>
    s.orders.respond(actorOf(request), request.params.id, request.body),
  );
  app.post(
    `${O}/:id/progress`,
    { config: write, schema: { tags, summary: 'A written progress report: late when after its due instant; the clock counts again from it; mailed to the ticket\'s contact and a public reply on the ticket', params: idParams, body: progressBody, response: { 201: orderOut } } },
    async (request, reply) => reply.status(201).send(await s.orders.report(actorOf(request), request.params.id, request.body)),
  );
  app.post(`${O}/:id/return`, { config: write, schema: { tags, summary: 'The device came back (the clock stops; the test follows)', params: idParams, body: returnBody, response: { 200: orderOut } } }, async (request) =>
    s.orders.returned(actorOf(request), request.params.id, request.body),
  );
  app.post(`${O}/:id/accept`, { config: write, schema: { tags, summary: 'Tested and taken back: closes the order (cost required for a paid repair); the ticket resumes', params: idParams, body: acceptBody, response: { 200: orderOut } } }, async (request) =>
    s.orders.accept(actorOf(request), request.params.id, request.body),
  );
  app.post(`${O}/:id/reject`, { config: write, schema: { tags, summary: 'The test failed: sent back to the vendor (the clock runs again)', params: idParams, body: rejectBody, response: { 200: orderOut } } }, async (request) =>
    s.orders.reject(actorOf(request), request.params.id, request.body),
  );
  app.post(`${O}/:id/cancel`, { config: write, schema: { tags, summary: 'Cancel an order not yet returned (with a reason); the ticket resumes when nothing else is out', params: idParams, body: cancelBody, response: { 200: orderOut } } }, async (request) =>
    s.orders.cancel(actorOf(request), request.params.id, request.body),
  );

  app.post(
    `${O}/:id/standin`,
    { config: write, schema: { tags, summary: 'Lend a stand-in machine (备机) to the order\'s customer while the device is away (through the parts module; needs parts.write too)', params: idParams, body: standinBody, response: { 200: orderOut } } },
    async (request) => s.orders.lendStandin(actorOf(request), request.params.id, request.body),
  );

  app.get(
    `${V1}/tickets/:id/repair-orders`,
    { config: readOrders, schema: { tags, summary: 'The send-for-repair orders of a ticket the caller may see (the ticket page\'s panel, the portal\'s too)', params: idParams, response: { 200: z.array(orderSummaryOut) } } },
    async (request) => s.orders.ofTicket(actorOf(request), request.params.id),
  );
}
