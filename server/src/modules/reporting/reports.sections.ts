import { sql } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { yieldToIo } from '../../platform/jobs/yield.js';
import type { KpiFigure, ReportBlock, TableColumn } from '../../core/reporting/document.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import { NOT_ENABLED_TEXT, type ResolvedSection } from '../../core/reporting/templates.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import { formatKpi } from '../../core/reporting/format.js';
import { kpiDef, meetsTarget, type KpiDef } from '../../core/reporting/kpis.js';
import type { MetricsService, MetricValue } from './metrics.service.js';
import { onTimeIssueRate } from './reports.repo.js';
import { assetsSection, faultCis, partsVendor } from './reports.sections-cmdb.js';

/**
 * The data sections of a service report: each a function of the period (its instants in the
 * customer's zone) and the contract to ReportBlocks. KPI figures come from the metrics module
 * (one definition feeds dashboards and reports, docs/KPIS.md); lists of records (the major
 * incidents, the repair reports, the ratings) are read directly for the period.
 */

/** The part of the metrics module the reports use (MetricsService.compute: unscoped, the generator scopes by contract). */
export type MetricsPort = Pick<MetricsService, 'compute'> & {
  /** The daily rollup the KPIs read; brought up to date before a report's figures are frozen. */
  rollup?: { catchUp(now?: number): Promise<void> };
};

/** What every section builder gets. */
export interface SectionInput {
  db: DbOrTx;
  metrics: MetricsPort;
  locale: Locale;
  customerId: number;
  contractId: number;
  timeZone: string;
  /** Local dates, inclusive. */
  from: string;
  to: string;
  /** The period's instants: [start, end). */
  start: number;
  end: number;
  /** The customer's tier (targets by tier, e.g. the mean recovery time). */
  tier?: number;
}

type Builder = (input: SectionInput) => Promise<ReportBlock[]>;

/** KPIs each section prints, by the catalogue's codes (core/reporting/kpis.ts, docs/KPIS.md). */
export const SECTION_KPIS: Record<string, string[]> = {
  sla: ['sla.response.met_rate', 'sla.onsite.met_rate', 'sla.resolution.met_rate', 'sla.diagnosis.met_rate', 'time.respond.mean', 'time.restore.mean'],
  quality: ['flr.rate', 'sla.diagnosis.met_rate', 'reopen.rate', 'complaints.timely_rate', 'repair.signed_ontime_rate'],
  satisfaction: ['satisfaction.rated', 'satisfaction.mean', 'satisfaction.good_rate', 'complaints.count', 'complaints.timely_rate', 'complaints.completion_rate'],
};

const zh = (locale: Locale) => locale !== 'en-US';

/** A figure as printed: '—' for no value (zero denominator), never NaN or 100 %; judged against the catalogue's target. */
export function kpiFigure(def: KpiDef, v: MetricValue | undefined, locale: Locale, tier?: number): KpiFigure {
  const value = v?.value ?? null;
  const unitTarget = (n: number) => formatKpi(n, def.unit, locale);
  const byTier = tier !== undefined ? def.targetByTier?.[tier] : undefined;
  const t = def.target;
  const target =
    byTier !== undefined ? `≤ ${unitTarget(byTier)}` : t?.min !== undefined && t?.max !== undefined ? `${unitTarget(t.min)}–${unitTarget(t.max)}` : t?.min !== undefined ? `≥ ${unitTarget(t.min)}` : t?.max !== undefined ? `≤ ${unitTarget(t.max)}` : undefined;
  return { code: def.code, label: zh(locale) ? def.label.zh : def.label.en, text: formatKpi(value, def.unit, locale), value, ...(target ? { target } : {}), ok: meetsTarget(def, value, tier) };
}

function defsOf(codes: string[]): KpiDef[] {
  return [...new Set(codes)].map((c) => kpiDef(c)).filter((k): k is KpiDef => k !== undefined);
}

export async function kpiBlock(input: SectionInput, codes: string[]): Promise<ReportBlock[]> {
  const defs = defsOf(codes);
  if (!defs.length) return [];
  const res = await input.metrics.compute({ kpis: defs.map((k) => k.code), customerIds: [input.customerId], contractId: input.contractId, from: input.from, to: input.to, groupBy: 'total' });
  return [{ type: 'kpis', items: defs.map((k) => kpiFigure(k, res.totals[k.code], input.locale, input.tier)) }];
}

