import client from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Database_ } from '../../db/index.js';
import { jobCounts } from '../jobs/scheduler.js';

/**
 * Prometheus metrics: request counts and latency by route, and process metrics. Each app has
 * its own registry so tests can build several apps in one process.
 */
export function registerMetrics(app: FastifyInstance, database: Database_) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'yunwei_' });
  const requests = new client.Counter({ name: 'yunwei_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new client.Histogram({
    name: 'yunwei_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'yunwei_db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL); 1 total for embedded SQLite',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = (database as { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
      if (pool) {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      } else {
        this.set({ state: 'total' }, 1);
      }
    },
  });

  new client.Gauge({
    name: 'yunwei_jobs',
    help: 'Background jobs by status (failed = parked, waiting for an administrator)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await jobCounts(database.db);
      for (const status of ['pending', 'running', 'done', 'failed']) this.set({ status }, counts[status] ?? 0);
    },
  });
  new client.Counter({
    name: 'yunwei_jobs_run_total',
    help: 'Jobs run by this process, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const stats = (app as unknown as { scheduler?: { stats: { ran: number; failed: number; parked: number } } }).scheduler?.stats;
      if (!stats) return;
      this.reset();
      this.inc({ outcome: 'ok' }, stats.ran);
      this.inc({ outcome: 'failed' }, stats.failed);
      this.inc({ outcome: 'parked' }, stats.parked);
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
