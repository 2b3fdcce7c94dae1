import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/index.js';
import type { ContactsTable, CustomersTable, TicketsTable } from '../../db/schema.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import type { TicketState } from '../../core/tickets/lifecycle.js';
import { indexDocs, type SearchDoc } from './indexer.js';
import { removeDocsOfCustomer } from './repo.js';

/**
 * What of each record is searchable, read from its own tables (docs/SEARCH.md). The write paths
 * of tickets and organisation call `indexTickets` / `indexContact` / `indexCustomer` in their
 * transactions; `yunwei search reindex` reads the same functions in batches, so incremental and
 * full indexing cannot drift apart.
 */

type TicketRow = Pick<Selectable<TicketsTable>, 'id' | 'number' | 'customer_id' | 'title' | 'description' | 'resolution' | 'state' | 'reported_at' | 'caller_name' | 'caller_phone'>;
const TICKET_COLUMNS = ['id', 'number', 'customer_id', 'title', 'description', 'resolution', 'state', 'reported_at', 'caller_name', 'caller_phone'] as const;

/**
 * A ticket: title; description, public replies and resolution (the customer's users see these);
 * internal notes as staff-only text; number and caller as extra. Its customer's users may find it.
 */
export function ticketDoc(t: TicketRow, texts: { replies: string[]; notes: string[] }): SearchDoc {
  return {
    kind: 'ticket',
    refId: Number(t.id),
    customerId: Number(t.customer_id),
    audience: 'customers',
    title: t.title,
    body: [t.description, ...texts.replies, t.resolution ?? ''].filter(Boolean).join('\n'),
    staffBody: texts.notes.join('\n'),
    extra: [t.number, t.caller_name ?? '', t.caller_phone ?? ''].filter(Boolean).join(' '),
    state: t.state,
    open: OPEN_STATES.includes(t.state as TicketState),
    at: Number(t.reported_at),
  };
}

/** The ticket docs of these tickets, read with their replies and notes (two queries). */
export async function ticketDocs(db: DbOrTx, ids: number[]): Promise<SearchDoc[]> {
  if (!ids.length) return [];
  const tickets = await db.selectFrom('tickets').select([...TICKET_COLUMNS]).where('id', 'in', ids).orderBy('id').execute();
  const events = await db.selectFrom('ticket_events').select(['ticket_id', 'type', 'data']).where('ticket_id', 'in', ids).where('type', 'in', ['reply', 'note']).orderBy('ticket_id').orderBy('id').execute();
  const texts = new Map<number, { replies: string[]; notes: string[] }>();
  for (const e of events) {
    const t = texts.get(Number(e.ticket_id)) ?? { replies: [], notes: [] };
    const body = bodyOf(e.data);
    if (body) (e.type === 'reply' ? t.replies : t.notes).push(body);
    texts.set(Number(e.ticket_id), t);
  }
  return tickets.map((t) => ticketDoc(t, texts.get(Number(t.id)) ?? { replies: [], notes: [] }));
}

function bodyOf(data: string): string {
  try {
    const body = (JSON.parse(data) as { body?: unknown }).body;
    return typeof body === 'string' ? body : '';
  } catch {
    return '';
  }
}

/** Re-indexes tickets from their rows as they now stand (call in the writing transaction). */
export async function indexTickets(trx: DbOrTx, ids: number[]): Promise<void> {
  await indexDocs(trx, await ticketDocs(trx, ids));
}

type ContactRow = Pick<Selectable<ContactsTable>, 'id' | 'customer_id' | 'name' | 'phone' | 'mobile' | 'email' | 'title' | 'updated_at'>;
export const CONTACT_COLUMNS = ['id', 'customer_id', 'name', 'phone', 'mobile', 'email', 'title', 'updated_at'] as const;

/** A contact: name and job title; phones and email as extra. Staff only (a customer's users have the portal's own lists). */
export function contactDoc(c: ContactRow): SearchDoc {
  return {
    kind: 'contact',
    refId: Number(c.id),
    customerId: Number(c.customer_id),
    audience: 'internal',
    title: c.name,
    body: c.title ?? '',
    extra: [c.phone, c.mobile, c.email].filter(Boolean).join(' '),
    at: Number(c.updated_at),
  };
}

type CustomerRow = Pick<Selectable<CustomersTable>, 'id' | 'code' | 'name' | 'address' | 'archived_at' | 'updated_at'>;
export const CUSTOMER_COLUMNS = ['id', 'code', 'name', 'address', 'archived_at', 'updated_at'] as const;

/** A customer: name, address; code as extra. Its customer id is itself, so a scoped engineer finds only his own. */
export function customerDoc(c: CustomerRow): SearchDoc {
  return {
    kind: 'customer',
    refId: Number(c.id),
    customerId: Number(c.id),
    audience: 'internal',
    title: c.name,
    body: c.address ?? '',
    extra: c.code,
    state: c.archived_at === null ? 'active' : 'archived',
    open: false,
    at: Number(c.updated_at),
  };
}

export async function indexContacts(trx: DbOrTx, ids: number[]): Promise<void> {
  if (!ids.length) return;
  const rows = await trx.selectFrom('contacts').select([...CONTACT_COLUMNS]).where('id', 'in', ids).execute();
  await indexDocs(trx, rows.map(contactDoc));
}

export async function indexCustomers(trx: DbOrTx, ids: number[]): Promise<void> {
  if (!ids.length) return;
  const rows = await trx.selectFrom('customers').select([...CUSTOMER_COLUMNS]).where('id', 'in', ids).execute();
  await indexDocs(trx, rows.map(customerDoc));
}

const TICKET_SEARCH_COLUMNS = new Set(['title', 'description', 'resolution', 'state', 'number', 'caller_name', 'caller_phone', 'customer_id', 'reported_at']);

/** Whether a ticket change alters what search holds of it (else re-indexing would be wasted work). */
export function touchesTicketSearch(set: object, entryTypes: string[]): boolean {
  return Object.keys(set).some((k) => TICKET_SEARCH_COLUMNS.has(k)) || entryTypes.some((t) => t === 'reply' || t === 'note');
}

/** Every contact of a customer (after an import, which inserts without returning ids). */
export async function indexContactsOf(trx: DbOrTx, customerId: number): Promise<void> {
  const rows = await trx.selectFrom('contacts').select([...CONTACT_COLUMNS]).where('customer_id', '=', customerId).execute();
  await indexDocs(trx, rows.map(contactDoc));
}

/** A deleted customer leaves search with its contacts (deleted with it). */
export async function removeCustomerDocs(trx: DbOrTx, customerId: number): Promise<void> {
  await removeDocsOfCustomer(trx, customerId, ['customer', 'contact']);
}

export { removeDoc } from './indexer.js';
