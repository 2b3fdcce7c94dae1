import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickAssignee } from './assignment.js';

describe('automatic assignment inside a team', () => {
  it('round robin: the next member after the last one, wrapping around', () => {
    expect(pickAssignee('round_robin', [7, 3, 5], null)).toBe(3);
    expect(pickAssignee('round_robin', [3, 5, 7], 3)).toBe(5);
    expect(pickAssignee('round_robin', [3, 5, 7], 7)).toBe(3);
    // The last one left the team: continue with whoever comes after his id.
    expect(pickAssignee('round_robin', [3, 7], 5)).toBe(7);
    let last: number | null = null;
    const seq: number[] = [];
    for (let i = 0; i < 6; i++) seq.push((last = pickAssignee('round_robin', [3, 5, 7], last)!));
    expect(seq).toEqual([3, 5, 7, 3, 5, 7]);
  });

  it('least loaded: the fewest open tickets, ties in round-robin order', () => {
    const loads = new Map([
      [3, 4],
      [5, 1],
      [7, 1],
    ]);
    expect(pickAssignee('least_loaded', [3, 5, 7], null, loads)).toBe(5);
    expect(pickAssignee('least_loaded', [3, 5, 7], 5, loads)).toBe(7);
    expect(pickAssignee('least_loaded', [3, 5, 7], 7, loads)).toBe(5);
    // Members without open tickets count 0.
    expect(pickAssignee('least_loaded', [3, 5, 7, 9], 7, loads)).toBe(9);
  });

  it('manual, or nobody able to work tickets: no assignee', () => {
    expect(pickAssignee('manual', [3, 5], null)).toBeNull();
    expect(pickAssignee('round_robin', [], 3)).toBeNull();
    expect(pickAssignee('least_loaded', [], 3, new Map())).toBeNull();
  });

  it('always picks a candidate, and round robin gives everyone a turn before anyone gets a second', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }), fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }), (members, start) => {
        let last = start;
        const seen: number[] = [];
        for (let i = 0; i < members.length; i++) {
          last = pickAssignee('round_robin', members, last)!;
          expect(members).toContain(last);
          seen.push(last);
        }
        expect(new Set(seen).size).toBe(members.length);
      }),
    );
  });
});
