import { escapeHtml, htmlToText, sanitizeArticleHtml } from '../../../server/src/core/knowledge/sanitize.js';
import type { ArticleKind, ArticleState, Audience } from '../../../server/src/core/knowledge/workflow.js';
import type { Db } from '../../../server/src/db/index.js';
import * as kb from '../../../server/src/modules/knowledge/repo.js';
import { articleDocs } from '../../../server/src/modules/knowledge/search.js';
import { indexDocs } from '../../../server/src/modules/search/indexer.js';
import type { SearchDoc } from '../../../server/src/modules/search/indexer.js';
import { Rng } from '../../../server/src/ops/history/prng.js';
import { SERVICES, type ServiceVocabulary } from '../../../server/src/ops/history/vocabulary.js';

/**
 * A knowledge base at scale for the search benchmark (issue #12: 20,000 articles): solutions,
 * how-tos, FAQs and known errors written from the same O&M vocabulary as the generated tickets
 * (so a ticket's words find articles), through the knowledge module's repository (article,
 * named customers, first version) and indexed by the module's own `articleDocs`. Most are
 * published for every customer; some internal, some for one or two customers, some drafts,
 * in review, due for review or archived. Deterministic for a seed.
 */

const CAUSES = [
  '硬件老化导致故障', '配置被误改', '驱动版本与系统不兼容', '磁盘空间长期未清理', '网络链路不稳定', '证书到期未及时更新', '补丁升级后服务未重启',
  '病毒或恶意程序占用资源', '电源供电不稳定', '厂商程序缺陷', '账号密码多次输错被锁定', '环境温度过高', '并发访问量超过设计容量', '备份窗口与业务高峰重叠',
];
const CHECKS = [
  '确认故障范围：单台终端还是整个科室', '查看设备指示灯和告警信息', '检查网线、电源线是否松动', '登录管理界面查看日志', '核对最近是否有变更或升级', '用 ping 和 tracert 检查网络连通性',
  '检查磁盘空间和 CPU、内存占用', '确认账号状态是否被锁定', '联系厂商获取最新驱动或补丁', '记录故障现象并截图', '在测试环境先验证再上线', '处理后观察 30 分钟确认恢复',
];
const AFTER = ['如仍未恢复，请升级至二线工程师处理。', '处理完成后请在工单中记录处理过程。', '涉及业务中断的，请先通知科室负责人。', '建议纳入每月巡检项目。', '重复发生时请提交问题单分析根本原因。'];
const PLACES = ['门诊楼', '住院部', '办公大楼', '服务大厅', '财务科', '信息科', '机房', '收费处', '办税服务厅', '教学楼'];

interface Spec {
  kind: ArticleKind;
  title: string;
  symptom: string | null;
  cause: string | null;
  appliesTo: string | null;
  bodyHtml: string;
  category: string;
  tags: string[];
  services: string[];
}

function steps(rng: Rng, fix: string): string[] {
  const out = new Set<string>();
  const n = rng.int(3, 6);
  while (out.size < n - 1) out.add(rng.pick(CHECKS));
  return [...out, fix];
}

function article(rng: Rng, s: ServiceVocabulary, n: number): Spec {
  const [object, problems] = rng.pick(s.incidents);
  const problem = rng.pick(problems);
  const fix = rng.pick(s.fixes);
  const category = rng.pick(s.categories);
  const place = rng.pick(PLACES);
  const roll = rng.next();
  const list = (items: string[]) => `<ol>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ol>`;
  const para = (t: string) => `<p>${escapeHtml(t)}</p>`;
  const common = { category, tags: [object.replace(/\s+/g, ''), problem.replace(/\s+/g, '')].slice(0, rng.int(1, 2)), services: [s.service] };
  if (roll < 0.45) {
    return {
      ...common,
      kind: 'solution',
      title: `${object}${problem}的处理方法${n % 7 === 0 ? `（${place}）` : ''}`,
      symptom: `${place}${object}${problem}，${rng.pick(['用户无法正常办公', '业务窗口受影响', '监控平台告警', '多名用户反映'])}。`,
      cause: rng.pick(CAUSES),
      appliesTo: `${object}（${s.service}）`,
      bodyHtml: para(`适用于${object}出现“${problem}”的情况。`) + list(steps(rng, fix)) + para(rng.pick(AFTER)),
    };
  }
  if (roll < 0.65) {
    const request = rng.pick(s.requests);
    return { ...common, kind: 'howto', title: `如何${request.replace(/^申请/, '办理')}`, symptom: null, cause: null, appliesTo: s.service, bodyHtml: para(`${request}的操作步骤：`) + list(steps(rng, `完成后在工单中确认${request}已生效`)) };
  }
  if (roll < 0.82) {
    const question = rng.pick(s.questions);
    return { ...common, kind: 'faq', title: `${question}？`, symptom: null, cause: null, appliesTo: s.service, bodyHtml: para(`问：${question}？`) + para(`答：${rng.pick(CHECKS)}；${fix}。${rng.pick(AFTER)}`) };
  }
  if (roll < 0.97) {
    return {
      ...common,
      kind: 'known_error',
      title: `已知问题：${object}${problem}`,
      symptom: `${object}偶发${problem}，重启后可暂时恢复。`,
      cause: rng.pick(CAUSES),
      appliesTo: `${object}`,
      bodyHtml: para(`临时规避：${rng.pick(CHECKS)}。`) + para(`永久解决：${fix}。`) + para(`厂商跟踪编号 KE-${2024 + (n % 3)}-${String(n).padStart(5, '0')}。`),
    };
  }
  return { ...common, kind: 'document', title: `${s.service}维护规范（${place}）`, symptom: null, cause: null, appliesTo: s.service, bodyHtml: para(`本规范说明${s.service}的日常巡检、故障处理和备份要求。`) + list(steps(rng, fix)) };
}

