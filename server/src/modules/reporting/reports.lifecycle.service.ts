import type { Updateable } from 'kysely';
import type { Config } from '../../config.js';
import type { Db, Tx } from '../../db/index.js';
import type { ServiceReportsTable } from '../../db/schema.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import type { ReportDocument } from '../../core/reporting/document.js';
import { daysLeft } from '../../core/reporting/due.js';
import { REPORT_TYPES, isReportType, type ReportType } from '../../core/reporting/templates.js';
import { auditActorOf, recordAudit } from '../../platform/audit/service.js';
import { can, type Actor } from '../../platform/auth/actor.js';
import { discardBlob, openBlob } from '../../platform/files/store.js';
import { AppError } from '../../platform/http/errors.js';
import { iso } from '../../platform/http/zod.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { periodLabel } from '../../core/reporting/periods.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import { emit } from '../../platform/notify/service.js';
import type { NotifyEventType } from '../../platform/notify/events.js';
import { REPORT_MIME, renderReport, type ReportFormat } from './render/index.js';
import { claimFiles, fileColumns, renderStored, reportDocument, sumsOf } from './reports.document.js';
import { effectivePlan, type Figures, type ReportGenerator } from './reports.generate.service.js';
import { recipientChoice, recipientProblems } from './reports.recipients.js';
import * as repo from './reports.repo.js';
import type { ReportOut } from './reports.schema.js';

/**
 * The life of a service report after generation: the PM edits the narratives (figures stay
 * frozen until "refresh figures"), a second person reviews where the contract asks for it, the
 * report is issued (rendered as PDF, Word and Excel, stored, the customer told), and the
 * customer's admin signs it off or returns it with comments. Every version is kept; a report
 * issued or signed changes only through an explicitly started new version. Each command is one
 * transaction with its audit entry; every write checks the version the caller read.
 */

/** States in which the narratives and figures may change. */
const EDITABLE = ['draft', 'approved'] as const;
const NARRATIVE_KINDS = new Set(['narrative']);

export interface FileOut {
  name: string;
  mime: string;
  size: number;
  stream: NodeJS.ReadableStream;
}

