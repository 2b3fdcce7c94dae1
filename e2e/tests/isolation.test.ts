import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, expectTitle, loginUI, type CustomerOut } from '../support/app.js';

/**
 * Customer A = 江州市人民医院 (hospital), customer B = 江州市税务局 (tax), from the demo data.
 * `hospital_user` holds customer_contact (portal.use, tickets.*: no customers.read), so the
 * customer API is closed to him (403); `hospital_admin` holds customer_admin (customers.read,
 * scoped to his own customer), so he sees A and B does not exist for him (404).
 */
describe('customer isolation', () => {
  const b = useBrowser();
  let hospital: CustomerOut;
  let tax: CustomerOut;

  beforeAll(async () => {
    const admin = await apiAs(b.baseURL, 'admin');
    try {
      hospital = await customerByCode(admin, DEMO.hospital.code);
      tax = await customerByCode(admin, DEMO.tax.code);
    } finally {
      await admin.dispose();
    }
  });

  async function expectPortalOfHospital(page: Page) {
    expect(new URL(page.url()).pathname).toBe('/portal');
    await expectTitle(page, `${DEMO.hospital.name}，你好`);
    expect((await page.getByTestId('portal-customer-name').innerText()).trim()).toBe(DEMO.hospital.name);
    // the portal has no agent navigation
    expect(await page.getByTestId('nav').count()).toBe(0);
  }

  async function bodyText(page: Page): Promise<string> {
    return page.locator('body').innerText();
  }

  describe('the customer contact of A (hospital_user)', () => {
    test('logs in to the portal of A', async () => {
      await loginUI(b.page, 'hospital_user');
      await expectPortalOfHospital(b.page);
    });

    test("B's admin page by URL shows 没有权限 (403), not B's data", async () => {
      const { page } = b;
      await page.goto(`/admin/customers/${tax.id}`);
      await page.getByTestId('page-403').waitFor({ timeout: UI_TIMEOUT });
      expect(await page.getByText('没有权限').first().isVisible()).toBe(true);
      const text = await bodyText(page);
      expect(text).not.toContain(DEMO.tax.name);
      expect(text).not.toContain(DEMO.tax.code);
    });

    test('the customer API with his session cookie: 403 (his role has no customers.read)', async () => {
      const { page } = b;
      for (const path of [`/api/v1/customers/${tax.id}`, '/api/v1/customers', `/api/v1/customers/${hospital.id}`]) {
        const res = await page.request.get(path);
        expect(res.status(), path).toBe(403);
        expect(await res.text(), path).not.toContain(DEMO.tax.name);
      }
      // his own identity answers: the session is valid, the permission is what is missing
      const me = await page.request.get('/api/v1/auth/me');
      expect(me.status()).toBe(200);
      expect(await me.json()).toMatchObject({ username: 'hospital_user', customerId: hospital.id, customerName: DEMO.hospital.name });
    });
  });

  describe('the customer administrator of A (hospital_admin)', () => {
    test('logs in to the portal of A', async () => {
      const page = await b.fresh(CHINESE_DESKTOP);
      await loginUI(page, 'hospital_admin');
      await expectPortalOfHospital(page);
    });

    test("B's admin page by URL says the customer does not exist (404), not B's data", async () => {
      const { page } = b;
      const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/customers/${tax.id}`));
      await page.goto(`/admin/customers/${tax.id}`);
      expect((await answered).status()).toBe(404);
      await page.getByTestId('customer-not-found').waitFor({ timeout: UI_TIMEOUT });
      expect(await page.getByText('客户不存在，或不在你的服务范围内。').isVisible()).toBe(true);
      const text = await bodyText(page);
      expect(text).not.toContain(DEMO.tax.name);
      expect(text).not.toContain(DEMO.tax.code);
    });

    test("A's own admin page shows A", async () => {
      const { page } = b;
      await page.goto(`/admin/customers/${hospital.id}`);
      await expectTitle(page, DEMO.hospital.name);
    });

    test('the customer API with his session cookie: B is 404, the list holds only A', async () => {
      const { page } = b;
      const one = await page.request.get(`/api/v1/customers/${tax.id}`);
      expect(one.status()).toBe(404);
      expect(await one.text()).not.toContain(DEMO.tax.name);

      const list = await page.request.get('/api/v1/customers?limit=100');
      expect(list.status()).toBe(200);
      const body = (await list.json()) as { items: CustomerOut[]; nextCursor: string | null };
      expect(body.items.map((c) => c.id)).toEqual([hospital.id]);
      expect(body.nextCursor).toBeNull();

      // a search for B's name finds nothing either
      const search = await page.request.get(`/api/v1/customers?q=${encodeURIComponent(DEMO.tax.name)}`);
      expect(((await search.json()) as { items: unknown[] }).items).toEqual([]);
    });
  });
});
