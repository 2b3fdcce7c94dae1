import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { chartOption } from '../../../core/reporting/charts.js';
import type { ReportDocument } from '../../../core/reporting/document.js';
import { findCjkFont, fontFamilyName } from '../../../platform/pdf/fonts.js';
import { chartPng, chartSvg } from './chart.js';
import { REPORT_MIME, renderReport, type ReportFormat } from './index.js';
import { sampleReport } from './sample.js';
import { chineseNumeral, columnKind, durationHours } from './texts.js';
import { sheetName } from './xlsx.js';

/** The renderers on a realistic report: pure, no database. */

// The font renderReport finds by itself (PDF_FONT=…otf runs the suite as on a server without CJK fonts).
const font = findCjkFont({ font: process.env.PDF_FONT || null, fontFamily: process.env.PDF_FONT_FAMILY || null });
const SECTION_HEADINGS = ['一、服务概况', '二、服务量统计', '三、服务水平达成情况', '四、重大故障', '五、满意度与投诉', '六、服务请求明细', '七、风险与改进建议', '八、下月工作计划'];

/** Each page's text as a PDF reader extracts it (pdf.js: no system tool needed), whitespace removed. */
async function pdfPageTexts(pdf: Buffer): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      pages.push(flat(content.items.map((item) => ('str' in item ? item.str : '')).join('')));
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

/** Where each text item of a PDF sits: x from the left edge, right end, page number. */
async function pdfTextBoxes(pdf: Buffer): Promise<{ page: number; str: string; x: number; right: number }[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const out: { page: number; str: string; x: number; right: number }[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      for (const item of (await (await doc.getPage(i)).getTextContent()).items) {
        if ('str' in item && item.str.trim()) out.push({ page: i, str: item.str, x: item.transform[4] as number, right: (item.transform[4] as number) + item.width });
      }
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

/** Text without whitespace: extraction puts spaces and line ends where the layout does, which is not what is asserted. */
function flat(text: string): string {
  return text.replace(/\s+/g, '');
}

async function pdfText(pdf: Buffer): Promise<string> {
  return (await pdfPageTexts(pdf)).join('\n');
}

function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
}

function unzip(buf: Buffer): Record<string, Uint8Array> {
  return unzipSync(new Uint8Array(buf));
}

/** Text of a Word XML part with tags removed (runs of one paragraph joined). */
function xmlText(xml: string): string {
  return xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '');
}

async function workbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

