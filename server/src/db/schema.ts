import type { ColumnType, Generated } from 'kysely';
import type { CmdbTables } from './schema-cmdb.js';

export type * from './schema-cmdb.js';

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
  /** The contact a customer's staff member is (0010); null for provider staff. Optional on insert. */
  contact_id: ColumnType<number | null, number | null | undefined, number | null>;
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

/** Flood-prone security events counted per kind, client address and minute (platform/auth/events.ts). */
export interface SecurityEventsTable {
  kind: string;
  /** The client address, or "*" for the addresses past a window's per-kind limit. */
  ip: string;
  window_start: number;
  count: number;
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
  /** The team's service hours (0020): the desk's OLA clocks count on its desk team's calendar; null: 7×24. */
  calendar_id: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The contact gets mail about his tickets (0013; default 1). */
  email_notify: ColumnType<number, number | undefined, number>;
  /** Language of that mail when known (0013); null: the linked user's, else zh-CN. */
  locale: ColumnType<string | null, string | null | undefined, string | null>;
  /** The caller lookup's keys (0019, organisation/contact-keys.ts): pinyin, initials, last four digits, local number. */
  name_pinyin: ColumnType<string | null, string | null | undefined, string | null>;
  name_initials: ColumnType<string | null, string | null | undefined, string | null>;
  phone_tail: ColumnType<string | null, string | null | undefined, string | null>;
  mobile_tail: ColumnType<string | null, string | null | undefined, string | null>;
  phone_local: ColumnType<string | null, string | null | undefined, string | null>;
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

// modules/tickets
export interface TicketCountersTable {
  kind: string;
  year: number;
  /** The next sequence number to issue for this kind and year. */
  next: number;
}
export interface TicketsTable {
  id: Id;
  /** INC-2026-000123: kind prefix, year of reported_at in the customer's zone, sequence. */
  number: string;
  kind: string;
  customer_id: number;
  contract_id: number;
  /** Null when the caller is not a contact: then caller_name and caller_phone say who called (0019). */
  contact_id: number | null;
  caller_name: ColumnType<string | null, string | null | undefined, string | null>;
  caller_phone: ColumnType<string | null, string | null | undefined, string | null>;
  site_id: number | null;
  service: string | null;
  category: string | null;
  impact: string;
  urgency: string;
  /** Level code of the contract's priority matrix, and its rank (1 = most urgent). */
  priority: string;
  priority_rank: number;
  title: string;
  description: string;
  channel: string;
  state: string;
  team_id: number | null;
  assignee_id: number | null;
  resolution: string | null;
  reported_at: number;
  created_at: number;
  updated_at: number;
  responded_at: number | null;
  onsite_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  cancelled_at: number | null;
  /** Earliest due instant of the SLA clocks still counting; null when none counts. */
  sla_due_at: number | null;
  /** ok | warning | breached | paused | none */
  sla_status: string;
  version: number;
  created_by: number | null;
}
export interface TicketEventsTable {
  id: Id;
  ticket_id: number;
  at: number;
  type: string;
  actor_id: number | null;
  /** public | internal */
  visibility: string;
  /** JSON, shape by type. */
  data: string;
}
export interface TicketSlaTable {
  ticket_id: number;
  metric: string;
  priority: string;
  calendar_id: string;
  target_ms: number;
  state: string;
  counting: number;
  due_at: number | null;
  remaining_ms: number;
  computed_at: number;
  paused_reason: string | null;
  /** JSON arrays; written only by the SLA job when it fires them. */
  warnings_fired: string;
  escalations_fired: string;
  breached_at: number | null;
  met_at: number | null;
  /** Two-stage targets (0020): the usual target; `goal_missed_at` is the SLA job's marker of its "target missed" warning. */
  goal_target_ms: ColumnType<number | null, number | null | undefined, number | null>;
  goal_due_at: ColumnType<number | null, number | null | undefined, number | null>;
  goal_state: ColumnType<string | null, string | null | undefined, string | null>;
  goal_missed_at: ColumnType<number | null, number | null | undefined, number | null>;
}
export interface TicketLinksTable {
  ticket_id: number;
  other_id: number;
  kind: string;
  created_at: number;
}
export interface FilesTable {
  id: Id;
  ticket_id: number;
  event_id: number | null;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  /** The content (platform/files); null only for a file whose bytes were lost before migration 0015. */
  blob_id: number | null;
  created_at: number;
  created_by: number | null;
}

// platform/notify
export interface NotificationsTable {
  id: Id;
  user_id: number;
  event: string;
  title: string;
  body: string | null;
  link: string | null;
  entity: string | null;
  entity_id: string | null;
  customer_id: number | null;
  created_at: number;
  read_at: number | null;
}
export interface NotificationPrefsTable {
  user_id: number;
  event: string;
  /** JSON array of channels ("inapp", "email"). */
  channels: string;
  updated_at: number;
}
export interface WebhooksTable {
  id: Id;
  name: string;
  /** generic | wecom | dingtalk | feishu */
  kind: string;
  url: string;
  secret: string | null;
  /** JSON array of event types. */
  events: string;
  customer_id: number | null;
  locale: string;
  enabled: number;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface DeliveriesTable {
  id: Id;
  /** email | webhook */
  channel: string;
  target: string;
  event: string;
  /** pending | retrying | sent | failed | skipped */
  status: string;
  attempts: number;
  last_error: string | null;
  user_id: number | null;
  webhook_id: number | null;
  customer_id: number | null;
  /** JSON: what to send (rendered at emit time). */
  payload: string;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

// modules/fieldservice
export interface RepairReportsTable {
  id: Id;
  ticket_id: number;
  /** 1, 2 … per ticket; the number is the ticket's with -R<seq>. */
  seq: number;
  number: string;
  customer_id: number;
  /** draft | signed */
  state: string;
  customer_name: string;
  site_name: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  reported_at: number;
  /** The customer's IANA zone when the draft was made. */
  time_zone: string;
  fault: string | null;
  diagnosis: string | null;
  cause: string | null;
  actions: string | null;
  /** JSON array of {name, model, quantity, serial}. */
  parts_used: string;
  started_at: number | null;
  finished_at: number | null;
  engineer_id: number | null;
  engineer_name: string | null;
  /** fixed | temporary | not_fixed */
  result: string | null;
  customer_opinion: string | null;
  signer_name: string | null;
  signed_at: number | null;
  signed_by: number | null;
  /** portal | onsite | paper */
  signed_via: string | null;
  /** Base64 of the signature PNG. */
  signature_png: string | null;
  signed_on_paper: number;
  scan_name: string | null;
  scan_mime: string | null;
  scan_size: number | null;
  scan_sha256: string | null;
  /** The scan's content (platform/files). */
  scan_blob_id: number | null;
  pdf_sha256: string | null;
  pdf_size: number | null;
  /** The signed PDF's content (platform/files). */
  pdf_blob_id: number | null;
  version: number;
  created_at: number;
  updated_at: number;
  created_by: number | null;
}

// modules/tickets: dispatch and satisfaction
export interface DispatchRulesTable {
  id: Id;
  /** Rules are tried in this order (then by id). */
  position: number;
  name: string;
  /** Criteria: null matches anything. */
  customer_id: number | null;
  service: string | null;
  category: string | null;
  priority: string | null;
  kind: string | null;
  team_id: number;
  enabled: number;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface TeamRotationTable {
  team_id: number;
  /** The member given a ticket last (round-robin continues after him). */
  last_user_id: number | null;
  updated_at: number;
}
export interface TicketRatingsTable {
  ticket_id: number;
  customer_id: number;
  /** 1–5 */
  score: number;
  comment: string | null;
  /** The user who rated; null when a contact without an account rated through a mail link (0013). */
  rated_by: number | null;
  rated_at: number;
  /** The contact who rated through a confirmation link in a mail (0013). */
  rated_by_contact_id: ColumnType<number | null, number | null | undefined, number | null>;
}

// modules/tickets: mail to a ticket's contact and its confirmation links (0013)
export interface ContactMailsTable {
  id: Id;
  ticket_id: number;
  contact_id: number;
  /** created | reply | resolved */
  kind: string;
  source_event_id: number;
  to_address: string;
  locale: string;
  message_id: string;
  subject: string | null;
  /** pending | sent | skipped | failed */
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  resolved_at: number | null;
  expires_at: number | null;
  used_at: number | null;
  decision: string | null;
}
export interface ContactLinkHitsTable {
  id: Id;
  key: string;
  at: number;
}

// modules/mailin (0012)
export interface MailMailboxesTable {
  id: Id;
  /** Lower case. */
  address: string;
  name: string | null;
  /** Null: a mailbox for replies to existing tickets only. */
  customer_id: number | null;
  kind: string;
  service: string | null;
  category: string | null;
  impact: string;
  urgency: string;
  /** reject | accept */
  unknown_senders: string;
  fallback_contact_id: number | null;
  enabled: number;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface MailInLogTable {
  id: Id;
  received_at: number;
  /** smtp | api */
  via: string;
  message_id: string;
  /** The Message-ID on the row that claimed the message; null on the others (duplicates, rejects). */
  dedupe_key: string | null;
  from_address: string;
  from_name: string | null;
  to_address: string;
  subject: string;
  size: number;
  mailbox_id: number | null;
  customer_id: number | null;
  contact_id: number | null;
  /** processing | created | replied | rejected | ignored | failed */
  result: string;
  reason: string | null;
  detail: string | null;
  ticket_id: number | null;
  ticket_number: string | null;
  in_reply_to: string | null;
  updated_at: number;
}

// modules/alerts (0011)
export interface AlertSourcesTable {
  id: Id;
  customer_id: number;
  name: string;
  /** alertmanager | zabbix | generic */
  format: string;
  /** sha256 of the secret token; the token itself is shown once. */
  token_hash: string;
  /** The token's last 4 characters, to tell tokens apart. */
  token_hint: string;
  enabled: number;
  auto_resolve: number;
  contact_id: number | null;
  site_id: number | null;
  service: string | null;
  category: string | null;
  /** JSON: { severity: { impact, urgency } }, "*" for every other severity. */
  severity_map: string;
  repeat_note_minutes: number;
  locale: string;
  last_alert_at: number | null;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface AlertBindingsTable {
  id: Id;
  source_id: number;
  fingerprint: string;
  ticket_id: number | null;
  ticket_number: string | null;
  alert_state: string;
  repeats: number;
  pending_repeats: number;
  last_note_at: number | null;
  last_received_at: number;
  created_at: number;
  released_at: number | null;
}
export interface AlertLogTable {
  id: Id;
  source_id: number;
  customer_id: number;
  received_at: number;
  fingerprint: string | null;
  status: string | null;
  severity: string | null;
  title: string | null;
  outcome: string;
  ticket_id: number | null;
  ticket_number: string | null;
  message: string | null;
  payload: string;
}

export interface DB extends CmdbTables {
  users: UsersTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  security_events: SecurityEventsTable;
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
  ticket_counters: TicketCountersTable;
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  ticket_sla: TicketSlaTable;
  ticket_links: TicketLinksTable;
  files: FilesTable;
  notifications: NotificationsTable;
  notification_prefs: NotificationPrefsTable;
  webhooks: WebhooksTable;
  deliveries: DeliveriesTable;
  repair_reports: RepairReportsTable;
  dispatch_rules: DispatchRulesTable;
  team_rotation: TeamRotationTable;
  ticket_ratings: TicketRatingsTable;
  alert_sources: AlertSourcesTable;
  alert_bindings: AlertBindingsTable;
  alert_log: AlertLogTable;
  contact_mails: ContactMailsTable;
  contact_link_hits: ContactLinkHitsTable;
  mail_mailboxes: MailMailboxesTable;
  mail_in_log: MailInLogTable;
  file_blobs: FileBlobsTable;
  file_blob_chunks: FileBlobChunksTable;
  settings: SettingsTable;
  search_docs: SearchDocsTable;
  search_audience: SearchAudienceTable;
  kb_articles: KbArticlesTable;
  kb_article_customers: KbArticleCustomersTable;
  kb_article_versions: KbArticleVersionsTable;
  kb_article_files: KbArticleFilesTable;
  kb_votes: KbVotesTable;
  kb_feedback: KbFeedbackTable;
  kb_deflections: KbDeflectionsTable;
  kb_ticket_uses: KbTicketUsesTable;
  kpi_daily: KpiDailyTable;
  kpi_monthly: KpiMonthlyTable;
  kpi_facts: KpiFactsTable;
  kpi_rollup_state: KpiRollupStateTable;
  service_report_plans: ServiceReportPlansTable;
  service_reports: ServiceReportsTable;
  service_report_versions: ServiceReportVersionsTable;
  service_report_reminders: ServiceReportRemindersTable;
  evidence_exports: EvidenceExportsTable;
}

// platform/settings
export interface SettingsTable {
  key: string;
  /** JSON */
  value: string;
  updated_at: number;
}

// platform/files
export interface FileBlobsTable {
  id: Id;
  /** pending: being written or not yet claimed by a module's row; stored: claimed. */
  state: string;
  /** Hex; empty while pending. */
  sha256: string;
  size: number;
  media_type: string;
  created_at: number;
}
export interface FileBlobChunksTable {
  blob_id: number;
  /** 0, 1, 2 … in content order. */
  seq: number;
  bytes: Buffer;
}

export type Json = ColumnType<string, string, string>;
// modules/reporting: service reports (0023, docs/REPORTS.md)
export interface ServiceReportPlansTable {
  id: Id;
  contract_id: number;
  customer_id: number;
  /** JSON: report type codes the contract owes. */
  types: string;
  /** JSON: { [type]: LayoutEntry[] } */
  layouts: string;
  review_required: number;
  reviewer_id: number | null;
  /** JSON: user ids (empty: the customer's users holding reports.signoff). */
  recipients: string;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface ServiceReportsTable {
  id: Id;
  contract_id: number;
  customer_id: number;
  type: string;
  period: string;
  period_from: string;
  period_to: string;
  number: string;
  /** draft | in_review | approved | issued | signed | returned */
  state: string;
  due_on: string;
  due_at: number;
  time_zone: string;
  current_seq: number;
  prepared_by: number | null;
  submitted_at: number | null;
  reviewed_by: number | null;
  reviewed_at: number | null;
  review_comment: string | null;
  issued_at: number | null;
  first_issued_at: number | null;
  issued_by: number | null;
  signed_at: number | null;
  signed_by: number | null;
  signer_name: string | null;
  returned_at: number | null;
  returned_by: number | null;
  customer_comment: string | null;
  created_at: number;
  updated_at: number;
  updated_by: number | null;
  version: number;
}
export interface ServiceReportVersionsTable {
  id: Id;
  report_id: number;
  seq: number;
  /** JSON: the generated sections with their blocks, and the document's frozen header. */
  figures: string;
  /** JSON: { [sectionKey]: text } */
  narratives: string;
  generated_at: number;
  generated_by: number | null;
  note: string | null;
  pdf_blob_id: number | null;
  pdf_sha256: string | null;
  pdf_size: number | null;
  docx_blob_id: number | null;
  docx_sha256: string | null;
  docx_size: number | null;
  xlsx_blob_id: number | null;
  xlsx_sha256: string | null;
  xlsx_size: number | null;
  issued_at: number | null;
  issued_by: number | null;
  created_at: number;
  created_by: number | null;
  /** 0029: the files rendered again once the customer answered (signed or returned); the issued ones above stay. */
  answered_pdf_blob_id: number | null;
  answered_pdf_sha256: string | null;
  answered_pdf_size: number | null;
  answered_docx_blob_id: number | null;
  answered_docx_sha256: string | null;
  answered_docx_size: number | null;
  answered_xlsx_blob_id: number | null;
  answered_xlsx_sha256: string | null;
  answered_xlsx_size: number | null;
  /** signed | returned */
  answered_state: string | null;
  answered_at: number | null;
}
export interface ServiceReportRemindersTable {
  id: Id;
  reminder_key: string;
  contract_id: number;
  sent_at: number;
}

// modules/reporting (0022): the KPI rollup
export type KpiDailyTable = {
  dim: string;
  customer_id: number;
  /** Local date YYYY-MM-DD in the customer's zone. */
  day: string;
  contract_id: number;
  key: string;
  /** Duration histograms (0028): appended `bucket:count;` entries, summed by readers (core/reporting/histogram.ts). */
  resp_hist: ColumnType<string | null, string | null | undefined, string | null>;
  reso_hist: ColumnType<string | null, string | null | undefined, string | null>;
} & Record<import('../core/reporting/kpis.js').Measure, ColumnType<number, number | undefined, number>>;
export type KpiMonthlyTable = Omit<KpiDailyTable, 'day'> & {
  /** Local month YYYY-MM in the customer's zone. */
  month: string;
};
export interface KpiFactsTable {
  ticket_id: number;
  customer_id: number;
  /** JSON: the ticket's last contribution (contract, dimension keys, measures per local day). */
  facts: string;
}
export interface KpiRollupStateTable {
  id: number;
  event_id: number;
  changed_at: number;
  rebuild_after: number | null;
  rebuild_started_at: number | null;
  built: number;
  updated_at: number;
}

// modules/reporting/evidence (0026)
export interface EvidenceExportsTable {
  id: Id;
  customer_id: number;
  from_date: string;
  to_date: string;
  /** queued | running | done | failed | cancelled */
  state: string;
  done: ColumnType<number, number | undefined, number>;
  total: ColumnType<number, number | undefined, number>;
  cancel_requested: ColumnType<number, number | undefined, number>;
  blob_id: number | null;
  file_name: string | null;
  size: number | null;
  sha256: string | null;
  tickets: number | null;
  chain_ok: number | null;
  chain_checked: number | null;
  error: string | null;
  requested_by: number | null;
  requested_at: number;
  started_at: number | null;
  heartbeat_at: number | null;
  finished_at: number | null;
}

// modules/search (0024): one row per searchable record; the FTS5 table (SQLite) and the tsv
// column (PostgreSQL) are reached through raw SQL in modules/search/repo.ts only.
export interface SearchDocsTable {
  id: Id;
  kind: string;
  ref_id: number;
  customer_id: number | null;
  /** internal | customers | public */
  audience: string;
  state: string | null;
  /** 1 while the record is open work (ranking boost). */
  open: number;
  at: number;
  title: string;
  body: string;
  staff_body: string;
  extra: string;
  indexed_at: number;
}
export interface SearchAudienceTable {
  doc_id: number;
  customer_id: number;
}

// modules/knowledge (0025)
export interface KbArticlesTable {
  id: Id;
  /** solution | howto | faq | known_error | document */
  kind: string;
  title: string;
  symptom: string | null;
  cause: string | null;
  applies_to: string | null;
  /** Sanitized on the server (core/knowledge/sanitize.ts); safe to render. */
  body_html: string;
  body_text: string;
  category: string | null;
  /** JSON string arrays */
  tags: string;
  services: string;
  ci_types: string;
  /** internal | customers | named */
  audience: string;
  customer_id: number | null;
  /** draft | in_review | published | needs_review | archived */
  state: string;
  owner_id: number | null;
  reviewer_id: number | null;
  submitted_at: number | null;
  published_at: number | null;
  reviewed_at: number | null;
  review_due_at: number | null;
  source_ticket_id: number | null;
  views: ColumnType<number, number | undefined, number>;
  useful: ColumnType<number, number | undefined, number>;
  not_useful: ColumnType<number, number | undefined, number>;
  version: number;
  created_at: number;
  updated_at: number;
  created_by: number | null;
  updated_by: number | null;
}
export interface KbArticleCustomersTable {
  article_id: number;
  customer_id: number;
}
export interface KbArticleVersionsTable {
  id: Id;
  article_id: number;
  version: number;
  /** JSON snapshot of the article's content */
  content: string;
  /** created | edited | restored | from_ticket */
  change: string;
  restored_from: number | null;
  author_id: number | null;
  author_name: string;
  created_at: number;
}
export interface KbArticleFilesTable {
  id: Id;
  article_id: number | null;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  blob_id: number | null;
  inline: number;
  text: string | null;
  created_at: number;
  created_by: number | null;
}
export interface KbVotesTable {
  article_id: number;
  user_id: number;
  useful: number;
  created_at: number;
}
export interface KbFeedbackTable {
  id: Id;
  article_id: number;
  user_id: number | null;
  user_name: string;
  customer_id: number | null;
  body: string;
  created_at: number;
}
export interface KbDeflectionsTable {
  id: Id;
  article_id: number;
  user_id: number | null;
  customer_id: number | null;
  query: string | null;
  created_at: number;
}
export interface KbTicketUsesTable {
  id: Id;
  article_id: number;
  ticket_id: number;
  customer_id: number;
  /** sent | solved */
  action: string;
  first_line: number;
  user_id: number | null;
  created_at: number;
}
