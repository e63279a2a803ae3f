// Applies the numbered SQL files in ./migrations in order, each atomically together with
// its schema_migrations row; an applied migration that was edited later stops start-up.
// Post-migration steps (JS) follow under the same lock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db, DbHandle } from './client.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; it only has to be the same for every Augur process.
const MIGRATION_LOCK_ID = 727_274_001;

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const migrations = files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
    const text = fs.readFileSync(`${dir}/${file}`, 'utf8');
    return {
      version: Number(match[1]),
      name: match[2]!,
      sql: text,
      checksum: crypto.createHash('sha256').update(text).digest('hex'),
    };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 0001, 0002, … without gaps; found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

/**
 * Work that SQL cannot do, run after the SQL migrations under the same lock, at every start
 * (e.g. encrypting rows written before encryption existed). Must be idempotent.
 */
export type PostMigrationStep = (db: Db) => Promise<void>;

/** Applies pending migrations, then the post-migration steps; returns the versions applied. Safe with several processes. */
export async function migrate(handle: DbHandle, migrations = loadMigrations(), after: PostMigrationStep[] = []): Promise<number[]> {
  return handle.withLock(MIGRATION_LOCK_ID, async () => {
    await handle.execScript(`create table if not exists schema_migrations (
      version integer primary key,
      name varchar(200) not null,
      checksum varchar(64) not null,
      applied_at timestamp with time zone not null default now()
    )`);
    const applied = await handle.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
    for (const row of applied) {
      const known = migrations.find((m) => m.version === row.version);
      if (!known) throw new Error(`The database has migration ${row.version}_${row.name}, which this Augur version does not know; upgrade Augur`);
      if (known.checksum !== row.checksum) {
        throw new Error(`Migration ${row.version}_${row.name} was edited after it was applied; restore it and add a new migration instead`);
      }
    }
    const appliedVersions = new Set(applied.map((r) => r.version));
    const done: number[] = [];
    for (const m of migrations) {
      if (appliedVersions.has(m.version)) continue;
      // version, name and checksum are digits, [a-z0-9_] and hex: safe to inline.
      await handle.execScript(
        `${m.sql}\n;INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}');`,
      );
      done.push(m.version);
    }
    for (const step of after) await step(handle.db);
    return done;
  });
}

export async function pendingMigrations(handle: DbHandle, migrations = loadMigrations()): Promise<Migration[]> {
  const exists = await sql<{ t: string | null }>`select to_regclass('schema_migrations')::text as t`.execute(handle.db);
  if (!exists.rows[0]?.t) return migrations;
  const applied = new Set((await handle.db.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version));
  return migrations.filter((m) => !applied.has(m.version));
}
