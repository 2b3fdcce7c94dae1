import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBuiltinCalendars } from '../calendar/builtin.js';
import { computeClocks, nextWakeAt } from './clock.js';
import { at, ev, H, local, MIN, prio, reported, state } from './clock-testing.js';
import type { MetricClock, SlaPolicy, TicketEvent } from './types.js';
import { validatePolicy } from './validate.js';

const calendars = compileBuiltinCalendars();
const cn = calendars.get('cn-5x8')!;

const policy: SlaPolicy = {
  id: 'test',
  name: 'test',
  targets: {
    P1: { response: { amount: 15, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 4, unit: 'hours', calendarId: '24x7' } },
    P3: {
      response: { amount: 2, unit: 'hours', calendarId: 'cn-5x8' },
      onsite: { amount: 4, unit: 'hours', calendarId: 'cn-5x8' },
      resolution: { amount: 4, unit: 'hours', calendarId: 'cn-5x8' },
    },
    P4: { resolution: { amount: 3, unit: 'workdays', calendarId: 'cn-5x8' } },
  },
  pauseOn: { onsite: ['waiting_customer'], resolution: ['waiting_customer', 'waiting_vendor'] },
  warnings: [50, 80],
  escalation: [
    { afterPercent: 100, notify: { roles: ['pm'] }, action: 'notify' },
    { metric: 'resolution', afterMinutes: 600, notify: { userIds: [7] }, action: 'reassign' },
  ],
};


function clocks(events: TicketEvent[], now: number, p: SlaPolicy = policy): Record<string, MetricClock> {
  return Object.fromEntries(computeClocks(events, p, calendars, now).map((c) => [c.metric, c]));
}

