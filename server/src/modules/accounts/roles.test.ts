import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyChain } from '../../platform/audit/service.js';
import { PERMISSIONS } from '../../platform/auth/permissions.js';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

describeDb('roles API', (kind) => {
  let t: TestApp;
  let admin: Session;
  const problemsOf = (res: { json(): unknown }) => (res.json() as { errors: Array<{ field: string; code: string; message: string }> }).errors;
  const roleAudit = (id: number) => t.database.db.selectFrom('audit_log').selectAll().where('entity', '=', 'roles').where('entity_id', '=', String(id)).orderBy('id').execute();
  const roleByCode = async (s: Session, code: string) => ((await s.request({ method: 'GET', url: '/api/v1/roles?limit=200' })).json().items as Array<{ id: number; code: string; version: number; permissions: string[] }>).find((r) => r.code === code)!;

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'admin-en', roles: ['admin'], locale: 'en-US' });
    await insertUser(t.database, { username: 'engineer', roles: ['engineer'] });
    await insertUser(t.database, { username: 'auditor', roles: ['auditor'] });
    admin = await login(t.app, 'admin');
  });
  afterAll(() => t.close());

  it('lists the permission catalogue in the caller\'s language', async () => {
    const zh = (await admin.request({ method: 'GET', url: '/api/v1/permissions' })).json();
    expect(zh).toHaveLength(PERMISSIONS.length);
    expect(zh).toContainEqual({ code: 'users.write', group: 'administration', name: '维护用户' });
    const en = (await (await login(t.app, 'admin-en')).request({ method: 'GET', url: '/api/v1/permissions' })).json();
    expect(en).toContainEqual({ code: 'users.write', group: 'administration', name: 'Edit users' });
  });

  it('lists roles with keyset paging, built-ins marked, holders counted', async () => {
    const first = (await admin.request({ method: 'GET', url: '/api/v1/roles?limit=3' })).json();
    expect(first.items).toHaveLength(3);
    const rest = (await admin.request({ method: 'GET', url: `/api/v1/roles?limit=200&cursor=${first.nextCursor}` })).json();
    const all = [...first.items, ...rest.items];
    expect(new Set(all.map((r: { code: string }) => r.code)).size).toBe(all.length);
    const adminRole = all.find((r: { code: string }) => r.code === 'admin');
    expect(adminRole).toMatchObject({ name: '系统管理员', nameEn: 'Administrator', builtin: true, userCount: 2, version: 1 });
    expect(adminRole.permissions).toContain('roles.write');
  });

  it('creates a custom role after checking code, names and permissions', async () => {
    const bad: Array<[Record<string, unknown>, string, string]> = [
      [{ code: 'Night Shift' }, 'code', 'accounts.roleCode'],
      [{ code: 'x' }, 'code', 'accounts.roleCode'],
      [{ nameZh: '   ' }, 'nameZh', 'blank'],
      [{ nameEn: 'n'.repeat(101) }, 'nameEn', 'tooLong'],
      [{ permissions: ['tickets.read', 'tickets.fly'] }, 'permissions[1]', 'accounts.unknownPermission'],
    ];
    for (const [over, field, code] of bad) {
      const res = await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'night_shift', nameZh: '夜班', nameEn: 'Night shift', permissions: ['tickets.read'], ...over } });
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(problemsOf(res).map((p) => [p.field, p.code])).toContainEqual([field, code]);
    }
    const ok = await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'night_shift', nameZh: '夜班', nameEn: 'Night shift', permissions: ['tickets.write', 'tickets.read', 'tickets.read'] } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ code: 'night_shift', name: '夜班', builtin: false, permissions: ['tickets.read', 'tickets.write'], userCount: 0, version: 1 });
    const audit = await roleAudit(ok.json().id);
    expect(audit.map((r) => r.action)).toEqual(['create']);
    expect(JSON.parse(audit[0].after!)).toMatchObject({ code: 'night_shift', permissions: ['tickets.read', 'tickets.write'] });

    const dup = await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'night_shift', nameZh: '夜班2', nameEn: 'Night 2', permissions: [] } });
    expect(dup.statusCode).toBe(409);
  });

  it('changes permissions with the version read and audits them as permission_change with before and after', async () => {
    const role = await roleByCode(admin, 'night_shift');
    const res = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${role.id}`, payload: { version: role.version, permissions: ['tickets.read', 'tickets.write', 'tickets.dispatch'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ permissions: ['tickets.dispatch', 'tickets.read', 'tickets.write'], version: role.version + 1 });
    const row = (await roleAudit(role.id)).at(-1)!;
    expect(row.action).toBe('permission_change');
    expect(JSON.parse(row.before!)).toEqual({ code: 'night_shift', permissions: ['tickets.read', 'tickets.write'] });
    expect(JSON.parse(row.after!)).toEqual({ code: 'night_shift', permissions: ['tickets.dispatch', 'tickets.read', 'tickets.write'] });

    const renamed = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${role.id}`, payload: { version: role.version + 1, nameZh: '夜间值班' } });
    expect(renamed.json()).toMatchObject({ name: '夜间值班', version: role.version + 2 });
    expect((await roleAudit(role.id)).at(-1)!.action).toBe('update');

    const stale = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${role.id}`, payload: { version: role.version, permissions: [] } });
    expect(stale.statusCode).toBe(409);
    expect((await roleByCode(admin, 'night_shift')).permissions).toHaveLength(3);
  });

  it('refuses to delete a built-in role or a role in use, and deletes an unused custom role with an audit row', async () => {
    const builtin = await roleByCode(admin, 'engineer');
    const b = await admin.request({ method: 'DELETE', url: `/api/v1/roles/${builtin.id}` });
    expect(b.statusCode).toBe(409);
    expect(b.json().title).toBe('内置角色“engineer”不能删除（可以修改它的权限）');

    const role = await roleByCode(admin, 'night_shift');
    const holder = await insertUser(t.database, { username: 'night.owl', roles: ['night_shift'] });
    const inUse = await admin.request({ method: 'DELETE', url: `/api/v1/roles/${role.id}` });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ code: 'in_use', title: '角色仍被引用，无法删除' });

    const u = (await admin.request({ method: 'GET', url: `/api/v1/users/${holder}` })).json();
    await admin.request({ method: 'PATCH', url: `/api/v1/users/${holder}`, payload: { version: u.version, roleCodes: ['engineer'] } });
    const del = await admin.request({ method: 'DELETE', url: `/api/v1/roles/${role.id}` });
    expect(del.statusCode).toBe(204);
    expect((await admin.request({ method: 'GET', url: `/api/v1/roles/${role.id}` })).statusCode).toBe(404);
    const row = (await roleAudit(role.id)).at(-1)!;
    expect(row.action).toBe('delete');
    expect(JSON.parse(row.before!)).toMatchObject({ code: 'night_shift', nameZh: '夜间值班' });
    expect(row.after).toBeNull();
  });

  it('never leaves the system without an active holder of roles.write', async () => {
    const adminRole = await roleByCode(admin, 'admin');
    const strip = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${adminRole.id}`, payload: { version: adminRole.version, permissions: adminRole.permissions.filter((p) => p !== 'roles.write') } });
    expect(strip.statusCode).toBe(409);
    expect(strip.json().title).toBe('此操作后将没有任何有效用户拥有“维护角色与权限”权限，系统将无法再管理角色和权限');
    expect((await roleByCode(admin, 'admin')).permissions).toContain('roles.write');

    // With the second administrator gone, the first may not demote himself.
    const other = (await admin.request({ method: 'GET', url: '/api/v1/users?q=admin-en' })).json().items[0];
    expect((await admin.request({ method: 'POST', url: `/api/v1/users/${other.id}/disable` })).statusCode).toBe(200);
    const me = (await admin.request({ method: 'GET', url: '/api/v1/users?q=admin&role=admin&disabled=false' })).json().items[0];
    const demote = await admin.request({ method: 'PATCH', url: `/api/v1/users/${me.id}`, payload: { version: me.version, roleCodes: ['desk'] } });
    expect(demote.statusCode).toBe(409);
    expect((await admin.request({ method: 'GET', url: `/api/v1/users/${me.id}` })).json().roleCodes).toEqual(['admin']);

    // A second role carrying roles.write, held by an active user, makes the change safe.
    const sec = await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'security', nameZh: '安全管理员', nameEn: 'Security officer', permissions: ['roles.read', 'roles.write'] } });
    await insertUser(t.database, { username: 'sec.officer', roles: ['security'] });
    const fresh = await roleByCode(admin, 'admin');
    const ok = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${fresh.id}`, payload: { version: fresh.version, permissions: fresh.permissions.filter((p) => p !== 'roles.write') } });
    expect(ok.statusCode).toBe(200);
    const secSession = await login(t.app, 'sec.officer');
    const back = await roleByCode(secSession, 'admin');
    expect((await secSession.request({ method: 'PATCH', url: `/api/v1/roles/${back.id}`, payload: { version: back.version, permissions: [...back.permissions, 'roles.write'] } })).statusCode).toBe(200);
    expect(sec.statusCode).toBe(201);
  });

  it('gives an engineer 403 on roles and an auditor 403 on every roles write', async () => {
    const eng = await login(t.app, 'engineer');
    const aud = await login(t.app, 'auditor');
    expect((await eng.request({ method: 'GET', url: '/api/v1/roles' })).statusCode).toBe(403);
    expect((await eng.request({ method: 'GET', url: '/api/v1/permissions' })).statusCode).toBe(403);
    expect((await aud.request({ method: 'GET', url: '/api/v1/roles' })).statusCode).toBe(200);
    const desk = await roleByCode(aud, 'desk');
    for (const s of [eng, aud]) {
      for (const [method, url, payload] of [
        ['POST', '/api/v1/roles', { code: 'sneaky', nameZh: '偷偷', nameEn: 'Sneaky', permissions: ['roles.write'] }],
        ['PATCH', `/api/v1/roles/${desk.id}`, { version: desk.version, permissions: [] }],
        ['DELETE', `/api/v1/roles/${desk.id}`, undefined],
      ] as const) {
        const res = await s.request({ method, url, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
      }
    }
    expect(await roleByCode(admin, 'sneaky')).toBeUndefined();
    expect((await roleByCode(admin, 'desk')).version).toBe(desk.version);
  });

  it('leaves an intact audit chain', async () => {
    expect(await verifyChain(t.database.db)).toMatchObject({ ok: true });
  });
});
