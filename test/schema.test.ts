// One schema, one set of migrations, two backends: PGlite and PostgreSQL must end up identical.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPglite, openPostgres, type DbHandle } from '../src/db/client.js';
import { loadMigrations, migrate, pendingMigrations } from '../src/db/migrate.js';
import { createScratchDatabase, pgliteBackend, TEST_DATABASE_URL } from './helpers.js';

/** A normalized description of the public schema: tables, columns, indexes, constraints, enums. */
async function describeSchema(h: DbHandle) {
  const columns = await sql<Record<string, unknown>>`
    select table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length
    from information_schema.columns where table_schema = 'public' order by table_name, column_name`.execute(h.db);
  const indexes = await sql<Record<string, unknown>>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by tablename, indexname`.execute(h.db);
  const constraints = await sql<Record<string, unknown>>`
    select conrelid::regclass::text as table_name, conname, contype, pg_get_constraintdef(oid) as def
    from pg_constraint where connamespace = 'public'::regnamespace
      -- PostgreSQL 18 (PGlite) also lists NOT NULL here (contype n); 15 does not. Nullability
      -- is compared through information_schema.columns above.
      and contype <> 'n'
    order by 1, 2`.execute(h.db);
  const enums = await sql<Record<string, unknown>>`
    select t.typname, string_agg(e.enumlabel, ',' order by e.enumsortorder) as labels
    from pg_type t join pg_enum e on e.enumtypid = t.oid group by t.typname order by t.typname`.execute(h.db);
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows, enums: enums.rows };
}

describe('schema', () => {
  it('applies every migration on a fresh PGlite, records checksums, and is idempotent', async () => {
    const h = await openPglite({});
    try {
      const all = loadMigrations();
      expect(await migrate(h)).toEqual(all.map((m) => m.version));
      expect(await migrate(h)).toEqual([]);
      expect(await pendingMigrations(h)).toEqual([]);
      const rows = await h.db.selectFrom('schema_migrations').select(['version', 'checksum']).orderBy('version').execute();
      expect(rows).toEqual(all.map((m) => ({ version: m.version, checksum: m.checksum })));
    } finally {
      await h.close();
    }
  });

  it('refuses to start when an applied migration was edited', async () => {
    const { handle, destroy } = await pgliteBackend.open();
    try {
      const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
      await expect(migrate(handle, edited)).rejects.toThrow(/was edited after it was applied/);
    } finally {
      await destroy();
    }
  });

  it('rolls back a failing migration completely', async () => {
    const { handle, destroy } = await pgliteBackend.open();
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'augur-mig-'));
      for (const m of loadMigrations()) fs.writeFileSync(path.join(dir, `${String(m.version).padStart(4, '0')}_${m.name}.sql`), m.sql);
      const next = String(loadMigrations().length + 1).padStart(4, '0');
      fs.writeFileSync(path.join(dir, `${next}_broken.sql`), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();');
      await expect(migrate(handle, loadMigrations(dir))).rejects.toThrow();
      const table = await sql<{ t: string | null }>`select to_regclass('half_done')::text as t`.execute(handle.db);
      expect(table.rows[0]?.t).toBeNull();
      expect(await pendingMigrations(handle, loadMigrations(dir))).toHaveLength(1);
    } finally {
      await destroy();
    }
  });

  describe.skipIf(!TEST_DATABASE_URL)('on PostgreSQL', () => {
    it('reaches exactly the same schema as PGlite', async () => {
      const lite = await openPglite({});
      const scratch = await createScratchDatabase();
      const server = openPostgres({ url: scratch.url, poolMax: 2 });
      try {
        await migrate(lite);
        await migrate(server);
        const [a, b] = [await describeSchema(lite), await describeSchema(server)];
        expect(a.columns.length).toBeGreaterThan(40);
        expect(b).toEqual(a);
      } finally {
        await lite.close();
        await server.close();
        await scratch.drop();
      }
    });

    it('lets concurrent processes migrate safely (advisory lock): each migration applies once', async () => {
      const scratch = await createScratchDatabase();
      const handles = [1, 2, 3].map(() => openPostgres({ url: scratch.url, poolMax: 2 }));
      try {
        const results = await Promise.all(handles.map((h) => migrate(h)));
        expect(results.flat().sort()).toEqual(loadMigrations().map((m) => m.version));
      } finally {
        await Promise.all(handles.map((h) => h.close()));
        await scratch.drop();
      }
    });
  });
});
