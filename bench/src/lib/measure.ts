/**
 * Timing of repeated operations: wall latency of each operation (median, p95) and the process's
 * CPU time per operation. On a machine shared with other work the wall figures include waiting
 * for a core; the CPU figure does not, which is why both are reported.
 */
export interface Figures {
  ops: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Process CPU (user + system) per operation, µs. */
  cpuUs: number;
  /** Operations per second of wall time, sequentially. */
  perSecond: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * Runs `op` `warmup` times untimed, then `runs` rounds of `perRun` operations, one at a time.
 * `op(i)` gets a running index so each call can use other data.
 */
export async function measure(op: (i: number) => Promise<unknown>, opts: { runs: number; perRun: number; warmup?: number }): Promise<Figures> {
  let i = 0;
  for (let w = 0; w < (opts.warmup ?? Math.min(50, opts.perRun)); w++) await op(i++);
  const latencies: number[] = [];
  let cpuUs = 0;
  let wall = 0;
  for (let r = 0; r < opts.runs; r++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let k = 0; k < opts.perRun; k++) {
      const t0 = performance.now();
      await op(i++);
      latencies.push(performance.now() - t0);
    }
    wall += performance.now() - w0;
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  }
  return summarise(latencies, cpuUs, wall, opts.runs);
}

export function summarise(latencies: number[], cpuUs: number, wallMs: number, runs: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ops = sorted.length;
  return {
    ops,
    runs,
    medianMs: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, ops)),
    cpuUs: round(cpuUs / Math.max(1, ops), 1),
    perSecond: Math.round((ops * 1000) / Math.max(1e-9, wallMs)),
  };
}
