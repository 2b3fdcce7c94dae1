import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb } from '../../test/harness.js';
import { ok, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';

const C = '/api/v1/cis';
const T = '/api/v1/ci-types';
const errs = (res: LightMyRequestResponse) => (res.json().errors ?? []) as Array<{ field: string; code: string; message: string }>;
const fields = (res: LightMyRequestResponse) => errs(res).map((e) => e.field);

describeDb('cmdb: types and CIs', (kind) => {
  let w: TicketWorld;
  let types: Record<string, { id: number; version: number; attributes: Array<{ key: string }> }>;
  let n = 0;
  const ci = (over: Record<string, unknown> = {}) => ({ customerId: w.a.customerId, siteId: w.a.siteId, typeId: types.server_physical.id, code: `SRV-T${++n}`, name: `测试服务器 ${n}`, ...over });
  const create = async (over: Record<string, unknown> = {}) => ok(await w.admin.request({ method: 'POST', url: C, payload: ci(over) }), 201);

  beforeAll(async () => {
    w = await ticketWorld(kind);
    const list = ok(await w.admin.request({ method: 'GET', url: T }));
    types = Object.fromEntries(list.map((t: { code: string }) => [t.code, t]));
  }, 60_000);
  afterAll(() => w?.t.close());

  it('ships the built-in types as data, with Chinese-first attributes', () => {
    expect(Object.keys(types).sort()).toEqual(['application', 'circuit', 'database', 'machine_room', 'middleware', 'network', 'pc', 'printer', 'rack', 'security', 'server_physical', 'server_virtual', 'storage', 'ups']);
    expect(types.server_physical.attributes.map((a) => a.key)).toEqual(expect.arrayContaining(['cpu', 'memoryGb', 'os', 'ips', 'rackPosition']));
  });

  it('creates a CI: code upper-cased, host name lower-cased, addresses from ip and IP attributes', async () => {
    const out = await create({ code: 'srv-his-db01', hostname: 'HIS-DB01.Hospital.local', ip: '10.1.1.11', serial: 'SN-0001', attributes: { memoryGb: 256, cpuCores: 32, os: '麒麟 V10', ips: ['10.1.2.11', '10.1.1.11'], bmcIp: '10.9.0.11' } });
    expect(out).toMatchObject({ code: 'SRV-HIS-DB01', hostname: 'his-db01.hospital.local', status: 'in_use', criticality: 3, typeCode: 'server_physical', customerId: w.a.customerId, siteName: 'A 机房', version: 1 });
    expect(out.addresses.sort()).toEqual(['10.1.1.11', '10.1.2.11', '10.9.0.11']);
    const hist = ok(await w.admin.request({ method: 'GET', url: `${C}/${out.id}/history` }));
    expect(hist.items[0]).toMatchObject({ action: 'created', actorName: expect.any(String) });
    expect(hist.items[0].changes.code).toEqual([null, 'SRV-HIS-DB01']);
  });

  it('refuses an attribute of the wrong type, naming it in Chinese', async () => {
    const res = await w.admin.request({ method: 'POST', url: C, payload: ci({ attributes: { memoryGb: '很多', cpuCores: 2.5, bmcIp: '10.0.0.999', nope: 1 } }) });
    expect(res.statusCode).toBe(400);
    expect(fields(res).sort()).toEqual(['attributes.bmcIp', 'attributes.cpuCores', 'attributes.memoryGb', 'attributes.nope']);
    expect(errs(res).find((e) => e.field === 'attributes.memoryGb')!.message).toContain('内存');
  });

  it('refuses a duplicate code or serial, naming the field', async () => {
    await create({ code: 'DUP-1', serial: 'SER-DUP' });
    const code = await w.admin.request({ method: 'POST', url: C, payload: ci({ code: 'dup-1' }) });
    expect(code.statusCode).toBe(409);
    expect(fields(code)).toEqual(['code']);
    const serial = await w.admin.request({ method: 'POST', url: C, payload: ci({ customerId: w.b.customerId, siteId: w.b.siteId, serial: 'SER-DUP' }) });
    expect(serial.statusCode).toBe(409);
    expect(fields(serial)).toEqual(['serial']);
    expect(errs(serial)[0].message).toContain('DUP-1');
  });

  it('site must belong to the CI\'s customer; owner must be staff or the customer\'s', async () => {
    const res = await w.admin.request({ method: 'POST', url: C, payload: ci({ siteId: w.b.siteId, ownerId: w.users.custB }) });
    expect(res.statusCode).toBe(400);
    expect(fields(res).sort()).toEqual(['ownerId', 'siteId']);
  });

  it('NUL bytes and huge strings are refused with the field named', async () => {
    const nul = await w.admin.request({ method: 'POST', url: C, payload: ci({ name: 'a\u0000b' }) });
    expect(nul.statusCode).toBe(400);
    expect(fields(nul)).toEqual(['name']);
    const huge = await w.admin.request({ method: 'POST', url: C, payload: ci({ name: 'x'.repeat(100_000) }) });
    expect(huge.statusCode).toBe(400);
    expect(fields(huge)).toEqual(['name']);
    const attr = await w.admin.request({ method: 'POST', url: C, payload: ci({ attributes: { os: 'y'.repeat(4000) } }) });
    expect(attr.statusCode).toBe(400);
    expect(fields(attr)).toEqual(['attributes.os']);
    const badIp = await w.admin.request({ method: 'POST', url: C, payload: ci({ ip: '300.1.1.1' }) });
    expect(fields(badIp)).toEqual(['ip']);
  });

  it('updates with an optimistic version (stale: 409), history per field, attributes merged', async () => {
    const c = await create({ attributes: { memoryGb: 64, os: 'UOS' } });
    const u = ok(await w.admin.request({ method: 'PATCH', url: `${C}/${c.id}`, payload: { version: 1, name: '改名', attributes: { memoryGb: 128, os: null } } }));
    expect(u.version).toBe(2);
    expect(u.attributes).toEqual({ memoryGb: 128 });
    const stale = await w.eng.request({ method: 'PATCH', url: `${C}/${c.id}`, payload: { version: 1, name: '别人也改' } });
    expect(stale.statusCode).toBe(409);
    // Two at once on the same version: one wins.
    const both = await Promise.all([
      w.admin.request({ method: 'PATCH', url: `${C}/${c.id}`, payload: { version: 2, criticality: 1 } }),
      w.eng.request({ method: 'PATCH', url: `${C}/${c.id}`, payload: { version: 2, criticality: 2 } }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const hist = ok(await w.admin.request({ method: 'GET', url: `${C}/${c.id}/history` }));
    const upd = hist.items.find((h: { changes: Record<string, unknown> }) => h.changes.name);
    expect(upd.changes).toMatchObject({ name: [`测试服务器 ${c.code.slice(5)}`, '改名'], 'attributes.memoryGb': [64, 128], 'attributes.os': ['UOS', null] });
    const audit = await w.t.database.db.selectFrom('audit_log').select(['action']).where('entity', '=', 'cis').where('entity_id', '=', String(c.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['create', 'update']));
  });

  it('lists with filters, keyset pages and q (code prefix, IP prefix, serial, name)', async () => {
    await create({ code: 'LST-SW-CORE', name: '核心交换机', typeId: types.network.id, ip: '10.20.0.1', serial: 'H3C-888' });
    await create({ code: 'LST-SW-ACC', name: '接入交换机', typeId: types.network.id, ip: '10.20.0.2' });
    const q = async (s: string, extra = '') => ok(await w.admin.request({ method: 'GET', url: `${C}?q=${encodeURIComponent(s)}${extra}` })).items.map((i: { code: string }) => i.code);
    expect(await q('lst-sw')).toEqual(expect.arrayContaining(['LST-SW-CORE', 'LST-SW-ACC']));
    expect(await q('10.20.0.1')).toEqual(['LST-SW-CORE']);
    expect((await q('10.20.')).sort()).toEqual(['LST-SW-ACC', 'LST-SW-CORE']);
    expect(await q('H3C-888')).toEqual(['LST-SW-CORE']);
    expect(await q('交换机', `&customerId=${w.a.customerId}`)).toEqual(expect.arrayContaining(['LST-SW-CORE', 'LST-SW-ACC']));
    expect(await q('交换机')).toEqual(expect.arrayContaining(['LST-SW-CORE', 'LST-SW-ACC']));
    const byType = ok(await w.admin.request({ method: 'GET', url: `${C}?typeId=${types.network.id}&limit=1` }));
    expect(byType.items).toHaveLength(1);
    const next = ok(await w.admin.request({ method: 'GET', url: `${C}?typeId=${types.network.id}&limit=1&cursor=${byType.nextCursor}` }));
    expect(next.items[0].id).toBeLessThan(byType.items[0].id);
  });

  it('a customer\'s user reads his own CIs only, and writes nothing', async () => {
    const mine = await create({ code: 'PORTAL-A' });
    const theirs = await create({ code: 'PORTAL-B', customerId: w.b.customerId, siteId: w.b.siteId });
    const list = ok(await w.custA.request({ method: 'GET', url: C }));
    expect(list.items.every((i: { customerId: number }) => i.customerId === w.a.customerId)).toBe(true);
    expect(ok(await w.custA.request({ method: 'GET', url: `${C}/${mine.id}` })).canWrite).toBe(false);
    expect((await w.custA.request({ method: 'GET', url: `${C}/${theirs.id}` })).statusCode).toBe(404);
    expect((await w.custA.request({ method: 'GET', url: `${C}?customerId=${w.b.customerId}` })).json().items).toEqual([]);
    expect((await w.custA.request({ method: 'PATCH', url: `${C}/${mine.id}`, payload: { version: 1, name: 'x' } })).statusCode).toBe(403);
    expect((await w.custA.request({ method: 'POST', url: C, payload: ci() })).statusCode).toBe(403);
    expect((await w.custA.request({ method: 'DELETE', url: `${C}/${mine.id}` })).statusCode).toBe(403);
    // A scoped engineer (serving A) does not see B's CIs either.
    expect((await w.eng.request({ method: 'GET', url: `${C}/${theirs.id}` })).statusCode).toBe(404);
  });

  it('deleting a CI a ticket names is refused with a suggestion to retire; retire works; unreferenced delete works', async () => {
    const c = await create();
    const ticket = ok(await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: { customerId: w.a.customerId, contactId: w.a.contactId, kind: 'incident', title: '服务器宕机', description: '无法访问', impact: 'medium', urgency: 'high', reportedAt: new Date().toISOString() } }), 201);
    ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${ticket.id}/cis`, payload: { ciIds: [c.id] } }));
    const del = await w.admin.request({ method: 'DELETE', url: `${C}/${c.id}` });
    expect(del.statusCode).toBe(409);
    expect(del.json().title).toMatch(/1 张工单.*退役/);
    const retired = ok(await w.admin.request({ method: 'POST', url: `${C}/${c.id}/retire`, payload: { version: c.version } }));
    expect(retired.status).toBe('retired');
    const free = await create();
    expect((await w.admin.request({ method: 'DELETE', url: `${C}/${free.id}` })).statusCode).toBe(204);
    expect((await w.admin.request({ method: 'GET', url: `${C}/${free.id}` })).statusCode).toBe(404);
  });

  it('types: create, edit labels freely; a tightening rule that existing CIs break is refused', async () => {
    const t = ok(await w.admin.request({ method: 'POST', url: T, payload: { code: 'camera', nameZh: '摄像头', nameEn: 'Camera', attributes: [{ key: 'resolution', zh: '分辨率', en: 'Resolution', kind: 'choice', choices: ['1080P', '4K'] }] } }), 201);
    expect((await w.eng.request({ method: 'POST', url: T, payload: { code: 'x', nameZh: 'x', nameEn: 'x' } })).statusCode).toBe(403);
    await create({ typeId: t.id, code: 'CAM-1', attributes: { resolution: '4K' } });
    const narrowed = await w.admin.request({ method: 'PATCH', url: `${T}/${t.id}`, payload: { version: t.version, attributes: [{ key: 'resolution', zh: '分辨率', en: 'Resolution', kind: 'choice', choices: ['1080P'] }] } });
    expect(narrowed.statusCode).toBe(409);
    expect(narrowed.json().title).toContain('CAM-1');
    const required = await w.admin.request({ method: 'PATCH', url: `${T}/${t.id}`, payload: { version: t.version, attributes: [...t.attributes, { key: 'lens', zh: '镜头', en: 'Lens', kind: 'text', required: true }] } });
    expect(required.statusCode).toBe(409);
    const relabel = ok(await w.admin.request({ method: 'PATCH', url: `${T}/${t.id}`, payload: { version: t.version, nameZh: '网络摄像机', attributes: [{ key: 'resolution', zh: '分辨率（像素）', en: 'Resolution', kind: 'choice', choices: ['1080P', '4K', '8K'] }, { key: 'lens', zh: '镜头', en: 'Lens', kind: 'text' }] } }));
    expect(relabel.version).toBe(2);
    const bad = await w.admin.request({ method: 'POST', url: T, payload: { code: 'bad_type', nameZh: '坏', nameEn: 'Bad', attributes: [{ key: '9x', zh: '九', en: 'Nine', kind: 'choice' }] } });
    expect(fields(bad).sort()).toEqual(['attributes[0].choices', 'attributes[0].key']);
    const off = ok(await w.admin.request({ method: 'POST', url: `${T}/${t.id}/disable`, payload: { version: 2 } }));
    expect(off.disabled).toBe(true);
    const refused = await w.admin.request({ method: 'POST', url: C, payload: ci({ typeId: t.id }) });
    expect(fields(refused)).toEqual(['typeId']);
  });

  it('removing an attribute from a type keeps its values on existing CIs', async () => {
    const t = ok(await w.admin.request({ method: 'POST', url: T, payload: { code: 'kiosk', nameZh: '自助机', nameEn: 'Kiosk', attributes: [{ key: 'floor', zh: '楼层', en: 'Floor', kind: 'integer' }] } }), 201);
    const c = await create({ typeId: t.id, attributes: { floor: 3 } });
    ok(await w.admin.request({ method: 'PATCH', url: `${T}/${t.id}`, payload: { version: 1, attributes: [] } }));
    const after = ok(await w.admin.request({ method: 'PATCH', url: `${C}/${c.id}`, payload: { version: 1, name: '一楼自助机' } }));
    expect(after.attributes).toEqual({ floor: 3 });
  });
});
