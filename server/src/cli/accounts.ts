import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import type { Database_ } from '../db/index.js';
import { AccountsService } from '../modules/accounts/service.js';
import { userCreate } from '../modules/accounts/schema.js';
import { verifyChain } from '../platform/audit/service.js';
import { systemActor } from '../platform/auth/actor.js';
import { ACCOUNT_SCOPE, ALL_SCOPE, PERMISSION_CODES } from '../platform/auth/permissions.js';
import { findUserByUsername } from '../platform/auth/repo.js';
import { AuthService, createApiToken, parseExpiry } from '../platform/auth/service.js';
import { AppError, problemFromAppError, zodIssuesToProblems } from '../platform/http/errors.js';
import { t } from '../platform/i18n/index.js';
import { openConfiguredDatabase, prepareDatabase } from '../runtime.js';

/** The CLI speaks the product's default language; its output is read by the operator. */
const LOCALE = 'zh-CN';
export const CLI_WHO = { userId: null, name: 'cli', ip: null };

/** Opens the configured database (migrated), runs `fn`, closes it; an AppError exits 1 with its reasons. */
export async function withDatabase(fn: (database: Database_, config: Config) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const database = openConfiguredDatabase(config);
  try {
    await prepareDatabase(database);
    await fn(database, config);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const problem = problemFromAppError(err, LOCALE);
    // A validation error's title is only "输入有误"; the reasons follow, one a line.
    if (!problem.errors?.length) console.error(problem.title);
    else if (problem.code === 'validation') console.error([problem.title, ...problem.errors.map((e) => `  - ${e.message}`)].join('\n'));
    else for (const e of problem.errors) console.error(e.message);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}

function fail(key: string, params: Record<string, unknown>): never {
  throw new AppError(400, 'cli', key, params);
}

/** `admin create`, `token create`, `audit verify`. */
export function registerAccountCommands(program: Command): void {
  program
    .command('admin')
    .description('administrator accounts')
    .command('create')
    .description('create an administrator (role admin); the password must meet the password rule')
    .requiredOption('--username <username>', '3–64 characters: letters, digits, . _ @ -')
    .requiredOption('--password <password>', 'initial password')
    .option('--display-name <name>', 'display name (default: the username)')
    .action((opts: { username: string; password: string; displayName?: string }) =>
      withDatabase(async (database, config) => {
        const parsed = userCreate.safeParse({ username: opts.username, displayName: opts.displayName ?? (opts.username.trim() || 'admin'), password: opts.password, roleCodes: ['admin'] });
        if (!parsed.success) throw AppError.validation(zodIssuesToProblems(parsed.error.issues));
        const svc = new AccountsService(database.db, config);
        const user = await svc.createUser(systemActor('cli', PERMISSION_CODES), parsed.data);
        console.log(t(LOCALE, 'accounts.cli.adminCreated', { username: user.username, id: user.id }));
      }),
    );

  program
    .command('token')
    .description('API tokens for integrations')
    .command('create')
    .description('create an API token for a user and print it (only once) on stdout')
    .requiredOption('--username <username>', 'the user the token acts as')
    .option('--expires <spec>', 'lifetime such as 30d, 12h, 90m, an ISO instant, or never', '90d')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--scopes <list>', 'comma-separated permission codes, * for all of the user\'s, account for the user\'s own profile and inbox', '*')
    .action((opts: { username: string; expires: string; name: string; scopes: string }) =>
      withDatabase(async (database, config) => {
        const user = await findUserByUsername(database.db, opts.username);
        const actor = user ? await new AuthService(database.db, config).actorForUser(user.id, 'token', null) : null;
        if (!user || !actor) fail('accounts.cli.unknownUser', { username: opts.username });
        const expiresAt = opts.expires.trim() === 'never' ? null : parseExpiry(opts.expires);
        if (expiresAt === null && opts.expires.trim() !== 'never') fail('accounts.cli.badExpiry', { value: opts.expires });
        const scopes = [...new Set(opts.scopes.split(',').map((s) => s.trim()).filter(Boolean))];
        if (!scopes.length) fail('accounts.cli.badScope', { value: opts.scopes });
        // A token never carries what its user lacks; `account` (own profile and inbox) is every user's.
        for (const s of scopes) if (s !== ALL_SCOPE && s !== ACCOUNT_SCOPE && !actor.permissions.has(s)) fail('accounts.cli.badScope', { value: s });
        const name = opts.name.trim().slice(0, 100) || 'cli';
        const token = await createApiToken(database.db, user.id, name, scopes, expiresAt, CLI_WHO);
        console.log(token.token);
      }),
    );

  program
    .command('audit')
    .description('the audit log')
    .command('verify')
    .description('walk the hash chain; exit 1 naming the first altered row or the row after a removed one')
    .action(() =>
      withDatabase(async (database) => {
        const r = await verifyChain(database.db);
        if (r.ok) {
          console.log(`ok: ${r.checked} rows verified`);
          return;
        }
        const what = r.reason === 'altered' ? 'was altered' : 'does not link to its predecessor (a row before it was removed)';
        console.log(`FAILED: audit row ${r.firstBadId} ${what}; ${r.checked} rows verified before it`);
        process.exitCode = 1;
      }),
    );
}
