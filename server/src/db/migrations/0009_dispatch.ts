import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Dispatch, escalation and satisfaction of the service desk (modules/tickets):
 *
 * - `dispatch_rules`: which team a new ticket goes to. Criteria left null match anything; the
 *   first enabled rule in `position` order whose criteria all match (and whose team serves the
 *   customer) wins.
 * - `team_rotation`: per team, the member who was given a ticket last, for round-robin (and
 *   least-loaded's tie break). Read under a row lock in the assigning transaction.
 * - `ticket_ratings`: the customer's satisfaction rating of a ticket (1–5, one per ticket).
 *
 * Data: manual and SLA escalations now share one timeline entry type, `escalated`; the SLA job's
 * earlier `sla.escalated` entries are rewritten to it. The built-in administrator role (seeded
 * before this permission existed) gets `dispatch.manage`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('dispatch_rules'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id').onDelete('cascade'))
    .addColumn('service', 'text')
    .addColumn('category', 'text')
    .addColumn('priority', 'text')
    .addColumn('kind', 'text')
    .addColumn('team_id', BIGINT, (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('enabled', BOOL, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('dispatch_rules_position').on('dispatch_rules').columns(['position', 'id']).execute();
  await db.schema.createIndex('dispatch_rules_team').on('dispatch_rules').column('team_id').execute();

  await db.schema
    .createTable('team_rotation')
    .addColumn('team_id', BIGINT, (c) => c.primaryKey().references('teams.id').onDelete('cascade'))
    .addColumn('last_user_id', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ticket_ratings')
    .addColumn('ticket_id', BIGINT, (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id'))
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('rated_by', BIGINT, (c) => c.notNull().references('users.id'))
    .addColumn('rated_at', BIGINT, (c) => c.notNull())
    .execute();
  // Satisfaction per customer and period (quality management's reports).
  await db.schema.createIndex('ticket_ratings_customer').on('ticket_ratings').columns(['customer_id', 'rated_at']).execute();

  const old = await db.selectFrom('ticket_events').select(['id', 'data']).where('type', '=', 'sla.escalated').execute();
  for (const row of old) {
    const d = JSON.parse(row.data) as { action?: string };
    const data = { kind: d.action === 'reassign' ? 'functional' : 'hierarchical', trigger: 'sla', reason: null, ...d };
    await db.updateTable('ticket_events').set({ type: 'escalated', data: JSON.stringify(data) }).where('id', '=', row.id).execute();
  }

  const admin = await db.selectFrom('roles').select(['id', 'permissions']).where('code', '=', 'admin').where('builtin', '=', 1).executeTakeFirst();
  if (admin) {
    const permissions = JSON.parse(admin.permissions) as string[];
    if (!permissions.includes('dispatch.manage')) {
      await db.updateTable('roles').set({ permissions: JSON.stringify([...permissions, 'dispatch.manage']) }).where('id', '=', admin.id).execute();
    }
  }
}
