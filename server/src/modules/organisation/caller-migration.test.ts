import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, emptyDatabase, type TestDatabase } from '../../test/harness.js';
import { migrateTo, migrateToLatest } from '../../db/migrate.js';

/** 0019 on a database that already has contacts and tickets: keys backfilled, tickets kept with contact_id nullable. */
describeDb('migration 0019_caller on existing rows', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await emptyDatabase(kind);
  });
  afterAll(() => t.close());

  it('backfills the contacts\' keys and keeps every ticket, its events and indexes', async () => {
    await migrateTo(t.database, '0018_settings');
    const db = t.database.db as never as import('kysely').Kysely<any>;
    const now = Date.now();
    const customer = await db.insertInto('customers').values({ code: 'M19', name: '迁移客户', tier: 1, time_zone: 'Asia/Shanghai', created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
    const contact = await db
      .insertInto('contacts')
      .values({ customer_id: customer.id, name: '许丽华', phone: '0576-88862010', mobile: '13805761004', phone_key: '057688862010', mobile_key: '13805761004', is_vip: 0, created_at: now, updated_at: now, version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const contract = await db
      .insertInto('contracts')
      .values({ customer_id: customer.id, code: 'HT-M19', name: '合同', starts_on: '2026-01-01', ends_on: '2026-12-31', services: '[]', service_hours: '7x24', calendar_id: '24x7', created_at: now, updated_at: now, version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ticket = await db
      .insertInto('tickets')
      .values({ number: 'INC-2026-000001', kind: 'incident', customer_id: customer.id, contract_id: contract.id, contact_id: contact.id, impact: 'medium', urgency: 'medium', priority: 'P3', priority_rank: 3, title: '旧工单', description: '迁移前', channel: 'phone', state: 'new', reported_at: now, created_at: now, updated_at: now, sla_status: 'none', version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('ticket_events').values({ ticket_id: ticket.id, at: now, type: 'created', visibility: 'public', data: '{}' }).execute();

    await migrateToLatest(t.database);
    const c = await db.selectFrom('contacts').selectAll().where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect([c.name_pinyin, c.name_initials, c.phone_tail, c.mobile_tail, c.phone_local]).toEqual(['xulihua', 'xlh', '2010', '1004', '88862010']);
    const tk = await db.selectFrom('tickets').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(tk).toMatchObject({ number: 'INC-2026-000001', title: '旧工单', caller_name: null, caller_phone: null });
    expect(Number(tk.contact_id)).toBe(Number(contact.id));
    expect((await db.selectFrom('ticket_events').select('id').where('ticket_id', '=', ticket.id).execute()).length).toBe(1);
    // contact_id may now be null; the event still cascades with its ticket
    await db.updateTable('tickets').set({ contact_id: null, caller_name: '过路人' }).where('id', '=', ticket.id).execute();
    await db.deleteFrom('tickets').where('id', '=', ticket.id).execute();
    expect((await db.selectFrom('ticket_events').select('id').where('ticket_id', '=', ticket.id).execute()).length).toBe(0);
    if (kind === 'sqlite') {
      const indexes = await db.selectFrom('sqlite_master' as never).select('name' as never).where('tbl_name' as never, '=', 'tickets' as never).where('type' as never, '=', 'index' as never).execute();
      expect((indexes as Array<{ name: string }>).map((i) => i.name)).toEqual(expect.arrayContaining(['tickets_customer', 'tickets_assignee_queue', 'tickets_contact', 'tickets_due']));
    }
  });
});
