import type { ModuleContext, ZApp } from '../../../platform/http/context.js';
import { findCjkFont } from '../../../platform/pdf/fonts.js';
import { evidenceRoutes } from './routes.js';
import { EVIDENCE_JOB_KIND, EvidenceService } from './service.js';

/** The evidence pack's routes and job (one line in reporting/index.ts registers both). */
export function registerEvidence(app: ZApp, ctx: ModuleContext): void {
  const service = new EvidenceService(ctx.database.db, findCjkFont(ctx.config.pdf), ctx.config);
  evidenceRoutes(app, service);
  ctx.scheduler.register<{ exportId: number }>(EVIDENCE_JOB_KIND, (job) => service.run(job.payload.exportId));
}
