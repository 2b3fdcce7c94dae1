import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * A small SMTP server on 127.0.0.1 for the browser tests' Yunwei server (SMTP_URL): it accepts
 * every message and writes it, decoded, as JSON into a folder the tests read (a test opens the
 * confirmation link of a resolution mail as its recipient would). Plain SMTP without
 * extensions: nodemailer then sends simply, without STARTTLS or authentication.
 */
export interface StoredMail {
  to: string[];
  subject: string;
  messageId: string | null;
  text: string;
  html: string;
  receivedAt: string;
}

export interface MailSink {
  url: string;
  close(): Promise<void>;
}

function unfold(head: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

function decodeQp(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i], 'utf8'));
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) in a header. */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

/** The text/plain and text/html bodies of a MIME message (nested multiparts included). */
function bodies(raw: string, out: { text: string; html: string }): void {
  const split = raw.indexOf('\r\n\r\n');
  const headers = unfold(split < 0 ? raw : raw.slice(0, split));
  const body = split < 0 ? '' : raw.slice(split + 4);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      bodies(part.replace(/^\r\n/, ''), out);
    }
    return;
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const decoded = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : encoding === 'quoted-printable' ? decodeQp(body).toString('utf8') : body;
  if (type.toLowerCase().startsWith('text/html')) out.html += decoded;
  else if (type.toLowerCase().startsWith('text/plain')) out.text += decoded;
}

export function parseMail(raw: string, to: string[]): StoredMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = unfold(raw.slice(0, split));
  const out = { text: '', html: '' };
  bodies(raw, out);
  return { to, subject: decodeWords(headers.get('subject') ?? ''), messageId: headers.get('message-id') ?? null, ...out, receivedAt: new Date().toISOString() };
}

export async function startMailSink(dir: string): Promise<MailSink> {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let data: string[] | null = null;
    let to: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 yunwei-e2e ESMTP');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data) {
          if (line === '.') {
            n += 1;
            const mail = parseMail(data.join('\r\n'), to);
            fs.writeFileSync(path.join(dir, `${String(n).padStart(5, '0')}.json`), JSON.stringify(mail, null, 2));
            data = null;
            to = [];
            reply('250 OK');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 yunwei-e2e');
        else if (verb === 'MAIL') reply('250 OK');
        else if (verb === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          reply('250 OK');
        } else if (verb === 'DATA') {
          data = [];
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          to = [];
          reply('250 OK');
        } else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
        } else reply('250 OK');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every mail received so far, oldest first. */
export function receivedMail(dir: string): StoredMail[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as StoredMail);
}

/** Waits until a mail matching `match` arrives (the server sends through its job scheduler). */
export async function waitForMail(dir: string, match: (m: StoredMail) => boolean, timeoutMs = 30_000): Promise<StoredMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = receivedMail(dir).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such mail within ${timeoutMs / 1000}s; received: ${receivedMail(dir).map((m) => `${m.to.join(',')} ${m.subject}`).join(' | ') || 'none'}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
