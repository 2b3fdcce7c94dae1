import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config.js';
import type { Database_ } from '../../db/index.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Actor } from '../auth/actor.js';
import type { Locale } from '../i18n/index.js';

/** The Fastify instance with zod schemas as types; every module's routes take it. */
export type ZApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** What every module's routes receive besides the app. */
export interface ModuleContext {
  config: Config;
  database: Database_;
  /** Modules register their job handlers here; `yunwei serve` starts the loop. */
  scheduler: Scheduler;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The job scheduler; `yunwei serve` starts it, tests drain it. */
    scheduler: Scheduler;
  }
  interface FastifyRequest {
    /** The authenticated caller, or null (public routes only). */
    actor: Actor | null;
    locale: Locale;
  }
  /**
   * Who may call a route. Every route under /api/ declares exactly one of `public`,
   * `permission` or `self`; the auth hook refuses a route that declares none (docs/SECURITY.md).
   */
  interface FastifyContextConfig {
    /** Route needs no login (login itself, health, docs). */
    public?: boolean;
    /** Permission required; checked before the handler, also against an API token's scopes. */
    permission?: string;
    /**
     * The caller's own account, needing no permission. `identity`: who the caller is — every
     * session and token. `account`: own profile, inbox and preferences — sessions, and tokens
     * with the `account` scope. `session`: own credentials (password, tokens, sessions) — sessions only.
     */
    self?: 'identity' | 'account' | 'session';
    bodyLimitLabel?: string;
  }
}

/** The authenticated actor of a non-public route (the auth hook guarantees it). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('actorOf() on a public route');
  return request.actor;
}