describe('computeClocks: examples (docs/sla-rules.md)', () => {
  it('the test policy is valid', () => {
    expect(validatePolicy(policy, { priorities: ['P1', 'P2', 'P3', 'P4'], calendarIds: [...calendars.keys()] })).toEqual([]);
  });

  it('runs over the National Day holiday: P3 reported 2025-09-30 16:00', () => {
    const c = clocks([reported(at('2025-09-30', '16:00'))], at('2025-10-09', '10:00'));
    expect(local(c.resolution.dueAt)).toBe('2025-10-09 11:00');
    expect(c.resolution).toMatchObject({ state: 'running', elapsedMs: 3 * H, remainingMs: H, pausedMs: 0, warningsFired: [50], escalationsFired: [] });
    expect(local(c.resolution.nextWarningAt)).toBe('2025-10-09 10:12');
    expect(local(c.resolution.nextEscalationAt)).toBe('2025-10-09 11:00');
    // Response (2 h) was due at 09:00 on the first working day after the holiday.
    expect(c.response).toMatchObject({ state: 'breached', elapsedMs: 3 * H, remainingMs: -H, warningsFired: [50, 80], escalationsFired: [0] });
    expect(local(c.response.breachedAt)).toBe('2025-10-09 09:00');
    expect(c.response.dueAt).toBe(c.response.breachedAt);
    expect(c.response.nextWarningAt).toBeUndefined();
  });

  it('a pause stops the clock and moves the due instant by the paused working time', () => {
    const events = [reported(at('2025-11-03', '09:00')), state(at('2025-11-03', '10:00'), 'in_progress', 'waiting_customer'), state(at('2025-11-03', '14:00'), 'waiting_customer', 'in_progress')];
    const paused = clocks(events.slice(0, 2), at('2025-11-03', '11:00'));
    expect(paused.resolution).toMatchObject({ state: 'paused', dueAt: null, elapsedMs: H, remainingMs: 3 * H, pausedMs: H, pausedReason: 'waiting_customer' });
    expect(paused.resolution.nextWarningAt).toBeUndefined();
    expect(paused.resolution.nextEscalationAt).toBeUndefined();
    // Response does not pause: its 2 h are up at 11:00, and a clock still open at its due instant is breached.
    expect(paused.response).toMatchObject({ state: 'breached', elapsedMs: 2 * H, breachedAt: at('2025-11-03', '11:00') });

    const resumed = clocks(events, at('2025-11-03', '14:00'));
    // Without the pause: 09:00 + 4 h = 14:00. Paused 10:00–14:00 = 3 working hours → 17:00.
    expect(local(resumed.resolution.dueAt)).toBe('2025-11-03 17:00');
    expect(resumed.resolution).toMatchObject({ state: 'running', elapsedMs: H, pausedMs: 3 * H });
    expect(resumed.resolution.pausedReason).toBeUndefined();
  });

  it('a clock can start paused (the first state change tells the state at the report)', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), state(at('2025-11-03', '10:00'), 'waiting_vendor', 'in_progress')], at('2025-11-03', '11:00'));
    expect(c.resolution).toMatchObject({ elapsedMs: H, pausedMs: H });
  });

  it('a metric met before its due stays met when the priority is raised later', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), ev('responded', at('2025-11-03', '09:30')), prio(at('2025-11-03', '10:00'), 'P1')], at('2025-11-03', '10:30'));
    expect(c.response).toMatchObject({ state: 'met', priority: 'P3', metAt: at('2025-11-03', '09:30'), elapsedMs: 30 * MIN });
    expect(local(c.response.dueAt)).toBe('2025-11-03 11:00');
    // Resolution now follows P1 (4 h on 24x7) from the original start.
    expect(c.resolution).toMatchObject({ state: 'running', priority: 'P1', calendarId: '24x7', elapsedMs: 90 * MIN });
    expect(local(c.resolution.dueAt)).toBe('2025-11-03 13:00');
    // P1 has no on-site target.
    expect(c.onsite).toBeUndefined();
  });

  it('raising the priority measures the new target from the original start, which can mean an immediate breach', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), prio(at('2025-11-03', '10:00'), 'P1')], at('2025-11-03', '10:00'));
    expect(c.response).toMatchObject({ state: 'breached', priority: 'P1', elapsedMs: H, remainingMs: -45 * MIN });
    expect(local(c.response.breachedAt)).toBe('2025-11-03 09:15');
  });

  it('lowering the priority after a breach keeps the breach (REQ #83); the new target is shown beside it', () => {
    const c = clocks([reported(at('2025-11-03', '09:00'), 'P1'), prio(at('2025-11-03', '10:00'), 'P3')], at('2025-11-03', '10:00'));
    expect(c.response).toMatchObject({ state: 'breached', priority: 'P3', elapsedMs: H, keptBreach: { priority: 'P1', targetMs: 15 * MIN } });
    expect(local(c.response.breachedAt)).toBe('2025-11-03 09:15');
    expect(local(c.response.dueAt)).toBe('2025-11-03 11:00');
  });

  it('reopening resumes resolution; the time between resolved and reopened does not count', () => {
    const events = [reported(at('2025-11-03', '00:00'), 'P1'), ev('responded', at('2025-11-03', '00:05')), ev('resolved', at('2025-11-03', '01:00')), ev('reopened', at('2025-11-03', '03:00'))];
    const open = clocks(events, at('2025-11-03', '04:00'));
    expect(open.resolution).toMatchObject({ state: 'running', elapsedMs: 2 * H });
    expect(open.resolution.metAt).toBeUndefined();
    expect(local(open.resolution.dueAt)).toBe('2025-11-03 06:00');
    expect(open.response.state).toBe('met');
    const again = clocks([...events, ev('resolved', at('2025-11-03', '05:00'))], at('2025-11-03', '09:00'));
    expect(again.resolution).toMatchObject({ state: 'met', elapsedMs: 3 * H, metAt: at('2025-11-03', '05:00') });
    expect(local(again.resolution.dueAt)).toBe('2025-11-03 06:00');
  });

  it('met exactly at the due instant is on time; reopened with nothing left, it is breached at the reopen', () => {
    const events = [reported(at('2025-11-03', '00:00'), 'P1'), ev('resolved', at('2025-11-03', '04:00'))];
    expect(clocks(events, at('2025-11-03', '05:00')).resolution).toMatchObject({ state: 'met', dueAt: at('2025-11-03', '04:00') });
    const reopened = clocks([...events, ev('reopened', at('2025-11-03', '06:00'))], at('2025-11-03', '07:00')).resolution;
    expect(reopened).toMatchObject({ state: 'breached', breachedAt: at('2025-11-03', '06:00'), dueAt: at('2025-11-03', '04:00'), elapsedMs: 5 * H });
  });

  it('a late response is breached and keeps its met instant', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), ev('responded', at('2025-11-03', '16:00'))], at('2025-11-04', '09:00'));
    expect(c.response).toMatchObject({ state: 'breached', metAt: at('2025-11-03', '16:00'), breachedAt: at('2025-11-03', '11:00'), elapsedMs: 6 * H });
  });

  it('due at 17:00 and met after hours is late even though no working time passed', () => {
    const c = clocks([reported(at('2025-11-03', '13:00')), ev('resolved', at('2025-11-03', '18:00'))], at('2025-11-03', '19:00'));
    expect(c.resolution).toMatchObject({ state: 'breached', breachedAt: at('2025-11-03', '17:00'), elapsedMs: 4 * H, remainingMs: 0 });
  });

  it('resolving meets response and cancels an on-site clock that never needed a visit', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), ev('resolved', at('2025-11-03', '10:00'))], at('2025-11-03', '12:00'));
    expect(c.response).toMatchObject({ state: 'met', metAt: at('2025-11-03', '10:00') });
    expect(c.onsite).toMatchObject({ state: 'cancelled', cancelledAt: at('2025-11-03', '10:00'), dueAt: null });
    expect(c.resolution).toMatchObject({ state: 'met' });
  });

  it('on-site arrival meets the on-site clock', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), ev('onsite_arrived', at('2025-11-03', '11:00'))], at('2025-11-03', '12:00'));
    expect(c.onsite).toMatchObject({ state: 'met', elapsedMs: 2 * H, remainingMs: 2 * H });
  });

  it('cancelling cancels open clocks; a breach already there stays', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), ev('cancelled', at('2025-11-03', '13:30'))], at('2025-11-05', '09:00'));
    expect(c.response).toMatchObject({ state: 'breached', breachedAt: at('2025-11-03', '11:00'), cancelledAt: at('2025-11-03', '13:30'), elapsedMs: 3.5 * H });
    expect(c.resolution).toMatchObject({ state: 'cancelled', dueAt: null, elapsedMs: 3.5 * H });
    expect(c.resolution.nextWarningAt).toBeUndefined();
  });

  it('closing an unresolved ticket meets resolution', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), ev('responded', at('2025-11-03', '09:10')), ev('closed', at('2025-11-03', '10:00'))], at('2025-11-04', '10:00'));
    expect(c.resolution).toMatchObject({ state: 'met', metAt: at('2025-11-03', '10:00') });
  });

  it('working-day targets end at the end of the Nth working day', () => {
    const c = clocks([reported(at('2025-11-03', '10:00'), 'P4')], at('2025-11-03', '10:00'));
    expect(local(c.resolution.dueAt)).toBe('2025-11-06 17:00');
    expect(c.resolution.targetMs).toBe(30 * H);
    // Over the 2026 Spring Festival: Friday Feb 13 + 3 working days = Sat 14 (make-up), Tue 24, Wed 25.
    const spring = clocks([reported(at('2026-02-13', '10:00'), 'P4')], at('2026-02-13', '10:00'));
    expect(local(spring.resolution.dueAt)).toBe('2026-02-25 17:00');
  });

  it('ignores events after now and sorts unsorted input', () => {
    const events = [ev('responded', at('2025-11-03', '09:30')), reported(at('2025-11-03', '09:00'))];
    expect(clocks(events, at('2025-11-03', '09:10')).response).toMatchObject({ state: 'running', elapsedMs: 10 * MIN });
    expect(clocks(events, at('2025-11-03', '09:40')).response).toMatchObject({ state: 'met' });
    // Same instant: reported is taken first.
    const same = [state(at('2025-11-03', '09:00'), 'new', 'waiting_customer'), reported(at('2025-11-03', '09:00'))];
    expect(clocks(same, at('2025-11-03', '10:00')).resolution).toMatchObject({ state: 'paused', pausedMs: H });
  });

  it('fires escalations in order and says when the next one is due', () => {
    const c = clocks([reported(at('2025-11-03', '09:00'))], at('2025-11-04', '10:00'));
    // Resolution (4 h) breached at 14:00 on the 3rd; the 600-minute step comes after 10 working hours.
    expect(c.resolution).toMatchObject({ state: 'breached', escalationsFired: [0], elapsedMs: 9 * H });
    expect(local(c.resolution.nextEscalationAt)).toBe('2025-11-04 11:00');
    expect(c.response.escalationsFired).toEqual([0]);
    expect(c.response.nextEscalationAt).toBeUndefined();
  });

  it('nextWakeAt is the earliest warning, breach or escalation ahead', () => {
    const c = computeClocks([reported(at('2025-11-03', '09:00'))], policy, calendars, at('2025-11-03', '09:00'));
    // Response (2 h): 50% at 10:00 is the first thing that happens.
    expect(local(nextWakeAt(c))).toBe('2025-11-03 10:00');
    const done = computeClocks([reported(at('2025-11-03', '09:00')), ev('cancelled', at('2025-11-03', '09:01'))], policy, calendars, at('2025-11-03', '10:00'));
    expect(nextWakeAt(done)).toBeNull();
  });

  it('rejects broken histories', () => {
    const t = at('2025-11-03', '09:00');
    const code = (events: unknown[], p: SlaPolicy = policy) => {
      try {
        computeClocks(events as TicketEvent[], p, calendars, t);
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code([])).toBe('sla.events.reported');
    expect(code([reported(t), reported(t)])).toBe('sla.events.reported');
    expect(code([ev('responded', t - 1), reported(t)])).toBe('sla.event.beforeReported');
    expect(code([reported(t), { type: 'responded', at: Number.NaN }])).toBe('sla.event.invalid');
    expect(code([reported(t), { type: 'priority_changed', at: t }])).toBe('sla.event.invalid');
    expect(code([reported(t), null])).toBe('sla.event.invalid');
    expect(code([reported(t)], { ...policy, targets: { P3: { response: { amount: 1, unit: 'hours', calendarId: 'nope' } } } })).toBe('sla.calendar.missing');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const simple = (minutes: number, calendarId = 'cn-5x8'): SlaPolicy => ({
  id: 's',
  name: 's',
  targets: { '*': { resolution: { amount: minutes, unit: 'minutes', calendarId } } },
  pauseOn: { resolution: ['waiting_customer'] },
  warnings: [50, 80],
  escalation: [],
});
const start = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) });
const minutes = fc.integer({ min: 1, max: 40 * 8 * 60 });

