// Installs that already have accounts: rows written in clear before migration 0006 are encrypted
// by the post-migration step (and sign-in keeps working); `rotate-keys` moves every value to the
// active key of a two-key ring.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { hashPassword } from '../src/auth/passwords.js';
import { totpCode } from '../src/auth/totp.js';
import type { AppContext } from '../src/context.js';
import { openPglite, openPostgres, type DbHandle } from '../src/db/client.js';
import { ENCRYPTED_COLUMNS } from '../src/db/encrypted-columns.js';
import { encryptLegacyRows, personalFieldsStep, rotateFieldKeys } from '../src/db/field-encryption.js';
import { loadMigrations, migrate } from '../src/db/migrate.js';
import { createBlindIndex } from '../src/platform/blind-index.js';
import { manualClock } from '../src/platform/clock.js';
import { openContext } from '../src/runtime.js';
import { createScratchDatabase, describeEachBackend, signUp, testConfig, type Backend } from './helpers.js';
import { tablesContaining, tamper } from './raw-rows.js';

const OLD_KEY = `old:${Buffer.alloc(32, 11).toString('base64')}`;
const NEW_KEY = `new:${Buffer.alloc(32, 12).toString('base64')}`;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** An empty database of the backend, migrated only up to (not including) 0006: the schema of an older install. */
async function olderInstall(backend: Backend): Promise<DbHandle> {
  let handle: DbHandle;
  if (backend.name === 'pglite') {
    handle = await openPglite({});
    cleanups.push(() => handle.close());
  } else {
    const scratch = await createScratchDatabase();
    handle = openPostgres({ url: scratch.url, poolMax: 4 });
    cleanups.push(async () => { await handle.close(); await scratch.drop(); });
  }
  await migrate(handle, loadMigrations().filter((m) => m.version < 6));
  return handle;
}

/** An app over an existing database handle; closing it leaves the handle open. */
async function appOn(handle: DbHandle, env: Record<string, string> = {}) {
  const clock = manualClock(Date.parse('2026-06-01T12:00:00Z'));
  const ctx: AppContext = await openContext(testConfig(env), { dbHandle: handle, clock });
  const app = await buildApp(ctx);
  await app.ready();
  cleanups.push(() => app.close());
  let n = 0;
  const post = (url: string, payload: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload, headers, remoteAddress: `198.18.0.${++n}` });
  return { app, ctx, clock, post };
}

/** Every encrypted value stored, as "table.column" → key ids in use. */
async function keyIdsInUse(db: DbHandle['db']): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const c of ENCRYPTED_COLUMNS) {
    const rows = await sql<{ k: string }>`select distinct split_part(${sql.ref(c.column)}, '.', 2) as k from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null order by 1`.execute(db);
    out[c.aad] = rows.rows.map((r) => r.k);
  }
  return out;
}

