import { z } from 'zod';
import { id, localDate, page } from '../../../platform/http/zod.js';

/** Request and answer shapes of the evidence pack's API (docs/EVIDENCE.md). */
export const exportCreate = z.object({
  customerId: id,
  /** Local dates in the customer's zone, both inclusive; the period must have ended. */
  from: localDate,
  to: localDate,
});
export type ExportCreate = z.infer<typeof exportCreate>;

export const EXPORT_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;

export const exportOut = z.object({
  id: z.number(),
  customerId: z.number(),
  customerName: z.string(),
  from: z.string(),
  to: z.string(),
  state: z.enum(EXPORT_STATES),
  /** Files written of the total: the progress bar (total is 0 until the pack's contents are known). */
  done: z.number(),
  total: z.number(),
  fileName: z.string().nullable(),
  size: z.number().nullable(),
  sha256: z.string().nullable(),
  tickets: z.number().nullable(),
  /** The whole audit chain as verified at the export; the pack states the part up to the period's end. */
  chainOk: z.boolean().nullable(),
  chainChecked: z.number().nullable(),
  error: z.string().nullable(),
  requestedBy: z.string().nullable(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ExportOut = z.infer<typeof exportOut>;

export const exportList = page(exportOut);

export const exportListQuery = z.object({
  customerId: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(/^\d{1,15}$/).optional(),
});
