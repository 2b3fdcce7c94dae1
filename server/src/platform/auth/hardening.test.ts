import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, describeDb, insertUser, login, STRONG_PASSWORD, type TestApp } from '../../test/harness.js';
import { verifyChain } from '../audit/service.js';
import type { ZApp } from '../http/context.js';
import { sendProblem, toAppError } from '../http/errors.js';
import { ADDRESSES_PER_WINDOW, isMilestone, noteSecurityEvent } from './events.js';
import { checkPasswordPolicy, isCommonPassword } from './password.js';
import { registerAuthHook, routeAccess } from './plugin.js';
import { AuthService, createApiToken } from './service.js';

/** Issue #9, items 1, 3, 4 and 10: token scopes on every route, route-based auth, lockout races, login hygiene. */
const cli = { userId: null, name: 'test', ip: null };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describeDb('API token scopes on every route', (kind) => {
  let t: TestApp;
  let userId: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    userId = await insertUser(t.database, { username: 'tokenowner', roles: ['admin'] });
  });
  afterAll(() => t.close());

  const tokenCount = async () => (await t.database.db.selectFrom('api_tokens').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute()).length;

  it('a token limited to tickets.read reaches none of the account and credential routes', async () => {
    const narrow = await createApiToken(t.database.db, userId, 'tickets only', ['tickets.read'], null, cli);
    const other = await createApiToken(t.database.db, userId, 'other', ['tickets.read'], null, cli);
    const session = await login(t.app, 'tokenowner');
    const before = await tokenCount();
    const call = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, headers: bearer(narrow.token), payload });

    const minted = await call('POST', '/api/v1/auth/tokens', { name: 'wider', scopes: ['*'] });
    expect(minted.statusCode).toBe(403);
    expect(minted.json().code).toBe('session_only');
    expect((await call('PATCH', '/api/v1/auth/me', { displayName: 'pwned' })).json()).toMatchObject({ status: 403, code: 'forbidden', title: 'API 令牌的范围不包含此操作（需要：account）' });
    expect((await call('PUT', '/api/v1/notifications/prefs', { prefs: [] })).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/auth/logout-all')).statusCode).toBe(403);
    expect((await call('DELETE', `/api/v1/auth/tokens/${other.id}`)).statusCode).toBe(403);
    // Refused before the current password is even checked (a 400 would confirm a guess).
    const password = await call('POST', '/api/v1/auth/password', { currentPassword: 'guess', newPassword: 'Another#Strong2027' });
    expect(password.json().code).toBe('session_only');

    expect(await tokenCount()).toBe(before);
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    expect((await t.database.db.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirstOrThrow()).display_name).toBe('tokenowner');
    // Its own permission still works, and every token may ask who it is.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: bearer(narrow.token) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(narrow.token) })).json().username).toBe('tokenowner');
  });

  it('`*` covers permissions, not the account; `account` covers profile and inbox, never credentials', async () => {
    const all = await createApiToken(t.database.db, userId, 'all', ['*'], null, cli);
    const acct = await createApiToken(t.database.db, userId, 'account', ['account'], null, cli);
    const as = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url, headers: bearer(token), payload });

    expect((await as(all.token, 'PATCH', '/api/v1/auth/me', { locale: 'en-US' })).statusCode).toBe(403);
    expect((await as(all.token, 'GET', '/api/v1/notifications')).statusCode).toBe(403);
    expect((await as(all.token, 'POST', '/api/v1/auth/tokens', { name: 'x', scopes: ['tickets.read'] })).statusCode).toBe(403);

    expect((await as(acct.token, 'PATCH', '/api/v1/auth/me', { locale: 'en-US' })).json().locale).toBe('en-US');
    expect((await as(acct.token, 'GET', '/api/v1/notifications')).statusCode).toBe(200);
    expect((await as(acct.token, 'GET', '/api/v1/auth/tokens')).json().code).toBe('session_only');
    expect((await as(acct.token, 'POST', '/api/v1/auth/tokens', { name: 'x', scopes: ['account'] })).json().code).toBe('session_only');
    expect((await as(acct.token, 'GET', '/api/v1/customers')).json().code).toBe('forbidden');
  });

  it('a session creates tokens with the account scope, and only with scopes its user holds', async () => {
    await insertUser(t.database, { username: 'engineer1', roles: ['engineer'] });
    const s = await login(t.app, 'engineer1');
    const ok = await s.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'inbox', scopes: ['account', 'tickets.read'] } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().scopes).toEqual(['account', 'tickets.read']);
    const wider = await s.request({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'users', scopes: ['users.write'] } });
    expect(wider.json().errors[0]).toMatchObject({ field: 'scopes[0]', code: 'invalid' });
  });
});

