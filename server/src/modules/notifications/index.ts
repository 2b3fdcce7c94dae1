import type { ModuleRegistrar } from '../index.js';
import { Deliverer, registerNotifyJobs } from '../../platform/notify/deliver.js';
import { notificationRoutes, webhookRoutes } from '../../platform/notify/routes.js';
import { NotificationService, registerFanOut, WebhookService } from '../../platform/notify/service.js';
import { OrganisationService } from '../organisation/service.js';

/**
 * Notifications: the users' inbox and channel preferences, outbound webhooks and the delivery
 * log; the mail and webhook jobs. Domain services emit events with `emit` (platform/notify).
 */
export const notificationsModule: ModuleRegistrar = (app, ctx) => {
  const { db } = ctx.database;
  const deliverer = new Deliverer(db, ctx.config);
  registerNotifyJobs(ctx.scheduler, deliverer);
  // Without a mail server nothing is mailed: no delivery per recipient to record as skipped.
  registerFanOut(ctx.scheduler, db, { mail: ctx.config.smtp.url !== null });
  const organisation = new OrganisationService(db);
  notificationRoutes(app, new NotificationService(db));
  webhookRoutes(app, new WebhookService(db, deliverer, (actor, customerId) => organisation.getCustomer(actor, customerId)));
};
