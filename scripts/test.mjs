#!/usr/bin/env node
/**
 * Runs every test suite of the repository and prints one closing line, `N passed, N failed`.
 *
 *  1. Makes sure the browser tests can run: Debian's chromium and a CJK font (Chinese pages
 *     render as empty boxes without one) are installed with apt-get when missing. If that
 *     fails, it is a failure: browser tests are never skipped silently.
 *  2. With TEST_POSTGRES_URL set, checks once that PostgreSQL answers; if not, that is a
 *     failure with a clear message (the database suites then run on SQLite only).
 *  3. Runs the vitest suites (server; e2e and web when they have a vitest config) with the
 *     JSON reporter and sums the results. Files that fail to load, failing hooks and unhandled
 *     errors count as failures too.
 *  4. Runs the benchmark suite at smoke size (`npm run bench -w bench -- --tickets 2000 --smoke`:
 *     generator, API against its floors, EXPLAIN checks, scheduler; no wrk load; its report
 *     goes to bench/out/, never docs/) so the harness keeps working: one test, passed or failed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, '.test-results');
const CHROMIUM = '/usr/bin/chromium';
const FONT_PACKAGE = 'fonts-wqy-microhei';

/** Problems found outside the suites, each counted as one failure. */
const problems = [];

function say(line) {
  console.log(`[test] ${line}`);
}

function hasCjkFont() {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().length > 0;
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts });
}

function ensureBrowser() {
  const missing = [];
  if (!fs.existsSync(CHROMIUM)) missing.push('chromium');
  if (!hasCjkFont()) missing.push(FONT_PACKAGE);
  if (missing.length === 0) {
    say(`browser: ${CHROMIUM} and a CJK font are installed`);
    return;
  }
  const root_ = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root_ ? [] : ['sudo', '-n'];
  const apt = (...args) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    return run(cmd, rest, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  };
  say(`browser: installing ${missing.join(', ')} with apt-get${root_ ? '' : ' (sudo)'}`);
  // The package lists may be missing or stale on a new machine: update once and retry.
  const installed = apt('install', '-y', ...missing) || (apt('update') && apt('install', '-y', ...missing));
  if (!installed || !fs.existsSync(CHROMIUM) || !hasCjkFont()) {
    problems.push(
      `could not install ${missing.join(' and ')} (apt-get install -y chromium ${FONT_PACKAGE}${root_ ? '' : ', as root or with passwordless sudo'}); the browser tests need them`,
    );
  }
}

async function checkPostgres() {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    say('database: SQLite only (set TEST_POSTGRES_URL to run the database suites on PostgreSQL too)');
    return;
  }
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  try {
    const pg = createRequire(path.join(root, 'server', 'package.json'))('pg');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await client.connect();
    const r = await client.query('select version() as v');
    await client.end();
    say(`database: SQLite and PostgreSQL at ${shown} (${String(r.rows[0].v).split(',')[0]})`);
  } catch (err) {
    problems.push(`TEST_POSTGRES_URL is set but PostgreSQL at ${shown} is unreachable: ${err.message}. The suites ran on SQLite only.`);
    delete process.env.TEST_POSTGRES_URL;
  }
}

function vitestConfig(dir) {
  return ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs'].map((f) => path.join(root, dir, f)).find((f) => fs.existsSync(f));
}

/** Runs one workspace's vitest suite; returns its counts and the names of what failed. */
function runSuite(name) {
  const out = path.join(resultsDir, `${name}.json`);
  fs.rmSync(out, { force: true });
  // npm hoists vitest to the root unless workspaces need different versions.
  const bin = [path.join(root, name, 'node_modules', '.bin', 'vitest'), path.join(root, 'node_modules', '.bin', 'vitest')].find((f) => fs.existsSync(f));
  if (!bin) return { passed: 0, failed: 1, failures: [`${name}: vitest is not installed (run npm ci first; the ${name} workspace must list vitest)`] };
  say(`running the ${name} tests`);
  const r = run(bin, ['run', '--root', name, '--reporter=default', '--reporter=json', `--outputFile=${out}`], { cwd: root });
  if (!fs.existsSync(out)) return { passed: 0, failed: 1, failures: [`${name}: vitest exited with code ${r.status ?? r.signal} and wrote no results`] };
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  let passed = json.numPassedTests ?? 0;
  let failed = json.numFailedTests ?? 0;
  const failures = [];
  for (const file of json.testResults ?? []) {
    const rel = path.relative(root, file.name);
    const bad = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of bad) failures.push(`${rel} > ${a.fullName ?? a.title}`);
    if (file.status === 'failed' && bad.length === 0) {
      // A file that did not load, or whose hooks failed: its tests never ran.
      failed++;
      failures.push(`${rel}: ${(file.message || 'suite failed').split('\n')[0]}`);
    }
  }
  if (r.status !== 0 && failed === 0) {
    failed++;
    failures.push(`${name}: vitest exited with code ${r.status ?? r.signal} (unhandled errors; see the output above)`);
  }
  say(`${name}: ${passed} passed, ${failed} failed`);
  return { passed, failed, failures };
}

fs.mkdirSync(resultsDir, { recursive: true });
ensureBrowser();
await checkPostgres();

const suites = ['server', 'e2e', 'web'].filter((dir) => vitestConfig(dir));
let passed = 0;
let failed = problems.length;
const failures = [...problems];
for (const suite of suites) {
  const r = runSuite(suite);
  passed += r.passed;
  failed += r.failed;
  failures.push(...r.failures);
}

/** The benchmark harness at smoke size (bench/src/run.ts): it passes when every benchmark ran. */
function runBenchSmoke() {
  say('running the benchmark suite at smoke size');
  const r = run('npm', ['run', 'bench', '-w', 'bench', '--', '--tickets', '2000', '--smoke'], { cwd: root });
  const ok = r.status === 0;
  say(`bench smoke: ${ok ? 'passed' : `failed (exit ${r.status ?? r.signal})`}`);
  return ok ? { passed: 1, failed: 0, failures: [] } : { passed: 0, failed: 1, failures: ['bench: the smoke run failed (see the [bench] lines above; report in bench/out/BENCHMARKS.md)'] };
}
const bench = runBenchSmoke();
passed += bench.passed;
failed += bench.failed;
failures.push(...bench.failures);

if (failures.length) {
  console.log('');
  console.log('FAILED:');
  for (const f of failures) console.log(`  ${f}`);
}
console.log('');
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
