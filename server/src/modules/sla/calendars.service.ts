import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import {
  CalendarError,
  FORMER_BUILTIN_NAMES,
  builtinCalendarSpecs,
  calendarToIcs,
  compileCalendar,
  parseHolidayNotice,
  parseIcsHolidays,
  validateCalendar,
  type BuiltinCalendarId,
  type CalendarSpec,
  type CompiledCalendar,
  type SpecialDay,
} from '../../core/calendar/index.js';
import { CoreError } from '../../core/problem.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import { AppError, isUniqueViolation, type FieldProblem } from '../../platform/http/errors.js';
import * as repo from './calendars.repo.js';

export type CalendarInput = Omit<CalendarSpec, 'id'> & { id?: string };

/** Turns a core error (invalid calendar, no working time, bad minutes, bad .ics) into a 400. */
export function coreToAppError(err: unknown, field?: string): never {
  if (err instanceof CoreError) {
    const problems: FieldProblem[] = err.problems.length
      ? err.problems.map((p) => ({ field: field && !p.field ? field : p.field, code: p.code, params: p.params }))
      : [{ field: field ?? '(body)', code: err.code, params: err.params }];
    throw AppError.validation(problems);
  }
  throw err;
}

/**
 * Business calendars: stored specs, compiled on demand and cached per process by id and
 * version (a pure function of the row, so every process computes the same thing).
 */
export class CalendarService {
  private readonly cache = new Map<string, { version: number; compiled: CompiledCalendar }>();

  constructor(private readonly db: Db) {}

  /**
   * Adds the built-in calendars where missing; never overwrites an edited one, except that a
   * built-in still named as an earlier release shipped it takes its current name (names now say
   * the hours: two 5×8 calendars exist).
   */
  async seedBuiltins(now = Date.now()): Promise<void> {
    const existing = new Map((await repo.listCalendars(this.db)).map((c) => [c.spec.id, c]));
    for (const spec of builtinCalendarSpecs()) {
      const row = existing.get(spec.id);
      if (!row) await repo.insertCalendar(this.db, spec, true, now);
      else if (row.builtin && row.spec.name !== spec.name && FORMER_BUILTIN_NAMES[spec.id as BuiltinCalendarId]?.includes(row.spec.name)) {
        await repo.updateCalendar(this.db, { ...row.spec, name: spec.name }, row.version, now);
      }
    }
  }

  /**
   * Reads a pasted State Council notice into festivals (days off, make-up days) for the year
   * form; problems come with their line and a message in the caller's language. Saves nothing.
   */
  parseNotice(text: string, year: number | undefined, locale: Locale) {
    const parsed = parseHolidayNotice(text, year);
    return { ...parsed, problems: parsed.problems.map((p) => ({ ...p, message: t(locale, p.code, p.params) })) };
  }

  list() {
    return repo.listCalendars(this.db);
  }

  async get(id: string): Promise<repo.CalendarRow> {
    const row = await repo.findCalendar(this.db, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  async compiled(id: string): Promise<CompiledCalendar> {
    const version = await repo.calendarVersion(this.db, id);
    if (version === undefined) throw AppError.notFound();
    const hit = this.cache.get(id);
    if (hit && hit.version === version) return hit.compiled;
    const row = await this.get(id);
    const compiled = compileCalendar(row.spec);
    this.cache.set(id, { version: row.version, compiled });
    return compiled;
  }

  private check(spec: CalendarSpec): void {
    const problems = validateCalendar(spec);
    if (problems.length) throw AppError.validation(problems);
  }

  async create(actor: Actor, input: CalendarInput, now = Date.now()): Promise<repo.CalendarRow> {
    const spec: CalendarSpec = { ...input, id: input.id ?? `cal-${randomBytes(4).toString('hex')}` };
    this.check(spec);
    try {
      await this.db.transaction().execute(async (trx) => {
        await repo.insertCalendar(trx, spec, false, now);
        await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'calendars', entityId: spec.id, after: spec }, now);
      });
    } catch (err) {
      if (isUniqueViolation(err) || /PRIMARY KEY|duplicate key/i.test(String(err))) throw AppError.duplicate('id', spec.id);
      throw err;
    }
    return this.get(spec.id);
  }

