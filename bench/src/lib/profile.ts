import { Session } from 'node:inspector/promises';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Where the time of an operation goes: a CPU profile of the process (V8's sampling profiler,
 * the same as `node --cpu-prof`) summarised by function and by area (our code, Fastify, zod,
 * Kysely, the database driver), and the time spent in each SQL statement. Install the SQL
 * timers before the database is opened; they only count while a profile runs.
 */
export interface ProfileSummary {
  ops: number;
  cpuMsPerOp: number;
  /** Self time by area, percent of the samples (idle excluded). */
  areas: Array<{ area: string; percent: number }>;
  functions: Array<{ fn: string; percent: number }>;
  /** Time in each statement per operation (ms), and how many times it ran per operation. */
  sql: Array<{ sql: string; msPerOp: number; perOp: number }>;
}

const sqlStats = new Map<string, { n: number; ms: number }>();
let counting = false;

function count(sql: string, ms: number) {
  if (!counting) return;
  const s = sqlStats.get(sql) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += ms;
  sqlStats.set(sql, s);
}

export function installSqlTimers(): void {
  const proto = Database.prototype as unknown as { prepare: (sql: string) => Record<string, unknown> };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const st = prepare.call(this, sql) as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ['all', 'run', 'get']) {
      const f = st[m].bind(st);
      st[m] = (...a: unknown[]) => {
        const t0 = performance.now();
        try {
          return f(...a);
        } finally {
          count(sql, performance.now() - t0);
        }
      };
    }
    return st;
  } as typeof proto.prepare;
  const clientProto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = clientProto.query;
  clientProto.query = function (this: unknown, ...a: unknown[]) {
    const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text;
    const result = query.apply(this, a);
    if (!text || !counting || !(result instanceof Promise)) return result;
    const t0 = performance.now();
    return result.finally(() => count(text, performance.now() - t0));
  } as typeof clientProto.query;
}

function areaOf(url: string): string {
  if (!url) return 'native / V8';
  if (url.includes('/kysely/')) return 'Kysely (query building)';
  if (url.includes('/zod/')) return 'zod (validation)';
  if (url.includes('/fastify') || url.includes('/light-my-request/') || url.includes('/find-my-way/') || url.includes('/avvio/')) return 'Fastify';
  if (url.includes('/better-sqlite3/')) return 'better-sqlite3';
  if (url.includes('/pg') && url.includes('node_modules')) return 'pg driver';
  if (url.includes('/server/src/')) {
    const m = /\/server\/src\/([^/]+\/[^/]+)/.exec(url);
    return `server/src/${m ? m[1].replace(/\.ts$/, '') : ''}`;
  }
  if (url.startsWith('node:')) return 'Node.js';
  return 'other';
}

export async function profile(ops: number, op: (i: number) => Promise<unknown>): Promise<ProfileSummary> {
  const span = await startProfile();
  for (let i = 0; i < ops; i++) await op(i);
  return span.stop(ops);
}

/** Starts the profiler and the SQL timers; `stop(ops)` summarises per operation (ops counted by the caller). */
export async function startProfile(): Promise<{ stop(ops: number): Promise<ProfileSummary> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  sqlStats.clear();
  counting = true;
  const c0 = process.cpuUsage();
  await session.post('Profiler.start');
  return {
    async stop(opCount: number) {
      const ops = Math.max(1, opCount);
      const { profile: p } = await session.post('Profiler.stop');
      const cpu = process.cpuUsage(c0);
      counting = false;
      session.disconnect();
      return summarise(p, cpu, ops);
    },
  };
}

function summarise(p: import('node:inspector').Profiler.Profile, cpu: NodeJS.CpuUsage, ops: number): ProfileSummary {
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples!.length; i++) self.set(p.samples![i], (self.get(p.samples![i]) ?? 0) + (p.timeDeltas![i] ?? 0));
  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const node of p.nodes) {
    const us = self.get(node.id) ?? 0;
    const name = node.callFrame.functionName;
    if (!us || name === '(idle)' || name === '(program)') continue;
    total += us;
    const url = node.callFrame.url;
    const area = name === '(garbage collector)' ? 'garbage collector' : areaOf(url);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const fn = `${name || '(anonymous)'} ${url.split('/').slice(-2).join('/')}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, total)) / 10;
  return {
    ops,
    cpuMsPerOp: Math.round((cpu.user + cpu.system) / ops) / 1000,
    areas: [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([area, us]) => ({ area, percent: pct(us) })),
    functions: [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([fn, us]) => ({ fn, percent: pct(us) })),
    sql: [...sqlStats]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 10)
      .map(([sql, s]) => ({ sql: sql.length > 160 ? `${sql.slice(0, 157)}…` : sql, msPerOp: Math.round((1000 * s.ms) / ops) / 1000, perOp: Math.round((100 * s.n) / ops) / 100 })),
  };
}
