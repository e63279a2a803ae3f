// Access tokens: HS256 JWTs with the spec 003 claims (sub, email, role, type, exp, iat)
// plus iss, aud, jti and the refresh-token family (sid). Refresh tokens are opaque random strings.
// HS256 is done with node:crypto directly: the WebCrypto path (jose) cost ~150 µs per
// verification, a tenth of the whole request budget (docs/decisions.md); tests check
// interoperability against jose-made tokens.
import crypto from 'node:crypto';
import type { UserRole } from '../db/schema.js';
import { unauthorized } from '../errors.js';
import { randomToken } from '../platform/crypto.js';

const ISSUER = 'augur';
const AUDIENCE = 'augur-api';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const ROLES: readonly string[] = ['user', 'operator', 'admin'];

export interface AccessClaims {
  sub: string;
  email: string;
  role: UserRole;
  type: 'access';
  sid: string;
  iss: string;
  aud: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface TokenSigner {
  sign(claims: { userId: number; email: string; role: UserRole; familyId: string }): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<AccessClaims>;
}

const invalid = () => unauthorized('AUTH_TOKEN_INVALID', 'The access token is not valid');

export function createTokenSigner(secret: string, ttlSeconds: number, now: () => number): TokenSigner {
  const key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
  const mac = (data: string) => crypto.createHmac('sha256', key).update(data).digest();
  return {
    async sign({ userId, email, role, familyId }) {
      const iat = Math.floor(now() / 1000);
      const claims: AccessClaims = { sub: String(userId), email, role, type: 'access', sid: familyId, iss: ISSUER, aud: AUDIENCE, jti: randomToken(12), iat, exp: iat + ttlSeconds };
      const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return { token: `${body}.${mac(body).toString('base64url')}`, expiresIn: ttlSeconds };
    },
    async verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) throw invalid();
      const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
      const signature = Buffer.from(signaturePart, 'base64url');
      const expected = mac(`${headerPart}.${payloadPart}`);
      // Compare the signature before trusting anything in the token, header included.
      if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) throw invalid();
      const header = parseJson(headerPart);
      if (header?.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT') || header.crit !== undefined) throw invalid();
      const c = parseJson(payloadPart);
      if (
        !c ||
        c.type !== 'access' ||
        c.iss !== ISSUER ||
        c.aud !== AUDIENCE ||
        typeof c.sub !== 'string' ||
        !/^\d+$/.test(c.sub) ||
        typeof c.email !== 'string' ||
        typeof c.role !== 'string' ||
        !ROLES.includes(c.role) ||
        typeof c.sid !== 'string' ||
        typeof c.iat !== 'number' ||
        typeof c.exp !== 'number'
      ) {
        throw invalid();
      }
      if (c.exp <= Math.floor(now() / 1000)) throw unauthorized('AUTH_TOKEN_EXPIRED', 'The access token has expired; refresh it');
      return c as unknown as AccessClaims;
    },
  };
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Opaque refresh token: 256 random bits. Only its SHA-256 is stored. */
export function newRefreshToken(): string {
  return `rt_${randomToken(32)}`;
}
