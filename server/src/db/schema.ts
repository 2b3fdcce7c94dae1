import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of every table, as the database stores them. Instants are UTC epoch milliseconds
 * (`number`); booleans are 0/1; JSON columns are text (parse in the repo that owns the table).
 * Each table has exactly one owning module; the comment names it.
 */
type Id = Generated<number>;

// platform/auth
export interface UsersTable {
  id: Id;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  password_hash: string;
  locale: string;
  customer_id: number | null;
  disabled: number;
  failed_logins: number;
  locked_until: number | null;
  password_changed_at: number;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface RolesTable {
  id: Id;
  code: string;
  name_zh: string;
  name_en: string;
  builtin: number;
  /** JSON array of permission codes. */
  permissions: string;
  created_at: number;
  updated_at: number;
  /** Added by 0004_roles_version; defaults to 1 so seeding need not name it. */
  version: Generated<number>;
}
export interface UserRolesTable {
  user_id: number;
  role_id: number;
}
export interface SessionsTable {
  /** sha256 of the session token; the token itself is only in the user's cookie. */
  id: string;
  user_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}
export interface ApiTokensTable {
  id: Id;
  user_id: number;
  name: string;
  /** sha256 of the token. */
  token_hash: string;
  /** First characters of the token, shown so users can tell their tokens apart. */
  prefix: string;
  /** JSON array of scopes (permission codes or "*"). */
  scopes: string;
  expires_at: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}
export interface LoginAttemptsTable {
  id: Id;
  /** "ip:<addr>" or "user:<name>"; windows are counted by key and time. */
  key: string;
  at: number;
}

// platform/audit
export interface AuditLogTable {
  id: Id;
  at: number;
  actor_id: number | null;
  actor_name: string;
  ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  customer_id: number | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

// modules/organisation
export interface TeamsTable {
  id: Id;
  name: string;
  kind: string;
  description: string | null;
  assignment: string;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface TeamMembersTable {
  team_id: number;
  user_id: number;
  is_lead: number;
}
export interface TeamCustomersTable {
  team_id: number;
  customer_id: number;
}
export interface CustomersTable {
  id: Id;
  code: string;
  name: string;
  tier: number;
  time_zone: string;
  address: string | null;
  notes: string | null;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface SitesTable {
  id: Id;
  customer_id: number;
  parent_id: number | null;
  name: string;
  kind: string;
  address: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface ContactsTable {
  id: Id;
  customer_id: number;
  site_id: number | null;
  name: string;
  phone: string | null;
  mobile: string | null;
  /** Digits of phone / mobile without a +86 prefix, for prefix search (0002). */
  phone_key: string | null;
  mobile_key: string | null;
  email: string | null;
  title: string | null;
  is_vip: number;
  notes: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface ContractsTable {
  id: Id;
  customer_id: number;
  code: string;
  name: string;
  /** Local dates YYYY-MM-DD in the customer's zone. */
  starts_on: string;
  ends_on: string;
  /** JSON array of service names in scope. */
  services: string;
  service_hours: string;
  calendar_id: string;
  project_manager_id: number | null;
  /** JSON SLA policy (filled by the SLA module), null until set. */
  sla_policy: string | null;
  notes: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

// platform/jobs
export interface JobsTable {
  id: Id;
  kind: string;
  key: string | null;
  payload: string;
  run_at: number;
  /** pending | running | done | failed (parked: needs an administrator) */
  status: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

// modules/sla
export interface CalendarsTable {
  id: string;
  name: string;
  time_zone: string;
  spec: string;
  builtin: number;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface DB {
  users: UsersTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditLogTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_customers: TeamCustomersTable;
  customers: CustomersTable;
  sites: SitesTable;
  contacts: ContactsTable;
  contracts: ContractsTable;
  jobs: JobsTable;
  calendars: CalendarsTable;
}

export type Json = ColumnType<string, string, string>;
