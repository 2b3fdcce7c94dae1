import { z } from 'zod';
import { ITEM_STATES, MOVEMENT_KINDS, WAREHOUSE_KINDS, isMonth } from '../../core/parts/index.js';
import { id, localDate, optionalText, text } from '../../platform/http/zod.js';

/** Spare parts' contracts at the edge (docs/PARTS.md), shared with the web client. */

/** A quantity moved: a whole number from 1 to 100,000 (zero, negative and huge ones are refused naming the field). */
export const MAX_QUANTITY = 100_000;
export const quantity = z.number().int().min(1).max(MAX_QUANTITY);
const serials = z.array(text(100)).max(500).optional();
const version = z.number().int().positive();
export const month = z.string().refine(isMonth, { params: { code: 'parts.month' } });

export const modelInput = z.strictObject({
  type: text(50),
  brand: optionalText(100),
  model: text(100),
  unit: text(10),
  serialTracked: z.boolean().default(false),
  standin: z.boolean().default(false),
  description: optionalText(1000),
});
export type ModelInput = z.output<typeof modelInput>;
export const modelPatch = z.strictObject({
  version,
  type: text(50).optional(),
  brand: optionalText(100).optional(),
  model: text(100).optional(),
  unit: text(10).optional(),
  standin: z.boolean().optional(),
  description: optionalText(1000).optional(),
  disabled: z.boolean().optional(),
});
export type ModelPatch = z.output<typeof modelPatch>;

export const warehouseInput = z.strictObject({
  name: text(100),
  kind: z.enum(WAREHOUSE_KINDS),
  /** Required for a customer's store, absent for a depot. */
  customerId: id.nullish(),
  siteId: id.nullish(),
});
export type WarehouseInput = z.output<typeof warehouseInput>;
export const warehousePatch = z.strictObject({ name: text(100).optional(), siteId: id.nullable().optional(), disabled: z.boolean().optional() });
export type WarehousePatch = z.output<typeof warehousePatch>;

export const minBody = z.strictObject({ warehouseId: id, modelId: id, minQuantity: z.number().int().min(0).max(MAX_QUANTITY) });

export const stockInBody = z.strictObject({ warehouseId: id, modelId: id, quantity, serials, note: optionalText(500) });
export type StockInBody = z.output<typeof stockInBody>;

export const requisitionLine = z.strictObject({ modelId: id, quantity, serials });
export const requisitionBody = z.strictObject({
  ticketId: id,
  warehouseId: id,
  repairReportId: id.nullish(),
  ciId: id.nullish(),
  note: optionalText(500),
  lines: z.array(requisitionLine).min(1).max(20),
});
export type RequisitionBody = z.output<typeof requisitionBody>;

export const returnBody = z.strictObject({ ticketId: id, warehouseId: id, modelId: id, quantity, serials, ciId: id.nullish(), note: optionalText(500) });
export type ReturnBody = z.output<typeof returnBody>;

export const transferBody = z.strictObject({ fromWarehouseId: id, toWarehouseId: id, modelId: id, quantity, serials, note: optionalText(500) });
export type TransferBody = z.output<typeof transferBody>;

export const lendBody = z.strictObject({
  warehouseId: id,
  modelId: id,
  serial: text(100),
  customerId: id,
  ticketId: id.nullish(),
  dueBack: localDate,
  note: optionalText(500),
});
export type LendBody = z.output<typeof lendBody>;
export const lendReturnBody = z.strictObject({ warehouseId: id, note: optionalText(500) });

export const adjustBody = z.strictObject({ warehouseId: id, modelId: id, counted: z.number().int().min(0).max(MAX_QUANTITY), reason: text(500) });
export type AdjustBody = z.output<typeof adjustBody>;
export const scrapBody = z.strictObject({ warehouseId: id, modelId: id, quantity, serials, reason: text(500) });
export type ScrapBody = z.output<typeof scrapBody>;

