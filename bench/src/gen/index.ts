import { loadConfig } from '../../../server/src/config.js';
import { auditActorOf, recordAudit } from '../../../server/src/platform/audit/service.js';
import { systemActor } from '../../../server/src/platform/auth/actor.js';
import { prepareDatabase } from '../../../server/src/runtime.js';
import { Progress } from '../../../server/src/ops/progress.js';
import { openTarget, type Target } from '../lib/target.js';
import { buildOrganisation, type OrgModel } from './organisation.js';
import { emptyTally, finishHistory, localYear, reportInstants, Rng, simContext, simulateHistory, type Tally } from '../../../server/src/ops/history/index.js';
import { PostgresWriter, SqliteWriter, type BulkWriter } from './writers.js';

export interface GenerateOptions {
  tickets: number;
  seed: number;
  /** The instant the data set ends at (open tickets are open as of then). */
  now: number;
  years?: number;
  /** Tickets per batch (one round of inserts / COPY). */
  batch?: number;
  /**
   * The scheduler scenario: every ticket open and untouched, reported so that its first SLA
   * threshold (a warning, on a 7×24 clock) falls due at the instant the list gives.
   */
  dueAt?: Float64Array;
  progress?: boolean;
  log?: (line: string) => void;
}

export interface GenerateSummary {
  target: string;
  tickets: number;
  seed: number;
  now: string;
  rows: Record<string, number>;
  states: Record<string, number>;
  open: number;
  seconds: { setup: number; load: number; indexes: number; finalize: number; total: number };
  /** CPU time of this process (user + system), seconds. */
  cpuSeconds: number;
  indexes: Array<{ name: string; ms: number }>;
  notes: string[];
  org: OrgModel['counts'];
  agentIds: number[];
}

/** Generates a data set into an empty target (migrated here). */
export async function generateDataset(target: Target, opts: GenerateOptions): Promise<GenerateSummary> {
  const log = opts.log ?? (() => {});
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const years = opts.years ?? 3;
  const batch = opts.batch ?? 5000;
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });

  // ---- schema and organisation, through the modules' repos
  let database = openTarget(target);
  await prepareDatabase(database);
  const existing = await database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const customers = await database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(existing.n) > 0 || Number(customers.n) > 0) {
    await database.close();
    throw new Error(`${database.describe} already holds data: generate into an empty database (--replace starts over)`);
  }
  const tables = new Set((await database.db.introspection.getTables()).map((t) => t.name));
  const firstYear = localYear(opts.now - years * 366 * 86_400_000);
  const lastYear = localYear(opts.now);
  const org = await database.db.transaction().execute((trx) => buildOrganisation(trx, { seed: opts.seed, firstYear, lastYear, now: opts.now }));
  log(`organisation: ${Object.entries(org.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  // The bulk writer needs the SQLite file to itself (the journal mode changes for the load).
  if (target.kind === 'sqlite') await database.close();
  const t1 = performance.now();

  // ---- tickets
  const writer: BulkWriter = target.kind === 'sqlite' ? new SqliteWriter(target.file) : await PostgresWriter.open(target.url, target.schema);
  const notes = writer instanceof PostgresWriter ? [...writer.notes] : ['journal off, foreign keys off, one connection during the load; WAL on afterwards'];
  let tallied: Tally = emptyTally();
  const indexes: Array<{ name: string; ms: number }> = [];
  let t2 = t1;
  try {
    await writer.dropIndexes();
    const rng = new Rng(opts.seed);
    const instants = opts.dueAt ?? reportInstants(rng.fork(1), opts.tickets, opts.now, years, org.calendars.get('cn-5x8')!);
    const ctx = simContext(org, opts.now, { autoCloseWorkdays: config.tickets.autoCloseWorkdays, ratings: tables.has('ticket_ratings') });
    const progress = opts.progress ? new Progress('tickets', opts.tickets, 'tickets') : null;
    const dueAt = opts.dueAt;
    tallied = await simulateHistory(
      ctx,
      rng.fork(2),
      { count: opts.tickets, at: (i) => instants[i], options: dueAt ? (i) => ({ dueAt: dueAt[i] }) : undefined },
      { batch, write: (out) => writer.write(out), progress: (done) => progress?.update(done) },
    );
    t2 = performance.now();
    log(`indexes: recreating`);
    await writer.finish((name, ms) => indexes.push({ name, ms: Math.round(ms) }));
  } finally {
    await writer.close();
  }
  const t3 = performance.now();

  // ---- counters and the audit entry, through the usual connection
  database = openTarget(target);
  try {
    await finishHistory(database.db);
    await database.db.transaction().execute((trx) =>
      recordAudit(trx, auditActorOf(systemActor('yunwei bench generate')), { action: 'bench_generate', entity: 'system', after: { tickets: opts.tickets, seed: opts.seed, now: new Date(opts.now).toISOString(), rows: tallied.rows } }, Date.now()),
    );
  } finally {
    await database.close();
  }
  const t4 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const { rows, states } = tallied;
  const open = Object.entries(states)
    .filter(([s]) => !['resolved', 'closed', 'cancelled'].includes(s))
    .reduce((n, [, v]) => n + v, 0);
  return {
    target: database.describe,
    tickets: opts.tickets,
    seed: opts.seed,
    now: new Date(opts.now).toISOString(),
    rows,
    states,
    open,
    seconds: { setup: sec(t1 - t0), load: sec(t2 - t1), indexes: sec(t3 - t2), finalize: sec(t4 - t3), total: sec(t4 - t0) },
    cpuSeconds: sec((cpu.user + cpu.system) / 1000),
    indexes,
    notes,
    org: org.counts,
    agentIds: org.agentIds,
  };
}

const sec = (ms: number) => Math.round(ms / 10) / 100;
