import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../server/src/db/index.js';
import { OPEN_STATES } from '../../../server/src/core/tickets/lifecycle.js';
import { csrfTokenFor } from '../../../server/src/platform/auth/service.js';

/**
 * Who the benchmarks act as, and on what, picked from a generated data set: a desk agent (sees
 * every customer), the engineer of the busiest first-line team (his team's queue is the longest),
 * the customer with the most tickets and one of its portal users; sessions are created directly
 * (a login costs an argon2 hash, which is not what is measured).
 */
export interface Session {
  userId: number;
  token: string;
  csrf: string;
  /** Cookie and CSRF headers for app.inject / HTTP. */
  headers: Record<string, string>;
}

export interface Fixtures {
  desk: Session;
  engineer: Session;
  engineerTeamId: number;
  portal: Session;
  customerId: number;
  /** A tier-1 customer to report for, with a contact and a site. */
  report: { customerId: number; contactId: number; siteId: number | null };
  /** Tickets in progress (replies and worklogs go there). */
  workingIds: number[];
  /** A spread of tickets of every age (the ticket page). */
  sampleIds: number[];
}

export async function createSession(db: Db, userId: number, now = Date.now()): Promise<Session> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({ id: createHash('sha256').update(token).digest('hex'), user_id: userId, created_at: now, last_seen_at: now, expires_at: now + 7 * 86_400_000, ip: '127.0.0.1', user_agent: 'yunwei-bench' })
    .execute();
  const csrf = csrfTokenFor(token);
  return { userId, token, csrf, headers: { cookie: `yw_session=${token}; yw_csrf=${csrf}`, 'x-csrf-token': csrf } };
}

export async function loadFixtures(db: Db): Promise<Fixtures> {
  const deskUser = await db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select('team_members.user_id')
    .where('teams.kind', '=', 'desk')
    .orderBy('team_members.user_id')
    .executeTakeFirstOrThrow();
  const busiest = await db
    .selectFrom('tickets')
    .innerJoin('teams', 'teams.id', 'tickets.team_id')
    .select(['tickets.team_id', sql<number>`count(*)`.as('n')])
    .where('tickets.state', 'in', [...OPEN_STATES])
    .where('teams.kind', '=', 'line1')
    .groupBy('tickets.team_id')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('tickets.team_id')
    .executeTakeFirstOrThrow();
  const teamId = Number(busiest.team_id);
  // The member of that team with the most open tickets of his own ("mine" has rows to show).
  const engineer = await db
    .selectFrom('team_members')
    .leftJoin('tickets', (j) => j.onRef('tickets.assignee_id', '=', 'team_members.user_id').on('tickets.state', 'in', [...OPEN_STATES]))
    .select(['team_members.user_id', sql<number>`count(tickets.id)`.as('n')])
    .where('team_members.team_id', '=', teamId)
    .groupBy('team_members.user_id')
    .orderBy(sql`count(tickets.id)`, 'desc')
    .orderBy('team_members.user_id')
    .executeTakeFirstOrThrow();
  const customer = await db
    .selectFrom('tickets')
    .select(['customer_id', sql<number>`count(*)`.as('n')])
    .groupBy('customer_id')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('customer_id')
    .executeTakeFirstOrThrow();
  const customerId = Number(customer.customer_id);
  const portalUser = await db.selectFrom('users').select('id').where('customer_id', '=', customerId).orderBy('id').executeTakeFirstOrThrow();
  const contact = await db
    .selectFrom('contacts')
    .innerJoin('customers', 'customers.id', 'contacts.customer_id')
    .select(['contacts.customer_id', 'contacts.id', 'contacts.site_id'])
    .where('customers.tier', '=', 1)
    .orderBy('contacts.id')
    .executeTakeFirstOrThrow();
  const working = await db.selectFrom('tickets').select('id').where('state', 'in', ['accepted', 'in_progress']).orderBy('id', 'desc').limit(500).execute();
  const total = await db.selectFrom('tickets').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const n = Number(total.n);
  const sampleIds = Array.from({ length: 1000 }, (_, i) => 1 + Math.floor(((i * 7919) % 1000) * (n / 1000)));
  const now = Date.now();
  return {
    desk: await createSession(db, Number(deskUser.user_id), now),
    engineer: await createSession(db, Number(engineer.user_id), now),
    engineerTeamId: teamId,
    portal: await createSession(db, Number(portalUser.id), now),
    customerId,
    report: { customerId: Number(contact.customer_id), contactId: Number(contact.id), siteId: contact.site_id === null ? null : Number(contact.site_id) },
    workingIds: working.map((r) => Number(r.id)),
    sampleIds,
  };
}
