// Types and paths of the CMDB API (server/src/modules/cmdb/schema.ts, docs/CMDB.md).
import { useQuery } from '@tanstack/react-query';
import { api, buildUrl } from '../../api/client';
import type { MessageKey } from '../../i18n';

export const CIS = '/cis';
export const CI_TYPES = '/ci-types';

export const CI_STATUSES = ['planned', 'in_use', 'maintenance', 'spare', 'retired'] as const;
export type CiStatus = (typeof CI_STATUSES)[number];
export const CRITICALITIES = [1, 2, 3, 4] as const;
export const RELATION_TYPES = ['runs_on', 'hosted_in', 'connects_to', 'depends_on', 'backed_up_by', 'part_of'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];
export const ATTRIBUTE_KINDS = ['text', 'multiline', 'number', 'integer', 'boolean', 'date', 'ip', 'ips', 'choice'] as const;
export type AttributeKind = (typeof ATTRIBUTE_KINDS)[number];
export type Direction = 'up' | 'down' | 'both';

export interface AttributeDef {
  key: string;
  zh: string;
  en: string;
  kind: AttributeKind;
  required?: boolean;
  unit?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  choices?: string[];
  hint?: string;
}

export interface CiType {
  id: number;
  code: string;
  nameZh: string;
  nameEn: string;
  icon: string | null;
  attributes: AttributeDef[];
  builtin: boolean;
  disabled: boolean;
  version: number;
  updatedAt: string;
}

export type AttributeValue = string | number | boolean | string[];

export interface CiSummary {
  id: number;
  code: string;
  name: string;
  customerId: number;
  customerName: string;
  siteId: number | null;
  siteName: string | null;
  typeId: number;
  typeCode: string;
  typeName: string;
  status: CiStatus;
  criticality: number;
  ownerId: number | null;
  ownerName: string | null;
  brand: string | null;
  model: string | null;
  serial: string | null;
  ip: string | null;
  hostname: string | null;
  version: number;
  updatedAt: string;
}

export interface Ci extends CiSummary {
  attributes: Record<string, AttributeValue>;
  description: string | null;
  addresses: string[];
  createdAt: string;
  canWrite: boolean;
}

export interface CiRef {
  id: number;
  code: string;
  name: string;
  typeCode: string;
  typeName: string;
  status: CiStatus;
}

export interface Relation {
  id: number;
  type: RelationType;
  source: CiRef;
  target: CiRef;
  note: string | null;
  createdAt: string;
}

export interface ImpactNode {
  id: number;
  code: string;
  name: string;
  typeId: number;
  typeCode: string;
  typeName: string;
  status: CiStatus;
  criticality: number;
  customerId: number;
  depth: number;
  directions: ('up' | 'down')[];
  openTickets: number;
}

export interface Impact {
  root: number;
  direction: Direction;
  depth: number;
  levels: number;
  truncated: boolean;
  nodes: ImpactNode[];
  edges: { id: number; source: number; target: number; type: RelationType }[];
  services: { id: number; code: string; name: string; criticality: number; status: CiStatus }[];
  customers: { id: number; name: string; cis: number }[];
  openTickets: { id: number; number: string; title: string; state: string; priority: string; ciIds: number[] }[];
  tookMs: number;
}

export interface Related {
  tickets: { id: number; number: string; title: string; kind: string; state: string; priority: string; reportedAt: string; linkedAt: string }[];
  moreTickets: boolean;
  repairReports: { ticketId: number; ticketNumber: string; state: string; updatedAt: string }[];
  visits: { ticketId: number; ticketNumber: string; at: string; event: string; engineer: string | null }[];
  repairOrders: { id: number; number: string; state: string; vendorId: number; fault: string; sentAt: string | null }[];
  partMovements: { id: number; number: string; kind: string; quantity: number; at: string; ticketId: number | null }[];
  relations: number;
}

export interface HistoryItem {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string;
  action: string;
  changes: Record<string, unknown>;
}

export interface LookupHit extends CiRef {
  ip: string | null;
  siteName: string | null;
  matched: 'code' | 'ip' | 'name' | 'serial' | 'hostname';
  address: string | null;
}

export interface ImportResult {
  imported: number;
  dryRun: boolean;
  bySheet: { sheet: string; typeCode: string | null; rows: number }[];
  tookMs: number;
}

export const STATUS_COLOR: Record<CiStatus, string> = { planned: 'blue', in_use: 'green', maintenance: 'orange', spare: 'cyan', retired: 'default' };
/** The same colours as hex, for the impact graph. */
export const STATUS_HEX: Record<CiStatus, string> = { planned: '#1677ff', in_use: '#52c41a', maintenance: '#fa8c16', spare: '#13c2c2', retired: '#bfbfbf' };
export const CRITICALITY_COLOR: Record<number, string> = { 1: 'red', 2: 'volcano', 3: 'gold', 4: 'default' };

export const statusKey = (s: CiStatus) => `cmdb.status.${s}` as MessageKey;
export const criticalityKey = (c: number) => `cmdb.criticality.${c}` as MessageKey;
export const relationKey = (r: RelationType) => `cmdb.rel.${r}` as MessageKey;
export const relationInKey = (r: RelationType) => `cmdb.relIn.${r}` as MessageKey;
export const kindKey = (k: AttributeKind) => `cmdb.kind.${k}` as MessageKey;

/** The CI types (enabled, or all with includeDisabled), cached for the session's pages. */
export function useCiTypes(includeDisabled = false) {
  return useQuery({
    queryKey: [CI_TYPES, includeDisabled ? 'all' : 'enabled'],
    queryFn: () => api.get<CiType[]>(CI_TYPES, includeDisabled ? { includeDisabled: '1' } : undefined),
    staleTime: 5 * 60_000,
  });
}

export function typeLabel(type: Pick<CiType, 'nameZh' | 'nameEn'>, locale: string): string {
  return locale === 'en-US' ? type.nameEn : type.nameZh;
}

export function attrLabel(def: Pick<AttributeDef, 'zh' | 'en'>, locale: string): string {
  return locale === 'en-US' ? def.en : def.zh;
}

/** Where a CI opens: the agent's page, or the read-only one in the portal. */
export const ciPath = (id: number, portal?: boolean) => (portal ? `/portal/cis/${id}` : `/cmdb/${id}`);

/** A file the API serves (xlsx) by its path under /api/v1, with the list's filters. */
export const fileUrl = (path: string, query: Record<string, string | number | undefined> = {}) => buildUrl(path, query);
