import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { AuthService } from '../../platform/auth/service.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import { TicketAttachmentService } from './attachments.service.js';
import { TicketConversationService } from './conversation.service.js';
import { DispatchRuleService } from './dispatch.service.js';
import { TicketEscalationService } from './escalation.service.js';
import { TicketIntakeService } from './intake.service.js';
import { TicketLifecycleService } from './lifecycle.service.js';
import type { TicketDeps } from './ticket-context.js';
import { TicketJobService } from './ticket-jobs.service.js';
import { TicketQueryService } from './ticket-view.js';

export { AUTO_CLOSE_JOB, autoCloseJobKey } from './transitions.js';

/**
 * The service desk's tickets: creation with numbering, priority and dispatch (rules, automatic
 * assignment inside a team), the lifecycle, escalation, replies, notes, worklogs, visits, links
 * and attachments, satisfaction ratings and complaints, the queues, the live SLA and the desk's
 * OLA (with the scheduler jobs that fire warnings, breaches and escalations, and close resolved
 * tickets nobody objected to). With DispatchRuleService, the only writer of the tickets
 * tables (rotation and ratings included). Every command is one
 * transaction with its timeline entry, its audit entry and the ticket's new version; reads of
 * other modules go through their services, before the transaction opens.
 *
 * This class is the module's one entry point for its routes and for the modules that work on
 * tickets (mail in, alerts, field service, the demo): it only hands each call to the service of
 * its concern, one file each (intake, lifecycle, escalation, conversation, attachments, the
 * jobs, the reads; ticket-context.ts holds what they share), so its API stays as it was.
 */
export class TicketService {
  readonly dispatch: DispatchRuleService;
  readonly query: TicketQueryService;
  readonly intake: TicketIntakeService;
  readonly lifecycle: TicketLifecycleService;
  readonly escalation: TicketEscalationService;
  readonly conversation: TicketConversationService;
  readonly attachments: TicketAttachmentService;
  readonly jobs: TicketJobService;

  constructor(db: Db, config: Config, organisation: OrganisationService, calendars: CalendarService, auth: AuthService) {
    this.dispatch = new DispatchRuleService(db, organisation);
    this.query = new TicketQueryService(db, config, organisation, calendars);
    const deps: TicketDeps = { db, config, organisation, calendars, auth, dispatch: this.dispatch, query: this.query };
    this.intake = new TicketIntakeService(deps);
    this.lifecycle = new TicketLifecycleService(deps);
    this.escalation = new TicketEscalationService(deps);
    this.conversation = new TicketConversationService(deps);
    this.attachments = new TicketAttachmentService(deps);
    this.jobs = new TicketJobService(deps);
  }

  // reads
  get(...a: Parameters<TicketQueryService['get']>) { return this.query.get(...a); }
  list(...a: Parameters<TicketQueryService['list']>) { return this.query.list(...a); }

  // new tickets and complaints
  create(...a: Parameters<TicketIntakeService['create']>) { return this.intake.create(...a); }
  complain(...a: Parameters<TicketIntakeService['complain']>) { return this.intake.complain(...a); }

  // the lifecycle
  patch(...a: Parameters<TicketLifecycleService['patch']>) { return this.lifecycle.patch(...a); }
  action(...a: Parameters<TicketLifecycleService['action']>) { return this.lifecycle.action(...a); }
  confirm(...a: Parameters<TicketLifecycleService['confirm']>) { return this.lifecycle.confirm(...a); }
  reject(...a: Parameters<TicketLifecycleService['reject']>) { return this.lifecycle.reject(...a); }
  rate(...a: Parameters<TicketLifecycleService['rate']>) { return this.lifecycle.rate(...a); }
  bulkAssign(...a: Parameters<TicketLifecycleService['bulkAssign']>) { return this.lifecycle.bulkAssign(...a); }
  escalate(...a: Parameters<TicketEscalationService['escalate']>) { return this.escalation.escalate(...a); }

  // the conversation and the files
  reply(...a: Parameters<TicketConversationService['reply']>) { return this.conversation.reply(...a); }
  worklog(...a: Parameters<TicketConversationService['worklog']>) { return this.conversation.worklog(...a); }
  visit(...a: Parameters<TicketConversationService['visit']>) { return this.conversation.visit(...a); }
  addLink(...a: Parameters<TicketConversationService['addLink']>) { return this.conversation.addLink(...a); }
  removeLink(...a: Parameters<TicketConversationService['removeLink']>) { return this.conversation.removeLink(...a); }
  recordEntry(...a: Parameters<TicketConversationService['recordEntry']>) { return this.conversation.recordEntry(...a); }
  addAttachment(...a: Parameters<TicketAttachmentService['addAttachment']>) { return this.attachments.addAttachment(...a); }
  attachment(...a: Parameters<TicketAttachmentService['attachment']>) { return this.attachments.attachment(...a); }

  // the scheduler's jobs
  runSlaJob(...a: Parameters<TicketJobService['runSlaJob']>) { return this.jobs.runSlaJob(...a); }
  runOlaJob(...a: Parameters<TicketJobService['runOlaJob']>) { return this.jobs.runOlaJob(...a); }
  runAutoClose(...a: Parameters<TicketJobService['runAutoClose']>) { return this.jobs.runAutoClose(...a); }
}
