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
  /** The contact of his customer a customer user is (reports in the portal are in its name). */
  contactId: Id | null;
  contactName: string | null;
}

export interface LoginResponse {
  user: Me;
  csrfToken: string;
}

export type TeamKind = 'desk' | 'line1' | 'line2' | 'project' | 'quality' | 'other';
export const TEAM_KINDS: TeamKind[] = ['desk', 'line1', 'line2', 'project', 'quality', 'other'];

export type Assignment = 'round_robin' | 'least_loaded' | 'manual';

export interface Team {
  id: Id;
  name: string;
  kind: TeamKind;
  description: string | null;
  assignment?: Assignment;
  memberIds: Id[];
  customerIds: Id[];
  /** The team's service hours (a calendar id); null: 7×24. The desk's OLA clocks count on its desk team's. */
  calendarId?: string | null;
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
  /** Customer users: the contact of that customer this account is. */
  contactId?: Id | null;
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
  /** Ticket mail to the contact (default on); its language (null: automatic). */
  emailNotify?: boolean;
  locale?: Locale | null;
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
  slaPolicy: ContractSla | null;
  notes?: string | null;
  version: number;
}

export interface AuditEntry {
  id: Id;
  at: string;
  actorId: Id | null;
  actorName: string | null;
  /** The actor's display name today (null: the system, a deleted user). */
  actorDisplayName?: string | null;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  /** The number people know the record by (a ticket's, a repair report's), when it has one. */
  entityNumber?: string | null;
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

// ---------------------------------------------------------------------------
// Service level management (docs/API.md "service level management", docs/sla-rules.md)

/** "HH:MM"–"HH:MM", start inclusive, end exclusive; "24:00" allowed as an end. */
export interface Interval {
  start: string;
  end: string;
}

/** A holiday (its intervals are OFF) or a make-up working day (its intervals are worked). */
export interface SpecialDay {
  date: string;
  name?: string;
  intervals?: Interval[];
}

export interface Calendar {
  id: string;
  name: string;
  timeZone: string;
  /** ISO weekday "1" (Monday) … "7" (Sunday). */
  weekly: Record<string, Interval[]>;
  holidays: SpecialDay[];
  workdays: SpecialDay[];
  builtin: boolean;
  version: number;
  updatedAt: string;
  /** China's holiday years held and the one missing (from 1 November: next year); absent from older servers. */
  holidayYears?: { china: boolean; years: number[]; missingYear: number | null };
}

export type FestivalKey = 'newYear' | 'springFestival' | 'qingming' | 'labourDay' | 'dragonBoat' | 'midAutumn' | 'national' | 'midAutumnNational';

/** POST /calendars/parse-notice: the State Council's notice read into festival rows. */
export interface ParsedNotice {
  year: number | null;
  festivals: Array<{ key: FestivalKey; name: string; line: number; off: { from: string; to: string }[]; makeUp: string[]; statedDays: number | null; noMakeUp: boolean }>;
  problems: Array<{ line: number; code: string; params: Record<string, string | number>; text: string; message: string }>;
  skipped: Array<{ line: number; text: string }>;
}

/** GET …/recompute: the open tickets whose SLA due instants move. */
export interface RecomputePreview {
  tickets: number;
  moved: number;
  items: Array<{ ticketId: Id; number: string; title: string; metric: SlaMetric; oldDue: string | null; newDue: string | null; breachRecorded: boolean }>;
  truncated: boolean;
}

export type DayKind = 'working' | 'off' | 'holiday' | 'workday';

export interface CalendarMonth {
  id: string;
  timeZone: string;
  month: string;
  days: {
    date: string;
    weekday: number;
    kind: DayKind;
    name: string | null;
    workingMinutes: number;
    /** UTC epoch ms. */
    intervals: { start: number; end: number }[];
  }[];
}

export interface IcsImportResult {
  holidays: number;
  workdays: number;
  calendar: Calendar;
}

export interface PriorityLevel {
  code: string;
  name: string;
  rank: number;
}

export interface MatrixAxisValue {
  code: string;
  name: string;
}

export interface PriorityMatrix {
  impacts: MatrixAxisValue[];
  urgencies: MatrixAxisValue[];
  levels: PriorityLevel[];
  /** cells[impact][urgency] = level code. */
  cells: Record<string, Record<string, string>>;
}

export type SlaMetric = 'response' | 'diagnosis' | 'onsite' | 'resolution';
export const SLA_METRICS: SlaMetric[] = ['response', 'diagnosis', 'onsite', 'resolution'];
export type TargetUnit = 'minutes' | 'hours' | 'workdays';
export const TARGET_UNITS: TargetUnit[] = ['minutes', 'hours', 'workdays'];
export type EscalationAction = 'notify' | 'reassign' | 'raise_priority';
export const ESCALATION_ACTIONS: EscalationAction[] = ['notify', 'reassign', 'raise_priority'];
/** Key of SlaPolicy.targets for every priority without its own entry. */
export const ANY_PRIORITY = '*';

export interface SlaTarget {
  amount: number;
  unit: TargetUnit;
  calendarId: string;
  /** Two-stage: the latest target (the breach); the target above is the usual one (missing it is a warning). */
  latest?: { amount: number; unit: TargetUnit; calendarId?: string };
  /** On site / resolution counted from the diagnosis (确诊后). */
  startEvent?: 'reported' | 'diagnosed';
}

export interface EscalationStep {
  metric?: SlaMetric;
  afterPercent?: number;
  afterMinutes?: number;
  notify: { roles?: string[]; userIds?: number[] };
  action: EscalationAction;
}

export interface SlaPolicy {
  id: string;
  name: string;
  targets: Record<string, Partial<Record<SlaMetric, SlaTarget>>>;
  pauseOn: Partial<Record<SlaMetric, string[]>>;
  warnings: number[];
  escalation: EscalationStep[];
}

export interface SlaTemplate {
  id: 'T1' | 'T2' | 'T3' | 'T4' | 'T5';
  name: string;
  source: string;
  levels: PriorityLevel[];
  calendars: { id: string; name: string }[];
  policies: SlaPolicy[];
  notes: string[];
  /** The calendars the targets count on, with their names (which 5×8). */
  calendarsUsed?: { id: string; name: string }[];
}

export interface ContractSla {
  templateId: string | null;
  matrix: PriorityMatrix;
  policy: SlaPolicy;
}

export interface ContractSlaResponse {
  sla: ContractSla | null;
  /** The contract's version. */
  version: number;
}

export interface SlaPreview {
  priority: string;
  metrics: {
    metric: SlaMetric;
    calendarId: string;
    targetMinutes: number;
    /** ISO with the calendar's offset. */
    dueAt: string | null;
    warnings: { percent: number; at: string }[];
  }[];
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';
export const JOB_STATUSES: JobStatus[] = ['failed', 'pending', 'running', 'done'];

export interface Job {
  id: Id;
  kind: string;
  key: string | null;
  status: JobStatus;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

// ---------------------------------------------------------------------------
// Notifications and integrations (docs/API.md, docs/NOTIFICATIONS.md)

export interface AppNotification {
  id: Id;
  event: string;
  title: string;
  body: string | null;
  link: string | null;
  entity: string | null;
  entityId: string | null;
  customerId: Id | null;
  createdAt: string;
  readAt: string | null;
}

export type NotifyChannel = 'inapp' | 'email';

export interface NotificationPrefs {
  channels: { code: NotifyChannel; name: string }[];
  events: { event: string; name: string; channels: NotifyChannel[]; isDefault: boolean }[];
}

export type WebhookKind = 'generic' | 'wecom' | 'dingtalk' | 'feishu';
export const WEBHOOK_KINDS: WebhookKind[] = ['generic', 'wecom', 'dingtalk', 'feishu'];

export interface Webhook {
  id: Id;
  name: string;
  kind: WebhookKind;
  /** Token-like parts masked. */
  url: string;
  hasSecret: boolean;
  secretHint: string | null;
  events: string[];
  customerId: Id | null;
  locale: Locale;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'sent' | 'failed' | 'skipped';
export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'retrying', 'sent', 'failed', 'skipped'];

export interface Delivery {
  id: Id;
  channel: 'email' | 'webhook';
  target: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  userId: Id | null;
  webhookId: Id | null;
  customerId: Id | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

// ---------------------------------------------------------------------------
// Tickets (docs/API.md "tickets", docs/TICKETS.md; server/src/modules/tickets/schema.ts)

export type TicketKind = 'incident' | 'request' | 'consultation' | 'complaint';
export const TICKET_KINDS: TicketKind[] = ['incident', 'request', 'consultation', 'complaint'];
export type TicketState =
  | 'new'
  | 'assigned'
  | 'accepted'
  | 'in_progress'
  | 'waiting_customer'
  | 'waiting_vendor'
  | 'resolved'
  | 'closed'
  | 'cancelled';
export const TICKET_STATES: TicketState[] = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor', 'resolved', 'closed', 'cancelled'];
export const OPEN_TICKET_STATES: TicketState[] = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'];
export type TicketChannel = 'phone' | 'portal' | 'email' | 'api' | 'monitoring' | 'onsite';
export type TicketSlaStatus = 'ok' | 'warning' | 'breached' | 'paused' | 'none';
export type TicketVisibility = 'public' | 'internal';
export type WorklogMode = 'phone' | 'remote' | 'onsite';
export const WORKLOG_MODES: WorklogMode[] = ['phone', 'remote', 'onsite'];

export interface TicketListItem {
  id: Id;
  number: string;
  kind: TicketKind;
  title: string;
  state: TicketState;
  priority: string;
  priorityRank: number;
  customerId: Id;
  customerName: string | null;
  /** Null when the caller was logged by name and number only (callerName, callerPhone). */
  contactId: Id | null;
  contactName: string | null;
  callerName: string | null;
  callerPhone: string | null;
  teamId: Id | null;
  teamName: string | null;
  assigneeId: Id | null;
  assigneeName: string | null;
  channel: TicketChannel;
  reportedAt: string;
  updatedAt: string;
  slaDueAt: string | null;
  slaStatus: TicketSlaStatus;
  version: number;
}

export interface SlaClock {
  metric: SlaMetric;
  /** `pending`: waits for the diagnosis to start (待确诊后计时). */
  state: 'running' | 'paused' | 'pending' | 'met' | 'breached';
  /** Null while paused or pending; for a breached clock, when it was breached — or the new due instant beside a breach that stays. */
  dueAt: string | null;
  /** Working minutes left on the contract calendar as of the request (negative: overdue). */
  remainingMinutes: number;
  priority: string;
  targetMinutes: number;
  /** The policy's target as written (5 workdays), shown in its own unit. */
  target?: { amount: number; unit: TargetUnit } | null;
  metAt: string | null;
  pausedReason: string | null;
  /** When the breach happened (a recorded breach stays, REQ #83). */
  breachedAt?: string | null;
  /** Two-stage targets: the usual one (missed: 目标未达成, a warning). */
  goal?: { state: 'running' | 'paused' | 'pending' | 'met' | 'missed' | 'cancelled'; dueAt: string | null; targetMinutes: number; target: { amount: number; unit: TargetUnit } | null; missedAt: string | null } | null;
}

/** How the customer consented to the closing (REQ #36). */
export interface TicketClosure {
  consent: 'confirmed' | 'no_objection' | 'provider';
  closedAt: string | null;
  reason: string | null;
  mailSentAt: string | null;
  workdays: number | null;
  emailLink: { contactId: Id; name: string } | null;
}

export interface TimelineEvent {
  id: Id;
  at: string;
  type: string;
  actorId: Id | null;
  actorName: string | null;
  visibility: TicketVisibility;
  data: Record<string, unknown>;
}

export interface TicketLink {
  otherId: Id;
  number: string;
  title: string;
  state: string;
  kind: string;
}

export interface TicketAttachment {
  id: Id;
  eventId: Id | null;
  name: string;
  mime: string;
  size: number;
  createdAt: string;
}

export interface Ticket extends TicketListItem {
  priorityName: string | null;
  contractId: Id;
  contractName: string | null;
  siteId: Id | null;
  siteName: string | null;
  service: string | null;
  category: string | null;
  impact: string;
  urgency: string;
  description: string;
  resolution: string | null;
  createdAt: string;
  createdBy: Id | null;
  respondedAt: string | null;
  onsiteAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  cancelledAt: string | null;
  sla: SlaClock[];
  closure?: TicketClosure | null;
  /** The service desk's own time limits (OLA, REQ T11); provider staff only. */
  ola?: OlaClock[];
  /** The customer's satisfaction rating, once given. */
  rating?: TicketRating | null;
  allowedActions: string[];
  timeline: TimelineEvent[];
  links: TicketLink[];
  attachments: TicketAttachment[];
}

export interface OlaClock {
  target: string;
  state: 'running' | 'met' | 'breached';
  startedAt: string;
  dueAt: string;
  remainingMinutes: number;
  metAt: string | null;
}

export interface TicketRating {
  score: number;
  comment: string | null;
  /** Null: a contact without an account rated through the link in the resolution mail. */
  ratedBy: Id | null;
  ratedByName: string | null;
  ratedAt: string;
}

/** GET /contacts/search: a contact with its customer's and site's names. */
export interface ContactHit extends Contact {
  customerName: string;
  siteName: string | null;
  /** Which key found the contact (name, pinyin, initials, phone, tail: last four digits, local: landline without area code, site). */
  matched: 'name' | 'pinyin' | 'initials' | 'phone' | 'tail' | 'local' | 'site';
}
