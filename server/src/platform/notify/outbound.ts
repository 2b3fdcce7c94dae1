import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound HTTP for webhooks, guarded against server-side request forgery: an address on the
 * internal network (loopback, private ranges, link-local and cloud metadata, CGNAT, unique-local,
 * multicast, reserved, and the ::ffff: forms of these) is refused unless the administrator
 * allows it (WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOWED_NETWORKS).
 *
 * The check is made on the addresses the connection actually uses: a literal IP in the URL is
 * checked before connecting, and a host name goes through `guardedLookup`, the socket's own
 * `lookup`, which resolves once, refuses if any address is internal, and hands the checked
 * addresses to the connection. A name that resolves to a public address when the webhook is
 * saved and to 127.0.0.1 when it is sent (DNS rebinding) is therefore refused at the send.
 * Redirects are never followed. Of the receiver's answer only a short, sanitised excerpt of a
 * text or JSON body is kept (`responseExcerpt`).
 */

export type LookupFn = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

export interface OutboundPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: any address may be a target (tests, closed networks). */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_NETWORKS: internal ranges that may be targets (an intranet WeCom proxy). */
  allowedNetworks: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  /** Name resolution (dns.lookup; tests inject their own). */
  lookup: LookupFn;
}

const systemLookup: LookupFn = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/** Parses WEBHOOK_ALLOWED_NETWORKS entries (addresses or CIDR ranges); throws on a bad one. */
export function parseNetworks(entries: string[]): Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> {
  return entries.map((e): [ipaddr.IPv4 | ipaddr.IPv6, number] => {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      // Plain dotted or colon notation only (ipaddr.js also reads forms such as "10.1").
      if (!net.isIP(e.split('/')[0])) throw new Error('not an address');
      parsed = e.includes('/') ? ipaddr.parseCIDR(e) : [ipaddr.parse(e), ipaddr.parse(e).kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new Error(`"${e}" is not an IP address or CIDR range`);
    }
    const [addr, bits] = parsed;
    // ::ffff:10.0.0.0/104 is 10.0.0.0/8 (addresses are checked in their IPv4 form).
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    return [addr, bits];
  });
}

export function outboundPolicy(settings: { allowPrivate: boolean; allowedNetworks: string[] }, lookup: LookupFn = systemLookup): OutboundPolicy {
  return { allowPrivate: settings.allowPrivate, allowedNetworks: parseNetworks(settings.allowedNetworks), lookup };
}

/**
 * Why an address may not be a webhook target (the kind of range: `loopback`, `private`,
 * `linkLocal`, …), or null when it may. Public unicast addresses may; so may an IPv6 NAT64
 * address (64:ff9b::/96) whose embedded IPv4 address is public.
 */
export function blockedRange(address: string, policy: Pick<OutboundPolicy, 'allowPrivate' | 'allowedNetworks'>): string | null {
  if (policy.allowPrivate) return null;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process(): ::ffff:127.0.0.1 is checked as 127.0.0.1.
    addr = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid';
  }
  for (const [net, bits] of policy.allowedNetworks) if (net.kind() === addr.kind() && addr.match(net, bits)) return null;
  let range = addr.range();
  if (addr.kind() === 'ipv6') {
    const parts = (addr as ipaddr.IPv6).parts;
    // ::a.b.c.d (IPv4-compatible, deprecated): never a real target.
    if (parts.slice(0, 6).every((p) => p === 0)) return range === 'unicast' ? 'reserved' : range;
    if (range === 'rfc6052' && parts[1] === 0xff9b && parts.slice(2, 6).every((p) => p === 0)) {
      const v4 = new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
      for (const [net, bits] of policy.allowedNetworks) if (net.kind() === 'ipv4' && v4.match(net, bits)) return null;
      range = v4.range();
    }
  }
  return range === 'unicast' ? null : range;
}

/** The error for a refused target; `code` tells it apart from a network failure. */
export class BlockedTargetError extends Error {
  readonly code = 'EBLOCKED';
  constructor(
    readonly host: string,
    readonly range: string,
  ) {
    super(`refused: ${host} is ${net.isIP(host.replace(/^\[|\]$/g, '')) ? 'an address' : 'a name resolving to an address'} in a ${range} range (internal addresses need WEBHOOK_ALLOW_PRIVATE or WEBHOOK_ALLOWED_NETWORKS)`);
  }
}

