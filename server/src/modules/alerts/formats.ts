import { createHash } from 'node:crypto';
import { z } from 'zod';
import { instantToZoned, zonedToInstant } from '../../core/calendar/index.js';
import { normaliseSeverity } from '../../core/alerts.js';
import { AppError, zodIssuesToProblems, type FieldProblem } from '../../platform/http/errors.js';
import { scrubText } from '../../platform/http/hygiene.js';
import { calendarFieldsValid } from '../../platform/http/zod.js';
import type { AlertFormat } from './schema.js';

/**
 * The payloads monitoring systems post (docs/ALERTS.md), each turned into the same list of
 * alerts. A payload is checked whole before anything is done: one bad alert refuses the post
 * with a problem naming its field (`alerts[3].status`), so nothing is half-received.
 */
export interface ParsedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** Normalised (`Not classified` → `not_classified`); null when the alert has none. */
  severity: string | null;
  title: string;
  /** Facts for the ticket's description, in order (label → value). */
  facts: Array<[string, string]>;
  /** Free text of the alert (Alertmanager's description annotation, Zabbix's message …). */
  text: string | null;
  /** When the alert started firing (epoch ms), when the payload says. */
  startsAt: number | null;
  /** When it ended (resolved alerts), when the payload says. */
  endsAt: number | null;
  url: string | null;
  /** The alert as received, for the log. */
  raw: unknown;
}

/** Alerts in one post at most (Alertmanager: set `max_alerts` on the receiver below this). */
export const MAX_ALERTS = 1000;
const FINGERPRINT_MAX = 200;

const str = (max: number) => z.string().max(max);
const labelMap = z.record(z.string().max(200), z.string().max(10_000));