describe('routeAccess: decided on the matched route, denied unless declared', () => {
  it('opens only public routes, unmatched requests and undeclared routes outside /api/', () => {
    expect(routeAccess(undefined, {})).toEqual({ kind: 'open' });
    expect(routeAccess('/api/v1/auth/login', { public: true })).toEqual({ kind: 'open' });
    expect(routeAccess('/assets/app.js', {})).toEqual({ kind: 'open' });
    expect(routeAccess('/api/v1/jobs', { permission: 'jobs.manage' })).toEqual({ kind: 'permission', permission: 'jobs.manage' });
    expect(routeAccess('/api/v1/auth/me', { self: 'identity' })).toEqual({ kind: 'self', self: 'identity' });
    expect(routeAccess('/api/v1/anything', {})).toEqual({ kind: 'undeclared' });
    expect(routeAccess('/api/docs/json', { bodyLimitLabel: '1 MB' })).toEqual({ kind: 'undeclared' });
  });
});

describeDb('authentication on the matched route', (kind) => {
  let t: TestApp;
  let adminId: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    adminId = await insertUser(t.database, { username: 'admin', roles: ['admin'] });
  });
  afterAll(() => t.close());

  it('an encoded path reaches no route without credentials', async () => {
    const encoded = [
      '/api/%761/jobs',
      '/%61pi/v1/jobs',
      '/api/v%31/calendars',
      '/api/v1/calendars/24x7/ic%73',
      '/api/%76%31/sla/templates',
      '/api/v1/contacts/import-template.xls%78',
      '/api/v1/auth/m%65',
      '/api/v1/notification%73',
    ];
    for (const url of encoded) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, 401]);
    }
    const s = await login(t.app, 'admin');
    expect((await s.request({ method: 'GET', url: '/api/%761/jobs' })).statusCode).toBe(200);
  });

  it('an encoded path does not skip CSRF for a cookie session', async () => {
    const s = await login(t.app, 'admin');
    const res = await t.app.inject({ method: 'PATCH', url: '/%61pi/v1/auth/me', headers: { cookie: s.cookie }, payload: { displayName: 'csrf' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf');
    expect((await t.database.db.selectFrom('users').select('display_name').where('id', '=', adminId).executeTakeFirstOrThrow()).display_name).toBe('admin');
  });

  it('the docs page and the health check stay public; an unknown route is a 404', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route' })).statusCode).toBe(404);
  });

  it('refuses a route under /api/ that declares nothing, to sessions and tokens alike', async () => {
    const mini = Fastify();
    await mini.register(cookie);
    mini.setErrorHandler((err, request, reply) => sendProblem(reply, toAppError(err, request)!, 'zh-CN'));
    registerAuthHook(mini as unknown as ZApp, new AuthService(t.database.db, t.config));
    mini.get('/api/v1/undeclared', async () => ({ reached: true }));
    mini.get('/api/v1/declared', { config: { self: 'identity' } }, async () => ({ reached: true }));
    await mini.ready();
    try {
      const s = await login(t.app, 'admin');
      const all = await createApiToken(t.database.db, adminId, 'all', ['*'], null, cli);
      for (const headers of [{ cookie: s.cookie }, bearer(all.token)]) {
        const res = await mini.inject({ method: 'GET', url: '/api/v1/undeclared', headers });
        expect(res.statusCode).toBe(403);
        expect(res.json().code).toBe('route_undeclared');
        expect((await mini.inject({ method: 'GET', url: '/api/v1/declared', headers })).json()).toEqual({ reached: true });
      }
      expect((await mini.inject({ method: 'GET', url: '/api/v1/undeclared' })).statusCode).toBe(401);
    } finally {
      await mini.close();
    }
  });
});

