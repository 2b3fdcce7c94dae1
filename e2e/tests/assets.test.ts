import path from 'node:path';
import { request, type APIRequestContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO, DEMO_PASSWORD } from '../support/env.js';
import { UI_TIMEOUT, stamp } from '../support/app.js';

/**
 * Assets and verification (docs/ASSETS.md): a new site of the hospital with two devices on the
 * asset register and a verification campaign (盘点) of that site for the engineer. On a phone
 * (390×844) the engineer scans the second device's tag: its QR code's address (the asset page)
 * asks him to log in and returns to the page, which offers the campaign's check — 有差异: at
 * another location, with the place he found it. On the campaign page he taps 相符 for the first;
 * progress 2/2; he accepts the difference on the review page (the register takes the new
 * location) and closes the campaign; its record downloads as a PDF. From the first device's page
 * 报修 logs a ticket of the hospital at that site naming the CI. Screenshots artifacts/assets-*.png.
 */
const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `assets-${name}.png`), fullPage: true });

interface AdminApi {
  call<T = unknown>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
  raw: APIRequestContext;
}

async function adminApi(baseURL: string): Promise<AdminApi> {
  const raw = await request.newContext({ baseURL, extraHTTPHeaders: { 'Accept-Language': 'zh-CN' } });
  const login = await raw.post('/api/v1/auth/login', { data: { username: 'admin', password: DEMO_PASSWORD } });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return {
    raw,
    async call<T>(method: 'GET' | 'POST' | 'PUT', p: string, body?: unknown) {
      const res = await raw.fetch(`/api/v1${p}`, { method, data: body, headers: { 'X-CSRF-Token': csrfToken } });
      if (!res.ok()) throw new Error(`${method} ${p}: ${res.status()} ${await res.text()}`);
      return (await res.json()) as T;
    },
  };
}

