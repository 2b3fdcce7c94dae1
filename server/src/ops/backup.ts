import fs from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { Database_, DbOrTx } from '../db/index.js';
import { MIGRATION_NAMES, migrateTo } from '../db/migrate.js';
import { verifyChain, type VerifyResult } from '../platform/audit/service.js';
import { prepareDatabase } from '../runtime.js';
import { appliedMigrations, listTables, type TableInfo } from './catalog.js';

/**
 * Logical, dialect-independent backups: gzip'd JSON Lines. Line 1 is the header; each table
 * follows as `{table, columns}` and then one JSON array per row (read in primary-key keyset
 * batches, so no table is ever held in memory); the last line `{end: true, rows}` carries the
 * row counts, so a truncated file is refused instead of half-restored. A backup taken on SQLite
 * restores into PostgreSQL and the other way round.
 */
export const BACKUP_FORMAT = 'yunwei-backup';
export const BACKUP_VERSION = 1;
const READ_BATCH = 5000;
/** Rows of a table with file content (256 KiB each) per read and per insert: 2 MiB, never a whole table. */
const BINARY_BATCH = 8;
/** SQLite allows 32766 bound parameters per statement, PostgreSQL 65535: stay under both. */
const MAX_PARAMS = 30000;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  migrations: string[];
  dialect: string;
  tables: string[];
}

interface TableLine {
  table: string;
  columns: string[];
}

interface EndLine {
  end: true;
  rows: Record<string, number>;
}

export type Log = (line: string) => void;

/** Non-JSON values (blobs, JSON columns PostgreSQL hands back parsed) get a tagged form. */
function encode(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.getTime();
  if (v !== null && typeof v === 'object') return { $json: v };
  return v;
}

function decode(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    if ('$base64' in v) return Buffer.from(String((v as { $base64: string }).$base64), 'base64');
    if ('$json' in v) return JSON.stringify((v as { $json: unknown }).$json);
  }
  return v;
}

/** `(a, b) > (x, y)`: row-value comparison, understood by SQLite and PostgreSQL alike. */
function after(primaryKey: string[], last: unknown[]) {
  return sql<boolean>`(${sql.join(primaryKey.map((c) => sql.ref(c)))}) > (${sql.join(last)})`;
}

export interface BackupSummary {
  file: string;
  tables: number;
  rows: Record<string, number>;
  bytes: number;
}

/**
 * Writes a backup of every table to `file` (via a temporary file renamed at the end, so a
 * failed backup never leaves a plausible-looking partial file). Reads run in one transaction,
 * so the backup is a consistent snapshot while the service keeps running.
 */
export async function backupDatabase(database: Database_, file: string, log: Log = () => {}): Promise<BackupSummary> {
  const migrations = await appliedMigrations(database.db);
  if (migrations.length === 0) throw new Error(`${database.describe} holds no Yunwei database (never migrated); nothing to back up`);
  const tmp = `${file}.partial-${process.pid}`;
  const gzip = zlib.createGzip();
  const written = pipelinePromise(gzip, fs.createWriteStream(tmp));
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  const rows: Record<string, number> = {};
  try {
    const begin = database.db.transaction();
    // PostgreSQL: one snapshot for every table. SQLite (WAL): a read transaction is a snapshot.
    const trxBuilder = database.dialect === 'postgres' ? begin.setIsolationLevel('repeatable read') : begin;
    await trxBuilder.execute(async (trx) => {
      const tables = await listTables(trx);
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        migrations,
        dialect: database.dialect,
        tables: tables.map((t) => t.name),
      };
      await write(`${JSON.stringify(header)}\n`);
      for (const table of tables) rows[table.name] = await backupTable(trx, table, write, log);
    });
    const end: EndLine = { end: true, rows };
    await write(`${JSON.stringify(end)}\n`);
    gzip.end();
    await written;
    fs.renameSync(tmp, file);
  } catch (err) {
    gzip.destroy();
    await written.catch(() => {});
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { file, tables: Object.keys(rows).length, rows, bytes: fs.statSync(file).size };
}

async function backupTable(trx: DbOrTx, table: TableInfo, write: (text: string) => Promise<void>, log: Log): Promise<number> {
  const db = trx as unknown as Kysely<any>;
  const line: TableLine = { table: table.name, columns: table.columns };
  await write(`${JSON.stringify(line)}\n`);
  let last: unknown[] | null = null;
  let count = 0;
  const batchRows = table.binary ? BINARY_BATCH : READ_BATCH;
  for (;;) {
    let q = db
      .selectFrom(table.name)
      .select(table.columns.map((c) => sql.ref(c).as(c)))
      .limit(batchRows);
    for (const c of table.primaryKey) q = q.orderBy(sql.ref(c));
    if (last) q = q.where(after(table.primaryKey, last));
    const batch = await q.execute();
    if (batch.length === 0) break;
    await write(batch.map((r) => `${JSON.stringify(table.columns.map((c) => encode(r[c])))}\n`).join(''));
    count += batch.length;
    const tail = batch[batch.length - 1];
    last = table.primaryKey.map((c) => tail[c]);
    if (count % 100_000 === 0) log(`  ${table.name}: ${count} rows…`);
    if (batch.length < batchRows) break;
  }
  log(`  ${table.name}: ${count} rows`);
  return count;
}

