import { Readable } from 'node:stream';
import type { Db, DbOrTx } from '../../db/index.js';
import type { DueRule } from '../../core/reporting/due.js';
import { REPORT_TYPES, REPORT_TYPE_CODES, layoutProblems, resolveSections } from '../../core/reporting/templates.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { claimBlob, deleteBlob, discardBlob, openBlob, writeBlob } from '../../platform/files/store.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import type { Locale } from '../../platform/i18n/index.js';
import { getSetting, setSetting } from '../../platform/settings/index.js';
import { ENABLED_MODULES, effectivePlan } from './reports.generate.service.js';
import * as repo from './reports.repo.js';
import { recipientChoice, recipientProblems, type RecipientChoice } from './reports.recipients.js';
import type { PlanBody } from './reports.schema.js';

/**
 * Per-contract report plans (which reports a contract owes, their sections, review and
 * recipients) and the provider's letterhead (text and logo, platform settings) printed on
 * every report. Admins and PMs holding reports.manage change them; each change is audited.
 */

export const LETTERHEAD_KEY = 'reports.letterhead';
export const MAX_LOGO_BYTES = 512 * 1024;

interface StoredLetterhead {
  text: string;
  logoBlobId: number | null;
  logoSha256: string | null;
  logoMime: string | null;
}

async function storedLetterhead(db: DbOrTx): Promise<StoredLetterhead> {
  const v = await getSetting<Partial<StoredLetterhead>>(db, LETTERHEAD_KEY);
  return { text: typeof v?.text === 'string' ? v.text : '', logoBlobId: v?.logoBlobId ?? null, logoSha256: v?.logoSha256 ?? null, logoMime: v?.logoMime ?? null };
}

/** The letterhead as the renderers take it (logo bytes read from its blob). */
export async function letterheadOf(db: DbOrTx): Promise<{ text: string; logo: Uint8Array | null }> {
  const l = await storedLetterhead(db);
  if (l.logoBlobId === null) return { text: l.text, logo: null };
  const blob = await openBlob(db, l.logoBlobId);
  const chunks: Buffer[] = [];
  for await (const c of blob.stream) chunks.push(c as Buffer);
  return { text: l.text, logo: Buffer.concat(chunks) };
}

function dueText(rule: DueRule, locale: Locale): string {
  if (rule.kind === 'day_of_next_month') return locale === 'en-US' ? `day ${rule.day} of the next month` : `次月 ${rule.day} 日`;
  return locale === 'en-US' ? `${rule.days} days after the period` : `期末后 ${rule.days} 天`;
}

export class ReportTemplates {
  constructor(private readonly db: Db) {}

  private async contract(actor: Actor, contractId: number): Promise<repo.ContractInfo> {
    if (actor.customerId !== null) throw AppError.notFound();
    const c = await repo.findContract(this.db, actor.scope, contractId);
    if (!c) throw AppError.notFound();
    return c;
  }

  async getPlan(actor: Actor, contractId: number) {
    const c = await this.contract(actor, contractId);
    return this.planView(c, await repo.findPlan(this.db, c.id), actor.locale);
  }

  private planView(c: repo.ContractInfo, row: repo.PlanRow | undefined, locale: Locale) {
    const plan = effectivePlan(row);
    return {
      contractId: c.id,
      customerId: c.customerId,
      stored: plan.stored,
      version: plan.version,
      types: plan.types,
      layouts: plan.layouts as Record<string, { key: string; hidden?: boolean; title?: string }[]>,
      reviewRequired: plan.reviewRequired,
      reviewerId: plan.reviewerId,
      recipients: plan.recipients,
      catalogue: REPORT_TYPE_CODES.map((type) => {
        const def = REPORT_TYPES[type];
        return {
          type,
          name: locale === 'en-US' ? def.en : def.zh,
          cadence: def.cadence,
          due: dueText(def.due, locale),
          req: def.req,
          owed: plan.types.includes(type),
          sections: resolveSections(type, plan.layouts[type], ENABLED_MODULES, locale).map(({ key, kind, title, hidden, unavailable }) => ({ key, kind, title, hidden, unavailable })),
        };
      }),
    };
  }

  /** Who may receive the contract's reports (the customer's users) and who is told by default. */
  async recipients(actor: Actor, contractId: number): Promise<RecipientChoice & { customerId: number; customerName: string }> {
    const c = await this.contract(actor, contractId);
    const plan = effectivePlan(await repo.findPlan(this.db, c.id));
    return { customerId: c.customerId, customerName: c.customerName, ...(await recipientChoice(this.db, c.customerId, plan.recipients)) };
  }

