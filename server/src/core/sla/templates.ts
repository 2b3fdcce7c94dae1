import { BUILTIN_CALENDAR_NAMES, type BuiltinCalendarId } from '../calendar/builtin.js';
import type { CalendarSpec, Interval, IsoWeekday } from '../calendar/types.js';
import type { PriorityLevel } from '../priority.js';
import { ANY_PRIORITY, type EscalationStep, type SlaPolicy, type SlaTarget } from './types.js';

/**
 * SLA templates from the seed documents, numbers exactly as in shared/spec/REQUIREMENTS.md §3
 * (tables T1–T6; T11 below; T14 is checked in templates.test.ts). The schemes are independent
 * and their level names collide (§0.5 C3), so each template brings its own levels.
 *
 * Choices the seeds leave open, made here and explained in docs/sla-rules.md:
 * - targets in hours without a stated service time are clock hours (`24x7`); "5*8" and working
 *   days use `cn-5x8` (Mon–Fri 08:00–12:00, 13:00–17:00 with a lunch hour and China's holidays;
 *   `cn-5x8-continuous` is the 08:00–17:00 alternative an admin can switch a target to);
 * - warnings at 50% and 80% and one escalation to the project manager at the breach: the seeds
 *   have no warning or escalation rules (T13: ITSS Annex C is absent);
 * - resolution pauses while waiting for the customer; waiting for a vendor does not pause it,
 *   because vendor time is the provider's own risk (T12, OLA example).
 */
export interface SlaTemplate {
  id: 'T1' | 'T2' | 'T3' | 'T4' | 'T5' | 'T6';
  name: string;
  /** The requirements table and seed lines the numbers come from. */
  source: string;
  /** Priority levels the policies' targets are keyed by (none when targets apply to any priority). */
  levels: PriorityLevel[];
  /** Calendars the template needs besides the built-ins. */
  calendars: CalendarSpec[];
  policies: SlaPolicy[];
  /** Commitments of the source that are not a per-ticket clock. */
  notes: string[];
  /** The calendars the policies' targets count on, with their names (the card says which 5×8 it is). */
  calendarsUsed: Array<{ id: string; name: string }>;
}

const WARNINGS = [50, 80];
const ESCALATION: EscalationStep[] = [{ afterPercent: 100, notify: { roles: ['pm'] }, action: 'notify' }];
const PAUSE_ON = { resolution: ['waiting_customer'] };

const minutes = (amount: number, calendarId = '24x7'): SlaTarget => ({ amount, unit: 'minutes', calendarId });
const hours = (amount: number, calendarId = '24x7'): SlaTarget => ({ amount, unit: 'hours', calendarId });
const workdays = (amount: number): SlaTarget => ({ amount, unit: 'workdays', calendarId: 'cn-5x8' });
/** On site "after diagnosis" (确诊后): the clock starts at the diagnosis. */
const afterDiagnosis = (target: SlaTarget): SlaTarget => ({ ...target, startEvent: 'diagnosed' });
/** Two-stage: usually within `target`, at the latest within `latest`. */
const atLatest = (target: SlaTarget, latest: SlaTarget): SlaTarget => ({ ...target, latest: latest.calendarId === target.calendarId ? { amount: latest.amount, unit: latest.unit } : latest });

function policy(id: string, name: string, targets: SlaPolicy['targets']): SlaPolicy {
  return { id, name, targets, pauseOn: structuredClone(PAUSE_ON), warnings: [...WARNINGS], escalation: structuredClone(ESCALATION) };
}

function dailyCalendar(id: string, name: string, hoursOfDay: Interval): CalendarSpec {
  const day = [hoursOfDay];
  const weekly = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, day])) as Record<IsoWeekday, Interval[]>;
  return { id, name, timeZone: 'Asia/Shanghai', weekly, holidays: [], workdays: [] };
}

/** The templates, freshly built (callers may edit them into their own policies). */
export function slaTemplates(): SlaTemplate[] {
  return templateList().map((t) => {
    const ids = new Set<string>();
    for (const p of t.policies) for (const targets of Object.values(p.targets)) for (const target of Object.values(targets)) {
      if (!target) continue;
      ids.add(target.calendarId);
      if (target.latest?.calendarId) ids.add(target.latest.calendarId);
    }
    const name = (id: string) => BUILTIN_CALENDAR_NAMES[id as BuiltinCalendarId] ?? t.calendars.find((c) => c.id === id)?.name ?? id;
    return { ...t, calendarsUsed: [...ids].map((id) => ({ id, name: name(id) })) };
  });
}

