import type { Db, DbOrTx, Tx } from '../../db/index.js';
import { lockForChain } from '../../db/dialect.js';
import { addressesOf, normalizeIp, validateAttributes, type AttributeDef, type AttributeValues } from '../../core/cmdb/attributes.js';
import { CODE_RE, HOSTNAME_RE, normalizeCode, normalizeHostname, statusChangeAllowed, STATUS_ZH, type CiStatus } from '../../core/cmdb/rules.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, inScope, type Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation, type FieldProblem } from '../../platform/http/errors.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { iso } from '../../platform/http/zod.js';
import { t } from '../../platform/i18n/index.js';
import { emit } from '../../platform/notify/service.js';
import * as repo from './repo.js';
import type { CiCreate, CiListQuery, CiOut, CiPatch, CiSummaryOut } from './schema.js';
import { indexCis, matchCis, unindexCi } from './search.js';
import { defsOf, typeMap } from './types.service.js';

/** Serialises CI writes that check a serial number (no unique index on it) on PostgreSQL. */
const SERIAL_LOCK = 0x5977_0c01;

/** The columns of a CI a history row compares, with their names in the API. */
const FIELDS: Array<[keyof repo.CiRow, string]> = [
  ['code', 'code'],
  ['name', 'name'],
  ['site_id', 'siteId'],
  ['status', 'status'],
  ['criticality', 'criticality'],
  ['owner_id', 'ownerId'],
  ['owner_name', 'ownerName'],
  ['brand', 'brand'],
  ['model', 'model'],
  ['serial', 'serial'],
  ['ip', 'ip'],
  ['hostname', 'hostname'],
  ['description', 'description'],
];

export function requireProvider(actor: Actor, permission = 'cmdb.write'): void {
  if (actor.customerId !== null || !can(actor, permission)) throw AppError.forbidden(permission);
}

/** The common fields of a CI after the house rules (upper-case code, lower-case host name, IP normalised). */
export interface CiValues {
  code: string;
  name: string;
  siteId: number | null;
  status: CiStatus;
  criticality: number;
  ownerId: number | null;
  ownerName: string | null;
  brand: string | null;
  model: string | null;
  serial: string | null;
  ip: string | null;
  hostname: string | null;
  attributes: AttributeValues;
  description: string | null;
}

/**
 * The checks that need no database: code, IP, host name and the attributes against the type.
 * Problems name the field (`code`, `ip`, `attributes.memoryGb` …); `lenient` reads
 * spreadsheet text (numbers and lists written as text).
 */
export function normalizeCi(v: CiValues, defs: readonly AttributeDef[], opts: { lenient?: boolean; keep?: AttributeValues } = {}): { values: CiValues; addresses: string[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const code = normalizeCode(v.code);
  if (!CODE_RE.test(code)) problems.push({ field: 'code', code: 'cmdb.code.format' });
  let ip: string | null = null;
  if (v.ip) {
    ip = normalizeIp(v.ip);
    if (!ip) problems.push({ field: 'ip', code: 'cmdb.ip.format', params: { value: v.ip.slice(0, 60) } });
  }
  let hostname: string | null = null;
  if (v.hostname) {
    hostname = normalizeHostname(v.hostname);
    if (!HOSTNAME_RE.test(hostname) || hostname.length > 255) problems.push({ field: 'hostname', code: 'cmdb.hostname.format' });
  }
  const attrs = validateAttributes(defs, v.attributes, { lenient: opts.lenient, keep: opts.keep });
  problems.push(...attrs.problems);
  const values: CiValues = { ...v, code, ip, hostname, attributes: attrs.values };
  return { values, addresses: addressesOf(defs, ip, attrs.values), problems };
}

export function columnsOf(v: CiValues) {
  return {
    code: v.code,
    name: v.name,
    site_id: v.siteId,
    status: v.status,
    criticality: v.criticality,
    owner_id: v.ownerId,
    owner_name: v.ownerName,
    brand: v.brand,
    model: v.model,
    serial: v.serial,
    ip: v.ip,
    hostname: v.hostname,
    attributes: JSON.stringify(v.attributes),
    description: v.description,
  };
}

function valuesOf(row: repo.CiRow): CiValues {
  return {
    code: row.code,
    name: row.name,
    siteId: row.site_id === null ? null : Number(row.site_id),
    status: row.status as CiStatus,
    criticality: row.criticality,
    ownerId: row.owner_id === null ? null : Number(row.owner_id),
    ownerName: row.owner_name,
    brand: row.brand,
    model: row.model,
    serial: row.serial,
    ip: row.ip,
    hostname: row.hostname,
    attributes: JSON.parse(row.attributes) as AttributeValues,
    description: row.description,
  };
}

/** {field: [before, after]} of what differs; attributes per key as `attributes.<key>`. */
export function diffCi(before: repo.CiRow | null, after: ReturnType<typeof columnsOf>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [col, name] of FIELDS) {
    const b = before ? (before[col] === null ? null : before[col]) : null;
    const a = (after as Record<string, unknown>)[col] ?? null;
    if (String(b ?? '') !== String(a ?? '') || (b === null) !== (a === null)) out[name] = [b === null || b === undefined ? null : typeof a === 'number' ? Number(b) : b, a];
  }
  const ba = before ? (JSON.parse(before.attributes) as AttributeValues) : {};
  const aa = JSON.parse(after.attributes) as AttributeValues;
  for (const key of new Set([...Object.keys(ba), ...Object.keys(aa)])) {
    if (JSON.stringify(ba[key] ?? null) !== JSON.stringify(aa[key] ?? null)) out[`attributes.${key}`] = [ba[key] ?? null, aa[key] ?? null];
  }
  return out;
}

