import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { verifyChain } from '../platform/audit/service.js';
import { scopeOf } from '../platform/auth/repo.js';
import { createTestDatabase, describeDb, login, testConfig, type TestDatabase } from '../test/harness.js';
import { getSetting, PROVIDER_NAME_KEY, providerNameOf } from '../platform/settings/index.js';
import { openBlob } from '../platform/files/store.js';
import { MetricsService } from '../modules/reporting/metrics.service.js';
import { parseSignature } from '../modules/fieldservice/signature.js';
import { DEMO_DESK_HOTLINE, DEMO_DESK_HOURS, DEMO_PASSWORD, DEMO_PROVIDER, DemoExists, DemoRefused, loadDemo, type DemoResult } from './demo.js';

const OPEN = 'new,assigned,accepted,in_progress,waiting_customer,waiting_vendor';

describeDb('demo data', (kind) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let demo: DemoResult;
  const now = Date.now();
  const progress: number[] = [];
  const lines: string[] = [];
  // One session per user: the login rate limit counts every login of the suite.
  const sessions = new Map<string, Awaited<ReturnType<typeof login>>>();
  const as = async (username: string) => {
    if (!sessions.has(username)) sessions.set(username, await login(app, username, DEMO_PASSWORD));
    return sessions.get(username)!;
  };
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    demo = await loadDemo(t.database, (line) => lines.push(line), now, { tickets: 400, reports: 5, config: testConfig(), progress: (done) => progress.push(done) });
    app = await buildApp({ config: testConfig(), database: t.database, logger: false });
    await app.ready();
    // The whole demo (tickets, reports, knowledge, the CMDB family) takes ~20 s alone; more on a loaded CI machine.
  }, 180_000);
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('has a login for every built-in role, and each of them can log in', async () => {
    const roles = (await t.database.db.selectFrom('roles').select('code').where('builtin', '=', 1).execute()).map((r) => r.code);
    expect(new Set(demo.logins.map((l) => l.role))).toEqual(new Set(roles));
    for (const l of demo.logins) {
      expect(l.password).toBe(DEMO_PASSWORD);
      const s = await as(l.username);
      const me = await s.request({ method: 'GET', url: '/api/v1/auth/me' });
      expect(me.statusCode).toBe(200);
      expect(me.json().roles).toEqual([l.role]);
    }
  });

  it('scopes customer users to their customer and engineers to the customers their team serves', async () => {
    const tax = await as('tax_user');
    const me = (await tax.request({ method: 'GET', url: '/api/v1/auth/me' })).json();
    expect(me.customerId).toBe(demo.customerIds.tax);
    expect(me.customerName).toBe('江州市税务局');

    const scope = async (username: string) => {
      const u = await t.database.db.selectFrom('users').select(['id', 'customer_id']).where('username', '=', username).executeTakeFirstOrThrow();
      const perms = new Set((await t.database.db.selectFrom('user_roles').innerJoin('roles', 'roles.id', 'user_roles.role_id').select('roles.permissions').where('user_roles.user_id', '=', u.id).execute()).flatMap((r) => JSON.parse(r.permissions) as string[]));
      return scopeOf(t.database.db, { id: u.id, customer_id: u.customer_id }, perms);
    };
    const { hospital, tax: taxId, school } = demo.customerIds;
    const listed = async (username: string) => {
      const s = await as(username);
      const res = await s.request({ method: 'GET', url: '/api/v1/customers' });
      expect(res.statusCode).toBe(200);
      return (res.json().items as Array<{ id: number }>).map((c) => c.id).sort((a, b) => a - b);
    };
    expect(await listed('engineer')).toEqual([hospital, taxId].sort((a, b) => a - b));
    expect(await listed('pm')).toEqual([hospital]);
    expect(await listed('hospital_admin')).toEqual([hospital]);
    expect(await listed('auditor')).toEqual([hospital, taxId, school].sort((a, b) => a - b));
    expect(await scope('tax_user')).toEqual({ kind: 'customers', ids: [taxId] });
    expect(await scope('hospital_user')).toEqual({ kind: 'customers', ids: [hospital] });
    expect(await scope('engineer')).toEqual({ kind: 'customers', ids: [hospital, taxId].sort((a, b) => a - b) });
    expect(await scope('pm')).toEqual({ kind: 'customers', ids: [hospital] });
    expect(await scope('zhaolei')).toEqual({ kind: 'customers', ids: [hospital, taxId, school].sort((a, b) => a - b) });
    expect(await scope('desk')).toEqual({ kind: 'all' });
  });

  it('writes realistic contracts (last year\'s and this year\'s, each with an SLA policy from the template that fits), sites and contacts, and one audit entry', async () => {
    const contracts = await t.database.db.selectFrom('contracts').selectAll().orderBy('starts_on').orderBy('code').execute();
    const y = new Date(now + 8 * 3_600_000).getUTCFullYear();
    expect(contracts.map((c) => [c.code, c.service_hours, c.calendar_id, c.starts_on, c.ends_on])).toEqual(
      [y - 1, y].flatMap((year) => [
        [`HT-${year}-001`, '7x24', '24x7', `${year}-01-01`, `${year}-12-31`],
        [`HT-${year}-002`, '5x8', 'cn-5x8', `${year}-01-01`, `${year}-12-31`],
        [`HT-${year}-003`, '5x8', 'cn-5x8', `${year}-01-01`, `${year}-12-31`],
      ]),
    );
    const sla = (code: string) => JSON.parse(contracts.find((c) => c.code === code)!.sla_policy!);
    // The hospital's contract: 15 minutes' response and 2 hours on site for a major fault (T1 紧急).
    const hospital = sla(`HT-${y}-001`);
    expect(hospital.templateId).toBe('T1');
    expect(hospital.policy.targets.urgent.response).toEqual({ amount: 15, unit: 'minutes', calendarId: '24x7' });
    expect(hospital.policy.targets.urgent.onsite).toEqual({ amount: 2, unit: 'hours', calendarId: '24x7' });
    expect(sla(`HT-${y}-002`).templateId).toBe('T3');
    expect(sla(`HT-${y}-003`).policy.id).toBe('t4-tier3');
    const s = await as('admin');
    const policy = await s.request({ method: 'GET', url: `/api/v1/contracts/${contracts.find((c) => c.code === `HT-${y}-001`)!.id}/sla` });
    expect(policy.statusCode).toBe(200);
    expect(policy.json().sla.templateId).toBe('T1');
    const calendars = new Set((await t.database.db.selectFrom('calendars').select('id').execute()).map((c) => c.id));
    for (const c of contracts) expect(calendars.has(c.calendar_id)).toBe(true);
    for (const customerId of Object.values(demo.customerIds)) {
      const n = await t.database.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBeGreaterThanOrEqual(5);
      expect(Number(n.n)).toBeLessThanOrEqual(8);
    }
    const machineRoom = await t.database.db.selectFrom('sites').selectAll().where('name', '=', '门诊楼机房').executeTakeFirstOrThrow();
    expect(machineRoom.parent_id).not.toBeNull();
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'demo_load').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].entity).toBe('system');
    expect((await verifyChain(t.database.db)).ok).toBe(true);
  });

  it('loads a year of history with open tickets in every queue, SLA clocks running relative to now', async () => {
    const db = t.database.db;
    expect(progress.at(-1)).toBe(demo.counts.tickets);
    expect(demo.counts.tickets).toBeGreaterThanOrEqual(400);
    const range = await db.selectFrom('tickets').select((eb) => [eb.fn.min<number>('reported_at').as('first'), eb.fn.max<number>('reported_at').as('last')]).executeTakeFirstOrThrow();
    expect(Number(range.first)).toBeGreaterThan(now - 367 * 86_400_000);
    expect(Number(range.first)).toBeLessThan(now - 300 * 86_400_000);
    expect(Number(range.last)).toBeLessThanOrEqual(now);
    const kinds = new Set((await db.selectFrom('tickets').select('kind').distinct().execute()).map((r) => r.kind));
    expect(kinds).toEqual(new Set(['incident', 'request', 'consultation', 'complaint']));
    for (const state of ['new', 'assigned', 'in_progress', 'resolved', 'closed']) expect(demo.states[state], state).toBeGreaterThan(0);
    const types = new Set((await db.selectFrom('ticket_events').select('type').distinct().execute()).map((r) => r.type));
    for (const type of ['created', 'assigned', 'reply', 'visit', 'worklog', 'state_changed', 'rated', 'sla.warning', 'sla.breached']) expect(types.has(type), type).toBe(true);
    expect(demo.counts.ratings).toBeGreaterThan(0);
    // The scheduler picks the running clocks up: an SLA job per ticket with a clock to fire.
    const slaJobs = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'tickets.sla').where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect(Number(slaJobs.n)).toBeGreaterThan(0);

    const list = async (username: string, query: string) => {
      const s = await as(username);
      const res = await s.request({ method: 'GET', url: `/api/v1/tickets?limit=200&${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items as Array<{ id: number; kind: string; state: string; customerId: number; slaDueAt: string | null; slaStatus: string }>;
    };
    // The desk: undispatched tickets in its queue, and some due within the next hour.
    expect((await list('desk', `unassigned=true&team=mine&state=${OPEN}`)).length).toBeGreaterThan(0);
    const breaching = await list('desk', `breachingWithinMinutes=60&state=${OPEN}&sort=sla`);
    expect(breaching.some((x) => x.slaDueAt !== null && Date.parse(x.slaDueAt) > Date.now())).toBe(true);
    // The engineer: his own work, on the customers his team serves.
    const mine = await list('engineer', `mine=true&state=${OPEN}&sort=sla`);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((x) => x.customerId)).has(demo.customerIds.school)).toBe(false);
    // The project manager: breaches and due items of the contracts he manages (the hospital's).
    const breached = await list('pm', 'contract=mine&slaStatus=breached');
    expect(breached.length).toBeGreaterThan(0);
    expect(breached.every((x) => x.customerId === demo.customerIds.hospital && x.slaStatus === 'breached')).toBe(true);
    expect((await list('pm', `contract=mine&state=${OPEN}&sort=sla`)).length).toBeGreaterThan(0);
    // Quality: complaints (handled by 质量管理部) and low ratings.
    const complaints = await list('quality', 'kind=complaint');
    expect(complaints.length).toBeGreaterThan(0);
    expect(complaints.every((x) => x.kind === 'complaint')).toBe(true);
    const qualityTeam = await db.selectFrom('teams').select('id').where('kind', '=', 'quality').executeTakeFirstOrThrow();
    const byTeam = await db.selectFrom('tickets').select(['team_id', 'state']).where('kind', '=', 'complaint').where('state', '!=', 'cancelled').execute();
    expect(byTeam.filter((x) => x.state !== 'new').every((x) => Number(x.team_id) === Number(qualityTeam.id))).toBe(true);
    const low = await list('quality', 'ratingAtMost=3');
    expect(low.length).toBeGreaterThan(0);
    const scores = await db.selectFrom('ticket_ratings').select(['ticket_id', 'score']).where('ticket_id', 'in', low.map((x) => x.id)).execute();
    expect(scores.every((r) => r.score <= 3)).toBe(true);
    // The hospital's portal user sees the hospital's tickets only.
    const portal = await list('hospital_user', 'sort=-reported');
    expect(portal.length).toBeGreaterThan(0);
    expect(portal.every((x) => x.customerId === demo.customerIds.hospital)).toBe(true);
  });

  it('signs repair reports on the latest on-site incidents: the PDF stored with a signature, downloadable through the API', async () => {
    const db = t.database.db;
    expect(demo.counts.signedReports).toBe(5);
    const reports = await db.selectFrom('repair_reports').innerJoin('tickets', 'tickets.id', 'repair_reports.ticket_id').select(['repair_reports.ticket_id', 'repair_reports.number', 'repair_reports.state', 'repair_reports.signed_via', 'repair_reports.signer_name', 'repair_reports.signature_png', 'repair_reports.pdf_blob_id', 'repair_reports.pdf_sha256', 'repair_reports.diagnosis', 'repair_reports.result', 'repair_reports.started_at', 'tickets.number as ticket_number', 'tickets.kind', 'tickets.state as ticket_state', 'tickets.contact_id']).execute();
    expect(reports).toHaveLength(5);
    for (const r of reports) {
      expect(r.state).toBe('signed');
      expect(r.number).toBe(`${r.ticket_number}-R1`);
      expect(r.kind).toBe('incident');
      expect(['resolved', 'closed']).toContain(r.ticket_state);
      expect(['onsite', 'portal']).toContain(r.signed_via);
      expect(r.diagnosis).toBeTruthy();
      expect(r.result).toMatch(/^(fixed|temporary)$/);
      // Arrival from the ticket's on-site visit; the signer is the ticket's contact.
      expect(r.started_at).not.toBeNull();
      const contact = await db.selectFrom('contacts').select('name').where('id', '=', r.contact_id!).executeTakeFirstOrThrow();
      expect(r.signer_name).toBe(contact.name);
      // A handwritten signature, a real PNG of the pad's size.
      const signature = parseSignature(`data:image/png;base64,${r.signature_png}`);
      expect(signature.width).toBeGreaterThanOrEqual(300);
      // The PDF is in the database (platform/files).
      const blob = await openBlob(db, r.pdf_blob_id);
      const chunks: Buffer[] = [];
      for await (const c of blob.stream) chunks.push(c as Buffer);
      const pdf = Buffer.concat(chunks);
      expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
      expect(createHash('sha256').update(pdf).digest('hex')).toBe(r.pdf_sha256);
    }
    // The same person signs alike; the latest on-site incidents have them.
    const one = reports[0];
    const engineer = await as('admin');
    const report = await engineer.request({ method: 'GET', url: `/api/v1/tickets/${one.ticket_id}/repair-report` });
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json()).toMatchObject({ state: 'signed', signerName: one.signer_name, number: one.number });
    expect(report.json().signaturePng).toMatch(/^data:image\/png;base64,/);
    const pdf = await engineer.request({ method: 'GET', url: `/api/v1/tickets/${one.ticket_id}/repair-report/pdf` });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(one.pdf_sha256);
    const ticket = (await engineer.request({ method: 'GET', url: `/api/v1/tickets/${one.ticket_id}` })).json();
    expect(ticket.timeline.some((e: { type: string; data: { action?: string } }) => e.type === 'repair_report' && (e.data.action === 'signed' || e.data.action === 'signed_on_paper'))).toBe(true);
  });

  it('connects the hospital\'s Prometheus Alertmanager and the tax office\'s Zabbix: incidents opened, repeats counted, a recovery resolving its incident, one noted, one ignored', async () => {
    const s = await as('admin');
    const sources = (await s.request({ method: 'GET', url: '/api/v1/alert-sources' })).json().items as Array<{ id: number; name: string; format: string; customerId: number; tokenHint: string; lastAlertAt: string | null; autoResolve: boolean }>;
    expect(sources.map((x) => [x.format, x.customerId, x.autoResolve])).toEqual([
      ['alertmanager', demo.customerIds.hospital, true],
      ['zabbix', demo.customerIds.tax, false],
    ]);
    for (const x of sources) {
      expect(x.lastAlertAt).not.toBeNull();
      expect(x.tokenHint).toHaveLength(4);
    }
    // The tokens are used once by the demo and never shown: administrators rotate them on the page.
    expect(lines.join('\n')).not.toMatch(/ywa_/);
    const log = (await s.request({ method: 'GET', url: '/api/v1/alerts?limit=200' })).json().items as Array<{ sourceId: number; status: string; outcome: string; ticketId: number | null; ticketNumber: string | null; customerId: number }>;
    expect(log).toHaveLength(demo.counts.alertsReceived);
    const outcomes: Record<string, number> = {};
    for (const l of log) outcomes[l.outcome] = (outcomes[l.outcome] ?? 0) + 1;
    expect(outcomes).toEqual({ created: 4, deduplicated: 3, resolved: 1, noted: 1, ignored: 1 });
    for (const l of log.filter((x) => x.outcome !== 'ignored')) {
      expect(l.ticketNumber).not.toBeNull();
      const ticket = (await s.request({ method: 'GET', url: `/api/v1/tickets/${l.ticketId}` })).json();
      expect(ticket.number).toBe(l.ticketNumber);
      expect(ticket.channel).toBe('monitoring');
      expect(ticket.customerId).toBe(l.customerId);
    }
    // The recovery resolved its incident; the Zabbix recovery is a note on an open one.
    const resolved = log.find((x) => x.outcome === 'resolved')!;
    expect((await s.request({ method: 'GET', url: `/api/v1/tickets/${resolved.ticketId}` })).json().state).toBe('resolved');
    const noted = log.find((x) => x.outcome === 'noted')!;
    expect(noted.status).toBe('resolved');
    expect((await s.request({ method: 'GET', url: `/api/v1/tickets/${noted.ticketId}` })).json().state).not.toBe('resolved');
    // The first line (which serves the tax office) sees the Zabbix incident.
    const engineer = await as('engineer');
    expect((await engineer.request({ method: 'GET', url: `/api/v1/tickets/${noted.ticketId}` })).statusCode).toBe(200);
  });

  it('sets up a service mailbox for the hospital and the tax office: contacts\' mail opens tickets, a reply lands on an open ticket, an auto-reply is ignored, a stranger\'s mail rejected', async () => {
    const s = await as('admin');
    const boxes = (await s.request({ method: 'GET', url: '/api/v1/mail/mailboxes' })).json().items as Array<{ id: number; address: string; customerId: number; unknownSenders: string; enabled: boolean }>;
    expect(boxes.map((b) => [b.customerId, b.unknownSenders, b.enabled])).toEqual([
      [demo.customerIds.hospital, 'reject', true],
      [demo.customerIds.tax, 'reject', true],
    ]);
    const log = (await s.request({ method: 'GET', url: '/api/v1/mail/log?limit=200' })).json().items as Array<{ fromAddress: string; subject: string; result: string; reason: string | null; ticketId: number | null; ticketNumber: string | null; contactId: number | null; mailboxId: number | null }>;
    expect(log).toHaveLength(demo.counts.mailsReceived);
    expect(log.map((l) => l.result).sort()).toEqual(['created', 'created', 'created', 'created', 'ignored', 'rejected', 'replied']);
    expect(log.every((l) => boxes.some((b) => b.id === l.mailboxId))).toBe(true);
    for (const l of log.filter((x) => x.result === 'created')) {
      const ticket = (await s.request({ method: 'GET', url: `/api/v1/tickets/${l.ticketId}` })).json();
      expect(ticket.channel).toBe('email');
      expect(ticket.contactId).toBe(l.contactId);
      expect(ticket.title).toBe(l.subject);
    }
    // The reply: on an open ticket the desk took by phone or portal, from its contact, as a public reply.
    const reply = log.find((l) => l.result === 'replied')!;
    expect(reply.reason).toBe('subject_number');
    expect(reply.subject).toContain(`[${reply.ticketNumber}]`);
    const answered = (await s.request({ method: 'GET', url: `/api/v1/tickets/${reply.ticketId}` })).json();
    expect(answered.channel).not.toBe('email');
    expect(['new', 'assigned', 'accepted', 'in_progress']).toContain(answered.state);
    expect(answered.timeline.some((e: { type: string; visibility: string }) => e.type === 'reply' && e.visibility === 'public')).toBe(true);
    expect(log.find((l) => l.result === 'ignored')!.reason).toBe('auto_submitted');
    const stranger = log.find((l) => l.result === 'rejected')!;
    expect(stranger.reason).toBe('unknown_sender');
    expect(stranger.ticketId).toBeNull();
    // Every ticket of the history is still there, and the alerts' and the mails' on top.
    expect(demo.counts.alertAndMailTickets).toBe(8);
  });

  it('has service reports: the hospital\'s signed off, the tax office\'s awaiting sign-off, the hospital\'s last month a draft — through the API, scoped', async () => {
    const pm = await as('pm');
    const mine = (await pm.request({ method: 'GET', url: '/api/v1/reporting/reports' })).json() as { items: Array<{ id: number; state: string; customerId: number; type: string }> };
    expect(mine.items.map((r) => r.state).sort()).toEqual(['draft', 'signed']);
    expect(mine.items.every((r) => r.customerId === demo.customerIds.hospital)).toBe(true);
    const signed = mine.items.find((r) => r.state === 'signed')!;
    const pdf = await pm.request({ method: 'GET', url: `/api/v1/reporting/reports/${signed.id}/versions/1/pdf` });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const admin = await as('admin');
    const all = (await admin.request({ method: 'GET', url: '/api/v1/reporting/reports' })).json() as { items: Array<{ state: string; customerId: number; type: string }> };
    expect(all.items.find((r) => r.customerId === demo.customerIds.tax)).toMatchObject({ state: 'issued', type: 'monthly_repair' });
    // The hospital's administrator sees its issued report, never the draft.
    const portal = (await (await as('hospital_admin')).request({ method: 'GET', url: '/api/v1/reporting/reports' })).json() as { items: Array<{ state: string }> };
    expect(portal.items.map((r) => r.state)).toEqual(['signed']);
  });

  it('resolves part of the calls at the service desk itself: the year\'s first-line resolution rate lies in the seeds\' 30–50 % band, not at 0', async () => {
    const day = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
    const r = await new MetricsService(t.database.db).compute({ kpis: ['flr.rate'], customerIds: null, from: day(now - 360 * 86_400_000), to: day(now) });
    const flr = r.totals['flr.rate'];
    expect(flr.denominator).toBeGreaterThan(100);
    expect(flr.value).toBeGreaterThanOrEqual(25);
    expect(flr.value).toBeLessThanOrEqual(55);
  });

  it('sends new tickets where the dispatch rules say: a complaint to the quality team, a server fault to the second line', async () => {
    const s = await as('desk');
    const contact = await t.database.db.selectFrom('contacts').select('id').where('customer_id', '=', demo.customerIds.tax).orderBy('id').executeTakeFirstOrThrow();
    const create = async (kind: string, service: string) => {
      const res = await s.request({
        method: 'POST',
        url: '/api/v1/tickets',
        payload: { kind, customerId: demo.customerIds.tax, contactId: Number(contact.id), service, category: null, impact: 'medium', urgency: 'medium', title: `演示 ${kind}`, description: '测试', reportedAt: new Date().toISOString() },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { number: string; teamId: number | null; state: string; sla: unknown[] };
    };
    const teams = new Map((await t.database.db.selectFrom('teams').select(['id', 'kind']).execute()).map((r) => [r.kind, Number(r.id)]));
    const complaint = await create('complaint', '桌面运维');
    expect(complaint.teamId).toBe(teams.get('quality'));
    const server = await create('incident', '服务器运维');
    expect(server.teamId).toBe(teams.get('line2'));
    expect(server.sla.length).toBeGreaterThan(0);
    // Numbers continue after the history's (the counters were set).
    const last = await t.database.db.selectFrom('tickets').select('number').where('kind', '=', 'incident').where('number', '!=', server.number).orderBy('number', 'desc').executeTakeFirstOrThrow();
    expect(server.number > last.number).toBe(true);
  });

  it('sets the provider name (documents say 华信运维服务有限公司; PROVIDER_NAME overrides it)', async () => {
    expect(await getSetting(t.database.db, PROVIDER_NAME_KEY)).toBe(DEMO_PROVIDER);
    expect(await getSetting(t.database.db, 'desk.hotline')).toBe(DEMO_DESK_HOTLINE);
    expect(await getSetting(t.database.db, 'desk.hours')).toBe(DEMO_DESK_HOURS);
    expect(await providerNameOf(t.database.db, { providerName: null })).toBe(DEMO_PROVIDER);
    expect(await providerNameOf(t.database.db, { providerName: '别的公司' })).toBe('别的公司');
  });

  it('says the demo is there already when loaded twice, and changes nothing', async () => {
    const count = async () => {
      const out: number[] = [];
      for (const table of ['tickets', 'repair_reports', 'alert_sources', 'alert_log', 'mail_mailboxes', 'mail_in_log', 'audit_log'] as const) {
        out.push(Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
      }
      return out;
    };
    const before = await count();
    await expect(loadDemo(t.database, () => {}, Date.now(), { config: testConfig() })).rejects.toBeInstanceOf(DemoExists);
    expect(await count()).toEqual(before);
  });

  it('refuses to load into a database that holds other data, and changes nothing', async () => {
    const other = await createTestDatabase(kind);
    try {
      await other.database.db.insertInto('customers').values({ code: 'X', name: '别的客户', tier: 3, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 }).execute();
      await expect(loadDemo(other.database)).rejects.toBeInstanceOf(DemoRefused);
      const users = await other.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(users.n)).toBe(0);
    } finally {
      await other.close();
    }
  });
});
