import { instantToZoned } from '../../core/calendar/index.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { AppError, type FieldProblem } from '../../platform/http/errors.js';
import { t as translate } from '../../platform/i18n/index.js';
import type { Contract } from '../organisation/repo.js';
import { queueContactMail } from './contact-mail.js';
import type { Placement } from './dispatch.service.js';
import type { NewEntry } from './events.js';
import { notifyTicketEvent } from './notify.js';
import { olaBasisOf, scheduleOla } from './ola.js';
import * as repo from './repo.js';
import { KIND_PREFIX, LINK_INVERSE, TITLE_MAX, type TicketCreate, type TicketOut } from './schema.js';
import { clocksOf, persistClocks, summaryOf, type SlaContext } from './sla.js';
import { eventRow, FUTURE_TOLERANCE_MS, levelOf, orNull, TicketBase } from './ticket-context.js';
import type { Dir } from './ticket-view.js';
import { indexDocs } from '../search/indexer.js';
import { ticketDoc } from '../search/sources.js';
import { checkTicketCis, linkCisOnCreate } from '../cmdb/links.service.js';

/**
 * New tickets: logged by the desk (a known contact, a new one, or a caller's name), reported by
 * the customer's staff, and complaints about a ticket; numbering, priority, clocks and dispatch.
 */
export class TicketIntakeService extends TicketBase {
  async create(actor: Actor, input: TicketCreate): Promise<TicketOut> {
    const unknownCaller = input.newContact !== undefined || input.callerName != null;
    if (unknownCaller) {
      // An unknown caller is the desk's case: a contact named, made, or a name kept, one of them.
      if (actor.customerId !== null) throw AppError.forbidden('tickets.write');
      const given = [input.contactId !== undefined, input.newContact !== undefined, input.callerName != null].filter(Boolean).length;
      if (given > 1) throw AppError.field(input.newContact ? 'newContact' : 'callerName', 'tickets.callerOneOf');
      return this.createTicket(actor, { ...input, contactId: null });
    }
    if (input.callerPhone) throw AppError.field('callerName', 'required');
    return this.createTicket(actor, { ...input, contactId: input.contactId ?? (await this.reporterOf(actor)) });
  }

  /**
   * The contact a ticket logged without one is reported by: customer staff report as the contact
   * their account is linked to; the provider's staff must always name the caller.
   */
  private async reporterOf(actor: Actor): Promise<number> {
    if (actor.customerId === null) throw AppError.field('contactId', 'required');
    const linked = await repo.linkedContactOf(this.db, actor.userId);
    if (linked === null) throw AppError.field('contactId', 'tickets.noLinkedContact');
    return linked;
  }

