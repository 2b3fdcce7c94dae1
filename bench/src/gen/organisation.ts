import { builtinCalendarSpecs, compileCalendar } from '../../../server/src/core/calendar/index.js';
import { slaTemplates, type SlaTemplate } from '../../../server/src/core/sla/index.js';
import type { Tx } from '../../../server/src/db/index.js';
import * as org from '../../../server/src/modules/organisation/repo.js';
import * as calRepo from '../../../server/src/modules/sla/calendars.repo.js';
import { matrixForLevels, type ContractSla } from '../../../server/src/modules/sla/policies.service.js';
import { hashPassword } from '../../../server/src/platform/auth/password.js';
import type { ContractModel, CustomerModel, OrgModel, TeamModel } from '../../../server/src/ops/history/model.js';
import { Rng } from '../../../server/src/ops/history/prng.js';
import { CITIES, CONTACT_TITLES, ORG_KINDS, personName, PINYIN_CITY, SERVICES } from '../../../server/src/ops/history/vocabulary.js';

export type { ContractModel, CustomerModel, OrgModel, TeamModel };

/**
 * The provider and its customers, written through the organisation and SLA modules' own repos:
 * 200 customers of the three tiers (30 / 60 / 110) with sites, contacts, one contract per
 * calendar year with an SLA built from the templates (matrix from the template's levels, as
 * "apply template" does), 500 agents in a service desk, four regional first-line teams and three
 * second-line teams (the service desk issue's benchmark size), project managers, quality staff,
 * and the customers' portal users.
 */

export const BENCH_PASSWORD = 'Yunwei@bench2026';

interface UserSpec {
  username: string;
  displayName: string;
  role: string;
  customerId: number | null;
}

/** Contract SLA by tier: critical customers get the four-level or emergency scheme, small ones the network tiers or after-sales. */
const TIER_TEMPLATES: Record<1 | 2 | 3, Array<{ template: SlaTemplate['id']; policy?: string }>> = {
  1: [{ template: 'T3' }, { template: 'T1' }, { template: 'T3' }],
  2: [{ template: 'T2' }, { template: 'T4', policy: 't4-tier2' }, { template: 'T3' }],
  3: [{ template: 'T4', policy: 't4-tier3' }, { template: 'T5' }],
};

