import PDFDocument from 'pdfkit';
import { instantToZoned } from '../../core/calendar/index.js';
import { ensureRoom, pdfBytes, pairRow, tableRow, zoneOffset, type TableCell, type TableStyle, registerCjk, pageFooters } from '../../platform/pdf/draw.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import type { PartUsed, RepairResult } from './schema.js';

/**
 * The printable 维修服务报告 (A4, Chinese: it is the customer's document, signed and filed in
 * the project's maintenance file). The CJK font is embedded as a subset, so the PDF shows the
 * same text on any reader and the text can be searched and copied.
 */
export interface ReportDocument {
  number: string;
  draft: boolean;
  customerName: string;
  siteName: string | null;
  contactName: string | null;
  contactPhone: string | null;
  reportedAt: number;
  engineerName: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  fault: string | null;
  diagnosis: string | null;
  cause: string | null;
  actions: string | null;
  parts: PartUsed[];
  result: RepairResult | null;
  customerOpinion: string | null;
  signerName: string | null;
  signedAt: number | null;
  signature: Buffer | null;
  signedOnPaper: boolean;
  /** The customer's IANA zone: every time is printed as the customer reads a clock. */
  timeZone: string;
  /** The provider (服务单位) whose engineer did the work and whose seal the report takes. */
  providerName: string | null;
  /** Labour: the ticket's logged work, or (without worklogs) the time on site; null when neither is known. */
  labour: { minutes: number; source: 'worklogs' | 'onsite' } | null;
}

const RESULT_ZH: Record<RepairResult, string> = { fixed: '修复', temporary: '临时恢复', not_fixed: '未修复' };
const NONE = '—';
const BORDER = '#999999';
const SHADE = '#f0f0f0';

