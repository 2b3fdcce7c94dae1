import type { CompiledCalendar } from '../../core/calendar/index.js';
import { priorityOf } from '../../core/priority.js';
import { nextWakeAt, type MetricClock } from '../../core/sla/index.js';
import { isOpen, transition, type TicketAction, type TicketState } from '../../core/tickets/lifecycle.js';
import type { JobsTable, TicketLinksTable, TicketRatingsTable } from '../../db/schema.js';
import type { Insertable } from 'kysely';
import type { EscalatedData, NewEntry } from '../../modules/tickets/events.js';
import type * as repo from '../../modules/tickets/repo.js';
import { KIND_PREFIX, type TicketKind } from '../../modules/tickets/schema.js';
import { autoCloseJobKey, AUTO_CLOSE_JOB } from '../../modules/tickets/service.js';
import { clocksOf, SLA_JOB, slaJobKey, summaryOf } from '../../modules/tickets/sla.js';
import type { ContractModel, CustomerModel, OrgModel } from './model.js';
import { Rng, weighted } from './prng.js';
import * as vocab from './vocabulary.js';

/**
 * One ticket's life, simulated: reported, logged, dispatched, accepted, worked (replies, notes,
 * worklogs, on-site visits, waits for the customer or a vendor), resolved, confirmed or closed
 * automatically after the working days the product waits, sometimes reopened, re-prioritised or
 * cancelled. Every step is a timeline entry of the shape modules/tickets/events.ts defines and
 * goes through the lifecycle's own `transition`, so the stored state is one the product can
 * reach. The history is cut at "now": what would happen later has not happened, so recent
 * tickets are open. The SLA clocks are then computed by the tickets module's own `clocksOf` from
 * the very rows written, and stored the way `persistClocks` stores them (with the warnings,
 * breaches and escalations the SLA job would have fired, and their timeline entries).
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** All generated customers are in Asia/Shanghai (UTC+8 all year): the local year of an instant. */
const SHANGHAI_OFFSET = 8 * HOUR;
export const localYear = (ms: number) => new Date(ms + SHANGHAI_OFFSET).getUTCFullYear();

export type TicketInsert = repo.NewTicket & { id: number };
export type EventInsert = repo.NewEvent & { id: number };
export type JobInsert = Omit<Insertable<JobsTable>, 'id'> & { id: number };

export interface Rows {
  tickets: TicketInsert[];
  events: EventInsert[];
  sla: repo.SlaRow[];
  jobs: JobInsert[];
  links: Insertable<TicketLinksTable>[];
  ratings: Insertable<TicketRatingsTable>[];
}

export const emptyRows = (): Rows => ({ tickets: [], events: [], sla: [], jobs: [], links: [], ratings: [] });

const KINDS = weighted<TicketKind>([
  ['incident', 60],
  ['request', 25],
  ['consultation', 10],
  ['complaint', 5],
]);
const CHANNELS = weighted([
  ['phone', 42],
  ['portal', 25],
  ['email', 10],
  ['monitoring', 12],
  ['api', 5],
  ['onsite', 6],
] as const);
const LEVEL3 = ['high', 'medium', 'low'] as const;
const IMPACT: Record<TicketKind, ReturnType<typeof weighted<string>>> = {
  incident: weighted(LEVEL3.map((l, i) => [l, [12, 33, 55][i]] as const)),
  request: weighted(LEVEL3.map((l, i) => [l, [3, 22, 75][i]] as const)),
  consultation: weighted(LEVEL3.map((l, i) => [l, [1, 9, 90][i]] as const)),
  complaint: weighted(LEVEL3.map((l, i) => [l, [10, 50, 40][i]] as const)),
};
const URGENCY: Record<TicketKind, ReturnType<typeof weighted<string>>> = {
  incident: weighted(LEVEL3.map((l, i) => [l, [22, 45, 33][i]] as const)),
  request: weighted(LEVEL3.map((l, i) => [l, [5, 35, 60][i]] as const)),
  consultation: weighted(LEVEL3.map((l, i) => [l, [2, 18, 80][i]] as const)),
  complaint: weighted(LEVEL3.map((l, i) => [l, [20, 60, 20][i]] as const)),
};
const SCORES = weighted([
  [5, 58],
  [4, 27],
  [3, 10],
  [2, 3],
  [1, 2],
] as const);

