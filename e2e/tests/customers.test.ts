import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, stamp, type Api } from '../support/app.js';

/**
 * Clicks an option of the open antd Select dropdown (rendered in a portal at the end of the
 * body). The dropdown also holds a hidden role="option" copy for screen readers: match the
 * visible item.
 */
async function pickOption(page: Page, text: string | RegExp): Promise<void> {
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: text })
    .first()
    .click();
}

async function rowTexts(table: Locator, rowTestId: string): Promise<string[]> {
  return table.getByTestId(rowTestId).allInnerTexts();
}

describe('an administrator registers a customer with its contract and a contact', () => {
  const b = useBrowser();
  const id = stamp();
  const customer = { name: `E2E测试客户${id}`, code: `E2E-${id}` };
  const contract = { code: `HT-E2E-${id}`, name: `${customer.name} 年度运维服务合同` };
  const contact = { name: '赵测试', title: '信息中心主任', mobile: '13912345678', email: `zhao.${id.toLowerCase()}@example.cn` };
  let api: Api;
  let customerId: number;

  beforeAll(async () => {
    api = await apiAs(b.baseURL, 'admin');
  });
  afterAll(async () => {
    await api?.dispose();
  });

  test('the customer list is reached from the navigation', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByTestId('nav-admin-customers').click();
    await page.waitForURL('**/admin/customers', { timeout: UI_TIMEOUT });
    await expectTitle(page, '客户');
    // the demo customers are listed
    await page.getByTestId('customers-row').first().waitFor({ timeout: UI_TIMEOUT });
    const rows = await rowTexts(page.getByTestId('customers-table'), 'customers-row');
    expect(rows.join('\n')).toContain('江州市人民医院');
  });

  test('新建客户: name, code, tier and time zone; saving opens the new customer', async () => {
    const { page } = b;
    await page.getByTestId('customers-new').click();
    const form = page.getByTestId('customer-form');
    await form.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await page.locator('.ant-drawer-title').last().innerText()).toBe('新建客户');
    await page.getByTestId('customer-form-name').fill(customer.name);
    await page.getByTestId('customer-form-code').fill(customer.code);
    await page.getByTestId('customer-form-tier-3').click();
    await form.getByLabel('时区').click();
    await page.keyboard.type('Urumqi');
    await pickOption(page, /^Asia\/Urumqi/);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/customers') && r.request().method() === 'POST');
    await page.getByTestId('customer-form-submit').click();
    const res = await created;
    expect(res.status()).toBe(201);
    customerId = ((await res.json()) as { id: number }).id;

    await page.waitForURL(`**/admin/customers/${customerId}`, { timeout: UI_TIMEOUT });
    await expectTitle(page, customer.name);
    const header = page.getByTestId('page-customer-detail');
    expect(await header.getByTestId('tier-3').first().innerText()).toBe('三级');
    const basic = page.getByTestId('customer-basic');
    await basic.waitFor({ timeout: UI_TIMEOUT });
    const text = await basic.innerText();
    expect(text).toContain(customer.code);
    expect(text).toMatch(/Asia\/Urumqi\s*UTC\+06:00/);
  });

  test('服务合同: services in scope, 7×24 service hours and a project manager', async () => {
    const { page } = b;
    await page.getByTestId('customer-tab-contracts').click();
    await page.getByTestId('contracts-new').first().click();
    const form = page.getByTestId('contract-form');
    await form.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.getByTestId('contract-form-code').fill(contract.code);
    await page.getByTestId('contract-form-name').fill(contract.name);
    // services in scope: typed tags, Enter after each
    await form.getByLabel('服务范围').click();
    for (const s of ['服务器运维', '网络运维']) {
      await page.keyboard.type(s);
      await page.keyboard.press('Enter');
    }
    await page.getByTestId('contract-form-hours-7x24').click();
    // project manager: searched on the server as one types
    await form.getByLabel('项目经理').click();
    await page.keyboard.type('王磊');
    await pickOption(page, '王磊（pm）');
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/customers/${customerId}/contracts`) && r.request().method() === 'POST');
    await page.getByTestId('contract-form-submit').click();
    expect((await saved).status()).toBe(201);
    await form.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

    const row = page.getByTestId('contracts-row').filter({ hasText: contract.code });
    await row.waitFor({ timeout: UI_TIMEOUT });
    const text = await row.innerText();
    expect(text).toContain(contract.name);
    expect(text).toContain('服务器运维');
    expect(text).toContain('网络运维');
    expect(text).toContain('7×24小时');
    expect(text).toContain('生效中');
    await expect.poll(() => row.innerText(), { timeout: UI_TIMEOUT }).toContain('王磊');

    // what was stored: the calendar followed the service hours
    const list = await api.get<{ items: Array<{ code: string; services: string[]; serviceHours: string; calendarId: string; projectManagerId: number | null }> }>(
      `/customers/${customerId}/contracts`,
    );
    const pms = await api.get<{ items: Array<{ id: number; username: string }> }>('/users?q=pm');
    const stored = list.items.find((c) => c.code === contract.code);
    expect(stored).toMatchObject({ services: ['服务器运维', '网络运维'], serviceHours: '7x24', calendarId: '24x7' });
    expect(stored?.projectManagerId).toBe(pms.items.find((u) => u.username === 'pm')?.id);
  });

  test('联系人: a VIP contact with mobile and e-mail', async () => {
    const { page } = b;
    await page.getByTestId('customer-tab-contacts').click();
    await page.getByTestId('contacts-new').first().click();
    const form = page.getByTestId('contact-form');
    await form.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.getByTestId('contact-form-name').fill(contact.name);
    await page.getByTestId('contact-form-title').fill(contact.title);
    await page.getByTestId('contact-form-mobile').fill(contact.mobile);
    await page.getByTestId('contact-form-email').fill(contact.email);
    await page.getByTestId('contact-form-vip').click();
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/customers/${customerId}/contacts`) && r.request().method() === 'POST');
    await page.getByTestId('contact-form-submit').click();
    expect((await saved).status()).toBe(201);
    await form.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });

    const row = page.getByTestId('contacts-row').filter({ hasText: contact.name });
    await row.waitFor({ timeout: UI_TIMEOUT });
    const text = await row.innerText();
    expect(text).toContain('VIP');
    expect(text).toContain(contact.title);
    expect(text).toContain(contact.mobile);
    expect(text).toContain(contact.email);
  });

  test('back in the list, a search by name finds the customer, also after a reload', async () => {
    const { page } = b;
    await page.getByTestId('page-back').click();
    await page.waitForURL((url) => url.pathname === '/admin/customers', { timeout: UI_TIMEOUT });
    await expectTitle(page, '客户');
    await page.getByTestId('customers-search').fill(customer.name);
    await page.waitForURL((url) => url.searchParams.get('q') === customer.name, { timeout: UI_TIMEOUT });

    const table = page.getByTestId('customers-table');
    const onlyOurs = async () => {
      const rows = await rowTexts(table, 'customers-row');
      return rows.length === 1 && rows[0].includes(customer.name) ? rows[0] : `rows: ${JSON.stringify(rows)}`;
    };
    await expect.poll(onlyOurs, { timeout: UI_TIMEOUT }).toContain(customer.code);
    const row = await onlyOurs();
    expect(row).toContain('三级');
    expect(row).toContain('Asia/Urumqi');

    await page.reload();
    await expectTitle(page, '客户');
    expect(await page.getByTestId('customers-search').inputValue()).toBe(customer.name);
    await expect.poll(onlyOurs, { timeout: UI_TIMEOUT }).toContain(customer.code);

    // and its detail page still shows what was registered
    await table.getByTestId('customers-row').first().click();
    await page.waitForURL(`**/admin/customers/${customerId}`, { timeout: UI_TIMEOUT });
    await expectTitle(page, customer.name);
    await page.getByTestId('customer-tab-contracts').click();
    await page.getByTestId('contracts-row').filter({ hasText: contract.code }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('customer-tab-contacts').click();
    await page.getByTestId('contacts-row').filter({ hasText: contact.name }).waitFor({ timeout: UI_TIMEOUT });
  });
});
