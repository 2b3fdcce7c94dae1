import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createTestApp, describeDb, insertUser, login, testConfig, type Session, type TestApp } from '../../test/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../../test/peers.js';
import { Deliverer } from './deliver.js';
import { blockedRange, checkTarget, outboundPolicy, responseExcerpt, type LookupFn } from './outbound.js';
import { fanOut, type NotifyEvent } from './service.js';

const deny = outboundPolicy({ allowPrivate: false, allowedNetworks: [] });

/** A resolver that answers from a table (a name that resolves to what the test says). */
function fakeLookup(table: Record<string, string[]>): LookupFn {
  return (hostname, _options, callback) => {
    const found = table[hostname];
    if (!found) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}

describe('outbound address policy', () => {
  it('refuses loopback, private, link-local, CGNAT, unique-local, multicast and reserved addresses, in every notation', () => {
    const blocked: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['fe80::1', 'linkLocal'],
      ['fc00::1', 'uniqueLocal'],
      ['fd12:3456::1', 'uniqueLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['100.127.255.255', 'carrierGradeNat'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:169.254.169.254', 'linkLocal'],
      ['::ffff:10.0.0.1', 'private'],
      ['[::1]', 'loopback'],
      ['fe80::1%eth0', 'linkLocal'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['::127.0.0.1', 'loopback'],
      // IPv4-compatible (deprecated; what the URL parser makes of [::127.0.0.1]): never a target.
      ['::7f00:1', 'reserved'],
      ['::808:808', 'reserved'],
      ['64:ff9b::a00:1', 'private'],
      ['64:ff9b::127.0.0.1', 'loopback'],
    ];
    for (const [address, range] of blocked) expect([address, blockedRange(address, deny)]).toEqual([address, range]);
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2400:3200::1', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
      expect([address, blockedRange(address, deny)]).toEqual([address, null]);
    }
  });

  it('lets the administrator allow networks (WEBHOOK_ALLOWED_NETWORKS) or everything (WEBHOOK_ALLOW_PRIVATE)', () => {
    const some = outboundPolicy({ allowPrivate: false, allowedNetworks: ['10.0.0.0/8', 'fd00:1::/32', '192.168.5.7'] });
    expect(blockedRange('10.1.2.3', some)).toBeNull();
    expect(blockedRange('::ffff:10.1.2.3', some)).toBeNull();
    expect(blockedRange('fd00:1::8', some)).toBeNull();
    expect(blockedRange('192.168.5.7', some)).toBeNull();
    expect(blockedRange('192.168.5.8', some)).toBe('private');
    expect(blockedRange('127.0.0.1', some)).toBe('loopback');
    expect(blockedRange('169.254.169.254', some)).toBe('linkLocal');
    const all = outboundPolicy({ allowPrivate: true, allowedNetworks: [] });
    for (const a of ['127.0.0.1', '::1', '169.254.169.254', '10.0.0.1']) expect(blockedRange(a, all)).toBeNull();

    expect(loadConfig({}).webhooks).toEqual({ allowPrivate: false, allowedNetworks: [] });
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8, 172.20.1.0/24' }).webhooks).toEqual({ allowPrivate: true, allowedNetworks: ['10.0.0.0/8', '172.20.1.0/24'] });
    expect(() => loadConfig({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8,intranet' })).toThrow(/WEBHOOK_ALLOWED_NETWORKS: "intranet"/);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' })).toThrow(/WEBHOOK_ALLOWED_NETWORKS/);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_NETWORKS: '10.1/16' })).toThrow(/WEBHOOK_ALLOWED_NETWORKS/);
  });

  it('checks a name when the webhook is saved by what it resolves to: any internal address refuses it', async () => {
    const policy = outboundPolicy(
      { allowPrivate: false, allowedNetworks: [] },
      fakeLookup({ 'intranet.example.cn': ['10.2.3.4'], 'mixed.example.cn': ['203.0.114.10', '127.0.0.1'], 'public.example.cn': ['203.0.114.10', '2400:3200::1'] }),
    );
    expect((await checkTarget(policy, 'https://intranet.example.cn/hook'))?.range).toBe('private');
    expect((await checkTarget(policy, 'https://mixed.example.cn/hook'))?.range).toBe('loopback');
    expect(await checkTarget(policy, 'https://public.example.cn/hook')).toBeNull();
    // A name that does not resolve here is left to the check at the send.
    expect(await checkTarget(policy, 'https://unknown.example.cn/hook')).toBeNull();
    expect((await checkTarget(policy, 'http://LOCALHOST./x'))?.range).toBe('loopback');
    expect((await checkTarget(policy, 'http://api.localhost/x'))?.range).toBe('loopback');
    // The URL parser's normal forms: 0x7f.1 and 2130706433 are 127.0.0.1.
    expect((await checkTarget(policy, 'http://0x7f.1/x'))?.range).toBe('loopback');
    expect((await checkTarget(policy, 'http://2130706433/x'))?.range).toBe('loopback');
    expect((await checkTarget(policy, 'http://[::ffff:a9fe:a9fe]/latest/meta-data'))?.range).toBe('linkLocal');
  });

  it('keeps only a short, sanitised excerpt of a text or JSON answer, nothing of other types', () => {
    const long = `{"error":"${'x'.repeat(500)}SECRET-TAIL"}`;
    const ex = responseExcerpt('application/json; charset=utf-8', long);
    expect([...ex].length).toBeLessThanOrEqual(200);
    expect(ex).not.toContain('SECRET-TAIL');
    expect(responseExcerpt('text/plain', 'line one\r\n\u0000\u001b[31mred\u001b[0m\u202etxt.exe\tend')).toBe('line one [31mred [0m txt.exe end');
    expect(responseExcerpt('application/octet-stream', 'root:x:0:0:root:/root:/bin/bash')).toBe('');
    expect(responseExcerpt('image/png', '\u0089PNG')).toBe('');
    expect(responseExcerpt('', 'no type given')).toBe('');
    expect(responseExcerpt('application/problem+json', '{"title":"bad"}')).toBe('{"title":"bad"}');
  });
});

