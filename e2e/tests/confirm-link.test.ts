import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { waitForMail, type StoredMail } from '../support/mail.js';
import { UI_TIMEOUT, apiAs, customerByCode, stamp, type Api } from '../support/app.js';

/**
 * Issue 4, closure by the customer's confirmation through a link in the mail (REQ #35, #36): the
 * hospital's network administrator 周文斌 has no login; the desk logs his problem, the engineer
 * resolves it, and the resolution mail reaches him. On his phone he opens 确认已解决 from the
 * mail, gives 4 stars with a comment and confirms: the ticket closes and the desk sees who
 * confirmed and the rating. The same link again is refused as used; a damaged link as invalid.
 */

const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const CONTACT = { name: '周文斌', email: 'zhouwenbin@jzrmyy.example.cn' };

interface TicketOut {
  id: number;
  number: string;
  title: string;
  state: string;
  rating: { score: number; comment: string | null; ratedByName: string | null } | null;
  timeline: { type: string; data: Record<string, unknown> }[];
}

describe('a contact without a login confirms a resolution from the link in his mail and rates it', () => {
  const b = useBrowser(PHONE);
  const mailDir = inject('mailDir');
  const id = stamp();
  const title = `门诊楼三楼打印机无法打印 ${id}`;
  let admin: Api;
  let engineer: Api;
  let ticket: TicketOut;
  let resolutionMail: StoredMail;
  let confirmLink: string;

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    engineer = await apiAs(b.baseURL, 'engineer');
  });
  afterAll(async () => {
    await admin?.dispose();
    await engineer?.dispose();
  });

  test('the desk logs the problem for 周文斌 and the engineer resolves it; the resolution mail reaches him', async () => {
    const hospital = await customerByCode(admin, DEMO.hospital.code);
    const contacts = await admin.get<{ items: { id: number; name: string; email: string | null; emailNotify?: boolean }[] }>(`/customers/${hospital.id}/contacts?q=${encodeURIComponent(CONTACT.name)}&limit=50`);
    const contact = contacts.items.find((c) => c.name === CONTACT.name);
    expect(contact, 'demo contact 周文斌').toBeTruthy();
    expect(contact!.email).toBe(CONTACT.email);
    expect(contact!.emailNotify).not.toBe(false);
    const users = await admin.get<{ items: { id: number; username: string }[] }>('/users?q=engineer');
    const engineerId = users.items.find((u) => u.username === 'engineer')!.id;

    ticket = await admin.post<TicketOut>('/tickets', {
      customerId: hospital.id,
      contactId: contact!.id,
      kind: 'incident',
      title,
      description: '门诊楼三楼的网络打印机显示脱机，挂号处无法打印票据。',
      impact: 'medium',
      urgency: 'medium',
      reportedAt: new Date(Date.now() - 60_000).toISOString(),
      assigneeId: engineerId,
    });
    for (const action of ['accept', 'start']) await engineer.post(`/tickets/${ticket.id}/actions/${action}`, {});
    await engineer.post(`/tickets/${ticket.id}/actions/resolve`, { resolution: '打印机网卡地址冲突，已改为固定地址并重新添加打印队列。' });

    resolutionMail = await waitForMail(mailDir, (m) => m.to.includes(CONTACT.email) && m.subject === `[${ticket.number}] ${title}` && m.text.includes('确认已解决'));
    expect(resolutionMail.messageId).toMatch(new RegExp(`^<ticket-${ticket.id}\\.[0-9a-f]+@yunwei>$`));
    expect(resolutionMail.text).toContain('打印机网卡地址冲突');
    const link = /确认已解决：(\S+)/.exec(resolutionMail.text)?.[1];
    expect(link).toMatch(new RegExp(`^${b.baseURL.replace(/[.]/g, '\\.')}/c/[^?]+\\?d=confirm$`));
    confirmLink = link!;
    expect(resolutionMail.html).toContain(`href="${confirmLink}"`);
  });

  test('the link opens without a login and shows that ticket and its resolution', async () => {
    const { page } = b;
    await page.goto(confirmLink);
    await page.getByTestId('confirm-page').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('confirm-number').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('confirm-number').innerText()).toBe(ticket.number);
    expect(await page.getByTestId('confirm-title').innerText()).toBe(title);
    expect(await page.getByTestId('confirm-resolution').innerText()).toContain('打印机网卡地址冲突');
    expect(await page.getByText('周文斌，您好！').count()).toBe(1);
    // No app shell, no login.
    expect(await page.getByTestId('sider').count()).toBe(0);
    expect(new URL(page.url()).pathname.startsWith('/login')).toBe(false);
  });

  test('he gives 4 stars with a comment and confirms: the ticket closes, recording him and the rating', async () => {
    const { page } = b;
    await page.getByTestId('confirm-rating').locator('.ant-rate-star').nth(3).click();
    await page.getByTestId('confirm-comment').fill('处理及时，谢谢李工');
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/public/confirm/') && r.request().method() === 'POST');
    await page.getByTestId('confirm-submit').click();
    expect((await answered).status()).toBe(200);
    await page.getByTestId('confirm-done').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('confirm-done').innerText()).toContain(`感谢确认，工单 ${ticket.number} 已关闭`);

    const after = await admin.get<TicketOut>(`/tickets/${ticket.id}`);
    expect(after.state).toBe('closed');
    expect(after.rating).toMatchObject({ score: 4, comment: '处理及时，谢谢李工', ratedByName: CONTACT.name });
    const closed = after.timeline.find((e) => e.type === 'state_changed' && e.data.to === 'closed');
    expect(closed?.data).toMatchObject({ via: 'confirm', emailLink: { name: CONTACT.name } });
  });

  test('the same link again says it was used; a damaged one says it is invalid', async () => {
    const { page } = b;
    await page.goto(confirmLink);
    await page.getByTestId('confirm-error').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('confirm-error').getAttribute('data-code')).toBe('link_used');
    expect(await page.getByTestId('confirm-error-text').innerText()).toBe(`此链接已经使用过：工单 ${ticket.number} 的处理结果已确认。`);

    const damaged = confirmLink.replace(/\?d=confirm$/, '').slice(0, -3) + 'xyz';
    await page.goto(damaged);
    await page.getByTestId('confirm-error').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('confirm-error').getAttribute('data-code')).toBe('link_invalid');
    expect(await page.getByTestId('confirm-error-text').innerText()).toMatch(/^链接无效/);
  });
});
