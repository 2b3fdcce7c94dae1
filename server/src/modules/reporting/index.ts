import type { ModuleRegistrar } from '../index.js';
import './messages.js';
import { registerMetrics } from './metrics.routes.js';
import { registerEvidence } from './evidence/register.js';
import { registerReports } from './reports.routes.js';

/**
 * Service reports and KPIs (issue #11, docs/KPIS.md): the KPI definitions computed from the
 * records of the other modules (metrics.*), the daily pre-aggregation they read (rollup.*),
 * and — added by their own files — the report generator, its renderers and the evidence pack.
 * Each part registers here with one line.
 */
export const reportingModule: ModuleRegistrar = (app, ctx) => {
  registerMetrics(app, ctx);
  registerEvidence(app, ctx);
  registerReports(app, ctx);
};
