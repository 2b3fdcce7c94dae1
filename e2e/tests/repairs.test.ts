import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, loginUI, stamp, type Api, type CustomerOut } from '../support/app.js';
import { waitForMail } from '../support/mail.js';

/**
 * Vendor repairs (docs/REPAIRS.md): the tax office's engineer confirms a failed disk and sends
 * the PC to 联想服务 from its ticket (送修), the drawer refusing to save until the user's data
 * is confirmed; recorded as sent a week ago, its first written progress report is already
 * overdue: the scheduler notes it (the order's history and the list in red). The engineer
 * writes the report (marked late, mailed to the tax office's contact, a public reply on the
 * ticket) and the clock starts again; the device comes back, passes its test and is accepted,
 * and the ticket, which waited on the vendor, is being worked on again. Screenshots in
 * artifacts/repairs-*.png.
 */
const CONTACT_EMAIL = 'huanghaitao@jzswj.example.cn';

interface TicketOut {
  id: number;
  number: string;
  state: string;
  version: number;
  timeline: Array<{ type: string; visibility: string; data: Record<string, unknown> }>;
}
interface OrderOut {
  id: number;
  number: string;
  state: string;
  reportStatus: string;
  nextReportDueAt: string | null;
  events: Array<{ type: string }>;
  progress: Array<{ late: boolean; text: string; mailedTo: string | null }>;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `repairs-${name}.png`), fullPage: true });

/** Types into an antd DatePicker input and commits with Enter. */
async function typeDate(page: Page, testid: string, text: string): Promise<void> {
  const input = page.getByTestId(testid).first();
  await input.click();
  await input.fill(text);
  await input.press('Enter');
}

