import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, insertUser, login, type Session } from '../../test/harness.js';
import { act, createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { dataUrl, multipart, png } from '../../test/uploads.js';
import { transition, reviewDueAt } from '../../core/knowledge/workflow.js';
import { htmlToText, sanitizeArticleHtml } from '../../core/knowledge/sanitize.js';
import { diffTexts } from '../../core/knowledge/diff.js';
import { weekOf } from '../../core/knowledge/week.js';

const A = '/api/v1/knowledge/articles';
const fields = (res: LightMyRequestResponse) => (res.json().errors ?? []).map((e: { field: string }) => e.field);

describe('knowledge rules', () => {
  it('workflow: only allowed steps, review steps need a reviewer', () => {
    expect(transition('draft', 'submit', false)).toEqual({ ok: true, to: 'in_review' });
    expect(transition('in_review', 'publish', false)).toEqual({ ok: false, reason: 'permission' });
    expect(transition('draft', 'publish', true)).toEqual({ ok: false, reason: 'state' });
    expect(transition('needs_review', 'confirm', true)).toEqual({ ok: true, to: 'published' });
    expect(transition('archived', 'reopen', false)).toEqual({ ok: true, to: 'draft' });
  });
  it('review due N months later, clamped to the month end', () => {
    expect(new Date(reviewDueAt(Date.UTC(2026, 0, 31, 8), 1)).toISOString()).toBe('2026-02-28T08:00:00.000Z');
    expect(new Date(reviewDueAt(Date.UTC(2026, 5, 15), 12)).toISOString()).toBe('2027-06-15T00:00:00.000Z');
  });
  it('sanitize: scripts, handlers and javascript: links go; own images stay', () => {
    const html = sanitizeArticleHtml('<p onclick="x()">好<script>alert(1)</script></p><a href="javascript:alert(1)">链接</a><img src="x" onerror="alert(1)"><img src="/api/v1/knowledge/files/7"><pre><code class="language-bash">ipconfig /all</code></pre>');
    expect(html).not.toMatch(/script|onclick|onerror|javascript:/i);
    expect(html).toContain('<img src="/api/v1/knowledge/files/7" />');
    expect(html).toContain('<code class="language-bash">');
    expect(htmlToText('<p>第一行</p><p>第二 &amp; 行</p>')).toBe('第一行\n第二 & 行');
  });
  it('diff by Chinese words', () => {
    const parts = diffTexts('打印机卡纸时先关机', '复印机卡纸时先关机');
    expect(parts.filter((p) => p.op !== 'same').map((p) => p.text)).toEqual(['打印', '复印']);
  });
  it('weeks start on Monday in Asia/Shanghai', () => {
    // Sunday 2026-12-06 20:00 UTC is Monday 04:00 in Shanghai.
    expect(weekOf(Date.UTC(2026, 11, 6, 20)).start).toBe('2026-12-07');
    expect(weekOf(Date.UTC(2026, 11, 6, 15)).start).toBe('2026-11-30');
  });
});

describeDb('knowledge base', (kind) => {
  let w: TicketWorld;
  let reviewer: Session;
  const create = async (s: Session, body: Record<string, unknown>) => ok(await s.request({ method: 'POST', url: A, payload: { kind: 'solution', title: '打印机卡纸', bodyHtml: '<p>打开前盖取出卡纸</p>', ...body } }), 201);
  const step = (s: Session, id: number, version: number, action: string) => s.request({ method: 'POST', url: `${A}/${id}/transition`, payload: { version, action } });
  const publish = async (s: Session, id: number) => {
    const a = ok(await step(s, id, (ok(await s.request({ method: 'GET', url: `${A}/${id}` }))).version, 'submit'));
    return ok(await step(reviewer, id, a.version, 'publish'));
  };

  beforeAll(async () => {
    w = await ticketWorld(kind);
    await insertUser(w.t.database, { username: 'quality', roles: ['quality'], displayName: '质量 审核' });
    reviewer = await login(w.t.app, 'quality');
  }, 60_000);
  afterAll(() => w?.t.close());

  it('workflow: submit, refused publish by an engineer, publish by a reviewer, stale edit refused', async () => {
    const a = await create(w.eng, {});
    expect(a.state).toBe('draft');
    expect(a.number).toMatch(/^KB-\d{5}$/);
    const bad = await step(w.eng, a.id, a.version, 'publish');
    expect(bad.statusCode).toBe(409);
    expect(bad.json().title).toContain('草稿');
    const sub = ok(await step(w.eng, a.id, a.version, 'submit'));
    expect(sub.state).toBe('in_review');
    expect((await step(w.eng, a.id, sub.version, 'publish')).statusCode).toBe(403);
    const pub = ok(await step(reviewer, a.id, sub.version, 'publish'));
    expect(pub.state).toBe('published');
    expect(pub.reviewDueAt).not.toBeNull();
    // The editor read version sub.version; someone published meanwhile.
    const stale = await w.eng.request({ method: 'PATCH', url: `${A}/${a.id}`, payload: { version: sub.version, title: '改' } });
    expect(stale.statusCode).toBe(409);
  });

  it('stores HTML sanitized: script, javascript: link and onerror inert; pasted images become files', async () => {
    const a = await create(w.eng, { bodyHtml: `<p>步骤<script>alert(1)</script></p><a href="javascript:alert(2)">点我</a><img src="x" onerror="alert(3)"><img src="${dataUrl(png(20, 20))}">` });
    expect(a.bodyHtml).not.toMatch(/<script|javascript:|onerror/i);
    expect(a.bodyHtml).toMatch(/<img src="\/api\/v1\/knowledge\/files\/\d+" \/>/);
    const fileId = Number(/files\/(\d+)/.exec(a.bodyHtml)![1]);
    const img = await w.eng.request({ method: 'GET', url: `/api/v1/knowledge/files/${fileId}` });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
  });

  it('documents: text extracted for search; a fake PDF is refused by name and nothing is stored', async () => {
    const before = Number((await w.t.database.db.selectFrom('kb_article_files').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const fake = multipart({}, { name: '维护手册.pdf', bytes: Buffer.from('this is not a pdf at all, just text'), type: 'application/pdf' });
    const res = await w.eng.request({ method: 'POST', url: '/api/v1/knowledge/files', ...fake });
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(['file']);
    expect(res.json().errors[0].message).toContain('维护手册.pdf');
    const after = Number((await w.t.database.db.selectFrom('kb_article_files').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(after).toBe(before);
    const txt = multipart({}, { name: '维护手册.txt', bytes: Buffer.from('机房 UPS 巡检：每月检查电池电压。') });
    const up = ok(await w.eng.request({ method: 'POST', url: '/api/v1/knowledge/files', ...txt }), 201);
    expect(up.hasText).toBe(true);
    const doc = await create(w.eng, { kind: 'document', title: '机房维护手册', bodyHtml: '', fileIds: [up.id] });
    expect(doc.files.map((f: { name: string }) => f.name)).toEqual(['维护手册.txt']);
    const found = ok(await w.eng.request({ method: 'GET', url: `${A}?q=${encodeURIComponent('电池电压')}` }));
    expect(found.items.map((i: { id: number }) => i.id)).toContain(doc.id);
  });

  it('versions, diff and restore (a new version)', async () => {
    const a = await create(w.eng, { title: '打印机卡纸处理', bodyHtml: '<p>关闭打印机电源</p>' });
    const e = ok(await w.eng.request({ method: 'PATCH', url: `${A}/${a.id}`, payload: { version: a.version, bodyHtml: '<p>关闭复印机电源</p>' } }));
    const versions = ok(await w.eng.request({ method: 'GET', url: `${A}/${a.id}/versions` }));
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const d = ok(await w.eng.request({ method: 'GET', url: `${A}/${a.id}/diff?from=1&to=2` }));
    expect(d.fields[0].field).toBe('body');
    expect(d.fields[0].parts.filter((p: { op: string }) => p.op === 'removed')[0].text).toBe('打印');
    const r = ok(await w.eng.request({ method: 'POST', url: `${A}/${a.id}/versions/1/restore`, payload: { version: e.version } }));
    expect(r.bodyHtml).toBe('<p>关闭打印机电源</p>');
    const after = ok(await w.eng.request({ method: 'GET', url: `${A}/${a.id}/versions` }));
    expect(after[0]).toMatchObject({ version: 3, change: 'restored', restoredFrom: 1 });
  });

  it('votes: one per user; views counted; feedback tells the owner', async () => {
    const a = await create(w.eng, { title: 'VPN 连接失败', audience: 'customers' });
    await publish(w.eng, a.id);
    ok(await w.custA.request({ method: 'PUT', url: `${A}/${a.id}/vote`, payload: { useful: true } }));
    ok(await w.custA.request({ method: 'PUT', url: `${A}/${a.id}/vote`, payload: { useful: true } }));
    const v = ok(await w.custB.request({ method: 'PUT', url: `${A}/${a.id}/vote`, payload: { useful: false } }));
    expect([v.useful, v.notUseful, v.myVote]).toEqual([1, 1, false]);
    ok(await w.custA.request({ method: 'GET', url: `${A}/${a.id}?view=1` }));
    const seen = ok(await w.custA.request({ method: 'GET', url: `${A}/${a.id}?view=1` }));
    expect(seen.views).toBe(2);
    ok(await w.custA.request({ method: 'POST', url: `${A}/${a.id}/feedback`, payload: { body: '第 3 步的菜单名称不对' } }), 201);
    const notes = await w.t.database.db.selectFrom('notifications').select(['user_id', 'title']).where('user_id', '=', w.users.eng).execute();
    const { fanOutQueued } = await import('../../test/harness.js');
    await fanOutQueued(w.t.database);
    const after = await w.t.database.db.selectFrom('notifications').select(['user_id', 'title']).where('user_id', '=', w.users.eng).execute();
    expect(after.length).toBeGreaterThan(notes.length);
    expect(after.map((n) => n.title).join()).toContain('VPN 连接失败');
  });

  it('audience: customers see only published articles meant for them', async () => {
    const internal = await create(w.eng, { title: '内部：核心交换机口令' });
    await publish(w.eng, internal.id);
    const forA = await create(w.eng, { title: 'A 专属：HIS 客户端登录报错', audience: 'named', audienceCustomerIds: [w.a.customerId], customerId: w.a.customerId });
    await publish(w.eng, forA.id);
    const draft = await create(w.eng, { title: '草稿：邮箱容量', audience: 'customers' });
    expect((await w.custA.request({ method: 'GET', url: `${A}/${internal.id}` })).statusCode).toBe(404);
    expect((await w.custA.request({ method: 'GET', url: `${A}/${draft.id}` })).statusCode).toBe(404);
    expect(ok(await w.custA.request({ method: 'GET', url: `${A}/${forA.id}` })).title).toContain('HIS');
    expect((await w.custB.request({ method: 'GET', url: `${A}/${forA.id}` })).statusCode).toBe(404);
    const listB = ok(await w.custB.request({ method: 'GET', url: `${A}?limit=100` }));
    expect(listB.items.map((i: { id: number }) => i.id)).not.toContain(forA.id);
    expect(listB.items.every((i: { state: string; audience: string }) => i.state === 'published' && i.audience === 'customers')).toBe(true);
    const searchB = ok(await w.custB.request({ method: 'GET', url: `${A}?q=HIS` }));
    expect(searchB.items).toEqual([]);
    // A customer's user cannot write.
    expect((await w.custA.request({ method: 'POST', url: A, payload: { kind: 'faq', title: 'x' } })).statusCode).toBe(403);
  });

  it('from a resolved ticket to a draft; suggested while a call is logged; sent and solved on the first line', async () => {
    const t = await createTicket(w.desk, report(w.a, { title: '三楼打印机卡纸', description: '财务室 HP 打印机频繁卡纸，打印到一半停止。' }));
    ok(await act(w.desk, t.id, 'assign', { assigneeId: w.users.eng }));
    ok(await act(w.eng, t.id, 'accept'));
    ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${t.id}/worklogs`, payload: { minutes: 20, mode: 'onsite', note: '清理搓纸轮并更换分页器' } }), 201);
    expect((await w.eng.request({ method: 'POST', url: `${A}/from-ticket/${t.id}` })).statusCode).toBe(409);
    ok(await act(w.eng, t.id, 'resolve', { resolution: '更换分页器后打印正常' }));
    const draft = ok(await w.eng.request({ method: 'POST', url: `${A}/from-ticket/${t.id}` }), 201);
    expect(draft).toMatchObject({ kind: 'solution', title: '三楼打印机卡纸', state: 'draft', sourceTicketId: t.id, customerId: w.a.customerId });
    expect(draft.symptom).toContain('频繁卡纸');
    expect(draft.bodyHtml).toContain('更换分页器后打印正常');
    expect(draft.bodyHtml).toContain('清理搓纸轮并更换分页器');
    expect(ok(await w.eng.request({ method: 'POST', url: `${A}/from-ticket/${t.id}` })).id).toBe(draft.id);
    ok(await w.eng.request({ method: 'PATCH', url: `${A}/${draft.id}`, payload: { version: draft.version, audience: 'customers' } }));
    await publish(w.eng, draft.id);

    const sug = ok(await w.desk.request({ method: 'GET', url: `/api/v1/knowledge/suggest?text=${encodeURIComponent('打印机卡纸了')}&customerId=${w.a.customerId}` }));
    expect(sug.articles.map((a: { id: number }) => a.id)).toContain(draft.id);
    expect(sug.articles.find((a: { id: number }) => a.id === draft.id).sendable).toBe(true);
    const call = await createTicket(w.desk, report(w.a, { title: '打印机卡纸', description: '二楼打印机卡纸' }));
    const sent = ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${call.id}/knowledge/send`, payload: { articleId: draft.id } }));
    expect(sent.ticketState).toBe('new');
    const afterSend = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${call.id}` }));
    expect(afterSend.respondedAt).not.toBeNull();
    const solved = ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${call.id}/knowledge/solved`, payload: { articleId: draft.id } }));
    expect(solved).toEqual({ ok: true, ticketState: 'resolved', firstLine: true });
    const uses = await w.t.database.db.selectFrom('kb_ticket_uses').selectAll().where('ticket_id', '=', call.id).orderBy('id').execute();
    expect(uses.map((u) => [u.action, u.first_line])).toEqual([['sent', 0], ['solved', 1]]);
    const timeline = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${call.id}` })).timeline;
    expect(timeline.some((e: { type: string; data: { firstLine?: boolean } }) => e.type === 'knowledge' && e.data.firstLine === true)).toBe(true);
    // Solved only after an engineer had taken it on: not the first line.
    const second = await createTicket(w.desk, report(w.a, { title: '打印机又卡纸', description: '同一台打印机' }));
    ok(await act(w.desk, second.id, 'assign', { assigneeId: w.users.eng }));
    ok(await act(w.eng, second.id, 'accept'));
    expect((await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${second.id}/knowledge/solved`, payload: { articleId: draft.id } })).statusCode).toBe(400);
    ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${second.id}/knowledge/send`, payload: { articleId: draft.id } }));
    expect(ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${second.id}/knowledge/solved`, payload: { articleId: draft.id } }))).toEqual({ ok: true, ticketState: 'resolved', firstLine: false });
    // An internal article is never sent to a caller.
    const internal = await create(w.eng, { title: '内部：打印服务器口令' });
    await publish(w.eng, internal.id);
    const third = await createTicket(w.desk, report(w.a, { title: '打印机', description: '打印机' }));
    const refused = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${third.id}/knowledge/send`, payload: { articleId: internal.id } });
    expect(refused.statusCode).toBe(400);
    expect(fields(refused)).toEqual(['articleId']);
    const internalSug = ok(await w.desk.request({ method: 'GET', url: `/api/v1/knowledge/suggest?text=${encodeURIComponent('打印服务器口令')}&customerId=${w.a.customerId}` }));
    expect(internalSug.articles.find((x: { id: number }) => x.id === internal.id)?.sendable).toBe(false);
    // A customer's user is never suggested an internal article.
    const forCustomer = ok(await w.custA.request({ method: 'GET', url: `/api/v1/knowledge/suggest?text=${encodeURIComponent('打印服务器口令')}` }));
    expect(forCustomer.articles.map((x: { id: number }) => x.id)).not.toContain(internal.id);
  });

  it('weekly submissions and the weekly record count what was written', async () => {
    const sub = ok(await w.desk.request({ method: 'GET', url: '/api/v1/knowledge/submissions' }));
    const eng = sub.people.find((p: { userId: number }) => p.userId === w.users.eng);
    const created = Number((await w.t.database.db.selectFrom('kb_articles').select((eb) => eb.fn.countAll().as('n')).where('created_by', '=', w.users.eng).executeTakeFirstOrThrow()).n);
    expect(eng.created).toBe(created);
    // Edited in the week it was written: one line, counted as created.
    expect(eng.updated).toBe(0);
    expect(eng.articles.every((a: { action: string }) => a.action === 'created')).toBe(true);
    expect(sub.reviewQueue.every((a: { state: string }) => a.state === 'in_review' || a.state === 'needs_review')).toBe(true);
    const rep = ok(await w.desk.request({ method: 'GET', url: '/api/v1/knowledge/reports/weekly?weeks=2' }));
    expect(rep.weeks).toHaveLength(2);
    const a = rep.rows.find((r: { customerId: number | null }) => r.customerId === w.a.customerId);
    expect(a.created[1]).toBeGreaterThanOrEqual(2);
    const xlsx = await w.desk.request({ method: 'GET', url: '/api/v1/knowledge/reports/weekly.xlsx?weeks=2' });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('deflections: counted per customer, in scope', async () => {
    const a = ok(await w.custA.request({ method: 'GET', url: `${A}?q=VPN` })).items[0];
    ok(await w.custA.request({ method: 'POST', url: '/api/v1/knowledge/deflections', payload: { articleId: a.id, query: 'VPN 连不上' } }), 201);
    expect(ok(await w.custA.request({ method: 'GET', url: '/api/v1/knowledge/deflections' })).count).toBe(1);
    expect(ok(await w.custB.request({ method: 'GET', url: '/api/v1/knowledge/deflections' })).count).toBe(0);
    expect(ok(await w.desk.request({ method: 'GET', url: `/api/v1/knowledge/deflections?customerId=${w.a.customerId}` })).count).toBe(1);
  });

  it('a real PDF is read for search; a published article due for review becomes needs_review', async () => {
    const PDFDocument = (await import('pdfkit')).default;
    const pdf = await new Promise<Buffer>((resolve) => {
      const doc = new PDFDocument();
      const parts: Buffer[] = [];
      doc.on('data', (b: Buffer) => parts.push(b));
      doc.on('end', () => resolve(Buffer.concat(parts)));
      doc.text('Maintenance manual: check the UPS battery voltage monthly (Zebracorn-42).');
      doc.end();
    });
    const up = ok(await w.eng.request({ method: 'POST', url: '/api/v1/knowledge/files', ...multipart({}, { name: 'manual.pdf', bytes: pdf }) }), 201);
    expect(up).toMatchObject({ mime: 'application/pdf', hasText: true });
    const doc = await create(w.eng, { kind: 'document', title: '维护手册 PDF', fileIds: [up.id] });
    expect(ok(await w.eng.request({ method: 'GET', url: `${A}?q=Zebracorn-42` })).items.map((i: { id: number }) => i.id)).toEqual([doc.id]);
    const pub = await publish(w.eng, doc.id);
    const { ArticleService } = await import('./service.js');
    await new ArticleService(w.t.database.db).runReviewDue(doc.id, Date.parse(pub.reviewDueAt) - 1000);
    expect(ok(await w.eng.request({ method: 'GET', url: `${A}/${doc.id}` })).state).toBe('published');
    await new ArticleService(w.t.database.db).runReviewDue(doc.id, Date.parse(pub.reviewDueAt) + 1000);
    const due = ok(await w.eng.request({ method: 'GET', url: `${A}/${doc.id}` }));
    expect(due.state).toBe('needs_review');
    expect(ok(await step(reviewer, doc.id, due.version, 'confirm')).state).toBe('published');
  });

  it('filters by tag (LIKE wildcards in a tag are literal), kind and state', async () => {
    const a = await create(w.eng, { title: '标签筛选', tags: ['100%_完成', 'UPS'] });
    await create(w.eng, { title: '另一篇', tags: ['100xx完成'] });
    const byTag = ok(await w.eng.request({ method: 'GET', url: `${A}?tag=${encodeURIComponent('100%_完成')}` }));
    expect(byTag.items.map((i: { id: number }) => i.id)).toEqual([a.id]);
    const drafts = ok(await w.eng.request({ method: 'GET', url: `${A}?state=draft&kind=solution&limit=100` }));
    expect(drafts.items.every((i: { state: string; kind: string }) => i.state === 'draft' && i.kind === 'solution')).toBe(true);
  });

  it('bad input names the field', async () => {
    const res = await w.eng.request({ method: 'POST', url: A, payload: { kind: 'faq', title: '', audience: 'named' } });
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toContain('title');
    const named = await w.eng.request({ method: 'POST', url: A, payload: { kind: 'faq', title: '常见问题', audience: 'named', audienceCustomerIds: [] } });
    expect(fields(named)).toEqual(['audienceCustomerIds']);
  });
});