function templateList(): Array<Omit<SlaTemplate, 'calendarsUsed'>> {
  return [
    {
      id: 'T1',
      name: '应急事件级别（一般/重要/紧急）',
      source: 'REQUIREMENTS §3 T1; 应急响应服务方案 [000 L12–14]',
      levels: [
        { code: 'urgent', name: '紧急', rank: 1 },
        { code: 'important', name: '重要', rank: 2 },
        { code: 'general', name: '一般', rank: 3 },
      ],
      calendars: [],
      policies: [
        // As written: the resolve time grows with severity (§0.5 C2).
        policy('t1-emergency-levels', '应急事件级别', {
          urgent: { response: minutes(15), resolution: hours(8) },
          important: { response: minutes(30), resolution: hours(4) },
          general: { response: hours(1), resolution: hours(2) },
        }),
      ],
      notes: ['级别按影响范围、影响程度、影响时间划分 (classified by impact scope, degree and duration).'],
    },
    {
      id: 'T2',
      name: '紧急程度 A/B/C 与一级/二级服务',
      source: 'REQUIREMENTS §3 T2; 技术服务级别及响应规范 [000 L17–25, L40–43, L196–202]',
      levels: [
        { code: 'A', name: 'A级（严重，系统无法使用）', rank: 1 },
        { code: 'B', name: 'B级（紧急，系统遭到严重破坏）', rank: 2 },
        { code: 'C', name: 'C级（一般，有问题但不太严重）', rank: 3 },
      ],
      calendars: [],
      policies: [
        // 一级服务 (A, B): 7*24, on site within 2 h; 二级服务 (C): 5*8, on site within 4 h.
        policy('t2-service-levels', '一级/二级服务', {
          A: { onsite: afterDiagnosis(hours(2)) },
          B: { onsite: afterDiagnosis(hours(2)) },
          C: { onsite: afterDiagnosis(hours(4, 'cn-5x8')) },
        }),
      ],
      notes: [
        '到场时限自"确诊后"起算：到场时钟在记录诊断（"诊断"操作）时开始 (on-site time counts from the diagnosis, recorded by the "diagnose" action).',
        '一级服务非工作时间远程支持，主机宕机时立即通知供应商现场支持 (一级: remote support off hours; vendor called at once if a host goes down).',
        '响应时间以小时和工作日为单位 (response is measured in hours and working days) [000 L31].',
      ],
    },
    {
      id: 'T3',
      name: '四级服务（紧急/优先/常规/咨询）',
      source: 'REQUIREMENTS §3 T3; 服务级别管理规定 [000 L207–214]',
      levels: [
        { code: 'emergency', name: '紧急服务', rank: 1 },
        { code: 'priority', name: '优先服务', rank: 2 },
        { code: 'routine', name: '常规服务', rank: 3 },
        { code: 'consulting', name: '咨询服务', rank: 4 },
      ],
      calendars: [],
      policies: [
        policy('t3-four-levels', '四级服务', {
          emergency: { response: minutes(30), resolution: hours(2) },
          priority: { response: hours(4), resolution: hours(12) },
          routine: { response: hours(24), resolution: workdays(5) },
          consulting: { response: workdays(5), resolution: workdays(10) },
        }),
      ],
      notes: ['适用于客服中心、技术支持和售后服务等所有服务部门 (applies to every service department) [000 L205].'],
    },
    {
      id: 'T4',
      name: '集团客户网络分级（一级/二级/三级）',
      source: 'REQUIREMENTS §3 T4; 移动集团客户网络分级服务SLA规范范本 [000 L226–234]',
      levels: [],
      // "12小时 / 8小时不间断" give a daily span but not its hours: 08:00–20:00 and 09:00–17:00 are our choice.
      calendars: [dailyCalendar('t4-7x12', '每天12小时（08:00–20:00）', { start: '08:00', end: '20:00' }), dailyCalendar('t4-7x8', '每天8小时（09:00–17:00）', { start: '09:00', end: '17:00' })],
      policies: [
        policy('t4-tier1', '一级网络客户', { [ANY_PRIORITY]: { response: minutes(30), resolution: hours(2) } }),
        policy('t4-tier2', '二级网络客户', { [ANY_PRIORITY]: { response: hours(1, 't4-7x12'), resolution: hours(4, 't4-7x12') } }),
        policy('t4-tier3', '三级网络客户', { [ANY_PRIORITY]: { response: hours(2, 't4-7x8'), resolution: hours(8, 't4-7x8') } }),
      ],
      notes: [
        '一级：重要客户，24小时不间断监控维护，平均恢复时间2小时以内 (tier 1: mean recovery ≤ 2 h).',
        '二级：一般企业客户，12小时不间断，平均恢复时间4小时以内 (tier 2: mean recovery ≤ 4 h).',
        '三级：小型企业或个人，8小时不间断，平均恢复时间8小时以内 (tier 3: mean recovery ≤ 8 h).',
        '例行维护提前通知客户并在非工作时间进行；提供技术支持、定期服务报告和培训 [000 L234–237].',
      ],
    },
    {
      id: 'T5',
      name: '售后服务响应（5分钟/1小时/3小时）',
      source: 'REQUIREMENTS §3 T5; 售后服务响应 [000 L66–67]',
      levels: [],
      calendars: [],
      // "一般问题3小时内解决故障，最迟在第2个工作日内排除错误": two stages, the breach at the end of the 2nd working day (cn-5x8).
      policies: [policy('t5-after-sales', '售后服务响应', { [ANY_PRIORITY]: { response: minutes(5), onsite: hours(1), resolution: atLatest(hours(3), workdays(2)) } })],
      notes: [
        '一般问题3小时内解决（未达成为预警）；最迟在第2个工作日内排除错误（超时） (general problems in 3 h — missed is a warning; the breach at the end of the 2nd working day).',
        '2个工作日内不能解决的，采取临时应急措施保证使用 (if not fixed in 2 working days, temporary measures).',
        '7*24小时电话支持 (7×24 phone support).',
      ],
    },
    {
      id: 'T6',
      name: '广州运维服务质量承诺（5分钟/10分钟诊断/1小时，最迟3小时）',
      source: 'REQUIREMENTS §3 T6; 运维服务质量承诺书 [002 L106–117]',
      levels: [],
      calendars: [],
      policies: [
        policy('t6-guangzhou', '广州运维服务质量承诺', {
          [ANY_PRIORITY]: { response: minutes(5), diagnosis: minutes(10), resolution: atLatest(hours(1), hours(3)) },
        }),
      ],
      notes: [
        '7×24小时故障受理电话；接障后5分钟内响应并详细记录故障现象 (7×24 line; respond within 5 min, symptom recorded).',
        '10分钟内准确诊断并告知用户故障原因（"诊断"操作记录结果与是否远程） (diagnose within 10 min and tell the user the cause).',
        '一般在1小时内解决（未达成为预警），最迟在3小时内解决（超时） (usually 1 h — missed is a warning; 3 h at the latest — the breach).',
        '诊断差错率控制在5%以内 (diagnosis error rate within 5%).',
      ],
    },
  ];
}