export async function buildOrganisation(trx: Tx, opts: { seed: number; firstYear: number; lastYear: number; now: number }): Promise<OrgModel> {
  const rng = new Rng(opts.seed ^ 0x5eed0001);
  const now = opts.now;
  const counts: Record<string, number> = {};
  const templates = slaTemplates();

  // Calendars the templates need besides the built-ins (as "apply template" creates them).
  const specs = new Map(builtinCalendarSpecs().map((s) => [s.id, s]));
  for (const t of templates) {
    for (const spec of t.calendars) {
      if (!(await calRepo.findCalendar(trx, spec.id))) await calRepo.insertCalendar(trx, spec, false, now);
      specs.set(spec.id, spec);
    }
  }
  const calendars = new Map([...specs.values()].map((s) => [s.id, compileCalendar(s)]));

  // ---- customers
  const customers: CustomerModel[] = [];
  const usedNames = new Set<string>();
  const tiers: Array<1 | 2 | 3> = [...Array(30).fill(1), ...Array(60).fill(2), ...Array(110).fill(3)];
  for (const [i, tier] of tiers.entries()) {
    let city: string;
    let kind: (typeof ORG_KINDS)[1][number];
    do {
      city = rng.pick(CITIES);
      kind = rng.pick(ORG_KINDS[tier]);
    } while (usedNames.has(city + kind.suffix));
    usedNames.add(city + kind.suffix);
    const name = city + kind.suffix;
    const customer = await org.insertCustomer(
      trx,
      { code: `${PINYIN_CITY[city]}${kind.code}${String(i + 1).padStart(2, '0')}`, name, tier, timeZone: 'Asia/Shanghai', address: `${city}市${rng.pick(['滨江区', '城东区', '高新区', '开发区', '老城区'])}${rng.pick(['人民路', '解放路', '建设大道', '中山路', '学府路'])} ${rng.int(1, 300)} 号`, notes: null },
      now,
    );
    const siteIds: number[] = [];
    for (const place of kind.places) siteIds.push((await org.insertSite(trx, customer.id, { name: place, kind: 'site', address: null, parentId: null }, now)).id);
    const contactCount = tier === 1 ? 30 : tier === 2 ? 15 : 6;
    const contactValues: org.ContactValues[] = Array.from({ length: contactCount }, () => ({
      name: personName(rng),
      siteId: rng.chance(0.85) ? rng.pick(siteIds) : null,
      phone: rng.chance(0.5) ? `0${rng.int(510, 599)}-${rng.int(80000000, 89999999)}` : null,
      mobile: `1${rng.pick(['38', '39', '58', '86', '37', '50'])}${rng.int(10000000, 99999999)}`,
      email: null,
      title: rng.pick(CONTACT_TITLES),
      isVip: rng.chance(0.1),
      notes: null,
    }));
    await org.insertContacts(trx, customer.id, contactValues, now);
    const contacts = (await trx.selectFrom('contacts').select(['id', 'site_id']).where('customer_id', '=', customer.id).orderBy('id').execute()).map((c) => ({ id: Number(c.id), siteId: c.site_id === null ? null : Number(c.site_id) }));
    counts.sites = (counts.sites ?? 0) + siteIds.length;
    counts.contacts = (counts.contacts ?? 0) + contacts.length;
    customers.push({ id: customer.id, tier, name, weight: (tier === 1 ? 6 : tier === 2 ? 2 : 1) * (0.5 + rng.next()), siteIds, contacts, portalUserIds: [], contracts: new Map(), line1TeamId: 0 });
  }
  counts.customers = customers.length;

  // ---- teams
  const teams: TeamModel[] = [];
  const team = async (name: string, kind: TeamModel['kind'], description: string, services: string[] = []) => {
    const id = await org.insertTeam(trx, { name, kind, description, assignment: 'round_robin' }, now);
    const t: TeamModel = { id, name, kind, memberIds: [], leadId: 0, services };
    teams.push(t);
    return t;
  };
  const desk = await team('服务台', 'desk', '统一受理电话、邮件、门户和监控告警，负责派单与回访');
  const regions = [CITIES.slice(0, 6), CITIES.slice(6, 12), CITIES.slice(12, 18), CITIES.slice(18)];
  const regionNames = ['江州片区', '南屏片区', '金川片区', '白沙片区'];
  const line1: TeamModel[] = [];
  for (const r of regionNames) line1.push(await team(`${r}一线支持组`, 'line1', `${r}客户的桌面、打印机、网络接入现场支持`));
  const line2Specs: Array<[string, string[]]> = [
    ['服务器与存储组', ['服务器运维', '机房环境']],
    ['网络与安全组', ['网络运维']],
    ['数据库与应用组', ['数据库运维', '应用系统运维', '桌面运维']],
  ];
  const line2: TeamModel[] = [];
  for (const [name, services] of line2Specs) line2.push(await team(name, 'line2', `${services.join('、')}二线技术支持`, services));
  const project = await team('项目管理部', 'project', '合同交付、服务报告与客户沟通');
  const quality = await team('质量管理部', 'quality', '服务质量检查、满意度回访与投诉处理');
  counts.teams = teams.length;

  // ---- users: one password hash for all (argon2 is deliberately slow)
  const hash = await hashPassword(BENCH_PASSWORD);
  const roleIds = new Map((await trx.selectFrom('roles').select(['id', 'code']).execute()).map((r) => [r.code, Number(r.id)]));
  let userSeq = 0;
  const insertUsers = async (specsOf: UserSpec[]): Promise<number[]> => {
    const rows = specsOf.map((u) => ({
      username: u.username,
      display_name: u.displayName,
      email: `${u.username}@bench.example.cn`,
      phone: null,
      password_hash: hash,
      locale: 'zh-CN',
      customer_id: u.customerId,
      disabled: 0,
      failed_logins: 0,
      locked_until: null,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
      version: 1,
    }));
    const ids = (await trx.insertInto('users').values(rows).returning('id').execute()).map((r) => Number(r.id));
    await trx
      .insertInto('user_roles')
      .values(
        specsOf.map((u, i) => {
          const roleId = roleIds.get(u.role);
          if (roleId === undefined) throw new Error(`built-in role ${u.role} is missing`);
          return { user_id: ids[i], role_id: roleId };
        }),
      )
      .execute();
    return ids;
  };
  const staff = (prefix: string, role: string, n: number): UserSpec[] => Array.from({ length: n }, () => ({ username: `${prefix}${String(++userSeq).padStart(4, '0')}`, displayName: personName(rng), role, customerId: null }));

  const [adminId] = await insertUsers([{ username: 'admin', displayName: '系统管理员', role: 'admin', customerId: null }]);
  const [integrationUserId] = await insertUsers([{ username: 'monitor', displayName: '监控平台接口', role: 'desk', customerId: null }]);
  const members = async (t: TeamModel, prefix: string, role: string, n: number) => {
    t.memberIds = await insertUsers(staff(prefix, role, n));
    t.leadId = t.memberIds[0];
    await trx.insertInto('team_members').values(t.memberIds.map((u) => ({ team_id: t.id, user_id: u, is_lead: u === t.leadId ? 1 : 0 }))).execute();
  };
  await members(desk, 'desk', 'desk', 40);
  for (const t of line1) await members(t, 'eng', 'engineer', 70);
  for (const t of line2) await members(t, 'eng', 'engineer', 60);
  await members(project, 'pm', 'pm', 8);
  await members(quality, 'qa', 'quality', 3);
  const agentIds = [...desk.memberIds, ...line1.flatMap((t) => t.memberIds), ...line2.flatMap((t) => t.memberIds)];

  // Who serves whom: the desk and the second line every customer, first-line teams their region.
  for (const c of customers) {
    const city = c.name.slice(0, 2);
    const region = regions.findIndex((r) => r.includes(city));
    c.line1TeamId = line1[region].id;
  }
  for (const t of [desk, ...line2]) await org.setTeamCustomers(trx, t.id, customers.map((c) => c.id));
  for (const [i, t] of line1.entries()) await org.setTeamCustomers(trx, t.id, customers.filter((c) => c.line1TeamId === line1[i].id).map((c) => c.id));

  // ---- portal users and contracts
  for (const c of customers) {
    const portal: UserSpec[] = [
      { username: `cust${c.id}a`, displayName: personName(rng), role: 'customer_admin', customerId: c.id },
      ...Array.from({ length: c.tier === 1 ? 3 : 1 }, (_, k) => ({ username: `cust${c.id}u${k + 1}`, displayName: personName(rng), role: 'customer_contact', customerId: c.id })),
    ];
    c.portalUserIds = await insertUsers(portal);
    const choices = TIER_TEMPLATES[c.tier];
    const choice = choices[c.id % choices.length];
    const template = templates.find((t) => t.id === choice.template)!;
    const policy = choice.policy ? template.policies.find((p) => p.id === choice.policy)! : template.policies[0];
    const sla: ContractSla = { templateId: template.id, matrix: matrixForLevels(template.levels), policy };
    const services = SERVICES.filter((s, k) => c.tier < 3 || k % 2 === c.id % 2 || s.service === '桌面运维').map((s) => s.service);
    const pmId = rng.pick(project.memberIds);
    for (let year = opts.firstYear; year <= opts.lastYear; year++) {
      const contract = await org.insertContract(
        trx,
        c.id,
        {
          code: `HT-${year}-${String(c.id).padStart(3, '0')}`,
          name: `${c.name} ${year} 年度信息系统运维服务合同`,
          startsOn: `${year}-01-01`,
          endsOn: `${year}-12-31`,
          services,
          serviceHours: c.tier === 1 ? '7x24' : '5x8',
          calendarId: c.tier === 1 ? '24x7' : 'cn-5x8',
          projectManagerId: pmId,
          slaPolicy: sla as unknown as Record<string, unknown>,
          notes: null,
        },
        now,
      );
      c.contracts.set(year, { id: contract.id, year, startsOn: contract.startsOn, endsOn: contract.endsOn, calendarId: contract.calendarId, sla, services, pmId });
      counts.contracts = (counts.contracts ?? 0) + 1;
    }
  }
  counts.users = userSeq + 2 + customers.reduce((n, c) => n + c.portalUserIds.length, 0);

  const line2ByService = new Map<string, TeamModel>();
  for (const t of line2) for (const s of t.services) line2ByService.set(s, t);
  return { customers, teams, desk, line2ByService, agentIds, integrationUserId, adminId, calendars, counts };
}
