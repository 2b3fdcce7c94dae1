import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { webCacheControl } from '../../app.js';
import { createTestApp, type TestApp } from '../../test/harness.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The web app's files (issue #10, item 19): precompressed copies sent as they are, hashed assets cached for good. */
describe('web assets: compression and caching', () => {
  let t: TestApp;
  let web: string;
  const script = `console.log(${JSON.stringify('运维 Yunwei '.repeat(400))});\n`;
  const asset = '/assets/index-B6nro9hO.js';

  beforeAll(async () => {
    // A stand-in for web/dist as the build leaves it: file, file.br, file.gz.
    web = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-web-'));
    fs.mkdirSync(path.join(web, 'assets'));
    const html = `<!doctype html><html><head><script type="module" src="${asset}"></script></head><body><div id="root"></div></body></html>`;
    const write = (file: string, body: string) => {
      fs.writeFileSync(path.join(web, file), body);
      fs.writeFileSync(path.join(web, `${file}.br`), zlib.brotliCompressSync(body));
      fs.writeFileSync(path.join(web, `${file}.gz`), zlib.gzipSync(body));
    };
    write('index.html', html);
    write(asset.slice(1), script);
    fs.writeFileSync(path.join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await createTestApp('sqlite', { WEB_DIST: web });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(web, { recursive: true, force: true });
  });

  test('a hashed asset goes out as brotli when the browser accepts it, cached for a year without revalidation', async () => {
    const res = await t.app.inject({ method: 'GET', url: asset, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
    expect(res.headers['vary']).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(script) / 10);
    expect(zlib.brotliDecompressSync(res.rawPayload).toString()).toBe(script);
  });

  test('gzip to a browser that offers only gzip (Chromium over plain http:// to another host), the file itself to one that offers nothing', async () => {
    const gz = await t.app.inject({ method: 'GET', url: asset, headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toBe(IMMUTABLE);
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(script);

    const plain = await t.app.inject({ method: 'GET', url: asset, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
    expect(plain.body).toBe(script);
  });

  test('index.html, for any page of the app, is revalidated on every load (it names the current hashes)', async () => {
    for (const url of ['/login', '/workspace', '/tickets/12', '/index.html']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(zlib.brotliDecompressSync(res.rawPayload).toString(), url).toContain(asset);
      // the web app's headers still apply (headers.test.ts has the whole policy)
      expect(res.headers['content-security-policy'], url).toContain("script-src 'self'");
    }
    const etag = (await t.app.inject({ method: 'GET', url: '/login' })).headers.etag;
    expect(etag).toBeTruthy();
    const again = await t.app.inject({ method: 'GET', url: '/login', headers: { 'if-none-match': String(etag) } });
    expect(again.statusCode).toBe(304);
  });

  test('files that are not hashed are revalidated; the compressed copies have no address; a missing asset is a 404', async () => {
    const icon = await t.app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
    expect((await t.app.inject({ method: 'GET', url: `${asset}.br` })).statusCode).toBe(404);
    const missing = await t.app.inject({ method: 'GET', url: '/assets/index-XXXXXXXX.js', headers: { 'accept-encoding': 'br' } });
    expect(missing.statusCode).toBe(404);
    expect(String(missing.headers['cache-control'] ?? '')).not.toMatch(/immutable/);
  });

  test('webCacheControl: immutable only for content-hashed files under assets/', () => {
    expect(webCacheControl('assets/index-B6nro9hO.js')).toBe(IMMUTABLE);
    expect(webCacheControl('assets/session--ATrLChb.js.br')).toBe(IMMUTABLE);
    expect(webCacheControl(path.join('assets', 'index-BXhrJ-5w.css.gz'))).toBe(IMMUTABLE);
    expect(webCacheControl('index.html')).toBe('no-cache');
    expect(webCacheControl('index.html.br')).toBe('no-cache');
    expect(webCacheControl('favicon.svg')).toBe('no-cache');
    expect(webCacheControl('assets/logo.svg')).toBe('no-cache');
  });
});
