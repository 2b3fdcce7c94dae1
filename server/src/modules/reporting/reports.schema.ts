import { z } from 'zod';
import { REPORT_TYPE_CODES } from '../../core/reporting/templates.js';
import { id, localDate, optionalText, text } from '../../platform/http/zod.js';

/** Contracts of the service-report API (docs/REPORTS.md). */

export const REPORT_STATES = ['not_started', 'draft', 'in_review', 'approved', 'issued', 'signed', 'returned'] as const;
export type ReportState = (typeof REPORT_STATES)[number];
export const REPORT_FORMATS = ['pdf', 'docx', 'xlsx'] as const;

export const REPORT_ACTIONS = ['edit', 'refresh', 'submit', 'approve', 'reject', 'issue', 'new_version', 'signoff', 'return'] as const;

const block = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({
    type: z.literal('kpis'),
    items: z.array(z.object({ code: z.string(), label: z.string(), text: z.string(), value: z.number().nullable(), target: z.string().optional(), ok: z.boolean().nullable().optional() })),
  }),
  z.object({
    type: z.literal('table'),
    title: z.string().optional(),
    columns: z.array(z.object({ key: z.string(), label: z.string(), align: z.enum(['left', 'right', 'center']).optional() })),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
    note: z.string().optional(),
  }),
  z.object({
    type: z.literal('chart'),
    title: z.string(),
    chart: z.object({
      kind: z.enum(['line', 'bar', 'pie']),
      categories: z.array(z.string()),
      series: z.array(z.object({ name: z.string(), data: z.array(z.number().nullable()) })),
      unit: z.string().optional(),
      marks: z.array(z.object({ label: z.string(), value: z.number() })).optional(),
      stacked: z.boolean().optional(),
    }),
  }),
]);

export const sectionOut = z.object({
  key: z.string(),
  kind: z.enum(['cover', 'narrative', 'data']),
  title: z.string(),
  hidden: z.boolean(),
  /** The section's module is not enabled: it prints 本期无相关记录（该模块尚未启用）. */
  unavailable: z.boolean(),
  blocks: z.array(block),
  /** The PM's text of a narrative section (null: not written yet). */
  narrative: z.string().nullable(),
});

const fileOut = z.object({ sha256: z.string(), size: z.number() }).nullable();
export const versionOut = z.object({
  seq: z.number(),
  generatedAt: z.string(),
  note: z.string().nullable(),
  issuedAt: z.string().nullable(),
  issuedBy: z.string().nullable(),
  /** The files as issued (kept for the record; `…/{format}?as=issued`). */
  files: z.object({ pdf: fileOut, docx: fileOut, xlsx: fileOut }),
  /** Once the customer signed it off or returned it: the files rendered again with the answer, what a download gives from then on. */
  answer: z
    .object({
      state: z.enum(['signed', 'returned']),
      at: z.string(),
      files: z.object({ pdf: fileOut, docx: fileOut, xlsx: fileOut }),
    })
    .nullable(),
});

const person = z.object({ id: z.number(), name: z.string() }).nullable();

export const reportOut = z.object({
  id: z.number(),
  number: z.string(),
  type: z.enum(REPORT_TYPE_CODES),
  typeName: z.string(),
  title: z.string(),
  contractId: z.number(),
  customerId: z.number(),
  customerName: z.string(),
  contractName: z.string(),
  period: z.string(),
  periodLabel: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  timeZone: z.string(),
  state: z.enum(REPORT_STATES),
  dueOn: z.string(),
  overdue: z.boolean(),
  daysLeft: z.number(),
  /** Issued (first) before the end of the due day; null while not issued. */
  onTime: z.boolean().nullable(),
  /** The version shown (customers: the latest issued one). */
  seq: z.number(),
  /** Send it back with every change (optimistic concurrency; a stale one is a 409). */
  version: z.number(),
  reviewRequired: z.boolean(),
  preparedBy: person,
  reviewedBy: person,
  reviewComment: z.string().nullable(),
  submittedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  issuedAt: z.string().nullable(),
  firstIssuedAt: z.string().nullable(),
  signedAt: z.string().nullable(),
  signerName: z.string().nullable(),
  returnedAt: z.string().nullable(),
  customerComment: z.string().nullable(),
  generatedAt: z.string(),
  sections: z.array(sectionOut),
  versions: z.array(versionOut),
  allowedActions: z.array(z.enum(REPORT_ACTIONS)),
});
export type ReportOut = z.infer<typeof reportOut>;

export const generateBody = z.strictObject({
  contractId: id,
  type: z.enum(REPORT_TYPE_CODES),
  /** '2026-11' (monthly), '2026-Q4' (quarterly), '2026' (annual). */
  period: z.string().trim().max(10),
});

export const versionBody = z.strictObject({ version: z.number().int().positive() });

export const issueBody = z.strictObject({
  version: z.number().int().positive(),
  /** Who is told (the customer's users); left out: the plan's recipients, else the customer's administrators. */
  recipients: z.array(id).min(1).max(50).optional(),
});

