import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../platform/audit/service.js';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

const SQL = "'; drop table customers; --";
const HTML = '<script>alert(1)</script>';

describeDb('organisation', (kind) => {
  let t: TestApp;
  let admin: Session;
  let pmId: number;
  let engineerId: number;

  const call = (s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    s.request({ method, url: `/api/v1${url}`, ...(payload === undefined ? {} : { payload: payload as object }) });

  async function auditRows(entity: string, entityId: number | string) {
    return t.database.db.selectFrom('audit_log').selectAll().where('entity', '=', entity).where('entity_id', '=', String(entityId)).orderBy('id').execute();
  }

  async function newCustomer(code: string, extra: Record<string, unknown> = {}) {
    const res = await call(admin, 'POST', '/customers', { code, name: `客户 ${code}`, tier: 2, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; version: number };
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    pmId = await insertUser(t.database, { username: 'pm', roles: ['pm'] });
    engineerId = await insertUser(t.database, { username: 'eng', roles: ['engineer'] });
    admin = await login(t.app, 'admin');
  });
  afterAll(() => t.close());

  describe('customers', () => {
    it('creates, reads, lists, changes and deletes a customer, auditing each write', async () => {
      const created = await call(admin, 'POST', '/customers', { code: 'ACME-01', name: '  华北电力  ', tier: 1, timeZone: 'asia/shanghai', address: '北京市西城区', notes: '重点客户' });
      expect(created.statusCode).toBe(201);
      const c = created.json();
      expect(c).toMatchObject({ code: 'ACME-01', name: '华北电力', tier: 1, timeZone: 'Asia/Shanghai', address: '北京市西城区', notes: '重点客户', archivedAt: null, version: 1 });
      expect(c.createdAt).toMatch(/Z$/);

      expect((await call(admin, 'GET', `/customers/${c.id}`)).json()).toEqual(c);
      const list = await call(admin, 'GET', '/customers?q=华北');
      expect(list.json().items.map((x: { id: number }) => x.id)).toEqual([c.id]);

      const patched = await call(admin, 'PATCH', `/customers/${c.id}`, { version: 1, tier: 3, address: null });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ tier: 3, address: null, name: '华北电力', version: 2 });

      // A patch that changes nothing writes nothing.
      const same = await call(admin, 'PATCH', `/customers/${c.id}`, { version: 2, tier: 3 });
      expect(same.json().version).toBe(2);

      expect((await call(admin, 'DELETE', `/customers/${c.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', `/customers/${c.id}`)).statusCode).toBe(404);

      const audit = await auditRows('customers', c.id);
      expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
      expect(JSON.parse(audit[1].before!)).toEqual({ tier: 1, address: '北京市西城区' });
      expect(JSON.parse(audit[1].after!)).toEqual({ tier: 3, address: null });
      expect(audit.every((a) => a.actor_name === 'admin' && Number(a.customer_id) === c.id)).toBe(true);
      expect((await verifyChain(t.database.db)).ok).toBe(true);
    });

    it('refuses a duplicate code with 409 naming the field', async () => {
      await newCustomer('DUP');
      const res = await call(admin, 'POST', '/customers', { code: 'DUP', name: 'x', tier: 1 });
      expect(res.statusCode).toBe(409);
      expect(res.json().errors[0]).toMatchObject({ field: 'code', code: 'http.duplicate' });
    });

    it('answers 409 to a stale version and changes nothing', async () => {
      const c = await newCustomer('RACE');
      const first = await call(admin, 'PATCH', `/customers/${c.id}`, { version: 1, name: '第一次修改' });
      expect(first.statusCode).toBe(200);
      const second = await call(admin, 'PATCH', `/customers/${c.id}`, { version: 1, name: '第二次修改' });
      expect(second.statusCode).toBe(409);
      expect(second.json().code).toBe('conflict');
      expect((await call(admin, 'GET', `/customers/${c.id}`)).json()).toMatchObject({ name: '第一次修改', version: 2 });
    });

    it('answers 409 to one of two concurrent edits of the same version', async () => {
      const c = await newCustomer('RACE2');
      const results = await Promise.all([
        call(admin, 'PATCH', `/customers/${c.id}`, { version: 1, notes: 'A' }),
        call(admin, 'PATCH', `/customers/${c.id}`, { version: 1, notes: 'B' }),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.statusCode === 200)!.json();
      expect((await call(admin, 'GET', `/customers/${c.id}`)).json()).toMatchObject({ notes: winner.notes, version: 2 });
    });

    it.each([
      ['an empty name', { code: 'B1', name: '', tier: 1 }, 'name', 'required'],
      ['a whitespace-only name', { code: 'B2', name: '   \t ', tier: 1 }, 'name', 'required'],
      ['an over-long name', { code: 'B3', name: '名'.repeat(101), tier: 1 }, 'name', 'tooLong'],
      ['an unknown time zone', { code: 'B4', name: 'x', tier: 1, timeZone: 'Mars/Olympus_Mons' }, 'timeZone', 'timeZone'],
      ['tier 4', { code: 'B5', name: 'x', tier: 4 }, 'tier', 'enum'],
      ['tier as text', { code: 'B6', name: 'x', tier: '1' }, 'tier', 'enum'],
      ['a name that is a number', { code: 'B7', name: 42, tier: 1 }, 'name', 'type'],
      ['a code with spaces', { code: 'A B', name: 'x', tier: 1 }, 'code', 'org.codeFormat'],
      ['an over-long code', { code: 'C'.repeat(33), name: 'x', tier: 1 }, 'code', 'tooLong'],
      ['a missing tier', { code: 'B8', name: 'x' }, 'tier', 'enum'],
      ['a missing name', { code: 'B10', tier: 1 }, 'name', 'required'],
      ['an unknown field', { code: 'B9', name: 'x', tier: 1, colour: 'red' }, '(body)', 'unknownKey'],
    ])('refuses %s with a field error and writes nothing', async (_label, body, field, code) => {
      const before = await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const res = await call(admin, 'POST', '/customers', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      const after = await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('stores SQL and HTML in text fields exactly as typed and returns them verbatim', async () => {
      const res = await call(admin, 'POST', '/customers', { code: 'VERBATIM', name: SQL, tier: 1, address: HTML, notes: `${SQL}\n${HTML}` });
      expect(res.statusCode).toBe(201);
      const got = (await call(admin, 'GET', `/customers/${res.json().id}`)).json();
      expect(got).toMatchObject({ name: SQL, address: HTML, notes: `${SQL}\n${HTML}` });
      const search = await call(admin, 'GET', `/customers?q=${encodeURIComponent("'; drop")}`);
      expect(search.json().items.map((x: { id: number }) => x.id)).toEqual([res.json().id]);
      expect(await t.database.db.selectFrom('customers').select('id').execute()).not.toHaveLength(0);
    });

    it('treats LIKE wildcards in a search as text', async () => {
      await newCustomer('PCT', { name: '100% 可用' });
      const res = await call(admin, 'GET', `/customers?q=${encodeURIComponent('%')}`);
      expect(res.json().items.map((x: { code: string }) => x.code)).toEqual(['PCT']);
    });

    it('archives a customer with contracts instead of deleting it', async () => {
      const c = await newCustomer('ARCH');
      const contract = await call(admin, 'POST', `/customers/${c.id}/contracts`, { code: 'HT-ARCH', name: '运维合同', startsOn: '2026-01-01', endsOn: '2026-12-31', services: ['桌面运维'], serviceHours: '5x8' });
      expect(contract.statusCode).toBe(201);
      const del = await call(admin, 'DELETE', `/customers/${c.id}`);
      expect(del.statusCode).toBe(409);
      expect(del.json().code).toBe('in_use');

      const archived = await call(admin, 'POST', `/customers/${c.id}/archive`);
      expect(archived.statusCode).toBe(200);
      expect(archived.json().archivedAt).not.toBeNull();
      const active = await call(admin, 'GET', '/customers?q=ARCH');
      expect(active.json().items).toHaveLength(0);
      const all = await call(admin, 'GET', '/customers?q=ARCH&archived=true');
      expect(all.json().items.map((x: { id: number }) => x.id)).toEqual([c.id]);
      expect((await call(admin, 'GET', `/customers/${c.id}`)).statusCode).toBe(200);
      const site = await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '机房' });
      expect(site.statusCode).toBe(409);

      const back = await call(admin, 'POST', `/customers/${c.id}/unarchive`);
      expect(back.json().archivedAt).toBeNull();
      expect((await auditRows('customers', c.id)).map((a) => a.action)).toEqual(['create', 'archive', 'unarchive']);
    });

    it('lets only all-customer staff create, archive or delete customers', async () => {
      const pm = await login(t.app, 'pm');
      const res = await call(pm, 'POST', '/customers', { code: 'PMNEW', name: 'x', tier: 1 });
      expect(res.statusCode).toBe(403);
      const eng = await login(t.app, 'eng');
      expect((await call(eng, 'POST', '/customers', { code: 'ENGNEW', name: 'x', tier: 1 })).statusCode).toBe(403);
    });
  });

  describe('sites', () => {
    it('creates a tree of sites, refuses loops and foreign parents, and deletes with children moving up', async () => {
      const c = await newCustomer('SITES');
      const other = await newCustomer('SITES-B');
      const hq = (await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '总部', address: '北京' })).json();
      expect(hq).toMatchObject({ customerId: c.id, name: '总部', kind: 'site', parentId: null, version: 1 });
      const dept = (await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '信息中心', kind: 'department', parentId: hq.id })).json();
      const room = (await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '机房', parentId: dept.id })).json();
      expect(room.parentId).toBe(dept.id);

      const foreign = (await call(admin, 'POST', `/customers/${other.id}/sites`, { name: '别家机房' })).json();
      const bad = await call(admin, 'POST', `/customers/${c.id}/sites`, { name: 'x', parentId: foreign.id });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ field: 'parentId', code: 'org.siteNotFound' });

      const loop = await call(admin, 'PATCH', `/sites/${hq.id}`, { version: 1, parentId: room.id });
      expect(loop.statusCode).toBe(400);
      expect(loop.json().errors[0]).toMatchObject({ field: 'parentId', code: 'org.siteCycle' });
      const self = await call(admin, 'PATCH', `/sites/${hq.id}`, { version: 1, parentId: hq.id });
      expect(self.json().errors[0].code).toBe('org.siteCycle');
      const kind = await call(admin, 'PATCH', `/sites/${hq.id}`, { version: 1, kind: 'building' });
      expect(kind.json().errors[0]).toMatchObject({ field: 'kind', code: 'enum' });

      const renamed = await call(admin, 'PATCH', `/sites/${room.id}`, { version: 1, name: '主机房', parentId: hq.id });
      expect(renamed.json()).toMatchObject({ name: '主机房', parentId: hq.id, version: 2 });

      const contact = (await call(admin, 'POST', `/customers/${c.id}/contacts`, { name: '李工', siteId: dept.id })).json();
      const sub = (await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '科室', kind: 'department', parentId: dept.id })).json();
      expect((await call(admin, 'DELETE', `/sites/${dept.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', `/sites/${sub.id}`)).json()).toMatchObject({ parentId: hq.id, version: 2 });
      expect((await call(admin, 'GET', `/contacts/${contact.id}`)).json()).toMatchObject({ siteId: null, version: 2 });

      const list = await call(admin, 'GET', `/customers/${c.id}/sites`);
      expect(list.json().items.map((s: { name: string }) => s.name)).toEqual(['总部', '主机房', '科室']);
      expect((await auditRows('sites', dept.id)).map((a) => a.action)).toEqual(['create', 'delete']);
      expect((await auditRows('sites', room.id)).map((a) => a.action)).toEqual(['create', 'update']);
    });
  });

  describe('contacts', () => {
    it('creates, reads, changes and deletes a contact, auditing each write', async () => {
      const c = await newCustomer('CONT');
      const site = (await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '一号楼' })).json();
      const res = await call(admin, 'POST', `/customers/${c.id}/contacts`, { name: '王芳', phone: '010-8888 6666', mobile: '+86 139 1234 5678', email: 'wangfang@example.com', title: '主任', siteId: site.id, isVip: true });
      expect(res.statusCode).toBe(201);
      const contact = res.json();
      expect(contact).toMatchObject({ customerId: c.id, siteId: site.id, name: '王芳', phone: '010-8888 6666', mobile: '+86 139 1234 5678', email: 'wangfang@example.com', isVip: true, notes: null, version: 1 });
      const patched = await call(admin, 'PATCH', `/contacts/${contact.id}`, { version: 1, email: '', title: null, isVip: false });
      expect(patched.json()).toMatchObject({ email: null, title: null, isVip: false, version: 2 });
      expect((await call(admin, 'DELETE', `/contacts/${contact.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', `/contacts/${contact.id}`)).statusCode).toBe(404);
      expect((await auditRows('contacts', contact.id)).map((a) => a.action)).toEqual(['create', 'update', 'delete']);
    });

    it.each([
      ['letters in a phone', { name: 'x', phone: '010-CALL-ME' }, 'phone', 'org.phoneFormat'],
      ['a too short mobile', { name: 'x', mobile: '123' }, 'mobile', 'org.phoneFormat'],
      ['a bad email', { name: 'x', email: 'not-an-email' }, 'email', 'email'],
      ['isVip as text', { name: 'x', isVip: 'yes' }, 'isVip', 'type'],
      ['siteId as text', { name: 'x', siteId: 'abc' }, 'siteId', 'type'],
      ['a whitespace-only name', { name: '  ' }, 'name', 'required'],
    ])('refuses %s', async (_label, body, field, code) => {
      const c = await newCustomer(`CB-${field}-${code}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32));
      const res = await call(admin, 'POST', `/customers/${c.id}/contacts`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      expect((await call(admin, 'GET', `/customers/${c.id}/contacts`)).json().items).toHaveLength(0);
    });

    it('pages through 120 contacts 50 at a time without duplicates or omissions', async () => {
      const c = await newCustomer('PAGING');
      const ids: number[] = [];
      for (let i = 0; i < 120; i++) {
        const res = await call(admin, 'POST', `/customers/${c.id}/contacts`, { name: `联系人${String(i).padStart(3, '0')}`, mobile: `1380000${String(i).padStart(4, '0')}` });
        ids.push(res.json().id);
      }
      const seen: number[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const url = `/customers/${c.id}/contacts?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
        const body = (await call(admin, 'GET', url)).json() as { items: Array<{ id: number }>; nextCursor: string | null };
        sizes.push(body.items.length);
        seen.push(...body.items.map((x) => x.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([50, 50, 20]);
      expect(seen).toEqual(ids);

      const bad = await call(admin, 'GET', `/customers/${c.id}/contacts?cursor=garbage`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].field).toBe('cursor');
    });

    it('pages customers by name without duplicates or omissions', async () => {
      const codes = Array.from({ length: 7 }, (_, i) => `PG${i}`);
      for (const code of codes) await newCustomer(code, { name: `分页客户 ${7 - Number(code.slice(2))}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body = (await call(admin, 'GET', `/customers?q=${encodeURIComponent('分页客户')}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json() as { items: Array<{ code: string }>; nextCursor: string | null };
        seen.push(...body.items.map((x) => x.code));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...codes].reverse());
    });

    it('finds contacts by leading phone digits however they were typed, and by name', async () => {
      const c = await newCustomer('SEARCH', { name: '搜索客户' });
      const site = (await call(admin, 'POST', `/customers/${c.id}/sites`, { name: '二号楼' })).json();
      await call(admin, 'POST', `/customers/${c.id}/contacts`, { name: '赵敏', mobile: '+86 137-0099-1234', siteId: site.id });
      await call(admin, 'POST', `/customers/${c.id}/contacts`, { name: '钱多多', phone: '0755-2399 8877', isVip: true });
      await call(admin, 'POST', `/customers/${c.id}/contacts`, { name: '孙赵', phone: '099999' });

      const byMobile = (await call(admin, 'GET', `/contacts/search?q=${encodeURIComponent('1370099')}`)).json().items;
      expect(byMobile).toHaveLength(1);
      expect(byMobile[0]).toMatchObject({ name: '赵敏', customerName: '搜索客户', siteName: '二号楼' });
      expect((await call(admin, 'GET', `/contacts/search?q=${encodeURIComponent('+86 1370')}`)).json().items.map((x: { name: string }) => x.name)).toEqual(['赵敏']);
      expect((await call(admin, 'GET', `/contacts/search?q=${encodeURIComponent('075523')}`)).json().items.map((x: { name: string }) => x.name)).toEqual(['钱多多']);
      expect((await call(admin, 'GET', '/contacts/search?q=09999')).json().items.map((x: { name: string }) => x.name)).toEqual(['孙赵']);
      expect((await call(admin, 'GET', `/contacts/search?q=${encodeURIComponent('赵')}`)).json().items.map((x: { name: string }) => x.name)).toEqual(['孙赵', '赵敏']);
      expect((await call(admin, 'GET', `/contacts/search?q=${encodeURIComponent('钱')}`)).json().items[0]).toMatchObject({ isVip: true, siteName: null });
      expect((await call(admin, 'GET', '/contacts/search?q=')).statusCode).toBe(400);

      await call(admin, 'POST', `/customers/${c.id}/archive`);
      expect((await call(admin, 'GET', `/contacts/search?q=${encodeURIComponent('赵')}`)).json().items).toHaveLength(0);
    });
  });

  describe('contracts', () => {
    const base = { code: 'HT-2026-001', name: '2026 年度运维服务合同', startsOn: '2026-01-01', endsOn: '2026-12-31', services: ['桌面运维', '网络运维'], serviceHours: '5x8' };

    it('creates, reads, changes and deletes a contract, auditing each write', async () => {
      const c = await newCustomer('CTR');
      const res = await call(admin, 'POST', `/customers/${c.id}/contracts`, { ...base, projectManagerId: pmId });
      expect(res.statusCode, res.body).toBe(201);
      const contract = res.json();
      expect(contract).toMatchObject({ customerId: c.id, calendarId: 'cn-5x8', projectManagerId: pmId, slaPolicy: null, services: ['桌面运维', '网络运维'], version: 1 });

      // Switching 5x8 → 7x24 moves a default calendar along.
      const hours = await call(admin, 'PATCH', `/contracts/${contract.id}`, { version: 1, serviceHours: '7x24' });
      expect(hours.json()).toMatchObject({ serviceHours: '7x24', calendarId: '24x7', version: 2 });
      const custom = await call(admin, 'PATCH', `/contracts/${contract.id}`, { version: 2, serviceHours: '工作日 8:30-17:30', calendarId: 'custom-cal' });
      expect(custom.json()).toMatchObject({ serviceHours: '工作日 8:30-17:30', calendarId: 'custom-cal', slaPolicy: null, version: 3 });

      expect((await call(admin, 'GET', `/customers/${c.id}/contracts`)).json().items).toHaveLength(1);
      expect((await call(admin, 'DELETE', `/contracts/${contract.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', `/contracts/${contract.id}`)).statusCode).toBe(404);
      expect((await auditRows('contracts', contract.id)).map((a) => a.action)).toEqual(['create', 'update', 'update', 'delete']);
    });

    it.each([
      ['endsOn before startsOn', { startsOn: '2026-06-01', endsOn: '2026-05-31' }, 'endsOn', 'dateOrder'],
      ['an impossible date', { startsOn: '2026-02-30' }, 'startsOn', 'date'],
      ['no services', { services: [] }, 'services', 'tooFew'],
      ['a repeated service', { services: ['巡检', '巡检'] }, 'services[1]', 'org.duplicateItem'],
      ['custom hours without a calendar', { serviceHours: '每天 9-18 点' }, 'calendarId', 'org.calendarRequired'],
      ['over-long service hours', { serviceHours: 'x'.repeat(41) }, 'serviceHours', 'tooLong'],
      ['a negative project manager id', { projectManagerId: -1 }, 'projectManagerId', 'tooSmall'],
      ['services as text', { services: '桌面运维' }, 'services', 'type'],
      ['an SLA policy, which only the SLA module sets', { slaPolicy: {} }, '(body)', 'unknownKey'],
    ])('refuses %s', async (_label, change, field, code) => {
      const c = await newCustomer(`CTB-${Math.random().toString(36).slice(2, 10)}`);
      const res = await call(admin, 'POST', `/customers/${c.id}/contracts`, { ...base, code: `HT-${c.id}`, ...change });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      expect((await call(admin, 'GET', `/customers/${c.id}/contracts`)).json().items).toHaveLength(0);
    });

    it('accepts only provider-side users as project managers', async () => {
      const c = await newCustomer('CTR-PM');
      const customerUser = await insertUser(t.database, { username: 'ctr-pm-customer', roles: ['customer_admin'], customerId: c.id });
      for (const projectManagerId of [customerUser, 999_999]) {
        const res = await call(admin, 'POST', `/customers/${c.id}/contracts`, { ...base, code: `HT-PM-${projectManagerId}`, projectManagerId });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0]).toMatchObject({ field: 'projectManagerId', code: 'org.notProviderUser' });
      }
      const dates = await call(admin, 'POST', `/customers/${c.id}/contracts`, { ...base, code: 'HT-PM-OK', projectManagerId: pmId });
      expect(dates.statusCode).toBe(201);
      const reversed = await call(admin, 'PATCH', `/contracts/${dates.json().id}`, { version: 1, startsOn: '2027-01-01' });
      expect(reversed.json().errors[0]).toMatchObject({ field: 'endsOn', code: 'dateOrder' });
    });
  });

  describe('teams', () => {
    it('creates, reads, changes and deletes a team, auditing each write', async () => {
      const c1 = await newCustomer('TEAM-C1');
      const c2 = await newCustomer('TEAM-C2');
      const res = await call(admin, 'POST', '/teams', { name: '一线支持组', kind: 'line1', memberIds: [engineerId, pmId, engineerId], customerIds: [c1.id] });
      expect(res.statusCode, res.body).toBe(201);
      const team = res.json();
      expect(team).toMatchObject({ name: '一线支持组', kind: 'line1', assignment: 'round_robin', description: null, memberIds: [pmId, engineerId].sort((a, b) => a - b), customerIds: [c1.id], version: 1 });

      const patched = await call(admin, 'PATCH', `/teams/${team.id}`, { version: 1, assignment: 'least_loaded', memberIds: [engineerId], customerIds: [c1.id, c2.id] });
      expect(patched.json()).toMatchObject({ assignment: 'least_loaded', memberIds: [engineerId], customerIds: [c1.id, c2.id], version: 2 });
      expect((await call(admin, 'GET', '/teams?q=一线')).json().items.map((x: { id: number }) => x.id)).toEqual([team.id]);

      const dup = await call(admin, 'POST', '/teams', { name: '一线支持组', kind: 'desk' });
      expect(dup.statusCode).toBe(409);
      const customerUser = await insertUser(t.database, { username: 'team-customer-user', roles: ['customer_contact'], customerId: c1.id });
      const bad = await call(admin, 'POST', '/teams', { name: '二线', kind: 'line2', memberIds: [engineerId, customerUser], customerIds: [999_999] });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([
        expect.objectContaining({ field: 'memberIds[1]', code: 'org.notProviderUser' }),
        expect.objectContaining({ field: 'customerIds[0]', code: 'org.customerNotFound' }),
      ]);
      expect((await call(admin, 'POST', '/teams', { name: '三线', kind: 'line3' })).json().errors[0]).toMatchObject({ field: 'kind', code: 'enum' });

      expect((await call(admin, 'DELETE', `/teams/${team.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', `/teams/${team.id}`)).statusCode).toBe(404);
      expect((await auditRows('teams', team.id)).map((a) => a.action)).toEqual(['create', 'update', 'delete']);
    });

    it("keeps a team's service hours on a saved calendar: an unknown calendarId is a 400 naming the field", async () => {
      const unknown = await call(admin, 'POST', '/teams', { name: '日历服务台', kind: 'desk', calendarId: 'no-such-cal' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors).toEqual([expect.objectContaining({ field: 'calendarId', code: 'sla.target.calendar.unknown' })]);
      expect(unknown.json().errors[0].message).toContain('no-such-cal');

      const res = await call(admin, 'POST', '/teams', { name: '日历服务台', kind: 'desk', calendarId: 'cn-5x8' });
      expect(res.statusCode, res.body).toBe(201);
      const team = res.json();
      expect(team).toMatchObject({ calendarId: 'cn-5x8', version: 1 });

      const bad = await call(admin, 'PATCH', `/teams/${team.id}`, { version: 1, calendarId: 'gone-cal' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'calendarId', code: 'sla.target.calendar.unknown' })]);
      expect((await call(admin, 'GET', `/teams/${team.id}`)).json()).toMatchObject({ calendarId: 'cn-5x8', version: 1 });

      expect((await call(admin, 'PATCH', `/teams/${team.id}`, { version: 1, calendarId: '24x7' })).json()).toMatchObject({ calendarId: '24x7', version: 2 });
      expect((await call(admin, 'PATCH', `/teams/${team.id}`, { version: 2, calendarId: null })).json()).toMatchObject({ calendarId: null, version: 3 });
      expect((await call(admin, 'DELETE', `/teams/${team.id}`)).statusCode).toBe(204);
    });
  });

  it('publishes every endpoint in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of ['/api/v1/customers', '/api/v1/customers/{id}/contacts/import', '/api/v1/contacts/search', '/api/v1/contracts/{id}', '/api/v1/teams/{id}']) expect(paths).toContain(p);
  });
});
