import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../db/index.js';
import { dialectOf } from '../../db/dialect.js';

/**
 * The job scheduler. Every `yunwei serve` process runs the same loop: claim due jobs
 * atomically, run their (idempotent) handlers, retry failures with exponential backoff, and
 * park a job that keeps failing where an administrator sees it and can retry it.
 *
 * Exactly-once: a claim is one atomic UPDATE … RETURNING (with FOR UPDATE SKIP LOCKED on
 * PostgreSQL; SQLite has a single writer), so two processes never claim the same job. A
 * process that dies mid-job leaves a lease that expires; the job is then claimed again, which
 * is why handlers must be idempotent. A job due while no process ran is simply due at start-up.
 */
export interface JobContext<P> {
  id: number;
  kind: string;
  key: string | null;
  payload: P;
  attempt: number;
  db: Db;
}

export type JobHandler<P = unknown> = (job: JobContext<P>) => Promise<void>;

export interface EnqueueOptions {
  kind: string;
  payload?: unknown;
  runAt?: number;
  /** One live job per key: enqueueing an existing key reschedules it (if not running). */
  key?: string;
  maxAttempts?: number;
}

export interface SchedulerOptions {
  pollMs?: number;
  leaseMs?: number;
  concurrency?: number;
  /** Done jobs are deleted after this long. */
  keepDoneMs?: number;
  onError?: (err: unknown, job?: { id: number; kind: string }) => void;
}

/** Adds or reschedules a job; call it in the transaction of the change that causes it. */
export async function enqueueJob(db: DbOrTx, opts: EnqueueOptions, now = Date.now()): Promise<void> {
  const row = {
    kind: opts.kind,
    key: opts.key ?? null,
    payload: JSON.stringify(opts.payload ?? {}),
    run_at: opts.runAt ?? now,
    status: 'pending',
    attempts: 0,
    max_attempts: opts.maxAttempts ?? 8,
    locked_by: null,
    locked_until: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  if (!opts.key) {
    await db.insertInto('jobs').values(row).execute();
    return;
  }
  // A job running right now keeps running; `attempts = 0` tells its worker to set it pending
  // again (at the new run_at) instead of done when it finishes: a change made while the job ran,
  // or the job rescheduling its own key, is never lost.
  await db
    .insertInto('jobs')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        kind: row.kind,
        payload: row.payload,
        run_at: row.run_at,
        status: sql<string>`case when ${sql.ref('jobs.status')} = 'running' then 'running' else 'pending' end`,
        attempts: 0,
        max_attempts: row.max_attempts,
        last_error: null,
        updated_at: now,
        finished_at: null,
      }),
    )
    .execute();
}

/** Cancels a pending job by key (e.g. an SLA timer for a metric that was met). */
export async function cancelJob(db: DbOrTx, key: string): Promise<void> {
  await db.deleteFrom('jobs').where('key', '=', key).where('status', 'in', ['pending', 'failed']).execute();
}

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s … capped at one hour. */
export function backoffMs(attempt: number): number {
  return Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempt - 1));
}

export class Scheduler {
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private handlers = new Map<string, JobHandler<any>>();
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private stopped = true;
  private ticking: Promise<void> | null = null;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly keepDoneMs: number;
  readonly stats = { ran: 0, failed: 0, parked: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.concurrency = opts.concurrency ?? 4;
    this.keepDoneMs = opts.keepDoneMs ?? 7 * 86_400_000;
  }

  register<P>(kind: string, handler: JobHandler<P>): void {
    if (this.handlers.has(kind)) throw new Error(`job handler ${kind} registered twice`);
    this.handlers.set(kind, handler as JobHandler<any>);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** Runs until no job is due (tests and the CLI use this instead of the timer loop). */
  async drain(now?: () => number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runDue(now ? now() : Date.now());
      total += n;
      if (n === 0) return total;
    }
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.runDue(Date.now())
        .catch((err) => this.opts.onError?.(err))
        .then((n) => this.schedule(n && n >= this.concurrency ? 0 : this.pollMs));
    }, ms);
    this.timer.unref?.();
  }

  /** Claims up to `concurrency` due jobs and runs them; returns how many ran. */
  async runDue(now: number): Promise<number> {
    const claimed = await this.claim(now, this.concurrency - this.running);
    await Promise.all(claimed.map((job) => this.execute(job)));
    if (claimed.length === 0 && Math.random() < 0.01) await this.purge(now);
    return claimed.length;
  }

  private async claim(now: number, limit: number) {
    if (limit <= 0) return [];
    const due = (eb: any) =>
      eb.or([eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)])]);
    const pg = dialectOf(this.db) === 'postgres';
    let ids = this.db.selectFrom('jobs').select('id').where(due).orderBy('run_at').limit(limit);
    if (pg) ids = ids.forUpdate().skipLocked();
    return this.db
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', locked_by: this.workerId, locked_until: now + this.leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', ids)
      // Re-check on the row itself: on SQLite the subquery and update are one statement under
      // the write lock; on PostgreSQL SKIP LOCKED already excluded rows others hold.
      .where(due)
      .returningAll()
      .execute();
  }

  private async execute(job: Awaited<ReturnType<Scheduler['claim']>>[number]) {
    this.running++;
    try {
      const handler = this.handlers.get(job.kind);
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler({ id: job.id, kind: job.kind, key: job.key, payload: JSON.parse(job.payload), attempt: job.attempts, db: this.db });
      const now = Date.now();
      // attempts = 0: enqueued again while running (see enqueueJob), so due again rather than done.
      await this.db
        .updateTable('jobs')
        .set({
          status: sql<string>`case when attempts = 0 then 'pending' else 'done' end`,
          finished_at: sql<number | null>`case when attempts = 0 then null else cast(${now} as bigint) end`,
          updated_at: now,
          locked_by: null,
          locked_until: null,
          last_error: null,
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute();
      this.stats.ran++;
    } catch (err) {
      const now = Date.now();
      const park = job.attempts >= job.max_attempts;
      const message = (err instanceof Error ? err.stack ?? err.message : String(err)).slice(0, 4000);
      await this.db
        .updateTable('jobs')
        .set({ status: park ? 'failed' : 'pending', run_at: park ? job.run_at : now + backoffMs(job.attempts), last_error: message, updated_at: now, locked_by: null, locked_until: null })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute();
      this.stats.failed++;
      if (park) this.stats.parked++;
      this.opts.onError?.(err, { id: job.id, kind: job.kind });
    } finally {
      this.running--;
    }
  }

  private async purge(now: number) {
    await this.db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', now - this.keepDoneMs).execute();
  }
}

/** Moves a parked (failed) job back to pending, due now. */
export async function retryJob(db: DbOrTx, id: number, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ status: 'pending', run_at: now, attempts: 0, last_error: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function jobCounts(db: DbOrTx): Promise<Record<string, number>> {
  const rows = await db.selectFrom('jobs').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
