import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  LineRuleType,
  ImageRun,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableOfContents,
  TableRow,
  TabStopType,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IBorderOptions,
  type ParagraphChild,
} from 'docx';
import { chartHasData } from '../../../core/reporting/charts.js';
import type { KpiFigure, ReportBlock, ReportDocument, TableColumn } from '../../../core/reporting/document.js';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { CHART_HEIGHT, CHART_WIDTH, chartPng } from './chart.js';
import { cellText, columnKind, coverDate, coverFields, documentDate, emWidth, paragraphs, sectionHeading, shareWidths, textsFor, type RenderTexts } from './texts.js';
import { normalizeZip, renumber } from './zip.js';

/**
 * The service report as a Word document the customer can edit: the PDF's structure with Word's
 * own means — Heading 1 styles (so the contents field and the navigation pane work), real
 * tables with a repeating header row, charts as PNG pictures, page numbers as fields. Fonts
 * name 宋体 / 微软雅黑 for East Asian text, which a Chinese Windows has.
 */

const BODY_FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体', cs: 'Times New Roman' };
const HEADING_FONT = { ascii: 'Arial', hAnsi: 'Arial', eastAsia: '微软雅黑', cs: 'Arial' };
/** Half-points: 五号 = 10.5 pt, 小五 = 9 pt, 三号 = 16 pt. */
const SIZE = { body: 21, small: 18, tiny: 16, h1: 32, title: 44 };
const ACCENT = '1F3864';
const MUTED = '595959';
const HEADER_FILL = 'DCE3EF';
const ZEBRA_FILL = 'F4F6FA';
const OK = '2E7D32';
const BAD = 'C00000';
/** A4 with the PDF's margins, in twentieths of a point. */
const PAGE = { width: 11906, height: 16838, margin: { top: 1720, bottom: 1520, left: 1580, right: 1480, header: 850, footer: 850 } };
const CONTENT_TWIPS = PAGE.width - PAGE.margin.left - PAGE.margin.right;

const thin: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: 'A6A6A6' };
const strongRule: IBorderOptions = { style: BorderStyle.SINGLE, size: 10, color: ACCENT };
const none: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };

function run(text: string, opts: { size?: number; bold?: boolean; color?: string; font?: typeof BODY_FONT } = {}): TextRun {
  return new TextRun({ text, size: opts.size, bold: opts.bold, color: opts.color, font: opts.font });
}

function caption(text: string): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 120, after: 80 }, keepNext: true, children: [run(text, { bold: true, size: SIZE.body, font: HEADING_FONT })] });
}

function textBlock(text: string, cjk: boolean): Paragraph[] {
  return paragraphs(text).map(
    (p) =>
      new Paragraph({
        // Two characters of first-line indent (Chinese prose); 1.5 lines.
        indent: cjk ? { firstLine: SIZE.body * 20 } : undefined,
        spacing: { line: 360, after: 120 },
        alignment: AlignmentType.JUSTIFIED,
        children: p.split('\n').flatMap((line, i) => (i === 0 ? [run(line)] : [new TextRun({ text: line, break: 1 })])),
      }),
  );
}

function kpiCell(k: KpiFigure, t: RenderTexts, width: number): TableCell {
  const status = k.ok === true ? OK : k.ok === false ? BAD : 'A6A6A6';
  const statusRuns: ParagraphChild[] = [];
  if (k.target) statusRuns.push(run(`${t.target} ${k.target}`, { size: SIZE.tiny, color: MUTED }));
  if (k.ok === true || k.ok === false) statusRuns.push(run(`${k.target ? '    ' : ''}● ${k.ok ? t.met : t.notMet}`, { size: SIZE.tiny, color: status, bold: true }));
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    borders: { top: thin, bottom: thin, right: thin, left: { style: BorderStyle.SINGLE, size: 24, color: status } },
    margins: { top: 80, bottom: 80, left: 140, right: 100 },
    children: [
      new Paragraph({ children: [run(k.label, { size: SIZE.small, color: MUTED })] }),
      new Paragraph({ spacing: { before: 40, after: 40 }, children: [run(k.text, { size: 32, bold: true, color: k.ok === false ? BAD : undefined, font: HEADING_FONT })] }),
      new Paragraph({ children: statusRuns.length ? statusRuns : [run(' ', { size: SIZE.tiny })] }),
    ],
  });
}

