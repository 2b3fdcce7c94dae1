import SVGtoPDF from 'svg-to-pdfkit';
import { chartHasData } from '../../../core/reporting/charts.js';
import type { ChartSpec, KpiFigure, ReportBlock, TableColumn } from '../../../core/reporting/document.js';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { CHART_HEIGHT, CHART_WIDTH, chartSvgForPdf } from './chart.js';
import { cellText, columnKind, paragraphs, shareWidths, type Cell, type RenderTexts } from './texts.js';

/**
 * The body blocks of a service report on a pdfkit page: prose, KPI cards, tables that carry
 * their header onto the next page, and vector charts. Layout is by hand (pdfkit has no flow
 * model for tables): each block checks the room left and starts a new page itself.
 */

export const INK = '#1a1a1a';
export const MUTED = '#595959';
export const RULE = '#a6a6a6';
export const ACCENT = '#1f3864';
const HEADER_FILL = '#dce3ef';
const ZEBRA_FILL = '#f4f6fa';
export const OK = '#2e7d32';
export const BAD = '#c00000';

export const BODY_SIZE = 10.5;
const CELL_SIZE = 9;
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3.2;

/** The page area blocks may use, and the numbering of tables and figures across the report. */
export interface Flow {
  doc: PDFKit.PDFDocument;
  font: FontChoice;
  texts: RenderTexts;
  left: number;
  width: number;
  /** Lowest y content may reach on a page. */
  bottom: () => number;
  newPage: () => void;
  tables: number;
  figures: number;
  cjk: boolean;
}

/** Text in the regular CJK font drawn thicker: the report embeds one face, so headings are stroked, not a second font. */
export function strong<T>(doc: PDFKit.PDFDocument, color: string, draw: () => T): T {
  doc.save();
  doc.lineWidth(0.35).strokeColor(color).fillColor(color);
  const out = draw();
  doc.restore();
  return out;
}

export function ensureRoom(flow: Flow, height: number): void {
  if (flow.doc.y + height > flow.bottom()) flow.newPage();
}

function caption(flow: Flow, text: string, gapAfter: number): void {
  const { doc } = flow;
  doc.fontSize(BODY_SIZE - 0.5);
  strong(doc, INK, () => doc.text(text, flow.left, doc.y, { width: flow.width, align: 'center', stroke: true, fill: true }));
  doc.y += gapAfter;
}

export function drawText(flow: Flow, text: string): void {
  const { doc } = flow;
  const paras = paragraphs(text);
  doc.fontSize(BODY_SIZE).fillColor(INK);
  for (const p of paras) {
    ensureRoom(flow, BODY_SIZE * 2);
    // Two full-width characters of first-line indent, as Chinese prose is set; none in English.
    doc.text(p, flow.left, doc.y, { width: flow.width, lineGap: 5.5, indent: flow.cjk ? BODY_SIZE * 2 : 0, align: 'left' });
    doc.y += 6;
  }
}

const KPI_HEIGHT = 66;
const KPI_GAP = 10;

function kpiCard(flow: Flow, k: KpiFigure, x: number, y: number, w: number): void {
  const { doc, texts } = flow;
  const status = k.ok === true ? OK : k.ok === false ? BAD : RULE;
  doc.save();
  doc.rect(x, y, w, KPI_HEIGHT).lineWidth(0.6).strokeColor('#c9d3e3').stroke();
  doc.rect(x, y, 3, KPI_HEIGHT).fillColor(status).fill();
  doc.restore();
  const inner = x + 10;
  const innerW = w - 16;
  doc.fontSize(8.5).fillColor(MUTED).text(k.label, inner, y + 7, { width: innerW, height: 11, ellipsis: true, lineBreak: false });
  doc.fontSize(16).fillColor(k.ok === false ? BAD : INK).text(k.text, inner, y + 22, { width: innerW, height: 20, ellipsis: true, lineBreak: false });
  doc.fontSize(8).fillColor(MUTED);
  const target = k.target ? `${texts.target} ${k.target}` : '';
  doc.text(target, inner, y + 49, { width: innerW * 0.62, height: 10, ellipsis: true, lineBreak: false });
  if (k.ok === true || k.ok === false) {
    const label = k.ok ? texts.met : texts.notMet;
    const lw = doc.widthOfString(label);
    const lx = x + w - 8 - lw;
    doc.circle(lx - 6, y + 53.5, 2.8).fillColor(status).fill();
    doc.fillColor(status).text(label, lx, y + 49, { width: lw + 1, lineBreak: false });
  }
  doc.fillColor(INK);
}

