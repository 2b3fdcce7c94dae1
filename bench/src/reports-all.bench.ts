/**
 * Every contract's monthly reports generated in the background (issue #11 performance: all 200
 * customers' monthly reports < 10 minutes, with the server still answering within its targets):
 *
 *   node --import tsx src/reports-all.bench.ts --db sqlite:FILE | --db postgres://… --schema S [--month YYYY-MM]
 *
 * On a generated data set: migrates if needed, brings the KPI rollup up to date (timed apart:
 * the running server keeps it current), removes the drafts of the month a previous run made,
 * then runs the scheduler's generation job (ReportDue.runGeneration) at 02:00 on the first day
 * after the month (Asia/Shanghai), as `yunwei serve` does when the month closes — a draft of
 * every report type each contract's plan names, figures frozen — in the same process as the
 * app, while one client keeps asking the app for the ticket page and the desk's queue. The
 * latencies of those requests during the generation are compared with the same requests
 * before it (the targets: ticket page p95 < 30 ms, queues p95 < 50 ms). Prints a JSON summary
 * on the last line.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { zonedToInstant } from '../../server/src/core/calendar/tz.js';
import { addDays } from '../../server/src/core/reporting/due.js';
import { CalendarService } from '../../server/src/modules/sla/calendars.service.js';
import { MetricsService } from '../../server/src/modules/reporting/metrics.service.js';
import { ReportDue } from '../../server/src/modules/reporting/reports.due.js';
import { ReportGenerator } from '../../server/src/modules/reporting/reports.generate.service.js';
import { prepareDatabase } from '../../server/src/runtime.js';
import { parseArgs } from './generate.js';
import { loadFixtures, type Session } from './lib/fixtures.js';
import { percentile } from './lib/measure.js';
import { openTarget, parseTarget } from './lib/target.js';

const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db sqlite:FILE or --db postgres://… is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const database = openTarget(target);
await prepareDatabase(database);
const db = database.db;
const log = (s: string) => console.error(s);

const metrics = new MetricsService(db);
let t = performance.now();
await metrics.rollup.catchUp();
const rollupMs = performance.now() - t;
log(`rollup caught up in ${(rollupMs / 1000).toFixed(1)} s`);

// The last whole month before today (local), and 02:00 on the day after it: the job's first turn after the month closed.
const today = new Date().toISOString().slice(0, 10);
const month = typeof args.month === 'string' ? args.month : addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
const firstAfter = addDays(`${month}-28`, 4).slice(0, 7);
const now = zonedToInstant(`${firstAfter}-01`, '02:00', 'Asia/Shanghai');
const removed = await db.deleteFrom('service_reports').where('period', 'like', `${month}%`).executeTakeFirst();
log(`month ${month}; removed ${Number(removed.numDeletedRows)} drafts of an earlier run`);

const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(os.tmpdir(), 'yunwei-bench-files') });
const app = await buildApp({ config, database, logger: false });
await app.ready();
const fx = await loadFixtures(db);
const OPEN = 'new,assigned,accepted,in_progress,waiting_customer,waiting_vendor,resolved';
const requests: Array<{ name: string; url: (i: number) => string; session: Session; targetP95: number }> = [
  { name: 'ticket page', url: (i) => `/api/v1/tickets/${fx.sampleIds[i % fx.sampleIds.length]}`, session: fx.desk, targetP95: 30 },
  { name: 'queue: all open by SLA (desk)', url: () => `/api/v1/tickets?state=${OPEN}&sort=sla&limit=50`, session: fx.desk, targetP95: 50 },
];

async function ask(i: number): Promise<{ name: string; ms: number }> {
  const r = requests[i % requests.length];
  const s = performance.now();
  const res = await app.inject({ method: 'GET', url: r.url(i), headers: r.session.headers });
  if (res.statusCode !== 200) throw new Error(`${r.url(i)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return { name: r.name, ms: performance.now() - s };
}

function summary(samples: Array<{ name: string; ms: number }>) {
  return Object.fromEntries(
    requests.map((r) => {
      const ms = samples.filter((x) => x.name === r.name).map((x) => x.ms).sort((a, b) => a - b);
      return [r.name, { n: ms.length, p50: Math.round(percentile(ms, 50) * 100) / 100, p95: Math.round(percentile(ms, 95) * 100) / 100, targetP95: r.targetP95 }];
    }),
  );
}

// Before: the same client alone.
const before: Array<{ name: string; ms: number }> = [];
for (let i = 0; i < 400; i++) before.push(await ask(i));
log(`before: ${JSON.stringify(summary(before))}`);

// During: the generation job and the client at once (one process, as `yunwei serve` runs both).
const due = new ReportDue(db, new ReportGenerator(db, new CalendarService(db), metrics));
const during: Array<{ name: string; ms: number }> = [];
let generating = true;
const client = (async () => {
  for (let i = 0; generating; i++) {
    during.push(await ask(i));
    // A client's think time: a desk agent does not ask back to back.
    await new Promise((r) => setTimeout(r, 20));
  }
})();
t = performance.now();
const created = await due.runGeneration(now);
const generationMs = performance.now() - t;
generating = false;
await client;
const contracts = Number((await db.selectFrom('service_reports').select((eb) => eb.fn.count('contract_id').distinct().as('n')).where('period', 'like', `${month}%`).executeTakeFirstOrThrow()).n);
const byType = await db.selectFrom('service_reports').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).where('period', 'like', `${month}%`).groupBy('type').execute();
log(`generated ${created} drafts for ${contracts} contracts in ${(generationMs / 1000).toFixed(1)} s; during: ${JSON.stringify(summary(during))}`);

await app.close();
await database.close();
console.log(
  JSON.stringify({
    db: target.kind,
    month,
    rollupCatchUpMs: Math.round(rollupMs),
    drafts: created,
    contracts,
    byType: Object.fromEntries(byType.map((r) => [r.type, Number(r.n)])),
    generationMs: Math.round(generationMs),
    before: summary(before),
    during: summary(during),
  }),
);
