import type { Kysely } from 'kysely';

/**
 * Roles are edited by administrators like any other record, so they get the optimistic
 * concurrency `version` too: two administrators editing one role's permissions must not
 * silently overwrite each other.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('roles').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}
