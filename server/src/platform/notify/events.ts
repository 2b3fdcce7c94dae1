import { t, type Locale } from '../i18n/index.js';

/**
 * The events users can be notified of, with their names in both languages. Domain modules
 * emit them (see `emit` in service.ts); users choose channels per event; webhooks subscribe to
 * a set of them. Adding an event here makes it appear in preferences and webhook settings.
 */
export const NOTIFY_EVENTS = [
  { type: 'ticket.created', zh: '新工单', en: 'New ticket' },
  { type: 'ticket.assigned', zh: '工单分派', en: 'Ticket assigned' },
  { type: 'ticket.reply', zh: '工单回复', en: 'Ticket reply' },
  { type: 'ticket.mention', zh: '在工单中被提及', en: 'Mentioned in a ticket' },
  { type: 'ticket.escalated', zh: '工单升级', en: 'Ticket escalated' },
  { type: 'ticket.resolved', zh: '工单已解决', en: 'Ticket resolved' },
  { type: 'ticket.reopened', zh: '工单重新打开', en: 'Ticket reopened' },
  { type: 'ticket.closed', zh: '工单关闭', en: 'Ticket closed' },
  { type: 'sla.warning', zh: 'SLA 预警', en: 'SLA warning' },
  { type: 'sla.breached', zh: 'SLA 超时', en: 'SLA breached' },
  { type: 'ticket.declined', zh: '工程师不能到场', en: 'Engineer cannot attend' },
  { type: 'ola.breached', zh: '服务台时限超时（OLA）', en: 'Service desk time limit breached (OLA)' },
  { type: 'ticket.complaint', zh: '客户投诉', en: 'Customer complaint' },
  { type: 'ticket.rated', zh: '满意度评价', en: 'Satisfaction rating' },
  { type: 'report.issued', zh: '服务报告发布', en: 'Service report issued' },
  { type: 'report.signed', zh: '服务报告签收', en: 'Service report signed off' },
  { type: 'report.returned', zh: '服务报告被退回', en: 'Service report returned' },
  { type: 'report.review', zh: '服务报告复核', en: 'Service report review' },
  { type: 'report.due', zh: '服务报告到期提醒', en: 'Service report due' },
  { type: 'knowledge.review', zh: '知识审核', en: 'Knowledge review' },
  { type: 'knowledge.feedback', zh: '知识反馈', en: 'Knowledge feedback' },
  { type: 'ci.retired', zh: '工单关联的配置项已退役', en: "A ticket's CI was retired" },
  { type: 'repair.report_due', zh: '送修进度报告到期', en: 'Repair progress report due' },
  { type: 'repair.report_overdue', zh: '送修进度报告逾期', en: 'Repair progress report overdue' },
  { type: 'parts.low_stock', zh: '备件低于最低库存', en: 'Spare parts below minimum stock' },
  { type: 'parts.standin_overdue', zh: '备机逾期未还', en: 'Stand-in machine overdue' },
  { type: 'asset.warranty', zh: '资产保修到期提醒', en: 'Asset warranty ending' },
  { type: 'asset.campaign', zh: '资产盘点', en: 'Asset verification' },
] as const;

export type NotifyEventType = (typeof NOTIFY_EVENTS)[number]['type'];
export const EVENT_TYPES: readonly NotifyEventType[] = NOTIFY_EVENTS.map((e) => e.type);

/** What `POST /webhooks/{id}/test` sends; not an event anyone subscribes to. */
export const TEST_EVENT = 'webhook.test';

export function isEventType(v: string): v is NotifyEventType {
  return (EVENT_TYPES as readonly string[]).includes(v);
}

export function eventName(locale: Locale, type: string): string {
  const e = NOTIFY_EVENTS.find((x) => x.type === type);
  if (!e) return type;
  return locale === 'en-US' ? e.en : e.zh;
}

export const CHANNELS = ['inapp', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];
/** A user who never chose gets every channel for every event. */
export const DEFAULT_CHANNELS: readonly Channel[] = CHANNELS;

/**
 * Text of a notification as the emitting service gives it: plain text (one language), both
 * languages, or a message key with parameters. It is rendered per recipient's language.
 */
export type NotifyText = string | { zh: string; en: string } | { key: string; params?: Record<string, unknown> };

export function renderText(locale: Locale, text: NotifyText): string;
export function renderText(locale: Locale, text: NotifyText | null | undefined): string | null;
export function renderText(locale: Locale, text: NotifyText | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  if (typeof text === 'string') return text;
  if ('key' in text) return t(locale, text.key, text.params ?? {});
  return (locale === 'en-US' ? text.en : text.zh) || text.zh || text.en;
}

/**
 * The event a domain service emits inside its own transaction. `recipients` get in-app rows
 * and mail (by their preferences); webhooks subscribed to `type` (for all customers or for
 * `customerId`) get a message too.
 */
export interface NotifyEvent {
  type: NotifyEventType;
  recipients: number[];
  customerId: number | null;
  entity?: string | null;
  entityId?: string | number | null;
  title: NotifyText;
  body?: NotifyText | null;
  /** A path in the web app (`/tickets/42`) or an absolute URL. */
  link?: string | null;
  /** When it happened (defaults to now). */
  occurredAt?: number;
}

/** The JSON a generic webhook receives (and what robot messages are made from). */
export interface Envelope {
  event: string;
  occurredAt: string;
  entity: string | null;
  entityId: string | null;
  customerId: number | null;
  title: string;
  body: string | null;
  link: string | null;
}
