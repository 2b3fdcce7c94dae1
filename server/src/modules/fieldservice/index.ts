import type { ModuleRegistrar } from '../index.js';
import { AuthService } from '../../platform/auth/service.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { TicketService } from '../tickets/service.js';
import { findCjkFont } from '../../platform/pdf/fonts.js';
import './messages.js';
import { repairReportRoutes } from './routes.js';
import { RepairReportService } from './service.js';
import { PartsService } from '../parts/service.js';

/** Field service: the repair service reports (维修服务报告) customers sign. */
export const fieldserviceModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const organisation = new OrganisationService(db);
  const tickets = new TicketService(db, ctx.config, organisation, new CalendarService(db), new AuthService(db, ctx.config));
  // Found once at startup: a PDF_FONT that does not work stops the server here, not in a customer's PDF.
  const font = findCjkFont(ctx.config.pdf);
  app.log.info({ font }, 'repair report PDFs use this CJK font');
  // A new draft lists the parts requisitioned for the ticket (less those returned unused).
  const parts = new PartsService(db);
  const partsOf = async (ticketId: number) => (await parts.ticketParts(ticketId)).map(({ name, model, quantity, serial }) => ({ name, model, quantity, serial }));
  repairReportRoutes(app, new RepairReportService(db, ctx.config, tickets, organisation, font, partsOf));
};
