import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, stamp, type Api } from '../support/app.js';

/** A raw RFC 822 message, CRLF line ends. */
function message(from: string, to: string, subject: string, text: string, messageId: string): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    '',
  ].join('\r\n');
}

describe('an administrator sets up a service mailbox for the hospital; its contact\'s mail becomes a ticket, a stranger\'s is rejected', () => {
  const b = useBrowser();
  const id = stamp().toLowerCase();
  const address = `baozhang-${id}@desk.huaxin-ops.example.cn`;
  const subject = `放射科阅片工作站无法开机 ${id}`;
  let api: Api;
  let token: string;

  beforeAll(async () => {
    api = await apiAs(b.baseURL, 'admin');
    token = (await api.post<{ token: string }>('/auth/tokens', { name: `e2e-mail-${id}`, scopes: ['mail.inbound'], expiresInDays: 1 })).token;
  });
  afterAll(async () => {
    await api?.dispose();
  });

  const deliver = (raw: string) =>
    fetch(`${b.baseURL}/api/v1/mail/inbound?recipient=${encodeURIComponent(address)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
      body: raw,
    });

  test('邮件接入: a mailbox for 江州市人民医院, from the navigation, with a checked address', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByTestId('nav-admin-mail-in').click();
    await page.waitForURL('**/admin/mail-in', { timeout: UI_TIMEOUT });
    await expectTitle(page, '邮件接入');
    // The demo's mailboxes and the mail they received, replies on tickets among it.
    const demoBox = page.getByTestId('mailboxes-row').filter({ hasText: 'yiyuan@desk.huaxin-ops.example.cn' });
    await demoBox.waitFor({ timeout: UI_TIMEOUT });
    expect(await demoBox.innerText()).toContain('江州市人民医院');
    const reply = page.locator('[data-testid="mail-log-row"][data-result="replied"]').first();
    await reply.waitFor({ timeout: UI_TIMEOUT });
    expect(await reply.getByTestId('mail-log-ticket').innerText()).toMatch(/^(INC|REQ|CON|CMP)-\d{4}-\d{6}$/);
    await page.getByTestId('mailboxes-new').click();
    await page.getByTestId('mailbox-form').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await page.getByTestId('mailbox-form-address').fill('not an address');
    await page.getByTestId('mailbox-form-submit').click();
    await expect.poll(() => page.locator('.ant-form-item-explain-error').allInnerTexts(), { timeout: UI_TIMEOUT }).toContain('请输入有效的邮箱地址');
    await page.getByTestId('mailbox-form-address').fill(address);
    await page.getByTestId('mailbox-form-name').fill('医院报障邮箱');
    const customer = page.getByTestId('mailbox-form-customer');
    await customer.click();
    await customer.locator('input').fill('人民医院');
    await page.locator('.ant-select-item-option').filter({ hasText: '江州市人民医院' }).first().click();
    await page.getByTestId('mailbox-form-category').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('mailbox-form-category').fill('邮件报障');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/mail/mailboxes') && r.request().method() === 'POST');
    await page.getByTestId('mailbox-form-submit').click();
    expect((await created).status()).toBe(201);
    const row = page.getByTestId('mailboxes-row').filter({ hasText: address });
    await row.waitFor({ timeout: UI_TIMEOUT });
    expect(await row.innerText()).toContain('江州市人民医院');
  });

  test('收信记录: the contact\'s mail opens a ticket (link to it), a stranger\'s is rejected with the reason', async () => {
    const { page } = b;
    const ok = await deliver(message('=?UTF-8?B?' + Buffer.from('许丽华').toString('base64') + '?= <xulihua@jzrmyy.example.cn>', address, subject, '阅片工作站按电源键没有反应，影响下午的阅片。', `<e2e-${id}-1@jzrmyy.example.cn>`));
    expect(ok.status).toBe(200);
    const out = (await ok.json()) as { result: string; ticketNumber: string };
    expect(out.result).toBe('created');
    const stranger = await deliver(message('stranger@example.com', address, `推广 ${id}`, '你好', `<e2e-${id}-2@example.com>`));
    expect(((await stranger.json()) as { result: string }).result).toBe('rejected');

    await page.getByTestId('mail-log-refresh').click();
    await page.getByTestId('mail-log-search').fill(id);
    const created = page.getByTestId('mail-log-row').filter({ hasText: subject });
    await created.waitFor({ timeout: UI_TIMEOUT });
    expect(await created.getAttribute('data-result')).toBe('created');
    expect(await created.getByTestId('mail-log-ticket').innerText()).toBe(out.ticketNumber);
    const rejected = page.getByTestId('mail-log-row').filter({ hasText: `推广 ${id}` });
    await rejected.waitFor({ timeout: UI_TIMEOUT });
    expect(await rejected.getByTestId('mail-log-reason').innerText()).toContain('发件人不是该客户的联系人');
    // The search leaves exactly these two of the log (the demo's mail among it).
    await expect.poll(() => page.getByTestId('mail-log-row').count(), { timeout: UI_TIMEOUT }).toBe(2);

    await created.getByTestId('mail-log-ticket').click();
    await page.waitForURL('**/tickets/*', { timeout: UI_TIMEOUT });
    await expect.poll(() => page.getByTestId('ticket-number').innerText(), { timeout: UI_TIMEOUT }).toContain(out.ticketNumber);
    await expect.poll(() => page.locator('body').innerText(), { timeout: UI_TIMEOUT }).toContain(subject);
  });
});
