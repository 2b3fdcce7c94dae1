import type { ModuleRegistrar } from '../index.js';
import { findCjkFont } from '../../platform/pdf/fonts.js';
import './messages.js';
import { partsRoutes } from './routes.js';
import { PartsService, STANDIN_JOB } from './service.js';

/** Spare parts and consumables (备品备件, docs/PARTS.md). */
export const partsModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const parts = new PartsService(db, { font: findCjkFont(ctx.config.pdf), config: ctx.config });
  partsRoutes(app, parts);
  ctx.scheduler.register<{ itemId: number }>(STANDIN_JOB, async (job) => {
    await parts.runStandinReminder(job.payload.itemId);
  });
};
