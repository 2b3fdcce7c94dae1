import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedActions, LifecycleError, TICKET_ACTIONS, TICKET_STATES, transition, type TicketState } from './lifecycle.js';

const now = Date.UTC(2026, 2, 5, 6, 0);
const ctx = { now, reason: '客户要求' };

describe('ticket lifecycle', () => {
  it('walks the happy path from new to closed', () => {
    let s: TicketState = 'new';
    for (const a of ['assign', 'accept', 'start', 'wait_customer', 'resume', 'resolve', 'close'] as const) s = transition(s, a, ctx);
    expect(s).toBe('closed');
  });

  it('rejects a wrong transition with the state and action named', () => {
    try {
      transition('new', 'resolve', ctx);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LifecycleError);
      expect((e as LifecycleError).code).toBe('ticket.transition.invalid');
      expect((e as LifecycleError).params).toEqual({ state: 'new', action: 'resolve' });
    }
  });

  it('reopens a resolved ticket, and a closed one only within the window', () => {
    expect(transition('resolved', 'reopen', ctx)).toBe('in_progress');
    const window = 7 * 86_400_000;
    expect(transition('closed', 'reopen', { ...ctx, closedAt: now - 86_400_000, reopenWindowMs: window })).toBe('in_progress');
    expect(() => transition('closed', 'reopen', { ...ctx, closedAt: now - 8 * 86_400_000, reopenWindowMs: window })).toThrow(/windowPassed/);
    expect(() => transition('closed', 'reopen', { ...ctx, closedAt: now - 1000, reopenWindowMs: 0 })).toThrow(/windowPassed/);
  });

  it('lets the assignee decline ("cannot attend") with a reason until the work is under way', () => {
    for (const from of ['assigned', 'accepted', 'in_progress'] as const) expect(transition(from, 'decline', ctx)).toBe('assigned');
    expect(() => transition('accepted', 'decline', { now, reason: '' })).toThrow(/reason.required/);
    expect(() => transition('waiting_vendor', 'decline', ctx)).toThrow(/transition.invalid/);
    expect(allowedActions('new')).not.toContain('decline');
  });

  it('needs a reason to cancel or reopen', () => {
    expect(() => transition('in_progress', 'cancel', { now, reason: '  ' })).toThrow(/reason.required/);
    expect(transition('in_progress', 'cancel', ctx)).toBe('cancelled');
  });

  it('never leaves a terminal state except by reopening, and allowedActions agrees with transition', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TICKET_STATES), fc.constantFrom(...TICKET_ACTIONS), (state, action) => {
        const allowed = allowedActions(state, { now, closedAt: now - 1000, reopenWindowMs: 86_400_000 }).includes(action);
        let ok = true;
        try {
          transition(state, action, { ...ctx, closedAt: now - 1000, reopenWindowMs: 86_400_000 });
        } catch {
          ok = false;
        }
        expect(ok).toBe(allowed);
        if (state === 'cancelled') expect(allowed).toBe(false);
        if (state === 'closed') expect(allowed).toBe(action === 'reopen');
      }),
    );
  });
});
