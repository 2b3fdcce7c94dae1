/**
 * The CMDB at scale (issue #13, docs/CMDB.md; targets: CI search by code/name/IP p95 < 30 ms,
 * impact analysis to depth 5 from a core switch with 5,000 dependants p95 < 200 ms, the CI page
 * p95 < 30 ms, a 10,000-row sheet imported in < 30 s with its progress), on a generated data set
 * (generate.ts, then gen/cmdb.ts — or `--cis N` here when it has no CIs yet):
 *
 * - through the HTTP API in this process (the app as `yunwei serve` builds it, requests with a
 *   real session cookie and CSRF token), as an administrator (every customer) and as the
 *   busiest first-line engineer (his team's customers only);
 * - search: the CI list's search box (`GET /cis?q=`, across the caller's customers and within
 *   one) and the log-a-call drawer's lookup (`GET /cis/lookup`) by a full code, a code's
 *   beginning, an exact IP, an IP's beginning (three octets), a name;
 * - impact: `GET /cis/{core}/impact?direction=up&depth=5&maxNodes=20000` from the core switch
 *   with the most dependants (and the engineer's own biggest one);
 * - the CI page: the CI, its related records, relationships and history requested at once as the
 *   page does, on CIs drawn across every type, and on the busiest ones (core switches, apps);
 * - import: `POST /cis/import` of a `--import-rows` sheet with `Accept: application/x-ndjson`
 *   (the progress lines and when each arrived), then the imported CIs removed again.
 *
 *   node --import tsx src/cmdb.bench.ts --db sqlite:FILE | --db postgres://… --schema S
 *        [--runs 3] [--per-run 40] [--import-rows 10000] [--cis N (generate when none)] [--out FILE]
 *
 * Prints one JSON object (and writes it to --out when given).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { prepareDatabase } from '../../server/src/runtime.js';
import { intArg, parseArgs } from './generate.js';
import { generateCmdb, type CmdbSummary } from './gen/cmdb.js';
import { createSession, loadFixtures, type Session } from './lib/fixtures.js';
import { measure, type Figures } from './lib/measure.js';
import { openTarget, parseTarget } from './lib/target.js';

const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const runs = intArg(args, 'runs', 3);
const perRun = intArg(args, 'per-run', 40);
const importRows = intArg(args, 'import-rows', 10_000);
const generateCis = intArg(args, 'cis', 0);
const log = (s: string) => console.error(s);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const load = { atStart: os.loadavg().map((l) => round(l, 2)), atEnd: [] as number[] };
const cpu0 = process.cpuUsage();

// ------------------------------------------------------------------ data set
let database = openTarget(target);
await prepareDatabase(database);
const count = async (table: 'cis' | 'ci_relations' | 'tickets' | 'ticket_cis' | 'customers') => Number((await database.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
let generated: CmdbSummary | null = null;
if ((await count('cis')) === 0) {
  if (!generateCis) throw new Error(`${database.describe} has no CIs: run src/gen/cmdb.ts first, or pass --cis N`);
  await database.close();
  generated = await generateCmdb(target, { cis: generateCis, relations: generateCis * 4, campus: Math.min(5500, Math.max(200, Math.round(generateCis / 10))), log });
  log(`CMDB generated: ${generated.rows.cis} CIs, ${generated.rows.relations} relationships in ${generated.seconds.total} s`);
  database = openTarget(target);
}
const db = database.db;
const sizes = { tickets: await count('tickets'), customers: await count('customers'), cis: await count('cis'), relations: await count('ci_relations'), ticketCis: await count('ticket_cis') };
log(`cmdb bench on ${database.describe}: ${JSON.stringify(sizes)}; load ${load.atStart.join(' ')}`);

const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(os.tmpdir(), 'yunwei-bench-files') });
const app = await buildApp({ config, database, logger: false });
await app.ready();
const fx = await loadFixtures(db);
const adminUser = await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
const admin = await createSession(db, Number(adminUser.id));
const engineerCustomers = (
  await db.selectFrom('team_members').innerJoin('team_customers', 'team_customers.team_id', 'team_members.team_id').select('team_customers.customer_id').where('team_members.user_id', '=', fx.engineer.userId).execute()
).map((r) => Number(r.customer_id));
const roles: Array<[string, Session, number[] | null]> = [
  ['admin', admin, null],
  ['engineer', fx.engineer, engineerCustomers],
];

async function call(method: 'GET' | 'POST', url: string, s: Session, extra: { payload?: Buffer | string; headers?: Record<string, string> } = {}) {
  const res = await app.inject({ method, url, headers: { ...s.headers, ...extra.headers }, payload: extra.payload });
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res;
}
const get = async <T>(url: string, s: Session) => (await call('GET', url, s)).json() as T;

// ------------------------------------------------------------------ samples
/** CIs spread over the id range (every type in its share), in the given customers or all. */
async function sampleCis(customers: number[] | null, n: number) {
  const bounds = await db.selectFrom('cis').select([sql<number>`min(id)`.as('lo'), sql<number>`max(id)`.as('hi')]).$if(customers !== null, (q) => q.where('customer_id', 'in', customers!)).executeTakeFirstOrThrow();
  const lo = Number(bounds.lo);
  const hi = Number(bounds.hi);
  const out: Array<{ id: number; code: string; name: string; customer_id: number; ip: string | null }> = [];
  for (let i = 0; out.length < n && i < n * 4; i++) {
    const at = lo + Math.floor(((i * 7919) % (n * 4)) * ((hi - lo) / (n * 4)));
    const r = await db.selectFrom('cis').select(['id', 'code', 'name', 'customer_id', 'ip']).where('id', '>=', at).$if(customers !== null, (q) => q.where('customer_id', 'in', customers!)).orderBy('id').limit(1).executeTakeFirst();
    if (r && !out.some((x) => x.id === Number(r.id))) out.push({ id: Number(r.id), code: r.code, name: r.name, customer_id: Number(r.customer_id), ip: r.ip });
  }
  return out;
}

