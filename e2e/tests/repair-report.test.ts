import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, expectTitle, loginUI, stamp, type Api } from '../support/app.js';

/** The customer's phone: 390×844 CSS pixels (signing with the mouse, as a finger would). */
const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3 };

interface TicketOut {
  id: number;
  number: string;
  description: string;
}

/** Draws a signature-like zigzag across the pad with mouse events. */
async function drawSignature(page: Page) {
  const pad = page.getByTestId('report-signature-pad');
  const box = await pad.boundingBox();
  if (!box) throw new Error('signature pad not visible');
  const y0 = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.15, y0);
  await page.mouse.down();
  for (let i = 1; i <= 24; i++) {
    await page.mouse.move(box.x + box.width * (0.15 + i * 0.028), y0 + (i % 2 ? -1 : 1) * box.height * 0.2, { steps: 3 });
  }
  await page.mouse.up();
  // a second stroke, and an undo of a third: undo takes back only the last one
  await page.mouse.move(box.x + box.width * 0.2, y0 + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, y0 + box.height * 0.3, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 20);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + 40, { steps: 4 });
  await page.mouse.up();
  await page.getByTestId('report-signature-undo').click();
}

describe('repair service report: the engineer fills it in, the customer signs it in the portal', () => {
  const b = useBrowser();
  let engineer: Api;
  let ticket: TicketOut;
  const title = `放射科打印机无法打印 ${stamp()}`;

  beforeAll(async () => {
    engineer = await apiAs(b.baseURL, 'engineer');
    const hospital = await customerByCode(engineer, DEMO.hospital.code);
    const contacts = await engineer.get<{ items: Array<{ id: number; name: string }> }>(`/customers/${hospital.id}/contacts?limit=50`);
    ticket = await engineer.post<TicketOut>('/tickets', {
      customerId: hospital.id,
      contactId: contacts.items[0].id,
      kind: 'incident',
      title,
      description: '放射科 3 号打印机卡纸后无法打印，面板报错 E-13。',
      impact: 'medium',
      urgency: 'medium',
      reportedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    });
  });
  afterAll(() => engineer?.dispose());

  test('the engineer opens the report page of the ticket and drafts the report from it', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await page.goto(`/tickets/${ticket.id}/report`);
    await expectTitle(page, '维修服务报告');
    await page.getByTestId('report-empty').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('report-create').click();
    await page.getByTestId('report-form').waitFor({ timeout: UI_TIMEOUT });
    expect((await page.getByTestId('report-number').innerText()).trim()).toBe(`${ticket.number}-R1`);
    expect(await page.getByTestId('report-state').getAttribute('data-state')).toBe('draft');
    // the fault as the customer described it
    expect(await page.getByTestId('report-fault').inputValue()).toBe(ticket.description);
  });

  test('fills in diagnosis, cause, actions, a part and the result, and saves', async () => {
    const { page } = b;
    await page.getByTestId('report-diagnosis').fill('搓纸轮磨损，导致连续卡纸');
    await page.getByTestId('report-cause').fill('搓纸轮超过使用寿命');
    await page.getByTestId('report-actions').fill('1. 清理卡纸\n2. 更换搓纸轮\n3. 打印测试页正常');
    await page.getByTestId('report-result-fixed').click();
    await page.getByTestId('report-part-add').click();
    await page.getByTestId('report-part-name-0').fill('搓纸轮');
    await page.getByTestId('report-part-model-0').fill('RM1-4006');
    await page.getByTestId('report-part-serial-0').fill('SN-8821');
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${ticket.id}/repair-report`) && r.request().method() === 'PATCH');
    await page.getByTestId('report-save').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => page.getByTestId('report-save').isDisabled(), { timeout: UI_TIMEOUT }).toBe(true);
    const report = await engineer.get<{ diagnosis: string; partsUsed: unknown[]; result: string; state: string }>(`/tickets/${ticket.id}/repair-report`);
    expect(report).toMatchObject({ state: 'draft', diagnosis: '搓纸轮磨损，导致连续卡纸', result: 'fixed', partsUsed: [{ name: '搓纸轮', model: 'RM1-4006', quantity: 1, serial: 'SN-8821' }] });
  });

  test('the customer contact reads the report on her phone and signs it on the pad', async () => {
    const page = await b.fresh(PHONE);
    await loginUI(page, 'hospital_user');
    await page.goto(`/portal/tickets/${ticket.id}/report`);
    await expectTitle(page, '维修服务报告');
    await page.getByTestId('report-view').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('report-view-diagnosis').innerText()).toContain('搓纸轮磨损');
    // one column: nothing to scroll sideways on a phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

    await page.getByTestId('report-sign-open').click();
    await page.getByTestId('report-signature').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('report-signer-name').inputValue()).toBe('林晓燕');
    expect(await page.getByTestId('report-signature-submit').isDisabled()).toBe(true);
    await drawSignature(page);
    await page.getByTestId('report-sign-opinion').fill('处理及时，满意');
    const signed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${ticket.id}/repair-report/sign`));
    await page.getByTestId('report-signature-submit').click();
    expect((await signed).status()).toBe(200);
    await page.getByTestId('report-signature').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('report-state').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('signed');
    await page.getByTestId('report-signature-image').waitFor({ timeout: UI_TIMEOUT });
    expect((await page.getByTestId('report-signer').innerText()).trim()).toBe('林晓燕');
    expect(await page.getByTestId('report-sign-open').count()).toBe(0);
  });

  test('afterwards the report is signed for the engineer too, and the PDF endpoint returns a PDF', async () => {
    const report = await engineer.get<{ state: string; signerName: string; signedVia: string; signaturePng: string; customerOpinion: string }>(`/tickets/${ticket.id}/repair-report`);
    expect(report).toMatchObject({ state: 'signed', signerName: '林晓燕', signedVia: 'portal', customerOpinion: '处理及时，满意' });
    expect(report.signaturePng).toMatch(/^data:image\/png;base64,/);
    const res = await b.page.request.get(`/api/v1/tickets/${ticket.id}/repair-report/pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const body = await res.body();
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(body.toString('latin1')).toMatch(/\/FontFile[23]/);
  });
});

describe('repair service reports of the demo: signed by the customer, the page shows the signature and the PDF downloads', () => {
  const b = useBrowser();

  test('a report the demo had signed on a recent on-site incident', async () => {
    const admin = await apiAs(b.baseURL, 'admin');
    try {
      // The demo signs reports on the latest resolved or closed on-site incidents.
      const recent = await admin.get<{ items: Array<{ id: number }> }>('/tickets?kind=incident&state=resolved,closed&sort=-reported&limit=100');
      let found: { ticketId: number; number: string; signerName: string; pdfSha256: string } | null = null;
      for (const t of recent.items) {
        found = await admin.get<typeof found>(`/tickets/${t.id}/repair-report`);
        if (found) break;
      }
      expect(found).not.toBeNull();
      const report = found!;
      const { page } = b;
      await loginUI(page, 'admin');
      await page.goto(`/tickets/${report.ticketId}/report`);
      await expectTitle(page, '维修服务报告');
      await expect.poll(() => page.getByTestId('report-state').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('signed');
      expect((await page.getByTestId('report-number').innerText()).trim()).toBe(report.number);
      await page.getByTestId('report-signature-image').waitFor({ timeout: UI_TIMEOUT });
      expect((await page.getByTestId('report-signer').innerText()).trim()).toBe(report.signerName);
      const res = await page.request.get(`/api/v1/tickets/${report.ticketId}/repair-report/pdf`);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toBe('application/pdf');
      const body = await res.body();
      expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(createHash('sha256').update(body).digest('hex')).toBe(report.pdfSha256);
    } finally {
      await admin.dispose();
    }
  });
});
