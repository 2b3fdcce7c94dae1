import type { ModuleRegistrar } from '../index.js';

/** Provider teams, customers, sites, contacts and contracts. */
export const organisationModule: ModuleRegistrar = () => {};
