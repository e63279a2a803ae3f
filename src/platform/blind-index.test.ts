import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBlindIndex } from './blind-index.js';

const KEY = Buffer.alloc(32, 3);

describe('blind index', () => {
  const bi = createBlindIndex(KEY);

  it('is an HMAC-SHA256 under the key, base64url, and not the plain hash of the value', () => {
    const digest = bi.digest('email', null, 'ann@example.com');
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(digest).toBe(crypto.createHmac('sha256', KEY).update('augur-bi1\0email\0*\0ann@example.com').digest('base64url'));
    expect(digest).not.toBe(crypto.createHash('sha256').update('ann@example.com').digest('base64url'));
    expect(createBlindIndex(Buffer.alloc(32, 4)).digest('email', null, 'ann@example.com')).not.toBe(digest);
  });

  it('normalises: surrounding space, letter case and Unicode composition do not matter', () => {
    const plain = bi.digest('email', null, 'rené@exämple.com');
    expect(bi.digest('email', null, '  RENÉ@EXÄMPLE.COM ')).toBe(plain);
    // "e" + combining acute accent (NFD) is the same address as the precomposed "é" (NFC).
    expect(bi.digest('email', null, 'rene\u0301@exa\u0308mple.com')).toBe(plain);
    expect(bi.digest('email', null, 'rene@example.com')).not.toBe(plain);
  });

  it('keeps kinds and scopes apart', () => {
    const site = '6f1c1b7e-0000-4000-8000-000000000001';
    const values = new Set([
      bi.digest('email', null, 'x@example.com'),
      bi.digest('username', null, 'x@example.com'),
      bi.digest('email', site, 'x@example.com'),
      bi.digest('email', '6f1c1b7e-0000-4000-8000-000000000002', 'x@example.com'),
    ]);
    expect(values.size).toBe(4);
  });

  it('equal after normalisation ⇔ equal digests (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        const same = a.trim().normalize('NFC').toLowerCase() === b.trim().normalize('NFC').toLowerCase();
        expect(bi.digest('email', null, a) === bi.digest('email', null, b)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it('has a fingerprint that changes with the key and refuses short keys', () => {
    expect(bi.fingerprint()).toBe(createBlindIndex(Buffer.alloc(32, 3)).fingerprint());
    expect(bi.fingerprint()).not.toBe(createBlindIndex(Buffer.alloc(32, 5)).fingerprint());
    expect(() => createBlindIndex(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