  async update(actor: Actor, id: string, input: Omit<CalendarSpec, 'id'>, version: number, now = Date.now()): Promise<repo.CalendarRow> {
    const before = await this.get(id);
    const spec: CalendarSpec = { ...input, id };
    this.check(spec);
    await this.db.transaction().execute(async (trx) => {
      if (!(await repo.updateCalendar(trx, spec, version, now))) throw AppError.conflict();
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'calendars', entityId: id, before: before.spec, after: spec }, now);
    });
    return this.get(id);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const before = await this.get(id);
    if (before.builtin) throw new AppError(409, 'builtin', 'sla.calendar.builtin');
    await this.db.transaction().execute(async (trx) => {
      if ((await repo.contractsUsingCalendar(trx, id)) > 0) throw new AppError(409, 'in_use', 'http.inUse', { entity: '服务日历' });
      await repo.deleteCalendar(trx, id);
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'calendars', entityId: id, before: before.spec });
    });
  }

  async deadline(id: string, startMs: number, amount: { minutes?: number; days?: number }): Promise<{ deadline: number; timeZone: string }> {
    const cal = await this.compiled(id);
    try {
      const deadline = amount.days !== undefined ? cal.addWorkingDays(startMs, amount.days) : cal.addWorkingMinutes(startMs, amount.minutes ?? 0);
      return { deadline, timeZone: cal.timeZone };
    } catch (err) {
      coreToAppError(err, amount.days !== undefined ? 'days' : 'minutes');
    }
  }

  async workingMinutes(id: string, from: number, to: number): Promise<number> {
    const cal = await this.compiled(id);
    return Math.round(cal.workingMinutesBetween(from, to) * 1000) / 1000;
  }

  async exportIcs(id: string): Promise<string> {
    return calendarToIcs((await this.get(id)).spec);
  }

  /**
   * Merges holidays and make-up days from an .ics file into a calendar: a date in the file
   * replaces the same date in the calendar (so importing next year's notice twice is harmless).
   */
  async importIcs(actor: Actor, id: string, text: string): Promise<{ holidays: number; workdays: number; calendar: repo.CalendarRow }> {
    const row = await this.get(id);
    let parsed: { holidays: SpecialDay[]; workdays: SpecialDay[] };
    try {
      parsed = parseIcsHolidays(text);
    } catch (err) {
      if (err instanceof CalendarError || err instanceof CoreError) coreToAppError(err, 'file');
      throw err;
    }
    const dates = new Set([...parsed.holidays, ...parsed.workdays].map((d) => d.date));
    const merged: CalendarSpec = {
      ...row.spec,
      holidays: [...row.spec.holidays.filter((d) => !dates.has(d.date)), ...parsed.holidays].sort((a, b) => a.date.localeCompare(b.date)),
      workdays: [...row.spec.workdays.filter((d) => !dates.has(d.date)), ...parsed.workdays].sort((a, b) => a.date.localeCompare(b.date)),
    };
    const { id: _id, ...rest } = merged;
    const calendar = await this.update(actor, id, rest, row.version);
    return { holidays: parsed.holidays.length, workdays: parsed.workdays.length, calendar };
  }

  /** One month of a calendar for the month view: each local date, its kind and its hours. */
  async month(id: string, month: string) {
    const cal = await this.compiled(id);
    const [y, m] = month.split('-').map(Number);
    const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const holidays = new Map(cal.spec.holidays.map((d) => [d.date, d]));
    const workdays = new Map(cal.spec.workdays.map((d) => [d.date, d]));
    const out = [];
    for (let d = 1; d <= daysInMonth; d++) {
      const date = `${month}-${String(d).padStart(2, '0')}`;
      const weekday = ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
      const intervals = cal.intervalsOn(date);
      const minutes = intervals.reduce((sum, [a, b]) => sum + (b - a) / 60_000, 0);
      const kind: 'holiday' | 'workday' | 'working' | 'off' = holidays.has(date) ? 'holiday' : workdays.has(date) ? 'workday' : minutes > 0 ? 'working' : 'off';
      out.push({ date, weekday, kind, name: holidays.get(date)?.name ?? workdays.get(date)?.name ?? null, workingMinutes: minutes, intervals: intervals.map(([a, b]) => ({ start: a, end: b })) });
    }
    return { id, timeZone: cal.timeZone, month, days: out };
  }
}
