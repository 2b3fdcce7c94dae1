import { request, type APIRequestContext, type APIResponse, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from './env.js';

/** How long the UI may take to show something after an action. */
export const UI_TIMEOUT = 15_000;

/** Logs in through the login page and waits until the app has left it. */
export async function loginUI(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST');
  await page.getByTestId('login-submit').click();
  const res = await answered;
  expect(res.status(), `login as ${username}`).toBe(200);
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: UI_TIMEOUT });
}

/** Logs out through the user menu in the top bar. */
export async function logoutUI(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('user-menu-logout').click();
  await page.waitForURL((url) => url.pathname === '/login', { timeout: UI_TIMEOUT });
}

/** Waits until the page title reads `expected`. */
export async function expectTitle(page: Page, expected: string | RegExp): Promise<void> {
  await expect
    .poll(async () => (await page.getByTestId('page-title').first().textContent({ timeout: 1000 }).catch(() => null))?.trim(), {
      timeout: UI_TIMEOUT,
    })
    .toMatch(typeof expected === 'string' ? new RegExp(`^${escapeRegExp(expected)}$`) : expected);
}

/** The visible texts of the navigation links. */
export async function navTexts(page: Page): Promise<string[]> {
  const links = page.locator('[data-testid="nav"] a[data-testid^="nav-"]');
  await links.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return (await links.allInnerTexts()).map((s) => s.trim());
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A unique suffix for records a test creates (tests share one database). */
export function stamp(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.toUpperCase();
}

/** The REST API as one user, outside the browser: for setting up what a journey needs. */
export interface Api {
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  dispose(): Promise<void>;
  raw: APIRequestContext;
}

export async function apiAs(baseURL: string, username: string, password = DEMO_PASSWORD): Promise<Api> {
  const raw = await request.newContext({ baseURL, extraHTTPHeaders: { 'Accept-Language': 'zh-CN' } });
  const login = await raw.post('/api/v1/auth/login', { data: { username, password } });
  if (login.status() !== 200) throw new Error(`API login as ${username}: ${login.status()} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const check = async <T>(what: string, res: APIResponse): Promise<T> => {
    if (!res.ok()) throw new Error(`${what}: ${res.status()} ${await res.text()}`);
    return (res.status() === 204 ? undefined : await res.json()) as T;
  };
  return {
    raw,
    get: async <T>(path: string) => check<T>(`GET ${path}`, await raw.get(`/api/v1${path}`)),
    post: async <T>(path: string, body?: unknown) =>
      check<T>(`POST ${path}`, await raw.post(`/api/v1${path}`, { data: body ?? {}, headers: { 'X-CSRF-Token': csrfToken } })),
    dispose: () => raw.dispose(),
  };
}

export interface CustomerOut {
  id: number;
  code: string;
  name: string;
}

/** The demo customer with this code (through an administrator's API session). */
export async function customerByCode(api: Api, code: string): Promise<CustomerOut> {
  const page = await api.get<{ items: CustomerOut[] }>(`/customers?q=${encodeURIComponent(code)}&limit=50`);
  const found = page.items.find((c) => c.code === code);
  if (!found) throw new Error(`demo customer ${code} not found`);
  return found;
}