describeEachBackend('upgrade to encrypted personal fields', (backend) => {
  it('encrypts and indexes accounts and invitations stored in clear, in batches, once; sign-in and invitations keep working', async () => {
    const handle = await olderInstall(backend);
    const hashed = await hashPassword('legacy-password-1');
    const site = (await sql<{ id: string }>`insert into sites (name, public_key) values ('Old shop', 'pk_legacy_site') returning id`.execute(handle.db)).rows[0]!.id;
    const insertUser = (siteId: string | null, email: string, username: string, first: string | null, last: string | null, role = 'operator') =>
      sql`insert into users (site_id, email, username, hashed_password, first_name, last_name, role) values (${siteId}, ${email}, ${username}, ${hashed}, ${first}, ${last}, ${role}::user_role)`.execute(handle.db);
    await insertUser(null, 'Legacy.Admin@Example.com', 'legacy_admin', 'Adalind', 'Lovelacey', 'admin');
    for (let i = 1; i <= 4; i++) await insertUser(null, `old.op${i}@example.com`, `old_op${i}`, null, null);
    await insertUser(site, 'Legacy.Admin@Example.com', 'legacy_customer', 'Adalind', null, 'user');
    // Plaintext that merely looks like a ciphertext is still plaintext (usernames may contain dots).
    await insertUser(null, 'tricky@example.com', 'enc1.t1.AAAAAAAAAAAAAAAA.trick', null, null);
    await sql`insert into site_invites (site_id, email, role, token_hash, expires_at) values (${site}, 'Legacy.Invitee@Example.org', 'viewer', ${sha256('inv_legacy')}, ${new Date('2030-01-01T00:00:00Z')})`.execute(handle.db);

    const { ctx, post } = await appOn(handle);
    await migrate(handle, loadMigrations(), [personalFieldsStep(ctx, 3)]);

    const users = await handle.db.selectFrom('users').selectAll().orderBy('id').execute();
    expect(users).toHaveLength(7);
    for (const u of users) {
      expect([u.email, u.username].every((v) => v.startsWith('enc1.t1.'))).toBe(true);
      expect(u.email_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(u.username_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(ctx.cipher.decrypt(users[0]!.first_name!, 'users.first_name')).toBe('Adalind');
    expect(ctx.cipher.decrypt(users[6]!.username, 'users.username')).toBe('enc1.t1.AAAAAAAAAAAAAAAA.trick');
    for (const value of ['legacy.admin@example.com', 'legacy_admin', 'Adalind', 'Lovelacey', 'old.op3@example.com', 'legacy.invitee@example.org', 'tricky@example.com']) {
      expect(await tablesContaining(handle.db, value), value).toEqual([]);
    }

    // Running the step again (every start does) changes nothing.
    const snapshot = JSON.stringify(await handle.db.selectFrom('users').selectAll().orderBy('id').execute());
    expect(await migrate(handle, loadMigrations(), [personalFieldsStep(ctx)])).toEqual([]);
    expect(await encryptLegacyRows(handle.db, ctx)).toBe(0);
    expect(JSON.stringify(await handle.db.selectFrom('users').selectAll().orderBy('id').execute())).toBe(snapshot);

    const login = await post('/api/v1/auth/login', { email: 'LEGACY.ADMIN@example.com', password: 'legacy-password-1' });
    expect(login.statusCode).toBe(200);
    expect(login.json().user).toMatchObject({ email: 'Legacy.Admin@Example.com', username: 'legacy_admin', first_name: 'Adalind', last_name: 'Lovelacey', role: 'admin' });
    expect((await post('/api/v1/auth/login', { email: 'legacy.admin@example.com', password: 'legacy-password-1', site_key: 'pk_legacy_site' })).json().user.username).toBe('legacy_customer');
    expect((await post('/api/v1/auth/login', { email: 'tricky@example.com', password: 'legacy-password-1' })).json().user.username).toBe('enc1.t1.AAAAAAAAAAAAAAAA.trick');
    // Uniqueness carries over to the rows that were plaintext.
    expect((await post('/api/v1/auth/register', { email: 'old.OP2@example.com', username: 'fresh_name', password: 'fresh-password-1' })).statusCode).toBe(409);
    const joined = await post('/api/v1/auth/register', { email: 'legacy.invitee@example.ORG', username: 'invitee', password: 'invitee-password-1', invite_token: 'inv_legacy' });
    expect(joined.statusCode).toBe(201);
  });

  it('refuses to start with a blind-index key other than the one the database was indexed with', async () => {
    const handle = await olderInstall(backend);
    const { ctx } = await appOn(handle);
    await migrate(handle, loadMigrations(), [personalFieldsStep(ctx)]);
    const other = { cipher: ctx.cipher, blindIndex: createBlindIndex(Buffer.alloc(32, 99)) };
    await expect(migrate(handle, loadMigrations(), [personalFieldsStep(other)])).rejects.toThrow(/blind-index key is not the one this database was indexed with/);
  });
});

describeEachBackend('encryption key rotation', (backend) => {
  it('reads old values with a two-key ring, moves every value to the active key in batches, then works without the old key', async () => {
    const { handle, destroy } = await backend.open();
    cleanups.push(destroy);
    const before = await appOn(handle, { ENCRYPTION_KEYS: OLD_KEY });
    const ops = [];
    for (let i = 0; i < 3; i++) ops.push(await signUp(before.app));
    const named = await before.post('/api/v1/auth/register', { email: 'Named.Person@Example.com', username: 'named', password: 'named-password-1', first_name: 'Namea', last_name: 'Personb' });
    const site = (await before.post('/api/v1/sites', { name: 'Rotated', allowed_origins: [] }, ops[0]!.auth)).json();
    expect((await before.post(`/api/v1/sites/${site.id}/members`, { email: 'Pending.Invite@Example.com', role: 'viewer' }, ops[0]!.auth)).statusCode).toBe(201);
    const { secret } = (await before.post('/api/v1/auth/totp/enroll', {}, ops[1]!.auth)).json();
    expect((await before.post('/api/v1/auth/totp/activate', { code: totpCode(secret, before.clock.now()) }, ops[1]!.auth)).statusCode).toBe(200);

    // The new key goes first; the old one stays so old values still decrypt.
    const ring = await appOn(handle, { ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` });
    expect((await ring.post('/api/v1/auth/login', { email: ops[0]!.email.toUpperCase(), password: ops[0]!.password })).statusCode).toBe(200);
    await signUp(ring.app);
    expect(await keyIdsInUse(handle.db)).toMatchObject({ 'users.email': ['new', 'old'], 'users.totp_secret': ['old'], 'site_invites.email': ['old'] });

    const report = await rotateFieldKeys(handle.db, ring.ctx.cipher, 2);
    expect(report).toEqual({
      rotated: { 'users.email': 4, 'users.username': 4, 'users.first_name': 1, 'users.last_name': 1, 'users.totp_secret': 1, 'site_invites.email': 1 },
      remaining: 0,
    });
    expect(Object.values(await keyIdsInUse(handle.db)).flat().every((k) => k === 'new')).toBe(true);
    expect((await rotateFieldKeys(handle.db, ring.ctx.cipher)).rotated['users.email']).toBe(0);

    const after = await appOn(handle, { ENCRYPTION_KEYS: NEW_KEY });
    after.clock.advance(60_000);
    const login = await after.post('/api/v1/auth/login', { email: ops[1]!.email, password: ops[1]!.password, totp_code: totpCode(secret, after.clock.now()) });
    expect(login.statusCode).toBe(200);
    const me = await after.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${(await after.post('/api/v1/auth/login', { email: 'named.person@example.com', password: 'named-password-1' })).json().access_token}` } });
    expect(me.json()).toMatchObject({ id: named.json().user.id, first_name: 'Namea', last_name: 'Personb' });
    const owner = (await after.post('/api/v1/auth/login', { email: ops[0]!.email, password: ops[0]!.password })).json().access_token;
    const listed = await after.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/members`, headers: { authorization: `Bearer ${owner}` } });
    expect(listed.json().invites[0].email).toBe('Pending.Invite@Example.com');
  });

  it('stops loudly at a value that does not decrypt, naming the column and row but not the value', async () => {
    const { handle, destroy } = await backend.open();
    cleanups.push(destroy);
    const before = await appOn(handle, { ENCRYPTION_KEYS: OLD_KEY });
    const op = await signUp(before.app, { email: 'Broken.Row@Example.com' });
    const row = await handle.db.selectFrom('users').select('email').where('id', '=', op.user.id).executeTakeFirstOrThrow();
    await handle.db.updateTable('users').set({ email: tamper(row.email) }).where('id', '=', op.user.id).execute();
    const ring = await appOn(handle, { ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` });
    const failure = rotateFieldKeys(handle.db, ring.ctx.cipher);
    await expect(failure).rejects.toThrow(new RegExp(`users\\.email of row ${op.user.id} cannot be decrypted`));
    await expect(failure).rejects.not.toThrow(/Broken\.Row/i);
  });
});
