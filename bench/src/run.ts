/**
 * Runs every benchmark and rewrites docs/BENCHMARKS.md with the machine, the command and the
 * figures next to their targets, on SQLite and on PostgreSQL side by side. Each benchmark is a
 * separate process (a cold JIT each) that prints one JSON object.
 *
 *   npm run bench [-- --tickets 100000] [--seed 42] [--runs 5] [--per-run 200] [--only sqlite|postgres]
 *                 [--no-load] [--no-scheduler] [--scheduler-open 100000] [--scheduler-realistic 600] [--duration 60] [--keep] [--smoke]
 *   npm run bench -- --render bench/out/results-….json   (the report again from an earlier run's figures)
 *
 * PostgreSQL: BENCH_POSTGRES_URL or TEST_POSTGRES_URL (a fresh schema per run). `--smoke` (CI):
 * 2,000 tickets by default, few repetitions, no wrk load, a small scheduler run, and the report
 * goes to bench/out/BENCHMARKS.md instead of docs/. Any benchmark that fails makes the run fail;
 * a missed target does not (it is named in the report with its reason).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { intArg, parseArgs } from './generate.js';
import { dropTarget, parseTarget, type Target } from './lib/target.js';
import { renderReport, type DbRun, type Report } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = parseArgs(process.argv.slice(2));
const smoke = args.smoke === true;
const tickets = intArg(args, 'tickets', smoke ? 2000 : 100_000);
const seed = intArg(args, 'seed', 42);
const runs = intArg(args, 'runs', smoke ? 2 : 5);
const perRun = intArg(args, 'per-run', smoke ? 20 : 200);
const schedulerOpen = intArg(args, 'scheduler-open', smoke ? 500 : 100_000);
/** Seconds over which the scheduler's realistic scenario spreads the same number of first warnings (0: stress window only). */
const schedulerRealistic = intArg(args, 'scheduler-realistic', smoke ? 0 : 600);
const withLoad = !smoke && args['no-load'] !== true;
const withScheduler = args['no-scheduler'] !== true;
const pgUrl = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL || null;
const only = typeof args.only === 'string' ? args.only : null;
const outDir = path.join(root, 'bench/out');
fs.mkdirSync(outDir, { recursive: true });
const say = (line: string) => console.error(`[bench] ${line}`);

// `--render FILE`: write the report again from the raw figures of an earlier run (bench/out/results-*.json).
if (typeof args.render === 'string') {
  // npm runs this in bench/; a relative path is the caller's (INIT_CWD).
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), args.render);
  const earlier = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  const target = earlier.smoke ? path.join(outDir, 'BENCHMARKS.md') : path.join(root, 'docs/BENCHMARKS.md');
  fs.writeFileSync(target, keepSections(target, renderReport(earlier)));
  say(`report written to ${path.relative(root, target)} from ${path.relative(root, file)}`);
  process.exit(0);
}

/**
 * Sections of the report that other benchmarks write (between `<!-- kept: NAME -->` and
 * `<!-- /kept: NAME -->`, e.g. the web app's first load from src/web-first-load.ts) stay at the
 * end of the file when this run rewrites it.
 */
function keepSections(file: string, md: string): string {
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = previous.match(/<!-- kept: ([\w-]+) -->[\s\S]*?<!-- \/kept: \1 -->/g) ?? [];
  return kept.length ? `${md.trimEnd()}\n\n${kept.join('\n\n')}\n` : md;
}

const failures: string[] = [];