function kpiGrid(items: KpiFigure[], t: RenderTexts): Table {
  const perRow = 3;
  const width = Math.floor(CONTENT_TWIPS / perRow);
  const rows: TableRow[] = [];
  for (let i = 0; i < items.length; i += perRow) {
    const cells = items.slice(i, i + perRow).map((k) => kpiCell(k, t, width));
    // A short last row is filled with empty cells without borders, so the grid keeps its columns.
    while (cells.length < perRow) cells.push(new TableCell({ width: { size: width, type: WidthType.DXA }, borders: { top: none, bottom: none, left: none, right: none }, children: [new Paragraph('')] }));
    rows.push(new TableRow({ cantSplit: true, children: cells }));
  }
  return new Table({ rows, width: { size: CONTENT_TWIPS, type: WidthType.DXA }, columnWidths: new Array<number>(perRow).fill(width), layout: TableLayoutType.FIXED });
}

/** Column widths in twips: each column's widest cell at the table's 9 pt (capped: long titles wrap), shared out as in the PDF. */
function docxColumnWidths(columns: TableColumn[], rows: Record<string, string | number | null>[]): number[] {
  const pad = 2 * 80 + 40;
  // +1 em: Word adds a little space where Chinese meets Latin or digits (3 小时 20 分), which emWidth does not count.
  const want = columns.map((c) => (Math.min(30, Math.max(2, emWidth(c.label), ...rows.slice(0, 200).map((r) => emWidth(cellText(r[c.key]))))) + 1) * (SIZE.small * 10) + pad);
  return shareWidths(want, CONTENT_TWIPS).map((w) => Math.floor(w));
}

function dataTable(block: Extract<ReportBlock, { type: 'table' }>, t: RenderTexts): Table {
  const { columns, rows } = block;
  const widths = docxColumnWidths(columns, rows);
  const numeric = columns.map((c) => columnKind(rows, c) !== 'text');
  const align = (c: TableColumn, i: number) => {
    const a = c.align ?? (numeric[i] ? 'right' : 'left');
    return a === 'right' ? AlignmentType.RIGHT : a === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT;
  };
  const cell = (text: string, i: number, opts: { header?: boolean; zebra?: boolean; span?: number }) =>
    new TableCell({
      width: { size: widths[i] ?? CONTENT_TWIPS, type: WidthType.DXA },
      columnSpan: opts.span,
      verticalAlign: VerticalAlignTable.CENTER,
      shading: opts.header ? { fill: HEADER_FILL, type: ShadingType.CLEAR, color: 'auto' } : opts.zebra ? { fill: ZEBRA_FILL, type: ShadingType.CLEAR, color: 'auto' } : undefined,
      margins: { top: 40, bottom: 40, left: 80, right: 80 },
      children: [
        new Paragraph({
          alignment: opts.header || opts.span ? AlignmentType.CENTER : align(columns[i]!, i),
          children: [run(text, { size: SIZE.small, bold: opts.header, color: opts.span ? MUTED : undefined })],
        }),
      ],
    });
  const header = new TableRow({ tableHeader: true, cantSplit: true, children: columns.map((c, i) => cell(c.label, i, { header: true })) });
  const body = rows.length
    ? rows.map((r, ri) => new TableRow({ cantSplit: true, children: columns.map((c, i) => cell(cellText(r[c.key]), i, { zebra: ri % 2 === 1 })) }))
    : [new TableRow({ children: [cell(t.noRows, 0, { span: columns.length })] })];
  return new Table({
    rows: [header, ...body],
    width: { size: CONTENT_TWIPS, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    // A three-line table: strong rules at top and bottom, thin ones between the rows.
    borders: { top: strongRule, bottom: strongRule, left: none, right: none, insideHorizontal: thin, insideVertical: none },
  });
}

interface Counters {
  tables: number;
  figures: number;
}

function blockChildren(block: ReportBlock, r: ReportDocument, t: RenderTexts, font: FontChoice, n: Counters): (Paragraph | Table)[] {
  switch (block.type) {
    case 'text':
      return textBlock(block.text, r.locale !== 'en-US');
    case 'kpis':
      return [kpiGrid(block.items, t), new Paragraph({ spacing: { after: 120 }, children: [] })];
    case 'table': {
      n.tables += 1;
      const out: (Paragraph | Table)[] = [caption(block.title ? `${t.table(n.tables)}  ${block.title}` : t.table(n.tables)), dataTable(block, t)];
      if (block.note) out.push(new Paragraph({ spacing: { before: 60 }, children: [run(block.note, { size: SIZE.tiny, color: MUTED })] }));
      out.push(new Paragraph({ spacing: { after: 120 }, children: [] }));
      return out;
    }
    case 'chart': {
      n.figures += 1;
      if (!chartHasData(block.chart)) {
        return [new Paragraph({ alignment: AlignmentType.CENTER, keepNext: true, spacing: { before: 120 }, children: [run(t.noRows, { color: MUTED, size: SIZE.small })] }), caption(`${t.figure(n.figures)}  ${block.title}`)];
      }
      // 16 cm wide at 96 dpi; the PNG is drawn at twice that for print.
      const width = Math.round((CONTENT_TWIPS / 1440) * 96);
      const height = Math.round((width * CHART_HEIGHT) / CHART_WIDTH);
      return [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          keepNext: true,
          // Single spacing: a picture in a paragraph with a fixed line height would be cut to one line.
          spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 120 },
          children: [new ImageRun({ type: 'png', data: chartPng(block.chart, font), transformation: { width, height }, altText: { name: block.title, title: block.title, description: block.title } })],
        }),
        caption(`${t.figure(n.figures)}  ${block.title}`),
      ];
    }
  }
}

