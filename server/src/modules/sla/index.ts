import type { ModuleRegistrar } from '../index.js';
import { calendarRoutes } from './calendars.routes.js';
import { noticeRoutes } from './notice.routes.js';
import { CalendarService } from './calendars.service.js';
import { policyRoutes } from './policies.routes.js';
import { SlaPolicyService } from './policies.service.js';
import { OrganisationService } from '../organisation/service.js';
import './messages.js';

/** Service level management: business calendars, priority matrices and SLA policies. */
export const slaModule: ModuleRegistrar = (app, ctx) => {
  const calendars = new CalendarService(ctx.database.db);
  calendarRoutes(app, ctx, calendars);
  noticeRoutes(app, calendars);
  policyRoutes(app, ctx, new SlaPolicyService(ctx.database.db, calendars, new OrganisationService(ctx.database.db)));
};
