import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { compileBuiltinCalendars } from '../../core/calendar/index.js';
import { describeDb, fanOutQueued, type Session } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';
import { enqueueJob } from '../../platform/jobs/scheduler.js';
import { autoCloseJobKey } from './service.js';
import { SLA_JOB, slaJobKey } from './sla.js';

const byNotice = (a: (string | number)[], b: (string | number)[]) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]);

describeDb('tickets: live SLA jobs and auto-close', (kind) => {
  let w: TicketWorld;
  let escalating: Org;

  beforeAll(async () => {
    w = await ticketWorld(kind, { TICKET_AUTO_CLOSE_WORKDAYS: '2' });
    // A policy whose escalation chain raises the priority at the breach and hands the ticket to
    // a named engineer at 150% (T4 tier 1's calendars and warnings, a 10-minute response).
    escalating = await customerWithContract(w.admin, 'ESC', w.users.pm);
    const team = ok(await w.admin.request({ method: 'GET', url: `/api/v1/teams/${w.teams.line1}` }));
    ok(await w.admin.request({ method: 'PATCH', url: `/api/v1/teams/${w.teams.line1}`, payload: { version: team.version, customerIds: [...team.customerIds, escalating.customerId] } }));
    const current = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${escalating.contractId}/sla` }));
    const policy = {
      ...current.sla.policy,
      targets: { '*': { response: { amount: 10, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 2, unit: 'hours', calendarId: '24x7' } } },
      escalation: [
        { metric: 'response', afterPercent: 100, notify: { roles: ['desk'] }, action: 'raise_priority' },
        { metric: 'response', afterPercent: 150, notify: { roles: ['pm'], userIds: [w.users.eng2] }, action: 'reassign' },
      ],
    };
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/contracts/${escalating.contractId}/sla`, payload: { ...current.sla, policy, version: current.version } }));
  });
  afterAll(() => w.t.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const db = () => w.t.database.db;
  const drain = () => w.t.app.scheduler.drain(() => Date.now());
  /** Runs the ticket's SLA job again, as a second process or a retry would. */
  const rerun = async (id: number) => {
    await enqueueJob(db(), { kind: SLA_JOB, key: slaJobKey(id), payload: { ticketId: id }, runAt: Date.now() });
    await drain();
  };
  /** What the SLA job wrote: warnings, breaches and the escalations of the SLA chain. */
  const entries = async (id: number, prefix = 'sla.') =>
    (await db().selectFrom('ticket_events').select(['type', 'data', 'actor_id', 'visibility']).where('ticket_id', '=', id).orderBy('id').execute())
      .filter((e) => e.type.startsWith(prefix) || (prefix === 'sla.' && e.type === 'escalated'))
      .map((e): Record<string, any> => ({ type: e.type, actor: e.actor_id, visibility: e.visibility, ...JSON.parse(e.data) }));
  const notices = async (id: number) => {
    await fanOutQueued(w.t.database);
    // Who was told what; each event fans out in its own job, so events of one instant may land in either order.
    return (await db().selectFrom('notifications').select(['user_id', 'event']).where('entity', '=', 'tickets').where('entity_id', '=', String(id)).orderBy('id').execute()).map((n) => [n.event, Number(n.user_id)]).sort(byNotice);
  };
  const get = async (s: Session, id: number) => ok(await s.request({ method: 'GET', url: `/api/v1/tickets/${id}` }));

  it('fires the 50% warning exactly once, even when the job runs twice', async () => {
    const { id } = await createTicket(w.desk, report(w.a, {}, 16));
    const job = await db().selectFrom('jobs').selectAll().where('key', '=', slaJobKey(id)).executeTakeFirstOrThrow();
    expect(job.run_at).toBeLessThanOrEqual(Date.now());
    await drain();
    await rerun(id);
    await rerun(id);
    expect(await entries(id)).toEqual([{ type: 'sla.warning', actor: null, visibility: 'internal', metric: 'response', percent: 50, dueAt: expect.any(String) }]);
    // Nobody works the ticket yet: the service desk is told (its dispatch OLA, counted from the report 16 minutes ago, is late too).
    expect((await notices(id)).filter(([e]) => String(e).startsWith('sla.'))).toEqual([['sla.warning', w.users.desk]]);
    const sla = await db().selectFrom('ticket_sla').selectAll().where('ticket_id', '=', id).where('metric', '=', 'response').executeTakeFirstOrThrow();
    expect(JSON.parse(sla.warnings_fired)).toEqual([50]);
    // The next wake is the 80% warning of the response target.
    const next = await db().selectFrom('jobs').selectAll().where('key', '=', slaJobKey(id)).executeTakeFirstOrThrow();
    expect(next.status).toBe('pending');
    expect(next.run_at).toBe(sla.due_at! - 6 * 60_000);
    expect((await get(w.desk, id)).slaStatus).toBe('warning');
  });

  it('fires a breach once, with its timeline entry and the escalation to the project manager', async () => {
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }, 31));
    await drain();
    await rerun(id);
    const fired = await entries(id);
    expect(fired.map((e) => [e.type, e.metric, e.percent ?? e.result ?? null])).toEqual([
      ['sla.warning', 'response', 50],
      ['sla.warning', 'response', 80],
      ['sla.breached', 'response', null],
      ['escalated', 'response', 'notified'],
    ]);
    // The same entry as a manual escalation: telling the project manager is hierarchical.
    expect(fired[3]).toMatchObject({ kind: 'hierarchical', trigger: 'sla', reason: null, action: 'notify', step: 0, recipients: [w.users.pm], toProjectManager: true });
    expect(await notices(id)).toEqual([
      ['ticket.assigned', w.users.eng],
      ['sla.warning', w.users.eng],
      ['sla.warning', w.users.eng],
      ['sla.breached', w.users.eng],
      ['ticket.escalated', w.users.pm],
    ].sort(byNotice));
    const tk = await get(w.eng, id);
    expect(tk.slaStatus).toBe('breached');
    expect(tk.sla[0]).toMatchObject({ metric: 'response', state: 'breached', dueAt: new Date(Date.parse(tk.reportedAt) + 30 * 60_000).toISOString() });
    expect(tk.sla[0].remainingMinutes).toBeLessThan(0);
    // Accepting late meets the response but it stays breached; nothing fires again.
    const accepted = ok(await act(w.eng, id, 'accept'));
    expect(accepted.sla[0].state).toBe('breached');
    await rerun(id);
    expect(await entries(id)).toHaveLength(4);
  });

  it('wakes at each threshold as time passes (scheduler drained with an advanced clock)', async () => {
    const start = Date.now();
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1 }, 0));
    vi.useFakeTimers({ toFake: ['Date'] });
    const at = async (minutes: number) => {
      vi.setSystemTime(start + minutes * 60_000);
      await drain();
      await drain();
      return (await entries(id)).map((e) => `${e.type}:${e.metric}:${e.percent ?? ''}`);
    };
    expect(await at(14)).toEqual([]);
    expect(await at(16)).toEqual(['sla.warning:response:50']);
    expect(await at(25)).toEqual(['sla.warning:response:50', 'sla.warning:response:80']);
    expect(await at(61)).toEqual([
      'sla.warning:response:50',
      'sla.warning:response:80',
      'sla.breached:response:',
      'escalated:response:',
      'sla.warning:resolution:50',
    ]);
    expect((await at(121)).slice(5)).toEqual(['sla.warning:resolution:80', 'sla.breached:resolution:', 'escalated:resolution:']);
    // Both clocks breached and the chain done: the job finished and set no next wake.
    expect(await db().selectFrom('jobs').select('status').where('key', '=', slaJobKey(id)).executeTakeFirst()).toEqual({ status: 'done' });
  });

  it('applies escalation actions: raises the priority one level, then reassigns to the named engineer', async () => {
    const { id, priority } = await createTicket(w.desk, report(escalating, { impact: 'low', urgency: 'medium' }, 16));
    expect(priority).toBe('P4');
    await drain();
    await rerun(id);
    const tk = await get(w.desk, id);
    expect(tk).toMatchObject({ priority: 'P3', priorityRank: 3, state: 'assigned', assigneeId: w.users.eng2, teamId: null });
    const escalated = (await entries(id)).filter((e) => e.type === 'escalated');
    expect(escalated.map((e) => [e.step, e.action, e.result, e.recipients])).toEqual([
      [0, 'raise_priority', 'priority_raised', [w.users.desk]],
      [1, 'reassign', 'reassigned', [w.users.pm, w.users.eng2]],
    ]);
    const changes = tk.timeline.filter((e: { type: string }) => e.type === 'priority_changed' || e.type === 'assigned');
    expect(changes.map((e: { type: string; actorId: number | null; data: Record<string, unknown> }) => [e.type, e.actorId, e.data.escalation])).toEqual([
      ['priority_changed', null, { metric: 'response', step: 0 }],
      ['assigned', null, { metric: 'response', step: 1 }],
    ]);
    const audit = ok(await w.admin.request({ method: 'GET', url: `/api/v1/audit?entity=tickets&entityId=${id}` }));
    expect(audit.items.map((a: { action: string; actorName: string }) => [a.action, a.actorName]).reverse()).toEqual([
      ['create', 'desk'],
      ['escalate', 'system'],
      ['assign', 'system'],
    ]);
  });

  it('closes a resolved ticket after N working days (TICKET_AUTO_CLOSE_WORKDAYS) without objection', async () => {
    const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }));
    await act(w.eng, id, 'accept');
    const resolved = ok(await act(w.eng, id, 'resolve', { resolution: '已恢复' }));
    const job = await db().selectFrom('jobs').selectAll().where('key', '=', autoCloseJobKey(id)).executeTakeFirstOrThrow();
    // The contract runs on 24x7: the end of the second working day after the day of resolution (Asia/Shanghai).
    const deadline = compileBuiltinCalendars().get('24x7')!.addWorkingDays(Date.parse(resolved.resolvedAt), 2);
    expect(job.run_at).toBe(deadline);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(deadline - 60_000);
    await drain();
    expect((await db().selectFrom('tickets').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('resolved');
    vi.setSystemTime(deadline + 1000);
    await drain();
    vi.useRealTimers();
    const closed = await get(w.eng, id);
    expect(closed).toMatchObject({ state: 'closed', closedAt: new Date(deadline + 1000).toISOString() });
    expect(closed.timeline.at(-1)).toMatchObject({ type: 'state_changed', actorId: null, data: { from: 'resolved', to: 'closed', via: 'auto' } });
  });

  it('a rejected resolution cancels the auto-close', async () => {
    const { id } = await createTicket(w.custA, report(w.a, { siteId: undefined }));
    await act(w.desk, id, 'assign', { teamId: w.teams.line1, assigneeId: w.users.eng });
    await act(w.eng, id, 'accept');
    await act(w.eng, id, 'resolve', { resolution: '已恢复' });
    expect(await db().selectFrom('jobs').select('status').where('key', '=', autoCloseJobKey(id)).executeTakeFirst()).toEqual({ status: 'pending' });
    ok(await w.custA.request({ method: 'POST', url: `/api/v1/tickets/${id}/reject`, payload: { reason: '打印机仍然卡纸' } }));
    expect(await db().selectFrom('jobs').select('status').where('key', '=', autoCloseJobKey(id)).executeTakeFirst()).toBeUndefined();
    expect(await notices(id)).toContainEqual(['ticket.resolved', w.users.custA]);
  });
});
