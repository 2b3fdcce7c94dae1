import type { ModuleRegistrar } from '../index.js';
import { AuthService } from '../../platform/auth/service.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { ContactConfirmService } from './contact-confirm.js';
import { contactConfirmRoutes } from './contact-confirm.routes.js';
import { ContactMailSender, registerContactMailJob } from './contact-mail.js';
import { dispatchRoutes } from './dispatch.routes.js';
import { recomputeRoutes, registerRecomputeJob, SlaRecomputeService } from './recompute.js';
import './messages.js';
import { OLA_JOB } from './ola.js';
import { PortalInfoService, portalInfoRoutes } from './portal.js';
import { ticketRoutes } from './routes.js';
import { AUTO_CLOSE_JOB, TicketService } from './service.js';
import { SLA_JOB } from './sla.js';
import { SlaJobRunner } from './sla-job.js';

/**
 * The service desk: tickets, their timeline, dispatch rules and automatic assignment, live SLA
 * and the desk's OLA, and the jobs that fire SLA and OLA events and close resolved tickets.
 */
export const ticketsModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const auth = new AuthService(db, ctx.config);
  const service = new TicketService(db, ctx.config, new OrganisationService(db), new CalendarService(db), auth);
  ticketRoutes(app, service);
  dispatchRoutes(app, service.dispatch);
  // The portal's "your service" panel: the desk's hotline and hours, mailboxes, the contract's commitments.
  portalInfoRoutes(app, new PortalInfoService(db, ctx.config, new OrganisationService(db), new CalendarService(db)));
  // Mail to the ticket's contact and the confirmation links in it (docs/TICKETS.md).
  contactConfirmRoutes(app, new ContactConfirmService(db, ctx.config, service, auth));
  registerContactMailJob(ctx.scheduler, new ContactMailSender(db, ctx.config));
  // SLA jobs run in batches (sla-job.ts), before other jobs when they fall behind (the warnings
  // first, their notifications after); a ticket with an escalation step due goes through runSlaJob.
  const slaJobs = new SlaJobRunner(db, new OrganisationService(db), new CalendarService(db), (id) => service.runSlaJob(id), { ticketsPerTransaction: ctx.config.jobs.ticketsPerTransaction ?? (ctx.database.dialect === 'sqlite' ? 50 : ctx.config.jobs.batchSize) });
  ctx.scheduler.registerBatch<{ ticketId: number }>(SLA_JOB, (jobs) => slaJobs.run(jobs), { priority: 1 });
  // Open tickets' clocks after a calendar or a contract's SLA changed: preview, apply (recompute.ts).
  const recompute = new SlaRecomputeService(db, new OrganisationService(db), new CalendarService(db));
  recomputeRoutes(app, recompute, new OrganisationService(db), new CalendarService(db));
  registerRecomputeJob(ctx.scheduler, recompute);
  ctx.scheduler.register<{ ticketId: number }>(OLA_JOB, (job) => service.runOlaJob(job.payload.ticketId));
  ctx.scheduler.register<{ ticketId: number; resolvedAt: number }>(AUTO_CLOSE_JOB, (job) => service.runAutoClose(job.payload.ticketId, job.payload.resolvedAt));
};
