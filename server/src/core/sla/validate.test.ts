import { describe, expect, it } from 'vitest';
import type { SlaPolicy } from './types.js';
import { validatePolicy } from './validate.js';

const base: SlaPolicy = {
  id: 'p',
  name: 'P',
  targets: { P1: { response: { amount: 15, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 1.5, unit: 'hours', calendarId: '24x7' } }, '*': { resolution: { amount: 5, unit: 'workdays', calendarId: 'cn-5x8' } } },
  pauseOn: { resolution: ['waiting_customer', 'waiting_vendor'] },
  warnings: [50, 80],
  escalation: [{ afterPercent: 100, notify: { roles: ['pm'] }, action: 'notify' }, { afterMinutes: 30, notify: {}, action: 'raise_priority' }],
};

const codes = (p: unknown, known = {}) => validatePolicy(p, known).map((x) => `${x.field} ${x.code}`);
const withOverride = (over: Record<string, unknown>) => ({ ...structuredClone(base), ...over });

describe('validatePolicy', () => {
  it('accepts a valid policy', () => {
    expect(validatePolicy(base, { priorities: ['P1', 'P2'], calendarIds: ['24x7', 'cn-5x8'] })).toEqual([]);
  });

  it('checks warning thresholds: above 0, below 100, ascending', () => {
    expect(codes(withOverride({ warnings: [0, 50, 50, 40, 100, 120, Number.NaN, '60'] }))).toEqual([
      'warnings[0] sla.warning.invalid',
      'warnings[2] sla.warning.notAscending',
      'warnings[3] sla.warning.notAscending',
      'warnings[4] sla.warning.pastTarget',
      'warnings[5] sla.warning.pastTarget',
      'warnings[6] sla.warning.invalid',
      'warnings[7] sla.warning.invalid',
    ]);
    expect(codes(withOverride({ warnings: [] }))).toEqual([]);
  });

  it('checks targets: metric, unit, amount, calendar and priority', () => {
    const targets = {
      P1: { response: { amount: 0, unit: 'minutes', calendarId: '24x7' }, resolution: { amount: 1.01, unit: 'hours', calendarId: '24x7' } },
      P2: { response: { amount: 2.5, unit: 'workdays', calendarId: 'cn-5x8' }, onsite: { amount: 1, unit: 'days', calendarId: '' } },
      P9: { resolve: { amount: 1, unit: 'hours', calendarId: '24x7' }, resolution: { amount: 1e9, unit: 'minutes', calendarId: 'other' } },
    };
    expect(codes(withOverride({ targets }), { priorities: ['P1', 'P2'], calendarIds: ['24x7', 'cn-5x8'] })).toEqual([
      'targets.P1.response.amount sla.target.amount.invalid',
      'targets.P1.resolution.amount sla.target.amount.invalid',
      'targets.P2.response.amount sla.target.amount.invalid',
      'targets.P2.onsite.unit sla.target.unit.invalid',
      'targets.P2.onsite.calendarId sla.required',
      'targets.P9 sla.target.priority.unknown',
      'targets.P9.resolve sla.target.metric.invalid',
      'targets.P9.resolution.amount sla.target.amount.invalid',
      'targets.P9.resolution.calendarId sla.target.calendar.unknown',
    ]);
  });

  it('checks pause states and escalation steps', () => {
    expect(
      codes(
        withOverride({
          pauseOn: { resolution: ['waiting_customer', ''], triage: [] },
          escalation: [
            { notify: { roles: ['pm'] }, action: 'notify' },
            { afterPercent: 50, afterMinutes: 10, notify: { roles: ['pm'] }, action: 'notify' },
            { afterPercent: -5, notify: { roles: ['pm'] }, action: 'notify' },
            { afterMinutes: 2.5, notify: { roles: ['pm'] }, action: 'notify' },
            { afterPercent: 100, notify: {}, action: 'notify' },
            { afterPercent: 100, notify: { roles: ['pm'] }, action: 'email', metric: 'triage' },
            { afterPercent: 100, notify: { userIds: ['7'] }, action: 'notify' },
          ],
        }),
      ),
    ).toEqual([
      'pauseOn.resolution[1] sla.pause.state.invalid',
      'pauseOn.triage sla.pause.metric.invalid',
      'escalation[0] sla.escalation.trigger.missing',
      'escalation[1] sla.escalation.trigger.both',
      'escalation[2].afterPercent sla.escalation.percent.invalid',
      'escalation[3].afterMinutes sla.escalation.minutes.invalid',
      'escalation[4].notify sla.escalation.notify.empty',
      'escalation[5].metric sla.escalation.metric.invalid',
      'escalation[5].action sla.escalation.action.invalid',
      'escalation[6].notify.userIds sla.type.invalid',
    ]);
  });

  it('reports wrong types instead of crashing', () => {
    expect(codes(null)).toEqual([' sla.type.invalid']);
    expect(codes({ id: 'x', name: ' ', targets: [], pauseOn: null, warnings: {}, escalation: 'no' })).toEqual([
      'name sla.required',
      'targets sla.type.invalid',
      'pauseOn sla.type.invalid',
      'warnings sla.type.invalid',
      'escalation sla.type.invalid',
    ]);
  });
});
