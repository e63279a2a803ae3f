import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVisitorTokens, VISITOR_TOKEN_TTL_MS } from './visitor-token.js';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';
const SITE = '3f1c2a9e-5b7d-4c21-9e0f-1a2b3c4d5e6f';
const OTHER_SITE = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

const at = (t: number) => createVisitorTokens(SECRET, () => t);
const T0 = Date.parse('2026-06-01T12:00:00Z');

describe('visitor tokens', () => {
  it('round-trips site, visitor, issue and expiry times and a random token id', () => {
    const tokens = at(T0);
    const { token, claims } = tokens.mint(SITE, 'visitor_abc-123');
    expect(token).toMatch(/^avt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(160);
    expect(tokens.verify(token, SITE)).toEqual({ ok: true, claims });
    expect(claims).toMatchObject({ siteId: SITE, visitorId: 'visitor_abc-123', issuedAt: T0, expiresAt: T0 + VISITOR_TOKEN_TTL_MS });
    expect(claims.tokenId).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens.mint(SITE, 'visitor_abc-123').claims.tokenId).not.toBe(claims.tokenId);
  });

  it('rejects another site, expiry, another key and a token signed for other purposes', () => {
    const { token } = at(T0).mint(SITE, 'visitor_1');
    expect(at(T0).verify(token, OTHER_SITE)).toEqual({ ok: false, reason: 'wrong_site' });
    expect(at(T0 + VISITOR_TOKEN_TTL_MS - 1).verify(token).ok).toBe(true);
    expect(at(T0 + VISITOR_TOKEN_TTL_MS).verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(createVisitorTokens(`${SECRET}x`, () => T0).verify(token)).toEqual({ ok: false, reason: 'signature' });
    // A signature under the secret itself (not the derived key) does not pass.
    const payload = token.split('.')[1]!;
    const raw = crypto.createHmac('sha256', SECRET).update(`avt1.`).update(Buffer.from(payload, 'base64url')).digest('base64url');
    expect(at(T0).verify(`avt1.${payload}.${raw}`)).toEqual({ ok: false, reason: 'signature' });
  });

  it('rejects every changed byte of the payload and of the signature', () => {
    const tokens = at(T0);
    const { token } = tokens.mint(SITE, 'visitor_1');
    const [, payload, sig] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] = altered[i]! ^ 0x01;
      expect(tokens.verify(`avt1.${altered.toString('base64url')}.${sig}`).ok, `payload byte ${i}`).toBe(false);
    }
    const sigBytes = Buffer.from(sig, 'base64url');
    for (let i = 0; i < sigBytes.length; i++) {
      const altered = Buffer.from(sigBytes);
      altered[i] = altered[i]! ^ 0x80;
      expect(tokens.verify(`avt1.${payload}.${altered.toString('base64url')}`)).toEqual({ ok: false, reason: 'signature' });
    }
    // The same bytes spelled another way (non-canonical base64url) are not the token.
    const last = sig[sig.length - 1]!;
    const sibling = 'AEIMQUYcgkosw048'.includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : last;
    if (sibling !== last) expect(tokens.verify(`avt1.${payload}.${sig.slice(0, -1)}${sibling}`).ok).toBe(false);
  });

  it('never accepts, nor throws on, arbitrary strings and mutations (fuzz)', () => {
    const tokens = at(T0);
    const { token } = tokens.mint(SITE, 'visitor_fuzz');
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(tokens.verify(s).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.string({ minLength: 1, maxLength: 3 }), fc.nat(3), (pos, insert, cut) => {
        const mutated = token.slice(0, pos) + insert + token.slice(pos + cut);
        fc.pre(mutated !== token);
        expect(tokens.verify(mutated).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 140 }), fc.uint8Array({ minLength: 0, maxLength: 40 }), (p, s) => {
        expect(tokens.verify(`avt1.${Buffer.from(p).toString('base64url')}.${Buffer.from(s).toString('base64url')}`).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to mint for ids it could not read back', () => {
    expect(() => at(T0).mint('not-a-uuid', 'visitor_1')).toThrow();
    expect(() => at(T0).mint(SITE, 'visitor with spaces')).toThrow();
    expect(() => at(T0).mint(SITE, 'v'.repeat(65))).toThrow();
  });
});
