import { reindex } from '../modules/search/reindex.js';
import { loadConfig, type Config } from '../config.js';
import { compileCalendar } from '../core/calendar/index.js';
import { ANY_PRIORITY, slaTemplates, type SlaPolicy } from '../core/sla/index.js';
import type { Database_, Tx } from '../db/index.js';
import * as org from '../modules/organisation/repo.js';
import * as calRepo from '../modules/sla/calendars.repo.js';
import { matrixForLevels, type ContractSla } from '../modules/sla/policies.service.js';
import * as ticketRepo from '../modules/tickets/repo.js';
import { auditActorOf, recordAudit } from '../platform/audit/service.js';
import { systemActor } from '../platform/auth/actor.js';
import { hashPassword } from '../platform/auth/password.js';
import { PROVIDER_NAME_KEY, setSetting } from '../platform/settings/index.js';
import { DESK_HOTLINE_KEY, DESK_HOURS_KEY } from '../modules/tickets/portal.js';
import {
  finishHistory,
  insertRows,
  localYear,
  reportInstants,
  Rng,
  simContext,
  simulateHistory,
  weighted,
  type ContractModel,
  type CustomerModel,
  type OrgModel,
  type PlannedTicket,
  type TeamModel,
  type TicketOptions,
} from './history/index.js';
import { SERVICES } from './history/vocabulary.js';
import { integrationServices, loadIntegrations } from './demo-integrations.js';
import { loadServiceReports } from './demo-reports.js';
import { loadKnowledge } from './demo-knowledge.js';
import { loadCmdb } from './demo-cmdb.js';
import { loadAssets } from './demo-assets.js';
import { loadRepairs } from './demo-repairs.js';
import { loadParts } from './demo-parts.js';

/**
 * The demo data set: a realistic (fictional) O&M provider in a Chinese city with three
 * customers of the three tiers, its teams, their contracts, sites and contacts, and one login
 * for every built-in role, so a first-time visitor can see each face of the product.
 */
export const DEMO_PROVIDER = '华信运维服务有限公司';
/** The desk's hotline and hours (fictional number of the fictional city). */
export const DEMO_DESK_HOTLINE = '0576-8888 6666';
export const DEMO_DESK_HOURS = '7×24 小时受理（节假日照常）';
/** Satisfies the default password rule (11+ characters, upper, lower, digit, symbol). */
export const DEMO_PASSWORD = 'Yunwei@2026demo';
/** Tickets of the demo's year of history by default (`yunwei demo --tickets N`). */
export const DEMO_TICKETS = 3000;
/** Signed repair reports on the latest on-site incidents (each one a PDF rendered and stored). */
export const DEMO_REPORTS = 24;
/** The demo is the same every time it is loaded with the same size (only "now" moves). */
const DEMO_SEED = 20261207;

type TeamKey = 'desk' | 'line1' | 'line2' | 'project' | 'quality';
type CustomerKey = 'hospital' | 'tax' | 'school';

interface DemoTeam {
  key: TeamKey;
  name: string;
  description: string;
  /** Customers the team serves: its members see exactly these. */
  serves: CustomerKey[];
}

const TEAMS: DemoTeam[] = [
  { key: 'desk', name: '服务台', description: '统一受理电话、邮件和门户报障，负责派单与回访', serves: ['hospital', 'tax', 'school'] },
  { key: 'line1', name: '一线支持组', description: '桌面、打印机、网络接入等一线现场支持', serves: ['hospital', 'tax'] },
  { key: 'line2', name: '二线技术组', description: '服务器、数据库、存储和核心网络的二线技术支持', serves: ['hospital', 'tax', 'school'] },
  { key: 'project', name: '项目组', description: '合同交付、服务报告与客户沟通（项目经理经所负责的合同看到客户）', serves: [] },
  // Serves every customer: complaints go to the quality team serving the customer (dispatch).
  { key: 'quality', name: '质量管理部', description: '服务质量检查、满意度调查、投诉处理与持续改进', serves: ['hospital', 'tax', 'school'] },
];

interface DemoUser {
  username: string;
  displayName: string;
  role: string;
  email: string;
  phone: string;
  teams?: Array<{ team: TeamKey; lead?: boolean }>;
  customer?: CustomerKey;
  /** Printed in the login table: who this is and what they see. */
  sees?: string;
}