export class ReportLifecycle {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly generator: ReportGenerator,
  ) {}

  // ------------------------------------------------------------ reads

  async get(actor: Actor, id: number): Promise<ReportOut> {
    const row = await this.find(actor, id);
    return this.view(actor, row);
  }

  /** A report in the caller's scope (customers: issued ones only); 404 otherwise, whether it exists or not. */
  private async find(actor: Actor, id: number, db: Db | Tx = this.db): Promise<repo.ReportRow> {
    const row = await repo.findReport(db, actor, id);
    if (!row) throw AppError.notFound();
    return row;
  }

  /** The version a caller reads: the current one for the provider, the latest issued one for the customer. */
  private async shownVersion(actor: Actor, row: repo.ReportRow): Promise<repo.VersionRow> {
    const v = actor.customerId !== null ? await repo.latestIssuedVersion(this.db, Number(row.id)) : await repo.findVersion(this.db, Number(row.id), row.current_seq);
    if (!v) throw AppError.notFound();
    return v;
  }

  async view(actor: Actor, row: repo.ReportRow): Promise<ReportOut> {
    const version = await this.shownVersion(actor, row);
    const figures = JSON.parse(version.figures) as Figures;
    const narratives = JSON.parse(version.narratives) as Record<string, string>;
    const plan = effectivePlan(await repo.findPlan(this.db, Number(row.contract_id)));
    const versions = (await repo.listVersions(this.db, Number(row.id))).filter((v) => actor.customerId === null || v.issued_at !== null);
    const names = await repo.userNames(this.db, [row.prepared_by, row.reviewed_by, ...versions.map((v) => v.issued_by)]);
    const person = (uid: number | null) => (uid === null ? null : { id: Number(uid), name: names.get(Number(uid)) ?? '' });
    const type = row.type as ReportType;
    const today = instantToZoned(Date.now(), row.time_zone).date;
    const issued = row.first_issued_at !== null;
    const left = daysLeft(row.due_on, today);
    return {
      id: Number(row.id),
      number: row.number,
      type,
      typeName: typeName(type, actor.locale),
      title: figures.title,
      contractId: Number(row.contract_id),
      customerId: Number(row.customer_id),
      customerName: figures.customerName,
      contractName: figures.contractName,
      period: row.period,
      periodLabel: figures.periodLabel,
      periodFrom: row.period_from,
      periodTo: row.period_to,
      timeZone: row.time_zone,
      state: row.state as ReportOut['state'],
      dueOn: row.due_on,
      overdue: !issued && Date.now() >= Number(row.due_at),
      daysLeft: left,
      onTime: issued ? Number(row.first_issued_at) < Number(row.due_at) : null,
      seq: version.seq,
      version: row.version,
      reviewRequired: plan.reviewRequired,
      preparedBy: person(row.prepared_by),
      reviewedBy: person(row.reviewed_by),
      reviewComment: actor.customerId === null ? row.review_comment : null,
      submittedAt: iso(row.submitted_at),
      reviewedAt: iso(row.reviewed_at),
      issuedAt: iso(row.issued_at),
      firstIssuedAt: iso(row.first_issued_at),
      signedAt: iso(row.signed_at),
      signerName: row.signer_name,
      returnedAt: iso(row.returned_at),
      customerComment: row.customer_comment,
      generatedAt: iso(figures.generatedAt),
      sections: figures.sections
        .filter((s) => actor.customerId === null || !s.hidden)
        .map((s) => ({ key: s.key, kind: s.kind, title: s.title, hidden: s.hidden, unavailable: s.unavailable, blocks: s.blocks, narrative: s.kind === 'narrative' ? (narratives[s.key] ?? null) : null })),
      versions: versions.map((v) => ({
        seq: v.seq,
        generatedAt: iso(v.generated_at),
        note: v.note,
        issuedAt: iso(v.issued_at),
        issuedBy: v.issued_by === null ? null : (names.get(Number(v.issued_by)) ?? null),
        files: {
          pdf: v.pdf_sha256 ? { sha256: v.pdf_sha256, size: Number(v.pdf_size) } : null,
          docx: v.docx_sha256 ? { sha256: v.docx_sha256, size: Number(v.docx_size) } : null,
          xlsx: v.xlsx_sha256 ? { sha256: v.xlsx_sha256, size: Number(v.xlsx_size) } : null,
        },
        answer:
          v.answered_state === null || v.answered_at === null
            ? null
            : {
                state: v.answered_state as 'signed' | 'returned',
                at: iso(v.answered_at)!,
                files: {
                  pdf: v.answered_pdf_sha256 ? { sha256: v.answered_pdf_sha256, size: Number(v.answered_pdf_size) } : null,
                  docx: v.answered_docx_sha256 ? { sha256: v.answered_docx_sha256, size: Number(v.answered_docx_size) } : null,
                  xlsx: v.answered_xlsx_sha256 ? { sha256: v.answered_xlsx_sha256, size: Number(v.answered_xlsx_size) } : null,
                },
              },
      })),
      allowedActions: allowedActions(actor, row, plan.reviewRequired, plan.reviewerId),
    };
  }

  /**
   * A stored file of an issued version (customers: issued versions only, like everything they see).
   * Once the customer answered (signed off or returned), the files rendered with the answer; the
   * files as issued with `as: 'issued'` (kept for the record).
   */
  async file(actor: Actor, id: number, seq: number, format: ReportFormat, as: 'current' | 'issued' = 'current'): Promise<FileOut> {
    const row = await this.find(actor, id);
    const v = await repo.findVersion(this.db, Number(row.id), seq);
    if (!v || (actor.customerId !== null && v.issued_at === null)) throw AppError.notFound();
    const issued = format === 'pdf' ? v.pdf_blob_id : format === 'docx' ? v.docx_blob_id : v.xlsx_blob_id;
    const answered = format === 'pdf' ? v.answered_pdf_blob_id : format === 'docx' ? v.answered_docx_blob_id : v.answered_xlsx_blob_id;
    const blobId = as === 'current' && answered !== null ? answered : issued;
    if (blobId === null) throw new AppError(404, 'no_file', 'reports.noFile', { format: format.toUpperCase() });
    const blob = await openBlob(this.db, blobId);
    const suffix = blobId === answered ? (v.answered_state === 'returned' ? '-returned' : '-signed') : '';
    return { name: `${row.number}-v${seq}${suffix}.${format}`, mime: REPORT_MIME[format], size: blob.size, stream: blob.stream };
  }

  /** The current draft rendered now (not stored), for the editor's preview: provider staff only. */
  async preview(actor: Actor, id: number, format: ReportFormat): Promise<{ name: string; mime: string; body: Buffer }> {
    requireProvider(actor);
    const row = await this.find(actor, id);
    const v = await this.shownVersion(actor, row);
    const body = await renderReport(await this.document(row, v, null), format);
    return { name: `${row.number}-v${v.seq}-preview.${format}`, mime: REPORT_MIME[format], body };
  }

  /** Reports in scope, newest first (customers: those issued to them). */
  async list(actor: Actor, q: { customerId?: number; contractId?: number; type?: string; state?: string; limit: number; cursor?: string }) {
    const [beforeId] = (q.cursor ? decodeCursor(q.cursor, ['number']) : null) ?? [];
    if (q.state === 'not_started') return { items: [], nextCursor: null };
    const rows = await repo.listReports(this.db, actor, { ...q, beforeId: beforeId as number | undefined });
    const page = pageOf(rows, q.limit, (r) => [Number(r.id)]);
    const now = Date.now();
    return {
      nextCursor: page.nextCursor,
      items: page.items.map((r) => {
        const type = r.type as ReportType;
        const label = periodLabel({ from: r.period_from, to: r.period_to }, actor.locale);
        const issued = r.first_issued_at === null ? null : Number(r.first_issued_at);
        return {
          id: Number(r.id),
          number: r.number,
          type,
          typeName: typeName(type, actor.locale),
          title: `${r.customer_name} ${label} ${typeName(type, actor.locale)}`,
          contractId: Number(r.contract_id),
          customerId: Number(r.customer_id),
          customerName: r.customer_name,
          period: r.period,
          periodLabel: label,
          state: r.state as ReportOut['state'],
          dueOn: r.due_on,
          overdue: issued === null && now >= Number(r.due_at),
          onTime: issued === null ? null : issued < Number(r.due_at),
          seq: r.current_seq,
          issuedAt: iso(r.issued_at),
          signedAt: iso(r.signed_at),
        };
      }),
    };
  }

  /**
   * A PM generates a report (the job does the same when a period closes): the period must have
   * ended in the customer's zone and lie within the contract; one report per (contract, type,
   * period) — a second is a 409 naming the first.
   */
  async generate(actor: Actor, body: { contractId: number; type: ReportType; period: string }): Promise<ReportOut> {
    requireProvider(actor);
    const contract = await repo.findContract(this.db, actor.scope, body.contractId);
    if (!contract) throw AppError.notFound();
    const p = this.generator.periodOf(body.type, body.period, actor.locale);
    if (!(await this.generator.owes(contract.id, body.type))) throw AppError.field('type', 'reports.typeNotOwed', { contract: contract.code, type: typeName(body.type, actor.locale) });
    const now = Date.now();
    this.generator.checkPeriod(contract, p, now, actor.locale);
    const existing = await repo.findByPeriod(this.db, contract.id, body.type, p.key);
    if (existing) throw new AppError(409, 'report_exists', 'reports.exists', { number: existing.number });
    const res = await this.generator.createDraft(actor, contract, body.type, p, now);
    if (!res.created) {
      const winner = await repo.findByPeriod(this.db, contract.id, body.type, p.key);
      throw new AppError(409, 'report_exists', 'reports.exists', { number: winner?.number ?? '' });
    }
    return this.get(actor, res.id);
  }

  // ------------------------------------------------------------ editing

  /** Edits narrative sections of the current version; a stale `version` is a 409 naming who changed it. */
  async editNarratives(actor: Actor, id: number, version: number, changes: Record<string, string | null>): Promise<ReportOut> {
    requireProvider(actor);
    const pre = await this.editable(actor, id, version);
    const v = await this.currentVersion(pre);
    const figures = JSON.parse(v.figures) as Figures;
    const narratives = JSON.parse(v.narratives) as Record<string, string>;
    const before: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(changes)) {
      const section = figures.sections.find((s) => s.key === key);
      if (!section) throw AppError.field(`narratives.${key}`, 'reports.unknownSection', { key });
      if (!NARRATIVE_KINDS.has(section.kind)) throw AppError.field(`narratives.${key}`, 'reports.notNarrative', { title: section.title });
      before[key] = narratives[key] ?? null;
      if (value === null) delete narratives[key];
      else narratives[key] = value;
    }
    return this.write(actor, pre, EDITABLE, { state: 'draft', reviewed_at: null, reviewed_by: null }, 'update', { narratives: before, state: pre.state }, { narratives: changes, state: 'draft' }, async (trx) => {
      await repo.updateVersion(trx, Number(v.id), { narratives: JSON.stringify(narratives) });
    });
  }

  /** Recomputes the data sections (and the layout from the plan) now, keeping the narratives. */
  async refresh(actor: Actor, id: number, version: number): Promise<ReportOut> {
    requireProvider(actor);
    const pre = await this.editable(actor, id, version);
    const v = await this.currentVersion(pre);
    const contract = await this.contractOf(pre);
    const plan = effectivePlan(await repo.findPlan(this.db, contract.id));
    const now = Date.now();
    const figures = await this.generator.figures(contract, pre.type as ReportType, this.generator.periodOf(pre.type as ReportType, pre.period, actor.locale), plan, now);
    const old = JSON.parse(v.figures) as Figures;
    return this.write(actor, pre, EDITABLE, { state: 'draft', reviewed_at: null, reviewed_by: null }, 'refresh', { generatedAt: iso(old.generatedAt) }, { generatedAt: iso(now), seq: v.seq }, async (trx) => {
      await repo.updateVersion(trx, Number(v.id), { figures: JSON.stringify(figures), generated_at: now, generated_by: actor.userId || null });
    });
  }

  // ------------------------------------------------------------ review

  async submit(actor: Actor, id: number, version: number): Promise<ReportOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    await this.checkVersion(pre, version);
    if (pre.state !== 'draft') throw wrongState(pre, 'submit', actor.locale);
    const plan = effectivePlan(await repo.findPlan(this.db, Number(pre.contract_id)));
    const now = Date.now();
    return this.write(actor, pre, ['draft'], { state: 'in_review', submitted_at: now, review_comment: null }, 'submit', { state: 'draft' }, { state: 'in_review' }, async (trx) => {
      const reviewers = plan.reviewerId !== null ? [plan.reviewerId] : [];
      if (reviewers.length) await this.notify(trx, 'report.review', reviewers, pre, { key: 'reports.notify.review.title', params: { number: pre.number } }, null, now);
    });
  }

  /** The reviewer approves (→ approved, ready to issue) or returns it to draft with a comment. */
  async review(actor: Actor, id: number, version: number, approve: boolean, comment: string | null): Promise<ReportOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    await this.checkVersion(pre, version);
    if (pre.state !== 'in_review') throw wrongState(pre, 'review', actor.locale);
    const plan = effectivePlan(await repo.findPlan(this.db, Number(pre.contract_id)));
    if (plan.reviewerId !== null && plan.reviewerId !== actor.userId) throw new AppError(403, 'forbidden', 'reports.notReviewer');
    if (plan.reviewerId === null && pre.prepared_by !== null && Number(pre.prepared_by) === actor.userId) throw new AppError(403, 'forbidden', 'reports.selfReview');
    if (!approve && !comment) throw AppError.field('reviewComment', 'required');
    const now = Date.now();
    const state = approve ? 'approved' : 'draft';
    return this.write(actor, pre, ['in_review'], { state, reviewed_at: now, reviewed_by: actor.userId || null, review_comment: comment }, approve ? 'approve' : 'reject', { state: 'in_review' }, { state, comment }, async (trx) => {
      const to = pre.prepared_by !== null ? [Number(pre.prepared_by)] : [];
      const outcome = approve ? t('zh-CN', 'reports.notify.reviewed.approved') : t('zh-CN', 'reports.notify.reviewed.returned', { comment });
      if (to.length) await this.notify(trx, 'report.review', to, pre, { key: 'reports.notify.reviewed.title', params: { number: pre.number, outcome } }, comment, now);
    });
  }

  // ------------------------------------------------------------ issue

  /**
   * Issues the current version: renders PDF, Word and Excel from the frozen figures and the
   * narratives, stores them (sha256 kept), marks the report issued and tells the customer's
   * admins (mail and in-app) in one transaction; a failure there removes the files again.
   */
  async issue(actor: Actor, id: number, version: number, chosen?: number[]): Promise<ReportOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    await this.checkVersion(pre, version);
    const plan = effectivePlan(await repo.findPlan(this.db, Number(pre.contract_id)));
    if (chosen) {
      const contract = await this.contractOf(pre);
      const problems = await recipientProblems(this.db, { id: contract.customerId, name: contract.customerName }, chosen);
      if (problems.length) throw AppError.validation(problems);
    }
    if (plan.reviewRequired && pre.state !== 'approved') {
      if (pre.state === 'draft' || pre.state === 'in_review') throw new AppError(409, 'review_required', 'reports.reviewRequired', { number: pre.number });
      throw wrongState(pre, 'issue', actor.locale);
    }
    if (pre.state !== 'draft' && pre.state !== 'approved') throw wrongState(pre, 'issue', actor.locale);
    const v = await this.currentVersion(pre);
    const now = Date.now();
    const doc = await this.document(pre, v, now, actor);
    const files = await renderStored(this.db, doc);
    try {
      const recipients = chosen ? [...new Set(chosen)] : (await recipientChoice(this.db, Number(pre.customer_id), plan.recipients)).selected;
      const set: Updateable<ServiceReportsTable> = { state: 'issued', issued_at: now, issued_by: actor.userId || null, first_issued_at: pre.first_issued_at ?? now, signed_at: null, signed_by: null, signer_name: null, returned_at: null, returned_by: null, customer_comment: null };
      return await this.write(actor, pre, ['draft', 'approved'], set, 'issue', { state: pre.state }, { state: 'issued', seq: v.seq, sha256: sumsOf(files), recipients }, async (trx) => {
        await claimFiles(trx, files);
        await repo.updateVersion(trx, Number(v.id), {
          ...fileColumns(files, ''),
          issued_at: now,
          issued_by: actor.userId || null,
        });
        if (recipients.length) {
          await this.notify(trx, 'report.issued', recipients, pre, { key: 'reports.notify.issued.title', params: { title: doc.title } }, { key: 'reports.notify.issued.body', params: { number: pre.number, seq: v.seq } }, now, `/portal/reports/${pre.id}`);
        }
      });
    } catch (err) {
      for (const b of Object.values(files)) await discardBlob(this.db, b.id).catch(() => {});
      throw err;
    }
  }

  // ------------------------------------------------------------ customer

  /** The customer's admin signs the issued report off (name, optional opinion); the PM is told. */
  async signoff(actor: Actor, id: number, version: number, signerName: string, opinion: string | null): Promise<ReportOut> {
    return this.customerAnswer(actor, id, version, signerName, opinion, true);
  }

  /** The customer's admin returns it with comments: back to the PM, a new version on re-issue. */
  async returnReport(actor: Actor, id: number, version: number, signerName: string, opinion: string): Promise<ReportOut> {
    return this.customerAnswer(actor, id, version, signerName, opinion, false);
  }

  private async customerAnswer(actor: Actor, id: number, version: number, signerName: string, opinion: string | null, sign: boolean): Promise<ReportOut> {
    if (actor.customerId === null) throw new AppError(403, 'forbidden', 'reports.customerOnly');
    const pre = await this.find(actor, id);
    await this.checkVersion(pre, version);
    if (pre.state !== 'issued') throw wrongState(pre, 'signoff', actor.locale);
    const now = Date.now();
    const set: Updateable<ServiceReportsTable> = sign
      ? { state: 'signed', signed_at: now, signed_by: actor.userId, signer_name: signerName, customer_comment: opinion }
      : { state: 'returned', returned_at: now, returned_by: actor.userId, signer_name: signerName, customer_comment: opinion };
    const v = await this.currentVersion(pre);
    const figures = JSON.parse(v.figures) as Figures;
    // The version is drawn again as answered (the issued files show empty signature lines); what the
    // customer and the PM download from now on says it was signed off, or carries the comments.
    const answeredRow = { ...pre, ...set } as repo.ReportRow;
    const files = await renderStored(this.db, await this.document(answeredRow, v, v.issued_at === null ? now : Number(v.issued_at)));
    try {
      return await this.write(actor, pre, ['issued'], set, sign ? 'signoff' : 'return', { state: 'issued' }, { state: set.state, signerName, opinion, seq: v.seq, sha256: sumsOf(files) }, async (trx) => {
        await claimFiles(trx, files);
        await repo.updateVersion(trx, Number(v.id), {
          ...fileColumns(files, 'answered_'),
          answered_state: set.state as string,
          answered_at: now,
        });
        const contract = await repo.findContract(trx, { kind: 'all' }, Number(pre.contract_id));
        const to = [...new Set([contract?.projectManagerId ?? null, pre.prepared_by === null ? null : Number(pre.prepared_by), pre.issued_by === null ? null : Number(pre.issued_by)].filter((x): x is number => x !== null))];
        const params = { number: pre.number, title: figures.title, signer: signerName, comment: opinion ?? '' };
        if (to.length) {
          await this.notify(trx, sign ? 'report.signed' : 'report.returned', to, pre, { key: sign ? 'reports.notify.signed.title' : 'reports.notify.returned.title', params }, { key: sign ? 'reports.notify.signed.body' : 'reports.notify.returned.body', params }, now);
        }
      });
    } catch (err) {
      for (const b of Object.values(files)) await discardBlob(this.db, b.id).catch(() => {});
      throw err;
    }
  }

  // ------------------------------------------------------------ versions

  /**
   * Starts a new version of an issued, signed or returned report: a copy of the current
   * figures and narratives, as a draft. The issued versions (and their files) stay as they were.
   */
  async newVersion(actor: Actor, id: number, version: number, note: string | null): Promise<ReportOut> {
    requireProvider(actor);
    const pre = await this.find(actor, id);
    await this.checkVersion(pre, version);
    if (!['issued', 'signed', 'returned'].includes(pre.state)) throw wrongState(pre, 'newVersion', actor.locale);
    const v = await this.currentVersion(pre);
    const seq = pre.current_seq + 1;
    const now = Date.now();
    return this.write(actor, pre, ['issued', 'signed', 'returned'], { state: 'draft', current_seq: seq, submitted_at: null, reviewed_at: null, reviewed_by: null, review_comment: null }, 'new_version', { state: pre.state, seq: pre.current_seq }, { state: 'draft', seq, note }, async (trx) => {
      await this.generator.insertVersion(trx, actor, Number(pre.id), seq, JSON.parse(v.figures) as Figures, JSON.parse(v.narratives) as Record<string, string>, now, note);
    });
  }

  // ------------------------------------------------------------ internals

  /** The caller read an older version: 409 naming the report, its version now and who changed it. */
  private async checkVersion(pre: repo.ReportRow, version: number): Promise<void> {
    if (pre.version !== version) throw await this.staleNamed(this.db, pre);
  }

  /** A report the caller may edit now: in scope, at the version read, draft or approved. */
  private async editable(actor: Actor, id: number, version: number): Promise<repo.ReportRow> {
    const pre = await this.find(actor, id);
    if (!(EDITABLE as readonly string[]).includes(pre.state)) throw notEditable(pre, actor.locale);
    await this.checkVersion(pre, version);
    return pre;
  }

  private async currentVersion(row: repo.ReportRow): Promise<repo.VersionRow> {
    const v = await repo.findVersion(this.db, Number(row.id), row.current_seq);
    if (!v) throw new Error(`report ${row.id} has no version ${row.current_seq}`);
    return v;
  }

  private async contractOf(row: repo.ReportRow): Promise<repo.ContractInfo> {
    const c = await repo.findContract(this.db, { kind: 'all' }, Number(row.contract_id));
    if (!c) throw AppError.notFound();
    return c;
  }

  /**
   * Applies a state change at the version read, runs `more` and records the audit entry, in one
   * transaction. A report changed meanwhile (version or state) is a 409 and nothing is written.
   */
  private async write(
    actor: Actor,
    pre: repo.ReportRow,
    states: readonly string[],
    set: Updateable<ServiceReportsTable>,
    action: string,
    before: unknown,
    after: unknown,
    more: (trx: Tx) => Promise<void>,
  ): Promise<ReportOut> {
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      if (!(await repo.updateReport(trx, Number(pre.id), pre.version, states, { ...set, updated_at: now, updated_by: actor.userId || null }))) {
        const current = await repo.findReport(trx, { scope: { kind: 'all' }, customerId: null }, Number(pre.id));
        if (current && current.version !== pre.version) throw await this.staleNamed(trx, current);
        throw current ? notEditable(current, actor.locale) : AppError.notFound();
      }
      await more(trx);
      await recordAudit(trx, auditActorOf(actor), { action, entity: 'service_reports', entityId: Number(pre.id), customerId: Number(pre.customer_id), before, after }, now);
    });
    return this.get(actor, Number(pre.id));
  }

  private async staleNamed(db: Db | Tx, current: repo.ReportRow): Promise<AppError> {
    const names = await repo.userNames(db, [current.updated_by]);
    const by = current.updated_by === null ? 'system' : (names.get(Number(current.updated_by)) ?? `#${current.updated_by}`);
    return new AppError(409, 'stale', 'reports.stale', { number: current.number, version: current.version, by });
  }

  private async notify(trx: Tx, type: NotifyEventType, recipients: number[], row: repo.ReportRow, title: { key: string; params: Record<string, unknown> }, body: { key: string; params: Record<string, unknown> } | string | null, now: number, link = `/reports/${row.id}`): Promise<void> {
    await emit(trx, { type, recipients, customerId: Number(row.customer_id), entity: 'service_reports', entityId: Number(row.id), title, body, link }, now);
  }

  /** The document the renderers draw (reports.document.ts). */
  async document(row: repo.ReportRow, v: repo.VersionRow, issuedAt: number | null, issuer?: Actor): Promise<ReportDocument> {
    return reportDocument(this.db, this.config, row, v, issuedAt, issuer);
  }
}

