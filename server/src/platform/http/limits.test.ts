import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeDb } from '../../test/harness.js';
import { createTicket, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { MAX_ATTACHMENT_BYTES } from '../../modules/tickets/files.js';
import { MULTIPART_OVERHEAD_BYTES } from './limits.js';

const MB = 1024 * 1024;
const BOUNDARY = '----yunwei-limits-test';
/** The whole request an attachment route takes: the 20 MB file and room for the multipart framing. */
const ATTACHMENT_REQUEST_LIMIT = MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD_BYTES;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Body bytes the client had written when the answer's headers came. */
  sentAtAnswer: number;
  /** Milliseconds from the write that took the body over `crossing` to the answer (null: never crossed). */
  msAfterCrossing: number | null;
  /** Highest RSS growth of this process (server and client) while the request ran. */
  rssGrowth: number;
}

/**
 * A real HTTP client over a socket: POSTs `parts` (written as fast as the connection takes them,
 * stopping once the answer is there, as a client should) and reports when the answer came.
 */
function post(base: string, path: string, headers: Record<string, string | number>, parts: Iterable<Buffer>, crossing = Infinity): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = http.request(url, { method: 'POST', headers, agent: false });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let sent = 0;
    let crossedAt: number | null = null;
    let answered = false;
    let wake: (() => void) | null = null;
    const wakeUp = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    req.on('drain', wakeUp);
    req.on('close', wakeUp);
    req.on('error', (err) => {
      // EPIPE / ECONNRESET once the server has answered and closed: expected; before the answer, a failure.
      wakeUp();
      if (!answered) {
        clearInterval(sampler);
        reject(err);
      }
    });
    req.on('response', (res) => {
      answered = true;
      const at = performance.now();
      const sentAtAnswer = sent;
      wakeUp();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => {});
      const done = () => {
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          sentAtAnswer,
          msAfterCrossing: crossedAt === null ? null : at - crossedAt,
          rssGrowth: peak - baseline,
        });
        req.destroy();
      };
      res.on('end', done);
      res.on('close', done);
    });
    void (async () => {
      for (const part of parts) {
        if (answered || req.destroyed) return;
        const more = req.write(part);
        sent += part.length;
        if (crossedAt === null && sent > crossing) crossedAt = performance.now();
        if (!more) await new Promise<void>((r) => (wake = r));
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** A multipart form with one file of `size` bytes (a PDF by its first bytes), produced 64 KB at a time. */
function* multipartFile(size: number): Generator<Buffer> {
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  yield Buffer.from('%PDF-1.7\n');
  const block = Buffer.alloc(64 * 1024, 0x20);
  let left = size - 9;
  while (left > 0) {
    const n = Math.min(left, block.length);
    yield n === block.length ? block : block.subarray(0, n);
    left -= n;
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function multipartLength(size: number): number {
  let n = 0;
  for (const b of [`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`, `\r\n--${BOUNDARY}--\r\n`]) n += Buffer.byteLength(b);
  return n + size;
}

describeDb('body limits at the HTTP edge', (kind) => {
  let w: TicketWorld;
  let base: string;
  let ticketId: number;
  let auth: Record<string, string>;

  beforeAll(async () => {
    w = await ticketWorld(kind, process.env.DBG ? { LOG_LEVEL: 'error' } : {});
    await w.t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`;
    ticketId = (await createTicket(w.desk, report(w.a))).id;
    auth = { cookie: w.desk.cookie, 'x-csrf-token': w.desk.csrf };
  });
  afterAll(() => w?.t.close());

  const multipartHeaders = () => ({ ...auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` });

  test('a 200 MB upload streamed without Content-Length gets its 413 within a second of crossing the limit, memory flat', async () => {
    const total = 200 * MB;
    const res = await post(base, `/api/v1/tickets/${ticketId}/attachments`, { ...multipartHeaders(), 'transfer-encoding': 'chunked' }, multipartFile(total), ATTACHMENT_REQUEST_LIMIT);
    expect(res.status, res.body).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 413, code: 'too_large' });
    expect(JSON.parse(res.body).title).toContain('20 MB');
    expect(res.headers.connection).toBe('close');
    expect(res.msAfterCrossing, `answered after ${res.sentAtAnswer} bytes`).not.toBeNull();
    expect(res.msAfterCrossing!).toBeLessThan(1000);
    // Nowhere near the 200 MB: the answer came while the client was still at the limit (plus socket buffers).
    expect(res.sentAtAnswer).toBeLessThan(ATTACHMENT_REQUEST_LIMIT + 16 * MB);
    expect(res.rssGrowth).toBeLessThan(96 * MB);
    // The ticket got no attachment, and the server takes the next request.
    const tk = await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${ticketId}` });
    expect(tk.json().attachments).toEqual([]);
  });

  test('a Content-Length above the limit gets its 413 before any byte of the body is sent', async () => {
    const res = await post(base, `/api/v1/tickets/${ticketId}/attachments`, { ...multipartHeaders(), 'content-length': multipartLength(21 * MB) }, []);
    expect(res.status, res.body).toBe(413);
    expect(res.sentAtAnswer).toBe(0);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ status: 413, code: 'too_large' });
  });

  test('a 200 MB upload with its Content-Length is answered at once, not after the body', async () => {
    const total = 200 * MB;
    const res = await post(base, `/api/v1/tickets/${ticketId}/attachments`, { ...multipartHeaders(), 'content-length': multipartLength(total) }, multipartFile(total));
    expect(res.status, res.body).toBe(413);
    expect(res.sentAtAnswer).toBeLessThan(16 * MB);
    expect(res.rssGrowth).toBeLessThan(96 * MB);
  });

  test('an upload just under the limit is taken, streamed or with its Content-Length', async () => {
    const size = MAX_ATTACHMENT_BYTES - 1024;
    const chunked = await post(base, `/api/v1/tickets/${ticketId}/attachments`, { ...multipartHeaders(), 'transfer-encoding': 'chunked' }, multipartFile(size));
    expect(chunked.status, chunked.body).toBe(201);
    const declared = await post(base, `/api/v1/tickets/${ticketId}/attachments`, { ...multipartHeaders(), 'content-length': multipartLength(size) }, multipartFile(size));
    expect(declared.status, declared.body).toBe(201);
    const tk = await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${ticketId}` });
    expect(tk.json().attachments.map((a: { size: number }) => a.size)).toEqual([size, size]);
  });

  test('other bodies: the route limit (BODY_LIMIT_BYTES), at once on Content-Length, at the limit when streamed', async () => {
    const limit = w.t.config.bodyLimit;
    const json = { ...auth, 'content-type': 'application/json' };
    const declared = await post(base, '/api/v1/tickets', { ...json, 'content-length': limit + 1 }, []);
    expect(declared.status, declared.body).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(JSON.parse(declared.body).title).toContain('1 MB');

    function* padded(size: number): Generator<Buffer> {
      yield Buffer.from('{"title":"x"');
      const block = Buffer.alloc(64 * 1024, 0x20);
      for (let left = size; left > 0; left -= block.length) yield block;
      yield Buffer.from('}');
    }
    const streamed = await post(base, '/api/v1/tickets', { ...json, 'transfer-encoding': 'chunked' }, padded(50 * MB), limit);
    expect(streamed.status, streamed.body).toBe(413);
    expect(streamed.msAfterCrossing!).toBeLessThan(1000);
    expect(streamed.sentAtAnswer).toBeLessThan(limit + 16 * MB);

    // Just under: the limit lets it through to the route (which creates the ticket).
    const body = JSON.stringify(report(w.a));
    const under = Buffer.from(body.slice(0, -1) + ' '.repeat(limit - Buffer.byteLength(body)) + '}');
    expect(under.length).toBe(limit);
    const ok = await post(base, '/api/v1/tickets', { ...json, 'transfer-encoding': 'chunked' }, [under]);
    expect(ok.status, ok.body).toBe(201);
  });
});
