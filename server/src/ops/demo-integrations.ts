import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { sourceCreate } from '../modules/alerts/schema.js';
import { AlertService } from '../modules/alerts/service.js';
import { findCjkFont, type FontChoice } from '../platform/pdf/fonts.js';
import { reportPatch, signBody, type PartUsed, type RepairResult } from '../modules/fieldservice/schema.js';
import { RepairReportService } from '../modules/fieldservice/service.js';
import { mailboxCreate } from '../modules/mailin/schema.js';
import { MailInService } from '../modules/mailin/service.js';
import { OrganisationService } from '../modules/organisation/service.js';
import { CalendarService } from '../modules/sla/calendars.service.js';
import { actionBody } from '../modules/tickets/schema.js';
import { TicketService } from '../modules/tickets/service.js';
import type { Actor } from '../platform/auth/actor.js';
import { AuthService } from '../platform/auth/service.js';
import { signatureDataUrl } from './demo-signature.js';
import { Rng } from './history/prng.js';

/**
 * The demo's integrations, written after its history by the modules' own services — the way
 * an engineer, a monitoring system and a customer's mail would write them — so every admin
 * page and every document of them works as it does for real data:
 *
 * - signed repair service reports (维修服务报告) on the latest on-site incidents: drafted by
 *   the engineer from the ticket, filled in, signed by the customer (on the engineer's device,
 *   or in the portal by a customer user) with a handwritten signature (demo-signature.ts); the
 *   PDF is rendered and stored by the fieldservice module;
 * - an alert source per monitored customer (Prometheus Alertmanager at the hospital, Zabbix at
 *   the tax office) and alerts posted through the intake with the source's token (never
 *   printed: administrators rotate it on the page): incidents opened, repeats counted, a
 *   recovery that resolves its ticket, one noted, one without a ticket ignored;
 * - a service mailbox per customer and mail from its contacts, as raw RFC 822 messages handed
 *   to the mail intake: tickets opened, a reply landing on an open ticket, an auto-reply
 *   ignored, a stranger's mail rejected.
 *
 * These services take "now" from the clock, not an instant: the reports are signed, the alerts
 * and mails received at the moment the demo is loaded (the mails' Date headers and the alerts'
 * start times lie minutes before, and the tickets they open are reported then).
 */

export type DemoCustomerKey = 'hospital' | 'tax' | 'school';

export interface IntegrationsInput {
  customerIds: Record<DemoCustomerKey, number>;
  userIds: Map<string, number>;
  /** Signed repair reports to write (on the latest on-site incidents there are). */
  reports: number;
  seed: number;
}

/** The services the integrations go through, built (and the PDF font found) before anything is written. */
export interface IntegrationServices {
  db: Db;
  auth: AuthService;
  tickets: TicketService;
  reports: RepairReportService;
  alerts: AlertService;
  mail: MailInService;
  font: FontChoice;
}

export function integrationServices(db: Db, config: Config): IntegrationServices {
  const organisation = new OrganisationService(db);
  const auth = new AuthService(db, config);
  const tickets = new TicketService(db, config, organisation, new CalendarService(db), auth);
  // Found first: a PDF_FONT that does not work stops the demo before it writes anything.
  const font = findCjkFont(config.pdf);
  return {
    db,
    auth,
    tickets,
    reports: new RepairReportService(db, config, tickets, organisation, font),
    alerts: new AlertService(db, tickets, organisation),
    mail: new MailInService(db, config, organisation, tickets),
    font,
  };
}

const MIN = 60_000;

