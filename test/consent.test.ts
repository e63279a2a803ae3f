// The consent API and its enforcement on ingest: a recorded decision binds the server.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invalidateSiteCache } from '../src/sites/index.js';
import { describeEachBackend, startAppWithSite, type TestApp, SITE_ORIGIN as ORIGIN, BROWSER_UA as UA } from './helpers.js';


describeEachBackend('consent', (backend) => {
  let t: TestApp;
  let site: { id: string; public_key: string };
  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    t = s.t;
    site = s.site;
  });
  afterAll(() => t?.close());

  const decide = (visitor: string, categories: Record<string, boolean>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/privacy/consent', headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA, ...headers }, remoteAddress: '203.0.113.77', payload: JSON.stringify({ site: site.public_key, visitor_id: visitor, categories, policy_version: '2026-11' }) });
  const state = (visitor: string) => t.app.inject({ method: 'GET', url: `/api/v1/privacy/consent?site=${site.public_key}&visitor_id=${visitor}`, headers: { origin: ORIGIN } });
  const track = (visitor: string, claim: Record<string, boolean>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/track/event',
      headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA },
      payload: JSON.stringify({ site: site.public_key, sent_at: t.clock.now(), visitor_id: visitor, session_id: `s_${visitor}`, consent: claim, events: [{ event_id: crypto.randomUUID(), type: 'click', ts: t.clock.now(), url: `${ORIGIN}/`, data: { tag: 'a' } }] }),
    });

  it('records decisions append-only and answers the latest, with a truncated IP only', async () => {
    expect((await state('visitor_new01')).json()).toMatchObject({ categories: { necessary: true, analytics: false, marketing: false, personalization: false }, recorded_at: null });
    const first = await decide('visitor_c0001', { analytics: true, marketing: true, personalization: false });
    expect(first.statusCode, first.body).toBe(201);
    t.clock.advance(1000);
    await decide('visitor_c0001', { analytics: true, marketing: false, personalization: false });
    expect((await state('visitor_c0001')).json()).toMatchObject({ categories: { analytics: true, marketing: false }, policy_version: '2026-11' });
    const rows = await t.ctx.db.selectFrom('consent_records').selectAll().where('visitor_id', '=', 'visitor_c0001').orderBy('id').execute();
    expect(rows.map((r) => r.categories.marketing)).toEqual([true, false]);
    expect(rows[0]!.ip_prefix).toBe('203.0.113.0');
    // Each decision is in the audit log, chained.
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'subject', 'site_id']).where('subject', '=', 'visitor:visitor_c0001').orderBy('id').execute();
    expect(audit).toEqual([0, 1].map(() => ({ action: 'consent.changed', subject: 'visitor:visitor_c0001', site_id: site.id })));
  });

  it('drops events a recorded decision refuses, even when the page claims consent', async () => {
    await decide('visitor_c0002', { analytics: false, marketing: false, personalization: false });
    const res = await track('visitor_c0002', { analytics: true });
    expect(res.json()).toMatchObject({ accepted: 0, dropped: { consent: 1 } });
    // Consent given again: accepted at once on this node (the cache was updated).
    await decide('visitor_c0002', { analytics: true, marketing: false, personalization: false });
    expect((await track('visitor_c0002', { analytics: true })).json()).toMatchObject({ accepted: 1 });
    // And a page that stopped claiming consent is not overruled by an older "yes".
    expect((await track('visitor_c0002', { analytics: false })).json()).toMatchObject({ accepted: 0, dropped: { consent: 1 } });
  });

  it('refuses another origin, an unknown site and malformed decisions', async () => {
    expect((await decide('visitor_c0003', { analytics: true, marketing: false, personalization: false }, { origin: 'https://evil.example' })).json().error.code).toBe('TRACK_ORIGIN_NOT_ALLOWED');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/privacy/consent', headers: { origin: ORIGIN }, payload: { site: site.public_key, visitor_id: 'visitor_c0003', categories: { analytics: 'yes' }, policy_version: '1' } });
    expect(bad.statusCode).toBe(400);
    expect(await t.ctx.db.selectFrom('consent_records').select('id').where('visitor_id', '=', 'visitor_c0003').execute()).toEqual([]);
  });

  it("serves the banner's configuration from the site's settings, to allowed origins only", async () => {
    const banner = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: `/api/v1/privacy/banner?site=${site.public_key}`, headers });
    expect((await banner({ origin: ORIGIN })).json()).toEqual({ policy_version: '1', policy_url: null, texts: {} });
    await t.ctx.db
      .updateTable('sites')
      .set({ settings: JSON.stringify({ privacy: { policy_version: '2026-11', policy_url: 'https://shop.example.com/privacy', texts: { fr: { title: 'Confidentialité' } } } }) })
      .where('id', '=', site.id)
      .execute();
    invalidateSiteCache(t.ctx);
    // A page of the same origin sends no Origin on a GET; its Referer stands in.
    const res = await banner({ referer: `${ORIGIN}/shop` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ policy_version: '2026-11', policy_url: 'https://shop.example.com/privacy', texts: { fr: { title: 'Confidentialité' } } });
    expect((await banner({ origin: 'https://evil.example' })).json().error.code).toBe('TRACK_ORIGIN_NOT_ALLOWED');
    expect((await banner({ referer: 'https://evil.example/' })).statusCode).toBe(403);
  });
});
