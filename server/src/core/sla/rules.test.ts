import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBuiltinCalendars } from '../calendar/builtin.js';
import { computeClocks, nextWakeAt } from './clock.js';
import { at, ev, H, local, MIN, prio, reported, state } from './clock-testing.js';
import { slaTemplates } from './templates.js';
import type { MetricClock, SlaPolicy, TicketEvent } from './types.js';
import { validatePolicy } from './validate.js';

/**
 * The rules of issue #10 "SLA rules as the seeds word them" (docs/sla-rules.md §5): a recorded
 * breach stays (#83), clocks that start at the diagnosis (确诊后, #46, #49) and the diagnosis
 * metric (T6), two-stage targets (#60, #63).
 */

const calendars = compileBuiltinCalendars();
const cn = calendars.get('cn-5x8')!;

const policy: SlaPolicy = {
  id: 'rules',
  name: 'rules',
  targets: {
    P1: { response: { amount: 15, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 4, unit: 'hours', calendarId: '24x7' } },
    P3: {
      response: { amount: 2, unit: 'hours', calendarId: 'cn-5x8' },
      diagnosis: { amount: 10, unit: 'minutes', calendarId: 'cn-5x8' },
      onsite: { amount: 4, unit: 'hours', calendarId: 'cn-5x8', startEvent: 'diagnosed' },
      resolution: { amount: 1, unit: 'hours', calendarId: 'cn-5x8', latest: { amount: 3, unit: 'hours' } },
    },
  },
  pauseOn: { onsite: ['waiting_customer'], resolution: ['waiting_customer'] },
  warnings: [50, 80],
  escalation: [{ afterPercent: 100, notify: { roles: ['pm'] }, action: 'notify' }],
};

function clocks(events: TicketEvent[], now: number, p: SlaPolicy = policy): Record<string, MetricClock> {
  return Object.fromEntries(computeClocks(events, p, calendars, now).map((c) => [c.metric, c]));
}

