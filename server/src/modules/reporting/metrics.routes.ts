import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { kpiDef } from '../../core/reporting/kpis.js';
import { periodLabel } from '../../core/reporting/periods.js';
import { z } from 'zod';
import { t } from '../../platform/i18n/index.js';
import { MetricsService, validateQuery, type Dimension, type MetricQuery } from './metrics.service.js';
import { metricsWorkbook } from './metrics.xlsx.js';
import { drillOut, drillQuery, kpiOut, metricsOut, metricsQuery } from './schema.js';
import { ROLLUP_EVERY_MS, ROLLUP_JOB, scheduleRollup } from './rollup.service.js';

const V1 = '/api/v1';
const tags = ['reporting'];
const read = { permission: 'reports.read' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type MetricsParams = z.infer<typeof metricsQuery>;

function toQuery(p: MetricsParams): MetricQuery {
  const kpis = [...new Set(p.kpis.split(',').map((s) => s.trim()).filter(Boolean))];
  const q: MetricQuery = { kpis, customerIds: p.customerId ?? null, from: p.from, to: p.to, groupBy: p.groupBy as Dimension | undefined, contractId: p.contractId };
  validateQuery(q);
  return q;
}

/** The KPI API (docs/KPIS.md): the catalogue, figures, their Excel export and the drill-down. */
export function registerMetrics(app: ZApp, ctx: ModuleContext): void {
  const service = new MetricsService(ctx.database.db);
  app.decorate('metrics', service);

  // The rollup: one keyed job, run by whichever process claims it, every minute.
  ctx.scheduler.register(ROLLUP_JOB, async (job) => {
    const r = await service.rollup.run();
    await scheduleRollup(job.db, r.more ? Date.now() : Date.now() + ROLLUP_EVERY_MS);
  });
  // Started by a serving process only (tests and one-shot commands build the app without listening).
  app.addHook('onListen', async () => {
    await scheduleRollup(ctx.database.db);
  });

  app.get(
    `${V1}/reporting/kpis`,
    { config: read, schema: { tags, summary: 'The KPI catalogue: every definition with its unit, target, numerator and denominator (in the caller\'s language)', response: { 200: z.object({ items: z.array(kpiOut) }) } } },
    async (request) => ({ items: service.catalogue(request.locale) }),
  );

  const period = (q: MetricQuery, locale: 'zh-CN' | 'en-US', ended: boolean) => ({ from: q.from, to: q.to, label: periodLabel(q, locale), ended });
  const kpiLabels = (q: MetricQuery, locale: 'zh-CN' | 'en-US') =>
    q.kpis.map((c) => {
      const d = kpiDef(c)!;
      return { code: c, label: locale === 'en-US' ? d.label.en : d.label.zh, unit: d.unit };
    });

  app.get(
    `${V1}/reporting/metrics`,
    {
      config: read,
      schema: {
        tags,
        summary: 'KPI figures for a period (local days of each customer), optionally grouped; null value = zero denominator',
        querystring: metricsQuery,
        response: { 200: metricsOut },
      },
    },
    async (request) => {
      const q = toQuery(request.query);
      const actor = actorOf(request);
      const result = await service.query(actor, q);
      return { ...result, kpis: kpiLabels(q, request.locale), period: period(q, request.locale, await service.periodEnded(actor, q)) };
    },
  );

  app.get(
    `${V1}/reporting/metrics.xlsx`,
    { config: read, schema: { tags, summary: 'The same figures as /reporting/metrics as an Excel workbook (headers in the caller\'s language)', querystring: metricsQuery, produces: [XLSX], response: { 200: z.string().describe('.xlsx file') } } },
    async (request, reply) => {
      const q = toQuery(request.query);
      const actor = actorOf(request);
      const result = await service.query(actor, q);
      const label = periodLabel(q, request.locale);
      const customers = q.customerIds ? result.rows.length && q.groupBy === 'customer' ? result.rows.map((r) => r.label).join('、') : q.customerIds.join(',') : t(request.locale, 'reporting.xlsx.all');
      const file = await metricsWorkbook(result, { kpis: q.kpis, locale: request.locale, periodLabel: label, customers });
      const name = `${request.locale === 'en-US' ? 'KPIs' : '指标'}-${q.from}-${q.to}.xlsx`;
      return reply
        .type(XLSX)
        .header('content-disposition', `attachment; filename="kpis-${q.from}-${q.to}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(file as unknown as string);
    },
  );

  app.get(
    `${V1}/reporting/drill`,
    { config: read, schema: { tags, summary: 'The tickets behind a figure (numerator or denominator of a KPI for a period and row key), keyset pages by ticket id', querystring: drillQuery, response: { 200: drillOut } } },
    async (request) => {
      const p = request.query;
      return service.drill(actorOf(request), {
        kpi: p.kpi,
        part: p.part,
        from: p.from,
        to: p.to,
        customerIds: p.customerId ?? null,
        contractId: p.contractId,
        groupBy: p.groupBy as Dimension | undefined,
        key: p.key,
        cursor: p.cursor,
        limit: p.limit,
      });
    },
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The KPI computation (reporting module): the report generator and the evidence pack use it too. */
    metrics: MetricsService;
  }
}
