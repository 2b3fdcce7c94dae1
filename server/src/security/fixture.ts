import type { Kysely } from 'kysely';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { listTables } from '../ops/catalog.js';
import { createApiToken } from '../platform/auth/service.js';
import { BUILTIN_ROLES } from '../platform/auth/permissions.js';
import { createTestApp, fanOutQueued, insertUser, login, STRONG_PASSWORD, type DbKind, type Session, type TestApp } from '../test/harness.js';
import { multipart, png } from '../test/uploads.js';
import { exampleOf, firstChoice, rfc822, typesOf, urlOf, type JsonSchema, type Operation } from './openapi-client.js';

/**
 * The security suite's world: three customers A, B and C built through the API, each with
 * sites, contacts, a contract under SLA, tickets in several states (a public reply, an internal
 * note, an attachment, a repair report), a mailbox with a received mail, an alert source with a
 * received alert, a webhook, a dispatch rule, a customer administrator and a customer user with
 * an API token, and the notifications all this caused. Every record of customer X carries the
 * marker `MARK-X-` in its names, titles and texts, so a response that shows any of it is found
 * by a plain substring search.
 *
 * Provider staff: one user per built-in role. The scoped roles (engineer `eng`, project manager
 * `pm`) are in the team 一线 that serves A and B but not C; `engc` (an engineer in the team that
 * serves C) works C's tickets. Customer A's staff: `a_admin` (customer_admin) and `a_user`
 * (customer_contact).
 */

export const CUSTOMERS = ['A', 'B', 'C'] as const;
export type CustomerKey = (typeof CUSTOMERS)[number];

/** Kinds of record an id in a request can name. */
export type Kind =
  | 'warehouse' | 'partModel' | 'partItem' | 'partMovement' | 'repairReport'
  | 'customer' | 'site' | 'contact' | 'contract' | 'ticket' | 'file' | 'user' | 'team' | 'mailbox' | 'mailLog'
  | 'alertSource' | 'webhook' | 'dispatchRule' | 'notification' | 'token' | 'role' | 'calendar' | 'job' | 'report' | 'article' | 'articleFile' | 'evidenceExport' | 'ci' | 'ciType' | 'ciRelation'
  | 'assetCampaign'
  | 'vendor' | 'repairOrder';

export type ActorName = 'admin' | 'desk' | 'eng' | 'pm' | 'quality' | 'auditor' | 'a_admin' | 'a_user' | 'anonymous';

export interface Actor {
  name: ActorName;
  role: string | null;
  session: Session | null;
  permissions: Set<string>;
  /** Customers whose records this actor must neither see nor change ([] for scope.all roles). */
  foreign: CustomerKey[];
}

export interface World {
  t: TestApp;
  app: FastifyInstance;
  kind: DbKind;
  customerIds: Record<CustomerKey, number>;
  /** Record ids per customer and kind, read from the database once the world is built. */
  records: Record<CustomerKey, Partial<Record<Kind, number[]>>>;
  /** Ids an actor uses for its own (customer A's, or the provider's) side of a request. */
  own: Record<Kind, number | string>;
  users: Record<string, number>;
  teams: { desk: number; line1: number; lineC: number };
  /** The alert source token of customer A (the query `token` of POST /alerts/{sourceId}). */
  alertTokenA: string;
  /** A contract's SLA as the API answers it (a valid body for PUT /contracts/{id}/sla). */
  sla: { matrix: unknown; policy: unknown };
  actors: Record<ActorName, Actor>;
  close(): Promise<void>;
}

