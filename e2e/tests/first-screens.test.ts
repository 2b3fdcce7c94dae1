import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, loginUI } from '../support/app.js';

/**
 * What a new user sees right after `yunwei demo`: every role's first screen has content (issue
 * #10). Each role logs in in a fresh context; its home page must show the list it is for, with
 * rows, and a screenshot of it lands in e2e/artifacts/first-screen-<role>.png to look at.
 */

async function rows(page: Page, testid: string): Promise<number> {
  await page.getByTestId(testid).first().waitFor({ timeout: UI_TIMEOUT });
  return page.getByTestId(testid).count();
}

async function shot(page: Page, role: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `first-screen-${role}.png`), fullPage: false });
}

/** The active tab's label on the workspace. */
async function activeTab(page: Page): Promise<string> {
  return (await page.locator('.ant-tabs-tab-active').first().innerText({ timeout: UI_TIMEOUT })).trim();
}

describe('every role\'s first screen shows what it is for, with the demo\'s data', () => {
  const b = useBrowser();

  test('the desk: open tickets sorted by remaining SLA time, with countdowns; some breach within the hour', async () => {
    const page = await b.fresh();
    await loginUI(page, 'desk');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    // The desk's first queue is its team's: the calls nobody has dispatched yet (its own tickets are few).
    expect(await rows(page, 'workspace-row')).toBeGreaterThan(0);
    expect(await page.getByRole('tab', { selected: true }).innerText()).toBe('本组工单');
    await page.getByTestId('workspace-breaching').click();
    expect(await rows(page, 'workspace-row')).toBeGreaterThan(0);
    const countdowns = page.getByTestId('workspace-table').getByTestId('ticket-sla-countdown');
    await countdowns.first().waitFor({ timeout: UI_TIMEOUT });
    const texts = await countdowns.allInnerTexts();
    // 剩余 … (still running) or 超时 … (breached): the clocks count relative to now.
    expect(texts.some((x) => /剩余/.test(x))).toBe(true);
    await shot(page, 'desk');
  });

  test('the engineer: my work, with the hospital\'s and the tax bureau\'s tickets only', async () => {
    const page = await b.fresh();
    await loginUI(page, 'engineer');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    expect(await activeTab(page)).toBe('我的工单');
    expect(await rows(page, 'workspace-row')).toBeGreaterThan(0);
    const text = await page.getByTestId('workspace-table').innerText();
    expect(text).not.toContain(DEMO.school.name);
    await shot(page, 'engineer');
  });

  test('the project manager: his contracts\' tickets about to breach and those that breached', async () => {
    const page = await b.fresh();
    await loginUI(page, 'pm');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    expect(await activeTab(page)).toBe('合同即将超时');
    await page.getByTestId('workspace-tab-contractBreached').click();
    expect(await rows(page, 'workspace-row')).toBeGreaterThan(0);
    const text = await page.getByTestId('workspace-table').innerText();
    expect(text).toContain(DEMO.hospital.name);
    expect(text).not.toContain(DEMO.tax.name);
    await page.getByTestId('workspace-tab-contractDue').click();
    await page.getByTestId('workspace-table').waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'pm');
  });

  test('quality management: open complaints, and the low ratings to follow up', async () => {
    const page = await b.fresh();
    await loginUI(page, 'quality');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    expect(await activeTab(page)).toBe('待处理投诉');
    await page.getByTestId('workspace-tab-lowRatings').click();
    expect(await rows(page, 'workspace-row')).toBeGreaterThan(0);
    await page.getByTestId('workspace-tab-allComplaints').click();
    expect(await rows(page, 'workspace-row')).toBeGreaterThan(0);
    // Read-only plus quality work: no audit log in the navigation.
    expect(await page.getByTestId('nav-admin-audit').count()).toBe(0);
    await page.getByTestId('workspace-tab-complaints').click();
    await page.getByTestId('workspace-table').waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'quality');
  });

  test('the hospital\'s user: the portal with the hospital\'s tickets', async () => {
    const page = await b.fresh();
    await loginUI(page, 'hospital_user');
    await page.getByTestId('page-portal').waitFor({ timeout: UI_TIMEOUT });
    expect(await rows(page, 'portal-ticket-row')).toBeGreaterThan(0);
    await shot(page, 'hospital_user');
  });
});
