import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateRecoveryCodes,
  generateTotpSecret,
  hotp,
  normalizeRecoveryCode,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from './totp.js';

// RFC 6238 appendix B, SHA-1 rows.
const RFC_SECRET_ASCII = '12345678901234567890';
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('HOTP/TOTP (RFC 4226 / RFC 6238)', () => {
  it('decodes the RFC secret from base32', () => {
    expect(base32Decode(RFC_SECRET_BASE32).toString('ascii')).toBe(RFC_SECRET_ASCII);
    expect(base32Encode(Buffer.from(RFC_SECRET_ASCII))).toBe(RFC_SECRET_BASE32);
  });

  it.each(RFC_VECTORS)('gives the RFC 6238 8-digit code at T=%i', (seconds, code) => {
    expect(hotp(Buffer.from(RFC_SECRET_ASCII), totpStep(seconds * 1000), 8)).toBe(code);
  });

  it.each(RFC_VECTORS)('gives the last six digits as the authenticator-app code at T=%i', (seconds, code) => {
    expect(totpCode(RFC_SECRET_BASE32, seconds * 1000)).toBe(code.slice(2));
  });

  it('matches the RFC 4226 appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => expect(hotp(Buffer.from(RFC_SECRET_ASCII), counter)).toBe(code));
  });

  it('uses 30-second steps', () => {
    expect(totpStep(0)).toBe(0);
    expect(totpStep(29_999)).toBe(0);
    expect(totpStep(30_000)).toBe(1);
    expect(totpStep(59_000)).toBe(1);
  });
});

describe('base32', () => {
  it('round-trips any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base32Encode(Buffer.from(bytes));
        expect(text).toMatch(/^[A-Z2-7]*$/);
        expect(text.length).toBe(Math.ceil((bytes.length * 8) / 5));
        expect([...base32Decode(text)]).toEqual([...bytes]);
        // Authenticator apps and people may use lower case, spaces and '=' padding.
        const padded = text.toLowerCase().replace(/(.{4})/g, '$1 ') + '='.repeat((8 - (text.length % 8)) % 8);
        expect([...base32Decode(padded)]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });

  it('knows the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
  });

  it('refuses characters outside the alphabet', () => {
    for (const bad of ['ABC1', 'ABC8', 'AB-C', 'ÄBC']) expect(() => base32Decode(bad)).toThrow(/base32/);
  });

  it('generates 160-bit secrets', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });
});

describe('verifyTotp', () => {
  const secret = RFC_SECRET_BASE32;
  const now = Date.parse('2026-06-01T12:00:10Z');
  const step = totpStep(now);
  const codeAt = (s: number) => totpCode(secret, s * 30_000);

  it('accepts the current step and one step of drift either way, returning the matched step', () => {
    expect(verifyTotp(secret, codeAt(step), now, null)).toBe(step);
    expect(verifyTotp(secret, codeAt(step - 1), now, null)).toBe(step - 1);
    expect(verifyTotp(secret, codeAt(step + 1), now, null)).toBe(step + 1);
  });

  it('refuses codes two or more steps away', () => {
    for (const s of [step - 2, step + 2, step - 10, step + 10]) {
      // Guard against a chance collision making the assertion meaningless.
      if ([step - 1, step, step + 1].some((ok) => codeAt(ok) === codeAt(s))) continue;
      expect(verifyTotp(secret, codeAt(s), now, null)).toBeUndefined();
    }
  });

  it('refuses steps at or before the last used step (no replay)', () => {
    expect(verifyTotp(secret, codeAt(step), now, step)).toBeUndefined();
    expect(verifyTotp(secret, codeAt(step - 1), now, step - 1)).toBeUndefined();
    expect(verifyTotp(secret, codeAt(step - 1), now, step)).toBeUndefined();
    expect(verifyTotp(secret, codeAt(step + 1), now, step + 1)).toBeUndefined();
    // A later code is still fine after an earlier one was used.
    expect(verifyTotp(secret, codeAt(step), now, step - 1)).toBe(step);
    expect(verifyTotp(secret, codeAt(step + 1), now, step)).toBe(step + 1);
  });

  it('refuses codes that are not exactly six digits', () => {
    const code = codeAt(step);
    for (const bad of ['', '12345', `${code}0`, ` ${code}`, `${code}\n`, code.replace(/\d$/, 'x'), '１２３４５６']) {
      expect(verifyTotp(secret, bad, now, null)).toBeUndefined();
    }
  });

  it('refuses a code from another secret', () => {
    const other = generateTotpSecret();
    const code = totpCode(other, now);
    if (![step - 1, step, step + 1].some((s) => codeAt(s) === code)) expect(verifyTotp(secret, code, now, null)).toBeUndefined();
  });
});

describe('enrollment helpers', () => {
  it('builds an otpauth URI authenticator apps understand', () => {
    const uri = new URL(otpauthUri('ABCDEF', 'ann@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Augur:ann@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: 'ABCDEF', issuer: 'Augur', algorithm: 'SHA1', digits: '6', period: '30' });
  });

  it('generates distinct recovery codes that normalize consistently', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      expect(normalizeRecoveryCode(` ${code.toUpperCase().replaceAll('-', ' ')} `)).toBe(code.replaceAll('-', ''));
    }
  });
});
