import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, fanOutQueued, insertUser, login, STRONG_PASSWORD, type Session } from '../test/harness.js';
import { report, ticketWorld, type TicketWorld } from '../test/tickets-fixture.js';
import { linkToken } from '../modules/tickets/contact-confirm.js';
import { multipart, png } from '../test/uploads.js';
import { exampleOf, loadOpenApi, prng, rfc822, urlOf, type OpenApiDocument } from './openapi-client.js';

/**
 * OpenAPI truth: every operation of /api/openapi.json is called at least once with a valid
 * request (and a few with a wrong one), and every real response is checked against the document:
 * its status is one the operation lists, its media type one listed for that status, its body valid
 * by the schema (Ajv, JSON Schema 2020-12). Fails naming the operations never called, the ones
 * that never succeeded and every response the document does not describe.
 */
describeDb('OpenAPI truth: every operation, real responses against the document', (kind) => {
  let w: TicketWorld;
  let doc: OpenApiDocument;
  const mismatches: string[] = [];
  /** operation key → statuses seen */
  const seen = new Map<string, Set<number>>();

  beforeAll(async () => {
    // SMTP_URL: resolution mails (with their confirmation links) are queued; nothing sends them here.
    w = await ticketWorld(kind, { SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_URL: 'https://desk.example.com' });
    doc = await loadOpenApi(w.t.app);
  }, 120_000);
  afterAll(async () => {
    await w?.t.close();
  });

  /** One request (as `s`, or anonymous), checked against the document. */
  async function call(s: Session | null, opts: InjectOptions & { method: string; url: string }): Promise<LightMyRequestResponse> {
    const res = s ? await s.request(opts) : await w.t.app.inject(opts);
    const op = doc.match(opts.method.toUpperCase(), opts.url);
    if (!op) {
      mismatches.push(`${opts.method} ${opts.url}: no operation in the document (answered ${res.statusCode})`);
      return res;
    }
    if (!seen.has(op.key)) seen.set(op.key, new Set());
    seen.get(op.key)!.add(res.statusCode);
    mismatches.push(...doc.check(op, res));
    return res;
  }
  /** A call that must succeed with `status`; answers the JSON body (or null). */
  async function ok(s: Session | null, opts: InjectOptions & { method: string; url: string }, status = 200) {
    const res = await call(s, opts);
    expect(res.statusCode, `${opts.method} ${opts.url}: ${res.body.slice(0, 500)}`).toBe(status);
    return res.headers['content-type']?.toString().includes('json') && res.body ? res.json() : null;
  }
  const get = (s: Session | null, url: string) => ok(s, { method: 'GET', url });
  const post = (s: Session | null, url: string, payload?: unknown, status = 200) => ok(s, { method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) }, status);
  const patch = (s: Session | null, url: string, payload: unknown) => ok(s, { method: 'PATCH', url, payload: payload as object });
  const put = (s: Session | null, url: string, payload: unknown) => ok(s, { method: 'PUT', url, payload: payload as object });
  const del = (s: Session | null, url: string) => ok(s, { method: 'DELETE', url }, 204);
  const V1 = '/api/v1';
  const iso = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString();
  const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

  it('answers every operation as the document says', { timeout: 180_000 }, async () => {
    const { admin, desk, eng, custA } = w;
    const a = w.a;

    // ---------------------------------------------------------------- auth and accounts
    await post(null, `${V1}/auth/login`, { username: 'admin', password: STRONG_PASSWORD });
    await call(null, { method: 'POST', url: `${V1}/auth/login`, payload: { username: 'admin', password: 'wrong-password' } });
    await call(null, { method: 'GET', url: `${V1}/auth/me` });
    await get(admin, `${V1}/auth/me`);
    await patch(admin, `${V1}/auth/me`, { displayName: '系统管理员' });
    await get(admin, `${V1}/auth/tokens`);
    const mailToken = await post(admin, `${V1}/auth/tokens`, { name: '邮件管道', scopes: ['mail.inbound'] }, 201);
    const tmpToken = await post(admin, `${V1}/auth/tokens`, { name: '临时', expiresInDays: 1 }, 201);
    await del(admin, `${V1}/auth/tokens/${tmpToken.id}`);

    await get(admin, `${V1}/users`);
    const user = await post(admin, `${V1}/users`, { username: 'truth_user', displayName: '测试用户', roleCodes: ['engineer'], password: STRONG_PASSWORD }, 201);
    await get(admin, `${V1}/users/${user.id}`);
    await call(admin, { method: 'GET', url: `${V1}/users/999999` });
    await patch(admin, `${V1}/users/${user.id}`, { version: user.version, phone: '13800000000' });
    await post(admin, `${V1}/users/${user.id}/disable`);
    await post(admin, `${V1}/users/${user.id}/enable`);
    await post(admin, `${V1}/users/${user.id}/unlock`);
    await post(admin, `${V1}/users/${user.id}/password`, { newPassword: 'Another#Strong-2026' }, 204);
    await del(admin, `${V1}/users/${user.id}`);

    await insertUser(w.t.database, { username: 'truth_pw', roles: ['engineer'] });
    const pw = await login(w.t.app, 'truth_pw');
    await post(pw, `${V1}/auth/password`, { currentPassword: STRONG_PASSWORD, newPassword: 'Changed#Strong-2026' }, 204);
    const pw2 = await login(w.t.app, 'truth_pw', 'Changed#Strong-2026');
    await post(pw2, `${V1}/auth/logout-all`);
    const pw3 = await login(w.t.app, 'truth_pw', 'Changed#Strong-2026');
    await post(pw3, `${V1}/auth/logout`, undefined, 204);

    await get(admin, `${V1}/roles`);
    await get(admin, `${V1}/permissions`);
    const role = await post(admin, `${V1}/roles`, { code: 'truth_role', nameZh: '测试角色', nameEn: 'Test role', permissions: ['tickets.read'] }, 201);
    await get(admin, `${V1}/roles/${role.id}`);
    await patch(admin, `${V1}/roles/${role.id}`, { version: role.version, nameEn: 'Test role 2' });
    await del(admin, `${V1}/roles/${role.id}`);
    await get(admin, `${V1}/audit?limit=5`);

    await get(admin, `${V1}/teams`);
    const team = await post(admin, `${V1}/teams`, { name: '测试组', kind: 'other' }, 201);
    await get(admin, `${V1}/teams/${team.id}`);
    await patch(admin, `${V1}/teams/${team.id}`, { version: team.version, description: '临时' });
    await del(admin, `${V1}/teams/${team.id}`);

    // ---------------------------------------------------------------- organisation
    await get(admin, `${V1}/customers`);
    const cust = await post(admin, `${V1}/customers`, { code: 'TRUTH', name: '测试客户', tier: 2 }, 201);
    await get(admin, `${V1}/customers/${cust.id}`);
    const custPatched = await patch(admin, `${V1}/customers/${cust.id}`, { version: cust.version, notes: '真相测试' });
    await post(admin, `${V1}/customers/${cust.id}/archive`);
    await post(admin, `${V1}/customers/${cust.id}/unarchive`);
    expect(custPatched.id).toBe(cust.id);
    const doomed = await post(admin, `${V1}/customers`, { code: 'TRUTHDEL', name: '待删客户', tier: 3 }, 201);
    await del(admin, `${V1}/customers/${doomed.id}`);

    await get(admin, `${V1}/customers/${a.customerId}/sites`);
    const site = await post(admin, `${V1}/customers/${cust.id}/sites`, { name: '总部机房' }, 201); // the import template's example row names it
    await get(admin, `${V1}/sites/${site.id}`);
    await patch(admin, `${V1}/sites/${site.id}`, { version: site.version, address: '江州市中山路 1 号' });
    await get(custA, `${V1}/portal/sites`);

    await get(admin, `${V1}/customers/${a.customerId}/contacts`);
    const contact = await post(admin, `${V1}/customers/${cust.id}/contacts`, { name: '测试联系人', phone: '010-12345678', email: 'truth@example.com' }, 201);
    await get(admin, `${V1}/contacts/${contact.id}`);
    await patch(admin, `${V1}/contacts/${contact.id}`, { version: contact.version, title: '科长' });
    await get(admin, `${V1}/contacts/search?q=${encodeURIComponent('测试')}`);
    const template = await call(admin, { method: 'GET', url: `${V1}/contacts/import-template.xlsx` });
    expect(template.statusCode).toBe(200);
    await call(admin, { method: 'POST', url: `${V1}/customers/${cust.id}/contacts/import`, payload: {} });
    const imported = await call(admin, { method: 'POST', url: `${V1}/customers/${cust.id}/contacts/import`, ...multipart({}, { name: '联系人.xlsx', bytes: template.rawPayload }) });
    expect(imported.statusCode, imported.body).toBe(200);

    // The fixture's contact gets an address: resolution mails (and their links) go to it.
    const contactA = await get(admin, `${V1}/contacts/${a.contactId}`);
    await patch(admin, `${V1}/contacts/${a.contactId}`, { version: contactA.version, email: 'a-contact@example.com' });

    await get(admin, `${V1}/customers/${a.customerId}/contracts`);
    const contract = await post(admin, `${V1}/customers/${cust.id}/contracts`, { code: 'HT-TRUTH', name: '测试合同', startsOn: day(-30), endsOn: day(300), services: ['桌面运维'], serviceHours: '5x8' }, 201);
    await get(admin, `${V1}/contracts/${contract.id}`);
    const contractV2 = await patch(admin, `${V1}/contracts/${contract.id}`, { version: contract.version, notes: '测试' });

    // ---------------------------------------------------------------- service levels
    await get(admin, `${V1}/sla/templates`);
    await get(admin, `${V1}/contracts/${contract.id}/sla`);
    await post(admin, `${V1}/contracts/${contract.id}/sla/apply-template`, { templateId: 'T4', policyId: 't4-tier1', version: contractV2.version });
    const sla = await get(admin, `${V1}/contracts/${contract.id}/sla`);
    await put(admin, `${V1}/contracts/${contract.id}/sla`, { ...sla.sla, version: sla.version });
    await get(admin, `${V1}/contracts/${contract.id}/sla/preview?impact=high&urgency=high&reportedAt=${encodeURIComponent(iso(0))}`);
    await post(admin, `${V1}/sla/preview`, { matrix: sla.sla.matrix, policy: sla.sla.policy, impact: 'high', urgency: 'high', reportedAt: iso(0) });

    await get(admin, `${V1}/calendars`);
    await get(admin, `${V1}/calendars/cn-5x8`);
    const cal = await post(admin, `${V1}/calendars`, { copyFrom: 'cn-5x8', id: 'truth-cal', name: '测试日历' }, 201);
    await put(admin, `${V1}/calendars/truth-cal`, { name: '测试日历 2', timeZone: cal.timeZone, weekly: cal.weekly, holidays: cal.holidays, workdays: cal.workdays, version: cal.version });
    await get(admin, `${V1}/calendars/truth-cal/deadline?start=${encodeURIComponent('2026-03-05T14:30:00+08:00')}&minutes=60`);
    await get(admin, `${V1}/calendars/truth-cal/working-minutes?from=${encodeURIComponent('2026-03-05T08:00:00+08:00')}&to=${encodeURIComponent('2026-03-06T18:00:00+08:00')}`);
    await get(admin, `${V1}/calendars/truth-cal/month?month=2026-10`);
    const ics = await call(admin, { method: 'GET', url: `${V1}/calendars/truth-cal/ics` });
    expect(ics.statusCode).toBe(200);
    await post(admin, `${V1}/calendars/truth-cal/ics`, { ics: ics.body });
    await del(admin, `${V1}/calendars/truth-cal`);

    // ---------------------------------------------------------------- jobs
    await get(admin, `${V1}/jobs?status=failed`);
    const now = Date.now();
    const job = await w.t.database.db
      .insertInto('jobs')
      .values({ kind: 'truth.nothing', key: null, payload: '{}', run_at: now, status: 'failed', attempts: 3, max_attempts: 3, locked_by: null, locked_until: null, last_error: 'boom', created_at: now, updated_at: now, finished_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await post(admin, `${V1}/jobs/${job.id}/retry`, undefined, 204);
    await w.t.database.db.deleteFrom('jobs').where('id', '=', job.id).execute();

    // ---------------------------------------------------------------- tickets
    const t1 = await post(desk, `${V1}/tickets`, report(a), 201);
    const t2 = await post(desk, `${V1}/tickets`, report(a, { title: '打印机卡纸' }), 201);
    const t3 = await post(custA, `${V1}/tickets`, report(a, { title: '门户报障' }), 201);
    await get(desk, `${V1}/tickets?state=new,assigned&sort=sla`);
    await get(desk, `${V1}/tickets/${t1.id}`);
    await patch(desk, `${V1}/tickets/${t1.id}`, { version: t1.version, title: '财务系统无法登录（全部门）' });
    await post(desk, `${V1}/tickets/${t1.id}/actions/assign`, { teamId: w.teams.line1, assigneeId: w.users.eng });
    await post(desk, `${V1}/tickets/bulk-assign`, { ids: [t2.id, t3.id], teamId: w.teams.line1, assigneeId: w.users.eng });
    await post(eng, `${V1}/tickets/${t1.id}/actions/accept`, {});
    await post(eng, `${V1}/tickets/${t1.id}/actions/start`, {});
    await post(eng, `${V1}/tickets/${t1.id}/replies`, { body: '正在排查', visibility: 'public' }, 201);
    await post(eng, `${V1}/tickets/${t1.id}/worklogs`, { minutes: 30, mode: 'remote', note: '远程检查' }, 201);
    await post(eng, `${V1}/tickets/${t1.id}/visits`, { event: 'arrive' }, 201);
    await post(eng, `${V1}/tickets/${t1.id}/links`, { otherId: t2.id, kind: 'related' });
    await del(eng, `${V1}/tickets/${t1.id}/links/${t2.id}`);
    const attached = await call(eng, { method: 'POST', url: `${V1}/tickets/${t1.id}/attachments?visibility=public`, ...multipart({}, { name: 'screen.png', bytes: png(200, 80), type: 'image/png' }) });
    expect(attached.statusCode, attached.body).toBe(201);
    const fileId = attached.json().data.fileId;
    const download = await call(custA, { method: 'GET', url: `${V1}/tickets/${t1.id}/attachments/${fileId}` });
    expect(download.statusCode, download.body).toBe(200);
    await post(eng, `${V1}/tickets/${t2.id}/escalate`, { kind: 'functional', reason: '需要二线支持', toTeamId: w.teams.desk });

    // A repair report signed on screen (t1), one signed on paper (t2 — a fresh one).
    await call(eng, { method: 'GET', url: `${V1}/tickets/${t1.id}/repair-report` });
    const r1 = await post(eng, `${V1}/tickets/${t1.id}/repair-report`, undefined, 201);
    await get(eng, `${V1}/tickets/${t1.id}/repair-report`);
    const r1b = await patch(eng, `${V1}/tickets/${t1.id}/repair-report`, { version: r1.version, fault: '无法登录', actions: '重启认证服务', result: 'fixed' });
    const pdf = await call(eng, { method: 'GET', url: `${V1}/tickets/${t1.id}/repair-report/pdf` });
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    await post(custA, `${V1}/tickets/${t1.id}/repair-report/sign`, { version: r1b.version, signerName: 'A 联系人', signaturePng: `data:image/png;base64,${png(200, 80).toString('base64')}` });
    const t4 = await post(desk, `${V1}/tickets`, report(a, { title: '交换机故障', teamId: w.teams.line1, assigneeId: w.users.eng }), 201);
    const r4 = await post(eng, `${V1}/tickets/${t4.id}/repair-report`, undefined, 201);
    const r4b = await patch(eng, `${V1}/tickets/${t4.id}/repair-report`, { version: r4.version, fault: '交换机宕机', actions: '更换电源', result: 'fixed' });
    const paper = await call(eng, {
      method: 'POST',
      url: `${V1}/tickets/${t4.id}/repair-report/paper-signed`,
      ...multipart({ version: String(r4b.version), signerName: 'A 联系人' }, { name: 'scan.pdf', bytes: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'), type: 'application/pdf' }),
    });
    expect(paper.statusCode, paper.body).toBe(200);
    const scan = await call(eng, { method: 'GET', url: `${V1}/tickets/${t4.id}/repair-report/scan` });
    expect(scan.statusCode, scan.body.slice(0, 200)).toBe(200);

    // Resolve t1: the customer confirms, rates and complains; t3 is resolved and rejected.
    await post(eng, `${V1}/tickets/${t1.id}/actions/resolve`, { resolution: '已重启认证服务，恢复正常' });
    await post(custA, `${V1}/tickets/${t1.id}/confirm`, {});
    await post(custA, `${V1}/tickets/${t1.id}/rating`, { score: 4, comment: '及时' }, 201);
    await post(custA, `${V1}/tickets/${t1.id}/complaint`, { text: '第一次上门没带备件' }, 201);
    await post(eng, `${V1}/tickets/${t3.id}/actions/accept`, {});
    await post(eng, `${V1}/tickets/${t3.id}/actions/resolve`, { resolution: '已处理' });
    await post(custA, `${V1}/tickets/${t3.id}/reject`, { reason: '问题仍在' });

    // A confirmation link of a resolution mail (t4's, to the contact's address).
    await post(eng, `${V1}/tickets/${t4.id}/actions/accept`, {});
    await post(eng, `${V1}/tickets/${t4.id}/actions/resolve`, { resolution: '已更换电源' });
    const mail = await w.t.database.db.selectFrom('contact_mails').selectAll().where('ticket_id', '=', t4.id).where('kind', '=', 'resolved').executeTakeFirstOrThrow();
    const link = linkToken(w.t.config, mail as Parameters<typeof linkToken>[1]);
    await get(null, `${V1}/public/confirm/${link}`);
    await post(null, `${V1}/public/confirm/${link}`, { decision: 'confirm', rating: 5 });
    await call(null, { method: 'GET', url: `${V1}/public/confirm/1.abc.0123456789012345678901234567890123456789012` });

    // ---------------------------------------------------------------- dispatch rules
    await get(admin, `${V1}/dispatch-rules`);
    const rule = await post(admin, `${V1}/dispatch-rules`, { name: '打印机', customerId: a.customerId, category: '打印机', teamId: w.teams.line1 }, 201);
    await get(admin, `${V1}/dispatch-rules/${rule.id}`);
    await patch(admin, `${V1}/dispatch-rules/${rule.id}`, { version: rule.version, name: '打印机故障' });
    await get(admin, `${V1}/dispatch-rules/match?customerId=${a.customerId}&kind=incident&category=${encodeURIComponent('打印机')}`);
    const rules = await get(admin, `${V1}/dispatch-rules?limit=200`);
    await post(admin, `${V1}/dispatch-rules/reorder`, { ids: rules.items.map((r: { id: number }) => r.id).reverse() });
    await del(admin, `${V1}/dispatch-rules/${rule.id}`);

    // ---------------------------------------------------------------- notifications and integrations
    await fanOutQueued(w.t.database);
    const notes = await get(eng, `${V1}/notifications?unread=true`);
    await get(eng, `${V1}/notifications/unread-count`);
    expect(notes.items.length).toBeGreaterThan(0);
    await post(eng, `${V1}/notifications/${notes.items[0].id}/read`);
    await post(eng, `${V1}/notifications/read-all`);
    await get(eng, `${V1}/notifications/prefs`);
    await put(eng, `${V1}/notifications/prefs`, { events: [{ event: 'ticket.assigned', channels: ['inapp'] }] });

    await get(admin, `${V1}/webhooks`);
    const hook = await post(admin, `${V1}/webhooks`, { name: '企业微信群', kind: 'wecom', url: 'https://qyapi.weixin.qq.invalid/cgi-bin/webhook/send?key=abc', events: ['ticket.created'] }, 201);
    await get(admin, `${V1}/webhooks/${hook.id}`);
    await patch(admin, `${V1}/webhooks/${hook.id}`, { version: hook.version, enabled: false });
    await post(admin, `${V1}/webhooks/${hook.id}/test`);
    await get(admin, `${V1}/deliveries`);
    await del(admin, `${V1}/webhooks/${hook.id}`);

    // ---------------------------------------------------------------- alerts
    const source = await post(admin, `${V1}/alert-sources`, { customerId: a.customerId, name: 'Prometheus', format: 'generic', contactId: a.contactId }, 201);
    await get(admin, `${V1}/alert-sources`);
    await get(admin, `${V1}/alert-sources/${source.id}`);
    const sourceV2 = await patch(admin, `${V1}/alert-sources/${source.id}`, { version: source.version, repeatNoteMinutes: 30 });
    await ok(null, { method: 'POST', url: `${V1}/alerts/${source.id}`, headers: { authorization: `Bearer ${source.token}` }, payload: { fingerprint: 'db01-disk', title: '磁盘空间不足', severity: 'critical', host: 'db01' } });
    await call(null, { method: 'POST', url: `${V1}/alerts/${source.id}`, headers: { authorization: 'Bearer wrong' }, payload: {} });
    await get(admin, `${V1}/alerts?sourceId=${source.id}`);
    await post(admin, `${V1}/alert-sources/${source.id}/rotate-token`, { version: sourceV2.version });
    await del(admin, `${V1}/alert-sources/${source.id}`);

    // ---------------------------------------------------------------- inbound mail
    const mailbox = await post(admin, `${V1}/mail/mailboxes`, { address: 'helpdesk-a@example.com', customerId: a.customerId }, 201);
    await get(admin, `${V1}/mail/mailboxes`);
    await get(admin, `${V1}/mail/mailboxes/${mailbox.id}`);
    await patch(admin, `${V1}/mail/mailboxes/${mailbox.id}`, { version: mailbox.version, name: 'A 服务台' });
    const inbound = await ok(null, {
      method: 'POST',
      url: `${V1}/mail/inbound?recipient=helpdesk-a@example.com`,
      headers: { authorization: `Bearer ${mailToken.token}`, 'content-type': 'message/rfc822' },
      payload: rfc822('a-contact@example.com', 'helpdesk-a@example.com', '服务器无法访问', '今天上午服务器无法访问。'),
    });
    await get(admin, `${V1}/mail/log`);
    await get(admin, `${V1}/mail/log/${inbound.logId}`);
    await del(admin, `${V1}/mail/mailboxes/${mailbox.id}`);

    // ---------------------------------------------------------------- clean-up deletes
    await del(admin, `${V1}/contacts/${contact.id}`);
    await del(admin, `${V1}/sites/${site.id}`);
    await del(admin, `${V1}/contracts/${contract.id}`);

    // ---------------------------------------------------------------- KPIs (modules/reporting, docs/KPIS.md)
    await get(admin, `${V1}/reporting/kpis`);
    const kpiRange = `from=${new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)}&to=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`;
    const kpiCodes = 'tickets.opened,sla.response.met_rate,time.restore.p90,backlog.open,satisfaction.mean';
    await get(admin, `${V1}/reporting/metrics?kpis=${kpiCodes}&${kpiRange}&groupBy=customer`);
    await get(admin, `${V1}/reporting/metrics?kpis=${kpiCodes}&${kpiRange}&groupBy=week&customerId=${a.customerId}`);
    await call(admin, { method: 'GET', url: `${V1}/reporting/metrics.xlsx?kpis=${kpiCodes}&${kpiRange}` });
    await get(admin, `${V1}/reporting/drill?kpi=tickets.opened&${kpiRange}&customerId=${a.customerId}&limit=2`);

    // ---------------------------------------------------------------- operations the scenario above does not know yet
    // (added since it was written): one request built from the schema with ids that exist, so that
    // each is at least called and checked. Named in the output: give them a real step above.
    const rng = prng(1);
    const idFor: Record<string, unknown> = { calendars: 'cn-5x8', contracts: a.contractId, customers: a.customerId, tickets: t2.id, users: w.users.eng, teams: w.teams.line1, sites: a.siteId, contacts: a.contactId };
    const unscripted: string[] = [];
    for (const op of doc.operations.filter((o) => !seen.has(o.key))) {
      const params = Object.fromEntries(op.pathParams.map((p) => [p.name, idFor[op.path.split('/')[3]] ?? 1]));
      const known = { customerId: a.customerId, contactId: a.contactId, siteId: a.siteId, contractId: a.contractId, version: 1 };
      const query = Object.fromEntries(op.queryParams.filter((p) => p.required).map((p) => [p.name, exampleOf(p.schema, rng, known, p.name)]));
      const body = op.body ? { payload: exampleOf(op.body, rng, known) as object } : {};
      const res = await call(op.isPublic ? null : admin, { method: op.method, url: urlOf(op, params, query), ...body });
      unscripted.push(`${op.key} → ${res.statusCode}`);
    }
    if (unscripted.length) console.log(`[${kind}] operations without a scripted step (called once from their schema):\n  ${unscripted.join('\n  ')}`);

    // ---------------------------------------------------------------- the verdict
    const lines = doc.operations.map((op) => `${op.key}: ${[...(seen.get(op.key) ?? [])].sort().join(', ') || '-'}`);
    console.log(`[${kind}] OpenAPI truth: ${seen.size}/${doc.operations.length} operations called\n  ${lines.join('\n  ')}`);
    const notCalled = doc.operations.filter((op) => !seen.has(op.key)).map((op) => op.key);
    const fromSchema = new Set(unscripted.map((u) => u.split(' → ')[0]));
    const neverSucceeded = doc.operations.filter((op) => seen.has(op.key) && !fromSchema.has(op.key) && ![...seen.get(op.key)!].some((s) => s < 300)).map((op) => op.key);
    expect(mismatches, 'responses the document does not describe').toEqual([]);
    expect(notCalled, 'operations never called').toEqual([]);
    expect(neverSucceeded, 'operations that never succeeded').toEqual([]);
  });

  it('the check finds what the document does not say', async () => {
    // GET /auth/me's answer is no team, and 200 is not an answer DELETE /teams/{id} has.
    const me = await w.admin.request({ method: 'GET', url: `${V1}/auth/me` });
    expect(doc.check(doc.byKey.get(`GET ${V1}/teams/{id}`)!, me).join()).toMatch(/does not match the document/);
    expect(doc.check(doc.byKey.get(`DELETE ${V1}/teams/{id}`)!, me).join()).toMatch(/status 200 is not documented/);
    expect(doc.check(doc.byKey.get(`GET ${V1}/auth/me`)!, me)).toEqual([]);
  });

  it('documents the error responses and media types of every operation', () => {
    const missing: string[] = [];
    for (const op of doc.operations) {
      const statuses = Object.keys(op.responses).map(Number);
      if (!op.isPublic && !statuses.includes(401)) missing.push(`${op.key}: 401`);
      if (op.pathParams.length && !statuses.includes(404)) missing.push(`${op.key}: 404`);
      if ((op.body || op.queryParams.length || op.pathParams.length) && !statuses.includes(400)) missing.push(`${op.key}: 400`);
      for (const s of statuses.filter((x) => x >= 400)) {
        if (!op.responses[String(s)]['application/problem+json']) missing.push(`${op.key}: ${s} is not problem+json`);
      }
    }
    expect(missing).toEqual([]);
    const media = (key: string) => Object.keys(doc.byKey.get(key)!.responses['200']);
    expect(media(`GET ${V1}/tickets/{id}/repair-report/pdf`)).toEqual(['application/pdf']);
    expect(media(`GET ${V1}/calendars/{id}/ics`)).toEqual(['text/calendar']);
    expect(media(`GET ${V1}/contacts/import-template.xlsx`)).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    expect(media(`GET ${V1}/tickets/{id}/attachments/{fileId}`)).toEqual(['*/*']);
    expect(media(`GET ${V1}/tickets/{id}/repair-report/scan`)).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
  });
});
