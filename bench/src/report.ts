/**
 * docs/BENCHMARKS.md from the figures of one `npm run bench`: the machine, the command, every
 * figure next to its target on SQLite and PostgreSQL side by side, and for each missed target
 * the reason read from the measurements (the profile of the operation, its SQL, the machine's
 * load) and what would fix it.
 */
import type { Figures } from './lib/measure.js';
import type { ProfileSummary } from './lib/profile.js';

interface ApiResult {
  name: string;
  api: Figures;
  floor?: Figures;
  ratio?: { median: number; cpu: number };
  notes?: string[];
}
interface WrkRun {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: Record<string, number>;
}
export interface DbRun {
  kind: 'sqlite' | 'postgres';
  target: string;
  version?: string;
  generateWallSeconds?: number;
  generate?: {
    tickets: number;
    seed: number;
    now: string;
    rows: Record<string, number>;
    states: Record<string, number>;
    open: number;
    seconds: { setup: number; load: number; indexes: number; finalize: number; total: number };
    cpuSeconds: number;
    indexes: Array<{ name: string; ms: number }>;
    notes: string[];
    org: Record<string, number>;
  };
  api?: { tickets: number; runs: number; perRun: number; results: ApiResult[]; explains: Array<{ name: string; plan: string[]; fullScans: string[] }> };
  profile?: { profiles: Record<'create' | 'reply' | 'page', ProfileSummary> };
  load?: {
    wrk: string;
    agents: number;
    startupSeconds: number;
    idle: { rssMb: number; hwmMb: number };
    busyDesk: WrkRun & { routes: Record<string, { perSecond: number; statuses: Record<string, number>; serverP95Ms: string }>; serveCpuSeconds: number; serveCpuPerRequestMs: number; loadAverage: number[] };
    underLoad: { rssMaxMb: number; rssMeanMb: number; hwmMb: number };
    saturation: Array<WrkRun & { connections: number }>;
    saturationPoint: { connections: number; rps: number; p99Ms: number };
    createOnly: WrkRun & { serveCpuPerRequestMs: number };
    afterLoad: { rssMb: number; hwmMb: number; rssMaxMb: number };
  };
  scheduler?: SchedulerRun & {
    /** The same number of tickets' warnings spread over a longer window (`--realistic`; absent in older runs). */
    realistic?: SchedulerRun;
  };
}
/** One scenario of scheduler.bench.ts. */
export interface SchedulerRun {
  open: number;
  windowSeconds: number;
  dueInWindow: number;
  generateSeconds: number;
  setupOverranLead: boolean;
  fired: number;
  notFiredWhenMeasuringStopped: number;
  graceSeconds: number;
  latenessSeconds: Lateness | null;
  within5s: number;
  /** When the warning's notification reached the inbox (absent in older runs). */
  notifiedLatenessSeconds?: Lateness | null;
  notifiedWithin5s?: number;
  jobsPerSecond: number;
  /** batchSize, batchConcurrency, batches and batchFallbacks are absent in older runs. */
  scheduler: { ran: number; failed: number; parked: number; concurrency: number; pollMs: number; batchSize?: number; batchConcurrency?: number; batches?: number; batchFallbacks?: number };
  jobsByKind?: Record<string, number>;
  batchesByKind?: Record<string, number>;
  cpuSecondsPerJob: number;
  cpuMsPerWarning?: number | null;
  wallSeconds: number;
  loadAverage: number[];
  /** The first seconds after the first due instant under the profiler (absent in older runs). */
  profile?: ProfileSummary | null;
}

type Lateness = { p50: number; p90: number; p95: number; p99: number; max: number; min: number };

export interface Report {
  started: string;
  finished: string;
  command: string;
  smoke: boolean;
  tickets: number;
  seed: number;
  runs: number;
  perRun: number;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string; sqlite: string; loadAverage: { start: number[]; end: number[] } };
  sla?: Record<string, unknown>;
  databases: DbRun[];
  failures: string[];
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ms = (n: number | undefined) => (n === undefined ? '—' : `${fmt(n, n < 10 ? 2 : 1)} ms`);
const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

type Verdict = 'met' | 'MISSED' | 'on track' | 'projected miss' | '—';
interface TargetRow {
  key: string;
  what: string;
  target: string;
  source: string;
  cells: Partial<Record<'sqlite' | 'postgres', { value: string; verdict: Verdict }>>;
}

const FIRST_PAGES = (r: ApiResult) => (r.name.startsWith('queue:') || r.name.startsWith('all open') || r.name.startsWith('portal') || r.name.includes('newest first')) && !r.name.includes('deep');

function find(run: DbRun, prefix: string): ApiResult | undefined {
  return run.api?.results.find((r) => r.name.startsWith(prefix));
}

