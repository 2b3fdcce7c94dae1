import type { Kysely } from 'kysely';
import { BIGINT, BOOL, withId } from '../dialect.js';

/** Accounts, roles, sessions, tokens, audit log, and the organisation model. */
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('users'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('zh-CN'))
    .addColumn('customer_id', BIGINT)
    .addColumn('disabled', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', BIGINT)
    .addColumn('password_changed_at', BIGINT, (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('users_customer').on('users').columns(['customer_id', 'id']).execute();

  await withId(db, db.schema.createTable('roles'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('builtin', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', BIGINT, (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
    .execute();
  await db.schema.createIndex('user_roles_role').on('user_roles').column('role_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('last_seen_at', BIGINT, (c) => c.notNull())
    .addColumn('expires_at', BIGINT, (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await withId(db, db.schema.createTable('api_tokens'))
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('expires_at', BIGINT)
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('last_used_at', BIGINT)
    .addColumn('revoked_at', BIGINT)
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

  await withId(db, db.schema.createTable('login_attempts'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', BIGINT, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_key_at').on('login_attempts').columns(['key', 'at']).execute();

  await withId(db, db.schema.createTable('audit_log'))
    .addColumn('at', BIGINT, (c) => c.notNull())
    .addColumn('actor_id', BIGINT)
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('customer_id', BIGINT)
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_entity').on('audit_log').columns(['entity', 'entity_id', 'id']).execute();
  await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor_id', 'id']).execute();
  await db.schema.createIndex('audit_at').on('audit_log').columns(['at', 'id']).execute();

  await withId(db, db.schema.createTable('customers'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tier', 'integer', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Asia/Shanghai'))
    .addColumn('address', 'text')
    .addColumn('notes', 'text')
    .addColumn('archived_at', BIGINT)
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('customers_name').on('customers').columns(['name', 'id']).execute();

  await withId(db, db.schema.createTable('teams'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('assignment', 'text', (c) => c.notNull().defaultTo('round_robin'))
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', BIGINT, (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', BIGINT, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('is_lead', BOOL, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();

  await db.schema
    .createTable('team_customers')
    .addColumn('team_id', BIGINT, (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('team_customers_pk', ['team_id', 'customer_id'])
    .execute();
  await db.schema.createIndex('team_customers_customer').on('team_customers').column('customer_id').execute();

  await withId(db, db.schema.createTable('sites'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('parent_id', BIGINT, (c) => c.references('sites.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('site'))
    .addColumn('address', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('sites_customer').on('sites').columns(['customer_id', 'id']).execute();

  await withId(db, db.schema.createTable('contacts'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('site_id', BIGINT, (c) => c.references('sites.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('mobile', 'text')
    .addColumn('email', 'text')
    .addColumn('title', 'text')
    .addColumn('is_vip', BOOL, (c) => c.notNull().defaultTo(0))
    .addColumn('notes', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('contacts_customer').on('contacts').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('contacts_phone').on('contacts').column('phone').execute();
  await db.schema.createIndex('contacts_mobile').on('contacts').column('mobile').execute();

  await withId(db, db.schema.createTable('contracts'))
    .addColumn('customer_id', BIGINT, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('services', 'text', (c) => c.notNull())
    .addColumn('service_hours', 'text', (c) => c.notNull())
    .addColumn('calendar_id', 'text', (c) => c.notNull())
    .addColumn('project_manager_id', BIGINT, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('sla_policy', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', BIGINT, (c) => c.notNull())
    .addColumn('updated_at', BIGINT, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('contracts_customer').on('contracts').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('contracts_pm').on('contracts').column('project_manager_id').execute();
}
