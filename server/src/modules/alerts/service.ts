import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { instantToZoned } from '../../core/calendar/index.js';
import { levelsFor, reportedAtOf, repeatDecision, type SeverityMap } from '../../core/alerts.js';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrix } from '../../core/priority.js';
import { allowedActions, OPEN_STATES, type TicketState } from '../../core/tickets/lifecycle.js';
import type { Db } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { systemActor, type Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation, problemFromAppError, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { DEFAULT_LOCALE, isLocale, t, type Locale } from '../../platform/i18n/index.js';
import { cisForHost } from '../cmdb/links.service.js';
import type { Customer } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import { TEXT_MAX, TITLE_MAX, type ListQuery } from '../tickets/schema.js';
import type { TicketService } from '../tickets/service.js';
import { clip, localTime, parseAlerts, type ParsedAlert } from './formats.js';
import './messages.js';
import * as repo from './repo.js';
import type { AlertFormat, AlertLogOut, AlertLogQuery, AlertOutcome, IntakeOut, SourceCreate, SourceListQuery, SourceOut, SourcePatch, SourceWithToken } from './schema.js';

/** Lookups of other modules made with the system's eyes (the source was already found in scope, or authenticated). */
const SYSTEM = systemActor('system');
const TOKEN_PREFIX = 'ywa_';
/** A claim older than this (its delivery died before the ticket was written) is taken over. */
const CLAIM_STALE_MS = 5 * 60_000;
/** How much of an alert's JSON the log keeps. */
const PAYLOAD_MAX = 8000;

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What was done about one alert. */
interface Handled {
  outcome: AlertOutcome;
  ticketId: number | null;
  ticketNumber: string | null;
  message: string | null;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(24).toString('base64url');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function localeOf(row: repo.SourceRow): Locale {
  return isLocale(row.locale) ? row.locale : DEFAULT_LOCALE;
}

/** An AppError as one line of text in the source's language (for the log and the sender). */
export function problemText(err: AppError, locale: Locale): string {
  const p = problemFromAppError(err, locale);
  return p.errors?.length ? p.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : p.title;
}

function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'alerts.providerOnly');
}

/** The host an alert names: the generic / Zabbix host, or the labels instance, host, hostname (Prometheus). */
function hostsOf(alert: ParsedAlert): string[] {
  const facts = new Map(alert.facts);
  return ['host', 'label:instance', 'label:host', 'label:hostname'].map((k) => facts.get(k)).filter((v): v is string => !!v);
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  }
}

/**
 * The actor a source's alerts act as on tickets: the system, named after the source (audit
 * entries and notes say which monitoring system did it), every customer in scope — the source
 * was authenticated by its token and only ever touches its own customer's tickets.
 */
function intakeActor(source: repo.SourceRow): Actor {
  return { ...systemActor(`monitoring:${source.name}`, ['tickets.read', 'tickets.write']), displayName: source.name, locale: localeOf(source) };
}

/**
 * Monitoring alert intake (docs/ALERTS.md; REQ #185, #186, #343): alert sources per customer
 * (the only writer of `alert_sources`, `alert_bindings`, `alert_log`), and the intake that turns
 * each received alert into an incident through the tickets module — one ticket per alert while
 * it is open, repeats counted and noted at most once per interval, recoveries noted (and
 * resolved, when the source says so).
 */
export class AlertService {
  constructor(
    private readonly db: Db,
    private readonly tickets: TicketService,
    private readonly organisation: OrganisationService,
  ) {}

  // ------------------------------------------------------------ sources (administration)

