import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

/** The directives of a Content-Security-Policy header, by name. */
function csp(res: LightMyRequestResponse): Record<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

function expectWebPage(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  const policy = csp(res);
  expect(policy['default-src']).toEqual(["'self'"]);
  expect(policy['script-src']).toEqual(["'self'"]); // no 'unsafe-inline', no 'unsafe-eval'
  expect(policy['script-src-attr']).toEqual(["'none'"]);
  expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]); // antd's CSS-in-JS <style> elements
  expect(policy['img-src']).toEqual(["'self'", 'data:', 'blob:']);
  expect(policy['connect-src']).toEqual(["'self'"]);
  expect(policy['frame-ancestors']).toEqual(["'none'"]);
  expect(policy['object-src']).toEqual(["'none'"]);
  expect(policy['base-uri']).toEqual(["'self'"]);
  expect(policy['form-action']).toEqual(["'self'"]);
  // Served over plain HTTP on intranets: neither may be there.
  expect(policy).not.toHaveProperty('upgrade-insecure-requests');
  expect(res.headers).not.toHaveProperty('strict-transport-security');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
}

function expectApi(res: LightMyRequestResponse) {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['cache-control']).toMatch(/no-store/);
  // Framable by the app itself (the report's PDF preview), and no other CSP: Chromium's PDF viewer breaks under one.
  expect(res.headers['content-security-policy']).toBe("frame-ancestors 'self'");
  expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
}

describeDb('security headers', (kind) => {
  let t: TestApp;
  let admin: Session;
  let web: string;

  beforeAll(async () => {
    // A stand-in for web/dist: the app serves whatever is there.
    web = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-web-'));
    fs.mkdirSync(path.join(web, 'assets'));
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>');
    fs.writeFileSync(path.join(web, 'assets', 'index-abc123.js'), 'console.log(1)');
    t = await createTestApp(kind, { WEB_DIST: web });
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    admin = await login(t.app, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(web, { recursive: true, force: true });
  });

  test('the web app: its CSP, no framing, nosniff, referrer kept on the site', async () => {
    for (const url of ['/', '/login', '/workspace', '/tickets/12', '/portal']) {
      const res = await t.app.inject({ method: 'GET', url });
      expectWebPage(res);
      expect(res.headers['referrer-policy'], url).toBe('same-origin');
    }
  });

  test('the confirmation-link page and its API send no referrer (the token is in the address)', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/c/some-token.abc' });
    expectWebPage(page);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/public/confirm/some-token.abc' });
    expect(api.statusCode).toBeGreaterThanOrEqual(400);
    expectApi(api);
    expect(api.headers['referrer-policy']).toBe('no-referrer');
  });

  test('the API: nosniff, no-store, framed only by the app; errors too', async () => {
    const me = await admin.request({ method: 'GET', url: '/api/v1/auth/me' });
    expect(me.statusCode).toBe(200);
    expectApi(me);
    expect(me.headers['referrer-policy']).toBe('same-origin');
    expectApi(await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' })); // 401
    expectApi(await t.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
    expect(missing.headers['cache-control']).toBe('no-store');
    // Refused at the edge, before any route ran: the same headers.
    const tooBig = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { 'content-type': 'application/json', 'content-length': String(t.config.bodyLimit + 1) }, payload: '' });
    expect(tooBig.statusCode).toBe(413);
    expectApi(tooBig);
  });

  test('hashed assets keep their caching', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).not.toMatch(/no-store/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test('Swagger UI loads under the web policy: no inline script, its files are there', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expectWebPage(page);
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(inline.trim()).toBe('');
      const src = /src="([^"]+)"/.exec(attrs)![1];
      const file = await t.app.inject({ method: 'GET', url: new URL(src, 'http://x/api/docs/').pathname });
      expect(file.statusCode, src).toBe(200);
    }
    const init = await t.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    expect(init.body).toMatch(/validatorUrl: null/); // no badge from validator.swagger.io (img-src would refuse it)
  });
});

test('web/index.html has no inline script (script-src \'self\')', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const html = fs.readFileSync(path.resolve(here, '../../../../web/index.html'), 'utf8');
  for (const [, attrs, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    expect(attrs).toMatch(/\bsrc=/);
    expect(body.trim()).toBe('');
  }
  expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either
});
