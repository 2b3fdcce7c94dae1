import type { Updateable } from 'kysely';
import type { Config } from '../../config.js';
import { DAY_MS, instantToZoned, type CompiledCalendar } from '../../core/calendar/index.js';
import { PriorityError, priorityOf } from '../../core/priority.js';
import { isOpenOla, type EscalationStep, type SlaMetric } from '../../core/sla/index.js';
import { isAutomatic, pickAssignee } from '../../core/tickets/assignment.js';
import { allowedActions, isOpen, LifecycleError, OPEN_STATES, transition, type TicketAction, type TicketState } from '../../core/tickets/lifecycle.js';
import type { Db, Tx } from '../../db/index.js';
import type { TicketsTable } from '../../db/schema.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, inScope, type Actor } from '../../platform/auth/actor.js';
import type { AuthService } from '../../platform/auth/service.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { t as translate } from '../../platform/i18n/index.js';
import { cancelJob, enqueueJob } from '../../platform/jobs/scheduler.js';
import type { Contract, Team } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import { DispatchRuleService, type PlacedTeam, type Placement } from './dispatch.service.js';
import { queueContactMail, resolutionMailSentAt } from './contact-mail.js';
import { CUSTOMER_HIDDEN_KEYS, type EmailLink, type EscalatedData, type NewEntry } from './events.js';
import { claimBlob, discardBlob, openBlob } from '../../platform/files/store.js';
import { storeUpload, type StoredFile } from './files.js';
import { notifyTicketEvent, type TicketNotice } from './notify.js';
import { firedBreaches, movesOla, olaBasisOf, olaClocksOf, olaView, scheduleOla, unfiredBreaches } from './ola.js';
import * as repo from './repo.js';
import {
  KIND_PREFIX,
  LINK_INVERSE,
  TITLE_MAX,
  VISIT_EVENTS,
  type ActionBody,
  type EscalateBody,
  type LinkKind,
  type ListQuery,
  type RatingBody,
  type RatingOut,
  type ReplyBody,
  type TicketCreate,
  type TicketKind,
  type TicketListItemOut,
  type TicketOut,
  type TicketPatch,
  type Visibility,
  type VisitBody,
  type WorklogBody,
} from './schema.js';
import { clockView, clocksOf, firedOf, firingsOf, isOpenClock, loadSlaContext, persistClocks, summaryOf, SYSTEM, targetOf, targetRulesOf, type Fired, type SlaContext } from './sla.js';

export const AUTO_CLOSE_JOB = 'tickets.autoclose';
export const autoCloseJobKey = (ticketId: number) => `ticket:autoclose:${ticketId}`;

/** reportedAt may run a little ahead of the server's clock (a desk PC's clock); later is refused. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const NUMBER_RE = /^(INC|REQ|CON|CMP)-\d{4}-\d{6,}$/;
const NUMBER_PREFIX_RE = /^(INC|REQ|CON|CMP)(-\d{0,4}|-\d{4}-\d*)?$/;

/** What one command does to one ticket; `apply` writes it with the timeline, the clocks and the audit entry. */
interface Change {
  set?: Updateable<TicketsTable>;
  entries: NewEntry[];
  /** The change may move an SLA clock (state, priority, response, arrival): recompute them. */
  sla?: boolean;
  audit: { action: string; before?: unknown; after?: unknown };
  /** More writes in the transaction once the timeline entries exist (jobs, file rows). */
  after?: (trx: Tx, eventIds: number[]) => Promise<void>;
  notices?: Array<Omit<TicketNotice, 'ticket' | 'actorId'>>;
}

type TimelineItem = TicketOut['timeline'][number];

/**
 * The service desk's tickets: creation with numbering, priority and dispatch (rules, automatic
 * assignment inside a team), the lifecycle, escalation, replies, notes, worklogs, visits, links
 * and attachments, satisfaction ratings and complaints, the queues, the live SLA and the desk's
 * OLA (with the scheduler jobs that fire warnings, breaches and escalations, and close resolved
 * tickets nobody objected to). With DispatchRuleService, the only writer of the tickets
 * tables (rotation and ratings included). Every command is one
 * transaction with its timeline entry, its audit entry and the ticket's new version; reads of
 * other modules go through their services, before the transaction opens.
 */