export const recipientsOut = z.object({
  customerId: z.number(),
  customerName: z.string(),
  candidates: z.array(z.object({ id: z.number(), name: z.string(), email: z.string().nullable(), admin: z.boolean() })),
  selected: z.array(z.number()),
  source: z.enum(['plan', 'admins']),
});

export const narrativesBody = z.strictObject({
  version: z.number().int().positive(),
  /** Section key → text; null or empty clears it. Only narrative sections. */
  narratives: z.record(z.string().max(60), optionalText(20_000)),
});

export const reviewBody = z.strictObject({
  version: z.number().int().positive(),
  approve: z.boolean(),
  reviewComment: optionalText(2000),
});

export const signoffBody = z.strictObject({
  version: z.number().int().positive(),
  signerName: text(50),
  opinion: optionalText(2000),
});

export const returnBody = z.strictObject({
  version: z.number().int().positive(),
  signerName: text(50),
  opinion: text(2000),
});

export const newVersionBody = z.strictObject({ version: z.number().int().positive(), note: optionalText(500) });

export const fileParams = z.object({ id, seq: z.coerce.number().int().min(1).max(10_000), format: z.enum(REPORT_FORMATS) });
/** `as=issued`: the bytes as issued, even after the customer answered (the default is the answered rendering when there is one). */
export const fileQuery = z.object({ as: z.enum(['current', 'issued']).default('current') });

export const listQuery = z.object({
  customerId: id.optional(),
  contractId: id.optional(),
  type: z.enum(REPORT_TYPE_CODES).optional(),
  state: z.enum(REPORT_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const reportListItem = reportOut.pick({
  id: true,
  number: true,
  type: true,
  typeName: true,
  title: true,
  contractId: true,
  customerId: true,
  customerName: true,
  period: true,
  periodLabel: true,
  state: true,
  dueOn: true,
  overdue: true,
  onTime: true,
  seq: true,
  issuedAt: true,
  signedAt: true,
});

export const boardQuery = z.object({
  from: localDate.optional(),
  to: localDate.optional(),
  customerId: id.optional(),
  state: z.enum(REPORT_STATES).optional(),
});

export const boardItem = z.object({
  /** null while not started (no report generated yet). */
  id: z.number().nullable(),
  number: z.string().nullable(),
  contractId: z.number(),
  contractCode: z.string(),
  contractName: z.string(),
  customerId: z.number(),
  customerName: z.string(),
  projectManagerId: z.number().nullable(),
  type: z.enum(REPORT_TYPE_CODES),
  typeName: z.string(),
  period: z.string(),
  periodLabel: z.string(),
  /** The period has ended (a report can be generated). */
  periodEnded: z.boolean(),
  state: z.enum(REPORT_STATES),
  dueOn: z.string(),
  daysLeft: z.number(),
  overdue: z.boolean(),
  onTime: z.boolean().nullable(),
  issuedAt: z.string().nullable(),
});
export const boardOut = z.object({ from: z.string(), to: z.string(), items: z.array(boardItem), truncated: z.boolean() });
export type BoardItem = z.infer<typeof boardItem>;

// ------------------------------------------------------------ plans and letterhead

const layoutEntry = z.strictObject({ key: z.string().max(60), hidden: z.boolean().optional(), title: z.string().trim().max(100).optional() });
export const planBody = z.strictObject({
  /** 0 when the contract has no stored plan yet (it uses the defaults). */
  version: z.number().int().min(0),
  types: z.array(z.enum(REPORT_TYPE_CODES)).max(20),
  layouts: z.partialRecord(z.enum(REPORT_TYPE_CODES), z.array(layoutEntry).max(40)).default({}),
  reviewRequired: z.boolean().default(false),
  reviewerId: id.nullable().default(null),
  recipients: z.array(id).max(50).default([]),
});
export type PlanBody = z.infer<typeof planBody>;

export const planOut = z.object({
  contractId: z.number(),
  customerId: z.number(),
  /** False: the defaults (no plan stored). */
  stored: z.boolean(),
  version: z.number(),
  types: z.array(z.enum(REPORT_TYPE_CODES)),
  layouts: z.record(z.string(), z.array(z.object({ key: z.string(), hidden: z.boolean().optional(), title: z.string().optional() }))),
  reviewRequired: z.boolean(),
  reviewerId: z.number().nullable(),
  recipients: z.array(z.number()),
  /** Every report type with its sections as they resolve for this contract (for the editor). */
  catalogue: z.array(
    z.object({
      type: z.enum(REPORT_TYPE_CODES),
      name: z.string(),
      cadence: z.enum(['month', 'quarter', 'year']),
      due: z.string(),
      req: z.string(),
      owed: z.boolean(),
      sections: z.array(sectionOut.pick({ key: true, kind: true, title: true, hidden: true, unavailable: true })),
    }),
  ),
});

export const letterheadOut = z.object({ text: z.string(), hasLogo: z.boolean(), logoSha256: z.string().nullable(), logoMime: z.string().nullable(), logoDataUrl: z.string().nullable() });
export const letterheadBody = z.strictObject({ letterheadText: z.string().trim().max(500) });
