import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertUser, login, describeDb, type Session } from '../../test/harness.js';
import { ok, report, ticketWorld, type TicketWorld } from '../../test/tickets-fixture.js';

/**
 * A customer user linked to a contact of his customer (users.contact_id): the rules of the link,
 * /auth/me, the portal reporting in that contact's name, and the portal's site list.
 */
describeDb('user ↔ contact link', (kind) => {
  let w: TicketWorld;
  let custAdminA: Session;
  const problems = (res: { json(): unknown }) => (res.json() as { errors: Array<{ field: string; code: string; message: string }> }).errors;
  const patchUser = async (id: number, body: Record<string, unknown>) => {
    const user = ok(await w.admin.request({ method: 'GET', url: `/api/v1/users/${id}` }));
    return w.admin.request({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { version: user.version, ...body } });
  };

  beforeAll(async () => {
    w = await ticketWorld(kind);
    await insertUser(w.t.database, { username: 'cadmin_a', roles: ['customer_admin'], customerId: w.a.customerId });
    custAdminA = await login(w.t.app, 'cadmin_a');
  });
  afterAll(() => w.t.close());

  it('refuses another customer\'s contact and any contact on a provider user, with a field error', async () => {
    const other = await patchUser(w.users.custA, { contactId: w.b.contactId });
    expect(other.statusCode).toBe(400);
    expect(problems(other)).toEqual([expect.objectContaining({ field: 'contactId', code: 'accounts.contactNotOfCustomer' })]);
    const provider = await patchUser(w.users.desk, { contactId: w.a.contactId });
    expect(provider.statusCode).toBe(400);
    expect(problems(provider)).toEqual([expect.objectContaining({ field: 'contactId', code: 'accounts.contactCustomerOnly' })]);
    const created = await w.admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'eng.new', displayName: '新工程师', roleCodes: ['engineer'], password: 'Yunwei#2026-Strong', contactId: w.a.contactId },
    });
    expect(created.statusCode).toBe(400);
    expect(problems(created)[0]).toMatchObject({ field: 'contactId', code: 'accounts.contactCustomerOnly' });
    // The customer's own administrator cannot reach another customer's contacts either.
    const byCustomer = await custAdminA.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'a.staff', displayName: 'A 员工', roleCodes: ['customer_contact'], password: 'Yunwei#2026-Strong', contactId: w.b.contactId },
    });
    expect(byCustomer.statusCode).toBe(400);
    expect(problems(byCustomer)[0]).toMatchObject({ field: 'contactId', code: 'accounts.contactNotOfCustomer' });
  });

  it('before the link, customer staff must name the contact when reporting; provider staff always must', async () => {
    const { contactId: _omit, ...noContact } = report(w.a);
    const res = await w.custA.request({ method: 'POST', url: '/api/v1/tickets', payload: noContact });
    expect(res.statusCode).toBe(400);
    expect(problems(res)).toEqual([expect.objectContaining({ field: 'contactId', code: 'tickets.noLinkedContact' })]);
    const desk = await w.desk.request({ method: 'POST', url: '/api/v1/tickets', payload: noContact });
    expect(desk.statusCode).toBe(400);
    expect(problems(desk)).toEqual([expect.objectContaining({ field: 'contactId', code: 'required' })]);
  });

  it('links a customer user to his customer\'s contact, audited, and /auth/me names the contact', async () => {
    const linked = ok(await patchUser(w.users.custA, { contactId: w.a.contactId }));
    expect(linked.contactId).toBe(w.a.contactId);
    const audit = await w.t.database.db.selectFrom('audit_log').selectAll().where('entity', '=', 'users').where('entity_id', '=', String(w.users.custA)).where('action', '=', 'update').execute();
    expect(JSON.parse(audit.at(-1)!.after!)).toEqual({ contactId: w.a.contactId });

    const me = ok(await w.custA.request({ method: 'GET', url: '/api/v1/auth/me' }));
    expect(me).toMatchObject({ customerId: w.a.customerId, contactId: w.a.contactId, contactName: 'A 联系人' });
    const deskMe = ok(await w.desk.request({ method: 'GET', url: '/api/v1/auth/me' }));
    expect(deskMe).toMatchObject({ contactId: null, contactName: null });
    const unlinked = ok(await w.custB.request({ method: 'GET', url: '/api/v1/auth/me' }));
    expect(unlinked).toMatchObject({ contactId: null, contactName: null });

    // Created with the link by the customer's own administrator.
    const staff = ok(
      await custAdminA.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'a.staff2', displayName: 'A 员工', roleCodes: ['customer_contact'], password: 'Yunwei#2026-Strong', contactId: w.a.contactId },
      }),
      201,
    );
    expect(staff).toMatchObject({ customerId: w.a.customerId, contactId: w.a.contactId });
  });

  it('a linked customer user reports without naming a contact: the ticket is his contact\'s', async () => {
    const { contactId: _omit, ...noContact } = report(w.a);
    const ticket = ok(await w.custA.request({ method: 'POST', url: '/api/v1/tickets', payload: noContact }), 201);
    expect(ticket).toMatchObject({ customerId: w.a.customerId, contactId: w.a.contactId, channel: 'portal' });
    // Naming the contact explicitly still works.
    const named = ok(await w.custA.request({ method: 'POST', url: '/api/v1/tickets', payload: report(w.a) }), 201);
    expect(named.contactId).toBe(w.a.contactId);
  });

  it('a customer contact lists his own customer\'s sites in the portal, never another\'s', async () => {
    const own = ok(await w.custA.request({ method: 'GET', url: '/api/v1/portal/sites' }));
    expect(own.items.map((s: { id: number }) => s.id)).toEqual([w.a.siteId]);
    const b = ok(await w.custB.request({ method: 'GET', url: '/api/v1/portal/sites' }));
    expect(b.items.map((s: { id: number }) => s.id)).toEqual([w.b.siteId]);
    // portal.use opens no customer's records: the staff routes stay closed to a customer contact.
    expect((await w.custA.request({ method: 'GET', url: `/api/v1/customers/${w.a.customerId}/sites` })).statusCode).toBe(403);
    // A customer administrator (customers.read) sees his own customer's sites; another's are not found.
    expect((await custAdminA.request({ method: 'GET', url: `/api/v1/customers/${w.a.customerId}/sites` })).statusCode).toBe(200);
    expect((await custAdminA.request({ method: 'GET', url: `/api/v1/customers/${w.b.customerId}/sites` })).statusCode).toBe(404);
    // The provider's staff have no portal.
    expect((await w.desk.request({ method: 'GET', url: '/api/v1/portal/sites' })).statusCode).toBe(403);
  });

  it('moving the user to another customer drops the link to the old customer\'s contact', async () => {
    const moved = ok(await patchUser(w.users.custA, { customerId: w.b.customerId }));
    expect(moved).toMatchObject({ customerId: w.b.customerId, contactId: null });
    const relinked = ok(await patchUser(w.users.custA, { customerId: w.a.customerId, contactId: w.a.contactId }));
    expect(relinked).toMatchObject({ customerId: w.a.customerId, contactId: w.a.contactId });
    const unlinked = ok(await patchUser(w.users.custA, { contactId: null }));
    expect(unlinked.contactId).toBeNull();
  });
});
