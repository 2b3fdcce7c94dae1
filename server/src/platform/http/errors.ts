import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { core } from 'zod';
import { fieldLabel, t, type Locale } from '../i18n/index.js';

/** One bad field: `code` is a message key suffix (`validation.<code>`) or a full key. */
export interface FieldProblem {
  field: string;
  code: string;
  params?: Record<string, unknown>;
  /** For problems in an uploaded sheet: the row number and column header as the user sees them. */
  row?: number;
  column?: string;
}

/**
 * The one error type services throw. Routes never build responses for errors; the error
 * handler turns an AppError into RFC 9457 problem+json in the caller's language.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
    readonly fields: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${messageKey}`);
  }

  static notFound() {
    return new AppError(404, 'not_found', 'http.notFound');
  }
  static unauthorized(key = 'http.unauthorized') {
    return new AppError(401, 'unauthorized', key);
  }
  static forbidden(permission: string, key = 'http.forbidden') {
    return new AppError(403, 'forbidden', key, { permission });
  }
  static conflict(key = 'http.conflict', params: Record<string, unknown> = {}) {
    return new AppError(409, 'conflict', key, params);
  }
  static duplicate(field: string, value: unknown) {
    return new AppError(409, 'duplicate', 'http.duplicate', { field, value }, [{ field, code: 'http.duplicate', params: { value } }]);
  }
  static validation(fields: FieldProblem[]) {
    return new AppError(400, 'validation', 'validation.title', {}, fields);
  }
  /** One bad field with a specific message key. */
  static field(field: string, code: string, params: Record<string, unknown> = {}) {
    return AppError.validation([{ field, code, params }]);
  }
}

const PROBLEM_BASE = 'https://yunwei.dev/problems/';

function messageFor(locale: Locale, p: FieldProblem): string {
  const key = p.code.includes('.') ? p.code : `validation.${p.code}`;
  const params: Record<string, unknown> = { field: fieldLabel(locale, p.field) };
  for (const [k, v] of Object.entries(p.params ?? {})) {
    // An array param holds message keys to translate and list (e.g. the missing password classes).
    params[k] = Array.isArray(v) ? v.map((x) => t(locale, String(x))).join(locale === 'en-US' ? ', ' : '、') : v;
  }
  return t(locale, key, params);
}

function pathToField(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Maps zod issues to field problems with our message codes. */
export function zodIssuesToProblems(issues: readonly core.$ZodIssue[], prefix?: string, inputAt?: (path: readonly PropertyKey[]) => unknown): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    const base = pathToField(issue.path);
    const field = prefix ? (base ? `${prefix}.${base}` : prefix) : base || '(body)';
    switch (issue.code) {
      case 'invalid_type': {
        // zod 4 keeps the input on an issue only when asked (reportInput): otherwise look it up,
        // so that a wrong type is not reported as a missing value.
        const missing = ('input' in issue ? issue.input : inputAt?.(issue.path)) === undefined;
        out.push(missing ? { field, code: 'required' } : { field, code: 'type', params: { expected: issue.expected } });
        break;
      }
      case 'too_small': {
        const min = Number(issue.minimum);
        if (issue.origin === 'string') out.push(min <= 1 ? { field, code: 'required' } : { field, code: 'tooShort', params: { min } });
        else if (issue.origin === 'array' || issue.origin === 'set') out.push({ field, code: 'tooFew', params: { min } });
        else out.push({ field, code: 'tooSmall', params: { min } });
        break;
      }
      case 'too_big': {
        const max = Number(issue.maximum);
        if (issue.origin === 'string') out.push({ field, code: 'tooLong', params: { max } });
        else if (issue.origin === 'array' || issue.origin === 'set') out.push({ field, code: 'tooMany', params: { max } });
        else out.push({ field, code: 'tooBig', params: { max } });
        break;
      }
      case 'invalid_format':
        out.push({ field, code: issue.format === 'email' ? 'email' : 'format' });
        break;
      case 'invalid_value':
        out.push({ field, code: 'enum', params: { values: issue.values.map(String).join(', ') } });
        break;
      case 'unrecognized_keys':
        out.push({ field: base || '(body)', code: 'unknownKey', params: { keys: issue.keys.join(', ') } });
        break;
      case 'custom': {
        const params = (issue.params ?? {}) as Record<string, unknown>;
        out.push({ field, code: typeof params.code === 'string' ? params.code : 'invalid', params });
        break;
      }
      default:
        out.push({ field, code: 'invalid' });
    }
  }
  return out;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  errors?: Array<{ field: string; code: string; message: string; row?: number; column?: string }>;
}

