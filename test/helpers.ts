// Test harness: real databases (PGlite from a migrated template, and a fresh PostgreSQL
// database per suite when TEST_DATABASE_URL is set), real app, no mocks of our storage.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { openPglite, openPostgres, type DbHandle } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { buildApp } from '../src/app.js';
import { closeContext, openContext } from '../src/runtime.js';
import { manualClock } from '../src/platform/clock.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
export const TEST_NATS_URL = process.env.TEST_NATS_URL;

export interface Backend {
  name: 'pglite' | 'postgres';
  available: boolean;
  /** A fresh, migrated database of this kind, and a function that destroys it. */
  open(): Promise<{ handle: DbHandle; destroy: () => Promise<void> }>;
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  available: true,
  async open() {
    const template = fs.readFileSync(inject('pgliteTemplate'));
    const handle = await openPglite({ loadDataDir: new Blob([template]) });
    return { handle, destroy: () => handle.close() };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  available: Boolean(TEST_DATABASE_URL),
  async open() {
    const { url, drop } = await createScratchDatabase();
    const handle = openPostgres({ url, poolMax: 5 });
    await migrate(handle);
    return { handle, destroy: async () => { await handle.close(); await drop(); } };
  },
};

/** A new empty PostgreSQL database beside TEST_DATABASE_URL's, dropped afterwards. */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `augur_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const BACKENDS: Backend[] = [pgliteBackend, postgresBackend];

/**
 * Runs a DB-backed suite once per backend. Without TEST_DATABASE_URL the PostgreSQL
 * variant is reported as skipped, not silently dropped.
 */
export function describeEachBackend(name: string, fn: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    const d = backend.available ? describe : describe.skip;
    d(`${name} [${backend.name}]`, () => fn(backend));
  }
}

export const TEST_SECRETS = {
  JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
  ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
};

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent-augur-test', ALLOW_SIGNUP: 'true', DEMO_SITE: 'false', ...TEST_SECRETS, ...env });
}

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  clock: ReturnType<typeof manualClock>;
  logs: string[];
  close(): Promise<void>;
}

/** A real app over a fresh database of the given backend, with a settable clock and captured logs. */
export async function startApp(backend: Backend, env: Record<string, string> = {}): Promise<TestApp> {
  const { handle, destroy } = await backend.open();
  const clock = manualClock(Date.parse('2026-06-01T12:00:00Z'));
  const ctx = await openContext(testConfig(env), { dbHandle: handle, clock });
  const logs: string[] = [];
  const logStream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const app = await buildApp(ctx, { logStream: logStream as never });
  await app.ready();
  return {
    app,
    ctx,
    clock,
    logs,
    async close() {
      await app.close();
      await closeContext(ctx);
      await destroy();
    },
  };
}

let seq = 0;
/** Registers an operator (ALLOW_SIGNUP is on in tests) and returns its tokens. */
export async function signUp(app: FastifyInstance, overrides: Partial<{ email: string; username: string; password: string }> = {}) {
  seq += 1;
  const body = {
    email: overrides.email ?? `op${seq}-${crypto.randomBytes(3).toString('hex')}@example.com`,
    username: overrides.username ?? `op${seq}_${crypto.randomBytes(3).toString('hex')}`,
    password: overrides.password ?? 'a-long-enough-password',
  };
  // Each sign-up from its own documentation-range address, so the per-IP sign-up limit stays out of the way.
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body, remoteAddress: `198.51.100.${seq % 250}` });
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  const json = res.json() as { access_token: string; refresh_token: string; user: { id: number } };
  return { ...body, ...json, auth: { authorization: `Bearer ${json.access_token}` } };
}

/** The allowed origin of the sites tests create, and a desktop browser's User-Agent (bots are dropped). */
export const SITE_ORIGIN = 'https://shop.example.com';
export const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** Creates a site owned by the given operator. */
export async function createSite(app: FastifyInstance, auth: Record<string, string>, body: Record<string, unknown> = {}) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/sites', headers: auth, payload: { name: 'Test site', allowed_origins: [SITE_ORIGIN], ...body } });
  if (res.statusCode !== 201) throw new Error(`site creation failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; public_key: string; allowed_origins: string[] };
}

/** An app with one signed-up operator who owns one site: the usual starting point of a suite. */
export async function startAppWithSite(backend: Backend = pgliteBackend, env: Record<string, string> = {}) {
  const t = await startApp(backend, env);
  const op = await signUp(t.app);
  const site = await createSite(t.app, op.auth);
  return { t, op, site };
}