/** PNG or JPEG, by the file's first bytes (the letterhead accepts both). */
function imageType(bytes: Uint8Array): 'png' | 'jpg' {
  return bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpg' : 'png';
}

/** The logo's size in px within a box, keeping its proportions (a PNG's size is in its header; otherwise the box). */
function logoBox(bytes: Uint8Array, maxW: number, maxH: number): { width: number; height: number } {
  const b = Buffer.from(bytes);
  const png = b.length > 24 && b.subarray(1, 4).toString('latin1') === 'PNG';
  const w = png ? b.readUInt32BE(16) : maxW;
  const h = png ? b.readUInt32BE(20) : maxH;
  const scale = Math.min(maxW / w, maxH / h);
  return { width: Math.round(w * scale), height: Math.round(h * scale) };
}

function coverChildren(r: ReportDocument, t: RenderTexts): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [];
  if (r.letterhead.logo) {
    out.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 600 }, children: [new ImageRun({ type: imageType(r.letterhead.logo), data: Buffer.from(r.letterhead.logo), transformation: logoBox(r.letterhead.logo, 240, 80) })] }));
  }
  out.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: r.letterhead.logo ? 120 : 1200 }, children: [run(r.letterhead.text || r.providerName, { color: MUTED, size: SIZE.body })] }));
  out.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 2000, after: 400, line: 480 }, children: [run(r.title, { size: SIZE.title, bold: true, color: ACCENT, font: HEADING_FONT })] }));
  if (!r.issuedAt) out.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [run(t.draft, { color: BAD, size: 24 })] }));
  const answer = r.issuedAt ? r.signoff : null;
  if (answer) {
    // The customer's answer on the cover, where the draft mark was: 已签收确认 (or 客户已退回), who and when.
    out.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [run(answer.outcome === 'returned' ? t.returnedMark : t.signedMark, { color: answer.outcome === 'returned' ? BAD : OK, size: 26, bold: true, font: HEADING_FONT })] }));
    out.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [run(t.answered(answer.signerName, answer.signedAt, answer.zone), { color: MUTED, size: SIZE.body })] }));
  }
  const rows = coverFields(r, t);
  const labelW = 1700;
  const valueW = 4600;
  // The two lines of the answer take room the cover has only once: the gap above the facts gives it.
  out.push(new Paragraph({ spacing: { before: answer ? 1000 : 1600 }, children: [] }));
  out.push(
    new Table({
      alignment: AlignmentType.CENTER,
      width: { size: labelW + valueW, type: WidthType.DXA },
      columnWidths: [labelW, valueW],
      layout: TableLayoutType.FIXED,
      borders: { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none },
      rows: rows.map(
        ([label, value]) =>
          new TableRow({
            children: [
              new TableCell({ width: { size: labelW, type: WidthType.DXA }, borders: { top: none, bottom: none, left: none, right: none }, children: [new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { before: 100, after: 60 }, children: [run(t.label(label), { size: 23 })] })] }),
              new TableCell({ width: { size: valueW, type: WidthType.DXA }, borders: { top: none, left: none, right: none, bottom: thin }, children: [new Paragraph({ spacing: { before: 100, after: 60 }, children: [run(value, { size: 23 })] })] }),
            ],
          }),
      ),
    }),
  );
  out.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 1600 }, children: [run(r.providerName, { size: 28 })] }));
  out.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [run(coverDate(r), { color: MUTED })] }));
  return out;
}

