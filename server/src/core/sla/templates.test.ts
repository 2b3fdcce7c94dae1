import { describe, expect, it } from 'vitest';
import { BUILTIN_CALENDAR_IDS } from '../calendar/builtin.js';
import { validateCalendar } from '../calendar/validate.js';
import { SERVICE_DESK_LIMITS, slaTemplates, type SlaTemplate } from './templates.js';
import { ANY_PRIORITY, type SlaMetric, type SlaTarget } from './types.js';
import { validatePolicy } from './validate.js';

const templates = slaTemplates();
const byId = (id: SlaTemplate['id']) => templates.find((t) => t.id === id)!;
const target = (id: SlaTemplate['id'], level: string, metric: SlaMetric, policyIndex = 0): SlaTarget | undefined => byId(id).policies[policyIndex].targets[level]?.[metric];
const text = (t: SlaTarget | undefined) => (t ? `${t.amount} ${t.unit} @${t.calendarId}` : 'none');

describe('SLA templates (REQUIREMENTS §3)', () => {
  it('are valid against their own levels and calendars', () => {
    for (const t of templates) {
      for (const c of t.calendars) expect(validateCalendar(c)).toEqual([]);
      const calendarIds = [...BUILTIN_CALENDAR_IDS, ...t.calendars.map((c) => c.id)];
      for (const p of t.policies) expect(validatePolicy(p, { priorities: t.levels.map((l) => l.code), calendarIds })).toEqual([]);
    }
  });

  it('T1: 一般 1 h / 2 h, 重要 30 min / 4 h, 紧急 15 min / 8 h', () => {
    expect(['general', 'important', 'urgent'].map((l) => `${text(target('T1', l, 'response'))} | ${text(target('T1', l, 'resolution'))}`)).toEqual([
      '1 hours @24x7 | 2 hours @24x7',
      '30 minutes @24x7 | 4 hours @24x7',
      '15 minutes @24x7 | 8 hours @24x7',
    ]);
  });

  it('T2: on site within 2 h for A and B on 7×24, 4 h for C on 5×8', () => {
    expect(['A', 'B', 'C'].map((l) => text(target('T2', l, 'onsite')))).toEqual(['2 hours @24x7', '2 hours @24x7', '4 hours @cn-5x8']);
  });

  it('T3: 紧急 30 min / 2 h, 优先 4 h / 12 h, 常规 24 h / 5 working days, 咨询 5 / 10 working days', () => {
    expect(['emergency', 'priority', 'routine', 'consulting'].map((l) => `${text(target('T3', l, 'response'))} | ${text(target('T3', l, 'resolution'))}`)).toEqual([
      '30 minutes @24x7 | 2 hours @24x7',
      '4 hours @24x7 | 12 hours @24x7',
      '24 hours @24x7 | 5 workdays @cn-5x8',
      '5 workdays @cn-5x8 | 10 workdays @cn-5x8',
    ]);
  });

  it('T4: tiers 30 min / 2 h, 1 h / 4 h, 2 h / 8 h', () => {
    expect([0, 1, 2].map((i) => `${text(target('T4', ANY_PRIORITY, 'response', i))} | ${text(target('T4', ANY_PRIORITY, 'resolution', i))}`)).toEqual([
      '30 minutes @24x7 | 2 hours @24x7',
      '1 hours @t4-7x12 | 4 hours @t4-7x12',
      '2 hours @t4-7x8 | 8 hours @t4-7x8',
    ]);
  });

  it('T5: response 5 min, on site 1 h, resolution 3 h, 7×24', () => {
    expect((['response', 'onsite', 'resolution'] as const).map((m) => text(target('T5', ANY_PRIORITY, m)))).toEqual(['5 minutes @24x7', '1 hours @24x7', '3 hours @24x7']);
  });

  it('T14: the most urgent class of each scheme matches the cross-scheme summary', () => {
    const minutes = (t: SlaTarget | undefined) => (t ? (t.unit === 'hours' ? t.amount * 60 : t.amount) : null);
    const top = [
      ['T1', target('T1', 'urgent', 'response'), target('T1', 'urgent', 'resolution')],
      ['T3', target('T3', 'emergency', 'response'), target('T3', 'emergency', 'resolution')],
      ['T4', target('T4', ANY_PRIORITY, 'response'), target('T4', ANY_PRIORITY, 'resolution')],
      ['T5', target('T5', ANY_PRIORITY, 'response'), target('T5', ANY_PRIORITY, 'resolution')],
    ] as const;
    // Response 15 min (T1), 30 min (T3, T4), 5 min (T5); resolution 8 h (T1), 2 h (T3, T4), 3 h (T5).
    expect(top.map(([id, r, s]) => [id, minutes(r), minutes(s)])).toEqual([
      ['T1', 15, 480],
      ['T3', 30, 120],
      ['T4', 30, 120],
      ['T5', 5, 180],
    ]);
  });

  it('T11: the service desk limits', () => {
    expect(SERVICE_DESK_LIMITS).toMatchObject({
      remoteGuidanceMaxMinutes: 5,
      dispatchWithinMinutes: 10,
      confirmExecutionWithinMinutes: 30,
      redispatchWithinMinutes: 10,
      escalateToProjectManagerWithinMinutes: 20,
      firstLineResolutionShare: { min: 0.3, max: 0.5 },
      vendorProgressEveryWorkdays: 3,
      monthlyServiceSummaryByDay: 5,
      monthlyRepairSummaryByDay: 10,
    });
  });

  it('say which calendar they count on, naming the 5×8 hours', () => {
    expect(Object.fromEntries(templates.map((t) => [t.id, t.calendarsUsed.map((c) => c.name)]))).toEqual({
      T1: ['7×24小时'],
      T2: ['7×24小时', '5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）'],
      T3: ['7×24小时', '5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）'],
      T4: ['7×24小时', '每天12小时（08:00–20:00）', '每天8小时（09:00–17:00）'],
      T5: ['7×24小时', '5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）'],
      T6: ['7×24小时'],
    });
  });

  it('hands out fresh copies', () => {
    const a = slaTemplates();
    a[0].policies[0].warnings.push(90);
    a[0].policies[0].escalation.pop();
    const b = slaTemplates();
    expect(b[0].policies[0].warnings).toEqual([50, 80]);
    expect(b[0].policies[0].escalation).toHaveLength(1);
    expect(b[1].policies[0].pauseOn).toEqual({ resolution: ['waiting_customer'] });
  });
});
