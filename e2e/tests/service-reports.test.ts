import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, expectTitle, loginUI, logoutUI, type Api } from '../support/app.js';

/**
 * Service reports (docs/REPORTS.md): the hospital's PM opens last month's repair summary
 * (月度维修总结, due the 10th) from the report board — generating it when the job has not —
 * writes the summary, issues it to the hospital's administrator (the default) and 林晓燕, whom he
 * adds; the hospital's administrator signs it off in the portal; the PDF downloaded afterwards
 * carries the sign-off; the board shows it signed and on time.
 */
interface BoardItem {
  id: number | null;
  customerId: number;
  type: string;
  period: string;
  state: string;
  dueOn: string;
  onTime: boolean | null;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `reports-${name}.png`), fullPage: true });
}

/** Last month in Asia/Shanghai as the board names it (2026-11). */
function lastMonth(): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 7);
}

describe('service report: the PM issues last month\'s repair summary, the hospital signs it off in the portal', () => {
  const b = useBrowser();
  let pm: Api;
  let hospitalId: number;
  const period = lastMonth();
  const summary = `本月共完成现场维修若干次，放射科打印机卡纸问题已彻底解决（${Date.now().toString(36)}）。`;
  let reportId = 0;

  beforeAll(async () => {
    const admin = await apiAs(b.baseURL, 'admin');
    hospitalId = (await customerByCode(admin, DEMO.hospital.code)).id;
    await admin.dispose();
    pm = await apiAs(b.baseURL, 'pm');
  });

  const boardRow = async () => {
    const board = await pm.get<{ items: BoardItem[] }>(`/reporting/reports/board?customerId=${hospitalId}`);
    return board.items.find((i) => i.type === 'monthly_repair' && i.period === period);
  };

  test('the PM opens last month\'s repair summary from the board', async () => {
    const page = b.page;
    await loginUI(page, 'pm');
    await page.goto('/reports');
    await expectTitle(page, '服务报告看板');
    const row = page.locator(`[data-testid="board-row"][data-type="monthly_repair"][data-period="${period}"][data-customer="${DEMO.hospital.name}"]`);
    await row.waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'board');
    const before = await boardRow();
    expect(before, 'the board lists the hospital\'s repair summary of last month').toBeTruthy();
    if (before!.id === null) await row.getByTestId('board-generate').click();
    else await row.getByTestId('board-open').click();
    await page.waitForURL(/\/reports\/\d+$/, { timeout: UI_TIMEOUT });
    reportId = Number(page.url().split('/').pop());
    await expectTitle(page, new RegExp(`${DEMO.hospital.name} .*月度维修总结`));
    await page.getByTestId('report-section-repairs').waitFor({ timeout: UI_TIMEOUT });
  });

  test('edits the summary and issues it', async () => {
    const page = b.page;
    await page.getByTestId('narrative-summary').fill(summary);
    const saved = page.waitForResponse((r) => r.url().endsWith(`/reporting/reports/${reportId}/narratives`) && r.request().method() === 'PATCH');
    await page.getByTestId('narrative-save-summary').click();
    expect((await saved).status()).toBe(200);
    // 发布 asks who is told: the hospital's administrator by default; the PM adds 林晓燕 (a portal user with e-mail).
    await page.getByTestId('report-issue').click();
    const recipients = page.getByTestId('issue-recipients');
    await expect.poll(() => recipients.innerText(), { timeout: UI_TIMEOUT }).toContain('陈志远（管理员） · chenzhiyuan@jzrmyy.example.cn');
    expect(await recipients.innerText()).not.toContain('林晓燕');
    await recipients.click();
    await page.locator('.ant-select-item-option', { hasText: '林晓燕' }).click();
    await expect.poll(() => recipients.innerText(), { timeout: UI_TIMEOUT }).toContain('林晓燕 · linxiaoyan@jzrmyy.example.cn');
    await page.locator('.ant-modal-title').click(); // closes the option list
    await shot(page, 'issue-recipients');
    const issued = page.waitForResponse((r) => r.url().endsWith(`/reporting/reports/${reportId}/issue`), { timeout: 60_000 });
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    const issueRes = await issued;
    expect(issueRes.status()).toBe(200);
    expect(((issueRes.request().postDataJSON() as { recipients: number[] }).recipients ?? []).length).toBe(2);
    await expect.poll(() => page.getByTestId('report-state').first().getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('issued');
    await page.getByTestId('download-1-pdf').waitFor({ timeout: UI_TIMEOUT });
    const pdf = await page.request.get(`/api/v1/reporting/reports/${reportId}/versions/1/pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await shot(page, 'issued');
    // 林晓燕, chosen by the PM, is told in the app (the link opens the report in her portal)
    const lin = await apiAs(b.baseURL, 'hospital_user');
    try {
      await expect
        .poll(async () => (await lin.get<{ items: Array<{ event: string; link: string | null }> }>('/notifications?limit=100')).items.some((n) => n.event === 'report.issued' && n.link === `/portal/reports/${reportId}`), { timeout: UI_TIMEOUT })
        .toBe(true);
    } finally {
      await lin.dispose();
    }
    await logoutUI(page);
  });

  test('the hospital\'s administrator reads it in the portal and signs it off', async () => {
    const page = b.page;
    await loginUI(page, 'hospital_admin');
    await page.goto('/portal/reports');
    await expectTitle(page, '服务报告');
    const item = page.locator('[data-testid="portal-report"]').filter({ hasText: '月度维修总结' }).first();
    await item.waitFor({ timeout: UI_TIMEOUT });
    await item.locator('a').first().click();
    await page.waitForURL(new RegExp(`/portal/reports/${reportId}$`), { timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('narrative-text-summary').textContent(), { timeout: UI_TIMEOUT }).toBe(summary);
    await page.getByTestId('report-signoff').click();
    await page.getByTestId('signoff-name').fill('陈志远');
    await page.getByTestId('signoff-opinion').fill('内容属实，同意。');
    const signed = page.waitForResponse((r) => r.url().endsWith(`/reporting/reports/${reportId}/signoff`));
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    expect((await signed).status()).toBe(200);
    await page.getByTestId('report-signed').waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'portal-signed');
    await logoutUI(page);
  });

  test('the PDF downloaded after the sign-off carries it (已签收确认, the signer, the time); the issued one is kept', async () => {
    const res = await pm.raw.get(`/api/v1/reporting/reports/${reportId}/versions/1/pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('-v1-signed.pdf');
    const pdf = await res.body();
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, '');
    for (const expected of ['已签收确认', '陈志远', '内容属实，同意。', 'Asia/Shanghai']) expect(text, expected).toContain(expected);
    const issued = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: await (await pm.raw.get(`/api/v1/reporting/reports/${reportId}/versions/1/pdf?as=issued`)).body() }).toString('utf8');
    expect(issued).not.toContain('已签收确认');
    // its cover as a picture, to look at (artifacts/reports-signed-pdf-*.png)
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'reports-signed.pdf');
    fs.writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, path.join(ARTIFACTS, 'reports-signed-pdf')]);
  });

  test('the board shows it signed and issued on time', async () => {
    const page = b.page;
    await loginUI(page, 'pm');
    await page.goto('/reports');
    const row = page.locator(`[data-testid="board-row"][data-type="monthly_repair"][data-period="${period}"][data-customer="${DEMO.hospital.name}"]`);
    await expect.poll(() => row.getByTestId('report-state').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('signed');
    expect(await row.getByTestId('report-ontime').getAttribute('data-ontime')).toBe('true');
    const after = await boardRow();
    expect(after).toMatchObject({ state: 'signed', onTime: true });
    await shot(page, 'board-signed');
  });
});

