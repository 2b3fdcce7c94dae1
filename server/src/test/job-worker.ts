/**
 * A separate process running the scheduler, for the exactly-once tests: it counts every
 * execution in job_test_runs and exits once no job is pending or running.
 * Usage: node --import tsx job-worker.ts <databaseUrl|sqliteFile> [pgSchema]
 * With JOB_WORKER_BATCH=1 the jobs' kind has a batch handler and the scheduler's own loops run
 * them (batches of 25, immediate re-claim); otherwise runDue is called in a loop.
 */
import { sql } from 'kysely';
import { openDatabase } from '../db/index.js';
import { Scheduler } from '../platform/jobs/scheduler.js';

const [target, schema] = process.argv.slice(2);
const batch = process.env.JOB_WORKER_BATCH === '1';
const database = target.startsWith('postgres') ? openDatabase({ databaseUrl: target, pgSchema: schema, poolSize: 4 }) : openDatabase({ sqliteFile: target });
const scheduler = new Scheduler(database.db, { pollMs: 5, concurrency: 4, batchSize: 25, batchConcurrency: batch ? 2 : undefined });
if (batch) {
  scheduler.registerBatch<{ n: number }>('test.count', async (jobs) => {
    await database.db.transaction().execute(async (trx) => {
      for (const job of jobs) await sql`insert into job_test_runs (job_id, worker) values (${job.id}, ${scheduler.workerId})`.execute(trx);
    });
    // A little work so that both processes are busy at the same time.
    await new Promise((r) => setTimeout(r, 2));
  });
} else {
  scheduler.register<{ n: number }>('test.count', async (job) => {
    await sql`insert into job_test_runs (job_id, worker) values (${job.id}, ${scheduler.workerId})`.execute(job.db);
    // A little work so that both processes are busy at the same time.
    await new Promise((r) => setTimeout(r, 1));
  });
}
const deadline = Date.now() + 60_000;
if (batch) scheduler.start();
for (;;) {
  if (batch) await new Promise((r) => setTimeout(r, 20));
  else await scheduler.runDue(Date.now());
  const left = await database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'running']).executeTakeFirstOrThrow();
  if (Number(left.n) === 0 || Date.now() > deadline) break;
}
await scheduler.stop();
console.log(JSON.stringify({ worker: scheduler.workerId, ran: scheduler.stats.ran, batches: scheduler.stats.batches }));
await database.close();
