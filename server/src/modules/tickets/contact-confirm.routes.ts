import { z } from 'zod';
import type { ZApp } from '../../platform/http/context.js';
import type { ContactConfirmService } from './contact-confirm.js';

const V1 = '/api/v1';
const tags = ['public'];

const tokenParams = z.object({ token: z.string().min(1).max(200) });

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((s) => s?.trim() || null);

export const confirmDecisionBody = z.strictObject({
  decision: z.enum(['confirm', 'reject']),
  /** Why it is not solved (reject: required). */
  reason: optionalText(2000),
  /** Satisfaction 1–5 with a confirmation (optional). */
  rating: z.number().int().min(1).max(5).nullish(),
  comment: optionalText(2000),
  /** A complaint lodged with the confirmation (the page offers it after a rating of 1 or 2). */
  complaint: optionalText(20_000),
});

export const confirmViewOut = z.object({
  number: z.string(),
  title: z.string(),
  resolution: z.string().nullable(),
  resolvedAt: z.string(),
  contactName: z.string(),
  expiresAt: z.string(),
  canRate: z.boolean(),
  autoCloseWorkdays: z.number(),
});

export const confirmResultOut = z.object({
  decision: z.enum(['confirm', 'reject']),
  number: z.string(),
  state: z.string(),
  rated: z.boolean(),
  suggestComplaint: z.boolean(),
  complaintNumber: z.string().nullable(),
});

/**
 * The public endpoints behind the confirmation links of resolution mails (no login; the token is
 * the credential; rate limited per client address). Answers are never cached.
 */
export function contactConfirmRoutes(app: ZApp, service: ContactConfirmService) {
  app.get(
    `${V1}/public/confirm/:token`,
    {
      config: { public: true },
      schema: { tags, summary: 'What a confirmation link shows: the ticket\'s number, title and resolution (no login)', security: [], params: tokenParams, response: { 200: confirmViewOut } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.view(request.params.token, request.ip);
    },
  );

  app.post(
    `${V1}/public/confirm/:token`,
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'The contact confirms the resolution (optionally rating it, and complaining) or rejects it with a reason (the ticket reopens); once per link',
        security: [],
        params: tokenParams,
        body: confirmDecisionBody,
        response: { 200: confirmResultOut },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.decide(request.params.token, request.body, request.ip);
    },
  );
}
