import { parentPort, workerData } from 'node:worker_threads';
import type { FontChoice } from '../../../platform/pdf/fonts.js';
import { renderTicketPdf, type TicketDoc } from './ticket-pdf.js';

/** A thread that draws ticket PDFs for pdf-pool.ts: the same function, so the same bytes as on the main thread. */
const font = (workerData as { font: FontChoice }).font;
parentPort!.on('message', (m: { id: number; doc: TicketDoc; asOf: number }) => {
  renderTicketPdf(m.doc, font, new Date(m.asOf)).then(
    (pdf) => parentPort!.postMessage({ id: m.id, pdf }),
    (err: Error) => parentPort!.postMessage({ id: m.id, error: err.stack ?? String(err) }),
  );
});
