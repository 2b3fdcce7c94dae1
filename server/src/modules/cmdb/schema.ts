import { z } from 'zod';
import { ATTRIBUTE_KINDS } from '../../core/cmdb/attributes.js';
import { CI_STATUSES, CRITICALITIES, RELATION_TYPES } from '../../core/cmdb/rules.js';
import { id, optionalText, text } from '../../platform/http/zod.js';

/** The CMDB's contracts at the edge (docs/CMDB.md). */

const version = z.number().int().positive();
const criticality = z.union(CRITICALITIES.map((c) => z.literal(c)) as unknown as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>]);
const attributeValue = z.union([z.string().max(5000), z.number(), z.boolean(), z.array(z.string().max(100)).max(64), z.null()]);

// ---------------------------------------------------------------- types

export const attributeDef = z.strictObject({
  key: z.string().trim().min(1).max(40),
  zh: text(50),
  en: text(80),
  kind: z.enum(ATTRIBUTE_KINDS),
  required: z.boolean().optional(),
  unit: optionalText(20).transform((v) => v ?? undefined),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  maxLength: z.number().int().min(1).max(5000).optional(),
  choices: z.array(text(100)).max(100).optional(),
  hint: optionalText(200).transform((v) => v ?? undefined),
});

export const typeCreate = z.strictObject({
  code: z.string().trim().min(1).max(40).refine((s) => /^[a-z][a-z0-9_]*$/.test(s), { params: { code: 'format' } }),
  nameZh: text(50),
  nameEn: text(80),
  icon: optionalText(40),
  attributes: z.array(attributeDef).max(60).default([]),
});
export type TypeCreate = z.output<typeof typeCreate>;

export const typePatch = z.strictObject({
  version,
  nameZh: text(50).optional(),
  nameEn: text(80).optional(),
  icon: optionalText(40).optional(),
  attributes: z.array(attributeDef).max(60).optional(),
  disabled: z.boolean().optional(),
});
export type TypePatch = z.output<typeof typePatch>;

export const typeOut = z.object({
  id: z.number(),
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  icon: z.string().nullable(),
  attributes: z.array(
    z.object({
      key: z.string(),
      zh: z.string(),
      en: z.string(),
      kind: z.enum(ATTRIBUTE_KINDS),
      required: z.boolean().optional(),
      unit: z.string().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      maxLength: z.number().optional(),
      choices: z.array(z.string()).optional(),
      hint: z.string().optional(),
    }),
  ),
  builtin: z.boolean(),
  disabled: z.boolean(),
  version: z.number(),
  updatedAt: z.string(),
});
export type TypeOut = z.input<typeof typeOut>;
export const typeListQuery = z.object({ includeDisabled: z.enum(['1', '0']).optional() });

// ---------------------------------------------------------------- CIs

const ipText = z.string().trim().max(64);
export const ciCreate = z.strictObject({
  customerId: id,
  siteId: id.nullish(),
  typeId: id,
  /** Unique in the installation; upper-cased. */
  code: z.string().trim().min(1).max(64),
  name: text(200),
  status: z.enum(CI_STATUSES).default('in_use'),
  criticality: criticality.default(3),
  ownerId: id.nullish(),
  ownerName: optionalText(100),
  brand: optionalText(100),
  model: optionalText(100),
  serial: optionalText(100),
  ip: ipText.nullish(),
  hostname: z.string().trim().max(255).nullish(),
  attributes: z.record(z.string().max(40), attributeValue).default({}),
  description: optionalText(5000),
});
export type CiCreate = z.output<typeof ciCreate>;

export const ciPatch = z.strictObject({
  version,
  siteId: id.nullish(),
  code: z.string().trim().min(1).max(64).optional(),
  name: text(200).optional(),
  status: z.enum(CI_STATUSES).optional(),
  criticality: criticality.optional(),
  ownerId: id.nullish(),
  ownerName: optionalText(100).optional(),
  brand: optionalText(100).optional(),
  model: optionalText(100).optional(),
  serial: optionalText(100).optional(),
  ip: ipText.nullish(),
  hostname: z.string().trim().max(255).nullish(),
  /** The attributes to change: a key with null removes the value; keys not sent stay. */
  attributes: z.record(z.string().max(40), attributeValue).optional(),
  description: optionalText(5000).optional(),
});
export type CiPatch = z.output<typeof ciPatch>;

export const retireBody = z.strictObject({ version, note: optionalText(500) });

export const ciListQuery = z.object({
  customerId: id.optional(),
  siteId: id.optional(),
  typeId: id.optional(),
  status: z.enum(CI_STATUSES).optional(),
  criticality: z.coerce.number().int().min(1).max(4).optional(),
  /** Code prefix, IP prefix, serial, or words of the name. */
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type CiListQuery = z.output<typeof ciListQuery>;

export const ciSummaryOut = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  customerId: z.number(),
  customerName: z.string(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  typeId: z.number(),
  typeCode: z.string(),
  typeName: z.string(),
  status: z.enum(CI_STATUSES),
  criticality: z.number(),
  ownerId: z.number().nullable(),
  ownerName: z.string().nullable(),
  brand: z.string().nullable(),
  model: z.string().nullable(),
  serial: z.string().nullable(),
  ip: z.string().nullable(),
  hostname: z.string().nullable(),
  version: z.number(),
  updatedAt: z.string(),
});
export type CiSummaryOut = z.input<typeof ciSummaryOut>;

export const ciOut = ciSummaryOut.extend({
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  description: z.string().nullable(),
  /** Every address of the CI (management IP and the IP attributes). */
  addresses: z.array(z.string()),
  createdAt: z.string(),
  /** What the caller may do: edit (cmdb.write, provider staff), manage (types). */
  canWrite: z.boolean(),
});
export type CiOut = z.input<typeof ciOut>;
export const ciPageOut = z.object({ items: z.array(ciSummaryOut), nextCursor: z.string().nullable() });

export const historyOut = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      actorId: z.number().nullable(),
      actorName: z.string(),
      action: z.string(),
      /** {field: [before, after]} for updates; the relation or event for the others. */
      changes: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(500).optional() });

