// Field encryption (AES-256-GCM) with a key ring for rotation, and the hashing helpers
// used for tokens we store (refresh tokens, API keys, recovery codes).
import crypto from 'node:crypto';
import type { EncryptionKey } from '../config.js';

const PREFIX = 'enc1';

export interface FieldCipher {
  /** Encrypts to "enc1.<keyId>.<iv>.<ciphertext+tag>" (base64url); aad binds it to a context such as a column. */
  encrypt(plaintext: string, aad?: string): string;
  /** Decrypts with whichever ring key the value names; throws on tampering or an unknown key. */
  decrypt(value: string, aad?: string): string;
  /** True when the value was written with a key other than the active one (re-encrypt it). */
  needsRotation(value: string): boolean;
  activeKeyId: string;
}

export function createFieldCipher(keys: EncryptionKey[]): FieldCipher {
  const active = keys[0];
  if (!active) throw new Error('createFieldCipher needs at least one key');
  const ring = new Map(keys.map((k) => [k.id, k.key]));
  return {
    activeKeyId: active.id,
    encrypt(plaintext, aad = '') {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', active.key, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}.${active.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    decrypt(value, aad = '') {
      const parts = value.split('.');
      if (parts.length !== 4 || parts[0] !== PREFIX) throw new Error('Not an encrypted field value');
      const key = ring.get(parts[1]!);
      if (!key) throw new Error(`Unknown encryption key id "${parts[1]}"`);
      const iv = Buffer.from(parts[2]!, 'base64url');
      const body = Buffer.from(parts[3]!, 'base64url');
      if (iv.length !== 12 || body.length < 16) throw new Error('Malformed encrypted field value');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    },
    needsRotation(value) {
      return value.split('.')[1] !== active.id;
    },
  };
}

/** URL-safe random secret of n bytes. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex digest: for high-entropy secrets (tokens, keys) that we only compare. */
export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two hex digests or other strings of equal length. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
