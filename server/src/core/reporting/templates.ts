import type { Cadence, DueRule } from './due.js';

/**
 * The service reports a provider owes its customers (REQ §5.1) as data: each type's cadence,
 * due rule, number prefix and default sections; and the per-contract layout (order, hidden,
 * extra narrative sections) resolved against them. Pure: the reports module feeds it the plan
 * and which modules are enabled, and builds each data section from the metrics.
 */

/** Modules a section draws on that are not part of every installation yet. */
export type OptionalModule = 'problems' | 'changes' | 'inspections' | 'availability' | 'parts' | 'assets';

export type SectionKind = 'cover' | 'narrative' | 'data';

export interface SectionDef {
  key: string;
  kind: SectionKind;
  zh: string;
  en: string;
  /**
   * The modules it reports on. When none of them is enabled the section is hidden by default
   * (it would only say "no records"); a plan may show it, and it then prints
   * 本期无相关记录（该模块尚未启用） — never invented figures.
   */
  requires?: OptionalModule[];
}

export const SECTIONS = {
  cover: { key: 'cover', kind: 'cover', zh: '封面', en: 'Cover' },
  summary: { key: 'summary', kind: 'narrative', zh: '服务概述', en: 'Summary' },
  volume: { key: 'volume', kind: 'data', zh: '服务量统计', en: 'Service volume' },
  sla: { key: 'sla', kind: 'data', zh: 'SLA 达成情况', en: 'SLA performance' },
  major_incidents: { key: 'major_incidents', kind: 'data', zh: '重大事件', en: 'Major incidents' },
  repairs: { key: 'repairs', kind: 'data', zh: '维修服务', en: 'Repairs' },
  faults: { key: 'faults', kind: 'data', zh: '设备故障分析', en: 'Equipment faults' },
  quality: { key: 'quality', kind: 'data', zh: '服务质量指标', en: 'Service quality' },
  problems_changes: { key: 'problems_changes', kind: 'data', zh: '问题与变更', en: 'Problems and changes', requires: ['problems', 'changes'] },
  inspections: { key: 'inspections', kind: 'data', zh: '巡检', en: 'Inspections', requires: ['inspections'] },
  availability: { key: 'availability', kind: 'data', zh: '系统可用性', en: 'Availability', requires: ['availability'] },
  parts_vendor: { key: 'parts_vendor', kind: 'data', zh: '备件与厂商维修', en: 'Spare parts and vendor repairs', requires: ['parts'] },
  assets: { key: 'assets', kind: 'data', zh: '资产与盘点', en: 'Assets and verification', requires: ['assets'] },
  satisfaction: { key: 'satisfaction', kind: 'data', zh: '满意度与投诉', en: 'Satisfaction and complaints' },
  risks: { key: 'risks', kind: 'narrative', zh: '风险与改进建议', en: 'Risks and improvement suggestions' },
  next_plan: { key: 'next_plan', kind: 'narrative', zh: '下期工作计划', en: "Next period's plan" },
} as const satisfies Record<string, SectionDef>;

export type SectionKey = keyof typeof SECTIONS;
export const SECTION_KEYS = Object.keys(SECTIONS) as SectionKey[];

export interface ReportTypeDef {
  code: string;
  /** Number prefix: RPT-<abbr>-<period>-<customer>. */
  abbr: string;
  cadence: Cadence;
  due: DueRule;
  zh: string;
  en: string;
  /** The seeds' requirement(s) it answers. */
  req: string;
  sections: SectionKey[];
}

const FULL: SectionKey[] = ['cover', 'summary', 'volume', 'sla', 'major_incidents', 'problems_changes', 'inspections', 'availability', 'parts_vendor', 'satisfaction', 'risks', 'next_plan'];
/** The quarterly and annual O&M reports also state the asset register and the period's verification campaigns (REQ #207–#214). */
const FULL_WITH_ASSETS: SectionKey[] = ['cover', 'summary', 'volume', 'sla', 'major_incidents', 'problems_changes', 'inspections', 'availability', 'parts_vendor', 'assets', 'satisfaction', 'risks', 'next_plan'];

