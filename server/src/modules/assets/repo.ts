import { sql, type Selectable, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import { dialectOf, likeContains } from '../../db/dialect.js';
import type { AssetCampaignItemsTable, AssetCampaignsTable, CiAssetsTable } from '../../db/schema.js';
import type { CustomerScope } from '../../platform/auth/actor.js';
import { ciInScope } from '../cmdb/scope.js';

/**
 * Queries of the assets module's tables (ci_assets, asset_campaigns, asset_campaign_items,
 * asset_reminders). Scope is the CI's customer, applied here in SQL (modules/cmdb/scope.ts): a
 * record outside the caller's scope is not found.
 */
export type AssetRow = Selectable<CiAssetsTable>;
export type CampaignRow = Selectable<AssetCampaignsTable>;
export type ItemRow = Selectable<AssetCampaignItemsTable>;

export interface AssetListFilter {
  customerId?: number;
  siteId?: number;
  warrantyBefore?: string;
  /** [from, to] of warranty_end, inclusive; either side open. */
  warrantyRange?: { from?: string; to?: string; none?: boolean };
  disposed?: boolean;
  q?: string;
  ciIds?: number[];
  after?: string;
  limit: number;
}

/** The list's row: the asset with its CI, customer and site. */
export function assetListQuery(db: DbOrTx, scope: CustomerScope, f: AssetListFilter) {
  let q = db
    .selectFrom('ci_assets')
    .innerJoin('cis', 'cis.id', 'ci_assets.ci_id')
    .innerJoin('customers', 'customers.id', 'ci_assets.customer_id')
    .leftJoin('sites', 'sites.id', 'cis.site_id')
    .select([
      'ci_assets.ci_id',
      'ci_assets.customer_id',
      'ci_assets.asset_no',
      'ci_assets.supplier',
      'ci_assets.price_cents',
      'ci_assets.purchase_date',
      'ci_assets.purchase_order',
      'ci_assets.warranty_end',
      'ci_assets.maintenance_contract',
      'ci_assets.location',
      'ci_assets.responsible_name',
      'ci_assets.installed_date',
      'ci_assets.disposal',
      'ci_assets.disposed_date',
      'ci_assets.version',
      'cis.code as ci_code',
      'cis.name as ci_name',
      'cis.status as ci_status',
      'cis.serial',
      'cis.brand',
      'cis.model',
      'cis.site_id',
      'customers.name as customer_name',
      'sites.name as site_name',
    ])
    .where(ciInScope(scope, 'ci_assets.customer_id'));
  if (f.customerId !== undefined) q = q.where('ci_assets.customer_id', '=', f.customerId);
  if (f.siteId !== undefined) q = q.where('cis.site_id', '=', f.siteId);
  if (f.warrantyBefore) q = q.where('ci_assets.warranty_end', '<=', f.warrantyBefore);
  if (f.warrantyRange) {
    const r = f.warrantyRange;
    if (r.none) q = q.where('ci_assets.warranty_end', 'is', null);
    if (r.from) q = q.where('ci_assets.warranty_end', '>=', r.from);
    if (r.to) q = q.where('ci_assets.warranty_end', '<=', r.to);
  }
  if (f.disposed === true) q = q.where('ci_assets.disposal', 'is not', null);
  if (f.disposed === false) q = q.where('ci_assets.disposal', 'is', null);
  if (f.ciIds) q = f.ciIds.length ? q.where('ci_assets.ci_id', 'in', f.ciIds) : q.where(sql<SqlBool>`1 = 0`);
  if (f.q) {
    const like = likeContains(f.q);
    q = q.where((eb) =>
      eb.or([
        sql<SqlBool>`${sql.ref('ci_assets.asset_no')} like ${like} escape '\\'`,
        sql<SqlBool>`${sql.ref('cis.code')} like ${like} escape '\\'`,
        sql<SqlBool>`${sql.ref('cis.name')} like ${like} escape '\\'`,
        sql<SqlBool>`${sql.ref('cis.serial')} like ${like} escape '\\'`,
      ]),
    );
  }
  if (f.after !== undefined) q = q.where('ci_assets.asset_no', '>', f.after);
  return q.orderBy('ci_assets.asset_no').limit(f.limit);
}
export type AssetListRow = Awaited<ReturnType<ReturnType<typeof assetListQuery>['execute']>>[number];

export async function findAsset(db: DbOrTx, ciId: number, lock = false): Promise<AssetRow | undefined> {
  let q = db.selectFrom('ci_assets').selectAll().where('ci_id', '=', ciId);
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function assetNoTaken(db: DbOrTx, assetNo: string, exceptCiId: number): Promise<boolean> {
  const row = await db.selectFrom('ci_assets').select('ci_id').where('asset_no', '=', assetNo).where('ci_id', '<>', exceptCiId).executeTakeFirst();
  return row !== undefined;
}

/** One line of a CI's history, in the caller's transaction. */
export async function addHistory(trx: DbOrTx, ciId: number, who: { userId: number | null; name: string }, action: string, changes: unknown, now: number): Promise<void> {
  await trx.insertInto('ci_history').values({ ci_id: ciId, at: now, actor_id: who.userId, actor_name: who.name, action, changes: JSON.stringify(changes) }).execute();
}

export async function historyOf(db: DbOrTx, ciId: number) {
  return db.selectFrom('ci_history').selectAll().where('ci_id', '=', ciId).orderBy('at', 'desc').orderBy('id', 'desc').limit(500).execute();
}

export async function names(db: DbOrTx, table: 'users' | 'customers' | 'sites', ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!wanted.length) return new Map();
  if (table === 'users') {
    const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [Number(r.id), r.display_name]));
  }
  const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** Claims a once-only deed of the daily jobs; false when it was done already. */
