import { beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, loginUI, stamp, type Api, type CustomerOut } from '../support/app.js';

/**
 * Service desk, second pass (#10 items 11–13): the desk logs a call from a caller who is not a
 * contact yet and creates him inline; finds the hospital's 许丽华 by her initials (xlh) and by the
 * last four digits of her mobile; the administrator adds a dispatch rule on 派单规则; the hospital's
 * contact sees the desk's hotline and the contract's commitments in the portal (also on a phone).
 */

const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const SHOTS = process.env.E2E_SHOTS;

interface TicketOut {
  id: number;
  number: string;
  contactId: number | null;
  contactName: string | null;
}

describe('unknown callers, the caller lookup, dispatch rules and the portal\'s service panel', () => {
  const b = useBrowser();
  let admin: Api;
  let hospital: CustomerOut;
  const newCaller = `门诊新同事${stamp().slice(-4)}`;

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    hospital = await customerByCode(admin, DEMO.hospital.code);
    return () => admin.dispose();
  });

  const shot = async (name: string) => {
    if (SHOTS) await b.page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  test('the desk logs a call from an unknown caller and creates him as the hospital\'s contact with the ticket', async () => {
    const { page } = b;
    await loginUI(page, 'desk');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('n');
    await page.getByTestId('call-drawer').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.type(newCaller);
    await page.getByTestId('call-no-contact').waitFor({ timeout: UI_TIMEOUT });
    await shot('call-no-contact');
    await page.getByTestId('call-unknown-new').click();
    await page.getByTestId('call-unknown').waitFor({ timeout: UI_TIMEOUT });
    // what was typed became his name
    expect(await page.getByTestId('call-caller-name').inputValue()).toBe(newCaller);
    await page.getByTestId('call-caller-phone').fill('0576-8899 4321');
    await page.getByTestId('call-customer-select').click();
    await page.getByTestId('call-customer-select').locator('input').fill('人民医院');
    await page.locator('.ant-select-item-option').filter({ hasText: DEMO.hospital.name }).click();
    await page.getByTestId('call-site').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '放射科' }).click();
    await page.getByTestId('call-title').fill(`放射科阅片工作站无法开机 ${stamp()}`);
    await page.getByTestId('call-description').fill('按电源键无反应，指示灯不亮。');
    await shot('call-unknown-new');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST');
    await page.getByTestId('call-form-submit').click();
    const res = await created;
    expect(res.status()).toBe(201);
    const ticket = (await res.json()) as TicketOut;
    expect(ticket.contactName).toBe(newCaller);
    await page.waitForURL(`**/tickets/${ticket.id}`, { timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('ticket-contact').innerText(), { timeout: UI_TIMEOUT }).toContain(newCaller);
    // he is the hospital's contact now, at the ticket's site
    const contacts = await admin.get<{ items: Array<{ name: string; phone: string | null }> }>(`/customers/${hospital.id}/contacts?q=${encodeURIComponent(newCaller)}`);
    expect(contacts.items.map((c) => [c.name, c.phone])).toEqual([[newCaller, '0576-8899 4321']]);
  });

  test('finds 许丽华 by her initials (xlh) and by the last four digits of her mobile', async () => {
    const { page } = b;
    await page.keyboard.press('Escape').catch(() => undefined);
    await page.goto(`${b.baseURL}/workspace`);
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('n');
    await page.getByTestId('call-drawer').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.type('xlh');
    const byInitials = page.getByTestId('call-search-option').filter({ hasText: '许丽华' });
    await byInitials.waitFor({ timeout: UI_TIMEOUT });
    expect(await byInitials.getByTestId('call-search-matched').innerText()).toBe('首字母');
    await shot('call-search-initials');
    await page.getByTestId('call-search').locator('input').fill('1004');
    const byTail = page.getByTestId('call-search-option').filter({ hasText: '许丽华' });
    // the list follows the typing (debounced): wait until it shows what 1004 found
    await expect.poll(() => byTail.getByTestId('call-search-matched').innerText().catch(() => ''), { timeout: UI_TIMEOUT }).toBe('尾号');
    await byTail.click();
    expect(await page.getByTestId('call-contact').innerText()).toContain('许丽华');
    expect((await page.getByTestId('call-customer').innerText()).trim()).toBe(DEMO.hospital.name);
  });

  test('the administrator adds a dispatch rule on 派单规则', async () => {
    const page = await b.fresh();
    await loginUI(page, 'admin');
    await page.goto(`${b.baseURL}/admin/dispatch-rules`);
    await page.getByTestId('page-dispatch-rules').waitFor({ timeout: UI_TIMEOUT });
    // Count once the list has loaded (the demo has dispatch rules): counted earlier it is 0.
    await page.getByTestId('dispatch-row').first().waitFor({ timeout: UI_TIMEOUT });
    const before = await page.getByTestId('dispatch-row').count();
    const name = `放射科设备故障 ${stamp()}`;
    await page.getByTestId('dispatch-new').click();
    await page.getByTestId('dispatch-form-name').fill(name);
    await page.getByTestId('dispatch-form-customer').click();
    await page.getByTestId('dispatch-form-customer').locator('input').fill('人民医院');
    await page.locator('.ant-select-item-option').filter({ hasText: DEMO.hospital.name }).click();
    await page.getByTestId('dispatch-form-category').fill('医疗设备');
    await page.getByTestId('dispatch-form-team').click();
    await page.getByTestId('dispatch-form-team').locator('input').fill('二线');
    await page.locator('.ant-select-item-option').filter({ hasText: '二线技术组' }).click();
    await page.getByTestId('dispatch-form-submit').click();
    const row = page.getByTestId('dispatch-row').filter({ hasText: name });
    await row.waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('dispatch-row').count(), { timeout: UI_TIMEOUT }).toBe(before + 1);
    expect(await row.innerText()).toContain('二线技术组');
    expect(await row.innerText()).toContain('分类：医疗设备');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/dispatch-rules.png`, fullPage: true });
    // the new rule is last; one step up and it is second to last
    if (before > 0) {
      await row.getByTestId('dispatch-up').click();
      await expect.poll(async () => (await page.getByTestId('dispatch-row').nth(before - 1).innerText()).includes(name), { timeout: UI_TIMEOUT }).toBe(true);
    }
    const rules = await admin.get<{ items: Array<{ name: string; category: string | null }> }>('/dispatch-rules?limit=200');
    expect(rules.items.find((r) => r.name === name)).toMatchObject({ category: '医疗设备' });
  });

  test('the hospital\'s contact sees the desk\'s hotline and the contract\'s commitments in the portal, also on a phone', async () => {
    for (const [options, suffix] of [
      [CHINESE_DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const page = await b.fresh(options);
      await loginUI(page, 'hospital_user');
      await page.getByTestId('page-portal').waitFor({ timeout: UI_TIMEOUT });
      await page.getByTestId('portal-service').waitFor({ timeout: UI_TIMEOUT });
      await expect.poll(() => page.getByTestId('portal-hotline').innerText(), { timeout: UI_TIMEOUT }).toBe('0576-8888 1234');
      expect(await page.getByTestId('portal-desk-hours').innerText()).toBe('7×24 小时');
      const first = page.getByTestId('portal-commitment').first();
      await first.waitFor({ timeout: UI_TIMEOUT });
      expect(await first.innerText()).toMatch(/分钟内响应|小时内响应/);
      expect(await first.innerText()).toMatch(/内解决/);
      // 我的工单 and 本单位工单 say what they hold
      expect(await page.getByTestId('portal-tab-mine').innerText()).toBe('我的工单');
      expect(await page.getByTestId('portal-list-scope').innerText()).toBe('我报告的，或我是联系人的工单');
      await page.getByTestId('portal-tab-ours').click();
      await expect.poll(() => page.getByTestId('portal-list-scope').innerText(), { timeout: UI_TIMEOUT }).toBe(`${DEMO.hospital.name}的全部工单`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/portal-${suffix}.png`, fullPage: true });
    }
  });
});