const ok = (res: LightMyRequestResponse, status = 200, what = '') => {
  if (res.statusCode !== status) throw new Error(`fixture ${what}: expected ${status}, got ${res.statusCode} ${res.body.slice(0, 500)}`);
  return res.body ? res.json() : null;
};

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Builds the world (about 10 s on SQLite, argon2 hashes included). */
export async function buildWorld(kind: DbKind): Promise<World> {
  const t = await createTestApp(kind);
  const db = t.database.db;
  const users: Record<string, number> = {};
  for (const r of BUILTIN_ROLES.filter((r) => !r.code.startsWith('customer_'))) {
    const name = r.code === 'engineer' ? 'eng' : r.code;
    users[name] = await insertUser(t.database, { username: name, roles: [r.code], displayName: `${name} 员工` });
  }
  users.engc = await insertUser(t.database, { username: 'engc', roles: ['engineer'], displayName: '丙工程师' });
  const admin = await login(t.app, 'admin');
  const req = (s: Session, method: InjectOptions['method'], url: string, payload?: unknown, extra: Partial<InjectOptions> = {}) => s.request({ method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }), ...extra });

  const customerIds = {} as Record<CustomerKey, number>;
  const org: Record<string, { site1: number; site2: number; contact1: number; contact2: number; contract: number; email: string }> = {};
  for (const x of CUSTOMERS) {
    const m = `MARK-${x}`;
    const lower = x.toLowerCase();
    const c = ok(await req(admin, 'POST', '/api/v1/customers', { code: `${m}-CUST`, name: `${m}-customer 客户`, tier: 1, address: `${m}-address`, notes: `${m}-notes` }), 201, 'customer');
    customerIds[x] = c.id;
    const site1 = ok(await req(admin, 'POST', `/api/v1/customers/${c.id}/sites`, { name: `${m}-site-1 机房`, address: `${m}-site-address` }), 201, 'site');
    const site2 = ok(await req(admin, 'POST', `/api/v1/customers/${c.id}/sites`, { name: `${m}-site-2 信息科`, kind: 'department', parentId: site1.id }), 201, 'site');
    const email = `${lower}1@${lower}.example.cn`;
    const contact1 = ok(await req(admin, 'POST', `/api/v1/customers/${c.id}/contacts`, { name: `${m}-contact-1`, siteId: site1.id, phone: '010-88886666', email, notes: `${m}-contact-notes` }), 201, 'contact');
    const contact2 = ok(await req(admin, 'POST', `/api/v1/customers/${c.id}/contacts`, { name: `${m}-contact-2`, mobile: '13900001111', isVip: true }), 201, 'contact');
    const contract = ok(
      await req(admin, 'POST', `/api/v1/customers/${c.id}/contracts`, { code: `${m}-HT`, name: `${m}-contract`, startsOn: day(-400), endsOn: day(400), services: ['服务器运维'], serviceHours: '7x24', projectManagerId: x === 'A' ? users.pm : null, notes: `${m}-contract-notes` }),
      201,
      'contract',
    );
    ok(await req(admin, 'POST', `/api/v1/contracts/${contract.id}/sla/apply-template`, { templateId: 'T4', policyId: 't4-tier1', version: contract.version }), 200, 'sla');
    org[x] = { site1: site1.id, site2: site2.id, contact1: contact1.id, contact2: contact2.id, contract: contract.id, email };
  }
  const team = async (name: string, kind: string, memberIds: number[], customers: CustomerKey[]) =>
    ok(await req(admin, 'POST', '/api/v1/teams', { name, kind, memberIds, customerIds: customers.map((x) => customerIds[x]) }), 201, 'team').id as number;
  const teams = {
    desk: await team('服务台', 'desk', [users.desk], ['A', 'B', 'C']),
    line1: await team('一线（甲乙）', 'line1', [users.eng, users.pm], ['A', 'B']),
    lineC: await team('一线（丙）', 'line1', [users.engc], ['C']),
  };
  const eng = await login(t.app, 'eng');
  const engc = await login(t.app, 'engc');

  // Spare parts: two models (provider-wide: no customer, no marker); each customer gets a store with stock and a requisition below.
  const partModel = ok(await req(admin, 'POST', '/api/v1/part-models', { type: '硒鼓', brand: 'HP', model: 'CF228A', unit: '个' }), 201, 'part model') as { id: number };
  const partDisk = ok(await req(admin, 'POST', '/api/v1/part-models', { type: '硬盘', brand: 'HPE', model: '600G SAS', unit: '块', serialTracked: true }), 201, 'part model') as { id: number };
  // Vendor repairs: one vendor (provider-wide: no customer, no marker) for every customer's send-for-repair order.
  const vendor = ok(await req(admin, 'POST', '/api/v1/vendors', { name: '厂商-联想服务', hotline: '400-990-8888', contacts: [{ name: '刘工', phone: '13800000001' }], responseHours: 4, repairDays: 5 }), 201, 'vendor') as { id: number };
  let alertTokenA = '';
  for (const x of CUSTOMERS) {
    const m = `MARK-${x}`;
    const lower = x.toLowerCase();
    const o = org[x];
    const cid = customerIds[x];
    const teamId = x === 'C' ? teams.lineC : teams.line1;
    const worker = x === 'C' ? engc : eng;
    const workerId = x === 'C' ? users.engc : users.eng;
    const ticket = async (state: string, assigned: boolean) =>
      ok(
        await req(admin, 'POST', '/api/v1/tickets', {
          customerId: cid, contactId: o.contact1, siteId: o.site1, kind: 'incident', title: `${m}-ticket-${state}`, description: `${m}-description-${state}`,
          impact: 'medium', urgency: 'high', reportedAt: new Date(Date.now() - 60_000).toISOString(), ...(assigned ? { teamId, assigneeId: workerId } : {}),
        }),
        201,
        'ticket',
      ) as { id: number };
    const action = async (s: Session, id: number, a: string, body: Record<string, unknown> = {}) => ok(await req(s, 'POST', `/api/v1/tickets/${id}/actions/${a}`, body), 200, `action ${a}`);

    const fresh = await ticket('new', false);
    ok(await req(admin, 'POST', `/api/v1/tickets/${fresh.id}/replies`, { body: `${m}-public-reply`, visibility: 'public' }), 201, 'reply');
    ok(await req(admin, 'POST', `/api/v1/tickets/${fresh.id}/replies`, { body: `${m}-internal-note`, visibility: 'internal' }), 201, 'note');
    const file = multipart({}, { name: `${m}-file.txt`, bytes: Buffer.from(`${m}-file-content\n`), type: 'text/plain' });
    ok(await req(admin, 'POST', `/api/v1/tickets/${fresh.id}/attachments?visibility=public`, undefined, file), 201, 'attachment');
    await ticket('assigned', true);
    const working = await ticket('in_progress', true);
    await action(worker, working.id, 'accept');
    await action(worker, working.id, 'start');
    ok(await req(worker, 'POST', `/api/v1/tickets/${working.id}/worklogs`, { minutes: 30, mode: 'remote', note: `${m}-worklog` }), 201, 'worklog');
    const resolved = await ticket('resolved', true);
    await action(worker, resolved.id, 'accept');
    await action(worker, resolved.id, 'resolve', { resolution: `${m}-resolution` });
    const report = ok(await req(admin, 'POST', `/api/v1/tickets/${resolved.id}/repair-report`), 201, 'repair report');
    ok(await req(admin, 'PATCH', `/api/v1/tickets/${resolved.id}/repair-report`, { version: report.version, diagnosis: `${m}-diagnosis` }), 200, 'repair report patch');
    // Knowledge: an article for this customer only (with a document) and an internal one about it, both published.
    const doc = ok(await req(admin, 'POST', '/api/v1/knowledge/files', undefined, multipart({}, { name: `${m}-kb-doc.txt`, bytes: Buffer.from(`${m}-kb-doc-text\n`) })), 201, 'knowledge file');
    for (const [audience, extra] of [['named', { audienceCustomerIds: [cid], fileIds: [doc.id] }], ['internal', {}]] as const) {
      const article = ok(await req(admin, 'POST', '/api/v1/knowledge/articles', { kind: 'solution', title: `${m}-kb-${audience}`, symptom: `${m}-kb-symptom`, bodyHtml: `<p>${m}-kb-body</p>`, audience, customerId: cid, ...extra }), 201, 'knowledge article');
      const sub = ok(await req(admin, 'POST', `/api/v1/knowledge/articles/${article.id}/transition`, { version: article.version, action: 'submit' }), 200, 'knowledge submit');
      ok(await req(admin, 'POST', `/api/v1/knowledge/articles/${article.id}/transition`, { version: sub.version, action: 'publish' }), 200, 'knowledge publish');
      ok(await req(admin, 'POST', `/api/v1/knowledge/articles/${article.id}/feedback`, { body: `${m}-kb-feedback` }), 201, 'knowledge feedback');
    }
    const closed = await ticket('closed', true);
    await action(worker, closed.id, 'accept');
    await action(worker, closed.id, 'resolve', { resolution: `${m}-resolution-closed` });
    await action(admin, closed.id, 'close', { reason: `${m}-closed by the provider` });

    ok(await req(admin, 'POST', '/api/v1/mail/mailboxes', { address: `${lower}@desk.example.cn`, name: `${m}-mailbox`, customerId: cid, service: `${m}-mail-service` }), 201, 'mailbox');
    const mail = await req(admin, 'POST', `/api/v1/mail/inbound?recipient=${lower}%40desk.example.cn`, undefined, {
      payload: rfc822(`${m}-sender <${o.email}>`, `${lower}@desk.example.cn`, `${m}-mail-subject`, `${m}-mail-body`),
      headers: { 'content-type': 'message/rfc822' },
    });
    ok(mail, 200, 'mail in');
    const source = ok(await req(admin, 'POST', '/api/v1/alert-sources', { customerId: cid, name: `${m}-alert-source`, format: 'generic', contactId: o.contact1, siteId: o.site1 }), 201, 'alert source');
    if (x === 'A') alertTokenA = source.token;
    ok(await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${source.id}?token=${encodeURIComponent(source.token)}`, payload: { fingerprint: `${m}-fp`, title: `${m}-alert-title`, severity: 'major', host: `${m}-host` } }), 200, 'alert');
    ok(await req(admin, 'POST', '/api/v1/webhooks', { name: `${m}-webhook`, kind: 'generic', url: `https://hooks.example.com/${m}`, secret: `${m}-secret`, events: ['ticket.created'], customerId: cid }), 201, 'webhook');
    ok(await req(admin, 'POST', '/api/v1/dispatch-rules', { name: `${m}-rule`, customerId: cid, service: `${m}-rule-service`, teamId }), 201, 'dispatch rule');
    // CMDB: an application on a server, related, named by a ticket.
    const ciTypes = ok(await req(admin, 'GET', '/api/v1/ci-types'), 200, 'ci types') as Array<{ id: number; code: string }>;
    const typeOf = (code: string) => ciTypes.find((ct) => ct.code === code)!.id;
    const server = ok(await req(admin, 'POST', '/api/v1/cis', { customerId: cid, siteId: o.site1, typeId: typeOf('server_physical'), code: `${m}-SRV`, name: `${m}-ci-server`, ip: `10.${CUSTOMERS.indexOf(x) + 1}.0.1`, hostname: `${lower}-srv`, serial: `${m}-SN`, description: `${m}-ci-description`, attributes: { os: `${m}-os` } }), 201, 'ci');
    const application = ok(await req(admin, 'POST', '/api/v1/cis', { customerId: cid, typeId: typeOf('application'), code: `${m}-APP`, name: `${m}-ci-app` }), 201, 'ci');
    ok(await req(admin, 'POST', `/api/v1/cis/${application.id}/relations`, { type: 'runs_on', targetId: server.id, note: `${m}-relation-note` }), 201, 'ci relation');
    ok(await req(admin, 'POST', `/api/v1/tickets/${fresh.id}/cis`, { ciIds: [server.id] }), 200, 'ticket cis');
    // Assets: the server's asset record and a verification campaign of the customer with one item checked.
    ok(await req(admin, 'PUT', `/api/v1/assets/${server.id}`, { assetNo: `${m}-ZC`, supplier: `${m}-supplier`, purchaseDate: day(-300), price: 1000, warrantyEnd: day(60), location: `${m}-location`, responsibleName: `${m}-responsible` }), 200, 'asset');
    const campaign = ok(await req(admin, 'POST', '/api/v1/asset-campaigns', { customerId: cid, name: `${m}-campaign` }), 201, 'asset campaign');
    ok(await req(admin, 'POST', `/api/v1/asset-campaigns/${campaign.id}/items/${server.id}/check`, { result: 'wrong_location', note: `${m}-check-note`, proposed: { location: `${m}-proposed-location` } }), 200, 'asset check');
    // Spare parts: the customer's store with stock (a serial-tracked disk among it) and a requisition (备件领用单) on the ticket being worked on.
    const store = ok(await req(admin, 'POST', '/api/v1/warehouses', { name: `${m}-store`, kind: 'customer', customerId: cid, siteId: o.site1 }), 201, 'warehouse') as { id: number };
    ok(await req(admin, 'POST', '/api/v1/part-movements/stock-in', { warehouseId: store.id, modelId: partModel.id, quantity: 5, note: `${m}-stock-in` }), 201, 'stock in');
    ok(await req(admin, 'POST', '/api/v1/part-movements/stock-in', { warehouseId: store.id, modelId: partDisk.id, quantity: 1, serials: [`${m}-part-sn`] }), 201, 'stock in');
    ok(await req(worker, 'POST', '/api/v1/part-requisitions', { ticketId: working.id, warehouseId: store.id, lines: [{ modelId: partModel.id, quantity: 1 }], note: `${m}-requisition` }), 201, 'requisition');

    // A send-for-repair order (设备送修单) of a ticket being worked on, sent, with a progress report.
    const repairTicket = await ticket('waiting_vendor', true);
    await action(worker, repairTicket.id, 'accept');
    await action(worker, repairTicket.id, 'start');
    const repair = ok(await req(admin, 'POST', '/api/v1/repair-orders', { ticketId: repairTicket.id, vendorId: vendor.id, device: `${m}-repair-device`, serial: `${m}-repair-sn`, fault: `${m}-repair-fault`, coverage: 'warranty', rma: `${m}-rma`, dataHandling: 'backed_up', send: true }), 201, 'repair order');
    ok(await req(admin, 'POST', `/api/v1/repair-orders/${repair.id}/progress`, { text: `${m}-repair-progress` }), 201, 'repair progress');

    const custAdmin = await insertUser(t.database, { username: `${lower}_admin`, roles: ['customer_admin'], customerId: cid, displayName: `${m}-cust-admin` });
    const custUser = await insertUser(t.database, { username: `${lower}_user`, roles: ['customer_contact'], customerId: cid, displayName: `${m}-cust-user` });
    await db.updateTable('users').set({ contact_id: o.contact2 }).where('id', '=', custUser).execute();
    users[`${lower}_admin`] = custAdmin;
    users[`${lower}_user`] = custUser;
    await createApiToken(db, custUser, `${m}-token`, ['*'], null, { userId: custUser, name: `${lower}_user`, ip: null });
    // The customer's user reports one ticket through the portal, and rates nothing.
    const own = await login(t.app, `${lower}_user`);
    ok(await req(own, 'POST', '/api/v1/tickets', { customerId: cid, kind: 'request', title: `${m}-portal-ticket`, description: `${m}-portal-description`, impact: 'low', urgency: 'low', reportedAt: new Date().toISOString() }), 201, 'portal ticket');
  }
  // Service reports: last month's monthly service report of each customer, issued (customers' admins see their own only).
  const lastMonth = new Date(Date.now() + 8 * 3_600_000);
  lastMonth.setUTCDate(0);
  for (const x of CUSTOMERS) {
    const rep = ok(await req(admin, 'POST', '/api/v1/reporting/reports', { contractId: org[x].contract, type: 'monthly_service', period: lastMonth.toISOString().slice(0, 7) }), 201, 'service report');
    ok(await req(admin, 'PATCH', `/api/v1/reporting/reports/${rep.id}/narratives`, { version: rep.version, narratives: { summary: `MARK-${x}-report-summary` } }), 200, 'report narrative');
    ok(await req(admin, 'POST', `/api/v1/reporting/reports/${rep.id}/issue`, { version: rep.version + 1 }), 200, 'report issue');
  }
  // Evidence packs: one export of each customer's last month (queued; its row names the customer).
  for (const x of CUSTOMERS) ok(await req(admin, 'POST', '/api/v1/evidence-exports', { customerId: customerIds[x], from: day(-40), to: day(-10) }), 202, 'evidence export');
  await fanOutQueued(t.database);

  const contractA = ok(await req(admin, 'GET', `/api/v1/contracts/${org.A.contract}/sla`), 200, 'sla read');
  const records = await readRecords(t.database.db as Kysely<any>, customerIds);
  const anyJob = await db.selectFrom('jobs').select('id').orderBy('id').executeTakeFirst();
  const anyRole = await db.selectFrom('roles').select('id').where('code', '=', 'engineer').executeTakeFirstOrThrow();
  const own: Record<Kind, number | string> = {
    warehouse: records.A.warehouse![0], partModel: partModel.id, partItem: records.A.partItem![0], partMovement: records.A.partMovement![0], repairReport: records.A.repairReport![0],
    customer: customerIds.A, site: org.A.site1, contact: org.A.contact1, contract: org.A.contract, vendor: vendor.id, repairOrder: records.A.repairOrder![0],
    ticket: records.A.ticket![0], file: records.A.file![0], user: users.eng, team: teams.line1,
    mailbox: records.A.mailbox![0], mailLog: records.A.mailLog![0], alertSource: records.A.alertSource![0], webhook: records.A.webhook![0],
    dispatchRule: records.A.dispatchRule![0], report: records.A.report![0], evidenceExport: records.A.evidenceExport![0], article: records.A.article![0], articleFile: records.A.articleFile![0], notification: records.A.notification?.[0] ?? 1, token: 1,
    ci: records.A.ci![0], assetCampaign: records.A.assetCampaign![0], ciRelation: records.A.ciRelation![0], ciType: (await db.selectFrom('ci_types').select('id').where('code', '=', 'server_physical').executeTakeFirstOrThrow()).id, role: anyRole.id, calendar: '24x7', job: anyJob?.id ?? 1,
  };

  const roleOf: Record<ActorName, string | null> = { admin: 'admin', desk: 'desk', eng: 'engineer', pm: 'pm', quality: 'quality', auditor: 'auditor', a_admin: 'customer_admin', a_user: 'customer_contact', anonymous: null };
  const foreignOf: Record<ActorName, CustomerKey[]> = { admin: [], desk: [], eng: ['C'], pm: ['C'], quality: [], auditor: [], a_admin: ['B', 'C'], a_user: ['B', 'C'], anonymous: ['A', 'B', 'C'] };
  const actors = {} as Record<ActorName, Actor>;
  for (const name of Object.keys(roleOf) as ActorName[]) {
    const role = roleOf[name];
    actors[name] = {
      name,
      role,
      session: name === 'anonymous' ? null : name === 'admin' ? admin : name === 'eng' ? eng : await login(t.app, name),
      permissions: new Set(BUILTIN_ROLES.find((r) => r.code === role)?.permissions ?? []),
      foreign: foreignOf[name],
    };
  }
  return {
    t, app: t.app, kind, customerIds, records, own, users, teams, alertTokenA,
    sla: { matrix: contractA.sla.matrix, policy: contractA.sla.policy },
    actors,
    close: () => t.close(),
  };
}

