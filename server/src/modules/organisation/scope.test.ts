import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

/**
 * The customer data scope: a customer's staff see their own customer only, engineers the
 * customers of their teams, project managers also those whose contracts they manage. Outside
 * the scope a record answers 404, and ids in a body pointing outside it change nothing.
 */
describeDb('organisation scope', (kind) => {
  let t: TestApp;
  let admin: Session;
  const ids = {} as Record<'A' | 'B' | 'C', { customer: number; site: number; contact: number; contract: number }>;
  let pmId: number;
  let engineerId: number;
  let teamA: number;

  const call = (s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    s.request({ method, url: `/api/v1${url}`, ...(payload === undefined ? {} : { payload: payload as object }) });
  const idsOf = (res: { json(): unknown }) => (res.json() as { items: Array<{ id: number }> }).items.map((x) => x.id);
  const count = async (table: 'customers' | 'sites' | 'contacts' | 'contracts') =>
    Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    pmId = await insertUser(t.database, { username: 'pm', roles: ['pm'] });
    engineerId = await insertUser(t.database, { username: 'eng', roles: ['engineer'] });
    await insertUser(t.database, { username: 'idle', roles: ['engineer'] });
    admin = await login(t.app, 'admin');
    for (const key of ['A', 'B', 'C'] as const) {
      const customer = (await call(admin, 'POST', '/customers', { code: `SCOPE-${key}`, name: `范围客户${key}`, tier: 1 })).json().id;
      const site = (await call(admin, 'POST', `/customers/${customer}/sites`, { name: `${key} 机房` })).json().id;
      const contact = (await call(admin, 'POST', `/customers/${customer}/contacts`, { name: `联系人${key}`, mobile: '13900001111', siteId: site })).json().id;
      const contract = (
        await call(admin, 'POST', `/customers/${customer}/contracts`, {
          code: `HT-SCOPE-${key}`,
          name: `${key} 运维合同`,
          startsOn: '2026-01-01',
          endsOn: '2026-12-31',
          services: ['桌面运维'],
          serviceHours: '7x24',
          projectManagerId: key === 'C' ? pmId : null,
        })
      ).json().id;
      ids[key] = { customer, site, contact, contract };
    }
    await insertUser(t.database, { username: 'cust-a', roles: ['customer_admin'], customerId: ids.A.customer });
    teamA = (await call(admin, 'POST', '/teams', { name: 'A 客户驻场组', kind: 'project', memberIds: [engineerId], customerIds: [ids.A.customer] })).json().id;
  });
  afterAll(() => t.close());

  it('shows a customer\'s staff only their own customer, and 404 for everything of another', async () => {
    const s = await login(t.app, 'cust-a');
    expect(idsOf(await call(s, 'GET', '/customers'))).toEqual([ids.A.customer]);
    expect(idsOf(await call(s, 'GET', `/customers/${ids.A.customer}/sites`))).toEqual([ids.A.site]);
    expect(idsOf(await call(s, 'GET', `/customers/${ids.A.customer}/contacts`))).toEqual([ids.A.contact]);
    expect(idsOf(await call(s, 'GET', `/customers/${ids.A.customer}/contracts`))).toEqual([ids.A.contract]);
    expect(idsOf(await call(s, 'GET', '/contacts/search?q=13900001111'))).toEqual([ids.A.contact]);
    expect(idsOf(await call(s, 'GET', `/contacts/search?q=${encodeURIComponent('联系人')}`))).toEqual([ids.A.contact]);

    const B = ids.B;
    for (const url of [`/customers/${B.customer}`, `/sites/${B.site}`, `/contacts/${B.contact}`, `/contracts/${B.contract}`, `/customers/${B.customer}/sites`, `/customers/${B.customer}/contacts`, `/customers/${B.customer}/contracts`]) {
      const res = await call(s, 'GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('范围客户B');
    }
    expect((await call(s, 'PATCH', `/contacts/${B.contact}`, { version: 1, name: '改名' })).statusCode).toBe(404);
    expect((await call(s, 'DELETE', `/sites/${B.site}`)).statusCode).toBe(404);
    expect((await call(s, 'POST', `/customers/${B.customer}/contacts`, { name: '混入' })).statusCode).toBe(404);
    expect((await call(admin, 'GET', `/contacts/${B.contact}`)).json()).toMatchObject({ name: '联系人B', version: 1 });
    expect((await call(admin, 'GET', `/sites/${B.site}`)).statusCode).toBe(200);
  });

  it('lets a customer\'s staff keep their contacts but not their customer record', async () => {
    const s = await login(t.app, 'cust-a');
    const created = await call(s, 'POST', `/customers/${ids.A.customer}/contacts`, { name: '新同事', siteId: ids.A.site });
    expect(created.statusCode).toBe(201);
    const record = await call(s, 'PATCH', `/customers/${ids.A.customer}`, { version: 1, tier: 3 });
    expect(record.statusCode).toBe(403);
    expect((await call(admin, 'GET', `/customers/${ids.A.customer}`)).json().tier).toBe(1);
    expect((await call(s, 'POST', `/customers/${ids.A.customer}/contracts`, { code: 'X', name: 'x', startsOn: '2026-01-01', endsOn: '2026-01-02', services: ['x'], serviceHours: '5x8' })).statusCode).toBe(403);
    expect((await call(s, 'DELETE', `/contacts/${created.json().id}`)).statusCode).toBe(204);
  });

  it('refuses another customer\'s site in a body with a field error that discloses nothing, and writes nothing', async () => {
    for (const s of [admin, await login(t.app, 'cust-a')]) {
      const before = await count('contacts');
      const res = await call(s, 'POST', `/customers/${ids.A.customer}/contacts`, { name: '跨客户', siteId: ids.B.site });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'siteId', code: 'org.siteNotFound' })]);
      expect(res.body).not.toContain('B 机房');
      const missing = await call(s, 'POST', `/customers/${ids.A.customer}/contacts`, { name: '跨客户', siteId: 987_654 });
      expect(missing.json().errors).toEqual(res.json().errors);
      expect(await count('contacts')).toBe(before);
    }
    const moved = await call(admin, 'PATCH', `/contacts/${ids.A.contact}`, { version: 1, siteId: ids.B.site });
    expect(moved.statusCode).toBe(400);
    const parent = await call(admin, 'PATCH', `/sites/${ids.A.site}`, { version: 1, parentId: ids.B.site });
    expect(parent.json().errors[0]).toMatchObject({ field: 'parentId', code: 'org.siteNotFound' });
    expect((await call(admin, 'GET', `/contacts/${ids.A.contact}`)).json()).toMatchObject({ siteId: ids.A.site, version: 1 });
  });

  it('shows an engineer only the customers his teams serve, from the next request on', async () => {
    const s = await login(t.app, 'eng');
    expect(idsOf(await call(s, 'GET', '/customers'))).toEqual([ids.A.customer]);
    expect((await call(s, 'GET', `/contracts/${ids.A.contract}`)).statusCode).toBe(200);
    expect((await call(s, 'GET', `/customers/${ids.B.customer}`)).statusCode).toBe(404);
    expect((await call(s, 'GET', `/contracts/${ids.C.contract}`)).statusCode).toBe(404);
    expect(idsOf(await call(s, 'GET', `/contacts/search?q=${encodeURIComponent('联系人')}`))).toEqual([ids.A.contact]);
    // Engineers read; they do not edit customer data.
    expect((await call(s, 'PATCH', `/customers/${ids.A.customer}`, { version: 1, notes: 'x' })).statusCode).toBe(403);

    const idle = await login(t.app, 'idle');
    expect(idsOf(await call(idle, 'GET', '/customers'))).toEqual([]);
    expect(idsOf(await call(idle, 'GET', '/contacts/search?q=139'))).toEqual([]);

    const team = (await call(admin, 'GET', `/teams/${teamA}`)).json();
    await call(admin, 'PATCH', `/teams/${teamA}`, { version: team.version, memberIds: [] });
    expect((await call(s, 'GET', `/customers/${ids.A.customer}`)).statusCode).toBe(404);
    await call(admin, 'PATCH', `/teams/${teamA}`, { version: team.version + 1, memberIds: [engineerId] });
    expect((await call(s, 'GET', `/customers/${ids.A.customer}`)).statusCode).toBe(200);
  });

  it('lets a project manager edit the customers whose contracts he manages, but not create customers', async () => {
    const s = await login(t.app, 'pm');
    expect(idsOf(await call(s, 'GET', '/customers'))).toEqual([ids.C.customer]);
    const edit = await call(s, 'PATCH', `/customers/${ids.C.customer}`, { version: 1, notes: '项目经理备注' });
    expect(edit.statusCode).toBe(200);
    expect((await call(s, 'POST', '/customers', { code: 'PM-NEW', name: '新客户', tier: 1 })).statusCode).toBe(403);
    expect((await call(s, 'POST', `/customers/${ids.C.customer}/archive`)).statusCode).toBe(403);
    const contract = { code: 'HT-PM-2', name: '二期', startsOn: '2026-01-01', endsOn: '2026-12-31', services: ['网络运维'], serviceHours: '5x8' };
    expect((await call(s, 'POST', `/customers/${ids.C.customer}/contracts`, contract)).statusCode).toBe(201);
    const before = await count('contracts');
    expect((await call(s, 'POST', `/customers/${ids.B.customer}/contracts`, { ...contract, code: 'HT-PM-3' })).statusCode).toBe(404);
    expect((await call(s, 'PATCH', `/contracts/${ids.B.contract}`, { version: 1, name: 'x' })).statusCode).toBe(404);
    expect(await count('contracts')).toBe(before);
  });

  it('shows and edits a team\'s customers only within the editor\'s scope', async () => {
    const now = Date.now();
    const role = await t.database.db
      .insertInto('roles')
      .values({ code: 'team_lead', name_zh: '组长', name_en: 'Team lead', builtin: 0, permissions: JSON.stringify(['teams.write']), created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const leadId = await insertUser(t.database, { username: 'lead', roles: ['engineer'] });
    await t.database.db.insertInto('user_roles').values({ user_id: leadId, role_id: role.id }).execute();
    await call(admin, 'PATCH', `/teams/${teamA}`, { version: (await call(admin, 'GET', `/teams/${teamA}`)).json().version, memberIds: [engineerId, leadId] });
    const shared = (await call(admin, 'POST', '/teams', { name: '二线网络组', kind: 'line2', customerIds: [ids.A.customer, ids.B.customer] })).json();

    const lead = await login(t.app, 'lead');
    const seen = (await call(lead, 'GET', `/teams/${shared.id}`)).json();
    expect(seen.customerIds).toEqual([ids.A.customer]);
    const outside = await call(lead, 'PATCH', `/teams/${shared.id}`, { version: seen.version, customerIds: [ids.A.customer, ids.B.customer] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().errors).toEqual([expect.objectContaining({ field: 'customerIds[1]', code: 'org.customerNotFound' })]);
    const dropped = await call(lead, 'PATCH', `/teams/${shared.id}`, { version: seen.version, customerIds: [] });
    expect(dropped.json().customerIds).toEqual([]);
    // The link to B, which the lead cannot see, is still there.
    expect((await call(admin, 'GET', `/teams/${shared.id}`)).json().customerIds).toEqual([ids.B.customer]);
  });
});