export class TicketService {
  readonly dispatch: DispatchRuleService;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly organisation: OrganisationService,
    private readonly calendars: CalendarService,
    private readonly auth: AuthService,
  ) {
    this.dispatch = new DispatchRuleService(db, organisation);
  }

  private context(contractOrId: number | Contract): Promise<SlaContext> {
    return loadSlaContext(this.organisation, this.calendars, contractOrId);
  }

  private reopenWindowMs(): number {
    return this.config.tickets.reopenDays * DAY_MS;
  }

  // ------------------------------------------------------------ create

  async create(actor: Actor, input: TicketCreate): Promise<TicketOut> {
    const unknownCaller = input.newContact !== undefined || input.callerName != null;
    if (unknownCaller) {
      // An unknown caller is the desk's case: a contact named, made, or a name kept, one of them.
      if (actor.customerId !== null) throw AppError.forbidden('tickets.write');
      const given = [input.contactId !== undefined, input.newContact !== undefined, input.callerName != null].filter(Boolean).length;
      if (given > 1) throw AppError.field(input.newContact ? 'newContact' : 'callerName', 'tickets.callerOneOf');
      return this.createTicket(actor, { ...input, contactId: null });
    }
    if (input.callerPhone) throw AppError.field('callerName', 'required');
    return this.createTicket(actor, { ...input, contactId: input.contactId ?? (await this.reporterOf(actor)) });
  }

  /**
   * The contact a ticket logged without one is reported by: customer staff report as the contact
   * their account is linked to; the provider's staff must always name the caller.
   */
  private async reporterOf(actor: Actor): Promise<number> {
    if (actor.customerId === null) throw AppError.field('contactId', 'required');
    const linked = await repo.linkedContactOf(this.db, actor.userId);
    if (linked === null) throw AppError.field('contactId', 'tickets.noLinkedContact');
    return linked;
  }

  /**
   * Creates a ticket: numbering, priority, clocks, and dispatch. A ticket logged without a team
   * or an assignee goes where the dispatch rules say (docs/TICKETS.md, "Dispatch"); a team
   * chosen by a rule, or named without an assignee, picks one by its assignment setting.
   * `complaintOf`: the ticket a customer's complaint is about, linked in the same transaction.
   */
  private async createTicket(actor: Actor, input: Omit<TicketCreate, 'contactId'> & { contactId: number | null }, complaintOf?: repo.TicketRow): Promise<TicketOut> {
    const now = Date.now();
    const customerStaff = actor.customerId !== null;
    if (customerStaff && input.customerId !== actor.customerId) throw AppError.notFound();
    if (customerStaff && input.channel !== undefined && input.channel !== 'portal') throw AppError.field('channel', 'tickets.portalOnly');
    const naming = input.teamId != null || input.assigneeId != null;
    if (naming && (customerStaff || !can(actor, 'tickets.dispatch'))) throw AppError.forbidden('tickets.dispatch');
    const oneYearAgo = new Date(now);
    oneYearAgo.setUTCFullYear(oneYearAgo.getUTCFullYear() - 1);
    if (input.reportedAt > now + FUTURE_TOLERANCE_MS) throw AppError.field('reportedAt', 'tickets.reportedInFuture');
    if (input.reportedAt < oneYearAgo.getTime()) throw AppError.field('reportedAt', 'tickets.reportedTooOld');
    // A report cannot follow its own logging: within the tolerance, "now" is when it was reported.
    const reportedAt = Math.min(input.reportedAt, now);

    const customer = await this.organisation.getCustomer(actor, input.customerId);
    if (customer.archivedAt !== null) throw new AppError(409, 'archived', 'tickets.customerArchived');
    const localDate = instantToZoned(reportedAt, customer.timeZone).date;
    const problems: FieldProblem[] = [];
    const [contact, site, contract] = await Promise.all([
      input.contactId === null ? null : orNull(this.organisation.getContact(actor, input.contactId)),
      input.siteId != null ? orNull(this.organisation.getSite(actor, input.siteId)) : null,
      this.contractFor(actor, customer.id, input.contractId, localDate, problems),
    ]);
    if (input.contactId !== null && (!contact || contact.customerId !== customer.id)) problems.push({ field: 'contactId', code: 'tickets.contactNotOfCustomer' });
    if (input.siteId != null && (!site || site.customerId !== customer.id)) problems.push({ field: 'siteId', code: 'tickets.siteNotOfCustomer' });
    const namedTeam = naming ? await this.checkAssignment(input.teamId ?? null, input.assigneeId ?? null, [customer.id], problems) : null;
    let ctx: SlaContext | null = null;
    let priority: { code: string; rank: number } | null = null;
    if (contract) {
      ctx = await this.context(contract);
      priority = levelOf(ctx, input.impact, input.urgency, problems);
    }
    if (problems.length || !ctx || !priority) throw AppError.validation(problems);

    const kind = input.kind;
    const channel = input.channel ?? defaultChannel(actor);
    const year = Number(localDate.slice(0, 4));
    // Where the ticket goes: the team named, else the dispatch rules' choice (or the desk's queue).
    const placement: Placement | null = naming ? null : await this.dispatch.placement(customer.id, { kind, service: input.service, category: input.category, priority: priority.code });
    const team = naming ? namedTeam : placement!.team;
    const dispatched = naming || (!placement!.queued && team !== null);
    const auto = dispatched && team && input.assigneeId == null ? await this.autoAssignFor(team) : null;
    const slaCtx = ctx;
    const level = priority;
    const created = await this.db.transaction().execute(async (trx) => {
      const sequence = await repo.nextSequence(trx, kind, year);
      const number = `${KIND_PREFIX[kind]}-${year}-${String(sequence).padStart(6, '0')}`;
      if (complaintOf) {
        // Under the original's row lock: two complaints about one ticket cannot both be lodged.
        await repo.findTicketForJob(trx, complaintOf.id, true);
        if (await repo.findComplaintLink(trx, complaintOf.id)) throw new AppError(409, 'duplicate', 'tickets.complaint.exists');
      }
      // An unknown caller becomes the customer's contact with the ticket (a failure below undoes both).
      const madeContact = input.newContact
        ? await this.organisation.addContact(trx, actor, customer.id, { ...input.newContact, mobile: input.newContact.mobile ?? null, siteId: input.siteId ?? null, email: null, title: null, isVip: false, notes: null, emailNotify: true, locale: null })
        : null;
      const contactId = madeContact?.id ?? input.contactId;
      const teamId = team?.id ?? null;
      const picked = input.assigneeId ?? (await this.pick(trx, auto, now));
      const entries: NewEntry[] = [
        { type: 'created', visibility: 'public', data: { state: 'new', priority: level.code, impact: input.impact, urgency: input.urgency, channel, ...(placement?.queued && teamId !== null ? { teamId } : {}) } },
      ];
      if (dispatched) {
        const data: Extract<NewEntry, { type: 'assigned' }>['data'] = { from: 'new', to: 'assigned', teamId, assigneeId: picked, previousTeamId: null, previousAssigneeId: null };
        if (placement?.rule) data.rule = placement.rule;
        if (auto && picked !== null) data.auto = auto.mode;
        entries.push({ type: 'assigned', visibility: 'public', data });
      }
      if (complaintOf) entries.push({ type: 'link_added', visibility: 'internal', data: { otherId: complaintOf.id, number: complaintOf.number, kind: 'complaint_about' } });
      const sources = entries.map((e) => ({ at: now, type: e.type, visibility: e.visibility, data: JSON.stringify(e.data) }));
      const clocks = slaCtx.sla ? clocksOf(reportedAt, sources, slaCtx.sla.policy, slaCtx.calendars, now) : [];
      const summary = summaryOf(clocks);
      const values: repo.NewTicket = {
        number,
        kind,
        customer_id: customer.id,
        contract_id: contract!.id,
        contact_id: contactId,
        caller_name: contactId === null ? (input.callerName ?? null) : null,
        caller_phone: contactId === null ? (input.callerPhone ?? null) : null,
        site_id: input.siteId ?? null,
        service: input.service,
        category: input.category,
        impact: input.impact,
        urgency: input.urgency,
        priority: level.code,
        priority_rank: level.rank,
        title: input.title,
        description: input.description,
        channel,
        state: dispatched ? 'assigned' : 'new',
        team_id: teamId,
        assignee_id: picked,
        resolution: null,
        reported_at: reportedAt,
        created_at: now,
        updated_at: now,
        responded_at: null,
        onsite_at: null,
        resolved_at: null,
        closed_at: null,
        cancelled_at: null,
        sla_due_at: summary.dueAt,
        sla_status: summary.status,
        version: 1,
        created_by: actor.userId || null,
      };
      const ticketId = await repo.insertTicket(trx, values);
      const rows = entries.map((e) => eventRow(ticketId, actor, e, now));
      const eventIds = await repo.insertEvents(trx, rows);
      // The contact's acknowledgement (with the number to quote), by mail when the contact has it on.
      if (contactId !== null) await queueContactMail(trx, this.config, { id: ticketId, contact_id: contactId }, entries, eventIds, now);
      const slaRows = await persistClocks(trx, ticketId, clocks, [], now, undefined, false);
      await scheduleOla(trx, ticketId, rows, this.config.tickets.ola, now, await olaBasisOf(trx, { reported_at: reportedAt, customer_id: customer.id }));
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'tickets', entityId: ticketId, customerId: customer.id, after: { id: ticketId, ...values } }, now);
      if (complaintOf) {
        await repo.insertLinkPair(trx, ticketId, complaintOf.id, 'complaint_about', LINK_INVERSE.complaint_about, now);
        await repo.insertEvents(trx, [eventRow(complaintOf.id, actor, { type: 'link_added', visibility: 'internal', data: { otherId: ticketId, number, kind: 'complaint' } }, now)]);
        await recordAudit(trx, auditActorOf(actor), { action: 'complaint', entity: 'tickets', entityId: complaintOf.id, customerId: customer.id, after: { complaintId: ticketId, number } }, now);
      }
      const ticket = { id: ticketId, number, customer_id: customer.id };
      // The team hears of a ticket nobody was given; quality management of every complaint.
      const teamMembers = team?.memberIds ?? [];
      if (kind === 'complaint' && teamMembers.length) {
        await notifyTicketEvent(trx, { type: 'ticket.complaint', ticket, actorId: actor.userId, recipients: teamMembers, titleKey: 'tickets.notify.complaint', params: { title: input.title }, body: input.description, occurredAt: now });
      } else if (picked === null && teamMembers.length) {
        await notifyTicketEvent(trx, { type: 'ticket.created', ticket, actorId: actor.userId, recipients: teamMembers, titleKey: 'tickets.notify.created', params: { title: input.title }, body: input.description, occurredAt: now });
      }
      if (picked !== null) await notifyTicketEvent(trx, { type: 'ticket.assigned', ticket, actorId: actor.userId, recipients: [picked], titleKey: 'tickets.notify.assigned', params: { title: input.title }, occurredAt: now });
      return { row: { id: ticketId, ...values } as repo.TicketRow, events: rows.map((r, i) => ({ ...r, id: eventIds[i] }) as repo.EventRow), slaRows, contact: madeContact ?? contact };
    });
    // The new ticket is shown from what was just written: no read-back.
    const row = created.row;
    const named = row.team_id !== null || row.assignee_id !== null ? await this.organisation.directory({ teams: row.team_id === null ? [] : [Number(row.team_id)], users: row.assignee_id === null ? [] : [Number(row.assignee_id)] }) : null;
    const dir: Dir = {
      customers: new Map([[customer.id, customer.name]]),
      contacts: new Map(created.contact ? [[created.contact.id, created.contact.name]] : []),
      sites: new Map(site ? [[site.id, site.name]] : []),
      contracts: new Map([[contract!.id, contract!.name]]),
      teams: named?.teams ?? new Map(),
      users: new Map([...(named?.users ?? []), [actor.userId, { displayName: actor.displayName, customerId: actor.customerId, disabled: false }]]),
    };
    const events = customerStaff ? created.events.filter((e) => e.visibility === 'public') : created.events;
    return this.view(actor, row, { events, olaSource: created.events, slaRows: created.slaRows, links: [], files: [], rating: null, ctx: slaCtx, dir });
  }

  /**
   * The contract a new ticket runs under: the one given (of this customer, in force at the
   * report), else the customer's contract in force on the reported date (the latest started).
   */
  private async contractFor(actor: Actor, customerId: number, contractId: number | undefined, localDate: string, problems: FieldProblem[]): Promise<Contract | null> {
    if (contractId !== undefined) {
      const contract = await orNull(this.organisation.getContract(actor, contractId));
      if (!contract || contract.customerId !== customerId) {
        problems.push({ field: 'contractId', code: 'tickets.contractNotOfCustomer' });
        return null;
      }
      if (localDate < contract.startsOn) problems.push({ field: 'reportedAt', code: 'tickets.reportedBeforeContract', params: { startsOn: contract.startsOn } });
      else if (localDate > contract.endsOn) problems.push({ field: 'contractId', code: 'tickets.contractEnded', params: { endsOn: contract.endsOn } });
      return contract;
    }
    const contract = await this.organisation.contractInForce(customerId, localDate);
    if (!contract) problems.push({ field: 'contractId', code: 'tickets.noContractInForce' });
    return contract;
  }

  /**
   * Who may be given tickets of these customers: a team that serves them all (its members see
   * only the customers it serves), an active provider-side user who works on tickets and has them
   * in his scope (else he could not even open the ticket), a member of the team when both are named.
   */
  private async checkAssignment(teamId: number | null, assigneeId: number | null, customerIds: number[], problems: FieldProblem[]): Promise<Team | null> {
    let team: Team | null = null;
    if (teamId !== null) {
      team = await orNull(this.organisation.getTeam(SYSTEM, teamId));
      if (!team) problems.push({ field: 'teamId', code: 'tickets.teamNotFound' });
      else if (customerIds.some((c) => !team!.customerIds.includes(c))) problems.push({ field: 'teamId', code: 'tickets.teamNotServing' });
      else if (assigneeId !== null && !team.memberIds.includes(assigneeId)) problems.push({ field: 'assigneeId', code: 'tickets.notTeamMember' });
    }
    if (assigneeId !== null && !problems.some((p) => p.field === 'assigneeId')) {
      const assignee = await this.auth.actorForUser(assigneeId, 'system', null);
      if (!assignee || assignee.customerId !== null) problems.push({ field: 'assigneeId', code: 'tickets.notProviderUser' });
      else if (!can(assignee, 'tickets.write') || customerIds.some((c) => !inScope(assignee.scope, c))) problems.push({ field: 'assigneeId', code: 'tickets.assigneeOutOfScope' });
    }
    return team;
  }

  /**
   * A team's automatic assignment, prepared before the transaction: its mode and the members
   * who may be given tickets (active, provider-side, working on tickets; serving the team's
   * customers makes the ticket's customer theirs). Null for a manual team.
   */
  private async autoAssignFor(team: PlacedTeam): Promise<AutoAssign | null> {
    if (!isAutomatic(team.assignment)) return null;
    return { teamId: team.id, mode: team.assignment, candidates: await this.auth.activeProvidersWith(team.memberIds, 'tickets.write') };
  }

  /**
   * Picks the assignee inside the assigning transaction: the team's rotation row is locked (on
   * PostgreSQL) until commit, so concurrent assignments to one team take turns; least-loaded
   * counts open tickets after the lock, seeing the ones just given. Null: nobody to pick.
   */
  private async pick(trx: Tx, auto: AutoAssign | null, now: number): Promise<number | null> {
    if (!auto || !auto.candidates.length) return null;
    const last = await repo.lockRotation(trx, auto.teamId, now);
    const loads = auto.mode === 'least_loaded' ? await repo.openLoads(trx, auto.candidates, OPEN_STATES) : undefined;
    const chosen = pickAssignee(auto.mode, auto.candidates, last, loads);
    if (chosen !== null) await repo.setRotation(trx, auto.teamId, chosen, now);
    return chosen;
  }

  // ------------------------------------------------------------ reads

  async get(actor: Actor, id: number): Promise<TicketOut> {
    const ticket = await repo.findTicket(this.db, actor.scope, id);
    if (!ticket) throw AppError.notFound();
    const customerView = actor.customerId !== null;
    const [events, slaRows, links, files, rating, ctx] = await Promise.all([
      repo.listEvents(this.db, id, customerView),
      repo.slaRows(this.db, id),
      customerView ? Promise.resolve([]) : repo.listLinks(this.db, actor.scope, id),
      repo.listFiles(this.db, id, customerView),
      repo.findRating(this.db, id),
      this.context(ticket.contract_id),
    ]);
    const dir = await this.organisation.directory({
      customers: [ticket.customer_id],
      contacts: ticket.contact_id === null ? [] : [ticket.contact_id],
      sites: ticket.site_id === null ? [] : [ticket.site_id],
      contracts: [ticket.contract_id],
      teams: ticket.team_id === null || customerView ? [] : [ticket.team_id],
      users: [ticket.assignee_id, ticket.created_by, rating?.rated_by ?? null, ...events.map((e) => e.actor_id)].filter((u): u is number => u !== null),
    });
    return this.view(actor, ticket, { events, olaSource: events, slaRows, links, files, rating: rating ?? null, ctx, dir });
  }

  /** The ticket as the API shows it to this caller, from its parts (read, or just written). */
  private async view(
    actor: Actor,
    ticket: repo.TicketRow,
    parts: {
      events: repo.EventRow[];
      /** The timeline the OLA clocks are computed from (every entry; a customer's staff see no OLA). */
      olaSource: repo.EventRow[];
      slaRows: repo.SlaRow[];
      links: repo.LinkRow[];
      files: repo.FileRow[];
      rating: repo.RatingRow | null;
      ctx: SlaContext;
      dir: Dir;
    },
  ): Promise<TicketOut> {
    const { events, slaRows, links, files, rating, ctx, dir } = parts;
    const customerView = actor.customerId !== null;
    const now = Date.now();
    const sla: TicketOut['sla'] = [];
    for (const row of [...slaRows].sort((a, b) => METRIC_ORDER[a.metric] - METRIC_ORDER[b.metric])) {
      const view = clockView(row, ctx.calendars.get(row.calendar_id) ?? (await this.calendarOrNull(row.calendar_id)), now, targetOf(ctx, row), targetRulesOf(ctx, row).goal);
      if (view) sla.push(view);
    }
    return {
      ...listItem(ticket, dir, customerView),
      priorityName: ctx.matrix.levels.find((l) => l.code === ticket.priority)?.name ?? null,
      contractId: Number(ticket.contract_id),
      contractName: dir.contracts.get(Number(ticket.contract_id)) ?? null,
      siteId: ticket.site_id === null ? null : Number(ticket.site_id),
      siteName: ticket.site_id === null ? null : dir.sites.get(Number(ticket.site_id)) ?? null,
      service: ticket.service,
      category: ticket.category,
      impact: ticket.impact,
      urgency: ticket.urgency,
      description: ticket.description,
      resolution: ticket.resolution,
      createdAt: iso(ticket.created_at),
      createdBy: ticket.created_by === null ? null : Number(ticket.created_by),
      respondedAt: iso(ticket.responded_at),
      onsiteAt: iso(ticket.onsite_at),
      resolvedAt: iso(ticket.resolved_at),
      closedAt: iso(ticket.closed_at),
      cancelledAt: iso(ticket.cancelled_at),
      sla,
      closure: closureOf(ticket, events),
      ola: customerView ? [] : olaView(olaClocksOf(parts.olaSource, this.config.tickets.ola, now, await olaBasisOf(this.db, ticket))),
      rating: rating ? ratingOf(rating, rating.rated_by === null ? dir.contacts.get(Number(rating.rated_by_contact_id)) ?? null : dir.users.get(Number(rating.rated_by))?.displayName ?? null) : null,
      allowedActions: this.allowedFor(actor, ticket, now, rating !== null),
      timeline: events.map((e) => timelineItem(e, dir, customerView)),
      links: links.map((l) => ({ otherId: l.otherId, number: l.number, title: l.title, state: l.state, kind: l.kind })),
      attachments: files.map((f) => ({ id: Number(f.id), eventId: f.event_id === null ? null : Number(f.event_id), name: f.name, mime: f.mime, size: Number(f.size), createdAt: iso(f.created_at) })),
    };
  }

  private async calendarOrNull(id: string): Promise<CompiledCalendar | undefined> {
    try {
      return await this.calendars.compiled(id);
    } catch {
      return undefined;
    }
  }

  /**
   * What the caller may do now: the lifecycle's actions by permission (decline: the assignee
   * only), escalate on an open ticket; for the customer's staff cancel, confirm/reject, and rate
   * a resolved or closed ticket not yet rated.
   */
  private allowedFor(actor: Actor, t: repo.TicketRow, now: number, rated: boolean): string[] {
    const state = t.state as TicketState;
    const lifecycle = allowedActions(state, { now, closedAt: t.closed_at, reopenWindowMs: this.reopenWindowMs() });
    if (!can(actor, 'tickets.write')) return [];
    if (actor.customerId !== null) {
      const out: string[] = lifecycle.filter((a) => a === 'cancel');
      if (state === 'resolved') out.push('confirm', 'reject');
      else if (lifecycle.includes('reopen')) out.push('reject');
      if ((state === 'resolved' || state === 'closed') && !rated) out.push('rate');
      return out;
    }
    const out: string[] = lifecycle.filter((a) => {
      if (a === 'assign') return can(actor, 'tickets.dispatch');
      if (a === 'accept') return t.assignee_id === null || Number(t.assignee_id) === actor.userId || can(actor, 'tickets.dispatch');
      if (a === 'decline') return t.assignee_id !== null && Number(t.assignee_id) === actor.userId;
      return true;
    });
    if (isOpen(state)) out.push('escalate');
    return out;
  }

  async list(actor: Actor, query: ListQuery): Promise<{ items: TicketListItemOut[]; nextCursor: string | null }> {
    const filter: repo.ListFilter = {
      scope: actor.scope,
      customerId: query.customerId,
      states: query.state,
      kind: query.kind,
      priority: query.priority,
      teamId: query.teamId,
      assigneeId: query.mine ? actor.userId : query.assigneeId,
      unassigned: query.unassigned === 'true',
      reportedFrom: query.reportedFrom,
      reportedTo: query.reportedTo,
      sort: query.sort,
      limit: query.limit,
      cursor: query.cursor,
    };
    if (query.team === 'mine') filter.teamIds = await this.organisation.teamIdsOfUser(actor.userId);
    if (query.breachingWithinMinutes !== undefined) filter.dueBefore = Date.now() + query.breachingWithinMinutes * 60_000;
    if (query.contract === 'mine') filter.projectManagerId = actor.userId;
    if (query.reporter === 'me') filter.reporter = { userId: actor.userId, contactId: actor.userId ? await repo.linkedContactOf(this.db, actor.userId) : null };
    if (query.slaStatus) filter.slaStatus = query.slaStatus;
    if (query.ratingAtMost !== undefined) filter.ratingAtMost = query.ratingAtMost;
    if (query.q) {
      const q = query.q.toUpperCase();
      if (NUMBER_RE.test(q)) filter.number = { exact: q };
      else if (NUMBER_PREFIX_RE.test(q)) filter.number = { prefix: q };
      else filter.titleContains = query.q;
    }
    const page = await repo.listTickets(this.db, filter);
    const customerView = actor.customerId !== null;
    const dir = await this.organisation.directory({
      customers: page.items.map((t) => t.customer_id),
      contacts: page.items.flatMap((t) => (t.contact_id === null ? [] : [t.contact_id])),
      teams: customerView ? [] : page.items.flatMap((t) => (t.team_id === null ? [] : [t.team_id])),
      users: page.items.flatMap((t) => (t.assignee_id === null ? [] : [t.assignee_id])),
    });
    return { items: page.items.map((t) => listItem(t, dir, customerView)), nextCursor: page.nextCursor };
  }

  // ------------------------------------------------------------ commands on one ticket

  /**
   * Runs a command: finds the ticket in the caller's scope (404) and checks the version the
   * caller read (409); `prepare` does the lookups through other modules (before the transaction:
   * on SQLite a read outside it would wait for it); then, in one transaction, the ticket is read
   * again under a row lock, `build` decides from that row and `apply` writes the change.
   */
  private async command<P>(
    actor: Actor,
    id: number,
    opts: { version?: number; sla?: (pre: repo.TicketRow) => boolean },
    prepare: (ticket: repo.TicketRow, ctx: SlaContext | null) => Promise<P>,
    /** Null: nothing changes (no write, no audit entry, no new version). */
    build: (ticket: repo.TicketRow, c: { prepared: P; ctx: SlaContext | null; now: number; trx: Tx }) => Change | null | Promise<Change | null>,
  ): Promise<Applied> {
    const version = opts.version;
    const pre = await repo.findTicket(this.db, actor.scope, id);
    if (!pre) throw AppError.notFound();
    if (version !== undefined && pre.version !== version) throw AppError.conflict();
    // The SLA context (contract, calendars) only when the command may move a clock.
    const ctx = (opts.sla?.(pre) ?? true) ? await this.context(pre.contract_id) : null;
    const prepared = await prepare(pre, ctx);
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ticket = await repo.findTicket(trx, actor.scope, id, true);
      if (!ticket) throw AppError.notFound();
      if (version !== undefined && ticket.version !== version) throw AppError.conflict();
      const change = await build(ticket, { prepared, ctx, now, trx });
      return change ? this.apply(trx, actor, ticket, ctx, change, now) : { ticket, eventIds: [], events: [], now };
    });
  }

  /** Writes a change: the ticket (at its version), the timeline, the clocks, the audit entry, the notifications. */
  private async apply(trx: Tx, actor: Actor, ticket: repo.TicketRow, ctx: SlaContext | null, change: Change, now: number): Promise<Applied> {
    if (!(await repo.updateTicket(trx, ticket.id, ticket.version, { ...change.set, updated_at: now }))) throw AppError.conflict();
    const after = { ...ticket, ...change.set, updated_at: now, version: ticket.version + 1 } as repo.TicketRow;
    const rows = change.entries.map((e) => eventRow(ticket.id, actor, e, now));
    const eventIds = await repo.insertEvents(trx, rows);
    if (change.sla) {
      if (!ctx) throw new Error(`ticket ${ticket.id}: a change that moves the SLA clocks was prepared without the SLA context`);
      await this.recompute(trx, after, ctx, now);
    }
    if (change.entries.some(movesOla)) await this.rescheduleOla(trx, ticket, now);
    await change.after?.(trx, eventIds);
    await queueContactMail(trx, this.config, after, change.entries, eventIds, now);
    await recordAudit(trx, auditActorOf(actor), { action: change.audit.action, entity: 'tickets', entityId: ticket.id, customerId: ticket.customer_id, before: change.audit.before, after: change.audit.after }, now);
    for (const n of change.notices ?? []) await notifyTicketEvent(trx, { ...n, ticket: after, actorId: actor.userId || null, occurredAt: now });
    return { ticket: after, eventIds, events: rows.map((r, i) => ({ ...r, id: eventIds[i] }) as repo.EventRow), now };
  }

  /** Recomputes the ticket's clocks from its timeline (in the transaction) and sets its SLA job. */
  private async recompute(trx: Tx, ticket: repo.TicketRow, ctx: SlaContext, now: number, justFired?: Map<SlaMetric, Fired>): Promise<void> {
    const sources = await repo.listSlaRelevantEvents(trx, ticket.id);
    const stored = await repo.slaRows(trx, ticket.id);
    const clocks = ctx.sla ? clocksOf(ticket.reported_at, sources, ctx.sla.policy, ctx.calendars, now) : [];
    await persistClocks(trx, ticket.id, clocks, stored, now, justFired);
  }

  /** Sets the ticket's OLA job from its timeline as it now stands (in the transaction). */
  private async rescheduleOla(trx: Tx, ticket: Pick<repo.TicketRow, 'id' | 'reported_at' | 'customer_id'>, now: number): Promise<void> {
    await scheduleOla(trx, ticket.id, await repo.listOlaRelevantEvents(trx, ticket.id), this.config.tickets.ola, now, await olaBasisOf(trx, ticket));
  }

  /** Re-prioritising (impact × urgency through the contract's matrix) and editing the ticket's text fields. */
  async patch(actor: Actor, id: number, input: TicketPatch): Promise<TicketOut> {
    requireProvider(actor);
    const { version, ...fields } = input;
    await this.command(
      actor,
      id,
      { version },
      async (pre) => {
        if (fields.siteId != null && fields.siteId !== pre.site_id) {
          const site = await orNull(this.organisation.getSite(actor, fields.siteId));
          if (!site || site.customerId !== pre.customer_id) throw AppError.field('siteId', 'tickets.siteNotOfCustomer');
        }
      },
      (t, { ctx }) => {
        assertWritable(t);
        const set: Updateable<TicketsTable> = {};
        const entries: NewEntry[] = [];
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        const columns = { title: 'title', description: 'description', service: 'service', category: 'category', siteId: 'site_id' } as const;
        for (const field of Object.keys(columns) as Array<keyof typeof columns>) {
          const value = fields[field];
          const column = columns[field];
          if (value === undefined || value === t[column]) continue;
          (set as Record<string, unknown>)[column] = value;
          changes[field] = { from: t[column], to: value };
          before[field] = t[column];
          after[field] = value;
        }
        if (Object.keys(changes).length) entries.push({ type: 'updated', visibility: 'public', data: { changes } });
        const impact = fields.impact ?? t.impact;
        const urgency = fields.urgency ?? t.urgency;
        let sla = false;
        if (impact !== t.impact || urgency !== t.urgency) {
          const problems: FieldProblem[] = [];
          const level = levelOf(ctx!, impact, urgency, problems);
          if (!level) throw AppError.validation(problems);
          Object.assign(set, { impact, urgency, priority: level.code, priority_rank: level.rank });
          Object.assign(before, { impact: t.impact, urgency: t.urgency, priority: t.priority });
          Object.assign(after, { impact, urgency, priority: level.code });
          entries.push({ type: 'priority_changed', visibility: 'public', data: { from: t.priority, to: level.code, impact, urgency, previousImpact: t.impact, previousUrgency: t.urgency } });
          sla = level.code !== t.priority;
        }
        return entries.length ? { set, entries, sla, audit: { action: 'update', before, after } } : null;
      },
    );
    return this.get(actor, id);
  }

  /** A lifecycle action (docs/TICKETS.md): the customer's staff may only cancel. */
  async action(actor: Actor, id: number, action: TicketAction, body: ActionBody): Promise<TicketOut> {
    if (actor.customerId !== null && action !== 'cancel') throw new AppError(403, 'forbidden', 'tickets.providerOnly');
    if (action === 'assign') {
      if (!can(actor, 'tickets.dispatch')) throw AppError.forbidden('tickets.dispatch');
      if (body.teamId == null && body.assigneeId == null) throw AppError.field('teamId', 'tickets.assignTargetRequired');
    }
    await this.command(
      actor,
      id,
      { version: body.version },
      async (pre, ctx): Promise<{ teamMembers?: number[]; auto?: AutoAssign | null; calendar?: CompiledCalendar; decline?: { teamId: number | null; recipients: number[] } }> => {
        if (action === 'assign') {
          const problems: FieldProblem[] = [];
          const team = await this.checkAssignment(body.teamId ?? null, body.assigneeId ?? null, [Number(pre.customer_id)], problems);
          if (problems.length) throw AppError.validation(problems);
          return { teamMembers: team && body.assigneeId == null ? team.memberIds : [], auto: team && body.assigneeId == null ? await this.autoAssignFor(team) : null };
        }
        if (action === 'accept' && pre.assignee_id !== null && Number(pre.assignee_id) !== actor.userId && !can(actor, 'tickets.dispatch')) {
          throw await this.assignedToOther(Number(pre.assignee_id));
        }
        if (action === 'decline') return { decline: await this.declineTarget(actor, pre) };
        if (action === 'resolve') return { calendar: await this.calendars.compiled(ctx!.contract.calendarId) };
        return {};
      },
      async (t, { prepared, now, trx }) => {
        if (action === 'assign') {
          const previousTeamId = t.team_id === null ? null : Number(t.team_id);
          // Re-dispatch to a team without naming anyone: the team picks, if it assigns automatically.
          const teamId = body.teamId !== undefined ? body.teamId : previousTeamId;
          const assigneeLeft = body.assigneeId == null && (teamId !== previousTeamId || t.assignee_id === null);
          const picked = assigneeLeft ? await this.pick(trx, prepared.auto ?? null, now) : null;
          const target = { teamId: body.teamId, assigneeId: picked ?? body.assigneeId };
          return this.assignChange(t, target, prepared.teamMembers ?? [], now, { auto: picked !== null ? prepared.auto!.mode : undefined });
        }
        if (action === 'accept' && t.assignee_id !== null && Number(t.assignee_id) !== actor.userId && !can(actor, 'tickets.dispatch')) throw AppError.conflict();
        if (action === 'decline' && (t.assignee_id === null || Number(t.assignee_id) !== actor.userId)) throw new AppError(403, 'forbidden', 'tickets.declineNotAssignee');
        if (action === 'diagnose') return diagnoseChange(t, body, now);
        return this.transitionChange(actor, t, action, body, now, { calendar: prepared.calendar, decline: prepared.decline });
      },
    );
    return this.get(actor, id);
  }

  /**
   * Where a declined ticket goes and who hears of it: back to its team's queue (no team: the
   * service desk's), and the service desk and that team are told (the desk must re-dispatch
   * within the OLA).
   */
  private async declineTarget(actor: Actor, pre: repo.TicketRow): Promise<{ teamId: number | null; recipients: number[] }> {
    if (pre.assignee_id === null || Number(pre.assignee_id) !== actor.userId) throw new AppError(403, 'forbidden', 'tickets.declineNotAssignee');
    const teamId = pre.team_id !== null ? Number(pre.team_id) : (await this.organisation.teamIdsServing(Number(pre.customer_id), 'desk'))[0] ?? null;
    const [desk, team] = await Promise.all([this.organisation.teamMemberIds({ kind: 'desk' }), this.organisation.teamMemberIds({ teamIds: teamId === null ? [] : [teamId] })]);
    return { teamId, recipients: [...new Set([...desk, ...team])].sort((a, b) => a - b) };
  }

  /** The customer confirms the resolution: the ticket closes. `link`: through the link in the resolution mail. */
  async confirm(actor: Actor, id: number, version?: number, link?: EmailLink): Promise<TicketOut> {
    await this.command(
      actor,
      id,
      { version },
      async () => undefined,
      (t, { now }) => {
        if (actor.customerId === null || Number(t.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.customerOnly');
        return this.transitionChange(actor, t, 'close', { reason: null }, now, { via: 'confirm', link });
      },
    );
    return this.get(actor, id);
  }

  /** The customer rejects the resolution with a reason: the ticket is reopened. `link`: through the link in the resolution mail. */
  async reject(actor: Actor, id: number, reason: string, version?: number, link?: EmailLink): Promise<TicketOut> {
    await this.command(
      actor,
      id,
      { version },
      async () => undefined,
      (t, { now }) => {
        if (actor.customerId === null || Number(t.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.customerOnly');
        return this.transitionChange(actor, t, 'reopen', { reason }, now, { via: 'reject', link });
      },
    );
    return this.get(actor, id);
  }

  private async assignedToOther(userId: number): Promise<AppError> {
    const dir = await this.organisation.directory({ users: [userId] });
    return new AppError(409, 'conflict', 'tickets.assignedToOther', { name: dir.users.get(userId)?.displayName ?? String(userId) });
  }

  /** Every lifecycle action but assign: the new state, the instants it sets, the timeline entry, the auto-close job. */
  private transitionChange(
    actor: Actor,
    t: repo.TicketRow,
    action: Exclude<TicketAction, 'assign'>,
    body: Pick<ActionBody, 'reason' | 'resolution'>,
    now: number,
    opts: { calendar?: CompiledCalendar; via?: 'confirm' | 'reject' | 'auto'; decline?: { teamId: number | null; recipients: number[] }; link?: EmailLink; noObjection?: { mailSentAt: number | null; workdays: number } } = {},
  ): Change {
    const from = t.state as TicketState;
    const to = lifecycle(from, action, { now, closedAt: t.closed_at, reopenWindowMs: this.reopenWindowMs(), reason: body.reason });
    const set: Updateable<TicketsTable> = { state: to };
    const data: Extract<NewEntry, { type: 'state_changed' }>['data'] = { from, to, action };
    if (body.reason) data.reason = body.reason;
    if (opts.via) data.via = opts.via;
    if (opts.link) data.emailLink = opts.link;
    const notices: Change['notices'] = [];
    let after: Change['after'];
    const assignee = t.assignee_id === null ? [] : [Number(t.assignee_id)];
    switch (action) {
      case 'accept':
        set.assignee_id = t.assignee_id ?? actor.userId;
        if (t.responded_at === null) set.responded_at = now;
        break;
      case 'resolve': {
        if (!body.resolution?.trim()) throw AppError.field('resolution', 'tickets.resolutionRequired');
        set.resolved_at = now;
        set.resolution = body.resolution;
        data.resolution = body.resolution;
        const calendar = opts.calendar!;
        const runAt = calendar.addWorkingDays(now, this.config.tickets.autoCloseWorkdays);
        after = (trx) => enqueueJob(trx, { kind: AUTO_CLOSE_JOB, key: autoCloseJobKey(t.id), payload: { ticketId: t.id, resolvedAt: now }, runAt }, now);
        if (t.created_by !== null) notices.push({ type: 'ticket.resolved', recipients: [Number(t.created_by)], titleKey: 'tickets.notify.resolved', params: { title: t.title } });
        break;
      }
      case 'close':
        // How the customer consented (REQ #36): his confirmation, no objection in time, or the provider's reason (the contact is told).
        if (opts.via === 'confirm') data.consent = 'confirmed';
        else if (opts.via === 'auto') {
          data.consent = 'no_objection';
          data.noObjection = { mailSentAt: iso(opts.noObjection?.mailSentAt ?? null), workdays: opts.noObjection?.workdays ?? this.config.tickets.autoCloseWorkdays };
        } else {
          if (!body.reason?.trim()) throw AppError.field('reason', 'tickets.closeReasonRequired');
          data.consent = 'provider';
        }
        set.closed_at = now;
        after = (trx) => cancelJob(trx, autoCloseJobKey(t.id));
        notices.push({ type: 'ticket.closed', recipients: assignee, titleKey: 'tickets.notify.closed', params: { title: t.title } });
        break;
      case 'reopen':
        Object.assign(set, { resolved_at: null, closed_at: null, resolution: null });
        after = (trx) => cancelJob(trx, autoCloseJobKey(t.id));
        notices.push({ type: 'ticket.reopened', recipients: assignee, titleKey: 'tickets.notify.reopened', params: { title: t.title } });
        break;
      case 'cancel':
        set.cancelled_at = now;
        after = (trx) => cancelJob(trx, autoCloseJobKey(t.id));
        break;
      case 'decline': {
        // Back to the team's queue; the re-dispatch OLA starts (ola.ts).
        const target = opts.decline!;
        set.assignee_id = null;
        set.team_id = target.teamId;
        data.previousAssigneeId = Number(t.assignee_id);
        notices.push({ type: 'ticket.declined', recipients: target.recipients, titleKey: 'tickets.notify.declined', params: { title: t.title, actor: actor.displayName }, body: body.reason });
        break;
      }
    }
    return {
      set,
      // Why an engineer cannot attend is the provider's own business.
      entries: [{ type: 'state_changed', visibility: action === 'decline' ? 'internal' : 'public', data }],
      sla: true,
      after,
      notices,
      audit: {
        action,
        before: { state: from, ...(action === 'decline' ? { assigneeId: data.previousAssigneeId, teamId: t.team_id } : {}) },
        after: { state: to, ...(data.consent ? { consent: data.consent } : {}), ...(body.reason ? { reason: body.reason } : {}), ...(set.resolution ? { resolution: set.resolution } : {}), ...(opts.via ? { via: opts.via } : {}), ...(opts.link ? { emailLink: opts.link } : {}), ...(action === 'decline' ? { assigneeId: null, teamId: set.team_id } : {}) },
      },
    };
  }

  /** (Re-)dispatch: a new team clears the assignee unless one is named; the ticket must be accepted again. */
  private assignChange(
    t: repo.TicketRow,
    target: { teamId?: number | null; assigneeId?: number | null },
    teamMembers: number[],
    now: number,
    extra: { escalation?: { metric: SlaMetric; step: number }; auto?: 'round_robin' | 'least_loaded' } = {},
  ): Change {
    const from = t.state as TicketState;
    const to = lifecycle(from, 'assign', { now });
    const previousTeamId = t.team_id === null ? null : Number(t.team_id);
    const previousAssigneeId = t.assignee_id === null ? null : Number(t.assignee_id);
    const teamId = target.teamId !== undefined ? target.teamId : previousTeamId;
    const assigneeId = target.assigneeId !== undefined ? target.assigneeId : teamId !== previousTeamId ? null : previousAssigneeId;
    const data: Extract<NewEntry, { type: 'assigned' }>['data'] = { from, to, teamId, assigneeId, previousTeamId, previousAssigneeId };
    if (extra.escalation) data.escalation = extra.escalation;
    if (extra.auto) data.auto = extra.auto;
    const notices: Change['notices'] = [];
    if (assigneeId !== null && assigneeId !== previousAssigneeId) notices.push({ type: 'ticket.assigned', recipients: [assigneeId], titleKey: 'tickets.notify.assigned', params: { title: t.title } });
    else if (assigneeId === null && teamMembers.length) notices.push({ type: 'ticket.assigned', recipients: teamMembers, titleKey: 'tickets.notify.assignedTeam', params: { title: t.title } });
    return {
      set: { state: to, team_id: teamId, assignee_id: assigneeId },
      entries: [{ type: 'assigned', visibility: 'public', data }],
      sla: from !== to,
      notices,
      audit: {
        action: 'assign',
        before: { state: from, teamId: previousTeamId, assigneeId: previousAssigneeId },
        after: { state: to, teamId, assigneeId, ...(extra.escalation ? { escalation: extra.escalation } : {}), ...(extra.auto ? { auto: extra.auto } : {}) },
      },
    };
  }

  /** Assigns many tickets at once: all or none; each ticket that cannot be assigned is named. */
  async bulkAssign(actor: Actor, input: { ids: number[]; teamId?: number | null; assigneeId?: number | null }): Promise<{ items: Array<{ id: number; number: string; state: string; version: number }> }> {
    requireProvider(actor);
    if (input.teamId == null && input.assigneeId == null) throw AppError.field('teamId', 'tickets.assignTargetRequired');
    const ids = [...new Set(input.ids)];
    const pre = await repo.findTickets(this.db, actor.scope, ids);
    const problems: FieldProblem[] = [];
    const team = await this.checkAssignment(input.teamId ?? null, input.assigneeId ?? null, [...new Set(pre.map((t) => Number(t.customer_id)))], problems);
    if (problems.length) throw AppError.validation(problems);
    const contexts = new Map<number, SlaContext>();
    for (const contractId of new Set(pre.map((t) => Number(t.contract_id)))) contexts.set(contractId, await this.context(contractId));
    const teamMembers = team && input.assigneeId == null ? team.memberIds : [];
    // To a team without naming anyone: the team picks for each ticket in turn.
    const auto = team && input.assigneeId == null ? await this.autoAssignFor(team) : null;
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const rows = new Map((await repo.findTickets(trx, actor.scope, ids, true)).map((t) => [Number(t.id), t]));
      const failures: FieldProblem[] = [];
      input.ids.forEach((id, i) => {
        if (input.ids.indexOf(id) !== i) return;
        const t = rows.get(id);
        if (!t || !contexts.has(Number(t.contract_id))) return failures.push({ field: `ids[${i}]`, code: 'tickets.ticketNotFound' });
        try {
          lifecycle(t.state as TicketState, 'assign', { now });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          failures.push({ field: `ids[${i}]`, code: err.messageKey, params: err.params });
        }
      });
      if (failures.length) throw new AppError(409, 'bulk_failed', 'tickets.bulkFailed', { count: failures.length }, failures);
      const items = [];
      for (const id of ids) {
        const t = rows.get(id)!;
        const picked = await this.pick(trx, auto, now);
        const change = this.assignChange(t, { teamId: input.teamId, assigneeId: picked ?? input.assigneeId }, teamMembers, now, { auto: picked !== null ? auto!.mode : undefined });
        const applied = await this.apply(trx, actor, t, contexts.get(Number(t.contract_id))!, change, now);
        items.push({ id, number: applied.ticket.number, state: applied.ticket.state, version: applied.ticket.version });
      }
      return { items };
    });
  }

  // ------------------------------------------------------------ escalation and satisfaction

  /**
   * Escalation by hand (REQ §2.2), with a reason. Functional: to another team or person (the
   * ticket is re-dispatched; without a target, to the second line serving the customer), or to a
   * vendor (recorded, optionally waiting for it). Hierarchical: the contract's project manager
   * and/or a named manager are told. One `escalated` entry on the timeline, as the SLA chain's
   * escalations write it; the people concerned are notified.
   */
  async escalate(actor: Actor, id: number, body: EscalateBody): Promise<TicketOut> {
    requireProvider(actor);
    const vendor = body.vendor;
    if (body.kind === 'hierarchical' && (body.toTeamId != null || vendor !== null || body.waitVendor)) {
      throw AppError.field(body.toTeamId != null ? 'toTeamId' : vendor !== null ? 'vendor' : 'waitVendor', 'tickets.escalate.hierarchicalTarget');
    }
    if (vendor !== null && (body.toTeamId != null || body.toUserId != null)) throw AppError.field('vendor', 'tickets.escalate.vendorOrTeam');
    if (body.waitVendor && vendor === null) throw AppError.field('waitVendor', 'tickets.escalate.waitVendorNeedsVendor');
    type Prepared =
      | { to: 'team'; teamId: number | undefined; auto: AutoAssign | null; teamMembers: number[] }
      | { to: 'vendor'; recipients: number[] }
      | { to: 'manager'; recipients: number[]; pm: number | null };
    await this.command(
      actor,
      id,
      { version: body.version },
      async (pre, ctx): Promise<Prepared> => {
        if (!isOpen(pre.state as TicketState)) throw new AppError(409, 'not_open', 'tickets.escalate.notOpen');
        const customerId = Number(pre.customer_id);
        if (body.kind === 'hierarchical') {
          const pm = ctx!.contract.projectManagerId;
          if (body.toUserId != null) {
            // A manager who could not open the ticket is no one to escalate to.
            const manager = await this.auth.actorForUser(body.toUserId, 'system', null);
            if (!manager || manager.customerId !== null) throw AppError.field('toUserId', 'tickets.notProviderUser');
            if (!can(manager, 'tickets.read') || !inScope(manager.scope, customerId)) throw AppError.field('toUserId', 'tickets.assigneeOutOfScope');
          }
          const recipients = [...new Set([pm, body.toUserId ?? null].filter((u): u is number => u !== null))];
          if (!recipients.length) throw AppError.field('toUserId', 'tickets.escalate.noManager');
          return { to: 'manager', recipients, pm };
        }
        if (vendor !== null) {
          const desk = await this.organisation.teamMemberIds({ kind: 'desk' });
          return { to: 'vendor', recipients: [...new Set([...desk, ...(pre.assignee_id === null ? [] : [Number(pre.assignee_id)])])].sort((a, b) => a - b) };
        }
        const teamId = body.toTeamId ?? (body.toUserId != null ? undefined : (await this.organisation.teamIdsServing(customerId, 'line2'))[0]);
        if (teamId === undefined && body.toUserId == null) throw AppError.field('toTeamId', 'tickets.escalate.noSecondLine');
        const problems: FieldProblem[] = [];
        const team = await this.checkAssignment(teamId ?? null, body.toUserId ?? null, [customerId], problems);
        if (problems.length) throw AppError.validation(problems);
        const byTeam = team !== null && body.toUserId == null;
        return { to: 'team', teamId, auto: byTeam ? await this.autoAssignFor(team) : null, teamMembers: byTeam ? team.memberIds : [] };
      },
      async (t, { prepared, now, trx }): Promise<Change> => {
        if (!isOpen(t.state as TicketState)) throw new AppError(409, 'not_open', 'tickets.escalate.notOpen');
        const audit = { action: 'escalate', after: { kind: body.kind, reason: body.reason } as Record<string, unknown> };
        // Escalated by the engineer working the ticket: a field engineer's abnormal event (the desk's report-to-PM OLA, REQ T11).
        const byAssignee = t.assignee_id !== null && Number(t.assignee_id) === actor.userId ? { byAssignee: true } : {};
        const notice = (recipients: number[]) => ({ type: 'ticket.escalated' as const, recipients, titleKey: 'tickets.notify.escalated', params: { title: t.title, kind: { key: `tickets.escalation.${body.kind}` }, actor: actor.displayName }, body: body.reason });
        if (prepared.to === 'team') {
          const picked = body.toUserId ?? (await this.pick(trx, prepared.auto, now));
          const change = this.assignChange(t, { teamId: prepared.teamId, assigneeId: picked ?? undefined }, prepared.teamMembers, now, { auto: picked !== null && body.toUserId == null ? prepared.auto!.mode : undefined });
          const set = change.set as { team_id: number | null; assignee_id: number | null };
          const recipients = set.assignee_id !== null ? [set.assignee_id] : prepared.teamMembers;
          const data: EscalatedData = { kind: 'functional', trigger: 'manual', reason: body.reason, recipients, toTeamId: set.team_id, toUserId: set.assignee_id, ...byAssignee };
          return {
            ...change,
            entries: [{ type: 'escalated', visibility: 'internal', data }, ...change.entries],
            notices: [notice(recipients)],
            audit: { action: 'escalate', before: change.audit.before, after: { ...(change.audit.after as object), kind: body.kind, reason: body.reason } },
          };
        }
        if (prepared.to === 'vendor') {
          const data: EscalatedData = { kind: 'functional', trigger: 'manual', reason: body.reason, recipients: prepared.recipients, vendor: vendor!, ...byAssignee };
          const entries: NewEntry[] = [{ type: 'escalated', visibility: 'internal', data }];
          audit.after.vendor = vendor;
          if (!body.waitVendor) return { entries, notices: [notice(prepared.recipients)], audit };
          const wait = this.transitionChange(actor, t, 'wait_vendor', { reason: body.reason }, now);
          return { ...wait, entries: [...entries, ...wait.entries], notices: [notice(prepared.recipients)], audit: { action: 'escalate', before: wait.audit.before, after: { ...audit.after, ...(wait.audit.after as object) } } };
        }
        const data: EscalatedData = { kind: 'hierarchical', trigger: 'manual', reason: body.reason, recipients: prepared.recipients, toUserId: body.toUserId ?? null, toProjectManager: prepared.pm !== null && prepared.recipients.includes(prepared.pm), ...byAssignee };
        audit.after.recipients = prepared.recipients;
        return { entries: [{ type: 'escalated', visibility: 'internal', data }], notices: [notice(prepared.recipients)], audit };
      },
    );
    return this.get(actor, id);
  }

  /**
   * The customer's satisfaction rating (REQ §2.16): by the ticket customer's staff, once the
   * ticket is resolved or closed, once (409 after). A score of 1 or 2 suggests a complaint.
   */
  async rate(actor: Actor, id: number, body: RatingBody, link?: EmailLink): Promise<RatingOut & { suggestComplaint: boolean }> {
    if (actor.customerId === null) throw new AppError(403, 'forbidden', 'tickets.rating.customerOnly');
    const applied = await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      async (t, { now, trx }): Promise<Change> => {
        if (Number(t.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.rating.customerOnly');
        if (t.state !== 'resolved' && t.state !== 'closed') throw new AppError(409, 'not_resolved', 'tickets.rating.notResolved');
        if (await repo.findRating(trx, t.id)) throw new AppError(409, 'duplicate', 'tickets.rating.exists');
        const row: repo.RatingRow = { ticket_id: t.id, customer_id: Number(t.customer_id), score: body.score, comment: body.comment, rated_by: actor.userId || null, rated_at: now, rated_by_contact_id: link?.contactId ?? null };
        const notices: Change['notices'] = t.assignee_id === null ? [] : [{ type: 'ticket.rated', recipients: [Number(t.assignee_id)], titleKey: 'tickets.notify.rated', params: { title: t.title, score: body.score }, body: body.comment }];
        return {
          entries: [{ type: 'rated', visibility: 'public', data: { score: body.score, comment: body.comment, ...(link ? { emailLink: link } : {}) } }],
          after: (tx) => repo.insertRating(tx, row),
          notices,
          audit: { action: 'rate', after: { score: body.score, comment: body.comment, ...(link ? { emailLink: link } : {}) } },
        };
      },
    );
    return { ...ratingOf({ ticket_id: id, customer_id: actor.customerId, score: body.score, comment: body.comment, rated_by: actor.userId || null, rated_at: applied.now, rated_by_contact_id: link?.contactId ?? null }, actor.displayName), suggestComplaint: body.score <= 2 };
  }

  /**
   * A complaint about a ticket (REQ §2.17), by the ticket customer's staff: a new ticket of kind
   * `complaint`, linked to the original (`complaint_about` / `complaint`), dispatched like any
   * other (a rule for complaints, else the quality management team serving the customer), whose
   * team is told. One complaint per ticket (409 after).
   */
  async complain(actor: Actor, id: number, text: string): Promise<TicketOut> {
    if (actor.customerId === null) throw new AppError(403, 'forbidden', 'tickets.complaint.customerOnly');
    const original = await repo.findTicket(this.db, actor.scope, id);
    if (!original) throw AppError.notFound();
    if (Number(original.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.complaint.customerOnly');
    if (await repo.findComplaintLink(this.db, id)) throw new AppError(409, 'duplicate', 'tickets.complaint.exists');
    const title = translate(actor.locale, 'tickets.complaint.title', { number: original.number, title: original.title });
    return this.createTicket(
      actor,
      {
        customerId: actor.customerId,
        contactId: original.contact_id === null ? null : Number(original.contact_id),
        callerName: original.caller_name,
        callerPhone: original.caller_phone,
        kind: 'complaint',
        title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
        description: text,
        impact: original.impact,
        urgency: original.urgency,
        reportedAt: Date.now(),
        siteId: original.site_id === null ? null : Number(original.site_id),
        service: original.service,
        category: original.category,
        channel: 'portal',
      },
      original,
    );
  }

  // ------------------------------------------------------------ replies, notes, worklogs, visits

  /** `viaEmail`: the contact whose mail this reply is (inbound mail), shown as its author. */
  async reply(actor: Actor, id: number, body: ReplyBody, opts: { viaEmail?: { contactId: number; name: string } } = {}): Promise<TimelineItem> {
    const fromCustomer = actor.customerId !== null;
    if (fromCustomer && body.visibility !== 'public') throw AppError.field('visibility', 'tickets.customerPublicOnly');
    const mentions = [...new Set(body.mentions)];
    const applied = await this.command(
      actor,
      id,
      { sla: (pre) => !fromCustomer && body.visibility === 'public' && pre.responded_at === null },
      async (pre) => {
        const dir = await this.organisation.directory({ users: [...mentions, ...(pre.created_by === null ? [] : [Number(pre.created_by)])] });
        const problems: FieldProblem[] = [];
        body.mentions.forEach((u, i) => {
          const user = dir.users.get(u);
          if (!user || user.customerId !== null || user.disabled) problems.push({ field: `mentions[${i}]`, code: 'tickets.mentionNotFound' });
        });
        if (problems.length) throw AppError.validation(problems);
        // The portal user who reported hears of the provider's public replies.
        const reporter = pre.created_by === null ? undefined : dir.users.get(Number(pre.created_by));
        return { reporterIsCustomer: !!reporter && reporter.customerId !== null };
      },
      (t, { prepared, now }) => {
        assertWritable(t);
        const isPublic = body.visibility === 'public';
        const firstResponse = !fromCustomer && isPublic && t.responded_at === null;
        const notices: Change['notices'] = [];
        if (mentions.length) notices.push({ type: 'ticket.mention', recipients: mentions, titleKey: 'tickets.notify.mentioned', params: { actor: actor.displayName }, body: body.body });
        if (fromCustomer && t.assignee_id !== null) notices.push({ type: 'ticket.reply', recipients: [Number(t.assignee_id)], titleKey: 'tickets.notify.reply', params: { title: t.title }, body: body.body });
        if (!fromCustomer && isPublic && prepared.reporterIsCustomer) notices.push({ type: 'ticket.reply', recipients: [Number(t.created_by)], titleKey: 'tickets.notify.reply', params: { title: t.title }, body: body.body });
        return {
          set: firstResponse ? { responded_at: now } : {},
          entries: [{ type: isPublic ? 'reply' : 'note', visibility: body.visibility, data: { body: body.body, mentions, provider: !fromCustomer, ...(opts.viaEmail ? { email: opts.viaEmail } : {}) } }],
          sla: firstResponse,
          notices,
          audit: { action: isPublic ? 'reply' : 'note', after: { visibility: body.visibility, body: body.body, mentions } },
        };
      },
    );
    return this.createdItem(actor, applied);
  }

  async worklog(actor: Actor, id: number, body: WorklogBody): Promise<TimelineItem> {
    requireProvider(actor);
    const applied = await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      (t, { now }) => {
        if (t.state === 'cancelled') throw readOnly(t);
        const at = this.instantOnTicket(t, body.at, now);
        const data = { minutes: body.minutes, mode: body.mode, note: body.note, at: iso(at) };
        return { entries: [{ type: 'worklog', visibility: 'internal', data }], audit: { action: 'worklog', after: data } };
      },
    );
    return this.createdItem(actor, applied);
  }

  /** On-site visits: depart, arrive (the check-in that meets the on-site metric), leave with a result. */
  async visit(actor: Actor, id: number, body: VisitBody): Promise<TimelineItem> {
    requireProvider(actor);
    const applied = await this.command(
      actor,
      id,
      { sla: () => body.event === 'arrive' },
      async () => undefined,
      (t, { now }) => {
        assertWritable(t);
        const at = this.instantOnTicket(t, body.at, now);
        const event = VISIT_EVENTS[body.event];
        const data = { event, at: iso(at), result: body.result };
        const arrived = event === 'arrived';
        return {
          set: arrived && (t.onsite_at === null || at < t.onsite_at) ? { onsite_at: at } : {},
          entries: [{ type: 'visit', visibility: 'public', data }],
          sla: arrived,
          audit: { action: 'visit', after: data },
        };
      },
    );
    return this.createdItem(actor, applied);
  }

  /** When something on the ticket happened: not in the future (beyond the tolerance), not before the report. */
  private instantOnTicket(t: repo.TicketRow, at: number | undefined, now: number): number {
    if (at === undefined) return now;
    if (at > now + FUTURE_TOLERANCE_MS) throw AppError.field('at', 'tickets.reportedInFuture');
    if (at < t.reported_at) throw AppError.field('at', 'tickets.atBeforeReported');
    return Math.min(at, now);
  }

  /** The entry a command just wrote, as the timeline shows it (written by the caller himself). */
  private createdItem(actor: Actor, applied: Applied): TimelineItem {
    const dir: Dir = { customers: new Map(), contacts: new Map(), sites: new Map(), contracts: new Map(), teams: new Map(), users: new Map([[actor.userId, { displayName: actor.displayName, customerId: actor.customerId, disabled: false }]]) };
    return timelineItem(applied.events[0], dir, actor.customerId !== null);
  }

  // ------------------------------------------------------------ links and attachments

  async addLink(actor: Actor, id: number, otherId: number, kind: LinkKind): Promise<TicketOut> {
    requireProvider(actor);
    if (otherId === id) throw AppError.field('otherId', 'tickets.linkSelf');
    await this.command(
      actor,
      id,
      { sla: () => false },
      async () => {
        const other = await repo.findTicket(this.db, actor.scope, otherId);
        if (!other) throw AppError.field('otherId', 'tickets.linkTargetNotFound');
        return other;
      },
      async (t, { prepared: other, now, trx }) => {
        if (await repo.findLink(trx, t.id, otherId)) throw new AppError(409, 'duplicate', 'tickets.linkExists');
        await repo.insertLinkPair(trx, t.id, otherId, kind, LINK_INVERSE[kind], now);
        await repo.insertEvents(trx, [eventRow(otherId, actor, { type: 'link_added', visibility: 'internal', data: { otherId: t.id, number: t.number, kind: LINK_INVERSE[kind] } }, now)]);
        return { entries: [{ type: 'link_added', visibility: 'internal', data: { otherId, number: other.number, kind } }], audit: { action: 'link', after: { otherId, kind } } };
      },
    );
    return this.get(actor, id);
  }

  async removeLink(actor: Actor, id: number, otherId: number): Promise<void> {
    requireProvider(actor);
    await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      async (t, { now, trx }) => {
        const link = await repo.findLink(trx, t.id, otherId);
        const other = link ? await repo.findTicket(trx, actor.scope, otherId) : undefined;
        if (!link || !other) throw AppError.notFound();
        await repo.deleteLinkPair(trx, t.id, otherId);
        await repo.insertEvents(trx, [eventRow(otherId, actor, { type: 'link_removed', visibility: 'internal', data: { otherId: t.id, number: t.number, kind: LINK_INVERSE[link.kind as LinkKind] } }, now)]);
        return { entries: [{ type: 'link_removed', visibility: 'internal', data: { otherId, number: other.number, kind: link.kind } }], audit: { action: 'unlink', before: { otherId, kind: link.kind } } };
      },
    );
  }

  /**
   * Stores an upload (after checking that the ticket exists and takes attachments, so nothing
   * is written for a ticket the caller cannot see) and records it on the timeline.
   */
  async addAttachment(actor: Actor, id: number, visibility: Visibility, upload: { filename: string; stream: NodeJS.ReadableStream; truncated: () => boolean }): Promise<TimelineItem> {
    if (actor.customerId !== null && visibility !== 'public') throw AppError.field('visibility', 'tickets.customerPublicOnly');
    const pre = await repo.findTicket(this.db, actor.scope, id);
    if (!pre) throw AppError.notFound();
    assertWritable(pre);
    const stored: StoredFile = await storeUpload(this.db, upload.filename, upload.stream as import('node:stream').Readable, upload.truncated);
    // The content is kept only if the attachment is recorded: the same transaction claims it.
    const applied = await this.command(
      actor,
      id,
      { sla: () => false },
      async () => undefined,
      async (t, { now, trx }) => {
        assertWritable(t);
        await claimBlob(trx, stored.blobId, stored.mime);
        const fileId = await repo.insertFile(trx, { ticket_id: t.id, event_id: null, name: stored.name, mime: stored.mime, size: stored.size, sha256: stored.sha256, blob_id: stored.blobId, created_at: now, created_by: actor.userId || null });
        const data = { fileId, name: stored.name, mime: stored.mime, size: stored.size };
        return {
          entries: [{ type: 'attachment', visibility, data }],
          after: (tx, eventIds) => repo.setFileEvent(tx, fileId, eventIds[0]),
          audit: { action: 'attach', after: { ...data, sha256: stored.sha256, visibility } },
        };
      },
    ).catch(async (err: unknown) => {
      await discardBlob(this.db, stored.blobId);
      throw err;
    });
    return this.createdItem(actor, applied);
  }

  async attachment(actor: Actor, id: number, fileId: number): Promise<{ name: string; mime: string; size: number; stream: NodeJS.ReadableStream }> {
    const ticket = await repo.findTicket(this.db, actor.scope, id);
    if (!ticket) throw AppError.notFound();
    const file = await repo.findFile(this.db, id, fileId, actor.customerId !== null);
    if (!file) throw AppError.notFound();
    const content = await openBlob(this.db, file.blob_id);
    return { name: file.name, mime: file.mime, size: content.size, stream: content.stream };
  }

  // ------------------------------------------------------------ jobs

  /**
   * Adds an entry to a ticket's timeline inside another module's transaction (the repair
   * report), so the entry commits or rolls back with that module's change. The caller has
   * already read the ticket through this service, in the actor's scope.
   */
  async recordEntry(trx: Tx, actor: Actor, ticketId: number, entry: NewEntry, now = Date.now()): Promise<void> {
    await repo.insertEvents(trx, [eventRow(ticketId, actor, entry, now)]);
  }

  /**
   * The SLA job of one ticket (key `sla:ticket:<id>`): recomputes the clocks now and fires, once
   * each, the warnings, breaches and escalation steps they have passed (a timeline entry, the
   * escalation's action, a notification), stores what it fired and sets the next wake.
   */
  async runSlaJob(ticketId: number): Promise<void> {
    const pre = await repo.findTicketForJob(this.db, ticketId);
    if (!pre) return;
    const ctx = await this.context(pre.contract_id);
    const people = await this.people(ctx, pre);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ticket = await repo.findTicketForJob(trx, ticketId, true);
      if (!ticket) return;
      const stored = await repo.slaRows(trx, ticketId);
      if (!ctx.sla) return persistClocks(trx, ticketId, [], stored, now);
      const policy = ctx.sla.policy;
      const clocks = clocksOf(ticket.reported_at, await repo.listSlaRelevantEvents(trx, ticketId), policy, ctx.calendars, now);
      const byMetric = new Map(stored.map((r) => [r.metric, r]));
      const justFired = new Map<SlaMetric, Fired>();
      const entries: NewEntry[] = [];
      const notices: NonNullable<Change['notices']> = [];
      let current = ticket;
      const changes: Change[] = [];
      for (const c of clocks) {
        const open = isOpenClock(c) && isOpen(current.state as TicketState);
        const metric = { key: `tickets.metric.${c.metric}` };
        const done = firingsOf(c, firedOf(byMetric.get(c.metric)), open);
        for (const f of done.firings) {
          entries.push(f.entry);
          if (f.notice) notices.push({ ...f.notice, recipients: working(people, current) });
        }
        for (const step of done.escalations) {
          const rule = policy.escalation[step];
          const recipients = recipientsOf(rule, people, current);
          let result: NonNullable<EscalatedData['result']> = 'not_open';
          const stepEntries: NewEntry[] = [];
          if (open) {
            const escalated = await this.escalationStep(trx, rule, { metric: c.metric, step }, current, ctx, people, now);
            result = escalated.result;
            if (escalated.change) {
              changes.push(escalated.change);
              stepEntries.push(...escalated.change.entries);
              current = { ...current, ...escalated.change.set } as repo.TicketRow;
            }
            notices.push({ type: 'ticket.escalated', recipients, titleKey: 'tickets.notify.slaEscalated', params: { metric, title: current.title } });
          }
          // The same entry a manual escalation writes (docs/TICKETS.md): reassigning is functional, telling people hierarchical.
          const data: EscalatedData = {
            kind: rule.action === 'reassign' ? 'functional' : 'hierarchical',
            trigger: 'sla',
            reason: null,
            recipients,
            metric: c.metric,
            step,
            action: rule.action,
            result,
            toProjectManager: open && people.pm !== null && recipients.includes(people.pm),
          };
          entries.push({ type: 'escalated', visibility: 'internal', data }, ...stepEntries);
        }
        justFired.set(c.metric, done.fired);
      }
      if (changes.length) {
        const set = Object.assign({}, ...changes.map((ch) => ch.set)) as Updateable<TicketsTable>;
        if (!(await repo.updateTicket(trx, ticketId, ticket.version, { ...set, updated_at: now }))) throw AppError.conflict();
        current = { ...current, updated_at: now, version: ticket.version + 1 };
        for (const ch of changes) await recordAudit(trx, auditActorOf(SYSTEM), { action: ch.audit.action, entity: 'tickets', entityId: ticketId, customerId: ticket.customer_id, before: ch.audit.before, after: ch.audit.after }, now);
      }
      await repo.insertEvents(trx, entries.map((e) => eventRow(ticketId, SYSTEM, e, now)));
      await this.recompute(trx, current, ctx, now, justFired);
      if (entries.some(movesOla)) await this.rescheduleOla(trx, current, now);
      for (const n of [...notices, ...changes.flatMap((ch) => ch.notices ?? [])]) await notifyTicketEvent(trx, { ...n, ticket: current, actorId: null, occurredAt: now });
    });
  }

  /**
   * One escalation step's action on the ticket: reassign to the step's user, or to the step's
   * team (which picks an assignee by its setting), or raise the priority one level.
   */
  private async escalationStep(
    trx: Tx,
    rule: EscalationStep,
    marker: { metric: SlaMetric; step: number },
    t: repo.TicketRow,
    ctx: SlaContext,
    people: People,
    now: number,
  ): Promise<{ result: 'notified' | 'reassigned' | 'priority_raised' | 'no_target' | 'top_priority'; change?: Change }> {
    switch (rule.action) {
      case 'notify':
        return { result: 'notified' };
      case 'reassign': {
        const userId = (rule.notify.userIds ?? []).find((u) => isActiveProvider(people.users.get(u)));
        const teamId = stepTeamId(rule);
        if (userId === undefined && teamId === undefined) return { result: 'no_target' };
        const auto = userId === undefined && teamId !== undefined ? people.autos.get(teamId) ?? null : null;
        const picked = userId ?? (await this.pick(trx, auto, now)) ?? undefined;
        return { result: 'reassigned', change: this.assignChange(t, { teamId, assigneeId: picked }, [], now, { escalation: marker, auto: userId === undefined && picked !== undefined ? auto!.mode : undefined }) };
      }
      case 'raise_priority': {
        const levels = [...ctx.matrix.levels].sort((a, b) => a.rank - b.rank);
        const higher = levels.filter((l) => l.rank < t.priority_rank).pop();
        if (!higher) return { result: 'top_priority' };
        return {
          result: 'priority_raised',
          change: {
            set: { priority: higher.code, priority_rank: higher.rank },
            entries: [{ type: 'priority_changed', visibility: 'public', data: { from: t.priority, to: higher.code, impact: t.impact, urgency: t.urgency, previousImpact: t.impact, previousUrgency: t.urgency, escalation: marker } }],
            audit: { action: 'escalate', before: { priority: t.priority }, after: { priority: higher.code, escalation: marker } },
          },
        };
      }
    }
  }

  /** Who the SLA job may tell or hand a ticket to, looked up before its transaction. */
  private async people(ctx: SlaContext, t: repo.TicketRow): Promise<People> {
    const steps = ctx.sla?.policy.escalation ?? [];
    const stepUsers = steps.flatMap((s) => s.notify.userIds ?? []);
    const stepTeams = [...new Set(steps.filter((s) => s.action === 'reassign').flatMap((s) => (stepTeamId(s) === undefined ? [] : [stepTeamId(s)!])))];
    const teamIds = t.team_id === null ? [] : [Number(t.team_id)];
    const [desk, team, leads, dir, teams] = await Promise.all([
      this.organisation.teamMemberIds({ kind: 'desk' }),
      this.organisation.teamMemberIds({ teamIds }),
      this.organisation.teamMemberIds({ teamIds, leadsOnly: true }),
      this.organisation.directory({ users: stepUsers }),
      Promise.all(stepTeams.map((id) => orNull(this.organisation.getTeam(SYSTEM, id)))),
    ]);
    const autos = new Map<number, AutoAssign>();
    for (const found of teams) {
      const auto = found ? await this.autoAssignFor(found) : null;
      if (auto) autos.set(auto.teamId, auto);
    }
    return { pm: ctx.contract.projectManagerId, desk, team, leads, users: dir.users, autos };
  }

  /**
   * The OLA job of one ticket (key `ola:ticket:<id>`): recomputes the desk's OLA clocks now and
   * fires each breach once: an internal `ola.breached` entry, and a warning to the service
   * desk's members while the clock is still open on an open ticket. Sets the next wake.
   */
  async runOlaJob(ticketId: number): Promise<void> {
    const desk = await this.organisation.teamMemberIds({ kind: 'desk' });
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const ticket = await repo.findTicketForJob(trx, ticketId, true);
      if (!ticket) return;
      const rows = await repo.listOlaRelevantEvents(trx, ticketId);
      const basis = await olaBasisOf(trx, ticket);
      const clocks = olaClocksOf(rows, this.config.tickets.ola, now, basis);
      const entries: NewEntry[] = [];
      const open = isOpen(ticket.state as TicketState);
      for (const c of unfiredBreaches(clocks, firedBreaches(rows))) {
        entries.push({ type: 'ola.breached', visibility: 'internal', data: { target: c.target, startedAt: iso(c.startedAt), dueAt: iso(c.dueAt) } });
        if (open && isOpenOla(c)) {
          const target = { key: `tickets.ola.${c.target}` };
          await notifyTicketEvent(trx, { type: 'ola.breached', ticket, actorId: null, recipients: desk, titleKey: 'tickets.notify.olaBreached', params: { target, title: ticket.title }, occurredAt: now });
        }
      }
      const written = entries.map((e) => eventRow(ticketId, SYSTEM, e, now));
      await repo.insertEvents(trx, written);
      await scheduleOla(trx, ticketId, [...rows, ...written], this.config.tickets.ola, now, basis);
    });
  }

  /**
   * Closes a resolved ticket nobody objected to within N working days of the contract's
   * calendar (TICKET_AUTO_CLOSE_WORKDAYS). A ticket reopened, closed or resolved again since
   * is left alone; run early, the job puts itself back at the deadline.
   */
  async runAutoClose(ticketId: number, resolvedAt: number): Promise<void> {
    const pre = await repo.findTicketForJob(this.db, ticketId);
    if (!pre || pre.state !== 'resolved' || pre.resolved_at !== resolvedAt) return;
    const ctx = await this.context(pre.contract_id);
    const calendar = await this.calendars.compiled(ctx.contract.calendarId);
    const deadline = calendar.addWorkingDays(resolvedAt, this.config.tickets.autoCloseWorkdays);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      if (now < deadline) return enqueueJob(trx, { kind: AUTO_CLOSE_JOB, key: autoCloseJobKey(ticketId), payload: { ticketId, resolvedAt }, runAt: deadline }, now);
      const t = await repo.findTicketForJob(trx, ticketId, true);
      if (!t || t.state !== 'resolved' || t.resolved_at !== resolvedAt) return;
      const noObjection = { mailSentAt: await resolutionMailSentAt(trx, ticketId, resolvedAt), workdays: this.config.tickets.autoCloseWorkdays };
      await this.apply(trx, SYSTEM, t, ctx, this.transitionChange(SYSTEM, t, 'close', { reason: null }, now, { via: 'auto', noObjection }), now);
    });
  }
}

