// The visit-reason survey in Chromium on the demo site: only after analytics consent, from the configured page view
// on, answered by keyboard, stored as a `survey` event; never shown without consent, never again once dismissed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Page } from 'playwright-core';
import { invalidateSiteCache } from '../src/sites/index.js';
import { pgliteBackend, startApp, type TestApp } from './helpers.js';
import { freePort } from './processes.js';
import { ARGS, CHROMIUM, focusedInShadow as focused, HUMAN_UA } from './browser-helpers.js';

const d = fs.existsSync(CHROMIUM) ? describe : describe.skip;

d('visit-reason survey in a real browser', () => {
  let t: TestApp;
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-survey-'));
    t = await startApp(pgliteBackend, { DEMO_SITE: 'true', DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base });
    await t.app.listen({ host: '127.0.0.1', port });
    // Everyone is drawn, from the second page view on (the default 5 % would make the test a lottery).
    await t.ctx.db.updateTable('sites').set({ settings: sql`jsonb_set(settings, '{intent}', '{"survey_rate": 1, "survey_after_pages": 2}'::jsonb)` }).execute();
    invalidateSiteCache(t.ctx);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // A human-looking browser (headless Chromium is dropped as a bot), recording which scripts it loaded.
  const visitor = async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, `--user-agent=${HUMAN_UA}`] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    await context.addInitScript(() => Object.defineProperty(navigator, 'webdriver', { get: () => false }));
    const page = await context.newPage();
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
    return { browser, page, loaded };
  };
  const dialog = (page: Page) => page.getByRole('dialog', { name: 'What brings you here today?' });
  const surveyEvents = (sessionId: string) =>
    t.ctx.db.selectFrom('user_events').select(['event_data', 'page_url']).where('session_id', '=', sessionId).where('event_type', '=', 'survey').execute();

  it('asks a consenting visitor on their second page, takes a keyboard answer and stores it as a survey event', async () => {
    t.clock.set(Date.now());
    const { browser, page } = await visitor();
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    // Drawn at once (rate 1), but this is only the first page view.
    await expect.poll(() => page.evaluate(() => localStorage.getItem('augur_survey')), { timeout: 10_000 }).toBe('{"n":1,"s":true,"a":2}');
    expect(await dialog(page).isVisible()).toBe(false);

    await page.goto(`${base}/demo/pricing.html`);
    await expect.poll(() => dialog(page).isVisible(), { timeout: 10_000 }).toBe(true);
    // Focus moved into the prompt (nothing else was focused); the options are the default taxonomy, in order.
    expect(await focused(page)).toBe('dialog');
    const names: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      names.push(await focused(page));
    }
    expect(names).toEqual(['Buy something', 'Compare and research products', 'Get help with an order or product', 'Look for a job', 'Just browsing', 'No thanks']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('status').textContent()).toBe('Thank you!');

    const sessionId = await page.evaluate(() => JSON.parse(localStorage.getItem('augur_sid') ?? '{}').id as string);
    await page.evaluate(() => (globalThis as unknown as { augur: { flush(): Promise<void> } }).augur.flush());
    await expect.poll(async () => (await surveyEvents(sessionId)).length, { timeout: 10_000 }).toBe(1);
    expect(await surveyEvents(sessionId)).toEqual([{ event_data: { question: 'visit_reason', answer: 'jobs' }, page_url: `${base}/demo/pricing.html` }]);

    // Answered: never asked again.
    await page.goto(`${base}/demo/cart.html`);
    await page.waitForTimeout(800);
    expect(await page.locator('augur-survey').count()).toBe(0);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('augur_survey')))!)).toMatchObject({ d: 1 });
    await browser.close();
  });

  it('is dismissed with Escape and then never shown again, with no event stored', async () => {
    t.clock.set(Date.now());
    const { browser, page } = await visitor();
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    await page.goto(`${base}/demo/products.html`);
    await expect.poll(() => dialog(page).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('augur-survey').count()).toBe(0);
    await page.goto(`${base}/demo/blog.html`);
    await page.waitForTimeout(800);
    expect(await page.locator('augur-survey').count()).toBe(0);
    const sessionId = await page.evaluate(() => JSON.parse(localStorage.getItem('augur_sid') ?? '{}').id as string);
    await page.evaluate(() => (globalThis as unknown as { augur: { flush(): Promise<void> } }).augur.flush());
    await page.waitForTimeout(300);
    expect(await surveyEvents(sessionId)).toEqual([]);
    await browser.close();
  });

  it('asks the server for nothing on the pages before the prompt is due', async () => {
    t.clock.set(Date.now());
    await t.ctx.db.updateTable('sites').set({ settings: sql`jsonb_set(settings, '{intent}', '{"survey_rate": 1, "survey_after_pages": 4}'::jsonb)` }).execute();
    invalidateSiteCache(t.ctx);
    const { browser, page, loaded } = await visitor();
    const configReads = () => loaded.filter((p) => p === '/api/v1/intent/survey').length;
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(configReads, { timeout: 10_000 }).toBe(1);
    // A page counts once survey.js has run on it (it loads after the page's load event): wait for that, as a
    // visitor who reads the page would, before moving on.
    const pagesCounted = () => page.evaluate(() => (JSON.parse(localStorage.getItem('augur_survey') ?? '{}') as { n?: number }).n ?? 0);
    await expect.poll(pagesCounted, { timeout: 10_000 }).toBe(1);
    for (const [i, p] of ['products.html', 'blog.html'].entries()) {
      await page.goto(`${base}/demo/${p}`);
      await expect.poll(pagesCounted, { timeout: 10_000 }).toBe(i + 2);
    }
    expect(configReads()).toBe(1);
    expect(await page.locator('augur-survey').count()).toBe(0);
    await page.goto(`${base}/demo/pricing.html`);
    await expect.poll(() => dialog(page).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(configReads()).toBe(2);
    await browser.close();
  });

  it('never loads the survey for a visitor who refused analytics', async () => {
    t.clock.set(Date.now());
    const { browser, page, loaded } = await visitor();
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Reject all' }).click();
    for (const p of ['pricing.html', 'products.html', 'cart.html']) await page.goto(`${base}/demo/${p}`);
    await page.waitForTimeout(800);
    expect(await page.locator('augur-survey').count()).toBe(0);
    expect(loaded).toContain('/widget.js');
    expect(loaded.filter((p) => p === '/survey.js' || p === '/api/v1/intent/survey')).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('augur_survey'))).toBeNull();
    await browser.close();
  });
});