/** A KPI per priority as a table (SLA by priority). */
async function kpiByPriority(input: SectionInput, codes: string[]): Promise<ReportBlock[]> {
  const defs = defsOf(codes);
  if (!defs.length) return [];
  const res = await input.metrics.compute({ kpis: defs.map((k) => k.code), customerIds: [input.customerId], contractId: input.contractId, from: input.from, to: input.to, groupBy: 'priority' });
  if (!res.rows.length) return [];
  const columns: TableColumn[] = [{ key: 'priority', label: zh(input.locale) ? '优先级' : 'Priority' }, ...defs.map((k) => ({ key: k.code, label: zh(input.locale) ? k.label.zh : k.label.en, align: 'right' as const }))];
  const levels = await priorityLevels(input);
  const rows = [...res.rows].sort((a, b) => (levels.get(a.key)?.rank ?? 99) - (levels.get(b.key)?.rank ?? 99)).map((r) => ({ priority: levels.get(r.key)?.name ?? r.label, ...Object.fromEntries(defs.map((k) => [k.code, formatKpi(r.values[k.code]?.value ?? null, k.unit, input.locale)])) }));
  return [{ type: 'table', title: zh(input.locale) ? '按优先级' : 'By priority', columns, rows }];
}

export function localTime(ms: number | null, timeZone: string): string | null {
  if (ms === null) return null;
  const z = instantToZoned(Number(ms), timeZone);
  return `${z.date} ${z.time}`;
}

const KIND_LABELS: Record<string, [string, string]> = {
  incident: ['故障', 'Incident'],
  request: ['服务请求', 'Request'],
  consultation: ['咨询', 'Consultation'],
  complaint: ['投诉', 'Complaint'],
};
const CHANNEL_LABELS: Record<string, [string, string]> = {
  phone: ['电话', 'Phone'],
  portal: ['门户', 'Portal'],
  email: ['邮件', 'Email'],
  api: ['接口', 'API'],
  monitoring: ['监控', 'Monitoring'],
  onsite: ['现场', 'On site'],
};
const label = (map: Record<string, [string, string]>, key: string, locale: Locale) => (map[key] ? map[key][zh(locale) ? 0 : 1] : key);

/** The contract's priority levels (code → name, rank) from its matrix, for printing '紧急' rather than 'urgent'. */
async function priorityLevels(input: SectionInput): Promise<Map<string, { name: string; rank: number }>> {
  const row = await input.db.selectFrom('contracts').select('sla_policy').where('id', '=', input.contractId).executeTakeFirst();
  const out = new Map<string, { name: string; rank: number }>();
  try {
    const levels = (JSON.parse(row?.sla_policy ?? 'null') as { matrix?: { levels?: Array<{ code: string; name: string; rank: number }> } } | null)?.matrix?.levels ?? [];
    for (const l of levels) out.set(l.code, { name: l.name, rank: l.rank });
  } catch {
    // no SLA on the contract: codes are printed as they are
  }
  return out;
}

/** Tickets of the period: reported in [start, end) on the contract, cancelled ones left out (docs/REPORTS.md). */
function periodTickets(input: SectionInput) {
  return input.db
    .selectFrom('tickets')
    // customer + reported_at is the index (tickets_customer_reported); the contract narrows it
    .where('tickets.customer_id', '=', input.customerId)
    .where('tickets.contract_id', '=', input.contractId)
    .where('tickets.reported_at', '>=', input.start)
    .where('tickets.reported_at', '<', input.end)
    .where('tickets.state', '!=', 'cancelled');
}

