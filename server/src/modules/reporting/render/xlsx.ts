import ExcelJS from 'exceljs';
import type { ChartSpec, KpiFigure, ReportBlock, ReportDocument } from '../../../core/reporting/document.js';
import { cellValue, columnKind, coverFields, documentDate, emWidth, fraction, textsFor, type CellKind, type RenderTexts } from './texts.js';
import { normalizeZip } from './zip.js';

/**
 * The report's figures as a workbook the customer can compute with: an overview sheet (period,
 * KPIs with target and whether met), then one sheet per table and per chart's data, named like
 * the captions in the PDF (表 1 …, 图 1 …). Values are numbers with number formats, not the
 * printed text: 96.4% is 0.964 shown as 96.4%, a duration is hours.
 */

const FORMAT: Record<CellKind, string | undefined> = {
  text: undefined,
  integer: '#,##0',
  decimal: '#,##0.00',
  percent: '0.0%',
  hours: '0.00',
};
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE3EF' } };
const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FFA6A6A6' } };
const FONT = '微软雅黑';

/**
 * A sheet name Excel accepts: no []:*?/\, not starting or ending with an apostrophe, at most 31
 * characters (counted as UTF-16 units, as Excel does), and unique ignoring case.
 */
export function sheetName(wanted: string, taken: Set<string>): string {
  let base = wanted
    .replace(/[[\]:*?/\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^'+|'+$/g, '');
  if (!base) base = 'Sheet';
  const fit = (s: string, max: number) => {
    let out = '';
    for (const ch of s) {
      if (out.length + ch.length > max) break;
      out += ch;
    }
    return out.trim();
  };
  let name = fit(base, 31);
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = `${fit(base, 31 - suffix.length)}${suffix}`;
  }
  taken.add(name.toLowerCase());
  return name;
}

/** Display width of a value in Excel's character units (a CJK character is two). */
function textWidth(v: unknown): number {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? v.toFixed(2) : String(v);
  return Math.max(...s.split('\n').map((line) => emWidth(line) * 2.1), 0);
}

function fitColumns(ws: ExcelJS.Worksheet, min = 8, max = 60): void {
  ws.columns.forEach((col) => {
    let w = min;
    col.eachCell?.({ includeEmpty: false }, (cell) => {
      // A merged title spans the columns; it must not make the first column huge.
      if (!cell.isMerged) w = Math.max(w, textWidth(cell.value) + 2);
    });
    col.width = Math.min(max, w);
  });
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { name: FONT, bold: true };
  row.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  row.height = 20;
  row.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
  });
}

/** One header row frozen at the top with a filter, the data below it. */
function dataSheet(wb: ExcelJS.Workbook, name: string, headers: string[], rows: (string | number | null)[][], kinds: CellKind[]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  styleHeader(ws.addRow(headers));
  for (const values of rows) {
    const row = ws.addRow(values);
    row.font = { name: FONT };
    kinds.forEach((k, i) => {
      const fmt = FORMAT[k];
      if (fmt) row.getCell(i + 1).numFmt = fmt;
    });
  }
  if (rows.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: headers.length } };
  fitColumns(ws);
}

function kpiKind(k: KpiFigure): CellKind {
  return columnKind([{ v: k.text }], { key: 'v', label: '' });
}

