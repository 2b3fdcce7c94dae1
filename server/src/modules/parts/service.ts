import type { Db, DbOrTx, Tx } from '../../db/index.js';
import {
  addDays,
  daysOverdue,
  firstReminderAt,
  localDay,
  lowStockTransition,
  monthOf,
  monthRange,
  REMINDER_HOUR,
  slipNumber,
  slipPrefix,
  slipSeq,
  type ItemState,
  type MovementKind,
  type WarehouseKind,
} from '../../core/parts/index.js';
import { zonedToInstant } from '../../core/calendar/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { cancelJob, enqueueJob } from '../../platform/jobs/scheduler.js';
import { emit } from '../../platform/notify/service.js';
import type { Config } from '../../config.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import { providerNameOf } from '../../platform/settings/index.js';
import { renderMonthlyPdf, renderMonthlyXlsx, renderSlipPdf } from './documents.js';
import * as repo from './repo.js';
import type {
  AdjustBody,
  ItemOut,
  LendBody,
  ModelInput,
  ModelOut,
  ModelPatch,
  MonthlyOut,
  MovementOut,
  MovementsQuery,
  RequisitionBody,
  ReturnBody,
  ScrapBody,
  SlipOut,
  StockInBody,
  StockOut,
  TicketPartOut,
  TransferBody,
  WarehouseInput,
  WarehouseOut,
  WarehousePatch,
} from './schema.js';

export const STANDIN_JOB = 'parts.standin_overdue';
export const standinJobKey = (itemId: number) => `parts-standin:${itemId}`;

/** What `lendStandin` takes (docs/PARTS.md, "For other modules"). */
export type LendStandinInput = Omit<LendBody, 'ticketId' | 'note'> & { ticketId?: number | null; note?: string | null };
export interface LentStandin {
  movementId: number;
  number: string;
  itemId: number;
}

const CLOSED_TICKET = new Set(['closed', 'cancelled']);
const TICKET_STATE_ZH: Record<string, string> = { closed: '关闭', cancelled: '取消' };

export function modelLabel(m: Pick<repo.ModelRow, 'type' | 'brand' | 'model'>): string {
  return [m.type, m.brand, m.model].filter(Boolean).join(' ');
}

function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'parts.providerOnly');
}

const num = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

/** A movement being written: its slip number, its time and the stock rows whose minimum must be checked after it. */
interface Move {
  trx: Tx;
  actor: Actor;
  now: number;
  number: string;
  touched: Map<string, [number, number]>;
}

/**
 * Spare parts and consumables (备品备件, docs/PARTS.md): part models, warehouses (the provider's
 * depot and stores at customers' sites), stock per warehouse and model with its minimum,
 * serial-tracked items, and every movement — stock in, requisition (备件领用单) against a ticket,
 * return of the faulty part, return unused, transfer, stand-in machines (备机) lent and returned,
 * stock-count adjustment, scrap. The only writer of the part_* and warehouses tables. Every
 * movement is one transaction with its audit entry; stock is taken with a conditional UPDATE
 * (`quantity >= n`), so it never goes negative and of two requisitions for the last unit exactly
 * one wins, on SQLite and PostgreSQL alike.
 */
export class PartsService {
  /** `docs`: what the PDFs need (the CJK font, the provider's name); other modules may leave it out. */
  constructor(
    private readonly db: Db,
    private readonly docs: { font?: FontChoice; config?: Pick<Config, 'providerName'> } = {},
  ) {}

  // ------------------------------------------------------------ models

  async listModels(actor: Actor, q: { q?: string; includeDisabled?: string }): Promise<ModelOut[]> {
    requireProvider(actor);
    return (await repo.listModels(this.db, { q: q.q?.trim() || undefined, includeDisabled: q.includeDisabled === '1' })).map(modelOut);
  }

