import { z } from 'zod';
import { id, optionalText } from '../../platform/http/zod.js';
import { TICKET_KINDS } from '../tickets/schema.js';

/** zod contracts of inbound email's endpoints (docs/API.md, docs/MAIL-IN.md), shared with the web client. */

export const UNKNOWN_SENDERS = ['reject', 'accept'] as const;
export type UnknownSenders = (typeof UNKNOWN_SENDERS)[number];
export const MAIL_RESULTS = ['processing', 'created', 'replied', 'rejected', 'ignored', 'failed'] as const;
export type MailResult = (typeof MAIL_RESULTS)[number];
export const MAIL_VIA = ['smtp', 'api'] as const;

/** A mailbox address: trimmed, lower-cased, a plain address (no display name). */
const address = z
  .string()
  .trim()
  .max(254)
  .transform((s) => s.toLowerCase())
  .pipe(z.email());
const levelCode = z.string().trim().min(1).max(40);

export const mailboxCreate = z.strictObject({
  address,
  name: optionalText(100),
  /** Null: the mailbox takes replies to existing tickets only (e.g. the address ticket mail is sent from). */
  customerId: id.nullish(),
  kind: z.enum(TICKET_KINDS).default('incident'),
  service: optionalText(100),
  category: optionalText(100),
  impact: levelCode.default('medium'),
  urgency: levelCode.default('medium'),
  unknownSenders: z.enum(UNKNOWN_SENDERS).default('reject'),
  fallbackContactId: id.nullish(),
  enabled: z.boolean().default(true),
});
export type MailboxCreate = z.output<typeof mailboxCreate>;

export const mailboxPatch = z.strictObject({
  version: z.number().int().positive(),
  address: address.optional(),
  name: optionalText(100).optional(),
  customerId: id.nullable().optional(),
  kind: z.enum(TICKET_KINDS).optional(),
  service: optionalText(100).optional(),
  category: optionalText(100).optional(),
  impact: levelCode.optional(),
  urgency: levelCode.optional(),
  unknownSenders: z.enum(UNKNOWN_SENDERS).optional(),
  fallbackContactId: id.nullable().optional(),
  enabled: z.boolean().optional(),
});
export type MailboxPatch = z.output<typeof mailboxPatch>;

export const mailboxOut = z.object({
  id: z.number(),
  address: z.string(),
  name: z.string().nullable(),
  customerId: z.number().nullable(),
  kind: z.enum(TICKET_KINDS),
  service: z.string().nullable(),
  category: z.string().nullable(),
  impact: z.string(),
  urgency: z.string(),
  unknownSenders: z.enum(UNKNOWN_SENDERS),
  fallbackContactId: z.number().nullable(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export type MailboxOut = z.infer<typeof mailboxOut>;

export const mailboxQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  customerId: id.optional(),
});
export type MailboxQuery = z.infer<typeof mailboxQuery>;

export const mailLogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  result: z.enum(MAIL_RESULTS).optional(),
  mailboxId: id.optional(),
  customerId: id.optional(),
  /** Words of the sender's address or the subject. */
  q: z.string().trim().max(100).optional(),
});
export type MailLogQuery = z.infer<typeof mailLogQuery>;

export const mailLogOut = z.object({
  id: z.number(),
  receivedAt: z.string(),
  via: z.enum(MAIL_VIA),
  messageId: z.string(),
  fromAddress: z.string(),
  fromName: z.string().nullable(),
  toAddress: z.string(),
  subject: z.string(),
  size: z.number(),
  mailboxId: z.number().nullable(),
  customerId: z.number().nullable(),
  contactId: z.number().nullable(),
  result: z.enum(MAIL_RESULTS),
  reason: z.string().nullable(),
  /** The reason in the caller's language. */
  reasonText: z.string().nullable(),
  detail: z.string().nullable(),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
});
export type MailLogOut = z.infer<typeof mailLogOut>;

export const inboundQuery = z.object({
  /** The service mailbox the message was delivered to (the MTA's envelope recipient); else taken from Delivered-To, X-Original-To, To and Cc. */
  recipient: z
    .string()
    .trim()
    .max(254)
    .transform((s) => s.toLowerCase())
    .pipe(z.email())
    .optional(),
});

export const inboundOut = z.object({
  logId: z.number(),
  result: z.enum(MAIL_RESULTS),
  reason: z.string().nullable(),
  reasonText: z.string().nullable(),
  ticketId: z.number().nullable(),
  ticketNumber: z.string().nullable(),
  messageId: z.string(),
});
export type InboundOut = z.infer<typeof inboundOut>;
