import type { Db } from '../../db/index.js';
import type { ModuleRegistrar } from '../index.js';
import { enqueueJob } from '../../platform/jobs/scheduler.js';
import { findCjkFont, type FontChoice } from '../../platform/pdf/fonts.js';
import { CampaignService } from './campaigns.js';
import './messages.js';
import { assetRoutes } from './routes.js';
import { AssetService } from './service.js';

/** The daily jobs: warranty reminders and the periodic verification campaigns. */
export const WARRANTY_JOB = 'assets.warranty';
export const CAMPAIGN_JOB = 'assets.campaigns';
const HOUR_MS = 3_600_000;

/** The next run of a daily job: 00:30 in Beijing (16:30 UTC), a day after `now` at most. */
export function nextDailyRun(now: number): number {
  const at = Math.floor((now - 16.5 * HOUR_MS) / (24 * HOUR_MS)) * 24 * HOUR_MS + 16.5 * HOUR_MS;
  return at + 24 * HOUR_MS;
}

/** Puts the two daily jobs in place (one live job per key) when a server starts listening; a pending one keeps its turn. */
export async function ensureAssetJobs(db: Db, now = Date.now()): Promise<void> {
  for (const kind of [WARRANTY_JOB, CAMPAIGN_JOB]) {
    const existing = await db.selectFrom('jobs').select(['run_at', 'status']).where('key', '=', kind).executeTakeFirst();
    if (existing && (existing.status === 'running' || existing.status === 'pending')) continue;
    await enqueueJob(db, { kind, key: kind, runAt: now }, now);
  }
}

/** Assets, asset tags and verification campaigns (docs/ASSETS.md). */
export const assetsModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const assets = new AssetService(db);
  const campaigns = new CampaignService(db);
  let font: FontChoice | null = null;
  assetRoutes(app, { db, config: ctx.config, font: () => (font ??= findCjkFont(ctx.config.pdf)), assets, campaigns });
  ctx.scheduler.register(WARRANTY_JOB, async () => {
    const now = Date.now();
    await assets.runWarrantyReminders(now);
    await enqueueJob(db, { kind: WARRANTY_JOB, key: WARRANTY_JOB, runAt: nextDailyRun(now) });
  });
  ctx.scheduler.register(CAMPAIGN_JOB, async () => {
    const now = Date.now();
    await campaigns.runScheduled(now);
    await enqueueJob(db, { kind: CAMPAIGN_JOB, key: CAMPAIGN_JOB, runAt: nextDailyRun(now) });
  });
  app.addHook('onListen', async () => {
    await ensureAssetJobs(db);
  });
};
