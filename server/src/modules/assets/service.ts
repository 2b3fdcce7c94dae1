import ExcelJS from 'exceljs';
import type { Db, DbOrTx } from '../../db/index.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import { addDays, dueThreshold, fenToYuan, normaliseThresholds, warrantyStatus, yuanToFen, type Disposal, type WarrantyStatus } from '../../core/assets/rules.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { t } from '../../platform/i18n/index.js';
import { emit } from '../../platform/notify/service.js';
import { getSetting } from '../../platform/settings/index.js';
import { findCiInScope, type CiRow } from '../cmdb/scope.js';
import * as repo from './repo.js';
import type { AssetInput, AssetListItem, AssetOut, AssetRecordOut, DisposeBody, ListQuery } from './schema.js';

export const REMINDER_DAYS_KEY = 'assets.warrantyReminderDays';
/** Most rows an export or a label sheet reads. */
export const EXPORT_MAX = 20_000;
const PAGE = 500;

/** The asset page's address in the web app: what the QR code on the tag carries. */
export function assetUrl(base: string, ciId: number): string {
  return new URL(`assets/${ciId}`, base.endsWith('/') ? base : `${base}/`).toString();
}

/** Today in a zone. */
export function localToday(now: number, timeZone: string): string {
  return instantToZoned(now, timeZone).date;
}

const SHANGHAI = 'Asia/Shanghai';

/** The columns of an asset record an edit may change, as the history and the audit show them. */
function recordOf(a: repo.AssetRow | null) {
  if (!a) return null;
  return {
    assetNo: a.asset_no,
    supplier: a.supplier,
    purchaseDate: a.purchase_date,
    purchaseOrder: a.purchase_order,
    price: fenToYuan(a.price_cents === null ? null : Number(a.price_cents)),
    warrantyEnd: a.warranty_end,
    maintenanceContract: a.maintenance_contract,
    location: a.location,
    responsibleName: a.responsible_name,
    responsibleUserId: a.responsible_user_id === null ? null : Number(a.responsible_user_id),
    installedDate: a.installed_date,
    disposal: a.disposal,
    disposedDate: a.disposed_date,
    disposalNote: a.disposal_note,
  };
}

/** Fields that differ between two records: {field: [before, after]}. */
export function changesOf(before: Record<string, unknown> | null, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    const was = before ? before[k] : null;
    if (JSON.stringify(was ?? null) !== JSON.stringify(v ?? null)) out[k] = [was ?? null, v ?? null];
  }
  return out;
}

/**
 * Assets (docs/ASSETS.md): the financial and lifecycle side of a CI — purchase, price, warranty,
 * maintenance contract, location, person responsible, disposal — its list and export, and the
 * warranty reminders. The only writer of ci_assets. Every change is one transaction with its
 * audit entry and its line in the CI's history (action `asset`).
 */
export class AssetService {
  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------ reads

  async ci(actor: Actor, ciId: number): Promise<CiRow> {
    const ci = await findCiInScope(this.db, actor.scope, ciId);
    if (!ci) throw AppError.notFound();
    return ci;
  }

  async get(actor: Actor, ciId: number, base: string, now = Date.now()): Promise<AssetOut> {
    const ci = await this.ci(actor, ciId);
    const [asset, type, customer, site, campaigns] = await Promise.all([
      repo.findAsset(this.db, ciId),
      this.db.selectFrom('ci_types').select(['name_zh', 'name_en']).where('id', '=', Number(ci.type_id)).executeTakeFirst(),
      this.db.selectFrom('customers').select(['name', 'time_zone']).where('id', '=', Number(ci.customer_id)).executeTakeFirstOrThrow(),
      ci.site_id === null ? Promise.resolve(undefined) : this.db.selectFrom('sites').select('name').where('id', '=', Number(ci.site_id)).executeTakeFirst(),
      repo.openCampaignsOf(this.db, ciId),
    ]);
    const today = localToday(now, customer.time_zone || SHANGHAI);
    return {
      ci: {
        id: ciId,
        code: ci.code,
        name: ci.name,
        status: ci.status,
        typeName: type ? (actor.locale === 'en-US' ? type.name_en : type.name_zh) : null,
        customerId: Number(ci.customer_id),
        customerName: customer.name,
        siteId: ci.site_id === null ? null : Number(ci.site_id),
        siteName: site?.name ?? null,
        brand: ci.brand,
        model: ci.model,
        serial: ci.serial,
        ip: ci.ip,
        version: Number(ci.version),
      },
      asset: asset ? recordOut(asset, today) : null,
      campaigns: campaigns.map((c) => ({ id: Number(c.id), name: c.name, state: c.state as 'open', result: c.result, decision: c.decision })),
      url: assetUrl(base, ciId),
    };
  }

