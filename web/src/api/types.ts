// Shapes from docs/API.md (foundation endpoints), checked against server/src/**/schema.ts.
// Record ids are JSON numbers; calendar ids are slugs (cn-5x8, 24x7, 5x8).

export type Id = number;

export type Locale = 'zh-CN' | 'en-US';

export interface Me {
  id: Id;
  username: string;
  displayName: string;
  locale: Locale | null;
  roles: string[];
  permissions: string[];
  customerId: Id | null;
  customerName: string | null;
}

export interface LoginResponse {
  user: Me;
  csrfToken: string;
}

export type TeamKind = 'desk' | 'line1' | 'line2' | 'project' | 'quality' | 'other';
export const TEAM_KINDS: TeamKind[] = ['desk', 'line1', 'line2', 'project', 'quality', 'other'];

export type Assignment = 'round_robin' | 'least_loaded';

export interface Team {
  id: Id;
  name: string;
  kind: TeamKind;
  description: string | null;
  assignment?: Assignment;
  memberIds: Id[];
  customerIds: Id[];
  version?: number;
}

export interface User {
  id: Id;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  locale: Locale | null;
  roleCodes: string[];
  customerId: Id | null;
  teamIds: Id[];
  disabled: boolean;
  lockedUntil: string | null;
  passwordChangedAt?: string;
  version?: number;
}

export interface Role {
  id: Id;
  code: string;
  /** In the caller's language. */
  name: string;
  nameZh?: string;
  nameEn?: string;
  userCount?: number;
  builtin: boolean;
  permissions: string[];
  version?: number;
}

export interface Permission {
  code: string;
  group: string;
  name: string;
}

export type Tier = 1 | 2 | 3;

export interface Customer {
  id: Id;
  code: string;
  name: string;
  tier: Tier;
  timeZone: string;
  address: string | null;
  notes: string | null;
  archivedAt?: string | null;
  version: number;
}

export type SiteKind = 'site' | 'department';

export interface Site {
  id: Id;
  customerId: Id;
  name: string;
  kind: SiteKind;
  address: string | null;
  parentId: Id | null;
  version?: number;
}

export interface Contact {
  id: Id;
  customerId: Id;
  siteId: Id | null;
  name: string;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  title: string | null;
  isVip: boolean;
  notes?: string | null;
  version?: number;
}

export interface Contract {
  id: Id;
  customerId: Id;
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  services: string[];
  serviceHours: string;
  calendarId: string | null;
  projectManagerId: Id | null;
  slaPolicy: unknown | null;
  notes?: string | null;
  version: number;
}

export interface AuditEntry {
  id: Id;
  at: string;
  actorId: Id | null;
  actorName: string | null;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export interface ApiToken {
  id: Id;
  name: string;
  /** The first characters, to recognise a token without showing it. */
  prefix?: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt?: string;
  lastUsedAt?: string | null;
  /** Only in the create response: shown once. */
  token?: string;
}

export interface ImportResult {
  imported?: number;
  created?: number;
  updated?: number;
  [k: string]: unknown;
}
