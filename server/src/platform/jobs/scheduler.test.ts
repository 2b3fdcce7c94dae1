import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../../test/harness.js';
import { openDatabase } from '../../db/index.js';
import { prepareDatabase } from '../../runtime.js';
import { backoffMs, cancelJobs, enqueueJob, enqueueJobs, retryJob, Scheduler } from './scheduler.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

describeDb('job scheduler', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.database.db.deleteFrom('jobs').execute();
  });

  it('runs a due job once and leaves a future job alone', async () => {
    const s = new Scheduler(t.database.db);
    const seen: number[] = [];
    s.register<{ n: number }>('t.echo', async (job) => {
      seen.push(job.payload.n);
    });
    const now = Date.now();
    await enqueueJob(t.database.db, { kind: 't.echo', payload: { n: 1 }, runAt: now - 1000 });
    await enqueueJob(t.database.db, { kind: 't.echo', payload: { n: 2 }, runAt: now + 60_000 });
    expect(await s.drain()).toBe(1);
    expect(await s.drain()).toBe(0);
    expect(seen).toEqual([1]);
    const rows = await t.database.db.selectFrom('jobs').select(['status']).orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['done', 'pending']);
  });

  it('retries with backoff, parks after max attempts, and an admin retry runs it again', async () => {
    const s = new Scheduler(t.database.db);
    let fail = true;
    let calls = 0;
    s.register('t.flaky', async () => {
      calls++;
      if (fail) throw new Error('peer down');
    });
    let clock = Date.now();
    await enqueueJob(t.database.db, { kind: 't.flaky', maxAttempts: 3 }, clock);
    await s.runDue(clock);
    let row = await t.database.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect(row.attempts).toBe(1);
    expect(row.run_at).toBeGreaterThanOrEqual(clock + backoffMs(1));
    expect(row.last_error).toContain('peer down');
    // Not due before the backoff has passed.
    expect(await s.runDue(clock + backoffMs(1) - 5000)).toBe(0);
    clock = row.run_at;
    await s.runDue(clock);
    row = await t.database.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    clock = row.run_at;
    await s.runDue(clock);
    row = await t.database.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(calls).toBe(3);
    expect(await s.runDue(clock + 86_400_000)).toBe(0);
    fail = false;
    expect(await retryJob(t.database.db, row.id)).toBe(true);
    await s.drain();
    row = await t.database.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('done');
    expect(calls).toBe(4);
  });

  it('a key reschedules the live job instead of adding another', async () => {
    const now = Date.now();
    await enqueueJob(t.database.db, { kind: 't.timer', key: 'sla:1:response', runAt: now + 1000 });
    await enqueueJob(t.database.db, { kind: 't.timer', key: 'sla:1:response', runAt: now + 5000, payload: { v: 2 } });
    const rows = await t.database.db.selectFrom('jobs').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].run_at).toBe(now + 5000);
    expect(JSON.parse(rows[0].payload)).toEqual({ v: 2 });
  });

  it('a key enqueued while its job runs (also by the job itself) makes it due again instead of done', async () => {
    const s = new Scheduler(t.database.db);
    const now = Date.now();
    const runs: number[] = [];
    s.register<{ n: number }>('t.chain', async (job) => {
      runs.push(job.payload.n);
      if (job.payload.n < 3) await enqueueJob(t.database.db, { kind: 't.chain', key: 'chain:1', runAt: now + job.payload.n * 1000, payload: { n: job.payload.n + 1 } });
    });
    await enqueueJob(t.database.db, { kind: 't.chain', key: 'chain:1', runAt: now, payload: { n: 1 } });
    expect(await s.runDue(now)).toBe(1);
    let row = await t.database.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', run_at: now + 1000, finished_at: null });
    expect(await s.drain(() => now + 10_000)).toBe(2);
    row = await t.database.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('done');
    expect(runs).toEqual([1, 2, 3]);
  });

  it('a job whose lease expired (its process died) is claimed again', async () => {
    const s1 = new Scheduler(t.database.db, { leaseMs: 1000 });
    const now = Date.now();
    await enqueueJob(t.database.db, { kind: 't.once' }, now);
    // Simulate a crash: claim without finishing.
    await t.database.db.updateTable('jobs').set({ status: 'running', locked_by: 'dead', locked_until: now + 1000, attempts: 1 }).execute();
    let calls = 0;
    s1.register('t.once', async () => {
      calls++;
    });
    expect(await s1.runDue(now + 500)).toBe(0);
    expect(await s1.runDue(now + 1500)).toBe(1);
    expect(calls).toBe(1);
  });

  /** A database of its own that child processes can open (a file, or a PostgreSQL schema reachable by name). */
  async function sharedDatabase() {
    let target: string;
    let schema = '';
    let cleanup: () => Promise<void>;
    if (kind === 'postgres') {
      const url = process.env.TEST_POSTGRES_URL!;
      schema = `jobs_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      target = url;
      cleanup = async () => {
        const d = new pg.Client({ connectionString: url });
        await d.connect();
        await d.query(`drop schema ${schema} cascade`);
        await d.end();
      };
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-jobs-'));
      target = path.join(dir, 'jobs.db');
      cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    }
    const database = kind === 'postgres' ? openDatabase({ databaseUrl: target, pgSchema: schema }) : openDatabase({ sqliteFile: target });
    return { database, target, schema, cleanup };
  }

  /** Two worker processes (test/job-worker.ts) on `n` jobs that fell due "while the server was down"; each must run once. */
  async function twoProcesses(n: number, env: Record<string, string>) {
    const { database, target, schema, cleanup } = await sharedDatabase();
    try {
      await prepareDatabase(database);
      await sql`create table job_test_runs (job_id bigint not null, worker text not null)`.execute(database.db);
      const past = Date.now() - 3_600_000;
      for (let i = 0; i < n; i += 100) {
        await database.db
          .insertInto('jobs')
          .values(Array.from({ length: 100 }, (_, j) => ({ kind: 'test.count', key: null, payload: JSON.stringify({ n: i + j }), run_at: past + i + j, status: 'pending', attempts: 0, max_attempts: 3, locked_by: null, locked_until: null, last_error: null, created_at: past, updated_at: past, finished_at: null })))
          .execute();
      }
      const worker = path.resolve(here, '../../test/job-worker.ts');
      const args = ['--import', 'tsx', worker, target, ...(schema ? [schema] : [])];
      const opts = { timeout: 90_000, env: { ...process.env, ...env } };
      const [a, b] = await Promise.all([run(process.execPath, args, opts), run(process.execPath, args, opts)]);
      const outA = JSON.parse(a.stdout.trim().split('\n').pop()!) as { ran: number; batches: number };
      const outB = JSON.parse(b.stdout.trim().split('\n').pop()!) as { ran: number; batches: number };
      const total = await sql<{ n: number; d: number }>`select count(*) as n, count(distinct job_id) as d from job_test_runs`.execute(database.db);
      expect(Number(total.rows[0].n)).toBe(n);
      expect(Number(total.rows[0].d)).toBe(n);
      expect(outA.ran + outB.ran).toBe(n);
      const done = await database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'done').executeTakeFirstOrThrow();
      expect(Number(done.n)).toBe(n);
      return [outA, outB];
    } finally {
      await database.close();
      await cleanup();
    }
  }

  it('two processes on one database run each of 300 jobs exactly once; jobs due while down run at start-up', async () => {
    await twoProcesses(300, {});
  }, 120_000);

  it('two processes claiming batches (two batch loops each) run each of 1,000 jobs exactly once; jobs due while down run at start-up', async () => {
    const [a, b] = await twoProcesses(1000, { JOB_WORKER_BATCH: '1' });
    // Batches of at most 25: at least 40 of them between the two.
    expect(a.batches + b.batches).toBeGreaterThanOrEqual(40);
  }, 120_000);

  // ------------------------------------------------------------------ batches

  const pastJobs = async (kind: string, n: number, at = Date.now() - 60_000) => {
    await t.database.db
      .insertInto('jobs')
      .values(Array.from({ length: n }, (_, i) => ({ kind, key: `${kind}:${i}`, payload: JSON.stringify({ n: i }), run_at: at + i, status: 'pending', attempts: 0, max_attempts: 3, locked_by: null, locked_until: null, last_error: null, created_at: at, updated_at: at, finished_at: null })))
      .execute();
  };
  const statuses = async (kind: string) =>
    (await t.database.db.selectFrom('jobs').select(['key', 'status', 'attempts', 'last_error']).where('kind', '=', kind).orderBy('id').execute()).map((r) => ({ ...r, attempts: Number(r.attempts) }));

  it('claims due jobs of a batch kind in batches, in due order, next to single handlers', async () => {
    const s = new Scheduler(t.database.db, { batchSize: 10 });
    const batches: number[][] = [];
    s.registerBatch<{ n: number }>('t.batch', async (jobs) => {
      batches.push(jobs.map((j) => j.payload.n));
    });
    const singles: number[] = [];
    s.register<{ n: number }>('t.single', async (job) => {
      singles.push(job.payload.n);
    });
    await pastJobs('t.batch', 25);
    await pastJobs('t.single', 3);
    await enqueueJob(t.database.db, { kind: 't.batch', key: 'later', payload: { n: 99 }, runAt: Date.now() + 60_000 });
    // One round: a full batch and the single jobs; then the rest.
    expect(await s.runDue(Date.now())).toBe(13);
    expect(await s.drain()).toBe(15);
    expect(batches).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
      [20, 21, 22, 23, 24],
    ]);
    expect(singles.sort()).toEqual([0, 1, 2]);
    expect(s.stats).toMatchObject({ ran: 28, failed: 0, batches: 3, batchFallbacks: 0 });
    expect((await statuses('t.batch')).map((r) => r.status)).toEqual([...Array(25).fill('done'), 'pending']);
  });

  it('a failing batch is run again one job at a time: the bad job alone fails, is retried with backoff, then parked', async () => {
    const s = new Scheduler(t.database.db, { batchSize: 50 });
    const done = new Set<number>();
    let calls = 0;
    s.registerBatch<{ n: number }>('t.batch', async (jobs) => {
      calls++;
      // All or nothing, as a transaction would be.
      if (jobs.some((j) => j.payload.n === 3)) throw new Error('ticket 3 is broken');
      for (const j of jobs) done.add(j.payload.n);
    });
    await pastJobs('t.batch', 8);
    expect(await s.runDue(Date.now())).toBe(8);
    // One batch, then eight alone.
    expect(calls).toBe(9);
    expect([...done].sort()).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(s.stats).toMatchObject({ ran: 7, failed: 1, parked: 0, batches: 1, batchFallbacks: 1 });
    let rows = await statuses('t.batch');
    expect(rows.filter((r) => r.status === 'done')).toHaveLength(7);
    const bad = rows.find((r) => r.key === 't.batch:3')!;
    expect(bad).toMatchObject({ status: 'pending', attempts: 1 });
    expect(bad.last_error).toContain('ticket 3 is broken');
    // Retried after the backoff, alone now, until its attempts run out.
    let row = await t.database.db.selectFrom('jobs').selectAll().where('key', '=', 't.batch:3').executeTakeFirstOrThrow();
    expect(row.run_at).toBeGreaterThanOrEqual(Date.now() + backoffMs(1) - 1000);
    expect(await s.runDue(row.run_at)).toBe(1);
    row = await t.database.db.selectFrom('jobs').selectAll().where('key', '=', 't.batch:3').executeTakeFirstOrThrow();
    expect(await s.runDue(row.run_at)).toBe(1);
    rows = await statuses('t.batch');
    expect(rows.find((r) => r.key === 't.batch:3')).toMatchObject({ status: 'failed', attempts: 3 });
    expect(s.stats.parked).toBe(1);
    expect(done.size).toBe(7);
  });

  it('a batch handler may report which of its jobs failed; the others are done', async () => {
    const s = new Scheduler(t.database.db);
    s.registerBatch<{ n: number }>('t.batch', async (jobs) => ({ failed: new Map(jobs.filter((j) => j.payload.n % 2 === 1).map((j) => [j.id, new Error(`odd ${j.payload.n}`)])) }));
    await pastJobs('t.batch', 6);
    expect(await s.runDue(Date.now())).toBe(6);
    const rows = await statuses('t.batch');
    expect(rows.map((r) => r.status)).toEqual(['done', 'pending', 'done', 'pending', 'done', 'pending']);
    expect(rows[1].last_error).toContain('odd 1');
    expect(s.stats).toMatchObject({ ran: 3, failed: 3, batchFallbacks: 0 });
  });

  it('a batch job whose lease expired (its process died) is claimed again', async () => {
    const s = new Scheduler(t.database.db, { leaseMs: 1000 });
    const seen: number[] = [];
    s.registerBatch<{ n: number }>('t.batch', async (jobs) => {
      seen.push(...jobs.map((j) => j.payload.n));
    });
    const now = Date.now();
    await pastJobs('t.batch', 3, now - 10);
    await t.database.db.updateTable('jobs').set({ status: 'running', locked_by: 'dead', locked_until: now + 1000, attempts: 1 }).where('key', '=', 't.batch:1').execute();
    expect(await s.runDue(now)).toBe(2);
    expect(await s.runDue(now + 500)).toBe(0);
    expect(await s.runDue(now + 1500)).toBe(1);
    expect(seen).toEqual([0, 2, 1]);
  });

  it('two schedulers in one process, their loops running, run each of 600 batch and 40 single jobs exactly once', async () => {
    const runs = new Map<number, number>();
    const count = (id: number) => runs.set(id, (runs.get(id) ?? 0) + 1);
    const make = () => {
      const s = new Scheduler(t.database.db, { batchSize: 20, batchConcurrency: 2, pollMs: 20 });
      s.registerBatch('t.batch', async (jobs) => {
        for (const j of jobs) count(j.id);
        await new Promise((r) => setTimeout(r, 1));
      });
      s.register('t.single', async (job) => {
        count(job.id);
      });
      return s;
    };
    const a = make();
    const b = make();
    await pastJobs('t.batch', 600);
    await pastJobs('t.single', 40);
    a.start();
    b.start();
    const until = Date.now() + 30_000;
    while (runs.size < 640 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([a.stop(), b.stop()]);
    expect(runs.size).toBe(640);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(a.stats.ran + b.stats.ran).toBe(640);
    expect(a.stats.batches).toBeGreaterThan(0);
    expect(b.stats.batches).toBeGreaterThan(0);
  });

  it('claims again at once while batches come back full, instead of waiting for the poll interval', async () => {
    const s = new Scheduler(t.database.db, { batchSize: 10, pollMs: 60_000 });
    let ran = 0;
    s.registerBatch('t.batch', async (jobs) => {
      ran += jobs.length;
    });
    await pastJobs('t.batch', 95);
    const started = Date.now();
    s.start();
    while (ran < 95 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    expect(ran).toBe(95);
    expect(s.stats.batches).toBe(10);
    // Ten claims in a row: far less than one poll interval.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('sleeps until the earliest job is due: a job enqueued for 300 ms from now runs then, not at the next poll', async () => {
    const s = new Scheduler(t.database.db, { pollMs: 60_000 });
    const ranAt: number[] = [];
    s.registerBatch('t.batch', async (jobs) => {
      for (const _ of jobs) ranAt.push(Date.now());
    });
    s.register('t.single', async () => {
      ranAt.push(Date.now());
    });
    s.start();
    await new Promise((r) => setTimeout(r, 50));
    // Both loops are asleep for a minute; a job enqueued in this process wakes them in time.
    const due = Date.now() + 300;
    await enqueueJob(t.database.db, { kind: 't.batch', key: 'soon', runAt: due });
    await enqueueJob(t.database.db, { kind: 't.single', runAt: due });
    const until = Date.now() + 10_000;
    while (ranAt.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    expect(ranAt).toHaveLength(2);
    for (const at of ranAt) {
      expect(at).toBeGreaterThanOrEqual(due);
      expect(at - due).toBeLessThan(1000);
    }
  });

  it('a job heard of before its transaction commits is still run at once after the commit, not at the next poll', async () => {
    const s = new Scheduler(t.database.db, { pollMs: 60_000 });
    const ranAt: number[] = [];
    s.registerBatch('t.batch', async () => {
      ranAt.push(Date.now());
    });
    s.register('t.single', async () => {
      ranAt.push(Date.now());
    });
    s.start();
    await new Promise((r) => setTimeout(r, 50));
    // The loops wake when the jobs are enqueued, before the rows are committed (PostgreSQL: their claims do not see them yet).
    await t.database.db.transaction().execute(async (trx) => {
      await enqueueJob(trx, { kind: 't.batch', key: 'now', runAt: Date.now() });
      await enqueueJob(trx, { kind: 't.single', runAt: Date.now() });
      await new Promise((r) => setTimeout(r, 150));
    });
    const committed = Date.now();
    const until = Date.now() + 10_000;
    while (ranAt.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    expect(ranAt).toHaveLength(2);
    for (const at of ranAt) expect(at - committed).toBeLessThan(500);
  });

  it('a job another process added is found within the poll interval', async () => {
    const s = new Scheduler(t.database.db, { pollMs: 200 });
    let ranAt = 0;
    s.registerBatch('t.batch', async () => {
      ranAt = Date.now();
    });
    s.start();
    await new Promise((r) => setTimeout(r, 50));
    // Written directly, as another process would: nothing in this process heard of it.
    const at = Date.now();
    await pastJobs('t.batch', 1, at);
    const until = Date.now() + 5000;
    while (!ranAt && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    expect(ranAt).toBeGreaterThan(0);
    expect(ranAt - at).toBeLessThan(1000);
  });

  it('while a kind of higher priority is behind, batches of lower priority and single jobs run a round at most every poll interval', async () => {
    const s = new Scheduler(t.database.db, { batchSize: 10, concurrency: 2, pollMs: 20 });
    const order: string[] = [];
    s.registerBatch('t.timer', async (jobs) => {
      order.push(...jobs.map(() => 'timer'));
    }, { priority: 1 });
    s.registerBatch('t.notice', async (jobs) => {
      order.push(...jobs.map(() => 'notice'));
    });
    s.register('t.mail', async () => {
      order.push('mail');
    });
    await pastJobs('t.timer', 300);
    await pastJobs('t.notice', 300);
    await pastJobs('t.mail', 100);
    s.start();
    const until = Date.now() + 30_000;
    while (order.length < 700 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await s.stop();
    expect(order).toHaveLength(700);
    // By the time the last timer ran, most of the others were still waiting (a round each 20 ms).
    const lastTimer = order.lastIndexOf('timer');
    const before = order.slice(0, lastTimer);
    expect(before.filter((k) => k === 'notice').length).toBeLessThan(150);
    expect(before.filter((k) => k === 'mail').length).toBeLessThan(50);
  });

  it('enqueueJobs sets many keyed jobs as enqueueJob does: a running job stays running and is due again after', async () => {
    const now = Date.now();
    await enqueueJob(t.database.db, { kind: 't.timer', key: 'a', runAt: now + 1000 });
    await enqueueJob(t.database.db, { kind: 't.timer', key: 'b', runAt: now + 1000 });
    await t.database.db.updateTable('jobs').set({ status: 'running', attempts: 1, locked_by: 'w', locked_until: now + 60_000 }).where('key', '=', 'b').execute();
    await enqueueJobs(t.database.db, [
      { kind: 't.timer', key: 'a', runAt: now + 5000, payload: { v: 1 } },
      { kind: 't.timer', key: 'b', runAt: now + 6000, payload: { v: 2 } },
      { kind: 't.timer', key: 'c', runAt: now + 7000, payload: { v: 3 } },
    ], now);
    const rows = await t.database.db.selectFrom('jobs').select(['key', 'run_at', 'status', 'attempts', 'payload']).orderBy('key').execute();
    expect(rows.map((r) => [r.key, Number(r.run_at) - now, r.status, Number(r.attempts), JSON.parse(r.payload).v])).toEqual([
      ['a', 5000, 'pending', 0, 1],
      ['b', 6000, 'running', 0, 2],
      ['c', 7000, 'pending', 0, 3],
    ]);
    await cancelJobs(t.database.db, ['a', 'b', 'c']);
    // The running one is left to finish (and is then due again).
    expect((await t.database.db.selectFrom('jobs').select('key').execute()).map((r) => r.key)).toEqual(['b']);
  });
});
