import type { FastifyContextConfig, FastifyPluginAsync, FastifyPluginCallback, FastifyPluginOptions, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError } from '../http/errors.js';
import type { ZApp } from '../http/context.js';
import { localeFromHeader } from '../i18n/index.js';
import { can, type Actor } from './actor.js';
import { ACCOUNT_SCOPE, ALL_SCOPE } from './permissions.js';
import { csrfTokenFor, type AuthService } from './service.js';

export const SESSION_COOKIE = 'yw_session';
export const CSRF_COOKIE = 'yw_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function secureCookies(config: Config, request: FastifyRequest): boolean {
  return config.cookieSecure === 'auto' ? request.protocol === 'https' : config.cookieSecure;
}

export function setSessionCookies(config: Config, request: FastifyRequest, reply: FastifyReply, sessionToken: string, csrfToken: string) {
  const secure = secureCookies(config, request);
  const maxAge = Math.floor(config.sessionMaxMs / 1000);
  reply.setCookie(SESSION_COOKIE, sessionToken, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge });
  // Readable by the page's script, which echoes it in X-CSRF-Token (double submit, bound to the session).
  reply.setCookie(CSRF_COOKIE, csrfToken, { path: '/', httpOnly: false, sameSite: 'lax', secure, maxAge });
}

export function clearSessionCookies(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

/** Who may call a route, from its declaration (FastifyContextConfig; docs/SECURITY.md). */
export type RouteAccess =
  | { kind: 'open' }
  | { kind: 'undeclared' }
  | { kind: 'permission'; permission: string }
  | { kind: 'self'; self: NonNullable<FastifyContextConfig['self']> };

/**
 * Decides on the route Fastify matched — its URL pattern and options — never on the raw URL,
 * which an encoding (`/api/%761/jobs`) makes differ from the pattern it matches. Open: no route
 * matched (the not-found handler answers), a route declaring `public`, or one outside /api/
 * declaring nothing (the web app's static files). A route under /api/ declaring nothing is
 * refused: access is denied unless a route says otherwise.
 */
export function routeAccess(pattern: string | undefined, cfg: FastifyContextConfig): RouteAccess {
  if (pattern === undefined || cfg.public) return { kind: 'open' };
  if (cfg.permission) return { kind: 'permission', permission: cfg.permission };
  if (cfg.self) return { kind: 'self', self: cfg.self };
  return pattern.startsWith('/api/') ? { kind: 'undeclared' } : { kind: 'open' };
}

/**
 * A third-party plugin whose routes are all public (the API docs page), declared so: its routes
 * cannot take our route options, and under /api/ an undeclared route is refused.
 */
export function declaredPublic<Options extends FastifyPluginOptions>(plugin: FastifyPluginCallback<Options>): FastifyPluginAsync<Options> {
  return async (instance, opts) => {
    instance.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await instance.register(plugin, opts);
  };
}

/**
 * Authenticates every request to a route that is not open, enforces CSRF on cookie-authenticated
 * writes, and checks the route's declaration against the caller (and an API token's scopes).
 */
export function registerAuthHook(app: ZApp, auth: AuthService) {
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'zh-CN');

  // Said at start-up, not first at a caller's request, so a route added without a declaration is noticed.
  app.addHook('onRoute', (route) => {
    if (routeAccess(route.url, route.config ?? {}).kind === 'undeclared') app.log.error({ method: route.method, url: route.url }, 'route under /api/ declares no access (public, permission or self): every request to it is refused');
  });

  app.addHook('onRequest', async (request) => {
    request.locale = localeFromHeader(request.headers['accept-language']);
    const access = routeAccess(request.is404 ? undefined : request.routeOptions.url, request.routeOptions.config ?? {});
    if (access.kind === 'open') return;
    request.actor = await authenticate(request, auth);
    request.locale = request.actor.locale;
    authorize(request, request.actor, access);
  });
}

async function authenticate(request: FastifyRequest, auth: AuthService): Promise<Actor> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m) return auth.actorFromToken(m[1], request.ip);
    await auth.noteInvalidBearer({ userId: null, name: 'bearer', ip: request.ip }, 'malformed');
    throw AppError.unauthorized('auth.tokenInvalid');
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) throw AppError.unauthorized();
  const actor = await auth.actorFromSession(token, request.ip);
  if (!actor) throw AppError.unauthorized('auth.sessionExpired');
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || sent !== csrfTokenFor(token)) {
      await auth.noteCsrfRefused(actor, { method: request.method, route: request.routeOptions.url ?? '' });
      throw new AppError(403, 'csrf', 'http.csrf');
    }
  }
  return actor;
}

function authorize(request: FastifyRequest, actor: Actor, access: Exclude<RouteAccess, { kind: 'open' }>): void {
  const scopes = actor.tokenScopes;
  switch (access.kind) {
    case 'undeclared':
      request.log.error({ url: request.routeOptions.url }, 'refused: the route declares no access');
      throw new AppError(403, 'route_undeclared', 'auth.routeUndeclared');
    case 'permission':
      if (scopes && !scopes.includes(ALL_SCOPE) && !scopes.includes(access.permission)) throw AppError.forbidden(access.permission, 'auth.tokenScope');
      if (!can(actor, access.permission)) throw AppError.forbidden(access.permission);
      return;
    case 'self':
      if (access.self === 'session' && actor.via !== 'session') throw new AppError(403, 'session_only', 'auth.sessionOnly');
      if (access.self === 'account' && scopes && !scopes.includes(ACCOUNT_SCOPE)) throw AppError.forbidden(ACCOUNT_SCOPE, 'auth.tokenScope');
      return;
  }
}
