import { expect, it } from 'vitest';
import { migrateTo } from '../../db/migrate.js';
import { describeDb, emptyDatabase } from '../../test/harness.js';

describeDb('0011_alert_sources on an existing installation', (kind) => {
  it('grants alerts.manage to the built-in administrator role it finds, and to no other role', async () => {
    const { database, close: drop } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0010_user_contact');
      const now = Date.now();
      await database.db
        .insertInto('roles')
        .values([
          { code: 'admin', name_zh: '系统管理员', name_en: 'Administrator', builtin: 1, permissions: '["users.read","integrations.manage"]', created_at: now, updated_at: now },
          { code: 'helper', name_zh: '助手', name_en: 'Helper', builtin: 0, permissions: '["users.read"]', created_at: now, updated_at: now },
        ])
        .execute();
      // Up to this migration only: later ones grant their own permissions.
      expect(await migrateTo(database, '0011_alert_sources')).toEqual(['0011_alert_sources']);
      const roles = await database.db.selectFrom('roles').select(['code', 'permissions']).orderBy('code').execute();
      expect(roles.map((r) => [r.code, JSON.parse(r.permissions)])).toEqual([
        ['admin', ['users.read', 'integrations.manage', 'alerts.manage']],
        ['helper', ['users.read']],
      ]);
      // One live binding per alert: a second one for the same (source, fingerprint) is refused until the first is released.
      const customer = await database.db.insertInto('customers').values({ code: 'M', name: '客户M', tier: 1, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
      const source = await database.db
        .insertInto('alert_sources')
        .values({ customer_id: customer.id, name: 'am', format: 'alertmanager', token_hash: 'x'.repeat(64), token_hint: 'abcd', enabled: 1, auto_resolve: 0, contact_id: null, site_id: null, service: null, category: null, severity_map: '{}', repeat_note_minutes: 60, locale: 'zh-CN', last_alert_at: null, created_by: null, created_at: now, updated_at: now, version: 1 })
        .returning('id')
        .executeTakeFirstOrThrow();
      const binding = { source_id: source.id, fingerprint: 'fp', ticket_id: null, ticket_number: null, alert_state: 'firing', repeats: 0, pending_repeats: 0, last_note_at: now, last_received_at: now, created_at: now, released_at: null };
      const first = await database.db.insertInto('alert_bindings').values(binding).returning('id').executeTakeFirstOrThrow();
      await expect(database.db.insertInto('alert_bindings').values(binding).execute()).rejects.toThrow();
      await database.db.updateTable('alert_bindings').set({ released_at: now }).where('id', '=', first.id).execute();
      await database.db.insertInto('alert_bindings').values(binding).execute();
    } finally {
      await drop();
    }
  });
});