/** Every record of each customer, by kind, from the database (so nothing created is missed). */
async function readRecords(db: Kysely<any>, customerIds: Record<CustomerKey, number>): Promise<World['records']> {
  const out = {} as World['records'];
  const ids = async (q: { execute(): Promise<Array<{ id: number | string }>> }) => (await q.execute()).map((r) => Number(r.id)).sort((a, b) => a - b);
  for (const x of CUSTOMERS) {
    const cid = customerIds[x];
    const byCustomer = (table: string) => ids(db.selectFrom(table).select('id').where('customer_id', '=', cid));
    const userIds = await ids(db.selectFrom('users').select('id').where('customer_id', '=', cid));
    const serving = await db.selectFrom('team_customers').select(['team_id', 'customer_id']).execute();
    const teamIds = [...new Set(serving.map((r) => Number(r.team_id)))].filter((tid) => serving.filter((r) => Number(r.team_id) === tid).every((r) => Number(r.customer_id) === cid));
    const ticketIds = await byCustomer('tickets');
    out[x] = {
      customer: [cid],
      site: await byCustomer('sites'),
      contact: await byCustomer('contacts'),
      contract: await byCustomer('contracts'),
      ticket: ticketIds,
      file: ticketIds.length ? await ids(db.selectFrom('files').select('id').where('ticket_id', 'in', ticketIds)) : [],
      user: userIds,
      team: teamIds,
      mailbox: await byCustomer('mail_mailboxes'),
      mailLog: await byCustomer('mail_in_log'),
      alertSource: await byCustomer('alert_sources'),
      webhook: await byCustomer('webhooks'),
      dispatchRule: await byCustomer('dispatch_rules'),
      notification: await byCustomer('notifications'),
      token: userIds.length ? await ids(db.selectFrom('api_tokens').select('id').where('user_id', 'in', userIds)) : [],
      article: await byCustomer('kb_articles'),
      articleFile: await ids(db.selectFrom('kb_article_files').innerJoin('kb_articles', 'kb_articles.id', 'kb_article_files.article_id').select('kb_article_files.id').where('kb_articles.customer_id', '=', cid)),
      report: await byCustomer('service_reports'),
      evidenceExport: await byCustomer('evidence_exports'),
      ci: await byCustomer('cis'),
      ciRelation: await byCustomer('ci_relations'),
      ciType: [],
      assetCampaign: await byCustomer('asset_campaigns'),
      vendor: [],
      repairOrder: await byCustomer('repair_orders'),
      warehouse: await byCustomer('warehouses'),
      partModel: [],
      partItem: await byCustomer('part_items'),
      partMovement: await byCustomer('part_movements'),
      repairReport: await byCustomer('repair_reports'),
    };
  }
  return out;
}

