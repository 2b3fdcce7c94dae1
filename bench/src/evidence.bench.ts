/**
 * The evidence pack at scale (issue #11: "the evidence pack for six months of one customer
 * < 2 minutes", docs/EVIDENCE.md):
 *
 *   node --import tsx src/evidence.bench.ts [--tickets 19000] [--db sqlite:FILE | --db postgres://… --schema evbench]
 *   node --import tsx src/evidence.bench.ts --existing --db sqlite:FILE | --db postgres://… --schema S
 *
 * With `--existing` the target is used as it is (a generated data set: src/generate.ts) and the
 * customer with the most tickets in the six months is exported.
 *
 * Loads `yunwei demo` with a year of `--tickets` history (the hospital gets about a quarter of
 * them: 19,000 give it about 5,000 in six months) into an emptied target, then exports the
 * hospital's last six whole months twice with the CLI's code path, and prints wall time, CPU time
 * of this process, peak RSS, the pack's size and whether both exports are the same bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instantToZoned } from '../../server/src/core/calendar/index.js';
import { pdfThreads } from '../../server/src/modules/reporting/evidence/pdf-pool.js';
import { EvidenceService, checkPeriod } from '../../server/src/modules/reporting/evidence/service.js';
import { loadDemo } from '../../server/src/ops/demo.js';
import { findCjkFont } from '../../server/src/platform/pdf/fonts.js';
import { prepareDatabase } from '../../server/src/runtime.js';
import { intArg, parseArgs } from './generate.js';
import { describeTarget, openTarget, parseTarget, resetTarget } from './lib/target.js';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tickets = intArg(args, 'tickets', 19_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-evidence-bench-'));
  const target = parseTarget(typeof args.db === 'string' ? args.db : `sqlite:${path.join(work, 'yunwei.db')}`, typeof args.schema === 'string' ? args.schema : 'evbench');
  const existing = !!args.existing;
  if (!existing) await resetTarget(target);
  const database = openTarget(target);
  try {
    await prepareDatabase(database);
    if (!existing) {
      console.error(`loading the demo with ${tickets.toLocaleString('en-US')} tickets into ${describeTarget(target)}`);
      const loaded = await loadDemo(database, () => {}, Date.now(), { tickets });
      console.error(`demo loaded in ${loaded.seconds.toFixed(1)} s`);
    }

    const service = new EvidenceService(database.db, findCjkFont({ font: process.env.PDF_FONT || null, fontFamily: process.env.PDF_FONT_FAMILY || null }));
    let ref = 'JZRMYY';
    if (existing) {
      // The busiest customer of the last six months (reported times; the period itself is local).
      const busiest = await database.db
        .selectFrom('tickets')
        .innerJoin('customers', 'customers.id', 'tickets.customer_id')
        .select(['customers.code', (eb) => eb.fn.countAll<number>().as('n')])
        .where('tickets.reported_at', '>=', Date.now() - 200 * 86_400_000)
        .groupBy('customers.code')
        .orderBy('n', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      ref = busiest.code;
    }
    const customer = await service.customerByRef(ref);
    // The last six whole months, ended (local dates in the customer's zone).
    const today = instantToZoned(Date.now(), customer.timeZone).date;
    const [y, m] = today.split('-').map(Number);
    const first = new Date(Date.UTC(y, m - 1 - 6, 1)).toISOString().slice(0, 10);
    const last = new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
    const period = checkPeriod(customer, first, last, Date.now());

    const runs: Array<{ wall: number; cpu: number; bytes: number; sha: string; files: number; tickets: number; repair: number }> = [];
    for (let i = 0; i < 2; i++) {
      const file = path.join(work, `pack-${i}.zip`);
      // CPU of the whole process, its PDF threads included (process.cpuUsage counts every thread).
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let lastShown = 0;
      const s = await service.exportToFile({ userId: null, name: 'bench', ip: null }, customer, period, file, (done, total) => {
        if (done - lastShown >= 500 || done === total) {
          lastShown = done;
          console.error(`  ${done}/${total} files, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
      });
      const wall = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu0);
      const bytes = fs.readFileSync(file);
      runs.push({ wall, cpu: (used.user + used.system) / 1e6, bytes: bytes.length, sha: createHash('sha256').update(bytes).digest('hex'), files: s.result.files.length, tickets: s.plan.tickets.length, repair: s.plan.repairReports.length });
      fs.rmSync(file);
    }
    const rss = process.resourceUsage().maxRSS / 1024;
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    const r = runs[0];
    console.log(`target: ${describeTarget(target)}; CPU: ${os.cpus()[0]?.model} × ${os.cpus().length}; load average ${load}; PDF threads ${pdfThreads(r.tickets)}`);
    console.log(`period ${period.from} … ${period.to} (${customer.timeZone}): ${r.tickets.toLocaleString('en-US')} tickets, ${r.repair} signed repair reports, ${r.files.toLocaleString('en-US')} files, ${(r.bytes / 1024 / 1024).toFixed(1)} MB`);
    for (const [i, x] of runs.entries()) console.log(`export ${i + 1}: ${x.wall.toFixed(1)} s wall, ${x.cpu.toFixed(1)} s CPU (${((x.cpu / x.tickets) * 1000).toFixed(1)} ms CPU a ticket), sha256 ${x.sha.slice(0, 16)}…`);
    console.log(`same bytes twice: ${runs[0].sha === runs[1].sha ? 'yes' : 'NO'}; peak RSS ${rss.toFixed(0)} MB; target < 120 s: ${Math.max(...runs.map((x) => x.wall)) < 120 ? 'met' : 'MISSED'}`);
  } finally {
    await database.close();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
