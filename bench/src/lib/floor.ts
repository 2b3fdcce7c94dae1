import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { DB } from '../../../server/src/db/schema.js';
import type { Target } from './target.js';

/**
 * The floor the API is measured against: the same SQL on a raw driver connection, prepared once
 * and run directly (no HTTP, validation, query building or serialisation), in the same process.
 * `capture` records the SQL a repository function produces, through a Kysely instance that
 * logs every query; `run` executes such a query raw.
 */
export interface RawQuery {
  sql: string;
  params: readonly unknown[];
}

export interface Raw {
  dialect: 'sqlite' | 'postgres';
  all(q: RawQuery): Promise<Array<Record<string, unknown>>>;
  /** Runs statements in one transaction (the unit the API's commands are). */
  transaction(queries: RawQuery[]): Promise<void>;
  explain(q: RawQuery): Promise<string[]>;
  /** Every table of the schema with its insertable columns (migration bookkeeping left out). */
  tables(): Promise<Array<{ name: string; columns: string[]; numericId: boolean }>>;
  /** The parameter placeholder for position n (1-based). */
  param(n: number): string;
  /** A Kysely that records the SQL of every query it runs (and runs it). */
  capturing(): { db: Kysely<DB>; queries: RawQuery[] };
  close(): Promise<void>;
}

export async function openRaw(target: Target): Promise<Raw> {
  return target.kind === 'sqlite' ? sqliteRaw(target.file) : postgresRaw(target.url, target.schema);
}

function sqliteRaw(file: string): Raw {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return {
    dialect: 'sqlite',
    async all(q) {
      const s = stmt(q.sql);
      return s.reader ? (s.all(...(q.params as unknown[])) as Array<Record<string, unknown>>) : (s.run(...(q.params as unknown[])), []);
    },
    async transaction(queries) {
      db.transaction(() => {
        for (const q of queries) {
          const s = stmt(q.sql);
          if (s.reader) s.all(...(q.params as unknown[]));
          else s.run(...(q.params as unknown[]));
        }
      })();
    },
    async explain(q) {
      return (db.prepare(`explain query plan ${q.sql}`).all(...(q.params as unknown[])) as Array<{ detail: string }>).map((r) => r.detail);
    },
    async tables() {
      const names = db.prepare(`select name from pragma_table_list where schema = 'main' and type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`).all() as Array<{ name: string }>;
      return names.map(({ name }) => {
        const cols = db.prepare('select name, type from pragma_table_info(?) order by cid').all(name) as Array<{ name: string; type: string }>;
        return { name, columns: cols.map((c) => c.name), numericId: cols.some((c) => c.name === 'id' && /int/i.test(c.type)) };
      });
    },
    param: () => '?',
    capturing() {
      const queries: RawQuery[] = [];
      const reader = new Database(file);
      const kdb = new Kysely<DB>({ dialect: new SqliteDialect({ database: reader }), log: (e) => void queries.push(fromCompiled(e.query)) });
      return { db: kdb, queries };
    },
    async close() {
      db.close();
    },
  };
}

async function postgresRaw(url: string, schema: string): Promise<Raw> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  const name = (sql: string) => `q${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
  const run = (q: RawQuery) => client.query({ name: name(q.sql), text: q.sql, values: q.params as unknown[] });
  const pools: pg.Pool[] = [];
  return {
    dialect: 'postgres',
    async all(q) {
      return (await run(q)).rows;
    },
    async transaction(queries) {
      await client.query('begin');
      try {
        for (const q of queries) await run(q);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    },
    async explain(q) {
      const r = await client.query({ text: `explain (format json) ${q.sql}`, values: q.params as unknown[] });
      const out: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        out.push(`${String(node['Node Type'])}${node['Relation Name'] ? ` on ${String(node['Relation Name'])}` : ''}${node['Index Name'] ? ` using ${String(node['Index Name'])}` : ''}`);
        for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
      };
      walk((r.rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0].Plan);
      return out;
    },
    async tables() {
      const r = await client.query<{ table: string; column: string; type: string }>(
        `select c.table_name as "table", c.column_name as "column", c.data_type as type
         from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
         where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER' and c.table_name not like 'kysely_%'
         order by c.table_name, c.ordinal_position`,
      );
      const out = new Map<string, { name: string; columns: string[]; numericId: boolean }>();
      for (const row of r.rows) {
        const t = out.get(row.table) ?? { name: row.table, columns: [], numericId: false };
        t.columns.push(row.column);
        if (row.column === 'id' && /int/.test(row.type)) t.numericId = true;
        out.set(row.table, t);
      }
      return [...out.values()];
    },
    param: (n) => `$${n}`,
    capturing() {
      const queries: RawQuery[] = [];
      const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 1 });
      pools.push(pool);
      const kdb = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: (e) => void queries.push(fromCompiled(e.query)) });
      return { db: kdb, queries };
    },
    async close() {
      await client.end();
      for (const p of pools) await p.end().catch(() => undefined);
    },
  };
}

function fromCompiled(q: CompiledQuery): RawQuery {
  return { sql: q.sql, params: q.parameters };
}

/** A plan that reads a whole big table (no index): `SCAN t` on SQLite, `Seq Scan on t` on PostgreSQL. */
export function fullScans(plan: string[], tables: readonly string[] = ['tickets', 'ticket_events', 'ticket_sla', 'jobs']): string[] {
  return plan.filter((line) => tables.some((t) => line.trim() === `SCAN ${t}` || line.trim() === `Seq Scan on ${t}`));
}
