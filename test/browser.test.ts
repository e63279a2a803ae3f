// A real visitor in Chromium: the demo site with the real tracker against the real server.
// Clicks, scrolls and reads, then finds the events in the database with the right fields.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import yauzl from 'yauzl';
import { sql } from 'kysely';
import { invalidateSiteCache } from '../src/sites/index.js';
import { pgliteBackend, startApp, type TestApp } from './helpers.js';
import { freePort } from './processes.js';
import { ARGS, CHROMIUM, focusedInShadow, HUMAN_UA } from './browser-helpers.js';

const d = fs.existsSync(CHROMIUM) ? describe : describe.skip;
if (!fs.existsSync(CHROMIUM)) console.log('[augur] /usr/bin/chromium is missing (apt-get install -y chromium): the browser suite is SKIPPED.');

d('tracker in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-browser-'));
    t = await startApp(pgliteBackend, { DEMO_SITE: 'true', DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base });
    await t.app.listen({ host: '127.0.0.1', port });
    // No visit-reason survey here (test/survey-browser.test.ts has it): drawn at random, it could cover what these click.
    await t.ctx.db.updateTable('sites').set({ settings: sql`jsonb_set(settings, '{intent}', '{"survey_rate": 0}'::jsonb)` }).execute();
    invalidateSiteCache(t.ctx);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // A human-looking browser: headless Chromium announces itself, and bots are dropped. The User-Agent is set for the
  // whole browser, as beacons sent while a page unloads do not carry a per-page override; headless Chromium also
  // sets navigator.webdriver.
  const humanPage = async () => {
    const human = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, `--user-agent=${HUMAN_UA}`] });
    const context = await human.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await context.addInitScript(() => Object.defineProperty(navigator, 'webdriver', { get: () => false }));
    return { human, page: await context.newPage() };
  };
  const eventsOf = (sessionId: string) => t.ctx.db.selectFrom('user_events').selectAll().where('session_id', '=', sessionId).orderBy('timestamp').execute();

  it('records page views, clicks, scroll depth and section time of a consenting visitor', async () => {
    // The clock of the app under test must be real time here: the browser stamps events with it.
    t.clock.set(Date.now());
    const { human, page } = await humanPage();
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    const sessionId = await page.evaluate(() => JSON.parse(localStorage.getItem('augur_sid') ?? '{}').id as string);
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);

    await page.goto(`${base}/demo/product-1.html`);
    await page.mouse.move(200, 200);
    await page.mouse.move(600, 400, { steps: 10 });
    await page.locator('[data-augur-action="add-to-cart"]').first().click();
    for (let y = 0; y <= 6000; y += 400) {
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(60);
    }
    await page.waitForTimeout(300);
    // Leaving the page flushes its summaries (page_leave, sections, mouse) with sendBeacon.
    await page.goto(`${base}/demo/pricing.html`);
    await page.evaluate(() => (globalThis as unknown as { augur: { flush(): Promise<void> } }).augur.flush());

    let events: Awaited<ReturnType<typeof eventsOf>> = [];
    for (let i = 0; i < 100; i++) {
      events = await eventsOf(sessionId);
      const types = new Set(events.map((e) => e.event_type));
      if (['page_view', 'click', 'scroll', 'section', 'page_leave'].every((ty) => types.has(ty)) && events.filter((e) => e.event_type === 'page_view').length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const views = events.filter((e) => e.event_type === 'page_view').map((e) => e.page_url);
    expect(views).toEqual(expect.arrayContaining([`${base}/demo/`, `${base}/demo/product-1.html`, `${base}/demo/pricing.html`]));
    const click = events.find((e) => e.event_type === 'click' && (e.event_data as { augur?: { action?: string } }).augur?.action === 'add-to-cart');
    expect(click?.event_data).toMatchObject({ tag: 'button', text: 'Add to cart', augur: { action: 'add-to-cart', product: '1' } });
    expect(click?.page_url).toBe(`${base}/demo/product-1.html`);
    const depths = events.filter((e) => e.event_type === 'scroll').map((e) => (e.event_data as { depth: number }).depth);
    expect(depths).toEqual(expect.arrayContaining([25, 50, 75]));
    const sections = events.filter((e) => e.event_type === 'section').map((e) => e.event_data as { section: string; visible_ms: number });
    expect(sections.find((s) => s.section === 'product-overview')?.visible_ms).toBeGreaterThan(0);
    expect(events.find((e) => e.event_type === 'custom')?.event_data).toMatchObject({ name: 'add_to_cart', props: { product_id: '1' } });

    const session = await t.ctx.db.selectFrom('user_sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ cookieless: false, entry_page: `${base}/demo/`, device_type: 'desktop', browser: 'Chrome', os: 'Linux' });
    expect(session.page_count).toBeGreaterThanOrEqual(3);
    expect(session.consent_status).toMatchObject({ analytics: true });
    await human.close();
  });

  it('counts a headless browser as a bot and stores nothing from it', async () => {
    t.clock.set(Date.now());
    const before = await t.ctx.db.selectFrom('user_events').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    await page.evaluate(() => (globalThis as unknown as { augur: { flush(): Promise<void> } }).augur.flush());
    await page.waitForTimeout(300);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/track_events_total\{outcome="dropped_bot"\} [1-9]/);
    const after = await t.ctx.db.selectFrom('user_events').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    await context.close();
  });

  it('asks for consent with an accessible banner, records a refusal, and records a later change from the settings link', async () => {
    t.clock.set(Date.now());
    const since = new Date();
    const last = await t.ctx.db.selectFrom('consent_records').select(({ fn }) => fn.max('id').as('id')).executeTakeFirstOrThrow();
    const { human, page } = await humanPage();
    await page.goto(`${base}/demo/`);
    const dialog = page.getByRole('dialog', { name: 'Your privacy choices' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    // Focus moved into the dialog, and Tab cycles through its controls only.
    // The banner lives in a shadow root.
    const focused = () => focusedInShadow(page);
    expect(await focused()).toBe('dialog');
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    expect(order).toEqual(['Privacy policy', 'Customize', 'Reject all', 'Accept all', 'Privacy policy']);
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Accept all');
    // "Accept all" and "Reject all" look the same.
    const box = async (name: string) => page.getByRole('button', { name }).boundingBox();
    const [accept, reject] = [await box('Accept all'), await box('Reject all')];
    expect([reject?.width, reject?.height]).toEqual([accept?.width, accept?.height]);
    // Escape is no decision: without a choice the banner stays.
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Reject all' }).click();
    expect(await dialog.isVisible()).toBe(false);
    const records = () => t.ctx.db.selectFrom('consent_records').selectAll().where('id', '>', last.id ?? 0).orderBy('id').execute();
    await expect.poll(async () => (await records()).length).toBe(1);
    const [refusal] = await records();
    expect(refusal).toMatchObject({ categories: { analytics: false, marketing: false, personalization: false }, policy_version: '1', source: 'banner' });
    const storage = () => page.evaluate(() => ({ consent: JSON.parse(localStorage.getItem('augur_consent') ?? 'null'), vid: localStorage.getItem('augur_vid') }));
    expect(await storage()).toMatchObject({ consent: { analytics: false, marketing: false, personalization: false, policy_version: '1' }, vid: null });

    // Next page: no banner, only cookieless page views reach the server.
    await page.goto(`${base}/demo/product-1.html`);
    await page.locator('[data-augur-action="add-to-cart"]').first().click();
    await page.goto(`${base}/demo/pricing.html`);
    expect(await dialog.isVisible()).toBe(false);
    const siteEvents = () => t.ctx.db.selectFrom('user_events').select(['event_type', 'visitor_id']).where('received_at', '>=', since).execute();
    await expect.poll(async () => (await siteEvents()).filter((e) => e.event_type === 'page_view').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(new Set((await siteEvents()).map((e) => e.event_type))).toEqual(new Set(['page_view', 'page_leave']));
    expect((await siteEvents()).map((e) => e.visitor_id)).not.toContain(refusal!.visitor_id);

    // The settings link reopens the banner with the choice filled in; granting analytics is a new record.
    await page.getByRole('button', { name: 'Privacy settings' }).click();
    expect(await dialog.isVisible()).toBe(true);
    const analytics = page.getByRole('switch', { name: 'Analytics' });
    expect(await analytics.isChecked()).toBe(false);
    await analytics.check();
    await page.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(async () => (await records()).length).toBe(2);
    const grant = (await records())[1];
    expect(grant).toMatchObject({ categories: { analytics: true, marketing: false, personalization: false }, source: 'settings_link' });
    const after = await storage();
    expect(after.consent).toMatchObject({ analytics: true, policy_version: '1' });
    expect(after.vid).toBe(grant!.visitor_id);
    await human.close();
  });

  it('lets a visitor download their data and delete it from the banner\'s settings, and then forgets them', async () => {
    t.clock.set(Date.now());
    const { human, page } = await humanPage();
    await page.goto(`${base}/demo/`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    const local = () => page.evaluate(() => ({ token: localStorage.getItem('augur_vtok'), vid: localStorage.getItem('augur_vid'), consent: localStorage.getItem('augur_consent') }));
    await expect.poll(async () => (await local()).token).toMatch(/^avt1\./);
    const { vid } = await local();
    expect(vid).toMatch(/^[\w-]{22}$/);
    await page.goto(`${base}/demo/pricing.html`);
    await page.evaluate(() => (globalThis as unknown as { augur: { flush(): Promise<void> } }).augur.flush());
    const stored = async () => {
      const n = async (table: 'user_events' | 'user_sessions' | 'consent_records') =>
        Number((await t.ctx.db.selectFrom(table).select(({ fn }) => fn.countAll<number>().as('n')).where('visitor_id', '=', vid!).executeTakeFirstOrThrow()).n);
      return { events: await n('user_events'), sessions: await n('user_sessions'), consent: await n('consent_records') };
    };
    await expect.poll(async () => (await stored()).events, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    // The settings view offers the data rights, since this browser holds a token.
    await page.getByRole('button', { name: 'Privacy settings' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^augur-subject-data-\d{4}-\d{2}-\d{2}\.zip$/);
    const file = path.join(dataDir, 'download.zip');
    await download.saveAs(file);
    const entries = await new Promise<Map<string, string>>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        const out = new Map<string, string>();
        zip.on('entry', (entry: yauzl.Entry) =>
          zip.openReadStream(entry, (e, stream) => {
            if (e || !stream) return reject(e);
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => { out.set(entry.fileName, Buffer.concat(chunks).toString('utf8')); zip.readEntry(); });
          }),
        );
        zip.on('end', () => resolve(out));
        zip.readEntry();
      }),
    );
    expect([...entries.keys()].sort()).toEqual(['README.txt', 'audit.csv', 'consent.csv', 'events.csv', 'intent_predictions.csv', 'sessions.csv']);
    expect(entries.get('events.csv')).toContain(`${base}/demo/pricing.html`);
    expect(entries.get('sessions.csv')).toContain(vid);

    // Delete asks first; "Cancel" changes nothing.
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await stored()).consent).toBe(1);
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    // The banner is back as for a new visitor: nothing kept in the browser, no data rights offered.
    await expect.poll(async () => local()).toEqual({ token: null, vid: null, consent: null });
    expect(await page.getByRole('button', { name: 'Accept all' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Download my data' }).isVisible()).toBe(false);
    // And nothing is left on the server.
    expect(await stored()).toEqual({ events: 0, sessions: 0, consent: 0 });
    const erased = await t.ctx.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'privacy.erased').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(erased.actor).toBe(`visitor:${vid}`);
    await human.close();
  });
});
