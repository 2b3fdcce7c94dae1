import ExcelJS from 'exceljs';
import type { Config } from '../../config.js';
import type { CompiledCalendar } from '../../core/calendar/index.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import {
  allowedRepairActions,
  isAway,
  nextReportDue,
  reminderAt,
  repairTransition,
  RepairLifecycleError,
  reportStatus,
  returnedByTarget,
  targetReturnDate,
  isWorkingDateOn,
  weekCalendar,
  type RepairAction,
  type RepairState,
} from '../../core/repairs/index.js';
import type { Db, Tx } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, systemActor, type Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { DEFAULT_LOCALE, t } from '../../platform/i18n/index.js';
import { cancelJob, enqueueJob } from '../../platform/jobs/scheduler.js';
import { emit } from '../../platform/notify/service.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import type { TicketService } from '../tickets/service.js';
import { findCiInScope } from '../cmdb/scope.js';
import * as repo from './repo.js';
import type { OrderCreate, OrderListQuery, OrderOut, OrderPatch, OrderSummaryOut, StandinBody } from './schema.js';
import { PartsService } from '../parts/service.js';

/** The scheduler's job of an order's progress clock: one per order (its key), rescheduled by every report. */
export const REPORT_JOB = 'repairs.report_due';
export const reportJobKey = (orderId: number) => `repairs:report:${orderId}`;
/** The calendar whose weekends count "the second weekend" when the contract's calendar has none (7×24). */
export const WEEK_FALLBACK_CALENDAR = 'cn-5x8';
/** An instant given for something on an order may run this far ahead of the server's clock. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const SYSTEM = systemActor('system');
const WAITABLE_TICKET = ['accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'];
const CLOSED_TICKET = ['resolved', 'closed', 'cancelled'];

export interface ReportJobPayload {
  orderId: number;
  dueAt: number;
  stage: 'remind' | 'overdue';
}

/** `2026年3月5日 17:00` in a zone. */
export function zhInstant(ms: number, timeZone: string): string {
  const { date, time } = instantToZoned(ms, timeZone);
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日 ${time}`;
}

export function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'repairs.providerOnly');
}

/** Reading orders: provider staff need repairs.read; a customer's staff read their own customer's, read-only. */
function requireReader(actor: Actor): void {
  if (actor.customerId === null && !can(actor, 'repairs.read')) throw AppError.forbidden('repairs.read');
}

function lifecycle(state: RepairState, action: RepairAction): RepairState {
  try {
    return repairTransition(state, action);
  } catch (err) {
    if (!(err instanceof RepairLifecycleError)) throw err;
    throw new AppError(409, 'invalid_transition', 'repairs.transition', { state: t(DEFAULT_LOCALE, `repairs.state.${state}`), action: t(DEFAULT_LOCALE, `repairs.action.${action}`) });
  }
}

/**
 * Vendor repairs (docs/REPAIRS.md): send-for-repair orders (设备送修单) from tickets, their
 * progress clock (a written report every 3 working days on the contract's calendar, with the
 * scheduler's reminder and overdue notice), the target return "before the second weekend", the
 * return, test and acceptance; the ticket waits on the vendor meanwhile (through the tickets
 * service). The only writer of repair_orders, repair_progress and repair_events. Every command
 * is one transaction with its history entry and its audit entry; the ticket's own change
 * (waiting for the vendor, resumed) follows in the tickets service's transaction.
 */
export class RepairOrderService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly tickets: TicketService,
    private readonly organisation: OrganisationService,
    private readonly calendars: CalendarService,
    private readonly parts: PartsService = new PartsService(db),
  ) {}

  // ------------------------------------------------------------ reads

  async list(actor: Actor, q: OrderListQuery): Promise<{ items: OrderSummaryOut[]; nextCursor: string | null }> {
    requireReader(actor);
    const states = q.state ? q.state.split(',').filter(Boolean).flatMap((s) => (s === 'open' ? ['draft', 'sent', 'returned', 'rejected'] : [s])) : undefined;
    const beforeId = q.cursor && /^\d{1,16}$/.test(q.cursor) ? Number(q.cursor) : undefined;
    const rows = await repo.listOrders(this.db, actor.scope, {
      states,
      customerId: q.customerId,
      vendorId: q.vendorId,
      ticketId: q.ticketId,
      overdueAt: q.overdue === '1' ? Date.now() : undefined,
      q: q.q?.trim() || undefined,
      beforeId,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const names = await repo.names(this.db, page);
    const now = Date.now();
    return { items: page.map((r) => summaryOf(r, names, now)), nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null };
  }

  async get(actor: Actor, id: number): Promise<OrderOut> {
    requireReader(actor);
    const row = await repo.findOrder(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return this.out(actor, row);
  }

  /** The orders of a ticket the caller may see (the ticket page's panel; the portal's too). */
  async ofTicket(actor: Actor, ticketId: number): Promise<OrderSummaryOut[]> {
    await this.tickets.get(actor, ticketId);
    const rows = await repo.listOrders(this.db, actor.scope, { ticketId, limit: 100 });
    const names = await repo.names(this.db, rows);
    const now = Date.now();
    return rows.map((r) => summaryOf(r, names, now));
  }

  async out(actor: Actor, row: repo.OrderRow): Promise<OrderOut> {
    const id = Number(row.id);
    const [names, progress, events] = await Promise.all([repo.names(this.db, [row]), repo.progressOf(this.db, [id]), repo.eventsOf(this.db, id)]);
    const staff = actor.customerId === null;
    const mayWrite = staff && can(actor, 'repairs.write');
    const state = row.state as RepairState;
    const actions: OrderOut['allowedActions'] = mayWrite ? [...allowedRepairActions(state)] : [];
    if (mayWrite && isAway(state)) actions.push('respond', 'report');
    if (mayWrite && state !== 'accepted' && state !== 'cancelled') actions.push('edit');
    if (mayWrite && can(actor, 'parts.write') && row.standin_item_id === null && (state === 'draft' || isAway(state))) actions.push('standin');
    const ci = row.ci_id === null ? undefined : names.cis.get(Number(row.ci_id));
    return {
      ...summaryOf(row, names, Date.now()),
      ticketTitle: row.ticket_id === null ? null : (names.tickets.get(Number(row.ticket_id))?.title ?? null),
      ciName: ci?.name ?? null,
      vendorHotline: names.vendors.get(Number(row.vendor_id))?.hotline ?? null,
      dataConfirmedByName: row.data_confirmed_by === null ? null : (names.users.get(Number(row.data_confirmed_by)) ?? null),
      dataConfirmedAt: iso(Number(row.data_confirmed_at)),
      vendorRespondedAt: iso(numOrNull(row.vendor_responded_at)),
      testResult: row.test_result,
      costCents: numOrNull(row.cost_cents),
      standinItemId: staff ? numOrNull(row.standin_item_id) : null,
      calendarId: row.calendar_id,
      timeZone: row.time_zone ?? 'Asia/Shanghai',
      createdAt: iso(Number(row.created_at)),
      createdByName: row.created_by === null ? null : (names.users.get(Number(row.created_by)) ?? null),
      allowedActions: actions,
      progress: progress.map((p) => ({ id: Number(p.id), at: iso(Number(p.at)), byName: p.by_name, text: p.text, dueAt: iso(numOrNull(p.due_at)), late: Number(p.late) === 1, mailedTo: staff ? p.mailed_to : null })),
      events: events.map((e) => ({ id: Number(e.id), at: iso(Number(e.at)), byName: e.by_name, type: e.type, data: JSON.parse(e.data) as Record<string, unknown> })),
    };
  }

  // ------------------------------------------------------------ commands

  /** A send-for-repair order from a ticket: its customer's; the device a CI of that customer or text. Sent at once with `send`. */
  async create(actor: Actor, input: OrderCreate): Promise<OrderOut> {
    requireProvider(actor);
    const ticket = await this.ticketFor(actor, input.ticketId);
    if (CLOSED_TICKET.includes(ticket.state)) throw new AppError(409, 'ticket_state', 'repairs.ticketClosed', { number: ticket.number, state: ticketStateName(ticket.state) });
    let device = input.device;
    let serial = input.serial;
    if (input.ciId != null) {
      const ci = await findCiInScope(this.db, actor.scope, input.ciId);
      if (!ci || Number(ci.customer_id) !== ticket.customerId) throw AppError.field('ciId', 'repairs.ciNotFound');
      device = device ?? `${ci.name}（${ci.code}）`;
      serial = serial ?? ci.serial;
    }
    if (!device) throw AppError.field('device', 'repairs.deviceRequired');
    // Sending at once: what `send` would refuse is refused before a draft is written.
    if (input.send) {
      if (!WAITABLE_TICKET.includes(ticket.state)) throw new AppError(409, 'ticket_state', 'repairs.ticketNotWorking', { number: ticket.number, state: ticketStateName(ticket.state) });
      if (input.sentAt !== undefined) this.instant('sentAt', input.sentAt, Date.now(), [[Date.parse(ticket.reportedAt), 'reported']]);
    }
    const vendor = await repo.findVendor(this.db, input.vendorId);
    if (!vendor || Number(vendor.disabled) === 1) throw AppError.field('vendorId', 'repairs.vendorNotFound');
    const [customer, contract] = await Promise.all([this.organisation.getCustomer(SYSTEM, ticket.customerId), this.organisation.getContract(SYSTEM, ticket.contractId)]);
    const created = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const month = instantToZoned(now, customer.timeZone).date.slice(0, 7).replace('-', '');
      const { id, number } = await repo.insertOrder(
        trx,
        {
          customer_id: ticket.customerId,
          ticket_id: ticket.id,
          ci_id: input.ciId ?? null,
          device,
          serial: serial ?? null,
          vendor_id: input.vendorId,
          fault: input.fault,
          coverage: input.coverage,
          rma: input.rma,
          data_handling: input.dataHandling,
          data_confirmed_by: actor.userId || null,
          data_confirmed_at: now,
          state: 'draft',
          expected_return: input.expectedReturn ?? null,
          calendar_id: contract.calendarId,
          time_zone: customer.timeZone,
          created_at: now,
          created_by: actor.userId || null,
          updated_at: now,
        },
        month,
      );
      await this.event(trx, actor, id, 'created', { dataHandling: input.dataHandling, coverage: input.coverage, vendor: vendor.name, device }, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'repair_orders', entityId: id, customerId: ticket.customerId, after: { number, ticketId: ticket.id, ciId: input.ciId ?? null, device, serial, vendorId: input.vendorId, fault: input.fault, coverage: input.coverage, rma: input.rma, dataHandling: input.dataHandling } }, now);
      return { id, version: 1 };
    });
    if (input.send) return this.send(actor, created.id, { version: created.version, sentAt: input.sentAt, expectedReturn: input.expectedReturn });
    return this.get(actor, created.id);
  }

  async patch(actor: Actor, id: number, input: OrderPatch): Promise<OrderOut> {
    requireProvider(actor);
    if (input.vendorId !== undefined) {
      const vendor = await repo.findVendor(this.db, input.vendorId);
      if (!vendor || Number(vendor.disabled) === 1) throw AppError.field('vendorId', 'repairs.vendorNotFound');
    }
    await this.command(actor, id, input.version, async (trx, row, now) => {
      if (row.state === 'accepted' || row.state === 'cancelled') throw new AppError(409, 'read_only', 'repairs.readOnly', { state: t(actor.locale, `repairs.state.${row.state}`) });
      if (input.vendorId !== undefined && input.vendorId !== Number(row.vendor_id) && row.state !== 'draft') throw AppError.field('vendorId', 'repairs.draftOnly');
      const columns = { fault: 'fault', rma: 'rma', expectedReturn: 'expected_return', coverage: 'coverage', serial: 'serial', vendorId: 'vendor_id' } as const;
      const set: Record<string, unknown> = {};
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const [field, column] of Object.entries(columns) as Array<[keyof typeof columns, (typeof columns)[keyof typeof columns]]>) {
        const value = input[field];
        if (value === undefined) continue;
        const current = column === 'vendor_id' ? Number(row.vendor_id) : row[column];
        if (value === current) continue;
        set[column] = value;
        before[field] = current;
        after[field] = value;
      }
      if (!Object.keys(set).length) return null;
      await this.event(trx, actor, id, 'edited', { before, after }, now);
      return { set, audit: { action: 'update', before, after } };
    });
    return this.get(actor, id);
  }

  /** Sends the device: the target return and the progress clock start; the ticket then waits on the vendor. */
  async send(actor: Actor, id: number, body: { version: number; sentAt?: number; expectedReturn?: string | null; rma?: string | null }): Promise<OrderOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    const ticket = pre.ticket_id === null ? null : await this.ticketFor(actor, Number(pre.ticket_id));
    if (ticket && !WAITABLE_TICKET.includes(ticket.state)) {
      const key = CLOSED_TICKET.includes(ticket.state) ? 'repairs.ticketClosed' : 'repairs.ticketNotWorking';
      throw new AppError(409, 'ticket_state', key, { number: ticket.number, state: ticketStateName(ticket.state) });
    }
    const [calendar, fallback] = await Promise.all([this.calendarOf(pre), this.calendars.compiled(WEEK_FALLBACK_CALENDAR)]);
    const vendor = await repo.findVendor(this.db, Number(pre.vendor_id));
    await this.command(actor, id, body.version, async (trx, row, now) => {
      const state = lifecycle(row.state as RepairState, 'send');
      const at = this.instant('sentAt', body.sentAt, now, [[ticket ? Date.parse(ticket.reportedAt) : null, 'reported']]);
      const zone = row.time_zone ?? 'Asia/Shanghai';
      const target = targetReturnDate(at, zone, isWorkingDateOn(weekCalendar(calendar, fallback)));
      const clock = this.clock(calendar, at);
      const set = { state, sent_at: at, target_return: target, ...clock, ...(body.expectedReturn !== undefined ? { expected_return: body.expectedReturn } : {}), ...(body.rma ? { rma: body.rma } : {}) };
      await this.event(trx, actor, id, 'sent', { at: iso(at), targetReturn: target, nextReportDueAt: iso(clock.next_report_due_at), vendor: vendor?.name ?? null }, now);
      await this.schedule(trx, id, clock.next_report_due_at, clock.report_remind_at, now);
      return { set, audit: { action: 'send', before: { state: row.state }, after: { state, sentAt: iso(at), targetReturn: target, nextReportDueAt: iso(clock.next_report_due_at) } } };
    });
    // The ticket waits on the vendor meanwhile (its SLA pause rules apply: docs/sla-rules.md).
    if (ticket && ticket.state !== 'waiting_vendor') {
      // The order is sent whatever happens to the ticket meanwhile (changed by someone else a moment ago: it stays as they left it).
      await ignoreConflict(this.tickets.action(actor, ticket.id, 'wait_vendor', { reason: t(DEFAULT_LOCALE, 'repairs.ticket.waiting', { number: pre.number, device: pre.device, vendor: vendor?.name ?? '' }) }));
    }
    return this.get(actor, id);
  }

  /** The vendor answered (acknowledged, RMA issued): the UC's response measure; the first answer counts. */
  async respond(actor: Actor, id: number, body: { version: number; at?: number; rma?: string | null; note?: string | null }): Promise<OrderOut> {
    requireProvider(actor);
    await this.command(actor, id, body.version, async (trx, row, now) => {
      if (!isAway(row.state)) throw new AppError(409, 'not_away', 'repairs.notAway', { state: t(actor.locale, `repairs.state.${row.state}`) });
      const at = this.instant('at', body.at, now, [[numOrNull(row.sent_at), 'sent']]);
      const set: Record<string, unknown> = {};
      if (row.vendor_responded_at === null) set.vendor_responded_at = at;
      if (body.rma) set.rma = body.rma;
      await this.event(trx, actor, id, 'responded', { at: iso(at), rma: body.rma ?? null, note: body.note ?? null }, now);
      return { set, audit: { action: 'vendor_response', after: { at: iso(at), rma: body.rma ?? null, note: body.note ?? null } } };
    });
    return this.get(actor, id);
  }

  /**
   * A written progress report: recorded, late when written after its due instant; the clock is
   * counted again from it; mailed to the ticket's contact and shown on the ticket as a public
   * reply (one transaction). Two at once are both recorded, one after the other.
   */
  async report(actor: Actor, id: number, body: { text: string; at?: number }): Promise<OrderOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    const ticket = pre.ticket_id === null ? null : await this.ticketFor(actor, Number(pre.ticket_id));
    const contact = ticket?.contactId != null ? await this.organisation.getContact(SYSTEM, ticket.contactId).catch(() => null) : null;
    const mails = !!this.config.smtp.url && this.config.contactMail.events.includes('reply') && !!contact?.email && contact.emailNotify;
    const calendar = await this.calendarOf(pre);
    const vendor = await repo.findVendor(this.db, Number(pre.vendor_id));
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = await repo.findOrder(trx, actor.scope, id, true);
      if (!row) throw AppError.notFound();
      if (!isAway(row.state)) throw new AppError(409, 'not_away', 'repairs.notAway', { state: t(actor.locale, `repairs.state.${row.state}`) });
      const last = await repo.lastProgressAt(trx, id);
      const at = this.instant('at', body.at, now, [[numOrNull(row.sent_at), 'sent'], [last, 'lastReport']]);
      const due = numOrNull(row.next_report_due_at);
      const late = due !== null && at > due;
      await repo.insertProgress(trx, { order_id: id, at, by_id: actor.userId || null, by_name: actor.displayName, text: body.text, due_at: due, late: late ? 1 : 0, mailed_to: mails ? contact!.email : null });
      const clock = this.clock(calendar, at);
      if (!(await repo.updateOrder(trx, id, row.version, { ...clock, updated_at: now }))) throw AppError.conflict();
      await this.schedule(trx, id, clock.next_report_due_at, clock.report_remind_at, now);
      if (ticket) {
        const head = t(DEFAULT_LOCALE, 'repairs.ticket.progress', { number: row.number, device: row.device, vendor: vendor?.name ?? '' });
        await this.tickets.conversation.recordEntry(trx, actor, ticket.id, { type: 'reply', visibility: 'public', data: { body: `${head}\n${body.text}`, mentions: [], provider: true } }, now, { mailContact: true });
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'progress_report', entity: 'repair_orders', entityId: id, customerId: Number(row.customer_id), after: { at: iso(at), text: body.text, dueAt: iso(due), late, nextReportDueAt: iso(clock.next_report_due_at) } }, now);
    });
    return this.get(actor, id);
  }

  /** The device is back: the clock stops; the test follows. */
  async returned(actor: Actor, id: number, body: { version: number; at?: number; note?: string | null }): Promise<OrderOut> {
    requireProvider(actor);
    await this.command(actor, id, body.version, async (trx, row, now) => {
      const state = lifecycle(row.state as RepairState, 'return');
      const at = this.instant('at', body.at, now, [[numOrNull(row.sent_at), 'sent']]);
      const set = { state, returned_at: at, next_report_due_at: null, report_remind_at: null, ...(row.vendor_responded_at === null ? { vendor_responded_at: at } : {}) };
      await cancelJob(trx, reportJobKey(id));
      const onTime = row.target_return ? returnedByTarget(at, row.time_zone ?? 'Asia/Shanghai', row.target_return) : null;
      await this.event(trx, actor, id, 'returned', { at: iso(at), note: body.note ?? null, targetMet: onTime }, now);
      return { set, audit: { action: 'return', before: { state: row.state }, after: { state, returnedAt: iso(at), targetMet: onTime } } };
    });
    return this.get(actor, id);
  }

  /** Tested and taken back: the order closes, the ticket resumes (the engineer resolves it). */
  async accept(actor: Actor, id: number, body: { version: number; at?: number; testResult: string; costCents?: number | null }): Promise<OrderOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    if (pre.coverage === 'paid' && body.costCents == null) throw AppError.field('costCents', 'repairs.costRequired');
    await this.command(actor, id, body.version, async (trx, row, now) => {
      const state = lifecycle(row.state as RepairState, 'accept');
      const at = this.instant('at', body.at, now, [[numOrNull(row.returned_at), 'sent']]);
      const set = { state, accepted_at: at, test_result: body.testResult, ...(body.costCents != null ? { cost_cents: body.costCents } : {}) };
      await this.event(trx, actor, id, 'accepted', { at: iso(at), testResult: body.testResult, costCents: body.costCents ?? null }, now);
      return { set, audit: { action: 'accept', before: { state: row.state }, after: { state, acceptedAt: iso(at), testResult: body.testResult, costCents: body.costCents ?? null } } };
    });
    await this.resumeTicket(actor, pre, t(DEFAULT_LOCALE, 'repairs.ticket.accepted', { number: pre.number, result: body.testResult }));
    return this.get(actor, id);
  }

  /** The test failed: sent back to the vendor; the clock runs again from now. */
  async reject(actor: Actor, id: number, body: { version: number; at?: number; testResult: string }): Promise<OrderOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    const calendar = await this.calendarOf(pre);
    await this.command(actor, id, body.version, async (trx, row, now) => {
      const state = lifecycle(row.state as RepairState, 'reject');
      const at = this.instant('at', body.at, now, [[numOrNull(row.returned_at), 'sent']]);
      const clock = this.clock(calendar, at);
      const set = { state, test_result: body.testResult, ...clock };
      await this.schedule(trx, id, clock.next_report_due_at, clock.report_remind_at, now);
      await this.event(trx, actor, id, 'rejected', { at: iso(at), testResult: body.testResult, nextReportDueAt: iso(clock.next_report_due_at) }, now);
      return { set, audit: { action: 'reject', before: { state: row.state }, after: { state, testResult: body.testResult, nextReportDueAt: iso(clock.next_report_due_at) } } };
    });
    return this.get(actor, id);
  }

  async cancel(actor: Actor, id: number, body: { version: number; reason: string }): Promise<OrderOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    await this.command(actor, id, body.version, async (trx, row, now) => {
      const state = lifecycle(row.state as RepairState, 'cancel');
      await cancelJob(trx, reportJobKey(id));
      await this.event(trx, actor, id, 'cancelled', { reason: body.reason }, now);
      return { set: { state, next_report_due_at: null, report_remind_at: null }, audit: { action: 'cancel', before: { state: row.state }, after: { state, reason: body.reason } } };
    });
    if (pre.state !== 'draft') await this.resumeTicket(actor, pre, t(DEFAULT_LOCALE, 'repairs.ticket.cancelled', { number: pre.number, reason: body.reason }));
    return this.get(actor, id);
  }

  /**
   * Lends a stand-in machine (备机, REQ #167) to the order's customer while the device is away,
   * through the parts module's service in this order's transaction (the item lent, its movement
   * and its due-back reminder there; `standin_item_id` here). Needs parts.write too.
   */
  async lendStandin(actor: Actor, id: number, body: StandinBody): Promise<OrderOut> {
    requireProvider(actor);
    if (!can(actor, 'parts.write')) throw AppError.forbidden('parts.write');
    await this.command(actor, id, body.version, async (trx, row, now) => {
      if (row.standin_item_id !== null) throw new AppError(409, 'conflict', 'repairs.standinLent');
      if (row.state !== 'draft' && !isAway(row.state)) throw new AppError(409, 'not_away', 'repairs.notAway', { state: t(actor.locale, `repairs.state.${row.state}`) });
      const zone = row.time_zone ?? 'Asia/Shanghai';
      const today = instantToZoned(now, zone).date;
      const week = instantToZoned(now + 7 * 86_400_000, zone).date;
      const dueBack = body.dueBack ?? (row.target_return && row.target_return >= today ? row.target_return : week);
      const lent = await this.parts.lendStandin(actor, { warehouseId: body.warehouseId, modelId: body.modelId, serial: body.serial, customerId: Number(row.customer_id), ticketId: numOrNull(row.ticket_id), dueBack, note: body.note ?? `送修 ${row.number} 期间备用` }, trx);
      await this.event(trx, actor, id, 'standin', { serial: body.serial, slip: lent.number, dueBack }, now);
      return { set: { standin_item_id: lent.itemId }, audit: { action: 'lend_standin', after: { itemId: lent.itemId, serial: body.serial, slip: lent.number, dueBack } } };
    });
    return this.get(actor, id);
  }

  // ------------------------------------------------------------ the scheduler's job

  /**
   * The clock's job (exactly once across processes: one job per order under its key, claimed by
   * one process). `remind`: the morning the report falls due, the desk is told and the job
   * comes back at the due instant; `overdue`: no report came, the order counts one more overdue
   * report and the desk and the project manager are told. A report in between moved the clock
   * (another due instant): this job is stale and does nothing.
   */
  async runReportJob(p: ReportJobPayload): Promise<void> {
    const pre = await repo.findOrderForJob(this.db, p.orderId);
    if (!pre || !isAway(pre.state) || Number(pre.next_report_due_at) !== p.dueAt) return;
    const recipients = await this.deskOf(pre);
    const vendor = await repo.findVendor(this.db, Number(pre.vendor_id));
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = await repo.findOrderForJob(trx, p.orderId, true);
      if (!row || !isAway(row.state) || Number(row.next_report_due_at) !== p.dueAt) return;
      const zone = row.time_zone ?? 'Asia/Shanghai';
      const params = { number: row.number, device: row.device, vendor: vendor?.name ?? '', due: zhInstant(p.dueAt, zone) };
      const base = { customerId: Number(row.customer_id), entity: 'repair_orders', entityId: Number(row.id), link: `/repairs/${row.id}` };
      if (now < p.dueAt && p.stage === 'remind') {
        const remindAt = numOrNull(row.report_remind_at) ?? p.dueAt;
        if (now < remindAt) return enqueueJob(trx, { kind: REPORT_JOB, key: reportJobKey(p.orderId), payload: p, runAt: remindAt }, now);
        await emit(trx, { type: 'repair.report_due', recipients: recipients.desk, ...base, title: { key: 'repairs.notify.due', params }, body: { key: 'repairs.notify.dueBody', params } }, now);
        return enqueueJob(trx, { kind: REPORT_JOB, key: reportJobKey(p.orderId), payload: { ...p, stage: 'overdue' }, runAt: p.dueAt }, now);
      }
      if (now < p.dueAt) return enqueueJob(trx, { kind: REPORT_JOB, key: reportJobKey(p.orderId), payload: p, runAt: p.dueAt }, now);
      // Once per due instant, however often the job runs (its own history entry is the marker).
      if (await repo.hasEvent(trx, Number(row.id), 'overdue', iso(p.dueAt))) return;
      await trx.updateTable('repair_orders').set({ reports_overdue: Number(row.reports_overdue) + 1 }).where('id', '=', row.id).execute();
      await emit(trx, { type: 'repair.report_overdue', recipients: [...recipients.desk, ...recipients.pm], ...base, title: { key: 'repairs.notify.overdue', params }, body: { key: 'repairs.notify.overdueBody', params } }, now);
      await this.event(trx, SYSTEM, Number(row.id), 'overdue', { dueAt: iso(p.dueAt) }, now);
    });
  }

  // ------------------------------------------------------------ exports

  async xlsx(actor: Actor, q: OrderListQuery): Promise<Buffer> {
    const items: OrderSummaryOut[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(actor, { ...q, limit: 200, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < 10_000);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('设备送修单');
    const zone = 'Asia/Shanghai';
    const when = (s: string | null) => (s ? zhInstant(Date.parse(s), zone) : '');
    ws.columns = [
      { header: '送修单号', key: 'number', width: 18 },
      { header: '客户', key: 'customer', width: 22 },
      { header: '工单', key: 'ticket', width: 18 },
      { header: '设备', key: 'device', width: 28 },
      { header: '序列号', key: 'serial', width: 18 },
      { header: '厂商', key: 'vendor', width: 16 },
      { header: '保修类型', key: 'coverage', width: 10 },
      { header: 'RMA 号', key: 'rma', width: 14 },
      { header: '数据确认', key: 'data', width: 10 },
      { header: '状态', key: 'state', width: 14 },
      { header: '送出时间', key: 'sent', width: 20 },
      { header: '目标返回日', key: 'target', width: 12 },
      { header: '下次进度报告截止', key: 'due', width: 20 },
      { header: '进度报告', key: 'status', width: 10 },
      { header: '逾期次数', key: 'overdue', width: 9 },
      { header: '返回时间', key: 'returned', width: 20 },
      { header: '按期返回', key: 'met', width: 9 },
      { header: '故障现象', key: 'fault', width: 40 },
    ];
    ws.getRow(1).font = { bold: true };
    for (const o of items) {
      ws.addRow({
        number: o.number,
        customer: o.customerName,
        ticket: o.ticketNumber,
        device: o.device,
        serial: o.serial,
        vendor: o.vendorName,
        coverage: COVERAGE_ZH[o.coverage],
        rma: o.rma,
        data: DATA_ZH[o.dataHandling],
        state: STATE_ZH[o.state],
        sent: when(o.sentAt),
        target: o.targetReturn,
        due: when(o.nextReportDueAt),
        status: REPORT_ZH[o.reportStatus],
        overdue: o.reportsOverdue,
        returned: when(o.returnedAt),
        met: o.targetMet === null ? '' : o.targetMet ? '是' : '否',
        fault: o.fault,
      });
    }
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  // ------------------------------------------------------------ helpers

  async find(actor: Actor, id: number): Promise<repo.OrderRow> {
    const row = await repo.findOrder(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  /** The ticket through the tickets service, in the caller's scope (another customer's: a field problem). */
  private async ticketFor(actor: Actor, ticketId: number) {
    try {
      return await this.tickets.get(actor, ticketId);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw AppError.field('ticketId', 'repairs.ticketNotFound');
      throw err;
    }
  }

  private async calendarOf(row: repo.OrderRow): Promise<CompiledCalendar> {
    return this.calendars.compiled(row.calendar_id ?? WEEK_FALLBACK_CALENDAR).catch(() => this.calendars.compiled(WEEK_FALLBACK_CALENDAR));
  }

  private clock(calendar: CompiledCalendar, from: number) {
    const due = nextReportDue(calendar, from);
    return { next_report_due_at: due, report_remind_at: reminderAt(calendar, due) };
  }

  private async schedule(trx: Tx, orderId: number, dueAt: number, remindAt: number, now: number): Promise<void> {
    const payload: ReportJobPayload = { orderId, dueAt, stage: 'remind' };
    await enqueueJob(trx, { kind: REPORT_JOB, key: reportJobKey(orderId), payload, runAt: remindAt }, now);
  }

  /** An instant given for a step: not in the future, not before what came before it. */
  private instant(field: string, given: number | undefined, now: number, after: Array<[number | null, 'sent' | 'lastReport' | 'reported']>): number {
    if (given === undefined) {
      const floor = Math.max(...after.map(([x]) => x ?? -Infinity));
      return Math.max(now, Number.isFinite(floor) ? floor : now);
    }
    if (given > now + FUTURE_TOLERANCE_MS) throw AppError.field(field, 'repairs.atInFuture');
    for (const [x, what] of after) {
      if (x !== null && given < x) throw AppError.field(field, 'repairs.atBeforeStart', { what: t(DEFAULT_LOCALE, `repairs.what.${what}`), at: new Date(x).toISOString() });
    }
    return Math.min(given, now);
  }

  private async event(trx: Tx, actor: Actor, orderId: number, type: string, data: Record<string, unknown>, now: number): Promise<void> {
    await repo.insertEvent(trx, { order_id: orderId, at: now, by_id: actor.userId || null, by_name: actor.userId ? actor.displayName : '系统', type, data: JSON.stringify(data) });
  }

  /** One command on one order: scope (404), version (409), row lock, one transaction with its audit entry. */
  private async command(
    actor: Actor,
    id: number,
    version: number,
    build: (trx: Tx, row: repo.OrderRow, now: number) => Promise<{ set: Record<string, unknown>; audit: { action: string; before?: unknown; after?: unknown } } | null>,
  ): Promise<void> {
    const pre = await repo.findOrder(this.db, actor.scope, id);
    if (!pre) throw AppError.notFound();
    if (pre.version !== version) throw AppError.conflict();
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = await repo.findOrder(trx, actor.scope, id, true);
      if (!row) throw AppError.notFound();
      if (row.version !== version) throw AppError.conflict();
      const change = await build(trx, row, now);
      if (!change) return;
      if (!(await repo.updateOrder(trx, id, row.version, { ...change.set, updated_at: now }))) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: change.audit.action, entity: 'repair_orders', entityId: id, customerId: Number(row.customer_id), before: change.audit.before, after: change.audit.after }, now);
    });
  }

  /** The ticket goes back to work once no order of it is out any more (not resolved: the engineer resolves it). */
  private async resumeTicket(actor: Actor, order: repo.OrderRow, reason: string): Promise<void> {
    if (order.ticket_id === null) return;
    const ticketId = Number(order.ticket_id);
    if ((await repo.awayOrdersOfTicket(this.db, ticketId, Number(order.id))) > 0) return;
    const ticket = await this.tickets.get(actor, ticketId).catch(() => null);
    if (ticket?.state !== 'waiting_vendor') return;
    await ignoreConflict(this.tickets.action(actor, ticketId, 'resume', { reason }));
  }

  /** Who hears of a report falling due: the desk serving the customer (any desk when none does), the order's author and the ticket's assignee; the PM too when overdue. */
  private async deskOf(row: repo.OrderRow): Promise<{ desk: number[]; pm: number[] }> {
    const customerId = Number(row.customer_id);
    const teamIds = await this.organisation.teamIdsServing(customerId, 'desk');
    const desk = await this.organisation.teamMemberIds(teamIds.length ? { teamIds } : { kind: 'desk' });
    const extra: number[] = [];
    if (row.created_by !== null) extra.push(Number(row.created_by));
    let pm: number[] = [];
    if (row.ticket_id !== null) {
      const ticket = await this.tickets.get(SYSTEM, Number(row.ticket_id)).catch(() => null);
      if (ticket?.assigneeId != null) extra.push(ticket.assigneeId);
      if (ticket) {
        const contract = await this.organisation.getContract(SYSTEM, ticket.contractId).catch(() => null);
        if (contract?.projectManagerId != null) pm = [contract.projectManagerId];
      }
    }
    return { desk: [...new Set([...desk, ...extra])], pm };
  }
}

// ---------------------------------------------------------------- views

export const STATE_ZH: Record<string, string> = { draft: '草稿', sent: '已送修', returned: '已返回待验收', accepted: '已验收', rejected: '验收不合格已返修', cancelled: '已取消' };
export const COVERAGE_ZH: Record<string, string> = { warranty: '保修', paid: '付费维修' };
export const DATA_ZH: Record<string, string> = { backed_up: '已备份', wiped: '已清除', no_data: '无用户数据' };
const REPORT_ZH: Record<string, string> = { none: '', running: '正常', due: '今日到期', overdue: '已逾期' };
const TICKET_STATE_ZH: Record<string, string> = { new: '新建', assigned: '已分派', accepted: '已受理', in_progress: '处理中', waiting_customer: '挂起（等待客户）', waiting_vendor: '挂起（等待厂商）', resolved: '已解决', closed: '已关闭', cancelled: '已取消' };
const ticketStateName = (s: string) => TICKET_STATE_ZH[s] ?? s;

/** The ticket's own step after the order's: a 409 (the ticket moved meanwhile) leaves the ticket as it is. */
async function ignoreConflict(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 409) throw err;
  }
}

const numOrNull = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));

export function summaryOf(r: repo.OrderRow, names: repo.Names, now: number): OrderSummaryOut {
  const due = numOrNull(r.next_report_due_at);
  const away = isAway(r.state);
  const returnedAt = numOrNull(r.returned_at);
  const ticket = r.ticket_id === null ? undefined : names.tickets.get(Number(r.ticket_id));
  const ci = r.ci_id === null ? undefined : names.cis.get(Number(r.ci_id));
  return {
    id: Number(r.id),
    number: r.number,
    customerId: Number(r.customer_id),
    customerName: names.customers.get(Number(r.customer_id))?.name ?? null,
    ticketId: numOrNull(r.ticket_id),
    ticketNumber: ticket?.number ?? null,
    ciId: numOrNull(r.ci_id),
    ciCode: ci?.code ?? null,
    device: r.device,
    serial: r.serial,
    vendorId: Number(r.vendor_id),
    vendorName: names.vendors.get(Number(r.vendor_id))?.name ?? null,
    fault: r.fault,
    coverage: r.coverage as OrderSummaryOut['coverage'],
    rma: r.rma,
    dataHandling: r.data_handling as OrderSummaryOut['dataHandling'],
    state: r.state as OrderSummaryOut['state'],
    sentAt: iso(numOrNull(r.sent_at)),
    expectedReturn: r.expected_return,
    targetReturn: r.target_return,
    targetMet: returnedAt !== null && r.target_return ? returnedByTarget(returnedAt, r.time_zone ?? 'Asia/Shanghai', r.target_return) : null,
    nextReportDueAt: away ? iso(due) : null,
    reportRemindAt: away ? iso(numOrNull(r.report_remind_at)) : null,
    reportStatus: away ? reportStatus(due, numOrNull(r.report_remind_at), now) : 'none',
    reportsOverdue: Number(r.reports_overdue),
    returnedAt: iso(returnedAt),
    acceptedAt: iso(numOrNull(r.accepted_at)),
    updatedAt: iso(Number(r.updated_at)),
    version: Number(r.version),
  };
}