// ------------------------------------------------------------------ search
type Hits = { items: unknown[] };
const search: Record<string, Figures & { meanHits: number }> = {};
for (const [role, s, customers] of roles) {
  const sample = await sampleCis(customers, 60);
  const withIp = sample.filter((c) => c.ip);
  const kinds: Array<[string, (c: (typeof sample)[number]) => string | null]> = [
    ['full code', (c) => c.code],
    ['code beginning', (c) => c.code.slice(0, -2)],
    ['exact IP', (c) => c.ip],
    ['IP beginning (3 octets)', (c) => (c.ip ? c.ip.split('.').slice(0, 3).join('.') + '.' : null)],
    ['name', (c) => c.name],
  ];
  for (const [kind, text] of kinds) {
    const pool = (kind.includes('IP') ? withIp : sample).map((c) => ({ q: text(c)!, customerId: c.customer_id }));
    if (!pool.length) continue;
    const shapes: Array<[string, (p: (typeof pool)[number]) => string]> = [
      ['list, all his customers', (p) => `/api/v1/cis?q=${encodeURIComponent(p.q)}&limit=50`],
      ['list, one customer', (p) => `/api/v1/cis?q=${encodeURIComponent(p.q)}&customerId=${p.customerId}&limit=50`],
      ['lookup (log-a-call drawer)', (p) => `/api/v1/cis/lookup?q=${encodeURIComponent(p.q)}&customerId=${p.customerId}`],
    ];
    for (const [shape, url] of shapes) {
      let hits = 0;
      let n = 0;
      const f = await measure(
        async (i) => {
          const r = await get<Hits>(url(pool[i % pool.length]), s);
          hits += r.items.length;
          n++;
        },
        { runs, perRun, warmup: Math.min(pool.length, perRun, 20) },
      );
      const name = `${kind} · ${role} · ${shape}`;
      search[name] = { ...f, meanHits: round(hits / Math.max(1, n)) };
      log(`search ${name}: p50 ${f.medianMs} ms, p95 ${f.p95Ms} ms, ${search[name].meanHits} hits`);
    }
  }
}

