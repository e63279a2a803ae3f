import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createSite, describeEachBackend, signUp, startApp, type TestApp } from './helpers.js';

type Headers = Record<string, string>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
/** A request to try: method, url and, where the route takes one, a valid body. */
type Attempt = [Method, string, unknown?];
type Operator = Awaited<ReturnType<typeof signUp>>;

// Hashed independently of src/, so a change to how secrets are stored shows up here.
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const errorCode = (res: LightMyRequestResponse) => (res.json() as { error?: { code?: string } }).error?.code;

let endUserSeq = 0;

describeEachBackend('sites', (backend) => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp(backend); });
  afterAll(async () => { await t?.close(); });

  const call = (method: Method, url: string, headers: Headers = {}, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const siteUrl = (siteId: string, rest = '') => `/api/v1/sites/${siteId}${rest}`;

  /** Signs up a fresh operator and makes them a member of the site with the given role. */
  async function memberWithRole(siteId: string, ownerAuth: Headers, role: string): Promise<Operator> {
    const op = await signUp(t.app);
    const res = await call('POST', siteUrl(siteId, '/members'), ownerAuth, { email: op.email, role });
    expect(res.statusCode).toBe(201);
    return op;
  }

  async function roleInDb(siteId: string, userId: number) {
    const row = await t.ctx.db.selectFrom('site_members').select('role').where('site_id', '=', siteId).where('user_id', '=', userId).executeTakeFirst();
    return row?.role;
  }

  /** An end user registering with a site key, each from its own address to stay clear of the sign-up rate limit. */
  function registerEndUser(siteKey: string) {
    endUserSeq += 1;
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      remoteAddress: `203.0.113.${endUserSeq % 250}`,
      payload: { email: `visitor${endUserSeq}@example.com`, username: `visitor${endUserSeq}`, password: 'visitor-password-1', site_key: siteKey },
    });
  }

  function preflight(origin: string) {
    return t.app.inject({ method: 'OPTIONS', url: '/api/v1/auth/register', headers: { origin, 'access-control-request-method': 'POST' } });
  }

  async function createKey(siteId: string, auth: Headers, role: string) {
    const res = await call('POST', siteUrl(siteId, '/api-keys'), auth, { name: `${role} key`, role });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; key: string; prefix: string; role: string };
  }

  // --- sites ---------------------------------------------------------------------------

  it('creates a site with the creator as owner, normalizing and de-duplicating origins', async () => {
    const op = await signUp(t.app);
    const res = await call('POST', '/api/v1/sites', op.auth, {
      name: 'Shop',
      allowed_origins: ['https://Shop.Example.com/', 'https://shop.example.com', 'http://localhost:3000'],
      settings: { theme: 'dark', widgets: [1, 2] },
    });
    expect(res.statusCode).toBe(201);
    const site = res.json();
    expect(site).toMatchObject({ name: 'Shop', role: 'owner', allowed_origins: ['https://shop.example.com', 'http://localhost:3000'], settings: { theme: 'dark', widgets: [1, 2] } });
    expect(site.public_key).toMatch(/^pk_/);
    expect(await roleInDb(site.id, op.user.id)).toBe('owner');
    const row = await t.ctx.db.selectFrom('sites').select(['allowed_origins', 'settings']).where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row.allowed_origins).toEqual(['https://shop.example.com', 'http://localhost:3000']);
    expect(row.settings).toEqual({ theme: 'dark', widgets: [1, 2] });
  });

  it('refuses anything that is not a bare http(s) origin with 400 SITE_BAD_ORIGIN and creates nothing', async () => {
    const op = await signUp(t.app);
    for (const bad of ['https://x.com/path', 'ftp://x', 'not a url', 'https://user:pw@x.com', 'https://x.com/?q=1']) {
      const res = await call('POST', '/api/v1/sites', op.auth, { name: 'Bad origins', allowed_origins: ['https://ok.example.com', bad] });
      expect(res.statusCode, bad).toBe(400);
      expect(errorCode(res), bad).toBe('SITE_BAD_ORIGIN');
    }
    const sites = await t.ctx.db.selectFrom('sites').select('id').where('name', '=', 'Bad origins').execute();
    expect(sites).toHaveLength(0);
  });

  it('lists only your own sites, each with your role', async () => {
    const alice = await signUp(t.app);
    const bob = await signUp(t.app);
    const aliceSite = await createSite(t.app, alice.auth, { name: 'Alice site' });
    const bobSite = await createSite(t.app, bob.auth, { name: 'Bob site' });
    await call('POST', siteUrl(aliceSite.id, '/members'), alice.auth, { email: bob.email, role: 'viewer' });

    const forAlice = (await call('GET', '/api/v1/sites', alice.auth)).json().sites;
    expect(forAlice.map((s: { id: string; role: string }) => [s.id, s.role])).toEqual([[aliceSite.id, 'owner']]);
    const forBob = (await call('GET', '/api/v1/sites', bob.auth)).json().sites;
    expect(forBob.map((s: { id: string; role: string }) => [s.id, s.role]).sort()).toEqual([[aliceSite.id, 'viewer'], [bobSite.id, 'owner']].sort());
  });

  it('reads, updates and deletes a site', async () => {
    const op = await signUp(t.app);
    const site = await createSite(t.app, op.auth, { name: 'Before' });

    const got = await call('GET', siteUrl(site.id), op.auth);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: site.id, name: 'Before', role: 'owner', updated_at: null });

    const patched = await call('PATCH', siteUrl(site.id), op.auth, { name: 'After', allowed_origins: ['HTTPS://After.Example.com:8443/'] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'After', allowed_origins: ['https://after.example.com:8443'], role: 'owner' });
    expect(patched.json().updated_at).not.toBeNull();

    const bad = await call('PATCH', siteUrl(site.id), op.auth, { allowed_origins: ['https://x.com/path'] });
    expect(errorCode(bad)).toBe('SITE_BAD_ORIGIN');
    const empty = await call('PATCH', siteUrl(site.id), op.auth, {});
    expect(empty.statusCode).toBe(400);
    const row = await t.ctx.db.selectFrom('sites').select(['name', 'allowed_origins']).where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'After', allowed_origins: ['https://after.example.com:8443'] });

    expect((await call('DELETE', siteUrl(site.id), op.auth)).statusCode).toBe(204);
    const gone = await call('GET', siteUrl(site.id), op.auth);
    expect(gone.statusCode).toBe(404);
    expect(errorCode(gone)).toBe('SITE_NOT_FOUND');
    expect(await t.ctx.db.selectFrom('sites').select('id').where('id', '=', site.id).executeTakeFirst()).toBeUndefined();
  });

  it('answers 404 for an unknown site id and 400 for a malformed one', async () => {
    const op = await signUp(t.app);
    const unknown = await call('GET', siteUrl(crypto.randomUUID()), op.auth);
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('SITE_NOT_FOUND');
    const malformed = await call('GET', siteUrl('not-a-uuid'), op.auth);
    expect(malformed.statusCode).toBe(400);
    expect(errorCode(malformed)).toBe('VALIDATION_FAILED');
  });

  // --- per-site authorization ----------------------------------------------------------

  it('tells an operator who is not a member that the site does not exist, and changes nothing', async () => {
    const owner = await signUp(t.app);
    const outsider = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { name: 'Private' });
    const attempts: Attempt[] = [
      ['GET', siteUrl(site.id)],
      ['PATCH', siteUrl(site.id), { name: 'Hijacked' }],
      ['DELETE', siteUrl(site.id)],
      ['POST', siteUrl(site.id, '/rotate-key')],
      ['GET', siteUrl(site.id, '/members')],
      ['POST', siteUrl(site.id, '/members'), { email: outsider.email, role: 'owner' }],
      ['GET', siteUrl(site.id, '/api-keys')],
      ['POST', siteUrl(site.id, '/api-keys'), { name: 'stolen', role: 'owner' }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, outsider.auth, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(errorCode(res), `${method} ${url}`).toBe('SITE_NOT_FOUND');
    }
    const row = await t.ctx.db.selectFrom('sites').select(['name', 'public_key']).where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Private', public_key: site.public_key });
    expect(await roleInDb(site.id, outsider.user.id)).toBeUndefined();
    expect(await t.ctx.db.selectFrom('api_keys').select('id').where('site_id', '=', site.id).execute()).toHaveLength(0);
  });

  it('lets a viewer read the site and its members but not change the site or see API keys', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { name: 'Viewed' });
    const viewer = await memberWithRole(site.id, owner.auth, 'viewer');

    const got = await call('GET', siteUrl(site.id), viewer.auth);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: site.id, role: 'viewer' });
    expect((await call('GET', siteUrl(site.id, '/members'), viewer.auth)).statusCode).toBe(200);

    const attempts: Attempt[] = [
      ['PATCH', siteUrl(site.id), { name: 'Renamed' }],
      ['POST', siteUrl(site.id, '/rotate-key')],
      ['DELETE', siteUrl(site.id)],
      ['GET', siteUrl(site.id, '/api-keys')],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, viewer.auth, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(errorCode(res), `${method} ${url}`).toBe('FORBIDDEN');
    }
    const row = await t.ctx.db.selectFrom('sites').select('name').where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row.name).toBe('Viewed');
  });

  it('does not let an analyst manage members', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const analyst = await memberWithRole(site.id, owner.auth, 'analyst');
    const viewer = await memberWithRole(site.id, owner.auth, 'viewer');
    const someone = await signUp(t.app);

    const add = await call('POST', siteUrl(site.id, '/members'), analyst.auth, { email: someone.email, role: 'viewer' });
    expect(add.statusCode).toBe(403);
    expect(errorCode(add)).toBe('FORBIDDEN');
    const promote = await call('PATCH', siteUrl(site.id, `/members/${viewer.user.id}`), analyst.auth, { role: 'admin' });
    expect(promote.statusCode).toBe(403);
    const remove = await call('DELETE', siteUrl(site.id, `/members/${viewer.user.id}`), analyst.auth);
    expect(remove.statusCode).toBe(403);
    expect(await roleInDb(site.id, viewer.user.id)).toBe('viewer');
    expect(await roleInDb(site.id, someone.user.id)).toBeUndefined();
  });

  it('lets an admin manage members and the site, but never grant, change or remove the owner role, nor delete the site', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const admin = await memberWithRole(site.id, owner.auth, 'admin');
    const newcomer = await signUp(t.app);

    const add = await call('POST', siteUrl(site.id, '/members'), admin.auth, { email: newcomer.email, role: 'analyst' });
    expect(add.statusCode).toBe(201);
    expect((await call('PATCH', siteUrl(site.id, `/members/${newcomer.user.id}`), admin.auth, { role: 'agent' })).statusCode).toBe(204);
    expect(await roleInDb(site.id, newcomer.user.id)).toBe('agent');
    expect((await call('PATCH', siteUrl(site.id), admin.auth, { name: 'Renamed by admin' })).statusCode).toBe(200);

    const ownerGrants: Attempt[] = [
      ['POST', siteUrl(site.id, '/members'), { email: 'future.owner@example.com', role: 'owner' }],
      ['PATCH', siteUrl(site.id, `/members/${newcomer.user.id}`), { role: 'owner' }],
      ['PATCH', siteUrl(site.id, `/members/${admin.user.id}`), { role: 'owner' }],
      ['PATCH', siteUrl(site.id, `/members/${owner.user.id}`), { role: 'viewer' }],
      ['DELETE', siteUrl(site.id, `/members/${owner.user.id}`)],
    ];
    for (const [method, url, body] of ownerGrants) {
      const res = await call(method, url, admin.auth, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(errorCode(res), `${method} ${url}`).toBe('OWNER_REQUIRED');
    }
    expect(await roleInDb(site.id, owner.user.id)).toBe('owner');
    expect(await roleInDb(site.id, admin.user.id)).toBe('admin');
    expect(await t.ctx.db.selectFrom('site_invites').select('id').where('site_id', '=', site.id).execute()).toHaveLength(0);

    const del = await call('DELETE', siteUrl(site.id), admin.auth);
    expect(del.statusCode).toBe(403);
    expect(errorCode(del)).toBe('FORBIDDEN');
  });

  it('keeps at least one owner: the last owner can be neither demoted nor removed', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const demote = await call('PATCH', siteUrl(site.id, `/members/${owner.user.id}`), owner.auth, { role: 'admin' });
    expect(demote.statusCode).toBe(409);
    expect(errorCode(demote)).toBe('LAST_OWNER');
    const remove = await call('DELETE', siteUrl(site.id, `/members/${owner.user.id}`), owner.auth);
    expect(remove.statusCode).toBe(409);
    expect(errorCode(remove)).toBe('LAST_OWNER');
    expect(await roleInDb(site.id, owner.user.id)).toBe('owner');

    // With a second owner the first may step down.
    const second = await memberWithRole(site.id, owner.auth, 'owner');
    expect((await call('PATCH', siteUrl(site.id, `/members/${owner.user.id}`), owner.auth, { role: 'admin' })).statusCode).toBe(204);
    expect(await roleInDb(site.id, owner.user.id)).toBe('admin');
    const secondLeaves = await call('DELETE', siteUrl(site.id, `/members/${second.user.id}`), second.auth);
    expect(errorCode(secondLeaves)).toBe('LAST_OWNER');
  });

  it('keeps at least one owner when two owners demote or remove each other at the same moment', async () => {
    // Real PostgreSQL runs these concurrently; without a lock both pass the last-owner check.
    for (let round = 0; round < 4; round++) {
      const a = await signUp(t.app);
      const site = await createSite(t.app, a.auth);
      const b = await memberWithRole(site.id, a.auth, 'owner');
      const [ra, rb] = round % 2 === 0
        ? await Promise.all([
          call('DELETE', siteUrl(site.id, `/members/${b.user.id}`), a.auth),
          call('DELETE', siteUrl(site.id, `/members/${a.user.id}`), b.auth),
        ])
        : await Promise.all([
          call('PATCH', siteUrl(site.id, `/members/${b.user.id}`), a.auth, { role: 'viewer' }),
          call('PATCH', siteUrl(site.id, `/members/${a.user.id}`), b.auth, { role: 'viewer' }),
        ]);
      const owners = await t.ctx.db.selectFrom('site_members').select('user_id').where('site_id', '=', site.id).where('role', '=', 'owner').execute();
      expect(owners, `round ${round}`).toHaveLength(1);
      // Exactly one went through; the other was refused (LAST_OWNER, or 403/404 if its actor had already lost the role).
      expect([ra.statusCode, rb.statusCode].filter((s) => s === 204), `round ${round}`).toHaveLength(1);
    }
  });

  // --- members and invitations ---------------------------------------------------------

  it('adds an existing operator by email (any case), once', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const colleague = await signUp(t.app);
    const added = await call('POST', siteUrl(site.id, '/members'), owner.auth, { email: colleague.email.toUpperCase(), role: 'analyst' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ status: 'added', user_id: colleague.user.id, role: 'analyst' });
    expect(await roleInDb(site.id, colleague.user.id)).toBe('analyst');

    const again = await call('POST', siteUrl(site.id, '/members'), owner.auth, { email: colleague.email, role: 'admin' });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('MEMBER_EXISTS');
    expect(await roleInDb(site.id, colleague.user.id)).toBe('analyst');

    const members = (await call('GET', siteUrl(site.id, '/members'), owner.auth)).json().members;
    expect(members.map((m: { user_id: number; role: string }) => [m.user_id, m.role])).toEqual([[owner.user.id, 'owner'], [colleague.user.id, 'analyst']]);
  });

  it('invites an unknown email with a token shown once and stored only hashed, and can revoke it', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const res = await call('POST', siteUrl(site.id, '/members'), owner.auth, { email: 'stranger@example.com', role: 'viewer' });
    expect(res.statusCode).toBe(201);
    const invite = res.json();
    expect(invite).toMatchObject({ status: 'invited', role: 'viewer' });
    expect(invite.invite_token).toMatch(/^inv_/);
    expect(invite.invite_url).toContain(invite.invite_token);

    const row = await t.ctx.db.selectFrom('site_invites').selectAll().where('id', '=', invite.invite_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ site_id: site.id, role: 'viewer', invited_by: owner.user.id, token_hash: sha256(invite.invite_token) });
    // The email is stored encrypted (bound to its column) beside its blind index.
    expect(row.email).toMatch(/^enc1\./);
    expect(t.ctx.cipher.decrypt(row.email, 'site_invites.email')).toBe('stranger@example.com');
    expect(JSON.stringify(row)).not.toContain(invite.invite_token);
    expect(JSON.stringify(row)).not.toContain('stranger@');

    const listed = await call('GET', siteUrl(site.id, '/members'), owner.auth);
    expect(listed.json().invites).toEqual([expect.objectContaining({ id: invite.invite_id, email: 'stranger@example.com', role: 'viewer' })]);
    expect(listed.body).not.toContain(invite.invite_token);

    expect((await call('DELETE', siteUrl(site.id, `/invites/${invite.invite_id}`), owner.auth)).statusCode).toBe(204);
    expect(await t.ctx.db.selectFrom('site_invites').select('id').where('id', '=', invite.invite_id).executeTakeFirst()).toBeUndefined();
    const twice = await call('DELETE', siteUrl(site.id, `/invites/${invite.invite_id}`), owner.auth);
    expect(twice.statusCode).toBe(404);
    expect(errorCode(twice)).toBe('INVITE_NOT_FOUND');
    // A revoked invitation no longer lets anyone in.
    const join = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: '203.0.113.251', payload: { email: 'stranger@example.com', username: 'stranger', password: 'stranger-password', invite_token: invite.invite_token } });
    expect(join.statusCode).toBe(401);
    expect(errorCode(join)).toBe('INVITE_INVALID');
  });

  it('does not revoke another site\'s invitation through a site you manage', async () => {
    const alice = await signUp(t.app);
    const bob = await signUp(t.app);
    const aliceSite = await createSite(t.app, alice.auth);
    const bobSite = await createSite(t.app, bob.auth);
    const invite = (await call('POST', siteUrl(bobSite.id, '/members'), bob.auth, { email: 'bobs.friend@example.com', role: 'viewer' })).json();
    const res = await call('DELETE', siteUrl(aliceSite.id, `/invites/${invite.invite_id}`), alice.auth);
    expect(res.statusCode).toBe(404);
    expect(await t.ctx.db.selectFrom('site_invites').select('id').where('id', '=', invite.invite_id).executeTakeFirst()).toBeDefined();
  });

  // --- site key rotation ---------------------------------------------------------------

  it('rotates the public site key: the old key stops working for end-user sign-up', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const rotated = await call('POST', siteUrl(site.id, '/rotate-key'), owner.auth);
    expect(rotated.statusCode).toBe(200);
    const newKey = rotated.json().public_key;
    expect(newKey).toMatch(/^pk_/);
    expect(newKey).not.toBe(site.public_key);

    const withOld = await registerEndUser(site.public_key);
    expect(withOld.statusCode).toBe(401);
    expect(errorCode(withOld)).toBe('SITE_KEY_INVALID');
    const withNew = await registerEndUser(newKey);
    expect(withNew.statusCode).toBe(201);
    expect(withNew.json().user).toMatchObject({ role: 'user', site_id: site.id });
  });

  // --- API keys ------------------------------------------------------------------------

  it('creates an API key shown once, stored only as its SHA-256', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const created = await createKey(site.id, owner.auth, 'viewer');
    expect(created.key).toMatch(/^ak_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`ak_${created.prefix}_`)).toBe(true);
    const row = await t.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ site_id: site.id, role: 'viewer', created_by: owner.user.id, key_hash: sha256(created.key), revoked_at: null });
    expect(JSON.stringify(row)).not.toContain(created.key.slice(-43));

    const list = await call('GET', siteUrl(site.id, '/api-keys'), owner.auth);
    expect(list.statusCode).toBe(200);
    expect(list.json().api_keys).toEqual([expect.objectContaining({ id: created.id, prefix: created.prefix, role: 'viewer' })]);
    expect(list.json().api_keys[0]).not.toHaveProperty('key');
    expect(list.json().api_keys[0]).not.toHaveProperty('key_hash');
    expect(list.body).not.toContain(created.key.slice(-43));
    expect(list.body).not.toContain(row.key_hash);
  });

  it('authenticates with an API key as a bearer token or x-api-key, only for its own site and role', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { name: 'Keyed' });
    const otherSite = await createSite(t.app, owner.auth, { name: 'Other' });
    const { key } = await createKey(site.id, owner.auth, 'viewer');

    const keyHeaders: Headers[] = [{ authorization: `Bearer ${key}` }, { 'x-api-key': key }];
    for (const headers of keyHeaders) {
      const own = await call('GET', siteUrl(site.id), headers);
      expect(own.statusCode).toBe(200);
      expect(own.json()).toMatchObject({ id: site.id, role: 'viewer' });
      const other = await call('GET', siteUrl(otherSite.id), headers);
      expect(other.statusCode).toBe(404);
      expect(errorCode(other)).toBe('SITE_NOT_FOUND');
      const patch = await call('PATCH', siteUrl(site.id), headers, { name: 'Changed by key' });
      expect(patch.statusCode).toBe(403);
      expect(errorCode(patch)).toBe('FORBIDDEN');
    }
    // The site list of a key is its one site; a key cannot create sites.
    const list = await call('GET', '/api/v1/sites', { 'x-api-key': key });
    expect(list.json().sites.map((s: { id: string }) => s.id)).toEqual([site.id]);
    const create = await call('POST', '/api/v1/sites', { 'x-api-key': key }, { name: 'By key' });
    expect(create.statusCode).toBe(403);
    expect((await t.ctx.db.selectFrom('sites').select('name').where('id', '=', site.id).executeTakeFirstOrThrow()).name).toBe('Keyed');
  });

  it('never creates a key with more power than its creator', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const admin = await memberWithRole(site.id, owner.auth, 'admin');
    const analyst = await memberWithRole(site.id, owner.auth, 'analyst');

    const ownerKey = await call('POST', siteUrl(site.id, '/api-keys'), admin.auth, { name: 'too strong', role: 'owner' });
    expect(ownerKey.statusCode).toBe(403);
    expect(errorCode(ownerKey)).toBe('OWNER_REQUIRED');
    await createKey(site.id, admin.auth, 'admin'); // an equal role is fine
    const byAnalyst = await call('POST', siteUrl(site.id, '/api-keys'), analyst.auth, { name: 'x', role: 'viewer' });
    expect(byAnalyst.statusCode).toBe(403);
    expect(errorCode(byAnalyst)).toBe('FORBIDDEN');

    // An admin key is held to the same rule as an admin person.
    const adminKey = await createKey(site.id, owner.auth, 'admin');
    const viaKey = await call('POST', siteUrl(site.id, '/api-keys'), { 'x-api-key': adminKey.key }, { name: 'escalate', role: 'owner' });
    expect(viaKey.statusCode).toBe(403);
    expect(errorCode(viaKey)).toBe('OWNER_REQUIRED');

    const roles = await t.ctx.db.selectFrom('api_keys').select('role').where('site_id', '=', site.id).execute();
    expect(roles.map((r) => r.role).sort()).toEqual(['admin', 'admin']);
  });

  it('refuses revoked and malformed keys with 401', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth);
    const created = await createKey(site.id, owner.auth, 'admin');
    expect((await call('GET', siteUrl(site.id), { 'x-api-key': created.key })).statusCode).toBe(200);

    expect((await call('DELETE', siteUrl(site.id, `/api-keys/${created.id}`), owner.auth)).statusCode).toBe(204);
    const revokedHeaders: Headers[] = [{ 'x-api-key': created.key }, { authorization: `Bearer ${created.key}` }];
    for (const headers of revokedHeaders) {
      const res = await call('GET', siteUrl(site.id), headers);
      expect(res.statusCode).toBe(401);
      expect(errorCode(res)).toBe('API_KEY_REVOKED');
    }
    const row = await t.ctx.db.selectFrom('api_keys').select('revoked_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
    const twice = await call('DELETE', siteUrl(site.id, `/api-keys/${created.id}`), owner.auth);
    expect(errorCode(twice)).toBe('API_KEY_NOT_FOUND');

    // Malformed keys, and well-formed ones that match no key (one with a real prefix but a wrong secret).
    const unknownKeys = [`ak_${'a'.repeat(12)}_${'b'.repeat(43)}`, `ak_${created.prefix}_${'A'.repeat(43)}`];
    const attempts: Headers[] = [
      ...['nonsense', 'ak_short', `ak_${created.prefix}`, ...unknownKeys].map((k) => ({ 'x-api-key': k })),
      // A bearer credential counts as an API key only when it starts with ak_; others are JWTs (see route-auth).
      ...['ak_short', ...unknownKeys].map((k) => ({ authorization: `Bearer ${k}` })),
    ];
    for (const headers of attempts) {
      const res = await call('GET', siteUrl(site.id), headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(errorCode(res), JSON.stringify(headers)).toBe('API_KEY_INVALID');
    }
  });

  it('does not revoke another site\'s API key through a site you manage', async () => {
    const alice = await signUp(t.app);
    const bob = await signUp(t.app);
    const aliceSite = await createSite(t.app, alice.auth);
    const bobSite = await createSite(t.app, bob.auth);
    const bobKey = await createKey(bobSite.id, bob.auth, 'viewer');
    const res = await call('DELETE', siteUrl(aliceSite.id, `/api-keys/${bobKey.id}`), alice.auth);
    expect(res.statusCode).toBe(404);
    expect((await call('GET', siteUrl(bobSite.id), { 'x-api-key': bobKey.key })).statusCode).toBe(200);
  });

  // --- CORS ----------------------------------------------------------------------------

  it('answers CORS preflights for origins some site allows, and follows origin changes at once', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { allowed_origins: ['https://shop.example.com', 'https://cors-old.example.org'] });

    const allowed = await preflight('https://shop.example.com');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');

    const unknown = await preflight('https://unknown.example.net');
    expect(unknown.headers['access-control-allow-origin']).toBeUndefined();
    expect(unknown.statusCode).toBeGreaterThanOrEqual(400);

    // The allow-list is cached; a change must not wait for the cache to expire.
    expect((await preflight('https://cors-old.example.org')).headers['access-control-allow-origin']).toBe('https://cors-old.example.org');
    expect((await preflight('https://cors-new.example.org')).headers['access-control-allow-origin']).toBeUndefined();
    const patched = await call('PATCH', siteUrl(site.id), owner.auth, { allowed_origins: ['https://shop.example.com', 'https://cors-new.example.org'] });
    expect(patched.statusCode).toBe(200);
    const fresh = await preflight('https://cors-new.example.org');
    expect(fresh.statusCode).toBe(204);
    expect(fresh.headers['access-control-allow-origin']).toBe('https://cors-new.example.org');
    expect((await preflight('https://cors-old.example.org')).headers['access-control-allow-origin']).toBeUndefined();
  });

  // --- deletion ------------------------------------------------------------------------

  it('deletes a site with its members, invitations, API keys and end users, but not its operators', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { allowed_origins: ['https://doomed.example.org'] });
    const member = await memberWithRole(site.id, owner.auth, 'analyst');
    await call('POST', siteUrl(site.id, '/members'), owner.auth, { email: 'pending@example.com', role: 'viewer' });
    await createKey(site.id, owner.auth, 'viewer');
    expect((await registerEndUser(site.public_key)).statusCode).toBe(201);

    const count = async (table: 'site_members' | 'site_invites' | 'api_keys' | 'users') =>
      (await t.ctx.db.selectFrom(table).select('site_id').where('site_id', '=', site.id).execute()).length;
    expect([await count('site_members'), await count('site_invites'), await count('api_keys'), await count('users')]).toEqual([2, 1, 1, 1]);
    expect((await preflight('https://doomed.example.org')).headers['access-control-allow-origin']).toBe('https://doomed.example.org');

    expect((await call('DELETE', siteUrl(site.id), owner.auth)).statusCode).toBe(204);
    expect([await count('site_members'), await count('site_invites'), await count('api_keys'), await count('users')]).toEqual([0, 0, 0, 0]);
    const operators = await t.ctx.db.selectFrom('users').select('id').where('id', 'in', [owner.user.id, member.user.id]).execute();
    expect(operators).toHaveLength(2);
    expect((await preflight('https://doomed.example.org')).headers['access-control-allow-origin']).toBeUndefined();
  });
});
