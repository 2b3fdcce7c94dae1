/**
 * A separate process running the scheduler, for the exactly-once test: it counts every
 * execution in job_test_runs and exits once no job is pending or running.
 * Usage: node --import tsx job-worker.ts <databaseUrl|sqliteFile> [pgSchema]
 */
import { sql } from 'kysely';
import { openDatabase } from '../db/index.js';
import { Scheduler } from '../platform/jobs/scheduler.js';

const [target, schema] = process.argv.slice(2);
const database = target.startsWith('postgres') ? openDatabase({ databaseUrl: target, pgSchema: schema, poolSize: 4 }) : openDatabase({ sqliteFile: target });
const scheduler = new Scheduler(database.db, { pollMs: 5, concurrency: 4 });
scheduler.register<{ n: number }>('test.count', async (job) => {
  await sql`insert into job_test_runs (job_id, worker) values (${job.id}, ${scheduler.workerId})`.execute(job.db);
  // A little work so that both processes are busy at the same time.
  await new Promise((r) => setTimeout(r, 1));
});
const deadline = Date.now() + 60_000;
for (;;) {
  await scheduler.runDue(Date.now());
  const left = await database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'running']).executeTakeFirstOrThrow();
  if (Number(left.n) === 0 || Date.now() > deadline) break;
}
console.log(JSON.stringify({ worker: scheduler.workerId, ran: scheduler.stats.ran }));
await database.close();