  async list(actor: Actor, query: SourceListQuery): Promise<Page<SourceOut>> {
    requireProvider(actor);
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listSources(this.db, actor.scope, { customerId: query.customerId, q: query.q, afterId: cursor ? Number(cursor[0]) : undefined, limit: query.limit + 1 });
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return { items: await this.views(page.items), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: number): Promise<SourceOut> {
    requireProvider(actor);
    return (await this.views([await this.find(actor, id)]))[0];
  }

  private async find(actor: Actor, id: number): Promise<repo.SourceRow> {
    const row = await repo.findSource(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  private async views(rows: repo.SourceRow[]): Promise<SourceOut[]> {
    if (!rows.length) return [];
    const dir = await this.organisation.directory({
      customers: rows.map((r) => Number(r.customer_id)),
      contacts: rows.flatMap((r) => (r.contact_id === null ? [] : [Number(r.contact_id)])),
      sites: rows.flatMap((r) => (r.site_id === null ? [] : [Number(r.site_id)])),
    });
    return rows.map((r) => sourceView(r, dir));
  }

  /** The customer, in the caller's scope (else a problem on customerId). */
  private async customerOf(actor: Actor, customerId: number): Promise<Customer> {
    const customer = await orNull(this.organisation.getCustomer(actor, customerId));
    if (!customer) throw AppError.field('customerId', 'alerts.unknownCustomer');
    return customer;
  }

  /** Contact and site must be the customer's; the mapped levels must be on its contract's matrix. */
  private async check(actor: Actor, customer: Customer, input: { contactId?: number; siteId?: number | null; severityMap?: SeverityMap }): Promise<void> {
    const problems: FieldProblem[] = [];
    if (input.contactId !== undefined) {
      const contact = await orNull(this.organisation.getContact(actor, input.contactId));
      if (!contact || contact.customerId !== customer.id) problems.push({ field: 'contactId', code: 'tickets.contactNotOfCustomer' });
    }
    if (input.siteId != null) {
      const site = await orNull(this.organisation.getSite(actor, input.siteId));
      if (!site || site.customerId !== customer.id) problems.push({ field: 'siteId', code: 'tickets.siteNotOfCustomer' });
    }
    if (input.severityMap) {
      const matrix = await this.matrixInForce(customer);
      for (const [severity, l] of Object.entries(input.severityMap)) {
        if (!matrix.impacts.some((a) => a.code === l.impact)) {
          problems.push({ field: `severityMap.${severity}.impact`, code: 'tickets.levelUnknown', params: { value: l.impact, values: matrix.impacts.map((a) => a.code).join(', ') } });
        }
        if (!matrix.urgencies.some((a) => a.code === l.urgency)) {
          problems.push({ field: `severityMap.${severity}.urgency`, code: 'tickets.levelUnknown', params: { value: l.urgency, values: matrix.urgencies.map((a) => a.code).join(', ') } });
        }
      }
    }
    if (problems.length) throw AppError.validation(problems);
  }

  /** The priority matrix of the customer's contract in force today (the latest started); the default one without a contract. */
  private async matrixInForce(customer: Customer): Promise<PriorityMatrix> {
    const today = instantToZoned(Date.now(), customer.timeZone).date;
    const inForce = [];
    let cursor: string | undefined;
    do {
      const page = await this.organisation.listContracts(SYSTEM, customer.id, { limit: 200, cursor });
      inForce.push(...page.items.filter((c) => c.startsOn <= today && today <= c.endsOn));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    inForce.sort((a, b) => b.startsOn.localeCompare(a.startsOn) || b.id - a.id);
    const sla = inForce[0]?.slaPolicy as { matrix?: PriorityMatrix } | null | undefined;
    return sla?.matrix ?? DEFAULT_PRIORITY_MATRIX;
  }

  async create(actor: Actor, input: SourceCreate): Promise<SourceWithToken> {
    requireProvider(actor);
    const customer = await this.customerOf(actor, input.customerId);
    await this.check(actor, customer, input);
    const token = newToken();
    const now = Date.now();
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        const row = await repo.insertSource(trx, {
          customer_id: customer.id,
          name: input.name,
          format: input.format,
          token_hash: sha256(token),
          token_hint: token.slice(-4),
          enabled: input.enabled ? 1 : 0,
          auto_resolve: input.autoResolve ? 1 : 0,
          contact_id: input.contactId,
          site_id: input.siteId ?? null,
          service: input.service,
          category: input.category,
          severity_map: JSON.stringify(input.severityMap),
          repeat_note_minutes: input.repeatNoteMinutes,
          locale: input.locale,
          last_alert_at: null,
          created_by: actor.userId || null,
          created_at: now,
          updated_at: now,
          version: 1,
        });
        await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'alert_sources', entityId: Number(row.id), customerId: customer.id, after: auditView(row) }, now);
        return row;
      });
      return { ...(await this.views([row]))[0], token };
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('name', input.name);
      throw err;
    }
  }

  async update(actor: Actor, id: number, patch: SourcePatch): Promise<SourceOut> {
    requireProvider(actor);
    const current = await this.find(actor, id);
    if (current.version !== patch.version) throw AppError.conflict();
    const customer = await this.customerOf(actor, Number(current.customer_id));
    await this.check(actor, customer, { contactId: patch.contactId, siteId: patch.siteId, severityMap: patch.severityMap });
    const set: Parameters<typeof repo.updateSource>[3] = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.format !== undefined) set.format = patch.format;
    if (patch.contactId !== undefined) set.contact_id = patch.contactId;
    if (patch.siteId !== undefined) set.site_id = patch.siteId;
    if (patch.service !== undefined) set.service = patch.service;
    if (patch.category !== undefined) set.category = patch.category;
    if (patch.severityMap !== undefined) set.severity_map = JSON.stringify(patch.severityMap);
    if (patch.autoResolve !== undefined) set.auto_resolve = patch.autoResolve ? 1 : 0;
    if (patch.repeatNoteMinutes !== undefined) set.repeat_note_minutes = patch.repeatNoteMinutes;
    if (patch.locale !== undefined) set.locale = patch.locale;
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    const now = Date.now();
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        const before = await repo.findSource(trx, actor.scope, id);
        if (!before) throw AppError.notFound();
        const row = await repo.updateSource(trx, id, patch.version, { ...set, updated_at: now });
        if (!row) throw AppError.conflict();
        await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'alert_sources', entityId: id, customerId: Number(row.customer_id), before: auditView(before), after: auditView(row) }, now);
        return row;
      });
      return (await this.views([row]))[0];
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('name', patch.name);
      throw err;
    }
  }

  /** Deletes a source with its log and bindings (the tickets it opened stay). */
  async remove(actor: Actor, id: number): Promise<void> {
    requireProvider(actor);
    await this.db.transaction().execute(async (trx) => {
      const row = await repo.findSource(trx, actor.scope, id);
      if (!row) throw AppError.notFound();
      await repo.deleteSource(trx, id);
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'alert_sources', entityId: id, customerId: Number(row.customer_id), before: auditView(row) });
    });
  }

  /** A new token (shown this once); the old one stops working at once. */
  async rotateToken(actor: Actor, id: number, version?: number): Promise<SourceWithToken> {
    requireProvider(actor);
    const token = newToken();
    const now = Date.now();
    const row = await this.db.transaction().execute(async (trx) => {
      const before = await repo.findSource(trx, actor.scope, id);
      if (!before) throw AppError.notFound();
      if (version !== undefined && before.version !== version) throw AppError.conflict();
      const row = await repo.updateSource(trx, id, before.version, { token_hash: sha256(token), token_hint: token.slice(-4), updated_at: now });
      if (!row) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: 'rotate_token', entity: 'alert_sources', entityId: id, customerId: Number(row.customer_id), before: { tokenHint: before.token_hint }, after: { tokenHint: row.token_hint } }, now);
      return row;
    });
    return { ...(await this.views([row]))[0], token };
  }

  /** The alerts received, newest first (all sources in scope, or one). */
  async log(actor: Actor, query: AlertLogQuery): Promise<Page<AlertLogOut>> {
    requireProvider(actor);
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listLog(this.db, actor.scope, {
      sourceId: query.sourceId,
      customerId: query.customerId,
      outcome: query.outcome,
      ticketId: query.ticketId,
      beforeId: cursor ? Number(cursor[0]) : undefined,
      limit: query.limit + 1,
    });
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return { items: page.items.map(logView), nextCursor: page.nextCursor };
  }

  // ------------------------------------------------------------ intake

  /**
   * The source a post is for, by its id and token: an unknown source and a wrong token are the
   * same 401 (a source's existence is not disclosed); a disabled source is a 403 saying so.
   */
  async authenticate(sourceId: number, token: string | undefined): Promise<repo.SourceRow> {
    const row = Number.isSafeInteger(sourceId) && sourceId > 0 ? await repo.sourceForIntake(this.db, sourceId) : undefined;
    if (!row || !token || !sameHash(sha256(token), row.token_hash)) throw AppError.unauthorized('alerts.tokenInvalid');
    if (row.enabled !== 1) throw new AppError(403, 'source_disabled', 'alerts.sourceDisabled', { name: row.name });
    return row;
  }

  /**
   * Receives a post: the payload is checked whole (a bad one is refused with a problem naming
   * the field, and logged as `rejected`), then each alert is handled in turn, each with its own
   * transactions, and logged. An alert that cannot be handled for a reason the sender cannot
   * fix by retrying (no contract in force, a level not on the matrix …) is logged `failed` and
   * the others go on; anything else (the database gone) fails the post, so the sender retries
   * — alerts already handled then count as repeats.
   */
  async receive(source: repo.SourceRow, body: unknown): Promise<IntakeOut> {
    const receivedAt = Date.now();
    const locale = localeOf(source);
    const customer = await this.organisation.getCustomer(SYSTEM, Number(source.customer_id));
    let alerts: ParsedAlert[];
    try {
      alerts = parseAlerts(source.format as AlertFormat, body, customer.timeZone);
    } catch (err) {
      if (err instanceof AppError) {
        await repo.insertLog(this.db, {
          source_id: source.id,
          customer_id: source.customer_id,
          received_at: receivedAt,
          fingerprint: null,
          status: null,
          severity: null,
          title: null,
          outcome: 'rejected',
          ticket_id: null,
          ticket_number: null,
          message: clip(problemText(err, locale), 2000),
          payload: clip(safeJson(body), PAYLOAD_MAX),
        });
        await repo.touchSource(this.db, source.id, receivedAt);
      }
      throw err;
    }
    const actor = intakeActor(source);
    const map = JSON.parse(source.severity_map) as SeverityMap;
    const results: IntakeOut['results'] = [];
    const outcomes: Record<string, number> = {};
    for (const alert of alerts) {
      let handled: Handled;
      try {
        handled = await this.handle(source, customer, actor, map, alert, 0);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        handled = { outcome: 'failed', ticketId: null, ticketNumber: null, message: problemText(err, locale) };
      }
      await repo.insertLog(this.db, {
        source_id: source.id,
        customer_id: source.customer_id,
        received_at: Date.now(),
        fingerprint: alert.fingerprint,
        status: alert.status,
        severity: alert.severity,
        title: clip(alert.title, 500),
        outcome: handled.outcome,
        ticket_id: handled.ticketId,
        ticket_number: handled.ticketNumber,
        message: handled.message === null ? null : clip(handled.message, 2000),
        payload: clip(safeJson(alert.raw), PAYLOAD_MAX),
      });
      outcomes[handled.outcome] = (outcomes[handled.outcome] ?? 0) + 1;
      results.push({ fingerprint: alert.fingerprint, status: alert.status, ...handled });
    }
    await repo.touchSource(this.db, source.id, receivedAt);
    return { received: alerts.length, outcomes, results };
  }

  /** One alert: find its live binding (and whether its ticket is still open), then open, repeat or recover. */
  private async handle(source: repo.SourceRow, customer: Customer, actor: Actor, map: SeverityMap, alert: ParsedAlert, depth: number): Promise<Handled> {
    const now = Date.now();
    const locale = localeOf(source);
    let binding = await repo.liveBinding(this.db, source.id, alert.fingerprint);
    if (binding && binding.ticket_id === null) {
      // Another delivery is opening the ticket right now; one that died long ago is taken over.
      if (now - binding.created_at < CLAIM_STALE_MS) {
        await repo.countRepeat(this.db, binding.id, now);
        return { outcome: 'deduplicated', ticketId: null, ticketNumber: null, message: t(locale, 'alerts.claimed') };
      }
      await repo.release(this.db, binding.id, now);
      binding = undefined;
    }
    let previous: { id: number; number: string } | null = null;
    let state: TicketState | null = null;
    if (binding) {
      state = await this.ticketState(actor, binding.ticket_number!);
      if (state === null || !OPEN_STATES.includes(state)) {
        // Resolved, closed or cancelled: the alert's next firing is a new fault, with a new ticket.
        await repo.release(this.db, binding.id, now);
        if (state !== null) previous = { id: Number(binding.ticket_id), number: binding.ticket_number! };
        binding = undefined;
      }
    }
    if (alert.status === 'resolved') {
      if (!binding) return { outcome: 'ignored', ticketId: null, ticketNumber: null, message: t(locale, 'alerts.ignoredNoTicket') };
      return this.recovered(source, customer, actor, binding, state!, alert, now);
    }
    if (!binding) return this.open(source, customer, actor, map, alert, previous, now, depth);
    return this.repeat(source, customer, actor, binding, now);
  }

  /** Whether the ticket is open, through the tickets module (by its number: one indexed row). */
  private async ticketState(actor: Actor, number: string): Promise<TicketState | null> {
    const query = { limit: 1, q: number, sort: '-reported' } as ListQuery;
    const page = await this.tickets.list(actor, query);
    return page.items.find((i) => i.number === number)?.state ?? null;
  }

  private async open(source: repo.SourceRow, customer: Customer, actor: Actor, map: SeverityMap, alert: ParsedAlert, previous: { id: number; number: string } | null, now: number, depth: number): Promise<Handled> {
    const locale = localeOf(source);
    if (source.contact_id === null) throw new AppError(409, 'no_contact', 'alerts.noContact');
    let claimId: number;
    try {
      claimId = await repo.claim(this.db, source.id, alert.fingerprint, now);
    } catch (err) {
      // Another delivery claimed it between our read and our write: handle it as what it now is.
      if (isUniqueViolation(err) && depth < 2) return this.handle(source, customer, actor, map, alert, depth + 1);
      throw err;
    }
    const levels = levelsFor(map, alert.severity);
    // The CIs the alert's host names (docs/CMDB.md, "Tickets and alerts"): named on the ticket.
    const ciIds = await cisForHost(this.db, customer.id, hostsOf(alert));
    let ticket: { id: number; number: string };
    try {
      ticket = await this.tickets.create(actor, {
        customerId: customer.id,
        contactId: Number(source.contact_id),
        kind: 'incident',
        title: clip(alert.title.trim() || t(locale, `alerts.format.${source.format}`), TITLE_MAX),
        description: clip(describe(source, alert, customer.timeZone, previous), TEXT_MAX),
        impact: levels.impact,
        urgency: levels.urgency,
        reportedAt: reportedAtOf(alert.startsAt, now),
        siteId: source.site_id === null ? null : Number(source.site_id),
        service: source.service,
        category: source.category,
        channel: 'monitoring',
        ...(ciIds.length ? { ciIds } : {}),
      });
      await repo.bindTicket(this.db, claimId, ticket.id, ticket.number);
    } catch (err) {
      await repo.dropClaim(this.db, claimId);
      throw err;
    }
    let message: string | null = null;
    if (previous) {
      try {
        await this.tickets.addLink(actor, ticket.id, previous.id, 'related');
        message = t(locale, 'alerts.linkedPrevious', { number: previous.number });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
      }
    }
    return { outcome: 'created', ticketId: ticket.id, ticketNumber: ticket.number, message };
  }

  /** A firing alert whose ticket is open: firing again after a recovery is noted; a repeat at most once per interval. */
  private async repeat(source: repo.SourceRow, customer: Customer, actor: Actor, b: repo.BindingRow, now: number): Promise<Handled> {
    const locale = localeOf(source);
    const ticketId = Number(b.ticket_id);
    const on = { ticketId, ticketNumber: b.ticket_number };
    if (b.alert_state === 'resolved') {
      if (await repo.takeNote(this.db, b, 'firing', now, true)) {
        await this.note(actor, ticketId, t(locale, 'alerts.note.refired'));
        return { outcome: 'noted', ...on, message: null };
      }
    } else {
      const since = b.last_note_at ?? b.created_at;
      if (repeatDecision(since, now, source.repeat_note_minutes) === 'note' && (await repo.takeNote(this.db, b, 'firing', now, true))) {
        await this.note(actor, ticketId, t(locale, 'alerts.note.repeat', { since: localTime(since, customer.timeZone), count: b.pending_repeats + 1 }));
        return { outcome: 'noted', ...on, message: null };
      }
    }
    await repo.countRepeat(this.db, b.id, now);
    return { outcome: 'deduplicated', ...on, message: t(locale, 'alerts.repeatCounted', { number: b.ticket_number, minutes: source.repeat_note_minutes }) };
  }

  /** A recovery of an alert whose ticket is open: a note, and with auto-resolve the ticket resolved when it may be. */
  private async recovered(source: repo.SourceRow, customer: Customer, actor: Actor, b: repo.BindingRow, state: TicketState, alert: ParsedAlert, now: number): Promise<Handled> {
    const locale = localeOf(source);
    const ticketId = Number(b.ticket_id);
    const on = { ticketId, ticketNumber: b.ticket_number };
    if (b.alert_state === 'resolved' || !(await repo.takeNote(this.db, b, 'resolved', now, false))) {
      await repo.countRepeat(this.db, b.id, now);
      return { outcome: 'deduplicated', ...on, message: t(locale, 'alerts.resolvedRepeat') };
    }
    const lines = [t(locale, 'alerts.note.resolved')];
    if (alert.endsAt !== null) lines.push(t(locale, 'alerts.note.resolvedAt', { at: localTime(alert.endsAt, customer.timeZone) }));
    if (source.auto_resolve === 1) {
      if (allowedActions(state).includes('resolve')) {
        await this.note(actor, ticketId, lines.join('\n'));
        await this.tickets.action(actor, ticketId, 'resolve', { reason: null, resolution: t(locale, 'alerts.note.autoResolution', { source: source.name }) });
        await repo.release(this.db, b.id, Date.now());
        return { outcome: 'resolved', ...on, message: t(locale, 'alerts.autoResolved') };
      }
      lines.push(t(locale, 'alerts.autoResolveSkipped', { state }));
    }
    await this.note(actor, ticketId, lines.join('\n'));
    return { outcome: 'noted', ...on, message: lines.length > 1 && source.auto_resolve === 1 ? lines[lines.length - 1] : null };
  }

  /** An internal note on the ticket, through the tickets module. */
  private async note(actor: Actor, ticketId: number, body: string): Promise<void> {
    await this.tickets.reply(actor, ticketId, { body: clip(body, TEXT_MAX), visibility: 'internal', mentions: [] });
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return String(v);
  }
}