/** T11: the service desk's own time limits (服务台, 越维科技 [002 L171–189]); internal, not customer SLA clocks. */
export const SERVICE_DESK_LIMITS = {
  /** 远程指导时间不应超过5分钟 */
  remoteGuidanceMaxMinutes: 5,
  /** 受理后10分钟内完成分派 */
  dispatchWithinMinutes: 10,
  /** 派单后30分钟内落实任务执行情况 */
  confirmExecutionWithinMinutes: 30,
  /** 工程师迟到或不能到场：10分钟内联系用户并重新派单 */
  redispatchWithinMinutes: 10,
  /** 现场工程师异常事件20分钟内上报项目经理 */
  escalateToProjectManagerWithinMinutes: 20,
  /** 30%–50% 的故障支持请求应在服务台解决 */
  firstLineResolutionShare: { min: 0.3, max: 0.5 },
  /** 厂商保修维修进度每3个工作日书面通报 */
  vendorProgressEveryWorkdays: 3,
  /** 送修后第二个周末前设备修复并送抵最终用户现场 */
  repairReturnBeforeNthWeekend: 2,
  /** 每月5日前完成上月《月度服务总结》 */
  monthlyServiceSummaryByDay: 5,
  /** 每月10日前完成《月度维修总结》 */
  monthlyRepairSummaryByDay: 10,
  /** 资产台账每年2次巡检核对 */
  assetChecksPerYear: 2,
} as const;
