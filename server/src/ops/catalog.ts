import { sql, type Kysely } from 'kysely';
import { dialectOf, type DialectName } from '../db/dialect.js';
import type { Db, DbOrTx } from '../db/index.js';

/**
 * What backup and restore need to know about the tables, read from the database's own
 * catalogue (sqlite_master pragmas / pg_catalog) so that every table any migration creates is
 * covered without a list to keep in sync. Kysely's migration bookkeeping is left out: restore
 * rebuilds it by migrating.
 */
export interface ForeignKey {
  column: string;
  refTable: string;
  refColumn: string;
}

export interface TableInfo {
  name: string;
  /** Insertable columns in declaration order (generated columns are left out). */
  columns: string[];
  primaryKey: string[];
  nullable: Set<string>;
  foreignKeys: ForeignKey[];
  /** PostgreSQL identity / serial columns whose sequence must follow the restored ids. */
  identity: string[];
  /** Has blob / bytea columns (file content, 256 KiB a row): read and written a few rows at a time. */
  binary: boolean;
}

type AnyDb = Kysely<any>;

/**
 * Tables a backup leaves out: the migrator's own, SQLite's, and the full-text index (search_*:
 * derived from the records, and shaped per database — a tsvector column on PostgreSQL, an FTS5
 * table on SQLite — so it could not move between them anyway). `yunwei restore` rebuilds it.
 */
function isBookkeeping(name: string): boolean {
  return name.startsWith('kysely_migration') || name.startsWith('sqlite_') || name.startsWith('search_');
}

async function sqliteTables(db: AnyDb): Promise<TableInfo[]> {
  // pragma_table_list types FTS shadow tables as 'shadow' and virtual tables as 'virtual', so
  // only real tables remain; search indexes are derived data that modules rebuild.
  const names = await sql<{ name: string }>`select name from pragma_table_list where schema = 'main' and type = 'table' order by name`.execute(db);
  const out: TableInfo[] = [];
  for (const { name } of names.rows) {
    if (isBookkeeping(name)) continue;
    const cols = await sql<{ name: string; type: string; notnull: number; pk: number }>`select name, type, "notnull", pk from pragma_table_info(${name}) order by cid`.execute(db);
    const fks = await sql<{ from: string; table: string; to: string | null }>`select "from", "table", "to" from pragma_foreign_key_list(${name}) order by id, seq`.execute(db);
    const pkCols = cols.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    out.push({
      name,
      columns: cols.rows.map((c) => c.name),
      primaryKey: pkCols.map((c) => c.name),
      nullable: new Set(cols.rows.filter((c) => !c.notnull && c.pk === 0).map((c) => c.name)),
      foreignKeys: fks.rows.map((f) => ({ column: f.from, refTable: f.table, refColumn: f.to ?? 'id' })),
      identity: [],
      binary: cols.rows.some((c) => c.type.toLowerCase() === 'blob'),
    });
  }
  return out;
}

async function postgresTables(db: AnyDb): Promise<TableInfo[]> {
  const names = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const cols = await sql<{ table: string; name: string; type: string; nullable: string; identity: string; dflt: string | null }>`
    select table_name as "table", column_name as name, data_type as type, is_nullable as nullable, is_identity as identity, column_default as dflt
    from information_schema.columns
    where table_schema = current_schema() and is_generated = 'NEVER'
    order by table_name, ordinal_position`.execute(db);
  const pks = await sql<{ table: string; name: string }>`
    select c.relname as "table", a.attname as name
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indisprimary and n.nspname = current_schema()
    order by c.relname, array_position(i.indkey::int2[], a.attnum)`.execute(db);
  const fks = await sql<{ table: string; column: string; ref_table: string; ref_column: string }>`
    select cl.relname as "table", a.attname as "column", rc.relname as ref_table, ra.attname as ref_column
    from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    join pg_class rc on rc.oid = c.confrelid
    cross join lateral unnest(c.conkey, c.confkey) as k(attnum, refnum)
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
    join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = k.refnum
    where c.contype = 'f' and n.nspname = current_schema()
    order by cl.relname, c.conname`.execute(db);
  const out: TableInfo[] = [];
  for (const { name } of names.rows) {
    if (isBookkeeping(name)) continue;
    const own = cols.rows.filter((c) => c.table === name);
    out.push({
      name,
      columns: own.map((c) => c.name),
      primaryKey: pks.rows.filter((p) => p.table === name).map((p) => p.name),
      nullable: new Set(own.filter((c) => c.nullable === 'YES').map((c) => c.name)),
      foreignKeys: fks.rows.filter((f) => f.table === name).map((f) => ({ column: f.column, refTable: f.ref_table, refColumn: f.ref_column })),
      identity: own.filter((c) => c.identity === 'YES' || (c.dflt ?? '').startsWith('nextval(')).map((c) => c.name),
      binary: own.some((c) => c.type === 'bytea'),
    });
  }
  return out;
}

/**
 * Orders tables so that every table comes after the tables it references (Kahn's algorithm,
 * ties by name so the order is stable). Self-references and cycles cannot be ordered away;
 * restore handles those columns itself (see `restore.ts`).
 */
export function orderByDependencies(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const pending = new Map(tables.map((t) => [t.name, new Set(t.foreignKeys.map((f) => f.refTable).filter((r) => r !== t.name && byName.has(r)))]));
  const ordered: TableInfo[] = [];
  while (pending.size) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([n]) => n).sort();
    // A cycle: take the alphabetically first remaining table and let restore defer its links.
    const next = ready.length ? ready : [[...pending.keys()].sort()[0]];
    for (const n of next) {
      pending.delete(n);
      ordered.push(byName.get(n)!);
      for (const deps of pending.values()) deps.delete(n);
    }
  }
  return ordered;
}

/** Every data table of the database, dependencies first. */
export async function listTables(db: DbOrTx): Promise<TableInfo[]> {
  const any = db as unknown as AnyDb;
  const tables = dialectOf(any) === 'postgres' ? await postgresTables(any) : await sqliteTables(any);
  for (const t of tables) {
    if (t.primaryKey.length === 0) throw new Error(`table ${t.name} has no primary key; backup reads every table in primary-key order`);
  }
  return orderByDependencies(tables);
}

/** Names of the migrations applied to this database, in order ([] when it was never migrated). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const any = db as unknown as AnyDb;
  const dialect: DialectName = dialectOf(any);
  const exists =
    dialect === 'postgres'
      ? await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = 'kysely_migration'`.execute(any)
      : await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(any);
  if (Number(exists.rows[0]?.n ?? 0) === 0) return [];
  const rows = await any.selectFrom('kysely_migration').select('name').orderBy('name').execute();
  return rows.map((r) => String(r.name));
}
