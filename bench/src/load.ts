/**
 * Load and memory: `node server/bin/yunwei.mjs serve` on loopback over a generated data set, wrk
 * (Debian's; installed with apt-get when missing) driving a busy desk (bench/wrk/busy-desk.lua),
 * then the saturation point (connections doubled, no think time, until the 99th percentile
 * explodes) and ticket creation alone. RSS of the serve process idle and under load. Prints
 * one JSON object.
 *
 *   node --import tsx src/load.ts --db sqlite:DIR/yunwei.db | --db postgres://… --schema S [--duration 60] [--agents 200]
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { OPEN_STATES } from '../../server/src/core/tickets/lifecycle.js';
import { intArg, parseArgs } from './generate.js';
import { createSession } from './lib/fixtures.js';
import { openTarget, parseTarget, serveEnv } from './lib/target.js';
import { freePort } from '../../server/src/test/ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const duration = intArg(args, 'duration', 60);
const stepSeconds = intArg(args, 'step', 15);
const agentCount = intArg(args, 'agents', 200);
const outDir = path.join(root, 'bench/out');
fs.mkdirSync(outDir, { recursive: true });
const log = (line: string) => console.error(`[load] ${line}`);

// ---------------------------------------------------------------- wrk

export function ensureWrk(): string {
  const found = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  log('wrk is missing: apt-get install -y wrk');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = (...a: string[]) => spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? a : ['-n', 'apt-get', ...a], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!(apt('install', '-y', 'wrk') || (apt('update') && apt('install', '-y', 'wrk')))) {
    throw new Error('wrk is not installed and `apt-get install -y wrk` failed (run it as root); the load figures need it');
  }
  return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim();
}

interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

function runWrk(wrk: string, url: string, opts: { connections: number; threads: number; seconds: number; mode: 'mix' | 'create'; delayMs: number; dataFile: string }): WrkResult {
  const r = spawnSync(
    wrk,
    ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '10s', '-s', path.join(root, 'bench/wrk/busy-desk.lua'), url, '--', opts.dataFile, opts.mode, String(opts.delayMs)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (r.status !== 0 || !line) throw new Error(`wrk failed (${r.status}): ${r.stderr || r.stdout}`);
  const j = JSON.parse(line.slice(9)) as Record<string, number>;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    requests: j.requests,
    durationS: j.duration_us / 1e6,
    rps: Math.round(j.requests / (j.duration_us / 1e6)),
    p50Ms: ms(j.p50_us),
    p90Ms: ms(j.p90_us),
    p95Ms: ms(j.p95_us),
    p99Ms: ms(j.p99_us),
    maxMs: ms(j.max_us),
    errors: { connect: j.connect_errors, read: j.read_errors, write: j.write_errors, status: j.status_errors, timeout: j.timeouts },
  };
}

// ---------------------------------------------------------------- the serve process


function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 102.4) / 10, hwmMb: Math.round(kb('VmHWM') / 102.4) / 10 };
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) the process has used (/proc/PID/stat utime + stime). */
function procCpu(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`yunwei serve exited with code ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('yunwei serve did not become healthy in time');
}

/** Request counts by method, route and status, and latency histograms by route, from /metrics. */
async function scrape(url: string): Promise<{ counts: Map<string, number>; buckets: Map<string, Array<[number, number]>> }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  const buckets = new Map<string, Array<[number, number]>>();
  for (const line of text.split('\n')) {
    let m = /^yunwei_http_requests_total\{method="(\w+)",route="([^"]+)",status="(\d+)"\} (\d+)/.exec(line);
    if (m) counts.set(`${m[1]} ${m[2]} ${m[3]}`, Number(m[4]));
    m = /^yunwei_http_request_duration_seconds_bucket\{le="([^"]+)",method="(\w+)",route="([^"]+)"\} (\d+)/.exec(line) ?? /^yunwei_http_request_duration_seconds_bucket\{method="(\w+)",route="([^"]+)",le="([^"]+)"\} (\d+)/.exec(line);
    if (m) {
      const [le, method, route] = m[1].match(/^[\d.+Inf]+$/) ? [m[1], m[2], m[3]] : [m[3], m[1], m[2]];
      const key = `${method} ${route}`;
      const list = buckets.get(key) ?? [];
      list.push([le === '+Inf' ? Infinity : Number(le), Number(m[4])]);
      buckets.set(key, list);
    }
  }
  return { counts, buckets };
}

function routeFigures(before: Awaited<ReturnType<typeof scrape>>, after: Awaited<ReturnType<typeof scrape>>, seconds: number) {
  const routes: Record<string, { perSecond: number; statuses: Record<string, number>; serverP95Ms: string }> = {};
  for (const [key, n] of after.counts) {
    const [method, route, status] = key.split(' ');
    const delta = n - (before.counts.get(key) ?? 0);
    if (!delta || route === '/healthz') continue;
    const name = `${method} ${route}`;
    const r = (routes[name] ??= { perSecond: 0, statuses: {}, serverP95Ms: '' });
    r.statuses[status] = delta;
    r.perSecond = Math.round((10 * Object.values(r.statuses).reduce((a, b) => a + b, 0)) / seconds) / 10;
  }
  for (const [name, r] of Object.entries(routes)) {
    const a = after.buckets.get(name) ?? [];
    const b = new Map(before.buckets.get(name) ?? []);
    const deltas = a.map(([le, n]) => [le, n - (b.get(le) ?? 0)] as [number, number]).sort((x, y) => x[0] - y[0]);
    const total = deltas.length ? deltas[deltas.length - 1][1] : 0;
    const hit = deltas.find(([, n]) => n >= 0.95 * total);
    r.serverP95Ms = !hit ? '' : hit[0] === Infinity ? '> 2500' : `≤ ${hit[0] * 1000}`;
  }
  return routes;
}

// ---------------------------------------------------------------- main

const wrk = ensureWrk();
const wrkVersion = spawnSync(wrk, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();

// Sessions of 200 agents who see every customer (the desk and the second line), and what they work on.
const database = openTarget(target);
const agents = await database.db
  .selectFrom('team_members')
  .innerJoin('teams', 'teams.id', 'team_members.team_id')
  .select('team_members.user_id')
  .where('teams.kind', 'in', ['desk', 'line2'])
  .orderBy('teams.kind')
  .orderBy('team_members.user_id')
  .limit(agentCount)
  .execute();
const lines: string[] = [];
for (const a of agents) {
  const s = await createSession(database.db, Number(a.user_id));
  lines.push(`S ${s.token} ${s.csrf}`);
}
const working = await database.db.selectFrom('tickets').select('id').where('state', 'in', [...OPEN_STATES, 'resolved']).orderBy('id', 'desc').limit(2000).execute();
for (const w of working) lines.push(`W ${w.id}`);
const total = Number((await database.db.selectFrom('tickets').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
for (let i = 0; i < 2000; i++) lines.push(`V ${1 + Math.floor(((i * 7919) % 2000) * (total / 2000))}`);
const reporters = await database.db
  .selectFrom('contacts')
  .innerJoin('customers', 'customers.id', 'contacts.customer_id')
  .select(['contacts.customer_id', 'contacts.id'])
  .where('customers.tier', '=', 1)
  .orderBy('contacts.id')
  .limit(200)
  .execute();
for (const r of reporters) lines.push(`C ${r.customer_id} ${r.id}`);
await database.close();
const dataFile = path.join(outDir, `wrk-data-${process.pid}.txt`);
fs.writeFileSync(dataFile, lines.join('\n') + '\n');

// The server as users run it (compiled: bench/src/run.ts builds server/dist first).
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const env = { ...process.env, ...serveEnv(target), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
const serveLog = path.join(outDir, `serve-${target.kind}.log`);
const child = spawn(process.execPath, [path.join(root, 'server/bin/yunwei.mjs'), 'serve'], { cwd: root, env, stdio: ['ignore', fs.openSync(serveLog, 'w'), fs.openSync(serveLog, 'a')] });
const pid = child.pid!;
const result: Record<string, unknown> = { target: target.kind, wrk: wrkVersion, agents: agents.length, workingTickets: working.length };
try {
  const t0 = Date.now();
  await waitHealthy(url, child);
  result.startupSeconds = (Date.now() - t0) / 1000;
  // Idle: after start-up and the first scheduler ticks, before any request but a health check.
  await new Promise((r) => setTimeout(r, 5000));
  result.idle = procStatus(pid);
  log(`serve pid ${pid} on ${url}, idle RSS ${(result.idle as { rssMb: number }).rssMb} MB`);

  // Warm-up, then the busy desk at its rates: one connection per agent, ~2.4 s think time.
  runWrk(wrk, url, { connections: 50, threads: 2, seconds: 5, mode: 'mix', delayMs: 500, dataFile });
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(procStatus(pid).rssMb), 500);
  const before = await scrape(url);
  const cpu0 = procCpu(pid);
  const load0 = os.loadavg()[0];
  log(`busy desk: ${agents.length} connections, ${duration} s`);
  const busy = runWrk(wrk, url, { connections: agents.length, threads: 2, seconds: duration, mode: 'mix', delayMs: 2400, dataFile });
  const cpu1 = procCpu(pid);
  const after = await scrape(url);
  clearInterval(sampler);
  result.busyDesk = {
    ...busy,
    routes: routeFigures(before, after, busy.durationS),
    serveCpuSeconds: Math.round((cpu1 - cpu0) * 100) / 100,
    serveCpuPerRequestMs: Math.round(((cpu1 - cpu0) * 1e6) / Math.max(1, busy.requests)) / 1000,
    loadAverage: [load0, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
  };
  result.underLoad = { rssMaxMb: Math.max(...rss), rssMeanMb: Math.round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length)), ...procStatus(pid) };

  // Saturation: no think time, connections doubled until the 99th percentile explodes.
  const steps: Array<WrkResult & { connections: number }> = [];
  for (const connections of [4, 8, 16, 32, 64, 128, 256]) {
    log(`saturation: ${connections} connections, ${stepSeconds} s`);
    const r = runWrk(wrk, url, { connections, threads: 2, seconds: stepSeconds, mode: 'mix', delayMs: 0, dataFile });
    steps.push({ connections, ...r });
    rss.push(procStatus(pid).rssMb);
    const first = steps[0];
    if (r.p99Ms > Math.max(1000, 10 * first.p99Ms)) break;
  }
  result.saturation = steps;
  const best = steps.reduce((a, b) => (b.rps > a.rps ? b : a));
  result.saturationPoint = { connections: best.connections, rps: best.rps, p99Ms: best.p99Ms };
  log(`creates alone: 16 connections, ${stepSeconds} s`);
  const c0 = procCpu(pid);
  const creates = runWrk(wrk, url, { connections: 16, threads: 2, seconds: stepSeconds, mode: 'create', delayMs: 0, dataFile });
  result.createOnly = { ...creates, serveCpuPerRequestMs: Math.round(((procCpu(pid) - c0) * 1e6) / Math.max(1, creates.requests)) / 1000 };
  result.afterLoad = { ...procStatus(pid), rssMaxMb: Math.max(...rss) };
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataFile, { force: true });
}
console.log(JSON.stringify(result, null, 2));
