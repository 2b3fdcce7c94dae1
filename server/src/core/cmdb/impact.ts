import type { RelationType } from './rules.js';

/**
 * Impact analysis (docs/CMDB.md, "Impact analysis"): a breadth-first walk from one CI over
 * its relationships, level by level. The caller fetches the neighbours of a whole level at once
 * (one indexed query per level and direction, in chunks), so the walk costs `depth` round
 * trips, not one per CI. Each CI is visited once per direction (a visited set), so cycles
 * (connects_to rings, mutual depends_on) end; the walk stops adding CIs at `maxNodes` and says
 * it was truncated.
 *
 * Directions:
 * - `up`: the CIs affected if the start fails — its dependants, towards the applications;
 * - `down`: what the start relies on — its infrastructure, towards the machine room;
 * - `both`: the two walks from the start, each keeping its own direction (a sibling reached
 *   by going down then up is not "affected").
 */
export type Direction = 'up' | 'down';
export type ImpactDirection = Direction | 'both';

export interface ImpactEdge {
  id: number;
  source: number;
  target: number;
  type: RelationType;
}

/** One edge found from a CI of the level, with the CI at its other end. */
export interface Neighbour<N> {
  /** The CI of the level the edge was found from. */
  from: number;
  edge: ImpactEdge;
  /** The CI at the other end. */
  node: N & { id: number };
}

export type FetchLevel<N> = (ids: number[], direction: Direction) => Promise<Array<Neighbour<N>>>;

export interface ImpactNode<N> {
  node: N & { id: number };
  /** Levels from the start (0: the start itself). */
  depth: number;
  /** The directions it was reached in. */
  directions: Direction[];
}

export interface ImpactResult<N> {
  nodes: Array<ImpactNode<N>>;
  edges: ImpactEdge[];
  truncated: boolean;
  /** Levels actually walked (≤ depth; fewer when nothing was left to visit). */
  levels: number;
}

export async function walkImpact<N>(
  start: N & { id: number },
  opts: { direction: ImpactDirection; depth: number; maxNodes: number },
  fetchLevel: FetchLevel<N>,
): Promise<ImpactResult<N>> {
  const nodes = new Map<number, ImpactNode<N>>([[start.id, { node: start, depth: 0, directions: [] }]]);
  const edges = new Map<number, ImpactEdge>();
  const dirs: Direction[] = opts.direction === 'both' ? ['up', 'down'] : [opts.direction];
  const frontier = new Map<Direction, number[]>(dirs.map((d) => [d, [start.id]]));
  const visited = new Map<Direction, Set<number>>(dirs.map((d) => [d, new Set([start.id])]));
  let truncated = false;
  let levels = 0;
  for (let level = 1; level <= opts.depth && !truncated; level++) {
    let walked = false;
    for (const dir of dirs) {
      const ids = frontier.get(dir)!;
      if (!ids.length) continue;
      walked = true;
      const seen = visited.get(dir)!;
      const next: number[] = [];
      for (const n of await fetchLevel(ids, dir)) {
        const other = n.node.id;
        const known = nodes.get(other);
        if (!known && nodes.size >= opts.maxNodes) {
          truncated = true;
          continue;
        }
        edges.set(n.edge.id, n.edge);
        if (known) {
          if (!known.directions.includes(dir) && other !== start.id) known.directions.push(dir);
        } else {
          nodes.set(other, { node: n.node, depth: level, directions: [dir] });
        }
        if (!seen.has(other)) {
          seen.add(other);
          next.push(other);
        }
      }
      frontier.set(dir, next);
    }
    if (!walked) break;
    levels = level;
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated, levels };
}

/** Splits a list for IN (...) clauses: a few hundred ids per statement keeps every plan an index lookup. */
export function chunks<T>(list: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Whether adding `source → target` would close a cycle among acyclic edges: true when `source`
 * is reachable from `target` following the same kind of edges forward. `next(ids)` gives the
 * targets of the acyclic edges leaving these CIs (one level). Walks at most `limit` CIs.
 */
export async function closesCycle(source: number, target: number, next: (ids: number[]) => Promise<number[]>, limit = 100_000): Promise<boolean> {
  if (source === target) return true;
  const seen = new Set<number>([target]);
  let frontier = [target];
  while (frontier.length && seen.size < limit) {
    const found: number[] = [];
    for (const id of await next(frontier)) {
      if (id === source) return true;
      if (!seen.has(id)) {
        seen.add(id);
        found.push(id);
      }
    }
    frontier = found;
  }
  return false;
}
