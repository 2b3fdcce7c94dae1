import type { Db } from '../../db/index.js';
import { vendorOla } from '../../core/repairs/index.js';
import { zonedToInstant } from '../../core/calendar/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import type { CalendarService } from '../sla/calendars.service.js';
import * as repo from './repo.js';
import type { VendorContact, VendorInput, VendorOlaOut, VendorOut, VendorPatch } from './schema.js';
import { requireProvider } from './service.js';

const DAY_MS = 86_400_000;
const OLA_ZONE = 'Asia/Shanghai';

/** Contacts as stored and answered: every field present (null when not given). */
function normalContacts(list: Array<Partial<VendorContact>>): VendorOut['contacts'] {
  return list.map((c) => ({ name: c.name ?? '', phone: c.phone ?? null, email: c.email ?? null, role: c.role ?? null }));
}

function outOf(r: repo.VendorRow, open: number): VendorOut {
  return {
    id: Number(r.id),
    name: r.name,
    contacts: normalContacts(JSON.parse(r.contacts) as Array<Partial<VendorContact>>),
    hotline: r.hotline,
    email: r.email,
    address: r.address,
    responseHours: r.response_hours === null ? null : Number(r.response_hours),
    repairDays: r.repair_days === null ? null : Number(r.repair_days),
    contractNo: r.contract_no,
    contractEnd: r.contract_end,
    calendarId: r.calendar_id,
    note: r.note,
    disabled: Number(r.disabled) === 1,
    openOrders: open,
    version: Number(r.version),
    createdAt: iso(Number(r.created_at)),
    updatedAt: iso(Number(r.updated_at)),
  };
}

/** The period of an OLA query: local days in Asia/Shanghai, `to` included; default the last 365 days. */
export function olaPeriod(q: { from?: string; to?: string }, now = Date.now()): { from: string; to: string; fromMs: number; toMs: number } {
  const today = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
  const to = q.to ?? today;
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 364 * DAY_MS).toISOString().slice(0, 10);
  if (from > to) throw AppError.field('to', 'validation.dateOrder');
  const fromMs = zonedToInstant(from, '00:00', OLA_ZONE);
  const toMs = zonedToInstant(to, '00:00', OLA_ZONE) + DAY_MS;
  return { from, to, fromMs, toMs };
}

/**
 * Vendors (厂商) and their underpinning contracts (支持合同): provider-wide records (no customer),
 * read by staff with repairs.read. Names are unique. The OLA of each (docs/REPAIRS.md) is
 * `ola()`, also what the reporting module reads.
 */
export class VendorService {
  constructor(
    private readonly db: Db,
    private readonly calendars: CalendarService,
  ) {}

  async list(actor: Actor, q: { q?: string; includeDisabled?: '1' | '0' }): Promise<VendorOut[]> {
    requireProvider(actor);
    const rows = await repo.listVendors(this.db, { q: q.q?.trim() || undefined, includeDisabled: q.includeDisabled === '1' });
    const open = await repo.openOrderCounts(this.db, rows.map((r) => Number(r.id)));
    return rows.map((r) => outOf(r, open.get(Number(r.id)) ?? 0));
  }

  async get(actor: Actor, id: number): Promise<VendorOut> {
    requireProvider(actor);
    const row = await repo.findVendor(this.db, id);
    if (!row) throw AppError.notFound();
    const open = await repo.openOrderCounts(this.db, [id]);
    return outOf(row, open.get(id) ?? 0);
  }

