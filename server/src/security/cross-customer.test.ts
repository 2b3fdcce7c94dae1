import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../test/harness.js';
import {
  buildWorld, CUSTOMERS, idPlaces, probesFor, routePermissions, send, SELF_ENDING, snapshot, snapshotDiff,
  type Actor, type ActorName, type CustomerKey, type World,
} from './fixture.js';
import { loadOpenApi, type Operation } from './openapi-client.js';

/**
 * The attacker's view, from the OpenAPI document: every operation, as every kind of caller, with
 * the ids of another customer's records in every place an id goes (path, query, body). Nothing
 * of a customer the caller may not see may be answered (every record of customer X carries
 * `MARK-X-`; every response body and header is searched for it), and nothing of it may change
 * (its rows, in every table, are compared before and after each operation's requests). Callers:
 *
 * - scoped provider staff (`eng`, `pm`: a team serving A and B, not C) with C's ids;
 * - customer A's administrator and user with B's and C's ids;
 * - anonymous with everyone's ids (and nothing but 401 for routes that are not public);
 * - the roles with scope.all (admin, desk, quality, auditor) see every customer: for them only
 *   the permissions are checked, as for everybody: an operation whose route needs a permission
 *   the caller lacks answers 403.
 */
describeDb('security: cross-customer access', (kind) => {
  let w: World;
  let ops: Operation[];
  let permissionOf: Map<string, string | null>;
  const leaks: string[] = [];
  const changes: string[] = [];
  const crossRefs: string[] = [];
  const notRefused: string[] = [];
  const serverErrors: string[] = [];
  /** `actor MARK-X-` for every customer's marker a caller was shown where it may see it. */
  const seen = new Set<string>();
  let requests = 0;
  let swappedRequests = 0;
  /** Status → count of the requests with another customer's id: what refused them. */
  const swappedStatus = new Map<string, number>();
  let elapsed = 0;

  const markersFor = (foreign: CustomerKey[]) => foreign.map((x) => `MARK-${x}-`);

  async function run(actor: Actor, op: Operation, foreign: CustomerKey[]) {
    const needs = permissionOf.get(op.key) ?? null;
    const lacks = actor.session !== null && needs !== null && !actor.permissions.has(needs);
    if (!foreign.length && !lacks) return;
    const markers = markersFor(foreign);
    const visible = markersFor(CUSTOMERS.filter((x) => !foreign.includes(x)));
    // The request with the caller's own ids is sent for reads, for operations that take no id,
    // and when the role lacks the permission (it must be refused); writes otherwise only with a
    // foreign id in them: the caller's own records are not this test's business, and later
    // requests need them.
    const withOwn = op.method === 'GET' || lacks || idPlaces(op).length === 0;
    for (const probe of await probesFor(w, op, foreign, withOwn)) {
      const res = await send(w, actor, probe);
      requests++;
      if (probe.swapped) {
        swappedRequests++;
        const k = `${res.statusCode}`;
        swappedStatus.set(k, (swappedStatus.get(k) ?? 0) + 1);
        if (process.env.SECURITY_DEBUG && new RegExp(process.env.SECURITY_DEBUG).test(String(res.statusCode))) console.log(`${res.statusCode}: ${actor.name} ${probe.options.method} ${probe.options.url} ${probe.swapped} ${res.body.slice(0, 200)}`);
      }
      const what = `${actor.name} ${probe.options.method} ${probe.options.url} ${probe.swapped} → ${res.statusCode}`;
      if (res.statusCode >= 500) serverErrors.push(`${what}: ${res.body.slice(0, 200)}`);
      const text = `${JSON.stringify(res.headers)}\n${res.body}`;
      const found = markers.filter((m) => text.includes(m));
      if (found.length) {
        const at = text.indexOf(found[0]);
        leaks.push(`${what}: shows ${found.join(', ')} … ${text.slice(Math.max(0, at - 80), at + 60)}`);
      }
      for (const m of visible) if (text.includes(m)) seen.add(`${actor.name} ${m}`);
      if (lacks && !probe.swapped && res.statusCode !== 403) notRefused.push(`${what} (needs ${needs}, role ${actor.role} lacks it): ${res.body.slice(0, 200)}`);
      if (!actor.session && !op.isPublic && res.statusCode !== 401) notRefused.push(`${what} (not public, no credentials): ${res.body.slice(0, 200)}`);
    }
  }

  beforeAll(async () => {
    const started = Date.now();
    w = await buildWorld(kind);
    const doc = await loadOpenApi(w.app);
    ops = doc.operations.filter((op) => !SELF_ENDING.has(op.key));
    permissionOf = await routePermissions(w, ops);
    const db = w.t.database.db as Kysely<any>;
    const watched = [w.customerIds.B, w.customerIds.C];
    // B's rows are watched while the callers for whom B is foreign run (anonymous, A's staff),
    // C's while everybody runs: eng and pm serve B, and may change it.
    const firstB: ActorName[] = ['anonymous', 'a_user', 'a_admin'];
    const then: ActorName[] = ['eng', 'pm', 'quality', 'auditor', 'desk', 'admin'];
    for (const op of ops) {
      const before = await snapshot(db, [w.customerIds.B, w.customerIds.C]);
      for (const name of firstB) await run(w.actors[name], op, w.actors[name].foreign);
      const middle = await snapshot(db, [w.customerIds.B, w.customerIds.C]);
      for (const d of snapshotDiff(before, middle)) changes.push(`${op.key} (as ${firstB.join('/')}): ${d}`);
      const beforeC = await snapshot(db, [w.customerIds.C]);
      for (const name of then) await run(w.actors[name], op, w.actors[name].foreign);
      for (const d of snapshotDiff(beforeC, await snapshot(db, [w.customerIds.C]))) changes.push(`${op.key} (as ${then.join('/')}): ${d}`);
    }
    crossRefs.push(...(await crossCustomerReferences(db)));
    elapsed = Date.now() - started;
    console.log(`cross-customer [${kind}]: ${requests} requests (${swappedRequests} with another customer's id) over ${ops.length} operations × ${Object.keys(w.actors).length} callers, ${leaks.length} leaks, ${changes.length} changes, ${notRefused.length} not refused, ${serverErrors.length} server errors, ${(elapsed / 1000).toFixed(1)} s; foreign-id requests by status: ${[...swappedStatus].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  }, 600_000);

  afterAll(async () => {
    await w?.close();
  });

  it('sends every operation as every caller with every foreign id it can take', () => {
    expect(ops.length).toBeGreaterThan(100);
    expect(swappedRequests).toBeGreaterThan(1000);
    for (const x of CUSTOMERS) for (const k of ['ticket', 'file', 'site', 'contact', 'contract', 'mailbox', 'alertSource', 'webhook', 'dispatchRule', 'user', 'mailLog'] as const) expect(w.records[x][k]?.length, `${x} ${k}`).toBeGreaterThan(0);
  });

  it('finds the markers where the caller may see them (the search is not blind)', () => {
    for (const want of ['eng MARK-A-', 'eng MARK-B-', 'pm MARK-B-', 'a_user MARK-A-', 'a_admin MARK-A-']) expect([...seen]).toContain(want);
  });

  it('answers nothing of a customer the caller may not see', () => {
    expect(leaks, leaks.slice(0, 20).join('\n')).toEqual([]);
  });

  it('changes nothing of a customer the caller may not see', () => {
    expect(changes, changes.slice(0, 20).join('\n')).toEqual([]);
  });

  it('links no record of one customer to a record of another', () => {
    expect(crossRefs, crossRefs.join('\n')).toEqual([]);
  });

  it('refuses what the role lacks the permission for (403), and everything but public routes without credentials (401)', () => {
    expect(notRefused, notRefused.slice(0, 30).join('\n')).toEqual([]);
  });

  it('answers no 5xx', () => {
    expect(serverErrors, serverErrors.slice(0, 20).join('\n')).toEqual([]);
  });
});

/** Rows that point at a record of another customer than their own. */
async function crossCustomerReferences(db: Kysely<any>): Promise<string[]> {
  const checks: Array<[string, string, string]> = [
    ['tickets', 'contact_id', 'contacts'], ['tickets', 'site_id', 'sites'], ['tickets', 'contract_id', 'contracts'],
    ['contacts', 'site_id', 'sites'], ['sites', 'parent_id', 'sites'], ['alert_sources', 'contact_id', 'contacts'], ['alert_sources', 'site_id', 'sites'],
    ['mail_mailboxes', 'fallback_contact_id', 'contacts'], ['users', 'contact_id', 'contacts'], ['repair_reports', 'ticket_id', 'tickets'],
  ];
  const out: string[] = [];
  for (const [table, column, ref] of checks) {
    const rows = await db
      .selectFrom(`${table} as t`)
      .innerJoin(`${ref} as r`, `r.id`, `t.${column}`)
      .select(['t.id as id', 't.customer_id as own', 'r.customer_id as other'])
      .whereRef('t.customer_id', '<>', 'r.customer_id')
      .execute()
      .catch((err: Error) => [{ id: 'n/a', own: 'n/a', other: `query failed: ${err.message}` }]);
    for (const r of rows) out.push(`${table}#${r.id} (customer ${r.own}).${column} → ${ref} of customer ${r.other}`);
  }
  const links = await db
    .selectFrom('ticket_links as l')
    .innerJoin('tickets as a', 'a.id', 'l.ticket_id')
    .innerJoin('tickets as b', 'b.id', 'l.other_id')
    .select(['l.ticket_id', 'l.other_id', 'l.kind'])
    .whereRef('a.customer_id', '<>', 'b.customer_id')
    .where('l.kind', 'not in', ['complaint', 'complaint_about'])
    .execute();
  for (const l of links) out.push(`ticket_links ${l.ticket_id} -${l.kind}-> ${l.other_id} across customers`);
  return out;
}
