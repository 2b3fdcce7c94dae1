import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { ensureRoom, pdfBytes, pairRow, tableRow, zoneOffset, type TableCell, type TableStyle } from '../../../platform/pdf/draw.js';
import { fontBuffer, type FontChoice } from '../../../platform/pdf/fonts.js';
import { localTime, NONE, type SlaOutcome } from './labels.js';

/**
 * One ticket as evidence (A4, Chinese): the header, the SLA outcome per metric, the rating and
 * the whole timeline — public entries and the provider's internal notes alike, each marked, since
 * the pack is the provider's own record for its auditor (docs/EVIDENCE.md says why).
 *
 * Two things make thousands of these affordable and repeatable:
 * - the font is parsed once per process (thread) and the parsed font handed to every document
 *   (pdfkit accepts a fontkit font): parsing the CFF tables per document was two thirds of the
 *   time; only its glyph cache is emptied per document (below);
 * - the document's dates are the pack's fixed instant, so the same ticket renders to the same bytes
 *   (pdfkit derives the file ID from the info dictionary).
 */
export interface TicketDoc {
  number: string;
  title: string;
  kind: string;
  customerName: string;
  contractName: string;
  priority: string;
  impact: string;
  urgency: string;
  state: string;
  channel: string;
  caller: string;
  siteName: string;
  service: string;
  category: string;
  handler: string;
  description: string;
  resolution: string | null;
  times: Array<[string, number | null]>;
  sla: SlaOutcome[];
  rating: { score: number; comment: string | null; ratedAt: number } | null;
  repairReports: string[];
  events: Array<{ at: number; actor: string; internal: boolean; text: string }>;
  timeZone: string;
}

const BORDER = '#999999';
const SHADE = '#f0f0f0';

const parsedFonts = new Map<string, fontkit.Font>();
function parsedFont(font: FontChoice): fontkit.Font {
  const key = `${font.path}#${font.family ?? ''}`;
  let f = parsedFonts.get(key);
  if (!f) {
    const created = fontkit.create(fontBuffer(font), font.family ?? undefined);
    f = ('fonts' in created ? created.fonts[0] : created) as fontkit.Font;
    parsedFonts.set(key, f);
  }
  return f;
}

export async function renderTicketPdf(t: TicketDoc, font: FontChoice, fixedDate: Date): Promise<Buffer> {
  const cjk = parsedFont(font);
  // fontkit keeps each glyph object it made, with the characters of the text it was first made
  // for; pdfkit writes those into the PDF's text map (what search and copy read) and measures with
  // them. Shared across documents, a PDF would depend on which documents came before it (on which
  // thread): an empty glyph cache per document makes each PDF what a fresh font gives, while the
  // parsed tables — the expensive part — stay. (fontkit 2.0.4 internal, pinned.)
  (cjk as unknown as { _glyphs: Record<number, unknown> })._glyphs = {};
  const doc = new PDFDocument({
    size: 'A4',
    // The CJK font from the start: the default (Helvetica) would be parsed from its metrics file for every document.
    font: cjk as unknown as string,
    margins: { top: 45, bottom: 50, left: 45, right: 45 },
    info: { Title: `工单 ${t.number}`, Subject: t.customerName, Creator: 'Yunwei', Producer: 'Yunwei', CreationDate: fixedDate, ModDate: fixedDate },
  });
  const bytes = pdfBytes(doc);
  // pdfkit takes a parsed fontkit font as well as a name or bytes; its types know only those.

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const when = (ms: number | null) => localTime(ms, t.timeZone);
  const ensure = (height: number) => ensureRoom(doc, height);
  const table: TableStyle = { left, fontSize: 9, pad: 4, border: BORDER, shade: SHADE };
  const row = (cells: TableCell[]) => tableRow(doc, table, cells);
  const heading = (title: string) => {
    ensure(50);
    doc.moveDown(0.7);
    doc.fontSize(11.5).fillColor('#000000').text(title, left, doc.y, { width });
    doc.moveDown(0.2);
  };

  doc.fontSize(17).text(`工单记录 ${t.number}`, left, doc.y, { width, align: 'center' });
  doc.moveDown(0.3);
  doc.fontSize(12).text(t.title, left, doc.y, { width, align: 'center' });
  doc.moveDown(0.6);

  const lw = 62;
  const vw = (width - 2 * lw) / 2;
  const pair = (l1: string, v1: string, l2: string, v2: string) => pairRow(doc, table, { label: lw, value: vw }, l1, v1, l2, v2);
  pair('客户', t.customerName, '合同', t.contractName);
  pair('类型', t.kind, '状态', t.state);
  pair('优先级', t.priority, '影响度/紧急度', `${t.impact} / ${t.urgency}`);
  pair('报告渠道', t.channel, '报告人', t.caller);
  pair('服务地点', t.siteName, '服务/分类', `${t.service} / ${t.category}`);
  pair('处理组/人', t.handler, '时间基准', `客户所在时区 ${t.timeZone}（${zoneOffset(t.times[0]?.[1] ?? 0, t.timeZone)}）`);
  for (let i = 0; i < t.times.length; i += 2) {
    const [a, b] = [t.times[i], t.times[i + 1]];
    pair(a[0], when(a[1]), b?.[0] ?? '', b ? when(b[1]) : '');
  }

  heading('问题描述');
  doc.fontSize(9.5).text(t.description.trim() || NONE, left, doc.y, { width, lineGap: 1.5 });
  if (t.resolution) {
    heading('处理结果');
    doc.fontSize(9.5).text(t.resolution, left, doc.y, { width, lineGap: 1.5 });
  }

  heading('SLA 达成情况');
  const sc = [60, 90, 110, 70, width - 60 - 90 - 110 - 70];
  row(['指标', '目标', '截止时间', '结果', '达成/超时时间；说明'].map((text, i) => ({ text, width: sc[i], shaded: true })));
  if (!t.sla.length) row([{ text: '该工单无 SLA 计时（合同未设 SLA 或不适用）', width }]);
  for (const s of t.sla)
    row([
      { text: s.metric, width: sc[0] },
      { text: s.target, width: sc[1] },
      { text: when(s.due), width: sc[2] },
      { text: s.result, width: sc[3] },
      { text: [s.at === null ? null : when(s.at), s.goal].filter(Boolean).join('；') || NONE, width: sc[4] },
    ]);

  heading('满意度评价');
  doc.fontSize(9.5).text(t.rating ? `${t.rating.score} 分（满分 5 分），${when(t.rating.ratedAt)}${t.rating.comment ? `：${t.rating.comment}` : ''}` : '未评价', left, doc.y, { width });
  if (t.repairReports.length) {
    heading('维修服务报告');
    doc.fontSize(9.5).text(`${t.repairReports.join('、')}（已签字，见证据包 repair-reports/ 目录）`, left, doc.y, { width });
  }

  heading(`处理时间线（共 ${t.events.length} 条；“内部”为服务方内部记录，客户不可见）`);
  // Entries as paragraphs, not table cells: a cell is laid out twice (measured, then drawn), and the timeline is most of the text.
  for (const e of t.events) {
    ensure(30);
    doc.fontSize(8.5).fillColor(e.internal ? '#8a5a00' : '#555555').text(`${when(e.at)}　${e.actor}　${e.internal ? '内部' : '公开'}`, left, doc.y + 3, { width });
    doc.fontSize(9.5).fillColor('#000000').text(e.text, left + 12, doc.y + 1, { width: width - 12, lineGap: 1 });
  }
  if (!t.events.length) doc.fontSize(9.5).text('无记录', left, doc.y, { width });

  doc.end();
  return bytes;
}
