/**
 * Generates a realistic, deterministic data set for the benchmarks (or a demo of scale):
 *
 *   npm run generate -w bench -- --tickets 100000 [--db sqlite:FILE | --db postgres://…] [--schema bench]
 *                                [--seed 42] [--now 2026-11-20T08:00:00Z] [--replace]
 *
 * The same options give the same data. `--now` (default: the start of the current minute) is the
 * instant the history ends at; it is printed so a run can be repeated exactly. The target must
 * be empty; `--replace` deletes the SQLite file or drops the PostgreSQL schema first.
 * To serve a generated SQLite file, name it yunwei.db and point DATA_DIR at its folder.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset } from './gen/index.js';
import { BENCH_PASSWORD } from './gen/organisation.js';
import { describeTarget, parseTarget, resetTarget } from './lib/target.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Args {
  [key: string]: string | boolean | undefined;
}

/** `--name value` and `--flag` pairs. */
export function parseArgs(argv: string[]): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out[name] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[name] = argv[++i];
    else out[name] = true;
  }
  return out;
}

export function intArg(args: Args, name: string, fallback: number): number {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${String(v)}`);
  return n;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tickets = intArg(args, 'tickets', 10_000);
  const seed = intArg(args, 'seed', 42);
  const now = typeof args.now === 'string' ? Date.parse(args.now) : Math.floor(Date.now() / 60_000) * 60_000;
  if (Number.isNaN(now)) throw new Error('--now must be an ISO instant');
  const spec = typeof args.db === 'string' ? args.db : `sqlite:${path.resolve(here, `../data/bench-${tickets}/yunwei.db`)}`;
  const target = parseTarget(spec, typeof args.schema === 'string' ? args.schema : undefined);
  if (args.replace) await resetTarget(target);
  console.error(`generating ${tickets.toLocaleString('en-US')} tickets into ${describeTarget(target)} (seed ${seed}, now ${new Date(now).toISOString()})`);
  const summary = await generateDataset(target, { tickets, seed, now, progress: true, log: (l) => console.error(l) });
  console.error(
    `done in ${summary.seconds.total} s (setup ${summary.seconds.setup} s, load ${summary.seconds.load} s, indexes ${summary.seconds.indexes} s, finalize ${summary.seconds.finalize} s; ` +
      `CPU ${summary.cpuSeconds} s in this process): ${Object.entries(summary.rows).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}; ${summary.open.toLocaleString('en-US')} open`,
  );
  console.error(`every generated user's password: ${BENCH_PASSWORD} (admin, desk0001 …)`);
  const { agentIds: _ids, ...printable } = summary;
  console.log(JSON.stringify(printable, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : err);
    process.exit(1);
  });
}