const USERS: DemoUser[] = [
  { username: 'admin', displayName: '王建国', role: 'admin', email: 'wangjianguo@huaxin-ops.example.cn', phone: '13801230001', sees: '系统管理员：全部功能、全部客户、用户与角色、审计日志' },
  { username: 'desk', displayName: '张敏', role: 'desk', email: 'zhangmin@huaxin-ops.example.cn', phone: '13801230002', teams: [{ team: 'desk', lead: true }], sees: '服务台：全部客户的受理、派单与回访' },
  { username: 'engineer', displayName: '李强', role: 'engineer', email: 'liqiang@huaxin-ops.example.cn', phone: '13801230003', teams: [{ team: 'line1' }], sees: '一线工程师：只见江州市人民医院、江州市税务局' },
  { username: 'pm', displayName: '王磊', role: 'pm', email: 'wanglei@huaxin-ops.example.cn', phone: '13801230004', teams: [{ team: 'project', lead: true }], sees: '项目经理：江州市人民医院（合同 HT-2026-001）' },
  { username: 'quality', displayName: '何丽', role: 'quality', email: 'heli@huaxin-ops.example.cn', phone: '13801230005', teams: [{ team: 'quality', lead: true }], sees: '质量管理：全部客户只读；处理投诉、回访与质量检查' },
  { username: 'auditor', displayName: '郑洁', role: 'auditor', email: 'zhengjie@huaxin-ops.example.cn', phone: '13801230006', sees: '审计员：全部客户只读、审计日志' },
  { username: 'hospital_admin', displayName: '陈志远', role: 'customer_admin', email: 'chenzhiyuan@jzrmyy.example.cn', phone: '13905761001', customer: 'hospital', sees: '客户门户（管理员）：江州市人民医院的工单、联系人和本单位账号' },
  { username: 'hospital_user', displayName: '林晓燕', role: 'customer_contact', email: 'linxiaoyan@jzrmyy.example.cn', phone: '13905761002', customer: 'hospital', sees: '客户门户：江州市人民医院，报障与跟踪' },
  { username: 'tax_user', displayName: '黄海涛', role: 'customer_contact', email: 'huanghaitao@jzswj.example.cn', phone: '13905762001', customer: 'tax', sees: '客户门户：江州市税务局，报障与跟踪' },
  // Team members without a row in the login table (same password).
  { username: 'zhouting', displayName: '周婷', role: 'desk', email: 'zhouting@huaxin-ops.example.cn', phone: '13801230007', teams: [{ team: 'desk' }] },
  { username: 'chenjing', displayName: '陈静', role: 'engineer', email: 'chenjing@huaxin-ops.example.cn', phone: '13801230008', teams: [{ team: 'line1', lead: true }] },
  { username: 'zhaolei', displayName: '赵磊', role: 'engineer', email: 'zhaolei@huaxin-ops.example.cn', phone: '13801230009', teams: [{ team: 'line2', lead: true }] },
  { username: 'sunhao', displayName: '孙浩', role: 'engineer', email: 'sunhao@huaxin-ops.example.cn', phone: '13801230010', teams: [{ team: 'line2' }] },
  { username: 'liuyang', displayName: '刘洋', role: 'pm', email: 'liuyang@huaxin-ops.example.cn', phone: '13801230011', teams: [{ team: 'project' }] },
  { username: 'wufang', displayName: '吴芳', role: 'pm', email: 'wufang@huaxin-ops.example.cn', phone: '13801230012', teams: [{ team: 'project' }] },
  { username: 'school_user', displayName: '韩雪', role: 'customer_contact', email: 'hanxue@jzmdzx.example.cn', phone: '13805763003', customer: 'school' },
];

interface DemoSite {
  key: string;
  name: string;
  kind: 'site' | 'department';
  address?: string;
  parent?: string;
}

interface DemoContact {
  name: string;
  title: string;
  mobile: string;
  phone?: string;
  email: string;
  site?: string;
  vip?: boolean;
  /** The customer user (username) who is this contact: the portal reports in this contact's name. */
  user?: string;
}

/** A contract's SLA: a template's policy, plus on-site targets (hours, 7×24) per level where the contract promises them. */
interface DemoSla {
  template: 'T1' | 'T2' | 'T3' | 'T4' | 'T5';
  policy?: string;
  onsite?: Record<string, number>;
  resolution?: Record<string, number>;
}

interface DemoCustomer {
  key: CustomerKey;
  code: string;
  name: string;
  tier: 1 | 2 | 3;
  address: string;
  notes: string;
  /** The contract of every year (`{year}` in code and name): last year's and this year's. */
  contract: { code: string; name: string; services: string[]; serviceHours: string; calendarId: string; projectManager: string; notes: string; sla: DemoSla };
  /** Share of the tickets. */
  weight: number;
  sites: DemoSite[];
  contacts: DemoContact[];
}