export async function claimReminder(db: DbOrTx, key: string, customerId: number, ciId: number | null, now: number): Promise<boolean> {
  const row = await db
    .insertInto('asset_reminders')
    .values({ reminder_key: key, customer_id: customerId, ci_id: ciId, sent_at: now })
    .onConflict((oc) => oc.column('reminder_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Project managers of the customer's contracts running on `today` (their local day). */
export async function projectManagers(db: DbOrTx, customerId: number, today: string): Promise<number[]> {
  const rows = await db
    .selectFrom('contracts')
    .innerJoin('users', 'users.id', 'contracts.project_manager_id')
    .select('contracts.project_manager_id')
    .distinct()
    .where('contracts.customer_id', '=', customerId)
    .where('contracts.starts_on', '<=', today)
    .where('contracts.ends_on', '>=', today)
    .where('users.disabled', '=', 0)
    .execute();
  return rows.map((r) => Number(r.project_manager_id));
}

// ------------------------------------------------------------------ campaigns

export async function findCampaign(db: DbOrTx, scope: CustomerScope, id: number, lock = false): Promise<CampaignRow | undefined> {
  let q = db.selectFrom('asset_campaigns').selectAll().where('id', '=', id).where(ciInScope(scope, 'asset_campaigns.customer_id'));
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listCampaigns(db: DbOrTx, scope: CustomerScope, f: { customerId?: number; state?: string; before?: number; limit: number }): Promise<CampaignRow[]> {
  let q = db.selectFrom('asset_campaigns').selectAll().where(ciInScope(scope, 'asset_campaigns.customer_id'));
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.before !== undefined) q = q.where('id', '<', f.before);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Items per result, and differences not yet decided, of each campaign. */
export async function tallies(db: DbOrTx, campaignIds: number[]): Promise<Map<number, { counts: Record<string, number>; undecided: number }>> {
  const out = new Map<number, { counts: Record<string, number>; undecided: number }>();
  if (!campaignIds.length) return out;
  const rows = await db
    .selectFrom('asset_campaign_items')
    .select(['campaign_id', 'result', sql<number>`count(*)`.as('n'), sql<number>`sum(case when decision is null then 1 else 0 end)`.as('open')])
    .where('campaign_id', 'in', campaignIds)
    .groupBy(['campaign_id', 'result'])
    .execute();
  for (const r of rows) {
    const id = Number(r.campaign_id);
    const t = out.get(id) ?? { counts: { pending: 0, found: 0, missing: 0, wrong_location: 0, wrong_attributes: 0 }, undecided: 0 };
    t.counts[r.result] = Number(r.n);
    if (r.result !== 'pending' && r.result !== 'found') t.undecided += Number(r.open);
    out.set(id, t);
  }
  return out;
}

/** A campaign's items with their CI, asset and site (ordered by CI code). */
export function itemQuery(db: DbOrTx, campaignId: number) {
  return db
    .selectFrom('asset_campaign_items')
    .innerJoin('cis', 'cis.id', 'asset_campaign_items.ci_id')
    .leftJoin('ci_assets', 'ci_assets.ci_id', 'asset_campaign_items.ci_id')
    .leftJoin('sites', 'sites.id', 'cis.site_id')
    .select([
      'asset_campaign_items.id',
      'asset_campaign_items.ci_id',
      'asset_campaign_items.result',
      'asset_campaign_items.note',
      'asset_campaign_items.proposed',
      'asset_campaign_items.photo_blob_id',
      'asset_campaign_items.checked_at',
      'asset_campaign_items.checked_by',
      'asset_campaign_items.decision',
      'asset_campaign_items.decided_at',
      'asset_campaign_items.decided_by',
      'cis.code as ci_code',
      'cis.name as ci_name',
      'cis.site_id',
      'cis.serial',
      'cis.brand',
      'cis.model',
      'sites.name as site_name',
      'ci_assets.asset_no',
      'ci_assets.location',
      'ci_assets.responsible_name',
    ])
    .where('asset_campaign_items.campaign_id', '=', campaignId);
}
export type ItemListRow = Awaited<ReturnType<ReturnType<typeof itemQuery>['execute']>>[number];

/** Open (or in review) campaigns listing the CI, with its item. */
export async function openCampaignsOf(db: DbOrTx, ciId: number) {
  return db
    .selectFrom('asset_campaign_items')
    .innerJoin('asset_campaigns', 'asset_campaigns.id', 'asset_campaign_items.campaign_id')
    .select(['asset_campaigns.id', 'asset_campaigns.name', 'asset_campaigns.state', 'asset_campaign_items.result', 'asset_campaign_items.decision'])
    .where('asset_campaign_items.ci_id', '=', ciId)
    .where('asset_campaigns.state', 'in', ['open', 'review'])
    .orderBy('asset_campaigns.id', 'desc')
    .execute();
}
