import type { Updateable } from 'kysely';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { Db, Tx } from '../../db/index.js';
import type { RepairReportsTable } from '../../db/schema.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { AppError, isUniqueViolation, zodIssuesToProblems, type FieldProblem } from '../../platform/http/errors.js';
import { iso, optionalText, text } from '../../platform/http/zod.js';
import type { OrganisationService } from '../organisation/service.js';
import type { TicketOut } from '../tickets/schema.js';
import type { TicketService } from '../tickets/service.js';
import type { FontChoice } from '../../platform/pdf/fonts.js';
import { renderReportPdf, type ReportDocument } from './pdf.js';
import * as repo from './repo.js';
import type { PartUsed, RepairResult, ReportOut, ReportPatch, SignBody, SignedVia } from './schema.js';
import { parseSignature, type Signature } from './signature.js';
import { claimBlob, discardBlob, openBlob, writeBlob, type WrittenBlob } from '../../platform/files/store.js';
import { storeScan, type StoredScan } from './storage.js';
import { providerNameOf } from '../../platform/settings/index.js';

/** The fields a report must have before the customer signs it, with the label the message names. */
const REQUIRED_TO_SIGN = [
  ['fault', 'fieldservice.label.fault'],
  ['actions', 'fieldservice.label.actions'],
  ['result', 'fieldservice.label.result'],
] as const;

/** Multipart fields of a paper signing (strings on the wire). */
const paperFields = z.object({
  version: z.coerce.number().int().positive(),
  signerName: text(50),
  customerOpinion: optionalText(2000).optional(),
});

/** Columns a draft's PATCH may change, by API field. */
const PATCHABLE = {
  siteName: 'site_name',
  contactName: 'contact_name',
  contactPhone: 'contact_phone',
  fault: 'fault',
  diagnosis: 'diagnosis',
  cause: 'cause',
  actions: 'actions',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  result: 'result',
  customerOpinion: 'customer_opinion',
} as const;

export interface PdfOut {
  name: string;
  size: number;
  /** The stored PDF of a signed report, or a draft rendered now. */
  body: NodeJS.ReadableStream | Buffer;
}

/**
 * Repair service reports (维修服务报告, REQ §2.5): drafted by the engineer from the ticket,
 * signed by the customer on screen (in the portal or on the engineer's device) or on paper
 * (the scan uploaded), and from then on never changed: the PDF rendered at the signing is
 * stored and its sha256 kept. The only writer of `repair_reports`; tickets are read through
 * TicketService (which applies the caller's scope), customers and contacts through
 * OrganisationService. Every write is one transaction with its audit entry.
 */
