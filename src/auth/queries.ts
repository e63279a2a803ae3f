// Database access for accounts, refresh tokens, recovery codes and API keys.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Db } from '../db/client.js';
import type { Database, UsersTable } from '../db/schema.js';

export type UserRow = Selectable<UsersTable>;
type Tx = Kysely<Database>;

/** The account whose email has this blind index, among a site's end users or among operators when siteId is null. Encrypted fields as stored. */
export function findAccountByEmailIndex(db: Db, siteId: string | null, emailIndex: string) {
  return db
    .selectFrom('users')
    .selectAll()
    // The same expression as the unique index (migration 0006), so the lookup is an index probe.
    .where(sql`coalesce(site_id, ${NO_SITE}::uuid)`, '=', siteId ?? NO_SITE)
    .where('email_index', '=', emailIndex)
    .executeTakeFirst();
}
const NO_SITE = sql.lit('00000000-0000-0000-0000-000000000000');

/** The columns an account's public view needs: no password hash or TOTP secret leaves the database. */
export const PUBLIC_USER_COLUMNS = ['id', 'email', 'username', 'first_name', 'last_name', 'role', 'status', 'site_id', 'language', 'timezone', 'totp_enabled_at', 'created_at', 'last_login'] as const;

export function findPublicUserById(db: Db, id: number) {
  return db.selectFrom('users').select(PUBLIC_USER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findUserById(db: Db | Tx, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function anyAdminExists(db: Db | Tx) {
  return db.selectFrom('users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst().then(Boolean);
}

export function findSiteByPublicKey(db: Db, publicKey: string) {
  return db.selectFrom('sites').select(['id', 'allowed_origins']).where('public_key', '=', publicKey).executeTakeFirst();
}

export function insertRefreshToken(db: Db | Tx, row: { familyId: string; userId: number; tokenHash: string; expiresAt: Date }) {
  return db.insertInto('refresh_tokens').values({ family_id: row.familyId, user_id: row.userId, token_hash: row.tokenHash, expires_at: row.expiresAt }).execute();
}

export function findRefreshToken(db: Db | Tx, tokenHash: string) {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Marks the token rotated; false when another request rotated it first. */
export async function markRotated(db: Db | Tx, id: string, at: Date): Promise<boolean> {
  const res = await db.updateTable('refresh_tokens').set({ rotated_at: at }).where('id', '=', id).where('rotated_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function revokeFamily(db: Db | Tx, familyId: string, at: Date) {
  return db.updateTable('refresh_tokens').set({ revoked_at: at }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
}

/** Revokes every session of the user and returns their family ids. */
export async function revokeAllForUser(db: Db | Tx, userId: number, at: Date): Promise<string[]> {
  const rows = await db.updateTable('refresh_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).returning('family_id').execute();
  return rows.map((r) => r.family_id);
}

export function replaceRecoveryCodes(db: Tx, userId: number, hashes: string[]) {
  return db.deleteFrom('totp_recovery_codes').where('user_id', '=', userId).execute().then(() =>
    db.insertInto('totp_recovery_codes').values(hashes.map((code_hash) => ({ user_id: userId, code_hash }))).execute(),
  );
}

/** Uses up a recovery code; false when it does not exist or was used. */
export async function useRecoveryCode(db: Db, userId: number, hash: string, at: Date): Promise<boolean> {
  const res = await db.updateTable('totp_recovery_codes').set({ used_at: at }).where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
