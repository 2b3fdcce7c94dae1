import { REPORT_TYPE_CODES, type ReportType } from './templates.js';

/**
 * What an ITSS audit asks a provider to show, and where the evidence pack shows it (issue #11
 * item 6, docs/EVIDENCE.md). One row per report or record of REQUIREMENTS §5.1 (R1–R55) and per
 * KPI of §5.2, each naming the kinds of evidence that answer it. The pack's index (HTML and
 * Excel) is this table with the files of the period filled in; a requirement whose evidence the
 * system does not (yet) record says so instead of pointing at nothing.
 *
 * Pure data: no I/O. The pack builder (modules/reporting/evidence) resolves each source to files.
 */

/** Evidence the pack carries, each in its place in the archive. */
export type PackSource =
  /** tickets/<number>.pdf (header, timeline, SLA outcome, rating) and tickets.xlsx */
  | 'tickets'
  /** the SLA outcome per ticket and metric: tickets.xlsx and index.xlsx 工单 sheet */
  | 'sla'
  /** repair-reports/: the signed 维修服务报告 as stored at the signing, and paper scans */
  | 'repair_reports'
  /** reports/: the service reports about the period, as issued (of `reportTypes`) */
  | 'service_reports'
  /** satisfaction.xlsx 满意度 sheet: ratings of the period */
  | 'satisfaction'
  /** satisfaction.xlsx 投诉 sheet and the complaint tickets' PDFs */
  | 'complaints'
  /** audit/: the customer's audit-log extract and the hash chain's verification */
  | 'audit'
  /** knowledge-weekly.xlsx: the knowledge base's articles created and updated per week (this customer's and 通用) */
  | 'knowledge'
  /** assets/asset-register.xlsx: the customer's asset register (资产台账) */
  | 'assets'
  /** assets/campaign-<id>.pdf/.xlsx: the verification campaigns (资产盘点记录) of the period */
  | 'verification'
  /** cmdb/machine-room-devices.xlsx: machine rooms, racks, UPS, network and security devices, servers, storage (R51) */
  | 'devices'
  /** parts/: the 备件领用单 of the period (each slip's PDF and a list) */
  | 'parts'
  /** repairs/: the 设备送修单 of the period with their progress reports (each order's PDF and a list) */
  | 'vendor_repairs';

/**
 * Evidence kept by modules that do not exist yet: the index says "本系统尚未记录（对应模块未启用）"
 * rather than pointing at a file. `issue` is where the module is planned.
 */
export const PENDING_MODULES = {
  inspections: { zh: '巡检记录', issue: 14 },
  changes: { zh: '变更记录', issue: 15 },
  problems: { zh: '问题记录', issue: 15 },
  emergencies: { zh: '应急事件报告', issue: 16 },
  drills: { zh: '应急演练记录', issue: 16 },
  cmdb: { zh: '配置与资产清单', issue: 13 },
  availability: { zh: '可用性记录', issue: 13 },
  callbacks: { zh: '回访与意见征询', issue: 17 },
  access: { zh: '权限申请与交接', issue: 18 },
} as const;
export type PendingModule = keyof typeof PENDING_MODULES;

/** Service report types (core/reporting/templates.ts). */
export type ServiceReportType = ReportType;
const ALL_REPORTS: ServiceReportType[] = [...REPORT_TYPE_CODES];

export interface EvidenceRequirement {
  /** R1…R55 (REQUIREMENTS §5.1) or K1… (§5.2, numbered here in table order). */
  id: string;
  group: 'report' | 'kpi';
  /** As the seeds name it. */
  zh: string;
  /** Target or cadence as the seeds state it. */
  target: string;
  /** The seed reference of REQUIREMENTS.md. */
  source: string;
  pack?: PackSource[];
  reportTypes?: ServiceReportType[];
  pending?: PendingModule[];
  /** Kept outside the system (paper, other tools): the provider supplies it separately. */
  offline?: true;
  /** Says how the evidence answers the requirement, where that is not obvious. */
  note?: string;
}

const r = (id: string, zh: string, target: string, source: string, e: Omit<EvidenceRequirement, 'id' | 'group' | 'zh' | 'target' | 'source'>): EvidenceRequirement => ({ id, group: 'report', zh, target, source, ...e });
const k = (id: string, zh: string, target: string, source: string, e: Omit<EvidenceRequirement, 'id' | 'group' | 'zh' | 'target' | 'source'>): EvidenceRequirement => ({ id, group: 'kpi', zh, target, source, ...e });
const OFFLINE = { offline: true } as const;

