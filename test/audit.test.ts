// The audit log: real actions leave hash-chained entries with ids only; verify finds edits and deletions.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendAudit } from '../src/audit/index.js';
import { createSite, describeEachBackend, signUp, startApp, type TestApp } from './helpers.js';

type Headers = Record<string, string>;
interface Entry { id: number; actor: string; action: string; subject: string | null; details: Record<string, unknown> }

describeEachBackend('audit log', (backend) => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let member: Awaited<ReturnType<typeof signUp>>;
  let site: { id: string };
  let adminAuth: Headers;
  beforeAll(async () => {
    t = await startApp(backend);
    owner = await signUp(t.app);
    member = await signUp(t.app);
    site = await createSite(t.app, owner.auth);
    const admin = await signUp(t.app);
    await t.ctx.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.user.id).execute();
    adminAuth = (await login(admin.email, admin.password)).auth;
  });
  afterAll(async () => { await t?.close(); });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) =>
    t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  async function login(email: string, password: string) {
    const res = await call('POST', '/api/v1/auth/login', {}, { email, password });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { access_token: string };
    return { auth: { authorization: `Bearer ${body.access_token}` } };
  }
  const siteAudit = async (query = '', headers: Headers = owner.auth) => {
    const res = await call('GET', `/api/v1/sites/${site.id}/audit${query}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { entries: Entry[]; next_before_id: number | null };
  };
  const verify = async () => {
    const res = await call('GET', '/api/v1/audit/verify', adminAuth);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { ok: boolean; entries: number; first_bad_id?: number; reason?: string };
  };
  const allIds = async () => (await t.ctx.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => Number(r.id));

  it('records logins, member changes, API keys and site changes, with actors as ids and no personal data', async () => {
    await login(owner.email, owner.password);
    const base = `/api/v1/sites/${site.id}`;
    expect((await call('POST', `${base}/members`, owner.auth, { email: member.email, role: 'viewer' })).statusCode).toBe(201);
    expect((await call('PATCH', `${base}/members/${member.user.id}`, owner.auth, { role: 'analyst' })).statusCode).toBe(204);
    const key = (await call('POST', `${base}/api-keys`, owner.auth, { name: 'CRM', role: 'admin' })).json() as { id: string; key: string };
    const byKey = (await call('POST', `${base}/api-keys`, { 'x-api-key': key.key }, { name: 'child', role: 'viewer' })).json() as { id: string };
    expect((await call('PATCH', base, owner.auth, { name: 'Renamed', settings: { retention_days: 30 } })).statusCode).toBe(200);
    expect((await call('POST', `${base}/rotate-key`, owner.auth)).statusCode).toBe(200);
    expect((await call('DELETE', `${base}/members/${member.user.id}`, owner.auth)).statusCode).toBe(204);

    const { entries } = await siteAudit();
    const byAction = (action: string) => entries.filter((e) => e.action === action);
    const ownerActor = `user:${owner.user.id}`;
    expect(entries.map((e) => e.action)).toEqual([
      'member.removed', 'site.key_rotated', 'site.updated', 'apikey.created', 'apikey.created', 'member.role_changed', 'member.added', 'site.created',
    ]);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a));
    expect(byAction('member.added')[0]).toMatchObject({ actor: ownerActor, subject: `user:${member.user.id}`, details: { role: 'viewer' } });
    expect(byAction('member.role_changed')[0]).toMatchObject({ actor: ownerActor, subject: `user:${member.user.id}`, details: { from: 'viewer', to: 'analyst' } });
    expect(byAction('member.removed')[0]).toMatchObject({ actor: ownerActor, subject: `user:${member.user.id}` });
    expect(byAction('apikey.created')).toEqual([
      expect.objectContaining({ actor: `apikey:${key.id}`, subject: `apikey:${byKey.id}`, details: { role: 'viewer' } }),
      expect.objectContaining({ actor: ownerActor, subject: `apikey:${key.id}`, details: { role: 'admin' } }),
    ]);
    expect(byAction('site.updated')[0]).toMatchObject({ actor: ownerActor, details: { fields: ['name', 'settings'], settings: ['retention_days'] } });

    const logins = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.login').where('actor', '=', ownerActor).execute();
    expect(logins).toHaveLength(1);
    expect(logins[0]!.site_id).toBeNull();

    const everything = JSON.stringify(await t.ctx.db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [owner.email, member.email, owner.username, member.username, key.key, '@']) expect(everything).not.toContain(secret);
  });

  it('filters by action and pages newest first with before_id', async () => {
    const keys = await siteAudit('?action=apikey.created');
    expect(keys.entries.map((e) => e.action)).toEqual(['apikey.created', 'apikey.created']);
    const first = await siteAudit('?limit=3');
    expect(first.entries).toHaveLength(3);
    expect(first.next_before_id).toBe(first.entries[2]!.id);
    const rest = await siteAudit(`?limit=50&before_id=${first.next_before_id}`);
    expect(rest.next_before_id).toBeNull();
    expect(rest.entries.every((e) => e.id < first.next_before_id!)).toBe(true);
    expect(first.entries.length + rest.entries.length).toBe((await siteAudit()).entries.length);
  });

  it('filters by action family, actor, subject and time', async () => {
    const members = await siteAudit('?action=member.');
    expect(new Set(members.entries.map((e) => e.action))).toEqual(new Set(['member.added', 'member.role_changed', 'member.removed']));
    // The family filter is a prefix, not a pattern: wildcard characters match only themselves.
    expect((await siteAudit('?action=%25.')).entries).toEqual([]);
    const byOwner = await siteAudit(`?actor=user:${owner.user.id}`);
    expect(byOwner.entries.length).toBeGreaterThan(0);
    expect(byOwner.entries.every((e) => e.actor === `user:${owner.user.id}`)).toBe(true);
    const aboutMember = await siteAudit(`?subject=user:${member.user.id}`);
    expect(aboutMember.entries.map((e) => e.action)).toEqual(['member.removed', 'member.role_changed', 'member.added']);
    const now = new Date(t.clock.now()).toISOString();
    expect((await siteAudit(`?until=${encodeURIComponent(now)}`)).entries).toEqual([]);
    expect((await siteAudit(`?since=${encodeURIComponent(now)}`)).entries.length).toBe((await siteAudit()).entries.length);
    expect((await call('GET', `/api/v1/sites/${site.id}/audit?since=yesterday`, owner.auth)).statusCode).toBe(400);
  });

  it('records nothing for a change that was refused (the entry shares its transaction)', async () => {
    const before = (await allIds()).length;
    const res = await call('PATCH', `/api/v1/sites/${site.id}/members/${owner.user.id}`, owner.auth, { role: 'viewer' });
    expect(res.json().error.code).toBe('LAST_OWNER');
    expect(await allIds()).toHaveLength(before);
  });

  it('shows the site audit to owners and admins only, and verify to instance admins only', async () => {
    const outsider = await signUp(t.app);
    expect((await call('GET', `/api/v1/sites/${site.id}/audit`, outsider.auth)).statusCode).toBe(404);
    const viewer = await signUp(t.app);
    await call('POST', `/api/v1/sites/${site.id}/members`, owner.auth, { email: viewer.email, role: 'viewer' });
    expect((await call('GET', `/api/v1/sites/${site.id}/audit`, viewer.auth)).statusCode).toBe(403);

    const refused = await call('GET', '/api/v1/audit/verify', owner.auth);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('ADMIN_REQUIRED');
    const key = (await call('POST', `/api/v1/sites/${site.id}/api-keys`, owner.auth, { name: 'k', role: 'owner' })).json() as { key: string };
    expect((await call('GET', '/api/v1/audit/verify', { 'x-api-key': key.key })).statusCode).toBe(403);
  });

  it('keeps one linear chain under concurrent appends', async () => {
    const at = new Date(t.clock.now());
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(t.ctx.db, { actor: 'system', action: 'test.concurrent', subject: `n:${i}`, details: { i, nested: { b: [i], a: 1 } }, at })));
    const rows = await t.ctx.db.selectFrom('audit_log').select(['prev_hash', 'hash']).orderBy('id').execute();
    expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length);
    expect(await verify()).toEqual({ ok: true, entries: rows.length });
  });

  it('finds an edited entry (hash_mismatch) and a deleted one (chain_broken)', async () => {
    const ids = await allIds();
    const middle = ids[Math.floor(ids.length / 2)]!;
    const original = await t.ctx.db.selectFrom('audit_log').select('details').where('id', '=', middle).executeTakeFirstOrThrow();

    await sql`UPDATE audit_log SET details = '{"x":1}' WHERE id = ${middle}`.execute(t.ctx.db);
    expect(await verify()).toEqual({ ok: false, entries: ids.indexOf(middle), first_bad_id: middle, reason: 'hash_mismatch' });

    await t.ctx.db.updateTable('audit_log').set({ details: JSON.stringify(original.details) }).where('id', '=', middle).execute();
    expect((await verify()).ok).toBe(true);

    await t.ctx.db.deleteFrom('audit_log').where('id', '=', middle).execute();
    const next = ids[ids.indexOf(middle) + 1]!;
    expect(await verify()).toEqual({ ok: false, entries: ids.indexOf(middle), first_bad_id: next, reason: 'chain_broken' });

    // Deleting the very first entry shows too: the chain no longer starts at the genesis hash.
    const fresh = await startApp(backend);
    try {
      await appendAudit(fresh.ctx.db, { actor: 'system', action: 'test.a', at: new Date() });
      await appendAudit(fresh.ctx.db, { actor: 'system', action: 'test.b', at: new Date() });
      const [first, second] = (await fresh.ctx.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      await fresh.ctx.db.deleteFrom('audit_log').where('id', '=', first!).execute();
      const { verifyAudit } = await import('../src/audit/log.js');
      expect(await verifyAudit(fresh.ctx.db)).toEqual({ ok: false, entries: 0, firstBadId: second, reason: 'chain_broken' });
    } finally {
      await fresh.close();
    }
  });
});
