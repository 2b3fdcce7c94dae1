/**
 * The rules of configuration items that are not attributes (docs/CMDB.md): statuses,
 * criticality, relationship types and which of them may form cycles. Pure.
 */

/** planned → in_use ⇄ maintenance / spare → retired (a retired CI may be brought back to any state but planned). */
export const CI_STATUSES = ['planned', 'in_use', 'maintenance', 'spare', 'retired'] as const;
export type CiStatus = (typeof CI_STATUSES)[number];

export const STATUS_ZH: Record<CiStatus, string> = { planned: '规划中', in_use: '在用', maintenance: '维护中', spare: '备用', retired: '已退役' };
export const STATUS_EN: Record<CiStatus, string> = { planned: 'planned', in_use: 'in use', maintenance: 'in maintenance', spare: 'spare', retired: 'retired' };

/** 1 highest … 4 lowest. */
export const CRITICALITIES = [1, 2, 3, 4] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export const CRITICALITY_ZH: Record<Criticality, string> = { 1: '关键', 2: '高', 3: '中', 4: '低' };
export const CRITICALITY_EN: Record<Criticality, string> = { 1: 'critical', 2: 'high', 3: 'medium', 4: 'low' };

/** Whether a CI may move from one status to another: only back from retired to planned is refused (it existed). */
export function statusChangeAllowed(from: CiStatus, to: CiStatus): boolean {
  return !(from === 'retired' && to === 'planned');
}

/**
 * Typed edges, read "source <type> target":
 * - runs_on: an application or VM runs on a server / cluster / database (HIS runs_on db01);
 * - hosted_in: a device sits in a rack, a rack in a machine room;
 * - part_of: a component belongs to a whole (a disk shelf part_of a storage array);
 * - connects_to: a network link (server connects_to access switch, access connects_to core);
 * - depends_on: a logical dependency (PACS depends_on HIS's interface);
 * - backed_up_by: data protection (db01 backed_up_by the backup storage).
 */
export const RELATION_TYPES = ['runs_on', 'hosted_in', 'connects_to', 'depends_on', 'backed_up_by', 'part_of'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

export const RELATION_ZH: Record<RelationType, string> = { runs_on: '运行于', hosted_in: '安装于', connects_to: '连接到', depends_on: '依赖', backed_up_by: '备份到', part_of: '属于' };
export const RELATION_EN: Record<RelationType, string> = { runs_on: 'runs on', hosted_in: 'hosted in', connects_to: 'connects to', depends_on: 'depends on', backed_up_by: 'backed up by', part_of: 'part of' };

/**
 * Placement edges: where a thing runs, sits or belongs. Together they form a forest — a cycle
 * among them (a server hosted in a rack that runs on the server) describes nothing real, so an
 * edge that would close one is refused. connects_to (redundant links, rings), depends_on (two
 * applications calling each other) and backed_up_by (two sites backing up each other) may
 * form cycles; the impact traversal visits each CI once.
 */
export const ACYCLIC_TYPES: readonly RelationType[] = ['runs_on', 'hosted_in', 'part_of'];

export function isAcyclic(type: RelationType): boolean {
  return ACYCLIC_TYPES.includes(type);
}

/**
 * Which way failure travels along an edge: for every type but part_of the source relies on the
 * target (if the target fails, the source is affected); for part_of the whole (target) relies
 * on its part (source).
 */
export function dependantIsSource(type: RelationType): boolean {
  return type !== 'part_of';
}

/** Type codes whose CIs are services / applications the customer sees (impact's "services affected"). */
export const SERVICE_TYPE_CODES: readonly string[] = ['application'];

/** Codes: upper-cased, letters, digits and - _ . / only, so prefix search is a range on the index. */
export const CODE_RE = /^[A-Z0-9][A-Z0-9._/-]{0,63}$/;
export function normalizeCode(s: string): string {
  return s.trim().toUpperCase();
}

/** Host names as monitoring sends them: lower case, no trailing dot. */
export function normalizeHostname(s: string): string {
  return s.trim().toLowerCase().replace(/\.$/, '');
}
export const HOSTNAME_RE = /^[a-z0-9]([a-z0-9_-]{0,62})(\.[a-z0-9_-]{1,63})*$/;

/**
 * The half-open range [lo, hi) of every string that starts with `prefix` (code-point order),
 * so a prefix search is an index range scan on both databases. hi is null when nothing bounds it.
 */
export function prefixRange(prefix: string): { lo: string; hi: string | null } {
  let head = prefix;
  while (head.length && head.charCodeAt(head.length - 1) === 0xffff) head = head.slice(0, -1);
  if (!head) return { lo: prefix, hi: null };
  return { lo: prefix, hi: head.slice(0, -1) + String.fromCharCode(head.charCodeAt(head.length - 1) + 1) };
}
