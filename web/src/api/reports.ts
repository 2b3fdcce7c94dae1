// Service reports (docs/REPORTS.md): the due board, a report with its sections and versions,
// the lifecycle commands and the files. Every command sends the version read (409 when stale).
import { useQuery } from '@tanstack/react-query';
import { API_BASE, api, type Page } from './client';
import type { Id } from './types';

export const REPORTS = '/reporting/reports';

export type ReportState = 'not_started' | 'draft' | 'in_review' | 'approved' | 'issued' | 'signed' | 'returned';
export type ReportAction = 'edit' | 'refresh' | 'submit' | 'approve' | 'reject' | 'issue' | 'new_version' | 'signoff' | 'return';

export interface ChartSpec {
  kind: 'line' | 'bar' | 'pie';
  categories: string[];
  series: { name: string; data: (number | null)[] }[];
  unit?: string;
  marks?: { label: string; value: number }[];
  stacked?: boolean;
}
export type ReportBlock =
  | { type: 'text'; text: string }
  | { type: 'kpis'; items: { code: string; label: string; text: string; value: number | null; target?: string; ok?: boolean | null }[] }
  | { type: 'table'; title?: string; columns: { key: string; label: string; align?: 'left' | 'right' | 'center' }[]; rows: Record<string, string | number | null>[]; note?: string }
  | { type: 'chart'; title: string; chart: ChartSpec };

export interface ReportSection {
  key: string;
  kind: 'cover' | 'narrative' | 'data';
  title: string;
  hidden: boolean;
  unavailable: boolean;
  blocks: ReportBlock[];
  narrative: string | null;
}

export interface FileInfo {
  sha256: string;
  size: number;
}

export interface ReportVersion {
  seq: number;
  generatedAt: string;
  note: string | null;
  issuedAt: string | null;
  issuedBy: string | null;
  /** The files as issued (kept for the record). */
  files: { pdf: FileInfo | null; docx: FileInfo | null; xlsx: FileInfo | null };
  /** Once the customer signed it off or returned it: the files drawn again with the answer, what a download gives. */
  answer: { state: 'signed' | 'returned'; at: string; files: { pdf: FileInfo | null; docx: FileInfo | null; xlsx: FileInfo | null } } | null;
}

export interface Report {
  id: Id;
  number: string;
  type: string;
  typeName: string;
  title: string;
  contractId: Id;
  customerId: Id;
  customerName: string;
  contractName: string;
  period: string;
  periodLabel: string;
  periodFrom: string;
  periodTo: string;
  state: ReportState;
  dueOn: string;
  overdue: boolean;
  daysLeft: number;
  onTime: boolean | null;
  seq: number;
  version: number;
  reviewRequired: boolean;
  preparedBy: { id: Id; name: string } | null;
  reviewedBy: { id: Id; name: string } | null;
  reviewComment: string | null;
  issuedAt: string | null;
  signedAt: string | null;
  signerName: string | null;
  returnedAt: string | null;
  customerComment: string | null;
  generatedAt: string;
  sections: ReportSection[];
  versions: ReportVersion[];
  allowedActions: ReportAction[];
}

export type ReportListItem = Pick<Report, 'id' | 'number' | 'type' | 'typeName' | 'title' | 'contractId' | 'customerId' | 'customerName' | 'period' | 'periodLabel' | 'state' | 'dueOn' | 'overdue' | 'onTime' | 'seq' | 'issuedAt' | 'signedAt'>;

export interface BoardItem {
  id: Id | null;
  number: string | null;
  contractId: Id;
  contractCode: string;
  contractName: string;
  customerId: Id;
  customerName: string;
  projectManagerId: Id | null;
  type: string;
  typeName: string;
  period: string;
  periodLabel: string;
  periodEnded: boolean;
  state: ReportState;
  dueOn: string;
  daysLeft: number;
  overdue: boolean;
  onTime: boolean | null;
  issuedAt: string | null;
}

export function useBoard(q: { from: string; to: string; customerId?: Id; state?: ReportState }) {
  return useQuery({ queryKey: [REPORTS, 'board', q], queryFn: () => api.get<{ from: string; to: string; items: BoardItem[]; truncated: boolean }>(`${REPORTS}/board`, q) });
}

export function useReportList(q: { customerId?: Id; state?: ReportState } = {}) {
  return useQuery({ queryKey: [REPORTS, 'list', q], queryFn: () => api.get<Page<ReportListItem>>(REPORTS, { ...q, limit: 100 }) });
}

export function useReport(id: Id) {
  return useQuery({ queryKey: [REPORTS, id], queryFn: () => api.get<Report>(`${REPORTS}/${id}`) });
}

/** Who may receive a contract's reports (the customer's users, administrators marked) and who is told by default. */
export interface RecipientChoice {
  customerId: Id;
  customerName: string;
  candidates: { id: Id; name: string; email: string | null; admin: boolean }[];
  selected: Id[];
  source: 'plan' | 'admins';
}

export function useRecipients(contractId: Id | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['/reporting/contracts', contractId, 'report-recipients'],
    queryFn: () => api.get<RecipientChoice>(`/reporting/contracts/${contractId}/report-recipients`),
    enabled: enabled && contractId !== undefined,
  });
}

export const reportsApi = {
  generate: (contractId: Id, type: string, period: string) => api.post<Report>(REPORTS, { contractId, type, period }),
  narratives: (r: Report, narratives: Record<string, string | null>) => api.patch<Report>(`${REPORTS}/${r.id}/narratives`, { version: r.version, narratives }),
  command: (r: Report, action: 'refresh' | 'submit') => api.post<Report>(`${REPORTS}/${r.id}/${action}`, { version: r.version }),
  issue: (r: Report, recipients: Id[]) => api.post<Report>(`${REPORTS}/${r.id}/issue`, { version: r.version, recipients }),
  review: (r: Report, approve: boolean, reviewComment: string | null) => api.post<Report>(`${REPORTS}/${r.id}/review`, { version: r.version, approve, reviewComment }),
  newVersion: (r: Report, note: string | null) => api.post<Report>(`${REPORTS}/${r.id}/versions`, { version: r.version, note }),
  signoff: (r: Report, signerName: string, opinion: string | null) => api.post<Report>(`${REPORTS}/${r.id}/signoff`, { version: r.version, signerName, opinion }),
  returnIt: (r: Report, signerName: string, opinion: string) => api.post<Report>(`${REPORTS}/${r.id}/return`, { version: r.version, signerName, opinion }),
};

/** A version's file: after the customer's answer the one drawn with it; `asIssued` the bytes as issued. */
export function fileUrl(id: Id, seq: number, format: 'pdf' | 'docx' | 'xlsx', asIssued = false): string {
  return `${API_BASE}${REPORTS}/${id}/versions/${seq}/${format}${asIssued ? '?as=issued' : ''}`;
}
