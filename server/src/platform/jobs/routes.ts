import { z } from 'zod';
import type { ModuleContext, ZApp } from '../http/context.js';
import { actorOf } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { idParams, iso } from '../http/zod.js';
import { auditActorOf, recordAudit } from '../audit/service.js';
import { jobCounts, retryJob } from './scheduler.js';

const job = z.object({
  id: z.number(),
  kind: z.string(),
  key: z.string().nullable(),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  runAt: z.string(),
  attempts: z.number(),
  maxAttempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** The administrator's view of the scheduler: counts, parked jobs, retry. */
export function jobRoutes(app: ZApp, ctx: ModuleContext) {
  const { db } = ctx.database;

  app.get(
    '/api/v1/jobs',
    {
      config: { permission: 'jobs.manage' },
      schema: {
        tags: ['jobs'],
        summary: 'Background jobs by status (parked failures by default)',
        querystring: z.object({ status: z.enum(['pending', 'running', 'done', 'failed']).default('failed'), limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() }),
        response: { 200: z.object({ counts: z.record(z.string(), z.number()), items: z.array(job), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const after = decodeCursor(cursor, ['number']);
      let q = db.selectFrom('jobs').selectAll().where('status', '=', status).orderBy('id', 'desc').limit(limit + 1);
      if (after) q = q.where('id', '<', after[0] as number);
      const rows = await q.execute();
      const page = pageOf(rows, limit, (r) => [r.id]);
      return {
        counts: await jobCounts(db),
        nextCursor: page.nextCursor,
        items: page.items.map((r) => ({
          id: r.id,
          kind: r.kind,
          key: r.key,
          status: r.status as 'pending',
          runAt: iso(r.run_at),
          attempts: r.attempts,
          maxAttempts: r.max_attempts,
          lastError: r.last_error,
          createdAt: iso(r.created_at),
          updatedAt: iso(r.updated_at),
        })),
      };
    },
  );

  app.post(
    '/api/v1/jobs/:id/retry',
    { config: { permission: 'jobs.manage' }, schema: { tags: ['jobs'], summary: 'Retry a parked job now', params: idParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await db.transaction().execute(async (trx) => {
        if (!(await retryJob(trx, request.params.id))) throw AppError.notFound();
        await recordAudit(trx, auditActorOf(actorOf(request)), { action: 'retry', entity: 'jobs', entityId: request.params.id });
      });
      return reply.status(204).send(null);
    },
  );
}
