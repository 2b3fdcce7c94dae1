import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../test/harness.js';
import { buildWorld, probesFor, routePermissions, SELF_ENDING, type World } from './fixture.js';
import { loadOpenApi, type Operation } from './openapi-client.js';

/**
 * Authentication and CSRF are decided on the route Fastify matched, never on the raw URL: every
 * path of the OpenAPI document (ids of customer A's real records), with each segment — `api` and
 * `v1` included — written otherwise: one character percent-encoded (upper and lower hex), all of
 * them, double-encoded, with `;param`, after `//`, `/./` or `/x/../`, and with a trailing slash.
 * Each variant is sent
 *
 * - without credentials: never 5xx, and never 2xx unless the operation is public (`security: []`);
 * - with customer A's user's session (and CSRF header): never 5xx, and never 2xx for an
 *   operation whose permission a customer user lacks;
 * - for writes, with the administrator's session but without the CSRF header: never 2xx, never 5xx.
 *
 * A GET of such a spelling (`//api/…`, `/%2561pi/…`, `/api;x=1/…`) is no route and no page of
 * the web app either: the not-found handler answers 404, not the web app's index.html (which
 * only plain page paths get). Any index.html answer is counted and fails the walk.
 */

const enc = (ch: string, lower = false) => {
  const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${lower ? hex.toLowerCase() : hex.toUpperCase()}`;
};

/** The path written otherwise, segment by segment: [label, path]. */
export function pathVariants(path: string): Array<[string, string]> {
  const segs = path.split('/');
  const out: Array<[string, string]> = [['plain', path], ['trailing slash', `${path}/`]];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i];
    const at = (v: string) => [...segs.slice(0, i), v, ...segs.slice(i + 1)].join('/');
    const before = (v: string) => [...segs.slice(0, i), v, ...segs.slice(i)].join('/');
    out.push(
      [`seg ${i} first char %XX`, at(enc(s[0]) + s.slice(1))],
      [`seg ${i} last char %xx`, at(s.slice(0, -1) + enc(s[s.length - 1], true))],
      [`seg ${i} all encoded`, at([...s].map((c) => enc(c)).join(''))],
      [`seg ${i} double-encoded`, at(`%25${enc(s[0]).slice(1)}${s.slice(1)}`)],
      [`seg ${i} ;param`, at(`${s};x=1`)],
      [`seg ${i} after //`, before('')],
      [`seg ${i} after /./`, before('.')],
      [`seg ${i} after /x/../`, before('x/..')],
    );
  }
  return out;
}

describeDb('security: encoded paths', (kind) => {
  let w: World;
  const failures: string[] = [];
  const statuses = new Map<string, Map<number, number>>();
  let requests = 0;
  let shellAnswers = 0;

  const tally = (who: string, status: number) => {
    const m = statuses.get(who) ?? new Map<number, number>();
    m.set(status, (m.get(status) ?? 0) + 1);
    statuses.set(who, m);
  };

  beforeAll(async () => {
    const started = Date.now();
    w = await buildWorld(kind);
    const doc = await loadOpenApi(w.app);
    const ops = doc.operations.filter((op) => !SELF_ENDING.has(op.key));
    const permissionOf = await routePermissions(w, ops);
    const customer = w.actors.a_user;
    const admin = w.actors.admin;
    // A path that is no route and does not start with /api/ is a page of the web app: the not-found
    // handler answers its index.html (client-side routing). That shell holds no data; anything
    // else answering 2xx does.
    const shell = await w.app.inject({ method: 'GET', url: '/no-such-page' });
    const isShell = (opts: InjectOptions, res: LightMyRequestResponse) =>
      opts.method === 'GET' && res.statusCode === 200 && String(res.headers['content-type']).startsWith('text/html') && shell.statusCode === 200 && res.body === shell.body;
    const check = (who: string, op: Operation, label: string, opts: InjectOptions, res: LightMyRequestResponse, no2xx: boolean) => {
      requests++;
      if (isShell(opts, res)) {
        shellAnswers++;
        tally(who, 0);
        return;
      }
      tally(who, res.statusCode);
      if (res.statusCode >= 500 || (no2xx && res.statusCode < 300)) failures.push(`${who}: ${opts.method} ${opts.url} (${op.key}, ${label}) → ${res.statusCode} ${res.body.slice(0, 160)}`);
    };
    for (const op of ops) {
      const [template] = await probesFor(w, op, [], true);
      const [path, search = ''] = String(template.options.url).split('?');
      // No alert-source token: the intake must then refuse (401) whatever the path looks like.
      const query = new URLSearchParams(search);
      query.delete('token');
      const qs = query.toString() ? `?${query}` : '';
      const needs = permissionOf.get(op.key) ?? null;
      const customerLacks = needs !== null && !customer.permissions.has(needs);
      const write = op.method !== 'GET';
      for (const [label, variant] of pathVariants(path)) {
        const base = { ...template.options, url: variant + qs } as InjectOptions;
        const anon = await w.app.inject(base);
        // A public operation (the document's `security: []`) may answer anyone, whatever the spelling.
        check('anonymous', op, label, base, anon, !op.isPublic);
        const own = await w.app.inject({ ...base, headers: { ...(base.headers as object), cookie: customer.session!.cookie, 'x-csrf-token': customer.session!.csrf } });
        check('customer user', op, label, base, own, customerLacks);
        if (write) {
          const noCsrf = await w.app.inject({ ...base, headers: { ...(base.headers as object), cookie: admin.session!.cookie } });
          check('admin without CSRF', op, label, base, noCsrf, true);
        }
      }
    }
    const summary = [...statuses].map(([who, m]) => `${who} {${[...m].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ')}}`).join('; ');
    console.log(`encoded-paths [${kind}]: ${requests} requests over ${ops.length} operations, ${failures.length} failures, ${shellAnswers} answered by the web app's index.html (status 0 below), ${((Date.now() - started) / 1000).toFixed(1)} s; ${summary}`);
  }, 600_000);

  afterAll(async () => {
    await w?.close();
  });

  it('walks every operation with every variant', () => {
    expect(requests).toBeGreaterThan(5000);
  });

  it('answers no variant with the web app\'s index.html: an API spelling is an API miss', () => {
    expect(shellAnswers).toBe(0);
  });

  it('answers no 2xx without credentials or CSRF header, none where the customer lacks the permission, and no 5xx', () => {
    expect(failures, `${failures.length} failures:\n${failures.slice(0, 40).join('\n')}`).toEqual([]);
  });
});
