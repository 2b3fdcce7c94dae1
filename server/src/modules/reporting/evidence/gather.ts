import type { Db } from '../../../db/index.js';
import { verifyChain } from '../../../platform/audit/service.js';
import { REPORT_TYPES, type ReportType } from '../../../core/reporting/templates.js';
import { instantToZoned } from '../../../core/calendar/index.js';
import { weeksCovering } from '../../../core/knowledge/week.js';
import { numberOf as articleNumber } from '../../knowledge/service.js';
import { slaOutcome } from './labels.js';
import { PATHS, type ChainStatement, type KnowledgeSave, type KnowledgeWeek, type PackCustomer, type PackPeriod, type PackPlan, type RepairReportEntry, type TicketLine } from './plan.js';
import * as repo from './repo.js';
import { priorityNames } from '../metrics.repo.js';
import { gatherCmdb } from './cmdb.js';

/** Tickets read per query while gathering (their SLA rows and ratings come with them, a query each). */
const BATCH = 500;

/**
 * Gathers what the pack holds: the period's tickets with their SLA outcome and rating, the signed
 * repair reports, the ratings given in the period, the size of the audit extract, and the hash
 * chain's verification. The customer was found in the caller's scope before this runs.
 */
export async function gatherPlan(db: Db, customer: PackCustomer, period: PackPeriod): Promise<PackPlan> {
  const contracts = await repo.contractsOf(db, customer.id);
  const contractName = new Map(contracts.map((c) => [Number(c.id), c.name]));
  const teams = await repo.teamNames(db);
  const tickets: TicketLine[] = [];
  const repairReports: RepairReportEntry[] = [];
  let after: { at: number; id: number } | null = null;
  for (;;) {
    const rows = await repo.ticketsReported(db, customer.id, period.start, period.end, after, BATCH);
    if (!rows.length) break;
    after = { at: rows[rows.length - 1].reported_at, id: rows[rows.length - 1].id };
    const ids = rows.map((r) => r.id);
    const [sla, ratings, reports, users] = await Promise.all([
      repo.slaOf(db, ids),
      repo.ratingsOfTickets(db, ids),
      repo.signedRepairReports(db, ids),
      repo.userNames(db, [...new Set(rows.map((r) => r.assignee_id).filter((v): v is number => v !== null))]),
    ]);
    // Priorities as the contract's matrix names them, with the code: 紧急（P1）.
    const priorityName = await priorityNames(db, [...new Set(rows.map((r) => r.priority))]);
    const slaBy = groupBy(sla, (s) => Number(s.ticket_id));
    const ratingBy = new Map(ratings.map((r) => [Number(r.ticket_id), r]));
    const numberOf = new Map(rows.map((r) => [r.id, r.number]));
    for (const t of rows) {
      const rating = ratingBy.get(t.id);
      tickets.push({
        id: t.id,
        number: t.number,
        kind: t.kind,
        title: t.title,
        priority: priorityName.has(t.priority) ? `${priorityName.get(t.priority)}（${t.priority}）` : t.priority,
        state: t.state,
        channel: t.channel,
        contract: contractName.get(Number(t.contract_id)) ?? String(t.contract_id),
        handler: [t.team_id ? teams.get(Number(t.team_id)) : null, t.assignee_id ? users.get(Number(t.assignee_id)) : null].filter(Boolean).join(' / ') || '—',
        reportedAt: t.reported_at,
        respondedAt: t.responded_at,
        resolvedAt: t.resolved_at,
        closedAt: t.closed_at,
        cancelledAt: t.cancelled_at,
        sla: (slaBy.get(t.id) ?? []).sort((a, b) => METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric)).map(slaOutcome),
        rating: rating ? { score: rating.score, comment: rating.comment, ratedAt: rating.rated_at } : null,
        file: PATHS.ticketPdf(t.number),
      });
    }
    for (const r of reports)
      repairReports.push({
        id: Number(r.id),
        ticketId: Number(r.ticket_id),
        ticketNumber: numberOf.get(Number(r.ticket_id)) ?? '',
        number: r.number,
        signerName: r.signer_name,
        signedAt: r.signed_at,
        signedVia: r.signed_via,
        pdf: r.pdf_blob_id === null ? null : { blobId: Number(r.pdf_blob_id), sha256: r.pdf_sha256, file: PATHS.repairPdf(r.number) },
        scan: r.scan_blob_id === null ? null : { blobId: Number(r.scan_blob_id), sha256: r.scan_sha256, mime: r.scan_mime, file: PATHS.repairScan(r.number, r.scan_mime) },
      });
    if (rows.length < BATCH) break;
  }
  // Files in a fixed order: by record number (code-unit order, the same on every machine).
  tickets.sort((a, b) => cmp(a.number, b.number));
  repairReports.sort((a, b) => cmp(a.number, b.number));

  const ratings = (await repo.ratingsGiven(db, customer.id, period.start, period.end)).map((r) => ({
    number: r.number,
    title: r.title,
    kind: r.kind,
    score: r.score,
    comment: r.comment,
    ratedAt: r.rated_at,
    ratedBy: r.user_name ?? r.contact_name ?? '—',
  }));
  const serviceReports = (await repo.issuedServiceReports(db, customer.id, period.from, period.to)).map((r) => ({
    number: r.number,
    type: r.type,
    typeZh: REPORT_TYPES[r.type as ReportType]?.zh ?? r.type,
    period: r.period,
    state: r.state,
    seq: r.seq,
    issuedAt: r.issued_at,
    signedAt: r.signed_at,
    signerName: r.signer_name,
    pdf: { blobId: Number(r.pdf_blob_id), sha256: r.pdf_sha256, file: PATHS.serviceReport(r.number, r.seq) },
    signedPdf: r.state === 'signed' && r.answered_state === 'signed' && r.answered_pdf_blob_id !== null ? { blobId: Number(r.answered_pdf_blob_id), sha256: r.answered_pdf_sha256, file: PATHS.serviceReportSigned(r.number, r.seq) } : null,
  }));
  const knowledge = await knowledgeRecord(db, customer, period);
  const auditRows = await countAudit(db, customer.id, period);
  const cmdb = await gatherCmdb(db, customer, period);
  const full = await verifyChain(db);
  return {
    customer,
    contracts: contracts.map((c) => ({ code: c.code, name: c.name, startsOn: c.starts_on, endsOn: c.ends_on })),
    period,
    asOf: period.end,
    tickets,
    repairReports,
    serviceReports,
    ratings,
    knowledge,
    auditRows,
    cmdb,
    chain: await chainStatement(db, period.end, full),
    chainAtExport: { ok: full.ok, checked: full.checked, firstBadId: full.firstBadId },
  };
}

