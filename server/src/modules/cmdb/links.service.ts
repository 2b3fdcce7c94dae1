import type { Db, DbOrTx } from '../../db/index.js';
import { normalizeCode, prefixRange } from '../../core/cmdb/rules.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { type Actor } from '../../platform/auth/actor.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { findTicket } from '../tickets/repo.js';
import type { CiService } from './cis.service.js';
import * as repo from './repo.js';
import type { CiSummaryOut } from './schema.js';
import { typeMap } from './types.service.js';

/** A ticket names at most this many CIs. */
export const MAX_TICKET_CIS = 50;
/** The CI page lists this many of its tickets (newest first). */
const RELATED_TICKETS = 20;

/**
 * The CIs of a ticket being logged (POST /tickets with `ciIds`, modules/tickets): checked before
 * the ticket's transaction — each must be a CI of the ticket's customer (else a problem on
 * `ciIds[i]` naming it) — and linked inside it with `linkCisOnCreate`.
 */
export async function checkTicketCis(db: DbOrTx, customerId: number, ciIds: number[]): Promise<FieldProblem[]> {
  if (ciIds.length > MAX_TICKET_CIS) return [{ field: 'ciIds', code: 'cmdb.ticket.tooMany', params: { max: MAX_TICKET_CIS } }];
  const rows = await repo.cisByIds(db, { kind: 'customers', ids: [customerId] }, ciIds);
  const found = new Set(rows.map((r) => Number(r.id)));
  return ciIds.flatMap((id, i) => (found.has(id) ? [] : [{ field: `ciIds[${i}]`, code: 'cmdb.ticket.ciNotFound' }]));
}

export async function linkCisOnCreate(trx: DbOrTx, ticketId: number, ciIds: number[], userId: number | null, now: number): Promise<void> {
  if (ciIds.length) await repo.linkTicketCis(trx, ticketId, ciIds, userId, now);
}

/** CIs bound to an alert's host: a CI of the customer whose host name or one of whose addresses is `host` (at most 5). */
export async function cisForHost(db: DbOrTx, customerId: number, hosts: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const raw of hosts) {
    const host = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (!host || host.length > 255) continue;
    const names = [host, host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')];
    const short = names[1].split('.')[0];
    if (short && short !== names[1]) names.push(short);
    for (const name of [...new Set(names)]) {
      // The host name itself, or a fully qualified one beginning with it (alert: his-app01, CI: his-app01.hospital.local).
      const { lo, hi } = prefixRange(`${name}.`);
      const byName = await db
        .selectFrom('cis')
        .select('id')
        .where((eb) => eb.or([eb('hostname', '=', name), eb.and([eb('hostname', '>=', lo), eb('hostname', '<', hi!)])]))
        .where('customer_id', '=', customerId)
        .where('status', '<>', 'retired')
        .limit(5)
        .execute();
      const byIp = await db.selectFrom('ci_addresses').innerJoin('cis', 'cis.id', 'ci_addresses.ci_id').select('cis.id').where('ci_addresses.ip', '=', name).where('ci_addresses.customer_id', '=', customerId).where('cis.status', '<>', 'retired').limit(5).execute();
      for (const r of [...byName, ...byIp]) if (!out.includes(Number(r.id))) out.push(Number(r.id));
    }
    if (out.length) break;
  }
  return out.slice(0, 5);
}

/**
 * Tickets and CIs (docs/CMDB.md, "Tickets and alerts"): a ticket's affected CIs, the CI page's
 * related records, and the log-a-call drawer's CI lookup.
 */
export class CiLinkService {
  constructor(
    private readonly db: Db,
    private readonly cis: CiService,
  ) {}

  private async ticket(actor: Actor, id: number) {
    const tk = await findTicket(this.db, actor.scope, id);
    if (!tk || (actor.customerId !== null && Number(tk.customer_id) !== actor.customerId)) throw AppError.notFound();
    return tk;
  }

  async ticketCis(actor: Actor, ticketId: number): Promise<{ items: CiSummaryOut[] }> {
    await this.ticket(actor, ticketId);
    const ids = await repo.ticketCiIds(this.db, ticketId);
    const rows = await repo.cisByIds(this.db, actor.scope, ids);
    const order = new Map(ids.map((id, i) => [id, i]));
    rows.sort((a, b) => order.get(Number(a.id))! - order.get(Number(b.id))!);
    return { items: await this.cis.summaries(rows) };
  }

