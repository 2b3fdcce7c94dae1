import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHINESE_DESKTOP, useBrowser } from '../support/browser.js';
import { ARTIFACTS, DEMO } from '../support/env.js';
import { UI_TIMEOUT, apiAs, customerByCode, expectTitle, loginUI, type Api } from '../support/app.js';

/** A phone: 390×844 CSS pixels. */
const PHONE = { ...CHINESE_DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 };

interface Figure {
  value: number | null;
  numerator: number;
  denominator: number;
}
interface Metrics {
  rows: Array<{ key: string; label: string; values: Record<string, Figure> }>;
  totals: Record<string, Figure>;
}

const RESOLUTION = 'sla.resolution.met_rate';

/** Screenshots of the dashboards for a person to look at (e2e/artifacts/, gitignored). */
async function shot(page: Page, name: string) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `dashboards-${name}.png`), fullPage: true });
}

/** The entries of a zip archive (an .xlsx is one), read from its central directory. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('broken central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    out.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Clicks the data point of a series (its id is the KPI code) at a category index, through the chart's own coordinates. */
async function clickPoint(page: Page, chartTestId: string, kpi: string, index: number) {
  const container = page.getByTestId(chartTestId).locator('.yw-chart');
  await container.locator('svg').first().waitFor({ timeout: UI_TIMEOUT });
  const pos = await container.evaluate(
    (el, [code, i]) => {
      type Inst = {
        getOption(): { series: Array<{ id: string; data: Array<{ value: number | null } | number | null> }> };
        convertToPixel(finder: object, value: [number, number]): [number, number];
      };
      const inst = (el as unknown as { ywChart?: Inst }).ywChart;
      if (!inst) throw new Error('chart instance not attached');
      const series = inst.getOption().series;
      const si = series.findIndex((s) => s.id === code);
      if (si < 0) throw new Error(`no series ${String(code)} among ${series.map((s) => s.id).join(', ')}`);
      const d = series[si].data[i as number];
      const v = typeof d === 'object' && d !== null ? d.value : d;
      const [x, y] = inst.convertToPixel({ seriesIndex: si }, [i as number, v as number]);
      const r = el.getBoundingClientRect();
      return { x: r.left + x, y: r.top + y };
    },
    [kpi, index] as const,
  );
  await page.mouse.click(pos.x, pos.y);
}

