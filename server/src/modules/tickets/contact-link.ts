import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';

/**
 * The key and the token of a resolution mail's confirmation links (contact-confirm.ts says what
 * the links do). Apart from the page's service so that the mail that carries the links
 * (contact-mail.ts) and the page that checks them both read it without importing each other:
 * the page's service calls TicketService, which queues the mail.
 */

// ---------------------------------------------------------------- the key and the token

const keys = new Map<string, Buffer>();

/** The secret in `file`, created (32 random bytes, mode 600) if missing; safe when processes race. */
function readOrCreateSecret(file: string): string {
  const read = () => {
    const s = fs.readFileSync(file, 'utf8').trim();
    if (s.length < 32) throw new Error(`${file} holds no usable secret: delete it to generate a new one, or set SECRET_KEY`);
    return s;
  };
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    // link() fails if another process got there first: its (complete) file wins.
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read();
}

/** The HMAC key of confirmation links, derived from SECRET_KEY or DATA_DIR/secret.key. */
export function linkKey(config: Config): Buffer {
  const id = config.secretKey ? `env:${config.secretKey}` : `file:${config.dataDir}`;
  let key = keys.get(id);
  if (!key) {
    const secret = config.secretKey ?? readOrCreateSecret(path.join(config.dataDir, 'secret.key'));
    key = createHmac('sha256', secret).update('yunwei contact-confirm link v1').digest();
    keys.set(id, key);
  }
  return key;
}

export interface Bound {
  id: number;
  ticket_id: number;
  contact_id: number;
  resolved_at: number | null;
  expires_at: number | null;
}

export function signature(key: Buffer, m: Bound, expSeconds: number): string {
  return createHmac('sha256', key).update(`confirm:${Number(m.id)}:${expSeconds}:${Number(m.ticket_id)}:${Number(m.contact_id)}:${Number(m.resolved_at)}`).digest('base64url');
}

/** The token of a resolution mail's links (the same for every attempt at sending it). */
export function linkToken(config: Config, m: Bound): string {
  const exp = Math.floor(Number(m.expires_at) / 1000);
  return `${Number(m.id)}.${exp.toString(36)}.${signature(linkKey(config), m, exp)}`;
}
