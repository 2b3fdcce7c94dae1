import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, insertUser, login, type Session } from '../../test/harness.js';
import { act, customerWithContract, ok, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';

/**
 * Monitoring alert intake over real HTTP (app.inject): sources administered through the API,
 * alerts posted with the source's token in the three formats, tickets checked through the
 * tickets API. Customer A runs under T4 tier 1 (the default matrix: high × high = P1).
 */
describeDb('alerts: monitoring alert intake', (kind) => {
  let w: TicketWorld;
  let t3: Org;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    t3 = await customerWithContract(w.admin, 'MON3', null, { templateId: 'T3' });
  });
  afterAll(() => w.t.close());

  const MIN = 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  interface Source {
    id: number;
    token: string;
    version: number;
    intakePath: string;
  }

  async function addSource(body: Record<string, unknown>, s: Session = w.admin): Promise<Source> {
    return ok(await s.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, contactId: w.a.contactId, siteId: w.a.siteId, format: 'alertmanager', ...body } }), 201);
  }

  function post(source: { id: number }, body: unknown, token: string | null, opts: { query?: boolean; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (token && !opts.query) headers.authorization = `Bearer ${token}`;
    const url = `/api/v1/alerts/${source.id}${token && opts.query ? `?token=${encodeURIComponent(token)}` : ''}`;
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    return w.t.app.inject({ method: 'POST', url, headers, payload: body as string | object });
  }

  interface AmAlert {
    fp: string;
    status?: 'firing' | 'resolved';
    severity?: string;
    name?: string;
    startsAt?: number;
    endsAt?: number;
  }

  /** An Alertmanager webhook v4 body, as Alertmanager 0.27 posts it. */
  function am(alerts: AmAlert[]) {
    return {
      version: '4',
      groupKey: '{}:{alertname="HostDown"}',
      truncatedAlerts: 0,
      status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
      receiver: 'yunwei',
      groupLabels: { alertname: 'HostDown' },
      commonLabels: { job: 'node' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example:9093',
      alerts: alerts.map((a) => ({
        status: a.status ?? 'firing',
        labels: { alertname: a.name ?? 'HostDown', instance: `${a.fp}:9100`, job: 'node', severity: a.severity ?? 'critical' },
        annotations: { summary: `${a.fp} 无法访问`, description: `节点 ${a.fp} 已 5 分钟无响应` },
        startsAt: iso(a.startsAt ?? Date.now() - 5 * MIN),
        endsAt: a.endsAt ? iso(a.endsAt) : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up+%3D%3D+0',
        fingerprint: a.fp,
      })),
    };
  }

  const ticket = async (id: number) => ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));
  const notes = (tk: { timeline: Array<{ type: string; visibility: string; data: { body?: string } }> }) => tk.timeline.filter((e) => e.type === 'note').map((e) => e.data.body!);
  const monitoringTickets = async () => Number((await w.t.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('channel', '=', 'monitoring').executeTakeFirstOrThrow()).n);

  it('creates a source whose token is shown once and kept only as a hash; audited without the token', async () => {
    const src = await addSource({ name: 'Prometheus 生产', service: '服务器运维', category: '主机' });
    expect(src.token).toMatch(/^ywa_[A-Za-z0-9_-]{32}$/);
    expect(src).toMatchObject({ format: 'alertmanager', enabled: true, autoResolve: false, repeatNoteMinutes: 60, intakePath: `/api/v1/alerts/${src.id}`, customerName: '客户A', contactName: 'A 联系人', siteName: 'A 机房', locale: 'zh-CN' });
    expect((src as unknown as { severityMap: Record<string, unknown> }).severityMap).toMatchObject({ critical: { impact: 'high', urgency: 'high' }, disaster: { impact: 'high', urgency: 'high' }, '*': { impact: 'medium', urgency: 'medium' } });
    const got = ok(await w.admin.request({ method: 'GET', url: `/api/v1/alert-sources/${src.id}` }));
    expect(got.token).toBeUndefined();
    expect(got.tokenHint).toBe(src.token.slice(-4));
    const row = await w.t.database.db.selectFrom('alert_sources').selectAll().where('id', '=', src.id).executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(src.token);
    expect(row.token_hash).toHaveLength(64);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=alert_sources&entityId=${src.id}` }));
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual(['create']);
    expect(JSON.stringify(audit.items)).not.toContain(src.token);
    expect(JSON.stringify(audit.items)).not.toContain(row.token_hash);
  });

  it('refuses bad sources naming the field: another customer\'s contact, a level not on the matrix, a duplicate name', async () => {
    const res = await w.admin.request({
      method: 'POST',
      url: '/api/v1/alert-sources',
      payload: { customerId: w.a.customerId, contactId: w.b.contactId, name: '错联系人', format: 'generic', severityMap: { critical: { impact: 'extreme', urgency: 'high' } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ field: 'contactId', message: '联系人：联系人不存在或不属于该客户' }),
      expect.objectContaining({ field: 'severityMap.critical.impact', message: '影响度“extreme”未在合同的优先级矩阵中定义，可选：high, medium, low' }),
    ]);
    await addSource({ name: '重名', format: 'generic' });
    const dup = await w.admin.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, contactId: w.a.contactId, name: '重名', format: 'zabbix' } });
    expect(dup.statusCode).toBe(409);
    const missing = await w.admin.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, name: 'x', format: 'nagios' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['contactId', 'format']);
  });

  it('an Alertmanager firing alert opens one incident for the source\'s customer: priority from the matrix, channel monitoring, reported when it started', async () => {
    const src = await addSource({ name: 'AM 建单', service: '服务器运维', category: '主机' });
    const startsAt = Date.now() - 7 * MIN;
    const res = await post(src, am([{ fp: 'a1b2c3d4e5f60001', startsAt }]), src.token);
    const body = ok(res);
    expect(body).toMatchObject({ received: 1, outcomes: { created: 1 } });
    const [r] = body.results;
    expect(r).toMatchObject({ fingerprint: 'a1b2c3d4e5f60001', status: 'firing', outcome: 'created' });
    const tk = await ticket(r.ticketId);
    expect(tk).toMatchObject({
      number: r.ticketNumber,
      kind: 'incident',
      customerId: w.a.customerId,
      contactId: w.a.contactId,
      siteId: w.a.siteId,
      channel: 'monitoring',
      impact: 'high',
      urgency: 'high',
      priority: 'P1',
      service: '服务器运维',
      category: '主机',
      title: '[HostDown] a1b2c3d4e5f60001 无法访问 (a1b2c3d4e5f60001:9100)',
      createdBy: null,
    });
    expect(Date.parse(tk.reportedAt)).toBe(startsAt);
    expect(tk.description).toContain('监控告警（Prometheus Alertmanager，告警源“AM 建单”）');
    expect(tk.description).toContain('节点 a1b2c3d4e5f60001 已 5 分钟无响应');
    expect(tk.description).toContain('label:instance = a1b2c3d4e5f60001:9100');
    // The SLA runs from the alert's start.
    expect(Date.parse(tk.sla.find((c: { metric: string }) => c.metric === 'response').dueAt) - startsAt).toBe(30 * MIN);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&entityId=${tk.id}` }));
    expect(audit.items[0]).toMatchObject({ action: 'create', actorName: 'monitoring:AM 建单' });

    // Severity maps through the source; an unknown one takes `*`.
    const warn = ok(await post(src, am([{ fp: 'warn-0001', severity: 'warning' }, { fp: 'odd-0001', severity: 'Page-Me' }]), src.token));
    const [w1, w2] = await Promise.all(warn.results.map((x: { ticketId: number }) => ticket(x.ticketId)));
    expect([w1.impact, w1.urgency, w1.priority]).toEqual(['medium', 'low', 'P4']);
    expect([w2.impact, w2.urgency, w2.priority]).toEqual(['medium', 'medium', 'P3']);
  });

  it('clamps the reported instant: a start in the future is now, one days ago is a day ago', async () => {
    const src = await addSource({ name: 'AM 时间' });
    const before = Date.now();
    const body = ok(await post(src, am([{ fp: 'future-1', startsAt: Date.now() + 3_600_000 }, { fp: 'old-1', startsAt: Date.now() - 3 * 86_400_000 }]), src.token));
    const after = Date.now();
    const [future, old] = await Promise.all(body.results.map((x: { ticketId: number }) => ticket(x.ticketId)));
    expect(Date.parse(future.reportedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(future.reportedAt)).toBeLessThanOrEqual(after);
    expect(Date.parse(old.reportedAt)).toBeGreaterThanOrEqual(before - 86_400_000);
    expect(Date.parse(old.reportedAt)).toBeLessThanOrEqual(after - 86_400_000);
  });

  it('a repeat of a firing alert is counted on its open ticket, noted at most once per interval; a recovery notes 监控告警已恢复 and leaves the ticket open', async () => {
    const src = await addSource({ name: 'AM 去重', repeatNoteMinutes: 30 });
    const first = ok(await post(src, am([{ fp: 'dedupe-1' }]), src.token)).results[0];
    const count = await monitoringTickets();
    for (let i = 0; i < 3; i++) {
      const again = ok(await post(src, am([{ fp: 'dedupe-1' }]), src.token)).results[0];
      expect(again).toMatchObject({ outcome: 'deduplicated', ticketId: first.ticketId, ticketNumber: first.ticketNumber });
      expect(again.message).toBe(`重复告警，已计入工单 ${first.ticketNumber}（每 30 分钟最多记录一次备注）`);
    }
    expect(await monitoringTickets()).toBe(count);
    expect(notes(await ticket(first.ticketId))).toEqual([]);

    // Half an hour later the next repeat writes one note, counting the ones in between.
    await w.t.database.db.updateTable('alert_bindings').set({ last_note_at: Date.now() - 31 * MIN }).where('source_id', '=', src.id).execute();
    expect(ok(await post(src, am([{ fp: 'dedupe-1' }]), src.token)).results[0].outcome).toBe('noted');
    expect(ok(await post(src, am([{ fp: 'dedupe-1' }]), src.token)).results[0].outcome).toBe('deduplicated');
    let tk = await ticket(first.ticketId);
    expect(notes(tk)).toHaveLength(1);
    expect(notes(tk)[0]).toMatch(/^监控告警持续触发：自 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 以来又收到 4 次$/);
    expect(tk.timeline.filter((e: { type: string }) => e.type === 'note').every((e: { visibility: string }) => e.visibility === 'internal')).toBe(true);

    const endsAt = Date.now() - MIN;
    const rec = ok(await post(src, am([{ fp: 'dedupe-1', status: 'resolved', endsAt }]), src.token)).results[0];
    expect(rec).toMatchObject({ status: 'resolved', outcome: 'noted', ticketId: first.ticketId });
    tk = await ticket(first.ticketId);
    expect(tk.state).toBe('new');
    expect(notes(tk).at(-1)).toMatch(/^监控告警已恢复\n恢复时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // The customer sees none of it.
    const portal = ok(await w.custA.request({ method: 'GET', url: `/api/v1/tickets/${first.ticketId}` }));
    expect(portal.timeline.map((e: { type: string }) => e.type)).not.toContain('note');
    // A repeated recovery is only counted; firing again after it is noted on the same ticket.
    expect(ok(await post(src, am([{ fp: 'dedupe-1', status: 'resolved' }]), src.token)).results[0].outcome).toBe('deduplicated');
    const refired = ok(await post(src, am([{ fp: 'dedupe-1' }]), src.token)).results[0];
    expect(refired).toMatchObject({ outcome: 'noted', ticketId: first.ticketId });
    expect(notes(await ticket(first.ticketId)).at(-1)).toBe('监控告警再次触发');
    expect(await monitoringTickets()).toBe(count);

    // A recovery of an alert without an open ticket changes nothing.
    expect(ok(await post(src, am([{ fp: 'never-fired', status: 'resolved' }]), src.token)).results[0]).toMatchObject({ outcome: 'ignored', ticketId: null });

    // Once the ticket is closed, the alert's next firing is a new ticket, linked to the old one.
    ok(await act(w.desk, first.ticketId, 'cancel', { reason: '告警已处理' }));
    const next = ok(await post(src, am([{ fp: 'dedupe-1' }]), src.token)).results[0];
    expect(next).toMatchObject({ outcome: 'created', message: `关联此前的工单 ${first.ticketNumber}` });
    expect(next.ticketId).not.toBe(first.ticketId);
    expect((await ticket(next.ticketId)).links).toEqual([expect.objectContaining({ otherId: first.ticketId, kind: 'related' })]);
  });

  it('two deliveries racing on one new alert open one ticket', async () => {
    const src = await addSource({ name: 'AM 并发' });
    const count = await monitoringTickets();
    const results = await Promise.all(Array.from({ length: 4 }, () => post(src, am([{ fp: 'race-1' }]), src.token)));
    const outcomes = results.map((r) => ok(r).results[0].outcome).sort();
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'created').every((o) => o === 'deduplicated')).toBe(true);
    expect(await monitoringTickets()).toBe(count + 1);
  });

  it('auto-resolve: resolves the ticket on recovery once it is being worked, says why not before', async () => {
    const src = await addSource({ name: 'AM 自动解决', autoResolve: true });
    const early = ok(await post(src, am([{ fp: 'auto-1' }]), src.token)).results[0];
    const rec = ok(await post(src, am([{ fp: 'auto-1', status: 'resolved' }]), src.token)).results[0];
    expect(rec).toMatchObject({ outcome: 'noted', message: '工单尚未受理（状态：new），未自动解决' });
    expect((await ticket(early.ticketId)).state).toBe('new');

    const first = ok(await post(src, am([{ fp: 'auto-2' }]), src.token)).results[0];
    ok(await act(w.desk, first.ticketId, 'assign', { teamId: w.teams.line1, assigneeId: w.users.eng }));
    ok(await act(w.eng, first.ticketId, 'accept'));
    const done = ok(await post(src, am([{ fp: 'auto-2', status: 'resolved' }]), src.token)).results[0];
    expect(done).toMatchObject({ outcome: 'resolved', ticketId: first.ticketId });
    const tk = await ticket(first.ticketId);
    expect(tk).toMatchObject({ state: 'resolved', resolution: '监控告警已恢复，按告警源“AM 自动解决”的设置自动解决' });
    expect(notes(tk).at(-1)).toBe('监控告警已恢复');
  });

  it('Zabbix: a problem opens a ticket at the event\'s local time, its recovery notes it; unexpanded macros are refused by name', async () => {
    const src = await addSource({ name: 'Zabbix 机房', format: 'zabbix', customerId: t3.customerId, contactId: t3.contactId, siteId: t3.siteId });
    const local = new Date(Date.now() + 8 * 3_600_000 - 10 * MIN); // Asia/Shanghai wall clock, ten minutes ago
    const p = (n: number) => String(n).padStart(2, '0');
    const eventTime = `${local.getUTCFullYear()}.${p(local.getUTCMonth() + 1)}.${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}`;
    const problem = {
      eventId: '48213',
      triggerId: '23671',
      status: 'PROBLEM',
      value: '1',
      severity: 'Disaster',
      name: 'Zabbix agent is not available',
      host: 'core-sw-01',
      message: 'Problem started at 14:30:00\nHost: core-sw-01',
      eventTime,
      tags: 'scope:availability',
      url: 'https://zabbix.example/tr_events.php?triggerid=23671&eventid=48213',
    };
    const created = ok(await post(src, problem, src.token)).results[0];
    expect(created).toMatchObject({ fingerprint: 'trigger:23671', outcome: 'created' });
    const tk = await ticket(created.ticketId);
    expect(tk).toMatchObject({ customerId: t3.customerId, channel: 'monitoring', priority: 'emergency', title: 'Zabbix agent is not available (core-sw-01)' });
    expect(Math.abs(Date.parse(tk.reportedAt) - (Date.now() - 10 * MIN))).toBeLessThan(2 * MIN);
    expect(tk.description).toContain('主机 = core-sw-01');

    const recovery = ok(await post(src, { ...problem, status: 'RESOLVED', value: '0', recoveryTime: eventTime }, src.token)).results[0];
    expect(recovery).toMatchObject({ status: 'resolved', outcome: 'noted', ticketId: created.ticketId });
    expect(notes(await ticket(created.ticketId)).at(-1)).toMatch(/^监控告警已恢复/);

    // {EVENT.VALUE} alone will do for the status; High → high × medium.
    const high = ok(await post(src, { eventId: '48300', value: 1, severity: 'High', subject: '接口流量过高' }, src.token)).results[0];
    expect(high.fingerprint).toBe('event:48300');
    expect((await ticket(high.ticketId)).priority).toBe('priority');

    const macro = await post(src, { ...problem, eventId: '{EVENT.ID}', triggerId: '{TRIGGER.ID}' }, src.token);
    expect(macro.statusCode).toBe(400);
    expect(macro.json().errors).toEqual([
      expect.objectContaining({ field: 'eventId', message: '事件 ID（eventId）为“{EVENT.ID}”：Zabbix 宏没有展开，请检查媒介类型的参数' }),
      expect.objectContaining({ field: 'triggerId' }),
    ]);
    const noStatus = await post(src, { eventId: '1', name: 'x' }, src.token);
    expect(noStatus.json().errors).toEqual([expect.objectContaining({ field: 'status', code: 'required' })]);
  });

  it('generic JSON: one alert or a list; bad fields are named and nothing is written', async () => {
    const src = await addSource({ name: '自研监控', format: 'generic', locale: 'en-US' });
    const one = ok(await post(src, { fingerprint: 'app-42', title: '订单服务响应超时', severity: 'major', host: 'app-01', description: 'p99 > 5s', labels: { env: 'prod' } }, src.token)).results[0];
    expect(one).toMatchObject({ outcome: 'created' });
    const tk = await ticket(one.ticketId);
    expect(tk).toMatchObject({ title: '订单服务响应超时 (app-01)', impact: 'high', urgency: 'medium', priority: 'P2' });
    expect(tk.description).toContain('Monitoring alert (generic JSON, source "自研监控")');
    const many = ok(await post(src, { alerts: [{ fingerprint: 'app-42', title: '订单服务响应超时' }, { fingerprint: 'db-7', title: '主库复制延迟', startsAt: Math.floor(Date.now() / 1000) - 120 }] }, src.token));
    expect(many.results.map((r: { outcome: string }) => r.outcome)).toEqual(['deduplicated', 'created']);
    const resolved = ok(await post(src, { fingerprint: 'db-7', status: 'resolved', title: '主库复制延迟' }, src.token)).results[0];
    expect(resolved.outcome).toBe('noted');
    expect(notes(await ticket(resolved.ticketId)).at(-1)).toBe('Monitoring alert recovered');

    const count = await monitoringTickets();
    const bad = await post(src, { alerts: [{ fingerprint: 'ok-1', title: 'fine' }, { fingerprint: 'bad-1', status: 'down', title: ' ' }, { title: 'x', severty: 'high' }] }, src.token);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['alerts[1].status', 'alerts[1].title', 'alerts[2].fingerprint', 'alerts[2]']);
    expect(bad.json().errors[1].message).toBe('The alert\'s title is required');
    expect(bad.json().errors[3]).toMatchObject({ code: 'unknownKey', message: expect.stringContaining('severty') });
    expect(await monitoringTickets()).toBe(count);
    const rejected = ok(await w.admin.request({ method: 'GET', url: `/api/v1/alerts?sourceId=${src.id}&outcome=rejected` }));
    expect(rejected.items).toHaveLength(1);
    expect(rejected.items[0].message).toContain('alerts[1].status');
  });

  it('refuses malformed posts: bad JSON, not an object, no alerts, the wrong Alertmanager version, too large', async () => {
    const src = await addSource({ name: 'AM 坏请求' });
    const badJson = await post(src, '{"alerts": [', src.token);
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().code).toBe('bad_json');
    const arr = await post(src, [], src.token);
    expect(arr.statusCode).toBe(400);
    expect(arr.json().errors[0]).toMatchObject({ field: '(body)', message: '请求体必须是 JSON 对象' });
    const noAlerts = await post(src, { version: '4', status: 'firing' }, src.token);
    expect(noAlerts.json().errors[0]).toMatchObject({ field: 'alerts', code: 'required' });
    const v3 = await post(src, { ...am([{ fp: 'v3' }]), version: '3' }, src.token);
    expect(v3.json().errors[0]).toMatchObject({ field: 'version', message: '版本：只支持 Alertmanager webhook 第 4 版（收到“3”）' });
    const noStatus = await post(src, { alerts: [{ labels: { alertname: 'x' } }] }, src.token);
    expect(noStatus.json().errors[0]).toMatchObject({ field: 'alerts[0].status', code: 'required' });
    const huge = await post(src, { alerts: [{ status: 'firing', labels: { alertname: 'x'.repeat(9 * 1024 * 1024) } }] }, src.token);
    expect(huge.statusCode).toBe(413);
    expect(huge.json().title).toContain('8 MB');
  });

  it('authenticates by the source\'s token only: a wrong, missing or another source\'s token is a 401; a disabled source a 403; rotation retires the old token', async () => {
    const a = await addSource({ name: 'AM 令牌 A' });
    const b = await addSource({ name: 'AM 令牌 B' });
    const body = am([{ fp: 'token-1' }]);
    const refused = { none: await post(a, body, null), wrong: await post(a, body, 'ywa_wrong'), otherSource: await post(a, body, b.token), unknownSource: await post({ id: 999_999 }, body, a.token), basic: await post(a, body, null, { headers: { authorization: 'Basic abc' } }) };
    for (const [why, res] of Object.entries(refused)) {
      expect(res.statusCode, why).toBe(401);
      expect(res.json().title).toContain('告警源令牌无效');
    }
    // A session cookie is no substitute for the token.
    expect((await w.admin.request({ method: 'POST', url: `/api/v1/alerts/${a.id}`, payload: body })).statusCode).toBe(401);
    expect(ok(await post(a, body, a.token, { query: true })).results[0].outcome).toBe('created');

    const off = ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/alert-sources/${b.id}`, payload: { version: b.version, enabled: false } }));
    const disabled = await post(b, body, b.token);
    expect(disabled.statusCode).toBe(403);
    expect(disabled.json()).toMatchObject({ code: 'source_disabled', title: '告警源“AM 令牌 B”已停用，不接收告警；请在“监控告警接入”中启用它' });
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/alert-sources/${b.id}`, payload: { version: off.version, enabled: true } }));

    const rotated = ok(await w.admin.request({ method: 'POST', url: `/api/v1/alert-sources/${a.id}/rotate-token`, payload: {} }));
    expect(rotated.token).not.toBe(a.token);
    expect((await post(a, body, a.token)).statusCode).toBe(401);
    expect(ok(await post(a, body, rotated.token)).results[0].outcome).toBe('deduplicated');
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=alert_sources&entityId=${a.id}` }));
    expect(audit.items.map((x: { action: string }) => x.action)).toContain('rotate_token');
  });

  it('lists received alerts newest first with keyset pages and links to their tickets', async () => {
    const src = await addSource({ name: 'AM 日志' });
    ok(await post(src, am([{ fp: 'log-1' }, { fp: 'log-2' }, { fp: 'log-3' }]), src.token));
    const p1 = ok(await w.admin.request({ method: 'GET', url: `/api/v1/alerts?sourceId=${src.id}&limit=2` }));
    expect(p1.items.map((i: { fingerprint: string }) => i.fingerprint)).toEqual(['log-3', 'log-2']);
    expect(p1.items[0]).toMatchObject({ sourceId: src.id, sourceName: 'AM 日志', customerId: w.a.customerId, status: 'firing', severity: 'critical', outcome: 'created', ticketNumber: expect.stringMatching(/^INC-/) });
    expect(JSON.parse(p1.items[0].payload)).toMatchObject({ fingerprint: 'log-3', labels: { alertname: 'HostDown' } });
    const p2 = ok(await w.admin.request({ method: 'GET', url: `/api/v1/alerts?sourceId=${src.id}&limit=2&cursor=${p1.nextCursor}` }));
    expect(p2.items.map((i: { fingerprint: string }) => i.fingerprint)).toEqual(['log-1']);
    expect(p2.nextCursor).toBeNull();
    const got = ok(await w.admin.request({ method: 'GET', url: `/api/v1/alert-sources/${src.id}` }));
    expect(got.lastAlertAt).not.toBeNull();
    expect((await w.admin.request({ method: 'GET', url: '/api/v1/alerts?cursor=garbage' })).statusCode).toBe(400);
  });

  it('keeps sources within the manager\'s customer scope, and out of the hands of customer staff and the desk', async () => {
    const other = await addSource({ name: 'B 的监控', customerId: w.b.customerId, contactId: w.b.contactId, siteId: w.b.siteId });
    const db = w.t.database.db;
    const now = Date.now();
    const role = await db
      .insertInto('roles')
      .values({ code: `monitoring_${kind}`, name_zh: '监控接入', name_en: 'Monitoring', builtin: 0, permissions: '["alerts.manage"]', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await insertUser(w.t.database, { username: 'monitor', roles: [] });
    await db.insertInto('user_roles').values({ user_id: user, role_id: role.id }).execute();
    ok(await w.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: '监控组', kind: 'line2', memberIds: [user], customerIds: [w.a.customerId] } }), 201);
    const s = await login(w.t.app, 'monitor');

    const mine = ok(await s.request({ method: 'GET', url: '/api/v1/alert-sources?limit=200' }));
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((x: { customerId: number }) => x.customerId === w.a.customerId)).toBe(true);
    expect((await s.request({ method: 'GET', url: `/api/v1/alert-sources/${other.id}` })).statusCode).toBe(404);
    expect((await s.request({ method: 'PATCH', url: `/api/v1/alert-sources/${other.id}`, payload: { version: other.version, enabled: false } })).statusCode).toBe(404);
    expect((await s.request({ method: 'POST', url: `/api/v1/alert-sources/${other.id}/rotate-token`, payload: {} })).statusCode).toBe(404);
    expect((await s.request({ method: 'DELETE', url: `/api/v1/alert-sources/${other.id}` })).statusCode).toBe(404);
    const outside = await s.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.b.customerId, contactId: w.b.contactId, name: '越权', format: 'generic' } });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().errors[0].field).toBe('customerId');
    ok(await post(other, am([{ fp: 'b-only' }]), other.token));
    const log = ok(await s.request({ method: 'GET', url: '/api/v1/alerts?limit=200' }));
    expect(log.items.every((x: { customerId: number }) => x.customerId === w.a.customerId)).toBe(true);
    expect(ok(await s.request({ method: 'GET', url: `/api/v1/alerts?sourceId=${other.id}` })).items).toEqual([]);

    for (const who of [w.custA, w.custB, w.desk, w.eng]) {
      expect((await who.request({ method: 'GET', url: '/api/v1/alert-sources' })).statusCode).toBe(403);
      expect((await who.request({ method: 'GET', url: '/api/v1/alerts' })).statusCode).toBe(403);
      expect((await who.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, contactId: w.a.contactId, name: 'x', format: 'generic' } })).statusCode).toBe(403);
    }
    // Deleting a source keeps its tickets.
    const tickets = await monitoringTickets();
    expect((await w.admin.request({ method: 'DELETE', url: `/api/v1/alert-sources/${other.id}` })).statusCode).toBe(204);
    expect(await monitoringTickets()).toBe(tickets);
    expect((await post(other, am([{ fp: 'b-only' }]), other.token)).statusCode).toBe(401);
  });

  it('publishes the intake and the administration in the OpenAPI document; the intake needs no session', async () => {
    const doc = ok(await w.t.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/alerts/{sourceId}', '/api/v1/alerts', '/api/v1/alert-sources', '/api/v1/alert-sources/{id}', '/api/v1/alert-sources/{id}/rotate-token']));
    expect(doc.paths['/api/v1/alerts/{sourceId}'].post.security).toEqual([]);
  });

  it('takes a burst of 500 alerts in one Alertmanager post', async () => {
    const src = await addSource({ name: 'AM 风暴' });
    const started = Date.now();
    const res = await post(src, am(Array.from({ length: 500 }, (_, i) => ({ fp: `storm-${String(i).padStart(4, '0')}`, severity: i % 2 ? 'warning' : 'critical' }))), src.token);
    const elapsed = Date.now() - started;
    const body = ok(res);
    expect(body).toMatchObject({ received: 500, outcomes: { created: 500 } });
    expect(new Set(body.results.map((r: { ticketId: number }) => r.ticketId)).size).toBe(500);
    console.log(`[${kind}] 500 alerts → 500 tickets in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(120_000);
    // The same storm again only counts.
    const again = ok(await post(src, am(Array.from({ length: 500 }, (_, i) => ({ fp: `storm-${String(i).padStart(4, '0')}` }))), src.token));
    expect(again.outcomes).toEqual({ deduplicated: 500 });
  }, 300_000);
});
