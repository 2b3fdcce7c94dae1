import { expect, it } from 'vitest';
import { migrateTo } from '../../db/migrate.js';
import { insertBareTicket } from '../../test/bare-rows.js';
import { describeDb, emptyDatabase } from '../../test/harness.js';

describeDb('0009_dispatch on an existing installation', (kind) => {
  it('rewrites the SLA job\'s escalation entries to the shared `escalated` shape and grants dispatch.manage to the built-in administrator role', async () => {
    const { database, close: drop } = await emptyDatabase(kind);
    try {
      await migrateTo(database, '0008_repair_reports');
      const db = database.db;
      const now = Date.now();
      await db
        .insertInto('roles')
        .values([
          { code: 'admin', name_zh: '系统管理员', name_en: 'Administrator', builtin: 1, permissions: '["users.read","integrations.manage"]', created_at: now, updated_at: now },
          { code: 'helper', name_zh: '助手', name_en: 'Helper', builtin: 0, permissions: '["users.read"]', created_at: now, updated_at: now },
        ])
        .execute();
      const { ticketId } = await insertBareTicket(db, now);
      const old = [
        { metric: 'response', step: 0, action: 'notify', recipients: [7], result: 'notified' },
        { metric: 'response', step: 1, action: 'reassign', recipients: [], result: 'reassigned' },
      ];
      await db
        .insertInto('ticket_events')
        .values([
          ...old.map((d) => ({ ticket_id: ticketId, at: now, type: 'sla.escalated', actor_id: null, visibility: 'internal', data: JSON.stringify(d) })),
          { ticket_id: ticketId, at: now, type: 'sla.breached', actor_id: null, visibility: 'internal', data: '{"metric":"response"}' },
        ])
        .execute();

      // Up to this migration only: later ones grant their own permissions.
      expect(await migrateTo(database, '0009_dispatch')).toContain('0009_dispatch');
      const events = await db.selectFrom('ticket_events').select(['type', 'data']).orderBy('id').execute();
      expect(events.map((e) => [e.type, JSON.parse(e.data)])).toEqual([
        ['escalated', { kind: 'hierarchical', trigger: 'sla', reason: null, ...old[0] }],
        ['escalated', { kind: 'functional', trigger: 'sla', reason: null, ...old[1] }],
        ['sla.breached', { metric: 'response' }],
      ]);
      const roles = await db.selectFrom('roles').select(['code', 'permissions']).orderBy('code').execute();
      expect(roles.map((r) => [r.code, JSON.parse(r.permissions)])).toEqual([
        ['admin', ['users.read', 'integrations.manage', 'dispatch.manage']],
        ['helper', ['users.read']],
      ]);
    } finally {
      await drop();
    }
  });
});
