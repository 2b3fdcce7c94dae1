/**
 * The KPI catalogue (issue #11 item 1, REQ §5.2), as data: every figure the dashboards, the
 * reports and the API show is one of these definitions, computed by one function
 * (`kpiValue`) from the same additive sums, so the numbers never disagree. docs/KPIS.md
 * explains each with a worked example.
 *
 * Most KPIs are ratios or means of additive **measures**: per ticket and local day, counts and
 * sums (core/reporting/contributions.ts) that the daily rollup adds up. A few need the tickets
 * themselves (`special`): the backlog at the period's end and its ageing. The 90th percentiles
 * are read off duration histograms whose bucket counts are measures like the others
 * (core/reporting/histogram.ts).
 */
import { bucketsOf, histPercentile, type HistKey, type HistMetric } from './histogram.js';

/** The additive measures: columns of `kpi_daily`, one contribution each per ticket and local day. */
export const MEASURES = [
  'opened',
  'resolved',
  'resolved_reopened',
  'closed',
  'cancelled',
  'flr_num',
  'flr_den',
  'complaints',
  'complaints_done',
  'cmp_timely',
  'cmp_timed',
  'resp_met',
  'resp_breached',
  'resp_ms',
  'resp_n',
  'reso_met',
  'reso_breached',
  'reso_ms',
  'reso_n',
  'onsite_met',
  'onsite_breached',
  'diag_met',
  'diag_breached',
  'rating_n',
  'rating_sum',
  'rating_good',
  'rr_done',
  'rr_ontime',
  'rr_signed',
] as const;
export type Measure = (typeof MEASURES)[number];
/** The fixed measures, and at run time any duration-histogram bucket counts (`h:resp:17`). */
export type Sums = Record<Measure, number> & { [k: HistKey]: number };
/** A contribution or delta: some measures and bucket counts. */
export type PartialSums = Partial<Record<Measure, number>> & { [k: HistKey]: number };

export function emptySums(): Sums {
  return Object.fromEntries(MEASURES.map((m) => [m, 0])) as Sums;
}

/** Adds (or with sign −1 subtracts) measures into `into`; measures missing on either side count as 0. */
export function addSums<T extends PartialSums>(into: T, add: PartialSums, sign = 1): T {
  const target = into as Record<string, number>;
  const source = add as Record<string, number>;
  for (const k in source) target[k] = (target[k] ?? 0) + sign * (source[k] ?? 0);
  return into;
}

export type KpiUnit = 'percent' | 'duration_ms' | 'count' | 'score';

/** `special` KPIs are not sums of the daily measures; the metrics service computes them from the tickets. */
export type Special = 'backlog' | 'age_lt1d' | 'age_1to3d' | 'age_3to7d' | 'age_7to30d' | 'age_gt30d';

/**
 * `direct` KPIs of the CMDB family (spare parts, vendor repairs: issue #13) are not ticket
 * measures: the metrics service computes them per period from their own tables
 * (modules/reporting/metrics.cmdb.ts), attributed to local days in the customer's zone like the
 * others. They group by time, customer and tier only (the ticket dimensions do not apply).
 */
export type Direct = 'vendor_reports' | 'vendor_returns' | 'vendor_turnaround' | 'standins_overdue' | 'requisitions';

export interface Text2 {
  zh: string;
  en: string;
}

export interface KpiDef {
  code: string;
  /** Dashboard grouping: 量 / SLA / 时长 / 质量. */
  group: 'volume' | 'backlog' | 'sla' | 'time' | 'quality';
  label: Text2;
  description: Text2;
  unit: KpiUnit;
  /** Which way is good: a band has a min and a max; 'none' for plain volumes. */
  better: 'higher' | 'lower' | 'band' | 'none';
  /** Target in the KPI's unit (percent 0–100, ms, score): at least `min`, at most `max`. */
  target?: { min?: number; max?: number; source: string };
  /** Targets by customer tier (一级/二级/三级), in the KPI's unit (the mean recovery time, REQ §5.2). */
  targetByTier?: Record<number, number>;
  numerator: Text2;
  denominator: Text2 | null;
  /** The day a ticket's contribution belongs to (the defining event), in the customer's zone. */
  attribution: Text2;
  /** Additive formula: value = Σnum / Σden (× 100 for percent); a count has no den. */
  num?: Measure[];
  den?: Measure[];
  /** A 90th percentile: read off this metric's duration histogram; `den` counts its durations. */
  percentileOf?: HistMetric;
  special?: Special;
  direct?: Direct;
}

