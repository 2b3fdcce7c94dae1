/**
 * The scheduler at scale: N open tickets with running clocks whose first SLA threshold (the 50%
 * warning of the response, on a 7×24 clock) falls due within a window, generated into a fresh
 * target; then the app's Scheduler runs in this process with the real job handlers and settings
 * (as `yunwei serve` runs it) and the lateness of every warning is measured: the instant its
 * timeline entry was written minus the instant it was due (the SLA job's run_at, set by the
 * clocks). Target (service desk issue): within 5 s. Also measured: when the warning's
 * notification reached the assignee's inbox (sampled every second), and the jobs that ran.
 *
 * Two scenarios, each on fresh tickets: the stress window (`--window`, 60 s: 100,000 warnings
 * are 1,667 a second, every open ticket's first warning inside one minute) and, with
 * `--realistic S`, the same number of tickets' warnings spread over S seconds (600: 167 a
 * second, still several times what 100,000 open tickets produce on average: a ticket's
 * warnings, breach and escalations are spread over its targets, hours apart).
 * Prints one JSON object (the stress scenario's figures, and `realistic` with the other's).
 *
 *   node --import tsx src/scheduler.bench.ts --db sqlite:FILE | --db postgres://… --schema S
 *        [--open 100000] [--window 60] [--realistic 600] [--lead 300] [--realistic-lead 60] [--grace 300] [--profile 60]
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
import { installSqlTimers, startProfile, type ProfileSummary } from './lib/profile.js';
import { openTarget, parseTarget, resetTarget, type Target } from './lib/target.js';

const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const open = intArg(args, 'open', 100_000);
const windowS = intArg(args, 'window', 60);
/** Seconds over which the realistic scenario spreads the warnings (0: not run). */
const realisticS = intArg(args, 'realistic', 0);
/** Seconds from the start of generation to the first due instant (generation and start-up must fit). */
const leadS = intArg(args, 'lead', 300);
/**
 * The realistic scenario's lead: short, because a ticket's first warning can be no later after
 * the start than it is after the ticket's report (7.5 min for an urgent one on these contracts);
 * the generator leaves a ticket it cannot place without a running clock (not counted).
 */
const realisticLeadS = intArg(args, 'realistic-lead', Math.min(leadS, 60));
/** Seconds after the window to keep measuring; a warning not fired by then counts as at least that late. */
const graceS = intArg(args, 'grace', 300);
const log = (line: string) => console.error(`[scheduler] ${line}`);
/** Seconds of the stress run to profile (where an SLA job's time goes); 0: none. */
const profileS = intArg(args, 'profile', 60);
if (profileS) installSqlTimers();

type Distribution = { p50: number; p90: number; p95: number; p99: number; max: number; min: number };

const s = (ms: number) => Math.round(ms / 10) / 100;
function distribution(sorted: number[]): Distribution | null {
  if (!sorted.length) return null;
  return { p50: s(percentile(sorted, 50)), p90: s(percentile(sorted, 90)), p95: s(percentile(sorted, 95)), p99: s(percentile(sorted, 99)), max: s(sorted[sorted.length - 1]), min: s(sorted[0]) };
}

