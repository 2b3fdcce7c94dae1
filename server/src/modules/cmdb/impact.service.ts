import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { chunks, walkImpact, type Direction, type Neighbour } from '../../core/cmdb/impact.js';
import { SERVICE_TYPE_CODES, type CiStatus, type RelationType } from '../../core/cmdb/rules.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import type { Actor, CustomerScope } from '../../platform/auth/actor.js';
import type { CiService } from './cis.service.js';
import * as repo from './repo.js';
import type { ImpactOut } from './schema.js';
import { ciInScope } from './scope.js';
import { typeMap } from './types.service.js';

interface NodeRow {
  id: number;
  code: string;
  name: string;
  type_id: number;
  status: string;
  criticality: number;
  customer_id: number;
}

/** At most this many open tickets are listed (every affected CI still counts its own). */
const MAX_TICKETS = 200;

/**
 * One level of the walk: the edges touching these CIs in `direction`, with the CI at the other
 * end, in one statement per 500 ids (two index lookups joined by UNION ALL: ci_relations_target
 * for edges pointing at the level, ci_relations_edge for edges leaving it). Failure travels from
 * target to source except on part_of, where it travels from the part (source) to the whole.
 */
async function fetchLevel(db: Db, scope: CustomerScope, ids: number[], direction: Direction): Promise<Array<Neighbour<NodeRow>>> {
  // Two steps, the level's edges and then the CIs at their other ends by id: joined in one query,
  // PostgreSQL misjudges how many edges a level has (a core switch's thousands skew the statistics)
  // and hashes the whole cis table; apart, each step is an index range (docs/CMDB.md, Performance).
  const edges: Array<{ from: number; other: number; edge: Neighbour<NodeRow>['edge'] }> = [];
  // up: dependants — sources of edges pointing at the level (not part_of), wholes of its parts (part_of).
  // down: providers — targets of edges leaving the level (not part_of), parts of the level (part_of).
  const [byTarget, bySource] = direction === 'up' ? [sql`<>`, sql`=`] : [sql`=`, sql`<>`];
  for (const part of chunks(ids)) {
    const list = sql.join(part);
    const rows = await sql<{ id: number; source_id: number; target_id: number; type: string; by_target: number }>`
      select id, source_id, target_id, type, 1 as by_target from ci_relations where target_id in (${list}) and type ${byTarget} 'part_of'
      union all
      select id, source_id, target_id, type, 0 as by_target from ci_relations where source_id in (${list}) and type ${bySource} 'part_of'`.execute(db);
    for (const r of rows.rows) {
      const [from, other] = Number(r.by_target) === 1 ? [Number(r.target_id), Number(r.source_id)] : [Number(r.source_id), Number(r.target_id)];
      edges.push({ from, other, edge: { id: Number(r.id), source: Number(r.source_id), target: Number(r.target_id), type: r.type as RelationType } });
    }
  }
  const nodes = new Map<number, NodeRow>();
  for (const part of chunks([...new Set(edges.map((e) => e.other))])) {
    const rows = await db
      .selectFrom('cis')
      .select(['id', 'code', 'name', 'type_id', 'status', 'criticality', 'customer_id'])
      .where('id', 'in', part)
      .where(ciInScope(scope))
      .execute();
    for (const c of rows) nodes.set(Number(c.id), { id: Number(c.id), code: c.code, name: c.name, type_id: Number(c.type_id), status: c.status, criticality: Number(c.criticality), customer_id: Number(c.customer_id) });
  }
  const out: Array<Neighbour<NodeRow>> = [];
  for (const e of edges) {
    const node = nodes.get(e.other);
    if (node) out.push({ from: e.from, edge: e.edge, node });
  }
  return out;
}

/**
 * Impact analysis (docs/CMDB.md): from one CI, the CIs affected if it fails (up) or what it
 * relies on (down), to a depth, with the applications reached, the customers concerned and the
 * open tickets naming any of them. `depth` queries of the relations (per 500 CIs of a level),
 * then one query per 500 CIs for their open tickets.
 */