export function drawKpis(flow: Flow, items: KpiFigure[]): void {
  const { doc } = flow;
  const perRow = flow.width > 380 ? 3 : 2;
  const w = (flow.width - KPI_GAP * (perRow - 1)) / perRow;
  for (let i = 0; i < items.length; i += perRow) {
    ensureRoom(flow, KPI_HEIGHT + KPI_GAP);
    const y = doc.y;
    items.slice(i, i + perRow).forEach((k, j) => kpiCard(flow, k, flow.left + j * (w + KPI_GAP), y, w));
    doc.y = y + KPI_HEIGHT + KPI_GAP;
  }
  doc.x = flow.left;
}

/** Column widths in pt for the page: what each column's widest cell needs, shared out when they do not fit. */
export function columnWidths(doc: PDFKit.PDFDocument, columns: TableColumn[], rows: Record<string, Cell>[], width: number): number[] {
  doc.fontSize(CELL_SIZE);
  const sample = rows.slice(0, 200);
  const want = columns.map((c) => {
    let w = doc.widthOfString(c.label);
    for (const r of sample) w = Math.max(w, doc.widthOfString(cellText(r[c.key])));
    return Math.max(w, CELL_SIZE * 2) + 2 * CELL_PAD_X + 1;
  });
  return shareWidths(want, width);
}

function alignOf(column: TableColumn, numeric: boolean): 'left' | 'right' | 'center' {
  return column.align ?? (numeric ? 'right' : 'left');
}

type TableBlock = Extract<ReportBlock, { type: 'table' }>;

/** A table measured for the page: column widths, cell texts, row heights, and the room its start needs. */
function tableLayout(flow: Flow, block: TableBlock) {
  const { doc } = flow;
  const { columns, rows } = block;
  const widths = columnWidths(doc, columns, rows, flow.width);
  const numeric = columns.map((c) => columnKind(rows, c) !== 'text');
  doc.fontSize(CELL_SIZE);
  const heightOf = (values: string[]) =>
    Math.max(...values.map((v, i) => doc.heightOfString(v, { width: widths[i]! - 2 * CELL_PAD_X, lineGap: 1 }))) + 2 * CELL_PAD_Y;
  const headerTexts = columns.map((c) => c.label);
  const headerHeight = heightOf(headerTexts);
  const rowTexts = rows.map((r) => columns.map((c) => cellText(r[c.key])));
  const firstRow = rowTexts[0] ? heightOf(rowTexts[0]) : headerHeight;
  // The caption, the header and the first row stay together.
  return { widths, numeric, heightOf, headerTexts, headerHeight, rowTexts, lead: BODY_SIZE * 2 + headerHeight + firstRow };
}

function chartHeight(flow: Flow, chart: ChartSpec): number {
  return chartHasData(chart) ? (flow.width * CHART_HEIGHT) / CHART_WIDTH + BODY_SIZE * 3 : 60;
}

/** The room a block needs at its start, so that a heading is never left alone at a page's foot. */
export function leadHeight(flow: Flow, block: ReportBlock): number {
  switch (block.type) {
    case 'text':
      return BODY_SIZE * 4;
    case 'kpis':
      return KPI_HEIGHT + KPI_GAP;
    case 'table':
      return tableLayout(flow, block).lead;
    case 'chart':
      return chartHeight(flow, block.chart);
  }
}

