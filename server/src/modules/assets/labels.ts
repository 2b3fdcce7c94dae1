import PDFDocument from 'pdfkit';
import qrcode from 'qrcode-generator';
import { pdfBytes, registerCjk } from '../../platform/pdf/draw.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';

/**
 * Asset tags (资产标签): one label per asset with a QR code holding the asset page's absolute
 * address, the asset number, the CI's name and the customer. Two layouts:
 * - `label`: a label printer's roll, one 50 × 30 mm label per page;
 * - `a4`: an A4 sheet of 3 × 8 labels of 70 × 37 mm (the common self-adhesive sheet), cut lines drawn.
 */
export interface LabelData {
  url: string;
  assetNo: string;
  name: string;
  customer: string;
  code: string;
}

export type LabelLayout = 'label' | 'a4';
export const MAX_LABELS = 500;

const MM = 72 / 25.4;

/** The QR code's dark modules as a square matrix (error correction M: survives a scuffed tag). */
export function qrMatrix(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/** Draws a QR code `size` points wide at (x, y), quiet zone included (4 modules). */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const m = qrMatrix(text);
  const n = m.length + 8;
  const cell = size / n;
  doc.save().fillColor('#000000');
  for (let r = 0; r < m.length; r++) {
    for (let c = 0; c < m.length; c++) {
      // Runs of dark modules in a row as one rectangle: fewer paths, no hairline gaps between modules.
      if (!m[r][c] || (c > 0 && m[r][c - 1])) continue;
      let end = c;
      while (end + 1 < m.length && m[r][end + 1]) end++;
      doc.rect(x + (c + 4) * cell, y + (r + 4) * cell, (end - c + 1) * cell, cell + 0.01);
    }
  }
  doc.fill();
  doc.restore();
}

/** The text beside the code, each line cut to the width (no wrapping on a tag). */
function drawText(doc: PDFKit.PDFDocument, l: LabelData, x: number, y: number, width: number, height: number, provider: string | null): void {
  // Each line cut to the width with an ellipsis (no wrapping on a tag); the asset number shrinks to fit whole instead.
  const line = (text: string, size: number, top: number, color = '#000000', shrink = false) => {
    doc.fontSize(size).fillColor(color);
    while (shrink && size > 5 && doc.widthOfString(text) > width) doc.fontSize((size -= 0.5));
    let s = text;
    if (doc.widthOfString(s) > width) {
      while (s.length > 1 && doc.widthOfString(`${s}…`) > width) s = s.slice(0, -1);
      s = `${s}…`;
    }
    doc.text(s, x, top, { lineBreak: false });
  };
  const big = Math.min(11, height / 5.2);
  const small = Math.min(7, height / 8);
  line('资产标签', small, y, '#555555');
  line(l.assetNo, big, y + small * 1.5, '#000000', true);
  line(l.name, small + 0.5, y + small * 1.5 + big * 1.4);
  line(l.customer, small, y + small * 3.2 + big * 1.4, '#333333');
  line(l.code, small, y + small * 4.7 + big * 1.4, '#555555');
  if (provider) line(provider, small * 0.85, y + height - small * 1.1, '#777777');
}

export async function renderLabels(labels: LabelData[], layout: LabelLayout, font: FontChoice, provider: string | null): Promise<Buffer> {
  const a4 = layout === 'a4';
  const doc = new PDFDocument({
    size: a4 ? 'A4' : [50 * MM, 30 * MM],
    margin: 0,
    autoFirstPage: false,
    info: { Title: '资产标签', Creator: 'Yunwei' },
  });
  const bytes = pdfBytes(doc);
  registerCjk(doc, font);

  const draw = (l: LabelData, x: number, y: number, w: number, h: number) => {
    const pad = 2 * MM;
    const qr = h - 2 * pad;
    drawQr(doc, l.url, x + pad, y + pad, qr);
    drawText(doc, l, x + pad + qr + 1.5 * MM, y + pad + 0.5 * MM, w - qr - 3.5 * MM - pad, h - 2 * pad, provider);
  };

  if (!a4) {
    for (const l of labels) {
      doc.addPage();
      doc.font('cjk');
      draw(l, 0, 0, 50 * MM, 30 * MM);
    }
  } else {
    const cols = 3;
    const rows = 8;
    const w = 70 * MM;
    const h = 37 * MM;
    const top = (297 * MM - rows * h) / 2;
    labels.forEach((l, i) => {
      const slot = i % (cols * rows);
      if (slot === 0) {
        doc.addPage();
        doc.font('cjk');
      }
      const x = (slot % cols) * w;
      const y = top + Math.floor(slot / cols) * h;
      doc.save().lineWidth(0.3).dash(2, { space: 2 }).strokeColor('#bbbbbb').rect(x, y, w, h).stroke().undash().restore();
      draw(l, x, y, w, h);
    });
  }
  doc.end();
  return bytes;
}
