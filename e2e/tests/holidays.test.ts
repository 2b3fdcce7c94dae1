import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, loginUI, stamp, type Api } from '../support/app.js';

/**
 * A TEST FIXTURE in the wording of the State Council's notices — not the official 2027 schedule
 * (which we cannot verify here and never ship). Weekdays are right for 2027, so the parser's
 * weekday check passes; line 4 is deliberately unreadable, to see problems listed by line.
 */
const NOTICE_2027_FIXTURE = [
  '国务院办公厅关于2027年部分节假日安排的通知（测试样例）',
  '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
  '二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月14日（周日）上班。',
  '三、清明节：4月初放假，具体另行通知。',
].join('\n');

const ARTIFACTS = fileURLToPath(new URL('../artifacts', import.meta.url));

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `holidays--${name}.png`), fullPage: false });
}

async function day(page: Page, date: string): Promise<{ kind: string | null; text: string }> {
  const cell = page.getByTestId(`calendars-day-${date}`);
  await cell.waitFor({ timeout: UI_TIMEOUT });
  return { kind: await cell.getAttribute('data-kind'), text: (await cell.innerText()).replace(/\s+/g, ' ') };
}

describe('December 2026: the administrator is warned that 2027 is missing and enters it by pasting the notice', () => {
  const b = useBrowser();
  const id = `e2e-hol-${stamp().toLowerCase()}`;
  let api: Api;

  beforeAll(async () => {
    api = await apiAs(b.baseURL, 'admin');
    // A copy of the China 5×8 calendar, so the shared built-in stays as shipped for other journeys.
    await api.post('/calendars', { copyFrom: 'cn-5x8', id, name: `节假日测试${id.slice(-6)}` });
  });
  afterAll(async () => {
    await api?.dispose();
  });

  test('the workspace shows a banner: calendars lack the 2027 holiday schedule', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    const banner = page.getByTestId('holiday-year-banner');
    await banner.waitFor({ timeout: UI_TIMEOUT });
    // Several calendars lack it (the built-ins and this copy): "N 个服务日历缺少 2027 年的法定节假日安排".
    expect(await banner.innerText()).toMatch(/2027 年(的)?法定节假日安排/);
    await shot(page, 'banner');
    await page.getByTestId('holiday-year-banner-go').click();
    await page.waitForURL(/\/admin\/calendars/, { timeout: UI_TIMEOUT });
  });

  test('服务日历 lists the calendars lacking 2027, both 5×8 named by their hours', async () => {
    const { page } = b;
    if (!page.url().endsWith('/admin/calendars')) await page.goto('/admin/calendars');
    const alert = page.getByTestId('calendars-missing-year');
    await alert.waitFor({ timeout: UI_TIMEOUT });
    const text = await alert.innerText();
    expect(text).toContain('2027');
    expect(text).toContain('5×8 工作日 08:00–12:00、13:00–17:00（午休，中国法定节假日）');
    expect(text).toContain('5×8 工作日 08:00–17:00（连续，中国法定节假日）');
    await page.getByTestId(`calendars-enter-year-${id}`).click();
    await page.waitForURL(`**/admin/calendars/${id}?year=2027`, { timeout: UI_TIMEOUT });
    // (The modal's test id sits on antd's zero-size root: wait for its content.)
    await page.getByTestId('holidays-paste').waitFor({ timeout: UI_TIMEOUT });
  });

  test('粘贴国务院办公厅通知 fills the festival rows and lists what it could not read, by line', async () => {
    const { page } = b;
    expect(await page.locator('.ant-modal').filter({ has: page.getByTestId('holidays-paste') }).innerText()).toContain('2027 年法定节假日与调休');
    await page.getByTestId('holidays-paste').fill(NOTICE_2027_FIXTURE);
    const parsed = page.waitForResponse((r) => r.url().includes('/calendars/parse-notice'));
    await page.getByTestId('holidays-parse').click();
    expect((await parsed).status()).toBe(200);
    await page.getByTestId('holidays-parsed').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('holidays-row-newYear-count').innerText()).toBe('共 3 天');
    expect(await page.getByTestId('holidays-row-springFestival-count').innerText()).toBe('共 8 天');
    expect(await page.getByTestId('holidays-row-qingming-count').innerText()).toBe('未填写');
    const problems = await page.getByTestId('holidays-problems').innerText();
    expect(problems).toContain('第 4 行');
    expect(problems).toContain('清明节没有可识别的放假日期');
    // The preview before saving: 1 Jan 休, Sun 14 Feb 班.
    expect(await page.getByTestId('holidays-preview-2027-01-01').getAttribute('data-kind')).toBe('holiday');
    expect(await page.getByTestId('holidays-preview-2027-02-14').getAttribute('data-kind')).toBe('workday');
    expect(await page.getByTestId('holidays-preview-2027-02-15').getAttribute('data-kind')).toBe('working');
    await shot(page, 'year-form');
  });

  test('保存: the calendar holds 2027, the warning is gone and the month view shows 休 and 班', async () => {
    const { page } = b;
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/calendars/${id}`) && r.request().method() === 'PUT');
    await page.getByTestId('holidays-save').click();
    expect((await saved).status()).toBe(200);
    await page.getByTestId('holidays-paste').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const stored = await api.get<{ holidays: { date: string; name?: string }[]; workdays: { date: string; name?: string }[]; holidayYears: { missingYear: number | null; years: number[] } }>(`/calendars/${id}`);
    expect(stored.holidays.filter((h) => h.date.startsWith('2027-'))).toEqual([
      { date: '2027-01-01', name: '元旦' },
      { date: '2027-01-02', name: '元旦' },
      { date: '2027-01-03', name: '元旦' },
      ...['05', '06', '07', '08', '09', '10', '11', '12'].map((d) => ({ date: `2027-02-${d}`, name: '春节' })),
    ]);
    expect(stored.workdays.filter((h) => h.date.startsWith('2027-'))).toEqual([{ date: '2027-02-14', name: '春节调休上班' }]);
    // 2026 as shipped is untouched.
    expect(stored.holidays.filter((h) => h.date.startsWith('2026-')).length).toBe(33);
    expect(stored.holidayYears).toMatchObject({ years: [2025, 2026, 2027], missingYear: null });
    await page.getByTestId('calendar-missing-year').waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    await page.goto(`/admin/calendars/${id}?month=2027-01`);
    expect(await day(page, '2027-01-01')).toMatchObject({ kind: 'holiday' });
    expect((await day(page, '2027-01-01')).text).toContain('休');
    expect((await day(page, '2027-01-04')).kind).toBe('working');
    await page.goto(`/admin/calendars/${id}?month=2027-02`);
    const makeUp = await day(page, '2027-02-14');
    expect(makeUp.kind).toBe('workday');
    expect(makeUp.text).toContain('班');
    expect((await day(page, '2027-02-08')).text).toContain('休');
    await shot(page, 'month-2027-02');
  });
});
