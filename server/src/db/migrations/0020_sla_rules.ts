import type { Kysely } from 'kysely';

/**
 * SLA rules as the seeds word them (issue #10, docs/sla-rules.md):
 * - `ticket_sla` keeps a two-stage metric's usual target ("一般在1小时内解决，最迟3小时"):
 *   `goal_target_ms`, `goal_due_at`, `goal_state`, and `goal_missed_at`, the marker the SLA job
 *   writes when it records the "target missed" warning (like `breached_at`, never cleared);
 * - `teams.calendar_id`: the service hours a team works on; the service desk's OLA clocks
 *   (REQ T11) count on its desk team's calendar (null: 7×24).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ticket_sla').addColumn('goal_target_ms', 'bigint').execute();
  await db.schema.alterTable('ticket_sla').addColumn('goal_due_at', 'bigint').execute();
  await db.schema.alterTable('ticket_sla').addColumn('goal_state', 'text').execute();
  await db.schema.alterTable('ticket_sla').addColumn('goal_missed_at', 'bigint').execute();
  await db.schema.alterTable('teams').addColumn('calendar_id', 'text').execute();
}