const H = 3_600_000;

const COUNTED: Text2 = {
  zh: '计入的工单：未取消、且不是另一工单的重复（未以“重复”关联到另一工单）',
  en: 'counted tickets: not cancelled and not linked as a duplicate of another ticket',
};

function slaRate(metric: 'response' | 'resolution' | 'onsite' | 'diagnosis', zh: string, en: string, met: Measure, breached: Measure, extra: Partial<KpiDef> = {}): KpiDef[] {
  return [
    {
      code: `sla.${metric}.met_rate`,
      group: 'sla',
      label: { zh: `${zh}达标率`, en: `${en} SLA met` },
      description: {
        zh: `按合同SLA计时的${zh}时钟中按时达成的比例。使用SLA引擎记录的结果（暂停时间已按SLA扣除），不重新计算。`,
        en: `Share of the ${en.toLowerCase()} clocks, counted per the contract's SLA, that were met on time. Uses the outcome the SLA engine recorded (paused time already excluded per the SLA); nothing is recomputed.`,
      },
      unit: 'percent',
      better: 'higher',
      numerator: { zh: `按时达成的${zh}时钟数`, en: `${en} clocks met on time` },
      denominator: { zh: `已有结果（达成或超时）的${zh}时钟数；已取消的时钟与仍在计时的不计`, en: `${en} clocks with an outcome (met or breached); cancelled and still running clocks do not count` },
      attribution: { zh: '时钟结束之日：达成时刻或超时时刻（当地日期）', en: 'the day the clock ended: when it was met, or when it breached (local date)' },
      num: [met],
      den: [met, breached],
      ...extra,
    },
    {
      code: `sla.${metric}.breached`,
      group: 'sla',
      label: { zh: `${zh}超时数`, en: `${en} SLA breaches` },
      description: { zh: `超过SLA时限的${zh}时钟数（超时之日计入）。`, en: `${en} clocks that breached their SLA target (counted on the day of the breach).` },
      unit: 'count',
      better: 'lower',
      numerator: { zh: `超时的${zh}时钟数`, en: `${en} clocks breached` },
      denominator: null,
      attribution: { zh: '超时之日', en: 'the day of the breach' },
      num: [breached],
    },
  ];
}

function ageing(special: Special, suffix: string, zh: string, en: string): KpiDef {
  return {
    code: `backlog.age.${suffix}`,
    group: 'backlog',
    label: { zh: `积压账龄 ${zh}`, en: `Backlog aged ${en}` },
    description: { zh: `期末仍未解决的工单中，自报告起已过 ${zh} 的数量。`, en: `Tickets still unresolved at the period's end that were reported ${en} before it.` },
    unit: 'count',
    better: 'lower',
    numerator: { zh: `期末未解决、账龄 ${zh} 的计入工单数`, en: `counted tickets unresolved at the end, aged ${en}` },
    denominator: null,
    attribution: { zh: '期末时刻（当地午夜）', en: 'the end of the period (local midnight)' },
    special,
  };
}

