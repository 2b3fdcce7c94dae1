import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Rows } from '../../../server/src/ops/history/simulate.js';

/**
 * Bulk loading of the generated rows. Both writers take the column list of each table from the
 * rows themselves (typed by the tickets module's own row types), so a nullable column or table
 * added by a later migration is simply left to its default; they drop the secondary indexes of
 * the bulk tables for the load and recreate them afterwards from the exact definitions the
 * database reports (sqlite_master.sql / pg_get_indexdef), so the result is indexed as the
 * migrations define.
 */
export interface BulkWriter {
  dropIndexes(): Promise<void>;
  write(rows: Rows): Promise<void>;
  /** Recreates the indexes (reporting each) and commits. */
  finish(onIndex?: (name: string, ms: number) => void): Promise<void>;
  close(): Promise<void>;
}

/** The tables the generator fills in bulk, parents first. */
export const BULK_TABLES = ['tickets', 'ticket_events', 'ticket_sla', 'jobs', 'ticket_links', 'ticket_ratings'] as const;
type BulkTable = (typeof BULK_TABLES)[number];
const ROWS_OF: Record<BulkTable, keyof Rows> = { tickets: 'tickets', ticket_events: 'events', ticket_sla: 'sla', jobs: 'jobs', ticket_links: 'links', ticket_ratings: 'ratings' };

// ---------------------------------------------------------------- SQLite

/**
 * One connection, one prepared INSERT per table (multi-row: 32 rows per statement, then single
 * rows for the rest), large transactions, and the journal off while loading (the file is new:
 * a failed load is thrown away). WAL is switched back on at the end, as the server expects.
 */