  async create(actor: Actor, input: VendorInput): Promise<VendorOut> {
    requireProvider(actor);
    const calendarId = input.calendarId ?? 'cn-5x8';
    await this.checkCalendar(calendarId);
    const id = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      let id: number;
      try {
        id = await repo.insertVendor(trx, {
          name: input.name,
          contacts: JSON.stringify(normalContacts(input.contacts)),
          hotline: input.hotline,
          email: input.email ?? null,
          address: input.address,
          response_hours: input.responseHours ?? null,
          repair_days: input.repairDays ?? null,
          contract_no: input.contractNo,
          contract_end: input.contractEnd ?? null,
          calendar_id: calendarId,
          note: input.note,
          created_at: now,
          updated_at: now,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw AppError.duplicate('name', input.name);
        throw err;
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'vendors', entityId: id, after: { ...input, calendarId } }, now);
      return id;
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: VendorPatch): Promise<VendorOut> {
    requireProvider(actor);
    if (input.calendarId !== undefined) await this.checkCalendar(input.calendarId);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = await repo.findVendor(trx, id, true);
      if (!row) throw AppError.notFound();
      if (row.version !== input.version) throw AppError.conflict();
      const map = {
        name: 'name', hotline: 'hotline', email: 'email', address: 'address', responseHours: 'response_hours', repairDays: 'repair_days',
        contractNo: 'contract_no', contractEnd: 'contract_end', calendarId: 'calendar_id', note: 'note',
      } as const;
      const set: Record<string, unknown> = {};
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const [field, column] of Object.entries(map) as Array<[keyof typeof map, (typeof map)[keyof typeof map]]>) {
        const v = input[field];
        if (v === undefined || v === row[column]) continue;
        set[column] = v;
        before[field] = row[column];
        after[field] = v;
      }
      if (input.contacts !== undefined && JSON.stringify(normalContacts(input.contacts)) !== row.contacts) {
        set.contacts = JSON.stringify(normalContacts(input.contacts));
        before.contacts = JSON.parse(row.contacts);
        after.contacts = input.contacts;
      }
      if (input.disabled !== undefined && (input.disabled ? 1 : 0) !== Number(row.disabled)) {
        set.disabled = input.disabled ? 1 : 0;
        before.disabled = Number(row.disabled) === 1;
        after.disabled = input.disabled;
      }
      if (!Object.keys(set).length) return;
      try {
        if (!(await repo.updateVendor(trx, id, row.version, { ...set, updated_at: now }))) throw AppError.conflict();
      } catch (err) {
        if (isUniqueViolation(err)) throw AppError.duplicate('name', input.name);
        throw err;
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'vendors', entityId: id, before, after }, now);
    });
    return this.get(actor, id);
  }

  /**
   * Each vendor's UC measured like an OLA over a period (orders by their sending): the share of
   * orders it answered within its response hours and returned within its repair days, on its
   * calendar. For the vendor pages and the reporting module alike.
   */
  async ola(actor: Actor | null, q: { from?: string; to?: string; vendorId?: number }, now = Date.now()): Promise<VendorOlaOut[]> {
    if (actor) requireProvider(actor);
    const period = olaPeriod(q, now);
    const vendors = q.vendorId !== undefined ? [await repo.findVendor(this.db, q.vendorId)].filter((v): v is repo.VendorRow => !!v) : await repo.listVendors(this.db, { includeDisabled: true });
    if (q.vendorId !== undefined && !vendors.length) throw AppError.notFound();
    const rows = await repo.ordersSentBetween(this.db, q.vendorId !== undefined ? [q.vendorId] : null, period.fromMs, period.toMs);
    const out: VendorOlaOut[] = [];
    for (const v of vendors) {
      const calendar = await this.calendars.compiled(v.calendar_id).catch(() => this.calendars.compiled('cn-5x8'));
      const orders = rows
        .filter((r) => Number(r.vendor_id) === Number(v.id) && r.sent_at !== null)
        .map((r) => ({ sentAt: Number(r.sent_at), respondedAt: r.vendor_responded_at === null ? null : Number(r.vendor_responded_at), returnedAt: r.returned_at === null ? null : Number(r.returned_at), cancelled: r.state === 'cancelled' }));
      const ola = vendorOla(orders, { responseHours: v.response_hours === null ? null : Number(v.response_hours), repairDays: v.repair_days === null ? null : Number(v.repair_days) }, calendar, now);
      out.push({ vendorId: Number(v.id), vendorName: v.name, from: period.from, to: period.to, ...ola });
    }
    return out;
  }

  private async checkCalendar(id: string): Promise<void> {
    try {
      await this.calendars.compiled(id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw AppError.field('calendarId', 'repairs.calendarNotFound', { id });
      throw err;
    }
  }
}
