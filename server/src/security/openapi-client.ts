import { randomBytes } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A test-side client of the OpenAPI document at /api/openapi.json: the operations, a check of a
 * real response against what the document says of its operation (status, media type, body by
 * JSON Schema 2020-12 with Ajv), and values built from the documented schemas. Shared by
 * openapi-truth.test.ts, fuzz.test.ts and fixture.ts (the world of the cross-customer and
 * encoded-path tests).
 */

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  $ref?: string;
};

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /api/v1/path/{param}` as in the document. */
  key: string;
  method: string;
  path: string;
  pathParams: Param[];
  queryParams: Param[];
  /** The JSON body, when the operation documents one. */
  body: JsonSchema | null;
  bodyRequired: boolean;
  /** status → media type → schema (undefined: no schema, e.g. a file). Statuses without content map to {}. */
  responses: Record<string, Record<string, JsonSchema | undefined>>;
  /** Public: `security: []` (no session, no token). */
  isPublic: boolean;
  pattern: RegExp;
}

export interface OpenApiDocument {
  raw: Record<string, unknown>;
  operations: Operation[];
  byKey: Map<string, Operation>;
  /** The operation a request goes to (path params matched), or undefined. */
  match(method: string, url: string): Operation | undefined;
  /** What is wrong with a real response of `op`, by the document (empty: nothing). */
  check(op: Operation, res: LightMyRequestResponse): string[];
}

const COMPONENTS_ID = 'urn:yunwei:openapi:components';

/** `#/components/schemas/X` → the same schema in the components document Ajv holds. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/') ? `${COMPONENTS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}` : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

function mediaTypeOf(header: unknown): string {
  return String(header ?? '').split(';')[0].trim().toLowerCase();
}

/** Whether the documented media type (or range: `*\/*`, `image/*`) covers the response's. */
function mediaMatches(documented: string, actual: string): boolean {
  if (documented === '*/*') return true;
  if (documented.endsWith('/*')) return actual.startsWith(documented.slice(0, -1));
  return documented.toLowerCase() === actual;
}

export async function loadOpenApi(app: FastifyInstance): Promise<OpenApiDocument> {
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /api/openapi.json: ${res.statusCode}`);
  const raw = res.json() as { paths: Record<string, Record<string, Record<string, unknown>>>; components?: { schemas?: Record<string, unknown> }; security?: unknown[] };

  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(raw.components?.schemas ?? {}) as object });
  const compiled = new Map<JsonSchema, ValidateFunction>();
  const validatorOf = (schema: JsonSchema) => {
    let v = compiled.get(schema);
    if (!v) {
      v = ajv.compile(rewriteRefs(schema) as object);
      compiled.set(schema, v);
    }
    return v;
  };

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(raw.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const method = m.toUpperCase();
      const params = (op.parameters as Param[] | undefined) ?? [];
      const requestBody = op.requestBody as { required?: boolean; content?: Record<string, { schema?: JsonSchema }> } | undefined;
      const responses: Operation['responses'] = {};
      for (const [status, r] of Object.entries((op.responses as Record<string, { content?: Record<string, { schema?: JsonSchema }> }>) ?? {})) {
        responses[status] = {};
        for (const [media, c] of Object.entries(r.content ?? {})) responses[status][media] = c.schema;
      }
      const security = (op.security as unknown[] | undefined) ?? raw.security ?? [];
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]*')}$`);
      operations.push({
        key: `${method} ${path}`,
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: requestBody?.content?.['application/json']?.schema ?? null,
        bodyRequired: requestBody?.required === true,
        responses,
        isPublic: Array.isArray(security) && security.length === 0,
        pattern,
      });
    }
  }
  // Literal segments win over parameters (`/contacts/search` before `/contacts/{id}`), as in Fastify.
  const specificity = (p: string) => p.split('/').map((s) => (s.startsWith('{') ? '1' : '0')).join('');
  const ordered = [...operations].sort((a, b) => specificity(a.path).localeCompare(specificity(b.path)));

  return {
    raw,
    operations,
    byKey: new Map(operations.map((o) => [o.key, o])),
    match(method, url) {
      const path = url.split('?')[0];
      return ordered.find((o) => o.method === method && o.pattern.test(path));
    },
    check(op, res) {
      const problems: string[] = [];
      const status = String(res.statusCode);
      const documented = op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default;
      if (!documented) return [`${op.key}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${res.body.slice(0, 300)}`];
      const medias = Object.keys(documented);
      const actual = mediaTypeOf(res.headers['content-type']);
      if (medias.length === 0) {
        if (res.rawPayload.length > 0) problems.push(`${op.key}: ${status} is documented without a body but has ${res.rawPayload.length} bytes (${actual})`);
        return problems;
      }
      const media = medias.find((m) => mediaMatches(m, actual));
      if (!media) return [`${op.key}: ${status} answered ${actual || '(no content-type)'}, documented ${medias.join(', ')}`];
      const schema = documented[media];
      if (!schema || !/json/.test(media)) return problems;
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        return [`${op.key}: ${status} ${media} body is not JSON: ${res.body.slice(0, 200)}`];
      }
      const validate = validatorOf(schema);
      if (!validate(body)) problems.push(`${op.key}: ${status} body does not match the document: ${ajv.errorsText(validate.errors)}; body ${res.body.slice(0, 300)}`);
      return problems;
    },
  };
}

