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
import { backoffMs, enqueueJob, retryJob, Scheduler } from './scheduler.js';

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

  it('two processes on one database run each of 300 jobs exactly once; jobs due while down run at start-up', async () => {
    let target: string;
    let schema = '';
    let cleanup: () => Promise<void>;
    if (kind === 'postgres') {
      // Its own schema, reachable from the child processes by name.
      const url = process.env.TEST_POSTGRES_URL!;
      schema = `jobs_${Date.now().toString(36)}`;
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
    try {
      await prepareDatabase(database);
      await sql`create table job_test_runs (job_id bigint not null, worker text not null)`.execute(database.db);
      // All of them fell due "while the server was down".
      const past = Date.now() - 3_600_000;
      for (let i = 0; i < 300; i += 100) {
        await database.db
          .insertInto('jobs')
          .values(Array.from({ length: 100 }, (_, j) => ({ kind: 'test.count', key: null, payload: JSON.stringify({ n: i + j }), run_at: past + i + j, status: 'pending', attempts: 0, max_attempts: 3, locked_by: null, locked_until: null, last_error: null, created_at: past, updated_at: past, finished_at: null })))
          .execute();
      }
      const worker = path.resolve(here, '../../test/job-worker.ts');
      const args = ['--import', 'tsx', worker, target, ...(schema ? [schema] : [])];
      const [a, b] = await Promise.all([run(process.execPath, args, { timeout: 90_000 }), run(process.execPath, args, { timeout: 90_000 })]);
      const ranA = JSON.parse(a.stdout.trim().split('\n').pop()!).ran as number;
      const ranB = JSON.parse(b.stdout.trim().split('\n').pop()!).ran as number;
      const total = await sql<{ n: number; d: number }>`select count(*) as n, count(distinct job_id) as d from job_test_runs`.execute(database.db);
      expect(Number(total.rows[0].n)).toBe(300);
      expect(Number(total.rows[0].d)).toBe(300);
      expect(ranA + ranB).toBe(300);
      const done = await database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'done').executeTakeFirstOrThrow();
      expect(Number(done.n)).toBe(300);
    } finally {
      await database.close();
      await cleanup();
    }
  }, 120_000);
});
