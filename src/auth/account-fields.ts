// An account's personal fields (email, username, names) are stored encrypted, each bound to its
// column; email and username also get a blind index, which sign-in and the unique indexes use.
// Rows are decrypted here, right after they are read, so the rest of auth sees plain values.
import type { AppContext } from '../context.js';
import { indexOf, open, seal, USERS_EMAIL, USERS_FIRST_NAME, USERS_LAST_NAME, USERS_USERNAME } from '../db/encrypted-columns.js';
import type { FieldCipher } from '../platform/crypto.js';
import * as q from './queries.js';

type Keys = Pick<AppContext, 'cipher' | 'blindIndex'>;

export interface AccountFields {
  email: string;
  username: string;
  first_name?: string | null;
  last_name?: string | null;
}

/** The stored form of an account's personal fields, for an insert: ciphertexts and blind indexes. */
export function sealAccount(keys: Keys, siteId: string | null, f: AccountFields) {
  return {
    email: seal(keys.cipher, USERS_EMAIL, f.email),
    email_index: indexOf(keys.blindIndex, USERS_EMAIL, siteId, f.email),
    username: seal(keys.cipher, USERS_USERNAME, f.username),
    username_index: indexOf(keys.blindIndex, USERS_USERNAME, siteId, f.username),
    first_name: seal(keys.cipher, USERS_FIRST_NAME, f.first_name ?? null),
    last_name: seal(keys.cipher, USERS_LAST_NAME, f.last_name ?? null),
  };
}

type Personal = { email: string; username: string; first_name: string | null; last_name: string | null };

/** Decrypts the personal fields of a users row (or leaves undefined as is); throws on tampering. */
export function openAccount<T extends Partial<Personal>>(cipher: FieldCipher, row: T): T;
export function openAccount<T extends Partial<Personal>>(cipher: FieldCipher, row: T | undefined): T | undefined;
export function openAccount<T extends Partial<Personal>>(cipher: FieldCipher, row: T | undefined): T | undefined {
  if (!row) return row;
  const out = { ...row };
  if (row.email !== undefined) out.email = open(cipher, USERS_EMAIL, row.email);
  if (row.username !== undefined) out.username = open(cipher, USERS_USERNAME, row.username);
  if (row.first_name !== undefined) out.first_name = open(cipher, USERS_FIRST_NAME, row.first_name);
  if (row.last_name !== undefined) out.last_name = open(cipher, USERS_LAST_NAME, row.last_name);
  return out;
}

/** The blind index an email has among a site's end users, or among operators when siteId is null. */
export function accountEmailIndex(keys: Keys, siteId: string | null, email: string): string {
  return indexOf(keys.blindIndex, USERS_EMAIL, siteId, email);
}

/** The account with this email (any letter case) among a site's end users, or among operators when siteId is null. */
export async function findAccountByEmail(ctx: AppContext, siteId: string | null, email: string): Promise<q.UserRow | undefined> {
  return openAccount(ctx.cipher, await q.findAccountByEmailIndex(ctx.db, siteId, accountEmailIndex(ctx, siteId, email)));
}
