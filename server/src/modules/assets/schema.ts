import { z } from 'zod';
import { CAMPAIGN_STATES, CHECK_RESULTS, DECISIONS, DISPOSALS, WARRANTY_STATUSES } from '../../core/assets/rules.js';
import { id, localDate, optionalText, text } from '../../platform/http/zod.js';

/** The assets module's contracts at the edge (docs/ASSETS.md). */

const version = z.number().int().positive();
const optionalDate = localDate.nullish().transform((v) => v ?? null);

/** PUT /assets/{id}: the whole asset record; `version` names the one read (absent or null: create). */
export const assetInput = z.strictObject({
  version: version.nullish(),
  assetNo: text(64),
  supplier: optionalText(200),
  purchaseDate: optionalDate,
  purchaseOrder: optionalText(100),
  /** Yuan, at most two decimals (stored in fen). */
  price: z.number().nullish().transform((v) => v ?? null),
  warrantyEnd: optionalDate,
  maintenanceContract: optionalText(200),
  location: optionalText(200),
  responsibleName: optionalText(100),
  responsibleUserId: id.nullish().transform((v) => v ?? null),
  installedDate: optionalDate,
});
export type AssetInput = z.output<typeof assetInput>;

export const disposeBody = z.strictObject({
  version,
  disposal: z.enum(DISPOSALS),
  date: localDate,
  note: optionalText(2000),
});
export type DisposeBody = z.output<typeof disposeBody>;

const idList = z
  .string()
  .max(6000)
  .refine((s) => s.split(',').every((x) => /^[1-9]\d{0,15}$/.test(x.trim())), { params: { code: 'id' } })
  .transform((s) => [...new Set(s.split(',').map((x) => Number(x.trim())))]);

