import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { verifyChain } from '../platform/audit/service.js';
import { scopeOf } from '../platform/auth/repo.js';
import { createTestDatabase, describeDb, login, testConfig, type TestDatabase } from '../test/harness.js';
import { DEMO_PASSWORD, DemoRefused, loadDemo, type DemoResult } from './demo.js';

describeDb('demo data', (kind) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let demo: DemoResult;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    demo = await loadDemo(t.database);
    app = await buildApp({ config: testConfig(), database: t.database, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('has a login for every built-in role, and each of them can log in', async () => {
    const roles = (await t.database.db.selectFrom('roles').select('code').where('builtin', '=', 1).execute()).map((r) => r.code);
    expect(new Set(demo.logins.map((l) => l.role))).toEqual(new Set(roles));
    for (const l of demo.logins) {
      expect(l.password).toBe(DEMO_PASSWORD);
      const s = await login(app, l.username, l.password);
      const me = await s.request({ method: 'GET', url: '/api/v1/auth/me' });
      expect(me.statusCode).toBe(200);
      expect(me.json().roles).toEqual([l.role]);
    }
  });

  it('scopes customer users to their customer and engineers to the customers their team serves', async () => {
    const tax = await login(app, 'tax_user', DEMO_PASSWORD);
    const me = (await tax.request({ method: 'GET', url: '/api/v1/auth/me' })).json();
    expect(me.customerId).toBe(demo.customerIds.tax);
    expect(me.customerName).toBe('江州市税务局');

    const scope = async (username: string) => {
      const u = await t.database.db.selectFrom('users').select(['id', 'customer_id']).where('username', '=', username).executeTakeFirstOrThrow();
      const perms = new Set((await t.database.db.selectFrom('user_roles').innerJoin('roles', 'roles.id', 'user_roles.role_id').select('roles.permissions').where('user_roles.user_id', '=', u.id).execute()).flatMap((r) => JSON.parse(r.permissions) as string[]));
      return scopeOf(t.database.db, { id: u.id, customer_id: u.customer_id }, perms);
    };
    const { hospital, tax: taxId, school } = demo.customerIds;
    const listed = async (username: string) => {
      const s = await login(app, username, DEMO_PASSWORD);
      const res = await s.request({ method: 'GET', url: '/api/v1/customers' });
      expect(res.statusCode).toBe(200);
      return (res.json().items as Array<{ id: number }>).map((c) => c.id).sort((a, b) => a - b);
    };
    expect(await listed('engineer')).toEqual([hospital, taxId].sort((a, b) => a - b));
    expect(await listed('pm')).toEqual([hospital]);
    expect(await listed('hospital_admin')).toEqual([hospital]);
    expect(await listed('auditor')).toEqual([hospital, taxId, school].sort((a, b) => a - b));
    expect(await scope('tax_user')).toEqual({ kind: 'customers', ids: [taxId] });
    expect(await scope('hospital_user')).toEqual({ kind: 'customers', ids: [hospital] });
    expect(await scope('engineer')).toEqual({ kind: 'customers', ids: [hospital, taxId].sort((a, b) => a - b) });
    expect(await scope('pm')).toEqual({ kind: 'customers', ids: [hospital] });
    expect(await scope('zhaolei')).toEqual({ kind: 'customers', ids: [hospital, taxId, school].sort((a, b) => a - b) });
    expect(await scope('desk')).toEqual({ kind: 'all' });
  });

  it('writes realistic contracts, sites and contacts, and one audit entry', async () => {
    const contracts = await t.database.db.selectFrom('contracts').selectAll().orderBy('code').execute();
    expect(contracts.map((c) => [c.code, c.service_hours, c.calendar_id, c.starts_on, c.ends_on])).toEqual([
      ['HT-2026-001', '7x24', '24x7', '2026-01-01', '2026-12-31'],
      ['HT-2026-002', '5x8', 'cn-5x8', '2026-01-01', '2026-12-31'],
      ['HT-2026-003', '5x8', 'cn-5x8', '2026-01-01', '2026-12-31'],
    ]);
    const calendars = new Set((await t.database.db.selectFrom('calendars').select('id').execute()).map((c) => c.id));
    for (const c of contracts) expect(calendars.has(c.calendar_id)).toBe(true);
    for (const customerId of Object.values(demo.customerIds)) {
      const n = await t.database.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBeGreaterThanOrEqual(5);
      expect(Number(n.n)).toBeLessThanOrEqual(8);
    }
    const machineRoom = await t.database.db.selectFrom('sites').selectAll().where('name', '=', '门诊楼机房').executeTakeFirstOrThrow();
    expect(machineRoom.parent_id).not.toBeNull();
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'demo_load').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].entity).toBe('system');
    expect((await verifyChain(t.database.db)).ok).toBe(true);
  });

  it('refuses to load into a database that already has data, and changes nothing', async () => {
    const before = await t.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expect(loadDemo(t.database)).rejects.toBeInstanceOf(DemoRefused);
    const after = await t.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
