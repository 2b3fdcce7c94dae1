import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { pairRow, pdfBytes, tableRow, type TableStyle, registerCjk } from '../../platform/pdf/draw.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import { formatZhInstant } from '../fieldservice/pdf.js';
import type { CampaignOut, ItemOut } from './schema.js';

/**
 * The record of a verification campaign (资产盘点记录) the customer receives: PDF (A4, Chinese,
 * the CJK font embedded) and Excel, both with the campaign's facts, the tally, every item with its
 * result, note, proposed corrections and the review's decision, and lines to sign.
 */
export const RESULT_ZH: Record<string, string> = { pending: '未盘点', found: '账实相符', missing: '缺失', wrong_location: '位置不符', wrong_attributes: '属性不符' };
export const STATE_ZH: Record<string, string> = { open: '盘点中', review: '待审核', closed: '已结束', cancelled: '已取消' };
const DECISION_ZH: Record<string, string> = { accepted: '已确认并更新台账', rejected: '已驳回' };
const FIELD_ZH: Record<string, string> = { siteId: '地点', location: '存放位置', serial: '序列号', brand: '品牌', model: '型号', name: '名称', responsibleName: '责任人' };

export interface CampaignDocument {
  campaign: CampaignOut;
  items: ItemOut[];
  timeZone: string;
  providerName: string | null;
  /** Site names for proposed site ids. */
  siteNames: Map<number, string>;
  generatedAt: number;
}