// ---------------------------------------------------------------- snapshots of customers' rows

/** Tables whose rows change without anyone touching a customer's data. */
const UNWATCHED = new Set(['jobs', 'login_attempts', 'ticket_counters']);

/**
 * Every row that belongs to the given customers, per table, as sorted JSON: tables with a
 * `customer_id`, rows of their tickets (`ticket_id`, links either way), of their users
 * (`user_id`: roles, sessions, tokens, preferences) and of their alert sources. Found in the
 * database's catalogue, so a table a later migration adds is watched too.
 */
export async function snapshot(db: Kysely<any>, customerIds: number[]): Promise<Map<string, string[]>> {
  const tickets = (await db.selectFrom('tickets').select('id').where('customer_id', 'in', customerIds).execute()).map((r) => r.id);
  const users = (await db.selectFrom('users').select('id').where('customer_id', 'in', customerIds).execute()).map((r) => r.id);
  const sources = (await db.selectFrom('alert_sources').select('id').where('customer_id', 'in', customerIds).execute()).map((r) => r.id);
  const out = new Map<string, string[]>();
  for (const table of await listTables(db)) {
    if (UNWATCHED.has(table.name)) continue;
    const has = (c: string) => table.columns.includes(c);
    let q = db.selectFrom(table.name).selectAll();
    if (table.name === 'customers') q = q.where('id', 'in', customerIds);
    else if (has('customer_id')) q = q.where('customer_id', 'in', customerIds);
    else if (table.name === 'ticket_links') q = tickets.length ? q.where((eb) => eb.or([eb('ticket_id', 'in', tickets), eb('other_id', 'in', tickets)])) : q.where(sqlFalse);
    else if (has('ticket_id')) q = tickets.length ? q.where('ticket_id', 'in', tickets) : q.where(sqlFalse);
    else if (has('user_id')) q = users.length ? q.where('user_id', 'in', users) : q.where(sqlFalse);
    else if (has('source_id')) q = sources.length ? q.where('source_id', 'in', sources) : q.where(sqlFalse);
    else continue;
    const rows = await q.execute();
    out.set(table.name, rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort());
  }
  return out;
}

