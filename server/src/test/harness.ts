import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database_ } from '../db/index.js';
import { prepareDatabase } from '../runtime.js';
import { hashPassword } from '../platform/auth/password.js';
import { fanOut, FANOUT_JOB, type EmittedEvent } from '../platform/notify/service.js';

/**
 * The integration-test harness: every suite runs against real databases — SQLite always,
 * PostgreSQL too when TEST_POSTGRES_URL is set (each suite in its own schema, dropped after).
 */
export type DbKind = 'sqlite' | 'postgres';

export function dbKinds(): DbKind[] {
  return process.env.TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** `describe` once per database kind. */
export function describeDb(name: string, fn: (kind: DbKind) => void) {
  describe.each(dbKinds())(`${name} [%s]`, (kind) => fn(kind as DbKind));
}

export interface TestDatabase {
  database: Database_;
  close(): Promise<void>;
}

/** An empty database (not migrated): SQLite in memory, or a fresh PostgreSQL schema dropped by `close`. */
export async function emptyDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const database = openDatabase({ sqliteFile: ':memory:' });
    return { database, close: () => database.close() };
  }
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set but a PostgreSQL suite was requested');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase({ databaseUrl: url, pgSchema: schema, poolSize: 5 });
  return {
    database,
    async close() {
      await database.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/** A migrated database with the built-in rows, as `yunwei migrate` leaves it. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const t = await emptyDatabase(kind);
  await prepareDatabase(t.database);
  return t;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: '/tmp/yunwei-test', ...overrides });
}

export interface TestApp {
  app: FastifyInstance;
  database: Database_;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApp(kind: DbKind, env: Record<string, string> = {}): Promise<TestApp> {
  const { database, close } = await createTestDatabase(kind);
  const config = testConfig(env);
  const app = await buildApp({ config, database, logger: env.LOG_LEVEL === 'error' ? { level: 'error' } : false });
  await app.ready();
  return {
    app,
    database,
    config,
    async close() {
      await app.close();
      await close();
    },
  };
}

export const STRONG_PASSWORD = 'Yunwei#2026-Strong';

/** Inserts a user with the given role codes directly (for test setup). */
export async function insertUser(database: Database_, u: { username: string; password?: string; roles: string[]; customerId?: number | null; displayName?: string; locale?: string }): Promise<number> {
  const now = Date.now();
  const row = await database.db
    .insertInto('users')
    .values({
      username: u.username,
      display_name: u.displayName ?? u.username,
      email: null,
      phone: null,
      password_hash: await hashPassword(u.password ?? STRONG_PASSWORD),
      locale: u.locale ?? 'zh-CN',
      customer_id: u.customerId ?? null,
      disabled: 0,
      failed_logins: 0,
      locked_until: null,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const roles = u.roles.length ? await database.db.selectFrom('roles').select(['id', 'code']).where('code', 'in', u.roles).execute() : [];
  if (roles.length !== u.roles.length) throw new Error(`unknown role in ${u.roles.join(',')}`);
  if (roles.length) await database.db.insertInto('user_roles').values(roles.map((r) => ({ user_id: row.id, role_id: r.id }))).execute();
  return row.id;
}

/** A logged-in client for `app.inject`: carries the session cookie and the CSRF header. */
export interface Session {
  cookie: string;
  csrf: string;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

export async function login(app: FastifyInstance, username: string, password = STRONG_PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const cookies = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return {
    cookie: cookies,
    csrf,
    request(opts) {
      const headers = { ...(opts.headers ?? {}), cookie: cookies, 'x-csrf-token': csrf };
      return app.inject({ ...opts, headers });
    },
  };
}

/**
 * Runs the notification fan-out jobs queued so far, in order, and nothing else: what the
 * scheduler does a moment after a change, for tests that look at notifications without
 * running other jobs (an SLA job run early would change what they test).
 */
export async function fanOutQueued(database: Database_): Promise<number> {
  const jobs = await database.db.selectFrom('jobs').select(['id', 'payload']).where('kind', '=', FANOUT_JOB).where('status', '=', 'pending').orderBy('id').execute();
  for (const job of jobs) {
    await database.db.transaction().execute(async (trx) => {
      await fanOut(trx, JSON.parse(job.payload) as EmittedEvent);
      await trx.deleteFrom('jobs').where('id', '=', job.id).execute();
    });
  }
  return jobs.length;
}