const flag = z.enum(['1', '0']).optional();
export const modelsQuery = z.object({ q: z.string().max(100).optional(), includeDisabled: flag });
export const warehousesQuery = z.object({ customerId: id.optional(), includeDisabled: flag });
export const stockQuery = z.object({ warehouseId: id.optional(), modelId: id.optional(), customerId: id.optional(), low: flag, q: z.string().max(100).optional() });
export const itemsQuery = z.object({
  warehouseId: id.optional(),
  modelId: id.optional(),
  customerId: id.optional(),
  state: z.enum(ITEM_STATES).optional(),
  /** Stand-in machines only (lent or on the shelf). */
  standin: flag,
  overdue: flag,
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const movementsQuery = z.object({
  customerId: id.optional(),
  warehouseId: id.optional(),
  modelId: id.optional(),
  ticketId: id.optional(),
  kind: z.enum(MOVEMENT_KINDS).optional(),
  from: localDate.optional(),
  to: localDate.optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type MovementsQuery = z.output<typeof movementsQuery>;
export const monthlyQuery = z.object({ customerId: id, month });

export const modelOut = z.object({
  id: z.number(),
  type: z.string(),
  brand: z.string().nullable(),
  model: z.string(),
  unit: z.string(),
  serialTracked: z.boolean(),
  standin: z.boolean(),
  description: z.string().nullable(),
  disabled: z.boolean(),
  version: z.number(),
  /** 硬盘 HPE 600G SAS */
  label: z.string(),
});
export type ModelOut = z.input<typeof modelOut>;

export const warehouseOut = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.enum(WAREHOUSE_KINDS),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  disabled: z.boolean(),
});
export type WarehouseOut = z.input<typeof warehouseOut>;

export const stockOut = z.object({
  warehouseId: z.number(),
  warehouseName: z.string(),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  modelId: z.number(),
  modelLabel: z.string(),
  type: z.string(),
  unit: z.string(),
  serialTracked: z.boolean(),
  standin: z.boolean(),
  quantity: z.number(),
  minQuantity: z.number(),
  low: z.boolean(),
  alertedAt: z.string().nullable(),
  /** Faulty units kept at the warehouse (not usable stock). */
  faulty: z.number(),
});
export type StockOut = z.input<typeof stockOut>;

export const itemOut = z.object({
  id: z.number(),
  modelId: z.number(),
  modelLabel: z.string(),
  standin: z.boolean(),
  serial: z.string(),
  state: z.enum(ITEM_STATES),
  warehouseId: z.number().nullable(),
  warehouseName: z.string().nullable(),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
  ciId: z.number().nullable(),
  dueBack: z.string().nullable(),
  overdueDays: z.number(),
  version: z.number(),
});
export type ItemOut = z.input<typeof itemOut>;

export const movementOut = z.object({
  id: z.number(),
  number: z.string(),
  kind: z.enum(MOVEMENT_KINDS),
  modelId: z.number(),
  modelLabel: z.string(),
  unit: z.string(),
  itemId: z.number().nullable(),
  serial: z.string().nullable(),
  quantity: z.number(),
  fromWarehouseId: z.number().nullable(),
  fromWarehouseName: z.string().nullable(),
  toWarehouseId: z.number().nullable(),
  toWarehouseName: z.string().nullable(),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
  repairReportId: z.number().nullable(),
  ciId: z.number().nullable(),
  note: z.string().nullable(),
  at: z.string(),
  byName: z.string(),
});
export type MovementOut = z.input<typeof movementOut>;
export const movementPageOut = z.object({ items: z.array(movementOut), nextCursor: z.string().nullable() });
export const slipOut = z.object({ number: z.string(), movements: z.array(movementOut) });
export type SlipOut = z.input<typeof slipOut>;

/** A part the ticket's engineer took from stock and kept (requisitioned, less returned unused): the repair report's parts list. */
export const ticketPartOut = z.object({ name: z.string(), model: z.string().nullable(), quantity: z.number(), serial: z.string().nullable(), number: z.string() });
export type TicketPartOut = z.input<typeof ticketPartOut>;

export const monthlyOut = z.object({
  customerId: z.number(),
  customerName: z.string(),
  month: z.string(),
  timeZone: z.string(),
  movements: z.array(movementOut),
  /** Per model: quantities by kind in the month. */
  summary: z.array(z.object({ modelId: z.number(), modelLabel: z.string(), unit: z.string(), byKind: z.record(z.string(), z.number()) })),
  /** The customer's stores now: stock, minimum and what to top up (配置清单 topped up monthly). */
  stock: z.array(stockOut.extend({ topUp: z.number() })),
});
export type MonthlyOut = z.input<typeof monthlyOut>;