export class RepairReportService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly tickets: TicketService,
    private readonly organisation: OrganisationService,
    private readonly font: FontChoice,
    /** The parts the ticket took from stock (modules/parts): a new draft lists them (docs/PARTS.md). */
    private readonly partsOf: (ticketId: number) => Promise<PartUsed[]> = async () => [],
  ) {}

  // ------------------------------------------------------------ reads

  async get(actor: Actor, ticketId: number): Promise<ReportOut> {
    return this.view(actor, await this.current(actor, ticketId));
  }

  /** The PDF: the one stored at the signing, or a draft rendered now (marked 草稿). */
  async pdf(actor: Actor, ticketId: number): Promise<PdfOut> {
    const row = await this.current(actor, ticketId);
    const name = `${row.number}.pdf`;
    if (row.state === 'signed') {
      const stored = await openBlob(this.db, row.pdf_blob_id);
      return { name, size: stored.size, body: stored.stream };
    }
    const bytes = await renderReportPdf(await this.document(row, { draft: true }), this.font);
    return { name, size: bytes.length, body: bytes };
  }

  /** The scan of the paper form a report was signed on. */
  async scan(actor: Actor, ticketId: number): Promise<{ name: string; mime: string; size: number; stream: NodeJS.ReadableStream }> {
    const row = await this.current(actor, ticketId);
    if (!row.scan_sha256) throw AppError.notFound();
    const stored = await openBlob(this.db, row.scan_blob_id);
    return { name: row.scan_name ?? 'scan', mime: row.scan_mime ?? 'application/octet-stream', size: stored.size, stream: stored.stream };
  }

  /** The ticket's current report; 404 `not_found` for a ticket outside the scope, 404 `no_report` when it has none. */
  private async current(actor: Actor, ticketId: number): Promise<repo.ReportRow> {
    const row = await repo.findCurrent(this.db, actor.scope, ticketId);
    if (row) return row;
    await this.tickets.get(actor, ticketId);
    throw new AppError(404, 'no_report', 'fieldservice.noReport');
  }

  // ------------------------------------------------------------ draft

  /**
   * A draft from the ticket: customer, site, contact and phone, reported time, the fault as the
   * customer described it, the engineer (the assignee, else the caller), arrival and leaving from
   * the visits (else the span of the worklogs), the resolution as the actions taken.
   */
  async create(actor: Actor, ticketId: number): Promise<ReportOut> {
    requireProvider(actor);
    const ticket = await this.tickets.get(actor, ticketId);
    if (ticket.state === 'cancelled') throw new AppError(409, 'ticket_cancelled', 'fieldservice.ticketCancelled');
    const existing = await repo.findCurrent(this.db, actor.scope, ticketId);
    if (existing) throw reportExists(existing.number);
    const [customer, contact] = await Promise.all([
      this.organisation.getCustomer(actor, ticket.customerId),
      ticket.contactId === null ? null : this.organisation.getContact(actor, ticket.contactId).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return null;
        throw err;
      }),
    ]);
    const times = timesOf(ticket.timeline);
    const parts = await this.partsOf(ticket.id);
    // One report per ticket (a signed one is final, a draft is edited): it is always R1. The
    // unique (ticket, seq) index is what stops two drafts made at the same moment.
    const seq = 1;
    const number = `${ticket.number}-R${seq}`;
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const values: repo.NewReport = {
        ticket_id: ticket.id,
        seq,
        number,
        customer_id: ticket.customerId,
        state: 'draft',
        customer_name: ticket.customerName ?? '',
        site_name: ticket.siteName,
        contact_name: contact?.name ?? ticket.contactName ?? ticket.callerName,
        contact_phone: contact ? (contact.mobile ?? contact.phone ?? null) : ticket.callerPhone,
        reported_at: Date.parse(ticket.reportedAt),
        time_zone: customer.timeZone,
        fault: ticket.description,
        diagnosis: null,
        cause: null,
        actions: ticket.resolution,
        parts_used: JSON.stringify(parts),
        started_at: times.startedAt,
        finished_at: times.finishedAt,
        engineer_id: ticket.assigneeId ?? actor.userId,
        engineer_name: ticket.assigneeId !== null ? ticket.assigneeName : actor.displayName,
        result: null,
        customer_opinion: null,
        signer_name: null,
        signed_at: null,
        signed_by: null,
        signed_via: null,
        signature_png: null,
        signed_on_paper: 0,
        scan_name: null,
        scan_mime: null,
        scan_size: null,
        scan_sha256: null,
        scan_blob_id: null,
        pdf_sha256: null,
        pdf_size: null,
        pdf_blob_id: null,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: actor.userId || null,
      };
      let id: number;
      try {
        id = await repo.insertReport(trx, values);
      } catch (err) {
        // Two drafts made at the same moment: the unique (ticket, seq) lets one win.
        if (isUniqueViolation(err)) throw reportExists(number);
        throw err;
      }
      await this.tickets.recordEntry(trx, actor, ticket.id, { type: 'repair_report', visibility: 'public', data: { reportId: id, number, action: 'drafted' } }, now);
      await recordAudit(trx, auditActorOf(actor), { action: 'create', entity: 'repair_reports', entityId: id, customerId: ticket.customerId, after: { id, ...values } }, now);
      return this.view(actor, { id, ...values } as repo.ReportRow);
    });
  }

  async patch(actor: Actor, ticketId: number, input: ReportPatch): Promise<ReportOut> {
    requireProvider(actor);
    const { version, partsUsed, ...fields } = input;
    const pre = await this.current(actor, ticketId);
    assertDraft(pre);
    if (pre.version !== version) throw AppError.conflict();
    const set: Updateable<RepairReportsTable> = {};
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const field of Object.keys(PATCHABLE) as Array<keyof typeof PATCHABLE>) {
      const value = fields[field];
      const column = PATCHABLE[field];
      if (value === undefined || value === pre[column]) continue;
      (set as Record<string, unknown>)[column] = value;
      before[field] = pre[column];
      after[field] = value;
    }
    if (partsUsed !== undefined) {
      const json = JSON.stringify(partsUsed);
      if (json !== pre.parts_used) {
        set.parts_used = json;
        before.partsUsed = JSON.parse(pre.parts_used);
        after.partsUsed = partsUsed;
      }
    }
    const started = set.started_at !== undefined ? set.started_at : pre.started_at;
    const finished = set.finished_at !== undefined ? set.finished_at : pre.finished_at;
    if (started != null && finished != null && finished < started) throw AppError.field('finishedAt', 'fieldservice.finishedBeforeStarted');
    if (!Object.keys(after).length) return this.view(actor, pre);
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      await this.writeDraft(trx, actor, pre, { ...set, updated_at: now });
      await recordAudit(trx, auditActorOf(actor), { action: 'update', entity: 'repair_reports', entityId: pre.id, customerId: pre.customer_id, before, after }, now);
      return this.view(actor, { ...pre, ...set, updated_at: now, version: pre.version + 1 } as repo.ReportRow);
    });
  }

  // ------------------------------------------------------------ signing

  /**
   * The customer signs on screen: his staff in the portal (their own customer's tickets only),
   * or the engineer's device in front of him. `version` is the one the signer read: he signs
   * what he saw, or gets a 409.
   */
  async sign(actor: Actor, ticketId: number, body: SignBody): Promise<ReportOut> {
    const pre = await this.signable(actor, ticketId, body.version);
    const signature = parseSignature(body.signaturePng);
    const via: SignedVia = actor.customerId !== null ? 'portal' : 'onsite';
    return this.finishSigning(actor, pre, { signerName: body.signerName, customerOpinion: body.customerOpinion, via, signature, scan: null });
  }

  /**
   * Checks, before an upload is read, that the caller may record a paper signing on this ticket
   * (so nothing is stored for a ticket he cannot see or a report already signed).
   */
  async checkPaperSignable(actor: Actor, ticketId: number): Promise<void> {
    requireProvider(actor);
    assertDraft(await this.current(actor, ticketId));
  }

  /** Stores an uploaded scan, pending until a paper signing claims it (or `discardScan` drops it). */
  storeScan(rawName: string, stream: Readable, truncated: () => boolean): Promise<StoredScan> {
    return storeScan(this.db, rawName, stream, truncated);
  }

  async discardScan(scan: StoredScan | null): Promise<void> {
    await discardBlob(this.db, scan?.blobId);
  }

  /** The engineer records that the customer signed the printed report and uploads its scan. */
  async signOnPaper(actor: Actor, ticketId: number, rawFields: Record<string, string>, scan: StoredScan | null): Promise<ReportOut> {
    try {
      requireProvider(actor);
      const parsed = paperFields.safeParse(rawFields);
      const problems: FieldProblem[] = parsed.success ? [] : zodIssuesToProblems(parsed.error.issues, undefined, (path) => rawFields[String(path[0])]);
      if (!scan) problems.push({ field: 'file', code: 'fieldservice.scan.required' });
      if (!parsed.success || !scan) throw AppError.validation(problems);
      const pre = await this.signable(actor, ticketId, parsed.data.version);
      return await this.finishSigning(actor, pre, { signerName: parsed.data.signerName, customerOpinion: parsed.data.customerOpinion, via: 'paper', signature: null, scan });
    } catch (err) {
      await this.discardScan(scan);
      throw err;
    }
  }

  /** The draft about to be signed: in scope, not signed, at the version the signer read, complete. */
  private async signable(actor: Actor, ticketId: number, version: number): Promise<repo.ReportRow> {
    const pre = await this.current(actor, ticketId);
    assertDraft(pre);
    if (pre.version !== version) throw AppError.conflict();
    const missing: FieldProblem[] = REQUIRED_TO_SIGN.filter(([column]) => !pre[column]?.trim()).map(([field, label]) => ({ field, code: 'fieldservice.requiredToSign', params: { what: [label] } }));
    if (missing.length) throw AppError.validation(missing);
    return pre;
  }

  /**
   * Renders and stores the signed PDF, then marks the draft signed in one transaction (only if
   * it is still the draft at the version rendered) that also claims the PDF and the scan. A
   * failed transaction removes the PDF again.
   */
  private async finishSigning(
    actor: Actor,
    pre: repo.ReportRow,
    s: { signerName: string; customerOpinion: string | null | undefined; via: SignedVia; signature: Signature | null; scan: StoredScan | null },
  ): Promise<ReportOut> {
    const signedAt = Date.now();
    const set: Updateable<RepairReportsTable> = {
      state: 'signed',
      signer_name: s.signerName,
      signed_at: signedAt,
      signed_by: actor.userId || null,
      signed_via: s.via,
      signature_png: s.signature ? s.signature.png.toString('base64') : null,
      signed_on_paper: s.scan ? 1 : 0,
      customer_opinion: s.customerOpinion !== undefined ? s.customerOpinion : pre.customer_opinion,
      ...(s.scan ? { scan_name: s.scan.name, scan_mime: s.scan.mime, scan_size: s.scan.size, scan_sha256: s.scan.sha256, scan_blob_id: s.scan.blobId } : {}),
    };
    const signed = { ...pre, ...set } as repo.ReportRow;
    const bytes = await renderReportPdf(await this.document(signed, { draft: false, signature: s.signature?.png ?? null }), this.font);
    let pdf: WrittenBlob | null = null;
    try {
      pdf = await writeBlob(this.db, Readable.from([bytes]));
      const stored = pdf;
      Object.assign(set, { pdf_sha256: stored.sha256, pdf_size: stored.size, pdf_blob_id: stored.id, updated_at: signedAt });
      return await this.db.transaction().execute(async (trx) => {
        await this.writeDraft(trx, actor, pre, set);
        await claimBlob(trx, stored.id, 'application/pdf');
        if (s.scan) await claimBlob(trx, s.scan.blobId, s.scan.mime);
        await this.tickets.recordEntry(trx, actor, Number(pre.ticket_id), {
          type: 'repair_report',
          visibility: 'public',
          data: { reportId: pre.id, number: pre.number, action: s.scan ? 'signed_on_paper' : 'signed', signerName: s.signerName },
        }, signedAt);
        await recordAudit(
          trx,
          auditActorOf(actor),
          {
            action: s.scan ? 'sign_paper' : 'sign',
            entity: 'repair_reports',
            entityId: pre.id,
            customerId: pre.customer_id,
            before: { state: 'draft', version: pre.version },
            after: {
              state: 'signed',
              signerName: s.signerName,
              signedAt: iso(signedAt),
              signedVia: s.via,
              customerOpinion: set.customer_opinion,
              pdfSha256: stored.sha256,
              ...(s.signature ? { signature: { width: s.signature.width, height: s.signature.height, bytes: s.signature.png.length } } : {}),
              ...(s.scan ? { scan: { name: s.scan.name, mime: s.scan.mime, size: s.scan.size, sha256: s.scan.sha256 } } : {}),
            },
          },
          signedAt,
        );
        return this.view(actor, { ...signed, ...set, version: pre.version + 1 } as repo.ReportRow);
      });
    } catch (err) {
      await discardBlob(this.db, pdf?.id);
      throw err;
    }
  }

  /** Writes a draft at the version read; a report signed or changed meanwhile is a 409 and nothing is written. */
  private async writeDraft(trx: Tx, actor: Actor, pre: repo.ReportRow, set: Updateable<RepairReportsTable>): Promise<void> {
    if (await repo.updateDraft(trx, pre.id, pre.version, set)) return;
    const current = await repo.findCurrent(trx, actor.scope, Number(pre.ticket_id), true);
    if (current?.state === 'signed') throw alreadySigned(current.number);
    throw AppError.conflict();
  }

  // ------------------------------------------------------------ views

  /**
   * What the PDF prints: the report, the provider's name (settings), and the labour — the
   * ticket's logged work, or without worklogs the time on site.
   */
  private async document(row: repo.ReportRow, opts: { draft: boolean; signature?: Buffer | null }): Promise<ReportDocument> {
    const [providerName, logged] = await Promise.all([providerNameOf(this.db, this.config), repo.workloggedMinutes(this.db, Number(row.ticket_id))]);
    const onsite = row.started_at !== null && row.finished_at !== null && row.finished_at > row.started_at ? Math.round((row.finished_at - row.started_at) / 60_000) : 0;
    const labour: ReportDocument['labour'] = logged > 0 ? { minutes: logged, source: 'worklogs' } : onsite > 0 ? { minutes: onsite, source: 'onsite' } : null;
    return {
      number: row.number,
      draft: opts.draft,
      customerName: row.customer_name,
      siteName: row.site_name,
      contactName: row.contact_name,
      contactPhone: row.contact_phone,
      reportedAt: row.reported_at,
      engineerName: row.engineer_name,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      fault: row.fault,
      diagnosis: row.diagnosis,
      cause: row.cause,
      actions: row.actions,
      parts: JSON.parse(row.parts_used) as PartUsed[],
      result: row.result as RepairResult | null,
      customerOpinion: row.customer_opinion,
      signerName: row.signer_name,
      signedAt: row.signed_at,
      signature: opts.signature ?? (row.signature_png ? Buffer.from(row.signature_png, 'base64') : null),
      signedOnPaper: row.signed_on_paper === 1,
      timeZone: row.time_zone,
      providerName,
      labour,
    };
  }

  private view(actor: Actor, r: repo.ReportRow): ReportOut {
    const draft = r.state === 'draft';
    const writer = can(actor, 'tickets.write');
    const allowed: ReportOut['allowedActions'] = !draft || !writer ? [] : actor.customerId !== null ? ['sign'] : ['edit', 'sign', 'sign_paper'];
    return {
      id: Number(r.id),
      ticketId: Number(r.ticket_id),
      number: r.number,
      state: r.state as ReportOut['state'],
      customerId: Number(r.customer_id),
      customerName: r.customer_name,
      siteName: r.site_name,
      contactName: r.contact_name,
      contactPhone: r.contact_phone,
      reportedAt: iso(r.reported_at),
      timeZone: r.time_zone,
      fault: r.fault,
      diagnosis: r.diagnosis,
      cause: r.cause,
      actions: r.actions,
      partsUsed: JSON.parse(r.parts_used) as PartUsed[],
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      engineerId: r.engineer_id === null ? null : Number(r.engineer_id),
      engineerName: r.engineer_name,
      result: r.result as RepairResult | null,
      customerOpinion: r.customer_opinion,
      signerName: r.signer_name,
      signedAt: iso(r.signed_at),
      signedVia: r.signed_via as SignedVia | null,
      signedOnPaper: r.signed_on_paper === 1,
      signaturePng: r.signature_png ? `data:image/png;base64,${r.signature_png}` : null,
      scan: r.scan_sha256 ? { name: r.scan_name ?? 'scan', mime: r.scan_mime ?? 'application/octet-stream', size: Number(r.scan_size) } : null,
      pdfSha256: r.pdf_sha256,
      version: r.version,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      allowedActions: allowed,
    };
  }
}