function signoffChildren(r: ReportDocument, t: RenderTexts): (Paragraph | Table)[] {
  const s = r.signoff;
  const half = Math.floor(CONTENT_TWIPS / 2);
  const line = (label: string, value: string) =>
    new Paragraph({
      spacing: { before: 200 },
      tabStops: [{ type: TabStopType.LEFT, position: 1300 }],
      children: [run(t.label(label)), new TextRun({ text: `\t${value || '　　　　　　　　　　'}`, underline: {} })],
    });
  const side = (title: string, lines: Paragraph[]) =>
    new TableCell({
      width: { size: half, type: WidthType.DXA },
      borders: { top: none, bottom: none, left: none, right: none },
      children: [new Paragraph({ children: [run(title, { color: MUTED })] }), ...lines, new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { before: 300 }, children: [run(t.seal, { color: MUTED, size: SIZE.small })] })],
    });
  const stamp = s
    ? [
        new Paragraph({
          keepNext: true,
          spacing: { after: 120 },
          children: [
            run(` ${s.outcome === 'returned' ? t.returnedMark : t.signedMark} `, { color: s.outcome === 'returned' ? BAD : OK, size: 26, bold: true, font: HEADING_FONT }),
            run(`　${t.answered(s.signerName, s.signedAt, s.zone)}`),
          ],
          border: { top: { style: BorderStyle.SINGLE, size: 8, color: s.outcome === 'returned' ? BAD : OK, space: 4 }, bottom: { style: BorderStyle.SINGLE, size: 8, color: s.outcome === 'returned' ? BAD : OK, space: 4 } },
        }),
      ]
    : [];
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, keepNext: true, children: [run(t.signoff)] }),
    ...stamp,
    new Table({
      width: { size: CONTENT_TWIPS, type: WidthType.DXA },
      columnWidths: [half, half],
      layout: TableLayoutType.FIXED,
      borders: { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none },
      rows: [
        new TableRow({
          cantSplit: true,
          children: [
            side(t.customerSide, [line(t.signer, s?.signerName ?? ''), line(s?.outcome === 'returned' ? t.returnedAt : t.signedAt, s?.signedAt ?? ''), line(t.comment, s?.comment ?? '')]),
            side(t.providerSide, [line(t.preparedBy, r.preparedBy ?? ''), line(t.reviewedBy, r.reviewedBy ?? ''), line(t.date, r.issuedAt?.slice(0, 10) ?? '')]),
          ],
        }),
      ],
    }),
  ];
}

/**
 * The docx library numbers bookmarks (the contents' _Toc anchors) and pictures from counters
 * that live as long as the process, so the second report rendered would differ from the first
 * in those numbers alone; numbered per document they give identical bytes for identical input.
 */
