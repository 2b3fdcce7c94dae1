import { z } from 'zod';

/**
 * Request and response shapes of the metrics API (GET /api/v1/reporting/kpis, /metrics,
 * /metrics.xlsx, /drill). Dates, KPI codes and the grouping are checked by the metrics service
 * so each problem names its field in the reader's language (400); here they are only strings.
 */

const idList = z
  .string()
  .max(2000)
  .refine((s) => /^\d{1,15}(,\d{1,15})*$/.test(s), { params: { code: 'invalid' } })
  .transform((s) => [...new Set(s.split(',').map(Number))]);

const positiveId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const GROUP_BY_DOC = 'total | day | week | month | customer | priority | tier | category | channel | kind | service | team | assignee | site (team and assignee: provider staff only)';

export const metricsQuery = z.object({
  kpis: z.string().max(2000).describe('KPI codes, comma-separated (GET /reporting/kpis)'),
  customerId: idList.optional().describe('one customer id or several, comma-separated; none: every customer in the caller\'s scope'),
  contractId: positiveId.optional(),
  from: z.string().max(10).describe('first local day, YYYY-MM-DD (the customer\'s time zone)'),
  to: z.string().max(10).describe('last local day, inclusive; a period not yet ended gives partial figures'),
  groupBy: z.string().max(20).optional().describe(GROUP_BY_DOC),
});

export const drillQuery = z.object({
  kpi: z.string().max(100),
  part: z.enum(['numerator', 'denominator']).default('numerator'),
  customerId: idList.optional(),
  contractId: positiveId.optional(),
  from: z.string().max(10),
  to: z.string().max(10),
  groupBy: z.string().max(20).optional().describe(GROUP_BY_DOC),
  key: z.string().max(100).optional().describe('the row key of the figure (as in the metrics answer)'),
  cursor: z.string().max(20).refine((s) => /^\d+$/.test(s), { params: { code: 'invalid' } }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const metricValue = z.object({
  value: z.number().nullable().describe('null when the denominator is zero (shown as —); percent KPIs are 0–100, durations ms'),
  numerator: z.number(),
  denominator: z.number(),
});

export const metricsOut = z.object({
  rows: z.array(z.object({ key: z.string(), label: z.string(), values: z.record(z.string(), metricValue) })),
  totals: z.record(z.string(), metricValue),
  kpis: z.array(z.object({ code: z.string(), label: z.string(), unit: z.enum(['percent', 'duration_ms', 'count', 'score']) })),
  period: z.object({ from: z.string(), to: z.string(), label: z.string(), ended: z.boolean() }),
});

const text = z.string();
export const kpiOut = z.object({
  code: text,
  group: z.enum(['volume', 'backlog', 'sla', 'time', 'quality']),
  label: text,
  description: text,
  unit: z.enum(['percent', 'duration_ms', 'count', 'score']),
  better: z.enum(['higher', 'lower', 'band', 'none']),
  target: z.object({ min: z.number().nullable(), max: z.number().nullable(), source: text }).nullable(),
  targetByTier: z.array(z.object({ tier: z.number(), value: z.number() })).nullable(),
  numerator: text,
  denominator: text.nullable(),
  attribution: text,
  additive: z.boolean(),
});

export const drillOut = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      number: text,
      title: text,
      customerName: text,
      priority: text,
      state: text,
      reportedAt: text,
      resolvedAt: text.nullable(),
      slaStatus: text,
    }),
  ),
  nextCursor: z.string().nullable(),
});
