import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, loginUI, logoutUI, stamp, type Api, type CustomerOut } from '../support/app.js';

/**
 * The knowledge base (docs/KNOWLEDGE.md): an engineer turns a resolved printer ticket into an
 * article, the desk reviews and publishes it; the next call about a printer jam gets it suggested
 * while it is logged, the desk sends it to the caller and, when she confirms, the ticket is
 * resolved on the first line; a hospital user finds the VPN article in the portal before reporting.
 */

const CALLER = { name: '林晓燕', mobile: '13905761002', username: 'hospital_user' };
const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

interface TicketOut {
  id: number;
  number: string;
  state: string;
  version: number;
  respondedAt: string | null;
  timeline: Array<{ type: string; data: Record<string, unknown> }>;
}

describe('knowledge: from a resolved ticket to a first-line fix of the next call', () => {
  const b = useBrowser();
  let engineer: Api;
  let desk: Api;
  let hospital: CustomerOut;
  let source: TicketOut;
  let articleId = 0;
  let call: TicketOut;
  const mark = stamp();
  const title = `放射科打印机卡纸 ${mark}`;

  beforeAll(async () => {
    engineer = await apiAs(b.baseURL, 'engineer');
    desk = await apiAs(b.baseURL, 'desk');
    hospital = await customerByCode(engineer, DEMO.hospital.code);
    const contacts = await engineer.get<{ items: Array<{ id: number }> }>(`/customers/${hospital.id}/contacts?limit=5`);
    const me = await engineer.get<{ id: number }>('/auth/me');
    // Yesterday's ticket: the engineer fixed the radiology printer and wrote down how.
    const t = await desk.post<TicketOut>('/tickets', {
      customerId: hospital.id,
      contactId: contacts.items[0].id,
      kind: 'incident',
      title,
      description: '放射科胶片室 HP 打印机频繁卡纸，打印到一半停止，面板提示 Paper Jam。',
      impact: 'medium',
      urgency: 'medium',
      reportedAt: new Date(Date.now() - 26 * 3_600_000).toISOString(),
    });
    const assigned = await desk.post<TicketOut>(`/tickets/${t.id}/actions/assign`, { assigneeId: me.id });
    const accepted = await engineer.post<TicketOut>(`/tickets/${t.id}/actions/accept`, { version: assigned.version });
    await engineer.post(`/tickets/${t.id}/worklogs`, { minutes: 25, mode: 'onsite', note: `清理搓纸轮，更换磨损的分页器 ${mark}` });
    source = await engineer.post<TicketOut>(`/tickets/${t.id}/actions/resolve`, { resolution: '更换分页器并清洁搓纸轮后连续打印 50 页无卡纸。' });
    void accepted;
    return async () => {
      await engineer.dispose();
      await desk.dispose();
    };
  });

  test('the engineer turns the resolved ticket into a solution draft (转为知识), makes it visible to customers and submits it', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await page.goto(`/tickets/${source.id}`);
    await page.getByTestId('ticket-to-knowledge').click();
    await page.getByTestId('page-kb-editor').waitFor({ timeout: UI_TIMEOUT });
    articleId = Number(/\/knowledge\/(\d+)\/edit/.exec(page.url())![1]);
    expect(await page.getByTestId('kb-form-title').inputValue()).toBe(title);
    expect(await page.getByTestId('kb-form-symptom').inputValue()).toContain('频繁卡纸');
    await expect.poll(() => page.getByTestId('kb-form-body').innerText(), { timeout: UI_TIMEOUT }).toContain('更换分页器并清洁搓纸轮');
    expect(await page.getByTestId('kb-form-body').innerText()).toContain(`更换磨损的分页器 ${mark}`);
    await page.getByTestId('kb-form-audience').getByText('所有客户').click();
    await page.getByTestId('kb-save').click();
    await page.getByTestId('page-kb-article').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('kb-action-submit').click();
    await expect.poll(() => page.getByTestId('kb-state').first().innerText(), { timeout: UI_TIMEOUT }).toBe('待审核');
    await logoutUI(page);
  });

  test('the desk reviews it in the weekly submissions and publishes it', async () => {
    const { page } = b;
    await loginUI(page, 'desk');
    await page.goto('/knowledge/submissions');
    const queue = page.getByTestId('kb-review-queue');
    await queue.getByText(title).waitFor({ timeout: UI_TIMEOUT });
    await queue.getByText(title).click();
    await page.getByTestId('kb-action-publish').click();
    await expect.poll(() => page.getByTestId('kb-state').first().innerText(), { timeout: UI_TIMEOUT }).toBe('已发布');
  });

  test('the next call: typing 打印机卡纸 in 登记来电 suggests the article; it is sent to the caller with the ticket', async () => {
    const { page } = b;
    await page.goto('/workspace');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('n');
    await page.getByTestId('call-drawer').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.type(CALLER.mobile);
    const option = page.getByTestId('call-search-option').filter({ hasText: CALLER.name });
    await option.waitFor({ timeout: UI_TIMEOUT });
    await option.click();
    await page.getByTestId('call-title').fill('打印机卡纸');
    const suggestion = page.getByTestId(`call-suggestion-${articleId}`);
    await suggestion.waitFor({ timeout: UI_TIMEOUT });
    expect(await suggestion.innerText()).toContain(title);
    await suggestion.getByTestId('call-suggestion-send').click();
    await page.getByTestId('call-suggestion-chosen').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('call-description').fill(`门诊收费处打印机卡纸，打印到一半停止 ${mark}`);
    await page.getByTestId('call-form-submit').click();
    await page.getByTestId('page-ticket').waitFor({ timeout: UI_TIMEOUT });
    const id = Number(/\/tickets\/(\d+)/.exec(page.url())![1]);
    call = await desk.get<TicketOut>(`/tickets/${id}`);
    // The article went to the caller as the first reply: the response is met.
    expect(call.respondedAt).not.toBeNull();
    expect(call.timeline.some((e) => e.type === 'knowledge' && e.data.action === 'sent' && e.data.articleId === articleId)).toBe(true);
  });

  test('the caller says it worked: 报告人确认已解决 resolves the ticket on the first line', async () => {
    const { page } = b;
    await page.getByTestId('ticket-knowledge-solved').click();
    await expect.poll(async () => (await desk.get<TicketOut>(`/tickets/${call.id}`)).state, { timeout: UI_TIMEOUT }).toBe('resolved');
    const after = await desk.get<TicketOut>(`/tickets/${call.id}`);
    const solved = after.timeline.find((e) => e.type === 'knowledge' && e.data.action === 'solved');
    expect(solved?.data.firstLine).toBe(true);
    await logoutUI(page);
  });
});

