// Scale mode end to end with the real binary: two API nodes publish to NATS JetStream, one
// worker writes to PostgreSQL. The worker is SIGKILLed mid-stream and restarted; every event
// acknowledged with 202 must end up stored exactly once, and sessions counted exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connect, type NatsConnection } from 'nats';
import { openPostgres } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createScratchDatabase, TEST_DATABASE_URL, TEST_NATS_URL, TEST_SECRETS, SITE_ORIGIN as ORIGIN, BROWSER_UA as UA } from './helpers.js';
import { freePort, killAll, spawnAugur, stopProcess, waitReady, type Spawned } from './processes.js';

const REQUESTS = 300;
const EVENTS_PER_REQUEST = 20;
const N = REQUESTS * EVENTS_PER_REQUEST;
const SESSIONS = 30;
const CONCURRENCY = 6;
const KILL_AFTER_ACKS = 100;
const RESTART_AFTER_ACKS = 200;

const skipReason = !TEST_DATABASE_URL || !TEST_NATS_URL ? 'set TEST_DATABASE_URL and TEST_NATS_URL' : undefined;
const suite = skipReason ? describe.skip : describe;

// The machine's NATS is shared with other test runs: a stream of our own (QUEUE_STREAM), never
// AUGUR_EVENTS. Its subjects are the name in lower case; it is deleted afterwards.
const STREAM = `AUGUR_T_${crypto.randomBytes(5).toString('hex').toUpperCase()}`;

let dataDir = '';
let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
let db: pg.Client | undefined;
let nc: NatsConnection | undefined;