export const REPORT_TYPES = {
  monthly_service: { code: 'monthly_service', abbr: 'MS', cadence: 'month', due: { kind: 'day_of_next_month', day: 5 }, zh: '月度服务报告', en: 'Monthly service report', req: 'R1, R4, R16', sections: FULL },
  monthly_repair: {
    code: 'monthly_repair',
    abbr: 'MR',
    cadence: 'month',
    due: { kind: 'day_of_next_month', day: 10 },
    zh: '月度维修总结',
    en: 'Monthly repair summary',
    req: 'R17',
    sections: ['cover', 'summary', 'repairs', 'faults', 'parts_vendor', 'risks', 'next_plan'],
  },
  quarterly_om: { code: 'quarterly_om', abbr: 'QO', cadence: 'quarter', due: { kind: 'days_after_end', days: 15 }, zh: '季度运维报告', en: 'Quarterly O&M report', req: 'R4', sections: FULL_WITH_ASSETS },
  annual_om: { code: 'annual_om', abbr: 'AO', cadence: 'year', due: { kind: 'days_after_end', days: 31 }, zh: '年度运维报告', en: 'Annual O&M report', req: 'R2, R4, R34', sections: FULL_WITH_ASSETS },
  quality_selfcheck: {
    code: 'quality_selfcheck',
    abbr: 'QC',
    cadence: 'month',
    due: { kind: 'day_of_next_month', day: 10 },
    zh: '服务质量自检报告',
    en: 'Service quality self-check',
    req: 'R8',
    sections: ['cover', 'summary', 'quality', 'sla', 'satisfaction', 'risks'],
  },
  repair_quality: {
    code: 'repair_quality',
    abbr: 'RQ',
    cadence: 'quarter',
    due: { kind: 'days_after_end', days: 15 },
    zh: '季度维修质量统计报告',
    en: 'Quarterly repair-quality statistics',
    req: 'R32',
    sections: ['cover', 'summary', 'repairs', 'faults', 'quality', 'risks'],
  },
  satisfaction_annual: {
    code: 'satisfaction_annual',
    abbr: 'SA',
    cadence: 'year',
    due: { kind: 'days_after_end', days: 31 },
    zh: '年度客户满意度统计分析报告',
    en: 'Yearly satisfaction analysis',
    req: 'R37',
    sections: ['cover', 'summary', 'satisfaction', 'risks', 'next_plan'],
  },
  fault_analysis: {
    code: 'fault_analysis',
    abbr: 'EF',
    cadence: 'month',
    due: { kind: 'day_of_next_month', day: 10 },
    zh: '月设备故障分析报告',
    en: 'Monthly equipment-fault analysis',
    req: 'R38',
    sections: ['cover', 'summary', 'faults', 'repairs', 'parts_vendor', 'risks', 'next_plan'],
  },
} as const satisfies Record<string, ReportTypeDef>;

export type ReportType = keyof typeof REPORT_TYPES;
export const REPORT_TYPE_CODES = Object.keys(REPORT_TYPES) as [ReportType, ...ReportType[]];

/** What a contract owes when its plan does not say otherwise (issue #11: R16, R17, quarterly, annual). */
export const DEFAULT_OWED: ReportType[] = ['monthly_service', 'monthly_repair', 'quarterly_om', 'annual_om'];

export function reportTypeDef(type: string): ReportTypeDef | null {
  return (REPORT_TYPES as Record<string, ReportTypeDef>)[type] ?? null;
}

export function isReportType(type: string): type is ReportType {
  return type in REPORT_TYPES;
}

/** One entry of a contract's layout for a report type, as the plan stores it. */
export interface LayoutEntry {
  /** A template section key, or 'custom:<id>' for a narrative section the contract adds. */
  key: string;
  hidden?: boolean;
  /** Required for custom sections; overrides the template's title otherwise. */
  title?: string;
}

/** A section of a report as it will be generated: resolved order, title and kind. */
export interface ResolvedSection {
  key: string;
  kind: SectionKind;
  title: string;
  hidden: boolean;
  /** True when the section's modules are not enabled (it prints the honest "not enabled" line). */
  unavailable: boolean;
}

