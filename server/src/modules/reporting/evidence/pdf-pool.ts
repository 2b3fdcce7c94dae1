import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { renderTicketPdf, type TicketDoc } from './ticket-pdf.js';

/**
 * Draws ticket PDFs on worker threads: a PDF is ≈ 20 ms of CPU (pdfkit's layout and the font
 * subset it embeds), nearly all of a pack's time, and one PDF does not depend on another. The
 * pack's writer submits a batch and takes the results in order, so the zip's order (and bytes)
 * do not depend on which thread finished first. `size` 0 draws on the calling thread.
 */
export class PdfPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ id: number; doc: TicketDoc; asOf: number }> = [];
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private next = 1;
  private failed: Error | null = null;

  constructor(
    private readonly font: FontChoice,
    readonly size: number,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  render(doc: TicketDoc, asOf: Date): Promise<Buffer> {
    if (this.size === 0) return renderTicketPdf(doc, this.font, asOf);
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, doc, asOf: asOf.getTime() });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private spawn() {
    // From the build the worker is a .js file; from the sources (tsx, vitest) a .ts one, loaded
    // through tsx's loader registered in the thread itself (a thread does not share the caller's).
    const fromSource = import.meta.url.endsWith('.ts');
    const file = new URL(`./pdf-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
    const opts = { workerData: { font: this.font } };
    const w = fromSource
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`, { ...opts, eval: true })
      : new Worker(file, opts);
    w.on('message', (m: { id: number; pdf?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (p) {
        if (m.pdf) p.resolve(Buffer.from(m.pdf.buffer, m.pdf.byteOffset, m.pdf.byteLength));
        else p.reject(new Error(`ticket PDF: ${m.error}`));
      }
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (err) => this.fail(err));
    this.workers.push(w);
    this.idle.push(w);
  }

  private pump() {
    while (this.idle.length && this.queue.length) this.idle.pop()!.postMessage(this.queue.shift()!);
  }

  private fail(err: Error) {
    this.failed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** Below this many PDFs a pack draws them on the calling thread: starting threads would cost more than it saves. */
const FEW = 64;

/**
 * EVIDENCE_PDF_THREADS when set (0: none); otherwise none for a few PDFs, else one thread per core,
 * at most four (the main thread mostly waits: it reads, zips and hashes).
 */
export function pdfThreads(pdfs: number): number {
  const env = Number(process.env.EVIDENCE_PDF_THREADS);
  if (process.env.EVIDENCE_PDF_THREADS !== undefined && Number.isInteger(env) && env >= 0) return Math.min(env, 16);
  return pdfs < FEW ? 0 : Math.min(4, Math.max(1, os.availableParallelism()));
}
