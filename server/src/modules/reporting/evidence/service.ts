import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { instantToZoned } from '../../../core/calendar/index.js';
import type { Db } from '../../../db/index.js';
import { auditActorOf, recordAudit, type AuditActor } from '../../../platform/audit/service.js';
import type { Actor } from '../../../platform/auth/actor.js';
import { claimBlob, discardBlob, openBlob, writeBlob } from '../../../platform/files/store.js';
import { AppError } from '../../../platform/http/errors.js';
import { iso } from '../../../platform/http/zod.js';
import { enqueueJob } from '../../../platform/jobs/scheduler.js';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { gatherPlan } from './gather.js';
import './messages.js';
import { PackCancelled, safeName, type PackCustomer, type PackPeriod, type PackPlan, type PackResult } from './plan.js';
import * as repo from './repo.js';
import type { ExportCreate, ExportOut } from './schema.js';
import { periodInstants, writePack } from './writer.js';

export const EVIDENCE_JOB_KIND = 'evidence.export';
/** An audit's period is a year or a contract's three; longer is a mistake, not a request. */
export const MAX_PERIOD_DAYS = 1096;
/** A run that wrote no progress for this long died with its process: the job may take it over. */
const STALE_MS = 3 * 60_000;
/** Progress is written at most this often (one UPDATE; the page polls every second or two). */
const PROGRESS_EVERY_MS = 1000;

const DAY = 86_400_000;

/**
 * Checks a period for one customer: real dates, in order, no longer than MAX_PERIOD_DAYS, and
 * ended — `to` before today in the customer's zone. Only an ended period packs to the same bytes
 * twice (today's tickets are still coming in), so a period that has not ended is refused rather
 * than exported with a warning.
 */
export function checkPeriod(customer: Pick<PackCustomer, 'timeZone'>, from: string, to: string, now: number): PackPeriod {
  const day = (s: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN);
  const f = day(from);
  const t = day(to);
  const problems = [];
  if (Number.isNaN(f) || new Date(f).toISOString().slice(0, 10) !== from) problems.push({ field: 'from', code: 'evidence.date.invalid' });
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== to) problems.push({ field: 'to', code: 'evidence.date.invalid' });
  if (problems.length) throw AppError.validation(problems);
  if (t < f) throw AppError.field('to', 'evidence.period.reversed', { from });
  const today = instantToZoned(now, customer.timeZone).date;
  if (to >= today) {
    const latest = new Date(Date.parse(`${today}T00:00:00Z`) - DAY).toISOString().slice(0, 10);
    throw AppError.field('to', 'evidence.period.notEnded', { to, latest, timeZone: customer.timeZone });
  }
  const days = Math.round((t - f) / DAY) + 1;
  if (days > MAX_PERIOD_DAYS) throw AppError.field('from', 'evidence.period.tooLong', { max: MAX_PERIOD_DAYS, from, to, days });
  return { from, to, ...periodInstants(from, to, customer.timeZone) };
}

export function packFileName(customer: Pick<PackCustomer, 'code'>, period: Pick<PackPeriod, 'from' | 'to'>): string {
  return `evidence-${safeName(customer.code)}-${period.from}-${period.to}.zip`;
}

function customerOf(row: { id: number | bigint; code: string; name: string; time_zone: string; tier: number }): PackCustomer {
  return { id: Number(row.id), code: row.code, name: row.name, timeZone: row.time_zone, tier: row.tier };
}

export interface FileExportSummary {
  file: string;
  plan: PackPlan;
  result: PackResult;
  bytes: number;
}

/** Evidence packs: exported to a file by the CLI, or by a background job into the file store for the web app. */
export class EvidenceService {
  constructor(
    private readonly db: Db,
    private readonly font: FontChoice,
    private readonly config: { providerName: string | null } = { providerName: null },
  ) {}

  // ------------------------------------------------------------ the CLI

