// Signed visitor tokens: what lets a tracked visitor exercise their data rights (export, erasure) without an
// account. The consent API hands one out (trust on first use, see routes.ts); it names one visitor id on one site.
//
//   avt1.<payload>.<signature>     base64url, no padding
//   payload   = site id (16 bytes) · token id (16) · issued at (ms, 8) · expires at (ms, 8) · visitor id (ASCII, 1–64)
//   signature = HMAC-SHA256(key, "avt1." + payload), the key derived from the instance secret under its own label
import crypto from 'node:crypto';

export const VISITOR_TOKEN_HEADER = 'x-augur-visitor-token';
/** Like a consent decision: about 13 months. */
export const VISITOR_TOKEN_TTL_MS = 400 * 24 * 3600 * 1000;

const PREFIX = 'avt1.';
const FIXED = 16 + 16 + 8 + 8;
const VISITOR_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SHAPE = /^avt1\.([A-Za-z0-9_-]{66,150})\.([A-Za-z0-9_-]{43})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Issued-at may lead our clock by this much (another node's clock).
const CLOCK_SKEW_MS = 5 * 60_000;

export interface VisitorTokenClaims {
  siteId: string;
  visitorId: string;
  /** 32 hex characters; what revocation is keyed by (as a digest). */
  tokenId: string;
  issuedAt: number;
  expiresAt: number;
}

export type VerifyResult = { ok: true; claims: VisitorTokenClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'wrong_site' };

export interface VisitorTokens {
  mint(siteId: string, visitorId: string): { token: string; claims: VisitorTokenClaims };
  /** Checks shape, signature (constant time), expiry and, when given, the site. Revocation is the caller's (DB). */
  verify(token: string, expectedSiteId?: string): VerifyResult;
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidOf = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function createVisitorTokens(secret: string, now: () => number): VisitorTokens {
  // A key of its own: a visitor token can never pass as an access token or a pseudonymous digest, nor the reverse.
  const key = crypto.createHmac('sha256', secret).update('augur visitor tokens v1').digest();
  const sign = (payload: Buffer) => crypto.createHmac('sha256', key).update(PREFIX).update(payload).digest();

  return {
    mint(siteId, visitorId) {
      if (!UUID.test(siteId) || !VISITOR_ID.test(visitorId)) throw new Error('visitor token: bad site or visitor id');
      const issuedAt = now();
      const claims: VisitorTokenClaims = { siteId, visitorId, tokenId: crypto.randomBytes(16).toString('hex'), issuedAt, expiresAt: issuedAt + VISITOR_TOKEN_TTL_MS };
      const payload = Buffer.alloc(FIXED + visitorId.length);
      uuidBytes(siteId).copy(payload, 0);
      Buffer.from(claims.tokenId, 'hex').copy(payload, 16);
      payload.writeBigUInt64BE(BigInt(claims.issuedAt), 32);
      payload.writeBigUInt64BE(BigInt(claims.expiresAt), 40);
      payload.write(visitorId, FIXED, 'latin1');
      return { token: `${PREFIX}${payload.toString('base64url')}.${sign(payload).toString('base64url')}`, claims };
    },

    verify(token, expectedSiteId) {
      const m = typeof token === 'string' ? SHAPE.exec(token) : null;
      if (!m) return { ok: false, reason: 'malformed' };
      const payload = Buffer.from(m[1]!, 'base64url');
      const signature = Buffer.from(m[2]!, 'base64url');
      // Only the canonical encoding: trailing bits that decode to the same bytes would make one token many.
      if (payload.toString('base64url') !== m[1] || signature.toString('base64url') !== m[2]) return { ok: false, reason: 'malformed' };
      if (!crypto.timingSafeEqual(sign(payload), signature)) return { ok: false, reason: 'signature' };
      // Signed by us, so well-formed unless the key leaked; checked anyway.
      const visitorId = payload.subarray(FIXED).toString('latin1');
      if (payload.length <= FIXED || !VISITOR_ID.test(visitorId)) return { ok: false, reason: 'malformed' };
      const claims: VisitorTokenClaims = {
        siteId: uuidOf(payload.subarray(0, 16)),
        tokenId: payload.subarray(16, 32).toString('hex'),
        issuedAt: Number(payload.readBigUInt64BE(32)),
        expiresAt: Number(payload.readBigUInt64BE(40)),
        visitorId,
      };
      const t = now();
      if (claims.issuedAt > t + CLOCK_SKEW_MS || claims.expiresAt <= claims.issuedAt) return { ok: false, reason: 'malformed' };
      if (claims.expiresAt <= t) return { ok: false, reason: 'expired' };
      if (expectedSiteId !== undefined && claims.siteId !== expectedSiteId.toLowerCase()) return { ok: false, reason: 'wrong_site' };
      return { ok: true, claims };
    },
  };
}
