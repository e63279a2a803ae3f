// Brings stored personal fields in line with the keys, in bounded batches (one transaction each):
// - encryptLegacyRows: rows written before migration 0006 (their blind index is NULL) are
//   encrypted and indexed. Part of the post-migration step, run at every start and by `augur migrate`.
// - rotateFieldKeys: values written under an older key of the ring are re-encrypted with the
//   active one (`augur rotate-keys`).
// Each batch is read by keyset, transformed here (the keys never reach the database) and written
// back in one UPDATE … FROM json_to_recordset: ~10x faster than one statement per row.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './client.js';
import { ENCRYPTED_COLUMNS, indexOf, open, seal, type EncryptedColumn } from './encrypted-columns.js';
import type { FieldCipher } from '../platform/crypto.js';
import type { BlindIndex } from '../platform/blind-index.js';

export interface FieldKeys {
  cipher: FieldCipher;
  blindIndex: BlindIndex;
}

const BATCH_ROWS = 500;
const KEY_CHECK = 'blind_index_key_check';

type Row = Record<string, unknown> & { id: string | number };

const tables = () => [...new Set(ENCRYPTED_COLUMNS.map((c) => c.table))].map((table) => ({ table, columns: ENCRYPTED_COLUMNS.filter((c) => c.table === table) }));

/** The post-migration step: refuses a changed blind-index key, then encrypts rows from before 0006. */
export function personalFieldsStep(keys: FieldKeys, batchRows = BATCH_ROWS): (db: Db) => Promise<void> {
  return async (db) => {
    await checkBlindIndexKey(db, keys.blindIndex);
    await encryptLegacyRows(db, keys, batchRows);
  };
}

/**
 * Records the blind-index key's fingerprint on first use and refuses a different key later:
 * with another key no email would be found again (a lost secrets.json, or nodes configured apart).
 */
