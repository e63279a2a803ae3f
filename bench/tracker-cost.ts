// The tracker's weight on a page: gzipped size of dist/web/t.js, and main-thread time per event in
// Chromium (Debian's /usr/bin/chromium through playwright-core). Two pages, served by a small
// node:http server: one loads /t.js from the Augur server under test, the other is the same page
// without it. On each, the same loop runs — clicks dispatched on a button, then augur.track()
// calls (a no-op function on the plain page) — in chunks of 20 events (one tracker batch) with a
// pause after each, as events arrive on a real page. Measured: the synchronous time of the calls
// (performance.now(), high resolution: the pages are cross-origin isolated) and the main thread's
// total task time over the whole loop including the sends that follow (CDP Performance.getMetrics
// TaskDuration). The tracker's cost per event = tracked page minus plain page, medians of rounds.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { median, root, round } from './lib.js';

// Browser globals of the functions that run in the page (this project compiles without the DOM library).
declare const window: any, document: any, MouseEvent: any, crossOriginIsolated: boolean;

const TRACKER_FILE = path.join(root, 'dist/web/t.js');
const CHUNK = 20;
const CHUNKS = 50;
const PAUSE_MS = 25;
const ROUNDS = 5;

export function trackerSize(): { bytes: number; gzipBytes: number } | undefined {
  if (!fs.existsSync(TRACKER_FILE)) return undefined;
  const body = fs.readFileSync(TRACKER_FILE);
  return { bytes: body.length, gzipBytes: zlib.gzipSync(body, { level: 9 }).length };
}

export interface TrackerCost {
  rounds: number;
  eventsPerRound: number;
  rows: Array<{ what: string; syncUs: number; taskUs: number; baselineSyncUs: number; baselineTaskUs: number }>;
  raw: Record<string, Array<{ syncMs: number; taskMs: number }>>;
  /** The tracked page's ingest requests, by outcome as the page saw them. */
  trackerRequests: { ok: number; failed: number };
  /** Events the tracked page produced in the measured and warm-up rounds (clicks and track calls; the caller compares rows). */
  eventsSent: number;
}

