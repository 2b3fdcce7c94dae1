import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.js';
import type { Database_ } from '../db/index.js';
import { backupDatabase, restoreDatabase } from '../ops/backup.js';
import { reindex } from '../modules/search/reindex.js';
import { DEMO_TICKETS, DemoExists, DemoRefused, formatLogins, loadDemo } from '../ops/demo.js';
import { Progress } from '../ops/progress.js';
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
    .description('migrate, then load a Chinese demo data set — organisation, SLA policies, dispatch rules, a year of tickets, signed repair reports, monitoring alerts and mail — with a login for every role (empty database only; says so and succeeds when the demo is there already)')
    .option('--tickets <n>', `tickets of the year of history (default ${DEMO_TICKETS})`, (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new InvalidArgumentError('a whole number from 0 to 1000000');
      return n;
    })
    .action((opts: { tickets?: number }) => {
      const config = loadConfig();
      return withConfiguredDatabase(async (database) => {
        log(`database: ${database.describe}`);
        const applied = await prepareDatabase(database);
        if (applied.length) log(`migrated: ${applied.join(', ')}`);
        const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
        let progress: Progress | null = null;
        try {
          const result = await loadDemo(database, log, Date.now(), {
            tickets: opts.tickets,
            autoCloseWorkdays: config.tickets.autoCloseWorkdays,
            progress: (done, total) => (progress ??= new Progress('演示工单 tickets', total, 'tickets', process.stderr.isTTY ? process.stderr : process.stdout)).update(done),
          });
          const open = Object.entries(result.states).filter(([s]) => !['resolved', 'closed', 'cancelled'].includes(s)).reduce((n, [, v]) => n + v, 0);
          log('');
          log(`demo loaded in ${result.seconds.toFixed(1)} s: ${Object.entries(result.counts).map(([k, v]) => `${v} ${k}`).join(', ')}; ${open} tickets open`);
          log('');
          log(formatLogins(result.logins));
          log('');
          log(`start the server with \`npx yunwei serve\` and open ${url}`);
        } catch (err) {
          if (err instanceof DemoExists) {
            log(err.message);
            log(`start the server with \`npx yunwei serve\` and open ${url}`);
            return;
          }
          if (!(err instanceof DemoRefused)) throw err;
          console.error(err.message);
          process.exitCode = 1;
        }
      });
    });

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
        // The full-text index is not in a backup (derived data, shaped per database): rebuilt here.
        const search = await reindex(database.db, { restart: true });
        log(`search index rebuilt: ${search.map((s) => `${s.kind} ${s.indexed}`).join(', ')}`);
        if (summary.chain.ok) {
          log(`audit chain verified: ${summary.chain.checked} entries`);
        } else {
          console.error(`audit chain does NOT verify: row ${summary.chain.firstBadId} ${summary.chain.reason} (after ${summary.chain.checked} good entries)`);
          process.exitCode = 1;
        }
      }),
    );
}
