import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldProblem } from './errors.js';

/**
 * Text hygiene at the edge (docs/API.md, "Input rules"): what reaches a handler is valid
 * Unicode without NUL, the same on SQLite and PostgreSQL (PostgreSQL cannot store U+0000 in
 * text; a lone surrogate would be stored as U+FFFD on one database and as itself on the other).
 *
 * - A JSON body must be valid UTF-8: else 400 `invalid_utf8` on `(body)`.
 * - A percent-encoded query value must decode to valid UTF-8: else 400 `invalid_utf8` naming it.
 * - A string anywhere in the JSON body or the query that holds U+0000 or a lone surrogate: 400
 *   naming the field as validation errors do (`title`, `alerts[3].labels.job`, `q`).
 * - A path parameter holding either: 404 (no record is named so).
 *
 * Routes whose input comes from machines we cannot ask to resend (alert intake, raw mail) set
 * `config: { textInput: 'strip' }`: their body is not refused; their parser removes NUL and
 * replaces broken characters with U+FFFD instead (`scrubText`).
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** `strip`: the body's text is cleaned by the route's parser (scrubText) rather than refused. */
    textInput?: 'strip';
  }
}

/** A quick filter: only strings holding one of these need a closer look. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (String#isWellFormed is ES2024). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
/** At most this many problems are named in one answer. */
const MAX_PROBLEMS = 20;

/** The problem of one string, or null when it is clean. */
export function textProblem(s: string): 'nul' | 'unicode' | null {
  if (!SUSPECT.test(s)) return null;
  if (s.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(s) ? 'unicode' : null;
}

/** A copy of a JSON value with NUL removed from every string (keys too) and lone surrogates replaced by U+FFFD. */
export function scrubText<T>(value: T): T {
  return scrub(value) as T;
}

/** A plain object (JSON, the parsed query and path parameters): not a Buffer or a stream. */
function isRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  // The query parser's objects inherit from a prototype-less object of its own.
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

function scrubString(s: string): string {
  return SUSPECT.test(s) ? s.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD') : s;
}

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map(scrub);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubString(k)] = scrub(v);
    return out;
  }
  return value;
}

function shown(key: string): string {
  return textProblem(key) ? JSON.stringify(key).slice(1, -1) : key;
}

/** Problems of the strings in a parsed JSON value, field paths as validation errors name them. */
export function textProblems(value: unknown, prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  // Iterative: a deeply nested body must not overflow the stack.
  const stack: Array<[unknown, string]> = [[value, prefix]];
  while (stack.length && out.length < MAX_PROBLEMS) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const code = textProblem(v);
      if (code) out.push({ field: path || '(body)', code });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (isRecord(v)) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        const field = path ? `${path}.${shown(k)}` : shown(k);
        const code = textProblem(k);
        if (code) out.push({ field, code });
        else stack.push([child, field]);
      }
    }
  }
  return out.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Whether a raw (still percent-encoded) query component decodes to valid UTF-8. The query
 * parser keeps a value it cannot decode as it came (`%FF` stays the three characters), so
 * the check is made on the raw URL. A `%` not followed by two hex digits is taken literally.
 */
export function percentDecodesToUtf8(s: string): boolean {
  if (!s.includes('%')) return true;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else bytes.push(...Buffer.from(String.fromCharCode(c), 'utf8'));
  }
  return isUtf8(Buffer.from(bytes));
}

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}

/** Problems of the raw query string: values whose percent-encoding is not UTF-8. */
function queryEncodingProblems(url: string): FieldProblem[] {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('%', q)) return [];
  const out: FieldProblem[] = [];
  for (const part of url.slice(q + 1).split('&')) {
    if (!part.includes('%')) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!percentDecodesToUtf8(key)) out.push({ field: '(query)', code: 'utf8' });
    else if (!percentDecodesToUtf8(value)) out.push({ field: shown(decodeKey(key)), code: 'utf8' });
  }
  return out;
}

function invalidUtf8(fields: FieldProblem[]): AppError {
  return new AppError(400, 'invalid_utf8', 'http.invalidUtf8', {}, fields);
}

function checkRequest(request: FastifyRequest): void {
  const encoding = queryEncodingProblems(request.url);
  if (encoding.length) throw invalidUtf8(encoding);
  const params = request.params;
  if (textProblems(params).length) throw AppError.notFound();
  const problems = textProblems(request.query);
  if (request.routeOptions.config?.textInput !== 'strip') problems.push(...textProblems(request.body));
  if (problems.length) throw AppError.validation(problems.slice(0, MAX_PROBLEMS));
}

/**
 * Registers the checks on the root instance, before any route: the JSON body parser that
 * refuses invalid UTF-8, and the preValidation hook that refuses NUL and lone surrogates.
 */
export function registerInputHygiene(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buf = body as Buffer;
    // A strip route decodes what it can (broken bytes become U+FFFD), as mail and alerts must be kept.
    if (!isUtf8(buf) && request.routeOptions.config?.textInput !== 'strip') return done(invalidUtf8([{ field: '(body)', code: 'utf8' }]), undefined);
    return parseJson(request, buf.toString('utf8'), done);
  });
  app.addHook('preValidation', async (request) => checkRequest(request));
}
