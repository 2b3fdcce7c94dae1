import type { Config } from '../../config.js';
import { DAY_MS, type CompiledCalendar } from '../../core/calendar/index.js';
import { allowedActions, isOpen, type TicketState } from '../../core/tickets/lifecycle.js';
import type { Db } from '../../db/index.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import type { Contract } from '../organisation/repo.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import { CUSTOMER_HIDDEN_KEYS, type NewEntry } from './events.js';
import { olaBasisOf, olaClocksOf, olaView } from './ola.js';
import * as repo from './repo.js';
import type { ListQuery, RatingOut, TicketKind, TicketListItemOut, TicketOut, Visibility } from './schema.js';
import { clockView, loadSlaContext, targetOf, targetRulesOf, type SlaContext } from './sla.js';
import { parseQuery } from '../../core/search/query.js';
import { ticketIdsMatching } from '../search/repo.js';

const NUMBER_RE = /^(INC|REQ|CON|CMP)-\d{4}-\d{6,}$/;
const NUMBER_PREFIX_RE = /^(INC|REQ|CON|CMP)(-\d{0,4}|-\d{4}-\d*)?$/;

export type TimelineItem = TicketOut['timeline'][number];

export type Dir = Awaited<ReturnType<OrganisationService['directory']>>;

/**
 * The reads of tickets: one ticket as the API shows it to its caller (with its live SLA, the
 * desk's OLA, the closure's consent and the actions the caller may take now) and the queues.
 * Apart from the commands so that every service that answers with the ticket it just changed
 * shares one view, and the views import nothing of the commands.
 */
export class TicketQueryService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly organisation: OrganisationService,
    private readonly calendars: CalendarService,
  ) {}

  private context(contractOrId: number | Contract): Promise<SlaContext> {
    return loadSlaContext(this.organisation, this.calendars, contractOrId);
  }

  private reopenWindowMs(): number {
    return this.config.tickets.reopenDays * DAY_MS;
  }

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
  async view(
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

  async calendarOrNull(id: string): Promise<CompiledCalendar | undefined> {
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
  allowedFor(actor: Actor, t: repo.TicketRow, now: number, rated: boolean): string[] {
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
      else {
        // Full text (title, description, replies, resolution; internal notes for staff only): the search index, not a LIKE scan.
        const parsed = parseQuery(query.q);
        filter.fullText = parsed.terms.length ? ticketIdsMatching(this.db, parsed, actor.customerId === null ? { staff: true, scope: actor.scope } : { staff: false, customerId: actor.customerId }) : null;
      }
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
}

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

export function ratingOf(r: repo.RatingRow, ratedByName: string | null): RatingOut {
  return { score: r.score, comment: r.comment, ratedBy: r.rated_by === null ? null : Number(r.rated_by), ratedByName, ratedAt: iso(r.rated_at) };
}

const METRIC_ORDER: Record<string, number> = { response: 0, diagnosis: 1, onsite: 2, resolution: 3 };

export function listItem(t: repo.TicketRow, dir: Dir, customerView: boolean): TicketListItemOut {
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

export function timelineItem(e: repo.EventRow, dir: Dir, customerView: boolean): TimelineItem {
  let data = JSON.parse(e.data) as Record<string, unknown>;
  if (customerView) data = Object.fromEntries(Object.entries(data).filter(([k]) => !CUSTOMER_HIDDEN_KEYS.has(k)));
  const actorId = e.actor_id === null ? null : Number(e.actor_id);
  return { id: Number(e.id), at: iso(e.at), type: e.type, actorId, actorName: actorId === null ? null : dir.users.get(actorId)?.displayName ?? null, visibility: e.visibility as Visibility, data };
}
