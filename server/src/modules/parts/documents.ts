import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { instantToZoned } from '../../core/calendar/index.js';
import { KIND_ZH, MOVEMENT_KINDS, type MovementKind } from '../../core/parts/index.js';
import { ensureRoom, pdfBytes, pairRow, tableRow, zoneOffset, type TableCell, type TableStyle, registerCjk, pageFooters } from '../../platform/pdf/draw.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import type { MonthlyOut, MovementOut } from './schema.js';

/**
 * The printable spare-parts documents (Chinese: they are the customer's papers): the 备件领用单
 * a customer signs for the parts fitted on a ticket, and the month's movement list per customer
 * (备品备件月度清单, the configuration list topped up monthly) as PDF and Excel.
 */

const NONE = '—';
const BORDER = '#999999';
const SHADE = '#f0f0f0';

/** 2026年3月5日 14:30 in the zone. */
export function zhInstant(isoText: string, timeZone: string): string {
  const { date, time } = instantToZoned(Date.parse(isoText), timeZone);
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日 ${time}`;
}

export function zhMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${y}年${m}月`;
}

function newDoc(title: string, subject: string, font: FontChoice, layout: 'portrait' | 'landscape' = 'portrait') {
  const doc = new PDFDocument({ size: 'A4', layout, margins: { top: 50, bottom: 60, left: 45, right: 45 }, bufferPages: true, info: { Title: title, Subject: subject, Creator: 'Yunwei' } });
  const bytes = pdfBytes(doc);
  registerCjk(doc, font);
  doc.font('cjk');
  return { doc, bytes };
}

const footer = (doc: PDFKit.PDFDocument, left: string) => pageFooters(doc, left, BORDER);

export interface SlipDocument {
  number: string;
  providerName: string | null;
  customerName: string;
  ticketNumber: string | null;
  ticketTitle: string | null;
  warehouseName: string | null;
  ciLabel: string | null;
  repairReportNumber: string | null;
  byName: string;
  at: string;
  timeZone: string;
  note: string | null;
  lines: MovementOut[];
}

/** The 备件领用单: who took which parts for which ticket, with signature lines for the engineer and the customer. */
export async function renderSlipPdf(s: SlipDocument, font: FontChoice): Promise<Buffer> {
  const { doc, bytes } = newDoc(`备件领用单 ${s.number}`, s.customerName, font);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const style: TableStyle = { left, fontSize: 10, pad: 5, border: BORDER, shade: SHADE };
  if (s.providerName) doc.fontSize(13).text(s.providerName, left, doc.y, { width, align: 'center' }).moveDown(0.2);
  doc.fontSize(20).text('备件领用单', left, doc.y, { width, align: 'center' });
  doc.moveDown(0.8);
  doc.fontSize(10).text(`单号：${s.number}`, left, doc.y, { width, align: 'right' });
  doc.moveDown(0.4);
  const label = 72;
  const value = (width - 2 * label) / 2;
  const pair = (l1: string, v1: string, l2: string, v2: string) => pairRow(doc, style, { label, value }, l1, v1, l2, v2);
  pair('客户', s.customerName, '工单', s.ticketNumber ? `${s.ticketNumber} ${s.ticketTitle ?? ''}`.trim() : NONE);
  pair('发料仓库', s.warehouseName ?? NONE, '配置项', s.ciLabel ?? NONE);
  pair('领用人', s.byName, '领用时间', zhInstant(s.at, s.timeZone));
  pair('维修报告', s.repairReportNumber ?? NONE, '时间基准', `客户所在时区 ${zoneOffset(Date.parse(s.at), s.timeZone)}`);
  doc.moveDown(0.8);
  doc.fontSize(12).text('领用明细', left, doc.y, { width });
  doc.moveDown(0.3);
  const cols = [36, 200, 50, 50, width - 36 - 200 - 50 - 50];
  tableRow(doc, style, ['序号', '备件（类型 品牌 型号）', '单位', '数量', '序列号'].map((text, i) => ({ text, width: cols[i], shaded: true, align: 'center' as const })));
  s.lines.forEach((l, i) =>
    tableRow(doc, style, [
      { text: String(i + 1), width: cols[0], align: 'center' },
      { text: l.modelLabel, width: cols[1] },
      { text: l.unit, width: cols[2], align: 'center' },
      { text: String(l.quantity), width: cols[3], align: 'center' },
      { text: l.serial ?? NONE, width: cols[4] },
    ] satisfies TableCell[]),
  );
  const total = s.lines.reduce((n, l) => n + l.quantity, 0);
  tableRow(doc, style, [
    { text: '合计', width: cols[0] + cols[1] + cols[2], shaded: true, align: 'center' },
    { text: String(total), width: cols[3], align: 'center' },
    { text: '', width: cols[4] },
  ]);
  doc.moveDown(0.6);
  doc.fontSize(10.5).text(`备注：${s.note ?? NONE}`, left, doc.y, { width });
  ensureRoom(doc, 130);
  doc.moveDown(1.5);
  const top = doc.y;
  const col = (width - 24) / 2;
  doc.fontSize(10).fillColor('#555555').text('备件已如数领用并用于上述工单；客户签字确认备件已安装、旧件已交回或按约定处理。', left, top, { width });
  doc.fillColor('#000000').fontSize(11);
  const y = top + 40;
  doc.text('领用人（工程师）签字：', left, y, { width: col });
  doc.moveTo(left, y + 42).lineTo(left + col - 20, y + 42).lineWidth(0.5).stroke('#555555');
  doc.text(`（${s.byName}）`, left, y + 46, { width: col - 20, align: 'center' });
  doc.text('客户签字确认：', left + col + 24, y, { width: col });
  doc.moveTo(left + col + 24, y + 42).lineTo(left + width, y + 42).lineWidth(0.5).stroke('#555555');
  doc.text('日期：      年    月    日', left + col + 24, y + 60, { width: col });
  doc.x = left;
  footer(doc, s.providerName ?? 'Yunwei');
  doc.end();
  return bytes;
}