export const EVIDENCE_REQUIREMENTS: readonly EvidenceRequirement[] = [
  r('R1', '服务月报', '每月', '[000 L99]', { pack: ['service_reports'], reportTypes: ['monthly_service'] }),
  r('R2', '服务年报（含改进计划）', '每年', '[000 L100]', { pack: ['service_reports'], reportTypes: ['annual_om'] }),
  r('R3', '服务评估报告', '定期', '[000 L102]', OFFLINE),
  r('R4', '运维月/季/年报告', '每月/每季/每年', '[002 L153]', { pack: ['service_reports'], reportTypes: ['monthly_service', 'quarterly_om', 'annual_om'] }),
  r('R5', '重大事件服务报告', '按事件发生情况', '[002 L153]', { pending: ['emergencies'], pack: ['tickets'], note: '重大事件的处理过程见对应工单的时间线' }),
  r('R6', '巡检报告 / 巡检工作记录', '月度', '[002 L153]', { pending: ['inspections'] }),
  r('R7', '巡检记录（例行巡检、保养、消毒、除尘）', '每季度', '[002 L153]', { pending: ['inspections'] }),
  r('R8', '服务质量自检报告', '每月', '[002 L153]', { pack: ['service_reports'], reportTypes: ['quality_selfcheck'] }),
  r('R9', '系统安全分析报告', '每月', '[002 L153]', OFFLINE),
  r('R10', '系统/网络优化建议', '按客户计划', '[002 L153]', OFFLINE),
  r('R11', '评估报告；标准与流程定制；基线建立报告', '各一次', '[002 L153]', OFFLINE),
  r('R12', '文档管理库 / 知识库', '每周更新', '[002 L153]', { pack: ['knowledge'], note: '期间内每周新增与更新的知识文章（关于本客户的与通用的），无更新的周标为“否”；知识库正文在系统中维护，不随证据包导出' }),
  r('R13', '配置库/配置清单；资产库/资产清单', '每月补充 / 一次', '[002 L153]', { pack: ['assets', 'devices', 'verification'], note: '资产台账与机房设备清单为导出时的配置库；盘点记录为期间内的资产盘点' }),
  r('R14', '测试报告；管理规范建议书', '按客户计划', '[002 L153]', OFFLINE),
  r('R15', '日常维护单、设备维修单、设备送修单、支持服务记录（备件领用单）', '按请求', '[002 L153]', { pack: ['tickets', 'repair_reports', 'vendor_repairs', 'parts'] }),
  r('R16', '《月度服务总结》', '每月5日前', '[002 L177]', { pack: ['service_reports'], reportTypes: ['monthly_service'] }),
  r('R17', '《月度维修总结》', '每月10日前', '[002 L177]', { pack: ['service_reports'], reportTypes: ['monthly_repair'] }),
  r('R18', '技术月报', '每月', '[002 L177]', OFFLINE),
  r('R19', '厂商保修维修进展书面报告', '每3个工作日', '[002 L177]', { pack: ['vendor_repairs', 'tickets'], note: '每份送修单的进度报告（按时/逾期）见送修单 PDF 与 repairs/repair-orders.xlsx 的“进度报告”；报告同时作为工单的公开回复' }),
  r('R20', '《维护手册》', '及时', '[002 L177]', OFFLINE),
  r('R21', '服务光碟', '每季度', '[002 L177]', OFFLINE),
  r('R22', '技术文档', '每周', '[002 L184]', OFFLINE),
  r('R23', '系统运行报表（可用性、故障处理、工作量与质量统计）', '定期', '[002 L12]', { pack: ['service_reports', 'tickets', 'sla'], reportTypes: ['monthly_service'], pending: ['availability'] }),
  r('R24', '网络服务报告', '定期', '[000 L236]', { pack: ['service_reports'], reportTypes: ['monthly_service'] }),
  r('R25', '服务报告（工作、进展、服务绩效、潜在问题）', '定期', '[004 L147–151]', { pack: ['service_reports'], reportTypes: ALL_REPORTS }),
  r('R26', '服务执行报告', '定期', '[004 L262]', { pack: ['service_reports'], reportTypes: ALL_REPORTS }),
  r('R27', 'ITSS 服务报告', '按 SLA', '[004 L350]', { pack: ['service_reports', 'sla'], reportTypes: ALL_REPORTS }),
  r('R28', '维修服务报告（客户签字）', '每次维修', '[001 L263, L269, L318–331]', { pack: ['repair_reports'] }),
  r('R29', '故障分析报告', '按需', '[001 L321]', { pack: ['repair_reports', 'service_reports'], reportTypes: ['fault_analysis'], note: '每次维修的故障诊断与原因记于维修服务报告' }),
  r('R30', '维修技术总结', '每次维修', '[001 L330]', { pack: ['repair_reports'], note: '故障现象、原因、处理方法与更换备件记于维修服务报告' }),
  r('R31', '维修计划书', '每次现场维修', '[001 L294–298]', OFFLINE),
  r('R32', '维修质量记录季度统计报告', '按季度', '[001 L332–333]', { pack: ['service_reports'], reportTypes: ['repair_quality'] }),
  r('R33', '技术支持总结', '每年度一次', '[000 L36–37]', { pack: ['tickets'], offline: true, note: '年度总结由服务方另行编写；其依据（全年工单）见工单清单' }),
  r('R34', '每年运维服务报告', '每年', '[003 L58]', { pack: ['service_reports'], reportTypes: ['annual_om'] }),
  r('R35', '总结报告', '定期', '[003 L68]', { pack: ['service_reports'], reportTypes: ['quarterly_om', 'annual_om'] }),
  r('R36', '《维护工作客户意见征询表》', '每半年', '[003 L141]', { pack: ['satisfaction'], pending: ['callbacks'] }),
  r('R37', '客户满意度统计分析书面报告', '每维护年度', '[003 L143]', { pack: ['satisfaction', 'service_reports'], reportTypes: ['satisfaction_annual'] }),
  r('R38', '月设备故障分析报告', '每月', '[000 L303]', { pack: ['service_reports'], reportTypes: ['fault_analysis'] }),
  r('R39', '下月内部培训计划', '每月', '[000 L303]', OFFLINE),
  r('R40', '工作报告', '按要求及时', '[004 L15]', OFFLINE),
  r('R41', '每周防病毒部署统计；病毒事件评估', '每周', '[003 L249]', OFFLINE),
  r('R42', 'ITSS 例行操作报告', '按例行周期', '[004 L372]', { pending: ['inspections'] }),
  r('R43', 'ITSS 调研评估报告', '每次', '[004 L396–398]', OFFLINE),
  r('R44', 'ITSS 优化方案与回顾', '每次', '[004 L388]', OFFLINE),
  r('R45', 'ITSS 交付计划（含应急预案）', '策划时', '[004 L338–340]', { pending: ['drills'], offline: true }),
  r('R46', '重大投诉原因分析', '每次重大投诉', '[003 L56]', { pack: ['complaints'] }),
  r('R47', '运维交接计划', '每次交接', '[004 L115]', { pending: ['access'] }),
  r('R48', '缺少预生产环境的书面情况说明', '交接时', '[004 L189]', OFFLINE),
  r('R49', '《权限申请表》《服务部(设备)权限(口令)表》', '每次申请；每月复核', '[003 L113–115]', { pending: ['access'], pack: ['audit'], note: '系统账号与权限的变更记于审计日志' }),
  r('R50', '机房温湿度记录', '定期', '[000 L243]', { pending: ['inspections'] }),
  r('R51', '服务器设备记录', '每台设备', '[000 L254–255]', { pack: ['devices', 'assets'] }),
  r('R52', '更换项目经理或关键技术人员的书面报告', '每次更换', '[002 L45]', OFFLINE),
  r('R53', '变更记录（内容、时间、责任人、结果）', '每次变更', '[002 L10; 004 L19]', { pending: ['changes'] }),
  r('R54', '技术支持记录表', '每个问题', '[001 L72–85]', { pack: ['tickets'] }),
  r('R55', '服务台账', '持续', '[000 L96]', { pack: ['tickets'] }),

  k('K1', '响应时间', '按 SLA', '[000 L87; 004 L266]', { pack: ['sla'] }),
  k('K2', '故障处理（解决）时间', '按 SLA', '[000 L88]', { pack: ['sla'] }),
  k('K3', '故障处理率', '达到约定标准', '[000 L89]', { pack: ['tickets'] }),
  k('K4', '问题解决率', '考核项', '[000 L221]', { pack: ['tickets'], pending: ['problems'] }),
  k('K5', '服务满意度', '考核项', '[000 L221]', { pack: ['satisfaction'] }),
  k('K6', '客户投诉处理', '考核项', '[000 L221]', { pack: ['complaints'] }),
  k('K7', '服务态度', '考核项', '[000 L221]', { pack: ['satisfaction'] }),
  k('K8', '服务台一线解决率', '30%–50%', '[002 L171]', { pack: ['tickets'], note: '工单清单中的处理组与时间线表明由谁解决' }),
  k('K9', '客户投诉处理及时率', '100%', '[002 L129]', { pack: ['complaints', 'sla'] }),
  k('K10', '客户投诉完成率', '100%', '[002 L129]', { pack: ['complaints'] }),
  k('K11', '客户需求转化率', '100%', '[002 L129]', { pack: ['tickets'] }),
  k('K12', '可用性', '95%以上', '[002 L57]', { pending: ['availability'] }),
  k('K13', '诊断时间', '≤10 分钟', '[002 L109]', { pack: ['sla'], note: 'SLA 指标“诊断”' }),
  k('K14', '诊断差错率', '≤5%', '[002 L109]', { pack: ['tickets'], note: '诊断结果与最终处理结果均记于工单时间线' }),
  k('K15', '平均恢复时间（按客户等级）', '2 / 4 / 8 小时', '[000 L229–231]', { pack: ['sla'] }),
  k('K16', '一次性解决问题率', '确保一次性解决', '[004 L268]', { pack: ['tickets'], note: '重新打开记于工单时间线' }),
  k('K17', '服务可用性', '满足客户需求', '[004 L270]', { pending: ['availability'] }),
  k('K18', 'SLA 测量数据（响应、现场支持时间等）', '按 SLA', '[004 L350]', { pack: ['sla'] }),
  k('K19', '团队工作量与服务质量指标', '统计', '[002 L12]', { pack: ['tickets', 'service_reports'], reportTypes: ['quality_selfcheck'] }),
  k('K20', '维修报告质量', '工程师服务质量主要指标', '[001 L327]', { pack: ['repair_reports'] }),
  k('K21', '服务台运行时限（5/10/30/10/20 分钟）', 'T11', '[002 L177]', { pack: ['tickets'], note: '服务台 OLA 计时与超时记于工单时间线' }),
  k('K22', '维修周转（第二个周末前返回；每3个工作日报告进展）', '按承诺', '[002 L177]', { pack: ['vendor_repairs', 'tickets', 'repair_reports'], note: '送修单的目标返回日、返回时间与进度报告见 repairs/' }),
  k('K23', '审计记录完整（日志哈希链）', '不可篡改', 'ITSS 交付检查', { pack: ['audit'] }),
];