const STATES: Array<[ArticleState, number]> = [['published', 0.8], ['needs_review', 0.05], ['draft', 0.07], ['in_review', 0.05], ['archived', 0.03]];
function stateOf(rng: Rng): ArticleState {
  let r = rng.next();
  for (const [s, p] of STATES) if ((r -= p) < 0) return s;
  return 'published';
}

/**
 * Writes articles until the knowledge base holds `target` (none when it has them already),
 * `batch` a transaction, and indexes them as the module does. Returns how many were written.
 */
export async function ensureArticles(db: Db, target: number, opts: { seed?: number; now?: number; batch?: number; log?: (line: string) => void } = {}): Promise<number> {
  const have = Number((await db.selectFrom('kb_articles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (have >= target) return 0;
  const rng = new Rng((opts.seed ?? 42) + 12);
  const now = opts.now ?? Date.now();
  const batch = opts.batch ?? 500;
  const customers = (await db.selectFrom('customers').select('id').orderBy('id').execute()).map((r) => Number(r.id));
  const staff = (await db.selectFrom('users').select(['id', 'display_name']).where('customer_id', 'is', null).orderBy('id').limit(200).execute()).map((r) => ({ id: Number(r.id), name: r.display_name }));
  const span = 3 * 365 * 86_400_000;
  let written = 0;
  for (let n = have; n < target; ) {
    const ids: number[] = [];
    await db.transaction().execute(async (trx) => {
      for (const end = Math.min(target, n + batch); n < end; n++) {
        const spec = article(rng, rng.pick(SERVICES), n + 1);
        const author = rng.pick(staff);
        const state = stateOf(rng);
        const a = rng.next();
        const audience: Audience = a < 0.75 ? 'customers' : a < 0.9 ? 'internal' : 'named';
        const named = audience === 'named' ? [...new Set(Array.from({ length: rng.int(1, 2) }, () => rng.pick(customers)))] : [];
        const customerId = named.length === 1 ? named[0] : audience === 'internal' && rng.chance(0.2) ? rng.pick(customers) : null;
        // Spread over three years, newest last (ids follow time like a real base).
        const at = now - span + Math.floor(((n + 1) / target) * span) - rng.int(0, 86_400_000);
        const bodyHtml = sanitizeArticleHtml(spec.bodyHtml);
        const published = state === 'draft' || state === 'in_review' ? null : at;
        const id = await kb.insertArticle(trx, {
          kind: spec.kind, title: spec.title, symptom: spec.symptom, cause: spec.cause, applies_to: spec.appliesTo, body_html: bodyHtml, body_text: htmlToText(bodyHtml),
          category: spec.category, tags: JSON.stringify(spec.tags), services: JSON.stringify(spec.services), ci_types: '[]', audience, customer_id: customerId, state,
          owner_id: author.id, reviewer_id: published ? author.id : null, submitted_at: state === 'draft' ? null : at, published_at: published, reviewed_at: published,
          review_due_at: published ? at + 365 * 86_400_000 : null, source_ticket_id: null, version: 1, created_at: at, updated_at: at, created_by: author.id, updated_by: author.id,
        });
        await kb.setNamedCustomers(trx, id, named);
        const content = { kind: spec.kind, title: spec.title, symptom: spec.symptom, cause: spec.cause, appliesTo: spec.appliesTo, bodyHtml, category: spec.category, tags: spec.tags, linkedServices: spec.services, ciTypes: [], audience, audienceCustomerIds: named, customerId };
        await kb.insertVersion(trx, { article_id: id, version: 1, content: JSON.stringify(content), change: 'created', restored_from: null, author_id: author.id, author_name: author.name, created_at: at });
        ids.push(id);
      }
      // Indexed in the same transaction, from the module's own function (archived ones stay out).
      const docs = (await articleDocs(trx, ids)).map((x) => x.doc).filter((d): d is SearchDoc => d !== null);
      await indexDocs(trx, docs);
    });
    written += ids.length;
    opts.log?.(`articles: ${have + written}/${target}`);
  }
  return written;
}
