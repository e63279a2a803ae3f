// Walks the whole route table: every route is either on an explicit public list or refuses
// callers without valid credentials, and no site route serves an operator of another site.
import crypto from 'node:crypto';
import dc from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from 'fastify';
import { createSite, pgliteBackend, signUp, startApp, type TestApp } from './helpers.js';

// Adding a public route must be a conscious change to this list. The docs UI (/docs and
// everything under /docs/) is checked separately: plugin-made, read-only.
const EXPECTED_PUBLIC = [
  'GET /', 'HEAD /', // redirects to /docs
  'GET /health', 'HEAD /health',
  'GET /health/ready', 'HEAD /health/ready',
  'GET /metrics', 'HEAD /metrics',
  'GET /openapi.json', 'HEAD /openapi.json',
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/setup',
  // Ingest: authenticated by the site's public key plus an allowed Origin, or a site API key.
  'POST /api/v1/track/event', 'POST /api/track/event',
  'POST /api/v1/track/page-view', 'POST /api/track/page-view',
  'POST /api/v1/track/session', 'POST /api/track/session',
  // Consent decisions from the banner: the same site-key + Origin check as ingest.
  'POST /api/v1/privacy/consent', 'POST /api/privacy/consent',
  'GET /api/v1/privacy/consent', 'HEAD /api/v1/privacy/consent', 'GET /api/privacy/consent', 'HEAD /api/privacy/consent',
  // The consent banner's texts and policy version: the same check.
  'GET /api/v1/privacy/banner', 'HEAD /api/v1/privacy/banner',
  // The visit-reason survey's options and rate: the same check.
  'GET /api/v1/intent/survey', 'HEAD /api/v1/intent/survey',
  // The tracker and consent banner scripts, loaded by every tracked page, and the survey the banner loads.
  'GET /t.js', 'HEAD /t.js',
  'GET /widget.js', 'HEAD /widget.js',
  'GET /survey.js', 'HEAD /survey.js',
  // The CORS preflight route of @fastify/cors: browsers send preflights without credentials.
  'OPTIONS *',
];

// A valid body for each site route that takes one, so that the authorization check, not
// validation, decides the answer. The values would do damage if authorization let them through.
const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /api/v1/sites/:siteId': { name: 'Taken over' },
  'POST /api/v1/sites/:siteId/members': { email: 'intruder@example.com', role: 'owner' },
  'PATCH /api/v1/sites/:siteId/members/:userId': { role: 'viewer' },
  'POST /api/v1/sites/:siteId/api-keys': { name: 'stolen', role: 'owner' },
  'PUT /api/v1/sites/:siteId/privacy/retention': { events_months: 1, sessions_months: 1, consent_months: 1, chat_months: 1, audit_months: 12 },
  'POST /api/v1/sites/:siteId/intent/train': { task: 'visit_reason', budget_seconds: 1 },
  'PUT /api/v1/sites/:siteId/intent/taxonomy': { taxonomy: [{ id: 'hijacked', labels: { en: 'Hijacked' } }, { id: 'other', labels: { en: 'Other' } }] },
};

// A valid query for each site route whose query has required fields, for the same reason.
const SAMPLE_QUERIES: Record<string, string> = {
  'GET /api/v1/sites/:siteId/privacy/data': 'visitor_id=visitor_guarded&reason=probing',
  'HEAD /api/v1/sites/:siteId/privacy/data': 'visitor_id=visitor_guarded&reason=probing',
  'DELETE /api/v1/sites/:siteId/privacy/data': 'visitor_id=visitor_guarded&reason=probing',
};

interface Route {
  method: string;
  url: string;
  /** Fastify's options object for the route: its config is final once the app is ready. */
  options: RouteOptions;
}

const isPublic = (r: Route) => (r.options.config as { public?: boolean } | undefined)?.public === true;
const isDocs = (r: Route) => r.url === '/docs' || r.url.startsWith('/docs/');
const label = (r: Route) => `${r.method} ${r.url}`;

/**
 * Starts the app while recording every route. Fastify announces each new instance on the
 * 'fastify.initialization' diagnostics channel before any plugin or route is added, so an
 * onRoute hook added there sees every route, including those of plugins (CORS, docs), with
 * no test-only code in src/. Method and url are copied at once because Fastify reuses the
 * options object for a prefix's trailing-slash variant; config is read later because hooks
 * that run after ours (the one in app.ts that marks /docs public) still change it.
 */
