/**
 * Full-text search at scale (issue #12, docs/SEARCH.md), against a generated data set:
 *
 * - 20,000 knowledge articles written through the knowledge module's repository and indexed
 *   as it indexes them, when the data set has fewer (--articles N);
 * - the full rebuild (`yunwei search reindex`'s function) — time and records per second;
 * - the top bar's search (GET /api/v1/search, first page with snippets, every kind: tickets and
 *   articles first) for 1-word and 2-word Chinese and mixed Chinese/Latin queries, as an
 *   administrator (every customer), as the busiest first-line engineer (his teams' customers
 *   only) and as a customer's portal user; the tickets-only page; a 1-character query; the ticket
 *   list's full-text filter;
 * - the suggestions while a call is typed (GET /api/v1/knowledge/suggest, what the ticket form,
 *   the ticket page and the portal ask), with real tickets' titles and descriptions as the text;
 * - what indexing adds to creating a ticket (the index write timed alone on the same tickets,
 *   less an empty transaction's commit, which the creation pays anyway, against the creation);
 * - recall and precision on bench/search-recall.json (50 hand-judged queries) over the tickets
 *   with id <= --recall-sample.
 *
 *   node --import tsx src/search.bench.ts --db sqlite:FILE | --db postgres://… --schema S
 *        [--runs 3] [--per-run 40] [--creates 200] [--recall-sample 20000] [--articles 20000]
 *        [--batch 1000] [--no-reindex] [--out FILE]
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
import { DEFAULT_BATCH, reindex } from '../../server/src/modules/search/reindex.js';
import { ticketDocs } from '../../server/src/modules/search/sources.js';
import { Progress } from '../../server/src/ops/progress.js';
import { prepareDatabase } from '../../server/src/runtime.js';
import { intArg, parseArgs } from './generate.js';
import { ensureArticles } from './gen/articles.js';
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
const articleTarget = intArg(args, 'articles', 20_000);
const batchSize = intArg(args, 'batch', DEFAULT_BATCH);

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
const load = { atStart: os.loadavg().map((l) => Math.round(l * 100) / 100), atEnd: [] as number[] };
log(`search bench on ${database.describe}: ${ticketCount} tickets, ${replyCount} replies and notes; load ${load.atStart.join(' ')}`);

// ------------------------------------------------------------------ knowledge articles
const a0 = performance.now();
const articlesWritten = await ensureArticles(db, articleTarget, { log: (l) => (l.endsWith(`000/${articleTarget}`) && /[05]000\//.test(l) ? log(l) : undefined) });
const articleCount = Number((await db.selectFrom('kb_articles').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
if (articlesWritten) log(`articles: ${articlesWritten} written and indexed in ${((performance.now() - a0) / 1000).toFixed(1)} s`);

// ------------------------------------------------------------------ full rebuild
let rebuild: { seconds: number; records: number; perSecond: number; byKind: Array<{ kind: string; indexed: number; seconds: number }> } | null = null;
if (!args['no-reindex'] || (await countDocs(db, 'ticket')) === 0) {
  const bars = new Map<string, Progress>();
  const t0 = performance.now();
  const summary = await reindex(db, {
    restart: true,
    batchSize,
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
const roles: Record<string, Session> = { admin, engineer: fx.engineer, 'customer user': fx.portal };
const queries: Record<string, Figures & { meanHits: number; meanArticleHits: number }> = {};
const SHAPES = [
  ['top bar (all kinds, 5 each)', '&limit=5'],
  ['tickets only, 20', '&kinds=ticket&limit=20'],
] as const;
async function timeQueries(name: string, qs: string[], s: Session, suffix: string) {
  let hits = 0;
  let articleHits = 0;
  let n = 0;
  const f = await measure(
    async (i) => {
      const r = await get(`/api/v1/search?q=${encodeURIComponent(qs[i % qs.length])}${suffix}`, s);
      hits += (r.groups ?? []).reduce((a, g) => a + g.items.length, 0);
      articleHits += (r.groups ?? []).filter((g) => g.kind === 'article').reduce((a, g) => a + g.items.length, 0);
      n++;
    },
    { runs, perRun, warmup: qs.length },
  );
  queries[name] = { ...f, meanHits: Math.round((hits / n) * 10) / 10, meanArticleHits: Math.round((articleHits / n) * 10) / 10 };
  log(`${name}: p50 ${f.medianMs} ms, p95 ${f.p95Ms} ms, ${queries[name].meanHits} hits (${queries[name].meanArticleHits} articles)`);
}
for (const [setName, qs] of Object.entries(SETS)) {
  for (const [role, s] of Object.entries(roles)) {
    for (const [shape, suffix] of SHAPES) {
      if (role === 'customer user' && shape !== SHAPES[0][0]) continue;
      await timeQueries(`${setName} · ${role} · ${shape}`, qs, s, suffix);
    }
  }
}
// One character (网: the unigram at a run's end and every term starting with it).
await timeQueries('1-character (网, 卡, 机) · admin · top bar (all kinds, 5 each)', ['网', '卡', '机'], admin, '&limit=5');

// ------------------------------------------------------------------ suggestions while typing
// What the desk types when logging a call: real tickets' titles and the start of their descriptions.
const typed = (await db.selectFrom('tickets').select(['title', 'description']).where('id', 'in', fx.sampleIds.slice(0, 60)).execute()).map((t) => `${t.title} ${t.description}`.slice(0, 80));
const engineerTicket = await db.selectFrom('tickets').select('customer_id').where('team_id', '=', fx.engineerTeamId).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
const suggestions: Record<string, Figures & { meanArticles: number; meanTickets: number }> = {};
for (const [role, s, customerId] of [
  ['desk, for a customer (the ticket form)', fx.desk, fx.customerId],
  ['engineer, for one of his customers', fx.engineer, Number(engineerTicket.customer_id)],
  ['customer user (portal)', fx.portal, undefined],
] as const) {
  let articles = 0;
  let tickets = 0;
  let n = 0;
  const f = await measure(
    async (i) => {
      const params = new URLSearchParams({ text: typed[i % typed.length], limit: '5', ...(customerId ? { customerId: String(customerId) } : {}) });
      const res = await app.inject({ method: 'GET', url: `/api/v1/knowledge/suggest?${params}`, headers: s.headers });
      if (res.statusCode !== 200) throw new Error(`suggest: ${res.statusCode} ${res.body.slice(0, 300)}`);
      const body = res.json() as { articles: unknown[]; tickets: unknown[] };
      articles += body.articles.length;
      tickets += body.tickets.length;
      n++;
    },
    { runs, perRun, warmup: typed.length },
  );
  suggestions[role] = { ...f, meanArticles: Math.round((articles / n) * 10) / 10, meanTickets: Math.round((tickets / n) * 10) / 10 };
  log(`suggest · ${role}: p50 ${f.medianMs} ms, p95 ${f.p95Ms} ms, ${suggestions[role].meanArticles} articles, ${suggestions[role].meanTickets} tickets`);
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
// A transaction that writes nothing: its commit (a WAL flush on PostgreSQL) is paid by the
// creation anyway, so what indexing adds is the index transaction minus this one.
const emptyTx = await measure(() => db.transaction().execute((trx) => sql`select 1`.execute(trx)), { runs: 1, perRun: creates, warmup: 10 });
const indexWrite = Math.max(0, indexOnly.medianMs - emptyTx.medianMs);
const pct = (part: number) => Math.round((part / Math.max(0.001, create.medianMs - part)) * 1000) / 10;
const creation = {
  createMedianMs: create.medianMs,
  indexMedianMs: indexOnly.medianMs,
  emptyTransactionMedianMs: emptyTx.medianMs,
  // The index statements inside the creation's transaction, against the creation without them.
  addsPercent: pct(indexWrite),
  // The same counting the index's own commit too (an upper bound).
  addsPercentWithOwnCommit: pct(indexOnly.medianMs),
  create,
  indexOnly,
  emptyTx,
};
log(`creation: ${create.medianMs} ms with index; index alone ${indexOnly.medianMs} ms in its own transaction, an empty transaction ${emptyTx.medianMs} ms: +${creation.addsPercent} % (+${creation.addsPercentWithOwnCommit} % counting its commit)`);

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
    ? new Set((await sql<{ ref_id: number }>`select m.ref_id from ${ticketIdsMatching(db, parsed, { staff: true, scope: { kind: 'all' } })} as m where m.ref_id <= ${recallSample}`.execute(db)).rows.map((r) => Number(r.ref_id)))
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
  articles: articleCount,
  load: { ...load, atEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  rebuild,
  queries,
  suggestions,
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
