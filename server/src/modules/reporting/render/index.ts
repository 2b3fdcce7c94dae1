import type { ReportDocument } from '../../../core/reporting/document.js';

/**
 * The files a provider hands to the customer unchanged: PDF (to read and sign), Word (to edit)
 * and Excel (the data tables). One entry point so the reports module and the evidence pack do
 * not need to know which library draws which format.
 */
export type ReportFormat = 'pdf' | 'docx' | 'xlsx';

export const REPORT_MIME: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export async function renderReport(doc: ReportDocument, format: ReportFormat): Promise<Buffer> {
  // Being written (issue 11 item 4): the three renderers land in this folder.
  throw new Error(`renderReport(${format}) for ${doc.number}: renderer not yet available`);
}
