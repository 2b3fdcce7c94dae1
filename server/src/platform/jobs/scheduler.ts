import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Db, DbOrTx } from '../../db/index.js';
import { yieldToIo } from './yield.js';
import { dialectOf } from '../../db/dialect.js';
import type { JobsTable } from '../../db/schema.js';

/**
 * The job scheduler. Every `yunwei serve` process runs the same loops: claim due jobs
 * atomically, run their (idempotent) handlers, retry failures with exponential backoff, and
 * park a job that keeps failing where an administrator sees it and can retry it.
 *
 * Two kinds of handler. A single handler (`register`) runs one job; up to `concurrency` of them
 * run at a time. A batch handler (`registerBatch`) runs up to
 * `batchSize` due jobs of its kind at once (the SLA job: one transaction for many tickets, the
 * lookups they share made once); each batch kind has `batchConcurrency` claim loops of its own,
 * so a slow mail never delays an SLA warning; while a batch kind is behind (its claims come back
 * full), kinds of lower priority (on one of their loops) and the single jobs run a round at
 * most every poll interval (the SLA job outranks the notifications it causes). A loop whose claim came back full claims again at once;
 * otherwise it sleeps until the earliest pending job of its kinds is due (at most `pollMs`,
 * which also bounds how late a job enqueued by another process is seen).
 *
 * Exactly-once: a claim is one atomic UPDATE … RETURNING of one kind's earliest due jobs (with
 * FOR UPDATE SKIP LOCKED on PostgreSQL, so parallel loops and processes take disjoint jobs;
 * SQLite has a single writer), so two claimers never get the same job. A process that dies
 * mid-job leaves a lease that expires; the job is then claimed again, which is why handlers
 * must be idempotent. A job due while no process ran is simply due at start-up. A batch whose
 * handler throws is run again one job at a time, so one bad job fails (and is retried, then
 * parked) alone.
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

/** What a batch handler may report: the jobs of the batch that failed (each with its error); the others succeeded. */
export interface BatchOutcome {
  failed?: Map<number, unknown>;
}

export type BatchJobHandler<P = unknown> = (jobs: JobContext<P>[]) => Promise<BatchOutcome | void>;

export interface EnqueueOptions {
  kind: string;
  payload?: unknown;
  runAt?: number;
  /** One live job per key: enqueueing an existing key reschedules it (if not running). */
  key?: string;
  maxAttempts?: number;
}

export interface SchedulerOptions {
  /** The longest a claim loop sleeps (it wakes earlier when a job of its kinds falls due). */
  pollMs?: number;
  leaseMs?: number;
  /** Single jobs running at a time. */
  concurrency?: number;
  /** Most jobs of a batch kind claimed and run at once. */
  batchSize?: number;
  /** Batches of one kind running at a time (default: 1 on SQLite, a single writer; 5 on PostgreSQL, where a batch waits on round trips more than on the CPU). */
  batchConcurrency?: number;
  /** Done jobs are deleted after this long. */
  keepDoneMs?: number;
  onError?: (err: unknown, job?: { id: number; kind: string }) => void;
}

type JobRow = Selectable<JobsTable>;

