import type { Updateable } from 'kysely';
import type { Config } from '../../config.js';
import { DAY_MS, type CompiledCalendar } from '../../core/calendar/index.js';
import type { SlaMetric } from '../../core/sla/index.js';
import { LifecycleError, transition, type TicketAction, type TicketState } from '../../core/tickets/lifecycle.js';
import type { Tx } from '../../db/index.js';
import type { TicketsTable } from '../../db/schema.js';
import type { Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { cancelJob, enqueueJob } from '../../platform/jobs/scheduler.js';
import type { EmailLink, NewEntry } from './events.js';
import type { TicketNotice } from './notify.js';
import type * as repo from './repo.js';
import type { ActionBody } from './schema.js';

/*
 * The state machine's changes as the commands write them: what an action does to a ticket's
 * row, which timeline entry records it, who is told and which jobs follow. Pure builders (no
 * reads, no writes): the lifecycle, escalation and job services decide with them, and
 * TicketBase.apply (ticket-context.ts) writes what they return.
 */

export const AUTO_CLOSE_JOB = 'tickets.autoclose';
export const autoCloseJobKey = (ticketId: number) => `ticket:autoclose:${ticketId}`;

/** What one command does to one ticket; `apply` writes it with the timeline, the clocks and the audit entry. */
export interface Change {
  set?: Updateable<TicketsTable>;
  entries: NewEntry[];
  /** The change may move an SLA clock (state, priority, response, arrival): recompute them. */
  sla?: boolean;
  audit: { action: string; before?: unknown; after?: unknown };
  /** More writes in the transaction once the timeline entries exist (jobs, file rows). */
  after?: (trx: Tx, eventIds: number[]) => Promise<void>;
  notices?: Array<Omit<TicketNotice, 'ticket' | 'actorId'>>;
}

/** The lifecycle's answer, as the API reports it: a wrong state is a 409 naming state and action, a missing reason a 400. */
export function lifecycle(state: TicketState, action: TicketAction, ctx: Parameters<typeof transition>[2]): TicketState {
  try {
    return transition(state, action, ctx);
  } catch (err) {
    if (!(err instanceof LifecycleError)) throw err;
    if (err.code === 'ticket.reason.required') throw AppError.field('reason', err.code);
    throw new AppError(409, err.code === 'ticket.reopen.windowPassed' ? 'reopen_window_passed' : 'invalid_transition', err.code, err.params);
  }
}

/** Every lifecycle action but assign: the new state, the instants it sets, the timeline entry, the auto-close job. */
export function transitionChange(
  tickets: Config['tickets'],
  actor: Actor,
  t: repo.TicketRow,
  action: Exclude<TicketAction, 'assign'>,
  body: Pick<ActionBody, 'reason' | 'resolution'>,
  now: number,
  opts: { calendar?: CompiledCalendar; via?: 'confirm' | 'reject' | 'auto'; decline?: { teamId: number | null; recipients: number[] }; link?: EmailLink; noObjection?: { mailSentAt: number | null; workdays: number } } = {},
): Change {
  const from = t.state as TicketState;
  const to = lifecycle(from, action, { now, closedAt: t.closed_at, reopenWindowMs: tickets.reopenDays * DAY_MS, reason: body.reason });
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
      const runAt = calendar.addWorkingDays(now, tickets.autoCloseWorkdays);
      after = (trx) => enqueueJob(trx, { kind: AUTO_CLOSE_JOB, key: autoCloseJobKey(t.id), payload: { ticketId: t.id, resolvedAt: now }, runAt }, now);
      if (t.created_by !== null) notices.push({ type: 'ticket.resolved', recipients: [Number(t.created_by)], titleKey: 'tickets.notify.resolved', params: { title: t.title } });
      break;
    }
    case 'close':
      // How the customer consented (REQ #36): his confirmation, no objection in time, or the provider's reason (the contact is told).
      if (opts.via === 'confirm') data.consent = 'confirmed';
      else if (opts.via === 'auto') {
        data.consent = 'no_objection';
        data.noObjection = { mailSentAt: iso(opts.noObjection?.mailSentAt ?? null), workdays: opts.noObjection?.workdays ?? tickets.autoCloseWorkdays };
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
export function assignChange(
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

/**
 * The fault diagnosed (REQ T6: "10分钟内准确诊断并告知用户故障原因"): a public `diagnosed` entry
 * with the result and whether it was found remotely; the state stays. The first diagnosis meets
 * the diagnosis clock and starts the clocks counted "after diagnosis" (确诊后, REQ #46, #49).
 */
export function diagnoseChange(t: repo.TicketRow, body: ActionBody, now: number): Change {
  const state = lifecycle(t.state as TicketState, 'diagnose', { now });
  const result = body.result?.trim();
  if (!result) throw AppError.field('result', 'required');
  const remote = body.remote ?? false;
  return { set: { state }, entries: [{ type: 'diagnosed', visibility: 'public', data: { result, remote } }], sla: true, audit: { action: 'diagnose', before: { state }, after: { result, remote } } };
}
