import { expect, it } from 'vitest';
import { migrateTo } from '../../db/migrate.js';
import { describeDb, emptyDatabase } from '../../test/harness.js';
import { BUILTIN_ROLES } from './permissions.js';

describeDb('0021_grant_reporting_knowledge on an existing installation', (kind) => {
  it('adds the reporting and knowledge permissions to the built-in roles, keeps what an administrator changed, leaves custom roles alone', async () => {
    const { database, close } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0020_sla_rules');
      const now = Date.now();
      const role = (code: string, builtin: number, permissions: string[]) => ({ code, name_zh: code, name_en: code, builtin, permissions: JSON.stringify(permissions), created_at: now, updated_at: now });
      await database.db
        .insertInto('roles')
        .values([
          // The administrator took tickets.dispatch away from the PM: it must stay away.
          role('pm', 1, ['tickets.read', 'tickets.write']),
          role('customer_admin', 1, ['portal.use', 'tickets.read']),
          role('engineer', 1, ['tickets.read', 'knowledge.read']),
          role('night_shift', 0, ['tickets.read']),
        ])
        .execute();
      expect(await migrateTo(database, '0021_grant_reporting_knowledge')).toEqual(['0021_grant_reporting_knowledge']);
      const rows = await database.db.selectFrom('roles').select(['code', 'permissions', 'version']).orderBy('code').execute();
      const perms = Object.fromEntries(rows.map((r) => [r.code, JSON.parse(r.permissions) as string[]]));
      expect(perms.pm).toEqual(['tickets.read', 'tickets.write', 'reports.read', 'reports.write', 'knowledge.read', 'knowledge.write']);
      expect(perms.customer_admin).toEqual(['portal.use', 'tickets.read', 'reports.read', 'reports.signoff', 'knowledge.read']);
      // Already held: not added twice.
      expect(perms.engineer).toEqual(['tickets.read', 'knowledge.read', 'knowledge.write']);
      expect(perms.night_shift).toEqual(['tickets.read']);
      // Sessions re-read a role whose version moved.
      expect(Number(rows.find((r) => r.code === 'pm')!.version)).toBe(2);
      expect(Number(rows.find((r) => r.code === 'night_shift')!.version)).toBe(1);
    } finally {
      await close();
    }
  });

  it('grants a fresh installation the same as the built-in role definitions (no role gains a reporting or knowledge permission only one path gives)', async () => {
    const fresh = Object.fromEntries(BUILTIN_ROLES.map((r) => [r.code, r.permissions.filter((p) => /^(reports|evidence|knowledge)\./.test(p)).sort()]));
    const { database, close } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0020_sla_rules');
      const now = Date.now();
      await database.db
        .insertInto('roles')
        .values(BUILTIN_ROLES.map((r) => ({ code: r.code, name_zh: r.zh, name_en: r.en, builtin: 1, permissions: '[]', created_at: now, updated_at: now })))
        .execute();
      await migrateTo(database, '0021_grant_reporting_knowledge');
      const rows = await database.db.selectFrom('roles').select(['code', 'permissions']).execute();
      const upgraded = Object.fromEntries(rows.map((r) => [r.code, (JSON.parse(r.permissions) as string[]).sort()]));
      expect(upgraded).toEqual(fresh);
    } finally {
      await close();
    }
  });
});

describeDb('0031_grant_cmdb on an existing installation', (kind) => {
  it('grants the built-in roles the same CMDB, parts and repairs permissions a fresh installation gives them, and leaves custom roles alone', async () => {
    const fresh = Object.fromEntries(BUILTIN_ROLES.map((r) => [r.code, r.permissions.filter((p) => /^(cmdb|parts|repairs)\./.test(p)).sort()]));
    const { database, close } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0030_cmdb');
      const now = Date.now();
      await database.db
        .insertInto('roles')
        .values([
          ...BUILTIN_ROLES.map((r) => ({ code: r.code, name_zh: r.zh, name_en: r.en, builtin: 1, permissions: '[]', created_at: now, updated_at: now })),
          { code: 'night_shift', name_zh: 'n', name_en: 'n', builtin: 0, permissions: '["tickets.read"]', created_at: now, updated_at: now },
        ])
        .execute();
      expect(await migrateTo(database, '0031_grant_cmdb')).toEqual(['0031_grant_cmdb']);
      const rows = await database.db.selectFrom('roles').select(['code', 'permissions']).execute();
      const upgraded = Object.fromEntries(rows.filter((r) => r.code !== 'night_shift').map((r) => [r.code, (JSON.parse(r.permissions) as string[]).sort()]));
      expect(upgraded).toEqual(fresh);
      expect(upgraded.customer_contact).toEqual(['cmdb.read']);
      expect(JSON.parse(rows.find((r) => r.code === 'night_shift')!.permissions)).toEqual(['tickets.read']);
    } finally {
      await close();
    }
  });
});
