import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBuiltinCalendars } from '../calendar/index.js';
import { computeOla, DESK_OLA_MINUTES, isOpenOla, nextOlaWake, type OlaEvent } from './ola.js';

const cal = compileBuiltinCalendars().get('24x7')!;
const M = 60_000;
const t0 = Date.UTC(2026, 2, 5, 1, 0);
const at = (minutes: number) => t0 + minutes * M;
const ev = (type: OlaEvent['type'], minutes: number): OlaEvent => ({ type, at: at(minutes) });
const brief = (events: OlaEvent[], now: number) =>
  computeOla(events, DESK_OLA_MINUTES, cal, at(now)).map((c) => `${c.target}:${c.state}:${(c.startedAt - t0) / M}:${(c.dueAt - t0) / M}`);

describe('desk OLA clocks (REQ T11)', () => {
  it('takes its targets from the service desk limits', () => {
    expect(DESK_OLA_MINUTES).toEqual({ dispatch: 10, execution_check: 30, redispatch: 10, report_pm: 20 });
  });

  it('runs the dispatch clock from logging to the first dispatch, then the execution check to acceptance', () => {
    expect(brief([ev('logged', 0)], 5)).toEqual(['dispatch:running:0:10']);
    expect(brief([ev('logged', 0)], 10)).toEqual(['dispatch:breached:0:10']);
    expect(brief([ev('logged', 0), ev('dispatched', 4)], 20)).toEqual(['dispatch:met:0:10', 'execution_check:running:4:34']);
    expect(brief([ev('logged', 0), ev('dispatched', 4), ev('accepted', 30)], 60)).toEqual(['dispatch:met:0:10', 'execution_check:met:4:34']);
    // Dispatched late: breached, and it stays breached once met.
    const late = computeOla([ev('logged', 0), ev('dispatched', 12)], DESK_OLA_MINUTES, cal, at(13));
    expect(late[0]).toMatchObject({ target: 'dispatch', state: 'breached', metAt: at(12), remainingMs: -2 * M });
    expect(isOpenOla(late[0])).toBe(false);
  });

  it('a "cannot attend" starts the re-dispatch clock, an engineer\'s abnormal-event escalation the report-to-PM clock (T11); a re-dispatch and a report meet them', () => {
    const events = [ev('logged', 0), ev('dispatched', 1), ev('accepted', 2), ev('declined', 20), ev('abnormal', 20)];
    expect(brief(events, 25)).toEqual(['dispatch:met:0:10', 'execution_check:met:1:31', 'redispatch:running:20:30', 'report_pm:running:20:40']);
    // "Cannot attend" alone does not start the report to the PM.
    expect(brief([ev('logged', 0), ev('dispatched', 1), ev('declined', 20)], 25)).toEqual(['dispatch:met:0:10', 'execution_check:cancelled:1:31', 'redispatch:running:20:30']);
    // An escalation that reaches the PM at once meets it at once.
    expect(brief([ev('logged', 0), ev('dispatched', 1), ev('abnormal', 5), ev('reported_pm', 5)], 6)).toEqual(['dispatch:met:0:10', 'execution_check:running:1:31', 'report_pm:met:5:25']);
    const clocks = computeOla(events, DESK_OLA_MINUTES, cal, at(25));
    expect(nextOlaWake(clocks)).toBe(at(30));
    expect(clocks.find((c) => c.target === 'redispatch')!.remainingMs).toBe(5 * M);
    const handled = [...events, ev('dispatched', 27), ev('reported_pm', 45)];
    expect(brief(handled, 50)).toEqual([
      'dispatch:met:0:10',
      'execution_check:met:1:31',
      'redispatch:met:20:30',
      'report_pm:breached:20:40',
      'execution_check:running:27:57',
    ]);
  });

  it('a decline before acceptance supersedes the execution check; someone taking the ticket meets the re-dispatch', () => {
    const clocks = computeOla([ev('logged', 0), ev('dispatched', 0), ev('declined', 5), ev('accepted', 8)], DESK_OLA_MINUTES, cal, at(9));
    expect(clocks.map((c) => `${c.target}:${c.state}`)).toEqual(['dispatch:met', 'execution_check:cancelled', 'redispatch:met']);
  });

  it('resolving, closing or cancelling the ticket cancels what still runs; a late one stays breached', () => {
    const clocks = computeOla([ev('logged', 0), ev('dispatched', 1), ev('declined', 2), ev('abnormal', 2), ev('ended', 15)], DESK_OLA_MINUTES, cal, at(100));
    expect(clocks.map((c) => `${c.target}:${c.state}`)).toEqual(['dispatch:met', 'execution_check:cancelled', 'redispatch:breached', 'report_pm:cancelled']);
    expect(clocks.every((c) => !isOpenOla(c))).toBe(true);
    expect(nextOlaWake(clocks)).toBeNull();
  });

  it('ignores events after now and targets set to 0', () => {
    expect(brief([ev('logged', 0), ev('dispatched', 30)], 5)).toEqual(['dispatch:running:0:10']);
    expect(computeOla([ev('logged', 0)], { ...DESK_OLA_MINUTES, dispatch: 0 }, cal, at(50))).toEqual([]);
  });

  it('never reports a running clock past its due instant, and wakes at the earliest running due instant', () => {
    const kinds = fc.constantFrom<OlaEvent['type']>('dispatched', 'accepted', 'declined', 'abnormal', 'reported_pm', 'ended');
    fc.assert(
      fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 0, max: 90 })), { maxLength: 12 }), fc.integer({ min: 0, max: 120 }), (steps, now) => {
        const events = [ev('logged', 0), ...steps.map(([k, m]) => ev(k, m)).sort((a, b) => a.at - b.at)];
        const clocks = computeOla(events, DESK_OLA_MINUTES, cal, at(now));
        for (const c of clocks) {
          if (c.state === 'running') expect(c.dueAt).toBeGreaterThan(at(now));
          if (c.state === 'met') expect(c.metAt!).toBeLessThanOrEqual(c.dueAt);
          expect(c.startedAt).toBeLessThanOrEqual(at(now));
        }
        const running = clocks.filter((c) => c.state === 'running').map((c) => c.dueAt);
        expect(nextOlaWake(clocks)).toBe(running.length ? Math.min(...running) : null);
        expect(clocks.filter((c) => c.target === 'dispatch')).toHaveLength(1);
      }),
    );
  });

  it('runs on the desk team\'s service hours: a call at 16:55 on cn-5x8 is due for dispatch at 08:05 next working day', () => {
    const cn = compileBuiltinCalendars().get('cn-5x8')!;
    const friday = Date.UTC(2025, 10, 7, 8, 55); // Fri 2025-11-07 16:55 in Shanghai
    const [c] = computeOla([{ type: 'logged', at: friday }], DESK_OLA_MINUTES, cn, friday + 60 * M);
    expect(c).toMatchObject({ target: 'dispatch', state: 'running', dueAt: Date.UTC(2025, 10, 10, 0, 5) });
  });
});
