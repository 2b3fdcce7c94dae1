import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import { zonedToInstant } from '../../../core/calendar/index.js';
import type { Db } from '../../../db/index.js';
import { openBlob } from '../../../platform/files/store.js';
import { NOT_RECORDED_ZH } from '../../../core/reporting/evidence-map.js';
import { chainSentence, renderIndexHtml, resolveEvidence } from './index-html.js';
import { CHANNEL_ZH, describeEvent, KIND_ZH, label, LEVEL_ZH, localTime, NONE, STATE_ZH } from './labels.js';
import { PackCancelled, PATHS, type ManifestFile, type PackOptions, type PackPlan, type PackResult, type TicketLine } from './plan.js';
import * as repo from './repo.js';
import { PdfPool, pdfThreads } from './pdf-pool.js';
import type { TicketDoc } from './ticket-pdf.js';
import { indexWorkbook, knowledgeWorkbook, satisfactionWorkbook, ticketsWorkbook } from './workbooks.js';
import { cmdbFileCount, cmdbFiles } from './cmdb.js';

/** Tickets whose timelines are read per query while their PDFs are drawn. */
const PDF_BATCH = 100;
const AUDIT_BATCH = 2000;
const CANCEL_CHECK_EVERY = 25;

export const PACK_FORMAT = 'yunwei-evidence-pack';
export const PACK_VERSION = 1;

/** How many files the pack will hold: the denominator of the progress bar. */
export function fileCount(plan: PackPlan): number {
  const repairFiles = plan.repairReports.reduce((n, r) => n + (r.pdf ? 1 : 0) + (r.scan ? 1 : 0), 0);
  return 8 + cmdbFileCount(plan.cmdb) + plan.tickets.length + repairFiles + plan.serviceReports.reduce((n, r) => n + 1 + (r.signedPdf ? 1 : 0), 0);
}

/**
 * Writes the pack as a zip stream. Entries go out one at a time in a fixed order (index, Excel
 * summaries, audit, tickets by number, repair reports by number, manifest last), each dated the
 * period's last day and streamed through the zip with backpressure, so memory holds one file, not
 * the archive. `finished` resolves with every file's sha256 once the last byte is handed on; the
 * caller consumes `output` (to a file, or into the database's file store).
 */
export function writePack(db: Db, plan: PackPlan, opts: PackOptions): { output: Readable; finished: Promise<PackResult> } {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as unknown as Readable;
  // A DOS date is local wall time: built from the date's fields so every machine writes the same bytes.
  const [y, m, d] = plan.period.to.split('-').map(Number);
  const zipDate = new Date(y, m - 1, d, 0, 0, 0);
  const asOf = new Date(plan.asOf);
  const total = fileCount(plan);
  const files: ManifestFile[] = [];
  let failed: Error | null = null;
  const stop = new Promise<never>((_, reject) => {
    const fail = (err: Error) => {
      failed ??= err;
      reject(err);
    };
    output.once('error', fail);
    output.once('close', () => fail(new Error('the evidence pack\'s output was closed before the pack was complete')));
  });
  stop.catch(() => {});
  const guard = <T>(p: Promise<T>) => Promise.race([p, stop]);

  /** One entry: its bytes (or a stream of them) hashed on the way into the zip. */
  const add = async (path: string, content: Buffer | string | AsyncIterable<Buffer>, compress: boolean) => {
    if (failed) throw failed;
    const pass = new PassThrough();
    zip.addReadStream(pass, path, { mtime: zipDate, forceDosTimestamp: true, compress });
    const hash = createHash('sha256');
    let size = 0;
    const pieces = typeof content === 'string' ? [Buffer.from(content)] : Buffer.isBuffer(content) ? [content] : content;
    for await (const piece of pieces) {
      hash.update(piece);
      size += piece.length;
      if (!pass.write(piece)) await guard(once(pass, 'drain'));
    }
    pass.end();
    await guard(finished(pass));
    files.push({ path, sha256: hash.digest('hex'), size });
    await opts.progress?.(files.length, total);
    if (files.length % CANCEL_CHECK_EVERY === 0 && (await opts.cancelled?.())) throw new PackCancelled();
  };

  const run = async (): Promise<PackResult> => {
    const evidence = resolveEvidence(plan);
    await add(PATHS.indexHtml, renderIndexHtml(plan, evidence), true);
    await add(PATHS.indexXlsx, await indexWorkbook(plan, evidence, asOf, zipDate), false);
    await add(PATHS.tickets, await ticketsWorkbook(plan, asOf, zipDate), false);
    await add(PATHS.satisfaction, await satisfactionWorkbook(plan, asOf, zipDate), false);
    await add(PATHS.knowledge, await knowledgeWorkbook(plan, asOf, zipDate), false);
    for await (const f of cmdbFiles(db, plan, opts.font, opts.config ?? { providerName: null }, asOf, zipDate)) await add(f.path, f.content, f.compress);
    await add(PATHS.auditLog, auditCsv(db, plan), true);
    await add(PATHS.chain, chainText(plan), true);
    const pool = new PdfPool(opts.font, pdfThreads(plan.tickets.length));
    try {
      // A batch's timelines are read and all its PDFs handed to the threads at once; the next batch
      // is started before this one is zipped, so the threads do not wait for the database.
      const start = (i: number) =>
        ticketDocs(db, plan, plan.tickets.slice(i, i + PDF_BATCH)).then((docs) =>
          docs.map(({ line, doc }) => {
            const pdf = pool.render(doc, asOf);
            pdf.catch(() => {});
            return { line, pdf };
          }),
        );
      let next = plan.tickets.length ? start(0) : null;
      for (let i = 0; next; i += PDF_BATCH) {
        const drawn = await next;
        next = i + PDF_BATCH < plan.tickets.length ? start(i + PDF_BATCH) : null;
        next?.catch(() => {});
        for (const d of drawn) await add(d.line.file, await d.pdf, false);
      }
    } finally {
      await pool.close();
    }
    // Stored documents go in as stored (signed repair reports, issued and signed service reports): read from the file store, never rendered again.
    for (const r of plan.repairReports) {
      if (r.pdf) await add(r.pdf.file, (await openBlob(db, r.pdf.blobId)).stream, false);
      if (r.scan) await add(r.scan.file, (await openBlob(db, r.scan.blobId)).stream, false);
    }
    for (const r of plan.serviceReports) {
      await add(r.pdf.file, (await openBlob(db, r.pdf.blobId)).stream, false);
      if (r.signedPdf) await add(r.signedPdf.file, (await openBlob(db, r.signedPdf.blobId)).stream, false);
    }
    const manifest = `${JSON.stringify(manifestOf(plan, files), null, 2)}\n`;
    await add(PATHS.manifest, manifest, true);
    zip.end();
    return { files, manifestSha256: createHash('sha256').update(manifest).digest('hex') };
  };
  const done = run().catch((err: Error) => {
    output.destroy(err);
    throw err;
  });
  return { output, finished: done };
}

