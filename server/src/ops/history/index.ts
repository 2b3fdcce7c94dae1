import { sql } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import type { DbOrTx } from '../../db/index.js';
import type { Rng } from './prng.js';
import { emptyRows, type Rows, type SimContext, simulateTicket, type TicketOptions } from './simulate.js';

/**
 * Simulated ticket history, shared by `yunwei demo` (ops/demo.ts, a year of a small provider)
 * and the benchmarks' generator (bench/src/gen, up to a million tickets): the simulation of one
 * ticket's life lives in simulate.ts, the organisation it runs in is described by model.ts.
 */
export * from './model.js';
export { Rng, weighted } from './prng.js';
export { emptyRows, localYear, reportInstants, simContext, simulateTicket, type Rows, type SimContext, type TicketOptions } from './simulate.js';

/** One ticket to simulate: when it was reported, and what to force about it. */
export interface PlannedTicket {
  at: number;
  options?: TicketOptions;
}

/** Rows written and tickets by state, summed over the batches. */
export interface Tally {
  rows: Record<string, number>;
  states: Record<string, number>;
}

export const emptyTally = (): Tally => ({ rows: {}, states: {} });

export function tally(into: Tally, out: Rows): void {
  for (const t of out.tickets) into.states[t.state] = (into.states[t.state] ?? 0) + 1;
  for (const [k, list] of Object.entries(out)) into.rows[k] = (into.rows[k] ?? 0) + list.length;
}

/**
 * Simulates the tickets in batches, oldest first, numbering them from `firstId`: each batch's
 * rows are handed to `write` (and counted) before the next is simulated, so memory stays flat.
 */
export async function simulateHistory(
  ctx: SimContext,
  rng: Rng,
  tickets: { count: number; at: (i: number) => number; options?: (i: number) => TicketOptions | undefined },
  opts: { batch: number; firstId?: number; write: (rows: Rows) => Promise<void>; progress?: (done: number) => void },
): Promise<Tally> {
  const total = emptyTally();
  const firstId = opts.firstId ?? 1;
  for (let start = 0; start < tickets.count; start += opts.batch) {
    const out = emptyRows();
    const end = Math.min(tickets.count, start + opts.batch);
    for (let i = start; i < end; i++) simulateTicket(ctx, rng, firstId + i, tickets.at(i), out, tickets.options?.(i) ?? {});
    tally(total, out);
    await opts.write(out);
    opts.progress?.(end);
  }
  return total;
}

/** The tables a history fills, parents first, and the rows of each. */
export const HISTORY_TABLES = [
  ['tickets', 'tickets'],
  ['ticket_events', 'events'],
  ['ticket_sla', 'sla'],
  ['jobs', 'jobs'],
  ['ticket_links', 'links'],
  ['ticket_ratings', 'ratings'],
] as const satisfies ReadonlyArray<readonly [string, keyof Rows]>;

/**
 * Writes a batch through Kysely (inside the caller's transaction): multi-row inserts kept under
 * both databases' parameter limits. The bench has faster bulk writers for millions of rows.
 */
export async function insertRows(db: DbOrTx, rows: Rows): Promise<void> {
  for (const [table, key] of HISTORY_TABLES) {
    const list = rows[key] as Array<Record<string, unknown>>;
    if (!list.length) continue;
    const per = Math.max(1, Math.floor(30_000 / Object.keys(list[0]).length));
    for (let i = 0; i < list.length; i += per) await db.insertInto(table).values(list.slice(i, i + per) as never).execute();
  }
}

/**
 * After rows with explicit ids: the ticket numbers' counters continue after the highest number
 * of each kind and year, and (PostgreSQL) identity sequences after the highest id.
 */
export async function finishHistory(db: DbOrTx): Promise<void> {
  const counters = await db
    .selectFrom('tickets')
    .select(['kind', sql<string>`substr(number, 5, 4)`.as('year'), sql<number>`max(cast(substr(number, 10) as integer))`.as('last')])
    .groupBy(['kind', sql`substr(number, 5, 4)`])
    .execute();
  for (const c of counters) {
    const next = Number(c.last) + 1;
    await db
      .insertInto('ticket_counters')
      .values({ kind: c.kind, year: Number(c.year), next })
      .onConflict((oc) => oc.columns(['kind', 'year']).doUpdateSet({ next }))
      .execute();
  }
  if (dialectOf(db) === 'postgres') {
    for (const table of ['tickets', 'ticket_events', 'jobs']) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), greatest(1, (select coalesce(max(id), 0) from ${sql.table(table)})))`.execute(db);
    }
  }
}
