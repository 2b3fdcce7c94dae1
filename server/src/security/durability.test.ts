import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb, type DbKind } from '../test/harness.js';
import { freePort } from '../test/ports.js';

/**
 * kill -9 durability: a real `yunwei serve` process (the built server/dist) loaded with the demo,
 * writers creating tickets through the API with an API token, the process killed with SIGKILL at
 * random (seeded) moments KILLS times and started again each time. Afterwards every ticket the
 * server acknowledged (201) is there with its number and title, no number was given twice, and
 * `yunwei audit verify` passes. DURABILITY_SEED and DURABILITY_KILLS change the run.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '../../bin/yunwei.mjs');
const DIST = path.resolve(here, '../../dist/main.js');
const SEED = Number(process.env.DURABILITY_SEED ?? 20_261_109);
const KILLS = Math.max(5, Number(process.env.DURABILITY_KILLS ?? 6));
const WRITERS = 4;

interface Acked {
  id: number;
  number: string;
  title: string;
}


function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A seeded PRNG (mulberry32): the same seed, the same kill moments. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return (min: number, max: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return min + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (max - min + 1));
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDb('security: kill -9 durability', (kind: DbKind) => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let base: string;
  let server: ChildProcess | null = null;
  let serverLog = '';
  let dropDatabase: (() => Promise<void>) | null = null;
  const acked: Acked[] = [];
  let kills = 0;
  let attempts = 0;
  let failedWrites = 0;
  let verify: { code: number; stdout: string; stderr: string };
  let missing: string[] = [];
  let started = 0;

  async function start() {
    serverLog = '';
    const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (serverLog = (serverLog + d.toString()).slice(-4000)));
    child.stderr!.on('data', (d: Buffer) => (serverLog = (serverLog + d.toString()).slice(-4000)));
    server = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`yunwei serve exited (${child.exitCode ?? child.signalCode}) while starting:\n${serverLog}`);
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`yunwei serve did not answer /healthz within 30 s:\n${serverLog}`);
  }

  async function kill9() {
    const child = server!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    server = null;
  }

  beforeAll(async () => {
    if (!fs.existsSync(DIST)) throw new Error(`server/dist is missing (${DIST}): the durability test runs the built server. Run \`npm run build -w server\` (or \`npm run build\`) first.`);
    started = Date.now();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-durability-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    if (kind === 'postgres') {
      // A database of its own: Yunwei keeps its tables in the default schema (docs/OPERATIONS.md),
      // and a search_path in DATABASE_URL is not a supported way to pick another.
      const url = process.env.TEST_POSTGRES_URL!;
      const name = `yunwei_durability_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(url);
      u.pathname = `/${name}`;
      env.DATABASE_URL = u.toString();
      dropDatabase = async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      };
    }

    const demo = await cli(env, ['demo']);
    if (demo.code !== 0) throw new Error(`yunwei demo failed (${demo.code}): ${demo.stderr}${demo.stdout}`);
    const tokenRun = await cli(env, ['token', 'create', '--username', 'desk', '--name', 'durability', '--expires', '1d']);
    if (tokenRun.code !== 0) throw new Error(`yunwei token create failed (${tokenRun.code}): ${tokenRun.stderr}`);
    const token = tokenRun.stdout.trim().split('\n').pop()!.trim();
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    await start();
    const customers = (await (await fetch(`${base}/api/v1/customers`, { headers: auth })).json()) as { items: Array<{ id: number }> };
    const targets: Array<{ customerId: number; contactId: number }> = [];
    for (const c of customers.items) {
      const contacts = (await (await fetch(`${base}/api/v1/customers/${c.id}/contacts`, { headers: auth })).json()) as { items: Array<{ id: number }> };
      if (contacts.items.length) targets.push({ customerId: c.id, contactId: contacts.items[0].id });
    }
    if (!targets.length) throw new Error('the demo has no customer with a contact');

    const randomInt = seeded(SEED);
    let stop = false;
    const writer = async (n: number) => {
      let seq = 0;
      while (!stop) {
        const target = targets[(n + seq) % targets.length];
        const title = `耐久 ${SEED}-${n}-${seq++} 断电后工单不丢`;
        attempts++;
        try {
          const res = await fetch(`${base}/api/v1/tickets`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ ...target, kind: 'incident', title, description: `kill -9 durability ${title}`, impact: 'medium', urgency: 'medium', reportedAt: new Date().toISOString() }),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 201) {
            const body = (await res.json()) as { id: number; number: string; title: string };
            acked.push({ id: body.id, number: body.number, title });
          } else {
            failedWrites++;
            if (res.status !== 503) throw new Error(`POST /api/v1/tickets answered ${res.status}: ${await res.text()}`);
          }
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('POST /api/v1/tickets answered')) throw err;
          // The server is down (killed) or the answer was cut: not acknowledged, try again.
          failedWrites++;
          await sleep(50);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, n) => writer(n));
    try {
      for (let k = 0; k < KILLS; k++) {
        // Kill while tickets are being written: once a few have been acknowledged since the
        // (re)start, at a random moment within the next second.
        const before = acked.length;
        const deadline = Date.now() + 30_000;
        while (acked.length < before + 5 && Date.now() < deadline) await sleep(10);
        await sleep(randomInt(0, 1000));
        await kill9();
        kills++;
        await start();
      }
      await sleep(randomInt(200, 600));
    } finally {
      stop = true;
    }
    await Promise.all(writers);

    for (const a of acked) {
      const res = await fetch(`${base}/api/v1/tickets/${a.id}`, { headers: auth });
      const body = res.status === 200 ? ((await res.json()) as { number: string; title: string }) : null;
      if (!body || body.number !== a.number || body.title !== a.title) missing.push(`#${a.id} ${a.number} "${a.title}" → ${res.status} ${body ? `${body.number} "${body.title}"` : ''}`);
    }
    // Stop the last server cleanly, then verify the audit chain as an operator would.
    const child = server!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    server = null;
    verify = await cli(env, ['audit', 'verify']);
    console.log(
      `durability [${kind}]: seed ${SEED}, ${kills} kills, ${attempts} attempts, ${acked.length} acknowledged, ${failedWrites} not acknowledged, ${missing.length} missing; audit verify: ${verify.stdout.trim() || verify.stderr.trim()}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 240_000);

  afterAll(async () => {
    if (server) {
      server.kill('SIGKILL');
      server = null;
    }
    await dropDatabase?.();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`kills the server ${KILLS} times while tickets are written`, () => {
    expect(kills).toBe(KILLS);
    expect(acked.length).toBeGreaterThanOrEqual(KILLS * 5);
    expect(failedWrites).toBeGreaterThan(0);
  });

  it('keeps every acknowledged ticket with its number and title', () => {
    expect(missing, missing.slice(0, 20).join('\n')).toEqual([]);
    const numbers = new Set(acked.map((a) => a.number));
    expect(numbers.size).toBe(acked.length);
  });

  it('leaves an audit chain that `yunwei audit verify` accepts', () => {
    expect(verify.code, `${verify.stdout}\n${verify.stderr}`).toBe(0);
    expect(verify.stdout).toMatch(/^ok: \d+ rows verified/m);
  });
});