const CUSTOMERS: DemoCustomer[] = [
  {
    key: 'hospital',
    code: 'JZRMYY',
    name: '江州市人民医院',
    tier: 1,
    address: '江州市滨江区人民路 88 号',
    notes: '三级甲等医院，HIS、PACS、LIS 核心业务系统 7×24 小时运行',
    contract: {
      code: 'HT-{year}-001',
      name: '江州市人民医院 {year} 年度信息系统运维服务合同',
      services: ['服务器运维', '网络运维', '桌面运维', '数据库运维', '机房环境'],
      serviceHours: '7x24',
      calendarId: '24x7',
      projectManager: 'pm',
      notes: '驻场 2 人；重大故障 15 分钟响应、2 小时到场',
      // T1's emergency levels (紧急 15 分钟响应) with the on-site times the contract adds; T1 as
      // written resolves 一般 in 2 hours, faster than 重要 (REQUIREMENTS §0.5 C2): the contract gives it 8.
      sla: { template: 'T1', onsite: { urgent: 2, important: 2, general: 4 }, resolution: { general: 8 } },
    },
    weight: 5,
    sites: [
      { key: 'outpatient', name: '门诊楼', kind: 'site', address: '江州市滨江区人民路 88 号门诊楼' },
      { key: 'dc', name: '门诊楼机房', kind: 'site', address: '门诊楼五层', parent: 'outpatient' },
      { key: 'inpatient', name: '住院部', kind: 'site', address: '江州市滨江区人民路 88 号住院部' },
      { key: 'it', name: '信息科', kind: 'department', parent: 'outpatient' },
      { key: 'radiology', name: '放射科', kind: 'department', parent: 'outpatient' },
      { key: 'ward3', name: '住院部三楼护士站', kind: 'site', parent: 'inpatient' },
    ],
    contacts: [
      { name: '陈志远', title: '信息科科长', mobile: '13905761001', phone: '0576-88861001', email: 'chenzhiyuan@jzrmyy.example.cn', site: 'it', vip: true, user: 'hospital_admin' },
      { name: '林晓燕', title: '信息科工程师', mobile: '13905761002', phone: '0576-88861002', email: 'linxiaoyan@jzrmyy.example.cn', site: 'it', user: 'hospital_user' },
      { name: '周文斌', title: '网络管理员', mobile: '13805761003', email: 'zhouwenbin@jzrmyy.example.cn', site: 'dc' },
      { name: '许丽华', title: '放射科主任', mobile: '13805761004', phone: '0576-88862010', email: 'xulihua@jzrmyy.example.cn', site: 'radiology', vip: true },
      { name: '杨帆', title: '护士长', mobile: '13805761005', email: 'yangfan@jzrmyy.example.cn', site: 'ward3' },
      { name: '马俊', title: '总务科干事', mobile: '13805761006', phone: '0576-88860300', email: 'majun@jzrmyy.example.cn', site: 'outpatient' },
      { name: '徐静', title: '门诊办公室主任', mobile: '13805761007', email: 'xujing@jzrmyy.example.cn', site: 'outpatient' },
    ],
  },
  {
    key: 'tax',
    code: 'JZSWJ',
    name: '江州市税务局',
    tier: 2,
    address: '江州市城东区解放路 168 号',
    notes: '办税服务厅工作日 8:30–17:00 对外服务',
    contract: {
      code: 'HT-{year}-002',
      name: '江州市税务局 {year} 年度桌面与网络运维服务合同',
      services: ['网络运维', '桌面运维', '服务器运维', '机房环境'],
      serviceHours: '5x8',
      calendarId: 'cn-5x8',
      projectManager: 'liuyang',
      notes: '按国家法定节假日及调休安排提供服务',
      // T3's four service levels: working days on the cn-5x8 calendar for the routine ones.
      sla: { template: 'T3' },
    },
    weight: 3,
    sites: [
      { key: 'main', name: '办公大楼', kind: 'site', address: '江州市城东区解放路 168 号' },
      { key: 'floor3', name: '三楼办公区', kind: 'site', parent: 'main' },
      { key: 'dc', name: '数据中心机房', kind: 'site', address: '办公大楼负一层', parent: 'main' },
      { key: 'hall', name: '办税服务厅', kind: 'site', address: '办公大楼一层', parent: 'main' },
      { key: 'infocenter', name: '信息中心', kind: 'department', parent: 'main' },
      { key: 'office', name: '办公室', kind: 'department', parent: 'main' },
    ],
    contacts: [
      { name: '黄海涛', title: '信息中心主任', mobile: '13905762001', phone: '0576-88720001', email: 'huanghaitao@jzswj.example.cn', site: 'infocenter', vip: true, user: 'tax_user' },
      { name: '吴晓东', title: '系统管理员', mobile: '13805762002', phone: '0576-88720002', email: 'wuxiaodong@jzswj.example.cn', site: 'dc' },
      { name: '郭敏', title: '办公室文员', mobile: '13805762003', email: 'guomin@jzswj.example.cn', site: 'floor3' },
      { name: '谢建华', title: '办税服务厅值班长', mobile: '13805762004', phone: '0576-88720100', email: 'xiejianhua@jzswj.example.cn', site: 'hall' },
      { name: '罗丹', title: '办公室主任', mobile: '13805762005', email: 'luodan@jzswj.example.cn', site: 'office', vip: true },
      { name: '宋佳', title: '信息中心科员', mobile: '13805762006', email: 'songjia@jzswj.example.cn', site: 'infocenter' },
    ],
  },
  {
    key: 'school',
    code: 'JZMDZX',
    name: '江州市明德中学',
    tier: 3,
    address: '江州市文教区明德路 9 号',
    notes: '寒暑假期间仅保留网络中心值守',
    contract: {
      code: 'HT-{year}-003',
      name: '江州市明德中学 {year} 年度校园网运维服务合同',
      services: ['网络运维', '桌面运维', '机房环境'],
      serviceHours: '5x8',
      calendarId: 'cn-5x8',
      projectManager: 'wufang',
      notes: '多媒体教室设备按学期巡检',
      // A campus network: T4's third tier (8 hours a day).
      sla: { template: 'T4', policy: 't4-tier3' },
    },
    weight: 2,
    sites: [
      { key: 'admin', name: '行政楼', kind: 'site', address: '江州市文教区明德路 9 号行政楼' },
      { key: 'netcenter', name: '网络中心机房', kind: 'site', address: '行政楼二层', parent: 'admin' },
      { key: 'teaching', name: '教学楼', kind: 'site', address: '江州市文教区明德路 9 号教学楼' },
      { key: 'academic', name: '教务处', kind: 'department', parent: 'admin' },
      { key: 'general', name: '总务处', kind: 'department', parent: 'admin' },
    ],
    contacts: [
      { name: '钱振华', title: '副校长', mobile: '13905763001', phone: '0576-88530001', email: 'qianzhenhua@jzmdzx.example.cn', site: 'admin', vip: true },
      { name: '冯立新', title: '网络中心管理员', mobile: '13805763002', email: 'fenglixin@jzmdzx.example.cn', site: 'netcenter' },
      { name: '韩雪', title: '教务处干事', mobile: '13805763003', phone: '0576-88530012', email: 'hanxue@jzmdzx.example.cn', site: 'academic', user: 'school_user' },
      { name: '蒋涛', title: '总务处主任', mobile: '13805763004', email: 'jiangtao@jzmdzx.example.cn', site: 'general' },
      { name: '唐颖', title: '信息技术教师', mobile: '13805763005', email: 'tangying@jzmdzx.example.cn', site: 'teaching' },
    ],
  },
];