/** Median minutes to respond / to resolve after starting, by priority rank (1 = most urgent). */
const RESPOND_MEDIAN = [0, 8, 25, 80, 240, 480];
const RESOLVE_MEDIAN: Record<TicketKind, number[]> = {
  incident: [0, 70, 240, 900, 2400, 4000],
  request: [0, 240, 900, 2400, 4300, 6000],
  consultation: [0, 30, 45, 60, 120, 240],
  complaint: [0, 1440, 2000, 2880, 4300, 6000],
};

interface Step {
  at: number;
  entry: NewEntry;
  actor: number | null;
  /** The lifecycle action of a state change (applied to the ticket's fields on replay). */
  action?: TicketAction;
  /** Counts as a command (bumps the ticket's version); entries written by `create` do not. */
  command: boolean;
}

export interface SimContext {
  org: OrgModel;
  calendars: Map<string, CompiledCalendar>;
  now: number;
  autoCloseWorkdays: number;
  /** Whether ticket_ratings exists (it arrived with a later migration). */
  ratings: boolean;
  /** The share of tickets that stall in an open state at some step (the desk's backlog). */
  backlog: number;
  /** Per customer, recent ticket ids (complaints link to one of them). */
  recent: Map<number, number[]>;
  /** Per kind and year, the last sequence number issued. */
  sequences: Map<string, number>;
  nextEventId: number;
  nextJobId: number;
  customers: ReturnType<typeof weighted<CustomerModel>>;
  /** Customers whose contracts answer high priorities on 7×24 clocks (the scheduler scenario). */
  clockCustomers: ReturnType<typeof weighted<CustomerModel>>;
}

export function simContext(org: OrgModel, now: number, opts: { autoCloseWorkdays: number; ratings: boolean; backlog?: number }): SimContext {
  return {
    org,
    calendars: org.calendars,
    now,
    autoCloseWorkdays: opts.autoCloseWorkdays,
    ratings: opts.ratings,
    backlog: opts.backlog ?? 0.012,
    recent: new Map(),
    sequences: new Map(),
    nextEventId: 1,
    nextJobId: 1,
    customers: weighted(org.customers.map((c) => [c, c.weight] as const)),
    clockCustomers: weighted(org.customers.filter((c) => c.tier === 1).map((c) => [c, c.weight] as const)),
  };
}

export interface TicketOptions {
  /**
   * The scheduler scenario: the ticket is logged by the monitoring integration and dispatched
   * to an engineer, who has not accepted it yet (clocks running), on a 7×24 contract at a high
   * priority, and reported so that its first SLA threshold falls due at this instant
   * (`reportedAt` is ignored).
   */
  dueAt?: number;
  /** The customer (otherwise drawn by weight). */
  customer?: CustomerModel;
  /** The engineer the ticket is dispatched to (a member of the team it goes to). */
  engineerId?: number;
  /**
   * Keeps the ticket open: its story stops after this many steps (1: logged and waiting in the
   * service desk's queue, undispatched; 2: dispatched, not accepted; more: further along).
   */
  stopAfter?: number;
}

