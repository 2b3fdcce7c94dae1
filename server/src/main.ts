import { Command } from 'commander';
import { loadConfig } from './config.js';
import { openConfiguredDatabase, prepareDatabase } from './runtime.js';
import { registerCommands } from './cli/index.js';

const program = new Command();
program.name('yunwei').description('Yunwei (运维): IT operations service management').showHelpAfterError();

program
  .command('serve')
  .description('migrate, then serve the API, the web app and the background jobs')
  .action(async () => {
    const config = loadConfig();
    const database = openConfiguredDatabase(config);
    await prepareDatabase(database);
    // Loaded here, not at the top: the other commands need no web server and start faster.
    const { buildApp } = await import('./app.js');
    const app = await buildApp({ config, database });
    const close = async () => {
      await app.close();
      await database.close();
      process.exit(0);
    };
    process.on('SIGINT', close);
    process.on('SIGTERM', close);
    await app.listen({ port: config.port, host: config.host });
    // Inbound email's SMTP listener, when MAIL_IN_SMTP_PORT is set (docs/MAIL-IN.md); app.close() stops it.
    await app.mailIn.listener?.start();
    // Jobs that fell due while no process ran are claimed on the first tick.
    app.scheduler.start();
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const config = loadConfig();
    const database = openConfiguredDatabase(config);
    try {
      const applied = await prepareDatabase(database);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await database.close();
    }
  });

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
