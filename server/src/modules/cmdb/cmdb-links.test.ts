import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, fanOutQueued } from '../../test/harness.js';
import { ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';

const C = '/api/v1/cis';
const fields = (res: LightMyRequestResponse) => ((res.json().errors ?? []) as Array<{ field: string }>).map((e) => e.field);

describeDb('cmdb: relationships, impact, tickets, lookup, alerts', (kind) => {
  let w: TicketWorld;
  let type: Record<string, number>;
  const mk = async (code: string, typeCode: string, over: Record<string, unknown> = {}) =>
    ok(await w.admin.request({ method: 'POST', url: C, payload: { customerId: w.a.customerId, siteId: w.a.siteId, typeId: type[typeCode], code, name: code, ...over } }), 201) as { id: number; version: number; code: string };
  const relate = (from: number, t: string, to: number) => w.admin.request({ method: 'POST', url: `${C}/${from}/relations`, payload: { type: t, targetId: to } });
  let g: Record<string, { id: number; version: number }>;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    type = Object.fromEntries(ok(await w.admin.request({ method: 'GET', url: '/api/v1/ci-types' })).map((t: { code: string; id: number }) => [t.code, t.id]));
    // room ← rack ← core switch ← access switch ← db server, app server; HIS runs on app server, depends on the DB; DB backed up by storage
    g = {
      room: await mk('A-ROOM', 'machine_room'),
      rack: await mk('A-RACK-01', 'rack'),
      core: await mk('A-SW-CORE', 'network', { ip: '10.0.0.1' }),
      access: await mk('A-SW-ACC1', 'network', { ip: '10.0.0.2' }),
      dbsrv: await mk('A-SRV-DB01', 'server_physical', { ip: '10.1.1.11', hostname: 'his-db01', attributes: { ips: ['10.1.2.11'] } }),
      appsrv: await mk('A-SRV-APP01', 'server_physical', { ip: '10.1.1.21', hostname: 'his-app01.hospital.local' }),
      db: await mk('A-DB-HIS', 'database'),
      his: await mk('A-APP-HIS', 'application', { name: 'HIS 医院信息系统', criticality: 1 }),
      pacs: await mk('A-APP-PACS', 'application', { name: 'PACS 影像系统' }),
      storage: await mk('A-STOR-BAK', 'storage'),
    };
    for (const [a, t, b] of [
      ['rack', 'hosted_in', 'room'],
      ['core', 'hosted_in', 'rack'],
      ['access', 'connects_to', 'core'],
      ['core', 'connects_to', 'access'],
      ['dbsrv', 'connects_to', 'access'],
      ['appsrv', 'connects_to', 'access'],
      ['dbsrv', 'hosted_in', 'rack'],
      ['db', 'runs_on', 'dbsrv'],
      ['his', 'runs_on', 'appsrv'],
      ['his', 'depends_on', 'db'],
      ['pacs', 'depends_on', 'his'],
      ['db', 'backed_up_by', 'storage'],
    ] as const) ok(await relate(g[a].id, t, g[b].id), 201);
  }, 90_000);
  afterAll(() => w?.t.close());

  it('lists relationships both ways and writes both CIs\' history', async () => {
    const rels = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.dbsrv.id}/relations` }));
    expect(rels.outgoing.map((r: { type: string; target: { code: string } }) => `${r.type}:${r.target.code}`).sort()).toEqual(['connects_to:A-SW-ACC1', 'hosted_in:A-RACK-01']);
    expect(rels.incoming.map((r: { source: { code: string } }) => r.source.code)).toEqual(['A-DB-HIS']);
    const hist = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.rack.id}/history` }));
    expect(hist.items.filter((h: { action: string }) => h.action === 'related').length).toBe(3);
  });

  it('refuses a relationship to another customer\'s CI, a duplicate, a self-loop and a placement cycle', async () => {
    const b = ok(await w.admin.request({ method: 'POST', url: C, payload: { customerId: w.b.customerId, typeId: type.server_physical, code: 'B-SRV-1', name: 'B 的服务器' } }), 201);
    const other = await relate(g.his.id, 'runs_on', b.id);
    expect(other.statusCode).toBe(400);
    expect(fields(other)).toEqual(['targetId']);
    // A scoped engineer (serving A only) cannot reach B's CI either: the same answer, no link.
    const eng = await w.eng.request({ method: 'POST', url: `${C}/${g.his.id}/relations`, payload: { type: 'depends_on', targetId: b.id } });
    expect(eng.statusCode).toBe(400);
    const dup = await relate(g.his.id, 'runs_on', g.appsrv.id);
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('duplicate');
    expect((await relate(g.his.id, 'depends_on', g.his.id)).statusCode).toBe(400);
    const cycle = await relate(g.room.id, 'hosted_in', g.dbsrv.id);
    expect(cycle.statusCode).toBe(409);
    expect(cycle.json().code).toBe('cycle');
    // depends_on may form a cycle (HIS and PACS call each other)
    ok(await relate(g.his.id, 'depends_on', g.pacs.id), 201);
    const count = await w.t.database.db.selectFrom('ci_relations').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', w.b.customerId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('impact up from the core switch reaches the applications; down from HIS reaches the machine room; cycles end', async () => {
    const up = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.core.id}/impact?direction=up&depth=5` }));
    const codes = up.nodes.map((n: { code: string }) => n.code).sort();
    expect(codes).toEqual(['A-APP-HIS', 'A-APP-PACS', 'A-DB-HIS', 'A-SRV-APP01', 'A-SRV-DB01', 'A-SW-ACC1', 'A-SW-CORE']);
    expect(up.services.map((s: { code: string }) => s.code)).toEqual(['A-APP-HIS', 'A-APP-PACS']);
    expect(up.customers).toEqual([{ id: w.a.customerId, name: '客户A', cis: 7 }]);
    expect(up.truncated).toBe(false);
    const shallow = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.core.id}/impact?direction=up&depth=1` }));
    expect(shallow.nodes.map((n: { code: string }) => n.code).sort()).toEqual(['A-SW-ACC1', 'A-SW-CORE']);
    const down = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.his.id}/impact?direction=down&depth=10` }));
    expect(down.nodes.map((n: { code: string }) => n.code)).toEqual(expect.arrayContaining(['A-ROOM', 'A-STOR-BAK', 'A-SRV-APP01', 'A-DB-HIS']));
    const capped = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.core.id}/impact?direction=both&depth=10&maxNodes=10` }));
    expect(capped.nodes.length).toBeLessThanOrEqual(10);
    expect((await w.admin.request({ method: 'GET', url: `${C}/${g.core.id}/impact?depth=11` })).statusCode).toBe(400);
  });

  it('a ticket names CIs at creation (same transaction) and later; another customer\'s CI is refused; impact lists its open tickets', async () => {
    const bad = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { ciIds: [g.dbsrv.id, 999_999] }) });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['ciIds[1]']);
    const tk = ok(await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { title: 'HIS 数据库服务器宕机', ciIds: [g.dbsrv.id] }) }), 201);
    expect(ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}/cis` })).items.map((c: { code: string }) => c.code)).toEqual(['A-SRV-DB01']);
    const b = ok(await w.admin.request({ method: 'POST', url: C, payload: { customerId: w.b.customerId, typeId: type.pc, code: 'B-PC-1', name: 'B 的电脑' } }), 201);
    const foreign = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/cis`, payload: { ciIds: [b.id] } });
    expect(foreign.statusCode).toBe(400);
    expect(fields(foreign)).toEqual(['ciIds[0]']);
    ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/cis`, payload: { ciIds: [g.his.id] } }));
    const impact = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.core.id}/impact?depth=5` }));
    expect(impact.openTickets.map((t: { id: number }) => t.id)).toContain(tk.id);
    const related = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.dbsrv.id}/related` }));
    expect(related.tickets[0]).toMatchObject({ id: tk.id, state: expect.any(String) });
    expect((await w.desk.request({ method: 'DELETE', url: `/api/v1/tickets/${tk.id}/cis/${g.his.id}` })).statusCode).toBe(204);
    // Retiring a CI an open ticket names tells the ticket's assignee.
    const assigned = ok(await w.admin.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { title: '接入交换机故障', ciIds: [g.access.id], teamId: w.teams.line1, assigneeId: w.users.eng }) }), 201);
    const acc = ok(await w.admin.request({ method: 'GET', url: `${C}/${g.access.id}` }));
    ok(await w.admin.request({ method: 'POST', url: `${C}/${g.access.id}/retire`, payload: { version: acc.version } }));
    await fanOutQueued(w.t.database);
    const inbox = await w.t.database.db.selectFrom('notifications').select(['title', 'event']).where('user_id', '=', w.users.eng).execute();
    expect(inbox.some((nrow) => nrow.event === 'ci.retired' && nrow.title.includes('A-SW-ACC1'))).toBe(true);
    expect(assigned.id).toBeGreaterThan(0);
  });

  it('lookup within a customer: by IP (exact, other address, prefix), code prefix, name, at most 20', async () => {
    const q = async (s: string, customerId = w.a.customerId) => ok(await w.desk.request({ method: 'GET', url: `${C}/lookup?customerId=${customerId}&q=${encodeURIComponent(s)}` })).items;
    expect((await q('10.1.2.11'))[0]).toMatchObject({ code: 'A-SRV-DB01', matched: 'ip', address: '10.1.2.11' });
    expect((await q('10.1.1.')).map((i: { code: string }) => i.code).sort()).toEqual(['A-SRV-APP01', 'A-SRV-DB01']);
    expect((await q('a-app')).map((i: { code: string }) => i.code).sort()).toEqual(['A-APP-HIS', 'A-APP-PACS']);
    expect((await q('影像'))[0]).toMatchObject({ code: 'A-APP-PACS', matched: 'name' });
    expect((await q('his-app01'))[0]).toMatchObject({ code: 'A-SRV-APP01', matched: 'hostname' });
    expect(await q('A-', w.b.customerId)).toEqual([]);
    expect((await w.custA.request({ method: 'GET', url: `${C}/lookup?customerId=${w.b.customerId}&q=B` })).statusCode).toBe(404);
  });

  it('an alert whose host or instance matches a CI names it on the ticket it opens', async () => {
    const src = ok(await w.admin.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, contactId: w.a.contactId, siteId: w.a.siteId, format: 'alertmanager', name: '监控' } }), 201);
    const body = { status: 'firing', alerts: [{ status: 'firing', fingerprint: 'fp-ci-1', labels: { alertname: 'HostDown', instance: '10.1.2.11:9100', severity: 'critical' }, annotations: { summary: '主机不可达' }, startsAt: new Date().toISOString() }] };
    const res = ok(await w.t.app.inject({ method: 'POST', url: `/api/v1/alerts/${src.id}?token=${encodeURIComponent(src.token)}`, payload: body }));
    const ticketId = res.results[0].ticketId;
    expect(ok(await w.admin.request({ method: 'GET', url: `/api/v1/tickets/${ticketId}/cis` })).items.map((c: { code: string }) => c.code)).toEqual(['A-SRV-DB01']);
    const gen = ok(await w.admin.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, contactId: w.a.contactId, format: 'generic', name: '通用' } }), 201);
    const r2 = ok(await w.t.app.inject({ method: 'POST', url: `/api/v1/alerts/${gen.id}?token=${encodeURIComponent(gen.token)}`, payload: { fingerprint: 'g-1', title: 'CPU 高', severity: 'major', host: 'HIS-APP01' } }));
    expect(ok(await w.admin.request({ method: 'GET', url: `/api/v1/tickets/${r2.results[0].ticketId}/cis` })).items.map((c: { code: string }) => c.code)).toEqual(['A-SRV-APP01']);
  });

  it('CIs are in the full-text search: by name words, IP and serial; a customer\'s user finds only his own', async () => {
    const hits = async (sess: typeof w.admin, q: string) => {
      const res = ok(await sess.request({ method: 'GET', url: `/api/v1/search?kinds=ci&q=${encodeURIComponent(q)}` }));
      return (res.groups.find((g: { kind: string }) => g.kind === 'ci')?.items ?? []).map((i: { title: string }) => i.title);
    };
    expect((await hits(w.admin, '影像系统')).join()).toContain('A-APP-PACS');
    expect((await hits(w.admin, '10.1.2.11')).join()).toContain('A-SRV-DB01');
    expect((await hits(w.custA, '影像系统')).join()).toContain('A-APP-PACS');
    expect(await hits(w.custB, '影像系统')).toEqual([]);
  });

  it('a customer\'s user reads his CIs\' impact and relations, and changes nothing', async () => {
    expect(ok(await w.custA.request({ method: 'GET', url: `${C}/${g.core.id}/impact` })).nodes.length).toBeGreaterThan(1);
    expect((await w.custA.request({ method: 'POST', url: `${C}/${g.his.id}/relations`, payload: { type: 'depends_on', targetId: g.db.id } })).statusCode).toBe(403);
    expect((await w.custB.request({ method: 'GET', url: `${C}/${g.core.id}/relations` })).statusCode).toBe(404);
    expect((await w.custB.request({ method: 'GET', url: `${C}/${g.core.id}/impact` })).statusCode).toBe(404);
  });
});
