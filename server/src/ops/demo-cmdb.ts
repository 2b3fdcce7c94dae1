import type { Db } from '../db/index.js';
import { OPEN_STATES } from '../core/tickets/lifecycle.js';
import type { RelationType } from '../core/cmdb/rules.js';
import type { Actor } from '../platform/auth/actor.js';
import { CiService } from '../modules/cmdb/cis.service.js';
import { CiLinkService, cisForHost } from '../modules/cmdb/links.service.js';
import { RelationService } from '../modules/cmdb/relations.service.js';
import '../modules/cmdb/messages.js';

/**
 * The demo's CMDB (docs/CMDB.md), written through the module's own services: for each demo
 * customer a realistic inventory with its relationships — the hospital's HIS, PACS, LIS and
 * EMR on an Oracle RAC, virtualisation hosts, SAN and backup storage, core and access switches,
 * a firewall, UPS, the machine room and its racks, the doctors' PCs and the cashier's printers;
 * the tax office's 金税 systems (金税三期 front end, 数电发票 platform access, 电子税务局) on its
 * data-centre servers behind the government-network line, the hall's window PCs, self-service
 * terminals and receipt printers; the school's campus network. Open tickets whose titles name
 * a system or device, and those the demo's monitoring alerts opened (by host), are linked to
 * their CIs. Loaded once: a second run finds the first CI and leaves everything as it is.
 *
 * The assets, spare-parts and repairs demo loaders run after this one and find the CIs with
 * `demoCis` (by customer, type or code).
 */
type CustomerKey = 'hospital' | 'tax' | 'school';

export interface CmdbDemoInput {
  customerIds: Record<CustomerKey, number>;
  userIds: Map<string, number>;
  actorOf: (userId: number) => Promise<Actor>;
}

interface DemoCi {
  code: string;
  name: string;
  type: string;
  site?: string;
  status?: 'planned' | 'in_use' | 'maintenance' | 'spare' | 'retired';
  criticality?: 1 | 2 | 3 | 4;
  brand?: string;
  model?: string;
  serial?: string;
  ip?: string;
  hostname?: string;
  owner?: string;
  attributes?: Record<string, unknown>;
  description?: string;
}

/** [source code, type, target code] */
type Edge = [string, RelationType, string];

/** Ticket title words → the CI code they name (first match wins). */
type TicketRule = [RegExp, string];

interface Inventory {
  cis: DemoCi[];
  edges: Edge[];
  tickets: TicketRule[];
}

const pcs = (prefix: string, site: string, dept: string, count: number, net: string, users: string[]): DemoCi[] =>
  Array.from({ length: count }, (_, i) => ({
    code: `${prefix}-${String(i + 1).padStart(3, '0')}`,
    name: `${dept}电脑 ${i + 1}`,
    type: 'pc',
    site,
    criticality: 4,
    brand: i % 2 ? '联想' : '华为',
    model: i % 2 ? 'ThinkCentre M920t' : 'MateStation B515',
    serial: `${prefix.replace(/-/g, '')}PC${String(7341 + i * 17)}`,
    ip: `${net}.${31 + i}`,
    attributes: { pcKind: '台式机', cpu: i % 2 ? 'Intel Core i5-9500' : 'AMD Ryzen 5 4600G', memoryGb: 16, os: i % 3 === 2 ? '统信 UOS 20' : 'Windows 10 专业版', user: users[i % users.length], department: dept },
  }));

