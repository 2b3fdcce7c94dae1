import { z } from 'zod';
import { OLA_TARGETS } from '../../core/sla/ola.js';
import { SLA_METRICS } from '../../core/sla/types.js';
import { TICKET_ACTIONS, TICKET_STATES } from '../../core/tickets/lifecycle.js';
import { id, instant, optionalText, text } from '../../platform/http/zod.js';
import { phone as contactPhone } from '../organisation/schema.js';

/** The tickets module's contracts at the edge (shared with the web client). */

export const TICKET_KINDS = ['incident', 'request', 'consultation', 'complaint'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
/** Number prefixes: INC-2026-000123, REQ-…, CON-…, CMP-…. */
export const KIND_PREFIX: Record<TicketKind, string> = { incident: 'INC', request: 'REQ', consultation: 'CON', complaint: 'CMP' };

export const CHANNELS = ['phone', 'portal', 'email', 'api', 'monitoring', 'onsite'] as const;
export type Channel = (typeof CHANNELS)[number];
export const VISIBILITIES = ['public', 'internal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const WORKLOG_MODES = ['phone', 'remote', 'onsite'] as const;
/** What the engineer does (the API's verbs) and what the timeline records. */
export const VISIT_ACTIONS = ['depart', 'arrive', 'leave'] as const;
export const VISIT_EVENTS = { depart: 'departed', arrive: 'arrived', leave: 'left' } as const;
export const SLA_STATUSES = ['ok', 'warning', 'breached', 'paused', 'none'] as const;
export type SlaStatus = (typeof SLA_STATUSES)[number];
/** Links are stored in both directions; each kind has its inverse. */
export const LINK_INVERSE = {
  related: 'related',
  duplicates: 'duplicated_by',
  duplicated_by: 'duplicates',
  caused_by: 'causes',
  causes: 'caused_by',
  parent_of: 'child_of',
  child_of: 'parent_of',
  /** A complaint ticket about the ticket it points to, and back. */
  complaint_about: 'complaint',
  complaint: 'complaint_about',
} as const;
export type LinkKind = keyof typeof LINK_INVERSE;
const LINK_KINDS = Object.keys(LINK_INVERSE) as [LinkKind, ...LinkKind[]];

export const TITLE_MAX = 200;
export const TEXT_MAX = 20_000;

const ref = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const version = z.number().int().positive();

/** Ticket titles get messages of their own: the shared field label `title` is a contact's job title (职务). */
const ticketTitle = z
  .string()
  .transform((s) => s.trim())
  .superRefine((s, ctx) => {
    if (!s) ctx.addIssue({ code: 'custom', params: { code: 'tickets.title.required' } });
    else if (s.length > TITLE_MAX) ctx.addIssue({ code: 'custom', params: { code: 'tickets.title.tooLong', max: TITLE_MAX } });
  });

/** Long text stored exactly as typed (never trimmed or rendered here); blank is refused. */
function typedText(max = TEXT_MAX) {
  return z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, { params: { code: 'tickets.text.blank' } });
}

/** Matrix codes: validated against the contract's matrix by the service. */
const levelCode = z.string().trim().min(1).max(40);

/** A caller's number as the contacts take it (digits, +, - and spaces; blank: none). */
const callerPhone = contactPhone;

export const ticketCreate = z.strictObject({
  customerId: ref,
  /** Who reported. Customer staff may leave it out: their own linked contact (users.contact_id). */
  contactId: ref.optional(),
  /**
   * A caller who is not a contact yet (provider staff, instead of contactId): added to the
   * customer's contacts with the ticket, at the ticket's site; both are created or neither.
   */
  newContact: z.strictObject({ name: text(100), phone: callerPhone, mobile: callerPhone.optional() }).optional(),
  /** A caller logged by name and number only (provider staff, instead of contactId): kept on the ticket, no contact made. */
  callerName: optionalText(100).optional(),
  callerPhone: callerPhone.optional(),
  kind: z.enum(TICKET_KINDS),
  title: ticketTitle,
  description: typedText(),
  impact: levelCode,
  urgency: levelCode,
  /** When the customer reported (the desk may log a call afterwards): the SLA clocks start here. */
  reportedAt: instant,
  siteId: ref.nullish(),
  service: optionalText(100),
  category: optionalText(100),
  channel: z.enum(CHANNELS).optional(),
  /** Default: the customer's contract in force at reportedAt. */
  contractId: ref.optional(),
  teamId: ref.nullish(),
  assigneeId: ref.nullish(),
  /** The affected CIs (docs/CMDB.md): CIs of the ticket's customer, named in the ticket's transaction. */
  ciIds: z.array(ref).max(50).optional(),
});
export type TicketCreate = z.output<typeof ticketCreate>;

export const ticketPatch = z.strictObject({
  version,
  impact: levelCode.optional(),
  urgency: levelCode.optional(),
  title: ticketTitle.optional(),
  description: typedText().optional(),
  service: optionalText(100).optional(),
  category: optionalText(100).optional(),
  siteId: ref.nullable().optional(),
});
export type TicketPatch = z.output<typeof ticketPatch>;

export const actionParams = z.object({ id, action: z.enum(TICKET_ACTIONS) });
/** One body for every action; each action reads the fields it needs (docs/TICKETS.md). */
export const actionBody = z
  .strictObject({
    /** The version read; when given, a stale one is a 409. */
    version: version.optional(),
    reason: optionalText(2000),
    resolution: z.string().max(TEXT_MAX).optional(),
    teamId: ref.nullish(),
    assigneeId: ref.nullish(),
    /** diagnose: the cause found (required) and whether it was found remotely (REQ T6). */
    result: optionalText(2000).optional(),
    remote: z.boolean().optional(),
  })
  .default({ reason: null });
export type ActionBody = z.output<typeof actionBody>;

export const confirmBody = z.strictObject({ version: version.optional() }).default({});
export const rejectBody = z.strictObject({ reason: text(2000), version: version.optional() });

export const replyBody = z.strictObject({
  body: typedText(),
  visibility: z.enum(VISIBILITIES).default('public'),
  mentions: z.array(ref).max(20).default([]),
});
export type ReplyBody = z.output<typeof replyBody>;

export const worklogBody = z.strictObject({
  minutes: z.number().int().min(1).max(1440),
  mode: z.enum(WORKLOG_MODES),
  note: optionalText(TEXT_MAX),
  /** When the work was done (default now). */
  at: instant.optional(),
});
export type WorklogBody = z.output<typeof worklogBody>;

export const visitBody = z.strictObject({
  event: z.enum(VISIT_ACTIONS),
  /** When it happened (default now): an engineer may check in after the fact. */
  at: instant.optional(),
  result: optionalText(TEXT_MAX),
});
export type VisitBody = z.output<typeof visitBody>;

export const linkBody = z.strictObject({ otherId: ref, kind: z.enum(LINK_KINDS).default('related') });
export const linkParams = z.object({ id, otherId: id });
export const fileParams = z.object({ id, fileId: id });

export const bulkAssignBody = z.strictObject({
  ids: z.array(ref).min(1).max(200),
  teamId: ref.nullish(),
  assigneeId: ref.nullish(),
});

export const ESCALATION_KINDS = ['functional', 'hierarchical'] as const;
/**
 * Escalation by hand (REQ §2.2). Functional: to another team or person (`toTeamId`, `toUserId`;
 * neither: the second line serving the customer), or to a vendor (`vendor`, with `waitVendor` to
 * wait for it). Hierarchical: tells the contract's project manager and/or `toUserId` (a manager).
 */
export const escalateBody = z.strictObject({
  kind: z.enum(ESCALATION_KINDS),
  reason: text(2000),
  toTeamId: ref.nullish(),
  toUserId: ref.nullish(),
  vendor: optionalText(100),
  waitVendor: z.boolean().default(false),
  version: version.optional(),
});
export type EscalateBody = z.output<typeof escalateBody>;

export const ratingBody = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: optionalText(2000),
});
export type RatingBody = z.output<typeof ratingBody>;