const METRIC_ORDER = ['response', 'diagnosis', 'onsite', 'resolution'];
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function groupBy<T>(rows: T[], key: (r: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/**
 * The knowledge base's "updated weekly" record for the pack (R12): every week (Monday to Sunday in
 * the customer's zone) that holds a day of the period, with the articles created and updated in it
 * — a version 1 is a creation, any later version an update, as in the knowledge module's own weekly
 * record — counting only saves inside the period, so a week cut by the period's edge says so.
 */
async function knowledgeRecord(db: Db, customer: PackCustomer, period: PackPeriod): Promise<PackPlan['knowledge']> {
  const tz = customer.timeZone;
  const rows = await repo.knowledgeVersions(db, customer.id, period.start, period.end);
  const spans = weeksCovering(period.from, period.to, tz);
  const saves: KnowledgeSave[] = rows.map((r) => {
    const at = Number(r.created_at);
    let title = r.title;
    try {
      const content = JSON.parse(r.content) as { title?: unknown };
      if (typeof content.title === 'string' && content.title) title = content.title;
    } catch {
      // An unreadable snapshot: the article's title now.
    }
    const week = spans.find((w) => at >= w.from && at < w.to)?.start ?? '';
    return { at, week, number: articleNumber(Number(r.article_id)), title, kind: r.kind, ownCustomer: r.customer_id !== null, version: Number(r.version), change: r.change, author: r.author_name };
  });
  const weeks: KnowledgeWeek[] = spans.map((w) => {
    const sunday = instantToZoned(w.to - 1, tz).date;
    const from = w.start < period.from ? period.from : w.start;
    const to = sunday > period.to ? period.to : sunday;
    const inWeek = saves.filter((x) => x.week === w.start);
    const created = inWeek.filter((x) => x.version === 1).length;
    return { week: w.start, from, to, partial: from !== w.start || to !== sunday, created, updated: inWeek.length - created };
  });
  return { weeks, saves };
}

async function countAudit(db: Db, customerId: number, period: PackPeriod): Promise<number> {
  const r = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId)
    .where('at', '>=', period.start)
    .where('at', '<', period.end)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * The chain is installation-wide and keeps growing (this export's own audit row among the next
 * ones), so the pack states the verification of the part written before the period's end: the
 * whole chain was walked, and every row before the first bad one verified. Stated this way, two
 * exports of one period say the same thing unless a row of that part was touched.
 */
async function chainStatement(db: Db, end: number, full: { ok: boolean; firstBadId: number | null; reason: 'altered' | 'removed' | null }): Promise<ChainStatement> {
  const upTo = await repo.chainUpTo(db, end);
  if (!upTo) return { ok: full.ok || full.firstBadId === null, rows: 0, lastId: null, lastHash: null, firstBadId: null, reason: null };
  const badInside = !full.ok && full.firstBadId !== null && full.firstBadId <= upTo.lastId;
  return { ok: !badInside, rows: upTo.rows, lastId: upTo.lastId, lastHash: upTo.lastHash, firstBadId: badInside ? full.firstBadId : null, reason: badInside ? full.reason : null };
}
