import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Db, DbOrTx, Tx } from '../../db/index.js';
import {
  addDays,
  campaignPeriod,
  closeBlocker,
  DEFAULT_CAMPAIGN_DUE_DAYS,
  isDifference,
  normaliseCampaignDays,
  workingState,
  type CampaignState,
  type ItemResult,
} from '../../core/assets/rules.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { systemActor, type Actor } from '../../platform/auth/actor.js';
import { claimBlob, deleteBlob, discardBlob, openBlob, writeBlob } from '../../platform/files/store.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { t } from '../../platform/i18n/index.js';
import { emit } from '../../platform/notify/service.js';
import { getSetting } from '../../platform/settings/index.js';
import { ciInScope } from '../cmdb/scope.js';
import * as repo from './repo.js';
import type { CampaignCreate, CampaignListQuery, CampaignOut, CheckBody, ItemOut, ItemsQuery, Proposed } from './schema.js';
import { localToday } from './service.js';

export const CAMPAIGN_DAYS_KEY = 'assets.campaignDays';
export const CAMPAIGN_DUE_DAYS_KEY = 'assets.campaignDueDays';
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const SHANGHAI = 'Asia/Shanghai';
const INSERT_ROWS = 400;

const IMAGE_TYPES: Array<[string, (b: Buffer) => boolean]> = [
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['image/webp', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
];

/**
 * Verification campaigns (盘点, docs/ASSETS.md): a snapshot of a customer's (or one site's) assets
 * to check; an engineer records each as found, missing, at the wrong location or with wrong
 * attributes (a note, proposed corrections, a photo); a reviewer accepts each difference (the
 * register is updated: the CI's site, serial …, the asset's location; history `verified`) or
 * rejects it; the campaign closes once every item is checked and every difference decided.
 * The scheduler creates one per customer and period (twice a year by default).
 */
export class CampaignService {
  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------ reads

  async find(actor: Actor, id: number, db: DbOrTx = this.db, lock = false): Promise<repo.CampaignRow> {
    const row = await repo.findCampaign(db, actor.scope, id, lock);
    if (!row) throw AppError.notFound();
    return row;
  }

  async list(actor: Actor, q: CampaignListQuery): Promise<{ items: CampaignOut[]; nextCursor: string | null }> {
    const after = decodeCursor(q.cursor, ['number']) as [number] | null;
    const rows = await repo.listCampaigns(this.db, actor.scope, { customerId: q.customerId, state: q.state, before: after?.[0], limit: q.limit + 1 });
    const page = pageOf(rows, q.limit, (r) => [Number(r.id)]);
    return { items: await this.outs(page.items), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: number): Promise<CampaignOut> {
    return (await this.outs([await this.find(actor, id)]))[0];
  }

  private async outs(rows: repo.CampaignRow[]): Promise<CampaignOut[]> {
    const [tallies, customers, sites, users] = await Promise.all([
      repo.tallies(this.db, rows.map((r) => Number(r.id))),
      repo.names(this.db, 'customers', rows.map((r) => Number(r.customer_id))),
      repo.names(this.db, 'sites', rows.map((r) => (r.site_id === null ? null : Number(r.site_id)))),
      repo.names(this.db, 'users', rows.flatMap((r) => [r.assignee_id, r.closed_by].map((x) => (x === null ? null : Number(x))))),
    ]);
    return rows.map((r) => {
      const tally = tallies.get(Number(r.id)) ?? { counts: { pending: 0, found: 0, missing: 0, wrong_location: 0, wrong_attributes: 0 }, undecided: 0 };
      return {
        id: Number(r.id),
        customerId: Number(r.customer_id),
        customerName: customers.get(Number(r.customer_id)) ?? '',
        siteId: r.site_id === null ? null : Number(r.site_id),
        siteName: r.site_id === null ? null : (sites.get(Number(r.site_id)) ?? null),
        name: r.name,
        period: r.period,
        state: r.state as CampaignState,
        dueDate: r.due_date,
        assigneeId: r.assignee_id === null ? null : Number(r.assignee_id),
        assigneeName: r.assignee_id === null ? null : (users.get(Number(r.assignee_id)) ?? null),
        total: Number(r.total),
        checked: Number(r.checked),
        counts: tally.counts as CampaignOut['counts'],
        undecided: tally.undecided,
        closedAt: iso(r.closed_at === null ? null : Number(r.closed_at)),
        closedByName: r.closed_by === null ? null : (users.get(Number(r.closed_by)) ?? null),
        version: Number(r.version),
        createdAt: iso(Number(r.created_at)),
      };
    });
  }

  async items(actor: Actor, id: number, q: ItemsQuery): Promise<{ items: ItemOut[]; nextCursor: string | null }> {
    await this.find(actor, id);
    const after = decodeCursor(q.cursor, ['number']) as [number] | null;
    let query = repo.itemQuery(this.db, id);
    if (q.result) query = query.where('asset_campaign_items.result', '=', q.result);
    if (q.differences === '1') query = query.where('asset_campaign_items.result', 'in', ['missing', 'wrong_location', 'wrong_attributes']);
    if (after) query = query.where('asset_campaign_items.id', '>', after[0]);
    const rows = await query.orderBy('asset_campaign_items.id').limit(q.limit + 1).execute();
    const page = pageOf(rows, q.limit, (r) => [Number(r.id)]);
    return { items: await this.itemOuts(page.items), nextCursor: page.nextCursor };
  }

  /** Every item of a campaign (for its documents), in the order they were listed. */
  async allItems(id: number): Promise<ItemOut[]> {
    const rows = await repo.itemQuery(this.db, id).orderBy('asset_campaign_items.id').execute();
    return this.itemOuts(rows);
  }

  private async itemOuts(rows: repo.ItemListRow[]): Promise<ItemOut[]> {
    const users = await repo.names(this.db, 'users', rows.flatMap((r) => [r.checked_by, r.decided_by].map((x) => (x === null ? null : Number(x)))));
    return rows.map((r) => ({
      id: Number(r.id),
      ciId: Number(r.ci_id),
      ciCode: r.ci_code,
      ciName: r.ci_name,
      siteId: r.site_id === null ? null : Number(r.site_id),
      siteName: r.site_name ?? null,
      serial: r.serial,
      brand: r.brand,
      model: r.model,
      assetNo: r.asset_no ?? null,
      location: r.location ?? null,
      responsibleName: r.responsible_name ?? null,
      result: r.result as ItemResult,
      note: r.note,
      proposed: r.proposed ? (JSON.parse(r.proposed) as Record<string, unknown>) : null,
      hasPhoto: r.photo_blob_id !== null,
      checkedAt: iso(r.checked_at === null ? null : Number(r.checked_at)),
      checkedByName: r.checked_by === null ? null : (users.get(Number(r.checked_by)) ?? null),
      decision: r.decision as ItemOut['decision'],
      decidedAt: iso(r.decided_at === null ? null : Number(r.decided_at)),
      decidedByName: r.decided_by === null ? null : (users.get(Number(r.decided_by)) ?? null),
    }));
  }

  private async item(trx: DbOrTx, campaignId: number, ciId: number): Promise<repo.ItemListRow> {
    const row = await repo.itemQuery(trx, campaignId).where('asset_campaign_items.ci_id', '=', ciId).executeTakeFirst();
    if (!row) throw new AppError(404, 'not_found', 'assets.campaign.notInCampaign');
    return row;
  }

  // ------------------------------------------------------------ creating

  /** A campaign of the customer's assets on the register (one site's when given), snapshotted now. */
  async create(actor: Actor, input: CampaignCreate, opts: { period?: string; now?: number } = {}): Promise<CampaignOut> {
    const now = opts.now ?? Date.now();
    const problems: FieldProblem[] = [];
    const customer = await this.db.selectFrom('customers').select(['id', 'name', 'time_zone']).where('id', '=', input.customerId).where(ciInScope(actor.scope, 'customers.id')).executeTakeFirst();
    if (!customer) throw AppError.field('customerId', 'assets.customerNotFound');
    const site = input.siteId === null ? null : await this.db.selectFrom('sites').select(['id', 'name']).where('id', '=', input.siteId).where('customer_id', '=', input.customerId).executeTakeFirst();
    if (input.siteId !== null && !site) problems.push({ field: 'siteId', code: 'assets.siteNotFound' });
    if (input.assigneeId !== null) {
      const u = await this.db.selectFrom('users').select(['customer_id', 'disabled']).where('id', '=', input.assigneeId).executeTakeFirst();
      if (!u || u.customer_id !== null || u.disabled !== 0) problems.push({ field: 'assigneeId', code: 'assets.userNotFound' });
    }
    if (problems.length) throw AppError.validation(problems);
    const zone = customer.time_zone || SHANGHAI;
    const today = localToday(now, zone);
    const period = opts.period ?? campaignPeriod(today, normaliseCampaignDays(await getSetting(this.db, CAMPAIGN_DAYS_KEY))).key;
    const dueDays = Number((await getSetting<number>(this.db, CAMPAIGN_DUE_DAYS_KEY)) ?? DEFAULT_CAMPAIGN_DUE_DAYS);
    const siteText = site ? ` ${site.name}` : '';
    const name = input.name ?? t('zh-CN', 'assets.campaign.defaultName', { customer: customer.name, site: siteText, period });
    const id = await this.db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('ci_assets')
        .innerJoin('cis', 'cis.id', 'ci_assets.ci_id')
        .select('ci_assets.ci_id')
        .where('ci_assets.customer_id', '=', input.customerId)
        .where('ci_assets.disposal', 'is', null)
        .where('cis.status', '<>', 'retired');
      if (site) q = q.where('cis.site_id', '=', Number(site.id));
      const cis = (await q.orderBy('cis.code').execute()).map((r) => Number(r.ci_id));
      if (!cis.length) throw new AppError(409, 'no_assets', 'assets.campaign.noAssets', { site: siteText });
      const row = await trx
        .insertInto('asset_campaigns')
        .values({
          customer_id: input.customerId,
          site_id: site ? Number(site.id) : null,
          name,
          period,
          state: 'open',
          due_date: input.dueDate ?? addDays(today, Number.isInteger(dueDays) && dueDays > 0 ? dueDays : DEFAULT_CAMPAIGN_DUE_DAYS),
          assignee_id: input.assigneeId,
          total: cis.length,
          checked: 0,
          version: 1,
          created_at: now,
          created_by: actor.userId || null,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      for (let i = 0; i < cis.length; i += INSERT_ROWS) {
        await trx.insertInto('asset_campaign_items').values(cis.slice(i, i + INSERT_ROWS).map((ci) => ({ campaign_id: id, ci_id: ci, result: 'pending' }))).execute();
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'asset_campaigns', entityId: id, customerId: input.customerId, after: { name, period, siteId: input.siteId, total: cis.length, assigneeId: input.assigneeId } }, now);
      const recipients = [...new Set([...(input.assigneeId === null ? [] : [input.assigneeId]), ...(actor.userId ? [] : await repo.projectManagers(trx, input.customerId, today))])].filter((u) => u !== actor.userId);
      if (recipients.length) {
        await emit(trx, { type: 'asset.campaign', recipients, customerId: input.customerId, entity: 'asset_campaigns', entityId: id, title: { key: 'assets.notify.campaign', params: { name, total: cis.length, due: input.dueDate ?? addDays(today, dueDays) } }, link: `/asset-campaigns/${id}` }, now);
      }
      return id;
    });
    return this.get(actor, id);
  }

  // ------------------------------------------------------------ checking

  private working(actor: Actor, c: repo.CampaignRow, action: string): void {
    if (c.state === 'open' || c.state === 'review') return;
    throw new AppError(409, 'invalid_state', 'assets.campaign.state', { name: c.name, state: t(actor.locale, `assets.state.${c.state}`), action: t(actor.locale, `assets.action.${action}`) });
  }

  /** Records what the engineer found for one CI of the campaign (again: replaces it, until the difference is decided). */
  async check(actor: Actor, id: number, ciId: number, body: CheckBody): Promise<{ item: ItemOut; campaign: CampaignOut }> {
    const pre = await this.find(actor, id);
    const proposed = await this.checkProposed(actor, pre, body);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const c = await this.find(actor, id, trx, true);
      this.working(actor, c, 'check');
      const item = await this.item(trx, id, ciId);
      if (item.decision) throw new AppError(409, 'decided', 'assets.campaign.decided', { decision: t(actor.locale, `assets.decision.${item.decision}`) });
      await trx
        .updateTable('asset_campaign_items')
        .set({ result: body.result, note: body.note, proposed: proposed ? JSON.stringify(proposed) : null, checked_at: now, checked_by: actor.userId || null })
        .where('id', '=', Number(item.id))
        .execute();
      await this.recount(trx, c, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'check', entity: 'asset_campaigns', entityId: id, customerId: Number(c.customer_id), before: { ciId, result: item.result }, after: { ciId, result: body.result, note: body.note, proposed } }, now);
    });
    const [item] = await this.itemOuts([await this.item(this.db, id, ciId)]);
    return { item, campaign: await this.get(actor, id) };
  }

  private async checkProposed(actor: Actor, c: repo.CampaignRow, body: CheckBody): Promise<Proposed | null> {
    const p = body.proposed ? (Object.fromEntries(Object.entries(body.proposed).filter(([, v]) => v !== undefined && v !== null)) as Proposed) : null;
    const proposed = p && Object.keys(p).length ? p : null;
    const resultName = { zh: { wrong_location: '位置不符', wrong_attributes: '属性不符' }, en: { wrong_location: 'wrong location', wrong_attributes: 'wrong attributes' } }[actor.locale === 'en-US' ? 'en' : 'zh'];
    if (body.result === 'wrong_location' && !(proposed?.siteId || proposed?.location)) throw AppError.field('proposed', 'assets.campaign.proposedNeeded', { result: resultName.wrong_location });
    if (body.result === 'wrong_attributes' && !(proposed && Object.keys(proposed).some((k) => k !== 'siteId' && k !== 'location'))) throw AppError.field('proposed', 'assets.campaign.proposedNeeded', { result: resultName.wrong_attributes });
    if (proposed?.siteId) {
      const site = await this.db.selectFrom('sites').select('id').where('id', '=', proposed.siteId).where('customer_id', '=', Number(c.customer_id)).executeTakeFirst();
      if (!site) throw AppError.field('proposed.siteId', 'assets.siteNotFound');
    }
    return proposed;
  }

  private async recount(trx: Tx, c: repo.CampaignRow, now: number): Promise<void> {
    const row = await trx.selectFrom('asset_campaign_items').select(sql<number>`count(*)`.as('n')).where('campaign_id', '=', Number(c.id)).where('result', '<>', 'pending').executeTakeFirstOrThrow();
    const checked = Number(row.n);
    await trx
      .updateTable('asset_campaigns')
      .set({ checked, state: workingState(checked, Number(c.total)), version: Number(c.version) + 1, updated_at: now })
      .where('id', '=', Number(c.id))
      .execute();
  }

  /** The photo of one item (JPEG, PNG or WebP, ≤ 10 MB), replacing an earlier one. */
  async putPhoto(actor: Actor, id: number, ciId: number, source: AsyncIterable<Buffer>): Promise<ItemOut> {
    const c = await this.find(actor, id);
    this.working(actor, c, 'check');
    const item = await this.item(this.db, id, ciId);
    if (item.decision) throw new AppError(409, 'decided', 'assets.campaign.decided', { decision: t(actor.locale, `assets.decision.${item.decision}`) });
    const blob = await writeBlob(this.db, source, { limit: MAX_PHOTO_BYTES, headBytes: 16, tooLarge: () => AppError.field('file', 'assets.photo.tooLarge', { limit: '10 MB' }) });
    const type = IMAGE_TYPES.find(([, test]) => test(blob.head))?.[0];
    if (!type || blob.size === 0) {
      await discardBlob(this.db, blob.id);
      throw AppError.field('file', 'assets.photo.type');
    }
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await claimBlob(trx, blob.id, type);
      await trx.updateTable('asset_campaign_items').set({ photo_blob_id: blob.id }).where('id', '=', Number(item.id)).execute();
      if (item.photo_blob_id !== null) await deleteBlob(trx, Number(item.photo_blob_id));
      await recordAudit(trx, auditActorOf(actor), { action: 'photo', entity: 'asset_campaigns', entityId: id, customerId: Number(c.customer_id), after: { ciId, sha256: blob.sha256, size: blob.size } }, now);
    });
    const [out] = await this.itemOuts([await this.item(this.db, id, ciId)]);
    return out;
  }

  async photo(actor: Actor, id: number, ciId: number): Promise<{ mime: string; size: number; stream: Readable }> {
    await this.find(actor, id);
    const item = await this.item(this.db, id, ciId);
    if (item.photo_blob_id === null) throw AppError.notFound();
    const blob = await openBlob(this.db, Number(item.photo_blob_id));
    if (!blob) throw AppError.notFound();
    return { mime: blob.mediaType, size: blob.size, stream: blob.stream };
  }

  // ------------------------------------------------------------ review and closing

  /** Accept (the register takes the proposed corrections; history `verified`) or reject one difference. */
  async decide(actor: Actor, id: number, ciId: number, body: { decision: 'accepted' | 'rejected'; note: string | null }): Promise<{ item: ItemOut; campaign: CampaignOut }> {
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const c = await this.find(actor, id, trx, true);
      this.working(actor, c, 'decide');
      const item = await this.item(trx, id, ciId);
      if (!isDifference(item.result as ItemResult)) throw new AppError(409, 'not_difference', 'assets.campaign.notDifference');
      if (item.decision) throw new AppError(409, 'decided', 'assets.campaign.decided', { decision: t(actor.locale, `assets.decision.${item.decision}`) });
      await trx.updateTable('asset_campaign_items').set({ decision: body.decision, decided_at: now, decided_by: actor.userId || null }).where('id', '=', Number(item.id)).execute();
      await trx.updateTable('asset_campaigns').set({ version: Number(c.version) + 1, updated_at: now }).where('id', '=', id).execute();
      const who = auditActorOf(actor);
      let applied: Record<string, [unknown, unknown]> = {};
      if (body.decision === 'accepted') applied = await applyProposed(trx, actor, ciId, item, now);
      await repo.addHistory(trx, ciId, { userId: actor.userId || null, name: actor.displayName }, 'verified', { campaignId: id, campaign: c.name, result: item.result, decision: body.decision, note: body.note ?? item.note, changes: applied }, now);
      await recordAudit(trx, who, { action: 'decide', entity: 'asset_campaigns', entityId: id, customerId: Number(c.customer_id), after: { ciId, result: item.result, decision: body.decision, note: body.note, changes: applied } }, now);
    });
    const [item] = await this.itemOuts([await this.item(this.db, id, ciId)]);
    return { item, campaign: await this.get(actor, id) };
  }

  /** Closes a campaign whose items are all checked and differences all decided; found CIs get their `verified` line. */
  async close(actor: Actor, id: number, version: number): Promise<CampaignOut> {
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const c = await this.find(actor, id, trx, true);
      if (Number(c.version) !== version) throw AppError.conflict();
      const tally = (await repo.tallies(trx, [id])).get(id) ?? { counts: { pending: 0 }, undecided: 0 };
      const blocker = closeBlocker(c.state as CampaignState, { total: Number(c.total), pending: tally.counts.pending ?? 0, undecided: tally.undecided });
      if (blocker === 'state') this.working(actor, c, 'close');
      if (blocker === 'pending') throw new AppError(409, 'items_pending', 'assets.campaign.pending', { count: tally.counts.pending });
      if (blocker === 'undecided') throw new AppError(409, 'differences_undecided', 'assets.campaign.undecided', { count: tally.undecided });
      await trx.updateTable('asset_campaigns').set({ state: 'closed', closed_at: now, closed_by: actor.userId || null, version: version + 1, updated_at: now }).where('id', '=', id).execute();
      const found = await trx.selectFrom('asset_campaign_items').select(['ci_id', 'note']).where('campaign_id', '=', id).where('result', '=', 'found').orderBy('id').execute();
      for (let i = 0; i < found.length; i += INSERT_ROWS) {
        await trx
          .insertInto('ci_history')
          .values(found.slice(i, i + INSERT_ROWS).map((f) => ({ ci_id: Number(f.ci_id), at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action: 'verified', changes: JSON.stringify({ campaignId: id, campaign: c.name, result: 'found', note: f.note }) })))
          .execute();
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'close', entity: 'asset_campaigns', entityId: id, customerId: Number(c.customer_id), before: { state: c.state }, after: { state: 'closed', counts: tally.counts } }, now);
    });
    return this.get(actor, id);
  }

  async cancel(actor: Actor, id: number, version: number): Promise<CampaignOut> {
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const c = await this.find(actor, id, trx, true);
      if (Number(c.version) !== version) throw AppError.conflict();
      this.working(actor, c, 'cancel');
      await trx.updateTable('asset_campaigns').set({ state: 'cancelled', version: version + 1, updated_at: now }).where('id', '=', id).execute();
      await recordAudit(trx, auditActorOf(actor), { action: 'cancel', entity: 'asset_campaigns', entityId: id, customerId: Number(c.customer_id), before: { state: c.state }, after: { state: 'cancelled' } }, now);
    });
    return this.get(actor, id);
  }

  // ------------------------------------------------------------ the half-yearly job

  /**
   * Creates the period's campaign of every customer with assets on the register, once per
   * customer and period (claimed in asset_reminders; a campaign made by hand for the period
   * counts), and tells the customer's project managers. Returns the campaigns created.
   */
  async runScheduled(now = Date.now()): Promise<number> {
    const days = normaliseCampaignDays(await getSetting(this.db, CAMPAIGN_DAYS_KEY));
    const customers = await this.db
      .selectFrom('customers')
      .select(['id', 'time_zone'])
      .where('archived_at', 'is', null)
      .where((eb) => eb.exists(eb.selectFrom('ci_assets').select('ci_assets.ci_id').whereRef('ci_assets.customer_id', '=', 'customers.id').where('ci_assets.disposal', 'is', null)))
      .orderBy('id')
      .execute();
    const system: Actor = systemActor('assets', []);
    let created = 0;
    for (const c of customers) {
      const customerId = Number(c.id);
      const period = campaignPeriod(localToday(now, c.time_zone || SHANGHAI), days).key;
      const key = `campaign:${customerId}:${period}`;
      const exists = await this.db.selectFrom('asset_reminders').select('id').where('reminder_key', '=', key).executeTakeFirst();
      if (exists) continue;
      const manual = await this.db.selectFrom('asset_campaigns').select('id').where('customer_id', '=', customerId).where('period', '=', period).where('site_id', 'is', null).where('state', '<>', 'cancelled').executeTakeFirst();
      if (!(await repo.claimReminder(this.db, key, customerId, null, now))) continue;
      if (manual) continue;
      try {
        await this.create(system, { customerId, siteId: null, name: null, dueDate: null, assigneeId: null }, { period, now });
        created++;
      } catch (err) {
        // Nothing to verify after all (every asset retired meanwhile): the claim stays, nothing to do this period.
        if (!(err instanceof AppError && err.code === 'no_assets')) {
          await this.db.deleteFrom('asset_reminders').where('reminder_key', '=', key).execute();
          throw err;
        }
      }
    }
    return created;
  }
}