function jobRow(opts: EnqueueOptions, now: number) {
  return {
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
}

/**
 * Schedulers of this process hear of every job enqueued here (kind, due instant), so a loop
 * asleep until later wakes for a job due sooner; jobs enqueued by other processes are seen
 * within the poll interval. (Heard before the enqueuing transaction commits: a loop woken for a
 * job that is not there yet, or never will be, finds nothing and sleeps again.)
 */
const enqueueListeners = new Set<(kind: string, runAt: number) => void>();

function announce(kind: string, runAt: number) {
  for (const l of enqueueListeners) l(kind, runAt);
}

/** Adds or reschedules a job; call it in the transaction of the change that causes it. */
export async function enqueueJob(db: DbOrTx, opts: EnqueueOptions, now = Date.now()): Promise<void> {
  const row = jobRow(opts, now);
  announce(row.kind, row.run_at);
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

/** Rows per statement when writing many jobs (within both databases' limits on parameters). */
const ROWS_PER_STATEMENT = 500;

/**
 * `enqueueJob` for many keyed jobs in a few statements, with the same rules (a running job is
 * left running and told to run again). A key given twice keeps its last options.
 */
export async function enqueueJobs(db: DbOrTx, jobs: ReadonlyArray<EnqueueOptions & { key: string }>, now = Date.now()): Promise<void> {
  const byKey = new Map(jobs.map((j) => [j.key, jobRow(j, now)]));
  const rows = [...byKey.values()];
  const earliest = new Map<string, number>();
  for (const r of rows) earliest.set(r.kind, Math.min(r.run_at, earliest.get(r.kind) ?? Infinity));
  for (const [kind, runAt] of earliest) announce(kind, runAt);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await db
      .insertInto('jobs')
      .values(rows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          kind: sql<string>`excluded.kind`,
          payload: sql<string>`excluded.payload`,
          run_at: sql<number>`excluded.run_at`,
          status: sql<string>`case when ${sql.ref('jobs.status')} = 'running' then 'running' else 'pending' end`,
          attempts: 0,
          max_attempts: sql<number>`excluded.max_attempts`,
          last_error: null,
          updated_at: now,
          finished_at: null,
        }),
      )
      .execute();
  }
}

/** Cancels a pending job by key (e.g. an SLA timer for a metric that was met). */
export async function cancelJob(db: DbOrTx, key: string): Promise<void> {
  await db.deleteFrom('jobs').where('key', '=', key).where('status', 'in', ['pending', 'failed']).execute();
}

/** `cancelJob` for many keys. */
export async function cancelJobs(db: DbOrTx, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += ROWS_PER_STATEMENT) {
    await db
      .deleteFrom('jobs')
      .where('key', 'in', keys.slice(i, i + ROWS_PER_STATEMENT))
      .where('status', 'in', ['pending', 'failed'])
      .execute();
  }
}

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s … capped at one hour. */
export function backoffMs(attempt: number): number {
  return Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempt - 1));
}

type Registered = { batch: false; run: JobHandler<any> } | { batch: true; run: BatchJobHandler<any>; priority: number };

export interface BatchOptions {
  /**
   * Higher goes first: while a batch kind's claims come back full (it is behind), the loops of
   * kinds of lower priority, and single jobs (below every batch kind), run a round at most every
   * poll interval.
   * The SLA job (timers) outranks the notifications it causes. Default 0.
   */
  priority?: number;
}


/** A sleeping loop: until when, and which kinds' new jobs wake it sooner (null: none). */
interface Sleeper {
  until: number;
  kinds: ReadonlySet<string> | null;
  timer: NodeJS.Timeout;
  wake(): void;
}

/** While a kind of higher priority is behind (its claims come back full), other loops look again this often whether it still is. */
const YIELD_MS = 50;
/** How long a job heard of in this process may still be uncommitted, and how soon to look for it again meanwhile. */
const UNCOMMITTED_MS = 1000;
const RECHECK_MS = 20;

export class Scheduler {
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private handlers = new Map<string, Registered>();
  private stopped = true;
  private loops: Promise<void>[] = [];
  private batchLoopsFor = new Set<string>();
  /** Rounds of single jobs running now. */
  private running = new Set<Promise<unknown>>();
  private sleepers = new Set<Sleeper>();
  /** The earliest pending run_at of each single kind as far as this process knows (Infinity: none). */
  private nextDueOf = new Map<string, number>();
  /**
   * Jobs enqueued in this process lately, per kind: when last heard of, and the earliest due
   * instant heard of since. Heard of before their transaction commits, so a claim right after
   * may not see them yet: the loops look again shortly rather than sleeping a poll interval.
   */
  private lately = new Map<string, { at: number; runAt: number }>();
  private nextDueRefreshedAt = -Infinity;
  /** When each lane last looked for expired leases (they are rare: not on every claim). */
  private lapsedCheckedAt = new Map<string, number>();
  /** Batch loops whose last claim came back full, by their kind's priority. */
  private behind = new Map<number, number>();
  /** Rotates which single kind is claimed first, so that no kind starves the others. */
  private rotation = 0;
  private readonly listener = (kind: string, runAt: number) => this.heard(kind, runAt);
  private readonly pg: boolean;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly batchConcurrency: number;
  private readonly keepDoneMs: number;
  readonly stats = {
    ran: 0,
    failed: 0,
    parked: 0,
    batches: 0,
    batchFallbacks: 0,
    /** Jobs that ran (successfully) and batches, per kind. */
    ranByKind: {} as Record<string, number>,
    batchesByKind: {} as Record<string, number>,
  };