  async list(actor: Actor, q: ListQuery, now = Date.now()): Promise<{ items: AssetListItem[]; nextCursor: string | null }> {
    const after = decodeCursor(q.cursor, ['string']) as [string] | null;
    const rows = await repo.assetListQuery(this.db, actor.scope, { ...this.filterOf(q, now), after: after?.[0], limit: q.limit + 1 }).execute();
    const page = pageOf(rows, q.limit, (r) => [r.asset_no]);
    return { items: page.items.map((r) => listItemOf(r, localToday(now, SHANGHAI))), nextCursor: page.nextCursor };
  }

  filterOf(q: Omit<ListQuery, 'limit' | 'cursor'>, now: number): repo.AssetListFilter {
    const today = localToday(now, SHANGHAI);
    const range =
      q.warranty === 'none' ? { none: true } : q.warranty === 'expired' ? { to: addDays(today, -1) } : q.warranty === 'expiring' ? { from: today, to: addDays(today, 90) } : q.warranty === 'valid' ? { from: addDays(today, 91) } : undefined;
    return {
      customerId: q.customerId,
      siteId: q.siteId,
      warrantyBefore: q.warrantyBefore,
      warrantyRange: range,
      disposed: q.disposed === undefined ? undefined : q.disposed === '1',
      q: q.q || undefined,
      limit: EXPORT_MAX,
    };
  }

