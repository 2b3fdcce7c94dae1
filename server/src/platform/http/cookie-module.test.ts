import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import Fastify from 'fastify';
import cookiePlugin from '@fastify/cookie';
import { describe, expect, it } from 'vitest';

/**
 * The `cookie` package under @fastify/cookie and light-my-request (#10 item 21). Both ask for
 * cookie ^2, whose every 2.0.x declares Node >= 22 (npm ci warned on Node 20); the root
 * package.json overrides it to cookie ^1.1.1 (Node >= 18), which exports the same functions they
 * call — parseCookie and stringifySetCookie. This checks, on the Node running the tests, that the
 * installed module is the one that supports it and behaves as the session cookies need.
 */
const fromFastifyCookie = createRequire(createRequire(import.meta.url).resolve('@fastify/cookie'));
const cookieEntry = fromFastifyCookie.resolve('cookie');
const cookie = fromFastifyCookie('cookie') as {
  parseCookie(header: string, options?: { decode?: (s: string) => string }): Record<string, string | undefined>;
  stringifySetCookie(c: Record<string, unknown>, options?: { encode?: (s: string) => string }): string;
};

function packageJsonOf(entry: string): { version: string; engines?: { node?: string } } {
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== 'cookie') dir = path.dirname(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/** ">=18" against "v20.20.2": the engines forms cookie uses (a lower bound on the major). */
function supportsNode(range: string, version: string): boolean {
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range.trim());
  if (!m) return false;
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > Number(m[1]) || (major === Number(m[1]) && minor >= Number(m[2] ?? 0));
}

describe('the cookie module on this Node', () => {
  it('is a version whose engines include the running Node (the override to cookie 1.x)', () => {
    const pkg = packageJsonOf(cookieEntry);
    expect(pkg.version).toMatch(/^1\./);
    expect(supportsNode(pkg.engines?.node ?? '', process.version), `cookie ${pkg.version} engines ${pkg.engines?.node} on ${process.version}`).toBe(true);
    // light-my-request (fastify.inject) resolves the same copy
    const fromLmr = createRequire(createRequire(import.meta.url).resolve('fastify')).resolve('light-my-request');
    expect(createRequire(fromLmr).resolve('cookie')).toBe(cookieEntry);
  });

  it('parses Cookie headers: several pairs, spaces, quotes, encoded values, duplicates, junk', () => {
    expect(cookie.parseCookie('yw_session=abc; yw_csrf=def')).toEqual({ yw_session: 'abc', yw_csrf: 'def' });
    expect(cookie.parseCookie('  a = 1 ;b=2;;  c=3  ')).toMatchObject({ a: '1', b: '2', c: '3' });
    expect(cookie.parseCookie('q="quoted value"').q).toBe('"quoted value"'); // quotes are the value's (the session cookies never have any)
    expect(cookie.parseCookie('n=%E8%BF%90%E7%BB%B4').n).toBe('运维');
    expect(cookie.parseCookie('bad=%E0%A4%A').bad).toBe('%E0%A4%A'); // an undecodable value is kept as sent
    expect(cookie.parseCookie('dup=first; dup=second').dup).toBe('first');
    expect(cookie.parseCookie('novalue; x=1')).toMatchObject({ x: '1' });
    expect(cookie.parseCookie('')).toEqual({});
  });

  it('serializes Set-Cookie the way the session cookies are set and cleared', () => {
    const set = cookie.stringifySetCookie({ name: 'yw_session', value: 'tok_AZaz09-_', path: '/', httpOnly: true, sameSite: 'lax', secure: true, maxAge: 604800 });
    expect(set).toBe('yw_session=tok_AZaz09-_; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax');
    const cleared = cookie.stringifySetCookie({ name: 'yw_csrf', value: '', path: '/', expires: new Date(0) });
    expect(cleared).toBe('yw_csrf=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(cookie.stringifySetCookie({ name: 'n', value: '运维 a;b' })).toBe('n=%E8%BF%90%E7%BB%B4%20a%3Bb');
    expect(() => cookie.stringifySetCookie({ name: 'bad name', value: 'x' })).toThrow(TypeError);
    expect(() => cookie.stringifySetCookie({ name: 'n', value: 'x', maxAge: 1.5 })).toThrow(TypeError);
    expect(() => cookie.stringifySetCookie({ name: 'n', value: 'x', sameSite: 'sideways' })).toThrow(TypeError);
  });

  it('works end to end through @fastify/cookie and fastify.inject (light-my-request)', async () => {
    const app = Fastify();
    await app.register(cookiePlugin);
    app.get('/set', async (_request, reply) => {
      reply.setCookie('yw_session', 'tok-1', { path: '/', httpOnly: true, sameSite: 'lax' });
      reply.setCookie('note', '运维 a;b', { path: '/' });
      return { ok: true };
    });
    app.get('/read', async (request) => request.cookies);
    app.get('/clear', async (_request, reply) => {
      reply.clearCookie('yw_session', { path: '/' });
      return { ok: true };
    });
    try {
      const set = await app.inject({ method: 'GET', url: '/set' });
      expect(set.headers['set-cookie']).toEqual(['yw_session=tok-1; Path=/; HttpOnly; SameSite=Lax', 'note=%E8%BF%90%E7%BB%B4%20a%3Bb; Path=/; SameSite=Lax']);
      expect(set.cookies.map((c) => [c.name, c.value])).toEqual([
        ['yw_session', 'tok-1'],
        ['note', '运维 a;b'],
      ]);
      const read = await app.inject({ method: 'GET', url: '/read', cookies: { yw_session: 'tok-1', note: '运维 a;b' } });
      expect(read.json()).toEqual({ yw_session: 'tok-1', note: '运维 a;b' });
      const cleared = await app.inject({ method: 'GET', url: '/clear' });
      expect(String(cleared.headers['set-cookie'])).toMatch(/^yw_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
    } finally {
      await app.close();
    }
  });
});
