import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';
import { insertBareTicket } from '../../test/bare-rows.js';
import { recordAudit } from './service.js';

/**
 * GET /api/v1/audit names people and records as users know them (#10 item 15): the actor's
 * display name next to the login name, and a ticket's number next to its row id — resolved for
 * the whole page at once.
 */
describeDb('audit search output', (kind) => {
  let t: TestApp;
  let admin: Session;
  let ticketId: number;
  let agentId: number;

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'audit_admin', roles: ['admin'], displayName: '审计管理员' });
    agentId = await insertUser(t.database, { username: 'wang.fang', roles: ['desk'], displayName: '王芳' });
    const db = t.database.db;
    ({ ticketId } = await insertBareTicket(db));
    const who = { userId: agentId, name: 'wang.fang', ip: '10.0.0.8' };
    await recordAudit(db, who, { action: 'create', entity: 'tickets', entityId: ticketId, after: { title: '宕机' } });
    await recordAudit(db, who, { action: 'reply', entity: 'tickets', entityId: ticketId, after: { body: '已联系' } });
    await recordAudit(db, who, { action: 'update', entity: 'tickets', entityId: 999_999, after: { title: 'gone' } });
    await recordAudit(db, who, { action: 'update', entity: 'customers', entityId: 1, after: { name: 'x' } });
    await recordAudit(db, { userId: null, name: 'system', ip: null }, { action: 'sla_recompute', entity: 'tickets', entityId: ticketId });
    admin = await login(t.app, 'audit_admin');
  });
  afterAll(() => t.close());

  const search = async (query: string) => {
    const res = await admin.request({ method: 'GET', url: `/api/v1/audit?${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as Array<Record<string, unknown>>;
  };

  it('gives the actor\'s display name, null for the system', async () => {
    const items = await search('entity=tickets&limit=50');
    const mine = items.filter((r) => r.actorId === agentId);
    expect(mine.length).toBe(3);
    for (const r of mine) expect(r).toMatchObject({ actorName: 'wang.fang', actorDisplayName: '王芳' });
    expect(items.find((r) => r.action === 'sla_recompute')).toMatchObject({ actorId: null, actorName: 'system', actorDisplayName: null });
  });

  it('gives the ticket number of ticket rows; null for a missing ticket and for entities without numbers', async () => {
    const items = await search('limit=50');
    const ofTicket = items.filter((r) => r.entity === 'tickets' && r.entityId === String(ticketId));
    expect(ofTicket.length).toBe(3);
    for (const r of ofTicket) expect(r.entityNumber).toBe('INC-2026-000001');
    expect(items.find((r) => r.entity === 'tickets' && r.entityId === '999999')).toMatchObject({ entityNumber: null });
    expect(items.find((r) => r.entity === 'customers')).toMatchObject({ entityNumber: null });
  });

  it('keeps the filters working with the users join (actor, entity id, keyset pages)', async () => {
    expect((await search(`actorId=${agentId}&limit=50`)).map((r) => r.action).sort()).toEqual(['create', 'reply', 'update', 'update']);
    expect((await search(`entity=tickets&entityId=${ticketId}&limit=50`)).length).toBe(3);
    const first = await admin.request({ method: 'GET', url: '/api/v1/audit?entity=tickets&limit=2' });
    const page1 = first.json();
    expect(page1.items).toHaveLength(2);
    const page2 = (await admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&limit=2&cursor=${encodeURIComponent(page1.nextCursor)}` })).json();
    expect(page2.items.length).toBeGreaterThan(0);
    expect(Math.max(...page2.items.map((r: { id: number }) => r.id))).toBeLessThan(Math.min(...page1.items.map((r: { id: number }) => r.id)));
  });
});
