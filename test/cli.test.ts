// The real binary: first start, restart on an existing data dir, graceful shutdown with a
// request in flight, create-admin, rotate-keys, migrate, purge, and configuration errors.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase, TEST_DATABASE_URL, TEST_SECRETS } from './helpers.js';
import { freePort, killAll, runAugur, spawnAugur, stopProcess, waitReady, type Spawned } from './processes.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-cli-'));
afterAll(async () => {
  await killAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(env: Record<string, string> = {}): Promise<Spawned & { port: number }> {
  const port = await freePort();
  const s = spawnAugur(['serve'], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  await waitReady(s, port);
  return { ...s, port };
}

describe('augur CLI', () => {
  it('first start: migrates PGlite under DATA_DIR, keeps generated secrets private, prints a setup token', async () => {
    const s = await startServer();
    try {
      expect(s.output()).toContain('Augur is running at');
      expect(s.output()).toMatch(/"setup_token":"[A-Za-z0-9_-]{20,}"/);
      expect(s.output()).toContain('npx augur create-admin');
      expect(s.output()).not.toMatch(/password"?\s*[:=]\s*"?admin/i);
      expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(true);
      expect(fs.statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      expect(await stopProcess(s)).toBe(0);
    }
  });

  it('drains an in-flight request on SIGTERM and exits 0', async () => {
    const s = await startServer({ LOG_LEVEL: 'debug' });
    // A sign-in spends ~50 ms in argon2: still running when the signal lands, which is sent
    // once the server has logged that the request came in.
    const inflight = fetch(`http://127.0.0.1:${s.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'some-password' }),
    });
    const arrived = () => s.output().split('\n').some((line) => line.includes('incoming request') && line.includes('/api/v1/auth/login'));
    while (!arrived()) await new Promise((r) => setTimeout(r, 2));
    s.proc.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(401);
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('shutting down');
    await expect(fetch(`http://127.0.0.1:${s.port}/health`)).rejects.toThrow();
  });

  it('refuses to open the embedded database while a server is using it', async () => {
    const s = await startServer();
    try {
      const res = runAugur(['create-admin', '--email', 'x@example.com', '--username', 'x'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 'a-long-enough-password\n');
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`Another Augur process (pid ${s.proc.pid})`);
    } finally {
      expect(await stopProcess(s)).toBe(0);
    }
    expect(fs.existsSync(path.join(dataDir, 'pg.lock'))).toBe(false);
  });

  it('create-admin reads the password from stdin; afterwards no setup token is printed', async () => {
    const weak = runAugur(['create-admin', '--email', 'root@example.com', '--username', 'root'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('AUTH_WEAK_PASSWORD');
    const ok = runAugur(['create-admin', '--email', 'root@example.com', '--username', 'root'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 'root-password-long\n');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Created admin #\d+ \(root\)/);
    const s = await startServer();
    try {
      expect(s.output()).not.toContain('setup_token');
      const login = await fetch(`http://127.0.0.1:${s.port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'root@example.com', password: 'root-password-long' }),
      });
      expect(login.status).toBe(200);
      expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');
    } finally {
      expect(await stopProcess(s)).toBe(0);
    }
  });

  it('rotate-keys re-encrypts every stored value with a new key put before the generated one; sign-in still works', async () => {
    const generated = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'));
    expect(generated.blindIndexKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const ring = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 42).toString('base64')},${generated.encryptionKey.id}:${generated.encryptionKey.key}` };
    const res = runAugur(['rotate-keys'], ring);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/users\.email: 1\n/);
    expect(res.stdout).toContain('with key "k2"');
    expect(res.stdout).toContain('Every encrypted value is on the active key');
    expect(runAugur(['rotate-keys'], ring).stdout).toContain('Re-encrypted 0 values');
    const s = await startServer({ ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 42).toString('base64')}` });
    try {
      const login = await fetch(`http://127.0.0.1:${s.port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ROOT@example.com', password: 'root-password-long' }),
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await stopProcess(s)).toBe(0);
    }
  });

  it('stops with exit code 2 and names the variable when configuration is wrong', () => {
    const res = runAugur(['serve'], { PORT: 'eighty' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('PORT');
    const db = runAugur(['serve'], { DATABASE_URL: 'mysql://x' });
    expect(db.status).toBe(2);
    expect(db.stderr).toContain('DATABASE_URL');
  });

  it('refuses unknown commands with usage', () => {
    const res = runAugur(['frobnicate'], {});
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('Usage: augur');
  });

  it.skipIf(!TEST_DATABASE_URL)('migrate applies pending migrations on PostgreSQL, then reports up to date', async () => {
    const scratch = await createScratchDatabase();
    try {
      const env = { DATABASE_URL: scratch.url, DATA_DIR: dataDir, ...TEST_SECRETS };
      const first = runAugur(['migrate'], env);
      expect(first.stdout).toMatch(/Applied migrations: 1, 2, 3, 4, 5, 6, 7, 8$/m);
      const second = runAugur(['migrate'], env);
      expect(second.stdout).toContain('up to date');
      // The retention purge on demand: it claims the scheduled job, so it reports what it did.
      const purge = runAugur(['purge'], env);
      expect(purge.status, purge.stderr).toBe(0);
      expect(JSON.parse(purge.stdout)).toMatchObject({ purged: { events: 0, sessions: 0, consent_records: 0, audit_entries: 0 }, partitions_dropped: [] });
    } finally {
      await scratch.drop();
    }
  });
});
