import type { Db, Tx } from '../../db/index.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import type { CompiledCalendar } from '../../core/calendar/index.js';
import { dueDate, dueEnd, parsePeriod, periodEnded, periodInstants, type Period } from '../../core/reporting/due.js';
import type { ReportSection } from '../../core/reporting/document.js';
import { periodLabel } from '../../core/reporting/periods.js';
import {
  DEFAULT_OWED,
  REPORT_TYPES,
  isReportType,
  reportNumber,
  resolveSections,
  type LayoutEntry,
  type OptionalModule,
  type ReportType,
  type ResolvedSection,
} from '../../core/reporting/templates.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation } from '../../platform/http/errors.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import type { CalendarService } from '../sla/calendars.service.js';
import * as repo from './reports.repo.js';
import { buildSection, type MetricsPort } from './reports.sections.js';

/**
 * Generation of service reports: a draft for a (contract, type, period) with its figures
 * computed now and frozen in version 1, and "refresh figures" recomputing them later. Used by
 * the API (a PM generating a report) and by the scheduler job right after each period closes.
 */

/** Modules the optional sections draw on that this installation has (docs/REPORTS.md): spare parts with vendor repairs, and assets (issue #13). */
export const ENABLED_MODULES: ReadonlySet<OptionalModule> = new Set<OptionalModule>(['parts', 'assets']);

/** Reports are written in Chinese (the customers' language; docs/REPORTS.md). */
export const REPORT_LOCALE: Locale = 'zh-CN';

export interface FrozenSection extends ResolvedSection {
  blocks: ReportSection['blocks'];
}

/** What a version's `figures` holds: the header as generated and every section (narratives empty). */
export interface Figures {
  title: string;
  customerName: string;
  contractName: string;
  periodLabel: string;
  periodFrom: string;
  periodTo: string;
  locale: Locale;
  generatedAt: number;
  sections: FrozenSection[];
}

/** The plan of a contract as the rules read it: stored, or the defaults. */
export interface EffectivePlan {
  types: ReportType[];
  layouts: Partial<Record<ReportType, LayoutEntry[]>>;
  reviewRequired: boolean;
  reviewerId: number | null;
  recipients: number[];
  version: number;
  stored: boolean;
}

export function effectivePlan(row: repo.PlanRow | undefined): EffectivePlan {
  if (!row) return { types: [...DEFAULT_OWED], layouts: {}, reviewRequired: false, reviewerId: null, recipients: [], version: 0, stored: false };
  return {
    types: (JSON.parse(row.types) as string[]).filter(isReportType),
    layouts: JSON.parse(row.layouts) as EffectivePlan['layouts'],
    reviewRequired: row.review_required === 1,
    reviewerId: row.reviewer_id === null ? null : Number(row.reviewer_id),
    recipients: (JSON.parse(row.recipients) as number[]).map(Number),
    version: row.version,
    stored: true,
  };
}

export class ReportGenerator {
  constructor(
    private readonly db: Db,
    private readonly calendars: CalendarService,
    private readonly metrics: MetricsPort,
  ) {}

  /** The period a key names for a report type; 400 naming `period` when it is not one of its cadence. */
  periodOf(type: ReportType, key: string, locale: Locale): Period {
    const cadence = REPORT_TYPES[type].cadence;
    const p = parsePeriod(cadence, key);
    if (!p) {
      const example = cadence === 'month' ? '2026-11' : cadence === 'quarter' ? '2026-Q4' : '2026';
      throw AppError.field('period', 'reports.periodInvalid', { value: key, cadence: t(locale, `reports.cadence.${cadence}`), example });
    }
    return p;
  }

  /**
   * Checks a period may have a report on the contract: it has ended in the customer's zone
   * (400 naming it otherwise) and overlaps the contract's term.
   */
  checkPeriod(contract: repo.ContractInfo, p: Period, now: number, locale: Locale): void {
    if (!periodEnded(p, now, contract.timeZone)) {
      const end = instantToZoned(periodInstants(p, contract.timeZone).end, contract.timeZone);
      throw AppError.field('period', 'reports.periodNotEnded', { period: periodLabel(p, locale), end: `${end.date} ${end.time} (${contract.timeZone})` });
    }
    if (p.to < contract.startsOn) throw AppError.field('period', 'reports.periodBeforeContract', { period: periodLabel(p, locale), contract: contract.code, start: contract.startsOn });
    if (p.from > contract.endsOn) throw AppError.field('period', 'reports.periodAfterContract', { period: periodLabel(p, locale), contract: contract.code, end: contract.endsOn });
  }

  /** The due day of a report on the contract's calendar (moved off non-working days). */
  async dueOf(contract: repo.ContractInfo, type: ReportType, p: Period, compiled?: CompiledCalendar): Promise<{ dueOn: string; dueAt: number }> {
    const calendar = compiled ?? (await this.calendars.compiled(contract.calendarId));
    const dueOn = dueDate(REPORT_TYPES[type].due, p, (d) => calendar.intervalsOn(d).length > 0);
    return { dueOn, dueAt: dueEnd(dueOn, contract.timeZone) };
  }

