import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';

describeDb('calendar API', (kind) => {
  let t: TestApp;
  let admin: Session;
  let engineer: Session;
  const deadline = (id: string, start: string, minutes: number | string) =>
    engineer.request({ method: 'GET', url: `/api/v1/calendars/${id}/deadline?start=${encodeURIComponent(start)}&minutes=${minutes}` });

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    await insertUser(t.database, { username: 'eng', roles: ['engineer'] });
    await insertUser(t.database, { username: 'desk', roles: ['desk'] });
    admin = await login(t.app, 'admin');
    engineer = await login(t.app, 'eng');
  });
  afterAll(() => t.close());

  it('ships the built-in calendars with stable ids', async () => {
    const res = await engineer.request({ method: 'GET', url: '/api/v1/calendars' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['24x7', 'cn-5x8', '5x8']));
  });

  describe('deadlines around China\'s holidays and make-up days', () => {
    it.each([
      // 60 min on Tue 30 Sep, 国庆+中秋 1–8 Oct off, Thu 9 Oct 08:00 + 180 min.
      ['cn-5x8', '2025-09-30T16:00:00+08:00', 240, '2025-10-09T11:00:00+08:00'],
      // Sat 11 Oct 2025 is a make-up working day (调休).
      ['cn-5x8', '2025-10-10T16:00:00+08:00', 120, '2025-10-11T09:00:00+08:00'],
      // Sat 14 Feb 2026 is a make-up day before 春节 (15–23 Feb).
      ['cn-5x8', '2026-02-13T16:00:00+08:00', 120, '2026-02-14T09:00:00+08:00'],
      ['cn-5x8', '2026-02-14T16:30:00+08:00', 60, '2026-02-24T08:30:00+08:00'],
      // The lunch break does not count.
      ['cn-5x8', '2026-03-02T11:30:00+08:00', 60, '2026-03-02T13:30:00+08:00'],
      // Reported at night: the clock starts at 08:00 the next working day.
      ['cn-5x8', '2026-03-02T22:00:00+08:00', 15, '2026-03-03T08:15:00+08:00'],
      // A start given in UTC is the same instant.
      ['cn-5x8', '2026-03-02T03:30:00Z', 60, '2026-03-02T13:30:00+08:00'],
      // 5x8 without holidays works on 1 Oct.
      ['5x8', '2025-09-30T16:00:00+08:00', 240, '2025-10-01T11:00:00+08:00'],
      // 7x24 is plain clock arithmetic across midnight and the year end.
      ['24x7', '2025-12-31T23:50:00+08:00', 15, '2026-01-01T00:05:00+08:00'],
    ])('%s from %s + %i min = %s', async (id, start, minutes, expected) => {
      const res = await deadline(id, start, minutes);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().deadline).toBe(expected);
    });

    it('counts working minutes across the National Day holiday', async () => {
      const res = await engineer.request({ method: 'GET', url: `/api/v1/calendars/cn-5x8/working-minutes?from=${encodeURIComponent('2025-09-30T08:00:00+08:00')}&to=${encodeURIComponent('2025-10-10T08:00:00+08:00')}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().minutes).toBe(960);
    });

    it('answers working days as contracts mean them', async () => {
      const res = await engineer.request({ method: 'GET', url: `/api/v1/calendars/cn-5x8/deadline?start=${encodeURIComponent('2026-09-30T10:00:00+08:00')}&days=1` });
      expect(res.statusCode).toBe(200);
      // Wed 30 Sep does not count; 1–7 Oct off (国庆), Thu 8 Oct is the first working day.
      expect(res.json().deadline).toBe('2026-10-08T17:00:00+08:00');
    });

    it('shows a month with holidays and make-up days', async () => {
      const res = await engineer.request({ method: 'GET', url: '/api/v1/calendars/cn-5x8/month?month=2026-02' });
      expect(res.statusCode).toBe(200);
      const days = res.json().days as Array<{ date: string; kind: string; workingMinutes: number }>;
      expect(days).toHaveLength(28);
      expect(days.find((d) => d.date === '2026-02-14')).toMatchObject({ kind: 'workday', workingMinutes: 480 });
      expect(days.find((d) => d.date === '2026-02-17')).toMatchObject({ kind: 'holiday', workingMinutes: 0 });
      expect(days.find((d) => d.date === '2026-02-28')).toMatchObject({ kind: 'workday', workingMinutes: 480 });
    });
  });

  describe('bad input', () => {
    it('rejects a start without an offset or not an instant, naming the field', async () => {
      for (const start of ['2026-03-02T10:00:00', 'yesterday', '2026-13-02T10:00:00+08:00']) {
        const res = await deadline('cn-5x8', start, 60);
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0].field).toBe('start');
        expect(res.json().errors[0].message).toContain('开始时间');
      }
    });

    it('rejects minutes that are negative, fractional, non-numeric or beyond ten years', async () => {
      for (const m of ['-5', '1.5', 'abc', String(3653 * 1440 + 1)]) {
        const res = await deadline('cn-5x8', '2026-03-02T10:00:00+08:00', m);
        expect(res.statusCode, m).toBe(400);
        expect(res.json().errors[0].field).toBe('minutes');
      }
    });

    it('answers 404 for an unknown calendar', async () => {
      expect((await deadline('nope', '2026-03-02T10:00:00+08:00', 5)).statusCode).toBe(404);
    });

    const base = { name: '测试日历', timeZone: 'Asia/Shanghai', weekly: { 1: [{ start: '09:00', end: '17:00' }] }, holidays: [], workdays: [] };
    it.each([
      ['unknown time zone', { ...base, timeZone: 'Mars/Olympus' }, 'timeZone'],
      ['overlapping intervals', { ...base, weekly: { 1: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '17:00' }] } }, 'weekly.1[1]'],
      ['a backwards interval', { ...base, weekly: { 1: [{ start: '17:00', end: '09:00' }] } }, 'weekly.1[0]'],
      ['an interval past 24:00', { ...base, weekly: { 1: [{ start: '20:00', end: '25:00' }] } }, 'weekly.1[0]'],
      ['a date both holiday and make-up day', { ...base, holidays: [{ date: '2026-05-01' }], workdays: [{ date: '2026-05-01' }] }, 'workdays[0]'],
      ['no working time at all', { ...base, weekly: {} }, 'weekly'],
    ])('rejects %s', async (_label, body, field) => {
      const before = (await admin.request({ method: 'GET', url: '/api/v1/calendars' })).json().items.length;
      const res = await admin.request({ method: 'POST', url: '/api/v1/calendars', payload: body });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
      const after = (await admin.request({ method: 'GET', url: '/api/v1/calendars' })).json().items.length;
      expect(after).toBe(before);
    });
  });

  it('copies a built-in calendar, edits it with optimistic locking, and imports holidays from .ics', async () => {
    const created = await admin.request({ method: 'POST', url: '/api/v1/calendars', payload: { copyFrom: 'cn-5x8', id: 'hospital-5x8', name: '医院 5×8' } });
    expect(created.statusCode, created.body).toBe(201);
    const cal = created.json();
    expect(cal.holidays.length).toBeGreaterThan(20);
    const saturday = { ...cal.weekly, 6: [{ start: '09:00', end: '12:00' }] };
    const put = await admin.request({ method: 'PUT', url: '/api/v1/calendars/hospital-5x8', payload: { name: cal.name, timeZone: cal.timeZone, weekly: saturday, holidays: cal.holidays, workdays: cal.workdays, version: cal.version } });
    expect(put.statusCode, put.body).toBe(200);
    const stale = await admin.request({ method: 'PUT', url: '/api/v1/calendars/hospital-5x8', payload: { name: 'x', timeZone: cal.timeZone, weekly: saturday, holidays: [], workdays: [], version: cal.version } });
    expect(stale.statusCode).toBe(409);

    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:ny-2027@test', 'DTSTART;VALUE=DATE:20270101', 'DTEND;VALUE=DATE:20270102', 'SUMMARY:元旦', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const imported = await admin.request({ method: 'POST', url: '/api/v1/calendars/hospital-5x8/ics', payload: { ics } });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().holidays).toBe(1);
    const d = await deadline('hospital-5x8', '2026-12-31T16:00:00+08:00', 120);
    // 31 Dec 16–17 (60), 1 Jan 2027 now a holiday, Sat 2 Jan 09:00–10:00.
    expect(d.json().deadline).toBe('2027-01-02T10:00:00+08:00');

    const exported = await engineer.request({ method: 'GET', url: '/api/v1/calendars/hospital-5x8/ics' });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('text/calendar');
    expect(exported.body).toContain('DTSTART;VALUE=DATE:20270101');

    const audit = await t.database.db.selectFrom('audit_log').select('action').where('entity', '=', 'calendars').where('entity_id', '=', 'hospital-5x8').execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'update']);
  });

  it('ships both 5×8 calendars named by their hours, and says which China holiday year is missing', async () => {
    const items = (await engineer.request({ method: 'GET', url: '/api/v1/calendars' })).json().items as Array<{ id: string; name: string; holidayYears: { china: boolean; years: number[]; missingYear: number | null } }>;
    const byId = new Map(items.map((c) => [c.id, c]));
    expect(byId.get('cn-5x8')!.name).toBe('5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）');
    expect(byId.get('cn-5x8-continuous')!.name).toBe('5×8 工作日 08:00–17:00（连续，中国法定节假日）');
    expect(byId.get('24x7')!.holidayYears).toEqual({ china: false, years: [], missingYear: null });
    expect(byId.get('cn-5x8')!.holidayYears.years).toEqual([2025, 2026]);
    // From 1 November (Shanghai) of the last shipped year, next year is missing.
    const last = Math.max(...byId.get('cn-5x8')!.holidayYears.years);
    const now = new Date();
    const shanghai = new Date(now.getTime() + 8 * 3_600_000);
    const expected = shanghai.getUTCFullYear() > last ? shanghai.getUTCFullYear() : shanghai.getUTCMonth() >= 10 ? last + 1 : null;
    expect(byId.get('cn-5x8')!.holidayYears.missingYear).toBe(expected);
    // 11:30 + 60 min: 13:30 with the lunch hour, 12:30 straight through.
    expect((await deadline('cn-5x8-continuous', '2026-03-02T11:30:00+08:00', 60)).json().deadline).toBe('2026-03-02T12:30:00+08:00');
  });

  it('reads a pasted State Council notice into festival rows, in the caller\'s language', async () => {
    const text = '国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n二、春节：2月15日（周日）至23日放假调休，共8天。\n三、劳动节5月1日起休息五天';
    const res = await admin.request({ method: 'POST', url: '/api/v1/calendars/parse-notice', payload: { text, year: 2026 } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.year).toBe(2026);
    expect(body.festivals.map((f: { key: string; off: unknown; makeUp: unknown }) => [f.key, f.off, f.makeUp])).toEqual([
      ['newYear', [{ from: '2026-01-01', to: '2026-01-03' }], ['2026-01-04']],
      ['springFestival', [{ from: '2026-02-15', to: '2026-02-23' }], []],
    ]);
    expect(body.problems.map((p: { line: number; code: string; message: string }) => [p.line, p.code, p.message])).toEqual([
      [3, 'notice.total.mismatch', '春节：通知写共 8 天，日期范围是 9 天'],
      [4, 'notice.line.unparsed', '这一行有日期，但无法识别为某个节日的放假或上班安排'],
    ]);
    expect(body.skipped).toEqual([{ line: 1, text: '国务院办公厅关于2026年部分节假日安排的通知' }]);
    expect((await engineer.request({ method: 'POST', url: '/api/v1/calendars/parse-notice', payload: { text } })).statusCode).toBe(403);
    expect((await admin.request({ method: 'POST', url: '/api/v1/calendars/parse-notice', payload: { text: '' } })).statusCode).toBe(400);
  });

  it('refuses to delete a built-in calendar and lets only calendars.write edit', async () => {
    expect((await admin.request({ method: 'DELETE', url: '/api/v1/calendars/cn-5x8' })).statusCode).toBe(409);
    const desk = await login(t.app, 'desk');
    const res = await desk.request({ method: 'POST', url: '/api/v1/calendars', payload: { copyFrom: '24x7', name: 'x' } });
    expect(res.statusCode).toBe(403);
  });
});
