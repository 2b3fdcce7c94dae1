import type { Db } from '../db/index.js';

/**
 * A customer with a contact, a contract and one ticket, inserted row by row: for migration tests,
 * which run against an old schema that the services (written for the latest) cannot use. Only
 * columns every schema since 0006_tickets has are given.
 */
export async function insertBareTicket(db: Db, now = Date.now()): Promise<{ customerId: number; ticketId: number }> {
  const customer = await db.insertInto('customers').values({ code: 'M', name: '客户M', tier: 1, time_zone: 'Asia/Shanghai', address: null, notes: null, archived_at: null, created_at: now, updated_at: now, version: 1 }).returning('id').executeTakeFirstOrThrow();
  const contact = await db.insertInto('contacts').values({ customer_id: customer.id, name: '联系人', created_at: now, updated_at: now } as never).returning('id').executeTakeFirstOrThrow();
  const contract = await db
    .insertInto('contracts')
    .values({ customer_id: customer.id, code: 'HT-M', name: '合同', starts_on: '2026-01-01', ends_on: '2026-12-31', services: '[]', service_hours: '7x24', calendar_id: '24x7', created_at: now, updated_at: now } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const ticket = await db
    .insertInto('tickets')
    .values({
      number: 'INC-2026-000001',
      kind: 'incident',
      customer_id: customer.id,
      contract_id: contract.id,
      contact_id: contact.id,
      impact: 'high',
      urgency: 'high',
      priority: 'P1',
      priority_rank: 1,
      title: '宕机',
      description: '宕机',
      channel: 'phone',
      state: 'new',
      reported_at: now,
      created_at: now,
      updated_at: now,
      sla_status: 'none',
      version: 1,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return { customerId: Number(customer.id), ticketId: Number(ticket.id) };
}
