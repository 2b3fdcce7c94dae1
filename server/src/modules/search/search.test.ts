import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../../test/harness.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { indexDocs } from './indexer.js';
import { reindex } from './reindex.js';
import { searchKind } from './engine.js';
import { removeDocs, SCOPE_TOKENS_MAX } from './repo.js';
import { parseQuery } from '../../core/search/query.js';

interface Item { kind: string; id: number; title: string; snippetHtml: string; titleHtml: string; customerId: number | null; url: string; state: string | null }
interface Result { groups: Array<{ kind: string; total: number; items: Item[] }>; note: string | null; truncated: boolean }

describeDb('full-text search', (kind) => {
  let w: TicketWorld;
  let printer: { id: number; number: string; version: number };
  let bTicket: { id: number; number: string };

  const search = async (s: TicketWorld['admin'], q: string, extra: Record<string, string> = {}): Promise<Result> =>
    ok(await s.request({ method: 'GET', url: `/api/v1/search?${new URLSearchParams({ q, ...extra })}` }));
  const ticketIds = (r: Result) => r.groups.find((g) => g.kind === 'ticket')?.items.map((i) => i.id) ?? [];

  beforeAll(async () => {
    w = await ticketWorld(kind);
    printer = await createTicket(w.desk, report(w.a, { title: '三楼打印机故障', description: '财务室打印机经常卡纸，HIS 系统打印报 502 错误，网关 10.1.2.3' }));
    bTicket = await createTicket(w.desk, report(w.b, { title: '税务申报网络中断', description: '大厅网络中断，卡纸机也无法使用，VPN 连接失败' }));
    await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${printer.id}/replies`, payload: { body: '内部：机房钥匙在保安室', visibility: 'internal' } });
  }, 60_000);
  afterAll(async () => w.t.close());

  it('finds a ticket by a 2-character Chinese word, a compound, a mixed query, an IP and its number', async () => {
    for (const q of ['卡纸', '打印机', 'HIS 系统', 'his 502', '10.1.2.3', printer.number, printer.number.slice(-6)]) {
      expect(ticketIds(await search(w.admin, q)), q).toContain(printer.id);
    }
    const r = await search(w.admin, '卡纸');
    expect(ticketIds(r)).toEqual(expect.arrayContaining([printer.id, bTicket.id]));
    const hit = r.groups[0].items.find((i) => i.id === printer.id)!;
    expect(hit.snippetHtml).toContain('<mark>卡纸</mark>');
    expect(hit.url).toBe(`/tickets/${printer.id}`);
  });

  it('a customer\'s user never gets another customer\'s ticket: by word, by number, in counts', async () => {
    const mine = await search(w.custA, '卡纸');
    expect(ticketIds(mine)).toEqual([printer.id]);
    expect(mine.groups.find((g) => g.kind === 'ticket')!.total).toBe(1);
    expect(mine.groups[0].items[0].url).toBe(`/portal/tickets/${printer.id}`);
    for (const q of ['税务申报', bTicket.number, 'VPN']) expect((await search(w.custA, q)).groups, q).toEqual([]);
    // Even asking for the other customer explicitly.
    expect((await search(w.custA, '卡纸', { customerId: String(w.b.customerId) })).groups).toEqual([]);
    // Contacts and customers are staff records.
    expect((await search(w.custA, '联系人')).groups).toEqual([]);
  });

  it('internal notes are found by staff and never matched or shown for customers', async () => {
    const staff = await search(w.admin, '机房钥匙');
    expect(ticketIds(staff)).toEqual([printer.id]);
    expect(staff.groups[0].items[0].snippetHtml).toContain('<mark>机房钥匙</mark>');
    expect((await search(w.custA, '机房钥匙')).groups).toEqual([]);
    const snippets = JSON.stringify(await search(w.custA, '打印机'));
    expect(snippets).not.toContain('钥匙');
  });

  it('a scoped engineer sees only the customers his teams serve', async () => {
    expect(ticketIds(await search(w.eng, '卡纸'))).toEqual([printer.id]);
    expect((await search(w.eng, '税务')).groups).toEqual([]);
    const desk = await search(w.desk, '税务');
    expect(ticketIds(desk)).toEqual([bTicket.id]);
  });

  it('keeps the index in step with replies, edits and resolving', async () => {
    const t = await createTicket(w.desk, report(w.a, { title: '邮件无法发送', description: 'Outlook 提示 550' }));
    expect(ticketIds(await search(w.admin, '交换机'))).not.toContain(t.id);
    ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${t.id}/replies`, payload: { body: '已检查交换机端口' } }), 201);
    expect(ticketIds(await search(w.custA, '交换机'))).toContain(t.id);
    const cur = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${t.id}` }));
    ok(await w.desk.request({ method: 'PATCH', url: `/api/v1/tickets/${t.id}`, payload: { version: cur.version, title: '邮箱服务器退信' } }));
    expect(ticketIds(await search(w.admin, '退信'))).toContain(t.id);
    expect(ticketIds(await search(w.admin, '邮件无法发送'))).not.toContain(t.id);
    ok(await act(w.desk, t.id, 'assign', { teamId: w.teams.line1, assigneeId: w.users.eng }));
    ok(await act(w.eng, t.id, 'accept'));
    ok(await act(w.eng, t.id, 'resolve', { resolution: '重建邮箱数据库索引' }));
    const r = await search(w.admin, '邮箱数据库', { state: 'resolved' });
    expect(ticketIds(r)).toEqual([t.id]);
    expect(r.groups[0].items[0].state).toBe('resolved');
    expect((await search(w.admin, '邮箱数据库', { state: 'new' })).groups).toEqual([]);
  });

  it('finds contacts and customers for staff, filtered by kind', async () => {
    const r = await search(w.admin, '010-88886666', { kinds: 'contact' });
    expect(r.groups.map((g) => g.kind)).toEqual(['contact']);
    expect(r.groups[0].items.length).toBe(2);
    expect((await search(w.eng, '联系人', { kinds: 'contact' })).groups[0].items.map((i) => i.customerId)).toEqual([w.a.customerId]);
    const c = await search(w.admin, '客户B', { kinds: 'customer' });
    expect(c.groups[0].items[0]).toMatchObject({ id: w.b.customerId, url: `/admin/customers/${w.b.customerId}` });
  });

  it('answers every bad query without an error', async () => {
    const bad = ['', '   ', '网', 'a'.repeat(1000), '!!!，。？', '"', '*', 'NEAR', 'OR', '-', '卡纸 OR 网络', '"卡纸" NEAR/2 *', "'; drop table tickets; --", '1=1) union select password_hash from users --', '😀🎉', '卡纸😀'];
    for (const q of bad) {
      const res = await w.admin.request({ method: 'GET', url: `/api/v1/search?${new URLSearchParams({ q })}` });
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
    }
    expect((await search(w.admin, '')).note).toBe('请输入要搜索的文字（标点和表情符号不参与搜索）');
    expect((await search(w.admin, '😀🎉')).groups).toEqual([]);
    expect(ticketIds(await search(w.admin, '卡纸😀'))).toContain(printer.id);
    const tooLong = await w.admin.request({ method: 'GET', url: `/api/v1/search?q=${'a'.repeat(1001)}` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors[0].field).toBe('q');
    const badKind = await w.admin.request({ method: 'GET', url: '/api/v1/search?q=x&kinds=ticket,secret' });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().errors[0].field).toBe('kinds');
    const long = await search(w.admin, Array.from({ length: 30 }, (_, i) => `词${i}`).join(' '));
    expect(long.truncated).toBe(true);
    // The table is still there after the SQL fragment.
    expect(ticketIds(await search(w.admin, 'tickets 卡纸'))).toEqual([]);
    expect(ticketIds(await search(w.admin, '卡纸')).length).toBeGreaterThan(0);
  });

  it('a 1-character query finds words starting with it, and the character at the end of a sentence', async () => {
    expect(ticketIds(await search(w.admin, '卡'))).toEqual(expect.arrayContaining([printer.id, bTicket.id]));
    const t = await createTicket(w.desk, report(w.a, { title: '会议室电脑', description: '插上网线后仍然无法上网。' }));
    // 网 ends the run 仍然无法上网 (and begins 网线): both occurrences are findable alone.
    expect(ticketIds(await search(w.admin, '网'))).toContain(t.id);
    const u = await createTicket(w.desk, report(w.a, { title: '财务室', description: '电脑无法上网' }));
    expect(ticketIds(await search(w.admin, '网'))).toContain(u.id);
  });

  it('ranks among the newest matches and counts up to the cap, the scope inside the engine', async () => {
    // 300 CIs of customer A spread over 600,000 ids (so PostgreSQL widens its window of buckets
    // several times) and 5 of customer B, all saying 机柜; the newest are the highest ids.
    const db = w.t.database.db;
    const doc = (refId: number, customerId: number) => ({ kind: 'ci' as const, refId, customerId, audience: 'internal' as const, title: `机柜 ${refId}`, body: '机柜温度', at: refId });
    await db.transaction().execute((trx) => indexDocs(trx, [...Array.from({ length: 300 }, (_, i) => doc(2000 * (i + 1), w.a.customerId)), ...Array.from({ length: 5 }, (_, i) => doc(2000 * i + 999, w.b.customerId))]));
    const q = parseQuery('机柜');
    const all = { staff: true as const, scope: { kind: 'all' as const } };
    const page = await searchKind(db, q, all, { kind: 'ci' }, { limit: 10, offset: 0, cap: 1000, now: 700_000 });
    expect(page.total).toBe(305);
    // Same words, so the boost (newer) orders them: the page is the newest ten.
    expect(page.hits.map((h) => h.ref_id)).toEqual(Array.from({ length: 10 }, (_, i) => 2000 * (300 - i)));
    expect((await searchKind(db, q, all, { kind: 'ci' }, { limit: 10, offset: 0, cap: 100, now: 700_000 })).total).toBe(100);
    // Customer B's engineer view: only B's five, counted and ranked inside the engine.
    const onlyB = { staff: true as const, scope: { kind: 'customers' as const, ids: [w.b.customerId] } };
    const b = await searchKind(db, q, onlyB, { kind: 'ci' }, { limit: 50, offset: 0, cap: 1000, now: 700_000 });
    expect(b.total).toBe(5);
    expect(b.hits.every((h) => h.customer_id === w.b.customerId)).toBe(true);
    // A scope too wide for tokens (more than SCOPE_TOKENS_MAX customers) is checked on the rows: the same answer.
    const wide = { staff: true as const, scope: { kind: 'customers' as const, ids: [w.b.customerId, ...Array.from({ length: SCOPE_TOKENS_MAX }, (_, i) => 900_000 + i)] } };
    const bWide = await searchKind(db, q, wide, { kind: 'ci' }, { limit: 50, offset: 0, cap: 1000, now: 700_000 });
    expect(bWide.total).toBe(5);
    expect(bWide.hits.map((h) => h.ref_id).sort()).toEqual(b.hits.map((h) => h.ref_id).sort());
    // A customer's user never sees internal records, however many match.
    expect((await searchKind(db, q, { staff: false, customerId: w.a.customerId }, { kind: 'ci' }, { limit: 50, offset: 0, cap: 1000, now: 700_000 })).total).toBe(0);
    // A filter on the customer is a token too: admin asking for B gets B's five.
    expect((await searchKind(db, q, all, { kind: 'ci', customerId: w.b.customerId }, { limit: 50, offset: 0, cap: 1000, now: 700_000 })).total).toBe(5);
  });

  it('the ticket list filters by full text, within scope, keyset paged', async () => {
    const list = ok(await w.admin.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('卡纸')}&limit=1` }));
    expect(list.items).toHaveLength(1);
    expect(list.nextCursor).not.toBeNull();
    const next = ok(await w.admin.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('卡纸')}&limit=1&cursor=${encodeURIComponent(list.nextCursor)}` }));
    expect([list.items[0].id, next.items[0].id].sort()).toEqual([printer.id, bTicket.id].sort());
    const b = ok(await w.custB.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('卡纸')}` }));
    expect(b.items.map((i: { id: number }) => i.id)).toEqual([bTicket.id]);
    const note = ok(await w.custA.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('机房钥匙')}` }));
    expect(note.items).toEqual([]);
    const staffNote = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('机房钥匙')}` }));
    expect(staffNote.items.map((i: { id: number }) => i.id)).toEqual([printer.id]);
  });

  it('a full reindex gives the same index as the incremental one', async () => {
    // The ranking test's CI entries have no CIs behind them (a full reindex rightly drops them): out first.
    const fake = await w.t.database.db.selectFrom('search_docs').select('ref_id').where('kind', '=', 'ci').execute();
    await removeDocs(w.t.database.db, 'ci', fake.map((r) => Number(r.ref_id)));
    const snapshot = async () =>
      (await w.t.database.db.selectFrom('search_docs').select(['kind', 'ref_id', 'customer_id', 'audience', 'state', 'open', 'at', 'title', 'body', 'staff_body', 'extra']).orderBy('kind').orderBy('ref_id').execute()).map((r) => ({ ...r, ref_id: Number(r.ref_id), at: Number(r.at) }));
    const before = await snapshot();
    const hitsBefore = await search(w.admin, '卡纸');
    const summary = await reindex(w.t.database.db, { restart: true, batchSize: 2 });
    expect(summary.find((s) => s.kind === 'ticket')!.indexed).toBeGreaterThanOrEqual(3);
    expect(await snapshot()).toEqual(before);
    expect(ticketIds(await search(w.admin, '卡纸'))).toEqual(ticketIds(hitsBefore));
  });
});
