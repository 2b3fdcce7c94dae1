import type { DbOrTx } from '../../db/index.js';
import { ilike } from '../../db/dialect.js';
import { recordAudit, type AuditActor } from '../../platform/audit/service.js';
import { emit } from '../../platform/notify/service.js';
import { indexArticle } from './search.js';
import { bilingual, reviewers } from './service.js';

/**
 * "Needs review when a linked CI type changes" (docs/KNOWLEDGE.md): an article names the CI types
 * it applies to as free words (打印机, server_physical …). When an administrator changes a type's
 * attributes, every published article naming the type — by its code or either name — goes to
 * needs_review and its owner (or, without one, the reviewers) is told. Runs in the caller's
 * transaction, with an audit entry per article. Returns how many articles were marked.
 */
export async function reviewArticlesOfCiType(trx: DbOrTx, actor: AuditActor, type: { code: string; nameZh: string; nameEn: string }, now: number): Promise<number> {
  const labels = [...new Set([type.code, type.nameZh, type.nameEn].map((l) => l.trim()).filter(Boolean))];
  // ci_types is a JSON array of strings: match each label as a whole element, quotes included.
  const rows = await trx
    .selectFrom('kb_articles')
    .select(['id', 'title', 'version', 'owner_id', 'customer_id', 'ci_types'])
    .where('state', '=', 'published')
    .where((eb) => eb.or(labels.map((l) => ilike('ci_types', JSON.stringify(l)))))
    .orderBy('id')
    .execute();
  let marked = 0;
  for (const row of rows) {
    const named = (JSON.parse(row.ci_types) as string[]).map((x) => x.trim().toLowerCase());
    if (!labels.some((l) => named.includes(l.toLowerCase()))) continue;
    const res = await trx
      .updateTable('kb_articles')
      .set({ state: 'needs_review', version: row.version + 1, updated_at: now })
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) continue;
    marked++;
    const id = Number(row.id);
    await recordAudit(trx, actor, { action: 'review_due', entity: 'kb_articles', entityId: id, customerId: row.customer_id, before: { state: 'published' }, after: { state: 'needs_review', ciType: type.code } }, now);
    const recipients = row.owner_id === null ? await reviewers(trx) : [Number(row.owner_id)];
    if (recipients.length) {
      await emit(trx, { type: 'knowledge.review', recipients, customerId: null, entity: 'kb_articles', entityId: id, title: bilingual('knowledge.notify.ciTypeChanged', { title: row.title, type: { zh: type.nameZh, en: type.nameEn } }), link: `/knowledge/${id}`, occurredAt: now }, now);
    }
    await indexArticle(trx, id);
  }
  return marked;
}
