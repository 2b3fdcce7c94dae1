import { beforeAll, describe, expect, test } from 'vitest';
import { useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, loginUI, type Api, type CustomerOut } from '../support/app.js';

/**
 * Full-text search (#12 items 3–4, docs/SEARCH.md) on the demo data: the desk types a
 * 2-character word that only ticket descriptions hold (挂号, from "影响门诊挂号收费") into the top
 * bar, sees the tickets grouped with the word marked, moves with ↓ and opens one with Enter; a
 * mixed query (HIS 系统) marks both words; Esc closes. The tax office's user never gets a hospital
 * ticket from any search: not by a word, not by its number, not in a count (API), and the ticket
 * list's full-text filter keeps to his customer.
 */

interface SearchResult {
  groups: Array<{ kind: string; total: number; items: Array<{ kind: string; id: number; customerId: number | null; title: string; snippetHtml: string; titleHtml: string; url: string }> }>;
}
interface TicketPage {
  items: Array<{ id: number; number: string; customerId: number; title: string }>;
}

describe('full-text search in the top bar, and no search crosses customers', () => {
  const b = useBrowser();
  let admin: Api;
  let hospital: CustomerOut;
  let tax: CustomerOut;

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    hospital = await customerByCode(admin, DEMO.hospital.code);
    tax = await customerByCode(admin, DEMO.tax.code);
    return () => admin.dispose();
  });

  test('the desk finds tickets by a 2-character word of their descriptions and opens one from the keyboard', async () => {
    const { page } = b;
    await loginUI(page, 'desk');
    await page.getByTestId('page-workspace').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('/');
    await page.keyboard.type('挂号');
    const results = page.getByTestId('global-search-results');
    await results.getByTestId('search-group-ticket').waitFor({ timeout: UI_TIMEOUT });
    const hits = results.locator('[data-testid="search-hit"][data-kind="ticket"]');
    expect(await hits.count()).toBeGreaterThan(0);
    // The word is marked in the snippet, as text (nothing else is markup).
    await expect.poll(() => hits.first().locator('mark').first().innerText(), { timeout: UI_TIMEOUT }).toBe('挂号');
    const firstId = Number(await hits.first().getAttribute('data-id'));
    await page.keyboard.press('ArrowDown');
    expect(await hits.first().getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/tickets/${firstId}`, { timeout: UI_TIMEOUT });
    const ticket = await admin.get<{ description: string; title: string }>(`/tickets/${firstId}`);
    expect(ticket.title).not.toContain('挂号');
    expect(ticket.description).toContain('挂号');
  });

  test('a mixed query (HIS 系统) marks both words; Esc closes the results', async () => {
    const { page } = b;
    const box = page.getByTestId('global-search');
    await box.click();
    await box.fill('HIS 系统');
    const results = page.getByTestId('global-search-results');
    const first = results.locator('[data-testid="search-hit"][data-kind="ticket"]').first();
    await first.waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(async () => (await first.locator('mark').allInnerTexts()).map((s) => s.toUpperCase()), { timeout: UI_TIMEOUT }).toEqual(expect.arrayContaining(['HIS', '系统']));
    await page.keyboard.press('Escape');
    await results.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  });

  test('the ticket list filters by full text', async () => {
    const { page } = b;
    await page.goto('/tickets?q=' + encodeURIComponent('挂号'));
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    const api = await admin.get<TicketPage>(`/tickets?q=${encodeURIComponent('挂号')}&limit=50`);
    expect(api.items.length).toBeGreaterThan(0);
    expect(await rows.first().innerText()).toContain(api.items[0].number);
  });

  test('the tax office\'s user gets no hospital ticket from any search (API)', async () => {
    const taxUser = await apiAs(b.baseURL, 'tax_user');
    try {
      const hospitalTickets = await admin.get<TicketPage>(`/tickets?customerId=${hospital.id}&limit=5`);
      expect(hospitalTickets.items.length).toBeGreaterThan(0);
      const probe = hospitalTickets.items[0];
      // By words every customer's tickets use, by a hospital word, by a hospital ticket's number and title.
      for (const q of ['挂号', 'HIS 系统', '打印机', '门诊', probe.number, probe.title]) {
        const r = await taxUser.get<SearchResult>(`/search?q=${encodeURIComponent(q)}&limit=50`);
        for (const g of r.groups) for (const item of g.items) expect(item.customerId === null || item.customerId === tax.id, `${q}: ${item.kind} ${item.id} of customer ${item.customerId}`).toBe(true);
        expect(r.groups.flatMap((g) => g.items).map((i) => i.id)).not.toContain(probe.id);
        const list = await taxUser.get<TicketPage>(`/tickets?q=${encodeURIComponent(q)}&limit=50`);
        for (const t of list.items) expect(t.customerId, q).toBe(tax.id);
      }
      // Asking for the hospital explicitly: nothing, and no count.
      const asked = await taxUser.get<SearchResult>(`/search?q=${encodeURIComponent('HIS')}&customerId=${hospital.id}`);
      expect(asked.groups).toEqual([]);
      // His own tickets are found (the search is not blind).
      const own = await admin.get<TicketPage>(`/tickets?customerId=${tax.id}&limit=1`);
      const mine = await taxUser.get<SearchResult>(`/search?q=${encodeURIComponent(own.items[0].number)}`);
      expect(mine.groups.find((g) => g.kind === 'ticket')?.items.map((i) => i.id)).toContain(own.items[0].id);
    } finally {
      await taxUser.dispose();
    }
  });

  test('the tax office\'s user in the browser: the same search from his session answers only his tickets', async () => {
    const { page } = b;
    await page.context().clearCookies();
    await loginUI(page, 'tax_user');
    const res = await page.request.get(`/api/v1/search?q=${encodeURIComponent('HIS 系统')}&limit=50`);
    expect(res.status()).toBe(200);
    const body = (await res.json()) as SearchResult;
    const text = JSON.stringify(body);
    expect(text).not.toContain(DEMO.hospital.name);
    for (const g of body.groups) for (const item of g.items) expect(item.customerId === null || item.customerId === tax.id).toBe(true);
  });
});