function targetRows(report: Report): TargetRow[] {
  const rows: TargetRow[] = [];
  const add = (key: string, what: string, target: string, source: string, cell: (run: DbRun) => { value: string; verdict: Verdict } | undefined) => {
    const row: TargetRow = { key, what, target, source, cells: {} };
    for (const run of report.databases) {
      const c = cell(run);
      if (c) row.cells[run.kind] = c;
    }
    rows.push(row);
  };
  add('generate', 'Generate 1,000,000 tickets (the whole data set, indexes included)', '< 10 min', 'performance harness', (run) => {
    const g = run.generate;
    if (!g) return undefined;
    // The organisation (200 customers, 800 contracts, 1,000 users) costs the same at any size.
    const projected = g.seconds.setup + g.seconds.finalize + ((g.seconds.load + g.seconds.indexes) * 1_000_000) / g.tickets;
    const at1m = g.tickets >= 1_000_000;
    return {
      value: `${fmt(g.seconds.total, 1)} s for ${fmt(g.tickets)} (${fmt(g.tickets / g.seconds.total)}/s)${at1m ? '' : `; ≈ ${fmt(projected / 60, 1)} min for 1M if linear`}`,
      verdict: at1m ? (g.seconds.total < 600 ? 'met' : 'MISSED') : projected < 600 ? 'on track' : 'projected miss',
    };
  });
  add('create', 'Create a ticket through the HTTP API', '≥ 1,000 /s on SQLite', 'service desk', (run) => {
    const wrk = run.load?.createOnly;
    const http = find(run, 'create ticket (HTTP');
    if (!wrk && !http) return undefined;
    const rate = wrk ? wrk.rps : Math.round(1e6 / http!.api.cpuUs);
    const how = wrk ? `${fmt(wrk.rps)} /s (wrk, 16 connections; p99 ${ms(wrk.p99Ms)})` : `${fmt(rate)} /s per core (CPU ${fmt(http!.api.cpuUs)} µs each, sequential)`;
    const ratio = find(run, 'create ticket (app.inject)')?.ratio;
    return { value: `${how}${ratio ? `; ${ratio.cpu}× the raw insert's CPU` : ''}`, verdict: run.kind === 'sqlite' ? (rate >= 1000 ? 'met' : 'MISSED') : '—' };
  });
  add('queues', 'Queue views, first page (worst of mine, my team, unassigned, breaching soon, all open, a customer, portal)', 'p95 < 50 ms', 'service desk', (run) => {
    const pages = run.api?.results.filter(FIRST_PAGES) ?? [];
    if (!pages.length) return undefined;
    const worst = pages.reduce((a, b) => (b.api.p95Ms > a.api.p95Ms ? b : a));
    return { value: `${ms(worst.api.p95Ms)} (${worst.name.replace(/, first page$/, '')})`, verdict: worst.api.p95Ms < 50 ? 'met' : 'MISSED' };
  });
  add('page', 'The ticket page (GET /tickets/{id})', 'p95 < 30 ms', 'service desk', (run) => {
    const r = find(run, 'ticket page');
    return r && { value: ms(r.api.p95Ms), verdict: r.api.p95Ms < 30 ? 'met' : 'MISSED' };
  });
  add('reply', 'A reply or a worklog', 'p95 < 20 ms', 'service desk', (run) => {
    const a = find(run, 'reply');
    const b = find(run, 'worklog');
    if (!a || !b) return undefined;
    const worst = Math.max(a.api.p95Ms, b.api.p95Ms);
    return { value: `${ms(a.api.p95Ms)} / ${ms(b.api.p95Ms)}`, verdict: worst < 20 ? 'met' : 'MISSED' };
  });
  add('explain', 'Hot list queries use indexes (EXPLAIN: no full scan of tickets, ticket_events, ticket_sla, jobs)', 'none', 'performance harness', (run) => {
    if (!run.api) return undefined;
    const bad = run.api.explains.filter((e) => e.fullScans.length);
    return { value: bad.length ? `${bad.length} of ${run.api.explains.length} plans scan: ${[...new Set(bad.map((b) => b.name))].join('; ')}` : `${run.api.explains.length} plans, none scans`, verdict: bad.length ? 'MISSED' : 'met' };
  });
  add('busy', 'The busy desk sustained (200 agents; 10 new tickets/s and 50 replies/s, achieved rates from /metrics)', 'the rates, no errors', 'performance harness', (run) => {
    const b = run.load?.busyDesk;
    if (!b) return undefined;
    const rate = (route: string) => b.routes[route]?.perSecond ?? 0;
    const creates = rate('POST /api/v1/tickets');
    const replies = rate('POST /api/v1/tickets/:id/replies');
    const errors = b.errors.status + b.errors.connect + b.errors.read + b.errors.write + b.errors.timeout;
    return {
      value: `${creates} new tickets/s, ${replies} replies/s; p99 ${ms(b.p99Ms)}; ${errors} errors`,
      verdict: creates >= 9 && replies >= 45 && errors === 0 ? 'met' : 'MISSED',
    };
  });
  add('memory', 'RSS of `yunwei serve` under the busy desk', '< 500 MB at 1,000,000 tickets', 'performance harness', (run) => {
    const l = run.load;
    if (!l) return undefined;
    // VmHWM: the highest RSS the process ever had (between the samples too).
    const peak = Math.max(l.underLoad.rssMaxMb, l.afterLoad.rssMaxMb, l.afterLoad.hwmMb);
    return { value: `idle ${fmt(l.idle.rssMb)} MB, busy desk ${fmt(l.underLoad.rssMaxMb)} MB, peak ${fmt(peak)} MB (VmHWM, saturation included)`, verdict: peak < 500 ? (report.tickets >= 1_000_000 ? 'met' : 'on track') : 'MISSED' };
  });
  const schedulerTarget = (s: SchedulerRun | undefined): { value: string; verdict: Verdict } | undefined => {
    if (!s?.latenessSeconds) return undefined;
    const l = s.latenessSeconds;
    return {
      value: `p50 ${fmt(l.p50, 2)} s, p99 ${fmt(l.p99, 2)} s, max ${fmt(l.max, 2)} s${s.notFiredWhenMeasuringStopped ? ` (≥; ${fmt(s.notFiredWhenMeasuringStopped)} not yet fired)` : ''}; ${s.within5s}% within 5 s (${fmt(Math.round(s.dueInWindow / s.windowSeconds))} due a second)`,
      verdict: l.p99 <= 5 && !s.notFiredWhenMeasuringStopped ? 'met' : 'MISSED',
    };
  };
  const stressRun = report.databases.find((d) => d.scheduler)?.scheduler;
  add('scheduler', `SLA warnings fire within 5 s of their due instant (${fmt(stressRun?.open)} open tickets, every first warning within ${fmt(stressRun?.windowSeconds)} s: stress)`, '≤ 5 s', 'service desk / harness', (run) => schedulerTarget(run.scheduler));
  if (report.databases.some((d) => d.scheduler?.realistic)) {
    const r = report.databases.find((d) => d.scheduler?.realistic)!.scheduler!.realistic!;
    add('scheduler-realistic', `SLA warnings fire within 5 s of their due instant (${fmt(r.open)} open tickets, first warnings spread over ${fmt(r.windowSeconds / 60, 0)} min)`, '≤ 5 s', 'service desk / harness', (run) => schedulerTarget(run.scheduler?.realistic));
  }
  return rows;
}

// ---------------------------------------------------------------- why a target was missed

function topSql(p: ProfileSummary, n = 4): string {
  return p.sql
    .slice(0, n)
    .map((s) => `\`${s.sql.slice(0, 70)}${s.sql.length > 70 ? '…' : ''}\` ${fmt(s.msPerOp, 2)} ms${s.perOp !== 1 ? ` (×${s.perOp})` : ''}`)
    .join('; ');
}
function areas(p: ProfileSummary, n = 5): string {
  return p.areas
    .slice(0, n)
    .map((a) => `${a.area} ${a.percent}%`)
    .join(', ');
}

function machineNote(report: Report): string {
  const l = Math.max(report.machine.loadAverage.start[0], report.machine.loadAverage.end[0]);
  return l > report.machine.cores ? ` The machine's load average was ${l.toFixed(1)} on ${report.machine.cores} cores (other engineers' tests): wall-clock latencies include waiting for a core, which the CPU figures do not.` : '';
}

function why(key: string, run: DbRun, report: Report): string | null {
  const p = run.profile?.profiles;
  switch (key) {
    case 'create': {
      if (!p) return 'No profile was taken.';
      const c = p.create;
      const fanOut = c.sql.filter((s) => /into "(notifications|deliveries)"/.test(s.sql) || (/into "jobs"/.test(s.sql) && s.perOp > 2));
      const measured = find(run, 'create ticket (app.inject)');
      const parts = [
        `One create costs ${fmt((measured?.api.cpuUs ?? c.cpuMsPerOp * 1000) / 1000, 2)} ms of CPU in the server process (${fmt(c.cpuMsPerOp, 2)} ms with the profiler on); 1,000/s on one core needs ≤ 1 ms.`,
        `Where the time goes (CPU profile of ${c.ops} creates): ${areas(c)}. Slowest statements per create: ${topSql(c)}.`,
      ];
      if (fanOut.length) {
        parts.push(
          `Most of it is the notification fan-out written inside the create transaction: ${fanOut.map((s) => `${s.perOp}× \`${s.sql.slice(0, 40)}…\``).join(', ')} per ticket (a new ticket in the desk queue notifies every desk member, each with an in-app row, an e-mail delivery and a delivery job). Fix: one delivery job per event that fans out after the commit (or a digest), no e-mail deliveries when no SMTP is configured or the user has not opted in, and notifying the queue's on-duty agents rather than the whole team.`,
        );
      }
      const commit = c.sql.find((s) => s.sql === 'commit');
      if (commit && commit.msPerOp > 1) parts.push(`The commit alone takes ${fmt(commit.msPerOp, 2)} ms: every row above is a WAL page write, and WAL checkpoints run inside commits; fewer rows per create is the fix, a larger wal_autocheckpoint helps a little.`);
      const kysely = c.areas.find((a) => a.area.startsWith('Kysely'));
      if (kysely && kysely.percent > 10) parts.push(`Query building is ${kysely.percent}% (Kysely compiles every query afresh): compile the create path's fixed queries once and run them as prepared statements.`);
      return parts.join(' ');
    }
    case 'queues':
    case 'page':
    case 'reply': {
      const names = key === 'page' ? ['ticket page'] : key === 'reply' ? ['reply', 'worklog'] : (run.api?.results.filter(FIRST_PAGES).map((r) => r.name) ?? []);
      const rs = (run.api?.results ?? []).filter((r) => names.some((n) => r.name.startsWith(n)));
      const cpu = rs.map((r) => `${r.name}: median ${ms(r.api.medianMs)}, p95 ${ms(r.api.p95Ms)}, CPU ${fmt(r.api.cpuUs / 1000, 2)} ms${r.floor ? `, floor ${ms(r.floor.medianMs)}` : ''}`).join('; ');
      const prof = key === 'page' ? p?.page : key === 'reply' ? p?.reply : undefined;
      return `${cpu}.${prof ? ` Profile: ${areas(prof)}; statements: ${topSql(prof, 3)}.` : ''}${machineNote(report)} When the CPU per request is well under the target the p95 is the wait for a core: the fix is on the machine, not in the code; otherwise the profile says where.`;
    }
    case 'explain': {
      const bad = run.api?.explains.filter((e) => e.fullScans.length) ?? [];
      return bad.map((b) => `${b.name}: ${b.plan.join(' → ')}`).join('; ') + '. A full scan grows with the table: add the index the filter needs (see docs/TICKETS.md "Lists").';
    }
    case 'busy': {
      const l = run.load!;
      const b = l.busyDesk;
      return (
        `wrk keeps each agent's connection waiting for the answer before thinking ~2.4 s, so when the server is slower the achieved rates fall instead of queues growing without end. ` +
        `serve used ${fmt(b.serveCpuPerRequestMs, 2)} ms of CPU per request at ${fmt(b.rps)} req/s (${fmt((b.serveCpuPerRequestMs * b.rps) / 10, 0)}% of a core) with a load average of ${b.loadAverage.join(' → ')} on ${report.machine.cores} cores; a new ticket alone costs ${fmt(l.createOnly.serveCpuPerRequestMs, 2)} ms (see "Create a ticket" for where it goes). ` +
        `The saturation point was ${fmt(l.saturationPoint.rps)} req/s. Making creation cheap (the notification fan-out) is what moves both.`
      );
    }
    case 'memory': {
      const l = run.load!;
      return `RSS idle ${fmt(l.idle.rssMb)} MB, peak ${fmt(Math.max(l.underLoad.rssMaxMb, l.afterLoad.rssMaxMb, l.afterLoad.hwmMb))} MB. Profile the heap (node --heapsnapshot-signal) under the saturation run to see what is retained.`;
    }
    case 'scheduler':
    case 'scheduler-realistic': {
      const s = key === 'scheduler' ? run.scheduler! : run.scheduler!.realistic!;
      const needed = Math.round(s.dueInWindow / s.windowSeconds);
      const x = s.scheduler;
      return (
        `${fmt(s.dueInWindow)} warnings due within ${s.windowSeconds} s need ${fmt(needed)} SLA jobs a second; the scheduler fired ${fmt(s.jobsPerSecond)} a second (${x.batchSize ? `batches of up to ${x.batchSize}, ${x.batchConcurrency} at a time` : `${x.concurrency} at a time, polling every ${x.pollMs} ms`}), ${s.cpuMsPerWarning ? `${fmt(s.cpuMsPerWarning, 2)} ms of CPU per warning with the notification jobs it causes` : `${fmt(s.cpuSecondsPerJob * 1000, 1)} ms of CPU per job`}. ` +
        (s.profile ? `Profile of the first ${fmt(s.profile.ops)} jobs: ${fmt(s.profile.cpuMsPerOp, 2)} ms of CPU each; ${areas(s.profile)}; slowest statements per job: ${topSql(s.profile, 4)}. ` : '') +
        `The SLA job runs in batches (modules/tickets/sla-job.ts) and the single jobs wait while a batch kind is behind, so what is left is CPU: ` +
        `if the CPU per warning times the rate needed is more than the core the process gets, the warnings fall behind. Check the load average (other processes on the machine) first; then the profile.` +
        `${s.setupOverranLead ? ' Note: set-up overran the lead, so the first jobs were late before the scheduler started.' : ''}${machineNote(report)}`
      );
    }
    case 'generate': {
      const g = run.generate!;
      return `Setup ${g.seconds.setup} s, rows ${g.seconds.load} s, indexes ${g.seconds.indexes} s; ${fmt(g.cpuSeconds, 1)} s of CPU in the generator.${run.kind === 'postgres' ? ' On PostgreSQL the server ingests the COPY (WAL and the primary keys) while the generator computes the next batch: two connections loading different tables at once would use the second core.' : ''}${machineNote(report)}`;
    }
  }
  return null;
}

