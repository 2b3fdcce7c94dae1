import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, insertUser, login, type DbKind, type Session, type TestApp } from './harness.js';

/**
 * A small service desk for the tickets tests, built through the API: two customers (A, B),
 * each with a site, a contact and a 7x24 contract under SLA template T4 tier 1 (response 30 min,
 * resolution 2 h on 24x7, warnings at 50% and 80%, the project manager told at the breach,
 * resolution paused while waiting for the customer); a desk team and a first-line team serving A;
 * and a login for each role that matters.
 */
export interface Org {
  customerId: number;
  contactId: number;
  siteId: number;
  contractId: number;
}

export interface TicketWorld {
  t: TestApp;
  admin: Session;
  desk: Session;
  eng: Session;
  eng2: Session;
  custA: Session;
  custB: Session;
  users: { desk: number; eng: number; eng2: number; pm: number; custA: number; custB: number };
  teams: { desk: number; line1: number };
  a: Org;
  b: Org;
}

function ok(res: LightMyRequestResponse, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

export async function customerWithContract(admin: Session, code: string, pm: number | null, template: { templateId: string; policyId?: string } | null = { templateId: 'T4', policyId: 't4-tier1' }): Promise<Org> {
  const customer = ok(await admin.request({ method: 'POST', url: '/api/v1/customers', payload: { code, name: `客户${code}`, tier: 1 } }), 201);
  const site = ok(await admin.request({ method: 'POST', url: `/api/v1/customers/${customer.id}/sites`, payload: { name: `${code} 机房` } }), 201);
  const contact = ok(await admin.request({ method: 'POST', url: `/api/v1/customers/${customer.id}/contacts`, payload: { name: `${code} 联系人`, siteId: site.id, phone: '010-88886666' } }), 201);
  const contract = ok(
    await admin.request({
      method: 'POST',
      url: `/api/v1/customers/${customer.id}/contracts`,
      payload: { code: `HT-${code}`, name: `${code} 运维服务合同`, startsOn: day(-400), endsOn: day(400), services: ['服务器运维'], serviceHours: '7x24', projectManagerId: pm },
    }),
    201,
  );
  if (template) ok(await admin.request({ method: 'POST', url: `/api/v1/contracts/${contract.id}/sla/apply-template`, payload: { ...template, version: contract.version } }));
  return { customerId: customer.id, contactId: contact.id, siteId: site.id, contractId: contract.id };
}

export async function ticketWorld(kind: DbKind, env: Record<string, string> = {}): Promise<TicketWorld> {
  const t = await createTestApp(kind, env);
  await insertUser(t.database, { username: 'admin', roles: ['admin'] });
  const pm = await insertUser(t.database, { username: 'pm', roles: ['pm'], displayName: '王磊' });
  const desk = await insertUser(t.database, { username: 'desk', roles: ['desk'], displayName: '张敏' });
  const eng = await insertUser(t.database, { username: 'eng', roles: ['engineer'], displayName: '李强' });
  const eng2 = await insertUser(t.database, { username: 'eng2', roles: ['engineer'], displayName: '陈静' });
  const admin = await login(t.app, 'admin');
  const a = await customerWithContract(admin, 'A', pm);
  const b = await customerWithContract(admin, 'B', null);
  const deskTeam = ok(await admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: '服务台', kind: 'desk', memberIds: [desk], customerIds: [a.customerId, b.customerId] } }), 201);
  const line1 = ok(await admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: '一线支持组', kind: 'line1', memberIds: [eng, eng2], customerIds: [a.customerId] } }), 201);
  const custA = await insertUser(t.database, { username: 'cust_a', roles: ['customer_contact'], customerId: a.customerId, displayName: 'A 报障人' });
  const custB = await insertUser(t.database, { username: 'cust_b', roles: ['customer_contact'], customerId: b.customerId, displayName: 'B 报障人' });
  return {
    t,
    admin,
    desk: await login(t.app, 'desk'),
    eng: await login(t.app, 'eng'),
    eng2: await login(t.app, 'eng2'),
    custA: await login(t.app, 'cust_a'),
    custB: await login(t.app, 'cust_b'),
    users: { desk, eng, eng2, pm, custA, custB },
    teams: { desk: deskTeam.id, line1: line1.id },
    a,
    b,
  };
}

/** A valid report for customer `org`, reported `minutesAgo` minutes ago. */
export function report(org: Org, overrides: Record<string, unknown> = {}, minutesAgo = 1) {
  return {
    customerId: org.customerId,
    contactId: org.contactId,
    siteId: org.siteId,
    kind: 'incident',
    title: '财务系统无法登录',
    description: '上午 9 点起财务部所有电脑无法登录财务系统，提示连接超时。',
    impact: 'medium',
    urgency: 'high',
    reportedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    ...overrides,
  };
}

export async function createTicket(s: Session, body: Record<string, unknown>) {
  return ok(await s.request({ method: 'POST', url: '/api/v1/tickets', payload: body }), 201);
}

export async function act(s: Session, id: number, action: string, body: Record<string, unknown> = {}) {
  return s.request({ method: 'POST', url: `/api/v1/tickets/${id}/actions/${action}`, payload: body });
}

export { ok };