  async createModel(actor: Actor, input: ModelInput): Promise<ModelOut> {
    requireProvider(actor);
    const now = Date.now();
    // A stand-in machine is always tracked by its serial: it is lent and comes back as itself.
    const values = {
      type: input.type,
      brand: input.brand,
      model: input.model,
      unit: input.unit,
      serial_tracked: input.serialTracked || input.standin ? 1 : 0,
      standin: input.standin ? 1 : 0,
      description: input.description,
      disabled: 0,
      version: 1,
      created_at: now,
      updated_at: now,
    };
    return this.db.transaction().execute(async (trx) => {
      await this.assertModelUnique(trx, values, null);
      let id: number;
      try {
        id = Number((await trx.insertInto('part_models').values(values).returning('id').executeTakeFirstOrThrow()).id);
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateModel(values);
        throw err;
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'part_models', entityId: id, after: { id, ...values } }, now);
      return modelOut({ id, ...values });
    });
  }

  async patchModel(actor: Actor, id: number, patch: ModelPatch): Promise<ModelOut> {
    requireProvider(actor);
    const pre = await repo.findModel(this.db, id);
    if (!pre) throw AppError.notFound();
    if (pre.version !== patch.version) throw AppError.conflict();
    const set: Record<string, unknown> = {};
    for (const [k, col] of [['type', 'type'], ['brand', 'brand'], ['model', 'model'], ['unit', 'unit'], ['description', 'description']] as const) {
      if (patch[k] !== undefined && patch[k] !== pre[col]) set[col] = patch[k];
    }
    if (patch.standin !== undefined && (patch.standin ? 1 : 0) !== pre.standin) {
      if (patch.standin && !pre.serial_tracked) set.serial_tracked = 1;
      set.standin = patch.standin ? 1 : 0;
    }
    if (patch.disabled !== undefined && (patch.disabled ? 1 : 0) !== pre.disabled) set.disabled = patch.disabled ? 1 : 0;
    if (!Object.keys(set).length) return modelOut(pre);
    if (set.serial_tracked === 1) {
      // Units already counted without serials cannot become serial-tracked.
      const counted = await this.db.selectFrom('part_stock').select('quantity').where('model_id', '=', id).where('quantity', '>', 0).executeTakeFirst();
      if (counted) throw AppError.field('standin', 'parts.serialsCount', { quantity: counted.quantity });
    }
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const next = { ...pre, ...set };
      await this.assertModelUnique(trx, next, id);
      let res;
      try {
        res = await trx.updateTable('part_models').set({ ...set, version: pre.version + 1, updated_at: now }).where('id', '=', id).where('version', '=', pre.version).executeTakeFirst();
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateModel(next);
        throw err;
      }
      if (Number(res.numUpdatedRows) !== 1) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'part_models', entityId: id, before: Object.fromEntries(Object.keys(set).map((k) => [k, (pre as Record<string, unknown>)[k]])), after: set }, now);
      return modelOut({ ...next, version: pre.version + 1, updated_at: now });
    });
  }

  /** type + brand + model is unique (a null brand counts as one value, which the index alone does not see). */
  private async assertModelUnique(db: DbOrTx, v: { type: string; brand: string | null; model: string }, exceptId: number | null): Promise<void> {
    let q = db.selectFrom('part_models').select('id').where('type', '=', v.type).where('model', '=', v.model);
    q = v.brand === null ? q.where('brand', 'is', null) : q.where('brand', '=', v.brand);
    if (exceptId !== null) q = q.where('id', '<>', exceptId);
    if (await q.executeTakeFirst()) throw duplicateModel(v);
  }

  // ------------------------------------------------------------ warehouses

  async listWarehouses(actor: Actor, q: { customerId?: number; includeDisabled?: string }): Promise<WarehouseOut[]> {
    requireProvider(actor);
    const rows = await repo.listWarehouses(this.db, actor.scope, { customerId: q.customerId, includeDisabled: q.includeDisabled === '1' });
    return this.warehouseOuts(rows);
  }

  async createWarehouse(actor: Actor, input: WarehouseInput): Promise<WarehouseOut> {
    requireProvider(actor);
    const customerId = input.customerId ?? null;
    if (input.kind === 'customer' && customerId === null) throw AppError.field('customerId', 'parts.customerRequired');
    if (input.kind === 'depot' && customerId !== null) throw AppError.field('customerId', 'parts.depotNoCustomer');
    if (customerId !== null && !(await repo.findCustomer(this.db, actor.scope, customerId))) throw AppError.field('customerId', 'parts.customerNotFound');
    const siteId = input.siteId ?? null;
    if (siteId !== null) await this.assertSite(siteId, customerId);
    const now = Date.now();
    const values = { name: input.name, kind: input.kind, customer_id: customerId, site_id: siteId, disabled: 0, created_at: now, updated_at: now };
    const id = await this.db.transaction().execute(async (trx) => {
      const id = Number((await trx.insertInto('warehouses').values(values).returning('id').executeTakeFirstOrThrow()).id);
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'warehouses', entityId: id, customerId, after: { id, ...values } }, now);
      return id;
    });
    return (await this.warehouseOuts([{ id, ...values }]))[0];
  }

  async patchWarehouse(actor: Actor, id: number, patch: WarehousePatch): Promise<WarehouseOut> {
    requireProvider(actor);
    const pre = await repo.findWarehouse(this.db, actor.scope, id);
    if (!pre) throw AppError.notFound();
    const set: Record<string, unknown> = {};
    if (patch.name !== undefined && patch.name !== pre.name) set.name = patch.name;
    if (patch.siteId !== undefined && patch.siteId !== num(pre.site_id)) {
      if (patch.siteId !== null) await this.assertSite(patch.siteId, num(pre.customer_id));
      set.site_id = patch.siteId;
    }
    if (patch.disabled !== undefined && (patch.disabled ? 1 : 0) !== pre.disabled) set.disabled = patch.disabled ? 1 : 0;
    if (!Object.keys(set).length) return (await this.warehouseOuts([pre]))[0];
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('warehouses').set({ ...set, updated_at: now }).where('id', '=', id).execute();
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'warehouses', entityId: id, customerId: num(pre.customer_id), before: Object.fromEntries(Object.keys(set).map((k) => [k, (pre as Record<string, unknown>)[k]])), after: set }, now);
    });
    return (await this.warehouseOuts([{ ...pre, ...set } as repo.WarehouseRow]))[0];
  }

  private async assertSite(siteId: number, customerId: number | null): Promise<void> {
    const site = await repo.findSite(this.db, siteId);
    if (!site || customerId === null || Number(site.customer_id) !== customerId) throw AppError.field('siteId', 'parts.siteNotFound');
  }

  private async warehouseOuts(rows: repo.WarehouseRow[]): Promise<WarehouseOut[]> {
    const [customers, sites] = await Promise.all([repo.namesOf(this.db, 'customers', rows.map((r) => num(r.customer_id))), repo.namesOf(this.db, 'sites', rows.map((r) => num(r.site_id)))]);
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      kind: r.kind as WarehouseKind,
      customerId: num(r.customer_id),
      customerName: r.customer_id === null ? null : (customers.get(Number(r.customer_id)) ?? null),
      siteId: num(r.site_id),
      siteName: r.site_id === null ? null : (sites.get(Number(r.site_id)) ?? null),
      disabled: r.disabled === 1,
    }));
  }

  // ------------------------------------------------------------ stock and items

  async listStock(actor: Actor, q: { warehouseId?: number; modelId?: number; customerId?: number; low?: string; q?: string }): Promise<StockOut[]> {
    requireProvider(actor);
    const rows = await repo.listStock(this.db, actor.scope, { ...q, low: q.low === '1', q: q.q?.trim() || undefined });
    const [customers, faulty] = await Promise.all([repo.namesOf(this.db, 'customers', rows.map((r) => num(r.customer_id))), repo.faultyCounts(this.db, rows.map((r) => Number(r.warehouse_id)))]);
    return rows.map((r) => ({
      warehouseId: Number(r.warehouse_id),
      warehouseName: r.warehouse_name,
      customerId: num(r.customer_id),
      customerName: r.customer_id === null ? null : (customers.get(Number(r.customer_id)) ?? null),
      modelId: Number(r.model_id),
      modelLabel: modelLabel(r),
      type: r.type,
      unit: r.unit,
      serialTracked: r.serial_tracked === 1,
      standin: r.standin === 1,
      quantity: Number(r.quantity),
      minQuantity: Number(r.min_quantity),
      low: Number(r.min_quantity) > 0 && Number(r.quantity) < Number(r.min_quantity),
      alertedAt: iso(num(r.alerted_at)),
      faulty: faulty.get(`${r.warehouse_id}:${r.model_id}`) ?? 0,
    }));
  }

  /** Sets the minimum of a warehouse's model; a stock already under it is told now (once). */
  async setMinimum(actor: Actor, body: { warehouseId: number; modelId: number; minQuantity: number }): Promise<StockOut> {
    requireProvider(actor);
    const w = await this.warehouse(actor, body.warehouseId, 'warehouseId', { allowDisabled: true });
    await this.model(body.modelId, 'modelId', { allowDisabled: true });
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      const pre = await repo.findStock(trx, body.warehouseId, body.modelId);
      await repo.setMin(trx, body.warehouseId, body.modelId, body.minQuantity, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'set_minimum', entity: 'part_stock', entityId: `${body.warehouseId}:${body.modelId}`, customerId: num(w.customer_id), before: { minQuantity: pre ? Number(pre.min_quantity) : 0 }, after: { minQuantity: body.minQuantity } }, now);
      await this.settleAlerts({ trx, actor, now, number: '', touched: new Map([[`${body.warehouseId}:${body.modelId}`, [body.warehouseId, body.modelId]]]) });
    });
    return (await this.listStock(actor, { warehouseId: body.warehouseId, modelId: body.modelId }))[0];
  }

  async listItems(actor: Actor, q: { warehouseId?: number; modelId?: number; customerId?: number; state?: ItemState; standin?: string; overdue?: string; q?: string; limit: number }): Promise<ItemOut[]> {
    requireProvider(actor);
    // "Overdue" is judged in Beijing time here (one list for every customer); the reminder uses each customer's zone.
    const today = localDay(Date.now(), 'Asia/Shanghai');
    const rows = await repo.listItems(this.db, actor.scope, { ...q, standin: q.standin === '1', overdueBefore: q.overdue === '1' ? today : undefined, q: q.q?.trim() || undefined });
    return this.itemOuts(rows, today);
  }

  async getItem(actor: Actor, id: number): Promise<ItemOut> {
    requireProvider(actor);
    const row = await repo.findItem(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    const model = await repo.findModel(this.db, Number(row.model_id));
    return (await this.itemOuts([{ ...row, standin: model?.standin ?? 0 }], localDay(Date.now(), 'Asia/Shanghai')))[0];
  }

  private async itemOuts(rows: Array<repo.ItemRow & { standin: number }>, today: string): Promise<ItemOut[]> {
    const [models, warehouses, customers, tickets] = await Promise.all([
      repo.modelsByIds(this.db, rows.map((r) => Number(r.model_id))),
      repo.warehousesByIds(this.db, rows.map((r) => num(r.warehouse_id))),
      repo.namesOf(this.db, 'customers', rows.map((r) => num(r.customer_id))),
      repo.ticketNumbers(this.db, rows.map((r) => num(r.ticket_id))),
    ]);
    return rows.map((r) => {
      const m = models.get(Number(r.model_id));
      return {
        id: Number(r.id),
        modelId: Number(r.model_id),
        modelLabel: m ? modelLabel(m) : '',
        standin: r.standin === 1,
        serial: r.serial,
        state: r.state as ItemState,
        warehouseId: num(r.warehouse_id),
        warehouseName: r.warehouse_id === null ? null : (warehouses.get(Number(r.warehouse_id))?.name ?? null),
        customerId: num(r.customer_id),
        customerName: r.customer_id === null ? null : (customers.get(Number(r.customer_id)) ?? null),
        ticketId: num(r.ticket_id),
        ticketNumber: r.ticket_id === null ? null : (tickets.get(Number(r.ticket_id)) ?? null),
        ciId: num(r.ci_id),
        dueBack: r.due_back,
        overdueDays: r.state === 'lent' && r.due_back ? daysOverdue(r.due_back, today) : 0,
        version: r.version,
      };
    });
  }

  // ------------------------------------------------------------ movements: reads

  async listMovements(actor: Actor, q: MovementsQuery): Promise<{ items: MovementOut[]; nextCursor: string | null }> {
    requireProvider(actor);
    const zone = await repo.zoneOf(this.db, q.customerId ?? null);
    const after = decodeCursor(q.cursor, ['number', 'number']) as [number, number] | null;
    const rows = await repo.listMovements(this.db, actor.scope, {
      customerId: q.customerId,
      warehouseId: q.warehouseId,
      modelId: q.modelId,
      ticketId: q.ticketId,
      kind: q.kind,
      from: q.from ? zonedToInstant(q.from, '00:00', zone) : undefined,
      to: q.to ? zonedToInstant(addDays(q.to, 1), '00:00', zone) : undefined,
      q: q.q?.trim() || undefined,
      after: after ?? undefined,
      limit: q.limit + 1,
    });
    const page = pageOf(rows, q.limit, (r) => [Number(r.at), Number(r.id)]);
    return { items: await this.movementOuts(page.items), nextCursor: page.nextCursor };
  }

  /** The slip a movement belongs to (all movements of its number): what the 备件领用单 prints. */
  async slip(actor: Actor, movementId: number): Promise<SlipOut> {
    requireProvider(actor);
    const row = await repo.findMovement(this.db, actor.scope, movementId);
    if (!row) throw AppError.notFound();
    const rows = (await repo.movementsByNumber(this.db, row.number)).filter((r) => r.kind === row.kind);
    return { number: row.number, movements: await this.movementOuts(rows) };
  }

  /** The requisition slips of a ticket (its parts panel): every movement against it, oldest first. */
  async ticketMovements(actor: Actor, ticketId: number): Promise<MovementOut[]> {
    requireProvider(actor);
    if (!(await repo.findTicket(this.db, actor.scope, ticketId))) throw AppError.notFound();
    return this.movementOuts(await repo.movementsOfTicket(this.db, ticketId));
  }

  /**
   * The parts a ticket's engineer took from stock and kept — requisitioned less returned unused —
   * as the repair report lists them (modules/fieldservice). No scope check: the caller has
   * checked the ticket is in the caller's scope.
   */
  async ticketParts(ticketId: number): Promise<TicketPartOut[]> {
    const rows = await repo.movementsOfTicket(this.db, ticketId);
    const models = await repo.modelsByIds(this.db, rows.map((r) => Number(r.model_id)));
    const serials = await repo.itemSerials(this.db, rows.map((r) => num(r.item_id)));
    const untracked = new Map<number, { quantity: number; number: string }>();
    const out: TicketPartOut[] = [];
    const returnedItems = new Set(rows.filter((r) => r.kind === 'return_unused' && r.item_id !== null).map((r) => Number(r.item_id)));
    for (const r of rows) {
      const m = models.get(Number(r.model_id));
      if (!m) continue;
      if (r.kind === 'requisition' && r.item_id !== null) {
        if (!returnedItems.has(Number(r.item_id))) out.push({ name: [m.type, m.brand].filter(Boolean).join(' '), model: m.model, quantity: 1, serial: serials.get(Number(r.item_id)) ?? null, number: r.number });
      } else if (r.kind === 'requisition' || (r.kind === 'return_unused' && r.item_id === null)) {
        const cur = untracked.get(Number(r.model_id)) ?? { quantity: 0, number: r.number };
        cur.quantity += r.kind === 'requisition' ? Number(r.quantity) : -Number(r.quantity);
        untracked.set(Number(r.model_id), cur);
      }
    }
    for (const [modelId, u] of untracked) {
      const m = models.get(modelId)!;
      if (u.quantity > 0) out.push({ name: [m.type, m.brand].filter(Boolean).join(' '), model: m.model, quantity: u.quantity, serial: null, number: u.number });
    }
    return out;
  }

  async ticketPartsFor(actor: Actor, ticketId: number): Promise<TicketPartOut[]> {
    requireProvider(actor);
    if (!(await repo.findTicket(this.db, actor.scope, ticketId))) throw AppError.notFound();
    return this.ticketParts(ticketId);
  }

  /** `db`: the caller's transaction when there is one (SQLite has one connection: reading beside it would wait forever). */
  async movementOuts(rows: repo.MovementRow[], db: DbOrTx = this.db): Promise<MovementOut[]> {
    const [models, warehouses, customers, tickets, serials] = await Promise.all([
      repo.modelsByIds(db, rows.map((r) => Number(r.model_id))),
      repo.warehousesByIds(db, rows.flatMap((r) => [num(r.from_warehouse_id), num(r.to_warehouse_id)])),
      repo.namesOf(db, 'customers', rows.map((r) => num(r.customer_id))),
      repo.ticketNumbers(db, rows.map((r) => num(r.ticket_id))),
      repo.itemSerials(db, rows.map((r) => num(r.item_id))),
    ]);
    return rows.map((r) => {
      const m = models.get(Number(r.model_id));
      return {
        id: Number(r.id),
        number: r.number,
        kind: r.kind as MovementKind,
        modelId: Number(r.model_id),
        modelLabel: m ? modelLabel(m) : '',
        unit: m?.unit ?? '',
        itemId: num(r.item_id),
        serial: r.item_id === null ? null : (serials.get(Number(r.item_id)) ?? null),
        quantity: Number(r.quantity),
        fromWarehouseId: num(r.from_warehouse_id),
        fromWarehouseName: r.from_warehouse_id === null ? null : (warehouses.get(Number(r.from_warehouse_id))?.name ?? null),
        toWarehouseId: num(r.to_warehouse_id),
        toWarehouseName: r.to_warehouse_id === null ? null : (warehouses.get(Number(r.to_warehouse_id))?.name ?? null),
        customerId: num(r.customer_id),
        customerName: r.customer_id === null ? null : (customers.get(Number(r.customer_id)) ?? null),
        ticketId: num(r.ticket_id),
        ticketNumber: r.ticket_id === null ? null : (tickets.get(Number(r.ticket_id)) ?? null),
        repairReportId: num(r.repair_report_id),
        ciId: num(r.ci_id),
        note: r.note,
        at: iso(Number(r.at)),
        byName: r.by_name,
      };
    });
  }

  // ------------------------------------------------------------ movements: writes

  /** Stock in (入库): new units at a warehouse, each serial registered for a tracked model. */
  async stockIn(actor: Actor, body: StockInBody): Promise<SlipOut> {
    requireProvider(actor);
    const w = await this.warehouse(actor, body.warehouseId, 'warehouseId');
    const m = await this.model(body.modelId, 'modelId');
    const serials = this.serialsFor(m, body.quantity, body.serials, 'serials');
    const dup = await repo.existingSerials(this.db, Number(m.id), serials);
    if (dup.size) throw AppError.validation(serials.map((s, i) => [s, i] as const).filter(([s]) => dup.has(s)).map(([s, i]) => ({ field: `serials[${i}]`, code: 'parts.duplicateSerial', params: { serial: s } })));
    const customerId = num(w.customer_id);
    return this.write(actor, 'stock_in', customerId, undefined, async (mv) => {
      const ids: number[] = [];
      try {
        if (serials.length) {
          for (const s of serials) {
            const itemId = await repo.insertItem(mv.trx, { model_id: Number(m.id), serial: s, warehouse_id: Number(w.id), state: 'in_stock', customer_id: customerId }, mv.now);
            ids.push(await this.record(mv, { kind: 'stock_in', model_id: Number(m.id), item_id: itemId, quantity: 1, to_warehouse_id: Number(w.id), customer_id: customerId, note: body.note }));
          }
        } else {
          ids.push(await this.record(mv, { kind: 'stock_in', model_id: Number(m.id), quantity: body.quantity, to_warehouse_id: Number(w.id), customer_id: customerId, note: body.note }));
        }
      } catch (err) {
        // Two stock-ins of the same serial at the same moment: the unique (model, serial) lets one win.
        if (isUniqueViolation(err)) throw AppError.field('serials', 'parts.duplicateSerial', { serial: serials.join(', ') });
        throw err;
      }
      await this.increase(mv, Number(w.id), Number(m.id), body.quantity);
      await this.audit(mv, 'stock_in', customerId, { warehouseId: Number(w.id), modelId: Number(m.id), quantity: body.quantity, serials, movementIds: ids });
      return ids;
    });
  }

  /**
   * A requisition (备件领用单) against a ticket: parts leave the depot or the customer's own store
   * for the ticket's customer, each line taken only if the stock is there (else refused naming the
   * line's quantity and nothing is taken). Serial-tracked units are fitted (state fitted).
   */
  async requisition(actor: Actor, body: RequisitionBody): Promise<SlipOut> {
    requireProvider(actor);
    const ticket = await this.ticket(actor, body.ticketId, 'ticketId');
    const customerId = Number(ticket.customer_id);
    const w = await this.warehouse(actor, body.warehouseId, 'warehouseId');
    this.assertFor(w, customerId, 'warehouseId');
    const reportId = body.repairReportId ?? null;
    if (reportId !== null) {
      const report = await repo.findReport(this.db, reportId);
      if (!report || Number(report.ticket_id) !== Number(ticket.id)) throw AppError.field('repairReportId', 'parts.reportNotFound');
    }
    const ciId = await this.ci(body.ciId ?? null, customerId, 'ciId');
    const lines: Array<{ m: repo.ModelRow; quantity: number; serials: string[]; i: number }> = [];
    for (const [i, line] of body.lines.entries()) {
      const m = await this.model(line.modelId, `lines[${i}].modelId`);
      lines.push({ m, quantity: line.quantity, serials: this.serialsFor(m, line.quantity, line.serials, `lines[${i}].serials`), i });
    }
    return this.write(actor, 'requisition', customerId, undefined, async (mv) => {
      const ids: number[] = [];
      const common = { from_warehouse_id: Number(w.id), customer_id: customerId, ticket_id: Number(ticket.id), repair_report_id: reportId, ci_id: ciId, note: body.note };
      for (const { m, quantity, serials, i } of lines) {
        await this.decrease(mv, w, m, quantity, `lines[${i}].quantity`);
        if (serials.length) {
          for (const [j, s] of serials.entries()) {
            const item = await this.itemIn(mv.trx, m, s, 'in_stock', Number(w.id), `lines[${i}].serials[${j}]`);
            if (!(await repo.moveItem(mv.trx, Number(item.id), { state: 'in_stock', warehouseId: Number(w.id) }, { state: 'fitted', warehouse_id: null, customer_id: customerId, ticket_id: Number(ticket.id), ci_id: ciId }, mv.now))) throw AppError.field(`lines[${i}].serials[${j}]`, 'parts.serialNotInStock', { serial: s });
            ids.push(await this.record(mv, { kind: 'requisition', model_id: Number(m.id), item_id: Number(item.id), quantity: 1, ...common }));
          }
        } else {
          ids.push(await this.record(mv, { kind: 'requisition', model_id: Number(m.id), quantity, ...common }));
        }
      }
      await this.audit(mv, 'requisition', customerId, { ticketId: Number(ticket.id), ticketNumber: ticket.number, warehouseId: Number(w.id), repairReportId: reportId, ciId, lines: lines.map((l) => ({ modelId: Number(l.m.id), quantity: l.quantity, serials: l.serials })), movementIds: ids });
      return ids;
    });
  }

  /** The faulty part taken out of the customer's device comes back (state faulty; a vendor repair may take it). */
  async returnFaulty(actor: Actor, body: ReturnBody): Promise<SlipOut> {
    const { ticket, customerId, w, m, serials } = await this.returning(actor, body);
    const ciId = await this.ci(body.ciId ?? null, customerId, 'ciId');
    return this.write(actor, 'return_faulty', customerId, undefined, async (mv) => {
      const ids: number[] = [];
      const common = { to_warehouse_id: Number(w.id), customer_id: customerId, ticket_id: Number(ticket.id), ci_id: ciId, note: body.note };
      if (serials.length) {
        for (const [j, s] of serials.entries()) {
          const existing = await repo.findItemBySerial(mv.trx, Number(m.id), s);
          let itemId: number;
          if (existing) {
            // A unit we know (fitted earlier) comes back broken; one still on a shelf cannot.
            if (existing.state !== 'fitted' || (existing.customer_id !== null && Number(existing.customer_id) !== customerId)) throw AppError.field(`serials[${j}]`, 'parts.duplicateSerial', { serial: s });
            await repo.moveItem(mv.trx, Number(existing.id), { state: 'fitted', warehouseId: null }, { state: 'faulty', warehouse_id: Number(w.id), customer_id: num(w.customer_id), ticket_id: Number(ticket.id) }, mv.now);
            itemId = Number(existing.id);
          } else {
            itemId = await repo.insertItem(mv.trx, { model_id: Number(m.id), serial: s, warehouse_id: Number(w.id), state: 'faulty', customer_id: num(w.customer_id), ticket_id: Number(ticket.id), ci_id: ciId }, mv.now);
          }
          ids.push(await this.record(mv, { kind: 'return_faulty', model_id: Number(m.id), item_id: itemId, quantity: 1, ...common }));
        }
      } else {
        ids.push(await this.record(mv, { kind: 'return_faulty', model_id: Number(m.id), quantity: body.quantity, ...common }));
      }
      await this.audit(mv, 'return_faulty', customerId, { ticketId: Number(ticket.id), warehouseId: Number(w.id), modelId: Number(m.id), quantity: body.quantity, serials, movementIds: ids });
      return ids;
    });
  }

  /** What a return names, checked: the ticket (closed ones too), the warehouse serving its customer, the model and the serials. */
  private async returning(actor: Actor, body: ReturnBody) {
    requireProvider(actor);
    const ticket = await this.ticket(actor, body.ticketId, 'ticketId', { allowClosed: true });
    const customerId = Number(ticket.customer_id);
    const w = await this.warehouse(actor, body.warehouseId, 'warehouseId');
    this.assertFor(w, customerId, 'warehouseId');
    const m = await this.model(body.modelId, 'modelId', { allowDisabled: true });
    return { ticket, customerId, w, m, serials: this.serialsFor(m, body.quantity, body.serials, 'serials') };
  }

  /** Parts requisitioned for a ticket and not used go back on a shelf (no more than the ticket still holds). */
  async returnUnused(actor: Actor, body: ReturnBody): Promise<SlipOut> {
    const { ticket, customerId, w, m, serials } = await this.returning(actor, body);
    return this.write(actor, 'return_unused', customerId, undefined, async (mv) => {
      const ids: number[] = [];
      const common = { to_warehouse_id: Number(w.id), customer_id: customerId, ticket_id: Number(ticket.id), note: body.note };
      if (serials.length) {
        for (const [j, s] of serials.entries()) {
          const item = await repo.findItemBySerial(mv.trx, Number(m.id), s);
          if (!item || item.state !== 'fitted' || Number(item.ticket_id) !== Number(ticket.id)) throw AppError.field(`serials[${j}]`, 'parts.serialNotOut', { serial: s });
          if (!(await repo.moveItem(mv.trx, Number(item.id), { state: 'fitted', warehouseId: null }, { state: 'in_stock', warehouse_id: Number(w.id), customer_id: num(w.customer_id), ticket_id: null, ci_id: null }, mv.now))) throw AppError.conflict();
          ids.push(await this.record(mv, { kind: 'return_unused', model_id: Number(m.id), item_id: Number(item.id), quantity: 1, ...common }));
        }
      } else {
        const rows = (await repo.movementsOfTicket(mv.trx, Number(ticket.id))).filter((r) => Number(r.model_id) === Number(m.id));
        const out = rows.reduce((n, r) => n + (r.kind === 'requisition' ? Number(r.quantity) : r.kind === 'return_unused' ? -Number(r.quantity) : 0), 0);
        if (body.quantity > out) throw AppError.field('quantity', 'parts.returnMore', { model: modelLabel(m), out, quantity: body.quantity, unit: m.unit });
        ids.push(await this.record(mv, { kind: 'return_unused', model_id: Number(m.id), quantity: body.quantity, ...common }));
      }
      await this.increase(mv, Number(w.id), Number(m.id), body.quantity);
      await this.audit(mv, 'return_unused', customerId, { ticketId: Number(ticket.id), warehouseId: Number(w.id), modelId: Number(m.id), quantity: body.quantity, serials, movementIds: ids });
      return ids;
    });
  }

  /** Transfer between warehouses (the depot and a store, or two depots; never two customers' stores). */
  async transfer(actor: Actor, body: TransferBody): Promise<SlipOut> {
    requireProvider(actor);
    if (body.fromWarehouseId === body.toWarehouseId) throw AppError.field('toWarehouseId', 'parts.sameWarehouse');
    const from = await this.warehouse(actor, body.fromWarehouseId, 'fromWarehouseId');
    const to = await this.warehouse(actor, body.toWarehouseId, 'toWarehouseId');
    if (from.customer_id !== null && to.customer_id !== null && Number(from.customer_id) !== Number(to.customer_id)) throw AppError.field('toWarehouseId', 'parts.transferCustomers');
    const customerId = num(from.customer_id) ?? num(to.customer_id);
    const m = await this.model(body.modelId, 'modelId');
    const serials = this.serialsFor(m, body.quantity, body.serials, 'serials');
    return this.write(actor, 'transfer', customerId, undefined, async (mv) => {
      const ids: number[] = [];
      const common = { from_warehouse_id: Number(from.id), to_warehouse_id: Number(to.id), customer_id: customerId, note: body.note };
      await this.decrease(mv, from, m, body.quantity, 'quantity');
      if (serials.length) {
        for (const [j, s] of serials.entries()) {
          const item = await this.itemIn(mv.trx, m, s, 'in_stock', Number(from.id), `serials[${j}]`);
          if (!(await repo.moveItem(mv.trx, Number(item.id), { state: 'in_stock', warehouseId: Number(from.id) }, { warehouse_id: Number(to.id), customer_id: num(to.customer_id) }, mv.now))) throw AppError.field(`serials[${j}]`, 'parts.serialNotInStock', { serial: s });
          ids.push(await this.record(mv, { kind: 'transfer', model_id: Number(m.id), item_id: Number(item.id), quantity: 1, ...common }));
        }
      } else {
        ids.push(await this.record(mv, { kind: 'transfer', model_id: Number(m.id), quantity: body.quantity, ...common }));
      }
      await this.increase(mv, Number(to.id), Number(m.id), body.quantity);
      await this.audit(mv, 'transfer', customerId, { fromWarehouseId: Number(from.id), toWarehouseId: Number(to.id), modelId: Number(m.id), quantity: body.quantity, serials, movementIds: ids });
      return ids;
    });
  }

  /** Lends a stand-in machine (备机) through the HTTP route: the slip. */
  async lend(actor: Actor, body: LendBody): Promise<SlipOut> {
    const lent = await this.lendStandin(actor, body);
    return this.slip(actor, lent.movementId);
  }

  /**
   * Lends a stand-in machine (备机) to a customer until `dueBack` (a local date in the customer's
   * zone); an overdue reminder is scheduled for the morning after. For modules/repairs: pass its
   * transaction to lend in the same commit as its own change (docs/PARTS.md).
   */
  async lendStandin(actor: Actor, input: LendStandinInput, trx?: Tx): Promise<LentStandin> {
    requireProvider(actor);
    const db = trx ?? this.db;
    const customer = await repo.findCustomer(db, actor.scope, input.customerId);
    if (!customer) throw AppError.field('customerId', 'parts.customerNotFound');
    const customerId = Number(customer.id);
    let ticketId: number | null = null;
    if (input.ticketId != null) {
      const ticket = await this.ticket(actor, input.ticketId, 'ticketId', { db });
      if (Number(ticket.customer_id) !== customerId) throw AppError.field('customerId', 'parts.lendCustomer');
      ticketId = Number(ticket.id);
    }
    const w = await this.warehouse(actor, input.warehouseId, 'warehouseId', { db });
    this.assertFor(w, customerId, 'warehouseId');
    const m = await this.model(input.modelId, 'modelId', { db });
    if (m.standin !== 1) throw AppError.field('modelId', 'parts.notStandin', { label: modelLabel(m) });
    const today = localDay(Date.now(), customer.time_zone);
    if (input.dueBack < today) throw AppError.field('dueBack', 'parts.dueBackPast', { today });
    let out: LentStandin | null = null;
    await this.write(actor, 'lend', customerId, trx, async (mv) => {
      await this.decrease(mv, w, m, 1, 'serial');
      const item = await this.itemIn(mv.trx, m, input.serial, 'in_stock', Number(w.id), 'serial');
      if (!(await repo.moveItem(mv.trx, Number(item.id), { state: 'in_stock', warehouseId: Number(w.id) }, { state: 'lent', warehouse_id: null, customer_id: customerId, ticket_id: ticketId, due_back: input.dueBack, reminded_on: null }, mv.now))) throw AppError.field('serial', 'parts.serialNotInStock', { serial: input.serial });
      const id = await this.record(mv, { kind: 'lend', model_id: Number(m.id), item_id: Number(item.id), quantity: 1, from_warehouse_id: Number(w.id), customer_id: customerId, ticket_id: ticketId, note: input.note ?? null });
      await enqueueJob(mv.trx, { kind: STANDIN_JOB, key: standinJobKey(Number(item.id)), runAt: firstReminderAt(input.dueBack, customer.time_zone), payload: { itemId: Number(item.id) } }, mv.now);
      await this.audit(mv, 'lend', customerId, { warehouseId: Number(w.id), modelId: Number(m.id), serial: input.serial, itemId: Number(item.id), ticketId, dueBack: input.dueBack, movementIds: [id] });
      out = { movementId: id, number: mv.number, itemId: Number(item.id) };
      return [id];
    });
    return out!;
  }

  /** A stand-in comes back (HTTP route): the slip. */
  async lendReturn(actor: Actor, itemId: number, body: { warehouseId: number; note?: string | null }): Promise<SlipOut> {
    const back = await this.returnStandin(actor, { itemId, ...body });
    return this.slip(actor, back.movementId);
  }

  /** A lent stand-in machine comes back to a warehouse (the depot or the customer's store); its reminder stops. */
  async returnStandin(actor: Actor, input: { itemId: number; warehouseId: number; note?: string | null }, trx?: Tx): Promise<{ movementId: number; number: string }> {
    requireProvider(actor);
    const db = trx ?? this.db;
    const item = await repo.findItem(db, actor.scope, input.itemId);
    if (!item) throw AppError.notFound();
    if (item.state !== 'lent') throw new AppError(409, 'not_lent', 'parts.notLent', { serial: item.serial });
    const customerId = num(item.customer_id);
    const w = await this.warehouse(actor, input.warehouseId, 'warehouseId', { db });
    if (customerId !== null) this.assertFor(w, customerId, 'warehouseId');
    const m = await this.model(Number(item.model_id), 'modelId', { allowDisabled: true, db });
    let out: { movementId: number; number: string } | null = null;
    await this.write(actor, 'lend_return', customerId, trx, async (mv) => {
      if (!(await repo.moveItem(mv.trx, Number(item.id), { state: 'lent', warehouseId: null }, { state: 'in_stock', warehouse_id: Number(w.id), customer_id: num(w.customer_id), ticket_id: null, due_back: null, reminded_on: null }, mv.now))) throw new AppError(409, 'not_lent', 'parts.notLent', { serial: item.serial });
      const id = await this.record(mv, { kind: 'lend_return', model_id: Number(m.id), item_id: Number(item.id), quantity: 1, to_warehouse_id: Number(w.id), customer_id: customerId, ticket_id: num(item.ticket_id), note: input.note ?? null });
      await this.increase(mv, Number(w.id), Number(m.id), 1);
      await cancelJob(mv.trx, standinJobKey(Number(item.id)));
      await this.audit(mv, 'lend_return', customerId, { itemId: Number(item.id), serial: item.serial, warehouseId: Number(w.id), dueBack: item.due_back, movementIds: [id] });
      out = { movementId: id, number: mv.number };
      return [id];
    });
    return out!;
  }

  /**
   * A faulty unit goes to the vendor (modules/repairs: 送修): state in_repair, off the shelf.
   * Pass the caller's transaction to do it in the same commit as the repair order.
   */
  async sendToRepair(actor: Actor, itemId: number, trx?: Tx): Promise<void> {
    requireProvider(actor);
    const db = trx ?? this.db;
    const item = await repo.findItem(db, actor.scope, itemId);
    if (!item) throw AppError.notFound();
    if (item.state !== 'faulty') throw AppError.field('itemId', 'parts.notFaulty', { serial: item.serial });
    const run = async (t: Tx) => {
      const now = Date.now();
      if (!(await repo.moveItem(t, itemId, { state: 'faulty', warehouseId: num(item.warehouse_id) }, { state: 'in_repair' }, now))) throw AppError.conflict();
      await recordAudit(t, auditActorOf(actor), { action: 'send_to_repair', entity: 'part_items', entityId: itemId, customerId: num(item.customer_id), before: { state: 'faulty' }, after: { state: 'in_repair', serial: item.serial } }, now);
    };
    if (trx) await run(trx);
    else await this.db.transaction().execute(run);
  }

  /**
   * A unit back from the vendor: repaired, it is usable stock again at `warehouseId` (a stock-in
   * slip); not repaired, it is scrapped. Pass the caller's transaction as with `sendToRepair`.
   */
  async backFromRepair(actor: Actor, input: { itemId: number; warehouseId: number; repaired: boolean; note?: string | null }, trx?: Tx): Promise<void> {
    requireProvider(actor);
    const db = trx ?? this.db;
    const item = await repo.findItem(db, actor.scope, input.itemId);
    if (!item) throw AppError.notFound();
    if (item.state !== 'in_repair') throw AppError.field('itemId', 'parts.notInRepair', { serial: item.serial });
    const w = await this.warehouse(actor, input.warehouseId, 'warehouseId', { db });
    const kind: MovementKind = input.repaired ? 'stock_in' : 'scrap';
    await this.write(actor, kind, num(w.customer_id), trx, async (mv) => {
      const set = input.repaired ? { state: 'in_stock', warehouse_id: Number(w.id), customer_id: num(w.customer_id) } : { state: 'scrapped', warehouse_id: null };
      if (!(await repo.moveItem(mv.trx, input.itemId, { state: 'in_repair', warehouseId: num(item.warehouse_id) }, set, mv.now))) throw AppError.conflict();
      const id = await this.record(mv, { kind, model_id: Number(item.model_id), item_id: input.itemId, quantity: 1, ...(input.repaired ? { to_warehouse_id: Number(w.id) } : { from_warehouse_id: Number(w.id) }), customer_id: num(w.customer_id), note: input.note ?? (input.repaired ? '厂商修复返回' : '厂商无法修复') });
      if (input.repaired) await this.increase(mv, Number(w.id), Number(item.model_id), 1);
      await this.audit(mv, kind, num(w.customer_id), { itemId: input.itemId, serial: item.serial, fromRepair: true, repaired: input.repaired, movementIds: [id] });
      return [id];
    });
  }

  /** A stock count (盘点) differs from the books: the books follow the count, with the reason. */
  async adjust(actor: Actor, body: AdjustBody): Promise<SlipOut> {
    requireProvider(actor);
    const w = await this.warehouse(actor, body.warehouseId, 'warehouseId', { allowDisabled: true });
    const m = await this.model(body.modelId, 'modelId', { allowDisabled: true });
    if (m.serial_tracked === 1) throw AppError.field('modelId', 'parts.adjustTracked');
    const customerId = num(w.customer_id);
    return this.write(actor, 'adjust', customerId, undefined, async (mv) => {
      const current = Number((await repo.findStock(mv.trx, Number(w.id), Number(m.id)))?.quantity ?? 0);
      const delta = body.counted - current;
      if (delta === 0) throw AppError.field('counted', 'parts.adjustSame', { quantity: current });
      if (delta < 0) await this.decrease(mv, w, m, -delta, 'counted');
      else await this.increase(mv, Number(w.id), Number(m.id), delta);
      const id = await this.record(mv, { kind: 'adjust', model_id: Number(m.id), quantity: delta, to_warehouse_id: Number(w.id), customer_id: customerId, note: body.reason });
      await this.audit(mv, 'adjust', customerId, { warehouseId: Number(w.id), modelId: Number(m.id), recorded: current, counted: body.counted, reason: body.reason, movementIds: [id] });
      return [id];
    });
  }

  /** Scrap (报废): units on the shelf or faulty ones leave the books for good. */
  async scrap(actor: Actor, body: ScrapBody): Promise<SlipOut> {
    requireProvider(actor);
    const w = await this.warehouse(actor, body.warehouseId, 'warehouseId', { allowDisabled: true });
    const m = await this.model(body.modelId, 'modelId', { allowDisabled: true });
    const serials = this.serialsFor(m, body.quantity, body.serials, 'serials');
    const customerId = num(w.customer_id);
    return this.write(actor, 'scrap', customerId, undefined, async (mv) => {
      const ids: number[] = [];
      if (serials.length) {
        for (const [j, s] of serials.entries()) {
          const item = await repo.findItemBySerial(mv.trx, Number(m.id), s);
          if (!item || Number(item.warehouse_id) !== Number(w.id) || (item.state !== 'in_stock' && item.state !== 'faulty')) throw AppError.field(`serials[${j}]`, 'parts.serialNotInStock', { serial: s });
          if (item.state === 'in_stock') await this.decrease(mv, w, m, 1, `serials[${j}]`);
          if (!(await repo.moveItem(mv.trx, Number(item.id), { state: item.state, warehouseId: Number(w.id) }, { state: 'scrapped', warehouse_id: null }, mv.now))) throw AppError.conflict();
          ids.push(await this.record(mv, { kind: 'scrap', model_id: Number(m.id), item_id: Number(item.id), quantity: 1, from_warehouse_id: Number(w.id), customer_id: customerId, note: body.reason }));
        }
      } else {
        await this.decrease(mv, w, m, body.quantity, 'quantity');
        ids.push(await this.record(mv, { kind: 'scrap', model_id: Number(m.id), quantity: body.quantity, from_warehouse_id: Number(w.id), customer_id: customerId, note: body.reason }));
      }
      await this.audit(mv, 'scrap', customerId, { warehouseId: Number(w.id), modelId: Number(m.id), quantity: body.quantity, serials, reason: body.reason, movementIds: ids });
      return ids;
    });
  }

  // ------------------------------------------------------------ monthly list

  /** A customer's movements in a month of his zone, the totals per model and kind, and his stores' stock with what to top up. */
  async monthly(actor: Actor, customerId: number, month: string): Promise<MonthlyOut> {
    requireProvider(actor);
    const customer = await repo.findCustomer(this.db, actor.scope, customerId);
    if (!customer) throw AppError.notFound();
    const { from, to } = monthRange(month, customer.time_zone);
    const rows = (await repo.listMovements(this.db, actor.scope, { customerId, from, to, limit: 100_000 })).reverse();
    const movements = await this.movementOuts(rows);
    const summary = new Map<number, MonthlyOut['summary'][number]>();
    for (const mv of movements) {
      const s = summary.get(mv.modelId) ?? { modelId: mv.modelId, modelLabel: mv.modelLabel, unit: mv.unit, byKind: {} };
      s.byKind[mv.kind] = (s.byKind[mv.kind] ?? 0) + mv.quantity;
      summary.set(mv.modelId, s);
    }
    const stock = (await this.listStock(actor, { customerId })).map((s) => ({ ...s, topUp: Math.max(0, s.minQuantity - s.quantity) }));
    return {
      customerId,
      customerName: customer.name,
      month,
      timeZone: customer.time_zone,
      movements,
      summary: [...summary.values()].sort((a, b) => a.modelLabel.localeCompare(b.modelLabel, 'zh')),
      stock,
    };
  }

  /** The 备件领用单 (or any slip) as the PDF the customer signs. */
  async slipPdf(actor: Actor, movementId: number): Promise<{ name: string; bytes: Buffer }> {
    const slip = await this.slip(actor, movementId);
    const first = slip.movements[0];
    const [zone, ticket, ci, report, providerName] = await Promise.all([
      repo.zoneOf(this.db, first.customerId),
      first.ticketId === null ? null : this.db.selectFrom('tickets').select(['number', 'title']).where('id', '=', first.ticketId).executeTakeFirst(),
      first.ciId === null ? null : repo.findCi(this.db, first.ciId),
      first.repairReportId === null ? null : repo.findReport(this.db, first.repairReportId),
      this.docs.config ? providerNameOf(this.db, this.docs.config) : null,
    ]);
    const bytes = await renderSlipPdf(
      {
        number: slip.number,
        providerName,
        customerName: first.customerName ?? providerName ?? '',
        ticketNumber: ticket?.number ?? null,
        ticketTitle: ticket?.title ?? null,
        warehouseName: first.fromWarehouseName ?? first.toWarehouseName,
        ciLabel: ci ? `${ci.code} ${ci.name}` : null,
        repairReportNumber: report?.number ?? null,
        byName: first.byName,
        at: first.at,
        timeZone: zone,
        note: first.note,
        lines: slip.movements,
      },
      this.font(),
    );
    return { name: `${slip.number}.pdf`, bytes };
  }

  async monthlyPdf(actor: Actor, customerId: number, month: string): Promise<{ name: string; bytes: Buffer }> {
    const r = await this.monthly(actor, customerId, month);
    const providerName = this.docs.config ? await providerNameOf(this.db, this.docs.config) : null;
    return { name: `${r.customerName}-备品备件月度清单-${month}.pdf`, bytes: await renderMonthlyPdf(r, providerName, this.font()) };
  }

  async monthlyXlsx(actor: Actor, customerId: number, month: string): Promise<{ name: string; bytes: Buffer }> {
    const r = await this.monthly(actor, customerId, month);
    return { name: `${r.customerName}-备品备件月度清单-${month}.xlsx`, bytes: await renderMonthlyXlsx(r) };
  }

  private font(): FontChoice {
    if (!this.docs.font) throw new Error('PartsService was built without a PDF font');
    return this.docs.font;
  }

  // ------------------------------------------------------------ the overdue stand-in reminder

  /**
   * The scheduler's daily look at a lent stand-in: from the morning after its due-back date, the
   * parts managers, the customer's project managers and whoever lent it are told once a day
   * (`reminded_on` makes a second run on the same day tell nobody), until it is returned.
   */
  async runStandinReminder(itemId: number, now = Date.now()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const item = await trx.selectFrom('part_items').selectAll().where('id', '=', itemId).executeTakeFirst();
      if (!item || item.state !== 'lent' || !item.due_back) return false;
      const customerId = num(item.customer_id);
      const zone = await repo.zoneOf(trx, customerId);
      const today = localDay(now, zone);
      const next = (day: string) => enqueueJob(trx, { kind: STANDIN_JOB, key: standinJobKey(itemId), runAt: zonedToInstant(day, REMINDER_HOUR, zone), payload: { itemId } }, now);
      if (today <= item.due_back) {
        await next(addDays(item.due_back, 1));
        return false;
      }
      await next(addDays(today, 1));
      const claimed = await trx.updateTable('part_items').set({ reminded_on: today }).where('id', '=', itemId).where('state', '=', 'lent').where((eb) => eb.or([eb('reminded_on', 'is', null), eb('reminded_on', '<>', today)])).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      const [model, customers, managers, lender] = await Promise.all([
        repo.findModel(trx, Number(item.model_id)),
        repo.namesOf(trx, 'customers', [customerId]),
        repo.partsManagers(trx, customerId),
        repo.lenderOf(trx, itemId),
      ]);
      const recipients = [...new Set([...managers, ...(lender ? [lender] : [])])];
      await emit(trx, {
        type: 'parts.standin_overdue',
        recipients,
        customerId,
        entity: 'part_items',
        entityId: itemId,
        title: { key: 'parts.notify.standinOverdue', params: { customer: customerId === null ? '' : (customers.get(customerId) ?? ''), model: model ? modelLabel(model) : '', serial: item.serial, dueBack: item.due_back, days: daysOverdue(item.due_back, today) } },
        link: '/parts/standins',
      }, now);
      return true;
    });
  }

  // ------------------------------------------------------------ helpers

  /**
   * Runs a movement: one transaction (or the caller's) holding the slip number, the writes, the
   * audit entry and the minimum-stock check; answers the slip.
   */
  private async write(actor: Actor, kind: MovementKind, customerId: number | null, trx: Tx | undefined, fn: (mv: Move) => Promise<number[]>): Promise<SlipOut> {
    const run = async (t: Tx) => {
      const now = Date.now();
      const zone = await repo.zoneOf(t, customerId);
      const mv: Move = { trx: t, actor, now, number: '', touched: new Map() };
      // Numbered after the stock is taken would be fairer to the loser of a race, but the number is
      // on every row: take the numbering lock first (held to commit; every movement takes it, so
      // they queue here, in one order, before any stock row is locked).
      await repo.lockNumbers(t);
      const month = monthOf(now, zone);
      const last = await repo.lastNumber(t, slipPrefix(kind, month));
      mv.number = slipNumber(kind, month, (last ? slipSeq(last) : 0) + 1);
      const ids = await fn(mv);
      await this.settleAlerts(mv);
      return ids;
    };
    const ids = trx ? await run(trx) : await this.db.transaction().execute(run);
    const rows = await (trx ?? this.db).selectFrom('part_movements').selectAll().where('id', 'in', ids).orderBy('id').execute();
    return { number: rows[0]?.number ?? '', movements: await this.movementOuts(rows, trx ?? this.db) };
  }

  private async record(mv: Move, v: Partial<Omit<repo.MovementRow, 'id' | 'number' | 'at' | 'by_id' | 'by_name'>> & { kind: MovementKind; model_id: number; quantity: number }): Promise<number> {
    return repo.insertMovement(mv.trx, {
      number: mv.number,
      item_id: null,
      from_warehouse_id: null,
      to_warehouse_id: null,
      customer_id: null,
      ticket_id: null,
      repair_report_id: null,
      ci_id: null,
      note: null,
      ...v,
      at: mv.now,
      by_id: mv.actor.userId || null,
      by_name: mv.actor.displayName || mv.actor.username,
    });
  }

  private async audit(mv: Move, action: MovementKind, customerId: number | null, after: Record<string, unknown>): Promise<void> {
    await recordAudit(mv.trx, auditActorOf(mv.actor), { action, entity: 'part_movements', entityId: mv.number, customerId, after: { number: mv.number, ...after } }, mv.now);
  }

  /** Takes n from a warehouse's stock, or refuses naming `field` (nothing is taken). */
  private async decrease(mv: Move, w: repo.WarehouseRow, m: repo.ModelRow, n: number, field: string): Promise<void> {
    if (!(await repo.takeStock(mv.trx, Number(w.id), Number(m.id), n, mv.now))) {
      const available = Number((await repo.findStock(mv.trx, Number(w.id), Number(m.id)))?.quantity ?? 0);
      throw AppError.field(field, 'parts.notEnough', { warehouse: w.name, model: modelLabel(m), available, quantity: n, unit: m.unit });
    }
    mv.touched.set(`${w.id}:${m.id}`, [Number(w.id), Number(m.id)]);
  }

  private async increase(mv: Move, warehouseId: number, modelId: number, n: number): Promise<void> {
    await repo.putStock(mv.trx, warehouseId, modelId, n, mv.now);
    mv.touched.set(`${warehouseId}:${modelId}`, [warehouseId, modelId]);
  }

  /** Stock that went under its minimum is told once (alerted_at); stock back at its minimum is ready to be told again. */
  private async settleAlerts(mv: Move): Promise<void> {
    for (const [warehouseId, modelId] of mv.touched.values()) {
      const row = await repo.findStock(mv.trx, warehouseId, modelId);
      if (!row) continue;
      const step = lowStockTransition(Number(row.quantity), Number(row.min_quantity), row.alerted_at !== null);
      if (step === 'clear') await repo.clearAlerted(mv.trx, warehouseId, modelId);
      if (step !== 'alert' || !(await repo.markAlerted(mv.trx, warehouseId, modelId, mv.now))) continue;
      const [w, m] = await Promise.all([mv.trx.selectFrom('warehouses').selectAll().where('id', '=', warehouseId).executeTakeFirstOrThrow(), repo.findModel(mv.trx, modelId)]);
      const customerId = num(w.customer_id);
      await emit(mv.trx, {
        type: 'parts.low_stock',
        recipients: await repo.partsManagers(mv.trx, customerId),
        customerId,
        entity: 'part_stock',
        entityId: `${warehouseId}:${modelId}`,
        title: { key: 'parts.notify.lowStock', params: { warehouse: w.name, model: m ? modelLabel(m) : '', quantity: Number(row.quantity), min: Number(row.min_quantity) } },
        link: `/parts/stock?warehouseId=${warehouseId}`,
      }, mv.now);
    }
  }

  private async warehouse(actor: Actor, id: number, field: string, opts: { allowDisabled?: boolean; db?: DbOrTx } = {}): Promise<repo.WarehouseRow> {
    const w = await repo.findWarehouse(opts.db ?? this.db, actor.scope, id);
    if (!w) throw AppError.field(field, 'parts.warehouseNotFound');
    if (w.disabled && !opts.allowDisabled) throw AppError.field(field, 'parts.warehouseDisabled', { name: w.name });
    return w;
  }

  /** A warehouse serving a customer: the provider's depot or that customer's own store. */
  private assertFor(w: repo.WarehouseRow, customerId: number, field: string): void {
    if (w.customer_id !== null && Number(w.customer_id) !== customerId) throw AppError.field(field, 'parts.warehouseOtherCustomer', { name: w.name });
  }

  private async model(id: number, field: string, opts: { allowDisabled?: boolean; db?: DbOrTx } = {}): Promise<repo.ModelRow> {
    const m = await repo.findModel(opts.db ?? this.db, id);
    if (!m) throw AppError.field(field, 'parts.modelNotFound');
    if (m.disabled && !opts.allowDisabled) throw AppError.field(field, 'parts.modelDisabled', { label: modelLabel(m) });
    return m;
  }

  private async ticket(actor: Actor, id: number, field: string, opts: { allowClosed?: boolean; db?: DbOrTx } = {}) {
    const t = await repo.findTicket(opts.db ?? this.db, actor.scope, id);
    if (!t) throw AppError.field(field, 'parts.ticketNotFound');
    if (!opts.allowClosed && CLOSED_TICKET.has(t.state)) throw AppError.field(field, 'parts.ticketClosed', { number: t.number, state: TICKET_STATE_ZH[t.state] ?? t.state });
    return t;
  }

  private async ci(id: number | null, customerId: number, field: string): Promise<number | null> {
    if (id === null) return null;
    const ci = await repo.findCi(this.db, id);
    if (!ci || Number(ci.customer_id) !== customerId) throw AppError.field(field, 'parts.ciNotFound');
    return Number(ci.id);
  }

  /** The serials a movement of `quantity` units needs: exactly that many, distinct, for a tracked model; none otherwise. */
  private serialsFor(m: repo.ModelRow, quantity: number, serials: string[] | undefined, field: string): string[] {
    const list = serials ?? [];
    if (m.serial_tracked !== 1) {
      if (list.length) throw AppError.field(field, 'parts.serialsUntracked');
      return [];
    }
    if (list.length !== quantity) throw AppError.field(field, 'parts.serialsCount', { quantity });
    const seen = new Set<string>();
    for (const [i, s] of list.entries()) {
      if (seen.has(s)) throw AppError.field(`${field}[${i}]`, 'parts.serialRepeated', { serial: s });
      seen.add(s);
    }
    return list;
  }

  private async itemIn(trx: Tx, m: repo.ModelRow, serial: string, state: ItemState, warehouseId: number, field: string): Promise<repo.ItemRow> {
    const item = await repo.findItemBySerial(trx, Number(m.id), serial);
    if (!item || item.state !== state || Number(item.warehouse_id) !== warehouseId) throw AppError.field(field, 'parts.serialNotInStock', { serial });
    return item;
  }
}

function duplicateModel(v: { type: string; brand: string | null; model: string }): AppError {
  const label = modelLabel(v);
  return new AppError(409, 'duplicate', 'parts.duplicateModel', { label }, [{ field: 'model', code: 'parts.duplicateModel', params: { label } }]);
}

function modelOut(r: repo.ModelRow | (Omit<repo.ModelRow, 'id'> & { id: number })): ModelOut {
  return {
    id: Number(r.id),
    type: r.type,
    brand: r.brand,
    model: r.model,
    unit: r.unit,
    serialTracked: r.serial_tracked === 1,
    standin: r.standin === 1,
    description: r.description,
    disabled: r.disabled === 1,
    version: r.version,
    label: modelLabel(r),
  };
}
