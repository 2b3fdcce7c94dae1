import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Config } from '../../../config.js';
import type { Db } from '../../../db/index.js';
import { systemActor } from '../../../platform/auth/actor.js';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { providerNameOf } from '../../../platform/settings/index.js';
import { AssetService } from '../../assets/service.js';
import { CampaignService } from '../../assets/campaigns.js';
import { renderCampaignPdf, renderCampaignXlsx } from '../../assets/documents.js';
import { modelLabel, PartsService } from '../../parts/service.js';
import { RepairOrderService, STATE_ZH as ORDER_STATE_ZH } from '../../repairs/service.js';
import { renderOrderPdf } from '../../repairs/pdf.js';
import * as repairsRepo from '../../repairs/repo.js';
import { localTime, NONE } from './labels.js';
import { PATHS, type PackCustomer, type PackPeriod, type PackPlan } from './plan.js';
import { repackXlsx, sheet, xlsxBytes } from './workbooks.js';

/**
 * The CMDB family's evidence (issue #13, docs/EVIDENCE.md): the asset register, the verification
 * campaigns of the period (their records as the assets module draws them), the machine-room
 * device list (R51), the 备件领用单 of the period (as the parts module prints them, and a list),
 * and the 设备送修单 with their progress reports (as the repairs module prints them, and a list).
 *
 * The modules' own renderers draw the documents (one source of truth). They stamp the moment of
 * drawing into the file (pdfkit's CreationDate and the file ID derived from it; ExcelJS's
 * docProps and zip entry dates), so the pack rewrites those to its fixed instant: the same
 * records give the same bytes, export after export.
 */

/** CI types of the machine-room device list (R51 服务器设备记录 and the room itself). */
export const DEVICE_TYPES = ['machine_room', 'rack', 'ups', 'network', 'security', 'server_physical', 'storage'] as const;

export interface CmdbEvidence {
  assets: number;
  campaigns: Array<{ id: number; name: string; period: string; state: string; pdf: string; xlsx: string }>;
  devices: number;
  slips: Array<{ number: string; movementId: number; at: number; ticketNumber: string | null; lines: string; byName: string; file: string }>;
  orders: Array<{ id: number; number: string; device: string; vendor: string; state: string; sentAt: number | null; targetReturn: string | null; returnedAt: number | null; reports: number; late: number; file: string }>;
}

const EVIDENCE_ACTOR = () => systemActor('evidence');

/** What the pack carries of the CMDB family for a customer and period (the files are drawn later, one at a time). */
export async function gatherCmdb(db: Db, customer: PackCustomer, period: PackPeriod): Promise<CmdbEvidence> {
  const assets = await db.selectFrom('ci_assets').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', customer.id).executeTakeFirst();
  const campaigns = await db
    .selectFrom('asset_campaigns')
    .select(['id', 'name', 'period', 'state'])
    .where('customer_id', '=', customer.id)
    .where('state', '!=', 'cancelled')
    .where('created_at', '<', period.end)
    .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', period.start)]))
    .orderBy('id')
    .execute();
  const devices = await devicesQuery(db, customer.id).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const lines = await db
    .selectFrom('part_movements')
    .innerJoin('part_models', 'part_models.id', 'part_movements.model_id')
    .leftJoin('tickets', 'tickets.id', 'part_movements.ticket_id')
    .select(['part_movements.id', 'part_movements.number', 'part_movements.at', 'part_movements.quantity', 'part_movements.by_name', 'part_models.type', 'part_models.brand', 'part_models.model', 'tickets.number as ticket_number'])
    .where('part_movements.customer_id', '=', customer.id)
    .where('part_movements.kind', '=', 'requisition')
    .where('part_movements.at', '>=', period.start)
    .where('part_movements.at', '<', period.end)
    .orderBy('part_movements.id')
    .execute();
  const slips = new Map<string, CmdbEvidence['slips'][number]>();
  for (const l of lines) {
    const s = slips.get(l.number);
    const part = `${modelLabel(l)} ×${Number(l.quantity)}`;
    if (s) s.lines += `；${part}`;
    else slips.set(l.number, { number: l.number, movementId: Number(l.id), at: Number(l.at), ticketNumber: l.ticket_number ?? null, lines: part, byName: l.by_name, file: PATHS.partsSlip(l.number) });
  }
  const orders = await db
    .selectFrom('repair_orders')
    .innerJoin('vendors', 'vendors.id', 'repair_orders.vendor_id')
    .select(['repair_orders.id', 'repair_orders.number', 'repair_orders.device', 'repair_orders.state', 'repair_orders.sent_at', 'repair_orders.target_return', 'repair_orders.returned_at', 'vendors.name as vendor'])
    .where('repair_orders.customer_id', '=', customer.id)
    .where('repair_orders.sent_at', 'is not', null)
    .where('repair_orders.sent_at', '<', period.end)
    .where((eb) =>
      eb.or([
        eb('repair_orders.sent_at', '>=', period.start),
        eb('repair_orders.returned_at', '>=', period.start),
        eb('repair_orders.accepted_at', '>=', period.start),
        eb('repair_orders.state', 'in', ['sent', 'rejected', 'returned']),
      ]),
    )
    .execute();
  const ids = orders.map((o) => Number(o.id));
  const progress = ids.length ? await db.selectFrom('repair_progress').select(['order_id', 'late']).where('order_id', 'in', ids).execute() : [];
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    assets: Number(assets?.n ?? 0),
    campaigns: campaigns.map((c) => ({ id: Number(c.id), name: c.name, period: c.period, state: c.state, pdf: PATHS.campaignPdf(Number(c.id)), xlsx: PATHS.campaignXlsx(Number(c.id)) })),
    devices: Number(devices?.n ?? 0),
    slips: [...slips.values()].sort((a, b) => cmp(a.number, b.number)),
    orders: orders
      .map((o) => {
        const mine = progress.filter((p) => Number(p.order_id) === Number(o.id));
        return {
          id: Number(o.id),
          number: o.number,
          device: o.device,
          vendor: o.vendor,
          state: o.state,
          sentAt: o.sent_at === null ? null : Number(o.sent_at),
          targetReturn: o.target_return,
          returnedAt: o.returned_at === null ? null : Number(o.returned_at),
          reports: mine.length,
          late: mine.filter((p) => Number(p.late) === 1).length,
          file: PATHS.repairOrder(o.number),
        };
      })
      .sort((a, b) => cmp(a.number, b.number)),
  };
}

