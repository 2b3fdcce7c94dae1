import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, stamp, type Api } from '../support/app.js';

describe('an administrator sets up a WeCom webhook, tests it, and checks jobs and his notification settings', () => {
  const b = useBrowser();
  const id = stamp();
  const hook = { name: `E2E群机器人${id}`, url: `http://127.0.0.1:9/cgi-bin/webhook/send?key=${id.toLowerCase()}abcdefghijklmnop` };
  let api: Api;

  beforeAll(async () => {
    api = await apiAs(b.baseURL, 'admin');
  });
  afterAll(async () => {
    await api?.dispose();
  });

  test('the bell opens the recent notifications and leads to 通知设置', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByTestId('notifications-count').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('notifications-bell').click();
    await page.getByTestId('bell-panel').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('bell-settings').click();
    await page.waitForURL('**/account/notifications', { timeout: UI_TIMEOUT });
    await expectTitle(page, '通知设置');
  });

  test('通知设置: turning off mail for 工单回复 is saved', async () => {
    const { page } = b;
    const box = page.getByTestId('notification-pref-ticket.reply-email');
    await box.waitFor({ timeout: UI_TIMEOUT });
    expect(await box.isChecked()).toBe(true);
    await box.click();
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/prefs') && r.request().method() === 'PUT');
    await page.getByTestId('notification-prefs-save').click();
    expect((await saved).status()).toBe(200);
    await page.reload();
    await page.getByTestId('notification-pref-ticket.reply-email').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('notification-pref-ticket.reply-email').isChecked()).toBe(false);
    expect(await page.getByTestId('notification-pref-ticket.reply-inapp').isChecked()).toBe(true);
    const prefs = await api.get<{ events: { event: string; channels: string[] }[] }>('/notifications/prefs');
    expect(prefs.events.find((e) => e.event === 'ticket.reply')?.channels).toEqual(['inapp']);
  });

  test('Webhook 推送: a WeCom bot with a secret; the address must be http(s)', async () => {
    const { page } = b;
    await page.getByTestId('nav-admin-webhooks').click();
    await page.waitForURL('**/admin/webhooks', { timeout: UI_TIMEOUT });
    await expectTitle(page, 'Webhook 推送');
    await page.getByTestId('webhooks-new').click();
    await page.getByTestId('webhook-form').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.getByTestId('webhook-form-name').fill(hook.name);
    // Under load the dropdown can miss the first click: choose until the select shows the kind.
    const kind = page.getByTestId('webhook-form-kind');
    await expect
      .poll(
        async () => {
          if (!(await kind.innerText()).includes('企业微信')) {
            await kind.click();
            await page.getByTestId('webhook-form-kind-wecom').click();
          }
          return kind.innerText();
        },
        { timeout: UI_TIMEOUT },
      )
      .toContain('企业微信');
    await page.getByTestId('webhook-form-url').fill('ftp://example.cn/hook');
    await page.getByTestId('webhook-form-secret').fill('SEC0123456789abcdef');
    await page.getByTestId('webhook-form-submit').click();
    await expect
      .poll(() => page.locator('.ant-form-item-explain-error').allInnerTexts(), { timeout: UI_TIMEOUT })
      .toContain('以 http:// 或 https:// 开头；事件以 JSON 通过 POST 发送');
    // typed text stays
    expect(await page.getByTestId('webhook-form-name').inputValue()).toBe(hook.name);
    await page.getByTestId('webhook-form-url').fill(hook.url);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/webhooks') && r.request().method() === 'POST');
    await page.getByTestId('webhook-form-submit').click();
    expect((await created).status()).toBe(201);
    const row = page.getByTestId('webhooks-row').filter({ hasText: hook.name });
    await row.waitFor({ timeout: UI_TIMEOUT });
    const text = await row.innerText();
    expect(text).toContain('企业微信群机器人');
    expect(text).toContain('SLA 预警');
    expect(text).not.toContain('abcdefghijklmnop'); // the key in the address is masked
  });

  test('发送测试 shows the delivery result, which also lands in 投递记录', async () => {
    const { page } = b;
    const row = page.getByTestId('webhooks-row').filter({ hasText: hook.name });
    await row.getByTestId('webhooks-test').click();
    const result = page.getByTestId('webhooks-test-result');
    await result.waitFor({ timeout: UI_TIMEOUT });
    const text = await result.innerText();
    expect(text).toContain('测试消息没有送达');
    expect(text).toContain('失败');
    await page.getByTestId('webhooks-test-close').click();
    const delivery = page.getByTestId('deliveries-row').filter({ hasText: hook.name });
    await expect.poll(() => delivery.count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    expect(await delivery.first().innerText()).toContain('Webhook 测试');
  });

  test('后台任务 shows the counts and the parked jobs', async () => {
    const { page } = b;
    await page.getByTestId('nav-admin-jobs').click();
    await page.waitForURL('**/admin/jobs', { timeout: UI_TIMEOUT });
    await expectTitle(page, '后台任务');
    expect(await page.getByTestId('jobs-count-failed').innerText()).toContain('已搁置');
    await page.getByTestId('jobs-table').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('jobs-count-done').click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'done', { timeout: UI_TIMEOUT });
  });
});
