// The survey's configuration: served to the site's pages, written by owners and admins only, validated and audited.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTENTS } from '../src/simulator/index.js';
import { describeEachBackend, signUp, startAppWithSite, type TestApp, SITE_ORIGIN as ORIGIN } from './helpers.js';

describeEachBackend('intent survey settings', (backend) => {
  let t: TestApp;
  let site: { id: string; public_key: string };
  let owner: Record<string, string>;
  beforeAll(async () => {
    const s = await startAppWithSite(backend);
    ({ t, site } = s);
    owner = s.op.auth;
  });
  afterAll(() => t?.close());

  const survey = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: `/api/v1/intent/survey?site=${site.public_key}`, headers });
  const put = (payload: unknown, headers = owner) => t.app.inject({ method: 'PUT', url: `/api/v1/sites/${site.id}/intent/taxonomy`, headers, payload: payload as object });
  const taxonomy = [
    { id: 'pricing', labels: { en: 'See prices', de: 'Preise ansehen' } },
    { id: 'demo', labels: { en: 'Book a demo' } },
  ];

  it('serves the default taxonomy to allowed origins only', async () => {
    const res = await survey({ origin: ORIGIN });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.json().taxonomy.map((o: { id: string }) => o.id)).toEqual([...INTENTS]);
    expect(res.json()).toMatchObject({ survey_rate: 0.05, survey_after_pages: 2 });
    expect((await survey({ origin: 'https://evil.example' })).json().error.code).toBe('TRACK_ORIGIN_NOT_ALLOWED');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/intent/survey?site=pk_nosuchsite000', headers: { origin: ORIGIN } })).statusCode).toBe(403);
  });

  it('lets the owner set it, keeps the other settings, audits it and serves it at once', async () => {
    await t.app.inject({ method: 'PATCH', url: `/api/v1/sites/${site.id}`, headers: owner, payload: { settings: { privacy: { policy_version: '7' } } } });
    const res = await put({ taxonomy, survey_rate: 0.5, survey_after_pages: 3 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ taxonomy, survey_rate: 0.5, survey_after_pages: 3 });
    expect((await survey({ referer: `${ORIGIN}/pricing` })).json()).toEqual({ taxonomy, survey_rate: 0.5, survey_after_pages: 3 });
    const row = await t.ctx.db.selectFrom('sites').select('settings').where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row.settings.privacy).toEqual({ policy_version: '7' });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'intent.taxonomy_updated').execute();
    expect(audit).toEqual([{ action: 'intent.taxonomy_updated', details: { options: ['pricing', 'demo'], survey_rate: 0.5, survey_after_pages: 3 } }]);
    // Without rate and pages the defaults apply again.
    expect((await put({ taxonomy })).json()).toMatchObject({ survey_rate: 0.05, survey_after_pages: 2 });
  });

  it('refuses malformed taxonomies with a clear error and changes nothing', async () => {
    const before = (await survey({ origin: ORIGIN })).json();
    const bad = async (payload: unknown, code: string) => {
      const res = await put(payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe(code);
    };
    await bad({ taxonomy: [taxonomy[0], { ...taxonomy[1], id: 'pricing' }] }, 'INTENT_TAXONOMY_INVALID');
    await bad({ taxonomy: [taxonomy[0], { id: 'Bad Id', labels: { en: 'x' } }] }, 'VALIDATION_FAILED');
    await bad({ taxonomy: [taxonomy[0], { id: 'nolabel', labels: {} }] }, 'VALIDATION_FAILED');
    await bad({ taxonomy: [taxonomy[0]] }, 'VALIDATION_FAILED');
    await bad({ taxonomy, survey_rate: 2 }, 'VALIDATION_FAILED');
    await bad({ taxonomy: [taxonomy[0], { id: 'x', labels: { en: '   ' } }] }, 'INTENT_TAXONOMY_INVALID');
    expect((await survey({ origin: ORIGIN })).json()).toEqual(before);
  });

  it('is for owners and admins of the site only', async () => {
    const stranger = await signUp(t.app);
    expect((await put({ taxonomy }, stranger.auth)).statusCode).toBe(404);
    expect((await put({ taxonomy }, {})).statusCode).toBe(401);
  });
});
