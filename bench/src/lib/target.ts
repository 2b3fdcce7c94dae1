import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database_ } from '../../../server/src/db/index.js';

/** Where a data set lives: a SQLite file, or a schema of a PostgreSQL database. */
export type Target = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

/** `sqlite:FILE` or `postgres://…` (with `schema`, default `bench`: never the default schema of a real database). */
export function parseTarget(spec: string, schema = 'bench'): Target {
  if (/^postgres(ql)?:/.test(spec)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    return { kind: 'postgres', url: spec, schema };
  }
  const file = spec.replace(/^sqlite:/, '');
  if (!file) throw new Error('--db sqlite:FILE needs a file name');
  return { kind: 'sqlite', file: path.resolve(file) };
}

export function describeTarget(t: Target): string {
  if (t.kind === 'sqlite') return `sqlite:${t.file}`;
  const u = new URL(t.url);
  return `postgres://${u.host}${u.pathname} (schema ${t.schema})`;
}

export function openTarget(t: Target, poolSize = 10): Database_ {
  return t.kind === 'sqlite' ? openDatabase({ sqliteFile: t.file }) : openDatabase({ databaseUrl: t.url, pgSchema: t.schema, poolSize });
}

/** The DATABASE_URL / DATA_DIR a `yunwei serve` process needs to use this target. */
export function serveEnv(t: Target): Record<string, string> {
  if (t.kind === 'sqlite') {
    if (path.basename(t.file) !== 'yunwei.db') throw new Error(`serve reads DATA_DIR/yunwei.db; the target is ${t.file}`);
    return { DATA_DIR: path.dirname(t.file) };
  }
  const u = new URL(t.url);
  u.searchParams.set('options', `-c search_path=${t.schema}`);
  return { DATABASE_URL: u.toString() };
}

/** Removes whatever is there (the SQLite file and its WAL, or the schema) and leaves an empty target. */
export async function resetTarget(t: Target): Promise<void> {
  if (t.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(t.file), { recursive: true });
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(t.file + suffix, { force: true });
    return;
  }
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${t.schema} cascade`);
    await client.query(`create schema ${t.schema}`);
  } finally {
    await client.end();
  }
}

export async function dropTarget(t: Target): Promise<void> {
  if (t.kind === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(t.file + suffix, { force: true });
    return;
  }
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${t.schema} cascade`);
  } finally {
    await client.end();
  }
}
