// Looking at what the database really holds, beneath the application.
import { sql } from 'kysely';
import type { Db } from '../src/db/client.js';

/** Tables whose rows, read as text, contain the needle (case-insensitive). Partitions are read through their parent. */
export async function tablesContaining(db: Db, needle: string): Promise<string[]> {
  const tables = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`.execute(db);
  const found: string[] = [];
  for (const { name } of tables.rows) {
    const hit = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)} x where strpos(lower(x::text), lower(${needle})) > 0`.execute(db);
    if (Number(hit.rows[0]!.n) > 0) found.push(name);
  }
  return found;
}

/** Flips one bit in the body of an "enc1.<key>.<iv>.<body>" value. */
export function tamper(value: string): string {
  const parts = value.split('.');
  const body = Buffer.from(parts[3]!, 'base64url');
  body[0] = body[0]! ^ 1;
  parts[3] = body.toString('base64url');
  return parts.join('.');
}
