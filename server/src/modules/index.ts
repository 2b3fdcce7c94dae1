import type { ModuleContext, ZApp } from '../platform/http/context.js';
import { accountsModule } from './accounts/index.js';
import { notificationsModule } from './notifications/index.js';
import { organisationModule } from './organisation/index.js';
import { slaModule } from './sla/index.js';
import { ticketsModule } from './tickets/index.js';
import { fieldserviceModule } from './fieldservice/index.js';
import { alertsModule } from './alerts/index.js';
import { mailinModule } from './mailin/index.js';
import { knowledgeModule } from './knowledge/index.js';
import { cmdbModule } from './cmdb/index.js';
import { seedBuiltinTypes } from './cmdb/types.service.js';
import { repairsModule } from './repairs/index.js';
import { searchModule } from './search/index.js';
import { reportingModule } from './reporting/index.js';
import { partsModule } from './parts/index.js';
import { assetsModule } from './assets/index.js';
import { CalendarService } from './sla/calendars.service.js';
import type { Db } from '../db/index.js';

/** Every domain module registers its routes here, in one obvious place. */
export type ModuleRegistrar = (app: ZApp, ctx: ModuleContext) => void | Promise<void>;

export const MODULES: ModuleRegistrar[] = [accountsModule, organisationModule, slaModule, notificationsModule, ticketsModule, fieldserviceModule, alertsModule, mailinModule, reportingModule, searchModule, knowledgeModule, cmdbModule, partsModule, repairsModule, assetsModule];

/** Rows every installation needs (built-in calendars …), added after each migrate. */
export async function seedModules(db: Db): Promise<void> {
  await new CalendarService(db).seedBuiltins();
  await seedBuiltinTypes(db);
}
