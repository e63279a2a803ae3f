import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFieldCipher } from './crypto.js';

const key = (id: string, fill: number) => ({ id, key: Buffer.alloc(32, fill) });
const OLD = key('old', 1);
const NEW = key('new', 2);

/** Flips one bit of one byte inside a base64url segment of an "enc1.<id>.<iv>.<body>" value. */
function flipBit(value: string, segment: 2 | 3, byteIndex: number, bit: number): string {
  const parts = value.split('.');
  const bytes = Buffer.from(parts[segment]!, 'base64url');
  const i = byteIndex % bytes.length;
  bytes[i] = bytes[i]! ^ (1 << bit);
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

describe('field cipher (AES-256-GCM)', () => {
  const cipher = createFieldCipher([OLD]);

  it('round-trips ASCII, the empty string and unicode', () => {
    for (const text of ['hello', '', 'Grüße, 世界 🌍 — ǅ\u0301', 'x'.repeat(10_000)]) {
      const enc = cipher.encrypt(text, 'users.totp_secret');
      expect(enc).toMatch(/^enc1\.old\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      if (text) expect(enc).not.toContain(text);
      expect(cipher.decrypt(enc, 'users.totp_secret')).toBe(text);
    }
  });

  it('uses a fresh IV each time, so equal plaintexts give different ciphertexts', () => {
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a)).toBe(cipher.decrypt(b));
  });

  it('round-trips any string with any aad (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 40 }), (text, aad) => {
        expect(cipher.decrypt(cipher.encrypt(text, aad), aad)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('throws when any bit of the IV, ciphertext or tag is changed (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 64 }),
        fc.constantFrom<2 | 3>(2, 3),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (text, segment, byteIndex, bit) => {
          const enc = cipher.encrypt(text, 'aad');
          const tampered = flipBit(enc, segment, byteIndex, bit);
          expect(tampered).not.toBe(enc);
          expect(() => cipher.decrypt(tampered, 'aad')).toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws on a truncated, extended or reshaped value', () => {
    const enc = cipher.encrypt('secret value');
    const [prefix, id, iv, body] = enc.split('.') as [string, string, string, string];
    const bodyBytes = Buffer.from(body, 'base64url');
    const bad = [
      `${prefix}.${id}.${iv}.${bodyBytes.subarray(0, bodyBytes.length - 1).toString('base64url')}`, // tag cut short
      `${prefix}.${id}.${iv}.${Buffer.concat([bodyBytes, Buffer.from([0])]).toString('base64url')}`, // a byte appended
      `${prefix}.${id}.${iv}.${bodyBytes.subarray(0, 10).toString('base64url')}`, // shorter than a tag
      `${prefix}.${id}.${Buffer.alloc(8).toString('base64url')}.${body}`, // IV of the wrong length
      `enc2.${id}.${iv}.${body}`,
      `${enc}.extra`,
      'plain text',
      '',
    ];
    for (const value of bad) expect(() => cipher.decrypt(value), value).toThrow();
  });

  it('binds the value to its aad', () => {
    const enc = cipher.encrypt('totp secret', 'users.totp_secret:1');
    expect(cipher.decrypt(enc, 'users.totp_secret:1')).toBe('totp secret');
    expect(() => cipher.decrypt(enc, 'users.totp_secret:2')).toThrow();
    expect(() => cipher.decrypt(enc)).toThrow();
    const noAad = cipher.encrypt('x');
    expect(() => cipher.decrypt(noAad, 'anything')).toThrow();
  });

  it('rotates keys: old values still decrypt after a new key is put first, and needsRotation says so', () => {
    const written = createFieldCipher([OLD]).encrypt('rotate me', 'col');
    const ring = createFieldCipher([NEW, OLD]);
    expect(ring.activeKeyId).toBe('new');
    expect(ring.decrypt(written, 'col')).toBe('rotate me');
    expect(ring.needsRotation(written)).toBe(true);

    const rewritten = ring.encrypt(ring.decrypt(written, 'col'), 'col');
    expect(rewritten.split('.')[1]).toBe('new');
    expect(ring.needsRotation(rewritten)).toBe(false);
    expect(ring.decrypt(rewritten, 'col')).toBe('rotate me');
    // Once the old key is retired from the ring, only re-encrypted values remain readable.
    const retired = createFieldCipher([NEW]);
    expect(retired.decrypt(rewritten, 'col')).toBe('rotate me');
    expect(() => retired.decrypt(written, 'col')).toThrow(/Unknown encryption key id "old"/);
  });

  it('refuses a value whose key id is not in the ring, or whose id was swapped', () => {
    const enc = cipher.encrypt('x');
    expect(() => cipher.decrypt(enc.replace('.old.', '.gone.'))).toThrow(/Unknown encryption key id/);
    // Same key material under another id: the id is not authenticated, but the key lookup still matters.
    const other = createFieldCipher([key('other', 9), OLD]);
    expect(() => other.decrypt(enc.replace('.old.', '.other.'))).toThrow();
  });

  it('does not decrypt with the wrong key even when the id matches', () => {
    const enc = cipher.encrypt('x');
    const impostor = createFieldCipher([{ id: 'old', key: crypto.randomBytes(32) }]);
    expect(() => impostor.decrypt(enc)).toThrow();
  });

  it('needs at least one key', () => {
    expect(() => createFieldCipher([])).toThrow();
  });
});
