import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import type { Actor } from '../platform/auth/actor.js';
import { AuthService } from '../platform/auth/service.js';
import { OrganisationService } from '../modules/organisation/service.js';
import { RepairOrderService } from '../modules/repairs/service.js';
import { VendorService } from '../modules/repairs/vendors.js';
import { CalendarService } from '../modules/sla/calendars.service.js';
import { TicketService } from '../modules/tickets/service.js';
import '../modules/repairs/messages.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface RepairsDemoInput {
  customerIds: Record<'hospital' | 'tax' | 'school', number>;
  userIds: Map<string, number>;
  actorOf: (userId: number) => Promise<Actor>;
}

/**
 * The demo's vendor repairs (docs/REPAIRS.md), written through the modules' own services: two
 * vendors with their underpinning contracts (联想服务, 华为企业服务); the tax office's failed
 * disk sent to Lenovo five days ago, one written progress report yesterday and the next due
 * within three working days on its 5×8 calendar (its ticket waits on the vendor); and the
 * hospital's server power module, sent three weeks ago, back, tested and accepted (its ticket
 * resumed and resolved). Loaded once: a second run finds the vendors and leaves everything.
 */
export async function loadRepairs(db: Db, config: Config, input: RepairsDemoInput, log: (line: string) => void = () => {}, now = Date.now()): Promise<number> {
  if (await db.selectFrom('vendors').select('id').where('name', '=', '联想服务').executeTakeFirst()) {
    log('repairs: the demo vendors are already there');
    return 0;
  }
  const organisation = new OrganisationService(db);
  const calendars = new CalendarService(db);
  const tickets = new TicketService(db, config, organisation, calendars, new AuthService(db, config));
  const vendors = new VendorService(db, calendars);
  const orders = new RepairOrderService(db, config, tickets, organisation, calendars);
  const desk = await input.actorOf(input.userIds.get('desk')!);
  const engineerId = input.userIds.get('engineer')!;
  const engineer = await input.actorOf(engineerId);

  const lenovo = await vendors.create(desk, {
    name: '联想服务',
    hotline: '400-990-8888',
    email: 'service@lenovo.example.cn',
    address: '江州市滨江区科技路 18 号联想授权服务站',
    contacts: [
      { name: '刘建华', phone: '13957610088', email: 'liujianhua@lenovo.example.cn', role: '服务站站长' },
      { name: '王涛', phone: '13957610099', email: null, role: '维修工程师' },
    ],
    responseHours: 4,
    repairDays: 5,
    contractNo: 'UC-2026-LX-01',
    contractEnd: '2027-06-30',
    note: '台式机、笔记本保修；原厂备件，送修件 5 个工作日内修复返回。',
  });
  const huawei = await vendors.create(desk, {
    name: '华为企业服务',
    hotline: '400-822-9999',
    email: 'enterprise@huawei.example.cn',
    address: '江州市高新区创新大道 1 号',
    contacts: [{ name: '张海峰', phone: '13857620066', email: 'zhanghaifeng@huawei.example.cn', role: '客户经理' }],
    responseHours: 2,
    repairDays: 7,
    contractNo: 'UC-2026-HW-03',
    contractEnd: '2027-12-31',
    note: '服务器、存储、网络设备的备件返修（RMA）。',
  });

  /** A ticket of the customer reported `daysAgo`, given to the engineer, accepted and being worked on. */
  const working = async (customer: 'hospital' | 'tax', daysAgo: number, title: string, description: string) => {
    const customerId = input.customerIds[customer];
    const contact = await db.selectFrom('contacts').select(['id', 'site_id']).where('customer_id', '=', customerId).orderBy('id').executeTakeFirstOrThrow();
    const t = await tickets.create(desk, {
      customerId,
      contactId: Number(contact.id),
      siteId: contact.site_id === null ? null : Number(contact.site_id),
      kind: 'incident',
      title,
      description,
      impact: 'medium',
      urgency: 'medium',
      reportedAt: now - daysAgo * DAY,
      assigneeId: engineerId,
    } as Parameters<TicketService['create']>[1]);
    await tickets.action(engineer, t.id, 'accept', { reason: null });
    await tickets.action(engineer, t.id, 'start', { reason: null });
    return t;
  };

  // In progress: the tax office's failed disk, sent five days ago; reported on yesterday.
  const disk = await working('tax', 6, '办税服务厅 3 号窗口电脑硬盘故障', '3 号窗口电脑开机提示 “S.M.A.R.T. status BAD”，系统频繁卡死，疑似硬盘损坏。');
  const sent = await orders.create(engineer, {
    ticketId: disk.id,
    ciId: null,
    device: '联想 ThinkCentre M920t 台式机（办税服务厅 3 号窗口）',
    serial: 'PC1K8Z3Q',
    vendorId: lenovo.id,
    fault: '硬盘 SMART 报警，坏道增多，系统频繁卡死；已更换备机顶用。',
    coverage: 'warranty',
    rma: 'LX-RMA-20261203-017',
    dataHandling: 'backed_up',
    expectedReturn: null,
    send: true,
    sentAt: now - 5 * DAY,
  });
  let cur = await orders.respond(engineer, sent.id, { version: sent.version, at: now - 5 * DAY + 2 * HOUR, rma: null, note: '联想服务站刘建华确认收件，已检测为硬盘故障。' });
  cur = await orders.report(engineer, sent.id, { text: '联想服务站已确认硬盘故障，保修更换同型号 1TB 硬盘，备件已从省仓库调拨，预计两个工作日内到货更换。用户数据已于送修前备份至信息中心文件服务器。', at: now - 26 * HOUR });

  // Done: the hospital's server power module, sent three weeks ago, back and accepted.
  const psu = await working('hospital', 22, '信息科 HIS 备用服务器电源模块告警', '备用 HIS 服务器（华为 RH2288H V3）2 号电源模块红灯告警，冗余失效。');
  let done = await orders.create(engineer, {
    ticketId: psu.id,
    ciId: null,
    device: '华为 RH2288H V3 服务器 2 号电源模块（信息科机房）',
    serial: '2102310YJA10H8000123',
    vendorId: huawei.id,
    fault: '电源模块输出异常，服务器管理口告警 “PSU2 failure”。',
    coverage: 'warranty',
    rma: 'HW-RMA-8842107',
    dataHandling: 'no_data',
    expectedReturn: null,
    send: true,
    sentAt: now - 21 * DAY,
  });
  done = await orders.respond(engineer, done.id, { version: done.version, at: now - 21 * DAY + HOUR, rma: null, note: '华为 400 热线受理，RMA 已生成。' });
  done = await orders.report(engineer, done.id, { text: '华为已确认电源模块故障，备件返修中，预计下周返回。', at: now - 19 * DAY });
  done = await orders.returned(engineer, done.id, { version: done.version, at: now - 15 * DAY, note: '顺丰返回，包装完好。' });
  done = await orders.accept(engineer, done.id, { version: done.version, at: now - 15 * DAY + 3 * HOUR, testResult: '安装后双电源冗余恢复，管理口告警消除，连续运行 2 小时正常。', costCents: null });
  const psuTicket = await tickets.get(engineer, psu.id);
  await tickets.action(engineer, psu.id, 'resolve', { version: psuTicket.version, reason: null, resolution: '华为返修电源模块已装回并验收，双电源冗余恢复。' });
  log(`repairs: vendors 联想服务 and 华为企业服务; ${cur.number} (tax office's disk) at the vendor, next report due ${cur.nextReportDueAt}; ${done.number} accepted`);
  return 2;
}
