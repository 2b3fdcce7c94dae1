import type { Db, Tx } from '../../db/index.js';
import type { Actor } from '../../platform/auth/actor.js';
import { auditActorOf, recordAudit, type AuditEntry } from '../../platform/audit/service.js';
import { AppError, isUniqueViolation, type FieldProblem } from '../../platform/http/errors.js';
import type { PageQuery } from '../../platform/http/zod.js';
import { readContactSheet, validateContactRows } from './import.js';
import * as repo from './repo.js';
import { findCalendar } from '../sla/calendars.repo.js';
import * as search from '../search/sources.js';
import type { Contact, ContactHit, Contract, Customer, Page, Site, Team } from './repo.js';
import {
  defaultCalendarFor,
  type ContactCreate,
  type ContactPatch,
  type ContractCreate,
  type ContractPatch,
  type CustomerCreate,
  type CustomerListQuery,
  type CustomerPatch,
  type SiteCreate,
  type SitePatch,
  type TeamCreate,
  type TeamPatch,
} from './schema.js';

/**
 * The organisation model: provider teams; customers with their sites, contacts and contracts.
 * The only writer of teams, team_members, team_customers, customers, sites, contacts and
 * contracts. Every command is one transaction with its audit entry; every read goes through
 * the caller's customer scope (outside it, a record does not exist).
 */
export class OrganisationService {
  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------ customers

  listCustomers(actor: Actor, query: CustomerListQuery): Promise<Page<Customer>> {
    return repo.listCustomers(this.db, actor.scope, query);
  }

  async getCustomer(actor: Actor, id: number): Promise<Customer> {
    return found(await repo.findCustomer(this.db, actor.scope, id));
  }

  async createCustomer(actor: Actor, input: CustomerCreate): Promise<Customer> {
    // Taking on a customer is a provider-wide decision: a project manager scoped to his own
    // customers may edit them but not add new ones (nor archive or delete them).
    requireAllCustomers(actor);
    return this.db.transaction().execute(async (trx) => {
      const created = await unique('code', input.code, () => repo.insertCustomer(trx, input, Date.now()));
      await search.indexCustomers(trx, [created.id]);
      await audit(trx, actor, { action: 'create', entity: 'customers', entityId: created.id, customerId: created.id, after: created });
      return created;
    });
  }

