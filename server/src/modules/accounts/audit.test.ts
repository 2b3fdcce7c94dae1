import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyChain } from '../../platform/audit/service.js';
import { createTestApp, describeDb, insertUser, login, STRONG_PASSWORD, type Session, type TestApp } from '../../test/harness.js';

interface Item {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  customerId: number | null;
  before: unknown;
  after: unknown;
}

describeDb('audit API', (kind) => {
  let t: TestApp;
  let admin: Session;
  let auditor: Session;
  let adminId: number;
  let custA: number;
  let custB: number;
  let aUser: number;
  let bUser: number;

  const get = async (s: Session, query = '') => {
    const res = await s.request({ method: 'GET', url: `/api/v1/audit${query ? `?${query}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Item[]; nextCursor: string | null };
  };
  const all = async (s: Session, query = '') => {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(s, `limit=3${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  const auditRows = () => t.database.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').execute();

  beforeAll(async () => {
    t = await createTestApp(kind);
    const now = Date.now();
    const customer = async (code: string) =>
      Number(
        (
          await t.database.db
            .insertInto('customers')
            .values({ code, name: code, tier: 1, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
    custA = await customer('A');
    custB = await customer('B');
    adminId = await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'auditor', roles: ['auditor'] });
    await insertUser(t.database, { username: 'engineer', roles: ['engineer'] });
    admin = await login(t.app, 'admin');
    auditor = await login(t.app, 'auditor');

    // A provider lead who may read the audit log but serves customer A only.
    await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'audit_lead', nameZh: '审计组长', nameEn: 'Audit lead', permissions: ['audit.read'] } });
    const leadId = await insertUser(t.database, { username: 'lead', roles: ['audit_lead'] });
    const team = await t.database.db.insertInto('teams').values({ name: 'A 组', kind: 'project', description: null, assignment: 'round_robin', created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
    await t.database.db.insertInto('team_members').values({ team_id: team.id, user_id: leadId, is_lead: 1 }).execute();
    await t.database.db.insertInto('team_customers').values({ team_id: team.id, customer_id: custA }).execute();

    const mk = async (username: string, customerId: number) =>
      (await admin.request({ method: 'POST', url: '/api/v1/users', payload: { username, displayName: username, roleCodes: ['customer_contact'], customerId, password: STRONG_PASSWORD } })).json().id as number;
    aUser = await mk('a.contact', custA);
    bUser = await mk('b.contact', custB);
    const a = (await admin.request({ method: 'GET', url: `/api/v1/users/${aUser}` })).json();
    await admin.request({ method: 'PATCH', url: `/api/v1/users/${aUser}`, payload: { version: a.version, displayName: 'A 联系人' } });
  });
  afterAll(() => t.close());

  it('returns every entry newest first with before and after as JSON, paged by keyset', async () => {
    const items = await all(auditor);
    const rows = await auditRows();
    expect(items.map((i) => i.id)).toEqual(rows.map((r) => Number(r.id)));
    const update = items.find((i) => i.action === 'update' && i.entityId === String(aUser))!;
    expect(update).toMatchObject({ actorId: adminId, actorName: 'admin', entity: 'users', customerId: custA, before: { displayName: 'a.contact' }, after: { displayName: 'A 联系人' } });
    expect(update.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(update.ip).toBe('127.0.0.1');
  });

  it('filters by entity, entity id, actor, action and time range', async () => {
    const forA = await all(auditor, `entity=users&entityId=${aUser}`);
    expect(forA.map((i) => i.action)).toEqual(['update', 'permission_change', 'create']);
    expect((await all(auditor, 'action=permission_change')).every((i) => i.action === 'permission_change')).toBe(true);
    const byAdmin = await all(auditor, `actorId=${adminId}`);
    expect(byAdmin.length).toBeGreaterThan(0);
    expect(byAdmin.every((i) => i.actorId === adminId)).toBe(true);
    expect(await all(auditor, 'entity=contracts')).toEqual([]);

    const rows = await auditRows();
    const mid = rows[Math.floor(rows.length / 2)].at;
    const from = encodeURIComponent(new Date(mid).toISOString().replace('Z', '+00:00'));
    const to = encodeURIComponent(new Date(mid + 1).toISOString().replace('Z', '+00:00'));
    const inMs = await all(auditor, `from=${from}&to=${to}`);
    expect(inMs.map((i) => i.id)).toEqual(rows.filter((r) => r.at === mid).map((r) => Number(r.id)));
    const later = await all(auditor, `from=${from}`);
    expect(later.map((i) => i.id)).toEqual(rows.filter((r) => r.at >= mid).map((r) => Number(r.id)));
    // The same instant written in Beijing time.
    const beijing = new Date(mid + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    expect((await all(auditor, `from=${encodeURIComponent(beijing)}`)).length).toBe(later.length);
  });

  it('refuses a time without offset, an inverted range and a tampered cursor', async () => {
    const noOffset = await auditor.request({ method: 'GET', url: '/api/v1/audit?from=2026-03-05T14:30:00' });
    expect(noOffset.statusCode).toBe(400);
    expect(noOffset.json().errors[0]).toMatchObject({ field: 'from', code: 'instant' });
    const inverted = await auditor.request({ method: 'GET', url: `/api/v1/audit?from=${encodeURIComponent('2026-03-05T14:30:00+08:00')}&to=${encodeURIComponent('2026-03-05T14:00:00+08:00')}` });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().errors[0].field).toBe('to');
    expect((await auditor.request({ method: 'GET', url: '/api/v1/audit?cursor=WyJ4Il0' })).statusCode).toBe(400);
  });

  it('shows a customer-scoped reader only the entries of his customers', async () => {
    const lead = await login(t.app, 'lead');
    const items = await all(lead);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.customerId === custA)).toBe(true);
    expect(items.some((i) => i.entityId === String(bUser))).toBe(false);
    expect(await all(lead, `entity=users&entityId=${bUser}`)).toEqual([]);
    expect((await all(auditor, `entity=users&entityId=${bUser}`)).length).toBe(2);
  });

  it('needs audit.read', async () => {
    const eng = await login(t.app, 'engineer');
    expect((await eng.request({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401);
  });

  it('leaves an intact audit chain', async () => {
    expect(await verifyChain(t.database.db)).toMatchObject({ ok: true });
  });
});
