// Operations endpoints (/health, /health/ready, /metrics) and what the logs may contain.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createSite, pgliteBackend, signUp, startApp, startAppWithSite, type TestApp } from './helpers.js';

const NOW = '2026-06-01T12:00:00.000Z'; // the harness clock

/** Starts an app, closes its database, and hands it to fn; the app is torn down afterwards. */
async function withClosedDatabase(env: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  const t = await startApp(pgliteBackend, env);
  try {
    await t.ctx.dbHandle.close();
    await fn(t);
  } finally {
    await t.close();
  }
}

/** Value of one Prometheus sample whose labels include all of `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp(pgliteBackend); });
  afterAll(async () => { await t?.close(); });

  it('answers /health in the spec 003 shape with 200 when the database answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'healthy', timestamp: NOW, checks: { database: 'healthy' } });
  });

  it('answers /health/ready with 200 {ready: true}', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true });
  });

  it('needs no credentials and ignores bad ones', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health', headers: { authorization: 'Bearer garbage' } });
    expect(res.statusCode).toBe(200);
  });

  it('reports an unreachable database as 503 unhealthy, and is not ready', async () => {
    await withClosedDatabase({}, async (broken) => {
      const res = await broken.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.status).toBe('unhealthy');
      expect(body.timestamp).toBe(NOW);
      expect(body.checks.database).toMatch(/^unhealthy: \S/);
      expect(body.checks.database.length).toBeLessThanOrEqual('unhealthy: '.length + 200);
      const ready = await broken.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.code).toBe('NOT_READY');
      expect(Number(ready.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});

describe('health of an OpenAI-compatible LLM vendor', () => {
  // A local stand-in for the vendor: answers GET /v1/models with whatever status the test sets.
  let status = 200;
  const seen: { method?: string; url?: string; authorization?: string }[] = [];
  const vendor = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    if (req.url !== '/v1/models') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"object":"list","data":[{"id":"local-model","object":"model"}]}' : '{"error":{"message":"vendor exploded"}}');
  });
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/v1`;
    t = await startApp(pgliteBackend, { LLM_BASE_URL: baseUrl, LLM_API_KEY: 'sk-local-test-key-123' });
  });
  afterAll(async () => {
    await t?.close();
    if (vendor.listening) await new Promise<void>((resolve) => vendor.close(() => resolve()));
  });

  const health = () => t.app.inject({ method: 'GET', url: '/health' });

  it('is healthy when GET /models answers 200, and sends the API key', async () => {
    status = 200;
    seen.length = 0;
    const res = await health();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'healthy', timestamp: NOW, checks: { database: 'healthy', llm: 'healthy' } });
    expect(seen).toEqual([{ method: 'GET', url: '/v1/models', authorization: 'Bearer sk-local-test-key-123' }]);
  });

  it('is unhealthy (503) when GET /models answers 500, without leaking the key', async () => {
    status = 500;
    const res = await health();
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('unhealthy');
    expect(body.checks.database).toBe('healthy');
    expect(body.checks.llm).toMatch(/^unhealthy: .*500/);
    expect(res.body).not.toContain('sk-local-test-key-123');
  });

  it('is unhealthy when the vendor is unreachable', async () => {
    await new Promise<void>((resolve) => vendor.close(() => resolve()));
    vendor.closeAllConnections();
    const res = await health();
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.llm).toMatch(/^unhealthy: \S/);
  });
});

describe('metrics', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof signUp>>;
  let site: Awaited<ReturnType<typeof createSite>>;
  beforeAll(async () => {
    ({ t, op, site } = await startAppWithSite());
  });
  afterAll(async () => { await t?.close(); });

  const metrics = (remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

  it('serves Prometheus text to loopback clients, counting requests by route template', async () => {
    const labels = { method: 'GET', route: '/api/v1/sites/:siteId', status: '200' };
    const before = sample((await metrics()).body, 'http_requests_total', labels) ?? 0;
    for (let i = 0; i < 2; i++) expect((await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}`, headers: op.auth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}` })).statusCode).toBe(401);
    await t.app.inject({ method: 'GET', url: '/no/such/route/7f3a' });

    const res = await metrics();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(sample(text, 'http_requests_total', labels)).toBe(before + 2);
    expect(sample(text, 'http_requests_total', { ...labels, status: '401' })).toBe(1);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    // Labels hold templates, never raw URLs (unbounded cardinality, and ids in metrics).
    expect(text).not.toContain(site.id);
    expect(text).not.toContain('7f3a');

    expect(sample(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 2);
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(before + 2);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'db_pool_connections_total')).toBe(1); // PGlite: one serialized connection
    expect(sample(text, 'db_connections_active')).toBeDefined();
    for (const name of ['ai_requests_total', 'ai_tokens_used_total', 'ai_response_time_seconds']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts AI requests and tokens the features report', async () => {
    t.ctx.metrics.aiRequests.inc({ operation: 'chat', status: 'ok' });
    t.ctx.metrics.aiTokensUsed.inc({ direction: 'input' }, 120);
    const text = (await metrics()).body;
    expect(sample(text, 'ai_requests_total', { operation: 'chat', status: 'ok' })).toBe(1);
    expect(sample(text, 'ai_tokens_used_total', { direction: 'input' })).toBe(120);
  });

  it('answers other addresses with 403 METRICS_LOCAL_ONLY, whatever X-Forwarded-For says', async () => {
    expect((await metrics('::1')).statusCode).toBe(200);
    expect((await metrics('::ffff:127.0.0.1')).statusCode).toBe(200);
    for (const [address, headers] of [['203.0.113.7', {}], ['10.0.0.2', {}], ['203.0.113.7', { 'x-forwarded-for': '127.0.0.1' }]] as const) {
      const res = await metrics(address, headers);
      expect(res.statusCode, address).toBe(403);
      expect(res.json().error.code).toBe('METRICS_LOCAL_ONLY');
      expect(res.body).not.toContain('http_requests_total');
    }
  });

  it('with METRICS_TOKEN, wants that bearer token from everyone, loopback included', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const guarded = await startApp(pgliteBackend, { METRICS_TOKEN: token });
    try {
      const get = (remoteAddress: string, headers: Record<string, string> = {}) => guarded.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
      const refused: [string, Record<string, string>][] = [
        ['127.0.0.1', {}],
        ['203.0.113.7', {}],
        ['203.0.113.7', { authorization: `Bearer ${token.slice(0, -1)}x` }], // same length, wrong
        ['203.0.113.7', { authorization: `Bearer ${token}extra` }],
        ['203.0.113.7', { authorization: `Bearer ${token.slice(1)}` }],
        ['203.0.113.7', { authorization: token }],
        ['203.0.113.7', { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` }],
      ];
      for (const [address, headers] of refused) {
        const res: LightMyRequestResponse = await get(address, headers);
        expect(res.statusCode, JSON.stringify(headers)).toBe(401);
        expect(res.json().error.code).toBe('METRICS_TOKEN_REQUIRED');
        expect(res.body).not.toContain(token);
      }
      const ok = await get('203.0.113.7', { authorization: `Bearer ${token}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('http_requests_total');
      expect((await get('127.0.0.1', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('log redaction', () => {
  it('never logs passwords, email addresses or tokens, even at debug level and on a 5xx, but always request ids', async () => {
    const email = 'Canary.Redaction.5521@example.com';
    const password = 'Zebra-Quokka-Password-8472';
    const t = await startApp(pgliteBackend, { LOG_LEVEL: 'debug' });
    const secrets: string[] = [password, email, email.toLowerCase()];
    const requestIds: string[] = [];
    const send = async (opts: InjectOptions) => {
      const res = await t.app.inject(opts);
      requestIds.push(String(res.headers['x-request-id']));
      return res;
    };
    try {
      const reg = await send({ method: 'POST', url: '/api/v1/auth/register', payload: { email, username: 'canary_user', password, first_name: 'Canaryfirstname' } });
      expect(reg.statusCode).toBe(201);
      secrets.push('Canaryfirstname', reg.json().access_token, reg.json().refresh_token);

      const login = await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      expect(login.statusCode).toBe(200);
      const wrong = await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: `${password}-wrong` } });
      expect(wrong.statusCode).toBe(401);
      secrets.push(`${password}-wrong`, login.json().access_token, login.json().refresh_token);

      const refreshed = await send({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: login.json().refresh_token } });
      expect(refreshed.statusCode).toBe(200);
      const access = refreshed.json().access_token as string;
      secrets.push(access, refreshed.json().refresh_token);

      // Tokens in headers and in a query string.
      expect((await send({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(200);
      expect((await send({ method: 'GET', url: `/api/v1/auth/me?access_token=${access}`, headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(200);
      expect((await send({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': `ak_${'A'.repeat(12)}_${'B'.repeat(43)}` } })).statusCode).toBe(401);
      secrets.push(`ak_${'A'.repeat(12)}_${'B'.repeat(43)}`);

      // A validation failure that echoes nothing of the input.
      expect((await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, colour: password } })).statusCode).toBe(400);

      // And 5xx answers, with the request carrying the secrets.
      await t.ctx.dbHandle.close();
      const failedLogin = await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      expect(failedLogin.statusCode).toBe(500);
      const failedMe = await send({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } });
      expect(failedMe.statusCode).toBe(500);

      const all = t.logs.join('');
      // Debug logging really was on, or this test would prove nothing.
      expect(all).toContain('incoming request');
      const entries = t.logs.map((l) => JSON.parse(l) as { level: number; reqId?: string });
      for (const id of requestIds) expect(entries.some((e) => e.reqId === id), id).toBe(true);
      expect(entries.filter((e) => e.level >= 50).map((e) => e.reqId)).toEqual(expect.arrayContaining([failedLogin.headers['x-request-id'], failedMe.headers['x-request-id']]));

      for (const secret of secrets) expect(all.includes(secret), `the logs contain ${secret.slice(0, 24)}…`).toBe(false);
      // Nor any part of an access token (its signature alone would do for a brute-force start).
      for (const part of access.split('.')) expect(all).not.toContain(part);
    } finally {
      await t.close();
    }
  });
});
