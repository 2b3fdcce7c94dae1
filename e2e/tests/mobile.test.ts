import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { UI_TIMEOUT, expectTitle, loginUI } from '../support/app.js';

/** A phone: 390×844 CSS pixels, touch. */
const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('the engineer on a phone (390×844)', () => {
  const b = useBrowser(PHONE);

  test('logs in; the side navigation gives way to a menu button', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await expectTitle(page, '我的工作');
    // no side bar, no navigation links on screen: only the menu button
    expect(await page.getByTestId('sider').count()).toBe(0);
    expect(await page.getByTestId('nav-admin-customers').isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: '菜单', exact: true });
    expect(await menu.isVisible()).toBe(true);
    expect(await menu.getAttribute('data-testid')).toBe('nav-toggle');
    // the page fits the screen: nothing to scroll sideways
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  test('我的工作 on the phone: a card per ticket with priority, state and SLA countdown in view; no keyboard hint (issue #10 item 17)', async () => {
    const { page } = b;
    const list = page.getByTestId('workspace-table');
    await list.waitFor({ timeout: UI_TIMEOUT });
    expect(await list.getAttribute('data-layout')).toBe('cards');
    const rows = list.getByTestId('workspace-row');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    const count = await rows.count();
    for (let i = 0; i < Math.min(count, 5); i++) {
      const row = rows.nth(i);
      for (const id of ['ticket-number', 'ticket-priority', 'ticket-state', 'ticket-sla-countdown']) {
        const box = await row.getByTestId(id).boundingBox();
        expect(box, `${id} of row ${i}`).not.toBeNull();
        // inside the screen, not cut off at its right edge
        expect(box!.x, `${id} of row ${i}`).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, `${id} of row ${i}`).toBeLessThanOrEqual(390);
      }
    }
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    // "N" (log a call) is a desk keyboard shortcut: not shown on a phone
    const call = page.getByTestId('workspace-log-call');
    if (await call.count()) expect(await call.locator('.yw-kbd').isVisible()).toBe(false);
    // a card opens its ticket
    const number = (await rows.first().getByTestId('ticket-number').innerText()).trim();
    await rows.first().getByTestId('ticket-number').click();
    await page.waitForURL(/\/tickets\/\d+$/, { timeout: UI_TIMEOUT });
    await page.getByText(number).first().waitFor({ timeout: UI_TIMEOUT });
    await page.goBack();
    await list.waitFor({ timeout: UI_TIMEOUT });
  });

  test('the menu button opens the navigation in a drawer', async () => {
    const { page } = b;
    await page.getByTestId('nav-toggle').click();
    // on a phone the only navigation is the one in the drawer
    const nav = page.getByTestId('nav');
    await nav.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const links = (await nav.locator('a[data-testid^="nav-"]').allInnerTexts()).map((s) => s.trim());
    expect(links).toEqual(expect.arrayContaining(['我的工作', '工单', '团队', '客户', '服务日历', '服务级别协议']));
    // an engineer administers nothing
    expect(links).not.toContain('用户');
    expect(links).not.toContain('审计日志');
    // a drawer sliding in from the left edge, leaving part of the page visible
    await expect.poll(async () => (await nav.boundingBox())?.x, { timeout: UI_TIMEOUT }).toBe(0);
    expect((await nav.boundingBox())?.width).toBeLessThan(390);
  });

  test('choosing 客户 closes the drawer and shows the customers he serves', async () => {
    const { page } = b;
    await page.getByTestId('nav').getByTestId('nav-admin-customers').click();
    await page.waitForURL('**/admin/customers', { timeout: UI_TIMEOUT });
    await expectTitle(page, '客户');
    await page.getByTestId('nav').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    // his team (一线支持组) serves the hospital and the tax office, not the school
    const table = page.getByTestId('customers-table');
    await expect
      .poll(async () => (await table.getByTestId('customers-row').allInnerTexts()).join('\n'), { timeout: UI_TIMEOUT })
      .toContain(DEMO.hospital.name);
    const text = await table.innerText();
    expect(text).toContain(DEMO.tax.name);
    expect(text).not.toContain(DEMO.school.name);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });
});