// ------------------------------------------------------------------ impact
/** Core switches: those of the customer with the most CIs and the four with the most CIs connected, in scope. */
async function coreSwitches(customers: number[] | null) {
  const biggest = await db
    .selectFrom('cis')
    .select(['customer_id', sql<number>`count(*)`.as('n')])
    .$if(customers !== null, (q) => q.where('customer_id', 'in', customers!))
    .groupBy('customer_id')
    .orderBy(sql`count(*)`, 'desc')
    .limit(1)
    .executeTakeFirst();
  type Core = { id: number; code: string; n: number };
  const cores = (scope: (q: any) => any, limit: number): Promise<Core[]> =>
    db
      .selectFrom('cis')
      .innerJoin('ci_types', 'ci_types.id', 'cis.type_id')
      .innerJoin('ci_relations', 'ci_relations.target_id', 'cis.id')
      .select(['cis.id', 'cis.code', sql<number>`count(*)`.as('n')])
      .where('ci_types.code', '=', 'network')
      .where('cis.name', 'like', '核心交换机%')
      .$call(scope)
      .groupBy(['cis.id', 'cis.code'])
      .orderBy(sql`count(*)`, 'desc')
      .limit(limit)
      .execute();
  const own = biggest ? await cores((q) => q.where('cis.customer_id', '=', biggest.customer_id), 8) : [];
  const top = await cores((q) => (customers !== null ? q.where('cis.customer_id', 'in', customers) : q), 4);
  return [...own, ...top.filter((c) => !own.some((o) => Number(o.id) === Number(c.id)))];
}
interface ImpactAnswer {
  nodes: unknown[];
  edges: unknown[];
  services: unknown[];
  openTickets: unknown[];
  levels: number;
  truncated: boolean;
  tookMs: number;
}
const impact: Record<string, Figures & { root: string; dependants: number; edges: number; services: number; openTickets: number; truncated: boolean; serverTookMs: number }> = {};
for (const [role, s, customers] of roles) {
  const cores = await coreSwitches(customers);
  if (!cores.length) continue;
  // The target's core switch: of the candidates, the one with the fewest dependants within 5
  // levels that still has 5,000 (campuses vary in size), else the one with the most.
  let best: { id: number; code: string; answer: ImpactAnswer } | null = null;
  const size = (a: ImpactAnswer) => (a.nodes.length - 1 >= 5000 ? a.nodes.length : 1e9 - a.nodes.length);
  for (const c of cores) {
    const answer = await get<ImpactAnswer>(`/api/v1/cis/${c.id}/impact?direction=up&depth=5&maxNodes=20000`, s);
    if (!best || size(answer) < size(best.answer)) best = { id: Number(c.id), code: c.code, answer };
  }
  const url = `/api/v1/cis/${best!.id}/impact?direction=up&depth=5&maxNodes=20000`;
  const took: number[] = [];
  const f = await measure(async () => took.push((await get<ImpactAnswer>(url, s)).tookMs), { runs, perRun: Math.max(5, Math.round(perRun / 2)), warmup: 3 });
  const a = best!.answer;
  const name = `depth 5 up from ${best!.code} · ${role}`;
  impact[name] = { ...f, root: best!.code, dependants: a.nodes.length - 1, edges: a.edges.length, services: a.services.length, openTickets: a.openTickets.length, truncated: a.truncated, serverTookMs: round(took.sort((x, y) => x - y)[Math.ceil(took.length * 0.95) - 1] ?? 0) };
  log(`impact ${name}: ${a.nodes.length - 1} dependants, ${a.edges.length} edges, p50 ${f.medianMs} ms, p95 ${f.p95Ms} ms (service p95 ${impact[name].serverTookMs} ms)`);
}

// ------------------------------------------------------------------ the CI page
const PAGE = (id: number) => [`/api/v1/cis/${id}`, `/api/v1/cis/${id}/related`, `/api/v1/cis/${id}/relations`, `/api/v1/cis/${id}/history?limit=20`];
const page: Record<string, Figures> = {};
for (const [role, s, customers] of roles) {
  const sample = await sampleCis(customers, 100);
  const busy = (await db
    .selectFrom('ci_relations')
    .innerJoin('cis', 'cis.id', 'ci_relations.target_id')
    .select(['ci_relations.target_id', sql<number>`count(*)`.as('n')])
    .$if(customers !== null, (q) => q.where('cis.customer_id', 'in', customers!))
    .groupBy('ci_relations.target_id')
    .orderBy(sql`count(*)`, 'desc')
    .limit(20)
    .execute()).map((r) => Number(r.target_id));
  for (const [which, ids] of [
    ['CIs of every type', sample.map((c) => c.id)],
    ['the 20 most related CIs (core switches, applications)', busy],
  ] as const) {
    const f = await measure((i) => Promise.all(PAGE(ids[i % ids.length]).map((u) => get(u, s))), { runs, perRun, warmup: Math.min(ids.length, perRun, 20) });
    page[`whole page (4 requests at once) · ${which} · ${role}`] = f;
    log(`CI page ${which} · ${role}: p50 ${f.medianMs} ms, p95 ${f.p95Ms} ms`);
    if (which === 'CIs of every type') {
      for (const [k, part] of ['CI', 'related', 'relations', 'history'].entries()) {
        page[`${part} alone · ${which} · ${role}`] = await measure((i) => get(PAGE(ids[i % ids.length])[k], s), { runs, perRun, warmup: Math.min(perRun, 10) });
      }
    }
  }
}

