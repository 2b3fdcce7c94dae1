import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database_ } from '../db/index.js';
import { recordAudit, verifyChain } from '../platform/audit/service.js';
import { buildApp } from '../app.js';
import { createTestDatabase, describeDb, login, testConfig, type DbKind, type TestDatabase } from '../test/harness.js';
import { ticketWorld } from '../test/tickets-fixture.js';
import { downloadStoredFiles, sha256, withStoredFiles } from '../test/uploads.js';
import { backupDatabase, restoreDatabase } from './backup.js';
import { listTables } from './catalog.js';
import { loadDemo } from './demo.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-backup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A database that was never migrated: what `yunwei restore` meets on a new installation. */
async function freshDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const database = openDatabase({ sqliteFile: path.join(tmp, `fresh-${randomBytes(4).toString('hex')}.db`) });
    return { database, close: () => database.close() };
  }
  const url = process.env.TEST_POSTGRES_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase({ databaseUrl: url, pgSchema: schema, poolSize: 3 });
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

/** Every row of every table, in primary-key order: two databases hold the same data iff equal. */
async function snapshot(database: Database_): Promise<Record<string, unknown[]>> {
  const db = database.db as unknown as Kysely<any>;
  const out: Record<string, unknown[]> = {};
  for (const t of await listTables(database.db)) {
    let q = db.selectFrom(t.name).select(t.columns.map((c) => sql.ref(c).as(c)));
    for (const c of t.primaryKey) q = q.orderBy(sql.ref(c));
    out[t.name] = await q.execute();
  }
  return out;
}

/**
 * Source data beyond the demo: several keyset batches (12,000 login attempts), a site whose
 * parent has a larger id (a forward self-reference restore must re-link), awkward text.
 */
