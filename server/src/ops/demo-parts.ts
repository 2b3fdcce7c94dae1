import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { localDay } from '../core/parts/index.js';
import type { Actor } from '../platform/auth/actor.js';
import { AuthService } from '../platform/auth/service.js';
import { PartsService } from '../modules/parts/service.js';
import { OrganisationService } from '../modules/organisation/service.js';
import { CalendarService } from '../modules/sla/calendars.service.js';
import { TicketService } from '../modules/tickets/service.js';
import '../modules/parts/messages.js';

export interface PartsDemoInput {
  customerIds: Record<'hospital' | 'tax' | 'school', number>;
  userIds: Map<string, number>;
  actorOf: (userId: number) => Promise<Actor>;
}

/**
 * The demo's spare parts (docs/PARTS.md), written through the module's own service: the
 * provider's depot and the hospital's store in its 信息科; server disks (by serial), memory,
 * power modules, toner and a stand-in ThinkPad; the hospital's toner under its minimum (the
 * parts managers told once); a requisition (备件领用单) of a disk and memory on a hospital
 * ticket the engineer is working; a stand-in lent to the tax office while its PC is at the
 * vendor. Loaded once: a second run finds the depot and leaves everything as it is.
 */
export async function loadParts(db: Db, config: Config, input: PartsDemoInput, log: (line: string) => void = () => {}, now = Date.now()): Promise<number> {
  const DEPOT = '华信运维总部备件库';
  if (await db.selectFrom('warehouses').select('id').where('name', '=', DEPOT).executeTakeFirst()) {
    log('parts: the demo depot is already there');
    return 0;
  }
  const parts = new PartsService(db);
  const admin = await input.actorOf(input.userIds.get('admin')!);
  const engineerId = input.userIds.get('engineer')!;
  const engineer = await input.actorOf(engineerId);
  const hospital = input.customerIds.hospital;
  const site = await db.selectFrom('sites').select('id').where('customer_id', '=', hospital).orderBy('id').executeTakeFirst();

  const depot = await parts.createWarehouse(admin, { name: DEPOT, kind: 'depot', customerId: null, siteId: null });
  const store = await parts.createWarehouse(admin, { name: '江州市人民医院信息科备件库', kind: 'customer', customerId: hospital, siteId: site ? Number(site.id) : null });

  const model = (type: string, brand: string, m: string, unit: string, extra: { serialTracked?: boolean; standin?: boolean; description?: string } = {}) =>
    parts.createModel(admin, { type, brand, model: m, unit, serialTracked: !!extra.serialTracked, standin: !!extra.standin, description: extra.description ?? null });
  const disk = await model('硬盘', 'HPE', '600G SAS 10K 2.5寸', '块', { serialTracked: true, description: 'ProLiant DL380 Gen9/Gen10 通用' });
  const memory = await model('内存', '金士顿', '32G DDR4 2666 RECC', '条');
  const psu = await model('电源模块', '华为', 'RH2288H V3 900W', '个', { description: '华为 2288H 服务器冗余电源' });
  const toner = await model('硒鼓', 'HP', 'CF228A', '个', { description: 'HP LaserJet M403/M427 用' });
  const laptop = await model('备机', '联想', 'ThinkPad E14', '台', { standin: true, description: '送修期间借给用户顶用' });

  const stockIn = (warehouseId: number, modelId: number, quantity: number, serials?: string[], note?: string) => parts.stockIn(admin, { warehouseId, modelId, quantity, serials, note: note ?? null });
  await stockIn(depot.id, disk.id, 4, ['6SE9K2A1', '6SE9K2A2', '6SE9K2A3', '6SE9K2A4'], '2026 年第四季度备件采购');
  await stockIn(depot.id, memory.id, 6);
  await stockIn(depot.id, psu.id, 2);
  await stockIn(depot.id, toner.id, 10);
  await stockIn(depot.id, laptop.id, 2, ['PF3KX001', 'PF3KX002']);
  await stockIn(store.id, toner.id, 4, undefined, '信息科现场库每月补充');
  await stockIn(store.id, memory.id, 2);
  for (const [w, m, min] of [[depot.id, disk.id, 2], [depot.id, memory.id, 2], [depot.id, psu.id, 1], [depot.id, laptop.id, 1], [store.id, toner.id, 3], [store.id, memory.id, 1]] as const) {
    await parts.setMinimum(admin, { warehouseId: w, modelId: m, minQuantity: min });
  }

  // A hospital ticket the engineer is working on (one of the history's open ones, else a new one): a disk and memory taken from the depot.
  const ticket = (await db
    .selectFrom('tickets')
    .select(['id', 'number'])
    .where('customer_id', '=', hospital)
    .where('assignee_id', '=', engineerId)
    .where('state', 'in', ['in_progress', 'accepted'])
    .orderBy('id', 'desc')
    .executeTakeFirst()) ?? (await newTicket(db, config, admin, engineer, hospital, engineerId, now));
  await parts.requisition(engineer, { ticketId: Number(ticket.id), warehouseId: depot.id, repairReportId: null, ciId: null, note: '更换 2 号盘位预故障硬盘，加装内存', lines: [{ modelId: disk.id, quantity: 1, serials: ['6SE9K2A1'] }, { modelId: memory.id, quantity: 1 }] });
  await parts.returnFaulty(engineer, { ticketId: Number(ticket.id), warehouseId: depot.id, modelId: disk.id, quantity: 1, serials: ['6SE7H0Z9'], ciId: null, note: '换下的预故障硬盘，待送厂商保修' });
  // The hospital's printers took toner from the store: it is now under its minimum of 3.
  await parts.requisition(engineer, { ticketId: Number(ticket.id), warehouseId: store.id, repairReportId: null, ciId: null, note: '门诊收费处打印机换硒鼓', lines: [{ modelId: toner.id, quantity: 2 }] });

  // A stand-in lent to the tax office while its PC is at the vendor, due back in a week.
  const tax = input.customerIds.tax;
  const taxZone = (await db.selectFrom('customers').select('time_zone').where('id', '=', tax).executeTakeFirstOrThrow()).time_zone;
  await parts.lendStandin(engineer, { warehouseId: depot.id, modelId: laptop.id, serial: 'PF3KX001', customerId: tax, ticketId: null, dueBack: localDay(now + 7 * 86_400_000, taxZone), note: '办税服务厅 3 号窗口电脑送修期间备用' });

  const count = Number((await db.selectFrom('part_movements').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  log(`parts: a depot and the hospital's store, 5 part models, ${count} movements (a requisition on ${ticket.number}, the store's toner under its minimum, a stand-in lent to the tax office)`);
  return count;
}

/** A hospital incident given to the engineer and being worked on (when the history left none open). */
async function newTicket(db: Db, config: Config, admin: Actor, engineer: Actor, hospital: number, engineerId: number, now: number): Promise<{ id: number; number: string }> {
  const organisation = new OrganisationService(db);
  const tickets = new TicketService(db, config, organisation, new CalendarService(db), new AuthService(db, config));
  const contact = await db.selectFrom('contacts').select(['id', 'site_id']).where('customer_id', '=', hospital).orderBy('id').executeTakeFirstOrThrow();
  const ticket = await tickets.create(admin, {
    customerId: hospital,
    contactId: Number(contact.id),
    siteId: contact.site_id === null ? null : Number(contact.site_id),
    kind: 'incident',
    title: 'PACS 存储服务器 2 号硬盘告警',
    description: 'PACS 存储服务器（HPE DL380 Gen10）前面板 2 号盘位黄灯闪烁，iLO 报告物理盘预故障；内存日志有可纠正错误。',
    impact: 'medium',
    urgency: 'high',
    reportedAt: now - 3 * 3_600_000,
    assigneeId: engineerId,
  } as Parameters<TicketService['create']>[1]);
  await tickets.action(engineer, ticket.id, 'accept', { reason: null });
  await tickets.action(engineer, ticket.id, 'start', { reason: null });
  return ticket;
}