  async addTicketCis(actor: Actor, ticketId: number, ciIds: number[]): Promise<{ items: CiSummaryOut[] }> {
    const tk = await this.ticket(actor, ticketId);
    const customerId = Number(tk.customer_id);
    const problems = await checkTicketCis(this.db, customerId, ciIds);
    const have = await repo.ticketCiIds(this.db, ticketId);
    if (new Set([...have, ...ciIds]).size > MAX_TICKET_CIS) problems.push({ field: 'ciIds', code: 'cmdb.ticket.tooMany', params: { max: MAX_TICKET_CIS } });
    if (problems.length) throw AppError.validation(problems);
    await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const added = await repo.linkTicketCis(trx, ticketId, ciIds, actor.userId || null, now);
      if (added.length) await recordAudit(trx, auditActorOf(actor), { action: 'link_cis', entity: 'tickets', entityId: ticketId, customerId, after: { ciIds: added } }, now);
    });
    return this.ticketCis(actor, ticketId);
  }

  async removeTicketCi(actor: Actor, ticketId: number, ciId: number): Promise<void> {
    const tk = await this.ticket(actor, ticketId);
    await this.db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom('ticket_cis').where('ticket_id', '=', ticketId).where('ci_id', '=', ciId).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw AppError.notFound();
      await recordAudit(trx, auditActorOf(actor), { action: 'unlink_ci', entity: 'tickets', entityId: ticketId, customerId: Number(tk.customer_id), after: { ciId } });
    });
  }

  /**
   * The log-a-call drawer's lookup within one customer, at most `limit`: the code's beginning,
   * an address (exact first, then its beginning), the serial, the host name's beginning and the
   * name containing the text. Each by an index of the customer's CIs or of the key.
   */
  async lookup(actor: Actor, customerId: number, q: string, limit: number) {
    if (actor.customerId !== null && actor.customerId !== customerId) throw AppError.notFound();
    await this.cis.checkCustomer(actor, customerId);
    const scope = actor.scope;
    const text = q.trim();
    const ipLike = /^[0-9a-fA-F.:]+$/.test(text);
    const hostLike = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(text);
    const [byCode, byIp, bySerial, byHost, byName] = await Promise.all([
      /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(text) ? repo.idsByCodePrefix(this.db, scope, normalizeCode(text), limit, customerId) : Promise.resolve([]),
      ipLike ? repo.idsByIpPrefix(this.db, scope, text.toLowerCase(), limit, customerId) : Promise.resolve([]),
      repo.idsBySerial(this.db, scope, text, customerId),
      hostLike ? repo.idsByHostname(this.db, scope, text.toLowerCase(), customerId) : Promise.resolve([]),
      repo.idsByNameOfCustomer(this.db, customerId, text, limit),
    ]);
    type Match = 'code' | 'ip' | 'name' | 'serial' | 'hostname';
    const hits: Array<{ id: number; matched: Match; address: string | null }> = [];
    const add = (id: number, matched: Match, address: string | null = null) => {
      if (!hits.some((h) => h.id === id)) hits.push({ id, matched, address });
    };
    byIp.filter((x) => x.ip === text.toLowerCase()).forEach((x) => add(x.id, 'ip', x.ip));
    byCode.forEach((id) => add(id, 'code'));
    bySerial.forEach((id) => add(id, 'serial'));
    byIp.forEach((x) => add(x.id, 'ip', x.ip));
    byHost.forEach((id) => add(id, 'hostname'));
    byName.forEach((id) => add(id, 'name'));
    const chosen = hits.slice(0, limit);
    const [rows, types] = await Promise.all([repo.cisByIds(this.db, scope, chosen.map((h) => h.id)), typeMap(this.db)]);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const sites = await repo.namesOf(this.db, 'sites', rows.map((r) => (r.site_id === null ? null : Number(r.site_id))));
    return {
      items: chosen
        .filter((h) => byId.has(h.id))
        .map((h) => {
          const r = byId.get(h.id)!;
          const type = types.get(Number(r.type_id));
          return { id: h.id, code: r.code, name: r.name, typeCode: type?.code ?? '', typeName: type?.name_zh ?? '', status: r.status as 'in_use', ip: r.ip, siteName: r.site_id === null ? null : (sites.get(Number(r.site_id)) ?? null), matched: h.matched, address: h.address };
        }),
    };
  }

  /** The CI page's related records: its tickets, their repair reports and visits, repair orders and part movements naming it. */
  async related(actor: Actor, ciId: number) {
    const ci = await this.cis.find(actor, ciId);
    const tickets = await this.db
      .selectFrom('ticket_cis')
      .innerJoin('tickets', 'tickets.id', 'ticket_cis.ticket_id')
      .select(['tickets.id', 'tickets.number', 'tickets.title', 'tickets.kind', 'tickets.state', 'tickets.priority', 'tickets.reported_at', 'ticket_cis.created_at'])
      .where('ticket_cis.ci_id', '=', ciId)
      .where('tickets.customer_id', '=', Number(ci.customer_id))
      .orderBy('ticket_cis.ticket_id', 'desc')
      .limit(RELATED_TICKETS + 1)
      .execute();
    const shown = tickets.slice(0, RELATED_TICKETS);
    const ticketIds = shown.map((t) => Number(t.id));
    const numbers = new Map(shown.map((t) => [Number(t.id), t.number]));
    const staff = actor.customerId === null;
    const [reports, visits, orders, movements, relations] = await Promise.all([
      ticketIds.length ? this.db.selectFrom('repair_reports').select(['ticket_id', 'state', 'updated_at']).where('ticket_id', 'in', ticketIds).orderBy('ticket_id', 'desc').execute() : Promise.resolve([]),
      ticketIds.length
        ? this.db
            .selectFrom('ticket_events')
            .leftJoin('users', 'users.id', 'ticket_events.actor_id')
            .select(['ticket_events.ticket_id', 'ticket_events.at', 'ticket_events.data', 'users.display_name'])
            .where('ticket_events.ticket_id', 'in', ticketIds)
            .where('ticket_events.type', '=', 'visit')
            .orderBy('ticket_events.at', 'desc')
            .limit(50)
            .execute()
        : Promise.resolve([]),
      staff ? this.db.selectFrom('repair_orders').select(['id', 'number', 'state', 'vendor_id', 'fault', 'sent_at']).where('ci_id', '=', ciId).orderBy('id', 'desc').limit(20).execute() : Promise.resolve([]),
      staff ? this.db.selectFrom('part_movements').select(['id', 'number', 'kind', 'quantity', 'at', 'ticket_id']).where('ci_id', '=', ciId).orderBy('id', 'desc').limit(20).execute() : Promise.resolve([]),
      repo.referencesOf(this.db, ciId).then((r) => r.relations ?? 0),
    ]);
    return {
      tickets: shown.map((t) => ({ id: Number(t.id), number: t.number, title: t.title, kind: t.kind, state: t.state, priority: t.priority, reportedAt: iso(Number(t.reported_at)), linkedAt: iso(Number(t.created_at)) })),
      moreTickets: tickets.length > RELATED_TICKETS,
      repairReports: reports.map((r) => ({ ticketId: Number(r.ticket_id), ticketNumber: numbers.get(Number(r.ticket_id)) ?? '', state: r.state, updatedAt: iso(Number(r.updated_at)) })),
      visits: visits.map((v) => {
        const data = JSON.parse(v.data) as { event?: string };
        return { ticketId: Number(v.ticket_id), ticketNumber: numbers.get(Number(v.ticket_id)) ?? '', at: iso(Number(v.at)), event: data.event ?? '', engineer: v.display_name ?? null };
      }),
      repairOrders: orders.map((o) => ({ id: Number(o.id), number: o.number, state: o.state, vendorId: Number(o.vendor_id), fault: o.fault, sentAt: o.sent_at === null ? null : iso(Number(o.sent_at)) })),
      partMovements: movements.map((m) => ({ id: Number(m.id), number: m.number, kind: m.kind, quantity: Number(m.quantity), at: iso(Number(m.at)), ticketId: m.ticket_id === null ? null : Number(m.ticket_id) })),
      relations,
    };
  }
}