function devicesQuery(db: Db, customerId: number) {
  return db
    .selectFrom('cis')
    .innerJoin('ci_types', 'ci_types.id', 'cis.type_id')
    .where('cis.customer_id', '=', customerId)
    .where('ci_types.code', 'in', [...DEVICE_TYPES])
    .where('cis.status', '!=', 'retired');
}

export function cmdbFileCount(c: CmdbEvidence): number {
  return 4 + 2 * c.campaigns.length + c.slips.length + c.orders.length;
}

/**
 * The files in the pack's order: the register, each campaign's PDF and Excel, the device list, the
 * requisition list and each slip, the repair-order list and each order.
 */
export async function* cmdbFiles(db: Db, plan: PackPlan, font: FontChoice, config: Pick<Config, 'providerName'>, asOf: Date, zipDate: Date): AsyncGenerator<{ path: string; content: Buffer; compress: boolean }> {
  const c = plan.cmdb;
  const actor = EVIDENCE_ACTOR();
  const providerName = await providerNameOf(db, config);
  const tz = plan.customer.timeZone;

  yield { path: PATHS.assetRegister, content: await fixXlsx(await new AssetService(db).exportXlsx(actor, { customerId: plan.customer.id }, plan.asOf), asOf, zipDate), compress: false };

  const campaigns = new CampaignService(db);
  for (const k of c.campaigns) {
    const campaign = await campaigns.get(actor, k.id);
    const items = await campaigns.allItems(k.id);
    const siteIds = items.map((i) => Number(i.proposed?.siteId)).filter((x) => Number.isSafeInteger(x) && x > 0);
    const sites = siteIds.length ? await db.selectFrom('sites').select(['id', 'name']).where('id', 'in', siteIds).where('customer_id', '=', plan.customer.id).execute() : [];
    const d = { campaign, items, timeZone: tz, providerName, siteNames: new Map(sites.map((x) => [Number(x.id), x.name])), generatedAt: plan.asOf };
    yield { path: k.pdf, content: fixPdf(await renderCampaignPdf(d, font), asOf), compress: false };
    yield { path: k.xlsx, content: await fixXlsx(await renderCampaignXlsx(d), asOf, zipDate), compress: false };
  }

  yield { path: PATHS.devices, content: await devicesWorkbook(db, plan, asOf, zipDate), compress: false };

  yield { path: PATHS.partsRequisitions, content: await slipsWorkbook(plan, asOf, zipDate), compress: false };
  const parts = new PartsService(db, { font, config: { providerName } });
  for (const s of c.slips) yield { path: s.file, content: fixPdf((await parts.slipPdf(actor, s.movementId)).bytes, asOf), compress: false };

  yield { path: PATHS.repairOrders, content: await ordersWorkbook(db, plan, asOf, zipDate), compress: false };
  // The order as its own page shows it (RepairOrderService.out): only its reads are used here, not the ticket, organisation or calendar services.
  const orders = new RepairOrderService(db, config as Config, null as never, null as never, null as never, parts);
  for (const o of c.orders) {
    const row = await repairsRepo.findOrder(db, { kind: 'all' }, o.id);
    if (!row) throw new Error(`repair order ${o.number} disappeared while the evidence pack was written`);
    const out = await orders.out(actor, row);
    const vendor = await db.selectFrom('vendors').select(['address', 'contacts']).where('id', '=', Number(row.vendor_id)).executeTakeFirst();
    const contacts = JSON.parse(vendor?.contacts ?? '[]') as Array<{ name: string; phone?: string | null }>;
    const pdf = await renderOrderPdf(out, { providerName, vendorAddress: vendor?.address ?? null, vendorContact: contacts[0] ? `${contacts[0].name} ${contacts[0].phone ?? ''}`.trim() : null }, font);
    yield { path: o.file, content: fixPdf(pdf, asOf), compress: false };
  }
}

