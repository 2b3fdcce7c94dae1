import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { KB_CHANGE_ZH, KB_KIND_ZH, KIND_ZH, label, localTime, NONE, STATE_ZH } from './labels.js';
import { chainSentence, type RequirementEvidence } from './index-html.js';
import type { PackPlan, TicketLine } from './plan.js';

/**
 * The pack's Excel files: index.xlsx (the requirement mapping and every ticket with its SLA
 * outcome), tickets.xlsx (the ticket ledger), satisfaction.xlsx (ratings and complaints) and
 * knowledge-weekly.xlsx (the knowledge base updated weekly, R12).
 *
 * An .xlsx is itself a zip, and ExcelJS stamps each part with the time of writing; `xlsxBytes`
 * re-packs the parts with the pack's fixed date so the same content gives the same bytes.
 */
export async function xlsxBytes(wb: ExcelJS.Workbook, asOf: Date, zipDate: Date): Promise<Buffer> {
  wb.creator = 'Yunwei';
  wb.lastModifiedBy = 'Yunwei';
  wb.created = asOf;
  wb.modified = asOf;
  return repackXlsx(await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer())), zipDate);
}

/** An .xlsx's parts zipped again, each dated `zipDate` (the pack's fixed date). */
export async function repackXlsx(src: JSZip, zipDate: Date): Promise<Buffer> {
  const out = new JSZip();
  for (const name of Object.keys(src.files)) {
    const f = src.files[name];
    if (f.dir) continue;
    out.file(name, await f.async('uint8array'), { date: zipDate, createFolders: false });
  }
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}

export function sheet(wb: ExcelJS.Workbook, name: string, columns: Array<{ header: string; width: number }>): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  return ws;
}

const METRICS = ['响应', '诊断', '到场', '解决'];

/** One ticket's ledger line: the SLA outcome of each metric in its own column (auditors filter on them). */
function ticketCells(t: TicketLine, tz: string): unknown[] {
  const when = (ms: number | null) => localTime(ms, tz);
  const sla = METRICS.map((m) => {
    const s = t.sla.find((x) => x.metric === m);
    return s ? `${s.result}${s.at !== null ? ` ${when(s.at)}` : ''}（目标 ${s.target}）` : NONE;
  });
  return [t.number, label(KIND_ZH, t.kind), t.title, t.contract, t.priority, label(STATE_ZH, t.state), t.handler, when(t.reportedAt), when(t.respondedAt), when(t.resolvedAt), when(t.closedAt), ...sla, t.rating ? t.rating.score : NONE, t.file];
}

const TICKET_COLUMNS = [
  { header: '工单号', width: 20 },
  { header: '类型', width: 9 },
  { header: '标题', width: 40 },
  { header: '合同', width: 24 },
  { header: '优先级', width: 8 },
  { header: '状态', width: 14 },
  { header: '处理组/人', width: 20 },
  { header: '报告时间', width: 17 },
  { header: '响应时间', width: 17 },
  { header: '解决时间', width: 17 },
  { header: '关闭时间', width: 17 },
  ...METRICS.map((m) => ({ header: `SLA ${m}`, width: 30 })),
  { header: '满意度', width: 8 },
  { header: '文件', width: 30 },
];

function ticketSheet(wb: ExcelJS.Workbook, plan: PackPlan, name: string) {
  const ws = sheet(wb, name, TICKET_COLUMNS);
  for (const t of plan.tickets) ws.addRow(ticketCells(t, plan.customer.timeZone));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: TICKET_COLUMNS.length } };
}

export async function indexWorkbook(plan: PackPlan, evidence: RequirementEvidence[], asOf: Date, zipDate: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const about = sheet(wb, '说明', [
    { header: '项目', width: 16 },
    { header: '内容', width: 100 },
  ]);
  about.addRows([
    ['客户', `${plan.customer.name}（${plan.customer.code}）`],
    ['期间', `${plan.period.from} 至 ${plan.period.to}（${plan.customer.timeZone}）`],
    ['数据截止', localTime(plan.asOf, plan.customer.timeZone)],
    ['审计链校验', chainSentence(plan)],
    ['工单', plan.tickets.length],
    ['维修服务报告', plan.repairReports.length],
  ]);
  const map = sheet(wb, '对照表', [
    { header: '编号', width: 7 },
    { header: '类别', width: 8 },
    { header: '要求', width: 40 },
    { header: '周期/目标', width: 16 },
    { header: '依据', width: 20 },
    { header: '证据文件', width: 60 },
    { header: '状态', width: 50 },
    { header: '说明', width: 40 },
  ]);
  for (const e of evidence)
    map.addRow([e.req.id, e.req.group === 'kpi' ? '考核指标' : '报告/记录', e.req.zh, e.req.target, e.req.source, e.links.map((l) => l.href && !l.href.startsWith('#') ? l.href : l.text).join('\n'), e.status, e.req.note ?? '']);
  ticketSheet(wb, plan, '工单');
  return xlsxBytes(wb, asOf, zipDate);
}

