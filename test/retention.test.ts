// Retention: per-site policies, the scheduled purge (rows in batches, whole partitions when every
// site is past them), the audit log's expired prefix with a chain that still verifies, and the
// database-held schedule shared by nodes.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, pruneAuditPrefix } from '../src/audit/index.js';
import { verifyAudit } from '../src/audit/log.js';
import { runRetention } from '../src/privacy/index.js';
import { createScheduler } from '../src/platform/scheduler.js';
import { manualClock } from '../src/platform/clock.js';
import { ensurePartitions, newWriterState, writeBatches } from '../src/tracking/writer.js';
import { createSite, describeEachBackend, signUp, startApp, type TestApp } from './helpers.js';

type Headers = Record<string, string>;
const DAY = 86_400_000;

describeEachBackend('retention', (backend) => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let analyst: Awaited<ReturnType<typeof signUp>>;
  let shortSite: { id: string };
  let longSite: { id: string };
  beforeAll(async () => {
    t = await startApp(backend, { RETENTION_BATCH_ROWS: '10' });
    owner = await signUp(t.app);
    analyst = await signUp(t.app);
    shortSite = await createSite(t.app, owner.auth, { name: 'Short memory' });
    longSite = await createSite(t.app, owner.auth, { name: 'Defaults' });
    await t.app.inject({ method: 'POST', url: `/api/v1/sites/${shortSite.id}/members`, headers: owner.auth, payload: { email: analyst.email, role: 'analyst' } });
  });
  afterAll(async () => { await t?.close(); });

  const call = (method: 'GET' | 'PUT', url: string, headers: Headers, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const policyUrl = (siteId: string) => `/api/v1/sites/${siteId}/privacy/retention`;
  const short = { events_months: 1, sessions_months: 2, consent_months: 3, chat_months: 1, audit_months: 12 };

  /** Events (and their sessions and consent) of one visitor on a site, `ageDays` before the clock's now. */
  async function seed(siteId: string, ageDays: number, events: number) {
    const at = t.clock.now() - ageDays * DAY;
    const visitor = `v_${crypto.randomBytes(6).toString('hex')}`;
    const session = `s_${crypto.randomBytes(6).toString('hex')}`;
    await ensurePartitions(t.ctx.db, newWriterState(), [at]);
    await t.ctx.db.insertInto('user_sessions').values({ session_id: session, site_id: siteId, visitor_id: visitor, start_time: new Date(at), end_time: new Date(at + 60_000) } as never).execute();
    await t.ctx.db
      .insertInto('user_events')
      .values(Array.from({ length: events }, (_, i) => ({ event_id: crypto.randomUUID(), session_id: session, site_id: siteId, visitor_id: visitor, event_type: 'page_view', event_data: '{}', timestamp: new Date(at + i * 1000), page_url: '/' })))
      .execute();
    await t.ctx.db.insertInto('consent_records').values({ site_id: siteId, visitor_id: visitor, categories: '{"analytics":true}', policy_version: '1', source: 'banner', created_at: new Date(at) }).execute();
    return visitor;
  }
  const count = async (table: 'user_events' | 'user_sessions' | 'consent_records', siteId: string) =>
    Number((await t.ctx.db.selectFrom(table).select(sql<string>`count(*)`.as('n')).where('site_id', '=', siteId).executeTakeFirstOrThrow()).n);
  const partitions = async () =>
    (await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'user_events'::regclass ORDER BY 1`.execute(t.ctx.db)).rows.map((r) => r.name);

  it('serves the defaults, stores an edited policy with an audit entry, and checks who may do what', async () => {
    const first = await call('GET', policyUrl(shortSite.id), owner.auth);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ is_default: true, policy: { events_months: 13, sessions_months: 25, consent_months: 25, chat_months: 12, audit_months: 72 } });

    const put = await call('PUT', policyUrl(shortSite.id), owner.auth, short);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ is_default: false, policy: short });
    const entry = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'retention.updated').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ site_id: shortSite.id, actor: `user:${owner.user.id}`, details: { before: { events_months: 13 }, after: short } });

    // Consent proof may not expire before the data it covers.
    const tooShort = await call('PUT', policyUrl(shortSite.id), owner.auth, { ...short, consent_months: 1 });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.code).toBe('RETENTION_CONSENT_TOO_SHORT');
    for (const bad of [{ ...short, events_months: 0 }, { ...short, audit_months: 6 }, { ...short, extra: 1 }, { events_months: 1 }]) {
      expect((await call('PUT', policyUrl(shortSite.id), owner.auth, bad)).statusCode).toBe(400);
    }
    // Analysts see the policy but may not change it; strangers do not learn the site exists.
    expect((await call('GET', policyUrl(shortSite.id), analyst.auth)).statusCode).toBe(200);
    expect((await call('PUT', policyUrl(shortSite.id), analyst.auth, short)).statusCode).toBe(403);
    expect((await call('GET', policyUrl(longSite.id), analyst.auth)).statusCode).toBe(404);
    expect((await call('GET', policyUrl(shortSite.id), {})).statusCode).toBe(401);
    expect((await call('GET', policyUrl(shortSite.id), owner.auth)).json()).toMatchObject({ policy: short });
  });

  it('purges each site by its own policy, in batches, and drops a month partition only when every site is past it', async () => {
    const oldShort = await seed(shortSite.id, 45, 25); // past the short site's month, within the defaults
    const recentShort = await seed(shortSite.id, 2, 5);
    await seed(longSite.id, 45, 12);
    const veryOld = 420; // past 13 months: every site's cutoff
    await seed(shortSite.id, veryOld, 7);
    await seed(longSite.id, veryOld, 9);
    const oldMonth = new Date(t.clock.now() - veryOld * DAY).toISOString().slice(0, 7).replace('-', '_');
    expect(await partitions()).toContain(`user_events_${oldMonth}`);

    const report = await runRetention(t.ctx);
    expect(report.partitions_dropped).toEqual([`user_events_${oldMonth}`]);
    expect(await partitions()).not.toContain(`user_events_${oldMonth}`);
    // 25 rows in batches of 10 (RETENTION_BATCH_ROWS), plus the partition's 7 + 9.
    expect(report.purged.events).toBe(25 + 7 + 9);
    expect(await count('user_events', shortSite.id)).toBe(5);
    expect(await count('user_events', longSite.id)).toBe(12);
    // Sessions (2 months) and consent (3 months) of the short site; the defaults keep the others.
    expect(report.purged.sessions).toBe(1); // the short site's 420-day one; the defaults keep sessions 25 months
    expect(report.purged.consent_records).toBe(1);
    const sessionsLeft = await t.ctx.db.selectFrom('user_sessions').select('visitor_id').where('site_id', '=', shortSite.id).execute();
    expect(sessionsLeft.map((s) => s.visitor_id).sort()).toEqual([oldShort, recentShort].sort());
    expect(await count('consent_records', shortSite.id)).toBe(2);
    expect(await t.ctx.db.selectFrom('consent_records').select('id').where('visitor_id', '=', oldShort).execute()).toHaveLength(1);

    // The site's retention view lists what went, including the rows that went with the partition.
    const purges = await call('GET', `${policyUrl(shortSite.id)}/purges`, owner.auth);
    expect(purges.statusCode, purges.body).toBe(200);
    const rows = (purges.json() as { purges: { data_kind: string; rows_purged: number; partitions: string[] }[] }).purges;
    expect(rows.filter((r) => r.data_kind === 'events').map((r) => r.rows_purged).sort((a, b) => a - b)).toEqual([7, 25]);
    expect(rows.find((r) => r.partitions.length > 0)?.partitions).toEqual([`user_events_${oldMonth}`]);
    expect((await call('GET', `${policyUrl(longSite.id)}/purges`, analyst.auth)).statusCode).toBe(404);

    // Audited (ids and counts only), counted in the metrics, and a second run finds nothing.
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'retention.purged').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ run_id: report.run_id, partitions_dropped: [`user_events_${oldMonth}`] });
    const metrics = (await t.ctx.metrics.registry.getSingleMetricAsString('retention_purged_rows_total'));
    expect(metrics).toMatch(/kind="events"} 41/);
    expect((await runRetention(t.ctx)).purged).toEqual({ events: 0, sessions: 0, consent_records: 0, audit_entries: 0 });
  });

  it('writes again into a month whose partition the purge dropped', async () => {
    const at = t.clock.now() - 420 * DAY;
    const state = newWriterState();
    await ensurePartitions(t.ctx.db, state, [at]);
    await runRetention(t.ctx);
    // The writer still believes the partition exists; its insert recreates it.
    const stored = await writeBatches(t.ctx.db, state, [
      {
        site_id: longSite.id, visitor_id: 'v_backfill', session_id: 's_backfill', cookieless: false, consent: { analytics: true },
        device: { device_type: 'desktop', browser: 'Firefox', os: 'Linux' },
        events: [{ event_id: crypto.randomUUID(), type: 'page_view', ts: at, url: 'https://shop.example.com/', data: {} }],
      },
    ]);
    expect(stored).toHaveLength(1);
  });

  it('removes the expired prefix of the audit log, keeps the chain verifiable, and still detects a deletion', async () => {
    const old = new Date(t.clock.now() - 8 * 365 * DAY);
    for (let i = 0; i < 23; i++) await appendAudit(t.ctx.db, { actor: 'system', action: 'test.old', details: { i }, at: old });
    await appendAudit(t.ctx.db, { actor: 'system', action: 'test.new', at: new Date(t.clock.now()) });
    // Entries written before these (by the earlier tests) are recent: they hold the prefix back.
    const blocked = await pruneAuditPrefix(t.ctx.db, () => monthsAgo(72), 10);
    expect(blocked.pruned).toBe(0);
    // Once every earlier entry has expired too (a cutoff after all of them), the prefix goes, in batches.
    const lastOld = Number((await t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'test.old').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).id);
    const removable = await t.ctx.db.selectFrom('audit_log').select('id').where('id', '<=', lastOld).execute();
    const cutoffOf = () => new Date(t.clock.now() + DAY); // everything but the newest entry
    const pruned = await pruneAuditPrefix(t.ctx.db, cutoffOf, 10);
    expect(pruned.pruned).toBeGreaterThanOrEqual(removable.length);
    const verdict = await verifyAudit(t.ctx.db);
    expect(verdict).toMatchObject({ ok: true, prunedThroughId: pruned.throughId });
    expect(await t.ctx.db.selectFrom('audit_log').select('id').execute()).toHaveLength(1); // never the newest

    // New entries chain on; deleting the first remaining one is still caught.
    await appendAudit(t.ctx.db, { actor: 'system', action: 'test.after', at: new Date(t.clock.now()) });
    await appendAudit(t.ctx.db, { actor: 'system', action: 'test.after', at: new Date(t.clock.now()) });
    expect((await verifyAudit(t.ctx.db)).ok).toBe(true);
    const first = await t.ctx.db.selectFrom('audit_log').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
    await t.ctx.db.deleteFrom('audit_log').where('id', '=', first.id).execute();
    expect(await verifyAudit(t.ctx.db)).toMatchObject({ ok: false, reason: 'chain_broken' });
  });

  function monthsAgo(months: number) {
    const d = new Date(t.clock.now());
    d.setUTCMonth(d.getUTCMonth() - months);
    return d;
  }
});

describeEachBackend('scheduler', (backend) => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp(backend); });
  afterAll(async () => { await t?.close(); });

  it('runs a due job on exactly one of two nodes, keeps the schedule across restarts, and takes over an expired lease', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    let runs = 0;
    const job = { name: 'test.count', intervalMs: 3_600_000, run: async () => { runs += 1; await new Promise((r) => setTimeout(r, 30)); return { runs }; } };
    const nodeA = await createScheduler({ db: t.ctx.db, clock, jobs: [job] });
    const nodeB = await createScheduler({ db: t.ctx.db, clock, jobs: [job] });
    const [ranA, ranB] = await Promise.all([nodeA.tick(), nodeB.tick()]);
    expect(runs).toBe(1);
    expect([...ranA, ...ranB]).toEqual(['test.count']);
    const row = await t.ctx.db.selectFrom('scheduled_jobs').selectAll().where('name', '=', 'test.count').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ last_status: 'ok', last_result: { runs: 1 }, locked_by: null });
    expect(row.next_run_at.getTime()).toBe(clock.now() + 3_600_000);

    // A restarted node keeps the stored schedule: nothing is due until the interval has passed.
    const restarted = await createScheduler({ db: t.ctx.db, clock, jobs: [job] });
    expect(await restarted.tick()).toEqual([]);
    clock.advance(3_600_000);
    expect(await restarted.tick()).toEqual(['test.count']);
    expect(runs).toBe(2);

    // A node that died holding the lease: the job waits for the lease to expire, then runs elsewhere.
    clock.advance(3_600_000);
    await t.ctx.db.updateTable('scheduled_jobs').set({ locked_by: 'dead-node', locked_until: new Date(clock.now() + 60_000) }).where('name', '=', 'test.count').execute();
    expect(await nodeA.tick()).toEqual([]);
    clock.advance(61_000);
    expect(await nodeA.tick()).toEqual(['test.count']);
    expect(runs).toBe(3);
  });

  it('records a failed run and schedules the next one', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    const failures: string[] = [];
    const s = await createScheduler({ db: t.ctx.db, clock, jobs: [{ name: 'test.fail', intervalMs: 60_000, run: async () => { throw new Error('disk on fire'); } }], onError: (name) => failures.push(name) });
    expect(await s.tick()).toEqual(['test.fail']);
    const row = await t.ctx.db.selectFrom('scheduled_jobs').selectAll().where('name', '=', 'test.fail').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ last_status: 'failed', last_error: 'disk on fire', locked_until: null });
    expect(failures).toEqual(['test.fail']);
    expect((await s.runNow('test.fail'))?.status).toBe('failed');
  });
});

describe('monthsBefore', () => {
  it('steps calendar months and clamps to the shorter month', async () => {
    const { monthsBefore } = await import('../src/privacy/retention.js');
    expect(monthsBefore(new Date('2026-03-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(monthsBefore(new Date('2026-01-15T00:00:00Z'), 13).toISOString()).toBe('2024-12-15T00:00:00.000Z');
    expect(monthsBefore(new Date('2024-02-29T00:00:00Z'), 12).toISOString()).toBe('2023-02-28T00:00:00.000Z');
  });
});