// ------------------------------------------------------------ rules shared by the commands

/**
 * How a closed ticket's customer consented (REQ #35, #36), from its last closing entry: his
 * confirmation (by whom, and whether through the mail link), no objection within N working days
 * (the resolution mail's sending and N), or the provider's reason. Null unless closed.
 */
function closureOf(t: repo.TicketRow, events: readonly Pick<repo.EventRow, 'type' | 'data'>[]): TicketOut['closure'] {
  if (t.state !== 'closed') return null;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].type !== 'state_changed') continue;
    const d = JSON.parse(events[i].data) as Extract<NewEntry, { type: 'state_changed' }>['data'];
    if (d.action !== 'close') continue;
    const consent = d.consent ?? (d.via === 'confirm' ? 'confirmed' : d.via === 'auto' ? 'no_objection' : 'provider');
    return {
      consent,
      closedAt: iso(t.closed_at),
      reason: consent === 'provider' ? (d.reason ?? null) : null,
      mailSentAt: d.noObjection?.mailSentAt ?? null,
      workdays: consent === 'no_objection' ? (d.noObjection?.workdays ?? null) : null,
      emailLink: d.emailLink ?? null,
    };
  }
  return null;
}

/**
 * The fault diagnosed (REQ T6: "10分钟内准确诊断并告知用户故障原因"): a public `diagnosed` entry
 * with the result and whether it was found remotely; the state stays. The first diagnosis meets
 * the diagnosis clock and starts the clocks counted "after diagnosis" (确诊后, REQ #46, #49).
 */
