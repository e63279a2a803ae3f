// One Kysely instance over either embedded PGlite (default) or a PostgreSQL pool
// (DATABASE_URL). Both speak the same SQL and share src/db/migrations.
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PgliteThread } from './pglite-thread.js';
import { PgliteThreadDialect } from './pglite-dialect.js';
import { lockDataDir } from './data-dir-lock.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Connection-pool figures for /metrics; PGlite is one serialized connection. */
  poolStats(): { total: number; idle: number; waiting: number };
  /** Runs a multi-statement SQL script atomically (PGlite's query() takes one statement). */
  execScript(script: string): Promise<void>;
  /** Runs fn while holding a PostgreSQL advisory lock, so concurrent processes take turns. */
  withLock<T>(lockId: number, fn: () => Promise<T>): Promise<T>;
  /** PGlite only: a tarball of the data directory (tests start from a migrated template). */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

// PostgreSQL returns int8 (COUNT(*), BIGINT) as text; numbers are what callers expect.
const INT8_OID = 20;
const parseInt8 = (value: string) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
};

export interface PostgresOptions {
  url: string;
  poolMax: number;
}

export function openPostgres({ url, poolMax }: PostgresOptions): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    types: { getTypeParser: (oid: number, format?: any) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) } as any,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async execScript(script) {
      const client = await pool.connect();
      try {
        // A simple-protocol multi-statement query runs as one implicit transaction.
        await client.query(`BEGIN;\n${script}\n;COMMIT;`);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async withLock(lockId, fn) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [lockId]);
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [lockId]);
        }
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

export interface PgliteOptions {
  /** Directory for the database files; undefined keeps it in memory. */
  dataDir?: string;
  /** A dumpDataDir() tarball to start from (tests use a migrated template). */
  loadDataDir?: Blob;
}

export async function openPglite({ dataDir, loadDataDir }: PgliteOptions): Promise<DbHandle> {
  let unlock = () => {};
  if (dataDir) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    unlock = lockDataDir(`${dataDir}.lock`);
  }
  let client: PgliteThread;
  try {
    client = await PgliteThread.start({ dataDir, loadDataDir });
  } catch (err) {
    unlock();
    throw err;
  }
  const dialect = new PgliteThreadDialect(client);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind: 'pglite',
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    // Alone on the session, so no other query interleaves. A multi-statement exec runs as
    // one implicit transaction: all of it or none.
    execScript: (script) => dialect.driver.exclusive(() => client.exec(script)),
    // One embedded database belongs to one process; there is nobody to lock against.
    withLock: (_lockId, fn) => fn(),
    dumpDataDir: () => client.dumpDataDir(),
    close: async () => {
      if (client.closed) return;
      await db.destroy();
      // Kysely only destroys a driver it has used; close the thread either way.
      await client.close();
      unlock();
    },
  };
}

/** Opens the configured database: PostgreSQL when a URL is given, else PGlite under dataDir/pg. */
export async function openDatabase(opts: { databaseUrl?: string; poolMax: number; dataDir: string }): Promise<DbHandle> {
  if (opts.databaseUrl) return openPostgres({ url: opts.databaseUrl, poolMax: opts.poolMax });
  return openPglite({ dataDir: path.join(opts.dataDir, 'pg') });
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
