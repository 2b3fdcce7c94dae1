import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { describeDb, fanOutQueued, insertUser, login, type Session } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';
import { enqueueJob } from '../../platform/jobs/scheduler.js';
import { OLA_JOB, olaJobKey } from './ola.js';

const byNotice = (a: (string | number)[], b: (string | number)[]) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]);

describeDb('tickets: dispatch rules, automatic assignment, the desk\'s OLA, escalation, satisfaction', (kind) => {
  let w: TicketWorld;
  const u: Record<string, number> = {};
  const s: Record<string, Session> = {};

  beforeAll(async () => {
    w = await ticketWorld(kind);
    for (const [name, role] of [
      ['e1', 'engineer'],
      ['e2', 'engineer'],
      ['e3', 'engineer'],
      ['aud', 'auditor'],
      ['f1', 'engineer'],
      ['f2', 'engineer'],
      ['f3', 'engineer'],
      ['g1', 'engineer'],
      ['g2', 'engineer'],
      ['g3', 'engineer'],
      ['h1', 'engineer'],
      ['q1', 'quality'],
    ] as const) {
      u[name] = await insertUser(w.t.database, { username: name, roles: [role], displayName: name.toUpperCase() });
    }
    // A service manager: a project manager who sees every customer.
    u.mgr = await insertUser(w.t.database, { username: 'mgr', roles: ['pm', 'quality'], displayName: '服务经理' });
    for (const name of ['h1', 'q1', 'mgr']) s[name] = await login(w.t.app, name);
    s.pm = await login(w.t.app, 'pm');
  });
  afterAll(() => w.t.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const db = () => w.t.database.db;
  const drain = () => w.t.app.scheduler.drain(() => Date.now());
  const get = async (session: Session, id: number) => ok(await session.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));
  const rule = async (body: Record<string, unknown>) => ok(await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules', payload: body }), 201);
  const team = async (name: string, kindOf: string, memberIds: number[], customerIds: number[], assignment = 'manual') =>
    ok(await w.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name, kind: kindOf, memberIds, customerIds, assignment } }), 201).id as number;
  const serve = async (teamId: number, customerId: number) => {
    const t = ok(await w.admin.request({ method: 'GET', url: `/api/v1/teams/${teamId}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/teams/${teamId}`, payload: { version: t.version, customerIds: [...t.customerIds, customerId] } }));
  };
  /** Notifications about a ticket, as [event, user] in order. */
  const notices = async (id: number) => {
    await fanOutQueued(w.t.database);
    // Who was told what; each event fans out in its own job, so events of one instant may land in either order.
    return (await db().selectFrom('notifications').select(['user_id', 'event']).where('entity', '=', 'tickets').where('entity_id', '=', String(id)).orderBy('id').execute()).map((n) => [n.event, Number(n.user_id)]).sort(byNotice);
  };
  /** The caller's own in-app inbox entries about a ticket. */
  const inbox = async (session: Session, id: number) => {
    await fanOutQueued(w.t.database);
    return (ok(await session.request({ method: 'GET', url: '/api/v1/notifications?limit=200' })).items as Array<{ event: string; entityId: string; title: string }>).filter((n) => n.entityId === String(id));
  };
  const assigned = (tk: { timeline: Array<{ type: string; data: Record<string, unknown> }> }) => tk.timeline.filter((e) => e.type === 'assigned').map((e) => e.data);

  it('tries the enabled rules in order; a rule whose team does not serve the customer is skipped; no match waits in the desk\'s queue', async () => {
    const r = await customerWithContract(w.admin, 'RULE', w.users.pm);
    await serve(w.teams.desk, r.customerId);
    const net = await team('网络组', 'line1', [u.e1], [r.customerId]);
    const srv = await team('系统组', 'line1', [u.e2], [r.customerId]);
    const elsewhere = await team('外地组', 'line1', [u.e3], []);
    const a = await rule({ name: '网络故障', customerId: r.customerId, category: '网络', teamId: net });
    const b = await rule({ name: '服务器故障', customerId: r.customerId, category: '服务器', teamId: srv });
    const c = await rule({ name: 'RULE 的服务请求', customerId: r.customerId, kind: 'request', teamId: srv });
    await rule({ name: '停用的规则', customerId: r.customerId, kind: 'incident', teamId: net, enabled: false });
    await rule({ name: '所有事件（外地组）', kind: 'incident', teamId: elsewhere });
    expect([a.position, b.position, c.position]).toEqual([a.position, a.position + 1, a.position + 2]);

    const byNet = await createTicket(w.desk, report(r, { category: '网络' }));
    expect(byNet).toMatchObject({ state: 'assigned', teamId: net, teamName: '网络组', assigneeId: null });
    expect(assigned(byNet)).toEqual([{ from: 'new', to: 'assigned', teamId: net, assigneeId: null, previousTeamId: null, previousAssigneeId: null, rule: { id: a.id, name: '网络故障' } }]);
    // The first matching rule wins: a request about the network goes to the network team.
    expect((await createTicket(w.desk, report(r, { kind: 'request', category: '网络' }))).teamId).toBe(net);
    expect((await createTicket(w.desk, report(r, { kind: 'request' }))).teamId).toBe(srv);
    // The portal's tickets are dispatched the same way.
    const portalUser = await insertUser(w.t.database, { username: 'cust_rule', roles: ['customer_contact'], customerId: r.customerId });
    const portal = await login(w.t.app, 'cust_rule');
    const fromPortal = await createTicket(portal, report(r, { category: '服务器', siteId: undefined }));
    expect(fromPortal).toMatchObject({ state: 'assigned', teamId: null, createdBy: portalUser });
    expect(fromPortal.timeline[1].data).toEqual({ from: 'new', to: 'assigned', assigneeId: null, previousAssigneeId: null });
    expect((await get(w.desk, fromPortal.id)).teamId).toBe(srv);
    // Disabled rule and a team not serving the customer: nothing matches, the desk's queue takes it, undispatched.
    const queued = await createTicket(w.desk, report(r));
    expect(queued).toMatchObject({ state: 'new', teamId: w.teams.desk, assigneeId: null });
    expect(queued.timeline.map((e: { type: string }) => e.type)).toEqual(['created']);
    expect(queued.timeline[0].data.teamId).toBe(w.teams.desk);
    expect(await notices(fromPortal.id)).toEqual([['ticket.created', u.e2]].sort(byNotice));
    expect(await notices(queued.id)).toEqual([].sort(byNotice)); // the desk member logged it himself

    // Where would it go? (the log-a-call form asks before saving)
    const match = ok(await w.desk.request({ method: 'GET', url: `/api/v1/dispatch-rules/match?customerId=${r.customerId}&kind=request&category=${encodeURIComponent('网络')}` }));
    expect(match).toEqual({ ruleId: a.id, ruleName: '网络故障', teamId: net, teamName: '网络组', queued: false });
    expect(ok(await w.desk.request({ method: 'GET', url: `/api/v1/dispatch-rules/match?customerId=${r.customerId}&kind=incident` }))).toMatchObject({ ruleId: null, teamId: w.teams.desk, queued: true });

    // Reorder: the request rule first; then a request about the network goes to the systems team.
    const all = ok(await w.admin.request({ method: 'GET', url: '/api/v1/dispatch-rules?limit=200' })).items as Array<{ id: number; position: number; version: number }>;
    const ids = all.map((x) => x.id);
    const reordered = ok(await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules/reorder', payload: { ids: [c.id, ...ids.filter((x) => x !== c.id)] } }));
    expect(reordered.items.map((x: { id: number; position: number }) => [x.id, x.position]).slice(0, 2)).toEqual([
      [c.id, 1],
      [ids.filter((x) => x !== c.id)[0], 2],
    ]);
    expect((await createTicket(w.desk, report(r, { kind: 'request', category: '网络' }))).teamId).toBe(srv);
    // A list that misses a rule (added or removed meanwhile) or names one twice is refused.
    expect((await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules/reorder', payload: { ids: ids.slice(1) } })).statusCode).toBe(409);
    const twice = await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules/reorder', payload: { ids: [ids[0], ids[0]] } });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors[0].field).toBe('ids[1]');

    // A rule inserted at a position moves the others down; editing needs the version read; deleting closes the gap.
    const first = await rule({ name: '服务器优先', customerId: r.customerId, category: '服务器', teamId: net, position: 1 });
    expect(first.position).toBe(1);
    const cNow = ok(await w.admin.request({ method: 'GET', url: `/api/v1/dispatch-rules/${c.id}` }));
    expect(cNow.position).toBe(2);
    expect((await w.admin.request({ method: 'PATCH', url: `/api/v1/dispatch-rules/${first.id}`, payload: { version: first.version + 1, enabled: false } })).statusCode).toBe(409);
    const disabled = ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/dispatch-rules/${first.id}`, payload: { version: first.version, enabled: false } }));
    expect(disabled).toMatchObject({ enabled: false, version: first.version + 1 });
    expect((await w.admin.request({ method: 'DELETE', url: `/api/v1/dispatch-rules/${first.id}` })).statusCode).toBe(204);
    expect(ok(await w.admin.request({ method: 'GET', url: `/api/v1/dispatch-rules/${c.id}` })).position).toBe(1);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=dispatch_rules&entityId=${first.id}` }));
    expect(audit.items.map((x: { action: string }) => x.action).reverse()).toEqual(['create', 'update', 'delete']);
  });

  it('guards the rules: dispatch.manage to change them (administrators), tickets.dispatch to read; a team must serve the rule\'s customer', async () => {
    const r = await customerWithContract(w.admin, 'GUARD', null);
    const other = await team('守卫组', 'line1', [u.e1], []);
    expect((await w.desk.request({ method: 'GET', url: '/api/v1/dispatch-rules' })).statusCode).toBe(200);
    expect((await w.desk.request({ method: 'POST', url: '/api/v1/dispatch-rules', payload: { name: 'x', teamId: other } })).statusCode).toBe(403);
    expect((await s.pm.request({ method: 'POST', url: '/api/v1/dispatch-rules', payload: { name: 'x', teamId: other } })).statusCode).toBe(403);
    expect((await w.custA.request({ method: 'GET', url: '/api/v1/dispatch-rules' })).statusCode).toBe(403);
    const notServing = await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules', payload: { name: 'x', customerId: r.customerId, teamId: other } });
    expect(notServing.statusCode).toBe(400);
    expect(notServing.json().errors).toMatchObject([{ field: 'teamId', code: 'tickets.teamNotServing' }]);
    const bad = await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules', payload: { name: ' ', customerId: 999_999, teamId: 999_999, kind: 'outage' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['kind', 'name']);
    const unknown = await w.admin.request({ method: 'POST', url: '/api/v1/dispatch-rules', payload: { name: 'x', customerId: 999_999, teamId: 999_999 } });
    expect(unknown.json().errors.map((e: { field: string }) => e.field)).toEqual(['customerId', 'teamId']);
  });

  it('round robin: six tickets to a team of three go one each in turn, twice; members who cannot work tickets are passed over', async () => {
    const r = await customerWithContract(w.admin, 'RR', null);
    const rr = await team('轮询组', 'line1', [u.e1, u.e2, u.e3, u.aud], [r.customerId], 'round_robin');
    const byRule = await rule({ name: 'RR 全部', customerId: r.customerId, teamId: rr });
    const seq: number[] = [];
    for (let i = 0; i < 6; i++) {
      const tk = await createTicket(w.desk, report(r, { title: `轮询 ${i}` }));
      expect(tk).toMatchObject({ state: 'assigned', teamId: rr });
      expect(assigned(tk)[0]).toMatchObject({ auto: 'round_robin', rule: { id: byRule.id } });
      seq.push(tk.assigneeId);
      expect(await notices(tk.id)).toEqual([['ticket.assigned', tk.assigneeId]].sort(byNotice));
    }
    expect(seq).toEqual([u.e1, u.e2, u.e3, u.e1, u.e2, u.e3]);
    // A disabled member is skipped; re-dispatching to the team (one ticket, then two in bulk) continues the turn.
    ok(await w.admin.request({ method: 'POST', url: `/api/v1/users/${u.e2}/disable` }));
    await serve(w.teams.desk, r.customerId);
    const waiting = await createTicket(w.desk, report(r, { title: '先放服务台', teamId: w.teams.desk }));
    expect(waiting.assigneeId).toBe(w.users.desk);
    const redispatched = ok(await act(w.desk, waiting.id, 'assign', { teamId: rr }));
    expect(redispatched).toMatchObject({ teamId: rr, assigneeId: u.e1, state: 'assigned' });
    expect(assigned(redispatched)[1]).toMatchObject({ auto: 'round_robin', previousAssigneeId: w.users.desk });
    const more = [await createTicket(w.desk, report(r, { teamId: w.teams.desk, assigneeId: w.users.desk })), await createTicket(w.desk, report(r, { teamId: w.teams.desk, assigneeId: w.users.desk }))];
    const bulk = ok(await w.desk.request({ method: 'POST', url: '/api/v1/tickets/bulk-assign', payload: { ids: more.map((t) => t.id), teamId: rr } }));
    expect(bulk.items).toHaveLength(2);
    expect(await Promise.all(more.map(async (t) => (await get(w.desk, t.id)).assigneeId))).toEqual([u.e3, u.e1]);
    ok(await w.admin.request({ method: 'POST', url: `/api/v1/users/${u.e2}/enable` }));
  });

  it('least loaded: the member with the fewest open tickets, ties in turn', async () => {
    const r = await customerWithContract(w.admin, 'LL', null);
    const ll = await team('负载组', 'line1', [u.f1, u.f2, u.f3], [r.customerId], 'least_loaded');
    const busy = [];
    for (const who of [u.f1, u.f1, u.f3]) busy.push(await createTicket(w.desk, report(r, { teamId: ll, assigneeId: who })));
    await rule({ name: 'LL 全部', customerId: r.customerId, teamId: ll });
    const picks = [];
    for (let i = 0; i < 3; i++) picks.push((await createTicket(w.desk, report(r, { title: `负载 ${i}` }))).assigneeId);
    // Loads f1 2, f2 0, f3 1 → f2; then f2 1 = f3 1 → f3 (after f2 in turn); then f1 2, f2 1, f3 2 → f2.
    expect(picks).toEqual([u.f2, u.f3, u.f2]);
    // Closed and cancelled tickets do not count.
    for (const t of busy.slice(0, 2)) ok(await act(w.desk, t.id, 'cancel', { reason: '重复报障' }));
    expect((await createTicket(w.desk, report(r))).assigneeId).toBe(u.f1);
  });

  it('concurrent creates never give one member two tickets in a row', async () => {
    const r = await customerWithContract(w.admin, 'CC', null);
    const cc = await team('并发组', 'line1', [u.g1, u.g2, u.g3], [r.customerId], 'round_robin');
    await rule({ name: 'CC 全部', customerId: r.customerId, teamId: cc });
    // Different kinds take different number counters, so nothing but the team's rotation orders them.
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(r, { kind: i % 2 ? 'request' : 'incident', title: `并发 ${i}` }) })));
    results.forEach((res) => ok(res, 201));
    const rows = await db().selectFrom('tickets').select(['id', 'assignee_id']).where('customer_id', '=', r.customerId).orderBy('id').execute();
    const order = rows.map((x) => Number(x.assignee_id));
    expect(order).toHaveLength(6);
    for (const g of [u.g1, u.g2, u.g3]) expect(order.filter((x) => x === g)).toHaveLength(2);
    for (let i = 1; i < order.length; i++) expect(order[i]).not.toBe(order[i - 1]);
  });

  it('an SLA escalation step that reassigns to a team lets the team pick, and shows like a manual escalation', async () => {
    const r = await customerWithContract(w.admin, 'SLARR', null);
    const rr = await team('SLA 轮询组', 'line2', [u.e2, u.e3], [r.customerId], 'round_robin');
    const current = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${r.contractId}/sla` }));
    const policy = {
      ...current.sla.policy,
      targets: { '*': { response: { amount: 10, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 2, unit: 'hours', calendarId: '24x7' } } },
      escalation: [{ metric: 'response', afterPercent: 100, notify: { roles: ['team'] }, action: 'reassign', teamId: rr }],
    };
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/contracts/${r.contractId}/sla`, payload: { ...current.sla, policy, version: current.version } }));
    const { id } = await createTicket(w.desk, report(r, {}, 11));
    await drain();
    const tk = await get(w.desk, id);
    expect(tk).toMatchObject({ state: 'assigned', teamId: rr, assigneeId: u.e2 });
    const [escalated, reassigned] = tk.timeline.filter((e: { type: string }) => e.type === 'escalated' || e.type === 'assigned');
    expect(escalated).toMatchObject({ type: 'escalated', actorId: null, visibility: 'internal', data: { kind: 'functional', trigger: 'sla', reason: null, metric: 'response', step: 0, action: 'reassign', result: 'reassigned' } });
    expect(reassigned).toMatchObject({ type: 'assigned', data: { teamId: rr, assigneeId: u.e2, auto: 'round_robin', escalation: { metric: 'response', step: 0 } } });
    // The reassignment is a dispatch: the desk's execution check runs from it. Dispatched 11 minutes after the call (the report): late.
    expect(tk.ola.map((c: { target: string; state: string }) => `${c.target}:${c.state}`)).toEqual(['dispatch:breached', 'execution_check:running']);
  });

  it('fires a breached dispatch OLA once: an internal entry and a warning in the desk\'s inbox', async () => {
    const start = Date.now();
    const r = await customerWithContract(w.admin, 'OLA', w.users.pm);
    await serve(w.teams.desk, r.customerId);
    const portal = await insertUser(w.t.database, { username: 'cust_ola', roles: ['customer_contact'], customerId: r.customerId });
    const cust = await login(w.t.app, 'cust_ola');
    const { id } = await createTicket(cust, report(r, { siteId: undefined }));
    let tk = await get(w.desk, id);
    expect(tk.state).toBe('new');
    // The dispatch limit counts from the intake (the call's reported time), not from when the record was typed.
    expect(tk.ola).toEqual([{ target: 'dispatch', state: 'running', startedAt: tk.reportedAt, dueAt: new Date(Date.parse(tk.reportedAt) + 10 * 60_000).toISOString(), remainingMinutes: expect.any(Number), metAt: null }]);
    expect(tk.ola[0].remainingMinutes).toBeGreaterThanOrEqual(8);
    // A customer's staff see no OLA.
    expect((await get(cust, id)).ola).toEqual([]);
    const job = await db().selectFrom('jobs').select(['run_at', 'kind']).where('key', '=', olaJobKey(id)).executeTakeFirstOrThrow();
    expect(job).toEqual({ kind: OLA_JOB, run_at: Date.parse(tk.reportedAt) + 10 * 60_000 });

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 8 * 60_000);
    await drain();
    expect(await notices(id)).toEqual([['ticket.created', w.users.desk]].sort(byNotice));
    vi.setSystemTime(start + 11 * 60_000);
    await drain();
    // Run again, as a retry or a second process would: nothing more.
    await enqueueJob(db(), { kind: OLA_JOB, key: olaJobKey(id), payload: { ticketId: id }, runAt: Date.now() });
    await drain();
    expect(await notices(id)).toEqual([
      ['ticket.created', w.users.desk],
      ['ola.breached', w.users.desk],
    ].sort(byNotice));
    const warning = (await inbox(w.desk, id)).find((n) => n.event === 'ola.breached')!;
    expect(warning.title).toContain('派单时限');
    tk = await get(w.desk, id);
    expect(tk.timeline.filter((e: { type: string }) => e.type === 'ola.breached')).toEqual([
      expect.objectContaining({ visibility: 'internal', actorId: null, data: { target: 'dispatch', startedAt: tk.reportedAt, dueAt: tk.ola[0].dueAt } }),
    ]);
    expect(tk.ola[0]).toMatchObject({ target: 'dispatch', state: 'breached' });
    expect(tk.ola[0].remainingMinutes).toBeLessThanOrEqual(-1);
    // Dispatched late: it stays breached; the execution check starts.
    tk = ok(await act(w.desk, id, 'assign', { teamId: w.teams.desk, assigneeId: w.users.desk }));
    expect(tk.ola.map((c: { target: string; state: string }) => `${c.target}:${c.state}`)).toEqual(['dispatch:breached', 'execution_check:running']);
    expect(tk.ola[0].metAt).not.toBeNull();
    expect(portal).toBeGreaterThan(0);
  });

  it('"cannot attend": back to the team\'s queue, the desk told; the re-dispatch and report-to-PM clocks run', async () => {
    const start = Date.now();
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
    ok(await act(w.eng, id, 'accept'));
    expect((await get(w.eng, id)).allowedActions).toContain('decline');
    expect((await get(w.desk, id)).allowedActions).not.toContain('decline');
    const other = await act(w.eng2, id, 'decline', { reason: '不是我的' });
    expect(other.statusCode).toBe(403);
    expect(other.json().title).toBe('只有工单的处理人本人可以表示不能到场');
    expect((await act(w.eng, id, 'decline', {})).json().errors[0]).toMatchObject({ field: 'reason', message: '请填写原因' });
    let tk = ok(await act(w.eng, id, 'decline', { reason: '车辆抛锚，无法按时到场' }));
    expect(tk).toMatchObject({ state: 'assigned', teamId: w.teams.line1, assigneeId: null });
    const entry = tk.timeline.at(-1);
    expect(entry).toMatchObject({ type: 'state_changed', visibility: 'internal', actorId: w.users.eng, data: { from: 'accepted', to: 'assigned', action: 'decline', reason: '车辆抛锚，无法按时到场', previousAssigneeId: w.users.eng } });
    expect((await get(w.custA, id)).timeline.filter((e: { data: { action?: string } }) => e.data.action === 'decline')).toEqual([]);
    expect((await notices(id)).filter(([e]) => e === 'ticket.declined')).toEqual([
      ['ticket.declined', w.users.desk],
      ['ticket.declined', w.users.eng2],
    ]);
    const declinedAt = Date.parse(entry.at);
    const clocks = () => tk.ola.map((c: { target: string; state: string; dueAt: string }) => [c.target, c.state, Date.parse(c.dueAt) - declinedAt]);
    // "Cannot attend" starts the re-dispatch clock only (the report to the PM follows an engineer's abnormal-event escalation).
    expect(clocks().slice(-1)).toEqual([['redispatch', 'running', 10 * 60_000]]);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&entityId=${id}&action=decline` }));
    expect(audit.items[0]).toMatchObject({ before: { state: 'accepted', assigneeId: w.users.eng }, after: { state: 'assigned', assigneeId: null, teamId: w.teams.line1 } });

    // Eleven minutes without a re-dispatch: the desk is warned (once).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 11 * 60_000);
    await drain();
    await drain();
    expect((await notices(id)).filter(([e]) => e === 'ola.breached')).toEqual([['ola.breached', w.users.desk]]);
    // Re-dispatched late (stays breached), reported to the project manager in time (met).
    ok(await act(w.desk, id, 'assign', { assigneeId: w.users.eng2 }));
    // The new engineer escalates an abnormal event on site (a vendor's part): the report-to-PM clock starts (T11: 20 minutes).
    tk = ok(await w.eng2.request({ method: 'POST', url: `/api/v1/tickets/${id}/escalate`, payload: { kind: 'functional', vendor: '华为技术服务', reason: '现场发现电源模块烧毁' } }));
    expect(clocks().slice(-1).map(([target, state, due]: [string, string, number]) => [target, state, due - (start + 11 * 60_000 - declinedAt)])).toEqual([['report_pm', 'running', 20 * 60_000]]);
    tk = ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${id}/escalate`, payload: { kind: 'hierarchical', reason: '现场异常，已报项目经理' } }));
    expect(clocks().slice(-3).map(([target, state]: [string, string]) => `${target}:${state}`)).toEqual(['redispatch:breached', 'execution_check:running', 'report_pm:met']);
    expect((await inbox(s.pm, id)).map((n) => n.event)).toEqual(['ticket.escalated']);
    vi.setSystemTime(start + 25 * 60_000);
    await drain();
    expect((await notices(id)).filter(([e]) => e === 'ola.breached')).toHaveLength(1);
  });

  it('escalates by hand: functionally to the second line or a vendor, hierarchically to the project manager, each notified', async () => {
    const line2 = await team('二线专家组', 'line2', [u.h1], [w.a.customerId], 'round_robin');
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
    ok(await act(w.eng, id, 'accept'));
    // No target: the second line serving the customer, which picks its member.
    let tk = ok(await w.eng.request({ method: 'POST', url: `/api/v1/tickets/${id}/escalate`, payload: { kind: 'functional', reason: '数据库主从同步异常，需二线处理' } }));
    expect(tk).toMatchObject({ state: 'assigned', teamId: line2, assigneeId: u.h1 });
    const [escalated, reassigned] = tk.timeline.slice(-2);
    expect(escalated).toMatchObject({
      type: 'escalated',
      visibility: 'internal',
      actorId: w.users.eng,
      data: { kind: 'functional', trigger: 'manual', reason: '数据库主从同步异常，需二线处理', recipients: [u.h1], toTeamId: line2, toUserId: u.h1 },
    });
    expect(reassigned).toMatchObject({ type: 'assigned', data: { teamId: line2, assigneeId: u.h1, auto: 'round_robin', previousAssigneeId: w.users.eng } });
    expect((await inbox(s.h1, id)).map((n) => n.event)).toEqual(['ticket.escalated']);
    expect((await inbox(s.h1, id))[0].title).toBe('李强 将工单 ' + tk.number + ' 职能升级：财务系统无法登录');

    // To a vendor, waiting for it: the desk and the assignee hear of it.
    ok(await act(s.h1, id, 'accept'));
    tk = ok(await s.h1.request({ method: 'POST', url: `/api/v1/tickets/${id}/escalate`, payload: { kind: 'functional', vendor: '华为技术服务', waitVendor: true, reason: '存储控制器故障，报厂商维修' } }));
    expect(tk.state).toBe('waiting_vendor');
    expect(tk.timeline.slice(-2).map((e: { type: string; data: Record<string, unknown> }) => [e.type, e.data.vendor ?? e.data.to])).toEqual([
      ['escalated', '华为技术服务'],
      ['state_changed', 'waiting_vendor'],
    ]);
    expect((await inbox(w.desk, id)).map((n) => n.event)).toContain('ticket.escalated');

    // Hierarchical: the contract's project manager, and a named manager.
    tk = ok(await s.h1.request({ method: 'POST', url: `/api/v1/tickets/${id}/escalate`, payload: { kind: 'hierarchical', toUserId: u.mgr, reason: '厂商备件需3天，影响财务月结' } }));
    expect(tk.timeline.at(-1)).toMatchObject({ type: 'escalated', data: { kind: 'hierarchical', trigger: 'manual', recipients: [w.users.pm, u.mgr].sort((a, b) => a - b), toUserId: u.mgr, toProjectManager: true } });
    expect((await inbox(s.pm, id)).map((n) => n.event)).toEqual(['ticket.escalated']);
    expect((await inbox(s.mgr, id)).map((n) => n.event)).toEqual(['ticket.escalated']);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&entityId=${id}&action=escalate` }));
    expect(audit.items).toHaveLength(3);

    // Refused: wrong combinations, the customer, a closed case, no manager to tell, no second line.
    const bad = (payload: Record<string, unknown>, session = s.h1, ticket = id) => session.request({ method: 'POST', url: `/api/v1/tickets/${ticket}/escalate`, payload });
    expect((await bad({ kind: 'hierarchical', toTeamId: line2, reason: 'x' })).json().errors[0].field).toBe('toTeamId');
    expect((await bad({ kind: 'functional', vendor: '华为', toTeamId: line2, reason: 'x' })).json().errors[0].field).toBe('vendor');
    expect((await bad({ kind: 'functional', waitVendor: true, reason: 'x' })).json().errors[0].field).toBe('waitVendor');
    expect((await bad({ kind: 'functional', reason: '  ' })).json().errors[0].field).toBe('reason');
    expect((await bad({ kind: 'hierarchical', reason: 'x' }, w.custA)).statusCode).toBe(403);
    // Someone who does not serve the customer could not even open the ticket.
    expect((await bad({ kind: 'hierarchical', toUserId: u.g1, reason: 'x' })).json().errors[0]).toMatchObject({ field: 'toUserId', code: 'tickets.assigneeOutOfScope' });
    const b = await createTicket(w.desk, report(w.b, {}));
    const noPm = await bad({ kind: 'hierarchical', reason: 'x' }, w.desk, b.id);
    expect(noPm.statusCode).toBe(400);
    expect(noPm.json().errors[0]).toMatchObject({ field: 'toUserId', code: 'tickets.escalate.noManager' });
    expect((await bad({ kind: 'functional', reason: 'x' }, w.desk, b.id)).json().errors[0]).toMatchObject({ field: 'toTeamId', code: 'tickets.escalate.noSecondLine' });
    ok(await act(s.h1, id, 'resume'));
    ok(await act(s.h1, id, 'resolve', { resolution: '更换存储控制器后恢复' }));
    const closed = await bad({ kind: 'hierarchical', reason: 'x' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('not_open');
    expect((await get(s.h1, id)).allowedActions).not.toContain('escalate');
  });

  it('satisfaction: the customer\'s staff rate once after resolution; a low score leads to a complaint routed to quality management', async () => {
    const quality = await team('质量管理组', 'quality', [u.q1], [w.a.customerId]);
    const { id, number } = await createTicket(w.custA, report(w.a, { siteId: undefined, title: '打印机卡纸' }));
    ok(await act(w.desk, id, 'assign', { teamId: w.teams.line1, assigneeId: w.users.eng }));
    ok(await act(w.eng, id, 'accept'));
    const rate = (session: Session, payload: Record<string, unknown> = { score: 2, comment: '等了两天才来' }) => session.request({ method: 'POST', url: `/api/v1/tickets/${id}/rating`, payload });
    const early = await rate(w.custA);
    expect(early.statusCode).toBe(409);
    expect(early.json().title).toBe('工单解决后才能评价');
    ok(await act(w.eng, id, 'resolve', { resolution: '清理搓纸轮' }));
    expect((await rate(w.eng)).statusCode).toBe(403);
    expect((await rate(w.custB)).statusCode).toBe(404);
    expect((await rate(w.custA, { score: 6 })).json().errors[0].field).toBe('score');
    const rated = ok(await rate(w.custA), 201);
    expect(rated).toEqual({ score: 2, comment: '等了两天才来', ratedBy: w.users.custA, ratedByName: 'A 报障人', ratedAt: expect.any(String), suggestComplaint: true });
    const again = await rate(w.custA, { score: 5 });
    expect(again.statusCode).toBe(409);
    expect(again.json().title).toBe('该工单已经评价过');
    const seen = await get(w.custA, id);
    expect(seen.rating).toEqual({ score: 2, comment: '等了两天才来', ratedBy: w.users.custA, ratedByName: 'A 报障人', ratedAt: rated.ratedAt });
    expect(seen.allowedActions).toEqual(['confirm', 'reject']);
    expect(seen.timeline.at(-1)).toMatchObject({ type: 'rated', visibility: 'public', data: { score: 2, comment: '等了两天才来' } });
    expect((await get(w.desk, id)).rating.score).toBe(2);
    expect((await inbox(w.eng, id)).map((n) => n.event)).toContain('ticket.rated');

    // The complaint: a new ticket of kind complaint, linked, in the quality team's queue.
    const complain = (session: Session, text = '维修不及时，影响了财务结账') => session.request({ method: 'POST', url: `/api/v1/tickets/${id}/complaint`, payload: { text } });
    expect((await complain(w.eng)).statusCode).toBe(403);
    expect((await complain(w.custB)).statusCode).toBe(404);
    const complaint = ok(await complain(w.custA), 201);
    expect(complaint).toMatchObject({ kind: 'complaint', state: 'assigned', channel: 'portal', teamId: null, description: '维修不及时，影响了财务结账', title: `投诉：${number} 打印机卡纸` });
    expect(complaint.number).toMatch(/^CMP-\d{4}-\d{6}$/);
    const asDesk = await get(w.desk, complaint.id);
    expect(asDesk).toMatchObject({ teamId: quality, teamName: '质量管理组', assigneeId: null });
    expect(asDesk.links).toEqual([{ otherId: id, number, title: '打印机卡纸', state: 'resolved', kind: 'complaint_about' }]);
    expect((await get(w.desk, id)).links).toContainEqual({ otherId: complaint.id, number: complaint.number, title: complaint.title, state: 'assigned', kind: 'complaint' });
    const queue = ok(await s.q1.request({ method: 'GET', url: `/api/v1/tickets?teamId=${quality}&kind=complaint` }));
    expect(queue.items.map((t: { id: number }) => t.id)).toEqual([complaint.id]);
    expect((await inbox(s.q1, complaint.id)).map((n) => n.event)).toEqual(['ticket.complaint']);
    expect((await complain(w.custA)).statusCode).toBe(409);
  });

  it('shows a team\'s workload: open tickets per member and who is on duty (used Yunwei in the last 30 minutes)', async () => {
    const r = await customerWithContract(w.admin, 'LOAD', w.users.pm);
    for (const name of ['w1', 'w2', 'w3']) u[name] = await insertUser(w.t.database, { username: name, roles: ['engineer'], displayName: name.toUpperCase() });
    const loadTeam = await team('工作量组', 'line1', [u.w1, u.w2, u.w3], [r.customerId]);
    for (let i = 0; i < 3; i++) await createTicket(w.desk, report(r, { title: `负载 ${i}`, teamId: loadTeam, assigneeId: u.w1 }));
    const done = await createTicket(w.desk, report(r, { title: '已解决', teamId: loadTeam, assigneeId: u.w2 }));
    await createTicket(w.desk, report(r, { title: '负载 g2', teamId: loadTeam, assigneeId: u.w2 }));
    const w2 = await login(w.t.app, 'w2');
    ok(await act(w2, done.id, 'accept'));
    ok(await act(w2, done.id, 'resolve', { resolution: '已处理' }));
    // w3 was seen 40 minutes ago: not on duty; w1 has no session at all.
    await login(w.t.app, 'w3');
    await db().updateTable('sessions').set({ last_seen_at: Date.now() - 40 * 60_000 }).where('user_id', '=', u.w3).execute();

    const load = ok(await w.desk.request({ method: 'GET', url: `/api/v1/teams/${loadTeam}/workload` }));
    expect(load).toMatchObject({ teamId: loadTeam, teamName: '工作量组', onDutyMinutes: 30 });
    expect(load.members.map((m: { userId: number; open: number; onDuty: boolean }) => [m.userId, m.open, m.onDuty])).toEqual([
      [u.w1, 3, false],
      [u.w2, 1, true],
      [u.w3, 0, false],
    ]);
    expect(load.members.find((m: { userId: number }) => m.userId === u.w3).lastSeenAt).not.toBeNull();
    expect((await w.custA.request({ method: 'GET', url: `/api/v1/teams/${loadTeam}/workload` })).statusCode).toBe(403);
    expect((await w.desk.request({ method: 'GET', url: '/api/v1/teams/999999/workload' })).statusCode).toBe(404);
  });
});