/** The service records the seeds ask for that the pack lists in a section of their own. */
export const RECORD_SECTIONS: ReadonlyArray<{ key: PendingModule | PackSource; zh: string }> = [
  { key: 'tickets', zh: '工单记录（事件、服务请求、咨询、投诉）' },
  { key: 'repair_reports', zh: '维修服务报告' },
  { key: 'service_reports', zh: '服务报告（月报、季报、年报等）' },
  { key: 'satisfaction', zh: '满意度与投诉' },
  { key: 'audit', zh: '审计日志与哈希链校验' },
  { key: 'knowledge', zh: '知识库每周更新记录' },
  { key: 'assets', zh: '资产台账与机房设备清单' },
  { key: 'verification', zh: '资产盘点记录' },
  { key: 'parts', zh: '备件领用单' },
  { key: 'vendor_repairs', zh: '设备送修单与进度报告' },
  { key: 'inspections', zh: PENDING_MODULES.inspections.zh },
  { key: 'changes', zh: PENDING_MODULES.changes.zh },
  { key: 'emergencies', zh: PENDING_MODULES.emergencies.zh },
  { key: 'drills', zh: PENDING_MODULES.drills.zh },
];

/** The words the index uses for evidence the system does not keep. */
export const NOT_RECORDED_ZH = '本系统尚未记录（对应模块未启用）';
export const OFFLINE_ZH = '不在本系统记录范围，由服务方另行提供';
