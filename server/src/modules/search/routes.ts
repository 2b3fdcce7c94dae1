import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { searchQuery, searchResult } from './schema.js';
import type { SearchService } from './service.js';

/**
 * GET /api/v1/search: one search across tickets, articles, CIs, contacts and customers, grouped
 * by kind. `self: 'identity'`: every signed-in user may ask; the service searches only the kinds
 * the caller may read, and the SQL only what his scope and audience allow (docs/SEARCH.md).
 */
export function searchRoutes(app: ZApp, _ctx: ModuleContext, service: SearchService) {
  app.get(
    '/api/v1/search',
    {
      config: { self: 'identity' },
      schema: {
        tags: ['search'],
        summary: 'Full-text search across tickets, knowledge articles, CIs, contacts and customers (Chinese-aware; grouped by kind)',
        querystring: searchQuery,
        response: { 200: searchResult },
      },
    },
    async (request) => service.search(actorOf(request), request.query),
  );
}
