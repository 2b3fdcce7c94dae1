import { z } from 'zod';
import { holidayYears } from '../../core/calendar/index.js';
import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { instant, iso, text } from '../../platform/http/zod.js';
import type { CalendarRow } from './calendars.repo.js';
import type { CalendarService } from './calendars.service.js';
import { isoInZone } from './time.js';

const calendarId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, { message: 'id' });
const interval = z.object({ start: z.string().max(5), end: z.string().max(5) });
const specialDay = z.object({ date: z.string().max(10), name: z.string().trim().max(100).optional(), intervals: z.array(interval).max(12).optional() });
const weekly = z.object(Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, z.array(interval).max(12).default([])])) as Record<'1', z.ZodDefault<z.ZodArray<typeof interval>>>);
const specBody = z.object({
  name: text(100),
  timeZone: z.string().max(64),
  weekly,
  holidays: z.array(specialDay).max(3000).default([]),
  workdays: z.array(specialDay).max(3000).default([]),
});

const calendarOut = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  builtin: z.boolean(),
  version: z.number(),
  updatedAt: z.string(),
  weekly: z.record(z.string(), z.array(interval)),
  holidays: z.array(specialDay),
  workdays: z.array(specialDay),
  /** China's holiday years held, and the one missing (from 1 November: next year) — the admin's warning. */
  holidayYears: z.object({ china: z.boolean(), years: z.array(z.number()), missingYear: z.number().nullable() }),
});

function out(row: CalendarRow, now = Date.now()) {
  return { ...row.spec, builtin: row.builtin, version: row.version, updatedAt: iso(row.updatedAt), holidayYears: holidayYears(row.spec, now) };
}

/** `minutes`/`days` query values: integers only; everything else is a clear field error. */
function wholeNumber(field: string, code: string) {
  return z
    .string()
    .max(20)
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      if (!/^\d+$/.test(s)) {
        ctx.addIssue({ code: 'custom', params: { code } });
        return z.NEVER;
      }
      return Number(s);
    })
    .describe(field);
}

export function calendarRoutes(app: ZApp, _ctx: ModuleContext, calendars: CalendarService) {
  const read = { permission: 'calendars.read' };
  const write = { permission: 'calendars.write' };
  const idParams = z.object({ id: calendarId });

  app.get('/api/v1/calendars', { config: read, schema: { tags: ['calendars'], summary: 'All business calendars', response: { 200: z.object({ items: z.array(calendarOut) }) } } }, async () => ({
    items: (await calendars.list()).map((row) => out(row)),
  }));

  app.get('/api/v1/calendars/:id', { config: read, schema: { tags: ['calendars'], summary: 'One calendar', params: idParams, response: { 200: calendarOut } } }, async (request) => out(await calendars.get(request.params.id)));

  app.post(
    '/api/v1/calendars',
    {
      config: write,
      schema: {
        tags: ['calendars'],
        summary: 'Create a calendar, or copy one (`copyFrom`) and change what the body gives',
        body: z.union([specBody.extend({ id: calendarId.optional() }), z.object({ copyFrom: calendarId, id: calendarId.optional(), name: text(100) })]),
        response: { 201: calendarOut },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const actor = actorOf(request);
      let row: CalendarRow;
      if ('copyFrom' in body) {
        const source = await calendars.get(body.copyFrom);
        const { id: _id, ...rest } = source.spec;
        row = await calendars.create(actor, { ...rest, id: body.id, name: body.name });
      } else {
        row = await calendars.create(actor, body as never);
      }
      return reply.status(201).send(out(row));
    },
  );

  app.put(
    '/api/v1/calendars/:id',
    { config: write, schema: { tags: ['calendars'], summary: 'Replace a calendar (send the version you read)', params: idParams, body: specBody.extend({ version: z.number().int().positive() }), response: { 200: calendarOut } } },
    async (request) => {
      const { version, ...spec } = request.body;
      return out(await calendars.update(actorOf(request), request.params.id, spec as never, version));
    },
  );

  app.delete('/api/v1/calendars/:id', { config: write, schema: { tags: ['calendars'], summary: 'Delete a calendar no contract uses', params: idParams, response: { 204: z.null() } } }, async (request, reply) => {
    await calendars.remove(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  app.get(
    '/api/v1/calendars/:id/deadline',
    {
      config: read,
      schema: {
        tags: ['calendars'],
        summary: 'The instant `minutes` working minutes (or `days` working days) after `start`',
        params: idParams,
        querystring: z.object({ start: instant, minutes: wholeNumber('minutes', 'calendar.minutes.invalid'), days: wholeNumber('days', 'calendar.days.invalid') }),
        response: { 200: z.object({ deadline: z.string(), timeZone: z.string() }) },
      },
    },
    async (request) => {
      const { start, minutes, days } = request.query;
      if (minutes === undefined && days === undefined) throw AppError.field('minutes', 'required');
      const r = await calendars.deadline(request.params.id, start, { minutes, days });
      return { deadline: isoInZone(r.deadline, r.timeZone), timeZone: r.timeZone };
    },
  );

  app.get(
    '/api/v1/calendars/:id/working-minutes',
    {
      config: read,
      schema: {
        tags: ['calendars'],
        summary: 'Working minutes between two instants (negative when `to` is before `from`)',
        params: idParams,
        querystring: z.object({ from: instant, to: instant }),
        response: { 200: z.object({ minutes: z.number() }) },
      },
    },
    async (request) => ({ minutes: await calendars.workingMinutes(request.params.id, request.query.from, request.query.to) }),
  );

  app.get(
    '/api/v1/calendars/:id/month',
    {
      config: read,
      schema: {
        tags: ['calendars'],
        summary: 'A month of the calendar: each date, its kind (working, off, holiday, make-up workday) and hours',
        params: idParams,
        querystring: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }),
        response: {
          200: z.object({
            id: z.string(),
            timeZone: z.string(),
            month: z.string(),
            days: z.array(z.object({ date: z.string(), weekday: z.number(), kind: z.enum(['working', 'off', 'holiday', 'workday']), name: z.string().nullable(), workingMinutes: z.number(), intervals: z.array(z.object({ start: z.number(), end: z.number() })) })),
          }),
        },
      },
    },
    async (request) => calendars.month(request.params.id, request.query.month),
  );

  app.get('/api/v1/calendars/:id/ics', { config: read, schema: { tags: ['calendars'], summary: 'Holidays and make-up days as iCalendar', params: idParams, produces: ['text/calendar'], response: { 200: z.string().describe('an iCalendar file') } } }, async (request, reply) => {
    const ics = await calendars.exportIcs(request.params.id);
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="${request.params.id}.ics"`).send(ics);
  });

  app.post(
    '/api/v1/calendars/:id/ics',
    {
      config: write,
      schema: {
        tags: ['calendars'],
        summary: 'Import holidays and make-up days from iCalendar text (dates in the file replace the same dates)',
        params: idParams,
        body: z.object({ ics: z.string().min(1).max(2_000_000) }),
        response: { 200: z.object({ holidays: z.number(), workdays: z.number(), calendar: calendarOut }) },
      },
    },
    async (request) => {
      const r = await calendars.importIcs(actorOf(request), request.params.id, request.body.ics);
      return { holidays: r.holidays, workdays: r.workdays, calendar: out(r.calendar) };
    },
  );
}