export function drawTable(flow: Flow, block: TableBlock): void {
  const { doc, texts } = flow;
  const { columns } = block;
  const { widths, numeric, heightOf, headerTexts, headerHeight, rowTexts, lead } = tableLayout(flow, block);
  flow.tables += 1;
  const title = block.title ? `${texts.table(flow.tables)}  ${block.title}` : texts.table(flow.tables);
  ensureRoom(flow, lead);
  caption(flow, title, 3);

  const drawRow = (values: string[], y: number, h: number, header: boolean, zebra: boolean) => {
    let x = flow.left;
    if (header || zebra) doc.rect(flow.left, y, flow.width, h).fillColor(header ? HEADER_FILL : ZEBRA_FILL).fill();
    doc.fontSize(CELL_SIZE);
    values.forEach((v, i) => {
      const w = widths[i]!;
      const opts = { width: w - 2 * CELL_PAD_X, lineGap: 1, align: header ? ('center' as const) : alignOf(columns[i]!, numeric[i]!) };
      if (header) strong(doc, INK, () => doc.text(v, x + CELL_PAD_X, y + CELL_PAD_Y, { ...opts, stroke: true, fill: true }));
      else doc.fillColor(INK).text(v, x + CELL_PAD_X, y + CELL_PAD_Y, opts);
      x += w;
    });
    doc.save().lineWidth(header ? 0.8 : 0.4).strokeColor(header ? ACCENT : RULE);
    doc.moveTo(flow.left, y + h).lineTo(flow.left + flow.width, y + h).stroke();
    doc.restore();
  };
  const drawHeader = () => {
    const y = doc.y;
    doc.save().lineWidth(1).strokeColor(ACCENT).moveTo(flow.left, y).lineTo(flow.left + flow.width, y).stroke().restore();
    drawRow(headerTexts, y, headerHeight, true, false);
    doc.y = y + headerHeight;
  };

  drawHeader();
  if (rowTexts.length === 0) {
    const h = heightOf([texts.noRows]);
    doc.fontSize(CELL_SIZE).fillColor(MUTED).text(texts.noRows, flow.left, doc.y + CELL_PAD_Y, { width: flow.width, align: 'center' });
    doc.y += h - CELL_PAD_Y;
  }
  rowTexts.forEach((values, i) => {
    const h = heightOf(values);
    if (doc.y + h > flow.bottom()) {
      flow.newPage();
      drawHeader();
    }
    const y = doc.y;
    drawRow(values, y, h, false, i % 2 === 1);
    doc.y = y + h;
  });
  // The closing rule, as a three-line table (三线表) ends.
  doc.save().lineWidth(1).strokeColor(ACCENT).moveTo(flow.left, doc.y).lineTo(flow.left + flow.width, doc.y).stroke().restore();
  doc.y += 4;
  if (block.note) {
    doc.fontSize(8.5).fillColor(MUTED).text(block.note, flow.left, doc.y, { width: flow.width, lineGap: 2 });
  }
  doc.fillColor(INK);
  doc.x = flow.left;
  doc.y += 10;
}

export function drawChart(flow: Flow, title: string, chart: ChartSpec): void {
  const { doc, texts } = flow;
  const width = flow.width;
  const height = (width * CHART_HEIGHT) / CHART_WIDTH;
  if (!chartHasData(chart)) {
    // No values at all: a framed note where the chart would be, not empty axes.
    ensureRoom(flow, chartHeight(flow, chart));
    const y = doc.y;
    doc.save().rect(flow.left, y, width, 40).lineWidth(0.5).dash(2, { space: 2 }).strokeColor(RULE).stroke().undash().restore();
    doc.fontSize(CELL_SIZE).fillColor(MUTED).text(texts.noRows, flow.left, y + 15, { width, align: 'center' });
    doc.y = y + 46;
    flow.figures += 1;
    caption(flow, `${texts.figure(flow.figures)}  ${title}`, 12);
    doc.x = flow.left;
    return;
  }
  ensureRoom(flow, chartHeight(flow, chart));
  const y = doc.y;
  SVGtoPDF(doc, chartSvgForPdf(chart, flow.font), flow.left, y, {
    width,
    height,
    // Every text in the chart is drawn with the report's embedded CJK font.
    fontCallback: () => 'cjk',
  });
  doc.font('cjk');
  doc.y = y + height + 6;
  flow.figures += 1;
  caption(flow, `${texts.figure(flow.figures)}  ${title}`, 12);
  doc.x = flow.left;
}

export function drawBlock(flow: Flow, block: ReportBlock): void {
  switch (block.type) {
    case 'text':
      return drawText(flow, block.text);
    case 'kpis':
      return drawKpis(flow, block.items);
    case 'table':
      return drawTable(flow, block);
    case 'chart':
      return drawChart(flow, block.title, block.chart);
  }
}