async function fillSource(database: Database_): Promise<void> {
  const demo = await loadDemo(database);
  const db = database.db;
  const now = Date.now();
  for (let i = 0; i < 12_000; i += 2000) {
    await db.insertInto('login_attempts').values(Array.from({ length: 2000 }, (_, j) => ({ key: `ip:10.0.${(i + j) % 256}.${j % 256}`, at: now - i - j }))).execute();
  }
  const child = await db.insertInto('sites').values({ customer_id: demo.customerIds.school, parent_id: null, name: '实验楼 3F "物理实验室" \\ 🧪', kind: 'site', address: null, created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
  const parent = await db.insertInto('sites').values({ customer_id: demo.customerIds.school, parent_id: null, name: '实验楼', kind: 'site', address: '换行\n制表\t', created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
  await db.updateTable('sites').set({ parent_id: parent.id }).where('id', '=', child.id).execute();
  await recordAudit(db, { userId: null, name: 'test', ip: '127.0.0.1' }, { action: 'update', entity: 'sites', entityId: child.id, customerId: demo.customerIds.school, before: { parentId: null }, after: { parentId: parent.id } });
}

async function count(database: Database_, table: 'users' | 'customers' | 'audit_log'): Promise<number> {
  const r = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describeDb('backup and restore', (kind) => {
  let source: TestDatabase;
  let file: string;
  let expected: Record<string, unknown[]>;
  beforeAll(async () => {
    source = await createTestDatabase(kind);
    await fillSource(source.database);
    file = path.join(tmp, `source-${kind}.jsonl.gz`);
    const lines: string[] = [];
    const summary = await backupDatabase(source.database, file, (l) => lines.push(l));
    expect(summary.rows.login_attempts).toBe(12_000);
    expect(lines).toContain('  login_attempts: 12000 rows');
    expected = await snapshot(source.database);
  });
  afterAll(() => source.close());

  it('writes gzip\'d JSON Lines: header, each table with its columns, rows as arrays, an end marker', () => {
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'yunwei-backup', version: 1, dialect: kind });
    expect(lines[0].migrations[0]).toBe('0001_foundation');
    expect(lines[0].tables).not.toContain('kysely_migration');
    const tableLines = lines.filter((l) => !Array.isArray(l) && 'table' in l).map((l) => l.table);
    expect(tableLines).toEqual(lines[0].tables);
    // Referenced tables come before the tables that reference them.
    expect(tableLines.indexOf('customers')).toBeLessThan(tableLines.indexOf('contacts'));
    expect(tableLines.indexOf('users')).toBeLessThan(tableLines.indexOf('user_roles'));
    expect(lines[lines.length - 1]).toMatchObject({ end: true, rows: { customers: 3, login_attempts: 12_000 } });
  });

  for (const target of ['sqlite', 'postgres'] as const) {
    const run = target === 'sqlite' || process.env.TEST_POSTGRES_URL ? it : it.skip;
    run(`restores into a new ${target} database with the same rows and a verifying audit chain`, async () => {
      const t = await freshDatabase(target);
      try {
        const log: string[] = [];
        const summary = await restoreDatabase(t.database, file, { log: (l) => log.push(l) });
        expect(summary.chain).toMatchObject({ ok: true, checked: expected.audit_log.length });
        expect(log).toContain('  re-linked 1 forward references');
        expect(summary.rows.login_attempts).toBe(12_000);
        const got = await snapshot(t.database);
        expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
        for (const table of Object.keys(expected)) expect(got[table], table).toEqual(expected[table]);
        // New rows continue after the restored ids (PostgreSQL identity sequences were reset).
        const maxId = Math.max(...(expected.customers as Array<{ id: number }>).map((c) => c.id));
        const added = await t.database.db.insertInto('customers').values({ code: 'NEW', name: '新客户', tier: 3, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: 0, updated_at: 0, version: 1 }).returning('id').executeTakeFirstOrThrow();
        expect(Number(added.id)).toBe(maxId + 1);
        // And back again: a backup of the restored database restores to the same data.
        const again = path.join(tmp, `again-${kind}-${target}.jsonl.gz`);
        await t.database.db.deleteFrom('customers').where('code', '=', 'NEW').execute();
        await backupDatabase(t.database, again);
        const back = await freshDatabase(kind);
        try {
          await restoreDatabase(back.database, again);
          expect(await snapshot(back.database)).toEqual(expected);
        } finally {
          await back.close();
        }
      } finally {
        await t.close();
      }
    }, 120_000); // a demo-sized restore into PostgreSQL: 15–20 s alone, more beside other suites
  }

  it('restores into a migrated but empty database (built-in rows only)', async () => {
    const t = await createTestDatabase(kind);
    try {
      await restoreDatabase(t.database, file);
      expect(await snapshot(t.database)).toEqual(expected);
    } finally {
      await t.close();
    }
  });

  it('refuses a database that holds data unless forced, then replaces all of it', async () => {
    const t = await createTestDatabase(kind);
    try {
      await t.database.db.insertInto('customers').values({ code: 'OLD', name: '旧客户', tier: 2, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: 0, updated_at: 0, version: 1 }).execute();
      await expect(restoreDatabase(t.database, file)).rejects.toThrow(/already holds data \(customers: 1\).*--force/);
      expect(await count(t.database, 'customers')).toBe(1);
      const summary = await restoreDatabase(t.database, file, { force: true });
      expect(summary.chain.ok).toBe(true);
      expect(await snapshot(t.database)).toEqual(expected);
    } finally {
      await t.close();
    }
  });

  it('refuses a truncated file and restores nothing', async () => {
    const whole = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
    const cut = path.join(tmp, `cut-${kind}.jsonl.gz`);
    fs.writeFileSync(cut, zlib.gzipSync(whole.slice(0, Math.floor(whole.length / 2)).join('\n')));
    const t = await createTestDatabase(kind);
    try {
      await expect(restoreDatabase(t.database, cut)).rejects.toThrow(/incomplete/);
      expect(await count(t.database, 'users')).toBe(0);
      expect(await count(t.database, 'customers')).toBe(0);
      const roles = await t.database.db.selectFrom('roles').select('code').execute();
      expect(roles.length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('refuses a backup whose migrations differ from the database\'s, and a file that is not a backup', async () => {
    const whole = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
    const header = JSON.parse(whole[0]);
    header.migrations = [...header.migrations, '9999_future'];
    const future = path.join(tmp, `future-${kind}.jsonl.gz`);
    fs.writeFileSync(future, zlib.gzipSync([JSON.stringify(header), ...whole.slice(1)].join('\n')));
    const t = await createTestDatabase(kind);
    const fresh = await freshDatabase(kind);
    try {
      await expect(restoreDatabase(t.database, future)).rejects.toThrow(/migrations differ/);
      await expect(restoreDatabase(fresh.database, future)).rejects.toThrow(/newer or different Yunwei/);
      const plain = path.join(tmp, 'plain.txt');
      fs.writeFileSync(plain, 'hello');
      await expect(restoreDatabase(t.database, plain)).rejects.toThrow(/not a Yunwei backup/);
    } finally {
      await fresh.close();
      await t.close();
    }
  });

  it('detects an audit log altered inside a backup', async () => {
    const whole = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
    const at = whole.findIndex((l) => l.includes('"demo_load"'));
    const tampered = path.join(tmp, `tampered-${kind}.jsonl.gz`);
    whole[at] = whole[at].replace('"demo_load"', '"demo_loaded"');
    fs.writeFileSync(tampered, zlib.gzipSync(whole.join('\n')));
    const t = await freshDatabase(kind);
    try {
      const summary = await restoreDatabase(t.database, tampered);
      expect(summary.chain).toMatchObject({ ok: false, reason: 'altered' });
      expect((await verifyChain(t.database.db)).ok).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describeDb('backup and restore of uploaded files', (kind) => {
  it('round-trips a signed repair-report PDF and a ticket attachment byte for byte, served by a process with another DATA_DIR', async () => {
    const w = await ticketWorld(kind, { DATA_DIR: path.join(tmp, `files-source-${kind}`) });
    try {
      const files = await withStoredFiles(w);
      const before = await downloadStoredFiles(w.eng, files);
      expect(sha256(before.attachment)).toBe(sha256(files.attachment));
      expect(sha256(before.pdf)).toBe(files.pdfSha256);
      const file = path.join(tmp, `files-${kind}.jsonl.gz`);
      const summary = await backupDatabase(w.t.database, file);
      expect(summary.rows.file_blob_chunks).toBeGreaterThanOrEqual(3);
      const target = await freshDatabase(kind);
      try {
        await restoreDatabase(target.database, file);
        // Nothing of the source's DATA_DIR is needed: the restored database has every byte.
        const app = await buildApp({ config: testConfig({ DATA_DIR: path.join(tmp, `files-restored-${kind}`) }), database: target.database, logger: false });
        try {
          const after = await downloadStoredFiles(await login(app, 'eng'), files);
          expect(sha256(after.attachment)).toBe(sha256(files.attachment));
          expect(sha256(after.pdf)).toBe(files.pdfSha256);
        } finally {
          await app.close();
        }
      } finally {
        await target.close();
      }
    } finally {
      await w.t.close();
    }
  });
});

describe('backup file handling', () => {
  it('leaves no file behind when the backup fails', async () => {
    const database = openDatabase({ sqliteFile: ':memory:' });
    try {
      const target = path.join(tmp, 'never.jsonl.gz');
      await expect(backupDatabase(database, target)).rejects.toThrow(/never migrated/);
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('never'))).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