// ------------------------------------------------------------ rules

export function typeName(type: string, locale: Locale): string {
  if (!isReportType(type)) return type;
  return locale === 'en-US' ? REPORT_TYPES[type].en : REPORT_TYPES[type].zh;
}

function requireProvider(actor: Actor): void {
  if (actor.customerId !== null) throw new AppError(403, 'forbidden', 'reports.providerOnly');
}

function stateName(state: string, locale: Locale): string {
  return t(locale, `reports.state.${state}`);
}

function notEditable(row: repo.ReportRow, locale: Locale): AppError {
  return new AppError(409, 'not_editable', 'reports.notEditable', { number: row.number, state: stateName(row.state, locale) });
}

function wrongState(row: repo.ReportRow, action: string, locale: Locale): AppError {
  return new AppError(409, 'wrong_state', 'reports.wrongState', { number: row.number, state: stateName(row.state, locale), action: t(locale, `reports.action.${action}`) });
}

/** What the caller may do next (the UI shows these buttons; the server checks again on each). */
function allowedActions(actor: Actor, row: repo.ReportRow, reviewRequired: boolean, reviewerId: number | null): ReportOut['allowedActions'] {
  const out: ReportOut['allowedActions'] = [];
  if (actor.customerId !== null) {
    if (row.state === 'issued' && can(actor, 'reports.signoff')) out.push('signoff', 'return');
    return out;
  }
  if (!can(actor, 'reports.write')) return out;
  const s = row.state;
  if (s === 'draft' || s === 'approved') out.push('edit', 'refresh');
  if (s === 'draft') out.push('submit');
  const mayReview = reviewerId !== null ? reviewerId === actor.userId : row.prepared_by === null || Number(row.prepared_by) !== actor.userId;
  if (s === 'in_review' && mayReview) out.push('approve', 'reject');
  if (s === 'approved' || (s === 'draft' && !reviewRequired)) out.push('issue');
  if (s === 'issued' || s === 'signed' || s === 'returned') out.push('new_version');
  return out;
}