export interface DemoLogin {
  role: string;
  username: string;
  password: string;
  displayName: string;
  sees: string;
}

export interface DemoResult {
  logins: DemoLogin[];
  counts: Record<string, number>;
  customerIds: Record<CustomerKey, number>;
  /** Tickets by state. */
  states: Record<string, number>;
  seconds: number;
}

export interface DemoOptions {
  /** Tickets of the year of history (DEMO_TICKETS by default). */
  tickets?: number;
  /** Called as the history is written: tickets done of the total. */
  progress?: (done: number, total: number) => void;
  /** TICKET_AUTO_CLOSE_WORKDAYS: when resolved tickets nobody confirmed were closed. */
  autoCloseWorkdays?: number;
  /** The configuration the modules' services run with (the PDF font, mail, tickets); from the environment by default. */
  config?: Config;
  /** Signed repair reports (DEMO_REPORTS by default). */
  reports?: number;
}

/** The database is not empty and holds something else than the demo: nothing is loaded. */
export class DemoRefused extends Error {}
/** The demo is loaded already: nothing to do (the command succeeds). */
export class DemoExists extends Error {}

const DAY = 86_400_000;

/**
 * Loads the demo into a migrated database that has neither users nor customers (it never
 * mixes with real data): the organisation, SLA policies on every contract, dispatch rules, the
 * provider's name, and a year of tickets simulated up to `now` (history/), with open tickets in
 * every queue whose SLA clocks run relative to `now` — one transaction (all of it or none), one
 * audit entry. Then, through the modules' own services (demo-integrations.ts), signed repair
 * reports, alert sources with alerts received, service mailboxes with mail received: these are
 * written at the moment of loading (the services take no instant), each with its own audit entries.
 */
