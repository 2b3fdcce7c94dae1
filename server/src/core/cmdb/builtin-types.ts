import type { AttributeDef } from './attributes.js';

/**
 * The CI types every installation starts with (issue #13, docs/CMDB.md), shipped as data:
 * seeded once by code (an administrator may then edit labels and attributes, add attributes or
 * disable a type; seeding never overwrites his changes). Every CI also has the common fields
 * (code, name, customer, site, owner, status, criticality, brand, model, serial, management
 * IP, host name), so the attributes below are what is particular to the type.
 */
export interface BuiltinType {
  code: string;
  zh: string;
  en: string;
  icon: string;
  attributes: AttributeDef[];
}

const os: AttributeDef = { key: 'os', zh: '操作系统', en: 'Operating system', kind: 'text', hint: '如 麒麟 V10、统信 UOS 20、CentOS 7.9、Windows Server 2019' };
const ips: AttributeDef = { key: 'ips', zh: '其他 IP 地址', en: 'Other IP addresses', kind: 'ips', hint: '多个地址用逗号分隔' };
const rackPosition: AttributeDef = { key: 'rackPosition', zh: '机柜位置', en: 'Rack position', kind: 'text', hint: '如 A03 机柜 U12–U13' };
const purpose: AttributeDef = { key: 'purpose', zh: '用途', en: 'Purpose', kind: 'text' };
const firmware: AttributeDef = { key: 'firmware', zh: '固件版本', en: 'Firmware', kind: 'text' };
const ports: AttributeDef = { key: 'ports', zh: '端口数', en: 'Ports', kind: 'integer', min: 0, max: 10_000 };
const version: AttributeDef = { key: 'version', zh: '版本', en: 'Version', kind: 'text' };

