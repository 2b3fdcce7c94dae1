import { z } from 'zod';
import type { CompiledCalendar } from '../../core/calendar/index.js';
import { SLA_METRICS, type SlaMetric } from '../../core/sla/index.js';
import { OPEN_STATES } from '../../core/tickets/lifecycle.js';
import type { Db, DbOrTx } from '../../db/index.js';
import { auditActorOf, recordAudit, type AuditActor } from '../../platform/audit/service.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { iso } from '../../platform/http/zod.js';
import { enqueueJob, type Scheduler } from '../../platform/jobs/scheduler.js';
import type { OrganisationService } from '../organisation/service.js';
import type { CalendarService } from '../sla/calendars.service.js';
import * as repo from './repo.js';
import { clocksOf, loadSlaContext, persistClocksMany, type ClockUpdate, type SlaContext } from './sla.js';

/**
 * Recomputing open tickets' SLA clocks after the rules under them changed: a calendar's days
 * (a holiday year entered, a make-up day moved) or a contract's SLA policy (added, changed, a
 * template applied). A ticket's clocks are a pure function of its timeline, its contract's
 * policy and the calendars (core/sla/clock.ts), counted from the reported instant; they are
 * stored with the due instants the queues sort by and the SLA job's wake-up. Without this, a
 * stored due instant would only follow the new rules at the ticket's next change or wake-up.
 *
 * `preview` lists what would move (ticket, metric, old due, new due) and writes nothing;
 * `apply` stores the new clocks — keeping the fired markers, so a warning or breach already
 * recorded stays recorded, and a breach the new rules put in the past is fired by the SLA job
 * at once — and audits each ticket whose due instants moved. Up to INLINE_LIMIT tickets are
 * done in the request; more are done by the scheduler, RECOMPUTE_BATCH tickets per job.
 */
export const RECOMPUTE_JOB = 'tickets.sla-recompute';
export const INLINE_LIMIT = 500;
export const RECOMPUTE_BATCH = 500;
/** Tickets per transaction (SQLite has one writer). */
const PER_TRANSACTION = 100;
/** Rows of the preview listed (the counts cover every ticket). */
const PREVIEW_ROWS = 200;

export type RecomputeScope = { calendarId: string } | { contractId: number };

export interface DueChange {
  ticketId: number;
  number: string;
  title: string;
  metric: SlaMetric;
  oldDue: number | null;
  newDue: number | null;
  /** A breach of this metric is recorded (it stays, whatever the new due instant). */
  breachRecorded: boolean;
}

interface RecomputePayload {
  scope: RecomputeScope;
  afterId: number;
  actor: AuditActor;
}

type OpenTicket = Pick<repo.TicketRow, 'id' | 'number' | 'title' | 'reported_at' | 'contract_id' | 'customer_id'>;

export class SlaRecomputeService {
  constructor(
    private readonly db: Db,
    private readonly organisation: OrganisationService,
    private readonly calendars: CalendarService,
    private readonly opts: { inlineLimit: number; batch: number } = { inlineLimit: INLINE_LIMIT, batch: RECOMPUTE_BATCH },
  ) {}

  /** The contracts whose SLA counts on the scope's calendar (or the one contract). */
  private async contractIds(scope: RecomputeScope): Promise<number[]> {
    if ('contractId' in scope) return [scope.contractId];
    const rows = await this.db
      .selectFrom('contracts')
      .select(['id', 'sla_policy'])
      .where('sla_policy', 'is not', null)
      .where('sla_policy', 'like', `%"calendarId":${JSON.stringify(scope.calendarId)}%`)
      .execute();
    return rows
      .filter((r) => {
        const sla = JSON.parse(r.sla_policy!) as { policy?: { targets?: Record<string, Record<string, { calendarId?: string } | undefined>> } };
        return Object.values(sla.policy?.targets ?? {}).some((targets) => Object.values(targets).some((t) => t?.calendarId === scope.calendarId));
      })
      .map((r) => Number(r.id));
  }

