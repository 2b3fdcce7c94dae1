/**
 * A progress bar (on stderr unless told otherwise): redrawn in place on a terminal (at most 10 times a second), one
 * line per 10% otherwise (CI logs).
 */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
    /** Where to write (stderr by default; `yunwei demo` writes its plain lines to stdout, with its other output). */
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = out.isTTY === true;
  }

  update(done: number): void {
    const now = performance.now();
    const fraction = this.total ? done / this.total : 1;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0.5 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const text = `${this.label} ${fmt(done)}/${fmt(this.total)} ${this.unit}  ${fmt(rate)}/s  ${elapsed.toFixed(0)} s elapsed, ETA ${eta.toFixed(0)} s`;
    if (this.tty) {
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${text}\x1b[K`);
      if (done >= this.total) this.out.write('\n');
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.out.write(`${(fraction * 100).toFixed(0).padStart(3)}% ${text}\n`);
    }
  }
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
