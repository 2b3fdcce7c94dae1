import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { ARTIFACTS, CHROMIUM } from './env.js';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium). The tests never download a browser.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Fail a step in seconds, not playwright's 30 s: a journey has dozens of them. */
const ACTION_TIMEOUT = 15_000;

/** A Chinese user's browser: the web app picks zh-CN before login from the browser's language. */
export const CHINESE_DESKTOP: BrowserContextOptions = {
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  viewport: { width: 1366, height: 800 },
};

export interface BrowserSession {
  readonly baseURL: string;
  readonly browser: Browser;
  /** The context and page of the suite; replaced by `fresh()`. */
  readonly context: BrowserContext;
  readonly page: Page;
  /** A new context (no cookies, no storage) and page, e.g. to log in as someone else. */
  fresh(options?: BrowserContextOptions): Promise<Page>;
}

function safeName(s: string): string {
  return s.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 120);
}

/**
 * One Chromium for the test file and one page that the file's tests share (a journey is a
 * sequence of tests on the same page). When a test fails, the page is saved as a screenshot
 * in e2e/artifacts/ before anything closes, and the rest of its journey (describe block) is
 * skipped: the later steps start from a page the failed step did not reach, so their failures
 * would be noise.
 */
export function useBrowser(options: BrowserContextOptions = CHINESE_DESKTOP): BrowserSession {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let contextOptions = options;
  const baseURL = inject('baseURL');
  /** Uncaught exceptions in the web app since the current test began: each fails the test. */
  const pageErrors: string[] = [];
  /** The first failed step of each journey (describe block), by suite id. */
  const failedStep = new Map<string, string>();

  const session: BrowserSession = {
    baseURL,
    get browser() {
      if (!browser) throw new Error('browser not started');
      return browser;
    },
    get context() {
      if (!context) throw new Error('browser not started');
      return context;
    },
    get page() {
      if (!page) throw new Error('browser not started');
      return page;
    },
    async fresh(next = contextOptions) {
      await context?.close();
      contextOptions = next;
      context = await session.browser.newContext({ ...next, baseURL });
      context.setDefaultTimeout(ACTION_TIMEOUT);
      page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${page?.url()}: ${err.message}`));
      return page;
    },
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    await session.fresh(options);
  });

  beforeEach((ctx) => {
    const failed = failedStep.get(ctx.task.suite?.id ?? '');
    if (failed) ctx.skip(`an earlier step of this journey failed: ${failed}`);
  });

  afterEach(async (ctx) => {
    const uncaught = pageErrors.splice(0);
    if (ctx.task.result?.state !== 'fail' && uncaught.length === 0) return;
    const journey = ctx.task.suite?.id ?? '';
    if (!failedStep.has(journey)) failedStep.set(journey, ctx.task.name);
    if (page && !page.isClosed()) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `${safeName(`${path.basename(ctx.task.file.name, '.test.ts')}--${ctx.task.name}`)}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
        console.error(`screenshot of the failed test: ${path.relative(process.cwd(), file)} (page ${page.url()})`);
      } catch (err) {
        console.error(`could not save a screenshot of the failed test: ${(err as Error).message}`);
      }
    }
    if (uncaught.length) throw new Error(`uncaught error in the web app:\n${uncaught.join('\n')}`);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  return session;
}
