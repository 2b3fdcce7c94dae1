import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

const SELF = "'self'";
/** helmet's marker for a policy without default-src (the plugin re-exports helmet's CSP module; its types leave it out). */
const noDefaultSrc = (helmet as unknown as { contentSecurityPolicy: typeof import('helmet').contentSecurityPolicy }).contentSecurityPolicy.dangerouslyDisableDefaultSrc;
const NONE = "'none'";

/**
 * The web app's Content-Security-Policy (docs/SECURITY.md, "Headers and limits"). Scripts only
 * from the app's own files (web/index.html has no inline script; Vite emits module files).
 * Styles allow 'unsafe-inline': antd 6 is CSS-in-JS and inserts <style> elements at run time;
 * a nonce would mean templating index.html per request and threading it through antd's
 * ConfigProvider, for a gain (no CSS injection) far smaller than script-src without inline.
 * Images: data: for the signature pad's PNG and antd/ECharts pictures, blob: for previews of
 * files being attached. Frames: the report page shows its PDF in a same-origin iframe.
 */
export const WEB_CSP: Record<string, string[]> = {
  'default-src': [SELF],
  'script-src': [SELF],
  'script-src-attr': [NONE],
  'style-src': [SELF, "'unsafe-inline'"],
  'img-src': [SELF, 'data:', 'blob:'],
  'font-src': [SELF, 'data:'],
  'connect-src': [SELF],
  'frame-src': [SELF],
  'frame-ancestors': [NONE],
  'object-src': [NONE],
  'base-uri': [SELF],
  'form-action': [SELF],
};

/** Headers for every response, as @fastify/helmet sets them (its other defaults stay on). */
const WEB: FastifyHelmetOptions = {
  // No 'upgrade-insecure-requests': Yunwei is often served over plain HTTP on an intranet, where it would break every request.
  contentSecurityPolicy: { useDefaults: false, directives: WEB_CSP },
  frameguard: { action: 'deny' },
  // Never sends addresses (ticket numbers, confirmation tokens) to other sites, and keeps the
  // Origin header on the app's own POSTs (no-referrer turns it into "Origin: null").
  referrerPolicy: { policy: 'same-origin' },
  // HTTPS is the reverse proxy's: it sets Strict-Transport-Security (docs/OPERATIONS.md).
  strictTransportSecurity: false,
  // Would forbid the PDF preview's iframe; nothing here needs cross-origin isolation.
  crossOriginEmbedderPolicy: false,
};

/**
 * API answers are data, not documents: only who may frame them. A report's PDF is shown in an
 * iframe of the app (same origin), and Chromium's PDF viewer is blocked by a PDF's own
 * default-src/object-src, so no further CSP there; nosniff and the explicit types keep a
 * download from being read as a page.
 */
const API: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': noDefaultSrc as never, 'frame-ancestors': [SELF] } },
  frameguard: { action: 'sameorigin' },
};

/** The public confirmation API: the link's token is in the address (the /c/ page gets the same header below). */
const CONFIRM_API: FastifyHelmetOptions = { ...API, referrerPolicy: { policy: 'no-referrer' } };

/** Pages opened from a mailed confirmation link: their address holds the token (SPA route /c/:token). */
const CONFIRM_PAGE = /^\/c\//;

/**
 * Security headers (issue #9, item 11): the web app's CSP and frame protection on every page,
 * `X-Content-Type-Options: nosniff` everywhere, `Cache-Control: no-store` on the API unless a
 * route chose otherwise, `Referrer-Policy: no-referrer` on the confirmation-link page and its
 * API (same-origin elsewhere). Register before the routes: the API's options are per route.
 * The hashed /assets/* keep @fastify/static's caching.
 */
export async function registerSecurityHeaders(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path ?? '';
    // Swagger UI (/api/docs) is a page: it gets the web app's policy, which it runs under.
    if (route.helmet !== undefined || !url.startsWith('/api/') || url.startsWith('/api/docs')) return;
    // A copy: routes share config objects, and @fastify/helmet reads its options from the route's config.
    route.config = { ...route.config, helmet: url.startsWith('/api/v1/public/confirm/') ? CONFIRM_API : API } as typeof route.config;
  });
  await app.register(helmet, WEB);
  app.addHook('onSend', (request, reply, _payload, done) => {
    const url = request.url;
    if (url.startsWith('/api/')) {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    } else if (CONFIRM_PAGE.test(url)) {
      reply.header('referrer-policy', 'no-referrer');
    }
    done();
  });
}
