// The PGlite worker dialect pipelines ordinary queries but must keep transactions whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openPglite, type DbHandle } from './client.js';

describe('PGlite on a worker thread', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await openPglite({});
    await h.execScript('create table t (id int primary key, v text);');
  });
  afterAll(async () => { await h.close(); });
  const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from t`.execute(h.db)).rows[0]!.n);

  it('answers many concurrent queries, each with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sql<{ x: number }>`select ${i}::int as x`.execute(h.db)));
    expect(results.map((r) => r.rows[0]!.x)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps a query issued during a transaction out of it: a rollback does not take it along', async () => {
    await sql`delete from t`.execute(h.db);
    let outside: Promise<unknown> | undefined;
    await expect(
      h.db.transaction().execute(async (trx) => {
        await sql`insert into t values (1, 'in tx')`.execute(trx);
        outside = sql`insert into t values (2, 'outside')`.execute(h.db);
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await outside;
    expect((await sql<{ id: number }>`select id from t order by id`.execute(h.db)).rows).toEqual([{ id: 2 }]);
  });

  it('does not let other queries see a transaction before it commits', async () => {
    await sql`delete from t`.execute(h.db);
    let seen: Promise<number> | undefined;
    await h.db.transaction().execute(async (trx) => {
      await sql`insert into t values (3, 'x')`.execute(trx);
      seen = count();
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(await seen).toBe(1);
  });

  it('runs transactions one after another', async () => {
    await sql`delete from t`.execute(h.db);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.db.transaction().execute(async (trx) => {
          const n = Number((await sql<{ n: number }>`select count(*)::int as n from t`.execute(trx)).rows[0]!.n);
          await sql`insert into t values (${100 + n}, 'seq')`.execute(trx);
        }),
      ),
    );
    expect(await count()).toBe(10);
  });

  it('passes PostgreSQL errors through with their SQLSTATE', async () => {
    await sql`insert into t values (500, 'a')`.execute(h.db);
    await expect(sql`insert into t values (500, 'b')`.execute(h.db)).rejects.toMatchObject({ code: '23505' });
  });
});