export class SqliteWriter implements BulkWriter {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, { one: Database.Statement; many: Database.Statement; columns: string[] }>();
  private dropped: Array<{ name: string; sql: string }> = [];
  private rowsInTx = 0;
  private static readonly MANY = 32;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('cache_size = -262144');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.exec('begin');
  }

  async dropIndexes(): Promise<void> {
    const placeholders = BULK_TABLES.map(() => '?').join(', ');
    this.dropped = this.db.prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${placeholders}) order by name`).all(...BULK_TABLES) as Array<{ name: string; sql: string }>;
    for (const ix of this.dropped) this.db.exec(`drop index "${ix.name}"`);
  }

  private statement(table: string, columns: string[]) {
    let s = this.statements.get(table);
    if (!s) {
      const row = `(${columns.map(() => '?').join(', ')})`;
      const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
      s = { one: this.db.prepare(head + row), many: this.db.prepare(head + Array(SqliteWriter.MANY).fill(row).join(', ')), columns };
      this.statements.set(table, s);
    }
    return s;
  }

  async write(rows: Rows): Promise<void> {
    for (const table of BULK_TABLES) {
      const list = rows[ROWS_OF[table]] as Array<Record<string, unknown>>;
      if (!list.length) continue;
      const s = this.statement(table, Object.keys(list[0]));
      const width = s.columns.length;
      const many = new Array(width * SqliteWriter.MANY);
      let i = 0;
      for (; i + SqliteWriter.MANY <= list.length; i += SqliteWriter.MANY) {
        for (let r = 0; r < SqliteWriter.MANY; r++) {
          const row = list[i + r];
          for (let c = 0; c < width; c++) many[r * width + c] = row[s.columns[c]];
        }
        s.many.run(many);
      }
      const one = new Array(width);
      for (; i < list.length; i++) {
        const row = list[i];
        for (let c = 0; c < width; c++) one[c] = row[s.columns[c]];
        s.one.run(one);
      }
      this.rowsInTx += list.length;
    }
    if (this.rowsInTx > 2_000_000) {
      this.db.exec('commit');
      this.db.exec('begin');
      this.rowsInTx = 0;
    }
  }

  async finish(onIndex?: (name: string, ms: number) => void): Promise<void> {
    this.db.exec('commit');
    for (const ix of this.dropped) {
      const t0 = performance.now();
      this.db.exec(ix.sql);
      onIndex?.(ix.name, performance.now() - t0);
    }
    this.dropped = [];
  }

  async close(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('rollback');
    this.db.pragma('locking_mode = NORMAL');
    this.db.pragma('journal_mode = WAL');
    this.db.close();
  }
}

// ---------------------------------------------------------------- PostgreSQL

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (m) => (m === '\\' ? '\\\\' : m === '\t' ? '\\t' : m === '\n' ? '\\n' : '\\r')) : s;
}

/**
 * COPY FROM STDIN per table and batch. Foreign keys are not checked row by row during the load
 * (session_replication_role = replica: the rows are consistent by construction and the
 * constraints stay defined), which also lets the timeline (most of the rows) go through a
 * second connection in parallel: the server ingests on two backends while the generator
 * computes the next batch. Without the privilege for that, one connection and one transaction,
 * foreign keys checked. Indexes are dropped before the load (committed) and rebuilt after it,
 * the timeline's on the second connection while the tickets' are rebuilt on the first; a load
 * that fails leaves a schema to drop (`--replace`).
 */
export class PostgresWriter implements BulkWriter {
  private dropped: Array<{ name: string; def: string; table: string }> = [];
  private pending: Promise<void>[] = [];
  readonly notes: string[] = [];

  private constructor(
    private readonly main: pg.Client,
    /** The timeline's connection; absent when foreign keys must be checked (one transaction). */
    private readonly events: pg.Client | null,
  ) {}

  static async open(url: string, schema: string | undefined): Promise<PostgresWriter> {
    const connect = async () => {
      const client = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
      await client.connect();
      await client.query('set synchronous_commit = off');
      await client.query(`set maintenance_work_mem = '512MB'`);
      return client;
    };
    const main = await connect();
    let replica = true;
    try {
      await main.query('set session_replication_role = replica');
    } catch {
      replica = false;
    }
    const events = replica ? await connect() : null;
    if (events) await events.query('set session_replication_role = replica');
    const w = new PostgresWriter(main, events);
    w.notes.push(
      replica
        ? 'COPY on two connections (the timeline on its own), foreign keys not checked row by row during the load (session_replication_role = replica)'
        : 'COPY on one connection, foreign keys checked during the load (no privilege for session_replication_role)',
    );
    return w;
  }

  async dropIndexes(): Promise<void> {
    const r = await this.main.query<{ name: string; def: string; table: string }>(
      `select c.relname as name, pg_get_indexdef(c.oid) as def, t.relname as "table"
       from pg_index x
       join pg_class c on c.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
       where n.nspname = current_schema() and t.relname = any($1)
         and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
       order by c.relname`,
      [BULK_TABLES as unknown as string[]],
    );
    this.dropped = r.rows;
    for (const ix of this.dropped) await this.main.query(`drop index "${ix.name}"`);
    await this.main.query('begin');
    await this.events?.query('begin');
  }

  async write(rows: Rows): Promise<void> {
    // Encode now (CPU here), send when the previous batch is in.
    const chunks: Array<{ table: string; columns: string[]; text: string }> = [];
    for (const table of BULK_TABLES) {
      const list = rows[ROWS_OF[table]] as Array<Record<string, unknown>>;
      if (!list.length) continue;
      const columns = Object.keys(list[0]);
      const lines: string[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const row = list[i];
        let line = copyValue(row[columns[0]]);
        for (let c = 1; c < columns.length; c++) line += '\t' + copyValue(row[columns[c]]);
        lines[i] = line;
      }
      chunks.push({ table, columns, text: lines.join('\n') + '\n' });
    }
    await Promise.all(this.pending);
    const viaEvents = this.events ? chunks.filter((c) => c.table === 'ticket_events') : [];
    const viaMain = chunks.filter((c) => !viaEvents.includes(c));
    this.pending = [send(this.main, viaMain), ...(this.events ? [send(this.events, viaEvents)] : [])];
    // Surface a failure of this batch at the next write or at finish, never as an unhandled rejection.
    for (const p of this.pending) p.catch(() => undefined);
  }

  async finish(onIndex?: (name: string, ms: number) => void): Promise<void> {
    await Promise.all(this.pending);
    await this.main.query('commit');
    await this.events?.query('commit');
    const build = async (client: pg.Client, list: typeof this.dropped) => {
      for (const ix of list) {
        const t0 = performance.now();
        await client.query(ix.def);
        onIndex?.(ix.name, performance.now() - t0);
      }
    };
    const onEvents = this.events ? this.dropped.filter((ix) => ix.table === 'ticket_events') : [];
    await Promise.all([build(this.main, this.dropped.filter((ix) => !onEvents.includes(ix))), ...(this.events ? [build(this.events, onEvents)] : [])]);
    this.dropped = [];
    // Identity columns continue after the ids the generator chose: finishHistory (server/src/ops/history) sets them.
    // A bulk load leaves no statistics and no visibility map: the planner and index-only scans need both.
    const vacuum = async (client: pg.Client, tables: string[]) => {
      for (const table of tables) {
        const exists = await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
        if (exists.rows[0].t) await client.query(`vacuum (analyze) "${table}"`);
      }
    };
    const others = BULK_TABLES.filter((t) => t !== 'ticket_events');
    if (this.events) await Promise.all([vacuum(this.main, others), vacuum(this.events, ['ticket_events'])]);
    else await vacuum(this.main, [...BULK_TABLES]);
  }

  async close(): Promise<void> {
    await this.main.end();
    await this.events?.end();
  }
}

async function send(client: pg.Client, chunks: Array<{ table: string; columns: string[]; text: string }>): Promise<void> {
  for (const c of chunks) {
    const stream = client.query(copyFrom(`copy "${c.table}" (${c.columns.map((x) => `"${x}"`).join(', ')}) from stdin`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(c.text);
    });
  }
}
