/**
 * Drawing helpers shared by the PDFs of filed records (the 维修服务报告, 设备送修单, 备件领用单,
 * 资产盘点记录, asset tags) and the tables they lay out: the 维修服务报告
 * (modules/fieldservice/pdf.ts) and the evidence pack's ticket record
 * (modules/reporting/evidence/ticket-pdf.ts). Each document keeps its own look through the style
 * it passes (font size, padding, colours); the drawing itself is the same.
 */
import { fontBuffer, type FontChoice } from './fonts.js';

type Doc = PDFKit.PDFDocument;

/** The bytes of a pdfkit document once it ends: call right after creating it, resolve after `doc.end()`. */
export function pdfBytes(doc: Doc): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** Starts a new page when `height` does not fit between the cursor and the bottom margin. */
export function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

export interface TableStyle {
  /** The table's left edge (the page's left margin). */
  left: number;
  fontSize: number;
  /** Inner padding of every cell. */
  pad: number;
  border: string;
  /** Background of label cells. */
  shade: string;
}

export interface TableCell {
  text: string;
  width: number;
  /** A label cell (shaded). */
  shaded?: boolean;
  align?: 'left' | 'center' | 'right';
}

/**
 * One table row at the cursor: the cells side by side, each wrapped in its width, all as tall as
 * the tallest; the row moves to a new page whole when it does not fit. Leaves the cursor under it.
 */
export function tableRow(doc: Doc, style: TableStyle, cells: TableCell[]): void {
  const { pad } = style;
  doc.fontSize(style.fontSize);
  const height = Math.max(...cells.map((c) => doc.heightOfString(c.text || ' ', { width: c.width - 2 * pad }))) + 2 * pad;
  ensureRoom(doc, height);
  const top = doc.y;
  let x = style.left;
  for (const c of cells) {
    if (c.shaded) doc.rect(x, top, c.width, height).fill(style.shade);
    doc.rect(x, top, c.width, height).lineWidth(0.5).stroke(style.border);
    doc.fillColor('#000000').text(c.text, x + pad, top + pad, { width: c.width - 2 * pad, align: c.align ?? 'left' });
    x += c.width;
  }
  doc.x = style.left;
  doc.y = top + height;
}

/** A header row of two label/value pairs: 客户 | 市第一人民医院 | 合同 | 运维服务合同. */
export function pairRow(doc: Doc, style: TableStyle, widths: { label: number; value: number }, l1: string, v1: string, l2: string, v2: string): void {
  tableRow(doc, style, [
    { text: l1, width: widths.label, shaded: true },
    { text: v1, width: widths.value },
    { text: l2, width: widths.label, shaded: true },
    { text: v2, width: widths.value },
  ]);
}

/**
 * "UTC+08:00": the zone's offset at that instant, so a reader elsewhere knows whose clock the
 * printed times are. One formatter per zone, made once (the evidence pack draws thousands of
 * ticket PDFs); an unknown zone prints its name.
 */
const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();
export function zoneOffset(ms: number, timeZone: string): string {
  let f = offsetFormats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      f = null;
    }
    offsetFormats.set(timeZone, f);
  }
  if (!f) return timeZone;
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return name === 'GMT' ? 'UTC+00:00' : name.replace(/^GMT/, 'UTC');
}

/** Registers the Chinese font as `cjk` (a .ttc needs the family named). */
export function registerCjk(doc: Doc, font: FontChoice): void {
  if (font.family) doc.registerFont('cjk', fontBuffer(font), font.family);
  else doc.registerFont('cjk', fontBuffer(font));
}

/**
 * The footer of every page of a filed record: a rule, `left` text (the provider) and
 * "第 i 页 / 共 n 页". Call once the content is laid out, on a document with `bufferPages`.
 */
export function pageFooters(doc: Doc, left: string, border = '#999999'): void {
  const range = doc.bufferedPageRange();
  const x = doc.page.margins.left;
  const width = doc.page.width - x - doc.page.margins.right;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit start a new page: lift it while writing.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 40;
    doc.moveTo(x, y - 6).lineTo(x + width, y - 6).lineWidth(0.5).stroke(border);
    doc.fontSize(8).fillColor('#666666');
    doc.text(left, x, y, { width: width / 2, lineBreak: false });
    doc.text(`第 ${i + 1 - range.start} 页 / 共 ${range.count} 页`, x + width / 2, y, { width: width / 2, align: 'right', lineBreak: false });
    doc.fillColor('#000000');
    doc.page.margins.bottom = bottom;
  }
}
