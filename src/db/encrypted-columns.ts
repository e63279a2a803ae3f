// Every column stored encrypted with the field cipher, in one list: the features read and write
// them through seal()/open() with the column's aad, and the post-migration step and
// `augur rotate-keys` walk this list (src/db/field-encryption.ts). A new encrypted column is added
// here, so rotation covers it.
import type { FieldCipher } from '../platform/crypto.js';
import type { BlindIndex, BlindIndexKind } from '../platform/blind-index.js';

export interface EncryptedColumn {
  table: 'users' | 'site_invites';
  column: string;
  /** Associated data: binds a ciphertext to its column, so a value copied to another column fails to decrypt. */
  aad: string;
  /** The blind index kept beside it, and the column holding the account scope (null: always operators). */
  index?: { column: string; kind: BlindIndexKind; scopeColumn: string | null };
  /** Encrypted ever since the column exists, so never plaintext in a row from before 0006. */
  alwaysEncrypted?: boolean;
}

const column = (table: EncryptedColumn['table'], name: string, rest: Partial<EncryptedColumn> = {}): EncryptedColumn => ({
  table,
  column: name,
  aad: `${table}.${name}`,
  ...rest,
});

export const USERS_EMAIL = column('users', 'email', { index: { column: 'email_index', kind: 'email', scopeColumn: 'site_id' } });
export const USERS_USERNAME = column('users', 'username', { index: { column: 'username_index', kind: 'username', scopeColumn: 'site_id' } });
export const USERS_FIRST_NAME = column('users', 'first_name');
export const USERS_LAST_NAME = column('users', 'last_name');
export const USERS_TOTP_SECRET = column('users', 'totp_secret', { alwaysEncrypted: true });
// Invitations are for operator accounts, so their index is in the operators' scope and matches users.email_index.
export const SITE_INVITES_EMAIL = column('site_invites', 'email', { index: { column: 'email_index', kind: 'email', scopeColumn: null } });

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [USERS_EMAIL, USERS_USERNAME, USERS_FIRST_NAME, USERS_LAST_NAME, USERS_TOTP_SECRET, SITE_INVITES_EMAIL];

/** Encrypts a value for its column; null stays null. */
export function seal<T extends string | null>(cipher: FieldCipher, col: EncryptedColumn, value: T): T {
  return (value === null ? null : cipher.encrypt(value, col.aad)) as T;
}

/** Decrypts a value of its column; throws on a tampered value or one copied from another column. */
export function open<T extends string | null>(cipher: FieldCipher, col: EncryptedColumn, value: T): T {
  return (value === null ? null : cipher.decrypt(value, col.aad)) as T;
}

/** The blind index of a value of an indexed column, within the account scope (a site id, or null for operators). */
export function indexOf(blindIndex: BlindIndex, col: EncryptedColumn, scope: string | null, value: string): string {
  if (!col.index) throw new Error(`${col.aad} has no blind index`);
  return blindIndex.digest(col.index.kind, col.index.scopeColumn === null ? null : scope, value);
}