describe('report plan: the administrator adds a narrative section to the hospital contract\'s monthly service report', () => {
  const b = useBrowser();
  let admin: Api;
  let contractId = 0;

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    const hospital = await customerByCode(admin, DEMO.hospital.code);
    const board = await admin.get<{ items: Array<BoardItem & { contractId: number; contractCode: string }> }>(`/reporting/reports/board?customerId=${hospital.id}`);
    contractId = board.items.find((i) => i.contractCode.endsWith('-001') && i.type === 'monthly_service')!.contractId;
  });

  test('opens the plan from the board, adds 安全生产情况, saves; the plan has it', async () => {
    const page = b.page;
    await loginUI(page, 'admin');
    await page.goto(`/reports/contracts/${contractId}/plan`);
    await expectTitle(page, '报告计划');
    const card = page.getByTestId('plan-type-monthly_service');
    await card.getByTestId('plan-add-monthly_service').click();
    await card.getByTestId('plan-custom-title').last().fill('安全生产情况');
    const saved = page.waitForResponse((r) => r.url().endsWith(`/reporting/contracts/${contractId}/report-plan`) && r.request().method() === 'PUT');
    await page.getByTestId('plan-save').click();
    expect((await saved).status()).toBe(200);
    const plan = await admin.get<{ stored: boolean; layouts: Record<string, Array<{ key: string; title?: string }>> }>(`/reporting/contracts/${contractId}/report-plan`);
    expect(plan.stored).toBe(true);
    expect(plan.layouts.monthly_service.some((e) => e.key.startsWith('custom:') && e.title === '安全生产情况')).toBe(true);
    await shot(page, 'plan');
  });
});
