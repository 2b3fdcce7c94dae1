import type { ReportDocument, TableColumn } from '../../../core/reporting/document.js';

/**
 * What the three renderers print around the document's own content (cover labels, captions,
 * page numbers, sign-off block), in the report's language, and the small formatting rules they
 * share so a PDF, a Word file and a workbook of the same report say the same thing.
 */
export interface RenderTexts {
  /** A label and its value: '客户名称：', 'Customer: '. */
  label: (text: string) => string;
  toc: string;
  customer: string;
  contract: string;
  period: string;
  number: string;
  version: string;
  date: string;
  preparedBy: string;
  reviewedBy: string;
  draft: string;
  page: (page: number, pages: number) => string;
  table: (n: number) => string;
  figure: (n: number) => string;
  noRows: string;
  emptySection: string;
  target: string;
  met: string;
  notMet: string;
  signoff: string;
  signer: string;
  signedAt: string;
  comment: string;
  /** The stamp of an answered report: 已签收确认 / 客户已退回. */
  signedMark: string;
  returnedMark: string;
  returnedAt: string;
  /** A local time with the zone it is in: '2026-12-05 10:30（Asia/Shanghai，UTC+08:00）'. */
  zoned: (at: string, zone: string | undefined) => string;
  /** The line beside the stamp: who answered and when, in whose zone. */
  answered: (name: string, at: string, zone: string | undefined) => string;
  providerSide: string;
  customerSide: string;
  seal: string;
  overview: string;
  kpiHeader: [string, string, string, string];
  value: string;
  category: string;
  hours: string;
}

const ZH: RenderTexts = {
  label: (text) => `${text}：`,
  toc: '目  录',
  customer: '客户名称',
  contract: '服务合同',
  period: '服务期间',
  number: '报告编号',
  version: '版本',
  date: '报告日期',
  preparedBy: '编制',
  reviewedBy: '审核',
  draft: '草稿（未签发）',
  page: (p, n) => `第 ${p} 页 / 共 ${n} 页`,
  table: (n) => `表 ${n}`,
  figure: (n) => `图 ${n}`,
  noRows: '（本期无数据）',
  emptySection: '本期无相关内容。',
  target: '目标',
  met: '达标',
  notMet: '未达标',
  signoff: '客户签字确认',
  signer: '签字人',
  signedAt: '签字日期',
  comment: '意见',
  signedMark: '已签收确认',
  returnedMark: '客户已退回',
  returnedAt: '退回日期',
  zoned: (at, zone) => `${at}${zone ? `（${zone}）` : ''}`,
  answered: (name, at, zone) => `${name}　${ZH.zoned(at, zone)}`,
  providerSide: '服务单位',
  customerSide: '客户单位',
  seal: '（盖章）',
  overview: '概览',
  kpiHeader: ['指标', '本期', '目标', '是否达标'],
  value: '数值',
  category: '类别',
  hours: '小时',
};

const EN: RenderTexts = {
  label: (text) => `${text}:`,
  toc: 'Contents',
  customer: 'Customer',
  contract: 'Contract',
  period: 'Period',
  number: 'Report no.',
  version: 'Version',
  date: 'Date',
  preparedBy: 'Prepared by',
  reviewedBy: 'Reviewed by',
  draft: 'DRAFT (not issued)',
  page: (p, n) => `Page ${p} of ${n}`,
  table: (n) => `Table ${n}`,
  figure: (n) => `Figure ${n}`,
  noRows: '(no data for this period)',
  emptySection: 'Nothing to report for this period.',
  target: 'Target',
  met: 'Met',
  notMet: 'Not met',
  signoff: 'Customer sign-off',
  signer: 'Signed by',
  signedAt: 'Date',
  comment: 'Comment',
  signedMark: 'Signed off',
  returnedMark: 'Returned by the customer',
  returnedAt: 'Returned on',
  zoned: (at, zone) => `${at}${zone ? ` (${zone})` : ''}`,
  answered: (name, at, zone) => `${name}, ${EN.zoned(at, zone)}`,
  providerSide: 'Provider',
  customerSide: 'Customer',
  seal: '(seal)',
  overview: 'Overview',
  kpiHeader: ['Indicator', 'This period', 'Target', 'Met'],
  value: 'Value',
  category: 'Category',
  hours: 'hours',
};

export function textsFor(doc: ReportDocument): RenderTexts {
  return doc.locale === 'en-US' ? EN : ZH;
}

