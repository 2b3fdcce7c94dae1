import { z } from 'zod';
import { FESTIVALS } from '../../core/calendar/index.js';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import type { CalendarService } from './calendars.service.js';

const range = z.object({ from: z.string(), to: z.string() });
const noticeOut = z.object({
  year: z.number().nullable(),
  festivals: z.array(
    z.object({
      key: z.enum(FESTIVALS),
      name: z.string(),
      line: z.number(),
      off: z.array(range),
      makeUp: z.array(z.string()),
      statedDays: z.number().nullable(),
      noMakeUp: z.boolean(),
    }),
  ),
  problems: z.array(z.object({ line: z.number(), code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), text: z.string(), message: z.string() })),
  skipped: z.array(z.object({ line: z.number(), text: z.string() })),
});

/** The year form's paste: the State Council's notice read into festival rows (nothing saved; PUT /calendars/:id saves). */
export function noticeRoutes(app: ZApp, calendars: CalendarService) {
  app.post(
    '/api/v1/calendars/parse-notice',
    {
      config: { permission: 'calendars.write' },
      schema: {
        tags: ['calendars'],
        summary: "Read the State Council's holiday notice (pasted text) into each festival's days off and make-up days, with every line not understood",
        body: z.object({ text: z.string().min(1).max(20_000), year: z.number().int().min(1900).max(2399).optional() }),
        response: { 200: noticeOut },
      },
    },
    async (request) => calendars.parseNotice(request.body.text, request.body.year, actorOf(request).locale),
  );
}