/** Runs one benchmark process; its JSON on success, null (and a failure) otherwise. */
function step<T>(name: string, file: string, argv: string[], opts: { allowFail?: boolean } = {}): T | null {
  say(`${name}: ${file} ${argv.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file), ...argv], {
    cwd: path.join(root, 'bench'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' },
  });
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  if (r.status !== 0) {
    const message = `${name} failed (exit ${r.status ?? r.signal}) after ${seconds} s`;
    say(message);
    if (!opts.allowFail) failures.push(message);
    return null;
  }
  say(`${name}: done in ${seconds} s`);
  const out = r.stdout;
  const json = JSON.parse(out.slice(out.indexOf('{'))) as T;
  // Each step's figures as soon as they exist (a look during a long run, or after a failed one).
  fs.writeFileSync(path.join(outDir, `step-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`), JSON.stringify(json, null, 2));
  return json;
}

function sqliteVersion(): string {
  try {
    return execFileSync(process.execPath, ['-e', "const D=require('better-sqlite3');console.log(new D(':memory:').prepare('select sqlite_version() v').get().v)"], { cwd: path.join(root, 'server'), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return String((await c.query('show server_version')).rows[0].server_version);
  } finally {
    await c.end();
  }
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** `yunwei serve` runs from server/dist, as users run it: build it from the current sources. */
function buildServer(): boolean {
  say('building server/dist for `yunwei serve`');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'server/tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
  // tsc emits even when it reports type errors; what matters is a runnable dist.
  if (r.status !== 0) say(`tsc reported problems (dist emitted anyway):\n${r.stdout.split('\n').slice(0, 10).join('\n')}`);
  return fs.existsSync(path.join(root, 'server/dist/main.js'));
}

const started = new Date();
const load0 = os.loadavg();
const sla = step<Record<string, unknown>>('SLA core', 'sla-core.bench.ts', []);

const databases: Array<{ kind: 'sqlite' | 'postgres'; target: Target; scheduler: Target }> = [];
const label = smoke ? 'smoke' : String(tickets);
if (only !== 'postgres') {
  databases.push({
    kind: 'sqlite',
    target: parseTarget(`sqlite:${path.join(root, smoke ? 'bench/out' : 'bench/data', `sqlite-${label}/yunwei.db`)}`),
    scheduler: parseTarget(`sqlite:${path.join(root, smoke ? 'bench/out' : 'bench/data', 'sqlite-scheduler/yunwei.db')}`),
  });
}
if (only !== 'sqlite') {
  if (pgUrl) databases.push({ kind: 'postgres', target: parseTarget(pgUrl, `bench_${label}`), scheduler: parseTarget(pgUrl, smoke ? 'bench_sched_smoke' : 'bench_sched') });
  else say('PostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_POSTGRES_URL');
}

const served = withLoad && buildServer();
if (withLoad && !served) failures.push('server/dist could not be built: no load figures');
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
const dbRuns: DbRun[] = [];
for (const d of databases) {
  const dbArgs = d.target.kind === 'sqlite' ? ['--db', `sqlite:${d.target.file}`] : ['--db', d.target.url, '--schema', d.target.schema];
  const run: DbRun = { kind: d.kind, target: d.target.kind === 'sqlite' ? `sqlite (${path.relative(root, d.target.file)})` : `postgres (schema ${d.target.schema})` };
  if (d.kind === 'postgres' && pgUrl) run.version = await postgresVersion(pgUrl);
  const t0 = Date.now();
  run.generate = step(`generate ${tickets} on ${d.kind}`, 'generate.ts', ['--tickets', String(tickets), '--seed', String(seed), '--now', now, '--replace', ...dbArgs]) ?? undefined;
  if (run.generate) run.generateWallSeconds = Math.round((Date.now() - t0) / 100) / 10;
  if (run.generate) {
    run.api = step(`API benchmarks on ${d.kind}`, 'api.bench.ts', [...dbArgs, '--runs', String(runs), '--per-run', String(perRun)]) ?? undefined;
    run.profile = step(`profiles on ${d.kind}`, 'api.bench.ts', [...dbArgs, '--profile', String(smoke ? 20 : 200)]) ?? undefined;
    // The CMDB (issue #13) at smoke size: 3,000 CIs added to the data set, then its search, impact,
    // CI page and a 200-row import through the API. Full-size figures: the kept section "CMDB" (bench/README.md).
    if (smoke) step(`CMDB on ${d.kind}`, 'cmdb.bench.ts', [...dbArgs, '--cis', '3000', '--runs', '1', '--per-run', '5', '--import-rows', '200']);
    if (served) run.load = step(`load on ${d.kind}`, 'load.ts', [...dbArgs, '--duration', String(intArg(args, 'duration', 60))]) ?? undefined;
  }
  if (withScheduler) {
    const sArgs = d.scheduler.kind === 'sqlite' ? ['--db', `sqlite:${d.scheduler.file}`] : ['--db', d.scheduler.url, '--schema', d.scheduler.schema];
    // The lead covers generating the tickets and starting the app (the warnings must not be due before).
    const lead = Math.min(360, 20 + Math.ceil(schedulerOpen / 700));
    const sizes = smoke ? ['--window', '5', '--lead', String(lead), '--grace', '30', '--profile', '3'] : ['--window', '60', '--lead', String(lead), '--grace', '300', '--profile', '60'];
    // The realistic spread needs a short lead: a ticket's first warning can be no later after the start than after its report (7.5 min for the urgent ones).
    if (schedulerRealistic > 0) sizes.push('--realistic', String(schedulerRealistic), '--realistic-lead', String(20 + Math.ceil(schedulerOpen / 2500)));
    run.scheduler = step(`scheduler at scale on ${d.kind}`, 'scheduler.bench.ts', [...sArgs, '--open', String(schedulerOpen), ...sizes]) ?? undefined;
    await dropTarget(d.scheduler);
  }
  // A smoke run leaves nothing behind; a full run keeps its SQLite file for a look afterwards,
  // and its PostgreSQL schema only with --keep (a million tickets are gigabytes on a shared server).
  if (smoke || (d.target.kind === 'postgres' && args.keep !== true)) await dropTarget(d.target);
  dbRuns.push(run);
}

const report: Report = {
  started: started.toISOString(),
  finished: new Date().toISOString(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  smoke,
  tickets,
  seed,
  runs,
  perRun,
  machine: {
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite: sqliteVersion(),
    loadAverage: { start: load0, end: os.loadavg() },
  },
  sla: sla ?? undefined,
  databases: dbRuns,
  failures,
};
const stamp = started.toISOString().replace(/[:.]/g, '-');
fs.writeFileSync(path.join(outDir, `results-${stamp}.json`), JSON.stringify(report, null, 2));
const md = renderReport(report);
const file = smoke ? path.join(outDir, 'BENCHMARKS.md') : path.join(root, 'docs/BENCHMARKS.md');
fs.writeFileSync(file, keepSections(file, md));
say(`report written to ${path.relative(root, file)} (raw figures: bench/out/results-${stamp}.json)`);
if (failures.length) {
  console.error(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exitCode = 1;
}