/** Host names that are the local machine by definition (RFC 6761), whatever a resolver says. */
function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * The socket's `lookup`: resolves once, refuses if any address is internal, and passes the
 * checked addresses on, so the connection uses exactly the addresses that were checked.
 */
export function guardedLookup(policy: OutboundPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    if (!policy.allowPrivate && isLocalName(hostname)) return callback(new BlockedTargetError(hostname, 'loopback'));
    policy.lookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err);
      if (!addresses.length) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      for (const a of addresses) {
        const range = blockedRange(a.address, policy);
        if (range) return callback(new BlockedTargetError(hostname, range));
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  }) as net.LookupFunction;
}

/**
 * Checks an address when a webhook is saved: a literal internal IP, a local name, or a name that
 * resolves (within `timeoutMs`) to an internal address is refused. A name that does not resolve
 * here is accepted — the check at the send is the one that counts.
 */
export async function checkTarget(policy: OutboundPolicy, url: string, timeoutMs = 3000): Promise<BlockedTargetError | null> {
  if (policy.allowPrivate) return null;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const range = blockedRange(host, policy);
    return range ? new BlockedTargetError(host, range) : null;
  }
  if (isLocalName(host)) return new BlockedTargetError(host, 'loopback');
  const addresses = await new Promise<dns.LookupAddress[]>((resolve) => {
    const timer = setTimeout(() => resolve([]), timeoutMs);
    policy.lookup(host, { all: true }, (err, found) => {
      clearTimeout(timer);
      resolve(err ? [] : found);
    });
  });
  for (const a of addresses) {
    const range = blockedRange(a.address, policy);
    if (range) return new BlockedTargetError(host, range);
  }
  return null;
}

export interface OutboundResponse {
  status: number;
  contentType: string;
  /** The body as text, read up to `MAX_RESPONSE_BYTES` (a robot's JSON answer is far smaller). */
  text: string;
}

/** The most of a receiver's answer read: enough for any robot's JSON, not a download. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs once through the guard: no redirects followed, at most `MAX_RESPONSE_BYTES` of the answer
 * read, the whole exchange within `timeoutMs` (a `TimeoutError` otherwise).
 */
function guardedPost(policy: OutboundPolicy, agents: { http: http.Agent; https: https.Agent }, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<OutboundResponse> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  // A literal address never goes through `lookup`: check it here.
  if (net.isIP(host)) {
    const range = blockedRange(host, policy);
    if (range) return Promise.reject(new BlockedTargetError(host, range));
  }
  const secure = u.protocol === 'https:';
  const data = Buffer.from(body, 'utf8');
  return new Promise<OutboundResponse>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, res?: OutboundResponse) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const req = (secure ? https : http).request(
      u,
      { method: 'POST', headers: { ...headers, 'content-length': String(data.length) }, agent: secure ? agents.https : agents.http, lookup: guardedLookup(policy) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const end = () => finish(null, { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
        res.on('data', (c: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(c.subarray(0, MAX_RESPONSE_BYTES - size));
          size += c.length;
          if (size >= MAX_RESPONSE_BYTES) {
            end();
            res.destroy();
          }
        });
        res.on('end', end);
        res.on('error', (err) => (size ? end() : finish(err)));
      },
    );
    const timer = setTimeout(() => {
      finish(Object.assign(new Error(`timeout after ${timeoutMs} ms`), { name: 'TimeoutError' }));
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish(err));
    req.end(data);
  });
}

/**
 * The webhooks' HTTP client: one policy and one pair of keep-alive agents (connections to a
 * receiver are reused; a reused connection goes to an address already checked).
 */
export class OutboundClient {
  // Node's own defaults for its global agents: idle connections closed after 5 s.
  private readonly agents = { http: new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }), https: new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }) };

  constructor(readonly policy: OutboundPolicy) {}

  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<OutboundResponse> {
    return guardedPost(this.policy, this.agents, url, headers, body, timeoutMs);
  }

  /** The save-time check (`checkTarget`). */
  check(url: string): Promise<BlockedTargetError | null> {
    return checkTarget(this.policy, url);
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/**
 * What of a receiver's answer may be shown (delivery log, test send): at most `max` characters
 * of a text or JSON body, control and format characters removed, whitespace collapsed; nothing
 * of any other content type.
 */
export function responseExcerpt(contentType: string, text: string, max = 200): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!(type.startsWith('text/') || type === 'application/json' || type.endsWith('+json'))) return '';
  const clean = text
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!clean) return '';
  const chars = [...clean];
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('')}…`;
}