export const listQuery = z.object({
  customerId: id.optional(),
  siteId: id.optional(),
  /** Warranty ending on or before this day (ended ones included). */
  warrantyBefore: localDate.optional(),
  warranty: z.enum(WARRANTY_STATUSES).optional(),
  disposed: z.enum(['1', '0']).optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListQuery = z.output<typeof listQuery>;

export const exportQuery = listQuery.omit({ limit: true, cursor: true });

export const labelsQuery = exportQuery.extend({
  /** Comma-separated CI ids; without them the filters pick the assets (at most 500 labels). */
  ciIds: idList.optional(),
  layout: z.enum(['label', 'a4']).default('a4'),
});
export type LabelsQuery = z.output<typeof labelsQuery>;

const ciOut = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  status: z.string(),
  typeName: z.string().nullable(),
  customerId: z.number(),
  customerName: z.string(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  brand: z.string().nullable(),
  model: z.string().nullable(),
  serial: z.string().nullable(),
  ip: z.string().nullable(),
  version: z.number(),
});

export const assetRecordOut = z.object({
  assetNo: z.string(),
  supplier: z.string().nullable(),
  purchaseDate: z.string().nullable(),
  purchaseOrder: z.string().nullable(),
  price: z.number().nullable(),
  warrantyEnd: z.string().nullable(),
  warrantyStatus: z.enum(WARRANTY_STATUSES),
  maintenanceContract: z.string().nullable(),
  location: z.string().nullable(),
  responsibleName: z.string().nullable(),
  responsibleUserId: z.number().nullable(),
  installedDate: z.string().nullable(),
  disposal: z.enum(DISPOSALS).nullable(),
  disposedDate: z.string().nullable(),
  disposalNote: z.string().nullable(),
  version: z.number(),
  updatedAt: z.string(),
});
export type AssetRecordOut = z.input<typeof assetRecordOut>;

export const assetOut = z.object({
  ci: ciOut,
  /** null: the CI has no asset record yet. */
  asset: assetRecordOut.nullable(),
  /** Open campaigns (盘点) listing this CI, with this CI's item. */
  campaigns: z.array(z.object({ id: z.number(), name: z.string(), state: z.enum(CAMPAIGN_STATES), result: z.string(), decision: z.string().nullable() })),
  /** The absolute address the QR code on the tag carries. */
  url: z.string(),
});
export type AssetOut = z.input<typeof assetOut>;

export const assetListItem = z.object({
  ciId: z.number(),
  ciCode: z.string(),
  ciName: z.string(),
  ciStatus: z.string(),
  customerId: z.number(),
  customerName: z.string(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  serial: z.string().nullable(),
  assetNo: z.string(),
  supplier: z.string().nullable(),
  price: z.number().nullable(),
  purchaseDate: z.string().nullable(),
  warrantyEnd: z.string().nullable(),
  warrantyStatus: z.enum(WARRANTY_STATUSES),
  location: z.string().nullable(),
  responsibleName: z.string().nullable(),
  disposal: z.enum(DISPOSALS).nullable(),
  disposedDate: z.string().nullable(),
  version: z.number(),
});
export type AssetListItem = z.input<typeof assetListItem>;
export const assetPageOut = z.object({ items: z.array(assetListItem), nextCursor: z.string().nullable() });

export const historyOut = z.array(z.object({ id: z.number(), at: z.string(), actorName: z.string(), action: z.string(), changes: z.unknown() }));

// ------------------------------------------------------------------ campaigns

export const campaignCreate = z.strictObject({
  customerId: id,
  siteId: id.nullish().transform((v) => v ?? null),
  name: optionalText(200),
  dueDate: optionalDate,
  assigneeId: id.nullish().transform((v) => v ?? null),
});
export type CampaignCreate = z.output<typeof campaignCreate>;

export const campaignListQuery = z.object({
  customerId: id.optional(),
  state: z.enum(CAMPAIGN_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type CampaignListQuery = z.output<typeof campaignListQuery>;

export const campaignOut = z.object({
  id: z.number(),
  customerId: z.number(),
  customerName: z.string(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  name: z.string(),
  period: z.string(),
  state: z.enum(CAMPAIGN_STATES),
  dueDate: z.string().nullable(),
  assigneeId: z.number().nullable(),
  assigneeName: z.string().nullable(),
  total: z.number(),
  checked: z.number(),
  counts: z.object({ pending: z.number(), found: z.number(), missing: z.number(), wrong_location: z.number(), wrong_attributes: z.number() }),
  /** Differences not yet accepted or rejected. */
  undecided: z.number(),
  closedAt: z.string().nullable(),
  closedByName: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
});
export type CampaignOut = z.input<typeof campaignOut>;
export const campaignPageOut = z.object({ items: z.array(campaignOut), nextCursor: z.string().nullable() });

export const itemsQuery = z.object({
  result: z.enum(['pending', ...CHECK_RESULTS]).optional(),
  /** Only differences (missing / wrong location / wrong attributes). */
  differences: z.enum(['1', '0']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().max(500).optional(),
});
export type ItemsQuery = z.output<typeof itemsQuery>;

export const proposedSchema = z.strictObject({
  siteId: id.nullish(),
  location: optionalText(200).optional(),
  serial: optionalText(100).optional(),
  brand: optionalText(100).optional(),
  model: optionalText(100).optional(),
  name: optionalText(200).optional(),
  responsibleName: optionalText(100).optional(),
});
export type Proposed = z.output<typeof proposedSchema>;

export const checkBody = z.strictObject({
  result: z.enum(CHECK_RESULTS),
  note: optionalText(2000),
  proposed: proposedSchema.nullish().transform((v) => v ?? null),
});
export type CheckBody = z.output<typeof checkBody>;

export const decideBody = z.strictObject({ decision: z.enum(DECISIONS), note: optionalText(2000) });
export const campaignVersionBody = z.strictObject({ version });

export const itemOut = z.object({
  id: z.number(),
  ciId: z.number(),
  ciCode: z.string(),
  ciName: z.string(),
  siteId: z.number().nullable(),
  siteName: z.string().nullable(),
  serial: z.string().nullable(),
  brand: z.string().nullable(),
  model: z.string().nullable(),
  assetNo: z.string().nullable(),
  location: z.string().nullable(),
  responsibleName: z.string().nullable(),
  result: z.enum(['pending', ...CHECK_RESULTS]),
  note: z.string().nullable(),
  proposed: z.record(z.string(), z.unknown()).nullable(),
  hasPhoto: z.boolean(),
  checkedAt: z.string().nullable(),
  checkedByName: z.string().nullable(),
  decision: z.enum(DECISIONS).nullable(),
  decidedAt: z.string().nullable(),
  decidedByName: z.string().nullable(),
});
export type ItemOut = z.input<typeof itemOut>;
export const itemPageOut = z.object({ items: z.array(itemOut), nextCursor: z.string().nullable() });
export const checkOut = z.object({ item: itemOut, campaign: campaignOut });
export const ciItemParams = z.object({ id, ciId: id });
