import type { ModuleRegistrar } from '../index.js';
import './messages.js';
import { segment } from '../../core/search/segment.js';
import { searchRoutes } from './routes.js';
import { SearchService } from './service.js';

/** Chinese full-text search over every module's records (docs/SEARCH.md). */
export const searchModule: ModuleRegistrar = (app, ctx) => {
  searchRoutes(app, ctx, new SearchService(ctx.database.db));
  // jieba's dictionary takes about a second to load: at start, not in the first user's search.
  app.addHook('onReady', async () => {
    segment('运维');
  });
};
