import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { Database_ } from './db/index.js';
import { declaredPublic, registerAuthHook } from './platform/auth/plugin.js';
import { authRoutes } from './platform/auth/routes.js';
import { AuthService } from './platform/auth/service.js';
import type { ModuleContext, ZApp } from './platform/http/context.js';
import { AppError, internalProblem, sendProblem, toAppError } from './platform/http/errors.js';
import { registerInputHygiene } from './platform/http/hygiene.js';
import { registerSecurityHeaders } from './platform/http/headers.js';
import { bodyLimitError, registerBodyLimits } from './platform/http/limits.js';
import { registerMetrics } from './platform/http/metrics.js';
import { openapiTransforms } from './platform/http/openapi.js';
import { MODULES } from './modules/index.js';
import { jobRoutes } from './platform/jobs/routes.js';
import { Scheduler } from './platform/jobs/scheduler.js';

export interface BuildOptions {
  config: Config;
  database: Database_;
  /** Pino logger options; tests pass false. */
  logger?: boolean | object;
}

/**
 * Builds the Fastify app from the platform plugins and the domain modules. No business logic
 * here: this file wires things together.
 */
export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config, database } = opts;
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // A path the router cannot take (broken percent-encoding, a parameter over 100 characters) names no record: a 404 problem, not Fastify's own JSON.
    frameworkErrors: (_err, request, reply) => sendProblem(reply, AppError.notFound(), request.locale ?? 'zh-CN'),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: config.uploadLimit, files: 1, fields: 20 } });
  await registerSecurityHeaders(app); // CSP, frames, nosniff, no-store on the API (docs/SECURITY.md); before the routes
  registerBodyLimits(app, config); // 413 on the Content-Length or at the limit while streaming, before anything reads the body
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Yunwei API', version: '1', description: 'Yunwei (运维) IT operations service management. Conventions: docs/API.md.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (yunwei token create)' },
          session: { type: 'apiKey', in: 'cookie', name: 'yw_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    ...openapiTransforms, // the schemas from zod, and every operation's problem+json error responses
  });
  await app.register(declaredPublic(swaggerUi), { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  app.setErrorHandler((err, request, reply) => {
    const appErr = bodyLimitError(request) ?? toAppError(err, request);
    if (appErr) return sendProblem(reply, appErr, request.locale ?? 'zh-CN');
    request.log.error({ err }, 'unhandled error');
    return internalProblem(reply, request.locale ?? 'zh-CN');
  });

  registerInputHygiene(app); // NUL, lone surrogates, invalid UTF-8: refused at the edge (docs/API.md)
  const auth = new AuthService(database.db, config);
  registerAuthHook(app as unknown as ZApp, auth);
  registerMetrics(app, database);

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(database.db);
      return { status: 'ok', database: database.dialect };
    } catch (err) {
      return reply.status(503).send({ status: 'error', database: database.dialect, error: String(err) });
    }
  });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  const scheduler = new Scheduler(database.db, {
    pollMs: config.jobs.pollMs,
    concurrency: config.jobs.concurrency,
    batchSize: config.jobs.batchSize,
    batchConcurrency: config.jobs.batchConcurrency ?? undefined,
    onError: (err, job) => app.log.error({ err, job }, 'job failed'),
  });
  app.decorate('scheduler', scheduler);
  app.addHook('onClose', () => scheduler.stop());
  const ctx: ModuleContext = { config, database, scheduler };
  const zapp = app as unknown as ZApp;
  authRoutes(zapp, ctx, auth);
  jobRoutes(zapp, ctx);
  for (const mod of MODULES) await mod(zapp, ctx);

  registerWeb(app, config);
  return app;
}

/** Serves the built web app with a fallback to index.html for client-side routes. */
function registerWeb(app: FastifyInstance, config: Config) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dist = config.webDist ?? path.resolve(here, '../../web/dist');
  const hasWeb = fs.existsSync(path.join(dist, 'index.html'));
  if (hasWeb) {
    app.register(fastifyStatic, {
      root: dist,
      wildcard: false,
      index: false,
      serve: true,
      prefix: '/',
      // The build writes file.br and file.gz next to each file (web/vite.config.ts): sent as they
      // are to a browser that accepts them, never compressed per request. The .br/.gz files
      // themselves get no route of their own.
      preCompressed: true,
      globIgnore: ['**/*.br', '**/*.gz'],
      // Cache-Control is ours (webCacheControl), not send's `public, max-age=0`.
      cacheControl: false,
      setHeaders(res, filePath) {
        res.setHeader('cache-control', webCacheControl(path.relative(dist, filePath)));
        res.setHeader('vary', 'Accept-Encoding');
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    // A missing asset must be a 404: answering index.html would make the browser reject it as a script.
    // Only a plain page path gets the web app: an encoded, doubled or parameterised spelling of an
    // API path (//api/v1/jobs, /%61pi/..., /api;x=1/...) is an API miss, not a page.
    if (!isPagePath(request.url.split('?')[0]) || request.method !== 'GET' || !hasWeb) {
      return sendProblem(reply, new AppError(404, 'not_found', 'http.routeNotFound', { method: request.method, url: request.url.split('?')[0] }), request.locale ?? 'zh-CN');
    }
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}

/**
 * Vite names what it emits under assets/ by content hash (`index-B6nro9hO.js`): such a file never
 * changes, so browsers keep it a year without asking again. Everything else (index.html, which
 * names the current hashes, and public files like favicon.svg) is revalidated on every use.
 * `file` is relative to web/dist and may end in .br or .gz (the compressed copy being sent).
 */
export function webCacheControl(file: string): string {
  const name = file.split(path.sep).join('/').replace(/\.(br|gz)$/, '');
  return /^assets\/[^/]+-[\w-]{8,}\.[a-z0-9]+$/i.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * A client-side route of the web app: unreserved characters only, single slashes, not the API's
 * prefix, and not a file under the build's assets/ (a name with an extension: a missing script is
 * a 404, never the page). The asset register's pages (/assets, /assets/42, the address an asset
 * tag's QR code carries) are pages.
 */
export function isPagePath(pathname: string): boolean {
  return /^(\/[A-Za-z0-9._~-]+)*\/?$/.test(pathname) && !/^\/api(\/|$)/i.test(pathname) && !/^\/assets\/.*\./i.test(pathname);
}
