import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, stamp, type Api } from '../support/app.js';

/** Types into an antd DatePicker / TimePicker input and commits with Enter. */
async function typeDate(page: Page, testid: string, text: string): Promise<void> {
  const input = page.getByTestId(testid).first();
  await input.click();
  await input.fill(text);
  await input.press('Enter');
}

/** The kind (working / off / holiday / workday) and text of a day in the month view. */
async function day(page: Page, date: string): Promise<{ kind: string | null; text: string }> {
  const cell = page.getByTestId(`calendars-day-${date}`);
  await cell.waitFor({ timeout: UI_TIMEOUT });
  return { kind: await cell.getAttribute('data-kind'), text: (await cell.innerText()).replace(/\s+/g, ' ') };
}

async function computeDeadline(page: Page, start: string, amount: string): Promise<string> {
  await typeDate(page, 'calendars-deadline-start', start);
  await page.getByTestId('calendars-deadline-amount').fill(amount);
  const answered = page.waitForResponse((r) => r.url().includes('/deadline?') && r.request().method() === 'GET');
  await page.getByTestId('calendars-deadline-compute').click();
  expect((await answered).status()).toBe(200);
  const result = page.getByTestId('calendars-deadline-result');
  await result.waitFor({ timeout: UI_TIMEOUT });
  return result.innerText();
}

