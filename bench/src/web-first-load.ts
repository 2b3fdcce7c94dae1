/**
 * First load of the web app (issue #10, item 19): `yunwei serve` over the demo data, Debian's
 * Chromium through playwright-core, a fresh browser profile for every run (empty cache). Per run:
 *
 *  - **login**: `/login` from nothing until the login form is shown;
 *  - **workspace**: 登录 clicked on that page until 我的工作 shows its title (the lazy chunks of
 *    the workspace and its API calls);
 *  - **revisit**: a new tab of the same browser opening `/workspace` (what a user does the next
 *    morning: the assets come from the cache, or are revalidated when they may not be reused).
 *
 * Bytes are what went over the wire (Chromium's encodedDataLength: headers and compressed bodies),
 * next to the decoded size of the bodies; times from the navigation start (DOMContentLoaded, load)
 * and until the page is usable. Each profile once on loopback and once through Chromium's network
 * emulation of a slow link (`--link`, default 10 Mbit/s down, 2 Mbit/s up, 40 ms round trip).
 *
 * Chromium offers brotli only to secure origins: HTTPS and loopback (what this script measures,
 * `gzip, deflate, br, zstd`); to a plain http:// intranet address it offers `gzip, deflate`.
 * `--encoding` chooses what the requests offer: `default` (Chromium's choice, here br), `br`,
 * `gzip` (a plain-HTTP intranet), `identity` (nothing compressed).
 *
 *   npm run build                     # the figures are of web/dist and server/dist
 *   cd bench && node --import tsx src/web-first-load.ts [--runs 5] [--encoding default|br|gzip|identity] [--label before]
 *        [--data-dir DIR (a demo DATA_DIR to reuse)] [--base-url http://… (a server already running)] [--link 10/2/40 | --link off]
 *
 * Prints a Markdown table and writes the raw figures to bench/out/web-first-load-<label>-<time>.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { intArg, parseArgs } from './generate.js';
import { freePort } from '../../server/src/test/ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const CLI = path.join(root, 'server/bin/yunwei.mjs');
const CHROMIUM = '/usr/bin/chromium';
/** As e2e/support/browser.ts. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The demo's logins (server/src/ops/demo.ts). */
const USER = 'admin';
const PASSWORD = 'Yunwei@2026demo';
const log = (line: string) => console.error(`[web-first-load] ${line}`);

const args = parseArgs(process.argv.slice(2));
const runs = intArg(args, 'runs', 5);
const label = typeof args.label === 'string' ? args.label : 'run';
const encoding = typeof args.encoding === 'string' ? args.encoding : 'default';
if (!['default', 'br', 'gzip', 'identity'].includes(encoding)) throw new Error('--encoding is default, br, gzip or identity');
const OFFER: Record<string, string | undefined> = { default: undefined, br: 'gzip, deflate, br, zstd', gzip: 'gzip, deflate', identity: 'identity' };

interface Link {
  name: string;
  down: number; // bytes/s
  up: number;
  latencyMs: number;
}
function parseLink(v: unknown): Link | null {
  if (v === 'off') return null;
  const [down, up, rtt] = (typeof v === 'string' ? v : '10/2/40').split('/').map(Number);
  if (![down, up, rtt].every((n) => Number.isFinite(n) && n > 0)) throw new Error('--link is DOWN/UP/RTT in Mbit/s, Mbit/s, ms (or off)');
  return { name: `${down} Mbit/s, ${rtt} ms`, down: (down * 1e6) / 8, up: (up * 1e6) / 8, latencyMs: rtt };
}
const slowLink = parseLink(args.link);

// ---------------------------------------------------------------- the server


