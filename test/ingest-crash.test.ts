// Embedded mode with the real binary: the ingest API answers 202 only once the group commit
// holding the events has committed into PGlite. The server is SIGKILLed under load with requests
// in flight and restarted on the same data directory; every event acknowledged before the kill
// must be stored exactly once, and the sessions must agree with the stored events.
import { afterAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPglite } from '../src/db/client.js';
import { TEST_SECRETS, BROWSER_UA as UA } from './helpers.js';
import { freePort, killAll, spawnAugur, stopProcess, waitReady, type Spawned } from './processes.js';

const CONCURRENCY = 8;
const EVENTS_PER_REQUEST = 20;
const SESSIONS = 6;
/** The kill comes once the load has run this long and at least MIN_ACKED requests were acknowledged. */
const LOAD_MS = 1000;
const MIN_ACKED = 200;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-crash-'));
afterAll(async () => {
  await killAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Demo {
  site_id: string;
  site_key: string;
  origin: string;
}

const run = crypto.randomBytes(4).toString('hex');
const visitors = Array.from({ length: SESSIONS }, (_, k) => ({ visitor_id: `v_${run}_${k}_visitor`, session_id: `s_${run}_${k}_session` }));
const DEPTHS = [25, 50, 75, 90, 100] as const;

/** One request of a visitor reading product pages: page views, clicks and scroll milestones. */
function batch(demo: Demo, i: number): { body: string; eventIds: string[] } {
  const now = Date.now();
  const product = (i * 7) % 40;
  const url = `${demo.origin}/products/${product}?utm_source=newsletter&ref=crash`;
  const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, j) => {
    const base = { event_id: crypto.randomUUID(), ts: now - (EVENTS_PER_REQUEST - j) * 150, url };
    if (j % 10 === 0) return { ...base, type: 'page_view', data: { title: `Trail shoe ${product} – Northwind Outfitters`, referrer: j === 0 ? 'https://www.google.com/' : `${demo.origin}/products/` } };
    if (j % 2 === 1) {
      return {
        ...base,
        type: 'click',
        data: { tag: 'button', id: `add-${product}`, classes: ['btn', 'btn-primary'], augur: { action: 'add-to-cart', product: String(product) }, text: 'Add to cart', x: 640 + j, y: 420 + 3 * j },
      };
    }
    return { ...base, type: 'scroll', data: { depth: DEPTHS[(j / 2) % DEPTHS.length]!, reading_wpm: 180 + j, px_per_s: 420 } };
  });
  const body = JSON.stringify({
    site: demo.site_key,
    ...visitors[i % SESSIONS]!,
    consent: { analytics: true },
    sent_at: now,
    context: { screen_w: 1920, screen_h: 1080, viewport_w: 1280, viewport_h: 720, language: 'en-US', timezone: 'Europe/Berlin', ua_mobile: false, ua_platform: 'Windows', ua_brands: ['Chromium 130'], webdriver: false },
    events,
  });
  return { body, eventIds: events.map((e) => e.event_id) };
}

type Outcome = { acked: true } | { acked: false; why: string };

