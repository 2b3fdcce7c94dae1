import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database_ } from '../../db/index.js';
import { verifyChain } from '../../platform/audit/service.js';
import { createTestApp, describeDb, insertUser, login, STRONG_PASSWORD, type Session, type TestApp } from '../../test/harness.js';

async function insertCustomer(database: Database_, code: string): Promise<number> {
  const now = Date.now();
  const row = await database.db
    .insertInto('customers')
    .values({ code, name: `客户${code}`, tier: 2, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

async function insertTeam(database: Database_, name: string): Promise<number> {
  const now = Date.now();
  const row = await database.db.insertInto('teams').values({ name, kind: 'line1', description: null, assignment: 'round_robin', created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

describeDb('users API', (kind) => {
  let t: TestApp;
  let admin: Session;
  let adminEn: Session;
  let custA: number;
  let custB: number;
  let archived: number;
  let desk: number;
  let line2: number;
  let bContactId: number;
  const problemsOf = (res: { json(): unknown }) => (res.json() as { errors: Array<{ field: string; code: string; message: string }> }).errors;
  const auditOf = (entityId: number | string, action?: string) => {
    let q = t.database.db.selectFrom('audit_log').selectAll().where('entity', '=', 'users').where('entity_id', '=', String(entityId));
    if (action) q = q.where('action', '=', action);
    return q.orderBy('id').execute();
  };
  const userCount = async () => Number((await t.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const newUser = (over: Record<string, unknown> = {}) => ({ username: 'engineer.zhang', displayName: '张工', roleCodes: ['engineer'], password: STRONG_PASSWORD, ...over });

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'admin-en', roles: ['admin'], locale: 'en-US' });
    custA = await insertCustomer(t.database, 'A');
    custB = await insertCustomer(t.database, 'B');
    archived = await insertCustomer(t.database, 'OLD');
    await t.database.db.updateTable('customers').set({ archived_at: Date.now() }).where('id', '=', archived).execute();
    desk = await insertTeam(t.database, '服务台');
    line2 = await insertTeam(t.database, '二线');
    await insertUser(t.database, { username: 'a-admin', roles: ['customer_admin'], customerId: custA });
    bContactId = await insertUser(t.database, { username: 'b-contact', roles: ['customer_contact'], customerId: custB });
    await insertUser(t.database, { username: 'engineer', roles: ['engineer'] });
    await insertUser(t.database, { username: 'auditor', roles: ['auditor'] });
    admin = await login(t.app, 'admin');
    adminEn = await login(t.app, 'admin-en');
  });
  afterAll(() => t.close());

  it('creates a provider user in teams, audits the creation and the grant, and the user can log in', async () => {
    const res = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ email: 'zhang@example.com', phone: '13800000000', teamIds: [line2, desk] }) });
    expect(res.statusCode).toBe(201);
    const u = res.json();
    expect(u).toMatchObject({ username: 'engineer.zhang', displayName: '张工', email: 'zhang@example.com', phone: '13800000000', locale: 'zh-CN', roleCodes: ['engineer'], customerId: null, disabled: false, lockedUntil: null, version: 1 });
    expect(u.teamIds).toEqual([desk, line2].sort((a, b) => a - b));
    expect(u).not.toHaveProperty('passwordHash');

    const audit = await auditOf(u.id);
    expect(audit.map((r) => r.action)).toEqual(['create', 'permission_change']);
    expect(JSON.parse(audit[0].after!)).toMatchObject({ username: 'engineer.zhang', roleCodes: ['engineer'] });
    expect(audit[0].after).not.toContain(STRONG_PASSWORD);
    expect(JSON.parse(audit[1].before!)).toEqual({ roleCodes: [], teamIds: [] });
    expect(JSON.parse(audit[1].after!).teamIds).toHaveLength(2);

    const s = await login(t.app, 'engineer.zhang');
    expect((await s.request({ method: 'GET', url: '/api/v1/auth/me' })).json().roles).toEqual(['engineer']);
  });

  it('refuses empty, blank, too short, too long and badly formed usernames and display names, creating nothing', async () => {
    const before = await userCount();
    const cases: Array<[Record<string, unknown>, string, string, string]> = [
      [{ username: '' }, 'username', 'required', '用户名不能为空'],
      [{ username: '    ' }, 'username', 'blank', '用户名不能只包含空白'],
      [{ username: 'ab' }, 'username', 'tooShort', '用户名至少需要 3 个字符'],
      [{ username: 'u'.repeat(65) }, 'username', 'tooLong', '用户名不能超过 64 个字符'],
      [{ username: 'zhang san' }, 'username', 'accounts.usernameChars', '用户名只能包含英文字母、数字和 . _ @ -'],
      [{ username: '张三丰' }, 'username', 'accounts.usernameChars', '用户名只能包含英文字母、数字和 . _ @ -'],
      [{ displayName: '' }, 'displayName', 'required', '显示名称不能为空'],
      [{ displayName: ' \t ' }, 'displayName', 'blank', '显示名称不能只包含空白'],
      [{ displayName: '名'.repeat(101) }, 'displayName', 'tooLong', '显示名称不能超过 100 个字符'],
    ];
    for (const [over, field, code, message] of cases) {
      const res = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'valid.name', ...over }) });
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(problemsOf(res)).toContainEqual({ field, code, message });
    }
    const missing = await admin.request({ method: 'POST', url: '/api/v1/users', payload: { displayName: 'x', roleCodes: ['engineer'], password: STRONG_PASSWORD } });
    expect(missing.statusCode).toBe(400);
    expect(problemsOf(missing)[0].field).toBe('username');
    expect(await userCount()).toBe(before);
  });

  it('explains a password that breaks the rule, naming each missing class, in Chinese and English', async () => {
    const zh = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'weak.pw', password: 'abcdefghijklm' }) });
    expect(zh.statusCode).toBe(400);
    expect(problemsOf(zh)).toEqual([{ field: 'password', code: 'password.missingClasses', message: '密码必须同时包含大写字母、数字、符号' }]);

    const en = await adminEn.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'weak.pw', password: 'Short1!' }) });
    expect(en.statusCode).toBe(400);
    expect(en.json().title).toBe('Invalid input');
    // "Short1!" is "short" decorated: on the common-password list too.
    expect(problemsOf(en).map((p) => p.message)).toEqual(['The password must be longer than 10 characters (at least 11)', 'The password is too common (it is on a list of common passwords); choose another']);

    const both = await adminEn.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'weak.pw', password: 'ABC' }) });
    expect(problemsOf(both).map((p) => p.message)).toEqual(['The password must be longer than 10 characters (at least 11)', 'The password must contain lower-case letters, digits, symbols']);

    const withName = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'weak.pw', password: 'Weak.Pw#2026x' }) });
    expect(problemsOf(withName)).toEqual([{ field: 'password', code: 'password.containsUsername', message: '密码不能包含用户名' }]);
    expect(await auditOf('weak.pw')).toHaveLength(0);
  });

  it('refuses a taken username whatever its case', async () => {
    const res = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'ENGINEER.Zhang' }) });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('duplicate');
  });

  it('checks roles, customer and teams against each other', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ roleCodes: ['customer_contact'] }, 'roleCodes[0]', 'accounts.customerRoleNeedsCustomer'],
      [{ roleCodes: ['engineer'], customerId: custA }, 'roleCodes[0]', 'accounts.customerRolesOnly'],
      [{ roleCodes: ['engineer', 'no_such_role'] }, 'roleCodes[1]', 'accounts.unknownRole'],
      [{ roleCodes: [] }, 'roleCodes', 'tooFew'],
      [{ roleCodes: ['customer_contact'], customerId: custA, teamIds: [desk] }, 'teamIds', 'accounts.teamsStaffOnly'],
      [{ teamIds: [desk, 999999] }, 'teamIds[1]', 'accounts.unknownTeam'],
      [{ roleCodes: ['customer_contact'], customerId: 999999 }, 'customerId', 'accounts.unknownCustomer'],
      [{ roleCodes: ['customer_contact'], customerId: archived }, 'customerId', 'accounts.unknownCustomer'],
      [{ isAdmin: true }, '(body)', 'unknownKey'],
    ];
    for (const [over, field, code] of cases) {
      const res = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'mixed.up', ...over }) });
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(problemsOf(res).map((p) => [p.field, p.code]), JSON.stringify(over)).toContainEqual([field, code]);
    }
    expect(await auditOf('mixed.up')).toHaveLength(0);

    const customerAdmin = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'a.boss', displayName: 'A 公司管理员', roleCodes: ['customer_admin'], customerId: custA }) });
    expect(customerAdmin.statusCode).toBe(201);
    expect(customerAdmin.json()).toMatchObject({ customerId: custA, roleCodes: ['customer_admin'], teamIds: [] });
  });

  it('stores SQL and HTML in text fields as typed and returns them verbatim', async () => {
    const displayName = `Robert'); DROP TABLE users;-- <script>alert("x")</script>`;
    const res = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'bobby.tables', displayName, phone: `1' OR '1'='1` }) });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toContain(JSON.stringify(displayName));
    const got = await admin.request({ method: 'GET', url: `/api/v1/users/${res.json().id}` });
    expect(got.json()).toMatchObject({ displayName, phone: `1' OR '1'='1` });
    const found = await admin.request({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent("'); DROP")}` });
    expect(found.json().items.map((u: { username: string }) => u.username)).toEqual(['bobby.tables']);
    const wildcard = await admin.request({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent('%')}` });
    expect(wildcard.json().items).toHaveLength(0);
  });

  it('refuses a 50 MB body with 413 and changes nothing', async () => {
    const before = await userCount();
    const res = await admin.request({ method: 'POST', url: '/api/v1/users', payload: JSON.stringify(newUser({ username: 'huge.body', displayName: 'x'.repeat(50 * 1024 * 1024) })), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('too_large');
    expect(await userCount()).toBe(before);
  });

  it('lists with keyset paging and filters by text, role, customer, team and state', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await admin.request({ method: 'GET', url })).json() as { items: Array<{ username: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((u) => u.username));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await userCount());

    const names = async (query: string) => ((await admin.request({ method: 'GET', url: `/api/v1/users?${query}` })).json().items as Array<{ username: string }>).map((u) => u.username);
    expect(await names('q=%E5%BC%A0%E5%B7%A5')).toEqual(['engineer.zhang']);
    expect(await names('q=ENGINEER')).toEqual(['engineer', 'engineer.zhang']);
    expect(await names('role=customer_admin')).toEqual(['a-admin', 'a.boss']);
    expect(await names(`customerId=${custB}`)).toEqual(['b-contact']);
    expect(await names(`teamId=${desk}`)).toEqual(['engineer.zhang']);
    expect(await names('disabled=true')).toEqual([]);
    expect((await admin.request({ method: 'GET', url: '/api/v1/users?cursor=garbage' })).statusCode).toBe(400);
    expect((await admin.request({ method: 'GET', url: '/api/v1/users?limit=1000' })).statusCode).toBe(400);
  });

  it('edits with the version read, audits field changes and role changes separately, and refuses a stale version', async () => {
    const u = (await admin.request({ method: 'GET', url: '/api/v1/users?q=engineer.zhang' })).json().items[0];
    const edited = await admin.request({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { version: u.version, displayName: '张工程师', email: null, roleCodes: ['engineer', 'pm'], teamIds: [desk] } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ displayName: '张工程师', email: null, phone: '13800000000', roleCodes: ['engineer', 'pm'], teamIds: [desk], version: u.version + 1 });

    const update = (await auditOf(u.id, 'update')).at(-1)!;
    expect(JSON.parse(update.before!)).toEqual({ displayName: '张工', email: 'zhang@example.com' });
    expect(JSON.parse(update.after!)).toEqual({ displayName: '张工程师', email: null });
    const grant = (await auditOf(u.id, 'permission_change')).at(-1)!;
    expect(JSON.parse(grant.before!)).toEqual({ roleCodes: ['engineer'], teamIds: u.teamIds });
    expect(JSON.parse(grant.after!)).toEqual({ roleCodes: ['engineer', 'pm'], teamIds: [desk] });

    const stale = await admin.request({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { version: u.version, displayName: '过期的修改' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().title).toBe('记录已被他人修改，请刷新后重试');
    expect((await admin.request({ method: 'GET', url: `/api/v1/users/${u.id}` })).json().displayName).toBe('张工程师');

    const noVersion = await admin.request({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { displayName: 'x' } });
    expect(noVersion.statusCode).toBe(400);
    expect(problemsOf(noVersion)[0].field).toBe('version');
    const renameLogin = await admin.request({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { version: u.version + 1, username: 'other' } });
    expect(renameLogin.statusCode).toBe(400);
    expect((await admin.request({ method: 'PATCH', url: '/api/v1/users/999999', payload: { version: 1, displayName: 'x' } })).statusCode).toBe(404);
  });

  it('disables (also via DELETE) ending the sessions, enables again, never deletes, and refuses disabling oneself', async () => {
    const create = await admin.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'leaver' }) });
    const id = create.json().id;
    const theirs = await login(t.app, 'leaver');

    const del = await admin.request({ method: 'DELETE', url: `/api/v1/users/${id}` });
    expect(del.statusCode).toBe(204);
    expect((await theirs.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    const gone = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'leaver', password: STRONG_PASSWORD } });
    // Answered as a wrong password: a disabled account is not told apart (docs/SECURITY.md).
    expect(gone.statusCode).toBe(401);
    expect(gone.json().code).toBe('invalid_credentials');
    const still = await admin.request({ method: 'GET', url: `/api/v1/users/${id}` });
    expect(still.json()).toMatchObject({ disabled: true, version: 2 });
    expect((await admin.request({ method: 'GET', url: '/api/v1/users?disabled=true' })).json().items.map((u: { id: number }) => u.id)).toEqual([id]);

    const enabled = await admin.request({ method: 'POST', url: `/api/v1/users/${id}/enable` });
    expect(enabled.json().disabled).toBe(false);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'leaver', password: STRONG_PASSWORD } })).statusCode).toBe(200);
    const disabled = await admin.request({ method: 'POST', url: `/api/v1/users/${id}/disable` });
    expect(disabled.json().disabled).toBe(true);

    const rows = await auditOf(id);
    expect(rows.filter((r) => ['disable', 'enable'].includes(r.action)).map((r) => [r.action, JSON.parse(r.before!), JSON.parse(r.after!)])).toEqual([
      ['disable', { disabled: false }, { disabled: true, sessionsEnded: 1 }],
      ['enable', { disabled: true }, { disabled: false }],
      ['disable', { disabled: false }, { disabled: true, sessionsEnded: 1 }],
    ]);

    const me = (await admin.request({ method: 'GET', url: '/api/v1/auth/me' })).json();
    const self = await admin.request({ method: 'DELETE', url: `/api/v1/users/${me.id}` });
    expect(self.statusCode).toBe(409);
    expect(self.json().title).toBe('不能停用自己的账号');
  });

  it('lets an administrator set a new password, ending the user\'s sessions; the rule still applies', async () => {
    const id = (await admin.request({ method: 'GET', url: '/api/v1/users?q=bobby.tables' })).json().items[0].id;
    const theirs = await login(t.app, 'bobby.tables');
    const weak = await admin.request({ method: 'POST', url: `/api/v1/users/${id}/password`, payload: { newPassword: 'password' } });
    expect(weak.statusCode).toBe(400);
    expect(problemsOf(weak).map((p) => p.code)).toEqual(['password.tooShort', 'password.missingClasses', 'password.common']);
    const ok = await admin.request({ method: 'POST', url: `/api/v1/users/${id}/password`, payload: { newPassword: 'Reset#Password2026' } });
    expect(ok.statusCode).toBe(204);
    expect((await theirs.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bobby.tables', password: 'Reset#Password2026' } })).statusCode).toBe(200);
    const row = (await auditOf(id, 'password_reset'))[0];
    expect(JSON.parse(row.after!)).toEqual({ sessionsEnded: 1 });
    expect(row.after).not.toContain('Reset#Password2026');
  });

  it('keeps a customer administrator inside his own customer, with customer roles only', async () => {
    const ca = await login(t.app, 'a-admin');
    const listed = await ca.request({ method: 'GET', url: '/api/v1/users' });
    expect(listed.json().items.map((u: { username: string }) => u.username)).toEqual(['a-admin', 'a.boss']);
    expect((await ca.request({ method: 'GET', url: `/api/v1/users?customerId=${custB}` })).json().items).toEqual([]);

    const created = await ca.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'a-contact', displayName: 'A 联系人', roleCodes: ['customer_contact'] }) });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ customerId: custA, roleCodes: ['customer_contact'] });
    const auditRow = (await auditOf(created.json().id, 'create'))[0];
    expect(Number(auditRow.customer_id)).toBe(custA);

    const before = await userCount();
    const bHere = await ca.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'sneaky', roleCodes: ['customer_contact'], customerId: custB }) });
    expect(bHere.statusCode).toBe(404);
    const staff = await ca.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'sneaky', roleCodes: ['customer_contact'], customerId: null }) });
    expect(staff.statusCode).toBe(404);
    const escalate = await ca.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'sneaky', roleCodes: ['admin'] }) });
    expect(escalate.statusCode).toBe(400);
    expect(problemsOf(escalate)[0]).toMatchObject({ field: 'roleCodes[0]', code: 'accounts.customerRolesOnly' });
    expect(await userCount()).toBe(before);

    for (const [method, url, payload] of [
      ['GET', `/api/v1/users/${bContactId}`, undefined],
      ['PATCH', `/api/v1/users/${bContactId}`, { version: 1, displayName: '改掉' }],
      ['DELETE', `/api/v1/users/${bContactId}`, undefined],
      ['POST', `/api/v1/users/${bContactId}/unlock`, undefined],
      ['POST', `/api/v1/users/${bContactId}/password`, { newPassword: 'Takeover#2026pw' }],
      ['GET', '/api/v1/users/1', undefined],
    ] as const) {
      const res = await ca.request({ method, url, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const b = await admin.request({ method: 'GET', url: `/api/v1/users/${bContactId}` });
    expect(b.json()).toMatchObject({ displayName: 'b-contact', disabled: false, version: 1 });

    const moved = await ca.request({ method: 'PATCH', url: `/api/v1/users/${created.json().id}`, payload: { version: 1, customerId: custB } });
    expect(moved.statusCode).toBe(404);
    const promoted = await ca.request({ method: 'PATCH', url: `/api/v1/users/${created.json().id}`, payload: { version: 1, roleCodes: ['customer_admin'] } });
    expect(promoted.json()).toMatchObject({ roleCodes: ['customer_admin'], version: 2 });
  });

  it('does not let a user manage or grant more than he holds', async () => {
    const mk = await admin.request({ method: 'POST', url: '/api/v1/roles', payload: { code: 'user_clerk', nameZh: '账号专员', nameEn: 'User clerk', permissions: ['users.read', 'users.write', 'tickets.read'] } });
    expect(mk.statusCode).toBe(201);
    await insertUser(t.database, { username: 'clerk', roles: ['user_clerk'] });
    const clerk = await login(t.app, 'clerk');
    const grantAdmin = await clerk.request({ method: 'POST', url: '/api/v1/users', payload: newUser({ username: 'new.admin', roleCodes: ['admin'] }) });
    expect(grantAdmin.statusCode).toBe(403);
    expect(grantAdmin.json().title).toMatch(/^不能管理或授予超出自己权限的用户或角色/);
    const adminRow = (await clerk.request({ method: 'GET', url: '/api/v1/users?role=admin&limit=1' })).json().items[0];
    const takeover = await clerk.request({ method: 'POST', url: `/api/v1/users/${adminRow.id}/password`, payload: { newPassword: 'Takeover#2026pw' } });
    expect(takeover.statusCode).toBe(403);
    expect((await clerk.request({ method: 'POST', url: `/api/v1/users/${adminRow.id}/disable` })).statusCode).toBe(403);
  });

  it('gives an engineer 403 on every users call and an auditor 403 on every write', async () => {
    const eng = await login(t.app, 'engineer');
    const aud = await login(t.app, 'auditor');
    expect((await aud.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
    expect((await eng.request({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(403);
    const before = await userCount();
    const writes = [
      ['POST', '/api/v1/users', newUser({ username: 'forbidden.user' })],
      ['PATCH', `/api/v1/users/${bContactId}`, { version: 1, displayName: 'x' }],
      ['DELETE', `/api/v1/users/${bContactId}`, undefined],
      ['POST', `/api/v1/users/${bContactId}/disable`, undefined],
      ['POST', `/api/v1/users/${bContactId}/enable`, undefined],
      ['POST', `/api/v1/users/${bContactId}/unlock`, undefined],
      ['POST', `/api/v1/users/${bContactId}/password`, { newPassword: 'Another#Strong2026' }],
    ] as const;
    for (const s of [eng, aud]) {
      for (const [method, url, payload] of writes) {
        const res = await s.request({ method, url, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().title).toBe('没有权限执行此操作（需要权限：users.write）');
      }
    }
    expect(await userCount()).toBe(before);
  });

  it('leaves an intact audit chain', async () => {
    expect(await verifyChain(t.database.db)).toMatchObject({ ok: true });
  });
});
