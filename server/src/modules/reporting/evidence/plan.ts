import type { FontChoice } from '../../../platform/pdf/fonts.js';
import type { SlaOutcome } from './labels.js';
import type { CmdbEvidence } from './cmdb.js';

/**
 * What one pack holds, gathered before the first byte is written (small per ticket: the index and
 * the Excel summaries need every ticket's line; the PDFs' timelines are read later, a batch at a time).
 */
export interface PackCustomer {
  id: number;
  code: string;
  name: string;
  timeZone: string;
  tier: number;
}

export interface PackPeriod {
  /** Local dates in the customer's zone, both inclusive. */
  from: string;
  to: string;
  /** [start, end): local midnight of `from` and of the day after `to`, as instants. */
  start: number;
  end: number;
}

export interface TicketLine {
  id: number;
  number: string;
  kind: string;
  title: string;
  priority: string;
  state: string;
  channel: string;
  contract: string;
  handler: string;
  reportedAt: number;
  respondedAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  cancelledAt: number | null;
  sla: SlaOutcome[];
  rating: { score: number; comment: string | null; ratedAt: number } | null;
  /** The ticket's PDF inside the pack. */
  file: string;
}

export interface RepairReportEntry {
  id: number;
  ticketId: number;
  ticketNumber: string;
  number: string;
  signerName: string | null;
  signedAt: number | null;
  signedVia: string | null;
  pdf: { blobId: number; sha256: string | null; file: string } | null;
  scan: { blobId: number; sha256: string | null; mime: string | null; file: string } | null;
}

export interface ServiceReportEntry {
  number: string;
  type: string;
  /** 月度服务报告 … */
  typeZh: string;
  period: string;
  /** issued | signed */
  state: string;
  seq: number;
  issuedAt: number | null;
  signedAt: number | null;
  signerName: string | null;
  /** The PDF as stored at the issue. */
  pdf: { blobId: number; sha256: string | null; file: string };
  /** Once signed off: the PDF drawn again with the sign-off (已签收确认, the signer, the time), as stored then. */
  signedPdf: { blobId: number; sha256: string | null; file: string } | null;
}

export interface RatingLine {
  number: string;
  title: string;
  kind: string;
  score: number;
  comment: string | null;
  ratedAt: number;
  ratedBy: string;
}

/** One week of the knowledge base's record (Monday to Sunday in the customer's zone), cut to the period. */
export interface KnowledgeWeek {
  /** The Monday, YYYY-MM-DD. */
  week: string;
  /** The local dates of the week inside the period, both inclusive. */
  from: string;
  to: string;
  /** The week reaches past the period: only its days inside the period are counted. */
  partial: boolean;
  created: number;
  updated: number;
}

/** One save of an article (a version): what the weekly record counts. */
export interface KnowledgeSave {
  at: number;
  /** The Monday of its week. */
  week: string;
  /** KB-00012 */
  number: string;
  title: string;
  kind: string;
  /** The article is about this customer (else: 通用, about no customer). */
  ownCustomer: boolean;
  version: number;
  /** created | edited | restored | from_ticket */
  change: string;
  author: string;
}

/** The part of the installation-wide hash chain the pack vouches for: from the first row to the last one written before the period's end. */
export interface ChainStatement {
  ok: boolean;
  /** Rows from the first to `lastId` (none: the chain had no row before the period's end). */
  rows: number;
  lastId: number | null;
  lastHash: string | null;
  firstBadId: number | null;
  reason: 'altered' | 'removed' | null;
}

export interface PackPlan {
  customer: PackCustomer;
  contracts: Array<{ code: string; name: string; startsOn: string; endsOn: string }>;
  period: PackPeriod;
  /** The instant every document of the pack is dated (the period's end): never the export's own time. */
  asOf: number;
  tickets: TicketLine[];
  repairReports: RepairReportEntry[];
  serviceReports: ServiceReportEntry[];
  ratings: RatingLine[];
  /** The knowledge base's "updated weekly" record (R12): the period's weeks and every save counted in them. */
  knowledge: { weeks: KnowledgeWeek[]; saves: KnowledgeSave[] };
  auditRows: number;
  /** The CMDB family's records of the period (evidence/cmdb.ts): assets, campaigns, devices, requisition slips, repair orders. */
  cmdb: CmdbEvidence;
  chain: ChainStatement;
  /** The whole chain as verified at the export (goes to the export record and the CLI, not into the pack). */
  chainAtExport: { ok: boolean; checked: number; firstBadId: number | null };
}

export interface PackOptions {
  font: FontChoice;
  /** The provider's name as configured (the parts', repairs' and assets' documents print it); else the stored setting. */
  config?: { providerName: string | null };
  /** Files written so far of the total (the progress bar). */
  progress?: (done: number, total: number) => void | Promise<void>;
  /** Asked every few files; true stops the pack with `PackCancelled`. */
  cancelled?: () => Promise<boolean>;
}

export class PackCancelled extends Error {
  constructor() {
    super('evidence export cancelled');
  }
}

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface PackResult {
  files: ManifestFile[];
  /** sha256 of manifest.json: one value that names the content of the whole pack. */
  manifestSha256: string;
}

/** Where each kind of file lives in the archive (ASCII names: every unzip tool and file system takes them). */
export const PATHS = {
  indexHtml: 'index.html',
  indexXlsx: 'index.xlsx',
  tickets: 'tickets.xlsx',
  satisfaction: 'satisfaction.xlsx',
  knowledge: 'knowledge-weekly.xlsx',
  auditLog: 'audit/audit-log.csv',
  chain: 'audit/chain-verification.txt',
  manifest: 'manifest.json',
  ticketPdf: (number: string) => `tickets/${safeName(number)}.pdf`,
  repairPdf: (number: string) => `repair-reports/${safeName(number)}.pdf`,
  serviceReport: (number: string, seq: number) => `reports/${safeName(number)}-v${seq}.pdf`,
  serviceReportSigned: (number: string, seq: number) => `reports/${safeName(number)}-v${seq}-signed.pdf`,
  assetRegister: 'assets/asset-register.xlsx',
  campaignPdf: (id: number) => `assets/campaign-${id}.pdf`,
  campaignXlsx: (id: number) => `assets/campaign-${id}.xlsx`,
  devices: 'cmdb/machine-room-devices.xlsx',
  partsRequisitions: 'parts/requisitions.xlsx',
  partsSlip: (number: string) => `parts/${safeName(number)}.pdf`,
  repairOrders: 'repairs/repair-orders.xlsx',
  repairOrder: (number: string) => `repairs/${safeName(number)}.pdf`,
  repairScan: (number: string, mime: string | null) => `repair-reports/${safeName(number)}-scan.${mime === 'image/jpeg' ? 'jpg' : mime === 'image/png' ? 'png' : 'pdf'}`,
} as const;

/** Record numbers are ASCII already (INC-2026-000123-R1); anything else becomes '_'. */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}
