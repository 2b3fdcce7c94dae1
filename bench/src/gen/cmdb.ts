/**
 * Adds a CMDB (issue #13, docs/CMDB.md) to a generated data set (generate.ts): configuration
 * items, their relationships, addresses, a history row each, the full-text search entries and
 * the CIs named by a share of the tickets. Deterministic for a seed.
 *
 *   node --import tsx src/gen/cmdb.ts --db sqlite:FILE | --db postgres://… --schema S
 *        [--cis 500000] [--relations 2000000] [--campus 5500] [--ticket-share 0.3] [--seed 42] [--replace] [--no-search]
 *
 * The shape of each customer's estate (CIs shared out by the customer's number of tickets): one
 * or more campuses of about `--campus` CIs (the biggest customer has a few), each with a machine
 * room, UPS, racks, a pair of core switches, distribution switches linked to both cores, access
 * switches linked to two distribution switches, physical servers in racks on two server access
 * switches (hypervisor hosts, database servers, application servers), VMs running on the hosts,
 * databases and middleware running on servers and VMs, applications running on two VMs and
 * depending on a database, a middleware and another application, storage and a backup
 * appliance, firewalls and lines, PCs and printers on the access switches, and PCs depending on
 * the applications they use (the share of the relationship target left after the structure).
 * Failure of a core switch so reaches about 95% of its campus within 5 levels.
 *
 * Codes (`HZRMYY01-A-SRV0012`), serials, addresses and host names are unique in the
 * installation; attributes are valid for each built-in type's definitions.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import '../../../server/src/modules/cmdb/search.js';
import { reindex } from '../../../server/src/modules/search/reindex.js';
import { Rng } from '../../../server/src/ops/history/index.js';
import { Progress } from '../../../server/src/ops/progress.js';
import { prepareDatabase } from '../../../server/src/runtime.js';
import { intArg, parseArgs } from '../generate.js';
import { describeTarget, openTarget, parseTarget, type Target } from '../lib/target.js';
import { openSink, type CmdbSink } from './cmdb-sink.js';

export interface CmdbOptions {
  cis: number;
  relations: number;
  /** CIs per campus (a core switch pair and what hangs off it). */
  campus?: number;
  /** Share of the tickets that name CIs (one, sometimes two or three). */
  ticketShare?: number;
  seed?: number;
  now?: number;
  /** Delete an existing CMDB first (else a data set that has CIs is refused). */
  replace?: boolean;
  /** Index the CIs for the full-text search (the list's search box without a customer). */
  search?: boolean;
  progress?: boolean;
  log?: (line: string) => void;
}

export interface CmdbSummary {
  target: string;
  rows: { cis: number; relations: number; addresses: number; history: number; ticketCis: number; searchDocs: number };
  byType: Record<string, number>;
  customers: number;
  campuses: number;
  biggestCustomer: { id: number; code: string; cis: number; campuses: number };
  seconds: { load: number; indexes: number; search: number; total: number };
  cpuSeconds: number;
  indexes: Array<{ name: string; ms: number }>;
}

export const CMDB_TABLES = ['cis', 'ci_addresses', 'ci_relations', 'ci_history', 'ticket_cis'] as const;
const CI_COLS = ['id', 'customer_id', 'site_id', 'type_id', 'code', 'name', 'status', 'criticality', 'owner_id', 'owner_name', 'brand', 'model', 'serial', 'ip', 'hostname', 'attributes', 'description', 'version', 'created_at', 'updated_at', 'created_by', 'updated_by'] as const;
const ADDR_COLS = ['ci_id', 'customer_id', 'ip'] as const;
const REL_COLS = ['id', 'customer_id', 'source_id', 'target_id', 'type', 'note', 'created_at', 'created_by'] as const;
const HIST_COLS = ['id', 'ci_id', 'at', 'actor_id', 'actor_name', 'action', 'changes'] as const;
const TCI_COLS = ['ticket_id', 'ci_id', 'created_at', 'created_by'] as const;