export async function checkBlindIndexKey(db: Db, blindIndex: BlindIndex): Promise<void> {
  const fingerprint = blindIndex.fingerprint();
  await db.insertInto('instance_state').values({ key: KEY_CHECK, value: JSON.stringify({ fingerprint }) }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('instance_state').select('value').where('key', '=', KEY_CHECK).executeTakeFirstOrThrow();
  if ((row.value as { fingerprint?: string }).fingerprint !== fingerprint) {
    throw new Error(
      'The blind-index key is not the one this database was indexed with, so no account could be found by email. ' +
        'Set BLIND_INDEX_KEY (or restore DATA_DIR/secrets.json) to the original key; every node needs the same one.',
    );
  }
}

/** Encrypts and indexes rows written before migration 0006; returns how many rows it changed. */
export async function encryptLegacyRows(db: Db, keys: FieldKeys, batchRows = BATCH_ROWS): Promise<number> {
  let changed = 0;
  for (const { table, columns } of tables()) {
    const marker = columns.find((c) => c.index)!.index!.column;
    const legacy = columns.filter((c) => !c.alwaysEncrypted);
    const scopeColumns = [...new Set(legacy.map((c) => c.index?.scopeColumn).filter((c): c is string => Boolean(c)))];
    const idType = await idTypeOf(db, table);
    const written = [...legacy.map((c) => c.column), ...legacy.flatMap((c) => (c.index ? [c.index.column] : []))];
    for (let after: Row['id'] | undefined; ; ) {
      const rows = await selectBatch(db, table, [...legacy.map((c) => c.column), ...scopeColumns], sql`${sql.ref(marker)} is null`, after, batchRows);
      if (rows.length === 0) break;
      const updates = rows.map((row) => ({ id: row.id, values: legacyValues(keys, legacy, row) }));
      changed += (await writeBatch(db, table, idType, written, updates, sql`t.${sql.ref(marker)} is null`)).length;
      after = rows[rows.length - 1]!.id;
    }
  }
  return changed;
}

/** New values for a row from before 0006: every personal field encrypted, and its blind indexes. */
function legacyValues(keys: FieldKeys, columns: EncryptedColumn[], row: Row): Record<string, string | null> {
  const set: Record<string, string | null> = {};
  for (const col of columns) {
    const raw = row[col.column] as string | null;
    set[col.column] = raw;
    if (raw === null) continue;
    // A value that already decrypts for this column is left alone; anything else, even plaintext
    // that happens to start with "enc1.", is what the person typed.
    const plain = decryptsAs(keys.cipher, col, raw);
    if (plain === undefined) set[col.column] = seal(keys.cipher, col, raw);
    if (col.index) {
      const scope = col.index.scopeColumn ? (row[col.index.scopeColumn] as string | null) : null;
      set[col.index.column] = indexOf(keys.blindIndex, col, scope, plain ?? raw);
    }
  }
  return set;
}

function decryptsAs(cipher: FieldCipher, col: EncryptedColumn, value: string): string | undefined {
  if (!value.startsWith('enc1.')) return undefined;
  try {
    return open(cipher, col, value);
  } catch {
    return undefined;
  }
}

export interface RotationReport {
  /** Values re-encrypted, by column ("users.email"). */
  rotated: Record<string, number>;
  /** Rows still holding a value under another key afterwards (written meanwhile by a node with the old ring). */
  remaining: number;
}

/** Re-encrypts every value whose key is not the active one. A value that fails to decrypt stops it loudly. */
export async function rotateFieldKeys(db: Db, cipher: FieldCipher, batchRows = BATCH_ROWS): Promise<RotationReport> {
  const rotated: Record<string, number> = Object.fromEntries(ENCRYPTED_COLUMNS.map((c) => [c.aad, 0]));
  for (const { table, columns } of tables()) {
    const idType = await idTypeOf(db, table);
    const names = columns.map((c) => c.column);
    // Only rows nobody changed meanwhile are written; a newer write is already on the active key.
    const unchanged = sql.join(names.map((c) => sql`t.${sql.ref(c)} is not distinct from v.${sql.ref(`old_${c}`)}`), sql` and `);
    for (let after: Row['id'] | undefined; ; ) {
      const rows = await selectBatch(db, table, names, staleCondition(columns, cipher.activeKeyId), after, batchRows);
      if (rows.length === 0) break;
      const updates = rows.map((row) => {
        const values: Record<string, string | null> = {};
        const rotatedHere: string[] = [];
        for (const col of columns) {
          const value = row[col.column] as string | null;
          values[col.column] = value;
          if (value === null || !value.startsWith('enc1.') || !cipher.needsRotation(value)) continue;
          values[col.column] = reencrypt(cipher, col, value, row.id);
          rotatedHere.push(col.aad);
        }
        return { id: row.id, values, old: row, rotatedHere };
      });
      const written = new Set((await writeBatch(db, table, idType, names, updates, unchanged)).map(String));
      for (const u of updates) if (written.has(String(u.id))) for (const aad of u.rotatedHere) rotated[aad]! += 1;
      after = rows[rows.length - 1]!.id;
    }
  }
  let remaining = 0;
  for (const { table, columns } of tables()) {
    const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${staleCondition(columns, cipher.activeKeyId)}`.execute(db);
    remaining += Number(row.rows[0]?.n ?? 0);
  }
  return { rotated, remaining };
}

function reencrypt(cipher: FieldCipher, col: EncryptedColumn, value: string, id: Row['id']): string {
  try {
    return seal(cipher, col, open(cipher, col, value));
  } catch (err) {
    // Never the value itself: it is personal data.
    throw new Error(`${col.aad} of row ${id} cannot be decrypted (${(err as Error).message}); it was altered or written with a key missing from ENCRYPTION_KEYS`);
  }
}

/** Rows with any ciphertext under a key other than the active one. */
function staleCondition(columns: EncryptedColumn[], activeKeyId: string): RawBuilder<unknown> {
  return sql`(${sql.join(
    columns.map((c) => sql`(${sql.ref(c.column)} like 'enc1.%' and split_part(${sql.ref(c.column)}, '.', 2) <> ${activeKeyId})`),
    sql` or `,
  )})`;
}

async function selectBatch(db: Db, table: string, columns: string[], where: RawBuilder<unknown>, after: Row['id'] | undefined, limit: number): Promise<Row[]> {
  const res = await sql<Row>`
    select id, ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table)}
    where ${where} ${after === undefined ? sql`` : sql`and id > ${after}`}
    order by id limit ${limit}`.execute(db);
  return res.rows;
}

/** The SQL type of a table's id column (integer, uuid), for the record definition below. */
async function idTypeOf(db: Db, table: string): Promise<string> {
  const res = await sql<{ t: string }>`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = ${table}::regclass and attname = 'id'`.execute(db);
  return res.rows[0]!.t;
}

/**
 * Writes a batch in one statement: each row's columns set to `values`, where the guard holds (it may
 * compare with `v.old_<column>`, the value read). Returns the ids written.
 */
async function writeBatch(
  db: Db,
  table: string,
  idType: string,
  columns: string[],
  rows: { id: Row['id']; values: Record<string, string | null>; old?: Row }[],
  guard: RawBuilder<unknown>,
): Promise<Row['id'][]> {
  const payload = rows.map((r) => ({ id: r.id, ...Object.fromEntries(columns.flatMap((c) => [[`new_${c}`, r.values[c] ?? null], [`old_${c}`, r.old?.[c] ?? null]])) }));
  const record = sql.join([sql`id ${sql.raw(idType)}`, ...columns.flatMap((c) => [sql`${sql.ref(`new_${c}`)} text`, sql`${sql.ref(`old_${c}`)} text`])]);
  const res = await sql<{ id: Row['id'] }>`
    update ${sql.table(table)} as t set ${sql.join(columns.map((c) => sql`${sql.ref(c)} = v.${sql.ref(`new_${c}`)}`))}
    from json_to_recordset(${JSON.stringify(payload)}::json) as v(${record})
    where t.id = v.id and ${guard}
    returning t.id`.execute(db);
  return res.rows.map((r) => r.id);
}
