import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDb, login } from '../../test/harness.js';
import { createTicket, ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';
import { percentDecodesToUtf8, scrubText, textProblems } from './hygiene.js';
import { calendarFieldsValid, optionalText, parseId, parseInstant, text } from './zod.js';

/**
 * The input rules of docs/API.md ("Input rules") through real routes on both databases: NUL
 * and lone surrogates refused naming the field (PostgreSQL cannot store NUL: these were 500s),
 * stripped from alerts and mail; invalid UTF-8 refused; impossible dates refused; ids canonical.
 */

describe('input rules: the pieces', () => {
  it('parses instants strictly: no rolling over of dates and times that do not exist', () => {
    expect(parseInstant('2026-02-28T10:00:00+08:00')).toBe(Date.parse('2026-02-28T10:00:00+08:00'));
    expect(parseInstant('2026-03-05T14:30:00.123456789Z')).toBe(Date.parse('2026-03-05T14:30:00.123Z'));
    expect(parseInstant('2026-03-05T14:30-0530')).toBe(Date.parse('2026-03-05T14:30:00-05:30'));
    expect(parseInstant('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    for (const bad of ['2026-02-30T10:00:00+08:00', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-03-05T24:00:00Z', '2026-03-05T25:00:00Z', '2026-03-05T10:60:00Z', '2026-03-05T10:00:60Z', '2026-03-05T10:00:00+24:00', '2026-03-05T10:00:00', '2026-03-05']) {
      expect(parseInstant(bad), bad).toBeNull();
    }
    expect(calendarFieldsValid('2026-02-30T10:00:00Z')).toBe(false);
    expect(calendarFieldsValid('2026-03-05 25:00')).toBe(false);
    expect(calendarFieldsValid('0001-01-01T00:00:00Z')).toBe(true); // Alertmanager's zero time
    expect(calendarFieldsValid('Thu, 05 Mar 2026 14:30:00 +0800')).toBe(true);
  });

  it('reads ids only in canonical decimal', () => {
    expect(parseId('1')).toBe(1);
    expect(parseId('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['01', '1.0', '0x1', '1e0', '+1', '-1', ' 1', '0', '', '9007199254740992', '１']) expect(parseId(bad), bad).toBeNull();
  });

  it('names the strings holding NUL or a lone surrogate; scrubs them for alerts and mail', () => {
    expect(textProblems({ a: 'ok', b: ['x', 'y\u0000'], c: { d: '\ud800' }, 'k\u0000': 1, e: '😀' })).toEqual([
      { field: 'b[1]', code: 'nul' },
      { field: 'c.d', code: 'unicode' },
      { field: 'k\\u0000', code: 'nul' },
    ]);
    expect(scrubText({ t: 'a\u0000b', l: ['\udc00x'], 'k\u0000': '😀' })).toEqual({ t: 'ab', l: ['\ufffdx'], k: '😀' });
    expect(percentDecodesToUtf8('%E7%BD%91%E7%BB%9C')).toBe(true);
    expect(percentDecodesToUtf8('100%')).toBe(true);
    expect(percentDecodesToUtf8('%FF')).toBe(false);
    expect(percentDecodesToUtf8('%ED%A0%80')).toBe(false); // a surrogate encoded as if it were a character
    expect(percentDecodesToUtf8('%E7%BD')).toBe(false);
  });

  it('text read outside JSON (multipart fields, spreadsheet rows) is held to the same rule by text() and optionalText()', () => {
    const codes = (r: { error?: { issues: readonly object[] } }) => r.error?.issues.map((i) => (i as { params?: { code?: string } }).params?.code);
    expect(codes(text(50).safeParse('王\u0000芳'))).toEqual(['nul']);
    expect(codes(optionalText(50).safeParse('\udc00'))).toEqual(['unicode']);
    expect(text(50).parse('  王芳 ')).toBe('王芳');
    expect(optionalText(50).parse('')).toBeNull();
  });
});

describeDb('input rules at the edge', (kind) => {
  let w: TicketWorld;
  let ticketId: number;

  beforeAll(async () => {
    w = await ticketWorld(kind);
    ticketId = (await createTicket(w.desk, report(w.a))).id;
  });
  afterAll(() => w.t.close());

  /** A 400 naming exactly these fields with these codes. */
  function refused(res: LightMyRequestResponse, errors: Array<{ field: string; code: string }>, type = 'validation') {
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json();
    expect(body.code).toBe(type);
    expect(body.errors.map((e: { field: string; code: string }) => ({ field: e.field, code: e.code }))).toEqual(errors);
    return body;
  }

  it('refuses NUL in text with 400 naming the field (zh-CN first), not a 500 from PostgreSQL', async () => {
    const loginRes = await w.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin\u0000', password: 'x' } });
    const body = refused(loginRes, [{ field: 'username', code: 'nul' }]);
    expect(body.errors[0].message).toMatch(/不能包含空字符（U\+0000）$/);

    refused(await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { title: '打印机\u0000卡纸' }) }), [{ field: 'title', code: 'nul' }]);
    refused(await w.admin.request({ method: 'POST', url: `/api/v1/customers/${w.a.customerId}/contacts`, payload: { name: '王\u0000芳' } }), [{ field: 'name', code: 'nul' }]);
    refused(await w.desk.request({ method: 'GET', url: '/api/v1/tickets?q=%00' }), [{ field: 'q', code: 'nul' }]);
    refused(await w.admin.request({ method: 'GET', url: '/api/v1/customers?q=a%00b' }), [{ field: 'q', code: 'nul' }]);
    // Nested fields and several at once are all named.
    refused(await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { title: 'a\u0000', description: 'b\u0000' }) }), [
      { field: 'description', code: 'nul' },
      { field: 'title', code: 'nul' },
    ]);
    const en = await w.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'accept-language': 'en-US' }, payload: { username: 'admin\u0000', password: 'x' } });
    expect(en.json().errors[0].message).toMatch(/must not contain a NUL character \(U\+0000\)$/);
  });

  it('refuses NUL in PATCH /auth/me and changes nothing', async () => {
    refused(await w.desk.request({ method: 'PATCH', url: '/api/v1/auth/me', payload: { displayName: '张\u0000敏' } }), [{ field: 'displayName', code: 'nul' }]);
    expect(ok(await w.desk.request({ method: 'GET', url: '/api/v1/auth/me' })).displayName).toBe('张敏');
  });

  it('refuses a lone surrogate in JSON and invalid UTF-8 in a body or a query with 400', async () => {
    const json = (payload: string | Buffer) => w.desk.request({ method: 'POST', url: '/api/v1/tickets', headers: { 'content-type': 'application/json' }, payload });
    const lone = JSON.stringify(report(w.a, { title: 'X' })).replace('"X"', '"\\ud800"');
    refused(await json(lone), [{ field: 'title', code: 'unicode' }]);
    const bytes = Buffer.from(JSON.stringify(report(w.a, { title: '@@' })));
    const at = bytes.indexOf('@@');
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    const res = await json(bytes);
    const problem = refused(res, [{ field: '(body)', code: 'utf8' }], 'invalid_utf8');
    expect(problem.title).toBe('请求内容不是有效的 UTF-8 编码');
    // A valid pair of surrogates (an emoji written as escapes) is a character like any other.
    const emoji = ok(await json(JSON.stringify(report(w.a, { title: 'X' })).replace('"X"', '"\\ud83d\\ude00 打印机"')), 201);
    expect(emoji.title).toBe('😀 打印机');

    refused(await w.desk.request({ method: 'GET', url: '/api/v1/tickets?q=%FF' }), [{ field: 'q', code: 'utf8' }], 'invalid_utf8');
    refused(await w.desk.request({ method: 'GET', url: '/api/v1/tickets?q=%ED%A0%80' }), [{ field: 'q', code: 'utf8' }], 'invalid_utf8');
    expect((await w.desk.request({ method: 'GET', url: `/api/v1/tickets?q=${encodeURIComponent('财务系统')}` })).statusCode).toBe(200);
    // A path segment that is not UTF-8 names no record.
    expect((await w.desk.request({ method: 'GET', url: '/api/v1/tickets/%FF' })).statusCode).toBe(404);
  });

  it('refuses impossible calendar dates instead of rolling them over', async () => {
    refused(await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a, { reportedAt: '2026-02-30T10:00:00+08:00' }) }), [{ field: 'reportedAt', code: 'instant' }]);
    refused(await w.desk.request({ method: 'GET', url: '/api/v1/tickets?reportedFrom=2026-04-31T00:00:00%2B08:00' }), [{ field: 'reportedFrom', code: 'instant' }]);
    refused(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${ticketId}/worklogs`, payload: { minutes: 30, mode: 'phone', at: '2026-03-05T24:00:00+08:00' } }), [{ field: 'at', code: 'instant' }]);
    refused(await w.admin.request({ method: 'GET', url: '/api/v1/audit?from=2026-13-01T00:00:00Z' }), [{ field: 'from', code: 'instant' }]);
  });

  it('takes ids in canonical decimal only: another spelling of a path id is not found, of a query id a 400', async () => {
    const get = (path: string) => w.desk.request({ method: 'GET', url: `/api/v1/tickets/${path}` });
    expect((await get(String(ticketId))).statusCode).toBe(200);
    for (const path of [`0${ticketId}`, `${ticketId}.0`, `0x${ticketId.toString(16)}`, `${ticketId}e0`, `+${ticketId}`, `%20${ticketId}`, 'abc', '0', '9007199254740993']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    // Percent-encoding an unreserved character gives the same URL (RFC 3986 §6.2.2.2): %31 is "1".
    const encoded = [...String(ticketId)].map((d) => `%3${d}`).join('');
    expect((await get(encoded)).statusCode).toBe(200);
    expect((await w.admin.request({ method: 'GET', url: `/api/v1/customers/0${w.a.customerId}` })).statusCode).toBe(404);
    expect((await w.admin.request({ method: 'GET', url: `/api/v1/contracts/${w.a.contractId}.0/sla` })).statusCode).toBe(404);
    expect((await w.admin.request({ method: 'POST', url: '/api/v1/jobs/0x1/retry' })).statusCode).toBe(404);
    expect((await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${ticketId}/attachments/01` })).statusCode).toBe(404);
    refused(await w.desk.request({ method: 'GET', url: `/api/v1/tickets?customerId=0${w.a.customerId}` }), [{ field: 'customerId', code: 'id' }]);
    expect(ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets?customerId=${w.a.customerId}` })).items.length).toBeGreaterThan(0);
  });

  it('strips NUL from an alert payload and a mail, and opens the ticket', async () => {
    const source = ok(await w.admin.request({ method: 'POST', url: '/api/v1/alert-sources', payload: { customerId: w.a.customerId, contactId: w.a.contactId, name: 'generic', format: 'generic' } }), 201);
    const post = (payload: string | Buffer) =>
      w.t.app.inject({ method: 'POST', url: `/api/v1/alerts/${source.id}`, headers: { authorization: `Bearer ${source.token}`, 'content-type': 'application/json' }, payload });
    const alert = ok(await post(JSON.stringify({ fingerprint: 'fp\u0000-1', title: '磁盘\u0000空间不足', host: 'db01', labels: { 'mount\u0000': '/data\u0000', broken: '\ud800' } })));
    expect(alert.results[0]).toMatchObject({ outcome: 'created', fingerprint: 'fp-1' });
    const tk = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${alert.results[0].ticketId}` }));
    expect(tk.title).toBe('磁盘空间不足 (db01)');
    expect(tk.description).toContain('/data');
    expect(tk.description).not.toContain('\u0000');
    // Invalid UTF-8 from a monitoring system is read with U+FFFD for the broken bytes, not refused.
    const bytes = Buffer.from(JSON.stringify({ fingerprint: 'fp-2', title: '内存告警 @' }));
    bytes[bytes.indexOf('@')] = 0xff;
    const second = ok(await post(bytes));
    expect(second.results[0].outcome).toBe('created');
    expect(ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${second.results[0].ticketId}` })).title).toBe('内存告警 \ufffd');

    await w.admin.request({ method: 'PATCH', url: `/api/v1/contacts/${w.a.contactId}`, payload: { version: ok(await w.admin.request({ method: 'GET', url: `/api/v1/contacts/${w.a.contactId}` })).version, email: 'a.contact@hospital.example.cn' } });
    ok(await w.admin.request({ method: 'POST', url: '/api/v1/mail/mailboxes', payload: { address: 'hygiene@desk.example.cn', customerId: w.a.customerId } }), 201);
    const raw = [
      'From: "A\u0000 联系人" <a.contact@hospital.example.cn>',
      'To: hygiene@desk.example.cn',
      'Subject: =?UTF-8?Q?=E6=89=93=E5=8D=B0=00=E6=9C=BA=E5=8D=A1=E7=BA=B8?=',
      'Message-ID: <nul.1@hospital.example.cn>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '=E4=B8=89=E6=A5=BC=00=E6=89=93=E5=8D=B0=E6=9C=BA\u0000 =E5=8D=A1=E7=BA=B8',
      '',
    ].join('\r\n');
    const mail = ok(await w.admin.request({ method: 'POST', url: '/api/v1/mail/inbound', headers: { 'content-type': 'message/rfc822' }, payload: Buffer.from(raw) }));
    expect(mail).toMatchObject({ result: 'created' });
    const fromMail = ok(await w.desk.request({ method: 'GET', url: `/api/v1/tickets/${mail.ticketId}` }));
    expect(fromMail.title).toBe('打印机卡纸');
    expect(fromMail.description).toContain('三楼打印机 卡纸');
    expect(JSON.stringify(fromMail)).not.toContain('\\u0000');
  });

  it('a login still works after the refusals (the username with NUL never reached the lockout counter)', async () => {
    await login(w.t.app, 'admin');
  });
});