const sqlFalse = (eb: any) => eb.val(1).eq(0);

/** What differs between two snapshots: table names with the rows added or removed. */
export function snapshotDiff(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [table, rows] of after) {
    const prev = new Set(before.get(table) ?? []);
    const now = new Set(rows);
    const added = rows.filter((r) => !prev.has(r));
    const removed = [...prev].filter((r) => !now.has(r));
    if (added.length || removed.length) out.push(`${table}: ${removed.map((r) => `- ${r.slice(0, 300)}`).concat(added.map((r) => `+ ${r.slice(0, 300)}`)).join('\n    ')}`);
  }
  return out;
}

// ---------------------------------------------------------------- requests from the document

/** The kind of record a path parameter names: `{id}` by the segment before it. */
const SEGMENT_KIND: Record<string, Kind> = {
  tickets: 'ticket', customers: 'customer', sites: 'site', contacts: 'contact', contracts: 'contract', users: 'user', teams: 'team', roles: 'role',
  webhooks: 'webhook', 'alert-sources': 'alertSource', mailboxes: 'mailbox', log: 'mailLog', 'dispatch-rules': 'dispatchRule',
  notifications: 'notification', jobs: 'job', tokens: 'token', calendars: 'calendar', reports: 'report',
  articles: 'article', 'from-ticket': 'ticket', files: 'articleFile', 'evidence-exports': 'evidenceExport',
  cis: 'ci', 'ci-types': 'ciType', 'ci-relations': 'ciRelation',
  assets: 'ci', 'asset-campaigns': 'assetCampaign',
  vendors: 'vendor', 'repair-orders': 'repairOrder',
  warehouses: 'warehouse', 'part-models': 'partModel', 'part-items': 'partItem', 'part-movements': 'partMovement', 'part-requisitions': 'partMovement',
};

/** The kind of record a query parameter or body field names, by its name. */
const FIELD_KIND: Record<string, Kind> = {
  customerId: 'customer', customerIds: 'customer', contactId: 'contact', fallbackContactId: 'contact', siteId: 'site', parentId: 'site',
  contractId: 'contract', teamId: 'team', teamIds: 'team', toTeamId: 'team', assigneeId: 'user', toUserId: 'user', actorId: 'user',
  projectManagerId: 'user', memberIds: 'user', mentions: 'user', mailboxId: 'mailbox', webhookId: 'webhook', sourceId: 'alertSource',
  ticketId: 'ticket', otherId: 'ticket', entityId: 'ticket', fileId: 'file', calendarId: 'calendar', copyFrom: 'calendar', reviewerId: 'user',
  articleId: 'article', fileIds: 'articleFile', audienceCustomerIds: 'customer',
  ciId: 'ci', ciIds: 'ci', responsibleUserId: 'user', targetId: 'ci', typeId: 'ciType', ownerId: 'user',
  vendorId: 'vendor',
  warehouseId: 'warehouse', fromWarehouseId: 'warehouse', toWarehouseId: 'warehouse', modelId: 'partModel', repairReportId: 'repairReport',
};

/** Field and parameter names that are not record ids although they look like one. */
const NOT_IDS = new Set(['templateId', 'policyId', 'messageId']);

export interface IdPlace {
  in: 'path' | 'query' | 'body';
  name: string;
  kind: Kind;
  array: boolean;
}

const looksLikeId = (name: string) => (name === 'id' || name === 'ids' || /[a-z]Ids?$/.test(name) || name === 'mentions') && !NOT_IDS.has(name);

/** Where `op` takes record ids; throws for an id-like name it cannot classify (classify it here). */
export function idPlaces(op: Operation): IdPlace[] {
  const out: IdPlace[] = [];
  const segs = op.path.split('/');
  for (const p of op.pathParams) {
    if (p.name === 'id') {
      const before = segs[segs.indexOf('{id}') - 1];
      const kind = SEGMENT_KIND[before];
      if (!kind) throw new Error(`${op.key}: cannot tell what {id} names (segment ${before}); add it to SEGMENT_KIND`);
      out.push({ in: 'path', name: 'id', kind, array: false });
    } else if (FIELD_KIND[p.name]) out.push({ in: 'path', name: p.name, kind: FIELD_KIND[p.name], array: false });
  }
  for (const p of op.queryParams) {
    if (!looksLikeId(p.name)) continue;
    const kind = FIELD_KIND[p.name];
    if (!kind) throw new Error(`${op.key}: query parameter ${p.name} looks like an id; add it to FIELD_KIND`);
    out.push({ in: 'query', name: p.name, kind, array: false });
  }
  for (const [name, schema] of Object.entries(op.body?.properties ?? {})) {
    if (!looksLikeId(name) && !FIELD_KIND[name]) continue;
    const kind = name === 'ids' ? (op.path.includes('dispatch-rules') ? 'dispatchRule' : 'ticket') : FIELD_KIND[name];
    if (!kind) throw new Error(`${op.key}: body field ${name} looks like an id; add it to FIELD_KIND`);
    out.push({ in: 'body', name, kind, array: isArraySchema(schema) });
  }
  return out;
}

