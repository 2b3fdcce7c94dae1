import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, describeDb, insertUser, login, type Session, type TestApp } from '../../test/harness.js';
import { contactKeys, localNumber, nameKeys } from './contact-keys.js';
import { contactSearchQuery } from './repo.js';

describe('contact keys', () => {
  it('reads names as pinyin and initials, surnames as surnames', () => {
    expect(nameKeys('徐丽华')).toEqual({ pinyin: 'xulihua', initials: 'xlh' });
    expect(nameKeys('单田芳')).toEqual({ pinyin: 'shantianfang', initials: 'stf' });
    expect(nameKeys('曾志伟').pinyin).toBe('zengzhiwei');
    expect(nameKeys('吕 强')).toEqual({ pinyin: 'lvqiang', initials: 'lq' });
    expect(nameKeys('Tom张')).toEqual({ pinyin: 'tomzhang', initials: 'tz' });
    expect(nameKeys('（）')).toEqual({ pinyin: null, initials: null });
  });

  it('takes a landline\'s local number after its area code, the last four digits of any number', () => {
    expect(localNumber('01088886666')).toBe('88886666');
    expect(localNumber('02588886666')).toBe('88886666');
    expect(localNumber('057688886666')).toBe('88886666');
    expect(localNumber('05768888666')).toBe('8888666');
    expect(localNumber('13800138000')).toBeNull();
    expect(localNumber('88886666')).toBeNull();
    expect(contactKeys('徐丽华', '01088886666', '13900001234')).toEqual({ name_pinyin: 'xulihua', name_initials: 'xlh', phone_tail: '6666', mobile_tail: '1234', phone_local: '88886666' });
  });
});

describeDb('the desk\'s caller lookup', (kind) => {
  let t: TestApp;
  let admin: Session;
  let customerId: number;

  const search = async (q: string) => {
    const res = await admin.request({ method: 'GET', url: `/api/v1/contacts/search?q=${encodeURIComponent(q)}` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as Array<{ name: string; matched: string }>).map((h) => `${h.name}:${h.matched}`);
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    await insertUser(t.database, { username: 'admin', roles: ['admin'] });
    admin = await login(t.app, 'admin');
    const post = async (url: string, payload: Record<string, unknown>) => {
      const res = await admin.request({ method: 'POST', url: `/api/v1${url}`, payload });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    customerId = (await post('/customers', { code: 'LOOKUP', name: '江州市人民医院', tier: 1 })).id;
    const info = await post(`/customers/${customerId}/sites`, { name: '信息科', kind: 'department' });
    const ward = await post(`/customers/${customerId}/sites`, { name: '住院部 3 号楼' });
    await post(`/customers/${customerId}/contacts`, { name: '徐丽华', siteId: info.id, phone: '0576-8812 3456', mobile: '139 0576 1001' });
    await post(`/customers/${customerId}/contacts`, { name: '许林辉', siteId: ward.id, mobile: '13700991234', title: '护士长' });
    await post(`/customers/${customerId}/contacts`, { name: '单田芳', phone: '010-6655 4433' });
  });
  afterAll(() => t.close());

  it('finds by the name\'s pinyin and its initials (prefixes)', async () => {
    expect(await search('xulihua')).toEqual(['徐丽华:pinyin']);
    expect(await search('xuli')).toEqual(['徐丽华:pinyin', '许林辉:pinyin']);
    expect(await search('xulih')).toEqual(['徐丽华:pinyin']);
    expect(await search('XLH')).toEqual(['徐丽华:initials', '许林辉:initials']);
    expect(await search('xl')).toEqual(['徐丽华:initials', '许林辉:initials']);
    expect(await search('shantian')).toEqual(['单田芳:pinyin']);
  });

  it('finds by the last four digits of the phone or the mobile', async () => {
    expect(await search('1234')).toEqual(['许林辉:tail']);
    expect(await search('1001')).toEqual(['徐丽华:tail']);
    expect(await search('3456')).toEqual(['徐丽华:tail']);
  });

  it('finds a landline without its area code, and a number by its beginning as before', async () => {
    expect(await search('8812 3456')).toEqual(['徐丽华:local']);
    expect(await search('881234')).toEqual(['徐丽华:local']);
    expect(await search('66554433')).toEqual(['单田芳:local']);
    expect(await search('0576-8812')).toEqual(['徐丽华:phone']);
    expect(await search('1370099')).toEqual(['许林辉:phone']);
  });

  it('finds by the site or department, the title and the name', async () => {
    expect(await search('信息科')).toEqual(['徐丽华:site']);
    expect(await search('住院部')).toEqual(['许林辉:site']);
    expect(await search('护士长')).toEqual(['许林辉:name']);
    expect(await search('丽华')).toEqual(['徐丽华:name']);
  });

  it('keeps the keys when a contact is renamed or renumbered', async () => {
    const found = (await admin.request({ method: 'GET', url: `/api/v1/customers/${customerId}/contacts` })).json().items.find((c: { name: string }) => c.name === '单田芳');
    const res = await admin.request({ method: 'PATCH', url: `/api/v1/contacts/${found.id}`, payload: { version: found.version, name: '单雄信', phone: '0576-8899 7766' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await search('shanxiong')).toEqual(['单雄信:pinyin']);
    expect(await search('sxx')).toEqual(['单雄信:initials']);
    expect(await search('7766')).toEqual(['单雄信:tail']);
    expect(await search('shantian')).toEqual([]);
  });

  it('searches the keys by index on this database', async () => {
    const db = t.database.db;
    const plan = async (text: string) => {
      const query = contactSearchQuery(db, { kind: 'all' }, text).query;
      if (kind === 'sqlite') {
        const compiled = query.compile();
        const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
        return rows.rows.map((r) => r.detail).join('\n');
      }
      // A handful of rows: without this PostgreSQL rightly prefers reading the table.
      return db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const rows = await contactSearchQuery(trx, { kind: 'all' }, text).query.explain();
        return rows.map((r) => String(r['QUERY PLAN'])).join('\n');
      });
    };
    const tail = await plan('1234');
    for (const index of ['contacts_phone_tail', 'contacts_mobile_tail', 'contacts_phone_key', 'contacts_mobile_key', 'contacts_phone_local']) expect(tail).toContain(index);
    const letters = await plan('xlh');
    for (const index of ['contacts_name_pinyin', 'contacts_name_initials']) expect(letters).toContain(index);
  });
});
