// The pipeline under pressure and in motion: fuzzed bodies, backpressure, live pushes,
// cookieless sessions, month partitions, site deletion.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend, startAppWithSite, type TestApp, SITE_ORIGIN as ORIGIN, BROWSER_UA as UA } from './helpers.js';


describeEachBackend('tracking pipeline', (backend) => {
  let t: TestApp;
  let site: { id: string; public_key: string };
  let auth: Record<string, string>;
  beforeAll(async () => {
    const s = await startAppWithSite(backend, { TRACK_QUEUE_MAX_EVENTS: '100' });
    t = s.t;
    site = s.site;
    auth = s.op.auth;
  });
  afterAll(() => t?.close());

  const pageView = (ts = t.clock.now()) => ({ event_id: crypto.randomUUID(), type: 'page_view', ts, url: `${ORIGIN}/` });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/track/event', headers: { origin: ORIGIN, 'user-agent': UA, 'content-type': 'text/plain', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
  const eventCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from user_events`.execute(t.ctx.db)).rows[0]!.n);

  it('fuzz: any body gets 202 or a 4xx with a code, never a 500, and accepted events are exactly the rows added', async () => {
    const anyEvent = fc.record(
      {
        event_id: fc.oneof(fc.uuid(), fc.string()),
        type: fc.constantFrom('page_view', 'click', 'scroll', 'section', 'form', 'mouse', 'custom', 'identify', 'conversion', 'survey', 'bogus'),
        ts: fc.oneof(fc.constant(t.clock.now()), fc.integer({ min: -1, max: 2 ** 46 }), fc.double()),
        url: fc.oneof(fc.constant(`${ORIGIN}/p`), fc.webUrl(), fc.string()),
        data: fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('tag', 'depth', 'section', 'visible_ms', 'action', 'name', 'type', 'answer', 'question', 'customer_id', 'x'), fc.jsonValue({ maxDepth: 2 }))),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ site: fc.constant(site.public_key), sent_at: fc.constant(t.clock.now()), consent: fc.constant({ analytics: true }), visitor_id: fc.constant('visitor_fuzz1'), session_id: fc.constant('session_fuzz1'), events: fc.array(anyEvent, { minLength: 1, maxLength: 12 }) }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
        ),
        async (body) => {
          const before = await eventCount();
          const res = await post(body);
          expect(res.statusCode, res.body).not.toBe(500);
          if (res.statusCode === 202) {
            const answer = res.json();
            const total = typeof body === 'object' ? body.events.length : 0;
            expect(answer.accepted + answer.rejected.length + answer.dropped.consent + answer.dropped.bot).toBe(total);
            // Duplicate ids inside one random batch are stored once.
            expect(await eventCount()).toBeLessThanOrEqual(before + answer.accepted);
            expect(await eventCount()).toBeGreaterThan(before - 1);
          } else {
            expect(res.statusCode).toBeGreaterThanOrEqual(400);
            expect(res.statusCode).toBeLessThan(500);
            expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
            expect(await eventCount()).toBe(before);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers 503 with Retry-After when the queue is full, and stores everything it acknowledged', async () => {
    const before = await eventCount();
    const batch = () => ({ site: site.public_key, sent_at: t.clock.now(), consent: { analytics: true }, visitor_id: 'visitor_press', session_id: 'session_press', events: Array.from({ length: 20 }, () => pageView()) });
    // Warm the caches of the request path (the visitor's recorded consent), as a live server has them.
    expect((await post(batch())).statusCode).toBe(202);
    const warmed = await eventCount();
    // Hold the tables so the writer cannot commit; requests pile up in the bounded queue.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = t.ctx.db.transaction().execute(async (trx) => {
      await sql`lock table user_sessions in exclusive mode`.execute(trx);
      locked();
      await held;
    });
    await isLocked;
    const pending = Array.from({ length: 5 }, () => post(batch()));
    await new Promise((r) => setTimeout(r, 100));
    const refused = await post(batch());
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('TRACK_QUEUE_FULL');
    expect(refused.headers['retry-after']).toBe('1');
    release();
    await holder;
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202]);
    expect(warmed).toBe(before + 20);
    expect(await eventCount()).toBe(warmed + 100);
  });

  it('pushes stored events to live WebSocket subscribers, with the token offered as a subprotocol', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const token = auth.authorization!.slice('Bearer '.length);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/sites/${site.id}/live`, ['augur.live.v1', `bearer.${token}`]);
    const messages: { type: string; events?: { event_id: string }[] }[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    // The server picks the live protocol and never echoes the token back.
    expect(ws.protocol).toBe('augur.live.v1');
    const ev = pageView();
    expect((await post({ site: site.public_key, sent_at: t.clock.now(), consent: { analytics: true }, visitor_id: 'visitor_live', session_id: 'session_live', events: [ev] })).statusCode).toBe(202);
    for (let i = 0; i < 100 && !messages.some((m) => m.type === 'events'); i++) await new Promise((r) => setTimeout(r, 20));
    ws.terminate();
    expect(messages[0]).toMatchObject({ type: 'hello', site_id: site.id });
    expect(messages.find((m) => m.type === 'events')).toMatchObject({ session_id: 'session_live', events: [{ event_id: ev.event_id }] });
  });

  it('refuses the live socket to a caller without access, before the upgrade', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/live` });
    expect(res.statusCode).toBe(401);
  });

  it('continues a cookieless visitor\'s session within 30 minutes and starts a new one after', async () => {
    const send = (ts: number) => post({ site: site.public_key, sent_at: t.clock.now(), events: [pageView(ts)] }, { 'user-agent': `${UA} cookieless-test` });
    const start = t.clock.now();
    await send(start - 3_600_000);
    await send(start - 3_000_000); // 10 min later: same session
    await send(start - 60_000); // 49 min later: a new one
    const rows = await t.ctx.db.selectFrom('user_sessions').select(['session_id', 'page_count']).where('site_id', '=', site.id).where('cookieless', '=', true).where('start_time', '>=', new Date(start - 3_700_000)).orderBy('start_time').execute();
    expect(rows.map((r) => r.page_count)).toEqual([2, 1]);
  });

  it('creates month partitions on demand for backfilled events (API key)', async () => {
    const key = (await t.app.inject({ method: 'POST', url: `/api/v1/sites/${site.id}/api-keys`, headers: auth, payload: { name: 'backfill', role: 'analyst' } })).json().key as string;
    const old = pageView(t.clock.now() - 95 * 86_400_000);
    const res = await t.app.inject({ method: 'POST', url: '/api/track/event', headers: { 'x-api-key': key, 'user-agent': UA, 'content-type': 'application/json' }, payload: { site: site.public_key, sent_at: t.clock.now(), consent: { analytics: true }, visitor_id: 'visitor_old1', session_id: 'session_old1', events: [old] } });
    expect(res.json()).toMatchObject({ accepted: 1 });
    const parts = await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'user_events' order by 1`.execute(t.ctx.db);
    expect(parts.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['user_events_2026_02', 'user_events_2026_06']));
  });

  it('deleting a site deletes its events and sessions', async () => {
    await t.app.inject({ method: 'DELETE', url: `/api/v1/sites/${site.id}`, headers: auth });
    expect(await t.ctx.db.selectFrom('user_events').select('event_id').where('site_id', '=', site.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('user_sessions').select('session_id').where('site_id', '=', site.id).execute()).toEqual([]);
  });
});