/** The register takes an accepted difference's corrections: the CI's site, name, serial …, the asset's location and person responsible. */
async function applyProposed(trx: Tx, actor: Actor, ciId: number, item: repo.ItemListRow, now: number): Promise<Record<string, [unknown, unknown]>> {
  const p = (item.proposed ? JSON.parse(item.proposed) : {}) as Proposed;
  const changes: Record<string, [unknown, unknown]> = {};
  const ci = await trx.selectFrom('cis').selectAll().where('id', '=', ciId).executeTakeFirstOrThrow();
  const ciSet: Record<string, unknown> = {};
  const ciCols: Array<[keyof Proposed, 'site_id' | 'serial' | 'brand' | 'model' | 'name']> = [['siteId', 'site_id'], ['serial', 'serial'], ['brand', 'brand'], ['model', 'model'], ['name', 'name']];
  for (const [field, col] of ciCols) {
    const v = p[field];
    if (v === undefined || v === null) continue;
    const was = ci[col] === null ? null : col === 'site_id' ? Number(ci[col]) : ci[col];
    if (was !== v) {
      ciSet[col] = v;
      changes[field] = [was, v];
    }
  }
  if (Object.keys(ciSet).length) await trx.updateTable('cis').set({ ...ciSet, version: Number(ci.version) + 1, updated_at: now, updated_by: actor.userId || null }).where('id', '=', ciId).execute();
  const asset = await repo.findAsset(trx, ciId);
  if (asset) {
    const aSet: Record<string, unknown> = {};
    if (p.location && p.location !== asset.location) {
      aSet.location = p.location;
      changes.location = [asset.location, p.location];
    }
    if (p.responsibleName && p.responsibleName !== asset.responsible_name) {
      aSet.responsible_name = p.responsibleName;
      changes.responsibleName = [asset.responsible_name, p.responsibleName];
    }
    if (Object.keys(aSet).length) await trx.updateTable('ci_assets').set({ ...aSet, version: Number(asset.version) + 1, updated_at: now }).where('ci_id', '=', ciId).execute();
  }
  return changes;
}

