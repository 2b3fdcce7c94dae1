import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { UI_TIMEOUT, apiAs, expectTitle, loginUI, type Api } from '../support/app.js';

/**
 * Issue #10, item 18: the browser console stays clean. On the login page (logged out: the app
 * asks GET /auth/session, which answers `{user: null}` instead of a 401), the workspace, a
 * ticket without a repair report and its report page (GET …/repair-report answers null instead
 * of a 404) and the customer portal, the browser logs no error, no request fails and no
 * response is a 4xx or 5xx.
 */

interface Problem {
  page: string;
  what: string;
}

/** Collects console errors, failed requests and 4xx/5xx responses of `page` from now on. */
function watchConsole(page: Page, into: Problem[]) {
  const where = () => new URL(page.url()).pathname;
  page.on('console', (msg) => {
    if (msg.type() === 'error') into.push({ page: where(), what: `console.error: ${msg.text()}` });
  });
  page.on('requestfailed', (req) => {
    // A navigation away cancels what the old page was still loading: not an error of the app.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    into.push({ page: where(), what: `request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}` });
  });
  page.on('response', (res) => {
    if (res.status() >= 400) into.push({ page: where(), what: `${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}` });
  });
}

/** Lets late requests of the page (lazy chunks, background queries) happen before the check. */
async function settle(page: Page) {
  await page.waitForLoadState('networkidle', { timeout: UI_TIMEOUT }).catch(() => undefined);
}

interface TicketRow {
  id: number;
  number: string;
}

/** A ticket `api` can see that has no repair report (GET …/repair-report answers null). */
async function ticketWithoutReport(api: Api, path: string): Promise<TicketRow> {
  const page = await api.get<{ items: TicketRow[] }>(path);
  for (const t of page.items) {
    if ((await api.get<unknown>(`/tickets/${t.id}/repair-report`)) === null) return t;
  }
  throw new Error(`no ticket without a repair report in ${path}`);
}

describe('a clean browser console on the first pages of each face', () => {
  const b = useBrowser();
  const problems: Problem[] = [];
  let engineer: Api;
  let ticket: TicketRow;

  beforeAll(async () => {
    engineer = await apiAs(b.baseURL, 'engineer');
    ticket = await ticketWithoutReport(engineer, '/tickets?limit=50');
  });
  afterAll(() => engineer?.dispose());
  afterEach(() => {
    expect(problems.splice(0), 'console errors and failed requests').toEqual([]);
  });

  test('the login page, logged out: no 401 for "who am I"', async () => {
    const page = await b.fresh();
    watchConsole(page, problems);
    const probe = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/session');
    await page.goto('/login');
    await page.getByTestId('login-username').waitFor({ timeout: UI_TIMEOUT });
    const res = await probe;
    expect(res.status()).toBe(200);
    expect(await res.json()).toEqual({ user: null });
    await settle(page);
    // A page behind the login sends the logged-out browser to the login page, quietly too.
    await page.goto('/workspace');
    await page.waitForURL((u) => u.pathname === '/login', { timeout: UI_TIMEOUT });
    await page.getByTestId('login-username').waitFor({ timeout: UI_TIMEOUT });
    await settle(page);
  });

  test('the engineer logs in to the workspace', async () => {
    const { page } = b;
    await loginUI(page, 'engineer');
    await expectTitle(page, '我的工作');
    await page.getByTestId('workspace-my-tickets').waitFor({ timeout: UI_TIMEOUT });
    await settle(page);
  });

  test('a ticket without a repair report, and its report page offering to draft one', async () => {
    const { page } = b;
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByText(ticket.number).first().waitFor({ timeout: UI_TIMEOUT });
    await settle(page);
    const asked = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/tickets/${ticket.id}/repair-report`);
    await page.goto(`/tickets/${ticket.id}/report`);
    expect((await asked).status()).toBe(200);
    await page.getByTestId('report-empty').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('report-create').waitFor({ timeout: UI_TIMEOUT });
    await settle(page);
  });

  test('the customer portal: the list and one of her tickets', async () => {
    const page = await b.fresh();
    watchConsole(page, problems);
    await loginUI(page, 'hospital_user');
    expect(new URL(page.url()).pathname).toBe('/portal');
    await page.locator('[data-testid="portal-ticket-row"], .ant-empty').first().waitFor({ timeout: UI_TIMEOUT });
    await settle(page);
    const customer = await apiAs(b.baseURL, 'hospital_user');
    try {
      const own = await ticketWithoutReport(customer, '/tickets?limit=50').catch(() => null);
      if (own) {
        await page.goto(`/portal/tickets/${own.id}`);
        await page.getByText(own.number).first().waitFor({ timeout: UI_TIMEOUT });
        await settle(page);
      }
    } finally {
      await customer.dispose();
    }
  });
});
