import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ARTIFACTS, CHROMIUM, ROOT } from './env.js';
import { startMailSink } from './mail.js';

/**
 * Starts one Yunwei server for the whole run, the way a user would: `yunwei demo` into a fresh
 * DATA_DIR, then `yunwei serve` on a free port. Builds nothing: the tests run against the
 * built server and web app (`npm run build` first), and say so loudly when they are missing.
 */

const CLI = path.join(ROOT, 'server', 'bin', 'yunwei.mjs');

function requireBuilt() {
  const missing = [
    ['server/dist/main.js', 'the server'],
    ['web/dist/index.html', 'the web app'],
  ].filter(([file]) => !fs.existsSync(path.join(ROOT, file)));
  if (missing.length) {
    throw new Error(
      `BROWSER TESTS CANNOT RUN: ${missing.map(([file, what]) => `${what} is not built (${file} is missing)`).join('; ')}. ` +
        'Run `npm run build` in the repository root first.',
    );
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `BROWSER TESTS CANNOT RUN: ${CHROMIUM} is missing. Install Debian's chromium (apt-get install -y chromium fonts-wqy-microhei) ` +
        'or run `npm test`, which installs it. The tests never download a browser.',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitHealthy(baseURL: string, child: ChildProcess, log: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`yunwei serve exited (${child.exitCode ?? child.signalCode}) before answering /healthz. Its log (${log}):\n${tail(log)}`);
    }
    try {
      const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`yunwei serve did not answer ${baseURL}/healthz within ${timeoutMs / 1000}s. Its log (${log}):\n${tail(log)}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export default async function setup(project: TestProject) {
  requireBuilt();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-e2e-'));
  const port = await freePort();
  // Mail goes to a local SMTP server that keeps each message as JSON (support/mail.ts), so a
  // journey can open a link from a mail the way its recipient would.
  const mailDir = path.join(dataDir, 'mail');
  const mail = await startMailSink(mailDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Every login of the run comes from 127.0.0.1; the per-address limit is not what these
    // tests are about (the server suites test it), so it must not cut a journey short.
    LOGIN_RATE_PER_MINUTE: '1000',
    CONFIRM_RATE_PER_MINUTE: '1000',
    SMTP_URL: mail.url,
    SMTP_FROM: '华信运维服务台 <servicedesk@huaxin-ops.example.cn>',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    // The integrations journey points a webhook at 127.0.0.1, which the default policy refuses.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // The portal's service panel shows the desk's hotline and hours (unknown-caller journey).
    DESK_HOTLINE: '0576-8888 1234',
    DESK_HOURS: '7×24 小时',
  };
  // SQLite in the temporary DATA_DIR, whatever the developer's shell points at.
  delete env.DATABASE_URL;

  const demo = spawnSync(process.execPath, [CLI, 'demo'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (demo.status !== 0) {
    await mail.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`yunwei demo failed (${demo.status ?? demo.signal}):\n${demo.stdout}\n${demo.stderr}`);
  }

  const log = path.join(ARTIFACTS, 'server.log');
  const out = fs.openSync(log, 'w');
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(baseURL, child, log);
  } catch (err) {
    await stop(child);
    await mail.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  project.provide('baseURL', baseURL);
  project.provide('mailDir', mailDir);

  return async () => {
    await stop(child);
    await mail.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
