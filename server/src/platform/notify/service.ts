import type { Db, DbOrTx } from '../../db/index.js';
import { auditActorOf, recordAudit } from '../audit/service.js';
import type { Actor } from '../auth/actor.js';
import { AppError, isUniqueViolation } from '../http/errors.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { iso } from '../http/zod.js';
import { DEFAULT_LOCALE, isLocale, t, type Locale } from '../i18n/index.js';
import { enqueueJob, type Scheduler } from '../jobs/scheduler.js';
import type { MailContent, WebhookKind } from './channels.js';
import { deliveryJobKey, EMAIL_JOB, MAX_ATTEMPTS, WEBHOOK_JOB, type Deliverer, type WebhookPayload } from './deliver.js';
import { CHANNELS, DEFAULT_CHANNELS, eventName, isEventType, NOTIFY_EVENTS, renderText, TEST_EVENT, type Envelope, type NotifyEvent } from './events.js';
import * as repo from './repo.js';
import type { DeliveryOut, DeliveryQuery, InboxQuery, NotificationOut, PrefsBody, PrefsOut, WebhookCreate, WebhookOut, WebhookPatch } from './schema.js';
import './messages.js';

export type { NotifyEvent, NotifyEventType, NotifyText } from './events.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function clip(s: string, max: number): string;
function clip(s: string | null, max: number): string | null;
function clip(s: string | null, max: number): string | null {
  return s === null || s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export interface EmitResult {
  /** In-app rows written. */
  notifications: number;
  /** Deliveries queued (mail and webhooks), each with its job. */
  deliveries: number[];
}

/** The job that turns an emitted event into in-app rows, mail and webhook deliveries. */
export const FANOUT_JOB = 'notify.fanout';

/** An emitted event as its fan-out job carries it: when it happened and when it was emitted. */
export type EmittedEvent = NotifyEvent & { occurredAt: number; emittedAt: number };

/**
 * The single entry point for domain services: call it inside the transaction of the change
 * that causes the event. It writes one row, the event's fan-out job, in that same transaction
 * (the outbox: if the transaction rolls back nothing is shown and nothing is sent), so a change
 * that tells a whole team costs the request one insert; the job writes the in-app rows and
 * queues the mail and webhooks (`fanOut`) a moment later.
 */
export async function emit(trx: DbOrTx, event: NotifyEvent, now = Date.now()): Promise<void> {
  if (!isEventType(event.type)) throw new Error(`unknown notification event ${String(event.type)}`);
  const payload: EmittedEvent = { ...event, recipients: [...new Set(event.recipients)], occurredAt: event.occurredAt ?? now, emittedAt: now };
  await enqueueJob(trx, { kind: FANOUT_JOB, payload, maxAttempts: MAX_ATTEMPTS }, now);
}

/**
 * Runs the fan-out jobs in batches: one transaction for many events (an SLA storm of thousands
 * of warnings a minute is told in hundreds of commits, not thousands), the webhooks of each
 * customer read once per batch. A batch that fails is rolled back whole and the scheduler runs
 * its jobs one by one, so one bad event cannot hold up the others.
 */
export function registerFanOut(scheduler: Scheduler, db: Db, opts: { mail: boolean }): void {
  scheduler.registerBatch<EmittedEvent>(FANOUT_JOB, async (jobs) => {
    const hooks = new Map<number | null, Promise<repo.WebhookRow[]>>();
    await db.transaction().execute(async (trx) => {
      const webhooksFor = (customerId: number | null) => {
        if (!hooks.has(customerId)) hooks.set(customerId, repo.webhooksFor(trx, customerId));
        return hooks.get(customerId)!;
      };
      for (const job of jobs) await fanOut(trx, job.payload, webhooksFor, opts);
    });
  });
}

/**
 * Tells the recipients of an emitted event: in-app rows, one job for all of its mail (none
 * without a mail server) and one per matching webhook. Recipients' preferences pick the channels; disabled users get nothing;
 * text is rendered in each recipient's language (webhooks: the webhook's).
 */
export async function fanOut(
  trx: DbOrTx,
  event: EmittedEvent,
  webhooksFor: (customerId: number | null) => Promise<repo.WebhookRow[]> = (c) => repo.webhooksFor(trx, c),
  /** `mail: false` (no SMTP_URL): no mail is queued at all, rather than a delivery per recipient recorded as skipped. */
  opts: { mail: boolean } = { mail: true },
): Promise<EmitResult> {
  const now = event.emittedAt;
  const occurredAt = event.occurredAt;
  const entity = event.entity ?? null;
  const entityId = event.entityId === undefined || event.entityId === null ? null : String(event.entityId);
  const link = event.link ?? null;
  const render = (locale: Locale) => ({ title: clip(renderText(locale, event.title), 500), body: clip(renderText(locale, event.body ?? null), 4000) });

  const ids = [...new Set(event.recipients)].filter((n) => Number.isSafeInteger(n) && n > 0);
  const users = ids.length ? await repo.recipients(trx, ids) : [];
  const prefs = users.length ? await repo.channelsOf(trx, users.map((u) => Number(u.id)), event.type) : new Map<number, string[]>();
  const inbox: Parameters<typeof repo.insertNotifications>[1] = [];
  const mails: Array<{ userId: number; content: MailContent }> = [];
  for (const u of users) {
    const channels = prefs.get(Number(u.id)) ?? DEFAULT_CHANNELS;
    const locale = isLocale(u.locale) ? u.locale : DEFAULT_LOCALE;
    const text = render(locale);
    if (channels.includes('inapp')) {
      inbox.push({ user_id: Number(u.id), event: event.type, title: text.title, body: text.body, link, entity, entity_id: entityId, customer_id: event.customerId, created_at: now });
    }
    if (opts.mail && channels.includes('email') && u.email) mails.push({ userId: Number(u.id), content: { to: u.email, locale, event: event.type, ...text, link } });
  }
  await repo.insertNotifications(trx, inbox);

  // One statement and one job for all of an event's mail (a team of 40 is told of a new ticket
  // with two rows' worth of work in the request, not 80): the job sends each delivery and
  // retries only those that failed.
  const deliveries = await repo.insertDeliveries(
    trx,
    mails.map((m) => ({ channel: 'email', target: m.content.to, event: event.type, user_id: m.userId, webhook_id: null, customer_id: event.customerId, payload: JSON.stringify(m.content), created_at: now })),
  );
  if (deliveries.length) {
    const ids = deliveries.slice().sort((a, b) => a - b);
    await enqueueJob(trx, { kind: EMAIL_JOB, key: deliveryJobKey(ids[0]), payload: { deliveryIds: ids }, maxAttempts: MAX_ATTEMPTS }, now);
  }
  const hooks = (await webhooksFor(event.customerId)).filter((h) => (JSON.parse(h.events) as string[]).includes(event.type));
  for (const h of hooks) {
    const locale = isLocale(h.locale) ? h.locale : DEFAULT_LOCALE;
    const envelope: Envelope = { event: event.type, occurredAt: iso(occurredAt), entity, entityId, customerId: event.customerId, ...render(locale), link };
    const payload: WebhookPayload = { envelope, locale };
    const id = await repo.insertDelivery(trx, { channel: 'webhook', target: h.name, event: event.type, user_id: null, webhook_id: Number(h.id), customer_id: event.customerId, payload: JSON.stringify(payload), created_at: now });
    await enqueueJob(trx, { kind: WEBHOOK_JOB, key: deliveryJobKey(id), payload: { deliveryId: id }, maxAttempts: MAX_ATTEMPTS }, now);
    deliveries.push(id);
  }
  return { notifications: inbox.length, deliveries };
}

// ---------------------------------------------------------------- the user's inbox

function notificationOut(r: repo.NotificationRow): NotificationOut {
  return {
    id: Number(r.id),
    event: r.event,
    title: r.title,
    body: r.body,
    link: r.link,
    entity: r.entity,
    entityId: r.entity_id,
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    createdAt: iso(r.created_at),
    readAt: iso(r.read_at),
  };
}

function normaliseChannels(channels: readonly string[]): Array<(typeof CHANNELS)[number]> {
  return CHANNELS.filter((c) => channels.includes(c));
}

/**
 * A user's own notifications and preferences. Nobody reads or marks another user's inbox.
 * Marking read is not audited: it changes nothing but the reader's own unread badge.
 */
export class NotificationService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, query: InboxQuery): Promise<Page<NotificationOut>> {
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listNotifications(this.db, actor.userId, actor.scope, { unread: query.unread, beforeId: cursor ? Number(cursor[0]) : undefined, limit: query.limit + 1 });
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return { items: page.items.map(notificationOut), nextCursor: page.nextCursor };
  }

  unreadCount(actor: Actor): Promise<number> {
    return repo.unreadCount(this.db, actor.userId, actor.scope);
  }

  async markRead(actor: Actor, id: number): Promise<NotificationOut> {
    const now = Date.now();
    await repo.markRead(this.db, actor.userId, actor.scope, [id], now);
    const row = await repo.findNotification(this.db, actor.userId, actor.scope, id);
    if (!row) throw AppError.notFound();
    return notificationOut(row);
  }

  async markAllRead(actor: Actor): Promise<number> {
    return repo.markRead(this.db, actor.userId, actor.scope, 'all', Date.now());
  }

  async prefs(actor: Actor, db: DbOrTx = this.db): Promise<PrefsOut> {
    const saved = await repo.prefsOfUser(db, actor.userId);
    return {
      channels: CHANNELS.map((code) => ({ code, name: t(actor.locale, `notify.channel.${code}`) })),
      events: NOTIFY_EVENTS.map((e) => {
        const own = saved.get(e.type);
        return { event: e.type, name: eventName(actor.locale, e.type), channels: normaliseChannels(own ?? DEFAULT_CHANNELS), isDefault: own === undefined };
      }),
    };
  }

  /** Sets the channels of the events given (others keep theirs); an empty list turns an event off. */
  async setPrefs(actor: Actor, body: PrefsBody): Promise<PrefsOut> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const saved = await repo.prefsOfUser(trx, actor.userId);
      const before: Record<string, string[]> = {};
      const after: Record<string, string[]> = {};
      for (const item of body.events) {
        const channels = normaliseChannels(item.channels);
        before[item.event] = normaliseChannels(saved.get(item.event) ?? DEFAULT_CHANNELS);
        after[item.event] = channels;
        await repo.upsertPref(trx, actor.userId, item.event, channels, now);
      }
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'notification_prefs', entityId: actor.userId, before, after }, now);
      return this.prefs(actor, trx);
    });
  }
}

