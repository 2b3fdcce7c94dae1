import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { Db } from '../../db/index.js';
import { describeDb } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';
import { AuthService } from '../../platform/auth/service.js';
import { enqueueJob, retryJob, Scheduler, type JobContext } from '../../platform/jobs/scheduler.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { TicketService } from './service.js';
import { SLA_JOB, slaJobKey } from './sla.js';
import { SlaJobRunner } from './sla-job.js';

/**
 * The SLA job in batches (sla-job.ts) against the SLA job one ticket at a time
 * (TicketService.runSlaJob): the same tickets, the same instant, the same result; a bad ticket
 * fails alone; two schedulers never fire a warning twice.
 */
describeDb('tickets: SLA jobs in batches', (kind) => {
  let w: TicketWorld;
  let escalating: Org;
  let noSla: Org;
  let service: TicketService;
  /** A team that leaves its tickets in its queue (line1 picks an assignee in turn, which would tell the twins apart). */
  let manualTeam: number;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    // The escalation chain of sla.test.ts: raise the priority at the breach, hand over at 150% (a 10-minute response).
    escalating = await customerWithContract(w.admin, 'ESC', w.users.pm);
    noSla = await customerWithContract(w.admin, 'NOSLA', null, null);
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
    manualTeam = ok(
      await w.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: '二线支持组', kind: 'line2', memberIds: [w.users.eng, w.users.eng2], customerIds: [w.a.customerId], assignment: 'manual' } }),
      201,
    ).id;
    service = new TicketService(db(), w.t.config, new OrganisationService(db()), new CalendarService(db()), new AuthService(db(), w.t.config));
  });
  afterAll(() => w.t.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const db = (): Db => w.t.database.db;
  /** A batch runner as the tickets module registers it, with small transactions so that a batch spans several. */
  const runner = (perTransaction = 3, handedOver: number[] = []) =>
    new SlaJobRunner(
      db(),
      new OrganisationService(db()),
      new CalendarService(db()),
      (id) => {
        handedOver.push(id);
        return service.runSlaJob(id);
      },
      { ticketsPerTransaction: perTransaction },
    );
  /** The SLA jobs of these tickets as the scheduler hands them to the batch handler. */
  const jobsOf = async (ids: number[]): Promise<JobContext<{ ticketId: number }>[]> => {
    const rows = await db().selectFrom('jobs').select(['id', 'key']).where('key', 'in', ids.map(slaJobKey)).execute();
    const idOf = new Map(rows.map((r) => [r.key, Number(r.id)]));
    return ids.map((ticketId, i) => ({ id: idOf.get(slaJobKey(ticketId)) ?? -1 - i, kind: SLA_JOB, key: slaJobKey(ticketId), payload: { ticketId }, attempt: 1, db: db() }));
  };

  /** Everything the SLA job writes about a ticket, without ids and with the ticket's number as N. */
  const outcome = async (id: number) => {
    const t = await db().selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const events = await db().selectFrom('ticket_events').select(['type', 'visibility', 'actor_id', 'at', 'data']).where('ticket_id', '=', id).orderBy('id').execute();
    const sla = await db().selectFrom('ticket_sla').selectAll().where('ticket_id', '=', id).orderBy('metric').execute();
    const jobs = await db().selectFrom('jobs').select(['key', 'kind', 'run_at', 'status', 'attempts']).where('key', 'in', [slaJobKey(id), `ola:ticket:${id}`]).orderBy('key').execute();
    const notices = await db().selectFrom('notifications').select(['user_id', 'event', 'title', 'body', 'link']).where('entity', '=', 'tickets').where('entity_id', '=', String(id)).orderBy('id').execute();
    const audit = await db().selectFrom('audit_log').select(['action', 'actor_name', 'before', 'after']).where('entity', '=', 'tickets').where('entity_id', '=', String(id)).orderBy('id').execute();
    const text = (v: unknown) => JSON.parse(JSON.stringify(v).split(t.number).join('N').split(`/tickets/${id}`).join('/tickets/ID'));
    return text({
      ticket: { state: t.state, priority: t.priority, priority_rank: t.priority_rank, team_id: t.team_id, assignee_id: t.assignee_id, sla_due_at: t.sla_due_at, sla_status: t.sla_status, version: t.version, updated_at: t.updated_at },
      events: events.map((e) => ({ ...e, actor_id: e.actor_id === null ? null : Number(e.actor_id), at: Number(e.at), data: JSON.parse(e.data) })),
      sla: sla.map(({ ticket_id: _, ...r }) => r),
      jobs: jobs.map((j) => ({ ...j, key: j.key!.replace(String(id), 'ID'), run_at: Number(j.run_at), attempts: Number(j.attempts) })),
      notices: notices.map((n) => ({ ...n, user_id: Number(n.user_id) })),
      // The ticket's own id aside (its audit entries record the row).
      audit: audit.map((a) => ({ ...a, before: withoutId(a.before), after: withoutId(a.after) })),
    });
  };
  const withoutId = (json: string | null) => {
    if (json === null) return null;
    const { id: _, ...rest } = JSON.parse(json) as Record<string, unknown>;
    return rest;
  };
  const warnings = async (id: number) => (await db().selectFrom('ticket_events').select('data').where('ticket_id', '=', id).where('type', '=', 'sla.warning').execute()).map((e) => JSON.parse(e.data).percent as number);

  it('fires exactly what the one-ticket job fires: warnings, breaches, escalations handed to runSlaJob, no SLA, nothing due', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    // Each case twice, at the same instant: one ticket for the batch, its twin for runSlaJob.
    const cases: Array<{ name: string; make: () => Promise<number> }> = [
      { name: 'unassigned, 50% passed: the desk is told', make: async () => (await createTicket(w.desk, report(w.a, {}, 16))).id },
      { name: 'a team, nobody assigned: both warnings to the team', make: async () => (await createTicket(w.desk, report(w.a, { teamId: manualTeam }, 25))).id },
      { name: 'an engineer, breached: warnings, breach, the PM escalation (runSlaJob)', make: async () => (await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }, 31))).id },
      { name: 'priority raised and handed over (runSlaJob)', make: async () => (await createTicket(w.desk, report(escalating, { impact: 'low', urgency: 'medium' }, 16))).id },
      {
        name: 'accepted before its job ran: the met clock warns nobody',
        make: async () => {
          const { id } = await createTicket(w.desk, report(w.a, { teamId: w.teams.line1, assigneeId: w.users.eng }, 20));
          ok(await act(w.eng, id, 'accept'));
          return id;
        },
      },
      {
        name: 'cancelled after its warning: the clock is not open any more',
        make: async () => {
          const { id } = await createTicket(w.desk, report(w.b, {}, 20));
          ok(await act(w.desk, id, 'cancel', { reason: '客户撤回' }));
          return id;
        },
      },
      { name: 'a contract without SLA', make: async () => (await createTicket(w.desk, report(noSla, {}, 40))).id },
    ];
    const batch: number[] = [];
    const single: number[] = [];
    for (const c of cases) {
      batch.push(await c.make());
      single.push(await c.make());
    }
    vi.setSystemTime(Date.now() + 60_000);
    const handedOver: number[] = [];
    const result = await runner(3, handedOver).run(await jobsOf(batch));
    expect(result.failed?.size ?? 0).toBe(0);
    // Only the tickets with an escalation step due went through runSlaJob; the batch fired the rest.
    expect(handedOver).toEqual([batch[2], batch[3]]);
    for (const id of single) await service.runSlaJob(id);
    // Whatever else is due (the notifications' jobs, OLA) runs for both alike.
    await w.t.app.scheduler.drain(() => Date.now());
    for (let i = 0; i < cases.length; i++) expect(await outcome(batch[i]), cases[i].name).toEqual(await outcome(single[i]));

    // The cases fired what sla.test.ts expects of them.
    expect(await warnings(batch[0])).toEqual([50]);
    expect(await warnings(batch[1])).toEqual([50, 80]);
    expect(await warnings(batch[2])).toEqual([50, 80]);
    expect((await outcome(batch[3])).ticket).toMatchObject({ priority: 'P3', assignee_id: w.users.eng2 });
    expect(await warnings(batch[4])).toEqual([]);
    expect(await warnings(batch[5])).toEqual([]);
    expect((await outcome(batch[6])).sla).toEqual([]);

    // Run again, a minute later: neither path fires anything twice, and they still agree.
    vi.setSystemTime(Date.now() + 60_000);
    const before = await Promise.all(batch.map((id) => outcome(id)));
    await runner().run(await jobsOf(batch));
    for (const id of single) await service.runSlaJob(id);
    await w.t.app.scheduler.drain(() => Date.now());
    for (let i = 0; i < cases.length; i++) {
      const now = await outcome(batch[i]);
      expect(now.events, cases[i].name).toEqual(before[i].events);
      expect(now.notices, cases[i].name).toEqual(before[i].notices);
      expect(now, cases[i].name).toEqual(await outcome(single[i]));
    }
  });

  it('through the scheduler: a ticket that cannot be processed fails alone (retried, then parked); the rest of its batch fires', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await createTicket(w.desk, report(w.a, {}, 16))).id);
    const bad = ids[3];
    // A timeline entry that is not JSON: computing this ticket's clocks throws.
    await db().updateTable('ticket_events').set({ data: '{broken' }).where('ticket_id', '=', bad).where('type', '=', 'created').execute();
    await w.t.app.scheduler.drain(() => Date.now());
    for (const id of ids) expect(await warnings(id)).toEqual(id === bad ? [] : [50]);
    let job = await db().selectFrom('jobs').selectAll().where('key', '=', slaJobKey(bad)).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
    expect(job.last_error).toContain('JSON');
    // Retried with backoff until its attempts run out, then parked for an administrator.
    for (let attempt = 2; attempt <= job.max_attempts; attempt++) {
      await w.t.app.scheduler.runDue(Number(job.run_at));
      job = await db().selectFrom('jobs').selectAll().where('key', '=', slaJobKey(bad)).executeTakeFirstOrThrow();
    }
    expect(job).toMatchObject({ status: 'failed', attempts: job.max_attempts });
    // Repaired and retried: it fires, once.
    await db().updateTable('ticket_events').set({ data: JSON.stringify({ state: 'new', priority: 'P2', impact: 'medium', urgency: 'high', channel: 'phone' }) }).where('ticket_id', '=', bad).where('type', '=', 'created').execute();
    expect(await retryJob(db(), Number(job.id))).toBe(true);
    await w.t.app.scheduler.drain(() => Date.now());
    expect(await warnings(bad)).toEqual([50]);
    for (const id of ids) expect(await warnings(id)).toEqual([50]);
  });

  it('two schedulers, two batch loops each, small batches: every warning fires exactly once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 24; i++) ids.push((await createTicket(w.desk, report(i % 2 ? w.a : w.b, {}, 16))).id);
    // And a few run twice on purpose, as a retry after a lost lease would.
    for (const id of ids.slice(0, 3)) await enqueueJob(db(), { kind: SLA_JOB, key: slaJobKey(id), payload: { ticketId: id }, runAt: Date.now() - 1000 });
    const make = () => {
      const s = new Scheduler(db(), { batchSize: 4, batchConcurrency: 2, pollMs: 20 });
      const r = runner(2);
      s.registerBatch<{ ticketId: number }>(SLA_JOB, (jobs) => r.run(jobs));
      return s;
    };
    const a = make();
    const b = make();
    a.start();
    b.start();
    const until = Date.now() + 30_000;
    const due = () => db().selectFrom('jobs').select('id').where('key', 'in', ids.map(slaJobKey)).where('run_at', '<=', Date.now()).where('status', 'in', ['pending', 'running']).execute();
    while ((await due()).length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([a.stop(), b.stop()]);
    expect(a.stats.batches + b.stats.batches).toBeGreaterThanOrEqual(6);
    for (const id of ids) expect(await warnings(id)).toEqual([50]);
    // A third run, now: nothing more.
    for (const id of ids.slice(0, 5)) await enqueueJob(db(), { kind: SLA_JOB, key: slaJobKey(id), payload: { ticketId: id }, runAt: Date.now() - 1000 });
    await w.t.app.scheduler.drain(() => Date.now());
    for (const id of ids) expect(await warnings(id)).toEqual([50]);
  });
});
