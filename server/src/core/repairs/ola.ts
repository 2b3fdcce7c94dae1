import type { CompiledCalendar } from '../calendar/index.js';

/**
 * A vendor's underpinning contract (支持合同, UC) measured like an OLA (docs/REPAIRS.md): for the
 * orders sent in a period, the share whose vendor responded within its response target (working
 * hours on the vendor's calendar, from the sending) and the share returned within its repair
 * turnaround (working days on that calendar, from the first sending to the return that was
 * accepted, or the latest return). An order still within its target and not yet answered is
 * `pending` and counts in neither the met nor the missed; one past it unanswered is missed.
 */
export interface OlaOrder {
  sentAt: number;
  respondedAt: number | null;
  returnedAt: number | null;
  /** Cancelled orders are left out. */
  cancelled: boolean;
}

export interface OlaMeasure {
  /** The target (hours or working days), null when the vendor has none. */
  target: number | null;
  met: number;
  missed: number;
  pending: number;
  /** met / (met + missed), null when nothing was measured. */
  rate: number | null;
}

export interface VendorOla {
  orders: number;
  response: OlaMeasure;
  repair: OlaMeasure;
}

function measure(target: number | null, items: Array<{ due: number | null; at: number | null }>, now: number): OlaMeasure {
  const m: OlaMeasure = { target, met: 0, missed: 0, pending: 0, rate: null };
  if (target === null) return m;
  for (const { due, at } of items) {
    if (due === null) continue;
    if (at !== null) at <= due ? m.met++ : m.missed++;
    else if (now > due) m.missed++;
    else m.pending++;
  }
  const n = m.met + m.missed;
  m.rate = n ? m.met / n : null;
  return m;
}

export function vendorOla(orders: OlaOrder[], targets: { responseHours: number | null; repairDays: number | null }, calendar: CompiledCalendar, now: number): VendorOla {
  const counted = orders.filter((o) => !o.cancelled);
  return {
    orders: counted.length,
    response: measure(
      targets.responseHours,
      counted.map((o) => ({ due: targets.responseHours === null ? null : calendar.addWorkingMinutes(o.sentAt, Math.round(targets.responseHours * 60)), at: o.respondedAt })),
      now,
    ),
    repair: measure(
      targets.repairDays,
      counted.map((o) => ({ due: targets.repairDays === null ? null : calendar.addWorkingDays(o.sentAt, targets.repairDays), at: o.returnedAt })),
      now,
    ),
  };
}
