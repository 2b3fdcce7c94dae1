import type { ModuleRegistrar } from '../index.js';
import './messages.js';
import { organisationRoutes } from './routes.js';
import { OrganisationService } from './service.js';

/** Provider teams, customers, sites, contacts and contracts. */
export const organisationModule: ModuleRegistrar = (app, ctx) => {
  organisationRoutes(app, ctx, new OrganisationService(ctx.database.db));
};
