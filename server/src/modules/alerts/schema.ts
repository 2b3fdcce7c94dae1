import { z } from 'zod';
import { DEFAULT_SEVERITY_MAP, normaliseSeverity, OTHER_SEVERITIES } from '../../core/alerts.js';
import { id, optionalText, text } from '../../platform/http/zod.js';

/** The alerts module's contracts at the edge (shared with the web client). */

export const ALERT_FORMATS = ['alertmanager', 'zabbix', 'generic'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
export const ALERT_STATUSES = ['firing', 'resolved'] as const;
/**
 * What was done about a received alert: a ticket opened (`created`), a note written on its open
 * ticket (`noted`: a repeat after the note interval, firing again, recovered), a repeat only
 * counted (`deduplicated`), its ticket resolved (`resolved`, auto-resolve), nothing to do
 * (`ignored`: a recovery without an open ticket), a ticket that could not be opened or noted
 * (`failed`, with the reason), or the whole post refused (`rejected`: a bad payload).
 */
export const ALERT_OUTCOMES = ['created', 'noted', 'deduplicated', 'resolved', 'ignored', 'failed', 'rejected'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

const ref = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const version = z.number().int().positive();
const levelCode = z.string().trim().min(1).max(40);
const levels = z.strictObject({ impact: levelCode, urgency: levelCode });

/** Severity → impact × urgency; keys are normalised (`Not classified` → `not_classified`), `*` = any other. */
const severityMap = z
  .record(z.string().max(40), levels)
  .superRefine((m, ctx) => {
    const keys = Object.keys(m);
    if (keys.length > 50) ctx.addIssue({ code: 'custom', params: { code: 'tooMany', max: 50 } });
    const seen = new Set<string>();
    for (const k of keys) {
      const n = k === OTHER_SEVERITIES ? k : normaliseSeverity(k);
      if (!n) ctx.addIssue({ code: 'custom', path: [k], params: { code: 'alerts.severityBlank' } });
      else if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [k], params: { code: 'alerts.severityDuplicate', value: n } });
      seen.add(n);
    }
  })
  .transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k === OTHER_SEVERITIES ? k : normaliseSeverity(k), v])));

const repeatNoteMinutes = z.number().int().min(1).max(10_080);
const locale = z.enum(['zh-CN', 'en-US']);

export const sourceCreate = z.strictObject({
  customerId: ref,
  name: text(100),
  format: z.enum(ALERT_FORMATS),
  /** Who the tickets are reported by (the customer's contact, e.g. its duty desk). */
  contactId: ref,
  siteId: ref.nullish(),
  service: optionalText(100),
  category: optionalText(100),
  severityMap: severityMap.default(DEFAULT_SEVERITY_MAP),
  /** Resolve the ticket when the alert recovers (default off: the engineer confirms). */
  autoResolve: z.boolean().default(false),
  /** A repeat of a firing alert adds a note at most this often (minutes). */
  repeatNoteMinutes: repeatNoteMinutes.default(60),
  /** Language of the tickets' descriptions and notes. */
  locale: locale.default('zh-CN'),
  enabled: z.boolean().default(true),
});
export type SourceCreate = z.output<typeof sourceCreate>;

export const sourcePatch = z.strictObject({
  version,
  name: text(100).optional(),
  format: z.enum(ALERT_FORMATS).optional(),
  contactId: ref.optional(),
  siteId: ref.nullable().optional(),
  service: optionalText(100).optional(),
  category: optionalText(100).optional(),
  severityMap: severityMap.optional(),
  autoResolve: z.boolean().optional(),
  repeatNoteMinutes: repeatNoteMinutes.optional(),
  locale: locale.optional(),
  enabled: z.boolean().optional(),
});
export type SourcePatch = z.output<typeof sourcePatch>;

export const rotateBody = z.strictObject({ version: version.optional() }).default({});

export const sourceListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  customerId: id.optional(),
  q: z.string().trim().max(100).optional(),
});
export type SourceListQuery = z.output<typeof sourceListQuery>;

export const alertLogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  sourceId: id.optional(),
  customerId: id.optional(),
  outcome: z.enum(ALERT_OUTCOMES).optional(),
  ticketId: id.optional(),
});
export type AlertLogQuery = z.output<typeof alertLogQuery>;

export const intakeParams = z.object({ sourceId: id });
export const intakeQuery = z.object({ token: z.string().max(500).optional() });

// ---------------------------------------------------------------- responses

export const sourceOut = z.object({
  id: z.number(),
  customerId: z.number(),
  customerName: z.string().nullable(),
  name: z.string(),
  format: z.enum(ALERT_FORMATS),
  /** The token's last 4 characters (the token itself is shown once, at creation and rotation). */
  tokenHint: z.string(),
  /** Where the monitoring system posts (path; prefix it with the server's address). */
  intakePath: z.string(),
  enabled: z.boolean(),
  autoResolve: z.boolean(),
  contactId: z.number().nullable(),
  contactName: z.string().nullable(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  service: z.string().nullable(),
  category: z.string().nullable(),
  severityMap: z.record(z.string(), z.object({ impact: z.string(), urgency: z.string() })),
  repeatNoteMinutes: z.number(),
  locale,
  lastAlertAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export type SourceOut = z.input<typeof sourceOut>;

export const sourceWithToken = sourceOut.extend({
  /** The secret token: shown this once, only its hash is kept. */
  token: z.string(),
});
export type SourceWithToken = z.input<typeof sourceWithToken>;

export const alertLogOut = z.object({
  id: z.number(),
  sourceId: z.number(),
  sourceName: z.string().nullable(),
  customerId: z.number(),
  receivedAt: z.string(),
  fingerprint: z.string().nullable(),
  status: z.enum(ALERT_STATUSES).nullable(),
  severity: z.string().nullable(),
  title: z.string().nullable(),
  outcome: z.enum(ALERT_OUTCOMES),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
  message: z.string().nullable(),
  /** The alert as received (JSON, clipped). */
  payload: z.string(),
});
export type AlertLogOut = z.input<typeof alertLogOut>;

export const intakeResult = z.object({
  fingerprint: z.string(),
  status: z.enum(ALERT_STATUSES),
  outcome: z.enum(ALERT_OUTCOMES),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
  message: z.string().nullable(),
});

export const intakeOut = z.object({
  received: z.number(),
  /** Count per outcome. */
  outcomes: z.record(z.string(), z.number()),
  results: z.array(intakeResult),
});
export type IntakeOut = z.input<typeof intakeOut>;
