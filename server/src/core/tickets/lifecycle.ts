import { CoreError } from '../problem.js';

/**
 * The ticket lifecycle (REQ §2.1, §2.2, #35, #36) as a state machine. Pure: the tickets service
 * asks `transition()` whether an action is allowed and what follows, and records the result.
 *
 *   new → assigned → accepted → in_progress ⇄ waiting_customer | waiting_vendor
 *                                    ↓
 *                                 resolved → closed        (customer confirms, or no objection)
 *                                    ↑  ↓ reopen (from resolved; from closed within the window)
 *   assigned, accepted, in_progress → assigned: decline ("cannot attend", with a reason)
 *   any open state → the same state: diagnose (the cause found, with the result)
 *   any open state → cancelled (with a reason)
 */
export const TICKET_STATES = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor', 'resolved', 'closed', 'cancelled'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export const TICKET_ACTIONS = ['assign', 'accept', 'decline', 'diagnose', 'start', 'wait_customer', 'wait_vendor', 'resume', 'resolve', 'close', 'reopen', 'cancel'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

export const OPEN_STATES: readonly TicketState[] = ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'];
export const WAITING_STATES: readonly TicketState[] = ['waiting_customer', 'waiting_vendor'];

const WORKING: TicketState[] = ['accepted', 'in_progress'];

/** From which states each action is allowed, and the state it leads to. */
const RULES: Record<TicketAction, { from: readonly TicketState[]; to: TicketState | ((from: TicketState) => TicketState) }> = {
  // (Re-)dispatch keeps an accepted ticket's progress out of it: a new assignee must accept again.
  assign: { from: ['new', 'assigned', 'accepted', 'in_progress', 'waiting_customer', 'waiting_vendor'], to: 'assigned' },
  accept: { from: ['assigned'], to: 'accepted' },
  // "Cannot attend" (不能到场): the assignee hands the ticket back to his team's queue before the work is done.
  decline: { from: ['assigned', 'accepted', 'in_progress'], to: 'assigned' },
  // The fault diagnosed (remotely or on site, REQ T6): recorded, the state stays; starts the clocks counted "after diagnosis".
  diagnose: { from: OPEN_STATES, to: (from) => from },
  start: { from: ['accepted'], to: 'in_progress' },
  wait_customer: { from: [...WORKING, 'waiting_vendor'], to: 'waiting_customer' },
  wait_vendor: { from: [...WORKING, 'waiting_customer'], to: 'waiting_vendor' },
  resume: { from: WAITING_STATES, to: 'in_progress' },
  resolve: { from: [...WORKING, ...WAITING_STATES], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'in_progress' },
  cancel: { from: OPEN_STATES, to: 'cancelled' },
};

export interface TransitionContext {
  now: number;
  /** When the ticket was closed (for reopening a closed ticket). */
  closedAt?: number | null;
  /** How long after closure a ticket may still be reopened (ms); 0 = never. */
  reopenWindowMs?: number;
  /** Cancel, decline and reopen need a reason. */
  reason?: string | null;
}

export type LifecycleCode = 'ticket.transition.invalid' | 'ticket.reopen.windowPassed' | 'ticket.reason.required';

export class LifecycleError extends CoreError {
  declare readonly code: LifecycleCode;
}

/** The actions allowed in a state (for the buttons a page shows). */
export function allowedActions(state: TicketState, ctx: Pick<TransitionContext, 'now' | 'closedAt' | 'reopenWindowMs'> = { now: Date.now() }): TicketAction[] {
  return TICKET_ACTIONS.filter((a) => {
    if (!RULES[a].from.includes(state)) return false;
    if (a === 'reopen' && state === 'closed') return reopenable(ctx);
    return true;
  });
}

function reopenable(ctx: Pick<TransitionContext, 'now' | 'closedAt' | 'reopenWindowMs'>): boolean {
  const window = ctx.reopenWindowMs ?? 0;
  return window > 0 && ctx.closedAt != null && ctx.now - ctx.closedAt <= window;
}

/** The state an action leads to, or a LifecycleError naming the state and the action. */
export function transition(state: TicketState, action: TicketAction, ctx: TransitionContext): TicketState {
  const rule = RULES[action];
  if (!rule || !rule.from.includes(state)) throw new LifecycleError('ticket.transition.invalid', { state, action });
  if (action === 'reopen' && state === 'closed' && !reopenable(ctx)) throw new LifecycleError('ticket.reopen.windowPassed', { state, action });
  if ((action === 'cancel' || action === 'reopen' || action === 'decline') && !ctx.reason?.trim()) throw new LifecycleError('ticket.reason.required', { action });
  return typeof rule.to === 'function' ? rule.to(state) : rule.to;
}

export function isOpen(state: TicketState): boolean {
  return OPEN_STATES.includes(state);
}
