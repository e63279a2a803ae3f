// The intent training pipeline end to end: simulated traffic through the real ingest API (survey answers on part of
// the visitors), training runs started over HTTP, the registry, the card, promotion, and the privacy rules
// (pseudonymized snapshot, no subject id in anything the registry or the audit keeps).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSimulation, INTENTS } from '../src/simulator/index.js';
import { OUTCOME_FEATURES } from '../src/intent/index.js';
import { buildSnapshot } from '../src/intent/training/snapshot.js';
import { BROWSER_UA, createSite, describeEachBackend, signUp, startAppWithSite, type TestApp, SITE_ORIGIN } from './helpers.js';

describeEachBackend('intent training pipeline', (backend) => {
  let t: TestApp;
  let site: { id: string };
  let owner: { auth: Record<string, string> };
  let analystKey: string;
  let publicKey: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-intent-training-'));
  const base = () => `/api/v1/sites/${site.id}/intent`;
  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    ({ t, site, op: owner } = s);
    publicKey = s.site.public_key;
    const key = await call('POST', `/api/v1/sites/${site.id}/api-keys`, owner.auth, { name: 'simulator', role: 'analyst' });
    expect(key.statusCode, key.body).toBe(201);
    analystKey = key.json().key;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const summary = await runSimulation(
      { url: `http://127.0.0.1:${port}`, site: s.site.public_key, origin: SITE_ORIGIN, apiKey: analystKey, speed: 1, seed: 'intent-training', surveyFraction: 0.6, rejectFraction: 0.1, progressEveryMs: 60_000, visitors: 260, rate: 5000, days: 5, truthFile: path.join(dir, 'truth.jsonl'), now: () => t.clock.now() },
      () => {},
    );
    expect(summary.ok).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a run and waits for it to finish; returns the run as the API shows it. */
  async function train(body: object) {
    const res = await call('POST', `${base()}/train`, owner.auth, body);
    expect(res.statusCode, res.body).toBe(202);
    const { run_id, status_url } = res.json();
    for (let i = 0; i < 600; i++) {
      const run = (await call('GET', status_url, owner.auth)).json();
      if (run.status === 'succeeded' || run.status === 'failed') return { run_id, ...run };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('training did not finish');
  }
  const fixed = { budget_seconds: 30, max_trials: 3, seed: 7 };

  it('refuses a site without labels with a clear 422, and checks who asks', async () => {
    const empty = await createSite(t.app, owner.auth, { name: 'No labels' });
    const res = await call('POST', `/api/v1/sites/${empty.id}/intent/train`, owner.auth, { task: 'visit_reason' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error.code).toBe('INTENT_NOT_ENOUGH_LABELS');
    expect(res.json().error.message).toMatch(/survey answers/);
    // analytics.read (an analyst key) may read the registry but not train or promote; outsiders see no site.
    expect((await call('POST', `${base()}/train`, { 'x-api-key': analystKey }, {})).statusCode).toBe(403);
    expect((await call('GET', `${base()}/models`, { 'x-api-key': analystKey })).statusCode).toBe(200);
    const outsider = await signUp(t.app);
    expect((await call('POST', `${base()}/train`, outsider.auth, {})).statusCode).toBe(404);
    expect((await call('GET', `${base()}/models`, outsider.auth)).statusCode).toBe(404);
  });

  it('snapshots consented sessions keyed by digests, labels from survey answers', async () => {
    const snap = await buildSnapshot(t.ctx, site.id, 'visit_reason');
    const ids = (await t.ctx.db.selectFrom('user_sessions').select(['session_id', 'visitor_id']).where('site_id', '=', site.id).execute());
    const surveyed = Number((await sql<{ n: number }>`select count(distinct session_id)::int as n from user_events where site_id = ${site.id} and event_type = 'survey'`.execute(t.ctx.db)).rows[0]!.n);
    expect(surveyed).toBeGreaterThan(60);
    expect(snap.rows.length).toBe(surveyed);
    const raw = new Set(ids.flatMap((r) => [r.session_id, r.visitor_id]));
    for (const r of snap.rows) {
      expect(raw.has(r.key)).toBe(false);
      expect(r.key).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(INTENTS).toContain(r.label);
    }
    // The same data gives the same hash.
    expect((await buildSnapshot(t.ctx, site.id, 'visit_reason')).dataHash).toBe(snap.dataHash);
  });

  let champion: string;
  it('trains a visit-reason model well above chance, registers it with a card and promotes the first one', async () => {
    const run = await train({ task: 'visit_reason', ...fixed });
    expect(run.status, run.error).toBe('succeeded');
    expect(run.progress).toBe(1);
    expect(run.result.promotion).toMatchObject({ promoted: true, reason: 'no_champion' });
    // Five reasons: chance is 0.2 macro-F1; the simulator's intents show in behaviour.
    expect(run.result.holdout_score).toBeGreaterThan(0.5);
    champion = run.result.model_id;

    const model = (await call('GET', `${base()}/models/${champion}`, { 'x-api-key': analystKey })).json();
    expect(model).toMatchObject({ id: champion, task: 'visit_reason', version: 1, status: 'champion' });
    expect(model).not.toHaveProperty('artifact');
    expect(model.classes).toEqual([...INTENTS].sort());
    expect(model.data_hash).toMatch(/^[0-9a-f]{64}$/);
    const holdout = model.metrics.holdout;
    expect(holdout.macro.f1).toBe(run.result.holdout_score);
    expect(holdout.confusion.matrix).toHaveLength(5);
    for (const k of ['accuracy', 'roc_auc', 'pr_auc', 'log_loss', 'calibration_error']) expect(typeof holdout[k], k).toBe('number');
    expect(holdout.per_class.map((c: { class: string }) => c.class)).toEqual(model.classes);
    expect(model.card).toMatchObject({ task: 'visit_reason', version: 1, data: { pseudonymized: true, rows: run.result.rows }, model: { kind: run.result.kind, class_weight: 'balanced' } });
    expect(model.card.intended_use).toMatch(/Not for/);
    expect(Object.values(model.card.data.class_balance as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(run.result.rows);

    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'subject', 'details']).where('site_id', '=', site.id).where('action', 'like', 'model.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['model.trained', 'model.promoted']);
    expect(audit[0]!.subject).toBe(`model:${champion}`);
    expect(audit[0]!.details).toMatchObject({ rows: run.result.rows, version: 1, task: 'visit_reason' });
  }, 120_000);

  it('keeps no subject id in the artifact, the card, the run or the audit', async () => {
    const ids = (await t.ctx.db.selectFrom('user_sessions').select(['session_id', 'visitor_id', 'user_id']).where('site_id', '=', site.id).execute()).flatMap((r) => [r.session_id, r.visitor_id, r.user_id]).filter((v): v is string => Boolean(v));
    expect(ids.length).toBeGreaterThan(200);
    const stored = [
      ...(await t.ctx.db.selectFrom('intent_models').selectAll().where('site_id', '=', site.id).execute()),
      ...(await t.ctx.db.selectFrom('training_runs').selectAll().where('site_id', '=', site.id).execute()),
      ...(await t.ctx.db.selectFrom('audit_log').selectAll().where('action', 'like', 'model.%').execute()),
    ];
    const text = JSON.stringify(stored);
    expect(text).toContain('"artifact"');
    expect(text.length).toBeGreaterThan(10_000);
    for (const id of ids) expect(text.includes(id), id).toBe(false);
  });

  it('leaves a candidate that does not beat the champion as candidate; refuses a second concurrent run', async () => {
    const first = await call('POST', `${base()}/train`, owner.auth, { task: 'visit_reason', ...fixed });
    expect(first.statusCode).toBe(202);
    const second = await call('POST', `${base()}/train`, owner.auth, { task: 'visit_reason', ...fixed });
    expect(second.statusCode, second.body).toBe(409);
    expect(second.json().error.code).toBe('TRAINING_IN_PROGRESS');
    let run;
    do {
      await new Promise((r) => setTimeout(r, 100));
      run = (await call('GET', first.json().status_url, owner.auth)).json();
    } while (run.status === 'queued' || run.status === 'running');
    // Same data, seed and trials: the same model, so not better on the same holdout.
    expect(run.status, run.error).toBe('succeeded');
    expect(run.result.promotion).toMatchObject({ promoted: false, reason: 'not_better_than_champion', champion_id: champion });
    expect(run.result.promotion.champion_score).toBe(run.result.holdout_score);
    const models = (await call('GET', `${base()}/models?task=visit_reason`, owner.auth)).json().models;
    expect(models.map((m: { version: number; status: string }) => [m.version, m.status])).toEqual([[2, 'candidate'], [1, 'champion']]);

    // Manual promotion: owners only; the old champion is retired.
    const candidate = models[0].id;
    expect((await call('POST', `${base()}/models/${candidate}/promote`, { 'x-api-key': analystKey })).statusCode).toBe(403);
    const promoted = await call('POST', `${base()}/models/${candidate}/promote`, owner.auth);
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ id: candidate, status: 'champion' });
    expect((await call('GET', `${base()}/models/${champion}`, owner.auth)).json().status).toBe('retired');
    const entry = await t.ctx.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'model.promoted').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry.details).toMatchObject({ automatic: false, retired: champion, version: 2 });
    expect(entry.actor).toMatch(/^user:\d+$/);
    expect((await call('POST', `${base()}/models/${crypto.randomUUID()}/promote`, owner.auth)).statusCode).toBe(404);
  }, 120_000);

  it('trains a conversion model without the outcome columns (a run that died with its process does not block it)', async () => {
    const died = crypto.randomUUID();
    await t.ctx.db.insertInto('training_runs').values({ id: died, site_id: site.id, task: 'conversion', status: 'running', requested_by: 'cli', params: '{}', created_at: new Date(t.clock.now() - 4 * 3_600_000) }).execute();
    const run = await train({ task: 'conversion', ...fixed });
    expect(run.run_id).not.toBe(died);
    expect(run.status, run.error).toBe('succeeded');
    expect(run.result.metric).toBe('roc_auc');
    expect(run.result.holdout_score).toBeGreaterThan(0.7);
    const model = (await call('GET', `${base()}/models/${run.result.model_id}`, owner.auth)).json();
    expect(model.classes).toEqual(['not_converted', 'converted']);
    for (const f of OUTCOME_FEATURES) expect(model.feature_names).not.toContain(f);
    expect(model.status).toBe('champion');
  }, 120_000);
  it("exports and erases a visitor's predictions, and an erased visitor leaves the next snapshot", async () => {
    const before = await buildSnapshot(t.ctx, site.id, 'visit_reason');
    const labelled = await sql<{ visitor_id: string; session_id: string }>`
      select s.visitor_id, s.session_id from user_sessions s join user_events e on e.session_id = s.session_id and e.event_type = 'survey'
      where s.site_id = ${site.id} order by s.session_id limit 1`.execute(t.ctx.db);
    const { visitor_id: visitor, session_id: session } = labelled.rows[0]!;
    await t.ctx.db.insertInto('intent_predictions').values({ prediction_id: crypto.randomUUID(), session_id: session, site_id: site.id, visitor_id: visitor, predicted_intent: 'buy', confidence_score: 0.7, probabilities: JSON.stringify({ buy: 0.7, browse: 0.3 }), model_version: '1', events_seen: 4, timestamp: new Date(t.clock.now()) }).execute();
    const dataUrl = (q: string) => `/api/v1/sites/${site.id}/privacy/data?visitor_id=${visitor}&reason=${q}`;
    const exported = await call('GET', dataUrl('access'), owner.auth);
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json().intent_predictions).toEqual([expect.objectContaining({ session_id: session, predicted_intent: 'buy', events_seen: 4 })]);
    const erased = await t.app.inject({ method: 'DELETE', url: dataUrl('erasure'), headers: owner.auth });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().erased.intent_predictions).toBe(1);
    expect(await t.ctx.db.selectFrom('intent_predictions').select('prediction_id').where('visitor_id', '=', visitor).execute()).toEqual([]);
    const after = await buildSnapshot(t.ctx, site.id, 'visit_reason');
    expect(after.rows.length).toBe(before.rows.length - erased.json().erased.sessions);
    expect(after.rows.length).toBeLessThan(before.rows.length);
    expect(after.dataHash).not.toBe(before.dataHash);
  });
  it('cuts a conversion session at its first outcome: the submit, the conversion and what follows are not features', async () => {
    const visitor = 'v_cut_at_outcome';
    const session = 's_cut_at_outcome';
    const headers = { origin: SITE_ORIGIN, 'content-type': 'text/plain', 'user-agent': BROWSER_UA };
    const consent = await t.app.inject({ method: 'POST', url: '/api/v1/privacy/consent', headers, payload: JSON.stringify({ site: publicKey, visitor_id: visitor, categories: { analytics: true, marketing: false, personalization: false }, policy_version: '1' }) });
    expect(consent.statusCode, consent.body).toBeLessThan(300);
    const events = [
      { type: 'page_view', data: {}, path: '/pricing' },
      { type: 'click', data: { tag: 'a' }, path: '/pricing' },
      { type: 'form', data: { action: 'submit' }, path: '/signup' },
      { type: 'conversion', data: { type: 'signup' }, path: '/signup' },
      { type: 'page_view', data: {}, path: '/thanks' },
      { type: 'click', data: { tag: 'a' }, path: '/thanks' },
    ];
    const sent = await t.app.inject({
      method: 'POST',
      url: '/api/v1/track/event',
      headers,
      payload: JSON.stringify({ site: publicKey, sent_at: t.clock.now(), visitor_id: visitor, session_id: session, consent: { analytics: true }, events: events.map((e, i) => ({ event_id: crypto.randomUUID(), type: e.type, ts: t.clock.now() + i * 1000, url: `${SITE_ORIGIN}${e.path}`, data: e.data })) }),
    });
    expect(sent.statusCode, sent.body).toBe(202);
    const snap = await buildSnapshot(t.ctx, site.id, 'conversion');
    const row = snap.rows.find((r) => r.key === t.ctx.pseudonymize(`intent-training:${site.id}|${session}`));
    expect(row?.label).toBe('converted');
    const at = (name: string) => row!.features[snap.featureNames.indexOf(name)];
    expect(at('events')).toBe(2); // the page view and the click before the submit
    expect(at('pages')).toBe(1);
    expect(at('events_form')).toBe(0);
    for (const f of OUTCOME_FEATURES) expect(snap.featureNames).not.toContain(f);
  });
});
