import path from 'node:path';
import type { Config } from './config.js';
import { openDatabase, type Database_ } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import { seedBuiltinRoles } from './platform/auth/seed.js';
import { seedModules } from './modules/index.js';

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
  return applied;
}