export const KPIS: KpiDef[] = [
  {
    code: 'tickets.opened',
    group: 'volume',
    label: { zh: '新增工单', en: 'Tickets opened' },
    description: { zh: '报告时间在期内的计入工单数。', en: 'Counted tickets reported in the period.' },
    unit: 'count',
    better: 'none',
    numerator: COUNTED,
    denominator: null,
    attribution: { zh: '报告之日（reportedAt 的当地日期）', en: 'the reported day (local date of reportedAt)' },
    num: ['opened'],
  },
  {
    code: 'tickets.resolved',
    group: 'volume',
    label: { zh: '已解决工单', en: 'Tickets resolved' },
    description: { zh: '期内解决的计入工单数（重新打开后再解决的，按最后一次解决计）。', en: 'Counted tickets resolved in the period (a reopened ticket counts at its latest resolution).' },
    unit: 'count',
    better: 'none',
    numerator: COUNTED,
    denominator: null,
    attribution: { zh: '解决之日', en: 'the resolved day' },
    num: ['resolved'],
  },
  {
    code: 'tickets.closed',
    group: 'volume',
    label: { zh: '已关闭工单', en: 'Tickets closed' },
    description: { zh: '期内关闭的计入工单数。', en: 'Counted tickets closed in the period.' },
    unit: 'count',
    better: 'none',
    numerator: COUNTED,
    denominator: null,
    attribution: { zh: '关闭之日', en: 'the closed day' },
    num: ['closed'],
  },
  {
    code: 'tickets.cancelled',
    group: 'volume',
    label: { zh: '已取消工单', en: 'Tickets cancelled' },
    description: { zh: '期内取消的工单数（取消的工单不计入其他指标）。', en: 'Tickets cancelled in the period (cancelled tickets count in no other KPI).' },
    unit: 'count',
    better: 'none',
    numerator: { zh: '取消的工单，含重复工单', en: 'cancelled tickets, duplicates included' },
    denominator: null,
    attribution: { zh: '取消之日', en: 'the cancelled day' },
    num: ['cancelled'],
  },
  {
    code: 'backlog.open',
    group: 'backlog',
    label: { zh: '期末积压', en: 'Backlog at period end' },
    description: { zh: '期末（当地午夜）仍未解决的计入工单数：报告于期末前，且未在期末前解决。', en: 'Counted tickets unresolved at the end of the period (local midnight): reported before it and not resolved before it.' },
    unit: 'count',
    better: 'lower',
    numerator: COUNTED,
    denominator: null,
    attribution: { zh: '期末时刻', en: 'the end of the period' },
    special: 'backlog',
  },
  ageing('age_lt1d', 'lt1d', '不足1天', 'under 1 day'),
  ageing('age_1to3d', '1to3d', '1–3天', '1–3 days'),
  ageing('age_3to7d', '3to7d', '3–7天', '3–7 days'),
  ageing('age_7to30d', '7to30d', '7–30天', '7–30 days'),
  ageing('age_gt30d', 'gt30d', '30天以上', 'over 30 days'),
  ...slaRate('response', '响应', 'Response', 'resp_met', 'resp_breached'),
  ...slaRate('resolution', '解决', 'Resolution', 'reso_met', 'reso_breached'),
  ...slaRate('onsite', '到场', 'On-site', 'onsite_met', 'onsite_breached'),
  ...slaRate('diagnosis', '诊断', 'Diagnosis', 'diag_met', 'diag_breached', {
    description: {
      zh: '合同SLA含诊断时限（如T6“10分钟内准确诊断”）的工单中，按时诊断（首次“诊断”记录）的比例。无诊断时限的合同不计。',
      en: 'Of the tickets whose contract has a diagnosis target (e.g. T6 "diagnosed within 10 minutes"), the share diagnosed (first diagnosis entry) on time. Contracts without a diagnosis target do not count.',
    },
    target: { min: 100, source: 'REQ §5.2: 诊断时间 ≤ 10 分钟 [002 L109]' },
  }),
  {
    code: 'time.respond.mean',
    group: 'time',
    label: { zh: '平均响应时长', en: 'Mean time to respond' },
    description: {
      zh: '响应时钟已达成的工单，从计时起点到响应所用的SLA计时时长（按SLA日历的工作时间、扣除暂停）的平均值。',
      en: 'Mean SLA time to respond of the tickets whose response clock stopped: working time on the SLA calendar from the clock start to the response, pauses excluded (the SLA engine\'s elapsed time).',
    },
    unit: 'duration_ms',
    better: 'lower',
    numerator: { zh: '各响应时钟的计时时长之和', en: 'sum of the response clocks\' elapsed time' },
    denominator: { zh: '已响应（时钟停止）的时钟数', en: 'response clocks that stopped (responded)' },
    attribution: { zh: '响应之日', en: 'the responded day' },
    num: ['resp_ms'],
    den: ['resp_n'],
  },
  {
    code: 'time.respond.p90',
    group: 'time',
    label: { zh: '响应时长P90', en: 'Time to respond, 90th percentile' },
    description: {
      zh: '同“平均响应时长”的工单，计时时长的第90百分位（最近秩法）；时长先向上取整到分钟（4小时以上按1%分档，取档内最大的整分钟）。',
      en: 'The 90th percentile (nearest rank) of the same elapsed times as the mean time to respond, each rounded up to the whole minute (above 4 hours in 1 % wide buckets, counted as the largest whole minute in the bucket).',
    },
    unit: 'duration_ms',
    better: 'lower',
    numerator: { zh: '排序后第 ⌈0.9·n⌉ 个时长', en: 'the ⌈0.9·n⌉-th elapsed time in ascending order' },
    denominator: { zh: '已响应的时钟数 n', en: 'response clocks that stopped, n' },
    attribution: { zh: '响应之日', en: 'the responded day' },
    den: ['resp_n'],
    percentileOf: 'resp',
  },
  {
    code: 'time.restore.mean',
    group: 'time',
    label: { zh: '平均恢复时长', en: 'Mean time to restore' },
    description: {
      zh: '解决时钟已停止的工单，从计时起点到解决所用的SLA计时时长（按SLA日历、扣除暂停）的平均值。按客户等级的目标：一级2小时、二级4小时、三级8小时（REQ §5.2 平均恢复时间）。',
      en: 'Mean SLA time to restore of the tickets whose resolution clock stopped: working time on the SLA calendar from the clock start to the resolution, pauses excluded. Targets by customer tier: 2 h / 4 h / 8 h (REQ §5.2 mean recovery time).',
    },
    unit: 'duration_ms',
    better: 'lower',
    targetByTier: { 1: 2 * H, 2: 4 * H, 3: 8 * H },
    target: { max: 8 * H, source: 'REQ §5.2 平均恢复时间 2/4/8 h by tier [000 L229–231]' },
    numerator: { zh: '各解决时钟的计时时长之和', en: 'sum of the resolution clocks\' elapsed time' },
    denominator: { zh: '已解决（时钟停止）的时钟数', en: 'resolution clocks that stopped (resolved)' },
    attribution: { zh: '解决之日（时钟停止之日）', en: 'the day the resolution clock stopped' },
    num: ['reso_ms'],
    den: ['reso_n'],
  },
  {
    code: 'time.restore.p90',
    group: 'time',
    label: { zh: '恢复时长P90', en: 'Time to restore, 90th percentile' },
    description: {
      zh: '同“平均恢复时长”的工单，计时时长的第90百分位（最近秩法）；时长先向上取整到分钟（4小时以上按1%分档，取档内最大的整分钟）。',
      en: 'The 90th percentile (nearest rank) of the same elapsed times as the mean time to restore, each rounded up to the whole minute (above 4 hours in 1 % wide buckets, counted as the largest whole minute in the bucket).',
    },
    unit: 'duration_ms',
    better: 'lower',
    numerator: { zh: '排序后第 ⌈0.9·n⌉ 个时长', en: 'the ⌈0.9·n⌉-th elapsed time in ascending order' },
    denominator: { zh: '已解决的时钟数 n', en: 'resolution clocks that stopped, n' },
    attribution: { zh: '解决之日', en: 'the resolved day' },
    den: ['reso_n'],
    percentileOf: 'reso',
  },
  {
    code: 'flr.rate',
    group: 'quality',
    label: { zh: '一线解决率', en: 'First-line resolution rate' },
    description: {
      zh: '期内解决的故障与服务请求中，由服务台解决的比例：从未派给服务台以外的团队、从未职能升级。目标区间30%–50%（REQ §5.2）。',
      en: 'Of the incidents and service requests resolved in the period, the share the service desk resolved itself: never dispatched to a team other than a service desk team and never escalated functionally. Target band 30–50 % (REQ §5.2).',
    },
    unit: 'percent',
    better: 'band',
    target: { min: 30, max: 50, source: 'REQ §5.2: 服务台一线解决 30%–50% [002 L171]' },
    numerator: { zh: '由服务台解决的故障与服务请求', en: 'incidents and requests resolved at the service desk' },
    denominator: { zh: '期内解决的计入故障与服务请求（不含咨询、投诉）', en: 'counted incidents and requests resolved in the period (not consultations, not complaints)' },
    attribution: { zh: '解决之日', en: 'the resolved day' },
    num: ['flr_num'],
    den: ['flr_den'],
  },
  {
    code: 'satisfaction.mean',
    group: 'quality',
    label: { zh: '平均满意度', en: 'Mean satisfaction' },
    description: { zh: '客户对工单的评分（1–5）的平均值。', en: 'Mean of the customers\' ticket ratings (1–5).' },
    unit: 'score',
    better: 'higher',
    numerator: { zh: '评分之和', en: 'sum of the scores' },
    denominator: { zh: '评价数', en: 'ratings' },
    attribution: { zh: '评价之日', en: 'the rated day' },
    num: ['rating_sum'],
    den: ['rating_n'],
  },
  {
    code: 'satisfaction.good_rate',
    group: 'quality',
    label: { zh: '满意率', en: 'Satisfied share' },
    description: { zh: '评分为4或5的评价所占比例。', en: 'Share of ratings that are 4 or 5.' },
    unit: 'percent',
    better: 'higher',
    numerator: { zh: '评分4或5的评价数', en: 'ratings of 4 or 5' },
    denominator: { zh: '评价数', en: 'ratings' },
    attribution: { zh: '评价之日', en: 'the rated day' },
    num: ['rating_good'],
    den: ['rating_n'],
  },
  {
    code: 'satisfaction.rated',
    group: 'quality',
    label: { zh: '评价数', en: 'Ratings' },
    description: { zh: '期内收到的满意度评价数。', en: 'Satisfaction ratings received in the period.' },
    unit: 'count',
    better: 'none',
    numerator: { zh: '计入工单的评价数', en: 'ratings of counted tickets' },
    denominator: null,
    attribution: { zh: '评价之日', en: 'the rated day' },
    num: ['rating_n'],
  },
  {
    code: 'complaints.count',
    group: 'quality',
    label: { zh: '投诉数', en: 'Complaints' },
    description: { zh: '期内受理的投诉（类型为“投诉”的工单）数。', en: 'Complaints (tickets of kind complaint) lodged in the period.' },
    unit: 'count',
    better: 'lower',
    numerator: { zh: '报告于期内的计入投诉工单', en: 'counted complaint tickets reported in the period' },
    denominator: null,
    attribution: { zh: '受理（报告）之日', en: 'the reported day' },
    num: ['complaints'],
  },
  {
    code: 'complaints.timely_rate',
    group: 'quality',
    label: { zh: '投诉处理及时率', en: 'Complaint handling timeliness' },
    description: {
      zh: '投诉工单的解决时钟中按时达成的比例（投诉按合同SLA计时，与其他工单相同）。目标100%（REQ §5.2）。',
      en: 'Share of the complaint tickets\' resolution clocks met on time (complaints are timed by the contract\'s SLA like any ticket). Target 100 % (REQ §5.2).',
    },
    unit: 'percent',
    better: 'higher',
    target: { min: 100, source: 'REQ §5.2: 客户投诉处理及时率 100% [002 L129]' },
    numerator: { zh: '按时解决的投诉', en: 'complaints resolved on time' },
    denominator: { zh: '解决时钟已有结果的投诉', en: 'complaints whose resolution clock has an outcome' },
    attribution: { zh: '解决时钟结束之日', en: 'the day the resolution clock ended' },
    num: ['cmp_timely'],
    den: ['cmp_timed'],
  },
  {
    code: 'complaints.completion_rate',
    group: 'quality',
    label: { zh: '投诉完成率', en: 'Complaint completion rate' },
    description: {
      zh: '期内受理的投诉中，目前已解决或关闭的比例。目标100%（REQ §5.2）。',
      en: 'Of the complaints lodged in the period, the share resolved or closed by now. Target 100 % (REQ §5.2).',
    },
    unit: 'percent',
    better: 'higher',
    target: { min: 100, source: 'REQ §5.2: 客户投诉完成率 100% [002 L129]' },
    numerator: { zh: '已解决或关闭的投诉', en: 'complaints resolved or closed' },
    denominator: { zh: '期内受理的计入投诉', en: 'counted complaints lodged in the period' },
    attribution: { zh: '受理（报告）之日', en: 'the reported day' },
    num: ['complaints_done'],
    den: ['complaints'],
  },
  {
    code: 'reopen.rate',
    group: 'quality',
    label: { zh: '重开率', en: 'Reopen rate' },
    description: { zh: '期内解决的工单中，曾被重新打开（解决或关闭后重开、客户不认可解决）的比例。', en: 'Of the tickets resolved in the period, the share that were ever reopened (after a resolution or closure, or the customer rejecting the resolution).' },
    unit: 'percent',
    better: 'lower',
    numerator: { zh: '曾重开过的已解决工单', en: 'resolved tickets that were reopened before' },
    denominator: { zh: '期内解决的计入工单', en: 'counted tickets resolved in the period' },
    attribution: { zh: '（最后一次）解决之日', en: 'the (latest) resolved day' },
    num: ['resolved_reopened'],
    den: ['resolved'],
  },
  {
    code: 'repair.signed',
    group: 'quality',
    label: { zh: '已签字维修报告', en: 'Repair reports signed' },
    description: { zh: '期内客户签字（屏幕签字或纸质签字扫描）的维修服务报告数。', en: 'Repair service reports the customer signed in the period (on screen or on paper).' },
    unit: 'count',
    better: 'none',
    numerator: { zh: '计入工单的已签字维修报告', en: 'signed repair reports of counted tickets' },
    denominator: null,
    attribution: { zh: '签字之日', en: 'the signed day' },
    num: ['rr_signed'],
  },
  {
    code: 'repair.signed_ontime_rate',
    group: 'quality',
    label: { zh: '维修报告3日内签字率', en: 'Repair reports signed within 3 days' },
    description: { zh: '期内完工的维修服务报告中，完工后3天（72小时）内由客户签字的比例。', en: 'Of the repair service reports whose work finished in the period, the share the customer signed within 3 days (72 hours) of the finish.' },
    unit: 'percent',
    better: 'higher',
    numerator: { zh: '完工后72小时内签字的报告', en: 'reports signed within 72 hours of the finish' },
    denominator: { zh: '期内完工（finishedAt）的报告', en: 'reports whose work finished (finishedAt) in the period' },
    attribution: { zh: '完工之日', en: 'the finished day' },
    num: ['rr_ontime'],
    den: ['rr_done'],
  },
  {
    code: 'vendor.reports.ontime_rate',
    group: 'sla',
    label: { zh: '送修进度报告及时率', en: 'Vendor progress reports on time' },
    description: {
      zh: '送修设备在外期间，每3个工作日应书面报告一次进度（合同日历）。到期时刻在期内的报告中，在到期时刻前写出的比例。到期未报（逾期提醒已记录）或逾期补写的都算未按时。',
      en: 'While a device is with its vendor a written progress report is due every 3 working days (the contract\'s calendar). Of the reports that fell due in the period, the share written by the due instant. A due instant that passed without a report (the overdue notice recorded) or a report written late counts as not on time.',
    },
    unit: 'percent',
    better: 'higher',
    target: { min: 100, source: 'REQ #165: 每3个工作日书面报告维修进展 [002 L177]' },
    numerator: { zh: '到期前写出的进度报告（repair_progress.late = 0）', en: 'progress reports written by their due instant (repair_progress.late = 0)' },
    denominator: { zh: '期内到期的进度报告：按时的 + 逾期的（逾期提醒或逾期补写，每个到期时刻计一次）', en: 'reports due in the period: on time + missed (an overdue notice or a late report, once per due instant)' },
    attribution: { zh: '到期时刻的当地日期', en: 'the local date of the due instant' },
    direct: 'vendor_reports',
  },
  {
    code: 'vendor.returns.target_rate',
    group: 'sla',
    label: { zh: '送修按期返回率', en: 'Vendor repairs back by target' },
    description: {
      zh: '目标返回日（送修后第二个周末前的最后一个工作日，客户时区）在期内的送修单中，设备在目标日当天或之前返回的比例。目标日已过仍未返回的算未按期；目标日未到且未返回的不计。已取消的不计。',
      en: 'Of the repair orders whose target return day ("before the second weekend": the last working day of the week after sending, customer\'s zone) falls in the period, the share whose device came back on or before that day. Still away after the target: missed; target not reached yet and still away: not counted. Cancelled orders do not count.',
    },
    unit: 'percent',
    better: 'higher',
    target: { min: 100, source: 'REQ #166: 第二个周末前返回 [002 L177]' },
    numerator: { zh: '返回日期（客户时区）不晚于目标日的送修单', en: 'orders returned (local date, customer\'s zone) on or before the target day' },
    denominator: { zh: '目标日在期内、已返回或目标日已过的送修单', en: 'orders with the target day in the period, returned or past the target' },
    attribution: { zh: '目标返回日', en: 'the target return day' },
    direct: 'vendor_returns',
  },
  {
    code: 'vendor.turnaround.mean',
    group: 'time',
    label: { zh: '平均送修周期', en: 'Mean vendor turnaround' },
    description: {
      zh: '期内返回的送修设备，从送出到返回（最后一次返回）所经过的日历时间的平均值（不扣除周末和节假日；目标“第二个周末前返回”约为9–13个日历日）。',
      en: 'Mean elapsed calendar time from sending to the (latest) return of the devices returned in the period (weekends and holidays included; the target "back before the second weekend" is about 9–13 calendar days).',
    },
    unit: 'duration_ms',
    better: 'lower',
    numerator: { zh: '各送修单返回时间 − 送出时间之和', en: 'sum of returned − sent over the orders' },
    denominator: { zh: '期内返回的送修单数（已取消的不计）', en: 'orders returned in the period (cancelled ones not counted)' },
    attribution: { zh: '返回之日', en: 'the returned day' },
    direct: 'vendor_turnaround',
  },
  {
    code: 'parts.standins.overdue',
    group: 'backlog',
    label: { zh: '备机逾期未还', en: 'Stand-ins overdue' },
    description: {
      zh: '期末（或当前，取较早者）仍借出在客户处、且已过约定归还日的备机台数。',
      en: 'Stand-in machines still lent to the customer at the period\'s end (or now, whichever is earlier) past their due-back date.',
    },
    unit: 'count',
    better: 'lower',
    numerator: { zh: '期末借出中、归还日早于期末当地日期的备机', en: 'stand-ins lent at the end whose due-back date is before the local date of the end' },
    denominator: null,
    attribution: { zh: '期末时刻', en: 'the end of the period' },
    direct: 'standins_overdue',
  },
  {
    code: 'parts.requisitions',
    group: 'volume',
    label: { zh: '备件领用单', en: 'Parts requisitions' },
    description: { zh: '期内开出的备件领用单（LY-…）张数，每张可含多种备件。', en: 'Requisition slips (备件领用单, LY-…) issued in the period; a slip may hold several parts.' },
    unit: 'count',
    better: 'none',
    numerator: { zh: '期内的领用单（按单号计）', en: 'requisition slips of the period (by number)' },
    denominator: null,
    attribution: { zh: '领用之日', en: 'the requisition day' },
    direct: 'requisitions',
  },
];

