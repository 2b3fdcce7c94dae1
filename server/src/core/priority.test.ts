import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY_MATRIX, priorityOf, validateMatrix, type PriorityMatrix } from './priority.js';

const codes = (m: unknown) => validateMatrix(m).map((p) => `${p.field} ${p.code}`);
const copy = (): PriorityMatrix => structuredClone(DEFAULT_PRIORITY_MATRIX);

describe('priority matrix', () => {
  it('the default is valid and maps impact × urgency to P1 … P4', () => {
    expect(validateMatrix(DEFAULT_PRIORITY_MATRIX)).toEqual([]);
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 'high', 'high')).toBe('P1');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 'high', 'low')).toBe('P3');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 'medium', 'medium')).toBe('P3');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 'low', 'low')).toBe('P4');
    expect(DEFAULT_PRIORITY_MATRIX.levels.map((l) => l.name)).toEqual(['紧急', '高', '中', '低']);
  });

  it('throws for unknown impact or urgency, inherited keys included', () => {
    expect(() => priorityOf(DEFAULT_PRIORITY_MATRIX, 'huge', 'high')).toThrowError(expect.objectContaining({ code: 'priority.impact.unknown' }));
    expect(() => priorityOf(DEFAULT_PRIORITY_MATRIX, 'high', 'now')).toThrowError(expect.objectContaining({ code: 'priority.urgency.unknown' }));
    expect(() => priorityOf(DEFAULT_PRIORITY_MATRIX, 'constructor', 'high')).toThrowError(expect.objectContaining({ code: 'priority.impact.unknown' }));
    expect(() => priorityOf(DEFAULT_PRIORITY_MATRIX, 'high', 'toString')).toThrowError(expect.objectContaining({ code: 'priority.urgency.unknown' }));
  });

  it('reports missing and unknown cells', () => {
    const m = copy();
    delete (m.cells.low as Record<string, string>).low;
    m.cells.medium.high = 'P9';
    (m.cells as Record<string, Record<string, string>>).extreme = { high: 'P1' };
    m.cells.high.extra = 'P1';
    expect(codes(m)).toEqual([
      'cells.high.extra priority.cell.unknownUrgency',
      'cells.extreme priority.cell.unknownImpact',
      'cells.medium.high priority.cell.unknownLevel',
      'cells.low.low priority.cell.missing',
    ]);
  });

  it('reports a combination that outranks a more severe neighbour', () => {
    const m = copy();
    m.cells.low.high = 'P1'; // medium × high is only P2
    m.cells.high.low = 'P2'; // high × medium is P2 too: fine
    expect(codes(m)).toEqual(['cells.low.high priority.cell.notMonotone']);
  });

  it('reports duplicate codes, bad ranks and empty axes', () => {
    const m = copy();
    m.levels[1].code = 'P1';
    m.levels[2].rank = 1;
    m.levels[3].rank = 0;
    m.urgencies = [];
    expect(codes(m)).toEqual([
      'urgencies priority.required',
      'levels[1].code priority.code.duplicate',
      'levels[2].rank priority.rank.duplicate',
      'levels[3].rank priority.rank.invalid',
      'cells.high.high priority.cell.unknownUrgency',
      'cells.high.medium priority.cell.unknownUrgency',
      'cells.high.low priority.cell.unknownUrgency',
      'cells.medium.high priority.cell.unknownUrgency',
      'cells.medium.medium priority.cell.unknownUrgency',
      'cells.medium.low priority.cell.unknownUrgency',
      'cells.low.high priority.cell.unknownUrgency',
      'cells.low.medium priority.cell.unknownUrgency',
      'cells.low.low priority.cell.unknownUrgency',
    ]);
    expect(codes(null)).toEqual([' priority.type.invalid']);
    expect(codes({ impacts: [{ code: 'a' }], urgencies: [{ code: 'b', name: 'B' }], levels: [{ code: 'L', name: 'L', rank: 1 }], cells: [] })).toEqual([
      'impacts[0].name priority.required',
      'cells priority.type.invalid',
    ]);
  });
});
