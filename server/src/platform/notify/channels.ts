import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import { t, type Locale } from '../i18n/index.js';
import type { Envelope } from './events.js';
import { BlockedTargetError, responseExcerpt, type OutboundClient, type OutboundResponse } from './outbound.js';

/**
 * The outbound channels: mail over SMTP and webhooks in four shapes. Pure formatting and
 * signing functions are exported for the tests (which verify signatures by recomputing them)
 * and for receivers' documentation (docs/NOTIFICATIONS.md).
 */
export const WEBHOOK_KINDS = ['generic', 'wecom', 'dingtalk', 'feishu'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export const WEBHOOK_TIMEOUT_MS = 5000;

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the X-Yunwei-Signature header. */
export function genericSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** DingTalk robot "加签": base64(HMAC-SHA256(key = secret, "<timestamp ms>\n<secret>")). */
export function dingtalkSignature(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Feishu robot "签名校验": base64(HMAC-SHA256(key = "<timestamp s>\n<secret>", empty message)). */
export function feishuSignature(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

/** A link people can open from outside the app: absolute as given, or joined to PUBLIC_URL. */
export function absoluteLink(link: string | null, publicUrl: string | null): string | null {
  if (!link) return null;
  if (/^https?:\/\//i.test(link)) return link;
  if (!publicUrl) return null;
  return new URL(link.replace(/^\/*/, ''), publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}

/** Cuts UTF-8 text to at most `max` bytes without splitting a character (WeCom counts bytes). */
export function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max - 3) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookTarget {
  kind: WebhookKind;
  url: string;
  secret: string | null;
}

function robotLines(env: Envelope, locale: Locale): { title: string; body: string | null; link: string | null } {
  // Chat robots can only open absolute links; a relative one (no PUBLIC_URL) is left out.
  const link = env.link && /^https?:\/\//i.test(env.link) ? env.link : null;
  return { title: env.title, body: env.body, link: link ? `[${t(locale, 'notify.open')}](${link})` : null };
}

/**
 * The HTTP request for one webhook message. `env.link` must already be absolute where possible.
 * `now` is the signing time (DingTalk and Feishu reject signatures older than about an hour).
 */
export function buildWebhookRequest(hook: WebhookTarget, env: Envelope, locale: Locale, deliveryId: number, now: number): OutboundRequest {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  switch (hook.kind) {
    case 'generic': {
      const body = JSON.stringify(env);
      const headers: Record<string, string> = { ...json, 'x-yunwei-event': env.event, 'x-yunwei-delivery': String(deliveryId) };
      if (hook.secret) headers['x-yunwei-signature'] = genericSignature(hook.secret, body);
      return { url: hook.url, headers, body };
    }
    case 'wecom': {
      const l = robotLines(env, locale);
      // WeCom rejects markdown content over 4096 bytes.
      const content = truncateBytes([`**${l.title}**`, l.body, l.link].filter(Boolean).join('\n'), 4000);
      return { url: hook.url, headers: json, body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }) };
    }
    case 'dingtalk': {
      const l = robotLines(env, locale);
      const text = truncateBytes([`#### ${l.title}`, l.body, l.link].filter(Boolean).join('\n\n'), 18_000);
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: l.title, text } });
      let url = hook.url;
      if (hook.secret) {
        const u = new URL(hook.url);
        u.searchParams.set('timestamp', String(now));
        u.searchParams.set('sign', dingtalkSignature(hook.secret, now));
        url = u.toString();
      }
      return { url, headers: json, body };
    }
    case 'feishu': {
      const link = env.link && /^https?:\/\//i.test(env.link) ? env.link : null;
      const text = truncateBytes([env.title, env.body, link].filter(Boolean).join('\n'), 18_000);
      const payload: Record<string, unknown> = { msg_type: 'text', content: { text } };
      if (hook.secret) {
        const ts = Math.floor(now / 1000);
        payload.timestamp = String(ts);
        payload.sign = feishuSignature(hook.secret, ts);
      }
      return { url: hook.url, headers: json, body: JSON.stringify(payload) };
    }
  }
}

/** A robot's own error code in a 200 answer: WeCom/DingTalk `errcode`, Feishu `code` (or `StatusCode`). */
function robotError(text: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  for (const key of ['errcode', 'code', 'StatusCode']) {
    const code = (v as Record<string, unknown>)[key];
    if (code !== undefined && code !== 0 && code !== '0') return `${key} ${responseExcerpt('text/plain', typeof code === 'object' ? JSON.stringify(code) : String(code), 40)}`;
  }
  return null;
}

/**
 * Sends one webhook request through the guarded client (no internal addresses unless allowed,
 * no redirects followed); throws with a short reason on a refused target, a timeout, a non-2xx
 * or a robot error. Of the receiver's answer the reason carries only a short, sanitised excerpt
 * (`responseExcerpt`): the test send and the delivery log show it to the administrator, and
 * echoing whole answers would make Yunwei a way to read internal pages.
 */
export async function postWebhook(kind: WebhookKind, req: OutboundRequest, client: OutboundClient, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<void> {
  let res: OutboundResponse;
  try {
    res = await client.post(req.url, req.headers, req.body, timeoutMs);
  } catch (err) {
    if (err instanceof BlockedTargetError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'TimeoutError') throw new Error(`timeout after ${timeoutMs} ms`);
    throw new Error(`request failed: ${e.code ?? e.message}`);
  }
  const excerpt = responseExcerpt(res.contentType, res.text);
  if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`);
  if (kind !== 'generic') {
    const error = robotError(res.text);
    if (error) throw new Error(`${kind} answered ${error}${excerpt ? `: ${excerpt}` : ''}`);
  }
}

export interface MailContent {
  to: string;
  locale: Locale;
  event: string;
  title: string;
  body: string | null;
  link: string | null;
}

/** Subject and plain-text body of a notification mail in the recipient's language. */
export function composeMail(m: MailContent, publicUrl: string | null): { subject: string; text: string } {
  const link = absoluteLink(m.link, publicUrl);
  const parts = [m.body ?? m.title];
  if (link) parts.push(`${t(m.locale, 'notify.mail.open')}${link}`);
  parts.push('--', t(m.locale, 'notify.mail.footer'));
  return { subject: m.title.replace(/\s+/g, ' ').trim(), text: parts.join('\n\n') };
}

export interface MailExtra {
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
}

/** Sends mail through SMTP_URL; one connection per message (mail volume here is low). */
export class Mailer {
  private readonly transport;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  }

  /** `extra`: an HTML alternative, a fixed Message-ID and threading headers (mail to a ticket's contact). */
  async send(to: string, subject: string, text: string, extra: MailExtra = {}): Promise<void> {
    await this.transport.sendMail({ from: this.from, to, subject, text, ...extra });
  }
}