/** The ticket's description: what the alert says, in the source's language. */
function describe(source: repo.SourceRow, alert: ParsedAlert, timeZone: string, previous: { number: string } | null): string {
  const locale = localeOf(source);
  const sep = locale === 'en-US' ? ': ' : '：';
  const lines = [t(locale, 'alerts.desc.head', { format: t(locale, `alerts.format.${source.format}`), source: source.name })];
  if (alert.text) lines.push('', alert.text.trim());
  lines.push('');
  if (alert.severity) lines.push(`${t(locale, 'alerts.desc.severity')}${sep}${alert.severity}`);
  if (alert.startsAt !== null) lines.push(`${t(locale, 'alerts.desc.startsAt')}${sep}${localTime(alert.startsAt, timeZone)} (${timeZone})`);
  if (alert.url) lines.push(`${t(locale, 'alerts.desc.url')}${sep}${alert.url}`);
  lines.push(`${t(locale, 'alerts.desc.fingerprint')}${sep}${alert.fingerprint}`);
  if (previous) lines.push(t(locale, 'alerts.note.previous', { number: previous.number }));
  if (alert.facts.length) {
    lines.push('', `${t(locale, 'alerts.desc.details')}${sep.trim()}`);
    for (const [k, v] of alert.facts) lines.push(`  ${k === 'host' ? t(locale, 'alerts.desc.host') : k} = ${v}`);
  }
  return lines.join('\n');
}

