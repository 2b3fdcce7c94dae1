import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { expect } from 'vitest';
import type { Session } from './harness.js';
import { createTicket, ok, report, type TicketWorld } from './tickets-fixture.js';

/** Test uploads: real PNGs, multipart bodies, a ticket with an attachment and a signed report. */

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A real PNG (RGBA): a dark stroke on transparency, or noise that does not compress. */
export function png(width: number, height: number, noise = false): Buffer {
  const raw = noise ? randomBytes((width * 4 + 1) * height) : Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    if (noise) continue;
    for (let x = 0; x < width; x++) {
      if (Math.abs(y - height / 2 - Math.sin(x / 15) * height * 0.3) < 2) raw.writeUInt32BE(0x102060ff, y * (width * 4 + 1) + 1 + x * 4);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
export const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;

/** A multipart/form-data body: fields first, then the file (if any). */
export function multipart(fields: Record<string, string>, file?: { name: string; bytes: Buffer; type?: string }) {
  const boundary = `----yunwei${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** What `withStoredFiles` made: the ticket, its attachment's id and bytes, the signed PDF's sha256. */
export interface StoredFiles {
  ticketId: number;
  fileId: number;
  attachment: Buffer;
  pdfSha256: string;
}

/** A ticket of customer A with an attachment (a PDF of random bytes) and a repair report signed on site. */
export async function withStoredFiles(w: TicketWorld, attachmentBytes = 300 * 1024): Promise<StoredFiles> {
  const ticket = await createTicket(w.desk, report(w.a, { title: '备份里的文件', teamId: w.teams.line1, assigneeId: w.users.eng }));
  const attachment = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(attachmentBytes)]);
  const item = ok(await w.desk.request({ method: 'POST', url: `/api/v1/tickets/${ticket.id}/attachments`, ...multipart({}, { name: '巡检报告.pdf', bytes: attachment }) }), 201);
  const base = `/api/v1/tickets/${ticket.id}/repair-report`;
  const draft = ok(await w.eng.request({ method: 'POST', url: base }), 201);
  const ready = ok(await w.eng.request({ method: 'PATCH', url: base, payload: { version: draft.version, actions: '更换电源模块', result: 'fixed' } }));
  const signed = ok(await w.eng.request({ method: 'POST', url: `${base}/sign`, payload: { version: ready.version, signerName: 'A 联系人', signaturePng: dataUrl(png(300, 120)) } }));
  return { ticketId: ticket.id, fileId: item.data.fileId, attachment, pdfSha256: signed.pdfSha256 };
}

/** Downloads the attachment and the signed PDF of `withStoredFiles`' ticket; both must answer 200 with their Content-Length. */
export async function downloadStoredFiles(s: Session, f: StoredFiles): Promise<{ attachment: Buffer; pdf: Buffer }> {
  const get = async (url: string) => {
    const res = await s.request({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    return res.rawPayload;
  };
  return {
    attachment: await get(`/api/v1/tickets/${f.ticketId}/attachments/${f.fileId}`),
    pdf: await get(`/api/v1/tickets/${f.ticketId}/repair-report/pdf`),
  };
}
