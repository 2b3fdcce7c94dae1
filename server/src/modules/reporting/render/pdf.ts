import PDFDocument from 'pdfkit';
import type { ReportDocument } from '../../../core/reporting/document.js';
import { pdfBytes } from '../../../platform/pdf/draw.js';
import { fontBuffer, type FontChoice } from '../../../platform/pdf/fonts.js';
import { ACCENT, BAD, BODY_SIZE, drawBlock, ensureRoom, INK, leadHeight, MUTED, OK, RULE, strong, type Flow } from './pdf-blocks.js';
import { printableDocument } from './printable.js';
import { coverDate, coverFields, documentDate, sectionHeading, textsFor, type RenderTexts } from './texts.js';

/**
 * The service report as the PDF the customer reads and signs: A4, cover, contents, numbered
 * sections, letterhead header and "第 X 页 / 共 Y 页" footer on every page after the cover, and
 * the sign-off block last. The CJK font is embedded (subset), charts are vectors.
 */

/** Margins of a formal Chinese report (about 2.8 cm left for binding, 2.6 cm right). */
const MARGIN = { top: 86, bottom: 76, left: 79, right: 74 };
const TOC_LINE = 24;

type Doc = PDFKit.PDFDocument;

/** An image pdfkit has opened (its types omit openImage): drawn many times, embedded once. */
interface OpenedImage {
  width: number;
  height: number;
}
/** pdfkit's image() takes an opened image as well as bytes; its types only know bytes. */
type ImageArg = Parameters<Doc['image']>[0];

/**
 * The letterhead logo, opened once per document. Drawing it from bytes on every page would embed
 * it once per page, and pdfkit decodes PNGs on the thread pool: several decodes finishing in any
 * order would number the PDF's objects differently from one run to the next.
 */
function openLogo(doc: Doc, logo: Uint8Array | null): OpenedImage | null {
  if (!logo) return null;
  try {
    return (doc as unknown as { openImage(src: Buffer): OpenedImage }).openImage(Buffer.from(logo));
  } catch {
    return null; // Not a PNG/JPEG: the letterhead text alone.
  }
}

function fitLogo(img: OpenedImage, maxW: number, maxH: number): { w: number; h: number } {
  const scale = Math.min(maxW / img.width, maxH / img.height, 1);
  return { w: img.width * scale, h: img.height * scale };
}

/**
 * A long title broken where a reader would break it: at the space that balances the two lines
 * ('市第一人民医院' / '2026年11月 月度服务报告'), not wherever the width runs out (leaving '告'
 * alone on the second line).
 */
export function titleLines(doc: Doc, title: string, width: number): string[] {
  if (doc.widthOfString(title) <= width) return [title];
  let best: string[] = [title];
  let bestWidth = Infinity;
  const spaces = [...title.matchAll(/\s+/g)];
  for (const m of spaces) {
    const a = title.slice(0, m.index).trim();
    const b = title.slice(m.index + m[0].length).trim();
    const widest = Math.max(doc.widthOfString(a), doc.widthOfString(b));
    if (widest <= width && widest < bestWidth) {
      best = [a, b];
      bestWidth = widest;
    }
  }
  return best;
}

