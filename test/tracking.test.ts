// The ingest API end to end on each backend: validation, consent, bots, idempotency, sessions.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend, startAppWithSite, type TestApp, SITE_ORIGIN as ORIGIN, BROWSER_UA as UA } from './helpers.js';


describeEachBackend('tracking ingest', (backend) => {
  let t: TestApp;
  let site: { id: string; public_key: string };
  let auth: Record<string, string>;
  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    t = s.t;
    site = s.site;
    auth = s.op.auth;
  });
  afterAll(() => t?.close());

  const now = () => t.clock.now();
  const event = (type: string, data: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    event_id: crypto.randomUUID(),
    type,
    ts: now(),
    url: `${ORIGIN}/products/42?utm_source=news&email=a@b.c#reviews`,
    data,
    ...extra,
  });
  const send = (body: Record<string, unknown>, headers: Record<string, string> = {}, url = '/api/v1/track/event') =>
    t.app.inject({ method: 'POST', url, headers: { origin: ORIGIN, 'user-agent': UA, 'content-type': 'text/plain', ...headers }, payload: JSON.stringify({ site: site.public_key, sent_at: now(), ...body }) });
  const consented = { analytics: true, marketing: false, personalization: true };

  it('stores a consented batch and builds the session', async () => {
    const events = [event('page_view', { title: 'Shoes', referrer: 'https://www.google.com/search?q=x' }), event('click', { tag: 'button', text: 'Add to cart', augur: { action: 'add-to-cart' } }), event('scroll', { depth: 50 })];
    const res = await send({ visitor_id: 'visitor_abc123', session_id: 'session_abc123', consent: consented, events, context: { language: 'de-DE', timezone: 'Europe/Berlin', screen_w: 1920, screen_h: 1080 } });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 3, rejected: [], dropped: { consent: 0, bot: 0 } });
    const s = await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/sessions/session_abc123`, headers: auth });
    expect(s.statusCode, s.body).toBe(200);
    const { session, events: stored } = s.json();
    expect(session).toMatchObject({ visitor_id: 'visitor_abc123', page_count: 1, event_count: 3, entry_page: `${ORIGIN}/products/42`, referrer: 'https://www.google.com/search', utm: { source: 'news' }, device_type: 'desktop', browser: 'Chrome', os: 'Windows', language: 'de-DE', cookieless: false });
    expect(stored.map((e: { event_type: string }) => e.event_type).sort()).toEqual(['click', 'page_view', 'scroll']);
    // The query string (here with an email) is never stored; UTM survives as a field.
    expect(JSON.stringify(stored)).not.toContain('a@b.c');
  });

  it('is idempotent on event_id: a retried batch adds no rows and no counts', async () => {
    const events = [event('page_view'), event('page_view')];
    const body = { visitor_id: 'visitor_retry1', session_id: 'session_retry1', consent: consented, events };
    expect((await send(body)).statusCode).toBe(202);
    expect((await send(body)).statusCode).toBe(202);
    const s = (await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/sessions/session_retry1`, headers: auth })).json();
    expect(s.session.page_count).toBe(2);
    expect(s.events).toHaveLength(2);
  });

  it('rejects bad events by index and keeps the good ones', async () => {
    const good = event('page_view');
    const res = await send({ visitor_id: 'visitor_mixed1', session_id: 'session_mixed1', consent: consented, events: [good, { ...event('scroll', { depth: 33 }) }, { type: 'nope' }, event('page_view', {}, { ts: now() + 3_600_000 })] });
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([[1, 'TRACK_BAD_EVENT'], [2, 'TRACK_BAD_EVENT'], [3, 'TRACK_TIMESTAMP_OUT_OF_RANGE']]);
  });

  it('answers 400 with per-event reasons when nothing is valid', async () => {
    const res = await send({ events: [{ type: 'click', event_id: 'x' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('TRACK_BAD_EVENT');
    expect(res.json().error.details[0]).toMatchObject({ index: 0, code: 'TRACK_BAD_EVENT' });
  });

  it('without consent keeps only cookieless page views, under a daily hash instead of the client ids', async () => {
    const res = await send({ visitor_id: 'visitor_noconsent', session_id: 'session_noconsent', events: [event('page_view'), event('click', { tag: 'a' })] }, { 'x-forwarded-for': '203.0.113.9' });
    expect(res.json()).toMatchObject({ accepted: 1, dropped: { consent: 1 } });
    const list = (await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/sessions?limit=100`, headers: auth })).json();
    expect(list.sessions.some((s: { visitor_id: string }) => s.visitor_id === 'visitor_noconsent')).toBe(false);
    const cookieless = list.sessions.filter((s: { cookieless: boolean }) => s.cookieless);
    expect(cookieless.length).toBeGreaterThan(0);
    expect(cookieless[0].visitor_id).toMatch(/^c_[A-Za-z0-9_-]{22}$/);
  });

  it('drops bots and counts them', async () => {
    const res = await send({ consent: consented, visitor_id: 'visitor_bot1', session_id: 'session_bot1', events: [event('page_view')] }, { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' });
    expect(res.json()).toMatchObject({ accepted: 0, dropped: { bot: 1 } });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/track_events_total\{outcome="dropped_bot"\} 1/);
  });

  it('refuses unknown origins and unknown site keys', async () => {
    const refused = await send({ events: [event('page_view')] }, { origin: 'https://evil.example' });
    expect(refused.json().error.code).toBe('TRACK_ORIGIN_NOT_ALLOWED');
    // Readable by the page, so its tracker stops instead of retrying a network error.
    expect(refused.headers['access-control-allow-origin']).toBe('https://evil.example');
    const res = await t.app.inject({ method: 'POST', url: '/api/track/event', headers: { origin: ORIGIN, 'content-type': 'application/json' }, payload: { site: 'pk_unknownunknown', sent_at: now(), events: [event('page_view')] } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('TRACK_UNKNOWN_SITE');
  });
});