// ---------------------------------------------------------------- webhooks and deliveries

/** Token-like parts of an address (robot keys in the path or query) shown as ****abcd. */
export function maskUrl(raw: string): string {
  const u = new URL(raw);
  const hint = (s: string) => (s.length >= 12 ? `****${s.slice(-4)}` : '****');
  u.pathname = u.pathname
    .split('/')
    .map((seg) => (seg.length >= 16 ? hint(seg) : seg))
    .join('/');
  for (const [k, v] of [...u.searchParams]) u.searchParams.set(k, hint(v));
  if (u.password) u.password = '****';
  return u.toString();
}

export function secretHint(secret: string | null): string | null {
  if (!secret) return null;
  return secret.length >= 12 ? `****${secret.slice(-4)}` : '****';
}

function webhookOut(r: repo.WebhookRow): WebhookOut {
  return {
    id: Number(r.id),
    name: r.name,
    kind: r.kind as WebhookKind,
    url: maskUrl(r.url),
    hasSecret: r.secret !== null,
    secretHint: secretHint(r.secret),
    events: JSON.parse(r.events) as string[],
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    locale: isLocale(r.locale) ? r.locale : DEFAULT_LOCALE,
    enabled: r.enabled === 1,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** What the audit log keeps of a webhook: never the secret, and the address masked. */
function auditView(r: repo.WebhookRow) {
  const { createdAt: _c, updatedAt: _u, ...rest } = webhookOut(r);
  return rest;
}

function deliveryOut(r: repo.DeliveryRow): DeliveryOut {
  return {
    id: Number(r.id),
    channel: r.channel as DeliveryOut['channel'],
    target: r.target,
    event: r.event,
    status: r.status as DeliveryOut['status'],
    attempts: r.attempts,
    lastError: r.last_error,
    userId: r.user_id === null ? null : Number(r.user_id),
    webhookId: r.webhook_id === null ? null : Number(r.webhook_id),
    customerId: r.customer_id === null ? null : Number(r.customer_id),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    deliveredAt: iso(r.delivered_at),
  };
}

/** Looks a customer up through the organisation module (404 when unknown or out of scope). */
export type CustomerCheck = (actor: Actor, customerId: number) => Promise<unknown>;

/**
 * Outbound webhooks (the only writer of `webhooks`) and the delivery log. A webhook for one
 * customer is managed within that customer's scope; one for every customer needs scope `all`,
 * since it sends every customer's events.
 */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly deliverer: Deliverer,
    private readonly checkCustomer: CustomerCheck,
  ) {}

  async list(actor: Actor, query: { limit: number; cursor?: string }): Promise<Page<WebhookOut>> {
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listWebhooks(this.db, actor.scope, { afterId: cursor ? Number(cursor[0]) : undefined, limit: query.limit + 1 });
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return { items: page.items.map(webhookOut), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: number): Promise<WebhookOut> {
    return webhookOut(await this.find(this.db, actor, id));
  }

  private async find(db: DbOrTx, actor: Actor, id: number): Promise<repo.WebhookRow> {
    const row = await repo.findWebhook(db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  private async checkTarget(actor: Actor, customerId: number | null): Promise<void> {
    if (customerId === null) {
      if (actor.scope.kind !== 'all') throw AppError.forbidden('scope.all', 'notify.allCustomersNeedsScope');
      return;
    }
    try {
      await this.checkCustomer(actor, customerId);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw AppError.field('customerId', 'notify.unknownCustomer');
      throw err;
    }
  }

  /**
   * Refuses an address on the internal network (a literal internal IP, localhost, or a name that
   * resolves to one now) with a 400 on `url`, unless WEBHOOK_ALLOW_PRIVATE or
   * WEBHOOK_ALLOWED_NETWORKS allow it. The send checks again on the addresses it connects to.
   */
  private async checkUrl(url: string): Promise<void> {
    const blocked = await this.deliverer.outbound.check(url);
    if (blocked) throw AppError.field('url', 'notify.privateUrl', { range: blocked.range });
  }

  async create(actor: Actor, input: WebhookCreate): Promise<WebhookOut> {
    const customerId = input.customerId ?? null;
    await this.checkTarget(actor, customerId);
    await this.checkUrl(input.url);
    const now = Date.now();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await repo.insertWebhook(
          trx,
          {
            name: input.name,
            kind: input.kind,
            url: input.url,
            secret: input.secret ?? null,
            events: JSON.stringify([...new Set(input.events)]),
            customer_id: customerId,
            locale: input.locale,
            enabled: input.enabled ? 1 : 0,
          },
          now,
        );
        await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'webhooks', entityId: Number(row.id), customerId, after: auditView(row) }, now);
        return webhookOut(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('name', input.name);
      throw err;
    }
  }

  async update(actor: Actor, id: number, patch: WebhookPatch): Promise<WebhookOut> {
    const current = await this.find(this.db, actor, id);
    const values: Partial<repo.WebhookValues> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.kind !== undefined) values.kind = patch.kind;
    if (patch.url !== undefined) {
      await this.checkUrl(patch.url);
      values.url = patch.url;
    }
    if (patch.secret !== undefined) values.secret = patch.secret;
    if (patch.events !== undefined) values.events = JSON.stringify([...new Set(patch.events)]);
    if (patch.locale !== undefined) values.locale = patch.locale;
    if (patch.enabled !== undefined) values.enabled = patch.enabled ? 1 : 0;
    if (patch.customerId !== undefined) {
      values.customer_id = patch.customerId;
      if (patch.customerId !== current.customer_id) await this.checkTarget(actor, patch.customerId);
    }
    const now = Date.now();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const before = await this.find(trx, actor, id);
        const row = await repo.updateWebhook(trx, id, patch.version, values, now);
        if (!row) throw AppError.conflict();
        await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'webhooks', entityId: id, customerId: row.customer_id, before: auditView(before), after: auditView(row) }, now);
        return webhookOut(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('name', patch.name);
      throw err;
    }
  }

  async remove(actor: Actor, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.find(trx, actor, id);
      await repo.deleteWebhook(trx, id);
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'webhooks', entityId: id, customerId: row.customer_id, before: auditView(row) });
    });
  }

  /**
   * Sends a test message now (also to a disabled webhook) and answers with its delivery: one
   * attempt, no retries, so the administrator sees at once whether the settings work.
   */
  async test(actor: Actor, id: number): Promise<DeliveryOut> {
    const hook = await this.find(this.db, actor, id);
    const locale = isLocale(hook.locale) ? hook.locale : DEFAULT_LOCALE;
    const now = Date.now();
    const envelope: Envelope = {
      event: TEST_EVENT,
      occurredAt: iso(now),
      entity: 'webhooks',
      entityId: String(hook.id),
      customerId: hook.customer_id === null ? null : Number(hook.customer_id),
      title: t(locale, 'notify.test.title'),
      body: t(locale, 'notify.test.body', { name: hook.name, user: actor.displayName }),
      link: null,
    };
    const payload: WebhookPayload = { envelope, locale, test: true };
    const deliveryId = await repo.insertDelivery(this.db, { channel: 'webhook', target: hook.name, event: TEST_EVENT, user_id: actor.userId || null, webhook_id: Number(hook.id), customer_id: envelope.customerId, payload: JSON.stringify(payload), created_at: now });
    // The outcome, success or not, is what the delivery row records and this answer shows.
    await this.deliverer.attempt(deliveryId, true).catch(() => undefined);
    return deliveryOut((await repo.findDelivery(this.db, deliveryId))!);
  }

  async deliveries(actor: Actor, query: DeliveryQuery): Promise<Page<DeliveryOut>> {
    const cursor = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listDeliveries(this.db, actor.scope, { status: query.status, channel: query.channel, webhookId: query.webhookId, beforeId: cursor ? Number(cursor[0]) : undefined, limit: query.limit + 1 });
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return { items: page.items.map(deliveryOut), nextCursor: page.nextCursor };
  }
}
