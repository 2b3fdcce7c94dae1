import { z } from 'zod';
import { isLocalDate, isTimeZone, optionalText, pageQuery, text } from '../../platform/http/zod.js';

/**
 * The organisation module's contracts at the edge (shared with the web client): provider teams,
 * customers, their sites and contacts, and service contracts.
 */

export const TIERS = [1, 2, 3] as const; // 一级 / 二级 / 三级
export const SITE_KINDS = ['site', 'department'] as const;
export const TEAM_KINDS = ['desk', 'line1', 'line2', 'project', 'quality', 'other'] as const;
/** How a ticket dispatched to the team finds its assignee (modules/tickets: dispatch.ts); manual: it waits in the team's queue. */
export const ASSIGNMENTS = ['round_robin', 'least_loaded', 'manual'] as const;

/**
 * Service hours with a well-known calendar. Anything else is free text (≤ 40 characters, e.g.
 * "工作日 8:30–17:30") and the contract must then name its calendar.
 */
const DEFAULT_CALENDARS = new Map([
  ['7x24', '24x7'],
  ['5x8', 'cn-5x8'],
  ['5x8-cn', 'cn-5x8'],
]);
export function defaultCalendarFor(serviceHours: string): string | undefined {
  return DEFAULT_CALENDARS.get(serviceHours);
}
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const CODE_RE = /^[A-Za-z0-9_-]*$/;
const PHONE_RE = /^[0-9+\- ]{5,20}$/;

/** A record id in a body: a JSON number (ids in paths are coerced from text instead). */
export const ref = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const version = z.number().int().positive();

/** Customer codes appear in ticket numbers and file names, hence the narrow alphabet. */
export const customerCode = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1).max(32).refine((s) => CODE_RE.test(s), { params: { code: 'org.codeFormat' } }));

/** Stored in the canonical spelling (asia/shanghai → Asia/Shanghai) so equal zones compare equal. */
const timeZone = z
  .string()
  .refine(isTimeZone, { params: { code: 'timeZone' } })
  .transform((tz) => new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone);

/** Phone numbers are kept as typed; blank means none. */
export const phone = z
  .string()
  .max(100)
  .nullish()
  .transform((s) => s?.trim() || null)
  .pipe(z.string().refine((s) => PHONE_RE.test(s), { params: { code: 'org.phoneFormat' } }).nullable());

export const email = z
  .string()
  .max(254)
  .nullish()
  .transform((s) => s?.trim() || null)
  .pipe(z.email().nullable());

const localDate = z.string().refine(isLocalDate, { params: { code: 'date' } });
const calendarId = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1).max(64).refine((s) => CODE_RE.test(s), { params: { code: 'org.codeFormat' } }));
const services = z
  .array(text(100))
  .min(1)
  .max(50)
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((s, i) => {
      if (seen.has(s)) ctx.addIssue({ code: 'custom', path: [i], params: { code: 'org.duplicateItem', value: s } });
      seen.add(s);
    });
  });
const idSet = (max: number) => z.array(ref).max(max);