  /** `--customer` takes the customer's code or id; the CLI sees every customer. */
  async customerByRef(ref: string): Promise<PackCustomer> {
    const trimmed = ref.trim();
    let row = await this.db.selectFrom('customers').select(['id', 'code', 'name', 'time_zone', 'tier']).where('code', '=', trimmed).executeTakeFirst();
    if (!row && /^\d{1,15}$/.test(trimmed)) row = await repo.findCustomer(this.db, { kind: 'all' }, Number(trimmed));
    if (!row) throw AppError.field('customer', 'evidence.customer.unknown', { customer: trimmed });
    return customerOf(row);
  }

  /**
   * Writes the pack to `file` (through a temporary file renamed at the end: a failed export leaves
   * no plausible-looking partial zip) and records the export in the audit log.
   */
  async exportToFile(who: AuditActor, customer: PackCustomer, period: PackPeriod, file: string, progress?: (done: number, total: number) => void): Promise<FileExportSummary> {
    const plan = await gatherPlan(this.db, customer, period);
    const tmp = `${file}.partial-${process.pid}`;
    const { output, finished } = writePack(this.db, plan, { font: this.font, config: this.config, progress });
    try {
      const [, result] = await Promise.all([pipeline(output, fs.createWriteStream(tmp)), finished]);
      fs.renameSync(tmp, file);
      await this.db.transaction().execute((trx) =>
        recordAudit(trx, who, { action: 'export', entity: 'evidence_packs', entityId: null, customerId: customer.id, after: { from: period.from, to: period.to, file, manifestSha256: result.manifestSha256, tickets: plan.tickets.length } }),
      );
      return { file, plan, result, bytes: fs.statSync(file).size };
    } catch (err) {
      output.destroy();
      await finished.catch(() => {});
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  // ------------------------------------------------------------ the web app: a job per export

  async start(actor: Actor, input: ExportCreate): Promise<ExportOut> {
    const row = await repo.findCustomer(this.db, actor.scope, input.customerId);
    if (!row) throw AppError.notFound();
    const customer = customerOf(row);
    const period = checkPeriod(customer, input.from, input.to, Date.now());
    const id = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const exportId = await repo.insertExport(trx, { customer_id: customer.id, from_date: period.from, to_date: period.to, requested_by: actor.userId || null, requested_at: now });
      await enqueueJob(trx, { kind: EVIDENCE_JOB_KIND, key: `evidence:${exportId}`, payload: { exportId }, maxAttempts: 3 }, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'export', entity: 'evidence_exports', entityId: exportId, customerId: customer.id, after: { from: period.from, to: period.to } }, now);
      return exportId;
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: number): Promise<ExportOut> {
    const [row] = await repo.listExports(this.db, actor.scope, { id }, 1);
    if (!row) throw AppError.notFound();
    return view(row);
  }

  async list(actor: Actor, q: { customerId?: number; limit: number; cursor?: string }): Promise<{ items: ExportOut[]; nextCursor: string | null }> {
    const rows = await repo.listExports(this.db, actor.scope, { customerId: q.customerId, beforeId: q.cursor ? Number(q.cursor) : undefined }, q.limit + 1);
    const items = rows.slice(0, q.limit).map(view);
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].id) : null };
  }

  async download(actor: Actor, id: number) {
    const row = await repo.findExport(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    if (row.state !== 'done' || row.blob_id === null) throw new AppError(409, 'not_ready', 'evidence.notReady', { state: row.state });
    const blob = await openBlob(this.db, row.blob_id);
    return { name: row.file_name ?? `evidence-${id}.zip`, size: blob.size, stream: blob.stream };
  }

  async cancel(actor: Actor, id: number): Promise<ExportOut> {
    const row = await repo.findExport(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    if (!(await repo.requestCancel(this.db, id))) throw AppError.conflict('evidence.notCancellable');
    // A queued export never started: it is cancelled now (its job finds it so and does nothing).
    await this.db.updateTable('evidence_exports').set({ state: 'cancelled', finished_at: Date.now(), error: null }).where('id', '=', id).where('state', '=', 'queued').execute();
    return this.get(actor, id);
  }

  /**
   * The job: builds the pack into the file store. Idempotent: a finished export is left alone;
   * one still running elsewhere (fresh heartbeat) too; a run whose process died is started over.
   * Failures end in state `failed` with the reason (the user starts a new export), not in retries.
   */
  async run(exportId: number): Promise<void> {
    const row = await repo.exportById(this.db, exportId);
    if (!row || row.state === 'done' || row.state === 'failed' || row.state === 'cancelled') return;
    const now = Date.now();
    if (row.state === 'running' && row.heartbeat_at !== null && now - row.heartbeat_at < STALE_MS) return;
    if (row.cancel_requested) {
      await repo.updateExport(this.db, exportId, { state: 'cancelled', finished_at: now });
      return;
    }
    await repo.updateExport(this.db, exportId, { state: 'running', started_at: now, heartbeat_at: now, done: 0, total: 0, error: null });
    const customerRow = await repo.findCustomer(this.db, { kind: 'all' }, Number(row.customer_id));
    let blobId: number | null = null;
    try {
      if (!customerRow) throw new Error('the customer was deleted');
      const customer = customerOf(customerRow);
      const period = checkPeriodAgain(customer, row.from_date, row.to_date);
      const plan = await gatherPlan(this.db, customer, period);
      let last = 0;
      const { output, finished } = writePack(this.db, plan, {
        font: this.font,
        config: this.config,
        progress: async (done, total) => {
          const t = Date.now();
          if (t - last < PROGRESS_EVERY_MS && done < total) return;
          last = t;
          await repo.updateExport(this.db, exportId, { done, total, heartbeat_at: t });
        },
        cancelled: () => repo.cancelRequested(this.db, exportId),
      });
      const stored = writeBlob(this.db, output as AsyncIterable<Buffer>).catch((err: Error) => {
        output.destroy(err);
        throw err;
      });
      const [blob, result] = await Promise.all([stored, finished]);
      blobId = blob.id;
      await this.db.transaction().execute(async (trx) => {
        await claimBlob(trx, blob.id, 'application/zip');
        await repo.updateExport(trx, exportId, {
          state: 'done',
          blob_id: blob.id,
          file_name: packFileName(customer, period),
          size: blob.size,
          sha256: blob.sha256,
          tickets: plan.tickets.length,
          chain_ok: plan.chainAtExport.ok ? 1 : 0,
          chain_checked: plan.chainAtExport.checked,
          done: result.files.length,
          total: result.files.length,
          finished_at: Date.now(),
        });
      });
    } catch (err) {
      await discardBlob(this.db, blobId);
      const cancelled = err instanceof PackCancelled;
      await repo.updateExport(this.db, exportId, { state: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : String((err as Error).message ?? err).slice(0, 1000), finished_at: Date.now() });
    }
  }
}

/** The period was checked when the export was asked for; the dates are rechecked only for form (a day later they are still ended). */
function checkPeriodAgain(customer: PackCustomer, from: string, to: string): PackPeriod {
  return { from, to, ...periodInstants(from, to, customer.timeZone) };
}

function view(r: repo.ExportRow & { customer_name: string; requested_by_name: string | null }): ExportOut {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    customerName: r.customer_name,
    from: r.from_date,
    to: r.to_date,
    state: r.state as ExportOut['state'],
    done: r.done,
    total: r.total,
    fileName: r.file_name,
    size: r.size === null ? null : Number(r.size),
    sha256: r.sha256,
    tickets: r.tickets,
    chainOk: r.chain_ok === null ? null : r.chain_ok === 1,
    chainChecked: r.chain_checked,
    error: r.error,
    requestedBy: r.requested_by_name,
    requestedAt: iso(Number(r.requested_at)),
    startedAt: iso(r.started_at === null ? null : Number(r.started_at)),
    finishedAt: iso(r.finished_at === null ? null : Number(r.finished_at)),
  };
}
