import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { isLocale, DEFAULT_LOCALE } from '../i18n/index.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { absoluteLink, buildWebhookRequest, composeMail, Mailer, postWebhook, type MailContent, type WebhookKind } from './channels.js';
import type { Envelope } from './events.js';
import { OutboundClient, outboundPolicy, type LookupFn } from './outbound.js';
import * as repo from './repo.js';

/** Job kinds: a webhook delivery per job; an event's mail deliveries in one job (keyed by the first id, see `deliveryJobKey`). */
export const EMAIL_JOB = 'notify.email';
export const WEBHOOK_JOB = 'notify.webhook';
/** Attempts before a delivery is given up (the job is parked for an administrator). */
export const MAX_ATTEMPTS = 8;

export function deliveryJobKey(deliveryId: number): string {
  return `notify.delivery:${deliveryId}`;
}

export interface WebhookPayload {
  envelope: Envelope;
  locale: string;
  /** A test send goes out even while the webhook is disabled. */
  test?: boolean;
}

/** A reason to record a delivery as skipped (nothing to send it with), not failed. */
class Skip {
  constructor(readonly reason: string) {}
}

/**
 * Makes one attempt at a delivery and records it. Idempotent per delivery: one already sent
 * or skipped is not sent again (a job that ran after its lease expired finds it done). A
 * failure is recorded and rethrown so the scheduler retries with backoff; after `final`
 * attempts the delivery is marked failed.
 */
export class Deliverer {
  private mailer: Mailer | null = null;
  /** The webhooks' HTTP client and its address policy (also checks addresses when a webhook is saved). */
  readonly outbound: OutboundClient;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    /** Name resolution for webhook hosts (tests inject one; default dns.lookup). */
    lookup?: LookupFn,
  ) {
    this.outbound = new OutboundClient(outboundPolicy(config.webhooks, lookup));
  }

  async attempt(deliveryId: number, final: boolean): Promise<void> {
    const d = await repo.findDelivery(this.db, deliveryId);
    if (!d || d.status === 'sent' || d.status === 'skipped') return;
    try {
      const skip = d.channel === 'email' ? await this.sendMail(JSON.parse(d.payload) as MailContent) : await this.sendWebhook(d.id, d.webhook_id, JSON.parse(d.payload) as WebhookPayload);
      if (skip) await repo.recordAttempt(this.db, d.id, { status: 'skipped', error: skip.reason, attempted: false }, Date.now());
      else await repo.recordAttempt(this.db, d.id, { status: 'sent', error: null, attempted: true }, Date.now());
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      await repo.recordAttempt(this.db, d.id, { status: final ? 'failed' : 'retrying', error: message, attempted: true }, Date.now());
      throw err;
    }
  }

  private async sendMail(m: MailContent): Promise<Skip | null> {
    if (!this.config.smtp.url) return new Skip('SMTP_URL is not configured');
    this.mailer ??= new Mailer(this.config.smtp.url, this.config.smtp.from);
    const { subject, text } = composeMail(m, this.config.publicUrl);
    await this.mailer.send(m.to, subject, text);
    return null;
  }

  private async sendWebhook(deliveryId: number, webhookId: number | null, p: WebhookPayload): Promise<Skip | null> {
    const hook = webhookId === null ? undefined : await repo.findWebhookById(this.db, webhookId);
    if (!hook) return new Skip('webhook deleted');
    if (!hook.enabled && !p.test) return new Skip('webhook disabled');
    const envelope = { ...p.envelope, link: absoluteLink(p.envelope.link, this.config.publicUrl) ?? p.envelope.link };
    const locale = isLocale(p.locale) ? p.locale : DEFAULT_LOCALE;
    const req = buildWebhookRequest({ kind: hook.kind as WebhookKind, url: hook.url, secret: hook.secret }, envelope, locale, deliveryId, Date.now());
    await postWebhook(hook.kind as WebhookKind, req, this.outbound);
    return null;
  }
}

/** A job's deliveries: one (webhooks, test sends), or all of an event's mail. */
type DeliveryJob = { deliveryId: number } | { deliveryIds: number[] };

/** How many mails of one job are sent at once (the SMTP server's patience, not ours). */
const MAIL_PARALLEL = 4;

/**
 * Registers the two job kinds. A job of many deliveries attempts each that is not done yet (so
 * a retry sends only what failed) and fails, to be retried, if any attempt failed.
 */
export function registerNotifyJobs(scheduler: Scheduler, deliverer: Deliverer): void {
  const run = async (job: { payload: DeliveryJob; attempt: number }) => {
    const ids = 'deliveryIds' in job.payload ? job.payload.deliveryIds : [job.payload.deliveryId];
    const final = job.attempt >= MAX_ATTEMPTS;
    const errors: unknown[] = [];
    for (let i = 0; i < ids.length; i += MAIL_PARALLEL) {
      const settled = await Promise.allSettled(ids.slice(i, i + MAIL_PARALLEL).map((id) => deliverer.attempt(id, final)));
      for (const s of settled) if (s.status === 'rejected') errors.push(s.reason);
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length) throw new AggregateError(errors, `${errors.length} of ${ids.length} deliveries failed: ${String((errors[0] as Error)?.message ?? errors[0])}`);
  };
  scheduler.register<DeliveryJob>(EMAIL_JOB, run);
  scheduler.register<DeliveryJob>(WEBHOOK_JOB, run);
}
