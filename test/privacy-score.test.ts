// The privacy compliance score: each check follows the setting or job it is about, and says what to fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendAudit } from '../src/audit/index.js';
import { createJobs } from '../src/jobs.js';
import { AUDIT_VERIFY_JOB, RETENTION_JOB } from '../src/privacy/index.js';
import { describeEachBackend, signUp, startAppWithSite, type TestApp } from './helpers.js';

interface Check { id: string; ok: boolean | null; fix: string | null; detail: string }
interface Score { score: number; checks: Check[] }

describeEachBackend('privacy score', (backend) => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof signUp>>;
  let site: { id: string };
  beforeAll(async () => {
    ({ t, op, site } = await startAppWithSite(backend, { PUBLIC_URL: 'https://augur.example.com' }));
  });
  afterAll(async () => { await t?.close(); });

  const score = async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/privacy/score`, headers: op.auth });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as Score;
    return { ...body, check: (id: string) => body.checks.find((c) => c.id === id)! };
  };

  it('starts with what a new site lacks, each with a fix, and leaves undecidable checks out of the score', async () => {
    const s = await score();
    expect(s.check('policy_link')).toMatchObject({ ok: false, fix: expect.stringMatching(/policy_url/) });
    expect(s.check('privacy_contact')).toMatchObject({ ok: false });
    expect(s.check('retention_running')).toMatchObject({ ok: false, fix: expect.stringMatching(/augur purge/) });
    expect(s.check('banner_live').ok).toBeNull(); // no visitors yet
    expect(s.check('audit_chain').ok).toBeNull(); // not checked yet
    expect(s.check('https')).toMatchObject({ ok: true });
    expect(s.check('encryption_key')).toMatchObject({ ok: true }); // tests set ENCRYPTION_KEYS
    expect(s.check('retention_limits')).toMatchObject({ ok: true });
    expect(s.score).toBeGreaterThan(0);
    expect(s.score).toBeLessThan(100);
  });

  it('rises as the owner fixes things and the jobs run, and falls when the audit log is tampered with', async () => {
    const before = (await score()).score;
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}`,
      headers: op.auth,
      payload: { settings: { privacy: { policy_url: 'https://shop.example.com/privacy', policy_version: '2', contact: 'dpo@shop.example.com' } } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const jobs = await createJobs(t.ctx, () => {});
    expect((await jobs.runNow(RETENTION_JOB))?.status).toBe('ok');
    expect((await jobs.runNow(AUDIT_VERIFY_JOB))?.result).toMatchObject({ ok: true });
    const s = await score();
    expect(s.check('policy_link').ok).toBe(true);
    expect(s.check('privacy_contact').detail).toMatch(/dpo@shop\.example\.com/);
    expect(s.check('retention_running').ok).toBe(true);
    expect(s.check('audit_chain').ok).toBe(true);
    expect(s.score).toBeGreaterThan(before);

    // Keeping raw events longer than 13 months costs points.
    const longer = { events_months: 24, sessions_months: 25, consent_months: 25, chat_months: 12, audit_months: 72 };
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/sites/${site.id}/privacy/retention`, headers: op.auth, payload: longer })).statusCode).toBe(200);
    expect((await score()).check('retention_limits')).toMatchObject({ ok: false, fix: expect.stringMatching(/13 months/) });

    await appendAudit(t.ctx.db, { actor: 'system', action: 'test.marker', at: new Date(t.clock.now()) });
    await t.ctx.db.updateTable('audit_log').set({ action: 'test.edited' }).where('action', '=', 'test.marker').execute();
    await jobs.runNow(AUDIT_VERIFY_JOB);
    expect((await score()).check('audit_chain')).toMatchObject({ ok: false, fix: expect.stringMatching(/backup/) });
  });

  it('is for members only', async () => {
    const stranger = await signUp(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/privacy/score`, headers: stranger.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/privacy/score` })).statusCode).toBe(401);
  });
});
