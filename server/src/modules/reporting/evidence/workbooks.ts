import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { KIND_ZH, label, localTime, NONE, STATE_ZH } from './labels.js';
import { chainSentence, type RequirementEvidence } from './index-html.js';
import type { PackPlan, TicketLine } from './plan.js';

/**
 * The pack's Excel files: index.xlsx (the requirement mapping and every ticket with its SLA
 * outcome), tickets.xlsx (the ticket ledger) and satisfaction.xlsx (ratings and complaints).
 *
 * An .xlsx is itself a zip, and ExcelJS stamps each part with the time of writing; `xlsxBytes`
 * re-packs the parts with the pack's fixed date so the same content gives the same bytes.
 */
export async function xlsxBytes(wb: ExcelJS.Workbook, asOf: Date, zipDate: Date): Promise<Buffer> {
  wb.creator = 'Yunwei';
  wb.lastModifiedBy = 'Yunwei';
  wb.created = asOf;
  wb.modified = asOf;
  const raw = Buffer.from(await wb.xlsx.writeBuffer());
  const src = await JSZip.loadAsync(raw);
  const out = new JSZip();
  for (const name of Object.keys(src.files)) {
    const f = src.files[name];
    if (f.dir) continue;
    out.file(name, await f.async('uint8array'), { date: zipDate, createFolders: false });
  }
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}

function sheet(wb: ExcelJS.Workbook, name: string, columns: Array<{ header: string; width: number }>): ExcelJS.Worksheet {
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
