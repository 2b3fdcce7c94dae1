import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database_ } from './index.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_organisation.js';
import * as m0003 from './migrations/0003_jobs.js';
import * as m0004 from './migrations/0004_roles_version.js';
import * as m0005 from './migrations/0005_calendars.js';
import * as m0006 from './migrations/0006_tickets.js';
import * as m0007 from './migrations/0007_notify.js';
import * as m0008 from './migrations/0008_repair_reports.js';
import * as m0009 from './migrations/0009_dispatch.js';
import * as m0010 from './migrations/0010_user_contact.js';
import * as m0011 from './migrations/0011_alert_sources.js';
import * as m0012 from './migrations/0012_mail_in.js';
import * as m0013 from './migrations/0013_contact_mail.js';
import * as m0014 from './migrations/0014_jobs_kind_due.js';
import * as m0015 from './migrations/0015_file_blobs.js';
import * as m0016 from './migrations/0016_auth_hardening.js';
import * as m0018 from './migrations/0018_settings.js';
import * as m0019 from './migrations/0019_caller.js';
import * as m0020 from './migrations/0020_sla_rules.js';
import * as m0021 from './migrations/0021_grant_reporting_knowledge.js';
import * as m0022 from './migrations/0022_reporting_daily.js';
import * as m0023 from './migrations/0023_service_reports.js';
import * as m0024 from './migrations/0024_search.js';
import * as m0025 from './migrations/0025_knowledge.js';
import * as m0026 from './migrations/0026_evidence_exports.js';
import * as m0027 from './migrations/0027_search_scope.js';
import * as m0028 from './migrations/0028_kpi_histograms.js';
import * as m0029 from './migrations/0029_report_answer_files.js';
import * as m0030 from './migrations/0030_cmdb.js';
import * as m0031 from './migrations/0031_grant_cmdb.js';
import * as m0033 from './migrations/0033_asset_reminders.js';
import * as m0032 from './migrations/0032_parts_reminders.js';
import * as m0034 from './migrations/0034_repairs.js';
import * as m0035 from './migrations/0035_cmdb_name_cover.js';
import * as m0036 from './migrations/0036_cmdb_ci_refs.js';

/** What a migration may need besides the database: 0015 imports the files under DATA_DIR. */
export interface MigrationContext {
  /** The installation's DATA_DIR; unknown when the database was opened without a configuration. */
  dataDir?: string;
}

type ContextMigration = { up(db: Kysely<any>, ctx: MigrationContext): Promise<void> };

/**
 * The ordered list of migrations. Static imports (not a folder scan) so the list is the same
 * from source, from the build and in tests. Append; never edit a migration that has shipped.
 */
const migrations: Record<string, ContextMigration> = {
  '0001_foundation': m0001,
  '0002_organisation': m0002,
  '0003_jobs': m0003,
  '0004_roles_version': m0004,
  '0005_calendars': m0005,
  '0006_tickets': m0006,
  '0007_notify': m0007,
  '0008_repair_reports': m0008,
  '0009_dispatch': m0009,
  '0010_user_contact': m0010,
  '0011_alert_sources': m0011,
  '0012_mail_in': m0012,
  '0013_contact_mail': m0013,
  '0014_jobs_kind_due': m0014,
  '0015_file_blobs': m0015,
  '0016_auth_hardening': m0016,
  '0018_settings': m0018,
  '0019_caller': m0019,
  '0020_sla_rules': m0020,
  '0021_grant_reporting_knowledge': m0021,
  '0022_reporting_daily': m0022,
  '0023_service_reports': m0023,
  '0024_search': m0024,
  '0025_knowledge': m0025,
  '0026_evidence_exports': m0026,
  '0027_search_scope': m0027,
  '0028_kpi_histograms': m0028,
  '0029_report_answer_files': m0029,
  '0030_cmdb': m0030,
  '0031_grant_cmdb': m0031,
  '0032_parts_reminders': m0032,
  '0033_asset_reminders': m0033,
  '0034_repairs': m0034,
  '0035_cmdb_name_cover': m0035,
  '0036_cmdb_ci_refs': m0036,
};

/** Binds each migration to the database's context (Kysely passes a migration only the database). */
function providerFor(database: Database_): MigrationProvider {
  const ctx: MigrationContext = { dataDir: database.dataDir };
  const bound = Object.entries(migrations).map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, ctx) }]);
  return { getMigrations: async () => Object.fromEntries(bound) };
}

/** Every migration this version knows, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

function migratorFor(database: Database_): Migrator {
  // With a non-default schema the migrator must be told, or its introspection finds the
  // bookkeeping tables of another schema on the same server and skips creating its own.
  // Numbers are handed out to work done in parallel, so one may land after a higher one was
  // applied (0027 after 0028 and 0029): it is applied then, not refused as out of order.
  return new Migrator({ db: database.db, provider: providerFor(database), allowUnorderedMigrations: true, ...(database.schema ? { migrationTableSchema: database.schema } : {}) });
}

export async function migrateToLatest(database: Database_): Promise<string[]> {
  const { error, results } = await migratorFor(database).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies migrations up to and including `name` (restore rebuilds a backup's schema this way). */
export async function migrateTo(database: Database_, name: string): Promise<string[]> {
  const { error, results } = await migratorFor(database).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
