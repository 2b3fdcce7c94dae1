import type { DbOrTx } from '../../db/index.js';
import type { CalendarSpec } from '../../core/calendar/index.js';

/** Queries of the calendars table. Calendars are provider-wide (not customer data). */
export interface CalendarRow {
  spec: CalendarSpec;
  builtin: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
}

function toRow(r: { id: string; name: string; time_zone: string; spec: string; builtin: number; version: number; created_at: number; updated_at: number }): CalendarRow {
  const body = JSON.parse(r.spec) as Pick<CalendarSpec, 'weekly' | 'holidays' | 'workdays'>;
  return { spec: { id: r.id, name: r.name, timeZone: r.time_zone, ...body }, builtin: r.builtin === 1, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function specJson(spec: CalendarSpec): string {
  return JSON.stringify({ weekly: spec.weekly, holidays: spec.holidays, workdays: spec.workdays });
}

export async function listCalendars(db: DbOrTx): Promise<CalendarRow[]> {
  const rows = await db.selectFrom('calendars').selectAll().orderBy('builtin', 'desc').orderBy('id').execute();
  return rows.map(toRow);
}

export async function findCalendar(db: DbOrTx, id: string): Promise<CalendarRow | undefined> {
  const r = await db.selectFrom('calendars').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/** Just the version: the compiled-calendar cache checks it on every use. */
export async function calendarVersion(db: DbOrTx, id: string): Promise<number | undefined> {
  const r = await db.selectFrom('calendars').select('version').where('id', '=', id).executeTakeFirst();
  return r?.version;
}

export async function insertCalendar(db: DbOrTx, spec: CalendarSpec, builtin: boolean, now: number): Promise<void> {
  await db
    .insertInto('calendars')
    .values({ id: spec.id, name: spec.name, time_zone: spec.timeZone, spec: specJson(spec), builtin: builtin ? 1 : 0, created_at: now, updated_at: now, version: 1 })
    .execute();
}

/** Optimistic update: returns false when the version moved on. */
export async function updateCalendar(db: DbOrTx, spec: CalendarSpec, version: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('calendars')
    .set({ name: spec.name, time_zone: spec.timeZone, spec: specJson(spec), updated_at: now, version: version + 1 })
    .where('id', '=', spec.id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function deleteCalendar(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('calendars').where('id', '=', id).execute();
}

export async function contractsUsingCalendar(db: DbOrTx, id: string): Promise<number> {
  const r = await db.selectFrom('contracts').select((eb) => eb.fn.countAll<number>().as('n')).where('calendar_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}