export async function ticketsWorkbook(plan: PackPlan, asOf: Date, zipDate: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  ticketSheet(wb, plan, '工单台账');
  return xlsxBytes(wb, asOf, zipDate);
}

export async function satisfactionWorkbook(plan: PackPlan, asOf: Date, zipDate: Date): Promise<Buffer> {
  const tz = plan.customer.timeZone;
  const wb = new ExcelJS.Workbook();
  const ratings = sheet(wb, '满意度评价', [
    { header: '评价时间', width: 17 },
    { header: '工单号', width: 20 },
    { header: '类型', width: 9 },
    { header: '标题', width: 40 },
    { header: '评分（1–5）', width: 10 },
    { header: '评价意见', width: 50 },
    { header: '评价人', width: 14 },
  ]);
  for (const r of plan.ratings) ratings.addRow([localTime(r.ratedAt, tz), r.number, label(KIND_ZH, r.kind), r.title, r.score, r.comment ?? '', r.ratedBy]);
  const n = plan.ratings.length;
  const avg = n ? Math.round((plan.ratings.reduce((a, r) => a + r.score, 0) / n) * 100) / 100 : null;
  ratings.addRow([]);
  ratings.addRow(['合计', `${n} 条`, '', '平均分', avg ?? NONE]);

  const complaints = sheet(wb, '投诉', [
    { header: '工单号', width: 20 },
    { header: '标题', width: 40 },
    { header: '状态', width: 14 },
    { header: '报告时间', width: 17 },
    { header: '响应时间', width: 17 },
    { header: '解决时间', width: 17 },
    { header: '处理及时（SLA）', width: 30 },
    { header: '文件', width: 30 },
  ]);
  const list = plan.tickets.filter((t) => t.kind === 'complaint');
  for (const t of list) {
    const timely = t.sla.length ? (t.sla.some((s) => s.met === false) ? '否：' : '是：') + t.sla.map((s) => `${s.metric}${s.result}`).join('，') : '无 SLA 计时';
    complaints.addRow([t.number, t.title, label(STATE_ZH, t.state), localTime(t.reportedAt, tz), localTime(t.respondedAt, tz), localTime(t.resolvedAt, tz), timely, t.file]);
  }
  if (!list.length) complaints.addRow(['期间内无投诉']);
  return xlsxBytes(wb, asOf, zipDate);
}

/**
 * knowledge-weekly.xlsx (R12, 知识库每周更新): 每周更新 — every week of the period with the articles
 * created and updated in it and whether it was updated at all (a week without a save is the gap an
 * auditor looks for); 更新明细 — every save counted, with its article, version and author.
 */
export async function knowledgeWorkbook(plan: PackPlan, asOf: Date, zipDate: Date): Promise<Buffer> {
  const tz = plan.customer.timeZone;
  const { weeks, saves } = plan.knowledge;
  const wb = new ExcelJS.Workbook();
  const perWeek = sheet(wb, '每周更新', [
    { header: '周（周一）', width: 12 },
    { header: '起', width: 12 },
    { header: '止', width: 12 },
    { header: '新增文章', width: 10 },
    { header: '更新文章', width: 10 },
    { header: '合计', width: 8 },
    { header: '本周已更新', width: 11 },
    { header: '说明', width: 36 },
  ]);
  for (const w of weeks) perWeek.addRow([w.week, w.from, w.to, w.created, w.updated, w.created + w.updated, w.created + w.updated > 0 ? '是' : '否', w.partial ? '跨越期间边界，仅计期间内的日期' : '']);
  const updatedWeeks = weeks.filter((w) => w.created + w.updated > 0).length;
  perWeek.addRow([]);
  perWeek.addRow(['合计', `${weeks.length} 周`, `${updatedWeeks} 周有更新`, weeks.reduce((n, w) => n + w.created, 0), weeks.reduce((n, w) => n + w.updated, 0), saves.length]);
  perWeek.addRow([`范围：关于本客户的文章与通用文章（不属于任何客户）；周一 00:00 至下周一 00:00（${tz}）；文章的第 1 版计为新增，之后的每一版计为更新。`]);

  const detail = sheet(wb, '更新明细', [
    { header: '时间', width: 17 },
    { header: '周（周一）', width: 12 },
    { header: '文章编号', width: 11 },
    { header: '标题', width: 44 },
    { header: '类型', width: 10 },
    { header: '适用', width: 8 },
    { header: '版本', width: 6 },
    { header: '新增/更新', width: 10 },
    { header: '操作', width: 14 },
    { header: '作者', width: 14 },
  ]);
  for (const x of saves) {
    detail.addRow([localTime(x.at, tz), x.week, x.number, x.title, label(KB_KIND_ZH, x.kind), x.ownCustomer ? '本客户' : '通用', x.version, x.version === 1 ? '新增' : '更新', label(KB_CHANGE_ZH, x.change), x.author]);
  }
  if (!saves.length) detail.addRow(['期间内知识库无新增或更新']);
  detail.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 10 } };
  return xlsxBytes(wb, asOf, zipDate);
}
