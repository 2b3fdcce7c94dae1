import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.js';
import { SEARCH_KINDS, type SearchKind } from '../modules/search/indexer.js';
import { DEFAULT_BATCH, reindex } from '../modules/search/reindex.js';
import { Progress } from '../ops/progress.js';
import { openConfiguredDatabase } from '../runtime.js';

/** `search reindex [--kind K] [--restart] [--batch N]` (docs/SEARCH.md). */
export function registerSearchCommands(program: Command): void {
  const search = program.command('search').description('full-text search (docs/SEARCH.md)');
  search
    .command('reindex')
    .description('rebuild the full-text index from the records, kind by kind, with a progress bar on stderr; resumes an interrupted run (search keeps answering meanwhile)')
    .option('--kind <kind>', `only this kind (${SEARCH_KINDS.join(', ')})`, (v: string) => {
      if (!(SEARCH_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${SEARCH_KINDS.join(', ')}`);
      return v as SearchKind;
    })
    .option('--restart', 'start over instead of resuming an interrupted run')
    .option('--batch <n>', `records per transaction (default ${DEFAULT_BATCH})`, (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('a whole number from 1 to 10000');
      return n;
    })
    .action(async (opts: { kind?: SearchKind; restart?: boolean; batch?: number }) => {
      const database = openConfiguredDatabase(loadConfig());
      try {
        const bars = new Map<string, Progress>();
        const started = Date.now();
        const summary = await reindex(database.db, {
          kinds: opts.kind ? [opts.kind] : undefined,
          restart: opts.restart,
          batchSize: opts.batch,
          onProgress: ({ kind, done, total }) => {
            let bar = bars.get(kind);
            if (!bar) bars.set(kind, (bar = new Progress(`search ${kind}`, total, 'records')));
            bar.update(done);
          },
        });
        for (const s of summary) console.log(`${s.kind}: ${s.indexed} indexed${s.resumedFrom !== null ? ` (resumed after id ${s.resumedFrom})` : ''}, ${s.removed} stale removed, ${(s.ms / 1000).toFixed(1)} s`);
        console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await database.close();
      }
    });
}