describe('management dashboard: KPIs and charts on the demo history, a drill-down to the breached tickets, Excel export', () => {
  const b = useBrowser();
  let admin: Api;
  let labelOf: Map<string, string>;

  beforeAll(async () => {
    admin = await apiAs(b.baseURL, 'admin');
    const kpis = await admin.get<Array<{ code: string; label: string }> | { items: Array<{ code: string; label: string }> }>('/reporting/kpis');
    labelOf = new Map((Array.isArray(kpis) ? kpis : kpis.items).map((k) => [k.code, k.label]));
  });
  afterAll(() => admin?.dispose());

  test('服务指标 opens from the navigation with KPI cards and non-empty charts', async () => {
    const { page } = b;
    await loginUI(page, 'admin');
    await page.getByTestId('nav-reporting').click();
    await page.waitForURL((u) => u.pathname === '/reporting', { timeout: UI_TIMEOUT });
    await expectTitle(page, '服务指标');
    // the cards: one per KPI the server defines, each with a figure or "—"
    const cards = page.getByTestId('kpi-card');
    await expect.poll(() => cards.count(), { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(5);
    await expect
      .poll(async () => (await page.getByTestId('kpi-card-value').allInnerTexts()).filter((s) => /\d/.test(s)).length, { timeout: UI_TIMEOUT })
      .toBeGreaterThanOrEqual(4);
    const text = await page.getByTestId('kpi-cards').innerText();
    expect(text).not.toMatch(/NaN|undefined|Infinity/);
    // every chart has drawn its figures (12 months of demo history)
    for (const id of ['chart-slaTrend', 'chart-slaByCustomer', 'chart-volume', 'chart-backlog', 'chart-times', 'chart-satisfaction']) {
      await expect.poll(() => page.getByTestId(id).getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('ready');
      expect(await page.getByTestId(id).locator('svg path').count(), id).toBeGreaterThan(5);
    }
    expect(await page.getByTestId('chart-slaByCustomer').innerText()).not.toMatch(/NaN/);
    await shot(page, 'management-desktop');
  });

  test('a click on a month of the SLA trend lists its breached tickets, and one opens', async () => {
    const { page } = b;
    // the page's default period: the last 12 months (this one so far) by month, as the chart shows it
    const months = await admin.get<Metrics>(`/reporting/metrics?kpis=${RESOLUTION}&groupBy=month&from=${monthsAgo(11)}&to=${today()}`);
    // the month with the most breached resolution clocks
    let best = -1;
    months.rows.forEach((r, i) => {
      const f = r.values[RESOLUTION];
      const missed = f ? f.denominator - f.numerator : 0;
      if (missed > 0 && (best < 0 || missed > months.rows[best].values[RESOLUTION].denominator - months.rows[best].values[RESOLUTION].numerator)) best = i;
    });
    expect(best, 'the demo history has a month with a breached resolution').toBeGreaterThanOrEqual(0);
    const row = months.rows[best];
    const missed = row.values[RESOLUTION].denominator - row.values[RESOLUTION].numerator;

    await clickPoint(page, 'chart-slaTrend', RESOLUTION, best);
    await page.getByTestId('drill-drawer').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.getByTestId('drill-title').innerText()).toContain(labelOf.get(RESOLUTION)!);
    const rows = page.getByTestId('drill-row');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    // the breached ones first: as many as the figure misses (a page of up to 30, then "load more")
    const listed = await rows.count();
    expect(listed).toBe(Math.min(missed, 30));
    for (const s of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-sla')))) expect(s).toBe('breached');
    await shot(page, 'drill-desktop');

    const first = rows.first();
    const id = await first.getAttribute('data-ticket-id');
    await first.getByTestId('drill-ticket-link').click();
    await page.waitForURL((u) => u.pathname === `/tickets/${id}`, { timeout: UI_TIMEOUT });
    const ticket = await admin.get<{ number: string }>(`/tickets/${id}`);
    await expect.poll(() => page.getByTestId('page-title').first().innerText(), { timeout: UI_TIMEOUT }).toContain(ticket.number);
  });

  test('导出 Excel downloads the chart\'s figures as a valid workbook', async () => {
    const { page } = b;
    await page.goBack();
    await page.getByTestId('chart-slaTrend').waitFor({ timeout: UI_TIMEOUT });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-slaTrend-export').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = path.join(os.tmpdir(), `dash-${Date.now()}.xlsx`);
    await download.saveAs(file);
    const buf = fs.readFileSync(file);
    fs.rmSync(file, { force: true });
    expect(buf.subarray(0, 2).toString('latin1')).toBe('PK');
    const entries = unzip(buf);
    expect(entries.has('xl/workbook.xml')).toBe(true);
    expect(entries.has('[Content_Types].xml')).toBe(true);
    // the KPI's name is in the workbook (shared strings or inline)
    const texts = [...entries].filter(([n]) => n.startsWith('xl/')).map(([, v]) => v.toString('utf8')).join('\n');
    expect(texts).toContain(labelOf.get(RESOLUTION)!);
  });

  test('a chart shown as a table opens the same tickets from the keyboard', async () => {
    const { page } = b;
    await page.getByTestId('chart-slaByCustomer-as-table').click();
    const cells = page.getByTestId('chart-slaByCustomer-cell');
    await cells.first().waitFor({ timeout: UI_TIMEOUT });
    // one row per customer the admin sees, a figure (or —) per KPI
    expect(await page.getByTestId('chart-slaByCustomer-table').innerText()).toContain(DEMO.hospital.name);
    await cells.first().focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('drill-drawer').waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('drill-row').first().waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('Escape');
    await page.getByTestId('drill-drawer').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  });

  test('on a 390 px phone the charts stack and the drill-down is full screen', async () => {
    const page = await b.fresh(PHONE);
    await loginUI(page, 'admin');
    await page.goto('/reporting?period=last3');
    await expectTitle(page, '服务指标');
    await expect.poll(() => page.getByTestId('chart-slaTrend').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('ready');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    const a = await page.getByTestId('chart-slaTrend').boundingBox();
    const c = await page.getByTestId('chart-slaByCustomer').boundingBox();
    expect(c!.y).toBeGreaterThan(a!.y + a!.height - 1);
    await shot(page, 'management-phone');
    await page.getByTestId('kpi-card').first().click();
    await page.getByTestId('drill-drawer').waitFor({ timeout: UI_TIMEOUT });
    const box = await page.locator('.ant-drawer-content-wrapper').boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(389);
    expect(box!.height).toBeGreaterThanOrEqual(843);
    await shot(page, 'drill-phone');
  });
});

describe('portal 服务概况: a customer\'s staff sees only his own service', () => {
  const b = useBrowser(PHONE);
  let tax: { id: number };

  beforeAll(async () => {
    const admin = await apiAs(b.baseURL, 'admin');
    tax = await customerByCode(admin, DEMO.tax.code);
    await admin.dispose();
  });

  test('the hospital\'s administrator opens 服务概况 on his phone: his figures, never another customer\'s name', async () => {
    const { page } = b;
    await loginUI(page, 'hospital_admin');
    await page.getByTestId('portal-nav-dashboard').click();
    await page.waitForURL((u) => u.pathname === '/portal/dashboard', { timeout: UI_TIMEOUT });
    await expectTitle(page, '服务概况');
    await expect
      .poll(async () => (await page.getByTestId('kpi-card-value').allInnerTexts()).filter((s) => /\d/.test(s)).length, { timeout: UI_TIMEOUT })
      .toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.getByTestId('portal-chart-sla').getAttribute('data-state'), { timeout: UI_TIMEOUT }).toBe('ready');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await shot(page, 'portal-phone');

    // the tickets behind his SLA card are his own
    await page.locator('[data-testid="kpi-card"][data-kpi="sla.resolution.met_rate"]').click();
    await page.getByTestId('drill-row').first().waitFor({ timeout: UI_TIMEOUT });
    await page.getByTestId('drill-part-denominator').click();
    await page.getByTestId('drill-row').first().waitFor({ timeout: UI_TIMEOUT });
    const body = await page.locator('body').innerText();
    expect(body).toContain(DEMO.hospital.name);
    for (const other of [DEMO.tax.name, DEMO.school.name]) expect(body).not.toContain(other);
    const href = await page.getByTestId('drill-ticket-link').first().getAttribute('href');
    expect(href).toMatch(/^\/portal\/tickets\/\d+$/);
  });

  test('the API answers him for his customer only', async () => {
    const res = await b.page.request.get(`/api/v1/reporting/metrics?kpis=tickets.opened&groupBy=customer&from=${monthsAgo(11)}&to=${today()}`);
    expect(res.status()).toBe(200);
    const m = (await res.json()) as Metrics;
    expect(m.rows.map((r) => r.label)).toEqual([DEMO.hospital.name]);
    const other = await b.page.request.get(`/api/v1/reporting/metrics?kpis=tickets.opened&groupBy=total&customerId=${tax.id}&from=${monthsAgo(11)}&to=${today()}`);
    expect([403, 404]).toContain(other.status());
  });
});

function pad(n: number) {
  return String(n).padStart(2, '0');
}
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
function monthsAgo(n: number): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - n);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-01`;
}