export class ImpactService {
  constructor(
    private readonly db: Db,
    private readonly cis: CiService,
  ) {}

  async impact(actor: Actor, id: number, q: { direction: 'up' | 'down' | 'both'; depth: number; maxNodes: number }): Promise<ImpactOut> {
    const started = performance.now();
    const root = await this.cis.find(actor, id);
    const start: NodeRow = { id: Number(root.id), code: root.code, name: root.name, type_id: Number(root.type_id), status: root.status, criticality: root.criticality, customer_id: Number(root.customer_id) };
    const walk = await walkImpact(start, { direction: q.direction, depth: q.depth, maxNodes: q.maxNodes }, (ids, dir) => fetchLevel(this.db, actor.scope, ids, dir));
    const nodeIds = walk.nodes.map((n) => n.node.id);
    const [types, tickets, customers] = await Promise.all([
      typeMap(this.db),
      this.openTickets(nodeIds),
      repo.namesOf(this.db, 'customers', [...new Set(walk.nodes.map((n) => n.node.customer_id))]),
    ]);
    const ticketCount = new Map<number, number>();
    for (const tk of tickets.values()) for (const ci of tk.ciIds) ticketCount.set(ci, (ticketCount.get(ci) ?? 0) + 1);
    const nodes = walk.nodes.map((n) => {
      const type = types.get(n.node.type_id);
      return {
        id: n.node.id,
        code: n.node.code,
        name: n.node.name,
        typeId: n.node.type_id,
        typeCode: type?.code ?? '',
        typeName: type?.name_zh ?? '',
        status: n.node.status as CiStatus,
        criticality: n.node.criticality,
        customerId: n.node.customer_id,
        depth: n.depth,
        directions: n.directions,
        openTickets: ticketCount.get(n.node.id) ?? 0,
      };
    });
    const perCustomer = new Map<number, number>();
    for (const n of nodes) perCustomer.set(n.customerId, (perCustomer.get(n.customerId) ?? 0) + 1);
    return {
      root: start.id,
      direction: q.direction,
      depth: q.depth,
      levels: walk.levels,
      truncated: walk.truncated,
      nodes,
      edges: walk.edges,
      services: nodes.filter((n) => n.id !== start.id && SERVICE_TYPE_CODES.includes(n.typeCode)).sort((a, b) => a.criticality - b.criticality || a.code.localeCompare(b.code)).map((n) => ({ id: n.id, code: n.code, name: n.name, criticality: n.criticality, status: n.status })),
      customers: [...perCustomer.entries()].map(([cid, count]) => ({ id: cid, name: customers.get(cid) ?? '', cis: count })),
      openTickets: [...tickets.values()].sort((a, b) => b.id - a.id).slice(0, MAX_TICKETS),
      tookMs: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  /** Open tickets naming any of these CIs (ticket_cis_ci, then the tickets by id). */
  private async openTickets(ciIds: number[]): Promise<Map<number, { id: number; number: string; title: string; state: string; priority: string; ciIds: number[] }>> {
    const out = new Map<number, { id: number; number: string; title: string; state: string; priority: string; ciIds: number[] }>();
    for (const part of chunks(ciIds)) {
      const rows = await this.db
        .selectFrom('ticket_cis')
        .innerJoin('tickets', 'tickets.id', 'ticket_cis.ticket_id')
        .select(['ticket_cis.ci_id', 'tickets.id', 'tickets.number', 'tickets.title', 'tickets.state', 'tickets.priority'])
        .where('ticket_cis.ci_id', 'in', part)
        .where('tickets.state', 'in', [...OPEN_STATES])
        .execute();
      for (const r of rows) {
        const id = Number(r.id);
        const tk = out.get(id) ?? { id, number: r.number, title: r.title, state: r.state, priority: r.priority, ciIds: [] };
        tk.ciIds.push(Number(r.ci_id));
        out.set(id, tk);
      }
    }
    return out;
  }
}
