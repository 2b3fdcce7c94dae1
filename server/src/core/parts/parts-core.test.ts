import { describe, expect, it } from 'vitest';
import { addDays, daysOverdue, firstReminderAt, isMonth, lowStockTransition, monthOf, monthRange, slipNumber, slipPrefix, slipSeq, stockEffect } from './index.js';

describe('spare parts rules', () => {
  it('slip numbers: prefix, month, four-digit sequence', () => {
    expect(slipNumber('requisition', '2026-12', 1)).toBe('LY-202612-0001');
    expect(slipNumber('stock_in', '2026-01', 123)).toBe('RK-202601-0123');
    expect(slipPrefix('lend', '2026-03')).toBe('JC-202603-');
    expect(slipSeq('LY-202612-0042')).toBe(42);
    expect(slipSeq('LY-202612-12345')).toBe(12345);
  });
  it('stock effect of each kind never counts faulty parts as stock', () => {
    expect(stockEffect('requisition', 2)).toEqual({ from: -2, to: 0 });
    expect(stockEffect('transfer', 3)).toEqual({ from: -3, to: 3 });
    expect(stockEffect('return_faulty', 1)).toEqual({ from: 0, to: 0 });
    expect(stockEffect('lend_return', 1)).toEqual({ from: 0, to: 1 });
  });
  it('months in the customer zone: Beijing midnight, not UTC', () => {
    expect(isMonth('2026-12')).toBe(true);
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth('2026-1')).toBe(false);
    const { from, to } = monthRange('2026-12', 'Asia/Shanghai');
    expect(new Date(from).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(new Date(to).toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(monthOf(Date.UTC(2026, 10, 30, 17), 'Asia/Shanghai')).toBe('2026-12');
    expect(monthOf(Date.UTC(2026, 10, 30, 15), 'Asia/Shanghai')).toBe('2026-11');
  });
  it('minimum-stock alert: once below, cleared at the minimum, never for minimum 0', () => {
    expect(lowStockTransition(2, 3, false)).toBe('alert');
    expect(lowStockTransition(1, 3, true)).toBeNull();
    expect(lowStockTransition(3, 3, true)).toBe('clear');
    expect(lowStockTransition(0, 0, false)).toBeNull();
  });
  it('overdue stand-ins: days past due, first reminder 09:00 local the day after', () => {
    expect(daysOverdue('2026-12-01', '2026-12-01')).toBe(0);
    expect(daysOverdue('2026-12-01', '2026-12-04')).toBe(3);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(new Date(firstReminderAt('2026-12-31', 'Asia/Shanghai')).toISOString()).toBe('2027-01-01T01:00:00.000Z');
  });
});
