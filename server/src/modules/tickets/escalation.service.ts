import { isOpen, type TicketState } from '../../core/tickets/lifecycle.js';
import { can, inScope, type Actor } from '../../platform/auth/actor.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import type { EscalatedData, NewEntry } from './events.js';
import type { EscalateBody, TicketOut } from './schema.js';
import { requireProvider, TicketBase, type AutoAssign } from './ticket-context.js';
import { assignChange, transitionChange, type Change } from './transitions.js';

/**
 * Escalation by hand (REQ §2.2): functional (to another team or person, or to a vendor) and
 * hierarchical (the project manager, a named manager). The SLA chain's automatic escalations
 * are the SLA job's (ticket-jobs.service.ts); both write the same `escalated` entry.
 */
export class TicketEscalationService extends TicketBase {
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
          const change = assignChange(t, { teamId: prepared.teamId, assigneeId: picked ?? undefined }, prepared.teamMembers, now, { auto: picked !== null && body.toUserId == null ? prepared.auto!.mode : undefined });
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
          const wait = transitionChange(this.config.tickets, actor, t, 'wait_vendor', { reason: body.reason }, now);
          return { ...wait, entries: [...entries, ...wait.entries], notices: [notice(prepared.recipients)], audit: { action: 'escalate', before: wait.audit.before, after: { ...audit.after, ...(wait.audit.after as object) } } };
        }
        const data: EscalatedData = { kind: 'hierarchical', trigger: 'manual', reason: body.reason, recipients: prepared.recipients, toUserId: body.toUserId ?? null, toProjectManager: prepared.pm !== null && prepared.recipients.includes(prepared.pm), ...byAssignee };
        audit.after.recipients = prepared.recipients;
        return { entries: [{ type: 'escalated', visibility: 'internal', data }], notices: [notice(prepared.recipients)], audit };
      },
    );
    return this.get(actor, id);
  }
}
