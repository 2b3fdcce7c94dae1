import type { ModuleRegistrar } from '../index.js';

/** Users, roles and permissions administration; the audit log search. */
export const accountsModule: ModuleRegistrar = () => {};
