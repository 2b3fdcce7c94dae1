/**
 * The service desk's hot paths, in process, against a generated data set, each next to a floor
 * measured in the same run (lib/floor.ts): ticket creation (app.inject and over HTTP) against a
 * raw prepared insert of the same rows; the queues and a customer's tickets against the same SQL
 * run directly; the ticket page; replies and worklogs; the HTTP round trip (GET /healthz) against
 * an empty route. EXPLAIN checks that the list queries use indexes. Prints one JSON object.
 *
 *   node --import tsx src/api.bench.ts --db sqlite:FILE | --db postgres://… --schema S [--runs 5] [--per-run 200]
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { OPEN_STATES } from '../../server/src/core/tickets/lifecycle.js';
import * as authRepo from '../../server/src/platform/auth/repo.js';
import * as orgRepo from '../../server/src/modules/organisation/repo.js';
import * as repo from '../../server/src/modules/tickets/repo.js';
import { intArg, parseArgs } from './generate.js';
import { fullScans, openRaw, type Raw, type RawQuery } from './lib/floor.js';
import { loadFixtures, type Session } from './lib/fixtures.js';
import { measure, type Figures } from './lib/measure.js';
import { installSqlTimers, profile } from './lib/profile.js';
import { openTarget, parseTarget } from './lib/target.js';

const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const runs = intArg(args, 'runs', 5);
const perRun = intArg(args, 'per-run', 200);
/** `--profile N`: instead of the benchmarks, profile N creates, replies and ticket pages (where the time goes). */
const profileOps = intArg(args, 'profile', 0);
if (profileOps) installSqlTimers();

const database = openTarget(target);
const db = database.db;
const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(os.tmpdir(), 'yunwei-bench-files') });
const app = await buildApp({ config, database, logger: false });
// The floor of the HTTP round trip: a route that does nothing, behind the same hooks.
app.get('/bench/empty', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));
await app.ready();
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const raw = await openRaw(target);
const fx = await loadFixtures(db);
const OPEN = OPEN_STATES.join(',');