describe('a recorded breach stays (REQ #83)', () => {
  it('lowering the priority after a breach keeps the breach; the new target is shown beside it', () => {
    const c = clocks([reported(at('2025-11-03', '09:00'), 'P1'), prio(at('2025-11-03', '10:00'), 'P3')], at('2025-11-03', '10:00'));
    expect(c.response).toMatchObject({ state: 'breached', priority: 'P3', targetMs: 2 * H, elapsedMs: H });
    expect(local(c.response.breachedAt)).toBe('2025-11-03 09:15');
    // The new deadline, beside the breach.
    expect(local(c.response.dueAt)).toBe('2025-11-03 11:00');
    expect(c.response.keptBreach).toEqual({ priority: 'P1', targetMs: 15 * MIN, dueAt: at('2025-11-03', '09:15') });
    // Answered later under the new target: still breached, met late.
    const later = clocks([reported(at('2025-11-03', '09:00'), 'P1'), prio(at('2025-11-03', '10:00'), 'P3'), ev('responded', at('2025-11-03', '10:30'))], at('2025-11-03', '12:00'));
    expect(later.response).toMatchObject({ state: 'breached', metAt: at('2025-11-03', '10:30'), breachedAt: at('2025-11-03', '09:15') });
  });

  it('lowering the priority before the breach: no breach, the new target counts from the report', () => {
    const c = clocks([reported(at('2025-11-03', '09:00'), 'P1'), prio(at('2025-11-03', '09:10'), 'P3')], at('2025-11-03', '10:00'));
    expect(c.response.state).toBe('running');
    expect(c.response.keptBreach).toBeUndefined();
    expect(local(c.response.dueAt)).toBe('2025-11-03 11:00');
  });

  it('raising the priority still breaches at once from the original start (no kept breach: the governing target breached)', () => {
    const c = clocks([reported(at('2025-11-03', '09:00')), prio(at('2025-11-03', '10:00'), 'P1')], at('2025-11-03', '10:00'));
    expect(c.response).toMatchObject({ state: 'breached', priority: 'P1' });
    expect(c.response.keptBreach).toBeUndefined();
  });

  const targets: SlaPolicy = {
    id: 'p',
    name: 'p',
    targets: Object.fromEntries(['P1', 'P2', 'P3', 'P4'].map((p, i) => [p, { resolution: { amount: [30, 120, 480, 1440][i], unit: 'minutes', calendarId: 'cn-5x8' } }])),
    pauseOn: {},
    warnings: [],
    escalation: [],
  };
  it('property: once breached, a clock stays breached whatever priority changes follow, and its breach instant never moves later', () => {
    const level = fc.constantFrom('P1', 'P2', 'P3', 'P4');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) }),
        level,
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 * 24 * 60 }), level), { maxLength: 6 }),
        fc.integer({ min: 0, max: 4 * 24 * 60 }),
        fc.integer({ min: 0, max: 4 * 24 * 60 }),
        (s, first, changes, a, b) => {
          const events: TicketEvent[] = [reported(s, first)];
          let t = s;
          for (const [gap, p] of changes) events.push(prio((t += gap * MIN), p));
          const now1 = s + a * MIN;
          const now2 = now1 + b * MIN;
          const [before] = computeClocks(events, targets, calendars, now1);
          const [after] = computeClocks(events, targets, calendars, now2);
          if (before.state === 'breached') {
            expect(after.state).toBe('breached');
            expect(after.breachedAt!).toBeLessThanOrEqual(before.breachedAt!);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('two-stage targets: usually 1 h, at the latest 3 h (REQ #60, #63)', () => {
  const t6 = slaTemplates().find((t) => t.id === 'T6')!.policies[0];
  const r = at('2025-11-03', '00:00');

  it('missing the usual target is a warning (goal missed); the breach is at the latest target', () => {
    const c = clocks([reported(r)], r + 90 * MIN, t6);
    expect(c.resolution).toMatchObject({ state: 'running', targetMs: 3 * H, dueAt: r + 3 * H });
    expect(c.resolution.goal).toEqual({ targetMs: H, dueAt: r + H, state: 'missed', missedAt: r + H });
    // Warnings count on the usual target (50% = 30 min, 80% = 48 min).
    expect(c.resolution.warningsFired).toEqual([50, 80]);
    expect(c.resolution.breachedAt).toBeUndefined();
    const late = clocks([reported(r)], r + 200 * MIN, t6);
    expect(late.resolution).toMatchObject({ state: 'breached', breachedAt: r + 3 * H });
  });

  it('resolved in 2 h: the goal missed, the latest target met; resolved in 50 min: both met', () => {
    const c = clocks([reported(r), ev('resolved', r + 2 * H)], r + 5 * H, t6);
    expect(c.resolution).toMatchObject({ state: 'met', metAt: r + 2 * H });
    expect(c.resolution.goal).toMatchObject({ state: 'missed', missedAt: r + H });
    const quick = clocks([reported(r), ev('resolved', r + 50 * MIN)], r + 5 * H, t6);
    expect(quick.resolution.goal).toMatchObject({ state: 'met', dueAt: r + H });
  });

  it('the next wake includes the usual target (the goal-missed warning fires there)', () => {
    const now = r + 55 * MIN;
    const c = computeClocks([reported(r)], { ...t6, warnings: [], escalation: [], targets: { '*': { resolution: t6.targets['*'].resolution! } } }, calendars, now);
    expect(nextWakeAt(c)).toBe(r + H);
  });

  it('T5: 3 hours, at the latest the second working day (cn-5x8)', () => {
    const t5 = slaTemplates().find((t) => t.id === 'T5')!.policies[0];
    const fri = at('2025-11-07', '16:00');
    const c = clocks([reported(fri)], fri + 4 * H, t5);
    expect(c.resolution.goal).toMatchObject({ state: 'missed', missedAt: fri + 3 * H });
    expect(local(c.resolution.dueAt)).toBe('2025-11-11 17:00');
    expect(c.resolution.state).toBe('running');
  });

  it('validation: the latest target must come after the usual one', () => {
    const bad = { ...t6, targets: { '*': { resolution: { amount: 3, unit: 'hours', calendarId: '24x7', latest: { amount: 60, unit: 'minutes' } } } } };
    expect(validatePolicy(bad).map((p) => p.code)).toEqual(['sla.target.latest.notLater']);
    const ok = { ...t6, targets: { '*': { resolution: { amount: 3, unit: 'hours', calendarId: '24x7', latest: { amount: 2, unit: 'workdays', calendarId: 'cn-5x8' } } } } };
    expect(validatePolicy(ok, { calendarIds: ['24x7', 'cn-5x8'] })).toEqual([]);
  });

  it('property: the latest clock is exactly the single-target clock of the latest target', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 3 * 24 * 60 }), (s, usual, extra, later) => {
        const two: SlaPolicy = { ...targets0, targets: { '*': { resolution: { amount: usual, unit: 'minutes', calendarId: 'cn-5x8', latest: { amount: usual + extra, unit: 'minutes' } } } } };
        const one: SlaPolicy = { ...targets0, targets: { '*': { resolution: { amount: usual + extra, unit: 'minutes', calendarId: 'cn-5x8' } } } };
        const first: SlaPolicy = { ...targets0, targets: { '*': { resolution: { amount: usual, unit: 'minutes', calendarId: 'cn-5x8' } } } };
        const now = s + later * MIN;
        const [a] = computeClocks([reported(s)], two, calendars, now);
        const [b] = computeClocks([reported(s)], one, calendars, now);
        const [g] = computeClocks([reported(s)], first, calendars, now);
        expect({ ...a, goal: undefined, warningsFired: [], nextWarningAt: undefined }).toEqual({ ...b, goal: undefined, warningsFired: [], nextWarningAt: undefined });
        expect(a.goal!.dueAt).toBe(g.dueAt);
        expect(a.goal!.state === 'missed').toBe(g.state === 'breached');
        expect(a.warningsFired).toEqual(g.warningsFired);
      }),
      { numRuns: 300 },
    );
  });
});
const targets0: SlaPolicy = { id: 'x', name: 'x', targets: {}, pauseOn: {}, warnings: [50, 80], escalation: [] };