describeDb('lockout under parallel guesses', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { LOGIN_RATE_PER_MINUTE: '1000' });
  });
  afterAll(() => t.close());

  const guess = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  const failures = async (userId: number) => {
    const rows = await t.database.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', String(userId)).execute();
    const reasons = rows.filter((r) => r.action === 'login_failed').map((r) => JSON.parse(r.after!).reason as string);
    return { checked: reasons.filter((r) => r === 'wrong_password').length, refused: reasons.filter((r) => r === 'locked').length, lockouts: rows.filter((r) => r.action === 'lockout').length, logins: rows.filter((r) => r.action === 'login').length };
  };

  it('40 parallel wrong passwords: at most the limit (5) are checked, the rest refused as locked', async () => {
    const id = await insertUser(t.database, { username: 'burst40', roles: ['engineer'] });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => guess('burst40', `Wrong#Guess-${i}`)));
    expect(new Set(answers.map((a) => a.statusCode))).toEqual(new Set([401]));
    const f = await failures(id);
    expect(f.checked).toBe(5);
    expect(f.refused).toBe(35);
    expect(f.lockouts).toBe(1);
    expect((await guess('burst40', STRONG_PASSWORD)).statusCode).toBe(401);
  });

  it('the right password inside a parallel burst logs in only as one of the first (limit) checked guesses', async () => {
    const id = await insertUser(t.database, { username: 'burst30', roles: ['engineer'] });
    const passwords = Array.from({ length: 30 }, (_, i) => (i === 25 ? STRONG_PASSWORD : `Wrong#Guess-${i}`));
    const answers = await Promise.all(passwords.map((p) => guess('burst30', p)));
    const f = await failures(id);
    expect(f.checked + f.logins).toBeLessThanOrEqual(5);
    expect(f.checked + f.logins + f.refused).toBe(30);
    expect(answers[25].statusCode).toBe(f.logins ? 200 : 401);
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(f.logins);
  });
});

describeDb('login and password hygiene', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { LOGIN_RATE_PER_MINUTE: '1000' });
    await insertUser(t.database, { username: 'present', roles: ['engineer'] });
    const locked = await insertUser(t.database, { username: 'lockeduser', roles: ['engineer'] });
    await t.database.db.updateTable('users').set({ locked_until: Date.now() + 600_000 }).where('id', '=', locked).execute();
    const disabled = await insertUser(t.database, { username: 'gone', roles: ['engineer'] });
    await t.database.db.updateTable('users').set({ disabled: 1 }).where('id', '=', disabled).execute();
  });
  afterAll(() => t.close());

  const attempt = async (username: string, password: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { 'accept-language': 'en-US' } });
    const { instance: _instance, ...body } = res.json();
    return { status: res.statusCode, body };
  };

  it('answers unknown, locked and disabled accounts, right password or wrong, as a wrong password', async () => {
    const wrong = await attempt('present', 'Wrong#Password1');
    expect(wrong.status).toBe(401);
    for (const [username, password] of [
      ['nobody-here', STRONG_PASSWORD],
      ['lockeduser', STRONG_PASSWORD],
      ['lockeduser', 'Wrong#Password1'],
      ['gone', STRONG_PASSWORD],
      ['gone', 'Wrong#Password1'],
    ]) {
      expect([username, await attempt(username, password)]).toEqual([username, wrong]);
    }
    const reasons = await t.database.db.selectFrom('audit_log').select(['actor_name', 'after']).where('action', '=', 'login_failed').orderBy('id').execute();
    expect(reasons.map((r) => [r.actor_name, JSON.parse(r.after!).reason])).toEqual([
      ['present', 'wrong_password'],
      ['nobody-here', 'unknown_user'],
      ['lockeduser', 'locked'],
      ['lockeduser', 'locked'],
      ['gone', 'disabled'],
      ['gone', 'disabled'],
    ]);
  });

  it('refuses the current password, a common one and one padded with whitespace as the new password', async () => {
    const s = await login(t.app, 'present');
    const change = (newPassword: string) => s.request({ method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: STRONG_PASSWORD, newPassword } });
    const codes = async (newPassword: string) => (await change(newPassword)).json().errors.map((e: { code: string }) => e.code);
    expect(await codes(STRONG_PASSWORD)).toEqual(['password.sameAsCurrent']);
    expect(await codes('Password#2026')).toEqual(['password.common']);
    expect(await codes(' Another#Strong2027')).toEqual(['password.whitespace']);
    expect(await codes('Another#Strong2027\t')).toEqual(['password.whitespace']);
    expect((await change('Another#Strong2027')).statusCode).toBe(204);
  });

  it('an administrator cannot set a common or padded password either', async () => {
    await insertUser(t.database, { username: 'boss', roles: ['admin'] });
    const s = await login(t.app, 'boss');
    const res = await s.request({ method: 'POST', url: '/api/v1/users', payload: { username: 'newbie', displayName: '新人', roleCodes: ['engineer'], password: 'Qwertyuiop1!' } });
    expect(res.json().errors.map((e: { code: string }) => e.code)).toContain('password.common');
  });
});