function manifestOf(plan: PackPlan, files: ManifestFile[]) {
  return {
    format: PACK_FORMAT,
    version: PACK_VERSION,
    customer: { code: plan.customer.code, name: plan.customer.name, timeZone: plan.customer.timeZone },
    period: { from: plan.period.from, to: plan.period.to, start: new Date(plan.period.start).toISOString(), end: new Date(plan.period.end).toISOString() },
    asOf: new Date(plan.asOf).toISOString(),
    counts: { tickets: plan.tickets.length, repairReports: plan.repairReports.length, serviceReports: plan.serviceReports.length, ratings: plan.ratings.length, knowledgeSaves: plan.knowledge.saves.length, auditRows: plan.auditRows, assets: plan.cmdb.assets, campaigns: plan.cmdb.campaigns.length, devices: plan.cmdb.devices, requisitionSlips: plan.cmdb.slips.length, repairOrders: plan.cmdb.orders.length },
    auditChain: { ok: plan.chain.ok, rows: plan.chain.rows, lastId: plan.chain.lastId, lastHash: plan.chain.lastHash, firstBadId: plan.chain.firstBadId, reason: plan.chain.reason },
    notRecorded: { inspections: NOT_RECORDED_ZH, changes: NOT_RECORDED_ZH, emergencies: NOT_RECORDED_ZH, drills: NOT_RECORDED_ZH },
    files,
  };
}

function chainText(plan: PackPlan): string {
  const c = plan.chain;
  return [
    '审计日志哈希链校验 / Audit log hash chain verification',
    '',
    `结果：${chainSentence(plan)}`,
    `范围：${c.lastId === null ? '无' : `第 1 条至第 ${c.lastId} 条，共 ${c.rows} 条`}`,
    `范围内最后一条的哈希：${c.lastHash ?? NONE}`,
    `期间结束：${localTime(plan.period.end, plan.customer.timeZone)}（${plan.customer.timeZone}）`,
    '',
    '说明：',
    '1. 审计日志是全系统（所有客户）共用的一条哈希链，每条记录带前一条记录的哈希；修改或删除任何一条都会使链在该处断开。',
    '2. 导出时整条链均已校验；本文件陈述到期间结束为止写入的链段，因此同一期间再次导出结果相同。导出时整条链的校验结果记录在系统的导出记录中。',
    `3. 本客户在期间内的审计记录见 ${PATHS.auditLog}（每行带该记录的哈希，可与数据库核对）。`,
    '4. 复核方法：在服务器上运行 `yunwei audit verify`。',
    '',
    `Result: ${c.ok ? 'VERIFIED' : `FAILED at row ${c.firstBadId} (${c.reason})`}; rows 1..${c.lastId ?? 0} (${c.rows} rows), the part of the chain written before the period's end.`,
    '',
  ].join('\n');
}