  constructor(
    private readonly db: Db,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.pg = dialectOf(db) === 'postgres';
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.batchSize = Math.max(1, opts.batchSize ?? 200);
    this.batchConcurrency = Math.max(1, opts.batchConcurrency ?? (this.pg ? 5 : 1));
    this.keepDoneMs = opts.keepDoneMs ?? 7 * 86_400_000;
  }

  register<P>(kind: string, handler: JobHandler<P>): void {
    this.add(kind, { batch: false, run: handler as JobHandler<any> });
  }

  /**
   * A handler that runs many due jobs of its kind at once. It returns normally when every job
   * succeeded, reports jobs that failed in `failed`, or throws: then each job of the batch is
   * run again alone (as a batch of one), so the others are not lost with the bad one.
   */
  registerBatch<P>(kind: string, handler: BatchJobHandler<P>, opts: BatchOptions = {}): void {
    this.add(kind, { batch: true, run: handler as BatchJobHandler<any>, priority: opts.priority ?? 0 });
    if (!this.stopped) this.startBatchLoops(kind);
  }

  private add(kind: string, h: Registered) {
    if (this.handlers.has(kind)) throw new Error(`job handler ${kind} registered twice`);
    this.handlers.set(kind, h);
  }

  private kinds(batch: boolean): string[] {
    return [...this.handlers].filter(([, h]) => h.batch === batch).map(([k]) => k);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    enqueueListeners.add(this.listener);
    this.loops.push(this.singleLoop());
    for (const kind of this.kinds(true)) this.startBatchLoops(kind);
  }

  private startBatchLoops(kind: string) {
    if (this.batchLoopsFor.has(kind)) return;
    this.batchLoopsFor.add(kind);
    for (let i = 0; i < this.batchConcurrency; i++) this.loops.push(this.batchLoop(kind, i));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    enqueueListeners.delete(this.listener);
    for (const s of [...this.sleepers]) s.wake();
    await Promise.all(this.loops);
    await Promise.all(this.running);
    this.loops = [];
    this.batchLoopsFor.clear();
  }

