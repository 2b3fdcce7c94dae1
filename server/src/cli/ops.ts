import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { Database_ } from '../db/index.js';
import { backupDatabase, restoreDatabase } from '../ops/backup.js';
import { DemoRefused, formatLogins, loadDemo } from '../ops/demo.js';
import { openConfiguredDatabase, prepareDatabase } from '../runtime.js';

async function withConfiguredDatabase(fn: (database: Database_) => Promise<void>): Promise<void> {
  const database = openConfiguredDatabase(loadConfig());
  try {
    await fn(database);
  } finally {
    await database.close();
  }
}

const log = (line: string) => console.log(line);

/** `demo`, `backup FILE`, `restore FILE`. */
export function registerOpsCommands(program: Command): void {
  program
    .command('demo')
    .description('migrate, then load a Chinese demo data set with a login for every role (empty database only)')
    .action(() =>
      withConfiguredDatabase(async (database) => {
        log(`database: ${database.describe}`);
        const applied = await prepareDatabase(database);
        if (applied.length) log(`migrated: ${applied.join(', ')}`);
        try {
          const result = await loadDemo(database, log);
          log('');
          log(`demo loaded: ${Object.entries(result.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
          log('');
          log(formatLogins(result.logins));
          log('');
          log('start the server with `npx yunwei serve` and open http://127.0.0.1:8080');
        } catch (err) {
          if (!(err instanceof DemoRefused)) throw err;
          console.error(err.message);
          process.exitCode = 1;
        }
      }),
    );

  program
    .command('backup')
    .argument('<file>', 'where to write the backup (gzip\'d JSON Lines, e.g. yunwei-2026-03-01.jsonl.gz)')
    .description('write a consistent, database-independent backup of all data while the service runs')
    .action((file: string) =>
      withConfiguredDatabase(async (database) => {
        const target = path.resolve(file);
        log(`backing up ${database.describe} to ${target}`);
        const started = Date.now();
        const summary = await backupDatabase(database, target, log);
        const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
        log(`backup written: ${summary.tables} tables, ${total} rows, ${summary.bytes} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }),
    );

  program
    .command('restore')
    .argument('<file>', 'a file written by `yunwei backup` (from SQLite or PostgreSQL)')
    .option('--force', 'replace all data of a database that is not empty')
    .description('restore a backup into an empty database (stop `yunwei serve` first), then verify the audit chain')
    .action((file: string, opts: { force?: boolean }) =>
      withConfiguredDatabase(async (database) => {
        log(`restoring ${path.resolve(file)} into ${database.describe}`);
        const started = Date.now();
        const summary = await restoreDatabase(database, path.resolve(file), { force: opts.force, log });
        const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
        if (summary.migrated.length) log(`migrated: ${summary.migrated.join(', ')}`);
        log(`restored ${Object.keys(summary.rows).length} tables, ${total} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        if (summary.chain.ok) {
          log(`audit chain verified: ${summary.chain.checked} entries`);
        } else {
          console.error(`audit chain does NOT verify: row ${summary.chain.firstBadId} ${summary.chain.reason} (after ${summary.chain.checked} good entries)`);
          process.exitCode = 1;
        }
      }),
    );
}