function diagnoseChange(t: repo.TicketRow, body: ActionBody, now: number): Change {
  const state = lifecycle(t.state as TicketState, 'diagnose', { now });
  const result = body.result?.trim();
  if (!result) throw AppError.field('result', 'required');
  const remote = body.remote ?? false;
  return { set: { state }, entries: [{ type: 'diagnosed', visibility: 'public', data: { result, remote } }], sla: true, audit: { action: 'diagnose', before: { state }, after: { result, remote } } };
}

interface Applied {
  ticket: repo.TicketRow;
  eventIds: number[];
  /** The timeline entries written, with their ids. */
  events: repo.EventRow[];
  now: number;
}

interface People {
  pm: number | null;
  desk: number[];
  team: number[];
  leads: number[];
  users: Map<number, { customerId: number | null; disabled: boolean }>;
  /** The automatic assignment of each team the policy's reassign steps name. */
  autos: Map<number, AutoAssign>;
}

/** A team's automatic assignment, prepared before the transaction: who may be given its tickets. */
interface AutoAssign {
  teamId: number;
  mode: 'round_robin' | 'least_loaded';
  candidates: number[];
}

/** The team a reassign step names (`teamId`, stored with the policy as given). */
function stepTeamId(rule: EscalationStep): number | undefined {
  const named = (rule as unknown as { teamId?: unknown }).teamId;
  return typeof named === 'number' ? named : undefined;
}

