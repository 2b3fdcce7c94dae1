import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, testConfig, type TestApp } from '../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../test/peers.js';
import { Deliverer } from './deliver.js';
import { emit, fanOut, FANOUT_JOB, type NotifyEvent } from './service.js';

describeDb('notifications: in-app, mail and preferences', (kind) => {
  let t: TestApp;
  let smtp: SmtpSink;
  let zhang: number;
  let lee: number;
  let wang: number;
  let gone: number;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp(kind, { SMTP_URL: smtp.url, SMTP_FROM: '运维平台 <noreply@yunwei.test>', PUBLIC_URL: 'https://yunwei.example.com/' });
    zhang = await insertUser(t.database, { username: 'zhang', displayName: '张工', roles: ['engineer'] });
    lee = await insertUser(t.database, { username: 'lee', roles: ['engineer'], locale: 'en-US' });
    wang = await insertUser(t.database, { username: 'wang', roles: ['engineer'] });
    gone = await insertUser(t.database, { username: 'gone', roles: ['engineer'] });
    const db = t.database.db;
    await db.updateTable('users').set({ email: 'zhang@example.com' }).where('id', '=', zhang).execute();
    await db.updateTable('users').set({ email: 'lee@example.com' }).where('id', '=', lee).execute();
    await db.updateTable('users').set({ email: 'gone@example.com', disabled: 1 }).where('id', '=', gone).execute();
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  beforeEach(async () => {
    const db = t.database.db;
    for (const table of ['jobs', 'deliveries', 'notifications', 'notification_prefs', 'webhooks'] as const) await db.deleteFrom(table).execute();
    smtp.messages.length = 0;
  });

  const assigned = (recipients: number[], n = 42): NotifyEvent => ({
    type: 'ticket.assigned',
    recipients,
    customerId: null,
    entity: 'tickets',
    entityId: n,
    title: { zh: `工单 #${n} 已分派给您：打印机卡纸`, en: `Ticket #${n} was assigned to you: printer jam` },
    body: { zh: '财务部三楼打印机卡纸，无法打印报表。请尽快处理。', en: 'The printer on the third floor jams and cannot print reports.' },
    link: `/tickets/${n}`,
  });

  async function send(event: NotifyEvent) {
    // What the event's fan-out job does (the emit → job → fan-out path has its own test).
    return t.database.db.transaction().execute((trx) => fanOut(trx, { ...event, occurredAt: event.occurredAt ?? Date.now(), emittedAt: Date.now() }));
  }

  it('writes in-app rows and sends each recipient with an address one mail, in his language, through the SMTP peer', async () => {
    const r = await send(assigned([zhang, lee, wang, gone, zhang]));
    // wang has no address; gone is disabled; zhang is named twice but notified once.
    expect(r.notifications).toBe(3);
    expect(r.deliveries).toHaveLength(2);
    const inbox = await t.database.db.selectFrom('notifications').select(['user_id', 'title', 'link']).orderBy('user_id').execute();
    expect(inbox.map((n) => Number(n.user_id))).toEqual([zhang, lee, wang]);
    expect(inbox.find((n) => Number(n.user_id) === lee)?.title).toBe('Ticket #42 was assigned to you: printer jam');
    // One job sends all of the event's mail.
    const jobs = await t.database.db.selectFrom('jobs').select(['key', 'payload']).orderBy('id').execute();
    expect(jobs.map((j) => ({ key: j.key, payload: JSON.parse(j.payload) }))).toEqual([{ key: `notify.delivery:${Math.min(...r.deliveries)}`, payload: { deliveryIds: [...r.deliveries].sort((a, b) => a - b) } }]);

    expect(await t.app.scheduler.drain()).toBe(1);
    expect(smtp.messages).toHaveLength(2);
    const toZhang = smtp.messages.find((m) => m.rcptTo[0] === 'zhang@example.com')!;
    expect(toZhang.mail.subject).toBe('工单 #42 已分派给您：打印机卡纸');
    expect(toZhang.mail.text).toContain('财务部三楼打印机卡纸，无法打印报表。请尽快处理。');
    expect(toZhang.mail.text).toContain('查看详情：https://yunwei.example.com/tickets/42');
    expect(toZhang.mail.from?.value[0]).toMatchObject({ address: 'noreply@yunwei.test', name: '运维平台' });
    const to = toZhang.mail.to;
    expect(Array.isArray(to) ? to[0].value[0].address : to?.value[0].address).toBe('zhang@example.com');
    const toLee = smtp.messages.find((m) => m.rcptTo[0] === 'lee@example.com')!;
    expect(toLee.mail.subject).toBe('Ticket #42 was assigned to you: printer jam');
    expect(toLee.mail.text).toContain('Open: https://yunwei.example.com/tickets/42');

    const deliveries = await t.database.db.selectFrom('deliveries').selectAll().orderBy('id').execute();
    expect(deliveries.map((d) => [d.channel, d.target, d.status, d.attempts])).toEqual([
      ['email', 'zhang@example.com', 'sent', 1],
      ['email', 'lee@example.com', 'sent', 1],
    ]);
    expect(deliveries.every((d) => d.delivered_at !== null)).toBe(true);

    // A job that runs again (e.g. after its lease expired) does not send the mail twice.
    await new Deliverer(t.database.db, t.config).attempt(r.deliveries[0], false);
    expect(smtp.messages).toHaveLength(2);
  });

  it("retries only the mail of an event's job that failed", async () => {
    let refuseLee = true;
    const picky = await startSmtpSink({ refuse: (a) => refuseLee && a === 'lee@example.com' });
    const app = await createTestApp(kind, { SMTP_URL: picky.url });
    try {
      const db = app.database.db;
      for (const [name, email] of [['zhang', 'zhang@example.com'], ['lee', 'lee@example.com']] as const) {
        const id = await insertUser(app.database, { username: name, roles: ['engineer'] });
        await db.updateTable('users').set({ email }).where('id', '=', id).execute();
      }
      const ids = (await db.selectFrom('users').select('id').where('username', 'in', ['zhang', 'lee']).execute()).map((u) => Number(u.id));
      await db.transaction().execute((trx) => emit(trx, assigned(ids)));
      await app.app.scheduler.drain();
      expect(picky.messages.map((m) => m.rcptTo[0])).toEqual(['zhang@example.com']);
      const after1 = await db.selectFrom('deliveries').select(['target', 'status', 'attempts']).orderBy('target').execute();
      expect(after1).toEqual([
        { target: 'lee@example.com', status: 'retrying', attempts: 1 },
        { target: 'zhang@example.com', status: 'sent', attempts: 1 },
      ]);
      // The job waits out its backoff; run it as if that time had passed.
      refuseLee = false;
      await app.app.scheduler.drain(() => Date.now() + 3_600_000);
      expect(picky.messages.map((m) => m.rcptTo[0])).toEqual(['zhang@example.com', 'lee@example.com']);
      expect(await db.selectFrom('deliveries').select(['target', 'status', 'attempts']).orderBy('target').execute()).toEqual([
        { target: 'lee@example.com', status: 'sent', attempts: 2 },
        { target: 'zhang@example.com', status: 'sent', attempts: 1 },
      ]);
    } finally {
      await app.close();
      await picky.close();
    }
  });

  it('emits into the outbox: one job in the change\'s transaction, which writes the in-app rows and queues the mail', async () => {
    await t.database.db.transaction().execute((trx) => emit(trx, assigned([zhang, lee, zhang])));
    expect(await t.database.db.selectFrom('notifications').select('id').execute()).toEqual([]);
    const [job] = await t.database.db.selectFrom('jobs').select(['kind', 'payload']).execute();
    expect(job.kind).toBe(FANOUT_JOB);
    expect(JSON.parse(job.payload)).toMatchObject({ type: 'ticket.assigned', recipients: [zhang, lee] });
    // The fan-out, then the mail job it queued.
    expect(await t.app.scheduler.drain()).toBe(2);
    expect((await t.database.db.selectFrom('notifications').select('user_id').orderBy('user_id').execute()).map((n) => Number(n.user_id))).toEqual([zhang, lee]);
    expect(smtp.messages.map((m) => m.rcptTo[0]).sort()).toEqual(['lee@example.com', 'zhang@example.com']);
  });

  it('queues no mail at all when no mail server is configured: in-app rows only', async () => {
    const app = await createTestApp(kind);
    try {
      const db = app.database.db;
      const id = await insertUser(app.database, { username: 'solo', roles: ['engineer'] });
      await db.updateTable('users').set({ email: 'solo@example.com' }).where('id', '=', id).execute();
      await db.transaction().execute((trx) => emit(trx, assigned([id])));
      expect(await app.app.scheduler.drain()).toBe(1);
      expect((await db.selectFrom('notifications').select('user_id').execute()).map((n) => Number(n.user_id))).toEqual([id]);
      expect(await db.selectFrom('deliveries').select('id').execute()).toEqual([]);
      expect(await db.selectFrom('jobs').select('kind').where('status', '!=', 'done').execute()).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('records mail as skipped, not failed, when SMTP_URL is not set', async () => {
    const r = await send(assigned([zhang]));
    await new Deliverer(t.database.db, testConfig()).attempt(r.deliveries[0], false);
    const d = await t.database.db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow();
    expect(d).toMatchObject({ status: 'skipped', attempts: 0, last_error: 'SMTP_URL is not configured' });
    expect(smtp.messages).toHaveLength(0);
  });

  it('sends nothing and shows nothing when the emitting transaction rolls back', async () => {
    await t.database.db
      .insertInto('webhooks')
      .values({ name: 'all', kind: 'generic', url: 'http://127.0.0.1:9/x', secret: null, events: '["ticket.assigned"]', customer_id: null, locale: 'zh-CN', enabled: 1, created_at: 1, updated_at: 1, version: 1 })
      .execute();
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await emit(trx, assigned([zhang, lee]));
        expect(await trx.selectFrom('jobs').select('kind').execute()).toEqual([{ kind: FANOUT_JOB }]);
        throw new Error('the ticket could not be saved');
      }),
    ).rejects.toThrow('the ticket could not be saved');
    for (const table of ['notifications', 'deliveries', 'jobs'] as const) {
      expect(await t.database.db.selectFrom(table).select('id').execute()).toEqual([]);
    }
    expect(await t.app.scheduler.drain()).toBe(0);
    expect(smtp.messages).toHaveLength(0);
  });

  it('follows preferences: defaults to every channel; a user who turns mail off for an event gets none for it', async () => {
    const s = await login(t.app, 'zhang');
    const prefs = await s.request({ method: 'GET', url: '/api/v1/notifications/prefs' });
    expect(prefs.statusCode).toBe(200);
    expect(prefs.json().channels).toEqual([
      { code: 'inapp', name: '站内通知' },
      { code: 'email', name: '邮件' },
    ]);
    expect(prefs.json().events).toContainEqual({ event: 'sla.breached', name: 'SLA 超时', channels: ['inapp', 'email'], isDefault: true });

    const put = await s.request({
      method: 'PUT',
      url: '/api/v1/notifications/prefs',
      payload: {
        events: [
          { event: 'ticket.assigned', channels: ['inapp'] },
          { event: 'ticket.reply', channels: [] },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const byEvent = new Map((put.json().events as Array<{ event: string; channels: string[]; isDefault: boolean }>).map((e) => [e.event, e]));
    expect(byEvent.get('ticket.assigned')).toMatchObject({ channels: ['inapp'], isDefault: false });
    expect(byEvent.get('ticket.reply')).toMatchObject({ channels: [], isDefault: false });
    expect(byEvent.get('ticket.created')).toMatchObject({ channels: ['inapp', 'email'], isDefault: true });
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('entity', '=', 'notification_prefs').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.after!)).toEqual({ 'ticket.assigned': ['inapp'], 'ticket.reply': [] });

    const r1 = await send(assigned([zhang, lee]));
    expect(r1).toMatchObject({ notifications: 2 });
    expect(r1.deliveries).toHaveLength(1);
    const r2 = await send({ ...assigned([zhang]), type: 'ticket.reply' });
    expect(r2).toEqual({ notifications: 0, deliveries: [] });
    const r3 = await send({ ...assigned([zhang]), type: 'ticket.created' });
    expect(r3.deliveries).toHaveLength(1);
    await t.app.scheduler.drain();
    expect(smtp.messages.map((m) => m.rcptTo[0]).sort()).toEqual(['lee@example.com', 'zhang@example.com']);

    const bad = await s.request({ method: 'PUT', url: '/api/v1/notifications/prefs', payload: { events: [{ event: 'ticket.nope', channels: ['sms'] }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['events[0].channels[0]', 'events[0].event']);
  });

  it('serves each user his own inbox: unread filter, keyset pages, unread count, read one, read all', async () => {
    for (let n = 1; n <= 3; n++) await send(assigned([zhang], n));
    await send(assigned([lee], 9));
    const s = await login(t.app, 'zhang');
    const count = async () => (await s.request({ method: 'GET', url: '/api/v1/notifications/unread-count' })).json().count;
    expect(await count()).toBe(3);

    const first = await s.request({ method: 'GET', url: '/api/v1/notifications?limit=2' });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((i: { entityId: string }) => i.entityId)).toEqual(['3', '2']);
    expect(first.json().items[0]).toMatchObject({ event: 'ticket.assigned', title: '工单 #3 已分派给您：打印机卡纸', link: '/tickets/3', entity: 'tickets', readAt: null });
    const second = await s.request({ method: 'GET', url: `/api/v1/notifications?limit=2&cursor=${first.json().nextCursor}` });
    expect(second.json()).toMatchObject({ items: [{ entityId: '1' }], nextCursor: null });

    const id3 = first.json().items[0].id;
    const read = await s.request({ method: 'POST', url: `/api/v1/notifications/${id3}/read` });
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).not.toBeNull();
    expect(await count()).toBe(2);
    const unread = await s.request({ method: 'GET', url: '/api/v1/notifications?unread=true' });
    expect(unread.json().items.map((i: { entityId: string }) => i.entityId)).toEqual(['2', '1']);

    // Lee's notification does not exist for Zhang.
    const leesId = (await t.database.db.selectFrom('notifications').select('id').where('user_id', '=', lee).executeTakeFirstOrThrow()).id;
    expect((await s.request({ method: 'POST', url: `/api/v1/notifications/${leesId}/read` })).statusCode).toBe(404);

    const all = await s.request({ method: 'POST', url: '/api/v1/notifications/read-all' });
    expect(all.json()).toEqual({ updated: 2 });
    expect(await count()).toBe(0);
    const leeSession = await login(t.app, 'lee');
    expect((await leeSession.request({ method: 'GET', url: '/api/v1/notifications/unread-count' })).json()).toEqual({ count: 1 });
  });

  it('hides notifications about customers outside the user\'s current scope', async () => {
    const db = t.database.db;
    const now = Date.now();
    const customer = await db
      .insertInto('customers')
      .values({ code: `C${Date.now() % 100000}`, name: '某银行', tier: 1, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await send({ ...assigned([wang], 7), customerId: Number(customer.id) });
    await send(assigned([wang], 8));
    const s = await login(t.app, 'wang');
    // wang serves no customer (no team): only the notification without a customer shows.
    const list = await s.request({ method: 'GET', url: '/api/v1/notifications' });
    expect(list.json().items.map((i: { entityId: string }) => i.entityId)).toEqual(['8']);
    expect((await s.request({ method: 'GET', url: '/api/v1/notifications/unread-count' })).json()).toEqual({ count: 1 });
  });
});