  async updateCustomer(actor: Actor, id: number, patch: CustomerPatch): Promise<Customer> {
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findCustomer(trx, actor.scope, id));
      // Code, tier and time zone drive SLAs and reports: the customer's own staff may keep
      // their sites and contacts but not their customer record.
      if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'org.customerRecordProviderOnly');
      checkVersion(before, patch.version);
      const { version, ...fields } = patch;
      const change = changed(before, fields);
      if (!change) return before;
      const after = stale(await unique('code', fields.code, () => repo.updateCustomer(trx, id, version, fields, Date.now())));
      await search.indexCustomers(trx, [id]);
      await audit(trx, actor, { action: 'update', entity: 'customers', entityId: id, customerId: id, ...change });
      return after;
    });
  }

  /**
   * Archiving hides a customer from lists and searches and stops new sites, contacts and
   * contracts, while its history stays readable. It is how a customer with contracts ends.
   */
  async setArchived(actor: Actor, id: number, archived: boolean): Promise<Customer> {
    requireAllCustomers(actor);
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findCustomer(trx, actor.scope, id));
      if ((before.archivedAt !== null) === archived) return before;
      const after = stale(await repo.updateCustomer(trx, id, before.version, { archivedAt: archived ? Date.now() : null }, Date.now()));
      await search.indexCustomers(trx, [id]);
      await audit(trx, actor, { action: archived ? 'archive' : 'unarchive', entity: 'customers', entityId: id, customerId: id, before: { archivedAt: before.archivedAt }, after: { archivedAt: after.archivedAt } });
      return after;
    });
  }

  /** Only a customer nothing refers to can be deleted (with its sites and contacts); others are archived. */
  async deleteCustomer(actor: Actor, id: number): Promise<void> {
    requireAllCustomers(actor);
    await this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findCustomer(trx, actor.scope, id));
      const dependents = await repo.customerDependents(trx, id);
      if (dependents.contracts || dependents.users) throw new AppError(409, 'in_use', 'org.customerInUse', dependents);
      try {
        await repo.deleteCustomer(trx, id);
        await search.removeCustomerDocs(trx, id);
      } catch (err) {
        // Records of other modules (tickets, assets ...) refer to customers by foreign key.
        if (isForeignKeyViolation(err)) throw new AppError(409, 'in_use', 'org.customerInUse');
        throw err;
      }
      await audit(trx, actor, { action: 'delete', entity: 'customers', entityId: id, customerId: id, before });
    });
  }

  // ------------------------------------------------------------ sites

  async listSites(actor: Actor, customerId: number, query: PageQuery): Promise<Page<Site>> {
    found(await repo.findCustomer(this.db, actor.scope, customerId));
    return repo.listSites(this.db, actor.scope, customerId, query);
  }

  /** A customer user's own customer's sites; the provider's staff have no own customer (404). */
  async listOwnSites(actor: Actor, query: PageQuery): Promise<Page<Site>> {
    if (actor.customerId === null) throw AppError.notFound();
    return this.listSites(actor, actor.customerId, query);
  }

    async getSite(actor: Actor, id: number): Promise<Site> {
    return found(await repo.findSite(this.db, actor.scope, id));
  }

  async createSite(actor: Actor, customerId: number, input: SiteCreate): Promise<Site> {
    return this.db.transaction().execute(async (trx) => {
      await activeCustomer(trx, actor, customerId);
      if (input.parentId !== null && !(await repo.findSiteOfCustomer(trx, customerId, input.parentId))) throw AppError.field('parentId', 'org.siteNotFound');
      const created = await repo.insertSite(trx, customerId, input, Date.now());
      await audit(trx, actor, { action: 'create', entity: 'sites', entityId: created.id, customerId, after: created });
      return created;
    });
  }

  async updateSite(actor: Actor, id: number, patch: SitePatch): Promise<Site> {
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findSite(trx, actor.scope, id));
      checkVersion(before, patch.version);
      const { version, ...fields } = patch;
      const change = changed(before, fields);
      if (!change) return before;
      if (fields.parentId !== undefined && fields.parentId !== null && fields.parentId !== before.parentId) {
        if (!(await repo.findSiteOfCustomer(trx, before.customerId, fields.parentId))) throw AppError.field('parentId', 'org.siteNotFound');
        // The new parent may not be the site itself or below it: that would make a loop.
        if (fields.parentId === id || (await repo.ancestorIds(trx, fields.parentId)).includes(id)) throw AppError.field('parentId', 'org.siteCycle');
      }
      const after = stale(await repo.updateSite(trx, id, version, fields, Date.now()));
      await audit(trx, actor, { action: 'update', entity: 'sites', entityId: id, customerId: before.customerId, ...change });
      return after;
    });
  }

  async deleteSite(actor: Actor, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findSite(trx, actor.scope, id));
      let moved = { children: 0, contacts: 0 };
      // CIs, stores and campaigns (docs/CMDB.md) name sites by foreign key: such a delete is a 409.
      await referencedElsewhere(async () => {
        moved = await repo.deleteSite(trx, before, Date.now());
      }, 'org.siteInUse');
      await audit(trx, actor, { action: 'delete', entity: 'sites', entityId: id, customerId: before.customerId, before: { ...before, childrenMovedUp: moved.children, contactsDetached: moved.contacts } });
    });
  }

  // ------------------------------------------------------------ contacts

  async listContacts(actor: Actor, customerId: number, query: PageQuery): Promise<Page<Contact>> {
    found(await repo.findCustomer(this.db, actor.scope, customerId));
    return repo.listContacts(this.db, actor.scope, customerId, query);
  }

  async getContact(actor: Actor, id: number): Promise<Contact> {
    return found(await repo.findContact(this.db, actor.scope, id));
  }

  searchContacts(actor: Actor, q: string): Promise<ContactHit[]> {
    return repo.searchContacts(this.db, actor.scope, q);
  }

  async createContact(actor: Actor, customerId: number, input: ContactCreate): Promise<Contact> {
    return this.db.transaction().execute((trx) => this.addContact(trx, actor, customerId, input));
  }

  /** Adds a contact in the caller's transaction: logging a call from an unknown caller creates him with the ticket, both or neither. */
  async addContact(trx: Tx, actor: Actor, customerId: number, input: ContactCreate): Promise<Contact> {
    await activeCustomer(trx, actor, customerId);
    await checkSite(trx, customerId, input.siteId);
    const created = await repo.insertContact(trx, customerId, input, Date.now());
    await search.indexContacts(trx, [created.id]);
    await audit(trx, actor, { action: 'create', entity: 'contacts', entityId: created.id, customerId, after: created });
    return created;
  }

  async updateContact(actor: Actor, id: number, patch: ContactPatch): Promise<Contact> {
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findContact(trx, actor.scope, id));
      checkVersion(before, patch.version);
      const { version, ...fields } = patch;
      const change = changed(before, fields);
      if (!change) return before;
      if (fields.siteId !== undefined && fields.siteId !== before.siteId) await checkSite(trx, before.customerId, fields.siteId);
      const after = stale(await repo.updateContact(trx, id, version, { ...before, ...fields }, Date.now()));
      await search.indexContacts(trx, [id]);
      await audit(trx, actor, { action: 'update', entity: 'contacts', entityId: id, customerId: before.customerId, ...change });
      return after;
    });
  }

  async deleteContact(actor: Actor, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findContact(trx, actor.scope, id));
      await referencedElsewhere(() => repo.deleteContact(trx, id), 'org.contactInUse');
      await search.removeDoc(trx, 'contact', id);
      await audit(trx, actor, { action: 'delete', entity: 'contacts', entityId: id, customerId: before.customerId, before });
    });
  }

  /**
   * Imports contacts from an .xlsx file: all rows or none. Problems name the row and column
   * of every bad cell; the import is one audit entry with the count.
   */
  async importContacts(actor: Actor, customerId: number, file: Buffer, fileName: string): Promise<{ imported: number }> {
    // Scope first, so a file for someone else's customer is not even read; the check is repeated
    // inside the transaction because parsing takes a while and the customer may change meanwhile.
    await activeCustomer(this.db, actor, customerId);
    const sheet = await readContactSheet(file);
    return this.db.transaction().execute(async (trx) => {
      await activeCustomer(trx, actor, customerId);
      const { contacts, problems } = validateContactRows(sheet, await repo.siteIdsByName(trx, customerId));
      if (problems.length) throw AppError.validation(problems);
      await repo.insertContacts(trx, customerId, contacts, Date.now());
      await search.indexContactsOf(trx, customerId);
      await audit(trx, actor, { action: 'import', entity: 'contacts', customerId, after: { imported: contacts.length, file: fileName } });
      return { imported: contacts.length };
    });
  }

  // ------------------------------------------------------------ contracts

  async listContracts(actor: Actor, customerId: number, query: PageQuery): Promise<Page<Contract>> {
    found(await repo.findCustomer(this.db, actor.scope, customerId));
    return repo.listContracts(this.db, actor.scope, customerId, query);
  }

  /** The customer's contract in force on a local date (YYYY-MM-DD in the customer's zone), if any; for the system's own lookups. */
  contractInForce(customerId: number, localDate: string): Promise<Contract | null> {
    return repo.contractInForce(this.db, customerId, localDate);
  }

  async getContract(actor: Actor, id: number): Promise<Contract> {
    return found(await repo.findContract(this.db, actor.scope, id));
  }

  async createContract(actor: Actor, customerId: number, input: ContractCreate): Promise<Contract> {
    return this.db.transaction().execute(async (trx) => {
      await activeCustomer(trx, actor, customerId);
      const calendarId = input.calendarId ?? defaultCalendarFor(input.serviceHours);
      const problems = contractProblems(input.startsOn, input.endsOn, calendarId);
      if (input.projectManagerId !== null && !(await repo.providerUserIds(trx, [input.projectManagerId])).has(input.projectManagerId)) {
        problems.push({ field: 'projectManagerId', code: 'org.notProviderUser' });
      }
      if (problems.length) throw AppError.validation(problems);
      const created = await unique('code', input.code, () => repo.insertContract(trx, customerId, { ...input, calendarId: calendarId!, slaPolicy: null }, Date.now()));
      await audit(trx, actor, { action: 'create', entity: 'contracts', entityId: created.id, customerId, after: created });
      return created;
    });
  }

  async updateContract(actor: Actor, id: number, patch: ContractPatch): Promise<Contract> {
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findContract(trx, actor.scope, id));
      checkVersion(before, patch.version);
      const { version, ...fields } = patch;
      // New service hours bring their calendar along when the contract used the old hours' default.
      if (fields.calendarId === undefined && fields.serviceHours !== undefined && before.calendarId === defaultCalendarFor(before.serviceHours)) {
        fields.calendarId = defaultCalendarFor(fields.serviceHours) ?? before.calendarId;
      }
      const change = changed(before, fields);
      if (!change) return before;
      const next = { ...before, ...fields };
      const problems = contractProblems(next.startsOn, next.endsOn, next.calendarId);
      if (fields.projectManagerId != null && fields.projectManagerId !== before.projectManagerId && !(await repo.providerUserIds(trx, [fields.projectManagerId])).has(fields.projectManagerId)) {
        problems.push({ field: 'projectManagerId', code: 'org.notProviderUser' });
      }
      if (problems.length) throw AppError.validation(problems);
      const after = stale(await unique('code', fields.code, () => repo.updateContract(trx, id, version, next, Date.now())));
      await audit(trx, actor, { action: 'update', entity: 'contracts', entityId: id, customerId: before.customerId, ...change });
      return after;
    });
  }

  /**
   * Stores a contract's SLA (priority matrix and policy). Only the SLA module calls this, after
   * validating the document; here the scope, the version and the audit entry are checked.
   */
  async setContractSla(actor: Actor, id: number, sla: Record<string, unknown>, version: number): Promise<Contract> {
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findContract(trx, actor.scope, id));
      checkVersion(before, version);
      const after = stale(await repo.updateContract(trx, id, version, { ...before, slaPolicy: sla }, Date.now()));
      await audit(trx, actor, { action: 'update', entity: 'contracts', entityId: id, customerId: before.customerId, before: { slaPolicy: before.slaPolicy }, after: { slaPolicy: sla } });
      return after;
    });
  }

  async deleteContract(actor: Actor, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findContract(trx, actor.scope, id));
      await referencedElsewhere(() => repo.deleteContract(trx, id), 'org.contractInUse');
      await audit(trx, actor, { action: 'delete', entity: 'contracts', entityId: id, customerId: before.customerId, before });
    });
  }

  // ------------------------------------------------------------ teams
  // Teams are the provider's own organisation: a customer's staff see none of them, and a team's
  // customers are shown only as far as the viewer's scope reaches.

  async listTeams(actor: Actor, query: PageQuery): Promise<Page<Team>> {
    if (actor.customerId !== null) return { items: [], nextCursor: null };
    const page = await repo.listTeams(this.db, query);
    return { items: page.items.map((t) => visibleTeam(actor, t)), nextCursor: page.nextCursor };
  }

  async getTeam(actor: Actor, id: number): Promise<Team> {
    if (actor.customerId !== null) throw AppError.notFound();
    return visibleTeam(actor, found(await repo.findTeam(this.db, id)));
  }

  async createTeam(actor: Actor, input: TeamCreate): Promise<Team> {
    if (actor.customerId !== null) throw AppError.notFound();
    return this.db.transaction().execute(async (trx) => {
      await checkTeamLinks(trx, actor, input.memberIds, input.customerIds, input.calendarId);
      const id = await unique('name', input.name, () => repo.insertTeam(trx, input, Date.now()));
      await repo.setTeamMembers(trx, id, idSet(input.memberIds));
      await repo.setTeamCustomers(trx, id, idSet(input.customerIds));
      const created = found(await repo.findTeam(trx, id));
      await audit(trx, actor, { action: 'create', entity: 'teams', entityId: id, after: created });
      return visibleTeam(actor, created);
    });
  }

  async updateTeam(actor: Actor, id: number, patch: TeamPatch): Promise<Team> {
    if (actor.customerId !== null) throw AppError.notFound();
    return this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findTeam(trx, id));
      checkVersion(before, patch.version);
      const { version, ...fields } = patch;
      await checkTeamLinks(trx, actor, fields.memberIds ?? [], fields.customerIds ?? [], fields.calendarId);
      const scope = actor.scope;
      // The caller edits the links he can see; links to customers outside his scope stay.
      const hidden = scope.kind === 'all' ? [] : before.customerIds.filter((c) => !scope.ids.includes(c));
      const next = {
        ...before,
        ...fields,
        memberIds: fields.memberIds ? idSet(fields.memberIds) : before.memberIds,
        customerIds: fields.customerIds ? idSet([...hidden, ...fields.customerIds]) : before.customerIds,
      };
      const change = changed(before, { name: next.name, kind: next.kind, description: next.description, assignment: next.assignment, calendarId: next.calendarId, memberIds: next.memberIds, customerIds: next.customerIds });
      if (!change) return visibleTeam(actor, before);
      if (!(await unique('name', next.name, () => repo.updateTeam(trx, id, version, next, Date.now())))) throw AppError.conflict();
      if (change.after.memberIds) await repo.setTeamMembers(trx, id, next.memberIds);
      if (change.after.customerIds) await repo.setTeamCustomers(trx, id, next.customerIds);
      await audit(trx, actor, { action: 'update', entity: 'teams', entityId: id, ...change });
      return visibleTeam(actor, found(await repo.findTeam(trx, id)));
    });
  }

  async deleteTeam(actor: Actor, id: number): Promise<void> {
    if (actor.customerId !== null) throw AppError.notFound();
    await this.db.transaction().execute(async (trx) => {
      const before = found(await repo.findTeam(trx, id));
      await repo.deleteTeam(trx, id);
      await audit(trx, actor, { action: 'delete', entity: 'teams', entityId: id, before });
    });
  }

  // ------------------------------------------------------------ directory
  // Batch lookups for other modules' lists and timelines (one query per kind, never one per
  // row). No scope check here: callers pass ids of records the viewer already may see (the
  // customer, contact and team of a ticket in his scope) and show names only.

  directory(ids: repo.DirectoryIds): Promise<repo.Directory> {
    return repo.directory(this.db, ids);
  }

  teamIdsOfUser(userId: number): Promise<number[]> {
    return repo.teamIdsOfUser(this.db, userId);
  }

  /** Teams of a kind serving a customer, oldest first (e.g. the service desk a ticket waits with). */
  teamIdsServing(customerId: number, kind: string): Promise<number[]> {
    return repo.teamIdsServing(this.db, customerId, kind);
  }

  teamMemberIds(filter: { teamIds?: number[]; kind?: string; leadsOnly?: boolean }): Promise<number[]> {
    return repo.teamMemberIds(this.db, filter);
  }
}

