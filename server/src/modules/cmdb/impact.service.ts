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
  const out: Array<Neighbour<NodeRow>> = [];
  for (const part of chunks(ids)) {
    const list = sql.join(part);
    // up: dependants — sources of edges pointing at the level (not part_of), wholes of its parts (part_of).
    // down: providers — targets of edges leaving the level (not part_of), parts of the level (part_of).
    const [byTarget, bySource] = direction === 'up' ? [sql`<>`, sql`=`] : [sql`=`, sql`<>`];
    const rows = await sql<NodeRow & { rid: number; source_id: number; target_id: number; rtype: string; from_id: number }>`
      select r.id as rid, r.source_id, r.target_id, r.type as rtype, r.target_id as from_id,
             c.id, c.code, c.name, c.type_id, c.status, c.criticality, c.customer_id
        from ci_relations r join cis c on c.id = r.source_id
       where r.target_id in (${list}) and r.type ${byTarget} 'part_of' and ${ciInScope(scope, 'c.customer_id')}
      union all
      select r.id as rid, r.source_id, r.target_id, r.type as rtype, r.source_id as from_id,
             c.id, c.code, c.name, c.type_id, c.status, c.criticality, c.customer_id
        from ci_relations r join cis c on c.id = r.target_id
       where r.source_id in (${list}) and r.type ${bySource} 'part_of' and ${ciInScope(scope, 'c.customer_id')}`.execute(db);
    for (const r of rows.rows) {
      out.push({
        from: Number(r.from_id),
        edge: { id: Number(r.rid), source: Number(r.source_id), target: Number(r.target_id), type: r.rtype as RelationType },
        node: { id: Number(r.id), code: r.code, name: r.name, type_id: Number(r.type_id), status: r.status, criticality: Number(r.criticality), customer_id: Number(r.customer_id) },
      });
    }
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
