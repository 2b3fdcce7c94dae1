import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, expectTitle, loginUI, stamp, type Api } from '../support/app.js';

/** The engineer's phone in the machine room: 390×844 CSS pixels. */
const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 };

async function pickOption(page: Page, testid: string, text: string | RegExp): Promise<void> {
  const select = page.getByTestId(testid);
  await select.click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first().click({ timeout: UI_TIMEOUT });
}

function pdfText(bytes: Buffer): string {
  const file = path.join(os.tmpdir(), `e2e-parts-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.unlinkSync(file);
  }
}

describe('spare parts: the engineer requisitions a part from a ticket on his phone, fits it, and the repair report lists it', () => {
  const b = useBrowser(PHONE);
  let engineer: Api;
  let ticket: { id: number; number: string };
  let slipNumber = '';
  const title = `信息科服务器内存告警 ${stamp()}`;

  beforeAll(async () => {
    engineer = await apiAs(b.baseURL, 'engineer');
    const hospital = await customerByCode(engineer, DEMO.hospital.code);
    const contacts = await engineer.get<{ items: Array<{ id: number }> }>(`/customers/${hospital.id}/contacts?limit=50`);
    ticket = await engineer.post('/tickets', {
      customerId: hospital.id,
      contactId: contacts.items[0].id,
      kind: 'incident',
      title,
      description: '信息科 HIS 备用服务器内存报可纠正错误，需更换一条 32G 内存。',
      impact: 'medium',
      urgency: 'medium',
      reportedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    });
  });
  afterAll(() => engineer?.dispose());

  test('the ticket page offers 备件领用; the drawer takes the depot, the model and the quantity, and shows what is on the shelf', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('ticket-parts').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('ticket-parts').innerText()).toContain('本工单还没有领用备件');
    await page.getByTestId('ticket-parts-new').click();
    await page.getByTestId('requisition-form').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // Another customer's store is not offered.
    await page.getByTestId('requisition-warehouse').click();
    const options = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option');
    await options.first().waitFor({ timeout: UI_TIMEOUT });
    expect((await options.allInnerTexts()).join('\n')).not.toContain(DEMO.tax.name);
    await options.filter({ hasText: '华信运维总部备件库' }).first().click();
    await pickOption(page, 'requisition-model-0', '32G DDR4');
    await expect.poll(() => page.getByTestId('requisition-line-0').innerText(), { timeout: UI_TIMEOUT }).toMatch(/可用 \d+条/);
    // More than the shelf holds: refused naming the line's quantity, nothing taken.
    await page.getByTestId('requisition-quantity-0').fill('999');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/part-requisitions') && r.request().method() === 'POST');
    await page.getByTestId('requisition-form-submit').click();
    expect((await refused).status()).toBe(400);
    await expect.poll(() => page.getByTestId('requisition-line-0').innerText(), { timeout: UI_TIMEOUT }).toContain('库存不足');
    // one column on the phone: nothing to scroll sideways
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'parts-requisition-phone.png') });
    await page.getByTestId('requisition-quantity-0').fill('1');
    await page.getByTestId('requisition-note').fill('更换报错内存条');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/part-requisitions') && r.request().method() === 'POST');
    await page.getByTestId('requisition-form-submit').click();
    const res = await created;
    expect(res.status()).toBe(201);
    slipNumber = ((await res.json()) as { number: string }).number;
    expect(slipNumber).toMatch(/^LY-\d{6}-\d{4}$/);
    await page.getByTestId('ticket-parts-created').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('ticket-parts-created').innerText()).toContain(slipNumber);
    await expect.poll(() => page.getByTestId('ticket-parts').innerText(), { timeout: UI_TIMEOUT }).toContain('32G DDR4');
    await page.getByTestId('ticket-parts').screenshot({ path: path.join(ARTIFACTS, 'parts-ticket-panel-phone.png') });
  });

  test('the 备件领用单 is a PDF the customer signs', async () => {
    const slip = await engineer.get<Array<{ id: number; number: string }>>(`/tickets/${ticket.id}/part-movements`);
    const res = await b.page.request.get(`/api/v1/part-requisitions/${slip[0].id}/pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('application/pdf');
    const text = pdfText(await res.body());
    expect(text).toContain('备件领用单');
    expect(text).toContain(slipNumber);
    expect(text).toContain(ticket.number);
    expect(text).toContain('客户签字确认');
  });

  test('fitted: the repair report drafted from the ticket lists the part, and so does its PDF', async () => {
    const { page } = b;
    await page.goto(`/tickets/${ticket.id}/report`);
    await expectTitle(page, '维修服务报告');
    await page.getByTestId('report-create').click();
    await page.getByTestId('report-form').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('report-part-name-0').inputValue()).toBe('内存 金士顿');
    expect(await page.getByTestId('report-part-model-0').inputValue()).toContain('32G DDR4');
    // A second part taken after the draft: picked into the list from the ticket's requisitions.
    const hospital = await customerByCode(engineer, DEMO.hospital.code);
    const stores = await engineer.get<Array<{ id: number; customerId: number | null }>>(`/warehouses?customerId=${hospital.id}`);
    const models = await engineer.get<Array<{ id: number; label: string }>>('/part-models?q=CF228A');
    await engineer.post('/part-requisitions', { ticketId: ticket.id, warehouseId: stores[0].id, lines: [{ modelId: models[0].id, quantity: 1 }] });
    await page.getByTestId('report-parts-from-stock').click();
    const second = page.getByTestId('report-stock-part-1');
    await second.waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('report-stock-part-0').isDisabled()).toBe(true);
    await second.check();
    await page.getByTestId('report-parts-from-stock-ok').click();
    expect(await page.getByTestId('report-part-name-1').inputValue()).toBe('硒鼓 HP');
    await page.getByTestId('report-actions').fill('更换内存条一条、硒鼓一个，测试正常');
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${ticket.id}/repair-report`) && r.request().method() === 'PATCH');
    await page.getByTestId('report-save').click();
    expect((await saved).status()).toBe(200);
    const report = await engineer.get<{ partsUsed: Array<{ name: string; quantity: number }> }>(`/tickets/${ticket.id}/repair-report`);
    expect(report.partsUsed.map((p) => p.name)).toEqual(['内存 金士顿', '硒鼓 HP']);
    const pdf = await page.request.get(`/api/v1/tickets/${ticket.id}/repair-report/pdf`);
    expect(pdf.status()).toBe(200);
    const text = pdfText(await pdf.body());
    expect(text).toContain('更换备件');
    expect(text).toContain('内存 金士顿');
    expect(text).toContain('硒鼓 HP');
  });

  test('the ledger shows the requisition, the stock page marks the store below its minimum', async () => {
    const page = await b.fresh(CHINESE_DESKTOP);
    await loginUI(page, 'engineer');
    await page.goto('/parts/movements');
    await page.getByTestId('parts-ledger').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('parts-ledger').innerText(), { timeout: UI_TIMEOUT }).toContain(slipNumber);
    await page.goto('/parts?low=1');
    await page.getByTestId('parts-stock-table').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('parts-stock-table').innerText(), { timeout: UI_TIMEOUT }).toContain('硒鼓 HP CF228A');
    expect(await page.locator('.yw-parts-low').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'parts-stock.png'), fullPage: true });
    // The demo's stand-in lent to the tax office, with its due-back date; and the models.
    await page.getByTestId('parts-tab-standins').click();
    await page.getByTestId('standins-table').waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('standins-table').innerText(), { timeout: UI_TIMEOUT }).toContain('PF3KX001');
    expect(await page.getByTestId('standins-table').innerText()).toContain(DEMO.tax.name);
    await page.screenshot({ path: path.join(ARTIFACTS, 'parts-standins.png') });
    await page.getByTestId('parts-tab-models').click();
    await expect.poll(() => page.getByTestId('parts-models-table').innerText(), { timeout: UI_TIMEOUT }).toContain('ThinkPad E14');
  });
});