export const complaintBody = z.strictObject({ text: typedText() });

/** `state=new&state=assigned` or `state=new,assigned`. */
function multi<T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean)),
    z.array(z.enum(values)).max(values.length).optional(),
  );
}

export const LIST_SORTS = ['sla', '-reported'] as const;
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  /** A ticket number (exact, or its beginning: INC-2026-00), else full text (Chinese-aware; title, description, replies, resolution, number; internal notes for staff). */
  q: z.string().trim().max(100).optional(),
  customerId: id.optional(),
  state: multi(TICKET_STATES),
  kind: z.enum(TICKET_KINDS).optional(),
  priority: z.string().trim().min(1).max(40).optional(),
  teamId: id.optional(),
  assigneeId: id.optional(),
  mine: z.literal('true').optional(),
  /** reporter=me: tickets the caller logged himself or is the contact of (his linked contact; the portal's "我的工单"). */
  reporter: z.literal('me').optional(),
  team: z.literal('mine').optional(),
  unassigned: z.literal('true').optional(),
  breachingWithinMinutes: z.coerce.number().int().min(0).max(10_080).optional(),
  /** contract=mine: tickets on the contracts the caller is the project manager of. */
  contract: z.literal('mine').optional(),
  /** The SLA summary (breached: a clock was breached, whether or not the ticket is still open). */
  slaStatus: z.enum(SLA_STATUSES).optional(),
  /** Rated by the customer at this score or lower (1–5). */
  ratingAtMost: z.coerce.number().int().min(1).max(5).optional(),
  reportedFrom: instant.optional(),
  reportedTo: instant.optional(),
  sort: z.enum(LIST_SORTS).default('-reported'),
});
export type ListQuery = z.output<typeof listQuery>;