export async function loadDemo(database: Database_, log: (line: string) => void = () => {}, now = Date.now(), opts: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const db = database.db;
  const loaded = await db.selectFrom('audit_log').select('at').where('action', '=', 'demo_load').orderBy('id').executeTakeFirst();
  if (loaded) {
    const at = new Date(Number(loaded.at) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    throw new DemoExists(`演示数据已存在（${at} 载入 ${database.describe}），无需再次载入。The demo is loaded already.`);
  }
  const users = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const customers = await db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(users.n) > 0 || Number(customers.n) > 0) {
    throw new DemoRefused(
      `${database.describe} is not empty (${Number(users.n)} users, ${Number(customers.n)} customers): the demo loads only into an empty database. ` +
        'Point DATA_DIR (or DATABASE_URL) at a new database to try the demo.',
    );
  }
  const ticketCount = opts.tickets ?? DEMO_TICKETS;
  // Built (the PDF font found) before anything is written.
  const services = integrationServices(db, opts.config ?? loadConfig());

  log(`hashing the demo password…`);
  const hash = await hashPassword(DEMO_PASSWORD);

  const base = await db.transaction().execute(async (trx) => {
    const counts: Record<string, number> = {};
    const roleIds = new Map((await trx.selectFrom('roles').select(['id', 'code']).execute()).map((r) => [r.code, Number(r.id)]));

    log(`provider ${DEMO_PROVIDER}: ${TEAMS.length} teams`);
    await setSetting(trx, PROVIDER_NAME_KEY, DEMO_PROVIDER, now);
    // What the portal shows customers as the single point of contact (REQ #5, #6).
    await setSetting(trx, DESK_HOTLINE_KEY, DEMO_DESK_HOTLINE, now);
    await setSetting(trx, DESK_HOURS_KEY, DEMO_DESK_HOURS, now);
    const teamIds = new Map<TeamKey, number>();
    for (const t of TEAMS) {
      teamIds.set(t.key, await org.insertTeam(trx, { name: t.name, kind: t.key, description: t.description, assignment: 'round_robin' }, now));
    }
    counts.teams = TEAMS.length;

    const customerIds = {} as Record<CustomerKey, number>;
    for (const c of CUSTOMERS) {
      const customer = await org.insertCustomer(trx, { code: c.code, name: c.name, tier: c.tier, timeZone: 'Asia/Shanghai', address: c.address, notes: c.notes }, now);
      customerIds[c.key] = customer.id;
    }
    counts.customers = CUSTOMERS.length;

    log(`${USERS.length} users`);
    const userIds = new Map<string, number>();
    for (const u of USERS) {
      const roleId = roleIds.get(u.role);
      if (roleId === undefined) throw new Error(`built-in role ${u.role} is missing; run \`yunwei migrate\``);
      const row = await trx
        .insertInto('users')
        .values({
          username: u.username,
          display_name: u.displayName,
          email: u.email,
          phone: u.phone,
          password_hash: hash,
          locale: 'zh-CN',
          customer_id: u.customer ? customerIds[u.customer] : null,
          disabled: 0,
          failed_logins: 0,
          locked_until: null,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      userIds.set(u.username, id);
      await trx.insertInto('user_roles').values({ user_id: id, role_id: roleId }).execute();
      for (const m of u.teams ?? []) await trx.insertInto('team_members').values({ team_id: teamIds.get(m.team)!, user_id: id, is_lead: m.lead ? 1 : 0 }).execute();
    }
    counts.users = USERS.length;

    for (const t of TEAMS) {
      for (const c of t.serves) await trx.insertInto('team_customers').values({ team_id: teamIds.get(t.key)!, customer_id: customerIds[c] }).execute();
    }

    // The calendars the SLA templates need besides the built-ins (as "apply template" creates them).
    const templates = slaTemplates();
    for (const t of templates) for (const spec of t.calendars) if (!(await calRepo.findCalendar(trx, spec.id))) await calRepo.insertCalendar(trx, spec, false, now);
    const calendars = new Map((await calRepo.listCalendars(trx)).map((c) => [c.spec.id, compileCalendar(c.spec)]));

    counts.sites = 0;
    counts.contacts = 0;
    counts.contracts = 0;
    const thisYear = localYear(now);
    const years = [thisYear - 1, thisYear];
    const models: CustomerModel[] = [];
    for (const c of CUSTOMERS) {
      const customerId = customerIds[c.key];
      const details = await loadCustomerDetails(trx, c, customerId, userIds, years, now);
      counts.sites += c.sites.length;
      counts.contacts += c.contacts.length;
      counts.contracts += years.length;
      models.push({
        id: customerId,
        tier: c.tier,
        name: c.name,
        weight: c.weight,
        siteIds: details.siteIds,
        contacts: details.contacts,
        portalUserIds: USERS.filter((u) => u.customer === c.key).map((u) => userIds.get(u.username)!),
        contracts: details.contracts,
        // 一线支持组 does not serve the school: its desktops and network go to 二线技术组.
        line1TeamId: teamIds.get(TEAMS.find((t) => t.key === 'line1')!.serves.includes(c.key) ? 'line1' : 'line2')!,
      });
      log(`customer ${c.name} (tier ${c.tier}, ${details.codes.join(' / ')}, SLA ${c.contract.sla.template}): ${c.sites.length} sites, ${c.contacts.length} contacts`);
    }

    counts.dispatchRules = await loadDispatchRules(trx, teamIds, customerIds, now);

    // ---- a year of history, simulated by the code the benchmarks use
    const team = (key: TeamKey): TeamModel => {
      const members = USERS.filter((u) => u.teams?.some((m) => m.team === key));
      const ids = members.map((u) => userIds.get(u.username)!);
      const lead = members.find((u) => u.teams!.some((m) => m.team === key && m.lead));
      return { id: teamIds.get(key)!, name: TEAMS.find((t) => t.key === key)!.name, kind: key, memberIds: ids, leadId: userIds.get(lead?.username ?? members[0].username)!, services: [] };
    };
    const desk = team('desk');
    const line1 = team('line1');
    const line2 = team('line2');
    const quality = team('quality');
    const model: OrgModel = {
      customers: models,
      teams: [desk, line1, line2, quality],
      desk,
      line2ByService: new Map(SERVICES.filter((s) => s.line === 'line2').map((s) => [s.service, line2])),
      agentIds: [...desk.memberIds, ...line1.memberIds, ...line2.memberIds],
      integrationUserId: null,
      adminId: userIds.get('admin')!,
      calendars,
      counts,
      complaintTeam: quality,
    };
    const plan = planTickets(model, ticketCount, now, userIds.get('engineer')!);
    const ctx = simContext(model, now, { autoCloseWorkdays: opts.autoCloseWorkdays ?? 3, ratings: true, backlog: 0 });
    ctx.nextEventId = (await maxId(trx, 'ticket_events')) + 1;
    ctx.nextJobId = (await maxId(trx, 'jobs')) + 1;
    log(`${plan.length} tickets: a year of history up to now`);
    const tally = await simulateHistory(
      ctx,
      new Rng(DEMO_SEED).fork(2),
      { count: plan.length, at: (i) => plan[i].at, options: (i) => plan[i].options },
      { batch: 500, firstId: (await maxId(trx, 'tickets')) + 1, write: (rows) => insertRows(trx, rows), progress: (done) => opts.progress?.(done, plan.length) },
    );
    await finishHistory(trx);
    counts.tickets = plan.length;
    counts.events = tally.rows.events ?? 0;
    counts.ratings = tally.rows.ratings ?? 0;

    await recordAudit(trx, auditActorOf(systemActor('yunwei demo')), { action: 'demo_load', entity: 'system', after: { provider: DEMO_PROVIDER, ...counts } }, now);

    return { counts, customerIds, userIds, states: tally.states };
  });

  let integrations: Record<string, number>;
  try {
    integrations = await loadIntegrations(services, { customerIds: base.customerIds, userIds: base.userIds, reports: opts.reports ?? DEMO_REPORTS, seed: DEMO_SEED }, log, now);
  } catch (err) {
    throw new Error(`the demo's organisation and history are loaded into ${database.describe}, but its reports, alerts and mail failed (load the demo into a new database): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log('reports signed, alerts and mail received now, by the modules\' services (they take no other instant): the alerts\' and mails\' tickets are reported minutes ago');
  // Every module's demo loader acts as a demo user; the service reports come last, so their sections see every module's records.
  const demoCtx = { customerIds: base.customerIds, userIds: base.userIds, actorOf: async (id: number) => (await services.auth.actorForUser(id, 'system', null))! };
  integrations.knowledgeArticles = await loadKnowledge(db, demoCtx, log);
  integrations.cis = await loadCmdb(db, demoCtx, log);
  integrations.repairOrders = await loadRepairs(db, opts.config ?? loadConfig(), demoCtx, log, now);
  integrations.partMovements = await loadParts(db, opts.config ?? loadConfig(), demoCtx, log, now);
  integrations.assets = await loadAssets(db, demoCtx, log, now);
  integrations.serviceReports = await loadServiceReports(db, opts.config ?? loadConfig(), demoCtx, log, now);
  // Full-text search over everything the demo wrote (the history is bulk-inserted, past the services' indexing).
  const searched = await reindex(db, { restart: true });
  log(`search index: ${searched.map((s) => `${s.indexed} ${s.kind}`).join(', ')}`);
  const logins = USERS.filter((u) => u.sees).map((u) => ({ role: u.role, username: u.username, password: DEMO_PASSWORD, displayName: u.displayName, sees: u.sees! }));
  const states = { ...base.states };
  const after = await db.selectFrom('tickets').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  for (const r of after) states[r.state] = Number(r.n);
  // The history's tickets, and those the alerts and the mail opened.
  // (each demo repair order, demo-repairs.ts, was sent from a ticket of its own)
  const opened = after.reduce((n, r) => n + Number(r.n), 0) - base.counts.tickets - (integrations.repairOrders ?? 0);
  return { logins, counts: { ...base.counts, ...integrations, alertAndMailTickets: opened }, customerIds: base.customerIds, states, seconds: (performance.now() - started) / 1000 };
}

async function maxId(trx: Tx, table: 'tickets' | 'ticket_events' | 'jobs'): Promise<number> {
  const r = await trx.selectFrom(table).select((eb) => eb.fn.max<number | string | null>('id').as('m')).executeTakeFirstOrThrow();
  return Number(r.m ?? 0);
}

/**
 * The tickets to simulate: `count` over the year before `now` (more on working days and in
 * office hours), and the present — tickets of the last hours still open at every stage: waiting
 * in the service desk's queue, dispatched to `engineer` and not yet accepted (the hospital's
 * 15-minute response running out), accepted, in progress — so every queue has work whose SLA
 * clocks run relative to now, some of it due within the hour.
 */
function planTickets(model: OrgModel, count: number, now: number, engineer: number): PlannedTicket[] {
  const rng = new Rng(DEMO_SEED);
  const history = reportInstants(rng.fork(1), count, now, 1, model.calendars.get('cn-5x8')!);
  const planned: PlannedTicket[] = Array.from(history, (at) => ({ at }));
  const present = rng.fork(3);
  const hospital = model.customers[0];
  const customers = weighted(model.customers.map((c, i) => [c, [6, 3, 1][i] ?? 1] as const));
  // Due soon for certain: the hospital's calls of the last minutes, dispatched to the engineer, not yet accepted.
  for (const minutes of [6, 25, 45]) planned.push({ at: now - minutes * 60_000, options: { customer: hospital, engineerId: engineer, stopAfter: 2 } });
  const extra = Math.max(12, Math.round(count * 0.008));
  const stops = [1, 1, 2, 2, 3, 4, 6, undefined, undefined] as const;
  for (let i = 0; i < extra; i++) {
    const options: TicketOptions = { customer: customers.draw(present), stopAfter: present.pick(stops) };
    if (present.chance(0.5)) options.engineerId = engineer;
    // Within the last 8 hours, more of them recent.
    planned.push({ at: now - Math.round(Math.pow(present.next(), 2) * 8 * 3_600_000) - 60_000, options });
  }
  // A few days' backlog, still open somewhere along the way (no older ticket stalled: the rest of the year ran its course).
  for (let i = 0; i < Math.max(4, Math.round(count * 0.002)); i++) {
    planned.push({ at: now - present.int(1, 6) * DAY - present.int(0, 8 * 3_600_000), options: { customer: customers.draw(present), stopAfter: present.pick([2, 3, 4, 5]) } });
  }
  return planned.sort((a, b) => a.at - b.at);
}

/** The SLA of a demo contract, built from its template as "apply template" builds it. */
function contractSla(spec: DemoSla): ContractSla {
  const template = slaTemplates().find((t) => t.id === spec.template)!;
  const policy: SlaPolicy = structuredClone(spec.policy ? template.policies.find((p) => p.id === spec.policy)! : template.policies[0]);
  for (const metric of ['onsite', 'resolution'] as const) {
    for (const [level, hours] of Object.entries(spec[metric] ?? {})) {
      const targets = policy.targets[level] ?? policy.targets[ANY_PRIORITY];
      if (targets) targets[metric] = { amount: hours, unit: 'hours', calendarId: '24x7' };
    }
  }
  return { templateId: template.id, matrix: matrixForLevels(template.levels), policy };
}

/**
 * Dispatch rules of a small provider: systems to the second line, desktops and network access to
 * the first line, the school (which the first line does not serve) to the second line, and
 * complaints to the quality team.
 */
async function loadDispatchRules(trx: Tx, teamIds: Map<TeamKey, number>, customerIds: Record<CustomerKey, number>, now: number): Promise<number> {
  const rules: Array<{ name: string; team: TeamKey; kind?: string; service?: string; customer?: CustomerKey }> = [
    { name: '投诉转质量管理部', team: 'quality', kind: 'complaint' },
    { name: '服务器故障转二线', team: 'line2', service: '服务器运维' },
    { name: '数据库故障转二线', team: 'line2', service: '数据库运维' },
    { name: '机房环境转二线', team: 'line2', service: '机房环境' },
    { name: '明德中学由二线技术组支持', team: 'line2', customer: 'school' },
    { name: '桌面运维由一线支持', team: 'line1', service: '桌面运维' },
    { name: '网络接入由一线支持', team: 'line1', service: '网络运维' },
  ];
  for (const [i, r] of rules.entries()) {
    await ticketRepo.insertRule(trx, {
      position: i + 1,
      name: r.name,
      customer_id: r.customer ? customerIds[r.customer] : null,
      service: r.service ?? null,
      category: null,
      priority: null,
      kind: r.kind ?? null,
      team_id: teamIds.get(r.team)!,
      enabled: 1,
      created_at: now,
      updated_at: now,
      version: 1,
    });
  }
  return rules.length;
}

async function loadCustomerDetails(
  trx: Tx,
  c: DemoCustomer,
  customerId: number,
  userIds: Map<string, number>,
  years: number[],
  now: number,
): Promise<{ siteIds: number[]; contacts: CustomerModel['contacts']; contracts: Map<number, ContractModel>; codes: string[] }> {
  const siteIds = new Map<string, number>();
  // Parents are listed before their children.
  for (const s of c.sites) {
    const parentId = s.parent ? siteIds.get(s.parent)! : null;
    const site = await org.insertSite(trx, customerId, { name: s.name, kind: s.kind, address: s.address ?? null, parentId }, now);
    siteIds.set(s.key, site.id);
  }
  const contacts: CustomerModel['contacts'] = [];
  for (const p of c.contacts) {
    const siteId = p.site ? siteIds.get(p.site)! : null;
    const contact = await org.insertContact(
      trx,
      customerId,
      { name: p.name, siteId, phone: p.phone ?? null, mobile: p.mobile, email: p.email, title: p.title, isVip: p.vip ?? false, notes: null },
      now,
    );
    contacts.push({ id: contact.id, siteId });
    if (p.user) await trx.updateTable('users').set({ contact_id: contact.id }).where('id', '=', userIds.get(p.user)!).execute();
  }
  const sla = contractSla(c.contract.sla);
  const contracts = new Map<number, ContractModel>();
  const codes: string[] = [];
  const pmId = userIds.get(c.contract.projectManager)!;
  for (const year of years) {
    const fill = (s: string) => s.replaceAll('{year}', String(year));
    const contract = await org.insertContract(
      trx,
      customerId,
      {
        code: fill(c.contract.code),
        name: fill(c.contract.name),
        startsOn: `${year}-01-01`,
        endsOn: `${year}-12-31`,
        services: c.contract.services,
        serviceHours: c.contract.serviceHours,
        calendarId: c.contract.calendarId,
        projectManagerId: pmId,
        slaPolicy: sla as unknown as Record<string, unknown>,
        notes: c.contract.notes,
      },
      now,
    );
    codes.push(contract.code);
    contracts.set(year, { id: contract.id, year, startsOn: contract.startsOn, endsOn: contract.endsOn, calendarId: contract.calendarId, sla, services: c.contract.services, pmId });
  }
  return { siteIds: [...siteIds.values()].filter((_, i) => c.sites[i].kind === 'site'), contacts, contracts, codes };
}

/** The login table printed after loading, aligned for a terminal (CJK characters are 2 wide). */
export function formatLogins(logins: DemoLogin[]): string {
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uFFEF]/.test(ch) ? 2 : 1), 0);
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
  const rows = [['role', 'username', 'password', 'name', 'sees'], ...logins.map((l) => [l.role, l.username, l.password, l.displayName, l.sees])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