async function countsBy(input: SectionInput, column: 'kind' | 'channel' | 'priority' | 'category'): Promise<Array<{ key: string; n: number }>> {
  const rows = await periodTickets(input)
    .select([sql<string | null>`${sql.ref(`tickets.${column}`)}`.as('k'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(`tickets.${column}`)
    .execute();
  return rows.map((r) => ({ key: r.k ?? '', n: Number(r.n) })).sort((a, b) => b.n - a.n || a.key.localeCompare(b.key));
}

const volume: Builder = async (input) => {
  const z = zh(input.locale);
  const [byKind, byChannel, byPriorityRaw, levels] = await Promise.all([countsBy(input, 'kind'), countsBy(input, 'channel'), countsBy(input, 'priority'), priorityLevels(input)]);
  const byPriority = byPriorityRaw.map((r) => ({ key: levels.get(r.key)?.name ?? r.key, rank: levels.get(r.key)?.rank ?? 99, n: r.n })).sort((a, b) => a.rank - b.rank);
  const total = byKind.reduce((s, r) => s + r.n, 0);
  const blocks: ReportBlock[] = [
    { type: 'text', text: z ? `本期共受理工单 ${total} 件（按报告时间统计，不含已取消工单）。` : `${total} tickets were reported in this period (cancelled tickets excluded).` },
  ];
  if (!total) return blocks;
  blocks.push({
    type: 'table',
    title: z ? '按类型' : 'By kind',
    columns: [{ key: 'kind', label: z ? '类型' : 'Kind' }, { key: 'n', label: z ? '数量' : 'Count', align: 'right' }],
    rows: byKind.map((r) => ({ kind: label(KIND_LABELS, r.key, input.locale), n: r.n })),
  });
  blocks.push({ type: 'chart', title: z ? '受理渠道' : 'Channels', chart: { kind: 'pie', categories: byChannel.map((r) => label(CHANNEL_LABELS, r.key, input.locale)), series: [{ name: z ? '工单' : 'Tickets', data: byChannel.map((r) => r.n) }], unit: z ? '件' : '' } });
  blocks.push({ type: 'chart', title: z ? '按优先级' : 'By priority', chart: { kind: 'bar', categories: byPriority.map((r) => r.key), series: [{ name: z ? '工单' : 'Tickets', data: byPriority.map((r) => r.n) }], unit: z ? '件' : '' } });
  return blocks;
};

const slaSection: Builder = async (input) => {
  const blocks = [...(await kpiBlock(input, SECTION_KPIS.sla)), ...(await kpiByPriority(input, SECTION_KPIS.sla.filter((c) => c.startsWith('sla.'))))];
  const breached = await periodTickets(input).select((eb) => eb.fn.countAll<number>().as('n')).where('tickets.sla_status', '=', 'breached').executeTakeFirst();
  const z = zh(input.locale);
  blocks.push({ type: 'text', text: z ? `本期 SLA 超时工单 ${Number(breached?.n ?? 0)} 件。` : `${Number(breached?.n ?? 0)} tickets of the period breached their SLA.` });
  return blocks;
};

const majorIncidents: Builder = async (input) => {
  const z = zh(input.locale);
  const rows = await periodTickets(input)
    .select(['tickets.number', 'tickets.title', 'tickets.priority', 'tickets.reported_at', 'tickets.resolved_at', 'tickets.sla_status', 'tickets.state'])
    .where('tickets.priority_rank', '<=', 2)
    .orderBy('tickets.reported_at')
    .limit(500)
    .execute();
  if (!rows.length) return [{ type: 'text', text: t(input.locale, 'reports.text.noMajor') }];
  const levels = await priorityLevels(input);
  return [
    {
      type: 'table',
      title: z ? 'P1/P2 级事件' : 'P1/P2 incidents',
      columns: [
        { key: 'number', label: z ? '工单号' : 'Ticket' },
        { key: 'title', label: z ? '标题' : 'Title' },
        { key: 'priority', label: z ? '优先级' : 'Priority', align: 'center' },
        { key: 'reportedAt', label: z ? '报告时间' : 'Reported' },
        { key: 'resolvedAt', label: z ? '解决时间' : 'Resolved' },
        { key: 'sla', label: 'SLA', align: 'center' },
      ],
      rows: rows.map((r) => ({
        number: r.number,
        title: r.title,
        priority: levels.get(r.priority)?.name ?? r.priority,
        reportedAt: localTime(r.reported_at, input.timeZone),
        resolvedAt: localTime(r.resolved_at, input.timeZone),
        sla: r.sla_status === 'breached' ? (z ? '超时' : 'breached') : r.sla_status === 'none' ? '—' : z ? '达标' : 'met',
      })),
    },
  ];
};

const repairs: Builder = async (input) => {
  const z = zh(input.locale);
  const rows = await input.db
    .selectFrom('repair_reports')
    .innerJoin('tickets', 'tickets.id', 'repair_reports.ticket_id')
    .select(['repair_reports.number', 'repair_reports.site_name', 'repair_reports.fault', 'repair_reports.result', 'repair_reports.engineer_name', 'repair_reports.signed_at', 'repair_reports.state'])
    .where('repair_reports.customer_id', '=', input.customerId)
    .where('tickets.contract_id', '=', input.contractId)
    .where('repair_reports.finished_at', '>=', input.start)
    .where('repair_reports.finished_at', '<', input.end)
    .orderBy('repair_reports.finished_at')
    .limit(1000)
    .execute();
  const onsite = await periodTickets(input).select((eb) => eb.fn.countAll<number>().as('n')).where('tickets.onsite_at', 'is not', null).executeTakeFirst();
  const signed = rows.filter((r) => r.state === 'signed').length;
  const blocks: ReportBlock[] = [
    {
      type: 'text',
      text: z
        ? `本期现场服务工单 ${Number(onsite?.n ?? 0)} 件，完成维修 ${rows.length} 次，其中客户已签字的维修服务报告 ${signed} 份。`
        : `${Number(onsite?.n ?? 0)} tickets had an on-site visit; ${rows.length} repairs were finished, ${signed} of their repair reports signed by the customer.`,
    },
  ];
  if (rows.length) {
    const results: Record<string, [string, string]> = { fixed: ['修复', 'Fixed'], temporary: ['临时恢复', 'Temporarily restored'], unfixed: ['未修复', 'Not fixed'], replaced: ['更换', 'Replaced'] };
    blocks.push({
      type: 'table',
      title: z ? '维修记录' : 'Repairs',
      columns: [
        { key: 'number', label: z ? '报告编号' : 'Report' },
        { key: 'site', label: z ? '地点' : 'Site' },
        { key: 'fault', label: z ? '故障现象' : 'Fault' },
        { key: 'result', label: z ? '结果' : 'Result' },
        { key: 'engineer', label: z ? '工程师' : 'Engineer' },
        { key: 'signed', label: z ? '签字时间' : 'Signed' },
      ],
      rows: rows.map((r) => ({ number: r.number, site: r.site_name, fault: r.fault ? r.fault.slice(0, 200) : null, result: r.result ? label(results, r.result, input.locale) : null, engineer: r.engineer_name, signed: localTime(r.signed_at, input.timeZone) })),
    });
  }
  return blocks;
};

const faults: Builder = async (input) => {
  const z = zh(input.locale);
  const rows = await periodTickets(input)
    .select(['tickets.category', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tickets.kind', '=', 'incident')
    .groupBy('tickets.category')
    .execute();
  const sorted = rows.map((r) => ({ key: r.category ?? (z ? '未分类' : 'Uncategorised'), n: Number(r.n) })).sort((a, b) => b.n - a.n || a.key.localeCompare(b.key));
  const total = sorted.reduce((s, r) => s + r.n, 0);
  if (!total) return [{ type: 'text', text: z ? '本期无故障工单。' : 'No incidents in this period.' }];
  const top = sorted.slice(0, 10);
  const byCi = await faultCis(input);
  return [
    { type: 'text', text: z ? `本期故障工单 ${total} 件，按故障分类统计如下（前 ${top.length} 类）。` : `${total} incidents in this period; by category (top ${top.length}):` },
    { type: 'chart', title: z ? '故障分类' : 'Fault categories', chart: { kind: 'bar', categories: top.map((r) => r.key), series: [{ name: z ? '故障' : 'Incidents', data: top.map((r) => r.n) }], unit: z ? '件' : '' } },
    {
      type: 'table',
      columns: [{ key: 'category', label: z ? '分类' : 'Category' }, { key: 'n', label: z ? '数量' : 'Count', align: 'right' }, { key: 'share', label: z ? '占比' : 'Share', align: 'right' }],
      rows: top.map((r) => ({ category: r.key, n: r.n, share: `${((r.n / total) * 100).toFixed(1)}%` })),
    },
    ...byCi,
  ];
};

/** The on-time issue rate of service reports is the reports module's own figure (the metrics catalogue counts tickets). */
const ON_TIME: KpiDef = {
  code: 'reports.on_time_rate',
  group: 'quality',
  label: { zh: '服务报告按时出具率', en: 'Service reports issued on time' },
  description: { zh: '到期日在本期内的服务报告中按时（到期日结束前）首次出具的比例。', en: 'Share of the service reports due in the period that were first issued before the end of their due day.' },
  unit: 'percent',
  better: 'higher',
  target: { min: 100, source: 'REQ R16/R17' },
  numerator: { zh: '按时出具的报告数', en: 'reports issued on time' },
  denominator: { zh: '到期日已过或已出具的报告数', en: 'reports due by now or issued' },
  attribution: { zh: '报告的到期日', en: 'the report\'s due day' },
};

const quality: Builder = async (input) => {
  const blocks = await kpiBlock(input, SECTION_KPIS.quality);
  const rate = await onTimeIssueRate(input.db, { customerIds: [input.customerId], contractId: input.contractId, from: input.from, to: input.to }, Date.now());
  const item = kpiFigure(ON_TIME, rate, input.locale);
  const first = blocks[0];
  if (first?.type === 'kpis') first.items.push(item);
  else blocks.unshift({ type: 'kpis', items: [item] });
  return blocks;
};

const satisfaction: Builder = async (input) => {
  const z = zh(input.locale);
  const ratings = await input.db
    .selectFrom('ticket_ratings')
    .innerJoin('tickets', 'tickets.id', 'ticket_ratings.ticket_id')
    .select(['ticket_ratings.score', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ticket_ratings.customer_id', '=', input.customerId)
    .where('tickets.contract_id', '=', input.contractId)
    .where('ticket_ratings.rated_at', '>=', input.start)
    .where('ticket_ratings.rated_at', '<', input.end)
    .groupBy('ticket_ratings.score')
    .execute();
  const complaints = await periodTickets(input).select(['tickets.number', 'tickets.title', 'tickets.state', 'tickets.reported_at']).where('tickets.kind', '=', 'complaint').orderBy('tickets.reported_at').limit(200).execute();
  const blocks: ReportBlock[] = [...(await kpiBlock(input, SECTION_KPIS.satisfaction))];
  const count = ratings.reduce((s, r) => s + Number(r.n), 0);
  const avg = count ? ratings.reduce((s, r) => s + Number(r.score) * Number(r.n), 0) / count : null;
  blocks.push({
    type: 'text',
    text: z
      ? `本期收到满意度评价 ${count} 条，平均 ${avg === null ? '—' : avg.toFixed(2)} 分（5 分制）；客户投诉 ${complaints.length} 件。`
      : `${count} satisfaction ratings this period, average ${avg === null ? '—' : avg.toFixed(2)} of 5; ${complaints.length} complaints.`,
  });
  if (count) {
    const by = new Map(ratings.map((r) => [Number(r.score), Number(r.n)]));
    blocks.push({ type: 'chart', title: z ? '评分分布' : 'Scores', chart: { kind: 'bar', categories: ['1', '2', '3', '4', '5'].map((s) => (z ? `${s}分` : s)), series: [{ name: z ? '评价' : 'Ratings', data: [1, 2, 3, 4, 5].map((s) => by.get(s) ?? 0) }], unit: z ? '条' : '' } });
  }
  if (complaints.length) {
    blocks.push({
      type: 'table',
      title: z ? '投诉' : 'Complaints',
      columns: [{ key: 'number', label: z ? '工单号' : 'Ticket' }, { key: 'title', label: z ? '标题' : 'Title' }, { key: 'reportedAt', label: z ? '时间' : 'Reported' }],
      rows: complaints.map((c) => ({ number: c.number, title: c.title, reportedAt: localTime(c.reported_at, input.timeZone) })),
    });
  }
  return blocks;
};

const BUILDERS: Record<string, Builder> = { volume, sla: slaSection, major_incidents: majorIncidents, repairs, faults, quality, satisfaction, parts_vendor: partsVendor, assets: assetsSection };

/** The blocks of one data section; a section whose module is not enabled says so and nothing else. */
export async function buildSection(section: ResolvedSection, input: SectionInput): Promise<ReportBlock[]> {
  if (section.unavailable) return [{ type: 'text', text: NOT_ENABLED_TEXT[input.locale] }];
  const build = BUILDERS[section.key];
  if (!build) return [{ type: 'text', text: NOT_ENABLED_TEXT[input.locale] }];
  // A section is a few queries; between sections the server answers requests (the generation job builds every contract's reports).
  await yieldToIo();
  const blocks = await build(input);
  return blocks.length ? blocks : [{ type: 'text', text: t(input.locale, 'reports.text.none') }];
}