// ------------------------------------------------------------------ import
let importResult: Record<string, unknown> | null = null;
if (importRows > 0) {
  const customer = await db.selectFrom('customers').select(['id', 'code']).orderBy('id').limit(1).executeTakeFirstOrThrow();
  const tag = `IMP${Date.now().toString(36).toUpperCase()}`;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('物理服务器');
  ws.addRow(['编号', '名称', '状态', '重要程度', '品牌', '型号', '序列号', '管理IP', '主机名', 'CPU', 'CPU 核数', '内存', '操作系统', '机柜位置', '用途']);
  for (let i = 0; i < importRows; i++) {
    const n = 16_000_000 + i;
    ws.addRow([`${tag}-SRV${String(i).padStart(5, '0')}`, `导入服务器 ${i + 1}`, '在用', i % 10 === 0 ? '关键' : '中', '华为', 'FusionServer 2288H V6', `${tag}SN${i}`, `172.${16 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${(n & 255) || 1}`, `${tag.toLowerCase()}-srv${i}`, '2 × Intel Xeon Gold 6338', 64, 256, '麒麟 V10', `U${(i % 40) + 1}`, '业务系统']);
  }
  const file = Buffer.from(await wb.xlsx.writeBuffer());
  const boundary = `----yunwei${Date.now()}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cis.xlsx"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  // Over a socket, as the page sends it: each progress line is timed when it arrives.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/cis/import?customerId=${customer.id}`, {
    method: 'POST',
    headers: { ...admin.headers, accept: 'application/x-ndjson', 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: payload,
  });
  const lines: Array<Record<string, unknown> & { atMs: number }> = [];
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) lines.push({ ...(JSON.parse(line) as Record<string, unknown>), atMs: Math.round(performance.now() - t0) });
    }
  }
  if (rest.trim()) lines.push({ ...(JSON.parse(rest) as Record<string, unknown>), atMs: Math.round(performance.now() - t0) });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (res.status === 404) {
    importResult = { skipped: 'POST /cis/import answered 404 (not there yet)' };
    log('import: skipped, the route answers 404');
  } else {
    const last = lines[lines.length - 1] ?? { atMs: 0 };
    const imported = await db.selectFrom('cis').select(sql<number>`count(*)`.as('n')).where('code', 'like', `${tag}-%`).executeTakeFirstOrThrow();
    const phaseAt = (phase: string) => lines.find((l) => l.phase === phase)?.atMs ?? null;
    importResult = {
      rows: importRows,
      bytes: file.length,
      status: res.status,
      seconds: round(seconds, 2),
      cpuSeconds: round((c.user + c.system) / 1e6, 2),
      imported: Number(imported.n),
      progressLines: lines.length,
      // when each phase's first line arrived (ms from the request)
      phases: { read: phaseAt('read'), check: phaseAt('check'), write: phaseAt('write'), done: last.atMs },
      // a sample of the progress as the page receives it: [ms, phase, done, total]
      timeline: lines.filter((_, i) => i % Math.max(1, Math.floor(lines.length / 12)) === 0 || i === lines.length - 1).map((l) => [l.atMs, l.phase ?? 'done', l.done ?? null, l.total ?? null]),
      result: last.result ?? null,
      error: last.error ?? null,
    };
    log(`import of ${importRows} rows: ${round(seconds, 2)} s, ${lines.length} progress lines, ${Number(imported.n)} CIs imported`);
    // Leave the data set as it was (the next run imports the same sheet shape again).
    const ids = (await db.selectFrom('cis').select('id').where('code', 'like', `${tag}-%`).execute()).map((r) => Number(r.id));
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      await db.deleteFrom('ci_addresses').where('ci_id', 'in', part).execute();
      await db.deleteFrom('ci_history').where('ci_id', 'in', part).execute();
      await db.deleteFrom('search_docs').where('kind', '=', 'ci').where('ref_id', 'in', part).execute();
      await db.deleteFrom('cis').where('id', 'in', part).execute();
    }
  }
}

const cpu = process.cpuUsage(cpu0);
const out = {
  database: database.describe,
  dialect: database.dialect,
  sizes,
  generated,
  engineer: { userId: fx.engineer.userId, customers: engineerCustomers.length },
  load: { ...load, atEnd: os.loadavg().map((l) => round(l, 2)) },
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  cpuSeconds: round((cpu.user + cpu.system) / 1e6, 1),
  search,
  impact,
  page,
  import: importResult,
  at: new Date().toISOString(),
};
const json = JSON.stringify(out, null, 2);
if (typeof args.out === 'string') fs.writeFileSync(args.out, json);
console.log(json);
await app.close();
await database.close();
