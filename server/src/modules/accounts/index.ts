import type { ModuleRegistrar } from '../index.js';
import { accountsRoutes } from './routes.js';
import { AccountsService } from './service.js';

/** Users, roles and permissions administration; the audit log search. */
export const accountsModule: ModuleRegistrar = (app, ctx) => {
  accountsRoutes(app, new AccountsService(ctx.database.db, ctx.config));
};