// ---- customers
export const customerCreate = z.strictObject({
  code: customerCode,
  name: text(100),
  tier: z.literal(TIERS),
  timeZone: timeZone.default(DEFAULT_TIME_ZONE),
  address: optionalText(200),
  notes: optionalText(2000),
});
export const customerPatch = z.strictObject({
  version,
  code: customerCode.optional(),
  name: text(100).optional(),
  tier: z.literal(TIERS).optional(),
  timeZone: timeZone.optional(),
  address: optionalText(200).optional(),
  notes: optionalText(2000).optional(),
});
export const customerListQuery = pageQuery.extend({
  /** Archived customers are hidden unless asked for; `true` lists them too. */
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export const customerOut = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  tier: z.number(),
  timeZone: z.string(),
  address: z.string().nullable(),
  notes: z.string().nullable(),
  archivedAt: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---- sites
export const siteCreate = z.strictObject({
  name: text(100),
  kind: z.enum(SITE_KINDS).default('site'),
  address: optionalText(200),
  parentId: ref.nullable().default(null),
});
export const sitePatch = z.strictObject({
  version,
  name: text(100).optional(),
  kind: z.enum(SITE_KINDS).optional(),
  address: optionalText(200).optional(),
  parentId: ref.nullable().optional(),
});
export const siteOut = z.object({
  id: z.number(),
  customerId: z.number(),
  name: z.string(),
  kind: z.enum(SITE_KINDS),
  address: z.string().nullable(),
  parentId: z.number().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---- contacts
export const contactCreate = z.strictObject({
  name: text(100),
  siteId: ref.nullable().default(null),
  phone,
  mobile: phone,
  email,
  title: optionalText(100),
  isVip: z.boolean().default(false),
  notes: optionalText(2000),
  /** Mail about the contact's tickets (acknowledgement, replies, resolution with a confirmation link). */
  emailNotify: z.boolean().default(true),
  /** Language of that mail; null: the linked user's, else zh-CN. */
  locale: z.enum(['zh-CN', 'en-US']).nullable().default(null),
});
export const contactPatch = z.strictObject({
  version,
  name: text(100).optional(),
  siteId: ref.nullable().optional(),
  phone: phone.optional(),
  mobile: phone.optional(),
  email: email.optional(),
  title: optionalText(100).optional(),
  isVip: z.boolean().optional(),
  notes: optionalText(2000).optional(),
  emailNotify: z.boolean().optional(),
  locale: z.enum(['zh-CN', 'en-US']).nullable().optional(),
});
export const contactOut = z.object({
  id: z.number(),
  customerId: z.number(),
  siteId: z.number().nullable(),
  name: z.string(),
  phone: z.string().nullable(),
  mobile: z.string().nullable(),
  email: z.string().nullable(),
  title: z.string().nullable(),
  isVip: z.boolean(),
  notes: z.string().nullable(),
  emailNotify: z.boolean(),
  locale: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const contactSearchQuery = z.object({ q: z.string().trim().min(1).max(100) });
export const contactSearchHit = contactOut.extend({
  customerName: z.string(),
  siteName: z.string().nullable(),
  /** Which key found the contact: name, pinyin, initials, phone (the number's beginning), tail (its last four digits), local (a landline without area code), site (its site or department). */
  matched: z.enum(['name', 'pinyin', 'initials', 'phone', 'tail', 'local', 'site']),
});
export const CONTACT_SEARCH_LIMIT = 20;

// ---- contracts
export const contractCreate = z.strictObject({
  code: text(50),
  name: text(100),
  startsOn: localDate,
  endsOn: localDate,
  services,
  serviceHours: text(40),
  /** Defaults from the service hours (5x8 → cn-5x8, 7x24 → 24x7); required for custom hours. */
  calendarId: calendarId.nullish(),
  projectManagerId: ref.nullable().default(null),
  notes: optionalText(2000),
});
export const contractPatch = z.strictObject({
  version,
  code: text(50).optional(),
  name: text(100).optional(),
  startsOn: localDate.optional(),
  endsOn: localDate.optional(),
  services: services.optional(),
  serviceHours: text(40).optional(),
  calendarId: calendarId.optional(),
  projectManagerId: ref.nullable().optional(),
  notes: optionalText(2000).optional(),
});
export const contractOut = z.object({
  id: z.number(),
  customerId: z.number(),
  code: z.string(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  services: z.array(z.string()),
  serviceHours: z.string(),
  calendarId: z.string(),
  projectManagerId: z.number().nullable(),
  /** Set through the SLA module (PUT /contracts/{id}/sla), which validates it. */
  slaPolicy: z.record(z.string(), z.unknown()).nullable(),
  notes: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

// ---- teams
export const teamCreate = z.strictObject({
  name: text(100),
  kind: z.enum(TEAM_KINDS),
  description: optionalText(500),
  assignment: z.enum(ASSIGNMENTS).default('round_robin'),
  /** The team's service hours (a calendar); null: 7×24. The desk's OLA clocks count on its desk team's (REQ T11). */
  calendarId: calendarId.nullable().default(null),
  memberIds: idSet(500).default([]),
  customerIds: idSet(10_000).default([]),
});
export const teamPatch = z.strictObject({
  version,
  name: text(100).optional(),
  kind: z.enum(TEAM_KINDS).optional(),
  description: optionalText(500).optional(),
  assignment: z.enum(ASSIGNMENTS).optional(),
  calendarId: calendarId.nullable().optional(),
  memberIds: idSet(500).optional(),
  customerIds: idSet(10_000).optional(),
});
export const teamOut = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.enum(TEAM_KINDS),
  description: z.string().nullable(),
  assignment: z.enum(ASSIGNMENTS),
  calendarId: z.string().nullable(),
  memberIds: z.array(z.number()),
  /** Only the customers within the caller's scope. */
  customerIds: z.array(z.number()),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type CustomerCreate = z.output<typeof customerCreate>;
export type CustomerPatch = z.output<typeof customerPatch>;
export type CustomerListQuery = z.output<typeof customerListQuery>;
export type SiteCreate = z.output<typeof siteCreate>;
export type SitePatch = z.output<typeof sitePatch>;
export type ContactCreate = z.output<typeof contactCreate>;
export type ContactPatch = z.output<typeof contactPatch>;
export type ContractCreate = z.output<typeof contractCreate>;
export type ContractPatch = z.output<typeof contractPatch>;
export type TeamCreate = z.output<typeof teamCreate>;
export type TeamPatch = z.output<typeof teamPatch>;
