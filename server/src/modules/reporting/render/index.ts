import type { ReportDocument } from '../../../core/reporting/document.js';
import { findCjkFont, type FontChoice } from '../../../platform/pdf/fonts.js';
import { renderDocx } from './docx.js';
import { renderPdf } from './pdf.js';
import { renderXlsx } from './xlsx.js';

/**
 * The files a provider hands to the customer unchanged: PDF (to read and sign), Word (to edit)
 * and Excel (the data tables). One entry point so the reports module and the evidence pack do
 * not need to know which library draws which format. The same document gives the same bytes
 * (file dates come from the document, not the clock), so the evidence pack can hash them.
 */
export type ReportFormat = 'pdf' | 'docx' | 'xlsx';

export const REPORT_MIME: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface RenderOptions {
  /** The CJK font (the server's, from findCjkFont(config.pdf)); by default found from PDF_FONT / the system / the bundled one. */
  font?: FontChoice;
}

let defaultFont: FontChoice | null = null;
/** The same lookup as the server's config (PDF_FONT, PDF_FONT_FAMILY), done once. */
function reportFont(): FontChoice {
  defaultFont ??= findCjkFont({ font: process.env.PDF_FONT || null, fontFamily: process.env.PDF_FONT_FAMILY || null });
  return defaultFont;
}

export async function renderReport(doc: ReportDocument, format: ReportFormat, options: RenderOptions = {}): Promise<Buffer> {
  const font = options.font ?? reportFont();
  switch (format) {
    case 'pdf':
      return renderPdf(doc, font);
    case 'docx':
      return renderDocx(doc, font);
    case 'xlsx':
      return renderXlsx(doc);
  }
}