/**
 * Configuration items (docs/CMDB.md): the only writer of `cis`, `ci_addresses` and
 * `ci_history`. Every write is one transaction with its history row, its audit entry and its
 * search entry. Provider staff with cmdb.write change CIs; a customer's users read their own.
 */
export class CiService {
  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------ reads

  async find(actor: Actor, id: number): Promise<repo.CiRow> {
    const row = await repo.findCi(this.db, actor.scope, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  async get(actor: Actor, id: number): Promise<CiOut> {
    const row = await this.find(actor, id);
    const [summary] = await this.summaries([row]);
    return {
      ...summary,
      attributes: JSON.parse(row.attributes) as AttributeValues,
      description: row.description,
      addresses: await repo.addressesOf(this.db, id),
      createdAt: iso(Number(row.created_at)),
      canWrite: actor.customerId === null && can(actor, 'cmdb.write'),
    };
  }

  async summaries(rows: repo.CiRow[], db: DbOrTx = this.db): Promise<CiSummaryOut[]> {
    const [types, customers, sites] = await Promise.all([
      typeMap(db),
      repo.namesOf(db, 'customers', rows.map((r) => Number(r.customer_id))),
      repo.namesOf(db, 'sites', rows.map((r) => (r.site_id === null ? null : Number(r.site_id)))),
    ]);
    return rows.map((r) => {
      const type = types.get(Number(r.type_id));
      return {
        id: Number(r.id),
        code: r.code,
        name: r.name,
        customerId: Number(r.customer_id),
        customerName: customers.get(Number(r.customer_id)) ?? '',
        siteId: r.site_id === null ? null : Number(r.site_id),
        siteName: r.site_id === null ? null : (sites.get(Number(r.site_id)) ?? null),
        typeId: Number(r.type_id),
        typeCode: type?.code ?? '',
        typeName: type?.name_zh ?? '',
        status: r.status as CiStatus,
        criticality: r.criticality,
        ownerId: r.owner_id === null ? null : Number(r.owner_id),
        ownerName: r.owner_name,
        brand: r.brand,
        model: r.model,
        serial: r.serial,
        ip: r.ip,
        hostname: r.hostname,
        version: r.version,
        updatedAt: iso(Number(r.updated_at)),
      };
    });
  }

  /**
   * A page of CIs, newest first (keyset on id). `q`: the code's beginning, an address's
   * beginning, the serial number, or words of the name / attributes (full-text search, or
   * "name contains" within one customer); with `q` one page of the best matches.
   */
  async list(actor: Actor, q: CiListQuery): Promise<{ items: CiSummaryOut[]; nextCursor: string | null }> {
    // A customer's user sees his own customer's CIs: asking for another customer's finds none.
    if (actor.customerId !== null && q.customerId !== undefined && q.customerId !== actor.customerId) return { items: [], nextCursor: null };
    const customerId = actor.customerId ?? q.customerId;
    const filter: repo.ListFilter = { customerId, siteId: q.siteId, typeId: q.typeId, status: q.status, criticality: q.criticality, limit: q.limit + 1 };
    const text = q.q?.trim();
    if (text) {
      const ids = await this.matching(actor, text, 200, customerId);
      const rows = await repo.listCis(this.db, actor.scope, { ...filter, ids, limit: 200 });
      const rank = new Map(ids.map((id, i) => [id, i]));
      rows.sort((a, b) => rank.get(Number(a.id))! - rank.get(Number(b.id))!);
      return { items: await this.summaries(rows.slice(0, q.limit)), nextCursor: null };
    }
    const after = decodeCursor(q.cursor, ['number']) as [number] | null;
    const rows = await repo.listCis(this.db, actor.scope, { ...filter, beforeId: after?.[0] });
    const page = pageOf(rows, q.limit, (r) => [Number(r.id)]);
    return { items: await this.summaries(page.items), nextCursor: page.nextCursor };
  }

  /** Ids matching the search box: exact and prefix keys first (code, address, serial, host name), then words. */
  async matching(actor: Actor, text: string, limit: number, customerId?: number): Promise<number[]> {
    const scope = actor.scope;
    const upper = text.toUpperCase();
    const [byCode, byIp, bySerial, byHost, byWords] = await Promise.all([
      repo.idsByCodePrefix(this.db, scope, upper, limit, customerId),
      /^[0-9a-fA-F.:]+$/.test(text) ? repo.idsByIpPrefix(this.db, scope, text.toLowerCase(), limit, customerId) : Promise.resolve([]),
      repo.idsBySerial(this.db, scope, text, customerId),
      /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(text) ? repo.idsByHostname(this.db, scope, text.toLowerCase(), customerId) : Promise.resolve([]),
      customerId !== undefined ? repo.idsByNameOfCustomer(this.db, customerId, text, limit) : matchCis(this.db, actor, text, limit),
    ]);
    const out: number[] = [];
    for (const id of [...bySerial, ...byCode, ...byIp.map((x) => x.id), ...byHost, ...byWords]) if (!out.includes(id)) out.push(id);
    return out.slice(0, limit);
  }

  async history(actor: Actor, id: number, query: { limit: number; cursor?: string }) {
    await this.find(actor, id);
    const before = decodeCursor(query.cursor, ['number']) as [number] | null;
    const rows = await repo.historyOf(this.db, id, before?.[0], query.limit + 1);
    const page = pageOf(rows, query.limit, (r) => [Number(r.id)]);
    return {
      items: page.items.map((r) => ({ id: Number(r.id), at: iso(Number(r.at)), actorId: r.actor_id === null ? null : Number(r.actor_id), actorName: r.actor_name, action: r.action, changes: JSON.parse(r.changes) as Record<string, unknown> })),
      nextCursor: page.nextCursor,
    };
  }

  // ------------------------------------------------------------ checks shared with the import

  /** The customer, in the caller's scope (a customer's user: his own); else a problem on customerId. */
  async checkCustomer(actor: Actor, customerId: number): Promise<void> {
    if (!inScope(actor.scope, customerId) || (actor.customerId !== null && actor.customerId !== customerId)) throw AppError.field('customerId', 'cmdb.customerNotFound');
    const c = await this.db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
    if (!c) throw AppError.field('customerId', 'cmdb.customerNotFound');
  }

  private async checkRefs(customerId: number, v: CiValues, problems: FieldProblem[]): Promise<void> {
    if (v.siteId !== null) {
      const site = await repo.siteOf(this.db, v.siteId);
      if (!site || site.customer_id !== customerId) problems.push({ field: 'siteId', code: 'cmdb.siteNotOfCustomer' });
    }
    if (v.ownerId !== null) {
      const user = await repo.userOf(this.db, v.ownerId);
      if (!user || (user.customer_id !== null && user.customer_id !== customerId)) problems.push({ field: 'ownerId', code: 'cmdb.ownerNotFound' });
      else if (!v.ownerName) v.ownerName = user.display_name;
    }
  }

  /** Code and serial unused by another CI (inside the writing transaction, under the serial lock). */
  private async checkUnique(trx: Tx, v: CiValues, selfId: number | null): Promise<void> {
    const byCode = await repo.ciByCode(trx, v.code);
    if (byCode && Number(byCode.id) !== selfId) throw AppError.duplicate('code', v.code);
    if (v.serial) {
      await lockForChain(trx, SERIAL_LOCK);
      const bySerial = await repo.ciBySerial(trx, v.serial);
      if (bySerial && Number(bySerial.id) !== selfId) throw new AppError(409, 'duplicate', 'http.duplicate', { field: 'serial', value: v.serial }, [{ field: 'serial', code: 'cmdb.import.exists', params: { what: '序列号', value: v.serial, code: bySerial.code } }]);
    }
  }

  // ------------------------------------------------------------ writes

  async create(actor: Actor, input: CiCreate): Promise<CiOut> {
    requireProvider(actor);
    await this.checkCustomer(actor, input.customerId);
    const type = await repo.findType(this.db, input.typeId);
    if (!type) throw AppError.field('typeId', 'cmdb.type.notFound');
    if (type.disabled === 1) throw AppError.field('typeId', 'cmdb.type.disabled', { name: type.name_zh });
    const defs = defsOf(type);
    const given: CiValues = {
      code: input.code,
      name: input.name,
      siteId: input.siteId ?? null,
      status: input.status,
      criticality: input.criticality,
      ownerId: input.ownerId ?? null,
      ownerName: input.ownerName,
      brand: input.brand,
      model: input.model,
      serial: input.serial,
      ip: input.ip ?? null,
      hostname: input.hostname ?? null,
      attributes: input.attributes as AttributeValues,
      description: input.description,
    };
    const { values, addresses, problems } = normalizeCi(given, defs);
    await this.checkRefs(input.customerId, values, problems);
    if (problems.length) throw AppError.validation(problems);
    const id = await this.write(async (trx) => {
      await this.checkUnique(trx, values, null);
      const now = Date.now();
      const cols = columnsOf(values);
      const id = await repo.insertCi(trx, { ...cols, customer_id: input.customerId, type_id: input.typeId, version: 1, created_at: now, updated_at: now, created_by: actor.userId || null, updated_by: actor.userId || null });
      await repo.setAddresses(trx, id, input.customerId, addresses);
      await this.record(trx, actor, id, input.customerId, 'created', { ...diffCi(null, cols), typeId: [null, input.typeId], customerId: [null, input.customerId] }, now);
      await indexCis(trx, [id]);
      return id;
    }, values.code);
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, patch: CiPatch): Promise<CiOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    if (pre.version !== patch.version) throw AppError.conflict();
    const type = await repo.findType(this.db, Number(pre.type_id));
    const defs = type ? defsOf(type) : [];
    const before = valuesOf(pre);
    // Attributes: the keys sent replace (null removes); the others stay.
    const attributes: Record<string, unknown> = { ...before.attributes };
    for (const [k, v] of Object.entries(patch.attributes ?? {})) {
      if (v === null) delete attributes[k];
      else attributes[k] = v;
    }
    const defined = new Set(defs.map((d) => d.key));
    const keep = Object.fromEntries(Object.entries(before.attributes).filter(([k]) => !defined.has(k)));
    const next: CiValues = {
      ...before,
      ...definedOnly({
        code: patch.code,
        name: patch.name,
        siteId: patch.siteId,
        status: patch.status,
        criticality: patch.criticality,
        ownerId: patch.ownerId,
        ownerName: patch.ownerName,
        brand: patch.brand,
        model: patch.model,
        serial: patch.serial,
        ip: patch.ip,
        hostname: patch.hostname,
        description: patch.description,
      }),
      attributes: attributes as AttributeValues,
    };
    if (patch.ownerId !== undefined && patch.ownerId !== before.ownerId && patch.ownerName === undefined) next.ownerName = null;
    const { values, addresses, problems } = normalizeCi(next, defs, { keep });
    if (!statusChangeAllowed(before.status, values.status)) problems.push({ field: 'status', code: 'cmdb.statusChange', params: { from: STATUS_ZH[before.status], to: STATUS_ZH[values.status] } });
    await this.checkRefs(Number(pre.customer_id), values, problems);
    if (problems.length) throw AppError.validation(problems);
    const cols = columnsOf(values);
    const changes = diffCi(pre, cols);
    if (!Object.keys(changes).length) return this.get(actor, id);
    await this.write(async (trx) => {
      if (values.code !== pre.code || values.serial !== pre.serial) await this.checkUnique(trx, values, id);
      const now = Date.now();
      if (!(await repo.updateCi(trx, id, patch.version, { ...cols, updated_at: now, updated_by: actor.userId || null }))) throw AppError.conflict();
      await repo.setAddresses(trx, id, Number(pre.customer_id), addresses);
      const retiring = values.status === 'retired' && before.status !== 'retired';
      await this.record(trx, actor, id, Number(pre.customer_id), retiring ? 'retired' : 'updated', changes, now);
      await indexCis(trx, [id]);
      if (retiring) await this.notifyRetired(trx, actor, pre, now);
    }, values.code);
    return this.get(actor, id);
  }

  /** Retire: status retired (kept forever with its history; tickets naming it keep naming it). */
  async retire(actor: Actor, id: number, version: number): Promise<CiOut> {
    return this.update(actor, id, { version, status: 'retired' });
  }

  /**
   * Delete: only a CI nothing names (tickets, relationships, asset record, verification,
   * spare-part movements, repair orders); otherwise a 409 that says what names it and
   * suggests retiring. Its history rows go with it (the audit log keeps the deletion).
   */
  async remove(actor: Actor, id: number): Promise<void> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    await this.db.transaction().execute(async (trx) => {
      const refs = await repo.referencesOf(trx, id);
      if (Object.keys(refs).length) {
        const parts = Object.entries(refs).map(([k, n]) => t(actor.locale, `cmdb.ref.${k}`, { count: n }));
        throw new AppError(409, 'in_use', 'cmdb.inUse', { code: pre.code, refs: parts.join(actor.locale === 'en-US' ? ', ' : '、') });
      }
      await trx.deleteFrom('ci_history').where('ci_id', '=', id).execute();
      await trx.deleteFrom('ci_addresses').where('ci_id', '=', id).execute();
      await trx.deleteFrom('cis').where('id', '=', id).execute();
      await unindexCi(trx, id);
      await recordAudit(trx, auditActorOf(actor), { action: 'delete', entity: 'cis', entityId: id, customerId: Number(pre.customer_id), before: { ...pre } });
    });
  }

