import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { localeFromHeader } from '../i18n/index.js';
import { AppError, sendProblem } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A multipart upload route: the largest file it takes. The request as a whole may be that
     * plus MULTIPART_OVERHEAD_BYTES (the route's bodyLimit is for bodies that are not multipart).
     */
    uploadLimit?: number;
  }
}

/** Room beside the file in a multipart body: boundaries, part headers and the small text fields of a form. */
export const MULTIPART_OVERHEAD_BYTES = 256 * 1024;

/** Requests whose body was cut at the limit, with the 413 they get whatever their handler made of the rest. */
const cutAtLimit = new WeakMap<FastifyRequest, AppError>();

/**
 * The 413 a request gets because its body went over the limit while streaming (no
 * Content-Length), or undefined. The error handler asks first: when the body is cut, whatever
 * the route then failed with (a multipart part "terminated early", a truncated file) is a 413.
 */
export function bodyLimitError(request: FastifyRequest): AppError | undefined {
  return cutAtLimit.get(request);
}

/** The largest body a request may send to its route, and how the limit reads in a message. */
export function bodyLimitOf(request: FastifyRequest, config: Config): { bytes: number; label: string; upload: boolean } {
  const route = request.routeOptions;
  const upload = route.config?.uploadLimit;
  if (upload !== undefined && /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
    return { bytes: upload + MULTIPART_OVERHEAD_BYTES, label: route.config?.bodyLimitLabel ?? formatBytes(upload), upload: true };
  }
  const bytes = route.bodyLimit ?? config.bodyLimit;
  return { bytes, label: route.config?.bodyLimitLabel ?? formatBytes(bytes), upload: false };
}

/** An upload's 413 names its file field (every upload form's file is `file`), so the form can show it there. */
function tooLarge(limit: { label: string; upload: boolean }): AppError {
  const fields = limit.upload ? [{ field: 'file', code: 'http.fileTooLarge', params: { limit: limit.label } }] : [];
  return new AppError(413, 'too_large', 'http.tooLarge', { limit: limit.label }, fields);
}

/**
 * Body limits at the HTTP edge, before any handler or parser reads a byte (issue #9, item 7).
 *
 * - A Content-Length above the route's limit is answered 413 at once, with `Connection: close`
 *   so the client stops sending and the connection is not reused.
 * - A body without Content-Length (chunked) is counted as the HTTP parser hands it over; at the
 *   limit the body ends for whoever reads it (the bytes after are discarded, never buffered), the
 *   request is marked, and the error handler answers 413 to whatever the route made of it.
 *   Multipart uploads read the raw request (@fastify/multipart pipes it into busboy), not the
 *   payload of a preParsing hook, so counting happens on the raw request itself.
 * - Every 413 closes the connection: the rest of the body is not read to reuse it.
 *
 * Fastify's own parsers keep their limits (route bodyLimit) for bodies they read; multipart file
 * sizes stay with the upload routes (the file limit), this is the request as a whole.
 */
export function registerBodyLimits(app: FastifyInstance, config: Config) {
  app.addHook('onRequest', (request, reply, done) => {
    const headers = request.headers;
    const declared = headers['content-length'];
    if (declared === undefined && headers['transfer-encoding'] === undefined) return done(); // no body
    const limit = bodyLimitOf(request, config);
    if (declared !== undefined) {
      // Node's parser reads exactly Content-Length bytes of body: a declared length within the limit needs no counting.
      if (Number(declared) <= limit.bytes) return done();
      reply.header('connection', 'close');
      sendProblem(reply, tooLarge(limit), localeFromHeader(headers['accept-language']));
      return;
    }
    countBody(request, limit.bytes, () => tooLarge(limit));
    done();
  });

  app.addHook('onSend', (request, reply, _payload, done) => {
    // A 413 before the body's end: close rather than read the rest of it to keep the connection.
    if (reply.statusCode === 413 && (!request.raw.complete || cutAtLimit.has(request))) reply.header('connection', 'close');
    done();
  });
}

/**
 * Counts the body bytes the HTTP parser pushes into the request. At the limit, the chunk that
 * crosses it still goes through (a reader counting for itself sees the body is too large),
 * then the body ends; what the client sends after is dropped until the connection closes.
 */
function countBody(request: FastifyRequest, limit: number, error: () => AppError) {
  const raw: IncomingMessage = request.raw;
  // Bytes the parser pushed before this hook ran (the same socket read as the headers).
  let seen = raw.readableLength;
  let cut = false;
  const push = raw.push;
  raw.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (cut) return true;
    if (chunk !== null && chunk !== undefined) {
      seen += (chunk as Buffer).length;
      if (seen > limit) {
        cut = true;
        cutAtLimit.set(request, error());
        push.call(this, chunk, encoding);
        // The body ends here for its reader. Marked complete: a request that ends incomplete
        // destroys its socket (IncomingMessage._destroy), and the 413 would never be written.
        this.complete = true;
        return push.call(this, null);
      }
    }
    return push.call(this, chunk, encoding);
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / 1024 / 1024)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