const DEPARTMENTS = ['门诊收费处', '挂号处', '门诊药房', '住院药房', '检验科', '放射科', '超声科', '急诊科', '内科护士站', '外科护士站', '儿科', '妇产科', '信息科', '财务科', '医务科', '办税服务厅', '征管科', '综合办公室', '档案室', '会议室'];
const BUILDINGS = ['门诊楼', '住院楼', '医技楼', '行政楼', '综合楼', '办公楼'];
const APPS = ['HIS 医院信息系统', '电子病历 EMR', '检验系统 LIS', '影像系统 PACS', '放射信息 RIS', '手术麻醉系统', '医保结算接口', '体检系统', '协同办公 OA', '财务系统', '人事系统', '物资管理', '排队叫号', '自助机平台', '互联网医院', '金税三期', '电子税务局', '征管系统', '档案管理', '门户网站'];
const PEOPLE = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄勇', '周杰', '吴婷', '徐强', '孙丽'];
const STATUSES: Array<[string, number]> = [['in_use', 0.92], ['spare', 0.03], ['maintenance', 0.02], ['retired', 0.02], ['planned', 0.01]];

type TypeCode = 'application' | 'server_physical' | 'server_virtual' | 'storage' | 'network' | 'security' | 'database' | 'middleware' | 'pc' | 'printer' | 'ups' | 'machine_room' | 'rack' | 'circuit';

interface Customer {
  id: number;
  code: string;
  siteIds: number[];
  tickets: number;
}

/** Writes rows in batches; numbers ids; keeps the counts. */
class Writer {
  cis: unknown[][] = [];
  addrs: unknown[][] = [];
  rels: unknown[][] = [];
  hist: unknown[][] = [];
  nextCi = 1;
  nextRel = 1;
  nextHist = 1;
  ipSeq = 0;
  serialSeq = 0;
  counts = { cis: 0, relations: 0, addresses: 0, history: 0, ticketCis: 0, searchDocs: 0 };
  byType: Record<string, number> = {};
  constructor(
    readonly sink: CmdbSink,
    readonly typeIds: Map<string, number>,
    readonly rng: Rng,
    readonly now: number,
  ) {}

  ip(): string {
    // 10.0.1.1 onwards, never .0 or .255 in the last octet: unique in the installation.
    let n: number;
    do n = 256 + this.ipSeq++;
    while ((n & 255) === 0 || (n & 255) === 255);
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  serial(prefix: string): string {
    return `${prefix}${(1_000_000 + this.serialSeq++ * 7919).toString(36).toUpperCase()}`;
  }

  async flush(force = false): Promise<void> {
    if (!force && this.cis.length + this.rels.length < 40_000) return;
    // Parents first: the relationships and addresses name CIs of this batch or earlier ones.
    await this.sink.add('cis', CI_COLS, this.cis);
    await this.sink.add('ci_addresses', ADDR_COLS, this.addrs);
    await this.sink.add('ci_history', HIST_COLS, this.hist);
    await this.sink.add('ci_relations', REL_COLS, this.rels);
    this.cis = [];
    this.addrs = [];
    this.hist = [];
    this.rels = [];
  }
}

interface CiSpec {
  type: TypeCode;
  code: string;
  name: string;
  siteId: number | null;
  criticality: number;
  brand?: string;
  model?: string;
  serialPrefix?: string;
  /** A management address (and so a host name for hosts and devices). */
  ip?: boolean;
  host?: boolean;
  attributes: Record<string, unknown>;
  /** Addresses of the `ips` / `ip` attributes, already in `attributes`. */
  extraIps?: string[];
  owner?: string;
}

/** One customer's estate. */
class Estate {
  constructor(
    private readonly w: Writer,
    private readonly c: Customer,
  ) {}

  /** Ids of CIs a ticket may name (devices, servers, applications), for ticket_cis. */
  readonly linkable: number[] = [];

