import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, expectTitle, loginUI, stamp } from '../support/app.js';
import { DEMO } from '../support/env.js';

async function pickOption(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first().click();
}

describe('an administrator connects Prometheus Alertmanager for the hospital; a firing alert opens an incident', () => {
  const b = useBrowser();
  const id = stamp();
  const name = `Prometheus 生产${id}`;
  const fingerprint = `e2e${id.toLowerCase()}`;
  let token = '';
  let intake = '';

  test('监控告警接入 is in the navigation; a new source shows its token once with a receiver config and a curl', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByTestId('nav-admin-alerts').click();
    await page.waitForURL('**/admin/alerts', { timeout: UI_TIMEOUT });
    await expectTitle(page, '监控告警接入');
    // The demo's sources, and the alerts they received with the incidents opened.
    for (const demoSource of ['Prometheus 门诊楼机房', 'Zabbix 数据中心机房']) await page.getByTestId('alerts-row').filter({ hasText: demoSource }).waitFor({ timeout: UI_TIMEOUT });
    const opened = page.locator('[data-testid="alerts-log-row"][data-outcome="created"]').first();
    await opened.waitFor({ timeout: UI_TIMEOUT });
    expect(await opened.getByTestId('alerts-log-ticket').innerText()).toMatch(/INC-\d{4}-\d{6}/);
    await page.getByTestId('alerts-new').click();
    await page.getByTestId('alert-form').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.getByTestId('alert-form-name').fill(name);
    const customer = page.getByTestId('alert-form-customer');
    await customer.click();
    await customer.locator('input').fill(DEMO.hospital.name);
    await pickOption(page, DEMO.hospital.name);
    // Its contacts load once the customer is chosen.
    const contact = page.getByTestId('alert-form-contact');
    await expect.poll(async () => (await contact.getAttribute('class')) ?? '', { timeout: UI_TIMEOUT }).not.toContain('disabled');
    await expect
      .poll(
        async () => {
          if (!(await contact.innerText()).trim()) {
            await contact.click();
            await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').first().click({ timeout: 2000 }).catch(() => undefined);
          }
          return (await contact.innerText()).trim();
        },
        { timeout: UI_TIMEOUT },
      )
      .not.toBe('');
    // The default severity mapping is there to read and change.
    expect(await page.getByTestId('alert-form-severity-row').count()).toBeGreaterThan(5);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/alert-sources') && r.request().method() === 'POST');
    await page.getByTestId('alert-form-submit').click();
    expect((await created).status()).toBe(201);

    const modal = page.getByTestId('alerts-connect');
    await modal.waitFor({ timeout: UI_TIMEOUT });
    expect(await modal.innerText()).toContain('关闭此窗口后将无法再次查看此令牌');
    token = (await page.getByTestId('alerts-token').innerText()).trim();
    expect(token).toMatch(/^ywa_/);
    intake = (await page.getByTestId('alerts-intake-url').innerText()).trim();
    expect(intake).toMatch(/\/api\/v1\/alerts\/\d+$/);
    const config = await page.getByTestId('alerts-example-config-alertmanager').innerText();
    expect(config).toContain('webhook_configs');
    expect(config).toContain(`credentials: '${token}'`);
    expect(await page.getByTestId('alerts-example-curl-alertmanager').innerText()).toContain(`Authorization: Bearer ${token}`);
    await page.getByTestId('alerts-example-tab-zabbix').click();
    await expect.poll(() => page.getByTestId('alerts-example-config-zabbix').innerText(), { timeout: UI_TIMEOUT }).toContain('{TRIGGER.ID}');
    await page.getByTestId('alerts-connect-close').click();
    const row = page.getByTestId('alerts-row').filter({ hasText: name });
    await row.waitFor({ timeout: UI_TIMEOUT });
    expect(await row.innerText()).toContain(DEMO.hospital.name);
    expect(await row.innerText()).toContain('尚未收到');
  });

  test('Alertmanager posts a firing alert; 接收记录 shows 已建单 with the incident, which opens', async () => {
    const { page } = b;
    const res = await fetch(intake, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'yunwei',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'HisDbDown', instance: 'his-db01:9100', severity: 'critical' },
            annotations: { summary: 'HIS 数据库无法连接', description: '主库 5 分钟无响应' },
            startsAt: new Date(Date.now() - 3 * 60_000).toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint,
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { results: Array<{ outcome: string; ticketNumber: string }> };
    expect(answer.results[0].outcome).toBe('created');
    // A wrong token is refused.
    expect((await fetch(intake, { method: 'POST', headers: { authorization: 'Bearer ywa_nope', 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);

    await page.getByTestId('alerts-log-refresh').click();
    const logRow = page.getByTestId('alerts-log-row').filter({ hasText: fingerprint });
    await logRow.waitFor({ timeout: UI_TIMEOUT });
    const text = await logRow.innerText();
    expect(text).toContain('已建单');
    expect(text).toContain('告警中');
    expect(text).toContain(answer.results[0].ticketNumber);
    await logRow.getByTestId('alerts-log-ticket').click();
    await page.waitForURL('**/tickets/*', { timeout: UI_TIMEOUT });
    await expect.poll(() => page.locator('body').innerText(), { timeout: UI_TIMEOUT }).toContain('[HisDbDown] HIS 数据库无法连接');
  });
});