  private openTickets(db: DbOrTx, contractIds: number[], afterId: number, limit: number): Promise<OpenTicket[]> {
    if (contractIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('tickets')
      .select(['id', 'number', 'title', 'reported_at', 'contract_id', 'customer_id'])
      .where('contract_id', 'in', contractIds)
      .where('state', 'in', [...OPEN_STATES])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<OpenTicket[]>;
  }

  private async countOpen(contractIds: number[]): Promise<number> {
    if (contractIds.length === 0) return 0;
    const r = await this.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('contract_id', 'in', contractIds)
      .where('state', 'in', [...OPEN_STATES])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The new clocks of these tickets next to the stored ones, and what moved. */
  private async compute(db: DbOrTx, tickets: OpenTicket[], contexts: Map<number, Promise<SlaContext>>, now: number) {
    const ids = tickets.map((t) => t.id);
    const [sources, stored] = await Promise.all([repo.listSlaRelevantEventsOf(db, ids), repo.slaRowsOf(db, ids)]);
    const shared = new Map<string, Promise<CompiledCalendar>>();
    const out: Array<{ ticket: OpenTicket; update: ClockUpdate; changes: DueChange[] }> = [];
    for (const ticket of tickets) {
      const contractId = Number(ticket.contract_id);
      if (!contexts.has(contractId)) contexts.set(contractId, loadSlaContext(this.organisation, this.calendars, contractId, shared));
      const ctx = await contexts.get(contractId)!;
      const rows = stored.get(ticket.id) ?? [];
      const clocks = ctx.sla ? clocksOf(ticket.reported_at, sources.get(ticket.id) ?? [], ctx.sla.policy, ctx.calendars, now) : [];
      const before = new Map(rows.map((r) => [r.metric as SlaMetric, r]));
      const after = new Map(clocks.map((c) => [c.metric, c]));
      const changes: DueChange[] = [];
      for (const metric of new Set<SlaMetric>([...before.keys(), ...after.keys()])) {
        const oldDue = before.get(metric)?.due_at ?? null;
        const newDue = after.get(metric)?.dueAt ?? null;
        if (oldDue !== newDue) {
          changes.push({ ticketId: ticket.id, number: ticket.number, title: ticket.title, metric, oldDue, newDue, breachRecorded: (before.get(metric)?.breached_at ?? null) !== null });
        }
      }
      out.push({ ticket, update: { ticketId: ticket.id, clocks, stored: rows }, changes });
    }
    return out;
  }

  /** Which open tickets' due instants would move under the rules as saved now. Writes nothing. */
  async preview(scope: RecomputeScope, now = Date.now()) {
    const contractIds = await this.contractIds(scope);
    const contexts = new Map<number, Promise<SlaContext>>();
    const items: DueChange[] = [];
    let tickets = 0;
    let moved = 0;
    for (let after = 0; ; ) {
      const batch = await this.openTickets(this.db, contractIds, after, this.opts.batch);
      if (batch.length === 0) break;
      tickets += batch.length;
      for (const r of await this.compute(this.db, batch, contexts, now)) {
        if (r.changes.length) moved++;
        for (const c of r.changes) if (items.length < PREVIEW_ROWS) items.push(c);
      }
      after = batch[batch.length - 1].id;
    }
    return { tickets, moved, items, truncated: items.length < moved };
  }

  /** Recomputes (and audits) one batch of open tickets after `afterId`; returns the last id done, or null when none was left. */
  async applyBatch(scope: RecomputeScope, afterId: number, who: AuditActor, limit = this.opts.batch): Promise<{ lastId: number | null; tickets: number; moved: number }> {
    const contractIds = await this.contractIds(scope);
    const batch = await this.openTickets(this.db, contractIds, afterId, limit);
    if (batch.length === 0) return { lastId: null, tickets: 0, moved: 0 };
    const contexts = new Map<number, Promise<SlaContext>>();
    let moved = 0;
    for (let i = 0; i < batch.length; i += PER_TRANSACTION) {
      const part = batch.slice(i, i + PER_TRANSACTION);
      // Contexts before the transaction (they read through other modules' services).
      for (const t of part) if (!contexts.has(Number(t.contract_id))) contexts.set(Number(t.contract_id), loadSlaContext(this.organisation, this.calendars, Number(t.contract_id)));
      await Promise.all(contexts.values());
      moved += await this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        const results = await this.compute(trx, part, contexts, now);
        await persistClocksMany(trx, results.map((r) => r.update), now);
        let n = 0;
        for (const r of results) {
          if (!r.changes.length) continue;
          n++;
          const due = (pick: 'oldDue' | 'newDue') => Object.fromEntries(r.changes.map((c) => [c.metric, iso(c[pick])]));
          await recordAudit(
            trx,
            who,
            { action: 'sla_recompute', entity: 'tickets', entityId: r.ticket.id, customerId: Number(r.ticket.customer_id), before: { dueAt: due('oldDue') }, after: { dueAt: due('newDue'), scope: scopeTextOf(scope) } },
            now,
          );
        }
        return n;
      });
    }
    return { lastId: batch[batch.length - 1].id, tickets: batch.length, moved };
  }

