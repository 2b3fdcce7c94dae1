import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Target } from '../lib/target.js';

/**
 * Bulk rows into the CMDB's tables of an existing data set (gen/cmdb.ts): rows are arrays in the
 * order of the table's column list. SQLite: one connection, prepared 64-row INSERTs, one
 * transaction per flush, synchronous off (WAL stays: the file already holds the tickets).
 * PostgreSQL: COPY per flush in one transaction, foreign keys not checked row by row where the
 * role may (session_replication_role = replica; the rows are consistent by construction).
 * Secondary indexes of the tables are dropped first and rebuilt at the end from the definitions
 * the database reports, so the result is indexed exactly as the migrations define.
 */
export interface CmdbSink {
  readonly dialect: 'sqlite' | 'postgres';
  dropIndexes(tables: readonly string[]): Promise<void>;
  add(table: string, columns: readonly string[], rows: unknown[][]): Promise<void>;
  /** Commits, rebuilds the dropped indexes (each reported), refreshes statistics and identities. */
  finish(tables: readonly string[], onIndex?: (name: string, ms: number) => void): Promise<void>;
  close(): Promise<void>;
}

export async function openSink(target: Target): Promise<CmdbSink> {
  return target.kind === 'sqlite' ? new SqliteSink(target.file) : PgSink.open(target.url, target.schema);
}

class SqliteSink implements CmdbSink {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, { one: Database.Statement; many: Database.Statement }>();
  private dropped: Array<{ name: string; sql: string }> = [];
  private static readonly MANY = 64;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('synchronous = OFF');
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('cache_size = -262144');
    this.db.pragma('temp_store = MEMORY');
  }

  async dropIndexes(tables: readonly string[]): Promise<void> {
    const marks = tables.map(() => '?').join(', ');
    this.dropped = this.db.prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${marks}) order by name`).all(...tables) as Array<{ name: string; sql: string }>;
    for (const ix of this.dropped) this.db.exec(`drop index "${ix.name}"`);
  }

  async add(table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
    if (!rows.length) return;
    const key = `${table}(${columns.join(',')})`;
    let s = this.statements.get(key);
    if (!s) {
      const one = `(${columns.map(() => '?').join(', ')})`;
      const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
      s = { one: this.db.prepare(head + one), many: this.db.prepare(head + Array(SqliteSink.MANY).fill(one).join(', ')) };
      this.statements.set(key, s);
    }
    const { one, many } = s;
    this.db.transaction(() => {
      let i = 0;
      for (; i + SqliteSink.MANY <= rows.length; i += SqliteSink.MANY) many.run(rows.slice(i, i + SqliteSink.MANY).flat());
      for (; i < rows.length; i++) one.run(rows[i]);
    })();
  }

  async finish(_tables: readonly string[], onIndex?: (name: string, ms: number) => void): Promise<void> {
    for (const ix of this.dropped) {
      const t0 = performance.now();
      this.db.exec(ix.sql);
      onIndex?.(ix.name, performance.now() - t0);
    }
    this.dropped = [];
    this.db.exec('analyze');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (m) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[m]!) : s;
}

class PgSink implements CmdbSink {
  readonly dialect = 'postgres' as const;
  private dropped: Array<{ name: string; def: string }> = [];

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string, schema: string): Promise<PgSink> {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query('set synchronous_commit = off');
    await client.query(`set maintenance_work_mem = '512MB'`);
    try {
      await client.query('set session_replication_role = replica');
    } catch {
      /* no privilege: foreign keys are checked, which is only slower */
    }
    return new PgSink(client);
  }

  async dropIndexes(tables: readonly string[]): Promise<void> {
    const r = await this.client.query<{ name: string; def: string }>(
      `select c.relname as name, pg_get_indexdef(c.oid) as def
         from pg_index x join pg_class c on c.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
         join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = current_schema() and t.relname = any($1)
          and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
        order by c.relname`,
      [[...tables]],
    );
    this.dropped = r.rows;
    for (const ix of this.dropped) await this.client.query(`drop index "${ix.name}"`);
    await this.client.query('begin');
  }

  async add(table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
    if (!rows.length) return;
    const text = rows.map((row) => row.map(copyText).join('\t')).join('\n') + '\n';
    const stream = this.client.query(copyFrom(`copy "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(text);
    });
  }

  async finish(tables: readonly string[], onIndex?: (name: string, ms: number) => void): Promise<void> {
    await this.client.query('commit');
    for (const ix of this.dropped) {
      const t0 = performance.now();
      await this.client.query(ix.def);
      onIndex?.(ix.name, performance.now() - t0);
    }
    this.dropped = [];
    for (const table of tables) {
      const hasId = await this.client.query(`select 1 from information_schema.columns where table_schema = current_schema() and table_name = $1 and column_name = 'id'`, [table]);
      if (hasId.rowCount) await this.client.query(`select setval(pg_get_serial_sequence('"${table}"', 'id'), greatest(1, (select coalesce(max(id), 0) from "${table}")))`);
      await this.client.query(`vacuum (analyze) "${table}"`);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