  /**
   * Creates a ticket: numbering, priority, clocks, and dispatch. A ticket logged without a team
   * or an assignee goes where the dispatch rules say (docs/TICKETS.md, "Dispatch"); a team
   * chosen by a rule, or named without an assignee, picks one by its assignment setting.
   * `complaintOf`: the ticket a customer's complaint is about, linked in the same transaction.
   */
  private async createTicket(actor: Actor, input: Omit<TicketCreate, 'contactId'> & { contactId: number | null }, complaintOf?: repo.TicketRow): Promise<TicketOut> {
    const now = Date.now();
    const customerStaff = actor.customerId !== null;
    if (customerStaff && input.customerId !== actor.customerId) throw AppError.notFound();
    if (customerStaff && input.channel !== undefined && input.channel !== 'portal') throw AppError.field('channel', 'tickets.portalOnly');
    const naming = input.teamId != null || input.assigneeId != null;
    if (naming && (customerStaff || !can(actor, 'tickets.dispatch'))) throw AppError.forbidden('tickets.dispatch');
    const oneYearAgo = new Date(now);
    oneYearAgo.setUTCFullYear(oneYearAgo.getUTCFullYear() - 1);
    if (input.reportedAt > now + FUTURE_TOLERANCE_MS) throw AppError.field('reportedAt', 'tickets.reportedInFuture');
    if (input.reportedAt < oneYearAgo.getTime()) throw AppError.field('reportedAt', 'tickets.reportedTooOld');
    // A report cannot follow its own logging: within the tolerance, "now" is when it was reported.
    const reportedAt = Math.min(input.reportedAt, now);

    const customer = await this.organisation.getCustomer(actor, input.customerId);
    if (customer.archivedAt !== null) throw new AppError(409, 'archived', 'tickets.customerArchived');
    const localDate = instantToZoned(reportedAt, customer.timeZone).date;
    const problems: FieldProblem[] = [];
    const [contact, site, contract] = await Promise.all([
      input.contactId === null ? null : orNull(this.organisation.getContact(actor, input.contactId)),
      input.siteId != null ? orNull(this.organisation.getSite(actor, input.siteId)) : null,
      this.contractFor(actor, customer.id, input.contractId, localDate, problems),
    ]);
    if (input.contactId !== null && (!contact || contact.customerId !== customer.id)) problems.push({ field: 'contactId', code: 'tickets.contactNotOfCustomer' });
    if (input.siteId != null && (!site || site.customerId !== customer.id)) problems.push({ field: 'siteId', code: 'tickets.siteNotOfCustomer' });
    const namedTeam = naming ? await this.checkAssignment(input.teamId ?? null, input.assigneeId ?? null, [customer.id], problems) : null;
    if (input.ciIds?.length) problems.push(...(await checkTicketCis(this.db, customer.id, input.ciIds)));
    let ctx: SlaContext | null = null;
    let priority: { code: string; rank: number } | null = null;
    if (contract) {
      ctx = await this.context(contract);
      priority = levelOf(ctx, input.impact, input.urgency, problems);
    }
    if (problems.length || !ctx || !priority) throw AppError.validation(problems);

    const kind = input.kind;
    const channel = input.channel ?? defaultChannel(actor);
    const year = Number(localDate.slice(0, 4));
    // Where the ticket goes: the team named, else the dispatch rules' choice (or the desk's queue).
    const placement: Placement | null = naming ? null : await this.dispatch.placement(customer.id, { kind, service: input.service, category: input.category, priority: priority.code });
    const team = naming ? namedTeam : placement!.team;
    const dispatched = naming || (!placement!.queued && team !== null);
    const auto = dispatched && team && input.assigneeId == null ? await this.autoAssignFor(team) : null;
    const slaCtx = ctx;
    const level = priority;
    const created = await this.db.transaction().execute(async (trx) => {
      const sequence = await repo.nextSequence(trx, kind, year);
      const number = `${KIND_PREFIX[kind]}-${year}-${String(sequence).padStart(6, '0')}`;
      if (complaintOf) {
        // Under the original's row lock: two complaints about one ticket cannot both be lodged.
        await repo.findTicketForJob(trx, complaintOf.id, true);
        if (await repo.findComplaintLink(trx, complaintOf.id)) throw new AppError(409, 'duplicate', 'tickets.complaint.exists');
      }
      // An unknown caller becomes the customer's contact with the ticket (a failure below undoes both).
      const madeContact = input.newContact
        ? await this.organisation.addContact(trx, actor, customer.id, { ...input.newContact, mobile: input.newContact.mobile ?? null, siteId: input.siteId ?? null, email: null, title: null, isVip: false, notes: null, emailNotify: true, locale: null })
        : null;
      const contactId = madeContact?.id ?? input.contactId;
      const teamId = team?.id ?? null;
      const picked = input.assigneeId ?? (await this.pick(trx, auto, now));
      const entries: NewEntry[] = [
        { type: 'created', visibility: 'public', data: { state: 'new', priority: level.code, impact: input.impact, urgency: input.urgency, channel, ...(placement?.queued && teamId !== null ? { teamId } : {}) } },
      ];
      if (dispatched) {
        const data: Extract<NewEntry, { type: 'assigned' }>['data'] = { from: 'new', to: 'assigned', teamId, assigneeId: picked, previousTeamId: null, previousAssigneeId: null };
        if (placement?.rule) data.rule = placement.rule;
        if (auto && picked !== null) data.auto = auto.mode;
        entries.push({ type: 'assigned', visibility: 'public', data });
      }
      if (complaintOf) entries.push({ type: 'link_added', visibility: 'internal', data: { otherId: complaintOf.id, number: complaintOf.number, kind: 'complaint_about' } });
      const sources = entries.map((e) => ({ at: now, type: e.type, visibility: e.visibility, data: JSON.stringify(e.data) }));
      const clocks = slaCtx.sla ? clocksOf(reportedAt, sources, slaCtx.sla.policy, slaCtx.calendars, now) : [];
      const summary = summaryOf(clocks);
      const values: repo.NewTicket = {
        number,
        kind,
        customer_id: customer.id,
        contract_id: contract!.id,
        contact_id: contactId,
        caller_name: contactId === null ? (input.callerName ?? null) : null,
        caller_phone: contactId === null ? (input.callerPhone ?? null) : null,
        site_id: input.siteId ?? null,
        service: input.service,
        category: input.category,
        impact: input.impact,
        urgency: input.urgency,
        priority: level.code,
        priority_rank: level.rank,
        title: input.title,
        description: input.description,
        channel,
        state: dispatched ? 'assigned' : 'new',
        team_id: teamId,
        assignee_id: picked,
        resolution: null,
        reported_at: reportedAt,
        created_at: now,
        updated_at: now,
        responded_at: null,
        onsite_at: null,
        resolved_at: null,
        closed_at: null,
        cancelled_at: null,
        sla_due_at: summary.dueAt,
        sla_status: summary.status,
        version: 1,
        created_by: actor.userId || null,
      };
      const ticketId = await repo.insertTicket(trx, values);
      if (input.ciIds?.length) await linkCisOnCreate(trx, ticketId, input.ciIds, actor.userId || null, now);
      const rows = entries.map((e) => eventRow(ticketId, actor, e, now));
      const eventIds = await repo.insertEvents(trx, rows);
      // Findable the moment it commits; built from the values just written (no read-back).
      await indexDocs(trx, [ticketDoc({ ...values, id: ticketId, resolution: null, caller_name: values.caller_name ?? null, caller_phone: values.caller_phone ?? null }, { replies: [], notes: [] })]);
      // The contact's acknowledgement (with the number to quote), by mail when the contact has it on.
      if (contactId !== null) await queueContactMail(trx, this.config, { id: ticketId, contact_id: contactId }, entries, eventIds, now);
      const slaRows = await persistClocks(trx, ticketId, clocks, [], now, undefined, false);
      await scheduleOla(trx, ticketId, rows, this.config.tickets.ola, now, await olaBasisOf(trx, { reported_at: reportedAt, customer_id: customer.id }));
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'tickets', entityId: ticketId, customerId: customer.id, after: { id: ticketId, ...values } }, now);
      if (complaintOf) {
        await repo.insertLinkPair(trx, ticketId, complaintOf.id, 'complaint_about', LINK_INVERSE.complaint_about, now);
        await repo.insertEvents(trx, [eventRow(complaintOf.id, actor, { type: 'link_added', visibility: 'internal', data: { otherId: ticketId, number, kind: 'complaint' } }, now)]);
        await recordAudit(trx, auditActorOf(actor), { action: 'complaint', entity: 'tickets', entityId: complaintOf.id, customerId: customer.id, after: { complaintId: ticketId, number } }, now);
      }
      const ticket = { id: ticketId, number, customer_id: customer.id };
      // The team hears of a ticket nobody was given; quality management of every complaint.
      const teamMembers = team?.memberIds ?? [];
      if (kind === 'complaint' && teamMembers.length) {
        await notifyTicketEvent(trx, { type: 'ticket.complaint', ticket, actorId: actor.userId, recipients: teamMembers, titleKey: 'tickets.notify.complaint', params: { title: input.title }, body: input.description, occurredAt: now });
      } else if (picked === null && teamMembers.length) {
        await notifyTicketEvent(trx, { type: 'ticket.created', ticket, actorId: actor.userId, recipients: teamMembers, titleKey: 'tickets.notify.created', params: { title: input.title }, body: input.description, occurredAt: now });
      }
      if (picked !== null) await notifyTicketEvent(trx, { type: 'ticket.assigned', ticket, actorId: actor.userId, recipients: [picked], titleKey: 'tickets.notify.assigned', params: { title: input.title }, occurredAt: now });
      return { row: { id: ticketId, ...values } as repo.TicketRow, events: rows.map((r, i) => ({ ...r, id: eventIds[i] }) as repo.EventRow), slaRows, contact: madeContact ?? contact };
    });
    // The new ticket is shown from what was just written: no read-back.
    const row = created.row;
    const named = row.team_id !== null || row.assignee_id !== null ? await this.organisation.directory({ teams: row.team_id === null ? [] : [Number(row.team_id)], users: row.assignee_id === null ? [] : [Number(row.assignee_id)] }) : null;
    const dir: Dir = {
      customers: new Map([[customer.id, customer.name]]),
      contacts: new Map(created.contact ? [[created.contact.id, created.contact.name]] : []),
      sites: new Map(site ? [[site.id, site.name]] : []),
      contracts: new Map([[contract!.id, contract!.name]]),
      teams: named?.teams ?? new Map(),
      users: new Map([...(named?.users ?? []), [actor.userId, { displayName: actor.displayName, customerId: actor.customerId, disabled: false }]]),
    };
    const events = customerStaff ? created.events.filter((e) => e.visibility === 'public') : created.events;
    return this.query.view(actor, row, { events, olaSource: created.events, slaRows: created.slaRows, links: [], files: [], rating: null, ctx: slaCtx, dir });
  }

  /**
   * The contract a new ticket runs under: the one given (of this customer, in force at the
   * report), else the customer's contract in force on the reported date (the latest started).
   */
  private async contractFor(actor: Actor, customerId: number, contractId: number | undefined, localDate: string, problems: FieldProblem[]): Promise<Contract | null> {
    if (contractId !== undefined) {
      const contract = await orNull(this.organisation.getContract(actor, contractId));
      if (!contract || contract.customerId !== customerId) {
        problems.push({ field: 'contractId', code: 'tickets.contractNotOfCustomer' });
        return null;
      }
      if (localDate < contract.startsOn) problems.push({ field: 'reportedAt', code: 'tickets.reportedBeforeContract', params: { startsOn: contract.startsOn } });
      else if (localDate > contract.endsOn) problems.push({ field: 'contractId', code: 'tickets.contractEnded', params: { endsOn: contract.endsOn } });
      return contract;
    }
    const contract = await this.organisation.contractInForce(customerId, localDate);
    if (!contract) problems.push({ field: 'contractId', code: 'tickets.noContractInForce' });
    return contract;
  }

  /**
   * A complaint about a ticket (REQ §2.17), by the ticket customer's staff: a new ticket of kind
   * `complaint`, linked to the original (`complaint_about` / `complaint`), dispatched like any
   * other (a rule for complaints, else the quality management team serving the customer), whose
   * team is told. One complaint per ticket (409 after).
   */
  async complain(actor: Actor, id: number, text: string): Promise<TicketOut> {
    if (actor.customerId === null) throw new AppError(403, 'forbidden', 'tickets.complaint.customerOnly');
    const original = await repo.findTicket(this.db, actor.scope, id);
    if (!original) throw AppError.notFound();
    if (Number(original.customer_id) !== actor.customerId) throw new AppError(403, 'forbidden', 'tickets.complaint.customerOnly');
    if (await repo.findComplaintLink(this.db, id)) throw new AppError(409, 'duplicate', 'tickets.complaint.exists');
    const title = translate(actor.locale, 'tickets.complaint.title', { number: original.number, title: original.title });
    return this.createTicket(
      actor,
      {
        customerId: actor.customerId,
        contactId: original.contact_id === null ? null : Number(original.contact_id),
        callerName: original.caller_name,
        callerPhone: original.caller_phone,
        kind: 'complaint',
        title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
        description: text,
        impact: original.impact,
        urgency: original.urgency,
        reportedAt: Date.now(),
        siteId: original.site_id === null ? null : Number(original.site_id),
        service: original.service,
        category: original.category,
        channel: 'portal',
      },
      original,
    );
  }
}

function defaultChannel(actor: Actor): 'portal' | 'api' | 'phone' {
  return actor.customerId !== null ? 'portal' : actor.via === 'token' ? 'api' : 'phone';
}
