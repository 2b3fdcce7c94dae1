import { expect, it } from 'vitest';
import { migrateTo } from '../../db/migrate.js';
import { describeDb, emptyDatabase } from '../../test/harness.js';

describeDb('0007_notify on an existing installation', (kind) => {
  it('grants integrations.manage to the built-in administrator role it finds, and to no other role', async () => {
    const { database, close: drop } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0005_calendars');
      const now = Date.now();
      // The administrator role as an earlier version seeded it, and a role an admin made.
      await database.db
        .insertInto('roles')
        .values([
          { code: 'admin', name_zh: '系统管理员', name_en: 'Administrator', builtin: 1, permissions: '["users.read","jobs.manage"]', created_at: now, updated_at: now },
          { code: 'helper', name_zh: '助手', name_en: 'Helper', builtin: 0, permissions: '["users.read"]', created_at: now, updated_at: now },
        ])
        .execute();
      // Up to this migration only: later ones grant their own permissions.
      expect(await migrateTo(database, '0007_notify')).toContain('0007_notify');
      const roles = await database.db.selectFrom('roles').select(['code', 'permissions']).orderBy('code').execute();
      expect(roles.map((r) => [r.code, JSON.parse(r.permissions)])).toEqual([
        ['admin', ['users.read', 'jobs.manage', 'integrations.manage']],
        ['helper', ['users.read']],
      ]);
    } finally {
      await drop();
    }
  });
});
