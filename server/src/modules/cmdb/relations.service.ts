import type { Db, DbOrTx } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { closesCycle } from '../../core/cmdb/impact.js';
import { ACYCLIC_TYPES, isAcyclic, RELATION_ZH, type CiStatus, type RelationType } from '../../core/cmdb/rules.js';
import { type Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { CiService, requireProvider } from './cis.service.js';
import * as repo from './repo.js';
import type { RelationCreate, RelationOut } from './schema.js';
import { typeMap } from './types.service.js';

/**
 * Relationships between CIs (docs/CMDB.md, "Relationships"): typed edges between CIs of the
 * same customer. A duplicate edge is refused; runs_on / hosted_in / part_of may not close a
 * cycle among themselves (core/cmdb/rules.ts); connects_to, depends_on and backed_up_by may.
 * Each change is written to both CIs' history.
 */
export class RelationService {
  constructor(
    private readonly db: Db,
    private readonly cis: CiService,
  ) {}

  async list(actor: Actor, ciId: number): Promise<{ outgoing: RelationOut[]; incoming: RelationOut[] }> {
    await this.cis.find(actor, ciId);
    const { outgoing, incoming } = await repo.relationsOf(this.db, ciId);
    const outs = await this.outs(actor, [...outgoing, ...incoming]);
    return { outgoing: outs.slice(0, outgoing.length), incoming: outs.slice(outgoing.length) };
  }

  private async outs(actor: Actor, rows: repo.RelationRow[]): Promise<RelationOut[]> {
    const ids = rows.flatMap((r) => [Number(r.source_id), Number(r.target_id)]);
    const [cis, types] = await Promise.all([repo.cisByIds(this.db, actor.scope, ids), typeMap(this.db)]);
    const byId = new Map(cis.map((c) => [Number(c.id), c]));
    const ref = (id: number) => {
      const c = byId.get(id);
      const type = c ? types.get(Number(c.type_id)) : undefined;
      return { id, code: c?.code ?? '', name: c?.name ?? '', typeCode: type?.code ?? '', typeName: type?.name_zh ?? '', status: (c?.status ?? 'in_use') as CiStatus };
    };
    return rows.map((r) => ({ id: Number(r.id), type: r.type as RelationType, source: ref(Number(r.source_id)), target: ref(Number(r.target_id)), note: r.note, createdAt: iso(Number(r.created_at)) }));
  }

  async add(actor: Actor, ciId: number, input: RelationCreate): Promise<RelationOut> {
    requireProvider(actor);
    const self = await this.cis.find(actor, ciId);
    // The other end: in the caller's scope and of the same customer, else it is not there for him.
    const other = await repo.findCi(this.db, actor.scope, input.targetId);
    if (!other) throw AppError.field('targetId', 'cmdb.relation.otherCustomer');
    if (Number(other.customer_id) !== Number(self.customer_id)) throw AppError.field('targetId', 'cmdb.relation.otherCustomer');
    const [source, target] = input.direction === 'out' ? [self, other] : [other, self];
    const s = Number(source.id);
    const tId = Number(target.id);
    if (s === tId) throw AppError.field('targetId', 'cmdb.relation.self');
    try {
      const id = await this.db.transaction().execute(async (trx) => {
        if (await repo.relationExists(trx, s, tId, input.type)) throw new AppError(409, 'duplicate', 'cmdb.relation.duplicate', {}, [{ field: 'targetId', code: 'cmdb.relation.duplicate' }]);
        if (isAcyclic(input.type) && (await closesCycle(s, tId, (ids) => repo.targetsOf(trx, ids, ACYCLIC_TYPES)))) {
          const params = { type: RELATION_ZH[input.type], source: source.code, target: target.code };
          throw new AppError(409, 'cycle', 'cmdb.relation.cycle', params, [{ field: 'targetId', code: 'cmdb.relation.cycle', params }]);
        }
        const now = Date.now();
        const id = await repo.insertRelation(trx, { customer_id: Number(self.customer_id), source_id: s, target_id: tId, type: input.type, note: input.note, created_at: now, created_by: actor.userId || null });
        const change = { relationId: id, type: input.type, sourceId: s, sourceCode: source.code, targetId: tId, targetCode: target.code, note: input.note };
        await repo.insertHistory(trx, [
          { ci_id: s, at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action: 'related', changes: JSON.stringify(change) },
          { ci_id: tId, at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action: 'related', changes: JSON.stringify(change) },
        ]);
        await this.audit(trx, actor, 'relate', id, Number(self.customer_id), change, now);
        return id;
      });
      const [out] = await this.outs(actor, [(await repo.findRelation(this.db, actor.scope, id))!]);
      return out;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError(409, 'duplicate', 'cmdb.relation.duplicate', {}, [{ field: 'targetId', code: 'cmdb.relation.duplicate' }]);
      throw err;
    }
  }

  async remove(actor: Actor, relationId: number): Promise<void> {
    requireProvider(actor);
    const rel = await repo.findRelation(this.db, actor.scope, relationId);
    if (!rel) throw AppError.notFound();
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ends = await repo.cisByIds(trx, { kind: 'all' }, [Number(rel.source_id), Number(rel.target_id)]);
      const code = (id: number) => ends.find((c) => Number(c.id) === id)?.code ?? '';
      const change = { relationId, type: rel.type, sourceId: Number(rel.source_id), sourceCode: code(Number(rel.source_id)), targetId: Number(rel.target_id), targetCode: code(Number(rel.target_id)) };
      await trx.deleteFrom('ci_relations').where('id', '=', relationId).execute();
      await repo.insertHistory(trx, [
        { ci_id: Number(rel.source_id), at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action: 'unrelated', changes: JSON.stringify(change) },
        { ci_id: Number(rel.target_id), at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action: 'unrelated', changes: JSON.stringify(change) },
      ]);
      await this.audit(trx, actor, 'unrelate', relationId, Number(rel.customer_id), change, now);
    });
  }

  private async audit(trx: DbOrTx, actor: Actor, action: string, id: number, customerId: number, after: unknown, now: number) {
    await recordAudit(trx, auditActorOf(actor), { action, entity: 'ci_relations', entityId: id, customerId, after }, now);
  }
}
