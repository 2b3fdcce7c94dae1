import { z } from 'zod';
import { REPAIR_ACTIONS, REPAIR_STATES } from '../../core/repairs/index.js';
import { email, id, instant, localDate, optionalText, text } from '../../platform/http/zod.js';

/** Vendor repairs' contracts at the edge (docs/REPAIRS.md). */

export const COVERAGES = ['warranty', 'paid'] as const;
export type Coverage = (typeof COVERAGES)[number];
/** What was done with the user's data before the device left (REQ #170): the order cannot exist without it. */
export const DATA_HANDLING = ['backed_up', 'wiped', 'no_data'] as const;
export type DataHandling = (typeof DATA_HANDLING)[number];

const version = z.number().int().positive();
/** Money in fen (分): 12,345 = ¥123.45. */
const cents = z.number().int().min(0).max(10_000_000_000);

// ---------------------------------------------------------------- vendors

export const vendorContact = z.strictObject({
  name: text(100),
  phone: optionalText(50),
  email,
  role: optionalText(50),
});
export type VendorContact = z.output<typeof vendorContact>;

export const vendorInput = z.strictObject({
  name: text(100),
  contacts: z.array(vendorContact).max(20).default([]),
  hotline: optionalText(50),
  email,
  address: optionalText(300),
  /** The vendor's response target in working hours on its calendar (the UC). */
  responseHours: z.number().int().min(1).max(8760).nullish(),
  /** The repair turnaround in working days on its calendar (the UC). */
  repairDays: z.number().int().min(1).max(365).nullish(),
  contractNo: optionalText(100),
  contractEnd: localDate.nullish(),
  /** The calendar the commitments count on (default the built-in cn-5x8). */
  calendarId: z.string().trim().min(1).max(64).optional(),
  note: optionalText(2000),
});
export type VendorInput = z.output<typeof vendorInput>;

export const vendorPatch = vendorInput.partial().extend({ version, disabled: z.boolean().optional() });
export type VendorPatch = z.output<typeof vendorPatch>;

export const olaMeasureOut = z.object({
  target: z.number().nullable(),
  met: z.number(),
  missed: z.number(),
  pending: z.number(),
  rate: z.number().nullable(),
});

export const vendorOlaOut = z.object({
  vendorId: z.number(),
  vendorName: z.string(),
  from: z.string(),
  to: z.string(),
  orders: z.number(),
  response: olaMeasureOut,
  repair: olaMeasureOut,
});
export type VendorOlaOut = z.input<typeof vendorOlaOut>;