export function problemFromAppError(err: AppError, locale: Locale): Problem {
  const problem: Problem = {
    type: PROBLEM_BASE + err.code,
    title: t(locale, err.messageKey, err.params),
    status: err.status,
    code: err.code,
  };
  if (err.fields.length) {
    problem.errors = err.fields.map((f) => ({
      field: f.field,
      ...(f.row === undefined ? {} : { row: f.row, column: f.column }),
      code: f.code,
      message: messageFor(locale, f),
    }));
    problem.detail = err.code === 'validation' ? t(locale, 'validation.detail', { count: err.fields.length }) : problem.errors.map((e) => e.message).join('; ');
  }
  return problem;
}

/** Converts anything thrown in a request into an AppError (or null: an unexpected bug). */
export function toAppError(err: unknown, request: FastifyRequest): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as FastifyError & { statusCode?: number };
  if (hasZodFastifySchemaValidationErrors(e)) {
    // The type provider flattens each zod issue into {keyword, instancePath, params}; rebuild it.
    const issues = e.validation.map((v) => {
      const path = (v.instancePath as string).split('/').filter(Boolean).map((seg: string) => (/^\d+$/.test(seg) ? Number(seg) : seg));
      return { ...(v.params as object), code: v.keyword, path } as unknown as core.$ZodIssue;
    });
    const ctx = (e as { validationContext?: string }).validationContext;
    const source = ctx === 'querystring' ? request.query : ctx === 'params' ? request.params : ctx === 'headers' ? request.headers : request.body;
    const problems = zodIssuesToProblems(issues, undefined, (path) => valueAt(source, path));
    // A path whose id is not one (`/tickets/01`, `/tickets/abc`) names no record: not found, not a bad request.
    if (ctx === 'params' && problems.some((p) => p.code === 'id')) return AppError.notFound();
    return AppError.validation(problems);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
      return new AppError(413, 'too_large', 'http.tooLarge', { limit: request.routeOptions.config?.bodyLimitLabel ?? formatBytes(request.routeOptions.bodyLimit ?? 0) });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'bad_json', 'http.badJson');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', 'http.unsupportedMedia', { type: request.headers['content-type'] ?? '' });
  }
  if (e.statusCode === 429) {
    const seconds = Math.ceil(Number((e as unknown as { ttl?: number }).ttl ?? 60_000) / 1000);
    return new AppError(429, 'rate_limited', 'http.rateLimited', { seconds }, [], { 'retry-after': String(seconds) });
  }
  if (e instanceof SyntaxError && e.statusCode === 400) return new AppError(400, 'bad_json', 'http.badJson');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.statusCode, 'bad_request', 'validation.title');
  }
  return null;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / 1024 / 1024)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

export function sendProblem(reply: FastifyReply, err: AppError, locale: Locale) {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.status(err.status).type('application/problem+json; charset=utf-8').send(problemFromAppError(err, locale));
}

export function internalProblem(reply: FastifyReply, locale: Locale) {
  return reply
    .status(500)
    .type('application/problem+json; charset=utf-8')
    .send({ type: PROBLEM_BASE + 'internal', title: t(locale, 'http.internal'), status: 500, code: 'internal' } satisfies Problem);
}

/** Detects unique-constraint violations from either driver. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
