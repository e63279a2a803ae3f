// Blind indexes: a keyed hash (HMAC-SHA256) of a normalised value, stored beside its ciphertext so
// equality lookups and unique indexes work on encrypted fields. The key is separate from the
// encryption key ring, so rotating encryption keys never changes an index.
import crypto from 'node:crypto';

/** What an index is of; each kind has its own normalisation and its own hash domain. */
export type BlindIndexKind = 'email' | 'username';

export interface BlindIndex {
  /**
   * Digest of a value within one scope (a site's end users, or operators when null): equal
   * after normalisation gives equal digests; scopes and kinds never collide.
   */
  digest(kind: BlindIndexKind, scope: string | null, value: string): string;
  /** A digest of a fixed label, stored once to detect a changed or lost key. */
  fingerprint(): string;
}

/** Trim, Unicode NFC, lower-case: "Ann@Example.com " and "ann@example.com" are one address. */
export function normalizeForIndex(_kind: BlindIndexKind, value: string): string {
  // Both kinds compare case-insensitively today (the unique indexes used lower() before 0006).
  return value.trim().normalize('NFC').toLowerCase();
}

export function createBlindIndex(key: Buffer): BlindIndex {
  if (key.length < 32) throw new Error('A blind-index key needs at least 32 bytes');
  const hmac = (data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest('base64url');
  return {
    // Kind and scope (a UUID or "*") never contain NUL and the value comes last: the input is unambiguous.
    digest: (kind, scope, value) => hmac(`augur-bi1\0${kind}\0${scope ?? '*'}\0${normalizeForIndex(kind, value)}`),
    fingerprint: () => hmac('augur-bi1\0key-check'),
  };
}