export const vendorOut = z.object({
  id: z.number(),
  name: z.string(),
  contacts: z.array(z.object({ name: z.string(), phone: z.string().nullable(), email: z.string().nullable(), role: z.string().nullable() })),
  hotline: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  responseHours: z.number().nullable(),
  repairDays: z.number().nullable(),
  contractNo: z.string().nullable(),
  contractEnd: z.string().nullable(),
  calendarId: z.string(),
  note: z.string().nullable(),
  disabled: z.boolean(),
  /** Orders with this vendor now out for repair. */
  openOrders: z.number(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type VendorOut = z.input<typeof vendorOut>;

export const vendorListQuery = z.object({
  q: z.string().max(100).optional(),
  includeDisabled: z.enum(['1', '0']).optional(),
});

export const olaQuery = z.object({
  /** First local day (Asia/Shanghai) of the period, by the orders' sending; default a year back. */
  from: localDate.optional(),
  /** Last local day, included; default today. */
  to: localDate.optional(),
});

// ---------------------------------------------------------------- orders

export const orderCreate = z.strictObject({
  /** The ticket the device is sent for: the order is its customer's. */
  ticketId: id,
  /** The device as a CI of the ticket's customer, or `device` (+ `serial`) as text. */
  ciId: id.nullish(),
  device: optionalText(200),
  serial: optionalText(100),
  vendorId: id,
  fault: text(4000),
  coverage: z.enum(COVERAGES),
  rma: optionalText(100),
  /** Required: the user's data backed up (backed_up), wiped (wiped) or none on it (no_data). */
  dataHandling: z.enum(DATA_HANDLING),
  /** The vendor's promised return date. */
  expectedReturn: localDate.nullish(),
  /** Send it at once (the usual case): as POST …/send. */
  send: z.boolean().default(false),
  /** With `send`: when the device left (default now; not in the future, not before the ticket was reported). */
  sentAt: instant.optional(),
});
export type OrderCreate = z.output<typeof orderCreate>;

export const orderPatch = z.strictObject({
  version,
  fault: text(4000).optional(),
  rma: optionalText(100),
  expectedReturn: localDate.nullish(),
  coverage: z.enum(COVERAGES).optional(),
  serial: optionalText(100),
  /** A draft only: another vendor. */
  vendorId: id.optional(),
});
export type OrderPatch = z.output<typeof orderPatch>;

export const sendBody = z.strictObject({ version, sentAt: instant.optional(), expectedReturn: localDate.nullish(), rma: optionalText(100) });
export const responseBody = z.strictObject({ version, at: instant.optional(), rma: optionalText(100), note: optionalText(2000) });
export const progressBody = z.strictObject({
  /** The written progress report (mailed to the ticket's contact, a public reply on the ticket). */
  text: text(4000),
  /** When it was written (default now; not in the future, not before the sending or the last report). */
  at: instant.optional(),
});
export const returnBody = z.strictObject({ version, at: instant.optional(), note: optionalText(2000) });
export const acceptBody = z.strictObject({ version, at: instant.optional(), testResult: text(2000), costCents: cents.nullish() });
export const rejectBody = z.strictObject({ version, at: instant.optional(), testResult: text(2000) });
export const cancelBody = z.strictObject({ version, reason: text(2000) });
/** A stand-in machine (备机) lent to the customer while the device is away (through the parts module). */
export const standinBody = z.strictObject({
  version,
  warehouseId: id,
  modelId: id,
  serial: text(100),
  /** The customer's local date it is due back (default the order's target return). */
  dueBack: localDate.optional(),
  note: optionalText(500),
});
export type StandinBody = z.output<typeof standinBody>;

export const REPORT_STATUSES = ['none', 'running', 'due', 'overdue'] as const;

export const orderListQuery = z.object({
  /** Comma-separated states; `open` = draft, sent, returned, rejected. */
  state: z.string().max(100).regex(/^[a-z_,]*$/).optional(),
  customerId: id.optional(),
  vendorId: id.optional(),
  ticketId: id.optional(),
  /** Only orders whose progress report is overdue. */
  overdue: z.enum(['1', '0']).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type OrderListQuery = z.output<typeof orderListQuery>;

export const orderSummaryOut = z.object({
  id: z.number(),
  number: z.string(),
  customerId: z.number(),
  customerName: z.string().nullable(),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
  ciId: z.number().nullable(),
  ciCode: z.string().nullable(),
  device: z.string(),
  serial: z.string().nullable(),
  vendorId: z.number(),
  vendorName: z.string().nullable(),
  fault: z.string(),
  coverage: z.enum(COVERAGES),
  rma: z.string().nullable(),
  dataHandling: z.enum(DATA_HANDLING),
  state: z.enum(REPAIR_STATES),
  sentAt: z.string().nullable(),
  expectedReturn: z.string().nullable(),
  /** "Back before the second weekend": the last working day of the week after the sending week (docs/REPAIRS.md). */
  targetReturn: z.string().nullable(),
  /** Returned by the target date (null while not returned). */
  targetMet: z.boolean().nullable(),
  nextReportDueAt: z.string().nullable(),
  reportRemindAt: z.string().nullable(),
  reportStatus: z.enum(REPORT_STATUSES),
  /** How many reports went overdue over the order's life. */
  reportsOverdue: z.number(),
  returnedAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  updatedAt: z.string(),
  version: z.number(),
});
export type OrderSummaryOut = z.input<typeof orderSummaryOut>;

export const progressOut = z.object({
  id: z.number(),
  at: z.string(),
  byName: z.string(),
  text: z.string(),
  dueAt: z.string().nullable(),
  late: z.boolean(),
  mailedTo: z.string().nullable(),
});

export const repairEventOut = z.object({
  id: z.number(),
  at: z.string(),
  byName: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const orderOut = orderSummaryOut.extend({
  ticketTitle: z.string().nullable(),
  ciName: z.string().nullable(),
  vendorHotline: z.string().nullable(),
  dataConfirmedByName: z.string().nullable(),
  dataConfirmedAt: z.string(),
  vendorRespondedAt: z.string().nullable(),
  testResult: z.string().nullable(),
  costCents: z.number().nullable(),
  standinItemId: z.number().nullable(),
  calendarId: z.string().nullable(),
  timeZone: z.string(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
  allowedActions: z.array(z.enum([...REPAIR_ACTIONS, 'respond', 'report', 'edit', 'standin'] as const)),
  progress: z.array(progressOut),
  events: z.array(repairEventOut),
});
export type OrderOut = z.input<typeof orderOut>;

export const orderPageOut = z.object({ items: z.array(orderSummaryOut), nextCursor: z.string().nullable() });
