import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, expectTitle, loginUI } from '../support/app.js';

/** Building a month of the hospital's tickets as PDFs takes a while on a busy CI machine. */
const PACK_TIMEOUT = 240_000;

describe('evidence pack: the admin exports last month of the hospital, watches the progress, downloads it and opens its index', () => {
  const b = useBrowser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yunwei-e2e-evidence-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('审计证据包 is in the navigation; the admin starts an export for the hospital and last month', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByRole('link', { name: '审计证据包' }).first().click();
    await expectTitle(page, '审计证据包');
    await page.getByTestId('evidence-customer').click();
    await page.keyboard.type(DEMO.hospital.name.slice(0, 4));
    await page.locator('.ant-select-item-option').filter({ hasText: DEMO.hospital.name }).first().click();
    // the period defaults to last month (the first preset); the picker shows it
    const now = new Date();
    const last = new Date(now.getFullYear(), now.getMonth() - 1, 1);
    const first = `${last.getFullYear()}-${String(last.getMonth() + 1).padStart(2, '0')}-01`;
    expect(await page.getByTestId('evidence-form').locator('.ant-picker-range input').first().inputValue()).toBe(first);
    const started = page.waitForResponse((r) => r.url().endsWith('/api/v1/evidence-exports') && r.request().method() === 'POST');
    await page.getByTestId('evidence-start').click();
    expect((await started).status()).toBe(202);
  });

  test('the progress bar moves while the pack is built, then the download appears', async () => {
    const { page } = b;
    const row = page.locator('[data-testid="evidence-list"] tbody tr.ant-table-row').first();
    await row.getByText(DEMO.hospital.name).waitFor({ timeout: UI_TIMEOUT });
    // progress as files written of the total, seen at least once before the end
    await row.getByTestId('evidence-progress').waitFor({ timeout: PACK_TIMEOUT });
    expect(await row.getByTestId('evidence-progress').innerText()).toMatch(/\d+\/\d+ 个文件/);
    await row.getByTestId('evidence-download').waitFor({ timeout: PACK_TIMEOUT });
    expect(await row.getByTestId('evidence-state').innerText()).toBe('已完成');
    await page.screenshot({ path: path.join(ARTIFACTS, 'evidence-page.png') });
  }, PACK_TIMEOUT + 30_000);

  test('the zip downloads and its index.html opens in the browser, showing the requirement map and the tickets', async () => {
    const { page } = b;
    const row = page.locator('[data-testid="evidence-list"] tbody tr.ant-table-row').first();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('evidence-download').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^evidence-${DEMO.hospital.code}-\\d{4}-\\d{2}-01-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    const zip = path.join(dir, download.suggestedFilename());
    await download.saveAs(zip);
    execFileSync('unzip', ['-q', zip, '-d', path.join(dir, 'pack')]);
    const root = path.join(dir, 'pack');
    for (const f of ['index.html', 'index.xlsx', 'tickets.xlsx', 'satisfaction.xlsx', 'knowledge-weekly.xlsx', 'manifest.json', 'audit/chain-verification.txt']) expect(fs.existsSync(path.join(root, f)), f).toBe(true);

    const index = await b.fresh();
    await index.goto(pathToFileURL(path.join(root, 'index.html')).href);
    expect(await index.locator('#title').innerText()).toContain(`运维服务证据包：${DEMO.hospital.name}`);
    // the demo's history was loaded without audit rows, so the chain may have none before the month's end: then it says so
    expect(await index.locator('#chain').innerText()).toMatch(/^(通过：审计日志第 1 条至第 \d+ 条|期间结束前审计日志没有记录)/);
    // the map: every report of REQUIREMENTS §5.1 and the KPIs, each with evidence or an honest "not recorded"
    const mapRows = index.locator('#mapping + table tbody tr');
    expect(await mapRows.count()).toBe(55);
    expect(await index.locator('#mapping + table').innerText()).toContain('本系统尚未记录（对应模块未启用）');
    // R12, the knowledge base updated weekly: its record for the month is in the pack
    expect(await index.locator('#mapping + table tbody tr', { hasText: 'R12' }).first().innerText()).toContain('knowledge-weekly.xlsx');
    expect(await index.locator('#kpis + table tbody tr').count()).toBeGreaterThan(15);
    // the tickets of the month, each linking its PDF inside the pack
    const ticketLinks = index.locator('#tickets + table tbody tr td:first-child a');
    const n = await ticketLinks.count();
    expect(n).toBeGreaterThan(0);
    const href = await ticketLinks.first().getAttribute('href');
    expect(href).toMatch(/^tickets\/[A-Z]{3}-\d{4}-\d+\.pdf$/);
    expect(fs.readFileSync(path.join(root, href!)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(fs.readdirSync(path.join(root, 'tickets')).length).toBe(n);
    await index.screenshot({ path: path.join(ARTIFACTS, 'evidence-index.png'), fullPage: false });
  });
});
