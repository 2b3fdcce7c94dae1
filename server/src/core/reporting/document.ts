/**
 * A service report as plain data: what the reports module assembles (figures frozen at
 * generation, narratives written by the PM) and what the renderers turn into PDF, Word and
 * Excel. Nothing here touches the database or a file format, so the three renderers and the
 * web preview read the same thing and cannot disagree.
 */

/** A chart, independent of the drawing library (the PDF renderer draws it with ECharts' SSR SVG). */
export interface ChartSpec {
  kind: 'line' | 'bar' | 'pie';
  /** X axis categories (line, bar) or slice names (pie). */
  categories: string[];
  /** One series per line / bar group; a pie has exactly one. null: no value (drawn as a gap, never 0). */
  series: { name: string; data: (number | null)[] }[];
  /** Unit shown on the axis and in labels: '%', 'h', '件' … */
  unit?: string;
  /** Horizontal reference lines, e.g. the target 95 % or the 30–50 % first-line band. */
  marks?: { label: string; value: number }[];
  stacked?: boolean;
}

export interface TableColumn {
  key: string;
  label: string;
  align?: 'left' | 'right' | 'center';
}

/** A figure as printed: `text` is already formatted ('96.4%', '2小时15分', '—' for no value). */
export interface KpiFigure {
  code: string;
  label: string;
  text: string;
  /** The raw value (null when the denominator is zero). */
  value: number | null;
  target?: string;
  /** Whether the target is met; null when there is no target or no value. */
  ok?: boolean | null;
}

export type ReportBlock =
  /** Narrative or generated prose; paragraphs separated by blank lines, no markup. */
  | { type: 'text'; text: string }
  | { type: 'kpis'; items: KpiFigure[] }
  | { type: 'table'; title?: string; columns: TableColumn[]; rows: Record<string, string | number | null>[]; note?: string }
  | { type: 'chart'; title: string; chart: ChartSpec };

export interface ReportSection {
  /** Template section key: 'summary', 'volume', 'sla', 'major_incidents' … or 'custom:<id>'. */
  key: string;
  title: string;
  blocks: ReportBlock[];
}

export interface ReportDocument {
  /** e.g. 《市第一人民医院 2026年11月 月度服务报告》 without the brackets. */
  title: string;
  /** Report number, e.g. RPT-MS-2026-11-HOSP01, and the version printed in the footer. */
  number: string;
  version: number;
  locale: 'zh-CN' | 'en-US';
  providerName: string;
  customerName: string;
  contractName: string;
  /** As printed: '2026年11月', '2026年第四季度', '2026年度'. */
  periodLabel: string;
  /** Local dates (customer's zone), YYYY-MM-DD. */
  periodFrom: string;
  periodTo: string;
  /** When the figures were computed (local time text) and by whom the report was issued. */
  generatedAt: string;
  issuedAt: string | null;
  preparedBy: string | null;
  reviewedBy: string | null;
  letterhead: {
    /** Text under the logo on every page's header, e.g. the provider's full name and hotline. */
    text: string;
    /** PNG or JPEG bytes of the logo, or null. */
    logo: Uint8Array | null;
  };
  sections: ReportSection[];
  /**
   * The customer's answer, printed on the cover and in the sign-off block: signed off (已签收确认)
   * or returned with comments. `signedAt` is the local time of the answer in the customer's zone,
   * `zone` names that zone as printed ('Asia/Shanghai，UTC+08:00'). Null until the customer answers.
   */
  signoff: { signerName: string; signedAt: string; comment: string | null; outcome?: 'signed' | 'returned'; zone?: string } | null;
}