async function startRecordingRoutes(): Promise<{ t: TestApp; routes: Route[] }> {
  const routes: Route[] = [];
  const onInit = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (options) => {
      for (const method of [options.method].flat()) routes.push({ method, url: options.url, options });
    });
  };
  dc.subscribe('fastify.initialization', onInit);
  try {
    return { t: await startApp(pgliteBackend), routes };
  } finally {
    dc.unsubscribe('fastify.initialization', onInit);
  }
}

/** The route's url with every :param filled in, from `values` or else a well-formed stand-in. */
function fillParams(route: Route, values: Record<string, string> = {}): string {
  const props = (route.options.schema?.params as { properties?: Record<string, { type?: string }> } | undefined)?.properties ?? {};
  return route.url
    .replace(/:(\w+)/g, (_, name: string) => values[name] ?? (props[name]?.type === 'integer' ? '1' : crypto.randomUUID()))
    .replace(/\*$/, 'anything');
}

const errorCode = (res: LightMyRequestResponse) => (res.json() as { error?: { code?: string } }).error?.code;

describe('route table authorization', () => {
  let t: TestApp;
  let routes: Route[];
  beforeAll(async () => { ({ t, routes } = await startRecordingRoutes()); });
  afterAll(async () => { await t?.close(); });

  const nonPublic = () => routes.filter((r) => !isPublic(r));
  const inject = (route: Route, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method: route.method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('records the real route table', () => {
    // Guards the walk below against passing on an empty or made-up table.
    // (The router stores the catch-all "*" as "/*".)
    for (const r of routes) expect(t.app.hasRoute({ method: r.method as 'GET', url: r.url === '*' ? '/*' : r.url }), label(r)).toBe(true);
    const labels = routes.map(label);
    for (const known of ['GET /api/v1/auth/me', 'DELETE /api/v1/sites/:siteId/api-keys/:keyId', 'HEAD /api/v1/sites/:siteId', 'POST /api/v1/setup']) {
      expect(labels).toContain(known);
    }
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('has exactly the expected public routes, plus the read-only docs UI', () => {
    const publicRoutes = routes.filter(isPublic);
    expect(publicRoutes.filter((r) => !isDocs(r)).map(label).sort()).toEqual([...EXPECTED_PUBLIC].sort());
    const docs = publicRoutes.filter(isDocs);
    expect(docs.map(label)).toContain('GET /docs');
    for (const r of docs) expect(['GET', 'HEAD'], label(r)).toContain(r.method);
    // Nothing under /docs is left behind credentials by accident, and nothing else is docs.
    expect(routes.filter((r) => isDocs(r) && !isPublic(r)).map(label)).toEqual([]);
  });

  it('serves public routes without credentials', async () => {
    for (const route of routes.filter(isPublic)) {
      const res = await inject(route, fillParams(route), {}, route.method === 'POST' ? {} : undefined);
      expect(res.statusCode, label(route)).not.toBe(401);
    }
  });

  it('refuses every other route without credentials: 401 AUTH_REQUIRED', async () => {
    expect(nonPublic().length).toBeGreaterThan(20);
    for (const route of nonPublic()) {
      const res = await inject(route, fillParams(route), {});
      expect(res.statusCode, label(route)).toBe(401);
      expect(res.headers['www-authenticate'], label(route)).toBe('Bearer');
      if (route.method !== 'HEAD') expect(errorCode(res), label(route)).toBe('AUTH_REQUIRED');
    }
  });

  it('refuses every other route with a garbage bearer token: 401 AUTH_TOKEN_INVALID', async () => {
    for (const token of ['garbage', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl']) {
      for (const route of nonPublic()) {
        const res = await inject(route, fillParams(route), { authorization: `Bearer ${token}` });
        expect(res.statusCode, label(route)).toBe(401);
        if (route.method !== 'HEAD') expect(errorCode(res), label(route)).toBe('AUTH_TOKEN_INVALID');
      }
    }
  });

  it('lets a visitor token stand in for credentials only on the data-rights routes, and checks it there', async () => {
    const byToken = nonPublic().filter((r) => (r.options.config as { visitorToken?: boolean } | undefined)?.visitorToken);
    expect(byToken.map(label).sort()).toEqual(['DELETE /api/privacy/data', 'DELETE /api/v1/privacy/data', 'GET /api/privacy/data', 'GET /api/v1/privacy/data', 'HEAD /api/privacy/data', 'HEAD /api/v1/privacy/data']);
    for (const route of byToken) {
      const res = await inject(route, fillParams(route), { 'x-augur-visitor-token': 'avt1.garbage.garbage' });
      expect(res.statusCode, label(route)).toBe(401);
      if (route.method !== 'HEAD') expect(errorCode(res), label(route)).toBe('VISITOR_TOKEN_INVALID');
    }
    // Elsewhere the header is no credential at all.
    for (const route of nonPublic().filter((r) => !byToken.includes(r))) {
      const res = await inject(route, fillParams(route), { 'x-augur-visitor-token': 'avt1.garbage.garbage' });
      expect(res.statusCode, label(route)).toBe(401);
      if (route.method !== 'HEAD') expect(errorCode(res), label(route)).toBe('AUTH_REQUIRED');
    }
  });

  it('never serves a site route to an operator who is not a member, nor to another site\'s API key', async () => {
    const owner = await signUp(t.app);
    const site = await createSite(t.app, owner.auth, { name: 'Guarded' });
    // Real ids on the site, so a missing check would act on something rather than 404 by luck.
    const invite = (await t.app.inject({ method: 'POST', url: `/api/v1/sites/${site.id}/members`, headers: owner.auth, payload: { email: 'invited@example.com', role: 'viewer' } })).json();
    const key = (await t.app.inject({ method: 'POST', url: `/api/v1/sites/${site.id}/api-keys`, headers: owner.auth, payload: { name: 'k', role: 'viewer' } })).json();
    const values = { siteId: site.id, userId: String(owner.user.id), inviteId: invite.invite_id, keyId: key.id, sessionId: 'session_guarded', runId: crypto.randomUUID(), id: crypto.randomUUID() };

    const outsider = await signUp(t.app);
    const otherSite = await createSite(t.app, outsider.auth, { name: 'Elsewhere' });
    const otherKey = (await t.app.inject({ method: 'POST', url: `/api/v1/sites/${otherSite.id}/api-keys`, headers: outsider.auth, payload: { name: 'k', role: 'owner' } })).json();

    const siteRoutes = nonPublic().filter((r) => r.url.startsWith('/api/v1/sites/:siteId'));
    expect(siteRoutes.length).toBeGreaterThanOrEqual(14);
    for (const [who, headers] of [['operator', outsider.auth], ['API key', { 'x-api-key': otherKey.key as string }]] as const) {
      for (const route of siteRoutes) {
        for (const name of route.url.match(/:(\w+)/g) ?? []) expect(values, `a value for ${name} (${label(route)})`).toHaveProperty(name.slice(1));
        const takesBody = Boolean(route.options.schema?.body);
        if (takesBody) expect(SAMPLE_BODIES, `a sample body for ${label(route)}`).toHaveProperty([label(route)]);
        const qs = route.options.schema?.querystring as { required?: string[]; properties?: Record<string, { default?: unknown }> } | undefined;
        const required = (qs?.required ?? []).filter((name) => qs?.properties?.[name]?.default === undefined);
        if (required.length) expect(SAMPLE_QUERIES, `a sample query for ${label(route)}`).toHaveProperty([label(route)]);
        const query = SAMPLE_QUERIES[label(route)];
        const res = await inject(route, fillParams(route, values) + (query ? `?${query}` : ''), headers, takesBody ? SAMPLE_BODIES[label(route)] : undefined);
        expect([403, 404], `${who}: ${label(route)} answered ${res.statusCode} ${res.body}`).toContain(res.statusCode);
      }
    }

    // And nothing changed.
    const row = await t.ctx.db.selectFrom('sites').select(['name', 'public_key']).where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Guarded', public_key: site.public_key });
    const members = await t.ctx.db.selectFrom('site_members').select(['user_id', 'role']).where('site_id', '=', site.id).execute();
    expect(members).toEqual([{ user_id: owner.user.id, role: 'owner' }]);
    expect(await t.ctx.db.selectFrom('site_invites').select('id').where('site_id', '=', site.id).execute()).toHaveLength(1);
    const keys = await t.ctx.db.selectFrom('api_keys').select(['id', 'revoked_at']).where('site_id', '=', site.id).execute();
    expect(keys).toEqual([{ id: key.id, revoked_at: null }]);
  });
});
