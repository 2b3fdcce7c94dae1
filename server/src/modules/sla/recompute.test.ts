import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../platform/auth/actor.js';
import { describeDb } from '../../test/harness.js';
import { act, createTicket, customerWithContract, ok, report, ticketWorld, type Org, type TicketWorld } from '../../test/tickets-fixture.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from './calendars.service.js';
import { RECOMPUTE_JOB, SlaRecomputeService } from '../tickets/recompute.js';

const shanghaiDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

describeDb('recomputing open tickets after a calendar or an SLA changes', (kind) => {
  let w: TicketWorld;
  let org: Org;
  let calendar: { id: string; version: number; holidays: unknown[] };
  const db = () => w.t.database.db;
  const due = async (ticketId: number, metric: string) =>
    (await db().selectFrom('ticket_sla').select(['due_at', 'breached_at']).where('ticket_id', '=', ticketId).where('metric', '=', metric).executeTakeFirstOrThrow());
  const setSla = async (targets: Record<string, unknown>) => {
    const current = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${org.contractId}/sla` }));
    ok(await w.admin.request({ method: 'PUT', url: `/api/v1/contracts/${org.contractId}/sla`, payload: { ...current.sla, policy: { ...current.sla.policy, targets: { '*': targets } }, version: current.version } }));
  };

  beforeAll(async () => {
    w = await ticketWorld(kind);
    org = await customerWithContract(w.admin, 'RC', w.users.pm);
    calendar = ok(await w.admin.request({ method: 'POST', url: '/api/v1/calendars', payload: { copyFrom: 'cn-5x8', id: 'rc-cn', name: '重算测试日历' } }), 201);
    await setSla({ response: { amount: 4, unit: 'hours', calendarId: 'rc-cn' }, resolution: { amount: 2, unit: 'workdays', calendarId: 'rc-cn' } });
  });
  afterAll(() => w.t.close());

  it('previews which open tickets move when the calendar gains holidays, applies, audits, and then nothing moves', async () => {
    const a = await createTicket(w.desk, report(org, {}, 5));
    const b = await createTicket(w.desk, report(org, {}, 10));
    const closedLater = await createTicket(w.desk, report(org, {}, 15));
    ok(await act(w.desk, closedLater.id, 'cancel', { reason: '重复报障' }));
    const before = await due(a.id, 'resolution');

    // Nothing changed yet: nothing moves.
    const idle = ok(await w.admin.request({ method: 'GET', url: '/api/v1/calendars/rc-cn/recompute' }));
    expect(idle).toMatchObject({ tickets: 2, moved: 0, items: [], truncated: false });

    // The next 20 days become holidays (a year entered late): both open tickets' dues move later.
    const days = Array.from({ length: 20 }, (_, i) => ({ date: shanghaiDate(Date.now() + i * 86_400_000), name: '测试假期' }));
    const current = ok(await w.admin.request({ method: 'GET', url: '/api/v1/calendars/rc-cn' }));
    const dates = new Set(days.map((d) => d.date));
    const { id: _id, builtin: _b, updatedAt: _u, holidayYears: _h, ...spec } = current;
    ok(await w.admin.request({ method: 'PUT', url: '/api/v1/calendars/rc-cn', payload: { ...spec, holidays: [...current.holidays.filter((d: { date: string }) => !dates.has(d.date)), ...days], workdays: current.workdays.filter((d: { date: string }) => !dates.has(d.date)) } }));

    const preview = ok(await w.admin.request({ method: 'GET', url: '/api/v1/calendars/rc-cn/recompute' }));
    expect(preview.tickets).toBe(2);
    expect(preview.moved).toBe(2);
    expect(preview.items.map((i: { number: string; metric: string }) => `${i.number} ${i.metric}`).sort()).toEqual([`${a.number} resolution`, `${a.number} response`, `${b.number} resolution`, `${b.number} response`].sort());
    const row = preview.items.find((i: { ticketId: number; metric: string }) => i.ticketId === a.id && i.metric === 'resolution');
    expect(Date.parse(row.oldDue)).toBe(before.due_at);
    expect(Date.parse(row.newDue)).toBeGreaterThan(before.due_at!);
    // The preview wrote nothing.
    expect((await due(a.id, 'resolution')).due_at).toBe(before.due_at);

    // The engineer may not; the admin applies.
    expect((await w.desk.request({ method: 'POST', url: '/api/v1/calendars/rc-cn/recompute' })).statusCode).toBe(403);
    expect(ok(await w.admin.request({ method: 'POST', url: '/api/v1/calendars/rc-cn/recompute' }))).toEqual({ tickets: 2, moved: 2, queued: false });
    expect((await due(a.id, 'resolution')).due_at).toBe(Date.parse(row.newDue));
    const ticket = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${a.id}` }));
    expect(ticket.sla.find((c: { metric: string }) => c.metric === 'resolution').dueAt).toBe(new Date(Date.parse(row.newDue)).toISOString());
    // A target in working days is shown as days, not as the hours it spans.
    expect(ticket.sla.find((c: { metric: string }) => c.metric === 'resolution').target).toEqual({ amount: 2, unit: 'workdays' });
    const audit = await db().selectFrom('audit_log').select(['action', 'entity_id', 'before', 'after']).where('action', '=', 'sla_recompute').where('entity_id', '=', String(a.id)).execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after!).scope).toBe('calendar:rc-cn');
    expect(ok(await w.admin.request({ method: 'GET', url: '/api/v1/calendars/rc-cn/recompute' })).moved).toBe(0);
    expect((await w.admin.request({ method: 'GET', url: '/api/v1/calendars/no-such/recompute' })).statusCode).toBe(404);
  });

  it("applies a contract's changed SLA from each ticket's report; a recorded breach stays", async () => {
    await setSla({ response: { amount: 30, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 8, unit: 'hours', calendarId: '24x7' } });
    ok(await w.admin.request({ method: 'POST', url: `/api/v1/contracts/${org.contractId}/sla/recompute` }));
    const late = await createTicket(w.desk, report(org, {}, 45));
    await w.t.app.scheduler.drain(() => Date.now());
    const breached = await due(late.id, 'response');
    expect(breached.breached_at).not.toBeNull();

    // Response raised to 2 hours: every open ticket's response moves, counted from its report.
    await setSla({ response: { amount: 2, unit: 'hours', calendarId: '24x7' }, resolution: { amount: 8, unit: 'hours', calendarId: '24x7' } });
    const preview = ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${org.contractId}/sla/recompute` }));
    const item = preview.items.find((i: { ticketId: number; metric: string }) => i.ticketId === late.id && i.metric === 'response');
    expect(item.breachRecorded).toBe(true);
    const reported = Date.parse(ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${late.id}` })).reportedAt);
    expect(Date.parse(item.newDue)).toBe(reported + 2 * 3_600_000);
    expect(ok(await w.admin.request({ method: 'POST', url: `/api/v1/contracts/${org.contractId}/sla/recompute` })).moved).toBe(preview.moved);
    const after = await due(late.id, 'response');
    expect(after.due_at).toBe(reported + 2 * 3_600_000);
    expect(after.breached_at).toBe(breached.breached_at);
    const events = await db().selectFrom('ticket_events').select('type').where('ticket_id', '=', late.id).where('type', '=', 'sla.breached').execute();
    expect(events).toHaveLength(1);
    // Another customer's staff cannot see the contract.
    expect((await w.custA.request({ method: 'GET', url: `/api/v1/contracts/${org.contractId}/sla/recompute` })).statusCode).toBe(403);
  });

  it('hands many tickets to the scheduler, batch after batch', async () => {
    await setSla({ response: { amount: 3, unit: 'hours', calendarId: '24x7' }, resolution: { amount: 8, unit: 'hours', calendarId: '24x7' } });
    const service = new SlaRecomputeService(db(), new OrganisationService(db()), new CalendarService(db()), { inlineLimit: 1, batch: 1 });
    const r = await service.apply(systemActor('test'), { contractId: org.contractId });
    expect(r.queued).toBe(true);
    expect(r.tickets).toBeGreaterThan(1);
    const jobs = await db().selectFrom('jobs').select(['kind', 'status']).where('kind', '=', RECOMPUTE_JOB).execute();
    expect(jobs.length).toBeGreaterThan(0);
    await w.t.app.scheduler.drain(() => Date.now());
    expect(ok(await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${org.contractId}/sla/recompute` })).moved).toBe(0);
  });
});
