import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, navTexts, stamp, type Api } from '../support/app.js';

const ZH_NAV = ['我的工作', '工单', '团队', '用户', '客户', '服务日历', '服务级别协议'];
const EN_NAV = ['My work', 'Tickets', 'Teams', 'Users', 'Customers', 'Calendars', 'SLAs'];

async function expectNav(page: Page, expected: string[]) {
  await expect.poll(() => navTexts(page), { timeout: UI_TIMEOUT }).toEqual(expect.arrayContaining(expected));
}

async function switchLanguage(page: Page, locale: 'zh-CN' | 'en-US') {
  await page.getByTestId('lang-switch').click();
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me') && r.request().method() === 'PATCH');
  await page.getByTestId(`lang-option-${locale}`).click();
  expect((await saved).status()).toBe(200);
}

async function savedLocale(page: Page): Promise<string> {
  const me = await page.request.get('/api/v1/auth/me');
  expect(me.status()).toBe(200);
  return ((await me.json()) as { locale: string }).locale;
}

describe('switching the language (remembered per user on the server)', () => {
  const b = useBrowser();
  let admin: Api;
  const username = `e2e_lang_${stamp().toLowerCase()}`;
  const password = 'Lang@Test2026x';

  beforeAll(async () => {
    // A user of its own, so that a failure half-way leaves no demo login in English.
    admin = await apiAs(b.baseURL, 'admin');
    await admin.post('/users', { username, displayName: '语言测试', roleCodes: ['desk'], password });
  });
  afterAll(async () => {
    await admin?.dispose();
  });

  test('the user starts in Chinese', async () => {
    const { page } = b;
    await loginUI(page, username, password);
    await expectTitle(page, '我的工作');
    await expectNav(page, ZH_NAV);
    expect(await page.getByTestId('lang-switch').innerText()).toContain('中文');
  });

  test('English from the language switch: navigation and page titles are English', async () => {
    const { page } = b;
    await switchLanguage(page, 'en-US');
    await expectTitle(page, 'My work');
    await expectNav(page, EN_NAV);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
    expect(await page.getByText('Hello, 语言测试').isVisible()).toBe(true);
    expect(await page.getByTestId('lang-switch').innerText()).toContain('English');

    await page.getByTestId('nav-admin-customers').click();
    await expectTitle(page, 'Customers');
    expect(await page.getByText('Organisations the provider serves under a contract').isVisible()).toBe(true);
    await page.getByRole('columnheader', { name: 'Customer name' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await savedLocale(page)).toBe('en-US');
  });

  test('after a reload it is still English', async () => {
    const { page } = b;
    await page.reload();
    await expectTitle(page, 'Customers');
    await expectNav(page, EN_NAV);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
  });

  test('the choice belongs to the account: another browser gets English after login', async () => {
    // new context: no cookies and nothing in localStorage; a Chinese browser
    const page = await b.fresh(CHINESE_DESKTOP);
    await page.goto('/login');
    await page.getByText('登录到运维服务管理平台').waitFor({ timeout: UI_TIMEOUT });
    await loginUI(page, username, password);
    await expectTitle(page, 'My work');
    await expectNav(page, EN_NAV);
  });

  test('back to Chinese, which also survives a reload', async () => {
    const { page } = b;
    await switchLanguage(page, 'zh-CN');
    await expectTitle(page, '我的工作');
    await expectNav(page, ZH_NAV);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await savedLocale(page)).toBe('zh-CN');
    await page.reload();
    await expectTitle(page, '我的工作');
    await expectNav(page, ZH_NAV);
  });
});