function stableIds(name: string, xml: string): string {
  // Pictures in the running header: numbered apart from the body's, as Word wants them unique.
  const part = /^word\/(header|footer)(\d+)\.xml$/.exec(name);
  if (part) return renumber(xml, /(<wp:docPr\b[^>]*?\bid=")(\d+)/g, (part[1] === 'header' ? 1000 : 2000) + Number(part[2]) * 10);
  if (name !== 'word/document.xml') return xml;
  let out = renumber(xml, /(_Toc)(\d+)/g);
  out = renumber(out, /(<w:bookmark(?:Start|End)\b[^>]*?\bw:id=")(\d+)/g);
  return renumber(out, /(<wp:docPr\b[^>]*?\bid=")(\d+)/g);
}

export async function renderDocx(r: ReportDocument, font: FontChoice): Promise<Buffer> {
  const t = textsFor(r);
  const n: Counters = { tables: 0, figures: 0 };
  const body: (Paragraph | Table | TableOfContents)[] = [...coverChildren(r, t)];
  body.push(new Paragraph({ children: [new PageBreak()] }));
  body.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 300 }, children: [run(t.toc, { size: 36, bold: true, font: HEADING_FONT })] }));
  // Word fills the contents from the Heading 1 paragraphs (it offers to update the field on opening).
  body.push(new TableOfContents(t.toc, { hyperlink: true, headingStyleRange: '1-1' }));
  r.sections.forEach((section, i) => {
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_1, pageBreakBefore: i === 0, keepNext: true, children: [run(sectionHeading(r, i, section.title))] }));
    if (section.blocks.length === 0) body.push(new Paragraph({ indent: { firstLine: SIZE.body * 20 }, children: [run(t.emptySection, { color: MUTED })] }));
    for (const block of section.blocks) body.push(...blockChildren(block, r, t, font, n));
  });
  body.push(...signoffChildren(r, t));

  const headerText = new Paragraph({
    border: { bottom: { style: BorderStyle.THICK_THIN_SMALL_GAP, size: 12, color: ACCENT, space: 2 } },
    tabStops: [{ type: TabStopType.RIGHT, position: CONTENT_TWIPS }],
    children: [
      ...(r.letterhead.logo ? [new ImageRun({ type: imageType(r.letterhead.logo), data: Buffer.from(r.letterhead.logo), transformation: logoBox(r.letterhead.logo, 90, 22) }), new TextRun('  ')] : []),
      run(r.letterhead.text || r.providerName, { size: SIZE.tiny, color: MUTED }),
      run(`\t${r.title}`, { size: SIZE.tiny, color: MUTED }),
    ],
  });
  const footer = new Footer({
    children: [
      new Paragraph({
        border: { top: { style: BorderStyle.SINGLE, size: 4, color: 'A6A6A6', space: 2 } },
        tabStops: [
          { type: TabStopType.CENTER, position: Math.floor(CONTENT_TWIPS / 2) },
          { type: TabStopType.RIGHT, position: CONTENT_TWIPS },
        ],
        children: [
          new TextRun({ text: r.number, size: SIZE.tiny, color: MUTED }),
          new TextRun({
            size: SIZE.tiny,
            color: MUTED,
            children: r.locale === 'en-US' ? ['\tPage ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] : ['\t第 ', PageNumber.CURRENT, ' 页 / 共 ', PageNumber.TOTAL_PAGES, ' 页'],
          }),
          new TextRun({ text: `\t${t.version} V${r.version}`, size: SIZE.tiny, color: MUTED }),
        ],
      }),
    ],
  });

  const created = documentDate(r);
  const document = new Document({
    creator: r.providerName,
    lastModifiedBy: r.providerName,
    title: r.title,
    subject: `${r.customerName} ${r.periodLabel}`,
    description: r.number,
    revision: r.version,
    features: { updateFields: true },
    styles: {
      default: {
        document: { run: { font: BODY_FONT, size: SIZE.body }, paragraph: { spacing: { line: 300, lineRule: LineRuleType.AUTO } } },
        heading1: {
          run: { font: HEADING_FONT, size: SIZE.h1, bold: true, color: ACCENT },
          paragraph: { spacing: { before: 360, after: 180 }, keepNext: true },
        },
      },
    },
    sections: [
      {
        properties: {
          titlePage: true,
          page: { size: { width: PAGE.width, height: PAGE.height }, margin: PAGE.margin },
        },
        headers: { default: new Header({ children: [headerText] }), first: new Header({ children: [new Paragraph('')] }) },
        footers: { default: footer, first: footer },
        children: body,
      },
    ],
  });
  return normalizeZip(await Packer.toBuffer(document), created, stableIds);
}
