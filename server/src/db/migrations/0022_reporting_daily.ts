import type { Kysely } from 'kysely';
import { BIGINT } from '../dialect.js';

/**
 * The KPI rollup (modules/reporting, docs/KPIS.md "Pre-aggregation"):
 *
 * - `kpi_daily`: additive measures per dimension key, customer, contract and local day (the
 *   customer's zone). One row per (dim, customer, day, contract, key); `dim = 'total'` has key ''.
 * - `kpi_monthly`: the same per local month, so a year is read as twelve rows per key.
 * - `kpi_facts`: each ticket's last contribution (JSON), so a change subtracts exactly what the
 *   ticket added before and adds what it adds now: the rollup is maintained incrementally.
 * - `kpi_rollup_state`: the watermark (one row): the last ticket event id seen and the instant
 *   up to which row changes were read.
 *
 * Indexes for finding what changed since the watermark and for the live figures of today and
 * the drill-down: tickets by update time and by resolution time, clocks by computation time and
 * met time, repair reports by update time, ratings by time.
 */
/** The measures as of this migration (core/reporting/kpis.ts MEASURES; a later measure is a later migration). */
const MEASURES = [
  'opened', 'resolved', 'resolved_reopened', 'closed', 'cancelled', 'flr_num', 'flr_den', 'complaints', 'complaints_done', 'cmp_timely', 'cmp_timed', 'resp_met', 'resp_breached', 'resp_ms', 'resp_n', 'reso_met', 'reso_breached', 'reso_ms', 'reso_n', 'onsite_met', 'onsite_breached', 'diag_met', 'diag_breached', 'rating_n', 'rating_sum', 'rating_good', 'rr_done', 'rr_ontime', 'rr_signed',
];

export async function up(db: Kysely<any>): Promise<void> {
  let t = db.schema
    .createTable('kpi_daily')
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('contract_id', BIGINT, (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull());
  for (const m of MEASURES) t = t.addColumn(m, BIGINT, (c) => c.notNull().defaultTo(0));
  await t.addPrimaryKeyConstraint('kpi_daily_pk', ['dim', 'customer_id', 'day', 'contract_id', 'key']).execute();
  await db.schema.createIndex('kpi_daily_dim_day').on('kpi_daily').columns(['dim', 'day']).execute();
  // The same sums per local month (YYYY-MM): a year of figures is twelve rows per key, not 365.
  let mt = db.schema
    .createTable('kpi_monthly')
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('contract_id', BIGINT, (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull());
  for (const m of MEASURES) mt = mt.addColumn(m, BIGINT, (c) => c.notNull().defaultTo(0));
  await mt.addPrimaryKeyConstraint('kpi_monthly_pk', ['dim', 'customer_id', 'month', 'contract_id', 'key']).execute();
  await db.schema.createIndex('kpi_monthly_dim_month').on('kpi_monthly').columns(['dim', 'month']).execute();

  await db.schema
    .createTable('kpi_facts')
    .addColumn('ticket_id', BIGINT, (c) => c.primaryKey())
    .addColumn('customer_id', BIGINT, (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kpi_rollup_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', BIGINT, (c) => c.notNull())
    .addColumn('changed_at', BIGINT, (c) => c.notNull())
    /** While a full rebuild runs: the last ticket id done (null: none running) and when it began. */
    .addColumn('rebuild_after', BIGINT)
    .addColumn('rebuild_started_at', BIGINT)
    .addColumn('built', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();

  await db.schema.createIndex('tickets_updated').on('tickets').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('tickets_resolved').on('tickets').columns(['resolved_at', 'id']).execute();
  await db.schema.createIndex('ticket_sla_computed').on('ticket_sla').column('computed_at').execute();
  await db.schema.createIndex('ticket_sla_met').on('ticket_sla').columns(['metric', 'met_at']).execute();
  await db.schema.createIndex('repair_reports_updated').on('repair_reports').column('updated_at').execute();
  await db.schema.createIndex('ticket_ratings_rated').on('ticket_ratings').column('rated_at').execute();
}
