import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams } from '../../platform/http/zod.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import { providerNameOf } from '../../platform/settings/index.js';
import { MAX_PHOTO_BYTES, type CampaignService } from './campaigns.js';
import { renderCampaignPdf, renderCampaignXlsx } from './documents.js';
import { MAX_LABELS, renderLabels } from './labels.js';
import {
  assetInput,
  assetOut,
  assetPageOut,
  campaignCreate,
  campaignListQuery,
  campaignOut,
  campaignPageOut,
  campaignVersionBody,
  checkBody,
  checkOut,
  ciItemParams,
  decideBody,
  disposeBody,
  exportQuery,
  historyOut,
  itemOut,
  itemPageOut,
  itemsQuery,
  labelsQuery,
  listQuery,
} from './schema.js';
import { assetUrl, type AssetService } from './service.js';

const V1 = '/api/v1';
const tags = ['assets'];
const read = { permission: 'cmdb.read' };
const write = { permission: 'cmdb.write' };
const A = `${V1}/assets`;
const C = `${V1}/asset-campaigns`;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface AssetServices {
  db: Db;
  config: Config;
  font: () => FontChoice;
  assets: AssetService;
  campaigns: CampaignService;
}

/** The web app's origin for absolute links: PUBLIC_URL, else the address the request came to. */
export function baseOf(config: Config, request: FastifyRequest): string {
  return config.publicUrl ?? `${request.protocol}://${request.host}`;
}

