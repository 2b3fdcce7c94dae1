import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, PostgresAdapter } from 'kysely';

/**
 * The few things that are not portable between SQLite and PostgreSQL live here, so that
 * migrations and repositories stay dialect-free everywhere else.
 */
export type DialectName = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Adds an auto-increment integer primary key `id`. */
export function withId<T extends string>(db: Kysely<any>, t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return dialectOf(db) === 'postgres'
    ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Column type for epoch-millisecond instants and foreign keys to `withId` tables. */
export const BIGINT = 'bigint' as const;

/** Column type for binary content (file chunks); both drivers read it back as a Buffer. */
export function bytesType(db: Kysely<any>): 'bytea' | 'blob' {
  return dialectOf(db) === 'postgres' ? 'bytea' : 'blob';
}

/** Booleans are stored as 0/1 integers on both dialects so results are identical. */
export const BOOL = 'integer' as const;

export function notNull(c: ColumnDefinitionBuilder) {
  return c.notNull();
}

/** Case-insensitive "contains" for search boxes. Escapes LIKE wildcards in the user's text. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** `lower(col) like lower(pattern) escape '\'`, portable. */
export function ilike(column: string, text: string) {
  return sql<boolean>`lower(${sql.ref(column)}) like lower(${likeContains(text)}) escape '\\'`;
}

/**
 * Serialises writers where a total order matters (the audit hash chain). On PostgreSQL a
 * transaction-scoped advisory lock; SQLite already has a single writer per database.
 */
export async function lockForChain(db: Kysely<any>, key: number): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(${key})`.execute(db);
}
