import path from 'node:path';
import { z } from 'zod';
import { DESK_OLA_MINUTES, type OlaMinutes } from './core/sla/ola.js';
import { parseNetworks } from './platform/notify/outbound.js';

/** Everything configurable, read once from the environment and validated. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  SESSION_SECRET: z.string().min(16).optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(120),
  SESSION_MAX_HOURS: z.coerce.number().int().positive().default(24 * 7),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().positive().default(15),
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().positive().default(20),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).default(11),
  PASSWORD_REQUIRE_CLASSES: z.string().default('upper,lower,digit,symbol'),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default('Yunwei <yunwei@localhost>'),
  /** The address people open Yunwei at (links in mail and chat messages), e.g. https://yunwei.example.com */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Key for signed links (mail confirmation links); unset: one is generated into DATA_DIR/secret.key. */
  SECRET_KEY: z.string().min(32).optional(),
  /** Which ticket events mail the ticket's contact: created, reply, resolved (comma-separated; "none" for none). */
  CONTACT_MAIL_EVENTS: z.string().default('created,reply,resolved'),
  /** Days a confirmation link in a resolution mail stays valid. */
  CONFIRM_LINK_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  /** Requests per minute and client address to the public confirmation endpoints. */
  CONFIRM_RATE_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Working days (contract calendar) after which a resolved ticket nobody objected to closes. */
  TICKET_AUTO_CLOSE_WORKDAYS: z.coerce.number().int().min(0).max(60).default(3),
  /** Days after closure during which a ticket may still be reopened. */
  TICKET_REOPEN_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /** The service desk's OLA targets in minutes (REQ T11 by default; 0 turns one off). */
  TICKET_OLA_DISPATCH_MINUTES: z.coerce.number().int().min(0).max(10_080).default(DESK_OLA_MINUTES.dispatch),
  TICKET_OLA_EXECUTION_CHECK_MINUTES: z.coerce.number().int().min(0).max(10_080).default(DESK_OLA_MINUTES.execution_check),
  TICKET_OLA_REDISPATCH_MINUTES: z.coerce.number().int().min(0).max(10_080).default(DESK_OLA_MINUTES.redispatch),
  TICKET_OLA_REPORT_PM_MINUTES: z.coerce.number().int().min(0).max(10_080).default(DESK_OLA_MINUTES.report_pm),
  /** The provider's name printed on documents (repair reports' footer). */
  PROVIDER_NAME: z.string().trim().max(100).optional(),
  /** The service desk's hotline and hours, shown to customers in the portal (e.g. "0576-8888 1234", "7×24 小时"). */
  DESK_HOTLINE: z.string().trim().max(100).optional(),
  DESK_HOURS: z.string().trim().max(100).optional(),
  /** A CJK font for PDFs (TTF, OTF or TTC), tried before the system's and the bundled one; PDF_FONT_FAMILY names the font inside a .ttc. */
  PDF_FONT: z.string().optional(),
  PDF_FONT_FAMILY: z.string().optional(),
  WEB_DIST: z.string().optional(),
  /** The job scheduler (docs/OPERATIONS.md, "Jobs"): the longest a claim loop sleeps when nothing falls due sooner. */
  JOB_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Single jobs (mail, webhooks, OLA, auto-close) running at a time. */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Most due jobs of a batch kind (the SLA job) claimed and run at once. */
  JOB_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /** Batches of one kind running at a time (default: 1 on SQLite, 5 on PostgreSQL). */
  JOB_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(16).optional(),
  /** Tickets of an SLA batch written per transaction (default: 50 on SQLite, a single writer; the whole batch on PostgreSQL). */
  JOB_BATCH_TRANSACTION_SIZE: z.coerce.number().int().min(1).max(1000).optional(),
  /** Inbound email (docs/MAIL-IN.md): the SMTP listener `yunwei serve` starts when a port is set (behind the organisation's MTA). */
  MAIL_IN_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MAIL_IN_SMTP_HOST: z.string().default('127.0.0.1'),
  /** Peers allowed to connect: IP addresses and CIDR ranges, comma-separated (default: any that reaches the host/port). */
  MAIL_IN_SMTP_ALLOW: z.string().optional(),
  /** The largest message taken, by SMTP and by POST /api/v1/mail/inbound. */
  MAIL_IN_MAX_BYTES: z.coerce.number().int().min(1024).max(200 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Webhooks may target internal addresses (loopback, private, link-local, …): for tests and closed networks (docs/SECURITY.md). */
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  /** Internal networks webhooks may target anyway: IP addresses and CIDR ranges, comma-separated (e.g. an intranet WeCom proxy). */
  WEBHOOK_ALLOWED_NETWORKS: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  sessionSecret: string | null;
  sessionIdleMs: number;
  sessionMaxMs: number;
  trustProxy: boolean;
  cookieSecure: 'auto' | boolean;
  login: { maxFailures: number; lockMs: number; ratePerMinute: number };
  password: { minLength: number; classes: Array<'upper' | 'lower' | 'digit' | 'symbol'> };
  bodyLimit: number;
  uploadLimit: number;
  logLevel: string;
  smtp: { url: string | null; from: string };
  publicUrl: string | null;
  secretKey: string | null;
  /** Mail to a ticket's contact (modules/tickets/contact-mail.ts). */
  contactMail: { events: Array<'created' | 'reply' | 'resolved'>; linkDays: number; ratePerMinute: number };
  tickets: { autoCloseWorkdays: number; reopenDays: number; ola: OlaMinutes };
  providerName: string | null;
  /** The service desk as customers see it in the portal (null: not configured). */
  desk: { hotline: string | null; hours: string | null };
  pdf: { font: string | null; fontFamily: string | null };
  webDist: string | null;
  jobs: { pollMs: number; concurrency: number; batchSize: number; batchConcurrency: number | null; ticketsPerTransaction: number | null };
  mailIn: { smtpPort: number | null; smtpHost: string; smtpAllow: string[]; maxBytes: number };
  /** Which addresses webhooks may target (platform/notify/outbound.ts). */
  webhooks: { allowPrivate: boolean; allowedNetworks: string[] };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const classes = e.PASSWORD_REQUIRE_CLASSES.split(',').map((s) => s.trim()).filter(Boolean);
  for (const c of classes) {
    if (!['upper', 'lower', 'digit', 'symbol'].includes(c)) throw new Error(`Invalid configuration:\n  PASSWORD_REQUIRE_CLASSES: unknown class ${c}`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL || null,
    sessionSecret: e.SESSION_SECRET ?? null,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    trustProxy: e.TRUST_PROXY === 'true',
    cookieSecure: e.COOKIE_SECURE === 'auto' ? 'auto' : e.COOKIE_SECURE === 'true',
    login: { maxFailures: e.LOGIN_MAX_FAILURES, lockMs: e.LOGIN_LOCK_MINUTES * 60_000, ratePerMinute: e.LOGIN_RATE_PER_MINUTE },
    password: { minLength: e.PASSWORD_MIN_LENGTH, classes: classes as Config['password']['classes'] },
    bodyLimit: e.BODY_LIMIT_BYTES,
    uploadLimit: e.UPLOAD_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    smtp: { url: e.SMTP_URL ?? null, from: e.SMTP_FROM },
    publicUrl: e.PUBLIC_URL ?? null,
    secretKey: e.SECRET_KEY ?? null,
    contactMail: { events: contactMailEvents(e.CONTACT_MAIL_EVENTS), linkDays: e.CONFIRM_LINK_DAYS, ratePerMinute: e.CONFIRM_RATE_PER_MINUTE },
    tickets: {
      autoCloseWorkdays: e.TICKET_AUTO_CLOSE_WORKDAYS,
      reopenDays: e.TICKET_REOPEN_DAYS,
      ola: {
        dispatch: e.TICKET_OLA_DISPATCH_MINUTES,
        execution_check: e.TICKET_OLA_EXECUTION_CHECK_MINUTES,
        redispatch: e.TICKET_OLA_REDISPATCH_MINUTES,
        report_pm: e.TICKET_OLA_REPORT_PM_MINUTES,
      },
    },
    providerName: e.PROVIDER_NAME || null,
    desk: { hotline: e.DESK_HOTLINE || null, hours: e.DESK_HOURS || null },
    pdf: { font: e.PDF_FONT || null, fontFamily: e.PDF_FONT_FAMILY || null },
    webDist: e.WEB_DIST ?? null,
    jobs: { pollMs: e.JOB_POLL_MS, concurrency: e.JOB_CONCURRENCY, batchSize: e.JOB_BATCH_SIZE, batchConcurrency: e.JOB_BATCH_CONCURRENCY ?? null, ticketsPerTransaction: e.JOB_BATCH_TRANSACTION_SIZE ?? null },
    mailIn: {
      smtpPort: e.MAIL_IN_SMTP_PORT ?? null,
      smtpHost: e.MAIL_IN_SMTP_HOST,
      smtpAllow: (e.MAIL_IN_SMTP_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      maxBytes: e.MAIL_IN_MAX_BYTES,
    },
    webhooks: { allowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true', allowedNetworks: webhookNetworks(e.WEBHOOK_ALLOWED_NETWORKS) },
  };
}

function webhookNetworks(list: string | undefined): string[] {
  const entries = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  try {
    parseNetworks(entries);
  } catch (err) {
    throw new Error(`Invalid configuration:\n  WEBHOOK_ALLOWED_NETWORKS: ${(err as Error).message}`);
  }
  return entries;
}

function contactMailEvents(list: string): Config['contactMail']['events'] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  for (const n of names) {
    if (n !== 'created' && n !== 'reply' && n !== 'resolved') throw new Error(`Invalid configuration:\n  CONTACT_MAIL_EVENTS: unknown event ${n} (use created, reply, resolved or none)`);
  }
  return [...new Set(names)] as Config['contactMail']['events'];
}
