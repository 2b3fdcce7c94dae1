import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the real CLI from source, as an operator would (SQLite under DATA_DIR). Each run
 * starts a process (about 3 s), so this suite checks the wiring; the rules are tested in
 * demo.test.ts and backup.test.ts. */
function yunwei(dataDir: string, ...args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '18080', HOST: '127.0.0.1' };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: serverDir, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('yunwei demo / backup / restore (command line)', () => {
  it('loads the demo once, backs it up and restores it into a new data directory', () => {
    const a = path.join(tmp, 'a');
    const demo = yunwei(a, 'demo');
    expect(demo.err).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.out).toMatch(/customer 江州市人民医院 \(tier 1, HT-\d{4}-001 \/ HT-\d{4}-001, SLA T1\)/);
    // Not a terminal: plain progress lines on stdout, and the URL from PORT/HOST.
    expect(demo.out).toMatch(/100% 演示工单 tickets 3,0\d\d\/3,0\d\d tickets/);
    expect(demo.out).toMatch(/open http:\/\/127\.0\.0\.1:18080/);
    expect(demo.out).toMatch(/customer_contact\s+tax_user\s+Yunwei@2026demo\s+黄海涛/);

    // The README's first command works twice: the demo is there already, nothing to do.
    const again = yunwei(a, 'demo');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/演示数据已存在/);

    const file = path.join(tmp, 'demo.jsonl.gz');
    const backup = yunwei(a, 'backup', file);
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/  customers: 3 rows/);
    expect(fs.existsSync(file)).toBe(true);

    const b = path.join(tmp, 'b');
    const restore = yunwei(b, 'restore', file);
    expect(restore.err).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.out).toMatch(/  contacts: 18 rows/);
    // The demo's load, and what its integrations did through the modules (reports signed, sources and mailboxes set up, tickets opened).
    expect(restore.out).toMatch(/  repair_reports: 24 rows/);
    expect(restore.out).toMatch(/audit chain verified: \d+ entries/);
  }, 120_000);
});