export const REPAIR_SIGN_WITHIN_MS = 3 * 24 * H;

const BY_CODE = new Map(KPIS.map((k) => [k.code, k]));

export function kpiDef(code: string): KpiDef | undefined {
  return BY_CODE.get(code);
}

export interface KpiValue {
  value: number | null;
  numerator: number;
  denominator: number;
}

function sumOf(s: Sums, ms: readonly Measure[] | undefined): number {
  let t = 0;
  for (const m of ms ?? []) t += s[m];
  return t;
}

/**
 * The value of an additive KPI from summed measures. A zero denominator gives null (shown as
 * "—"), never NaN and never 100 %. A count has denominator 1 (it is not a ratio).
 */
export function kpiValue(def: KpiDef, s: Sums): KpiValue {
  if (def.percentileOf) {
    const { value, n } = histPercentile(bucketsOf(s, def.percentileOf), 0.9);
    return { value, numerator: value ?? 0, denominator: n };
  }
  const numerator = sumOf(s, def.num);
  if (!def.den) return { value: numerator, numerator, denominator: 1 };
  const denominator = sumOf(s, def.den);
  if (denominator === 0) return { value: null, numerator, denominator };
  const ratio = numerator / denominator;
  return { value: def.unit === 'percent' ? ratio * 100 : ratio, numerator, denominator };
}

/** Whether a value meets the KPI's target (null: no target or no value). */
export function meetsTarget(def: KpiDef, value: number | null, tier?: number): boolean | null {
  if (value === null) return null;
  const byTier = tier !== undefined ? def.targetByTier?.[tier] : undefined;
  if (byTier !== undefined) return value <= byTier;
  if (!def.target) return null;
  if (def.target.min !== undefined && value < def.target.min) return false;
  if (def.target.max !== undefined && value > def.target.max) return false;
  return true;
}