const HOSPITAL: Inventory = {
  cis: [
    { code: 'RMYY-JF-01', name: '门诊楼五层机房', type: 'machine_room', site: '门诊楼机房', criticality: 1, attributes: { address: '门诊楼五层 501', areaM2: 120, racks: 12, cooling: '艾默生精密空调 2 台（N+1）', fireSuppression: '七氟丙烷气体', level: 'B 级' } },
    { code: 'RMYY-RACK-A01', name: 'A01 网络机柜', type: 'rack', site: '门诊楼机房', criticality: 2, attributes: { heightU: 42, row: 'A 列 01', powerKw: 6, pdus: 2 } },
    { code: 'RMYY-RACK-A02', name: 'A02 服务器机柜', type: 'rack', site: '门诊楼机房', criticality: 2, attributes: { heightU: 42, row: 'A 列 02', powerKw: 8, pdus: 2 } },
    { code: 'RMYY-RACK-A03', name: 'A03 存储机柜', type: 'rack', site: '门诊楼机房', criticality: 2, attributes: { heightU: 42, row: 'A 列 03', powerKw: 8, pdus: 2 } },
    { code: 'RMYY-UPS-01', name: '机房 UPS 主机', type: 'ups', site: '门诊楼机房', criticality: 1, brand: '山特', model: '3C3 Pro 60K', serial: 'SNT3C3P60K21088', ip: '10.10.0.250', hostname: 'ups-01', attributes: { capacityKva: 60, runtimeMin: 30, batteryCount: 64, batteryDate: '2024-05-20', phases: '三相' } },
    { code: 'RMYY-SW-CORE-01', name: '核心交换机 1', type: 'network', site: '门诊楼机房', criticality: 1, brand: '华为', model: 'CloudEngine S12700E-4', serial: '2102351HTD10N6000118', ip: '10.10.0.1', hostname: 'rmyy-core-sw01', attributes: { role: '核心交换机', ports: 96, firmware: 'V200R021C10SPC600', managementVlan: 10, rackPosition: 'A01 U30–U39' } },
    { code: 'RMYY-SW-CORE-02', name: '核心交换机 2', type: 'network', site: '门诊楼机房', criticality: 1, brand: '华为', model: 'CloudEngine S12700E-4', serial: '2102351HTD10N6000131', ip: '10.10.0.2', hostname: 'rmyy-core-sw02', attributes: { role: '核心交换机', ports: 96, firmware: 'V200R021C10SPC600', managementVlan: 10 } },
    { code: 'RMYY-SW-ACC-MZ1', name: '门诊楼一层接入交换机', type: 'network', site: '门诊楼', criticality: 2, brand: '华为', model: 'S5735-L48P4X-A1', serial: '102102HVJK4PN2001234', ip: '10.10.1.11', attributes: { role: '接入交换机', ports: 48, managementVlan: 10 } },
    { code: 'RMYY-SW-ACC-ZY3', name: '住院部三楼接入交换机', type: 'network', site: '住院部三楼护士站', criticality: 2, brand: '华为', model: 'S5735-L48P4X-A1', serial: '102102HVJK4PN2002207', ip: '10.10.3.11', attributes: { role: '接入交换机', ports: 48, managementVlan: 10 } },
    { code: 'RMYY-FW-01', name: '出口防火墙', type: 'security', site: '门诊楼机房', criticality: 1, brand: '深信服', model: 'AF-1000-B1500', serial: 'SXF0A1500K210930', ip: '10.10.0.254', hostname: 'rmyy-fw01', attributes: { role: '防火墙', firmware: 'AF8.0.85', licenseEnd: '2027-06-30', haMode: '主备' } },
    { code: 'RMYY-SRV-HISDB01', name: 'HIS 数据库服务器 1', type: 'server_physical', site: '门诊楼机房', criticality: 1, brand: '华为', model: 'FusionServer 2288H V6', serial: '2102313LNF10M9000561', ip: '10.10.20.11', hostname: 'his-db01', owner: '李强', attributes: { cpu: '2 × Intel Xeon Gold 6338', cpuCores: 64, memoryGb: 512, diskTb: 3.6, os: 'Oracle Linux 7.9', ips: ['10.10.21.11', '192.168.100.11'], rackPosition: 'A02 U20–U21', heightU: 2, bmcIp: '10.10.90.11', powerSupplies: 2, purpose: 'HIS Oracle RAC 节点 1' } },
    { code: 'RMYY-SRV-HISDB02', name: 'HIS 数据库服务器 2', type: 'server_physical', site: '门诊楼机房', criticality: 1, brand: '华为', model: 'FusionServer 2288H V6', serial: '2102313LNF10M9000574', ip: '10.10.20.12', hostname: 'his-db02', owner: '李强', attributes: { cpu: '2 × Intel Xeon Gold 6338', cpuCores: 64, memoryGb: 512, diskTb: 3.6, os: 'Oracle Linux 7.9', ips: ['10.10.21.12', '192.168.100.12'], rackPosition: 'A02 U22–U23', heightU: 2, bmcIp: '10.10.90.12', powerSupplies: 2, purpose: 'HIS Oracle RAC 节点 2' } },
    { code: 'RMYY-SRV-VMH01', name: '虚拟化主机 1', type: 'server_physical', site: '门诊楼机房', criticality: 1, brand: '浪潮', model: 'NF5280M6', serial: '221063521', ip: '10.10.30.11', hostname: 'vmh01', attributes: { cpu: '2 × Intel Xeon Silver 4314', cpuCores: 32, memoryGb: 768, os: 'VMware ESXi 7.0U3', rackPosition: 'A02 U10–U11', heightU: 2, bmcIp: '10.10.90.21', purpose: '虚拟化集群' } },
    { code: 'RMYY-SRV-VMH02', name: '虚拟化主机 2', type: 'server_physical', site: '门诊楼机房', criticality: 1, brand: '浪潮', model: 'NF5280M6', serial: '221063538', ip: '10.10.30.12', hostname: 'vmh02', attributes: { cpu: '2 × Intel Xeon Silver 4314', cpuCores: 32, memoryGb: 768, os: 'VMware ESXi 7.0U3', rackPosition: 'A02 U12–U13', heightU: 2, bmcIp: '10.10.90.22', purpose: '虚拟化集群' } },
    { code: 'RMYY-SRV-PACS01', name: 'PACS 影像服务器', type: 'server_physical', site: '门诊楼机房', criticality: 1, status: 'in_use', brand: '联想', model: 'ThinkSystem SR650', serial: 'J301ZK8A', ip: '10.10.40.11', hostname: 'pacs-store01', attributes: { cpu: '2 × Intel Xeon Gold 5218', cpuCores: 32, memoryGb: 256, diskTb: 48, os: 'Windows Server 2016', rackPosition: 'A03 U05–U06', heightU: 2, bmcIp: '10.10.90.31', purpose: 'PACS 影像存储与调阅' } },
    { code: 'RMYY-SRV-OLD01', name: '旧 HIS 应用服务器（已下线）', type: 'server_physical', site: '门诊楼机房', criticality: 4, status: 'retired', brand: 'IBM', model: 'System x3650 M4', serial: 'KQ3X9P1', description: '2023 年迁移到虚拟化后下线，待报废' },
    { code: 'RMYY-STOR-01', name: 'SAN 主存储', type: 'storage', site: '门诊楼机房', criticality: 1, brand: '华为', model: 'OceanStor 5310 V5', serial: '2102352GHH10N8000077', ip: '10.10.50.11', attributes: { storageKind: 'SAN', rawTb: 96, usableTb: 64, raid: 'RAID 2.0+（RAID 6）', controllers: 2, firmware: 'V500R007C71', rackPosition: 'A03 U20–U23' } },
    { code: 'RMYY-STOR-BAK', name: '备份一体机', type: 'storage', site: '门诊楼机房', criticality: 2, brand: '爱数', model: 'AnyBackup 7', serial: 'AB7X2022090178', ip: '10.10.50.21', attributes: { storageKind: '备份一体机', rawTb: 72, usableTb: 48 } },
    { code: 'RMYY-VM-HISAPP01', name: 'HIS 应用服务器 1', type: 'server_virtual', site: '门诊楼机房', criticality: 1, ip: '10.10.31.11', hostname: 'his-app01', attributes: { vcpu: 16, memoryGb: 64, diskGb: 300, os: '麒麟 V10 SP2', platform: 'VMware vSphere', purpose: 'HIS WebLogic 集群节点' } },
    { code: 'RMYY-VM-HISAPP02', name: 'HIS 应用服务器 2', type: 'server_virtual', site: '门诊楼机房', criticality: 1, ip: '10.10.31.12', hostname: 'his-app02', attributes: { vcpu: 16, memoryGb: 64, diskGb: 300, os: '麒麟 V10 SP2', platform: 'VMware vSphere', purpose: 'HIS WebLogic 集群节点' } },
    { code: 'RMYY-VM-LIS01', name: 'LIS 服务器', type: 'server_virtual', site: '门诊楼机房', criticality: 2, ip: '10.10.31.21', hostname: 'lis-app01', attributes: { vcpu: 8, memoryGb: 32, diskGb: 500, os: 'Windows Server 2019', platform: 'VMware vSphere' } },
    { code: 'RMYY-VM-EMR01', name: '电子病历服务器', type: 'server_virtual', site: '门诊楼机房', criticality: 2, ip: '10.10.31.31', hostname: 'emr-app01', attributes: { vcpu: 8, memoryGb: 32, diskGb: 500, os: '统信 UOS 服务器版 20', platform: 'VMware vSphere' } },
    { code: 'RMYY-DB-HIS', name: 'HIS 数据库（Oracle RAC）', type: 'database', site: '门诊楼机房', criticality: 1, attributes: { engine: 'Oracle', version: '19c (19.18)', instance: 'HISDB', port: 1521, sizeGb: 2800, haMode: 'RAC', backupPolicy: 'RMAN 每日增量、每周日全备到备份一体机；归档日志每小时' } },
    { code: 'RMYY-DB-LIS', name: 'LIS 数据库', type: 'database', site: '门诊楼机房', criticality: 2, attributes: { engine: 'SQL Server', version: '2019', instance: 'LIS', port: 1433, sizeGb: 420, haMode: '单机' } },
    { code: 'RMYY-DB-PACS', name: 'PACS 数据库', type: 'database', site: '门诊楼机房', criticality: 2, attributes: { engine: 'SQL Server', version: '2016', instance: 'PACSDB', port: 1433, sizeGb: 650, haMode: '单机' } },
    { code: 'RMYY-MW-HIS', name: 'HIS 中间件（WebLogic 集群）', type: 'middleware', site: '门诊楼机房', criticality: 1, attributes: { product: 'WebLogic', version: '12.2.1.4', port: 7001, installPath: '/u01/oracle/middleware' } },
    { code: 'RMYY-APP-HIS', name: 'HIS 医院信息系统', type: 'application', criticality: 1, owner: '陈志远', attributes: { vendor: '东华医为', version: 'iMedical 8.5', url: 'http://his.jzrmyy.local', users: 1800, serviceHours: '7×24', businessOwner: '信息科', level: '三级' } },
    { code: 'RMYY-APP-PACS', name: 'PACS 影像归档与通信系统', type: 'application', criticality: 1, attributes: { vendor: '联影智慧医疗', version: 'uPACS 3.2', users: 260, serviceHours: '7×24', businessOwner: '放射科', level: '三级' } },
    { code: 'RMYY-APP-LIS', name: 'LIS 实验室信息系统', type: 'application', criticality: 1, attributes: { vendor: '杏和软件', version: 'LIS 6.0', users: 150, serviceHours: '7×24', businessOwner: '检验科', level: '二级' } },
    { code: 'RMYY-APP-EMR', name: '电子病历系统', type: 'application', criticality: 2, attributes: { vendor: '嘉和美康', version: 'EMR 5.0', users: 1200, serviceHours: '7×24', businessOwner: '医务科', level: '三级' } },
    { code: 'RMYY-LINE-YB', name: '医保专线', type: 'circuit', criticality: 1, attributes: { carrier: '中国电信', circuitId: 'JZ-MSTP-2021-0457', bandwidthMbps: 20, lineKind: 'MSTP', endA: '门诊楼机房', endZ: '市医保中心', contractEnd: '2027-03-31' } },
    { code: 'RMYY-LINE-NET', name: '互联网专线', type: 'circuit', criticality: 2, attributes: { carrier: '中国联通', circuitId: 'JZ-DIA-2022-1130', bandwidthMbps: 500, lineKind: '互联网专线', endA: '门诊楼机房', contractEnd: '2026-12-31' } },
    ...pcs('RMYY-PC-MZ', '门诊楼', '门诊', 6, '10.20.1', ['王医生', '赵护士', '孙医生', '周收费员', '吴护士', '郑医生']),
    ...pcs('RMYY-PC-ZY3', '住院部三楼护士站', '住院部三楼', 3, '10.20.3', ['刘护士长', '何护士', '马护士']),
    { code: 'RMYY-PRN-MZSF-01', name: '门诊收费处打印机 1', type: 'printer', site: '门诊楼', criticality: 3, brand: '惠普', model: 'LaserJet Pro M404dn', serial: 'PHBQB12345', ip: '10.20.1.201', attributes: { printerKind: '激光', color: false, consumable: '硒鼓 HP 77A（CF277A）', department: '门诊收费处', connection: '网络' } },
    { code: 'RMYY-PRN-MZSF-02', name: '门诊收费处票据打印机', type: 'printer', site: '门诊楼', criticality: 3, brand: '爱普生', model: 'LQ-630KII', serial: 'X5NF045678', attributes: { printerKind: '针式', color: false, consumable: '色带 S015290', department: '门诊收费处', connection: 'USB' } },
    { code: 'RMYY-PRN-ZY3-01', name: '住院部三楼护士站打印机', type: 'printer', site: '住院部三楼护士站', criticality: 3, status: 'maintenance', brand: '惠普', model: 'LaserJet Pro MFP M227fdw', serial: 'VNB3K56789', ip: '10.20.3.201', attributes: { printerKind: '多功能一体机', color: false, consumable: '硒鼓 HP 30A（CF230A）', department: '住院部三楼', connection: '网络' } },
    { code: 'RMYY-PC-SPARE-01', name: '备用电脑（信息科）', type: 'pc', site: '信息科', criticality: 4, status: 'spare', brand: '联想', model: 'ThinkCentre M920t', serial: 'RMYYPCSPARE7901', attributes: { pcKind: '台式机', memoryGb: 16, os: 'Windows 10 专业版', department: '信息科' } },
  ],
  edges: [
    ['RMYY-RACK-A01', 'hosted_in', 'RMYY-JF-01'],
    ['RMYY-RACK-A02', 'hosted_in', 'RMYY-JF-01'],
    ['RMYY-RACK-A03', 'hosted_in', 'RMYY-JF-01'],
    ['RMYY-UPS-01', 'hosted_in', 'RMYY-JF-01'],
    ['RMYY-RACK-A01', 'depends_on', 'RMYY-UPS-01'],
    ['RMYY-RACK-A02', 'depends_on', 'RMYY-UPS-01'],
    ['RMYY-RACK-A03', 'depends_on', 'RMYY-UPS-01'],
    ['RMYY-SW-CORE-01', 'hosted_in', 'RMYY-RACK-A01'],
    ['RMYY-SW-CORE-02', 'hosted_in', 'RMYY-RACK-A01'],
    ['RMYY-FW-01', 'hosted_in', 'RMYY-RACK-A01'],
    ['RMYY-SW-CORE-01', 'connects_to', 'RMYY-SW-CORE-02'],
    ['RMYY-SW-CORE-02', 'connects_to', 'RMYY-SW-CORE-01'],
    ['RMYY-SW-ACC-MZ1', 'connects_to', 'RMYY-SW-CORE-01'],
    ['RMYY-SW-ACC-MZ1', 'connects_to', 'RMYY-SW-CORE-02'],
    ['RMYY-SW-ACC-ZY3', 'connects_to', 'RMYY-SW-CORE-01'],
    ['RMYY-SW-ACC-ZY3', 'connects_to', 'RMYY-SW-CORE-02'],
    ['RMYY-SW-CORE-01', 'connects_to', 'RMYY-FW-01'],
    ['RMYY-FW-01', 'connects_to', 'RMYY-LINE-NET'],
    ['RMYY-FW-01', 'connects_to', 'RMYY-LINE-YB'],
    ['RMYY-SRV-HISDB01', 'hosted_in', 'RMYY-RACK-A02'],
    ['RMYY-SRV-HISDB02', 'hosted_in', 'RMYY-RACK-A02'],
    ['RMYY-SRV-VMH01', 'hosted_in', 'RMYY-RACK-A02'],
    ['RMYY-SRV-VMH02', 'hosted_in', 'RMYY-RACK-A02'],
    ['RMYY-SRV-PACS01', 'hosted_in', 'RMYY-RACK-A03'],
    ['RMYY-STOR-01', 'hosted_in', 'RMYY-RACK-A03'],
    ['RMYY-STOR-BAK', 'hosted_in', 'RMYY-RACK-A03'],
    ...(['RMYY-SRV-HISDB01', 'RMYY-SRV-HISDB02', 'RMYY-SRV-VMH01', 'RMYY-SRV-VMH02', 'RMYY-SRV-PACS01', 'RMYY-STOR-01', 'RMYY-STOR-BAK'].flatMap((c): Edge[] => [[c, 'connects_to', 'RMYY-SW-CORE-01'], [c, 'connects_to', 'RMYY-SW-CORE-02']])),
    ['RMYY-SRV-HISDB01', 'depends_on', 'RMYY-STOR-01'],
    ['RMYY-SRV-HISDB02', 'depends_on', 'RMYY-STOR-01'],
    ['RMYY-SRV-VMH01', 'depends_on', 'RMYY-STOR-01'],
    ['RMYY-SRV-VMH02', 'depends_on', 'RMYY-STOR-01'],
    ['RMYY-VM-HISAPP01', 'runs_on', 'RMYY-SRV-VMH01'],
    ['RMYY-VM-HISAPP02', 'runs_on', 'RMYY-SRV-VMH02'],
    ['RMYY-VM-LIS01', 'runs_on', 'RMYY-SRV-VMH01'],
    ['RMYY-VM-EMR01', 'runs_on', 'RMYY-SRV-VMH02'],
    ['RMYY-DB-HIS', 'runs_on', 'RMYY-SRV-HISDB01'],
    ['RMYY-DB-HIS', 'runs_on', 'RMYY-SRV-HISDB02'],
    ['RMYY-DB-LIS', 'runs_on', 'RMYY-VM-LIS01'],
    ['RMYY-DB-PACS', 'runs_on', 'RMYY-SRV-PACS01'],
    ['RMYY-MW-HIS', 'runs_on', 'RMYY-VM-HISAPP01'],
    ['RMYY-MW-HIS', 'runs_on', 'RMYY-VM-HISAPP02'],
    ['RMYY-DB-HIS', 'backed_up_by', 'RMYY-STOR-BAK'],
    ['RMYY-DB-LIS', 'backed_up_by', 'RMYY-STOR-BAK'],
    ['RMYY-DB-PACS', 'backed_up_by', 'RMYY-STOR-BAK'],
    ['RMYY-APP-HIS', 'runs_on', 'RMYY-MW-HIS'],
    ['RMYY-APP-HIS', 'depends_on', 'RMYY-DB-HIS'],
    ['RMYY-APP-HIS', 'depends_on', 'RMYY-LINE-YB'],
    ['RMYY-APP-PACS', 'runs_on', 'RMYY-SRV-PACS01'],
    ['RMYY-APP-PACS', 'depends_on', 'RMYY-DB-PACS'],
    ['RMYY-APP-PACS', 'depends_on', 'RMYY-APP-HIS'],
    ['RMYY-APP-LIS', 'runs_on', 'RMYY-VM-LIS01'],
    ['RMYY-APP-LIS', 'depends_on', 'RMYY-DB-LIS'],
    ['RMYY-APP-LIS', 'depends_on', 'RMYY-APP-HIS'],
    ['RMYY-APP-EMR', 'runs_on', 'RMYY-VM-EMR01'],
    ['RMYY-APP-EMR', 'depends_on', 'RMYY-APP-HIS'],
    ['RMYY-APP-HIS', 'depends_on', 'RMYY-APP-EMR'],
    ...(['RMYY-PC-MZ-001', 'RMYY-PC-MZ-002', 'RMYY-PC-MZ-003', 'RMYY-PC-MZ-004', 'RMYY-PC-MZ-005', 'RMYY-PC-MZ-006', 'RMYY-PRN-MZSF-01'].map((c): Edge => [c, 'connects_to', 'RMYY-SW-ACC-MZ1'])),
    ...(['RMYY-PC-ZY3-001', 'RMYY-PC-ZY3-002', 'RMYY-PC-ZY3-003', 'RMYY-PRN-ZY3-01'].map((c): Edge => [c, 'connects_to', 'RMYY-SW-ACC-ZY3'])),
    ['RMYY-PRN-MZSF-02', 'connects_to', 'RMYY-PC-MZ-004'],
  ],
  tickets: [
    [/HIS/i, 'RMYY-APP-HIS'],
    [/PACS|影像/, 'RMYY-APP-PACS'],
    [/LIS|检验/, 'RMYY-APP-LIS'],
    [/病历|EMR/i, 'RMYY-APP-EMR'],
    [/SQL ?Server/i, 'RMYY-DB-LIS'],
    [/数据库|Oracle/i, 'RMYY-DB-HIS'],
    [/存储/, 'RMYY-STOR-01'],
    [/UPS|断电|电源/, 'RMYY-UPS-01'],
    [/票据/, 'RMYY-PRN-MZSF-02'],
    [/(三楼|护士站).*打印/, 'RMYY-PRN-ZY3-01'],
    [/打印|卡纸|硒鼓/, 'RMYY-PRN-MZSF-01'],
    [/互联网专线|外网/, 'RMYY-LINE-NET'],
    [/核心交换|网络中断|断网/, 'RMYY-SW-CORE-01'],
    [/交换机|网口|网线|上不了网|无法上网/, 'RMYY-SW-ACC-MZ1'],
    [/防火墙|VPN/i, 'RMYY-FW-01'],
    [/医保/, 'RMYY-LINE-YB'],
    [/电脑|蓝屏|开机|键盘|鼠标|显示器/, 'RMYY-PC-MZ-001'],
  ],
};

