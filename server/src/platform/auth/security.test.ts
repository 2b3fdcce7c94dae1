import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, STRONG_PASSWORD, type TestApp } from '../../test/harness.js';
import { verifyChain } from '../audit/service.js';
import { createApiToken, sha256 } from './service.js';

/** The bad-input list for logins, sessions, CSRF and API tokens. */
describeDb('auth security', (kind) => {
  let t: TestApp;
  let adminId: number;
  const cli = { userId: null, name: 'test', ip: null };

  beforeAll(async () => {
    t = await createTestApp(kind);
    adminId = await insertUser(t.database, { username: 'admin', roles: ['admin'] });
  });
  afterAll(() => t.close());

  const loginAs = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const userCount = async () => Number((await t.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('locks an account after repeated wrong passwords (answered as a wrong password, audited as locked) until an administrator unlocks it', async () => {
    const id = await insertUser(t.database, { username: 'lisi', roles: ['engineer'] });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await loginAs('lisi', `Wrong#Password${i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 401]);

    const locked = await loginAs('lisi', STRONG_PASSWORD);
    expect(locked.statusCode).toBe(401);
    expect(locked.json().title).toBe('用户名或密码错误（连续输错多次后账号会被暂时锁定；无法登录请联系管理员）');
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', String(id)).orderBy('id').execute();
    const reasons = audit.filter((r) => r.action === 'login_failed').map((r) => JSON.parse(r.after!).reason);
    expect(reasons).toEqual([...Array(5).fill('wrong_password'), 'locked', 'locked']);
    expect(audit.filter((r) => r.action === 'lockout')).toHaveLength(1);

    const admin = await login(t.app, 'admin');
    const listed = await admin.request({ method: 'GET', url: `/api/v1/users/${id}` });
    expect(listed.json().lockedUntil).not.toBeNull();
    const unlock = await admin.request({ method: 'POST', url: `/api/v1/users/${id}/unlock` });
    expect(unlock.statusCode).toBe(200);
    expect(unlock.json().lockedUntil).toBeNull();
    expect((await loginAs('lisi', STRONG_PASSWORD)).statusCode).toBe(200);
    const unlockRow = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'unlock').executeTakeFirstOrThrow();
    expect(unlockRow).toMatchObject({ actor_id: adminId, entity: 'users', entity_id: String(id) });
    expect(JSON.parse(unlockRow.after!)).toEqual({ lockedUntil: null, failedLogins: 0 });
  });

  it('rejects a forged session and a session idle past the timeout', async () => {
    expect((await me({ cookie: 'yw_session=Zm9yZ2VkLXNlc3Npb24tdmFsdWUtdGhhdC1sb29rcy1yZWFs' })).statusCode).toBe(401);

    const s = await login(t.app, 'admin');
    expect((await me({ cookie: s.cookie })).statusCode).toBe(200);
    const idleSince = Date.now() - t.config.sessionIdleMs - 1000;
    await t.database.db.updateTable('sessions').set({ last_seen_at: idleSince }).where('user_id', '=', adminId).execute();
    const expired = await me({ cookie: s.cookie });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('unauthorized');
    // The stale session is gone for good, not just refused once.
    const token = /yw_session=([^;]+)/.exec(s.cookie)![1];
    expect(await t.database.db.selectFrom('sessions').select('id').where('id', '=', sha256(token)).execute()).toHaveLength(0);
  });

  it('refuses a cookie-authenticated write without the right CSRF token and changes nothing', async () => {
    const s = await login(t.app, 'admin');
    const before = await userCount();
    const payload = { username: 'csrf-victim', displayName: 'x', roleCodes: ['engineer'], password: STRONG_PASSWORD };
    for (const headers of [{ cookie: s.cookie }, { cookie: s.cookie, 'x-csrf-token': 'not-the-token' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('csrf');
    }
    expect(await userCount()).toBe(before);
  });

  it('accepts a valid API token without CSRF, and refuses expired, revoked and out-of-scope tokens', async () => {
    const good = await createApiToken(t.database.db, adminId, 'integration', ['*'], Date.now() + 3_600_000, cli);
    expect((await me(bearer(good.token))).json().username).toBe('admin');
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(good.token), payload: { username: 'via-token', displayName: '令牌创建', roleCodes: ['engineer'], password: STRONG_PASSWORD } });
    expect(created.statusCode).toBe(201);

    const old = await createApiToken(t.database.db, adminId, 'old', ['*'], Date.now() + 3_600_000, cli);
    await t.database.db.updateTable('api_tokens').set({ expires_at: Date.now() - 1000 }).where('id', '=', old.id).execute();
    const expired = await me(bearer(old.token));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().title).toBe('API 令牌已过期');

    const narrow = await createApiToken(t.database.db, adminId, 'read customers', ['customers.read'], null, cli);
    const before = await userCount();
    const outside = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(narrow.token), payload: { username: 'nope-user', displayName: 'x', roleCodes: ['engineer'], password: STRONG_PASSWORD } });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().title).toBe('API 令牌的范围不包含此操作（需要：users.write）');
    expect(await userCount()).toBe(before);

    const s = await login(t.app, 'admin');
    const listed = await s.request({ method: 'GET', url: '/api/v1/auth/tokens' });
    const revokeId = listed.json().items.find((x: { name: string }) => x.name === 'integration').id;
    expect((await s.request({ method: 'DELETE', url: `/api/v1/auth/tokens/${revokeId}` })).statusCode).toBe(204);
    const revoked = await me(bearer(good.token));
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().title).toBe('API 令牌无效或已撤销');
    expect((await me({ authorization: 'Bearer ywt_made-up' })).statusCode).toBe(401);
    expect((await me({ authorization: 'Basic YWRtaW46eA==' })).statusCode).toBe(401);
  });

  it('ends every session of the user on logout everywhere', async () => {
    await insertUser(t.database, { username: 'wangwu', roles: ['engineer'] });
    const a = await login(t.app, 'wangwu');
    const b = await login(t.app, 'wangwu');
    const res = await a.request({ method: 'POST', url: '/api/v1/auth/logout-all' });
    expect(res.json()).toEqual({ ended: 2 });
    expect((await me({ cookie: a.cookie })).statusCode).toBe(401);
    expect((await me({ cookie: b.cookie })).statusCode).toBe(401);
  });

  it('ends the other sessions on a password change and keeps the one that changed it', async () => {
    await insertUser(t.database, { username: 'zhaoliu', roles: ['engineer'] });
    const here = await login(t.app, 'zhaoliu');
    const elsewhere = await login(t.app, 'zhaoliu');
    const weak = await here.request({ method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: STRONG_PASSWORD, newPassword: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect((await me({ cookie: elsewhere.cookie })).statusCode).toBe(200);

    const changed = await here.request({ method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: STRONG_PASSWORD, newPassword: 'Another#Strong2027' } });
    expect(changed.statusCode).toBe(204);
    expect((await me({ cookie: here.cookie })).statusCode).toBe(200);
    expect((await me({ cookie: elsewhere.cookie })).statusCode).toBe(401);
    expect((await loginAs('zhaoliu', STRONG_PASSWORD)).statusCode).toBe(401);
    expect((await loginAs('zhaoliu', 'Another#Strong2027')).statusCode).toBe(200);
  });

  it('leaves an intact audit chain', async () => {
    expect(await verifyChain(t.database.db)).toMatchObject({ ok: true });
  });
});

describeDb('login rate limit', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { LOGIN_RATE_PER_MINUTE: '3' });
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
  });
  afterAll(() => t.close());

  it('answers 429 with retry-after once a client exceeds the logins per minute, right password or not', async () => {
    const codes: number[] = [];
    for (const password of ['Wrong#Password1', STRONG_PASSWORD, 'Wrong#Password2']) {
      codes.push((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password } })).statusCode);
    }
    expect(codes).toEqual([401, 200, 401]);
    const limited = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: STRONG_PASSWORD }, headers: { 'accept-language': 'en-US' } });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().title).toMatch(/^Too many requests; retry in \d+ seconds$/);
  });
});
