// Pieces shared by the benchmarks' child servers: temporary data directories and scratch
// PostgreSQL databases, both removed by cleanUp() when the child exits, and the child's life cycle.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const cleanups: Array<() => Promise<void> | void> = [];

export async function cleanUp(): Promise<void> {
  for (const fn of cleanups.reverse()) await fn();
}

/** A fresh DATA_DIR (PGlite files, generated secrets), removed at exit. */
export function tempDir(prefix = 'augur-bench-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A bench child server's environment: its own DATA_DIR, quiet logs, no demo site, request limits out of the way
 * (one load generator on one address would otherwise be rate limited), and secrets given so nothing is generated.
 */
export function benchServerEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: tempDir(`augur-bench-${name}-`),
    LOG_LEVEL: 'warn',
    DEMO_SITE: 'false',
    RATE_LIMIT_PER_MINUTE: '10000000',
    INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
    JWT_SECRET: crypto.randomBytes(32).toString('base64url'),
    ENCRYPTION_KEYS: `bench:${crypto.randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: crypto.randomBytes(32).toString('base64'),
    ...extra,
  };
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//…@');

/** A scratch database's URL (dropped at exit), or undefined when PostgreSQL is unreachable (reported as a skip line). */
export async function scratchPostgres(): Promise<string | undefined> {
  const { default: pg } = await import('pg');
  const adminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const name = `augur_bench_${crypto.randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (err) {
    console.log(JSON.stringify({ skip: `PostgreSQL at ${redact(adminUrl)} is unreachable: ${(err as Error).message}` }));
    return undefined;
  }
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Runs a child server: start() builds it (undefined: nothing to serve, its skip line already printed), then it
 * listens on 127.0.0.1:$PORT (default any free port) and prints readyLine(port) as one JSON line. SIGTERM, or with
 * BENCH_CHILD set the end of stdin (the benchmark exited or died), closes it and cleans up; so does a failed start.
 */
export async function runChild(start: () => Promise<FastifyInstance | undefined>, readyLine: (port: number) => Promise<unknown> | unknown): Promise<void> {
  try {
    const app = await start();
    if (!app) {
      await cleanUp();
      process.exit(0);
    }
    let closing = false;
    const shutdown = () => {
      if (closing) return;
      closing = true;
      app.close().then(cleanUp).then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    // Ctrl-C reaches the whole process group: clean up then too, so no scratch database is left behind.
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    if (process.env.BENCH_CHILD) process.stdin.on('end', shutdown).resume();
    await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    console.log(JSON.stringify(await readyLine(port)));
  } catch (err) {
    console.error(err);
    await cleanUp().catch(() => {});
    process.exit(1);
  }
}
