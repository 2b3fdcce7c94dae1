/**
 * Automatic assignment inside a team (REQ §2.1): who of the members able to work the ticket gets
 * it. Pure: the tickets service reads the team's rotation (the member given a ticket last) and,
 * for least-loaded, each candidate's open tickets, under a lock, and stores the choice.
 *
 * - `round_robin`: the next candidate after the last one, in id order, wrapping around;
 * - `least_loaded`: the candidate with the fewest open tickets; ties go by the round-robin order,
 *   so equally loaded members still take turns;
 * - `manual`: nobody; the ticket waits in the team's queue.
 */
export type AssignmentMode = 'round_robin' | 'least_loaded' | 'manual';

export function pickAssignee(mode: AssignmentMode, candidates: readonly number[], lastUserId: number | null, loads?: ReadonlyMap<number, number>): number | null {
  if (mode === 'manual' || !candidates.length) return null;
  const sorted = [...new Set(candidates)].sort((a, b) => a - b);
  // The rotation order: those after the last one given a ticket, then from the start.
  const after = lastUserId === null ? sorted : [...sorted.filter((u) => u > lastUserId), ...sorted.filter((u) => u <= lastUserId)];
  if (mode === 'round_robin') return after[0];
  let best = after[0];
  let bestLoad = loads?.get(best) ?? 0;
  for (const u of after) {
    const load = loads?.get(u) ?? 0;
    if (load < bestLoad) {
      best = u;
      bestLoad = load;
    }
  }
  return best;
}

export function isAutomatic(mode: string): mode is Exclude<AssignmentMode, 'manual'> {
  return mode === 'round_robin' || mode === 'least_loaded';
}