/** Writes the integrations; answers what was written, by kind. */
export async function loadIntegrations(s: IntegrationServices, input: IntegrationsInput, log: (line: string) => void, now = Date.now()): Promise<Record<string, number>> {
  const actors = new Map<number, Actor>();
  const actorOf = async (userId: number): Promise<Actor> => {
    let actor = actors.get(userId);
    if (!actor) {
      actor = (await s.auth.actorForUser(userId, 'system', null)) ?? undefined;
      if (!actor) throw new Error(`demo user ${userId} cannot act`);
      actors.set(userId, actor);
    }
    return actor;
  };
  const counts: Record<string, number> = {};
  const started = performance.now();
  counts.signedReports = await repairReports(s, input, actorOf);
  log(`${counts.signedReports} signed repair reports (维修服务报告, PDF by the fieldservice module) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const alerts = await alertIntake(s, input, actorOf, now);
  Object.assign(counts, alerts);
  log(`${alerts.alertSources} alert sources, ${alerts.alertsReceived} alerts received (监控告警接入)`);
  const mail = await mailIntake(s, input, now);
  Object.assign(counts, mail);
  log(`${mail.mailboxes} service mailboxes, ${mail.mailsReceived} mails received (邮件接入)`);
  return counts;
}

// ---------------------------------------------------------------- repair reports

/** What the engineer writes for each fix the history resolved tickets with: diagnosis, cause, parts. */
const FINDINGS: Record<string, { diagnosis: string; cause: string; parts?: PartUsed[]; result?: RepairResult }> = {
  '更换故障硬盘并重建 RAID，阵列状态恢复正常': { diagnosis: '阵列中 2 号硬盘故障灯亮，RAID 处于降级状态', cause: '硬盘坏道增多后掉盘', parts: [{ name: '服务器硬盘', model: 'SAS 1.2TB 10K', quantity: 1, serial: null }] },
  '清理日志文件释放磁盘空间，并配置日志轮转': { diagnosis: '系统盘使用率 100%，应用日志单文件超过 40GB', cause: '应用日志未配置轮转' },
  '重启相关服务后恢复，已加入监控告警': { diagnosis: '应用服务进程僵死，端口无响应', cause: '内存泄漏导致服务挂起' },
  '更换电源模块，服务器运行正常': { diagnosis: '1 号电源模块指示灯橙色，冗余告警', cause: '电源模块老化损坏', parts: [{ name: '服务器电源模块', model: '750W 热插拔', quantity: 1, serial: null }] },
  '调整虚拟机资源配额，性能恢复': { diagnosis: '虚拟机 CPU 就绪时间过高，内存争用', cause: '宿主机资源超分配' },
  '修复 NTP 配置，时间同步正常': { diagnosis: '服务器时间比标准时间慢 6 分钟', cause: 'NTP 服务器地址配置错误' },
  '升级固件后故障消除': { diagnosis: '管理口日志反复出现控制器复位记录', cause: '固件缺陷（厂商已发布修复版本）' },
  '更换故障光模块后链路恢复': { diagnosis: '上联端口光功率过低，端口反复 up/down', cause: '光模块损坏', parts: [{ name: '光模块', model: 'SFP+ 10G 多模', quantity: 1, serial: null }] },
  '重新配置 DHCP 地址池，终端获取地址正常': { diagnosis: '终端无法获取 IP 地址，地址池已分配完', cause: 'DHCP 地址池过小且租期过长' },
  '排查为环路导致，已开启环路检测并拆除私接设备': { diagnosis: '接入交换机广播流量激增，多个端口闪断', cause: '办公室私接小交换机形成环路' },
  '调整 AP 信道与功率，信号覆盖改善': { diagnosis: '多个 AP 同信道干扰，边缘区域信号弱', cause: '信道规划不合理' },
  '联系运营商修复专线，链路恢复': { diagnosis: '专线光路中断，本端设备正常', cause: '运营商线路故障' },
  '恢复备份配置，业务正常': { diagnosis: '设备重启后运行配置丢失', cause: '配置变更后未保存' },
  '防火墙策略调整后访问正常': { diagnosis: '访问被防火墙策略拒绝', cause: '策略变更遗漏该业务端口' },
  '清理卡纸并更换搓纸轮，打印正常': { diagnosis: '打印机连续卡纸，搓纸轮表面磨损', cause: '搓纸轮超过使用寿命', parts: [{ name: '搓纸轮', model: 'RM1-4006', quantity: 1, serial: null }] },
  '重装驱动后恢复正常': { diagnosis: '设备管理器中驱动异常', cause: '系统更新后驱动损坏' },
  '查杀病毒并修复系统文件': { diagnosis: '终端运行异常，发现病毒进程', cause: '使用来历不明的 U 盘' },
  '更换内存条后开机正常': { diagnosis: '开机报警声，内存自检不通过', cause: '内存条损坏', parts: [{ name: '内存条', model: 'DDR4 8GB', quantity: 1, serial: null }] },
  '重装操作系统并恢复用户数据': { diagnosis: '系统文件损坏，无法正常进入系统', cause: '异常断电导致系统损坏' },
  '更换硒鼓，打印质量恢复': { diagnosis: '打印件出现竖条纹', cause: '硒鼓耗尽且感光鼓划伤', parts: [{ name: '硒鼓', model: 'CF228A', quantity: 1, serial: null }] },
  '远程协助完成设置': { diagnosis: '用户不熟悉相关设置', cause: '操作问题' },
  '扩展表空间并设置自动扩展': { diagnosis: '业务表空间使用率 99%，写入报错', cause: '数据增长超出预估' },
  '终止阻塞会话，优化相关 SQL': { diagnosis: '大量会话锁等待，源头为一条长事务', cause: '报表查询未走索引，长时间持锁' },
  '修复备份脚本后手工补做备份': { diagnosis: '备份作业连续两日失败', cause: '备份目录变更后脚本路径未更新' },
  '重建主备同步，延迟归零': { diagnosis: '备库同步中断，延迟持续增长', cause: '网络抖动导致复制中断' },
  '调整连接池参数，连接恢复正常': { diagnosis: '应用连接数耗尽，新连接被拒绝', cause: '连接池上限过低且有连接泄漏' },
  '清理归档日志并调整备份策略': { diagnosis: '归档目录空间满，数据库挂起', cause: '归档日志清理策略失效' },
  '更换 UPS 电池组，放电测试正常': { diagnosis: 'UPS 电池内阻偏高，放电时间不足 5 分钟', cause: '电池组老化', parts: [{ name: 'UPS 蓄电池', model: '12V 100Ah', quantity: 16, serial: null }] },
  '清洗空调冷凝器并补充冷媒，温度恢复': { diagnosis: '精密空调高压告警，出风温度偏高', cause: '冷凝器积尘、冷媒不足', parts: [{ name: '冷媒', model: 'R410A', quantity: 1, serial: null }] },
  '排除漏水点并更换传感器': { diagnosis: '漏水告警持续，传感器受潮', cause: '空调排水管接头松动', parts: [{ name: '漏水检测传感器', model: null, quantity: 1, serial: null }] },
  '恢复动环监控采集器通信': { diagnosis: '采集器离线，监控平台无数据', cause: '采集器网线松动' },
};
const OPINIONS = ['处理及时，满意', '工程师很专业，问题已解决', '响应迅速，服务规范', '满意', null, null];

/**
 * Signed reports on the latest incidents with an on-site visit that are resolved or closed:
 * the assignee drafts the report (times from the visits), fills in diagnosis, cause, parts and
 * result, and the ticket's contact signs — in the portal when the contact has a login, else on
 * the engineer's device.
 */
async function repairReports(s: IntegrationServices, input: IntegrationsInput, actorOf: (userId: number) => Promise<Actor>): Promise<number> {
  if (input.reports <= 0) return 0;
  const db = s.db;
  const rows = await db
    .selectFrom('tickets')
    .select(['tickets.id', 'tickets.assignee_id', 'tickets.resolution'])
    .where('tickets.kind', '=', 'incident')
    .where('tickets.state', 'in', ['resolved', 'closed'])
    .where('tickets.assignee_id', 'is not', null)
    .where((eb) => eb.exists(eb.selectFrom('ticket_events').select('ticket_events.id').whereRef('ticket_events.ticket_id', '=', 'tickets.id').where('ticket_events.type', '=', 'visit')))
    .orderBy('tickets.resolved_at', 'desc')
    .orderBy('tickets.id', 'desc')
    .limit(input.reports)
    .execute();
  // Contacts with a login sign in the portal as that user.
  const portalUsers = new Map(
    (await db.selectFrom('users').select(['id', 'contact_id']).where('contact_id', 'is not', null).execute()).map((u) => [Number(u.contact_id), Number(u.id)]),
  );
  const rng = new Rng(input.seed).fork(7);
  let signed = 0;
  // Oldest first: the latest report is the last one signed.
  for (const row of rows.reverse()) {
    const engineer = await actorOf(Number(row.assignee_id));
    const ticketId = Number(row.id);
    const draft = await s.reports.create(engineer, ticketId);
    const found = FINDINGS[row.resolution ?? ''] ?? { diagnosis: '现场检查确认故障现象与报修描述一致', cause: '设备故障' };
    const result: RepairResult = found.result ?? (rng.chance(0.1) ? 'temporary' : 'fixed');
    const filled = await s.reports.patch(
      engineer,
      ticketId,
      reportPatch.parse({ version: draft.version, diagnosis: found.diagnosis, cause: found.cause, actions: draft.actions ?? row.resolution ?? '现场处理完毕，测试正常', partsUsed: found.parts ?? [], result }),
    );
    const contact = await db.selectFrom('tickets').select('contact_id').where('id', '=', ticketId).executeTakeFirstOrThrow();
    const portalUser = contact.contact_id === null ? undefined : portalUsers.get(Number(contact.contact_id));
    const signer = portalUser !== undefined ? await actorOf(portalUser) : engineer;
    const signerName = filled.contactName ?? '客户代表';
    await s.reports.sign(signer, ticketId, signBody.parse({ version: filled.version, signerName, signaturePng: signatureDataUrl(signerName), customerOpinion: rng.pick(OPINIONS) }));
    signed++;
  }
  return signed;
}

// ---------------------------------------------------------------- monitoring alerts

async function contactId(db: Db, customerId: number, name: string): Promise<number> {
  const r = await db.selectFrom('contacts').select('id').where('customer_id', '=', customerId).where('name', '=', name).executeTakeFirstOrThrow();
  return Number(r.id);
}

async function siteId(db: Db, customerId: number, name: string): Promise<number> {
  const r = await db.selectFrom('sites').select('id').where('customer_id', '=', customerId).where('name', '=', name).executeTakeFirstOrThrow();
  return Number(r.id);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The hospital's Prometheus Alertmanager (recoveries resolve the ticket) and the tax office's
 * Zabbix (recoveries are noted, the engineer resolves): each created by the administrator, its
 * token used once by the demo's "monitoring system" to post and then forgotten.
 */
async function alertIntake(s: IntegrationServices, input: IntegrationsInput, actorOf: (userId: number) => Promise<Actor>, now: number): Promise<{ alertSources: number; alertsReceived: number }> {
  const db = s.db;
  const admin = await actorOf(input.userIds.get('admin')!);
  const { hospital, tax } = input.customerIds;
  let received = 0;
  const post = async (source: { id: number; token: string }, body: unknown) => {
    const out = await s.alerts.receive(await s.alerts.authenticate(source.id, source.token), body);
    received += out.received;
    return out;
  };

  // ---- 江州市人民医院: Alertmanager, auto-resolve
  const prometheus = await s.alerts.create(
    admin,
    sourceCreate.parse({
      customerId: hospital,
      name: 'Prometheus 门诊楼机房',
      format: 'alertmanager',
      contactId: await contactId(db, hospital, '周文斌'),
      siteId: await siteId(db, hospital, '门诊楼机房'),
      service: '服务器运维',
      category: '操作系统',
      autoResolve: true,
      repeatNoteMinutes: 60,
    }),
  );
  const cpu = {
    labels: { alertname: 'HisAppHighCpu', instance: 'his-app01:9100', job: 'node', severity: 'warning' },
    annotations: { summary: 'HIS 应用服务器 CPU 使用率超过 90%', description: 'his-app01 最近 10 分钟 CPU 平均使用率 96%，门诊挂号收费响应变慢。' },
    startsAt: iso(now - 7 * MIN),
    generatorURL: 'http://prometheus.jzrmyy.example.cn:9090/graph?g0.expr=node_cpu_busy%3E0.9',
    fingerprint: '3f9a1c27d64e0b58',
  };
  const pacs = {
    labels: { alertname: 'PacsStorageAlmostFull', instance: 'pacs-store01:9100', job: 'node', mountpoint: '/data', severity: 'critical' },
    annotations: { summary: 'PACS 影像存储使用率 95%', description: 'pacs-store01 /data 分区剩余 1.2TB，按当前增长约 2 天写满。' },
    startsAt: iso(now - 4 * MIN),
    generatorURL: 'http://prometheus.jzrmyy.example.cn:9090/graph?g0.expr=node_filesystem_avail',
    fingerprint: '8b20d5e1a97c4f36',
  };
  const firing = (a: object) => ({ status: 'firing', ...a, endsAt: '0001-01-01T00:00:00Z' });
  const group = (alerts: object[]) => ({ version: '4', status: 'firing', receiver: 'yunwei', groupKey: '{}:{alertname=~".+"}', externalURL: 'http://alertmanager.jzrmyy.example.cn:9093', alerts });
  const first = await post(prometheus, group([firing(cpu), firing(pacs)]));
  // Alertmanager's repeat_interval: the same alerts again, counted on their open tickets.
  await post(prometheus, group([firing(cpu), firing(pacs)]));
  // The CPU incident: the engineer it went to accepts and starts it; the alert then recovers and resolves it.
  const cpuTicket = first.results[0];
  if (cpuTicket.ticketId !== null) {
    const ticket = await s.tickets.get(admin, cpuTicket.ticketId);
    if (ticket.assigneeId !== null && ticket.state === 'assigned') {
      const engineer = await actorOf(ticket.assigneeId);
      await s.tickets.action(engineer, ticket.id, 'accept', actionBody.parse({}));
      await s.tickets.action(engineer, ticket.id, 'start', actionBody.parse({}));
    }
  }
  await post(prometheus, { ...group([{ status: 'resolved', ...cpu, endsAt: iso(now - MIN) }]), status: 'resolved' });

  // ---- 江州市税务局: Zabbix, recoveries noted
  const zabbix = await s.alerts.create(
    admin,
    sourceCreate.parse({
      customerId: tax,
      name: 'Zabbix 数据中心机房',
      format: 'zabbix',
      contactId: await contactId(db, tax, '吴晓东'),
      siteId: await siteId(db, tax, '数据中心机房'),
      service: '网络运维',
      category: '网络中断',
      autoResolve: false,
      repeatNoteMinutes: 30,
    }),
  );
  const zabbixTime = (ms: number) => {
    // {EVENT.DATE} {EVENT.TIME} in the customer's time (Asia/Shanghai).
    const local = new Date(ms + 8 * 3_600_000).toISOString();
    return `${local.slice(0, 10).replaceAll('-', '.')} ${local.slice(11, 19)}`;
  };
  const port = { eventId: '880121', triggerId: '23041', host: 'core-sw01', name: '核心交换机 Gi1/0/24 端口 down', severity: 'High', message: '接口 Gi1/0/24（至三楼办公区汇聚）状态 down，三楼部分终端无法上网。', eventTime: zabbixTime(now - 9 * MIN), tags: 'scope:availability, area:三楼', url: 'http://zabbix.jzswj.example.cn/tr_events.php?triggerid=23041&eventid=880121' };
  await post(zabbix, { ...port, status: 'PROBLEM', value: '1' });
  // Zabbix's escalation step sends the problem again: counted.
  await post(zabbix, { ...port, status: 'PROBLEM', value: '1' });
  await post(zabbix, { eventId: '880164', triggerId: '23077', host: 'fw-01', name: '防火墙并发会话数超过 90%', severity: 'Average', status: 'PROBLEM', value: '1', message: '当前会话数 472,000 / 500,000。', eventTime: zabbixTime(now - 5 * MIN), tags: 'scope:capacity', url: 'http://zabbix.jzswj.example.cn/tr_events.php?triggerid=23077&eventid=880164' });
  // The port comes back: noted on its ticket (the engineer confirms and resolves).
  await post(zabbix, { ...port, status: 'RESOLVED', value: '0', recoveryTime: zabbixTime(now - 2 * MIN) });
  // A recovery of a problem from before the source was connected: nothing to do.
  await post(zabbix, { eventId: '879902', triggerId: '22950', host: 'ups-01', name: '机房 UPS 市电中断', severity: 'Disaster', status: 'RESOLVED', value: '0', eventTime: zabbixTime(now - 26 * 60 * MIN), recoveryTime: zabbixTime(now - 25 * 60 * MIN) });
  return { alertSources: 2, alertsReceived: received };
}

// ---------------------------------------------------------------- inbound mail

/** A raw RFC 822 message as a mail client sends it (UTF-8, 8bit, CRLF). */
function rfc822(m: { fromName?: string; from: string; to: string; subject: string; text: string; messageId: string; date: number; headers?: string[] }): Buffer {
  const word = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);
  return Buffer.from(
    [
      `From: ${m.fromName ? `${word(m.fromName)} <${m.from}>` : m.from}`,
      `To: ${m.to}`,
      `Subject: ${word(m.subject)}`,
      `Date: ${new Date(m.date).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${m.messageId}`,
      ...(m.headers ?? []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      ...m.text.split('\n'),
      '',
    ].join('\r\n'),
  );
}

/**
 * A service mailbox for the hospital and one for the tax office (mail from anyone but their
 * contacts is refused), and the morning's mail: faults reported by contacts, a contact's reply
 * to an open ticket (its number in the subject), an out-of-office auto-reply, a stranger's
 * advertisement.
 */
async function mailIntake(s: IntegrationServices, input: IntegrationsInput, now: number): Promise<{ mailboxes: number; mailsReceived: number }> {
  const db = s.db;
  const admin = (await s.auth.actorForUser(input.userIds.get('admin')!, 'system', null))!;
  const { hospital, tax } = input.customerIds;
  const hospitalBox = await s.mail.createMailbox(
    admin,
    mailboxCreate.parse({ address: 'yiyuan@desk.huaxin-ops.example.cn', name: '江州市人民医院报障邮箱', customerId: hospital, kind: 'incident', service: '桌面运维', category: '邮件报障', unknownSenders: 'reject' }),
  );
  const taxBox = await s.mail.createMailbox(
    admin,
    mailboxCreate.parse({ address: 'shuiwu@desk.huaxin-ops.example.cn', name: '江州市税务局报障邮箱', customerId: tax, kind: 'incident', service: '桌面运维', category: '邮件报障', unknownSenders: 'reject' }),
  );
  const id = (n: number, domain: string) => `<demo-${input.seed}-${n}@${domain}>`;
  const mails: Array<Omit<Parameters<typeof rfc822>[0], 'to' | 'messageId' | 'date'> & { box: typeof hospitalBox; minutesAgo: number }> = [
    {
      box: hospitalBox,
      fromName: '许丽华',
      from: 'xulihua@jzrmyy.example.cn',
      subject: '放射科 2 号阅片工作站无法开机',
      text: '您好：\n\n放射科 2 号阅片工作站今天按电源键没有反应，指示灯不亮，影响阅片。麻烦尽快安排工程师来看一下。\n\n许丽华\n放射科主任  0576-88862010',
      minutesAgo: 14,
    },
    {
      box: hospitalBox,
      fromName: '杨帆',
      from: 'yangfan@jzrmyy.example.cn',
      subject: '住院部三楼护士站打印机打印有条纹',
      text: '护士站的打印机打出来的医嘱单有黑色竖条纹，换了纸也一样，请派人处理。\n\n杨帆  住院部三楼护士站',
      minutesAgo: 11,
    },
  ];
  // A contact answers the mail about her open ticket: the number in the subject puts her reply on it.
  const open = await db
    .selectFrom('tickets')
    .innerJoin('contacts', 'contacts.id', 'tickets.contact_id')
    .select(['tickets.number', 'tickets.title', 'contacts.name', 'contacts.email'])
    .where('tickets.customer_id', '=', hospital)
    .where('tickets.state', 'in', ['accepted', 'in_progress', 'assigned'])
    .where('tickets.channel', 'not in', ['email', 'monitoring'])
    .where('contacts.email', 'is not', null)
    .orderBy('tickets.reported_at', 'desc')
    .orderBy('tickets.id', 'desc')
    .executeTakeFirst();
  if (open) {
    mails.push({
      box: hospitalBox,
      fromName: open.name,
      from: open.email!,
      subject: `Re: [${open.number}] ${open.title}`,
      text: `补充一下情况：重启以后还是一样，同一楼层其他几台也有类似现象，请工程师到场时一并看看。\n\n${open.name}\n\n> 您好，您报告的问题已受理，工单号 ${open.number}。`,
      minutesAgo: 9,
    });
  }
  mails.push(
    {
      box: taxBox,
      fromName: '郭敏',
      from: 'guomin@jzswj.example.cn',
      subject: '三楼办公区电脑无法上网',
      text: '三楼东侧办公室几台电脑从刚才开始打不开网页，内网系统也登不上，麻烦看一下。\n\n郭敏  办公室',
      minutesAgo: 7,
    },
    {
      box: taxBox,
      fromName: '谢建华',
      from: 'xiejianhua@jzswj.example.cn',
      subject: '办税服务厅 3 号叫号机屏幕不显示',
      text: '办税服务厅 3 号叫号机屏幕不显示，取号正常，窗口叫号屏没有画面，纳税人看不到叫号。请尽快处理。\n\n谢建华  办税服务厅值班长  0576-88720100',
      minutesAgo: 5,
    },
    {
      box: taxBox,
      fromName: '罗丹',
      from: 'luodan@jzswj.example.cn',
      subject: '自动回复：休假通知',
      text: '您好，我于本周休假，期间邮件不能及时回复，急事请联系办公室 0576-88720000。',
      minutesAgo: 3,
      headers: ['Auto-Submitted: auto-replied'],
    },
    {
      box: taxBox,
      fromName: '云盘推广',
      from: 'sales@yunpan-promo.example.com',
      subject: '企业云盘限时优惠，免费试用 30 天',
      text: '尊敬的客户：企业云盘年终特惠，扫码即可免费试用 30 天。',
      minutesAgo: 1,
    },
  );
  for (const [i, { box, minutesAgo, ...m }] of mails.entries()) {
    const raw = rfc822({ ...m, to: box.address, messageId: id(i + 1, m.from.split('@')[1]), date: now - minutesAgo * MIN });
    await s.mail.receive(raw, { via: 'api', rcptTo: [box.address] });
  }
  const received = mails.length;
  return { mailboxes: 2, mailsReceived: received };
}
