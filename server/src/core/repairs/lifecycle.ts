import { CoreError } from '../problem.js';

/**
 * The send-for-repair order (设备送修单) as a state machine (docs/REPAIRS.md):
 *
 *   draft → sent → returned → accepted        (tested and taken back: closes it)
 *                     ↓ reject
 *                  rejected → returned …     (failed the test: sent back to the vendor again)
 *   draft, sent, rejected → cancelled
 *
 * `sent` and `rejected` are "out for repair": the device is at the vendor, the progress clock
 * runs and the ticket waits on the vendor. `returned`: back, waiting for the test.
 */
export const REPAIR_STATES = ['draft', 'sent', 'returned', 'accepted', 'rejected', 'cancelled'] as const;
export type RepairState = (typeof REPAIR_STATES)[number];

export const REPAIR_ACTIONS = ['send', 'return', 'accept', 'reject', 'cancel'] as const;
export type RepairAction = (typeof REPAIR_ACTIONS)[number];

/** Out for repair: the progress clock runs. */
export const AWAY_STATES: readonly RepairState[] = ['sent', 'rejected'];
/** Not finished (shown in the open lists). */
export const OPEN_REPAIR_STATES: readonly RepairState[] = ['draft', 'sent', 'returned', 'rejected'];

const RULES: Record<RepairAction, { from: readonly RepairState[]; to: RepairState }> = {
  send: { from: ['draft'], to: 'sent' },
  return: { from: ['sent', 'rejected'], to: 'returned' },
  accept: { from: ['returned'], to: 'accepted' },
  reject: { from: ['returned'], to: 'rejected' },
  cancel: { from: ['draft', 'sent', 'rejected'], to: 'cancelled' },
};

export class RepairLifecycleError extends CoreError {}

export function allowedRepairActions(state: RepairState): RepairAction[] {
  return REPAIR_ACTIONS.filter((a) => RULES[a].from.includes(state));
}

/** The state an action leads to, or `repairs.transition` naming the state and the action. */
export function repairTransition(state: RepairState, action: RepairAction): RepairState {
  const rule = RULES[action];
  if (!rule || !rule.from.includes(state)) throw new RepairLifecycleError('repairs.transition', { state, action });
  return rule.to;
}

export function isAway(state: string): boolean {
  return (AWAY_STATES as readonly string[]).includes(state);
}
