import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../../test/peers.js';
import { backoffMs } from '../jobs/scheduler.js';
import { emit, fanOut, FANOUT_JOB, type NotifyEvent } from './service.js';

describeDb('webhooks: formats, signatures, retries, administration', (kind) => {
  let t: TestApp;
  let rx: HttpReceiver;
  let admin: Session;
  let customerA: number;
  let customerB: number;

  beforeAll(async () => {
    rx = await startHttpReceiver();
    // The receivers listen on 127.0.0.1: internal targets are allowed here (ssrf.test.ts tests the refusal).
    t = await createTestApp(kind, { PUBLIC_URL: 'https://yunwei.example.com', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'eng', roles: ['engineer'] });
    admin = await login(t.app, 'admin');
    const now = Date.now();
    const customer = (code: string, name: string) =>
      t.database.db
        .insertInto('customers')
        .values({ code, name, tier: 1, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 })
        .returning('id')
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.id));
    customerA = await customer('BANK', '某银行');
    customerB = await customer('HOSP', '某医院');
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });
  beforeEach(async () => {
    for (const table of ['jobs', 'deliveries', 'webhooks'] as const) await t.database.db.deleteFrom(table).execute();
    rx.requests.length = 0;
    rx.respond = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
  });

  const breach: NotifyEvent = {
    type: 'sla.breached',
    recipients: [],
    customerId: null,
    entity: 'tickets',
    entityId: 42,
    title: { zh: '工单 #42 解决时限已超时', en: 'Ticket #42 breached its resolution target' },
    body: { zh: '客户：某银行；优先级：P1；处理人：张工', en: 'Customer: bank; priority P1; assignee: Zhang' },
    link: '/tickets/42',
  };

  async function send(event: NotifyEvent) {
    // What the event's fan-out job does (the emit → job → fan-out path has its own test).
    return t.database.db.transaction().execute((trx) => fanOut(trx, { ...event, occurredAt: event.occurredAt ?? Date.now(), emittedAt: Date.now() }));
  }

  async function addHook(body: Record<string, unknown>) {
    const res = await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { events: ['sla.breached'], ...body } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; version: number; url: string; secretHint: string | null; hasSecret: boolean };
  }

  async function delivery(id: number) {
    return t.database.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  it('posts the generic JSON with a verifiable HMAC signature', async () => {
    const secret = 'whsec-7f3a9c1e5b2d4a68';
    const hook = await addHook({ name: '监控平台', kind: 'generic', url: `${rx.url}/hooks/yunwei`, secret });
    expect(hook).toMatchObject({ hasSecret: true, secretHint: '****4a68' });
    expect(JSON.stringify(hook)).not.toContain(secret);
    const r = await send({ ...breach, occurredAt: Date.parse('2026-03-05T06:30:00Z') });
    expect(await t.app.scheduler.drain()).toBe(1);

    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0];
    expect(req.url).toBe('/hooks/yunwei');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers['x-yunwei-event']).toBe('sla.breached');
    expect(req.headers['x-yunwei-delivery']).toBe(String(r.deliveries[0]));
    const expected = `sha256=${createHmac('sha256', secret).update(Buffer.from(req.body, 'utf8')).digest('hex')}`;
    expect(req.headers['x-yunwei-signature']).toBe(expected);
    expect(JSON.parse(req.body)).toEqual({
      event: 'sla.breached',
      occurredAt: '2026-03-05T06:30:00.000Z',
      entity: 'tickets',
      entityId: '42',
      customerId: null,
      title: '工单 #42 解决时限已超时',
      body: '客户：某银行；优先级：P1；处理人：张工',
      link: 'https://yunwei.example.com/tickets/42',
    });
    expect(await delivery(r.deliveries[0])).toMatchObject({ channel: 'webhook', target: '监控平台', status: 'sent', attempts: 1, last_error: null });
  });

  it('sends WeCom, DingTalk and Feishu robot messages in their formats, with DingTalk and Feishu signatures', async () => {
    const dingSecret = 'SEC0123456789abcdef0123456789abcdef';
    const feishuSecret = 'feishu-secret-xyz';
    await addHook({ name: '企业微信群', kind: 'wecom', url: `${rx.url}/cgi-bin/webhook/send?key=693a91f6-7aaa-4bbb-8ccc-0123456789ab` });
    await addHook({ name: '钉钉群', kind: 'dingtalk', url: `${rx.url}/robot/send?access_token=abcdef0123456789`, secret: dingSecret });
    await addHook({ name: '飞书群', kind: 'feishu', url: `${rx.url}/open-apis/bot/v2/hook/0b9c1d2e-3f40-5162-7384-95a6b7c8d9e0`, secret: feishuSecret, locale: 'en-US' });
    rx.respond = (_n, req) => ({ status: 200, body: req.url.startsWith('/open-apis') ? '{"code":0,"msg":"success","data":{}}' : '{"errcode":0,"errmsg":"ok"}' });
    const before = Date.now();
    await send(breach);
    expect(await t.app.scheduler.drain()).toBe(3);
    const after = Date.now();
    const by = (prefix: string) => rx.requests.find((r) => r.url.startsWith(prefix))!;

    const wecom = JSON.parse(by('/cgi-bin').body);
    expect(by('/cgi-bin').url).toBe('/cgi-bin/webhook/send?key=693a91f6-7aaa-4bbb-8ccc-0123456789ab');
    expect(wecom).toEqual({
      msgtype: 'markdown',
      markdown: { content: '**工单 #42 解决时限已超时**\n客户：某银行；优先级：P1；处理人：张工\n[查看详情](https://yunwei.example.com/tickets/42)' },
    });

    const dingReq = by('/robot/send');
    const dingUrl = new URL(dingReq.url, rx.url);
    expect(dingUrl.searchParams.get('access_token')).toBe('abcdef0123456789');
    const ts = Number(dingUrl.searchParams.get('timestamp'));
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(after);
    const dingSign = createHmac('sha256', dingSecret).update(`${ts}\n${dingSecret}`).digest('base64');
    expect(dingUrl.searchParams.get('sign')).toBe(dingSign);
    // The sign is URL-encoded in the query string (base64 has + / =).
    expect(dingReq.url).toContain(`sign=${encodeURIComponent(dingSign)}`);
    expect(JSON.parse(dingReq.body)).toEqual({
      msgtype: 'markdown',
      markdown: { title: '工单 #42 解决时限已超时', text: '#### 工单 #42 解决时限已超时\n\n客户：某银行；优先级：P1；处理人：张工\n\n[查看详情](https://yunwei.example.com/tickets/42)' },
    });

    const feishu = JSON.parse(by('/open-apis').body);
    const fts = Number(feishu.timestamp);
    expect(fts).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(fts).toBeLessThanOrEqual(Math.ceil(after / 1000));
    expect(feishu.sign).toBe(createHmac('sha256', `${fts}\n${feishuSecret}`).update('').digest('base64'));
    expect(feishu.msg_type).toBe('text');
    // The Feishu hook was set to English.
    expect(feishu.content).toEqual({ text: 'Ticket #42 breached its resolution target\nCustomer: bank; priority P1; assignee: Zhang\nhttps://yunwei.example.com/tickets/42' });

    const statuses = await t.database.db.selectFrom('deliveries').select(['target', 'status']).orderBy('id').execute();
    expect(statuses).toEqual([
      { target: '企业微信群', status: 'sent' },
      { target: '钉钉群', status: 'sent' },
      { target: '飞书群', status: 'sent' },
    ]);
  });

  it('retries a failing receiver with backoff: 500, 500, then 200 is delivered on the third attempt', async () => {
    await addHook({ name: 'flaky', kind: 'generic', url: `${rx.url}/flaky` });
    rx.respond = (n) => (n <= 2 ? { status: 500, body: 'database is down' } : { status: 200, body: '' });
    const r = await send(breach);
    const id = r.deliveries[0];
    const s = t.app.scheduler;

    expect(await s.runDue(Date.now())).toBe(1);
    expect(await delivery(id)).toMatchObject({ status: 'retrying', attempts: 1, last_error: 'HTTP 500: database is down' });
    // Not due again before the backoff has passed.
    expect(await s.runDue(Date.now() + backoffMs(1) - 3000)).toBe(0);
    expect(await s.runDue(Date.now() + backoffMs(1) + 1000)).toBe(1);
    expect(await delivery(id)).toMatchObject({ status: 'retrying', attempts: 2 });
    expect(await s.runDue(Date.now() + backoffMs(2) + 1000)).toBe(1);
    expect(await delivery(id)).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    expect(rx.requests).toHaveLength(3);
    // All three attempts carried the same body (one delivery, one job: no duplicates).
    expect(new Set(rx.requests.map((q) => q.body)).size).toBe(1);
    expect(await t.database.db.selectFrom('deliveries').select('id').execute()).toHaveLength(1);
    expect(await t.database.db.selectFrom('jobs').select(['status', 'attempts']).execute()).toEqual([{ status: 'done', attempts: 3 }]);
    expect(await s.runDue(Date.now() + 86_400_000)).toBe(0);
  });

  it('counts a robot\'s error code in a 200 answer as a failure', async () => {
    const hook = await addHook({ name: '企业微信群', kind: 'wecom', url: `${rx.url}/cgi-bin/webhook/send?key=k` });
    rx.respond = () => ({ status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' });
    const r = await send(breach);
    await t.app.scheduler.runDue(Date.now());
    expect(await delivery(r.deliveries[0])).toMatchObject({ status: 'retrying', attempts: 1 });
    expect((await delivery(r.deliveries[0])).last_error).toContain('errcode 93000');
    expect(await t.database.db.selectFrom('jobs').select('status').execute()).toEqual([{ status: 'pending' }]);

    // A Feishu error code likewise, seen through the test endpoint (one attempt, final).
    rx.respond = () => ({ status: 200, body: '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}' });
    const patched = await admin.request({ method: 'PATCH', url: `/api/v1/webhooks/${hook.id}`, payload: { version: hook.version, kind: 'feishu', url: `${rx.url}/open-apis/bot/v2/hook/x` } });
    expect(patched.statusCode).toBe(200);
    const test = await admin.request({ method: 'POST', url: `/api/v1/webhooks/${hook.id}/test` });
    expect(test.statusCode).toBe(200);
    expect(test.json()).toMatchObject({ channel: 'webhook', event: 'webhook.test', status: 'failed', attempts: 1, webhookId: hook.id });
    expect(test.json().lastError).toContain('code 19021');
  });

  it('matches webhooks by event, customer and enabled; a test send reaches a disabled one', async () => {
    await addHook({ name: 'all customers', kind: 'generic', url: `${rx.url}/all` });
    await addHook({ name: 'bank only', kind: 'generic', url: `${rx.url}/bank`, customerId: customerA });
    await addHook({ name: 'other event', kind: 'generic', url: `${rx.url}/other`, events: ['ticket.created'] });
    const off = await addHook({ name: 'disabled', kind: 'generic', url: `${rx.url}/off`, enabled: false });
    await send({ ...breach, customerId: customerA });
    await send({ ...breach, customerId: customerB });
    await t.app.scheduler.drain();
    expect(rx.requests.map((r) => r.url).sort()).toEqual(['/all', '/all', '/bank']);

    rx.requests.length = 0;
    const test = await admin.request({ method: 'POST', url: `/api/v1/webhooks/${off.id}/test` });
    expect(test.json()).toMatchObject({ status: 'sent', attempts: 1, target: 'disabled' });
    expect(rx.requests).toHaveLength(1);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ event: 'webhook.test', title: '运维平台测试消息', entity: 'webhooks', entityId: String(off.id) });
  });

  it('administers webhooks: validation, masked secrets and addresses, versions, permission, audit, delivery log', async () => {
    const bad = await admin.request({
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { name: 'x', kind: 'slack', url: 'ftp://example.com/x', events: ['ticket.nope'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['events[0]', 'kind', 'url']);
    expect(bad.json().errors.find((e: { field: string }) => e.field === 'url').message).toBe('地址必须是以 http:// 或 https:// 开头的网址（不超过 2000 个字符）');
    const long = await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'x', kind: 'generic', url: `https://example.com/${'a'.repeat(2000)}`, events: ['sla.breached'] } });
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0]).toMatchObject({ field: 'url', code: 'tooLong' });
    const noCustomer = await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'x', kind: 'generic', url: 'https://example.com/x', events: ['sla.breached'], customerId: 999999 } });
    expect(noCustomer.statusCode).toBe(400);
    expect(noCustomer.json().errors[0]).toMatchObject({ field: 'customerId', code: 'notify.unknownCustomer' });

    const hook = await addHook({ name: '企业微信群', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bbb-8ccc-0123456789ab', secret: 'short' });
    expect(hook.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****89ab');
    expect(hook.secretHint).toBe('****');
    expect((await admin.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: '企业微信群', kind: 'generic', url: 'https://example.com/x', events: ['sla.breached'] } })).statusCode).toBe(409);

    const got = await admin.request({ method: 'GET', url: `/api/v1/webhooks/${hook.id}` });
    expect(got.json()).toMatchObject({ id: hook.id, name: '企业微信群', kind: 'wecom', events: ['sla.breached'], customerId: null, locale: 'zh-CN', enabled: true, version: 1 });
    const patched = await admin.request({ method: 'PATCH', url: `/api/v1/webhooks/${hook.id}`, payload: { version: 1, secret: null, enabled: false, events: ['sla.warning', 'sla.breached'] } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ version: 2, hasSecret: false, secretHint: null, enabled: false, events: ['sla.warning', 'sla.breached'] });
    const stale = await admin.request({ method: 'PATCH', url: `/api/v1/webhooks/${hook.id}`, payload: { version: 1, name: 'again' } });
    expect(stale.statusCode).toBe(409);

    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity', '=', 'webhooks').where('entity_id', '=', String(hook.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update']);
    for (const a of audit) {
      expect(`${a.before}${a.after}`).not.toContain('693a91f6');
      expect(`${a.before}${a.after}`).not.toContain('short');
    }

    const eng = await login(t.app, 'eng');
    expect((await eng.request({ method: 'GET', url: '/api/v1/webhooks' })).statusCode).toBe(403);
    expect((await eng.request({ method: 'GET', url: '/api/v1/deliveries' })).statusCode).toBe(403);

    const list = await admin.request({ method: 'GET', url: '/api/v1/webhooks?limit=1' });
    expect(list.json()).toMatchObject({ items: [{ id: hook.id }], nextCursor: null });

    // The delivery log: newest first, filtered by status.
    const generic = await addHook({ name: 'log', kind: 'generic', url: `${rx.url}/log` });
    rx.respond = () => ({ status: 503 });
    await send(breach);
    await t.app.scheduler.drain();
    const failed = await admin.request({ method: 'GET', url: '/api/v1/deliveries?status=retrying' });
    expect(failed.statusCode).toBe(200);
    expect(failed.json().items).toEqual([expect.objectContaining({ channel: 'webhook', target: 'log', event: 'sla.breached', status: 'retrying', attempts: 1, lastError: 'HTTP 503', webhookId: generic.id })]);

    expect((await admin.request({ method: 'DELETE', url: `/api/v1/webhooks/${generic.id}` })).statusCode).toBe(204);
    expect((await admin.request({ method: 'GET', url: `/api/v1/webhooks/${generic.id}` })).statusCode).toBe(404);
    // The log keeps the delivery; its job, when it runs, finds the webhook gone and skips.
    await t.app.scheduler.runDue(Date.now() + backoffMs(1) + 1000);
    const kept = await admin.request({ method: 'GET', url: '/api/v1/deliveries?channel=webhook' });
    expect(kept.json().items[0]).toMatchObject({ target: 'log', status: 'skipped', webhookId: null, lastError: 'webhook deleted' });
  });

  it('limits a customer-scoped integrator to his customers\' webhooks', async () => {
    const db = t.database.db;
    const now = Date.now();
    const role = await db
      .insertInto('roles')
      .values({ code: `integrator_${kind}`, name_zh: '集成', name_en: 'Integrator', builtin: 0, permissions: '["integrations.manage"]', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await insertUser(t.database, { username: 'integrator', roles: [] });
    await db.insertInto('user_roles').values({ user_id: user, role_id: role.id }).execute();
    const team = await db.insertInto('teams').values({ name: '银行项目组', kind: 'project', description: null, assignment: 'round_robin', created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('team_members').values({ team_id: team.id, user_id: user, is_lead: 0 }).execute();
    await db.insertInto('team_customers').values({ team_id: team.id, customer_id: customerA }).execute();

    const global = await addHook({ name: 'global', kind: 'generic', url: 'https://example.com/g' });
    const hospital = await addHook({ name: 'hospital', kind: 'generic', url: 'https://example.com/h', customerId: customerB });
    const s = await login(t.app, 'integrator');
    expect((await s.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'mine-all', kind: 'generic', url: 'https://example.com/m', events: ['sla.breached'] } })).statusCode).toBe(403);
    const other = await s.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'mine-b', kind: 'generic', url: 'https://example.com/m', events: ['sla.breached'], customerId: customerB } });
    expect(other.statusCode).toBe(400);
    const mine = await s.request({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'bank', kind: 'generic', url: 'https://example.com/b', events: ['sla.breached'], customerId: customerA } });
    expect(mine.statusCode).toBe(201);
    const list = await s.request({ method: 'GET', url: '/api/v1/webhooks' });
    expect(list.json().items.map((w: { name: string }) => w.name)).toEqual(['bank']);
    expect((await s.request({ method: 'GET', url: `/api/v1/webhooks/${global.id}` })).statusCode).toBe(404);
    expect((await s.request({ method: 'POST', url: `/api/v1/webhooks/${hospital.id}/test` })).statusCode).toBe(404);
    expect((await s.request({ method: 'DELETE', url: `/api/v1/webhooks/${hospital.id}` })).statusCode).toBe(404);
  });
});