export const CUSTOM_PREFIX = 'custom:';
const CUSTOM_RE = /^custom:[a-z0-9_-]{1,40}$/;

export type LayoutProblem = { index: number; code: 'reports.layout.unknownSection' | 'reports.layout.duplicate' | 'reports.layout.customTitle' | 'reports.layout.customKey'; key: string };

/** Problems of a layout as stored for a type: unknown keys, duplicates, custom sections without a title. */
export function layoutProblems(entries: LayoutEntry[]): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const seen = new Set<string>();
  entries.forEach((e, index) => {
    if (seen.has(e.key)) problems.push({ index, code: 'reports.layout.duplicate', key: e.key });
    seen.add(e.key);
    if (e.key.startsWith(CUSTOM_PREFIX)) {
      if (!CUSTOM_RE.test(e.key)) problems.push({ index, code: 'reports.layout.customKey', key: e.key });
      else if (!e.title?.trim()) problems.push({ index, code: 'reports.layout.customTitle', key: e.key });
    } else if (!(e.key in SECTIONS)) {
      problems.push({ index, code: 'reports.layout.unknownSection', key: e.key });
    }
  });
  return problems;
}

/**
 * The sections of a report of `type` for a contract: the plan's layout when it has one for the
 * type (its order; template sections it leaves out are appended in template order, hidden, so a
 * section added to a template later is never silently lost), else the template's. Sections whose
 * modules are all disabled are hidden unless the layout shows them explicitly.
 */
export function resolveSections(type: ReportType, layout: LayoutEntry[] | undefined, enabled: ReadonlySet<OptionalModule>, locale: 'zh-CN' | 'en-US'): ResolvedSection[] {
  const def = REPORT_TYPES[type];
  const unavailable = (key: string) => {
    const s = (SECTIONS as Record<string, SectionDef>)[key];
    return !!s?.requires && !s.requires.some((m) => enabled.has(m));
  };
  const titleOf = (key: string, override?: string) => {
    if (override?.trim()) return override.trim();
    const s = (SECTIONS as Record<string, SectionDef>)[key];
    return locale === 'en-US' ? s.en : s.zh;
  };
  const out: ResolvedSection[] = [];
  const placed = new Set<string>();
  for (const e of layout ?? []) {
    if (placed.has(e.key)) continue;
    if (e.key.startsWith(CUSTOM_PREFIX)) {
      if (!CUSTOM_RE.test(e.key) || !e.title?.trim()) continue;
      out.push({ key: e.key, kind: 'narrative', title: e.title.trim(), hidden: !!e.hidden, unavailable: false });
    } else if (e.key in SECTIONS) {
      out.push({ key: e.key, kind: (SECTIONS as Record<string, SectionDef>)[e.key].kind, title: titleOf(e.key, e.title), hidden: e.hidden ?? unavailable(e.key), unavailable: unavailable(e.key) });
    } else continue;
    placed.add(e.key);
  }
  for (const key of def.sections) {
    if (placed.has(key)) continue;
    // Appended after an explicit layout: hidden (the admin chose the sections); the template alone: shown unless unavailable.
    out.push({ key, kind: SECTIONS[key].kind, title: titleOf(key), hidden: layout ? true : unavailable(key), unavailable: unavailable(key) });
  }
  return out;
}

/** The number of a report: RPT-MS-202611-HOSP01 (period without separators), suffixed with the contract code when the customer has several. */
export function reportNumber(type: ReportType, periodKey: string, customerCode: string, contractCode: string | null): string {
  const base = `RPT-${REPORT_TYPES[type].abbr}-${periodKey.replace(/-/g, '')}-${customerCode}`;
  return contractCode ? `${base}-${contractCode}` : base;
}

/** The honest line of a section whose module is not enabled yet. */
export const NOT_ENABLED_TEXT = { 'zh-CN': '本期无相关记录（该模块尚未启用）', 'en-US': 'No records for this period (the module is not enabled yet).' } as const;