function place(m: MovementOut): string {
  if (m.fromWarehouseName && m.toWarehouseName) return `${m.fromWarehouseName} → ${m.toWarehouseName}`;
  return m.fromWarehouseName ?? m.toWarehouseName ?? NONE;
}

/** The month's list as a PDF: the movements, the totals per model and the stores' stock with what to top up. */
export async function renderMonthlyPdf(r: MonthlyOut, providerName: string | null, font: FontChoice): Promise<Buffer> {
  const title = `备品备件月度清单（${zhMonth(r.month)}）`;
  const { doc, bytes } = newDoc(`${r.customerName} ${title}`, r.customerName, font, 'landscape');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const style: TableStyle = { left, fontSize: 9, pad: 4, border: BORDER, shade: SHADE };
  if (providerName) doc.fontSize(12).text(providerName, left, doc.y, { width, align: 'center' }).moveDown(0.2);
  doc.fontSize(18).text(title, left, doc.y, { width, align: 'center' });
  doc.moveDown(0.4);
  doc.fontSize(10).text(`客户：${r.customerName}　　时间按客户所在时区（${r.timeZone}）`, left, doc.y, { width, align: 'center' });
  doc.moveDown(0.8);

  doc.fontSize(12).text('一、出入库明细', left, doc.y, { width });
  doc.moveDown(0.3);
  const cols = [100, 74, 80, 150, 40, 90, 110, 70];
  cols.push(width - cols.reduce((a, b) => a + b, 0));
  const head = ['时间', '单号', '类别', '备件', '数量', '序列号', '仓库', '工单', '经办人/备注'];
  tableRow(doc, style, head.map((text, i) => ({ text, width: cols[i], shaded: true, align: 'center' as const })));
  if (!r.movements.length) tableRow(doc, style, [{ text: '本月无出入库', width, align: 'center' }]);
  for (const m of r.movements) {
    tableRow(doc, style, [
      zhInstant(m.at, r.timeZone), m.number, KIND_ZH[m.kind], m.modelLabel, `${m.quantity}${m.unit}`, m.serial ?? NONE, place(m), m.ticketNumber ?? NONE, [m.byName, m.note].filter(Boolean).join(' / '),
    ].map((text, i) => ({ text, width: cols[i] })));
  }

  ensureRoom(doc, 80);
  doc.moveDown(0.8);
  doc.fontSize(12).text('二、本月汇总（按型号）', left, doc.y, { width });
  doc.moveDown(0.3);
  const kinds = MOVEMENT_KINDS.filter((k) => r.summary.some((s) => s.byKind[k] !== undefined));
  const first = 220;
  const each = kinds.length ? (width - first) / kinds.length : width - first;
  tableRow(doc, style, [{ text: '备件', width: first, shaded: true }, ...kinds.map((k) => ({ text: KIND_ZH[k], width: each, shaded: true, align: 'center' as const }))]);
  if (!r.summary.length) tableRow(doc, style, [{ text: NONE, width, align: 'center' }]);
  for (const s of r.summary) tableRow(doc, style, [{ text: s.modelLabel, width: first }, ...kinds.map((k) => ({ text: s.byKind[k] === undefined ? '' : `${s.byKind[k]}${s.unit}`, width: each, align: 'center' as const }))]);

  ensureRoom(doc, 80);
  doc.moveDown(0.8);
  doc.fontSize(12).text('三、现场库存与补充（配置清单）', left, doc.y, { width });
  doc.moveDown(0.3);
  const sc = [170, 260, 80, 80, 80];
  sc.push(width - sc.reduce((a, b) => a + b, 0));
  tableRow(doc, style, ['仓库', '备件', '现有', '最低库存', '需补充', '故障件'].map((text, i) => ({ text, width: sc[i], shaded: true, align: 'center' as const })));
  if (!r.stock.length) tableRow(doc, style, [{ text: '该客户没有现场库', width, align: 'center' }]);
  for (const s of r.stock) tableRow(doc, style, [s.warehouseName, s.modelLabel, `${s.quantity}${s.unit}`, `${s.minQuantity}${s.unit}`, s.topUp ? `${s.topUp}${s.unit}` : NONE, String(s.faulty)].map((text, i) => ({ text, width: sc[i], align: i > 1 ? ('center' as const) : undefined })));

  ensureRoom(doc, 70);
  doc.moveDown(1.5);
  const y = doc.y;
  doc.fontSize(11).text('服务方（签字/盖章）：', left, y, { width: width / 2 });
  doc.text('客户确认（签字）：', left + width / 2, y, { width: width / 2 });
  doc.x = left;
  footer(doc, providerName ?? 'Yunwei');
  doc.end();
  return bytes;
}