function page(base: string, publicKey: string, tracked: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tracker cost</title></head>
<body>
<main>
  <section data-augur-section="hero"><h1>Plans</h1><p>Pick the plan that fits.</p>
    <button id="buy" type="button" class="btn btn-primary" data-augur-cta="buy" data-augur-plan="pro">Buy now</button>
  </section>
  <section data-augur-section="faq"><h2>FAQ</h2><p>${'Lorem ipsum dolor sit amet. '.repeat(40)}</p></section>
</main>
${tracked ? `<script src="${base}/t.js" data-site="${publicKey}" data-api="${base}"></script>` : ''}
</body></html>`;
}

/** Runs in the page: the event loop, in chunks; returns the synchronous time of the calls. */
async function eventLoop({ kind, chunk, chunks, pauseMs }: { kind: 'click' | 'track'; chunk: number; chunks: number; pauseMs: number }): Promise<number> {
  const w = window as unknown as { augur?: { track?: (name: string, props: object) => unknown } };
  const el = document.getElementById('buy')!;
  const track = w.augur?.track ? (i: number) => w.augur!.track!('video_play', { i, video: 'intro', autoplay: false }) : (i: number) => ({ i });
  let busy = 0;
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    if (kind === 'click') for (let i = 0; i < chunk; i++) el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, clientX: 40, clientY: 60 }));
    else for (let i = 0; i < chunk; i++) track(c * chunk + i);
    busy += performance.now() - t0;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return busy;
}

export async function trackerCost(opts: { base: string; publicKey: string; allowOrigin(origin: string): Promise<void> }): Promise<TrackerCost> {
  const { chromium } = await import('playwright-core');
  const pages = { tracked: page(opts.base, opts.publicKey, true), plain: page(opts.base, opts.publicKey, false) };
  const server = http.createServer((req, res) => {
    const name = req.url === '/tracked.html' ? 'tracked' : req.url === '/plain.html' ? 'plain' : undefined;
    if (!name) return res.writeHead(404).end();
    // Cross-origin isolation gives performance.now() its fine resolution (5 µs, not 100 µs).
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(pages[name]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await opts.allowOrigin(origin);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // Without AutomationControlled, navigator.webdriver is false, so the server stores the events
    // instead of dropping them as a bot's (the count is checked by the caller).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-blink-features=AutomationControlled'],
  });
  const trackerRequests = { ok: 0, failed: 0 };
  try {
    const open = async (name: 'tracked' | 'plain') => {
      const context = await browser.newContext({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' });
      const p = await context.newPage();
      p.on('response', (r) => {
        if (name === 'tracked' && r.url().includes('/api/v1/track/')) trackerRequests[r.ok() ? 'ok' : 'failed']++;
      });
      p.on('requestfailed', (r) => {
        if (r.url().includes('/api/v1/track/')) trackerRequests.failed++;
      });
      await p.goto(`${origin}/${name}.html`);
      if (name === 'tracked') {
        await p.waitForFunction(() => (window as unknown as { augur?: { track?: unknown } }).augur?.track !== undefined);
        // Analytics consent: clicks and custom events are only captured with it.
        await p.evaluate(() => (window as unknown as { augur: { consent: { set(c: object): void } } }).augur.consent.set({ analytics: true }));
        const isolated = await p.evaluate(() => crossOriginIsolated);
        if (!isolated) console.warn('tracker page is not cross-origin isolated: performance.now() is coarse');
      }
      const cdp = await context.newCDPSession(p);
      await cdp.send('Performance.enable');
      const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
      return { p, taskSeconds, close: () => context.close() };
    };
    const tabs = { tracked: await open('tracked'), plain: await open('plain') };
    const raw: TrackerCost['raw'] = {};
    const kinds = ['click', 'track'] as const;
    for (let r = 0; r <= ROUNDS; r++) {
      for (const kind of kinds) {
        for (const name of (r % 2 ? ['tracked', 'plain'] : ['plain', 'tracked']) as Array<'tracked' | 'plain'>) {
          const tab = tabs[name];
          const before = await tab.taskSeconds();
          const syncMs = await tab.p.evaluate(eventLoop, { kind, chunk: CHUNK, chunks: CHUNKS, pauseMs: PAUSE_MS });
          await tab.p.waitForTimeout(300); // the last batch's answer
          const taskMs = ((await tab.taskSeconds()) - before) * 1000;
          if (r > 0) (raw[`${name} ${kind}`] ??= []).push({ syncMs: round(syncMs, 3), taskMs: round(taskMs, 3) }); // round 0 warms up
        }
      }
    }
    await tabs.tracked.close();
    await tabs.plain.close();
    const n = CHUNK * CHUNKS;
    const perEvent = (key: string, field: 'syncMs' | 'taskMs') => (median(raw[key]!.map((x) => x[field])) * 1000) / n;
    return {
      rounds: ROUNDS,
      eventsPerRound: n,
      rows: kinds.map((kind) => ({
        what: kind === 'click' ? 'click (dispatched)' : 'augur.track()',
        syncUs: round(perEvent(`tracked ${kind}`, 'syncMs') - perEvent(`plain ${kind}`, 'syncMs'), 1),
        taskUs: round(perEvent(`tracked ${kind}`, 'taskMs') - perEvent(`plain ${kind}`, 'taskMs'), 1),
        baselineSyncUs: round(perEvent(`plain ${kind}`, 'syncMs'), 1),
        baselineTaskUs: round(perEvent(`plain ${kind}`, 'taskMs'), 1),
      })),
      raw,
      trackerRequests,
      eventsSent: (ROUNDS + 1) * kinds.length * n,
    };
  } finally {
    await browser.close();
    server.close();
  }
}
