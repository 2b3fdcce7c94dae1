import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document's error responses, added centrally rather than route by route.
 *
 * Routes declare their success responses (zod). Every error of every route is one problem+json
 * body (errors.ts, RFC 9457), so the statuses an operation can answer with follow from what the
 * route is: who may call it (public or not, a permission), what it takes (params, query, body)
 * and whether it writes. `openapiTransforms` is given to @fastify/swagger: the error responses
 * exist only in the document. Fastify never serializes a problem with a route's schema (no
 * response schema is added for an error status), so problem bodies keep every field.
 *
 * src/security/openapi-truth.test.ts and fuzz.test.ts check that every status a real response
 * carries is one the document lists for its operation and that the body matches the schema.
 */

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
export const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';

/** RFC 9457 problem details as errors.ts writes them (extension members allowed, as the RFC says). */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (docs/API.md, Errors). `code` is stable and machine-readable; `title` and messages are in the caller\'s language.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'https://yunwei.dev/problems/<code>' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', description: 'e.g. validation, unauthorized, forbidden, csrf, not_found, conflict, duplicate, too_large, rate_limited' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'code', 'message'],
        properties: {
          field: { type: 'string', description: 'dotted path of the field, e.g. `rows[5].phone`, `body`, `file`' },
          code: { type: 'string' },
          message: { type: 'string' },
          row: { type: 'integer', description: 'for an uploaded sheet: the Excel row' },
          column: { type: 'string', description: 'for an uploaded sheet: the column header' },
        },
      },
    },
  },
} as const;

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: a field failed validation (`errors` names each), or the body is not valid JSON',
  401: 'Not logged in, the session expired, or the token is wrong',
  403: 'No permission (or the API token lacks the scope), or the CSRF header is missing on a cookie-authenticated write',
  404: 'Not found, or outside the caller\'s customer scope',
  409: 'Conflict: a stale `version`, a duplicate, or a state that does not allow this',
  410: 'Gone: the link has expired',
  413: 'The body or the upload is too large',
  415: 'Unsupported Content-Type for the body',
  429: 'Rate limited (`Retry-After` says for how long)',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Statuses beyond the rule for operations whose services answer them (`METHOD path` as in the document). */
const EXTRA: Record<string, number[]> = {
  // A refused login is 401 whatever the reason (wrong password, locked, disabled); 429 per address.
  'POST /api/v1/auth/login': [401, 429],
  'GET /api/v1/public/confirm/{token}': [410, 429],
  'POST /api/v1/public/confirm/{token}': [410, 429],
  // The source's token is the credential; a disabled source is 403.
  'POST /api/v1/alerts/{sourceId}': [401, 403],
  // Provider staff have no customer of their own.
  'GET /api/v1/portal/sites': [404],
  // The calendar to copy (copyFrom) does not exist.
  'POST /api/v1/calendars': [404],
};

/** Writes that never conflict with anything. */
const NO_CONFLICT = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/logout-all',
  'POST /api/v1/notifications/read-all',
  'POST /api/v1/sla/preview',
]);

interface RouteLike {
  method: string | string[];
  url: string;
  config?: { public?: boolean };
}

/** The property names of a JSON schema (an object, or the objects of an anyOf/oneOf). */
function propertyNames(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as { properties?: Record<string, unknown>; anyOf?: unknown[]; oneOf?: unknown[] };
  return [...Object.keys(s.properties ?? {}), ...(s.anyOf ?? []).flatMap(propertyNames), ...(s.oneOf ?? []).flatMap(propertyNames)];
}

/** Whether a request names a record by id in its query or body (`customerId`, `ids` …): one not found, or outside the caller's scope, is a 404. */
function namesRecords(schema: Record<string, unknown>): boolean {
  return [...propertyNames(schema.querystring), ...propertyNames(schema.body)].some((name) => /Id$|^ids$/.test(name));
}

/** The error statuses an operation can answer with (`schema`: the route's, as JSON Schema). */
export function errorStatuses(method: string, openapiPath: string, route: RouteLike, schema: Record<string, unknown>): number[] {
  const key = `${method} ${openapiPath}`;
  const write = WRITES.has(method);
  const isPublic = route.config?.public === true;
  const hasParams = openapiPath.includes('{');
  const out = new Set<number>(EXTRA[key] ?? []);
  // 400: any input can be refused, also a query string on an operation that takes none (NUL, broken UTF-8: hygiene.ts).
  out.add(400);
  if (!isPublic) {
    // 403: no permission, an API token without the scope, no CSRF header on a cookie write.
    out.add(401);
    out.add(403);
  }
  if (hasParams || namesRecords(schema)) out.add(404);
  if (write) {
    if (!NO_CONFLICT.has(key)) out.add(409);
    // Any write may carry a body: too large, or of a type no parser takes.
    out.add(413);
    out.add(415);
  }
  return [...out].sort((a, b) => a - b);
}

function problemResponse(status: number) {
  return {
    description: DESCRIPTIONS[status] ?? 'Error',
    content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
  };
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type TransformOutput = ReturnType<typeof jsonSchemaTransform>;

/** jsonSchemaTransform plus the problem+json responses of each `/api/` operation. */
function transform(input: TransformInput): TransformOutput {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> };
  if (!schema || schema.hide || !input.url.startsWith('/api/')) return out;
  const route = (input as unknown as { route: RouteLike }).route;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const method = methods.find((m) => m !== 'HEAD') ?? methods[0];
  const openapiPath = input.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  for (const status of errorStatuses(method, openapiPath, route, schema)) {
    if (!(String(status) in response)) response[String(status)] = problemResponse(status);
  }
  // A public route needs no credentials, and the document says so from the route's own declaration.
  const security = route.config?.public === true ? { security: [] } : {};
  return { ...out, schema: { ...schema, ...security, response } };
}

/** Adds the Problem schema the error responses refer to. */
const transformObject: SwaggerTransformObject = (input) => {
  if (!('openapiObject' in input)) return input.swaggerObject;
  // Mutated in place: the union of OpenAPI 3.0/3.1/3.2 document types does not survive a spread.
  const doc = input.openapiObject as { components?: { schemas?: Record<string, unknown> } };
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: problemSchema } };
  return input.openapiObject;
};

/** For `app.register(swagger, { openapi, ...openapiTransforms })`. */
export const openapiTransforms = { transform, transformObject };