describe('password policy', () => {
  const policy = { minLength: 11, classes: ['upper', 'lower', 'digit', 'symbol'] as Array<'upper' | 'lower' | 'digit' | 'symbol'> };
  it('knows common passwords, also decorated to meet the class rules', () => {
    expect(isCommonPassword('password')).toBe(true);
    expect(isCommonPassword('P@ssw0rd')).toBe(true);
    expect(isCommonPassword('Iloveyou2026!')).toBe(true);
    expect(isCommonPassword('Yunwei#2026-Strong')).toBe(false);
    expect(isCommonPassword('工单系统#2026运维')).toBe(false);
  });
  it('reports whitespace padding and common passwords with the other rules', () => {
    expect(checkPasswordPolicy(policy, STRONG_PASSWORD)).toEqual([]);
    expect(checkPasswordPolicy(policy, ' Yunwei#2026-Strong ').map((p) => p.code)).toEqual(['password.whitespace']);
    expect(checkPasswordPolicy(policy, 'Letmein#2026').map((p) => p.code)).toEqual(['password.common']);
    // Inner spaces are a passphrase, not padding.
    expect(checkPasswordPolicy(policy, 'Blue Horse#2026 Battery')).toEqual([]);
  });
});

describeDb('security events: audited, aggregated', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { LOGIN_RATE_PER_MINUTE: '1' });
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
  });
  afterAll(() => t.close());
  afterEach(() => vi.useRealTimers());

  const rows = (action: string) => t.database.db.selectFrom('audit_log').select(['ip', 'after']).where('action', '=', action).orderBy('id').execute();

  it('writes a row at the 1st, 10th, 100th event of a kind, address and minute, counting all', async () => {
    const minute = Date.UTC(2026, 10, 2, 8, 0, 0);
    const who = { userId: null, name: 'bearer', ip: '203.0.113.9' };
    for (let i = 0; i < 120; i++) await noteSecurityEvent(t.database.db, 'token_invalid', who, { reason: 'unknown' }, minute + i * 100);
    await noteSecurityEvent(t.database.db, 'token_invalid', who, { reason: 'unknown' }, minute + 60_000);
    const audit = (await rows('token_invalid')).map((r) => JSON.parse(r.after!));
    expect(audit.map((a) => a.countInWindow)).toEqual([1, 10, 100, 1]);
    expect(audit[0]).toMatchObject({ reason: 'unknown', windowStart: '2026-11-02T08:00:00.000Z', windowSeconds: 60 });
    expect(isMilestone(1000) && isMilestone(10) && !isMilestone(20) && !isMilestone(101)).toBe(true);
  });

  it('gives many addresses one shared counter past the per-window limit', async () => {
    const minute = Date.UTC(2026, 10, 2, 9, 0, 0);
    for (let i = 0; i < ADDRESSES_PER_WINDOW + 15; i++) await noteSecurityEvent(t.database.db, 'csrf_refused', { userId: null, name: 'x', ip: `198.51.100.${i}` }, {}, minute + i);
    const audit = (await rows('csrf_refused')).map((r) => JSON.parse(r.after!));
    expect(audit).toHaveLength(ADDRESSES_PER_WINDOW + 2);
    expect(audit.filter((a) => a.addresses === 'many').map((a) => a.countInWindow)).toEqual([1, 10]);
  });

  it('audits rate-limited logins, CSRF refusals and invalid bearer tokens from requests', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 10, 3, 8, 0, 0));
    const s = await login(t.app, 'admin');
    for (let i = 0; i < 12; i++) await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: STRONG_PASSWORD } });
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: s.cookie }, payload: { locale: 'en-US' } });
    for (const authorization of ['Bearer ywt_made-up', 'Basic YWRtaW46eA==', 'Bearer ywt_made-up']) await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization } });

    expect((await rows('login_rate_limited')).map((r) => JSON.parse(r.after!).countInWindow)).toEqual([1, 10]);
    expect((await rows('csrf_refused')).filter((r) => r.ip === '127.0.0.1').map((r) => JSON.parse(r.after!))).toEqual([
      expect.objectContaining({ method: 'PATCH', route: '/api/v1/auth/me', countInWindow: 1 }),
    ]);
    expect((await rows('token_invalid')).filter((r) => r.ip === '127.0.0.1').map((r) => JSON.parse(r.after!).reason)).toEqual(['unknown']);
    expect(await verifyChain(t.database.db)).toMatchObject({ ok: true });
  });
});