function ratingOf(r: repo.RatingRow, ratedByName: string | null): RatingOut {
  return { score: r.score, comment: r.comment, ratedBy: r.rated_by === null ? null : Number(r.rated_by), ratedByName, ratedAt: iso(r.rated_at) };
}

const METRIC_ORDER: Record<string, number> = { response: 0, diagnosis: 1, onsite: 2, resolution: 3 };

function isActiveProvider(u: { customerId: number | null; disabled: boolean } | undefined): boolean {
  return !!u && u.customerId === null && !u.disabled;
}

/** Who works the ticket: its assignee, else its team, else the service desk. */
function working(p: People, t: repo.TicketRow): number[] {
  if (t.assignee_id !== null) return [Number(t.assignee_id)];
  return p.team.length ? p.team : p.desk;
}

/**
 * Recipients of an escalation step: roles by code (pm / project_manager: the contract's project
 * manager; desk: the service desk teams; assignee; team: the ticket's team; team_lead: its
 * leads) and named users (active provider-side users only).
 */
function recipientsOf(rule: EscalationStep, p: People, t: repo.TicketRow): number[] {
  const out = new Set<number>();
  for (const role of rule.notify.roles ?? []) {
    switch (role) {
      case 'pm':
      case 'project_manager':
        if (p.pm !== null) out.add(p.pm);
        break;
      case 'desk':
        p.desk.forEach((u) => out.add(u));
        break;
      case 'assignee':
        if (t.assignee_id !== null) out.add(Number(t.assignee_id));
        break;
      case 'team':
        p.team.forEach((u) => out.add(u));
        break;
      case 'team_lead':
        p.leads.forEach((u) => out.add(u));
        break;
    }
  }
  for (const u of rule.notify.userIds ?? []) if (isActiveProvider(p.users.get(u))) out.add(u);
  return [...out].sort((a, b) => a - b);
}