const TAX: Inventory = {
  cis: [
    { code: 'SWJ-JF-01', name: '数据中心机房', type: 'machine_room', site: '数据中心机房', criticality: 1, attributes: { address: '办公大楼负一层', areaM2: 80, racks: 8, cooling: '精密空调 2 台', fireSuppression: '七氟丙烷气体', level: 'C 级' } },
    { code: 'SWJ-RACK-01', name: '01 号机柜', type: 'rack', site: '数据中心机房', criticality: 2, attributes: { heightU: 42, row: 'A 列 01', powerKw: 5, pdus: 2 } },
    { code: 'SWJ-RACK-02', name: '02 号机柜', type: 'rack', site: '数据中心机房', criticality: 2, attributes: { heightU: 42, row: 'A 列 02', powerKw: 5, pdus: 2 } },
    { code: 'SWJ-UPS-01', name: '机房 UPS', type: 'ups', site: '数据中心机房', criticality: 1, brand: '科华', model: 'YTR3320', serial: 'KH3320X2020117', ip: '10.30.0.250', hostname: 'ups-01', attributes: { capacityKva: 20, runtimeMin: 60, batteryCount: 32, batteryDate: '2023-09-15', phases: '三相' } },
    { code: 'SWJ-SW-CORE-01', name: '核心交换机', type: 'network', site: '数据中心机房', criticality: 1, brand: '新华三', model: 'S7506X', serial: '210235A2CSH209000188', ip: '10.30.0.1', hostname: 'core-sw01', attributes: { role: '核心交换机', ports: 96, firmware: 'Comware 7.1.070', managementVlan: 100, rackPosition: '01 U30–U36' } },
    { code: 'SWJ-SW-ACC-DT', name: '办税服务厅接入交换机', type: 'network', site: '办税服务厅', criticality: 2, brand: '新华三', model: 'S5130S-52P-EI', serial: '219801A1YL8194Q00345', ip: '10.30.1.11', attributes: { role: '接入交换机', ports: 48, managementVlan: 100 } },
    { code: 'SWJ-SW-ACC-3F', name: '三楼办公区汇聚交换机', type: 'network', site: '三楼办公区', criticality: 2, brand: '新华三', model: 'S5560X-30C-EI', serial: '219801A1YL8194Q00412', ip: '10.30.3.11', attributes: { role: '汇聚交换机', ports: 24, managementVlan: 100 } },
    { code: 'SWJ-FW-01', name: '政务外网边界防火墙', type: 'security', site: '数据中心机房', criticality: 1, brand: '天融信', model: 'NGFW4000-UF', serial: 'TOPSEC2021NG0871', ip: '10.30.0.254', hostname: 'fw-01', attributes: { role: '防火墙', licenseEnd: '2026-12-31', haMode: '单机' } },
    { code: 'SWJ-LINE-ZWW', name: '政务外网专线', type: 'circuit', criticality: 1, attributes: { carrier: '政务外网', circuitId: 'ZWW-JZ-SWJ-001', bandwidthMbps: 100, lineKind: '政务外网', endA: '数据中心机房', endZ: '市政务外网汇聚节点' } },
    { code: 'SWJ-SRV-01', name: '金税三期前置服务器', type: 'server_physical', site: '数据中心机房', criticality: 1, brand: '华为', model: 'TaiShan 200 2280', serial: '2102312YKN10L6000208', ip: '10.30.10.11', hostname: 'js-qz01', attributes: { cpu: '2 × 鲲鹏 920', cpuCores: 128, memoryGb: 256, os: '麒麟 V10 SP1', rackPosition: '01 U10–U11', heightU: 2, bmcIp: '10.30.90.11', purpose: '金税三期核心征管前置、数据交换' } },
    { code: 'SWJ-SRV-02', name: '电子税务局应用服务器', type: 'server_physical', site: '数据中心机房', criticality: 1, brand: '联想', model: 'ThinkSystem SR658', serial: 'J302A7TB', ip: '10.30.10.12', hostname: 'dzswj-app01', attributes: { cpu: '2 × 海光 7285', cpuCores: 64, memoryGb: 256, os: '统信 UOS 服务器版 20', rackPosition: '01 U12–U13', heightU: 2, purpose: '电子税务局本地接入、数电发票服务平台接入' } },
    { code: 'SWJ-SRV-BAK', name: '备份服务器', type: 'server_physical', site: '数据中心机房', criticality: 2, brand: '联想', model: 'ThinkSystem SR590', serial: 'J301V2LC', ip: '10.30.10.21', attributes: { cpu: 'Intel Xeon Silver 4210', cpuCores: 10, memoryGb: 64, diskTb: 24, os: 'Windows Server 2019', purpose: '数据库与文件备份' } },
    { code: 'SWJ-DB-QZ', name: '前置数据库（达梦）', type: 'database', site: '数据中心机房', criticality: 1, attributes: { engine: '达梦', version: 'DM8', instance: 'QZDB', port: 5236, sizeGb: 380, haMode: '单机', backupPolicy: '每日 23:00 全备到备份服务器，保留 30 天' } },
    { code: 'SWJ-APP-JS3', name: '金税三期核心征管系统（本地前置）', type: 'application', criticality: 1, owner: '黄海涛', attributes: { vendor: '航天信息', version: 'V3.0', users: 180, serviceHours: '工作日白天', businessOwner: '征管科', level: '三级' } },
    { code: 'SWJ-APP-JS4', name: '金税四期数电发票服务平台接入', type: 'application', criticality: 1, attributes: { vendor: '国家税务总局', version: '2025', users: 120, serviceHours: '工作日白天', businessOwner: '货物和劳务税科', level: '三级' } },
    { code: 'SWJ-APP-DZSWJ', name: '电子税务局（本地接入）', type: 'application', criticality: 1, attributes: { vendor: '国家税务总局', users: 60, serviceHours: '7×24', businessOwner: '纳税服务科', level: '三级' } },
    { code: 'SWJ-APP-ZZBS', name: '自助办税终端管理系统', type: 'application', criticality: 2, attributes: { vendor: '百旺', version: '4.2', users: 10, serviceHours: '工作日白天', businessOwner: '办税服务厅' } },
    ...pcs('SWJ-PC-DT', '办税服务厅', '办税服务厅窗口', 6, '10.31.1', ['1 号窗口', '2 号窗口', '3 号窗口', '4 号窗口', '5 号窗口', '6 号窗口']),
    { code: 'SWJ-ZZ-01', name: '自助办税终端 1', type: 'pc', site: '办税服务厅', criticality: 3, brand: '百旺', model: 'BW-ZZ2000', serial: 'BWZZ2000A1088', ip: '10.31.1.81', attributes: { pcKind: '自助终端', os: 'Windows 10 IoT', department: '办税服务厅' } },
    { code: 'SWJ-ZZ-02', name: '自助办税终端 2', type: 'pc', site: '办税服务厅', criticality: 3, status: 'maintenance', brand: '百旺', model: 'BW-ZZ2000', serial: 'BWZZ2000A1093', ip: '10.31.1.82', attributes: { pcKind: '自助终端', os: 'Windows 10 IoT', department: '办税服务厅' } },
    ...pcs('SWJ-PC-3F', '三楼办公区', '三楼办公区', 4, '10.31.3', ['征管科 张', '征管科 王', '法规科 李', '办公室 陈']),
    { code: 'SWJ-PRN-DT-01', name: '办税服务厅票据打印机 1', type: 'printer', site: '办税服务厅', criticality: 2, brand: '爱普生', model: 'LQ-735KII', serial: 'X7HT012233', attributes: { printerKind: '针式', consumable: '色带 S015630', department: '办税服务厅', connection: 'USB' } },
    { code: 'SWJ-PRN-DT-02', name: '办税服务厅票据打印机 2', type: 'printer', site: '办税服务厅', criticality: 2, brand: '爱普生', model: 'LQ-735KII', serial: 'X7HT012241', attributes: { printerKind: '针式', consumable: '色带 S015630', department: '办税服务厅', connection: 'USB' } },
    { code: 'SWJ-PRN-3F-01', name: '三楼共享打印机', type: 'printer', site: '三楼办公区', criticality: 3, brand: '联想', model: 'GM337DN', serial: 'LXGM337D2108', ip: '10.31.3.201', attributes: { printerKind: '激光', consumable: '硒鼓 LT2451', department: '三楼办公区', connection: '网络' } },
  ],
  edges: [
    ['SWJ-RACK-01', 'hosted_in', 'SWJ-JF-01'],
    ['SWJ-RACK-02', 'hosted_in', 'SWJ-JF-01'],
    ['SWJ-UPS-01', 'hosted_in', 'SWJ-JF-01'],
    ['SWJ-RACK-01', 'depends_on', 'SWJ-UPS-01'],
    ['SWJ-RACK-02', 'depends_on', 'SWJ-UPS-01'],
    ['SWJ-SW-CORE-01', 'hosted_in', 'SWJ-RACK-01'],
    ['SWJ-FW-01', 'hosted_in', 'SWJ-RACK-01'],
    ['SWJ-SRV-01', 'hosted_in', 'SWJ-RACK-01'],
    ['SWJ-SRV-02', 'hosted_in', 'SWJ-RACK-01'],
    ['SWJ-SRV-BAK', 'hosted_in', 'SWJ-RACK-02'],
    ['SWJ-SW-CORE-01', 'connects_to', 'SWJ-FW-01'],
    ['SWJ-FW-01', 'connects_to', 'SWJ-LINE-ZWW'],
    ['SWJ-SW-ACC-DT', 'connects_to', 'SWJ-SW-CORE-01'],
    ['SWJ-SW-ACC-3F', 'connects_to', 'SWJ-SW-CORE-01'],
    ['SWJ-SRV-01', 'connects_to', 'SWJ-SW-CORE-01'],
    ['SWJ-SRV-02', 'connects_to', 'SWJ-SW-CORE-01'],
    ['SWJ-SRV-BAK', 'connects_to', 'SWJ-SW-CORE-01'],
    ['SWJ-DB-QZ', 'runs_on', 'SWJ-SRV-01'],
    ['SWJ-DB-QZ', 'backed_up_by', 'SWJ-SRV-BAK'],
    ['SWJ-APP-JS3', 'runs_on', 'SWJ-SRV-01'],
    ['SWJ-APP-JS3', 'depends_on', 'SWJ-DB-QZ'],
    ['SWJ-APP-JS3', 'depends_on', 'SWJ-LINE-ZWW'],
    ['SWJ-APP-JS4', 'runs_on', 'SWJ-SRV-02'],
    ['SWJ-APP-JS4', 'depends_on', 'SWJ-LINE-ZWW'],
    ['SWJ-APP-JS4', 'depends_on', 'SWJ-APP-JS3'],
    ['SWJ-APP-DZSWJ', 'runs_on', 'SWJ-SRV-02'],
    ['SWJ-APP-DZSWJ', 'depends_on', 'SWJ-LINE-ZWW'],
    ['SWJ-APP-ZZBS', 'runs_on', 'SWJ-SRV-02'],
    ['SWJ-APP-ZZBS', 'depends_on', 'SWJ-APP-DZSWJ'],
    ...(['SWJ-PC-DT-001', 'SWJ-PC-DT-002', 'SWJ-PC-DT-003', 'SWJ-PC-DT-004', 'SWJ-PC-DT-005', 'SWJ-PC-DT-006', 'SWJ-ZZ-01', 'SWJ-ZZ-02'].map((c): Edge => [c, 'connects_to', 'SWJ-SW-ACC-DT'])),
    ...(['SWJ-PC-3F-001', 'SWJ-PC-3F-002', 'SWJ-PC-3F-003', 'SWJ-PC-3F-004', 'SWJ-PRN-3F-01'].map((c): Edge => [c, 'connects_to', 'SWJ-SW-ACC-3F'])),
    ['SWJ-PRN-DT-01', 'connects_to', 'SWJ-PC-DT-001'],
    ['SWJ-PRN-DT-02', 'connects_to', 'SWJ-PC-DT-002'],
    ['SWJ-ZZ-01', 'depends_on', 'SWJ-APP-ZZBS'],
    ['SWJ-ZZ-02', 'depends_on', 'SWJ-APP-ZZBS'],
  ],
  tickets: [
    [/金税|征管|核心征管/, 'SWJ-APP-JS3'],
    [/发票|开票|数电/, 'SWJ-APP-JS4'],
    [/电子税务局/, 'SWJ-APP-DZSWJ'],
    [/自助/, 'SWJ-ZZ-01'],
    [/票据|针式/, 'SWJ-PRN-DT-01'],
    [/打印|卡纸|硒鼓/, 'SWJ-PRN-3F-01'],
    [/UPS|断电/, 'SWJ-UPS-01'],
    [/防火墙|外网|专线/, 'SWJ-FW-01'],
    [/核心交换|端口/, 'SWJ-SW-CORE-01'],
    [/交换机|上不了网|无法上网|网络中断/, 'SWJ-SW-ACC-3F'],
    [/窗口|电脑|蓝屏|开机|键盘|鼠标|显示器|读卡器|U ?盾|Ukey/i, 'SWJ-PC-DT-001'],
  ],
};