function parseMap(s: string): SeverityMap {
  try {
    return JSON.parse(s) as SeverityMap;
  } catch {
    return {};
  }
}

function sourceView(r: repo.SourceRow, dir: Awaited<ReturnType<OrganisationService['directory']>>): SourceOut {
  const id = Number(r.id);
  return {
    id,
    customerId: Number(r.customer_id),
    customerName: dir.customers.get(Number(r.customer_id)) ?? null,
    name: r.name,
    format: r.format as AlertFormat,
    tokenHint: r.token_hint,
    intakePath: `/api/v1/alerts/${id}`,
    enabled: r.enabled === 1,
    autoResolve: r.auto_resolve === 1,
    contactId: r.contact_id === null ? null : Number(r.contact_id),
    contactName: r.contact_id === null ? null : (dir.contacts.get(Number(r.contact_id)) ?? null),
    siteId: r.site_id === null ? null : Number(r.site_id),
    siteName: r.site_id === null ? null : (dir.sites.get(Number(r.site_id)) ?? null),
    service: r.service,
    category: r.category,
    severityMap: parseMap(r.severity_map),
    repeatNoteMinutes: r.repeat_note_minutes,
    locale: localeOf(r),
    lastAlertAt: iso(r.last_alert_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    version: r.version,
  };
}

/** What the audit log keeps of a source: never the token or its hash. */
function auditView(r: repo.SourceRow) {
  return {
    name: r.name,
    format: r.format,
    tokenHint: r.token_hint,
    enabled: r.enabled === 1,
    autoResolve: r.auto_resolve === 1,
    contactId: r.contact_id,
    siteId: r.site_id,
    service: r.service,
    category: r.category,
    severityMap: parseMap(r.severity_map),
    repeatNoteMinutes: r.repeat_note_minutes,
    locale: r.locale,
  };
}

function logView(r: repo.LogRow & { source_name: string | null }): AlertLogOut {
  return {
    id: Number(r.id),
    sourceId: Number(r.source_id),
    sourceName: r.source_name,
    customerId: Number(r.customer_id),
    receivedAt: iso(r.received_at),
    fingerprint: r.fingerprint,
    status: r.status as AlertLogOut['status'],
    severity: r.severity,
    title: r.title,
    outcome: r.outcome as AlertOutcome,
    ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
    ticketNumber: r.ticket_number,
    message: r.message,
    payload: r.payload,
  };
}
