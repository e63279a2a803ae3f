// `augur simulate` against the real server over real HTTP: a backfill and a fast live run, and
// the rows they leave behind match what the server acknowledged and what the ground truth says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSimulation, type SimulationOptions, type TruthRecord } from '../src/simulator/index.js';
import { describeEachBackend, startAppWithSite, type TestApp, SITE_ORIGIN as ORIGIN } from './helpers.js';


describeEachBackend('augur simulate', (backend) => {
  let t: TestApp;
  let base: Omit<SimulationOptions, 'visitors' | 'rate' | 'truthFile'>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-simulate-'));

  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    t = s.t;
    const key = await t.app.inject({ method: 'POST', url: `/api/v1/sites/${s.site.id}/api-keys`, headers: s.op.auth, payload: { name: 'simulator', role: 'analyst' } });
    expect(key.statusCode, key.body).toBe(201);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    base = { url: `http://127.0.0.1:${port}`, site: s.site.public_key, origin: ORIGIN, apiKey: key.json().key, speed: 1, seed: 'integration', surveyFraction: 0.5, rejectFraction: 0.25, progressEveryMs: 60_000 };
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = async (where = sql`true`) => Number((await sql<{ n: number }>`select count(*)::int as n from user_events where ${where}`.execute(t.ctx.db)).rows[0]!.n);
  const truthOf = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TruthRecord);

  it('backfills days of history that the server accepts and stores in full', async () => {
    const truthFile = path.join(dir, 'backfill.jsonl');
    const before = await count();
    const summary = await runSimulation({ ...base, visitors: 40, rate: 1000, days: 3, truthFile, now: () => t.clock.now() }, () => {});
    expect(summary.samples).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(summary.rejected).toBe(0);
    expect(summary.accepted).toBe(summary.eventsSent);
    expect(await count()).toBe(before + summary.accepted);

    const truth = truthOf(truthFile);
    expect(truth.length).toBe(summary.sessions);
    const oldest = Math.min(...truth.map((r) => Date.parse(r.started_at)));
    expect(oldest).toBeLessThan(t.clock.now() - 86_400_000); // older than the 24 h a browser may send
    // Each consented session of the truth is a stored session with its page views.
    for (const r of truth.filter((x) => x.session_id)) {
      const views = await count(sql`session_id = ${r.session_id} and event_type = 'page_view'`);
      expect(views).toBe(r.pages.length);
    }
    const answers = truth.filter((r) => r.survey_answer).length;
    expect(await count(sql`event_type = 'survey'`)).toBe(answers);
  });

  it('plays live visitors through the browser path (Origin, no API key)', async () => {
    const truthFile = path.join(dir, 'live.jsonl');
    const before = await count();
    const server0 = t.clock.now();
    const real0 = Date.now();
    const summary = await runSimulation(
      { ...base, apiKey: undefined, visitors: 12, rate: 50, speed: 5000, liveReturnCapMs: 50, truthFile, now: () => server0 + (Date.now() - real0) },
      () => {},
    );
    expect(summary.samples).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(summary.mode).toBe('live');
    expect(summary.accepted).toBe(summary.eventsSent);
    expect(await count()).toBe(before + summary.accepted);
    expect(truthOf(truthFile).length).toBe(summary.sessions);
  });
});
