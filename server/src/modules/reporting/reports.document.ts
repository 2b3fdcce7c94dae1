import { Readable } from 'node:stream';
import type { Config } from '../../config.js';
import type { Updateable } from 'kysely';
import type { Db, Tx } from '../../db/index.js';
import type { ServiceReportVersionsTable } from '../../db/schema.js';
import { instantToZoned } from '../../core/calendar/tz.js';
import type { ReportDocument } from '../../core/reporting/document.js';
import type { Actor } from '../../platform/auth/actor.js';
import { claimBlob, discardBlob, writeBlob, type WrittenBlob } from '../../platform/files/store.js';
import { AppError } from '../../platform/http/errors.js';
import { t, type Locale } from '../../platform/i18n/index.js';
import { zoneOffset } from '../../platform/pdf/draw.js';
import { providerNameOf } from '../../platform/settings/index.js';
import { REPORT_MIME, renderReport, type ReportFormat } from './render/index.js';
import type { Figures } from './reports.generate.service.js';
import * as repo from './reports.repo.js';
import { letterheadOf } from './reports.templates.service.js';

/**
 * A report version as the renderers draw it, and its three files written to the file store: what
 * the issue stores, and what the customer's answer (sign-off or return) stores again with the
 * answer printed on it.
 */

/** The frozen figures, the narratives, the letterhead, who did what, and the customer's answer once given. */
export async function reportDocument(db: Db, config: Config, row: repo.ReportRow, v: repo.VersionRow, issuedAt: number | null, issuer?: Actor): Promise<ReportDocument> {
  const figures = JSON.parse(v.figures) as Figures;
  const narratives = JSON.parse(v.narratives) as Record<string, string>;
  const [providerName, letterhead, names] = await Promise.all([providerNameOf(db, config), letterheadOf(db), repo.userNames(db, [row.prepared_by, row.reviewed_by, row.issued_by])]);
  const locale = figures.locale;
  const local = (ms: number) => {
    const z = instantToZoned(ms, row.time_zone);
    return `${z.date} ${z.time}`;
  };
  return {
    title: figures.title,
    number: row.number,
    version: v.seq,
    locale,
    providerName: providerName ?? '',
    customerName: figures.customerName,
    contractName: figures.contractName,
    periodLabel: figures.periodLabel,
    periodFrom: figures.periodFrom,
    periodTo: figures.periodTo,
    generatedAt: local(figures.generatedAt),
    issuedAt: issuedAt === null ? null : local(issuedAt),
    // No preparer recorded (the generation job made the draft): the issuer, as when it was issued.
    preparedBy: row.prepared_by !== null ? (names.get(Number(row.prepared_by)) ?? null) : (issuer?.displayName ?? (row.issued_by === null ? null : (names.get(Number(row.issued_by)) ?? null))),
    reviewedBy: row.reviewed_by === null ? null : (names.get(Number(row.reviewed_by)) ?? null),
    letterhead: { text: letterhead.text, logo: letterhead.logo },
    sections: figures.sections
      .filter((s) => !s.hidden && s.kind !== 'cover')
      .map((s) => ({
        key: s.key,
        title: s.title,
        blocks: s.kind === 'narrative' ? [{ type: 'text' as const, text: narratives[s.key]?.trim() || t(locale, 'reports.text.narrativeEmpty') }] : s.blocks,
      })),
    signoff: answerOf(row, locale, local),
  };
}

/** The customer's answer as the documents print it: signed off or returned, the local time and the zone named. */
function answerOf(row: repo.ReportRow, locale: Locale, local: (ms: number) => string): ReportDocument['signoff'] {
  const at = row.state === 'signed' ? row.signed_at : row.state === 'returned' ? row.returned_at : null;
  if (at === null || !row.signer_name) return null;
  const zone = `${row.time_zone}${locale === 'en-US' ? ', ' : '，'}${zoneOffset(Number(at), row.time_zone)}`;
  return { outcome: row.state === 'returned' ? 'returned' : 'signed', signerName: row.signer_name, signedAt: local(Number(at)), comment: row.customer_comment, zone };
}

/**
 * Renders PDF, Word and Excel and writes them to the file store, not yet claimed: the caller
 * claims them in its transaction, or discards them when that fails. A failed render leaves
 * nothing behind.
 */
export async function renderStored(db: Db, doc: ReportDocument): Promise<Record<ReportFormat, WrittenBlob>> {
  const written: WrittenBlob[] = [];
  try {
    const files: Partial<Record<ReportFormat, WrittenBlob>> = {};
    for (const format of ['pdf', 'docx', 'xlsx'] as const) {
      let bytes: Buffer;
      try {
        bytes = await renderReport(doc, format);
      } catch (err) {
        throw new AppError(500, 'render_failed', 'reports.renderFailed', { reason: err instanceof Error ? err.message : String(err) });
      }
      const blob = await writeBlob(db, Readable.from([bytes]));
      written.push(blob);
      files[format] = blob;
    }
    return files as Record<ReportFormat, WrittenBlob>;
  } catch (err) {
    for (const b of written) await discardBlob(db, b.id).catch(() => {});
    throw err;
  }
}

/** The files' sha256 by format, for the audit entry. */
export function sumsOf(files: Record<ReportFormat, WrittenBlob>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, b]) => [k, b.sha256]));
}

/** Claims the rendered files in the transaction that records them (until then they are pending). */
export async function claimFiles(trx: Tx, files: Record<ReportFormat, WrittenBlob>): Promise<void> {
  for (const [format, blob] of Object.entries(files)) await claimBlob(trx, blob.id, REPORT_MIME[format as ReportFormat]);
}

/** The version's columns for the files: the issued ones (no prefix) or those rendered with the customer's answer. */
export function fileColumns(files: Record<ReportFormat, WrittenBlob>, prefix: '' | 'answered_'): Updateable<ServiceReportVersionsTable> {
  const out: Record<string, number | string> = {};
  for (const format of ['pdf', 'docx', 'xlsx'] as const) {
    out[`${prefix}${format}_blob_id`] = files[format].id;
    out[`${prefix}${format}_sha256`] = files[format].sha256;
    out[`${prefix}${format}_size`] = files[format].size;
  }
  return out as Updateable<ServiceReportVersionsTable>;
}
