import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { DB } from './schema.js';
import type { DialectName } from './dialect.js';

// PostgreSQL returns int8 (our epoch-millisecond instants, bigint ids, count(*)) as strings;
// every value we store fits in a double, so parse them as numbers once, globally.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric (avg(), sum() over bigints) likewise.
pg.types.setTypeParser(1700, (v) => Number(v));

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
export type DbOrTx = Db | Tx;

export interface Database_ {
  db: Db;
  dialect: DialectName;
  /** Human description for logs and benchmarks (never includes a password). */
  describe: string;
  /** The PostgreSQL schema in use when not the default (Kysely's migrator must be told). */
  schema?: string;
  /** The installation's DATA_DIR when opened from its configuration (migration 0015 imports files from it). */
  dataDir?: string;
  /** The PostgreSQL pool (for metrics), absent on SQLite. */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | null;
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests isolate each suite in its own schema). */
  pgSchema?: string;
  poolSize?: number;
}

export function openDatabase(opts: OpenOptions): Database_ {
  if (opts.databaseUrl && /^postgres(ql)?:/.test(opts.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(opts.databaseUrl);
    return {
      db,
      dialect: 'postgres',
      pool,
      schema: opts.pgSchema,
      describe: `postgres://${u.host}${u.pathname}${opts.pgSchema ? ` (schema ${opts.pgSchema})` : ''}`,
      close: () => db.destroy(),
    };
  }
  const file = opts.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', describe: `sqlite:${file}`, close: () => db.destroy() };
}

/**
 * Kysely's SQLite driver prepares every query afresh, and preparing costs more than running a
 * small query; our queries are built from a few hundred distinct SQL texts, so cache the
 * prepared statements by text. A statement still busy (an open iterator) is never handed out
 * twice: the caller gets a fresh one. SQLite re-prepares cached statements itself after a
 * schema change.
 */
function withStatementCache(sqlite: Database.Database, max = 2000): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (text: string): Database.Statement => {
    const hit = cache.get(text);
    if (hit && !hit.busy) return hit;
    const stmt = sqlite.prepare(text);
    if (!hit) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(text, stmt);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