const SCHOOL: Inventory = {
  cis: [
    { code: 'MDZX-JF-01', name: '网络中心机房', type: 'machine_room', site: '网络中心机房', criticality: 1, attributes: { address: '行政楼二层', areaM2: 40, racks: 4, cooling: '柜式空调 2 台', fireSuppression: '无', level: 'C 级' } },
    { code: 'MDZX-RACK-01', name: '网络中心 01 机柜', type: 'rack', site: '网络中心机房', criticality: 2, attributes: { heightU: 42, powerKw: 4 } },
    { code: 'MDZX-SW-CORE', name: '校园网核心交换机', type: 'network', site: '网络中心机房', criticality: 1, brand: '锐捷', model: 'RG-N18007', serial: 'G1NQ9AB000123', ip: '10.50.0.1', hostname: 'mdzx-core', attributes: { role: '核心交换机', ports: 72 } },
    { code: 'MDZX-SW-JXL', name: '教学楼汇聚交换机', type: 'network', site: '教学楼', criticality: 2, brand: '锐捷', model: 'RG-S5750-28GT4XS', serial: 'G1NQ9AB000456', ip: '10.50.1.1', attributes: { role: '汇聚交换机', ports: 28 } },
    { code: 'MDZX-AC-01', name: '无线控制器', type: 'network', site: '网络中心机房', criticality: 2, brand: '锐捷', model: 'RG-WS6008', serial: 'G1NQ9AB000789', ip: '10.50.0.5', attributes: { role: '无线控制器' } },
    { code: 'MDZX-FW-01', name: '校园网出口防火墙', type: 'security', site: '网络中心机房', criticality: 1, brand: '奇安信', model: 'NSG5000', serial: 'QAX5000K2022031', ip: '10.50.0.254', attributes: { role: '防火墙', haMode: '单机', licenseEnd: '2026-08-31' } },
    { code: 'MDZX-LINE-EDU', name: '教育城域网专线', type: 'circuit', criticality: 1, attributes: { carrier: '中国电信', bandwidthMbps: 1000, lineKind: '互联网专线', endA: '网络中心机房', endZ: '市教育城域网' } },
    { code: 'MDZX-SRV-01', name: '校园服务器', type: 'server_physical', site: '网络中心机房', criticality: 2, brand: '戴尔', model: 'PowerEdge R740', serial: '8FJK9X2', ip: '10.50.10.11', hostname: 'mdzx-srv01', attributes: { cpuCores: 20, memoryGb: 128, os: 'Windows Server 2019', purpose: '教务系统、一卡通' } },
    { code: 'MDZX-APP-JW', name: '教务管理系统', type: 'application', criticality: 2, attributes: { vendor: '正方软件', version: 'V9', users: 220, serviceHours: '工作日白天', businessOwner: '教务处' } },
    ...pcs('MDZX-PC-JW', '教务处', '教务处', 2, '10.51.1', ['韩雪', '教务处 周']),
    { code: 'MDZX-PRN-JW-01', name: '教务处打印机', type: 'printer', site: '教务处', criticality: 3, brand: '理光', model: 'MP 2555SP', serial: 'RICOH2555E33', ip: '10.51.1.201', attributes: { printerKind: '多功能一体机', department: '教务处', connection: '网络' } },
  ],
  edges: [
    ['MDZX-RACK-01', 'hosted_in', 'MDZX-JF-01'],
    ['MDZX-SW-CORE', 'hosted_in', 'MDZX-RACK-01'],
    ['MDZX-SRV-01', 'hosted_in', 'MDZX-RACK-01'],
    ['MDZX-FW-01', 'hosted_in', 'MDZX-RACK-01'],
    ['MDZX-SW-CORE', 'connects_to', 'MDZX-FW-01'],
    ['MDZX-FW-01', 'connects_to', 'MDZX-LINE-EDU'],
    ['MDZX-SW-JXL', 'connects_to', 'MDZX-SW-CORE'],
    ['MDZX-AC-01', 'connects_to', 'MDZX-SW-CORE'],
    ['MDZX-SRV-01', 'connects_to', 'MDZX-SW-CORE'],
    ['MDZX-APP-JW', 'runs_on', 'MDZX-SRV-01'],
    ['MDZX-PC-JW-001', 'connects_to', 'MDZX-SW-CORE'],
    ['MDZX-PC-JW-002', 'connects_to', 'MDZX-SW-CORE'],
    ['MDZX-PRN-JW-01', 'connects_to', 'MDZX-SW-CORE'],
  ],
  tickets: [
    [/教务|选课|成绩/, 'MDZX-APP-JW'],
    [/无线|WiFi|Wi-Fi/i, 'MDZX-AC-01'],
    [/打印/, 'MDZX-PRN-JW-01'],
    [/交换机|断网|上不了网|无法上网/, 'MDZX-SW-JXL'],
  ],
};