async function startServer(): Promise<{ baseURL: string; stop: () => Promise<void> }> {
  if (typeof args['base-url'] === 'string') return { baseURL: args['base-url'].replace(/\/$/, ''), stop: async () => {} };
  for (const file of ['server/dist/main.js', 'web/dist/index.html']) {
    if (!fs.existsSync(path.join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const own = typeof args['data-dir'] !== 'string';
  const dataDir = own ? fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-webload-')) : path.resolve(String(args['data-dir']));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOGIN_RATE_PER_MINUTE: '1000' };
  delete env.DATABASE_URL;
  if (!fs.existsSync(path.join(dataDir, 'yunwei.db'))) {
    log(`yunwei demo into ${dataDir}`);
    const demo = spawnSync(process.execPath, [CLI, 'demo'], { cwd: root, env, encoding: 'utf8', timeout: 180_000 });
    if (demo.status !== 0) throw new Error(`yunwei demo failed: ${demo.stderr || demo.stdout}`);
  }
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`yunwei serve exited (${child.exitCode})`);
    const ok = await fetch(`${baseURL}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('yunwei serve did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseURL,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          if (own) fs.rmSync(dataDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------- what went over the wire

interface Resource {
  url: string;
  type: string;
  status: number;
  encoding: string;
  cacheControl: string;
  fromCache: boolean;
  wire: number;
  body: number;
}

/** Counts every response of a page through the DevTools protocol from `start()` on. */
class Wire {
  private byId = new Map<string, Resource>();
  private wireStatus = new Map<string, number>();
  /** The Accept-Encoding the browser sent. */
  offered = '';
  private constructor(private cdp: CDPSession) {}

  static async attach(page: Page, context: BrowserContext, link: Link | null): Promise<Wire> {
    const cdp = await context.newCDPSession(page);
    const w = new Wire(cdp);
    await cdp.send('Network.enable');
    if (link) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: link.latencyMs, downloadThroughput: link.down, uploadThroughput: link.up });
    cdp.on('Network.responseReceived', (e) => {
      const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      w.byId.set(e.requestId, {
        url: e.response.url,
        type: e.type ?? '',
        status: e.response.status,
        encoding: h['content-encoding'] ?? '',
        cacheControl: h['cache-control'] ?? '',
        fromCache: Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache),
        wire: 0,
        body: 0,
      });
    });
    // A revalidated response (304) is reported as the cached 200; the wire's status is in ExtraInfo.
    cdp.on('Network.responseReceivedExtraInfo', (e) => {
      w.wireStatus.set(e.requestId, e.statusCode);
    });
    cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
      const ae = Object.entries(e.headers).find(([k]) => k.toLowerCase() === 'accept-encoding');
      if (ae && !w.offered) w.offered = String(ae[1]);
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = w.byId.get(e.requestId);
      if (r) r.fromCache = true;
    });
    cdp.on('Network.dataReceived', (e) => {
      const r = w.byId.get(e.requestId);
      if (r) r.body += e.dataLength;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = w.byId.get(e.requestId);
      if (r) r.wire = e.encodedDataLength;
    });
    return w;
  }

  start() {
    this.byId.clear();
    this.wireStatus.clear();
  }

  resources(): Resource[] {
    return [...this.byId.entries()].filter(([, r]) => !r.url.startsWith('data:')).map(([id, r]) => ({ ...r, status: this.wireStatus.get(id) ?? r.status }));
  }

  totals() {
    const rs = this.resources();
    const net = rs.filter((r) => !r.fromCache);
    return {
      requests: net.length,
      fromCache: rs.length - net.length,
      notModified: net.filter((r) => r.status === 304).length,
      wireBytes: net.reduce((s, r) => s + r.wire, 0),
      bodyBytes: rs.reduce((s, r) => s + r.body, 0),
    };
  }

  async detach() {
    await this.cdp.detach().catch(() => {});
  }
}

interface Measure {
  requests: number;
  fromCache: number;
  notModified: number;
  wireBytes: number;
  bodyBytes: number;
  domContentLoadedMs: number | null;
  loadMs: number | null;
  readyMs: number;
}

async function navTiming(page: Page): Promise<{ dcl: number | null; load: number | null }> {
  return page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return { dcl: n && n.domContentLoadedEventEnd > 0 ? n.domContentLoadedEventEnd : null, load: n && n.loadEventEnd > 0 ? n.loadEventEnd : null };
  });
}

/** Waits until no request has been in flight for `quietMs` (playwright's networkidle is for navigations only). */
async function settle(page: Page, quietMs = 500, timeoutMs = 30_000) {
  let inflight = 0;
  let last = Date.now();
  const up = () => {
    inflight++;
    last = Date.now();
  };
  const down = () => {
    inflight = Math.max(0, inflight - 1);
    last = Date.now();
  };
  page.on('request', up);
  page.on('requestfinished', down);
  page.on('requestfailed', down);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline && (inflight > 0 || Date.now() - last < quietMs)) await new Promise((r) => setTimeout(r, 50));
  } finally {
    page.off('request', up);
    page.off('requestfinished', down);
    page.off('requestfailed', down);
  }
}

let offered = '';

async function oneRun(browser: Browser, baseURL: string, link: Link | null): Promise<{ login: Measure; workspace: Measure; revisit: Measure; resources: Record<string, Resource[]> }> {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 800 } });
  const offer = OFFER[encoding];
  if (offer) await context.setExtraHTTPHeaders({ 'Accept-Encoding': offer });
  try {
    const page = await context.newPage();
    const wire = await Wire.attach(page, context, link);

    // login: from nothing to the form
    wire.start();
    const t0 = Date.now();
    await page.goto('/login', { waitUntil: 'load' });
    await page.getByTestId('login-username').waitFor({ state: 'visible', timeout: 30_000 });
    const loginReady = Date.now() - t0;
    await settle(page);
    const lt = await navTiming(page);
    const login: Measure = { ...wire.totals(), domContentLoadedMs: lt.dcl, loadMs: lt.load, readyMs: loginReady };
    const loginResources = wire.resources();
    offered ||= wire.offered;

    // workspace: 登录 until 我的工作 has its title and its data
    await page.getByTestId('login-username').fill(USER);
    await page.getByTestId('login-password').fill(PASSWORD);
    wire.start();
    const t1 = Date.now();
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => u.pathname === '/workspace', { timeout: 30_000 });
    await page.getByTestId('page-title').getByText('我的工作').waitFor({ timeout: 30_000 });
    const wsReady = Date.now() - t1;
    await settle(page);
    const workspace: Measure = { ...wire.totals(), domContentLoadedMs: null, loadMs: null, readyMs: wsReady };
    const workspaceResources = wire.resources();
    await wire.detach();

    // revisit: a new tab opens /workspace with what the browser kept
    const tab = await context.newPage();
    const wire2 = await Wire.attach(tab, context, link);
    wire2.start();
    const t2 = Date.now();
    await tab.goto('/workspace', { waitUntil: 'load' });
    await tab.getByTestId('page-title').getByText('我的工作').waitFor({ timeout: 30_000 });
    const rvReady = Date.now() - t2;
    await settle(tab);
    const rt = await navTiming(tab);
    const revisit: Measure = { ...wire2.totals(), domContentLoadedMs: rt.dcl, loadMs: rt.load, readyMs: rvReady };
    const revisitResources = wire2.resources();
    await wire2.detach();
    return { login, workspace, revisit, resources: { login: loginResources, workspace: workspaceResources, revisit: revisitResources } };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- report

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number | null) => (n === null || Number.isNaN(n) ? '–' : `${Math.round(n)} ms`);

function summarise(ms_: Measure[]) {
  const pick = (f: (m: Measure) => number | null) => {
    const v = ms_.map(f).filter((x): x is number => x !== null);
    return v.length ? median(v) : null;
  };
  return {
    requests: pick((m) => m.requests)!,
    fromCache: pick((m) => m.fromCache)!,
    notModified: pick((m) => m.notModified)!,
    wireBytes: pick((m) => m.wireBytes)!,
    bodyBytes: pick((m) => m.bodyBytes)!,
    domContentLoadedMs: pick((m) => m.domContentLoadedMs),
    loadMs: pick((m) => m.loadMs),
    readyMs: pick((m) => m.readyMs)!,
  };
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (no browser is ever downloaded)`);
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const profiles: { name: string; link: Link | null }[] = [{ name: 'loopback', link: null }, ...(slowLink ? [{ name: slowLink.name, link: slowLink }] : [])];
  const results: Record<string, unknown> = {};
  const lines: string[] = [];
  try {
    // one unmeasured run: the server's first answers (file system cache, JIT) are not the user's
    await oneRun(browser, server.baseURL, null);
    for (const profile of profiles) {
      const all: Awaited<ReturnType<typeof oneRun>>[] = [];
      for (let i = 0; i < runs; i++) {
        all.push(await oneRun(browser, server.baseURL, profile.link));
        log(`${profile.name} run ${i + 1}/${runs}: login ${kb(all[i].login.wireBytes)} ${all[i].login.readyMs} ms, workspace ${kb(all[i].workspace.wireBytes)} ${all[i].workspace.readyMs} ms`);
      }
      const s = {
        login: summarise(all.map((r) => r.login)),
        workspace: summarise(all.map((r) => r.workspace)),
        revisit: summarise(all.map((r) => r.revisit)),
      };
      results[profile.name] = { summary: s, runs: all.map(({ resources: _r, ...m }) => m), resources: all[all.length - 1].resources };
      for (const [step, m] of Object.entries(s)) {
        lines.push(
          `| ${profile.name} | ${step} | ${m.requests}${m.notModified ? ` (${m.notModified}× 304)` : ''}${m.fromCache ? ` + ${m.fromCache} cached` : ''} | ${kb(m.wireBytes)} | ${kb(m.bodyBytes)} | ${ms(m.domContentLoadedMs)} | ${ms(m.loadMs)} | ${ms(m.readyMs)} |`,
        );
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const meta = { label, encoding, offered, runs, chromium: version, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, at: new Date().toISOString() };
  const outDir = path.join(root, 'bench/out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `web-first-load-${label}-${meta.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ meta, results }, null, 2));
  console.log(`${label}: Accept-Encoding ${meta.offered}, median of ${runs} runs, ${version}, Node ${process.version}, ${meta.cpus}× ${meta.cpu}\n`);
  console.log('| link | step | requests | transferred | decoded | DOMContentLoaded | load | ready |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const l of lines) console.log(l);
  console.log(`\nraw figures: ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
