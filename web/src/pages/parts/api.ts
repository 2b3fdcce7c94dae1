// Types and paths of the spare-parts API (server/src/modules/parts/schema.ts, docs/PARTS.md).

export const MOVEMENT_KINDS = ['stock_in', 'requisition', 'return_faulty', 'return_unused', 'transfer', 'lend', 'lend_return', 'adjust', 'scrap'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];
export const ITEM_STATES = ['in_stock', 'fitted', 'lent', 'faulty', 'in_repair', 'scrapped'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export interface PartModel {
  id: number;
  type: string;
  brand: string | null;
  model: string;
  unit: string;
  serialTracked: boolean;
  standin: boolean;
  description: string | null;
  disabled: boolean;
  version: number;
  label: string;
}

export interface Warehouse {
  id: number;
  name: string;
  kind: 'depot' | 'customer';
  customerId: number | null;
  customerName: string | null;
  siteId: number | null;
  siteName: string | null;
  disabled: boolean;
}

export interface Stock {
  warehouseId: number;
  warehouseName: string;
  customerId: number | null;
  customerName: string | null;
  modelId: number;
  modelLabel: string;
  type: string;
  unit: string;
  serialTracked: boolean;
  standin: boolean;
  quantity: number;
  minQuantity: number;
  low: boolean;
  alertedAt: string | null;
  faulty: number;
}

export interface Item {
  id: number;
  modelId: number;
  modelLabel: string;
  standin: boolean;
  serial: string;
  state: ItemState;
  warehouseId: number | null;
  warehouseName: string | null;
  customerId: number | null;
  customerName: string | null;
  ticketId: number | null;
  ticketNumber: string | null;
  ciId: number | null;
  dueBack: string | null;
  overdueDays: number;
  version: number;
}

export interface Movement {
  id: number;
  number: string;
  kind: MovementKind;
  modelId: number;
  modelLabel: string;
  unit: string;
  itemId: number | null;
  serial: string | null;
  quantity: number;
  fromWarehouseId: number | null;
  fromWarehouseName: string | null;
  toWarehouseId: number | null;
  toWarehouseName: string | null;
  customerId: number | null;
  customerName: string | null;
  ticketId: number | null;
  ticketNumber: string | null;
  repairReportId: number | null;
  ciId: number | null;
  note: string | null;
  at: string;
  byName: string;
}

export interface Slip {
  number: string;
  movements: Movement[];
}

export interface TicketPart {
  name: string;
  model: string | null;
  quantity: number;
  serial: string | null;
  number: string;
}

/** The current month (YYYY-MM) in Beijing time. */
export function thisMonth(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
}
