import { instantToZoned, zonedToInstant } from '../calendar/index.js';

/**
 * Spare parts' pure rules (docs/PARTS.md): the kinds of movement and what each does to stock,
 * the states of a serial-tracked item, slip numbers, the month of a movement list in a customer's
 * zone, the minimum-stock alert and the overdue stand-in reminder. No IO.
 */

export const MOVEMENT_KINDS = ['stock_in', 'requisition', 'return_faulty', 'return_unused', 'transfer', 'lend', 'lend_return', 'adjust', 'scrap'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** in_stock: on a shelf (counted in part_stock); the others are out of the usable stock. */
export const ITEM_STATES = ['in_stock', 'fitted', 'lent', 'faulty', 'in_repair', 'scrapped'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export const WAREHOUSE_KINDS = ['depot', 'customer'] as const;
export type WarehouseKind = (typeof WAREHOUSE_KINDS)[number];

/** Slip number prefixes (pinyin initials of the Chinese name of each slip). */
export const NUMBER_PREFIX: Record<MovementKind, string> = {
  stock_in: 'RK', // 入库
  requisition: 'LY', // 领用
  return_faulty: 'HS', // 故障件回收
  return_unused: 'TK', // 退库
  transfer: 'DB', // 调拨
  lend: 'JC', // 备机借出
  lend_return: 'GH', // 备机归还
  adjust: 'PD', // 盘点调整
  scrap: 'BF', // 报废
};

/** Chinese names of the kinds, as the ledger and the monthly list print them. */
export const KIND_ZH: Record<MovementKind, string> = {
  stock_in: '入库',
  requisition: '领用',
  return_faulty: '故障件回收',
  return_unused: '退库',
  transfer: '调拨',
  lend: '备机借出',
  lend_return: '备机归还',
  adjust: '盘点调整',
  scrap: '报废',
};

export const STATE_ZH: Record<ItemState, string> = { in_stock: '在库', fitted: '已安装', lent: '借出', faulty: '故障', in_repair: '送修中', scrapped: '已报废' };

/** How a movement changes the usable stock: −n at `from`, +n at `to`. */
export function stockEffect(kind: MovementKind, quantity: number): { from: number; to: number } {
  switch (kind) {
    case 'stock_in':
    case 'return_unused':
    case 'lend_return':
      return { from: 0, to: quantity };
    case 'requisition':
    case 'lend':
      return { from: -quantity, to: 0 };
    case 'transfer':
      return { from: -quantity, to: quantity };
    case 'return_faulty':
      // A faulty part is kept apart (state faulty), never counted as usable stock.
      return { from: 0, to: 0 };
    case 'adjust':
      // The signed difference counted − recorded, applied at the warehouse (`to`).
      return { from: 0, to: quantity };
    case 'scrap':
      return { from: -quantity, to: 0 };
  }
}

/** `LY-202612-0001` */
export function slipNumber(kind: MovementKind, month: string, seq: number): string {
  return `${NUMBER_PREFIX[kind]}-${month.replace('-', '')}-${String(seq).padStart(4, '0')}`;
}

/** The slip number's prefix for a month, to count the slips already numbered (`LY-202612-`). */
export function slipPrefix(kind: MovementKind, month: string): string {
  return `${NUMBER_PREFIX[kind]}-${month.replace('-', '')}-`;
}

/** The sequence number of a slip number (0 when it is not one). */
export function slipSeq(number: string): number {
  const m = /-(\d{4,})$/.exec(number);
  return m ? Number(m[1]) : 0;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export function isMonth(s: string): boolean {
  return MONTH_RE.test(s);
}

/** 'YYYY-MM' of an instant in a zone. */
export function monthOf(ms: number, timeZone: string): string {
  return instantToZoned(ms, timeZone).date.slice(0, 7);
}

/** The month's first instant and the next month's first instant in the zone: [from, to). */
export function monthRange(month: string, timeZone: string): { from: number; to: number } {
  const m = MONTH_RE.exec(month);
  if (!m) throw new RangeError(`not a month: ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from: zonedToInstant(`${month}-01`, '00:00', timeZone), to: zonedToInstant(`${next}-01`, '00:00', timeZone) };
}

/**
 * The minimum-stock alert after a change of quantity: `alert` the first time the stock is below
 * its minimum (told once), `clear` once it is topped up to the minimum again (the next shortage
 * is told again), else nothing. A minimum of 0 never alerts.
 */
export function lowStockTransition(quantity: number, min: number, alerted: boolean): 'alert' | 'clear' | null {
  const low = min > 0 && quantity < min;
  if (low && !alerted) return 'alert';
  if (!low && alerted) return 'clear';
  return null;
}

/** A civil date plus n days. */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days a stand-in is past its due-back date on `today` (0 when it is not overdue). */
export function daysOverdue(dueBack: string, today: string): number {
  const diff = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueBack}T00:00:00Z`)) / 86_400_000);
  return Math.max(0, diff);
}

/** The hour of the local day the overdue reminder is sent. */
export const REMINDER_HOUR = '09:00';

/** When to remind about a stand-in due back on `dueBack`: 09:00 local on the first day it is overdue. */
export function firstReminderAt(dueBack: string, timeZone: string): number {
  return zonedToInstant(addDays(dueBack, 1), REMINDER_HOUR, timeZone);
}

/** The local day of an instant in a zone. */
export function localDay(ms: number, timeZone: string): string {
  return instantToZoned(ms, timeZone).date;
}