  /** Runs until no job is due (tests and the CLI use this instead of the loops). */
  async drain(now?: () => number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runDue(now ? now() : Date.now());
      total += n;
      if (n === 0) return total;
    }
  }

  /** One round: a batch of each batch kind and a round of single jobs, run to the end; returns how many ran. */
  async runDue(now: number): Promise<number> {
    let n = 0;
    for (const kind of this.kinds(true)) n += await this.runBatchOf(kind, now);
    n += await this.runSingles(now);
    if (n === 0 && Math.random() < 0.01) await this.purge(now);
    return n;
  }

  // ------------------------------------------------------------------ loops

  private async singleLoop() {
    while (!this.stopped) {
      // Timers first: while a batch kind (the SLA job) is behind, single jobs (the notifications'
      // notifications those timers cause) leave it the process, a round now and then.
      await this.yieldWhileOutranked(-Infinity, this.pollMs);
      let n = 0;
      try {
        n = await this.runSingles(Date.now(), true);
        if (n === 0 && Math.random() < 0.01) await this.purge(Date.now());
      } catch (err) {
        this.opts.onError?.(err);
      }
      if (this.stopped) break;
      if (n >= this.concurrency) {
        await yieldToIo();
        continue;
      }
      const kinds = this.kinds(false);
      try {
        if (Date.now() - this.nextDueRefreshedAt >= this.pollMs) await this.refreshNextDue(kinds);
      } catch (err) {
        this.opts.onError?.(err);
      }
      let next = this.nextDueRefreshedAt + this.pollMs;
      for (const k of kinds) next = Math.min(next, this.nextDueOf.get(k) ?? -Infinity);
      await this.sleep(next - Date.now(), new Set(kinds));
    }
  }

  private async batchLoop(kind: string, index: number) {
    const priority = (this.handlers.get(kind) as Extract<Registered, { batch: true }>).priority;
    const mark = (delta: number) => this.behind.set(priority, (this.behind.get(priority) ?? 0) + delta);
    let wasBehind = false;
    while (!this.stopped) {
      // Outranked, a kind runs on its first loop only (the others wait it out, a minute at most).
      await this.yieldWhileOutranked(priority, index === 0 ? this.pollMs : 60_000);
      let n = 0;
      try {
        n = await this.runBatchOf(kind, Date.now(), true);
      } catch (err) {
        this.opts.onError?.(err);
      }
      const isBehind = n >= this.batchSize;
      if (isBehind !== wasBehind) mark(isBehind ? 1 : -1);
      wasBehind = isBehind;
      if (this.stopped) break;
      if (isBehind) {
        await yieldToIo();
        continue;
      }
      let next: number | null = null;
      try {
        next = await this.nextDue(kind);
      } catch (err) {
        this.opts.onError?.(err);
      }
      const now = Date.now();
      const again = this.lookAgain(kind, now);
      if (again < (next ?? Infinity)) next = again;
      // Due already: go again at once if this round found work, else (rows another claim holds) shortly.
      const wait = next === null ? this.pollMs : next > now ? Math.min(this.pollMs, next - now) : n > 0 ? 0 : 5;
      if (wait === 0) await yieldToIo();
      else await this.sleep(wait, new Set([kind]));
    }
    if (wasBehind) mark(-1);
  }

  /**
   * While a kind of higher priority is behind, a loop waits — up to `atMostMs`, so that the kind
   * still runs a round now and then (a round of a batch kind can be long: pausing only between
   * rounds would leave it most of the process).
   */
  private async yieldWhileOutranked(priority: number, atMostMs: number) {
    const until = Date.now() + atMostMs;
    while (!this.stopped && this.outranked(priority) && Date.now() < until) await this.sleep(YIELD_MS, null);
  }

  /** Whether a kind of higher priority than this is behind. */
  private outranked(priority: number): boolean {
    for (const [p, n] of this.behind) if (p > priority && n > 0) return true;
    return false;
  }

  /** Sleeps `ms` (at least 1, at most pollMs); a job of `kinds` enqueued in this process for sooner shortens it; stop() ends it. */
  private sleep(ms: number, kinds: ReadonlySet<string> | null): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const wait = Math.max(1, Math.min(this.pollMs, ms));
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        until: Date.now() + wait,
        kinds,
        timer: setTimeout(() => sleeper.wake(), wait),
        wake: () => {
          clearTimeout(sleeper.timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      sleeper.timer.unref?.();
      this.sleepers.add(sleeper);
    });
  }

  /** A job was enqueued in this process: note it, and wake (or wake sooner) the loops of its kind. */
  private heard(kind: string, runAt: number) {
    const now = Date.now();
    const last = this.lately.get(kind);
    this.lately.set(kind, { at: now, runAt: last && now - last.at < UNCOMMITTED_MS ? Math.min(last.runAt, runAt) : runAt });
    if (this.nextDueOf.has(kind)) this.nextDueOf.set(kind, Math.min(runAt, this.nextDueOf.get(kind)!));
    for (const s of [...this.sleepers]) {
      if (!s.kinds?.has(kind) || runAt >= s.until) continue;
      const ms = runAt - Date.now();
      if (ms <= 0) s.wake();
      else {
        clearTimeout(s.timer);
        s.until = runAt;
        s.timer = setTimeout(() => s.wake(), ms);
        s.timer.unref?.();
      }
    }
  }

  /** When to look again for a kind whose claim found nothing due: a job heard of lately may not have been committed yet. */
  private lookAgain(kind: string, now: number): number {
    const h = this.lately.get(kind);
    return h && now - h.at < UNCOMMITTED_MS ? Math.max(h.runAt, now + RECHECK_MS) : Infinity;
  }

  private async nextDue(kind: string): Promise<number | null> {
    const row = await this.db.selectFrom('jobs').select('run_at').where('kind', '=', kind).where('status', '=', 'pending').orderBy('run_at').limit(1).executeTakeFirst();
    return row ? Number(row.run_at) : null;
  }

  private async refreshNextDue(kinds: string[]) {
    const at = Date.now();
    for (const kind of kinds) this.nextDueOf.set(kind, (await this.nextDue(kind)) ?? Infinity);
    this.nextDueRefreshedAt = at;
  }

  // ------------------------------------------------------------------ claims

  /**
   * Claims up to `limit` due jobs of one kind: leases that expired first (their process died),
   * then pending jobs in run_at order (a range of the jobs_kind_due index).
   */
  private async claimKind(kind: string, now: number, limit: number, lapsedToo = true): Promise<JobRow[]> {
    if (limit <= 0) return [];
    const out: JobRow[] = [];
    if (lapsedToo) {
      out.push(...(await this.claimWhere(sql`kind = ${kind} and status = 'running' and locked_until < ${now}`, sql`locked_until`, limit, now)));
      if (out.length >= limit) return out;
    }
    const due = sql`kind = ${kind} and status = 'pending' and run_at <= ${now}`;
    out.push(...(await this.claimWhere(due, sql`run_at`, limit - out.length, now)));
    return out.sort((a, b) => Number(a.run_at) - Number(b.run_at));
  }

  /**
   * The claim: one UPDATE … RETURNING of the first `limit` rows matching `where`, written out
   * (the query builder would cost more than running it). PostgreSQL: the candidates are picked
   * once (an array, not a subquery the planner may run again and so go past the limit), FOR
   * UPDATE SKIP LOCKED passes over rows another claim holds and re-checks a row that changed
   * before it was locked. SQLite: the subquery and the update are one statement under the
   * write lock (re-checking the conditions in the outer WHERE would make SQLite scan every
   * matching job instead of looking the chosen ids up).
   */
  private async claimWhere(where: RawBuilder<unknown>, order: RawBuilder<unknown>, limit: number, now: number): Promise<JobRow[]> {
    const set = sql`status = 'running', locked_by = ${this.workerId}, locked_until = ${now + this.leaseMs}, attempts = attempts + 1, updated_at = ${now}`;
    const res = this.pg
      ? await sql<JobRow>`update jobs set ${set} where id = any(array(select id from jobs where ${where} order by ${order} limit ${limit} for update skip locked)) returning *`.execute(this.db)
      : await sql<JobRow>`update jobs set ${set} where id in (select id from jobs where ${where} order by ${order} limit ${limit}) returning *`.execute(this.db);
    return res.rows;
  }

  /** Up to `concurrency` single jobs: expired leases of any single kind, then due jobs kind by kind (from a rotating kind, so none starves). */
  private async claimSingles(now: number, loop = false): Promise<JobRow[]> {
    const kinds = this.kinds(false);
    if (!kinds.length) return [];
    const out: JobRow[] = [];
    if (this.lapsedCheckDue('', now, loop)) {
      out.push(...(await this.claimWhere(sql`kind in (${sql.join(kinds)}) and status = 'running' and locked_until < ${now}`, sql`locked_until`, this.concurrency, now)));
    }
    const start = this.rotation++;
    for (let i = 0; i < kinds.length && out.length < this.concurrency; i++) {
      const kind = kinds[(start + i) % kinds.length];
      // The loop skips kinds known to have nothing due (runDue asks every kind).
      if (loop && (this.nextDueOf.get(kind) ?? -Infinity) > now) continue;
      const want = this.concurrency - out.length;
      const got = await this.claimKind(kind, now, want, false);
      out.push(...got);
      // Nothing more due now; what falls due later is heard of (this process) or found by the next refresh.
      if (got.length < want) this.nextDueOf.set(kind, this.lookAgain(kind, now));
    }
    return out;
  }

  /** Expired leases are rare: the loops look for them once per poll interval (runDue always does). */
  private lapsedCheckDue(lane: string, now: number, loop: boolean): boolean {
    const checked = this.lapsedCheckedAt.get(lane) ?? -Infinity;
    if (loop && now - checked < Math.min(this.pollMs, this.leaseMs / 4)) return false;
    this.lapsedCheckedAt.set(lane, now);
    return true;
  }

  // ------------------------------------------------------------------ running

  private context(job: JobRow): JobContext<unknown> {
    return { id: Number(job.id), kind: job.kind, key: job.key, payload: JSON.parse(job.payload), attempt: job.attempts, db: this.db };
  }

  /** Claims a round of single jobs, runs them side by side and records them; returns how many ran. */
  private async runSingles(now: number, loop = false): Promise<number> {
    const jobs = await this.claimSingles(now, loop);
    if (!jobs.length) return 0;
    const round = Promise.all(
      jobs.map(async (job) => {
        try {
          const h = this.handlers.get(job.kind);
          if (!h || h.batch) throw new Error(`no handler for job kind ${job.kind}`);
          await h.run(this.context(job));
          return null;
        } catch (err) {
          return { err };
        }
      }),
    );
    this.running.add(round);
    let results: Array<{ err: unknown } | null>;
    try {
      results = await round;
    } finally {
      this.running.delete(round);
    }
    await this.complete(jobs.filter((_, i) => results[i] === null));
    for (let i = 0; i < jobs.length; i++) if (results[i]) await this.fail(jobs[i], results[i]!.err);
    return jobs.length;
  }

  /** Claims and runs one batch of a kind; returns how many jobs it held. `loop`: look for expired leases only now and then. */
  private async runBatchOf(kind: string, now: number, loop = false): Promise<number> {
    const jobs = await this.claimKind(kind, now, this.batchSize, this.lapsedCheckDue(kind, now, loop));
    if (!jobs.length) return 0;
    const h = this.handlers.get(kind) as Extract<Registered, { batch: true }>;
    const contexts = jobs.map((j) => this.context(j));
    let failed: Map<number, unknown>;
    try {
      failed = (await h.run(contexts))?.failed ?? new Map();
    } catch (err) {
      // The batch as a whole failed (its transaction rolled back): run each job alone, so one
      // bad job fails by itself and the others are not lost or held back with it.
      this.stats.batchFallbacks++;
      failed = new Map();
      for (const c of contexts) {
        try {
          const f = (await h.run([c]))?.failed;
          if (f?.has(c.id)) failed.set(c.id, f.get(c.id));
        } catch (e) {
          failed.set(c.id, e);
        }
      }
    }
    this.stats.batches++;
    this.stats.batchesByKind[kind] = (this.stats.batchesByKind[kind] ?? 0) + 1;
    await this.complete(jobs.filter((j) => !failed.has(Number(j.id))));
    for (const j of jobs) if (failed.has(Number(j.id))) await this.fail(j, failed.get(Number(j.id)));
    return jobs.length;
  }

  /** Marks jobs done, or pending again if their key was enqueued while they ran (attempts = 0, see enqueueJob). */
  private async complete(jobs: JobRow[]) {
    if (!jobs.length) return;
    const now = Date.now();
    for (let i = 0; i < jobs.length; i += ROWS_PER_STATEMENT) {
      const ids = sql.join(jobs.slice(i, i + ROWS_PER_STATEMENT).map((j) => j.id));
      await sql`update jobs set status = case when attempts = 0 then 'pending' else 'done' end,
          finished_at = case when attempts = 0 then null else cast(${now} as bigint) end,
          updated_at = ${now}, locked_by = null, locked_until = null, last_error = null
        where id in (${ids}) and locked_by = ${this.workerId}`.execute(this.db);
    }
    this.stats.ran += jobs.length;
    for (const j of jobs) this.stats.ranByKind[j.kind] = (this.stats.ranByKind[j.kind] ?? 0) + 1;
  }

  /** Retries after the backoff, or parks the job after its last attempt. */
  private async fail(job: JobRow, err: unknown) {
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
    this.opts.onError?.(err, { id: Number(job.id), kind: job.kind });
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
