import { describe, expect, it } from 'vitest';
import { layoutProblems, reportNumber, resolveSections, REPORT_TYPES, SECTIONS } from './templates.js';
import { KPIS } from './kpis.js';

describe('report templates', () => {
  it('the CMDB family: parts and vendor repairs in the monthly, quarterly and annual reports and the fault analysis, assets in the quarterly and annual O&M reports', () => {
    for (const type of ['monthly_service', 'monthly_repair', 'quarterly_om', 'annual_om', 'fault_analysis'] as const) expect(REPORT_TYPES[type].sections).toContain('parts_vendor');
    expect(REPORT_TYPES.quarterly_om.sections).toContain('assets');
    expect(REPORT_TYPES.annual_om.sections).toContain('assets');
    expect(REPORT_TYPES.monthly_service.sections).not.toContain('assets');
    const on = resolveSections('annual_om', undefined, new Set(['parts', 'assets']), 'zh-CN');
    expect(on.find((x) => x.key === 'parts_vendor')).toMatchObject({ hidden: false, unavailable: false, title: '备件与厂商维修' });
    expect(on.find((x) => x.key === 'assets')).toMatchObject({ hidden: false, unavailable: false, title: '资产与盘点' });
    expect(resolveSections('annual_om', undefined, new Set(), 'zh-CN').find((x) => x.key === 'assets')).toMatchObject({ hidden: true, unavailable: true });
    // The direct KPIs are read from their tables, never from the ticket measures.
    const direct = KPIS.filter((k) => k.direct);
    expect(direct.map((k) => k.code).sort()).toEqual(['parts.requisitions', 'parts.standins.overdue', 'vendor.reports.ontime_rate', 'vendor.returns.target_rate', 'vendor.turnaround.mean']);
    for (const k of direct) expect([k.num, k.den, k.special, k.percentileOf]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('every type lists known sections and answers a requirement of REQ §5.1', () => {
    for (const def of Object.values(REPORT_TYPES)) {
      expect(def.sections.length).toBeGreaterThan(2);
      for (const s of def.sections) expect(SECTIONS).toHaveProperty(s);
      expect(def.req).toMatch(/^R\d+/);
    }
  });

  it('sections of modules not enabled are hidden by default and marked unavailable, never faked', () => {
    const s = resolveSections('monthly_service', undefined, new Set(), 'zh-CN');
    const inspections = s.find((x) => x.key === 'inspections')!;
    expect(inspections).toMatchObject({ hidden: true, unavailable: true, title: '巡检' });
    expect(s.find((x) => x.key === 'sla')).toMatchObject({ hidden: false, unavailable: false });
    expect(resolveSections('monthly_service', undefined, new Set(['inspections']), 'zh-CN').find((x) => x.key === 'inspections')).toMatchObject({ hidden: false, unavailable: false });
    // A plan may show it: it then prints the honest "not enabled" line (unavailable stays true).
    expect(resolveSections('monthly_service', [{ key: 'inspections', hidden: false }], new Set(), 'zh-CN')[0]).toMatchObject({ key: 'inspections', hidden: false, unavailable: true });
  });

  it('a contract layout reorders, hides, renames and adds narrative sections; left-out sections follow hidden', () => {
    const s = resolveSections('monthly_repair', [{ key: 'custom:safety', title: '安全生产情况' }, { key: 'summary', title: '本月概况' }, { key: 'repairs', hidden: true }], new Set(), 'zh-CN');
    expect(s.slice(0, 3).map((x) => [x.key, x.title, x.hidden, x.kind])).toEqual([
      ['custom:safety', '安全生产情况', false, 'narrative'],
      ['summary', '本月概况', false, 'narrative'],
      ['repairs', '维修服务', true, 'data'],
    ]);
    expect(s.slice(3).every((x) => x.hidden)).toBe(true);
    expect(s.map((x) => x.key)).toContain('next_plan');
  });

  it('layout problems name the entry', () => {
    expect(layoutProblems([{ key: 'sla' }, { key: 'sla' }, { key: 'nope' }, { key: 'custom:x' }, { key: 'custom:BAD KEY', title: 'x' }])).toEqual([
      { index: 1, code: 'reports.layout.duplicate', key: 'sla' },
      { index: 2, code: 'reports.layout.unknownSection', key: 'nope' },
      { index: 3, code: 'reports.layout.customTitle', key: 'custom:x' },
      { index: 4, code: 'reports.layout.customKey', key: 'custom:BAD KEY' },
    ]);
  });

  it('numbers: RPT-<type>-<period>-<customer>[-<contract>]', () => {
    expect(reportNumber('monthly_service', '2026-11', 'HOSP01', null)).toBe('RPT-MS-202611-HOSP01');
    expect(reportNumber('quarterly_om', '2026-Q4', 'HOSP01', 'HT-2')).toBe('RPT-QO-2026Q4-HOSP01-HT-2');
  });
});
