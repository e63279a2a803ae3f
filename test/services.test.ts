// Real Redis and NATS: shared limits across nodes, health checks, fail-fast start-up.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectNats, connectRedis } from '../src/platform/services.js';
import { pgliteBackend, startApp, TEST_NATS_URL, TEST_REDIS_URL, type TestApp } from './helpers.js';

describe.skipIf(!TEST_REDIS_URL)('with Redis (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  const prefix = `t${Date.now()}`;
  beforeAll(async () => {
    // Two nodes sharing one Redis but each with its own database: only Redis can make them agree.
    const env = { REDIS_URL: TEST_REDIS_URL!, RATE_LIMIT_PER_MINUTE: '6' };
    a = await startApp(pgliteBackend, env);
    b = await startApp(pgliteBackend, env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('shares the request rate limit across nodes', async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 200) + 20}`;
    const hit = (t: TestApp) => t.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: `${ip}` });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await hit(a)).statusCode, (await hit(b)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 200]);
    const limited = await hit(a);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await hit(b)).statusCode).toBe(429);
    // The windows are keyed by a digest: no IP address is readable in Redis.
    const keys = await a.ctx.redis!.keys('augur:rl:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain(ip);
  });

  it('shares login throttling across nodes, and keeps no email in Redis', async () => {
    const email = `${prefix}-victim@example.com`;
    const attempt = (t: TestApp, i: number) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `198.18.0.${i}`, payload: { email, password: 'wrong-password' } });
    for (let i = 0; i < 5; i++) expect((await attempt(i % 2 ? a : b, i)).statusCode).toBe(401);
    const locked = await attempt(a, 9);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('AUTH_THROTTLED');
    const redis = new Redis(TEST_REDIS_URL!);
    try {
      const keys = await redis.keys('augur:counter:login:*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain(email);
    } finally {
      redis.disconnect();
    }
  });

  it('reports Redis in /health', async () => {
    const res = await a.app.inject({ method: 'GET', url: '/health', remoteAddress: '192.0.2.250' });
    expect(res.json().checks.redis).toBe('healthy');
  });
});

describe.skipIf(!TEST_NATS_URL)('with NATS JetStream (QUEUE_URL)', () => {
  it('reports the queue in /health through a JetStream round trip', async () => {
    // A stream of its own: the machine's NATS is shared with other runs.
    const stream = `AUGUR_T_${crypto.randomBytes(4).toString('hex')}`;
    const t = await startApp(pgliteBackend, { QUEUE_URL: TEST_NATS_URL!, QUEUE_STREAM: stream });
    try {
      await (await t.ctx.nats!.jetstreamManager()).streams.delete(stream);
      const res = await t.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.json().checks).toEqual({ database: 'healthy', queue: 'healthy' });
      // Losing the connection turns the check unhealthy and /health into 503.
      await t.ctx.nats!.close();
      const down = await t.app.inject({ method: 'GET', url: '/health' });
      expect(down.statusCode).toBe(503);
      expect(down.json().checks.queue).toMatch(/^unhealthy: /);
    } finally {
      await t.close();
    }
  });
});

describe('unreachable services stop start-up with a message naming the variable', () => {
  it('Redis', async () => {
    await expect(connectRedis('redis://127.0.0.1:1')).rejects.toThrow(/REDIS_URL/);
  });
  it('NATS', async () => {
    await expect(connectNats('nats://127.0.0.1:1')).rejects.toThrow(/QUEUE_URL/);
  });
});

describe('rate limits without Redis stay per node', () => {
  it('counts in memory', async () => {
    const t = await startApp(pgliteBackend, { RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const hit = () => t.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: '192.0.2.7' });
      expect((await hit()).statusCode).toBe(200);
      expect((await hit()).statusCode).toBe(200);
      expect((await hit()).statusCode).toBe(429);
    } finally {
      await t.close();
    }
  });
});