// ---------------------------------------------------------------- the document

export function renderReport(report: Report): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const kinds = report.databases.map((d) => d.kind);
  const title = (k: string) => (k === 'sqlite' ? 'SQLite' : 'PostgreSQL');

  line('# Benchmarks');
  line();
  line('Written by `npm run bench` (bench/src/run.ts); do not edit by hand.' + (report.smoke ? ' **Smoke run (CI): small data set, few repetitions, no load test — not figures to quote.**' : ''));
  line();
  line(`Run ${report.started} – ${report.finished}. Command: \`${report.command}\` (data set: ${fmt(report.tickets)} tickets, seed ${report.seed}; each benchmark ${report.runs} runs × ${report.perRun} operations after a warm-up).`);
  line();
  line('## Machine');
  line();
  line(`- CPU: ${report.machine.cpu} × ${report.machine.cores}; memory ${report.machine.memoryGiB} GiB; ${report.machine.os}`);
  line(`- Node ${report.machine.node}; SQLite ${report.machine.sqlite}${report.databases.find((d) => d.version) ? `; PostgreSQL ${report.databases.find((d) => d.version)!.version}` : ''}`);
  line(`- Load average (1 / 5 / 15 min): ${loads(report.machine.loadAverage.start)} at the start, ${loads(report.machine.loadAverage.end)} at the end. The machine is shared with other engineers' test runs: wall-clock figures (latencies, rates) include waiting for a core; CPU figures (µs of CPU per operation, measured with process.cpuUsage and /proc) do not.`);
  line();

  // Targets
  const rows = targetRows(report);
  line('## Targets');
  line();
  line(`| What | Target | From the issue | ${kinds.map(title).join(' | ')} |`);
  line(`|---|---|---|${kinds.map(() => '---|').join('')}`);
  for (const r of rows) line(`| ${r.what} | ${r.target} | ${r.source} | ${kinds.map((k) => (r.cells[k] ? `${r.cells[k]!.value} — **${r.cells[k]!.verdict}**` : '—')).join(' | ')} |`);
  if (report.sla) line(`| SLA core (deadlines, clock recompute) | see below | SLA engine | ${kinds.map(() => 'same code on both: see "SLA core"').join(' | ')} |`);
  line();
  const missed = rows.flatMap((r) => kinds.filter((k) => r.cells[k] && ['MISSED', 'projected miss'].includes(r.cells[k]!.verdict)).map((k) => ({ r, k })));
  if (missed.length) {
    line('### Missed targets: why, and what would fix it');
    line();
    for (const { r, k } of missed) {
      const run = report.databases.find((d) => d.kind === k)!;
      line(`- **${r.what} on ${title(k)}** (${r.cells[k]!.value}; target ${r.target}). ${why(r.key, run, report) ?? ''}`);
    }
    line();
  }
  if (report.failures.length) {
    line('### Benchmarks that failed to run');
    line();
    for (const f of report.failures) line(`- ${f}`);
    line();
  }

  // Data sets
  line('## Data sets');
  line();
  line('`npm run generate -w bench -- --tickets N [--db sqlite:FILE | --db postgres://… --schema S] [--seed 42] [--now ISO] [--replace]`: deterministic (seeded PRNG; same options, same data). 200 customers of the three tiers with a contract per year whose SLA comes from the templates (matrix from the template levels, as "apply template" does) and calendars, 500 agents in a service desk, four regional first-line and three second-line teams; tickets over three years (more on working days and office hours, growing 25% a year), kinds 60% 事件 / 25% 服务请求 / 10% 咨询 / 5% 投诉, each simulated through the lifecycle (dispatch, acceptance, replies, notes, worklogs, on-site visits, waits, resolution, confirmation or automatic closure, reopening, re-prioritising, cancellation) with durations drawn as fractions of the contract\'s own targets, cut at "now" (recent tickets are open, about 1% stay in a backlog); SLA clocks computed by the tickets module\'s own `clocksOf` and stored as its `persistClocks` stores them, with the warnings, breaches and escalations the SLA job would have fired; SLA jobs at the next wake and auto-close jobs for resolved tickets; ratings, complaint links; numbers per kind and year with their counters.');
  line();
  line(`| | ${kinds.map(title).join(' | ')} |`);
  line(`|---|${kinds.map(() => '---|').join('')}`);
  const g = (k: string) => report.databases.find((d) => d.kind === k)?.generate;
  const genRow = (label: string, f: (x: NonNullable<DbRun['generate']>) => string) => line(`| ${label} | ${kinds.map((k) => (g(k) ? f(g(k)!) : '—')).join(' | ')} |`);
  genRow('Tickets (open)', (x) => `${fmt(x.tickets)} (${fmt(x.open)})`);
  genRow('States', (x) => Object.entries(x.states).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${fmt(n)}`).join(', '));
  genRow('Rows', (x) => Object.entries(x.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', '));
  genRow('Time: setup / rows / indexes / total', (x) => `${x.seconds.setup} / ${x.seconds.load} / ${x.seconds.indexes} / **${x.seconds.total} s**`);
  genRow('Rate, CPU of the generator', (x) => `${fmt(x.tickets / x.seconds.total)} tickets/s; ${fmt(x.cpuSeconds, 1)} s CPU`);
  genRow('Slowest index builds', (x) => [...x.indexes].sort((a, b) => b.ms - a.ms).slice(0, 3).map((i) => `${i.name} ${fmt(i.ms / 1000, 1)} s`).join(', '));
  genRow('How', (x) => x.notes.join('; '));
  line();

  // API
  line('## API against its floor (in process)');
  line();
  line('Median and p95 of each operation (wall), CPU per operation (µs), and the floor measured in the same run: ticket creation against a raw prepared insert of the same rows (the ticket, its timeline, clocks, SLA job, audit entry and notifications, copied from one the API wrote; one transaction per ticket); each list against the same SQL (captured from the tickets repo) run directly on a prepared statement; the HTTP round trip against an empty route. Ratio: API ÷ floor (median; CPU).');
  line();
  for (const k of kinds) {
    const run = report.databases.find((d) => d.kind === k)!;
    if (!run.api) continue;
    line(`### ${title(k)} — ${fmt(run.api.tickets)} tickets`);
    line();
    line('| Benchmark | median | p95 | CPU/op | floor median | floor CPU/op | ratio (median; CPU) | |');
    line('|---|---|---|---|---|---|---|---|');
    for (const r of run.api.results) {
      line(`| ${r.name} | ${ms(r.api.medianMs)} | ${ms(r.api.p95Ms)} | ${fmt(r.api.cpuUs)} µs | ${r.floor ? ms(r.floor.medianMs) : '—'} | ${r.floor ? `${fmt(r.floor.cpuUs)} µs` : '—'} | ${r.ratio ? `${r.ratio.median}×; ${r.ratio.cpu}×` : '—'} | ${(r.notes ?? []).join('; ')} |`);
    }
    line();
  }

  // Where the time goes
  if (report.databases.some((d) => d.profile)) {
    line('## Where the time goes (CPU profiles)');
    line();
    line("V8's sampling profiler (what `node --cpu-prof` records) over the server's handling of each operation, in process, summarised by area (self time, idle excluded) and the statements that took longest per operation.");
    line();
    for (const k of kinds) {
      const p = report.databases.find((d) => d.kind === k)?.profile?.profiles;
      if (!p) continue;
      line(`### ${title(k)}`);
      line();
      line('| Operation | CPU/op | Areas | Slowest statements (per operation) |');
      line('|---|---|---|---|');
      for (const [name, prof] of Object.entries(p)) line(`| ${name} | ${fmt(prof.cpuMsPerOp, 2)} ms | ${areas(prof, 6)} | ${topSql(prof, 5)} |`);
      line();
    }
  }

  // EXPLAIN
  line('## Query plans (EXPLAIN) at the generated size');
  line();
  for (const k of kinds) {
    const run = report.databases.find((d) => d.kind === k)!;
    if (!run.api) continue;
    line(`### ${title(k)}`);
    line();
    line('| Query | Plan | Full scan |');
    line('|---|---|---|');
    for (const e of run.api.explains) line(`| ${e.name} | ${e.plan.join(' → ')} | ${e.fullScans.length ? `**${e.fullScans.join(', ')}**` : 'none'} |`);
    line();
  }

  // Load
  if (report.databases.some((d) => d.load)) {
    line('## Load: a busy desk on `yunwei serve` (wrk on loopback)');
    line();
    line('`node server/bin/yunwei.mjs serve` (compiled) on the generated data set, its scheduler running. wrk (Debian\'s 4.1: no fixed-rate mode) with bench/wrk/busy-desk.lua: one connection per agent (200 agents of the desk and second line, who see every customer), each request followed by ~2.4 s of think time, in the mix 50 replies : 10 new tickets : 13 queue refreshes (team, mine) : 10 ticket pages — the busy desk\'s 50 replies/s and 10 new tickets/s at ~83 requests/s. Achieved rates per route are read from the server\'s /metrics. Then the saturation point (no think time, connections doubled until the 99th percentile explodes) and creation alone.');
    line();
    line(`| | ${kinds.map(title).join(' | ')} |`);
    line(`|---|${kinds.map(() => '---|').join('')}`);
    const L = (k: string) => report.databases.find((d) => d.kind === k)?.load;
    const lrow = (label: string, f: (x: NonNullable<DbRun['load']>) => string) => line(`| ${label} | ${kinds.map((k) => (L(k) ? f(L(k)!) : '—')).join(' | ')} |`);
    lrow('Busy desk: throughput, latency p50 / p95 / p99', (x) => `${fmt(x.busyDesk.rps)} req/s; ${ms(x.busyDesk.p50Ms)} / ${ms(x.busyDesk.p95Ms)} / ${ms(x.busyDesk.p99Ms)}`);
    lrow('Busy desk: errors (status / socket / timeouts)', (x) => `${x.busyDesk.errors.status} / ${x.busyDesk.errors.connect + x.busyDesk.errors.read + x.busyDesk.errors.write} / ${x.busyDesk.errors.timeout}`);
    lrow('Busy desk: achieved rates by route (server p95)', (x) => Object.entries(x.busyDesk.routes).map(([r, v]) => `${r} ${v.perSecond}/s (${v.serverP95Ms} ms)`).join('; '));
    lrow('Busy desk: CPU of serve', (x) => `${fmt(x.busyDesk.serveCpuPerRequestMs, 2)} ms per request; load average ${x.busyDesk.loadAverage.join(' → ')}`);
    lrow('Saturation point', (x) => `${fmt(x.saturationPoint.rps)} req/s at ${x.saturationPoint.connections} connections (p99 ${ms(x.saturationPoint.p99Ms)})`);
    lrow('Saturation steps (connections: req/s, p99)', (x) => x.saturation.map((s) => `${s.connections}: ${fmt(s.rps)}, ${ms(s.p99Ms)}`).join('; '));
    lrow('Creates alone (16 connections)', (x) => `${fmt(x.createOnly.rps)} /s, p99 ${ms(x.createOnly.p99Ms)}, ${fmt(x.createOnly.serveCpuPerRequestMs, 2)} ms CPU each`);
    lrow('RSS idle / busy desk max / peak', (x) => `${fmt(x.idle.rssMb)} / ${fmt(x.underLoad.rssMaxMb)} / ${fmt(Math.max(x.afterLoad.rssMaxMb, x.afterLoad.hwmMb))} MB`);
    lrow('Start-up (migrate check, seed, listen)', (x) => `${fmt(x.startupSeconds, 1)} s`);
    line();
  }

  // Scheduler
  if (report.databases.some((d) => d.scheduler)) {
    line('## Scheduler at scale');
    line();
    line(
      "A fresh data set of open tickets (dispatched to an engineer, not yet accepted, on 7×24 contracts) reported so that the 50% warning of each response clock falls due inside a window; the app's Scheduler then runs in process with the real handlers and settings (JOB_*), as `yunwei serve` runs it: the SLA job in batches (one claim and a few transactions for up to JOB_BATCH_SIZE tickets), and the jobs of the notifications the warnings cause (fan-out, mail). " +
        "Lateness = when the warning's timeline entry was written − when it was due (the SLA job's run_at, from the clocks); notified = when the warning's in-app notification was written (sampled every second). Warnings not fired when measuring stopped count as late by at least the time since they were due. " +
        'Stress: every first warning within the window (100,000 in 60 s are 1,667 a second). Realistic: the same number of tickets with their first warnings spread over 10 minutes (167 a second — still several times the average of 100,000 open tickets, whose warnings, breaches and escalations are spread over hours); an urgent ticket\'s first warning comes 7.5 min after its report, so the urgent tickets due in the last minutes of that window cannot be reported before the start and are generated without a running clock ("in the window" counts the others).',
    );
    line();
    const scenarios: Array<{ name: string; get: (d: DbRun) => SchedulerRun | undefined }> = [{ name: 'stress', get: (d) => d.scheduler }];
    if (report.databases.some((d) => d.scheduler?.realistic)) scenarios.push({ name: 'realistic', get: (d) => d.scheduler?.realistic });
    const cols = kinds.flatMap((k) => scenarios.map((sc) => ({ k, sc })));
    line(`| | ${cols.map(({ k, sc }) => `${title(k)}, ${sc.name}`).join(' | ')} |`);
    line(`|---|${cols.map(() => '---|').join('')}`);
    const srow = (label: string, f: (x: SchedulerRun) => string) =>
      line(
        `| ${label} | ${cols
          .map(({ k, sc }) => {
            const d = report.databases.find((db) => db.kind === k);
            const x = d && sc.get(d);
            return x ? f(x) : '—';
          })
          .join(' | ')} |`,
      );
    const dist = (l: Lateness | null | undefined) => (l ? `${l.p50} / ${l.p90} / ${l.p95} / ${l.p99} / ${l.max} s` : '—');
    srow('Open tickets; first warnings due within', (x) => `${fmt(x.open)} (${fmt(x.dueInWindow)} in the window); ${fmt(x.windowSeconds)} s (${fmt(Math.round(x.dueInWindow / x.windowSeconds))}/s)`);
    srow('Scheduler settings', (x) => (x.scheduler.batchSize ? `batches of ≤ ${x.scheduler.batchSize}, ${x.scheduler.batchConcurrency} at a time; ${x.scheduler.concurrency} single jobs at a time; poll ≤ ${fmt(x.scheduler.pollMs)} ms` : `${x.scheduler.concurrency} at a time, polling every ${fmt(x.scheduler.pollMs)} ms`));
    srow('Fired while measuring (window + grace)', (x) => `${fmt(x.fired)} of ${fmt(x.open)} in ${fmt(x.wallSeconds, 0)} s (grace ${x.graceSeconds} s)`);
    srow('Lateness p50 / p90 / p95 / p99 / max', (x) => dist(x.latenessSeconds));
    srow('Within 5 s', (x) => `${x.within5s}%`);
    srow('Notified p50 / p90 / p95 / p99 / max', (x) => (x.notifiedLatenessSeconds ? `${dist(x.notifiedLatenessSeconds)} (${x.notifiedWithin5s}% within 5 s)` : '—'));
    // At a low rate each due instant is a batch of its own: more CPU per warning, in a process that is mostly idle.
    srow('Throughput, CPU', (x) => `${fmt(x.jobsPerSecond)} warnings/s; ${x.cpuMsPerWarning ? `${fmt(x.cpuMsPerWarning, 2)} ms CPU per warning (with its notification jobs), ` : ''}${fmt(x.cpuSecondsPerJob * 1000, 2)} ms per job`);
    srow('Jobs ran', (x) => {
      const kindsRan = x.jobsByKind ? `: ${Object.entries(x.jobsByKind).map(([kind, n]) => `${kind} ${fmt(n)}${x.batchesByKind?.[kind] ? ` in ${fmt(x.batchesByKind[kind])} batches` : ''}`).join(', ')}` : '';
      return `${fmt(x.scheduler.ran)} (${x.scheduler.failed} failed)${kindsRan}${x.scheduler.batchFallbacks ? `; ${x.scheduler.batchFallbacks} batches re-run one by one` : ''}`;
    });
    srow('Load average during', (x) => x.loadAverage.join(' → '));
    srow("Where a job's time goes (profiled while it ran)", (x) => (x.profile ? `${fmt(x.profile.ops)} jobs, ${fmt(x.profile.cpuMsPerOp, 2)} ms CPU each: ${areas(x.profile, 5)}; ${topSql(x.profile, 4)}` : '—'));
    line();
  }

  // SLA core (the SLA engine issue's figures, unchanged in substance)
  if (report.sla) {
    const s = report.sla as {
      addWorkingMinutes: Record<string, { opsPerSec: number }>;
      addWorkingDays: Record<string, { opsPerSec: number }>;
      workingMsBetween: Record<string, { opsPerSec: number }>;
      computeClocks50Events: { usPerRecompute: number };
      freshCalendar: { first4096DeadlinesMs: number };
    };
    const per = (r: { opsPerSec: number }) => `${fmt(r.opsPerSec)} /s`;
    const target = 300_000;
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    line('## SLA core (issue: SLA engine) — `cn-5x8`, Asia/Shanghai, starts spread over 2025–2026');
    line();
    line('Command: `npm run bench` (this part alone: `cd bench && npx tsx src/sla-core.bench.ts`). CPU time on one core, best of three rounds after a warm-up.');
    line();
    line('| Benchmark | Result | Target | |');
    line('|---|---|---|---|');
    line(`| addWorkingMinutes, 1 hour away | ${per(s.addWorkingMinutes['1h'])} | ≥ 300,000 /s | ${met(s.addWorkingMinutes['1h'].opsPerSec >= target)} |`);
    line(`| addWorkingMinutes, 5 working days away | ${per(s.addWorkingMinutes['5wd (2400 min)'])} | ≥ 300,000 /s, ≈ the 1 h cost | ${met(s.addWorkingMinutes['5wd (2400 min)'].opsPerSec >= target)} |`);
    line(`| addWorkingMinutes, 60 working days away | ${per(s.addWorkingMinutes['60wd (28800 min)'])} | ≥ 300,000 /s, ≈ the 1 h cost | ${met(s.addWorkingMinutes['60wd (28800 min)'].opsPerSec >= target)} |`);
    line(`| addWorkingDays, 5 / 60 days | ${per(s.addWorkingDays['5'])} / ${per(s.addWorkingDays['60'])} | — | |`);
    line(`| workingMsBetween, 30 days apart | ${per(s.workingMsBetween['30 days apart'])} | — | |`);
    line(`| computeClocks, ticket with 50 events | ${s.computeClocks50Events.usPerRecompute} µs | < 20 µs | ${met(s.computeClocks50Events.usPerRecompute < 20)} |`);
    line(`| First use of a calendar (compile + zone offsets + 4096 deadlines) | ${s.freshCalendar.first4096DeadlinesMs} ms | — | |`);
    line();
    line("The cost is flat in the distance because a compiled calendar builds, once, blocks of 128 local days holding each day's working intervals as UTC instants and the cumulative working time; an operation is a block lookup plus binary searches, with no Intl call once the blocks exist.");
    line();
  }
  line('Raw figures of every run: bench/out/results-*.json (not committed).');
  line();
  return out.join('\n');
}
