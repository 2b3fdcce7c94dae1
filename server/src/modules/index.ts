import type { ModuleContext, ZApp } from '../platform/http/context.js';
import { accountsModule } from './accounts/index.js';
import { organisationModule } from './organisation/index.js';

/** Every domain module registers its routes here, in one obvious place. */
export type ModuleRegistrar = (app: ZApp, ctx: ModuleContext) => void | Promise<void>;

export const MODULES: ModuleRegistrar[] = [accountsModule, organisationModule];