function drawCover(doc: Doc, r: ReportDocument, t: RenderTexts, logo: OpenedImage | null, left: number, width: number): void {
  let y = 104;
  if (logo) {
    const size = fitLogo(logo, 180, 60);
    doc.image(logo as unknown as ImageArg, left + (width - size.w) / 2, y, { width: size.w, height: size.h });
    y += size.h + 10;
  }
  doc.fontSize(11).fillColor(MUTED).text(r.letterhead.text || r.providerName, left, y, { width, align: 'center' });
  y = Math.max(doc.y + 70, 250);
  doc.fontSize(24);
  const lines = titleLines(doc, r.title, width);
  strong(doc, ACCENT, () => doc.text(lines.join('\n'), left, y, { width, align: 'center', lineGap: 8, stroke: true, fill: true }));
  if (!r.issuedAt) {
    doc.moveDown(0.6).fontSize(12).fillColor('#c00000').text(t.draft, left, doc.y, { width, align: 'center' });
  } else if (r.signoff) {
    // The customer's answer on the cover too: whoever picks up the printout sees it was signed off (or returned).
    const s = r.signoff;
    doc.moveDown(0.6).fontSize(13);
    strong(doc, s.outcome === 'returned' ? BAD : OK, () => doc.text(s.outcome === 'returned' ? t.returnedMark : t.signedMark, left, doc.y, { width, align: 'center', stroke: true, fill: true }));
    doc.fontSize(10).fillColor(MUTED).text(t.answered(s.signerName, s.signedAt, s.zone), left, doc.y + 2, { width, align: 'center' });
  }

  const rows = coverFields(r, t);
  const labelW = 78;
  const valueW = 250;
  const x0 = left + (width - labelW - valueW) / 2;
  y = Math.max(doc.y + 50, 430);
  for (const [label, value] of rows) {
    doc.fontSize(11.5).fillColor(INK);
    doc.text(t.label(label), x0, y, { width: labelW, align: 'right', lineBreak: false });
    doc.text(value, x0 + labelW + 6, y, { width: valueW - 6, lineGap: 2 });
    const bottom = Math.max(doc.y, y + 16);
    doc.save().lineWidth(0.5).strokeColor(RULE).moveTo(x0 + labelW + 4, bottom + 2).lineTo(x0 + labelW + valueW, bottom + 2).stroke().restore();
    y = bottom + 12;
  }
  doc.fontSize(14).fillColor(INK).text(r.providerName, left, 720, { width, align: 'center' });
  doc.fontSize(11).fillColor(MUTED).text(coverDate(r), left, doc.y + 4, { width, align: 'center' });
}

function drawHeader(doc: Doc, r: ReportDocument, logo: OpenedImage | null, left: number, width: number): void {
  const base = 58;
  let textLeft = left;
  if (logo) {
    const size = fitLogo(logo, 90, 22);
    doc.image(logo as unknown as ImageArg, left, base - size.h - 3, { width: size.w, height: size.h });
    textLeft = left + size.w + 8;
  }
  doc.fontSize(8.5).fillColor(MUTED);
  // The letterhead gets the room it needs (it names the provider); the title, repeated from the cover, yields.
  const letterhead = r.letterhead.text || r.providerName;
  const room = left + width - textLeft;
  const headW = Math.min(doc.widthOfString(letterhead) + 2, room * 0.68);
  doc.text(letterhead, textLeft, base - 13, { width: headW, height: 11, ellipsis: true, lineBreak: false });
  doc.text(r.title, textLeft + headW + 12, base - 13, { width: room - headW - 12, height: 11, align: 'right', ellipsis: true, lineBreak: false });
  // A thick and a thin rule: the letterhead line of a formal document.
  doc.save().strokeColor(ACCENT).lineWidth(1.2).moveTo(left, base).lineTo(left + width, base).stroke();
  doc.lineWidth(0.4).moveTo(left, base + 2.5).lineTo(left + width, base + 2.5).stroke().restore();
}

function drawFooter(doc: Doc, r: ReportDocument, t: RenderTexts, page: number, pages: number, left: number, width: number): void {
  const y = doc.page.height - 50;
  doc.save().lineWidth(0.5).strokeColor(RULE).moveTo(left, y - 7).lineTo(left + width, y - 7).stroke().restore();
  doc.fontSize(8.5).fillColor(MUTED);
  doc.text(r.number, left, y, { width: width / 3, lineBreak: false });
  doc.text(t.page(page, pages), left + width / 3, y, { width: width / 3, align: 'center', lineBreak: false });
  doc.text(`${t.version} V${r.version}`, left + (2 * width) / 3, y, { width: width / 3, align: 'right', lineBreak: false });
}

