import { z } from 'zod';
import type { ZApp } from '../http/context.js';
import type { Actor } from './actor.js';
import { SESSION_COOKIE } from './plugin.js';
import type { AuthService } from './service.js';

/**
 * GET /api/v1/auth/session: "am I logged in?" without a failing request. The web app asks it on
 * every load (the login page included), so a logged-out browser gets 200 `{user: null}` instead
 * of a 401 in its console; a live session answers `{user}` exactly as GET /auth/me does.
 *
 * Public by declaration: the route authenticates nothing itself beyond reading the session
 * cookie the way the auth hook does (an expired or unknown session is `null`, not an error).
 * Bearer tokens are not looked at: scripts ask GET /auth/me, which answers 401 without a token.
 */
export function sessionRoute(app: ZApp, auth: AuthService, me: z.ZodObject, meOf: (actor: Actor) => Promise<Record<string, unknown>>) {
  const out = z.object({ user: me.nullable() });
  app.get(
    '/api/v1/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'The browser session\'s user, or null when logged out (never 401)',
        response: { 200: out },
      },
    },
    async (request) => {
      const token = request.cookies[SESSION_COOKIE];
      const actor = token ? await auth.actorFromSession(token, request.ip) : null;
      return { user: actor ? await meOf(actor) : null };
    },
  );
}