/** Splits the gunzipped file into lines; stream errors (not gzip, truncated) surface here. */
async function* readLines(file: string): AsyncGenerator<string> {
  const gunzip = pipeline(fs.createReadStream(file), zlib.createGunzip(), () => {});
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of gunzip) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest) yield rest;
}

export interface RestoreOptions {
  /** Replace the data of a database that already holds some. */
  force?: boolean;
  log?: Log;
}

export interface RestoreSummary {
  rows: Record<string, number>;
  migrated: string[];
  chain: VerifyResult;
}

/** Data a restore would overwrite: an installation in use always has users or audit entries. */
async function existingData(db: Kysely<any>, tables: TableInfo[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of ['users', 'customers', 'audit_log']) {
    if (!tables.some((t) => t.name === name)) continue;
    const r = await db.selectFrom(name).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    if (Number(r.n) > 0) found.push(`${name}: ${Number(r.n)}`);
  }
  return found;
}

function parseLine(line: string, n: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`backup file is damaged: line ${n} is not JSON`);
  }
}

/**
 * Restores a backup into this database. A never-migrated database is first migrated to the
 * backup's schema; an already migrated one must be at exactly the backup's migrations. After
 * the data (one transaction: all or nothing) the database is migrated to this version's latest
 * schema, and the audit chain is verified.
 */
export async function restoreDatabase(database: Database_, file: string, opts: RestoreOptions = {}): Promise<RestoreSummary> {
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  const lines = readLines(file);
  try {
    return await restoreLines(database, file, lines, opts);
  } finally {
    // Closes the file when restore stops early (refused, damaged file).
    await lines.return(undefined);
  }
}