describe('report renderers: the sample hospital report', () => {
  const doc = sampleReport({ signed: true });

  it('PDF: Chinese title, numbered headings, page footer, several pages, the CJK font embedded', async () => {
    const pdf = await renderReport(doc, 'pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = await pdfPageTexts(pdf);
    const text = pages.join('\n');
    // The cover sets the long title over two lines, broken at its space; the header repeats it.
    expect(pages[0]).toContain(flat('市第一人民医院 2026年11月 月度服务报告'));
    for (const h of SECTION_HEADINGS) expect(text).toContain(h);
    expect(pages[0]).toContain('第1页/共');
    expect(pages.at(-1)).toContain(`第${pages.length}页/共${pages.length}页`);
    expect(text).toContain('目录');
    expect(text).toContain('客户签字确认');
    expect(text).toContain('郑主任（信息科）');
    // Table header repeated on the page where the 60-row table continues.
    expect(pages.filter((p) => p.includes('工单号报告时间标题')).length).toBeGreaterThan(1);
    expect(text).toContain('INC-2026-11-0060');
    // Chart texts are real text in the PDF (vector charts with the embedded font).
    expect(text).toContain('响应达标率');
    expect(text).toContain('目标95%');
    expect(pdfPages(pdf)).toBeGreaterThan(3);
    // Everything, chart labels included, stays within the A4 page's side margins (79 pt, 74 pt).
    const boxes = await pdfTextBoxes(pdf);
    expect(boxes.filter((b) => b.x < 78 || b.right > 595.28 - 73).map((b) => `${b.page}: ${b.str}`)).toEqual([]);
    const bytes = pdf.toString('latin1');
    expect(bytes).toMatch(/\/FontFile[23]?\b/);
    expect(bytes).toContain(font.family ?? 'Noto');
  });

  it('PDF: the contents page gives each section the page it starts on', async () => {
    const pages = await pdfPageTexts(await renderReport(doc, 'pdf'));
    const toc = pages[1]!;
    for (const h of SECTION_HEADINGS) {
      const page = Number(new RegExp(`${h}(\\d+)`).exec(toc)?.[1]);
      expect(page, h).toBeGreaterThan(2);
      // The heading is on that page and not on the one before (unless that is the contents).
      expect(pages[page - 1], `${h} on page ${page}`).toContain(h);
      if (page > 3) expect(pages[page - 2], `${h} before page ${page}`).not.toContain(h);
    }
  });

  it('Word: headings in the Heading 1 style, real tables with a repeating header, chart pictures, page-number fields, East Asian fonts', async () => {
    const docx = await renderReport(doc, 'docx');
    const parts = unzip(docx);
    const xml = strFromU8(parts['word/document.xml']!);
    const text = xmlText(xml);
    expect(text).toContain('市第一人民医院 2026年11月 月度服务报告');
    for (const h of SECTION_HEADINGS) expect(xml).toMatch(new RegExp(`<w:pStyle w:val="Heading1"/>.*?${h}`));
    expect((xml.match(/<w:tbl>/g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(xml).toContain('<w:tblHeader/>');
    expect(text).toContain('INC-2026-11-0060');
    expect(text).toContain('HIS 数据库主备切换失败，门诊挂号收费中断');
    expect(text).toContain('98.5%');
    const images = Object.keys(parts).filter((p) => p.startsWith('word/media/'));
    // Three charts and the letterhead logo (cover and header).
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) expect(Buffer.from(parts[image]!).subarray(1, 4).toString()).toBe('PNG');
    for (const chart of ['近12个月服务请求量', '响应与解决达标率趋势', '服务请求按故障类别分布']) expect(xml).toMatch(new RegExp(`<wp:docPr [^>]*name="${chart}"`));
    const headers = Object.entries(parts).filter(([n]) => n.startsWith('word/header')).map(([, x]) => xmlText(strFromU8(x)));
    expect(headers.some((h) => h.includes('浙江云维信息技术有限公司 · 服务热线 0571-8888 1234'))).toBe(true);
    const footer = Object.entries(parts).find(([n]) => n.startsWith('word/footer'))!;
    expect(strFromU8(footer[1])).toMatch(/NUMPAGES/);
    expect(xmlText(strFromU8(footer[1]))).toContain('RPT-MS-2026-11-HOSP01');
    const styles = strFromU8(parts['word/styles.xml']!);
    expect(styles).toContain('w:eastAsia="宋体"');
    expect(styles).toContain('w:eastAsia="微软雅黑"');
    // The contents field, which Word updates from the headings.
    expect(xml).toMatch(/TOC \\h \\o &quot;1-1&quot;/);
  });

  it('Excel: overview with the KPIs, one sheet per table and per chart, numbers with formats, header frozen', async () => {
    const wb = await workbook(await renderReport(doc, 'xlsx'));
    const names = wb.worksheets.map((w) => w.name);
    expect(names[0]).toBe('概览');
    expect(names).toEqual(expect.arrayContaining(['表 1 按科室统计', '表 3 本月服务请求明细', '图 2 响应与解决达标率趋势', '图 3 服务请求按故障类别分布']));
    expect(names).toHaveLength(1 + 3 + 3);

    const overview = wb.getWorksheet('概览')!;
    const rows = overview.getSheetValues().filter(Boolean) as unknown[][];
    const response = rows.find((r) => r[1] === '响应达标率')!;
    expect(response.slice(1)).toEqual(['响应达标率', 0.985, '≥95%', '达标']);
    const mttr = rows.find((r) => r[1] === 'P1 平均恢复时间')!;
    expect(mttr[2]).toBeCloseTo(3.2, 6);
    expect(mttr[4]).toBe('未达标');
    expect(rows.find((r) => r[1] === '投诉处理及时率')![2]).toBe('—');

    const tickets = wb.getWorksheet('表 3 本月服务请求明细')!;
    expect(tickets.rowCount).toBe(61);
    expect(tickets.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(tickets.getRow(1).values).toContain('恢复时间（小时）');
    expect(tickets.getCell('A61').value).toBe('INC-2026-11-0060');
    expect(typeof tickets.getCell('F2').value).toBe('number');
    expect(tickets.getCell('F2').numFmt).toBe('0.00');

    const trend = wb.getWorksheet('图 2 响应与解决达标率趋势')!;
    expect(trend.getRow(1).values).toEqual([undefined, '类别', '响应达标率', '解决达标率', '目标']);
    expect(trend.getCell('B2').value).toBe(0.982);
    expect(trend.getCell('B2').numFmt).toBe('0.0%');
    // A month without data stays empty, never 0.
    expect(trend.getCell('B4').value).toBeNull();
    expect(trend.getCell('D4').value).toBe(0.95);
    const depts = wb.getWorksheet('表 1 按科室统计')!;
    expect(depts.getCell('C2').value).toBe(0.194);
    expect(depts.getColumn(1).width).toBeGreaterThanOrEqual(8);
  });

  it('signed off: 已签收确认 on the cover and in the sign-off block with the signer and the local time in its zone; returned: 客户已退回 with the comments, in every format', async () => {
    const pages = await pdfPageTexts(await renderReport(doc, 'pdf'));
    expect(pages[0]).toContain('已签收确认');
    expect(pages[0]).toContain(flat('郑主任（信息科）　2026-12-05 10:30（Asia/Shanghai，UTC+08:00）'));
    expect(pages.at(-1)).toContain('已签收确认');
    expect(pages.at(-1)).toContain('签字日期：2026-12-0510:30');
    const returned: ReportDocument = { ...doc, signoff: { outcome: 'returned', signerName: '郑主任（信息科）', signedAt: '2026-12-05 10:30', zone: 'Asia/Shanghai，UTC+08:00', comment: '重大故障一节缺少原因分析，请补充后重新签发。' } };
    const back = await pdfPageTexts(await renderReport(returned, 'pdf'));
    expect(back[0]).toContain('客户已退回');
    expect(back.at(-1)).toContain('退回日期：2026-12-0510:30');
    expect(back.at(-1)).toContain('重大故障一节缺少原因分析，请补充后重新签发。');
    expect(back.join('')).not.toContain('已签收确认');
    const word = xmlText(strFromU8(unzip(await renderReport(returned, 'docx'))['word/document.xml']!));
    for (const expected of ['客户已退回', '退回日期', '重大故障一节缺少原因分析']) expect(word, expected).toContain(expected);
    const wb = await workbook(await renderReport(returned, 'xlsx'));
    const overview: string[] = [];
    wb.worksheets[0]!.eachRow((row) => overview.push((row.values as unknown[]).slice(1).join('|')));
    expect(overview).toEqual(expect.arrayContaining(['客户签字确认|客户已退回', '退回日期|2026-12-05 10:30（Asia/Shanghai，UTC+08:00）']));
  });

  it('the same document gives the same bytes in every format (the evidence pack hashes them)', async () => {
    for (const format of ['pdf', 'docx', 'xlsx'] as ReportFormat[]) {
      const a = await renderReport(doc, format);
      const b = await renderReport(doc, format);
      expect(a.equals(b), format).toBe(true);
    }
    expect(REPORT_MIME.docx).toContain('wordprocessingml');
  });
});

describe('report renderers: awkward documents', () => {
  function awkward(): ReportDocument {
    const base = sampleReport();
    return {
      ...base,
      title: '测试报告 😀 𠮷野家 “引号” <标签> & 符号',
      issuedAt: null,
      preparedBy: null,
      reviewedBy: null,
      letterhead: { text: '', logo: Uint8Array.from([1, 2, 3]) },
      sections: [
        { key: 'empty', title: '空章节', blocks: [] },
        {
          key: 'odd',
          title: '罕见字与表情 😀',
          blocks: [
            { type: 'text', text: '𠮷 and 😀 in prose; a very long unbroken token ' + 'A'.repeat(300) },
            { type: 'table', title: '空表', columns: [{ key: 'a', label: '列 [1]:*?/\\' }], rows: [] },
            { type: 'table', title: '空表', columns: [{ key: 'a', label: '列' }], rows: [{ a: null }, { a: '😀' }] },
            { type: 'chart', title: '全部为空', chart: { kind: 'line', categories: ['1月', '2月'], series: [{ name: 'x', data: [null, null] }], unit: '%', marks: [{ label: '目标', value: 95 }] } },
            { type: 'chart', title: '空饼图', chart: { kind: 'pie', categories: [], series: [] } },
            { type: 'kpis', items: [{ code: 'x', label: '无值 😀', text: '—', value: null }] },
          ],
        },
      ],
      signoff: null,
    };
  }

  it('an emoji, a rare character, an empty section, an empty table and a chart without values render in every format', async () => {
    const doc = awkward();
    const pdf = await renderReport(doc, 'pdf');
    const text = await pdfText(pdf);
    expect(text).toContain('一、空章节');
    // Characters the font cannot draw print as □ (measured, so lines keep to the margins); the long token wraps.
    expect(text).toContain('二、罕见字与表情□');
    expect((await pdfTextBoxes(pdf)).filter((b) => b.x < 78 || b.right > 595.28 - 73).map((b) => b.str)).toEqual([]);
    expect(text).toContain('本期无相关内容');
    expect(text).toContain('草稿（未签发）');
    expect(text).toContain('（本期无数据）');
    const docx = unzip(await renderReport(doc, 'docx'));
    expect(xmlText(strFromU8(docx['word/document.xml']!))).toContain('罕见字与表情 😀');
    const wb = await workbook(await renderReport(doc, 'xlsx'));
    const names = wb.worksheets.map((w) => w.name);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(31);
      expect(n).not.toMatch(/[[\]:*?/\\]/);
    }
  });

  it('200-row tables render in under 2 s in each format', async () => {
    const base = sampleReport({ tableRows: 200 });
    // Tables only: the charts' cost is measured by the bench, not here.
    const doc: ReportDocument = { ...base, sections: base.sections.map((s) => ({ ...s, blocks: s.blocks.filter((b) => b.type !== 'chart') })) };
    for (const format of ['pdf', 'docx', 'xlsx'] as ReportFormat[]) {
      await renderReport(doc, format); // a server renders warm: modules loaded, font file read
      // The process's CPU time, not the wall clock: test runs share two cores with other suites.
      const before = process.cpuUsage();
      const out = await renderReport(doc, format);
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000;
      expect(out.length).toBeGreaterThan(1000);
      expect(ms, `${format} took ${Math.round(ms)} ms of CPU`).toBeLessThan(2000);
    }
    expect(await pdfText(await renderReport(doc, 'pdf'))).toContain('INC-2026-11-0200');
  });
});

describe('report charts', () => {
  it('null is a gap and marks are dashed reference lines, in the ECharts option', () => {
    const option = chartOption(
      { kind: 'line', categories: ['1月', '2月', '3月'], series: [{ name: '可用率', data: [99, null, 97] }], unit: '%', marks: [{ label: '目标', value: 95 }] },
      { fontFamily: 'X' },
    ) as { series: { data: (number | null)[]; connectNulls: boolean; markLine: { lineStyle: { type: string }; data: { yAxis: number }[] } }[]; yAxis: { min: number; max: number } };
    expect(option.series[0]!.data).toEqual([99, null, 97]);
    expect(option.series[0]!.connectNulls).toBe(false);
    expect(option.series[0]!.markLine.lineStyle.type).toBe('dashed');
    expect(option.series[0]!.markLine.data[0]!.yAxis).toBe(95);
    expect(option.yAxis).toMatchObject({ min: 90, max: 100 });
  });

  it('the server-side SVG names the CJK font; the PNG is drawn with it', () => {
    const spec = sampleReport().sections[2]!.blocks[0]!;
    if (spec.type !== 'chart') throw new Error('sample changed');
    const svg = chartSvg(spec.chart, font);
    expect(svg).toContain(`font-family:${fontFamilyName(font)}`);
    expect(svg).toContain('响应达标率');
    expect(svg).toContain('stroke-dasharray');
    const png = chartPng(spec.chart, font, 1);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(640);
  });
});

describe('report texts', () => {
  it('section numbers, durations, column kinds and sheet names', () => {
    expect([1, 9, 10, 11, 20, 23].map(chineseNumeral)).toEqual(['一', '九', '十', '十一', '二十', '二十三']);
    expect(durationHours('2小时15分')).toBe(2.25);
    expect(durationHours('45分钟')).toBe(0.75);
    expect(durationHours('处理中')).toBeNull();
    const rows = [{ a: '96.4%', b: '1小时', c: 3, d: 'x' }, { a: '—', b: '30分', c: 4.5, d: 'y' }];
    expect(['a', 'b', 'c', 'd'].map((key) => columnKind(rows, { key, label: key }))).toEqual(['percent', 'hours', 'decimal', 'text']);
    const taken = new Set<string>();
    expect(sheetName('表 1 本月服务请求明细：按科室/工程师[汇总]统计及同比环比分析', taken)).toBe('表 1 本月服务请求明细：按科室 工程师 汇总 统计及同比环比');
    expect(sheetName('概览', taken)).toBe('概览');
    expect(sheetName('概览', taken)).toBe('概览 (2)');
    expect(sheetName("'x'", taken)).toBe('x');
  });
});
