import type { Db } from '../../db/index.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import { addDays, daysLeft, lastEndedPeriod, periodEnded, periodsOverlapping, type Period } from '../../core/reporting/due.js';
import { periodLabel } from '../../core/reporting/periods.js';
import { REPORT_TYPES, type ReportType } from '../../core/reporting/templates.js';
import { systemActor, type Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { enqueueJob, type Scheduler } from '../../platform/jobs/scheduler.js';
import { emit } from '../../platform/notify/service.js';
import { effectivePlan, type ReportGenerator } from './reports.generate.service.js';
import { typeName } from './reports.lifecycle.service.js';
import * as repo from './reports.repo.js';
import type { BoardItem } from './reports.schema.js';

/**
 * The due-date side of service reports: the board (every report every contract in scope owes,
 * generated or not, with its due day and whether it is late), the scheduler jobs that generate
 * drafts when a period closes and remind the PM before and after the due day, and the on-time
 * issue rate (a quality KPI, REQ R8).
 */

export const GENERATE_JOB = 'reporting.generate';
export const REMIND_JOB = 'reporting.remind';
/** Both jobs look every hour: a period closes at local midnight in each customer's zone. */
const EVERY_MS = 3_600_000;
/** Reminders go to the PM this many days before the due day (and once when it has passed). */
export const REMIND_DAYS_BEFORE = 2;
/** The board spans at most this many days. */
const MAX_BOARD_DAYS = 400;
/** The longest rest between two drafts of the generation job. */
const MAX_PAUSE_MS = 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Contracts read per page by the board and the jobs. */
const PAGE = 500;

/** The next run of an hourly job: the start of the next hour, plus a minute (periods close on the hour or half-hour). */
export function nextRun(now: number): number {
  return Math.floor(now / EVERY_MS) * EVERY_MS + EVERY_MS + 60_000;
}

/**
 * Puts the two recurring jobs in place (one live job per key, whichever process does it): called
 * when the server starts listening. A job already pending keeps its turn if it is sooner.
 */
export async function ensureReportJobs(db: Db, now = Date.now()): Promise<void> {
  for (const kind of [GENERATE_JOB, REMIND_JOB]) {
    const existing = await db.selectFrom('jobs').select(['run_at', 'status']).where('key', '=', kind).executeTakeFirst();
    if (existing && (existing.status === 'running' || (existing.status === 'pending' && Number(existing.run_at) <= nextRun(now)))) continue;
    await enqueueJob(db, { kind, key: kind, runAt: now }, now);
  }
}

export class ReportDue {
  constructor(
    private readonly db: Db,
    private readonly generator: ReportGenerator,
  ) {}

  /** Each contract's owed (type, period) pairs whose due day lies in [from, to], with the period ended or not. */
  private async owed(contract: repo.ContractInfo, types: ReportType[], from: string, to: string): Promise<Array<{ type: ReportType; period: Period; dueOn: string; dueAt: number }>> {
    const out: Array<{ type: ReportType; period: Period; dueOn: string; dueAt: number }> = [];
    if (!types.length) return out;
    // One calendar lookup per contract, not one per report (the board lists hundreds).
    const calendar = await this.generator.calendarOf(contract);
    for (const type of types) {
      const cadence = REPORT_TYPES[type].cadence;
      // A due day is at most ~2 months after its period: look that far back from `from`.
      for (const period of periodsOverlapping(cadence, addDays(from, cadence === 'month' ? -62 : cadence === 'quarter' ? -62 : -400), to)) {
        if (period.to < contract.startsOn || period.from > contract.endsOn) continue;
        const due = await this.generator.dueOf(contract, type, period, calendar);
        if (due.dueOn < from || due.dueOn > to) continue;
        out.push({ type, period, ...due });
      }
    }
    return out;
  }

  /**
   * The board: every report of every contract in scope whose due day lies in [from, to]
   * (default: 31 days either side of today), not-started ones included (customers' staff see
   * only what was issued to them). Sorted by due day.
   */
  async board(actor: Actor, q: { from?: string; to?: string; customerId?: number; state?: string }, now = Date.now()): Promise<{ from: string; to: string; items: BoardItem[]; truncated: boolean }> {
    const today = instantToZoned(now, 'Asia/Shanghai').date;
    const from = q.from ?? addDays(today, -31);
    const to = q.to ?? addDays(today, 31);
    if (to < from) throw AppError.field('to', 'dateOrder');
    if (daysLeft(to, from) > MAX_BOARD_DAYS) throw AppError.field('to', 'reports.boardTooLong', { max: MAX_BOARD_DAYS });
    const items: BoardItem[] = [];
    let afterId: number | undefined;
    let truncated = false;
    for (;;) {
      // A due day lies after its period: contracts that ended well before `from` owe nothing due in the range.
      const contracts = await repo.contractsRunning(this.db, actor.scope, { from: addDays(from, -400), to, customerId: q.customerId, afterId, limit: PAGE });
      if (!contracts.length) break;
      afterId = contracts[contracts.length - 1].id;
      const plans = await repo.plansOf(this.db, contracts.map((c) => c.id));
      const rows = await repo.reportsDueBetween(this.db, actor, contracts.map((c) => c.id), from, to);
      const byKey = new Map(rows.map((r) => [`${r.contract_id}:${r.type}:${r.period}`, r]));
      for (const c of contracts) {
        for (const o of await this.owed(c, effectivePlan(plans.get(c.id)).types, from, to)) {
          const row = byKey.get(`${c.id}:${o.type}:${o.period.key}`);
          byKey.delete(`${c.id}:${o.type}:${o.period.key}`);
          if (!row && actor.customerId !== null) continue;
          items.push(this.item(actor, c, o.type, o.period, row ?? null, o.dueOn, o.dueAt, now));
        }
      }
      // Reports generated although the plan no longer owes them (the plan changed since): still shown.
      for (const row of byKey.values()) {
        const c = contracts.find((x) => x.id === Number(row.contract_id))!;
        const period = this.generator.periodOf(row.type as ReportType, row.period, actor.locale);
        items.push(this.item(actor, c, row.type as ReportType, period, row, row.due_on, Number(row.due_at), now));
      }
      if (items.length > 5000) {
        truncated = true;
        break;
      }
      if (contracts.length < PAGE) break;
    }
    const filtered = q.state ? items.filter((i) => i.state === q.state) : items;
    filtered.sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.customerName.localeCompare(b.customerName) || a.type.localeCompare(b.type));
    return { from, to, items: filtered, truncated };
  }

  private item(actor: Actor, c: repo.ContractInfo, type: ReportType, period: Period, row: repo.ReportRow | null, dueOn: string, dueAt: number, now: number): BoardItem {
    const today = instantToZoned(now, c.timeZone).date;
    const issuedAt = row?.first_issued_at ?? null;
    return {
      id: row ? Number(row.id) : null,
      number: row?.number ?? null,
      contractId: c.id,
      contractCode: c.code,
      contractName: c.name,
      customerId: c.customerId,
      customerName: c.customerName,
      projectManagerId: c.projectManagerId,
      type,
      typeName: typeName(type, actor.locale),
      period: period.key,
      periodLabel: periodLabel(period, actor.locale),
      periodEnded: periodEnded(period, now, c.timeZone),
      state: (row?.state ?? 'not_started') as BoardItem['state'],
      dueOn,
      daysLeft: daysLeft(dueOn, today),
      overdue: issuedAt === null && now >= dueAt,
      onTime: issuedAt === null ? null : Number(issuedAt) < dueAt,
      issuedAt: iso(issuedAt === null ? null : Number(issuedAt)),
    };
  }

  // ------------------------------------------------------------ jobs

  /**
   * After each period closes in each customer's zone: a draft for every contract that owes it
   * (figures computed then). Idempotent: the unique (contract, type, period) makes a second
   * run, or a second process, create nothing. Periods whose due day has passed are not
   * generated late by the job (the board shows them not started for the PM to generate).
   */
  async runGeneration(now = Date.now()): Promise<number> {
    const actor = systemActor('reporting', ['reports.write']);
    let created = 0;
    let afterId: number | undefined;
    for (;;) {
      const today = instantToZoned(now, 'UTC').date;
      const contracts = await repo.contractsRunning(this.db, { kind: 'all' }, { from: addDays(today, -400), to: addDays(today, 1), afterId, limit: PAGE });
      if (!contracts.length) break;
      afterId = contracts[contracts.length - 1].id;
      const plans = await repo.plansOf(this.db, contracts.map((c) => c.id));
      for (const c of contracts) {
        for (const type of effectivePlan(plans.get(c.id)).types) {
          const period = lastEndedPeriod(REPORT_TYPES[type].cadence, now, c.timeZone);
          if (period.to < c.startsOn || period.from > c.endsOn) continue;
          const due = await this.generator.dueOf(c, type, period);
          if (now >= due.dueAt) continue;
          const started = performance.now();
          const res = await this.generator.createDraft({ ...actor, userId: 0 }, c, type, period, now);
          if (res.created) created++;
          // A background job on the server's own database: rest as long as the draft took, so the
          // database serves the people using it in between (a month's 400 drafts take a minute or two).
          if (res.created) await sleep(Math.min(performance.now() - started, MAX_PAUSE_MS));
        }
      }
      if (contracts.length < PAGE) break;
    }
    return created;
  }

  /**
   * Reminds each contract's PM of a report not yet issued: once REMIND_DAYS_BEFORE days before
   * its due day and once when it is overdue. A reminder row (unique key) is written in the
   * notification's transaction, so two schedulers never send one twice.
   */
  async runReminders(now = Date.now()): Promise<number> {
    let sent = 0;
    let afterId: number | undefined;
    for (;;) {
      const today = instantToZoned(now, 'UTC').date;
      const from = addDays(today, -3);
      const to = addDays(today, REMIND_DAYS_BEFORE + 1);
      const contracts = await repo.contractsRunning(this.db, { kind: 'all' }, { from: addDays(from, -400), to, afterId, limit: PAGE });
      if (!contracts.length) break;
      afterId = contracts[contracts.length - 1].id;
      const plans = await repo.plansOf(this.db, contracts.map((c) => c.id));
      const rows = await repo.reportsDueBetween(this.db, { scope: { kind: 'all' }, customerId: null }, contracts.map((c) => c.id), from, to);
      const byKey = new Map(rows.map((r) => [`${r.contract_id}:${r.type}:${r.period}`, r]));
      for (const c of contracts) {
        if (c.projectManagerId === null) continue;
        const localToday = instantToZoned(now, c.timeZone).date;
        for (const o of await this.owed(c, effectivePlan(plans.get(c.id)).types, from, to)) {
          const row = byKey.get(`${c.id}:${o.type}:${o.period.key}`);
          if (row?.first_issued_at != null) continue;
          const left = daysLeft(o.dueOn, localToday);
          const kind = now >= o.dueAt ? 'overdue' : left <= REMIND_DAYS_BEFORE ? 'before' : null;
          if (!kind) continue;
          const name = `${c.customerName} ${periodLabel(o.period, 'zh-CN')} ${REPORT_TYPES[o.type].zh}`;
          const number = row?.number ?? name;
          const done = await this.db.transaction().execute(async (trx) => {
            if (!(await repo.claimReminder(trx, `${c.id}:${o.type}:${o.period.key}:${kind}`, c.id, now))) return false;
            await emit(
              trx,
              {
                type: 'report.due',
                recipients: [c.projectManagerId!],
                customerId: c.customerId,
                entity: 'service_reports',
                entityId: row ? Number(row.id) : null,
                title: { key: kind === 'overdue' ? 'reports.notify.overdue.title' : 'reports.notify.due.title', params: { number, due: o.dueOn } },
                body: row ? null : { key: 'reports.notify.notStarted', params: { title: name } },
                link: row ? `/reports/${row.id}` : '/reports',
              },
              now,
            );
            return true;
          });
          if (done) sent++;
        }
      }
      if (contracts.length < PAGE) break;
    }
    return sent;
  }

  /** The on-time issue rate (a quality KPI, REQ R8): see repo.onTimeIssueRate. For the metrics module and the quality self-check. */
  onTimeIssueRate(q: { customerIds: number[]; from: string; to: string; contractId?: number }, now = Date.now()) {
    return repo.onTimeIssueRate(this.db, q, now);
  }

}

/** Registers the two recurring jobs: each runs, then books its next turn under its own key. */
export function registerReportJobs(scheduler: Scheduler, db: Db, due: ReportDue, clock: () => number = Date.now): void {
  scheduler.register(GENERATE_JOB, async () => {
    const now = clock();
    await due.runGeneration(now);
    await enqueueJob(db, { kind: GENERATE_JOB, key: GENERATE_JOB, runAt: nextRun(now) });
  });
  scheduler.register(REMIND_JOB, async () => {
    const now = clock();
    await due.runReminders(now);
    await enqueueJob(db, { kind: REMIND_JOB, key: REMIND_JOB, runAt: nextRun(now) });
  });
}