// ---------------------------------------------------------------- relations

export const relationCreate = z.strictObject({
  type: z.enum(RELATION_TYPES),
  /** The other CI; `direction` says which end the path's CI is (default: it is the source). */
  targetId: id,
  direction: z.enum(['out', 'in']).default('out'),
  note: optionalText(500),
});
export type RelationCreate = z.output<typeof relationCreate>;

const ciRef = z.object({ id: z.number(), code: z.string(), name: z.string(), typeCode: z.string(), typeName: z.string(), status: z.enum(CI_STATUSES) });
export const relationOut = z.object({
  id: z.number(),
  type: z.enum(RELATION_TYPES),
  source: ciRef,
  target: ciRef,
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type RelationOut = z.input<typeof relationOut>;
export const relationsOut = z.object({ outgoing: z.array(relationOut), incoming: z.array(relationOut) });

// ---------------------------------------------------------------- impact

export const impactQuery = z.object({
  direction: z.enum(['up', 'down', 'both']).default('up'),
  depth: z.coerce.number().int().min(1).max(10).default(3),
  maxNodes: z.coerce.number().int().min(10).max(20_000).default(2000),
});
export const impactNodeOut = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  typeId: z.number(),
  typeCode: z.string(),
  typeName: z.string(),
  status: z.enum(CI_STATUSES),
  criticality: z.number(),
  customerId: z.number(),
  depth: z.number(),
  directions: z.array(z.enum(['up', 'down'])),
  openTickets: z.number(),
});
export const impactOut = z.object({
  root: z.number(),
  direction: z.enum(['up', 'down', 'both']),
  depth: z.number(),
  levels: z.number(),
  truncated: z.boolean(),
  nodes: z.array(impactNodeOut),
  edges: z.array(z.object({ id: z.number(), source: z.number(), target: z.number(), type: z.enum(RELATION_TYPES) })),
  /** Applications reached (type application), the services the customer notices. */
  services: z.array(z.object({ id: z.number(), code: z.string(), name: z.string(), criticality: z.number(), status: z.enum(CI_STATUSES) })),
  customers: z.array(z.object({ id: z.number(), name: z.string(), cis: z.number() })),
  openTickets: z.array(z.object({ id: z.number(), number: z.string(), title: z.string(), state: z.string(), priority: z.string(), ciIds: z.array(z.number()) })),
  tookMs: z.number(),
});
export type ImpactOut = z.input<typeof impactOut>;

// ---------------------------------------------------------------- tickets, lookup, related

export const ticketCisBody = z.strictObject({ ciIds: z.array(id).min(1).max(50) });
export const ticketCiParams = z.object({ id, ciId: id });
export const ticketCisOut = z.object({ items: z.array(ciSummaryOut) });

export const lookupQuery = z.object({ customerId: id, q: z.string().trim().min(1).max(100), limit: z.coerce.number().int().min(1).max(20).default(20) });
export const lookupOut = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      code: z.string(),
      name: z.string(),
      typeCode: z.string(),
      typeName: z.string(),
      status: z.enum(CI_STATUSES),
      ip: z.string().nullable(),
      siteName: z.string().nullable(),
      /** What matched: code, ip (address), name, serial, hostname. */
      matched: z.enum(['code', 'ip', 'name', 'serial', 'hostname']),
      /** The address that matched (for ip). */
      address: z.string().nullable(),
    }),
  ),
});

export const relatedOut = z.object({
  tickets: z.array(z.object({ id: z.number(), number: z.string(), title: z.string(), kind: z.string(), state: z.string(), priority: z.string(), reportedAt: z.string(), linkedAt: z.string() })),
  /** Whether more tickets name the CI than are listed. */
  moreTickets: z.boolean(),
  repairReports: z.array(z.object({ ticketId: z.number(), ticketNumber: z.string(), state: z.string(), updatedAt: z.string() })),
  visits: z.array(z.object({ ticketId: z.number(), ticketNumber: z.string(), at: z.string(), event: z.string(), engineer: z.string().nullable() })),
  repairOrders: z.array(z.object({ id: z.number(), number: z.string(), state: z.string(), vendorId: z.number(), fault: z.string(), sentAt: z.string().nullable() })),
  partMovements: z.array(z.object({ id: z.number(), number: z.string(), kind: z.string(), quantity: z.number(), at: z.string(), ticketId: z.number().nullable() })),
  relations: z.number(),
});

// ---------------------------------------------------------------- import / export

export const importQuery = z.object({
  /** The customer of rows without a 客户 column value. */
  customerId: id.optional(),
  /** Check only: every problem, nothing written. */
  dryRun: z.enum(['1', '0']).optional(),
});
export const importOut = z.object({
  imported: z.number(),
  dryRun: z.boolean(),
  bySheet: z.array(z.object({ sheet: z.string(), typeCode: z.string().nullable(), rows: z.number() })),
  tookMs: z.number(),
});
export type ImportOut = z.input<typeof importOut>;
export const templateQuery = z.object({ typeId: id.optional() });
export const exportQuery = ciListQuery.omit({ cursor: true, limit: true }).extend({ limit: z.coerce.number().int().min(1).max(100_000).default(50_000) });
export type ExportQuery = z.output<typeof exportQuery>;