// ---------------------------------------------------------------- responses

const targetOut = z.object({ amount: z.number(), unit: z.enum(['minutes', 'hours', 'workdays']) });
export const slaClockOut = z.object({
  metric: z.enum(SLA_METRICS),
  /** `pending`: the clock waits for its start event (on site counted from the diagnosis, 待确诊后计时). */
  state: z.enum(['running', 'paused', 'pending', 'met', 'breached']),
  /** The due instant; null while paused or pending (no deadline runs). For a breached clock, when it was breached, or — after the priority was lowered or the rules changed — the new due instant beside the breach that stays. */
  dueAt: z.string().nullable(),
  /** Working minutes left on the contract calendar (negative: overdue), as of the request. */
  remainingMinutes: z.number(),
  priority: z.string(),
  targetMinutes: z.number(),
  /** The policy's target as written (5 workdays), when the contract's policy still has it; the latest of a two-stage target. */
  target: targetOut.nullable(),
  metAt: z.string().nullable(),
  pausedReason: z.string().nullable(),
  /** When the breach happened (recorded breaches stay, REQ #83); null when not breached. */
  breachedAt: z.string().nullable(),
  /** Two-stage targets ("usually within 1 h, at the latest 3 h"): the usual target; missing it is a warning (目标未达成), the breach is at `target`. */
  goal: z
    .object({
      state: z.enum(['running', 'paused', 'pending', 'met', 'missed', 'cancelled']),
      dueAt: z.string().nullable(),
      targetMinutes: z.number(),
      target: targetOut.nullable(),
      missedAt: z.string().nullable(),
    })
    .nullable(),
});

export const timelineEventOut = z.object({
  id: z.number(),
  at: z.string(),
  type: z.string(),
  actorId: z.number().nullable(),
  actorName: z.string().nullable(),
  visibility: z.enum(VISIBILITIES),
  data: z.record(z.string(), z.unknown()),
});

export const olaClockOut = z.object({
  target: z.enum(OLA_TARGETS),
  state: z.enum(['running', 'met', 'breached']),
  startedAt: z.string(),
  dueAt: z.string(),
  /** Minutes left as of the request (running), or at the meeting; negative when late. */
  remainingMinutes: z.number(),
  metAt: z.string().nullable(),
});

export const ratingOut = z.object({
  score: z.number(),
  comment: z.string().nullable(),
  /** Null: a contact without a user account rated through the link in the resolution mail. */
  ratedBy: z.number().nullable(),
  ratedByName: z.string().nullable(),
  ratedAt: z.string(),
});
export type RatingOut = z.input<typeof ratingOut>;

export const linkOut = z.object({ otherId: z.number(), number: z.string(), title: z.string(), state: z.string(), kind: z.string() });
export const attachmentOut = z.object({ id: z.number(), eventId: z.number().nullable(), name: z.string(), mime: z.string(), size: z.number(), createdAt: z.string() });

const ticketBase = {
  id: z.number(),
  number: z.string(),
  kind: z.enum(TICKET_KINDS),
  title: z.string(),
  state: z.enum(TICKET_STATES),
  priority: z.string(),
  priorityRank: z.number(),
  customerId: z.number(),
  customerName: z.string().nullable(),
  /** Null when the caller was logged by name and number only (callerName, callerPhone). */
  contactId: z.number().nullable(),
  contactName: z.string().nullable(),
  callerName: z.string().nullable(),
  callerPhone: z.string().nullable(),
  teamId: z.number().nullable(),
  teamName: z.string().nullable(),
  assigneeId: z.number().nullable(),
  assigneeName: z.string().nullable(),
  channel: z.enum(CHANNELS),
  reportedAt: z.string(),
  updatedAt: z.string(),
  slaDueAt: z.string().nullable(),
  slaStatus: z.enum(SLA_STATUSES),
  version: z.number(),
};

