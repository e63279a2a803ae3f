// Pieces shared by the benchmarks' child servers: temporary data directories and scratch
// PostgreSQL databases, both removed by cleanUp() when the child exits.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