  /** Replaces the contract's plan (version 0: none stored yet); problems name the field. */
  async putPlan(actor: Actor, contractId: number, body: PlanBody) {
    const c = await this.contract(actor, contractId);
    const problems: FieldProblem[] = [];
    for (const [type, entries] of Object.entries(body.layouts)) {
      for (const p of layoutProblems(entries ?? [])) problems.push({ field: `layouts.${type}[${p.index}].key`, code: p.code, params: { key: p.key } });
    }
    if (body.reviewerId !== null) {
      const reviewer = await this.db.selectFrom('users').select(['id', 'customer_id']).where('id', '=', body.reviewerId).where('disabled', '=', 0).executeTakeFirst();
      if (!reviewer || reviewer.customer_id !== null) problems.push({ field: 'reviewerId', code: 'reports.reviewerUnknown' });
    }
    problems.push(...(await recipientProblems(this.db, { id: c.customerId, name: c.customerName }, body.recipients)));
    if (problems.length) throw AppError.validation(problems);
    const pre = await repo.findPlan(this.db, c.id);
    if ((pre?.version ?? 0) !== body.version) throw AppError.conflict();
    const now = Date.now();
    const values = {
      types: JSON.stringify([...new Set(body.types)]),
      layouts: JSON.stringify(body.layouts),
      review_required: body.reviewRequired ? 1 : 0,
      reviewer_id: body.reviewerId,
      recipients: JSON.stringify([...new Set(body.recipients)]),
      updated_at: now,
    };
    await this.db.transaction().execute(async (trx) => {
      if (!pre) {
        try {
          await trx.insertInto('service_report_plans').values({ ...values, contract_id: c.id, customer_id: c.customerId, created_at: now, version: 1 }).execute();
        } catch {
          throw AppError.conflict();
        }
      } else {
        const res = await trx.updateTable('service_report_plans').set({ ...values, version: pre.version + 1 }).where('id', '=', pre.id).where('version', '=', pre.version).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw AppError.conflict();
      }
      await recordAudit(trx, auditActorOf(actor), { action: pre ? 'update' : 'create', entity: 'service_report_plans', entityId: c.id, customerId: c.customerId, before: pre ? effectivePlan(pre) : null, after: { ...body, version: undefined } }, now);
    });
    return this.planView(c, await repo.findPlan(this.db, c.id), actor.locale);
  }

  // ------------------------------------------------------------ letterhead

  async getLetterhead() {
    const l = await storedLetterhead(this.db);
    const logo = l.logoBlobId === null ? null : (await letterheadOf(this.db)).logo;
    return { text: l.text, hasLogo: l.logoBlobId !== null, logoSha256: l.logoSha256, logoMime: l.logoMime, logoDataUrl: logo ? `data:${l.logoMime};base64,${Buffer.from(logo).toString('base64')}` : null };
  }

  async setLetterheadText(actor: Actor, text: string) {
    const pre = await storedLetterhead(this.db);
    await this.db.transaction().execute(async (trx) => {
      await setSetting(trx, LETTERHEAD_KEY, { ...pre, text });
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'settings', entityId: LETTERHEAD_KEY, before: { text: pre.text }, after: { text } });
    });
    return this.getLetterhead();
  }

  /** Stores a PNG or JPEG logo (≤ 512 KB), replacing the previous one. */
  async setLogo(actor: Actor, bytes: Buffer) {
    const mime = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? 'image/png' : bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff ? 'image/jpeg' : null;
    if (!mime) throw AppError.field('logo', 'reports.logoType');
    if (bytes.length > MAX_LOGO_BYTES) throw AppError.field('logo', 'reports.logoTooLarge', { limit: '512 KB' });
    const blob = await writeBlob(this.db, Readable.from([bytes]));
    try {
      const pre = await storedLetterhead(this.db);
      await this.db.transaction().execute(async (trx) => {
        await claimBlob(trx, blob.id, mime);
        await setSetting(trx, LETTERHEAD_KEY, { ...pre, logoBlobId: blob.id, logoSha256: blob.sha256, logoMime: mime });
        await deleteBlob(trx, pre.logoBlobId);
        await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'settings', entityId: LETTERHEAD_KEY, before: { logoSha256: pre.logoSha256 }, after: { logoSha256: blob.sha256, mime, size: blob.size } });
      });
    } catch (err) {
      await discardBlob(this.db, blob.id);
      throw err;
    }
    return this.getLetterhead();
  }

  async removeLogo(actor: Actor) {
    const pre = await storedLetterhead(this.db);
    await this.db.transaction().execute(async (trx) => {
      await setSetting(trx, LETTERHEAD_KEY, { ...pre, logoBlobId: null, logoSha256: null, logoMime: null });
      await deleteBlob(trx, pre.logoBlobId);
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'settings', entityId: LETTERHEAD_KEY, before: { logoSha256: pre.logoSha256 }, after: { logoSha256: null } });
    });
    return this.getLetterhead();
  }
}
