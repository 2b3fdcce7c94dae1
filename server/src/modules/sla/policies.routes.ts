import { z } from 'zod';
import { SLA_METRICS } from '../../core/sla/index.js';
import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams, instant } from '../../platform/http/zod.js';
import type { ContractSla, SlaPolicyService } from './policies.service.js';
import { isoInZone } from './time.js';

// The matrix and policy are validated by core (validateMatrix / validatePolicy), which names
// each bad field; the edge only bounds their size.
const matrix = z.object({}).passthrough();
const policy = z.object({}).passthrough();
const slaBody = z.object({ templateId: z.string().max(20).nullable().default(null), matrix, policy });
const slaOut = z.object({ sla: z.object({ templateId: z.string().nullable(), matrix: z.any(), policy: z.any() }).nullable(), version: z.number() });
const contractParams = idParams;
const previewQuery = z.object({ priority: z.string().max(40).optional(), impact: z.string().max(40).optional(), urgency: z.string().max(40).optional(), reportedAt: instant });
const previewOut = z.object({
  priority: z.string(),
  metrics: z.array(
    z.object({
      metric: z.enum(SLA_METRICS),
      calendarId: z.string(),
      targetMinutes: z.number(),
      dueAt: z.string().nullable(),
      warnings: z.array(z.object({ percent: z.number(), at: z.string() })),
    }),
  ),
});

type Preview = Awaited<ReturnType<SlaPolicyService['preview']>>;
function previewToJson(p: Preview) {
  return {
    priority: p.priority,
    metrics: p.metrics.map((m) => ({
      metric: m.metric,
      calendarId: m.calendarId,
      targetMinutes: m.targetMinutes,
      dueAt: m.dueAt === null ? null : isoInZone(m.dueAt, m.timeZone),
      warnings: m.warnings.map((w) => ({ percent: w.percent, at: isoInZone(w.at, m.timeZone) })),
    })),
  };
}

export function policyRoutes(app: ZApp, _ctx: ModuleContext, policies: SlaPolicyService) {
  app.get(
    '/api/v1/sla/templates',
    {
      config: { permission: 'sla.read' },
      schema: { tags: ['sla'], summary: 'SLA templates from the seed documents (T1–T5), ready to apply to a contract', response: { 200: z.object({ items: z.array(z.any()) }) } },
    },
    async () => ({ items: policies.templates() }),
  );

  app.get(
    '/api/v1/contracts/:id/sla',
    { config: { permission: 'sla.read' }, schema: { tags: ['sla'], summary: 'The contract\'s priority matrix and SLA policy', params: contractParams, response: { 200: slaOut } } },
    async (request) => policies.get(actorOf(request), request.params.id),
  );

  app.put(
    '/api/v1/contracts/:id/sla',
    {
      config: { permission: 'sla.write' },
      schema: { tags: ['sla'], summary: 'Set the contract\'s priority matrix and SLA policy (send the contract version you read)', params: contractParams, body: slaBody.extend({ version: z.number().int().positive() }), response: { 200: slaOut } },
    },
    async (request) => {
      const { version, ...sla } = request.body;
      return policies.save(actorOf(request), request.params.id, sla as unknown as ContractSla, version);
    },
  );

  app.post(
    '/api/v1/contracts/:id/sla/apply-template',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Apply an SLA template to a contract (then adjust it with PUT)',
        params: contractParams,
        body: z.object({ templateId: z.enum(['T1', 'T2', 'T3', 'T4', 'T5']), policyId: z.string().max(60).optional(), version: z.number().int().positive() }),
        response: { 200: slaOut },
      },
    },
    async (request) => policies.applyTemplate(actorOf(request), request.params.id, request.body.templateId, request.body.policyId, request.body.version),
  );

  app.get(
    '/api/v1/contracts/:id/sla/preview',
    {
      config: { permission: 'sla.read' },
      schema: { tags: ['sla'], summary: 'What if: due instants of a ticket of this priority reported at `reportedAt` under the saved SLA', params: contractParams, querystring: previewQuery, response: { 200: previewOut } },
    },
    async (request) => {
      const { sla } = await policies.get(actorOf(request), request.params.id);
      if (!sla) throw AppError.notFound();
      return previewToJson(await policies.preview(sla, request.query));
    },
  );

  app.post(
    '/api/v1/sla/preview',
    {
      config: { permission: 'sla.read' },
      schema: { tags: ['sla'], summary: 'What if, for an SLA being edited (not yet saved)', body: slaBody.extend({ priority: z.string().max(40).optional(), impact: z.string().max(40).optional(), urgency: z.string().max(40).optional(), reportedAt: instant }), response: { 200: previewOut } },
    },
    async (request) => {
      const { matrix: m, policy: p, priority, impact, urgency, reportedAt } = request.body;
      return previewToJson(await policies.preview({ matrix: m as never, policy: p as never }, { priority, impact, urgency, reportedAt }));
    },
  );
}