// ------------------------------------------------------------ rules

function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'fieldservice.providerOnly');
}

function alreadySigned(number: string): AppError {
  return new AppError(409, 'signed', 'fieldservice.alreadySigned', { number });
}

function reportExists(number: string): AppError {
  return new AppError(409, 'report_exists', 'fieldservice.reportExists', { number });
}

/** A signed report can no longer change: every write is a 409. */
function assertDraft(row: repo.ReportRow): void {
  if (row.state !== 'draft') throw alreadySigned(row.number);
}

type TimelineItem = TicketOut['timeline'][number];

/**
 * Arrival and leaving from the ticket's on-site visits (the first arrival, the last leaving
 * after it); without visits, the span of the worklogs (each ends at its `at` and lasted its minutes).
 */
function timesOf(timeline: TimelineItem[]): { startedAt: number | null; finishedAt: number | null } {
  const at = (e: TimelineItem) => Date.parse(String(e.data.at));
  const visits = timeline.filter((e) => e.type === 'visit' && typeof e.data.at === 'string');
  const arrivals = visits.filter((e) => e.data.event === 'arrived').map(at);
  if (arrivals.length) {
    const startedAt = Math.min(...arrivals);
    const leavings = visits.filter((e) => e.data.event === 'left').map(at).filter((t) => t >= startedAt);
    return { startedAt, finishedAt: leavings.length ? Math.max(...leavings) : null };
  }
  const worklogs = timeline.filter((e) => e.type === 'worklog' && typeof e.data.at === 'string');
  if (!worklogs.length) return { startedAt: null, finishedAt: null };
  return {
    startedAt: Math.min(...worklogs.map((e) => at(e) - Number(e.data.minutes ?? 0) * 60_000)),
    finishedAt: Math.max(...worklogs.map(at)),
  };
}
