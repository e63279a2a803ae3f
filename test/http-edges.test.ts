// Hostile and malformed HTTP input: every bad request gets a 4xx with the standard error
// body and writes nothing; fuzzing never finds a 5xx; security headers and request ids.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createSite, pgliteBackend, signUp, startApp, startAppWithSite, TEST_SECRETS, type TestApp } from './helpers.js';

type Json = Record<string, unknown>;

/** Asserts the status and the { error: { code, message } } body, and returns the error. */
function expectError(res: LightMyRequestResponse, status: number, code?: string): { code: string; message: string; details?: { path: string; message: string }[] } {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(typeof body.error?.code, res.body).toBe('string');
  expect(typeof body.error?.message, res.body).toBe('string');
  if (code) expect(body.error.code, res.body).toBe(code);
  return body.error;
}

let ipSeq = 0;
/** A new client address per call, so per-IP limits never interfere unless a test wants them to. */
const freshIp = () => {
  ipSeq += 1;
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP edges', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof signUp>>;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    ({ t, op, site } = await startAppWithSite());
  });
  afterAll(async () => { await t?.close(); });

  const count = async (table: 'users' | 'sites') =>
    Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  /** A raw request: the payload goes on the wire exactly as given. */
  const raw = (method: 'POST' | 'PATCH', url: string, payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, payload, headers: { 'content-type': 'application/json', ...headers }, remoteAddress: freshIp() });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) => raw('POST', url, JSON.stringify(body), headers);

  const validRegistration = () => ({ email: `new-${crypto.randomBytes(4).toString('hex')}@example.com`, username: `new_${crypto.randomBytes(4).toString('hex')}`, password: 'a-long-enough-password' });

  /** Runs fn and asserts it changed neither the users nor the sites table. */
  async function writesNothing(fn: () => Promise<void>) {
    const before = [await count('users'), await count('sites')];
    await fn();
    expect([await count('users'), await count('sites')]).toEqual(before);
  }

  describe('request bodies', () => {
    it('answers malformed JSON with 400 BAD_JSON', async () => {
      await writesNothing(async () => {
        const good = JSON.stringify(validRegistration());
        for (const body of ['{bad', good.slice(0, -1), `${good}x`, `${good}${good}`, "{'email':'a@example.com'}", '{"email":"a@example.com",}', 'nul', '"unterminated', '\u0000']) {
          expectError(await raw('POST', '/api/v1/auth/register', body), 400, 'BAD_JSON');
        }
      });
    });

    it('refuses prototype-poisoning keys as bad JSON', async () => {
      for (const body of ['{"__proto__":{"isAdmin":true},"email":"a@example.com","password":"xxxxxxxxxxxx"}', '{"constructor":{"prototype":{"x":1}}}']) {
        expectError(await raw('POST', '/api/v1/auth/login', body), 400, 'BAD_JSON');
      }
    });

    it('answers an empty body that claims to be JSON with 400', async () => {
      await writesNothing(async () => {
        expectError(await raw('POST', '/api/v1/auth/register', ''), 400, 'BAD_JSON');
        expectError(await raw('POST', '/api/v1/auth/login', '   '), 400, 'BAD_JSON');
      });
    });

    it('refuses JSON that is not an object', async () => {
      for (const body of ['null', '[]', '"text"', '42', 'true']) {
        const err = expectError(await raw('POST', '/api/v1/auth/register', body), 400, 'VALIDATION_FAILED');
        expect(err.details?.[0]?.path).toBe('body');
      }
    });

    it('refuses wrong types with VALIDATION_FAILED naming the field, without coercing', async () => {
      const cases: [url: string, body: Json, field: string, auth?: boolean][] = [
        ['/api/v1/auth/register', { ...validRegistration(), email: 123 }, 'email'],
        ['/api/v1/auth/register', { ...validRegistration(), password: true }, 'password'],
        // A coercing validator would accept these as the strings "12345678901" and "1".
        ['/api/v1/auth/register', { ...validRegistration(), password: 12345678901 }, 'password'],
        ['/api/v1/auth/register', { ...validRegistration(), first_name: 1 }, 'first_name'],
        ['/api/v1/auth/register', { ...validRegistration(), username: ['a_user'] }, 'username'],
        ['/api/v1/auth/login', { email: op.email, password: { $ne: '' } }, 'password'],
        ['/api/v1/auth/refresh', { refresh_token: 42 }, 'refresh_token'],
        // A numeric string or a number for a boolean field is refused, not read as true.
        ['/api/v1/auth/logout', { everywhere: '1' }, 'everywhere', true],
        ['/api/v1/auth/logout', { everywhere: 'true' }, 'everywhere', true],
        ['/api/v1/auth/logout', { everywhere: 1 }, 'everywhere', true],
        ['/api/v1/sites', { name: 123 }, 'name', true],
        ['/api/v1/sites', { name: null }, 'name', true],
        // Coercion to array would wrap a single string.
        ['/api/v1/sites', { name: 'x', allowed_origins: 'https://shop.example.com' }, 'allowed_origins', true],
        ['/api/v1/sites', { name: 'x', settings: 'dark' }, 'settings', true],
      ];
      await writesNothing(async () => {
        for (const [url, body, field, auth] of cases) {
          const err = expectError(await post(url, body, auth ? op.auth : {}), 400, 'VALIDATION_FAILED');
          expect(err.details?.[0]?.path, JSON.stringify(body)).toBe(`body/${field}`);
          expect(err.message).toContain(`body/${field}`);
        }
      });
      // The session survived: none of the refused logouts ran.
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: op.auth })).statusCode).toBe(200);
      expect((await post('/api/v1/auth/refresh', { refresh_token: op.refresh_token })).statusCode).toBe(200);
    });

    it('refuses unknown fields with a message naming the field', async () => {
      await writesNothing(async () => {
        const err = expectError(await post('/api/v1/auth/register', { ...validRegistration(), colour: 'red' }), 400, 'VALIDATION_FAILED');
        expect(err.message).toContain('colour');
        expect(err.details).toEqual([{ path: 'body', message: 'unknown field "colour"' }]);
        const role = expectError(await post('/api/v1/auth/register', { ...validRegistration(), role: 'admin' }), 400, 'VALIDATION_FAILED');
        expect(role.message).toContain('"role"');
        const site = expectError(await post('/api/v1/sites', { name: 'x', owner_id: 1 }, op.auth), 400, 'VALIDATION_FAILED');
        expect(site.message).toContain('owner_id');
      });
    });

    it('refuses a missing required field, naming it', async () => {
      await writesNothing(async () => {
        const { password: _omit, ...noPassword } = validRegistration();
        const err = expectError(await post('/api/v1/auth/register', noPassword), 400, 'VALIDATION_FAILED');
        expect(err.message).toContain('"password"');
        const login = expectError(await post('/api/v1/auth/login', { password: 'whatever-password' }), 400, 'VALIDATION_FAILED');
        expect(login.message).toContain('"email"');
        const site = expectError(await post('/api/v1/sites', { allowed_origins: [] }, op.auth), 400, 'VALIDATION_FAILED');
        expect(site.message).toContain('"name"');
      });
    });

    it('answers a body of another media type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      await writesNothing(async () => {
        const body = JSON.stringify(validRegistration());
        for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
          expectError(await raw('POST', '/api/v1/auth/register', body, { 'content-type': type }), 415, 'UNSUPPORTED_MEDIA_TYPE');
        }
        expectError(await raw('POST', '/api/v1/sites', JSON.stringify({ name: 'plain' }), { ...op.auth, 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      });
    });

    it('answers a body over BODY_LIMIT_BYTES with 413 BODY_TOO_LARGE and writes nothing', async () => {
      const small = await startApp(pgliteBackend, { BODY_LIMIT_BYTES: '2048' });
      try {
        const users = async () => Number((await small.ctx.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        const before = await users();
        // A valid registration padded with JSON whitespace: only the size is wrong with it.
        const big = `${JSON.stringify(validRegistration())}${' '.repeat(3000)}`;
        expect(big.length).toBeGreaterThan(2048);
        const res = await small.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: big, headers: { 'content-type': 'application/json' } });
        expectError(res, 413, 'BODY_TOO_LARGE');
        expect(await users()).toBe(before);
        // Just under the limit is read and judged on its content.
        const fits = JSON.stringify({ email: 'fits@example.com', password: 'p'.repeat(200) + 'x'.repeat(1700) });
        expect(fits.length).toBeLessThan(2048);
        const under = await small.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: fits, headers: { 'content-type': 'application/json' } });
        expectError(under, 400, 'VALIDATION_FAILED'); // password over PASSWORD_MAX, not a 413
      } finally {
        await small.close();
      }
    });

    it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) and absurd nesting with 400, not 500', async () => {
      const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
      const cases: [url: string, body: string, auth: boolean][] = [
        ['/api/v1/sites', '{"name":"a\\u0000b"}', true],
        ['/api/v1/sites', '{"name":"x","settings":{"theme":"\\u0000"}}', true],
        ['/api/v1/sites', '{"name":"x","settings":{"\\u0000":1}}', true],
        ['/api/v1/sites', '{"name":"x","settings":{"theme":"\\ud800"}}', true],
        ['/api/v1/sites', '{"name":"x","settings":{"\\udc00":1}}', true],
        ['/api/v1/sites', '{"name":"x\\ud800"}', true],
        ['/api/v1/sites', `{"name":"x","settings":{"a":${deep(5000)}}}`, true],
        ['/api/v1/auth/register', JSON.stringify({ ...validRegistration(), first_name: 'Ann\u0000' }), false],
        ['/api/v1/auth/login', JSON.stringify({ email: 'a@example.com', password: 'some-password', site_key: 'pk_\u0000' }), false],
      ];
      await writesNothing(async () => {
        for (const [url, body, auth] of cases) {
          const err = expectError(await raw('POST', url, body, auth ? op.auth : {}), 400, 'VALIDATION_FAILED');
          expect(err.details?.[0]?.path, body.slice(0, 80)).toMatch(/^body/);
        }
        const patch = await raw('PATCH', `/api/v1/sites/${site.id}`, '{"settings":{"x":"\\u0000"}}', op.auth);
        expectError(patch, 400, 'VALIDATION_FAILED');
      });
      // Ordinary unicode and modest nesting are fine.
      const ok = await post('/api/v1/sites', { name: 'Grüße 🌍', settings: { nested: [[[{ a: 'ü' }]]] } }, op.auth);
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toMatchObject({ name: 'Grüße 🌍', settings: { nested: [[[{ a: 'ü' }]]] } });
    });
  });

  describe('routes and credentials', () => {
    it('answers unknown routes and methods with 404 NOT_FOUND', async () => {
      for (const [method, url] of [['GET', '/nope'], ['POST', '/api/v1/nope'], ['GET', '/api/v2/sites'], ['DELETE', '/api/v1/auth/login'], ['GET', '/api/v1/auth/login']] as const) {
        const err = expectError(await t.app.inject({ method, url }), 404, 'NOT_FOUND');
        expect(err.message).toContain(url);
      }
      // The query string (which may carry secrets) is not echoed.
      const q = expectError(await t.app.inject({ method: 'GET', url: '/nope?token=s3cret-value' }), 404, 'NOT_FOUND');
      expect(q.message).not.toContain('s3cret-value');
    });

    it('answers missing or malformed Authorization headers with 401', async () => {
      const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
      const noAuth = await me({});
      expectError(noAuth, 401, 'AUTH_REQUIRED');
      expect(noAuth.headers['www-authenticate']).toBe('Bearer');
      expectError(await me({ authorization: '' }), 401, 'AUTH_REQUIRED');
      for (const value of ['Basic x', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc', `${op.access_token}`, `Bearer ${op.access_token} extra`]) {
        expectError(await me({ authorization: value }), 401, 'AUTH_BAD_HEADER');
      }
    });

    describe('access tokens', () => {
      const secret = new TextEncoder().encode(TEST_SECRETS.JWT_SECRET);
      const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
      const nowSec = () => Math.floor(t.clock.now() / 1000);
      const claims = () => ({ email: op.email, role: 'operator', type: 'access', sid: crypto.randomUUID() });
      /** A token like the server's own, with overridable parts. */
      const build = (opts: { key?: Uint8Array; alg?: string; iss?: string; aud?: string; sub?: string; exp?: number; extra?: Json } = {}) =>
        new SignJWT({ ...claims(), ...opts.extra })
          .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
          .setSubject(opts.sub ?? String(op.user.id))
          .setIssuer(opts.iss ?? 'augur')
          .setAudience(opts.aud ?? 'augur-api')
          .setIssuedAt(nowSec())
          .setExpirationTime(opts.exp ?? nowSec() + 600)
          .sign(opts.key ?? secret);

      it('accepts a correctly built token (the control for the forgeries below)', async () => {
        const res = await me(await build());
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().id).toBe(op.user.id);
      });

      it('refuses garbage', async () => {
        for (const token of ['abc', 'a.b.c', 'a.b', '...', 'eyJhbGciOiJIUzI1NiJ9..', 'eyJhbGciOiJIUzI1NiJ9.e30.', Buffer.from('{}').toString('base64url')]) {
          expectError(await me(token), 401, 'AUTH_TOKEN_INVALID');
        }
      });

      it('refuses forged tokens', async () => {
        const forgeries = {
          wrongSecret: await build({ key: new TextEncoder().encode('another-secret-another-secret-another-0123') }),
          algNone: new UnsecuredJWT({ ...claims() }).setSubject(String(op.user.id)).setIssuer('augur').setAudience('augur-api').setIssuedAt(nowSec()).setExpirationTime(nowSec() + 600).encode(),
          hs512SameSecret: await build({ alg: 'HS512' }),
          wrongIssuer: await build({ iss: 'someone-else' }),
          wrongAudience: await build({ aud: 'other-api' }),
          refreshType: await build({ extra: { type: 'refresh' } }),
          nonNumericSub: await build({ sub: 'admin' }),
        };
        // A real token with its payload edited to claim admin, signature unchanged.
        const [h, p, s] = op.access_token.split('.') as [string, string, string];
        const payload = { ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' };
        const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
        for (const [name, token] of Object.entries({ ...forgeries, tampered })) {
          const res = await me(token);
          expect(res.statusCode, name).toBe(401);
          expect(res.json().error.code, name).toBe('AUTH_TOKEN_INVALID');
        }
      });

      it('refuses an expired token with AUTH_TOKEN_EXPIRED', async () => {
        const expired = await build({ exp: nowSec() - 1 });
        expectError(await me(expired), 401, 'AUTH_TOKEN_EXPIRED');
      });
    });

    it('answers sites you are not a member of with 404 SITE_NOT_FOUND', async () => {
      const stranger = await signUp(t.app);
      const theirs = await createSite(t.app, stranger.auth, { name: 'Not yours' });
      const get = (id: string) => t.app.inject({ method: 'GET', url: `/api/v1/sites/${id}`, headers: op.auth });
      expectError(await get(crypto.randomUUID()), 404, 'SITE_NOT_FOUND');
      expectError(await get(theirs.id), 404, 'SITE_NOT_FOUND');
      const patch = await raw('PATCH', `/api/v1/sites/${theirs.id}`, JSON.stringify({ name: 'Mine now' }), op.auth);
      expectError(patch, 404, 'SITE_NOT_FOUND');
      const row = await t.ctx.db.selectFrom('sites').select('name').where('id', '=', theirs.id).executeTakeFirstOrThrow();
      expect(row.name).toBe('Not yours');
      const badId = expectError(await get('not-a-uuid'), 400, 'VALIDATION_FAILED');
      expect(badId.message).toContain('siteId');
      expect((await get(site.id)).statusCode).toBe(200);
    });
  });

  describe('response headers', () => {
    const expectSecurityHeaders = (res: LightMyRequestResponse) => {
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-xss-protection']).toBe('1; mode=block');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    };

    it('sets the security headers on normal and error responses', async () => {
      const ok = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: op.auth });
      expect(ok.statusCode).toBe(200);
      expectSecurityHeaders(ok);
      expectSecurityHeaders(await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' }));
      expectSecurityHeaders(await t.app.inject({ method: 'GET', url: '/nope' }));
      expectSecurityHeaders(await raw('POST', '/api/v1/auth/login', '{bad'));
    });

    it('gives every response an x-request-id, echoing a well-formed incoming one and replacing a malformed one', async () => {
      const get = (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/health', headers });
      const a = (await get()).headers['x-request-id'];
      const b = (await get()).headers['x-request-id'];
      expect(a).toMatch(UUID);
      expect(b).toMatch(UUID);
      expect(a).not.toBe(b);
      for (const given of ['trace-1234abcd', 'a1B2.c3_D4-e5', 'x'.repeat(64)]) {
        expect((await get({ 'x-request-id': given })).headers['x-request-id']).toBe(given);
      }
      for (const given of ['short', 'x'.repeat(65), 'has spaces in it', '<script>alert(1)</script>', 'abc/def/ghi', 'ünïcödé-id-123']) {
        const echoed = (await get({ 'x-request-id': given })).headers['x-request-id'];
        expect(echoed, given).toMatch(UUID);
      }
      // Error responses carry it too.
      expect((await t.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'trace-404-abcdef' } })).headers['x-request-id']).toBe('trace-404-abcdef');
    });
  });

  describe('global rate limit', () => {
    it('answers the request after RATE_LIMIT_PER_MINUTE from one address with 429 and Retry-After; others are unaffected', async () => {
      const limited = await startApp(pgliteBackend, { RATE_LIMIT_PER_MINUTE: '5' });
      try {
        const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) => limited.app.inject({ method: 'GET', url, remoteAddress, headers });
        for (let i = 0; i < 5; i++) expect((await get('/openapi.json', '203.0.113.50')).statusCode).toBe(200);
        const blocked = await get('/openapi.json', '203.0.113.50');
        expectError(blocked, 429, 'RATE_LIMITED');
        const retryAfter = Number(blocked.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(blocked.headers['x-request-id']).toMatch(UUID);
        expect((await get('/openapi.json', '203.0.113.51')).statusCode).toBe(200);

        // Requests that fail authentication count too: guessing tokens or API keys is not free.
        for (let i = 0; i < 5; i++) expect((await get('/api/v1/auth/me', '203.0.113.52', { 'x-api-key': `ak_${'a'.repeat(12)}_${'b'.repeat(43)}` })).statusCode).toBe(401);
        expectError(await get('/api/v1/auth/me', '203.0.113.52', { 'x-api-key': `ak_${'a'.repeat(12)}_${'c'.repeat(43)}` }), 429, 'RATE_LIMITED');
        for (let i = 0; i < 5; i++) expect((await get('/api/v1/sites', '203.0.113.53', { authorization: 'Bearer nope' })).statusCode).toBe(401);
        expectError(await get('/api/v1/sites', '203.0.113.53', { authorization: 'Bearer nope' }), 429, 'RATE_LIMITED');

        // Probing for routes counts too.
        for (let i = 0; i < 5; i++) expect((await get(`/probe-${i}`, '203.0.113.54')).statusCode).toBe(404);
        expectError(await get('/probe-x', '203.0.113.54'), 429, 'RATE_LIMITED');

        // Health checks are exempt, so a busy load balancer never sees 429.
        for (let i = 0; i < 7; i++) expect((await get('/health', '203.0.113.50')).statusCode).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('fuzzing', () => {
    const RUNS = 200;

    /** Never a 5xx; a 4xx always has the standard error body. */
    function expectSane(res: LightMyRequestResponse, input: unknown) {
      const where = `${res.statusCode} for ${JSON.stringify(input)?.slice(0, 300)}: ${res.body.slice(0, 300)}`;
      expect(res.statusCode, where).toBeLessThan(500);
      if (res.statusCode >= 400) {
        const body = res.json();
        expect(typeof body.error?.code, where).toBe('string');
        expect(typeof body.error?.message, where).toBe('string');
      }
    }

    // Any code point, plus the ones PostgreSQL refuses to store.
    const unit = fc.oneof(
      { weight: 20, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udfff', '\ufeff', '\u2028') },
    );
    const text = fc.string({ unit, maxLength: 40 });
    const anyJson = fc.jsonValue({ stringUnit: unit, maxDepth: 4 });
    const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: anyJson });
    // Bodies that get past JSON parsing and often past validation, so the handlers run too.
    const nearValid: Record<string, fc.Arbitrary<unknown>> = {
      '/api/v1/auth/login': fc.record(
        { email: sometimes(fc.emailAddress()), password: sometimes(text), site_key: sometimes(text), totp_code: sometimes(fc.stringMatching(/^\d{6}$/)), recovery_code: sometimes(text) },
        { requiredKeys: ['email', 'password'] },
      ),
      '/api/v1/auth/register': fc.record(
        {
          email: sometimes(fc.emailAddress()),
          username: sometimes(fc.stringMatching(/^[A-Za-z0-9._-]{2,20}$/)),
          password: sometimes(text),
          first_name: sometimes(text),
          language: sometimes(fc.constantFrom('en', 'de-DE', 'xx')),
          timezone: sometimes(text),
          site_key: sometimes(text),
          invite_token: sometimes(text),
        },
        { requiredKeys: ['email', 'username', 'password'] },
      ),
      '/api/v1/auth/refresh': fc.record({ refresh_token: sometimes(fc.oneof(text, fc.constant(`rt_${'A'.repeat(43)}`))) }),
      '/api/v1/sites': fc.record(
        { name: sometimes(text), allowed_origins: sometimes(fc.array(fc.oneof(fc.webUrl(), text), { maxLength: 3 })), settings: sometimes(fc.dictionary(text, anyJson, { maxKeys: 4 })) },
        { requiredKeys: ['name'] },
      ),
    };
    const endpoints = Object.keys(nearValid);

    it('never answers arbitrary JSON bodies with a 5xx', async () => {
      const request = fc.constantFrom(...endpoints).chain((url) => fc.tuple(fc.constant(url), fc.oneof(anyJson, nearValid[url]!)));
      await fc.assert(
        fc.asyncProperty(request, async ([url, body]) => {
          const headers = url === '/api/v1/sites' ? op.auth : {};
          expectSane(await raw('POST', url, JSON.stringify(body), headers), body);
        }),
        { numRuns: RUNS * 2 },
      );
    });

    it('never answers arbitrary strings as bodies with a 5xx', async () => {
      const body = fc.oneof(fc.string({ unit, maxLength: 200 }), fc.json().map((j) => j.slice(0, Math.max(1, j.length - 1))), fc.string({ unit: 'binary-ascii' }));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...endpoints), body, async (url, payload) => {
          expectSane(await raw('POST', url, payload, url === '/api/v1/sites' ? op.auth : {}), payload);
        }),
        { numRuns: RUNS },
      );
    });

    // What an HTTP parser lets through in a header value: tab and visible latin-1.
    const headerChar = fc.oneof(fc.constant('\t'), fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)));
    const headerText = fc.string({ unit: headerChar, maxLength: 120 });
    const b64 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 60 });
    const segment = (obj: fc.Arbitrary<unknown>) => obj.map((o) => Buffer.from(JSON.stringify(o)).toString('base64url'));
    const jwtLike = fc
      .tuple(
        segment(fc.record({ alg: fc.constantFrom('HS256', 'none', 'RS256', 'HS512', ''), typ: fc.constant('JWT') })),
        segment(fc.record({ sub: fc.oneof(fc.constant(String(1)), text), type: fc.constantFrom('access', 'refresh'), role: fc.constantFrom('admin', 'operator'), iss: fc.constant('augur'), aud: fc.constant('augur-api'), exp: fc.integer() })),
        b64,
      )
      .map((parts) => parts.join('.'));
    const apiKeyLike = fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{12}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)).map(([p, s]) => `ak_${p}_${s}`);

    it('answers arbitrary Authorization headers with 401, never 200 or 5xx', async () => {
      const authorization = fc.oneof(headerText, headerText.map((s) => `Bearer ${s}`), jwtLike.map((s) => `Bearer ${s}`), apiKeyLike.map((s) => `Bearer ${s}`), b64.map((s) => `bearer ${s}`));
      await fc.assert(
        fc.asyncProperty(authorization, async (value) => {
          const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: value }, remoteAddress: freshIp() });
          expect(res.statusCode, `${JSON.stringify(value)}: ${res.body}`).toBe(401);
          expect(typeof res.json().error.code).toBe('string');
        }),
        { numRuns: RUNS },
      );
    });

    it('answers arbitrary x-api-key headers with 401', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(headerText, apiKeyLike, apiKeyLike.map((k) => `${k} `), jwtLike), async (value) => {
          const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': value }, remoteAddress: freshIp() });
          expect(res.statusCode, `${JSON.stringify(value)}: ${res.body}`).toBe(401);
          expect(res.json().error.code).toMatch(/^API_KEY_/);
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('server errors', () => {
    it('answers a failure with 500 INTERNAL_ERROR quoting the request id, logs it with that id, and leaks nothing', async () => {
      const broken = await startApp(pgliteBackend, { LOG_LEVEL: 'error' });
      const user = await signUp(broken.app);
      await broken.ctx.dbHandle.close();
      try {
        const res = await broken.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { ...user.auth, 'x-request-id': 'trace-5xx-abcdef' } });
        const err = expectError(res, 500, 'INTERNAL_ERROR');
        expect(res.headers['x-request-id']).toBe('trace-5xx-abcdef');
        expect(err.message).toContain('trace-5xx-abcdef');
        expect(err).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String) });

        const entries = broken.logs.map((line) => JSON.parse(line) as { level: number; reqId?: string; err?: { message: string; stack: string }; msg: string });
        const logged = entries.find((e) => e.level >= 50 && e.reqId === 'trace-5xx-abcdef');
        expect(logged, broken.logs.join('\n')).toBeDefined();
        expect(logged!.err?.message).toBeTruthy();
        expect(logged!.err?.stack).toBeTruthy();
        // The cause stays in the log, not in the answer.
        expect(res.body).not.toContain(logged!.err!.message);
        expect(res.body).not.toMatch(/at .+\.(ts|js):\d+/);
      } finally {
        await broken.close();
      }
    });
  });
});
