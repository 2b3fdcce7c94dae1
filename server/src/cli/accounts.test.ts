import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { Database_ } from '../db/index.js';
import { openConfiguredDatabase } from '../runtime.js';
import { describeDb, testConfig } from '../test/harness.js';

// Each run starts a Node process that loads the app (about 2 s of CPU; more on a busy machine).
const SLOW = { timeout: 180_000 };

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `yunwei ...` as an operator types it: a separate process on the configured database. */
function yunwei(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: SERVER_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeDb('yunwei admin / token / audit CLI', (kind) => {
  const env: Record<string, string> = { LOG_LEVEL: 'silent', DATABASE_URL: '' };
  let dataDir: string;
  let pgDatabase: string | null = null;
  let app: FastifyInstance | null = null;
  let database: Database_ | null = null;

  /** The server side: an app built on the database the CLI wrote to. */
  async function server(): Promise<{ app: FastifyInstance; database: Database_ }> {
    if (!app || !database) {
      const config = testConfig(env);
      database = openConfiguredDatabase(config);
      app = await buildApp({ config, database, logger: false });
      await app.ready();
    }
    return { app, database };
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-cli-'));
    env.DATA_DIR = dataDir;
    if (kind === 'postgres') {
      // Its own database: the CLI opens DATABASE_URL exactly as an installation does.
      const url = new URL(process.env.TEST_POSTGRES_URL!);
      pgDatabase = `yw_cli_${randomBytes(5).toString('hex')}`;
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      await c.query(`create database ${pgDatabase}`);
      await c.end();
      url.pathname = `/${pgDatabase}`;
      env.DATABASE_URL = url.toString();
    }
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (pgDatabase) {
      const c = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
      await c.connect();
      await c.query(`drop database if exists ${pgDatabase} with (force)`);
      await c.end();
    }
  });

  it('admin create makes an administrator', SLOW, async () => {
    const r = await yunwei(env, 'admin', 'create', '--username', 'root.admin', '--password', 'Cli#Admin-2026x', '--display-name', '超级管理员');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^已创建管理员 root\.admin（编号 \d+）\n$/);
    const { app } = await server();
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'root.admin', password: 'Cli#Admin-2026x' } });
    expect(login.statusCode).toBe(200);
    expect(login.json().user).toMatchObject({ displayName: '超级管理员', roles: ['admin'] });
  });

  it('admin create refuses a weak password with every reason in Chinese, and a taken username', SLOW, async () => {
    const weak = await yunwei(env, 'admin', 'create', '--username', 'second.admin', '--password', 'weakpass');
    expect(weak.code).toBe(1);
    expect(weak.stdout).toBe('');
    expect(weak.stderr).toContain('密码长度必须超过 10 个字符（至少 11 个）');
    expect(weak.stderr).toContain('密码必须同时包含大写字母、数字、符号');

    const taken = await yunwei(env, 'admin', 'create', '--username', 'ROOT.ADMIN', '--password', 'Cli#Admin-2026y');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('“ROOT.ADMIN”已存在');

    const { database } = await server();
    const users = await database.db.selectFrom('users').select('username').execute();
    expect(users.map((u) => u.username)).toEqual(['root.admin']);
  });

  it('token create prints only a token that works as a bearer token, limited to its scopes', SLOW, async () => {
    const r = await yunwei(env, 'token', 'create', '--username', 'root.admin', '--expires', '30d', '--name', 'monitoring');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ywt_[A-Za-z0-9_-]{43}\n$/);
    const token = r.stdout.trim();
    const { app, database } = await server();
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().username).toBe('root.admin');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
      payload: { username: 'made.by.token', displayName: '令牌', roleCodes: ['engineer'], password: 'Token#User-2026' },
    });
    expect(created.statusCode).toBe(201);
    const row = await database.db.selectFrom('api_tokens').selectAll().where('name', '=', 'monitoring').executeTakeFirstOrThrow();
    expect(row.expires_at! - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(row.token_hash).not.toContain(token);

    const narrow = (await yunwei(env, 'token', 'create', '--username', 'root.admin', '--scopes', 'customers.read,users.read')).stdout.trim();
    const refused = await app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${narrow}` }, payload: { username: 'nope.user', displayName: 'x', roleCodes: ['engineer'], password: 'Token#User-2026' } });
    expect(refused.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${narrow}` } })).statusCode).toBe(200);

    // `account` reaches the user's own profile (not credentials); `*` alone does not.
    const account = (await yunwei(env, 'token', 'create', '--username', 'made.by.token', '--scopes', 'account')).stdout.trim();
    const profile = await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${account}` }, payload: { displayName: '令牌用户' } });
    expect(profile.statusCode).toBe(200);
    expect(profile.json().displayName).toBe('令牌用户');
    expect((await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` }, payload: { displayName: 'x' } })).statusCode).toBe(403);

    const engineerScope = await yunwei(env, 'token', 'create', '--username', 'made.by.token', '--scopes', 'users.write');
    expect(engineerScope.code).toBe(1);
    expect(engineerScope.stderr).toContain('无效的范围“users.write”');
    const badExpiry = await yunwei(env, 'token', 'create', '--username', 'root.admin', '--expires', 'soon');
    expect(badExpiry.code).toBe(1);
    expect(badExpiry.stdout).toBe('');
    const nobody = await yunwei(env, 'token', 'create', '--username', 'nobody');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('用户“nobody”不存在或已停用');
  });

  it('audit verify passes an intact chain, then names an altered row and the row after a removed one', SLOW, async () => {
    const { database } = await server();
    const db = database.db;
    const count = Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(count).toBeGreaterThan(4);
    const ok = await yunwei(env, 'audit', 'verify');
    expect(ok).toMatchObject({ code: 0, stdout: `ok: ${count} rows verified\n` });

    const ids = (await db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => Number(r.id));
    const victim = await db.selectFrom('audit_log').selectAll().where('id', '=', ids[2]).executeTakeFirstOrThrow();
    await db.updateTable('audit_log').set({ after: '{"roleCodes":["engineer"]}' }).where('id', '=', ids[2]).execute();
    const altered = await yunwei(env, 'audit', 'verify');
    expect(altered.code).toBe(1);
    expect(altered.stdout).toContain(`audit row ${ids[2]} was altered`);

    await db.updateTable('audit_log').set({ after: victim.after }).where('id', '=', ids[2]).execute();
    expect((await yunwei(env, 'audit', 'verify')).code).toBe(0);

    await db.deleteFrom('audit_log').where('id', '=', ids[1]).execute();
    const removed = await yunwei(env, 'audit', 'verify');
    expect(removed.code).toBe(1);
    expect(removed.stdout).toContain(`audit row ${ids[2]} does not link to its predecessor`);
  });
});