// ------------------------------------------------------------ rules shared by the commands

/** The team as the actor may see it: only the customers within his scope. */
function visibleTeam(actor: Actor, team: Team): Team {
  const scope = actor.scope;
  return scope.kind === 'all' ? team : { ...team, customerIds: team.customerIds.filter((c) => scope.ids.includes(c)) };
}

/** A set of ids, sorted as the repo returns them (so "unchanged" compares equal). */
function idSet(ids: number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

function found<T>(record: T | null): T {
  if (!record) throw AppError.notFound();
  return record;
}

/** An update matched no row: someone else changed the record since it was read. */
function stale<T>(record: T | undefined): T {
  if (!record) throw AppError.conflict();
  return record;
}

function checkVersion(record: { version: number }, version: number): void {
  if (record.version !== version) throw AppError.conflict();
}

function requireAllCustomers(actor: Actor): void {
  if (actor.scope.kind !== 'all') throw AppError.forbidden('scope.all');
}

/** The customer, in scope (else 404) and not archived (else 409): where new records may go. */
async function activeCustomer(db: Db | Tx, actor: Actor, customerId: number): Promise<Customer> {
  const customer = found(await repo.findCustomer(db, actor.scope, customerId));
  if (customer.archivedAt !== null) throw new AppError(409, 'archived', 'org.customerArchived');
  return customer;
}

async function checkSite(db: Db | Tx, customerId: number, siteId: number | null): Promise<void> {
  // The same answer for "no such site" and "another customer's site": nothing is disclosed.
  if (siteId !== null && !(await repo.findSiteOfCustomer(db, customerId, siteId))) throw AppError.field('siteId', 'org.siteNotFound');
}

function contractProblems(startsOn: string, endsOn: string, calendarId: string | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (endsOn < startsOn) problems.push({ field: 'endsOn', code: 'dateOrder' });
  if (!calendarId) problems.push({ field: 'calendarId', code: 'org.calendarRequired' });
  return problems;
}

async function checkTeamLinks(db: Db | Tx, actor: Actor, memberIds: number[], customerIds: number[], calendarId?: string | null): Promise<void> {
  const problems: FieldProblem[] = [];
  const providers = await repo.providerUserIds(db, memberIds);
  memberIds.forEach((m, i) => providers.has(m) || problems.push({ field: `memberIds[${i}]`, code: 'org.notProviderUser' }));
  const customers = await repo.customerIdsInScope(db, actor.scope, customerIds);
  customerIds.forEach((c, i) => customers.has(c) || problems.push({ field: `customerIds[${i}]`, code: 'org.customerNotFound' }));
  // The team's service hours must be a saved calendar (the desk's OLA clocks count on it).
  if (calendarId && !(await findCalendar(db, calendarId))) problems.push({ field: 'calendarId', code: 'sla.target.calendar.unknown', params: { value: calendarId } });
  if (problems.length) throw AppError.validation(problems);
}

/**
 * The fields of `patch` whose value differs from `record`, as audit before/after; null when
 * the patch changes nothing (no write, no audit entry, no new version).
 */
function changed<T extends object>(record: T, patch: Partial<T>): { before: Partial<T>; after: Partial<T> } | null {
  const before: Partial<T> = {};
  const after: Partial<T> = {};
  for (const key of Object.keys(patch) as Array<keyof T>) {
    const value = patch[key];
    if (value === undefined || JSON.stringify(value) === JSON.stringify(record[key])) continue;
    before[key] = record[key];
    after[key] = value;
  }
  return Object.keys(after).length ? { before, after } : null;
}

/** Runs a write; a unique-constraint violation becomes a 409 naming the field and value. */
async function unique<T>(field: string, value: unknown, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw AppError.duplicate(field, value);
    throw err;
  }
}

/** Tickets (and later other records) refer to contacts and contracts by foreign key: such a delete is a 409. */
async function referencedElsewhere(remove: () => Promise<void>, messageKey: string): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new AppError(409, 'in_use', messageKey);
    throw err;
  }
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY constraint failed/.test(e?.message ?? '');
}

function audit(trx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  return recordAudit(trx, auditActorOf(actor), entry);
}