  ci(s: CiSpec): number {
    const w = this.w;
    const r = w.rng;
    const id = w.nextCi++;
    const created = w.now - Math.floor(r.next() * 3 * 365 * 86_400_000) - 86_400_000;
    const updated = r.chance(0.3) ? created + Math.floor(r.next() * (w.now - created)) : created;
    const ip = s.ip ? w.ip() : null;
    let status = 'in_use';
    let u = r.next();
    for (const [st, p] of STATUSES) if ((u -= p) < 0) {
      status = st;
      break;
    }
    w.cis.push([
      id,
      this.c.id,
      s.siteId,
      w.typeIds.get(s.type)!,
      s.code,
      s.name,
      status,
      s.criticality,
      null,
      s.owner ?? null,
      s.brand ?? null,
      s.model ?? null,
      s.serialPrefix ? w.serial(s.serialPrefix) : null,
      ip,
      s.host ? s.code.toLowerCase() : null,
      JSON.stringify(s.attributes),
      null,
      1,
      created,
      updated,
      null,
      null,
    ]);
    for (const a of [...(ip ? [ip] : []), ...(s.extraIps ?? [])]) w.addrs.push([id, this.c.id, a]);
    w.hist.push([w.nextHist++, id, created, null, 'yunwei bench generate', 'created', '{}']);
    w.counts.cis++;
    w.counts.addresses += (ip ? 1 : 0) + (s.extraIps?.length ?? 0);
    w.counts.history++;
    w.byType[s.type] = (w.byType[s.type] ?? 0) + 1;
    return id;
  }

  rel(source: number, target: number, type: string): void {
    const w = this.w;
    w.rels.push([w.nextRel++, this.c.id, source, target, type, null, w.now - 400 * 86_400_000, null]);
    w.counts.relations++;
  }

