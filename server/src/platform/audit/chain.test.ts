import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDb, type TestDatabase } from '../../test/harness.js';
import { searchAudit } from './repo.js';
import { recordAudit, verifyChain } from './service.js';

describeDb('audit chain', (kind) => {
  let t: TestDatabase;
  const who = { userId: 7, name: 'zhangsan', ip: '10.0.0.8' };
  let ids: number[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const db = t.database.db;
    for (let i = 1; i <= 5; i++) {
      await recordAudit(db, who, { action: 'update', entity: 'customers', entityId: i, customerId: i % 2 ? 1 : 2, before: { name: `旧${i}` }, after: { name: `新${i}`, password: 'Secret#123', nested: { tokenHash: 'abc' } } });
    }
    ids = (await db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => Number(r.id));
  });
  afterAll(() => t.close());

  it('verifies an untouched chain', async () => {
    expect(await verifyChain(t.database.db)).toEqual({ ok: true, checked: 5, firstBadId: null, reason: null });
    expect(await verifyChain(t.database.db, 2)).toMatchObject({ ok: true, checked: 5 });
  });

  it('never stores secrets, at any depth', async () => {
    const rows = await t.database.db.selectFrom('audit_log').select('after').execute();
    for (const r of rows) {
      expect(r.after).not.toContain('Secret#123');
      expect(JSON.parse(r.after!)).toMatchObject({ password: '[redacted]', nested: { tokenHash: '[redacted]' } });
    }
  });

  it('scopes the search to the caller\'s customers and pages newest first', async () => {
    const db = t.database.db;
    const all = await searchAudit(db, { kind: 'all' }, {}, 10);
    expect(all.map((r) => Number(r.id))).toEqual([...ids].reverse());
    const onlyTwo = await searchAudit(db, { kind: 'customers', ids: [2] }, {}, 10);
    expect(onlyTwo.map((r) => Number(r.customer_id))).toEqual([2, 2]);
    expect(await searchAudit(db, { kind: 'customers', ids: [] }, {}, 10)).toEqual([]);
    const older = await searchAudit(db, { kind: 'all' }, { beforeId: ids[2] }, 10);
    expect(older.map((r) => Number(r.id))).toEqual([ids[1], ids[0]]);
  });

  it('names an altered row, then the row after a removed one', async () => {
    const db = t.database.db;
    const original = await db.selectFrom('audit_log').select('after').where('id', '=', ids[2]).executeTakeFirstOrThrow();
    await db.updateTable('audit_log').set({ after: '{"name":"篡改"}' }).where('id', '=', ids[2]).execute();
    expect(await verifyChain(db)).toEqual({ ok: false, checked: 2, firstBadId: ids[2], reason: 'altered' });

    await db.updateTable('audit_log').set({ after: original.after }).where('id', '=', ids[2]).execute();
    expect((await verifyChain(db)).ok).toBe(true);

    await db.deleteFrom('audit_log').where('id', '=', ids[1]).execute();
    expect(await verifyChain(db)).toEqual({ ok: false, checked: 1, firstBadId: ids[2], reason: 'removed' });
  });
});