  /** Every asset the filters pick (at most EXPORT_MAX), in asset-number order. */
  async rows(actor: Actor, f: repo.AssetListFilter): Promise<repo.AssetListRow[]> {
    const out: repo.AssetListRow[] = [];
    let after: string | undefined;
    while (out.length < f.limit) {
      const rows = await repo.assetListQuery(this.db, actor.scope, { ...f, after, limit: Math.min(PAGE, f.limit - out.length) }).execute();
      out.push(...rows);
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].asset_no;
    }
    return out;
  }

  async exportXlsx(actor: Actor, q: Omit<ListQuery, 'limit' | 'cursor'>, now = Date.now()): Promise<Buffer> {
    const rows = await this.rows(actor, this.filterOf(q, now));
    const today = localToday(now, SHANGHAI);
    const zh = actor.locale !== 'en-US';
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(zh ? '资产台账' : 'Assets');
    const header = zh
      ? ['资产编号', '配置项编号', '名称', '客户', '地点', '存放位置', '序列号', '供应商', '采购日期', '价格（元）', '保修截止', '保修状态', '责任人', '处置', '处置日期']
      : ['Asset no.', 'CI code', 'Name', 'Customer', 'Site', 'Location', 'Serial', 'Supplier', 'Purchased', 'Price (yuan)', 'Warranty end', 'Warranty', 'Responsible', 'Disposal', 'Disposed on'];
    ws.addRow(header).font = { bold: true };
    const warrantyText = (s: WarrantyStatus) => (zh ? { none: '无', expired: '已过保', expiring: '即将到期', valid: '在保' } : { none: 'none', expired: 'expired', expiring: 'ending soon', valid: 'valid' })[s];
    for (const r of rows) {
      const item = listItemOf(r, today);
      ws.addRow([
        item.assetNo, item.ciCode, item.ciName, item.customerName, item.siteName ?? '', item.location ?? '', item.serial ?? '', item.supplier ?? '', item.purchaseDate ?? '', item.price ?? '', item.warrantyEnd ?? '',
        warrantyText(item.warrantyStatus), item.responsibleName ?? '', item.disposal ? t(actor.locale, `assets.disposal.${item.disposal}`) : '', item.disposedDate ?? '',
      ]);
    }
    ws.columns.forEach((c, i) => (c.width = [14, 16, 24, 20, 16, 20, 16, 16, 12, 12, 12, 10, 10, 8, 12][i] ?? 12));
    ws.getColumn(10).numFmt = '#,##0.00';
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async history(actor: Actor, ciId: number) {
    await this.ci(actor, ciId);
    const rows = await repo.historyOf(this.db, ciId);
    return rows.map((r) => ({ id: Number(r.id), at: iso(Number(r.at)), actorName: r.actor_name, action: r.action, changes: JSON.parse(r.changes) as unknown }));
  }

  // ------------------------------------------------------------ writes

  /** Creates the CI's asset record (no version) or updates it (the version read; a stale one is a 409). */
  async put(actor: Actor, ciId: number, input: AssetInput, base: string): Promise<AssetOut> {
    const ci = await this.ci(actor, ciId);
    const priceFen = input.price === null ? null : yuanToFen(input.price);
    const problems: FieldProblem[] = [];
    if (input.price !== null && priceFen === null) problems.push({ field: 'price', code: 'assets.price' });
    dateOrder(problems, input.purchaseDate, 'purchaseDate', [['warrantyEnd', input.warrantyEnd], ['installedDate', input.installedDate]]);
    if (input.responsibleUserId !== null && !(await this.userMayBeResponsible(input.responsibleUserId, Number(ci.customer_id)))) problems.push({ field: 'responsibleUserId', code: 'assets.userNotFound' });
    if (problems.length) throw AppError.validation(problems);
    try {
      await this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        await findCiInScope(trx, actor.scope, ciId, true);
        const pre = await repo.findAsset(trx, ciId, true);
        if (pre ? input.version !== pre.version : input.version != null) throw AppError.conflict();
        if (pre?.disposal) throw new AppError(409, 'disposed', 'assets.disposed', { date: pre.disposed_date, disposal: t(actor.locale, `assets.disposal.${pre.disposal}`) });
        if (await repo.assetNoTaken(trx, input.assetNo, ciId)) throw AppError.duplicate('assetNo', input.assetNo);
        const values = {
          asset_no: input.assetNo,
          supplier: input.supplier,
          purchase_date: input.purchaseDate,
          purchase_order: input.purchaseOrder,
          price_cents: priceFen,
          warranty_end: input.warrantyEnd,
          maintenance_contract: input.maintenanceContract,
          location: input.location,
          responsible_name: input.responsibleName,
          responsible_user_id: input.responsibleUserId,
          installed_date: input.installedDate,
          updated_at: now,
        };
        if (pre) {
          const res = await trx.updateTable('ci_assets').set({ ...values, version: pre.version + 1 }).where('ci_id', '=', ciId).where('version', '=', pre.version).executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw AppError.conflict();
        } else {
          await trx.insertInto('ci_assets').values({ ci_id: ciId, customer_id: Number(ci.customer_id), ...values, version: 1, created_at: now }).execute();
        }
        const before = recordOf(pre ?? null);
        const after = recordOf((await repo.findAsset(trx, ciId))!)!;
        await this.record(trx, actor, ci, pre ? 'update' : 'create', before, after, now);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('assetNo', input.assetNo);
      throw err;
    }
    return this.get(actor, ciId, base);
  }

  /** Disposal (报废 / 出售 / 退还 / 捐赠): recorded on the asset, and the CI is retired. */
  async dispose(actor: Actor, ciId: number, body: DisposeBody, base: string): Promise<AssetOut> {
    const ci = await this.ci(actor, ciId);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const lockedCi = (await findCiInScope(trx, actor.scope, ciId, true)) ?? ci;
      const pre = await repo.findAsset(trx, ciId, true);
      if (!pre) throw new AppError(409, 'no_asset', 'assets.noAsset');
      if (pre.version !== body.version) throw AppError.conflict();
      if (pre.disposal) throw new AppError(409, 'disposed', 'assets.disposed', { date: pre.disposed_date, disposal: t(actor.locale, `assets.disposal.${pre.disposal}`) });
      const problems: FieldProblem[] = [];
      dateOrder(problems, pre.purchase_date, 'purchaseDate', [['date', body.date]]);
      if (problems.length) throw AppError.validation(problems);
      await trx
        .updateTable('ci_assets')
        .set({ disposal: body.disposal, disposed_date: body.date, disposal_note: body.note, version: pre.version + 1, updated_at: now })
        .where('ci_id', '=', ciId)
        .where('version', '=', pre.version)
        .execute();
      if (lockedCi.status !== 'retired') {
        await trx.updateTable('cis').set({ status: 'retired', version: Number(lockedCi.version) + 1, updated_at: now, updated_by: actor.userId || null }).where('id', '=', ciId).execute();
      }
      const after = recordOf((await repo.findAsset(trx, ciId))!)!;
      await this.record(trx, actor, lockedCi, 'dispose', recordOf(pre), { ...after, ciStatus: 'retired' }, now, { ciStatus: lockedCi.status });
    });
    return this.get(actor, ciId, base);
  }

  private async record(trx: DbOrTx, actor: Actor, ci: CiRow, action: string, before: Record<string, unknown> | null, after: Record<string, unknown>, now: number, extraBefore: Record<string, unknown> = {}): Promise<void> {
    const ciId = Number(ci.id);
    const fullBefore = before ? { ...before, ...extraBefore } : null;
    await recordAudit(trx, auditActorOf(actor), { action, entity: 'ci_assets', entityId: ciId, customerId: Number(ci.customer_id), before: fullBefore, after }, now);
    await repo.addHistory(trx, ciId, { userId: actor.userId || null, name: actor.displayName }, 'asset', { op: action, changes: changesOf(fullBefore, after) }, now);
  }

  private async userMayBeResponsible(userId: number, customerId: number): Promise<boolean> {
    const u = await this.db.selectFrom('users').select(['customer_id', 'disabled']).where('id', '=', userId).executeTakeFirst();
    return !!u && u.disabled === 0 && (u.customer_id === null || Number(u.customer_id) === customerId);
  }

  // ------------------------------------------------------------ warranty reminders

  /**
   * The warranty reminders due now (docs/ASSETS.md): each asset whose warranty ends within a
   * threshold (90 and 30 days by default) in its customer's zone tells the customer's project
   * managers and the person responsible — once per asset, warranty end and threshold, however
   * often this runs (the deed is claimed in asset_reminders in the notification's transaction).
   * Returns the reminders sent.
   */
  async runWarrantyReminders(now = Date.now()): Promise<number> {
    const thresholds = normaliseThresholds(await getSetting(this.db, REMINDER_DAYS_KEY));
    const utcToday = new Date(now).toISOString().slice(0, 10);
    const from = addDays(utcToday, -1);
    const to = addDays(utcToday, Math.max(...thresholds) + 1);
    let afterId = 0;
    let sent = 0;
    const pms = new Map<string, number[]>();
    for (;;) {
      const rows = await this.db
        .selectFrom('ci_assets')
        .innerJoin('cis', 'cis.id', 'ci_assets.ci_id')
        .innerJoin('customers', 'customers.id', 'ci_assets.customer_id')
        .select(['ci_assets.ci_id', 'ci_assets.customer_id', 'ci_assets.asset_no', 'ci_assets.warranty_end', 'ci_assets.supplier', 'ci_assets.maintenance_contract', 'ci_assets.responsible_user_id', 'cis.name', 'customers.name as customer_name', 'customers.time_zone'])
        .where('ci_assets.warranty_end', '>=', from)
        .where('ci_assets.warranty_end', '<=', to)
        .where('ci_assets.disposal', 'is', null)
        .where('ci_assets.ci_id', '>', afterId)
        .orderBy('ci_assets.ci_id')
        .limit(PAGE)
        .execute();
      if (!rows.length) break;
      afterId = Number(rows[rows.length - 1].ci_id);
      const due = rows
        .map((r) => {
          const today = localToday(now, r.time_zone || SHANGHAI);
          const days = dueThreshold(r.warranty_end!, today, thresholds);
          return days === null ? null : { r, today, days, key: `warranty:${r.ci_id}:${r.warranty_end}:${days}` };
        })
        .filter((x) => x !== null);
      const done = due.length ? new Set((await this.db.selectFrom('asset_reminders').select('reminder_key').where('reminder_key', 'in', due.map((d) => d.key)).execute()).map((x) => x.reminder_key)) : new Set<string>();
      for (const d of due) {
        if (done.has(d.key)) continue;
        const customerId = Number(d.r.customer_id);
        const pmKey = `${customerId}:${d.today}`;
        if (!pms.has(pmKey)) pms.set(pmKey, await repo.projectManagers(this.db, customerId, d.today));
        const recipients = [...new Set([...pms.get(pmKey)!, ...(d.r.responsible_user_id === null ? [] : [Number(d.r.responsible_user_id)])])];
        if (!recipients.length) continue;
        const left = Math.round((Date.parse(d.r.warranty_end!) - Date.parse(d.today)) / 86_400_000);
        const ok = await this.db.transaction().execute(async (trx) => {
          if (!(await repo.claimReminder(trx, d.key, customerId, Number(d.r.ci_id), now))) return false;
          const params = { assetNo: d.r.asset_no, name: d.r.name, date: d.r.warranty_end, days: left };
          await emit(
            trx,
            {
              type: 'asset.warranty',
              recipients,
              customerId,
              entity: 'ci_assets',
              entityId: Number(d.r.ci_id),
              title: { key: 'assets.notify.warranty', params },
              body: { key: 'assets.notify.warrantyBody', params: { customer: d.r.customer_name, supplier: d.r.supplier ?? '—', contract: d.r.maintenance_contract ?? '—' } },
              link: `/assets/${d.r.ci_id}`,
            },
            now,
          );
          return true;
        });
        if (ok) sent++;
      }
      if (rows.length < PAGE) break;
    }
    return sent;
  }
}

