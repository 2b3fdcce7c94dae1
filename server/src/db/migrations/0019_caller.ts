import { sql, type Kysely } from 'kysely';
import { contactKeys } from '../../modules/organisation/contact-keys.js';
import { dialectOf } from '../dialect.js';

/**
 * Unknown callers and the desk's caller lookup (docs/TICKETS.md, "Finding the caller"):
 * - contacts get indexed search keys: the name's pinyin and initials (`name_pinyin`,
 *   `name_initials`), the last four digits of phone and mobile (`phone_tail`, `mobile_tail`) and a
 *   landline's number without its area code (`phone_local`); existing contacts are backfilled;
 * - a ticket may be logged against the customer with only the caller's name and number:
 *   `tickets.caller_name`, `caller_phone`, and `tickets.contact_id` may be null. SQLite cannot drop
 *   a NOT NULL constraint, so there the table is rebuilt from its own definition (every column,
 *   row and index kept) with foreign keys off, the official procedure for such a change.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const col of ['name_pinyin', 'name_initials', 'phone_tail', 'mobile_tail', 'phone_local']) {
    await db.schema.alterTable('contacts').addColumn(col, 'text').execute();
    await db.schema.createIndex(`contacts_${col}`).on('contacts').column(col).execute();
  }
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('contacts').select(['id', 'name', 'phone_key', 'mobile_key']).where('id', '>', after).orderBy('id').limit(500).execute();
    if (!rows.length) break;
    for (const r of rows) await db.updateTable('contacts').set(contactKeys(r.name, r.phone_key, r.mobile_key)).where('id', '=', r.id).execute();
    after = Number(rows[rows.length - 1].id);
  }

  await db.schema.alterTable('tickets').addColumn('caller_name', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('caller_phone', 'text').execute();
  if (dialectOf(db) === 'postgres') {
    await sql`alter table tickets alter column contact_id drop not null`.execute(db);
    return;
  }
  await rebuildWithoutNotNull(db, 'tickets', 'contact_id');
}

/** SQLite: the table again from its own CREATE statement with one column's NOT NULL dropped. */
async function rebuildWithoutNotNull(db: Kysely<any>, table: string, column: string): Promise<void> {
  const objects = (await sql<{ type: string; name: string; sql: string | null }>`select type, name, sql from sqlite_master where tbl_name = ${table}`.execute(db)).rows;
  const create = objects.find((o) => o.type === 'table')!.sql!;
  const pattern = new RegExp(`("${column}" [a-z]+) not null`);
  if (!pattern.test(create)) throw new Error(`0019: ${table}.${column} is not declared "not null" as expected`);
  const rebuilt = create.replace(pattern, '$1').replace(`CREATE TABLE "${table}"`, `CREATE TABLE "${table}_rebuilt"`);
  const indexes = objects.filter((o) => o.type === 'index' && o.sql !== null).map((o) => o.sql!);
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await sql.raw(rebuilt).execute(trx);
      await sql.raw(`insert into "${table}_rebuilt" select * from "${table}"`).execute(trx);
      await sql.raw(`drop table "${table}"`).execute(trx);
      await sql.raw(`alter table "${table}_rebuilt" rename to "${table}"`).execute(trx);
      for (const index of indexes) await sql.raw(index).execute(trx);
      const broken = await sql.raw(`pragma foreign_key_check("${table}")`).execute(trx);
      if (broken.rows.length) throw new Error(`0019: foreign key check failed after rebuilding ${table}`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