/** Simulates ticket `id` reported at `reportedAt` and appends its rows. */
export function simulateTicket(ctx: SimContext, rng: Rng, id: number, reportedAt: number, out: Rows, opts: TicketOptions = {}): void {
  const now = ctx.now;
  const keepOpen = opts.dueAt !== undefined;
  const customer = opts.customer ?? (keepOpen ? ctx.clockCustomers.draw(rng) : ctx.customers.draw(rng));
  if (keepOpen) reportedAt = opts.dueAt! - 30 * MIN;
  const year = localYear(reportedAt);
  const contract = customer.contracts.get(year)!;
  const kind = KINDS.draw(rng);
  const serviceName = rng.pick(contract.services);
  const service = vocab.SERVICES.find((s) => s.service === serviceName)!;
  const text = vocab.ticketText(rng, kind, service);
  const matrix = contract.sla.matrix;
  let impact = keepOpen ? 'high' : IMPACT[kind].draw(rng);
  let urgency = keepOpen ? rng.pick(['high', 'medium']) : URGENCY[kind].draw(rng);
  let priority = priorityOf(matrix, impact, urgency);
  if (keepOpen) {
    // On a 7×24 clock the first threshold lies a fixed time after the report: move the report.
    const probe = clocksOf(reportedAt, [{ at: reportedAt, type: 'created', visibility: 'public', data: JSON.stringify({ priority }) }], contract.sla.policy, ctx.calendars, reportedAt);
    reportedAt = opts.dueAt! - (nextWakeAt(probe)! - reportedAt);
  }
  const rankOf = (code: string) => matrix.levels.find((l) => l.code === code)!.rank;
  let rank = rankOf(priority);
  const levels = matrix.levels.length;
  // Durations scale with the rank relative to the matrix (a 3-level matrix's "3" is its lowest).
  const scaledRank = () => Math.min(5, Math.max(1, Math.round(1 + ((rank - 1) * 3) / Math.max(1, levels - 1))));

  let channel = keepOpen ? 'monitoring' : (CHANNELS.draw(rng) as string);
  if (!keepOpen && channel === 'monitoring' && (kind !== 'incident' || service.line === 'line1')) channel = 'phone';
  const contact = rng.pick(customer.contacts);
  const siteId = contact.siteId ?? (rng.chance(0.5) ? rng.pick(customer.siteIds) : null);
  const deskAgent = rng.pick(ctx.org.desk.memberIds);
  const portalUser = rng.pick(customer.portalUserIds);
  const creator = channel === 'portal' ? portalUser : channel === 'monitoring' || channel === 'api' ? ctx.org.integrationUserId : deskAgent;
  // Logged a little after the report (a call is typed in afterwards), never after "now".
  const createdAt = Math.min(now, reportedAt + (channel === 'phone' || channel === 'onsite' ? rng.int(10, 180) * 1000 : rng.int(1, 20) * 1000));

  // The service desk itself restores part of the first-line calls on the spot (REQ §2 first-line
  // support: 30–50 % of fault requests solved at the desk, the 一线解决率 KPI): about 60 % of the
  // service requests and of the first-line services' incidents called, mailed or typed in, when
  // the contract asks for no visit at that priority. Drawn from the ticket's own generator, so the main sequence
  // (and every other ticket of a data set) stays as it was.
  const deskRng = new Rng(Math.imul(id, 0x9e3779b1) ^ 0x5f356495);
  const deskSolves = !keepOpen && ((kind === 'incident' && service.line === 'line1') || kind === 'request') && channel !== 'monitoring' && deskRng.chance(0.6);
  const team =
    kind === 'complaint' && ctx.org.complaintTeam
      ? ctx.org.complaintTeam
      : deskSolves
        ? ctx.org.desk
        : service.line === 'line1' || kind === 'consultation' || kind === 'complaint'
          ? teamById(ctx.org, customer.line1TeamId)
          : ctx.org.line2ByService.get(service.service)!;
  const engineer = opts.engineerId !== undefined && team.memberIds.includes(opts.engineerId) ? opts.engineerId : rng.pick(team.memberIds);

  const steps: Step[] = [];
  let t = createdAt;
  let state: TicketState = 'new';
  let teamId: number | null = null;
  let assigneeId: number | null = null;
  const add = (entry: NewEntry, actor: number | null, command = true, action?: TicketAction) => steps.push({ at: t, entry, actor, command, action });
  const act = (action: Exclude<TicketAction, 'assign'>, actor: number | null, extra: { reason?: string; resolution?: string; via?: 'confirm' | 'reject' | 'auto' } = {}) => {
    const to = transition(state, action, { now: t, closedAt: null, reopenWindowMs: 0, reason: extra.reason ?? null });
    add({ type: 'state_changed', visibility: 'public', data: { from: state, to, action, ...extra } }, actor, true, action);
    state = to;
  };
  const assign = (toTeam: number, toUser: number | null, actor: number, command: boolean) => {
    const to = transition(state, 'assign', { now: t });
    add({ type: 'assigned', visibility: 'public', data: { from: state, to, teamId: toTeam, assigneeId: toUser, previousTeamId: teamId, previousAssigneeId: assigneeId } }, actor, command, 'assign');
    state = to;
    teamId = toTeam;
    assigneeId = toUser;
  };
  const wait = (medianMin: number, sigma = 0.9) => (t += Math.max(MIN, Math.round(rng.logNormal(medianMin, sigma) * MIN)));

  // About 1% of tickets stall in an open state (the desk's backlog).
  const backlog = !keepOpen && rng.chance(ctx.backlog);
  const stopAfter = keepOpen ? 2 : opts.stopAfter ?? (backlog ? rng.int(2, 7) : Infinity);
  // A ticket nobody dispatched waits in the service desk's queue (the team on the ticket, as the service does).
  const queued = stopAfter <= 1 ? { teamId: ctx.org.desk.id } : {};
  add({ type: 'created', visibility: 'public', data: { state: 'new', priority, impact, urgency, channel, ...queued } }, creator, false);

  // Most work is done well inside the contract's targets, some of it late: each instant is a
  // log-normal fraction of the target on the target's own calendar (median 25% for the
  // response, 50% on site, 40% for the resolution).
  const targets = contract.sla.policy.targets[priority] ?? contract.sla.policy.targets['*'] ?? {};
  const deadline = (metric: 'response' | 'onsite' | 'resolution', fraction: number): number | null => {
    const target = targets[metric];
    if (!target) return null;
    const cal = ctx.calendars.get(target.calendarId)!;
    if (target.unit === 'workdays') {
      const end = cal.addWorkingDays(reportedAt, target.amount);
      return reportedAt + Math.round((end - reportedAt) * fraction);
    }
    return cal.addWorkingMs(reportedAt, Math.round(target.amount * (target.unit === 'hours' ? HOUR : MIN) * fraction));
  };
  const respondBy = deadline('response', rng.logNormal(0.25, 0.6)) ?? createdAt + Math.round(rng.logNormal(RESPOND_MEDIAN[scaledRank()], 0.9) * MIN);
  const arriveBy = deadline('onsite', rng.logNormal(0.5, 0.5));
  let resolveBy = deadline('resolution', rng.logNormal(0.4, 0.55)) ?? respondBy + Math.round(rng.logNormal(RESOLVE_MEDIAN[kind][scaledRank()], 0.9) * MIN);
  if (deskSolves) resolveBy = Math.min(resolveBy, respondBy + Math.round(deskRng.logNormal(25, 0.6) * MIN));
  /** Moves on to `at` (never back: steps are in order), plus a little. */
  const until = (at: number) => (t = Math.round(Math.max(t + rng.int(10, 120) * 1000, at)));

  const story = () => {
    if (keepOpen) return assign(team.id, engineer, deskAgent, false);
    if (stopAfter <= 1) return;
    if (channel === 'phone' && rng.chance(0.5)) assign(team.id, engineer, deskAgent, false);
    else {
      wait(kind === 'incident' ? 4 : 12, 0.8);
      if (rng.chance(0.03)) return act('cancel', channel === 'portal' ? portalUser : deskAgent, { reason: vocab.cancelReason(rng) });
      assign(team.id, engineer, deskAgent, true);
    }
    if (steps.length >= stopAfter) return;
    if (rng.chance(0.04)) {
      // Re-dispatched: the first engineer could not take it.
      until(t + (respondBy - t) / 2);
      assign(team.id, rng.pick(team.memberIds), deskAgent, true);
    }
    const responder = assigneeId!;
    if (rng.chance(0.3)) {
      // A public reply before accepting counts as the response.
      until(respondBy);
      add({ type: 'reply', visibility: 'public', data: { body: vocab.providerReply(rng), mentions: [], provider: true } }, responder);
      wait(10);
    } else until(respondBy);
    act('accept', responder);
    if (steps.length >= stopAfter) return;
    wait(3, 1);
    act('start', responder);
    if (steps.length >= stopAfter) return;
    if (rng.chance(0.04)) {
      // Re-prioritised once the engineer sees the real impact.
      wait(20);
      const previousImpact = impact;
      const previousUrgency = urgency;
      impact = rng.pick(LEVEL3);
      urgency = rng.pick(LEVEL3);
      const to = priorityOf(matrix, impact, urgency);
      if (to !== priority) {
        add({ type: 'priority_changed', visibility: 'public', data: { from: priority, to, impact, urgency, previousImpact, previousUrgency } }, responder, true, undefined);
        priority = to;
        rank = rankOf(to);
      } else {
        impact = previousImpact;
        urgency = previousUrgency;
      }
    }
    // The work between starting and resolving: replies, notes, a visit, waits, worklogs.
    const span = () => Math.max(10 * MIN, resolveBy - t);
    const replies = rng.int(0, 3);
    for (let k = 0; k < replies; k++) {
      until(t + span() / (replies + 2));
      const fromCustomer = rng.chance(0.4);
      add({ type: 'reply', visibility: 'public', data: { body: fromCustomer ? vocab.customerReply(rng) : vocab.providerReply(rng), mentions: [], provider: !fromCustomer } }, fromCustomer ? portalUser : responder);
    }
    if (rng.chance(0.2)) {
      wait(20);
      add({ type: 'note', visibility: 'internal', data: { body: vocab.internalNote(rng), mentions: [], provider: true } }, responder);
    }
    if (steps.length >= stopAfter) return;
    // (The draw is made for a desk-solved call too, so the generator's sequence does not depend on it.)
    const visits = kind === 'incident' && siteId !== null && (arriveBy !== null ? rng.chance(0.6) : rng.chance(0.25));
    if (visits && !deskSolves) {
      const arrival = Math.max(t + 20 * MIN, arriveBy ?? t + Math.round(rng.logNormal(50, 0.5) * MIN));
      until(arrival - Math.round(rng.logNormal(30, 0.4) * MIN));
      add({ type: 'visit', visibility: 'public', data: { event: 'departed', at: iso(t), result: null } }, responder);
      until(arrival);
      add({ type: 'visit', visibility: 'public', data: { event: 'arrived', at: iso(t), result: null } }, responder);
      wait(60, 0.7);
      add({ type: 'visit', visibility: 'public', data: { event: 'left', at: iso(t), result: vocab.visitResult(rng) } }, responder);
    }
    if (rng.chance(0.12)) {
      wait(30);
      act('wait_customer', responder, { reason: '等待用户确认现场时间' });
      if (steps.length >= stopAfter) return;
      const paused = t;
      wait(240, 1.1);
      // The resolution clock stood still meanwhile.
      resolveBy += t - paused;
      act('resume', responder);
    } else if (rng.chance(0.04)) {
      wait(30);
      act('wait_vendor', responder, { reason: '等待厂商备件' });
      if (steps.length >= stopAfter) return;
      wait(2 * 1440, 0.8);
      act('resume', responder);
    }
    const worklogs = rng.int(1, 2);
    for (let k = 0; k < worklogs; k++) {
      until(t + span() / 3);
      add({ type: 'worklog', visibility: 'internal', data: { minutes: rng.int(10, 240), mode: rng.pick(['phone', 'remote', 'onsite'] as const), note: vocab.worklogNote(rng), at: iso(t - rng.int(0, 30) * MIN) } }, responder);
    }
    if (steps.length >= stopAfter) return;
    until(resolveBy);
    act('resolve', responder, { resolution: vocab.resolutionOf(rng, service, kind) });
    if (rng.chance(0.03)) {
      wait(180);
      act('reopen', portalUser, { reason: vocab.reopenReason(rng), via: 'reject' });
      wait(RESOLVE_MEDIAN[kind][scaledRank()] / 2, 1);
      act('resolve', responder, { resolution: vocab.resolutionOf(rng, service, kind) });
    }
    closeStory();
  };
  const closeStory = () => {
    const resolvedAt = t;
    const autoAt = ctx.calendars.get(contract.calendarId)!.addWorkingDays(resolvedAt, ctx.autoCloseWorkdays);
    const confirmAt = rng.chance(0.45) ? resolvedAt + Math.round(rng.logNormal(300, 1.2) * MIN) : Infinity;
    if (confirmAt < autoAt) {
      t = confirmAt;
      act('close', portalUser, { via: 'confirm' });
    } else {
      t = autoAt;
      act('close', null, { via: 'auto' });
    }
  };
  // A backlog ticket stops at one of the story's checkpoints, always in an open state.
  story();

  // ---- the past is what happened up to now
  let n = 0;
  while (n < steps.length && steps[n].at <= now) n++;
  const past = steps.slice(0, n);
  const seqKey = `${kind}:${year}`;
  const sequence = (ctx.sequences.get(seqKey) ?? 0) + 1;
  ctx.sequences.set(seqKey, sequence);
  const number = `${KIND_PREFIX[kind]}-${year}-${String(sequence).padStart(6, '0')}`;

  // Replay: the ticket's fields as the service would have left them.
  const f = {
    state: 'new' as TicketState,
    teamId: null as number | null,
    assigneeId: null as number | null,
    priority: '',
    impact: '',
    urgency: '',
    respondedAt: null as number | null,
    onsiteAt: null as number | null,
    resolvedAt: null as number | null,
    resolution: null as string | null,
    closedAt: null as number | null,
    cancelledAt: null as number | null,
    updatedAt: createdAt,
    version: 1,
    closedVia: null as string | null,
  };
  for (const s of past) {
    const e = s.entry;
    if (s.command) {
      f.version++;
      f.updatedAt = s.at;
    }
    switch (e.type) {
      case 'created':
        Object.assign(f, { priority: e.data.priority, impact: e.data.impact, urgency: e.data.urgency, teamId: e.data.teamId ?? null });
        break;
      case 'assigned':
        Object.assign(f, { state: e.data.to, teamId: e.data.teamId, assigneeId: e.data.assigneeId });
        break;
      case 'priority_changed':
        Object.assign(f, { priority: e.data.to, impact: e.data.impact, urgency: e.data.urgency });
        break;
      case 'reply':
        if (e.data.provider && f.respondedAt === null) f.respondedAt = s.at;
        break;
      case 'visit':
        if (e.data.event === 'arrived') {
          const at = Date.parse(e.data.at);
          if (f.onsiteAt === null || at < f.onsiteAt) f.onsiteAt = at;
        }
        break;
      case 'state_changed':
        f.state = e.data.to;
        if (s.action === 'accept' && f.respondedAt === null) f.respondedAt = s.at;
        if (s.action === 'resolve') Object.assign(f, { resolvedAt: s.at, resolution: e.data.resolution ?? null });
        if (s.action === 'reopen') Object.assign(f, { resolvedAt: null, closedAt: null, resolution: null });
        if (s.action === 'close') Object.assign(f, { closedAt: s.at, closedVia: e.data.via ?? null });
        if (s.action === 'cancel') f.cancelledAt = s.at;
        break;
    }
  }

  // ---- SLA: the module's own clocks from the rows written
  const eventRows = past.map((s) => ({ at: s.at, type: s.entry.type, visibility: s.entry.visibility, data: JSON.stringify(s.entry.data), actor_id: s.actor }));
  const policy = contract.sla.policy;
  const clocks = clocksOf(reportedAt, eventRows, policy, ctx.calendars, now);
  const summary = summaryOf(clocks);
  const slaEntries = slaTimeline(ctx, clocks, contract, past, createdAt);
  const all = mergeByTime(eventRows, slaEntries);

  out.tickets.push({
    id,
    number,
    kind,
    customer_id: customer.id,
    contract_id: contract.id,
    contact_id: contact.id,
    site_id: siteId,
    service: service.service,
    category: text.category,
    impact: f.impact,
    urgency: f.urgency,
    priority: f.priority,
    priority_rank: rankOf(f.priority),
    title: text.title,
    description: text.description,
    channel,
    state: f.state,
    team_id: f.teamId,
    assignee_id: f.assigneeId,
    resolution: f.resolution,
    reported_at: reportedAt,
    created_at: createdAt,
    updated_at: f.updatedAt,
    responded_at: f.respondedAt,
    onsite_at: f.onsiteAt,
    resolved_at: f.resolvedAt,
    closed_at: f.closedAt,
    cancelled_at: f.cancelledAt,
    sla_due_at: summary.dueAt,
    sla_status: summary.status,
    version: f.version,
    created_by: creator,
  });
  for (const e of all) out.events.push({ id: ctx.nextEventId++, ticket_id: id, at: e.at, type: e.type, actor_id: e.actor_id, visibility: e.visibility, data: e.data });
  for (const c of clocks) {
    const counting = c.state === 'running' || (c.state === 'breached' && c.metAt === undefined && c.cancelledAt === undefined && c.pausedReason === undefined);
    out.sla.push({
      ticket_id: id,
      metric: c.metric,
      priority: c.priority,
      calendar_id: c.calendarId,
      target_ms: c.targetMs,
      state: c.state,
      counting: counting ? 1 : 0,
      due_at: c.dueAt,
      remaining_ms: c.remainingMs,
      // A counting clock's remaining time is as of now; a stopped one was last computed when the ticket last changed (as the app leaves it).
      computed_at: counting ? now : Math.min(now, f.updatedAt),
      paused_reason: c.pausedReason ?? null,
      warnings_fired: JSON.stringify(c.warningsFired),
      escalations_fired: JSON.stringify(c.escalationsFired),
      breached_at: c.breachedAt ?? null,
      met_at: c.metAt ?? null,
    });
  }
  // The SLA job at the clocks' next wake (every threshold passed is fired already), and the
  // auto-close of a resolved ticket nobody confirmed yet.
  const wake = nextWakeAt(clocks);
  if (wake !== null) out.jobs.push(job(ctx, SLA_JOB, slaJobKey(id), { ticketId: id }, wake));
  if (f.state === 'resolved' && f.resolvedAt !== null) {
    const runAt = ctx.calendars.get(contract.calendarId)!.addWorkingDays(f.resolvedAt, ctx.autoCloseWorkdays);
    out.jobs.push(job(ctx, AUTO_CLOSE_JOB, autoCloseJobKey(id), { ticketId: id, resolvedAt: f.resolvedAt }, runAt));
  }

  if (kind === 'complaint') {
    const earlier = ctx.recent.get(customer.id);
    if (earlier?.length) {
      const other = rng.pick(earlier);
      out.links.push({ ticket_id: id, other_id: other, kind: 'complaint_about', created_at: createdAt }, { ticket_id: other, other_id: id, kind: 'complaint', created_at: createdAt });
    }
  }
  const recent = ctx.recent.get(customer.id) ?? [];
  recent.push(id);
  if (recent.length > 50) recent.shift();
  ctx.recent.set(customer.id, recent);

  if (ctx.ratings && f.state === 'closed' && f.closedVia === 'confirm' && rng.chance(0.5)) {
    const ratedAt = f.closedAt! + rng.int(1, 120) * MIN;
    if (ratedAt <= now) {
      const score = SCORES.draw(rng);
      const comment = score >= 4 ? rng.pick(['处理及时，满意', '工程师很专业', '']) || null : rng.pick(['响应太慢', '问题反复出现', '沟通不够']);
      out.ratings.push({ ticket_id: id, customer_id: customer.id, score, comment, rated_by: portalUser, rated_at: ratedAt });
      out.events.push({ id: ctx.nextEventId++, ticket_id: id, at: ratedAt, type: 'rated', actor_id: portalUser, visibility: 'public', data: JSON.stringify({ score, comment }) });
    }
  }
}

