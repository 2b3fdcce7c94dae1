import net from 'node:net';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { MailInService } from './service.js';

export interface ListenerOptions {
  host: string;
  /** 0: any free port (tests); read the one taken from `address()`. */
  port: number;
  maxBytes: number;
  /** Peers allowed to connect (IP addresses and CIDR ranges); empty: any. */
  allow: string[];
  log: FastifyBaseLogger;
}

/** An SMTP reply with its code (smtp-server answers `responseCode` and the message). */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Parses MAIL_IN_SMTP_ALLOW into a block list used as an allow list; throws on a bad entry. */
export function allowList(entries: string[]): net.BlockList | null {
  if (!entries.length) return null;
  const list = new net.BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/');
    const type = net.isIPv6(addr) ? 'ipv6' : net.isIPv4(addr) ? 'ipv4' : null;
    if (!type) throw new Error(`MAIL_IN_SMTP_ALLOW: "${e}" is not an IP address or CIDR range`);
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) throw new Error(`MAIL_IN_SMTP_ALLOW: "${e}" has a bad prefix length`);
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

function allowed(list: net.BlockList | null, address: string): boolean {
  if (!list) return true;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return list.check(v4, 'ipv4') || list.check(address, 'ipv6');
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/**
 * The inbound SMTP listener (docs/MAIL-IN.md). It sits behind the organisation's MTA, which
 * relays the service mailboxes' mail to it: plain SMTP without AUTH or STARTTLS, recipients
 * limited to the enabled mailboxes (550 for any other), messages up to the size limit (552
 * above it). A message that was handled — whatever came of it, rejected or ignored included —
 * is answered 250, so the MTA sends no bounce to a possibly forged sender; the log says what
 * happened. Unreadable messages get 550; a failure that may pass (the database) gets 451 and
 * the MTA retries later.
 */
export class MailInListener {
  private server: SMTPServer | null = null;
  private readonly allow: net.BlockList | null;

  constructor(
    private readonly service: MailInService,
    private readonly opts: ListenerOptions,
  ) {
    this.allow = allowList(opts.allow);
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.server) return this.address()!;
    const { service, opts } = this;
    const server = new SMTPServer({
      name: os.hostname(),
      banner: 'Yunwei inbound mail',
      size: opts.maxBytes,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      maxClients: 50,
      socketTimeout: 60_000,
      closeTimeout: 5_000,
      onConnect: (session, callback) => {
        if (!allowed(this.allow, session.remoteAddress)) {
          opts.log.warn({ remote: session.remoteAddress }, 'mail-in: connection refused (not in MAIL_IN_SMTP_ALLOW)');
          return callback(smtpError(554, '5.7.1 Not allowed to relay mail here'));
        }
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        service.acceptsRecipient(address.address).then(
          (ok) => callback(ok ? null : smtpError(550, `5.1.1 <${address.address}>: no such service mailbox`)),
          (err: unknown) => {
            opts.log.error({ err }, 'mail-in: recipient check failed');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      },
      onData: (stream, session, callback) => {
        this.onData(stream, session).then(
          (message) => callback(null, message),
          (err: Error) => callback(err),
        );
      },
    });
    server.on('error', (err) => opts.log.error({ err }, 'mail-in: SMTP listener error'));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.server.once('error', onError);
      server.listen(opts.port, opts.host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    const bound = this.address()!;
    opts.log.info({ host: bound.host, port: bound.port }, 'mail-in: SMTP listener started');
    return bound;
  }

  /** The address the listener is bound to, or null when it is not running. */
  address(): { host: string; port: number } | null {
    const a = this.server?.server.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Past the limit the rest is read and dropped (the client gets 552 at the end).
      if (size <= this.opts.maxBytes) chunks.push(chunk);
    }
    const mailFrom = session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address;
    const rcptTo = session.envelope.rcptTo.map((r) => r.address);
    if (stream.sizeExceeded || size > this.opts.maxBytes) {
      await this.service.receive(Buffer.alloc(0), { via: 'smtp', mailFrom, rcptTo, size }).catch((err: unknown) => this.opts.log.error({ err }, 'mail-in: logging an oversized message failed'));
      throw smtpError(552, `5.3.4 Message too big (limit ${this.opts.maxBytes} bytes)`);
    }
    let out;
    try {
      out = await this.service.receive(Buffer.concat(chunks), { via: 'smtp', mailFrom, rcptTo });
    } catch (err) {
      this.opts.log.error({ err, remote: session.remoteAddress }, 'mail-in: handling a message failed');
      throw smtpError(451, '4.3.0 Temporary failure, try again later');
    }
    this.opts.log.info({ logId: out.logId, result: out.result, reason: out.reason, ticket: out.ticketNumber, messageId: out.messageId }, 'mail-in: message received');
    if (out.reason === 'malformed') throw smtpError(550, '5.6.0 Message not readable (no From address)');
    return `2.0.0 Accepted (${out.result}${out.ticketNumber ? ` ${out.ticketNumber}` : ''})`;
  }
}