function proposedText(p: Record<string, unknown> | null, sites: Map<number, string>): string {
  if (!p) return '';
  return Object.entries(p)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${FIELD_ZH[k] ?? k}：${k === 'siteId' ? (sites.get(Number(v)) ?? `#${String(v)}`) : String(v)}`)
    .join('；');
}

function tallyText(c: CampaignOut): string {
  return `共 ${c.total} 项，已盘点 ${c.checked} 项：账实相符 ${c.counts.found}，缺失 ${c.counts.missing}，位置不符 ${c.counts.wrong_location}，属性不符 ${c.counts.wrong_attributes}，未盘点 ${c.counts.pending}`;
}

export async function renderCampaignPdf(d: CampaignDocument, font: FontChoice): Promise<Buffer> {
  const c = d.campaign;
  const doc = new PDFDocument({ size: 'A4', layout: 'portrait', margins: { top: 45, bottom: 50, left: 40, right: 40 }, bufferPages: true, info: { Title: `资产盘点记录 ${c.name}`, Author: d.providerName ?? 'Yunwei', Subject: c.customerName, Creator: 'Yunwei' } });
  const bytes = pdfBytes(doc);
  registerCjk(doc, font);
  doc.font('cjk');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const style: TableStyle = { left, fontSize: 9, pad: 4, border: '#999999', shade: '#f0f0f0' };
  const when = (s: string | null) => (s ? formatZhInstant(Date.parse(s), d.timeZone) : '—');

  doc.fontSize(17).text('资产盘点记录', left, doc.y, { width, align: 'center' });
  doc.moveDown(0.3).fontSize(10).fillColor('#555555').text(c.name, { width, align: 'center' }).fillColor('#000000');
  doc.moveDown(0.8);
  const pw = { label: 70, value: width / 2 - 70 };
  pairRow(doc, style, pw, '客户', c.customerName, '盘点范围', c.siteName ?? '全部地点');
  pairRow(doc, style, pw, '盘点周期', c.period, '状态', STATE_ZH[c.state] ?? c.state);
  pairRow(doc, style, pw, '创建时间', when(c.createdAt), '完成期限', c.dueDate ?? '—');
  pairRow(doc, style, pw, '负责工程师', c.assigneeName ?? '—', '结束', c.closedAt ? `${when(c.closedAt)}（${c.closedByName ?? ''}）` : '—');
  tableRow(doc, style, [
    { text: '盘点结果', width: pw.label, shaded: true },
    { text: tallyText(c), width: width - pw.label },
  ]);
  doc.moveDown(1);

  const cols = [
    { title: '序号', width: 28 },
    { title: '资产编号', width: 62 },
    { title: '配置项 / 名称', width: 110 },
    { title: '地点 / 位置', width: 80 },
    { title: '结果', width: 48 },
    { title: '说明与建议更正', width: width - 28 - 62 - 110 - 80 - 48 - 72 },
    { title: '审核', width: 72 },
  ];
  const header = () => tableRow(doc, { ...style, fontSize: 8.5 }, cols.map((x) => ({ text: x.title, width: x.width, shaded: true, align: 'center' as const })));
  header();
  d.items.forEach((it, i) => {
    if (doc.y + 40 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      header();
    }
    const explain = [it.note, proposedText(it.proposed, d.siteNames)].filter(Boolean).join('\n');
    const review = it.decision ? `${DECISION_ZH[it.decision]}${it.decidedByName ? `\n${it.decidedByName}` : ''}` : it.result === 'pending' || it.result === 'found' ? '—' : '待审核';
    tableRow(doc, { ...style, fontSize: 8.5 }, [
      { text: String(i + 1), width: cols[0].width, align: 'center' },
      { text: it.assetNo ?? '—', width: cols[1].width },
      { text: `${it.ciCode}\n${it.ciName}`, width: cols[2].width },
      { text: [it.siteName, it.location].filter(Boolean).join('\n') || '—', width: cols[3].width },
      { text: RESULT_ZH[it.result] ?? it.result, width: cols[4].width, align: 'center' },
      { text: explain || '—', width: cols[5].width },
      { text: review, width: cols[6].width },
    ]);
  });
  doc.moveDown(2);
  if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const third = width / 3;
  const y = doc.y;
  doc.fontSize(10);
  ['盘点人：', '审核人：', '客户确认：'].forEach((label, i) => doc.text(`${label}______________`, left + i * third, y, { width: third, lineBreak: false }));
  doc.text(`日期：______________`, left + 2 * third, y + 22, { width: third, lineBreak: false });

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    // Below the bottom margin pdfkit would start a new page for the footer: lift the margin while writing it.
    doc.page.margins.bottom = 0;
    doc.fontSize(8).fillColor('#777777').text(`${d.providerName ?? ''}  资产盘点记录 ${c.name}  第 ${i + 1} / ${range.count} 页  生成于 ${formatZhInstant(d.generatedAt, d.timeZone)}`, left, doc.page.height - 35, { width, align: 'center', lineBreak: false });
    doc.fillColor('#000000');
  }
  doc.end();
  return bytes;
}

export async function renderCampaignXlsx(d: CampaignDocument): Promise<Buffer> {
  const c = d.campaign;
  const wb = new ExcelJS.Workbook();
  const info = wb.addWorksheet('盘点概况');
  const rows: Array<[string, string | number]> = [
    ['盘点', c.name],
    ['客户', c.customerName],
    ['盘点范围', c.siteName ?? '全部地点'],
    ['盘点周期', c.period],
    ['状态', STATE_ZH[c.state] ?? c.state],
    ['完成期限', c.dueDate ?? ''],
    ['负责工程师', c.assigneeName ?? ''],
    ['总数', c.total],
    ['已盘点', c.checked],
    ['账实相符', c.counts.found],
    ['缺失', c.counts.missing],
    ['位置不符', c.counts.wrong_location],
    ['属性不符', c.counts.wrong_attributes],
    ['未盘点', c.counts.pending],
    ['结束时间', c.closedAt ? formatZhInstant(Date.parse(c.closedAt), d.timeZone) : ''],
    ['结束人', c.closedByName ?? ''],
  ];
  for (const r of rows) info.addRow(r);
  info.getColumn(1).width = 14;
  info.getColumn(1).font = { bold: true };
  info.getColumn(2).width = 48;

  const ws = wb.addWorksheet('盘点明细');
  ws.addRow(['序号', '资产编号', '配置项编号', '名称', '地点', '存放位置', '序列号', '盘点结果', '说明', '建议更正', '盘点人', '盘点时间', '审核结论', '审核人']).font = { bold: true };
  d.items.forEach((it, i) =>
    ws.addRow([
      i + 1, it.assetNo ?? '', it.ciCode, it.ciName, it.siteName ?? '', it.location ?? '', it.serial ?? '', RESULT_ZH[it.result] ?? it.result, it.note ?? '', proposedText(it.proposed, d.siteNames), it.checkedByName ?? '',
      it.checkedAt ? formatZhInstant(Date.parse(it.checkedAt), d.timeZone) : '', it.decision ? DECISION_ZH[it.decision] : '', it.decidedByName ?? '',
    ]),
  );
  ws.columns.forEach((col, i) => (col.width = [6, 14, 16, 24, 16, 18, 16, 10, 24, 30, 10, 18, 16, 10][i] ?? 12));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
