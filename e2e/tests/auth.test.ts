import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, logoutUI, navTexts, stamp, type Api } from '../support/app.js';

describe('login and logout (Chinese by default)', () => {
  const b = useBrowser();

  test('an anonymous visitor is sent to a Chinese login page', async () => {
    const { page } = b;
    await page.goto('/workspace');
    await page.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
    expect(new URL(page.url()).searchParams.get('next')).toBe('/workspace');
    await page.getByTestId('login-username').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.getByText('登录到运维服务管理平台').isVisible()).toBe(true);
    expect(await page.getByLabel('用户名').isVisible()).toBe(true);
    expect(await page.getByLabel('密码').isVisible()).toBe(true);
    // antd spaces out a two-character Chinese button label: 登 录
    expect((await page.getByTestId('login-submit').innerText()).replace(/\s/g, '')).toBe('登录');
  });

  test('the administrator logs in and lands on his workspace, in Chinese', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    expect(new URL(page.url()).pathname).toBe('/workspace');
    await expectTitle(page, '我的工作');
    expect(await page.getByText('你好，王建国').isVisible()).toBe(true);
    const nav = await navTexts(page);
    expect(nav).toEqual(expect.arrayContaining(['我的工作', '团队', '用户', '角色与权限', '客户', '审计日志']));
    // the administrator is provider staff: no customer portal in his navigation
    expect(nav).not.toContain('客户门户');
  });

  test('logging out ends the session: the app is closed to him again', async () => {
    const { page } = b;
    await logoutUI(page);
    await page.getByText('已退出登录').waitFor({ timeout: UI_TIMEOUT });
    const me = await page.request.get('/api/v1/auth/me');
    expect(me.status()).toBe(401);
    await page.goto('/admin/customers');
    await page.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
    await page.getByTestId('login-username').waitFor();
  });
});

describe('wrong passwords and the lockout', () => {
  const b = useBrowser();
  let admin: Api;
  let user: { id: number; username: string };
  const password = 'Lock@Test2026x';

  beforeAll(async () => {
    // A user of its own: locking a demo login would break the other journeys.
    admin = await apiAs(b.baseURL, 'admin');
    const username = `e2e_lock_${stamp().toLowerCase()}`;
    user = await admin.post<{ id: number; username: string }>('/users', {
      username,
      displayName: '锁定测试',
      roleCodes: ['engineer'],
      password,
    });
  });
  afterAll(async () => {
    await admin?.dispose();
  });

  async function attempt(pass: string): Promise<number> {
    const { page } = b;
    await page.getByTestId('login-username').fill(user.username);
    await page.getByTestId('login-password').fill(pass);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST');
    await page.getByTestId('login-submit').click();
    const res = await answered;
    await page.getByTestId('login-error').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    return res.status();
  }

  const FAILED = '用户名或密码错误。连续输错多次后账号会被暂时锁定，无法登录请联系系统管理员。';

  async function errorText(): Promise<string> {
    return (await b.page.getByTestId('login-error').innerText()).trim();
  }

  test('a wrong password is refused with a Chinese message and the password field is emptied', async () => {
    const { page } = b;
    await page.goto('/login');
    expect(await attempt('Wrong@Pass0001')).toBe(401);
    expect(await errorText()).toBe(FAILED);
    expect(await page.getByTestId('login-password').inputValue()).toBe('');
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  test('after 5 wrong passwords in a row the account is locked, even for the right password, answered as a wrong password', async () => {
    const { page } = b;
    for (let i = 2; i <= 5; i++) {
      expect(await attempt(`Wrong@Pass000${i}`), `attempt ${i}`).toBe(401);
      expect(await errorText()).toBe(FAILED);
    }
    // The same answer as a wrong password: a lockout does not tell that the username exists.
    expect(await attempt(password)).toBe(401);
    expect(await errorText()).toBe(FAILED);
    expect(new URL(page.url()).pathname).toBe('/login');
    // the administrator sees the lockout on the account
    const after = await admin.get<{ lockedUntil: string | null }>(`/users/${user.id}`);
    expect(after.lockedUntil).not.toBeNull();
    expect(Date.parse(after.lockedUntil!)).toBeGreaterThan(Date.now());
  });
});