async function restoreLines(database: Database_, file: string, lines: AsyncGenerator<string>, opts: RestoreOptions): Promise<RestoreSummary> {
  const log = opts.log ?? (() => {});
  let lineNo = 1;
  let first: IteratorResult<string>;
  try {
    first = await lines.next();
  } catch (err) {
    throw new Error(`${file} is not a Yunwei backup (${(err as Error).message})`);
  }
  const header = (first.done ? null : parseLine(first.value, 1)) as BackupHeader | null;
  if (!header || header.format !== BACKUP_FORMAT) throw new Error(`${file} is not a Yunwei backup`);
  if (header.version !== BACKUP_VERSION) throw new Error(`backup format version ${header.version} is not supported (this version reads ${BACKUP_VERSION})`);

  const migrated: string[] = [];
  const applied = await appliedMigrations(database.db);
  if (applied.length === 0) {
    const known = header.migrations.every((m, i) => MIGRATION_NAMES[i] === m);
    if (!known) throw new Error(`the backup was taken by a newer or different Yunwei (migrations ${header.migrations.join(', ')}); upgrade Yunwei first`);
    log(`migrating the empty database to the backup's schema (${header.migrations[header.migrations.length - 1]})`);
    migrated.push(...(await migrateTo(database, header.migrations[header.migrations.length - 1])));
  } else if (applied.join(',') !== header.migrations.join(',')) {
    throw new Error(
      `migrations differ: the backup has [${header.migrations.join(', ')}], this database has [${applied.join(', ')}]. ` +
        'Restore into a new, never-migrated database: restore migrates it to the backup\'s schema first.',
    );
  }

  const db = database.db as unknown as Kysely<any>;
  const targetTables = await listTables(database.db);
  const byName = new Map(targetTables.map((t) => [t.name, t]));
  const missing = header.tables.filter((t) => !byName.has(t));
  const extra = targetTables.filter((t) => !header.tables.includes(t.name)).map((t) => t.name);
  if (missing.length || extra.length) {
    throw new Error(`the backup's tables do not match this database's (only in backup: ${missing.join(', ') || '-'}; only in database: ${extra.join(', ') || '-'})`);
  }
  const inUse = await existingData(db, targetTables);
  if (inUse.length && !opts.force) {
    throw new Error(`${database.describe} already holds data (${inUse.join(', ')}). Restore needs an empty database; pass --force to replace all of its data.`);
  }

  const rows: Record<string, number> = {};
  await database.db.transaction().execute(async (trxDb) => {
    const trx = trxDb as unknown as Kysely<any>;
    // Also clears the rows `migrate` seeds (built-in roles, calendars): the backup has its own.
    if (database.dialect === 'postgres') {
      await sql`truncate table ${sql.join(targetTables.map((t) => sql.table(t.name)))}`.execute(trx);
    } else {
      for (const t of [...targetTables].reverse()) await trx.deleteFrom(t.name).execute();
    }
    const done = new Set<string>();
    const fixups: Array<{ table: TableInfo; key: unknown[]; column: string; value: unknown }> = [];
    let current: { table: TableInfo; columns: string[]; batch: unknown[][]; batchSize: number } | null = null;
    let end: EndLine | null = null;

    const flush = async () => {
      if (!current || current.batch.length === 0) return;
      const { table, columns, batch } = current;
      const objects = batch.map((values) => rowObject(table, columns, values, done, fixups));
      await trx.insertInto(table.name).values(objects).execute();
      rows[table.name] += batch.length;
      if (rows[table.name] % 100_000 < batch.length) log(`  ${table.name}: ${rows[table.name]} rows…`);
      current.batch = [];
    };
    const finishTable = async () => {
      if (!current) return;
      await flush();
      done.add(current.table.name);
      log(`  ${current.table.name}: ${rows[current.table.name]} rows`);
      current = null;
    };

    for await (const line of lines) {
      lineNo++;
      if (end) throw new Error(`backup file is damaged: data after the end marker (line ${lineNo})`);
      if (!line) continue;
      const value = parseLine(line, lineNo);
      if (Array.isArray(value)) {
        if (!current) throw new Error(`backup file is damaged: row before any table (line ${lineNo})`);
        current.batch.push(value.map(decode));
        if (current.batch.length >= current.batchSize) await flush();
      } else if (value && typeof value === 'object' && 'table' in value) {
        await finishTable();
        const { table: name, columns } = value as TableLine;
        const table = byName.get(name);
        if (!table) throw new Error(`backup file is damaged: unknown table ${name} (line ${lineNo})`);
        const diff = columns.filter((c) => !table.columns.includes(c)).concat(table.columns.filter((c) => !columns.includes(c)));
        if (diff.length) throw new Error(`table ${name}: the backup's columns differ from this database's (${diff.join(', ')})`);
        rows[name] = 0;
        const batchSize = table.binary ? BINARY_BATCH : Math.max(1, Math.min(READ_BATCH, Math.floor(MAX_PARAMS / columns.length)));
        current = { table, columns, batch: [], batchSize };
      } else if (value && typeof value === 'object' && 'end' in value) {
        await finishTable();
        end = value as EndLine;
      } else {
        throw new Error(`backup file is damaged: unexpected line ${lineNo}`);
      }
    }
    if (!end) throw new Error('backup file is incomplete (no end marker): it was cut short; nothing was restored');
    for (const [name, n] of Object.entries(end.rows)) {
      if ((rows[name] ?? 0) !== n) throw new Error(`backup file is damaged: table ${name} should have ${n} rows, found ${rows[name] ?? 0}; nothing was restored`);
    }

    // Links to rows that came later in the file (self-references, cycles), now that all exist.
    for (const f of fixups) {
      let q = trx.updateTable(f.table.name).set({ [f.column]: f.value });
      f.table.primaryKey.forEach((c, i) => {
        q = q.where(sql.ref(c), '=', f.key[i]);
      });
      await q.execute();
    }
    if (fixups.length) log(`  re-linked ${fixups.length} forward references`);

    if (database.dialect === 'postgres') {
      for (const t of targetTables) {
        for (const c of t.identity) {
          // Next id after the largest restored one, or 1 for an empty table.
          await sql`select setval(pg_get_serial_sequence(${`"${t.name}"`}, ${c}), coalesce(max(${sql.ref(c)}), 0) + 1, false) from ${sql.table(t.name)}`.execute(trx);
        }
      }
    }
  });

  // A backup from an older version is brought up to this version's schema and built-ins.
  migrated.push(...(await prepareDatabase(database)));
  const chain = await verifyChain(database.db);
  return { rows, migrated, chain };
}

/**
 * Builds one insertable row. A foreign key to a table not yet restored (a cycle), or to a row
 * of the same table with a larger key, is inserted as null and re-linked after all rows exist.
 */
function rowObject(
  table: TableInfo,
  columns: string[],
  values: unknown[],
  done: Set<string>,
  fixups: Array<{ table: TableInfo; key: unknown[]; column: string; value: unknown }>,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    row[c] = values[i];
  });
  for (const fk of table.foreignKeys) {
    const v = row[fk.column];
    if (v === null || v === undefined || done.has(fk.refTable)) continue;
    const selfBehind =
      fk.refTable === table.name &&
      table.primaryKey.length === 1 &&
      table.primaryKey[0] === fk.refColumn &&
      typeof v === 'number' &&
      typeof row[fk.refColumn] === 'number' &&
      v <= (row[fk.refColumn] as number);
    if (selfBehind) continue;
    if (!table.nullable.has(fk.column)) {
      throw new Error(`cannot restore ${table.name}.${fk.column}: it references ${fk.refTable}, which comes later in the backup, and may not be null`);
    }
    row[fk.column] = null;
    fixups.push({ table, key: table.primaryKey.map((c) => row[c]), column: fk.column, value: v });
  }
  return row;
}