function teamById(org: OrgModel, id: number) {
  return org.teams.find((t) => t.id === id)!;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function job(ctx: SimContext, kind: string, key: string, payload: unknown, runAt: number): JobInsert {
  return {
    id: ctx.nextJobId++,
    kind,
    key,
    payload: JSON.stringify(payload),
    run_at: runAt,
    status: 'pending',
    attempts: 0,
    max_attempts: 8,
    locked_by: null,
    locked_until: null,
    last_error: null,
    created_at: ctx.now,
    updated_at: ctx.now,
    finished_at: null,
  };
}

type Row = { at: number; type: string; visibility: string; data: string; actor_id: number | null };

/**
 * The entries the SLA job would have written for the thresholds the clocks passed: warnings at
 * their percent of the target, the breach, the escalation step at the breach (told: the
 * contract's project manager; `not_open` once the ticket no longer was).
 */
function slaTimeline(ctx: SimContext, clocks: MetricClock[], contract: ContractModel, past: Step[], createdAt: number): Row[] {
  const out: Row[] = [];
  const clamp = (ms: number) => Math.min(ctx.now, Math.max(createdAt, ms));
  const openAt = (ms: number) => {
    let state: TicketState = 'new';
    for (const s of past) {
      if (s.at > ms) break;
      const e = s.entry;
      if (e.type === 'state_changed' || e.type === 'assigned') state = e.data.to;
    }
    return isOpen(state);
  };
  for (const c of clocks) {
    const cal = ctx.calendars.get(c.calendarId)!;
    for (const percent of c.warningsFired) {
      const at = clamp(cal.addWorkingMs(c.startedAt, Math.round((c.targetMs * percent) / 100)));
      out.push({ at, type: 'sla.warning', visibility: 'internal', data: JSON.stringify({ metric: c.metric, percent, dueAt: c.dueAt === null ? null : iso(c.dueAt) }), actor_id: null });
    }
    if (c.breachedAt !== undefined) out.push({ at: clamp(c.breachedAt), type: 'sla.breached', visibility: 'internal', data: JSON.stringify({ metric: c.metric, breachedAt: iso(c.breachedAt) }), actor_id: null });
    for (const step of c.escalationsFired) {
      const rule = contract.sla.policy.escalation[step];
      const at = clamp(c.breachedAt ?? c.dueAt ?? createdAt);
      const data: EscalatedData = { kind: 'hierarchical', trigger: 'sla', reason: null, recipients: [contract.pmId], toProjectManager: true, metric: c.metric, step, action: rule.action, result: openAt(at) ? 'notified' : 'not_open' };
      out.push({ at, type: 'escalated', visibility: 'internal', data: JSON.stringify(data), actor_id: null });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The command entries and the SLA entries in timeline order (a command first at equal instants). */
function mergeByTime(a: Row[], b: Row[]): Row[] {
  if (!b.length) return a;
  const out: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].at <= b[j].at)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/**
 * Report instants for `count` tickets over the years before `now`, oldest first: more on working
 * days and in office hours, fewer at weekends, on China's holidays and at night, and a volume
 * that grows by a quarter a year (the provider wins customers).
 */
export function reportInstants(rng: Rng, count: number, now: number, years: number, workCalendar: CompiledCalendar): Float64Array {
  const out = new Float64Array(count);
  if (count === 0) return out;
  // Local days (Asia/Shanghai) from `years` before now up to today.
  const todayStart = Math.floor((now + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET;
  const days = Math.round(years * 365.25);
  const first = todayStart - (days - 1) * DAY;
  const weights = new Float64Array(days);
  let total = 0;
  for (let d = 0; d < days; d++) {
    const start = first + d * DAY;
    const date = new Date(start + SHANGHAI_OFFSET).toISOString().slice(0, 10);
    const working = workCalendar.intervalsOn(date).length > 0;
    const weekday = new Date(start + SHANGHAI_OFFSET).getUTCDay();
    const base = working ? 1 : weekday === 0 || weekday === 6 ? 0.3 : 0.2;
    const growth = 1 + (0.25 * d) / 365.25;
    // Today counts only for the part already past.
    const part = d === days - 1 ? Math.max(0, Math.min(1, (now - start) / DAY)) : 1;
    weights[d] = base * growth * part;
    total += weights[d];
  }
  // Hour profile of a service desk (local time).
  const hours = weighted([0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 6, 9, 9, 8, 4, 6, 8.5, 8.5, 7.5, 5, 2.5, 1.5, 1, 0.8, 0.5, 0.3].map((w, h) => [h, w] as const));
  let k = 0;
  let carry = 0;
  const day: number[] = [];
  for (let d = 0; d < days && k < count; d++) {
    const exact = (weights[d] / total) * count + carry;
    let n = Math.floor(exact);
    carry = exact - n;
    if (d === days - 1) n = count - k;
    n = Math.min(n, count - k);
    const start = first + d * DAY;
    const limit = d === days - 1 ? now : start + DAY;
    day.length = 0;
    for (let i = 0; i < n; i++) {
      let at = start + hours.draw(rng) * HOUR + Math.floor(rng.next() * HOUR);
      if (at > limit) at = start + Math.floor(rng.next() * Math.max(1, limit - start));
      day.push(at);
    }
    day.sort((a, b) => a - b);
    for (const at of day) out[k++] = at;
  }
  return out;
}