function drawToc(doc: Doc, t: RenderTexts, entries: { text: string; page: number }[], firstPage: number, perPage: number, left: number, width: number): void {
  entries.forEach((e, i) => {
    const page = firstPage + Math.floor(i / perPage);
    doc.switchToPage(page);
    if (i % perPage === 0) {
      doc.fontSize(18);
      strong(doc, INK, () => doc.text(t.toc, left, MARGIN.top + 6, { width, align: 'center', stroke: true, fill: true }));
    }
    const y = MARGIN.top + 60 + (i % perPage) * TOC_LINE;
    doc.fontSize(12).fillColor(INK);
    const num = String(e.page);
    const numW = doc.widthOfString(num);
    const textW = Math.min(doc.widthOfString(e.text), width - numW - 40);
    doc.text(e.text, left, y, { width: textW + 1, height: 14, ellipsis: true, lineBreak: false });
    doc.text(num, left + width - numW, y, { width: numW + 1, lineBreak: false });
    // Dotted leader between the heading and its page.
    doc.save().lineWidth(0.8).strokeColor(MUTED).dash(0.8, { space: 3 });
    doc.moveTo(left + textW + 8, y + 10).lineTo(left + width - numW - 6, y + 10).stroke().undash().restore();
  });
}

function drawSignoff(flow: Flow, r: ReportDocument, heading: string): void {
  const { doc, texts: t, left, width } = flow;
  const s = r.signoff;
  ensureRoom(flow, s ? 270 : 230);
  doc.y += 8;
  doc.fontSize(14);
  strong(doc, ACCENT, () => doc.text(heading, left, doc.y, { width, stroke: true, fill: true }));
  doc.y += 10;
  if (s) {
    // A framed stamp, then who answered and when (local time, the zone named).
    const color = s.outcome === 'returned' ? BAD : OK;
    const mark = s.outcome === 'returned' ? t.returnedMark : t.signedMark;
    const stampTop = doc.y;
    doc.fontSize(13);
    const markW = doc.widthOfString(mark) + 24;
    doc.save().lineWidth(1.2).strokeColor(color).roundedRect(left, stampTop, markW, 26, 4).stroke().restore();
    strong(doc, color, () => doc.text(mark, left, stampTop + 6, { width: markW, align: 'center', stroke: true, fill: true, lineBreak: false }));
    doc.fontSize(BODY_SIZE).fillColor(INK).text(t.answered(s.signerName, s.signedAt, s.zone), left + markW + 12, stampTop + 7, { width: width - markW - 12, height: 14, ellipsis: true, lineBreak: false });
    doc.y = stampTop + 40;
  }
  const top = doc.y;
  const col = (width - 30) / 2;
  const line = (x: number, y: number, label: string, value: string) => {
    doc.fontSize(BODY_SIZE).fillColor(INK).text(t.label(label), x, y, { width: 64, lineBreak: false });
    doc.text(value, x + 66, y, { width: col - 66, height: 14, ellipsis: true, lineBreak: false });
    doc.save().lineWidth(0.5).strokeColor(RULE).moveTo(x + 64, y + 15).lineTo(x + col, y + 15).stroke().restore();
  };
  doc.fontSize(11).fillColor(MUTED).text(t.customerSide, left, top, { width: col });
  doc.text(t.providerSide, left + col + 30, top, { width: col });
  line(left, top + 28, t.signer, s?.signerName ?? '');
  line(left, top + 58, s?.outcome === 'returned' ? t.returnedAt : t.signedAt, s?.signedAt ?? '');
  line(left + col + 30, top + 28, t.preparedBy, r.preparedBy ?? '');
  line(left + col + 30, top + 58, t.reviewedBy, r.reviewedBy ?? '');
  line(left + col + 30, top + 88, t.date, r.issuedAt?.slice(0, 10) ?? '');
  doc.fontSize(BODY_SIZE).fillColor(INK).text(t.label(t.comment), left, top + 88, { width: 64, lineBreak: false });
  if (s?.comment) {
    doc.text(s.comment, left + 66, top + 88, { width: col - 66, lineGap: 3 });
  } else {
    for (const dy of [103, 133]) doc.save().lineWidth(0.5).strokeColor(RULE).moveTo(left + 64, top + dy).lineTo(left + col, top + dy).stroke().restore();
  }
  doc.fontSize(9).fillColor(MUTED).text(t.seal, left, Math.max(doc.y, top + 150), { width: col, align: 'right' });
  doc.text(t.seal, left + col + 30, top + 150, { width: col, align: 'right' });
}

