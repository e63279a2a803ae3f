// The schema guard: every table is either covered by the data-subject export and erasure, or explicitly
// declared as holding no subject data, with a reason. A new, unclassified table fails here.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_SUBJECT_DATA, SUBJECT_TABLES } from '../src/privacy/personal-data.js';
import { pgliteBackend } from './helpers.js';
import type { DbHandle } from '../src/db/client.js';

describe('personal data registry', () => {
  let handle: DbHandle;
  let destroy: () => Promise<void>;
  beforeAll(async () => { ({ handle, destroy } = await pgliteBackend.open()); });
  afterAll(() => destroy?.());

  const tables = async () =>
    (
      await sql<{ name: string }>`
        select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        order by 1`.execute(handle.db)
    ).rows.map((r) => r.name);

  const unclassified = (all: string[]) => {
    const covered = new Set(SUBJECT_TABLES.filter((t) => t.exported && t.erased).map((t) => t.table));
    return all.filter((name) => !covered.has(name) && !(name in NOT_SUBJECT_DATA));
  };

  it('fails on a table added without being classified', async () => {
    await sql`create table scratch_visitor_notes (visitor_id text, note text)`.execute(handle.db);
    try {
      expect(unclassified(await tables())).toEqual(['scratch_visitor_notes']);
    } finally {
      await sql`drop table scratch_visitor_notes`.execute(handle.db);
    }
  });

  it('classifies every table: covered by export and erasure, or not subject data (with a reason)', async () => {
    const all = await tables();
    expect(all).toContain('user_events');
    const covered = new Set(SUBJECT_TABLES.filter((t) => t.exported && t.erased).map((t) => t.table));
    expect(unclassified(all), 'tables neither covered by privacy export/erasure nor declared in NOT_SUBJECT_DATA').toEqual([]);
    for (const [name, reason] of Object.entries(NOT_SUBJECT_DATA)) expect(reason.length, name).toBeGreaterThan(10);
    // No table is in both lists, and the registry names no table that does not exist.
    for (const t of SUBJECT_TABLES) expect(NOT_SUBJECT_DATA, t.table).not.toHaveProperty(t.table);
    for (const name of [...covered, ...Object.keys(NOT_SUBJECT_DATA)]) expect(all, name).toContain(name);
  });

  it('names only columns that exist', async () => {
    const rows = (await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns where table_schema = 'public'`.execute(handle.db)).rows;
    const columns = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
    for (const t of SUBJECT_TABLES) {
      for (const c of [t.subjectColumn, t.siteColumn, ...t.personalColumns]) expect(columns, `${t.table}.${c}`).toContain(`${t.table}.${c}`);
    }
  });
});