  /**
   * Applies the recompute: in the request for up to INLINE_LIMIT open tickets, else one
   * scheduler job per RECOMPUTE_BATCH tickets, one after the other.
   */
  async apply(actor: Actor, scope: RecomputeScope): Promise<{ tickets: number; moved: number; queued: boolean }> {
    const who = auditActorOf(actor);
    const total = await this.countOpen(await this.contractIds(scope));
    if (total > this.opts.inlineLimit) {
      await enqueueRecompute(this.db, { scope, afterId: 0, actor: who });
      return { tickets: total, moved: 0, queued: true };
    }
    let tickets = 0;
    let moved = 0;
    for (let after = 0; ; ) {
      const r = await this.applyBatch(scope, after, who);
      if (r.lastId === null) break;
      tickets += r.tickets;
      moved += r.moved;
      after = r.lastId;
    }
    return { tickets, moved, queued: false };
  }

  /** The scheduler's job: one batch, then the next job for the rest. */
  async runJob(payload: RecomputePayload): Promise<void> {
    const r = await this.applyBatch(payload.scope, payload.afterId, payload.actor);
    if (r.lastId !== null) await enqueueRecompute(this.db, { ...payload, afterId: r.lastId });
  }
}

function scopeTextOf(scope: RecomputeScope): string {
  return 'calendarId' in scope ? `calendar:${scope.calendarId}` : `contract:${scope.contractId}`;
}

function enqueueRecompute(db: DbOrTx, payload: RecomputePayload): Promise<void> {
  return enqueueJob(db, { kind: RECOMPUTE_JOB, key: `sla-recompute:${scopeTextOf(payload.scope)}:${payload.afterId}`, payload });
}

export function registerRecomputeJob(scheduler: Scheduler, service: SlaRecomputeService): void {
  scheduler.register<RecomputePayload>(RECOMPUTE_JOB, (job) => service.runJob(job.payload));
}

const calendarParams = z.object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, { message: 'id' }) });
const contractParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const previewOut = z.object({
  tickets: z.number().describe('open tickets under the calendar or contract'),
  moved: z.number().describe('of them, those whose due instants move'),
  items: z.array(
    z.object({
      ticketId: z.number(),
      number: z.string(),
      title: z.string(),
      metric: z.enum(SLA_METRICS),
      oldDue: z.string().nullable(),
      newDue: z.string().nullable(),
      breachRecorded: z.boolean(),
    }),
  ),
  truncated: z.boolean().describe('more tickets move than the items list (200)'),
});
const applyOut = z.object({ tickets: z.number(), moved: z.number(), queued: z.boolean().describe('true: more than 500 tickets, done by the scheduler in batches') });

type Preview = Awaited<ReturnType<SlaRecomputeService['preview']>>;
const previewJson = (p: Preview) => ({ ...p, items: p.items.map((c) => ({ ...c, oldDue: iso(c.oldDue), newDue: iso(c.newDue) })) });

/** Preview and apply, for a calendar (its days changed) and for a contract (its SLA policy changed). */
export function recomputeRoutes(app: ZApp, service: SlaRecomputeService, organisation: OrganisationService, calendars: CalendarService) {
  const calendarWrite = { permission: 'calendars.write' };
  const slaWrite = { permission: 'sla.write' };
  const calendarScope = async (id: string): Promise<RecomputeScope> => {
    await calendars.get(id); // 404 for a calendar that does not exist
    return { calendarId: id };
  };
  const contractScope = async (actor: Actor, id: number): Promise<RecomputeScope> => {
    await organisation.getContract(actor, id); // in the caller's scope, else 404
    return { contractId: id };
  };

  app.get(
    '/api/v1/calendars/:id/recompute',
    { config: calendarWrite, schema: { tags: ['calendars'], summary: "Which open tickets' SLA due instants move under the calendar as saved (ticket, metric, old and new due)", params: calendarParams, response: { 200: previewOut } } },
    async (request) => previewJson(await service.preview(await calendarScope(request.params.id))),
  );
  app.post(
    '/api/v1/calendars/:id/recompute',
    { config: calendarWrite, schema: { tags: ['calendars'], summary: "Recompute the SLA clocks of the open tickets counting on this calendar (recorded breaches stay; each moved ticket audited)", params: calendarParams, response: { 200: applyOut } } },
    async (request) => service.apply(actorOf(request), await calendarScope(request.params.id)),
  );
  app.get(
    '/api/v1/contracts/:id/sla/recompute',
    { config: slaWrite, schema: { tags: ['sla'], summary: "Which open tickets' SLA due instants move under the contract's SLA as saved, counted from each ticket's report", params: contractParams, response: { 200: previewOut } } },
    async (request) => previewJson(await service.preview(await contractScope(actorOf(request), request.params.id))),
  );
  app.post(
    '/api/v1/contracts/:id/sla/recompute',
    { config: slaWrite, schema: { tags: ['sla'], summary: "Apply the contract's SLA to its open tickets from their reported time (recorded breaches stay; each moved ticket audited)", params: contractParams, response: { 200: applyOut } } },
    async (request) => service.apply(actorOf(request), await contractScope(actorOf(request), request.params.id)),
  );
}

