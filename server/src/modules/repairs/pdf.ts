import PDFDocument from 'pdfkit';
import { ensureRoom, pairRow, pdfBytes, tableRow, zoneOffset, type TableStyle, registerCjk, pageFooters } from '../../platform/pdf/draw.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import { COVERAGE_ZH, DATA_ZH, STATE_ZH, zhInstant } from './service.js';
import type { OrderOut } from './schema.js';

/**
 * The printable 设备送修单 (A4, Chinese): handed to the vendor with the device and filed with the
 * customer. What was done with the user's data is printed in its own box (REQ #170); the
 * progress reports so far follow; the hand-over is signed by the provider, the vendor and the
 * customer.
 */
export async function renderOrderPdf(o: OrderOut, extra: { providerName: string | null; vendorAddress: string | null; vendorContact: string | null }, font: FontChoice): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margins: { top: 50, bottom: 60, left: 50, right: 50 }, bufferPages: true, info: { Title: `设备送修单 ${o.number}`, Author: extra.providerName ?? 'Yunwei', Subject: o.customerName ?? '', Creator: 'Yunwei' } });
  const bytes = pdfBytes(doc);
  registerCjk(doc, font);
  doc.font('cjk');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const zone = o.timeZone;
  const when = (s: string | null) => (s ? zhInstant(Date.parse(s), zone) : '—');
  const style: TableStyle = { left, fontSize: 10, pad: 5, border: '#999999', shade: '#f0f0f0' };
  const label = 80;
  const value = (width - 2 * label) / 2;
  const pair = (l1: string, v1: string, l2: string, v2: string) => pairRow(doc, style, { label, value }, l1, v1 || '—', l2, v2 || '—');
  const wide = (l: string, v: string) => tableRow(doc, style, [{ text: l, width: label, shaded: true }, { text: v || '—', width: width - label }]);

  if (extra.providerName) doc.fontSize(13).text(extra.providerName, left, doc.y, { width, align: 'center' }).moveDown(0.2);
  doc.fontSize(20).text('设备送修单', left, doc.y, { width, align: 'center' });
  doc.moveDown(0.8);
  doc.fontSize(10).text(`送修单号：${o.number}　　状态：${STATE_ZH[o.state]}`, left, doc.y, { width, align: 'right' });
  doc.moveDown(0.4);

  pair('客户', o.customerName ?? '', '工单', o.ticketNumber ? `${o.ticketNumber} ${o.ticketTitle ?? ''}` : '');
  pair('设备', o.device, '序列号', o.serial ?? '');
  pair('配置项', o.ciCode ? `${o.ciCode} ${o.ciName ?? ''}` : '', '保修类型', COVERAGE_ZH[o.coverage]);
  pair('厂商', o.vendorName ?? '', '厂商热线', o.vendorHotline ?? '');
  pair('厂商联系人', extra.vendorContact ?? '', 'RMA 号', o.rma ?? '');
  wide('厂商地址', extra.vendorAddress ?? '');
  wide('故障现象', o.fault);
  pair('送出时间', when(o.sentAt), '预计返回', o.expectedReturn ?? '');
  pair('目标返回日', o.targetReturn ? `${o.targetReturn}（送修后第二个周末前）` : '', '时间基准', `客户所在时区 ${zoneOffset(Date.parse(o.createdAt), zone)}`);
  pair('返回时间', when(o.returnedAt), '验收时间', when(o.acceptedAt));
  if (o.testResult) wide('测试结果', o.testResult);
  if (o.costCents !== null) wide('维修费用', `¥${(o.costCents / 100).toFixed(2)}`);

  // The user's data: its own box, as the commitment asks (送修前先备份用户数据).
  ensureRoom(doc, 60);
  doc.moveDown(0.6);
  doc.fontSize(12).text('用户数据处理确认', left, doc.y, { width });
  doc.moveDown(0.3);
  const box = (on: boolean) => (on ? '■' : '□');
  const choices = (['backed_up', 'wiped', 'no_data'] as const).map((k) => `${box(o.dataHandling === k)} ${DATA_ZH[k]}`).join('　　');
  wide('数据确认', `${choices}\n确认人：${o.dataConfirmedByName ?? '—'}　确认时间：${when(o.dataConfirmedAt)}`);

  ensureRoom(doc, 60);
  doc.moveDown(0.6);
  doc.fontSize(12).text('进度报告（每 3 个工作日书面反馈一次）', left, doc.y, { width });
  doc.moveDown(0.3);
  const cols = [110, 70, width - 180];
  tableRow(doc, style, ['时间', '报告人', '内容'].map((text, i) => ({ text, width: cols[i], shaded: true, align: 'center' as const })));
  if (!o.progress.length) tableRow(doc, style, [{ text: '暂无', width, align: 'center' }]);
  for (const p of o.progress) tableRow(doc, style, [{ text: `${when(p.at)}${p.late ? '\n（逾期）' : ''}`, width: cols[0] }, { text: p.byName, width: cols[1] }, { text: p.text, width: cols[2] }]);
  if (o.nextReportDueAt) {
    doc.moveDown(0.3);
    doc.fontSize(10).text(`下次进度报告截止：${when(o.nextReportDueAt)}`, left, doc.y, { width });
  }

  ensureRoom(doc, 120);
  doc.moveDown(1.2);
  const third = width / 3;
  const top = doc.y;
  for (const [i, who] of ['送修人（服务方）', '厂商接收人', '客户确认'].entries()) {
    const x = left + i * third;
    doc.fontSize(11).text(who, x, top, { width: third - 10 });
    doc.moveTo(x, top + 50).lineTo(x + third - 20, top + 50).lineWidth(0.5).stroke('#555555');
    doc.fontSize(9).fillColor('#555555').text('签字 / 日期', x, top + 54, { width: third - 10 }).fillColor('#000000');
  }
  doc.x = left;
  doc.y = top + 80;

  pageFooters(doc, extra.providerName ?? 'Yunwei');
  doc.end();
  return bytes;
}