export const BUILTIN_TYPES: readonly BuiltinType[] = [
  {
    code: 'application',
    zh: '应用系统',
    en: 'Application',
    icon: 'appstore',
    attributes: [
      { key: 'vendor', zh: '开发厂商', en: 'Developer', kind: 'text' },
      version,
      { key: 'url', zh: '访问地址', en: 'URL', kind: 'text', hint: '如 http://his.hospital.local' },
      { key: 'users', zh: '用户数', en: 'Users', kind: 'integer', min: 0, max: 10_000_000 },
      { key: 'serviceHours', zh: '服务时间', en: 'Service hours', kind: 'choice', choices: ['7×24', '5×8', '工作日白天'] },
      { key: 'businessOwner', zh: '业务负责科室', en: 'Business owner', kind: 'text' },
      { key: 'level', zh: '等保级别', en: 'MLPS level', kind: 'choice', choices: ['一级', '二级', '三级', '四级'] },
    ],
  },
  {
    code: 'server_physical',
    zh: '物理服务器',
    en: 'Physical server',
    icon: 'database',
    attributes: [
      { key: 'cpu', zh: 'CPU', en: 'CPU', kind: 'text', hint: '如 2 × Intel Xeon Gold 6338' },
      { key: 'cpuCores', zh: 'CPU 核数', en: 'CPU cores', kind: 'integer', unit: '核', min: 1, max: 4096 },
      { key: 'memoryGb', zh: '内存', en: 'Memory', kind: 'number', unit: 'GB', min: 0, max: 1_048_576 },
      { key: 'diskTb', zh: '本地磁盘', en: 'Local disk', kind: 'number', unit: 'TB', min: 0, max: 100_000 },
      os,
      ips,
      rackPosition,
      { key: 'heightU', zh: '高度', en: 'Height', kind: 'integer', unit: 'U', min: 1, max: 60 },
      { key: 'bmcIp', zh: '带外管理 IP', en: 'BMC IP', kind: 'ip' },
      { key: 'powerSupplies', zh: '电源数', en: 'Power supplies', kind: 'integer', min: 0, max: 16 },
      purpose,
    ],
  },
  {
    code: 'server_virtual',
    zh: '虚拟机',
    en: 'Virtual server',
    icon: 'cloud-server',
    attributes: [
      { key: 'vcpu', zh: 'vCPU', en: 'vCPUs', kind: 'integer', unit: '核', min: 1, max: 1024 },
      { key: 'memoryGb', zh: '内存', en: 'Memory', kind: 'number', unit: 'GB', min: 0, max: 65_536 },
      { key: 'diskGb', zh: '磁盘', en: 'Disk', kind: 'number', unit: 'GB', min: 0, max: 1_000_000 },
      os,
      ips,
      { key: 'platform', zh: '虚拟化平台', en: 'Platform', kind: 'choice', choices: ['VMware vSphere', 'Hyper-V', 'KVM', 'OpenStack', '华为 FusionCompute', '深信服 aCloud', '其他'] },
      purpose,
    ],
  },
  {
    code: 'storage',
    zh: '存储设备',
    en: 'Storage',
    icon: 'hdd',
    attributes: [
      { key: 'storageKind', zh: '存储类型', en: 'Storage kind', kind: 'choice', choices: ['SAN', 'NAS', '分布式存储', '磁带库', '备份一体机'] },
      { key: 'rawTb', zh: '裸容量', en: 'Raw capacity', kind: 'number', unit: 'TB', min: 0, max: 1_000_000 },
      { key: 'usableTb', zh: '可用容量', en: 'Usable capacity', kind: 'number', unit: 'TB', min: 0, max: 1_000_000 },
      { key: 'raid', zh: 'RAID 级别', en: 'RAID level', kind: 'text' },
      { key: 'controllers', zh: '控制器数', en: 'Controllers', kind: 'integer', min: 0, max: 64 },
      firmware,
      ips,
      rackPosition,
    ],
  },
  {
    code: 'network',
    zh: '网络设备',
    en: 'Network device',
    icon: 'cluster',
    attributes: [
      { key: 'role', zh: '设备角色', en: 'Role', kind: 'choice', choices: ['核心交换机', '汇聚交换机', '接入交换机', '路由器', '无线控制器', '无线 AP', '负载均衡'] },
      ports,
      firmware,
      { key: 'managementVlan', zh: '管理 VLAN', en: 'Management VLAN', kind: 'integer', min: 1, max: 4094 },
      ips,
      rackPosition,
    ],
  },
  {
    code: 'security',
    zh: '安全设备',
    en: 'Security device',
    icon: 'safety',
    attributes: [
      { key: 'role', zh: '设备类型', en: 'Kind', kind: 'choice', choices: ['防火墙', '入侵防御', 'WAF', '堡垒机', '日志审计', 'VPN 网关', '网闸', '防病毒网关'] },
      firmware,
      { key: 'licenseEnd', zh: '授权到期日', en: 'Licence end', kind: 'date' },
      { key: 'haMode', zh: '高可用模式', en: 'HA mode', kind: 'choice', choices: ['单机', '主备', '主主'] },
      ips,
      rackPosition,
    ],
  },
  {
    code: 'database',
    zh: '数据库',
    en: 'Database',
    icon: 'database',
    attributes: [
      { key: 'engine', zh: '数据库类型', en: 'Engine', kind: 'choice', choices: ['Oracle', 'SQL Server', 'MySQL', 'PostgreSQL', '达梦', '人大金仓', 'OceanBase', 'GaussDB', '其他'] },
      version,
      { key: 'instance', zh: '实例名', en: 'Instance', kind: 'text' },
      { key: 'port', zh: '端口', en: 'Port', kind: 'integer', min: 1, max: 65_535 },
      { key: 'sizeGb', zh: '数据量', en: 'Data size', kind: 'number', unit: 'GB', min: 0, max: 100_000_000 },
      { key: 'haMode', zh: '高可用模式', en: 'HA mode', kind: 'choice', choices: ['单机', '主备', 'RAC', '集群', '读写分离'] },
      { key: 'backupPolicy', zh: '备份策略', en: 'Backup policy', kind: 'multiline' },
    ],
  },
  {
    code: 'middleware',
    zh: '中间件',
    en: 'Middleware',
    icon: 'api',
    attributes: [
      { key: 'product', zh: '产品', en: 'Product', kind: 'choice', choices: ['WebLogic', 'Tomcat', 'Nginx', 'TongWeb（东方通）', '金蝶 Apusic', 'Redis', 'Kafka', 'RabbitMQ', '其他'] },
      version,
      { key: 'port', zh: '端口', en: 'Port', kind: 'integer', min: 1, max: 65_535 },
      { key: 'installPath', zh: '安装路径', en: 'Install path', kind: 'text' },
    ],
  },
  {
    code: 'pc',
    zh: 'PC / 终端',
    en: 'PC / terminal',
    icon: 'desktop',
    attributes: [
      { key: 'pcKind', zh: '终端类型', en: 'Kind', kind: 'choice', choices: ['台式机', '笔记本', '一体机', '瘦客户端', '自助终端'] },
      { key: 'cpu', zh: 'CPU', en: 'CPU', kind: 'text' },
      { key: 'memoryGb', zh: '内存', en: 'Memory', kind: 'number', unit: 'GB', min: 0, max: 4096 },
      os,
      { key: 'user', zh: '使用人', en: 'User', kind: 'text' },
      { key: 'department', zh: '使用科室', en: 'Department', kind: 'text' },
      { key: 'mac', zh: 'MAC 地址', en: 'MAC address', kind: 'text' },
    ],
  },
  {
    code: 'printer',
    zh: '打印机',
    en: 'Printer',
    icon: 'printer',
    attributes: [
      { key: 'printerKind', zh: '打印机类型', en: 'Kind', kind: 'choice', choices: ['激光', '喷墨', '针式', '热敏', '标签', '多功能一体机'] },
      { key: 'color', zh: '彩色', en: 'Colour', kind: 'boolean' },
      { key: 'consumable', zh: '耗材型号', en: 'Consumable', kind: 'text', hint: '如 硒鼓 HP 88A' },
      { key: 'department', zh: '使用科室', en: 'Department', kind: 'text' },
      { key: 'connection', zh: '连接方式', en: 'Connection', kind: 'choice', choices: ['网络', 'USB', '并口', '无线'] },
    ],
  },
  {
    code: 'ups',
    zh: 'UPS / 电源',
    en: 'UPS / power',
    icon: 'thunderbolt',
    attributes: [
      { key: 'capacityKva', zh: '容量', en: 'Capacity', kind: 'number', unit: 'kVA', min: 0, max: 100_000 },
      { key: 'runtimeMin', zh: '满载后备时间', en: 'Runtime at full load', kind: 'integer', unit: '分钟', min: 0, max: 10_000 },
      { key: 'batteryCount', zh: '电池节数', en: 'Batteries', kind: 'integer', min: 0, max: 10_000 },
      { key: 'batteryDate', zh: '电池更换日期', en: 'Batteries replaced', kind: 'date' },
      { key: 'phases', zh: '输入相数', en: 'Phases', kind: 'choice', choices: ['单相', '三相'] },
    ],
  },
  {
    code: 'machine_room',
    zh: '机房',
    en: 'Machine room',
    icon: 'home',
    attributes: [
      { key: 'address', zh: '位置', en: 'Location', kind: 'text' },
      { key: 'areaM2', zh: '面积', en: 'Area', kind: 'number', unit: '㎡', min: 0, max: 1_000_000 },
      { key: 'racks', zh: '机柜数', en: 'Racks', kind: 'integer', min: 0, max: 100_000 },
      { key: 'cooling', zh: '空调', en: 'Cooling', kind: 'text', hint: '如 精密空调 2 台（N+1）' },
      { key: 'fireSuppression', zh: '消防', en: 'Fire suppression', kind: 'choice', choices: ['七氟丙烷气体', '细水雾', '喷淋', '无'] },
      { key: 'level', zh: '机房等级', en: 'Grade', kind: 'choice', choices: ['A 级', 'B 级', 'C 级'] },
    ],
  },
  {
    code: 'rack',
    zh: '机柜',
    en: 'Rack',
    icon: 'column-height',
    attributes: [
      { key: 'heightU', zh: '高度', en: 'Height', kind: 'integer', unit: 'U', min: 1, max: 60 },
      { key: 'row', zh: '列 / 位置', en: 'Row / position', kind: 'text', hint: '如 A 列 03' },
      { key: 'powerKw', zh: '额定功率', en: 'Power', kind: 'number', unit: 'kW', min: 0, max: 1000 },
      { key: 'pdus', zh: 'PDU 数', en: 'PDUs', kind: 'integer', min: 0, max: 32 },
    ],
  },
  {
    code: 'circuit',
    zh: '线路',
    en: 'Circuit / line',
    icon: 'link',
    attributes: [
      { key: 'carrier', zh: '运营商', en: 'Carrier', kind: 'choice', choices: ['中国电信', '中国联通', '中国移动', '中国广电', '政务外网', '其他'] },
      { key: 'circuitId', zh: '线路编号', en: 'Circuit id', kind: 'text' },
      { key: 'bandwidthMbps', zh: '带宽', en: 'Bandwidth', kind: 'number', unit: 'Mbps', min: 0, max: 10_000_000 },
      { key: 'lineKind', zh: '线路类型', en: 'Kind', kind: 'choice', choices: ['互联网专线', 'MSTP', 'SDH', 'MPLS VPN', '裸光纤', '政务外网', '其他'] },
      { key: 'endA', zh: 'A 端', en: 'End A', kind: 'text' },
      { key: 'endZ', zh: 'Z 端', en: 'End Z', kind: 'text' },
      ips,
      { key: 'contractEnd', zh: '合同到期日', en: 'Contract end', kind: 'date' },
    ],
  },
];