const STATUS_ZH: Record<string, string> = { planned: '规划中', in_use: '在用', maintenance: '维护中', spare: '备用', retired: '已退役' };

/** cmdb/machine-room-devices.xlsx (R51): the machine rooms, racks, UPS, network and security devices, physical servers and storage at the customer. */
async function devicesWorkbook(db: Db, plan: PackPlan, asOf: Date, zipDate: Date): Promise<Buffer> {
  const rows = await devicesQuery(db, plan.customer.id)
    .leftJoin('sites', 'sites.id', 'cis.site_id')
    .leftJoin('ci_assets', 'ci_assets.ci_id', 'cis.id')
    .select(['cis.code', 'cis.name', 'ci_types.name_zh as type', 'sites.name as site', 'cis.status', 'cis.brand', 'cis.model', 'cis.serial', 'cis.ip', 'cis.owner_name', 'cis.attributes', 'ci_assets.asset_no', 'ci_assets.warranty_end', 'ci_assets.location'])
    .orderBy('ci_types.code')
    .orderBy('cis.code')
    .execute();
  const wb = new ExcelJS.Workbook();
  const ws = sheet(wb, '机房设备清单', [
    { header: '配置项编号', width: 18 },
    { header: '名称', width: 28 },
    { header: '类型', width: 12 },
    { header: '地点', width: 16 },
    { header: '位置', width: 16 },
    { header: '状态', width: 8 },
    { header: '品牌', width: 12 },
    { header: '型号', width: 18 },
    { header: '序列号', width: 18 },
    { header: 'IP', width: 16 },
    { header: '负责人', width: 10 },
    { header: '资产编号', width: 14 },
    { header: '保修截止', width: 12 },
    { header: '属性', width: 50 },
  ]);
  for (const r of rows) {
    let attrs = '';
    try {
      const a = JSON.parse(r.attributes) as Record<string, unknown>;
      attrs = Object.keys(a)
        .sort()
        .map((k) => `${k}: ${typeof a[k] === 'object' ? JSON.stringify(a[k]) : String(a[k])}`)
        .join('；');
    } catch {
      attrs = r.attributes;
    }
    ws.addRow([r.code, r.name, r.type, r.site ?? NONE, r.location ?? NONE, STATUS_ZH[r.status] ?? r.status, r.brand ?? '', r.model ?? '', r.serial ?? '', r.ip ?? '', r.owner_name ?? '', r.asset_no ?? '', r.warranty_end ?? '', attrs]);
  }
  if (!rows.length) ws.addRow(['本客户未登记机房设备']);
  ws.addRow([]);
  ws.addRow([`范围：类型为机房、机柜、UPS/电源、网络设备、安全设备、物理服务器、存储的配置项（已退役的除外），截至导出时的配置库。`]);
  return xlsxBytes(wb, asOf, zipDate);
}

