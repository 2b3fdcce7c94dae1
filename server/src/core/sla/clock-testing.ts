import { instantToZoned, zonedToInstant } from '../calendar/tz.js';
import type { TicketEvent } from './types.js';

/** Shared by the clock tests: instants in Asia/Shanghai and history events. */
export const MIN = 60_000;
export const H = 3_600_000;
export const at = (date: string, time: string) => zonedToInstant(date, time, 'Asia/Shanghai');
export const local = (ms: number | null | undefined) => {
  if (ms === null || ms === undefined) return ms;
  const z = instantToZoned(ms, 'Asia/Shanghai');
  return `${z.date} ${z.time}`;
};
export const reported = (time: number, priority = 'P3'): TicketEvent => ({ type: 'reported', at: time, priority });
export const state = (time: number, from: string, to: string): TicketEvent => ({ type: 'state_changed', at: time, from, to });
export const ev = (type: 'responded' | 'diagnosed' | 'onsite_arrived' | 'resolved' | 'reopened' | 'cancelled' | 'closed', time: number): TicketEvent => ({ type, at: time });
export const prio = (time: number, priority: string): TicketEvent => ({ type: 'priority_changed', at: time, priority });