function overview(wb: ExcelJS.Workbook, r: ReportDocument, t: RenderTexts, name: string): void {
  const ws = wb.addWorksheet(name);
  ws.addRow([r.title]);
  ws.mergeCells(1, 1, 1, 4);
  ws.getRow(1).font = { name: FONT, bold: true, size: 14 };
  ws.getRow(1).height = 24;
  // The cover's facts but the people: the workbook is data.
  const info = coverFields(r, t).slice(0, 6);
  for (const [label, value] of info) {
    const row = ws.addRow([label, value]);
    row.font = { name: FONT };
    row.getCell(1).font = { name: FONT, color: { argb: 'FF595959' } };
  }
  // The customer's answer: the workbook of a signed report says so, like its PDF and Word file.
  if (r.signoff) {
    const s = r.signoff;
    const mark = ws.addRow([t.signoff, s.outcome === 'returned' ? t.returnedMark : t.signedMark]);
    mark.font = { name: FONT };
    mark.getCell(1).font = { name: FONT, color: { argb: 'FF595959' } };
    mark.getCell(2).font = { name: FONT, bold: true, color: { argb: s.outcome === 'returned' ? 'FFC00000' : 'FF2E7D32' } };
    for (const [label, value] of [
      [t.signer, s.signerName],
      [s.outcome === 'returned' ? t.returnedAt : t.signedAt, t.zoned(s.signedAt, s.zone)],
      [t.comment, s.comment ?? '—'],
    ]) {
      const row = ws.addRow([label, value]);
      row.font = { name: FONT };
      row.getCell(1).font = { name: FONT, color: { argb: 'FF595959' } };
    }
  }
  const kpis = r.sections.flatMap((s) => s.blocks).flatMap((b) => (b.type === 'kpis' ? b.items : []));
  if (kpis.length === 0) {
    fitColumns(ws);
    return;
  }
  ws.addRow([]);
  const headerRow = ws.addRow(t.kpiHeader);
  styleHeader(headerRow);
  for (const k of kpis) {
    const kind = kpiKind(k);
    const value = k.value === null ? '—' : cellValue(k.text, kind);
    const met = k.ok === true ? t.met : k.ok === false ? t.notMet : '—';
    const row = ws.addRow([k.label, value, k.target ?? '—', met]);
    row.font = { name: FONT };
    const fmt = FORMAT[kind];
    if (fmt && typeof value === 'number') row.getCell(2).numFmt = fmt;
    row.getCell(2).alignment = { horizontal: 'right' };
    row.getCell(3).alignment = { horizontal: 'right' };
    row.getCell(4).alignment = { horizontal: 'center' };
    if (k.ok !== null && k.ok !== undefined) row.getCell(4).font = { name: FONT, bold: true, color: { argb: k.ok ? 'FF2E7D32' : 'FFC00000' } };
  }
  fitColumns(ws);
}

function chartKind(chart: ChartSpec): CellKind {
  if (chart.unit === '%') return 'percent';
  if (chart.unit === 'h' || chart.unit === '小时') return 'hours';
  const all = chart.series.flatMap((s) => s.data).filter((v): v is number => v !== null);
  return all.every((v) => Number.isInteger(v)) ? 'integer' : 'decimal';
}

function chartSheet(wb: ExcelJS.Workbook, name: string, chart: ChartSpec, t: RenderTexts): void {
  const kind = chartKind(chart);
  const scaled = (v: number | null) => (v === null ? null : kind === 'percent' ? fraction(v) : v);
  const marks = chart.marks ?? [];
  const headers = [t.category, ...chart.series.map((s) => s.name), ...marks.map((m) => m.label)];
  const rows = chart.categories.map((c, i) => [c, ...chart.series.map((s) => scaled(s.data[i] ?? null)), ...marks.map((m) => scaled(m.value))]);
  dataSheet(wb, name, headers, rows, ['text', ...headers.slice(1).map(() => kind)]);
}

function tableSheet(wb: ExcelJS.Workbook, name: string, block: Extract<ReportBlock, { type: 'table' }>, t: RenderTexts): void {
  const kinds = block.columns.map((c) => columnKind(block.rows, c));
  const headers = block.columns.map((c, i) => (kinds[i] === 'hours' && !c.label.includes(t.hours) ? `${c.label}（${t.hours}）` : c.label));
  const rows = block.rows.map((r) => block.columns.map((c, i) => cellValue(r[c.key], kinds[i]!)));
  dataSheet(wb, name, headers, rows, kinds);
}

export async function renderXlsx(r: ReportDocument): Promise<Buffer> {
  const t = textsFor(r);
  const date = documentDate(r);
  const wb = new ExcelJS.Workbook();
  wb.creator = r.providerName;
  wb.lastModifiedBy = r.providerName;
  wb.title = r.title;
  wb.subject = `${r.customerName} ${r.periodLabel}`;
  wb.created = date;
  wb.modified = date;
  const taken = new Set<string>();
  overview(wb, r, t, sheetName(t.overview, taken));
  let tables = 0;
  let figures = 0;
  for (const section of r.sections) {
    for (const block of section.blocks) {
      if (block.type === 'table') {
        tables += 1;
        tableSheet(wb, sheetName(`${t.table(tables)} ${block.title ?? section.title}`, taken), block, t);
      } else if (block.type === 'chart') {
        figures += 1;
        chartSheet(wb, sheetName(`${t.figure(figures)} ${block.title}`, taken), block.chart, t);
      }
    }
  }
  return normalizeZip(Buffer.from(await wb.xlsx.writeBuffer()), date);
}
