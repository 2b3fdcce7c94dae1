import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDb, fanOutQueued, insertUser, login, type Session } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';

describeDb('tickets: numbers, priority, lifecycle, SLA on changes', (kind) => {
  let w: TicketWorld;
  let deskEn: Session;
  let t3: Org;
  let t5: Org;
  let noSla: Org;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    await insertUser(w.t.database, { username: 'desk_en', roles: ['desk'], locale: 'en-US' });
    deskEn = await login(w.t.app, 'desk_en');
    t3 = await customerWithContract(w.admin, 'T3C', null, { templateId: 'T3' });
    t5 = await customerWithContract(w.admin, 'T5C', null, { templateId: 'T5' });
    noSla = await customerWithContract(w.admin, 'NOSLA', null, null);
    const line1 = ok(await w.admin.request({ method: 'GET', url: `/api/v1/teams/${w.teams.line1}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/teams/${w.teams.line1}`, payload: { version: line1.version, customerIds: [...line1.customerIds, t5.customerId] } }));
  });
  afterAll(() => w.t.close());

  const get = async (s: Session, id: number) => ok(await s.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));
  const clock = (ticket: { sla: Array<{ metric: string }> }, metric: string) => ticket.sla.find((c) => c.metric === metric) as { metric: string; state: string; dueAt: string | null; remainingMinutes: number };

  it('numbers tickets per kind and year of the report, gapless and distinct under concurrent creates', async () => {
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear(); // the customer's zone is Asia/Shanghai
    const first = await createTicket(w.desk, report(w.a));
    expect(first.number).toMatch(new RegExp(`^INC-${year}-\\d{6}$`));
    const req = await createTicket(w.desk, report(w.a, { kind: 'request', title: '新员工开通邮箱' }));
    expect(req.number).toBe(`REQ-${year}-000001`);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { title: `并发报障 ${i}` }) })));
    const sequences = results.map((r) => ok(r, 201).number as string).map((n) => Number(n.slice(-6))).sort((a, b) => a - b);
    const start = Number(first.number.slice(-6));
    expect(sequences).toEqual(Array.from({ length: 8 }, (_, i) => start + 1 + i));
  });

  it('takes the priority from the contract\'s matrix; a contract without SLA gets the default matrix and no clocks', async () => {
    const emergency = await createTicket(w.desk, report(t3, { impact: 'high', urgency: 'high' }));
    expect(emergency).toMatchObject({ priority: 'emergency', priorityName: '紧急服务', priorityRank: 1 });
    expect(emergency.sla.map((c: { metric: string; dueAt: string }) => [c.metric, Date.parse(c.dueAt) - Date.parse(emergency.reportedAt)])).toEqual([
      ['response', 30 * 60_000],
      ['resolution', 2 * 3_600_000],
    ]);
    expect((await createTicket(w.desk, report(t3, { impact: 'medium', urgency: 'high' }))).priority).toBe('priority');
    expect((await createTicket(w.desk, report(t3, { impact: 'low', urgency: 'low' }))).priority).toBe('consulting');
    const plain = await createTicket(w.desk, report(noSla, { impact: 'high', urgency: 'high' }));
    expect(plain).toMatchObject({ priority: 'P1', priorityRank: 1, sla: [], slaStatus: 'none', slaDueAt: null });
  });

  it('runs the lifecycle; response met by acceptance, on-site by the check-in, closure by the customer\'s confirmation', async () => {
    const custT5 = await insertUser(w.t.database, { username: 'cust_t5', roles: ['customer_contact'], customerId: t5.customerId });
    const portal = await login(w.t.app, 'cust_t5');
    const created = await createTicket(portal, report(t5, { siteId: undefined }));
    expect(created).toMatchObject({ state: 'new', channel: 'portal', createdBy: custT5, allowedActions: ['cancel'] });
    expect(created.sla.map((c: { metric: string }) => c.metric)).toEqual(['response', 'onsite', 'resolution']);
    const id = created.id;

    let tk = ok(await act(w.desk, id, 'assign', { teamId: w.teams.line1, assigneeId: w.users.eng }));
    expect(tk).toMatchObject({ state: 'assigned', teamName: '一线支持组', assigneeName: '李强' });
    expect(tk.allowedActions).toEqual(['assign', 'accept', 'diagnose', 'cancel', 'escalate']);
    tk = ok(await act(w.eng, id, 'accept'));
    expect(tk.state).toBe('accepted');
    expect(clock(tk, 'response')).toMatchObject({ state: 'met' });
    expect(tk.respondedAt).not.toBeNull();
    tk = ok(await act(w.eng, id, 'start'));
    const visit = await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${id}/visits`, payload: { event: 'arrive' } });
    expect(ok(visit, 201)).toMatchObject({ type: 'visit', visibility: 'public', actorName: '李强', data: { event: 'arrived', result: null } });
    tk = await get(w.eng, id);
    expect(clock(tk, 'onsite').state).toBe('met');
    expect(tk.onsiteAt).toBe(visit.json().data.at);

    const noResolution = await act(w.eng, id, 'resolve', { resolution: '   ' });
    expect(noResolution.statusCode).toBe(400);
    expect(noResolution.json().errors[0]).toMatchObject({ field: 'resolution', message: '请填写解决方案' });
    tk = ok(await act(w.eng, id, 'resolve', { resolution: '更换交换机端口后恢复' }));
    expect(tk).toMatchObject({ state: 'resolved', resolution: '更换交换机端口后恢复' });
    expect(clock(tk, 'resolution').state).toBe('met');
    // Only the customer's staff confirm; the customer sees the two choices.
    expect((await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${id}/confirm`, payload: {} })).statusCode).toBe(403);
    expect((await get(portal, id)).allowedActions).toEqual(['confirm', 'reject', 'rate']);
    tk = ok(await portal.request({ method: 'POST', url: `/api/v1/tickets/${id}/confirm`, payload: {} }));
    expect(tk.state).toBe('closed');
    expect(tk.timeline.at(-1)).toMatchObject({ type: 'state_changed', data: { from: 'resolved', to: 'closed', action: 'close', via: 'confirm' } });
    expect(tk.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'assigned', 'state_changed', 'state_changed', 'visit', 'state_changed', 'state_changed']);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&entityId=${id}` }));
    expect(audit.items.map((a: { action: string }) => a.action).reverse()).toEqual(['create', 'assign', 'accept', 'start', 'visit', 'resolve', 'close']);
  });

  it('refuses a wrong transition with the lifecycle\'s message naming state and action (zh and en)', async () => {
    const { id } = await createTicket(w.desk, report(w.a));
    const zh = await act(w.desk, id, 'accept');
    expect(zh.statusCode).toBe(409);
    expect(zh.json()).toMatchObject({ code: 'invalid_transition', title: '工单当前状态为“new”，不能执行“accept”' });
    const en = await act(deskEn, id, 'resolve', { resolution: 'x' });
    expect(en.statusCode).toBe(409);
    expect(en.json().title).toBe('A ticket in state "new" cannot be sent "resolve"');
    const noReason = await act(w.desk, id, 'cancel', {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0]).toMatchObject({ field: 'reason', message: '请填写原因' });
    expect((await act(w.desk, id, 'fly')).statusCode).toBe(400);
    const cancelled = ok(await act(w.desk, id, 'cancel', { reason: '客户重复报障' }));
    expect(cancelled).toMatchObject({ state: 'cancelled', allowedActions: [], slaStatus: 'none', slaDueAt: null });
    const reply = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${id}/replies`, payload: { body: '还在吗' } });
    expect(reply.statusCode).toBe(409);
    expect(reply.json().title).toBe('工单已取消，不能再修改');
  });

  it('two agents accepting the same ticket: one wins, the other is told', async () => {
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1 }));
    const [r1, r2] = await Promise.all([act(w.eng, id, 'accept'), act(w.eng2, id, 'accept')]);
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
    const winner = r1.statusCode === 200 ? r1.json() : r2.json();
    expect(winner.assigneeId).toBe(r1.statusCode === 200 ? w.users.eng : w.users.eng2);
    // Taken now: the other engineer may no longer accept it.
    expect((await get(w.eng2, id)).allowedActions).not.toContain('accept');
  });

  it('pausing in waiting_customer shifts the resolution due instant by exactly the paused time; response keeps running', async () => {
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
    await act(w.eng, id, 'accept');
    const before = clock(ok(await act(w.eng, id, 'start')), 'resolution');
    const waiting = ok(await act(w.eng, id, 'wait_customer', { reason: '等待客户提供账号' }));
    expect(clock(waiting, 'resolution')).toMatchObject({ state: 'paused', dueAt: null });
    expect(waiting.slaStatus).toBe('paused');
    await new Promise((r) => setTimeout(r, 30));
    const resumed = ok(await act(w.eng, id, 'resume'));
    const [paused, resumedAt] = resumed.timeline.slice(-2).map((e: { at: string }) => Date.parse(e.at));
    expect(Date.parse(clock(resumed, 'resolution').dueAt!) - Date.parse(before.dueAt!)).toBe(resumedAt - paused);
    expect(resumedAt - paused).toBeGreaterThanOrEqual(30);
  });

  it('re-prioritises with the version read, records priority_changed and recomputes the clocks; a stale version is a 409', async () => {
    const tk = await createTicket(w.desk, report(t3, { impact: 'low', urgency: 'low' }));
    expect(tk.priority).toBe('consulting');
    const res = await w.desk.request({ method: 'PATCH', url: `/api/v1/tickets/${tk.id}`, payload: { version: tk.version, impact: 'high', urgency: 'high' } });
    const up = ok(res);
    expect(up).toMatchObject({ priority: 'emergency', impact: 'high', urgency: 'high', version: tk.version + 1 });
    expect(up.timeline.at(-1)).toMatchObject({ type: 'priority_changed', data: { from: 'consulting', to: 'emergency' } });
    expect(Date.parse(clock(up, 'response').dueAt!) - Date.parse(up.reportedAt)).toBe(30 * 60_000);
    const stale = await w.desk.request({ method: 'PATCH', url: `/api/v1/tickets/${tk.id}`, payload: { version: tk.version, urgency: 'low' } });
    expect(stale.statusCode).toBe(409);
    const unknown = await w.desk.request({ method: 'PATCH', url: `/api/v1/tickets/${tk.id}`, payload: { version: up.version, urgency: 'extreme' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ field: 'urgency', message: '紧急度“extreme”未在合同的优先级矩阵中定义，可选：high, medium, low' });
  });

  it('the first public reply by the provider meets the response; a note does not', async () => {
    const { id } = await createTicket(w.desk, report(w.a));
    const note = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${id}/replies`, payload: { body: '内部：先查防火墙', visibility: 'internal', mentions: [w.users.eng] } });
    expect(ok(note, 201)).toMatchObject({ type: 'note', visibility: 'internal', data: { mentions: [w.users.eng], provider: true } });
    expect(clock(await get(w.desk, id), 'response').state).toBe('running');
    const reply = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${id}/replies`, payload: { body: '您好，已收到，正在处理。' } });
    expect(ok(reply, 201).type).toBe('reply');
    const tk = await get(w.desk, id);
    expect(clock(tk, 'response').state).toBe('met');
    expect(tk.respondedAt).toBe(reply.json().at);
    await fanOutQueued(w.t.database);
    const mention = await w.t.database.db.selectFrom('notifications').select(['user_id', 'event']).where('event', '=', 'ticket.mention').execute();
    expect(mention.map((n) => Number(n.user_id))).toContain(w.users.eng);
  });

  it('reopens a resolved ticket, a closed one within the window, and refuses after it', async () => {
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
    await act(w.eng, id, 'accept');
    await act(w.eng, id, 'resolve', { resolution: '重启服务' });
    let tk = ok(await w.custA.request({ method: 'POST', url: `/api/v1/tickets/${id}/reject`, payload: { reason: '问题依旧' } }));
    expect(tk).toMatchObject({ state: 'in_progress', resolvedAt: null, resolution: null });
    expect(tk.timeline.at(-1).data).toMatchObject({ action: 'reopen', via: 'reject', reason: '问题依旧' });
    await act(w.eng, id, 'resolve', { resolution: '更换网线' });
    tk = ok(await act(w.eng, id, 'close', { reason: '客户电话确认已恢复' }));
    expect(tk.allowedActions).toEqual(['reopen']);
    tk = ok(await act(w.eng, id, 'reopen', { reason: '客户来电：又坏了' }));
    expect(tk.state).toBe('in_progress');
    await act(w.eng, id, 'resolve', { resolution: '更换交换机' });
    ok(await act(w.eng, id, 'close', { reason: '客户电话确认已恢复' }));
    await w.t.database.db.updateTable('tickets').set({ closed_at: Date.now() - 8 * 86_400_000 }).where('id', '=', id).execute();
    expect((await get(w.eng, id)).allowedActions).toEqual([]);
    const late = await act(w.eng, id, 'reopen', { reason: '又坏了' });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'reopen_window_passed', title: '工单关闭已超过可重新打开的期限' });
  });

  it('bulk-assigns all or none, naming each ticket that cannot be assigned', async () => {
    const t1 = await createTicket(w.desk, report(w.a));
    const t2 = await createTicket(w.desk, report(w.a));
    const done = await createTicket(w.desk, report(w.a));
    await act(w.desk, done.id, 'cancel', { reason: '误报' });
    const refused = await w.desk.request({ method: 'POST', url: '/api/v1/tickets/bulk-assign', payload: { ids: [t1.id, done.id, 999999, t2.id], teamId: w.teams.line1 } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['ids[1]', 'ticket.transition.invalid'],
      ['ids[2]', 'tickets.ticketNotFound'],
    ]);
    expect((await get(w.desk, t1.id)).state).toBe('new');
    const res = ok(await w.desk.request({ method: 'POST', url: '/api/v1/tickets/bulk-assign', payload: { ids: [t1.id, t2.id], teamId: w.teams.line1, assigneeId: w.users.eng2 } }));
    expect(res.items).toEqual([
      { id: t1.id, number: t1.number, state: 'assigned', version: 2 },
      { id: t2.id, number: t2.number, state: 'assigned', version: 2 },
    ]);
    const other = await createTicket(w.desk, report(w.b));
    const outOfScope = await act(w.desk, other.id, 'assign', { assigneeId: w.users.eng });
    expect(outOfScope.json().errors).toEqual([{ field: 'assigneeId', code: 'tickets.assigneeOutOfScope', message: '处理人：该用户不处理工单或不服务此客户' }]);
    expect((await act(w.desk, other.id, 'assign', { teamId: w.teams.line1 })).json().errors[0]).toMatchObject({ field: 'teamId', code: 'tickets.teamNotServing' });
    expect(ok(await act(w.desk, other.id, 'assign', { teamId: w.teams.desk, assigneeId: w.users.desk })).assigneeName).toBe('张敏');
    const notMember = await w.desk.request({ method: 'POST', url: '/api/v1/tickets/bulk-assign', payload: { ids: [t1.id], teamId: w.teams.desk, assigneeId: w.users.eng2 } });
    expect(notMember.statusCode).toBe(400);
    expect(notMember.json().errors[0]).toMatchObject({ field: 'assigneeId', message: '处理人：该用户不是所选团队的成员' });
  });

  it('lists queues with filters, sorts and keyset cursors', async () => {
    const q = async (s: Session, query: string) => ok(await s.request({ method: 'GET', url: `/api/v1/tickets?${query}` }));
    const mine = await q(w.eng2, 'mine=true&state=assigned');
    expect(mine.items.length).toBeGreaterThanOrEqual(2);
    expect(mine.items.every((t: { assigneeId: number; state: string }) => t.assigneeId === w.users.eng2 && t.state === 'assigned')).toBe(true);
    const team = await q(w.eng, 'team=mine');
    expect(team.items.every((t: { teamId: number }) => t.teamId === w.teams.line1)).toBe(true);
    const unassigned = await q(w.desk, 'unassigned=true&state=new,assigned');
    expect(unassigned.items.every((t: { assigneeId: number | null }) => t.assigneeId === null)).toBe(true);

    // sort=sla: due instants ascending, tickets without a counting clock last; the pages join up.
    const all = await q(w.desk, 'sort=sla&limit=200');
    const paged: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: number }>; nextCursor: string | null } = await q(w.desk, `sort=sla&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.items.map((t: { id: number }) => t.id));
    const dues = all.items.map((t: { slaDueAt: string | null }) => t.slaDueAt);
    const firstNull = dues.indexOf(null);
    expect(dues.slice(0, firstNull)).toEqual([...dues.slice(0, firstNull)].sort());
    expect(dues.slice(firstNull).every((d: string | null) => d === null)).toBe(true);

    const newest = await q(w.desk, 'sort=-reported&limit=2');
    const next = await q(w.desk, `sort=-reported&limit=2&cursor=${newest.nextCursor}`);
    expect(Date.parse(newest.items[1].reportedAt)).toBeGreaterThanOrEqual(Date.parse(next.items[0].reportedAt));

    const breaching = await q(w.desk, 'breachingWithinMinutes=60');
    expect(breaching.items.length).toBeGreaterThan(0);
    expect(breaching.items.every((t: { slaDueAt: string | null }) => t.slaDueAt !== null && Date.parse(t.slaDueAt) <= Date.now() + 3_600_000)).toBe(true);

    const first = all.items.find((t: { number: string }) => t.number.startsWith('INC-'));
    expect((await q(w.desk, `q=${first.number}`)).items.map((t: { id: number }) => t.id)).toEqual([first.id]);
    const prefix = await q(w.desk, `q=${first.number.slice(0, 9).toLowerCase()}&limit=200`);
    expect(prefix.items.length).toBe(all.items.filter((t: { number: string }) => t.number.startsWith(first.number.slice(0, 9))).length);
    expect((await q(w.desk, 'q=新员工')).items.map((t: { kind: string }) => t.kind)).toEqual(['request']);
    expect((await w.desk.request({ method: 'GET', url: '/api/v1/tickets?cursor=garbage&sort=sla' })).statusCode).toBe(400);
  });

  describe('scope and visibility', () => {
    it('a customer\'s staff get 404 on another customer\'s ticket and see only public entries of their own', async () => {
      const tk = await createTicket(w.desk, report(w.a));
      await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: '内部备注：客户网络经常断', visibility: 'internal' } });
      await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/worklogs`, payload: { minutes: 15, mode: 'phone', note: '电话指导' } });
      await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: '已安排工程师' } });
      expect((await w.custB.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` })).statusCode).toBe(404);
      expect((await w.custB.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: 'hi' } })).statusCode).toBe(404);
      expect((await w.custB.request({ method: 'GET', url: '/api/v1/tickets?limit=200' })).json().items.every((t: { customerId: number }) => t.customerId === w.b.customerId)).toBe(true);
      const own = await get(w.custA, tk.id);
      expect(own.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'reply']);
      expect(JSON.stringify(own)).not.toContain('内部备注');
      const internal = await w.custA.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: 'x', visibility: 'internal' } });
      expect(internal.statusCode).toBe(400);
      expect(internal.json().errors[0].field).toBe('visibility');
      expect((await act(w.custA, tk.id, 'accept')).statusCode).toBe(403);
    });

    it('an engineer sees only the customers his teams serve', async () => {
      const tk = await createTicket(w.desk, report(w.b));
      expect((await w.eng.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` })).statusCode).toBe(404);
      const seen = new Set((await w.eng.request({ method: 'GET', url: '/api/v1/tickets?limit=200' })).json().items.map((t: { customerId: number }) => t.customerId));
      expect([...seen].sort()).toEqual([w.a.customerId, t5.customerId].sort());
    });

    it('a customer\'s staff report for their own customer, through the portal only', async () => {
      expect((await w.custB.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a) })).statusCode).toBe(404);
      const phone = await w.custB.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.b, { channel: 'phone' }) });
      expect(phone.statusCode).toBe(400);
      expect(phone.json().errors[0].field).toBe('channel');
      const assigning = await w.custB.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.b, { teamId: w.teams.line1 }) });
      expect(assigning.statusCode).toBe(403);
      const own = await createTicket(w.custB, report(w.b));
      expect(own).toMatchObject({ channel: 'portal', teamId: null, teamName: null });
    });
  });

  describe('attachments', () => {
    /** A multipart/form-data body with one file part. */
    const multipart = (content: Buffer, filename: string) => {
      const boundary = `----yunwei${Math.random().toString(16).slice(2)}`;
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      return { payload: Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    const upload = (s: Session, id: number, content: Buffer, filename: string, visibility = 'public') =>
      s.request({ method: 'POST', url: `/api/v1/tickets/${id}/attachments?visibility=${visibility}`, ...multipart(content, filename) });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);

    it('stores a file by its content, lists it and serves it back as a download', async () => {
      const { id } = await createTicket(w.desk, report(w.a));
      const item = ok(await upload(w.custA, id, png, '截图 2026.png'), 201);
      expect(item).toMatchObject({ type: 'attachment', visibility: 'public', data: { name: '截图 2026.png', mime: 'image/png', size: png.length } });
      const tk = await get(w.desk, id);
      expect(tk.attachments).toEqual([{ id: item.data.fileId, eventId: item.id, name: '截图 2026.png', mime: 'image/png', size: png.length, createdAt: item.at }]);
      const file = await w.custA.request({ method: 'GET', url: `/api/v1/tickets/${id}/attachments/${item.data.fileId}` });
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.equals(png)).toBe(true);
      expect(file.headers).toMatchObject({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff', 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('截图 2026.png')}` });
      expect((await w.custB.request({ method: 'GET', url: `/api/v1/tickets/${id}/attachments/${item.data.fileId}` })).statusCode).toBe(404);
    });

    it('refuses mis-typed files (type from the content, not the name), oversized ones, and internal files for customers', async () => {
      const { id } = await createTicket(w.desk, report(w.a));
      const exe = await upload(w.desk, id, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100, 0)]), 'invoice.pdf');
      expect(exe.statusCode).toBe(400);
      expect(exe.json().errors[0]).toMatchObject({ field: 'file', code: 'tickets.attachment.type', message: expect.stringContaining('Windows executable') });
      const jpegAsPng = await upload(w.desk, id, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1)]), 'photo.png');
      expect(jpegAsPng.json().errors[0]).toMatchObject({ code: 'tickets.attachment.extension', message: '文件扩展名 .png 与内容（JPEG）不符' });
      expect((await upload(w.desk, id, Buffer.from('<html><script>alert(1)</script></html>'), 'page.html')).json().errors[0].code).toBe('tickets.attachment.extension');
      const big = await upload(w.desk, id, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(21 * 1024 * 1024, 0x20)]), 'manual.pdf');
      expect(big.statusCode).toBe(413);
      expect(big.json().errors[0]).toMatchObject({ field: 'file', message: '文件过大（上限 20 MB）' });
      const log = ok(await upload(w.desk, id, Buffer.from('2026-11-22 09:00:01 ERROR 连接超时\n'), 'app.log', 'internal'), 201);
      expect(log.data.mime).toBe('text/plain; charset=utf-8');
      expect((await upload(w.custA, id, png, 'x.png', 'internal')).statusCode).toBe(400);
      expect((await get(w.custA, id)).attachments).toEqual([]);
      expect((await w.custA.request({ method: 'GET', url: `/api/v1/tickets/${id}/attachments/${log.data.fileId}` })).statusCode).toBe(404);
      expect((await w.custB.request({ method: 'POST', url: `/api/v1/tickets/${id}/attachments`, ...multipart(png, 'x.png') })).statusCode).toBe(404);
    });
  });

  describe('bad input', () => {
    const field = async (payload: Record<string, unknown>, s: Session = w.desk) => {
      const res = await s.request({ method: 'POST', url: '/api/v1/tickets', payload });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().errors as Array<{ field: string; code: string; message: string }>;
    };

    it('names the field: empty and 10k-character titles, blank description, unknown kind', async () => {
      expect(await field(report(w.a, { title: '   ' }))).toEqual([{ field: 'title', code: 'tickets.title.required', message: '标题不能为空' }]);
      expect(await field(report(w.a, { title: 'x'.repeat(10_000) }))).toEqual([{ field: 'title', code: 'tickets.title.tooLong', message: '标题不能超过 200 个字符' }]);
      expect((await field(report(w.a, { description: ' \n ' })))[0].field).toBe('description');
      expect((await field(report(w.a, { kind: 'disaster' })))[0]).toMatchObject({ field: 'kind', code: 'enum' });
      const missing = await field({ customerId: w.a.customerId });
      // contactId may be left out by customer staff (their linked contact); the desk is told once the rest is valid.
      expect(missing.map((e) => e.field).sort()).toEqual(['description', 'impact', 'kind', 'reportedAt', 'title', 'urgency']);
      const { contactId: _none, ...noContact } = report(w.a);
      expect(await field(noContact)).toEqual([expect.objectContaining({ field: 'contactId', code: 'required' })]);
    });

    it('reportedAt needs an offset, may not be in the future or more than a year ago, or before the contract began', async () => {
      expect((await field(report(w.a, { reportedAt: '2026-03-05T14:30:00' })))[0]).toMatchObject({ field: 'reportedAt', code: 'instant' });
      expect((await field(report(w.a, { reportedAt: new Date(Date.now() + 10 * 60_000).toISOString() })))[0]).toMatchObject({ field: 'reportedAt', code: 'tickets.reportedInFuture' });
      expect((await field(report(w.a, { reportedAt: new Date(Date.now() - 400 * 86_400_000).toISOString() })))[0].code).toBe('tickets.reportedTooOld');
      const recent = await customerWithContract(w.admin, 'NEW', null);
      // Two days ahead in UTC: "tomorrow" in UTC is already today in Shanghai after 16:00 UTC.
      await w.t.database.db.updateTable('contracts').set({ starts_on: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10) }).where('id', '=', recent.contractId).execute();
      expect((await field(report(recent, { contractId: recent.contractId })))[0]).toMatchObject({ field: 'reportedAt', code: 'tickets.reportedBeforeContract' });
      expect((await field(report(recent)))[0]).toMatchObject({ field: 'contractId', code: 'tickets.noContractInForce', message: '该客户在报告时间没有生效的服务合同，请指定服务合同' });
      // Within the tolerance a report from a clock running a little ahead is taken as "now".
      const ahead = await createTicket(w.desk, report(w.a, { reportedAt: new Date(Date.now() + 60_000).toISOString() }));
      expect(Date.parse(ahead.reportedAt)).toBeLessThanOrEqual(Date.now());
    });

    it('refuses another customer\'s contact, site and contract, and an impact not in the matrix', async () => {
      const errors = await field(report(w.a, { contactId: w.b.contactId, siteId: w.b.siteId, contractId: w.b.contractId }));
      expect(errors.map((e) => e.field).sort()).toEqual(['contactId', 'contractId', 'siteId']);
      expect(errors.find((e) => e.field === 'contactId')!.message).toBe('联系人：联系人不存在或不属于该客户');
      expect(await field(report(w.a, { impact: 'critical' }))).toEqual([
        { field: 'impact', code: 'tickets.levelUnknown', message: '影响度“critical”未在合同的优先级矩阵中定义，可选：high, medium, low' },
      ]);
      expect((await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report({ ...w.a, customerId: 999999 }) })).statusCode).toBe(404);
    });

    it('stores SQL and HTML exactly as typed', async () => {
      const title = `<script>alert('x')</script>' OR 1=1; DROP TABLE tickets; --`;
      const description = `<img src=x onerror=alert(1)>\n'; DELETE FROM ticket_events WHERE '1'='1`;
      const tk = await createTicket(w.desk, report(w.a, { title, description }));
      const back = await get(w.desk, tk.id);
      expect(back.title).toBe(title);
      expect(back.description).toBe(description);
      const reply = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/replies`, payload: { body: description } });
      expect(ok(reply, 201).data.body).toBe(description);
      expect((await w.desk.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent("' OR 1=1")}` })).json().items.map((t: { id: number }) => t.id)).toEqual([tk.id]);
    });

    it('worklogs and visits check their numbers and instants', async () => {
      const { id, reportedAt } = await createTicket(w.desk, report(w.a));
      const worklog = (payload: Record<string, unknown>) => w.desk.request({ method: 'POST', url: `/api/v1/tickets/${id}/worklogs`, payload });
      expect((await worklog({ minutes: 0, mode: 'phone' })).json().errors[0]).toMatchObject({ field: 'minutes', code: 'tooSmall' });
      expect((await worklog({ minutes: 1441, mode: 'remote' })).json().errors[0]).toMatchObject({ field: 'minutes', code: 'tooBig' });
      expect((await worklog({ minutes: 30, mode: 'teleport' })).json().errors[0]).toMatchObject({ field: 'mode', code: 'enum' });
      expect(ok(await worklog({ minutes: 30, mode: 'remote', note: '远程重启' }), 201)).toMatchObject({ type: 'worklog', visibility: 'internal', data: { minutes: 30, mode: 'remote' } });
      const early = await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${id}/visits`, payload: { event: 'arrive', at: new Date(Date.parse(reportedAt) - 60_000).toISOString() } });
      expect(early.json().errors[0]).toMatchObject({ field: 'at', code: 'tickets.atBeforeReported' });
      expect((await w.custA.request({ method: 'POST', url: `/api/v1/tickets/${id}/worklogs`, payload: { minutes: 5, mode: 'phone' } })).statusCode).toBe(403);
    });
  });
});

describeDb('tickets: unknown callers, "my tickets", the portal\'s service information', (kind) => {
  let w: TicketWorld;

  beforeAll(async () => {
    w = await ticketWorld(kind, { DESK_HOTLINE: '0576-8888 1234', DESK_HOURS: '7×24 小时' });
  });
  afterAll(() => w.t.close());

  const contacts = async (org: Org) => (ok(await w.admin.request({ method: 'GET', url: `/api/v1/customers/${org.customerId}/contacts` })).items as Array<{ id: number; name: string; phone: string | null; siteId: number | null }>);
  const ticketCount = async () => Number((await w.t.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('creates an unknown caller as the customer\'s contact with the ticket, both or neither', async () => {
    const { contactId: _, ...noContact } = report(w.a);
    const tk = await createTicket(w.desk, { ...noContact, newContact: { name: '徐丽华', phone: '0576-8812 3456' } });
    const made = (await contacts(w.a)).find((c) => c.name === '徐丽华')!;
    expect(made).toMatchObject({ phone: '0576-8812 3456', siteId: w.a.siteId });
    expect(tk).toMatchObject({ contactId: made.id, contactName: '徐丽华', callerName: null, callerPhone: null });
    expect(ok(await w.desk.request({ method: 'GET', url: '/api/v1/contacts/search?q=xlh' })).items.map((h: { name: string }) => h.name)).toContain('徐丽华');
    const audit = await w.t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'contacts').where('entity_id', '=', String(made.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['create']);

    // A ticket that fails after the contact was made leaves neither: the site is another customer's.
    const before = await ticketCount();
    const res = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: { ...noContact, siteId: w.b.siteId, newContact: { name: '王不存', phone: '13800000000' } } });
    expect(res.statusCode).toBe(400);
    expect((await contacts(w.a)).some((c) => c.name === '王不存')).toBe(false);
    // …or the contact's own fields are wrong.
    const bad = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: { ...noContact, newContact: { name: ' ', phone: 'abc' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['newContact.name', 'newContact.phone']);
    expect(await ticketCount()).toBe(before);
  });

  it('logs a caller by name and number only, without a contact; the ticket and its list show him', async () => {
    const { contactId: _, ...noContact } = report(w.a);
    const before = (await contacts(w.a)).length;
    const tk = await createTicket(w.desk, { ...noContact, callerName: '过路人', callerPhone: '139 0000 1111' });
    expect(tk).toMatchObject({ contactId: null, contactName: null, callerName: '过路人', callerPhone: '139 0000 1111' });
    expect((await contacts(w.a)).length).toBe(before);
    const back = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${tk.id}` }));
    expect(back).toMatchObject({ contactId: null, callerName: '过路人', callerPhone: '139 0000 1111' });
    const listed = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets?q=${tk.number}` })).items[0];
    expect(listed).toMatchObject({ contactId: null, callerName: '过路人' });
    // The lifecycle works without a contact (no mail to send).
    ok(await act(w.desk, tk.id, 'assign', { teamId: w.teams.line1, assigneeId: w.users.eng }));
    ok(await act(w.eng, tk.id, 'accept'));
    ok(await act(w.eng, tk.id, 'resolve', { resolution: '已远程处理' }));

    // One way of naming the caller at a time; none at all is still refused; customers cannot use these.
    const both = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: { ...noContact, contactId: w.a.contactId, callerName: '某人' } });
    expect(both.json().errors[0]).toMatchObject({ field: 'callerName', code: 'tickets.callerOneOf' });
    const none = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: noContact });
    expect(none.json().errors[0]).toMatchObject({ field: 'contactId', code: 'required' });
    const numberOnly = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: { ...noContact, callerPhone: '13900001111' } });
    expect(numberOnly.json().errors[0]).toMatchObject({ field: 'callerName', code: 'required' });
    expect((await w.custA.request({ method: 'POST', url: '/api/v1/tickets', payload: { ...noContact, callerName: '某人' } })).statusCode).toBe(403);
  });

  it('lists "my tickets" (reporter=me: logged by me or with me as the contact) apart from my customer\'s', async () => {
    await w.t.database.db.updateTable('users').set({ contact_id: w.a.contactId }).where('id', '=', w.users.custA).execute();
    const custA2 = await insertUser(w.t.database, { username: 'cust_a2', roles: ['customer_contact'], customerId: w.a.customerId });
    const colleague = ok(await w.admin.request({ method: 'POST', url: `/api/v1/customers/${w.a.customerId}/contacts`, payload: { name: '同事' } }), 201);
    await w.t.database.db.updateTable('users').set({ contact_id: colleague.id }).where('id', '=', custA2).execute();
    const other = await login(w.t.app, 'cust_a2');
    const { contactId: _, ...noContact } = report(w.a);
    const mine = await createTicket(w.custA, { ...noContact, title: '我报的' });
    const aboutMe = await createTicket(w.desk, report(w.a, { title: '服务台替我登记' }));
    const theirs = await createTicket(other, { ...noContact, title: '同事报的' });
    expect(theirs.createdBy).toBe(custA2);
    const list = async (s: Session, q: string) => (ok(await s.request({ method: 'GET', url: `/api/v1/tickets?limit=200${q}` })).items as Array<{ id: number }>).map((x) => x.id);
    const myIds = await list(w.custA, '&reporter=me');
    expect(myIds).toEqual(expect.arrayContaining([mine.id, aboutMe.id]));
    expect(myIds).not.toContain(theirs.id);
    expect(await list(w.custA, '')).toEqual(expect.arrayContaining([mine.id, aboutMe.id, theirs.id]));
    expect(await list(other, '&reporter=me')).toEqual([theirs.id]);
  });

  it('tells the portal the desk\'s hotline and hours, the service mailboxes and the contract\'s commitments in plain words', async () => {
    ok(await w.admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'a-it@desk.example.cn', name: 'A 服务邮箱', customerId: w.a.customerId } }), 201);
    const info = ok(await w.custA.request({ method: 'GET', url: '/api/v1/portal/info' }));
    expect(info.desk).toEqual({ hotline: '0576-8888 1234', hours: '7×24 小时' });
    expect(info.mailboxes).toEqual([{ address: 'a-it@desk.example.cn', name: 'A 服务邮箱' }]);
    expect(info.contract).toMatchObject({ id: w.a.contractId, name: 'A 运维服务合同', serviceHours: '7x24' });
    expect(info.contract.calendarName).toBeTruthy();
    // Template T4 tier 1: response 30 minutes, resolution 2 hours for every priority.
    expect(info.contract.commitments[0]).toMatchObject({ priority: 'P1', response: { amount: 30, unit: 'minutes' }, onsite: null, resolution: { amount: 2, unit: 'hours' } });
    expect(info.contract.commitments[0].text).toBe('紧急：30 分钟内响应，2 小时内解决');
    expect((await w.custB.request({ method: 'GET', url: '/api/v1/portal/info' })).json().mailboxes).toEqual([]);
    expect((await w.desk.request({ method: 'GET', url: '/api/v1/portal/info' })).statusCode).toBe(403);
  });
});