describeDb('webhooks refuse internal targets', (kind) => {
  let t: TestApp;
  let rx: HttpReceiver;
  let admin: Session;
  let adminEn: Session;

  beforeAll(async () => {
    rx = await startHttpReceiver();
    // The default policy: no internal targets.
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'admin-en', roles: ['admin'], locale: 'en-US' });
    admin = await login(t.app, 'admin');
    adminEn = await login(t.app, 'admin-en');
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });
  beforeEach(async () => {
    for (const table of ['jobs', 'deliveries', 'webhooks'] as const) await t.database.db.deleteFrom(table).execute();
    rx.requests.length = 0;
    rx.respond = () => ({ status: 200, body: '{"ok":true}' });
  });

  const breach: NotifyEvent = { type: 'sla.breached', recipients: [], customerId: null, entity: 'tickets', entityId: 42, title: { zh: '工单 #42 超时', en: 'Ticket #42 breached' }, link: '/tickets/42' };

  async function send() {
    return t.database.db.transaction().execute((trx) => fanOut(trx, { ...breach, occurredAt: Date.now(), emittedAt: Date.now() }));
  }

  /** A webhook row written directly: an address saved while it was allowed, or by a name that resolved elsewhere then. */
  async function insertHook(name: string, url: string) {
    const now = Date.now();
    const row = await t.database.db
      .insertInto('webhooks')
      .values({ name, kind: 'generic', url, secret: null, events: '["sla.breached"]', customer_id: null, locale: 'zh-CN', enabled: 1, created_at: now, updated_at: now, version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  const delivery = (id: number) => t.database.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('answers 400 naming url for a loopback, link-local, private or localhost address, in zh-CN and en-US', async () => {
    const port = new URL(rx.url).port;
    for (const url of [`http://127.0.0.1:${port}/hook`, 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://localhost/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0:8080/', 'http://100.64.1.1/', 'https://192.168.1.10/cgi-bin/webhook/send?key=k']) {
      const res = await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'internal', kind: 'generic', url, events: ['sla.breached'] } });
      expect([url, res.statusCode]).toEqual([url, 400]);
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'url', code: 'notify.privateUrl' })]);
      expect(res.json().errors[0].message).toContain('地址指向内网、本机或保留地址');
    }
    const en = await adminEn.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'internal', kind: 'wecom', url: 'http://169.254.169.254/', events: ['sla.breached'] } });
    expect(en.statusCode).toBe(400);
    expect(en.json().errors[0]).toMatchObject({ field: 'url', code: 'notify.privateUrl' });
    expect(en.json().errors[0].message).toContain('URL points to an internal, local or reserved address');
    expect(await t.database.db.selectFrom('webhooks').select('id').execute()).toEqual([]);

    // A public address is taken; changing it to an internal one is refused the same way.
    const ok = await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'public', kind: 'generic', url: 'http://1.1.1.1/hook', events: ['sla.breached'] } });
    expect(ok.statusCode, ok.body).toBe(201);
    const patched = await admin.request({ method: 'PATCH', url: `/api/v1/webhooks/${ok.json().id}`, payload: { version: 1, url: 'http://127.0.0.1/hook' } });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().errors[0]).toMatchObject({ field: 'url', code: 'notify.privateUrl' });
  });

  it('refuses an internal address at the send too, recording why, and sends nothing (an address saved while allowed)', async () => {
    const id = await insertHook('saved earlier', `${rx.url}/hook`);
    const test = await admin.request({ method: 'POST', url: `/api/v1/webhooks/${id}/test` });
    expect(test.statusCode).toBe(200);
    expect(test.json()).toMatchObject({ status: 'failed', attempts: 1 });
    expect(test.json().lastError).toMatch(/^refused: 127\.0\.0\.1 is an address in a loopback range/);
    expect(rx.requests).toHaveLength(0);
  });

  it('checks the resolved address at the send (DNS rebinding): a name that now resolves to 127.0.0.1 is refused', async () => {
    const port = new URL(rx.url).port;
    // Saved while the name did not resolve to an internal address (here: not at all).
    const created = await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'rebind', kind: 'generic', url: `http://rebind.yunwei.test:${port}/hook`, events: ['sla.breached'] } });
    expect(created.statusCode, created.body).toBe(201);
    const rebound = fakeLookup({ 'rebind.yunwei.test': ['127.0.0.1'] });
    const r = await send();
    const deliverer = new Deliverer(t.database.db, t.config, rebound);
    await expect(deliverer.attempt(r.deliveries[0], false)).rejects.toThrow(/refused/);
    const d = await delivery(r.deliveries[0]);
    expect(d).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(d.last_error).toBe('refused: rebind.yunwei.test is a name resolving to an address in a loopback range (internal addresses need WEBHOOK_ALLOW_PRIVATE or WEBHOOK_ALLOWED_NETWORKS)');
    // One internal address among public ones is enough to refuse.
    const mixed = new Deliverer(t.database.db, t.config, fakeLookup({ 'rebind.yunwei.test': ['203.0.114.10', '::ffff:127.0.0.1'] }));
    await expect(mixed.attempt(r.deliveries[0], false)).rejects.toThrow(/refused/);
    expect(rx.requests).toHaveLength(0);

    // With the network allowed, the same resolution is what the connection uses: it reaches the receiver.
    const allowed = new Deliverer(t.database.db, testConfig({ WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' }), rebound);
    await allowed.attempt(r.deliveries[0], false);
    expect(await delivery(r.deliveries[0])).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    expect(rx.requests).toHaveLength(1);
    expect(rx.requests[0].headers.host).toBe(`rebind.yunwei.test:${port}`);
    for (const x of [deliverer, mixed, allowed]) x.outbound.close();
  });

  it('does not follow a redirect, and shows only a short sanitised excerpt of the receiver\'s answer', async () => {
    const answers: Array<{ status: number; headers: Record<string, string>; body: string }> = [];
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const a = answers.shift() ?? { status: 200, headers: {}, body: '' };
      res.writeHead(a.status, a.headers);
      res.end(a.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const deliverer = new Deliverer(t.database.db, testConfig({ WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' }));
    try {
      const id = await insertHook('receiver', `${base}/hook`);
      const attempt = async () => {
        const r = await send();
        await deliverer.attempt(r.deliveries[0], true).catch(() => undefined);
        return (await delivery(r.deliveries[0])).last_error;
      };

      answers.push({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam' }, body: '' });
      expect(await attempt()).toBe('HTTP 302');
      expect(hits).toEqual(['/hook']);

      const page = `<html><body>\u001b[2J internal admin console\r\n${'row '.repeat(300)} password=hunter2</body></html>`;
      answers.push({ status: 500, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page });
      const err = (await attempt())!;
      expect(err.startsWith('HTTP 500: <html><body> [2J internal admin console row row')).toBe(true);
      expect(err.length).toBeLessThanOrEqual('HTTP 500: '.length + 200);
      expect(err).not.toContain('hunter2');
      expect(err).not.toMatch(/[\u0000-\u001f\u007f]/);

      answers.push({ status: 500, headers: { 'content-type': 'application/octet-stream' }, body: 'root:x:0:0:root:/root:/bin/bash' });
      expect(await attempt()).toBe('HTTP 500');

      // A robot's error answer likewise: the code, and an excerpt.
      await t.database.db.updateTable('webhooks').set({ kind: 'wecom' }).where('id', '=', id).execute();
      answers.push({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errcode: 93000, errmsg: `invalid webhook url ${'y'.repeat(400)} tail-secret` }) });
      const robot = (await attempt())!;
      expect(robot.startsWith('wecom answered errcode 93000: {"errcode":93000,"errmsg":"invalid webhook url yyy')).toBe(true);
      expect(robot).not.toContain('tail-secret');
      expect(robot.length).toBeLessThanOrEqual(260);
    } finally {
      deliverer.outbound.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
