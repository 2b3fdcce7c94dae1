import type { DbOrTx } from '../../db/index.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import { emit, type NotifyEventType } from '../../platform/notify/service.js';

/**
 * The tickets module's one way to tell people something happened: in the transaction of the
 * change, through the platform's notifications (in-app, mail and webhooks by each recipient's
 * preferences). The acting user is never told about his own action.
 */
export interface TicketNotice {
  type: NotifyEventType;
  ticket: { id: number; number: string; customer_id: number };
  recipients: number[];
  /** The acting user, left out of the recipients (0 or null: the system). */
  actorId: number | null;
  titleKey: string;
  /** Values given as `{ key }` are message keys, translated for each language (e.g. the metric's name). */
  params?: Record<string, string | number | { key: string }>;
  body?: string | null;
  occurredAt?: number;
}

export async function notifyTicketEvent(trx: DbOrTx, n: TicketNotice): Promise<void> {
  await emit(trx, {
    type: n.type,
    recipients: n.recipients.filter((u) => u !== n.actorId),
    customerId: n.ticket.customer_id,
    entity: 'tickets',
    entityId: n.ticket.id,
    title: { zh: render('zh-CN', n), en: render('en-US', n) },
    body: n.body ?? null,
    link: `/tickets/${n.ticket.id}`,
    occurredAt: n.occurredAt,
  });
}

function render(locale: Locale, n: TicketNotice): string {
  const params: Record<string, unknown> = { number: n.ticket.number };
  for (const [k, v] of Object.entries(n.params ?? {})) params[k] = typeof v === 'object' ? t(locale, v.key) : v;
  return t(locale, n.titleKey, params);
}