function download(reply: FastifyReply, type: string, name: string, bytes: Buffer, inline = false) {
  return reply
    .type(type)
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`)
    .header('cache-control', 'private, no-store')
    .send(bytes as unknown as string);
}

/** HTTP for assets, asset tags and verification campaigns (docs/ASSETS.md). */
export function assetRoutes(app: ZApp, s: AssetServices) {
  app.get(A, { config: read, schema: { tags, summary: 'Assets in scope by asset number (keyset), filtered by customer, site, warranty, disposal or text', querystring: listQuery, response: { 200: assetPageOut } } }, async (request) =>
    s.assets.list(actorOf(request), request.query),
  );

  app.get(
    `${A}/export.xlsx`,
    { config: read, schema: { tags, summary: 'The filtered asset register as an Excel workbook', querystring: exportQuery, produces: [XLSX], response: { 200: z.string().describe('the workbook') } } },
    async (request, reply) => download(reply, XLSX, '资产台账.xlsx', await s.assets.exportXlsx(actorOf(request), request.query)),
  );

  app.get(
    `${A}/labels.pdf`,
    {
      config: read,
      schema: { tags, summary: 'Asset tags (资产标签) with QR codes to the asset page: `ciIds` (comma-separated) or the list filters; layout `label` (50×30 mm, one a page) or `a4` (3×8 a sheet)', querystring: labelsQuery, produces: ['application/pdf'], response: { 200: z.string().describe('the PDF') } },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { ciIds, layout, ...filters } = request.query;
      if (ciIds && ciIds.length > MAX_LABELS) throw AppError.field('ciIds', 'assets.tooManyLabels', { max: MAX_LABELS, count: ciIds.length });
      const f = { ...s.assets.filterOf(filters, Date.now()), limit: MAX_LABELS + 1, ...(ciIds ? { ciIds } : {}) };
      const rows = await s.assets.rows(actor, f);
      // Every asked-for CI must be an asset the caller sees: one that is not is "not found", like any record outside the scope.
      if (ciIds && rows.length !== ciIds.length) throw AppError.notFound();
      if (!rows.length) throw AppError.field(ciIds ? 'ciIds' : 'customerId', 'assets.noLabels');
      if (rows.length > MAX_LABELS) throw AppError.field('customerId', 'assets.tooManyLabels', { max: MAX_LABELS, count: `${MAX_LABELS}+` });
      const order = ciIds ? new Map(ciIds.map((id, i) => [id, i])) : null;
      if (order) rows.sort((a, b) => order.get(Number(a.ci_id))! - order.get(Number(b.ci_id))!);
      const base = baseOf(s.config, request);
      const labels = rows.map((r) => ({ url: assetUrl(base, Number(r.ci_id)), assetNo: r.asset_no, name: r.ci_name, customer: r.customer_name, code: r.ci_code }));
      const pdf = await renderLabels(labels, layout, s.font(), await providerNameOf(s.db, s.config));
      return download(reply, 'application/pdf', layout === 'a4' ? '资产标签-A4.pdf' : '资产标签.pdf', pdf, true);
    },
  );

  app.get(`${A}/:id`, { config: read, schema: { tags, summary: 'A CI\'s asset record (null when it has none), its open verification campaigns and the address its tag carries', params: idParams, response: { 200: assetOut } } }, async (request) =>
    s.assets.get(actorOf(request), request.params.id, baseOf(s.config, request)),
  );

  app.put(
    `${A}/:id`,
    { config: write, schema: { tags, summary: 'Create (no version) or update (the version read; stale: 409) the CI\'s asset record; price in yuan', params: idParams, body: assetInput, response: { 200: assetOut } } },
    async (request) => s.assets.put(actorOf(request), request.params.id, request.body, baseOf(s.config, request)),
  );

  app.post(
    `${A}/:id/dispose`,
    { config: write, schema: { tags, summary: 'Dispose of the asset (scrapped, sold, returned, donated) on a date: the CI is retired', params: idParams, body: disposeBody, response: { 200: assetOut } } },
    async (request) => s.assets.dispose(actorOf(request), request.params.id, request.body, baseOf(s.config, request)),
  );

  app.get(`${A}/:id/history`, { config: read, schema: { tags, summary: 'The CI\'s history, newest first (asset changes, verifications and the CMDB\'s own changes)', params: idParams, response: { 200: historyOut } } }, async (request) =>
    s.assets.history(actorOf(request), request.params.id),
  );

  // ---------------------------------------------------------------- campaigns

  app.get(C, { config: read, schema: { tags, summary: 'Verification campaigns (盘点) in scope, newest first', querystring: campaignListQuery, response: { 200: campaignPageOut } } }, async (request) =>
    s.campaigns.list(actorOf(request), request.query),
  );

  app.post(
    C,
    { config: write, schema: { tags, summary: 'A campaign of the customer\'s (or one site\'s) assets on the register, snapshotted now', body: campaignCreate, response: { 201: campaignOut } } },
    async (request, reply) => reply.status(201).send(await s.campaigns.create(actorOf(request), request.body)),
  );

  app.get(`${C}/:id`, { config: read, schema: { tags, summary: 'One campaign with its progress and tally', params: idParams, response: { 200: campaignOut } } }, async (request) =>
    s.campaigns.get(actorOf(request), request.params.id),
  );

  app.get(`${C}/:id/items`, { config: read, schema: { tags, summary: 'The campaign\'s items (keyset), by result or only differences', params: idParams, querystring: itemsQuery, response: { 200: itemPageOut } } }, async (request) =>
    s.campaigns.items(actorOf(request), request.params.id, request.query),
  );

  app.post(
    `${C}/:id/items/:ciId/check`,
    { config: write, schema: { tags, summary: 'Record what was found for one CI: found, missing, wrong location or wrong attributes, with a note and proposed corrections', params: ciItemParams, body: checkBody, response: { 200: checkOut } } },
    async (request) => s.campaigns.check(actorOf(request), request.params.id, request.params.ciId, request.body),
  );

  app.put(
    `${C}/:id/items/:ciId/photo`,
    {
      config: { ...write, uploadLimit: MAX_PHOTO_BYTES, bodyLimitLabel: '10 MB' },
      schema: { tags, summary: 'The item\'s photo (JPEG, PNG or WebP ≤ 10 MB): multipart "file"', params: ciItemParams, consumes: ['multipart/form-data'], response: { 200: itemOut } },
    },
    async (request) => {
      const actor = actorOf(request);
      if (!request.isMultipart()) throw AppError.field('file', 'assets.photo.required');
      let out: z.input<typeof itemOut> | null = null;
      for await (const part of request.parts({ limits: { fileSize: MAX_PHOTO_BYTES, files: 1 } })) {
        if (part.type !== 'file') continue;
        if (part.fieldname !== 'file' || out) {
          part.file.resume();
          continue;
        }
        out = await s.campaigns.putPhoto(actor, request.params.id, request.params.ciId, part.file);
      }
      if (!out) throw AppError.field('file', 'assets.photo.required');
      return out;
    },
  );

  app.get(
    `${C}/:id/items/:ciId/photo`,
    { config: read, schema: { tags, summary: 'The item\'s photo', params: ciItemParams, produces: ['image/jpeg', 'image/png', 'image/webp'], response: { 200: z.string().describe('the image') } } },
    async (request, reply) => {
      const f = await s.campaigns.photo(actorOf(request), request.params.id, request.params.ciId);
      return reply.type(f.mime).header('content-length', String(f.size)).header('x-content-type-options', 'nosniff').header('cache-control', 'private, max-age=300').send(f.stream as unknown as string);
    },
  );

  app.post(
    `${C}/:id/items/:ciId/decide`,
    { config: write, schema: { tags, summary: 'Review one difference: accepted (the register takes the corrections; history "verified") or rejected', params: ciItemParams, body: decideBody, response: { 200: checkOut } } },
    async (request) => s.campaigns.decide(actorOf(request), request.params.id, request.params.ciId, request.body),
  );

  app.post(
    `${C}/:id/close`,
    { config: write, schema: { tags, summary: 'Close the campaign: refused (409) while items are pending or differences undecided', params: idParams, body: campaignVersionBody, response: { 200: campaignOut } } },
    async (request) => s.campaigns.close(actorOf(request), request.params.id, request.body.version),
  );

  app.post(`${C}/:id/cancel`, { config: write, schema: { tags, summary: 'Cancel an open campaign', params: idParams, body: campaignVersionBody, response: { 200: campaignOut } } }, async (request) =>
    s.campaigns.cancel(actorOf(request), request.params.id, request.body.version),
  );

  const documentOf = async (request: FastifyRequest, id: number) => {
    const actor = actorOf(request);
    const campaign = await s.campaigns.get(actor, id);
    const items = await s.campaigns.allItems(id);
    const siteIds = items.map((i) => Number(i.proposed?.siteId)).filter((x) => Number.isSafeInteger(x) && x > 0);
    const sites = siteIds.length ? await s.db.selectFrom('sites').select(['id', 'name']).where('id', 'in', siteIds).where('customer_id', '=', campaign.customerId).execute() : [];
    const customer = await s.db.selectFrom('customers').select('time_zone').where('id', '=', campaign.customerId).executeTakeFirst();
    return { campaign, items, timeZone: customer?.time_zone || 'Asia/Shanghai', providerName: await providerNameOf(s.db, s.config), siteNames: new Map(sites.map((x) => [Number(x.id), x.name])), generatedAt: Date.now() };
  };

  app.get(
    `${C}/:id/report.pdf`,
    { config: read, schema: { tags, summary: 'The campaign\'s record (资产盘点记录) as a PDF for the customer', params: idParams, produces: ['application/pdf'], response: { 200: z.string().describe('the PDF') } } },
    async (request, reply) => {
      const d = await documentOf(request, request.params.id);
      return download(reply, 'application/pdf', `资产盘点记录-${d.campaign.period}.pdf`, await renderCampaignPdf(d, s.font()));
    },
  );

  app.get(
    `${C}/:id/report.xlsx`,
    { config: read, schema: { tags, summary: 'The campaign\'s record as an Excel workbook', params: idParams, produces: [XLSX], response: { 200: z.string().describe('the workbook') } } },
    async (request, reply) => {
      const d = await documentOf(request, request.params.id);
      return download(reply, XLSX, `资产盘点记录-${d.campaign.period}.xlsx`, await renderCampaignXlsx(d));
    },
  );
}