function fail(problems: FieldProblem[]): never {
  throw AppError.validation(problems);
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    // A missing value of an enum is "required", not "one of …".
    fail(r.error.issues.flatMap((issue) => (issue.code === 'invalid_value' && valueAt(body, issue.path) === undefined ? [{ field: fieldOf(issue.path), code: 'required' }] : zodIssuesToProblems([issue], undefined, (path) => valueAt(body, path)))));
  }
  return r.data;
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${String(seg)}` : String(seg)), '') || '(body)';
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** An ISO-8601 instant with offset, or epoch seconds / milliseconds; null when absent or unreadable. */
function instantOf(v: string | number | undefined | null): number | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' || /^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return n < 1e12 ? Math.round(n * 1000) : Math.round(n);
  }
  // Date.parse rolls 2026-02-30 over to 2 March: a date or time that does not exist is unreadable.
  const ms = calendarFieldsValid(v) ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

// ---------------------------------------------------------------- Prometheus Alertmanager (webhook v4)

const amAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap,
  annotations: labelMap.optional(),
  startsAt: str(64).optional(),
  endsAt: str(64).optional(),
  generatorURL: str(2000).optional(),
  fingerprint: str(FINGERPRINT_MAX).optional(),
});
const amBody = z.object({
  version: z.string().max(10).optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: str(200).optional(),
  externalURL: str(2000).optional(),
  alerts: z.array(amAlert).min(1).max(MAX_ALERTS),
});

/** Alertmanager's zero time (no end yet) and other instants before 1971 mean "not given". */
const sane = (ms: number | null) => (ms !== null && ms > 31_536_000_000 ? ms : null);

/** The fingerprint Alertmanager would show, for senders old enough not to send one: a hash of the sorted labels. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function alertmanager(body: unknown): ParsedAlert[] {
  const parsed = parseWith(amBody, body);
  if (parsed.version !== undefined && parsed.version !== '4') fail([{ field: 'version', code: 'alerts.amVersion', params: { value: parsed.version } }]);
  const rawAlerts = (body as { alerts: unknown[] }).alerts;
  const problems: FieldProblem[] = [];
  const out = parsed.alerts.map((a, i): ParsedAlert => {
    if (!a.fingerprint?.trim() && !Object.keys(a.labels).length) problems.push({ field: `alerts[${i}].labels`, code: 'alerts.noFingerprint' });
    const labels = a.labels;
    const annotations = a.annotations ?? {};
    const name = labels.alertname ?? null;
    const summary = annotations.summary ?? annotations.title ?? null;
    const where = labels.instance ?? labels.host ?? labels.hostname ?? labels.job ?? null;
    let title = summary && name ? `[${name}] ${summary}` : (summary ?? name ?? where ?? 'Alertmanager');
    if (where && !title.includes(where)) title = `${title} (${where})`;
    const facts: Array<[string, string]> = [];
    for (const k of Object.keys(labels).sort()) facts.push([`label:${k}`, labels[k]]);
    for (const k of Object.keys(annotations).sort()) if (k !== 'description' && k !== 'summary') facts.push([`annotation:${k}`, annotations[k]]);
    return {
      fingerprint: a.fingerprint?.trim() || labelsFingerprint(labels),
      status: a.status,
      severity: labels.severity ? normaliseSeverity(labels.severity) : null,
      title,
      facts,
      text: annotations.description ?? annotations.message ?? null,
      startsAt: sane(instantOf(a.startsAt)),
      endsAt: sane(instantOf(a.endsAt)),
      url: a.generatorURL || null,
      raw: rawAlerts[i],
    };
  });
  if (problems.length) fail(problems);
  return out;
}

// ---------------------------------------------------------------- Zabbix (media type "Webhook")

const idValue = z.union([z.string().max(100), z.number().int().nonnegative()]);
const zabbixBody = z.object({
  eventId: idValue.optional(),
  triggerId: idValue.optional(),
  /** {EVENT.STATUS}: PROBLEM | RESOLVED (OK and UPDATE are understood too). */
  status: str(40).optional(),
  /** {EVENT.VALUE}: 1 problem, 0 recovery. */
  value: z.union([z.string().max(10), z.number()]).optional(),
  severity: str(40).optional(),
  name: str(2000).optional(),
  subject: str(2000).optional(),
  host: str(500).optional(),
  message: str(20_000).optional(),
  /** An ISO instant with offset, epoch seconds, or Zabbix's `{EVENT.DATE} {EVENT.TIME}` (2026.03.05 14:30:00) in the customer's time zone. */
  eventTime: z.union([str(64), z.number()]).optional(),
  recoveryTime: z.union([str(64), z.number()]).optional(),
  tags: str(5000).optional(),
  url: str(2000).optional(),
});

/** A macro Zabbix left unexpanded ("{EVENT.ID}"): the media type's parameters are wrong. */
const MACRO_RE = /^\{[A-Z0-9_.]+\}$/;

function zabbixTime(v: string | number | undefined, timeZone: string): number | null {
  if (v === undefined) return null;
  const m = typeof v === 'string' ? /^(\d{4})[.-](\d{2})[.-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim()) : null;
  if (m) {
    if (Number(m[4]) > 23 || Number(m[6] ?? 0) > 59) return null;
    try {
      return zonedToInstant(`${m[1]}-${m[2]}-${m[3]}`, `${m[4]}:${m[5]}`, timeZone) + Number(m[6] ?? 0) * 1000;
    } catch {
      return null;
    }
  }
  return instantOf(v);
}

function zabbix(body: unknown, timeZone: string): ParsedAlert[] {
  const z0 = parseWith(zabbixBody, body);
  const problems: FieldProblem[] = [];
  const given = (field: 'eventId' | 'triggerId' | 'status' | 'name' | 'subject'): string | null => {
    const v = z0[field];
    if (v === undefined || v === null || String(v).trim() === '') return null;
    if (MACRO_RE.test(String(v).trim())) {
      problems.push({ field, code: 'alerts.macroNotExpanded', params: { value: String(v) } });
      return null;
    }
    return String(v).trim();
  };
  const eventId = given('eventId');
  const triggerId = given('triggerId');
  if (eventId === null && triggerId === null && !problems.some((p) => p.field === 'eventId' || p.field === 'triggerId')) problems.push({ field: 'eventId', code: 'required' });
  let status: ParsedAlert['status'] | null = null;
  const s = given('status');
  if (s !== null) {
    const up = s.toUpperCase();
    if (up === 'PROBLEM' || up === 'UPDATE' || up === 'FIRING') status = 'firing';
    else if (up === 'RESOLVED' || up === 'OK' || up === 'RECOVERY') status = 'resolved';
    else problems.push({ field: 'status', code: 'enum', params: { values: 'PROBLEM, RESOLVED' } });
  } else if (z0.value !== undefined && !problems.some((p) => p.field === 'status')) {
    const v = String(z0.value).trim();
    if (v === '1') status = 'firing';
    else if (v === '0') status = 'resolved';
    else problems.push({ field: 'value', code: 'enum', params: { values: '0, 1' } });
  } else if (!problems.some((p) => p.field === 'status')) problems.push({ field: 'status', code: 'required' });
  const name = given('name') ?? given('subject');
  if (name === null && !problems.some((p) => p.field === 'name' || p.field === 'subject')) problems.push({ field: 'name', code: 'required' });
  if (problems.length) fail(problems);

  const host = z0.host?.trim() || null;
  const facts: Array<[string, string]> = [];
  if (host) facts.push(['host', host]);
  if (eventId) facts.push(['zabbix:eventId', eventId]);
  if (triggerId) facts.push(['zabbix:triggerId', triggerId]);
  if (z0.severity) facts.push(['severity', z0.severity]);
  if (z0.tags?.trim()) facts.push(['zabbix:tags', z0.tags.trim()]);
  let title = name!;
  if (host && !title.includes(host)) title = `${title} (${host})`;
  return [
    {
      // Per trigger (each host has its own): a trigger that fires again while its ticket is open is the same fault.
      fingerprint: triggerId !== null ? `trigger:${triggerId}` : `event:${eventId}`,
      status: status!,
      severity: z0.severity?.trim() ? normaliseSeverity(z0.severity) : null,
      title,
      facts,
      text: z0.message?.trim() || null,
      startsAt: zabbixTime(z0.eventTime, timeZone),
      endsAt: zabbixTime(z0.recoveryTime, timeZone),
      url: z0.url?.trim() || null,
      raw: body,
    },
  ];
}

// ---------------------------------------------------------------- generic (our documented JSON)

const genericAlert = z.strictObject({
  fingerprint: z.string().trim().min(1).max(FINGERPRINT_MAX),
  status: z.enum(['firing', 'resolved']).default('firing'),
  // `title` is a contact's job title among the shared field names: messages of its own.
  title: z
    .string()
    .transform((s) => s.trim())
    .superRefine((s, ctx) => {
      if (!s) ctx.addIssue({ code: 'custom', params: { code: 'alerts.title.required' } });
      else if (s.length > 500) ctx.addIssue({ code: 'custom', params: { code: 'alerts.title.tooLong', max: 500 } });
    }),
  description: z.string().max(20_000).optional(),
  severity: z.string().trim().max(40).optional(),
  startsAt: z.union([str(64), z.number()]).optional(),
  endsAt: z.union([str(64), z.number()]).optional(),
  host: z.string().trim().max(500).optional(),
  url: z.string().trim().max(2000).optional(),
  labels: labelMap.optional(),
});
type GenericAlert = z.output<typeof genericAlert>;
const genericBody = z.union([z.strictObject({ alerts: z.array(genericAlert).min(1).max(MAX_ALERTS) }), genericAlert]);

function generic(body: unknown): ParsedAlert[] {
  // One alert, or {alerts: [...]}: pick the shape by the key, so errors name the right fields.
  const many = body !== null && typeof body === 'object' && !Array.isArray(body) && 'alerts' in body;
  const list: GenericAlert[] = many ? parseWith(genericBody.options[0], body).alerts : [parseWith(genericAlert, body)];
  const raws: unknown[] = many ? (body as { alerts: unknown[] }).alerts : [body];
  const problems: FieldProblem[] = [];
  const out = list.map((a, i): ParsedAlert => {
    const at = (field: string) => (many ? `alerts[${i}].${field}` : field);
    const startsAt = instantOf(a.startsAt);
    if (a.startsAt !== undefined && startsAt === null) problems.push({ field: at('startsAt'), code: 'instant' });
    const endsAt = instantOf(a.endsAt);
    if (a.endsAt !== undefined && endsAt === null) problems.push({ field: at('endsAt'), code: 'instant' });
    const facts: Array<[string, string]> = [];
    if (a.host) facts.push(['host', a.host]);
    for (const k of Object.keys(a.labels ?? {}).sort()) facts.push([`label:${k}`, a.labels![k]]);
    return {
      fingerprint: a.fingerprint,
      status: a.status,
      severity: a.severity ? normaliseSeverity(a.severity) : null,
      title: a.host && !a.title.includes(a.host) ? `${a.title} (${a.host})` : a.title,
      facts,
      text: a.description?.trim() ? a.description : null,
      startsAt,
      endsAt,
      url: a.url || null,
      raw: raws[i],
    };
  });
  if (problems.length) fail(problems);
  return out;
}

/**
 * The alerts of a payload in the source's format. `timeZone`: the customer's, for Zabbix's
 * local date and time. Throws a 400 AppError naming the field.
 */
export function parseAlerts(format: AlertFormat, body: unknown, timeZone: string): ParsedAlert[] {
  // Monitoring systems cannot be asked to resend: NUL is removed, lone surrogates become U+FFFD (docs/ALERTS.md).
  body = scrubText(body);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail([{ field: '(body)', code: 'alerts.bodyNotObject' }]);
  switch (format) {
    case 'alertmanager':
      return alertmanager(body);
    case 'zabbix':
      return zabbix(body, timeZone);
    case 'generic':
      return generic(body);
  }
}

/** The local date and time of an instant, for notes and descriptions (2026-03-05 14:30). */
export function localTime(ms: number, timeZone: string): string {
  const z1 = instantToZoned(ms, timeZone);
  return `${z1.date} ${z1.time}`;
}

export { clip };