/** The month's list as an Excel workbook: 明细, 汇总 and 库存与补充 sheets. */
export async function renderMonthlyXlsx(r: MonthlyOut): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Yunwei';
  const detail = wb.addWorksheet('出入库明细');
  detail.addRow([`${r.customerName} 备品备件月度清单（${zhMonth(r.month)}）时间按 ${r.timeZone}`]);
  detail.addRow(['时间', '单号', '类别', '备件', '数量', '单位', '序列号', '调出仓库', '调入仓库', '工单', '经办人', '备注']);
  detail.getRow(2).font = { bold: true };
  for (const m of r.movements) detail.addRow([zhInstant(m.at, r.timeZone), m.number, KIND_ZH[m.kind], m.modelLabel, m.quantity, m.unit, m.serial ?? '', m.fromWarehouseName ?? '', m.toWarehouseName ?? '', m.ticketNumber ?? '', m.byName, m.note ?? '']);
  detail.columns.forEach((c, i) => (c.width = [20, 16, 10, 28, 8, 6, 18, 16, 16, 20, 10, 24][i] ?? 12));

  const sum = wb.addWorksheet('汇总');
  const kinds = MOVEMENT_KINDS as readonly MovementKind[];
  sum.addRow(['备件', '单位', ...kinds.map((k) => KIND_ZH[k])]);
  sum.getRow(1).font = { bold: true };
  for (const s of r.summary) sum.addRow([s.modelLabel, s.unit, ...kinds.map((k) => s.byKind[k] ?? 0)]);
  sum.getColumn(1).width = 28;

  const stock = wb.addWorksheet('库存与补充');
  stock.addRow(['仓库', '备件', '单位', '现有', '最低库存', '需补充', '故障件']);
  stock.getRow(1).font = { bold: true };
  for (const s of r.stock) stock.addRow([s.warehouseName, s.modelLabel, s.unit, s.quantity, s.minQuantity, s.topUp, s.faulty]);
  stock.getColumn(1).width = 22;
  stock.getColumn(2).width = 28;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
