import type { ModuleRegistrar } from '../index.js';
import { CiService } from './cis.service.js';
import { ImpactService } from './impact.service.js';
import { CiImportService } from './import.js';
import { CiLinkService } from './links.service.js';
import './messages.js';
import { RelationService } from './relations.service.js';
import { cmdbRoutes } from './routes.js';
import './search.js';
import { CiTypeService } from './types.service.js';

/** The CMDB (docs/CMDB.md): CI types, CIs, relationships, impact analysis, tickets' CIs, import and export. */
export const cmdbModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const cis = new CiService(db);
  cmdbRoutes(app, {
    types: new CiTypeService(db),
    cis,
    relations: new RelationService(db, cis),
    impact: new ImpactService(db, cis),
    links: new CiLinkService(db, cis),
    imports: new CiImportService(db, cis),
  }, ctx);
};
