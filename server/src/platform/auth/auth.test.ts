import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, STRONG_PASSWORD, type TestApp } from '../../test/harness.js';
import { verifyChain } from '../audit/service.js';

describeDb('auth', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
  });
  afterAll(() => t.close());

  it('logs in with a cookie session and answers /auth/me', async () => {
    const s = await login(t.app, 'admin');
    const me = await s.request({ method: 'GET', url: '/api/v1/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'admin', roles: ['admin'], customerId: null });
    expect(me.json().permissions).toContain('customers.write');
  });

  it('refuses a wrong password in the caller\'s language and audits it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'nope' }, headers: { 'accept-language': 'en-US' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().title).toBe('Wrong username or password (repeated failures lock the account for a while; ask an administrator if you cannot log in)');
    const rows = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'login_failed').execute();
    expect(rows.length).toBeGreaterThan(0);
    expect((await verifyChain(t.database.db)).ok).toBe(true);
  });

  it('requires a login for the API and rejects a forged session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    const forged = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: 'yw_session=forged-value' } });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().title).toBe('会话已过期，请重新登录');
  });

  it('rejects a cookie-authenticated write without the CSRF token', async () => {
    const s = await login(t.app, 'admin');
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: s.cookie }, payload: { locale: 'en-US' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf');
    const me = await s.request({ method: 'GET', url: '/api/v1/auth/me' });
    expect(me.json().locale).toBe('zh-CN');
  });

  it('locks the account after five failures, for everyone including the right password, answering as for a wrong password', async () => {
    await insertUser(t.database, { username: 'victim', roles: ['engineer'] });
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'victim', password: `wrong-${i}` } });
      expect(r.statusCode).toBe(401);
    }
    const sixth = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'victim', password: STRONG_PASSWORD } });
    expect(sixth.statusCode).toBe(401);
    expect(sixth.json()).toMatchObject({ code: 'invalid_credentials', title: expect.stringMatching(/^用户名或密码错误/) });
    const lockouts = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'lockout').execute();
    expect(lockouts).toHaveLength(1);
  });
});

describeDb('health and metrics', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('reports the database in /healthz and requests, latency, pool and jobs in /metrics', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', database: kind });
    await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/yunwei_http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="401"\} 1/);
    expect(metrics.body).toContain('yunwei_http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/yunwei_db_pool_connections\{state="total"\} \d+/);
    expect(metrics.body).toMatch(/yunwei_jobs\{status="failed"\} 0/);
  });

  it('serves the OpenAPI document and its docs page', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    expect(Object.keys(doc.json().paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/customers', '/api/v1/calendars/{id}/deadline']));
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });
});