  /** The figures of a report: every section resolved from the plan's layout, data sections computed now. */
  async figures(contract: repo.ContractInfo, type: ReportType, p: Period, plan: EffectivePlan, now: number): Promise<Figures> {
    const locale = REPORT_LOCALE;
    // Figures are frozen as of now: the KPIs' daily rollup first takes in the latest changes (it otherwise lags up to a minute).
    await this.metrics.rollup?.catchUp();
    const sections = resolveSections(type, plan.layouts[type], ENABLED_MODULES, locale);
    const { start, end } = periodInstants(p, contract.timeZone);
    const input = { db: this.db, metrics: this.metrics, locale, customerId: contract.customerId, contractId: contract.id, timeZone: contract.timeZone, tier: contract.tier, from: p.from, to: p.to, start, end };
    const frozen: FrozenSection[] = [];
    for (const s of sections) {
      // Hidden sections are computed too: showing one later needs no regeneration of the others' figures.
      frozen.push({ ...s, blocks: s.kind === 'data' ? await buildSection(s, input) : [] });
    }
    const label = periodLabel(p, locale);
    const def = REPORT_TYPES[type];
    return {
      title: `${contract.customerName} ${label} ${locale === 'en-US' ? def.en : def.zh}`,
      customerName: contract.customerName,
      contractName: contract.name,
      periodLabel: label,
      periodFrom: p.from,
      periodTo: p.to,
      locale,
      generatedAt: now,
      sections: frozen,
    };
  }

  /**
   * Creates the draft of a (contract, type, period) with version 1, in one transaction with its
   * audit entry. `exists` decides what a second attempt gets: the API a 409 naming the report,
   * the job nothing (it is idempotent: the unique (contract, type, period) lets one win).
   */
  async createDraft(actor: Actor, contract: repo.ContractInfo, type: ReportType, p: Period, now: number): Promise<{ id: number; created: boolean }> {
    const existing = await repo.findByPeriod(this.db, contract.id, type, p.key);
    if (existing) return { id: Number(existing.id), created: false };
    const plan = effectivePlan(await repo.findPlan(this.db, contract.id));
    const figures = await this.figures(contract, type, p, plan, now);
    const due = await this.dueOf(contract, type, p);
    // The customer's code alone unless another of its contracts runs in the same period (then the contract's code too).
    const several = (await repo.contractsOfCustomerDuring(this.db, contract.customerId, p.from, p.to)) > 1;
    const number = reportNumber(type, p.key, contract.customerCode, several ? contract.code : null);
    try {
      return await this.db.transaction().execute(async (trx) => {
        const values: repo.NewReport = {
          contract_id: contract.id,
          customer_id: contract.customerId,
          type,
          period: p.key,
          period_from: p.from,
          period_to: p.to,
          number,
          state: 'draft',
          due_on: due.dueOn,
          due_at: due.dueAt,
          time_zone: contract.timeZone,
          current_seq: 1,
          prepared_by: actor.userId || contract.projectManagerId,
          submitted_at: null,
          reviewed_by: null,
          reviewed_at: null,
          review_comment: null,
          issued_at: null,
          first_issued_at: null,
          issued_by: null,
          signed_at: null,
          signed_by: null,
          signer_name: null,
          returned_at: null,
          returned_by: null,
          customer_comment: null,
          created_at: now,
          updated_at: now,
          updated_by: actor.userId || null,
          version: 1,
        };
        const id = await repo.insertReport(trx, values);
        await this.insertVersion(trx, actor, id, 1, figures, {}, now, null);
        await recordAudit(trx, auditActorOf(actor), { action: 'generate', entity: 'service_reports', entityId: id, customerId: contract.customerId, after: { id, number, type, period: p.key, dueOn: due.dueOn, contractId: contract.id } }, now);
        return { id, created: true };
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Generated at the same moment by another process or request: that one stands.
      const winner = await repo.findByPeriod(this.db, contract.id, type, p.key);
      if (!winner) throw err;
      return { id: Number(winner.id), created: false };
    }
  }

  async insertVersion(trx: Tx, actor: Actor, reportId: number, seq: number, figures: Figures, narratives: Record<string, string>, now: number, note: string | null): Promise<number> {
    return repo.insertVersion(trx, {
      report_id: reportId,
      seq,
      figures: JSON.stringify(figures),
      narratives: JSON.stringify(narratives),
      generated_at: figures.generatedAt,
      generated_by: actor.userId || null,
      note,
      pdf_blob_id: null,
      pdf_sha256: null,
      pdf_size: null,
      docx_blob_id: null,
      docx_sha256: null,
      docx_size: null,
      xlsx_blob_id: null,
      xlsx_sha256: null,
      xlsx_size: null,
      issued_at: null,
      issued_by: null,
      created_at: now,
      created_by: actor.userId || null,
    });
  }

  /** The contract's business calendar, compiled (cached by the calendar service). */
  calendarOf(contract: repo.ContractInfo): Promise<CompiledCalendar> {
    return this.calendars.compiled(contract.calendarId);
  }

  /** Whether a contract owes a type at all (its plan). */
  async owes(contractId: number, type: ReportType): Promise<boolean> {
    return effectivePlan(await repo.findPlan(this.db, contractId)).types.includes(type);
  }
}