/** A 404 from another module's service as "not there" (the caller turns it into a field problem). */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  }
}

function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'tickets.providerOnly');
}

function readOnly(t: repo.TicketRow): AppError {
  return new AppError(409, 'read_only', t.state === 'cancelled' ? 'tickets.readOnly.cancelled' : 'tickets.readOnly.closed');
}

/** Closed and cancelled tickets take no replies, visits, attachments or edits (reopen first). */
function assertWritable(t: repo.TicketRow): void {
  if (t.state === 'closed' || t.state === 'cancelled') throw readOnly(t);
}

/** The lifecycle's answer, as the API reports it: a wrong state is a 409 naming state and action, a missing reason a 400. */
function lifecycle(state: TicketState, action: TicketAction, ctx: Parameters<typeof transition>[2]): TicketState {
  try {
    return transition(state, action, ctx);
  } catch (err) {
    if (!(err instanceof LifecycleError)) throw err;
    if (err.code === 'ticket.reason.required') throw AppError.field('reason', err.code);
    throw new AppError(409, err.code === 'ticket.reopen.windowPassed' ? 'reopen_window_passed' : 'invalid_transition', err.code, err.params);
  }
}

function defaultChannel(actor: Actor): 'portal' | 'api' | 'phone' {
  return actor.customerId !== null ? 'portal' : actor.via === 'token' ? 'api' : 'phone';
}