async function post(port: number, demo: Demo, body: string): Promise<Outcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(`http://127.0.0.1:${port}/api/v1/track/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: demo.origin, 'user-agent': UA },
      body,
    });
    text = await res.text();
  } catch {
    return { acked: false, why: 'socket' }; // the server died before answering: not acknowledged
  }
  if (res.status !== 202) return { acked: false, why: `status ${res.status}: ${text.slice(0, 200)}` };
  const answer = JSON.parse(text) as { accepted: number };
  if (answer.accepted !== EVENTS_PER_REQUEST) throw new Error(`202 with ${answer.accepted} of ${EVENTS_PER_REQUEST} events accepted: ${text}`);
  return { acked: true };
}

describe('embedded ingest survives kill -9', () => {
  it('stores every acknowledged event exactly once after a SIGKILL under load and a restart', { timeout: 60_000 }, async () => {
    const t0 = Date.now();
    const port = await freePort();
    const env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
      INGEST_RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_PER_MINUTE: '10000000',
      ...TEST_SECRETS,
    };
    const first: Spawned = spawnAugur(['serve'], env);
    await waitReady(first, port, 'first server');
    const startedMs = Date.now() - t0;
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as Demo;

    // Load: CONCURRENCY requests always in flight until the server is gone.
    const acked: string[] = [];
    let ackedRequests = 0;
    let inFlight = 0;
    let next = 0;
    const failures = new Map<string, number>();
    let killed = false;
    const loadStart = Date.now();
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (!killed) {
        const { body, eventIds } = batch(demo, next++);
        inFlight += 1;
        const outcome = await post(port, demo, body);
        inFlight -= 1;
        if (outcome.acked) {
          acked.push(...eventIds);
          ackedRequests += 1;
        } else failures.set(outcome.why, (failures.get(outcome.why) ?? 0) + 1);
      }
    });
    while (Date.now() - loadStart < LOAD_MS || ackedRequests < MIN_ACKED) {
      if (first.proc.exitCode !== null || Date.now() - loadStart > 15_000) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const inFlightAtKill = inFlight;
    const ackedAtKill = ackedRequests;
    first.proc.kill('SIGKILL');
    killed = true;
    await first.exited;
    await Promise.all(workers);
    const loadMs = Date.now() - loadStart;
    expect(first.proc.signalCode, `the server died before the kill: ${first.output()}`).toBe('SIGKILL');
    expect(ackedAtKill).toBeGreaterThanOrEqual(MIN_ACKED);
    expect(inFlightAtKill).toBeGreaterThan(0);

    // Restart on the same data directory: the stale pg.lock is taken over and PGlite recovers.
    const restartAt = Date.now();
    const second = spawnAugur(['serve'], env);
    await waitReady(second, port, 'server restarted after SIGKILL');
    const restartMs = Date.now() - restartAt;
    // The recovered server takes new events too.
    const after = batch(demo, next++);
    expect(await post(port, demo, after.body)).toEqual({ acked: true });
    acked.push(...after.eventIds);
    expect(await stopProcess(second, 'SIGTERM'), second.output()).toBe(0);

    const handle = await openPglite({ dataDir: path.join(dataDir, 'pg') });
    try {
      const rows = (await sql<{ event_id: string; session_id: string; event_type: string }>`
        SELECT event_id::text AS event_id, session_id, event_type FROM user_events WHERE site_id = ${demo.site_id}`.execute(handle.db)).rows;
      const sessions = (await sql<{ session_id: string; event_count: number; page_count: number }>`
        SELECT session_id, event_count, page_count FROM user_sessions WHERE site_id = ${demo.site_id}`.execute(handle.db)).rows;

      const stored = new Map<string, number>();
      for (const r of rows) stored.set(r.event_id, (stored.get(r.event_id) ?? 0) + 1);
      const lost = acked.filter((id) => !stored.has(id));
      const duplicated = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
      const perSession = new Map<string, { events: number; pages: number }>();
      for (const r of rows) {
        const s = perSession.get(r.session_id) ?? { events: 0, pages: 0 };
        s.events += 1;
        if (r.event_type === 'page_view') s.pages += 1;
        perSession.set(r.session_id, s);
      }
      const counted = Object.fromEntries(sessions.map((s) => [s.session_id, { events: Number(s.event_count), pages: Number(s.page_count) }]));

      console.log(
        `[ingest-crash] started in ${startedMs} ms; load ${loadMs} ms, ${CONCURRENCY} in flight: ${ackedRequests} requests acked ` +
          `(${ackedRequests * EVENTS_PER_REQUEST} events; ${ackedRequests - ackedAtKill} of them answered as the kill landed), ${inFlightAtKill} in flight at the kill, not acked: ${JSON.stringify(Object.fromEntries(failures))}; ` +
          `restart ready in ${restartMs} ms; acked events incl. 1 request after restart ${acked.length}, stored rows ${rows.length} ` +
          `(${stored.size} distinct, ${rows.length - acked.length + lost.length} committed but unacknowledged), lost ${lost.length}, duplicated ${duplicated.length}; ` +
          `sessions: sum(event_count) ${sessions.reduce((n, s) => n + Number(s.event_count), 0)}; total ${Date.now() - t0} ms`,
      );

      expect(lost, `acknowledged events missing after the crash (${lost.length} of ${acked.length})`).toEqual([]);
      expect(duplicated).toEqual([]);
      expect(rows.length).toBeGreaterThanOrEqual(acked.length);
      expect(sessions.length).toBe(SESSIONS);
      expect(counted).toEqual(Object.fromEntries(perSession));
      expect(sessions.reduce((n, s) => n + Number(s.event_count), 0)).toBe(rows.length);
    } finally {
      await handle.close();
    }
  });
});