function isArraySchema(s: JsonSchema): boolean {
  if (typesOf(s).includes('array')) return true;
  return (s.anyOf ?? s.oneOf ?? []).some(isArraySchema);
}

/** Operations that would end the caller's own session or change its password: never sent. */
export const SELF_ENDING = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/logout-all', 'POST /api/v1/auth/password', 'POST /api/v1/auth/login']);

let counter = 0;
const uniq = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** The version a PATCH/PUT of the record at `url` must carry to get past the stale-version check. */
async function versionOf(db: Kysely<any>, op: Operation, params: Record<string, number | string>): Promise<number> {
  const segs = op.path.split('/');
  if (op.path.startsWith('/api/v1/assets/{id}')) {
    const r = await db.selectFrom('ci_assets').select('version').where('ci_id', '=', Number(params.id)).executeTakeFirst();
    return Number(r?.version ?? 1);
  }
  if (op.path.includes('/repair-report')) {
    const r = await db.selectFrom('repair_reports').select('version').where('ticket_id', '=', Number(params.id)).executeTakeFirst();
    return Number(r?.version ?? 1);
  }
  const table: Partial<Record<Kind, string>> = {
    ticket: 'tickets', customer: 'customers', site: 'sites', contact: 'contacts', contract: 'contracts', user: 'users', team: 'teams', role: 'roles',
    webhook: 'webhooks', alertSource: 'alert_sources', mailbox: 'mail_mailboxes', dispatchRule: 'dispatch_rules', calendar: 'calendars', report: 'service_reports',
    vendor: 'vendors', repairOrder: 'repair_orders',
    article: 'kb_articles', assetCampaign: 'asset_campaigns', ci: 'cis', ciType: 'ci_types',
    partModel: 'part_models',
  };
  const kind = SEGMENT_KIND[segs[segs.indexOf('{id}') - 1]];
  const name = kind && table[kind];
  if (!name || params.id === undefined) return 1;
  const r = await db.selectFrom(name).select('version').where('id', '=', kind === 'calendar' ? String(params.id) : Number(params.id)).executeTakeFirst();
  return Number(r?.version ?? 1);
}

/**
 * A request body `op` accepts with the caller's own records, before any id is swapped: written
 * out for the operations whose checks come after validation, from the schema for the rest.
 */
