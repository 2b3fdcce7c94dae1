import type { ModuleRegistrar } from '../index.js';
import { AuthService } from '../../platform/auth/service.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { TicketService } from '../tickets/service.js';
import { MailInListener } from './listener.js';
import './messages.js';
import { mailInRoutes } from './routes.js';
import { MailInService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Inbound email: the service, and the SMTP listener when MAIL_IN_SMTP_PORT is set (`yunwei serve` starts it). */
    mailIn: { service: MailInService; listener: MailInListener | null };
  }
}

/**
 * Inbound email (docs/MAIL-IN.md): service mailboxes per customer, the SMTP listener and the
 * raw-message API, both handing messages to one MailInService that opens tickets or adds
 * replies through the tickets module.
 */
export const mailinModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const organisation = new OrganisationService(db);
  const tickets = new TicketService(db, ctx.config, organisation, new CalendarService(db), new AuthService(db, ctx.config));
  const service = new MailInService(db, ctx.config, organisation, tickets);
  mailInRoutes(app, service, ctx.config.mailIn.maxBytes);
  const { smtpPort, smtpHost, smtpAllow, maxBytes } = ctx.config.mailIn;
  const listener = smtpPort === null ? null : new MailInListener(service, { host: smtpHost, port: smtpPort, maxBytes, allow: smtpAllow, log: app.log });
  app.decorate('mailIn', { service, listener });
  if (listener) app.addHook('onClose', () => listener.stop());
};
