/**
 * Full-text search at scale (issue #12, docs/SEARCH.md), against a generated data set:
 *
 * - the full rebuild (`yunwei search reindex`'s function) — time and records per second;
 * - the top bar's search (GET /api/v1/search, first page with snippets, every kind) for 1-word
 *   and 2-word Chinese and mixed Chinese/Latin queries, as an administrator (every customer) and
 *   as the busiest first-line engineer (his teams' customers only); the tickets-only page; the
 *   ticket list's full-text filter;
 * - what indexing adds to creating a ticket (the index write timed alone on the same tickets,
 *   against the whole creation);
 * - recall and precision on bench/search-recall.json (50 hand-judged queries) over the tickets
 *   with id <= --recall-sample.
 *
 *   node --import tsx src/search.bench.ts --db sqlite:FILE | --db postgres://… --schema S
 *        [--runs 3] [--per-run 40] [--creates 200] [--recall-sample 20000] [--no-reindex] [--out FILE]
 *
 * Prints one JSON object (and writes it to --out when given).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { parseQuery } from '../../server/src/core/search/query.js';
import { normalize } from '../../server/src/core/search/segment.js';
import { indexDocs } from '../../server/src/modules/search/indexer.js';
import { countDocs, ticketIdsMatching } from '../../server/src/modules/search/repo.js';
import { reindex } from '../../server/src/modules/search/reindex.js';
import { ticketDocs } from '../../server/src/modules/search/sources.js';
import { Progress } from '../../server/src/ops/progress.js';
import { prepareDatabase } from '../../server/src/runtime.js';
import { intArg, parseArgs } from './generate.js';
import { createSession, loadFixtures, type Session } from './lib/fixtures.js';
import { measure, type Figures } from './lib/measure.js';
import { openTarget, parseTarget } from './lib/target.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
if (typeof args.db !== 'string') throw new Error('--db is required');
const target = parseTarget(args.db, typeof args.schema === 'string' ? args.schema : undefined);
const runs = intArg(args, 'runs', 3);
const perRun = intArg(args, 'per-run', 40);
const creates = intArg(args, 'creates', 200);
const recallSample = intArg(args, 'recall-sample', 20_000);

interface RecallQuery {
  q: string;
  kind: string;
  relevant: string[][];
  reason: string;
}
const recallSet = JSON.parse(fs.readFileSync(path.resolve(here, '../search-recall.json'), 'utf8')) as { queries: RecallQuery[] };

const database = openTarget(target);
const db = database.db;
await prepareDatabase(database);
const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: path.join(os.tmpdir(), 'yunwei-bench-files') });
const app = await buildApp({ config, database, logger: false });
await app.ready();
const fx = await loadFixtures(db);
const adminUser = await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
const admin = await createSession(db, Number(adminUser.id));
const ticketCount = Number((await db.selectFrom('tickets').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
const replyCount = Number((await db.selectFrom('ticket_events').select(sql<number>`count(*)`.as('n')).where('type', 'in', ['reply', 'note']).executeTakeFirstOrThrow()).n);
const log = (s: string) => console.error(s);
log(`search bench on ${database.describe}: ${ticketCount} tickets, ${replyCount} replies and notes`);

// ------------------------------------------------------------------ full rebuild
let rebuild: { seconds: number; records: number; perSecond: number; byKind: Array<{ kind: string; indexed: number; seconds: number }> } | null = null;
if (!args['no-reindex'] || (await countDocs(db, 'ticket')) === 0) {
  const bars = new Map<string, Progress>();
  const t0 = performance.now();
  const summary = await reindex(db, {
    restart: true,
    batchSize: 1000,
    onProgress: ({ kind, done, total }) => {
      let bar = bars.get(kind);
      if (!bar) bars.set(kind, (bar = new Progress(`reindex ${kind}`, total, 'records')));
      bar.update(done);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const records = summary.reduce((n, s) => n + s.indexed, 0);
  rebuild = { seconds: Math.round(seconds * 10) / 10, records, perSecond: Math.round(records / seconds), byKind: summary.map((s) => ({ kind: s.kind, indexed: s.indexed, seconds: Math.round(s.ms / 100) / 10 })) };
  log(`rebuild: ${records} records in ${rebuild.seconds} s`);
}
if (database.dialect === 'postgres') await sql`analyze search_docs`.execute(db);
else await sql`analyze`.execute(db);

// ------------------------------------------------------------------ queries
async function get(url: string, s: Session) {
  const res = await app.inject({ method: 'GET', url, headers: s.headers });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.json() as { groups?: Array<{ kind: string; total: number; items: unknown[] }>; items?: unknown[] };
}
const byKind = (k: string) => recallSet.queries.filter((q) => q.kind === k).map((q) => q.q);
const SETS: Record<string, string[]> = { '1-word': byKind('1-word'), '2-word': byKind('2-word'), mixed: byKind('mixed') };
const roles: Record<string, Session> = { admin, engineer: fx.engineer };
const queries: Record<string, Figures & { meanHits: number }> = {};
for (const [setName, qs] of Object.entries(SETS)) {
  for (const [role, s] of Object.entries(roles)) {
    for (const [shape, suffix] of [['top bar (all kinds, 5 each)', '&limit=5'], ['tickets only, 20', '&kinds=ticket&limit=20']] as const) {
      let hits = 0;
      let n = 0;
      const f = await measure(
        async (i) => {
          const r = await get(`/api/v1/search?q=${encodeURIComponent(qs[i % qs.length])}${suffix}`, s);
          hits += (r.groups ?? []).reduce((a, g) => a + g.items.length, 0);
          n++;
        },
        { runs, perRun, warmup: qs.length },
      );
      queries[`${setName} · ${role} · ${shape}`] = { ...f, meanHits: Math.round((hits / n) * 10) / 10 };
      log(`${setName} ${role} ${shape}: p50 ${f.medianMs} ms, p95 ${f.p95Ms} ms`);
    }
  }
}
const list: Record<string, Figures> = {};
for (const [role, s] of Object.entries(roles)) {
  const qs = SETS['2-word'];
  list[`ticket list q (2-word) · ${role}`] = await measure((i) => get(`/api/v1/tickets?q=${encodeURIComponent(qs[i % qs.length])}&limit=50`, s), { runs, perRun, warmup: qs.length });
}

// ------------------------------------------------------------------ creation cost
const newTicket = (i: number) => ({
  customerId: fx.report.customerId,
  contactId: fx.report.contactId,
  siteId: fx.report.siteId,
  kind: 'incident',
  title: `检索压测 ${i}：门诊楼打印机卡纸`,
  description: '门诊楼收费处打印机经常卡纸，HIS 系统打印报 502 错误，影响收费窗口出票，请尽快安排处理。网关 10.1.2.3，联系电话 138-1234-5678。',
  impact: 'medium',
  urgency: 'high',
  reportedAt: new Date(Date.now() - 60_000).toISOString(),
});
const createdIds: number[] = [];
const create = await measure(
  async (i) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/tickets', headers: fx.desk.headers, payload: newTicket(i) });
    if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body.slice(0, 300)}`);
    createdIds.push((res.json() as { id: number }).id);
  },
  { runs: 1, perRun: creates, warmup: 10 },
);
const docs = await ticketDocs(db, createdIds);
const indexOnly = await measure((i) => db.transaction().execute((trx) => indexDocs(trx, [docs[i % docs.length]])), { runs: 1, perRun: creates, warmup: 10 });
const creation = {
  createMedianMs: create.medianMs,
  indexMedianMs: indexOnly.medianMs,
  // The creation without its index write, and what the index write adds to it.
  addsPercent: Math.round((indexOnly.medianMs / Math.max(0.001, create.medianMs - indexOnly.medianMs)) * 1000) / 10,
  create,
  indexOnly,
};
log(`creation: ${create.medianMs} ms with index; index alone ${indexOnly.medianMs} ms (+${creation.addsPercent} %)`);

// ------------------------------------------------------------------ recall
const sample = await db.selectFrom('tickets').select(['id', 'number', 'title', 'description', 'resolution']).where('id', '<=', recallSample).execute();
const texts = new Map<number, string>(sample.map((t) => [Number(t.id), [t.number, t.title, t.description, t.resolution ?? ''].join('\n')]));
const events = await db.selectFrom('ticket_events').select(['ticket_id', 'data']).where('ticket_id', '<=', recallSample).where('type', 'in', ['reply', 'note']).execute();
for (const e of events) {
  const body = (JSON.parse(e.data) as { body?: string }).body ?? '';
  texts.set(Number(e.ticket_id), `${texts.get(Number(e.ticket_id)) ?? ''}\n${body}`);
}
const normalized = [...texts.entries()].map(([id, text]) => [id, normalize(text)] as const);
const recall: Array<{ q: string; kind: string; relevant: number; found: number; correct: number; recall: number | null; precision: number | null }> = [];
for (const rq of recallSet.queries) {
  const truth = new Set(normalized.filter(([, text]) => rq.relevant.some((all) => all.every((p) => text.includes(normalize(p))))).map(([id]) => id));
  const parsed = parseQuery(rq.q);
  const found = parsed.terms.length
    ? new Set((await sql<{ ref_id: number }>`select m.ref_id from ${ticketIdsMatching(db, parsed, true)} as m where m.ref_id <= ${recallSample}`.execute(db)).rows.map((r) => Number(r.ref_id)))
    : new Set<number>();
  const correct = [...found].filter((id) => truth.has(id)).length;
  recall.push({ q: rq.q, kind: rq.kind, relevant: truth.size, found: found.size, correct, recall: truth.size ? correct / truth.size : null, precision: found.size ? correct / found.size : null });
}
const avg = (xs: Array<number | null>) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 1000) / 1000 : null;
};
const recallByKind = Object.fromEntries(
  [...new Set(recall.map((r) => r.kind))].map((k) => [k, { queries: recall.filter((r) => r.kind === k).length, recall: avg(recall.filter((r) => r.kind === k).map((r) => r.recall)), precision: avg(recall.filter((r) => r.kind === k).map((r) => r.precision)) }]),
);
const overall = { recall: avg(recall.map((r) => r.recall)), precision: avg(recall.map((r) => r.precision)), sampleTickets: sample.length };
log(`recall ${overall.recall}, precision ${overall.precision} over ${sample.length} tickets`);

const out = {
  database: database.describe,
  dialect: database.dialect,
  tickets: ticketCount,
  repliesAndNotes: replyCount,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  rebuild,
  queries,
  list,
  creation,
  recall: { overall, byKind: recallByKind, queries: recall },
  at: new Date().toISOString(),
};
const json = JSON.stringify(out, null, 2);
if (typeof args.out === 'string') fs.writeFileSync(args.out, json);
console.log(json);
await app.close();
await database.close();