/** `YYYY-MM-DD HH:mm` in Shanghai. */
function shanghai(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

describe('repairs: a failed disk sent to the vendor, its progress reports due and recorded', () => {
  const b = useBrowser();
  const mailDir = inject('mailDir');
  let engineer: Api;
  let tax: CustomerOut;
  let ticket: TicketOut;
  let orderId = 0;
  let order: OrderOut;
  const mark = stamp();
  const device = `联想 ThinkCentre M920t 征收科 ${mark}`;
  const report = `联想服务站已确认硬盘损坏，保修更换新硬盘，预计周五返回 ${mark}`;

  beforeAll(async () => {
    engineer = await apiAs(b.baseURL, 'engineer');
    const desk = await apiAs(b.baseURL, 'desk');
    tax = await customerByCode(engineer, DEMO.tax.code);
    const contacts = await engineer.get<{ items: Array<{ id: number; name: string }> }>(`/customers/${tax.id}/contacts?limit=50`);
    const contact = contacts.items.find((c) => c.name === '黄海涛') ?? contacts.items[0];
    const me = await engineer.get<{ id: number }>('/auth/me');
    const t = await desk.post<TicketOut>('/tickets', {
      customerId: tax.id,
      contactId: contact.id,
      kind: 'incident',
      title: `征收科电脑硬盘故障 ${mark}`,
      description: '开机提示 S.M.A.R.T. status BAD，系统频繁卡死。',
      impact: 'medium',
      urgency: 'medium',
      reportedAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    });
    const assigned = await desk.post<TicketOut>(`/tickets/${t.id}/actions/assign`, { assigneeId: me.id });
    await engineer.post(`/tickets/${t.id}/actions/accept`, { version: assigned.version });
    ticket = await engineer.post<TicketOut>(`/tickets/${t.id}/actions/start`, {});
    await desk.dispose();
    return async () => {
      await engineer.dispose();
    };
  });

  test('the engineer sends the PC for repair from its ticket; the drawer wants the user-data confirmation first', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('ticket-repair-new').click();
    await page.getByTestId('repair-new-device').fill(device);
    await page.getByTestId('repair-new-serial').fill(`PC-${mark}`);
    await page.getByTestId('repair-new-vendor').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '联想服务' }).first().click();
    // Sent a week ago (recorded afterwards): its first report is overdue already.
    await typeDate(page, 'repair-new-sent-at', shanghai(Date.now() - 7 * 86_400_000));
    await page.getByTestId('repair-new-submit').click();
    await expect.poll(() => page.getByText('请确认用户数据已备份、已清除或设备上无用户数据').count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    await shot(page, 'drawer');
    await page.getByTestId('repair-new-data-backed_up').click();
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/repair-orders') && r.request().method() === 'POST');
    await page.getByTestId('repair-new-submit').click();
    expect((await created).status()).toBe(201);
    await page.getByTestId('page-repair').waitFor({ timeout: UI_TIMEOUT });
    orderId = Number(/\/repairs\/(\d+)/.exec(page.url())![1]);
    await expect.poll(() => page.getByTestId('repair-state').first().getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('sent');
    expect(await page.getByTestId('repair-data').innerText()).toBe('已备份用户数据');
    expect(await page.getByTestId('repair-countdown').getAttribute('data-status')).toBe('overdue');
    expect((await engineer.get<TicketOut>(`/tickets/${ticket.id}`)).state).toBe('waiting_vendor');
  });

  test('the overdue report is noted by the scheduler and shown in red in the list', async () => {
    const { page } = b;
    await expect
      .poll(async () => (await engineer.get<OrderOut>(`/repair-orders/${orderId}`)).events.some((e) => e.type === 'overdue'), { timeout: 30_000, interval: 500 })
      .toBe(true);
    order = await engineer.get<OrderOut>(`/repair-orders/${orderId}`);
    await page.goto('/repairs?overdue=1');
    const row = page.getByTestId(`repair-row-${order.number}`);
    await row.waitFor({ timeout: UI_TIMEOUT });
    expect(await row.getAttribute('data-report-status')).toBe('overdue');
    expect(await row.getAttribute('class')).toContain('yw-repair-overdue');
    await shot(page, 'list');
    await row.click();
    await page.getByTestId('repair-event-overdue').waitFor({ timeout: UI_TIMEOUT });
  });

  test('the engineer records the written progress report: late, mailed to the contact, on the ticket; the clock starts again', async () => {
    const { page } = b;
    await page.getByTestId('repair-progress-text').fill(report);
    await page.getByTestId('repair-progress-submit').click();
    await expect.poll(() => page.getByTestId('repair-progress-item').count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await page.getByTestId('repair-progress-item').innerText()).toContain('逾期提交');
    await expect.poll(() => page.getByTestId('repair-countdown').getAttribute('data-status'), { timeout: UI_TIMEOUT }).not.toBe('overdue');
    await shot(page, 'order');
    const after = await engineer.get<OrderOut>(`/repair-orders/${orderId}`);
    expect(after.progress[0]).toMatchObject({ late: true, mailedTo: CONTACT_EMAIL });
    expect(Date.parse(after.nextReportDueAt!)).toBeGreaterThan(Date.now());
    const mail = await waitForMail(mailDir, (m) => m.to.includes(CONTACT_EMAIL) && m.text.includes(report));
    expect(mail.text).toContain(`【设备送修进度】${order.number}`);
    const t = await engineer.get<TicketOut>(`/tickets/${ticket.id}`);
    expect(t.timeline.some((e) => e.type === 'reply' && e.visibility === 'public' && String(e.data.body).includes(report))).toBe(true);
  });

  test('the device comes back, passes its test and is accepted; the ticket is worked on again', async () => {
    const { page } = b;
    await page.getByTestId('repair-return').click();
    await expect.poll(() => page.getByTestId('repair-state').first().getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('returned');
    await page.getByTestId('repair-accept').click();
    await page.getByTestId('repair-ask-test').fill('更换硬盘后开机自检通过，数据已恢复');
    await page.getByTestId('repair-ask-ok').click();
    await expect.poll(() => page.getByTestId('repair-state').first().getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('accepted');
    expect(await page.getByTestId('repair-target').innerText()).toMatch(/\d/);
    expect((await engineer.get<TicketOut>(`/tickets/${ticket.id}`)).state).toBe('in_progress');
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId(`ticket-repair-${order.number}`).waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'ticket-panel');
  });

  test('the tax office\'s contact sees the repair on his ticket in the portal, read-only', async () => {
    const page = await b.fresh();
    await loginUI(page, 'tax_user');
    await page.goto(`/portal/tickets/${ticket.id}`);
    const row = page.getByTestId(`ticket-repair-${order.number}`);
    await row.waitFor({ timeout: UI_TIMEOUT });
    expect(await row.getByTestId('repair-state').getAttribute('data-state')).toBe('accepted');
    expect(await page.getByTestId('ticket-repair-new').count()).toBe(0);
    await shot(page, 'portal');
  });
});