async function bodyFor(w: World, op: Operation, params: Record<string, number | string>): Promise<Record<string, unknown> | undefined> {
  if (!op.body) return undefined;
  const o = w.own;
  const version = await versionOf(w.t.database.db as Kysely<any>, op, params);
  const now = new Date().toISOString();
  const u = uniq();
  const samples: Record<string, () => Record<string, unknown>> = {
    'POST /api/v1/auth/tokens': () => ({ name: `probe-${u}` }),
    'PATCH /api/v1/auth/me': () => ({ locale: 'zh-CN' }),
    'POST /api/v1/users': () => ({ username: `probe_${u}`, displayName: 'probe', roleCodes: ['customer_contact'], customerId: o.customer, contactId: o.contact, password: `${STRONG_PASSWORD}!` }),
    'POST /api/v1/users/{id}/password': () => ({ newPassword: `${STRONG_PASSWORD}!${u}` }),
    'POST /api/v1/roles': () => ({ code: `probe_${u}`, nameZh: 'probe', nameEn: 'probe', permissions: ['tickets.read'] }),
    'POST /api/v1/teams': () => ({ name: `probe-team-${u}`, kind: 'other', memberIds: [o.user], customerIds: [o.customer] }),
    'POST /api/v1/customers': () => ({ code: `PROBE-${u}`, name: 'probe', tier: 3 }),
    'POST /api/v1/customers/{id}/sites': () => ({ name: `probe-site-${u}`, parentId: o.site }),
    'POST /api/v1/customers/{id}/contacts': () => ({ name: `probe-contact-${u}`, siteId: o.site }),
    'POST /api/v1/customers/{id}/contracts': () => ({ code: `PROBE-HT-${u}`, name: 'probe', startsOn: day(-1), endsOn: day(300), services: ['probe'], serviceHours: '7x24', calendarId: '24x7', projectManagerId: w.users.pm }),
    'POST /api/v1/calendars': () => ({ copyFrom: '24x7', name: `probe-${u}` }),
    'PUT /api/v1/calendars/{id}': () => ({ version, name: 'probe', timeZone: 'Asia/Shanghai', weekly: { '1': [{ start: '08:00', end: '17:00' }] } }),
    'POST /api/v1/calendars/{id}/ics': () => ({ ics: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' }),
    'PUT /api/v1/contracts/{id}/sla': () => ({ version, ...w.sla }),
    'POST /api/v1/contracts/{id}/sla/apply-template': () => ({ version, templateId: 'T4', policyId: 't4-tier1' }),
    'POST /api/v1/sla/preview': () => ({ ...w.sla, impact: 'medium', urgency: 'high', reportedAt: now }),
    'PUT /api/v1/notifications/prefs': () => ({ events: [] }),
    'POST /api/v1/webhooks': () => ({ name: `probe-wh-${u}`, kind: 'generic', url: 'https://hooks.example.com/probe', events: ['ticket.created'], customerId: o.customer }),
    'POST /api/v1/tickets': () => ({ customerId: o.customer, contactId: o.contact, siteId: o.site, contractId: o.contract, kind: 'incident', title: 'probe', description: 'probe', impact: 'medium', urgency: 'high', reportedAt: now, teamId: o.team, assigneeId: o.user }),
    'POST /api/v1/tickets/bulk-assign': () => ({ ids: [o.ticket], teamId: o.team, assigneeId: o.user }),
    'PATCH /api/v1/tickets/{id}': () => ({ version, title: 'probe', siteId: o.site }),
    'POST /api/v1/tickets/{id}/actions/{action}': () => (params.action === 'assign' ? { teamId: o.team, assigneeId: o.user } : { reason: 'probe', resolution: 'probe' }),
    'POST /api/v1/tickets/{id}/reject': () => ({ reason: 'probe' }),
    'POST /api/v1/tickets/{id}/escalate': () => ({ kind: 'functional', reason: 'probe', toTeamId: o.team, toUserId: o.user }),
    'POST /api/v1/tickets/{id}/rating': () => ({ score: 5, comment: 'probe' }),
    'POST /api/v1/tickets/{id}/complaint': () => ({ text: 'probe' }),
    'POST /api/v1/tickets/{id}/replies': () => ({ body: 'probe', visibility: 'public', mentions: [o.user] }),
    'POST /api/v1/tickets/{id}/worklogs': () => ({ minutes: 5, mode: 'remote', note: 'probe' }),
    'POST /api/v1/tickets/{id}/visits': () => ({ event: 'arrive' }),
    'POST /api/v1/tickets/{id}/links': () => ({ otherId: o.ticket, kind: 'related' }),
    'POST /api/v1/dispatch-rules': () => ({ name: `probe-rule-${u}`, customerId: o.customer, teamId: o.team }),
    'POST /api/v1/dispatch-rules/reorder': () => ({ ids: w.records.A.dispatchRule ?? [] }),
    'POST /api/v1/public/confirm/{token}': () => ({ decision: 'confirm' }),
    'PATCH /api/v1/tickets/{id}/repair-report': () => ({ version, diagnosis: 'probe' }),
    'POST /api/v1/tickets/{id}/repair-report/sign': () => ({ version, signerName: 'probe', signaturePng: `data:image/png;base64,${png(60, 20).toString('base64')}` }),
    'POST /api/v1/alert-sources': () => ({ customerId: o.customer, name: `probe-src-${u}`, format: 'generic', contactId: o.contact, siteId: o.site }),
    'POST /api/v1/reporting/reports': () => ({ contractId: o.contract, type: 'monthly_service', period: '2026-01' }),
    'POST /api/v1/reporting/reports/{id}/signoff': () => ({ version, signerName: 'probe' }),
    'POST /api/v1/reporting/reports/{id}/return': () => ({ version, signerName: 'probe', opinion: 'probe' }),
    'POST /api/v1/knowledge/articles': () => ({ kind: 'faq', title: `probe-${u}`, audience: 'named', audienceCustomerIds: [o.customer], customerId: o.customer }),
    'PATCH /api/v1/knowledge/articles/{id}': () => ({ version, title: `probe-${u}` }),
    'POST /api/v1/knowledge/articles/{id}/transition': () => ({ version, action: 'archive' }),
    'POST /api/v1/knowledge/articles/{id}/versions/{n}/restore': () => ({ version }),
    'POST /api/v1/warehouses': () => ({ name: `probe-store-${u}`, kind: 'customer', customerId: o.customer, siteId: o.site }),
    'PUT /api/v1/part-stock/minimum': () => ({ warehouseId: o.warehouse, modelId: o.partModel, minQuantity: 1 }),
    'POST /api/v1/part-movements/stock-in': () => ({ warehouseId: o.warehouse, modelId: o.partModel, quantity: 1 }),
    'POST /api/v1/part-requisitions': () => ({ ticketId: o.ticket, warehouseId: o.warehouse, lines: [{ modelId: o.partModel, quantity: 1 }] }),
    'POST /api/v1/part-movements/return-unused': () => ({ ticketId: o.ticket, warehouseId: o.warehouse, modelId: o.partModel, quantity: 1 }),
    'POST /api/v1/part-movements/return-faulty': () => ({ ticketId: o.ticket, warehouseId: o.warehouse, modelId: o.partModel, quantity: 1 }),
    'PUT /api/v1/assets/{id}': () => ({ version, assetNo: `PROBE-${u}`, location: 'probe' }),
    'POST /api/v1/assets/{id}/dispose': () => ({ version, disposal: 'scrapped', date: day(0) }),
    'POST /api/v1/asset-campaigns': () => ({ customerId: o.customer, name: `probe-${u}` }),
    'POST /api/v1/asset-campaigns/{id}/items/{ciId}/check': () => ({ result: 'found' }),
    'POST /api/v1/asset-campaigns/{id}/items/{ciId}/decide': () => ({ decision: 'rejected' }),
    'POST /api/v1/evidence-exports': () => ({ customerId: o.customer, from: day(-40), to: day(-10) }),
    'POST /api/v1/vendors': () => ({ name: `probe-vendor-${u}` }),
    'POST /api/v1/repair-orders': () => ({ ticketId: o.ticket, vendorId: o.vendor, device: 'probe', fault: 'probe', coverage: 'warranty', dataHandling: 'backed_up' }),
    'POST /api/v1/repair-orders/{id}/progress': () => ({ text: 'probe' }),
    'POST /api/v1/cis': () => ({ customerId: o.customer, siteId: o.site, typeId: o.ciType, code: `PROBE-${u}`, name: 'probe', ownerId: o.user }),
    'PATCH /api/v1/cis/{id}': () => ({ version, name: `probe-${u}`, siteId: o.site }),
    'POST /api/v1/cis/{id}/relations': () => ({ type: 'depends_on', targetId: o.ci }),
    'POST /api/v1/tickets/{id}/cis': () => ({ ciIds: [o.ci] }),
    'POST /api/v1/ci-types': () => ({ code: `probe_${u}`, nameZh: 'probe', nameEn: 'probe' }),
    'POST /api/v1/mail/mailboxes': () => ({ address: `probe-${u}@desk.example.cn`, customerId: o.customer, fallbackContactId: o.contact }),
  };
  const sample = samples[op.key];
  if (sample) return sample();
  // PATCH/PUT with a version: change one harmless field, or nothing.
  const props = op.body.properties ?? {};
  const known: Record<string, unknown> = { version };
  for (const [name] of Object.entries(props)) {
    const kind = FIELD_KIND[name];
    if (kind) known[name] = isArraySchema(props[name]) ? [o[kind]] : o[kind];
  }
  return exampleOf(op.body, firstChoice, known) as Record<string, unknown>;
}

export interface Probe {
  op: Operation;
  /** What was swapped for another customer's id ('' for the request with the caller's own ids). */
  swapped: string;
  options: InjectOptions;
}

/** The caller's own value of each path parameter, query parameter the operation needs, and more. */
function ownParams(w: World, op: Operation): { params: Record<string, number | string>; query: Record<string, string> } {
  const params: Record<string, number | string> = {};
  const places = idPlaces(op);
  for (const p of op.pathParams) {
    const place = places.find((x) => x.in === 'path' && x.name === p.name);
    if (place) params[p.name] = w.own[place.kind];
    else if (p.schema.enum) params[p.name] = String(p.schema.enum[0]);
    else params[p.name] = 'probe-token';
  }
  const query: Record<string, string> = {};
  const now = new Date();
  const byName: Record<string, string> = {
    start: now.toISOString(), from: new Date(now.getTime() - 86_400_000).toISOString(), to: now.toISOString(), reportedAt: now.toISOString(),
    minutes: '60', month: '2026-03', token: w.alertTokenA, visibility: 'public', priority: 'P2', impact: 'medium', urgency: 'high',
  };
  for (const q of op.queryParams) if (q.required || (byName[q.name] && op.path.includes('/calendars/'))) query[q.name] = byName[q.name] ?? String(exampleOf(q.schema, firstChoice, {}, q.name));
  if (op.key === 'POST /api/v1/alerts/{sourceId}') query.token = w.alertTokenA;
  // Full-text search for the markers themselves: every customer's records carry MARK-X- (modules/search).
  if (op.key === 'GET /api/v1/search') query.q = 'MARK';
  // KPIs (modules/reporting): a KPI, local days around the fixture's tickets and the grouping that names each customer,
  // so a figure or a drilled ticket of another customer would show its marker.
  if (op.key === 'GET /api/v1/reporting/metrics' || op.key === 'GET /api/v1/reporting/metrics.xlsx' || op.key === 'GET /api/v1/reporting/drill') {
    const day = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
    Object.assign(query, op.key.endsWith('/drill') ? { kpi: 'tickets.opened' } : { kpis: 'tickets.opened,sla.response.met_rate', groupBy: 'customer' }, { from: day(-400), to: day(1) });
  }
  return { params, query };
}

/** A body that is not JSON (uploads, mail): the operations that take one. */
function rawBody(op: Operation): Partial<InjectOptions> | null {
  if (op.path.endsWith('/attachments') || op.path.endsWith('/paper-signed')) return multipart(op.path.endsWith('/paper-signed') ? { version: '1', signerName: 'probe' } : {}, { name: 'probe.png', bytes: png(40, 20), type: 'image/png' });
  if (op.key === 'PUT /api/v1/asset-campaigns/{id}/items/{ciId}/photo') return multipart({}, { name: 'probe.png', bytes: png(40, 20), type: 'image/png' });
  if (op.key === 'POST /api/v1/knowledge/files') return multipart({}, { name: 'probe.txt', bytes: Buffer.from('probe text\n'), type: 'text/plain' });
  if (op.path.endsWith('/contacts/import')) return multipart({}, { name: 'probe.xlsx', bytes: Buffer.from('not a spreadsheet'), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  if (op.key === 'POST /api/v1/mail/inbound') return { payload: rfc822('probe <probe@example.com>', 'a@desk.example.cn', 'probe', 'probe'), headers: { 'content-type': 'message/rfc822' } };
  if (op.key === 'POST /api/v1/alerts/{sourceId}') return { payload: { fingerprint: 'probe', title: 'probe' } };
  return null;
}

/**
 * The requests for `op` with the caller's own ids (`swapped: ''`), then one per id place and
 * record of the `foreign` customers, with that record's id in that place. An enumerated path
 * parameter (a ticket action) takes each of its values when the path id is swapped.
 */
export async function probesFor(w: World, op: Operation, foreign: CustomerKey[], withOwn: boolean): Promise<Probe[]> {
  const { params, query } = ownParams(w, op);
  const out: Probe[] = [];
  const make = async (p: Record<string, number | string>, q: Record<string, string | number>, swap: (body: Record<string, unknown> | undefined) => void, swapped: string) => {
    const body = await bodyFor(w, op, p);
    swap(body);
    const raw = rawBody(op);
    const options: InjectOptions = { method: op.method as InjectOptions['method'], url: urlOf(op, p, q), ...(raw ?? {}) };
    if (!raw && body !== undefined) options.payload = body as InjectOptions['payload'];
    out.push({ op, swapped, options });
  };
  if (withOwn) await make(params, query, () => {}, '');
  const enumParam = op.pathParams.find((p) => p.schema.enum && !FIELD_KIND[p.name] && p.name !== 'id');
  for (const place of idPlaces(op)) {
    for (const x of foreign) {
      for (const id of w.records[x][place.kind] ?? []) {
        const label = `${place.in}.${place.name}=${place.kind}#${id}(${x})`;
        if (place.in === 'path') {
          const values = place.name === 'id' && enumParam ? (enumParam.schema.enum as string[]) : [params[enumParam?.name ?? ''] as string];
          for (const v of values) {
            const p = { ...params, [place.name]: id, ...(enumParam ? { [enumParam.name]: v } : {}) };
            await make(p, query, () => {}, enumParam ? `${label} ${enumParam.name}=${v}` : label);
          }
        } else if (place.in === 'query') {
          await make(params, { ...query, [place.name]: id }, () => {}, label);
        } else {
          await make(params, query, (body) => {
            if (body) body[place.name] = place.array ? [id] : id;
          }, label);
        }
      }
    }
  }
  return out;
}

/** Sends a probe as `actor`: with its session cookie and CSRF header, or with no credentials. */
export function send(w: World, actor: Actor, probe: Probe, opts: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
  if (!actor.session) return w.app.inject(probe.options);
  const headers: Record<string, string> = { ...((probe.options.headers as Record<string, string>) ?? {}), cookie: actor.session.cookie };
  if (opts.csrf !== false) headers['x-csrf-token'] = actor.session.csrf;
  return w.app.inject({ ...probe.options, headers });
}

/**
 * The permission each operation's route requires, learnt from the server itself: a token whose
 * only scope is `portal.use` is refused by the auth hook with the route's permission named
 * (`auth.tokenScope`, 403) before any handler runs. Null: no permission (the caller's own data)
 * or `portal.use`. Path ids are dummies, so nothing is changed.
 */
export async function routePermissions(w: World, ops: Operation[]): Promise<Map<string, string | null>> {
  const db = w.t.database.db;
  const probeUser = await insertUser(w.t.database, { username: `perm_probe_${uniq()}`, roles: ['customer_contact'], customerId: w.customerIds.A, locale: 'en-US' });
  const { token } = await createApiToken(db, probeUser, 'permission probe', ['portal.use'], null, { userId: probeUser, name: 'perm_probe', ip: null });
  const out = new Map<string, string | null>();
  for (const op of ops) {
    if (op.isPublic || SELF_ENDING.has(op.key)) {
      out.set(op.key, null);
      continue;
    }
    const params = Object.fromEntries(op.pathParams.map((p) => [p.name, p.schema.enum ? String(p.schema.enum[0]) : p.schema.type === 'integer' ? 999_999_999 : 'probe-x']));
    const res = await w.app.inject({ method: op.method as InjectOptions['method'], url: urlOf(op, params), headers: { authorization: `Bearer ${token}`, 'accept-language': 'en-US' } });
    const m = res.statusCode === 403 ? /requires permission: ([a-z_.]+)/.exec(res.json().title ?? '') : null;
    out.set(op.key, m ? m[1] : null);
  }
  await db.updateTable('users').set({ disabled: 1 }).where('id', '=', probeUser).execute();
  return out;
}
