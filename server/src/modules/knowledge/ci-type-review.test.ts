import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, fanOutQueued, insertUser, login, type Session } from '../../test/harness.js';
import { ok, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';

const A = '/api/v1/knowledge/articles';
const T = '/api/v1/ci-types';

describeDb('knowledge: a linked CI type changing sends articles to review', (kind) => {
  let w: TicketWorld;
  let reviewer: Session;
  const publish = async (ciTypes: string[], title: string) => {
    const a = ok(await w.eng.request({ method: 'POST', url: A, payload: { kind: 'solution', title, bodyHtml: '<p>步骤</p>', ciTypes, audience: 'customers' } }), 201);
    const sub = ok(await w.eng.request({ method: 'POST', url: `${A}/${a.id}/transition`, payload: { version: a.version, action: 'submit' } }));
    return ok(await reviewer.request({ method: 'POST', url: `${A}/${a.id}/transition`, payload: { version: sub.version, action: 'publish' } }));
  };
  const stateOf = async (id: number) => ok(await w.admin.request({ method: 'GET', url: `${A}/${id}` })).state as string;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    await insertUser(w.t.database, { username: 'quality', roles: ['quality'], displayName: '质量 审核' });
    reviewer = await login(w.t.app, 'quality');
  }, 60_000);
  afterAll(() => w?.t.close());

  it("by the type's name or code, once its attributes change; not for a relabel, not for another type's articles", async () => {
    const types = ok(await w.admin.request({ method: 'GET', url: T })) as Array<{ id: number; code: string; nameZh: string; version: number; attributes: unknown[] }>;
    const printer = types.find((t) => t.code === 'printer')!;
    const byName = await publish([printer.nameZh], '打印机卡纸');
    const byCode = await publish(['PRINTER'], '打印机驱动');
    const other = await publish(['UPS'], 'UPS 告警');
    const partial = await publish([`${printer.nameZh}耗材`], '耗材更换');

    // A relabel leaves the attributes as they are: nothing to review.
    const relabelled = ok(await w.admin.request({ method: 'PATCH', url: `${T}/${printer.id}`, payload: { version: printer.version, nameEn: 'Printer' } }));
    expect(await stateOf(byName.id)).toBe('published');

    const changed = ok(await w.admin.request({ method: 'PATCH', url: `${T}/${printer.id}`, payload: { version: relabelled.version, attributes: [...printer.attributes, { key: 'duplex', zh: '双面打印', en: 'Duplex', kind: 'boolean' }] } }));
    expect(changed.attributes.some((a: { key: string }) => a.key === 'duplex')).toBe(true);
    expect(await stateOf(byName.id)).toBe('needs_review');
    expect(await stateOf(byCode.id)).toBe('needs_review');
    expect(await stateOf(other.id)).toBe('published');
    expect(await stateOf(partial.id)).toBe('published');

    // The owner is told, and the audit log says why.
    await fanOutQueued(w.t.database);
    const notes = await w.t.database.db.selectFrom('notifications').select(['event', 'title']).where('user_id', '=', w.users.eng).where('event', '=', 'knowledge.review').execute();
    expect(notes.filter((n) => n.title.startsWith(`配置项类型“${printer.nameZh}”已变更`)).length).toBe(2);
    const audit = await w.t.database.db.selectFrom('audit_log').select(['entity_id', 'after']).where('entity', '=', 'kb_articles').where('action', '=', 'review_due').execute();
    expect(audit.map((a) => Number(a.entity_id)).sort((x, y) => x - y)).toEqual([byName.id, byCode.id].sort((x, y) => x - y));
    expect(JSON.parse(String(audit[0].after))).toMatchObject({ state: 'needs_review', ciType: 'printer' });
  }, 60_000);
});