  /**
   * One campus of about `size` CIs with about `relBudget` relationships: what the structure
   * leaves of it becomes the PCs' dependencies on the applications they use.
   */
  campus(letter: string, size: number, siteId: number | null, relBudget: number): void {
    const r = this.w.rng;
    const seq = new Map<string, number>();
    const code = (abbr: string) => {
      const n = (seq.get(abbr) ?? 0) + 1;
      seq.set(abbr, n);
      return `${this.c.code}-${letter}-${abbr}${String(n).padStart(4, '0')}`;
    };
    const relsBefore = this.w.counts.relations;
    const n = (share: number, min = 1) => Math.max(min, Math.round(size * share));
    const counts = { phys: n(0.07, 2), vm: n(0.17, 2), db: n(0.03), mw: n(0.03), app: n(0.03, 2), printer: n(0.08), storage: n(0.008, 1), security: n(0.004, 1) };
    const pcs0 = Math.round(size * 0.42);
    const userAccess = Math.max(1, Math.ceil((pcs0 + counts.printer) / 44));
    const serverAccess = Math.max(2, Math.ceil((counts.phys + counts.storage) / 20));
    const dist = Math.max(2, Math.ceil((userAccess + serverAccess) / 12));
    const racks = Math.max(2, Math.ceil((counts.phys + counts.storage + counts.security + dist + 2) / 10));
    const fixed = 1 + 2 + 2 + 2; // machine room, UPS, cores, lines
    const pcs = Math.max(1, size - fixed - racks - dist - userAccess - serverAccess - Object.values(counts).reduce((a, b) => a + b, 0));
    const site = siteId;
    const room = this.ci({ type: 'machine_room', code: code('ROOM'), name: `${letter} 区中心机房`, siteId: site, criticality: 1, attributes: { address: `${r.pick(BUILDINGS)} ${r.int(1, 5)} 层`, areaM2: r.int(40, 400), racks, cooling: '精密空调 2 台（N+1）', fireSuppression: '七氟丙烷气体', level: r.pick(['A 级', 'B 级', 'C 级']) } });
    const ups = [1, 2].map((i) => {
      const id = this.ci({ type: 'ups', code: code('UPS'), name: `UPS ${i} 号`, siteId: site, criticality: 1, brand: r.pick(['华为', '山特', '科华']), model: 'UPS5000', serialPrefix: 'UP', attributes: { capacityKva: r.pick([60, 80, 120, 200]), runtimeMin: r.int(15, 60), batteryCount: r.pick([32, 40, 64]), batteryDate: `20${r.int(21, 25)}-0${r.int(1, 9)}-1${r.int(0, 9)}`, phases: '三相' } });
      this.rel(id, room, 'hosted_in');
      return id;
    });
    const rackIds = Array.from({ length: racks }, (_, i) => {
      const id = this.ci({ type: 'rack', code: code('RACK'), name: `${String.fromCharCode(65 + (i % 6))} 列 ${String(1 + Math.floor(i / 6)).padStart(2, '0')} 机柜`, siteId: site, criticality: 2, attributes: { heightU: 42, row: `${String.fromCharCode(65 + (i % 6))} 列 ${String(1 + Math.floor(i / 6)).padStart(2, '0')}`, powerKw: r.pick([5, 6, 8, 10]), pdus: 2 } });
      this.rel(id, room, 'hosted_in');
      for (const u of ups) this.rel(id, u, 'depends_on');
      return id;
    });
    let rackSlot = 0;
    const rack = () => rackIds[rackSlot++ % rackIds.length];
    // `ips`: the attribute's other addresses; `more`: addresses of `ip` attributes already in `attributes` (a BMC).
    const device = (type: TypeCode, abbr: string, name: string, criticality: number, brand: string, model: string, attributes: Record<string, unknown>, ips: string[] = [], more: string[] = []) =>
      this.ci({ type, code: code(abbr), name, siteId: site, criticality, brand, model, serialPrefix: abbr.slice(0, 2), ip: true, host: true, attributes: { ...attributes, ...(ips.length ? { ips } : {}) }, extraIps: [...ips, ...more] });
    const net = (role: string, name: string, criticality: number, ports: number) =>
      device('network', 'SW', name, criticality, r.pick(['华为', '华三', '锐捷', '思科']), r.pick(['S12700E', 'S6730', 'S5735', 'S5130', 'RG-S6120']), { role, ports, firmware: `V200R0${r.int(10, 22)}`, managementVlan: r.pick([10, 99, 100]) });
    const cores = [1, 2].map((i) => net('核心交换机', `核心交换机 ${letter}${i}`, 1, 96));
    this.rel(cores[1], cores[0], 'connects_to');
    for (const c of cores) this.rel(c, rack(), 'hosted_in');
    for (let i = 1; i <= 2; i++) {
      const line = this.ci({ type: 'circuit', code: code('LINE'), name: `${r.pick(['电信', '联通', '移动'])}专线 ${letter}${i}`, siteId: site, criticality: 2, attributes: { carrier: r.pick(['中国电信', '中国联通', '中国移动']), circuitId: `ZX${r.int(100000, 999999)}`, bandwidthMbps: r.pick([100, 200, 500, 1000]), lineKind: r.pick(['互联网专线', 'MSTP', '政务外网']), endA: `${letter} 区中心机房`, endZ: '运营商机房', contractEnd: `202${r.int(6, 9)}-12-31` } });
      this.rel(cores[i - 1], line, 'connects_to');
    }
    for (let i = 0; i < counts.security; i++) {
      const id = device('security', 'FW', `防火墙 ${letter}${i + 1}`, 1, r.pick(['深信服', '天融信', '华为', '奇安信']), 'NGFW-5000', { role: r.pick(['防火墙', '入侵防御', 'WAF', '堡垒机']), licenseEnd: `202${r.int(6, 9)}-0${r.int(1, 9)}-15`, haMode: '主备', firmware: `8.0.${r.int(1, 60)}` });
      for (const c of cores) this.rel(id, c, 'connects_to');
      this.rel(id, rack(), 'hosted_in');
    }
    const dists = Array.from({ length: dist }, (_, i) => {
      const id = net('汇聚交换机', `汇聚交换机 ${letter}-${String(i + 1).padStart(2, '0')}`, 2, 48);
      for (const c of cores) this.rel(id, c, 'connects_to');
      this.rel(id, rack(), 'hosted_in');
      return id;
    });
    const access = (n: number, label: string) =>
      Array.from({ length: n }, (_, i) => {
        const id = net('接入交换机', `接入交换机 ${label} ${String(i + 1).padStart(3, '0')}`, 3, 48);
        this.rel(id, dists[i % dists.length], 'connects_to');
        this.rel(id, dists[(i + 1) % dists.length], 'connects_to');
        return id;
      });
    const userSw = access(userAccess, `${letter} 区楼层`);
    const serverSw = access(serverAccess, `${letter} 区服务器`);
    const onServerSw = (id: number, i: number) => {
      this.rel(id, serverSw[i % serverSw.length], 'connects_to');
      this.rel(id, serverSw[(i + 1) % serverSw.length], 'connects_to');
    };
    const storage = Array.from({ length: counts.storage }, (_, i) => {
      const backup = i === counts.storage - 1 && counts.storage > 1;
      const raw = r.pick([50, 100, 200, 400]);
      const id = device('storage', 'STO', backup ? `备份一体机 ${letter}` : `存储 ${letter}-${i + 1}`, 1, r.pick(['华为', '浪潮', 'Dell EMC', '宏杉']), backup ? 'OceanProtect X8000' : 'OceanStor 5310', { storageKind: backup ? '备份一体机' : 'SAN', rawTb: raw, usableTb: Math.round(raw * 0.7), raid: 'RAID 6', controllers: 2, firmware: `V6.1.${r.int(1, 9)}` }, [this.w.ip()]);
      this.rel(id, rack(), 'hosted_in');
      onServerSw(id, i);
      return id;
    });
    const san = storage[0];
    const backup = storage[storage.length - 1];
    const hostsN = Math.max(1, Math.round(counts.phys * 0.4));
    const dbServersN = Math.max(1, Math.round(counts.phys * 0.2));
    const phys = Array.from({ length: counts.phys }, (_, i) => {
      const role = i < hostsN ? '虚拟化宿主机' : i < hostsN + dbServersN ? '数据库服务器' : '应用服务器';
      const cores = r.pick([32, 48, 64, 96]);
      const bmc = this.w.ip();
      const id = device(
        'server_physical',
        'SRV',
        `${role} ${letter}-${String(i + 1).padStart(3, '0')}`,
        i < hostsN + dbServersN ? 1 : 2,
        r.pick(['华为', '浪潮', '新华三', '联想', '戴尔']),
        r.pick(['FusionServer 2288H V6', 'NF5280M6', 'R4900 G5', 'SR650', 'PowerEdge R750']),
        { cpu: `2 × Intel Xeon Gold ${r.pick([5318, 6330, 6338])}`, cpuCores: cores, memoryGb: r.pick([256, 384, 512, 768]), diskTb: r.pick([2.4, 4.8, 9.6]), os: r.pick(['麒麟 V10', '统信 UOS 20', 'CentOS 7.9', 'VMware ESXi 7.0']), rackPosition: `U${r.int(1, 40)}`, heightU: 2, bmcIp: bmc, powerSupplies: 2, purpose: role },
        [this.w.ip()],
        [bmc],
      );
      this.rel(id, rack(), 'hosted_in');
      onServerSw(id, i);
      this.rel(id, san, 'depends_on');
      this.linkable.push(id);
      return id;
    });
    const hosts = phys.slice(0, hostsN);
    const dbServers = phys.slice(hostsN, hostsN + dbServersN);
    const vms = Array.from({ length: counts.vm }, (_, i) => {
      const id = device('server_virtual', 'VM', `虚拟机 ${letter}-${String(i + 1).padStart(4, '0')}`, 2, 'VMware', 'vSphere VM', { vcpu: r.pick([4, 8, 16]), memoryGb: r.pick([8, 16, 32, 64]), diskGb: r.pick([100, 200, 500]), os: r.pick(['麒麟 V10', '统信 UOS 20', 'CentOS 7.9', 'Windows Server 2019']), platform: r.pick(['VMware vSphere', '华为 FusionCompute', '深信服 aCloud']) });
      this.rel(id, hosts[i % hosts.length], 'runs_on');
      this.rel(id, san, 'depends_on');
      this.rel(id, backup, 'backed_up_by');
      return id;
    });
    const dbs = Array.from({ length: counts.db }, (_, i) => {
      const engine = r.pick(['Oracle', '达梦', '人大金仓', 'SQL Server', 'MySQL']);
      const id = this.ci({ type: 'database', code: code('DB'), name: `${APPS[i % APPS.length]} 数据库${i >= APPS.length ? ` ${Math.floor(i / APPS.length) + 1}` : ''}`, siteId: site, criticality: 1, attributes: { engine, version: engine === 'Oracle' ? '19c' : '8.0', instance: `orcl${i + 1}`, port: engine === 'Oracle' ? 1521 : 5236, sizeGb: r.int(50, 5000), haMode: r.pick(['单机', '主备', 'RAC']), backupPolicy: '每日全备，每小时归档' } });
      this.rel(id, i % 3 === 2 ? vms[i % vms.length] : dbServers[i % dbServers.length], 'runs_on');
      this.rel(id, backup, 'backed_up_by');
      return id;
    });
    const mws = Array.from({ length: counts.mw }, (_, i) => {
      const id = this.ci({ type: 'middleware', code: code('MW'), name: `中间件 ${letter}-${i + 1}`, siteId: site, criticality: 2, attributes: { product: r.pick(['WebLogic', 'Tomcat', 'Nginx', 'TongWeb（东方通）', 'Redis']), version: '12.2', port: r.pick([7001, 8080, 80, 6379]), installPath: '/opt/app' } });
      this.rel(id, vms[(i * 7) % vms.length], 'runs_on');
      return id;
    });
    const apps = Array.from({ length: counts.app }, (_, i) => {
      const id = this.ci({ type: 'application', code: code('APP'), name: `${APPS[i % APPS.length]}${i >= APPS.length ? ` ${Math.floor(i / APPS.length) + 1}` : ''}`, siteId: site, criticality: i < 5 ? 1 : 2, owner: `信息科 ${r.pick(PEOPLE)}`, attributes: { vendor: r.pick(['东软', '卫宁健康', '创业慧康', '万达信息', '航天信息']), version: `V${r.int(3, 9)}.${r.int(0, 9)}`, url: `http://app${i + 1}.${this.c.code.toLowerCase()}.local`, users: r.int(20, 3000), serviceHours: r.pick(['7×24', '5×8']), businessOwner: r.pick(DEPARTMENTS), level: r.pick(['二级', '三级']) } });
      this.rel(id, vms[(i * 3) % vms.length], 'runs_on');
      this.rel(id, vms[(i * 3 + 1) % vms.length], 'runs_on');
      this.rel(id, dbs[i % dbs.length], 'depends_on');
      this.rel(id, mws[i % mws.length], 'depends_on');
      this.linkable.push(id);
      return id;
    });
    for (let i = 1; i < apps.length; i++) this.rel(apps[i], apps[r.int(0, i - 1)], 'depends_on');
    for (let i = 0; i < counts.printer; i++) {
      const dept = r.pick(DEPARTMENTS);
      const id = device('printer', 'PRN', `${dept} 打印机 ${String(i + 1).padStart(3, '0')}`, 4, r.pick(['惠普', '佳能', '兄弟', '奔图', '映美']), r.pick(['LaserJet M403d', 'iR-ADV 4525', 'FP-630K']), { printerKind: r.pick(['激光', '针式', '多功能一体机', '热敏']), color: r.chance(0.2), consumable: r.pick(['硒鼓 HP 88A', '色带 FP-630K', '粉盒 TN-2325']), department: dept, connection: '网络' });
      this.rel(id, userSw[i % userSw.length], 'connects_to');
      this.linkable.push(id);
    }
    // PCs: one access switch each; what is left of the relationship budget becomes the
    // applications they use (client software), a few each.
    const left = Math.max(0, relBudget - (this.w.counts.relations - relsBefore) - pcs);
    const perPc = left / pcs;
    for (let i = 0; i < pcs; i++) {
      const dept = r.pick(DEPARTMENTS);
      const id = device('pc', 'PC', `${r.pick(BUILDINGS)} ${dept} ${String(i + 1).padStart(4, '0')}`, r.chance(0.1) ? 3 : 4, r.pick(['联想', '华为', '长城', '清华同方', '戴尔']), r.pick(['启天 M430', '擎云 B730', '世恒 TF', '超翔 ZF']), { pcKind: r.pick(['台式机', '台式机', '一体机', '笔记本', '瘦客户端']), cpu: r.pick(['Intel i5-12500', '飞腾 D2000', '龙芯 3A5000', '海光 3250']), memoryGb: r.pick([8, 16, 32]), os: r.pick(['统信 UOS 20', '麒麟 V10', 'Windows 10']), user: r.pick(PEOPLE), department: dept, mac: mac(this.w.ipSeq) });
      this.rel(id, userSw[i % userSw.length], 'connects_to');
      const k = Math.min(apps.length, Math.floor(perPc) + (r.next() < perPc % 1 ? 1 : 0));
      const first = r.int(0, apps.length - 1);
      for (let j = 0; j < k; j++) this.rel(id, apps[(first + j) % apps.length], 'depends_on');
      this.linkable.push(id);
    }
  }
}

function mac(n: number): string {
  const h = (n * 2654435761) >>> 0;
  return ['00', 'e0', '4c', (h >>> 16) & 255, (h >>> 8) & 255, h & 255].map((x) => (typeof x === 'number' ? x.toString(16).padStart(2, '0') : x)).join(':');
}

/** Adds the CMDB to an existing generated data set (migrated here first). */
export async function generateCmdb(target: Target, opts: CmdbOptions): Promise<CmdbSummary> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const seed = opts.seed ?? 42;
  const now = opts.now ?? Date.now();
  const campusSize = opts.campus ?? 5500;
  const share = opts.ticketShare ?? 0.3;

