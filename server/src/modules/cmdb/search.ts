import type { DbOrTx } from '../../db/index.js';
import { valueText, type AttributeValues } from '../../core/cmdb/attributes.js';
import { STATUS_ZH, type CiStatus } from '../../core/cmdb/rules.js';
import { chunks } from '../../core/cmdb/impact.js';
import { parseQuery } from '../../core/search/query.js';
import type { Actor } from '../../platform/auth/actor.js';
import { indexDocs, removeDoc, type SearchDoc } from '../search/indexer.js';
import { registerSearchSource } from '../search/reindex.js';
import { searchKind } from '../search/engine.js';
import type { CiRow, TypeRow } from './repo.js';
import { defsOf } from './types.service.js';

/**
 * CIs in the one full-text search (modules/search, docs/SEARCH.md): code, name, brand, model,
 * serial, host name, every address, the type and the attribute values; the customer's own
 * users find their CIs (read-only in the portal). Every write of a CI re-indexes it in its
 * transaction; `yunwei search reindex` reads the same function.
 */
export function ciDoc(row: CiRow, type: TypeRow | undefined, addresses: string[]): SearchDoc {
  const values = JSON.parse(row.attributes) as AttributeValues;
  const defs = type ? defsOf(type) : [];
  const attrText = defs
    .map((d) => (values[d.key] === undefined || d.kind === 'ip' || d.kind === 'ips' ? '' : `${d.zh} ${valueText(d, values[d.key])}`))
    .filter(Boolean)
    .join('\n');
  return {
    kind: 'ci',
    refId: Number(row.id),
    customerId: Number(row.customer_id),
    audience: 'customers',
    title: `${row.code} ${row.name}`,
    body: [type?.name_zh ?? '', row.brand ?? '', row.model ?? '', attrText, row.description ?? ''].filter(Boolean).join('\n'),
    extra: [row.code, row.serial ?? '', row.hostname ?? '', ...addresses].filter(Boolean).join(' '),
    state: STATUS_ZH[row.status as CiStatus] ? row.status : undefined,
    open: row.status !== 'retired',
    at: Number(row.updated_at),
  };
}

/** Re-indexes these CIs as they now stand (call in the writing transaction). */
export async function indexCis(db: DbOrTx, ids: number[]): Promise<void> {
  if (!ids.length) return;
  const types = new Map((await db.selectFrom('ci_types').selectAll().execute()).map((t) => [Number(t.id), t]));
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('cis').selectAll().where('id', 'in', part).execute();
    const addrs = await db.selectFrom('ci_addresses').select(['ci_id', 'ip']).where('ci_id', 'in', part).orderBy('ip').execute();
    const byCi = new Map<number, string[]>();
    for (const a of addrs) byCi.set(Number(a.ci_id), [...(byCi.get(Number(a.ci_id)) ?? []), a.ip]);
    await indexDocs(db, rows.map((r) => ciDoc(r, types.get(Number(r.type_id)), byCi.get(Number(r.id)) ?? [])));
  }
}

export async function unindexCi(db: DbOrTx, id: number): Promise<void> {
  await removeDoc(db, 'ci', id);
}

registerSearchSource({
  kind: 'ci',
  count: async (db) => Number((await db.selectFrom('cis').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  async batch(db, afterId, limit) {
    const rows = await db.selectFrom('cis').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    if (!rows.length) return { docs: [], lastId: null };
    const ids = rows.map((r) => Number(r.id));
    const types = new Map((await db.selectFrom('ci_types').selectAll().execute()).map((t) => [Number(t.id), t]));
    const addrs = await db.selectFrom('ci_addresses').select(['ci_id', 'ip']).where('ci_id', '>=', ids[0]).where('ci_id', '<=', ids[ids.length - 1]).execute();
    const byCi = new Map<number, string[]>();
    for (const a of addrs) byCi.set(Number(a.ci_id), [...(byCi.get(Number(a.ci_id)) ?? []), a.ip]);
    return { docs: rows.map((r) => ciDoc(r, types.get(Number(r.type_id)), byCi.get(Number(r.id)) ?? [])), lastId: ids[ids.length - 1] };
  },
});

/** CI ids matching words of `text` for this caller (the list's search box), best first. */
export async function matchCis(db: DbOrTx, actor: Pick<Actor, 'customerId' | 'scope'>, text: string, limit: number, customerId?: number): Promise<number[]> {
  const parsed = parseQuery(text);
  if (!parsed.terms.length) return [];
  const viewer = actor.customerId !== null ? { staff: false as const, customerId: actor.customerId } : { staff: true as const, scope: actor.scope };
  const { hits } = await searchKind(db, parsed, viewer, { kind: 'ci', customerId }, { limit, offset: 0, cap: limit, now: Date.now() });
  return hits.map((h) => h.ref_id);
}
