import { z } from 'zod';
import { id, text } from '../http/zod.js';
import { WEBHOOK_KINDS } from './channels.js';
import { CHANNELS, EVENT_TYPES } from './events.js';

/** zod contracts of the notification and webhook endpoints, shared with the web client. */

const eventType = z.enum(EVENT_TYPES as [string, ...string[]]);
const channel = z.enum(CHANNELS);

export const notificationOut = z.object({
  id: z.number(),
  event: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  entity: z.string().nullable(),
  entityId: z.string().nullable(),
  customerId: z.number().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationOut = z.infer<typeof notificationOut>;

export const inboxQuery = z.object({
  unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type InboxQuery = z.infer<typeof inboxQuery>;

export const prefsOut = z.object({
  channels: z.array(z.object({ code: channel, name: z.string() })),
  events: z.array(z.object({ event: z.string(), name: z.string(), channels: z.array(channel), isDefault: z.boolean() })),
});
export type PrefsOut = z.infer<typeof prefsOut>;

export const prefsBody = z.object({
  events: z
    .array(z.object({ event: eventType, channels: z.array(channel).max(CHANNELS.length) }))
    .min(1)
    .max(EVENT_TYPES.length),
});
export type PrefsBody = z.infer<typeof prefsBody>;

/** http(s) only: a webhook must be an address the server can POST to. */
export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const url = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine(isHttpUrl, { params: { code: 'notify.url' } });
const secret = z.string().trim().min(1).max(200);
const events = z.array(eventType).min(1).max(EVENT_TYPES.length);
const locale = z.enum(['zh-CN', 'en-US']);

export const webhookCreate = z.object({
  name: text(100),
  kind: z.enum(WEBHOOK_KINDS),
  url,
  secret: secret.nullish(),
  events,
  customerId: id.nullish(),
  locale: locale.default('zh-CN'),
  enabled: z.boolean().default(true),
});
export type WebhookCreate = z.infer<typeof webhookCreate>;

export const webhookPatch = z.object({
  version: z.number().int().positive(),
  name: text(100).optional(),
  kind: z.enum(WEBHOOK_KINDS).optional(),
  url: url.optional(),
  /** Absent: keep; null: remove; a string: replace. */
  secret: secret.nullish(),
  events: events.optional(),
  customerId: id.nullish(),
  locale: locale.optional(),
  enabled: z.boolean().optional(),
});
export type WebhookPatch = z.infer<typeof webhookPatch>;

export const webhookOut = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.enum(WEBHOOK_KINDS),
  /** The address with its token-like parts masked (robot URLs carry their access key). */
  url: z.string(),
  hasSecret: z.boolean(),
  secretHint: z.string().nullable(),
  events: z.array(z.string()),
  customerId: z.number().nullable(),
  locale: locale,
  enabled: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookOut = z.infer<typeof webhookOut>;

export const DELIVERY_STATUSES = ['pending', 'retrying', 'sent', 'failed', 'skipped'] as const;

export const deliveryOut = z.object({
  id: z.number(),
  channel: z.enum(['email', 'webhook']),
  target: z.string(),
  event: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  userId: z.number().nullable(),
  webhookId: z.number().nullable(),
  customerId: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type DeliveryOut = z.infer<typeof deliveryOut>;

export const deliveryQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  channel: z.enum(['email', 'webhook']).optional(),
  webhookId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type DeliveryQuery = z.infer<typeof deliveryQuery>;