describe('computeClocks: properties', () => {
  it('a pause never makes the deadline earlier and shifts it by exactly the paused working time', () => {
    fc.assert(
      fc.property(start, minutes, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 30 * 24 * 60 }), (s, m, where, pauseMinutes) => {
        const p = simple(m);
        const due0 = computeClocks([reported(s)], p, calendars, s)[0].dueAt!;
        const p1 = s + Math.floor((due0 - s) * where);
        const p2 = p1 + pauseMinutes * MIN;
        const events = [reported(s), state(p1, 'in_progress', 'waiting_customer'), state(p2, 'waiting_customer', 'in_progress')];
        const [c] = computeClocks(events, p, calendars, p2);
        expect(c.state).toBe('running');
        expect(c.dueAt!).toBeGreaterThanOrEqual(due0);
        expect(c.pausedMs).toBe(cn.workingMsBetween(p1, p2));
        expect(cn.workingMsBetween(due0, c.dueAt!)).toBe(c.pausedMs);
        expect(c.elapsedMs + c.remainingMs).toBe(m * MIN);
      }),
      { numRuns: 500 },
    );
  });

  it('on 24x7 without pauses the deadline is the start plus the target', () => {
    fc.assert(
      fc.property(start, minutes, fc.integer({ min: 0, max: 60 * 24 * 60 }), (s, m, later) => {
        const [c] = computeClocks([reported(s)], simple(m, '24x7'), calendars, s + later * MIN);
        expect(c.dueAt).toBe(s + m * MIN);
        expect(c.elapsedMs).toBe(later * MIN);
        expect(c.state).toBe(later >= m ? 'breached' : 'running');
      }),
      { numRuns: 500 },
    );
  });

  it('a running deadline does not depend on when it is computed', () => {
    fc.assert(
      fc.property(start, minutes, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (s, m, f) => {
        const p = simple(m);
        const [first] = computeClocks([reported(s)], p, calendars, s);
        const now = s + Math.floor((first.dueAt! - s) * f);
        const [later] = computeClocks([reported(s)], p, calendars, now);
        expect(later.dueAt).toBe(first.dueAt);
        expect(later.elapsedMs).toBe(cn.workingMsBetween(s, now));
      }),
      { numRuns: 300 },
    );
  });

  it('re-prioritising keeps the elapsed working time', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 20 * 24 * 60 }), fc.integer({ min: 0, max: 20 * 24 * 60 }), (s, change, after) => {
        const events = [reported(s), prio(s + change * MIN, 'P1')];
        const now = s + (change + after) * MIN;
        const unchanged = clocks([reported(s)], now).resolution;
        const changed = clocks(events, now, { ...policy, targets: { ...policy.targets, P1: { resolution: { amount: 1, unit: 'hours', calendarId: 'cn-5x8' } } } }).resolution;
        expect(changed.elapsedMs).toBe(unchanged.elapsedMs);
        expect(changed.priority).toBe('P1');
      }),
      { numRuns: 300 },
    );
  });
});
