import type { ModuleRegistrar } from '../index.js';
import { AuthService } from '../../platform/auth/service.js';
import { findCjkFont } from '../../platform/pdf/fonts.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { TicketService } from '../tickets/service.js';
import './messages.js';
import { repairRoutes } from './routes.js';
import { REPORT_JOB, RepairOrderService, type ReportJobPayload } from './service.js';
import { VendorService } from './vendors.js';

/** Vendor repairs (送修 / 第三方维修, docs/REPAIRS.md): vendors, send-for-repair orders and their progress clock. */
export const repairsModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const organisation = new OrganisationService(db);
  const calendars = new CalendarService(db);
  const tickets = new TicketService(db, ctx.config, organisation, calendars, new AuthService(db, ctx.config));
  const orders = new RepairOrderService(db, ctx.config, tickets, organisation, calendars);
  repairRoutes(app, { orders, vendors: new VendorService(db, calendars), db, config: ctx.config, font: findCjkFont(ctx.config.pdf) });
  ctx.scheduler.register<ReportJobPayload>(REPORT_JOB, (job) => orders.runReportJob(job.payload));
};