const INVENTORIES: Record<CustomerKey, Inventory> = { hospital: HOSPITAL, tax: TAX, school: SCHOOL };

/** At most this many of each customer's open tickets are linked by their titles. */
const LINKED_PER_CUSTOMER = 25;

export async function loadCmdb(db: Db, input: CmdbDemoInput, log: (line: string) => void = () => {}): Promise<number> {
  if (await db.selectFrom('cis').select('id').where('code', '=', 'RMYY-APP-HIS').executeTakeFirst()) {
    log('cmdb: the demo CMDB is already there');
    return 0;
  }
  const cis = new CiService(db);
  const relations = new RelationService(db, cis);
  const links = new CiLinkService(db, cis);
  const admin = await input.actorOf(input.userIds.get('admin')!);
  const types = new Map((await db.selectFrom('ci_types').select(['id', 'code']).execute()).map((t) => [t.code, Number(t.id)]));
  let count = 0;
  let edges = 0;
  let linked = 0;
  for (const key of Object.keys(INVENTORIES) as CustomerKey[]) {
    const inv = INVENTORIES[key];
    const customerId = input.customerIds[key];
    const sites = new Map((await db.selectFrom('sites').select(['id', 'name']).where('customer_id', '=', customerId).execute()).map((s) => [s.name, Number(s.id)]));
    const ids = new Map<string, number>();
    for (const c of inv.cis) {
      const created = await cis.create(admin, {
        customerId,
        siteId: c.site ? (sites.get(c.site) ?? null) : null,
        typeId: types.get(c.type)!,
        code: c.code,
        name: c.name,
        status: c.status === 'retired' ? 'in_use' : (c.status ?? 'in_use'),
        criticality: c.criticality ?? 3,
        ownerId: null,
        ownerName: c.owner ?? null,
        brand: c.brand ?? null,
        model: c.model ?? null,
        serial: c.serial ?? null,
        ip: c.ip ?? null,
        hostname: c.hostname ?? null,
        attributes: (c.attributes ?? {}) as Record<string, string | number | boolean | string[] | null>,
        description: c.description ?? null,
      });
      // A retired CI was in use before: its history says so.
      if (c.status === 'retired') await cis.retire(admin, created.id, created.version);
      ids.set(c.code, created.id);
      count++;
    }
    for (const [source, type, target] of inv.edges) {
      await relations.add(admin, ids.get(source)!, { type, targetId: ids.get(target)!, direction: 'out', note: null });
      edges++;
    }
    // Open tickets: by the host the monitoring alert named, else by the words of the title.
    const open = await db.selectFrom('tickets').select(['id', 'title', 'description', 'channel']).where('customer_id', '=', customerId).where('state', 'in', [...OPEN_STATES]).orderBy('id', 'desc').limit(200).execute();
    let n = 0;
    for (const tk of open) {
      let found: number[] = [];
      if (tk.channel === 'monitoring') {
        const hosts = [...tk.description.matchAll(/(?:host|label:instance|label:host)\s*=\s*(\S+)/g)].map((m) => m[1]);
        found = await cisForHost(db, customerId, hosts);
      }
      if (!found.length) {
        const rule = inv.tickets.find(([re]) => re.test(tk.title));
        if (rule && ids.has(rule[1])) found = [ids.get(rule[1])!];
      }
      if (!found.length) continue;
      await links.addTicketCis(admin, Number(tk.id), found);
      linked++;
      if (++n >= LINKED_PER_CUSTOMER) break;
    }
  }
  log(`cmdb: ${count} configuration items, ${edges} relationships, ${linked} open tickets naming their CIs`);
  return count;
}