const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (section numbers of a Chinese report). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  if (n < 10) return CN_DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : CN_DIGITS[tens]}十${ones ? CN_DIGITS[ones] : ''}`;
}

/** The numbered heading: '一、服务概况' in Chinese, '1. Summary' in English. */
export function sectionHeading(doc: ReportDocument, index: number, title: string): string {
  return doc.locale === 'en-US' ? `${index + 1}. ${title}` : `${chineseNumeral(index + 1)}、${title}`;
}

/** How a table column's values are meant: the Excel number format follows from it. */
export type CellKind = 'text' | 'integer' | 'decimal' | 'percent' | 'hours';

export type Cell = string | number | null;

const PERCENT = /^\s*(-?\d+(?:\.\d+)?)\s*%\s*$/;
const HOURS_MINUTES = /^\s*(?:(\d+(?:\.\d+)?)\s*(?:小时|h|hours?))?\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|minutes?))?\s*$/i;

/**
 * A printed duration in hours: '2小时15分' → 2.25, '45分钟' → 0.75, '3.5 h' → 3.5; null when
 * the text is not a duration.
 */
export function durationHours(text: string): number | null {
  const m = HOURS_MINUTES.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) return null;
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60;
}

/**
 * What a column holds, judged by its values (the document carries formatted figures): all
 * percentages → percent, all durations → hours, all whole numbers → integer, all numbers →
 * decimal, anything else → text. Empty cells and '—' do not decide.
 */
export function columnKind(rows: Record<string, Cell>[], column: TableColumn): CellKind {
  const kinds = new Set<CellKind>();
  for (const row of rows) {
    const v = row[column.key];
    if (v === null || v === undefined || v === '' || v === '—' || v === '-') continue;
    if (typeof v === 'number') kinds.add(Number.isInteger(v) ? 'integer' : 'decimal');
    else if (PERCENT.test(v)) kinds.add('percent');
    else if (durationHours(v) !== null) kinds.add('hours');
    else if (/^\s*-?\d+\s*$/.test(v)) kinds.add('integer');
    else if (/^\s*-?\d+\.\d+\s*$/.test(v)) kinds.add('decimal');
    else return 'text';
    if (kinds.size > 2) return 'text';
  }
  if (kinds.size === 0) return 'text';
  if (kinds.size === 1) return [...kinds][0]!;
  return kinds.has('integer') && kinds.has('decimal') ? 'decimal' : 'text';
}

/** Percentage points as the fraction a spreadsheet formats as %, without binary noise (19.4 → 0.194, not 0.19399999999999998). */
export function fraction(points: number): number {
  return Number((points / 100).toPrecision(12));
}

/** A cell's value for a spreadsheet of that kind: percent as a fraction (0.964), hours as a number. */
export function cellValue(v: Cell | undefined, kind: CellKind): string | number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return kind === 'percent' ? fraction(v) : v;
  const text = v.trim();
  if (kind === 'percent') {
    const m = PERCENT.exec(text);
    return m ? fraction(Number(m[1])) : text;
  }
  if (kind === 'hours') {
    const h = durationHours(text);
    return h === null ? text : Number(h.toPrecision(12));
  }
  if (kind === 'integer' || kind === 'decimal') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  return text;
}

/** A cell as printed in the PDF and Word tables: the document's own text, numbers as written. */
export function cellText(v: Cell | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  return typeof v === 'number' ? String(v) : v;
}

/** Paragraphs of a text block: separated by blank lines; single line breaks kept inside. */
export function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** A document date as a Date for file metadata: the period's end (fixed), so identical input gives identical bytes. */
export function documentDate(doc: ReportDocument): Date {
  const candidates = [doc.issuedAt, doc.generatedAt, doc.periodTo];
  for (const c of candidates) {
    const m = c ? /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(c) : null;
    if (m) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)));
  }
  return new Date(Date.UTC(2000, 0, 1));
}

/** The date printed on the cover: the issue date, else the generation date. */
export function coverDate(doc: ReportDocument): string {
  return (doc.issuedAt ?? doc.generatedAt).slice(0, 10);
}

/** Width of a text in em of its font size: CJK and full-width characters 1, others about 0.55. */
export function emWidth(text: string): number {
  return [...text].reduce((w, ch) => w + (/[\u2e80-\uffff]/.test(ch) ? 1 : 0.55), 0);
}

/**
 * Table column widths that fill `total`: each column wants its widest content; when the wants do
 * not fit, the narrow columns keep theirs and the wide ones share what is left (they wrap).
 * A column is never squeezed below `least` (its header's two characters, say).
 */
export function shareWidths(want: number[], total: number): number[] {
  const sum = want.reduce((a, b) => a + b, 0);
  if (sum <= total) return want.map((w) => (w * total) / sum);
  const out = new Array<number>(want.length).fill(0);
  let open = want.map((_, i) => i);
  let room = total;
  // Water-filling: a column asking less than the fair share gets what it asks.
  for (;;) {
    const share = room / open.length;
    const small = open.filter((i) => want[i]! <= share);
    if (small.length === 0) {
      for (const i of open) out[i] = share;
      return out;
    }
    for (const i of small) {
      out[i] = want[i]!;
      room -= want[i]!;
    }
    open = open.filter((i) => want[i]! > share);
    if (open.length === 0) return out.map((w) => (w * total) / (total - room));
  }
}

/** The period as printed under the title: '2026年11月（2026-11-01 至 2026-11-30）'. */
export function periodText(doc: ReportDocument): string {
  return doc.locale === 'en-US' ? `${doc.periodLabel} (${doc.periodFrom} – ${doc.periodTo})` : `${doc.periodLabel}（${doc.periodFrom} 至 ${doc.periodTo}）`;
}

/** The cover's facts, label and value, in the order every format prints them. */
export function coverFields(doc: ReportDocument, t: RenderTexts): [string, string][] {
  return [
    [t.customer, doc.customerName],
    [t.contract, doc.contractName],
    [t.period, periodText(doc)],
    [t.number, doc.number],
    [t.version, `V${doc.version}`],
    [t.date, coverDate(doc)],
    [t.preparedBy, doc.preparedBy ?? ''],
    [t.reviewedBy, doc.reviewedBy ?? ''],
  ];
}
