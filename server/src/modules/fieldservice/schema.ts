import { z } from 'zod';
import { instant, optionalText, text } from '../../platform/http/zod.js';

/** The repair service reports' contracts at the edge (shared with the web client). */

export const REPORT_STATES = ['draft', 'signed'] as const;
export type ReportState = (typeof REPORT_STATES)[number];
/** 修复 / 临时恢复 / 未修复 */
export const REPAIR_RESULTS = ['fixed', 'temporary', 'not_fixed'] as const;
export type RepairResult = (typeof REPAIR_RESULTS)[number];
/** Where the customer signed: in the portal, on the engineer's device on site, or on paper (scan uploaded). */
export const SIGNED_VIA = ['portal', 'onsite', 'paper'] as const;
export type SignedVia = (typeof SIGNED_VIA)[number];

export const REPORT_TEXT_MAX = 10_000;
export const MAX_PARTS = 50;

const version = z.number().int().positive();

export const partUsed = z.strictObject({
  name: text(100),
  model: optionalText(100),
  quantity: z.number().int().min(1).max(9999),
  serial: optionalText(100),
});
export type PartUsed = z.output<typeof partUsed>;

export const reportPatch = z.strictObject({
  version,
  siteName: optionalText(200).optional(),
  contactName: optionalText(100).optional(),
  contactPhone: optionalText(50).optional(),
  fault: optionalText(REPORT_TEXT_MAX).optional(),
  diagnosis: optionalText(REPORT_TEXT_MAX).optional(),
  cause: optionalText(REPORT_TEXT_MAX).optional(),
  actions: optionalText(REPORT_TEXT_MAX).optional(),
  partsUsed: z.array(partUsed).max(MAX_PARTS).optional(),
  startedAt: instant.nullable().optional(),
  finishedAt: instant.nullable().optional(),
  result: z.enum(REPAIR_RESULTS).nullable().optional(),
  customerOpinion: optionalText(2000).optional(),
});
export type ReportPatch = z.output<typeof reportPatch>;

/** The signature arrives as a data URL; the service checks it is a real PNG of sensible size. */
export const signBody = z.strictObject({
  version,
  signerName: text(50),
  signaturePng: z.string(),
  customerOpinion: optionalText(2000).optional(),
});
export type SignBody = z.output<typeof signBody>;

export const reportOut = z.object({
  id: z.number(),
  ticketId: z.number(),
  /** The ticket's number with -R1. */
  number: z.string(),
  state: z.enum(REPORT_STATES),
  customerId: z.number(),
  customerName: z.string(),
  siteName: z.string().nullable(),
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  reportedAt: z.string(),
  /** The customer's IANA zone: show and enter the report's times in it. */
  timeZone: z.string(),
  fault: z.string().nullable(),
  diagnosis: z.string().nullable(),
  cause: z.string().nullable(),
  actions: z.string().nullable(),
  partsUsed: z.array(z.object({ name: z.string(), model: z.string().nullable(), quantity: z.number(), serial: z.string().nullable() })),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  engineerId: z.number().nullable(),
  engineerName: z.string().nullable(),
  result: z.enum(REPAIR_RESULTS).nullable(),
  customerOpinion: z.string().nullable(),
  signerName: z.string().nullable(),
  signedAt: z.string().nullable(),
  signedVia: z.enum(SIGNED_VIA).nullable(),
  signedOnPaper: z.boolean(),
  /** The on-screen signature as a PNG data URL (signed reports). */
  signaturePng: z.string().nullable(),
  /** The scan of the paper form (signed on paper). */
  scan: z.object({ name: z.string(), mime: z.string(), size: z.number() }).nullable(),
  /** sha256 of the PDF stored at the signing (what GET …/pdf serves from then on). */
  pdfSha256: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** What the caller may do now: edit, sign (on screen), sign_paper. */
  allowedActions: z.array(z.enum(['edit', 'sign', 'sign_paper'])),
});
export type ReportOut = z.input<typeof reportOut>;
