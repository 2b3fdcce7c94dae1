import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError } from '../http/errors.js';
import type { ZApp } from '../http/context.js';
import { localeFromHeader } from '../i18n/index.js';
import { can } from './actor.js';
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

/**
 * Authenticates every `/api/v1` request that is not marked public, enforces CSRF on
 * cookie-authenticated writes, and checks the route's permission (and an API token's scopes).
 */
export function registerAuthHook(app: ZApp, auth: AuthService) {
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'zh-CN');

  app.addHook('onRequest', async (request) => {
    request.locale = localeFromHeader(request.headers['accept-language']);
    const cfg = request.routeOptions.config ?? {};
    if (cfg.public || !request.url.startsWith('/api/v1/') || request.is404) return;

    const header = request.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw AppError.unauthorized('auth.tokenInvalid');
      request.actor = await auth.actorFromToken(m[1], request.ip);
    } else {
      const token = request.cookies[SESSION_COOKIE];
      if (!token) throw AppError.unauthorized();
      const actor = await auth.actorFromSession(token, request.ip);
      if (!actor) throw AppError.unauthorized('auth.sessionExpired');
      if (!SAFE_METHODS.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || sent !== csrfTokenFor(token)) throw new AppError(403, 'csrf', 'http.csrf');
      }
      request.actor = actor;
    }
    request.locale = request.actor.locale;

    const permission = cfg.permission;
    if (permission) {
      const scopes = request.actor.tokenScopes;
      if (scopes && !scopes.includes('*') && !scopes.includes(permission)) throw AppError.forbidden(permission, 'auth.tokenScope');
      if (!can(request.actor, permission)) throw AppError.forbidden(permission);
    }
  });
}