async function scenario(t: Target, spreadS: number, lead: number, profile: number) {
  const start = Date.now();
  const firstDue = start + lead * 1000;
  const dueAt = new Float64Array(open);
  for (let i = 0; i < open; i++) dueAt[i] = Math.round(firstDue + (i * spreadS * 1000) / open);
  await resetTarget(t);
  log(`generating ${open} open tickets due ${new Date(firstDue).toISOString()} + ${spreadS} s`);
  const generated = await generateDataset(t, { tickets: open, seed: 7, now: start, dueAt, progress: true });

  const database = openTarget(t);
  const db = database.db;
  // What each ticket's SLA job is due at, as the clocks set it.
  const due = new Map<number, number>();
  for (const j of await db.selectFrom('jobs').select(['payload', 'run_at']).where('kind', '=', SLA_JOB).execute()) due.set((JSON.parse(j.payload) as { ticketId: number }).ticketId, Number(j.run_at));
  const inWindow = [...due.values()].filter((at) => at >= firstDue && at <= firstDue + spreadS * 1000).length;

  // The app as `yunwei serve` builds it: its scheduler settings come from the environment (JOB_*).
  const jobEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('JOB_')));
  const config = loadConfig({ ...jobEnv, LOG_LEVEL: 'silent', DATA_DIR: path.join(os.tmpdir(), 'yunwei-bench-files') });
  const app = await buildApp({ config, database, logger: false });
  await app.ready();
  const readyAt = Date.now();
  const late = readyAt > firstDue;
  if (late) log(`set-up overran the lead: ready ${(readyAt - firstDue) / 1000} s after the first due instant`);
  const maxId = async (table: 'ticket_events' | 'notifications') => Number((await db.selectFrom(table).select(sql<number>`max(id)`.as('m')).executeTakeFirstOrThrow()).m ?? 0);
  // Only the entries written from now on (a range of the primary key), so polling stays cheap.
  const lastEventId = await maxId('ticket_events');
  const lastNoticeId = await maxId('notifications');
  const cpu0 = process.cpuUsage();
  const load0 = os.loadavg()[0];
  const scheduler = app.scheduler;
  scheduler.start();
  // Where the time of an SLA job goes: the first seconds after the first due instant.
  let jobProfile: ProfileSummary | null = null;
  const profiling = profile
    ? (async () => {
        await new Promise((r) => setTimeout(r, Math.max(0, firstDue - Date.now())));
        const ran0 = scheduler.stats.ran;
        const span = await startProfile();
        await new Promise((r) => setTimeout(r, profile * 1000));
        jobProfile = await span.stop(scheduler.stats.ran - ran0);
      })()
    : Promise.resolve();

  // The inbox is sampled every second: a notification's id tells when it was written to within a second.
  const samples: Array<{ at: number; maxId: number }> = [];
  const fired = async () =>
    Number(
      (await db.selectFrom('ticket_events').select(sql<number>`count(distinct ticket_id)`.as('n')).where('id', '>', lastEventId).where('type', '=', 'sla.warning').executeTakeFirstOrThrow()).n,
    );
  const deadline = firstDue + (spreadS + graceS) * 1000;
  let count = 0;
  let lastLog = 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push({ at: Date.now(), maxId: await maxId('notifications') });
    // Counting scans what was written since the start: every 5 s, after the first due instant.
    if (Date.now() < firstDue || Date.now() - lastLog < 5000) continue;
    lastLog = Date.now();
    count = await fired();
    const notified = Number(
      (await db.selectFrom('notifications').select(sql<number>`count(distinct entity_id)`.as('n')).where('id', '>', lastNoticeId).where('event', '=', 'sla.warning').executeTakeFirstOrThrow()).n,
    );
    log(`${count}/${due.size} warnings fired, ${notified} notified, ${Math.round((Date.now() - firstDue) / 1000)} s after the first due instant`);
    if (count >= due.size && notified >= due.size) break;
  }
  await profiling;
  const cpu = process.cpuUsage(cpu0);
  const endedAt = Date.now();
  await scheduler.stop();

  const rows = await db
    .selectFrom('ticket_events')
    .select(['ticket_id', sql<number>`min(at)`.as('at')])
    .where('id', '>', lastEventId)
    .where('type', '=', 'sla.warning')
    .groupBy('ticket_id')
    .execute();
  const firedFor = new Set(rows.map((r) => Number(r.ticket_id)));
  // Not fired when measuring stopped: late by at least the time since it was due (censored).
  const censored = [...due].filter(([id]) => !firedFor.has(id)).map(([, at]) => Math.max(0, endedAt - at));
  const lateness = [...rows.map((r) => Number(r.at) - (due.get(Number(r.ticket_id)) ?? Number(r.at))), ...censored].sort((a, b) => a - b);
  const firedAt = rows.map((r) => Number(r.at)).sort((a, b) => a - b);
  const within5 = lateness.filter((l) => l <= 5000).length;

  // Notifications: written at the first sample that saw their id (an upper bound, within a second).
  const notes = await db.selectFrom('notifications').select(['id', 'entity_id']).where('id', '>', lastNoticeId).where('event', '=', 'sla.warning').orderBy('id').execute();
  const notifiedAt = new Map<number, number>();
  let k = 0;
  for (const n of notes) {
    while (k < samples.length && samples[k].maxId < Number(n.id)) k++;
    const ticket = Number(n.entity_id);
    if (!notifiedAt.has(ticket)) notifiedAt.set(ticket, k < samples.length ? samples[k].at : endedAt);
  }
  const noticeLateness = [...due].map(([id, at]) => (notifiedAt.has(id) ? notifiedAt.get(id)! - at : Math.max(0, endedAt - at))).sort((a, b) => a - b);

  // The jobs done since the start, by kind (an older Scheduler counts no kinds of its own).
  const byKind = await db
    .selectFrom('jobs')
    .select(['kind', sql<number>`count(*)`.as('n')])
    .where('status', '=', 'done')
    .where('finished_at', '>=', readyAt)
    .groupBy('kind')
    .execute();
  const { ranByKind, batchesByKind, ...jobs } = scheduler.stats;
  await app.close();
  await database.close();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    target: database.describe,
    open,
    windowSeconds: spreadS,
    dueInWindow: inWindow,
    generateSeconds: generated.seconds.total,
    setupOverranLead: late,
    fired: rows.length,
    notFiredWhenMeasuringStopped: censored.length,
    graceSeconds: graceS,
    latenessSeconds: distribution(lateness),
    within5s: lateness.length ? Math.round((1000 * within5) / due.size) / 10 : 0,
    /** When the warning reached the inbox (sampled each second, so up to a second more than it took). */
    notifiedLatenessSeconds: distribution(noticeLateness),
    notifiedWithin5s: Math.round((1000 * noticeLateness.filter((l) => l <= 5000).length) / Math.max(1, due.size)) / 10,
    jobsPerSecond: firedAt.length > 1 ? Math.round(firedAt.length / Math.max(spreadS, (firedAt[firedAt.length - 1] - firstDue) / 1000)) : 0,
    scheduler: { ...jobs, concurrency: scheduler.concurrency, pollMs: scheduler.pollMs, batchSize: scheduler.batchSize, batchConcurrency: scheduler.batchConcurrency },
    /** Jobs that ran, by kind (from the scheduler), and the batches of each batch kind. */
    jobsByKind: ranByKind ?? Object.fromEntries(byKind.map((r) => [r.kind, Number(r.n)])),
    batchesByKind: batchesByKind ?? {},
    cpuSecondsPerJob: Math.round((cpuSeconds / Math.max(1, jobs.ran)) * 1e5) / 1e5,
    /** CPU of the process per warning fired: its SLA job and the notification jobs it caused, and the measuring. */
    cpuMsPerWarning: rows.length ? Math.round((cpuSeconds * 1e5) / rows.length) / 100 : null,
    wallSeconds: s(endedAt - readyAt),
    profile: jobProfile as ProfileSummary | null,
    loadAverage: [load0, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
  };
}

const stress = await scenario(target, windowS, leadS, profileS);
const realistic = realisticS > 0 ? await scenario(target, realisticS, realisticLeadS, 0) : undefined;
console.log(JSON.stringify({ ...stress, ...(realistic ? { realistic } : {}) }, null, 2));
process.exit(0);
