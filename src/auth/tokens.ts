// Access tokens: HS256 JWTs with the spec 003 claims (sub, email, role, type, exp, iat)
// plus jti and the refresh-token family (sid). Refresh tokens are opaque random strings.
import { SignJWT, jwtVerify, errors } from 'jose';
import type { UserRole } from '../db/schema.js';
import { unauthorized } from '../errors.js';
import { randomToken } from '../platform/crypto.js';

const ISSUER = 'augur';
const AUDIENCE = 'augur-api';

export interface AccessClaims {
  sub: string;
  email: string;
  role: UserRole;
  type: 'access';
  sid: string;
  iat: number;
  exp: number;
}

export interface TokenSigner {
  sign(claims: { userId: number; email: string; role: UserRole; familyId: string }): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<AccessClaims>;
}

export function createTokenSigner(secret: string, ttlSeconds: number, now: () => number): TokenSigner {
  const key = new TextEncoder().encode(secret);
  return {
    async sign({ userId, email, role, familyId }) {
      const iat = Math.floor(now() / 1000);
      const token = await new SignJWT({ email, role, type: 'access', sid: familyId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(userId))
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(randomToken(12))
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        if (payload.type !== 'access' || typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub)) {
          throw unauthorized('AUTH_TOKEN_INVALID', 'The access token is not valid');
        }
        return payload as unknown as AccessClaims;
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw unauthorized('AUTH_TOKEN_EXPIRED', 'The access token has expired; refresh it');
        if (err instanceof Error && 'status' in err) throw err;
        throw unauthorized('AUTH_TOKEN_INVALID', 'The access token is not valid');
      }
    },
  };
}

/** Opaque refresh token: 256 random bits. Only its SHA-256 is stored. */
export function newRefreshToken(): string {
  return `rt_${randomToken(32)}`;
}
