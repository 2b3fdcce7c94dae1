import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/**
 * Notifications (platform/notify): the in-app inbox, per-user channel preferences, outbound
 * webhooks (generic, WeCom, DingTalk, Feishu) and the delivery log of mail and webhook sends.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('notifications'))
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    // Rendered in the recipient's language when the event happened.
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('link', 'text')
    .addColumn('entity', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('customer_id', BIGINT)
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('read_at', BIGINT)
    .execute();
  // The unread list and count (read_at is null), and the full inbox newest first.
  await db.schema.createIndex('notifications_inbox').on('notifications').columns(['user_id', 'read_at', 'id']).execute();
  await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('notification_prefs')
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    // JSON array of channels ("inapp", "email"); an absent row means every channel.
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_prefs_pk', ['user_id', 'event'])
    .execute();

  await withId(db, db.schema.createTable('webhooks'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // Kept as given: it is the HMAC key every send needs (see docs/NOTIFICATIONS.md).
    .addColumn('secret', 'text')
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('customer_id', BIGINT, (c) => c.references('customers.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('zh-CN'))
    .addColumn('enabled', BOOL, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withId(db, db.schema.createTable('deliveries'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('user_id', BIGINT)
    // The log outlives a deleted webhook.
    .addColumn('webhook_id', BIGINT, (c) => c.references('webhooks.id').onDelete('set null'))
    .addColumn('customer_id', BIGINT)
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('delivered_at', BIGINT)
    .execute();
  await db.schema.createIndex('deliveries_status').on('deliveries').columns(['status', 'id']).execute();
  await db.schema.createIndex('deliveries_customer').on('deliveries').columns(['customer_id', 'id']).execute();

  // Installations that already have the built-in administrator role get the new permission
  // (a fresh one is seeded with it after this migration).
  const admin = await db.selectFrom('roles').select(['id', 'permissions']).where('code', '=', 'admin').executeTakeFirst();
  if (admin) {
    const permissions = JSON.parse(admin.permissions as string) as string[];
    if (!permissions.includes('integrations.manage')) {
      await db
        .updateTable('roles')
        .set({ permissions: JSON.stringify([...permissions, 'integrations.manage']) })
        .where('id', '=', admin.id)
        .execute();
    }
  }
}
