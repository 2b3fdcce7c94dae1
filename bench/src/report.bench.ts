/**
 * A service report generated and issued (issue #11 performance: a monthly report for a customer
 * with 5,000 tickets in the month, all formats, < 10 s):
 *
 *   node --import tsx src/report.bench.ts --db sqlite:FILE | --db postgres://… --schema S [--runs 3] [--type monthly_service] [--month-tickets 5000]
 *
 * On a generated data set (src/generate.ts) or the demo: migrates if needed, picks the contract
 * with the most tickets in the last ended month and, when it has fewer than `--month-tickets`
 * (default 5,000: the issue's size; the generator spreads a million tickets over 200 customers,
 * about 750 a month for the busiest), moves other contracts' tickets of that month to it (their
 * customer and contract; site cleared) — a customer that size, with the timelines, clocks and
 * ratings of real simulated tickets. Then brings the KPI rollup up to date (timed apart: the
 * running server keeps it current) and times — as the reports module does them — the
 * figures (every section: the metrics and the period's records), and the three renderers (PDF,
 * Word, Excel); each run on a fresh draft (the previous run's report is deleted). Prints a JSON
 * summary on the last line.
 */
import { performance } from 'node:perf_hooks';
import { prepareDatabase } from '../../server/src/runtime.js';
import { loadConfig } from '../../server/src/config.js';
import { systemActor } from '../../server/src/platform/auth/actor.js';
import { lastEndedPeriod, periodInstants } from '../../server/src/core/reporting/due.js';
import { REPORT_TYPES, type ReportType } from '../../server/src/core/reporting/templates.js';
import { CalendarService } from '../../server/src/modules/sla/calendars.service.js';
import { MetricsService } from '../../server/src/modules/reporting/metrics.service.js';
import { ReportGenerator } from '../../server/src/modules/reporting/reports.generate.service.js';
import { ReportLifecycle } from '../../server/src/modules/reporting/reports.lifecycle.service.js';
import * as repo from '../../server/src/modules/reporting/reports.repo.js';
import { renderReport } from '../../server/src/modules/reporting/render/index.js';
import { intArg, parseArgs } from './generate.js';
import { openTarget, parseTarget } from './lib/target.js';

const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db sqlite:FILE or --db postgres://… is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const runs = intArg(args, 'runs', 3);
const type = (typeof args.type === 'string' ? args.type : 'monthly_service') as ReportType;
const database = openTarget(target);
await prepareDatabase(database);
const db = database.db;

const monthTickets = intArg(args, 'month-tickets', 5000);

// The busiest contract of the last ended month (in Asia/Shanghai; each contract's own zone is used for its report).
const period = lastEndedPeriod(REPORT_TYPES[type].cadence, Date.now(), 'Asia/Shanghai');
const { start, end } = periodInstants(period, 'Asia/Shanghai');
const busiest = await db
  .selectFrom('tickets')
  .select(['contract_id', (eb) => eb.fn.countAll<number>().as('n')])
  .where('reported_at', '>=', start)
  .where('reported_at', '<', end)
  .groupBy('contract_id')
  .orderBy('n', 'desc')
  .limit(1)
  .executeTakeFirstOrThrow();
const contract = (await repo.findContract(db, { kind: 'all' }, Number(busiest.contract_id)))!;
let ticketsInPeriod = Number(busiest.n);
if (ticketsInPeriod < monthTickets) {
  const move = (
    await db
      .selectFrom('tickets')
      .innerJoin('customers', 'customers.id', 'tickets.customer_id')
      .select('tickets.id')
      .where('tickets.reported_at', '>=', start)
      .where('tickets.reported_at', '<', end)
      .where('tickets.contract_id', '<>', contract.id)
      .where('customers.time_zone', '=', contract.timeZone)
      .orderBy('tickets.id')
      .limit(monthTickets - ticketsInPeriod)
      .execute()
  ).map((r) => Number(r.id));
  for (let i = 0; i < move.length; i += 500) {
    await db.updateTable('tickets').set({ customer_id: contract.customerId, contract_id: contract.id, site_id: null, updated_at: Date.now() }).where('id', 'in', move.slice(i, i + 500)).execute();
  }
  ticketsInPeriod += move.length;
  console.error(`moved ${move.length} tickets of ${period.key} to ${contract.code}: ${ticketsInPeriod} in the month`);
}

const metrics = new MetricsService(db);
let t = performance.now();
await metrics.rollup.catchUp();
const rollupMs = performance.now() - t;
const actor = systemActor('bench', ['reports.write', 'reports.read']);
const generator = new ReportGenerator(db, new CalendarService(db), metrics);
const lifecycle = new ReportLifecycle(db, loadConfig(), generator);

const samples: Array<{ figuresMs: number; pdfMs: number; docxMs: number; xlsxMs: number; totalMs: number; pdfBytes: number; pages: number }> = [];
for (let i = 0; i < runs; i++) {
  await db.deleteFrom('service_reports').where('contract_id', '=', contract.id).where('type', '=', type).where('period', '=', period.key).execute();
  const t0 = performance.now();
  const { id } = await generator.createDraft(actor, contract, type, period, Date.now());
  const figuresMs = performance.now() - t0;
  const row = (await repo.findReport(db, actor, id))!;
  const version = (await repo.findVersion(db, id, 1))!;
  const doc = await lifecycle.document(row, version, Date.now(), actor);
  t = performance.now();
  const pdf = await renderReport(doc, 'pdf');
  const pdfMs = performance.now() - t;
  t = performance.now();
  await renderReport(doc, 'docx');
  const docxMs = performance.now() - t;
  t = performance.now();
  await renderReport(doc, 'xlsx');
  const xlsxMs = performance.now() - t;
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  samples.push({ figuresMs, pdfMs, docxMs, xlsxMs, totalMs: performance.now() - t0, pdfBytes: pdf.length, pages });
  console.error(`run ${i + 1}: figures ${figuresMs.toFixed(0)} ms, pdf ${pdfMs.toFixed(0)} ms, docx ${docxMs.toFixed(0)} ms, xlsx ${xlsxMs.toFixed(0)} ms, total ${(performance.now() - t0).toFixed(0)} ms`);
}
await db.deleteFrom('service_reports').where('contract_id', '=', contract.id).where('type', '=', type).where('period', '=', period.key).execute();
const median = (k: keyof (typeof samples)[number]) => [...samples.map((s) => s[k])].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
console.log(
  JSON.stringify({
    db: target.kind,
    type,
    period: period.key,
    contract: contract.code,
    ticketsInPeriod,
    rollupCatchUpMs: Math.round(rollupMs),
    figuresMs: Math.round(median('figuresMs')),
    pdfMs: Math.round(median('pdfMs')),
    docxMs: Math.round(median('docxMs')),
    xlsxMs: Math.round(median('xlsxMs')),
    totalMs: Math.round(median('totalMs')),
    pdfPages: median('pages'),
  }),
);
await database.close();
