import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EvidenceService, checkPeriod, packFileName } from '../modules/reporting/evidence/service.js';
import { Progress, fmt } from '../ops/progress.js';
import { AppError } from '../platform/http/errors.js';
import { findCjkFont } from '../platform/pdf/fonts.js';
import { CLI_WHO, withDatabase } from './accounts.js';

/** `evidence export`: a customer's evidence pack for an ended period, written to a zip file (docs/EVIDENCE.md). */
export function registerEvidenceCommands(program: Command): void {
  program
    .command('evidence')
    .description('evidence packs for ITSS audits')
    .command('export')
    .description('write one customer\'s evidence pack for an ended period: index (HTML, Excel) mapping the ITSS requirements to the files, every ticket as PDF with its SLA outcome, the signed repair reports, satisfaction, the audit-log extract and the hash chain\'s verification')
    .requiredOption('--customer <code|id>', 'the customer\'s code (e.g. HOSP01) or id')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD, in the customer\'s time zone')
    .requiredOption('--to <date>', 'last day of the period (inclusive); the period must have ended')
    .option('--out <file>', 'the zip to write (default: evidence-<code>-<from>-<to>.zip)')
    .option('--force', 'overwrite the output file when it exists')
    .action((opts: { customer: string; from: string; to: string; out?: string; force?: boolean }) =>
      withDatabase(async (database, config) => {
        const service = new EvidenceService(database.db, findCjkFont(config.pdf));
        const customer = await service.customerByRef(opts.customer);
        const period = checkPeriod(customer, opts.from.trim(), opts.to.trim(), Date.now());
        const file = path.resolve(opts.out ?? packFileName(customer, period));
        if (fs.existsSync(file) && !opts.force) throw AppError.field('out', 'evidence.out.exists', { file });
        console.log(`evidence pack of ${customer.name} (${customer.code}), ${period.from} to ${period.to} (${customer.timeZone}) → ${file}`);
        const started = performance.now();
        let bar: Progress | null = null;
        const summary = await service.exportToFile(CLI_WHO, customer, period, file, (done, total) => (bar ??= new Progress('证据包 files', total, 'files')).update(done));
        const seconds = (performance.now() - started) / 1000;
        const { plan, result } = summary;
        console.log(`written: ${fmt(result.files.length)} files, ${fmt(plan.tickets.length)} tickets, ${fmt(plan.repairReports.length)} signed repair reports, ${fmt(plan.auditRows)} audit rows; ${fmt(summary.bytes)} bytes in ${seconds.toFixed(1)} s`);
        console.log(`manifest.json sha256: ${result.manifestSha256}`);
        const c = plan.chain;
        console.log(c.ok ? `audit chain (the pack's part, rows 1..${c.lastId ?? 0}): verified` : `audit chain (the pack's part): FAILED at row ${c.firstBadId} (${c.reason})`);
        const w = plan.chainAtExport;
        console.log(w.ok ? `audit chain (whole, now): ${fmt(w.checked)} rows verified` : `audit chain (whole, now): FAILED at row ${w.firstBadId}; ${fmt(w.checked)} rows verified before it`);
        if (!c.ok) process.exitCode = 1;
      }),
    );
}