export interface DemoCiRef {
  id: number;
  code: string;
  name: string;
  customerId: number;
  siteId: number | null;
  typeCode: string;
  serial: string | null;
  status: string;
}

/**
 * The demo's CIs for the other demo loaders (assets, spare parts, repairs): by customer, type
 * codes and/or codes; in code order. E.g. `demoCis(db, { customerId, types: ['server_physical'] })`,
 * `demoCis(db, { codes: ['RMYY-SRV-HISDB01'] })`.
 */
export async function demoCis(db: Db, f: { customerId?: number; types?: string[]; codes?: string[] } = {}): Promise<DemoCiRef[]> {
  let q = db
    .selectFrom('cis')
    .innerJoin('ci_types', 'ci_types.id', 'cis.type_id')
    .select(['cis.id', 'cis.code', 'cis.name', 'cis.customer_id', 'cis.site_id', 'cis.serial', 'cis.status', 'ci_types.code as type_code']);
  if (f.customerId !== undefined) q = q.where('cis.customer_id', '=', f.customerId);
  if (f.types?.length) q = q.where('ci_types.code', 'in', f.types);
  if (f.codes?.length) q = q.where('cis.code', 'in', f.codes);
  const rows = await q.orderBy('cis.code').execute();
  return rows.map((r) => ({ id: Number(r.id), code: r.code, name: r.name, customerId: Number(r.customer_id), siteId: r.site_id === null ? null : Number(r.site_id), typeCode: r.type_code, serial: r.serial, status: r.status }));
}