/** The priority level of impact × urgency on the contract's matrix, or a problem naming the unknown axis value. */
function levelOf(ctx: SlaContext, impact: string, urgency: string, problems: FieldProblem[]): { code: string; rank: number } | null {
  try {
    const code = priorityOf(ctx.matrix, impact, urgency);
    return { code, rank: ctx.matrix.levels.find((l) => l.code === code)?.rank ?? ctx.matrix.levels.length + 1 };
  } catch (err) {
    if (!(err instanceof PriorityError)) throw err;
    const field = err.code === 'priority.impact.unknown' ? 'impact' : 'urgency';
    const axis = field === 'impact' ? ctx.matrix.impacts : ctx.matrix.urgencies;
    problems.push({ field, code: 'tickets.levelUnknown', params: { value: field === 'impact' ? impact : urgency, values: axis.map((a) => a.code).join(', ') } });
    return null;
  }
}

function eventRow(ticketId: number, actor: Actor, e: NewEntry, now: number): repo.NewEvent {
  return { ticket_id: ticketId, at: now, type: e.type, actor_id: actor.userId || null, visibility: e.visibility, data: JSON.stringify(e.data) };
}

type Dir = Awaited<ReturnType<OrganisationService['directory']>>;

function listItem(t: repo.TicketRow, dir: Dir, customerView: boolean): TicketListItemOut {
  const teamId = t.team_id === null || customerView ? null : Number(t.team_id);
  const assigneeId = t.assignee_id === null ? null : Number(t.assignee_id);
  return {
    id: Number(t.id),
    number: t.number,
    kind: t.kind as TicketKind,
    title: t.title,
    state: t.state as TicketState,
    priority: t.priority,
    priorityRank: t.priority_rank,
    customerId: Number(t.customer_id),
    customerName: dir.customers.get(Number(t.customer_id)) ?? null,
    contactId: t.contact_id === null ? null : Number(t.contact_id),
    contactName: t.contact_id === null ? null : dir.contacts.get(Number(t.contact_id)) ?? null,
    callerName: t.caller_name,
    callerPhone: t.caller_phone,
    teamId,
    teamName: teamId === null ? null : dir.teams.get(teamId) ?? null,
    assigneeId,
    assigneeName: assigneeId === null ? null : dir.users.get(assigneeId)?.displayName ?? null,
    channel: t.channel as TicketListItemOut['channel'],
    reportedAt: iso(t.reported_at),
    updatedAt: iso(t.updated_at),
    slaDueAt: iso(t.sla_due_at),
    slaStatus: t.sla_status as TicketListItemOut['slaStatus'],
    version: t.version,
  };
}

function timelineItem(e: repo.EventRow, dir: Dir, customerView: boolean): TimelineItem {
  let data = JSON.parse(e.data) as Record<string, unknown>;
  if (customerView) data = Object.fromEntries(Object.entries(data).filter(([k]) => !CUSTOMER_HIDDEN_KEYS.has(k)));
  const actorId = e.actor_id === null ? null : Number(e.actor_id);
  return { id: Number(e.id), at: iso(e.at), type: e.type, actorId, actorName: actorId === null ? null : dir.users.get(actorId)?.displayName ?? null, visibility: e.visibility as Visibility, data };
}
