import type { ModuleRegistrar } from '../index.js';
import { AuthService } from '../../platform/auth/service.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { TicketService } from '../tickets/service.js';
import { alertRoutes } from './routes.js';
import { AlertService } from './service.js';

/**
 * Monitoring alert intake: alert sources per customer (Prometheus Alertmanager, Zabbix, generic
 * JSON) post to `/api/v1/alerts/{sourceId}` with their token, and their alerts open, note and
 * (optionally) resolve incidents through the tickets module (docs/ALERTS.md).
 */
export const alertsModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const organisation = new OrganisationService(db);
  const tickets = new TicketService(db, ctx.config, organisation, new CalendarService(db), new AuthService(db, ctx.config));
  alertRoutes(app, new AlertService(db, tickets, organisation));
};
