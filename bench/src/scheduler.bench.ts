/**
 * The scheduler at scale: N open tickets with running clocks whose first SLA threshold (the 50%
 * warning of the response, on a 7×24 clock) falls due within a short window, generated into a
 * fresh target; then the app's Scheduler runs in this process with the real job handlers (as
 * `yunwei serve` runs it) and the lateness of every warning is measured: the instant its
 * timeline entry was written minus the instant it was due (the SLA job's run_at, set by the
 * clocks). Target (service desk issue): within 5 s. Prints one JSON object.
 *
 *   node --import tsx src/scheduler.bench.ts --db sqlite:FILE | --db postgres://… --schema S [--open 100000] [--window 60] [--lead 300]
 */
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { SLA_JOB } from '../../server/src/modules/tickets/sla.js';
import { intArg, parseArgs } from './generate.js';
import { generateDataset } from './gen/index.js';
import { percentile } from './lib/measure.js';
import { installSqlTimers, startProfile } from './lib/profile.js';
import { openTarget, parseTarget, resetTarget } from './lib/target.js';

const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const open = intArg(args, 'open', 100_000);
const windowS = intArg(args, 'window', 60);
/** Seconds from the start of generation to the first due instant (generation and start-up must fit). */
const leadS = intArg(args, 'lead', 300);
const log = (line: string) => console.error(`[scheduler] ${line}`);
/** Seconds of the run to profile (where an SLA job's time goes); 0: none. */
const profileS = intArg(args, 'profile', 60);
if (profileS) installSqlTimers();

const start = Date.now();
const firstDue = start + leadS * 1000;
const dueAt = new Float64Array(open);
for (let i = 0; i < open; i++) dueAt[i] = Math.round(firstDue + (i * windowS * 1000) / open);
await resetTarget(target);
log(`generating ${open} open tickets due ${new Date(firstDue).toISOString()} + ${windowS} s`);
const generated = await generateDataset(target, { tickets: open, seed: 7, now: start, dueAt, progress: true });

const database = openTarget(target);
const db = database.db;
// What each ticket's SLA job is due at, as the clocks set it.
const due = new Map<number, number>();
for (const j of await db.selectFrom('jobs').select(['payload', 'run_at']).where('kind', '=', SLA_JOB).execute()) due.set((JSON.parse(j.payload) as { ticketId: number }).ticketId, Number(j.run_at));
const inWindow = [...due.values()].filter((t) => t >= firstDue && t <= firstDue + windowS * 1000).length;

const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(os.tmpdir(), 'yunwei-bench-files') });
const app = await buildApp({ config, database, logger: false });
await app.ready();
const readyAt = Date.now();
const late = readyAt > firstDue;
if (late) log(`set-up overran the lead: ready ${(readyAt - firstDue) / 1000} s after the first due instant`);
const cpu0 = process.cpuUsage();
const load0 = os.loadavg()[0];
app.scheduler.start();
// Where the time of an SLA job goes: the first seconds after the first due instant.
let jobProfile: Awaited<ReturnType<Awaited<ReturnType<typeof startProfile>>['stop']>> | null = null;
const profiling = profileS
  ? (async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, firstDue - Date.now())));
      const ran0 = app.scheduler.stats.ran;
      const span = await startProfile();
      await new Promise((r) => setTimeout(r, profileS * 1000));
      jobProfile = await span.stop(app.scheduler.stats.ran - ran0);
    })()
  : Promise.resolve();

// Only the entries written from now on (a range of the primary key), so polling stays cheap.
const lastEventId = Number((await db.selectFrom('ticket_events').select(sql<number>`max(id)`.as('m')).executeTakeFirstOrThrow()).m);
const fired = () =>
  db.selectFrom('ticket_events').select(sql<number>`count(distinct ticket_id)`.as('n')).where('id', '>', lastEventId).where('type', '=', 'sla.warning').executeTakeFirstOrThrow();
/** Seconds after the window to keep measuring; a warning not fired by then counts as at least that late. */
const graceS = intArg(args, 'grace', 300);
const deadline = firstDue + (windowS + graceS) * 1000;
let count = 0;
while (Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 2000));
  count = Number((await fired()).n);
  if (Date.now() > firstDue) log(`${count}/${due.size} warnings fired, ${Math.round((Date.now() - firstDue) / 1000)} s after the first due instant`);
  if (count >= due.size) break;
}
await profiling;
const cpu = process.cpuUsage(cpu0);
const endedAt = Date.now();
await app.scheduler.stop();

const rows = await db
  .selectFrom('ticket_events')
  .select(['ticket_id', sql<number>`min(at)`.as('at')])
  .where('type', '=', 'sla.warning')
  .groupBy('ticket_id')
  .execute();
const firedFor = new Set(rows.map((r) => Number(r.ticket_id)));
// Not fired when measuring stopped: late by at least the time since it was due (censored).
const censored = [...due].filter(([id]) => !firedFor.has(id)).map(([, at]) => Math.max(0, endedAt - at));
const lateness = [...rows.map((r) => Number(r.at) - (due.get(Number(r.ticket_id)) ?? Number(r.at))), ...censored].sort((a, b) => a - b);
const firedAt = rows.map((r) => Number(r.at)).sort((a, b) => a - b);
const within5 = lateness.filter((l) => l <= 5000).length;
const jobs = app.scheduler.stats;
await app.close();
await database.close();
const s = (ms: number) => Math.round(ms / 10) / 100;
console.log(
  JSON.stringify(
    {
      target: database.describe,
      open,
      windowSeconds: windowS,
      dueInWindow: inWindow,
      generateSeconds: generated.seconds.total,
      setupOverranLead: late,
      fired: rows.length,
      notFiredWhenMeasuringStopped: censored.length,
      graceSeconds: graceS,
      latenessSeconds: lateness.length
        ? { p50: s(percentile(lateness, 50)), p90: s(percentile(lateness, 90)), p95: s(percentile(lateness, 95)), p99: s(percentile(lateness, 99)), max: s(lateness[lateness.length - 1]), min: s(lateness[0]) }
        : null,
      within5s: lateness.length ? Math.round((1000 * within5) / due.size) / 10 : 0,
      jobsPerSecond: firedAt.length > 1 ? Math.round(firedAt.length / Math.max(windowS, (firedAt[firedAt.length - 1] - firstDue) / 1000)) : 0,
      scheduler: { ...jobs, concurrency: 4, pollMs: 1000 },
      cpuSecondsPerJob: Math.round(((cpu.user + cpu.system) / 1e6 / Math.max(1, jobs.ran)) * 1e5) / 1e5,
      wallSeconds: s(endedAt - readyAt),
      profile: jobProfile,
      loadAverage: [load0, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
    },
    null,
    2,
  ),
);
process.exit(0);
