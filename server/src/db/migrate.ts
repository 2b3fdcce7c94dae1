import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database_ } from './index.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0003 from './migrations/0003_jobs.js';

/**
 * The ordered list of migrations. Static imports (not a folder scan) so the list is the same
 * from source, from the build and in tests. Append; never edit a migration that has shipped.
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0003_jobs': m0003,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(database: Database_): Promise<string[]> {
  // With a non-default schema the migrator must be told, or its introspection finds the
  // bookkeeping tables of another schema on the same server and skips creating its own.
  const migrator = new Migrator({ db: database.db, provider, ...(database.schema ? { migrationTableSchema: database.schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
