import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type TestApp } from '../../test/harness.js';

/** GET /api/v1/auth/session: the web app's "am I logged in?" that never answers 401 (#10 item 18). */
describeDb('auth session probe', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'probe_admin', roles: ['admin'], displayName: '探针管理员' });
  });
  afterAll(() => t.close());

  it('answers 200 {user: null} without a session, with an unknown one and with an ended one', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session' });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ user: null });

    const forged = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: 'yw_session=forged-value' } });
    expect(forged.statusCode).toBe(200);
    expect(forged.json()).toEqual({ user: null });

    const s = await login(t.app, 'probe_admin');
    expect((await s.request({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
    const ended = await s.request({ method: 'GET', url: '/api/v1/auth/session' });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toEqual({ user: null });
  });

  it('answers the logged-in user exactly as GET /auth/me does', async () => {
    const s = await login(t.app, 'probe_admin');
    const session = await s.request({ method: 'GET', url: '/api/v1/auth/session' });
    const me = await s.request({ method: 'GET', url: '/api/v1/auth/me' });
    expect(session.statusCode).toBe(200);
    expect(me.statusCode).toBe(200);
    expect(session.json()).toEqual({ user: me.json() });
    expect(session.json().user).toMatchObject({ username: 'probe_admin', displayName: '探针管理员', roles: ['admin'] });
  });

  it('does not read bearer tokens (scripts ask /auth/me) and is documented as public', async () => {
    const bearer = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { authorization: 'Bearer yw_not-a-token' } });
    expect(bearer.statusCode).toBe(200);
    expect(bearer.json()).toEqual({ user: null });
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/v1/auth/session'].get;
    expect(Object.keys(op.responses)).not.toContain('401');
  });
});