export async function renderPdf(document: ReportDocument, font: FontChoice): Promise<Buffer> {
  const r = printableDocument(document, font);
  const t = textsFor(r);
  const created = documentDate(r);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    lang: r.locale,
    displayTitle: true,
    // Fixed dates from the document, not the clock: the evidence pack hashes these bytes.
    info: { Title: r.title, Author: r.providerName, Subject: `${r.customerName} ${r.periodLabel}`, Creator: 'Yunwei', Producer: 'Yunwei', CreationDate: created, ModDate: created },
  });
  const bytes = pdfBytes(doc);
  if (font.family) doc.registerFont('cjk', fontBuffer(font), font.family);
  else doc.registerFont('cjk', fontBuffer(font));
  doc.font('cjk');

  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const pageIndex = () => {
    const range = doc.bufferedPageRange();
    return range.start + range.count - 1;
  };
  const logo = openLogo(doc, r.letterhead.logo);
  drawCover(doc, r, t, logo, left, width);

  // Contents: its pages are reserved now and filled once the sections know their pages.
  const perPage = Math.floor((doc.page.height - MARGIN.top - MARGIN.bottom - 70) / TOC_LINE);
  const tocCount = Math.max(1, Math.ceil((r.sections.length + 1) / perPage));
  doc.addPage();
  const tocFirst = pageIndex();
  for (let i = 1; i < tocCount; i++) doc.addPage();

  const flow: Flow = {
    doc,
    font,
    texts: t,
    left,
    width,
    bottom: () => doc.page.height - MARGIN.bottom,
    newPage: () => {
      doc.addPage();
      doc.x = left;
      doc.y = MARGIN.top;
    },
    tables: 0,
    figures: 0,
    cjk: r.locale !== 'en-US',
  };
  flow.newPage();
  const toc: { text: string; page: number }[] = [];
  r.sections.forEach((section, i) => {
    const heading = sectionHeading(r, i, section.title);
    // A heading never ends a page: it keeps the start of its first block (a chart whole) with it.
    const first = section.blocks[0];
    ensureRoom(flow, 48 + (first ? leadHeight(flow, first) : BODY_SIZE * 2));
    if (doc.y > MARGIN.top + 1) doc.y += 12;
    toc.push({ text: heading, page: pageIndex() + 1 });
    doc.outline.addItem(heading);
    doc.fontSize(15);
    strong(doc, ACCENT, () => doc.text(heading, left, doc.y, { width, stroke: true, fill: true }));
    doc.y += 8;
    if (section.blocks.length === 0) {
      doc.fontSize(BODY_SIZE).fillColor(MUTED).text(t.emptySection, left, doc.y, { width, indent: flow.cjk ? BODY_SIZE * 2 : 0 });
      doc.fillColor(INK);
      doc.y += 6;
    }
    for (const block of section.blocks) drawBlock(flow, block);
  });
  const signHeading = t.signoff;
  drawSignoff(flow, r, signHeading);
  toc.push({ text: signHeading, page: pageIndex() + 1 });
  doc.outline.addItem(signHeading);

  drawToc(doc, t, toc, tocFirst, perPage, left, width);
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Header and footer sit in the margins; writing there must not start a new page.
    const { top, bottom } = doc.page.margins;
    doc.page.margins.top = 0;
    doc.page.margins.bottom = 0;
    if (i > range.start) drawHeader(doc, r, logo, left, width);
    drawFooter(doc, r, t, i - range.start + 1, range.count, left, width);
    doc.page.margins.top = top;
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return bytes;
}
