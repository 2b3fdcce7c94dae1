import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { idParams } from '../../platform/http/zod.js';
import {
  adjustBody,
  itemOut,
  itemsQuery,
  lendBody,
  lendReturnBody,
  minBody,
  modelInput,
  modelOut,
  modelPatch,
  modelsQuery,
  monthlyOut,
  monthlyQuery,
  movementOut,
  movementPageOut,
  movementsQuery,
  requisitionBody,
  returnBody,
  scrapBody,
  slipOut,
  stockInBody,
  stockOut,
  stockQuery,
  ticketPartOut,
  transferBody,
  warehouseInput,
  warehouseOut,
  warehousePatch,
  warehousesQuery,
} from './schema.js';
import type { PartsService } from './service.js';

const V1 = '/api/v1';
const tags = ['parts'];
const read = { permission: 'parts.read' };
const write = { permission: 'parts.write' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendFile(reply: FastifyReply, type: string, file: { name: string; bytes: Buffer }, disposition: 'inline' | 'attachment') {
  return reply
    .type(type)
    .header('content-length', String(file.bytes.length))
    .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
    .header('cache-control', 'private, no-store')
    .send(file.bytes as unknown as string);
}

/** HTTP for spare parts (docs/PARTS.md). */
export function partsRoutes(app: ZApp, s: PartsService) {
  // ---- models
  app.get(`${V1}/part-models`, { config: read, schema: { tags, summary: 'Part models (type, brand, model, unit), by type', querystring: modelsQuery, response: { 200: z.array(modelOut) } } }, async (request) => s.listModels(actorOf(request), request.query));
  app.post(`${V1}/part-models`, { config: write, schema: { tags, summary: 'A new part model; type + brand + model is unique (409 naming model)', body: modelInput, response: { 201: modelOut } } }, async (request, reply) =>
    reply.status(201).send(await s.createModel(actorOf(request), request.body)),
  );
  app.patch(`${V1}/part-models/:id`, { config: write, schema: { tags, summary: 'Edit or disable a part model (send the version read)', params: idParams, body: modelPatch, response: { 200: modelOut } } }, async (request) =>
    s.patchModel(actorOf(request), request.params.id, request.body),
  );

  // ---- warehouses
  app.get(`${V1}/warehouses`, { config: read, schema: { tags, summary: "Warehouses in the caller's scope: the provider's depots and customers' stores", querystring: warehousesQuery, response: { 200: z.array(warehouseOut) } } }, async (request) =>
    s.listWarehouses(actorOf(request), request.query),
  );
  app.post(`${V1}/warehouses`, { config: write, schema: { tags, summary: "A depot (kind depot) or a store at a customer's site (kind customer, customerId)", body: warehouseInput, response: { 201: warehouseOut } } }, async (request, reply) =>
    reply.status(201).send(await s.createWarehouse(actorOf(request), request.body)),
  );
  app.patch(`${V1}/warehouses/:id`, { config: write, schema: { tags, summary: 'Rename, move to a site, or disable a warehouse', params: idParams, body: warehousePatch, response: { 200: warehouseOut } } }, async (request) =>
    s.patchWarehouse(actorOf(request), request.params.id, request.body),
  );

  // ---- stock and items
  app.get(`${V1}/part-stock`, { config: read, schema: { tags, summary: 'Stock per warehouse and model with its minimum (low=1: under the minimum)', querystring: stockQuery, response: { 200: z.array(stockOut) } } }, async (request) =>
    s.listStock(actorOf(request), request.query),
  );
  app.put(`${V1}/part-stock/minimum`, { config: write, schema: { tags, summary: 'The minimum quantity of a model at a warehouse (under it, the parts managers are told once)', body: minBody, response: { 200: stockOut } } }, async (request) =>
    s.setMinimum(actorOf(request), request.body),
  );
  app.get(`${V1}/part-items`, { config: read, schema: { tags, summary: 'Serial-tracked units (standin=1: stand-in machines; overdue=1: lent past their due-back date)', querystring: itemsQuery, response: { 200: z.array(itemOut) } } }, async (request) =>
    s.listItems(actorOf(request), request.query),
  );
  app.get(`${V1}/part-items/:id`, { config: read, schema: { tags, summary: 'One serial-tracked unit', params: idParams, response: { 200: itemOut } } }, async (request) => s.getItem(actorOf(request), request.params.id));
  app.post(`${V1}/part-items/:id/return`, { config: write, schema: { tags, summary: 'A lent stand-in machine (备机) comes back to a warehouse', params: idParams, body: lendReturnBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.lendReturn(actorOf(request), request.params.id, request.body)),
  );

  // ---- movements
  app.get(`${V1}/part-movements`, { config: read, schema: { tags, summary: 'The ledger, newest first (keyset); from/to are local days of the customer (Asia/Shanghai without one)', querystring: movementsQuery, response: { 200: movementPageOut } } }, async (request) =>
    s.listMovements(actorOf(request), request.query),
  );
  app.post(`${V1}/part-movements/stock-in`, { config: write, schema: { tags, summary: 'Stock in (入库); serials for a serial-tracked model', body: stockInBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.stockIn(actorOf(request), request.body)),
  );
  app.post(`${V1}/part-movements/return-faulty`, { config: write, schema: { tags, summary: 'The faulty part removed on a ticket comes back (state faulty)', body: returnBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.returnFaulty(actorOf(request), request.body)),
  );
  app.post(`${V1}/part-movements/return-unused`, { config: write, schema: { tags, summary: 'Parts requisitioned for a ticket and not used go back to stock', body: returnBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.returnUnused(actorOf(request), request.body)),
  );
  app.post(`${V1}/part-movements/transfer`, { config: write, schema: { tags, summary: 'Transfer between warehouses (never between two customers\' stores)', body: transferBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.transfer(actorOf(request), request.body)),
  );
  app.post(`${V1}/part-movements/lend`, { config: write, schema: { tags, summary: 'Lend a stand-in machine (备机) to a customer until dueBack', body: lendBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.lend(actorOf(request), request.body)),
  );
  app.post(`${V1}/part-movements/adjust`, { config: write, schema: { tags, summary: 'Stock count correction (盘点调整): the counted quantity and the reason', body: adjustBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.adjust(actorOf(request), request.body)),
  );
  app.post(`${V1}/part-movements/scrap`, { config: write, schema: { tags, summary: 'Scrap (报废) units on the shelf or faulty ones', body: scrapBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.scrap(actorOf(request), request.body)),
  );
  app.get(`${V1}/part-movements/monthly`, { config: read, schema: { tags, summary: "A customer's movements in a month of his zone, totals per model and his stores' stock to top up", querystring: monthlyQuery, response: { 200: monthlyOut } } }, async (request) =>
    s.monthly(actorOf(request), request.query.customerId, request.query.month),
  );
  app.get(`${V1}/part-movements/monthly.xlsx`, { config: read, schema: { tags, summary: 'The monthly list as an Excel workbook', querystring: monthlyQuery, produces: [XLSX], response: { 200: z.string().describe('the workbook') } } }, async (request, reply) =>
    sendFile(reply, XLSX, await s.monthlyXlsx(actorOf(request), request.query.customerId, request.query.month), 'attachment'),
  );
  app.get(`${V1}/part-movements/monthly.pdf`, { config: read, schema: { tags, summary: 'The monthly list as a PDF', querystring: monthlyQuery, produces: ['application/pdf'], response: { 200: z.string().describe('the PDF') } } }, async (request, reply) =>
    sendFile(reply, 'application/pdf', await s.monthlyPdf(actorOf(request), request.query.customerId, request.query.month), 'inline'),
  );
  app.get(`${V1}/part-movements/:id/slip`, { config: read, schema: { tags, summary: 'The slip a movement belongs to (every line of its number)', params: idParams, response: { 200: slipOut } } }, async (request) => s.slip(actorOf(request), request.params.id));

  // ---- requisitions (备件领用单)
  app.post(`${V1}/part-requisitions`, { config: write, schema: { tags, summary: 'A requisition (备件领用单, LY-yyyymm-nnnn) against a ticket: lines taken only if in stock', body: requisitionBody, response: { 201: slipOut } } }, async (request, reply) =>
    reply.status(201).send(await s.requisition(actorOf(request), request.body)),
  );
  app.get(`${V1}/part-requisitions/:id/pdf`, { config: read, schema: { tags, summary: 'The 备件领用单 of a movement as the PDF the customer signs', params: idParams, produces: ['application/pdf'], response: { 200: z.string().describe('the PDF') } } }, async (request, reply) =>
    sendFile(reply, 'application/pdf', await s.slipPdf(actorOf(request), request.params.id), 'inline'),
  );
  app.get(`${V1}/tickets/:id/part-movements`, { config: read, schema: { tags, summary: "The ticket's part movements (its requisitions and returns), oldest first", params: idParams, response: { 200: z.array(movementOut) } } }, async (request) =>
    s.ticketMovements(actorOf(request), request.params.id),
  );
  app.get(`${V1}/tickets/:id/parts-used`, { config: read, schema: { tags, summary: 'The parts the ticket holds (requisitioned less returned unused): the repair report\'s parts list', params: idParams, response: { 200: z.array(ticketPartOut) } } }, async (request) =>
    s.ticketPartsFor(actorOf(request), request.params.id),
  );
}