  /** One transaction; a unique-index race on the code is a duplicate on `code`. */
  private async write<T>(fn: (trx: Tx) => Promise<T>, code: string): Promise<T> {
    try {
      return await this.db.transaction().execute(fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw AppError.duplicate('code', code);
      throw err;
    }
  }

  /** The history row and the audit entry of a change, in its transaction. */
  async record(trx: DbOrTx, actor: Actor, ciId: number, customerId: number, action: string, changes: Record<string, unknown>, now: number): Promise<void> {
    await repo.insertHistory(trx, [{ ci_id: ciId, at: now, actor_id: actor.userId || null, actor_name: actor.displayName, action, changes: JSON.stringify(changes) }]);
    await recordAudit(trx, auditActorOf(actor), { action: action === 'created' ? 'create' : action === 'retired' ? 'retire' : 'update', entity: 'cis', entityId: ciId, customerId, after: changes }, now);
  }

  /** A CI retired while open tickets name it: their assignees are told (the ticket may need another CI). */
  private async notifyRetired(trx: Tx, actor: Actor, ci: repo.CiRow, now: number): Promise<void> {
    const tickets = await trx
      .selectFrom('ticket_cis')
      .innerJoin('tickets', 'tickets.id', 'ticket_cis.ticket_id')
      .select(['tickets.id', 'tickets.number', 'tickets.assignee_id'])
      .where('ticket_cis.ci_id', '=', Number(ci.id))
      .where('tickets.state', 'in', [...OPEN_STATES])
      .limit(200)
      .execute();
    for (const tk of tickets) {
      if (tk.assignee_id === null || Number(tk.assignee_id) === actor.userId) continue;
      await emit(
        trx,
        {
          type: 'ci.retired',
          recipients: [Number(tk.assignee_id)],
          customerId: Number(ci.customer_id),
          entity: 'tickets',
          entityId: Number(tk.id),
          title: { key: 'cmdb.notify.retired', params: { code: ci.code, name: ci.name } },
          body: { key: 'cmdb.notify.retiredBody', params: { number: tk.number } },
          link: `/tickets/${Number(tk.id)}`,
        },
        now,
      );
    }
  }
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