describe('a verification campaign completed on a phone, reached from an asset tag\'s QR code', () => {
  const b = useBrowser(PHONE);
  let api: AdminApi;
  const s = stamp();
  let customerId = 0;
  let siteId = 0;
  let campaignId = 0;
  const ci: { first: number; second: number } = { first: 0, second: 0 };
  const code = { first: `E2E-${s}-SRV`, second: `E2E-${s}-UPS` };

  beforeAll(async () => {
    api = await adminApi(b.baseURL);
    const customers = await api.call<{ items: Array<{ id: number; code: string }> }>('GET', `/customers?q=${DEMO.hospital.code}`);
    customerId = customers.items.find((c) => c.code === DEMO.hospital.code)!.id;
    siteId = (await api.call<{ id: number }>('POST', `/customers/${customerId}/sites`, { name: `E2E 机房 ${s}` })).id;
    const types = await api.call<Array<{ id: number; code: string }>>('GET', '/ci-types');
    const typeId = (c: string) => types.find((t) => t.code === c)!.id;
    ci.first = (await api.call<{ id: number }>('POST', '/cis', { customerId, siteId, typeId: typeId('server_physical'), code: code.first, name: `门诊收费服务器 ${s}`, serial: `SN${s}1` })).id;
    ci.second = (await api.call<{ id: number }>('POST', '/cis', { customerId, siteId, typeId: typeId('ups'), code: code.second, name: `机房 UPS ${s}`, serial: `SN${s}2` })).id;
    await api.call('PUT', `/assets/${ci.first}`, { assetNo: `ZC-${s}-1`, location: 'A 排 1 号柜', warrantyEnd: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10), price: 65000 });
    await api.call('PUT', `/assets/${ci.second}`, { assetNo: `ZC-${s}-2`, location: 'A 排 2 号柜', responsibleName: '张伟' });
    const engineer = await api.call<{ items: Array<{ id: number; username: string }> }>('GET', '/users?q=engineer');
    const campaign = await api.call<{ id: number; total: number }>('POST', '/asset-campaigns', { customerId, siteId, name: `E2E 盘点 ${s}`, assigneeId: engineer.items.find((u) => u.username === 'engineer')?.id ?? null });
    expect(campaign.total).toBe(2);
    campaignId = campaign.id;
  }, 60_000);
  afterAll(async () => api?.raw.dispose());

  test('the tag\'s QR address is the asset page; opened logged out it asks for a login and returns there', async () => {
    const { page } = b;
    const asset = await api.call<{ url: string }>('GET', `/assets/${ci.second}`);
    expect(asset.url).toBe(`${b.baseURL}/assets/${ci.second}`);
    await page.goto(asset.url);
    await page.waitForURL(/\/login\?next=/, { timeout: UI_TIMEOUT });
    await page.getByTestId('login-username').fill('engineer');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(new RegExp(`/assets/${ci.second}$`), { timeout: UI_TIMEOUT });
    await page.getByTestId('page-asset').waitFor({ timeout: UI_TIMEOUT });
    await page.getByText(`ZC-${s}-2`).first().waitFor({ timeout: UI_TIMEOUT });
    // The big 报修 action and the campaign's check are on screen.
    expect(await page.getByTestId('asset-report-fault').isVisible()).toBe(true);
    await page.getByTestId(`asset-campaign-${campaignId}`).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId(`asset-campaign-${campaignId}`).innerText()).toContain(`E2E 盘点 ${s}`);
    await shot(page, 'asset-page-phone');
  });

  test('on the asset page: 有差异 — found at another location, with where', async () => {
    const { page } = b;
    await page.getByTestId('asset-check-other').click();
    await page.locator('.ant-modal').getByText('位置不符', { exact: true }).click();
    await page.getByTestId('check-location').fill('B 排 5 号柜（已搬迁）');
    await page.getByTestId('check-note').fill('机柜调整后未更新台账');
    await shot(page, 'check-modal-phone');
    const saved = page.waitForResponse((r) => r.url().includes(`/asset-campaigns/${campaignId}/items/${ci.second}/check`) && r.request().method() === 'POST');
    await page.getByTestId('check-save').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(async () => (await page.getByTestId(`asset-campaign-${campaignId}`).innerText()).includes('位置不符'), { timeout: UI_TIMEOUT }).toBe(true);
  });

  test('the campaign page: progress, the pending item ticked 相符, then 2/2 and in review', async () => {
    const { page } = b;
    await page.goto(`/asset-campaigns/${campaignId}`);
    await page.getByTestId('page-campaign').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('campaign-progress').innerText()).toContain('已盘点 1 / 2');
    // Pending first: only the first device is listed.
    const item = page.getByTestId(`campaign-item-${code.first}`);
    await item.waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId(`campaign-item-${code.second}`).count()).toBe(0);
    const found = page.getByTestId(`campaign-found-${code.first}`);
    const box = await found.boundingBox();
    // A tap target: at least 44 px high, inside the screen.
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await shot(page, 'campaign-phone');
    await found.click();
    await expect.poll(async () => (await page.getByTestId('campaign-progress').innerText()).trim(), { timeout: UI_TIMEOUT }).toContain('已盘点 2 / 2');
    await page.getByText('全部已盘点').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('campaign-state').innerText()).toBe('待审核');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  });

  test('the difference is reviewed: accepted, the register takes the new location', async () => {
    const { page } = b;
    await page.getByTestId('campaign-review-link').click();
    await page.getByTestId('page-campaign-review').waitFor({ timeout: UI_TIMEOUT });
    const card = page.getByTestId(`review-item-${code.second}`);
    await card.waitFor({ timeout: UI_TIMEOUT });
    expect(await card.innerText()).toContain('B 排 5 号柜（已搬迁）');
    await shot(page, 'review-phone');
    await page.getByTestId(`review-accept-${code.second}`).click();
    await page.getByTestId(`review-decision-${code.second}`).waitFor({ timeout: UI_TIMEOUT });
    const asset = await api.call<{ asset: { location: string } }>('GET', `/assets/${ci.second}`);
    expect(asset.asset.location).toBe('B 排 5 号柜（已搬迁）');
  });

  test('the campaign closes and its record downloads as a PDF', async () => {
    const { page } = b;
    await page.goto(`/asset-campaigns/${campaignId}`);
    await page.getByTestId('campaign-close').click();
    await page.getByTestId('campaign-close-ok').click();
    await expect.poll(async () => (await page.getByTestId('campaign-state').innerText()).trim(), { timeout: UI_TIMEOUT }).toBe('已结束');
    const pdf = await api.raw.get(`/api/v1/asset-campaigns/${campaignId}/report.pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const history = await api.call<Array<{ action: string }>>('GET', `/assets/${ci.first}/history`);
    expect(history.map((h) => h.action)).toContain('verified');
  });

  test('报修 from the asset page logs a ticket of the hospital at the site, naming the CI', async () => {
    const { page } = b;
    await page.goto(`/assets/${ci.first}`);
    await page.getByTestId('asset-report-fault').click();
    await page.getByTestId('fault-description').fill('电源指示灯橙色闪烁，风扇噪音大');
    await page.getByTestId('fault-phone').fill('13900001234');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST');
    await page.getByTestId('fault-submit').click();
    const res = await created;
    expect(res.status(), await res.text()).toBe(201);
    const ticket = (await res.json()) as { id: number; customerId: number; siteId: number | null; description: string };
    expect(ticket.customerId).toBe(customerId);
    expect(ticket.siteId).toBe(siteId);
    expect(ticket.description).toContain(code.first);
    await page.waitForURL(new RegExp(`/tickets/${ticket.id}$`), { timeout: UI_TIMEOUT });
    const cis = await api.raw.get(`/api/v1/tickets/${ticket.id}/cis`);
    if (cis.status() === 200) expect(JSON.stringify(await cis.json())).toContain(code.first);
  });

  test('资产台账 on a laptop: the site\'s two assets found by number, warranty status shown, tags printable', async () => {
    const page = await b.fresh(CHINESE_DESKTOP);
    await page.goto('/login');
    await page.getByTestId('login-username').fill('pm');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: UI_TIMEOUT });
    await page.goto(`/assets?q=ZC-${s}`);
    await page.getByTestId(`asset-row-ZC-${s}-1`).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId(`asset-row-ZC-${s}-1`).innerText()).toContain('即将到期');
    expect(await page.getByTestId(`asset-row-ZC-${s}-2`).count()).toBe(1);
    const labels = await page.request.get(`/api/v1/assets/labels.pdf?q=ZC-${s}&layout=a4`);
    expect(labels.status()).toBe(200);
    expect(labels.headers()['content-type']).toBe('application/pdf');
    await shot(page, 'list-desktop');
  });

  test('the hospital\'s user reads the asset page and the campaign read-only on a phone; the tax office\'s user gets 404', async () => {
    const page = await b.fresh(PHONE);
    await page.goto(`/assets/${ci.first}`);
    await page.waitForURL(/\/login\?next=/, { timeout: UI_TIMEOUT });
    await page.getByTestId('login-username').fill('hospital_user');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(new RegExp(`/assets/${ci.first}$`), { timeout: UI_TIMEOUT });
    await page.getByTestId('asset-details').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('asset-details').innerText()).toContain(`ZC-${s}-1`);
    // Read-only: no edit, no disposal; 报修 is the portal's own report.
    expect(await page.getByTestId('asset-edit').count()).toBe(0);
    expect(await page.getByTestId('asset-dispose').count()).toBe(0);
    expect(await page.getByTestId('asset-report-fault').isVisible()).toBe(true);
    await page.goto(`/asset-campaigns/${campaignId}`);
    await page.getByTestId('campaign-state').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId(`campaign-found-${code.first}`).count()).toBe(0);
    await shot(page, 'customer-campaign-phone');
    const tax = await b.fresh(PHONE);
    await tax.goto('/login');
    await tax.getByTestId('login-username').fill('tax_user');
    await tax.getByTestId('login-password').fill(DEMO_PASSWORD);
    await tax.getByTestId('login-submit').click();
    await tax.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: UI_TIMEOUT });
    await tax.goto(`/assets/${ci.first}`);
    await tax.getByTestId('page-404').waitFor({ timeout: UI_TIMEOUT });
    expect(await tax.getByText(`ZC-${s}-1`).count()).toBe(0);
    const api404 = await tax.request.get(`/api/v1/asset-campaigns/${campaignId}`);
    expect(api404.status()).toBe(404);
  });
});
