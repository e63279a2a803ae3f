// The sender and both modes against a stand-in ingest endpoint (node:http), which lets the test
// script 503/429/400 answers. The real server is exercised in test/simulate.test.ts.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationOptions } from './run.js';
import { retryAfterMs } from './sender.js';
import type { Envelope } from './wire.js';

interface Received { headers: http.IncomingHttpHeaders; body: Envelope }
type Script = (req: Received, n: number) => { status: number; headers?: Record<string, string>; body?: unknown };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-sim-'));
let server: http.Server;
let url = '';
let received: Received[] = [];
let script: Script = () => ({ status: 202 });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => {
      const r = { headers: req.headers, body: JSON.parse(text) as Envelope };
      received.push(r);
      const answer = script(r, received.length);
      const body = answer.body ?? { accepted: r.body.events.length, rejected: [], dropped: { consent: 0, bot: 0 }, server_time: Date.now() };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

function options(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  received = [];
  return {
    url, site: 'pk_test_site_0001', origin: 'https://shop.example.com', visitors: 20, rate: 1000, speed: 1e6, seed: 'run-test',
    surveyFraction: 0.5, rejectFraction: 0.25, truthFile: path.join(dir, `truth-${Math.random()}.jsonl`), progressEveryMs: 60_000, liveReturnCapMs: 20,
    ...overrides,
  };
}
const quiet = () => {};
const truthLines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('runSimulation', () => {
  it('live: posts tracker-like batches with browser headers, wall-clock times and a truth line per session', async () => {
    script = () => ({ status: 202 });
    const opts = options();
    const before = Date.now();
    const summary = await runSimulation(opts, quiet);
    expect(summary.ok).toBe(true);
    expect(summary.visitors).toBe(20);
    expect(summary.requests).toBe(received.length);
    expect(summary.accepted).toBe(summary.eventsSent);
    expect(summary.eventsSent).toBe(received.reduce((n, r) => n + r.body.events.length, 0));
    for (const { headers, body } of received) {
      expect(headers['content-type']).toBe('text/plain');
      expect(headers.origin).toBe('https://shop.example.com');
      expect(headers['user-agent']).toMatch(/^Mozilla\/5\.0 /);
      expect(headers['x-api-key']).toBeUndefined();
      expect(body.site).toBe('pk_test_site_0001');
      for (const e of body.events) {
        expect(e.ts).toBeGreaterThanOrEqual(before - 1000);
        expect(e.ts).toBeLessThanOrEqual(Date.now() + 1000);
        expect(e.url.startsWith('https://shop.example.com/demo/')).toBe(true);
      }
    }
    const truth = truthLines(opts.truthFile);
    expect(truth.length).toBe(summary.sessions);
    expect(truth.length).toBeGreaterThanOrEqual(20);
    const sessionIds = new Set(received.map((r) => r.body.session_id).filter(Boolean));
    for (const line of truth) if (line.session_id) expect(sessionIds.has(line.session_id as string)).toBe(true);
  });

  it('backfill: spreads sessions over the past days, sends the API key, sent_at now', async () => {
    script = () => ({ status: 202 });
    const opts = options({ days: 7, apiKey: 'ak_test', visitors: 40 });
    const now = Date.now();
    const summary = await runSimulation(opts, quiet);
    expect(summary.ok).toBe(true);
    expect(summary.mode).toBe('backfill');
    const times = received.flatMap((r) => r.body.events.map((e) => e.ts));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(now - 7 * 86_400_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(86_400_000);
    for (const r of received) {
      expect(r.headers['x-api-key']).toBe('ak_test');
      expect(r.body.sent_at).toBeGreaterThanOrEqual(now);
    }
    // Sessions are sent in order of their start.
    const starts = truthLines(opts.truthFile).filter((l) => l.session_index === 1).map((l) => Date.parse(l.started_at as string));
    expect(starts.length).toBeGreaterThan(30);
    // (a session that would still be running now is moved back a little, hence the tolerance)
    starts.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(Math.max(...starts.slice(0, i + 1)) - 3_600_000));
  });

  it('retries 503 and 429 after Retry-After with the same event ids', async () => {
    script = (_r, n) => (n === 1 ? { status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 'TRACK_QUEUE_FULL', message: 'full' } } } : n === 2 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 202 });
    const summary = await runSimulation(options({ visitors: 1, rejectFraction: 0 }), quiet);
    expect(summary.ok).toBe(true);
    expect(summary.retries).toBe(2);
    expect(received[0]!.body.events.map((e) => e.event_id)).toEqual(received[2]!.body.events.map((e) => e.event_id));
    expect(summary.accepted).toBe(summary.eventsSent);
  });

  it('counts per-event rejections and drops, and fails the run on a refused batch', async () => {
    script = (r, n) => n === 1
      ? { status: 400, body: { error: { code: 'TRACK_BAD_EVENT', message: 'No event was accepted' } } }
      : { status: 202, body: { accepted: r.body.events.length - 1, rejected: [{ index: 0, code: 'TRACK_TIMESTAMP_OUT_OF_RANGE', message: 'too old' }], dropped: { consent: 0, bot: 0 }, server_time: 0 } };
    const lines: string[] = [];
    const summary = await runSimulation(options({ visitors: 2, rejectFraction: 0 }), (l) => lines.push(l));
    expect(summary.ok).toBe(false);
    expect(summary.failedBatches).toBe(1);
    expect(summary.failures['400 TRACK_BAD_EVENT']).toBe(1);
    expect(summary.rejectedByCode.TRACK_TIMESTAMP_OUT_OF_RANGE).toBe(received.length - 1);
    expect(lines.join('\n')).toMatch(/rejected .*TRACK_TIMESTAMP_OUT_OF_RANGE/);
  });

  it('stops early when the server cannot be reached, instead of failing batch after batch', async () => {
    const lines: string[] = [];
    const summary = await runSimulation(options({ url: 'http://127.0.0.1:1', visitors: 50, days: 3, apiKey: 'ak_x', retry: { attempts: 2, baseDelayMs: 1 }, concurrency: 2 }), (l) => lines.push(l));
    expect(summary.ok).toBe(false);
    expect(summary.errors).toBeGreaterThanOrEqual(3);
    expect(summary.aborted).toMatch(/cannot reach/);
    expect(summary.requests).toBeLessThan(20);
    expect(lines.join('\n')).toMatch(/Stopped early/);
  });

  it('stops early when the server refuses the site from the start', async () => {
    script = () => ({ status: 403, body: { error: { code: 'TRACK_ORIGIN_NOT_ALLOWED', message: 'nope' } } });
    const summary = await runSimulation(options({ visitors: 50, days: 1, apiKey: 'ak_x', concurrency: 1 }), quiet);
    expect(summary.ok).toBe(false);
    expect(summary.failures['403 TRACK_ORIGIN_NOT_ALLOWED']).toBe(3);
    expect(summary.aborted).toMatch(/refuses every batch/);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs(null, 0)).toBe(1000);
    expect(retryAfterMs(new Date(5000).toUTCString(), 0)).toBe(5000);
    expect(retryAfterMs('9999', 0)).toBe(30_000);
  });
});
