// The ingest path's batched read of recorded consent (src/privacy/consent-lookup.ts): reads made at the same time go
// in one statement, and each still gets its own visitor's latest decision on its own site, or null.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decisionReader } from '../src/privacy/consent-lookup.js';
import { createSite, describeEachBackend, startAppWithSite, type TestApp } from './helpers.js';

describeEachBackend('batched consent reads', (backend) => {
  let t: TestApp;
  let siteA: string;
  let siteB: string;
  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    t = s.t;
    siteA = s.site.id;
    siteB = (await createSite(t.app, s.op.auth, { name: 'Second site' })).id;
  });
  afterAll(() => t?.close());

  const decide = (siteId: string, visitorId: string, analytics: boolean) =>
    t.ctx.db
      .insertInto('consent_records')
      .values({ site_id: siteId, visitor_id: visitorId, categories: JSON.stringify({ analytics, marketing: false, personalization: false }), policy_version: '1', source: 'api', created_at: new Date() })
      .execute();

  it('answers each of many concurrent reads with that visitor’s latest decision on that site', async () => {
    // Visitor v<i> decided analytics = (i odd) on site A, then changed their mind when i % 3 == 0; on site B the
    // same ids decided the opposite; ids from 40 on never decided.
    const expected = new Map<string, boolean | null>();
    for (let i = 0; i < 40; i++) {
      await decide(siteA, `v${i}`, i % 2 === 1);
      if (i % 3 === 0) await decide(siteA, `v${i}`, i % 2 === 0);
      await decide(siteB, `v${i}`, i % 2 === 0);
      expected.set(`${siteA}|v${i}`, i % 3 === 0 ? i % 2 === 0 : i % 2 === 1);
      expected.set(`${siteB}|v${i}`, i % 2 === 0);
    }
    for (let i = 40; i < 50; i++) for (const site of [siteA, siteB]) expected.set(`${site}|v${i}`, null);

    const read = decisionReader(t.ctx.db);
    const keys = [...expected.keys()];
    const answers = await Promise.all(keys.map((k) => read(k.split('|')[0]!, k.split('|')[1]!)));
    keys.forEach((k, i) => expect(answers[i] === null ? null : answers[i]!.analytics, k).toBe(expected.get(k)));
  });
});