export const ticketListItemOut = z.object(ticketBase);

export const ticketOut = z.object({
  ...ticketBase,
  /** The level's name in the contract's matrix (e.g. 紧急服务). */
  priorityName: z.string().nullable(),
  contractId: z.number(),
  contractName: z.string().nullable(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  service: z.string().nullable(),
  category: z.string().nullable(),
  impact: z.string(),
  urgency: z.string(),
  description: z.string(),
  resolution: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.number().nullable(),
  respondedAt: z.string().nullable(),
  onsiteAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  sla: z.array(slaClockOut),
  /**
   * How the customer consented to the closing (REQ #35, #36; null unless closed): `confirmed`
   * (emailLink: through the mail's link), `no_objection` (none within `workdays` working days of
   * the resolution mail sent at `mailSentAt`, null when none went out), or `provider` (closed by
   * the provider with `reason`, which the contact was told by mail).
   */
  closure: z
    .object({
      consent: z.enum(['confirmed', 'no_objection', 'provider']),
      closedAt: z.string().nullable(),
      reason: z.string().nullable(),
      mailSentAt: z.string().nullable(),
      workdays: z.number().nullable(),
      emailLink: z.object({ contactId: z.number(), name: z.string() }).nullable(),
    })
    .nullable(),
  /** The service desk's own time limits (REQ T11); provider staff only (empty for a customer's staff). */
  ola: z.array(olaClockOut),
  /** The customer's satisfaction rating, once given. */
  rating: ratingOut.nullable(),
  allowedActions: z.array(z.string()),
  timeline: z.array(timelineEventOut),
  links: z.array(linkOut),
  attachments: z.array(attachmentOut),
});
export type TicketOut = z.input<typeof ticketOut>;
export type TicketListItemOut = z.input<typeof ticketListItemOut>;

// ---------------------------------------------------------------- dispatch rules

/** Criteria left out (null) match anything; codes are compared exactly. */
const criteria = {
  customerId: ref.nullish(),
  service: optionalText(100),
  category: optionalText(100),
  priority: optionalText(40),
  kind: z.enum(TICKET_KINDS).nullish(),
};

export const dispatchRuleCreate = z.strictObject({
  name: text(100),
  ...criteria,
  teamId: ref,
  enabled: z.boolean().default(true),
  /** The rule's place in the order, from 1 (the rules after it move down); default: last. */
  position: z.number().int().min(1).max(100_000).optional(),
});
export type DispatchRuleCreate = z.output<typeof dispatchRuleCreate>;

export const dispatchRulePatch = z.strictObject({
  version,
  name: text(100).optional(),
  customerId: ref.nullable().optional(),
  service: optionalText(100).optional(),
  category: optionalText(100).optional(),
  priority: optionalText(40).optional(),
  kind: z.enum(TICKET_KINDS).nullable().optional(),
  teamId: ref.optional(),
  enabled: z.boolean().optional(),
});
export type DispatchRulePatch = z.output<typeof dispatchRulePatch>;

/** Every rule the caller may manage, in the new order. */
export const dispatchReorderBody = z.strictObject({ ids: z.array(ref).min(1).max(1000) });

export const dispatchMatchQuery = z.object({
  customerId: id,
  kind: z.enum(TICKET_KINDS),
  service: z.string().trim().max(100).optional(),
  category: z.string().trim().max(100).optional(),
  priority: z.string().trim().max(40).optional(),
});

export const dispatchRuleOut = z.object({
  id: z.number(),
  position: z.number(),
  name: z.string(),
  customerId: z.number().nullable(),
  customerName: z.string().nullable(),
  service: z.string().nullable(),
  category: z.string().nullable(),
  priority: z.string().nullable(),
  kind: z.enum(TICKET_KINDS).nullable(),
  teamId: z.number(),
  teamName: z.string().nullable(),
  enabled: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DispatchRuleOut = z.input<typeof dispatchRuleOut>;

export const dispatchMatchOut = z.object({
  /** The rule that would take the ticket, or null (the fallback team). */
  ruleId: z.number().nullable(),
  ruleName: z.string().nullable(),
  teamId: z.number().nullable(),
  teamName: z.string().nullable(),
  /** True when the ticket would wait in the service desk's queue for someone to dispatch it. */
  queued: z.boolean(),
});
