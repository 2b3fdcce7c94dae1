import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileBuiltinCalendars } from '../../core/calendar/index.js';
import { describeDb, type Session } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';

/**
 * Issue #10 "SLA rules as the seeds word them", through the API on both databases: a recorded
 * breach stays (#83), two-stage targets (#60, #63), the diagnosis and on site "after diagnosis"
 * (#46, #49, T6), the desk's limits on its own hours from the intake (T11), closure with consent (#36).
 */
describeDb('tickets: SLA rules as the seeds word them', (kind) => {
  let w: TicketWorld;
  const MIN = 60_000;

  beforeAll(async () => {
    w = await ticketWorld(kind, { TICKET_AUTO_CLOSE_WORKDAYS: '2' });
  });
  afterAll(() => w.t.close());

  const db = () => w.t.database.db;
  const drain = () => w.t.app.scheduler.drain(() => Date.now());
  const get = async (s: Session, id: number) => ok(await s.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));
  const clock = (tk: { sla: Array<Record<string, any>> }, metric: string) => tk.sla.find((c) => c.metric === metric)!;

  /** A customer of line 1 and the desk whose contract has this policy (default matrix P1–P4). */
  async function withPolicy(code: string, targets: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Org> {
    const org = await customerWithContract(w.admin, code, w.users.pm);
    for (const teamId of [w.teams.line1, w.teams.desk]) {
      const team = ok(await w.admin.request({ method: 'GET', url: `/api/v1/teams/${teamId}` }));
      ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/teams/${teamId}`, payload: { version: team.version, customerIds: [...team.customerIds, org.customerId] } }));
    }
    const current = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${org.contractId}/sla` }));
    const policy = { ...current.sla.policy, targets, escalation: [], ...extra };
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/contracts/${org.contractId}/sla`, payload: { ...current.sla, policy, version: current.version } }));
    return org;
  }

  it('a recorded breach stays when the priority is lowered, and after the policy changes and open tickets are recomputed (REQ #83)', async () => {
    const org = await withPolicy('KEEP', { P1: { response: { amount: 10, unit: 'minutes', calendarId: '24x7' } }, '*': { response: { amount: 2, unit: 'hours', calendarId: '24x7' } } });
    const tk = await createTicket(w.desk, report(org, { impact: 'high', urgency: 'high', teamId: w.teams.line1, assigneeId: w.users.eng }, 30));
    expect(tk.priority).toBe('P1');
    const reported = Date.parse(tk.reportedAt);
    await drain();
    const breach = await db().selectFrom('ticket_events').select('data').where('ticket_id', '=', tk.id).where('type', '=', 'sla.breached').execute();
    expect(breach.map((e) => JSON.parse(e.data).metric)).toEqual(['response']);

    // Lowered to P3 (2 h): the breach stays, the new deadline beside it.
    let now = ok(await w.desk.request({ method: 'PATCH', url: `/api/v1/tickets/${tk.id}`, payload: { impact: 'medium', urgency: 'medium', version: (await get(w.desk, tk.id)).version } }));
    expect(now.priority).toBe('P3');
    expect(clock(now, 'response')).toMatchObject({ state: 'breached', priority: 'P3', breachedAt: new Date(reported + 10 * MIN).toISOString(), dueAt: new Date(reported + 2 * 60 * MIN).toISOString() });
    expect(now.slaStatus).toBe('breached');

    // The contract's policy loosened and applied to open tickets: the recorded breach still stands.
    const current = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${org.contractId}/sla` }));
    const loose = { ...current.sla.policy, targets: { '*': { response: { amount: 4, unit: 'hours', calendarId: '24x7' } } } };
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/contracts/${org.contractId}/sla`, payload: { ...current.sla, policy: loose, version: current.version } }));
    ok(await w.admin.request({ method: 'POST', url: `/api/v1/contracts/${org.contractId}/sla/recompute` }));
    now = await get(w.desk, tk.id);
    expect(clock(now, 'response')).toMatchObject({ state: 'breached', breachedAt: new Date(reported + 10 * MIN).toISOString(), dueAt: new Date(reported + 4 * 60 * MIN).toISOString() });
    expect(now.slaStatus).toBe('breached');
    const row = await db().selectFrom('tickets').select('sla_status').where('id', '=', tk.id).executeTakeFirstOrThrow();
    expect(row.sla_status).toBe('breached');
    // Answered now: met late, still breached.
    now = ok(await act(w.eng, tk.id, 'accept'));
    expect(clock(now, 'response')).toMatchObject({ state: 'breached', metAt: expect.any(String) });
  });

  it('two-stage targets: the usual target missed is a warning (目标未达成), the breach is at the latest (REQ #60, #63)', async () => {
    const org = await withPolicy('TWO', { '*': { resolution: { amount: 1, unit: 'hours', calendarId: '24x7', latest: { amount: 3, unit: 'hours' } } } });
    const tk = await createTicket(w.desk, report(org, { teamId: w.teams.line1, assigneeId: w.users.eng }, 90));
    const reported = Date.parse(tk.reportedAt);
    await drain();
    await drain();
    const fired = (await db().selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', tk.id).where('type', 'like', 'sla.%').orderBy('id').execute()).map((e) => ({ type: e.type, ...JSON.parse(e.data) }));
    expect(fired).toEqual([
      { type: 'sla.warning', metric: 'resolution', percent: 50, dueAt: expect.any(String) },
      { type: 'sla.warning', metric: 'resolution', percent: 80, dueAt: expect.any(String) },
      { type: 'sla.warning', metric: 'resolution', percent: 100, goalMissed: true, dueAt: new Date(reported + 60 * MIN).toISOString() },
    ]);
    const now = await get(w.desk, tk.id);
    expect(clock(now, 'resolution')).toMatchObject({
      state: 'running',
      dueAt: new Date(reported + 3 * 60 * MIN).toISOString(),
      target: { amount: 3, unit: 'hours' },
      breachedAt: null,
      goal: { state: 'missed', missedAt: new Date(reported + 60 * MIN).toISOString(), target: { amount: 1, unit: 'hours' }, targetMinutes: 60 },
    });
    const stored = await db().selectFrom('ticket_sla').selectAll().where('ticket_id', '=', tk.id).executeTakeFirstOrThrow();
    expect({ goal: stored.goal_state, missed: Number(stored.goal_missed_at), breached: stored.breached_at }).toEqual({ goal: 'missed', missed: reported + 60 * MIN, breached: null });
    expect(now.slaStatus).toBe('warning');
  });

  it('diagnose: the result recorded; the diagnosis met; on site counts from the diagnosis, pending before it (确诊后)', async () => {
    const org = await withPolicy('DIAG', {
      '*': { diagnosis: { amount: 10, unit: 'minutes', calendarId: '24x7' }, onsite: { amount: 2, unit: 'hours', calendarId: '24x7', startEvent: 'diagnosed' } },
    });
    const tk = await createTicket(w.desk, report(org, { teamId: w.teams.line1, assigneeId: w.users.eng }, 5));
    expect(clock(tk, 'onsite')).toMatchObject({ state: 'pending', dueAt: null });
    expect(clock(tk, 'diagnosis')).toMatchObject({ state: 'running', dueAt: new Date(Date.parse(tk.reportedAt) + 10 * MIN).toISOString() });
    const missing = await act(w.eng, tk.id, 'diagnose', { remote: true });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0]).toMatchObject({ field: 'result' });
    const customer = await w.custA.request({ method: 'POST', url: `/api/v1/tickets/${tk.id}/actions/diagnose`, payload: { result: 'x' } });
    expect(customer.statusCode).toBe(403);
    const done = ok(await act(w.eng, tk.id, 'diagnose', { result: '交换机端口故障，需到场更换模块', remote: true }));
    const entry = done.timeline.at(-1);
    expect(entry).toMatchObject({ type: 'diagnosed', visibility: 'public', actorId: w.users.eng, data: { result: '交换机端口故障，需到场更换模块', remote: true } });
    expect(done.state).toBe('assigned');
    expect(clock(done, 'diagnosis')).toMatchObject({ state: 'met' });
    expect(clock(done, 'onsite')).toMatchObject({ state: 'running', dueAt: new Date(Date.parse(entry.at) + 2 * 60 * MIN).toISOString() });
  });

  it('the desk\'s limits: dispatch counted from the call\'s reported time on the desk team\'s service hours (T11)', async () => {
    const org = await withPolicy('DESK', { '*': { response: { amount: 2, unit: 'hours', calendarId: '24x7' } } });
    const team = ok(await w.admin.request({ method: 'GET', url: `/api/v1/teams/${w.teams.desk}` }));
    const changed = ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/teams/${w.teams.desk}`, payload: { version: team.version, calendarId: 'cn-5x8' } }));
    expect(changed.calendarId).toBe('cn-5x8');
    try {
      const tk = await createTicket(w.desk, report(org, {}, 3));
      const cn = compileBuiltinCalendars().get('cn-5x8')!;
      const reported = Date.parse(tk.reportedAt);
      expect(tk.ola).toEqual([expect.objectContaining({ target: 'dispatch', startedAt: tk.reportedAt, dueAt: new Date(cn.addWorkingMs(reported, 10 * MIN)).toISOString() })]);
    } finally {
      const now = ok(await w.admin.request({ method: 'GET', url: `/api/v1/teams/${w.teams.desk}` }));
      ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/teams/${w.teams.desk}`, payload: { version: now.version, calendarId: null } }));
    }
  });

  it('closure with consent: confirmed by the customer, no objection within N working days, or the provider with a reason (REQ #36)', async () => {
    const resolved = async () => {
      const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
      ok(await act(w.eng, id, 'accept'));
      ok(await act(w.eng, id, 'resolve', { resolution: '重启服务' }));
      return id;
    };
    const a = await resolved();
    const confirmed = ok(await w.custA.request({ method: 'POST', url: `/api/v1/tickets/${a}/confirm`, payload: {} }));
    expect(confirmed.closure).toMatchObject({ consent: 'confirmed', reason: null, closedAt: confirmed.closedAt });

    const b = await resolved();
    const refused = await act(w.eng, b, 'close', {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0]).toMatchObject({ field: 'reason', code: 'tickets.closeReasonRequired' });
    const byProvider = ok(await act(w.eng, b, 'close', { reason: '客户已停用该设备，按合同约定关闭' }));
    expect(byProvider.closure).toEqual({ consent: 'provider', closedAt: byProvider.closedAt, reason: '客户已停用该设备，按合同约定关闭', mailSentAt: null, workdays: null, emailLink: null });
    // The customer sees how it was closed, too.
    expect((await get(w.custA, b)).closure).toMatchObject({ consent: 'provider', reason: '客户已停用该设备，按合同约定关闭' });

    const c = await resolved();
    // Resolved ten days ago, nobody objected: the auto-close job runs.
    const resolvedAt = Date.now() - 10 * 86_400_000;
    await db().updateTable('tickets').set({ resolved_at: resolvedAt }).where('id', '=', c).execute();
    const job = await db().selectFrom('jobs').select('payload').where('key', '=', `ticket:autoclose:${c}`).executeTakeFirstOrThrow();
    await db()
      .updateTable('jobs')
      .set({ run_at: 0, payload: JSON.stringify({ ...JSON.parse(job.payload), resolvedAt }) })
      .where('key', '=', `ticket:autoclose:${c}`)
      .execute();
    await drain();
    const auto = await get(w.desk, c);
    expect(auto.state).toBe('closed');
    expect(auto.closure).toEqual({ consent: 'no_objection', closedAt: auto.closedAt, reason: null, mailSentAt: null, workdays: 2, emailLink: null });
  });
});
