import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend, signUp, startApp, createSite, type TestApp } from './helpers.js';
import { totpCode } from '../src/auth/totp.js';

describeEachBackend('auth', (backend) => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp(backend); });
  afterAll(async () => { await t?.close(); });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, payload: payload as object, headers });

  it('registers, signs in, and returns the account with spec 003 claims in the JWT', async () => {
    const op = await signUp(t.app, { email: 'Alice@Example.com', username: 'alice', password: 'alice-password-1' });
    const login = await post('/api/v1/auth/login', { email: 'alice@example.com', password: 'alice-password-1' });
    expect(login.statusCode).toBe(200);
    const { access_token, token_type, expires_in } = login.json();
    expect(token_type).toBe('bearer');
    expect(expires_in).toBe(900);
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: String(op.user.id), email: 'Alice@Example.com', role: 'operator', type: 'access' });
    expect(claims.exp - claims.iat).toBe(900);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: op.user.id, username: 'alice', totp_enabled: false });
    expect(me.body).not.toContain('hashed_password');
  });

  it('stores an argon2id hash, never the password', async () => {
    const op = await signUp(t.app, { email: 'hash@example.com', password: 'hash-check-password' });
    const row = await t.ctx.db.selectFrom('users').select('hashed_password').where('id', '=', op.user.id).executeTakeFirstOrThrow();
    expect(row.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses a duplicate email (case-insensitive) and weak passwords', async () => {
    await signUp(t.app, { email: 'dup@example.com' });
    const dup = await post('/api/v1/auth/register', { email: 'DUP@example.com', username: 'other_dup', password: 'a-long-enough-password' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('AUTH_ACCOUNT_EXISTS');
    const weak = await post('/api/v1/auth/register', { email: 'weak@example.com', username: 'weak', password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('AUTH_WEAK_PASSWORD');
  });

  it('gives the same answer for a wrong password and an unknown account', async () => {
    await signUp(t.app, { email: 'known@example.com', password: 'known-password-1' });
    const wrong = await post('/api/v1/auth/login', { email: 'known@example.com', password: 'not-the-password' });
    const unknown = await post('/api/v1/auth/login', { email: 'nobody@example.com', password: 'not-the-password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('rotates refresh tokens, and reusing a rotated one revokes the whole family', async () => {
    const op = await signUp(t.app);
    const first = await post('/api/v1/auth/refresh', { refresh_token: op.refresh_token });
    expect(first.statusCode).toBe(200);
    const second = await post('/api/v1/auth/refresh', { refresh_token: first.json().refresh_token });
    expect(second.statusCode).toBe(200);
    // An attacker replays the original token: the family dies, including the newest token.
    const replay = await post('/api/v1/auth/refresh', { refresh_token: op.refresh_token });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('AUTH_REFRESH_REUSED');
    const newest = await post('/api/v1/auth/refresh', { refresh_token: second.json().refresh_token });
    expect(newest.statusCode).toBe(401);
    expect(newest.json().error.code).toBe('AUTH_REFRESH_REVOKED');
    const access = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${second.json().access_token}` } });
    expect(access.json().error.code).toBe('AUTH_SESSION_REVOKED');
  });

  it('stores refresh tokens hashed', async () => {
    const op = await signUp(t.app);
    const rows = await t.ctx.db.selectFrom('refresh_tokens').select('token_hash').where('user_id', '=', op.user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(op.refresh_token);
  });

  it('rejects expired access tokens and expired refresh tokens', async () => {
    const op = await signUp(t.app);
    t.clock.advance(901_000);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: op.auth });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe('AUTH_TOKEN_EXPIRED');
    t.clock.advance(31 * 86_400_000);
    const refresh = await post('/api/v1/auth/refresh', { refresh_token: op.refresh_token });
    expect(refresh.statusCode).toBe(401);
    expect(refresh.json().error.code).toBe('AUTH_REFRESH_EXPIRED');
  });

  it('logs out one session, or every session', async () => {
    const op = await signUp(t.app, { password: 'logout-password-1' });
    const other = await post('/api/v1/auth/login', { email: op.email, password: 'logout-password-1' });
    const out = await post('/api/v1/auth/logout', {}, op.auth);
    expect(out.statusCode).toBe(204);
    // The access token of the signed-out session stops working at once, not when it expires.
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: op.auth });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('AUTH_SESSION_REVOKED');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${other.json().access_token}` } })).statusCode).toBe(200);
    expect((await post('/api/v1/auth/refresh', { refresh_token: op.refresh_token })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/refresh', { refresh_token: other.json().refresh_token })).statusCode).toBe(200);
    const third = await post('/api/v1/auth/login', { email: op.email, password: 'logout-password-1' });
    await post('/api/v1/auth/logout', { everywhere: true }, { authorization: `Bearer ${third.json().access_token}` });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${other.json().access_token}` } })).statusCode).toBe(401);
    const remaining = await t.ctx.db.selectFrom('refresh_tokens').select('id').where('user_id', '=', op.user.id).where('revoked_at', 'is', null).execute();
    expect(remaining).toHaveLength(0);
  });

  it('throttles sign-in per account with 429 and Retry-After, and success is refused while locked', async () => {
    const op = await signUp(t.app, { password: 'throttle-password-1' });
    for (let i = 0; i < 5; i++) expect((await post('/api/v1/auth/login', { email: op.email, password: 'wrong-password!' })).statusCode).toBe(401);
    const locked = await post('/api/v1/auth/login', { email: op.email, password: 'throttle-password-1' });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('AUTH_THROTTLED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await post('/api/v1/auth/login', { email: op.email, password: 'throttle-password-1' })).statusCode).toBe(200);
  });

  it('throttles sign-in per IP across accounts (password spraying)', async () => {
    const sprayed = await startApp(backend, { LOGIN_MAX_FAILURES_PER_IP: '12' });
    try {
      const attempt = (i: number) => sprayed.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.9', payload: { email: `spray${i}@example.com`, password: 'guess-password' } });
      for (let i = 0; i < 12; i++) expect((await attempt(i)).statusCode).toBe(401);
      const blocked = await attempt(99);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json().error.message).toContain('address');
      // Another address is unaffected.
      const elsewhere = await sprayed.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.10', payload: { email: 'spray1@example.com', password: 'guess-password' } });
      expect(elsewhere.statusCode).toBe(401);
    } finally {
      await sprayed.close();
    }
  });

  it('enrolls TOTP, then requires a code, refuses replays, accepts a recovery code once, and can disable', async () => {
    const op = await signUp(t.app, { password: 'totp-password-1' });
    const enroll = await post('/api/v1/auth/totp/enroll', {}, op.auth);
    expect(enroll.statusCode).toBe(200);
    const { secret, otpauth_uri } = enroll.json();
    expect(otpauth_uri).toContain(`secret=${secret}`);
    const stored = await t.ctx.db.selectFrom('users').select('totp_secret').where('id', '=', op.user.id).executeTakeFirstOrThrow();
    expect(stored.totp_secret).toMatch(/^enc1\./);
    expect(stored.totp_secret).not.toContain(secret);

    const bad = await post('/api/v1/auth/totp/activate', { code: '000000' }, op.auth);
    expect(bad.statusCode).toBe(400);
    const activate = await post('/api/v1/auth/totp/activate', { code: totpCode(secret, t.clock.now()) }, op.auth);
    expect(activate.statusCode).toBe(200);
    const codes: string[] = activate.json().recovery_codes;
    expect(codes).toHaveLength(10);

    const noCode = await post('/api/v1/auth/login', { email: op.email, password: 'totp-password-1' });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('AUTH_TOTP_REQUIRED');
    // The code used for activation cannot be used again.
    const replay = await post('/api/v1/auth/login', { email: op.email, password: 'totp-password-1', totp_code: totpCode(secret, t.clock.now()) });
    expect(replay.json().error.code).toBe('AUTH_TOTP_INVALID');
    t.clock.advance(30_000);
    const ok = await post('/api/v1/auth/login', { email: op.email, password: 'totp-password-1', totp_code: totpCode(secret, t.clock.now()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.totp_enabled).toBe(true);

    const recovery = await post('/api/v1/auth/login', { email: op.email, password: 'totp-password-1', recovery_code: codes[0]!.toUpperCase() });
    expect(recovery.statusCode).toBe(200);
    const again = await post('/api/v1/auth/login', { email: op.email, password: 'totp-password-1', recovery_code: codes[0] });
    expect(again.json().error.code).toBe('AUTH_TOTP_INVALID');

    const disable = await post('/api/v1/auth/totp/disable', { password: 'totp-password-1', code: codes[1] }, { authorization: `Bearer ${ok.json().access_token}` });
    expect(disable.statusCode).toBe(204);
    expect((await post('/api/v1/auth/login', { email: op.email, password: 'totp-password-1' })).statusCode).toBe(200);
  });

  it('lets end users of a site register with its key, only from an allowed origin, scoped to that site', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { allowed_origins: ['https://shop.example.com'] });
    const body = { email: 'visitor@example.com', username: 'visitor', password: 'visitor-password', site_key: site.public_key };
    const evil = await post('/api/v1/auth/register', body, { origin: 'https://evil.example.net' });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error.code).toBe('ORIGIN_NOT_ALLOWED');
    const ok = await post('/api/v1/auth/register', body, { origin: 'https://shop.example.com' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().user).toMatchObject({ role: 'user', site_id: site.id });
    // The same email is a different account as an operator or on another site.
    expect((await post('/api/v1/auth/login', { email: 'visitor@example.com', password: 'visitor-password' })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: 'visitor@example.com', password: 'visitor-password', site_key: site.public_key })).statusCode).toBe(200);
    // End users may not operate: no site creation, no TOTP.
    const auth = { authorization: `Bearer ${ok.json().access_token}` };
    expect((await post('/api/v1/sites', { name: 'x' }, auth)).statusCode).toBe(403);
    expect((await post('/api/v1/auth/totp/enroll', {}, auth)).statusCode).toBe(403);
  });

  it('closes operator sign-up unless ALLOW_SIGNUP, but honours invitations', async () => {
    const closed = await startApp(backend, { ALLOW_SIGNUP: 'false' });
    try {
      const refused = await closed.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'x@example.com', username: 'x_user', password: 'x-long-password' } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('SIGNUP_DISABLED');
    } finally {
      await closed.close();
    }
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const invite = await post(`/api/v1/sites/${site.id}/members`, { email: 'new.analyst@example.com', role: 'analyst' }, owner.auth);
    expect(invite.statusCode).toBe(201);
    expect(invite.json().status).toBe('invited');
    const token = invite.json().invite_token;
    const wrongEmail = await post('/api/v1/auth/register', { email: 'someone.else@example.com', username: 'someone', password: 'analyst-password', invite_token: token });
    expect(wrongEmail.statusCode).toBe(403);
    const joined = await post('/api/v1/auth/register', { email: 'new.analyst@example.com', username: 'analyst1', password: 'analyst-password', invite_token: token });
    expect(joined.statusCode).toBe(201);
    const sites = await t.app.inject({ method: 'GET', url: '/api/v1/sites', headers: { authorization: `Bearer ${joined.json().access_token}` } });
    expect(sites.json().sites).toEqual([expect.objectContaining({ id: site.id, role: 'analyst' })]);
    const reuse = await post('/api/v1/auth/register', { email: 'new.analyst@example.com', username: 'analyst2', password: 'analyst-password', invite_token: token });
    expect(reuse.json().error.code).toBe('INVITE_INVALID');
  });
});

describe('first admin setup', () => {
  it('accepts the one-time setup token once', async () => {
    const { pgliteBackend } = await import('./helpers.js');
    const t = await startApp(pgliteBackend);
    try {
      const { issueSetupToken } = await import('../src/auth/setup.js');
      const token = await issueSetupToken(t.ctx);
      expect(token).toBeTruthy();
      const body = { email: 'root@example.com', username: 'root', password: 'root-password-1' };
      const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...body, setup_token: 'nope' } });
      expect(wrong.statusCode).toBe(401);
      const ok = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...body, setup_token: token } });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().role).toBe('admin');
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...body, email: 'r2@example.com', username: 'r2', setup_token: token } });
      expect(again.statusCode).toBe(401);
      expect(await issueSetupToken(t.ctx)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
