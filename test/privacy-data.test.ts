// Operator-initiated export and erasure of a data subject: complete for the subject, nothing of anyone else,
// one transaction, audited, and the audit chain still verifies afterwards.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../src/audit/log.js';
import { recordedConsent } from '../src/privacy/index.js';
import { SUBJECT_TABLES } from '../src/privacy/personal-data.js';
import { createSite, describeEachBackend, signUp, startAppWithSite, type TestApp, SITE_ORIGIN as ORIGIN, BROWSER_UA as UA } from './helpers.js';

const A = 'visitor_subjA1';
const B = 'visitor_subjB1';
const A2 = 'visitor_subjA2';

describeEachBackend('privacy data export and erasure', (backend) => {
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

  const decide = (visitor: string, customerId?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/consent',
      headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA },
      remoteAddress: '203.0.113.77',
      payload: JSON.stringify({ site: site.public_key, visitor_id: visitor, ...(customerId ? { customer_id: customerId } : {}), categories: { analytics: true, marketing: false, personalization: false }, policy_version: '1' }),
    });
  const track = (visitor: string, events: { type: string; data?: Record<string, unknown>; path?: string }[], session = `s_${visitor}`) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/track/event',
      headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA },
      payload: JSON.stringify({
        site: site.public_key,
        sent_at: t.clock.now(),
        visitor_id: visitor,
        session_id: session,
        consent: { analytics: true },
        events: events.map((e, i) => ({ event_id: crypto.randomUUID(), type: e.type, ts: t.clock.now() + i, url: `${ORIGIN}${e.path ?? '/'}`, ...(e.data ? { data: e.data } : {}) })),
      }),
    });
  const dataUrl = (query: string, siteId = site.id) => `/api/v1/sites/${siteId}/privacy/data?${query}`;
  const rowsFor = async (visitor: string) => {
    const out: Record<string, number> = {};
    for (const { table, subjectColumn, siteColumn } of SUBJECT_TABLES) {
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(siteColumn)} = ${site.id} and ${sql.ref(subjectColumn)} = ${visitor}`.execute(t.ctx.db);
      out[table] = Number(r.rows[0]!.n);
    }
    return out;
  };

  it('sets up two visitors with consent, events and sessions', async () => {
    for (const v of [A, B]) {
      expect((await decide(v)).statusCode).toBe(201);
      const res = await track(v, [{ type: 'page_view', path: `/${v}` }, { type: 'click', data: { tag: 'a' }, path: `/${v}` }]);
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toMatchObject({ accepted: 2 });
    }
    expect(await rowsFor(A)).toEqual({ user_events: 2, user_sessions: 1, consent_records: 1, intent_predictions: 0 });
    expect(await rowsFor(B)).toEqual({ user_events: 2, user_sessions: 1, consent_records: 1, intent_predictions: 0 });
  });

  it('exports one visitor as a streamed attachment, with nothing of another visitor, and audits it', async () => {
    const res = await t.app.inject({ method: 'GET', url: dataUrl(`visitor_id=${A}&reason=Subject%20access%20request%20%2342`), headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="augur-subject-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.json();
    expect(body.subject).toEqual({ visitor_ids: [A] });
    expect(typeof body.generated_at).toBe('string');
    expect(body.sessions).toHaveLength(1);
    expect(body.sessions[0]).toMatchObject({ session_id: `s_${A}`, visitor_id: A });
    expect(body.events).toHaveLength(2);
    expect(body.events.map((e: { event_type: string }) => e.event_type).sort()).toEqual(['click', 'page_view']);
    expect(body.consent).toHaveLength(1);
    expect(body.consent[0]).toMatchObject({ visitor_id: A, ip_prefix: '203.0.113.0' });
    expect(body.audit.map((e: { action: string }) => e.action)).toEqual(['consent.changed', 'privacy.exported']);
    expect(res.body).not.toContain(B);
    const entry = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'privacy.exported').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ site_id: site.id, subject: `visitor:${A}` });
    expect(entry.details).toMatchObject({ reason: 'Subject access request #42', by: 'visitor_id', visitors: 1 });
  });

  it('pages through more than one page of events', async () => {
    // A batch holds at most 100 events.
    const many = Array.from({ length: 100 }, () => ({ type: 'click', data: { tag: 'button' } }));
    for (let i = 0; i < 11; i += 1) {
      const res = await track(A2, many);
      expect(res.statusCode, res.body).toBe(202);
      t.clock.advance(1000);
    }
    const stored = Number((await sql<{ n: number }>`select count(*)::int as n from user_events where visitor_id = ${A2}`.execute(t.ctx.db)).rows[0]!.n);
    expect(stored).toBeGreaterThan(1000);
    const res = await t.app.inject({ method: 'GET', url: dataUrl(`visitor_id=${A2}&reason=paging`), headers: auth });
    const ids = (res.json().events as { event_id: string }[]).map((e) => e.event_id);
    expect(ids).toHaveLength(stored);
    expect(new Set(ids).size).toBe(stored);
  });

  it('refuses without a reason or a subject, to members without the right and to other sites', async () => {
    expect((await t.app.inject({ method: 'GET', url: dataUrl(`visitor_id=${A}`), headers: auth })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'DELETE', url: dataUrl(`visitor_id=${A}&reason=no`), headers: auth })).statusCode).toBe(400);
    const neither = await t.app.inject({ method: 'DELETE', url: dataUrl('reason=because'), headers: auth });
    expect(neither.statusCode).toBe(400);
    expect(neither.json().error.code).toBe('PRIVACY_SUBJECT_REQUIRED');
    const both = await t.app.inject({ method: 'GET', url: dataUrl(`visitor_id=${A}&customer_id=c1&reason=because`), headers: auth });
    expect(both.json().error.code).toBe('PRIVACY_SUBJECT_REQUIRED');

    const analyst = await signUp(t.app);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/sites/${site.id}/members`, headers: auth, payload: { email: analyst.email, role: 'analyst' } })).statusCode).toBeLessThan(300);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: dataUrl(`visitor_id=${A}&reason=curious`), headers: analyst.auth });
      expect(res.statusCode, res.body).toBe(403);
    }

    const stranger = await signUp(t.app);
    const strangerSite = await createSite(t.app, stranger.auth, { name: 'Other' });
    for (const method of ['GET', 'DELETE'] as const) {
      expect((await t.app.inject({ method, url: dataUrl(`visitor_id=${A}&reason=curious`), headers: stranger.auth })).statusCode).toBe(404);
      // Their own site has nothing of A: an empty export, a zero erasure, and A's data untouched.
      const own = await t.app.inject({ method, url: dataUrl(`visitor_id=${A}&reason=curious`, strangerSite.id), headers: stranger.auth });
      expect(own.statusCode, own.body).toBe(200);
    }
    expect(await rowsFor(A)).toEqual({ user_events: 2, user_sessions: 1, consent_records: 1, intent_predictions: 0 });
  });

  it('erases one visitor everywhere in the registry, keeps the other, audits with a receipt and keeps the chain valid', async () => {
    expect(await recordedConsent(t.ctx, site.id, A)).toMatchObject({ analytics: true });
    const res = await t.app.inject({ method: 'DELETE', url: dataUrl(`visitor_id=${A}&reason=Erasure%20request`), headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    const receipt = res.json();
    expect(receipt).toEqual({ receipt_id: expect.stringMatching(/^[0-9a-f-]{36}$/), erased: { events: 2, sessions: 1, consent_records: 1, intent_predictions: 0 } });
    expect(await rowsFor(A)).toEqual({ user_events: 0, user_sessions: 0, consent_records: 0, intent_predictions: 0 });
    expect(await rowsFor(B)).toEqual({ user_events: 2, user_sessions: 1, consent_records: 1, intent_predictions: 0 });
    // The cached decision is gone too.
    expect(await recordedConsent(t.ctx, site.id, A)).toBeNull();
    const entry = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'privacy.erased').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ site_id: site.id, subject: `visitor:${A}` });
    expect(entry.details).toMatchObject({ receipt_id: receipt.receipt_id, erased: receipt.erased });
    expect(await verifyAudit(t.ctx.db)).toMatchObject({ ok: true });
    // A second erasure finds nothing.
    expect((await t.app.inject({ method: 'DELETE', url: dataUrl(`visitor_id=${A}&reason=again`), headers: auth })).json().erased).toEqual({ events: 0, sessions: 0, consent_records: 0, intent_predictions: 0 });
  });

  it('resolves a customer id to every visitor seen with it, on this site only', async () => {
    const C1 = 'visitor_cust01';
    const C2 = 'visitor_cust02';
    // C1 identified itself in a session; C2 recorded consent with the customer id.
    await decide(C1);
    expect((await track(C1, [{ type: 'page_view' }, { type: 'identify', data: { customer_id: 'cust-77' } }])).json()).toMatchObject({ accepted: 2 });
    await decide(C2, 'cust-77');
    expect((await track(C2, [{ type: 'page_view' }])).json()).toMatchObject({ accepted: 1 });
    // The same customer id on another site is someone else.
    const other = await createSite(t.app, auth, { name: 'Sister site' });
    await t.ctx.db.insertInto('consent_records').values({ site_id: other.id, visitor_id: 'visitor_elsewhere', customer_id: 'cust-77', categories: JSON.stringify({ analytics: true }), policy_version: '1', source: 'api', ip_prefix: null }).execute();

    const exported = await t.app.inject({ method: 'GET', url: dataUrl('customer_id=cust-77&reason=access%20request'), headers: auth });
    expect(exported.statusCode, exported.body).toBe(200);
    const body = exported.json();
    expect(body.subject).toEqual({ visitor_ids: [C1, C2], customer_id: 'cust-77' });
    expect(body.sessions).toHaveLength(2);
    expect(body.events).toHaveLength(3);
    expect(body.consent).toHaveLength(2);
    expect(exported.body).not.toContain('visitor_elsewhere');
    expect(exported.body).not.toContain(B);

    const erased = await t.app.inject({ method: 'DELETE', url: `/api/privacy/data?site_id=${site.id}&customer_id=cust-77&reason=erasure%20request`, headers: auth });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().erased).toEqual({ events: 3, sessions: 2, consent_records: 2, intent_predictions: 0 });
    for (const v of [C1, C2]) expect(await rowsFor(v)).toEqual({ user_events: 0, user_sessions: 0, consent_records: 0, intent_predictions: 0 });
    expect(await t.ctx.db.selectFrom('consent_records').select('id').where('site_id', '=', other.id).execute()).toHaveLength(1);
    expect(await rowsFor(B)).toEqual({ user_events: 2, user_sessions: 1, consent_records: 1, intent_predictions: 0 });
    // The customer id itself is never written to the audit log.
    const audit = await t.ctx.db.selectFrom('audit_log').select(['subject', 'details']).where('action', 'in', ['privacy.erased', 'privacy.exported']).execute();
    expect(JSON.stringify(audit)).not.toContain('cust-77');
    expect(await verifyAudit(t.ctx.db)).toMatchObject({ ok: true });
  });

  it('exports and erases the events of the subject’s sessions filed under another visitor id, and only those', async () => {
    const S = 'visitor_sessA1';
    const X = 'visitor_sessX1';
    const eventsOf = async (visitor: string) => {
      const r = await sql<{ session_id: string; n: number }>`select session_id, count(*)::int as n from user_events where site_id = ${site.id} and visitor_id = ${visitor} group by 1 order by 1`.execute(t.ctx.db);
      return Object.fromEntries(r.rows.map((row) => [row.session_id, Number(row.n)]));
    };
    const clicks = (n: number) => Array.from({ length: n }, () => ({ type: 'click', data: { tag: 'a' } }));
    expect((await track(S, clicks(2))).statusCode).toBe(202);
    // The subject's session continues under another visitor id (an id that changed mid-session), which also has a
    // session of its own. Erasure finds the first kind through the subject's session ids (subject-data.ts).
    expect((await track(X, clicks(3), `s_${S}`)).statusCode).toBe(202);
    expect((await track(X, clicks(4))).statusCode).toBe(202);
    expect(await eventsOf(X)).toEqual({ [`s_${S}`]: 3, [`s_${X}`]: 4 });

    const exported = await t.app.inject({ method: 'GET', url: dataUrl(`visitor_id=${S}&reason=access%20request`), headers: auth });
    const events = exported.json().events as { visitor_id: string; session_id: string }[];
    expect(events.map((e) => `${e.visitor_id}@${e.session_id}`).sort()).toEqual([...Array(2).fill(`${S}@s_${S}`), ...Array(3).fill(`${X}@s_${S}`)]);

    const erased = await t.app.inject({ method: 'DELETE', url: dataUrl(`visitor_id=${S}&reason=erasure%20request`), headers: auth });
    expect(erased.json().erased).toEqual({ events: 5, sessions: 1, consent_records: 0, intent_predictions: 0 });
    expect(await eventsOf(S)).toEqual({});
    expect(await eventsOf(X)).toEqual({ [`s_${X}`]: 4 });
  });
});
