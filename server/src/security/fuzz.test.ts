import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, STRONG_PASSWORD, type Session } from '../test/harness.js';
import { createTicket, report, ticketWorld, type TicketWorld } from '../test/tickets-fixture.js';
import { multipart, png } from '../test/uploads.js';
import { exampleOf, loadOpenApi, prng, typesOf, urlOf, type JsonSchema, type OpenApiDocument, type Operation } from './openapi-client.js';

/**
 * A bounded, seeded fuzz driven by the OpenAPI document: FUZZ_REQUESTS (default 10,000) requests
 * per database through app.inject, to every operation, as an administrator, a customer's user and
 * nobody; valid requests built from the schemas and known ids (of both customers), and requests
 * with wrong types, boundary and huge values, NUL, odd Unicode, extra and missing fields, random
 * ids, broken JSON, other media types, missing CSRF headers and bad credentials. Asserts that
 * nothing answers 5xx and that every answer is one the document describes (status, media type,
 * body schema). Reproduce a run with FUZZ_SEED=<seed> (printed at the end).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);

type Actor = 'admin' | 'customer' | 'anonymous';

interface Sent {
  n: number;
  actor: Actor;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '😀'.repeat(40),
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\ufeff',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; drop table users; --',
  '../../../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  '\r\nX-Injected: 1',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '0x10',
  ' 1',
  '１２３',
  '٣',
  '2026-02-30',
  '2026-02-30T25:61:00Z',
  '2026-13-01T00:00:00+08:00',
  '9999-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00Z',
  '2026-03-05T14:30:00+08:00',
  '2026-03-05T14:30:00',
  '-271821-04-20T00:00:00Z',
  '中文字段'.repeat(10),
  '𠮷野家',
  'ＡＢＣ',
  'a'.repeat(256),
  'T4',
  'admin',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
];
const NASTY_NUMBERS = [0, -1, 1, 1.5, -0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, 999_999_999];

describeDb('schema-driven fuzz: no 5xx, every answer as documented', (kind) => {
  let w: TicketWorld;
  let doc: OpenApiDocument;
  let sessions: Record<'admin' | 'customer', Session>;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    doc = await loadOpenApi(w.t.app);
    // A few tickets of each customer, so that ids of both exist.
    for (let i = 0; i < 3; i++) {
      await createTicket(w.desk, report(w.a, { title: `打印机卡纸 ${i}` }));
      await createTicket(w.desk, report(w.b, { title: `网络中断 ${i}` }));
    }
    sessions = { admin: w.admin, customer: w.custA };
  }, 120_000);
  afterAll(async () => {
    await w?.t.close();
  });

  it(`answers ${REQUESTS} generated requests without a 5xx and as documented`, { timeout: 600_000 }, async () => {
    const rng = prng(SEED);
    const ids = {
      customerId: [w.a.customerId, w.b.customerId],
      contactId: [w.a.contactId, w.b.contactId],
      siteId: [w.a.siteId, w.b.siteId],
      contractId: [w.a.contractId, w.b.contractId],
      teamId: [w.teams.desk, w.teams.line1],
      userId: [w.users.desk, w.users.eng, w.users.eng2, w.users.pm],
    };
    const tickets = (await w.t.database.db.selectFrom('tickets').select('id').execute()).map((r) => Number(r.id));
    const anyId = () => rng.pick([...ids.customerId, ...ids.contactId, ...ids.siteId, ...ids.contractId, ...ids.teamId, ...tickets, 1, 2, 3, 0, -1, 2 ** 53, 999_999]);
    /** Property names with values that exist (of either customer): valid requests reach the services. */
    const known = (): Record<string, unknown> => ({
      customerId: rng.pick(ids.customerId),
      contactId: rng.pick(ids.contactId),
      fallbackContactId: rng.pick(ids.contactId),
      siteId: rng.pick(ids.siteId),
      parentId: rng.pick(ids.siteId),
      contractId: rng.pick(ids.contractId),
      teamId: rng.pick(ids.teamId),
      toTeamId: rng.pick(ids.teamId),
      assigneeId: rng.pick(ids.userId),
      toUserId: rng.pick(ids.userId),
      projectManagerId: rng.pick(ids.userId),
      otherId: rng.pick(tickets),
      version: rng.int(1, 4),
      ids: [rng.pick(tickets)],
      memberIds: [rng.pick(ids.userId)],
      customerIds: [rng.pick(ids.customerId)],
      reportedAt: new Date(Date.now() - rng.int(0, 600) * 60_000).toISOString(),
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
      impact: rng.pick(['high', 'medium', 'low']),
      urgency: rng.pick(['high', 'medium', 'low']),
      calendarId: rng.pick(['24x7', 'cn-5x8', '5x8']),
      templateId: rng.pick(['T1', 'T4']),
      serviceHours: rng.pick(['7x24', '5x8']),
      timeZone: 'Asia/Shanghai',
      email: 'fuzz@example.com',
      phone: '010-88886666',
    });
    /** A path parameter: an id that exists (any customer's), a random one, or garbage. */
    const pathValue = (name: string): string => {
      if (name === 'action') return rng.chance(0.9) ? rng.pick(['assign', 'accept', 'decline', 'start', 'wait_customer', 'resume', 'resolve', 'close', 'reopen', 'cancel']) : rng.pick(NASTY_STRINGS);
      if (name === 'id' && rng.chance(0.1)) return rng.pick(['24x7', 'cn-5x8', '5x8']);
      if (rng.chance(0.75)) return String(name === 'id' || name === 'otherId' ? rng.pick([...tickets, ...Object.values(ids).flat()]) : anyId());
      return rng.chance(0.5) ? String(rng.pick(NASTY_NUMBERS)) : rng.pick(NASTY_STRINGS);
    };

    /** A wrong value for a schema: another type, a boundary, a nasty string. */
    const wrong = (schema: JsonSchema | undefined): unknown => {
      const types = schema ? typesOf(schema) : [];
      const r = rng.next();
      if (r < 0.2) return rng.pick([true, false, null, [], {}, [1, 'a'], { a: 1 }, 'str', 0]);
      if (r < 0.4 || types.includes('integer') || types.includes('number')) return rng.chance(0.7) ? rng.pick(NASTY_NUMBERS) : String(rng.pick(NASTY_NUMBERS));
      if (r < 0.45) return rng.chance(0.5) ? 'x'.repeat(rng.int(2_000, 70_000)) : '中'.repeat(rng.int(1_000, 25_000));
      if (r < 0.55 && schema?.maxLength !== undefined) return 'a'.repeat(Number(schema.maxLength) + 1);
      return rng.pick(NASTY_STRINGS);
    };
    /** 1–3 changes to a valid object: a field of a wrong value, a missing or an extra field. */
    const mutate = (value: unknown, schema: JsonSchema | null): unknown => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return rng.chance(0.5) ? wrong(schema ?? undefined) : value;
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const props = Object.keys(schema?.properties ?? out);
      for (let i = rng.int(1, 3); i > 0; i--) {
        const r = rng.next();
        const key = props.length ? rng.pick(props) : 'x';
        if (r < 0.55) out[key] = wrong(schema?.properties?.[key]);
        else if (r < 0.7) delete out[key];
        else if (r < 0.8) out[rng.pick(['extra', '__proto__', 'constructor', 'id', 'customer_id', 'isAdmin', '\u0000'])] = rng.pick(['x', 1, null, { a: 1 }]);
        else if (r < 0.9) out[key] = anyId();
        else out[key] = rng.pick([[anyId(), anyId()], Array.from({ length: rng.int(50, 300) }, () => anyId()), [[[]]], [null]]);
      }
      return out;
    };

    const MULTIPART = new Set(['POST /api/v1/tickets/{id}/attachments', 'POST /api/v1/tickets/{id}/repair-report/paper-signed', 'POST /api/v1/customers/{id}/contacts/import']);
    const counts = { requests: 0, byStatus: new Map<number, number>(), byActor: new Map<Actor, number>() };
    const failures: string[] = [];
    const perOperation = new Map<string, number>();

    function build(op: Operation, actor: Actor, n: number): Sent {
      const params: Record<string, unknown> = {};
      for (const p of op.pathParams) params[p.name] = pathValue(p.name);
      const k = known();
      const query: Record<string, unknown> = {};
      for (const p of op.queryParams) {
        if (p.required || rng.chance(0.4)) query[p.name] = exampleOf(p.schema, rng, k, p.name);
      }
      const mode = rng.next();
      if (mode >= 0.4 && mode < 0.85 && op.queryParams.length && rng.chance(0.5)) {
        const p = rng.pick(op.queryParams);
        if (rng.chance(0.2)) delete query[p.name];
        else query[p.name] = wrong(p.schema);
      }
      let url = urlOf(op, params, query);
      if (rng.chance(0.03)) url += `${url.includes('?') ? '&' : '?'}${rng.pick(['limit=1&limit=2', 'cursor=%00', 'unknown=1', 'q=%ZZ', 'state=new&state=closed', 'customerId[]=1'])}`;

      const headers: Record<string, string> = { 'accept-language': rng.pick(['zh-CN', 'en-US', 'fr', '*', 'zh-CN;q=0.1, en-US;q=0.9', '\u00ff']) };
      if (actor !== 'anonymous') {
        const s = sessions[actor];
        headers.cookie = s.cookie;
        headers['x-csrf-token'] = s.csrf;
        if (rng.chance(0.02)) delete headers['x-csrf-token'];
        else if (rng.chance(0.01)) headers['x-csrf-token'] = 'forged';
        if (rng.chance(0.01)) headers.authorization = rng.pick(['Bearer nope', 'Basic YWRtaW46YWRtaW4=', 'Bearer ', 'Bearer yw_' + 'a'.repeat(60)]);
      } else if (rng.chance(0.1)) {
        headers.authorization = rng.pick(['Bearer nope', 'Bearer yw_0000', 'Bearer \u00e9']);
      }

      let payload: string | Buffer | undefined;
      const write = op.method !== 'GET' && op.method !== 'DELETE';
      if (MULTIPART.has(op.key) && rng.chance(0.6)) {
        const file = { name: rng.pick(['a.png', 'scan.pdf', '联系人.xlsx', '../../x.exe', 'x', '\u0000.png', 'a'.repeat(300)]), bytes: rng.pick([png(20, 10), Buffer.from('%PDF-1.4\n%%EOF\n'), Buffer.from('PK\u0003\u0004garbage'), Buffer.alloc(rng.int(0, 5000), rng.int(0, 255)), Buffer.from('MZ\u0000\u0000')]) };
        const fields: Record<string, string> = rng.chance(0.5) ? { version: String(rng.pick([1, 2, -1, 'x'])), signerName: rng.pick(NASTY_STRINGS) || '签字人' } : {};
        const mp = multipart(fields, rng.chance(0.9) ? file : undefined);
        Object.assign(headers, mp.headers);
        payload = mp.payload;
      } else if (mode >= 0.85 && (write || op.method === 'DELETE')) {
        // Raw oddities: broken JSON, another media type, an empty body, a large one.
        const r = rng.next();
        if (r < 0.3) {
          headers['content-type'] = 'application/json';
          payload = rng.pick(['{', '{"a":', '[1,2', 'nul', '{"version":1,}', '\u0000', '{"a":"\\ud800"}', '"x"', '1', 'null', '[]', '{"__proto__":{"isAdmin":true}}', '{"a":' + '['.repeat(2000) + ']'.repeat(2000) + '}']);
        } else if (r < 0.5) {
          headers['content-type'] = rng.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'message/rfc822', 'application/octet-stream', 'multipart/form-data', 'application/json; charset=latin1', 'application/json; charset=utf-16']);
          payload = rng.pick(['a=1&b=2', '<x/>', 'From: a@b\r\n\r\nhi', '{"version":1}', '']);
        } else if (r < 0.6) {
          headers['content-type'] = 'application/json';
          payload = '';
        } else if (r < 0.63) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify({ blob: 'x'.repeat(rng.int(1_100_000, 1_300_000)) });
        } else {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(mutate(exampleOf(op.body ?? { type: 'object' }, rng, k), op.body));
        }
      } else if (op.body) {
        const valid = exampleOf(op.body, rng, k);
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(mode < 0.4 ? valid : mutate(valid, op.body));
      } else if (write && rng.chance(0.3)) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(rng.chance(0.5) ? {} : { unexpected: true });
      }
      return { n, actor, method: op.method, url, headers, ...(payload === undefined ? {} : { payload }) };
    }

    const describeSent = (s: Sent) => `#${s.n} ${s.actor} ${s.method} ${s.url.slice(0, 200)} ${s.payload === undefined ? '' : Buffer.isBuffer(s.payload) ? `<${s.payload.length} bytes multipart>` : s.payload.slice(0, 200)}`;

    async function send(s: Sent): Promise<LightMyRequestResponse> {
      return w.t.app.inject({ method: s.method as InjectOptions['method'], url: s.url, headers: s.headers, ...(s.payload === undefined ? {} : { payload: s.payload }) });
    }

    /** A new session, from an address of its own (logins are rate limited per address); the password set again, in case the fuzzer changed it. */
    let relogins = 0;
    async function relogin(username: string, k: number): Promise<Session | string> {
      await w.t.database.db.updateTable('users').set({ password_hash: passwordHashes.get(username)! }).where('username', '=', username).execute();
      const res = await w.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `10.77.${(k >> 8) & 255}.${k & 255}`, payload: { username, password: STRONG_PASSWORD } });
      if (res.statusCode !== 200) return `${res.statusCode} ${res.body.slice(0, 300)}`;
      const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const csrf = (res.json() as { csrfToken: string }).csrfToken;
      return { cookie, csrf, request: (opts) => w.t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), cookie, 'x-csrf-token': csrf } }) };
    }
    const passwordHashes = new Map((await w.t.database.db.selectFrom('users').select(['username', 'password_hash']).where('username', 'in', ['admin', 'cust_a']).execute()).map((u) => [u.username, u.password_hash]));

    const started = Date.now();
    // Operations that end the caller's own session are sent anonymously only (a fuzzer logged out is no fuzzer).
    const selfEnding = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/logout-all', 'POST /api/v1/auth/password']);
    for (let n = 1; n <= REQUESTS; n++) {
      const op = doc.operations[n <= doc.operations.length ? n - 1 : rng.int(0, doc.operations.length - 1)];
      let actor: Actor = rng.pick(['admin', 'admin', 'admin', 'customer', 'customer', 'anonymous'] as const);
      if (selfEnding.has(op.key)) actor = 'anonymous';
      const sent = build(op, actor, n);
      let res: LightMyRequestResponse;
      try {
        res = await send(sent);
      } catch (err) {
        failures.push(`${describeSent(sent)} → threw ${String(err)}`);
        continue;
      }
      counts.requests++;
      counts.byStatus.set(res.statusCode, (counts.byStatus.get(res.statusCode) ?? 0) + 1);
      counts.byActor.set(actor, (counts.byActor.get(actor) ?? 0) + 1);
      perOperation.set(op.key, (perOperation.get(op.key) ?? 0) + 1);
      if (res.statusCode >= 500) failures.push(`${describeSent(sent)} → ${res.statusCode} ${res.body.slice(0, 300)}`);
      const target = doc.match(sent.method, sent.url);
      if (target) {
        for (const p of doc.check(target, res)) failures.push(`${describeSent(sent)} → ${p}`);
      } else if (res.statusCode !== 404) {
        failures.push(`${describeSent(sent)} → ${res.statusCode} on no documented operation`);
      }
      // A session ended by what the fuzzer did (its user disabled, its password set …): log in again.
      if (actor !== 'anonymous' && res.statusCode === 401 && !sent.headers.authorization) {
        await w.t.database.db.updateTable('users').set({ disabled: 0, locked_until: null, failed_logins: 0 }).where('username', '=', actor === 'admin' ? 'admin' : 'cust_a').execute();
        const again = await relogin(actor === 'admin' ? 'admin' : 'cust_a', ++relogins);
        if (typeof again === 'string') failures.push(`#${n}: could not log ${actor} in again: ${again}`);
        else sessions[actor] = again;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const statuses = [...counts.byStatus.entries()].sort((x, y) => x[0] - y[0]).map(([s, c]) => `${s}: ${c}`).join(', ');
    console.log(
      `[${kind}] fuzz: ${counts.requests} requests in ${seconds.toFixed(1)} s (${Math.round(counts.requests / seconds)}/s), ${perOperation.size}/${doc.operations.length} operations, ` +
        `actors ${[...counts.byActor.entries()].map(([a, c]) => `${a} ${c}`).join(', ')}, ${relogins} new logins; statuses ${statuses}; ${failures.length} failures. ` +
        `Reproduce: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS} npx vitest run src/security/fuzz.test.ts`,
    );
    if (failures.length) console.log(`[${kind}] fuzz failures (first 40 of ${failures.length}, seed ${SEED}):\n  ${failures.slice(0, 40).join('\n  ')}`);
    expect(counts.requests).toBe(REQUESTS);
    expect(perOperation.size).toBe(doc.operations.length);
    expect(failures.slice(0, 40), `seed ${SEED}`).toEqual([]);
  });
});