afterAll(async () => {
  await killAll();
  if (nc) {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(STREAM).catch(() => {});
    await nc.close();
  }
  await db?.end();
  await scratch?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function startRole(role: 'api' | 'worker', env: Record<string, string>): Spawned {
  return spawnAugur(['serve', '--role', role], {
    DATABASE_URL: scratch!.url,
    QUEUE_URL: TEST_NATS_URL!,
    QUEUE_STREAM: STREAM,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    DEMO_SITE: 'false',
    LOG_LEVEL: 'warn',
    INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    // What a killed worker had pulled comes back after ack_wait, and this test waits for it (see the
    // deadline below): shorter than the default keeps the test short.
    QUEUE_ACK_WAIT_MS: '5000',
    ...TEST_SECRETS,
    ...env,
  });
}

async function startApi(): Promise<Spawned & { port: number }> {
  const port = await freePort();
  const p = startRole('api', { PORT: String(port) });
  await waitReady(p, port, 'API node', 45_000);
  return { ...p, port };
}

async function startWorker(): Promise<Spawned> {
  const p = startRole('worker', { PORT: '0' });
  await waitReady(p, () => p.output().includes('Augur worker is consuming events'), 'worker', 45_000);
  return p;
}

const count = async (query: string, params: unknown[] = []) => Number((await db!.query<{ n: string }>(query, params)).rows[0]!.n);

suite(`JetStream pipeline: 2 API nodes + a worker killed mid-stream${skipReason ? ` [SKIPPED: ${skipReason}]` : ''}`, () => {
  let siteKey = '';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-nats-'));
    scratch = await createScratchDatabase();
    const handle = openPostgres({ url: scratch.url, poolMax: 2 });
    try {
      await migrate(handle);
    } finally {
      await handle.close();
    }
    db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    siteKey = `pk_${crypto.randomBytes(12).toString('hex')}`;
    await db.query('INSERT INTO sites (name, allowed_origins, public_key) VALUES ($1, $2, $3)', ['NATS pipeline test', [ORIGIN], siteKey]);
    const u = new URL(TEST_NATS_URL!);
    nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, user: u.username || undefined, pass: u.password || undefined, name: 'augur-test' });
  });

  it('stores every acknowledged event exactly once across a worker crash and restart', { timeout: 150_000 }, async () => {
    const t0 = Date.now();
    // API nodes first: they create the stream and the durable consumer.
    const apis = await Promise.all([startApi(), startApi()]);
    let worker = await startWorker();
    const jsm = await nc!.jetstreamManager();
    expect((await jsm.streams.info(STREAM)).config.subjects).toEqual([`${STREAM.toLowerCase()}.>`]);

    // One body per request, built once: a retry resends the very same event ids.
    const eventIds: string[] = [];
    const bodies = Array.from({ length: REQUESTS }, (_, i) => {
      const now = Date.now();
      const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, j) => {
        const event_id = crypto.randomUUID();
        eventIds.push(event_id);
        return { event_id, type: 'page_view', ts: now - 1000 + j, url: `${ORIGIN}/p/${(i * EVENTS_PER_REQUEST + j) % 97}` };
      });
      const s = String(i % SESSIONS).padStart(3, '0');
      return JSON.stringify({ site: siteKey, visitor_id: `visitor_${s}`, session_id: `session_${s}`, consent: { analytics: true }, sent_at: now, events });
    });

    let acked = 0;
    let ackedEvents = 0;
    let ackedWhileWorkerDown = 0;
    let retries = 0;
    let workerDown = false;
    let outage: Promise<void> | undefined;
    let heldInStream = -1;

    // The worker dies with SIGKILL once a third is acknowledged and comes back at two thirds,
    // while requests keep flowing to both API nodes.
    // Only a request sent after the kill is known to have been published while no worker ran.
    const onAck = (events: number, sentWhileDown: boolean) => {
      acked += 1;
      ackedEvents += events;
      if (sentWhileDown && workerDown) ackedWhileWorkerDown += 1;
      if (acked === KILL_AFTER_ACKS) {
        workerDown = true;
        worker.proc.kill('SIGKILL');
      }
      if (acked === RESTART_AFTER_ACKS) {
        outage = (async () => {
          await worker.exited;
          // While no worker runs, JetStream holds what the API nodes acknowledged.
          const outageMessages = ackedWhileWorkerDown;
          heldInStream = Number((await jsm.streams.info(STREAM)).state.messages);
          workerDown = false;
          expect(heldInStream).toBeGreaterThanOrEqual(outageMessages);
          worker = await startWorker();
        })();
      }
    };

    /** Posts request i's body to API node `node` until it is acknowledged; returns the answer's accepted count. */
    async function post(i: number, node: number, onSent: (sentWhileDown: boolean) => void = () => {}): Promise<number> {
      const port = apis[node % 2]!.port;
      for (let attempt = 0; ; attempt++) {
        const sentWhileDown = workerDown;
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/track/event`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': UA },
          body: bodies[i],
        });
        const text = await res.text();
        if (res.status === 202) {
          const answer = JSON.parse(text) as { accepted: number; rejected: unknown[] };
          expect(answer.rejected).toEqual([]);
          expect(answer.accepted).toBe(EVENTS_PER_REQUEST);
          onSent(sentWhileDown);
          return answer.accepted;
        }
        // The protocol: 503 (and 429) mean "retry later with the same event ids".
        if ((res.status === 503 || res.status === 429) && attempt < 200) {
          retries += 1;
          const after = Number(res.headers.get('retry-after') ?? '1');
          await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(after) ? after * 1000 : 1000, 1000)));
          continue;
        }
        throw new Error(`request ${i} to :${port} answered ${res.status}: ${text}`);
      }
    }
    const send = async (i: number) => {
      let down = false;
      const accepted = await post(i, i, (d) => { down = d; });
      onAck(accepted, down);
    };

    let next = 0;
    const sendStart = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) await send(next++);
    }));
    await outage;
    // A tracker whose answer got lost resends the same events, possibly to another node: every
    // 15th request again, to the other API node. JetStream then carries duplicates to the worker.
    const resent = Array.from({ length: REQUESTS / 15 }, (_, k) => k * 15);
    await Promise.all(resent.map((i) => post(i, i + 1)));
    const sendMs = Date.now() - sendStart;

    expect(acked).toBe(REQUESTS);
    expect(ackedEvents).toBe(N);
    // The API nodes kept acknowledging while no worker was running.
    expect(ackedWhileWorkerDown).toBeGreaterThan(0);

    // Messages the killed worker had pulled but not acked come back after the consumer's
    // ack_wait, so the deadline allows for that.
    const consumers = await jsm.consumers.list(STREAM).next();
    expect(consumers.length).toBe(1);
    const ackWaitMs = Number(consumers[0]!.config.ack_wait ?? 0) / 1e6;
    const deadline = Date.now() + ackWaitMs + 30_000;
    let stored = 0;
    while ((stored = await count('SELECT count(*) AS n FROM user_events')) < N && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainedMs = Date.now() - sendStart - sendMs;
    expect(stored, `stored rows after the deadline (worker output: ${worker.output()})`).toBe(N);
    // Redeliveries still in flight would show up as more rows: give them time, then be exact.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await count('SELECT count(*) AS n FROM user_events')).toBe(N);
    expect(await count('SELECT count(DISTINCT event_id) AS n FROM user_events')).toBe(N);
    expect(await count('SELECT count(*) AS n FROM user_events WHERE event_id = ANY($1::uuid[])', [eventIds])).toBe(N);
    expect(await count('SELECT count(*) AS n FROM user_sessions')).toBe(SESSIONS);
    expect(await count('SELECT coalesce(sum(event_count), 0) AS n FROM user_sessions')).toBe(N);
    expect(await count('SELECT coalesce(sum(page_count), 0) AS n FROM user_sessions')).toBe(N);
    // Work-queue retention: everything was acked after commit, so nothing is left in the stream.
    expect(Number((await jsm.streams.info(STREAM)).state.messages)).toBe(0);

    console.log(`[pipeline-nats] ${N} events in ${REQUESTS} requests, ${retries} retries, sent in ${sendMs} ms, ` +
      `${resent.length} resent, ${ackedWhileWorkerDown} requests acked while the worker was down (${heldInStream} messages held), ` +
      `stored ${drainedMs} ms after the last ack (ack_wait ${ackWaitMs} ms), total ${Date.now() - t0} ms`);

    await Promise.all([...apis, worker].map((p) => stopProcess(p)));
  });
});
