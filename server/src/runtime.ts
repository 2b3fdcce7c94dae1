import path from 'node:path';
import type { Config } from './config.js';
import { openDatabase, type Database_ } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import { seedBuiltinRoles } from './platform/auth/seed.js';
import { seedModules } from './modules/index.js';
import { indexIfEmpty } from './modules/search/reindex.js';

/** Opens the configured database (SQLite under DATA_DIR unless DATABASE_URL is set). */
export function openConfiguredDatabase(config: Config): Database_ {
  const database = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'yunwei.db') });
  // Migrations may need it: 0015 moves the files under DATA_DIR/files into the database.
  return Object.assign(database, { dataDir: config.dataDir });
}

/** Applies pending migrations and the built-in rows every installation needs. */
export async function prepareDatabase(database: Database_): Promise<string[]> {
  const applied = await migrateToLatest(database);
  await seedBuiltinRoles(database.db);
  await seedModules(database.db);
  // An upgrade to full-text search (0024) finds records but an empty index: small installations
  // are indexed here, larger ones are told to run the resumable `yunwei search reindex`.
  const search = await indexIfEmpty(database.db);
  if (search.pending.length) console.warn(`search index is empty for ${search.pending.join(', ')}: run \`yunwei search reindex\` (docs/SEARCH.md)`);
  return applied;
}
