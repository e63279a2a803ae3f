// Subject-authenticated data rights: a visitor exports (JSON or a ZIP of CSVs) and erases their own data with the
// visitor token the consent API handed them. Forged, altered, expired, other-site and replayed tokens are refused,
// another site's subject is never reached, big exports stream, and the routes are rate-limited.
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { verifyAudit } from '../src/audit/log.js';
import { createSite, describeEachBackend, pgliteBackend, signUp, startApp, startAppWithSite, TEST_REDIS_URL, type TestApp, SITE_ORIGIN as ORIGIN, BROWSER_UA as UA } from './helpers.js';

const HEADER = 'x-augur-visitor-token';
const DAY = 24 * 3600 * 1000;

/** The entries of a ZIP archive, by name. */
function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => { files.set(entry.fileName, Buffer.concat(chunks)); zip.readEntry(); });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** RFC 4180: rows of cells, quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  if (cell !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

/** A CSV file of the export as objects keyed by its header; checks the BOM. */
function csvRecords(file: Buffer | undefined): Record<string, string>[] {
  expect(file).toBeDefined();
  const text = file!.toString('utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1));
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
}

describeEachBackend('subject data rights with a visitor token', (backend) => {
  let t: TestApp;
  let site: { id: string; public_key: string };
  let other: { id: string; public_key: string };
  let auth: Record<string, string>;
  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    t = s.t;
    site = s.site;
    auth = s.op.auth;
    const stranger = await signUp(t.app);
    other = await createSite(t.app, stranger.auth, { name: 'Another shop' });
  });
  afterAll(() => t?.close());

  let ipSeq = 0;
  // Each test from its own addresses, so the subject routes' per-IP limits belong to the rate-limit test only.
  const nextIp = () => `192.0.2.${(ipSeq += 1)}`;

  const decide = async (visitor: string, opts: { token?: string; siteKey?: string; analytics?: boolean } = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/privacy/consent',
      headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA },
      remoteAddress: '203.0.113.9',
      payload: JSON.stringify({
        site: opts.siteKey ?? site.public_key,
        visitor_id: visitor,
        categories: { analytics: opts.analytics ?? true, marketing: false, personalization: false },
        policy_version: '1',
        ...(opts.token ? { visitor_token: opts.token } : {}),
      }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { visitor_id: string; visitor_token?: string };
  };
  const track = async (visitor: string, events: { type: string; data?: Record<string, unknown>; url?: string }[], siteKey = site.public_key) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/track/event',
      headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA },
      payload: JSON.stringify({
        site: siteKey,
        sent_at: t.clock.now(),
        visitor_id: visitor,
        session_id: `s_${visitor}_${siteKey.slice(3, 9)}`,
        consent: { analytics: true },
        events: events.map((e, i) => ({ event_id: crypto.randomUUID(), type: e.type, ts: t.clock.now() + i, url: e.url ?? `${ORIGIN}/`, ...(e.data ? { data: e.data } : {}) })),
      }),
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().accepted).toBe(events.length);
  };
  const subject = (method: 'GET' | 'DELETE', token: string | undefined, query = '', ip = nextIp(), path = '/api/v1/privacy/data') =>
    t.app.inject({ method, url: `${path}${query ? `?${query}` : ''}`, headers: { ...(token === undefined ? {} : { [HEADER]: token }), origin: ORIGIN }, remoteAddress: ip });
  const count = async (table: 'user_events' | 'user_sessions' | 'consent_records', siteId: string, visitor: string) =>
    Number((await t.ctx.db.selectFrom(table).select(({ fn }) => fn.countAll<number>().as('n')).where('site_id', '=', siteId).where('visitor_id', '=', visitor).executeTakeFirstOrThrow()).n);

  it('hands out a token on a visitor id\'s first decision only, and a fresh one to the holder of a valid token', async () => {
    const first = await decide('visitor_tofu01');
    expect(first.visitor_token).toMatch(/^avt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    // Someone who merely knows the id gets nothing, whatever they decide.
    expect((await decide('visitor_tofu01', { analytics: false })).visitor_token).toBeUndefined();
    // Another visitor's token, a forged one, or this visitor's token from another site is no refresh.
    const stranger = (await decide('visitor_tofu02')).visitor_token!;
    expect((await decide('visitor_tofu01', { token: stranger })).visitor_token).toBeUndefined();
    expect((await decide('visitor_tofu01', { token: `${first.visitor_token!.slice(0, -2)}AA` })).visitor_token).toBeUndefined();
    const elsewhere = (await decide('visitor_tofu01', { siteKey: other.public_key })).visitor_token;
    expect(elsewhere).toBeDefined(); // the id's first decision on that site
    expect((await decide('visitor_tofu01', { token: elsewhere })).visitor_token).toBeUndefined();
    // The holder of the valid token gets a fresh one; both work.
    const refreshed = (await decide('visitor_tofu01', { token: first.visitor_token })).visitor_token;
    expect(refreshed).toMatch(/^avt1\./);
    expect(refreshed).not.toBe(first.visitor_token);
    for (const token of [first.visitor_token!, refreshed!]) expect((await subject('GET', token)).statusCode).toBe(200);
    // GET of the state never hands one out.
    const state = await t.app.inject({ method: 'GET', url: `/api/v1/privacy/consent?site=${site.public_key}&visitor_id=visitor_tofu01`, headers: { origin: ORIGIN } });
    expect(state.json()).not.toHaveProperty('visitor_token');
  });

  it('exports the visitor\'s own data as JSON, on both paths, audited as a data subject request', async () => {
    const token = (await decide('visitor_json01')).visitor_token!;
    await track('visitor_json01', [{ type: 'page_view' }, { type: 'click', data: { tag: 'a' } }]);
    await decide('visitor_json02');
    await track('visitor_json02', [{ type: 'page_view' }]);

    for (const path of ['/api/v1/privacy/data', '/api/privacy/data']) {
      const res = await subject('GET', token, '', nextIp(), path);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="augur-subject-data-\d{4}-\d{2}-\d{2}\.json"$/);
      // Readable by the page that asked, whatever its origin: the token, not a cookie, authorized it.
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      const body = res.json();
      expect(body.subject).toEqual({ visitor_ids: ['visitor_json01'] });
      expect(body.events.map((e: { event_type: string }) => e.event_type).sort()).toEqual(['click', 'page_view']);
      expect(body.sessions).toHaveLength(1);
      expect(body.consent).toHaveLength(1);
      expect(res.body).not.toContain('visitor_json02');
    }
    const entry = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'privacy.exported').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ site_id: site.id, actor: 'visitor:visitor_json01', subject: 'visitor:visitor_json01' });
    expect(entry.details).toMatchObject({ reason: 'data subject request', by: 'visitor_id' });
    // The alias takes no operator fields with a token: a visitor cannot aim at another subject or site.
    for (const q of ['visitor_id=visitor_json02', `site_id=${other.id}`, 'customer_id=c1', 'reason=because']) {
      const res = await subject('GET', token, q, nextIp(), '/api/privacy/data');
      expect(res.statusCode, q).toBe(400);
    }
    // The versioned path takes none either.
    expect((await subject('GET', token, 'visitor_id=visitor_json02')).statusCode).toBe(400);
  });

  it('exports a ZIP of CSVs: a README, one file per kind, BOM, RFC 4180 quoting, formulas neutralised, JSON as text', async () => {
    const token = (await decide('visitor_zip01')).visitor_token!;
    const campaign = '=HYPERLINK("http://evil.example","click, me")';
    await track('visitor_zip01', [
      { type: 'page_view', url: `${ORIGIN}/landing?utm_source=${encodeURIComponent(campaign)}&utm_medium=%2Bmail` },
      { type: 'click', data: { tag: 'button', text: 'Buy "now", please' } },
    ]);
    const res = await subject('GET', token, 'format=zip');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="augur-subject-data-\d{4}-\d{2}-\d{2}\.zip"$/);
    const files = await unzip(res.rawPayload);
    expect([...files.keys()].sort()).toEqual(['README.txt', 'audit.csv', 'consent.csv', 'events.csv', 'intent_predictions.csv', 'sessions.csv']);
    const readme = files.get('README.txt')!.toString('utf8');
    for (const name of ['sessions.csv', 'events.csv', 'consent.csv', 'audit.csv', 'visitor_zip01']) expect(readme).toContain(name);

    const sessions = csvRecords(files.get('sessions.csv'));
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ visitor_id: 'visitor_zip01', utm_source: `'${campaign}`, utm_medium: "'+mail", entry_page: `${ORIGIN}/landing` });
    const events = csvRecords(files.get('events.csv'));
    expect(events.map((e) => e.event_type).sort()).toEqual(['click', 'page_view']);
    const click = events.find((e) => e.event_type === 'click')!;
    expect(JSON.parse(click.event_data!)).toMatchObject({ tag: 'button', text: 'Buy "now", please' });
    expect(new Date(click.timestamp!).toISOString()).toBe(click.timestamp);
    const consent = csvRecords(files.get('consent.csv'));
    expect(consent).toHaveLength(1);
    expect(JSON.parse(consent[0]!.categories!)).toEqual({ analytics: true, marketing: false, personalization: false });
    const audit = csvRecords(files.get('audit.csv'));
    expect(audit.map((a) => a.action)).toEqual(['consent.changed', 'privacy.exported']);

    // The operator's export speaks ZIP too.
    const op = await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/privacy/data?visitor_id=visitor_zip01&reason=access%20request&format=zip`, headers: auth });
    expect(op.statusCode, op.body).toBe(200);
    expect(csvRecords((await unzip(op.rawPayload)).get('events.csv'))).toHaveLength(2);
  });

  it('refuses forged, altered, expired, malformed and other sites\' tokens, and requests without one', async () => {
    const token = (await decide('visitor_forge1')).visitor_token!;
    await track('visitor_forge1', [{ type: 'page_view' }]);
    const [, payload, sig] = token.split('.') as [string, string, string];
    const code = async (tok: string | undefined, query = '', method: 'GET' | 'DELETE' = 'GET') => {
      const res = await subject(method, tok, query);
      expect(res.statusCode, res.body).toBe(401);
      expect(res.body).not.toContain('visitor_forge1');
      return res.json().error.code as string;
    };
    // A signature made with another key.
    const forged = crypto.createHmac('sha256', 'guessed-secret').update('avt1.').update(Buffer.from(payload, 'base64url')).digest('base64url');
    expect(await code(`avt1.${payload}.${forged}`)).toBe('VISITOR_TOKEN_INVALID');
    // The payload pointed at another visitor (same length), the signature kept.
    const bytes = Buffer.from(payload, 'base64url');
    const altered = Buffer.concat([bytes.subarray(0, bytes.length - 14), Buffer.from('visitor_json02', 'latin1')]);
    expect(await code(`avt1.${altered.toString('base64url')}.${sig}`)).toBe('VISITOR_TOKEN_INVALID');
    // Expiry pushed out, the signature kept.
    const later = Buffer.from(bytes);
    later.writeBigUInt64BE(BigInt(t.clock.now() + 9000 * DAY), 40);
    expect(await code(`avt1.${later.toString('base64url')}.${sig}`)).toBe('VISITOR_TOKEN_INVALID');
    for (const junk of ['', 'garbage', 'avt1..', `avt2.${payload}.${sig}`, `${token}x`, `avt1.${payload}`]) expect(await code(junk), junk).toBe(junk === '' ? 'VISITOR_TOKEN_REQUIRED' : 'VISITOR_TOKEN_INVALID');
    // The token with another site's key.
    expect(await code(token, `site=${other.public_key}`)).toBe('VISITOR_TOKEN_WRONG_SITE');
    expect(await code(token, 'site=pk_unknownsite1')).toBe('VISITOR_TOKEN_WRONG_SITE');
    expect((await subject('GET', token, `site=${site.public_key}`)).statusCode).toBe(200);
    // Expired: 400 days on.
    t.clock.advance(401 * DAY);
    try {
      expect(await code(token)).toBe('VISITOR_TOKEN_EXPIRED');
      expect(await code(token, '', 'DELETE')).toBe('VISITOR_TOKEN_EXPIRED');
    } finally {
      t.clock.advance(-401 * DAY);
    }
    // No token: credentials are wanted, and an operator's are not a visitor's.
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/data', remoteAddress: nextIp() });
    expect([none.statusCode, none.json().error.code]).toEqual([401, 'AUTH_REQUIRED']);
    const operator = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/data', headers: auth, remoteAddress: nextIp() });
    expect([operator.statusCode, operator.json().error.code]).toEqual([401, 'VISITOR_TOKEN_REQUIRED']);
    // Nothing was erased by any of it.
    expect(await count('user_events', site.id, 'visitor_forge1')).toBe(1);
  });

  it('never reaches the same visitor id on another site', async () => {
    const V = 'visitor_shared';
    const token = (await decide(V)).visitor_token!;
    await track(V, [{ type: 'page_view', url: `${ORIGIN}/here` }]);
    await decide(V, { siteKey: other.public_key });
    await track(V, [{ type: 'page_view', url: `${ORIGIN}/elsewhere` }, { type: 'click', data: { tag: 'a' } }], other.public_key);

    const res = await subject('GET', token);
    const body = res.json();
    expect(body.events).toHaveLength(1);
    expect(res.body).not.toContain('/elsewhere');
    expect(res.body).not.toContain(other.id);
    const erased = await subject('DELETE', token);
    expect(erased.json().erased).toEqual({ events: 1, sessions: 1, consent_records: 1, intent_predictions: 0 });
    expect(await count('user_events', other.id, V)).toBe(2);
    expect(await count('consent_records', other.id, V)).toBe(1);
  });

  it('erases with a receipt, revokes the token (a replay is refused) and older tokens of the visitor, and lets the visitor start afresh', async () => {
    const V = 'visitor_erase1';
    const older = (await decide(V)).visitor_token!;
    t.clock.advance(1000);
    const token = (await decide(V, { token: older })).visitor_token!;
    await track(V, [{ type: 'page_view' }, { type: 'click', data: { tag: 'a' } }, { type: 'scroll', data: { depth: 50 } }]);

    const res = await subject('DELETE', token, '', nextIp(), '/api/privacy/data');
    expect(res.statusCode, res.body).toBe(200);
    const receipt = res.json();
    expect(receipt).toEqual({ receipt_id: expect.stringMatching(/^[0-9a-f-]{36}$/), erased: { events: 3, sessions: 1, consent_records: 2, intent_predictions: 0 } });
    for (const table of ['user_events', 'user_sessions', 'consent_records'] as const) expect(await count(table, site.id, V)).toBe(0);
    const entry = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'privacy.erased').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor: `visitor:${V}`, subject: `visitor:${V}` });
    expect(entry.details).toMatchObject({ receipt_id: receipt.receipt_id, reason: 'data subject request' });
    expect(await verifyAudit(t.ctx.db)).toMatchObject({ ok: true });

    // Replayed, or an older copy of a token of the visitor: revoked.
    for (const [tok, method] of [[token, 'DELETE'], [token, 'GET'], [older, 'GET']] as const) {
      const again = await subject(method, tok);
      expect([again.statusCode, again.json().error.code]).toEqual([401, 'VISITOR_TOKEN_REVOKED']);
    }
    await track(V, [{ type: 'page_view' }]);
    // Only digests are stored, never the visitor id.
    const revocations = await t.ctx.db.selectFrom('visitor_token_revocations').selectAll().execute();
    expect(revocations.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(revocations)).not.toContain(V);

    // The id has no decision left, so the browser that keeps it starts afresh: a new token, which works (and reaches
    // only what came after the erasure). The revoked token refreshes nothing.
    const fresh = (await decide(V, { token })).visitor_token!;
    expect(fresh).toMatch(/^avt1\./);
    const now = await subject('GET', fresh);
    expect(now.statusCode).toBe(200);
    expect(now.json().events).toHaveLength(1);
    expect((await decide(V, { token })).visitor_token).toBeUndefined();
  });

  it('an operator erasure revokes the visitor\'s tokens too', async () => {
    const V = 'visitor_operas';
    const token = (await decide(V)).visitor_token!;
    t.clock.advance(1000);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/sites/${site.id}/privacy/data?visitor_id=${V}&reason=erasure%20by%20email`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect((await subject('GET', token)).json().error.code).toBe('VISITOR_TOKEN_REVOKED');
  });

  it('streams a big export (20,000 events) in chunks, complete, as JSON and as a ZIP', async () => {
    const V = 'visitor_big001';
    const token = (await decide(V)).visitor_token!;
    await track(V, [{ type: 'page_view' }]);
    // The rest straight into the table (the ingest path's limits would only slow the test down).
    const session = `s_${V}_${site.public_key.slice(3, 9)}`;
    const base = t.clock.now();
    for (let from = 1; from < 20_000; from += 5000) {
      const rows = Array.from({ length: Math.min(5000, 20_000 - from) }, (_, i) => ({
        event_id: crypto.randomUUID(), session_id: session, site_id: site.id, visitor_id: V, event_type: 'click',
        event_data: JSON.stringify({ n: from + i, text: '=cmd' }), timestamp: new Date(base + from + i), page_url: `${ORIGIN}/p`,
      }));
      await t.ctx.db.insertInto('user_events').values(rows).execute();
    }

    await t.app.listen({ host: '127.0.0.1', port: 0 });
    {
      const port = (t.app.server.address() as { port: number }).port;
      const get = (query: string) =>
        new Promise<{ headers: http.IncomingHttpHeaders; chunks: number; body: Buffer }>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: `/api/v1/privacy/data${query}`, headers: { [HEADER]: token } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, chunks: chunks.length, body: Buffer.concat(chunks) }));
          }).on('error', reject);
        });
      const json = await get('');
      expect(json.headers['content-length']).toBeUndefined();
      expect(json.headers['transfer-encoding']).toBe('chunked');
      expect(json.chunks).toBeGreaterThan(10);
      const body = JSON.parse(json.body.toString('utf8'));
      expect(body.events).toHaveLength(20_000);
      expect(new Set(body.events.map((e: { event_id: string }) => e.event_id)).size).toBe(20_000);

      const zip = await get('?format=zip');
      expect(zip.headers['content-length']).toBeUndefined();
      expect(zip.headers['transfer-encoding']).toBe('chunked');
      const events = csvRecords((await unzip(zip.body)).get('events.csv'));
      expect(events).toHaveLength(20_000);
      expect(events.filter((e) => e.event_type === 'click').every((e) => JSON.parse(e.event_data!).text === '=cmd')).toBe(true);
    }
  }, 120_000);

  it('rate-limits exports and erasures per IP (forged tokens count) and per token', async () => {
    const token = (await decide('visitor_limit1')).visitor_token!;
    const ip = nextIp();
    for (let i = 0; i < 10; i++) expect((await subject('GET', token, '', ip)).statusCode).toBe(200);
    const limited = await subject('GET', token, '', ip);
    expect([limited.statusCode, limited.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The same token from elsewhere: its own window is spent too.
    expect((await subject('GET', token, '', nextIp())).statusCode).toBe(429);
    // Erasure: three tries per minute per IP, forged tokens included.
    const eraser = nextIp();
    for (let i = 0; i < 3; i++) expect((await subject('DELETE', `avt1.${'A'.repeat(70)}.${'B'.repeat(43)}`, '', eraser)).statusCode).toBe(401);
    expect((await subject('DELETE', (await decide('visitor_limit2')).visitor_token!, '', eraser)).statusCode).toBe(429);
    expect(await count('consent_records', site.id, 'visitor_limit2')).toBe(1);
  });
});

describe.skipIf(!TEST_REDIS_URL)('subject data rights limits with Redis (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Two nodes sharing one Redis, each with its own database: only Redis can make them agree.
    a = await startApp(pgliteBackend, { REDIS_URL: TEST_REDIS_URL! });
    b = await startApp(pgliteBackend, { REDIS_URL: TEST_REDIS_URL! });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('shares the erasure limit across nodes, keyed by digests only', async () => {
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const forged = `avt1.${crypto.randomBytes(60).toString('base64url')}.${crypto.randomBytes(32).toString('base64url')}`;
    const erase = (t: TestApp) => t.app.inject({ method: 'DELETE', url: '/api/v1/privacy/data', headers: { [HEADER]: forged }, remoteAddress: ip });
    expect([(await erase(a)).statusCode, (await erase(b)).statusCode, (await erase(a)).statusCode]).toEqual([401, 401, 401]);
    const limited = await erase(b);
    expect([limited.statusCode, limited.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    const keys = (await a.ctx.redis!.keys('augur:rl:*')).join(' ');
    expect(keys).toContain('subject-erase-ip:');
    expect(keys).not.toContain(ip);
    expect(keys).not.toContain(forged.slice(5, 40));
  });
});