/** Adds a problem for each later date that comes before `first`. */
function dateOrder(problems: FieldProblem[], first: string | null, firstField: string, later: Array<[string, string | null]>): void {
  if (!first) return;
  for (const [field, value] of later) {
    if (value && value < first) problems.push({ field, code: 'assets.dateOrder', params: { other: [`assets.field.${firstField}`], date: first } });
  }
}

function recordOut(a: repo.AssetRow, today: string): AssetRecordOut {
  const r = recordOf(a)!;
  return { ...r, disposal: r.disposal as Disposal | null, warrantyStatus: warrantyStatus(a.warranty_end, today), version: Number(a.version), updatedAt: iso(Number(a.updated_at)) };
}

export function listItemOf(r: repo.AssetListRow, today: string): AssetListItem {
  return {
    ciId: Number(r.ci_id),
    ciCode: r.ci_code,
    ciName: r.ci_name,
    ciStatus: r.ci_status,
    customerId: Number(r.customer_id),
    customerName: r.customer_name,
    siteId: r.site_id === null ? null : Number(r.site_id),
    siteName: r.site_name ?? null,
    serial: r.serial,
    assetNo: r.asset_no,
    supplier: r.supplier,
    price: fenToYuan(r.price_cents === null ? null : Number(r.price_cents)),
    purchaseDate: r.purchase_date,
    warrantyEnd: r.warranty_end,
    warrantyStatus: warrantyStatus(r.warranty_end, today),
    location: r.location,
    responsibleName: r.responsible_name,
    disposal: r.disposal as Disposal | null,
    disposedDate: r.disposed_date,
    version: Number(r.version),
  };
}