describe('on site after diagnosis (确诊后, REQ #46, #49) and the diagnosis metric (T6)', () => {
  const r = at('2025-11-03', '09:00');

  it('before the diagnosis the on-site clock is pending; it starts at the diagnosis', () => {
    const before = clocks([reported(r)], at('2025-11-03', '09:20'));
    expect(before.onsite).toMatchObject({ state: 'pending', dueAt: null, waitingFor: 'diagnosed', elapsedMs: 0, warningsFired: [] });
    expect(before.diagnosis).toMatchObject({ state: 'breached', breachedAt: at('2025-11-03', '09:10') });
    const after = clocks([reported(r), ev('diagnosed', at('2025-11-03', '09:30'))], at('2025-11-03', '10:00'));
    expect(after.onsite).toMatchObject({ state: 'running', startedAt: at('2025-11-03', '09:30'), elapsedMs: 30 * MIN });
    // 4 working hours from 09:30 on cn-5x8 (lunch 12:00–13:00).
    expect(local(after.onsite.dueAt)).toBe('2025-11-03 14:30');
    expect(after.diagnosis).toMatchObject({ state: 'breached', metAt: at('2025-11-03', '09:30') });
    // A pending clock does not wake the job.
    expect(nextWakeAt(computeClocks([reported(r), ev('responded', r + MIN), ev('diagnosed', r + 5 * MIN)], { ...policy, warnings: [], escalation: [], targets: { P3: { onsite: policy.targets.P3.onsite! } } }, calendars, r + 6 * MIN))).toBe(
      cn.addWorkingMs(r + 5 * MIN, 4 * H),
    );
  });

  it('diagnosed within 10 minutes: the diagnosis is met', () => {
    const c = clocks([reported(r), ev('diagnosed', r + 8 * MIN)], r + H);
    expect(c.diagnosis).toMatchObject({ state: 'met', metAt: r + 8 * MIN, dueAt: r + 10 * MIN });
  });

  it('resolved before any diagnosis: on site was not needed (cancelled), the diagnosis met by the resolution', () => {
    const c = clocks([reported(r), ev('resolved', r + 5 * MIN)], r + H);
    expect(c.onsite.state).toBe('cancelled');
    expect(c.diagnosis.state).toBe('met');
  });

  it('a pause before the diagnosis carries into the started clock', () => {
    const c = clocks([reported(r), state(r + MIN, 'in_progress', 'waiting_customer'), ev('diagnosed', r + 5 * MIN)], r + H);
    expect(c.onsite).toMatchObject({ state: 'paused', pausedReason: 'waiting_customer', elapsedMs: 0 });
  });

  it('property: started at the diagnosis, the on-site due instant is the diagnosis plus the target on the calendar', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) }), fc.integer({ min: 0, max: 5 * 24 * 60 }), fc.integer({ min: 1, max: 2400 }), (s, d, m) => {
        const p: SlaPolicy = { ...targets0, targets: { '*': { onsite: { amount: m, unit: 'minutes', calendarId: 'cn-5x8', startEvent: 'diagnosed' } } } };
        const diag = s + d * MIN;
        const [c] = computeClocks([reported(s), ev('diagnosed', diag)], p, calendars, diag);
        expect(c.startedAt).toBe(diag);
        expect(c.dueAt).toBe(cn.addWorkingMs(diag, m * MIN));
        const [pending] = computeClocks([reported(s), ev('diagnosed', diag)], p, calendars, diag - 1);
        expect(d === 0 ? 'running' : pending.state).toBe(d === 0 ? 'running' : 'pending');
      }),
      { numRuns: 300 },
    );
  });

  it('validation: only on-site and resolution may start at the diagnosis', () => {
    const bad: SlaPolicy = { ...targets0, targets: { '*': { response: { amount: 5, unit: 'minutes', calendarId: '24x7', startEvent: 'diagnosed' } } } };
    expect(validatePolicy(bad).map((p) => p.code)).toEqual(['sla.target.startEvent.invalid']);
    expect(validatePolicy(policy, { priorities: ['P1', 'P3'], calendarIds: ['24x7', 'cn-5x8'] })).toEqual([]);
  });

  it('T2 counts on site from the diagnosis; T6 has the 10-minute diagnosis', () => {
    const t2 = slaTemplates().find((t) => t.id === 'T2')!.policies[0];
    expect(Object.values(t2.targets).every((m) => m.onsite?.startEvent === 'diagnosed')).toBe(true);
    const t6 = slaTemplates().find((t) => t.id === 'T6')!.policies[0];
    expect(t6.targets['*']).toMatchObject({ response: { amount: 5, unit: 'minutes' }, diagnosis: { amount: 10, unit: 'minutes' }, resolution: { amount: 1, unit: 'hours', latest: { amount: 3, unit: 'hours' } } });
  });
});