// ---------------------------------------------------------------- values from schemas

/** A seeded PRNG (mulberry32): the same seed gives the same run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof prng>;

/**
 * Not random: the first choice every time (the first enum value, alternative and type, lower
 * bounds, the fewest items, no optional property, no default). For requests that must be the
 * same on every run (fixture.ts).
 */
export const firstChoice: Rng = { next: () => 0, int: (min) => min, pick: (xs) => xs[0], chance: () => false };

export function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  return [];
}

/** A string matching the few patterns the document uses, else plain text of a fitting length. */
function stringFor(schema: JsonSchema, rng: Rng, hint: string): string {
  const min = Number(schema.minLength ?? 1);
  const max = Number(schema.maxLength ?? 40);
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : null;
  if (pattern === '^\\d{4}-(0[1-9]|1[0-2])$') return `2026-${String(rng.int(1, 12)).padStart(2, '0')}`;
  if (pattern?.startsWith('^[A-Za-z0-9]')) return `fz${rng.int(0, 1e9).toString(36)}`.slice(0, Math.max(1, Math.min(max, 40)));
  let s = `${hint || 'x'}${rng.int(0, 1e6).toString(36)}`;
  while (s.length < min) s += 'x';
  return s.slice(0, Math.max(min, Math.min(max, s.length)));
}

/**
 * A value the schema accepts (by its JSON Schema: types, enums, lengths, bounds, required
 * properties). `known` supplies values by property name (ids that exist, versions …).
 */
export function exampleOf(schema: JsonSchema | undefined, rng: Rng, known: Record<string, unknown> = {}, name = '', depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (name && name in known) return known[name];
  if ('const' in schema) return schema.const;
  if (schema.enum) return rng.pick(schema.enum);
  if (schema.default !== undefined && rng.chance(0.3)) return schema.default;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const nonNull = alternatives.filter((s) => !typesOf(s).includes('null'));
    return exampleOf(rng.pick(nonNull.length ? nonNull : alternatives), rng, known, name, depth + 1);
  }
  if (schema.allOf?.length) return exampleOf(schema.allOf[0], rng, known, name, depth + 1);
  const types = typesOf(schema).filter((t) => t !== 'null');
  const type = types.length ? rng.pick(types) : schema.properties ? 'object' : 'string';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if (required.has(k) || k in known || rng.chance(0.5)) out[k] = exampleOf(s, rng, known, k, depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = Number(schema.minItems ?? 0);
      const max = Math.min(Number(schema.maxItems ?? 3), min + 3);
      return Array.from({ length: rng.int(min, Math.max(min, max)) }, () => exampleOf(schema.items, rng, known, '', depth + 1));
    }
    case 'integer':
    case 'number': {
      const lo = schema.exclusiveMinimum !== undefined ? Number(schema.exclusiveMinimum) + 1 : Number(schema.minimum ?? 0);
      const hi = schema.exclusiveMaximum !== undefined ? Number(schema.exclusiveMaximum) - 1 : Number(schema.maximum ?? lo + 100);
      return rng.int(lo, Math.min(hi, lo + 100));
    }
    case 'boolean':
      return rng.chance(0.5);
    default:
      return stringFor(schema, rng, name);
  }
}

/** encodeURIComponent, except that a lone surrogate becomes bytes that are not UTF-8 (%ED%A0%80): a fuzz input of its own. */
export function encodeLoose(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\uffff')).replaceAll('%EF%BF%BF', '%ED%A0%80');
  }
}

/** Query parameter values as a query string (arrays comma-joined, as the API takes them). */
export function queryString(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeLoose(k)}=${encodeLoose(Array.isArray(v) ? v.join(',') : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The URL of `op` with its path parameters filled in. */
export function urlOf(op: Operation, params: Record<string, unknown>, query: Record<string, unknown> = {}): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeLoose(String(params[name]))) + queryString(query);
}

// ---------------------------------------------------------------- request bodies that are not JSON (multipart and PNGs: test/uploads.ts)

/** A small raw RFC 822 message. */
export function rfc822(from: string, to: string, subject: string, text: string): Buffer {
  return Buffer.from(
    [`From: ${from}`, `To: ${to}`, `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`, `Message-ID: <${randomBytes(8).toString('hex')}@fuzz.example>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(text).toString('base64'), ''].join('\r\n'),
  );
}