describe('an administrator copies the China 5×8 calendar, reads October 2026 and computes deadlines', () => {
  const b = useBrowser();
  const id = stamp();
  const copy = { name: `E2E日历${id}`, id: `e2e-${id.toLowerCase()}` };
  let api: Api;

  beforeAll(async () => {
    api = await apiAs(b.baseURL, 'admin');
  });
  afterAll(async () => {
    await api?.dispose();
  });

  test('服务日历 lists the built-in calendars', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByTestId('nav-admin-calendars').click();
    await page.waitForURL('**/admin/calendars', { timeout: UI_TIMEOUT });
    await expectTitle(page, '服务日历');
    const row = page.getByTestId('calendars-row').filter({ hasText: /cn-5x8(?!-)/ });
    await row.waitFor({ timeout: UI_TIMEOUT });
    const text = await row.innerText();
    expect(text).toContain('内置');
    expect(text).toContain('Asia/Shanghai');
    expect(text).toContain('周一至周五 08:00–12:00、13:00–17:00');
  });

  test('复制为新日历: the copy opens with its own name and id', async () => {
    const { page } = b;
    await page.getByTestId('calendars-row').filter({ hasText: /cn-5x8(?!-)/ }).click();
    await page.waitForURL('**/admin/calendars/cn-5x8', { timeout: UI_TIMEOUT });
    await page.getByTestId('calendars-copy').click();
    await page.getByTestId('calendars-copy-name').fill(copy.name);
    await page.getByTestId('calendars-copy-id').fill(copy.id);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/calendars') && r.request().method() === 'POST');
    await page.getByTestId('calendars-copy-submit').click();
    expect((await created).status()).toBe(201);
    await page.waitForURL(`**/admin/calendars/${copy.id}`, { timeout: UI_TIMEOUT });
    await expectTitle(page, copy.name);
    expect(await page.getByTestId('calendar-form-name').inputValue()).toBe(copy.name);
    // the holidays came along
    const stored = await api.get<{ holidays: { date: string }[]; workdays: { date: string }[] }>(`/calendars/${copy.id}`);
    expect(stored.holidays.map((h) => h.date)).toContain('2026-10-01');
    expect(stored.workdays.map((h) => h.date)).toContain('2026-10-10');
  });

  test('月视图 2026年10月: 国庆 holidays 休, the make-up Saturday 10 Oct 班', async () => {
    const { page } = b;
    await typeDate(page, 'calendars-month-picker', '2026-10');
    await page.waitForURL((url) => url.searchParams.get('month') === '2026-10', { timeout: UI_TIMEOUT });
    for (const date of ['2026-10-01', '2026-10-04', '2026-10-07']) {
      const d = await day(page, date);
      expect(d.kind, date).toBe('holiday');
      expect(d.text, date).toContain('休');
      expect(d.text, date).toContain('国庆节');
    }
    const makeUp = await day(page, '2026-10-10');
    expect(makeUp.kind).toBe('workday');
    expect(makeUp.text).toContain('班');
    expect(makeUp.text).toContain('调休');
    expect(makeUp.text).toContain('08:00–17:00');
    expect((await day(page, '2026-10-08')).kind).toBe('working');
    expect((await day(page, '2026-10-11')).kind).toBe('off');
    expect(await page.getByTestId('calendars-month-total').innerText()).toMatch(/本月工作 \d+ 天/);
  });

  test('month navigation takes every click, in order (issue #10 item 17), and day cells are not cut off', async () => {
    const { page } = b;
    // Three clicks inside one task (before React renders): three months on, none dropped.
    const clickTimes = (testid: string, n: number) =>
      page.evaluate(
        ([id, times]) => {
          const btn = document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!;
          for (let i = 0; i < times; i++) btn.click();
        },
        [testid, n] as const,
      );
    const month = () => new URL(page.url()).searchParams.get('month');
    await clickTimes('calendars-month-next', 3);
    await expect.poll(month, { timeout: UI_TIMEOUT }).toBe('2027-01');
    await page.getByTestId('calendars-day-2027-01-31').waitFor({ timeout: UI_TIMEOUT });
    // …and it stays there: a late URL update does not move it back.
    await page.waitForTimeout(500);
    expect(month()).toBe('2027-01');
    // Clicks as a user makes them, one after another without waiting for the data.
    for (let i = 0; i < 3; i++) await page.getByTestId('calendars-month-prev').click();
    await expect.poll(month, { timeout: UI_TIMEOUT }).toBe('2026-10');
    await page.getByTestId('calendars-day-2026-10-31').waitFor({ timeout: UI_TIMEOUT });
    await page.waitForTimeout(500);
    expect(month()).toBe('2026-10');
    // The make-up day's name and hours are shown whole (wrapped), not cut with an ellipsis.
    const clipped = await page.getByTestId('calendars-day-2026-10-10').evaluate((cell) =>
      [...cell.querySelectorAll<HTMLElement>('.yw-month-name, .yw-month-hours div')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent),
    );
    expect(clipped).toEqual([]);
  });

  test('时限计算器: 2 working hours from Fri 9 Oct 16:00 end on the make-up Saturday', async () => {
    const { page } = b;
    expect(await computeDeadline(page, '2026-10-09 16:00', '2')).toContain('2026年10月10日 09:00（星期六）');
    // over the National Day holiday: one hour on 9/30, three on 10/8
    expect(await computeDeadline(page, '2026-09-30 16:00', '4')).toContain('2026年10月8日 11:00（星期四）');
  });

  test('an edit saved in the editor shows in the month view and the calculator', async () => {
    const { page } = b;
    // make Friday 9 Oct a holiday of this calendar
    await page.getByTestId('calendar-form-holidays-add').click();
    await typeDate(page, 'calendar-form-holidays-date', '2026-10-09');
    await page.getByTestId('calendar-form-holidays-name').first().fill('E2E 假日');
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/calendars/${copy.id}`) && r.request().method() === 'PUT');
    await page.getByTestId('calendar-form-submit').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(async () => (await day(page, '2026-10-09')).kind, { timeout: UI_TIMEOUT }).toBe('holiday');
    expect((await day(page, '2026-10-09')).text).toContain('E2E 假日');
    // the clock starts at the next working instant: Saturday 08:00
    expect(await computeDeadline(page, '2026-10-09 16:00', '2')).toContain('2026年10月10日 10:00（星期六）');
    const stored = await api.get<{ holidays: { date: string; name?: string }[] }>(`/calendars/${copy.id}`);
    expect(stored.holidays).toContainEqual({ date: '2026-10-09', name: 'E2E 假日' });
  });
});
