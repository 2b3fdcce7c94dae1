import type { Kysely } from 'kysely';

/**
 * Duration histograms in the KPI rollup (core/reporting/histogram.ts): the 90th percentiles of
 * the time to respond and to restore are read off bucket counts kept per rollup row, instead of
 * every stopped clock of the period. Stored as appended `bucket:count;` entries (an append is
 * an addition the upsert does without reading the row first).
 *
 * Rows already built have no buckets, and the stored per-ticket contributions (`kpi_facts`) do
 * not list them, so the rollup is emptied and rebuilt by its job (meanwhile the metrics service
 * computes from the tickets, as on a new installation).
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['kpi_daily', 'kpi_monthly']) {
    await db.schema.alterTable(table).addColumn('resp_hist', 'text').execute();
    await db.schema.alterTable(table).addColumn('reso_hist', 'text').execute();
    await db.deleteFrom(table).execute();
  }
  await db.deleteFrom('kpi_facts').execute();
  await db.deleteFrom('kpi_rollup_state').execute();
}