  // ---- schema (migrations, built-in CI types), the customers and the tickets per customer
  let database = openTarget(target);
  await prepareDatabase(database);
  const db = database.db;
  const existing = Number((await db.selectFrom('cis').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  if (existing > 0) {
    if (!opts.replace) {
      await database.close();
      throw new Error(`${database.describe} already has ${existing} CIs (--replace starts the CMDB over)`);
    }
    log(`deleting the existing CMDB (${existing} CIs)`);
    for (const t of ['ticket_cis', 'ci_history', 'ci_relations', 'ci_addresses'] as const) await db.deleteFrom(t).execute();
    await db.deleteFrom('search_docs').where('kind', '=', 'ci').execute();
    await db.deleteFrom('cis').execute();
  }
  const types = await db.selectFrom('ci_types').select(['id', 'code']).execute();
  const typeIds = new Map(types.map((t) => [t.code, Number(t.id)]));
  if (typeIds.size < 14) throw new Error(`the built-in CI types are not seeded (${typeIds.size} types): is the cmdb module registered?`);
  const perCustomer = new Map((await db.selectFrom('tickets').select(['customer_id', sql<number>`count(*)`.as('n')]).groupBy('customer_id').execute()).map((r) => [Number(r.customer_id), Number(r.n)]));
  const sites = await db.selectFrom('sites').select(['id', 'customer_id']).orderBy('id').execute();
  const customers: Customer[] = (await db.selectFrom('customers').select(['id', 'code']).where('archived_at', 'is', null).orderBy('id').execute()).map((c) => ({
    id: Number(c.id),
    code: c.code.toUpperCase().replace(/[^A-Z0-9]/g, '') || `C${c.id}`,
    siteIds: sites.filter((s) => Number(s.customer_id) === Number(c.id)).map((s) => Number(s.id)),
    tickets: perCustomer.get(Number(c.id)) ?? 0,
  }));
  if (!customers.length) throw new Error(`${database.describe} has no customers: generate the tickets first (generate.ts)`);
  // A small CMDB (a smoke run) goes to the customers with the most tickets, at least 60 CIs each.
  if (opts.cis < customers.length * 60) {
    const keep = new Set([...customers].sort((a, b) => b.tickets - a.tickets || a.id - b.id).slice(0, Math.max(1, Math.floor(opts.cis / 60))).map((c) => c.id));
    customers.splice(0, customers.length, ...customers.filter((c) => keep.has(c.id)));
  }
  const totalTickets = customers.reduce((n, c) => n + c.tickets, 0);
  if (target.kind === 'sqlite') await database.close();

  // ---- CIs, addresses, history and relationships, customer by customer
  const sink = await openSink(target);
  const rng = new Rng(seed * 7 + 13);
  const w = new Writer(sink, typeIds, rng, now);
  const indexes: Array<{ name: string; ms: number }> = [];
  const weight = (c: Customer) => (totalTickets ? c.tickets / totalTickets : 1 / customers.length);
  const linkable = new Map<number, number[]>();
  let campuses = 0;
  let biggest = { id: 0, code: '', cis: 0, campuses: 0 };
  let t1 = t0;
  try {
    await sink.dropIndexes(CMDB_TABLES);
    const bar = opts.progress ? new Progress('cmdb', opts.cis, 'CIs') : null;
    let assigned = 0;
    for (const [ci, c] of customers.entries()) {
      // Quotas by share of the tickets, the rounding carried so the total is exact.
      const quota = Math.max(30, Math.round(opts.cis * customers.slice(0, ci + 1).reduce((s, x) => s + weight(x), 0)) - assigned);
      assigned += quota;
      const n = Math.max(1, Math.round(quota / campusSize));
      const estate = new Estate(w, c);
      for (let k = 0; k < n; k++) {
        const size = Math.round(quota / n);
        estate.campus(String.fromCharCode(65 + k), size, c.siteIds.length ? c.siteIds[k % c.siteIds.length] : null, Math.round((size * opts.relations) / opts.cis));
        await w.flush();
        bar?.update(w.counts.cis);
      }
      campuses += n;
      if (quota > biggest.cis) biggest = { id: c.id, code: c.code, cis: quota, campuses: n };
      linkable.set(c.id, estate.linkable);
    }
    await w.flush(true);
    bar?.update(opts.cis);

    // ---- the CIs tickets name: a share of each customer's tickets, one CI (sometimes two or three)
    const trng = new Rng(seed * 11 + 5);
    const reader = openTarget(target);
    try {
      let after = 0;
      let buf: unknown[][] = [];
      const tbar = opts.progress ? new Progress('ticket CIs', totalTickets, 'tickets') : null;
      let seen = 0;
      for (;;) {
        const rows = await reader.db.selectFrom('tickets').select(['id', 'customer_id', 'created_at']).where('id', '>', after).orderBy('id').limit(50_000).execute();
        if (!rows.length) break;
        for (const t of rows) {
          if (!trng.chance(share)) continue;
          const list = linkable.get(Number(t.customer_id));
          if (!list?.length) continue;
          const k = trng.chance(0.85) ? 1 : trng.chance(0.7) ? 2 : 3;
          const first = trng.int(0, list.length - 1);
          const named = new Set<number>();
          for (let j = 0; j < k; j++) named.add(list[(first + j * 37) % list.length]);
          for (const ciId of named) buf.push([Number(t.id), ciId, Number(t.created_at), null]);
        }
        after = Number(rows[rows.length - 1].id);
        seen += rows.length;
        tbar?.update(seen);
        if (buf.length >= 40_000) {
          await sink.add('ticket_cis', TCI_COLS, buf);
          w.counts.ticketCis += buf.length;
          buf = [];
        }
      }
      await sink.add('ticket_cis', TCI_COLS, buf);
      w.counts.ticketCis += buf.length;
    } finally {
      await reader.close();
    }
    t1 = performance.now();
    log(`indexes: recreating`);
    await sink.finish(CMDB_TABLES, (name, ms) => indexes.push({ name, ms: Math.round(ms) }));
  } finally {
    await sink.close();
  }
  const t2 = performance.now();

  // ---- the full-text search entries of the CIs (the list's search box across customers)
  database = openTarget(target);
  try {
    if (opts.search !== false) {
      const sbar = opts.progress ? new Progress('search entries', w.counts.cis, 'CIs') : null;
      const [s] = await reindex(database.db, { kinds: ['ci'], restart: true, batchSize: 2000, onProgress: (p) => sbar?.update(p.done) });
      w.counts.searchDocs = s?.indexed ?? 0;
    }
    if (database.dialect === 'postgres') await sql`analyze search_docs`.execute(database.db);
  } finally {
    await database.close();
  }
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    target: describeTarget(target),
    rows: w.counts,
    byType: w.byType,
    customers: customers.length,
    campuses,
    biggestCustomer: biggest,
    seconds: { load: sec(t1 - t0), indexes: sec(t2 - t1), search: sec(t3 - t2), total: sec(t3 - t0) },
    cpuSeconds: sec((cpu.user + cpu.system) / 1000),
    indexes,
  };
}

const sec = (ms: number) => Math.round(ms / 10) / 100;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args.db !== 'string') throw new Error('--db is required (a data set made by generate.ts)');
  const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
  const cis = intArg(args, 'cis', 500_000);
  const summary = await generateCmdb(target, {
    cis,
    relations: intArg(args, 'relations', cis * 4),
    campus: intArg(args, 'campus', 5500),
    ticketShare: typeof args['ticket-share'] === 'string' ? Number(args['ticket-share']) : 0.3,
    seed: intArg(args, 'seed', 42),
    replace: args.replace === true,
    search: args['no-search'] !== true,
    progress: true,
    log: (l) => console.error(l),
  });
  console.error(`done in ${summary.seconds.total} s (load ${summary.seconds.load} s, indexes ${summary.seconds.indexes} s, search ${summary.seconds.search} s; CPU ${summary.cpuSeconds} s): ${Object.entries(summary.rows).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}`);
  console.log(JSON.stringify(summary, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