async function slipsWorkbook(plan: PackPlan, asOf: Date, zipDate: Date): Promise<Buffer> {
  const tz = plan.customer.timeZone;
  const wb = new ExcelJS.Workbook();
  const ws = sheet(wb, '备件领用单', [
    { header: '领用单号', width: 18 },
    { header: '领用时间', width: 17 },
    { header: '工单', width: 20 },
    { header: '备件', width: 60 },
    { header: '领用人', width: 10 },
    { header: '文件', width: 30 },
  ]);
  for (const s of plan.cmdb.slips) ws.addRow([s.number, localTime(s.at, tz), s.ticketNumber ?? NONE, s.lines, s.byName, s.file]);
  if (!plan.cmdb.slips.length) ws.addRow(['期间内无备件领用']);
  return xlsxBytes(wb, asOf, zipDate);
}

async function ordersWorkbook(db: Db, plan: PackPlan, asOf: Date, zipDate: Date): Promise<Buffer> {
  const tz = plan.customer.timeZone;
  const wb = new ExcelJS.Workbook();
  const ws = sheet(wb, '设备送修单', [
    { header: '送修单号', width: 18 },
    { header: '设备', width: 30 },
    { header: '厂商', width: 16 },
    { header: '状态', width: 14 },
    { header: '送出时间', width: 17 },
    { header: '目标返回日', width: 12 },
    { header: '返回时间', width: 17 },
    { header: '进度报告', width: 9 },
    { header: '其中逾期', width: 9 },
    { header: '文件', width: 30 },
  ]);
  for (const o of plan.cmdb.orders) ws.addRow([o.number, o.device, o.vendor, ORDER_STATE_ZH[o.state] ?? o.state, localTime(o.sentAt, tz), o.targetReturn ?? NONE, localTime(o.returnedAt, tz), o.reports, o.late, o.file]);
  if (!plan.cmdb.orders.length) ws.addRow(['期间内无设备送修']);
  const reports = sheet(wb, '进度报告', [
    { header: '送修单号', width: 18 },
    { header: '报告时间', width: 17 },
    { header: '应报截止', width: 17 },
    { header: '按时', width: 6 },
    { header: '报告人', width: 10 },
    { header: '内容', width: 80 },
  ]);
  const ids = plan.cmdb.orders.map((o) => o.id);
  const rows = ids.length ? await db.selectFrom('repair_progress').select(['order_id', 'at', 'due_at', 'late', 'by_name', 'text']).where('order_id', 'in', ids).orderBy('order_id').orderBy('at').orderBy('id').execute() : [];
  const numberOf = new Map(plan.cmdb.orders.map((o) => [o.id, o.number]));
  for (const r of rows) reports.addRow([numberOf.get(Number(r.order_id)) ?? '', localTime(Number(r.at), tz), localTime(r.due_at === null ? null : Number(r.due_at), tz), Number(r.late) === 1 ? '否' : '是', r.by_name, r.text]);
  if (!rows.length) reports.addRow(['无进度报告']);
  return xlsxBytes(wb, asOf, zipDate);
}

/** pdfkit's D:YYYYMMDDHHmmssZ. */
function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/**
 * A PDF drawn by another module, dated the pack's instant: its dates (same length, so the
 * cross-reference offsets stand) and the file ID pdfkit derives from it, replaced by a hash of the
 * rest. Nothing else in the file depends on the time of drawing.
 */
export function fixPdf(pdf: Buffer, at: Date): Buffer {
  let text = pdf.toString('latin1');
  // pdfkit writes the info dictionary's values as objects of their own: `12 0 obj\n(D:20261208004747Z)\nendobj`.
  text = text.replace(/\(D:\d{14}Z\)/g, `(${pdfDate(at)})`);
  const id = createHash('md5').update(text.replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/, '')).digest('hex');
  text = text.replace(/\/ID \[<([0-9a-f]+)> <([0-9a-f]+)>\]/, (m, a: string) => (a.length === id.length ? `/ID [<${id}> <${id}>]` : m));
  return Buffer.from(text, 'latin1');
}

/** An Excel file drawn by another module, dated the pack's instant (docProps and zip entries), through the pack's own re-packing. */
export async function fixXlsx(xlsx: Buffer, asOf: Date, zipDate: Date): Promise<Buffer> {
  const src = await JSZip.loadAsync(xlsx);
  const core = src.file('docProps/core.xml');
  if (core) {
    const stamp = asOf.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const xml = (await core.async('string')).replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*(<\/dcterms:(?:created|modified)>)/g, `$1${stamp}$2`);
    src.file('docProps/core.xml', xml);
  }
  return repackXlsx(src, zipDate);
}
