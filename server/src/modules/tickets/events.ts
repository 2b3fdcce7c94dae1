import type { OlaTarget, SlaMetric } from '../../core/sla/index.js';
import type { TicketAction, TicketState } from '../../core/tickets/lifecycle.js';
import type { Visibility } from './schema.js';

/** The timeline entries the desk's OLA clocks read (ola.ts), and the breach markers. */
export const OLA_ENTRY_TYPES = new Set(['created', 'assigned', 'state_changed', 'escalated', 'ola.breached']);

/**
 * The timeline: every entry of `ticket_events`, its type and the JSON `data` it carries.
 * Instants inside `data` are ISO-8601 strings, as everywhere in the API. The SLA clocks are
 * recomputed from these entries (sla.ts: slaEventsOf), so their shapes are a contract:
 * change them only with a migration of the stored rows.
 */
export type TimelineEntry =
  /** `teamId`: the service desk queue the ticket waits in when no dispatch rule took it. */
  | { type: 'created'; data: { state: TicketState; priority: string; impact: string; urgency: string; channel: string; teamId?: number } }
  /** `previousAssigneeId`: who declined ("cannot attend"). */
  | {
      type: 'state_changed';
      data: {
        from: TicketState;
        to: TicketState;
        action: TicketAction;
        reason?: string;
        resolution?: string;
        via?: 'confirm' | 'reject' | 'auto';
        previousAssigneeId?: number;
        emailLink?: EmailLink;
        /** Closing (REQ #36: support ends with the customer's consent): how the customer consented. */
        consent?: ClosureConsent;
        /** consent `no_objection`: the resolution mail's sending (null: none went out) and the working days waited. */
        noObjection?: { mailSentAt: string | null; workdays: number };
      };
    }
  /** `rule`: the dispatch rule that chose the team; `auto`: how the team picked the assignee. */
  | {
      type: 'assigned';
      data: {
        from: TicketState;
        to: TicketState;
        teamId: number | null;
        assigneeId: number | null;
        previousTeamId: number | null;
        previousAssigneeId: number | null;
        escalation?: { metric: SlaMetric; step: number };
        rule?: { id: number; name: string };
        auto?: 'round_robin' | 'least_loaded';
      };
    }
  | { type: 'priority_changed'; data: { from: string; to: string; impact: string; urgency: string; previousImpact: string; previousUrgency: string; escalation?: { metric: SlaMetric; step: number } } }
  | { type: 'updated'; data: { changes: Record<string, { from: unknown; to: unknown }> } }
  /** A reply (public) or an internal note; `provider`: written by the provider's staff (a public one is a response). */
  | { type: 'reply' | 'note'; data: { body: string; mentions: number[]; provider: boolean; email?: { contactId: number; name: string } } }
  | { type: 'worklog'; data: { minutes: number; mode: string; note: string | null; at: string } }
  | { type: 'visit'; data: { event: 'departed' | 'arrived' | 'left'; at: string; result: string | null } }
  | { type: 'link_added' | 'link_removed'; data: { otherId: number; number: string; kind: string } }
  | { type: 'attachment'; data: { fileId: number; name: string; mime: string; size: number } }
  /** `goalMissed`: a two-stage metric's usual target was missed (目标未达成; `percent` 100, `dueAt` that target). */
  | { type: 'sla.warning'; data: { metric: SlaMetric; percent: number; dueAt: string | null; goalMissed?: boolean } }
  /** The fault diagnosed (REQ T6: "10分钟内准确诊断并告知用户故障原因"): the cause found, remotely or not; starts the clocks counted "after diagnosis". */
  | { type: 'diagnosed'; data: { result: string; remote: boolean } }
  | { type: 'sla.breached'; data: { metric: SlaMetric; breachedAt: string } }
  /**
   * An escalation, by hand (`trigger: manual`, with the reason) or by a step of the SLA chain
   * (`trigger: sla`, with the metric, step, action and result): functional (to another team or
   * person, or to a vendor) or hierarchical (to management). `toProjectManager`: the contract's
   * project manager was told (meets the desk's "report to the PM" OLA).
   */
  | { type: 'escalated'; data: EscalatedData }
  | { type: 'ola.breached'; data: { target: OlaTarget; startedAt: string; dueAt: string } }
  | { type: 'rated'; data: { score: number; comment: string | null; emailLink?: EmailLink } }
  /** The repair service report (modules/fieldservice): drafted, signed on screen or on paper. */
  | { type: 'repair_report'; data: { reportId: number; number: string; action: 'drafted' | 'signed' | 'signed_on_paper'; signerName?: string } }
  /**
   * A knowledge article used on the ticket (modules/knowledge): `sent` to the caller as a reply,
   * `solved` when the caller confirmed it solved the problem. `firstLine`: resolved on the first
   * line (nobody but the solver accepted it, logged work, went on site or escalated it) — the
   * first-line KPI counts these (docs/KNOWLEDGE.md).
   */
  | { type: 'knowledge'; data: { articleId: number; number: string; title: string; action: 'sent' | 'solved'; firstLine?: boolean } };

/**
 * How a closed ticket's customer consented (REQ #35, #36): he confirmed the resolution
 * (`confirmed`, in the portal or by the mail link), raised no objection within N working days
 * (`no_objection`, the auto-close), or the provider closed it with a reason the contact is told
 * (`provider`).
 */
export type ClosureConsent = 'confirmed' | 'no_objection' | 'provider';

/** The contact who confirmed, rejected or rated through the link in a resolution mail (contact-confirm.ts). */
export interface EmailLink {
  contactId: number;
  name: string;
}

export interface EscalatedData {
  kind: 'functional' | 'hierarchical';
  trigger: 'manual' | 'sla';
  reason: string | null;
  recipients: number[];
  toTeamId?: number | null;
  toUserId?: number | null;
  vendor?: string;
  toProjectManager?: boolean;
  /** A manual escalation by the ticket's assignee: a field engineer's abnormal event (starts the desk's report-to-PM OLA, REQ T11). */
  byAssignee?: boolean;
  metric?: SlaMetric;
  step?: number;
  action?: string;
  result?: 'notified' | 'reassigned' | 'priority_raised' | 'no_target' | 'top_priority' | 'not_open';
}

/** A new entry as a command produces it (the service adds the ticket, the actor and the instant). */
export type NewEntry = TimelineEntry & { visibility: Visibility };

/** Timeline data a customer's staff may not see inside public entries (teams are provider-internal). */
export const CUSTOMER_HIDDEN_KEYS = new Set(['teamId', 'previousTeamId', 'escalation', 'rule', 'auto']);