function httpRequest(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: url, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function inject(method: 'GET' | 'POST', url: string, session: Session, payload?: unknown, expect = method === 'POST' ? 201 : 200) {
  const res = await app.inject({ method, url, headers: session.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  if (res.statusCode !== expect) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 400)}`);
  return res;
}

const newTicket = (i: number) => ({
  customerId: fx.report.customerId,
  contactId: fx.report.contactId,
  siteId: fx.report.siteId,
  kind: 'incident',
  title: `压测工单 ${i}：门诊楼打印机卡纸`,
  description: '门诊楼收费处打印机卡纸，影响收费窗口出票，请尽快安排处理。',
  impact: 'medium',
  urgency: 'high',
  service: '桌面运维',
  category: '打印机',
  channel: 'phone',
  reportedAt: new Date().toISOString(),
});

interface Result {
  name: string;
  api: Figures;
  floor?: Figures;
  /** api median / floor median, and CPU per operation likewise. */
  ratio?: { median: number; cpu: number };
  notes?: string[];
}
const results: Result[] = [];
const withFloor = (name: string, api: Figures, floor: Figures | undefined, notes?: string[]): Result => {
  const r: Result = { name, api, ...(floor ? { floor, ratio: { median: round(api.medianMs / floor.medianMs), cpu: round(api.cpuUs / floor.cpuUs) } } : {}), ...(notes ? { notes } : {}) };
  results.push(r);
  return r;
};
const round = (n: number) => Math.round(n * 10) / 10;
const opts = { runs, perRun };

if (profileOps) {
  const working = fx.workingIds.length ? fx.workingIds : fx.sampleIds;
  for (let i = 0; i < 20; i++) await inject('POST', '/api/v1/tickets', fx.desk, newTicket(i));
  const profiles = {
    create: await profile(profileOps, (i) => inject('POST', '/api/v1/tickets', fx.desk, newTicket(i))),
    reply: await profile(profileOps, (i) => inject('POST', `/api/v1/tickets/${working[i % working.length]}/replies`, fx.desk, { body: `已远程排查（${i}）。`, visibility: 'public' })),
    page: await profile(profileOps, (i) => inject('GET', `/api/v1/tickets/${fx.sampleIds[i % fx.sampleIds.length]}`, fx.desk)),
  };
  await app.close();
  await raw.close();
  await database.close();
  console.log(JSON.stringify({ target: database.describe, profiles }, null, 2));
  process.exit(0);
}

const explains: Array<{ name: string; plan: string[]; fullScans: string[] }> = [];
async function explainAll(name: string, queries: RawQuery[]) {
  for (const q of queries) {
    const plan = await raw.explain(q);
    explains.push({ name, plan, fullScans: fullScans(plan) });
  }
}

// ---------------------------------------------------------------- ticket creation

const floor = await createFloor();
withFloor('create ticket (app.inject)', await measure((i) => inject('POST', '/api/v1/tickets', fx.desk, newTicket(i)), opts), floor.figures, [`rows written per create: ${floor.rows}`]);
withFloor(
  'create ticket (HTTP, keep-alive)',
  await measure(async (i) => {
    const r = await httpRequest('POST', '/api/v1/tickets', fx.desk.headers, newTicket(i));
    if (r.status !== 201) throw new Error(`POST /tickets over HTTP: ${r.status} ${r.text.slice(0, 300)}`);
  }, opts),
  floor.figures,
  ['client and server in one process: CPU per operation includes the client'],
);

/**
 * Every row one API create writes, found generically (rows of any table with an id above what
 * was there before, rows of any table that names the ticket), then inserted again as copies
 * with raw prepared statements, one transaction per ticket, after the same counter upsert (on a
 * counter row of its own). Whatever a later change adds to creation is in the floor too. The
 * copies are removed afterwards.
 */
async function createFloor(): Promise<{ figures: Figures; rows: string }> {
  const p = raw.param;
  const tables = (await raw.tables()).filter((t) => t.name !== 'ticket_counters');
  const maxIds = async () => {
    const m = new Map<string, number>();
    for (const t of tables) if (t.numericId) m.set(t.name, Number((await raw.all({ sql: `select coalesce(max(id), 0) as m from "${t.name}"`, params: [] }))[0].m));
    return m;
  };
  const before = await maxIds();
  const ticketId = (JSON.parse((await inject('POST', '/api/v1/tickets', fx.desk, newTicket(0))).body) as { id: number }).id;
  const written: Array<{ table: string; rows: Array<Record<string, unknown>> }> = [];
  for (const t of tables) {
    const rows = t.numericId
      ? await raw.all({ sql: `select * from "${t.name}" where id > ${p(1)} order by id`, params: [before.get(t.name)!] })
      : t.columns.includes('ticket_id')
        ? await raw.all({ sql: `select * from "${t.name}" where ticket_id = ${p(1)}`, params: [ticketId] })
        : [];
    if (rows.length) written.push({ table: t.name, rows });
  }
  written.sort((a, b) => (a.table === 'tickets' ? -1 : b.table === 'tickets' ? 1 : 0));
  const insert = (table: string, row: Record<string, unknown>): RawQuery => {
    const cols = Object.keys(row);
    return { sql: `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map((_, i) => p(i + 1)).join(', ')})`, params: cols.map((c) => row[c]) };
  };
  const floorStart = await maxIds();
  // Negative ticket ids: out of the way of the API's own.
  let nextId = -1;
  const figures = await measure(async (i) => {
    const id = nextId--;
    const queries: RawQuery[] = [{ sql: `insert into ticket_counters (kind, year, next) values ('floor', 0, 2) on conflict (kind, year) do update set next = ticket_counters.next + 1 returning next`, params: [] }];
    for (const part of written) {
      for (const row of part.rows) {
        const copy: Record<string, unknown> = { ...row };
        if (part.table === 'tickets') Object.assign(copy, { id, number: `FLOOR-${id}-${i}` });
        // The search index's key is the record's (kind range + id), not generated: a negative one of its own.
        else if (part.table === 'search_docs') Object.assign(copy, { id: id - 2 ** 40, ref_id: id });
        else if ('id' in copy) delete copy.id;
        if ('ticket_id' in copy) copy.ticket_id = id;
        if (part.table === 'jobs') copy.key = `floor:${id}:${String(row.key)}`;
        if (copy.entity === 'tickets' && 'entity_id' in copy) copy.entity_id = String(id);
        queries.push(insert(part.table, copy));
      }
    }
    await raw.transaction(queries);
  }, opts);
  const cleanup: RawQuery[] = [];
  for (const t of [...tables].reverse()) {
    if (t.name === 'tickets') continue;
    if (t.columns.includes('ticket_id')) cleanup.push({ sql: `delete from "${t.name}" where ticket_id < 0`, params: [] });
    if (t.numericId && written.some((w) => w.table === t.name)) cleanup.push({ sql: `delete from "${t.name}" where id > ${p(1)}`, params: [floorStart.get(t.name)!] });
  }
  if (written.some((w) => w.table === 'search_docs')) cleanup.push({ sql: 'delete from search_docs where id < 0', params: [] });
  cleanup.push({ sql: 'delete from tickets where id < 0', params: [] }, { sql: "delete from ticket_counters where kind = 'floor'", params: [] });
  await raw.transaction(cleanup);
  const rows = [...written.map((w) => `${w.table} ${w.rows.length}`), 'ticket_counters upsert'].join(', ');
  return { figures, rows };
}

// ---------------------------------------------------------------- the ticket page, replies, worklogs

withFloor('ticket page GET /tickets/{id} (app.inject)', await measure((i) => inject('GET', `/api/v1/tickets/${fx.sampleIds[i % fx.sampleIds.length]}`, fx.desk), opts), await pageFloor(), [
  'floor: the ticket, timeline, clocks, files and links queries (not the contract, calendar and directory lookups)',
]);

async function pageFloor(): Promise<Figures> {
  const scope = { kind: 'all' as const };
  const plans: RawQuery[][] = [];
  for (const id of fx.sampleIds.slice(0, 50)) {
    const cap = raw.capturing();
    await repo.findTicket(cap.db, scope, id);
    await repo.listEvents(cap.db, id);
    await repo.slaRows(cap.db, id);
    await repo.listFiles(cap.db, id, false);
    await repo.listLinks(cap.db, scope, id);
    await cap.db.destroy();
    plans.push(cap.queries);
  }
  await explainAll('ticket page', plans[0]);
  return measure(async (i) => {
    for (const q of plans[i % plans.length]) await raw.all(q);
  }, opts);
}

const working = fx.workingIds.length ? fx.workingIds : fx.sampleIds;
withFloor('reply POST /tickets/{id}/replies (app.inject)', await measure((i) => inject('POST', `/api/v1/tickets/${working[i % working.length]}/replies`, fx.desk, { body: `已远程排查，正在处理（${i}）。`, visibility: 'public' }), opts), undefined);
withFloor(
  'worklog POST /tickets/{id}/worklogs (app.inject)',
  await measure((i) => inject('POST', `/api/v1/tickets/${working[i % working.length]}/worklogs`, fx.desk, { minutes: 15, mode: 'remote', note: '远程排查' }), opts),
  undefined,
);

// ---------------------------------------------------------------- lists

interface ListCase {
  name: string;
  session: Session;
  query: string;
  /** Follow this many next-page cursors and measure the page there. */
  depth?: number;
  filter: () => Promise<Omit<repo.ListFilter, 'cursor' | 'limit' | 'sort'>>;
  sort: repo.ListFilter['sort'];
}

const engineerScope = async () => ({ kind: 'customers' as const, ids: await authRepo.servedCustomerIds(db, fx.engineer.userId) });
const open = [...OPEN_STATES];
const cases: ListCase[] = [
  { name: "queue: my team's open tickets by SLA, first page", session: fx.engineer, query: `team=mine&state=${OPEN}&sort=sla&limit=50`, sort: 'sla', filter: async () => ({ scope: await engineerScope(), teamIds: await orgRepo.teamIdsOfUser(db, fx.engineer.userId), states: open }) },
  { name: "queue: my team's open tickets by SLA, deep keyset page", session: fx.engineer, query: `team=mine&state=${OPEN}&sort=sla&limit=50`, depth: 20, sort: 'sla', filter: async () => ({ scope: await engineerScope(), teamIds: await orgRepo.teamIdsOfUser(db, fx.engineer.userId), states: open }) },
  { name: 'queue: mine, by SLA', session: fx.engineer, query: `mine=true&state=${OPEN}&sort=sla&limit=50`, sort: 'sla', filter: async () => ({ scope: await engineerScope(), assigneeId: fx.engineer.userId, states: open }) },
  { name: 'queue: unassigned (desk), by SLA', session: fx.desk, query: `unassigned=true&state=${OPEN}&sort=sla&limit=50`, sort: 'sla', filter: async () => ({ scope: { kind: 'all' }, unassigned: true, states: open }) },
  {
    name: 'queue: breaching within 4 h (desk)',
    session: fx.desk,
    query: `breachingWithinMinutes=240&state=${OPEN}&sort=sla&limit=50`,
    sort: 'sla',
    filter: async () => ({ scope: { kind: 'all' }, dueBefore: Date.now() + 240 * 60_000, states: open }),
  },
  { name: 'all open tickets by SLA (desk)', session: fx.desk, query: `state=${OPEN}&sort=sla&limit=50`, sort: 'sla', filter: async () => ({ scope: { kind: 'all' }, states: open }) },
  { name: "a customer's tickets, newest first (desk)", session: fx.desk, query: `customerId=${fx.customerId}&sort=-reported&limit=50`, sort: '-reported', filter: async () => ({ scope: { kind: 'all' }, customerId: fx.customerId }) },
  {
    name: "a customer's tickets, deep keyset page (desk)",
    session: fx.desk,
    query: `customerId=${fx.customerId}&sort=-reported&limit=50`,
    depth: 50,
    sort: '-reported',
    filter: async () => ({ scope: { kind: 'all' }, customerId: fx.customerId }),
  },
  { name: 'portal: my organisation\'s tickets', session: fx.portal, query: 'sort=-reported&limit=50', sort: '-reported', filter: async () => ({ scope: { kind: 'customers', ids: [fx.customerId] } }) },
  { name: 'search by number prefix (desk)', session: fx.desk, query: `q=INC-${new Date().getUTCFullYear()}-0001&sort=-reported&limit=50`, sort: '-reported', filter: async () => ({ scope: { kind: 'all' }, number: { prefix: `INC-${new Date().getUTCFullYear()}-0001` } }) },
];

for (const c of cases) {
  let cursor: string | undefined;
  let reached = 0;
  for (let d = 0; d < (c.depth ?? 0); d++) {
    const page = JSON.parse((await inject('GET', `/api/v1/tickets?${c.query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, c.session)).body) as { nextCursor: string | null };
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
    reached = d + 1;
  }
  const url = `/api/v1/tickets?${c.query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const first = JSON.parse((await inject('GET', url, c.session)).body) as { items: unknown[] };
  const api = await measure(() => inject('GET', url, c.session), opts);
  const cap = raw.capturing();
  await repo.listTickets(cap.db, { ...(await c.filter()), sort: c.sort, limit: 50, cursor });
  await cap.db.destroy();
  await explainAll(c.name, cap.queries);
  const floor = await measure(async () => {
    for (const q of cap.queries) await raw.all(q);
  }, opts);
  withFloor(c.name, api, floor, [`${first.items.length} rows${c.depth ? `, page ${reached + 1}` : ''}`]);
}

// ---------------------------------------------------------------- HTTP round trip

const health = await measure(async () => {
  const r = await httpRequest('GET', '/healthz', {});
  if (r.status !== 200) throw new Error(`healthz ${r.status}`);
}, opts);
const empty = await measure(async () => {
  const r = await httpRequest('GET', '/bench/empty', {});
  if (r.status !== 200) throw new Error(`empty ${r.status}`);
}, opts);
withFloor('HTTP round trip GET /healthz (vs an empty route)', health, empty, ['client and server in one process']);

const counts = await db.selectFrom('tickets').select([sql<number>`count(*)`.as('n')]).executeTakeFirstOrThrow();
await app.close();
await raw.close();
agent.destroy();
await database.close();
console.log(JSON.stringify({ target: database.describe, dialect: database.dialect, tickets: Number(counts.n), runs, perRun, results, explains }, null, 2));
