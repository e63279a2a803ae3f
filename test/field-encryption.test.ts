// Personal fields of accounts and invitations at rest: only ciphertext and blind indexes in the
// database, every flow that reads them still works, and a tampered value fails loudly.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSite, describeEachBackend, signUp, startApp, type TestApp } from './helpers.js';
import { tablesContaining, tamper } from './raw-rows.js';

const GRACE = { email: 'Grace.Hopper@Example.com', username: 'grace_hopper', password: 'grace-password-1', first_name: 'Gracelyn', last_name: 'Hopperwick' };
const INVITEE = 'Invited.Person@Example.org';
const CUSTOMER = { email: 'Customer.One@Example.net', username: 'customer_one', password: 'customer-password', first_name: 'Zebulon' };
// Everything personal this suite writes; none of it may be stored or logged in clear.
const PERSONAL = [GRACE.email, GRACE.username, GRACE.first_name, GRACE.last_name, INVITEE, CUSTOMER.email, CUSTOMER.username, CUSTOMER.first_name];

describeEachBackend('personal fields encrypted at rest', (backend) => {
  let t: TestApp;
  let site: { id: string; public_key: string };
  let grace: { auth: Record<string, string>; id: number };
  let addr = 0;
  beforeAll(async () => {
    t = await startApp(backend, { LOG_LEVEL: 'debug' });
  });
  afterAll(async () => { await t?.close(); });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, payload, headers, remoteAddress: `192.0.2.${++addr}` });
  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('stores emails, usernames and names as ciphertext bound to their column, with blind indexes', async () => {
    const res = await post('/api/v1/auth/register', GRACE);
    expect(res.statusCode).toBe(201);
    grace = { auth: bearer(res.json().access_token), id: res.json().user.id };
    expect(res.json().user).toMatchObject({ email: GRACE.email, username: GRACE.username, first_name: GRACE.first_name, last_name: GRACE.last_name });
    site = await createSite(t.app, grace.auth);
    expect((await post('/api/v1/auth/register', { ...CUSTOMER, site_key: site.public_key })).statusCode).toBe(201);

    const row = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', grace.id).executeTakeFirstOrThrow();
    for (const column of ['email', 'username', 'first_name', 'last_name'] as const) {
      expect(row[column]).toMatch(/^enc1\.t1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      expect(t.ctx.cipher.decrypt(row[column]!, `users.${column}`)).toBe(GRACE[column]);
      // The column is the associated data: the same value read as another column does not decrypt.
      expect(() => t.ctx.cipher.decrypt(row[column]!, 'users.other')).toThrow();
    }
    expect(row.email_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row.username_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs in with any letter case of the email; /me answers the decrypted fields', async () => {
    const login = await post('/api/v1/auth/login', { email: 'GRACE.HOPPER@example.COM', password: GRACE.password });
    expect(login.statusCode).toBe(200);
    const me = await get('/api/v1/auth/me', bearer(login.json().access_token));
    expect(me.json()).toMatchObject({ id: grace.id, email: GRACE.email, username: GRACE.username, first_name: GRACE.first_name, last_name: GRACE.last_name });
    // End users sign in within their site only: the same lookup among operators finds nobody.
    expect((await post('/api/v1/auth/login', { email: 'customer.one@EXAMPLE.net', password: CUSTOMER.password, site_key: site.public_key })).statusCode).toBe(200);
    expect((await post('/api/v1/auth/login', { email: CUSTOMER.email, password: CUSTOMER.password })).statusCode).toBe(401);
  });

  it('keeps emails and usernames unique whatever their letter case, within each scope', async () => {
    const dupEmail = await post('/api/v1/auth/register', { email: 'grace.hopper@EXAMPLE.com', username: 'someone_else', password: 'another-password-1' });
    expect(dupEmail.statusCode).toBe(409);
    expect(dupEmail.json().error.code).toBe('AUTH_ACCOUNT_EXISTS');
    const dupName = await post('/api/v1/auth/register', { email: 'someone@example.com', username: 'GRACE_HOPPER', password: 'another-password-1' });
    expect(dupName.statusCode).toBe(409);
    // An operator's address is free among a site's end users, once.
    const asCustomer = { email: GRACE.email, username: GRACE.username, password: 'customer-password-2', site_key: site.public_key };
    expect((await post('/api/v1/auth/register', asCustomer)).statusCode).toBe(201);
    expect((await post('/api/v1/auth/register', { ...asCustomer, email: GRACE.email.toUpperCase(), username: 'other_name' })).statusCode).toBe(409);
  });

  it('invites by email: listed decrypted, accepted with the address in any case, existing operators added by email', async () => {
    const invited = await post(`/api/v1/sites/${site.id}/members`, { email: INVITEE, role: 'analyst' }, grace.auth);
    expect(invited.statusCode).toBe(201);
    const { invite_token, invite_id } = invited.json();
    const listed = (await get(`/api/v1/sites/${site.id}/members`, grace.auth)).json();
    expect(listed.invites).toEqual([expect.objectContaining({ id: invite_id, email: INVITEE, role: 'analyst' })]);
    expect(listed.members).toEqual([expect.objectContaining({ user_id: grace.id, email: GRACE.email, username: GRACE.username, role: 'owner' })]);

    const wrong = await post('/api/v1/auth/register', { email: 'not.invited@example.org', username: 'not_invited', password: 'invitee-password-1', invite_token });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('INVITE_EMAIL_MISMATCH');
    const joined = await post('/api/v1/auth/register', { email: 'invited.person@EXAMPLE.org', username: 'invitee', password: 'invitee-password-1', invite_token });
    expect(joined.statusCode).toBe(201);
    const members = (await get(`/api/v1/sites/${site.id}/members`, grace.auth)).json();
    expect(members.invites).toEqual([]);
    expect(members.members).toContainEqual(expect.objectContaining({ user_id: joined.json().user.id, email: 'invited.person@EXAMPLE.org', username: 'invitee', role: 'analyst' }));

    const colleague = await signUp(t.app);
    const added = await post(`/api/v1/sites/${site.id}/members`, { email: colleague.email.toUpperCase(), role: 'viewer' }, grace.auth);
    expect(added.json()).toMatchObject({ status: 'added', user_id: colleague.user.id });
  });

  it('labels the authenticator entry with the decrypted email', async () => {
    const enroll = await post('/api/v1/auth/totp/enroll', {}, grace.auth);
    expect(enroll.statusCode).toBe(200);
    expect(enroll.json().otpauth_uri).toContain(`otpauth://totp/${encodeURIComponent(`Augur:${GRACE.email}`)}?`);
  });

  it('holds no email, username or name in clear in any table (audit log included) or log line', async () => {
    // The search does find what is stored in clear.
    expect(await tablesContaining(t.ctx.db, site.public_key)).toEqual(['sites']);
    for (const value of PERSONAL) expect(await tablesContaining(t.ctx.db, value), value).toEqual([]);
    // The audit log did record these flows, by id.
    const actions = (await t.ctx.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.login', 'member.invited', 'member.added']));
    const logs = t.logs.join('\n').toLowerCase();
    expect(logs).toContain('incoming request');
    for (const value of PERSONAL) expect(logs, value).not.toContain(value.toLowerCase());
  });

  it('fails loudly on a tampered ciphertext or one moved to another column; the database refuses plaintext', async () => {
    const victim = await signUp(t.app, { email: 'Tamper.Target@Example.com' });
    const before = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', victim.user.id).executeTakeFirstOrThrow();
    expect((await get('/api/v1/auth/me', victim.auth)).statusCode).toBe(200);

    await t.ctx.db.updateTable('users').set({ email: tamper(before.email) }).where('id', '=', victim.user.id).execute();
    const me = await get('/api/v1/auth/me', victim.auth);
    expect(me.statusCode).toBe(500);
    expect(me.body).not.toContain('Tamper.Target');
    const login = await post('/api/v1/auth/login', { email: victim.email, password: victim.password });
    expect(login.statusCode).toBe(500);

    // A valid ciphertext of another column (here: the username) is refused too.
    await t.ctx.db.updateTable('users').set({ email: before.username }).where('id', '=', victim.user.id).execute();
    expect((await get('/api/v1/auth/me', victim.auth)).statusCode).toBe(500);

    await expect(sql`update users set email = 'plain@example.com' where id = ${victim.user.id}`.execute(t.ctx.db)).rejects.toThrow(/users_personal_fields_encrypted/);
    await expect(sql`update users set email_index = null where id = ${victim.user.id}`.execute(t.ctx.db)).rejects.toThrow(/users_personal_fields_encrypted/);
    // The accepted invitation is still stored.
    await expect(sql`update site_invites set email = 'plain@example.com'`.execute(t.ctx.db)).rejects.toThrow(/site_invites_email_encrypted/);
    expect(t.logs.join('\n')).not.toContain('Tamper.Target');

    await t.ctx.db.updateTable('users').set({ email: before.email }).where('id', '=', victim.user.id).execute();
    expect((await get('/api/v1/auth/me', victim.auth)).json().email).toBe('Tamper.Target@Example.com');
  });
});