const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The customer's audit rows of the period as CSV (UTF-8 with BOM, so Excel reads the Chinese), read in keyset batches. */
async function* auditCsv(db: Db, plan: PackPlan): AsyncGenerator<Buffer> {
  yield Buffer.from(`\ufeff${['序号', '时间', '操作人', 'IP', '操作', '对象', '对象ID', '变更前', '变更后', '哈希'].join(',')}\r\n`);
  let after: { at: number; id: number } | null = null;
  for (;;) {
    const rows = await repo.auditRows(db, plan.customer.id, plan.period.start, plan.period.end, after, AUDIT_BATCH);
    if (!rows.length) return;
    after = { at: rows[rows.length - 1].at, id: Number(rows[rows.length - 1].id) };
    yield Buffer.from(rows.map((r) => [r.id, localTime(r.at, plan.customer.timeZone), r.actor_name, r.ip, r.action, r.entity, r.entity_id, r.before, r.after, r.hash].map(csvCell).join(',')).join('\r\n') + '\r\n');
    if (rows.length < AUDIT_BATCH) return;
  }
}

/** The full records behind a batch of ticket lines, shaped for the PDF. */
async function ticketDocs(db: Db, plan: PackPlan, lines: TicketLine[]): Promise<Array<{ line: TicketLine; doc: TicketDoc }>> {
  const ids = lines.map((l) => l.id);
  const [rows, events, teams, sites] = await Promise.all([repo.ticketsByIds(db, ids), repo.eventsOf(db, ids), repo.teamNames(db), repo.siteNames(db, plan.customer.id)]);
  const userIds = new Set<number>();
  for (const r of rows) if (r.assignee_id) userIds.add(Number(r.assignee_id));
  for (const e of events) {
    if (e.actor_id) userIds.add(Number(e.actor_id));
    const d = JSON.parse(e.data) as Record<string, unknown>;
    for (const k of ['assigneeId', 'toUserId', 'previousAssigneeId']) if (typeof d[k] === 'number') userIds.add(d[k] as number);
  }
  const [users, contacts] = await Promise.all([repo.userNames(db, [...userIds]), repo.contactNames(db, rows.map((r) => r.contact_id).filter((v): v is number => v !== null).map(Number))]);
  const names = { user: (id: number | null | undefined) => (id ? (users.get(Number(id)) ?? `#${id}`) : NONE), team: (id: number | null | undefined) => (id ? (teams.get(Number(id)) ?? `#${id}`) : NONE) };
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const eventsBy = new Map<number, typeof events>();
  for (const e of events) {
    const k = Number(e.ticket_id);
    const list = eventsBy.get(k);
    if (list) list.push(e);
    else eventsBy.set(k, [e]);
  }
  const reportsBy = new Map<number, string[]>();
  for (const r of plan.repairReports) reportsBy.set(r.ticketId, [...(reportsBy.get(r.ticketId) ?? []), r.number]);
  return lines.map((line) => {
    const t = byId.get(line.id);
    if (!t) throw new Error(`ticket ${line.number} disappeared while the evidence pack was written`);
    const doc: TicketDoc = {
      number: t.number,
      title: t.title,
      kind: label(KIND_ZH, t.kind),
      customerName: plan.customer.name,
      contractName: line.contract,
      priority: line.priority,
      impact: label(LEVEL_ZH, t.impact),
      urgency: label(LEVEL_ZH, t.urgency),
      state: label(STATE_ZH, t.state),
      channel: label(CHANNEL_ZH, t.channel),
      caller: (t.contact_id ? contacts.get(Number(t.contact_id)) : null) ?? ([t.caller_name, t.caller_phone].filter(Boolean).join(' ') || NONE),
      siteName: t.site_id ? (sites.get(Number(t.site_id)) ?? NONE) : NONE,
      service: t.service ?? NONE,
      category: t.category ?? NONE,
      handler: line.handler,
      description: t.description,
      resolution: t.resolution,
      times: [
        ['报告时间', t.reported_at],
        ['响应时间', t.responded_at],
        ['到场时间', t.onsite_at],
        ['解决时间', t.resolved_at],
        ['关闭时间', t.closed_at],
        ['取消时间', t.cancelled_at],
      ],
      sla: line.sla,
      rating: line.rating,
      repairReports: reportsBy.get(line.id) ?? [],
      events: (eventsBy.get(line.id) ?? []).map((e) => ({ at: e.at, actor: e.actor_id ? names.user(e.actor_id) : '系统', internal: e.visibility === 'internal', text: describeEvent(e.type, JSON.parse(e.data), names) })),
      timeZone: plan.customer.timeZone,
    };
    return { line, doc };
  });
}

/** [start, end) of the local dates `from`…`to` (both inclusive) in the customer's zone. */
export function periodInstants(from: string, to: string, timeZone: string): { start: number; end: number } {
  const next = new Date(`${to}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return { start: zonedToInstant(from, '00:00', timeZone), end: zonedToInstant(next.toISOString().slice(0, 10), '00:00', timeZone) };
}

