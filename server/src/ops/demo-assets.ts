import type { Db } from '../db/index.js';
import { addDays } from '../core/assets/rules.js';
import type { Actor } from '../platform/auth/actor.js';
import { CampaignService } from '../modules/assets/campaigns.js';
import { AssetService, localToday } from '../modules/assets/service.js';
import { insertCi } from '../modules/assets/testing.js';
import '../modules/assets/messages.js';

export interface AssetsDemoInput {
  customerIds: Record<'hospital' | 'tax' | 'school', number>;
  userIds: Map<string, number>;
  actorOf: (userId: number) => Promise<Actor>;
}

/** CI types that are things with a purchase, a price and a warranty (not applications or databases). */
const HARDWARE = ['server_physical', 'storage', 'network', 'security', 'pc', 'printer', 'ups', 'rack'];
const SUPPLIERS: Record<string, string> = {
  server_physical: '华为技术有限公司（经销商：江州数联科技）',
  storage: '华为技术有限公司（经销商：江州数联科技）',
  network: '新华三技术有限公司',
  security: '深信服科技股份有限公司',
  pc: '联想（北京）有限公司',
  printer: '惠普贸易（上海）有限公司',
  ups: '山特电子（深圳）有限公司',
  rack: '图腾机柜（江州代理）',
};
const PRICES: Record<string, number> = { server_physical: 86_500, storage: 238_000, network: 45_800, security: 32_600, pc: 5_299, printer: 3_680, ups: 18_900, rack: 4_200 };
const CODES: Record<'hospital' | 'tax' | 'school', string> = { hospital: 'YY', tax: 'SW', school: 'XX' };

/** A few devices for a customer the CMDB demo left without hardware (so the register is never empty). */
const FALLBACK: Array<{ type: string; code: string; name: string; brand: string; model: string }> = [
  { type: 'server_physical', code: 'SRV-01', name: '业务数据库服务器', brand: '华为', model: 'FusionServer 2288H V6' },
  { type: 'network', code: 'NET-01', name: '核心交换机', brand: '新华三', model: 'S7506X' },
  { type: 'ups', code: 'UPS-01', name: '机房 UPS 主机', brand: '山特', model: '3C3 Pro 20K' },
  { type: 'printer', code: 'PRN-01', name: '办公室激光打印机', brand: '惠普', model: 'LaserJet M437' },
];

/**
 * The demo's asset register (docs/ASSETS.md), written through the assets module's service after
 * the CMDB demo: every hardware CI of each customer gets its asset record (supplier, purchase,
 * price, a warranty — a few ending within the next 90 days, one already ended — location and
 * person responsible), and the hospital has a verification campaign (盘点) in progress, assigned
 * to the engineer, part of it checked (found, one at another location, one missing). Loaded once:
 * a second run finds the first asset and leaves everything as it is.
 */
export async function loadAssets(db: Db, input: AssetsDemoInput, log: (line: string) => void = () => {}, now = Date.now()): Promise<number> {
  if (await db.selectFrom('ci_assets').select('ci_id').limit(1).executeTakeFirst()) {
    log('assets: the demo asset register is already there');
    return 0;
  }
  const assets = new AssetService(db);
  const campaigns = new CampaignService(db);
  const admin = await input.actorOf(input.userIds.get('admin')!);
  const engineerId = input.userIds.get('engineer')!;
  const engineer = await input.actorOf(engineerId);
  const base = 'http://127.0.0.1:8080';
  const today = localToday(now, 'Asia/Shanghai');
  let count = 0;
  for (const key of Object.keys(input.customerIds) as Array<'hospital' | 'tax' | 'school'>) {
    const customerId = input.customerIds[key];
    const find = () =>
      db
        .selectFrom('cis')
        .innerJoin('ci_types', 'ci_types.id', 'cis.type_id')
        .select(['cis.id', 'cis.name', 'cis.site_id', 'ci_types.code as type'])
        .where('cis.customer_id', '=', customerId)
        .where('ci_types.code', 'in', HARDWARE)
        .where('cis.status', '<>', 'retired')
        .orderBy('cis.id')
        .execute();
    let cis = await find();
    if (!cis.length) {
      const site = await db.selectFrom('sites').select('id').where('customer_id', '=', customerId).orderBy('id').executeTakeFirst();
      for (const f of FALLBACK) await insertCi(db, { customerId, siteId: site ? Number(site.id) : null, code: `${CODES[key]}-${f.code}`, name: f.name, brand: f.brand, model: f.model, serial: `${CODES[key]}${f.code.replace('-', '')}2024`, type: f.type });
      cis = await find();
    }
    const sites = new Map((await db.selectFrom('sites').select(['id', 'name']).where('customer_id', '=', customerId).execute()).map((s) => [Number(s.id), s.name]));
    for (const [i, ci] of cis.entries()) {
      const bought = addDays(today, -(400 + ((i * 137) % 900)));
      // Every fourth warranty ends within 90 days (15, 40, 65, 85 days off …), one has ended, the rest run years.
      const warranty = i === 2 ? addDays(today, -20) : i % 4 === 1 ? addDays(today, [15, 40, 65, 85][Math.floor(i / 4) % 4]) : addDays(bought, 365 * 5);
      const site = ci.site_id === null ? null : (sites.get(Number(ci.site_id)) ?? null);
      await assets.put(
        admin,
        Number(ci.id),
        {
          version: null,
          assetNo: `ZC-${CODES[key]}-${String(i + 1).padStart(4, '0')}`,
          supplier: SUPPLIERS[ci.type] ?? null,
          purchaseDate: bought,
          purchaseOrder: `CG-${bought.slice(0, 4)}-${String(31 + i).padStart(3, '0')}`,
          price: PRICES[ci.type] ?? null,
          warrantyEnd: warranty,
          maintenanceContract: key === 'hospital' ? 'HT-2026-001 运维服务合同' : null,
          location: site ? `${site}${ci.type === 'pc' || ci.type === 'printer' ? '' : ` ${['A', 'B', 'C'][i % 3]} 排 ${(i % 6) + 1} 号柜`}` : '信息中心',
          responsibleName: ['张伟', '李娜', '王强', '刘洋'][i % 4],
          responsibleUserId: null,
          installedDate: addDays(bought, 10),
        },
        base,
      );
      count++;
    }
  }
  // The hospital's half-yearly verification, half done on the engineer's phone.
  const campaign = await campaigns.create(admin, { customerId: input.customerIds.hospital, siteId: null, name: null, dueDate: addDays(today, 20), assigneeId: engineerId }, { now });
  const items = await campaigns.allItems(campaign.id);
  const half = Math.ceil(items.length / 2);
  const otherSite = await db.selectFrom('sites').select('id').where('customer_id', '=', input.customerIds.hospital).orderBy('id', 'desc').executeTakeFirst();
  for (const [i, item] of items.slice(0, half).entries()) {
    if (i === 1 && otherSite) await campaigns.check(engineer, campaign.id, item.ciId, { result: 'wrong_location', note: '设备已随科室搬迁', proposed: { siteId: Number(otherSite.id), location: '门诊楼 3 层弱电间' } });
    else if (i === 3) await campaigns.check(engineer, campaign.id, item.ciId, { result: 'missing', note: '机柜内未找到，待信息科确认是否已报废', proposed: null });
    else await campaigns.check(engineer, campaign.id, item.ciId, { result: 'found', note: null, proposed: null });
  }
  log(`assets: ${count} asset records, the hospital's verification campaign ${half}/${items.length} checked`);
  return count;
}