describe('knowledge: a hospital user finds the VPN article in the portal before reporting', () => {
  const b = useBrowser(PHONE);
  let user: Api;
  let before = 0;

  beforeAll(async () => {
    user = await apiAs(b.baseURL, CALLER.username);
    before = (await user.get<{ count: number }>('/knowledge/deflections')).count;
  });
  afterAll(() => user?.dispose());

  test('in 自助知识库 the search for VPN finds the article, which opens on the phone', async () => {
    const { page } = b;
    await loginUI(page, CALLER.username);
    await page.getByTestId('portal-kb-link').click();
    await page.getByTestId('page-portal-knowledge').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('portal-kb-search').fill('VPN');
    const hit = page.getByTestId('portal-kb-item-title').filter({ hasText: 'VPN 连接失败' });
    await hit.waitFor({ timeout: UI_TIMEOUT });
    // Internal articles never reach the portal.
    expect(await page.getByTestId('portal-kb-list').innerText()).not.toContain('核心交换机');
    await hit.click();
    await expect.poll(() => page.getByTestId('kb-article-title').innerText(), { timeout: UI_TIMEOUT }).toContain('VPN');
    expect(await page.getByTestId('kb-body').innerText()).toContain('手机热点');
  });

  test('reporting "VPN 连不上" offers the article first; 已解决 counts a deflection and no ticket is made', async () => {
    const { page } = b;
    await page.goto('/portal');
    await page.getByTestId('portal-report').click();
    await page.getByTestId('portal-report-what').fill('在家 VPN 连不上，提示错误 809');
    const offered = page.getByTestId('portal-kb-suggestions');
    await offered.waitFor({ timeout: UI_TIMEOUT });
    expect(await offered.innerText()).toContain('这能解决您的问题吗？');
    expect(await offered.innerText()).toContain('VPN 连接失败');
    await offered.getByTestId('portal-kb-solved').first().click();
    await expect.poll(async () => (await user.get<{ count: number }>('/knowledge/deflections')).count, { timeout: UI_TIMEOUT }).toBe(before + 1);
  });
});