/** 2026年3月5日 14:30 in the given zone. */
export function formatZhInstant(ms: number | null, timeZone: string): string {
  if (ms === null) return NONE;
  const { date, time } = instantToZoned(ms, timeZone);
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日 ${time}`;
}

/** "2.5 小时" — labour in hours to one decimal (whole hours without one). */
export function formatLabour(labour: ReportDocument['labour']): string {
  if (!labour) return NONE;
  const hours = Math.round((labour.minutes / 60) * 10) / 10;
  return `${hours} 小时（${labour.source === 'worklogs' ? '按工作记录合计' : '按到场至离场时间'}）`;
}

export async function renderReportPdf(r: ReportDocument, font: FontChoice): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    info: { Title: `维修服务报告 ${r.number}`, Author: r.providerName ?? 'Yunwei', Subject: r.customerName, Creator: 'Yunwei' },
  });
  const bytes = pdfBytes(doc);
  registerCjk(doc, font);
  doc.font('cjk');

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const when = (ms: number | null) => formatZhInstant(ms, r.timeZone);

  const ensure = (height: number) => ensureRoom(doc, height);

  const table: TableStyle = { left, fontSize: 10, pad: 5, border: BORDER, shade: SHADE };
  /** One table row: cells of the given widths, each wrapped, all as tall as the tallest; shaded cells are labels. */
  const row = (cells: TableCell[]) => tableRow(doc, table, cells);

  const section = (title: string, body: string | null) => {
    ensure(60);
    doc.moveDown(0.6);
    doc.fontSize(12).fillColor('#000000').text(title, left, doc.y, { width });
    const y = doc.y + 2;
    doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).stroke(BORDER);
    doc.y = y + 5;
    doc.fontSize(10.5).text(body?.trim() ? body : NONE, left, doc.y, { width, lineGap: 2 });
  };

  // ---- title and number
  if (r.providerName) doc.fontSize(13).text(r.providerName, left, doc.y, { width, align: 'center' }).moveDown(0.2);
  doc.fontSize(20).text('维修服务报告', left, doc.y, { width, align: 'center' });
  if (r.draft) doc.moveDown(0.2).fontSize(10).fillColor('#cc0000').text('草稿（未签字）', { width, align: 'center' }).fillColor('#000000');
  doc.moveDown(0.8);
  doc.fontSize(10).text(`报告编号：${r.number}`, left, doc.y, { width, align: 'right' });
  doc.moveDown(0.4);

  // ---- header: who, where, when
  const label = 72;
  const value = (width - 2 * label) / 2;
  const pair = (l1: string, v1: string, l2: string, v2: string) => pairRow(doc, table, { label, value }, l1, v1, l2, v2);
  pair('客户', r.customerName, '服务地点', r.siteName ?? NONE);
  pair('联系人', r.contactName ?? NONE, '联系电话', r.contactPhone ?? NONE);
  pair('报告时间', when(r.reportedAt), '工程师', r.engineerName ?? NONE);
  pair('到场时间', when(r.startedAt), '离场时间', when(r.finishedAt));
  pair('工时', formatLabour(r.labour), '时间基准', `客户所在时区 ${zoneOffset(r.reportedAt, r.timeZone)}`);

  // ---- the repair
  section('故障现象', r.fault);
  section('故障诊断', r.diagnosis);
  section('故障原因', r.cause);
  section('处理过程/维修措施', r.actions);

  ensure(70);
  doc.moveDown(0.6);
  doc.fontSize(12).text('更换备件', left, doc.y, { width });
  doc.moveDown(0.3);
  const cols = [36, 170, 130, 50, width - 36 - 170 - 130 - 50];
  row(['序号', '名称', '型号', '数量', '序列号'].map((text, i) => ({ text, width: cols[i], shaded: true, align: 'center' as const })));
  if (!r.parts.length) row([{ text: '无', width, align: 'center' }]);
  r.parts.forEach((p, i) =>
    row([
      { text: String(i + 1), width: cols[0], align: 'center' },
      { text: p.name, width: cols[1] },
      { text: p.model ?? NONE, width: cols[2] },
      { text: String(p.quantity), width: cols[3], align: 'center' },
      { text: p.serial ?? NONE, width: cols[4] },
    ]),
  );

  ensure(40);
  doc.moveDown(0.8);
  doc.fontSize(12).text(`维修结果：${r.result ? RESULT_ZH[r.result] : NONE}`, left, doc.y, { width });
  section('客户意见', r.customerOpinion);

  // ---- sign-off: the customer on the left; the provider on the right — the engineer's
  // signature and the 服务单位 seal (盖章处), as a paper report carries both parties' marks
  ensure(185);
  doc.moveDown(1);
  const gap = 24;
  const col = (width - gap) / 2;
  const right = left + col + gap;
  const top = doc.y;
  doc.fontSize(12).fillColor('#000000').text('客户签字确认', left, top, { width: col });
  doc.text('服务方确认', right, top, { width: col });
  doc.fontSize(9).fillColor('#555555').text('本报告经客户签字确认后生效，作为本次维修服务完成的依据。', left, top + 19, { width: col });
  doc.fillColor('#000000');
  const signTop = top + 46;
  if (r.signature) doc.image(r.signature, left, signTop, { fit: [200, 64] });
  else doc.fontSize(11).text(r.signedOnPaper ? '纸质签字，扫描件已上传' : '（待签字）', left, signTop + 18, { width: col });
  doc.fontSize(10.5).text(`签字人：${r.signerName ?? NONE}`, left, signTop + 72, { width: col });
  doc.text(`签字时间：${when(r.signedAt)}`, left, signTop + 90, { width: col });

  // the provider: the engineer signs on the line (his name printed under it), the seal goes in the circle
  const sealR = 46;
  const sealX = right + col - sealR - 4;
  const sealY = top + 90;
  const lineEnd = sealX - sealR - 10;
  doc.fontSize(10.5).text('工程师签字：', right, top + 28, { width: col, lineBreak: false });
  doc.moveTo(right + 64, top + 42).lineTo(lineEnd, top + 42).lineWidth(0.5).stroke('#555555');
  doc.fontSize(9).fillColor('#555555').text(`（${r.engineerName ?? NONE}）`, right + 64, top + 46, { width: lineEnd - right - 64, align: 'center' });
  doc.fillColor('#000000').fontSize(10.5).text('服务单位：', right, top + 74, { width: col, lineBreak: false });
  doc.text(r.providerName ?? '', right, top + 92, { width: lineEnd - right + 8 });
  doc.text('日期：      年    月    日', right, top + 128, { width: lineEnd - right + 20, lineBreak: false });
  doc.circle(sealX, sealY, sealR).lineWidth(0.8).dash(3, { space: 3 }).stroke('#c0392b').undash();
  doc.fontSize(9).fillColor('#c0392b').text('盖章处', sealX - sealR, sealY - 12, { width: 2 * sealR, align: 'center' });
  doc.text('（服务单位公章）', sealX - sealR, sealY + 2, { width: 2 * sealR, align: 'center' });
  doc.fillColor('#000000');
  doc.x = left;
  doc.y = top + 150;

  // ---- footer on every page: the provider and the page number
  pageFooters(doc, r.providerName ?? 'Yunwei', BORDER);
  doc.end();
  return bytes;
}
